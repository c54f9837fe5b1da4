/*-------------------------------------------------------------------------
 *
 * keys.c
 *		The keys of a table: the foreign keys that reference it (cached) or
 *		that it holds, the rules soft delete sets for them (checked by enable
 *		and again at each delete), and unique keys over live rows.
 *
 * Calls: stamp.c, catalog.c, sql.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "keys.h"
#include "sql.h"
#include "stamp.h"

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

/*
 * Unique keys other than the primary key keep holding the values of deleted
 * rows, so a new row cannot take them.  Report each one; with replace, make
 * each one that no foreign key needs (and that is not deferrable) a unique
 * index over live rows: same name, same definition, "WHERE flag IS NULL"
 * (what the filter says for the flag: sd_flag_qual) added.  Indexes whose predicate already names the flag column are left.
 */
void
sd_unique_keys(Oid relid, const char *colname, bool replace)
{
	Relation	rel = table_open(relid, NoLock);
	List	   *sql = NIL;
	ListCell   *lc;
	SdTable		t;
	AttrNumber	flag;

	sd_flag_describe(relid, colname, &t);
	flag = t.flag_attno;

	foreach(lc, RelationGetIndexList(rel))
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	idx = index_open(indexoid, AccessShareLock);
		Form_pg_index form = idx->rd_index;
		Oid			conoid = get_index_constraint(indexoid);
		const char *what = OidIsValid(conoid) ? "unique constraint" : "unique index";
		char	   *name = pstrdup(RelationGetRelationName(idx));
		List	   *fks;
		bool		live_only = false;
		bool		deferrable = !form->indimmediate;

		if (!heap_attisnull(idx->rd_indextuple, Anum_pg_index_indpred, NULL))
		{
			Bitmapset  *attrs = NULL;

			pull_varattnos((Node *) RelationGetIndexPredicate(idx), 1, &attrs);
			live_only = bms_is_member(flag - FirstLowInvalidHeapAttributeNumber, attrs);
		}
		index_close(idx, AccessShareLock);
		if (!form->indisunique || form->indisprimary || form->indisexclusion ||
			live_only)
			continue;

		fks = sd_fk_referencing_index(relid, indexoid);
		if (!replace)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" also holds soft-deleted rows",
							what, name, RelationGetRelationName(rel)),
					 errdetail("A new row cannot take the values of a deleted row."),
					 fks == NIL && !deferrable ?
					 errhint("Call softdelete.enable(..., replace_unique => true) to make it a unique index over live rows.") :
					 0));
		else if (fks != NIL)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" is kept: foreign key \"%s\" needs it",
							what, name, RelationGetRelationName(rel),
							NameStr(((SdFk *) linitial(fks))->conname)),
					 errdetail("It also holds soft-deleted rows: a new row cannot take their values.")));
		else if (deferrable)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" is kept: it is deferrable",
							what, name, RelationGetRelationName(rel)),
					 errdetail("It also holds soft-deleted rows: a new row cannot take their values.")));
		else
		{
			char	   *def = pg_get_indexdef_string(indexoid);

			sql = lappend(sql, OidIsValid(conoid) ?
						  psprintf("ALTER TABLE %s DROP CONSTRAINT %s",
								   sd_qualified_name(relid), quote_identifier(name)) :
						  psprintf("DROP INDEX %s",
								   quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
															  name)));
			sql = lappend(sql, psprintf("%s %s (%s)", def,
										strstr(def, " WHERE ") ? "AND" : "WHERE",
										sd_flag_sql(quote_identifier(colname),
													&t, false)));
			ereport(NOTICE,
					(errmsg("%s \"%s\" of table \"%s\" is now a unique index over live rows",
							what, name, RelationGetRelationName(rel))));
		}
	}
	table_close(rel, NoLock);
	foreach(lc, sql)
		sd_spi_exec(lfirst(lc), SPI_OK_UTILITY);
}
