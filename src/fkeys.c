/*-------------------------------------------------------------------------
 *
 * fkeys.c
 *		Foreign keys and the statements that soft-delete: the lock a soft
 *		delete takes on a referenced row, core's checks of new references
 *		under a soft delete, and the softdelete_ref trigger 19 needs.  The
 *		cascades and restrictions themselves are the row trigger's
 *		(fk_trigger.c).
 *
 * Races.  A real DELETE locks the row FOR UPDATE, which conflicts with the
 * FOR KEY SHARE lock of a foreign-key check, so a child cannot be inserted
 * under a parent being deleted.  The UPDATE of a soft delete would only take
 * FOR NO KEY UPDATE.  So the planner marks the key columns as updated in a
 * redirected DELETE on a referenced table, and the executor gives that
 * statement a BEFORE UPDATE row trigger: core then locks each row in
 * ExecUpdateLockMode's mode, FOR UPDATE, before changing it.  Core's key
 * check itself is filtered (visibility.c), so a deleted parent is "not
 * present".  Under REPEATABLE READ the cascade and the restriction look at
 * the newest rows, with the transaction snapshot as crosscheck, as core's
 * ri_PerformCheck does.
 *
 *
 * Calls: keys.c, stamp.c, catalog.c, statement.c, sql.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "rewrite/prs2lock.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "catalog.h"
#include "compat.h"
#include "fkeys.h"
#include "keys.h"
#include "sql.h"
#include "stamp.h"
#include "statement.h"
#include "triggers.h"

/* ---------------------------------------------------------------------
 * The lock of a soft delete (planner and executor)
 * ---------------------------------------------------------------------
 */

/*
 * In a DELETE turned into an UPDATE: count the key columns as updated, so
 * that the executor locks each row FOR UPDATE, as a delete does.  Only for
 * a table that foreign keys reference.  The privilege checked is DELETE,
 * so this asks for no UPDATE right.
 */
void
sd_fk_mark_key_updated(Query *query, RangeTblEntry *rte)
{
	Relation	rel;
	Bitmapset  *keys;
	bool		has_trigger = false;
	int			i;

	if (!sd_fk_referenced(rte->relid))
		return;
	rel = table_open(rte->relid, NoLock);
	keys = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_KEY);
	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (strcmp(rel->trigdesc->triggers[i].tgname, "softdelete_fk") == 0)
			has_trigger = true;
	/* never a soft delete that skips the foreign keys */
	if (!has_trigger)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is referenced by foreign keys but has no trigger softdelete_fk",
						RelationGetRelationName(rel)),
				 errhint("Call softdelete.enable(%s) again: it adds the trigger.",
						 sd_table_literal(RelationGetRelid(rel)))));
	table_close(rel, NoLock);
	SD_UPDATED_COLS(query, rte) = bms_add_members(SD_UPDATED_COLS(query, rte), keys);
}

/*
 * For one result relation of a soft delete (an UPDATE that assigns the flag
 * column): if it counts the key as updated (a referenced table), give it a
 * BEFORE UPDATE row trigger, so that core locks each row in
 * ExecUpdateLockMode's mode, FOR UPDATE, as a delete does.
 */
void
sd_fk_lock_result_rel(struct ResultRelInfo *rri, struct EState *estate,
					  const SdTable *t)
{
	Relation	rel = rri->ri_RelationDesc;
	Bitmapset  *upd = ExecGetUpdatedCols(rri, estate);
	Trigger    *trig;

	if (!bms_is_member(t->flag_attno - FirstLowInvalidHeapAttributeNumber, upd) ||
		!bms_overlap(upd, RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_KEY)))
		return;
	/* any BEFORE UPDATE row trigger makes core lock the row first */
	trig = sd_trigger_append(rri, estate, "softdelete_lock",
							 TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE |
							 TRIGGER_TYPE_UPDATE);
	trig->tgfoid = sd_guard_function_oid();
}

/*
 * The WHEN condition under which core's check of a new reference (the
 * trigger RI_FKey_check_upd of key conoid on rel) still runs for an UPDATE
 * of flag-mode table rel: the new row is live, or its key changed.  Core
 * checks a row whose key did not change when an earlier write of this
 * transaction made the old row: a child inserted, then soft-deleted with
 * its parent (an order's lines, then the order cancelled), or a deleted
 * row updated again.  That check reads the parent through the filter, and
 * a deleted child pointing at a deleted parent is no violation: the pair
 * went together.  NULL when the parent is not a flag-mode table (nothing
 * is filtered) or a key column's type has no equality.
 */
static Node *
sd_fk_check_when(Relation rel, Oid conoid, const SdTable *t)
{
	ForeignKeyCacheInfo *info = NULL;
	ListCell   *lc;
	SdTable		pt;
	List	   *args = NIL;
	int			i;

	foreach(lc, sd_fk_outgoing(rel))
		if (((ForeignKeyCacheInfo *) lfirst(lc))->conoid == conoid)
			info = lfirst(lc);
	if (info == NULL ||
		!sd_catalog_lookup(info->confrelid, &pt) || pt.mode != SD_MODE_FLAG)
		return NULL;
	args = lappend(args, sd_flag_qual(PRS2_NEW_VARNO, t, false));
	for (i = 0; i < info->nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), info->conkey[i] - 1);
		TypeCacheEntry *tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR);
		Expr	   *de;

		if (!OidIsValid(tc->eq_opr))
			return NULL;
		de = make_opclause(tc->eq_opr, BOOLOID, false,
						   (Expr *) makeVar(PRS2_OLD_VARNO, info->conkey[i], att->atttypid,
											att->atttypmod, att->attcollation, 0),
						   (Expr *) makeVar(PRS2_NEW_VARNO, info->conkey[i], att->atttypid,
											att->atttypmod, att->attcollation, 0),
						   InvalidOid, att->attcollation);
		NodeSetTag(de, T_DistinctExpr);
		set_opfuncid((OpExpr *) de);
		args = lappend(args, de);
	}
	return (Node *) makeBoolExpr(OR_EXPR, args, -1);
}

