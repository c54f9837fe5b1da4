-- A new reference to a deleted row is refused, on every major and from every
-- kind of referencing table: not enabled, partitioned, archive-mode (its
-- restore re-inserts rows).  Up to 18 core's check runs through the planner
-- and its filter; from 19 on it reads the index directly and softdelete's
-- trigger softdelete_ref checks (it comes and goes with the keys and with
-- enable and disable).  The trigger is there on every major (1.4), so that
-- pg_upgrade brings it to 19; below 19 its WHEN is false.
-- fk_new_references_1.out is 15 to 18's.
CREATE SCHEMA fnr;
SET search_path = fnr, public;
CREATE FUNCTION has_ref(t regclass) RETURNS boolean LANGUAGE sql AS
	$$ SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = t AND tgname = 'softdelete_ref') $$;

CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 5);
CREATE TABLE plain_child (id int PRIMARY KEY, pid int REFERENCES parent);
CREATE TABLE part_child (id int, pid int REFERENCES parent) PARTITION BY RANGE (id);
CREATE TABLE part_child_1 PARTITION OF part_child FOR VALUES FROM (0) TO (100);
SELECT softdelete.enable('parent');
SELECT has_ref('plain_child') AS plain, has_ref('part_child') AS part, has_ref('part_child_1') AS partition;
DELETE FROM parent WHERE id IN (1, 2);
\set VERBOSITY terse
INSERT INTO plain_child VALUES (1, 1);
INSERT INTO part_child VALUES (1, 2);
INSERT INTO plain_child VALUES (2, 3);
UPDATE plain_child SET pid = 1 WHERE id = 2;
-- a key added later, and one of an archive-mode table
CREATE TABLE arch_child (id int PRIMARY KEY, pid int);
SELECT softdelete.enable_archive('arch_child');
INSERT INTO arch_child VALUES (1, 4);
ALTER TABLE arch_child ADD FOREIGN KEY (pid) REFERENCES parent;
SELECT has_ref('arch_child') AS arch;
DELETE FROM arch_child;
DELETE FROM parent WHERE id = 4;
SELECT softdelete.restore('arch_child');
SELECT softdelete.restore('parent', 'id = 4');
SELECT softdelete.restore('arch_child');
-- a deferred key: checked at commit up to 18, at the end of the statement on 19
CREATE TABLE late_child (id int PRIMARY KEY,
	pid int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);
BEGIN;
INSERT INTO late_child VALUES (1, 1);
SELECT softdelete.restore('parent', 'id = 1');
COMMIT;
SELECT count(*) AS late_children FROM late_child;
\set VERBOSITY default
-- dropping the key, or disabling the parent, takes the trigger away
ALTER TABLE arch_child DROP CONSTRAINT arch_child_pid_fkey;
SELECT has_ref('arch_child') AS arch;
SELECT softdelete.disable('parent');
SELECT has_ref('plain_child') AS plain, has_ref('part_child') AS part, has_ref('late_child') AS late;
INSERT INTO plain_child VALUES (3, 2);

SELECT softdelete.disable('arch_child');
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA fnr CASCADE;
RESET client_min_messages;
