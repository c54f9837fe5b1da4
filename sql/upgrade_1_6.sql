-- ALTER EXTENSION softdelete UPDATE from 1.5 to 1.6: who deleted a row.
-- Under the new library a database at 1.5 soft-deletes as before (the
-- registry has no deleted_by yet, enable takes no such argument); the
-- update adds the registry's and the view's column, enable's argument and
-- softdelete.actor(), and tables enabled before take a deleted_by column.
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade16;
\c sd_upgrade16
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.5';
RESET client_min_messages;
CREATE TABLE item (id int PRIMARY KEY);
CREATE TABLE part (id int PRIMARY KEY, item int REFERENCES item ON DELETE CASCADE);
INSERT INTO item VALUES (1), (2), (3);
INSERT INTO part VALUES (10, 1), (20, 2);
SELECT softdelete.enable('part'), softdelete.enable('item');
SET softdelete.actor = 'user:1';
DELETE FROM item WHERE id = 1;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM item ORDER BY id;
RESET softdelete.include_deleted;

SET client_min_messages = warning;
ALTER EXTENSION softdelete UPDATE TO '1.6';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT table_name, deleted_by FROM softdelete.tables ORDER BY table_name::text;
SELECT softdelete.enable('item', deleted_by => 'deleted_by');
SELECT softdelete.enable('part', deleted_by => 'deleted_by');
SET softdelete.actor = 'user:2';
DELETE FROM item WHERE id = 2;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM item ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM part ORDER BY id;
RESET softdelete.include_deleted;
SELECT softdelete.restore('item');
SET softdelete.include_deleted = on;
SELECT id, deleted_by FROM item ORDER BY id;
RESET softdelete.include_deleted;
RESET softdelete.actor;

-- a fresh 1.6 install has the same objects as 1.5 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS registry_cols
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.registry'::regclass AND a.attnum > 0 AND NOT a.attisdropped \gset
\c :regress_db
CREATE DATABASE sd_fresh16;
\c sd_fresh16
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.6';
RESET client_min_messages;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_view;
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) = :'registry_cols' AS same_registry
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.registry'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
\c :regress_db
DROP DATABASE sd_upgrade16;
DROP DATABASE sd_fresh16;
