/* softdelete--1.9.sql: reversible deletes, transparent to every query */

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
 * (1.9) The library the server runs must be this version or newer: installing a
 * package over a running server replaces the library's file, not the
 * library the server loaded when it started (shared_preload_libraries),
 * and an older library must not run this version's objects.
 */
DO $$
DECLARE
	lib text := current_setting('softdelete.library_version', true);
BEGIN
	IF lib IS NULL OR lib !~ '^[0-9]+(\.[0-9]+)*$'
	   OR string_to_array(lib, '.')::int[] < '{1,9}' THEN
		RAISE EXCEPTION 'softdelete 1.9 needs the softdelete library of version 1.9 or later'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN lib IS NULL
					THEN 'This server did not load the softdelete library when it started, or loaded one older than 1.9.'
					ELSE format('This server runs the softdelete library of version %s.', lib) END,
				  HINT = 'The server loads the library when it starts: restart it after installing a new package (softdelete must be in shared_preload_libraries), then run this again.';
	END IF;
END
$$;

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
	CHECK ((mode = 'flag') = (column_name IS NOT NULL)),
	retention	interval CHECK (retention > '0'),
	deleted_by	name,
	live_indexes text[],
	deleted_indexes text[]
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

/* A TRUNCATE leaves no old rows to read afterwards: read them before. */
CREATE TRIGGER registry_truncating
	BEFORE TRUNCATE ON softdelete.registry
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.registry_changed();

/*
 * A registration that a restore brings twice: --schema-only made the table
 * register itself again from its TRUNCATE guard (a dump of the schema has
 * no registry rows), then --data-only loads the registry.  The row loaded
 * takes the place of the one made, as a registration of the dump.
 */
CREATE FUNCTION softdelete.registry_arrived()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT FROM softdelete.registry r WHERE r.relid = NEW.relid) THEN
		UPDATE softdelete.registry r
		   SET mode = NEW.mode, column_name = NEW.column_name, archive = NEW.archive,
			   versions = NEW.versions, enabled_at = NEW.enabled_at, retention = NEW.retention,
			   deleted_by = NEW.deleted_by, live_indexes = NEW.live_indexes,
			   deleted_indexes = NEW.deleted_indexes
		 WHERE r.relid = NEW.relid;
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER registry_arrived
	BEFORE INSERT ON softdelete.registry
	FOR EACH ROW EXECUTE FUNCTION softdelete.registry_arrived();

/*
 * Each backend reads the registry a row at a time, as queries need them
 * (by the primary key); these answer the hooks' "is anything enabled in
 * this mode?" and "whose archive is this table?" without reading it all.
 */
CREATE INDEX registry_mode ON softdelete.registry (mode);
CREATE INDEX registry_archive ON softdelete.registry (archive);

CREATE VIEW softdelete.tables AS
	SELECT r.relid AS table_name, r.mode, r.column_name, r.archive,
		   r.versions, r.enabled_at,
		   (SELECT a.atttypid::pg_catalog.regtype
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = r.relid AND a.attname = r.column_name
			   AND NOT a.attisdropped) AS flag_type,
		   r.retention, r.deleted_by,
		   r.live_indexes IS NOT NULL AS live_indexes
	  FROM softdelete.registry r;
GRANT SELECT ON softdelete.tables TO PUBLIC;
GRANT USAGE ON SCHEMA softdelete TO PUBLIC;

CREATE FUNCTION softdelete.enable(tbl regclass, column_name name DEFAULT 'deleted_at',
								  replace_unique boolean DEFAULT false,
								  deleted_by name DEFAULT NULL,
								  live_indexes boolean DEFAULT false)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_enable';

CREATE FUNCTION softdelete.enable_archive(tbl regclass,
										  archive_name name DEFAULT NULL,
										  versions boolean DEFAULT false)
RETURNS regclass
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_enable_archive';

/*
 * The row trigger of archive-mode tables: moves deleted rows (and, with
 * versions, old images of updated rows) to the archive table.
 */
CREATE FUNCTION softdelete.archive()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_archive';

/*
 * The table as it was at time ts, for a table archived with versions:
 * SELECT * FROM softdelete.as_of(NULL::orders, '2026-01-01 12:00').
 * A row is in it if its version began at or before ts (valid_from) and
 * ended after ts (archived_at), or has not ended.
 */
CREATE FUNCTION softdelete.as_of(tbl anyelement, ts timestamptz)
RETURNS SETOF anyelement
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET softdelete.as_of = ''
AS $$
DECLARE
	rel regclass;
	arch regclass;
	ver boolean;
	cols text;
	acols text;
