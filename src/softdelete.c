/*-------------------------------------------------------------------------
 *
 * softdelete.c
 *		Module entry: _PG_init, the settings' registration, and every hook's
 *		entry point, each a few lines that call into the files that own the
 *		concern (and call the previous hook itself).
 *
 * Top floor: calls visibility.c, inlining.c, ddl.c, redirect_exec.c,
 * archive.c, keys.c, access.c, deletions.c, catalog.c, retention.c
 * (registers the worker), state.c; nothing calls into it.
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
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "access.h"
#include "archive.h"
#include "catalog.h"
#include "compat.h"
#include "ddl.h"
#include "deletions.h"
#include "inlining.h"
#include "keys.h"
#include "redirect_exec.h"
#include "retention.h"
#include "state.h"
#include "visibility.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

#ifndef SD_EXTVERSION
#error "SD_EXTVERSION (softdelete.control's default_version) is set by the Makefile"
#endif

/* softdelete.library_version: SD_EXTVERSION (read only) */
static char *sd_library_version = NULL;

/* Previous hooks, called in turn */
static planner_hook_type prev_planner_hook = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;

static PlannedStmt *sd_planner(SD_PLANNER_PARAMS);
static void sd_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							  bool readOnlyTree, ProcessUtilityContext context,
							  ParamListInfo params, QueryEnvironment *queryEnv,
							  DestReceiver *dest, QueryCompletion *qc);
static bool sd_needs_fmgr_hook_entry(Oid fn_oid);
static void sd_ExecutorStart(QueryDesc *queryDesc, int eflags);
static void sd_ExecutorFinish(QueryDesc *queryDesc);
static void sd_ExecutorEnd(QueryDesc *queryDesc);

/*
 * softdelete.include_deleted's values: off, on and only, and every spelling
 * of a boolean that it accepted before it had a third value (hidden).
 */
static const struct config_enum_entry sd_include_options[] = {
	{"off", SD_INCLUDE_OFF, false},
	{"on", SD_INCLUDE_ON, false},
	{"only", SD_INCLUDE_ONLY, false},
	{"false", SD_INCLUDE_OFF, true},
	{"true", SD_INCLUDE_ON, true},
	{"no", SD_INCLUDE_OFF, true},
	{"yes", SD_INCLUDE_ON, true},
	{"0", SD_INCLUDE_OFF, true},
	{"1", SD_INCLUDE_ON, true},
	/* the prefixes a boolean setting takes (parse_bool) */
	{"t", SD_INCLUDE_ON, true},
	{"tr", SD_INCLUDE_ON, true},
	{"tru", SD_INCLUDE_ON, true},
	{"y", SD_INCLUDE_ON, true},
	{"ye", SD_INCLUDE_ON, true},
	{"f", SD_INCLUDE_OFF, true},
	{"fa", SD_INCLUDE_OFF, true},
	{"fal", SD_INCLUDE_OFF, true},
	{"fals", SD_INCLUDE_OFF, true},
	{"n", SD_INCLUDE_OFF, true},
	{"of", SD_INCLUDE_OFF, true},
	{NULL, 0, false}
};

/*
 * Every value of softdelete's visibility settings carries where it was set
 * (state.c, sd_in_boundary) as its extra, which core keeps with the value
 * and restores with it.
 */
static bool
sd_check_origin(void **extra)
{
	SdOrigin   *o = SD_GUC_MALLOC(sizeof(SdOrigin));

	if (o == NULL)
		return false;
	*o = sd_origin_here();
	*extra = o;
	return true;
}

static bool
sd_check_include_deleted(int *newval, void **extra, GucSource source)
{
	return sd_check_origin(extra);
}

static bool
sd_check_hard_delete(bool *newval, void **extra, GucSource source)
{
	return sd_check_origin(extra);
}

/*
 * A change of a visibility setting changes what a cached plan must contain:
 * drop every cached plan, as core does for session_replication_role.
 */
static void
sd_assign_include_deleted(int newval, void *extra)
{
	if (newval != sd_include_deleted)
		ResetPlanCache();
	if (extra != NULL)
		sd_include_origin = *(SdOrigin *) extra;
}

static void
sd_assign_hard_delete(bool newval, void *extra)
{
	if (newval != sd_hard_delete)
		ResetPlanCache();
	if (extra != NULL)
		sd_hard_delete_origin = *(SdOrigin *) extra;
}

/*
 * Read str as a timestamptz, without raising an error (a check hook must
 * not): false with the parser's message as the setting's detail.
 */
static bool
sd_parse_timestamptz(const char *str, TimestampTz *ts)
{
#if PG_VERSION_NUM >= 160000
	ErrorSaveContext escontext = {T_ErrorSaveContext};
	Datum		d;

	escontext.details_wanted = true;
	if (!DirectInputFunctionCallSafe(timestamptz_in, (char *) str, InvalidOid,
									 -1, (Node *) &escontext, &d))
	{
		GUC_check_errdetail("%s", escontext.error_data->message);
		return false;
	}
	*ts = DatumGetTimestampTz(d);
	return true;
#else
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		*ts = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
													  CStringGetDatum(str),
													  ObjectIdGetDatum(InvalidOid),
													  Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		GUC_check_errdetail("%s", e->message);
		ok = false;
	}
	PG_END_TRY();
	return ok;
