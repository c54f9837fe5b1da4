/* softdelete--1.4--1.5.sql: deleted data under access control */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.5'" to load this file. \quit

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
 * Before 1.5 every role that could read an enabled table could also read
 * its deleted rows (include_deleted, as_of), and every role that could
 * delete could erase (hard_delete, purge).  So that applications keep
 * working after the update, those roles get the grants they used to have
 * implicitly: read_deleted for each holder of SELECT on the table, erase
 * for each holder of DELETE (PUBLIC included), recorded where the owner
 * sees them and can revoke them.  A warning says how many.
 */
DO $$
DECLARE
	n bigint;
BEGIN
	INSERT INTO softdelete.access (relid, grantee, privilege, granted_by)
	SELECT DISTINCT r.relid, a.grantee::pg_catalog.regrole,
		   CASE a.privilege_type WHEN 'SELECT' THEN 'read_deleted' ELSE 'erase' END,
		   c.relowner::pg_catalog.regrole
	  FROM softdelete.registry r
	  JOIN pg_catalog.pg_class c ON c.oid = r.relid
	 CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
	 WHERE a.privilege_type IN ('SELECT', 'DELETE')
	   AND a.grantee <> c.relowner
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE WARNING 'softdelete 1.5: % grants recorded in softdelete.access for the roles that could read deleted rows or erase before', n
			USING DETAIL = 'From 1.5 on, reading deleted rows and the past, and erasing, need a grant: holders of SELECT got read_deleted, holders of DELETE got erase, so that nothing stops working.',
				  HINT = 'Review them: SELECT * FROM softdelete.access; and take back what no role should have with softdelete.revoke_access(tbl, role, privilege).';
	END IF;
END
$$;
