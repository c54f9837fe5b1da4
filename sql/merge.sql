-- MERGE on enabled tables: deleted target rows do not exist (NOT MATCHED),
-- deleted source rows do not exist, WHEN MATCHED THEN DELETE soft-deletes.
CREATE TABLE merge_tgt (id int, val text);
INSERT INTO merge_tgt VALUES (1, 't1'), (2, 't2'), (3, 't3'), (4, 't4'), (5, 't5');
SELECT softdelete.enable('merge_tgt');

-- WHEN MATCHED THEN DELETE marks the row; the tag says MERGE n
\set QUIET off
MERGE INTO merge_tgt t USING (VALUES (2), (4)) s(id) ON t.id = s.id
	WHEN MATCHED THEN DELETE;
-- the rows are gone for MERGE too: nothing matches any more
MERGE INTO merge_tgt t USING (VALUES (2), (4)) s(id) ON t.id = s.id
	WHEN MATCHED THEN DELETE;
-- WHEN MATCHED THEN UPDATE skips the deleted rows
MERGE INTO merge_tgt t USING (VALUES (1, 'u1'), (2, 'u2')) s(id, val) ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET val = s.val;
\set QUIET on
SELECT id, val FROM merge_tgt ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, val, deleted_at IS NOT NULL AS deleted FROM merge_tgt ORDER BY id;
RESET softdelete.include_deleted;

-- under include_deleted, MERGE sees the deleted row, and a DELETE action
-- keeps its first stamp
SET softdelete.include_deleted = on;
CREATE TEMP TABLE merge_stamp AS SELECT deleted_at FROM merge_tgt WHERE id = 2;
MERGE INTO merge_tgt t USING (VALUES (2)) s(id) ON t.id = s.id
	WHEN MATCHED THEN DELETE;
SELECT t.deleted_at = m.deleted_at AS same_stamp
  FROM merge_tgt t, merge_stamp m WHERE t.id = 2;
RESET softdelete.include_deleted;
DROP TABLE merge_stamp;

-- Every clause at once, with deleted rows on both sides.
-- target live: 1 3 5 (2, 4 deleted); source live: 1 2 4 5 6 (3, 7 deleted)
CREATE TABLE merge_src (id int, val text);
INSERT INTO merge_src VALUES
	(1, 'del'), (2, 's2'), (3, 's3'), (4, 'del'), (5, 's5'), (6, 's6'), (7, 's7');
SELECT softdelete.enable('merge_src');
DELETE FROM merge_src WHERE id IN (3, 7);
UPDATE merge_tgt SET val = 't1' WHERE id = 1;
-- plain copies holding only the live rows: what MERGE must behave like
CREATE TABLE merge_tgt_copy AS SELECT id, val FROM merge_tgt;
CREATE TABLE merge_src_copy AS SELECT id, val FROM merge_src;
SELECT id, val FROM merge_tgt_copy ORDER BY id;
SELECT id, val FROM merge_src_copy ORDER BY id;

\set QUIET off
MERGE INTO merge_tgt t USING merge_src s ON t.id = s.id
	WHEN MATCHED AND s.val = 'del' THEN DELETE
	WHEN MATCHED THEN UPDATE SET val = s.val
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.val);
MERGE INTO merge_tgt_copy t USING merge_src_copy s ON t.id = s.id
	WHEN MATCHED AND s.val = 'del' THEN DELETE
	WHEN MATCHED THEN UPDATE SET val = s.val
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.val);
\set QUIET on
SELECT id, val FROM merge_tgt ORDER BY id, val;
SELECT count(*) AS mismatches FROM (
	(SELECT id, val FROM merge_tgt EXCEPT ALL SELECT id, val FROM merge_tgt_copy)
	UNION ALL
	(SELECT id, val FROM merge_tgt_copy EXCEPT ALL SELECT id, val FROM merge_tgt)) d;
-- the deleted rows stay, and the source is unchanged
SET softdelete.include_deleted = on;
SELECT id, val, deleted_at IS NOT NULL AS deleted FROM merge_tgt ORDER BY id, val;
SELECT id, val, deleted_at IS NOT NULL AS deleted FROM merge_src ORDER BY id;
RESET softdelete.include_deleted;

-- a plain target merged from an enabled source gets only live source rows
CREATE TABLE merge_plain (id int, val text);
\set QUIET off
MERGE INTO merge_plain t USING merge_src s ON t.id = s.id
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.val);
\set QUIET on
SELECT id, val FROM merge_plain ORDER BY id;
DROP TABLE merge_plain;

-- With a unique key, a deleted row is absent to MERGE but still holds its
-- key: the NOT MATCHED INSERT collides with it (as INSERT does).
CREATE TABLE merge_pk (id int PRIMARY KEY, val text);
INSERT INTO merge_pk VALUES (1, 'one'), (2, 'two');
SELECT softdelete.enable('merge_pk');
DELETE FROM merge_pk WHERE id = 1;
MERGE INTO merge_pk t USING (VALUES (1, 'again')) s(id, val) ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET val = s.val
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.val);
\echo :LAST_ERROR_SQLSTATE
SET softdelete.include_deleted = on;
SELECT id, val, deleted_at IS NOT NULL AS deleted FROM merge_pk ORDER BY id;
RESET softdelete.include_deleted;
-- restore the row, and the same MERGE updates it
SELECT softdelete.restore('merge_pk', 'id = 1');
MERGE INTO merge_pk t USING (VALUES (1, 'again')) s(id, val) ON t.id = s.id
	WHEN MATCHED THEN UPDATE SET val = s.val
	WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.val);
SELECT id, val FROM merge_pk ORDER BY id;

DROP TABLE merge_pk;
DROP TABLE merge_tgt, merge_tgt_copy, merge_src, merge_src_copy;
