-- A child row written earlier in the same transaction as its parent's soft
-- delete: core checks the reference of such a row again when it is
-- updated, key unchanged, and that check reads the parent through the
-- filter.  A deleted child pointing at a deleted parent is no violation
-- (they went together): the cascade, a data-modifying WITH, a DELETE of a
-- deleted row under include_deleted, with immediate and deferred keys,
-- boolean flags and partitioned children, all as on plain tables.  A live
-- child still cannot point at a deleted parent, a key change is still
-- checked, and a deleted row never points at nothing.  (_1.out: 19, where
-- softdelete_ref checks a deferred key's new reference at the end of the
-- statement, README.)
CREATE SCHEMA fst;
SET search_path = fst, public;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE, v int);
CREATE TABLE pd (id int PRIMARY KEY);
CREATE TABLE cd (id int PRIMARY KEY,
	pid int REFERENCES pd ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, v int);
CREATE TABLE pb (id int PRIMARY KEY, gone boolean NOT NULL DEFAULT false);
CREATE TABLE cb (id int PRIMARY KEY, pid int REFERENCES pb ON DELETE CASCADE,
	gone boolean NOT NULL DEFAULT false);
CREATE TABLE cp (id int, pid int REFERENCES p ON DELETE CASCADE) PARTITION BY RANGE (id);
CREATE TABLE cp_1 PARTITION OF cp FOR VALUES FROM (0) TO (100);
CREATE TABLE cp_2 (pid int, id int);		-- columns in another order
ALTER TABLE cp ATTACH PARTITION cp_2 FOR VALUES FROM (100) TO (200);
SELECT softdelete.enable('c'), softdelete.enable('p'), softdelete.enable('cd'),
	   softdelete.enable('pd'), softdelete.enable('cb', 'gone'),
	   softdelete.enable('pb', 'gone'), softdelete.enable('cp');
INSERT INTO p SELECT generate_series(1, 6);
INSERT INTO pd SELECT generate_series(1, 6);
INSERT INTO pb (id) SELECT generate_series(1, 3);
CREATE VIEW state AS
  SELECT 'c' AS t, id, pid, deleted_at IS NOT NULL AS deleted FROM c
  UNION ALL SELECT 'cd', id, pid, deleted_at IS NOT NULL FROM cd
  UNION ALL SELECT 'cb', id, pid, gone FROM cb
  UNION ALL SELECT 'cp', id, pid, deleted_at IS NOT NULL FROM cp;

-- create an order's lines, then cancel the order, in one transaction
BEGIN;
INSERT INTO c VALUES (10, 1, 0);
INSERT INTO cd VALUES (10, 1, 0);
INSERT INTO cb (id, pid) VALUES (10, 1);
INSERT INTO cp VALUES (10, 1), (110, 1);
DELETE FROM p WHERE id = 1;
DELETE FROM pd WHERE id = 1;
DELETE FROM pb WHERE id = 1;
COMMIT;
SET softdelete.include_deleted = on;
SELECT * FROM state ORDER BY t, id;
RESET softdelete.include_deleted;
SELECT softdelete.restore('p', 'id = 1'), softdelete.restore('pd', 'id = 1'),
	   softdelete.restore('pb', 'id = 1');
SELECT * FROM state ORDER BY t, id;

-- the parent's soft delete and an update of its children in one statement
INSERT INTO c VALUES (20, 2, 0);
INSERT INTO cd VALUES (20, 2, 0);
WITH d AS (DELETE FROM p WHERE id = 2 RETURNING id)
UPDATE c SET v = v + 1 WHERE pid IN (SELECT id FROM d);
BEGIN;
WITH d AS (DELETE FROM pd WHERE id = 2 RETURNING id)
UPDATE cd SET v = v + 1 WHERE pid IN (SELECT id FROM d);
COMMIT;
SET softdelete.include_deleted = on;
SELECT t, id, v, deleted FROM (SELECT 'c' AS t, id, v, deleted_at IS NOT NULL AS deleted FROM c
	UNION ALL SELECT 'cd', id, v, deleted_at IS NOT NULL FROM cd) x WHERE id = 20 ORDER BY 1;

-- a deleted row deleted (or updated) again under include_deleted
INSERT INTO c VALUES (30, 3, 0);
INSERT INTO cd VALUES (30, 3, 0);
DELETE FROM p WHERE id = 3;
DELETE FROM pd WHERE id = 3;
BEGIN;
DELETE FROM c WHERE id = 30;
DELETE FROM c WHERE id = 30;
UPDATE c SET v = 7 WHERE id = 30;
DELETE FROM cd WHERE id = 30;
DELETE FROM cd WHERE id = 30;
UPDATE cd SET v = 7 WHERE id = 30;
COMMIT;
SELECT t, id, v, deleted FROM (SELECT 'c' AS t, id, v, deleted_at IS NOT NULL AS deleted FROM c
	UNION ALL SELECT 'cd', id, v, deleted_at IS NOT NULL FROM cd) x WHERE id = 30 ORDER BY 1;
-- but a deleted row's key is still checked when it changes
BEGIN;
UPDATE c SET pid = 99 WHERE id = 30;
ROLLBACK;
BEGIN;
UPDATE cd SET pid = 99 WHERE id = 30;
COMMIT;
RESET softdelete.include_deleted;

-- a live child still cannot point at a deleted parent, in the same
-- transaction either
BEGIN;
INSERT INTO c VALUES (40, 3, 0);
ROLLBACK;
BEGIN;
INSERT INTO c VALUES (41, 4, 0);
UPDATE c SET pid = 3 WHERE id = 41;
ROLLBACK;
BEGIN;
INSERT INTO cd VALUES (40, 3, 0);
COMMIT;

-- a deleted row never points at nothing: a deferred reference to a missing
-- row, soft-deleted before its check, is refused then
BEGIN;
INSERT INTO cd VALUES (50, 99, 0);
DELETE FROM cd WHERE id = 50;
ROLLBACK;
-- and accepted when the parent is there by then
BEGIN;
INSERT INTO cd VALUES (51, 77, 0);
INSERT INTO pd VALUES (77);
DELETE FROM pd WHERE id = 77;
COMMIT;
SET softdelete.include_deleted = on;
SELECT id, pid, deleted_at IS NOT NULL AS deleted FROM cd WHERE id >= 50;
RESET softdelete.include_deleted;

RESET search_path;
DROP SCHEMA fst CASCADE;
