-- Visibility through views, SQL functions (inlined or not), PL/pgSQL,
-- cursors, COPY (query) TO, CREATE TABLE AS and materialized views.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL" in the right place, run with the
-- bypass on; then mismatches(q, h) checks automatically that both return the
-- same multiset of rows.
CREATE SCHEMA vis_vf;
SET search_path = vis_vf, public;

\i sql/include/mismatches.sql

-- The same check for a cursor declared by the caller: fetches what is left
-- of cursor c, then runs h with the bypass on.
CREATE FUNCTION cursor_mismatches(c refcursor, h text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	a text[] := '{}';
	b text[] := '{}';
	n bigint;
BEGIN
	LOOP
		FETCH c INTO r;
		EXIT WHEN NOT FOUND;
		a := a || r::text;
	END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'on', true);
	FOR r IN EXECUTE h LOOP b := b || r::text; END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'off', true);
	SELECT count(*) INTO n
	  FROM ((SELECT unnest(a) EXCEPT ALL SELECT unnest(b))
	        UNION ALL
	        (SELECT unnest(b) EXCEPT ALL SELECT unnest(a))) d;
	RETURN n;
END $$;

-- The same check for COPY (q) TO: the rows go through a file and back.
CREATE FUNCTION copy_mismatches(q text, h text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	f text := current_setting('data_directory') || '/vis_vf_copy.txt';
	n bigint;
BEGIN
	EXECUTE format('CREATE TEMP TABLE copied AS SELECT * FROM (%s) x LIMIT 0', q);
	EXECUTE format('COPY (%s) TO %L', q, f);
	EXECUTE format('COPY copied FROM %L', f);
	n := mismatches('SELECT * FROM copied', h);
	DROP TABLE copied;
	RETURN n;
END $$;

CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE staff (id int PRIMARY KEY, dept_id int, name text NOT NULL, salary int);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'law'), (4, 'art');
INSERT INTO staff VALUES
	(10, 1, 'al', 100), (11, 1, 'bo', 200), (12, 2, 'ci', 300),
	(13, 3, 'di', 400), (14, 4, 'ed', 500), (15, 4, 'fa', 600),
	(16, 1, 'gu', 700);
SELECT softdelete.enable('dept');
SELECT softdelete.enable('staff');
-- ops is deleted (ci lives on); law's only member di, bo and ed are deleted.
DELETE FROM dept WHERE id = 2;
DELETE FROM staff WHERE id IN (11, 13, 14);
SET softdelete.include_deleted = on;
SELECT 'dept' AS tbl, id, deleted_at IS NOT NULL AS deleted FROM dept
UNION ALL SELECT 'staff', id, deleted_at IS NOT NULL FROM staff
ORDER BY 1, 2;
RESET softdelete.include_deleted;

-- Views.
CREATE VIEW roster AS
	SELECT d.name AS dept, s.name, s.salary
	FROM dept d LEFT JOIN staff s ON s.dept_id = d.id;
CREATE VIEW roster_sb WITH (security_barrier) AS
	SELECT s.name, s.salary, s.dept_id FROM staff s WHERE s.salary > 150;
CREATE VIEW roster_rich AS
	SELECT r.dept, r.name, (SELECT count(*) FROM staff) AS headcount
	FROM roster r WHERE r.salary >= 500 OR r.name IS NULL;
CREATE VIEW trash AS SELECT id, name FROM staff WHERE deleted_at IS NOT NULL;

-- Plain view with an outer join: law is NULL-extended, ops is absent.
\set q 'SELECT dept, name, salary FROM roster ORDER BY 1, 2'
\set h 'SELECT d.name AS dept, s.name, s.salary FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- security_barrier view, with a qual of the caller.
\set q 'SELECT name, salary FROM roster_sb WHERE name <> ''zz'' ORDER BY 1'
\set h 'SELECT name, salary FROM (SELECT s.name, s.salary FROM staff s WHERE s.salary > 150 AND s.deleted_at IS NULL) v WHERE name <> ''zz'' ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- security_barrier view joined to an enabled table.
\set q 'SELECT d.name, v.name FROM roster_sb v JOIN dept d ON d.id = v.dept_id ORDER BY 1, 2'
\set h 'SELECT d.name, v.name FROM (SELECT s.name, s.dept_id FROM staff s WHERE s.salary > 150 AND s.deleted_at IS NULL) v JOIN dept d ON d.id = v.dept_id WHERE d.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A view over a view, with a sublink of its own.
\set q 'SELECT dept, name, headcount FROM roster_rich ORDER BY 1, 2'
\set h 'SELECT r.dept, r.name, (SELECT count(*) FROM staff WHERE deleted_at IS NULL) AS headcount FROM (SELECT d.name AS dept, s.name, s.salary FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL) r WHERE r.salary >= 500 OR r.name IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A view of deleted rows is empty: deleted rows do not exist, unless the
-- bypass is on.
SELECT count(*) FROM trash;
SET softdelete.include_deleted = on;
SELECT id, name FROM trash ORDER BY 1;
RESET softdelete.include_deleted;

