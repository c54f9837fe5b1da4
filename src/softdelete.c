/*-------------------------------------------------------------------------
 *
 * softdelete.c
 *		Module entry: _PG_init, the settings, and the installation of every
 *		hook.  The ProcessUtility hook lives here too: it only routes a few
 *		utility statements to the file that owns their concern.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "softdelete.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Settings */
bool		sd_include_deleted = false;
bool		sd_hard_delete = false;

/* Internal bypass state; see softdelete.h */
int			sd_bypass_depth = 0;
SdExempt	sd_exempt_next = SD_EXEMPT_NONE;
int			sd_erasing_depth = 0;


/* Previous hooks, called in turn */
static planner_hook_type prev_planner_hook = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;

static void sd_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
							  bool readOnlyTree, ProcessUtilityContext context,
							  ParamListInfo params, QueryEnvironment *queryEnv,
							  DestReceiver *dest, QueryCompletion *qc);
static bool sd_needs_fmgr_hook_entry(Oid fn_oid);
static void sd_ExecutorStart(QueryDesc *queryDesc, int eflags);
static void sd_ExecutorFinish(QueryDesc *queryDesc);
static void sd_ExecutorEnd(QueryDesc *queryDesc);

/*
 * A change of a visibility setting changes what a cached plan must contain:
 * drop every cached plan, as core does for session_replication_role.
 */
static void
sd_assign_include_deleted(bool newval, void *extra)
{
	if (newval != sd_include_deleted)
		ResetPlanCache();
}

static void
sd_assign_hard_delete(bool newval, void *extra)
{
	if (newval != sd_hard_delete)
		ResetPlanCache();
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

	DefineCustomBoolVariable("softdelete.include_deleted",
							 "Shows soft-deleted rows: turns the visibility filter off.",
							 "A DELETE still only marks rows; rows deleted earlier keep their stamp.",
							 &sd_include_deleted,
							 false,
							 PGC_USERSET,
							 0,
							 NULL,
							 sd_assign_include_deleted,
							 NULL);

	DefineCustomBoolVariable("softdelete.hard_delete",
							 "Makes DELETE and TRUNCATE on enabled tables physical.",
							 "For erasure; softdelete.purge is the other way to remove rows.",
							 &sd_hard_delete,
							 false,
							 PGC_USERSET,
							 0,
							 NULL,
							 sd_assign_hard_delete,
							 NULL);

	MarkGUCPrefixReserved("softdelete");

	sd_catalog_init();
	sd_visibility_init();
	sd_fkeys_init();

	prev_planner_hook = planner_hook;
	planner_hook = sd_planner;	/* visibility.c */
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

/* The planner hook (sd_planner, visibility.c) ends here. */
PlannedStmt *
sd_call_prev_planner(SD_PLANNER_PARAMS)
{
	if (prev_planner_hook)
		return prev_planner_hook(SD_PLANNER_ARGS);
	return standard_planner(SD_PLANNER_ARGS);
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
static void
sd_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	sd_archive_executor_start(queryDesc, eflags);
	sd_redirect_executor_start(queryDesc, eflags);
}

static void
sd_ExecutorFinish(QueryDesc *queryDesc)
{
	sd_archive_executor_finish(queryDesc);
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
}

static void
sd_ExecutorEnd(QueryDesc *queryDesc)
{
	sd_archive_executor_end(queryDesc);
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

/*
 * Does this ALTER TABLE validate foreign keys (RI_Initial_Check plans an
 * outer join over both tables without the flag that marks RI queries)?
 */
static bool
sd_alter_validates_fkeys(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_AddConstraint:
			case AT_ReAddConstraint:
			case AT_ValidateConstraint:
			case AT_AttachPartition:
			SD_CASE_AT_RECURSING_CONSTRAINT
				return true;
			default:
				break;
		}
	}
	return false;
}

/*
 * A table that has just become a partition or inheritance child of an
 * enabled table (CREATE TABLE ... INHERITS / PARTITION OF, ALTER TABLE ...
 * INHERIT / ATTACH PARTITION) gets its triggers (functions.c).
 */