BEGIN
	IF ts IS NULL THEN
		RAISE EXCEPTION 'argument "ts" must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT t.typrelid INTO rel FROM pg_type t
	 WHERE t.oid = pg_typeof(tbl) AND t.typrelid <> 0;
	IF rel IS NULL THEN
		RAISE EXCEPTION 'softdelete.as_of() needs a row of a table, such as NULL::orders'
			USING ERRCODE = 'wrong_object_type';
	END IF;
	SELECT r.archive, r.versions INTO arch, ver FROM softdelete.tables r
	 WHERE r.table_name = rel AND r.mode = 'archive';
	IF arch IS NULL OR NOT ver THEN
		RAISE EXCEPTION 'table % is not archived with versions', rel
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Call softdelete.enable_archive(tbl, versions => true) first.';
	END IF;
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
		   string_agg(CASE WHEN EXISTS (SELECT FROM pg_attribute b
										 WHERE b.attrelid = arch AND b.attname = a.attname
										   AND NOT b.attisdropped)
						   THEN quote_ident(a.attname)
						   ELSE format('NULL::%s', format_type(a.atttypid, a.atttypmod)) END,
					  ', ' ORDER BY a.attnum)
	  INTO cols, acols
	  FROM pg_attribute a
	 WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
	RETURN QUERY EXECUTE format(
		'SELECT %s FROM %s WHERE valid_from <= $1 '
		'UNION ALL SELECT %s FROM ONLY %s WHERE valid_from <= $1 AND archived_at > $1',
		cols, rel, acols, arch) USING ts;
END
$$;

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

/*
 * Retention: how long a table keeps its deleted rows (NULL: until purged by
 * hand).  purge_expired(), and the background worker, erase what is older.
 */
CREATE FUNCTION softdelete.set_retention(tbl regclass, keep interval)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_set_retention';

COMMENT ON FUNCTION softdelete.set_retention(regclass, interval) IS
'keeps the deleted rows of tbl (its archive rows, history included, in archive mode) for keep, after which purge_expired() and the background worker erase them; NULL keeps them until purged by hand';

CREATE FUNCTION softdelete.purge_expired()
RETURNS TABLE (table_name regclass, purged bigint)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.table_name, softdelete.purge(t.table_name, t.retention)
	  FROM softdelete.tables t
	 WHERE t.retention IS NOT NULL
	 ORDER BY t.table_name::text
$$;

COMMENT ON FUNCTION softdelete.purge_expired() IS
'purges every table past its retention (softdelete.purge(tbl, retention)), a row per table with the number of rows erased';

/*
 * Foreign keys: the AFTER UPDATE row trigger of flag-mode tables, fired when
 * a row is soft-deleted or restored (cascades, restrictions, restore
 * cascades).
 */
CREATE FUNCTION softdelete.fk()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_fk';

COMMENT ON FUNCTION softdelete.fk() IS
'trigger on flag-mode tables: a soft delete cascades to or is restricted by the rows that reference it, a restore brings back the rows deleted with it';

/*
 * The WHEN of the trigger softdelete_ref, which every table that references
 * a flag-mode table carries on every major: true where the trigger checks
 * new references (19 on), false below, where core's own check does.  The
 * trigger is there all the same, so that pg_upgrade brings it along.
 */
CREATE FUNCTION softdelete.ref_needed()
RETURNS boolean
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'softdelete_ref_needed';

COMMENT ON FUNCTION softdelete.ref_needed() IS
'true where softdelete_ref checks new references to flag-mode tables (PostgreSQL 19 on): the WHEN of that trigger';

/* Forget the registration of a table when it is dropped. */
CREATE FUNCTION softdelete.on_drop()
RETURNS event_trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_on_drop';

CREATE EVENT TRIGGER softdelete_on_drop ON sql_drop
	EXECUTE FUNCTION softdelete.on_drop();

COMMENT ON FUNCTION softdelete.enable(regclass, name, boolean, name, boolean) IS
'flag mode: DELETE marks rows in the flag column (timestamptz or timestamp: NULL live, a stamp deleted; boolean: true deleted, false or NULL live), every query sees only live rows; deleted_by names a column that records who deleted each row; live_indexes rebuilds the table''s ordinary indexes over live rows';
COMMENT ON FUNCTION softdelete.restore(regclass, text) IS
'brings back the deleted rows matching filter (all when NULL): the flag back to NULL (false for a boolean), or out of the archive';
COMMENT ON FUNCTION softdelete.purge(regclass, interval) IS
'erases the rows deleted at least older_than ago (a boolean flag carries no time: every deleted row, older_than must be 0)';

/*
 * Access to deleted data (1.5): who, besides a superuser and the table's
 * owner, may read a table's deleted rows and past (read_deleted:
 * include_deleted, as_of, restore) and erase its rows (erase: hard_delete,
 * purge, TRUNCATE).  A configuration table, so pg_dump keeps it; written by
 * grant_access and revoke_access, which check ownership of the table; read
 * by the planner hook when a statement asks for deleted rows or erasure.
 * grantee '-' (0) is PUBLIC.
 */
CREATE TABLE softdelete.access (
	relid		regclass NOT NULL,
	grantee		regrole NOT NULL,
	privilege	text NOT NULL CHECK (privilege IN ('read_deleted', 'erase')),
	granted_by	regrole NOT NULL,
	PRIMARY KEY (relid, grantee, privilege)
);
SELECT pg_catalog.pg_extension_config_dump('softdelete.access', '');
REVOKE ALL ON softdelete.access FROM PUBLIC;
GRANT SELECT ON softdelete.access TO PUBLIC;

