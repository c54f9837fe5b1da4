/* softdelete--1.7--1.8.sql: live indexes */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.8'" to load this file. \quit

/*
 * Live indexes (1.8): the indexes enable(..., live_indexes => true)
 * rebuilt over live rows (disable gives them back) and those it made over
 * deleted rows (disable drops them), by qualified name; NULL: not asked for.
 */
ALTER TABLE softdelete.registry ADD COLUMN live_indexes text[];
ALTER TABLE softdelete.registry ADD COLUMN deleted_indexes text[];

CREATE OR REPLACE FUNCTION softdelete.registry_arrived()
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

CREATE OR REPLACE VIEW softdelete.tables AS
	SELECT r.relid AS table_name, r.mode, r.column_name, r.archive,
		   r.versions, r.enabled_at,
		   (SELECT a.atttypid::pg_catalog.regtype
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = r.relid AND a.attname = r.column_name
			   AND NOT a.attisdropped) AS flag_type,
		   r.retention, r.deleted_by,
		   r.live_indexes IS NOT NULL AS live_indexes
	  FROM softdelete.registry r;

DROP FUNCTION softdelete.enable(regclass, name, boolean, name);
CREATE FUNCTION softdelete.enable(tbl regclass, column_name name DEFAULT 'deleted_at',
								  replace_unique boolean DEFAULT false,
								  deleted_by name DEFAULT NULL,
								  live_indexes boolean DEFAULT false)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_enable';

COMMENT ON FUNCTION softdelete.enable(regclass, name, boolean, name, boolean) IS
'flag mode: DELETE marks rows in the flag column (timestamptz or timestamp: NULL live, a stamp deleted; boolean: true deleted, false or NULL live), every query sees only live rows; deleted_by names a column that records who deleted each row; live_indexes rebuilds the table''s ordinary indexes over live rows';

CREATE FUNCTION softdelete.pack(tbl regclass)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_pack';

COMMENT ON FUNCTION softdelete.pack(regclass) IS
'rewrites the table (CLUSTER) so that its live rows lie together at its start, in primary-key order, the deleted rows after them';