-- SQL functions the planner would inline.
CREATE FUNCTION headcount(int) RETURNS bigint LANGUAGE sql STABLE
	AS 'SELECT (SELECT count(*) FROM staff WHERE dept_id = $1)';
CREATE FUNCTION members(int) RETURNS SETOF staff LANGUAGE sql STABLE
	AS 'SELECT * FROM staff WHERE dept_id = $1';
CREATE FUNCTION members_t(int) RETURNS TABLE (name text, salary int)
	LANGUAGE sql STABLE AS 'SELECT name, salary FROM staff WHERE dept_id = $1';
CREATE FUNCTION members_atomic(int) RETURNS SETOF staff LANGUAGE sql STABLE
	BEGIN ATOMIC SELECT * FROM staff WHERE dept_id = $1; END;
CREATE FUNCTION headcount_atomic(int) RETURNS bigint LANGUAGE sql STABLE
	RETURN (SELECT count(*) FROM staff WHERE dept_id = $1);
CREATE FUNCTION from_view() RETURNS SETOF roster LANGUAGE sql STABLE
	AS 'SELECT * FROM roster';
-- Reads an enabled table only through another function.
CREATE FUNCTION wrapper(int) RETURNS SETOF staff LANGUAGE sql STABLE
	AS 'SELECT * FROM members($1)';

-- Scalar SQL function with a sublink, in the target list and in WHERE.
\set q 'SELECT d.name, headcount(d.id) AS n, headcount_atomic(d.id) AS n_atomic FROM dept d WHERE headcount(d.id) < 3 ORDER BY 1'
\set h 'SELECT d.name, (SELECT count(*) FROM staff WHERE dept_id = d.id AND deleted_at IS NULL) AS n, (SELECT count(*) FROM staff WHERE dept_id = d.id AND deleted_at IS NULL) AS n_atomic FROM dept d WHERE (SELECT count(*) FROM staff WHERE dept_id = d.id AND deleted_at IS NULL) < 3 AND d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- RETURNS SETOF, in FROM.
\set q 'SELECT id, name FROM members(1) ORDER BY 1'
\set h 'SELECT id, name FROM staff WHERE dept_id = 1 AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- RETURNS TABLE, BEGIN ATOMIC and the wrapper, LATERAL to an enabled table.
\set q 'SELECT d.name AS dept, m.name, a.id, w.salary FROM dept d, LATERAL members_t(d.id) m, LATERAL members_atomic(d.id) a, LATERAL wrapper(d.id) w WHERE a.name = m.name AND w.name = m.name ORDER BY 1, 2'
\set h 'SELECT d.name AS dept, s.name, s.id, s.salary FROM dept d JOIN staff s ON s.dept_id = d.id WHERE d.deleted_at IS NULL AND s.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A SQL function over a view.
\set q 'SELECT dept, name FROM from_view() ORDER BY 1, 2'
\set h 'SELECT d.name AS dept, s.name FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A function inlined before its table was enabled is filtered afterwards.
CREATE TABLE tag (id int, label text);
INSERT INTO tag VALUES (1, 'x'), (2, 'y'), (3, 'z');
CREATE FUNCTION tags() RETURNS SETOF tag LANGUAGE sql STABLE AS 'SELECT * FROM tag';
CREATE FUNCTION tag_count() RETURNS bigint LANGUAGE sql STABLE
	AS 'SELECT (SELECT count(*) FROM tag)';
SELECT id, label, tag_count() FROM tags() ORDER BY 1;
SELECT softdelete.enable('tag');
DELETE FROM tag WHERE id = 2;
\set q 'SELECT id, label, tag_count() FROM tags() ORDER BY 1'
\set h 'SELECT id, label, (SELECT count(*) FROM tag WHERE deleted_at IS NULL) FROM tag WHERE deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- SQL functions that are never inlined: volatile, multi-statement.
CREATE FUNCTION members_volatile(int) RETURNS SETOF staff LANGUAGE sql VOLATILE
	AS 'SELECT * FROM staff WHERE dept_id = $1';
