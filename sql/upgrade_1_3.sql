-- ALTER EXTENSION softdelete UPDATE from 1.2 to 1.3: tables enabled under
-- 1.2 (flag mode with a foreign key, archive mode with versions) keep
-- working with the new library before the update and after it; the new
-- library's softdelete.as_of works before the update (it is the library's);
-- 1.3 adds retention (the registry's column, the view's, set_retention,
-- purge_expired) and makes as_of() ignore the setting.
-- the database pg_regress runs in, to come back to
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade13;
\c sd_upgrade13
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.2';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SET TimeZone = 'UTC';
CREATE TABLE author (id int PRIMARY KEY, name text);
CREATE TABLE post (id int PRIMARY KEY, author_id int REFERENCES author ON DELETE CASCADE,
                   deleted_at timestamptz);
CREATE TABLE account (id int PRIMARY KEY, balance int);
INSERT INTO author VALUES (1, 'a'), (2, 'b');
INSERT INTO post VALUES (10, 1), (11, 1), (20, 2);
INSERT INTO account VALUES (1, 100), (2, 200);
SELECT softdelete.enable('post');
SELECT softdelete.enable('author');
SELECT softdelete.enable_archive('account', versions => true)::text;
SELECT now() AS before_changes \gset
SELECT pg_sleep(0.01);
DELETE FROM author WHERE id = 1;
UPDATE account SET balance = balance + 1;
DELETE FROM account WHERE id = 2;

-- the new library, the 1.2 SQL objects
SELECT * FROM softdelete.tables WHERE false;
SELECT a.id, p.id FROM author a LEFT JOIN post p ON p.author_id = a.id ORDER BY 1, 2;
SET softdelete.as_of = :'before_changes';
SELECT a.id, p.id FROM author a LEFT JOIN post p ON p.author_id = a.id ORDER BY 1, 2;
SELECT id, balance FROM account ORDER BY id;
RESET softdelete.as_of;

ALTER EXTENSION softdelete UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';

-- everything still works, and what 1.3 added
SELECT table_name, mode, column_name, flag_type, retention
  FROM softdelete.tables ORDER BY table_name::text;
SELECT softdelete.restore('author', 'id = 1');
SELECT a.id, p.id FROM author a LEFT JOIN post p ON p.author_id = a.id ORDER BY 1, 2;
DELETE FROM post WHERE id = 20;
SET softdelete.include_deleted = on;
UPDATE post SET deleted_at = now() - interval '10 days' WHERE id = 20;
RESET softdelete.include_deleted;
UPDATE account_archive SET archived_at = now() - interval '10 days' WHERE archive_op = 'update';
SELECT softdelete.set_retention('post', '1 day');
SELECT softdelete.set_retention('account', '1 day');
SELECT * FROM softdelete.purge_expired();
SELECT id, archive_op FROM account_archive ORDER BY id;
SET softdelete.as_of = :'before_changes';
SELECT count(*) FROM softdelete.as_of(NULL::account, now());
-- the purge took the history of that time: nothing is known of it now
SELECT id, balance FROM account ORDER BY id;
RESET softdelete.as_of;
SELECT softdelete.restore('account', 'id = 2');
SELECT id, balance FROM account ORDER BY id;

-- a fresh 1.3 install has the same objects as 1.2 updated
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'softdelete' AND table_name IN ('tables', 'registry')
 ORDER BY table_name, ordinal_position;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
\c :regress_db
CREATE DATABASE sd_fresh13;
\c sd_fresh13
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.3';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'softdelete' AND table_name IN ('tables', 'registry')
 ORDER BY table_name, ordinal_position;
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_view;
\c :regress_db
DROP DATABASE sd_upgrade13;
DROP DATABASE sd_fresh13;
