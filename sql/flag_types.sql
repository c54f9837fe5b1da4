-- Flag columns of the other accepted types: timestamp (without time zone)
-- holds UTC, whatever the session's TimeZone, for stamping, purge and restore
-- cascades; a column with fewer fractional digits rounds the instant.  A
-- restore brings back exactly what its cascade deleted, whatever the types
-- and typmods of the flag columns along the chain.
CREATE SCHEMA flt;
SET search_path = flt, public;

-- timestamp: the stamp is now() in UTC
CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamp);
INSERT INTO t VALUES (1), (2);
SELECT softdelete.enable('t');
BEGIN;
SET LOCAL TimeZone = 'America/Los_Angeles';
DELETE FROM t WHERE id = 1;
SET LOCAL softdelete.include_deleted = on;
SELECT deleted_at = (now() AT TIME ZONE 'UTC') AS utc FROM t WHERE id = 1;
COMMIT;
-- purge never erases a row deleted less than older_than ago, in any zone
SET TimeZone = 'UTC';
SELECT softdelete.purge('t', '1 hour');
SET TimeZone = 'Asia/Tokyo';
SELECT softdelete.purge('t', '1 hour');
SET TimeZone = 'America/Los_Angeles';
SELECT softdelete.purge('t', '1 hour');
-- and erases it once it is
SET softdelete.include_deleted = on;
UPDATE t SET deleted_at = deleted_at - interval '61 minutes' WHERE id = 1;
RESET softdelete.include_deleted;
SET TimeZone = 'Asia/Tokyo';
SELECT softdelete.purge('t', '1 hour');
RESET TimeZone;

-- a column of whole seconds: purge waits for the latest instant the
-- rounded stamp may stand for
CREATE TABLE w (id int PRIMARY KEY, deleted_at timestamptz(0));
INSERT INTO w VALUES (1);
SELECT softdelete.enable('w');
BEGIN;
DELETE FROM w;
SELECT softdelete.purge('w', '0.1 seconds');
SET LOCAL softdelete.include_deleted = on;
SELECT deleted_at = now()::timestamptz(0) AS rounded FROM w;
COMMIT;

-- restore cascades over flag columns of other types and typmods
CREATE FUNCTION chain(ptype text, ctype text, gtype text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	res text;
BEGIN
	DROP TABLE IF EXISTS flt.cg, flt.cc, flt.cp;
	EXECUTE format('CREATE TABLE flt.cp (id int PRIMARY KEY, deleted_at %s)', ptype);
	EXECUTE format('CREATE TABLE flt.cc (id int PRIMARY KEY, pid int REFERENCES flt.cp ON DELETE CASCADE, deleted_at %s)', ctype);
	EXECUTE format('CREATE TABLE flt.cg (id int PRIMARY KEY, cid int REFERENCES flt.cc ON DELETE CASCADE, deleted_at %s)', gtype);
	INSERT INTO flt.cp VALUES (1), (2);
	INSERT INTO flt.cc VALUES (10, 1), (11, 1), (12, 1), (20, 2);
	INSERT INTO flt.cg VALUES (100, 10), (101, 11), (200, 20);
	PERFORM softdelete.enable('flt.cg');
	PERFORM softdelete.enable('flt.cc');
	PERFORM softdelete.enable('flt.cp');
	-- 12 and 101 were deleted on their own, an hour earlier: they stay deleted
	DELETE FROM flt.cc WHERE id = 12;
	DELETE FROM flt.cg WHERE id = 101;
	PERFORM set_config('softdelete.include_deleted', 'on', true);
	UPDATE flt.cc SET deleted_at = deleted_at - interval '1 hour' WHERE id = 12;
	UPDATE flt.cg SET deleted_at = deleted_at - interval '1 hour' WHERE id = 101;
	PERFORM set_config('softdelete.include_deleted', 'off', true);
	RETURN 'ok';
END $$;

SELECT chain('timestamptz(0)', 'timestamptz', 'timestamptz(3)');
DELETE FROM cp;
SELECT softdelete.restore('cp', 'id = 1');
SELECT 'cp' AS t, id FROM cp UNION ALL SELECT 'cc', id FROM cc UNION ALL SELECT 'cg', id FROM cg ORDER BY 1, 2;

SELECT chain('timestamptz', 'timestamptz(0)', 'timestamp(2)');
DELETE FROM cp;
SELECT softdelete.restore('cp', 'id = 1');
SELECT 'cp' AS t, id FROM cp UNION ALL SELECT 'cc', id FROM cc UNION ALL SELECT 'cg', id FROM cg ORDER BY 1, 2;

-- a timestamp parent over a timestamptz child, deleted and restored under
-- different time zones
SELECT chain('timestamp', 'timestamptz', 'timestamp(0)');
SET TimeZone = 'America/Los_Angeles';
DELETE FROM cp;
SET TimeZone = 'Asia/Kolkata';
SELECT softdelete.restore('cp', 'id = 1');
SELECT 'cp' AS t, id FROM cp UNION ALL SELECT 'cc', id FROM cc UNION ALL SELECT 'cg', id FROM cg ORDER BY 1, 2;
RESET TimeZone;

SELECT chain('timestamptz(1)', 'timestamp', 'timestamptz');
SET TimeZone = 'Asia/Tokyo';
DELETE FROM cp;
SET TimeZone = 'America/New_York';
SELECT softdelete.restore('cp');
SELECT 'cp' AS t, id FROM cp UNION ALL SELECT 'cc', id FROM cc UNION ALL SELECT 'cg', id FROM cg ORDER BY 1, 2;
RESET TimeZone;

-- a flag-mode parent with a timestamp flag over an archive-mode child
DROP TABLE cg, cc, cp;
CREATE TABLE fp (id int PRIMARY KEY, deleted_at timestamp(0));
CREATE TABLE ac (id int PRIMARY KEY, pid int REFERENCES fp ON DELETE CASCADE);
INSERT INTO fp VALUES (1), (2);
INSERT INTO ac VALUES (10, 1), (11, 1), (20, 2);
SELECT softdelete.enable_archive('ac');
SELECT softdelete.enable('fp');
DELETE FROM ac WHERE id = 11;
UPDATE ac_archive SET archived_at = archived_at - interval '1 hour';
SET TimeZone = 'Pacific/Auckland';
DELETE FROM fp;
SET TimeZone = 'America/Los_Angeles';
SELECT softdelete.restore('fp', 'id = 1');
SELECT 'fp' AS t, id FROM fp UNION ALL SELECT 'ac', id FROM ac ORDER BY 1, 2;
SELECT id FROM ac_archive ORDER BY id;
RESET TimeZone;

RESET search_path;
DROP SCHEMA flt CASCADE;
