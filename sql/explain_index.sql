-- The filter is an ordinary qual: EXPLAIN shows it, partial indexes
-- "WHERE deleted_at IS NULL" serve the queries, and the plan of a query on
-- enabled tables is the plan of the same query written by hand with the
-- filter on plain tables holding the same rows, with the same indexes and
-- statistics.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL" in the right place, run with the
-- bypass on; then mismatches(q, h) checks automatically that both return the
-- same multiset of rows.
CREATE SCHEMA vis_ex;
SET search_path = vis_ex, public;

\i sql/include/mismatches.sql
\i sql/include/explain.sql

-- The plan of query q, without costs, as one text.
CREATE FUNCTION plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	p text := '';
BEGIN
	FOR line IN SELECT explain_lines('EXPLAIN (COSTS OFF) ' || q) LOOP
		p := p || line || E'\n';
	END LOOP;
	RETURN p;
END $$;

-- The same tables twice: vis_ex (enabled) and vis_ex_plain (never enabled),
-- same names, same indexes, same rows, built by the same statements.
CREATE SCHEMA vis_ex_plain;
CREATE TABLE users (id int NOT NULL, handle text NOT NULL, email text NOT NULL,
	name text, deleted_at timestamptz) WITH (autovacuum_enabled = off);
CREATE TABLE orders (id int NOT NULL, user_id int NOT NULL, amount int,
	deleted_at timestamptz) WITH (autovacuum_enabled = off);
CREATE TABLE vis_ex_plain.users (LIKE users) WITH (autovacuum_enabled = off);
CREATE TABLE vis_ex_plain.orders (LIKE orders) WITH (autovacuum_enabled = off);
SELECT softdelete.enable('users');
SELECT softdelete.enable('orders');
-- 3000 users, ~60 of them with an e-mail starting with "u1@"; 9000 orders.
INSERT INTO users SELECT i, 'h' || i, 'u' || i % 50 || '@' || i || '.example.com', 'n' || i, NULL
	FROM generate_series(1, 3000) i;
INSERT INTO orders SELECT i, 1 + i % 3000, i % 100, NULL FROM generate_series(1, 9000) i;
INSERT INTO vis_ex_plain.users SELECT i, 'h' || i, 'u' || i % 50 || '@' || i || '.example.com', 'n' || i, NULL
	FROM generate_series(1, 3000) i;
INSERT INTO vis_ex_plain.orders SELECT i, 1 + i % 3000, i % 100, NULL FROM generate_series(1, 9000) i;
-- Deleted the same way in both, with the same stamp: one user in 7 (and
-- user 17, whose handle is then reused by a new user), one order in 5.
BEGIN;
DELETE FROM users WHERE id % 7 = 0 OR id = 17;
DELETE FROM orders WHERE id % 5 = 0;
UPDATE vis_ex_plain.users SET deleted_at = now() WHERE id % 7 = 0 OR id = 17;
UPDATE vis_ex_plain.orders SET deleted_at = now() WHERE id % 5 = 0;
COMMIT;
INSERT INTO users VALUES (3001, 'h17', 'new17@example.com', 'new', NULL);
INSERT INTO vis_ex_plain.users VALUES (3001, 'h17', 'new17@example.com', 'new', NULL);
VACUUM ANALYZE users;
VACUUM ANALYZE orders;
VACUUM ANALYZE vis_ex_plain.users;
VACUUM ANALYZE vis_ex_plain.orders;
SET softdelete.include_deleted = on;
SELECT (SELECT count(*) FROM users WHERE deleted_at IS NOT NULL) AS deleted_users,
       (SELECT count(*) FROM orders WHERE deleted_at IS NOT NULL) AS deleted_orders,
       (SELECT count(*) FROM ((TABLE users EXCEPT ALL TABLE vis_ex_plain.users)
          UNION ALL (TABLE vis_ex_plain.users EXCEPT ALL TABLE users)) d) AS users_differ,
       (SELECT count(*) FROM ((TABLE orders EXCEPT ALL TABLE vis_ex_plain.orders)
          UNION ALL (TABLE vis_ex_plain.orders EXCEPT ALL TABLE orders)) d) AS orders_differ;
RESET softdelete.include_deleted;
-- For every shape: q on the enabled tables, h written by hand on the plain
-- copies.  EXPLAIN of q shows the plan; the two plans are the same; the two
-- results are the same.

-- Without an index: the filter is a plain scan qual, "deleted_at IS NULL".
\set q 'SELECT id, handle FROM users WHERE name IN (''n1'', ''n7'', ''n17'', ''new'') ORDER BY 1'
\set h 'SELECT id, handle FROM vis_ex_plain.users WHERE name IN (''n1'', ''n7'', ''n17'', ''new'') AND deleted_at IS NULL ORDER BY 1'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- LEFT JOIN: the filter of the nullable side is a qual of its scan, below
-- the join, never a filter above it.
\set q 'SELECT u.id, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.name IN (''n1'', ''n2'', ''n7'') GROUP BY u.id ORDER BY 1'
\set h 'SELECT u.id, count(o.id) FROM vis_ex_plain.users u LEFT JOIN vis_ex_plain.orders o ON o.user_id = u.id AND o.deleted_at IS NULL WHERE u.name IN (''n1'', ''n2'', ''n7'') AND u.deleted_at IS NULL GROUP BY u.id ORDER BY 1'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- FULL JOIN: the filter on both sides, below the join.
\set q 'SELECT count(*), count(u.id), count(o.id) FROM users u FULL JOIN orders o ON o.user_id = u.id'
\set h 'SELECT count(*), count(u.id), count(o.id) FROM (SELECT * FROM vis_ex_plain.users u WHERE deleted_at IS NULL) u FULL JOIN (SELECT * FROM vis_ex_plain.orders o WHERE deleted_at IS NULL) o ON o.user_id = u.id'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- Plans that do not depend on the accidents of costing.
SET enable_seqscan = off;
SET enable_bitmapscan = off;

