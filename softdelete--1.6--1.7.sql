/* softdelete--1.6--1.7.sql: which transaction deleted what, who and why; undo and trash */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.7'" to load this file. \quit

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
 * Archive tables record the reason in archived_reason from 1.7 on: those
 * made before get the column (unless their table has a column of that name,
 * which then stays the table's; the reason is in the log either way).
 */
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT g.relid, g.archive FROM softdelete.registry g
			  WHERE g.mode = 'archive' AND g.archive IS NOT NULL
	LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
						WHERE a.attrelid = r.archive AND a.attname = 'archived_reason'
						  AND NOT a.attisdropped)
		   AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
							WHERE a.attrelid = r.relid AND a.attname = 'archived_reason'
							  AND NOT a.attisdropped)
		THEN
			EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN archived_reason text', r.archive);
		END IF;
	END LOOP;
END
$$;
