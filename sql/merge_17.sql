-- MERGE as PostgreSQL 17 extends it: WHEN NOT MATCHED BY SOURCE, and
-- RETURNING with merge_action().  A deleted target row is invisible to NOT
-- MATCHED BY SOURCE; a DELETE action soft-deletes, and RETURNING reports it
-- as the DELETE it is, in flag and archive mode.
SELECT current_setting('server_version_num')::int < 170000 AS before_17 \gset
\if :before_17
\echo 'WHEN NOT MATCHED BY SOURCE and MERGE ... RETURNING are new in PostgreSQL 17'
\quit
\endif
CREATE SCHEMA m17;
SET search_path = m17, public;

CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE s (id int PRIMARY KEY, v text);
INSERT INTO t VALUES (1, 't1'), (2, 't2'), (3, 't3'), (4, 't4');
INSERT INTO s VALUES (1, 's1'), (5, 's5'), (6, 's6');
SELECT softdelete.enable('t');
SELECT softdelete.enable('s');
DELETE FROM t WHERE id = 4;
DELETE FROM s WHERE id = 6;

-- NOT MATCHED BY SOURCE: the live unmatched target rows 2 and 3, never the
-- deleted 4; the deleted source row 6 is not NOT MATCHED BY TARGET
MERGE INTO t USING s ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET v = s.v
	WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = t.v || ' orphan'
	WHEN NOT MATCHED BY TARGET THEN INSERT VALUES (s.id, s.v)
	RETURNING merge_action(), t.id, t.v, t.deleted_at IS NOT NULL AS deleted;
SET softdelete.include_deleted = on;
SELECT id, v, deleted_at IS NOT NULL AS deleted FROM t ORDER BY id;
RESET softdelete.include_deleted;

-- NOT MATCHED BY SOURCE THEN DELETE soft-deletes; RETURNING says DELETE for
-- the rows of a DELETE action and UPDATE for those of an UPDATE action
MERGE INTO t USING s ON t.id = s.id
	WHEN MATCHED AND t.id = 1 THEN UPDATE SET v = 'kept'
	WHEN MATCHED THEN DELETE
	WHEN NOT MATCHED BY SOURCE AND t.id = 2 THEN DELETE
	RETURNING merge_action(), t.id, t.v, t.deleted_at IS NOT NULL AS deleted;
SELECT id, v FROM t ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM t ORDER BY id;
RESET softdelete.include_deleted;
SELECT softdelete.restore('t');
-- in a function, and through a CTE
CREATE FUNCTION m17_actions() RETURNS TABLE (action text, id int) LANGUAGE sql AS $$
	MERGE INTO m17.t USING m17.s ON t.id = s.id
		WHEN MATCHED THEN DELETE
		RETURNING merge_action(), t.id $$;
SELECT * FROM m17_actions() ORDER BY id;
SELECT softdelete.restore('t');
WITH m AS (MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING merge_action() AS a, t.id)
SELECT a, count(*) FROM m GROUP BY a;
SELECT softdelete.restore('t');

-- archive mode: a real delete, archived
CREATE TABLE at (id int PRIMARY KEY, v text);
INSERT INTO at VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
SELECT softdelete.enable_archive('at');
MERGE INTO at USING s ON at.id = s.id
	WHEN MATCHED THEN DELETE
	WHEN NOT MATCHED BY SOURCE AND at.id = 3 THEN DELETE
	WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = 'unmatched'
	RETURNING merge_action(), at.*;
SELECT id, v FROM at ORDER BY id;
SELECT id, v, archive_op FROM at_archive ORDER BY archive_id;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA m17 CASCADE;
RESET client_min_messages;
