/* softdelete--1.1--1.2.sql: boolean flags, include_deleted = only */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.2'" to load this file. \quit

/*
 * The flag column may be a boolean (true: deleted); the view says of which
 * type each table's flag is.  softdelete.include_deleted takes a third
 * value, only (the library defines the setting).
 */
CREATE OR REPLACE VIEW softdelete.tables AS
	SELECT r.relid AS table_name, r.mode, r.column_name, r.archive,
		   r.versions, r.enabled_at,
		   (SELECT a.atttypid::pg_catalog.regtype
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = r.relid AND a.attname = r.column_name
			   AND NOT a.attisdropped) AS flag_type
	  FROM softdelete.registry r;

COMMENT ON FUNCTION softdelete.enable(regclass, name, boolean) IS
'flag mode: DELETE marks rows in the flag column (timestamptz or timestamp: NULL live, a stamp deleted; boolean: true deleted, false or NULL live), every query sees only live rows';
COMMENT ON FUNCTION softdelete.restore(regclass, text) IS
'brings back the deleted rows matching filter (all when NULL): the flag back to NULL (false for a boolean), or out of the archive';
COMMENT ON FUNCTION softdelete.purge(regclass, interval) IS
'erases the rows deleted at least older_than ago (a boolean flag carries no time: every deleted row, older_than must be 0)';
