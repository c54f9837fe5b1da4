/*-------------------------------------------------------------------------
 *
 * redirect.c
 *		DELETE on an enabled table becomes a soft delete, and nothing else
 *		may remove its rows: the guard trigger and the TRUNCATE check.
 *
 * A DELETE (at any query level, and MERGE's DELETE action) on a flag-mode
 * table is turned, before planning, into the UPDATE that stamps the flag
 * column with now(): the rows stay, the filter hides them.  The privilege
 * checked stays DELETE.  The PlannedStmt keeps saying DELETE, so the command
 * tag and SPI's result are those of a delete.
 *
 * The guard trigger (softdelete.guard) sits on every enabled table.  A DELETE
 * that reaches the table physically (no hook in this session, a cascade from
 * a table that is not enabled) fails there instead of destroying rows;
 * hard_delete and purge let it through.  In a session where this library
 * was not preloaded, calling the trigger loads it, and _PG_init refuses.
 *
 * At ExecutorStart it gives statements on flag-mode tables what they need:
 * no guard where rows only move between partitions or are erased on
 * purpose, no CHECK constraint a plain DELETE would not check, the lock of
 * a delete (fkeys.c), and merge_action() that says DELETE.
 *
 * Calls: access.c (erasure), catalog.c, fkeys.c, stamp.c, state.c,
 * statement.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "access.h"
#include "catalog.h"
#include "compat.h"
#include "fkeys.h"
#include "redirect.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"
#include "statement.h"

PG_FUNCTION_INFO_V1(softdelete_guard);

struct TriggerData;
static void sd_check_row(struct TriggerData *td);
static void sd_merge_row(struct TriggerData *td);

/* Target entries in the order of their columns, as the rewriter leaves them. */
static int
sd_resno_cmp(const ListCell *a, const ListCell *b)
{
	return (int) lfirst_node(TargetEntry, a)->resno -
		(int) lfirst_node(TargetEntry, b)->resno;
}

/* The one-entry target list "flag = stamp". */
static List *
sd_stamp_tlist(Query *query, const SdTable *t, bool filtered)
{
	Index		rti = query->resultRelation;
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);

	List	   *tlist;

	/* The privilege checked stays ACL_DELETE; no UPDATE right is needed. */
	SD_UPDATED_COLS(query, rte) =
		bms_add_member(SD_UPDATED_COLS(query, rte),
					   t->flag_attno - FirstLowInvalidHeapAttributeNumber);
	tlist = list_make1(makeTargetEntry(sd_counted_stamp(sd_stamp_expr(rti, t, filtered),
														t->root),
									   t->flag_attno,
									   pstrdup(NameStr(t->column_name)),
									   false));
	/* (1.6) who deleted: softdelete.actor(), as the column's type */
	if (t->by_attno != InvalidAttrNumber)
	{
		SD_UPDATED_COLS(query, rte) =
			bms_add_member(SD_UPDATED_COLS(query, rte),
						   t->by_attno - FirstLowInvalidHeapAttributeNumber);
		tlist = lappend(tlist, makeTargetEntry((Expr *) sd_actor_expr(t->by_type, t->by_typmod),
											   t->by_attno,
											   pstrdup(NameStr(t->by_column)),
											   false));
		list_sort(tlist, sd_resno_cmp);
	}
	return tlist;
}

/*
 * (1.6) An UPDATE that writes the flag of a table that records who deleted
 * (restore and its cascades, an ORM's own soft delete) writes that column
 * too, unless it does itself: the actor where the new flag says deleted,
 * NULL where it says live.
 */
static void sd_stamp_actor_of_tlist(Query *query, List **tlist, const SdTable *t);

void
sd_stamp_actor_of_update(Query *query, const SdTable *t)
{
	ListCell   *lc;

	if (t->by_attno == InvalidAttrNumber)
		return;
	if (query->commandType == CMD_UPDATE)
		sd_stamp_actor_of_tlist(query, &query->targetList, t);
	/* (1.7) and so do ON CONFLICT DO UPDATE and MERGE's UPDATE */
	else if (query->commandType == CMD_INSERT && query->onConflict != NULL &&
			 query->onConflict->action == ONCONFLICT_UPDATE)
		sd_stamp_actor_of_tlist(query, &query->onConflict->onConflictSet, t);
	else if (query->commandType == CMD_MERGE)
	{
		foreach(lc, query->mergeActionList)
		{
			MergeAction *action = lfirst_node(MergeAction, lc);

			if (action->commandType == CMD_UPDATE)
				sd_stamp_actor_of_tlist(query, &action->targetList, t);
		}
	}
}

