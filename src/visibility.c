/*-------------------------------------------------------------------------
 *
 * visibility.c
 *		Where the filter goes: the planner hook's walk over every level of a
 *		query, which makes deleted rows of enabled tables not exist.
 *
 * The rule.  For every reference to an enabled table in a query's join
 * tree, the qual "flag IS NULL" (for a boolean flag "NOT flag" or "flag
 * IS NOT TRUE", sd_flag_qual; its negation under include_deleted = only)
 * goes where one would write it by hand: in the quals of the nearest join
 * tree node above the table that restricts
 * its rows exactly (WHERE, an inner join's ON, the ON of the outer join
 * whose nullable side it is on; sd_place_filters).  The planner makes it a
 * scan-level restriction of that table, below any join, so on the nullable
 * side of an outer join a deleted row yields the NULL-extended row and on
 * the preserved side it is absent, exactly as if the row were not there.
 * The sides of a FULL JOIN and a MERGE source have no such node: their
 * table becomes a subquery over itself with the qual, as a view would
 * (sd_wrap_in_subquery, subquery.c), which the planner pulls up into the
 * same plan.
 * Both are shapes that core's parser produces, so every consumer of a Query
 * (MERGE's transformation from 17 on, Citus's planner) accepts them.
 * securityQuals would be a security barrier that keeps LIKE and friends
 * from becoming index quals.  MERGE's target is not in the join tree until
 * the planner builds the join; its filter is ANDed into jointree->quals,
 * which the planner puts on the target's side of that join.
 *
 * What the walk reaches: the query, its CTEs, subqueries in FROM, sublinks
 * anywhere, LATERAL, set operations (views are subqueries by now).  What it
 * cannot reach, SQL functions the planner inlines later, is handled by
 * keeping those functions from being inlined when their body reads an
 * enabled table (inlining.c): they are then planned through this hook on
 * their own.
 *
 * What is never filtered: foreign-key actions and the checks that look for
 * referencing rows (they run with SECURITY_NOFORCE_RLS: rows that exist
 * physically must keep their references valid), walsenders and logical
 * replication workers, and the internal bypass (ALTER TABLE's key
 * validation).  pg_dump's cursor reads every row as include_deleted = on
 * does, the grants checked.  The one foreign-key query that is
 * filtered is the check that a referenced row exists: a deleted row does
 * not, so a new reference to it fails as core's check fails.
 *
 * softdelete.as_of.  When it is set, every reference to an enabled table,
 * wherever it is, becomes a subquery that gives the table as it was then
 * (sd_as_of_level, subquery.c): a flag-mode table's rows not deleted by then, with the
 * flag as it was (NULL for a row deleted later); an archive-mode table's
 * live rows and the archive's images of rows live then, UNION ALL (with
 * versions, the versions valid then).  The planner pulls both up, so a read
 * by key uses the indexes of the table and of the archive.  Nothing is
 * written meanwhile: every statement but a plain SELECT is refused.
 *
 * Calls: subquery.c (a reference made a subquery: FULL JOIN sides, MERGE
 * sources, as_of), access.c (grants), catalog.c, redirect.c (DELETE into a
 * soft delete), stamp.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
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
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "access.h"
#include "catalog.h"
#include "compat.h"
#include "redirect.h"
#include "stamp.h"
#include "state.h"
#include "subquery.h"
#include "visibility.h"

typedef struct SdWalkContext
{
	bool		filter;			/* place the filter (include_deleted off, only) */
	bool		deleted;		/* the filter keeps the deleted rows (only) */
	Query	   *top;			/* the statement being planned */
	SdExempt	exempt;			/* what restore/purge asked ... */
	Oid			exempt_relid;	/* ... for this table, at top's level */
	bool		top_redirected; /* top was a DELETE turned into an UPDATE */
	bool		as_of;			/* read as of softdelete.as_of ... */
	TimestampTz as_of_ts;		/* ... this time */
	SdInclude	include;		/* include_deleted, where the statement runs */
	bool		hard;			/* hard_delete, likewise */
	bool		live_only;		/* in a policy or a security-barrier view */
	List	   *made;			/* subqueries made here: not walked again */
	List	   *guarded;		/* queries of policies' sublinks, walked already */
	List	   *granted;		/* tables whose deleted rows this role may read */
	bool		role_checked;	/* a privilege of the current role was checked */
} SdWalkContext;

