-- softdelete.undo(xid8) (1.7): restore exactly what one transaction
-- deleted, across flag, boolean and archive tables, parents before
-- children, and refuse as a whole when that is no longer possible.
-- the outcome, or the error's SQLSTATE, message and detail (xids vary)
CREATE FUNCTION try_undo(x xid8) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	RETURN QUERY SELECT format('%s %s', u.table_name, u.restored)
				   FROM softdelete.undo(x) u ORDER BY u.table_name::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN NEXT SQLSTATE || ': ' || replace(SQLERRM, coalesce(x::text, '-'), 'X') ||
		coalesce(' (' || nullif(detail, '') || ')', '');
END
$$;
CREATE TABLE u_p (id int PRIMARY KEY, v text);
CREATE TABLE u_c (id int PRIMARY KEY, pid int REFERENCES u_p ON DELETE CASCADE,
				  gone boolean NOT NULL DEFAULT false);
CREATE TABLE u_g (id int PRIMARY KEY, cid int REFERENCES u_c ON DELETE CASCADE);
SELECT softdelete.enable('u_p', deleted_by => 'deleted_by');
SELECT softdelete.enable('u_c', 'gone');
SELECT softdelete.enable_archive('u_g');
INSERT INTO u_p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
INSERT INTO u_c VALUES (10, 1), (11, 1), (20, 2), (30, 3), (40, 4);
CREATE TABLE u_k0 (id int PRIMARY KEY);
SELECT softdelete.enable('u_k0');
INSERT INTO u_k0 VALUES (1);
INSERT INTO u_g VALUES (100, 10), (101, 11), (200, 20), (300, 30), (400, 40);

-- deleted earlier by another transaction: stays deleted
DELETE FROM u_p WHERE id = 4;

-- the mistake: one statement, a savepoint that commits, one that rolls back
BEGIN;
SET LOCAL softdelete.actor = 'user:42';
SET LOCAL softdelete.reason = 'cleanup';
DELETE FROM u_p WHERE id = 1;
SAVEPOINT s1;
DELETE FROM u_c WHERE id = 20;
RELEASE s1;
SAVEPOINT s2;
DELETE FROM u_p WHERE id = 3;
ROLLBACK TO s2;
SELECT pg_current_xact_id() AS mistake \gset
COMMIT;

SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM u_p ORDER BY id;
SELECT id, gone FROM u_c ORDER BY id;
RESET softdelete.include_deleted;
SELECT id, archived_by, archived_reason FROM u_g_archive ORDER BY id;
-- what the log says (a superuser reads it)
SELECT relid, rows, actor, reason, cardinality(subxids) AS subtransactions
  FROM softdelete.deletions WHERE xid = :'mistake' ORDER BY relid::text;

-- in order: parents first
SELECT * FROM softdelete.undo(:'mistake');
SELECT id FROM u_p ORDER BY id;
SELECT id FROM u_c ORDER BY id;
SELECT id FROM u_g ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by FROM u_p ORDER BY id;
RESET softdelete.include_deleted;
-- twice: nothing left of it
SELECT * FROM try_undo(:'mistake');

-- bad input
SELECT * FROM try_undo(NULL);
SELECT * FROM softdelete.undo('999999999999'::xid8);
BEGIN;
INSERT INTO u_p VALUES (5, 'e');
SELECT pg_current_xact_id() AS inserted_only \gset
COMMIT;
SELECT * FROM try_undo(:'inserted_only');
BEGIN;
DELETE FROM u_p WHERE id = 5;
SELECT pg_current_xact_id() AS rolled_back \gset
ROLLBACK;
SELECT * FROM try_undo(:'rolled_back');
SELECT count(*) FROM softdelete.deletions WHERE xid = :'rolled_back';
BEGIN;
DELETE FROM u_p WHERE id = 5;
SELECT * FROM try_undo(pg_current_xact_id());
ROLLBACK;

