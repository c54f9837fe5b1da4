/*-------------------------------------------------------------------------
 *
 * catalog.c
 *		Which tables are enabled: the registry table, the per-backend cache
 *		the planner hook reads, and the invalidation that keeps it honest.
 *
 * The cache holds an entry per relation the backend has asked about, read
 * from the registry on first need by an index look-up (and, for a relation
 * not registered itself, from pg_inherits: a partition or inheritance child
 * resolves to its enabled ancestor), negative entries too.  So what a query
 * costs depends on the tables it references, not on how many are enabled.
 *
 * Invalidation is per relation: a relcache invalidation of X (ANALYZE,
 * autovacuum, an index build, an ALTER, a GRANT) forgets X's entry only.
 * A change of the registry itself (enable, disable, a hand edit, which
 * also invalidate every table concerned and everything below it, for the
 * plans cached over them), a reset of the shared invalidation queue, or a
 * change of a schema (CREATE or DROP EXTENSION) forgets everything: the
 * "is anything enabled here?" flags that the hooks' fast paths read are
 * found again by two index look-ups, the entries as queries need them.
 *
 * The registry's rows are written by registry.c.
 *
 * Also here: what Citus's catalog says of a table (its kind, the table a
 * shard belongs to), and what a shard's own guard trigger says of it.
 *
 * Ground floor: calls nothing of softdelete's.
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

#include "catalog.h"
#include "compat.h"

typedef struct SdCacheEntry
{
	Oid			relid;			/* hash key */
	bool		enabled;
	SdTable		table;
} SdCacheEntry;

static HTAB *sd_cache = NULL;
static MemoryContext sd_cache_cxt = NULL;

/* The fast paths' flags, and the registry's own identity, valid together. */
static bool sd_flags_valid = false;
static bool sd_any_enabled = false;
static bool sd_any_archive = false;
static bool sd_any_flag = false;
static Oid	sd_registry_oid = InvalidOid;
static Oid	sd_registry_pkey = InvalidOid;
static Oid	sd_registry_mode_idx = InvalidOid;
static Oid	sd_registry_archive_idx = InvalidOid;

/* The last answer given, valid for one cache generation. */
static SdCacheEntry *sd_last = NULL;	/* in sd_cache: entries stay put until removed */
static uint64 sd_last_generation = 0;

/*
 * Bumped whenever a cached answer may have changed: a registry change, a
 * reset, or the invalidation of a relation the cache knew.  Caches derived
 * from the answers (SQL function inlining) compare it.
 */
uint64		sd_catalog_generation = 1;

/* Forget everything: nothing is read again until a query needs it. */
static void
sd_cache_reset(void)
{
	if (sd_cache_cxt != NULL)
		MemoryContextReset(sd_cache_cxt);
	sd_cache = NULL;
	sd_last = NULL;
	sd_flags_valid = false;
	sd_catalog_generation++;
}

static void
sd_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid))
	{
		sd_cache_reset();
		return;
	}
	/* enable, disable, a hand edit: which entries changed is not known */
	if (relid == sd_registry_oid)
	{
		sd_cache_reset();
		return;
	}
	if (sd_cache != NULL && hash_search(sd_cache, &relid, HASH_REMOVE, NULL))
		sd_catalog_generation++;
}

static void
sd_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	sd_cache_reset();
}

void
sd_catalog_init(void)
{
	CacheRegisterRelcacheCallback(sd_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, sd_syscache_callback, (Datum) 0);
}

/*
 * The registry table's OID, or InvalidOid when the extension is not
 * installed in this database (missing_ok) .
 */
Oid
sd_catalog_registry_relid(bool missing_ok)
{
	Oid			nsp;
	Oid			relid = InvalidOid;

	if (OidIsValid(get_extension_oid("softdelete", true)))
	{
		nsp = get_namespace_oid("softdelete", true);
		if (OidIsValid(nsp))
			relid = get_relname_relid("registry", nsp);
	}
	if (!OidIsValid(relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"softdelete\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION softdelete.")));
	return relid;
}

/*
 * Fill the flag column's number, type and nullability, as seen in relation
 * relid.
 */
