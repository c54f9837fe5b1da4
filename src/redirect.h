/*-------------------------------------------------------------------------
 *
 * redirect.h
 *		redirect.c: DELETE into a soft delete; the guard against physical ones
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_REDIRECT_H
#define SOFTDELETE_REDIRECT_H

#include "nodes/parsenodes.h"

#include "catalog.h"

extern void sd_stamp_actor_of_update(Query *query, const SdTable *t);
extern void sd_redirect_delete(Query *query, const SdTable *t, bool filtered);
extern void sd_redirect_merge(Query *query, const SdTable *t, bool filtered);
extern void sd_check_truncate(List *relids, bool hard);

#endif							/* SOFTDELETE_REDIRECT_H */
