/*-------------------------------------------------------------------------
 *
 * archive.c
 *		Archive mode: a DELETE moves rows to the archive table in the same
 *		statement, and with versions an UPDATE archives the old image.
 *
 * Every archive-mode table carries the trigger softdelete_archive (BEFORE
 * DELETE, and UPDATE with versions, FOR EACH ROW).  At ExecutorStart this
 * file finds the ModifyTable nodes that write such a table and, in each
 * result relation's private copy of the trigger list, moves that trigger to
 * the end and forces it on: it fires after every user BEFORE trigger, so a
 * row that one of them suppresses is neither deleted nor archived.  Each
 * result relation gets a sink that writes archive rows straight into the
 * heap and its indexes, through the statement's own EState: no SPI, no
 * after-trigger queue, so memory stays flat however many rows go.
 *
 * The archived row is written before the live row is removed, in the same
 * command; the row lock taken for BEFORE triggers guarantees the delete
 * then happens.  Either both are in the transaction or neither is.
 *
 * In a session where the library was not preloaded, calling the trigger
 * loads it and _PG_init refuses: the DELETE fails instead of losing rows.
 *
 * Calls: access.c (erasure), archive_schema.c (the metadata columns),
 * catalog.c, deletions.c (the rows counted), keys.c (the rules of foreign
 * keys), statement.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/hio.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "replication/logicalworker.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "access.h"
#include "archive.h"
#include "archive_schema.h"
#include "catalog.h"
#include "compat.h"
#include "deletions.h"
#include "keys.h"
#include "state.h"
#include "statement.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(softdelete_archive);


/*
 * Archive rows are written in batches of at most this many rows or bytes:
 * one WAL record per page instead of one per row, memory still bounded.
 */
#define SD_BATCH_ROWS 1000
#define SD_BATCH_BYTES (64 * 1024)

/* The archive table of one statement, opened once. */
typedef struct SdArchiveTarget
{
	Oid			relid;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	AttrNumber	meta[SD_META_COLUMNS];	/* attnos of the metadata columns */
	Oid			seq;			/* archive_id's sequence */
	BulkInsertStateData bistate;	/* keeps the current target page pinned */
	Datum		op_delete;		/* 'delete' and 'update' as text */
	Datum		op_update;
	EState	   *estate;
	/* rows waiting to be written together (heap_multi_insert), as COPY does */
	TupleTableSlot *batch[SD_BATCH_ROWS];
	int			nbatch;
	Size		batch_bytes;
	MemoryContext batch_cxt;
} SdArchiveTarget;

/* One live relation written by one ModifyTable node. */
typedef struct SdSink
{
	Trigger    *trigger;		/* our entry in the relation's TriggerDesc */
	Oid			live;
	Oid			root;			/* the enabled table (1.7: the log counts there) */
	CmdType		operation;		/* of the ModifyTable node */
	bool		versions;
	AttrNumber	valid_from;		/* live attno, versions only */
	AttrNumber *map;			/* per archive column: live attno, or 0 */
	SdArchiveTarget *target;
	EState	   *estate;
	ItemPointerData moving;		/* MERGE: row whose UPDATE fired last */
	Datum		by_name;
	Datum		reason;			/* (1.7) softdelete.reason, 0 when empty */
} SdSink;

/* The sinks of one executor; unlinked when its memory goes away. */
typedef struct SdSinkGroup
{
	dlist_node	node;
	EState	   *estate;
	List	   *sinks;
	List	   *targets;
	bool		closed;
	MemoryContextCallback cb;
} SdSinkGroup;

static dlist_head sd_groups = DLIST_STATIC_INIT(sd_groups);
static SdSink *sd_last_sink = NULL;

/* ---------------------------------------------------------------------
 * Writing archive rows
 * ---------------------------------------------------------------------
 */

/*
 * Open the archive table for writing in estate: check it still has the
 * shape archiving needs, and open its indexes.
 */
