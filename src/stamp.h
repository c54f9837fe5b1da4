/*-------------------------------------------------------------------------
 *
 * stamp.h
 *		stamp.c: what a soft delete writes, and what a stamp stands for
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_STAMP_H
#define SOFTDELETE_STAMP_H

#include "catalog/pg_type.h"
#include "nodes/primnodes.h"
#include "access/htup.h"
#include "datatype/timestamp.h"

#include "catalog.h"

#define SD_FLAG_IS_BOOL(t) ((t)->flag_type == BOOLOID)
extern bool sd_flag_type_ok(Oid typid);
extern Node *sd_flag_qual(Index rti, const SdTable *t, bool deleted);
extern bool sd_flag_qual_matches(Node *clause, Index rti, const SdTable *t,
								 bool deleted);
extern char *sd_flag_sql(const char *col, const SdTable *t, bool deleted);
extern const char *sd_flag_live_value(const SdTable *t);
extern bool sd_flag_deleted(HeapTuple tup, TupleDesc desc, const SdTable *t);
extern Node *sd_now_expr(Oid flag_type);
extern Expr *sd_stamp_expr(Index rti, const SdTable *t, bool filtered);
extern TimestampTz sd_round_stamp(TimestampTz ts, int32 typmod);
extern void sd_stamp_window(TimestampTz stamp, int32 typmod, TimestampTz *lo,
							TimestampTz *hi);
extern Node *sd_flag_qual_as_of(Index rti, const SdTable *t, bool deleted,
								TimestampTz ts);
extern Expr *sd_flag_value_as_of(Index rti, const SdTable *t, TimestampTz ts);

#endif							/* SOFTDELETE_STAMP_H */
