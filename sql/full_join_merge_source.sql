-- References that no qual of the query can filter exactly: the sides of a
-- FULL JOIN, and the source of a MERGE (its preserved side when there are
-- NOT MATCHED actions).  They become a subquery over the table, the shape a
-- view gives; the planner pulls it up, so the plan is that of the query
-- written by hand.  Everything the reference could do, it still does:
-- system columns, whole-row values (dropped columns included), row-level
-- security, column privileges, TABLESAMPLE, LATERAL, sublinks.
CREATE SCHEMA fjm;
SET search_path = fjm, public;

\i sql/include/mismatches.sql

CREATE TABLE a (id int PRIMARY KEY, x int, dropme int, v text);
ALTER TABLE a DROP COLUMN dropme;
CREATE TABLE b (id int PRIMARY KEY, y int);
INSERT INTO a VALUES (1, 10, 'a1'), (2, 20, 'a2'), (3, 30, 'a3'), (5, 50, 'a5');
INSERT INTO b VALUES (1, 100), (2, 200), (4, 400), (5, 500);
SELECT softdelete.enable('a');
SELECT softdelete.enable('b');
DELETE FROM a WHERE id IN (2, 5);
DELETE FROM b WHERE id IN (4, 5);

SELECT mismatches(
	'SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id',
	'SELECT a.id, b.id FROM (SELECT * FROM a WHERE deleted_at IS NULL) a
	   FULL JOIN (SELECT * FROM b WHERE deleted_at IS NULL) b ON a.id = b.id');
SELECT mismatches(
	'SELECT x.v, y.y FROM a x FULL JOIN b y ON x.id = y.id WHERE x.v LIKE ''a%'' OR y.y > 0',
	'SELECT x.v, y.y FROM (SELECT * FROM a WHERE deleted_at IS NULL) x
	   FULL JOIN (SELECT * FROM b WHERE deleted_at IS NULL) y ON x.id = y.id
	  WHERE x.v LIKE ''a%'' OR y.y > 0');
-- a side that is itself a join, and a FULL JOIN inside an outer join
SELECT mismatches(
	'SELECT a.id, b.id, b2.id FROM (a LEFT JOIN b ON a.id = b.id) FULL JOIN b b2 ON b2.id = a.id',
	'SELECT a.id, b.id, b2.id FROM ((SELECT * FROM a WHERE deleted_at IS NULL) a
	   LEFT JOIN b ON a.id = b.id AND b.deleted_at IS NULL)
	   FULL JOIN (SELECT * FROM b WHERE deleted_at IS NULL) b2 ON b2.id = a.id');
SELECT mismatches(
	'SELECT a.id, s.id FROM a LEFT JOIN (b FULL JOIN a s ON b.id = s.id) ON a.id = b.id',
	'SELECT a.id, s.id FROM a LEFT JOIN ((SELECT * FROM b WHERE deleted_at IS NULL) b
	   FULL JOIN (SELECT * FROM a WHERE deleted_at IS NULL) s ON b.id = s.id) ON a.id = b.id
	  WHERE a.deleted_at IS NULL');
-- system columns, whole-row values, LATERAL and sublinks reading the side
SELECT a.id, b.id, a.ctid IS NOT NULL AS has_ctid, a.tableoid::regclass AS tab, a AS whole,
	(SELECT a.xmin IS NOT NULL) AS sub_xmin, l.twice
  FROM a FULL JOIN b ON a.id = b.id, LATERAL (SELECT a.x * 2 AS twice) l
 ORDER BY 1, 2;
EXPLAIN (COSTS OFF) SELECT * FROM a FULL JOIN b ON a.id = b.id;
SELECT count(*) FROM a TABLESAMPLE SYSTEM (100) FULL JOIN ONLY b ON a.id = b.id;
-- column privileges: those of the query, not of every column
CREATE ROLE fjm_reader;
GRANT USAGE ON SCHEMA fjm TO fjm_reader;
GRANT SELECT (id) ON a TO fjm_reader;
GRANT SELECT ON b TO fjm_reader;
SET ROLE fjm_reader;
SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id ORDER BY 1, 2;
SELECT a.v FROM a FULL JOIN b ON a.id = b.id;
RESET ROLE;
-- row-level security of the side applies
CREATE TABLE r (id int, owner text);
INSERT INTO r VALUES (1, 'fjm_reader'), (2, 'other'), (4, 'fjm_reader');
ALTER TABLE r ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON r USING (owner = current_user);
GRANT SELECT ON r TO fjm_reader;
SELECT softdelete.enable('r');
DELETE FROM r WHERE id = 4;
SET ROLE fjm_reader;
SELECT r.id, b.id FROM r FULL JOIN b ON r.id = b.id ORDER BY 1, 2;
RESET ROLE;

-- MERGE: a deleted source row matches nothing and is not NOT MATCHED either
CREATE TABLE t (id int PRIMARY KEY, v text);
MERGE INTO t USING a ON t.id = a.id WHEN NOT MATCHED THEN INSERT VALUES (a.id, a.v);
SELECT * FROM t ORDER BY id;
-- a source filter written in the ON clause does not keep deleted source rows
-- out of NOT MATCHED: the filter is still added
MERGE INTO t USING a s ON t.id = s.id AND s.deleted_at IS NULL
	WHEN MATCHED THEN UPDATE SET v = s.v || '!'
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v);
SELECT * FROM t ORDER BY id;
EXPLAIN (COSTS OFF) MERGE INTO t USING a s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v);
-- a source that is a join, with an enabled table on its preserved side
MERGE INTO t USING (a LEFT JOIN b ON a.id = b.id) ON t.id = a.id
	WHEN MATCHED THEN UPDATE SET v = coalesce(b.y::text, 'none');
SELECT * FROM t ORDER BY id;
-- source and target the same enabled table
MERGE INTO a USING a s ON a.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x + 1;
SELECT id, x FROM a ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, x FROM a ORDER BY id;
RESET softdelete.include_deleted;

RESET search_path;
DROP SCHEMA fjm CASCADE;
DROP ROLE fjm_reader;
