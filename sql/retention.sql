-- Retention: softdelete.set_retention(tbl, keep) and purge_expired(), which
-- erases what each table has kept longer than its retention (flag mode: rows
-- deleted longer ago; archive mode: archive rows, history included).
SET TimeZone = 'UTC';
CREATE TABLE rt_f (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE rt_a (id int PRIMARY KEY, v text);
CREATE TABLE rt_v (id int PRIMARY KEY, v text);
CREATE TABLE rt_none (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE rt_b (id int PRIMARY KEY, is_deleted boolean NOT NULL DEFAULT false);
SELECT softdelete.enable('rt_f');
SELECT softdelete.enable_archive('rt_a')::text;
SELECT softdelete.enable_archive('rt_v', versions => true)::text;
SELECT softdelete.enable('rt_none');
SELECT softdelete.enable('rt_b', 'is_deleted');
INSERT INTO rt_f SELECT g FROM generate_series(1, 10) g;
INSERT INTO rt_none SELECT g FROM generate_series(1, 4) g;
INSERT INTO rt_a SELECT g, 'a' FROM generate_series(1, 6) g;
INSERT INTO rt_v SELECT g, 'v' FROM generate_series(1, 4) g;
-- deleted 100, 40 and 10 days ago, and now
DELETE FROM rt_f WHERE id <= 6;
DELETE FROM rt_none WHERE id <= 2;
SET softdelete.include_deleted = on;
UPDATE rt_f SET deleted_at = now() - interval '100 days' WHERE id IN (1, 2);
UPDATE rt_f SET deleted_at = now() - interval '40 days' WHERE id IN (3, 4);
UPDATE rt_f SET deleted_at = now() - interval '10 days' WHERE id = 5;
UPDATE rt_none SET deleted_at = now() - interval '100 days';
RESET softdelete.include_deleted;
DELETE FROM rt_a WHERE id <= 4;
UPDATE rt_a_archive SET archived_at = now() - interval '100 days' WHERE id IN (1, 2);
UPDATE rt_v SET v = 'v2';
UPDATE rt_v SET v = 'v3' WHERE id = 1;
DELETE FROM rt_v WHERE id = 4;
UPDATE rt_v_archive SET archived_at = now() - interval '100 days' WHERE archive_op = 'update' AND v = 'v';

SELECT softdelete.set_retention('rt_f', '30 days');
SELECT softdelete.set_retention('rt_a', '90 days');
SELECT softdelete.set_retention('rt_v', '90 days');
SELECT table_name, retention FROM softdelete.tables WHERE table_name::text LIKE 'rt\_%' ORDER BY table_name::text;

-- purge_expired: a row per table with a retention, how many rows it erased
SELECT * FROM softdelete.purge_expired();
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NULL AS live FROM rt_f ORDER BY id;
SELECT count(*) AS rt_none_kept FROM rt_none;
RESET softdelete.include_deleted;
SELECT id, archive_op FROM rt_a_archive ORDER BY id;
SELECT id, v, archive_op FROM rt_v_archive ORDER BY id, archive_id;
-- nothing more is expired
SELECT * FROM softdelete.purge_expired();
-- NULL takes the retention away
SELECT softdelete.set_retention('rt_f', NULL);
SELECT * FROM softdelete.purge_expired();

-- refused
\set VERBOSITY terse
SELECT softdelete.set_retention('rt_f', '0');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.set_retention('rt_f', '-1 day');
SELECT softdelete.set_retention('rt_b', '1 day');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE rt_plain (id int);
SELECT softdelete.set_retention('rt_plain', '1 day');
SELECT softdelete.set_retention(NULL, '1 day');
CREATE TABLE rt_p (id int, deleted_at timestamptz) PARTITION BY RANGE (id);
CREATE TABLE rt_p1 PARTITION OF rt_p FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable('rt_p');
SELECT softdelete.set_retention('rt_p1', '1 day');
SELECT softdelete.set_retention('rt_p', '1 day');
CREATE ROLE rt_other;
SET ROLE rt_other;
SELECT softdelete.set_retention('rt_a', '1 day');
\echo :LAST_ERROR_SQLSTATE
-- purge_expired purges as the caller, who may purge only what purge allows
SELECT * FROM softdelete.purge_expired();
RESET ROLE;
SET softdelete.as_of = '2026-01-01';
SELECT * FROM softdelete.purge_expired();
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.as_of;
\set VERBOSITY default
-- a disabled table forgets its retention with its registration
SELECT softdelete.disable('rt_a');
SELECT softdelete.enable_archive('rt_a')::text;
SELECT table_name, retention FROM softdelete.tables WHERE table_name = 'rt_a'::regclass;
DROP ROLE rt_other;
SET client_min_messages = warning;
DROP TABLE rt_f, rt_a, rt_v, rt_none, rt_b, rt_p, rt_plain;
DROP TABLE rt_a_archive, rt_v_archive;
RESET client_min_messages;
