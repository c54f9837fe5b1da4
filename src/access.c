/*-------------------------------------------------------------------------
 *
 * access.c
 *		Who may see deleted rows and the past, and who may erase: the grants
 *		softdelete records per table and role (softdelete.access), and the
 *		functions that give and take them.
 *
 * A role may read the deleted rows of an enabled table (include_deleted on
 * or only, as_of, restore) and erase its rows (hard_delete, purge, TRUNCATE
 * under hard_delete) when it is a superuser, has the privileges of the
 * table's owner, or holds the grant (directly, through a role whose
 * privileges it has, or through PUBLIC).  Grants are on the root of a
 * partitioned or inheritance tree and cover its members, as the registry
 * does.  The look-up runs when a statement is planned, once per table, and
 * only when a setting asks for deleted rows or erasure: never per row, and
 * never for a role that asks for neither.
 *
 * Calls: catalog.c, sql.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "lib/stringinfo.h"
#include "utils/syscache.h"

#include "access.h"
#include "catalog.h"
#include "compat.h"
#include "sql.h"
#include "state.h"

PG_FUNCTION_INFO_V1(softdelete_grant_access);
PG_FUNCTION_INFO_V1(softdelete_revoke_access);
PG_FUNCTION_INFO_V1(softdelete_access_changed);

#define Natts_access			4
#define Anum_access_relid		1
#define Anum_access_grantee		2
#define Anum_access_privilege	3
#define Anum_access_granted_by	4

static const char *const sd_access_names[] = {"read_deleted", "erase"};

/*
 * The answers given, per table, role and privilege, until something they
 * rest on changes: a write of softdelete.access (its trigger, and the two
 * functions, invalidate its relcache entry), any relation's invalidation
 * (an owner changed), roles and their memberships.  A statement that
 * needs a check costs a hash look-up once the answer is known.
 */
typedef struct SdAccessKey
{
	Oid			root;
	Oid			user;
	int			what;
} SdAccessKey;

typedef struct SdAccessEntry
{
	SdAccessKey key;
	bool		allowed;
} SdAccessEntry;

static HTAB *sd_access_cache = NULL;
static Oid	sd_access_oid = InvalidOid;	/* softdelete.access, once found */
static Oid	sd_access_pkey = InvalidOid;

static void
sd_access_reset(void)
{
	if (sd_access_cache != NULL)
	{
		hash_destroy(sd_access_cache);
		sd_access_cache = NULL;
	}
}

static void
sd_access_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == sd_access_oid)
		sd_access_oid = sd_access_pkey = InvalidOid;
	sd_access_reset();
}

static void
sd_access_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	sd_access_reset();
}

void
sd_access_init(void)
{
	CacheRegisterRelcacheCallback(sd_access_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, sd_access_syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, sd_access_syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, sd_access_syscache_callback, (Datum) 0);
}

/* softdelete.access and its primary key, or InvalidOid before 1.5. */
static Oid
sd_access_table(Oid *index)
{
	Oid			registry;
	Oid			relid;

	if (OidIsValid(sd_access_oid))
	{
		*index = sd_access_pkey;
		return sd_access_oid;
	}
	*index = InvalidOid;
	registry = sd_catalog_registry_relid(true);
	if (!OidIsValid(registry))
		return InvalidOid;
	relid = get_relname_relid("access", get_rel_namespace(registry));
	if (OidIsValid(relid))
	{
		*index = get_relname_relid("access_pkey", get_rel_namespace(registry));
		sd_access_oid = relid;
		sd_access_pkey = *index;
	}
	return relid;
}

/* softdelete.access, for plans that rest on its grants (InvalidOid: none). */
Oid
sd_access_relid(void)
{
	Oid			index;

	return sd_access_table(&index);
}

/* The owner of relation relid. */
Oid
sd_rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * May user do what on the tree rooted at root?  The grants are read with
 * SnapshotSelf, as the registry is (catalog.c): a look-up of softdelete's,
 * which takes no part in a SERIALIZABLE transaction's predicate locking.
 */
