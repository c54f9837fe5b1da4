-- Archive mode with versions: UPDATE archives the previous image, so the
-- archive holds every past version of a row, in order.
CREATE TABLE av_acct (id int PRIMARY KEY, bal int, note text);
INSERT INTO av_acct VALUES (1, 100, 'a'), (2, 200, 'b'), (3, 300, 'c');
SELECT softdelete.enable_archive('av_acct', versions => true);
-- the live table gained valid_from: when the current version began
\d av_acct
SELECT now() AS t0 \gset
UPDATE av_acct SET bal = bal + 1 WHERE id = 1;
SELECT now() AS t1 \gset
UPDATE av_acct SET bal = bal + 1, note = 'a2' WHERE id = 1;
SELECT now() AS t2 \gset
DELETE FROM av_acct WHERE id = 2;
SELECT now() AS t3 \gset
-- every version in order: the archive's rows, then the live one
SELECT id, bal, note, archive_op FROM av_acct_archive WHERE id = 1 ORDER BY archive_id;
SELECT id, bal, note FROM av_acct WHERE id = 1;
-- an image's valid_from is when it began, archived_at when it ended
SELECT a.archive_id, a.valid_from < a.archived_at AS ordered,
       a.archived_at = lead(a.valid_from) OVER (ORDER BY a.archive_id) AS contiguous
  FROM av_acct_archive a WHERE id = 1 ORDER BY archive_id;
SELECT valid_from = (SELECT max(archived_at) FROM av_acct_archive WHERE id = 1) AS began_then
  FROM av_acct WHERE id = 1;

-- the table as it was
SELECT id, bal, note FROM softdelete.as_of(NULL::av_acct, :'t0') ORDER BY id;
SELECT id, bal, note FROM softdelete.as_of(NULL::av_acct, :'t1') ORDER BY id;
SELECT id, bal, note FROM softdelete.as_of(NULL::av_acct, :'t2') ORDER BY id;
SELECT id, bal, note FROM softdelete.as_of(NULL::av_acct, :'t3') ORDER BY id;
-- before the table was enabled nothing is known: no rows
SELECT count(*) FROM softdelete.as_of(NULL::av_acct, :'t0'::timestamptz - interval '1 day');
-- a row inserted later is not in the past
INSERT INTO av_acct VALUES (4, 400, 'd');
SELECT id FROM softdelete.as_of(NULL::av_acct, :'t3') ORDER BY id;

-- several updates of one row in one transaction: each is a version
BEGIN;
UPDATE av_acct SET bal = 31 WHERE id = 3;
UPDATE av_acct SET bal = 32 WHERE id = 3;
COMMIT;
SELECT id, bal, archive_op FROM av_acct_archive WHERE id = 3 ORDER BY archive_id;
-- an UPDATE that matches nothing archives nothing
UPDATE av_acct SET bal = 0 WHERE id = 99;
-- INSERT ... ON CONFLICT DO UPDATE is an update
INSERT INTO av_acct VALUES (4, 0, 'conflict') ON CONFLICT (id) DO UPDATE SET note = excluded.note;
SELECT id, bal, note, archive_op FROM av_acct_archive WHERE id = 4 ORDER BY archive_id;
-- MERGE: updates and deletes are archived as such
MERGE INTO av_acct a USING (VALUES (3, 'upd'), (4, 'del')) s(id, act) ON a.id = s.id
  WHEN MATCHED AND s.act = 'del' THEN DELETE
  WHEN MATCHED THEN UPDATE SET note = 'merged';
SELECT id, note, archive_op FROM av_acct_archive WHERE id IN (3, 4) ORDER BY archive_id;
-- an UPDATE that a BEFORE trigger cancels is no version
CREATE FUNCTION av_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NULL; END $$;
CREATE TRIGGER av_freeze BEFORE UPDATE ON av_acct FOR EACH ROW
  WHEN (OLD.note = 'frozen') EXECUTE FUNCTION av_freeze();
INSERT INTO av_acct VALUES (5, 5, 'frozen');
UPDATE av_acct SET bal = 6 WHERE id = 5;
SELECT bal FROM av_acct WHERE id = 5;
SELECT count(*) FROM av_acct_archive WHERE id = 5;
DROP TRIGGER av_freeze ON av_acct;
-- a foreign key's ON DELETE SET NULL is an update of the child
CREATE TABLE av_parent (id int PRIMARY KEY);
CREATE TABLE av_child (id int PRIMARY KEY, pid int REFERENCES av_parent ON DELETE SET NULL);
INSERT INTO av_parent VALUES (1);
INSERT INTO av_child VALUES (1, 1);
SELECT softdelete.enable_archive('av_child', versions => true);
DELETE FROM av_parent;
SELECT id, pid, archive_op FROM av_child_archive;
SELECT id, pid FROM av_child;
-- without versions, an UPDATE archives nothing
CREATE TABLE av_plain (id int PRIMARY KEY, v int);
INSERT INTO av_plain VALUES (1, 1);
SELECT softdelete.enable_archive('av_plain');
UPDATE av_plain SET v = 2;
SELECT count(*) FROM av_plain_archive;
SELECT softdelete.as_of(NULL::av_plain, now());
\echo :LAST_ERROR_SQLSTATE
-- an existing valid_from column of type timestamptz is used as it is
CREATE TABLE av_own (id int PRIMARY KEY, valid_from timestamptz DEFAULT now());
SELECT softdelete.enable_archive('av_own', versions => true);
SELECT attname FROM pg_attribute WHERE attrelid = 'av_own'::regclass AND attnum > 0 ORDER BY attnum;

DROP TABLE av_acct, av_child, av_parent, av_plain, av_own;
DROP TABLE av_acct_archive, av_child_archive, av_plain_archive, av_own_archive;
DROP FUNCTION av_freeze();
