-- Archive mode: every kind of DELETE moves the rows to the archive table,
-- in the same statement, and behaves as a real delete otherwise.
CREATE TABLE ad_order (id int PRIMARY KEY, item text, qty int);
INSERT INTO ad_order SELECT g, 'item' || g, g FROM generate_series(1, 20) g;
SELECT softdelete.enable_archive('ad_order');
\d ad_order_archive
SELECT table_name, mode, column_name, archive, versions FROM softdelete.tables
 WHERE table_name = 'ad_order'::regclass;

-- the archive as a user reads it (no timestamps, no user names in outputs)
CREATE VIEW ad_arch AS
  SELECT id, item, qty, archive_op,
         archived_at = archived_at AS has_time,
         archived_by = current_user AS by_me,
         archived_xid IS NOT NULL AS has_xid
    FROM ad_order_archive ORDER BY archive_id;

-- plain DELETE, with RETURNING: the row count and the returned rows are those of a delete
DELETE FROM ad_order WHERE id <= 2 RETURNING *;
\echo :ROW_COUNT
SELECT * FROM ad_arch;
SELECT count(*) FROM ad_order;
-- one transaction's deletes share archived_at and archived_xid
BEGIN;
DELETE FROM ad_order WHERE id = 3;
DELETE FROM ad_order WHERE id = 4;
SELECT count(DISTINCT archived_at) AS stamps, count(DISTINCT archived_xid) AS xids,
       bool_and(archived_at = now()) AS at_now,
       bool_and(archived_xid = pg_current_xact_id()) AS this_xact
  FROM ad_order_archive WHERE id IN (3, 4);
COMMIT;
-- USING
CREATE TABLE ad_pick (id int);
INSERT INTO ad_pick VALUES (5), (6), (6);
DELETE FROM ad_order o USING ad_pick p WHERE o.id = p.id;
\echo :ROW_COUNT
-- in a CTE, read by the outer query
WITH d AS (DELETE FROM ad_order WHERE id = 7 RETURNING id, qty)
SELECT id, qty FROM d;
-- in PL/pgSQL, with GET DIAGNOSTICS
DO $$
DECLARE n bigint;
BEGIN
  DELETE FROM ad_order WHERE id IN (8, 9);
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'deleted %', n;
END $$;
-- prepared, executed twice
PREPARE ad_del(int) AS DELETE FROM ad_order WHERE id = $1;
EXECUTE ad_del(10);
EXECUTE ad_del(10);
\echo :ROW_COUNT
DEALLOCATE ad_del;
-- a cursor's current row
BEGIN;
DECLARE ad_c CURSOR FOR SELECT id FROM ad_order WHERE id = 11 FOR UPDATE;
FETCH ad_c;
DELETE FROM ad_order WHERE CURRENT OF ad_c;
COMMIT;
-- MERGE ... WHEN MATCHED THEN DELETE
CREATE TABLE ad_src (id int, act text);
INSERT INTO ad_src VALUES (12, 'delete'), (13, 'update'), (99, 'insert');
MERGE INTO ad_order o USING ad_src s ON o.id = s.id
  WHEN MATCHED AND s.act = 'delete' THEN DELETE
  WHEN MATCHED THEN UPDATE SET qty = -1
  WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'merged', 0);
SELECT * FROM ad_order WHERE id IN (12, 13, 99) ORDER BY id;
SELECT * FROM ad_arch;
-- nothing is in both places, nothing is lost
SELECT (SELECT count(*) FROM ad_order) + (SELECT count(*) FROM ad_order_archive) AS total,
       (SELECT count(*) FROM ad_order o JOIN ad_order_archive a USING (id)) AS in_both;

-- a statement that fails archives nothing
DELETE FROM ad_order WHERE id = 14 AND 1 / (id - 14) = 0;
SELECT count(*) FROM ad_order_archive WHERE id = 14;
-- a rolled-back DELETE leaves the row live and the archive unchanged
BEGIN;
DELETE FROM ad_order WHERE id = 15;
ROLLBACK;
SELECT (SELECT count(*) FROM ad_order WHERE id = 15) AS live,
       (SELECT count(*) FROM ad_order_archive WHERE id = 15) AS archived;
