/*-------------------------------------------------------------------------
 *
 * stamp.c
 *		The flag column: how it says live or deleted (a timestamp: NULL is
 *		live, a stamp deleted; a boolean: true is deleted, false and NULL
 *		live), as a qual, as SQL text and in a tuple; what a soft delete
 *		writes into it; and the instants a stamp (rounded to the column's
 *		precision, in UTC for a timestamp without time zone) stands for.
 *
 * Calls: catalog.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "stamp.h"
#include "state.h"

/* The types a flag column may have. */
bool
sd_flag_type_ok(Oid typid)
{
	return typid == TIMESTAMPTZOID || typid == TIMESTAMPOID || typid == BOOLOID;
}

/* Is node the flag column of range table entry rti, at this query level? */
static bool
sd_is_flag_var(Node *node, Index rti, const SdTable *t)
{
	Var		   *var = (Var *) node;

	return node != NULL && IsA(node, Var) && var->varno == (int) rti &&
		var->varattno == t->flag_attno && var->varlevelsup == 0;
}

/* Is node a non-NULL boolean constant of value val? */
static bool
sd_is_bool_const(Node *node, bool val)
{
	Const	   *c = (Const *) node;

	return node != NULL && IsA(node, Const) && c->consttype == BOOLOID &&
		!c->constisnull && DatumGetBool(c->constvalue) == val;
}

/*
 * The qual that keeps the live rows of range table entry rti of table t, or
 * with deleted its deleted rows: what one writes by hand, and what the
 * application's own partial indexes say.  A timestamp: "flag IS NULL" ("IS
 * NOT NULL").  A NOT NULL boolean: "NOT flag" ("flag"), which an index
 * WHERE NOT flag (or WHERE flag = false, which PostgreSQL reads the same
 * way) serves.  A nullable boolean: "flag IS NOT TRUE" ("flag IS TRUE"), so
 * that a NULL counts as live.
 */
Node *
sd_flag_qual(Index rti, const SdTable *t, bool deleted)
{
	Var		   *var;

	sd_require_flag_column(t);
	var = makeVar(rti, t->flag_attno, t->flag_type, t->flag_typmod,
				  InvalidOid, 0);
	if (SD_FLAG_IS_BOOL(t))
	{
		BooleanTest *bt;

		if (t->flag_notnull)
			return deleted ? (Node *) var :
				(Node *) makeBoolExpr(NOT_EXPR, list_make1(var), -1);
		bt = makeNode(BooleanTest);
		bt->arg = (Expr *) var;
		bt->booltesttype = deleted ? IS_TRUE : IS_NOT_TRUE;
		bt->location = -1;
		return (Node *) bt;
	}
	else
	{
		NullTest   *nt = makeNode(NullTest);

		nt->arg = (Expr *) var;
		nt->nulltesttype = deleted ? IS_NOT_NULL : IS_NULL;
		nt->argisrow = false;
		nt->location = -1;
		return (Node *) nt;
	}
}

/*
 * Does clause, a conjunct of a query's own quals, already keep only the
 * live rows of rti (with deleted, only its deleted rows), so that the
 * filter would add nothing?  The spellings applications use: "deleted_at
 * IS NULL"; for a boolean "NOT deleted", "deleted = false", "deleted <>
 * true", "deleted IS FALSE", "deleted IS NOT TRUE" (and "deleted",
 * "deleted = true", "deleted <> false", "deleted IS TRUE" for deleted rows).
 */
bool
sd_flag_qual_matches(Node *clause, Index rti, const SdTable *t, bool deleted)
{
	if (clause == NULL || t->flag_attno == InvalidAttrNumber)
		return false;
	if (!SD_FLAG_IS_BOOL(t))
		return IsA(clause, NullTest) &&
			!((NullTest *) clause)->argisrow &&
			((NullTest *) clause)->nulltesttype == (deleted ? IS_NOT_NULL : IS_NULL) &&
			sd_is_flag_var((Node *) ((NullTest *) clause)->arg, rti, t);
	if (deleted && sd_is_flag_var(clause, rti, t))
		return true;
	if (!deleted && is_notclause(clause))
		return sd_is_flag_var((Node *) get_notclausearg((Expr *) clause), rti, t);
	if (IsA(clause, BooleanTest))
	{
		BooleanTest *bt = (BooleanTest *) clause;

		return sd_is_flag_var((Node *) bt->arg, rti, t) &&
			(deleted ? bt->booltesttype == IS_TRUE :
			 (bt->booltesttype == IS_FALSE || bt->booltesttype == IS_NOT_TRUE));
	}
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);
		bool		val;

		if (op->opno == BooleanEqualOperator)
			val = deleted;		/* "= false" keeps the live rows */
		else if (op->opno == BooleanNotEqualOperator)
			val = !deleted;		/* "<> true" keeps the live rows */
		else
			return false;
		return (sd_is_flag_var(l, rti, t) && sd_is_bool_const(r, val)) ||
			(sd_is_flag_var(r, rti, t) && sd_is_bool_const(l, val));
	}
	return false;
}

