-- softdelete.restore and softdelete.purge, disable/enable, and the
-- registrations seen through softdelete.tables.
CREATE TABLE rp_item (id int PRIMARY KEY, name text);
INSERT INTO rp_item SELECT g, 'n' || g FROM generate_series(1, 8) g;
SELECT softdelete.enable('rp_item');
DELETE FROM rp_item WHERE id IN (1, 2, 3, 4, 5);
SELECT id, name FROM rp_item ORDER BY id;

-- restore with a filter: returns how many rows came back
SELECT softdelete.restore('rp_item', 'id = 2');
SELECT id, name FROM rp_item ORDER BY id;
-- the filter is any boolean expression over the columns; live rows that
-- match are not counted
SELECT softdelete.restore('rp_item', 'id IN (3, 6, 7) AND name LIKE ''n%''');
-- nothing matches
SELECT softdelete.restore('rp_item', 'id = 2');
SELECT softdelete.restore('rp_item', 'false');
-- a NULL filter result restores nothing
SELECT softdelete.restore('rp_item', 'NULL');
-- other objects must be schema-qualified (search_path is pg_catalog)
SELECT softdelete.restore('rp_item', 'pg_catalog.upper(name) = ''N4''');
SELECT id, name FROM rp_item ORDER BY id;
-- NULL filter: every deleted row
DELETE FROM rp_item WHERE id IN (6, 7);
SELECT softdelete.restore('rp_item', NULL);
SELECT softdelete.restore('rp_item');
SELECT id, name FROM rp_item ORDER BY id;
SET softdelete.include_deleted = on;
SELECT count(*) FILTER (WHERE deleted_at IS NOT NULL) AS deleted, count(*) AS total FROM rp_item;
RESET softdelete.include_deleted;

-- purge: physically erases rows deleted at least older_than ago
DELETE FROM rp_item WHERE id IN (1, 2, 3);
SET softdelete.include_deleted = on;
-- backdate the stamp of row 1
UPDATE rp_item SET deleted_at = now() - interval '2 hours' WHERE id = 1;
RESET softdelete.include_deleted;
SELECT softdelete.purge('rp_item', '1 hour');	-- only row 1
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rp_item ORDER BY id;
RESET softdelete.include_deleted;
SELECT softdelete.purge('rp_item', '1 hour');	-- nothing that old
SELECT softdelete.purge('rp_item', '0');	-- rows 2 and 3
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rp_item ORDER BY id;
RESET softdelete.include_deleted;
-- default older_than is 0; live rows are never purged
DELETE FROM rp_item WHERE id = 8;
SELECT softdelete.purge('rp_item');
SELECT softdelete.purge('rp_item');
SELECT softdelete.restore('rp_item');
SELECT id, name FROM rp_item ORDER BY id;
-- a purged row cannot be restored, and its key is free again
INSERT INTO rp_item VALUES (1, 'new1');
SELECT id, name FROM rp_item ORDER BY id;

-- restore and purge on a partitioned table: every partition
CREATE TABLE rp_part (id int, name text) PARTITION BY LIST (id);
CREATE TABLE rp_part_a PARTITION OF rp_part FOR VALUES IN (1, 2, 3);
CREATE TABLE rp_part_b PARTITION OF rp_part FOR VALUES IN (4, 5, 6);
INSERT INTO rp_part SELECT g, 'p' || g FROM generate_series(1, 6) g;
SELECT softdelete.enable('rp_part');
DELETE FROM rp_part WHERE id IN (1, 2, 4, 5);
SELECT softdelete.restore('rp_part', 'id IN (2, 5)');
SELECT tableoid::regclass AS part, id FROM rp_part ORDER BY id;
SELECT softdelete.purge('rp_part');
SET softdelete.include_deleted = on;
SELECT tableoid::regclass AS part, id, deleted_at IS NOT NULL AS deleted FROM rp_part ORDER BY id;
RESET softdelete.include_deleted;

-- a flag column of type timestamp without time zone
CREATE TABLE rp_ts (id int, gone timestamp);
INSERT INTO rp_ts VALUES (1, NULL), (2, NULL), (3, NULL), (4, NULL);
SELECT softdelete.enable('rp_ts', 'gone');
-- the stamp is the transaction's now() in UTC, whatever the session's time zone
BEGIN;
DELETE FROM rp_ts WHERE id IN (1, 2, 3)
	RETURNING id, gone IS NOT NULL AS deleted, gone = (now() AT TIME ZONE 'UTC') AS stamp_is_now;
COMMIT;
SELECT id FROM rp_ts ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, gone IS NOT NULL AS deleted FROM rp_ts ORDER BY id;
UPDATE rp_ts SET gone = gone - interval '1 day' WHERE id = 1;
RESET softdelete.include_deleted;
SELECT softdelete.restore('rp_ts', 'id = 2');
SELECT softdelete.purge('rp_ts', '12 hours');
SET softdelete.include_deleted = on;
SELECT id, gone IS NOT NULL AS deleted FROM rp_ts ORDER BY id;
RESET softdelete.include_deleted;

-- softdelete.tables lists the registrations
SELECT table_name, mode, column_name, archive, versions
  FROM softdelete.tables
 WHERE table_name::text LIKE 'rp\_%' ORDER BY table_name::text;

-- disable: the column and its values stay, and every row shows
DELETE FROM rp_item WHERE id IN (4, 5);
SELECT softdelete.disable('rp_item');
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM rp_item ORDER BY id;
-- DELETE is physical again
DELETE FROM rp_item WHERE id = 6;
SELECT id FROM rp_item ORDER BY id;
SELECT count(*) AS registered FROM softdelete.tables WHERE table_name = 'rp_item'::regclass;
-- re-enable: the rows flagged earlier are hidden again
SELECT softdelete.enable('rp_item');
SELECT id, name FROM rp_item ORDER BY id;
SELECT softdelete.restore('rp_item', 'id = 4');
SELECT id, name FROM rp_item ORDER BY id;

-- renaming the flag column: the registration follows, everything works
ALTER TABLE rp_item RENAME COLUMN deleted_at TO removed_at;
SELECT column_name FROM softdelete.tables WHERE table_name = 'rp_item'::regclass;
SELECT id, name FROM rp_item ORDER BY id;
DELETE FROM rp_item WHERE id = 7;
SELECT id, name FROM rp_item ORDER BY id;
SELECT softdelete.restore('rp_item', 'id = 5');
SELECT softdelete.purge('rp_item');
SET softdelete.include_deleted = on;
SELECT id, name, removed_at IS NOT NULL AS deleted FROM rp_item ORDER BY id;
RESET softdelete.include_deleted;
-- renaming the table changes nothing either
ALTER TABLE rp_item RENAME TO rp_item2;
DELETE FROM rp_item2 WHERE id = 5;
SELECT id, name FROM rp_item2 ORDER BY id;
SELECT table_name, column_name FROM softdelete.tables
 WHERE table_name::text LIKE 'rp\_%' ORDER BY table_name::text;

-- dropping an enabled table removes its registration
DROP TABLE rp_item2;
DROP TABLE rp_part;
DROP TABLE rp_ts;
SELECT count(*) AS registered FROM softdelete.tables WHERE table_name::text LIKE 'rp\_%';
SELECT count(*) AS registry_rows FROM softdelete.registry
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = relid);
