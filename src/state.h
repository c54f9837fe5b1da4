/*-------------------------------------------------------------------------
 *
 * state.h
 *		state.c: settings' values and the internal bypasses
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_STATE_H
#define SOFTDELETE_STATE_H

#include "datatype/timestamp.h"

/* softdelete.include_deleted: which rows queries see */
typedef enum SdInclude
{
	SD_INCLUDE_OFF = 0,			/* live rows (the filter) */
	SD_INCLUDE_ON,				/* every row (no filter) */
	SD_INCLUDE_ONLY				/* deleted rows only (the filter negated) */
} SdInclude;
extern uint64 sd_who_why_version;
extern void sd_assign_who_why(const char *newval, void *extra);
extern int	sd_include_deleted;
extern char *sd_as_of_string;

/*
 * Where a setting's value was set: at top level, or inside a security
 * boundary (a SECURITY DEFINER function, a restricted operation) as userid.
 * Carried by the value itself (its GUC extra), so that core's own undoing
 * of SET LOCAL and of a function's SET clause brings the origin back too.
 */
typedef struct SdOrigin
{
	Oid			userid;
	bool		boundary;
} SdOrigin;
extern char *sd_actor;
extern char *sd_actor_now(void);
extern char *sd_reason;
extern char *sd_reason_now(void);
extern bool sd_undoing;
extern SdOrigin sd_include_origin;
extern SdOrigin sd_hard_delete_origin;
extern SdOrigin sd_as_of_origin;
extern bool sd_in_boundary(SdOrigin *where);
extern SdOrigin sd_origin_here(void);
extern SdInclude sd_include_now(void);
extern bool sd_hard_delete_now(void);
extern bool sd_as_of_now(TimestampTz *ts);
extern char *sd_retention_databases;
extern int	sd_retention_interval;
extern bool sd_as_of_set;
extern TimestampTz sd_as_of;
extern void sd_as_of_refuse(const char *what);
extern bool sd_hard_delete;

/*
 * Depth of the internal bypasses: statements softdelete itself runs or lets
 * through unfiltered (ALTER TABLE's foreign-key validation, pg_dump's cursor).
 */
extern int	sd_bypass_depth;

/*
 * Depth of the statements that read every row as include_deleted = on
 * does, grants checked (pg_dump --inserts' cursor).
 */
extern int	sd_reads_all_depth;

/*
 * Set by restore and purge just before they run their own statement: the
 * planner hook takes it at its next call and leaves that statement's target
 * table unfiltered (and, for purge, not turned into an UPDATE).
 */
typedef enum SdExempt
{
	SD_EXEMPT_NONE = 0,
	SD_EXEMPT_FILTER,			/* restore: see deleted rows of the target */
	SD_EXEMPT_FILTER_AND_DELETE /* purge: and delete them physically */
} SdExempt;
extern SdExempt sd_exempt_next;
extern Oid	sd_exempt_relid;
extern void sd_exempt(SdExempt what, Oid relid);
extern int	sd_cascade_stamp_param;
extern Oid	sd_cascade_stamp_type;

/* Physical deletes softdelete itself asked for (purge). */
extern int	sd_erasing_depth;

/* restore's statement is next (archive.c, archive_restore.c) */
extern bool sd_archive_restoring;

#endif							/* SOFTDELETE_STATE_H */
