-- Foreign keys in flag mode: ON DELETE CASCADE soft-deletes the live
-- children, RESTRICT / NO ACTION refuse while live children remain, a
-- restore brings back exactly what was deleted with the row, and a deleted
-- row cannot be referenced anew.
CREATE EXTENSION IF NOT EXISTS softdelete;

-- what every table holds, deleted rows included: (live, deleted, stamps)
CREATE FUNCTION fk_state(tbl regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	SET LOCAL softdelete.include_deleted = on;
	EXECUTE format('SELECT format(''%%s live, %%s deleted, %%s stamps'', '
		'count(*) FILTER (WHERE deleted_at IS NULL), '
		'count(*) FILTER (WHERE deleted_at IS NOT NULL), '
		'count(DISTINCT deleted_at)) FROM %s', tbl) INTO r;
	RETURN r;
END $$;

-- Three levels, bulk: customers -> orders -> lines, all CASCADE.
CREATE TABLE fk_customer (id int PRIMARY KEY, name text);
CREATE TABLE fk_order (id int PRIMARY KEY,
	customer_id int NOT NULL REFERENCES fk_customer ON DELETE CASCADE);
CREATE TABLE fk_line (order_id int REFERENCES fk_order ON DELETE CASCADE,
	n int, PRIMARY KEY (order_id, n));
INSERT INTO fk_customer SELECT i, 'c' || i FROM generate_series(1, 100) i;
INSERT INTO fk_order SELECT i, 1 + i % 100 FROM generate_series(1, 1000) i;
INSERT INTO fk_line SELECT o, n FROM generate_series(1, 1000) o, generate_series(1, 5) n;

-- enabling the parent before its CASCADE children is a warning: deletes wait
SELECT softdelete.enable('fk_customer');
DELETE FROM fk_customer WHERE id = 1;
SELECT softdelete.enable('fk_order');
DELETE FROM fk_customer WHERE id = 1;
SELECT softdelete.enable('fk_line');
SELECT fk_state('fk_customer'), fk_state('fk_order'), fk_state('fk_line');

-- one statement deleting 10 customers: 100 orders, 500 lines, one stamp
DELETE FROM fk_customer WHERE id <= 10;
\echo deleted :ROW_COUNT customers
SELECT fk_state('fk_customer'), fk_state('fk_order'), fk_state('fk_line');
SET softdelete.include_deleted = on;
SELECT count(DISTINCT deleted_at) AS stamps_of_all_three FROM (
	SELECT deleted_at FROM fk_customer WHERE deleted_at IS NOT NULL
	UNION ALL SELECT deleted_at FROM fk_order WHERE deleted_at IS NOT NULL
	UNION ALL SELECT deleted_at FROM fk_line WHERE deleted_at IS NOT NULL) s;
RESET softdelete.include_deleted;

-- queries see no orphan: every live line has a live order and customer
SELECT count(*) AS orphans FROM fk_line l
	LEFT JOIN fk_order o ON o.id = l.order_id
	LEFT JOIN fk_customer c ON c.id = o.customer_id
	WHERE c.id IS NULL;

-- a child deleted earlier on its own (another stamp) stays deleted on restore
BEGIN;
DELETE FROM fk_order WHERE id = 11;		-- customer 12's order, on its own
SELECT fk_state('fk_order'), fk_state('fk_line');
COMMIT;
SELECT pg_sleep(0.01);
DELETE FROM fk_customer WHERE id = 12;
SELECT fk_state('fk_order'), fk_state('fk_line');
SELECT softdelete.restore('fk_customer', 'id = 12');
SELECT id FROM fk_order WHERE customer_id = 12 ORDER BY id;
SELECT count(*) FROM fk_line WHERE order_id = 11;
SELECT softdelete.restore('fk_order', 'id = 11');
SELECT count(*) FROM fk_line WHERE order_id = 11;

-- restoring a child whose parent is still deleted fails, nothing changes
\set VERBOSITY terse
SELECT softdelete.restore('fk_order', 'customer_id = 2');
SELECT softdelete.restore('fk_line', 'order_id = 1');
\set VERBOSITY default
SELECT fk_state('fk_order'), fk_state('fk_line');

-- restoring the 10 customers brings back their 100 orders and 500 lines
SELECT softdelete.restore('fk_customer', 'id <= 10');
SELECT fk_state('fk_customer'), fk_state('fk_order'), fk_state('fk_line');

-- a new child of a deleted parent is refused as core refuses a missing one
DELETE FROM fk_customer WHERE id = 50;
INSERT INTO fk_order VALUES (5000, 50);
UPDATE fk_order SET customer_id = 50 WHERE id = 2;
SET softdelete.include_deleted = on;	-- deleted rows still do not exist for it
INSERT INTO fk_order VALUES (5000, 50);
RESET softdelete.include_deleted;
INSERT INTO fk_order VALUES (5000, 51);
\echo :ROW_COUNT
SELECT softdelete.restore('fk_customer', 'id = 50');
INSERT INTO fk_order VALUES (5001, 50);
\echo :ROW_COUNT

-- NO ACTION (enabled child, and not): live children block, deleted ones do
-- not (RESTRICT, whose wording differs by major: fk_restrict)
CREATE TABLE fk_invoice (id int PRIMARY KEY,
	customer_id int REFERENCES fk_customer ON DELETE NO ACTION);
CREATE TABLE fk_note (id int PRIMARY KEY,
	customer_id int REFERENCES fk_customer);	-- NO ACTION, not enabled
SELECT softdelete.enable('fk_invoice');
INSERT INTO fk_invoice VALUES (1, 20), (2, 21);
INSERT INTO fk_note VALUES (1, 22);
DELETE FROM fk_customer WHERE id = 20;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM fk_customer WHERE id IN (21, 23);
DELETE FROM fk_customer WHERE id = 22;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS live_customers FROM fk_customer;
DELETE FROM fk_invoice WHERE id = 1;		-- the invoice goes first
DELETE FROM fk_customer WHERE id = 20;
\echo :ROW_COUNT
SELECT softdelete.restore('fk_customer', 'id = 20');
SELECT count(*) AS invoices_of_20 FROM fk_invoice WHERE customer_id = 20;	-- NO ACTION does not cascade back
-- a physical delete still obeys the physical key: deleted invoices block it
SET softdelete.hard_delete = on;
DELETE FROM fk_customer WHERE id = 20;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.hard_delete;

-- Composite keys
CREATE TABLE fk_room (building int, num int, PRIMARY KEY (building, num));
CREATE TABLE fk_booking (id int PRIMARY KEY, building int, num int,
	FOREIGN KEY (building, num) REFERENCES fk_room ON DELETE CASCADE);
INSERT INTO fk_room SELECT b, n FROM generate_series(1, 3) b, generate_series(1, 3) n;
INSERT INTO fk_booking SELECT i, 1 + i % 3, 1 + (i / 3) % 3 FROM generate_series(0, 26) i;
INSERT INTO fk_booking VALUES (100, NULL, 1);	-- MATCH SIMPLE: references nothing
SELECT softdelete.enable('fk_booking');
SELECT softdelete.enable('fk_room');
DELETE FROM fk_room WHERE building = 2;
SELECT building, num, count(*) FROM fk_booking GROUP BY 1, 2 ORDER BY 1, 2;
SELECT softdelete.restore('fk_room', 'building = 2 AND num = 3');
SELECT building, num, count(*) FROM fk_booking WHERE building = 2 GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO fk_booking VALUES (200, 2, 1);
\echo :LAST_ERROR_SQLSTATE

-- A self-referencing tree: deleting a node deletes its subtree
CREATE TABLE fk_tree (id int PRIMARY KEY,
	parent_id int REFERENCES fk_tree ON DELETE CASCADE);
INSERT INTO fk_tree VALUES (1, NULL);
INSERT INTO fk_tree SELECT i, i / 2 FROM generate_series(2, 127) i;	-- a binary tree, 7 levels
SELECT softdelete.enable('fk_tree');
DELETE FROM fk_tree WHERE id = 2;
SELECT fk_state('fk_tree');
SELECT min(id), max(id) FROM fk_tree WHERE id IN (2, 4, 5, 8, 64, 127, 3, 7, 96);
SELECT softdelete.restore('fk_tree', 'id = 4');	-- its parent 2 is deleted
SELECT softdelete.restore('fk_tree', 'id = 2');
SELECT fk_state('fk_tree');
-- a node and its own descendant in one statement
DELETE FROM fk_tree WHERE id IN (3, 6, 100);
SELECT fk_state('fk_tree');
SELECT softdelete.restore('fk_tree', 'id = 3');
SELECT fk_state('fk_tree');

-- A cycle of cascades terminates
CREATE TABLE fk_a (id int PRIMARY KEY, b_id int);
CREATE TABLE fk_b (id int PRIMARY KEY, a_id int REFERENCES fk_a ON DELETE CASCADE);
ALTER TABLE fk_a ADD FOREIGN KEY (b_id) REFERENCES fk_b ON DELETE CASCADE;
INSERT INTO fk_a VALUES (1, NULL), (2, NULL);
INSERT INTO fk_b VALUES (1, 1), (2, 2);
UPDATE fk_a SET b_id = id;
SELECT softdelete.enable('fk_a');	-- warns: fk_b is not enabled yet
SELECT softdelete.enable('fk_b');
DELETE FROM fk_a WHERE id = 1;
SELECT fk_state('fk_a'), fk_state('fk_b');
-- restoring either brings back both: each was deleted with the other
SELECT softdelete.restore('fk_b', 'id = 1');
SELECT fk_state('fk_a'), fk_state('fk_b');
SELECT softdelete.restore('fk_a', 'id = 1');

-- What soft delete cannot honour is refused by enable, naming the child
CREATE TABLE fk_tag (id int PRIMARY KEY);
CREATE TABLE fk_tagged (id int PRIMARY KEY, tag_id int REFERENCES fk_tag ON DELETE SET NULL);
SELECT softdelete.enable('fk_tag');
SELECT softdelete.enable('fk_tagged');
SELECT softdelete.enable('fk_tag');
ALTER TABLE fk_tagged DROP CONSTRAINT fk_tagged_tag_id_fkey,
	ADD FOREIGN KEY (tag_id) REFERENCES fk_tag ON DELETE SET DEFAULT;
SELECT softdelete.enable('fk_tag');
ALTER TABLE fk_tagged DROP CONSTRAINT fk_tagged_tag_id_fkey,
	ADD FOREIGN KEY (tag_id) REFERENCES fk_tag ON DELETE CASCADE;
SELECT softdelete.enable('fk_tag');
-- and a key changed later fails the delete, loudly
INSERT INTO fk_tag VALUES (1), (2);
INSERT INTO fk_tagged VALUES (1, 1);
ALTER TABLE fk_tagged DROP CONSTRAINT fk_tagged_tag_id_fkey,
	ADD FOREIGN KEY (tag_id) REFERENCES fk_tag ON DELETE SET NULL;
DELETE FROM fk_tag WHERE id = 2;
SELECT softdelete.disable('fk_tagged');
ALTER TABLE fk_tagged DROP CONSTRAINT fk_tagged_tag_id_fkey,
	ADD FOREIGN KEY (tag_id) REFERENCES fk_tag ON DELETE CASCADE;
DELETE FROM fk_tag WHERE id = 1;
SELECT id, tag_id FROM fk_tagged;
SELECT count(*) FROM fk_tag;

-- The cascade needs no privilege on the child, as core's does not
CREATE ROLE fk_clerk;
GRANT SELECT, DELETE ON fk_customer TO fk_clerk;
SET ROLE fk_clerk;
DELETE FROM fk_customer WHERE id = 30;
\echo :ROW_COUNT
RESET ROLE;
SELECT count(*) AS orders_of_30 FROM fk_order WHERE customer_id = 30;
REVOKE ALL ON fk_customer FROM fk_clerk;
DROP ROLE fk_clerk;

-- ALTER TYPE of the flag column keeps the trigger
ALTER TABLE fk_customer ALTER COLUMN deleted_at TYPE timestamp;
DELETE FROM fk_customer WHERE id = 31;
SELECT count(*) AS orders_of_31 FROM fk_order WHERE customer_id = 31;
ALTER TABLE fk_customer ALTER COLUMN deleted_at TYPE timestamptz;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'fk_customer'::regclass AND NOT tgisinternal ORDER BY 1;

-- A partitioned child with two foreign keys: the restore cascade skips only
-- the check of the key it follows
CREATE TABLE fk_visit (id int PRIMARY KEY,
	customer_id int REFERENCES fk_customer ON DELETE CASCADE,
	order_id int REFERENCES fk_order ON DELETE CASCADE) PARTITION BY RANGE (id);
CREATE TABLE fk_visit_1 PARTITION OF fk_visit FOR VALUES FROM (0) TO (100);
CREATE TABLE fk_visit_2 PARTITION OF fk_visit FOR VALUES FROM (100) TO (200);
SELECT softdelete.enable('fk_visit');
-- customer 40's visits, each for an order of customer 41
INSERT INTO fk_visit SELECT i, 40, o.id FROM generate_series(90, 109) i,
	LATERAL (SELECT id FROM fk_order WHERE customer_id = 41 ORDER BY id LIMIT 1) o;
DELETE FROM fk_customer WHERE id = 40;
SELECT fk_state('fk_visit');
DELETE FROM fk_customer WHERE id = 41;
\set VERBOSITY terse
SELECT softdelete.restore('fk_customer', 'id = 40');	-- the visits' order is deleted
\set VERBOSITY default
SELECT fk_state('fk_visit');
SELECT softdelete.restore('fk_customer', 'id = 41');
SELECT softdelete.restore('fk_customer', 'id = 40');
SELECT fk_state('fk_visit'), fk_state('fk_visit_1'), fk_state('fk_visit_2');

-- Only tables that foreign keys involve carry softdelete_fk (it costs a
-- trigger event per soft-deleted row); a key added later adds it
CREATE TABLE fk_plain (id int PRIMARY KEY);
SELECT softdelete.enable('fk_plain');
SELECT count(*) AS fk_triggers FROM pg_trigger WHERE tgrelid = 'fk_plain'::regclass AND tgname = 'softdelete_fk';
CREATE TABLE fk_plain_child (id int PRIMARY KEY, plain_id int REFERENCES fk_plain);
SELECT count(*) AS fk_triggers FROM pg_trigger WHERE tgrelid = 'fk_plain'::regclass AND tgname = 'softdelete_fk';
INSERT INTO fk_plain VALUES (1);
INSERT INTO fk_plain_child VALUES (1, 1);
DELETE FROM fk_plain;
\echo :LAST_ERROR_SQLSTATE
-- a referenced table that lost the trigger refuses to soft-delete
DROP TRIGGER softdelete_fk ON fk_plain;
DELETE FROM fk_plain;
SELECT softdelete.enable('fk_plain');
DELETE FROM fk_plain;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE fk_plain_child, fk_plain;

-- disable removes the trigger; children are left as they are
SELECT softdelete.disable('fk_tree');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'fk_tree'::regclass AND NOT tgisinternal ORDER BY 1;

-- clean up (other files read the registry)
DROP TABLE fk_visit, fk_line, fk_order, fk_invoice, fk_note, fk_customer, fk_booking,
	fk_room, fk_tree, fk_a, fk_b, fk_tagged, fk_tag CASCADE;
DROP FUNCTION fk_state(regclass);
SELECT count(*) AS registered FROM softdelete.tables WHERE table_name::text LIKE 'fk\_%';

-- The application writes the parent's stamp itself (Laravel's trait does):
-- the cascade gives the children that stamp, in their own type and
-- precision, and a restore of the parent brings them back.  A boolean
-- parent carries no time: its children get the transaction's.
CREATE TABLE fkc_app (id int PRIMARY KEY);
CREATE TABLE fkc_app_kid (id int PRIMARY KEY, pid int REFERENCES fkc_app ON DELETE CASCADE,
	deleted_at timestamp(0));
