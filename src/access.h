/*-------------------------------------------------------------------------
 *
 * access.h
 *		access.c: grants of deleted rows and erasure (softdelete.access)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_ACCESS_H
#define SOFTDELETE_ACCESS_H

#include "utils/relcache.h"

typedef enum SdAccess
{
	SD_ACCESS_READ_DELETED = 0, /* include_deleted, as_of, restore */
	SD_ACCESS_ERASE				/* hard_delete, purge, TRUNCATE */
} SdAccess;
extern void sd_access_init(void);
extern Oid	sd_access_relid(void);
extern Oid	sd_rel_owner(Oid relid);
extern bool sd_access_allowed(Oid root, SdAccess what, Oid user);
extern void sd_access_require(Oid root, Oid relid, SdAccess what, Oid user);
extern void sd_access_require_erase_row(Relation rel);
extern void sd_access_forget(Oid relid);
extern char *sd_access_of_role(Oid role, bool forget);

#endif							/* SOFTDELETE_ACCESS_H */