static bool
sd_access_look_up(Oid root, SdAccess what, Oid user)
{
	Oid			index;
	Oid			access = sd_access_table(&index);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		allowed = false;

	if (superuser_arg(user) || has_privs_of_role(user, sd_rel_owner(root)))
		return true;
	/* a role that reads all data (backups) reads deleted rows too */
	if (what == SD_ACCESS_READ_DELETED &&
		has_privs_of_role(user, ROLE_PG_READ_ALL_DATA))
		return true;
	if (!OidIsValid(access))
		return false;
	rel = table_open(access, AccessShareLock);
	ScanKeyInit(&key, Anum_access_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(root));
	scan = systable_beginscan(rel, index, OidIsValid(index), SnapshotSelf, 1, &key);
	while (!allowed && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Oid			grantee;
		char	   *priv;

		grantee = DatumGetObjectId(heap_getattr(tup, Anum_access_grantee,
												RelationGetDescr(rel), &isnull));
		priv = TextDatumGetCString(heap_getattr(tup, Anum_access_privilege,
												RelationGetDescr(rel), &isnull));
		if (strcmp(priv, sd_access_names[what]) != 0)
			continue;
		/* PUBLIC, or a role that still exists and whose privileges user has */
		if (!OidIsValid(grantee) ||
			(SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(grantee)) &&
			 has_privs_of_role(user, grantee)))
			allowed = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return allowed;
}

bool
sd_access_allowed(Oid root, SdAccess what, Oid user)
{
	SdAccessKey key;
	SdAccessEntry *e;
	bool		found;
	bool		allowed;

	memset(&key, 0, sizeof(key));
	key.root = root;
	key.user = user;
	key.what = (int) what;
	if (sd_access_cache != NULL &&
		(e = hash_search(sd_access_cache, &key, HASH_FIND, NULL)) != NULL)
		return e->allowed;
	allowed = sd_access_look_up(root, what, user);
	/* an invalidation during the look-up may have dropped the cache */
	if (sd_access_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(SdAccessKey);
		ctl.entrysize = sizeof(SdAccessEntry);
		ctl.hcxt = CacheMemoryContext;
		sd_access_cache = hash_create("softdelete access", 16, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	e = hash_search(sd_access_cache, &key, HASH_ENTER, &found);
	e->allowed = allowed;
	return allowed;
}

/*
 * Refuse, saying how to grant it, unless user may do what on the tree
 * rooted at root; relid is the table the statement names.
 */
void
sd_access_require(Oid root, Oid relid, SdAccess what, Oid user)
{
	Oid			index;
	bool		old = false;

	if (sd_access_allowed(root, what, user))
		return;
	/* a database whose extension is older than the library: no grants yet */
	old = !OidIsValid(sd_access_table(&index));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 what == SD_ACCESS_READ_DELETED ?
			 errmsg("permission denied to read the deleted rows of table \"%s\"",
					get_rel_name(relid)) :
			 errmsg("permission denied to erase rows of table \"%s\"",
					get_rel_name(relid)),
			 old ?
			 errdetail("From softdelete 1.5 on, only the table's owner may unless granted, and this database has an older version of the extension.") :
			 what == SD_ACCESS_READ_DELETED ?
			 errdetail("softdelete.include_deleted, softdelete.as_of and softdelete.restore() need the grant read_deleted on the table.") :
			 errdetail("softdelete.hard_delete, softdelete.purge() and TRUNCATE need the grant erase on the table."),
			 old ?
			 errhint("Run ALTER EXTENSION softdelete UPDATE: it grants the roles that could read deleted rows or erase before.") :
			 errhint("The table's owner grants it: SELECT softdelete.grant_access(%s, %s, '%s');",
					 sd_table_literal(root),
					 quote_literal_cstr(GetUserNameFromId(user, false)),
					 sd_access_names[what])));
}

/*
 * A row of rel deleted physically under hard_delete, by a trigger of rel:
 * a DELETE planned on an enabled table had its grant checked by the planner
 * (visibility.c), but a foreign-key cascade from a table that is not
 * enabled reaches it here only, running as rel's owner.  The role that set
 * hard_delete needs the erase grant; checked once per table and command.
 */
