-- Who deleted a row (1.6): softdelete.actor (empty: the session's role),
-- written by every soft delete into the column enable(…, deleted_by => …)
-- names, cascades included, in the same write; cleared by restore.
SET client_min_messages = warning;
CREATE ROLE db_app;
RESET client_min_messages;
CREATE SCHEMA db AUTHORIZATION db_app;
SET search_path = db, public;
SET ROLE db_app;
CREATE TABLE author (id int PRIMARY KEY, name text);
CREATE TABLE post (id int PRIMARY KEY, author_id int REFERENCES author ON DELETE CASCADE, title text);
INSERT INTO author VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');
INSERT INTO post VALUES (10, 1, 'a1'), (11, 1, 'a2'), (20, 2, 'b1');
SELECT softdelete.enable('author', deleted_by => 'deleted_by');   -- added, as text
SELECT softdelete.enable('post', deleted_by => 'removed_by');
SELECT table_name, column_name, deleted_by FROM softdelete.tables ORDER BY table_name::text;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'author'::regclass AND attname = 'deleted_by';

-- the application's user, and the cascade records it too
SET softdelete.actor = 'user:42';
SELECT softdelete.actor();
DELETE FROM author WHERE id = 1;
-- empty: the session's role
RESET softdelete.actor;
SELECT softdelete.actor();
DELETE FROM author WHERE id = 2;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM author ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted, removed_by FROM post ORDER BY id;
RESET softdelete.include_deleted;

-- restore clears it, and its cascade too
SELECT softdelete.restore('author', 'id = 1');
SET softdelete.include_deleted = on;
SELECT id, deleted_by FROM author ORDER BY id;
SELECT id, removed_by FROM post ORDER BY id;
-- an UPDATE that writes the flag: the actor where it deletes, NULL where
-- it restores; one that writes the column itself keeps what it writes
SET softdelete.actor = 'orm';
UPDATE author SET deleted_at = now() WHERE id = 3;
UPDATE author SET deleted_at = NULL WHERE id = 2;
UPDATE post SET deleted_at = now(), removed_by = 'by hand' WHERE id = 10;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM author ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted, removed_by FROM post ORDER BY id;
RESET softdelete.include_deleted;

-- prepared statements write the actor set when they run
PREPARE del(int) AS DELETE FROM post WHERE id = $1;
SET softdelete.actor = 'first';
EXECUTE del(11);
SET softdelete.actor = 'second';
INSERT INTO post VALUES (12, 1, 'a3');
EXECUTE del(12);
DEALLOCATE del;
-- MERGE's DELETE
SET softdelete.actor = 'merge';
INSERT INTO post VALUES (13, 1, 'a4');
MERGE INTO post p USING (VALUES (13)) v(id) ON p.id = v.id WHEN MATCHED THEN DELETE;
-- (1.7) an upsert and MERGE's UPDATE that write the flag record the actor too
SET softdelete.actor = 'upsert';
INSERT INTO post VALUES (14, 1, 'a5'), (15, 1, 'a6');
INSERT INTO post VALUES (14, 1, 'a5') ON CONFLICT (id) DO UPDATE SET deleted_at = now();
SET softdelete.actor = 'merge update';
MERGE INTO post p USING (VALUES (15)) v(id) ON p.id = v.id
 WHEN MATCHED THEN UPDATE SET deleted_at = now();
SET softdelete.include_deleted = on;
SELECT id, removed_by FROM post WHERE id >= 11 ORDER BY id;
RESET softdelete.include_deleted;
RESET softdelete.actor;

-- a boolean flag, an adopted column of another type (Laravel-Userstamps'
-- deleted_by is a user's id): the actor converts, or the delete fails
CREATE TABLE note (id int PRIMARY KEY, is_deleted boolean NOT NULL DEFAULT false, deleted_by bigint);
INSERT INTO note VALUES (1), (2);
SELECT softdelete.enable('note', 'is_deleted', deleted_by => 'deleted_by');
SET softdelete.actor = '42';
DELETE FROM note WHERE id = 1;
SET softdelete.actor = 'user:42';
DELETE FROM note WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.actor;
SET softdelete.include_deleted = on;
SELECT * FROM note ORDER BY id;
RESET softdelete.include_deleted;

-- enable again with deleted_by on a table enabled without it
CREATE TABLE tag (id int PRIMARY KEY);
INSERT INTO tag VALUES (1);
SELECT softdelete.enable('tag');
SELECT softdelete.enable('tag', deleted_by => 'deleted_by');
DELETE FROM tag;
SET softdelete.include_deleted = on;
SELECT id, deleted_by FROM tag;
RESET softdelete.include_deleted;

-- the TRUNCATE guard carries the registration (a restore of part of a
-- dump registers the table from it), the column included
SELECT encode(tgargs, 'escape') FROM pg_trigger
 WHERE tgrelid = 'author'::regclass AND tgname = 'softdelete_guard_truncate';
-- the column is followed when renamed, and cannot be dropped
ALTER TABLE author RENAME COLUMN deleted_by TO gone_by;
SELECT deleted_by FROM softdelete.tables WHERE table_name = 'author'::regclass;
SELECT encode(tgargs, 'escape') FROM pg_trigger
 WHERE tgrelid = 'author'::regclass AND tgname = 'softdelete_guard_truncate';
DELETE FROM author WHERE id = 1;
SET softdelete.include_deleted = on;
SELECT id, gone_by FROM author WHERE id = 1;
RESET softdelete.include_deleted;
ALTER TABLE author DROP COLUMN gone_by;
\echo :LAST_ERROR_SQLSTATE

-- a table restored from part of a dump registers itself from its guard,
-- with the column that records who deleted (pg_restore's CREATE TRIGGER)
CREATE TABLE came (id int PRIMARY KEY, deleted_at timestamptz, deleted_by text);
INSERT INTO came VALUES (1, NULL, NULL), (2, now(), 'user:9');
CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON came
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard('flag', 'deleted_at', 'deleted_by');
SELECT table_name, column_name, deleted_by FROM softdelete.tables WHERE table_name = 'came'::regclass;
DELETE FROM came WHERE id = 1;
SET softdelete.include_deleted = on;
SELECT id, deleted_by FROM came ORDER BY id;
RESET softdelete.include_deleted;
-- renaming the flag column: the guard follows too
ALTER TABLE came RENAME COLUMN deleted_at TO removed_at;
SELECT encode(tgargs, 'escape') FROM pg_trigger
 WHERE tgrelid = 'came'::regclass AND tgname = 'softdelete_guard_truncate';

-- bad input
SELECT softdelete.enable('tag', deleted_by => 'deleted_at');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE gen (id int PRIMARY KEY, who text GENERATED ALWAYS AS ('x') STORED);
SELECT softdelete.enable('gen', deleted_by => 'who');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('gen', deleted_by => 'ctid');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM softdelete.tables WHERE table_name = 'gen'::regclass;

-- archive mode: archived_by is the actor
CREATE TABLE ledger (id int PRIMARY KEY);
INSERT INTO ledger VALUES (1), (2);
SELECT softdelete.enable_archive('ledger')::text;
SET softdelete.actor = 'user:7';
DELETE FROM ledger WHERE id = 1;
RESET softdelete.actor;
DELETE FROM ledger WHERE id = 2;
SELECT id, archived_by FROM ledger_archive ORDER BY id;

-- inside a SECURITY DEFINER function the actor is still who asked
RESET ROLE;
CREATE FUNCTION db.drop_tag(i int) RETURNS void LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog AS 'DELETE FROM db.tag WHERE id = i';
INSERT INTO db.tag VALUES (2);
SET ROLE db_app;
SELECT db.drop_tag(2);
SET softdelete.include_deleted = on;
SELECT id, deleted_by FROM tag ORDER BY id;
RESET softdelete.include_deleted;
RESET ROLE;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA db CASCADE;
DROP ROLE db_app;
RESET client_min_messages;
