-- Rows that move between partitions of an enabled table.  Core deletes a
-- moving row from its old partition (firing BEFORE DELETE row triggers
-- there) and inserts it into the new one: that is no delete, and the guard
-- must let it through, in flag mode for UPDATE, MERGE and the soft delete
-- itself, and in archive mode without archiving anything.
CREATE SCHEMA rowmove;
SET search_path = rowmove, public;

-- flag mode: UPDATE and MERGE ... THEN UPDATE move a row; it stays live
CREATE TABLE mv (id int, k int, v text) PARTITION BY LIST (k);
CREATE TABLE mv1 PARTITION OF mv FOR VALUES IN (1);
CREATE TABLE mv2 PARTITION OF mv FOR VALUES IN (2) PARTITION BY LIST (id);
CREATE TABLE mv2a PARTITION OF mv2 FOR VALUES IN (1, 2);
CREATE TABLE mv2b PARTITION OF mv2 DEFAULT;
CREATE TABLE mv3 PARTITION OF mv FOR VALUES IN (3);
INSERT INTO mv VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 1, 'd');
SELECT softdelete.enable('mv');
UPDATE mv SET k = 2 WHERE id = 1;
UPDATE mv SET k = 2 WHERE id IN (2, 3) RETURNING tableoid::regclass, id, k;
MERGE INTO mv USING (VALUES (4, 3)) s(id, k) ON mv.id = s.id
	WHEN MATCHED THEN UPDATE SET k = s.k;
