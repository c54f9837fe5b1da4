/*-------------------------------------------------------------------------
 *
 * inlining.c
 *		SQL functions the planner would inline: their bodies never reach the
 *		planner hook, so a function whose body reads an enabled table (directly
 *		or through a view) is kept from being inlined (needs_fmgr_hook) and runs
 *		through fmgr_sql, which plans its body through the hook.  The answers
 *		are cached per function.
 *
 * Calls: catalog.c.
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
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
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

#include "catalog.h"
#include "inlining.h"

/* ---------------------------------------------------------------------
 * SQL functions the planner would inline
 * ---------------------------------------------------------------------
 */
typedef struct SdFuncEntry
{
	Oid			fn_oid;
	bool		needs_hook;
	uint32		hashvalue;		/* of fn_oid in the pg_proc syscache */
} SdFuncEntry;

static HTAB *sd_func_cache = NULL;
static MemoryContext sd_func_cxt = NULL;
static uint64 sd_func_generation = 0;
static bool sd_func_computing = false;
static uint64 sd_func_invals = 0;	/* pg_proc invalidations seen */

/*
 * A body's unqualified names resolve through search_path, so the answers
 * hold for one search_path and one user ($user): a change of either empties
 * the cache.
 */
static char *sd_func_path = NULL;
static Oid	sd_func_user = InvalidOid;

static void
sd_func_cache_reset(void)
{
	if (sd_func_cxt == NULL)
		sd_func_cxt = AllocSetContextCreate(CacheMemoryContext,
											"softdelete function cache",
											ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(sd_func_cxt);
	sd_func_cache = sd_oid_hash("softdelete functions", sizeof(SdFuncEntry),
								sd_func_cxt);
	sd_func_generation = sd_catalog_generation;
	sd_func_path = MemoryContextStrdup(sd_func_cxt,
									   namespace_search_path ? namespace_search_path : "");
	sd_func_user = GetUserId();
}

/* Are the cached answers still those of this search_path and user? */
static bool
sd_func_cache_current(void)
{
	return sd_func_cache != NULL &&
		sd_func_generation == sd_catalog_generation &&
		sd_func_user == GetUserId() &&
		strcmp(sd_func_path,
			   namespace_search_path ? namespace_search_path : "") == 0;
}

/*
 * A change of a function forgets that function's answer only (a change of
 * pg_proc as a whole, hashvalue 0, forgets all of them, lazily).
 */
static void
sd_proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	SdFuncEntry *e;

	sd_func_invals++;
	if (hashvalue == 0 || sd_func_cache == NULL)
	{
		sd_func_generation = 0;
		return;
	}
	hash_seq_init(&status, sd_func_cache);
	while ((e = hash_seq_search(&status)) != NULL)
		if (e->hashvalue == hashvalue)
			(void) hash_search(sd_func_cache, &e->fn_oid, HASH_REMOVE, NULL);
}

void
sd_inlining_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, sd_proc_callback, (Datum) 0);
}

static bool sd_relation_reads_enabled(Oid relid, int depth);

typedef struct SdReadsContext
{
	int			depth;
	Oid			self;			/* the view being examined, if any */
} SdReadsContext;

/* Does an analyzed query tree read an enabled table, directly or by a view? */
static bool
sd_query_reads_enabled(Node *node, SdReadsContext *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		ListCell   *lc;

		foreach(lc, q->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->rtekind == RTE_RELATION && rte->relid != ctx->self &&
				sd_relation_reads_enabled(rte->relid, ctx->depth))
				return true;
		}
		return query_tree_walker(q, sd_query_reads_enabled, ctx, 0);
	}
	return expression_tree_walker(node, sd_query_reads_enabled, ctx);
}

/* Is relid enabled, or a view that reads an enabled table? */
static bool
sd_relation_reads_enabled(Oid relid, int depth)
{
	Relation	rel;
	SdReadsContext ctx;
	bool		result;

	if (sd_catalog_lookup(relid, NULL))
		return true;
	if (get_rel_relkind(relid) != RELKIND_VIEW)
		return false;
	if (depth > 32)
		return true;			/* when in doubt, do not inline */

	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		return false;
	ctx.depth = depth + 1;
	ctx.self = relid;
	result = sd_query_reads_enabled((Node *) get_view_query(rel), &ctx);
	relation_close(rel, AccessShareLock);
	return result;
}

