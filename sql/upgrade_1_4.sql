-- ALTER EXTENSION softdelete UPDATE from 1.3 to 1.4: tables enabled under
-- 1.3 (flag mode with a foreign key, archive mode with and without
-- versions, an archive whose archive_id values were duplicated by hand)
-- keep working with the new library before the update and after it; the
-- update gives the archives what 1.4 gives new ones: the live table's
-- dependency on its archive (pg_dump's order) and a replica identity, so
-- that restore and purge work under a publication of every table.
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade14;
\c sd_upgrade14
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.3';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
CREATE TABLE author (id int PRIMARY KEY, name text);
CREATE TABLE post (id int PRIMARY KEY, author_id int REFERENCES author ON DELETE CASCADE);
CREATE TABLE account (id int PRIMARY KEY, balance int);
CREATE TABLE note (id int PRIMARY KEY, body text);
INSERT INTO author VALUES (1, 'a'), (2, 'b');
INSERT INTO post VALUES (10, 1), (11, 1), (20, 2);
INSERT INTO account VALUES (1, 100), (2, 200), (3, 300);
INSERT INTO note VALUES (1, 'x'), (2, 'y');
SELECT softdelete.enable('post'), softdelete.enable('author');
SELECT softdelete.enable_archive('account', versions => true)::text;
-- the archive a 1.3 enable_archive made (the new library gives new
-- archives a primary key: take it away, as 1.3 made them)
ALTER TABLE account_archive DROP CONSTRAINT account_archive_pkey;
DELETE FROM pg_depend WHERE objid = 'account'::regclass AND refobjid = 'account_archive'::regclass;
SELECT softdelete.enable_archive('note')::text;
ALTER TABLE note_archive DROP CONSTRAINT note_archive_pkey;
DELETE FROM pg_depend WHERE objid = 'note'::regclass AND refobjid = 'note_archive'::regclass;
DELETE FROM author WHERE id = 1;
UPDATE account SET balance = balance + 1;
DELETE FROM account WHERE id IN (2, 3);
DELETE FROM note;
UPDATE note_archive SET archive_id = 1;		-- by hand: no longer unique
SET client_min_messages = error;
CREATE PUBLICATION everything FOR ALL TABLES;
RESET client_min_messages;
-- under 1.3, the publication stops restore (no replica identity)
SELECT softdelete.restore('account', 'id = 2');

ALTER EXTENSION softdelete UPDATE TO '1.4';
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT c.relname, c.relreplident, i.indexrelid::regclass AS identity
  FROM pg_class c LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
 WHERE c.relname IN ('account_archive', 'note_archive') ORDER BY 1;
SELECT objid::regclass, refobjid::regclass, deptype FROM pg_depend
 WHERE refobjid IN ('account_archive'::regclass, 'note_archive'::regclass)
   AND classid = 'pg_class'::regclass AND objsubid = 0 AND deptype = 'n'
 ORDER BY 1;

-- the tables that reference a flag-mode table carry softdelete_ref (made
-- by the update below 19, where it is inert; by enable on 19)
SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'softdelete_ref' ORDER BY 1;

-- the TRUNCATE guards say how their tables are registered (for a dump of a
-- table alone, whose restore registers it again)
SELECT tgrelid::regclass, encode(tgargs, 'escape') AS args FROM pg_trigger
 WHERE tgname = 'softdelete_guard_truncate' ORDER BY 1;

-- everything works, under the publication too
SELECT softdelete.restore('account', 'id = 2');
SELECT id, balance FROM account ORDER BY id;
SELECT softdelete.purge('account');
SELECT count(*) FROM account_archive;
UPDATE account SET balance = 0 WHERE id = 1;
DELETE FROM account WHERE id = 1;
SELECT id, archive_op FROM account_archive ORDER BY archive_id;
SELECT softdelete.restore('note');
SELECT softdelete.purge('note');
SELECT softdelete.restore('author', 'id = 1');
SELECT a.id, p.id FROM author a LEFT JOIN post p ON p.author_id = a.id ORDER BY 1, 2;
DROP TABLE account_archive;
\echo :LAST_ERROR_SQLSTATE
DROP PUBLICATION everything;

-- a fresh 1.4 install has the same objects as 1.3 updated
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) AS functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace \gset
SELECT pg_get_viewdef('softdelete.tables'::regclass) AS view_def \gset
\c :regress_db
CREATE DATABASE sd_fresh14;
\c sd_fresh14
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.4';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT md5(string_agg(p.proname || ':' || pg_get_functiondef(p.oid) || coalesce(d.description, ''), '|' ORDER BY p.proname)) = :'functions' AS same_functions
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'softdelete'::regnamespace;
SELECT pg_get_viewdef('softdelete.tables'::regclass) = :'view_def' AS same_view;
\c :regress_db
DROP DATABASE sd_upgrade14;
DROP DATABASE sd_fresh14;
