-- Every call of the API sees the effects of the calls before it, in the
-- same statement and in the same transaction, as two statements would.
CREATE SCHEMA ones;
SET search_path = ones, public;

CREATE TABLE a (id int PRIMARY KEY);
INSERT INTO a VALUES (1), (2);
SELECT softdelete.enable('a');
DELETE FROM a WHERE id = 1;
-- disable then enable in one target list: enabled again, the row hidden
SELECT softdelete.disable('a'), softdelete.enable('a');
SELECT table_name, mode FROM softdelete.tables WHERE table_name = 'a'::regclass;
SELECT id FROM a ORDER BY id;
DELETE FROM a WHERE id = 2;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM a ORDER BY id;
RESET softdelete.include_deleted;
-- enable then disable: disabled, every row shows, DELETE is physical
SELECT softdelete.restore('a');
SELECT softdelete.disable('a'), softdelete.enable('a'), softdelete.disable('a');
SELECT count(*) FROM softdelete.tables WHERE table_name = 'a'::regclass;
DELETE FROM a WHERE id = 1;
SELECT id FROM a ORDER BY id;

-- a flag-mode child of an archive-mode parent is refused in one statement
-- as in two, in both orders
CREATE TABLE ap (id int PRIMARY KEY);
CREATE TABLE fc (id int PRIMARY KEY, pid int REFERENCES ap ON DELETE CASCADE);
\set VERBOSITY terse
SELECT softdelete.enable_archive('ap'), softdelete.enable('fc');
SELECT softdelete.enable('fc'), softdelete.enable_archive('ap');
\set VERBOSITY default
SELECT count(*) FROM softdelete.tables WHERE table_name IN ('ap'::regclass, 'fc'::regclass);

-- enable, delete and restore in one statement
CREATE TABLE b (id int PRIMARY KEY);
INSERT INTO b VALUES (1), (2);
SELECT softdelete.enable('b'), softdelete.restore('b');
CREATE TABLE bb (id int PRIMARY KEY);
INSERT INTO bb VALUES (1);
SELECT softdelete.enable_archive('bb')::text, softdelete.restore('bb');

-- in a DO block and a function: enable, then DELETE is a soft delete
CREATE TABLE c (id int PRIMARY KEY);
INSERT INTO c VALUES (1), (2);
DO $$
BEGIN
	PERFORM softdelete.enable('ones.c');
	DELETE FROM ones.c WHERE id = 1;
	PERFORM softdelete.disable('ones.c');
	DELETE FROM ones.c WHERE id = 2;
END $$;
SELECT id, deleted_at IS NOT NULL AS deleted FROM c ORDER BY id;
CREATE FUNCTION toggle() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	PERFORM softdelete.enable('ones.c');
	SELECT count(*) INTO n FROM ones.c;
	RETURN n;
END $$;
SELECT toggle();

-- in one transaction: enable, then a cached plan sees the filter
BEGIN;
CREATE TABLE e (id int, deleted_at timestamptz);
INSERT INTO e VALUES (1, now()), (2, NULL);
PREPARE ecount AS SELECT count(*) FROM e;
EXECUTE ecount;
SELECT softdelete.enable('e');
EXECUTE ecount;
ROLLBACK;

RESET search_path;
DROP SCHEMA ones CASCADE;
