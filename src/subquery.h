/*-------------------------------------------------------------------------
 *
 * subquery.h
 *		subquery.c: a reference to an enabled table made a subquery over
 *		the table (filtered, or as of a time)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_SUBQUERY_H
#define SOFTDELETE_SUBQUERY_H

#include "nodes/parsenodes.h"

#include "catalog.h"
#include "state.h"

extern void sd_wrap_in_subquery(Query *query, Index rti, const SdTable *t,
								bool deleted);
extern List *sd_as_of_level(Query *query, SdTable *tables, SdInclude include,
							TimestampTz ts);

#endif							/* SOFTDELETE_SUBQUERY_H */
