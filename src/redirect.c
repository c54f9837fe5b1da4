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
 * What a started plan needs on flag-mode tables is the executor's share
 * (redirect_exec.c), whose row checks the guard calls.
 *
 * Calls: redirect_exec.c, fkeys.c (the key columns a delete locks),
 * access.c (erasure), stamp.c, catalog.c, sql.c, state.c.
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
#include "redirect_exec.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"

PG_FUNCTION_INFO_V1(softdelete_guard);


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
