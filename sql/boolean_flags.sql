-- Boolean flags, adopted as they are (the Flask and SQLAlchemy seeds'
-- "deleted" / "is_deleted boolean DEFAULT false"): true is deleted, false
-- and NULL are live.  The filter is the qual the application's own partial
-- indexes say: "NOT flag" for a NOT NULL column, "flag IS NOT TRUE" for a
-- nullable one; a query that still carries its own filter, in any spelling,
-- gets nothing added.
\i sql/include/mismatches.sql
CREATE TABLE bf_post (id int PRIMARY KEY, title text, is_deleted boolean NOT NULL DEFAULT false);
CREATE TABLE bf_note (id int PRIMARY KEY, post_id int, body text, deleted boolean);
INSERT INTO bf_post SELECT g, 't' || g, g % 10 = 0 FROM generate_series(1, 2000) g;
INSERT INTO bf_note SELECT g, g % 200, 'b' || g,
       CASE g % 3 WHEN 0 THEN true WHEN 1 THEN false END FROM generate_series(1, 3000) g;
CREATE INDEX bf_post_live ON bf_post (title) WHERE NOT is_deleted;
CREATE INDEX bf_note_live ON bf_note (body) WHERE deleted IS NOT TRUE;
-- the same data without softdelete, to compare plans and answers
CREATE TABLE bf_post_plain AS SELECT * FROM bf_post;
CREATE TABLE bf_note_plain AS SELECT * FROM bf_note;
ALTER TABLE bf_post_plain ADD PRIMARY KEY (id);
ALTER TABLE bf_note_plain ADD PRIMARY KEY (id);
CREATE INDEX bf_post_plain_live ON bf_post_plain (title) WHERE is_deleted = false;
CREATE INDEX bf_note_plain_live ON bf_note_plain (body) WHERE deleted IS NOT TRUE;
ANALYZE bf_post, bf_note, bf_post_plain, bf_note_plain;
SELECT softdelete.enable('bf_post', 'is_deleted');
SELECT softdelete.enable('bf_note', 'deleted');
SELECT table_name, column_name FROM softdelete.tables WHERE table_name::text LIKE 'bf_%' ORDER BY 1;

-- rows already true are deleted rows from the start; NULL is live
SELECT count(*) FROM bf_post;
SELECT count(*) FILTER (WHERE deleted IS NULL) AS null_live, count(*) FROM bf_note;

-- the filter, and the application's partial index serving it
EXPLAIN (COSTS OFF) SELECT * FROM bf_post WHERE title = 't5';
EXPLAIN (COSTS OFF) SELECT * FROM bf_note WHERE body = 'b5';
-- as written by hand on the plain copy: the same plans
EXPLAIN (COSTS OFF) SELECT * FROM bf_post_plain WHERE title = 't5' AND NOT is_deleted;
EXPLAIN (COSTS OFF) SELECT * FROM bf_note_plain WHERE body = 'b5' AND deleted IS NOT TRUE;

-- the application's own filter, in each spelling: nothing is added
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE is_deleted = false AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE NOT is_deleted AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE false = is_deleted AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE is_deleted <> true AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted = false AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted IS NOT TRUE AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted IS FALSE AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE NOT deleted AND id < 5;
-- (on a NOT NULL column newer majors read "IS FALSE" and "IS NOT
-- TRUE" as "NOT flag" themselves; they are the application's filter on every
-- major: the answers show it)
SELECT count(*) FROM bf_post WHERE is_deleted IS FALSE;
SELECT count(*) FROM bf_post WHERE is_deleted IS NOT TRUE;
-- not a filter of live rows: the filter is still added
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted IS NOT FALSE AND id < 5;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted OR id < 5;
-- answers unchanged by the application's own filter
SELECT count(*) FROM bf_post WHERE is_deleted = false;
SELECT count(*) FROM bf_note WHERE deleted IS FALSE;
SELECT count(*) FROM bf_note WHERE NOT deleted;

-- outer joins: the nullable side's filter goes into the ON clause
EXPLAIN (COSTS OFF)
SELECT p.id, n.id FROM bf_post p LEFT JOIN bf_note n ON n.post_id = p.id;
SELECT mismatches(
  $$SELECT p.id, n.id FROM bf_post p LEFT JOIN bf_note n ON n.post_id = p.id$$,
  $$SELECT p.id, n.id FROM bf_post p LEFT JOIN bf_note n ON n.post_id = p.id AND n.deleted IS NOT TRUE
     WHERE NOT p.is_deleted$$);