static void
sd_resolve_flag_column(SdTable *t, Oid relid)
{
	HeapTuple	tup;

	t->relid = relid;
	t->flag_attno = InvalidAttrNumber;
	t->flag_type = InvalidOid;
	t->flag_typmod = -1;
	t->flag_notnull = false;
	t->by_attno = InvalidAttrNumber;
	t->by_type = InvalidOid;
	t->by_typmod = -1;
	if (t->mode != SD_MODE_FLAG)
		return;
	if (NameStr(t->by_column)[0] != '\0' &&
		(tup = SearchSysCacheAttName(relid, NameStr(t->by_column))) != NULL)
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		if (att->attnum > 0)
		{
			t->by_attno = att->attnum;
			t->by_type = att->atttypid;
			t->by_typmod = att->atttypmod;
		}
		ReleaseSysCache(tup);
	}
	tup = SearchSysCacheAttName(relid, NameStr(t->column_name));
	if (!HeapTupleIsValid(tup))
		return;
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		if (att->attnum > 0)
		{
			t->flag_attno = att->attnum;
			t->flag_type = att->atttypid;
			t->flag_typmod = att->atttypmod;
			t->flag_notnull = sd_att_proven_not_null(relid, att->attnum,
													 att->attnotnull);
		}
	}
	ReleaseSysCache(tup);
}

/*
 * What the flag column colname of table relid is, before (or without) a
 * registration: for enable and the statements it prepares.
 */
void
sd_flag_describe(Oid relid, const char *colname, SdTable *t)
{
	memset(t, 0, sizeof(SdTable));
	t->root = relid;
	t->mode = SD_MODE_FLAG;
	namestrcpy(&t->column_name, colname);
	sd_resolve_flag_column(t, relid);
}

/* Decode one registry row. */
void
sd_catalog_decode_row(HeapTuple tup, TupleDesc desc, SdTable *t)
{
	bool		isnull;
	Datum		d;
	char	   *mode;

	memset(t, 0, sizeof(SdTable));
	t->root = DatumGetObjectId(heap_getattr(tup, Anum_registry_relid, desc,
											&isnull));
	mode = TextDatumGetCString(heap_getattr(tup, Anum_registry_mode, desc,
											&isnull));
	t->mode = strcmp(mode, "archive") == 0 ? SD_MODE_ARCHIVE : SD_MODE_FLAG;
	d = heap_getattr(tup, Anum_registry_column_name, desc, &isnull);
	if (!isnull)
		namestrcpy(&t->column_name, NameStr(*DatumGetName(d)));
	d = heap_getattr(tup, Anum_registry_archive, desc, &isnull);
	t->archive = isnull ? InvalidOid : DatumGetObjectId(d);
	d = heap_getattr(tup, Anum_registry_versions, desc, &isnull);
	t->versions = isnull ? false : DatumGetBool(d);
	if (desc->natts >= Anum_registry_deleted_by)
	{
		d = heap_getattr(tup, Anum_registry_deleted_by, desc, &isnull);
		if (!isnull)
			namestrcpy(&t->by_column, NameStr(*DatumGetName(d)));
	}
	sd_resolve_flag_column(t, t->root);
}

/* A hash table keyed by an Oid, in memory context cxt. */
HTAB *
sd_oid_hash(const char *name, Size entrysize, MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = entrysize;
	ctl.hcxt = cxt;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* An index of the registry, by name; InvalidOid if it has none (1.0). */
static Oid
sd_registry_index(const char *name)
{
	Oid			relid = get_relname_relid(name, get_rel_namespace(sd_registry_oid));

	return OidIsValid(relid) && get_rel_relkind(relid) == RELKIND_INDEX ?
		relid : InvalidOid;
}

/*
 * Scan the registry for rows whose column attno equals value (an Oid or a
 * text), by index when there is one: the first row, copied, or NULL.
 *
 * This is softdelete's catalog look-up, not the user's read: it takes no
 * part in a SERIALIZABLE transaction's predicate locking (an enable or
 * disable must not abort unrelated transactions), so it reads with
 * SnapshotSelf, as the system catalogs' own look-ups take no predicate
 * locks either.  That sees what is committed now, and this transaction's
 * own changes.  A row updated by a transaction that commits during the
 * scan can be passed over in both versions: a miss is read once more.
 */
static HeapTuple
sd_registry_first(AttrNumber attno, Oid index, Datum value, bool text)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup = NULL;
	int			tries;

	rel = table_open(sd_registry_oid, AccessShareLock);
	for (tries = 0; tries < 2 && !HeapTupleIsValid(tup); tries++)
	{
		ScanKeyInit(&key, attno, BTEqualStrategyNumber,
					text ? F_TEXTEQ : F_OIDEQ, value);
		if (text)
			key.sk_collation = DEFAULT_COLLATION_OID;
		scan = systable_beginscan(rel, index, OidIsValid(index), SnapshotSelf,
								  1, &key);
		tup = systable_getnext(scan);
		if (HeapTupleIsValid(tup))
			tup = heap_copytuple(tup);
		systable_endscan(scan);
	}
	table_close(rel, AccessShareLock);
	return tup;
}

