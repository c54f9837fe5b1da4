/*-------------------------------------------------------------------------
 *
 * indexes.h
 *		indexes.c: live indexes, over a flag-mode table's live rows (1.8)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_INDEXES_H
#define SOFTDELETE_INDEXES_H

#include "catalog.h"

extern bool sd_live_indexes_build(Oid relid, const char *colname);
extern void sd_live_indexes_give_back(Oid relid, const char *colname);
extern void sd_pack(Oid relid, const SdTable *t);

#endif							/* SOFTDELETE_INDEXES_H */
