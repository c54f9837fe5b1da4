-- softdelete.include_deleted = 'only': the trash view ("recently deleted",
-- Laravel's onlyTrashed(), paranoia's only_deleted).  Each reference to an
-- enabled table sees only its deleted rows, with the filter in the same
-- place as the live-rows filter (WHERE, inner ON, the nullable side's ON, a
-- subquery for FULL JOIN sides).  The setting still takes on, off and the
-- other spellings of a boolean.
\i sql/include/mismatches.sql
CREATE TABLE io_a (id int PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE io_b (id int PRIMARY KEY, a_id int, deleted_at timestamptz);
INSERT INTO io_a SELECT g, 'a' || g, CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, 30) g;
INSERT INTO io_b SELECT g, g % 30, CASE WHEN g % 4 = 0 THEN now() END FROM generate_series(1, 60) g;
SELECT softdelete.enable('io_a');
SELECT softdelete.enable('io_b');
CREATE VIEW io_v AS SELECT a.id, b.id AS b_id FROM io_a a LEFT JOIN io_b b ON b.a_id = a.id;

-- the spellings
SET softdelete.include_deleted = 'only';
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = ONLY_;
SET softdelete.include_deleted = 'ONLY';
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = true;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = yes;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = 0;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = 1;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = false;
SHOW softdelete.include_deleted;
-- and the prefixes a boolean setting took (t, tr, y, f, n, of, ...)
SET softdelete.include_deleted = t;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = of;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = Y;
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = o;
SELECT set_config('softdelete.include_deleted', 'only', false);
RESET softdelete.include_deleted;

-- placement: the mirror of the live filter
SET softdelete.include_deleted = 'only';
EXPLAIN (COSTS OFF) SELECT * FROM io_a WHERE name LIKE 'a1%';
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM io_a a LEFT JOIN io_b b ON b.a_id = a.id;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM io_a a JOIN io_b b ON b.a_id = a.id;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM io_a a FULL JOIN io_b b ON b.a_id = a.id;
RESET softdelete.include_deleted;

-- answers: what the same queries give by hand with "IS NOT NULL"; the
-- helper runs the first query under the current setting
SET softdelete.include_deleted = 'only';
CREATE FUNCTION io_check(q text, h text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r record; a text[] := '{}'; b text[] := '{}'; n bigint;
BEGIN
	FOR r IN EXECUTE q LOOP a := a || r::text; END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'on', true);
	FOR r IN EXECUTE h LOOP b := b || r::text; END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'only', true);
	SELECT count(*) INTO n FROM ((SELECT unnest(a) EXCEPT ALL SELECT unnest(b))
	  UNION ALL (SELECT unnest(b) EXCEPT ALL SELECT unnest(a))) d;
	RETURN n + abs(cardinality(a) - cardinality(b));
END $$;
SELECT io_check($$SELECT id FROM io_a$$, $$SELECT id FROM io_a WHERE deleted_at IS NOT NULL$$);
SELECT io_check($$SELECT a.id, b.id FROM io_a a LEFT JOIN io_b b ON b.a_id = a.id$$,
  $$SELECT a.id, b.id FROM io_a a LEFT JOIN io_b b ON b.a_id = a.id AND b.deleted_at IS NOT NULL
     WHERE a.deleted_at IS NOT NULL$$);
SELECT io_check($$SELECT a.id, b.id FROM io_a a FULL JOIN io_b b ON b.a_id = a.id$$,
  $$SELECT a.id, b.id FROM (SELECT * FROM io_a WHERE deleted_at IS NOT NULL) a
     FULL JOIN (SELECT * FROM io_b WHERE deleted_at IS NOT NULL) b ON b.a_id = a.id$$);
SELECT io_check($$SELECT * FROM io_v$$,
  $$SELECT a.id, b.id FROM io_a a LEFT JOIN io_b b ON b.a_id = a.id AND b.deleted_at IS NOT NULL
     WHERE a.deleted_at IS NOT NULL$$);
SELECT io_check($$SELECT id FROM io_a a WHERE EXISTS (SELECT 1 FROM io_b b WHERE b.a_id = a.id)$$,
  $$SELECT id FROM io_a a WHERE a.deleted_at IS NOT NULL AND
     EXISTS (SELECT 1 FROM io_b b WHERE b.a_id = a.id AND b.deleted_at IS NOT NULL)$$);
SELECT io_check($$WITH c AS MATERIALIZED (SELECT id FROM io_b) SELECT count(*) FROM c$$,
  $$SELECT count(*) FROM io_b WHERE deleted_at IS NOT NULL$$);
-- a query's own "deleted_at IS NOT NULL" is that filter already
EXPLAIN (COSTS OFF) SELECT id FROM io_a WHERE deleted_at IS NOT NULL;
-- and its own "IS NULL" asks for rows that are live and deleted: none
SELECT count(*) FROM io_a WHERE deleted_at IS NULL;

-- writes reach the deleted rows only: an UPDATE changes them, a DELETE
-- deletes nothing (they are deleted already: DELETE 0, RETURNING nothing)
-- and leaves their stamp, restore brings them back
BEGIN;
UPDATE io_a SET name = name || '!' WHERE id <= 6 RETURNING id, name;
SELECT stamp INTO TEMP io_stamps FROM (SELECT deleted_at AS stamp FROM io_a WHERE id = 3) s;
DELETE FROM io_a WHERE id <= 6 RETURNING id;
SELECT deleted_at = (SELECT stamp FROM io_stamps) AS same_stamp FROM io_a WHERE id = 3;
SELECT softdelete.restore('io_a', 'id = 3');
SELECT count(*) FROM io_a;
ROLLBACK;

-- a prepared statement and a cached plan follow the setting at execution
RESET softdelete.include_deleted;
PREPARE io_count AS SELECT count(*) FROM io_a;
EXECUTE io_count;
SET softdelete.include_deleted = 'only';
EXECUTE io_count;
SET softdelete.include_deleted = on;
EXECUTE io_count;
SET softdelete.include_deleted = off;
EXECUTE io_count;
BEGIN;
SET LOCAL softdelete.include_deleted = 'only';
EXECUTE io_count;
COMMIT;
EXECUTE io_count;
-- per role
CREATE ROLE io_trash_reader;
ALTER ROLE io_trash_reader SET softdelete.include_deleted = 'only';
SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'io_trash_reader'::regrole;
DROP ROLE io_trash_reader;

-- foreign-key checks see live rows whatever the setting: a new reference
-- to a deleted row is still refused, to a live one accepted
CREATE TABLE io_c (id int PRIMARY KEY, a_id int REFERENCES io_a);
SET softdelete.include_deleted = 'only';
\set VERBOSITY terse
INSERT INTO io_c VALUES (1, 3);
\set VERBOSITY default
INSERT INTO io_c VALUES (2, 1);
RESET softdelete.include_deleted;
SELECT * FROM io_c;
DROP TABLE io_c;
DROP VIEW io_v;
DROP FUNCTION io_check(text, text);
DROP TABLE io_a, io_b;
DROP FUNCTION mismatches(text, text);
