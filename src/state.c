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

#include "softdelete.h"

/* Settings (softdelete.c defines them) */
int			sd_include_deleted = SD_INCLUDE_OFF;
bool		sd_hard_delete = false;
char	   *sd_as_of_string = NULL;
char	   *sd_retention_databases = NULL;
int			sd_retention_interval = 3600;
bool		sd_as_of_set = false;	/* softdelete.as_of is a time ... */
TimestampTz sd_as_of = 0;		/* ... this one */

/*
 * While softdelete.as_of is set, nothing may be written (the SQLSTATE of a
 * read-only transaction): what is refused.
 */
void
sd_as_of_refuse(const char *what)
{
	if (sd_as_of_set)
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

/*
 * What restore and purge ask of the statement they run, for table
 * sd_exempt_relid (softdelete.h): every query planned for it until it
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