/*
 * The enabled flag-mode tables (with archive_too, every enabled table) of
 * one query level, by range table index
 * (tables[rti - 1].relid is InvalidOid for any other entry): each entry is
 * looked up once.  NULL when the level references none.
 */
static SdTable *
sd_level_tables(Query *query, bool archive_too)
{
	SdTable    *tables = NULL;
	SdTable		t;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION &&
			sd_catalog_lookup(rte->relid, &t) &&
			(t.mode == SD_MODE_FLAG || archive_too))
		{
			if (tables == NULL)
				tables = palloc0(sizeof(SdTable) * list_length(query->rtable));
			tables[i] = t;
		}
		i++;
	}
	return tables;
}

/*
 * Where the filters of one query level go.  A filter is attached to the
 * quals of a join tree node (a FromExpr's WHERE, a JoinExpr's ON), in
 * front of the quals already there; tables that no such node can filter
 * exactly are wrapped in a subquery (sd_wrap_in_subquery).
 */
typedef struct SdAttach
{
	Node	  **quals;			/* the node's quals field */
	List	   *filters;		/* to put in front of them, in order */
} SdAttach;

typedef struct SdPlacement
{
	SdTable    *tables;
	bool		deleted;		/* the filters keep deleted rows (only) */
	Index		skip_rti;		/* the target, when it goes unfiltered */
	Oid			skip_relid;		/* every reference to this table, likewise */
	List	   *attach;			/* of SdAttach */
	List	   *wrap;			/* range table indexes to wrap */
} SdPlacement;

static void
sd_attach_filter(SdPlacement *pl, Node **quals, Node *filter)
{
	ListCell   *lc;
	SdAttach   *a;

	foreach(lc, pl->attach)
	{
		a = lfirst(lc);
		if (a->quals == quals)
		{
			a->filters = lappend(a->filters, filter);
			return;
		}
	}
	a = palloc(sizeof(SdAttach));
	a->quals = quals;
	a->filters = list_make1(filter);
	pl->attach = lappend(pl->attach, a);
}

/*
 * Place the filters of the enabled tables below join tree node jtnode.
 *
 * quals is where a filter of a table reached from here can go: the quals of
 * the nearest node above whose rows are restricted by them exactly as the
 * table's rows would be.  A FromExpr's or an inner join's quals restrict
 * every table below them; an outer join's ON clause restricts the tables of
 * its nullable side, which a deleted row then leaves NULL-extended; the
 * preserved side of an outer join passes on what is above it.  No node can
 * restrict the sides of a FULL JOIN so (quals is NULL there): those tables
 * are wrapped in a subquery, as a view would be.  A filter attached this
 * way is a qual that restricts only that table, which the planner turns
 * into a restriction of its scan, as for the query written by hand.
 *
 * restricting lists the conjuncts that already restrict the rows of jtnode
 * that way.  When a query still carries its own "deleted_at IS NULL" there,
 * nothing is added, so the plan and the estimates stay those of the query
 * as written.
 */
