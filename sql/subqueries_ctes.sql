-- Visibility in subqueries, CTEs (recursive too), sublinks, LATERAL, set
-- operations, aggregates and window functions: deleted rows do not exist at
-- any level of a query.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL" in the right place, run with the
-- bypass on; then mismatches(q, h) checks automatically that both return the
-- same multiset of rows.
CREATE SCHEMA vis_subq;
SET search_path = vis_subq, public;

\i sql/include/mismatches.sql

CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE staff (id int PRIMARY KEY, dept_id int, name text NOT NULL, salary int);
CREATE TABLE node (id int PRIMARY KEY, parent int, name text NOT NULL);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'law'), (4, 'art');
INSERT INTO staff VALUES
	(10, 1, 'al', 100), (11, 1, 'bo', 200), (12, 2, 'ci', 300),
	(13, 3, 'di', 400), (14, NULL, 'ed', 500), (15, 4, 'fa', 600),
	(16, 1, 'gu', 700);
-- 1 root -> 2 a (deleted) -> 4 a1, 5 a2 -> 8 a2x
--        -> 3 b -> 6 b1, 7 b2 (deleted) -> 9 b2x
INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'),
	(4, 2, 'a1'), (5, 2, 'a2'), (6, 3, 'b1'), (7, 3, 'b2'), (8, 5, 'a2x'),
	(9, 7, 'b2x');
SELECT softdelete.enable('dept');
SELECT softdelete.enable('staff');
SELECT softdelete.enable('node');
-- ops is deleted (ci lives on); law's only member di is deleted; bo and ed
-- (whose dept_id is NULL) are deleted; nodes a and b2 are deleted.
DELETE FROM dept WHERE id = 2;
DELETE FROM staff WHERE id IN (11, 13, 14);
DELETE FROM node WHERE id IN (2, 7);
SET softdelete.include_deleted = on;
SELECT 'dept' AS tbl, id, deleted_at IS NOT NULL AS deleted FROM dept
UNION ALL SELECT 'staff', id, deleted_at IS NOT NULL FROM staff
UNION ALL SELECT 'node', id, deleted_at IS NOT NULL FROM node
ORDER BY 1, 2;
RESET softdelete.include_deleted;

