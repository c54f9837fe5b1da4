-- A soft delete is refused by no constraint that a plain DELETE would not
-- check.  Rows that violate a NOT VALID constraint are what people delete
-- before VALIDATE CONSTRAINT; the UPDATE that marks them would check every
-- CHECK constraint of the row, so softdelete leaves out those that do not
-- read the flag column when the statement assigns nothing else.
CREATE SCHEMA nvc;
SET search_path = nvc, public;

CREATE TABLE s (id int PRIMARY KEY, qty int, note text);
INSERT INTO s VALUES (1, -5, 'bad'), (2, 3, 'good'), (3, -1, 'bad');
ALTER TABLE s ADD CONSTRAINT q CHECK (qty >= 0) NOT VALID;
SELECT softdelete.enable('s');
DELETE FROM s WHERE qty < 0;
SELECT id FROM s ORDER BY id;
-- a restore brings them back as they were
SELECT softdelete.restore('s', 'id = 1');
SELECT id, qty FROM s ORDER BY id;
-- MERGE's DELETE, DELETE ... RETURNING, a DELETE in a CTE
MERGE INTO s USING (VALUES (1)) v(id) ON s.id = v.id WHEN MATCHED THEN DELETE;
SELECT softdelete.restore('s', 'id = 1');
WITH d AS (DELETE FROM s WHERE id = 1 RETURNING id, qty) SELECT * FROM d;
-- a hand-written soft delete or restore (only the flag assigned) too
SET softdelete.include_deleted = on;
UPDATE s SET deleted_at = NULL WHERE id = 1;
UPDATE s SET deleted_at = now() WHERE id = 1;
-- an UPDATE of the row's values is checked, as on any table
UPDATE s SET note = 'x', deleted_at = NULL WHERE id = 1;
RESET softdelete.include_deleted;
UPDATE s SET note = 'x' WHERE id = 2;
UPDATE s SET qty = -2 WHERE id = 2;
-- the new constraint holds for new rows
INSERT INTO s VALUES (4, -9, 'new');
-- deleted rows still exist: VALIDATE checks them, purge them first
ALTER TABLE s VALIDATE CONSTRAINT q;
SELECT softdelete.purge('s');
ALTER TABLE s VALIDATE CONSTRAINT q;

-- a constraint that reads the flag column still applies to a soft delete
CREATE TABLE ticket (id int PRIMARY KEY, closed boolean NOT NULL DEFAULT false,
	deleted_at timestamptz, CHECK (deleted_at IS NULL OR closed));
INSERT INTO ticket VALUES (1, true), (2, false);
SELECT softdelete.enable('ticket');
DELETE FROM ticket WHERE id = 1;
\set VERBOSITY terse
DELETE FROM ticket WHERE id = 2;
\set VERBOSITY default
-- and so does one over the whole row
CREATE FUNCTION nvc_row_ok(r anyelement) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS $$ SELECT (to_jsonb(r) ->> 'deleted_at') IS NULL $$;
CREATE TABLE pinned (id int PRIMARY KEY);
INSERT INTO pinned VALUES (1);
SELECT softdelete.enable('pinned');
ALTER TABLE pinned ADD CONSTRAINT never_deleted CHECK (nvc_row_ok(pinned.*)) NOT VALID;
\set VERBOSITY terse
DELETE FROM pinned;
\set VERBOSITY default

-- a BEFORE UPDATE trigger that changes another column during the soft
-- delete: every constraint applies to what it wrote; one that changes
-- nothing leaves the soft delete unchecked
CREATE TABLE tr (id int PRIMARY KEY, qty int, touched int NOT NULL DEFAULT 0);
INSERT INTO tr VALUES (1, -5), (2, -6), (3, 7);
ALTER TABLE tr ADD CONSTRAINT q CHECK (qty >= 0) NOT VALID;
ALTER TABLE tr ADD CONSTRAINT t CHECK (touched < 10);
CREATE FUNCTION nvc_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id = 2 THEN NEW.touched := NEW.touched + 1; END IF;
	IF NEW.id = 3 THEN NEW.touched := 99; END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER touch BEFORE UPDATE ON tr FOR EACH ROW EXECUTE FUNCTION nvc_touch();
SELECT softdelete.enable('tr');
DELETE FROM tr WHERE id = 1;
\set VERBOSITY terse
DELETE FROM tr WHERE id = 2;
DELETE FROM tr WHERE id = 3;
DELETE FROM tr WHERE id IN (1, 2, 3);
\set VERBOSITY default
SELECT id FROM tr ORDER BY id;

-- foreign keys and domains: a soft delete checks neither (nor would DELETE)
CREATE TABLE owner (id int PRIMARY KEY);
CREATE DOMAIN positive AS int;
CREATE TABLE orphan (id int PRIMARY KEY, owner_id int, amount positive);
INSERT INTO orphan VALUES (1, 42, -3);
ALTER TABLE orphan ADD FOREIGN KEY (owner_id) REFERENCES owner NOT VALID;
ALTER DOMAIN positive ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;
SELECT softdelete.enable('orphan');
DELETE FROM orphan;
SELECT softdelete.restore('orphan');
SELECT * FROM orphan;

-- cascades and restore cascades into a child that violates a NOT VALID check
CREATE TABLE par (id int PRIMARY KEY);
CREATE TABLE chi (id int PRIMARY KEY, pid int REFERENCES par ON DELETE CASCADE, qty int);
INSERT INTO par VALUES (1);
INSERT INTO chi VALUES (10, 1, -1);
ALTER TABLE chi ADD CONSTRAINT q CHECK (qty >= 0) NOT VALID;
SELECT softdelete.enable('chi');
SELECT softdelete.enable('par');
DELETE FROM par;
SELECT count(*) FROM chi;
SELECT softdelete.restore('par');
SELECT * FROM chi;

-- partitions: each partition's own constraints
CREATE TABLE pt (id int, qty int) PARTITION BY RANGE (id);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10);
CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (10) TO (20);
INSERT INTO pt VALUES (1, -1), (11, -2);
ALTER TABLE pt ADD CONSTRAINT q CHECK (qty >= 0) NOT VALID;
ALTER TABLE pt2 ADD CONSTRAINT q2 CHECK (qty > 100) NOT VALID;
SELECT softdelete.enable('pt');
DELETE FROM pt;
SELECT softdelete.restore('pt');
SELECT * FROM pt ORDER BY id;

-- archive mode: DELETE is physical (nothing checked); restore re-inserts the
-- row as it was: a NOT VALID constraint does not refuse it, a validated one does
CREATE TABLE ar (id int PRIMARY KEY, qty int);
INSERT INTO ar VALUES (1, -5), (2, 5);
SELECT softdelete.enable_archive('ar');
ALTER TABLE ar ADD CONSTRAINT q CHECK (qty >= 0) NOT VALID;
DELETE FROM ar;
SELECT softdelete.restore('ar', 'id = 1');
SELECT * FROM ar ORDER BY id;
DELETE FROM ar WHERE id = 1;
ALTER TABLE ar ADD CONSTRAINT q2 CHECK (qty > 0);
\set VERBOSITY terse
SELECT softdelete.restore('ar', 'id = 1');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('ar', 'id = 2');
-- a plain INSERT is checked as ever
INSERT INTO ar VALUES (3, -1);

RESET search_path;
DROP SCHEMA nvc CASCADE;
