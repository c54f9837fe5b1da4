/*-------------------------------------------------------------------------
 *
 * redirect_exec.c
 *		The executor's share of a soft delete: what a started plan needs on
 *		flag-mode tables.
 *
 * At ExecutorStart it gives statements on flag-mode tables what they need:
 * no guard where rows only move between partitions or are erased on
 * purpose, no CHECK constraint a plain DELETE would not check, the lock of
 * a delete (fkeys.c), and merge_action() that says DELETE.  The guard
 * (redirect.c) calls its row checks.
 *
 * Calls: fkeys.c, access.c, catalog.c, statement.c, state.c.
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
#include "redirect_exec.h"
#include "state.h"
#include "statement.h"

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
void
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
void
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
