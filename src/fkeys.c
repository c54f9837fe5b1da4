/*-------------------------------------------------------------------------
 *
 * fkeys.c
 *		Foreign keys that understand soft delete: a soft delete cascades and
 *		is restricted as a delete would be, a restore brings back what was
 *		deleted with the row, and a deleted row cannot be referenced anew.
 *
 * A soft delete in flag mode is an UPDATE, so core's foreign-key triggers
 * never see it.  The row trigger softdelete_fk (AFTER UPDATE, only when the
 * flag goes from NULL to set or back) does what core's would:
 *
 * - deleted: for every foreign key that references the row, ON DELETE
 *   CASCADE runs "DELETE FROM child WHERE fk = key" (planned through the
 *   hook, so it is a soft delete or an archive move of the live children,
 *   and it recurses through theirs); RESTRICT and NO ACTION look for a live
 *   child and fail with 23503.  SET NULL, SET DEFAULT and a cascade into a
 *   table that is not enabled are refused by enable, and again here.
 * - restored: the row's own references must point at live rows; then the
 *   children that a cascade deleted with it (same foreign key, same stamp)
 *   are restored too, recursively.
 *
 * In archive mode the delete is physical and core's triggers do the work;
 * restore cascades through the archives (same key, same archived_xid), in
 * sd_restore_archive.
 *
 * Races.  A real DELETE locks the row FOR UPDATE, which conflicts with the
 * FOR KEY SHARE lock of a foreign-key check, so a child cannot be inserted
 * under a parent being deleted.  The UPDATE of a soft delete would only take
 * FOR NO KEY UPDATE.  So the planner marks the key columns as updated in a
 * redirected DELETE on a referenced table, and the executor gives that
 * statement a BEFORE UPDATE row trigger: core then locks each row in
 * ExecUpdateLockMode's mode, FOR UPDATE, before changing it.  Core's key
 * check itself is filtered (visibility.c), so a deleted parent is "not
 * present".  Under REPEATABLE READ the cascade and the restriction look at
 * the newest rows, with the transaction snapshot as crosscheck, as core's
 * ri_PerformCheck does.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "softdelete.h"

PG_FUNCTION_INFO_V1(softdelete_fk);

/* ---------------------------------------------------------------------
 * The foreign keys that reference a relation, cached
 * ---------------------------------------------------------------------
 */
typedef struct SdFkCacheEntry
{
	Oid			relid;			/* hash key */
	List	   *fks;			/* of SdFk */
} SdFkCacheEntry;

static HTAB *sd_fk_cache = NULL;
static MemoryContext sd_fk_cxt = NULL;
static uint64 sd_fk_resets = 0;

/*
 * New or dropped foreign keys invalidate the referenced table (core adds
 * or drops its triggers): forget that table's entry.  A reset forgets all.
 */
static void
sd_fk_relcache_callback(Datum arg, Oid relid)
{
	if (sd_fk_cache == NULL)
		return;
	if (!OidIsValid(relid))
	{
		MemoryContextReset(sd_fk_cxt);
		sd_fk_cache = NULL;
		sd_fk_resets++;
	}
	else if (hash_search(sd_fk_cache, &relid, HASH_REMOVE, NULL) != NULL)
		sd_fk_resets++;
}

void
sd_fkeys_init(void)
{
	CacheRegisterRelcacheCallback(sd_fk_relcache_callback, (Datum) 0);
}

static List *sd_fk_copy(List *fks);

static int
sd_fk_cmp(const ListCell *a, const ListCell *b)
{
	Oid			x = ((SdFk *) lfirst(a))->conoid;
	Oid			y = ((SdFk *) lfirst(b))->conoid;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * The foreign keys whose referenced table is in targets, in the order they
 * were made.  A foreign key depends on the table it references
 * (pg_depend), so an index look-up per target finds them.
 */
static List *
sd_fk_scan(List *targets)
{
	Relation	deprel = table_open(DependRelationId, AccessShareLock);
	List	   *conoids = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, targets)
	{
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(lfirst_oid(lc)));
		scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL,
								  2, key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);

			if (dep->classid == ConstraintRelationId)
				conoids = list_append_unique_oid(conoids, dep->objid);
		}
		systable_endscan(scan);
	}
	table_close(deprel, AccessShareLock);

	foreach(lc, conoids)
	{
		HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_constraint con;
		SdFk	   *fk;

		if (!HeapTupleIsValid(tup))
			continue;
		con = (Form_pg_constraint) GETSTRUCT(tup);
		/* clones for partitions have a parent constraint: take the original */
		if (con->contype != CONSTRAINT_FOREIGN || OidIsValid(con->conparentid) ||
			!list_member_oid(targets, con->confrelid))
		{
			ReleaseSysCache(tup);
			continue;
		}
		fk = palloc0(sizeof(SdFk));
		fk->conoid = con->oid;
		fk->conname = con->conname;
		fk->child = con->conrelid;
		fk->parent = con->confrelid;
		fk->deltype = con->confdeltype;
		fk->index = con->conindid;
		DeconstructFkConstraintRow(tup, &fk->nkeys, fk->child_att,
								   fk->parent_att, fk->pf_eq_oprs, NULL, NULL,
								   NULL, NULL);
		ReleaseSysCache(tup);
		result = lappend(result, fk);
	}
	list_sort(result, sd_fk_cmp);
	return result;
}