-- Subquery in FROM, simple (pulled up by the planner).
\set q 'SELECT s.name, s.salary FROM (SELECT * FROM staff WHERE salary > 150) s ORDER BY 1'
\set h 'SELECT s.name, s.salary FROM (SELECT * FROM staff WHERE salary > 150 AND deleted_at IS NULL) s ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Subquery in FROM that stays a subquery (LIMIT, DISTINCT), joined.
\set q 'SELECT d.name, s.name FROM (SELECT DISTINCT ON (dept_id) dept_id, name FROM staff ORDER BY dept_id, salary DESC LIMIT 10) s JOIN dept d ON d.id = s.dept_id ORDER BY 1'
\set h 'SELECT d.name, s.name FROM (SELECT DISTINCT ON (dept_id) dept_id, name FROM staff WHERE deleted_at IS NULL ORDER BY dept_id, salary DESC LIMIT 10) s JOIN dept d ON d.id = s.dept_id WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Grouped subquery on the nullable side of an outer join.
\set q 'SELECT d.name, s.n FROM dept d LEFT JOIN (SELECT dept_id, count(*) AS n FROM staff GROUP BY dept_id) s ON s.dept_id = d.id ORDER BY 1'
\set h 'SELECT d.name, s.n FROM dept d LEFT JOIN (SELECT dept_id, count(*) AS n FROM staff WHERE deleted_at IS NULL GROUP BY dept_id) s ON s.dept_id = d.id WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- CTE, inlined (NOT MATERIALIZED) and referenced twice.
\set q 'WITH s AS NOT MATERIALIZED (SELECT * FROM staff) SELECT a.name, b.name FROM s a JOIN s b ON a.dept_id = b.dept_id AND a.id < b.id ORDER BY 1, 2'
\set h 'WITH s AS NOT MATERIALIZED (SELECT * FROM staff WHERE deleted_at IS NULL) SELECT a.name, b.name FROM s a JOIN s b ON a.dept_id = b.dept_id AND a.id < b.id ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- CTE, MATERIALIZED, joined to an enabled table.
\set q 'WITH s AS MATERIALIZED (SELECT dept_id, sum(salary) AS total FROM staff GROUP BY dept_id) SELECT d.name, s.total FROM dept d LEFT JOIN s ON s.dept_id = d.id ORDER BY 1'
\set h 'WITH s AS MATERIALIZED (SELECT dept_id, sum(salary) AS total FROM staff WHERE deleted_at IS NULL GROUP BY dept_id) SELECT d.name, s.total FROM dept d LEFT JOIN s ON s.dept_id = d.id WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Nested CTEs: a CTE inside a subquery inside a CTE.
\set q 'WITH outer_cte AS (SELECT * FROM (WITH inner_cte AS (SELECT id, name FROM dept) SELECT * FROM inner_cte) x) SELECT name FROM outer_cte ORDER BY 1'
\set h 'WITH outer_cte AS (SELECT * FROM (WITH inner_cte AS (SELECT id, name FROM dept WHERE deleted_at IS NULL) SELECT * FROM inner_cte) x) SELECT name FROM outer_cte ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Recursive CTE down a tree: the deleted node a cuts its whole subtree, the
-- deleted b2 cuts b2x.
\set q 'WITH RECURSIVE t(id, path) AS (SELECT id, name FROM node WHERE parent IS NULL UNION ALL SELECT n.id, t.path || ''/'' || n.name FROM node n JOIN t ON n.parent = t.id) SELECT id, path FROM t ORDER BY path'
\set h 'WITH RECURSIVE t(id, path) AS (SELECT id, name FROM node WHERE parent IS NULL AND deleted_at IS NULL UNION ALL SELECT n.id, t.path || ''/'' || n.name FROM node n JOIN t ON n.parent = t.id WHERE n.deleted_at IS NULL) SELECT id, path FROM t ORDER BY path'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Recursive CTE up the tree: from a2x, the chain stops at the deleted a.
\set q 'WITH RECURSIVE up(id, parent, name) AS (SELECT id, parent, name FROM node WHERE id = 8 UNION ALL SELECT n.id, n.parent, n.name FROM up JOIN node n ON n.id = up.parent) SELECT name FROM up ORDER BY id'
\set h 'WITH RECURSIVE up(id, parent, name) AS (SELECT id, parent, name FROM node WHERE id = 8 AND deleted_at IS NULL UNION ALL SELECT n.id, n.parent, n.name FROM up JOIN node n ON n.id = up.parent AND n.deleted_at IS NULL) SELECT name FROM up ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Recursive CTE with an outer join in the recursive term.
\set q 'WITH RECURSIVE t(id, depth) AS (SELECT id, 0 FROM node WHERE id = 3 UNION ALL SELECT c.id, t.depth + 1 FROM t LEFT JOIN node c ON c.parent = t.id WHERE c.id IS NOT NULL) SELECT id, depth FROM t ORDER BY 1'
\set h 'WITH RECURSIVE t(id, depth) AS (SELECT id, 0 FROM node WHERE id = 3 AND deleted_at IS NULL UNION ALL SELECT c.id, t.depth + 1 FROM t LEFT JOIN node c ON c.parent = t.id AND c.deleted_at IS NULL WHERE c.id IS NOT NULL) SELECT id, depth FROM t ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- EXISTS: departments with a live member.
\set q 'SELECT d.name FROM dept d WHERE EXISTS (SELECT 1 FROM staff s WHERE s.dept_id = d.id) ORDER BY 1'
\set h 'SELECT d.name FROM dept d WHERE EXISTS (SELECT 1 FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL) AND d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- NOT EXISTS: staff whose department does not exist (ci, of the deleted ops).
\set q 'SELECT s.name FROM staff s WHERE NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = s.dept_id) ORDER BY 1'
\set h 'SELECT s.name FROM staff s WHERE NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = s.dept_id AND d.deleted_at IS NULL) AND s.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- IN.
\set q 'SELECT name FROM dept WHERE id IN (SELECT dept_id FROM staff WHERE salary < 500) ORDER BY 1'
\set h 'SELECT name FROM dept WHERE id IN (SELECT dept_id FROM staff WHERE salary < 500 AND deleted_at IS NULL) AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- NOT IN: the deleted ed has a NULL dept_id; were he visible, NOT IN would
-- return nothing.
\set q 'SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM staff) ORDER BY 1'
\set h 'SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM staff WHERE deleted_at IS NULL) AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- = ANY and > ALL over an enabled table.
\set q 'SELECT name FROM staff WHERE salary >= ALL (SELECT salary FROM staff WHERE dept_id = 1) OR dept_id = ANY (SELECT id FROM dept WHERE name = ''law'') ORDER BY 1'
\set h 'SELECT name FROM staff WHERE (salary >= ALL (SELECT salary FROM staff WHERE dept_id = 1 AND deleted_at IS NULL) OR dept_id = ANY (SELECT id FROM dept WHERE name = ''law'' AND deleted_at IS NULL)) AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Scalar sublinks, correlated, in the target list.
\set q 'SELECT d.name, (SELECT count(*) FROM staff s WHERE s.dept_id = d.id) AS members, (SELECT max(name) FROM staff s WHERE s.dept_id = d.id) AS last FROM dept d ORDER BY 1'
\set h 'SELECT d.name, (SELECT count(*) FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL) AS members, (SELECT max(name) FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL) AS last FROM dept d WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Scalar sublinks in WHERE, HAVING, LIMIT and a function in FROM.
\set q 'SELECT g, (SELECT name FROM dept WHERE id = g) AS dept FROM generate_series(1, (SELECT count(*)::int FROM dept) + 1) g WHERE g <> (SELECT min(id) FROM dept) GROUP BY g HAVING g < (SELECT max(id) + 1 FROM staff) ORDER BY 1 LIMIT (SELECT count(*) FROM node)'
\set h 'SELECT g, (SELECT name FROM dept WHERE id = g AND deleted_at IS NULL) AS dept FROM generate_series(1, (SELECT count(*)::int FROM dept WHERE deleted_at IS NULL) + 1) g WHERE g <> (SELECT min(id) FROM dept WHERE deleted_at IS NULL) GROUP BY g HAVING g < (SELECT max(id) + 1 FROM staff WHERE deleted_at IS NULL) ORDER BY 1 LIMIT (SELECT count(*) FROM node WHERE deleted_at IS NULL)'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Sublink in a join's ON clause and in VALUES.
\set q 'SELECT v.x, d.name FROM (VALUES (1), ((SELECT max(id) FROM dept))) v(x) LEFT JOIN dept d ON d.id = v.x AND EXISTS (SELECT 1 FROM staff s WHERE s.dept_id = d.id) ORDER BY 1'
\set h 'SELECT v.x, d.name FROM (VALUES (1), ((SELECT max(id) FROM dept WHERE deleted_at IS NULL))) v(x) LEFT JOIN dept d ON d.id = v.x AND EXISTS (SELECT 1 FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL) AND d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- LATERAL subquery: each department's best-paid live member.
\set q 'SELECT d.name, top.name, top.salary FROM dept d, LATERAL (SELECT name, salary FROM staff s WHERE s.dept_id = d.id ORDER BY salary DESC LIMIT 1) top ORDER BY 1'
\set h 'SELECT d.name, top.name, top.salary FROM dept d, LATERAL (SELECT name, salary FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL ORDER BY salary DESC LIMIT 1) top WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- LEFT JOIN LATERAL: law has no live member and is NULL-extended.
\set q 'SELECT d.name, x.n, x.names FROM dept d LEFT JOIN LATERAL (SELECT count(*) AS n, string_agg(name, '','' ORDER BY name) AS names FROM staff s WHERE s.dept_id = d.id HAVING count(*) > 0) x ON true ORDER BY 1'
\set h 'SELECT d.name, x.n, x.names FROM dept d LEFT JOIN LATERAL (SELECT count(*) AS n, string_agg(name, '','' ORDER BY name) AS names FROM staff s WHERE s.dept_id = d.id AND s.deleted_at IS NULL HAVING count(*) > 0) x ON true WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- UNION and UNION ALL.
\set q 'SELECT name FROM dept UNION SELECT name FROM staff WHERE salary > 250 UNION ALL SELECT name FROM node WHERE parent = 1 ORDER BY 1'
\set h 'SELECT name FROM dept WHERE deleted_at IS NULL UNION SELECT name FROM staff WHERE salary > 250 AND deleted_at IS NULL UNION ALL SELECT name FROM node WHERE parent = 1 AND deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- INTERSECT: departments that have a member, by id.
\set q 'SELECT id FROM dept INTERSECT SELECT dept_id FROM staff ORDER BY 1'
\set h 'SELECT id FROM dept WHERE deleted_at IS NULL INTERSECT SELECT dept_id FROM staff WHERE deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- EXCEPT and EXCEPT ALL.
\set q '(SELECT id FROM dept EXCEPT SELECT dept_id FROM staff) UNION ALL (SELECT dept_id FROM staff EXCEPT ALL SELECT id FROM dept) ORDER BY 1'
\set h '(SELECT id FROM dept WHERE deleted_at IS NULL EXCEPT SELECT dept_id FROM staff WHERE deleted_at IS NULL) UNION ALL (SELECT dept_id FROM staff WHERE deleted_at IS NULL EXCEPT ALL SELECT id FROM dept WHERE deleted_at IS NULL) ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Aggregates: count, sum, avg, FILTER, array_agg, grouping sets.
\set q 'SELECT dept_id, count(*), sum(salary), round(avg(salary)), count(*) FILTER (WHERE salary > 150) AS high, array_agg(name ORDER BY name) FROM staff GROUP BY ROLLUP (dept_id) ORDER BY 1 NULLS LAST'
\set h 'SELECT dept_id, count(*), sum(salary), round(avg(salary)), count(*) FILTER (WHERE salary > 150) AS high, array_agg(name ORDER BY name) FROM staff WHERE deleted_at IS NULL GROUP BY ROLLUP (dept_id) ORDER BY 1 NULLS LAST'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Window functions: ranks, running sums and neighbours see only live rows.
\set q 'SELECT name, dept_id, row_number() OVER w AS rn, sum(salary) OVER w AS running, lag(name) OVER (ORDER BY id) AS prev, count(*) OVER () AS total FROM staff WINDOW w AS (PARTITION BY dept_id ORDER BY salary) ORDER BY id'
\set h 'SELECT name, dept_id, row_number() OVER w AS rn, sum(salary) OVER w AS running, lag(name) OVER (ORDER BY id) AS prev, count(*) OVER () AS total FROM staff WHERE deleted_at IS NULL WINDOW w AS (PARTITION BY dept_id ORDER BY salary) ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Window over a join, inside a subquery filtered on the rank.
\set q 'SELECT * FROM (SELECT d.name AS dept, s.name, rank() OVER (PARTITION BY d.id ORDER BY s.salary DESC) AS r FROM dept d JOIN staff s ON s.dept_id = d.id) x WHERE r = 1 ORDER BY 1'
\set h 'SELECT * FROM (SELECT d.name AS dept, s.name, rank() OVER (PARTITION BY d.id ORDER BY s.salary DESC) AS r FROM dept d JOIN staff s ON s.dept_id = d.id WHERE d.deleted_at IS NULL AND s.deleted_at IS NULL) x WHERE r = 1 ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET client_min_messages = warning;
DROP SCHEMA vis_subq CASCADE;
RESET client_min_messages;
RESET search_path;
