-- ALTER EXTENSION softdelete UPDATE from 1.1 to 1.2: tables enabled under
-- 1.1 (timestamp and boolean flags, archive mode) keep working with the new
-- library before the update and after it; 1.2 adds flag_type to the view
-- and describes the functions.
-- the database pg_regress runs in, to come back to
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade12;
\c sd_upgrade12
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.1';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';

CREATE TABLE author (id int PRIMARY KEY, name text);
CREATE TABLE post (id int PRIMARY KEY, author_id int REFERENCES author ON DELETE CASCADE,
                   is_deleted boolean NOT NULL DEFAULT false);
CREATE TABLE ledger (id int PRIMARY KEY, amount int);
INSERT INTO author VALUES (1, 'a'), (2, 'b');
INSERT INTO post VALUES (10, 1), (11, 1), (20, 2);
INSERT INTO ledger VALUES (1, 100), (2, 200);
SELECT softdelete.enable('post', 'is_deleted');
SELECT softdelete.enable('author');
SELECT softdelete.enable_archive('ledger')::text;
DELETE FROM author WHERE id = 1;
DELETE FROM ledger WHERE id = 1;

-- the new library, the 1.1 SQL objects: the view has no flag_type yet
SELECT * FROM softdelete.tables WHERE false;
SELECT a.id, p.id, p.is_deleted FROM author a LEFT JOIN post p ON p.author_id = a.id ORDER BY 1, 2;
SET softdelete.include_deleted = 'only';
SELECT id, is_deleted FROM post ORDER BY id;
RESET softdelete.include_deleted;

ALTER EXTENSION softdelete UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';

-- everything still works, and what 1.2 added
SELECT table_name, mode, column_name, archive, versions, flag_type
  FROM softdelete.tables ORDER BY table_name::text;
SELECT p.proname, d.description IS NOT NULL AS described
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace AND p.proname IN ('enable', 'restore', 'purge')
 ORDER BY 1;
SELECT softdelete.restore('author', 'id = 1');
SELECT id, is_deleted FROM post ORDER BY id;
DELETE FROM post WHERE id = 20;
SET softdelete.include_deleted = 'only';
SELECT id, is_deleted FROM post ORDER BY id;
RESET softdelete.include_deleted;
SELECT softdelete.purge('post');
SELECT softdelete.restore('ledger', 'id = 1');
SELECT id, amount FROM ledger ORDER BY id;

-- a fresh 1.2 install has the same view and descriptions as 1.1 updated
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'softdelete' AND table_name = 'tables' ORDER BY ordinal_position;
SELECT md5(string_agg(d.description, '|' ORDER BY p.proname)) AS descriptions
  FROM pg_proc p JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
\c :regress_db
CREATE DATABASE sd_fresh12;
\c sd_fresh12
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.2';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'softdelete' AND table_name = 'tables' ORDER BY ordinal_position;
SELECT md5(string_agg(d.description, '|' ORDER BY p.proname)) AS descriptions
  FROM pg_proc p JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
\c :regress_db
DROP DATABASE sd_upgrade12;
DROP DATABASE sd_fresh12;