/*
 * The cached foreign keys that reference rows stored in relid: those on
 * relid itself and, for a partition, those on its partitioned ancestors.
 * The list belongs to the cache, which any catalog access may reset.
 */
static List *
sd_fk_incoming_cached(Oid relid)
{
	SdFkCacheEntry *e;
	List	   *targets;
	List	   *fks;
	MemoryContext old;
	uint64		resets;

	if (sd_fk_cache == NULL)
	{
		if (sd_fk_cxt == NULL)
			sd_fk_cxt = AllocSetContextCreate(CacheMemoryContext,
											  "softdelete foreign keys",
											  ALLOCSET_SMALL_SIZES);
		sd_fk_cache = sd_oid_hash("softdelete foreign keys",
								  sizeof(SdFkCacheEntry), sd_fk_cxt);
	}
	e = hash_search(sd_fk_cache, &relid, HASH_FIND, NULL);
	if (e != NULL)
		return e->fks;

	resets = sd_fk_resets;
	targets = list_make1_oid(relid);
	if (get_rel_relispartition(relid))
		targets = list_concat(targets, get_partition_ancestors(relid));
	fks = sd_fk_scan(targets);

	/* an invalidation that arrived meanwhile makes the answer unsafe to keep */
	if (sd_fk_cache != NULL && resets == sd_fk_resets)
	{
		old = MemoryContextSwitchTo(sd_fk_cxt);
		e = hash_search(sd_fk_cache, &relid, HASH_ENTER, NULL);
		e->fks = sd_fk_copy(fks);
		MemoryContextSwitchTo(old);
		return e->fks;
	}
	return fks;
}

/* A copy of a list of SdFk, in the current memory context. */
static List *
sd_fk_copy(List *fks)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, fks)
	{
		SdFk	   *fk = palloc(sizeof(SdFk));

		memcpy(fk, lfirst(lc), sizeof(SdFk));
		result = lappend(result, fk);
	}
	return result;
}

/*
 * The foreign keys that reference rows stored in relid, copied into the
 * caller's memory: callers run statements while they walk the list, and an
 * invalidation arriving meanwhile resets the cache.
 */
List *
sd_fk_incoming(Oid relid)
{
	return sd_fk_copy(sd_fk_incoming_cached(relid));
}

/*
 * The foreign keys of rel (those it holds, referencing other tables), as a
 * copy: the relcache's own list may vanish at the next catalog access.
 */
List *
sd_fk_outgoing(Relation rel)
{
	return copyObject(RelationGetFKeyList(rel));
}

/* The foreign keys that need unique index index of relid. */
List *
sd_fk_referencing_index(Oid relid, Oid index)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, sd_fk_scan(list_make1_oid(relid)))
	{
		SdFk	   *fk = lfirst(lc);

		if (fk->index == index)
			result = lappend(result, fk);
	}
	return result;
}

/* Is any foreign key pointing at rows of relid? */
bool
sd_fk_referenced(Oid relid)
{
	return sd_fk_incoming_cached(relid) != NIL;
}

/* ---------------------------------------------------------------------
 * The configuration rules, checked by enable and again at every delete
 * ---------------------------------------------------------------------
 */
static const char *
sd_fk_action_name(char deltype)
{
	switch (deltype)
	{
		case FKCONSTR_ACTION_CASCADE:
			return "CASCADE";
		case FKCONSTR_ACTION_SETNULL:
			return "SET NULL";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "SET DEFAULT";
		case FKCONSTR_ACTION_RESTRICT:
			return "RESTRICT";
		default:
			return "NO ACTION";
	}
}

