-- The registry is a plain configuration table.  Writes that do not come
-- through enable/disable (a pg_restore's COPY, a superuser's hand edit)
-- still reach the cache of every session, and the plans cached over the
-- tables concerned.
CREATE TABLE reg (id int, deleted_at timestamptz);
INSERT INTO reg VALUES (1, NULL), (2, now()), (3, NULL);
PREPARE reg_count AS SELECT count(*) FROM reg;
EXECUTE reg_count;
INSERT INTO softdelete.registry (relid, mode, column_name)
	VALUES ('reg', 'flag', 'deleted_at');
SELECT count(*) FROM reg;
EXECUTE reg_count;
SELECT table_name, mode, column_name, archive, versions FROM softdelete.tables;
DELETE FROM softdelete.registry WHERE relid = 'reg'::regclass;
SELECT count(*) FROM reg;
EXECUTE reg_count;
COPY softdelete.registry (relid, mode, column_name) FROM stdin;
reg	flag	deleted_at
\.
SELECT count(*) FROM reg;
EXECUTE reg_count;
TRUNCATE softdelete.registry;
SELECT count(*) FROM reg;
DEALLOCATE reg_count;

-- A registry row must say how the table is enabled.
\set VERBOSITY terse
INSERT INTO softdelete.registry (relid, mode) VALUES ('reg', 'flag');
INSERT INTO softdelete.registry (relid, mode, column_name) VALUES ('reg', 'other', 'deleted_at');
\set VERBOSITY default

-- Ordinary users can read the view but not write the registry.
CREATE ROLE sd_reg_user;
SET ROLE sd_reg_user;
SELECT count(*) >= 0 AS readable FROM softdelete.tables;
\set VERBOSITY terse
INSERT INTO softdelete.registry (relid, mode, column_name) VALUES ('reg', 'flag', 'deleted_at');
\set VERBOSITY default
RESET ROLE;
DROP ROLE sd_reg_user;

-- The extension cannot be dropped while tables are enabled: their guard
-- triggers depend on it (DROP ... CASCADE would remove them).
SELECT softdelete.enable('reg');
\set VERBOSITY terse
DROP EXTENSION softdelete;
\set VERBOSITY default
SELECT softdelete.disable('reg');
DROP TABLE reg;

-- The registry look-up is softdelete's catalog read, not the user's: in a
-- SERIALIZABLE transaction it takes no predicate lock (SIReadLock) on the
-- registry or its indexes, for tables enabled or not, so an enable or
-- disable cannot abort unrelated serializable transactions.
CREATE TABLE reg_plain (id int);
CREATE TABLE reg_soft (id int);
SELECT softdelete.enable('reg_soft');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM reg_plain;
SELECT count(*) FROM reg_soft;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.mode = 'SIReadLock' ORDER BY 1;
COMMIT;
SELECT softdelete.disable('reg_soft');
DROP TABLE reg_plain, reg_soft;

-- A registry row loaded for a table that is registered already (a restore's
-- --data-only after the table registered itself again) takes the place of
-- the row there, instead of failing on the key.
CREATE TABLE reg_twice (id int PRIMARY KEY);
SELECT softdelete.enable('reg_twice');
INSERT INTO softdelete.registry (relid, mode, column_name, versions, enabled_at, retention)
VALUES ('reg_twice', 'flag', 'deleted_at', false, '2020-01-01 00:00+00', '7 days');
SELECT table_name, mode, enabled_at = '2020-01-01 00:00+00' AS loaded, retention
  FROM softdelete.tables WHERE table_name = 'reg_twice'::regclass;
SELECT softdelete.disable('reg_twice');
DROP TABLE reg_twice;
