/*-------------------------------------------------------------------------
 *
 * redirect_exec.h
 *		redirect_exec.c: the executor's share of a soft delete
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_REDIRECT_EXEC_H
#define SOFTDELETE_REDIRECT_EXEC_H

struct QueryDesc;
struct TriggerData;

/* the name of a MERGE DELETE action turned into an UPDATE */
#define SD_MERGE_DELETE "softdelete: DELETE action"

extern void sd_redirect_executor_start(struct QueryDesc *qd, int eflags);
extern void sd_check_row(struct TriggerData *td);
extern void sd_merge_row(struct TriggerData *td);

#endif							/* SOFTDELETE_REDIRECT_EXEC_H */
