/*-------------------------------------------------------------------------
 *
 * registry.h
 *		registry.c: the registry's rows written (enable, disable, the
 *		changes they follow) and the archive dependency
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_REGISTRY_H
#define SOFTDELETE_REGISTRY_H

#include "catalog.h"

extern void sd_registry_link_archive(Oid live, Oid archive, bool link);
extern void sd_registry_add(Oid relid, SdMode mode, const char *column_name,
							Oid archive, bool versions);
extern void sd_registry_remove(Oid relid);
extern bool sd_registry_set_deleted_by(Oid relid, const char *column);
extern bool sd_registry_live_indexes(Oid relid, List **rebuilt, List **deleted);
extern bool sd_registry_set_live_indexes(Oid relid, List *rebuilt,
										 List *deleted);
extern void sd_registry_rename_column(Oid relid, const char *newname);
extern bool sd_registry_set_retention(Oid relid, Datum keep, bool isnull);

#endif							/* SOFTDELETE_REGISTRY_H */