/*
 * sd_fk_check_when's answer, as text, kept per backend by key and flag
 * column until the registry or a table it knew changes (catalog.c's
 * generation): a prepared UPDATE builds it once, not at each execution.
 */
typedef struct SdCheckWhen
{
	Oid			conoid;			/* hash key */
	AttrNumber	flag;
	char	   *when;			/* NULL: the check stays as it is */
} SdCheckWhen;

static HTAB *sd_check_whens = NULL;
static MemoryContext sd_check_whens_cxt = NULL;
static uint64 sd_check_whens_generation = 0;

static char *
sd_fk_cached_check_when(Relation rel, Oid conoid, const SdTable *t)
{
	SdCheckWhen *e;
	bool		found;
	Node	   *when;

	if (sd_check_whens == NULL || sd_check_whens_generation != sd_catalog_generation)
	{
		if (sd_check_whens_cxt == NULL)
			sd_check_whens_cxt = AllocSetContextCreate(CacheMemoryContext,
													   "softdelete key checks",
													   ALLOCSET_SMALL_SIZES);
		MemoryContextReset(sd_check_whens_cxt);
		sd_check_whens = sd_oid_hash("softdelete key checks", sizeof(SdCheckWhen),
									 sd_check_whens_cxt);
		sd_check_whens_generation = sd_catalog_generation;
	}
	e = hash_search(sd_check_whens, &conoid, HASH_FIND, &found);
	if (e != NULL && e->flag == t->flag_attno)
		return e->when;
	when = sd_fk_check_when(rel, conoid, t);
	e = hash_search(sd_check_whens, &conoid, HASH_ENTER, &found);
	e->flag = t->flag_attno;
	e->when = when == NULL ? NULL : MemoryContextStrdup(sd_check_whens_cxt, nodeToString(when));
	return e->when;
}

/*
 * For one UPDATE (or MERGE) statement on flag-mode table rri (its private
 * trigger list): give core's checks of new references the WHEN condition
 * above.  WHEN conditions of AFTER triggers are evaluated as the event is
 * queued, so a deferred key is covered too.
 */
void
sd_fk_relax_key_checks(struct ResultRelInfo *rri, struct EState *estate,
					   const SdTable *t)
{
	TriggerDesc *old = rri->ri_TrigDesc;
	TriggerDesc *td = NULL;
	MemoryContext oldcxt;
	int			i;

	if (old == NULL || !old->trig_update_after_row ||
		t->flag_attno == InvalidAttrNumber)
		return;
	oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);
	for (i = 0; i < old->numtriggers; i++)
	{
		Trigger    *trig = &old->triggers[i];
		char	   *when;

		if (trig->tgfoid != F_RI_FKEY_CHECK_UPD || trig->tgqual != NULL ||
			!OidIsValid(trig->tgconstraint))
			continue;
		when = sd_fk_cached_check_when(rri->ri_RelationDesc, trig->tgconstraint, t);
		if (when == NULL)
			continue;
		if (td == NULL)
		{
			td = palloc(sizeof(TriggerDesc));
			*td = *old;
			td->triggers = palloc(sizeof(Trigger) * old->numtriggers);
			memcpy(td->triggers, old->triggers, sizeof(Trigger) * old->numtriggers);
		}
		td->triggers[i].tgqual = when;
	}
	if (td != NULL)
	{
		rri->ri_TrigDesc = td;
		/* the compiled conditions follow the list */
		rri->ri_TrigWhenExprs = palloc0(sizeof(ExprState *) * td->numtriggers);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * 19 on: a table that references a flag-mode table must carry
 * softdelete_ref, which checks its new references (core's check no longer
 * sees the filter).  A database upgraded by pg_upgrade from a major where
 * softdelete 1.3 made no such trigger has none until ALTER EXTENSION ...
 * UPDATE: writes to such a table are refused until then, rather than let
 * a new reference to a deleted row through.
 */
void
sd_fk_require_ref_trigger(Oid relid)
{
	Relation	rel = relation_open(relid, NoLock);
	ListCell   *lc;
	int			i;

	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (strcmp(rel->trigdesc->triggers[i].tgname, SD_REF_TRIGGER) == 0)
		{
			relation_close(rel, NoLock);
			return;
		}
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		SdTable		pt;

		if (sd_catalog_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" references table \"%s\", which has soft delete, but has no trigger softdelete_ref",
							RelationGetRelationName(rel), get_rel_name(info->confrelid)),
					 errdetail("From PostgreSQL 19 on that trigger refuses new references to deleted rows; a database upgraded from an earlier major with softdelete older than 1.4 lacks it."),
					 errhint("Run ALTER EXTENSION softdelete UPDATE, or call softdelete.enable(%s) again.",
							 sd_table_literal(pt.root))));
	}
	relation_close(rel, NoLock);
}