CREATE FUNCTION top_earner(int) RETURNS text LANGUAGE sql AS $$
	SELECT 1;
	SELECT name FROM staff WHERE dept_id = $1 ORDER BY salary DESC LIMIT 1;
$$;
\set q 'SELECT d.name, top_earner(d.id), (SELECT count(*) FROM members_volatile(d.id)) AS n FROM dept d ORDER BY 1'
\set h 'SELECT d.name, (SELECT name FROM staff WHERE dept_id = d.id AND deleted_at IS NULL ORDER BY salary DESC LIMIT 1), (SELECT count(*) FROM staff WHERE dept_id = d.id AND deleted_at IS NULL) AS n FROM dept d WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- PL/pgSQL: RETURN QUERY, a FOR loop over a query, SELECT INTO, EXECUTE.
CREATE FUNCTION pl_members(int) RETURNS SETOF staff LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY SELECT * FROM staff WHERE dept_id = $1;
END $$;
CREATE FUNCTION pl_summary() RETURNS TABLE (dept text, names text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	d record;
	s record;
BEGIN
	FOR d IN SELECT * FROM dept ORDER BY id LOOP
		dept := d.name;
		names := '';
		FOR s IN SELECT * FROM staff WHERE dept_id = d.id ORDER BY name LOOP
			names := names || s.name || ' ';
		END LOOP;
		SELECT count(*) INTO n FROM staff WHERE dept_id = d.id;
		RETURN NEXT;
	END LOOP;
END $$;
CREATE FUNCTION pl_dynamic(tbl text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %I', tbl) INTO n;
	RETURN n;
END $$;

\set q 'SELECT id, name FROM pl_members(1) ORDER BY 1'
\set h 'SELECT id, name FROM staff WHERE dept_id = 1 AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

\set q 'SELECT dept, names, n, pl_dynamic(''staff'') AS total FROM pl_summary() ORDER BY 1'
\set h 'SELECT d.name AS dept, coalesce(string_agg(s.name || '' '', '''' ORDER BY s.name), '''') AS names, count(s.id) AS n, (SELECT count(*) FROM staff WHERE deleted_at IS NULL) AS total FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL GROUP BY d.name ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- PL/pgSQL's cached plans follow a DELETE, and follow enabling.
CREATE TABLE memo (id int, body text);
INSERT INTO memo VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE FUNCTION memo_ids() RETURNS int[] LANGUAGE plpgsql AS $$
BEGIN
	RETURN ARRAY(SELECT id FROM memo ORDER BY id);
END $$;
SELECT memo_ids();
SELECT softdelete.enable('memo');
DELETE FROM memo WHERE id = 1;
SELECT memo_ids();
DELETE FROM memo WHERE id = 3;
SELECT memo_ids();

-- Cursors: plain, SCROLL (backwards too), WITH HOLD.
-- Each shape is declared twice: one cursor is shown, the other checked.
\set h 'SELECT d.name, s.name FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL ORDER BY 1, 2'
\set cq 'SELECT d.name, s.name FROM dept d LEFT JOIN staff s ON s.dept_id = d.id ORDER BY 1, 2'
BEGIN;
DECLARE c CURSOR FOR :cq;
FETCH ALL FROM c;
DECLARE c2 CURSOR FOR :cq;
SELECT cursor_mismatches('c2', :'h');
\set cq 'SELECT id, name FROM staff ORDER BY id'
DECLARE sc SCROLL CURSOR FOR :cq;
FETCH 2 FROM sc;
FETCH PRIOR FROM sc;
FETCH LAST FROM sc;
FETCH BACKWARD ALL FROM sc;
DECLARE sc2 CURSOR FOR :cq;
SELECT cursor_mismatches('sc2', 'SELECT id, name FROM staff WHERE deleted_at IS NULL');
\set cq 'SELECT id, name FROM dept ORDER BY id'
DECLARE hc CURSOR WITH HOLD FOR :cq;
DECLARE hc2 CURSOR WITH HOLD FOR :cq;
COMMIT;
FETCH ALL FROM hc;
SELECT cursor_mismatches('hc2', 'SELECT id, name FROM dept WHERE deleted_at IS NULL');
CLOSE hc;
CLOSE hc2;

-- A cursor opened in PL/pgSQL.
CREATE FUNCTION pl_cursor_names() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	cur CURSOR FOR SELECT name FROM staff ORDER BY name;
	result text := '';
BEGIN
	FOR r IN cur LOOP
		result := result || r.name || ' ';
	END LOOP;
	RETURN result;
END $$;
\set q 'SELECT pl_cursor_names()'
\set h 'SELECT string_agg(name || '' '', '''' ORDER BY name) FROM staff WHERE deleted_at IS NULL'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- COPY (query) TO STDOUT.
COPY (SELECT d.name, s.name, s.salary FROM dept d LEFT JOIN staff s ON s.dept_id = d.id ORDER BY 1, 2) TO STDOUT;
SELECT copy_mismatches('SELECT d.name AS dept, s.name, s.salary FROM dept d LEFT JOIN staff s ON s.dept_id = d.id ORDER BY 1, 2',
       'SELECT d.name AS dept, s.name, s.salary FROM dept d LEFT JOIN staff s ON s.dept_id = d.id AND s.deleted_at IS NULL WHERE d.deleted_at IS NULL ORDER BY 1, 2');
-- COPY of the table itself is not planned: it keeps every row.
CREATE TEMP TABLE staff_dump (LIKE staff);
DO $$
BEGIN
	EXECUTE format('COPY staff TO %L', current_setting('data_directory') || '/vis_vf_copy.txt');
	EXECUTE format('COPY staff_dump FROM %L', current_setting('data_directory') || '/vis_vf_copy.txt');
END $$;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM staff_dump ORDER BY id;
DROP TABLE staff_dump;

-- CREATE TABLE AS, SELECT INTO and a materialized view hold only live rows.
CREATE TABLE staff_ctas AS SELECT s.id, s.name, d.name AS dept FROM staff s LEFT JOIN dept d ON d.id = s.dept_id;
SELECT s.id, s.name, d.name AS dept INTO staff_into FROM staff s JOIN dept d ON d.id = s.dept_id;
CREATE MATERIALIZED VIEW staff_mv AS SELECT dept_id, count(*) AS n FROM staff GROUP BY dept_id;
\set h 'SELECT s.id, s.name, d.name AS dept FROM staff s LEFT JOIN dept d ON d.id = s.dept_id AND d.deleted_at IS NULL WHERE s.deleted_at IS NULL ORDER BY 1'
SELECT * FROM staff_ctas ORDER BY 1;
SELECT mismatches('SELECT * FROM staff_ctas', :'h');
SELECT * FROM staff_into ORDER BY 1;
SELECT mismatches('SELECT * FROM staff_into', 'SELECT s.id, s.name, d.name AS dept FROM staff s JOIN dept d ON d.id = s.dept_id WHERE s.deleted_at IS NULL AND d.deleted_at IS NULL');
\set h 'SELECT dept_id, count(*) AS n FROM staff WHERE deleted_at IS NULL GROUP BY dept_id'
SELECT * FROM staff_mv ORDER BY 1;
SELECT mismatches('SELECT * FROM staff_mv', :'h');
-- After another DELETE, REFRESH drops the row again.
DELETE FROM staff WHERE id = 15;
REFRESH MATERIALIZED VIEW staff_mv;
SELECT * FROM staff_mv ORDER BY 1;
SELECT mismatches('SELECT * FROM staff_mv', :'h');
CREATE UNIQUE INDEX ON staff_mv (dept_id);
DELETE FROM staff WHERE id = 12;
REFRESH MATERIALIZED VIEW CONCURRENTLY staff_mv;
SELECT * FROM staff_mv ORDER BY 1;
SELECT mismatches('SELECT * FROM staff_mv', :'h');

-- An unqualified name in a function body means the table the search_path
-- finds at the call.  The same inlinable function reads a plain table under
-- one search_path and an enabled one under another: there it is filtered.
CREATE SCHEMA vis_vf_a;
CREATE TABLE vis_vf_a.item (id int);
INSERT INTO vis_vf_a.item VALUES (1), (2);
CREATE TABLE item (id int);
INSERT INTO item VALUES (1), (2);
SELECT softdelete.enable('item');
DELETE FROM item WHERE id = 2;
CREATE FUNCTION items() RETURNS SETOF int LANGUAGE sql STABLE AS 'SELECT id FROM item';
SET search_path = vis_vf_a, vis_vf, public;
SELECT * FROM items() ORDER BY 1;
SET search_path = vis_vf, public;
\set q 'SELECT * FROM items() ORDER BY 1'
\set h 'SELECT id FROM item WHERE deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET client_min_messages = warning;
DROP SCHEMA vis_vf CASCADE;
DROP SCHEMA vis_vf_a CASCADE;
RESET client_min_messages;
RESET search_path;
