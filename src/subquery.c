/*-------------------------------------------------------------------------
 *
 * subquery.c
 *		A reference to an enabled table made a subquery over the table: the
 *		table filtered, where no join tree node restricts it exactly (the
 *		sides of a FULL JOIN, a MERGE source), or the table as it was at
 *		softdelete.as_of's time.
 *
 * visibility.c decides where the filter goes and calls this file for the
 * references that become subqueries.  The subquery is the shape a view
 * gives: "SELECT <the table's columns, by their numbers> FROM <it> WHERE
 * <qual>", which every consumer of a Query knows and the planner pulls up
 * into the plan of the query written by hand.  Under as_of an archive-mode
 * table becomes the UNION ALL of its live rows and its archive's images of
 * rows live then, analyzed once per backend and table (a template).
 *
 * Calls: catalog.c, sql.c, stamp.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "catalog.h"
#include "compat.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"
#include "subquery.h"

typedef struct SdSysColumns
{
	Index		rti;
	int			levelsup;
	List	   *attnos;			/* system columns referenced */
} SdSysColumns;

/* Find the Vars of a query (at every level) that read system columns of rti. */
static bool
sd_syscolumns_walker(Node *node, SdSysColumns *cx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varno == (int) cx->rti && (int) var->varlevelsup == cx->levelsup &&
			var->varattno < 0)
			cx->attnos = list_append_unique_int(cx->attnos, var->varattno);
		return false;
	}
	if (IsA(node, Query))
	{
		bool		result;

		cx->levelsup++;
		result = query_tree_walker((Query *) node, sd_syscolumns_walker, cx, 0);
		cx->levelsup--;
		return result;
	}
	return expression_tree_walker(node, sd_syscolumns_walker, cx);
}

static Query *sd_subquery_over(Query *query, Index rti, const SdTable *t,
								Node *qual, Expr *flag_value);

/*
 * Replace range table entry rti, a reference to enabled table t, by the
 * subquery "SELECT <its columns> FROM <it> WHERE flag IS NULL": the shape a
 * view gives, which every consumer of a Query knows and the planner pulls
 * up into the plan of the query written by hand.  The subquery's columns
 * keep the table's numbers (a dropped column is a NULL there), so the
 * query's Vars stay as they are.  The table entry moves into the subquery
 * whole: alias, ONLY,
 * TABLESAMPLE, row-level security quals, permissions, lock; a row mark on
 * it is pushed down, as the rewriter does for a view.
 */
void
sd_wrap_in_subquery(Query *query, Index rti, const SdTable *t, bool deleted)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);
	SdSysColumns sys;

	/*
	 * A subquery cannot hand system columns up (the planner substitutes only
	 * its ordinary output columns).  A query that reads them gets the filter
	 * as a security qual of the entry instead: applied to the scan of the
	 * table below every join, as row-level security's are (exact too, but a
	 * non-leakproof condition on the table can then not use an index).
	 */
	memset(&sys, 0, sizeof(sys));
	sys.rti = rti;
	(void) query_tree_walker(query, sd_syscolumns_walker, &sys, 0);
	if (sys.attnos != NIL)
	{
		rte->securityQuals = lcons(sd_flag_qual(rti, t, deleted),
								   rte->securityQuals);
		return;
	}

	sd_subquery_over(query, rti, t, sd_flag_qual(1, t, deleted), NULL);
}

/* Entry rte, a table, becomes subquery sub, which now holds the table. */
static void
sd_rte_becomes_subquery(RangeTblEntry *rte, Query *sub)
{
	rte->rtekind = RTE_SUBQUERY;
	rte->subquery = sub;
	rte->security_barrier = false;
	rte->relid = InvalidOid;
	rte->relkind = 0;
	rte->rellockmode = 0;
	rte->tablesample = NULL;
	rte->inh = false;
	rte->securityQuals = NIL;
}

/*
 * Make range table entry rti a subquery over its table t: "SELECT <its
 * columns> FROM <it> WHERE qual" (qual over entry 1, or none), with
 * flag_value (over entry 1) in the place of the flag column when given.
 */
