-- softdelete.trash (1.7): every deleted row of every enabled table the role
-- may read deleted, with its key, when, who, why and which transaction.
CREATE TABLE t_flag (id int PRIMARY KEY, v text);
CREATE TABLE t_bool (a int, b int, gone boolean NOT NULL DEFAULT false, PRIMARY KEY (a, b));
CREATE TABLE t_day (id int PRIMARY KEY, deleted_on timestamp(0), who bigint);
CREATE TABLE t_arch (id int PRIMARY KEY, v text);
CREATE TABLE t_nokey (v text);
SELECT softdelete.enable('t_flag');
SELECT softdelete.enable('t_bool', 'gone');
SELECT softdelete.enable('t_day', 'deleted_on', deleted_by => 'who');
SELECT softdelete.enable_archive('t_arch');
SELECT softdelete.enable('t_nokey');
INSERT INTO t_flag VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO t_bool VALUES (1, 1), (1, 2);
INSERT INTO t_day VALUES (1), (2);
INSERT INTO t_arch VALUES (1, 'one'), (2, 'two');
INSERT INTO t_nokey VALUES ('x'), ('y');

BEGIN;
SET LOCAL softdelete.actor = '42';
SET LOCAL softdelete.reason = 'duplicate';
DELETE FROM t_flag WHERE id = 1;
DELETE FROM t_bool WHERE b = 2;
DELETE FROM t_day WHERE id = 1;
DELETE FROM t_arch WHERE id = 1;
DELETE FROM t_nokey WHERE v = 'x';
SELECT pg_current_xact_id() AS first \gset
COMMIT;
DELETE FROM t_flag WHERE id = 2;

SELECT table_name, key - 'deleted_at' AS key, deleted_at IS NOT NULL AS has_time, deleted_by, reason,
	   CASE xid WHEN :'first' THEN 'first' WHEN NULL THEN NULL ELSE 'other' END AS xid
  FROM softdelete.trash ORDER BY table_name::text, key::text;
-- the flag's own stamp, as timestamptz; the actor in a bigint column
SET softdelete.include_deleted = on;
SELECT t.deleted_at = d.deleted_on::timestamptz AS same_stamp, d.who, t.deleted_by
  FROM softdelete.trash t JOIN t_day d ON (t.key->>'id')::int = d.id
 WHERE t.table_name = 't_day'::regclass;
RESET softdelete.include_deleted;
-- the xid found there undoes the transaction
SELECT * FROM softdelete.undo((SELECT xid FROM softdelete.trash WHERE table_name = 't_arch'::regclass))
 ORDER BY table_name::text;
SELECT table_name, key FROM softdelete.trash ORDER BY table_name::text, key::text;
-- a row deleted by an UPDATE of the flag written by hand has no transaction on record
UPDATE t_flag SET deleted_at = now() WHERE id = 3;
SELECT table_name, key, deleted_by, xid IS NOT NULL AS has_xid FROM softdelete.trash WHERE table_name = 't_flag'::regclass ORDER BY key::text;

-- a role sees only the tables whose deleted rows it may read
CREATE ROLE t_reader;
GRANT SELECT ON t_flag, t_bool, t_day, t_nokey TO t_reader;
SELECT softdelete.grant_access('t_flag', 't_reader', 'read_deleted');
SET ROLE t_reader;
SELECT table_name, key FROM softdelete.trash ORDER BY table_name::text, key::text;
SELECT count(*) FROM softdelete.deletions;
RESET ROLE;
-- row security applies to the rows it may see
ALTER TABLE t_flag ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_even ON t_flag FOR SELECT USING (id % 2 = 0);
SET ROLE t_reader;
SELECT table_name, key FROM softdelete.trash ORDER BY table_name::text, key::text;
RESET ROLE;
-- through a SECURITY DEFINER function: what its owner may see and restore
CREATE ROLE t_other;
CREATE FUNCTION t_reader_trash() RETURNS SETOF text LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog
	AS $$ SELECT table_name || ' ' || key FROM softdelete.trash ORDER BY 1 $$;
ALTER FUNCTION t_reader_trash() OWNER TO t_reader;
CREATE FUNCTION t_undo_last() RETURNS SETOF text LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog
	AS $$ SELECT table_name || ' ' || restored FROM softdelete.undo(
			(SELECT max(xid) FROM softdelete.deletions WHERE relid = 'public.t_bool'::regclass)) $$;
SET ROLE t_other;
SELECT count(*) FROM softdelete.trash;
SELECT * FROM t_reader_trash();
-- the reason is a note, recorded whoever runs the delete
SET softdelete.reason = 'through a definer';
RESET ROLE;
CREATE FUNCTION t_drop_bool(i int) RETURNS void LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog AS 'DELETE FROM public.t_bool WHERE a = i';
SET ROLE t_other;
SELECT t_drop_bool(1);
SELECT * FROM t_undo_last();
RESET ROLE;
RESET softdelete.reason;
SELECT relid, rows, reason FROM softdelete.deletions
 WHERE relid = 't_bool'::regclass ORDER BY xid DESC LIMIT 1;
SELECT a, b, gone FROM t_bool ORDER BY a, b;
DROP FUNCTION t_reader_trash(), t_undo_last(), t_drop_bool(int);
DROP ROLE t_other;
-- not under as_of
SET softdelete.as_of = '2000-01-01';
SELECT count(*) FROM softdelete.trash;
RESET softdelete.as_of;

DROP TABLE t_flag, t_bool, t_day, t_arch, t_arch_archive, t_nokey;
DROP ROLE t_reader;
SELECT count(*) FROM softdelete.trash;