static void
sd_after_inherit(Node *parsetree)
{
	RangeVar   *child = NULL;

	if (IsA(parsetree, CreateStmt))
	{
		CreateStmt *stmt = (CreateStmt *) parsetree;

		if (stmt->inhRelations != NIL)
			child = stmt->relation;
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
		ListCell   *lc;

		foreach(lc, stmt->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype == AT_AddInherit)
				child = stmt->relation;
			else if (cmd->subtype == AT_AttachPartition)
				child = castNode(PartitionCmd, cmd->def)->name;
		}
	}
	if (child != NULL)
		sd_guard_new_child(RangeVarGetRelid(child, NoLock, true));
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

/*
 * ProcessUtility hook:
 * - TRUNCATE of an enabled table is refused unless hard_delete is on;
 * - foreign-key validation in ALTER TABLE and pg_dump's data cursor run
 *   unfiltered (they must see every row);
 * - renaming a flag column follows in the registry;
 * - ALTER TABLE and RENAME of an archive-mode table are applied to its
 *   archive (archive.c).
 */
/*
 * ALTER TYPE of a flag column: the WHEN clause of softdelete_fk names it,
 * so the triggers go before and come back after.
 */
static void
sd_retype_flag(Oid relid, bool after)
{
	SdTable		t;
	ListCell   *lc;

	if (!sd_catalog_lookup(relid, &t))
		return;
	SPI_connect();
	if (after)
		sd_fk_ensure_triggers(relid);
	else
		foreach(lc, sd_tree_tables(relid, false))
			sd_fk_trigger(lfirst_oid(lc), NULL, false);
	SPI_finish();
}

static void
sd_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
				  bool readOnlyTree, ProcessUtilityContext context,
				  ParamListInfo params, QueryEnvironment *queryEnv,
				  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	volatile bool bypass = false;
	volatile Oid renamed_rel = InvalidOid;
	SdSchemaSnapshot *volatile archive_before = NULL;
	char	   *volatile renamed_to = NULL;
	volatile Oid retyped = InvalidOid;

	if (IsA(parsetree, TruncateStmt) && !sd_hard_delete &&
		sd_catalog_any_enabled())
	{
		TruncateStmt *stmt = (TruncateStmt *) parsetree;
		List	   *relids = NIL;
		ListCell   *lc;

		foreach(lc, stmt->relations)
		{
			Oid			relid = RangeVarGetRelid(lfirst_node(RangeVar, lc),
												 NoLock, true);

			if (OidIsValid(relid))
				relids = lappend_oid(relids, relid);
		}
		sd_check_truncate(relids);
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;

		retyped = sd_check_alter_table(stmt);
		bypass = sd_alter_validates_fkeys(stmt);
		if (OidIsValid(retyped))
			sd_retype_flag(retyped, false);
	}
	else if (IsA(parsetree, DeclareCursorStmt))
	{
		/* pg_dump --inserts reads every table through this cursor */
		DeclareCursorStmt *stmt = (DeclareCursorStmt *) parsetree;

		bypass = (stmt->portalname != NULL &&
				  strcmp(stmt->portalname, "_pg_dump_cursor") == 0);
	}
	else if (IsA(parsetree, RenameStmt) && sd_catalog_any_enabled())
	{
		RenameStmt *stmt = (RenameStmt *) parsetree;
		SdTable		t;

		if (stmt->renameType == OBJECT_COLUMN && stmt->relation != NULL)
		{
			Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

			if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
				t.root == relid && t.mode == SD_MODE_FLAG &&
				strcmp(stmt->subname, NameStr(t.column_name)) == 0)
			{
				renamed_rel = relid;
				renamed_to = stmt->newname;
			}
		}
	}

	if (IsA(parsetree, AlterTableStmt) || IsA(parsetree, RenameStmt))
		archive_before = sd_archive_before_utility(parsetree, queryString);

	if (bypass)
		sd_bypass_depth++;
	PG_TRY();
	{
		sd_next_utility(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (bypass)
			sd_bypass_depth--;
	}
	PG_END_TRY();

	if (OidIsValid(renamed_rel))
		sd_catalog_rename_column(renamed_rel, renamed_to);
	if (OidIsValid(retyped))
		sd_retype_flag(retyped, true);
	if (archive_before != NULL)
		sd_archive_after_utility(archive_before);
	if (sd_catalog_any_enabled())
	{
		sd_after_inherit(parsetree);
		sd_fk_after_ddl(parsetree);
	}
}