void
sd_access_require_erase_row(Relation rel)
{
	static Oid	done_relid = InvalidOid;
	static TransactionId done_xid = InvalidTransactionId;
	static CommandId done_cid = InvalidCommandId;
	Oid			relid = RelationGetRelid(rel);
	TransactionId xid = GetTopTransactionIdIfAny();
	CommandId	cid = GetCurrentCommandId(false);
	SdTable		t;

	if (relid == done_relid && xid == done_xid && cid == done_cid &&
		TransactionIdIsValid(xid))
		return;
	if (sd_catalog_lookup(relid, &t))
		sd_access_require(t.root, relid, SD_ACCESS_ERASE,
						  sd_hard_delete_origin.boundary ?
						  sd_hard_delete_origin.userid : GetOuterUserId());
	done_relid = relid;
	done_xid = xid;
	done_cid = cid;
}

/* The arguments of grant_access and revoke_access. */
static void
sd_access_args(FunctionCallInfo fcinfo, const char *fn, Oid *root,
			   Oid *grantee, SdAccess *what)
{
	Oid			relid;
	char	   *role;
	char	   *priv;
	SdTable		t;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be NULL",
						PG_ARGISNULL(0) ? "tbl" : PG_ARGISNULL(1) ? "role_name" : "privilege")));
	relid = PG_GETARG_OID(0);
	role = NameStr(*PG_GETARG_NAME(1));
	priv = text_to_cstring(PG_GETARG_TEXT_PP(2));

	if (strcmp(priv, sd_access_names[SD_ACCESS_READ_DELETED]) == 0)
		*what = SD_ACCESS_READ_DELETED;
	else if (strcmp(priv, sd_access_names[SD_ACCESS_ERASE]) == 0)
		*what = SD_ACCESS_ERASE;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized privilege \"%s\"", priv),
				 errhint("The privileges are read_deleted and erase.")));
	if (pg_strcasecmp(role, "public") == 0)
		*grantee = InvalidOid;
	else
		*grantee = get_role_oid(role, false);

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!sd_catalog_lookup(relid, &t))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not enabled for soft delete",
						get_rel_name(relid)),
				 errhint("Call softdelete.enable() or softdelete.enable_archive() first.")));
	if (t.root != relid)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("table \"%s\" is part of the enabled table \"%s\"",
						get_rel_name(relid), get_rel_name(t.root)),
				 errhint("Grant on \"%s\": it covers the whole tree.",
						 get_rel_name(t.root))));
	/* as GRANT on a table: its owner (or a member of the owning role) */
	if (!has_privs_of_role(GetUserId(), sd_rel_owner(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for %s: must be owner of table \"%s\"",
						fn, get_rel_name(relid))));
	*root = relid;
}

/* The grant row of (root, grantee, what) in rel, copied; NULL if none. */
static HeapTuple
sd_access_fetch(Relation rel, Oid index, Oid root, Oid grantee, SdAccess what)
{
	SysScanDesc scan;
	ScanKeyData key[3];
	HeapTuple	tup;

	ScanKeyInit(&key[0], Anum_access_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(root));
	ScanKeyInit(&key[1], Anum_access_grantee, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(grantee));
	ScanKeyInit(&key[2], Anum_access_privilege, BTEqualStrategyNumber, F_TEXTEQ,
				CStringGetTextDatum(sd_access_names[what]));
	key[2].sk_collation = DEFAULT_COLLATION_OID;
	scan = systable_beginscan(rel, index, OidIsValid(index), NULL, 3, key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	return tup;
}

/*
 * Grant (or revoke) what fcinfo's arguments say: the row of softdelete.access
 * added if missing (or removed if there), as GRANT and REVOKE are no-ops
 * when there is nothing to do.  Every session's answers, and the plans
 * that checked a grant, go.
 */
static void
sd_access_write(FunctionCallInfo fcinfo, bool grant)
{
	Oid			root;
	Oid			grantee;
	SdAccess	what;
	Oid			index;
	Oid			access;
	Relation	rel;
	HeapTuple	tup;

	sd_access_args(fcinfo, grant ? "softdelete.grant_access()" : "softdelete.revoke_access()",
				   &root, &grantee, &what);
	access = sd_access_table(&index);
	if (!OidIsValid(access))
		elog(ERROR, "softdelete.access does not exist");
	rel = table_open(access, RowExclusiveLock);
	tup = sd_access_fetch(rel, index, root, grantee, what);
	if (grant && !HeapTupleIsValid(tup))
	{
		Datum		values[Natts_access];
		bool		nulls[Natts_access];

		memset(nulls, false, sizeof(nulls));
		values[Anum_access_relid - 1] = ObjectIdGetDatum(root);
		values[Anum_access_grantee - 1] = ObjectIdGetDatum(grantee);
		values[Anum_access_privilege - 1] = CStringGetTextDatum(sd_access_names[what]);
		values[Anum_access_granted_by - 1] = ObjectIdGetDatum(GetUserId());
		tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);
		CatalogTupleInsert(rel, tup);
	}
	else if (!grant && HeapTupleIsValid(tup))
		CatalogTupleDelete(rel, &tup->t_self);
	table_close(rel, NoLock);
	CacheInvalidateRelcacheByRelid(access);
	CacheInvalidateRelcacheByRelid(root);
}

