/*-------------------------------------------------------------------------
 *
 * fkeys.h
 *		fkeys.c: foreign keys that understand soft delete
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_FKEYS_H
#define SOFTDELETE_FKEYS_H

#include "nodes/parsenodes.h"

#include "catalog.h"

struct EState;
struct ResultRelInfo;

extern void sd_fk_mark_key_updated(Query *query, RangeTblEntry *rte);
extern void sd_fk_require_ref_trigger(Oid relid);
extern void sd_fk_relax_key_checks(struct ResultRelInfo *rri,
								   struct EState *estate, const SdTable *t);
extern void sd_fk_lock_result_rel(struct ResultRelInfo *rri,
								  struct EState *estate, const SdTable *t);

#endif							/* SOFTDELETE_FKEYS_H */