/*
 * Refuse foreign key fk, which references a table in mode parent_mode,
 * when soft delete cannot honour it: nothing may be left pointing at a
 * deleted row, and no row may be destroyed or changed beyond restore.
 * A cascade into a table that is not enabled yet is only a warning for
 * enable (tables that cascade into each other are enabled one by one);
 * deletes fail until that table is enabled.
 */
void
sd_fk_check_rule(const SdFk *fk, SdMode parent_mode, bool at_enable)
{
	SdTable		ct;
	bool		child_enabled = sd_catalog_lookup(fk->child, &ct);
	const char *child = get_rel_name(fk->child);
	const char *parent = get_rel_name(fk->parent);

	if (fk->deltype == FKCONSTR_ACTION_SETNULL ||
		fk->deltype == FKCONSTR_ACTION_SETDEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("foreign key \"%s\" of table \"%s\" is ON DELETE %s: soft delete on table \"%s\" cannot honour it",
						NameStr(fk->conname), child,
						sd_fk_action_name(fk->deltype), parent),
				 errdetail("A restore could not give the rows of \"%s\" their references back.",
						   child),
				 errhint("Change the foreign key to ON DELETE CASCADE, RESTRICT or NO ACTION.")));

	if (fk->deltype == FKCONSTR_ACTION_CASCADE && !child_enabled)
		ereport(at_enable ? WARNING : ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("foreign key \"%s\" cascades deletes of table \"%s\" into table \"%s\", which does not have soft delete",
						NameStr(fk->conname), parent, child),
				 at_enable ?
				 errdetail("Deletes on \"%s\" will fail until soft delete is enabled on \"%s\": its rows would be destroyed, or left pointing at deleted rows.",
						   parent, child) :
				 errdetail("Its rows would be destroyed, or left pointing at deleted rows."),
				 errhint("Enable soft delete on table \"%s\", or make the foreign key RESTRICT or NO ACTION.",
						 child)));

	/*
	 * Archive mode deletes the parent physically: rows of a flag-mode child
	 * (deleted ones too) would reference a row that is gone.
	 */
	if (parent_mode == SD_MODE_ARCHIVE && child_enabled &&
		ct.mode == SD_MODE_FLAG)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" in flag mode references table \"%s\" in archive mode (foreign key \"%s\")",
						child, parent, NameStr(fk->conname)),
				 errdetail("Archive mode removes the rows of \"%s\", which the deleted rows of \"%s\" still reference.",
						   parent, child),
				 errhint("Use archive mode for \"%s\" too, or flag mode for \"%s\".",
						 child, parent)));
}

/*
 * For enable and enable_archive: the foreign keys that reference relid, and
 * those of relid that reference an enabled table, must follow the rules.
 */
void
sd_fk_check_enable(Oid relid, SdMode mode)
{
	Relation	rel;
	ListCell   *lc;

	foreach(lc, sd_fk_scan(list_make1_oid(relid)))
	{
		SdFk	   *fk = lfirst(lc);

		/* a self-reference is enabled with the table */
		if (fk->child == relid)
		{
			if (fk->deltype == FKCONSTR_ACTION_SETNULL ||
				fk->deltype == FKCONSTR_ACTION_SETDEFAULT)
				sd_fk_check_rule(fk, mode, true);
			continue;
		}
		sd_fk_check_rule(fk, mode, true);
	}

	rel = table_open(relid, AccessShareLock);
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		SdTable		pt;

		if (info->confrelid != relid &&
			sd_catalog_lookup(info->confrelid, &pt) &&
			pt.mode == SD_MODE_ARCHIVE && mode == SD_MODE_FLAG)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" in flag mode would reference table \"%s\" in archive mode (foreign key \"%s\")",
							RelationGetRelationName(rel),
							get_rel_name(info->confrelid),
							get_constraint_name(info->conoid)),
					 errdetail("Archive mode removes the rows of \"%s\", which the deleted rows of \"%s\" would still reference.",
							   get_rel_name(info->confrelid),
							   RelationGetRelationName(rel)),
					 errhint("Use archive mode for \"%s\" too, or flag mode for \"%s\".",
							 RelationGetRelationName(rel),
							 get_rel_name(info->confrelid))));
	}
	table_close(rel, AccessShareLock);
}

/* Before an archive-mode table loses rows: the rules still hold. */
void
sd_fk_check_archive_delete(Oid relid)
{
	ListCell   *lc;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);

		if (fk->child != fk->parent ||
			fk->deltype == FKCONSTR_ACTION_SETNULL ||
			fk->deltype == FKCONSTR_ACTION_SETDEFAULT)
			sd_fk_check_rule(fk, SD_MODE_ARCHIVE, false);
	}
}

