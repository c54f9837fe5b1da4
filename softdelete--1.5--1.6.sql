/* softdelete--1.5--1.6.sql: who deleted a row */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.6'" to load this file. \quit

ALTER TABLE softdelete.registry ADD COLUMN deleted_by name;

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
			   deleted_by = NEW.deleted_by
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
		   r.retention, r.deleted_by
	  FROM softdelete.registry r;

DROP FUNCTION softdelete.enable(regclass, name, boolean);
CREATE FUNCTION softdelete.enable(tbl regclass, column_name name DEFAULT 'deleted_at',
								  replace_unique boolean DEFAULT false,
								  deleted_by name DEFAULT NULL)
RETURNS void
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'softdelete_enable';

COMMENT ON FUNCTION softdelete.enable(regclass, name, boolean, name) IS
'flag mode: DELETE marks rows in the flag column (timestamptz or timestamp: NULL live, a stamp deleted; boolean: true deleted, false or NULL live), every query sees only live rows; deleted_by names a column that records who deleted each row';

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
