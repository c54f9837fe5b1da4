-- DELETE on an enabled table, in every form: it marks the matching live rows
-- with deleted_at = now() and keeps the command tag of a DELETE.
CREATE TABLE dml_grp (grp int PRIMARY KEY, label text);
INSERT INTO dml_grp VALUES (1, 'one'), (2, 'two'), (3, 'three');
CREATE TABLE dml_item (id int PRIMARY KEY, grp int, name text);
INSERT INTO dml_item VALUES
	(1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 2, 'd'), (5, 3, 'e'),
	(6, 3, 'f'), (7, 1, 'g'), (8, 2, 'h'), (9, 3, 'i'), (10, 1, 'j');
SELECT softdelete.enable('dml_grp');
SELECT softdelete.enable('dml_item');

-- psql prints command tags from here on
\set QUIET off

-- plain DELETE with WHERE: DELETE 1, and again on the same row: DELETE 0
DELETE FROM dml_item WHERE id = 1;
DELETE FROM dml_item WHERE id = 1;
-- a WHERE that matches a deleted and a live row counts only the live one
DELETE FROM dml_item WHERE id IN (1, 2);

-- USING: the USING list is filtered too (group 2 is deleted, so its items
-- do not match)
DELETE FROM dml_grp WHERE grp = 2;
DELETE FROM dml_item i USING dml_grp g
 WHERE g.grp = i.grp AND g.label IN ('two', 'three');

-- RETURNING shows the row with its flag set
DELETE FROM dml_item WHERE id = 3 RETURNING id, grp, name, deleted_at IS NOT NULL AS deleted;
DELETE FROM dml_item WHERE id = 3 RETURNING id;

-- in a data-modifying CTE
WITH d AS (DELETE FROM dml_item WHERE id IN (4, 5) RETURNING id)
SELECT id FROM d ORDER BY id;

\set QUIET on

SET softdelete.include_deleted = on;
SELECT id, grp, name, deleted_at IS NOT NULL AS deleted FROM dml_item ORDER BY id;
SELECT grp, label, deleted_at IS NOT NULL AS deleted FROM dml_grp ORDER BY grp;
RESET softdelete.include_deleted;
SELECT id, grp, name FROM dml_item ORDER BY id;