/* ---------------------------------------------------------------------
 * Running the cascades and checks
 * ---------------------------------------------------------------------
 */

/* [ONLY ]schema.table, ONLY unless partitioned (as ri_triggers.c does) */
static char *
sd_fk_target(Oid relid)
{
	return psprintf("%s%s",
					get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ? "" : "ONLY ",
					sd_qualified_name(relid));
}

/* "a = $1 AND b = $2" over columns attnos of relid, with prefix. */
static char *
sd_fk_quals(Oid relid, int nkeys, const AttrNumber *attnos, const char *prefix)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < nkeys; i++)
		appendStringInfo(&buf, "%s%s%s OPERATOR(pg_catalog.=) $%d",
						 i > 0 ? " AND " : "", prefix,
						 quote_identifier(get_attname(relid, attnos[i], false)),
						 i + 1);
	return buf.data;
}

/*
 * The values of columns attnos (numbered in relation from) read from tuple,
 * a row of rel (where numbers may differ, a partition); false when one of
 * them is NULL (MATCH SIMPLE: such a reference checks nothing).
 */
static bool
sd_fk_values(Relation rel, HeapTuple tuple, Oid from, int nkeys,
			 const AttrNumber *attnos, Datum *values, Oid *types)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		AttrNumber	a = attnos[i];
		bool		isnull;

		if (from != RelationGetRelid(rel))
			a = get_attnum(RelationGetRelid(rel), get_attname(from, a, false));
		values[i] = heap_getattr(tuple, a, desc, &isnull);
		types[i] = TupleDescAttr(desc, a - 1)->atttypid;
		if (isnull)
			return false;
	}
	return true;
}

/* "(a, b)=(1, 2)" for messages */
static char *
sd_fk_key_text(Oid relid, int nkeys, const AttrNumber *attnos,
			   const Datum *values, const Oid *types)
{
	StringInfoData names;
	StringInfoData vals;
	int			i;

	initStringInfo(&names);
	initStringInfo(&vals);
	for (i = 0; i < nkeys; i++)
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(types[i], &out, &varlena);
		appendStringInfo(&names, "%s%s", i > 0 ? ", " : "",
						 get_attname(relid, attnos[i], false));
		appendStringInfo(&vals, "%s%s", i > 0 ? ", " : "",
						 OidOutputFunctionCall(out, values[i]));
	}
	return psprintf("(%s)=(%s)", names.data, vals.data);
}

/* A SQL literal of the value: 'text'::type */
static char *
sd_fk_literal(Datum value, Oid type, int32 typmod)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	return psprintf("%s::%s",
					quote_literal_cstr(OidOutputFunctionCall(out, value)),
					format_type_with_typemod(type, typmod));
}

/*
 * Statements of cascades and checks run as the owner of the table they
 * change or read: core's foreign-key actions need no privilege of the user
 * either.
 */
