/*-------------------------------------------------------------------------
 *
 * deletions.c
 *		Which transaction deleted what, who, and why (1.7): the log
 *		softdelete.deletions, one row per transaction and enabled table that
 *		it soft-deleted from or archived from.
 *
 * A soft delete in flag mode is an UPDATE, so the row it leaves carries the
 * deleting (sub)transaction's xid as its xmin.  That xid alone does not name
 * the transaction once it ends: a subtransaction's xid is not its top-level
 * one, and pg_subtrans forgets the link.  So while a transaction runs,
 * softdelete counts, per enabled table (the root of a partitioned tree) and
 * per subtransaction, the rows it deletes, and at commit writes one row of
 * the log: the top-level xid8, the xids of the subtransactions that deleted
 * (what the rows' xmin says), how many rows, softdelete.actor and
 * softdelete.reason.  Archive rows carry archived_xid themselves; the log
 * adds the reason and the count.
 *
 * The count is what lets undo refuse rather than restore part of a
 * transaction: when the rows that carry the transaction's xids are fewer
 * (purged, restored, changed since) or more than it deleted, nothing is
 * restored.
 *
 * Counting: the soft delete's target list stamps the flag through
 * softdelete.deleting(stamp, root), which returns its argument and counts
 * the row; the archive counts the rows it writes.  A subtransaction that
 * aborts takes its counts with it; one that commits hands them to its
 * parent, keeping its xid.  Nothing is written for a transaction that
 * deleted nothing.  Two statements of one transaction on one table must
 * agree on actor and reason (the log has one row for them), or the second
 * is refused.
 *
 * Calls: catalog.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "catalog.h"
#include "deletions.h"
#include "state.h"

PG_FUNCTION_INFO_V1(softdelete_deleting);
PG_FUNCTION_INFO_V1(softdelete_deletions_arrived);

/* What one subtransaction deleted from one table. */
typedef struct SdDeleted
{
	Oid			root;
	int			level;			/* nesting level that holds the count now */
	TransactionId subxid;		/* the xid the rows carry (xmin) */
	int64		rows;
	char	   *actor;
	char	   *reason;			/* NULL: none */
} SdDeleted;

static SdDeleted *sd_deleted = NULL;	/* in TopTransactionContext */
static int	sd_ndeleted = 0;
static int	sd_maxdeleted = 0;
static SdDeleted *sd_last = NULL;	/* the entry the last row went to ... */
static uint64 sd_last_who_why = 0;	/* ... under these values of actor and reason */
static Oid	sd_last_user = InvalidOid;	/* ... and this session role */

static void
sd_deleted_forget(void)
{
	sd_deleted = NULL;
	sd_ndeleted = sd_maxdeleted = 0;
	sd_last = NULL;
}

static bool
sd_same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
		(a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The entry of this subtransaction for root, made on its first row. */
static SdDeleted *
sd_deleted_entry(Oid root)
{
	int			level = GetCurrentTransactionNestLevel();
	char	   *actor;
	char	   *reason;
	SdDeleted  *d;
	int			i;

	actor = sd_actor_now();
	reason = sd_reason_now();
	for (i = 0; i < sd_ndeleted; i++)
		if (sd_deleted[i].root == root &&
			(!sd_same_text(sd_deleted[i].actor, actor) ||
			 !sd_same_text(sd_deleted[i].reason, reason)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot delete from table \"%s\" as another actor or for another reason in the same transaction",
							get_rel_name(root)),
					 errdetail("This transaction already deleted from it as \"%s\"%s%s%s; softdelete records one actor and one reason per transaction and table.",
							   sd_deleted[i].actor,
							   sd_deleted[i].reason ? " for reason \"" : "",
							   sd_deleted[i].reason ? sd_deleted[i].reason : "",
							   sd_deleted[i].reason ? "\"" : ""),
					 errhint("Set softdelete.actor and softdelete.reason at the start of the transaction, or delete in another transaction.")));
	for (i = 0; i < sd_ndeleted; i++)
		if (sd_deleted[i].root == root && sd_deleted[i].level == level)
			return &sd_deleted[i];

	if (sd_ndeleted == sd_maxdeleted)
	{
		int			n = sd_maxdeleted == 0 ? 8 : sd_maxdeleted * 2;

		if (sd_deleted == NULL)
			sd_deleted = MemoryContextAlloc(TopTransactionContext,
											n * sizeof(SdDeleted));
		else
			sd_deleted = repalloc(sd_deleted, n * sizeof(SdDeleted));
		sd_maxdeleted = n;
	}
	d = &sd_deleted[sd_ndeleted++];
	d->root = root;
	d->level = level;
	d->subxid = GetCurrentTransactionId();
	d->rows = 0;
	d->actor = MemoryContextStrdup(TopTransactionContext, actor);
	d->reason = reason ? MemoryContextStrdup(TopTransactionContext, reason) : NULL;
	return d;
}