-- Indexes for live rows only.
CREATE UNIQUE INDEX users_handle_live ON users (handle) WHERE deleted_at IS NULL;
CREATE INDEX users_email_live ON users (email text_pattern_ops) WHERE deleted_at IS NULL;
CREATE INDEX users_id_live ON users (id) WHERE deleted_at IS NULL;
CREATE INDEX orders_user_live ON orders (user_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_handle_live ON vis_ex_plain.users (handle) WHERE deleted_at IS NULL;
CREATE INDEX users_email_live ON vis_ex_plain.users (email text_pattern_ops) WHERE deleted_at IS NULL;
CREATE INDEX users_id_live ON vis_ex_plain.users (id) WHERE deleted_at IS NULL;
CREATE INDEX orders_user_live ON vis_ex_plain.orders (user_id) WHERE deleted_at IS NULL;

-- Point lookup by a column with a unique partial index: Index Scan, and the
-- new h17, never the deleted one.
\set q 'SELECT id, name FROM users WHERE handle = ''h17'''
\set h 'SELECT id, name FROM vis_ex_plain.users WHERE handle = ''h17'' AND deleted_at IS NULL'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- The same, the index covers the query: Index Only Scan.
\set q 'SELECT handle FROM users WHERE handle = ''h17'''
\set h 'SELECT handle FROM vis_ex_plain.users WHERE handle = ''h17'' AND deleted_at IS NULL'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- Prefix LIKE served by the text_pattern_ops partial index.
\set q 'SELECT email FROM users WHERE email LIKE ''u1@%'' ORDER BY email LIMIT 5'
\set h 'SELECT email FROM vis_ex_plain.users WHERE email LIKE ''u1@%'' AND deleted_at IS NULL ORDER BY email LIMIT 5'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- Prefix LIKE, fetching other columns: Index Scan.
\set q 'SELECT count(*), min(name), max(name) FROM users WHERE email LIKE ''u1@%'''
\set h 'SELECT count(*), min(name), max(name) FROM vis_ex_plain.users WHERE email LIKE ''u1@%'' AND deleted_at IS NULL'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- Inner join.
\set q 'SELECT u.handle, o.id, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id BETWEEN 13 AND 17 ORDER BY 1, 2'
\set h 'SELECT u.handle, o.id, o.amount FROM vis_ex_plain.users u JOIN vis_ex_plain.orders o ON o.user_id = u.id WHERE u.id BETWEEN 13 AND 17 AND u.deleted_at IS NULL AND o.deleted_at IS NULL ORDER BY 1, 2'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- LEFT JOIN: the filter of the nullable side stays below the join.
\set q 'SELECT u.handle, o.id FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id BETWEEN 1 AND 6 ORDER BY 1, 2'
\set h 'SELECT u.handle, o.id FROM vis_ex_plain.users u LEFT JOIN vis_ex_plain.orders o ON o.user_id = u.id AND o.deleted_at IS NULL WHERE u.id BETWEEN 1 AND 6 AND u.deleted_at IS NULL ORDER BY 1, 2'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- Anti-join written as LEFT JOIN ... IS NULL (19 plans it as an anti join,
-- 15 to 18 as a filtered left join: compared, not printed).
\set q 'SELECT u.id FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE o.id IS NULL AND u.id < 60 ORDER BY 1'
\set h 'SELECT u.id FROM vis_ex_plain.users u LEFT JOIN vis_ex_plain.orders o ON o.user_id = u.id AND o.deleted_at IS NULL WHERE o.id IS NULL AND u.id < 60 AND u.deleted_at IS NULL ORDER BY 1'
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- NOT EXISTS.
\set q 'SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id) AND o.id < 100 ORDER BY 1'
\set h 'SELECT o.id FROM vis_ex_plain.orders o WHERE NOT EXISTS (SELECT 1 FROM vis_ex_plain.users u WHERE u.id = o.user_id AND u.deleted_at IS NULL) AND o.id < 100 AND o.deleted_at IS NULL ORDER BY 1'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- FULL JOIN.
\set q 'SELECT u.id, o.id FROM (SELECT * FROM users WHERE id BETWEEN 5 AND 8) u FULL JOIN (SELECT * FROM orders WHERE user_id BETWEEN 6 AND 9) o ON o.user_id = u.id ORDER BY 1, 2'
\set h 'SELECT u.id, o.id FROM (SELECT * FROM vis_ex_plain.users WHERE id BETWEEN 5 AND 8 AND deleted_at IS NULL) u FULL JOIN (SELECT * FROM vis_ex_plain.orders WHERE user_id BETWEEN 6 AND 9 AND deleted_at IS NULL) o ON o.user_id = u.id ORDER BY 1, 2'
SELECT explain_lines('EXPLAIN (COSTS OFF) ' || :'q') AS plan;
:q;
SELECT plan_of(:'q') = plan_of(:'h') AS same_plan, mismatches(:'q', :'h');

-- With the bypass on, the partial indexes cannot serve the query any more:
-- proof that the filter is what makes them usable.
SET softdelete.include_deleted = on;
SELECT explain_lines('EXPLAIN (COSTS OFF) SELECT id, name FROM users WHERE handle = ''h17''') AS plan;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM users WHERE handle = 'h17' ORDER BY id;
RESET softdelete.include_deleted;

RESET enable_seqscan;
RESET enable_bitmapscan;
SET client_min_messages = warning;
DROP SCHEMA vis_ex CASCADE;
DROP SCHEMA vis_ex_plain CASCADE;
RESET client_min_messages;
RESET search_path;