/* The actor where target list *tlist makes the flag say deleted. */
static void
sd_stamp_actor_of_tlist(Query *query, List **tlist, const SdTable *t)
{
	RangeTblEntry *rte = rt_fetch(query->resultRelation, query->rtable);
	TargetEntry *flag = NULL;
	ListCell   *lc;
	Node	   *deleted;
	CaseExpr   *c;
	CaseWhen   *w;

	foreach(lc, *tlist)
	{
		TargetEntry *te = lfirst_node(TargetEntry, lc);

		if (te->resjunk)
			continue;
		if (te->resno == t->by_attno)
			return;
		if (te->resno == t->flag_attno)
			flag = te;
	}
	if (flag == NULL)
		return;
	if (SD_FLAG_IS_BOOL(t))
	{
		BooleanTest *bt = makeNode(BooleanTest);

		bt->arg = (Expr *) copyObject(flag->expr);
		bt->booltesttype = IS_TRUE;
		bt->location = -1;
		deleted = (Node *) bt;
	}
	else
	{
		NullTest   *nt = makeNode(NullTest);

		nt->arg = (Expr *) copyObject(flag->expr);
		nt->nulltesttype = IS_NOT_NULL;
		nt->argisrow = false;
		nt->location = -1;
		deleted = (Node *) nt;
	}
	w = makeNode(CaseWhen);
	w->expr = (Expr *) deleted;
	w->result = (Expr *) sd_actor_expr(t->by_type, t->by_typmod);
	w->location = -1;
	c = makeNode(CaseExpr);
	c->casetype = t->by_type;
	c->casecollid = get_typcollation(t->by_type);
	c->args = list_make1(w);
	c->defresult = (Expr *) makeNullConst(t->by_type, t->by_typmod, c->casecollid);
	c->location = -1;
	*tlist = lappend(*tlist,
					 makeTargetEntry((Expr *) c, t->by_attno,
									 pstrdup(NameStr(t->by_column)),
									 false));
	list_sort(*tlist, sd_resno_cmp);
	SD_UPDATED_COLS(query, rte) =
		bms_add_member(SD_UPDATED_COLS(query, rte),
					   t->by_attno - FirstLowInvalidHeapAttributeNumber);
}

/*
 * RETURNING of a delete that became an update: a real delete has no new
 * row, so what reads the new row (RETURNING new.x, 18 on) is NULL.  In a
 * MERGE only the rows of its DELETE actions, which merge_action() reports
 * as 'DELETE' (sd_merge_row).  Unqualified columns show the row as it now
 * is, with the flag set, as on every major.
 */
typedef struct SdReturningContext
{
	Index		rti;
	int			levelsup;
	bool		merge;
} SdReturningContext;

static Node *
sd_returning_mutator(Node *node, SdReturningContext *cx)
{
	Node	   *null;

	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
	{
		Query	   *q;

		cx->levelsup++;
		q = query_tree_mutator((Query *) node, sd_returning_mutator, cx, 0);
		cx->levelsup--;
		return (Node *) q;
	}
	if (!(IsA(node, Var) && ((Var *) node)->varno == (int) cx->rti &&
		  (int) ((Var *) node)->varlevelsup == cx->levelsup &&
		  sd_var_reads_new_row((Var *) node)) &&
		!sd_is_returning_new_expr(node, cx->levelsup))
		return expression_tree_mutator(node, sd_returning_mutator, cx);

	null = (Node *) makeNullConst(exprType(node), exprTypmod(node),
								  exprCollation(node));
	if (cx->merge)
	{
		CaseExpr   *c = makeNode(CaseExpr);
		CaseWhen   *w = makeNode(CaseWhen);

		w->expr = make_opclause(TextEqualOperator, BOOLOID, false,
								(Expr *) sd_merge_action_expr(),
								(Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID,
												   -1, CStringGetTextDatum("DELETE"),
												   false, false),
								InvalidOid, DEFAULT_COLLATION_OID);
		w->result = (Expr *) null;
		w->location = -1;
		c->casetype = exprType(node);
		c->casecollid = exprCollation(node);
		c->args = list_make1(w);
		c->defresult = (Expr *) copyObject(node);
		c->location = -1;
		null = (Node *) c;
	}
	return null;
}

