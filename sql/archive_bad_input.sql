-- Archive mode: every bad argument fails with a clear message and a proper
-- SQLSTATE, and changes nothing.
CREATE TABLE ab_t (id int PRIMARY KEY, v text);
CREATE TABLE ab_nopk (id int, v text);
CREATE VIEW ab_v AS SELECT * FROM ab_t;
CREATE SEQUENCE ab_seq;
CREATE TABLE ab_taken (x int);
CREATE TABLE ab_flag (id int PRIMARY KEY);
SELECT softdelete.enable('ab_flag');
\set VERBOSITY default
-- NULLs
SELECT softdelete.enable_archive(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_t', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
-- not a table
SELECT softdelete.enable_archive('ab_v');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_seq');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_missing');
\echo :LAST_ERROR_SQLSTATE
-- no primary key
SELECT softdelete.enable_archive('ab_nopk');
\echo :LAST_ERROR_SQLSTATE
-- the archive name is taken by a table that is not an archive
SELECT softdelete.enable_archive('ab_t', 'ab_taken');
\echo :LAST_ERROR_SQLSTATE
-- a table whose name leaves no room for the default archive name
CREATE TABLE ab_a_table_with_a_rather_long_name_of_sixty_characters_xxxxx (id int PRIMARY KEY);
SELECT softdelete.enable_archive('ab_a_table_with_a_rather_long_name_of_sixty_characters_xxxxx');
\echo :LAST_ERROR_SQLSTATE
-- a column named like an archive metadata column
CREATE TABLE ab_meta (id int PRIMARY KEY, archived_at timestamptz);
SELECT softdelete.enable_archive('ab_meta');
\echo :LAST_ERROR_SQLSTATE
-- versions with a valid_from column of another type
CREATE TABLE ab_vf (id int PRIMARY KEY, valid_from date);
SELECT softdelete.enable_archive('ab_vf', versions => true);
\echo :LAST_ERROR_SQLSTATE
-- a table enabled in the other mode, either way round
SELECT softdelete.enable_archive('ab_flag');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_t');
SELECT softdelete.enable('ab_t');
\echo :LAST_ERROR_SQLSTATE
-- again with the same arguments: a notice; with others: refused
SELECT softdelete.enable_archive('ab_t');
SELECT softdelete.enable_archive('ab_t', versions => true);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_t', 'ab_other');
\echo :LAST_ERROR_SQLSTATE
-- an archive table already serving another table
CREATE TABLE ab_u (id int PRIMARY KEY, v text);
SELECT softdelete.enable_archive('ab_u', 'ab_t_archive');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_u');
-- a partition alone
CREATE TABLE ab_p (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE ab_p1 PARTITION OF ab_p FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable_archive('ab_p1');
\echo :LAST_ERROR_SQLSTATE
-- a temporary table
CREATE TEMP TABLE ab_tmp (id int PRIMARY KEY);
SELECT softdelete.enable_archive('ab_tmp');
\echo :LAST_ERROR_SQLSTATE
-- not the owner
CREATE ROLE ab_other_role;
SET ROLE ab_other_role;
SELECT softdelete.enable_archive('ab_u');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the trigger function called by hand
SELECT softdelete.archive();
\echo :LAST_ERROR_SQLSTATE
-- softdelete.as_of with something that is not a table row
SELECT * FROM softdelete.as_of(1, now());
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM softdelete.as_of(NULL::ab_u, now());
\echo :LAST_ERROR_SQLSTATE
-- an archive table holds deleted rows: it cannot be enabled in either mode,
-- nor used as the archive of another table, nor become a partition or
-- child of an enabled table
SELECT softdelete.enable('ab_t_archive');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable_archive('ab_t_archive');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE ab_other (id int PRIMARY KEY, v text);
SELECT softdelete.enable_archive('ab_other', 'ab_t_archive');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE ab_other;
CREATE TABLE ab_parent (id int, v text);
SELECT softdelete.enable('ab_parent');
ALTER TABLE ab_t_archive ADD COLUMN deleted_at timestamptz;
ALTER TABLE ab_t_archive INHERIT ab_parent;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_inherits WHERE inhrelid = 'ab_t_archive'::regclass;
ALTER TABLE ab_t_archive DROP COLUMN deleted_at;
SELECT softdelete.disable('ab_parent');
DROP TABLE ab_parent;
-- nothing of the above changed anything
SELECT table_name, mode FROM softdelete.tables ORDER BY table_name::text;
SELECT relname FROM pg_class WHERE relname LIKE 'ab\_%archive' ORDER BY relname;
SELECT attname FROM pg_attribute WHERE attrelid = 'ab_vf'::regclass AND attnum > 0 ORDER BY attnum;

-- an archive altered by hand so that a row no longer fits: DELETE fails loudly
INSERT INTO ab_t VALUES (1, 'x');
ALTER TABLE ab_t_archive DROP COLUMN v;
DELETE FROM ab_t;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ab_t_archive ADD COLUMN v int;
DELETE FROM ab_t;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ab_t;

SELECT softdelete.disable('ab_t');
SELECT softdelete.disable('ab_flag');
SELECT softdelete.disable('ab_u');
DROP VIEW ab_v;
DROP TABLE ab_a_table_with_a_rather_long_name_of_sixty_characters_xxxxx;
DROP TABLE ab_t, ab_nopk, ab_taken, ab_flag, ab_meta, ab_vf, ab_u, ab_p, ab_t_archive, ab_u_archive;
DROP SEQUENCE ab_seq;
DROP ROLE ab_other_role;