#endif
}

/*
 * softdelete.as_of: empty (off) or a finite timestamptz, read when it is
 * set (in the session's TimeZone); its value and origin go to the assign
 * hook.
 */
typedef struct SdAsOfExtra
{
	SdOrigin	origin;
	bool		set;
	TimestampTz ts;
} SdAsOfExtra;

static bool
sd_check_as_of(char **newval, void **extra, GucSource source)
{
	TimestampTz ts = 0;
	bool		set = *newval != NULL && (*newval)[0] != '\0';
	SdAsOfExtra *value;

	if (set)
	{
		if (!sd_parse_timestamptz(*newval, &ts))
			return false;
		if (TIMESTAMP_NOT_FINITE(ts))
		{
			GUC_check_errdetail("softdelete.as_of must be a finite time.");
			return false;
		}
	}
	value = SD_GUC_MALLOC(sizeof(SdAsOfExtra));
	if (value == NULL)
		return false;
	value->origin = sd_origin_here();
	value->set = set;
	value->ts = ts;
	*extra = value;
	return true;
}

static void
sd_assign_as_of(const char *newval, void *extra)
{
	SdAsOfExtra *v = (SdAsOfExtra *) extra;
	bool		set = v != NULL && v->set;
	TimestampTz ts = set ? v->ts : 0;

	if (set != sd_as_of_set || ts != sd_as_of)
		ResetPlanCache();
	sd_as_of_set = set;
	sd_as_of = ts;
	if (v != NULL)
		sd_as_of_origin = v->origin;
}

/*
 * Module load.  Refuse to be loaded any other way than preloaded: a session
 * whose planner is not hooked would show deleted rows and destroy rows on
 * DELETE, so it must fail instead (the trigger on each enabled table loads
 * this library, which raises this error there).
 */
void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("softdelete must be loaded via shared_preload_libraries"),
				 errdetail("Without its hooks, deleted rows would be shown and DELETE would destroy rows."),
				 errhint("Add softdelete to shared_preload_libraries in postgresql.conf and restart the server.")));

	DefineCustomEnumVariable("softdelete.include_deleted",
							 "Shows soft-deleted rows: on shows every row, only the deleted ones.",
							 "A DELETE still only marks rows; rows deleted earlier keep their stamp.",
							 &sd_include_deleted,
							 SD_INCLUDE_OFF,
							 sd_include_options,
							 PGC_USERSET,
							 0,
							 sd_check_include_deleted,
							 sd_assign_include_deleted,
							 NULL);

	DefineCustomBoolVariable("softdelete.hard_delete",
							 "Makes DELETE and TRUNCATE on enabled tables physical.",
							 "For erasure; softdelete.purge is the other way to remove rows.",
							 &sd_hard_delete,
							 false,
							 PGC_USERSET,
							 0,
							 sd_check_hard_delete,
							 sd_assign_hard_delete,
							 NULL);

	DefineCustomStringVariable("softdelete.as_of",
							   "Reads enabled tables as they were at this time (empty: now).",
							   "A timestamptz. While it is set, nothing may be written.",
							   &sd_as_of_string,
							   "",
							   PGC_USERSET,
							   0,
							   sd_check_as_of,
							   sd_assign_as_of,
							   NULL);

	DefineCustomStringVariable("softdelete.actor",
							   "Who deletes: recorded with every soft delete (empty: the session's role).",
							   "The application's own user, such as user:42, which the database role usually is not.",
							   &sd_actor,
							   "",
							   PGC_USERSET,
							   0,
							   NULL,
							   sd_assign_who_why,
							   NULL);

	DefineCustomStringVariable("softdelete.reason",
							   "Why rows are deleted: recorded with every soft delete (empty: no reason).",
							   "Kept in softdelete.deletions and shown by softdelete.trash.",
							   &sd_reason,
							   "",
							   PGC_USERSET,
							   0,
							   NULL,
							   sd_assign_who_why,
							   NULL);

	DefineCustomStringVariable("softdelete.retention_databases",
							   "Databases whose tables the background worker purges by their retention.",
							   "A comma-separated list; empty (the default) starts no worker.  Set at server start to start the worker.",
							   &sd_retention_databases,
							   "",
							   PGC_SIGHUP,
							   GUC_LIST_INPUT,
							   NULL,
							   NULL,
							   NULL);

	DefineCustomIntVariable("softdelete.retention_interval",
							"How often the background worker purges by retention.",
							NULL,
							&sd_retention_interval,
							3600,
							1,
							INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL,
							NULL,
							NULL);

	/*
	 * The version of this library, which every install and update script
	 * from 1.9 on checks first: a package installed over a running server
	 * replaces the file, not the library the server loaded at its start.
	 */
	DefineCustomStringVariable("softdelete.library_version",
							   "The version of the softdelete library this server loaded at its start.",
							   "Read only. CREATE EXTENSION and ALTER EXTENSION UPDATE refuse a version newer than it.",
							   &sd_library_version,
							   SD_EXTVERSION,
							   PGC_INTERNAL,
							   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL,
							   NULL,
							   NULL);

	MarkGUCPrefixReserved("softdelete");

	if (sd_retention_databases != NULL && sd_retention_databases[0] != '\0')
		sd_retention_register();

	sd_catalog_init();
	sd_access_init();
	sd_deletions_init();
	sd_inlining_init();
	sd_fkeys_init();

	prev_planner_hook = planner_hook;
	planner_hook = sd_planner;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = sd_ProcessUtility;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = sd_needs_fmgr_hook_entry;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = sd_ExecutorStart;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = sd_ExecutorFinish;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = sd_ExecutorEnd;
}

