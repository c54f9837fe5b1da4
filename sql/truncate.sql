-- TRUNCATE of an enabled table: refused while the table holds any row (live
-- or deleted), allowed when it holds none (pg_restore -j truncates each
-- table it has just created before its COPY); every table the statement
-- would empty is checked, those reached by CASCADE and the children too,
-- also where the guard triggers do not fire (session_replication_role =
-- replica).
CREATE SCHEMA tr;
SET search_path = tr, public;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p);
CREATE TABLE a (id int PRIMARY KEY, pid int REFERENCES p);
SELECT softdelete.enable('c');
SELECT softdelete.enable_archive('a');

-- empty: nothing to lose, allowed (flag and archive mode, in a transaction
-- as pg_restore -j runs it, then the COPY)
BEGIN;
TRUNCATE TABLE ONLY c;
COPY c (id, pid, deleted_at) FROM stdin;
1	\N	\N
2	\N	2020-01-01 00:00:00+00
\.
COMMIT;
TRUNCATE a;
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM c ORDER BY id;
RESET softdelete.include_deleted;

-- a table that holds only deleted rows is not empty
DELETE FROM c WHERE id = 1;
TRUNCATE c;
\echo :LAST_ERROR_SQLSTATE
-- CASCADE reaches enabled tables that reference the one named: refused,
-- also under session_replication_role = replica, where triggers sleep
INSERT INTO p VALUES (1);
INSERT INTO a VALUES (10, 1);
TRUNCATE p CASCADE;
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
TRUNCATE p CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE c;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE a;
\echo :LAST_ERROR_SQLSTATE
RESET session_replication_role;
SET softdelete.include_deleted = on;
SELECT (SELECT count(*) FROM p) AS p, (SELECT count(*) FROM c) AS c,
	   (SELECT count(*) FROM a) AS a;
RESET softdelete.include_deleted;
-- without CASCADE, core refuses on its own (the key), nothing was emptied
TRUNCATE p;
\echo :LAST_ERROR_SQLSTATE

-- an inheritance child reached by TRUNCATE of its parent, under replica;
-- ONLY does not reach it (the parent itself is empty)
CREATE TABLE base (id int);
CREATE TABLE kid () INHERITS (base);
INSERT INTO kid VALUES (1);
SELECT softdelete.enable('base');
SET session_replication_role = replica;
TRUNCATE base;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ONLY base;
RESET session_replication_role;
SELECT count(*) FROM base;

-- a partitioned table: refused while any partition holds a row, naming the
-- table named; allowed once all are empty
CREATE TABLE pt (id int) PARTITION BY RANGE (id);
CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (10);
CREATE TABLE pt_2 PARTITION OF pt FOR VALUES FROM (10) TO (20);
SELECT softdelete.enable('pt');
TRUNCATE pt;
INSERT INTO pt VALUES (15);
TRUNCATE pt;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE pt_1;
TRUNCATE pt_2;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pt;

-- a role without the TRUNCATE privilege gets core's refusal, and takes no
-- lock on the table on the way
CREATE ROLE tr_nobody;
GRANT USAGE ON SCHEMA tr TO tr_nobody;
SET ROLE tr_nobody;
TRUNCATE pt;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

RESET search_path;
DROP SCHEMA tr CASCADE;
DROP ROLE tr_nobody;