SELECT mismatches(
  $$SELECT p.id, n.id FROM bf_post p FULL JOIN bf_note n ON n.post_id = p.id$$,
  $$SELECT p.id, n.id FROM (SELECT * FROM bf_post WHERE NOT is_deleted) p
      FULL JOIN (SELECT * FROM bf_note WHERE deleted IS NOT TRUE) n ON n.post_id = p.id$$);
SELECT mismatches(
  $$SELECT n.id FROM bf_note n WHERE EXISTS (SELECT 1 FROM bf_post p WHERE p.id = n.post_id)$$,
  $$SELECT n.id FROM bf_note n WHERE n.deleted IS NOT TRUE
      AND EXISTS (SELECT 1 FROM bf_post p WHERE p.id = n.post_id AND NOT p.is_deleted)$$);

-- DELETE sets the flag to true, in every DML form; RETURNING shows it
BEGIN;
DELETE FROM bf_note WHERE id = 1 RETURNING id, deleted;
DELETE FROM bf_note n USING bf_post p WHERE n.post_id = p.id AND p.id = 2 RETURNING n.id, n.deleted;
MERGE INTO bf_note n USING (VALUES (4)) v(id) ON n.id = v.id WHEN MATCHED THEN DELETE;
WITH d AS (DELETE FROM bf_post WHERE id = 1 RETURNING *) SELECT id, is_deleted FROM d;
SET LOCAL softdelete.include_deleted = on;
SELECT id, deleted FROM bf_note WHERE id IN (1, 2, 4, 202) ORDER BY id;
SELECT id, is_deleted FROM bf_post WHERE id = 1;
-- a DELETE of rows already deleted leaves them deleted
DELETE FROM bf_post WHERE id IN (1, 10);
SELECT id, is_deleted FROM bf_post WHERE id IN (1, 10) ORDER BY id;
ROLLBACK;

-- include_deleted = 'only': the deleted rows, with the same placement
SET softdelete.include_deleted = 'only';
SELECT count(*) FROM bf_post;
SELECT count(*) FROM bf_note;
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE id < 100;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE id < 100;
-- the application's own "deleted" filter is that already
EXPLAIN (COSTS OFF) SELECT id FROM bf_post WHERE is_deleted AND id < 100;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE deleted = true AND id < 100;
EXPLAIN (COSTS OFF)
SELECT p.id, n.id FROM bf_post p LEFT JOIN bf_note n ON n.post_id = p.id;
RESET softdelete.include_deleted;

-- restore sets the flag back to false (NULL stays NULL: it was live)
BEGIN;
SELECT softdelete.restore('bf_note', 'id <= 6');
SELECT id, deleted FROM bf_note WHERE id <= 6 ORDER BY id;
SELECT softdelete.restore('bf_post');
SELECT count(*) FROM bf_post;
ROLLBACK;

-- purge: a boolean carries no time; every deleted row, or a refusal
BEGIN;
SELECT softdelete.purge('bf_note', '1 day');
ROLLBACK;
BEGIN;
SELECT softdelete.purge('bf_note');
SET LOCAL softdelete.include_deleted = on;
SELECT count(*) FILTER (WHERE deleted) AS deleted_left, count(*) FROM bf_note;
ROLLBACK;

-- unique keys over live rows: the same qual as the filter, so ON CONFLICT
-- finds the index
CREATE TABLE bf_user (id int PRIMARY KEY, email text UNIQUE, removed boolean NOT NULL DEFAULT false);
CREATE TABLE bf_tag (id int PRIMARY KEY, name text UNIQUE, removed boolean);
SELECT softdelete.enable('bf_user', 'removed', replace_unique => true);
SELECT softdelete.enable('bf_tag', 'removed', replace_unique => true);
SELECT indexdef FROM pg_indexes WHERE tablename IN ('bf_user', 'bf_tag') AND indexname LIKE '%_key' ORDER BY 1;
INSERT INTO bf_user VALUES (1, 'a@x'), (2, 'b@x');
INSERT INTO bf_tag VALUES (1, 'red', NULL), (2, 'blue', false);
DELETE FROM bf_user WHERE id = 1;
DELETE FROM bf_tag WHERE id = 1;
INSERT INTO bf_user VALUES (3, 'a@x');
INSERT INTO bf_tag VALUES (3, 'red');
INSERT INTO bf_user VALUES (4, 'b@x') ON CONFLICT (email) DO UPDATE SET id = 40;
INSERT INTO bf_tag VALUES (4, 'blue') ON CONFLICT (name) DO NOTHING;
SELECT * FROM bf_user ORDER BY id;
SELECT * FROM bf_tag ORDER BY id;
-- the restore of a key taken meanwhile fails and changes nothing
SELECT softdelete.restore('bf_user', 'id = 1');

