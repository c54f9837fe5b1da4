/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference softdelete cares about, and
 *		nowhere else.
 *
 * softdelete builds from one branch against PostgreSQL 15 to 19.  15, 17,
 * 18 and 19 are tested; 16 is built from the same macros (it introduced
 * most of the differences below) but cannot be had on the test machines.
 * Each difference is a small macro or static inline helper, named for what
 * it does, so that the logic reads the same on every major.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_COMPAT_H
#define SOFTDELETE_COMPAT_H

#include "postgres.h"

#include "access/attnum.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "nodes/primnodes.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_class_d.h"
#endif
#if PG_VERSION_NUM >= 180000
#include "rewrite/rewriteHandler.h"
#endif
#if PG_VERSION_NUM >= 190000
#include "commands/explain_state.h"
#endif

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 200000
#error "softdelete supports PostgreSQL 15 to 19"
#endif

/* ---------------------------------------------------------------------
 * Hooks
 * ---------------------------------------------------------------------
 */

/* 19: the planner hook and standard_planner take the EXPLAIN state. */
#if PG_VERSION_NUM >= 190000
#define SD_PLANNER_PARAMS Query *parse, const char *query_string, \
	int cursorOptions, ParamListInfo boundParams, ExplainState *es
#define SD_PLANNER_ARGS parse, query_string, cursorOptions, boundParams, es
#else
#define SD_PLANNER_PARAMS Query *parse, const char *query_string, \
	int cursorOptions, ParamListInfo boundParams
#define SD_PLANNER_ARGS parse, query_string, cursorOptions, boundParams
#endif

/* ---------------------------------------------------------------------
 * Permissions (16: RTEPermissionInfo)
 * ---------------------------------------------------------------------
 */

/*
 * The columns an UPDATE assigns, of query's range table entry rte: a field
 * of the entry up to 15, of its RTEPermissionInfo from 16 on.  An lvalue.
 */
#if PG_VERSION_NUM >= 160000
#define SD_UPDATED_COLS(query, rte) \
	(getRTEPermissionInfo((query)->rteperminfos, (rte))->updatedCols)
#else
#define SD_UPDATED_COLS(query, rte) ((rte)->updatedCols)
#endif

/* A possibly qualified name as a list of names: 16 added an escontext. */
#if PG_VERSION_NUM >= 160000
#define SD_QUALIFIED_NAME_LIST(s) stringToQualifiedNameList((s), NULL)
#else
#define SD_QUALIFIED_NAME_LIST(s) stringToQualifiedNameList(s)
#endif

/* The role query's entry rte is checked as (InvalidOid: the current one). */
#if PG_VERSION_NUM >= 160000
#define SD_CHECK_AS_USER(query, rte) \
	((rte)->perminfoindex > 0 ? \
	 getRTEPermissionInfo((query)->rteperminfos, (rte))->checkAsUser : InvalidOid)
#else
#define SD_CHECK_AS_USER(query, rte) ((rte)->checkAsUser)
#endif

#if PG_VERSION_NUM < 160000
/* 15: an entry's permissions live in the entry; outer checks nothing now */
static inline void
sd_clear_permissions(RangeTblEntry *outer)
{
	outer->requiredPerms = 0;
	outer->checkAsUser = InvalidOid;
	outer->selectedCols = NULL;
	outer->insertedCols = NULL;
	outer->updatedCols = NULL;
	outer->extraUpdatedCols = NULL;
}
#endif

/*
 * Range table entry outer of query moves into subquery sub as its entry
 * inner (a copy of it): the permissions to check go with it.  Up to 15
 * they are fields of the entry (inner has them; outer, now a subquery,
 * must not); from 16 on the entry points at an RTEPermissionInfo of its
 * query, which moves to sub (the outer one is then referenced by no entry,
 * and the planner leaves it out of the plan).
 */
static inline void
sd_move_permissions(Query *query, RangeTblEntry *outer, Query *sub,
					RangeTblEntry *inner)
{
#if PG_VERSION_NUM >= 160000
	RTEPermissionInfo *perminfo;

	inner->perminfoindex = 0;
	perminfo = addRTEPermissionInfo(&sub->rteperminfos, inner);
	if (outer->perminfoindex > 0)
		memcpy(perminfo, getRTEPermissionInfo(query->rteperminfos, outer),
			   sizeof(RTEPermissionInfo));
	outer->perminfoindex = 0;
#else
	sd_clear_permissions(outer);
#endif
}

/*
 * The same, when the subquery was made from SQL text: its entry for the
 * table (live, in live_q) takes over the permissions of outer, and the
 * entry of the table read beside it (other, in other_q) is checked as the
 * same user (a view's owner, when outer came from a view).
 */
