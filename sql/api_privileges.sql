-- What restore and purge need, and the error that names what is missing:
-- restore (flag mode): UPDATE and SELECT on the flag column, SELECT on what
-- its filter reads; purge: DELETE on the table, SELECT on the flag column;
-- in archive mode, restore: INSERT on the table and SELECT and DELETE (or
-- UPDATE, with versions) on the archive; purge: DELETE and SELECT on the
-- archive.  Column privileges are enough where a column is named.
CREATE SCHEMA ap;
SET search_path = ap, public;
CREATE ROLE ap_user;
GRANT USAGE ON SCHEMA ap TO ap_user;
CREATE TABLE f (id int PRIMARY KEY, secret text);
INSERT INTO f SELECT g, 's' || g FROM generate_series(1, 4) g;
SELECT softdelete.enable('f');
DELETE FROM f;
CREATE TABLE a (id int PRIMARY KEY);
INSERT INTO a SELECT generate_series(1, 4);
SELECT softdelete.enable_archive('a')::text;
DELETE FROM a;
\set VERBOSITY default
SET ROLE ap_user;
SELECT softdelete.restore('f', 'id = 1');
SELECT softdelete.purge('f');
SELECT softdelete.restore('a', 'id = 1');
SELECT softdelete.purge('a');
RESET ROLE;
-- column privileges: UPDATE on the flag, SELECT on it and on id
GRANT UPDATE (deleted_at) ON f TO ap_user;
SET ROLE ap_user;
SELECT softdelete.restore('f', 'id = 1');
RESET ROLE;
GRANT SELECT (deleted_at, id) ON f TO ap_user;
SET ROLE ap_user;
-- from 1.5, restore also needs the grant to read deleted rows
SELECT softdelete.restore('f', 'id = 1');
RESET ROLE;
SELECT softdelete.grant_access('f', 'ap_user', 'read_deleted');
SET ROLE ap_user;
SELECT softdelete.restore('f', 'id = 1');
-- a filter that reads a column the role may not read
SELECT softdelete.restore('f', 'secret = ''s2''');
SELECT softdelete.purge('f');
RESET ROLE;
GRANT DELETE ON f TO ap_user;
SET ROLE ap_user;
-- and purge the grant to erase
SELECT softdelete.purge('f');
RESET ROLE;
SELECT softdelete.grant_access('f', 'ap_user', 'erase');
SET ROLE ap_user;
SELECT softdelete.purge('f');
RESET ROLE;
-- archive mode
GRANT INSERT ON a TO ap_user;
SET ROLE ap_user;
SELECT softdelete.restore('a', 'id = 1');
RESET ROLE;
GRANT SELECT, DELETE ON a_archive TO ap_user;
SET ROLE ap_user;
SELECT softdelete.restore('a', 'id = 1');
RESET ROLE;
GRANT SELECT (id) ON a TO ap_user;
SET ROLE ap_user;
SELECT softdelete.restore('a', 'id = 1');
SELECT softdelete.purge('a');
RESET ROLE;
SELECT softdelete.grant_access('a', 'ap_user', 'erase');
SET ROLE ap_user;
SELECT softdelete.purge('a');
RESET ROLE;
SELECT (SELECT count(*) FROM f) AS f_live, (SELECT count(*) FROM a) AS a_live,
	   (SELECT count(*) FROM a_archive) AS archived;
RESET search_path;
DROP SCHEMA ap CASCADE;
DROP ROLE ap_user;
