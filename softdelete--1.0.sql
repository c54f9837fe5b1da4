/* softdelete--1.0.sql: reversible deletes, transparent to every query */

\echo Use "CREATE EXTENSION softdelete" to load this file. \quit

/*
 * The first C function loads the library.  When it is not in
 * shared_preload_libraries, loading it fails with a hint, so CREATE EXTENSION
 * refuses instead of installing an extension whose hooks are not running.
 */
CREATE FUNCTION softdelete.guard()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_guard';

COMMENT ON FUNCTION softdelete.guard() IS
'trigger on every enabled table: refuses a physical DELETE or TRUNCATE that did not go through softdelete';

/*
 * The registry: which tables are enabled, and how.  A configuration table,
 * so pg_dump keeps it; regclass keeps it valid across dump/restore and
 * pg_upgrade.  Written only by the functions below (they check ownership of
 * the table), read by the planner hook through a cache.
 */
CREATE TABLE softdelete.registry (
	relid		regclass PRIMARY KEY,
	mode		text NOT NULL CHECK (mode IN ('flag', 'archive')),
	column_name	name,
	archive		regclass,
	versions	boolean NOT NULL DEFAULT false,
	enabled_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((mode = 'flag') = (column_name IS NOT NULL))
);
SELECT pg_catalog.pg_extension_config_dump('softdelete.registry', '');
REVOKE ALL ON softdelete.registry FROM PUBLIC;

/*
 * Rows written to the registry by other means than the functions below (a
 * restore of a dump, a hand edit by a superuser) must reach every backend's
 * cache too.
 */
CREATE FUNCTION softdelete.registry_changed()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_registry_changed';

CREATE TRIGGER registry_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON softdelete.registry
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.registry_changed();

CREATE VIEW softdelete.tables AS
	SELECT r.relid AS table_name, r.mode, r.column_name, r.archive,
		   r.versions, r.enabled_at
	  FROM softdelete.registry r;
GRANT SELECT ON softdelete.tables TO PUBLIC;
GRANT USAGE ON SCHEMA softdelete TO PUBLIC;

CREATE FUNCTION softdelete.enable(tbl regclass, column_name name DEFAULT 'deleted_at')
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_enable';

CREATE FUNCTION softdelete.disable(tbl regclass)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_disable';

CREATE FUNCTION softdelete.restore(tbl regclass, filter text DEFAULT NULL)
RETURNS bigint
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_restore';

CREATE FUNCTION softdelete.purge(tbl regclass, older_than interval DEFAULT '0')
RETURNS bigint
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_purge';

/* Forget the registration of a table when it is dropped. */
CREATE FUNCTION softdelete.on_drop()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_on_drop';

CREATE EVENT TRIGGER softdelete_on_drop ON sql_drop
	EXECUTE FUNCTION softdelete.on_drop();