static inline void
sd_take_permissions(Query *query, RangeTblEntry *outer, Query *live_q,
					RangeTblEntry *live, Query *other_q, RangeTblEntry *other)
{
#if PG_VERSION_NUM >= 160000
	if (outer->perminfoindex > 0)
	{
		RTEPermissionInfo *src = getRTEPermissionInfo(query->rteperminfos, outer);

		memcpy(getRTEPermissionInfo(live_q->rteperminfos, live), src,
			   sizeof(RTEPermissionInfo));
		getRTEPermissionInfo(other_q->rteperminfos, other)->checkAsUser =
			src->checkAsUser;
	}
	outer->perminfoindex = 0;
#else
	live->requiredPerms = outer->requiredPerms;
	live->checkAsUser = outer->checkAsUser;
	live->selectedCols = bms_copy(outer->selectedCols);
	live->insertedCols = NULL;
	live->updatedCols = NULL;
	live->extraUpdatedCols = NULL;
	other->checkAsUser = outer->checkAsUser;
	sd_clear_permissions(outer);
#endif
}

/* 16: a GUC's extra is allocated with guc_malloc, before with malloc. */
#if PG_VERSION_NUM >= 160000
#define SD_GUC_MALLOC(size) guc_malloc(LOG, (size))
#else
#define SD_GUC_MALLOC(size) malloc(size)
#endif

/* 16: pg_class_ownercheck became object_ownercheck. */
#if PG_VERSION_NUM >= 160000
#define SD_TABLE_OWNERCHECK(relid) \
	object_ownercheck(RelationRelationId, (relid), GetUserId())
#else
#define SD_TABLE_OWNERCHECK(relid) pg_class_ownercheck((relid), GetUserId())
#endif

/* ---------------------------------------------------------------------
 * Parse and plan trees
 * ---------------------------------------------------------------------
 */

/*
 * 16: ALTER TABLE's recursing subcommands are gone (recursion is a flag).
 * Case labels of a switch over AlterTableType.
 */
#if PG_VERSION_NUM >= 160000
#define SD_CASE_AT_RECURSING_CONSTRAINT
#else
#define SD_CASE_AT_RECURSING_CONSTRAINT \
	case AT_AddConstraintRecurse: \
	case AT_ValidateConstraintRecurse:
#endif

/*
 * The range table indexes of a plan's result relations, as a List of int:
 * 19 keeps them in a Bitmapset.
 */
static inline List *
sd_result_relations(PlannedStmt *pstmt)
{
#if PG_VERSION_NUM >= 190000
	List	   *result = NIL;
	int			rti = -1;

	while ((rti = bms_next_member(pstmt->resultRelationRelids, rti)) >= 0)
		result = lappend_int(result, rti);
	return result;
#else
	return pstmt->resultRelations;
#endif
}

/*
 * 18: RETURNING old.* / new.*.  Does Var var read the new row (new.x)?
 * Before 18 nothing can.
 */
static inline bool
sd_var_reads_new_row(Var *var)
{
#if PG_VERSION_NUM >= 180000
	return var->varreturningtype == VAR_RETURNING_NEW;
#else
	return false;
#endif
}

/*
 * 17: merge_action(), the action a MERGE's RETURNING row comes from.  NULL
 * before 17, where MERGE has no RETURNING.
 */
static inline Node *
sd_merge_action_expr(void)
{
#if PG_VERSION_NUM >= 170000
	MergeSupportFunc *f = makeNode(MergeSupportFunc);

	f->msftype = TEXTOID;
	f->msfcollid = DEFAULT_COLLATION_OID;
	f->location = -1;
	return (Node *) f;
#else
	return NULL;
#endif
}

/* 18: a RETURNING expression of a view's new row (RETURNING new.x) */
static inline bool
sd_is_returning_new_expr(Node *node, int levelsup)
{
#if PG_VERSION_NUM >= 180000
	return IsA(node, ReturningExpr) && !((ReturningExpr *) node)->retold &&
		((ReturningExpr *) node)->retlevelsup == levelsup;
#else
	return false;
#endif
}

/*
 * 17: the action a MERGE is carrying out for the current row, which its
 * RETURNING's merge_action() reports.  Before 17 there is nothing to report.
 */
static inline MergeActionState *
sd_merge_current_action(ModifyTableState *mt)
{
#if PG_VERSION_NUM >= 170000
	return mt->mt_merge_action;
#else
	return NULL;
#endif
}

static inline void
sd_merge_set_current_action(ModifyTableState *mt, MergeActionState *action)
{
#if PG_VERSION_NUM >= 170000
	mt->mt_merge_action = action;
#endif
}

/* The MergeActionStates of a result relation (17: three kinds of match). */
static inline List *
sd_merge_action_states(ResultRelInfo *rri)
{
#if PG_VERSION_NUM >= 170000
	List	   *result = NIL;
	int			i;

	for (i = 0; i < NUM_MERGE_MATCH_KINDS; i++)
		result = list_concat(result, rri->ri_MergeActions[i]);
	return result;
#else
	return list_concat_copy(rri->ri_matchedMergeAction,
							rri->ri_notMatchedMergeAction);
#endif
}

