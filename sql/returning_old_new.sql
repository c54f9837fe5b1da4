-- RETURNING old.* / new.* (PostgreSQL 18): a DELETE on an enabled table
-- returns what a real delete would, the row as it was and no new row, also
-- from MERGE's DELETE actions; its unqualified columns show the row as it
-- now is (the stamp set), as on every major.  Archive mode deletes for real.
SELECT current_setting('server_version_num')::int < 180000 AS before_18 \gset
\if :before_18
\echo 'RETURNING old.* and new.* are new in PostgreSQL 18'
\quit
\endif
CREATE SCHEMA ron;
SET search_path = ron, public;

CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
SELECT softdelete.enable('t');
DELETE FROM t WHERE id = 1
	RETURNING old.id, old.v, old.deleted_at IS NULL AS old_live,
		new.id AS new_id, new.v AS new_v, new IS NULL AS no_new_row,
		deleted_at IS NOT NULL AS now_deleted;
DELETE FROM t WHERE id = 2 RETURNING WITH (OLD AS o, NEW AS n) o.v, n.v, n.*;
-- under include_deleted a DELETE of a deleted row deletes nothing: it keeps
-- its stamp, and nothing is returned
SET softdelete.include_deleted = on;
DELETE FROM t WHERE id = 1 RETURNING old.deleted_at = deleted_at AS stamp_kept, new.deleted_at;
RESET softdelete.include_deleted;
-- through a view, and in a sublink
CREATE VIEW tv AS SELECT id, upper(v) AS uv FROM t;
DELETE FROM tv WHERE id = 3 RETURNING old.uv, new.uv, (SELECT new.id IS NULL) AS sub_new_null;
-- an UPDATE still has its new row
UPDATE t SET v = 'dd' WHERE id = 4 RETURNING old.v, new.v;

-- MERGE: new.* is NULL for the rows of DELETE actions only
SELECT softdelete.restore('t');
CREATE TABLE s (id int PRIMARY KEY);
INSERT INTO s VALUES (1), (2), (5);
MERGE INTO t USING s ON t.id = s.id
	WHEN MATCHED AND t.id = 1 THEN UPDATE SET v = 'upd'
	WHEN MATCHED THEN DELETE
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'new')
	RETURNING merge_action(), old.id AS old_id, old.v AS old_v, new.id AS new_id, new.v AS new_v;

-- archive mode
CREATE TABLE a (id int PRIMARY KEY, v text);
INSERT INTO a VALUES (1, 'x'), (2, 'y');
SELECT softdelete.enable_archive('a');
DELETE FROM a WHERE id = 1 RETURNING old.*, new.*;
MERGE INTO a USING s ON a.id = s.id WHEN MATCHED THEN DELETE
	RETURNING merge_action(), old.v, new.v;
SELECT id, v FROM a_archive ORDER BY id;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ron CASCADE;
RESET client_min_messages;
