/*-------------------------------------------------------------------------
 *
 * deletions.h
 *		deletions.c: which transaction deleted what, who and why (1.7)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_DELETIONS_H
#define SOFTDELETE_DELETIONS_H

#include "nodes/pg_list.h"

#define SD_DELETIONS_NATTS		8
#define SD_DELETIONS_XID		1
#define SD_DELETIONS_RELID		2
#define SD_DELETIONS_SUBXIDS	3
#define SD_DELETIONS_ROWS		4
#define SD_DELETIONS_ACTOR		5
#define SD_DELETIONS_REASON		6
#define SD_DELETIONS_AT			7
#define SD_DELETIONS_ARRIVED	8
extern void sd_deletions_init(void);
extern void sd_deletions_note(Oid root, int64 n);
extern Oid	sd_deletions_relid(Oid *index);
extern void sd_deletions_forget(List *relids);

#endif							/* SOFTDELETE_DELETIONS_H */
