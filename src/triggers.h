/*-------------------------------------------------------------------------
 *
 * triggers.h
 *		triggers.c: the triggers softdelete places on a table tree
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_TRIGGERS_H
#define SOFTDELETE_TRIGGERS_H

#include "catalog.h"

#define SD_ARCHIVE_TRIGGER "softdelete_archive"
#define SD_REF_TRIGGER "softdelete_ref"
extern List *sd_tree_tables(Oid relid, bool own_only);
extern void sd_refresh_truncate_guards(Oid relid);
extern void sd_create_triggers(Oid relid, SdMode mode, bool versions,
							   const char *flag_column, const char *archive);
extern void sd_drop_triggers(Oid relid, SdMode mode);
extern void sd_fk_trigger(Oid rel, const char *flag_column, bool create);
extern void sd_fk_ensure_triggers(Oid relid);
extern void sd_ref_ensure_trigger(Oid relid, bool may_drop);

#endif							/* SOFTDELETE_TRIGGERS_H */