static Query *
sd_subquery_over(Query *query, Index rti, const SdTable *t, Node *qual,
				 Expr *flag_value)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);
	RangeTblEntry *inner;
	Query	   *sub;
	Relation	rel;
	TupleDesc	desc;
	RangeTblRef *ref;
	ListCell   *lc;
	int			i;

	inner = copyObject(rte);
	sub = makeNode(Query);

	sub->commandType = CMD_SELECT;
	sub->querySource = QSRC_ORIGINAL;
	sub->canSetTag = true;
	inner->securityQuals = (List *) copyObject(rte->securityQuals);
	ChangeVarNodes((Node *) inner->securityQuals, rti, 1, 0);
	sub->rtable = list_make1(inner);
	sd_move_permissions(query, rte, sub, inner);
	ref = makeNode(RangeTblRef);
	ref->rtindex = 1;
	sub->jointree = makeFromExpr(list_make1(ref), qual);

	rel = relation_open(rte->relid, NoLock);
	desc = RelationGetDescr(rel);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr	   *expr;

		if (att->attisdropped)
			expr = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
		else if (flag_value != NULL && att->attnum == t->flag_attno)
			expr = flag_value;
		else
			expr = (Expr *) makeVar(1, att->attnum, att->atttypid,
									att->atttypmod, att->attcollation, 0);
		sub->targetList = lappend(sub->targetList,
								  makeTargetEntry(expr, att->attnum,
												  att->attisdropped ? NULL :
												  pstrdup(NameStr(att->attname)),
												  false));
	}

	relation_close(rel, NoLock);

	foreach(lc, query->rowMarks)
	{
		RowMarkClause *rc = lfirst_node(RowMarkClause, lc);

		if (rc->rti == rti)
			applyLockingClause(sub, 1, rc->strength, rc->waitPolicy, true);
	}

	sd_rte_becomes_subquery(rte, sub);
	return sub;
}

/* ---------------------------------------------------------------------
 * softdelete.as_of: every enabled table read as it was at that time
 * ---------------------------------------------------------------------
 */

/* Param $1 of a query made from text becomes the time it reads at. */
static Node *
sd_as_of_param_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN &&
		((Param *) node)->paramid == 1)
		return (Node *) makeConst(TIMESTAMPTZOID, -1, InvalidOid,
								  sizeof(TimestampTz),
								  TimestampTzGetDatum(*(TimestampTz *) context),
								  false, FLOAT8PASSBYVAL);
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, sd_as_of_param_mutator,
										   context, 0);
	return expression_tree_mutator(node, sd_as_of_param_mutator, context);
}

/*
 * The analyzed UNION ALL of table relid (ONLY unless inh) and its archive,
 * with $1 for the time, kept per backend: parsing and analyzing it is most
 * of what a query under as_of costs to plan.  Forgotten when the table or
 * its archive is invalidated (ALTER, enable, disable, ANALYZE...).
 */
typedef struct SdAsOfTemplate
{
	Oid			relid;
	bool		inh;
	Oid			archive;
	Query	   *query;
} SdAsOfTemplate;

static MemoryContext sd_as_of_cxt = NULL;
static List *sd_as_of_templates = NIL;

static void
sd_as_of_relcache_callback(Datum arg, Oid relid)
{
	ListCell   *lc;

	foreach(lc, sd_as_of_templates)
	{
		SdAsOfTemplate *tpl = lfirst(lc);

		if (!OidIsValid(relid) || tpl->relid == relid || tpl->archive == relid)
		{
			MemoryContextReset(sd_as_of_cxt);
			sd_as_of_templates = NIL;
			return;
		}
	}
}