-- a savepoint rolled back takes its archive rows with it
BEGIN;
SAVEPOINT s;
DELETE FROM ad_order WHERE id = 15;
ROLLBACK TO s;
DELETE FROM ad_order WHERE id = 16;
COMMIT;
SELECT id FROM ad_order_archive WHERE id IN (15, 16);

-- triggers: a BEFORE trigger that skips a row keeps it live and unarchived,
-- whatever its name sorts as; AFTER triggers see the deleted row
CREATE TABLE ad_log (msg text);
CREATE FUNCTION ad_keep_17() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.id = 17 THEN RETURN NULL; END IF;
  RETURN OLD;
END $$;
CREATE FUNCTION ad_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ad_log VALUES (TG_NAME || ' ' || TG_OP || ' ' || OLD.id);
  RETURN NULL;
END $$;
CREATE TRIGGER zz_keep BEFORE DELETE ON ad_order FOR EACH ROW EXECUTE FUNCTION ad_keep_17();
CREATE TRIGGER aa_after AFTER DELETE ON ad_order FOR EACH ROW EXECUTE FUNCTION ad_after();
DELETE FROM ad_order WHERE id IN (17, 18);
\echo :ROW_COUNT
SELECT id FROM ad_order WHERE id IN (17, 18);
SELECT id FROM ad_order_archive WHERE id IN (17, 18);
SELECT * FROM ad_log;
-- AFTER triggers (row and statement) find the archive complete
CREATE FUNCTION ad_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ad_log SELECT TG_LEVEL || ' sees ' || count(*) FROM ad_order_archive;
  RETURN NULL;
END $$;
CREATE TRIGGER ad_count_row AFTER DELETE ON ad_order FOR EACH ROW EXECUTE FUNCTION ad_count();
CREATE TRIGGER ad_count_stmt AFTER DELETE ON ad_order FOR EACH STATEMENT EXECUTE FUNCTION ad_count();
DELETE FROM ad_log;
SELECT count(*) AS before FROM ad_order_archive;
DELETE FROM ad_order WHERE id IN (13, 14, 15);
SELECT * FROM ad_log;
DROP TRIGGER ad_count_row ON ad_order;
DROP TRIGGER ad_count_stmt ON ad_order;
DROP FUNCTION ad_count();
-- EXPLAIN ANALYZE shows the archive trigger, after the user's
\i sql/include/explain.sql
SELECT explain_lines('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
DELETE FROM ad_order WHERE id = 19') AS plan;
DROP FUNCTION explain_lines(text);
DROP TRIGGER zz_keep ON ad_order;
DROP TRIGGER aa_after ON ad_order;
-- disabling the archive trigger, or all triggers, does not stop archiving
ALTER TABLE ad_order DISABLE TRIGGER ALL;
DELETE FROM ad_order WHERE id = 20;
ALTER TABLE ad_order ENABLE TRIGGER ALL;
SELECT id FROM ad_order_archive WHERE id = 20;
-- neither does session_replication_role = replica
SET session_replication_role = replica;
DELETE FROM ad_order WHERE id = 17;
RESET session_replication_role;
SELECT id FROM ad_order_archive WHERE id = 17;

-- hard_delete skips the archive; TRUNCATE needs it
INSERT INTO ad_order VALUES (21, 'x', 1), (22, 'y', 2);
SET softdelete.hard_delete = on;
DELETE FROM ad_order WHERE id = 21;
RESET softdelete.hard_delete;
SELECT count(*) FROM ad_order_archive WHERE id = 21;
TRUNCATE ad_order;
\echo :LAST_ERROR_SQLSTATE
SET softdelete.hard_delete = on;
TRUNCATE ad_order;
RESET softdelete.hard_delete;
SELECT count(*) FROM ad_order;

-- foreign keys: a cascade from the parent archives the children; RESTRICT
-- still refuses; SET NULL is an update
CREATE TABLE ad_parent (id int PRIMARY KEY);
CREATE TABLE ad_child (id int PRIMARY KEY,
                       pid int REFERENCES ad_parent ON DELETE CASCADE, v text);
CREATE TABLE ad_pin (id int PRIMARY KEY, cid int REFERENCES ad_child);
INSERT INTO ad_parent VALUES (1), (2), (3);
INSERT INTO ad_child VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c'), (13, 3, 'd');
INSERT INTO ad_pin VALUES (1, 13);
SELECT softdelete.enable_archive('ad_child');
DELETE FROM ad_parent WHERE id = 1;
SELECT id, pid, v, archive_op FROM ad_child_archive ORDER BY archive_id;
-- the child pinned by ad_pin: the cascade fails, nothing moves
DELETE FROM ad_parent WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT id FROM ad_child WHERE id = 13;
SELECT count(*) FROM ad_child_archive WHERE id = 13;

-- partitions: one archive for the whole table, partitions attached later
-- and partitions whose columns are numbered differently included
CREATE TABLE ad_ev (id int, region text, payload text, PRIMARY KEY (id, region))
  PARTITION BY LIST (region);
CREATE TABLE ad_ev_eu PARTITION OF ad_ev FOR VALUES IN ('eu');
CREATE TABLE ad_ev_us (payload text, region text NOT NULL, id int NOT NULL);
ALTER TABLE ad_ev ATTACH PARTITION ad_ev_us FOR VALUES IN ('us');
SELECT softdelete.enable_archive('ad_ev');
CREATE TABLE ad_ev_asia PARTITION OF ad_ev FOR VALUES IN ('asia');
INSERT INTO ad_ev VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'asia', 'c'), (4, 'us', 'd');
DELETE FROM ad_ev WHERE id IN (1, 2, 3);
DELETE FROM ad_ev_us WHERE id = 4;
SELECT id, region, payload, archive_op FROM ad_ev_archive ORDER BY id;
-- moving a row to another partition is an update, not a delete
INSERT INTO ad_ev VALUES (5, 'eu', 'e');
UPDATE ad_ev SET region = 'us' WHERE id = 5;
MERGE INTO ad_ev e USING (VALUES (5)) s(id) ON e.id = s.id
  WHEN MATCHED THEN UPDATE SET region = 'asia';
