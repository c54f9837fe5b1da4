/*-------------------------------------------------------------------------
 *
 * statement.h
 *		statement.c: what softdelete changes in a started statement
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_STATEMENT_H
#define SOFTDELETE_STATEMENT_H

#include "utils/reltrigger.h"
#include "access/attnum.h"

struct EState;
struct ExprState;
struct ModifyTableState;
struct QueryDesc;
struct ResultRelInfo;

extern Trigger *sd_trigger_append(struct ResultRelInfo *rri, struct EState *estate,
								  const char *name, int16 tgtype);
extern void sd_trigger_remove(struct ResultRelInfo *rri, struct EState *estate,
							  const char *name);
extern Oid	sd_guard_function_oid(void);
typedef enum SdChecks
{
	SD_CHECKS_ALL,
	SD_CHECKS_FLAG,				/* those that read the flag column */
	SD_CHECKS_VALID				/* those validated (not NOT VALID) */
} SdChecks;
extern struct ExprState **sd_prepare_checks(struct ResultRelInfo *rri,
											struct EState *estate,
											SdChecks which, AttrNumber flag);
typedef void (*SdModifyTableFn) (struct ModifyTableState *mt, void *arg);
extern void sd_foreach_modifytable(struct QueryDesc *qd, SdModifyTableFn fn,
								   void *arg);

#endif							/* SOFTDELETE_STATEMENT_H */
