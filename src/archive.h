/*-------------------------------------------------------------------------
 *
 * archive.h
 *		archive.c: rows into the archive (the executor's sinks)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_ARCHIVE_H
#define SOFTDELETE_ARCHIVE_H

struct QueryDesc;

extern void sd_archive_executor_start(struct QueryDesc *qd, int eflags);
extern void sd_archive_executor_finish(struct QueryDesc *qd);
extern void sd_archive_executor_end(struct QueryDesc *qd);

#endif							/* SOFTDELETE_ARCHIVE_H */