/* n rows of enabled table root were soft-deleted or archived by this subtransaction. */
void
sd_deletions_note(Oid root, int64 n)
{
	SdTable		t;

	/* the same entry and the same actor and reason as the last row: count it */
	if (sd_last == NULL || sd_last->root != root ||
		sd_last->level != GetCurrentTransactionNestLevel() ||
		sd_last_who_why != sd_who_why_version ||
		sd_last_user != GetOuterUserId())
	{
		/*
		 * Only the rows of an enabled table are recorded: not those of a
		 * call by hand naming another relation, nor those of a Citus shard
		 * on a worker, whose statement names the coordinator's table.
		 */
		if (!sd_catalog_lookup(root, &t) || t.root != root)
			return;
		sd_last = sd_deleted_entry(root);
		sd_last_who_why = sd_who_why_version;
		sd_last_user = GetOuterUserId();
	}
	sd_last->rows += n;
}

/*
 * softdelete.deleting(stamp, root): the stamp of one row that a soft delete
 * of root writes, counted.  Not for direct use: called by the target list
 * the planner hook gives a DELETE that becomes an UPDATE.
 */
Datum
softdelete_deleting(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(1))
		sd_deletions_note(PG_GETARG_OID(1), 1);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* softdelete.deletions and its index, once found (until invalidated) */
static Oid	sd_log_oid = InvalidOid;
static Oid	sd_log_index = InvalidOid;

static void
sd_deletions_relcache(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == sd_log_oid)
		sd_log_oid = sd_log_index = InvalidOid;
}

static void
sd_deletions_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	sd_log_oid = sd_log_index = InvalidOid;
}

/* softdelete.deletions and its index on xid, or InvalidOid before 1.7. */
Oid
sd_deletions_relid(Oid *index)
{
	Oid			registry;
	Oid			nsp;

	if (!OidIsValid(sd_log_oid))
	{
		registry = sd_catalog_registry_relid(true);
		if (!OidIsValid(registry))
			return InvalidOid;
		nsp = get_rel_namespace(registry);
		sd_log_index = get_relname_relid("deletions_xid", nsp);
		sd_log_oid = get_relname_relid("deletions", nsp);
	}
	if (index)
		*index = sd_log_index;
	return sd_log_oid;
}

/* At commit (or PREPARE): one row of the log per table. */
static void
sd_deletions_write(void)
{
	Oid			relid;
	Relation	rel;
	TupleDesc	desc;
	FullTransactionId top;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int			i,
				j;

	if (sd_ndeleted == 0)
		return;
	relid = sd_deletions_relid(NULL);
	if (!OidIsValid(relid))
		return;					/* the database is still at 1.6 or older */
	top = GetTopFullTransactionId();
	/* at commit no snapshot is active; a table with TOAST wants one */
	PushActiveSnapshot(GetTransactionSnapshot());
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	for (i = 0; i < sd_ndeleted; i++)
	{
		SdDeleted  *d = &sd_deleted[i];
		Datum	   *xids;
		int			nxids = 0;
		int64		rows = 0;
		Datum		values[SD_DELETIONS_NATTS];
		bool		nulls[SD_DELETIONS_NATTS];
		HeapTuple	tup;

		if (d->root == InvalidOid)
			continue;			/* merged into an earlier entry */
		xids = palloc(sizeof(Datum) * sd_ndeleted);
		for (j = i; j < sd_ndeleted; j++)
		{
			SdDeleted  *e = &sd_deleted[j];
			int			k;
			bool		seen = false;

			if (e->root != d->root)
				continue;
			rows += e->rows;
			for (k = 0; k < nxids; k++)
				seen |= DatumGetTransactionId(xids[k]) == e->subxid;
			if (!seen)
				xids[nxids++] = TransactionIdGetDatum(e->subxid);
			if (j > i)
				e->root = InvalidOid;
		}
		if (rows == 0)
			continue;
		memset(nulls, false, sizeof(nulls));
		values[SD_DELETIONS_XID - 1] = FullTransactionIdGetDatum(top);
		values[SD_DELETIONS_RELID - 1] = ObjectIdGetDatum(d->root);
		values[SD_DELETIONS_SUBXIDS - 1] =
			PointerGetDatum(construct_array(xids, nxids, XIDOID, sizeof(TransactionId),
											true, TYPALIGN_INT));
		values[SD_DELETIONS_ROWS - 1] = Int64GetDatum(rows);
		values[SD_DELETIONS_ACTOR - 1] = CStringGetTextDatum(d->actor);
		values[SD_DELETIONS_REASON - 1] = d->reason ? CStringGetTextDatum(d->reason) : (Datum) 0;
		nulls[SD_DELETIONS_REASON - 1] = d->reason == NULL;
		values[SD_DELETIONS_AT - 1] = TimestampTzGetDatum(now);
		values[SD_DELETIONS_ARRIVED - 1] = BoolGetDatum(false);
		tup = heap_form_tuple(desc, values, nulls);
		CatalogTupleInsert(rel, tup);
		heap_freetuple(tup);
	}
	table_close(rel, NoLock);
	PopActiveSnapshot();
}

