/*-------------------------------------------------------------------------
 *
 * restore_purge.h
 *		restore_purge.c: restore's and purge's checks, shared with the
 *		other SQL-callable functions
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_RESTORE_PURGE_H
#define SOFTDELETE_RESTORE_PURGE_H

#include "fmgr.h"

#include "catalog.h"

extern void sd_require_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern void sd_require_enabled(Oid relid, SdTable *t);
extern void sd_restore_require(Oid relid, const SdTable *t);

#endif							/* SOFTDELETE_RESTORE_PURGE_H */