static void
sd_fk_become_owner(Oid relid, Oid *save_userid, int *save_sec)
{
	HeapTuple	ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

	if (!HeapTupleIsValid(ctup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	GetUserIdAndSecContext(save_userid, save_sec);
	SetUserIdAndSecContext(((Form_pg_class) GETSTRUCT(ctup))->relowner,
						   *save_sec | SECURITY_LOCAL_USERID_CHANGE);
	ReleaseSysCache(ctup);
}

/* Saved plans of the cascade and check statements, by their text. */
typedef struct SdFkPlan
{
	char		sql[NAMEDATALEN * 8];	/* hash key (texts are short) */
	SPIPlanPtr	plan;
} SdFkPlan;

static HTAB *sd_fk_plans = NULL;

/*
 * The foreign key a restore cascade is following: the rows it brings back
 * reference the parent row just restored, so their check of that key is
 * already known to pass (and the parent is locked by its UPDATE).
 */
static Oid	sd_fk_restoring = InvalidOid;

/*
 * Run one statement of a cascade or check in SPI, as the owner of the table
 * it reads.  Under REPEATABLE READ it sees the newest committed rows, and a
 * row the transaction's snapshot cannot see fails with a serialization
 * error, as core's cascades do.
 */
static uint64
sd_fk_exec(const char *sql, int nargs, Oid *types, Datum *values,
		   Oid owner_of, int expected, long limit)
{
	SdFkPlan   *entry = NULL;
	SPIPlanPtr	plan;
	Oid			save_userid;
	int			save_sec;
	Snapshot	test = InvalidSnapshot;
	Snapshot	cross = InvalidSnapshot;
	int			rc;

	if (strlen(sql) < sizeof(entry->sql))
	{
		if (sd_fk_plans == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(entry->sql);
			ctl.entrysize = sizeof(SdFkPlan);
			sd_fk_plans = hash_create("softdelete foreign-key plans", 64,
									  &ctl, HASH_ELEM | HASH_STRINGS);
		}
		entry = hash_search(sd_fk_plans, sql, HASH_FIND, NULL);
	}
	if (entry != NULL)
		plan = entry->plan;
	else
	{
		plan = SPI_prepare(sql, nargs, types);
		if (plan == NULL)
			elog(ERROR, "softdelete: could not prepare \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (strlen(sql) < sizeof(entry->sql))
		{
			SPI_keepplan(plan);
			entry = hash_search(sd_fk_plans, sql, HASH_ENTER, NULL);
			entry->plan = plan;
		}
	}

	if (IsolationUsesXactSnapshot())
	{
		CommandCounterIncrement();
		test = GetLatestSnapshot();
		cross = GetTransactionSnapshot();
	}

	sd_fk_become_owner(owner_of, &save_userid, &save_sec);
	rc = SPI_execute_snapshot(plan, values, NULL, test, cross, false, true,
							  limit);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (rc != expected)
		elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/* The row was soft-deleted: cascade to, or be restricted by, its children. */
static void
sd_fk_on_delete(Relation rel, HeapTuple tuple)
{
	Oid			relid = RelationGetRelid(rel);
	ListCell   *lc;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];
		char	   *quals;

		sd_fk_check_rule(fk, SD_MODE_FLAG, false);
		if (!sd_fk_values(rel, tuple, fk->parent, fk->nkeys, fk->parent_att,
						  values, types))
			continue;
		quals = sd_fk_quals(fk->child, fk->nkeys, fk->child_att, "x.");

		if (fk->deltype == FKCONSTR_ACTION_CASCADE)
			sd_fk_exec(psprintf("DELETE FROM %s x WHERE %s",
								sd_fk_target(fk->child), quals),
					   fk->nkeys, types, values, fk->child,
					   SPI_OK_DELETE, 0);
		else if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s FOR KEY SHARE OF x",
									 sd_fk_target(fk->child), quals),
							fk->nkeys, types, values, fk->child,
							SPI_OK_SELECT, 1) > 0)
		{
			char	   *key = sd_fk_key_text(fk->parent, fk->nkeys,
											 fk->parent_att, values, types);

			/* as core words it: RESTRICT has its own code from 18 on */
			if (fk->deltype == FKCONSTR_ACTION_RESTRICT)
				ereport(ERROR,
						(errcode(SD_RESTRICT_ERRCODE),
						 errmsg(SD_RESTRICT_MSG, get_rel_name(fk->parent),
								NameStr(fk->conname), get_rel_name(fk->child)),
						 errdetail(SD_RESTRICT_DETAIL, key, get_rel_name(fk->child))));
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
							get_rel_name(fk->parent), NameStr(fk->conname),
							get_rel_name(fk->child)),
					 errdetail("Key %s is still referenced from table \"%s\".",
							   key, get_rel_name(fk->child))));
		}
	}
}

/* The constraint a partition's cloned foreign key comes from, or conoid. */
static Oid
sd_constraint_root(Oid conoid)
{
	for (;;)
	{
		HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
		Oid			parent;

		if (!HeapTupleIsValid(tup))
			return conoid;
		parent = ((Form_pg_constraint) GETSTRUCT(tup))->conparentid;
		ReleaseSysCache(tup);
		if (!OidIsValid(parent))
			return conoid;
		conoid = parent;
	}
}

/*
 * Must a restored row check that the parent of foreign key info is live?
 * Yes when that parent is in flag mode, unless a restore cascade from that
 * very parent row is bringing the row back.
 */
static bool
sd_fk_checks_parent(ForeignKeyCacheInfo *info)
{
	SdTable		pt;

	return sd_catalog_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG &&
		!(OidIsValid(sd_fk_restoring) &&
		  sd_constraint_root(info->conoid) == sd_fk_restoring);
}

/* Has a restored row of rel children to bring back (CASCADE, enabled)? */
static bool
sd_fk_has_cascade_children(Oid relid)
{
	ListCell   *lc;
	SdTable		ct;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);

		if (fk->deltype == FKCONSTR_ACTION_CASCADE &&
			sd_catalog_lookup(fk->child, &ct))
			return true;
	}
	return false;
}

/*
 * The row was restored: its references must point at live rows, and the
 * children deleted with it come back.
 */