static Query *
sd_as_of_template(Oid relid, bool inh, const SdTable *t, Relation rel,
				  Relation arch)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData live;
	StringInfoData past;
	char	   *sql;
	Oid			ptype = TIMESTAMPTZOID;
	List	   *raw;
	Query	   *sub;
	ListCell   *lc;
	MemoryContext old;
	SdAsOfTemplate *tpl;
	int			i;

	foreach(lc, sd_as_of_templates)
	{
		tpl = lfirst(lc);
		if (tpl->relid == relid && tpl->inh == inh && tpl->archive == t->archive)
			return copyObject(tpl->query);
	}

	initStringInfo(&live);
	initStringInfo(&past);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		AttrNumber	a;
		const char *sep = i > 0 ? ", " : "";

		if (att->attisdropped)
		{
			appendStringInfo(&live, "%sNULL::pg_catalog.int4", sep);
			appendStringInfo(&past, "%sNULL::pg_catalog.int4", sep);
			continue;
		}
		appendStringInfo(&live, "%s%s", sep, quote_identifier(NameStr(att->attname)));
		a = get_attnum(t->archive, NameStr(att->attname));
		if (a == InvalidAttrNumber || a < 0)
			appendStringInfo(&past, "%sNULL::%s", sep,
							 format_type_with_typemod(att->atttypid, att->atttypmod));
		else if (TupleDescAttr(RelationGetDescr(arch), a - 1)->atttypid == att->atttypid &&
				 TupleDescAttr(RelationGetDescr(arch), a - 1)->atttypmod == att->atttypmod)
			appendStringInfo(&past, "%s%s", sep, quote_identifier(NameStr(att->attname)));
		else
			appendStringInfo(&past, "%s%s::%s", sep, quote_identifier(NameStr(att->attname)),
							 format_type_with_typemod(att->atttypid, att->atttypmod));
	}
	sql = psprintf("SELECT %s FROM %s%s%s UNION ALL SELECT %s FROM ONLY %s WHERE archived_at OPERATOR(pg_catalog.>) $1 AND %s",
				   live.data, inh ? "" : "ONLY ", sd_qualified_name(relid),
				   t->versions ? " WHERE valid_from OPERATOR(pg_catalog.<=) $1" : "",
				   past.data, sd_qualified_name(t->archive),
				   t->versions ? "valid_from OPERATOR(pg_catalog.<=) $1" :
				   "archive_op OPERATOR(pg_catalog.=) 'delete'");
	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	sub = parse_analyze_fixedparams(linitial_node(RawStmt, raw), sql, &ptype, 1,
									NULL);

	if (sd_as_of_cxt == NULL)
	{
		sd_as_of_cxt = AllocSetContextCreate(CacheMemoryContext,
											 "softdelete as_of templates",
											 ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(sd_as_of_relcache_callback, (Datum) 0);
	}
	old = MemoryContextSwitchTo(sd_as_of_cxt);
	tpl = palloc(sizeof(SdAsOfTemplate));
	tpl->relid = relid;
	tpl->inh = inh;
	tpl->archive = t->archive;
	tpl->query = copyObject(sub);
	sd_as_of_templates = lappend(sd_as_of_templates, tpl);
	MemoryContextSwitchTo(old);
	return sub;
}

/*
 * An archive-mode table t, entry rti, as it was at ts: its live rows and
 * the images its archive holds of rows that were live then.
 *
 *   SELECT <columns> FROM [ONLY] t [WHERE valid_from <= ts]
 *   UNION ALL
 *   SELECT <the same columns of the archive> FROM ONLY archive
 *    WHERE archived_at > ts AND (versions: valid_from <= ts; else an
 *          image of a delete)
 *
 * which is softdelete.as_of(NULL::t, ts) for versions.  The columns keep the
 * table's numbers (a dropped one is NULL, one the archive lacks is NULL
 * there), so the query's Vars stay as they are.  The live branch takes the
 * entry's permissions and row-level security quals; the archive is read
 * with the same user's rights, as as_of() reads it.
 */