/* Names of the CTEs of a raw statement (they are not tables). */
static bool
sd_raw_cte_names(Node *node, List **names)
{
	if (node == NULL)
		return false;
	if (IsA(node, CommonTableExpr))
		*names = lappend(*names, ((CommonTableExpr *) node)->ctename);
	return raw_expression_tree_walker(node, sd_raw_cte_names, names);
}

/*
 * Does a raw (unanalyzed) statement name an enabled table or such a view?
 * A name that resolves to nothing (yet) counts as yes: by the time the body
 * runs, it could be an enabled table or a view over one.
 */
static bool
sd_raw_reads_enabled(Node *node, List **ctenames)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;
		Oid			relid;
		ListCell   *lc;

		if (rv->schemaname == NULL)
			foreach(lc, *ctenames)
				if (strcmp(rv->relname, (char *) lfirst(lc)) == 0)
					return false;
		relid = RangeVarGetRelid(rv, NoLock, true);
		return !OidIsValid(relid) || sd_relation_reads_enabled(relid, 0);
	}
	return raw_expression_tree_walker(node, sd_raw_reads_enabled, ctenames);
}

/* Does the body of SQL function tuple proctup read an enabled table? */
static bool
sd_sql_body_reads_enabled(HeapTuple proctup)
{
	bool		isnull;
	Datum		d;

	d = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosqlbody, &isnull);
	if (!isnull)
	{
		SdReadsContext ctx = {0, InvalidOid};

		return sd_query_reads_enabled(stringToNode(TextDatumGetCString(d)),
									  &ctx);
	}

	d = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosrc, &isnull);
	if (!isnull)
	{
		MemoryContext oldcxt = CurrentMemoryContext;
		List	   *stmts = NIL;
		ListCell   *lc;

		/* A body that does not parse cannot be inlined either. */
		PG_TRY();
		{
			stmts = raw_parser(TextDatumGetCString(d), RAW_PARSE_DEFAULT);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(oldcxt);
			FlushErrorState();
			return false;
		}
		PG_END_TRY();

		foreach(lc, stmts)
		{
			Node	   *stmt = lfirst_node(RawStmt, lc)->stmt;

			switch (nodeTag(stmt))
			{
				case T_SelectStmt:
				case T_InsertStmt:
				case T_UpdateStmt:
				case T_DeleteStmt:
				case T_MergeStmt:
					{
						List	   *ctenames = NIL;

						(void) sd_raw_cte_names(stmt, &ctenames);
						if (sd_raw_reads_enabled(stmt, &ctenames))
							return true;
					}
					break;
				default:
					break;
			}
		}
	}
	return false;
}

/*
 * needs_fmgr_hook: true for SQL functions whose body reads an enabled table.
 * Both of the planner's inliners skip such functions, so they run through
 * fmgr_sql, which plans their body through the planner hook.  Called on
 * every fmgr_info of a non-builtin function: cached per function.
 */
bool
sd_needs_fmgr_hook(Oid fn_oid)
{
	SdFuncEntry *e;
	HeapTuple	proctup;
	bool		result = false;
	uint64		invals;

	if (fn_oid < FirstGenbkiObjectId || sd_func_computing ||
		!IsTransactionState() || !sd_catalog_any_flag())
		return false;

	if (!sd_func_cache_current())
		sd_func_cache_reset();
	e = hash_search(sd_func_cache, &fn_oid, HASH_FIND, NULL);
	if (e != NULL)
		return e->needs_hook;

	invals = sd_func_invals;
	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(proctup))
		return false;
	if (((Form_pg_proc) GETSTRUCT(proctup))->prolang == SQLlanguageId)
	{
		sd_func_computing = true;
		PG_TRY();
		{
			result = sd_sql_body_reads_enabled(proctup);
		}
		PG_FINALLY();
		{
			sd_func_computing = false;
		}
		PG_END_TRY();
	}
	ReleaseSysCache(proctup);

	/* Cache it unless an invalidation arrived meanwhile. */
	if (sd_func_cache_current() && invals == sd_func_invals)
	{
		e = hash_search(sd_func_cache, &fn_oid, HASH_ENTER, NULL);
		e->needs_hook = result;
		e->hashvalue = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn_oid));
	}
	return result;
}