static void
sd_place_filters(SdPlacement *pl, Node *jtnode, Node **quals,
				 List *restricting)
{
	if (jtnode == NULL)
		return;
	if (IsA(jtnode, RangeTblRef))
	{
		Index		rti = ((RangeTblRef *) jtnode)->rtindex;
		Node	   *qual;
		ListCell   *lc;

		if (rti == pl->skip_rti || !OidIsValid(pl->tables[rti - 1].relid) ||
			(OidIsValid(pl->skip_relid) && pl->tables[rti - 1].root == pl->skip_relid))
			return;
		foreach(lc, restricting)
			if (sd_flag_qual_matches(lfirst(lc), rti, &pl->tables[rti - 1],
									 pl->deleted))
				return;
		qual = sd_flag_qual(rti, &pl->tables[rti - 1], pl->deleted);
		if (quals != NULL)
			sd_attach_filter(pl, quals, qual);
		else
			pl->wrap = lappend_int(pl->wrap, rti);
	}
	else if (IsA(jtnode, FromExpr))
	{
		FromExpr   *f = (FromExpr *) jtnode;
		List	   *below;
		ListCell   *lc;

		below = list_concat_copy(restricting,
								 make_ands_implicit((Expr *) f->quals));
		foreach(lc, f->fromlist)
			sd_place_filters(pl, lfirst(lc), &f->quals, below);
	}
	else if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;
		List	   *on = make_ands_implicit((Expr *) j->quals);

		switch (j->jointype)
		{
			case JOIN_INNER:
				on = list_concat_copy(restricting, on);
				sd_place_filters(pl, j->larg, &j->quals, on);
				sd_place_filters(pl, j->rarg, &j->quals, on);
				break;
			case JOIN_LEFT:
				sd_place_filters(pl, j->larg, quals, restricting);
				sd_place_filters(pl, j->rarg, &j->quals, on);
				break;
			case JOIN_RIGHT:
				sd_place_filters(pl, j->larg, &j->quals, on);
				sd_place_filters(pl, j->rarg, quals, restricting);
				break;
			default:			/* FULL: neither side is restricted */
				sd_place_filters(pl, j->larg, NULL, NIL);
				sd_place_filters(pl, j->rarg, NULL, NIL);
				break;
		}
	}
	else
		elog(ERROR, "unrecognized join tree node type: %d",
			 (int) nodeTag(jtnode));
}

/* Put the placed filters in front of the quals of their nodes. */
static void
sd_apply_placement(SdPlacement *pl)
{
	ListCell   *lc;

	foreach(lc, pl->attach)
	{
		SdAttach   *a = lfirst(lc);
		List	   *conj = list_concat(a->filters,
									   make_ands_implicit((Expr *) *a->quals));

		*a->quals = (Node *) make_ands_explicit(conj);
	}
}

/*
 * Privileges, checked once per table and statement when it is planned; a
 * plan that relies on the current role's (or session's) is made again for
 * another role (role_checked: PlannedStmt's dependsOnRole, as row-level
 * security does), and a grant or revoke invalidates it (access.c).
 *
 * Deleted rows and the past: each table of this level whose deleted rows
 * the statement would see needs the role's read_deleted grant.  restore's
 * and purge's own table is checked by them.
 */
static void
sd_check_access(Query *query, SdTable *tables, SdExempt exempt,
				SdWalkContext *ctx)
{
	int			i;

	if (ctx->live_only || (ctx->filter && !ctx->deleted && !ctx->as_of))
		return;
	for (i = 0; i < list_length(query->rtable); i++)
	{
		SdTable    *t = &tables[i];

		if (!OidIsValid(t->relid) ||
			list_member_oid(ctx->granted, t->root) ||
			(exempt != SD_EXEMPT_NONE && t->root == ctx->exempt_relid) ||
			/* a plain INSERT reads no row of its table */
			(i + 1 == query->resultRelation && query->commandType == CMD_INSERT &&
			 query->onConflict == NULL))
			continue;
		sd_access_require(t->root, t->relid, SD_ACCESS_READ_DELETED, GetUserId());
		ctx->granted = lappend_oid(ctx->granted, t->root);
		ctx->role_checked = true;
	}
}

/*
 * Erasure: a DELETE (or MERGE) of an enabled table, of either mode, under
 * softdelete.hard_delete needs the role's erase grant.
 */
