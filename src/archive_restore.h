/*-------------------------------------------------------------------------
 *
 * archive_restore.h
 *		archive_restore.c: rows back out of the archive
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_ARCHIVE_RESTORE_H
#define SOFTDELETE_ARCHIVE_RESTORE_H

#include "catalog.h"

extern uint64 sd_restore_archive(Oid relid, const SdTable *t, const char *filter);

#endif							/* SOFTDELETE_ARCHIVE_RESTORE_H */
