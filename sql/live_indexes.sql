-- Live indexes (1.8): enable(..., live_indexes => true) rebuilds a flag-mode
-- table's ordinary indexes over its live rows, with the predicate the
-- filter adds, and makes one index over its deleted rows; disable gives the
-- ordinary indexes back.
CREATE SCHEMA live_ix;
SET search_path = live_ix, public;
CREATE ROLE live_ix_other;
GRANT USAGE ON SCHEMA live_ix TO live_ix_other;

CREATE TABLE orders (
	id int PRIMARY KEY,
	customer int,
	created timestamptz,
	amount int,
	note text,
	code text UNIQUE,
	during tstzrange,
	EXCLUDE USING gist (during WITH &&)
);
CREATE INDEX orders_customer ON orders (customer);
CREATE INDEX orders_created ON orders (created DESC) WHERE amount > 0;
CREATE INDEX orders_note ON orders USING hash (lower(note));
CREATE INDEX orders_amount ON orders (amount) INCLUDE (customer) WITH (fillfactor = 70);
CREATE INDEX orders_clustered ON orders (id, customer);
CLUSTER orders USING orders_clustered;
COMMENT ON INDEX orders_customer IS 'the customer''s orders';
INSERT INTO orders
	SELECT g, g % 100, '2026-01-01'::timestamptz + g * interval '1 min', g % 7, 'n' || g, 'c' || g,
		   tstzrange('2026-01-01'::timestamptz + g * interval '1 min',
					 '2026-01-01'::timestamptz + (g + 1) * interval '1 min')
	  FROM generate_series(1, 2000) g;

-- every ordinary index rebuilt; the keys, the exclusion constraint and the
-- clustered index kept; one index over deleted rows made
SELECT softdelete.enable('orders', live_indexes => true);
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'orders'::regclass ORDER BY 1;
SELECT obj_description('orders_customer'::regclass, 'pg_class') AS comment;
SELECT table_name, live_indexes FROM softdelete.tables;
SELECT live_indexes, deleted_indexes FROM softdelete.registry;

DELETE FROM orders WHERE id % 10 <> 0;
ANALYZE orders;

-- the live-row queries use the live indexes
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT sum(amount) FROM orders WHERE customer = 5;
EXPLAIN (COSTS OFF) SELECT id FROM orders WHERE amount > 0 ORDER BY created DESC LIMIT 20;
EXPLAIN (COSTS OFF) SELECT id FROM orders WHERE lower(note) = 'n10';
SELECT sum(amount), count(*) FROM orders WHERE customer = 10;
SELECT id FROM orders WHERE lower(note) = 'n10';
SELECT id FROM orders WHERE lower(note) = 'n11';

-- the reads of deleted rows use the index over them: 'only', the trash's
-- and restore's "deleted", purge's "deleted before"
SET softdelete.include_deleted = 'only';
EXPLAIN (COSTS OFF) SELECT count(*) FROM orders;
SELECT count(*) FROM orders;
RESET softdelete.include_deleted;
SET softdelete.include_deleted = on;
EXPLAIN (COSTS OFF) SELECT id FROM orders WHERE deleted_at < now() - interval '1 day';
-- include_deleted on, by a live index's key: no index has every row
EXPLAIN (COSTS OFF) SELECT id FROM orders WHERE customer = 5;
RESET softdelete.include_deleted;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) FROM softdelete.trash WHERE table_name = 'orders'::regclass;
SELECT softdelete.restore('orders', 'id = 11');
SELECT count(*) FROM orders WHERE customer = 11;
SELECT softdelete.purge('orders', '1 day');

-- unchanged: what the live rows and the constraints are
INSERT INTO orders (id, code) VALUES (1, 'x');
INSERT INTO orders (id, code) VALUES (5000, 'c20');
SELECT count(*) FROM orders;

-- enable again: indexes made since are rebuilt, the rest left
CREATE INDEX orders_code_amount ON orders (code, amount);
CREATE INDEX orders_live_by_hand ON orders (created) WHERE deleted_at IS NULL;
SELECT softdelete.enable('orders', live_indexes => true);
SELECT softdelete.enable('orders');
SELECT live_indexes, deleted_indexes FROM softdelete.registry;

