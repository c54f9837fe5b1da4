-- ALTER EXTENSION softdelete UPDATE from 1.6 to 1.7: which transaction
-- deleted what, who and why; undo and trash.  Under the new library a
-- database at 1.6 soft-deletes as before (no log, no counting); the update
-- adds the log, softdelete.undo() and softdelete.trash, and deletes made
-- after it can be undone while those made before cannot.
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade17;
\c sd_upgrade17
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.6';
RESET client_min_messages;
CREATE TABLE item (id int PRIMARY KEY);
CREATE TABLE part (id int PRIMARY KEY, item int REFERENCES item ON DELETE CASCADE,
				   gone boolean NOT NULL DEFAULT false);
CREATE TABLE note (id int PRIMARY KEY, part int REFERENCES part ON DELETE CASCADE);
INSERT INTO item VALUES (1), (2), (3);
INSERT INTO part VALUES (10, 1), (20, 2), (30, 3);
INSERT INTO note VALUES (100, 10), (200, 20), (300, 30);
SELECT softdelete.enable_archive('note');
SELECT softdelete.enable('part', 'gone');
SELECT softdelete.enable('item', deleted_by => 'deleted_by');
SET softdelete.reason = 'before';
BEGIN;
DELETE FROM item WHERE id = 1;
SELECT pg_current_xact_id() AS before \gset
COMMIT;
SELECT id FROM item ORDER BY id;

SET client_min_messages = warning;
ALTER EXTENSION softdelete UPDATE TO '1.7';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SET softdelete.reason = 'after';
BEGIN;
DELETE FROM item WHERE id = 2;
SELECT pg_current_xact_id() AS after \gset
COMMIT;
SELECT id FROM item ORDER BY id;
SELECT table_name, key, reason, xid = :'after' AS after
  FROM softdelete.trash ORDER BY table_name::text, key::text;
-- the archive made under 1.6 records the reason from now on
SELECT id, archive_op, archived_reason FROM note_archive ORDER BY archive_id;
SELECT * FROM softdelete.undo(:'after');
SELECT id FROM item ORDER BY id;
SELECT set_config('sd_test.before', :'before', false) IS NOT NULL AS noted;
DO $$ BEGIN PERFORM softdelete.undo(current_setting('sd_test.before')::xid8);
EXCEPTION WHEN no_data_found THEN RAISE NOTICE 'before the update: %', SQLSTATE; END $$;
SELECT softdelete.restore('item');
SELECT id FROM item ORDER BY id;
SELECT id FROM part ORDER BY id;
SELECT id FROM note ORDER BY id;
RESET softdelete.reason;

-- a fresh 1.7 install has the same objects as 1.6 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS log_cols
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.deletions'::regclass AND a.attnum > 0 AND NOT a.attisdropped \gset
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) AS acls
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace \gset
SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) AS triggers
  FROM pg_trigger WHERE tgrelid = 'softdelete.deletions'::regclass \gset
SELECT array_length(extconfig, 1) AS config_tables FROM pg_extension WHERE extname = 'softdelete' \gset
\c :regress_db
CREATE DATABASE sd_fresh17;
\c sd_fresh17
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.7';
RESET client_min_messages;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.trash'::regclass) || pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_views;
SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) = :'log_cols' AS same_log
  FROM pg_attribute a WHERE a.attrelid = 'softdelete.deletions'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
SELECT string_agg(c.relname || ':' || coalesce(array_to_string(c.relacl, ','), ''), ' ' ORDER BY c.relname) = :'acls' AS same_privileges
  FROM pg_class c WHERE c.relnamespace = 'softdelete'::regnamespace;
SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) = :'triggers' AS same_triggers
  FROM pg_trigger WHERE tgrelid = 'softdelete.deletions'::regclass;
SELECT array_length(extconfig, 1) = :config_tables AS same_config_tables FROM pg_extension WHERE extname = 'softdelete';
\c :regress_db
DROP DATABASE sd_upgrade17;
DROP DATABASE sd_fresh17;