CREATE TABLE fkc_app_bool (id int PRIMARY KEY, is_deleted boolean NOT NULL DEFAULT false);
CREATE TABLE fkc_app_bkid (id int PRIMARY KEY, pid int REFERENCES fkc_app_bool ON DELETE CASCADE);
SELECT softdelete.enable('fkc_app_kid'), softdelete.enable('fkc_app'),
	   softdelete.enable('fkc_app_bkid'), softdelete.enable('fkc_app_bool', 'is_deleted');
INSERT INTO fkc_app VALUES (1), (2);
INSERT INTO fkc_app_kid VALUES (10, 1), (11, 1), (20, 2);
INSERT INTO fkc_app_bool VALUES (1);
INSERT INTO fkc_app_bkid VALUES (10, 1);
UPDATE fkc_app SET deleted_at = '2020-06-06 10:20:30.7+00' WHERE id = 1;
BEGIN;
UPDATE fkc_app_bool SET is_deleted = true;
SET LOCAL softdelete.include_deleted = on;
SELECT id, deleted_at = now() AS now_stamp FROM fkc_app_bkid;
COMMIT;
SET softdelete.include_deleted = on;
SET TimeZone = 'America/New_York';
SELECT id, pid, deleted_at FROM fkc_app_kid ORDER BY id;
RESET TimeZone;
RESET softdelete.include_deleted;
SELECT softdelete.restore('fkc_app', 'id = 1');
SELECT id FROM fkc_app_kid ORDER BY id;
SELECT softdelete.restore('fkc_app_bool');
SELECT id FROM fkc_app_bkid ORDER BY id;
-- a DELETE of the parent still stamps now(), the children too
BEGIN;
DELETE FROM fkc_app WHERE id = 2;
SET LOCAL softdelete.include_deleted = on;
SELECT id, deleted_at = (now() AT TIME ZONE 'UTC')::timestamp(0) AS now_stamp FROM fkc_app_kid WHERE pid = 2;
COMMIT;
DROP TABLE fkc_app_kid, fkc_app, fkc_app_bkid, fkc_app_bool;