SELECT tableoid::regclass, id, k, v, deleted_at IS NULL AS live FROM mv ORDER BY id;
-- and back, through a partition named directly it cannot move (core's rule)
UPDATE mv2 SET k = 1 WHERE id = 1;
UPDATE mv SET k = 1 WHERE id = 1;
-- a deleted row is invisible to the UPDATE that would move it
DELETE FROM mv WHERE id = 2;
UPDATE mv SET k = 3 WHERE id = 2;
-- under include_deleted it moves, and stays deleted with its stamp
SET softdelete.include_deleted = on;
SELECT deleted_at AS stamp FROM mv WHERE id = 2 \gset
UPDATE mv SET k = 3 WHERE id = 2;
SELECT tableoid::regclass, id, deleted_at = :'stamp' AS same_stamp FROM mv WHERE id = 2;
RESET softdelete.include_deleted;
SELECT tableoid::regclass, id, k FROM mv ORDER BY id;
-- MERGE's DELETE action is still a soft delete, its UPDATE action still moves
MERGE INTO mv USING (VALUES (1, 'del'), (3, 'move')) s(id, what) ON mv.id = s.id
	WHEN MATCHED AND s.what = 'del' THEN DELETE
	WHEN MATCHED THEN UPDATE SET k = 1;
SELECT tableoid::regclass, id, k FROM mv ORDER BY id;
SELECT softdelete.restore('mv', 'id = 1');
-- the guard still refuses a physical delete of a partition's rows
CREATE TABLE mv_owner (id int PRIMARY KEY);
INSERT INTO mv_owner VALUES (3);
ALTER TABLE mv ADD COLUMN owner int REFERENCES mv_owner ON DELETE CASCADE;
UPDATE mv SET owner = 3 WHERE id = 3;
\set VERBOSITY terse
DELETE FROM mv_owner;
\set VERBOSITY default
SELECT id FROM mv ORDER BY id;
ALTER TABLE mv DROP COLUMN owner;
-- with hard_delete, DELETE is physical; an UPDATE still moves
SET softdelete.hard_delete = on;
UPDATE mv SET k = 3 WHERE id = 4;
DELETE FROM mv WHERE id = 4;
RESET softdelete.hard_delete;
SET softdelete.include_deleted = on;
SELECT tableoid::regclass, id, k, deleted_at IS NULL AS live FROM mv ORDER BY id;
RESET softdelete.include_deleted;

-- "deleted rows go to a cold partition": partitioned on the flag itself
CREATE TABLE cold (id int, v text, deleted_at timestamptz)
	PARTITION BY LIST ((deleted_at IS NULL));
CREATE TABLE cold_live PARTITION OF cold FOR VALUES IN (true);
CREATE TABLE cold_dead PARTITION OF cold FOR VALUES IN (false);
INSERT INTO cold VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT softdelete.enable('cold');
DELETE FROM cold WHERE id = 1;
DELETE FROM cold WHERE id IN (2, 3) RETURNING id, tableoid::regclass;
SELECT id FROM cold ORDER BY id;
SET softdelete.include_deleted = on;
SELECT tableoid::regclass, id, deleted_at IS NULL AS live FROM cold ORDER BY id;
RESET softdelete.include_deleted;
-- the plan reads the live partition only
EXPLAIN (COSTS OFF) SELECT * FROM cold WHERE id = 1;
SELECT softdelete.restore('cold', 'id IN (1, 2)');
SELECT tableoid::regclass, id FROM cold ORDER BY id;
SELECT softdelete.purge('cold');
SET softdelete.include_deleted = on;
SELECT tableoid::regclass, id FROM cold ORDER BY id;
RESET softdelete.include_deleted;
-- such a table cannot also reference a table with soft delete: a restore
-- that moves a row runs only core's foreign-key triggers, so the check that
-- its parent is live would be skipped (it cannot be referenced itself: a
-- unique key cannot include a partition key expression)
CREATE TABLE cold_parent (id int PRIMARY KEY);
SELECT softdelete.enable('cold_parent');
CREATE TABLE cold_child (id int, pid int REFERENCES cold_parent ON DELETE CASCADE,
	deleted_at timestamptz) PARTITION BY LIST ((deleted_at IS NULL));
CREATE TABLE cold_child_live PARTITION OF cold_child FOR VALUES IN (true);
CREATE TABLE cold_child_dead PARTITION OF cold_child FOR VALUES IN (false);
SELECT softdelete.enable('cold_child');
SELECT count(*) FROM softdelete.tables WHERE table_name = 'cold_child'::regclass;
ALTER TABLE cold_child DROP CONSTRAINT cold_child_pid_fkey;
SELECT softdelete.enable('cold_child');
-- ... nor gain such a key later
ALTER TABLE cold_child ADD FOREIGN KEY (pid) REFERENCES cold_parent ON DELETE CASCADE;
SELECT count(*) FROM pg_constraint WHERE conrelid = 'cold_child'::regclass AND contype = 'f';
-- ... nor become a partition of a table partitioned on its flag
CREATE TABLE cold_top (id int, pid int REFERENCES cold_parent ON DELETE CASCADE,
	deleted_at timestamptz) PARTITION BY LIST (id);
SELECT softdelete.enable('cold_top');
CREATE TABLE cold_sub (id int, pid int, deleted_at timestamptz)
	PARTITION BY LIST ((deleted_at IS NULL));
CREATE TABLE cold_sub_live PARTITION OF cold_sub FOR VALUES IN (true);
ALTER TABLE cold_top ATTACH PARTITION cold_sub FOR VALUES IN (1);
SELECT count(*) FROM pg_inherits WHERE inhparent = 'cold_top'::regclass;

-- archive mode: a row that moves is not archived (as before), also in MERGE
CREATE TABLE am (id int, k int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE am1 PARTITION OF am FOR VALUES IN (1);
CREATE TABLE am2 PARTITION OF am FOR VALUES IN (2);
INSERT INTO am VALUES (1, 1), (2, 1), (3, 1);
SELECT softdelete.enable_archive('am');
UPDATE am SET k = 2 WHERE id = 1;
MERGE INTO am USING (VALUES (2), (3)) s(id) ON am.id = s.id
	WHEN MATCHED AND s.id = 2 THEN UPDATE SET k = 2
	WHEN MATCHED THEN DELETE;
SELECT tableoid::regclass, id, k FROM am ORDER BY id;
SELECT id, k, archive_op FROM am_archive ORDER BY archive_id;

RESET search_path;
DROP SCHEMA rowmove CASCADE;