/*
 * Find the fast paths' flags again: is any table enabled, in each mode?
 * Two index look-ups (a scan of the registry when it has no index on mode,
 * as in version 1.0 of the extension, until ALTER EXTENSION ... UPDATE).
 */
static void
sd_catalog_refresh_flags(void)
{
	if (sd_flags_valid)
		return;
	sd_any_enabled = sd_any_archive = sd_any_flag = false;
	if (!IsTransactionState())
		return;

	/* Valid from now on: an invalidation arriving while we read clears it. */
	sd_flags_valid = true;
	PG_TRY();
	{
		sd_registry_oid = sd_catalog_registry_relid(true);
		if (OidIsValid(sd_registry_oid))
		{
			HeapTuple	tup;

			sd_registry_pkey = sd_registry_index("registry_pkey");
			sd_registry_mode_idx = sd_registry_index("registry_mode");
			sd_registry_archive_idx = sd_registry_index("registry_archive");
			tup = sd_registry_first(Anum_registry_mode, sd_registry_mode_idx,
									CStringGetTextDatum("flag"), true);
			sd_any_flag = HeapTupleIsValid(tup);
			tup = sd_registry_first(Anum_registry_mode, sd_registry_mode_idx,
									CStringGetTextDatum("archive"), true);
			sd_any_archive = HeapTupleIsValid(tup);
			sd_any_enabled = sd_any_flag || sd_any_archive;
		}
	}
	PG_CATCH();
	{
		sd_flags_valid = false;
		sd_any_enabled = sd_any_archive = sd_any_flag = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * Is any table enabled in this database?  The planner hook's fast path: a
 * flag check once the flags are known.
 */
bool
sd_catalog_any_enabled(void)
{
	if (!sd_flags_valid)
		sd_catalog_refresh_flags();
	return sd_any_enabled;
}

/* Is any table enabled in flag mode?  The planner hook's fast path. */
bool
sd_catalog_any_flag(void)
{
	if (!sd_flags_valid)
		sd_catalog_refresh_flags();
	return sd_any_flag;
}

/* Is any table enabled in archive mode?  The executor hook's fast path. */
bool
sd_catalog_any_archive(void)
{
	if (!sd_flags_valid)
		sd_catalog_refresh_flags();
	return sd_any_archive;
}

/*
 * The archive-mode table whose archive table is archive, or InvalidOid.
 * By the registry's index on archive (DROP and enable only).
 */
Oid
sd_catalog_archive_of(Oid archive)
{
	HeapTuple	tup;
	Oid			live = InvalidOid;

	if (!sd_catalog_any_archive() || !OidIsValid(archive))
		return InvalidOid;
	tup = sd_registry_first(Anum_registry_archive, sd_registry_archive_idx,
							ObjectIdGetDatum(archive), false);
	if (HeapTupleIsValid(tup))
	{
		Relation	rel = table_open(sd_registry_oid, AccessShareLock);
		SdTable		t;

		sd_catalog_decode_row(tup, RelationGetDescr(rel), &t);
		table_close(rel, AccessShareLock);
		if (t.mode == SD_MODE_ARCHIVE && t.archive == archive)
			live = t.root;
	}
	return live;
}

/* relid's own registration, read from the registry; false if none. */
static bool
sd_registry_lookup(Oid relid, SdTable *t)
{
	HeapTuple	tup = sd_registry_first(Anum_registry_relid, sd_registry_pkey,
										ObjectIdGetDatum(relid), false);
	Relation	rel;

	if (!HeapTupleIsValid(tup))
		return false;
	rel = table_open(sd_registry_oid, AccessShareLock);
	sd_catalog_decode_row(tup, RelationGetDescr(rel), t);
	table_close(rel, AccessShareLock);
	return true;
}

/* Direct parents of relid in pg_inherits (partitions and inheritance). */
static List *
sd_parents_of(Oid relid)
{
	Relation	inh;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *parents = NIL;

	inh = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_inherits_inhrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(inh, InheritsRelidSeqnoIndexId, true, NULL,
							  1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		parents = lappend_oid(parents,
							  ((Form_pg_inherits) GETSTRUCT(tup))->inhparent);
	systable_endscan(scan);
	table_close(inh, AccessShareLock);
	return parents;
}

/*
 * Is relid enabled, itself or as a partition or inheritance child of an
 * enabled table?  Fills *out when it is.  Cached until relid's next
 * invalidation.
 */
static pg_noinline bool sd_catalog_lookup_cache(Oid relid, SdTable *out);

bool
sd_catalog_lookup(Oid relid, SdTable *out)
{
	/* Bootstrap catalogs can never be enabled. */
	if (relid < FirstGenbkiObjectId || !sd_catalog_any_enabled())
		return false;

	/* The planner asks about the same table several times in a row. */
	/* the generation first: after a reset, sd_last points at freed memory */
	if (sd_last != NULL && sd_last_generation == sd_catalog_generation &&
		relid == sd_last->relid)
	{
		if (sd_last->enabled && out != NULL)
			*out = sd_last->table;
		return sd_last->enabled;
	}
	return sd_catalog_lookup_cache(relid, out);
}

/* The cache's answer, or the registry's (then cached). */
static bool
sd_catalog_lookup_cache(Oid relid, SdTable *out)
{
	SdCacheEntry *e;
	SdTable		t;
	bool		enabled = false;
	uint64		generation;
	ListCell   *lc;

	e = sd_cache ? hash_search(sd_cache, &relid, HASH_FIND, NULL) : NULL;
	if (e != NULL)
	{
		/* a removal or a reset bumps the generation: the pointer is then not used */
		sd_last = e;
		sd_last_generation = sd_catalog_generation;
		if (e->enabled && out != NULL)
			*out = e->table;
		return e->enabled;
	}

	/*
	 * Registered itself?  Else is an ancestor (pg_inherits)?  Both are index
	 * look-ups; an invalidation arriving meanwhile makes the answer unsafe
	 * to keep.
	 */
	generation = sd_catalog_generation;
	if (sd_registry_lookup(relid, &t))
		enabled = true;
	else
		foreach(lc, sd_parents_of(relid))
		{
			if (sd_catalog_lookup(lfirst_oid(lc), &t))
			{
				sd_resolve_flag_column(&t, relid);
				enabled = true;
				break;
			}
		}

	if (sd_flags_valid && generation == sd_catalog_generation)
	{
		if (sd_cache == NULL)
		{
			if (sd_cache_cxt == NULL)
				sd_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
													 "softdelete cache",
													 ALLOCSET_SMALL_SIZES);
			sd_cache = sd_oid_hash("softdelete tables", sizeof(SdCacheEntry),
								   sd_cache_cxt);
		}
		e = hash_search(sd_cache, &relid, HASH_ENTER, NULL);
		e->enabled = enabled;
		if (enabled)
			e->table = t;
	}
	if (enabled && out != NULL)
		*out = t;
	return enabled;
}

/*
 * Tell every backend (and this one, at the next command) that relid's
 * registration changed: the registry, the table and all its partitions.
 * Cached plans that read any of them are invalidated too.
 */
void
sd_catalog_invalidate(Oid relid)
{
	List	   *rels;
	ListCell   *lc;

	CacheInvalidateRelcacheByRelid(sd_catalog_registry_relid(false));
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;					/* dropped: its drop invalidated it */
	rels = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, rels)
		CacheInvalidateRelcacheByRelid(lfirst_oid(lc));
}

/* The tables registered themselves (not their children): the registry. */
List *
sd_catalog_registered(void)
{
	List	   *rels = NIL;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	if (!OidIsValid(sd_registry_oid))
		return NIL;
	rel = table_open(sd_registry_oid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;

		rels = lappend_oid(rels,
						   DatumGetObjectId(heap_getattr(tup, Anum_registry_relid,
														 RelationGetDescr(rel),
														 &isnull)));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return rels;
}

/* The enabled tables (the roots of their trees). */
List *
sd_catalog_roots(void)
{
	/* reading the flags finds the registry, when there is one */
	if (!sd_catalog_any_enabled())
		return NIL;
	return sd_catalog_registered();
}

/*
 * A flag column that has gone missing is an error, never an unfiltered
 * query or a physical delete.
 */
void
sd_require_flag_column(const SdTable *t)
{
	if (t->flag_attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("soft-delete flag column \"%s\" of table \"%s\" does not exist",
						NameStr(t->column_name), get_rel_name(t->relid)),
				 errhint("Call softdelete.disable() and softdelete.enable() again.")));
}

/* ---------------------------------------------------------------------
 * Citus's catalog: what kind of Citus table a table is, which table a
 * shard belongs to, and what a shard's own triggers say of its table
 * ---------------------------------------------------------------------
 */

/*
 * Citus: what kind of Citus table relid is.  0 when it is none (or Citus is
 * not installed here), SD_CITUS_DISTRIBUTED, SD_CITUS_REFERENCE, or
 * SD_CITUS_LOCAL (a local table added to Citus's metadata).
 */
char
sd_citus_kind(Oid relid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1];
	char		kind = 0;

	if (!OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return 0;
	args[0] = ObjectIdGetDatum(relid);
	SPI_connect();
	if (SPI_execute_with_args("SELECT partmethod::text, repmodel::text FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "softdelete: reading pg_dist_partition failed");
	if (SPI_processed > 0)
	{
		char	   *method = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *model = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		if (method != NULL && strcmp(method, "n") != 0)
			kind = SD_CITUS_DISTRIBUTED;
		else if (model != NULL && strcmp(model, "t") == 0)
			kind = SD_CITUS_REFERENCE;
		else
			kind = SD_CITUS_LOCAL;
	}
	SPI_finish();
	return kind;
}

/*
 * Is relid a shard of a Citus table (on a node with Citus's metadata)?  The
 * name of that table, or NULL.  Only the guard asks, on a table it fired on
 * that is not enabled here: softdelete's triggers on a shard came from the
 * coordinator.
 */
char *
sd_citus_shard_of(Oid relid)
{
	const char *name = get_rel_name(relid);
	const char *digits;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1];
	char	   *table = NULL;

	if (name == NULL ||
		!OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)) ||
		(digits = sd_shard_suffix(name)) == NULL)
		return NULL;
	args[0] = Int64GetDatum(strtoi64(digits + 1, NULL, 10));
	SPI_connect();
	if (SPI_execute_with_args("SELECT logicalrelid::text FROM pg_catalog.pg_dist_shard WHERE shardid = $1",
							  1, argtypes, args, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed > 0)
		table = MemoryContextStrdup(CurTransactionContext,
									SPI_getvalue(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1));
	SPI_finish();
	return table;
}

/*
 * The "_<digits>" that ends a Citus shard's name (and the names of its
 * copies of triggers and constraints), or NULL.
 */
const char *
sd_shard_suffix(const char *name)
{
	const char *tail = strrchr(name, '_');

	if (tail == NULL || tail[1] == '\0' ||
		strspn(tail + 1, "0123456789") != strlen(tail + 1))
		return NULL;
	return tail;
}

/*
 * Is tgname trigger base, or its copy on a Citus shard (base_<shard id>)?
 */
bool
sd_trigger_named(const char *tgname, const char *base)
{
	size_t		len = strlen(base);

	return strncmp(tgname, base, len) == 0 &&
		(tgname[len] == '\0' || sd_shard_suffix(tgname) == tgname + len);
}

/*
 * A shard of an enabled Citus table, on a worker: the registry is on the
 * coordinator, but the guard trigger that enable put on the table (and that
 * Citus copied to every shard) names the flag column, softdelete.guard('col'),
 * for the cascades and checks the shards run themselves (fk_trigger.c).  False
 * for any other table.  Reads the relcache only: it runs per row.
 */
bool
sd_catalog_shard(Relation rel, SdTable *out)
{
	TriggerDesc *td = rel->trigdesc;
	int			i;

	for (i = 0; td != NULL && i < td->numtriggers; i++)
	{
		Trigger    *trig = &td->triggers[i];

		if (trig->tgnargs == 1 && TRIGGER_FOR_ROW(trig->tgtype) &&
			sd_trigger_named(trig->tgname, "softdelete_guard"))
		{
			sd_flag_describe(RelationGetRelid(rel), trig->tgargs[0], out);
			return true;
		}
	}
	return false;
}
