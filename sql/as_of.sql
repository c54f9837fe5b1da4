-- SET softdelete.as_of: every query reads enabled tables as they were at
-- that time.  Differential: each query under as_of must return what the same
-- query returns over tables rebuilt by hand as of that time (ao_*_at), at
-- four times (before the rows were written, and after each of three rounds
-- of changes), in every shape the filter covers.  Then: the setting against
-- softdelete.as_of(), plans, include_deleted, what is refused, bad values.
SET TimeZone = 'UTC';
CREATE TABLE ao_f (id int PRIMARY KEY, grp int, v text, deleted_at timestamptz);
CREATE TABLE ao_a (id int PRIMARY KEY, grp int, v text);
CREATE TABLE ao_v (id int PRIMARY KEY, grp int, v text);
SELECT softdelete.enable('ao_f');
SELECT softdelete.enable_archive('ao_a')::text;
SELECT softdelete.enable_archive('ao_v', versions => true)::text;
SELECT now() AS t0 \gset
SELECT pg_sleep(0.01);
INSERT INTO ao_f SELECT g, g % 3, 'f' || g FROM generate_series(1, 12) g;
INSERT INTO ao_a SELECT g, g % 3, 'a' || g FROM generate_series(1, 8) g;
INSERT INTO ao_v SELECT g, g % 3, 'v' || g FROM generate_series(1, 8) g;
SELECT pg_sleep(0.01);
SELECT now() AS t1 \gset
SELECT pg_sleep(0.01);
DELETE FROM ao_f WHERE id IN (2, 5);
DELETE FROM ao_a WHERE id IN (2, 5);
UPDATE ao_v SET v = v || '-1' WHERE id <= 4;
DELETE FROM ao_v WHERE id = 8;
SELECT pg_sleep(0.01);
SELECT now() AS t2 \gset
SELECT pg_sleep(0.01);
DELETE FROM ao_f WHERE id IN (3, 9);
DELETE FROM ao_a WHERE id = 3;
UPDATE ao_v SET v = v || '-2', grp = 9 WHERE id IN (1, 2);
DELETE FROM ao_v WHERE id = 7;
SELECT pg_sleep(0.01);
SELECT now() AS t3 \gset
SELECT pg_sleep(0.01);
DELETE FROM ao_f WHERE id = 12;
UPDATE ao_v SET v = 'later' WHERE id = 3;

