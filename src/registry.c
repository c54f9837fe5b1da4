/*-------------------------------------------------------------------------
 *
 * registry.c
 *		The registry's rows written: a table enabled (sd_registry_add) or
 *		disabled, and each change of a registration that enable, disable
 *		and DDL make (the flag column renamed, deleted_by, live indexes,
 *		retention); the live table's dependency on its archive; and the
 *		registry's statement trigger, which makes writes that do not come
 *		through here (pg_restore's COPY, a hand edit) do the same.
 *
 * Every write invalidates the table, its tree and the registry for every
 * backend (catalog.c's sd_catalog_invalidate) and is made visible to the
 * rest of the statement at once.
 *
 * Calls: catalog.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/heap.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "replication/logicalworker.h"
#include "replication/walsender.h"
#include "rewrite/rewriteHandler.h"
#include "rewrite/rewriteManip.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "registry.h"
/*
 * A registry write is done: make it visible to the rest of this statement.
 * The next call of a function in the same SELECT (enable after disable in
 * one target list) reads the new registry, not the cache from before.
 */
static void
sd_registry_changed(Oid relid)
{
	sd_catalog_invalidate(relid);
	CommandCounterIncrement();
}

/*
 * Record (link) or forget that live table live depends on its archive
 * (pg_depend, normal).  pg_dump follows it: the archive is created before
 * the table and dropped after it, so pg_restore --clean drops the table
 * first, which leaves the archive an ordinary table it can drop in turn.
 */
void
sd_registry_link_archive(Oid live, Oid archive, bool link)
{
	ObjectAddress depender;
	ObjectAddress referenced;

	deleteDependencyRecordsForSpecific(RelationRelationId, live, DEPENDENCY_NORMAL,
									   RelationRelationId, archive);
	if (link)
	{
		ObjectAddressSet(depender, RelationRelationId, live);
		ObjectAddressSet(referenced, RelationRelationId, archive);
		recordDependencyOn(&depender, &referenced, DEPENDENCY_NORMAL);
	}
	CommandCounterIncrement();
}

/*
 * Registry rows that arrive by other means than enable_archive (a restore
 * loads them as data): their archive-mode tables get the dependency on
 * their archives that enable_archive records, for the next dump's order.
 */
static void
sd_registry_link_archives(void)
{
	Relation	rel = table_open(sd_catalog_registry_relid(false), AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple	tup;
	List	   *pairs = NIL;
	ListCell   *lc;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		SdTable		t;

		sd_catalog_decode_row(tup, RelationGetDescr(rel), &t);
		if (t.mode == SD_MODE_ARCHIVE && OidIsValid(get_rel_namespace(t.archive)) &&
			OidIsValid(get_rel_namespace(t.root)))
			pairs = lappend_oid(lappend_oid(pairs, t.root), t.archive);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	for (lc = list_head(pairs); lc != NULL; lc = lnext(pairs, lnext(pairs, lc)))
		sd_registry_link_archive(lfirst_oid(lc), lfirst_oid(lnext(pairs, lc)), true);
}

/*
 * softdelete.registry_changed(): statement trigger on the registry.  Writes
 * that do not come through the functions (pg_restore's COPY, a hand edit)
 * invalidate every backend's cache, as enable and disable do.
 */
PG_FUNCTION_INFO_V1(softdelete_registry_changed);
Datum
softdelete_registry_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	List	   *rels;
	ListCell   *lc;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.registry_changed() can only be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);

	/*
	 * The tables registered before and after the change, and everything
	 * below them, must be looked up again, and plans cached over them must
	 * go.  (Old rows are those the statement's snapshot sees; the new ones
	 * need its own changes made visible.)
	 */
	(void) sd_catalog_any_enabled();
	rels = sd_catalog_registered();
	CommandCounterIncrement();
	rels = list_concat_unique_oid(rels, sd_catalog_registered());
	foreach(lc, rels)
		sd_catalog_invalidate(lfirst_oid(lc));
	if (!TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event) &&
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		sd_registry_link_archives();
	return PointerGetDatum(NULL);
}

