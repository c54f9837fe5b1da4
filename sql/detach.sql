-- A partition detached from an enabled table (DETACH PARTITION, also
-- CONCURRENTLY) or a child that leaves it (NO INHERIT) is an ordinary table
-- again: no softdelete trigger stays on it, in flag and archive mode; one
-- still below an enabled table keeps them.  Then disable and DROP EXTENSION
-- leave nothing behind.
\set regress_db :DBNAME
CREATE DATABASE sd_detach;
\c sd_detach
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
RESET client_min_messages;
CREATE VIEW trig AS
  SELECT tgrelid::regclass AS tbl, tgname FROM pg_trigger
   WHERE tgname LIKE 'softdelete%' AND tgname <> 'softdelete_ref'	-- (19 on)
   ORDER BY tgrelid::regclass::text, tgname;
CREATE TABLE fp (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE fp_1 PARTITION OF fp FOR VALUES FROM (0) TO (10);
CREATE TABLE fp_2 PARTITION OF fp FOR VALUES FROM (10) TO (20);
CREATE TABLE fp_3 PARTITION OF fp FOR VALUES FROM (20) TO (30) PARTITION BY RANGE (id);
CREATE TABLE fp_3a PARTITION OF fp_3 FOR VALUES FROM (20) TO (25);
CREATE TABLE fc (id int PRIMARY KEY, fid int REFERENCES fp);
INSERT INTO fp VALUES (1), (11), (21);
SELECT softdelete.enable('fp'), softdelete.enable('fc');
CREATE TABLE ap (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE ap_1 PARTITION OF ap FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable_archive('ap')::text;
CREATE TABLE ib (id int);
CREATE TABLE ik () INHERITS (ib);
CREATE TABLE ik2 () INHERITS (ib);
SELECT softdelete.enable('ib');
SELECT * FROM trig;
DELETE FROM fp WHERE id = 1;
ALTER TABLE fp DETACH PARTITION fp_1;
ALTER TABLE fp DETACH PARTITION fp_2 CONCURRENTLY;
ALTER TABLE fp DETACH PARTITION fp_3;
ALTER TABLE ap DETACH PARTITION ap_1;
ALTER TABLE ik NO INHERIT ib;
SELECT * FROM trig;
-- ordinary tables: every row shows, DELETE and TRUNCATE are plain
SELECT id, deleted_at IS NOT NULL AS deleted FROM fp_1;
DELETE FROM fp_1;
TRUNCATE fp_2, fp_3, ap_1, ik;
-- a partition attached again is guarded again
ALTER TABLE fp ATTACH PARTITION fp_2 FOR VALUES FROM (10) TO (20);
SELECT * FROM trig WHERE tbl = 'fp_2'::regclass;
SELECT softdelete.disable('fp'), softdelete.disable('ap'), softdelete.disable('ib'), softdelete.disable('fc');
SELECT * FROM trig;
DROP EXTENSION softdelete;
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'softdelete%';
\c :regress_db
DROP DATABASE sd_detach;
