/*-------------------------------------------------------------------------
 *
 * undo.c
 *		softdelete.undo(xid8): restore what one transaction deleted; and
 *		softdelete.trash: every deleted row the role may see, with who,
 *		why and which transaction (1.7).
 *
 * Both read the log of deletions (deletions.c) directly, not through SQL:
 * it names every table, and a role sees only the tables whose deleted rows
 * it may read.  In flag mode a deleted row belongs to the transaction whose
 * log row lists the row's xmin among its subtransactions' xids; an archive
 * row names its transaction in archived_xid.
 *
 * undo checks everything before it changes anything: the transaction has
 * ended and deleted something, every table is still enabled and the caller
 * may restore it (what restore needs), and every table holds exactly the
 * rows the transaction deleted from it.  Then it restores table by table,
 * parents before children, without restore's own cascades (each child table
 * is one of the transaction's tables), and checks that each statement
 * restored exactly those rows.  Any refusal is an error: the function's
 * changes go with it.
 *
 * Calls: access.c, archive_restore.c, catalog.c, deletions.c,
 * restore_purge.c, keys.c, sql.c, stamp.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
#include "utils/xid8.h"

#include "access.h"
#include "archive_restore.h"
#include "catalog.h"
#include "compat.h"
#include "deletions.h"
#include "keys.h"
#include "restore_purge.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"

PG_FUNCTION_INFO_V1(softdelete_undo);
PG_FUNCTION_INFO_V1(softdelete_trash);

/* One row of the log, as undo and trash use it. */
typedef struct SdLogRow
{
	FullTransactionId xid;
	Oid			relid;
	ArrayType  *subxids;
	int64		rows;
	char	   *actor;
	char	   *reason;
	bool		arrived;
} SdLogRow;

static SdLogRow *
sd_log_row(HeapTuple tup, TupleDesc desc)
{
	SdLogRow   *r = palloc0(sizeof(SdLogRow));
	bool		isnull;
	Datum		d;

	r->xid = DatumGetFullTransactionId(heap_getattr(tup, SD_DELETIONS_XID, desc, &isnull));
	r->relid = DatumGetObjectId(heap_getattr(tup, SD_DELETIONS_RELID, desc, &isnull));
	r->subxids = DatumGetArrayTypePCopy(heap_getattr(tup, SD_DELETIONS_SUBXIDS, desc, &isnull));
	r->rows = DatumGetInt64(heap_getattr(tup, SD_DELETIONS_ROWS, desc, &isnull));
	r->actor = TextDatumGetCString(heap_getattr(tup, SD_DELETIONS_ACTOR, desc, &isnull));
	d = heap_getattr(tup, SD_DELETIONS_REASON, desc, &isnull);
	r->reason = isnull ? NULL : TextDatumGetCString(d);
	r->arrived = DatumGetBool(heap_getattr(tup, SD_DELETIONS_ARRIVED, desc, &isnull));
	return r;
}

/* The log's rows for transaction xid (all rows when xid is invalid). */
static List *
sd_log_read(FullTransactionId xid, bool all)
{
	Oid			index;
	Oid			relid = sd_deletions_relid(&index);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *rows = NIL;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the softdelete extension of this database is older than 1.7"),
				 errhint("Run ALTER EXTENSION softdelete UPDATE.")));
	rel = table_open(relid, AccessShareLock);
	ScanKeyInit(&key, SD_DELETIONS_XID, BTEqualStrategyNumber, F_XID8EQ,
				FullTransactionIdGetDatum(xid));
	scan = systable_beginscan(rel, index, !all && OidIsValid(index),
							  GetActiveSnapshot(), all ? 0 : 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		rows = lappend(rows, sd_log_row(tup, RelationGetDescr(rel)));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return rows;
}

/* ---------------------------------------------------------------------
 * softdelete.undo(xid8)
 * ---------------------------------------------------------------------
 */

typedef struct SdUndoTable
{
	SdLogRow   *log;
	SdTable		t;
	bool		done;
} SdUndoTable;

/*
 * In a PG_CATCH of undo's statement on table relid: a key taken since by a
 * live row (23505) says so, as undo's refusal; any other error goes on.
 */
