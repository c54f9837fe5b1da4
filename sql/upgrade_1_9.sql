-- ALTER EXTENSION softdelete UPDATE from 1.8 to 1.9: the library says its
-- version (softdelete.library_version, read only), and the scripts of 1.9
-- refuse a library older than themselves (a package installed over a
-- running server; scripts/package_test.sh tests that case).  Tables enabled
-- at 1.8 work before and after the update.
SELECT setting = (SELECT default_version FROM pg_available_extensions WHERE name = 'softdelete')
	AS library_is_control_version
  FROM pg_settings WHERE name = 'softdelete.library_version';
SELECT context FROM pg_settings WHERE name = 'softdelete.library_version';
SET softdelete.library_version = '9.9';
SELECT set_config('softdelete.library_version', '9.9', false);
ALTER SYSTEM SET softdelete.library_version = '9.9';
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade19;
\c sd_upgrade19
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.8';
RESET client_min_messages;
CREATE TABLE item (id int PRIMARY KEY, kind int);
CREATE INDEX item_kind ON item (kind);
CREATE TABLE part (id int PRIMARY KEY, item int REFERENCES item ON DELETE CASCADE,
				   gone boolean NOT NULL DEFAULT false);
CREATE TABLE note (id int PRIMARY KEY, body text);
INSERT INTO item SELECT g, g % 3 FROM generate_series(1, 30) g;
INSERT INTO part SELECT g, g FROM generate_series(1, 30) g;
INSERT INTO note VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT softdelete.enable('item', live_indexes => true);
SELECT softdelete.enable('part', 'gone');
SELECT softdelete.enable_archive('note');
BEGIN;
DELETE FROM item WHERE id <= 10;
SELECT pg_current_xact_id() AS before \gset
COMMIT;
DELETE FROM note WHERE id = 1;
SELECT count(*) FROM item;
SELECT count(*) FROM part;
SELECT count(*) FROM note;

SET client_min_messages = warning;
ALTER EXTENSION softdelete UPDATE TO '1.9';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT table_name, mode, live_indexes FROM softdelete.tables ORDER BY 1::text;
SELECT count(*) FROM item;
SELECT count(*) FROM part;
SELECT count(*) FROM note;
-- a delete from before the update is undone after it; restores, deletes,
-- purges and disable work as before
SELECT * FROM softdelete.undo(:'before');
SELECT count(*) FROM item;
SELECT count(*) FROM part;
SELECT softdelete.restore('note', 'id = 1');
DELETE FROM part WHERE id = 5;
SELECT softdelete.purge('part');
SET softdelete.include_deleted = on;
SELECT count(*) FROM part;
RESET softdelete.include_deleted;
SELECT pg_get_indexdef('item_kind'::regclass);
SELECT softdelete.disable('item');
SELECT pg_get_indexdef('item_kind'::regclass);
SELECT count(*) FROM note;

-- a fresh 1.9 install has the same objects as 1.8 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) AS acls
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace \gset
SELECT array_length(extconfig, 1) AS config_tables FROM pg_extension WHERE extname = 'softdelete' \gset
\c :regress_db
CREATE DATABASE sd_fresh19;
\c sd_fresh19
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.9';
RESET client_min_messages;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_views;
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) = :'acls' AS same_privileges
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace;
SELECT array_length(extconfig, 1) = :config_tables AS same_config_tables FROM pg_extension WHERE extname = 'softdelete';
\c :regress_db
DROP DATABASE sd_upgrade19;
DROP DATABASE sd_fresh19;
