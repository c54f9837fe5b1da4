/*-------------------------------------------------------------------------
 *
 * state.c
 *		The per-backend state every layer reads: the settings' values (their
 *		definitions are in softdelete.c) and the internal bypasses.
 *
 * Ground floor: calls nothing of softdelete's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "state.h"

/*
 * Settings (softdelete.c defines them).  These are the values as SET; what
 * applies where a statement runs is sd_include_now(), sd_hard_delete_now()
 * and sd_as_of_now() below.
 */
int			sd_include_deleted = SD_INCLUDE_OFF;
bool		sd_hard_delete = false;
char	   *sd_as_of_string = NULL;
char	   *sd_retention_databases = NULL;
int			sd_retention_interval = 3600;
bool		sd_as_of_set = false;	/* softdelete.as_of is a time ... */
TimestampTz sd_as_of = 0;		/* ... this one */

/* softdelete.actor (1.6): who deletes. */
char	   *sd_actor = NULL;

/*
 * Who deletes: softdelete.actor (the application's own user), or, when it
 * is empty, the role of the session (current_role outside SECURITY DEFINER
 * functions: a cascade, which runs as the child's owner, records who asked).
 */
char *
sd_actor_now(void)
{
	if (sd_actor != NULL && sd_actor[0] != '\0')
		return pstrdup(sd_actor);
	return GetUserNameFromId(GetOuterUserId(), false);
}

/* softdelete.reason (1.7): why. */
char	   *sd_reason = NULL;

/*
 * Bumped whenever softdelete.actor or softdelete.reason takes a value (SET,
 * RESET, the end of a function's SET clause): the counting of deletions
 * compares it, not the strings' addresses, which a later value can reuse.
 */
uint64		sd_who_why_version = 0;

void
sd_assign_who_why(const char *newval, void *extra)
{
	sd_who_why_version++;
}

/* Why rows are deleted now: softdelete.reason, or NULL when it is empty. */
char *
sd_reason_now(void)
{
	return sd_reason != NULL && sd_reason[0] != '\0' ? pstrdup(sd_reason) : NULL;
}

/*
 * softdelete.undo() is restoring (1.7): it restores each table of the
 * transaction itself, so a restored row brings back no children of its own.
 */
bool		sd_undoing = false;

/* Where each value was set (the assign hooks copy it from the value's extra). */
SdOrigin	sd_include_origin = {InvalidOid, false};
SdOrigin	sd_hard_delete_origin = {InvalidOid, false};
SdOrigin	sd_as_of_origin = {InvalidOid, false};

/*
 * Security boundaries.  Inside a SECURITY DEFINER function (core runs it
 * with SECURITY_LOCAL_USERID_CHANGE) or a restricted operation (REFRESH
 * MATERIALIZED VIEW, the retention worker's purge), a value set by the
 * caller does not apply: only one set there, by the function's SET clause
 * or its own SET, as the same role.  Foreign-key actions and checks
 * (SECURITY_NOFORCE_RLS) are not boundaries: visibility.c bypasses them.
 */
bool
sd_in_boundary(SdOrigin *where)
{
	Oid			userid;
	int			sec;

	GetUserIdAndSecContext(&userid, &sec);
	if (where != NULL)
		where->userid = userid;
	return (sec & (SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION)) != 0 &&
		(sec & SECURITY_NOFORCE_RLS) == 0;
}

/* Where a value is being set: its origin. */
SdOrigin
sd_origin_here(void)
{
	SdOrigin	o;

	o.boundary = sd_in_boundary(&o);
	return o;
}

/*
 * Does a value that is not the default, set at origin o, apply here?  At
 * top level only one set at top level does; one set inside a definer
 * function that outlived it (SET without LOCAL) is refused, not ignored.
 * Inside a boundary, only one set inside a boundary as this very role.
 */
static bool
sd_applies(const SdOrigin *o, const char *name)
{
	Oid			userid;
	int			sec;

	GetUserIdAndSecContext(&userid, &sec);
	/* foreign-key actions and checks: as the statement that fired them */
	if ((sec & SECURITY_NOFORCE_RLS) != 0)
		return true;
	if ((sec & (SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION)) == 0)
	{
		if (o->boundary)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s was set inside a SECURITY DEFINER function and does not apply outside it",
							name),
					 errhint("SET %s again, or RESET it.", name)));
		return true;
	}
	return o->boundary && o->userid == userid;
}

/* softdelete.include_deleted where the statement runs. */
SdInclude
sd_include_now(void)
{
	if (sd_include_deleted == SD_INCLUDE_OFF ||
		!sd_applies(&sd_include_origin, "softdelete.include_deleted"))
		return SD_INCLUDE_OFF;
	return (SdInclude) sd_include_deleted;
}

/* softdelete.hard_delete where the statement runs. */
bool
sd_hard_delete_now(void)
{
	return sd_hard_delete &&
		sd_applies(&sd_hard_delete_origin, "softdelete.hard_delete");
}

/* softdelete.as_of where the statement runs: false, or true and the time. */
bool
sd_as_of_now(TimestampTz *ts)
{
	if (!sd_as_of_set || !sd_applies(&sd_as_of_origin, "softdelete.as_of"))
		return false;
	if (ts != NULL)
		*ts = sd_as_of;
	return true;
}

/*
 * While softdelete.as_of is set, nothing may be written (the SQLSTATE of a
 * read-only transaction): what is refused.
 */
void
sd_as_of_refuse(const char *what)
{
	if (sd_as_of_now(NULL))
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot execute %s while softdelete.as_of is set", what),
				 errdetail("Queries read enabled tables as they were at softdelete.as_of; nothing may be written into that time."),
				 errhint("RESET softdelete.as_of first.")));
}

/*
 * Depth of the internal bypasses: statements softdelete itself runs or lets
 * through unfiltered (ALTER TABLE's foreign-key validation, pg_dump's cursor).
 */
int			sd_bypass_depth = 0;

/* Statements that read every row, grants checked (pg_dump's cursor). */
int			sd_reads_all_depth = 0;

/*
 * What restore and purge ask of the statement they run, for table
 * sd_exempt_relid (state.h): every query planned for it until it
 * starts to execute, so the rule actions the rewriter adds (DO ALSO) too;
 * statements its triggers run are planned later, without it.
 */
SdExempt	sd_exempt_next = SD_EXEMPT_NONE;
Oid			sd_exempt_relid = InvalidOid;

/*
 * A foreign-key cascade's DELETE stamps the children with the parent's
 * stamp, its parameter number sd_cascade_stamp_param (0: none, now()), of
 * type sd_cascade_stamp_type; like the exemption, for the queries planned
 * for that statement until it starts to execute.
 */
int			sd_cascade_stamp_param = 0;
Oid			sd_cascade_stamp_type = InvalidOid;

/* Ask it for table relid (SD_EXEMPT_NONE: no more). */
void
sd_exempt(SdExempt what, Oid relid)
{
	sd_exempt_next = what;
	sd_exempt_relid = what == SD_EXEMPT_NONE ? InvalidOid : relid;
}

/* Physical deletes softdelete itself asked for (purge). */
int			sd_erasing_depth = 0;

/*
 * Set by restore just before it runs its statement; the next ExecutorStart
 * takes it (triggers of that statement run statements of their own).
 */
bool		sd_archive_restoring = false;