SELECT id, region FROM ad_ev;
SELECT count(*) FROM ad_ev_archive WHERE id = 5;

-- inheritance: a child's extra column has no place in the parent's archive:
-- the DELETE fails rather than lose it, until the column is added there
CREATE TABLE ad_base (id int PRIMARY KEY, v text);
CREATE TABLE ad_sub (extra int) INHERITS (ad_base);
INSERT INTO ad_base VALUES (1, 'b');
INSERT INTO ad_sub VALUES (2, 's', 9);
SELECT softdelete.enable_archive('ad_base');
DELETE FROM ad_base;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ad_base_archive ADD COLUMN extra int;
DELETE FROM ad_base;
SELECT id, v, extra FROM ad_base_archive ORDER BY id;

-- a DELETE larger than one batch of archive rows (1000 rows or 64 kB), with
-- rows of every size: every row arrives once, intact, with its index entry
CREATE TABLE ad_bulk (id int PRIMARY KEY, body text);
INSERT INTO ad_bulk SELECT g, repeat(md5(g::text), g % 50) FROM generate_series(1, 2500) g;
INSERT INTO ad_bulk SELECT 3000, repeat('z', 100000);
SELECT softdelete.enable_archive('ad_bulk');
DELETE FROM ad_bulk WHERE id > 10;
SELECT count(*), count(DISTINCT id), count(DISTINCT archive_id),
       bool_and(body = CASE WHEN id = 3000 THEN repeat('z', 100000)
                            ELSE repeat(md5(id::text), id % 50) END) AS intact
  FROM ad_bulk_archive;
SET enable_seqscan = off;
SELECT count(*) FROM ad_bulk_archive WHERE id BETWEEN 11 AND 3000;
RESET enable_seqscan;
SELECT count(*) FROM ad_bulk;
DROP TABLE ad_bulk;
DROP TABLE ad_bulk_archive;

DROP VIEW ad_arch;
DROP TABLE ad_pin, ad_child, ad_parent, ad_pick, ad_src, ad_log, ad_ev, ad_sub, ad_base, ad_order;
DROP FUNCTION ad_keep_17(), ad_after();
DROP TABLE ad_order_archive, ad_child_archive, ad_ev_archive, ad_base_archive;
