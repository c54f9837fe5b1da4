/* softdelete--1.2--1.3.sql: retention, softdelete.as_of */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.3'" to load this file. \quit

/*
 * Retention: how long a table keeps its deleted rows (NULL: until purged by
 * hand).  purge_expired(), and the background worker, erase what is older.
 */
ALTER TABLE softdelete.registry ADD COLUMN retention interval
	CHECK (retention > '0');

CREATE OR REPLACE VIEW softdelete.tables AS
	SELECT r.relid AS table_name, r.mode, r.column_name, r.archive,
		   r.versions, r.enabled_at,
		   (SELECT a.atttypid::pg_catalog.regtype
			  FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = r.relid AND a.attname = r.column_name
			   AND NOT a.attisdropped) AS flag_type,
		   r.retention
	  FROM softdelete.registry r;

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

/* as_of() reads the table as it says, whatever softdelete.as_of is. */
ALTER FUNCTION softdelete.as_of(anyelement, timestamptz) SET softdelete.as_of = '';