static SdArchiveTarget *
sd_open_target(EState *estate, Oid live, Oid archive)
{
	SdArchiveTarget *a = palloc0(sizeof(SdArchiveTarget));
	Relation	rel;
	TupleDesc	desc;
	int			i;

	rel = try_table_open(archive, RowExclusiveLock);
	if (rel == NULL || rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("archive table of \"%s\" is missing or not an ordinary table",
						get_rel_name(live)),
				 errhint("Rows of an archive-mode table cannot be deleted without their archive; set softdelete.hard_delete = on to delete them physically.")));
	desc = RelationGetDescr(rel);
	for (i = 0; i < SD_META_COLUMNS; i++)
	{
		AttrNumber	attno = get_attnum(archive, sd_meta[i].name);

		/* (1.7) an archive made before lacks archived_reason: the log has it */
		if (i == SD_META_REASON &&
			(attno <= 0 || get_attnum(live, sd_meta[i].name) > 0))
		{
			a->meta[i] = InvalidAttrNumber;
			continue;
		}
		if (attno <= 0 ||
			TupleDescAttr(desc, attno - 1)->atttypid != sd_meta[i].type)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("archive table \"%s\" has no column \"%s\" of type %s",
							RelationGetRelationName(rel), sd_meta[i].name,
							format_type_be(sd_meta[i].type))));
		a->meta[i] = attno;
	}
	a->seq = SD_IDENTITY_SEQUENCE(rel, a->meta[SD_META_ID]);
	if (!OidIsValid(a->seq))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("column \"archive_id\" of archive table \"%s\" is not an identity column",
						RelationGetRelationName(rel))));

	a->relid = archive;
	a->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(a->rri, rel, 0, NULL, 0);
	ExecOpenIndices(a->rri, false);
	a->slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);

	/*
	 * Consecutive archive rows mostly go to the same page: keep it pinned
	 * between rows, as COPY does, but without COPY's ring of buffers, which
	 * would make the backend write pages out itself.
	 */
	a->bistate.strategy = NULL;
	a->bistate.current_buf = InvalidBuffer;
	a->op_delete = CStringGetTextDatum("delete");
	a->op_update = CStringGetTextDatum("update");
	a->estate = estate;
	a->batch_cxt = AllocSetContextCreate(estate->es_query_cxt,
										 "softdelete archive batch",
										 ALLOCSET_DEFAULT_SIZES);
	return a;
}

/*
 * Write the batched rows: heap first, then each row's index entries.  Runs
 * when the batch is full and when the statement's ModifyTable work is done,
 * before its AFTER triggers (and foreign-key actions) run.
 */