static List *
sd_returning_of_delete(Query *query, bool merge)
{
	SdReturningContext cx = {query->resultRelation, 0, merge};

	return (List *) sd_returning_mutator((Node *) query->returningList, &cx);
}

/*
 * Turn DELETE query on enabled table t into the UPDATE that marks the rows.
 * filtered says whether the target carries the visibility filter.
 */
void
sd_redirect_delete(Query *query, const SdTable *t, bool filtered)
{
	Assert(query->commandType == CMD_DELETE);
	query->commandType = CMD_UPDATE;

	/*
	 * Where the target is not filtered (include_deleted), a row deleted
	 * before is no row to delete: it keeps its stamp and is not counted,
	 * so the command tag says how many rows the statement deleted.
	 */
	if (!filtered)
		query->jointree->quals = make_and_qual(query->jointree->quals,
											   sd_flag_qual(query->resultRelation, t, false));
	query->targetList = sd_stamp_tlist(query, t, true);
	query->returningList = sd_returning_of_delete(query, false);
	/* lock the rows as a delete does, where foreign keys look (fkeys.c) */
	sd_fk_mark_key_updated(query, rt_fetch(query->resultRelation, query->rtable));
}

/*
 * Turn MERGE's DELETE actions into marking UPDATEs.  Their one assignment is
 * named SD_MERGE_DELETE, which tells the executor (sd_merge_row) that
 * such an UPDATE is a DELETE for merge_action().
 */
void
sd_redirect_merge(Query *query, const SdTable *t, bool filtered)
{
	ListCell   *lc;
	bool		any = false;

	foreach(lc, query->mergeActionList)
	{
		MergeAction *action = lfirst_node(MergeAction, lc);

		if (action->commandType != CMD_DELETE)
			continue;
		action->commandType = CMD_UPDATE;
		action->targetList = sd_stamp_tlist(query, t, filtered);
		linitial_node(TargetEntry, action->targetList)->resname = SD_MERGE_DELETE;
		any = true;
	}
	if (any && query->returningList != NIL)
		query->returningList = sd_returning_of_delete(query, true);
}

/*
 * Does table relid hold no row at all?  Read under the lock TRUNCATE takes,
 * with a snapshot taken now, so no other transaction's rows can be on their
 * way.  Only a plain table can say so; a foreign table (whose TRUNCATE
 * reaches another server) never does.
 */
static bool
sd_table_is_empty(Oid relid)
{
	Relation	rel;
	bool		empty = false;

	rel = table_open(relid, AccessExclusiveLock);
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		ListCell   *lc;

		/* its partitions are the rows' tables */
		empty = true;
		foreach(lc, find_all_inheritors(relid, AccessExclusiveLock, NULL))
			if (lfirst_oid(lc) != relid && empty)
				empty = sd_table_is_empty(lfirst_oid(lc));
	}
	else if (rel->rd_rel->relkind == RELKIND_RELATION)
	{
		Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
		TableScanDesc scan = SD_TABLE_BEGINSCAN(rel, snap);
		TupleTableSlot *slot = table_slot_create(rel, NULL);

		empty = !table_scan_getnextslot(scan, ForwardScanDirection, slot);
		ExecDropSingleTupleTableSlot(slot);
		table_endscan(scan);
		UnregisterSnapshot(snap);
	}
	table_close(rel, NoLock);
	return empty;
}

/*
 * TRUNCATE of an enabled table (or a partition or child of one) is refused,
 * unless the table holds no row: then it destroys nothing (pg_restore -j
 * truncates each table it has just created before loading it).  A table the
 * user may not truncate is left to core's refusal, unlocked.
 */
