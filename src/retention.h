/*-------------------------------------------------------------------------
 *
 * retention.h
 *		retention.c: the background worker that purges by retention
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_RETENTION_H
#define SOFTDELETE_RETENTION_H

extern void sd_retention_register(void);

#endif							/* SOFTDELETE_RETENTION_H */