static void
sd_flush_target(SdArchiveTarget *a)
{
	MemoryContext oldcxt;
	int			i;

	if (a->nbatch == 0)
		return;
	oldcxt = MemoryContextSwitchTo(a->batch_cxt);
	table_multi_insert(a->rri->ri_RelationDesc, a->batch, a->nbatch,
					   a->estate->es_output_cid, 0, &a->bistate);
	for (i = 0; i < a->nbatch; i++)
	{
		if (a->rri->ri_NumIndices > 0)
			SD_INSERT_INDEX_TUPLES(a->rri, a->batch[i], a->estate);
		ExecClearTuple(a->batch[i]);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(a->batch_cxt);
	a->nbatch = 0;
	a->batch_bytes = 0;
}

static void
sd_close_target(SdArchiveTarget *a)
{
	sd_flush_target(a);
	ReleaseBulkInsertStatePin(&a->bistate);
	ExecCloseIndices(a->rri);
	table_close(a->rri->ri_RelationDesc, NoLock);
}

/*
 * Make the sink for live relation rel (a leaf: partitions may number their
 * columns differently) writing to target.  Columns are matched by name;
 * every live column must have its archive column, of the same type.
 */
static SdSink *
sd_make_sink(Relation rel, SdArchiveTarget *target, const SdTable *t,
			 CmdType operation, EState *estate)
{
	SdSink	   *s = palloc0(sizeof(SdSink));
	TupleDesc	live = RelationGetDescr(rel);
	TupleDesc	arch = RelationGetDescr(target->rri->ri_RelationDesc);
	int			i,
				j;

	s->live = RelationGetRelid(rel);
	s->root = t->root;
	s->operation = operation;
	s->versions = t->versions;
	s->target = target;
	s->estate = estate;
	ItemPointerSetInvalid(&s->moving);
	s->map = palloc0(sizeof(AttrNumber) * arch->natts);

	for (i = 0; i < live->natts; i++)
	{
		Form_pg_attribute la = TupleDescAttr(live, i);
		bool		found = false;

		if (la->attisdropped)
			continue;
		for (j = 0; j < arch->natts; j++)
		{
			Form_pg_attribute aa = TupleDescAttr(arch, j);

			if (aa->attisdropped ||
				strcmp(NameStr(aa->attname), NameStr(la->attname)) != 0)
				continue;
			if (aa->atttypid != la->atttypid || aa->atttypmod != la->atttypmod)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" has type %s in table \"%s\" but %s in its archive table \"%s\"",
								NameStr(la->attname),
								format_type_with_typemod(la->atttypid, la->atttypmod),
								RelationGetRelationName(rel),
								format_type_with_typemod(aa->atttypid, aa->atttypmod),
								RelationGetRelationName(target->rri->ri_RelationDesc)),
						 errhint("Alter the archive column to the same type.")));
			s->map[j] = la->attnum;
			found = true;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("archive table \"%s\" has no column \"%s\"",
							RelationGetRelationName(target->rri->ri_RelationDesc),
							NameStr(la->attname)),
					 errdetail("Archiving a row of \"%s\" would lose that column.",
							   RelationGetRelationName(rel)),
					 errhint("Add the column to the archive table.")));
		if (t->versions && strcmp(NameStr(la->attname), SD_VALID_FROM) == 0)
			s->valid_from = la->attnum;
	}
	if (t->versions && s->valid_from == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no column \"%s\"",
						RelationGetRelationName(rel), SD_VALID_FROM),
				 errdetail("A table archived with versions needs it to record when each version began.")));
	return s;
}

/* Write the image in slot old to the archive, with its metadata. */
static void
sd_archive_write(SdSink *s, TupleTableSlot *old, bool is_delete)
{
	SdArchiveTarget *a = s->target;
	TupleTableSlot *slot = a->slot;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;

	/* (1.6) the actor: softdelete.actor, or the session's role */
	if (s->by_name == (Datum) 0)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(s->estate->es_query_cxt);

		char	   *reason = sd_reason_now();

		s->by_name = CStringGetTextDatum(sd_actor_now());
		/* (1.7) and why */
		s->reason = reason ? CStringGetTextDatum(reason) : (Datum) 0;
		MemoryContextSwitchTo(oldcxt);
	}

	/* (1.7) counted for the log of deletions */
	if (is_delete)
		sd_deletions_note(s->root, 1);

	slot_getallattrs(old);
	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		AttrNumber	src = s->map[i];

		if (src > 0)
		{
			slot->tts_values[i] = old->tts_values[src - 1];
			slot->tts_isnull[i] = old->tts_isnull[src - 1];
		}
		else
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
		}
	}