/*
 * Rows written by other means than the functions (a restore, a hand edit)
 * reach every session at once.
 */
CREATE FUNCTION softdelete.access_changed()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_access_changed';

CREATE TRIGGER access_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON softdelete.access
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.access_changed();

CREATE FUNCTION softdelete.grant_access(tbl regclass, role_name name, privilege text)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_grant_access';

COMMENT ON FUNCTION softdelete.grant_access(regclass, name, text) IS
'lets role_name (or PUBLIC) read the deleted rows and the past of tbl (privilege read_deleted) or erase its rows (erase); by the table''s owner';

CREATE FUNCTION softdelete.revoke_access(tbl regclass, role_name name, privilege text)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_revoke_access';

COMMENT ON FUNCTION softdelete.revoke_access(regclass, name, text) IS
'takes back what softdelete.grant_access gave';

/*
 * Who deletes (1.6): softdelete.actor, or the session's role when it is
 * empty; what a soft delete writes into the deleted_by column.
 */
CREATE FUNCTION softdelete.actor()
RETURNS text
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'softdelete_actor';

COMMENT ON FUNCTION softdelete.actor() IS
'who a soft delete records now: softdelete.actor, or the session''s role when it is empty';

/*
 * Which transaction deleted what, who and why (1.7): one row per
 * transaction and enabled table it soft-deleted or archived from, written
 * as it commits.  xid is the transaction; subxids the xids its rows carry
 * (flag mode: a deleted row's xmin); rows how many it deleted; actor and
 * reason softdelete.actor and softdelete.reason.  A configuration table, so
 * pg_dump keeps it; a row that arrives by INSERT or COPY (a restore) is
 * marked arrived: its rows carry other xmins in this cluster.  Read by
 * softdelete.undo() and softdelete.trash, which show each role only what
 * it may see; not readable directly (it names every table).
 */
CREATE TABLE softdelete.deletions (
	xid			xid8 NOT NULL,
	relid		regclass NOT NULL,
	subxids		xid[] NOT NULL,
	rows		bigint NOT NULL,
	actor		text NOT NULL,
	reason		text,
	deleted_at	timestamptz NOT NULL,
	arrived		boolean NOT NULL DEFAULT false
);
CREATE INDEX deletions_xid ON softdelete.deletions (xid);
SELECT pg_catalog.pg_extension_config_dump('softdelete.deletions', '');
REVOKE ALL ON softdelete.deletions FROM PUBLIC;

CREATE FUNCTION softdelete.deletions_arrived()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'softdelete_deletions_arrived';

CREATE TRIGGER deletions_arrived
	BEFORE INSERT ON softdelete.deletions
	FOR EACH ROW EXECUTE FUNCTION softdelete.deletions_arrived();
-- also when logical replication applies the publisher's rows (as replica)
ALTER TABLE softdelete.deletions ENABLE ALWAYS TRIGGER deletions_arrived;

/*
 * The stamp of one row a soft delete writes, counted for the log.  Put in
 * the soft delete's target list by the planner hook; not for direct use.
 */
CREATE FUNCTION softdelete.deleting(stamp anyelement, tbl oid)
RETURNS anyelement
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'softdelete_deleting';

COMMENT ON FUNCTION softdelete.deleting(anyelement, oid) IS
'the stamp a soft delete writes, counted for softdelete.deletions (used by the soft delete itself)';

CREATE FUNCTION softdelete.undo(xid xid8)
RETURNS TABLE (table_name regclass, restored bigint)
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_undo';

COMMENT ON FUNCTION softdelete.undo(xid8) IS
'restores every row that transaction xid soft-deleted or archived, parents before children, and nothing else; refused as a whole when that is no longer possible';

CREATE FUNCTION softdelete.trash_rows()
RETURNS TABLE (table_name regclass, key jsonb, deleted_at timestamptz,
			   deleted_by text, reason text, xid xid8)
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_trash';

COMMENT ON FUNCTION softdelete.trash_rows() IS
'the rows of softdelete.trash';

CREATE VIEW softdelete.trash AS
	SELECT t.table_name, t.key, t.deleted_at, t.deleted_by, t.reason, t.xid
	  FROM softdelete.trash_rows() t;

GRANT SELECT ON softdelete.trash TO PUBLIC;

COMMENT ON VIEW softdelete.trash IS
'every deleted row of every enabled table whose deleted rows the role may read: its primary key, when, who, why and which transaction (for softdelete.undo)';

/*
 * Live rows together (1.8): CLUSTER by (deleted, primary key), so that the
 * queries that read the heap by range read live rows only.
 */
CREATE FUNCTION softdelete.pack(tbl regclass)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_pack';

COMMENT ON FUNCTION softdelete.pack(regclass) IS
'rewrites the table (CLUSTER) so that its live rows lie together at its start, in primary-key order, the deleted rows after them';