static pg_noinline void
sd_deletions_xact_end(XactEvent event)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			sd_deletions_write();
			sd_deleted_forget();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			sd_deleted_forget();
			break;
		default:
			break;
	}
}

static void
sd_deletions_xact(XactEvent event, void *arg)
{
	if (sd_deleted != NULL)		/* not when nothing was deleted: the common case */
		sd_deletions_xact_end(event);
}

/*
 * A subtransaction that commits hands its counts to its parent (they keep
 * its xid, which the rows carry); one that aborts takes them with it.
 */
static void
sd_deletions_subxact(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	int			level;
	int			i,
				n = 0;

	if (sd_ndeleted == 0)
		return;
	level = GetCurrentTransactionNestLevel();
	sd_last = NULL;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (i = 0; i < sd_ndeleted; i++)
			if (sd_deleted[i].level >= level)
				sd_deleted[i].level = level - 1;
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		for (i = 0; i < sd_ndeleted; i++)
			if (sd_deleted[i].level < level)
				sd_deleted[n++] = sd_deleted[i];
		sd_ndeleted = n;
	}
}

void
sd_deletions_init(void)
{
	RegisterXactCallback(sd_deletions_xact, NULL);
	CacheRegisterRelcacheCallback(sd_deletions_relcache, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, sd_deletions_syscache, (Datum) 0);
	RegisterSubXactCallback(sd_deletions_subxact, NULL);
}

/*
 * A row of the log that arrives by INSERT or COPY (pg_restore, a hand
 * edit) was not written by the transaction it names in this cluster: the
 * rows it counted, if restored with it, carry other xmins now.  It is kept,
 * marked arrived, and undo and trash do not match rows to it.
 */
Datum
softdelete_deletions_arrived(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	int			attno = SD_DELETIONS_ARRIVED;
	Datum		value = BoolGetDatum(true);
	bool		isnull = false;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "softdelete.deletions_arrived() is a BEFORE ROW trigger");
	tup = heap_modify_tuple_by_cols(td->tg_trigtuple,
									RelationGetDescr(td->tg_relation),
									1, &attno, &value, &isnull);
	return PointerGetDatum(tup);
}

/*
 * Enabled tables relids were dropped: their rows of the log go with them.
 * (A table disabled before it is dropped leaves its rows behind: undo of
 * their transactions says the table was dropped; trash skips them.)
 */
void
sd_deletions_forget(List *relids)
{
	Oid			log;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	if (relids == NIL || !OidIsValid(log = sd_deletions_relid(NULL)))
		return;
	rel = table_open(log, RowExclusiveLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, SD_DELETIONS_RELID, RelationGetDescr(rel), &isnull);

		if (!isnull && list_member_oid(relids, DatumGetObjectId(d)))
			CatalogTupleDelete(rel, &tup->t_self);
	}
	systable_endscan(scan);
	table_close(rel, NoLock);
}
