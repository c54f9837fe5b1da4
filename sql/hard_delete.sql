-- softdelete.hard_delete = on: DELETE and TRUNCATE are physical again.
-- Physical deletes that do not go through softdelete are refused, and
-- foreign-key checks always see every row.
CREATE TABLE hd_item (id int PRIMARY KEY, name text);
INSERT INTO hd_item VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
SELECT softdelete.enable('hd_item');
DELETE FROM hd_item WHERE id = 2;

-- hard_delete erases the row: it is gone under include_deleted too
SET softdelete.hard_delete = on;
\set QUIET off
DELETE FROM hd_item WHERE id = 1 RETURNING id, name, deleted_at IS NOT NULL AS deleted;
-- it still sees only live rows: the soft-deleted row 2 is not touched
DELETE FROM hd_item WHERE id = 2;
\set QUIET on
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM hd_item ORDER BY id;
-- with include_deleted on too, it erases soft-deleted rows
\set QUIET off
DELETE FROM hd_item WHERE id = 2;
\set QUIET on
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM hd_item ORDER BY id;
RESET softdelete.include_deleted;
RESET softdelete.hard_delete;
-- back to soft deletes
DELETE FROM hd_item WHERE id = 3;
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM hd_item ORDER BY id;
RESET softdelete.include_deleted;

-- TRUNCATE is refused while soft delete is enabled, and changes nothing
TRUNCATE hd_item;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ONLY hd_item;
\echo :LAST_ERROR_SQLSTATE
-- also when the enabled table is only one of several
CREATE TABLE hd_other (id int);
INSERT INTO hd_other VALUES (1);
TRUNCATE hd_other, hd_item;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS other_rows FROM hd_other;
SET softdelete.include_deleted = on;
SELECT count(*) AS all_rows FROM hd_item;
RESET softdelete.include_deleted;
-- allowed with hard_delete
SET softdelete.hard_delete = on;
TRUNCATE hd_other, hd_item;
RESET softdelete.hard_delete;
SET softdelete.include_deleted = on;
SELECT count(*) AS all_rows FROM hd_item;
RESET softdelete.include_deleted;
DROP TABLE hd_other;
DROP TABLE hd_item;

-- TRUNCATE of a partition of an enabled partitioned table, or of the parent
CREATE TABLE hd_part (id int, name text) PARTITION BY RANGE (id);
CREATE TABLE hd_part_1 PARTITION OF hd_part FOR VALUES FROM (0) TO (10);
CREATE TABLE hd_part_2 PARTITION OF hd_part FOR VALUES FROM (10) TO (20);
INSERT INTO hd_part VALUES (1, 'a'), (2, 'b'), (11, 'c');
SELECT softdelete.enable('hd_part');
DELETE FROM hd_part WHERE id = 2;
TRUNCATE hd_part_1;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE hd_part;
\echo :LAST_ERROR_SQLSTATE
SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS part, id, name, deleted_at IS NOT NULL AS deleted
  FROM hd_part ORDER BY id;
RESET softdelete.include_deleted;
SET softdelete.hard_delete = on;
TRUNCATE hd_part_1;
RESET softdelete.hard_delete;
SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS part, id, name, deleted_at IS NOT NULL AS deleted
  FROM hd_part ORDER BY id;
RESET softdelete.include_deleted;
DROP TABLE hd_part;

-- Foreign keys: the checks are never filtered.
-- NO ACTION: a parent whose only children are soft-deleted cannot be erased
CREATE TABLE hd_parent (id int PRIMARY KEY);
CREATE TABLE hd_child (id int PRIMARY KEY, parent_id int REFERENCES hd_parent);
INSERT INTO hd_parent VALUES (1), (2);
INSERT INTO hd_child VALUES (10, 1), (11, 1), (20, 2);
SELECT softdelete.enable('hd_parent');
SELECT softdelete.enable('hd_child');
DELETE FROM hd_child WHERE parent_id = 1;
SELECT id, parent_id FROM hd_child ORDER BY id;
SET softdelete.hard_delete = on;
DELETE FROM hd_parent WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.hard_delete;
-- the same on a parent that is not enabled
SELECT softdelete.disable('hd_parent');
DELETE FROM hd_parent WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SET softdelete.include_deleted = on;
SELECT id FROM hd_parent ORDER BY id;
SELECT id, parent_id, deleted_at IS NOT NULL AS deleted FROM hd_child ORDER BY id;
RESET softdelete.include_deleted;
DROP TABLE hd_child;
DROP TABLE hd_parent;

-- ON DELETE CASCADE from a table that is not enabled into an enabled child:
-- the cascade would erase child rows physically, so the guard refuses it
CREATE TABLE hd_parent (id int PRIMARY KEY);
CREATE TABLE hd_child (id int PRIMARY KEY,
	parent_id int REFERENCES hd_parent ON DELETE CASCADE);