/* The same qual as SQL text, over column expression col (quoted). */
char *
sd_flag_sql(const char *col, const SdTable *t, bool deleted)
{
	if (!SD_FLAG_IS_BOOL(t))
		return psprintf("%s IS %sNULL", col, deleted ? "NOT " : "");
	if (t->flag_notnull)
		return psprintf("%s%s", deleted ? "" : "NOT ", col);
	return psprintf("%s IS %sTRUE", col, deleted ? "" : "NOT ");
}

/* What restore writes into the flag column. */
const char *
sd_flag_live_value(const SdTable *t)
{
	return SD_FLAG_IS_BOOL(t) ? "false" : "NULL";
}

/* Is tuple tup (of descriptor desc) of table t a deleted row? */
bool
sd_flag_deleted(HeapTuple tup, TupleDesc desc, const SdTable *t)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, t->flag_attno, desc, &isnull);

	if (isnull)
		return false;
	return SD_FLAG_IS_BOOL(t) ? DatumGetBool(d) : true;
}

/*
 * now() as a value of the flag column's type, before its typmod: for a
 * timestamp (without time zone) column, the time in UTC, whatever the
 * session's TimeZone.  That is what Rails and Laravel keep in such
 * columns, and it makes a stamp mean one instant for purge and restore.
 */
Node *
sd_now_expr(Oid flag_type)
{
	Node	   *now = (Node *) makeFuncExpr(F_NOW, TIMESTAMPTZOID, NIL,
											InvalidOid, InvalidOid,
											COERCE_EXPLICIT_CALL);

	if (flag_type != TIMESTAMPOID)
		return now;
	return (Node *) makeFuncExpr(F_TIMEZONE_TEXT_TIMESTAMPTZ, TIMESTAMPOID,
								 list_make2(makeConst(TEXTOID, -1,
													  DEFAULT_COLLATION_OID, -1,
													  CStringGetTextDatum("UTC"),
													  false, false),
											now),
								 InvalidOid, DEFAULT_COLLATION_OID,
								 COERCE_EXPLICIT_CALL);
}

/*
 * Stamps are instants: a timestamptz value, or a timestamp one read as UTC.
 * Both are microseconds since 2000-01-01 UTC, so the Datum is the instant.
 * A column with fewer than 6 fractional digits rounds the instant it
 * stamps, as core's typmod coercion does (half away from zero).
 */
TimestampTz
sd_round_stamp(TimestampTz ts, int32 typmod)
{
	int64		scale = 1;
	int			i;

	if (typmod < 0 || typmod >= 6)
		return ts;
	for (i = typmod; i < 6; i++)
		scale *= 10;
	if (ts >= 0)
		return ((ts + scale / 2) / scale) * scale;
	return -((((-ts) + scale / 2) / scale) * scale);
}

/*
 * The instants T of a transaction whose DELETE stamped stamp into a column
 * of typmod typmod: sd_round_stamp(T, typmod) = stamp, for T in [lo, hi].
 * A restore cascade brings back the children whose stamp is one that the
 * same T gives in their own column.
 */
void
sd_stamp_window(TimestampTz stamp, int32 typmod, TimestampTz *lo,
				TimestampTz *hi)
{
	int64		scale = 1;
	int			i;

	*lo = *hi = stamp;
	if (typmod < 0 || typmod >= 6)
		return;
	for (i = typmod; i < 6; i++)
		scale *= 10;
	if (stamp >= 0)
	{
		*lo = stamp - scale / 2;
		*hi = stamp + scale / 2 - 1;
	}
	else
	{
		*lo = stamp - scale / 2 + 1;
		*hi = stamp + scale / 2;
	}
}

/*
 * The value a DELETE stores in the flag column of range table entry rti:
 * now(), the transaction's start, so one transaction's deletes share a
 * stamp.  When the target is not filtered (include_deleted), rows deleted
 * earlier keep their stamp: coalesce(flag, now()).
 */