static void
sd_check_erase(Query *query, SdWalkContext *ctx)
{
	RangeTblEntry *rte = rt_fetch(query->resultRelation, query->rtable);
	SdTable		t;
	ListCell   *lc;
	bool		deletes = query->commandType == CMD_DELETE;

	if (query->commandType == CMD_MERGE)
		foreach(lc, query->mergeActionList)
			if (lfirst_node(MergeAction, lc)->commandType == CMD_DELETE)
				deletes = true;
	if (!deletes || rte->rtekind != RTE_RELATION ||
		!sd_catalog_lookup(rte->relid, &t))
		return;
	sd_access_require(t.root, rte->relid, SD_ACCESS_ERASE, GetUserId());
	ctx->role_checked = true;
}

/*
 * A soft delete by UPDATE: writing the flag deletes (or restores) rows, so
 * an UPDATE, INSERT ... ON CONFLICT DO UPDATE or MERGE that assigns it
 * needs the DELETE privilege too, of the role core checks the UPDATE as.
 */
static void
sd_check_flag_written(Query *query, const SdTable *t, SdWalkContext *ctx)
{
	RangeTblEntry *rte = rt_fetch(query->resultRelation, query->rtable);
	Oid			user;

	if (query->commandType == CMD_DELETE || query->commandType == CMD_SELECT ||
		t->flag_attno == InvalidAttrNumber ||
		!bms_is_member(t->flag_attno - FirstLowInvalidHeapAttributeNumber,
					   SD_UPDATED_COLS(query, rte)))
		return;
	user = SD_CHECK_AS_USER(query, rte);
	if (!OidIsValid(user))
	{
		user = GetUserId();
		ctx->role_checked = true;
	}
	if (pg_class_aclcheck(rte->relid, user, ACL_DELETE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write the soft-delete flag \"%s\" of table \"%s\"",
						NameStr(t->column_name), get_rel_name(rte->relid)),
				 errdetail("Writing the flag deletes or restores rows: it needs the DELETE privilege on the table, as DELETE does."),
				 errhint("Use DELETE and softdelete.restore(), or GRANT DELETE ON %s TO %s.",
						 quote_identifier(get_rel_name(rte->relid)),
						 quote_identifier(GetUserNameFromId(user, false)))));
}

