-- Visibility in partitioned tables and inheritance trees: enabling the parent
-- covers every partition and child, also those attached later, whether a
-- query names the parent or the partition.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL" in the right place, run with the
-- bypass on; then mismatches(q, h) checks automatically that both return the
-- same multiset of rows.
CREATE SCHEMA vis_part;
SET search_path = vis_part, public;

\i sql/include/mismatches.sql

CREATE TABLE ev (id int, region text, payload text) PARTITION BY LIST (region);
CREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu');
CREATE TABLE ev_us PARTITION OF ev FOR VALUES IN ('us');
CREATE TABLE ev_as PARTITION OF ev FOR VALUES IN ('as') PARTITION BY RANGE (id);
CREATE TABLE ev_as_lo PARTITION OF ev_as FOR VALUES FROM (0) TO (100);
CREATE TABLE ev_as_hi PARTITION OF ev_as FOR VALUES FROM (100) TO (1000);
INSERT INTO ev VALUES (1, 'eu', 'a'), (2, 'eu', 'b'), (3, 'eu', 'c'),
	(4, 'us', 'd'), (5, 'us', 'e'), (6, 'as', 'f'), (7, 'as', 'g'),
	(150, 'as', 'h'), (151, 'as', 'i');

-- A partition, or a sub-partition, cannot be enabled alone.
SELECT softdelete.enable('ev_eu');
SELECT softdelete.enable('ev_as');
SELECT softdelete.enable('ev_as_lo');
SELECT softdelete.enable('ev');
SELECT table_name FROM softdelete.tables WHERE table_name::text LIKE 'ev%' ORDER BY 1;

-- DELETE through the parent, through a partition, through a sub-partition.
DELETE FROM ev WHERE id IN (2, 6, 150);
DELETE FROM ev_us WHERE id = 5;
DELETE FROM ev_as_hi WHERE id = 151;
-- Nothing was removed: every row is still there, marked.
SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS part, id, deleted_at IS NOT NULL AS deleted FROM ev ORDER BY id;
RESET softdelete.include_deleted;

-- The parent.
\set q 'SELECT tableoid::regclass AS part, id, payload FROM ev ORDER BY id'
\set h 'SELECT tableoid::regclass AS part, id, payload FROM ev WHERE deleted_at IS NULL ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- The parent, pruned to one sub-partitioned partition.
\set q 'SELECT tableoid::regclass AS part, id FROM ev WHERE region = ''as'' AND id > 5 ORDER BY id'
\set h 'SELECT tableoid::regclass AS part, id FROM ev WHERE region = ''as'' AND id > 5 AND deleted_at IS NULL ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A partition named directly.
\set q 'SELECT id, payload FROM ev_eu ORDER BY id'
\set h 'SELECT id, payload FROM ev_eu WHERE deleted_at IS NULL ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A sub-partitioned partition and its leaves named directly.
\set q 'SELECT ''ev_as'' AS rel, id FROM ev_as UNION ALL SELECT ''ev_as_lo'', id FROM ev_as_lo UNION ALL SELECT ''ev_as_hi'', id FROM ev_as_hi ORDER BY 1, 2'
\set h 'SELECT ''ev_as'' AS rel, id FROM ev_as WHERE deleted_at IS NULL UNION ALL SELECT ''ev_as_lo'', id FROM ev_as_lo WHERE deleted_at IS NULL UNION ALL SELECT ''ev_as_hi'', id FROM ev_as_hi WHERE deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- The parent joined to one of its partitions, the partition on the nullable side.
\set q 'SELECT e.id, x.id AS eu_next FROM ev e LEFT JOIN ev_eu x ON x.id = e.id + 1 ORDER BY 1'
\set h 'SELECT e.id, x.id AS eu_next FROM ev e LEFT JOIN ev_eu x ON x.id = e.id + 1 AND x.deleted_at IS NULL WHERE e.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Counting per partition.
\set q 'SELECT region, count(*) FROM ev GROUP BY region ORDER BY 1'
\set h 'SELECT region, count(*) FROM ev WHERE deleted_at IS NULL GROUP BY region ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A partition created after enabling is covered.
CREATE TABLE ev_jp PARTITION OF ev FOR VALUES IN ('jp');
INSERT INTO ev VALUES (30, 'jp', 'j'), (31, 'jp', 'k');
DELETE FROM ev_jp WHERE id = 31;

-- A table attached after enabling, its columns in another order, one
-- dropped: before attaching it is not enabled and shows every row ...
CREATE TABLE ev_br (payload text, deleted_at timestamptz, dropme int, region text, id int);
ALTER TABLE ev_br DROP COLUMN dropme;
INSERT INTO ev_br VALUES ('x', NULL, 'br', 20), ('y', '2020-01-01', 'br', 21), ('z', NULL, 'br', 22);
SELECT id, payload FROM ev_br ORDER BY id;
ALTER TABLE ev ATTACH PARTITION ev_br FOR VALUES IN ('br');
-- ... after, it is covered, whether named directly or through the parent.
DELETE FROM ev_br WHERE id = 22;

-- A partitioned table attached with its own partition, and a leaf attached
-- below a sub-partitioned partition.
CREATE TABLE ev_af (id int, region text, payload text, deleted_at timestamptz) PARTITION BY RANGE (id);
CREATE TABLE ev_af_1 PARTITION OF ev_af FOR VALUES FROM (0) TO (100);
INSERT INTO ev_af VALUES (40, 'af', 'l'), (41, 'af', 'm');
UPDATE ev_af SET deleted_at = '2020-01-01' WHERE id = 41;
SELECT id FROM ev_af_1 ORDER BY id;
ALTER TABLE ev ATTACH PARTITION ev_af FOR VALUES IN ('af');
CREATE TABLE ev_as_top (id int, region text, payload text, deleted_at timestamptz);
INSERT INTO ev_as_top VALUES (1500, 'as', 'n', NULL), (1501, 'as', 'o', '2020-01-01');
SELECT id FROM ev_as_top ORDER BY id;
ALTER TABLE ev_as ATTACH PARTITION ev_as_top FOR VALUES FROM (1000) TO (2000);