-- foreign keys: cascades and restore cascades.  A boolean cannot tell which
-- children went with their parent: restoring a parent brings back every
-- deleted child that references it through an ON DELETE CASCADE key (and,
-- in archive mode, every archived child with its key).
CREATE TABLE bf_author (id int PRIMARY KEY, gone boolean NOT NULL DEFAULT false);
CREATE TABLE bf_book (id int PRIMARY KEY, author_id int REFERENCES bf_author ON DELETE CASCADE,
                      gone boolean NOT NULL DEFAULT false);
CREATE TABLE bf_review (id int PRIMARY KEY, book_id int REFERENCES bf_book ON DELETE CASCADE,
                        deleted_at timestamptz);
CREATE TABLE bf_sale (id int PRIMARY KEY, book_id int REFERENCES bf_book ON DELETE CASCADE);
INSERT INTO bf_author VALUES (1), (2);
INSERT INTO bf_book VALUES (10, 1), (11, 1), (12, 1), (20, 2);
INSERT INTO bf_review VALUES (100, 10), (101, 10), (110, 11), (200, 20);
INSERT INTO bf_sale VALUES (1000, 10), (1100, 11), (2000, 20);
SELECT softdelete.enable_archive('bf_sale')::text;
SELECT softdelete.enable('bf_review');
SELECT softdelete.enable('bf_book', 'gone');
SELECT softdelete.enable('bf_author', 'gone');
-- book 12 is deleted on its own first
DELETE FROM bf_book WHERE id = 12;
DELETE FROM bf_author WHERE id = 1;
SELECT id FROM bf_book ORDER BY id;
SELECT id FROM bf_review ORDER BY id;
SELECT id FROM bf_sale ORDER BY id;
SELECT id, book_id FROM bf_sale_archive ORDER BY id;
-- a timestamp child of a boolean parent keeps the parent's transaction stamp
SET softdelete.include_deleted = on;
SELECT count(DISTINCT deleted_at) AS stamps FROM bf_review WHERE deleted_at IS NOT NULL;
RESET softdelete.include_deleted;
-- a new reference to a deleted parent is refused
INSERT INTO bf_book VALUES (13, 1);
SELECT softdelete.restore('bf_author', 'id = 1');
-- every book of author 1 is back (12 too: it cannot be told apart), and
-- their reviews and sales
SELECT id FROM bf_book ORDER BY id;
SELECT id FROM bf_review ORDER BY id;
SELECT id FROM bf_sale ORDER BY id;
-- RESTRICT
CREATE TABLE bf_shelf (id int PRIMARY KEY, off boolean NOT NULL DEFAULT false);
CREATE TABLE bf_slot (id int PRIMARY KEY, shelf_id int REFERENCES bf_shelf ON DELETE RESTRICT);
INSERT INTO bf_shelf VALUES (1), (2);
INSERT INTO bf_slot VALUES (1, 1);
SELECT softdelete.enable('bf_shelf', 'off');
-- (23503 up to 17, 23001 from 18 on, as core's own RESTRICT)
DO $$
BEGIN
	DELETE FROM bf_shelf WHERE id = 1;
	RAISE NOTICE 'not refused';
EXCEPTION WHEN foreign_key_violation OR restrict_violation THEN
	RAISE NOTICE 'refused';
END $$;
DELETE FROM bf_shelf WHERE id = 2;
SELECT id FROM bf_shelf;

-- partitions, and the "deleted rows go to a cold partition" pattern
CREATE TABLE bf_event (id int, kind int, removed boolean NOT NULL DEFAULT false) PARTITION BY LIST (kind);
CREATE TABLE bf_event_1 PARTITION OF bf_event FOR VALUES IN (1);
CREATE TABLE bf_event_2 PARTITION OF bf_event FOR VALUES IN (2);
INSERT INTO bf_event VALUES (1, 1, false), (2, 2, false), (3, 2, true);
SELECT softdelete.enable('bf_event', 'removed');
SELECT id FROM bf_event ORDER BY id;
SELECT id FROM bf_event_2 ORDER BY id;
DELETE FROM bf_event_2 WHERE id = 2;
UPDATE bf_event SET kind = 2 WHERE id = 1;
SELECT tableoid::regclass, id FROM bf_event ORDER BY id;
CREATE TABLE bf_cold (id int, removed boolean NOT NULL DEFAULT false) PARTITION BY LIST (removed);
CREATE TABLE bf_cold_live PARTITION OF bf_cold FOR VALUES IN (false);
CREATE TABLE bf_cold_gone PARTITION OF bf_cold FOR VALUES IN (true);
INSERT INTO bf_cold VALUES (1), (2);
SELECT softdelete.enable('bf_cold', 'removed');
DELETE FROM bf_cold WHERE id = 1;
SELECT id FROM bf_cold;
SET softdelete.include_deleted = on;
SELECT tableoid::regclass, id, removed FROM bf_cold ORDER BY id;
RESET softdelete.include_deleted;
SELECT softdelete.restore('bf_cold');
SELECT tableoid::regclass, id, removed FROM bf_cold ORDER BY id;

-- the flag's column: SET and DROP NOT NULL are allowed, a type change is not
ALTER TABLE bf_note ALTER COLUMN deleted SET DEFAULT false;
UPDATE bf_note SET deleted = false WHERE id = 2 AND deleted IS NULL;
SET softdelete.include_deleted = on;
UPDATE bf_note SET deleted = false WHERE deleted IS NULL;
RESET softdelete.include_deleted;
ALTER TABLE bf_note ALTER COLUMN deleted SET NOT NULL;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE id < 5;
ALTER TABLE bf_note ALTER COLUMN deleted DROP NOT NULL;
EXPLAIN (COSTS OFF) SELECT id FROM bf_note WHERE id < 5;
\set VERBOSITY terse
ALTER TABLE bf_note ALTER COLUMN deleted TYPE timestamptz USING CASE WHEN deleted THEN now() END;
ALTER TABLE bf_note ALTER COLUMN deleted TYPE int USING deleted::int;
-- bad input: other types, a generated boolean, a NOT NULL timestamp
CREATE TABLE bf_bad (id int, n int, g boolean GENERATED ALWAYS AS (n > 0) STORED,
                     ts timestamptz NOT NULL DEFAULT now());
SELECT softdelete.enable('bf_bad', 'n');
SELECT softdelete.enable('bf_bad', 'g');
SELECT softdelete.enable('bf_bad', 'ts');
\set VERBOSITY default
-- the switch to archive mode: disable (every row shows again), enable
-- archive mode, then DELETE the rows the flag marked: they move to the
-- archive, and restore brings them back from there
DROP TABLE bf_slot, bf_shelf, bf_sale, bf_sale_archive, bf_review, bf_book, bf_author,
  bf_event, bf_cold, bf_user, bf_tag, bf_bad, bf_post_plain, bf_note_plain;
SELECT softdelete.disable('bf_note');
SELECT count(*) FROM bf_note;
SELECT softdelete.enable_archive('bf_note')::text;
DELETE FROM bf_note WHERE deleted;
SELECT count(*) AS live, (SELECT count(*) FROM bf_note_archive) AS archived FROM bf_note;
SELECT softdelete.restore('bf_note', 'id = 3');
SELECT id, deleted FROM bf_note WHERE id = 3;
-- and back to flag mode: the archive stays an ordinary table
SELECT softdelete.disable('bf_note');
SELECT softdelete.enable('bf_note', 'deleted');
SELECT count(*) FROM bf_note;
DROP TABLE bf_post, bf_note, bf_note_archive;
DROP FUNCTION mismatches(text, text);

-- the hint names the table so that the call it suggests works as typed
CREATE SCHEMA "BF Schema";
CREATE TABLE "BF Schema"."x%sx" (id int PRIMARY KEY, gone boolean NOT NULL DEFAULT false);
SELECT softdelete.enable('"BF Schema"."x%sx"', 'gone');
SELECT softdelete.purge('"BF Schema"."x%sx"', '1 day');
SELECT softdelete.purge('"BF Schema"."x%sx"');
DROP SCHEMA "BF Schema" CASCADE;