void
sd_check_truncate(List *relids, bool hard)
{
	ListCell   *lc;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		SdTable		t;

		if (!sd_catalog_lookup(relid, &t) ||
			pg_class_aclcheck(relid, GetUserId(), ACL_TRUNCATE) != ACLCHECK_OK ||
			sd_table_is_empty(relid))
			continue;
		/* under hard_delete, an erasure: the role's grant (access.c) */
		if (hard)
			sd_access_require(t.root, relid, SD_ACCESS_ERASE, GetUserId());
		else
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot truncate table \"%s\": soft delete is enabled on it",
							get_rel_name(relid)),
					 t.mode == SD_MODE_FLAG ?
					 errdetail("TRUNCATE would destroy every row, deleted or not.") :
					 errdetail("TRUNCATE would destroy the rows without archiving them."),
					 t.mode == SD_MODE_FLAG ?
					 errhint("Use DELETE to soft-delete the rows, or set softdelete.hard_delete = on to truncate.") :
					 errhint("Use DELETE to archive the rows, or set softdelete.hard_delete = on to truncate.")));
	}
}

/*
 * softdelete.guard(): BEFORE DELETE (row) and BEFORE TRUNCATE (statement)
 * trigger on every enabled table.  Also the function of the BEFORE UPDATE
 * row trigger that fkeys.c gives a soft delete so that core locks its rows:
 * there it lets every row through.
 */
Datum
softdelete_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.guard() can only be called as a trigger")));
	rel = trigdata->tg_relation;

	/* softdelete_lock and softdelete_check, made up for one statement */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		if (strcmp(trigdata->tg_trigger->tgname, "softdelete_check") == 0)
			sd_check_row(trigdata);
		else if (strcmp(trigdata->tg_trigger->tgname, "softdelete_merge") == 0)
			sd_merge_row(trigdata);
		return PointerGetDatum(trigdata->tg_newtuple);
	}

	if (sd_hard_delete_now())
	{
		if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
			sd_access_require_erase_row(rel);
		return PointerGetDatum(trigdata->tg_trigtuple);
	}
	/* A table that is no longer enabled deletes as any other. */
	if (!sd_catalog_lookup(RelationGetRelid(rel), NULL))
	{
		/*
		 * A shard of a Citus table enabled on the coordinator, reached on
		 * its node directly or by a coordinator that lost the hook: the
		 * coordinator's soft deletes arrive as UPDATEs, its purge with
		 * hard_delete propagated, so a DELETE here is a mistake.
		 */
		char	   *table = sd_citus_shard_of(RelationGetRelid(rel));

		if (table != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot delete rows of shard \"%s\" physically: soft delete is enabled on its table \"%s\"",
							RelationGetRelationName(rel), table),
					 errdetail("Rows of a table with soft delete are deleted through the Citus coordinator, where softdelete is loaded."),
					 errhint("Delete through the coordinator; softdelete.purge() there erases deleted rows.")));
		return PointerGetDatum(trigdata->tg_trigtuple);
	}

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		sd_check_truncate(list_make1_oid(RelationGetRelid(rel)), false);

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) &&
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		if (sd_erasing_depth > 0)
			return PointerGetDatum(trigdata->tg_trigtuple);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot delete rows of table \"%s\" physically: soft delete is enabled on it",
						RelationGetRelationName(rel)),
				 errdetail("This DELETE reached the table without being turned into a soft delete (for instance a foreign-key cascade from a table that is not enabled)."),
				 errhint("Set softdelete.hard_delete = on to delete rows physically, or use softdelete.purge().")));
	}
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/* ---------------------------------------------------------------------
 * The executor's share: what a started plan needs on flag-mode tables
 * ---------------------------------------------------------------------
 */

/*
 * The CHECK constraints of a row whose soft delete (or restore) assigns
 * only the flag column.  A plain DELETE checks none of them; the UPDATE
 * that marks the row would check them all, so a row that violates a NOT
 * VALID constraint could not be deleted.  Constraints that read the flag
 * column (or the whole row) still apply; the others are not evaluated,
 * unless a BEFORE UPDATE trigger changed another column of the row: then
 * all of them are.  Core evaluates the array of prepared constraints of the
 * result relation, built on first use; it is built here instead.
 */