static void
sd_fk_on_restore(Relation rel, const SdTable *t, HeapTuple oldtuple,
				 HeapTuple newtuple)
{
	Oid			relid = RelationGetRelid(rel);
	Datum		stamp;
	TimestampTz lo,
				hi;
	bool		isnull;
	ListCell   *lc;

	stamp = heap_getattr(oldtuple, t->flag_attno, RelationGetDescr(rel), &isnull);
	Assert(!isnull);
	/* the instants at which a transaction could have stamped it */
	sd_stamp_window(DatumGetTimestampTz(stamp), t->flag_typmod, &lo, &hi);
	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);
		SdTable		ct;
		Datum		values[INDEX_MAX_KEYS + 2];
		Oid			types[INDEX_MAX_KEYS + 2];
		char	   *quals;
		Oid			save_userid;
		int			save_sec;
		Oid			saved;

		if (fk->deltype != FKCONSTR_ACTION_CASCADE ||
			!sd_catalog_lookup(fk->child, &ct) ||
			!sd_fk_values(rel, oldtuple, fk->parent, fk->nkeys, fk->parent_att,
						  values, types))
			continue;
		sd_fk_become_owner(fk->child, &save_userid, &save_sec);
		if (ct.mode == SD_MODE_FLAG)
		{
			/*
			 * The rows this cascade stamped: the same key, and a stamp that
			 * the instant of the parent's stamp gives in the child's column
			 * (its own type and number of fractional digits).
			 */
			quals = sd_fk_quals(fk->child, fk->nkeys, fk->child_att, "x.");
			values[fk->nkeys] = TimestampTzGetDatum(sd_round_stamp(lo, ct.flag_typmod));
			values[fk->nkeys + 1] = TimestampTzGetDatum(sd_round_stamp(hi, ct.flag_typmod));
			types[fk->nkeys] = types[fk->nkeys + 1] = ct.flag_type;
			sd_exempt_next = SD_EXEMPT_FILTER;
			saved = sd_fk_restoring;
			sd_fk_restoring = fk->conoid;
			PG_TRY();
			{
				int			rc;
				const char *col = quote_identifier(NameStr(ct.column_name));

				rc = SPI_execute_with_args(psprintf("UPDATE %s x SET %s = NULL WHERE %s AND x.%s OPERATOR(pg_catalog.>=) $%d AND x.%s OPERATOR(pg_catalog.<=) $%d",
													sd_fk_target(fk->child), col,
													quals, col, fk->nkeys + 1,
													col, fk->nkeys + 2),
										   fk->nkeys + 2, types, values, NULL,
										   false, 0);
				if (rc != SPI_OK_UPDATE)
					elog(ERROR, "softdelete: restore cascade failed: %s",
						 SPI_result_code_string(rc));
			}
			PG_FINALLY();
			{
				sd_exempt_next = SD_EXEMPT_NONE;
				sd_fk_restoring = saved;
			}
			PG_END_TRY();
		}
		else
		{
			/* archived by the same transaction: archived_at is its now() */
			StringInfoData filter;
			int			i;

			initStringInfo(&filter);
			for (i = 0; i < fk->nkeys; i++)
				appendStringInfo(&filter, "%s OPERATOR(pg_catalog.=) %s AND ",
								 quote_identifier(get_attname(fk->child,
															  fk->child_att[i],
															  false)),
								 sd_fk_literal(values[i], types[i], -1));
			appendStringInfo(&filter, "archived_at OPERATOR(pg_catalog.>=) %s AND archived_at OPERATOR(pg_catalog.<=) %s",
							 sd_fk_literal(TimestampTzGetDatum(lo), TIMESTAMPTZOID, -1),
							 sd_fk_literal(TimestampTzGetDatum(hi), TIMESTAMPTZOID, -1));
			sd_restore_archive(fk->child, &ct, filter.data);
		}
		SetUserIdAndSecContext(save_userid, save_sec);
	}


	/*
	 * Then its own references must point at live rows (checked after the
	 * cascade: in a cycle, the rows it references came back with it).
	 */
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];

		if (!sd_fk_checks_parent(info) ||
			!sd_fk_values(rel, newtuple, relid, info->nkeys, info->conkey,
						  values, types))
			continue;
		if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s FOR KEY SHARE OF x",
								sd_fk_target(info->confrelid),
								sd_fk_quals(info->confrelid, info->nkeys,
											info->confkey, "x.")),
					   info->nkeys, types, values, info->confrelid,
					   SPI_OK_SELECT, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("cannot restore a row of table \"%s\": it references a deleted row of table \"%s\"",
							get_rel_name(t->root),
							get_rel_name(info->confrelid)),
					 errdetail("Key %s of table \"%s\" is deleted (foreign key \"%s\").",
							   sd_fk_key_text(info->confrelid, info->nkeys,
											  info->confkey, values, types),
							   get_rel_name(info->confrelid),
							   get_constraint_name(info->conoid)),
					 errhint("Restore that row of \"%s\" first: the rows deleted with it come back with it.",
							 get_rel_name(info->confrelid))));
	}
}

