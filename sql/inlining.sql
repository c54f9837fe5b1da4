-- SQL functions the planner would inline are kept from inlining when their
-- body reads an enabled table, so their body is planned (and filtered) on
-- its own.  The decision must follow what the body's names resolve to.
CREATE SCHEMA inl_a;
CREATE SCHEMA inl_b;
CREATE TABLE inl_a.t (id int);
CREATE TABLE inl_b.t (id int);
INSERT INTO inl_a.t VALUES (1), (2);
INSERT INTO inl_b.t VALUES (1), (2);
SELECT softdelete.enable('inl_b.t');
DELETE FROM inl_b.t WHERE id = 2;

-- the same unqualified name, two search paths
SET search_path = inl_b, public;
CREATE FUNCTION public.inl_ids() RETURNS SETOF int LANGUAGE sql STABLE
	AS 'SELECT id FROM t ORDER BY id';
SET search_path = inl_a, public;
SELECT * FROM inl_ids();                 -- inl_a.t: 1, 2
SET search_path = inl_b, public;
SELECT * FROM inl_ids();                 -- inl_b.t: 1 only
SET search_path = inl_a, public;
SELECT * FROM inl_ids();                 -- 1, 2 again
RESET search_path;

-- a view that does not exist yet when the function is first planned
SET check_function_bodies = off;
CREATE FUNCTION public.inl_count_v() RETURNS bigint LANGUAGE sql STABLE
	AS 'SELECT (SELECT count(*) FROM inl_a.v)';
RESET check_function_bodies;
\set VERBOSITY terse
SELECT inl_count_v();                    -- no such view yet
\set VERBOSITY default
CREATE VIEW inl_a.v AS SELECT * FROM inl_b.t;
SELECT inl_count_v();                    -- 1: the view reads the enabled table

-- a CTE name is not a table
CREATE FUNCTION public.inl_cte() RETURNS SETOF int LANGUAGE sql STABLE
	AS 'WITH t AS (SELECT 7 AS id) SELECT id FROM t';
SELECT * FROM inl_cte();

-- EXPLAIN shows which calls were inlined: over the plain table the body is
-- inlined (a scan of the table), over the enabled one it is a function scan
SET search_path = inl_a, public;
EXPLAIN (COSTS OFF) SELECT * FROM inl_ids();
SET search_path = inl_b, public;
EXPLAIN (COSTS OFF) SELECT * FROM inl_ids();
RESET search_path;

DROP FUNCTION public.inl_ids(), public.inl_count_v(), public.inl_cte();
DROP SCHEMA inl_a, inl_b CASCADE;