-- The partitions added later, named directly.
\set q 'SELECT ''ev_jp'' AS rel, id FROM ev_jp UNION ALL SELECT ''ev_br'', id FROM ev_br UNION ALL SELECT ''ev_af'', id FROM ev_af UNION ALL SELECT ''ev_af_1'', id FROM ev_af_1 UNION ALL SELECT ''ev_as_top'', id FROM ev_as_top ORDER BY 1, 2'
\set h 'SELECT ''ev_jp'' AS rel, id FROM ev_jp WHERE deleted_at IS NULL UNION ALL SELECT ''ev_br'', id FROM ev_br WHERE deleted_at IS NULL UNION ALL SELECT ''ev_af'', id FROM ev_af WHERE deleted_at IS NULL UNION ALL SELECT ''ev_af_1'', id FROM ev_af_1 WHERE deleted_at IS NULL UNION ALL SELECT ''ev_as_top'', id FROM ev_as_top WHERE deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- The whole tree through the parent.
\set q 'SELECT tableoid::regclass AS part, id, payload FROM ev ORDER BY id'
\set h 'SELECT tableoid::regclass AS part, id, payload FROM ev WHERE deleted_at IS NULL ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- An attached partition joined to itself through the parent.
\set q 'SELECT a.id, b.payload FROM ev_br a JOIN ev b ON b.id = a.id ORDER BY 1'
\set h 'SELECT a.id, b.payload FROM ev_br a JOIN ev b ON b.id = a.id WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS part, id, deleted_at IS NOT NULL AS deleted FROM ev WHERE id >= 20 ORDER BY id;
RESET softdelete.include_deleted;

-- Plain inheritance: enabling the parent covers its children, grandchildren,
-- and children added later, by CREATE TABLE ... INHERITS or ALTER TABLE
-- ... INHERIT.
CREATE TABLE animal (id int, name text);
CREATE TABLE dog (breed text) INHERITS (animal);
CREATE TABLE puppy () INHERITS (dog);
CREATE TABLE tagged (tag text);
CREATE TABLE labeled () INHERITS (animal, tagged);
INSERT INTO animal VALUES (1, 'generic'), (2, 'blob');
INSERT INTO dog VALUES (10, 'rex', 'lab'), (11, 'fido', 'pug');
INSERT INTO puppy VALUES (20, 'bit', 'lab'), (21, 'bob', 'pug');
INSERT INTO labeled VALUES (30, 'lab1', 't1'), (31, 'lab2', 't2');
SELECT softdelete.enable('dog');
SELECT softdelete.enable('animal');
DELETE FROM animal WHERE id IN (2, 11);
DELETE FROM dog WHERE id = 21;
DELETE FROM labeled WHERE id = 31;
CREATE TABLE cat () INHERITS (animal);
INSERT INTO cat VALUES (40, 'tom'), (41, 'felix');
DELETE FROM cat WHERE id = 41;
CREATE TABLE bird (id int, name text, deleted_at timestamptz);
INSERT INTO bird VALUES (50, 'tweety', NULL), (51, 'polly', '2020-01-01');
SELECT id, name FROM bird ORDER BY id;
ALTER TABLE bird INHERIT animal;
SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS tbl, id, deleted_at IS NOT NULL AS deleted FROM animal ORDER BY id;
RESET softdelete.include_deleted;

-- The inheritance parent (children included), and ONLY the parent.
\set q 'SELECT tableoid::regclass::text AS tbl, id, name FROM animal UNION ALL SELECT ''only animal'', id, name FROM ONLY animal ORDER BY 1, 2'
\set h 'SELECT tableoid::regclass::text AS tbl, id, name FROM animal WHERE deleted_at IS NULL UNION ALL SELECT ''only animal'', id, name FROM ONLY animal WHERE deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Children and grandchildren named directly.
\set q 'SELECT ''dog'' AS rel, id FROM dog UNION ALL SELECT ''puppy'', id FROM puppy UNION ALL SELECT ''labeled'', id FROM labeled UNION ALL SELECT ''cat'', id FROM cat UNION ALL SELECT ''bird'', id FROM bird ORDER BY 1, 2'
\set h 'SELECT ''dog'' AS rel, id FROM dog WHERE deleted_at IS NULL UNION ALL SELECT ''puppy'', id FROM puppy WHERE deleted_at IS NULL UNION ALL SELECT ''labeled'', id FROM labeled WHERE deleted_at IS NULL UNION ALL SELECT ''cat'', id FROM cat WHERE deleted_at IS NULL UNION ALL SELECT ''bird'', id FROM bird WHERE deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A child joined to the parent.
\set q 'SELECT d.id, d.breed, a.name FROM dog d LEFT JOIN animal a ON a.id = d.id + 1 ORDER BY 1'
\set h 'SELECT d.id, d.breed, a.name FROM dog d LEFT JOIN animal a ON a.id = d.id + 1 AND a.deleted_at IS NULL WHERE d.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET client_min_messages = warning;
DROP SCHEMA vis_part CASCADE;
RESET client_min_messages;
RESET search_path;
