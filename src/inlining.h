/*-------------------------------------------------------------------------
 *
 * inlining.h
 *		inlining.c: SQL functions the planner would inline
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_INLINING_H
#define SOFTDELETE_INLINING_H

extern void sd_inlining_init(void);
extern bool sd_needs_fmgr_hook(Oid fn_oid);

#endif							/* SOFTDELETE_INLINING_H */