typedef struct SdCheckSkip
{
	dlist_node	node;
	Trigger    *trigger;		/* softdelete_check, when user triggers exist */
	ResultRelInfo *rri;
	EState	   *estate;
	AttrNumber	flag_attno;
	ExprState **some;			/* only those that read the flag column */
	ExprState **all;			/* every one, built when first needed */
	MemoryContextCallback cb;
} SdCheckSkip;

static dlist_head sd_check_skips = DLIST_STATIC_INIT(sd_check_skips);

static void
sd_check_skip_forget(void *arg)
{
	dlist_delete(&((SdCheckSkip *) arg)->node);
}

/*
 * Does result relation i of plan assign the flag column (and the actor's
 * column) and nothing else?
 */
static bool
sd_assigns_only_flag(ModifyTable *plan, int i, const SdTable *t)
{
	List	   *only = list_make1_int(t->flag_attno);
	ListCell   *lc;

	/* in the order of the columns, as core assigns them */
	if (t->by_attno != InvalidAttrNumber)
		only = t->by_attno < t->flag_attno ? list_make2_int(t->by_attno, t->flag_attno) :
			list_make2_int(t->flag_attno, t->by_attno);

	if (plan->operation == CMD_UPDATE)
		return equal(list_nth(plan->updateColnosLists, i), only);
	foreach(lc, (List *) list_nth(plan->mergeActionLists, i))
	{
		MergeAction *action = lfirst_node(MergeAction, lc);

		/* an INSERT action is checked through the same result relation */
		if (action->commandType == CMD_INSERT ||
			(action->commandType == CMD_UPDATE &&
			 !equal(action->updateColnos, only)))
			return false;
	}
	return true;
}

static bool
sd_has_user_before_update(ResultRelInfo *rri)
{
	TriggerDesc *td = rri->ri_TrigDesc;
	int			i;

	for (i = 0; td != NULL && i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_BEFORE(t->tgtype) &&
			TRIGGER_FOR_UPDATE(t->tgtype) && t->tgenabled != TRIGGER_DISABLED &&
			strncmp(t->tgname, "softdelete_", 11) != 0)
			return true;
	}
	return false;
}

static void
sd_skip_unrelated_checks(ResultRelInfo *rri, EState *estate, AttrNumber flag)
{
	TupleConstr *constr = RelationGetDescr(rri->ri_RelationDesc)->constr;
	SdCheckSkip *skip;
	MemoryContext oldcxt;

	if (constr == NULL || constr->num_check == 0 ||
		SD_RRI_CHECK_EXPRS(rri) != NULL)
		return;
	oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);
	skip = palloc0(sizeof(SdCheckSkip));
	skip->rri = rri;
	skip->estate = estate;
	skip->flag_attno = flag;
	skip->some = sd_prepare_checks(rri, estate, SD_CHECKS_FLAG, flag);
	SD_RRI_CHECK_EXPRS(rri) = skip->some;
	if (sd_has_user_before_update(rri))
	{
		/* last in line: it sees the row as the user's triggers left it */
		skip->trigger = sd_trigger_append(rri, estate, "softdelete_check",
										  TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE |
										  TRIGGER_TYPE_UPDATE);
		skip->trigger->tgfoid = sd_guard_function_oid();
		dlist_push_head(&sd_check_skips, &skip->node);
		skip->cb.func = sd_check_skip_forget;
		skip->cb.arg = skip;
		MemoryContextRegisterResetCallback(estate->es_query_cxt, &skip->cb);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * softdelete_check fired for one row: if a trigger changed a column other
 * than the flag, every CHECK constraint applies to this row.
 */
static void
sd_check_row(TriggerData *td)
{
	dlist_iter	it;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);

	dlist_foreach(it, &sd_check_skips)
	{
		SdCheckSkip *skip = dlist_container(SdCheckSkip, node, it.cur);
		bool		changed = false;
		int			i;

		if (skip->trigger != td->tg_trigger)
			continue;
		for (i = 0; i < desc->natts && !changed; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			bool		n1,
						n2;
			Datum		d1,
						d2;

			if (att->attisdropped || att->attnum == skip->flag_attno)
				continue;
			d1 = heap_getattr(td->tg_trigtuple, att->attnum, desc, &n1);
			d2 = heap_getattr(td->tg_newtuple, att->attnum, desc, &n2);
			changed = n1 != n2 ||
				(!n1 && !datumIsEqual(d1, d2, att->attbyval, att->attlen));
		}
		if (changed && skip->all == NULL)
			skip->all = sd_prepare_checks(skip->rri, skip->estate,
										  SD_CHECKS_ALL, skip->flag_attno);
		SD_RRI_CHECK_EXPRS(skip->rri) = changed ? skip->all : skip->some;
		return;
	}
}