-- one transaction, one table: one actor and one reason
BEGIN;
SET LOCAL softdelete.reason = 'first';
DELETE FROM u_p WHERE id = 5;
SET LOCAL softdelete.reason = 'second';
DELETE FROM u_p WHERE id = 2;
ROLLBACK;
BEGIN;
SET LOCAL softdelete.actor = 'user:1';
DELETE FROM u_p WHERE id = 5;
SET LOCAL softdelete.actor = 'user:2';
DELETE FROM u_p WHERE id = 2;
ROLLBACK;
-- also after many values in between (a value's memory is reused by later ones)
BEGIN;
SET LOCAL softdelete.actor = 'user:1';
DELETE FROM u_p WHERE id = 5;
SELECT count(set_config('softdelete.actor', 'user:' || g % 10, true)) FROM generate_series(2, 59) g;
DELETE FROM u_p WHERE id = 2;
ROLLBACK;
BEGIN;
SET LOCAL softdelete.reason = 'r1';
DELETE FROM u_p WHERE id = 5;
SELECT count(set_config('softdelete.reason', 'r' || g % 10, true)) FROM generate_series(2, 59) g;
DELETE FROM u_p WHERE id = 2;
ROLLBACK;
-- another table may have its own
BEGIN;
SET LOCAL softdelete.reason = 'first';
DELETE FROM u_p WHERE id = 5;
SET LOCAL softdelete.reason = 'second';
DELETE FROM u_k0 WHERE id = 1;
SELECT relid, reason FROM softdelete.deletions WHERE xid = pg_current_xact_id();
COMMIT;
SELECT relid, reason FROM softdelete.deletions ORDER BY xid DESC, relid::text LIMIT 2;

-- softdelete.deleting() records only what a soft delete of an enabled table counts
BEGIN;
SELECT softdelete.deleting(1, 'pg_class'::regclass), softdelete.deleting(true, 0);
SELECT pg_current_xact_id() AS by_hand \gset
COMMIT;
SELECT count(*) FROM softdelete.deletions WHERE xid = :'by_hand';

-- a row purged since: refused, nothing restored
BEGIN;
DELETE FROM u_p WHERE id IN (2, 5);
SELECT pg_current_xact_id() AS purged \gset
COMMIT;
BEGIN;
SET LOCAL softdelete.include_deleted = on;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM u_g_archive WHERE id = 200;
COMMIT;
SELECT * FROM try_undo(:'purged');
BEGIN;
DELETE FROM u_p WHERE id = 3;
SELECT pg_current_xact_id() AS purged \gset
COMMIT;
SELECT softdelete.purge('u_c');
SELECT * FROM try_undo(:'purged');
SELECT id FROM u_p ORDER BY id;

-- a key reused since (a unique key over live rows only): refused
CREATE TABLE u_k (id int PRIMARY KEY, code text UNIQUE);
SELECT softdelete.enable('u_k', replace_unique => true);
INSERT INTO u_k VALUES (1, 'x'), (2, 'y');
BEGIN;
DELETE FROM u_k;
SELECT pg_current_xact_id() AS reused \gset
COMMIT;
INSERT INTO u_k VALUES (3, 'x');
SELECT * FROM try_undo(:'reused');
SELECT id, code FROM u_k ORDER BY id;
DELETE FROM u_k WHERE id = 3;
SELECT * FROM try_undo(:'reused');
SELECT id, code FROM u_k ORDER BY id;

-- archive mode alone, and a partitioned flag table
CREATE TABLE u_a (id int PRIMARY KEY, v text);
SELECT softdelete.enable_archive('u_a');
CREATE TABLE u_parts (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE u_parts_eu PARTITION OF u_parts FOR VALUES IN ('eu');
CREATE TABLE u_parts_us PARTITION OF u_parts FOR VALUES IN ('us');
SELECT softdelete.enable('u_parts');
INSERT INTO u_a VALUES (1, 'one'), (2, 'two');
INSERT INTO u_parts VALUES (1, 'eu'), (2, 'us'), (3, 'us');
BEGIN;
DELETE FROM u_a WHERE id = 1;
DELETE FROM u_parts WHERE id < 3;
SELECT pg_current_xact_id() AS mixed \gset
COMMIT;
SELECT * FROM try_undo(:'mixed');
SELECT id, v FROM u_a ORDER BY id;
SELECT id, region FROM u_parts ORDER BY id;
-- archive mode: a key taken by a new live row
BEGIN;
DELETE FROM u_a WHERE id = 2;
SELECT pg_current_xact_id() AS taken \gset
COMMIT;
INSERT INTO u_a VALUES (2, 'new two');
SELECT * FROM try_undo(:'taken');
SELECT id, v FROM u_a ORDER BY id;

-- the caller must be allowed to restore every table, or nothing happens
CREATE ROLE u_clerk;
GRANT SELECT, DELETE ON u_p, u_c, u_g TO u_clerk;
BEGIN;
DELETE FROM u_p WHERE id = 1;
SELECT pg_current_xact_id() AS clerks \gset
COMMIT;
SET ROLE u_clerk;
SELECT * FROM try_undo(:'clerks');
RESET ROLE;
SELECT id FROM u_p WHERE id = 1;
SELECT * FROM try_undo(:'clerks');
SELECT id FROM u_p WHERE id = 1;
SELECT id FROM u_c WHERE pid = 1 ORDER BY id;

-- a row of the log that arrives by INSERT (a restore, logical replication
-- applying as replica) is marked arrived: undo does not match rows to it
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO softdelete.deletions (xid, relid, subxids, rows, actor, deleted_at)
	VALUES ('3', 'u_p', '{3}', 1, 'elsewhere', now());
SELECT arrived FROM softdelete.deletions WHERE xid = '3';
ROLLBACK;
SELECT tgenabled FROM pg_trigger WHERE tgname = 'deletions_arrived';
INSERT INTO softdelete.deletions (xid, relid, subxids, rows, actor, deleted_at)
	VALUES ('3', 'u_p', '{3}', 1, 'elsewhere', now());
SELECT arrived FROM softdelete.deletions WHERE xid = '3';
SELECT * FROM try_undo('3');
DELETE FROM softdelete.deletions WHERE xid = '3';

-- a table disabled since, then dropped
CREATE TABLE u_x (id int PRIMARY KEY);
SELECT softdelete.enable('u_x');
INSERT INTO u_x VALUES (1);
BEGIN;
DELETE FROM u_x;
SELECT pg_current_xact_id() AS xd \gset
COMMIT;
SELECT softdelete.disable('u_x');
SELECT * FROM try_undo(:'xd');
DROP TABLE u_x;
SELECT * FROM try_undo(:'xd');

-- dropping a table drops its part of the log
SELECT count(*) > 0 AS logged FROM softdelete.deletions WHERE relid::text LIKE 'u\_%';
SELECT array_agg(DISTINCT relid::oid) AS u_rels FROM softdelete.deletions WHERE relid::text LIKE 'u\_%' \gset
DROP TABLE u_g, u_c, u_p, u_k, u_k0, u_a, u_parts CASCADE;
DROP FUNCTION try_undo(xid8);
DROP TABLE u_g_archive, u_a_archive;
DROP ROLE u_clerk;
SELECT count(*) FROM softdelete.deletions WHERE relid::oid = ANY (:'u_rels'::oid[]);