/* Apply the rule to one query level (not to the levels below it). */
static void
sd_process_query(Query *query, SdWalkContext *ctx)
{
	/*
	 * restore and purge see the deleted rows of their table where their
	 * statement names it, and so do the rule actions made of it (the
	 * rewriter gives those the statement's table and quals); sublinks, such
	 * as a restore's filter, see the table as the caller does.
	 */
	SdExempt	exempt = (query == ctx->top) ? ctx->exempt : SD_EXEMPT_NONE;
	Index		target = query->resultRelation;
	SdTable    *tables = sd_level_tables(query, ctx->as_of);
	SdTable    *t;
	bool		target_exempt;
	bool		filter_target;

	if (ctx->hard && target > 0)
		sd_check_erase(query, ctx);
	if (tables == NULL)
		return;
	sd_check_access(query, tables, exempt, ctx);
	if (ctx->as_of)
	{
		ctx->made = list_concat(ctx->made,
								sd_as_of_level(query, tables, ctx->include,
											   ctx->as_of_ts));
		return;
	}

	t = target > 0 ? &tables[target - 1] : NULL;
	target_exempt = exempt != SD_EXEMPT_NONE && t != NULL &&
		OidIsValid(t->relid) && t->root == ctx->exempt_relid;
	filter_target = ctx->filter && !target_exempt;
	if (t != NULL && OidIsValid(t->relid))
	{
		if (!target_exempt)
			sd_check_flag_written(query, t, ctx);
		/* who deleted, where an UPDATE writes the flag (redirect.c) */
		sd_stamp_actor_of_update(query, t);

		/* DELETE becomes the UPDATE that marks the rows (redirect.c). */
		if (!ctx->hard &&
			!(target_exempt && exempt == SD_EXEMPT_FILTER_AND_DELETE))
		{
			if (query->commandType == CMD_DELETE)
			{
				sd_redirect_delete(query, t, filter_target && !ctx->deleted);
				if (query == ctx->top)
					ctx->top_redirected = true;
			}
			else if (query->commandType == CMD_MERGE)
				sd_redirect_merge(query, t, filter_target && !ctx->deleted);
		}

		/*
		 * ON CONFLICT (cols): a unique index over live rows ("WHERE flag IS
		 * NULL", as enable's replace_unique makes them) is an arbiter too.
		 */
		if (query->onConflict != NULL &&
			query->onConflict->arbiterElems != NIL &&
			t->mode == SD_MODE_FLAG && t->flag_attno != InvalidAttrNumber)
			query->onConflict->arbiterWhere =
				make_and_qual(query->onConflict->arbiterWhere,
							  sd_flag_qual(target, t, false));

		/* MERGE's target joins the source only inside the planner. */
		if (query->commandType == CMD_MERGE && filter_target)
			query->jointree->quals =
				make_and_qual(query->jointree->quals,
							  sd_flag_qual(target, t, ctx->deleted));
	}

	if (ctx->filter)
	{
		SdPlacement pl;
		ListCell   *lc;

		memset(&pl, 0, sizeof(pl));
		pl.tables = tables;
		pl.deleted = ctx->deleted;
		pl.skip_rti = filter_target ? 0 : target;
		pl.skip_relid = exempt != SD_EXEMPT_NONE ? ctx->exempt_relid : InvalidOid;

		/*
		 * MERGE: the join tree holds the source, which the planner joins to
		 * the target with the merge condition; the quals of its top node are
		 * that condition (15, 16) or restrict the target (17 on), and the
		 * source is the preserved side of the join when there are NOT
		 * MATCHED actions.  Nothing above the source restricts it.
		 */
		if (query->commandType == CMD_MERGE)
			foreach(lc, query->jointree->fromlist)
				sd_place_filters(&pl, lfirst(lc), NULL, NIL);
		else
			sd_place_filters(&pl, (Node *) query->jointree, NULL, NIL);
		sd_apply_placement(&pl);
		foreach(lc, pl.wrap)
			sd_wrap_in_subquery(query, lfirst_int(lc),
								&tables[lfirst_int(lc) - 1], ctx->deleted);
	}
}

static void sd_walk_query(Query *query, SdWalkContext *ctx);

/* Find the queries of sublinks inside expressions. */
static bool
sd_sublink_walker(Node *node, SdWalkContext *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		if (!list_member_ptr(ctx->guarded, node))
			sd_walk_query((Query *) node, ctx);
		return false;
	}
	return expression_tree_walker(node, sd_sublink_walker, ctx);
}

/*
 * Security boundaries inside a query: row-level security policies (an
 * entry's securityQuals) and security-barrier views.  Their author wrote
 * them over live rows, and the querying role's settings must not change
 * what they let through: they see live rows whatever include_deleted and
 * as_of say (a SECURITY DEFINER function they call is one too, state.c).
 */
static void
sd_walk_live_only(Node *node, Query *query, SdWalkContext *ctx)
{
	SdWalkContext saved = *ctx;

	ctx->filter = true;
	ctx->deleted = false;
	ctx->as_of = false;
	ctx->live_only = true;
	if (query != NULL)
		sd_walk_query(query, ctx);
	else
		(void) sd_sublink_walker(node, ctx);
	ctx->filter = saved.filter;
	ctx->deleted = saved.deleted;
	ctx->as_of = saved.as_of;
	ctx->live_only = saved.live_only;
}