/*
 * A MERGE's DELETE action became an UPDATE (sd_redirect_merge), so the
 * executor says 'UPDATE' for its rows where RETURNING asks merge_action().
 * The executor sets the action it carries out before it fires BEFORE
 * UPDATE row triggers and reads it back for RETURNING; the made-up trigger
 * softdelete_merge, last in line, puts in its place a copy that says
 * DELETE.  (The executor chooses what to do from its own copy of the
 * action, before the trigger fires.)
 */
typedef struct SdMergeSwap
{
	dlist_node	node;
	Trigger    *trigger;		/* softdelete_merge */
	ModifyTableState *mt;
	List	   *actions;		/* MergeActionStates of DELETE actions */
	List	   *as_delete;		/* the same, saying DELETE */
	MemoryContextCallback cb;
} SdMergeSwap;

static dlist_head sd_merge_swaps = DLIST_STATIC_INIT(sd_merge_swaps);

static void
sd_merge_swap_forget(void *arg)
{
	dlist_delete(&((SdMergeSwap *) arg)->node);
}

static void
sd_merge_swap_setup(ModifyTableState *mt, ResultRelInfo *rri, EState *estate)
{
	SdMergeSwap *swap = NULL;
	ListCell   *lc;
	MemoryContext oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);

	foreach(lc, sd_merge_action_states(rri))
	{
		MergeActionState *as = lfirst(lc);
		MergeAction *action = as->mas_action;
		MergeActionState *copy;

		if (action->commandType != CMD_UPDATE ||
			list_length(action->targetList) != 1 ||
			linitial_node(TargetEntry, action->targetList)->resname == NULL ||
			strcmp(linitial_node(TargetEntry, action->targetList)->resname,
				   SD_MERGE_DELETE) != 0)
			continue;
		if (swap == NULL)
			swap = palloc0(sizeof(SdMergeSwap));
		copy = palloc(sizeof(MergeActionState));
		*copy = *as;
		copy->mas_action = copyObject(action);
		copy->mas_action->commandType = CMD_DELETE;
		swap->actions = lappend(swap->actions, as);
		swap->as_delete = lappend(swap->as_delete, copy);
	}
	if (swap != NULL)
	{
		swap->mt = mt;
		swap->trigger = sd_trigger_append(rri, estate, "softdelete_merge",
										  TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE |
										  TRIGGER_TYPE_UPDATE);
		swap->trigger->tgfoid = sd_guard_function_oid();
		dlist_push_head(&sd_merge_swaps, &swap->node);
		swap->cb.func = sd_merge_swap_forget;
		swap->cb.arg = swap;
		MemoryContextRegisterResetCallback(estate->es_query_cxt, &swap->cb);
	}
	MemoryContextSwitchTo(oldcxt);
}

/* softdelete_merge fired for one row: a DELETE action's says DELETE. */
static void
sd_merge_row(TriggerData *td)
{
	dlist_iter	it;

	dlist_foreach(it, &sd_merge_swaps)
	{
		SdMergeSwap *swap = dlist_container(SdMergeSwap, node, it.cur);
		ListCell   *a;
		ListCell   *d;

		if (swap->trigger != td->tg_trigger)
			continue;
		forboth(a, swap->actions, d, swap->as_delete)
			if (sd_merge_current_action(swap->mt) == lfirst(a))
			sd_merge_set_current_action(swap->mt, lfirst(d));
		return;
	}
}