#define SD_SET_META(m, d) \
	do { slot->tts_values[a->meta[m] - 1] = (d); \
		 slot->tts_isnull[a->meta[m] - 1] = false; } while (0)
	SD_SET_META(SD_META_AT,
				TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
	SD_SET_META(SD_META_BY, s->by_name);
	SD_SET_META(SD_META_OP, is_delete ? a->op_delete : a->op_update);
	SD_SET_META(SD_META_XID, FullTransactionIdGetDatum(GetTopFullTransactionId()));
	SD_SET_META(SD_META_ID, Int64GetDatum(nextval_internal(a->seq, false)));
	if (a->meta[SD_META_REASON] != InvalidAttrNumber && s->reason != (Datum) 0)
		SD_SET_META(SD_META_REASON, s->reason);
#undef SD_SET_META
	ExecStoreVirtualTuple(slot);

	/* copy the row out of the live tuple it points into, and queue it */
	if (a->batch[a->nbatch] == NULL)
	{
		/* we run in the per-row context: the slot must outlive it */
		MemoryContext oldcxt = MemoryContextSwitchTo(a->estate->es_query_cxt);

		a->batch[a->nbatch] = ExecInitExtraTupleSlot(a->estate,
													 slot->tts_tupleDescriptor,
													 &TTSOpsVirtual);
		MemoryContextSwitchTo(oldcxt);
	}
	ExecCopySlot(a->batch[a->nbatch], slot);
	a->batch_bytes += heap_compute_data_size(slot->tts_tupleDescriptor,
											 slot->tts_values, slot->tts_isnull);
	a->nbatch++;
	if (a->nbatch == SD_BATCH_ROWS || a->batch_bytes >= SD_BATCH_BYTES)
		sd_flush_target(a);
}

/* ---------------------------------------------------------------------
 * Attaching sinks at ExecutorStart
 * ---------------------------------------------------------------------
 */

static void
sd_group_forget(void *arg)
{
	SdSinkGroup *g = (SdSinkGroup *) arg;

	dlist_delete(&g->node);
	sd_last_sink = NULL;
}

static Oid
sd_archive_function_oid(void)
{
	List	   *name = list_make2(makeString("softdelete"), makeString("archive"));

	return LookupFuncName(name, 0, NULL, false);
}

/* Our archive trigger, last in rri's list, for DELETE (and UPDATE). */
static Trigger *
sd_place_trigger(ResultRelInfo *rri, bool on_update, EState *estate)
{
	Trigger    *trig;
	int16		tgtype = TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_DELETE;

	if (on_update)
		tgtype |= TRIGGER_TYPE_UPDATE;
	trig = sd_trigger_append(rri, estate, SD_ARCHIVE_TRIGGER, tgtype);
	if (!OidIsValid(trig->tgfoid))
		trig->tgfoid = sd_archive_function_oid();
	return trig;
}

typedef struct SdAttachContext
{
	EState	   *estate;
	SdSinkGroup *group;
	bool		restoring;		/* the statement is restore's */
} SdAttachContext;

static SdArchiveTarget *
sd_group_target(SdAttachContext *cx, Oid live, Oid archive)
{
	ListCell   *lc;
	SdArchiveTarget *a;

	foreach(lc, cx->group->targets)
	{
		a = lfirst(lc);
		if (a->relid == archive)
			return a;
	}
	a = sd_open_target(cx->estate, live, archive);
	cx->group->targets = lappend(cx->group->targets, a);
	return a;
}

static void
sd_attach_modifytable(ModifyTableState *mt, void *arg)
{
	SdAttachContext *cx = arg;
	ModifyTable *plan = (ModifyTable *) mt->ps.plan;
	CmdType		op = mt->operation;
	int			i;

	/*
	 * restore's INSERT puts archived rows back as they were: a NOT VALID
	 * constraint, which does not hold for rows older than itself, does not
	 * refuse them (a validated one does).  Partitions a row is routed to
	 * check all theirs.
	 */
	if (op == CMD_INSERT && cx->restoring)
	{
		for (i = 0; i < mt->mt_nrels; i++)
		{
			ResultRelInfo *rri = &mt->resultRelInfo[i];
			TupleConstr *constr = RelationGetDescr(rri->ri_RelationDesc)->constr;

			if (constr != NULL && constr->num_check > 0 &&
				SD_RRI_CHECK_EXPRS(rri) == NULL)
				SD_RRI_CHECK_EXPRS(rri) = sd_prepare_checks(rri, cx->estate,
															SD_CHECKS_VALID,
															InvalidAttrNumber);
		}
	}
	if (op == CMD_INSERT && plan->onConflictAction != ONCONFLICT_UPDATE)
		return;
	for (i = 0; i < mt->mt_nrels; i++)
	{
		ResultRelInfo *rri = &mt->resultRelInfo[i];
		Relation	rel = rri->ri_RelationDesc;
		SdTable		t;
		SdSink	   *s;
		bool		on_update;

		if (!sd_catalog_lookup(RelationGetRelid(rel), &t) ||
			t.mode != SD_MODE_ARCHIVE)
			continue;
		/* rows leave: the foreign keys that reference them must allow it */
		if (op == CMD_DELETE || op == CMD_MERGE)
			sd_fk_check_archive_delete(RelationGetRelid(rel));
		/* UPDATE: versions; MERGE: also to tell row movement from delete */
		on_update = t.versions || op == CMD_MERGE;
		s = sd_make_sink(rel, sd_group_target(cx, t.root, t.archive), &t,
						 op, cx->estate);
		s->trigger = sd_place_trigger(rri, on_update, cx->estate);
		cx->group->sinks = lappend(cx->group->sinks, s);
	}
}

