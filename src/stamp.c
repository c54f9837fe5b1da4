/*-------------------------------------------------------------------------
 *
 * stamp.c
 *		The stamp: what a soft delete writes into the flag column, and the
 *		instants a stamp (rounded to the column's precision, in UTC for a
 *		timestamp without time zone) stands for.
 *
 * Calls: catalog.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
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

#include "softdelete.h"

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

	now = sd_now_expr(t->flag_type);
	now = coerce_to_target_type(NULL, now, exprType(now),
								t->flag_type, t->flag_typmod,
								COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (now == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("soft-delete flag column \"%s\" of table \"%s\" has type %s",
						NameStr(t->column_name), get_rel_name(t->relid),
						format_type_be(t->flag_type)),
				 errhint("The flag column must be of type timestamptz or timestamp.")));
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