/*
 * The references of a row just inserted or updated (old is NULL for an
 * insert) to rows of flag-mode tables must point at live rows.  Core's own
 * check of a new reference runs through the planner up to 18, where the
 * filter makes a deleted row "not present"; from 19 on it probes the
 * referenced table's index directly, so softdelete checks again, through
 * the planner, with core's error.  Fired by softdelete_ref (19 on).
 */
static void
sd_fk_check_references(Relation rel, HeapTuple new, HeapTuple old)
{
	ListCell   *lc;

	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];
		SdTable		pt;
		int			i;
		bool		changed = (old == NULL);

		if (!sd_catalog_lookup(info->confrelid, &pt) || pt.mode != SD_MODE_FLAG ||
			!sd_fk_values(rel, new, RelationGetRelid(rel), info->nkeys,
						  info->conkey, values, types))
			continue;
		for (i = 0; i < info->nkeys && !changed; i++)
		{
			bool		n1,
						n2;
			Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
												  info->conkey[i] - 1);
			Datum		d1 = heap_getattr(old, info->conkey[i], RelationGetDescr(rel), &n1);
			Datum		d2 = heap_getattr(new, info->conkey[i], RelationGetDescr(rel), &n2);

			changed = n1 != n2 ||
				(!n1 && !datumIsEqual(d1, d2, att->attbyval, att->attlen));
		}
		if (!changed)
			continue;
		if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s FOR KEY SHARE OF x",
								sd_fk_target(info->confrelid),
								sd_fk_quals(info->confrelid, info->nkeys,
											info->confkey, "x.")),
					   info->nkeys, types, values, info->confrelid,
					   SPI_OK_SELECT, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
							RelationGetRelationName(rel),
							get_constraint_name(info->conoid)),
					 errdetail("Key %s is not present in table \"%s\".",
							   sd_fk_key_text(RelationGetRelid(rel), info->nkeys,
											  info->conkey, values, types),
							   get_rel_name(info->confrelid))));
	}
}

/*
 * softdelete.fk(): AFTER UPDATE row trigger of flag-mode tables, fired when
 * the flag goes from NULL to set (a soft delete) or back (a restore); and,
 * as softdelete_ref (19 on), AFTER INSERT OR UPDATE of tables that
 * reference flag-mode tables.
 */