/*
 * After ExecutorStart: give every result relation of an archive-mode table
 * in this statement its sink.  Costs one test for a plain SELECT.
 */
void
sd_archive_executor_start(QueryDesc *qd, int eflags)
{
	PlannedStmt *pstmt = qd->plannedstmt;
	EState	   *estate = qd->estate;
	SdAttachContext cx;
	MemoryContext oldcxt;
	ListCell   *lc;
	bool		any = false;

	cx.restoring = sd_archive_restoring;
	sd_archive_restoring = false;
	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) || !sd_catalog_any_archive())
		return;
	foreach(lc, sd_result_relations(pstmt))
	{
		RangeTblEntry *rte = rt_fetch(lfirst_int(lc), pstmt->rtable);
		SdTable		t;

		if (sd_catalog_lookup(rte->relid, &t) && t.mode == SD_MODE_ARCHIVE)
		{
			any = true;
			break;
		}
	}
	if (!any)
		return;

	oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);
	cx.estate = estate;
	cx.group = palloc0(sizeof(SdSinkGroup));
	cx.group->estate = estate;
	dlist_push_head(&sd_groups, &cx.group->node);
	cx.group->cb.func = sd_group_forget;
	cx.group->cb.arg = cx.group;
	MemoryContextRegisterResetCallback(estate->es_query_cxt, &cx.group->cb);

	MemoryContextSwitchTo(oldcxt);
	sd_foreach_modifytable(qd, sd_attach_modifytable, &cx);
}

/* Flush, or flush and close, the archive tables of qd's statement. */
static void
sd_statement_targets(QueryDesc *qd, bool close)
{
	dlist_iter	it;

	dlist_foreach(it, &sd_groups)
	{
		SdSinkGroup *g = dlist_container(SdSinkGroup, node, it.cur);
		ListCell   *lc;

		if (g->estate != qd->estate || g->closed)
			continue;
		foreach(lc, g->targets)
		{
			if (close)
				sd_close_target(lfirst(lc));
			else
				sd_flush_target(lfirst(lc));
		}
		g->closed = close;
	}
}

/*
 * Before ExecutorFinish: the statement's rows are all deleted; write what is
 * still batched before AFTER triggers and foreign-key actions run, so that
 * they, and every later command, see the archive complete.
 */
void
sd_archive_executor_finish(QueryDesc *qd)
{
	sd_statement_targets(qd, false);
}

/* Before ExecutorEnd: close the archive tables this statement opened. */
void
sd_archive_executor_end(QueryDesc *qd)
{
	sd_statement_targets(qd, true);
}

static SdSink *
sd_find_sink(Trigger *trigger)
{
	dlist_iter	it;

	if (sd_last_sink != NULL && sd_last_sink->trigger == trigger)
		return sd_last_sink;
	dlist_foreach(it, &sd_groups)
	{
		SdSinkGroup *g = dlist_container(SdSinkGroup, node, it.cur);
		ListCell   *lc;

		if (g->closed)
			continue;
		foreach(lc, g->sinks)
		{
			SdSink	   *s = lfirst(lc);

			if (s->trigger == trigger)
				return sd_last_sink = s;
		}
	}
	return NULL;
}