-- disable gives the ordinary indexes back, as they are now named (a column
-- and the table renamed since), with their comments, and drops the index
-- over deleted rows; an index dropped since is said so
ALTER TABLE orders RENAME COLUMN customer TO client;
ALTER TABLE orders RENAME TO purchases;
DROP INDEX orders_code_amount;
SELECT softdelete.disable('purchases');
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'purchases'::regclass ORDER BY 1;
SELECT obj_description('orders_customer'::regclass, 'pg_class') AS comment;

-- an index on the flag already there: none is made
CREATE TABLE notes (id int PRIMARY KEY, body text, deleted_at timestamptz);
CREATE INDEX notes_deleted ON notes (deleted_at);
CREATE INDEX notes_body ON notes (body);
SELECT softdelete.enable('notes', live_indexes => true);
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'notes'::regclass ORDER BY 1;
SELECT softdelete.disable('notes');
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'notes'::regclass ORDER BY 1;

-- boolean flags: NOT NULL ("NOT flag") and nullable ("flag IS NOT TRUE")
CREATE TABLE tasks (id int PRIMARY KEY, owner int, is_deleted boolean NOT NULL DEFAULT false);
CREATE INDEX tasks_owner ON tasks (owner);
CREATE TABLE posts (id int PRIMARY KEY, author int, removed boolean);
CREATE INDEX posts_author ON posts (author);
SELECT softdelete.enable('tasks', 'is_deleted', live_indexes => true);
SELECT softdelete.enable('posts', 'removed', live_indexes => true);
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('tasks'::regclass, 'posts'::regclass) ORDER BY 1;
INSERT INTO tasks SELECT g, g % 10 FROM generate_series(1, 1000) g;
INSERT INTO posts SELECT g, g % 10 FROM generate_series(1, 1000) g;
DELETE FROM tasks WHERE id % 4 <> 0;
DELETE FROM posts WHERE id % 4 <> 0;
ANALYZE tasks, posts;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM tasks WHERE owner = 4;
EXPLAIN (COSTS OFF) SELECT count(*) FROM posts WHERE author = 4;
SET softdelete.include_deleted = 'only';
EXPLAIN (COSTS OFF) SELECT count(*) FROM tasks;
EXPLAIN (COSTS OFF) SELECT count(*) FROM posts;
RESET softdelete.include_deleted;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) FROM tasks WHERE owner = 4;
SELECT count(*) FROM posts WHERE author = 4;
-- the filter of a boolean flag follows NOT NULL, the live indexes do not:
-- SET and DROP NOT NULL are refused while they are on
ALTER TABLE tasks ALTER is_deleted DROP NOT NULL;
ALTER TABLE posts ALTER removed SET NOT NULL;
SELECT softdelete.disable('tasks');
SELECT softdelete.disable('posts');
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('tasks'::regclass, 'posts'::regclass) ORDER BY 1;

