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
