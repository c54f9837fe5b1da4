-- The triggers that refuse a physical DELETE or TRUNCATE in a session
-- without the library sit on every table that holds rows of an enabled
-- table: partitions (row triggers cloned by core, TRUNCATE's added) and
-- inheritance children, also those that join later.
CREATE VIEW gt_triggers AS
  SELECT tgrelid::regclass AS tbl, tgname, tgenabled FROM pg_trigger
   WHERE tgname LIKE 'softdelete%' AND tgrelid::regclass::text LIKE 'gt\_%'
   ORDER BY tgrelid::regclass::text, tgname;
-- flag mode: an inheritance tree and a partitioned table
CREATE TABLE gt_base (id int PRIMARY KEY, v text);
CREATE TABLE gt_child (x int) INHERITS (gt_base);
CREATE TABLE gt_part (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE gt_part_1 PARTITION OF gt_part FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable('gt_base');
SELECT softdelete.enable('gt_part');
-- archive mode: an inheritance tree
CREATE TABLE gt_arch (id int PRIMARY KEY, v text);
CREATE TABLE gt_arch_child () INHERITS (gt_arch);
SELECT softdelete.enable_archive('gt_arch');
SELECT * FROM gt_triggers;
-- children and partitions that join later get them too
CREATE TABLE gt_child_2 () INHERITS (gt_base);
CREATE TABLE gt_loose (id int NOT NULL, v text);
ALTER TABLE gt_loose INHERIT gt_arch;
CREATE TABLE gt_part_2 PARTITION OF gt_part FOR VALUES FROM (10) TO (20);
CREATE TABLE gt_part_3 (id int PRIMARY KEY, deleted_at timestamptz);
ALTER TABLE gt_part ATTACH PARTITION gt_part_3 FOR VALUES FROM (20) TO (30);
-- a table that joins a table that is not enabled gets nothing
CREATE TABLE gt_plain (id int);
CREATE TABLE gt_plain_child () INHERITS (gt_plain);
SELECT * FROM gt_triggers;
-- and the new child is filtered at once
INSERT INTO gt_child_2 VALUES (1, 'a');
DELETE FROM gt_child_2;
SELECT count(*) FROM gt_child_2;
SET softdelete.include_deleted = on;
SELECT count(*) FROM gt_child_2 WHERE deleted_at IS NOT NULL;
RESET softdelete.include_deleted;
INSERT INTO gt_loose VALUES (7, 'l');
DELETE FROM gt_arch WHERE id = 7;
SELECT id, v FROM gt_arch_archive;
-- CREATE TRIGGER of one of these that is there already (pg_restore -j,
-- whose CREATE TRIGGER may come after softdelete placed the trigger) is
-- skipped with a notice; any other trigger of that name is still refused
CREATE TRIGGER softdelete_guard BEFORE DELETE ON gt_base
	FOR EACH ROW EXECUTE FUNCTION softdelete.guard();
CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON gt_part_1
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard();
CREATE FUNCTION gt_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN OLD; END';
CREATE TRIGGER softdelete_guard BEFORE DELETE ON gt_base
	FOR EACH ROW EXECUTE FUNCTION gt_noop();
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER softdelete_guard BEFORE DELETE ON gt_plain
	FOR EACH ROW EXECUTE FUNCTION softdelete.guard();
DROP TRIGGER softdelete_guard ON gt_plain;
DROP FUNCTION gt_noop();
-- disable removes them from the whole tree
SELECT softdelete.disable('gt_base');
SELECT softdelete.disable('gt_part');
SELECT softdelete.disable('gt_arch');
SELECT * FROM gt_triggers;
DROP VIEW gt_triggers;
DROP TABLE gt_base, gt_child, gt_child_2, gt_part, gt_arch, gt_arch_child, gt_loose,
  gt_plain, gt_plain_child, gt_arch_archive;
