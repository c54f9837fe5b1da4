/*-------------------------------------------------------------------------
 *
 * sql.h
 *		sql.c: SQL text and SPI
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_SQL_H
#define SOFTDELETE_SQL_H

#include "nodes/primnodes.h"

extern char *sd_qualified_name(Oid relid);
extern char *sd_table_literal(Oid relid);
extern Node *sd_actor_expr(Oid typid, int32 typmod);
extern Expr *sd_counted_stamp(Expr *stamp, Oid root);
extern Oid	sd_ref_needed_oid(void);
extern void sd_spi_exec(const char *sql, int expected);

#endif							/* SOFTDELETE_SQL_H */