/* ---------------------------------------------------------------------
 * Executor
 * ---------------------------------------------------------------------
 */

/* Index entries for a tuple just inserted (16: summarizing; 19: flags). */
#if PG_VERSION_NUM >= 190000
#define SD_INSERT_INDEX_TUPLES(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (estate), 0, (slot), NIL, NULL)
#elif PG_VERSION_NUM >= 160000
#define SD_INSERT_INDEX_TUPLES(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define SD_INSERT_INDEX_TUPLES(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/* A plain sequential scan of a table (19: with options). */
#if PG_VERSION_NUM >= 190000
#define SD_TABLE_BEGINSCAN(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL, SO_NONE)
#else
#define SD_TABLE_BEGINSCAN(rel, snapshot) \
	table_beginscan((rel), (snapshot), 0, NULL)
#endif

/*
 * Instrumentation for n triggers of a result relation whose trigger list
 * softdelete rebuilt (19: triggers have their own kind).
 */
#if PG_VERSION_NUM >= 190000
#define SD_TRIGGER_INSTRUMENTATION(n, options) InstrAllocTrigger((n), (options))
#else
#define SD_TRIGGER_INSTRUMENTATION(n, options) InstrAlloc((n), (options), false)
#endif

/*
 * The result relation's prepared CHECK constraints, which core builds on
 * first use (renamed in 18, which also skips NOT ENFORCED constraints and
 * expands virtual generated columns in them).
 */
#if PG_VERSION_NUM >= 180000
#define SD_RRI_CHECK_EXPRS(rri) ((rri)->ri_CheckConstraintExprs)
#define SD_CHECK_ENFORCED(check) ((check)->ccenforced)
#define SD_CHECK_EXPR(rel, expr) \
	expand_generated_columns_in_expr((Node *) (expr), (rel), 1)
#else
#define SD_RRI_CHECK_EXPRS(rri) ((rri)->ri_ConstraintExprs)
#define SD_CHECK_ENFORCED(check) true
#define SD_CHECK_EXPR(rel, expr) ((Node *) (expr))
#endif

/* ---------------------------------------------------------------------
 * Catalog look-ups
 * ---------------------------------------------------------------------
 */

/* The identity sequence of a column (17: takes the Relation). */
#if PG_VERSION_NUM >= 170000
#define SD_IDENTITY_SEQUENCE(rel, attnum) \
	getIdentitySequence((rel), (attnum), true)
#else
#define SD_IDENTITY_SEQUENCE(rel, attnum) \
	getIdentitySequence(RelationGetRelid(rel), (attnum), true)
#endif

/* The primary key's index (18: may a deferrable one do). */
#if PG_VERSION_NUM >= 180000
#define SD_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define SD_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* ---------------------------------------------------------------------
 * Behaviour that core changed, mirrored
 * ---------------------------------------------------------------------
 */

/*
 * 18: a violated ON DELETE RESTRICT is SQLSTATE 23001 with its own wording;
 * NO ACTION stays 23503.  softdelete's check of a soft delete mirrors core's.
 */
#if PG_VERSION_NUM >= 180000
#define SD_RESTRICT_ERRCODE ERRCODE_RESTRICT_VIOLATION
#define SD_RESTRICT_MSG "delete on table \"%s\" violates RESTRICT setting of foreign key constraint \"%s\" on table \"%s\""
#define SD_RESTRICT_DETAIL "Key %s is referenced from table \"%s\"."
#else
#define SD_RESTRICT_ERRCODE ERRCODE_FOREIGN_KEY_VIOLATION
#define SD_RESTRICT_MSG "delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\""
#define SD_RESTRICT_DETAIL "Key %s is still referenced from table \"%s\"."
#endif

/*
 * 19: core's check that a new reference points at an existing row probes
 * the referenced table's index directly, without the planner (and so
 * without the visibility filter): softdelete checks new references to
 * flag-mode tables itself (softdelete_ref).
 */
#define SD_CORE_RI_CHECK_SKIPS_PLANNER (PG_VERSION_NUM >= 190000)

/*
 * Is column attno of relid NOT NULL, proven for every row?  18 on, a NOT
 * NULL constraint can be NOT VALID (attnotnull is set, old rows may still
 * hold NULLs): only a validated one counts.
 */
#if PG_VERSION_NUM >= 180000
#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
static inline bool
sd_att_proven_not_null(Oid relid, AttrNumber attno, bool attnotnull)
{
	HeapTuple	tup;
	bool		valid;

	if (!attnotnull)
		return false;
	tup = findNotNullConstraintAttnum(relid, attno);
	if (!HeapTupleIsValid(tup))
		return false;
	valid = ((Form_pg_constraint) GETSTRUCT(tup))->convalidated;
	heap_freetuple(tup);
	return valid;
}
#else
#define sd_att_proven_not_null(relid, attno, attnotnull) (attnotnull)
#endif

#endif							/* SOFTDELETE_COMPAT_H */