/*
 * softdelete.grant_access(tbl, role_name, privilege): role_name (or
 * PUBLIC) may read tbl's deleted rows and past (read_deleted), or erase
 * its rows (erase).
 */
Datum
softdelete_grant_access(PG_FUNCTION_ARGS)
{
	sd_access_write(fcinfo, true);
	PG_RETURN_VOID();
}

/* softdelete.revoke_access(tbl, role_name, privilege): take it back. */
Datum
softdelete_revoke_access(PG_FUNCTION_ARGS)
{
	sd_access_write(fcinfo, false);
	PG_RETURN_VOID();
}

/* Table relid was dropped: its grants go with it. */
void
sd_access_forget(Oid relid)
{
	Oid			index;
	Oid			access = sd_access_table(&index);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;

	if (!OidIsValid(access))
		return;
	rel = table_open(access, RowExclusiveLock);
	ScanKeyInit(&key, Anum_access_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, index, OidIsValid(index), NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		CatalogTupleDelete(rel, &tup->t_self);
	systable_endscan(scan);
	table_close(rel, NoLock);
	CacheInvalidateRelcacheByRelid(access);
}

/*
 * The grants role holds in this database: their description for an error
 * (NULL when none), and, with forget, removed (DROP OWNED BY takes a role's
 * privileges away, as it does a role's GRANTs).
 */
char *
sd_access_of_role(Oid role, bool forget)
{
	Oid			index;
	Oid			access = sd_access_table(&index);
	Relation	rel;
	TableScanDesc scan;
	Snapshot	snapshot;
	HeapTuple	tup;
	StringInfoData buf;
	int			n = 0;

	if (!OidIsValid(access))
		return NULL;
	initStringInfo(&buf);
	rel = table_open(access, forget ? RowExclusiveLock : AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = SD_TABLE_BEGINSCAN(rel, snapshot);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		bool		isnull;
		Oid			grantee = DatumGetObjectId(heap_getattr(tup, Anum_access_grantee,
															RelationGetDescr(rel), &isnull));
		Oid			relid;

		if (grantee != role)
			continue;
		if (forget)
		{
			CatalogTupleDelete(rel, &tup->t_self);
			continue;
		}
		relid = DatumGetObjectId(heap_getattr(tup, Anum_access_relid,
											  RelationGetDescr(rel), &isnull));
		if (n++ > 0)
			appendStringInfoString(&buf, "\n");
		appendStringInfo(&buf, "softdelete grant %s on table %s",
						 TextDatumGetCString(heap_getattr(tup, Anum_access_privilege,
														  RelationGetDescr(rel), &isnull)),
						 get_rel_name(relid) ? sd_qualified_name(relid) : "(dropped)");
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	if (forget)
		CacheInvalidateRelcacheByRelid(access);
	return n > 0 ? buf.data : NULL;
}

/*
 * The statement trigger of softdelete.access: rows written by other means
 * than the functions (a restore of a dump, a superuser's hand edit) reach
 * every session's answers, and every plan that checked a grant, at once.
 */
Datum
softdelete_access_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.access_changed() can only be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