/* Walk query's policies and check options, and remember their queries. */
static bool
sd_guarded_collector(Node *node, SdWalkContext *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		ctx->guarded = lappend(ctx->guarded, node);
		return false;
	}
	return expression_tree_walker(node, sd_guarded_collector, ctx);
}

static void
sd_walk_policies(Query *query, SdWalkContext *ctx)
{
	ListCell   *lc;

	/* WITH CHECK of policies and of views' CHECK OPTION */
	foreach(lc, query->withCheckOptions)
	{
		WithCheckOption *wco = lfirst_node(WithCheckOption, lc);

		sd_walk_live_only(wco->qual, NULL, ctx);
		(void) sd_guarded_collector(wco->qual, ctx);
	}

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->securityQuals == NIL)
			continue;
		sd_walk_live_only((Node *) rte->securityQuals, NULL, ctx);
		(void) sd_guarded_collector((Node *) rte->securityQuals, ctx);
	}
}

/*
 * Apply the rule to query and every query below it: CTEs, subqueries in
 * FROM (views among them), and sublinks.  Expressions are only walked when
 * the query has sublinks, as the planner itself does: a plain query costs
 * one pass over its range table.
 */
static void
sd_walk_query(Query *query, SdWalkContext *ctx)
{
	ListCell   *lc;

	check_stack_depth();
	/*
	 * first, as as_of takes an entry's policies into the subquery it makes
	 * (the rewriter marks a query whose policies have sublinks)
	 */
	if (query->hasSubLinks)
		sd_walk_policies(query, ctx);
	sd_process_query(query, ctx);

	foreach(lc, query->cteList)
		sd_walk_query(castNode(Query, lfirst_node(CommonTableExpr, lc)->ctequery),
					  ctx);
	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_SUBQUERY && rte->subquery != NULL &&
			!list_member_ptr(ctx->made, rte->subquery))
		{
			if (rte->security_barrier && !ctx->live_only)
				sd_walk_live_only(NULL, rte->subquery, ctx);
			else
				sd_walk_query(rte->subquery, ctx);
		}
	}
	if (query->hasSubLinks)
		(void) query_tree_walker(query, sd_sublink_walker, ctx,
								 QTW_IGNORE_RT_SUBQUERIES |
								 QTW_IGNORE_CTE_SUBQUERIES);
}

/*
 * Is this ri_triggers.c's check that a referenced row exists, "SELECT 1 FROM
 * [ONLY] pk x WHERE pkcol = $1 [AND ...] FOR KEY SHARE OF x"?  Its twin that
 * looks for referencing rows puts the parameter first: "$1 = fkcol".
 */
static bool
sd_is_ri_key_check(Query *query)
{
	Node	   *qual;
	OpExpr	   *op;

	if (query->commandType != CMD_SELECT || list_length(query->rtable) != 1 ||
		list_length(query->rowMarks) != 1 ||
		linitial_node(RowMarkClause, query->rowMarks)->strength != LCS_FORKEYSHARE ||
		query->jointree == NULL || query->jointree->quals == NULL)
		return false;
	qual = query->jointree->quals;
	if (is_andclause(qual))
		qual = linitial(((BoolExpr *) qual)->args);
	if (!IsA(qual, OpExpr))
		return false;
	op = (OpExpr *) qual;
	return list_length(op->args) == 2 &&
		IsA(strip_implicit_coercions(linitial(op->args)), Var) &&
		!contain_var_clause(lsecond(op->args));
}

/* Contexts where every row must be seen and DELETE must stay physical. */
static bool
sd_bypassed(Query *parse)
{
	if (sd_bypass_depth > 0 || am_walsender || IsLogicalWorker())
		return true;
	if (InNoForceRLSOperation())	/* foreign-key checks and actions */
		return !sd_is_ri_key_check(parse);
	return false;
}

