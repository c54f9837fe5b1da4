/*-------------------------------------------------------------------------
 *
 * functions.h
 *		functions.c: the SQL-callable functions (the API)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_FUNCTIONS_H
#define SOFTDELETE_FUNCTIONS_H

#include "catalog.h"

extern void sd_restore_require(Oid relid, const SdTable *t);

#endif							/* SOFTDELETE_FUNCTIONS_H */