static void
sd_undo_rethrow(MemoryContext cxt, FullTransactionId xid, Oid relid)
{
	ErrorData  *e;

	MemoryContextSwitchTo(cxt);
	e = CopyErrorData();
	if (e->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
		PG_RE_THROW();
	FlushErrorState();
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("cannot undo transaction %llu: a key of table \"%s\" was taken since",
					(unsigned long long) U64FromFullTransactionId(xid),
					get_rel_name(relid)),
			 errdetail("%s.  Nothing was restored.", e->message),
			 errhint("Delete or change the live row that holds the key, then undo again.")));
}

/* Run sql (one statement on table u) with its deleted rows in view; how many rows. */
static uint64
sd_undo_exec(SdUndoTable *u, const char *sql, int nargs, Oid *types, Datum *values,
			 FullTransactionId xid)
{
	MemoryContext cxt = CurrentMemoryContext;
	uint64		n = 0;

	PG_TRY();
	{
		int			rc;

		sd_exempt(SD_EXEMPT_FILTER, u->log->relid);
		rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
		if (rc < 0)
			elog(ERROR, "softdelete: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
		if (rc == SPI_OK_SELECT)
		{
			bool		isnull;

			n = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc, 1, &isnull));
		}
		else
			n = SPI_processed;
	}
	PG_CATCH();
	{
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
		sd_undo_rethrow(cxt, xid, u->log->relid);
	}
	PG_END_TRY();
	return n;
}

/* How many rows of u's table carry u's transaction as their deletion. */
static int64
sd_undo_count(SdUndoTable *u, FullTransactionId xid)
{
	Oid			types[1];
	Datum		values[1];
	char	   *sql;

	if (u->t.mode == SD_MODE_FLAG)
	{
		const char *col = quote_identifier(NameStr(u->t.column_name));

		types[0] = XIDARRAYOID;
		values[0] = PointerGetDatum(u->log->subxids);
		sql = psprintf("SELECT pg_catalog.count(*) FROM %s x WHERE %s AND x.xmin OPERATOR(pg_catalog.=) ANY ($1)",
					   sd_qualified_name(u->log->relid),
					   sd_flag_sql(psprintf("x.%s", col), &u->t, true));
	}
	else
	{
		types[0] = XID8OID;
		values[0] = FullTransactionIdGetDatum(xid);
		sql = psprintf("SELECT pg_catalog.count(*) FROM ONLY %s WHERE archive_op = 'delete' AND archived_xid OPERATOR(pg_catalog.=) $1",
					   sd_qualified_name(u->t.archive));
	}
	return (int64) sd_undo_exec(u, sql, 1, types, values, xid);
}

/* Restore u's rows; how many came back. */
static int64
sd_undo_restore(SdUndoTable *u, FullTransactionId xid)
{
	if (u->t.mode == SD_MODE_FLAG)
	{
		const char *col = quote_identifier(NameStr(u->t.column_name));
		Oid			types[1] = {XIDARRAYOID};
		Datum		values[1] = {PointerGetDatum(u->log->subxids)};

		return (int64) sd_undo_exec(u,
									psprintf("UPDATE %s x SET %s = %s WHERE %s AND x.xmin OPERATOR(pg_catalog.=) ANY ($1)",
											 sd_qualified_name(u->log->relid), col,
											 sd_flag_live_value(&u->t),
											 sd_flag_sql(psprintf("x.%s", col), &u->t, true)),
									1, types, values, xid);
	}
	else
	{
		int64		n = 0;
		MemoryContext cxt = CurrentMemoryContext;

		PG_TRY();
		{
			n = (int64) sd_restore_archive(u->log->relid, &u->t,
										   psprintf("archived_xid OPERATOR(pg_catalog.=) '%llu'::pg_catalog.xid8",
													(unsigned long long) U64FromFullTransactionId(xid)));
		}
		PG_CATCH();
		{
			sd_undo_rethrow(cxt, xid, u->log->relid);
		}
		PG_END_TRY();
		return n;
	}
}

/* Does table child reference table parent (both enabled roots)? */
static bool
sd_undo_references(Oid child, Oid parent)
{
	ListCell   *lc;

	foreach(lc, sd_fk_incoming(parent))
	{
		SdFk	   *fk = lfirst(lc);
		SdTable		ct;

		if (fk->child == child ||
			(sd_catalog_lookup(fk->child, &ct) && ct.root == child))
			return true;
	}
	return false;
}

