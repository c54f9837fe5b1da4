-- ALTER EXTENSION softdelete UPDATE from 1.7 to 1.8: live indexes.  Under
-- the new library a database at 1.7 enables, deletes, undoes and disables
-- as before; the update adds enable's live_indexes, and tables enabled
-- before it can take live indexes after it.
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade18;
\c sd_upgrade18
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.7';
RESET client_min_messages;
CREATE TABLE item (id int PRIMARY KEY, kind int);
CREATE INDEX item_kind ON item (kind);
CREATE TABLE part (id int PRIMARY KEY, item int REFERENCES item ON DELETE CASCADE,
				   gone boolean NOT NULL DEFAULT false);
CREATE INDEX part_item ON part (item);
CREATE TABLE note (id int PRIMARY KEY, body text);
INSERT INTO item SELECT g, g % 3 FROM generate_series(1, 30) g;
INSERT INTO part SELECT g, g FROM generate_series(1, 30) g;
INSERT INTO note VALUES (1, 'a'), (2, 'b');
SELECT softdelete.enable('item', deleted_by => 'deleted_by');
SELECT softdelete.enable('part', 'gone');
SELECT softdelete.enable_archive('note');
-- 1.7's enable has no live_indexes
SELECT count(*) FROM pg_proc
 WHERE oid = 'softdelete.enable'::regproc AND 'live_indexes' = ANY (proargnames);
BEGIN;
DELETE FROM item WHERE id <= 10;
SELECT pg_current_xact_id() AS before \gset
COMMIT;
DELETE FROM note WHERE id = 1;
SELECT count(*) FROM item;
SELECT count(*) FROM part;
SELECT softdelete.disable('note');
SELECT softdelete.enable_archive('note');

SET client_min_messages = warning;
ALTER EXTENSION softdelete UPDATE TO '1.8';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT table_name, mode, live_indexes FROM softdelete.tables ORDER BY 1::text;
-- what was deleted before the update is undone after it
SELECT * FROM softdelete.undo(:'before');
SELECT count(*) FROM item;
SELECT count(*) FROM part;
-- tables enabled before the update take live indexes
SELECT softdelete.enable('item', live_indexes => true);
SELECT softdelete.enable('part', 'gone', live_indexes => true);
SELECT pg_get_indexdef('item_kind'::regclass);
SELECT pg_get_indexdef('part_item'::regclass);
DELETE FROM item WHERE id = 1;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM part WHERE item = 2;
RESET enable_seqscan;
SELECT count(*) FROM item WHERE kind = 1;
SELECT count(*) FROM part;
SELECT softdelete.disable('item');
SELECT pg_get_indexdef('item_kind'::regclass);
SELECT count(*) FROM item;

-- a fresh 1.8 install has the same objects as 1.7 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS registry_cols
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.registry'::regclass AND a.attnum > 0 AND NOT a.attisdropped \gset
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) AS acls
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace \gset
SELECT array_length(extconfig, 1) AS config_tables FROM pg_extension WHERE extname = 'softdelete' \gset
\c :regress_db
CREATE DATABASE sd_fresh18;
\c sd_fresh18
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.8';
RESET client_min_messages;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_views;
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) = :'registry_cols' AS same_registry
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.registry'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) = :'acls' AS same_privileges
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace;
SELECT array_length(extconfig, 1) = :config_tables AS same_config_tables FROM pg_extension WHERE extname = 'softdelete';
\c :regress_db
DROP DATABASE sd_upgrade18;
DROP DATABASE sd_fresh18;