/*
 * The planner hook's share (softdelete.c plans the query afterwards): when
 * no table is enabled in this database, one flag check; otherwise place
 * the filters at every level of the query and turn its DELETEs on enabled
 * tables into soft deletes.  True when the statement itself was a DELETE
 * turned into an UPDATE: its command tag and SPI's result must still say
 * DELETE.
 */
/*
 * Does a statement of the simplest shape (relations, joins, VALUES; no
 * subquery, CTE, sublink, function in FROM) name no enabled table, while
 * every setting is at its default?  Then nothing is to be done: one cached
 * look-up per table it names.  (A setting that is on takes the full path,
 * which also refuses a value leaked out of a SECURITY DEFINER function.)
 */
bool
sd_names_no_enabled_table(Query *parse)
{
	ListCell   *lc;

	if (parse->hasSubLinks || parse->cteList != NIL || sd_as_of_set ||
		sd_include_deleted != SD_INCLUDE_OFF || sd_hard_delete)
		return false;
	foreach(lc, parse->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		switch (rte->rtekind)
		{
			case RTE_RELATION:
				if (sd_catalog_lookup(rte->relid, NULL))
					return false;
				break;
			case RTE_JOIN:
			case RTE_VALUES:
			case RTE_RESULT:
				break;
			default:
				return false;
		}
	}
	return true;
}

bool
sd_visibility_rewrite(Query *parse, bool *depends_on_role)
{
	SdWalkContext ctx;
	bool		bypassed;

	*depends_on_role = false;
	bypassed = sd_bypassed(parse);
	/* until the statement starts to execute (softdelete.c) */
	ctx.exempt = sd_exempt_next;
	ctx.exempt_relid = sd_exempt_relid;

	/*
	 * The settings as they apply where this statement runs (state.c); a
	 * foreign-key check sees live rows, now, whatever the session has set.
	 */
	if (bypassed || InNoForceRLSOperation())
	{
		ctx.include = SD_INCLUDE_OFF;
		ctx.as_of = false;
	}
	else if (sd_reads_all_depth > 0)
	{
		/* pg_dump's cursor: every row, as the grants allow */
		ctx.include = SD_INCLUDE_ON;
		ctx.as_of = false;
	}
	else
	{
		ctx.include = sd_include_now();
		ctx.as_of = sd_as_of_now(&ctx.as_of_ts);
	}
	ctx.hard = !bypassed && sd_hard_delete_now();

	/* under softdelete.as_of nothing is written (the tables are then) */
	if (ctx.as_of)
	{
		if (parse->commandType != CMD_SELECT)
			sd_as_of_refuse(parse->commandType == CMD_INSERT ? "INSERT" :
							parse->commandType == CMD_UPDATE ? "UPDATE" :
							parse->commandType == CMD_DELETE ? "DELETE" :
							parse->commandType == CMD_MERGE ? "MERGE" :
							"this statement");
		if (parse->hasModifyingCTE)
			sd_as_of_refuse("a data-modifying WITH");
		if (parse->rowMarks != NIL)
			sd_as_of_refuse("SELECT FOR UPDATE/SHARE");
	}
	if (bypassed ||
		!(ctx.as_of || ctx.hard ? sd_catalog_any_enabled() : sd_catalog_any_flag()))
		return false;

	ctx.filter = ctx.include != SD_INCLUDE_ON;
	ctx.deleted = ctx.include == SD_INCLUDE_ONLY;
	ctx.live_only = false;
	ctx.top = parse;
	ctx.top_redirected = false;
	ctx.made = NIL;
	ctx.guarded = NIL;
	ctx.granted = NIL;
	ctx.role_checked = false;
	sd_walk_query(parse, &ctx);

	/*
	 * A plan made under settings of the session that a boundary would not
	 * see, or that a privilege of this role allowed, is made again for
	 * another role.
	 */
	*depends_on_role = ctx.role_checked || sd_include_deleted != SD_INCLUDE_OFF ||
		sd_as_of_set || sd_hard_delete;
	return ctx.top_redirected;
}