/*
 * What one ModifyTable node of a started plan needs on flag-mode tables:
 * - a physical delete softdelete allows (hard_delete, purge) runs without
 *   the guard: it would let every row through, and without it core does
 *   not lock each row for a BEFORE trigger, so the delete costs what a
 *   plain one costs;
 * - an UPDATE or MERGE that moves a row to another partition deletes it
 *   from the old one, and core fires the guard there: no row leaves the
 *   table, so the guard goes;
 * - a soft delete or restore (assigning only the flag) is not refused by
 *   CHECK constraints a plain DELETE would not check;
 * - a soft delete of a referenced table takes the lock of a delete (fkeys.c).
 */
static void
sd_flag_modifytable(ModifyTableState *mt, void *arg)
{
	EState	   *estate = arg;
	ModifyTable *plan = (ModifyTable *) mt->ps.plan;
	int			i;

	if (mt->operation == CMD_DELETE && (sd_hard_delete_now() || sd_erasing_depth > 0))
	{
		for (i = 0; i < mt->mt_nrels; i++)
		{
			/* a cascade's DELETE, which the planner let through (access.c) */
			if (sd_erasing_depth == 0)
				sd_access_require_erase_row(mt->resultRelInfo[i].ri_RelationDesc);
			sd_trigger_remove(&mt->resultRelInfo[i], estate, "softdelete_guard");
		}
		return;
	}
	if (mt->operation != CMD_UPDATE && mt->operation != CMD_MERGE)
		return;
	for (i = 0; i < mt->mt_nrels; i++)
	{
		ResultRelInfo *rri = &mt->resultRelInfo[i];
		Relation	rel = rri->ri_RelationDesc;
		SdTable		t;
		bool		flag_written;

		if (!sd_catalog_lookup(RelationGetRelid(rel), &t) ||
			t.mode != SD_MODE_FLAG || t.flag_attno == InvalidAttrNumber)
			continue;
		if (rel->rd_rel->relispartition)
			sd_trigger_remove(rri, estate, "softdelete_guard");
		if (mt->operation == CMD_MERGE && plan->returningLists != NIL)
			sd_merge_swap_setup(mt, rri, estate);
		/*
		 * A new row can be deleted only where the statement writes the flag
		 * or sees deleted rows: only there may core's re-check of a key need
		 * its WHEN (fkeys.c); a plain UPDATE of live rows goes without.
		 */
		flag_written = bms_is_member(t.flag_attno - FirstLowInvalidHeapAttributeNumber,
									 ExecGetUpdatedCols(rri, estate));
		if (flag_written || sd_include_now() != SD_INCLUDE_OFF)
			sd_fk_relax_key_checks(rri, estate, &t);
		if (!flag_written)
			continue;
		if (sd_assigns_only_flag(plan, i, &t))
			sd_skip_unrelated_checks(rri, estate, t.flag_attno);
		if (mt->operation == CMD_UPDATE)
			sd_fk_lock_result_rel(rri, estate, &t);
	}
}

/*
 * After ExecutorStart.  A plain SELECT costs one test; a statement that
 * writes no flag-mode table a look-up per result relation.
 */
void
sd_redirect_executor_start(QueryDesc *qd, int eflags)
{
	ListCell   *lc;

	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) || !sd_catalog_any_flag())
		return;
	if (SD_CORE_RI_CHECK_SKIPS_PLANNER &&
		qd->plannedstmt->commandType != CMD_DELETE &&
		qd->plannedstmt->commandType != CMD_SELECT)
		foreach(lc, sd_result_relations(qd->plannedstmt))
			sd_fk_require_ref_trigger(rt_fetch(lfirst_int(lc), qd->plannedstmt->rtable)->relid);
	foreach(lc, sd_result_relations(qd->plannedstmt))
	{
		RangeTblEntry *rte = rt_fetch(lfirst_int(lc), qd->plannedstmt->rtable);
		SdTable		t;

		if (sd_catalog_lookup(rte->relid, &t) && t.mode == SD_MODE_FLAG)
		{
			sd_foreach_modifytable(qd, sd_flag_modifytable, qd->estate);
			return;
		}
	}
}