/*
 * Planner hook: visibility.c places the filters and turns DELETEs into soft
 * deletes, then the query is planned as written.
 */
static PlannedStmt *
sd_planner_next(SD_PLANNER_PARAMS)
{
	if (prev_planner_hook)
		return prev_planner_hook(SD_PLANNER_ARGS);
	return standard_planner(SD_PLANNER_ARGS);
}

/* A statement that involves an enabled table (visibility.c), planned. */
static pg_noinline PlannedStmt *
sd_planner_rewrite(SD_PLANNER_PARAMS)
{
	bool		depends_on_role;
	bool		redirected = sd_visibility_rewrite(parse, &depends_on_role);
	PlannedStmt *result = sd_planner_next(SD_PLANNER_ARGS);

	/* The command tag and SPI's result still say DELETE. */
	if (redirected)
		result->commandType = CMD_DELETE;
	/*
	 * A cached plan is made again for another role (plancache.c), and when
	 * the grants change (their table's invalidation).
	 */
	if (depends_on_role)
	{
		Oid			access = sd_access_relid();

		result->dependsOnRole = true;
		if (OidIsValid(access))
			result->relationOids = lappend_oid(result->relationOids, access);
	}
	return result;
}

/*
 * The hook itself: a statement that names no enabled table (the common
 * case, visibility.c's one cached look-up per table) goes straight on.
 */
static PlannedStmt *
sd_planner(SD_PLANNER_PARAMS)
{
	if (sd_names_no_enabled_table(parse))
		return sd_planner_next(SD_PLANNER_ARGS);
	return sd_planner_rewrite(SD_PLANNER_ARGS);
}

/*
 * Inlined SQL functions never reach the planner hook: ask core to call the
 * ones that read enabled tables through fmgr instead (visibility.c decides).
 * No fmgr_hook is needed for that: core only calls one when it is set.
 */
static bool
sd_needs_fmgr_hook_entry(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	return sd_needs_fmgr_hook(fn_oid);
}

/*
 * Executor hooks: archive mode attaches its sinks once the plan's state
 * exists, writes what it batched when the rows are all processed, and
 * closes the archive tables before the state goes (archive.c).
 */
/*
 * A statement that writes nothing (a SELECT without a data-modifying WITH)
 * has nothing for archive mode or the soft delete to attach to.
 */
#define SD_READ_ONLY(qd) \
	((qd)->plannedstmt->commandType == CMD_SELECT && \
	 !(qd)->plannedstmt->hasModifyingCTE)

static void
sd_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	/* restore's and purge's statement is planned, rule actions included */
	sd_exempt(SD_EXEMPT_NONE, InvalidOid);
	sd_cascade_stamp_param = 0;
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if (SD_READ_ONLY(queryDesc))
		return;
	sd_archive_executor_start(queryDesc, eflags);
	sd_redirect_executor_start(queryDesc, eflags);
}

static void
sd_ExecutorFinish(QueryDesc *queryDesc)
{
	if (!SD_READ_ONLY(queryDesc))
		sd_archive_executor_finish(queryDesc);
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
}

static void
sd_ExecutorEnd(QueryDesc *queryDesc)
{
	if (!SD_READ_ONLY(queryDesc))
		sd_archive_executor_end(queryDesc);
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

/* Call the next ProcessUtility in line. */
static void
sd_next_utility(PlannedStmt *pstmt, const char *queryString,
				bool readOnlyTree, ProcessUtilityContext context,
				ParamListInfo params, QueryEnvironment *queryEnv,
				DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

static void
sd_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				  bool readOnlyTree, ProcessUtilityContext context,
				  ParamListInfo params, QueryEnvironment *queryEnv,
				  DestReceiver *dest, QueryCompletion *qc)
{
	SdUtility	u;

	sd_ddl_before(pstmt->utilityStmt, queryString, &u);
	if (u.skip)
		return;
	/* a restore's CREATE TRIGGER, not enable's own (ddl.c) */
	if (context != PROCESS_UTILITY_TOPLEVEL)
		u.arrived = InvalidOid;
	if (u.bypass)
		sd_bypass_depth++;
	if (u.reads_all)
		sd_reads_all_depth++;
	PG_TRY();
	{
		sd_next_utility(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (u.bypass)
			sd_bypass_depth--;
		if (u.reads_all)
			sd_reads_all_depth--;
	}
	PG_END_TRY();
	sd_ddl_after(pstmt->utilityStmt, &u);
}