/*
 * The trigger fired on a result relation that ExecutorStart did not see
 * (none is known in PostgreSQL 15; kept so that such a path archives
 * instead of losing the row).  Archive through a short-lived EState.
 */
static void
sd_archive_unattached(TriggerData *td, bool is_delete, HeapTuple *newtuple)
{
	Relation	rel = td->tg_relation;
	SdTable		t;
	EState	   *estate;
	SdArchiveTarget *a;
	SdSink	   *s;

	if (!sd_catalog_lookup(RelationGetRelid(rel), &t) ||
		t.mode != SD_MODE_ARCHIVE)
		return;
	if (!is_delete && !t.versions)
		return;
	estate = CreateExecutorState();
	estate->es_output_cid = GetCurrentCommandId(true);
	PG_TRY();
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);

		a = sd_open_target(estate, t.root, t.archive);
		s = sd_make_sink(rel, a, &t, is_delete ? CMD_DELETE : CMD_UPDATE,
						 estate);
		MemoryContextSwitchTo(oldcxt);
		sd_archive_write(s, td->tg_trigslot, is_delete);
		if (!is_delete)
		{
			Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
			bool		isnull = false;
			int			col = s->valid_from;

			*newtuple = heap_modify_tuple_by_cols(*newtuple,
												  RelationGetDescr(rel),
												  1, &col, &now, &isnull);
		}
		sd_close_target(a);
		ExecResetTupleTable(estate->es_tupleTable, false);
	}
	PG_FINALLY();
	{
		FreeExecutorState(estate);
	}
	PG_END_TRY();
}

/*
 * softdelete.archive(): the row trigger of archive-mode tables.  DELETE
 * archives the row; UPDATE, with versions, archives the old image and
 * stamps the new one's valid_from.
 */
Datum
softdelete_archive(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	bool		is_delete;
	HeapTuple	ret;
	SdSink	   *s;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!(TRIGGER_FIRED_BY_DELETE(td->tg_event) ||
		  TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.archive() must be called as a BEFORE DELETE or UPDATE row trigger")));
	is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	ret = is_delete ? td->tg_trigtuple : td->tg_newtuple;

	/*
	 * A logical replication worker applies the publisher's changes: the
	 * publisher archived the row, and its archive table replicates too.
	 */
	if (IsLogicalWorker())
		return PointerGetDatum(ret);
	if (is_delete && sd_hard_delete_now())
	{
		sd_access_require_erase_row(td->tg_relation);
		return PointerGetDatum(ret);
	}

	s = sd_find_sink(td->tg_trigger);
	if (s == NULL)
	{
		sd_archive_unattached(td, is_delete, &ret);
		return PointerGetDatum(ret);
	}

	if (!is_delete)
	{
		Datum		now;
		bool		isnull = false;
		int			col;

		/* a MERGE UPDATE that moves the row to another partition deletes it next */
		if (s->operation == CMD_MERGE)
			s->moving = td->tg_trigtuple->t_self;
		if (!s->versions)
			return PointerGetDatum(ret);
		sd_archive_write(s, td->tg_trigslot, false);
		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		col = s->valid_from;
		ret = heap_modify_tuple_by_cols(ret, RelationGetDescr(td->tg_relation),
										1, &col, &now, &isnull);
		return PointerGetDatum(ret);
	}

	/* In an UPDATE, a DELETE event is the row moving to another partition. */
	if (s->operation == CMD_UPDATE || s->operation == CMD_INSERT)
		return PointerGetDatum(ret);
	if (s->operation == CMD_MERGE && ItemPointerIsValid(&s->moving) &&
		ItemPointerEquals(&s->moving, &td->tg_trigtuple->t_self))
	{
		ItemPointerSetInvalid(&s->moving);
		return PointerGetDatum(ret);
	}
	sd_archive_write(s, td->tg_trigslot, true);
	return PointerGetDatum(ret);
}