Datum
softdelete_fk(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	SdTable		t;
	bool		was_deleted;
	bool		is_deleted;
	int			nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_INSERT(trigdata->tg_event)) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.fk() must be fired AFTER INSERT OR UPDATE FOR EACH ROW")));
	rel = trigdata->tg_relation;
	if (strcmp(trigdata->tg_trigger->tgname, SD_REF_TRIGGER) == 0)
	{
		bool		isnew = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);

		if (!sd_catalog_any_flag() || sd_bypass_depth > 0)
			return PointerGetDatum(NULL);
		/* a deleted row may reference a deleted one: its delete cascaded */
		if (sd_catalog_lookup(RelationGetRelid(rel), &t) &&
			t.mode == SD_MODE_FLAG && t.flag_attno != InvalidAttrNumber &&
			!heap_attisnull(isnew ? trigdata->tg_trigtuple : trigdata->tg_newtuple,
							t.flag_attno, RelationGetDescr(rel)))
			return PointerGetDatum(NULL);
		/* deleted rows do not exist for the check, whatever the session set */
		SPI_connect();
		nestlevel = NewGUCNestLevel();
		(void) set_config_option("softdelete.include_deleted", "off",
								 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		sd_fk_check_references(rel,
							   isnew ? trigdata->tg_trigtuple : trigdata->tg_newtuple,
							   isnew ? NULL : trigdata->tg_trigtuple);
		AtEOXact_GUC(true, nestlevel);
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(NULL);
	if (!sd_catalog_lookup(RelationGetRelid(rel), &t) ||
		t.mode != SD_MODE_FLAG || t.flag_attno == InvalidAttrNumber)
		return PointerGetDatum(NULL);

	was_deleted = !heap_attisnull(trigdata->tg_trigtuple, t.flag_attno,
								  RelationGetDescr(rel));
	is_deleted = !heap_attisnull(trigdata->tg_newtuple, t.flag_attno,
								 RelationGetDescr(rel));
	if (was_deleted == is_deleted)
		return PointerGetDatum(NULL);
	/* Nothing to do: a cheap test before any set-up, once per row. */
	if (is_deleted)
	{
		if (!sd_fk_referenced(RelationGetRelid(rel)))
			return PointerGetDatum(NULL);
	}
	else if (!sd_fk_has_cascade_children(RelationGetRelid(rel)))
	{
		ListCell   *lc;
		bool		check = false;

		foreach(lc, sd_fk_outgoing(rel))
			check |= sd_fk_checks_parent(lfirst(lc));
		if (!check)
			return PointerGetDatum(NULL);
	}

	/*
	 * The statements below see live rows only and delete softly, whatever
	 * the session has set.
	 */
	SPI_connect();
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("softdelete.include_deleted", "off",
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("softdelete.hard_delete", "off",
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (is_deleted)
		sd_fk_on_delete(rel, trigdata->tg_newtuple);
	else
		sd_fk_on_restore(rel, &t, trigdata->tg_trigtuple, trigdata->tg_newtuple);
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * The lock of a soft delete (planner and executor)
 * ---------------------------------------------------------------------
 */

/*
 * In a DELETE turned into an UPDATE: count the key columns as updated, so
 * that the executor locks each row FOR UPDATE, as a delete does.  Only for
 * a table that foreign keys reference.  The privilege checked is DELETE,
 * so this asks for no UPDATE right.
 */
void
sd_fk_mark_key_updated(Query *query, RangeTblEntry *rte)
{
	Relation	rel;
	Bitmapset  *keys;
	bool		has_trigger = false;
	int			i;

	if (!sd_fk_referenced(rte->relid))
		return;
	rel = table_open(rte->relid, NoLock);
	keys = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_KEY);
	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (strcmp(rel->trigdesc->triggers[i].tgname, "softdelete_fk") == 0)
			has_trigger = true;
	/* never a soft delete that skips the foreign keys */
	if (!has_trigger)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is referenced by foreign keys but has no trigger softdelete_fk",
						RelationGetRelationName(rel)),
				 errhint("Call softdelete.enable('%s') again: it adds the trigger.",
						 RelationGetRelationName(rel))));
	table_close(rel, NoLock);
	SD_UPDATED_COLS(query, rte) = bms_add_members(SD_UPDATED_COLS(query, rte), keys);
}

/*
 * For one result relation of a soft delete (an UPDATE that assigns the flag
 * column): if it counts the key as updated (a referenced table), give it a
 * BEFORE UPDATE row trigger, so that core locks each row in
 * ExecUpdateLockMode's mode, FOR UPDATE, as a delete does.
 */
void
sd_fk_lock_result_rel(struct ResultRelInfo *rri, struct EState *estate,
					  const SdTable *t)
{
	Relation	rel = rri->ri_RelationDesc;
	Bitmapset  *upd = ExecGetUpdatedCols(rri, estate);
	Trigger    *trig;

	if (!bms_is_member(t->flag_attno - FirstLowInvalidHeapAttributeNumber, upd) ||
		!bms_overlap(upd, RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_KEY)))
		return;
	/* any BEFORE UPDATE row trigger makes core lock the row first */
	trig = sd_trigger_append(rri, estate, "softdelete_lock",
							 TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE |
							 TRIGGER_TYPE_UPDATE);
	trig->tgfoid = sd_guard_function_oid();
}

/*
 * After CREATE TABLE or ALTER TABLE: a new foreign key that references a
 * flag-mode table, or one of a flag-mode table, needs softdelete_fk on both.
 */
void
sd_fk_after_ddl(Node *parsetree)
{
	RangeVar   *rv = NULL;
	Oid			relid;
	Relation	rel;
	List	   *targets = NIL;
	ListCell   *lc;

	if (IsA(parsetree, CreateStmt))
		rv = ((CreateStmt *) parsetree)->relation;
	else if (IsA(parsetree, AlterTableStmt))
		rv = ((AlterTableStmt *) parsetree)->relation;
	if (rv == NULL || !sd_catalog_any_flag())
		return;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return;
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		return;
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		SdTable		pt;

		if (sd_catalog_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG)
			targets = list_append_unique_oid(list_append_unique_oid(targets, pt.root),
											 relid);
	}
	relation_close(rel, AccessShareLock);
	SPI_connect();
	foreach(lc, targets)
		sd_fk_ensure_triggers(lfirst_oid(lc));
	sd_ref_ensure_trigger(relid);
	SPI_finish();
}