INSERT INTO hd_parent VALUES (1), (2);
INSERT INTO hd_child VALUES (10, 1), (11, 1), (20, 2);
SELECT softdelete.enable('hd_child');
DELETE FROM hd_child WHERE id = 11;
DELETE FROM hd_parent WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT id FROM hd_parent ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, parent_id, deleted_at IS NOT NULL AS deleted FROM hd_child ORDER BY id;
RESET softdelete.include_deleted;
-- with hard_delete the cascade erases the child rows, deleted or not
SET softdelete.hard_delete = on;
DELETE FROM hd_parent WHERE id = 1;
RESET softdelete.hard_delete;
SELECT id FROM hd_parent ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, parent_id, deleted_at IS NOT NULL AS deleted FROM hd_child ORDER BY id;
RESET softdelete.include_deleted;
DROP TABLE hd_child;
DROP TABLE hd_parent;

-- ALTER TABLE ADD FOREIGN KEY validates against every row, deleted or not
CREATE TABLE hd_parent (id int PRIMARY KEY);
CREATE TABLE hd_child (id int PRIMARY KEY, parent_id int);
INSERT INTO hd_parent VALUES (1), (2);
INSERT INTO hd_child VALUES (10, 1), (20, 2);
SELECT softdelete.enable('hd_parent');
SELECT softdelete.enable('hd_child');
DELETE FROM hd_parent WHERE id = 1;	-- child 10 references a deleted parent
ALTER TABLE hd_child ADD CONSTRAINT hd_child_fk FOREIGN KEY (parent_id) REFERENCES hd_parent;
ALTER TABLE hd_child DROP CONSTRAINT hd_child_fk;
-- NOT VALID then VALIDATE CONSTRAINT: the same
ALTER TABLE hd_child ADD CONSTRAINT hd_child_fk FOREIGN KEY (parent_id) REFERENCES hd_parent NOT VALID;
ALTER TABLE hd_child VALIDATE CONSTRAINT hd_child_fk;
SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'hd_child'::regclass AND contype = 'f';
ALTER TABLE hd_child DROP CONSTRAINT hd_child_fk;
-- a soft-deleted child row pointing nowhere makes the validation fail
INSERT INTO hd_child VALUES (30, 3);
DELETE FROM hd_child WHERE id = 30;
ALTER TABLE hd_child ADD CONSTRAINT hd_child_fk FOREIGN KEY (parent_id) REFERENCES hd_parent;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE hd_child ADD CONSTRAINT hd_child_fk FOREIGN KEY (parent_id) REFERENCES hd_parent NOT VALID;
ALTER TABLE hd_child VALIDATE CONSTRAINT hd_child_fk;
\echo :LAST_ERROR_SQLSTATE
SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'hd_child'::regclass AND contype = 'f';
-- and queries after the ALTER are filtered again
SELECT id FROM hd_parent ORDER BY id;
SELECT id, parent_id FROM hd_child ORDER BY id;
DROP TABLE hd_child;
DROP TABLE hd_parent;

-- A physical delete that softdelete allows (hard_delete, purge) runs without
-- the guard trigger, so it costs what a plain DELETE costs; the table's own
-- BEFORE and AFTER DELETE triggers still fire, and the guard still refuses
-- a physical delete it does not allow.
CREATE TABLE hd_log (what text, id int);
CREATE TABLE hd_trig (id int PRIMARY KEY);
CREATE FUNCTION hd_log_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.hd_log VALUES (TG_WHEN, OLD.id);
	RETURN OLD;
END $$;
CREATE TRIGGER a_before BEFORE DELETE ON hd_trig FOR EACH ROW EXECUTE FUNCTION hd_log_row();
CREATE TRIGGER z_after AFTER DELETE ON hd_trig FOR EACH ROW EXECUTE FUNCTION hd_log_row();
INSERT INTO hd_trig SELECT generate_series(1, 4);
SELECT softdelete.enable('hd_trig');
DELETE FROM hd_trig WHERE id = 1;			-- soft: UPDATE, no DELETE trigger
SELECT softdelete.purge('hd_trig');		-- physical: both triggers fire
SET softdelete.hard_delete = on;
DELETE FROM hd_trig WHERE id = 2;
RESET softdelete.hard_delete;
SELECT * FROM hd_log ORDER BY id, what;
SELECT id FROM hd_trig ORDER BY id;
-- a cascade from a table without soft delete still meets the guard
CREATE TABLE hd_owner (id int PRIMARY KEY);
INSERT INTO hd_owner VALUES (3);
ALTER TABLE hd_trig ADD COLUMN owner_id int REFERENCES hd_owner ON DELETE CASCADE;
UPDATE hd_trig SET owner_id = 3 WHERE id = 3;
DELETE FROM hd_owner;
\echo :LAST_ERROR_SQLSTATE
SELECT id FROM hd_trig ORDER BY id;
DROP TABLE hd_trig, hd_owner, hd_log;
DROP FUNCTION hd_log_row();
