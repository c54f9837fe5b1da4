-- Every bad argument or setting fails with a clear message and a proper
-- SQLSTATE (printed after each error), and changes nothing: bi_changes()
-- lists every difference from the state recorded before (none expected).
\set SHOW_CONTEXT never
CREATE TABLE bi_item (id int PRIMARY KEY, name text, n int, t text, d date,
	must timestamptz NOT NULL DEFAULT now(),
	gen timestamptz GENERATED ALWAYS AS ('2000-01-01'::timestamptz) STORED,
	arr timestamptz[]);
INSERT INTO bi_item (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT softdelete.enable('bi_item');
DELETE FROM bi_item WHERE id = 3;
CREATE TABLE bi_plain (id int, deleted_at timestamptz);
INSERT INTO bi_plain VALUES (1, NULL), (2, now());
CREATE VIEW bi_view AS SELECT id FROM bi_plain;
CREATE SEQUENCE bi_seq;
CREATE MATERIALIZED VIEW bi_matview AS SELECT id FROM bi_plain;
CREATE TYPE bi_type AS (a int);
CREATE TABLE bi_part (id int) PARTITION BY LIST (id);
CREATE TABLE bi_part_1 PARTITION OF bi_part FOR VALUES IN (1);
CREATE TABLE bi_part_2 PARTITION OF bi_part FOR VALUES IN (2);
SELECT softdelete.enable('bi_part');
CREATE TABLE bi_inh_parent (id int);
CREATE TABLE bi_inh_child () INHERITS (bi_inh_parent);
CREATE ROLE regress_bi_nobody;
GRANT SELECT ON bi_item TO regress_bi_nobody;

-- the state: registrations, columns, triggers and row counts of bi_ tables
CREATE FUNCTION bi_state() RETURNS SETOF text LANGUAGE plpgsql
SET softdelete.include_deleted = on AS $$
DECLARE
	r record;
	n bigint;
BEGIN
	RETURN QUERY SELECT format('registered %s %s %s', table_name, mode, column_name)
		FROM softdelete.tables;
	RETURN QUERY SELECT format('column %s.%s %s%s', a.attrelid::regclass, a.attname,
							   format_type(a.atttypid, a.atttypmod),
							   CASE WHEN a.attnotnull THEN ' not null' ELSE '' END)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relname LIKE 'bi\_%' AND a.attnum > 0 AND NOT a.attisdropped;
	RETURN QUERY SELECT format('trigger %s %s', tgrelid::regclass, tgname)
		FROM pg_trigger WHERE tgrelid::regclass::text LIKE 'bi\_%';
	FOR r IN SELECT oid::regclass AS rel FROM pg_class
			  WHERE relname LIKE 'bi\_%' AND relkind IN ('r', 'p', 'm')
	LOOP
		EXECUTE format('SELECT count(*) FROM %s', r.rel) INTO n;
		RETURN NEXT format('rows %s %s', r.rel, n);
	END LOOP;
	EXECUTE 'SELECT count(*) FROM bi_item WHERE deleted_at IS NOT NULL' INTO n;
	RETURN NEXT format('deleted rows bi_item %s', n);
END;
$$;
CREATE TABLE sd_state_before AS SELECT bi_state() AS s;
CREATE FUNCTION bi_changes() RETURNS SETOF text LANGUAGE sql AS $$
	(SELECT 'now:    ' || s FROM (SELECT bi_state() AS s EXCEPT SELECT s FROM sd_state_before) a
	 UNION ALL
	 SELECT 'before: ' || s FROM (SELECT s FROM sd_state_before EXCEPT SELECT bi_state()) b)
	ORDER BY 1;
$$;
SELECT s FROM sd_state_before ORDER BY s;
SELECT * FROM bi_changes();

-- NULL arguments: 22004
SELECT softdelete.enable(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_plain', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.disable(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore(NULL, 'id = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge('bi_item', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();

-- a table that does not exist: 42P01
SELECT softdelete.enable('bi_no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable(0);
\echo :LAST_ERROR_SQLSTATE

-- not a table: 42809
SELECT softdelete.enable('bi_view');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_seq');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_matview');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_type');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_item_pkey');
\echo :LAST_ERROR_SQLSTATE
-- system catalogs, information_schema, softdelete's own registry: 42809
SELECT softdelete.enable('pg_class');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('pg_catalog.pg_namespace', 'gone');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('information_schema.sql_features');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('softdelete.registry');
\echo :LAST_ERROR_SQLSTATE
-- a partition or an inheritance child alone: 42809
SELECT softdelete.enable('bi_part_1');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_inh_child');
\echo :LAST_ERROR_SQLSTATE
-- a temporary table (it would vanish without telling the registry): 0A000
CREATE TEMP TABLE bi_temp (id int);
SELECT softdelete.enable('bi_temp');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS temp_deleted_at_columns FROM pg_attribute
 WHERE attrelid = 'bi_temp'::regclass AND attname = 'deleted_at';
DROP TABLE bi_temp;
SELECT * FROM bi_changes();
SELECT count(*) AS deleted_at_columns FROM pg_attribute
 WHERE attname = 'deleted_at' AND attrelid IN ('pg_class'::regclass,
	'information_schema.sql_features'::regclass, 'softdelete.registry'::regclass);

-- a flag column of a type other than timestamptz or timestamp: 42804
SELECT softdelete.enable('bi_plain', 'id');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_item', 't');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_plain ADD COLUMN t text, ADD COLUMN d date, ADD COLUMN arr timestamptz[],
	ADD COLUMN must timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN gen timestamptz GENERATED ALWAYS AS ('2000-01-01'::timestamptz) STORED;
DROP TABLE sd_state_before;
CREATE TABLE sd_state_before AS SELECT bi_state() AS s;
SELECT softdelete.enable('bi_plain', 't');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_plain', 'd');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_plain', 'arr');
\echo :LAST_ERROR_SQLSTATE
-- a NOT NULL or generated timestamptz column: 42611
SELECT softdelete.enable('bi_plain', 'must');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_plain', 'gen');
\echo :LAST_ERROR_SQLSTATE
-- a system column: 42611
SELECT softdelete.enable('bi_plain', 'xmin');
\echo :LAST_ERROR_SQLSTATE
-- an empty column name: 42601
SELECT softdelete.enable('bi_plain', '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();

-- already enabled with another column: 55000
SELECT softdelete.enable('bi_item', 'other_flag');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.enable('bi_part', 'other_flag');
\echo :LAST_ERROR_SQLSTATE
-- enabling again with the same column: a notice, and nothing changes
SELECT softdelete.enable('bi_item');
SELECT softdelete.enable('bi_item', 'deleted_at');
SELECT * FROM bi_changes();

-- disable, restore or purge a table that is not enabled: 55000
SELECT softdelete.disable('bi_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.disable('bi_view');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.disable('bi_part_1');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_plain', 'id = 2');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge('bi_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge('bi_view');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();

-- a negative interval: 22023
SELECT softdelete.purge('bi_item', '-1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge('bi_item', '1 day -25 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();

-- Filters are checked in a transaction with ON_ERROR_ROLLBACK: should one
-- slip through, bi_changes() shows what it did before the ROLLBACK.
\set ON_ERROR_ROLLBACK on
BEGIN;
-- a filter that does not parse or is more than one expression: 42601
SELECT softdelete.restore('bi_item', 'id = ');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', '');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'true); DROP TABLE bi_plain; --');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'id = 3; DROP TABLE bi_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'id = 1) OR (true');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'true), (true');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'true) FROM bi_plain WHERE (true');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', 'true) RETURNING (1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();
-- a filter that is not boolean: 42804
SELECT softdelete.restore('bi_item', 'id');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('bi_item', '''yes''::text');
\echo :LAST_ERROR_SQLSTATE
-- a filter naming an unknown column: 42703
SELECT softdelete.restore('bi_item', 'no_such_column = 1');
\echo :LAST_ERROR_SQLSTATE
-- an unqualified name outside pg_catalog is not found: 42883 (terse: 19
-- words the detail differently)
\set VERBOSITY terse
SELECT softdelete.restore('bi_item', 'bi_no_such_function(id)');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();
ROLLBACK;
\unset ON_ERROR_ROLLBACK

-- not the owner: 42501
SET ROLE regress_bi_nobody;
SELECT softdelete.enable('bi_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.disable('bi_item');
\echo :LAST_ERROR_SQLSTATE
-- restore needs UPDATE, purge DELETE on the table
SELECT softdelete.restore('bi_item');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.purge('bi_item');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT * FROM bi_changes();

-- a misspelt setting is an error, not a new placeholder: 42602 / 42704
SET softdelete.include_delted = on;
\echo :LAST_ERROR_SQLSTATE
SET softdelete.hard_delet = on;
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('softdelete.include_delted', 'on', false);
\echo :LAST_ERROR_SQLSTATE
SHOW softdelete.include_delted;
\echo :LAST_ERROR_SQLSTATE
-- a bad value: 22023
SET softdelete.include_deleted = maybe;
\echo :LAST_ERROR_SQLSTATE
SET softdelete.hard_delete = 'yes please';
\echo :LAST_ERROR_SQLSTATE
SET softdelete.include_deleted = 2;
\echo :LAST_ERROR_SQLSTATE
SHOW softdelete.include_deleted;
SHOW softdelete.hard_delete;
SELECT * FROM bi_changes();

-- the flag column cannot be dropped while enabled: 2BP01
ALTER TABLE bi_item DROP COLUMN deleted_at;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_item DROP COLUMN deleted_at CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_item ADD COLUMN extra int, DROP COLUMN deleted_at;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_part DROP COLUMN deleted_at;
\echo :LAST_ERROR_SQLSTATE
-- nor made NOT NULL, nor given a type that is not a timestamp
ALTER TABLE bi_item ALTER COLUMN deleted_at SET NOT NULL;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_item ALTER COLUMN deleted_at TYPE text;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE bi_part ALTER COLUMN deleted_at TYPE date;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM bi_changes();
-- another timestamp type is fine (and changing it back)
ALTER TABLE bi_item ALTER COLUMN deleted_at TYPE timestamp;
ALTER TABLE bi_item ALTER COLUMN deleted_at TYPE timestamptz;
-- after every refusal, the table still works as before
SELECT id, name FROM bi_item ORDER BY id;
DELETE FROM bi_item WHERE id = 2;
SELECT softdelete.restore('bi_item', 'id = 2');
SELECT id, name FROM bi_item ORDER BY id;

DROP FUNCTION bi_changes();
DROP FUNCTION bi_state();
DROP TABLE sd_state_before;
REVOKE ALL ON bi_item FROM regress_bi_nobody;
DROP ROLE regress_bi_nobody;
DROP VIEW bi_view;
DROP MATERIALIZED VIEW bi_matview;
DROP SEQUENCE bi_seq;
DROP TYPE bi_type;
DROP TABLE bi_inh_child, bi_inh_parent;
DROP TABLE bi_part;
DROP TABLE bi_plain;
DROP TABLE bi_item;
