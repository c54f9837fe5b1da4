/* softdelete--1.3--1.4.sql: archive tables that operations can rely on */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.4'" to load this file. \quit

/*
 * Archive tables enabled before 1.4 get what 1.4 gives new ones:
 * - the live table depends on its archive (pg_depend, normal), so pg_dump
 *   creates the archive first and pg_restore --clean drops the live table
 *   first;
 * - a replica identity: the primary key archive_id, so that a publication
 *   of the archive can publish the deletes and updates of restore, purge
 *   and retention.  An archive whose archive_id values are not unique (rows
 *   written into it by hand) gets REPLICA IDENTITY FULL instead, with a
 *   warning.
 */
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT relid, archive FROM softdelete.registry
			  WHERE mode = 'archive' AND archive IS NOT NULL
	LOOP
		INSERT INTO pg_catalog.pg_depend
			(classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, r.relid, 0,
			   'pg_catalog.pg_class'::pg_catalog.regclass, r.archive, 0, 'n'
		 WHERE NOT EXISTS (
			SELECT FROM pg_catalog.pg_depend d
			 WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
			   AND d.objid = r.relid AND d.objsubid = 0
			   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
			   AND d.refobjid = r.archive AND d.deptype = 'n');

		CONTINUE WHEN EXISTS (
			SELECT FROM pg_catalog.pg_index i
			 WHERE i.indrelid = r.archive AND (i.indisprimary OR i.indisreplident))
		  OR (SELECT c.relreplident FROM pg_catalog.pg_class c WHERE c.oid = r.archive) = 'f';
		BEGIN
			EXECUTE pg_catalog.format('ALTER TABLE %s ADD PRIMARY KEY (archive_id)', r.archive);
		EXCEPTION WHEN unique_violation OR not_null_violation OR undefined_column THEN
			EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY FULL', r.archive);
			RAISE WARNING 'archive table % has no unique archive_id: it gets REPLICA IDENTITY FULL', r.archive;
		END;
	END LOOP;
END
$$;

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

/*
 * Every table that holds a foreign key to a flag-mode table (to it, or to a
 * partition or child of it) gets softdelete_ref, as 1.4 gives new ones, so
 * that a later pg_upgrade to 19 keeps checking new references.  Where it is
 * there already (19, Citus) it stays as it is.
 */
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		WITH RECURSIVE flagged AS (
			SELECT g.relid::pg_catalog.oid AS rel FROM softdelete.registry g WHERE g.mode = 'flag'
			UNION
			SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN flagged f ON i.inhparent = f.rel)
		SELECT DISTINCT c.conrelid::pg_catalog.regclass AS child
		  FROM pg_catalog.pg_constraint c JOIN flagged f ON f.rel = c.confrelid
		 WHERE c.contype = 'f' AND c.conparentid = 0
		   AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
						   WHERE t.tgrelid = c.conrelid AND t.tgname = 'softdelete_ref')
		   AND NOT (SELECT c2.relispartition FROM pg_catalog.pg_class c2 WHERE c2.oid = c.conrelid)
	LOOP
		EXECUTE pg_catalog.format('CREATE TRIGGER softdelete_ref AFTER INSERT OR UPDATE ON %s '
								  'FOR EACH ROW WHEN (softdelete.ref_needed()) '
								  'EXECUTE FUNCTION softdelete.fk()', r.child);
	END LOOP;
END
$$;

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
			   versions = NEW.versions, enabled_at = NEW.enabled_at, retention = NEW.retention
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
 * The TRUNCATE guard of every table of an enabled tree says how the table
 * is registered, as 1.4 makes it: a dump of the table alone carries it, and
 * its restore registers the table again.
 */
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		WITH RECURSIVE tree AS (
			SELECT g.relid::pg_catalog.oid AS rel, g.mode, g.column_name, g.archive, g.versions
			  FROM softdelete.registry g
			UNION
			SELECT i.inhrelid, t.mode, t.column_name, t.archive, t.versions
			  FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.rel)
		SELECT t.rel::pg_catalog.regclass AS tbl, t.mode, t.column_name,
			   (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = t.archive) AS archive,
			   t.versions
		  FROM tree t
		 WHERE EXISTS (SELECT FROM pg_catalog.pg_trigger g
						WHERE g.tgrelid = t.rel AND g.tgname = 'softdelete_guard_truncate'
						  AND g.tgnargs = 0)
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER softdelete_guard_truncate ON %s', r.tbl);
		EXECUTE pg_catalog.format('CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON %s '
								  'FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard(%s)', r.tbl,
								  CASE WHEN r.mode = 'flag'
									   THEN pg_catalog.format('%L, %L', 'flag', r.column_name)
									   ELSE pg_catalog.format('%L, %L, %L', 'archive', r.archive,
															  CASE WHEN r.versions THEN 'versions' ELSE '' END)
								  END);
	END LOOP;
END
$$;