static Query *
sd_archive_as_of(Query *query, Index rti, const SdTable *t, TimestampTz ts)
{
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);
	Relation	rel;
	Relation	arch;
	Query	   *sub;
	Query	   *branch;
	RangeTblEntry *inner;
	RangeTblEntry *archrte;

	if (!OidIsValid(t->archive) || get_rel_name(t->archive) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("archive table of table \"%s\" does not exist",
						get_rel_name(rte->relid))));
	if (rte->relid != t->root || (!rte->inh && has_subclass(rte->relid)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" cannot be read on its own while softdelete.as_of is set",
						get_rel_name(rte->relid)),
				 errdetail("The archive of \"%s\" holds the rows of its whole tree.",
						   get_rel_name(t->root)),
				 errhint("Read \"%s\" itself, with its children.",
						 get_rel_name(t->root))));

	/* the lock parse analysis would take, also when the template is kept */
	rel = relation_open(rte->relid, NoLock);
	arch = relation_open(t->archive, AccessShareLock);
	if (arch->rd_rel->relrowsecurity)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("archive table \"%s\" has row-level security: it cannot be read while softdelete.as_of is set",
						RelationGetRelationName(arch))));
	sub = sd_as_of_template(rte->relid, rte->inh, t, rel, arch);
	relation_close(arch, NoLock);
	relation_close(rel, NoLock);
	sub = (Query *) sd_as_of_param_mutator((Node *) sub, &ts);
	/* the live branch reads as the entry did; the archive as its user */
	branch = rt_fetch(1, sub->rtable)->subquery;
	inner = rt_fetch(1, branch->rtable);
	inner->securityQuals = (List *) copyObject(rte->securityQuals);
	ChangeVarNodes((Node *) inner->securityQuals, rti, 1, 0);
	archrte = rt_fetch(1, rt_fetch(2, sub->rtable)->subquery->rtable);
	sd_take_permissions(query, rte, branch, inner,
						rt_fetch(2, sub->rtable)->subquery, archrte);
	sd_rte_becomes_subquery(rte, sub);
	return sub;
}

/*
 * Apply softdelete.as_of (at ts) to one query level, whose enabled tables
 * are tables (by range table index, as visibility.c's walk finds them):
 * every reference to one becomes a subquery that gives the table as it
 * was.  A flag-mode table: its rows with "flag IS NULL OR flag > ts" (under
 * include_deleted = only "flag <= ts", under on all of them), the flag read
 * as it was then (NULL for a row deleted later).  An archive-mode table:
 * sd_archive_as_of.  Returns the subqueries made, which need no walk.
 */
List *
sd_as_of_level(Query *query, SdTable *tables, SdInclude include,
			   TimestampTz ts)
{
	List	   *made = NIL;
	int			rti;

	if (query->rowMarks != NIL)
		sd_as_of_refuse("SELECT FOR UPDATE/SHARE");
	for (rti = 1; rti <= list_length(query->rtable); rti++)
	{
		SdTable    *t = &tables[rti - 1];
		RangeTblEntry *rte = rt_fetch(rti, query->rtable);
		SdSysColumns sys;
		Query	   *sub;

		if (!OidIsValid(t->relid))
			continue;
		memset(&sys, 0, sizeof(sys));
		sys.rti = rti;
		(void) query_tree_walker(query, sd_syscolumns_walker, &sys, 0);
		if (sys.attnos != NIL || rte->tablesample != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s of table \"%s\" cannot be read while softdelete.as_of is set",
							sys.attnos != NIL ? "system columns" : "a sample",
							get_rel_name(rte->relid)),
					 errdetail("The table is read as it was then, through a subquery.")));
		if (t->mode == SD_MODE_ARCHIVE)
			sub = sd_archive_as_of(query, rti, t, ts);
		else
		{
			Node	   *qual = NULL;

			sd_require_flag_column(t);
			if (SD_FLAG_IS_BOOL(t))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("table \"%s\" cannot be read as of a time: its soft-delete flag \"%s\" is a boolean",
								get_rel_name(rte->relid), NameStr(t->column_name)),
						 errdetail("A boolean flag does not say when a row was deleted.")));
			if (include != SD_INCLUDE_ON)
				qual = sd_flag_qual_as_of(1, t, include == SD_INCLUDE_ONLY, ts);
			sub = sd_subquery_over(query, rti, t, qual,
								   sd_flag_value_as_of(1, t, ts));
		}
		made = lappend(made, sub);
	}
	return made;
}
