-- ALTER EXTENSION softdelete UPDATE from 1.4 to 1.5: reading deleted rows
-- and the past, and erasing, become grants.  A database still at 1.4 under
-- the new library refuses roles other than the owner, saying to update;
-- the update grants every role what it could do before (read_deleted to
-- holders of SELECT, erase to holders of DELETE, PUBLIC included), with a
-- warning, so that applications keep working; the owner can revoke.
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade15;
\c sd_upgrade15
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.4';
CREATE ROLE up15_reader;
CREATE ROLE up15_deleter;
CREATE ROLE up15_nobody;
RESET client_min_messages;
CREATE TABLE item (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE ledger (id int PRIMARY KEY, amount int);
CREATE TABLE board (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO item SELECT generate_series(1, 4);
INSERT INTO ledger SELECT g, g * 10 FROM generate_series(1, 3) g;
INSERT INTO board VALUES (1), (2);
SELECT softdelete.enable('item'), softdelete.enable('board');
SELECT softdelete.enable_archive('ledger')::text;
GRANT SELECT ON item, ledger TO up15_reader;
GRANT SELECT, DELETE ON item, ledger TO up15_deleter;
GRANT SELECT ON board TO PUBLIC;
DELETE FROM item WHERE id > 2;
DELETE FROM ledger WHERE id = 3;
DELETE FROM board WHERE id = 2;

-- the new library, the extension still at 1.4: the owner as before,
-- other roles refused with the update to run
SET softdelete.include_deleted = on;
SELECT count(*) FROM item;
SET ROLE up15_reader;
SELECT count(*) FROM item;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET softdelete.include_deleted;

SET client_min_messages = warning;
ALTER EXTENSION softdelete UPDATE TO '1.5';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT relid, grantee, privilege FROM softdelete.access ORDER BY relid::text, grantee::text, privilege;

-- what each role could do under 1.4, it still can
SET ROLE up15_reader;
SET softdelete.include_deleted = on;
SELECT count(*) FROM item;
SELECT softdelete.purge('item');
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
SET ROLE up15_deleter;
SET softdelete.include_deleted = 'only';
SELECT count(*) FROM item;
RESET softdelete.include_deleted;
SELECT softdelete.purge('item');
SET softdelete.hard_delete = on;
DELETE FROM item WHERE id = 2;
RESET softdelete.hard_delete;
RESET ROLE;
SET ROLE up15_nobody;
SET softdelete.include_deleted = on;
SELECT count(*) FROM board;
SELECT count(*) FROM item;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
-- and the owner takes back what no role should have
SELECT softdelete.revoke_access('board', 'public', 'read_deleted');
SET ROLE up15_nobody;
SET softdelete.include_deleted = on;
SELECT count(*) FROM board;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
SET softdelete.include_deleted = on;
SELECT id FROM item ORDER BY id;
RESET softdelete.include_deleted;

-- a fresh 1.5 install has the same objects as 1.4 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS access_cols
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.access'::regclass AND a.attnum > 0 \gset
SELECT array_agg(c.relname::text ORDER BY c.relname) AS config
  FROM pg_extension e, unnest(e.extconfig) t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'softdelete' \gset
\c :regress_db
CREATE DATABASE sd_fresh15;
\c sd_fresh15
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.5';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_view;
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) = :'access_cols' AS same_access
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.access'::regclass AND a.attnum > 0;
SELECT array_agg(c.relname::text ORDER BY c.relname) = :'config' AS same_config
  FROM pg_extension e, unnest(e.extconfig) t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'softdelete';
\c :regress_db
DROP DATABASE sd_upgrade15;
DROP DATABASE sd_fresh15;
DROP ROLE up15_reader, up15_deleter, up15_nobody;