/* Refuse transaction xid unless it has ended. */
static void
sd_undo_require_ended(FullTransactionId xid)
{
	FullTransactionId next = ReadNextFullTransactionId();
	TransactionId x = XidFromFullTransactionId(xid);

	if (FullTransactionIdFollowsOrEquals(xid, next))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction %llu has not started yet",
						(unsigned long long) U64FromFullTransactionId(xid))));
	if (TransactionIdIsNormal(x) &&
		U64FromFullTransactionId(next) - U64FromFullTransactionId(xid) < (uint64) 1 << 31 &&
		TransactionIdIsInProgress(x))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("transaction %llu is still in progress",
						(unsigned long long) U64FromFullTransactionId(xid)),
				 errdetail("Only what a transaction committed can be undone."),
				 errhint("Wait until it ends; to take back what the current transaction did, roll it back.")));
}

/*
 * softdelete.undo(xid8): restore every row that transaction soft-deleted
 * or archived, across every enabled table, parents before children, and
 * nothing else; all or nothing.
 */
Datum
softdelete_undo(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FullTransactionId xid;
	List	   *log;
	SdUndoTable *tables;
	volatile int n = 0;
	int			i,
				left;
	bool		any_arrived = false;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("softdelete.undo(): the transaction must not be NULL"),
				 errhint("Find it in softdelete.trash (column xid).")));
	xid = PG_GETARG_FULLTRANSACTIONID(0);
	sd_as_of_refuse("softdelete.undo()");
	sd_undo_require_ended(xid);

	log = sd_log_read(xid, false);
	tables = palloc0(sizeof(SdUndoTable) * (list_length(log) + 1));
	foreach(lc, log)
	{
		SdLogRow   *r = lfirst(lc);

		if (r->arrived)
		{
			any_arrived = true;
			continue;
		}
		tables[n].log = r;
		if (get_rel_name(r->relid) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot undo transaction %llu: a table it deleted from was dropped since",
							(unsigned long long) U64FromFullTransactionId(xid)),
					 errdetail("Nothing was restored.")));
		if (!sd_catalog_lookup(r->relid, &tables[n].t) || tables[n].t.root != r->relid)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot undo transaction %llu: table \"%s\" is no longer enabled",
							(unsigned long long) U64FromFullTransactionId(xid),
							get_rel_name(r->relid)),
					 errdetail("Nothing was restored.")));
		n++;
	}
	if (n == 0)
		ereport(ERROR,
				(errcode(any_arrived ? ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE :
						 ERRCODE_NO_DATA_FOUND),
				 errmsg("transaction %llu soft-deleted nothing that softdelete can undo",
						(unsigned long long) U64FromFullTransactionId(xid)),
				 any_arrived ?
				 errdetail("Its record came from elsewhere (a restore of this database, logical replication): the rows it deleted cannot be told from others here.") :
				 errdetail("It deleted no row of an enabled table, rolled back, or is not recorded (deleted before version 1.7, or its table was dropped).")));

	/* what restore needs, on every table, before anything moves */
	for (i = 0; i < n; i++)
		sd_restore_require(tables[i].log->relid, &tables[i].t);

	SPI_connect();
	for (i = 0; i < n; i++)
	{
		int64		found = sd_undo_count(&tables[i], xid);

		if (found != tables[i].log->rows)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot undo transaction %llu: table \"%s\" holds %lld of the %lld rows it deleted",
							(unsigned long long) U64FromFullTransactionId(xid),
							get_rel_name(tables[i].log->relid),
							(long long) found, (long long) tables[i].log->rows),
					 errdetail(found < tables[i].log->rows ?
							   "Rows it deleted were purged, restored or changed since.  Nothing was restored." :
							   "Rows deleted since carry the same transaction ids.  Nothing was restored."),
					 errhint("Restore what is left with softdelete.restore() and a filter.")));
	}

	InitMaterializedSRF(fcinfo, 0);
	sd_undoing = true;
	PG_TRY();
	{
		/* parents first: a restored row's references must be live */
		for (left = n; left > 0; left--)
		{
			SdUndoTable *u = NULL;
			int64		restored;
			Datum		values[2];
			bool		nulls[2] = {false, false};

			for (i = 0; i < n && u == NULL; i++)
			{
				int			j;
				bool		waits = false;

				if (tables[i].done)
					continue;
				for (j = 0; j < n && !waits; j++)
					waits = j != i && !tables[j].done &&
						sd_undo_references(tables[i].log->relid, tables[j].log->relid);
				if (!waits)
					u = &tables[i];
			}
			/* a cycle: its restore's own checks see the order through */
			for (i = 0; i < n && u == NULL; i++)
				if (!tables[i].done)
					u = &tables[i];
			u->done = true;
			restored = sd_undo_restore(u, xid);
			if (restored != u->log->rows)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot undo transaction %llu: %lld of the %lld rows it deleted from table \"%s\" came back",
								(unsigned long long) U64FromFullTransactionId(xid),
								(long long) restored, (long long) u->log->rows,
								get_rel_name(u->log->relid)),
						 errdetail("A concurrent restore or change took the others.  Nothing was restored.")));
			values[0] = ObjectIdGetDatum(u->log->relid);
			values[1] = Int64GetDatum(restored);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_FINALLY();
	{
		sd_undoing = false;
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * softdelete.trash
 * ---------------------------------------------------------------------
 */

/* The log's rows by table and by the xid a deleted row carries. */
typedef struct SdTrashKey
{
	Oid			relid;
	uint64		xid;			/* flag mode: a subtransaction's xid; archive: xid8 */
} SdTrashKey;

typedef struct SdTrashEntry
{
	SdTrashKey	key;
	SdLogRow   *log;
} SdTrashEntry;

static HTAB *
sd_trash_log(void)
{
	HASHCTL		ctl;
	HTAB	   *h;
	ListCell   *lc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(SdTrashKey);
	ctl.entrysize = sizeof(SdTrashEntry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("softdelete trash", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, sd_log_read(InvalidFullTransactionId, true))
	{
		SdLogRow   *r = lfirst(lc);
		SdTable		t;
		Datum	   *xids;
		int			nxids,
					i;
		SdTrashKey	key;
		bool		found;
		SdTrashEntry *e;

		if (r->arrived || !sd_catalog_lookup(r->relid, &t))
			continue;
		memset(&key, 0, sizeof(key));
		key.relid = r->relid;
		if (t.mode == SD_MODE_ARCHIVE)
		{
			key.xid = U64FromFullTransactionId(r->xid);
			e = hash_search(h, &key, HASH_ENTER, &found);
			e->log = r;
			continue;
		}
		deconstruct_array(r->subxids, XIDOID, sizeof(TransactionId), true,
						  TYPALIGN_INT, &xids, NULL, &nxids);
		for (i = 0; i < nxids; i++)
		{
			key.xid = DatumGetTransactionId(xids[i]);
			e = hash_search(h, &key, HASH_ENTER, &found);
			/* an xid of 2^32 transactions ago: the newer one */
			if (!found || FullTransactionIdPrecedes(e->log->xid, r->xid))
				e->log = r;
		}
	}
	return h;
}

/* The primary key of relid as jsonb over alias x (the whole row without one). */
static char *
sd_trash_key(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pk = SD_PRIMARY_KEY_INDEX(rel);
	StringInfoData buf;

	table_close(rel, AccessShareLock);
	if (!OidIsValid(pk))
		return "pg_catalog.to_jsonb(x)";
	initStringInfo(&buf);
	appendStringInfoString(&buf, "pg_catalog.jsonb_build_object(");
	{
		Relation	idx = index_open(pk, AccessShareLock);
		int			i;

		for (i = 0; i < idx->rd_index->indnkeyatts; i++)
		{
			char	   *name = get_attname(relid, idx->rd_index->indkey.values[i], false);

			appendStringInfo(&buf, "%s%s, x.%s", i > 0 ? ", " : "",
							 quote_literal_cstr(name), quote_identifier(name));
		}
		index_close(idx, AccessShareLock);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* The deleted rows of one table into the result. */
static void
sd_trash_table(Oid relid, const SdTable *t, HTAB *log, ReturnSetInfo *rsinfo)
{
	char	   *sql;
	volatile Portal portal = NULL;

	if (t->mode == SD_MODE_FLAG)
	{
		const char *col = quote_identifier(NameStr(t->column_name));

		/* a Citus table's rows are on the workers: no xmin to match here */
		sql = psprintf("SELECT %s, %s, %s, NULL::pg_catalog.text, %s FROM %s x WHERE %s",
					   sd_trash_key(relid),
					   SD_FLAG_IS_BOOL(t) ? "NULL::pg_catalog.timestamptz" :
					   psprintf("x.%s::pg_catalog.timestamptz", col),
					   t->by_attno != InvalidAttrNumber ?
					   psprintf("x.%s::pg_catalog.text", quote_identifier(NameStr(t->by_column))) :
					   "NULL::pg_catalog.text",
					   sd_citus_kind(relid) != 0 ? "NULL::pg_catalog.xid" : "x.xmin",
					   sd_qualified_name(relid),
					   sd_flag_sql(psprintf("x.%s", col), t, true));
	}
	else
		sql = psprintf("SELECT %s, x.archived_at, x.archived_by, %s, x.archived_xid FROM ONLY %s x WHERE x.archive_op = 'delete'",
					   sd_trash_key(relid),
		/* (1.7) archived_reason, in an archive made since (not a live column) */
					   get_attnum(t->archive, "archived_reason") > 0 &&
					   get_attnum(relid, "archived_reason") <= 0 ?
					   "x.archived_reason" : "NULL::pg_catalog.text",
					   sd_qualified_name(t->archive));

	sd_exempt(SD_EXEMPT_FILTER, relid);
	PG_TRY();
	{
		portal = SPI_cursor_open_with_args(NULL, sql, 0, NULL, NULL, NULL, true, 0);
	}
	PG_FINALLY();
	{
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
	}
	PG_END_TRY();
	for (;;)
	{
		uint64		r;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			Datum		values[6];
			bool		nulls[6];
			SdTrashKey	key;
			SdTrashEntry *e;
			bool		isnull;
			Datum		x;

			memset(nulls, false, sizeof(nulls));
			values[0] = ObjectIdGetDatum(relid);
			values[1] = SPI_getbinval(tup, desc, 1, &nulls[1]);
			values[2] = SPI_getbinval(tup, desc, 2, &nulls[2]);
			values[3] = SPI_getbinval(tup, desc, 3, &nulls[3]);
			values[4] = SPI_getbinval(tup, desc, 4, &nulls[4]);
			x = SPI_getbinval(tup, desc, 5, &isnull);
			memset(&key, 0, sizeof(key));
			key.relid = relid;
			key.xid = isnull ? 0 : t->mode == SD_MODE_FLAG ?
				(uint64) DatumGetTransactionId(x) :
				U64FromFullTransactionId(DatumGetFullTransactionId(x));
			e = isnull ? NULL : hash_search(log, &key, HASH_FIND, NULL);
			if (nulls[3] && e != NULL)
			{
				values[3] = CStringGetTextDatum(e->log->actor);
				nulls[3] = false;
			}
			if (nulls[4] && e != NULL && e->log->reason != NULL)
			{
				values[4] = CStringGetTextDatum(e->log->reason);
				nulls[4] = false;
			}
			if (t->mode == SD_MODE_ARCHIVE)
			{
				values[5] = x;
				nulls[5] = isnull;
			}
			else
			{
				nulls[5] = e == NULL;
				values[5] = e ? FullTransactionIdGetDatum(e->log->xid) : (Datum) 0;
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * softdelete.trash(): every deleted row of every enabled table whose
 * deleted rows the role may read (SELECT on the table, or on its archive,
 * and in flag mode the read_deleted grant); the view softdelete.trash.
 */
Datum
softdelete_trash(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			user = GetUserId();
	HTAB	   *log = NULL;
	List	   *roots;
	ListCell   *lc;

	if (sd_as_of_now(&(TimestampTz){0}))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("softdelete.trash shows what is deleted now, not at softdelete.as_of"),
				 errhint("RESET softdelete.as_of first.")));
	InitMaterializedSRF(fcinfo, 0);
	roots = sd_catalog_roots();
	SPI_connect();
	foreach(lc, roots)
	{
		Oid			relid = lfirst_oid(lc);
		SdTable		t;

		if (!sd_catalog_lookup(relid, &t) || t.root != relid)
			continue;
		if (t.mode == SD_MODE_FLAG ?
			(t.flag_attno == InvalidAttrNumber ||
			 pg_class_aclcheck(relid, user, ACL_SELECT) != ACLCHECK_OK ||
			 !sd_access_allowed(relid, SD_ACCESS_READ_DELETED, user)) :
			(!OidIsValid(t.archive) ||
			 pg_class_aclcheck(t.archive, user, ACL_SELECT) != ACLCHECK_OK))
			continue;
		if (log == NULL)
			log = sd_trash_log();
		sd_trash_table(relid, &t, log, rsinfo);
	}
	SPI_finish();
	return (Datum) 0;
}