-- partitions and inheritance children: the partitioned table's index is
-- rebuilt there (its partitions' with it), a partition's own index and a
-- child's index where they are; a child table gets its own index over
-- deleted rows
CREATE TABLE events (id int, at date, kind int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind ON events (kind);
CREATE INDEX events_2026_at ON events_2026 (at);
CREATE TABLE docs (id int PRIMARY KEY, title text);
CREATE TABLE memos (body text) INHERITS (docs);
CREATE INDEX docs_title ON docs (title);
CREATE INDEX memos_title ON memos (title);
SELECT softdelete.enable('events', live_indexes => true);
SELECT softdelete.enable('docs', live_indexes => true);
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('events'::regclass, 'events_2025'::regclass, 'events_2026'::regclass,
					  'docs'::regclass, 'memos'::regclass)
 ORDER BY 1;
INSERT INTO events SELECT g, '2025-06-01'::date + g, g % 5 FROM generate_series(1, 400) g;
DELETE FROM events WHERE id % 2 = 0;
ANALYZE events;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM events WHERE kind = 3;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) FROM events WHERE kind = 3;
SELECT softdelete.disable('events');
SELECT softdelete.disable('docs');
SELECT c.relname, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('events'::regclass, 'events_2025'::regclass, 'events_2026'::regclass,
					  'docs'::regclass, 'memos'::regclass)
 ORDER BY 1;

-- pack: CLUSTER by (deleted, primary key), so that the live rows lie
-- together at the start of the table, in key order; the table's own
-- CLUSTER mark is kept, the index made for it is gone
CREATE TABLE visits (id int PRIMARY KEY, at int, gone boolean NOT NULL DEFAULT false);
CREATE INDEX visits_at ON visits (at);
INSERT INTO visits SELECT g, g FROM generate_series(1, 3000) g;
SELECT softdelete.enable('visits', 'gone', live_indexes => true);
DELETE FROM visits WHERE id % 3 <> 0;
CLUSTER visits USING visits_pkey;
-- rows in physical order: block of each, and whether deleted
CREATE FUNCTION layout(tbl regclass, flag text) RETURNS TABLE (live_first boolean, key_order boolean, live bigint)
LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL softdelete.include_deleted = on;
	RETURN QUERY EXECUTE format($q$
		WITH r AS (SELECT id, (%s) AS deleted, ctid,
						  row_number() OVER (ORDER BY ctid) AS pos
					 FROM %s)
		SELECT max(pos) FILTER (WHERE NOT deleted) < min(pos) FILTER (WHERE deleted),
			   bool_and(prev < id) FILTER (WHERE NOT deleted),
			   count(*) FILTER (WHERE NOT deleted)
		  FROM (SELECT *, lag(id) OVER (PARTITION BY deleted ORDER BY pos) AS prev FROM r) x$q$,
		flag, tbl);
END $$;
SELECT * FROM layout('visits', 'gone');
SELECT softdelete.pack('visits');
SELECT * FROM layout('visits', 'gone');
SELECT count(*) FROM visits;
SELECT c.relname, i.indisclustered, pg_get_indexdef(c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'visits'::regclass ORDER BY 1;
-- a partitioned table: each partition; a timestamp flag
CREATE TABLE hits (id int PRIMARY KEY, v int) PARTITION BY RANGE (id);
CREATE TABLE hits_1 PARTITION OF hits FOR VALUES FROM (0) TO (1000);
CREATE TABLE hits_2 PARTITION OF hits FOR VALUES FROM (1000) TO (2000);
INSERT INTO hits SELECT g, g FROM generate_series(1, 1999) g;
SELECT softdelete.enable('hits');
DELETE FROM hits WHERE id % 4 = 1;
SELECT softdelete.pack('hits');
SELECT * FROM layout('hits_1', 'deleted_at IS NOT NULL');
SELECT * FROM layout('hits_2', 'deleted_at IS NOT NULL');
SELECT count(*) FROM hits;
-- archive mode: compacted in key order, no CLUSTER mark left
CREATE TABLE logs (id int PRIMARY KEY, v int);
INSERT INTO logs SELECT g, g FROM generate_series(1, 2000) g;
SELECT softdelete.enable_archive('logs');
DELETE FROM logs WHERE id % 5 <> 0;
SELECT pg_relation_size('logs') / current_setting('block_size')::int AS blocks_before;
SELECT softdelete.pack('logs');
SELECT pg_relation_size('logs') / current_setting('block_size')::int AS blocks_after;
SELECT * FROM layout('logs', 'false');
SELECT bool_or(indisclustered) FROM pg_index WHERE indrelid = 'logs'::regclass;
-- only the owner; a partition is packed through its parent
SET ROLE live_ix_other;
SELECT softdelete.pack('visits');
RESET ROLE;
SELECT softdelete.pack('hits_1');
SELECT softdelete.pack(NULL);
SELECT softdelete.pack('notes');

-- bad input, refused before anything changes
SELECT softdelete.enable('notes', live_indexes => NULL);
CREATE TABLE kept (id int PRIMARY KEY, v int);
CREATE INDEX kept_v ON kept (v);
SELECT softdelete.enable_archive('kept');
SELECT softdelete.enable('kept', live_indexes => true);
SELECT softdelete.disable('kept');
SELECT softdelete.enable('kept');
SET ROLE live_ix_other;
SELECT softdelete.enable('kept', live_indexes => true);
RESET ROLE;
SELECT pg_get_indexdef('kept_v'::regclass);

RESET search_path;
DROP SCHEMA live_ix CASCADE;
DROP ROLE live_ix_other;
