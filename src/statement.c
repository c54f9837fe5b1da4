/*-------------------------------------------------------------------------
 *
 * statement.c
 *		What softdelete changes in a statement the executor has started: the
 *		result relations' private trigger lists (a trigger moved last, forced
 *		on, or made up for the statement, or taken out), their prepared CHECK
 *		constraints, and the walk over the plan's ModifyTable nodes.
 *
 * Ground floor: calls nothing of softdelete's.
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
#include "catalog/pg_operator.h"
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
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "replication/logicalworker.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "compat.h"
#include "statement.h"

/*
 * Give rri's trigger list the trigger name as its last entry (moved there if
 * the table has it, made up otherwise), always on, of type tgtype.  The list
 * is the result relation's private copy (InitResultRelInfo copies the
 * relcache's), and so are the per-trigger arrays beside it.  The caller sets
 * tgfoid of a made-up trigger.
 */
Trigger *
sd_trigger_append(ResultRelInfo *rri, EState *estate, const char *name,
				  int16 tgtype)
{
	TriggerDesc *old = rri->ri_TrigDesc;
	TriggerDesc *td = palloc0(sizeof(TriggerDesc));
	int			n = old ? old->numtriggers : 0;
	int			ours = -1;
	int			i,
				k = 0;
	int			newn;
	Trigger    *last;

	for (i = 0; i < n; i++)
		if (strcmp(old->triggers[i].tgname, name) == 0)
			ours = i;
	newn = ours >= 0 ? n : n + 1;

	if (old)
		*td = *old;
	td->numtriggers = newn;
	td->triggers = palloc0(sizeof(Trigger) * newn);
	rri->ri_TrigFunctions = palloc0(sizeof(FmgrInfo) * newn);
	rri->ri_TrigWhenExprs = palloc0(sizeof(ExprState *) * newn);
	if (estate->es_instrument)
		rri->ri_TrigInstrument = SD_TRIGGER_INSTRUMENTATION(newn, estate->es_instrument);
	for (i = 0; i < n; i++)
		if (i != ours)
			td->triggers[k++] = old->triggers[i];

	last = &td->triggers[newn - 1];
	if (ours >= 0)
		*last = old->triggers[ours];
	else
		last->tgname = pstrdup(name);
	last->tgtype = tgtype;
	last->tgenabled = TRIGGER_FIRES_ALWAYS;
	last->tgqual = NULL;
	last->tgnattr = 0;
	last->tgattr = NULL;
	if (TRIGGER_FOR_ROW(tgtype) && TRIGGER_FOR_BEFORE(tgtype))
	{
		if (TRIGGER_FOR_DELETE(tgtype))
			td->trig_delete_before_row = true;
		if (TRIGGER_FOR_UPDATE(tgtype))
			td->trig_update_before_row = true;
	}
	rri->ri_TrigDesc = td;
	return last;
}

/*
 * Take the trigger name out of rri's (private) trigger list, for this
 * statement only.  Only a BEFORE DELETE row trigger is taken out.
 */
void
sd_trigger_remove(ResultRelInfo *rri, EState *estate, const char *name)
{
	TriggerDesc *old = rri->ri_TrigDesc;
	TriggerDesc *td;
	int			i,
				k = 0;
	bool		found = false;

	for (i = 0; old != NULL && i < old->numtriggers; i++)
		if (strcmp(old->triggers[i].tgname, name) == 0)
			found = true;
	if (!found)
		return;
	td = palloc(sizeof(TriggerDesc));
	*td = *old;
	td->triggers = palloc0(sizeof(Trigger) * old->numtriggers);
	td->trig_delete_before_row = false;
	for (i = 0; i < old->numtriggers; i++)
	{
		Trigger    *t = &old->triggers[i];

		if (strcmp(t->tgname, name) == 0)
		{
			Assert(TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_BEFORE(t->tgtype) &&
				   t->tgtype == (TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_DELETE));
			continue;
		}
		if (TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_BEFORE(t->tgtype) &&
			TRIGGER_FOR_DELETE(t->tgtype))
			td->trig_delete_before_row = true;
		td->triggers[k++] = *t;
	}
	td->numtriggers = k;
	/* the per-trigger arrays follow the list */
	rri->ri_TrigFunctions = palloc0(sizeof(FmgrInfo) * Max(k, 1));
	rri->ri_TrigWhenExprs = palloc0(sizeof(ExprState *) * Max(k, 1));
	if (estate->es_instrument)
		rri->ri_TrigInstrument = SD_TRIGGER_INSTRUMENTATION(Max(k, 1), estate->es_instrument);
	rri->ri_TrigDesc = td;
}

/* ---------------------------------------------------------------------
 * Prepared CHECK constraints, and the plan's ModifyTable nodes
 * ---------------------------------------------------------------------
 */

/* softdelete.guard's OID: the function of the triggers made up below */
Oid
sd_guard_function_oid(void)
{
	List	   *name = list_make2(makeString("softdelete"), makeString("guard"));

	return LookupFuncName(name, 0, NULL, false);
}

/*
 * The prepared CHECK constraints of rri, in the array core evaluates: all,
 * those reading column flag (or the whole row), or the validated ones.
 */
ExprState **
sd_prepare_checks(ResultRelInfo *rri, EState *estate, SdChecks which,
				  AttrNumber flag)
{
	Relation	rel = rri->ri_RelationDesc;
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	MemoryContext oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);
	ExprState **exprs = palloc0(sizeof(ExprState *) * constr->num_check);
	int			i;

	for (i = 0; i < constr->num_check; i++)
	{
		Node	   *expr;
		Bitmapset  *attrs = NULL;

		if (!SD_CHECK_ENFORCED(&constr->check[i]))
			continue;
		expr = SD_CHECK_EXPR(rel, stringToNode(constr->check[i].ccbin));
		pull_varattnos(expr, 1, &attrs);
		if (which == SD_CHECKS_ALL ||
			(which == SD_CHECKS_VALID && constr->check[i].ccvalid) ||
			(which == SD_CHECKS_FLAG &&
			 (bms_is_member(flag - FirstLowInvalidHeapAttributeNumber, attrs) ||
			  bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, attrs))))
			exprs[i] = ExecPrepareExpr((Expr *) expr, estate);
	}
	MemoryContextSwitchTo(oldcxt);
	return exprs;
}

typedef struct SdModifyTableWalk
{
	SdModifyTableFn fn;
	void	   *arg;
} SdModifyTableWalk;

static bool
sd_modifytable_walker(PlanState *ps, SdModifyTableWalk *w)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, ModifyTableState))
		w->fn((ModifyTableState *) ps, w->arg);
	return planstate_tree_walker(ps, sd_modifytable_walker, w);
}

/*
 * Call fn on every ModifyTable node of qd's started plan, CTE subplans
 * included, in the statement's memory context.
 */
void
sd_foreach_modifytable(QueryDesc *qd, SdModifyTableFn fn, void *arg)
{
	SdModifyTableWalk w = {fn, arg};
	MemoryContext oldcxt = MemoryContextSwitchTo(qd->estate->es_query_cxt);
	ListCell   *lc;

	sd_modifytable_walker(qd->planstate, &w);
	foreach(lc, qd->estate->es_subplanstates)
		sd_modifytable_walker((PlanState *) lfirst(lc), &w);
	MemoryContextSwitchTo(oldcxt);
}