-- The tables rebuilt by hand as of ts: the flag-mode copy is enabled too,
-- with each flag as it was then (so include_deleted acts on it alike).
CREATE FUNCTION ao_build(ts timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('client_min_messages', 'warning', true);
	DROP TABLE IF EXISTS ao_f_at, ao_a_at, ao_v_at CASCADE;
	DROP FUNCTION IF EXISTS ao_pl_at();
	PERFORM set_config('softdelete.include_deleted', 'on', true);
	CREATE TABLE ao_f_at AS SELECT id, grp, v,
		CASE WHEN deleted_at > ts THEN NULL ELSE deleted_at END AS deleted_at FROM ao_f;
	PERFORM set_config('softdelete.include_deleted', 'off', true);
	PERFORM softdelete.enable('ao_f_at');
	CREATE TABLE ao_a_at AS SELECT id, grp, v FROM ao_a
		UNION ALL SELECT id, grp, v FROM ao_a_archive WHERE archived_at > ts AND archive_op = 'delete';
	CREATE TABLE ao_v_at AS SELECT id, grp, v, valid_from FROM ao_v WHERE valid_from <= ts
		UNION ALL SELECT id, grp, v, valid_from FROM ao_v_archive WHERE valid_from <= ts AND archived_at > ts;
	CREATE VIEW ao_view_at AS SELECT f.id, f.v AS fv, v.v FROM ao_f_at f LEFT JOIN ao_v_at v USING (id);
	CREATE FUNCTION ao_fn_at() RETURNS SETOF ao_f_at LANGUAGE sql STABLE AS 'SELECT * FROM ao_f_at WHERE grp < 2';
	CREATE FUNCTION ao_pl_at() RETURNS bigint LANGUAGE plpgsql AS 'BEGIN RETURN (SELECT count(*) FROM ao_a_at); END';
END $$;
CREATE VIEW ao_view AS SELECT f.id, f.v AS fv, v.v FROM ao_f f LEFT JOIN ao_v v USING (id);
CREATE FUNCTION ao_fn() RETURNS SETOF ao_f LANGUAGE sql STABLE AS 'SELECT * FROM ao_f WHERE grp < 2';
CREATE FUNCTION ao_pl() RETURNS bigint LANGUAGE plpgsql AS 'BEGIN RETURN (SELECT count(*) FROM ao_a); END';

-- q with {f} {a} {v} {view} {fn} {pl} naming the enabled tables, run under
-- as_of = ts, against the same over the rebuilt ones: "rows/mismatches".
CREATE FUNCTION ao_check(tmpl text, ts timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	q text := tmpl;
	h text := tmpl;
	a text[] := '{}';
	b text[] := '{}';
	n bigint;
	names text[] := ARRAY['{f}', 'ao_f', '{a}', 'ao_a', '{v}', 'ao_v',
						  '{view}', 'ao_view', '{fn}', 'ao_fn', '{pl}', 'ao_pl'];
BEGIN
	FOR i IN 1 .. array_length(names, 1) BY 2 LOOP
		q := replace(q, names[i], names[i + 1]);
		h := replace(h, names[i], names[i + 1] || '_at');
	END LOOP;
	PERFORM set_config('softdelete.as_of', ts::text, true);
	FOR r IN EXECUTE q LOOP a := a || r::text; END LOOP;
	PERFORM set_config('softdelete.as_of', '', true);
	FOR r IN EXECUTE h LOOP b := b || r::text; END LOOP;
	SELECT count(*) INTO n
	  FROM ((SELECT unnest(a) EXCEPT ALL SELECT unnest(b))
	        UNION ALL
	        (SELECT unnest(b) EXCEPT ALL SELECT unnest(a))) d;
	RETURN cardinality(a) || '/' || n;
END $$;

CREATE TABLE ao_queries (n int, q text);
INSERT INTO ao_queries VALUES
	(1, 'SELECT * FROM {f}'),
	(2, 'SELECT * FROM {a}'),
	(3, 'SELECT * FROM {v}'),
	(4, 'SELECT f.id, a.v FROM {f} f JOIN {a} a ON a.id = f.id'),
	(5, 'SELECT f.id, a.v FROM {f} f LEFT JOIN {a} a ON a.id = f.id'),
	(6, 'SELECT f.id, a.id FROM {a} a RIGHT JOIN {f} f ON a.id = f.id'),
	(7, 'SELECT f.id, v.id, v.v FROM {f} f FULL JOIN {v} v ON v.id = f.id'),
	(8, 'SELECT a.id, v.v FROM {a} a LEFT JOIN {v} v ON v.id = a.id AND v.grp = a.grp'),
	(9, 'SELECT grp, count(*), max(v) FROM {f} GROUP BY grp'),
	(10, 'SELECT * FROM {f} f WHERE EXISTS (SELECT 1 FROM {v} v WHERE v.id = f.id)'),
	(11, 'SELECT * FROM {a} a WHERE a.id NOT IN (SELECT id FROM {f})'),
	(12, 'WITH c AS (SELECT * FROM {v}) SELECT c.id, c.v, (SELECT count(*) FROM {a} a WHERE a.grp = c.grp) FROM c'),
	(13, 'SELECT f.id, l.n FROM {f} f, LATERAL (SELECT count(*) AS n FROM {a} a WHERE a.grp = f.grp) l'),
	(14, 'SELECT deleted_at IS NULL, count(*) FROM {f} GROUP BY 1'),
	(15, 'SELECT * FROM {f} WHERE deleted_at IS NULL'),
	(16, 'SELECT * FROM {view}'),
	(17, 'SELECT * FROM {fn}()'),
	(18, 'SELECT {pl}()'),
	(19, 'SELECT v FROM {v} v UNION SELECT v FROM {a}'),
	(20, 'SELECT f FROM {f} f'),
	(21, 'SELECT row_to_json(x) FROM {v} x WHERE x.id < 5');

SELECT ao_build(:'t0');
SELECT n, ao_check(q, :'t0') AS at_t0 FROM ao_queries ORDER BY n;
SELECT ao_build(:'t1');
SELECT n, ao_check(q, :'t1') AS at_t1 FROM ao_queries ORDER BY n;
SELECT ao_build(:'t2');
SELECT n, ao_check(q, :'t2') AS at_t2 FROM ao_queries ORDER BY n;
SELECT ao_build(:'t3');
SELECT n, ao_check(q, :'t3') AS at_t3 FROM ao_queries ORDER BY n;

-- include_deleted acts on the tables as they were: on shows every row with
-- its flag as it was then, only the rows deleted by then
SET softdelete.include_deleted = on;
SELECT n, ao_check(q, :'t3') AS on_at_t3 FROM ao_queries WHERE n IN (1, 5, 9, 14, 15, 16) ORDER BY n;
SET softdelete.include_deleted = 'only';
SELECT n, ao_check(q, :'t3') AS only_at_t3 FROM ao_queries WHERE n IN (1, 5, 9, 14, 15, 16) ORDER BY n;
RESET softdelete.include_deleted;

-- the setting and softdelete.as_of() give the same rows, at every time
CREATE FUNCTION ao_rows(q text, ts timestamptz) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	r record;
	a text[] := '{}';
BEGIN
	PERFORM set_config('softdelete.as_of', ts::text, true);
	FOR r IN EXECUTE q LOOP a := a || r::text; END LOOP;
	PERFORM set_config('softdelete.as_of', '', true);
	RETURN (SELECT array_agg(x ORDER BY x) FROM unnest(a) x);
END $$;
SELECT i, cardinality(ao_rows('SELECT * FROM ao_v', t)) AS n,
	   ao_rows('SELECT * FROM ao_v', t) IS NOT DISTINCT FROM
	   (SELECT array_agg(x::text ORDER BY x::text) FROM softdelete.as_of(NULL::ao_v, t) x) AS same
  FROM (VALUES (1, :'t0'::timestamptz), (2, :'t1'), (3, :'t2'), (4, :'t3'), (5, now())) v(i, t)
  ORDER BY i;
-- as_of() reads as it says under the setting too
SET softdelete.as_of = :'t1';
SELECT count(*) FROM softdelete.as_of(NULL::ao_v, now());
RESET softdelete.as_of;

-- prepared statements and cursors follow the setting
PREPARE ao_p AS SELECT count(*) FROM ao_f f JOIN ao_a a USING (id);
EXECUTE ao_p;
SET softdelete.as_of = :'t1';
EXECUTE ao_p; EXECUTE ao_p; EXECUTE ao_p; EXECUTE ao_p; EXECUTE ao_p; EXECUTE ao_p;
SET softdelete.as_of = :'t2';
EXECUTE ao_p;
BEGIN;
DECLARE ao_c CURSOR FOR SELECT id FROM ao_a ORDER BY id;
FETCH 3 ao_c;
FETCH ALL ao_c;
COMMIT;
RESET softdelete.as_of;
EXECUTE ao_p;

-- plans: a read by key uses the live table's index and the archive's
SET enable_seqscan = off;
SET softdelete.as_of = '2026-01-01 00:00+00';
EXPLAIN (COSTS OFF) SELECT * FROM ao_f WHERE id = 3;
EXPLAIN (COSTS OFF) SELECT * FROM ao_a WHERE id = 3;
EXPLAIN (COSTS OFF) SELECT * FROM ao_v WHERE id = 3;
RESET enable_seqscan;

-- a schema change reaches the next query (the archive's rows have the new
-- column too, with the live rows' value)
SET softdelete.as_of = :'t2';
SELECT * FROM ao_a ORDER BY id;
ALTER TABLE ao_a ADD COLUMN extra int DEFAULT 7;
SELECT * FROM ao_a ORDER BY id;
ALTER TABLE ao_a DROP COLUMN extra;
SELECT * FROM ao_a ORDER BY id;
RESET softdelete.as_of;

-- nothing may be written into the past (SQLSTATE of a read-only transaction)
\set VERBOSITY terse
INSERT INTO ao_f VALUES (100);
\echo :LAST_ERROR_SQLSTATE
UPDATE ao_f SET v = 'x';
DELETE FROM ao_a;
MERGE INTO ao_f t USING (SELECT 1 AS id) s ON s.id = t.id WHEN MATCHED THEN DELETE;
WITH d AS (DELETE FROM ao_f RETURNING 1) SELECT count(*) FROM d;
SELECT * FROM ao_f FOR UPDATE;
SELECT * FROM (SELECT * FROM ao_a FOR SHARE) s;
CREATE TABLE ao_plain (x int);
INSERT INTO ao_plain VALUES (1);
COPY ao_f FROM '/dev/null';
TRUNCATE ao_plain;
SELECT softdelete.restore('ao_f');
SELECT softdelete.purge('ao_a');
DO $$ BEGIN DELETE FROM ao_f WHERE id = 1; END $$;
\echo :LAST_ERROR_SQLSTATE
-- what cannot be read as of a time
SELECT ctid FROM ao_f;
SELECT count(*) FROM ao_a TABLESAMPLE SYSTEM (100);
CREATE TABLE ao_b (id int, removed boolean NOT NULL DEFAULT false);
RESET softdelete.as_of;
SELECT softdelete.enable('ao_b', 'removed');
SET softdelete.as_of = '2026-01-01 00:00+00';
SELECT * FROM ao_b;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.as_of;
CREATE TABLE ao_p (id int PRIMARY KEY, k int) PARTITION BY RANGE (id);
CREATE TABLE ao_p1 PARTITION OF ao_p FOR VALUES FROM (0) TO (100);
SELECT softdelete.enable_archive('ao_p')::text;
INSERT INTO ao_p VALUES (1, 1), (2, 2);
DELETE FROM ao_p WHERE id = 2;
SET softdelete.as_of = '2000-01-01 00:00+00';
SELECT * FROM ao_p ORDER BY id;
SELECT * FROM ao_p1;
\set VERBOSITY default

-- values
SET softdelete.as_of = 'yesterday';
SET softdelete.as_of = 'garbage';
SET softdelete.as_of = 'infinity';
SET softdelete.as_of = '2026-01-01 12:00+02';
SHOW softdelete.as_of;
SELECT count(*) FROM ao_f;
SET softdelete.as_of = '';
INSERT INTO ao_plain VALUES (2);
SET softdelete.as_of = '2026-01-01';
RESET softdelete.as_of;
INSERT INTO ao_plain VALUES (3);
SELECT count(*) FROM ao_plain;

-- leave nothing registered for the files after this one
SET client_min_messages = warning;
DROP VIEW ao_view, ao_view_at;
DROP FUNCTION ao_fn(), ao_fn_at(), ao_pl(), ao_pl_at(), ao_build(timestamptz),
	ao_check(text, timestamptz), ao_rows(text, timestamptz);
DROP TABLE ao_f, ao_a, ao_v, ao_b, ao_p, ao_f_at, ao_a_at, ao_v_at, ao_plain, ao_queries;
DROP TABLE ao_a_archive, ao_v_archive, ao_p_archive;
RESET client_min_messages;
SELECT count(*) AS left_registered FROM softdelete.tables WHERE table_name::text LIKE 'ao\_%';