-- from a PL/pgSQL function: ROW_COUNT counts the marked rows
CREATE FUNCTION dml_delete_grp(g int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	DELETE FROM dml_item WHERE grp = g;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
SELECT dml_delete_grp(1);	-- ids 7 and 10 (1 and 2 are already deleted)
SELECT dml_delete_grp(1);	-- nothing left to delete
SELECT id, grp, name FROM dml_item ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM dml_item ORDER BY id;
RESET softdelete.include_deleted;

-- one transaction's deletes share one stamp: the transaction's now()
SELECT softdelete.restore('dml_item');
SELECT softdelete.restore('dml_grp');
BEGIN;
DELETE FROM dml_item WHERE id = 1;
SELECT pg_sleep(0.01);
DELETE FROM dml_item WHERE id = 2;
DELETE FROM dml_grp WHERE grp = 3;
COMMIT;
SET softdelete.include_deleted = on;
SELECT count(DISTINCT deleted_at) AS stamps,
	   count(*) AS deleted_rows
  FROM (SELECT deleted_at FROM dml_item WHERE deleted_at IS NOT NULL
		UNION ALL
		SELECT deleted_at FROM dml_grp WHERE deleted_at IS NOT NULL) s;
RESET softdelete.include_deleted;
-- a later transaction gets its own stamp
DELETE FROM dml_item WHERE id = 3;
SET softdelete.include_deleted = on;
SELECT (SELECT deleted_at FROM dml_item WHERE id = 3) >
	   (SELECT deleted_at FROM dml_item WHERE id = 1) AS later_stamp;
RESET softdelete.include_deleted;
-- inside the transaction, the stamp is now()
BEGIN;
DELETE FROM dml_item WHERE id = 4 RETURNING id, deleted_at = now() AS stamped_now;
ROLLBACK;

-- UPDATE does not see deleted rows
\set QUIET off
UPDATE dml_item SET name = 'changed' WHERE id = 1;
UPDATE dml_item SET name = upper(name) WHERE id IN (1, 4);
\set QUIET on
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM dml_item WHERE id IN (1, 4) ORDER BY id;
RESET softdelete.include_deleted;

-- INSERT ... SELECT from an enabled table copies only the live rows
CREATE TABLE dml_plain (id int, grp int, name text);
INSERT INTO dml_plain SELECT id, grp, name FROM dml_item;
SELECT id, grp, name FROM dml_plain ORDER BY id;

-- UPDATE ... FROM an enabled table joins only its live rows
UPDATE dml_plain p SET name = g.label FROM dml_grp g WHERE g.grp = p.grp;
SELECT id, grp, name FROM dml_plain ORDER BY id;	-- group 3 is deleted: unchanged
DROP TABLE dml_plain;

-- privileges: a soft delete needs DELETE, not UPDATE
CREATE ROLE regress_sd_deleter;
CREATE ROLE regress_sd_updater;
GRANT SELECT, DELETE ON dml_item TO regress_sd_deleter;
GRANT SELECT, UPDATE ON dml_item TO regress_sd_updater;
SET ROLE regress_sd_deleter;
DELETE FROM dml_item WHERE id = 5 RETURNING id;
UPDATE dml_item SET name = 'x' WHERE id = 6;	-- no UPDATE privilege
RESET ROLE;
SET ROLE regress_sd_updater;
DELETE FROM dml_item WHERE id = 6;	-- no DELETE privilege
UPDATE dml_item SET name = 'F' WHERE id = 6 RETURNING id, name;
RESET ROLE;
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM dml_item WHERE id IN (5, 6) ORDER BY id;
RESET softdelete.include_deleted;
REVOKE ALL ON dml_item FROM regress_sd_deleter, regress_sd_updater;
DROP ROLE regress_sd_deleter;
DROP ROLE regress_sd_updater;

-- triggers: UPDATE triggers fire (NEW carries the stamp), DELETE triggers do not
CREATE FUNCTION dml_trig() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'ROW' THEN
		RAISE NOTICE '% % % on id %: deleted_at set before %, after %',
			TG_NAME, TG_WHEN, TG_OP, OLD.id,
			OLD.deleted_at IS NOT NULL,
			CASE WHEN TG_OP = 'UPDATE' THEN NEW.deleted_at IS NOT NULL END;
	ELSE
		RAISE NOTICE '% % % statement', TG_NAME, TG_WHEN, TG_OP;
	END IF;
	IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER t1_before_update BEFORE UPDATE ON dml_item
	FOR EACH ROW EXECUTE FUNCTION dml_trig();
CREATE TRIGGER t2_after_update AFTER UPDATE ON dml_item
	FOR EACH ROW EXECUTE FUNCTION dml_trig();
CREATE TRIGGER t3_update_stmt AFTER UPDATE ON dml_item
	FOR EACH STATEMENT EXECUTE FUNCTION dml_trig();
CREATE TRIGGER t4_before_delete BEFORE DELETE ON dml_item
	FOR EACH ROW EXECUTE FUNCTION dml_trig();
CREATE TRIGGER t5_after_delete AFTER DELETE ON dml_item
	FOR EACH ROW EXECUTE FUNCTION dml_trig();
CREATE TRIGGER t6_delete_stmt AFTER DELETE ON dml_item
	FOR EACH STATEMENT EXECUTE FUNCTION dml_trig();
DELETE FROM dml_item WHERE id = 6;
DROP TRIGGER t1_before_update ON dml_item;
DROP TRIGGER t2_after_update ON dml_item;
DROP TRIGGER t3_update_stmt ON dml_item;
DROP TRIGGER t4_before_delete ON dml_item;
DROP TRIGGER t5_after_delete ON dml_item;
DROP TRIGGER t6_delete_stmt ON dml_item;
DROP FUNCTION dml_trig();

-- DELETE through an auto-updatable view
CREATE VIEW dml_view AS SELECT id, name FROM dml_item WHERE grp = 2;
SELECT id, name FROM dml_view ORDER BY id;
\set QUIET off
DELETE FROM dml_view WHERE id = 8 RETURNING id, name;
\set QUIET on
SELECT id, name FROM dml_view ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM dml_item WHERE grp = 2 ORDER BY id;
RESET softdelete.include_deleted;
DROP VIEW dml_view;

-- WHERE CURRENT OF: the cursor walks only live rows, the DELETE marks one
SELECT id FROM dml_item ORDER BY id;
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM dml_item ORDER BY id FOR UPDATE;
FETCH 2 FROM c;
\set QUIET off
DELETE FROM dml_item WHERE CURRENT OF c;
\set QUIET on
FETCH 1 FROM c;
CLOSE c;
COMMIT;
SELECT id FROM dml_item ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM dml_item ORDER BY id;
RESET softdelete.include_deleted;

DROP FUNCTION dml_delete_grp(int);
DROP TABLE dml_item;
DROP TABLE dml_grp;

-- under include_deleted = on, a DELETE counts and returns only the rows it
-- deleted: rows deleted before keep their stamp, and are no rows to delete
CREATE TABLE dml_again (id int PRIMARY KEY);
INSERT INTO dml_again SELECT generate_series(1, 4);
SELECT softdelete.enable('dml_again');
UPDATE dml_again SET deleted_at = '2001-01-01 00:00+00' WHERE id IN (1, 2);
SET softdelete.include_deleted = on;
DELETE FROM dml_again WHERE id IN (1, 3) RETURNING id;
WITH d AS (DELETE FROM dml_again RETURNING id) SELECT count(*) FROM d;
SELECT id, deleted_at = '2001-01-01 00:00+00' AS kept FROM dml_again ORDER BY id;
DELETE FROM dml_again;
\echo :ROW_COUNT
RESET softdelete.include_deleted;
DROP TABLE dml_again;