Expr *
sd_stamp_expr(Index rti, const SdTable *t, bool filtered)
{
	Node	   *now;

	sd_require_flag_column(t);

	/* a boolean says deleted, whatever it said before */
	if (SD_FLAG_IS_BOOL(t))
		return (Expr *) makeBoolConst(true, false);
	now = sd_now_expr(t->flag_type);
	/* a cascade: the parent's stamp, which the application may have set */
	if (sd_cascade_stamp_param > 0 && sd_cascade_stamp_type == t->flag_type)
	{
		Param	   *p = makeNode(Param);
		CoalesceExpr *c = makeNode(CoalesceExpr);

		p->paramkind = PARAM_EXTERN;
		p->paramid = sd_cascade_stamp_param;
		p->paramtype = t->flag_type;
		p->paramtypmod = -1;
		p->paramcollid = InvalidOid;
		p->location = -1;
		c->coalescetype = t->flag_type;
		c->coalescecollid = InvalidOid;
		c->args = list_make2(p, now);
		c->location = -1;
		now = (Node *) c;
	}
	now = coerce_to_target_type(NULL, now, exprType(now),
								t->flag_type, t->flag_typmod,
								COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (now == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("soft-delete flag column \"%s\" of table \"%s\" has type %s",
						NameStr(t->column_name), get_rel_name(t->relid),
						format_type_be(t->flag_type)),
				 errhint("The flag column must be of type timestamptz, timestamp or boolean.")));
	if (!filtered)
	{
		CoalesceExpr *c = makeNode(CoalesceExpr);

		c->coalescetype = t->flag_type;
		c->coalescecollid = InvalidOid;
		c->args = list_make2(makeVar(rti, t->flag_attno, t->flag_type,
									 t->flag_typmod, InvalidOid, 0),
							 now);
		c->location = -1;
		now = (Node *) c;
	}
	return (Expr *) now;
}

/* ---------------------------------------------------------------------
 * softdelete.as_of: the flag column as it was at a time
 * ---------------------------------------------------------------------
 */

/* The time ts as a constant of the flag's type (timestamp holds UTC). */
static Const *
sd_as_of_const(Oid type, TimestampTz ts)
{
	return makeConst(type, -1, InvalidOid, sizeof(TimestampTz),
					 TimestampTzGetDatum(ts), false, FLOAT8PASSBYVAL);
}

/*
 * "var <op> ts" with the btree operator of strategy for the flag's type.
 * The operators are looked up once per backend (GetDefaultOpClass reads
 * pg_opclass, which has no cache): the planner hook builds these for every
 * reference under softdelete.as_of.
 */
static Expr *
sd_stamp_compare(Var *var, int16 strategy, TimestampTz ts)
{
	static Oid	ops[2][2];		/* [timestamptz, timestamp][<=, >] */
	int			t = var->vartype == TIMESTAMPTZOID ? 0 : 1;
	int			s = strategy == BTLessEqualStrategyNumber ? 0 : 1;
	Oid			opno = ops[t][s];

	Assert(var->vartype == TIMESTAMPTZOID || var->vartype == TIMESTAMPOID);
	Assert(strategy == BTLessEqualStrategyNumber ||
		   strategy == BTGreaterStrategyNumber);
	if (!OidIsValid(opno))
	{
		Oid			opclass = GetDefaultOpClass(var->vartype, BTREE_AM_OID);

		opno = get_opfamily_member(get_opclass_family(opclass), var->vartype,
								   var->vartype, strategy);
		if (!OidIsValid(opno))
			elog(ERROR, "softdelete: no comparison for type %u", var->vartype);
		ops[t][s] = opno;
	}
	return make_opclause(opno, BOOLOID, false, (Expr *) var,
						 (Expr *) sd_as_of_const(var->vartype, ts),
						 InvalidOid, InvalidOid);
}

/*
 * The qual that keeps the rows of rti that were live at ts: "flag IS NULL
 * OR flag > ts" (with deleted, those deleted by then: "flag <= ts").  Only
 * a timestamp flag knows when (the caller refuses a boolean).
 */
Node *
sd_flag_qual_as_of(Index rti, const SdTable *t, bool deleted, TimestampTz ts)
{
	Var		   *var;

	sd_require_flag_column(t);
	Assert(!SD_FLAG_IS_BOOL(t));
	var = makeVar(rti, t->flag_attno, t->flag_type, t->flag_typmod,
				  InvalidOid, 0);
	if (deleted)
		return (Node *) sd_stamp_compare(var, BTLessEqualStrategyNumber, ts);
	return (Node *) makeBoolExpr(OR_EXPR,
								 list_make2(sd_flag_qual(rti, t, false),
											sd_stamp_compare(copyObject(var),
															 BTGreaterStrategyNumber,
															 ts)),
								 -1);
}

/*
 * The flag column of rti as it was at ts: "CASE WHEN flag > ts THEN NULL
 * ELSE flag END" (a row deleted later was live then).
 */
Expr *
sd_flag_value_as_of(Index rti, const SdTable *t, TimestampTz ts)
{
	Var		   *var = makeVar(rti, t->flag_attno, t->flag_type, t->flag_typmod,
							  InvalidOid, 0);
	CaseExpr   *c = makeNode(CaseExpr);
	CaseWhen   *w = makeNode(CaseWhen);

	w->expr = sd_stamp_compare(var, BTGreaterStrategyNumber, ts);
	w->result = (Expr *) makeNullConst(t->flag_type, t->flag_typmod, InvalidOid);
	w->location = -1;
	c->casetype = t->flag_type;
	c->casecollid = InvalidOid;
	c->arg = NULL;
	c->args = list_make1(w);
	c->defresult = (Expr *) copyObject(var);
	c->location = -1;
	return (Expr *) c;
}