/* Add a registry row (the caller checked that none exists). */
void
sd_registry_add(Oid relid, SdMode mode, const char *column_name,
					Oid archive, bool versions)
{
	Relation	rel;
	Datum		values[Natts_registry];
	bool		nulls[Natts_registry];
	NameData	colname;
	HeapTuple	tup;

	rel = table_open(sd_catalog_registry_relid(false), RowExclusiveLock);
	memset(nulls, false, sizeof(nulls));
	values[Anum_registry_relid - 1] = ObjectIdGetDatum(relid);
	values[Anum_registry_mode - 1] =
		CStringGetTextDatum(mode == SD_MODE_ARCHIVE ? "archive" : "flag");
	if (column_name != NULL)
	{
		namestrcpy(&colname, column_name);
		values[Anum_registry_column_name - 1] = NameGetDatum(&colname);
	}
	else
		nulls[Anum_registry_column_name - 1] = true;
	values[Anum_registry_archive - 1] = ObjectIdGetDatum(archive);
	nulls[Anum_registry_archive - 1] = !OidIsValid(archive);
	values[Anum_registry_versions - 1] = BoolGetDatum(versions);
	values[Anum_registry_enabled_at - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[Anum_registry_retention - 1] = true;
	nulls[Anum_registry_deleted_by - 1] = true;
	nulls[Anum_registry_live_indexes - 1] = true;
	nulls[Anum_registry_deleted_indexes - 1] = true;

	tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	CatalogTupleInsert(rel, tup);
	heap_freetuple(tup);
	table_close(rel, NoLock);
	sd_registry_changed(relid);
}

/* Find relid's registry row in rel (opened by the caller); NULL if none. */
static HeapTuple
sd_registry_fetch(Relation rel, Oid relid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, Anum_registry_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	return tup;
}

/* Remove relid's registry row, if there is one. */
void
sd_registry_remove(Oid relid)
{
	Relation	rel;
	HeapTuple	tup;

	rel = table_open(sd_catalog_registry_relid(false), RowExclusiveLock);
	tup = sd_registry_fetch(rel, relid);
	if (HeapTupleIsValid(tup))
	{
		CatalogTupleDelete(rel, &tup->t_self);
		table_close(rel, NoLock);
		sd_registry_changed(relid);
		return;
	}
	table_close(rel, NoLock);
}

/*
 * Set column attno of relid's registry row to value (NULL when isnull):
 * -1 when the registry has no such column (the extension's SQL is older),
 * 0 when relid has no row, 1 when it was set.
 */
static int
sd_registry_set(Oid relid, AttrNumber attno, Datum value, bool isnull)
{
	Relation	rel;
	HeapTuple	tup;
	HeapTuple	newtup;
	Datum		values[Natts_registry];
	bool		nulls[Natts_registry];
	bool		replace[Natts_registry];

	rel = table_open(sd_catalog_registry_relid(false), RowExclusiveLock);
	if (RelationGetDescr(rel)->natts < attno)
	{
		table_close(rel, NoLock);
		return -1;
	}
	tup = sd_registry_fetch(rel, relid);
	if (!HeapTupleIsValid(tup))
	{
		table_close(rel, NoLock);
		return 0;
	}
	memset(replace, false, sizeof(replace));
	memset(nulls, false, sizeof(nulls));
	values[attno - 1] = value;
	nulls[attno - 1] = isnull;
	replace[attno - 1] = true;
	newtup = heap_modify_tuple(tup, RelationGetDescr(rel), values, nulls,
							   replace);
	CatalogTupleUpdate(rel, &newtup->t_self, newtup);
	table_close(rel, NoLock);
	return 1;
}

/* The flag column of relid was renamed: follow it. */
void
sd_registry_rename_column(Oid relid, const char *newname)
{
	NameData	colname;

	namestrcpy(&colname, newname);
	if (sd_registry_set(relid, Anum_registry_column_name,
						NameGetDatum(&colname), false) > 0)
		sd_registry_changed(relid);
}

/*
 * Set the column relid's soft deletes stamp with their actor (NULL: none).
 * False when the registry has no such column (the extension's SQL is older
 * than 1.6).
 */
bool
sd_registry_set_deleted_by(Oid relid, const char *column)
{
	NameData	colname;
	int			done;

	if (column != NULL)
		namestrcpy(&colname, column);
	done = sd_registry_set(relid, Anum_registry_deleted_by,
						   NameGetDatum(&colname), column == NULL);
	if (done > 0)
		sd_registry_changed(relid);
	return done >= 0;
}

/* A text[] of the strings of list (of char *). */
static Datum
sd_text_array(List *list)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(list), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, list)
		elems[n++] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* The strings (char *) of a text[]. */
static List *
sd_text_list(Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

/*
 * relid's live indexes (1.8): false when they are off (or the registry is
 * older than 1.8); else *rebuilt the indexes enable rebuilt over live rows
 * and *deleted those it made for deleted rows, each a qualified name.
 */
bool
sd_registry_live_indexes(Oid relid, List **rebuilt, List **deleted)
{
	Relation	rel;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		on = false;
	bool		isnull;
	Datum		d;

	*rebuilt = *deleted = NIL;
	rel = table_open(sd_catalog_registry_relid(false), AccessShareLock);
	desc = RelationGetDescr(rel);
	tup = desc->natts >= Anum_registry_deleted_indexes ?
		sd_registry_fetch(rel, relid) : NULL;
	if (HeapTupleIsValid(tup))
	{
		d = heap_getattr(tup, Anum_registry_live_indexes, desc, &isnull);
		on = !isnull;
		if (on)
			*rebuilt = sd_text_list(d);
		d = heap_getattr(tup, Anum_registry_deleted_indexes, desc, &isnull);
		if (!isnull)
			*deleted = sd_text_list(d);
	}
	table_close(rel, AccessShareLock);
	return on;
}

/*
 * Turn relid's live indexes on, recording the indexes rebuilt and made
 * (lists of qualified names).  False when the registry has no such columns
 * (the extension's SQL is older than 1.8).
 */
bool
sd_registry_set_live_indexes(Oid relid, List *rebuilt, List *deleted)
{
	int			done;

	done = sd_registry_set(relid, Anum_registry_live_indexes,
						   sd_text_array(rebuilt), false);
	CommandCounterIncrement();
	if (done > 0)
		done = sd_registry_set(relid, Anum_registry_deleted_indexes,
							   sd_text_array(deleted), false);
	if (done > 0)
		sd_registry_changed(relid);
	return done >= 0;
}

/*
 * Set relid's retention (NULL: none).  False when the registry has no such
 * column (the extension's SQL is older than 1.3).
 */
bool
sd_registry_set_retention(Oid relid, Datum keep, bool isnull)
{
	int			done = sd_registry_set(relid, Anum_registry_retention, keep, isnull);

	if (done < 0)
		return false;
	if (done == 0)
		elog(ERROR, "softdelete: table %u is not registered", relid);
	CommandCounterIncrement();
	return true;
}
