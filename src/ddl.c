/*-------------------------------------------------------------------------
 *
 * ddl.c
 *		What DDL does to enabled tables, for the ProcessUtility hook and the
 *		sql_drop event trigger: TRUNCATE refused, ALTER TABLE on a flag column
 *		refused or followed (its type, its name), foreign-key validation left
 *		unfiltered, archives that follow their table's schema, partitions and
 *		children that join later given their triggers, new foreign keys given
 *		theirs, and dropped tables forgotten (their archives kept).
 *
 * ALTER TABLE's checks of a flag column are ddl_alter.c's; tables joining
 * and leaving an enabled tree, ddl_tree.c's.
 *
 * Calls: ddl_alter.c, ddl_tree.c, redirect.c (the TRUNCATE check),
 * archive_schema.c, triggers.c, keys.c, access.c (grants of dropped tables
 * and roles), deletions.c, registry.c, catalog.c, sql.c, state.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "replication/walsender.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "access.h"
#include "archive_schema.h"
#include "catalog.h"
#include "ddl.h"
#include "ddl_alter.h"
#include "ddl_tree.h"
#include "deletions.h"
#include "keys.h"
#include "redirect.h"
#include "registry.h"
#include "sql.h"
#include "state.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(softdelete_on_drop);


/* Refuse what softdelete cannot do on a Citus table, saying why. */
void
sd_refuse_citus(Oid relid, char kind, const char *what, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on table \"%s\": it is a Citus %s",
					what, get_rel_name(relid),
					kind == SD_CITUS_DISTRIBUTED ? "distributed table" :
					kind == SD_CITUS_REFERENCE ? "reference table" :
					"local table in the Citus metadata"),
			 errdetail("%s", why),
			 errhint("README, Sharded and distributed, says what works on Citus.")));
}

/*
 * After CREATE TABLE or ALTER TABLE: a new foreign key that references a
 * flag-mode table, or one of a flag-mode table, needs softdelete_fk on both.
 */
static void
sd_fk_after_ddl(Node *parsetree)
{
	RangeVar   *rv = NULL;
	Oid			relid;
	Relation	rel;
	List	   *targets = NIL;
	ListCell   *lc;

	if (IsA(parsetree, CreateStmt))
		rv = ((CreateStmt *) parsetree)->relation;
	else if (IsA(parsetree, AlterTableStmt))
		rv = ((AlterTableStmt *) parsetree)->relation;
	if (rv == NULL || !sd_catalog_any_flag())
		return;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return;
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		return;
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		SdTable		pt;

		if (sd_catalog_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG)
			targets = list_append_unique_oid(list_append_unique_oid(targets, pt.root),
											 relid);
	}
	relation_close(rel, AccessShareLock);
	SPI_connect();
	foreach(lc, targets)
		sd_fk_ensure_triggers(lfirst_oid(lc));
	/*
	 * Only a dropped key takes softdelete_ref away: other DDL on the table
	 * (a restore's primary key, made in parallel with its foreign keys and
	 * before the registry is loaded) must not drop the one the dump made.
	 */
	sd_ref_ensure_trigger(relid, sd_alter_drops_constraint(parsetree));
	SPI_finish();
}
/* An archive table is not dropped without its table (live). */
static void
sd_refuse_archive_drop(Oid live)
{
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("cannot drop archive table of \"%s\": archive mode is enabled on it",
					get_rel_name(live)),
			 errdetail("The archive table holds the only copy of the deleted rows."),
			 errhint("Call softdelete.disable() on the table first.")));
}

/*
 * DROP TABLE of an archive table whose table is enabled and not dropped in
 * the same statement: refused before core sees it, because the table
 * depends on its archive (archive_schema.c) and CASCADE would drop the table.
 */
static void
sd_check_drop_tables(DropStmt *stmt)
{
	List	   *named = NIL;
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(lfirst(lc)),
											 NoLock, true);

		if (OidIsValid(relid))
			named = lappend_oid(named, relid);
	}
	foreach(lc, named)
	{
		Oid			live = sd_catalog_archive_of(lfirst_oid(lc));

		if (OidIsValid(live) && !list_member_oid(named, live))
			sd_refuse_archive_drop(live);
	}
}

/*
 * CREATE TRIGGER of one of softdelete's own triggers that softdelete has
 * already placed: a restore (pg_restore -j, --section=post-data) creates
 * the foreign keys, after which softdelete places softdelete_fk, and its
 * own CREATE TRIGGER of the dumped one may come after.  The trigger there
 * is the same: the statement is skipped with a notice, as IF NOT EXISTS.
 */
static bool
sd_own_trigger_exists(CreateTrigStmt *stmt)
{
	static const char *const names[] = {
		"softdelete_guard", "softdelete_guard_truncate", "softdelete_fk",
		SD_REF_TRIGGER, SD_ARCHIVE_TRIGGER
	};
	char	   *schema;
	char	   *fname;
	Oid			relid;
	Relation	rel;
	bool		found = false;
	int			i;

	if (stmt->replace || stmt->isconstraint || stmt->trigname == NULL)
		return false;
	for (i = 0; i < (int) lengthof(names); i++)
		found |= strcmp(stmt->trigname, names[i]) == 0;
	if (!found)
		return false;
	DeconstructQualifiedName(stmt->funcname, &schema, &fname);
	if (schema == NULL || strcmp(schema, "softdelete") != 0)
		return false;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid))
		return false;
	found = false;
	/* CREATE TRIGGER's own lock: a concurrent one (pg_restore -j) is seen */
	rel = relation_open(relid, ShareRowExclusiveLock);
	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
	{
		Trigger    *trig = &rel->trigdesc->triggers[i];

		if (strcmp(trig->tgname, stmt->trigname) == 0 &&
			strcmp(get_func_name(trig->tgfoid), fname) == 0 &&
			get_func_namespace(trig->tgfoid) == get_namespace_oid("softdelete", false))
			found = true;
	}
	relation_close(rel, NoLock);
	if (found)
		ereport(NOTICE,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("trigger \"%s\" for relation \"%s\" already exists, skipping",
						stmt->trigname, get_rel_name(relid))));
	return found;
}

/*
 * Every table a TRUNCATE empties, as core finds them: those named, the
 * tables below them unless ONLY, and with CASCADE the tables that reference
 * any of these, over and over.  The guard triggers on them do not fire under
 * session_replication_role = replica, so the statement is checked whole.
 */
static List *
sd_truncated_tables(TruncateStmt *stmt)
{
	List	   *relids = NIL;
	List	   *more;
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);

		if (!OidIsValid(relid))
			continue;
		if (rv->inh)
			relids = list_concat_unique_oid(relids,
											find_all_inheritors(relid, NoLock, NULL));
		else
			relids = list_append_unique_oid(relids, relid);
	}
	if (stmt->behavior != DROP_CASCADE)
		return relids;
	while ((more = list_difference_oid(heap_truncate_find_FKs(relids), relids)) != NIL)
		relids = list_concat(relids, more);
	return relids;
}

/*
 * DROP ROLE of a role that holds softdelete grants in this database is
 * refused, as core refuses one that holds privileges; DROP OWNED BY takes
 * them away with the role's privileges.  (Grants in other databases are
 * not seen from here: a role dropped from elsewhere leaves them behind,
 * and they count for nothing while no role has its OID.)
 */
static void
sd_roles_leaving(Node *parsetree)
{
	bool		drop_role = IsA(parsetree, DropRoleStmt);
	List	   *roles = drop_role ? ((DropRoleStmt *) parsetree)->roles :
		((DropOwnedStmt *) parsetree)->roles;
	ListCell   *lc;

	foreach(lc, roles)
	{
		RoleSpec   *spec = lfirst(lc);
		Oid			role = get_rolespec_oid(spec, true);
		char	   *held;

		if (!OidIsValid(role))
			continue;
		held = sd_access_of_role(role, !drop_role);
		if (held != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("role \"%s\" cannot be dropped because some objects depend on it",
							get_rolespec_name(spec)),
					 errdetail("%s", held),
					 errhint("Take them back with softdelete.revoke_access(), or DROP OWNED BY %s first.",
							 quote_identifier(get_rolespec_name(spec)))));
	}
}

/*
 * COPY table TO reads every row, deleted ones included, without a planner:
 * from a flag-mode table, the role needs the grant to read deleted rows
 * (pg_dump as the owner, a superuser or a member of pg_read_all_data has
 * it).  A walsender's table sync copies for replication, as it may.
 */
static void
sd_check_copy_to(CopyStmt *stmt)
{
	Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	SdTable		t;

	if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
		t.mode == SD_MODE_FLAG)
		sd_access_require(t.root, relid, SD_ACCESS_READ_DELETED, GetUserId());
}

/*
 * Before a utility statement runs: refuse what would destroy rows or break
 * a flag column, and note what must follow afterwards (in *u).
 */
void
sd_ddl_before(Node *parsetree, const char *query_string, SdUtility *u)
{
	memset(u, 0, sizeof(SdUtility));
	if (sd_as_of_now(NULL))
	{
		if (IsA(parsetree, TruncateStmt))
			sd_as_of_refuse("TRUNCATE");
		if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->is_from)
			sd_as_of_refuse("COPY FROM");
	}
	if (IsA(parsetree, DropRoleStmt) || IsA(parsetree, DropOwnedStmt))
		sd_roles_leaving(parsetree);
	if (IsA(parsetree, CopyStmt) && !((CopyStmt *) parsetree)->is_from &&
		((CopyStmt *) parsetree)->relation != NULL && !am_walsender &&
		sd_catalog_any_flag())
		sd_check_copy_to((CopyStmt *) parsetree);
	if (IsA(parsetree, TruncateStmt) && sd_catalog_any_enabled())
	{
		sd_check_truncate(sd_truncated_tables((TruncateStmt *) parsetree),
						  sd_hard_delete_now());
	}
	else if (IsA(parsetree, AlterTableStmt))
	{
		AlterTableStmt *stmt = (AlterTableStmt *) parsetree;

		u->retyped = sd_check_alter_table(stmt);
		u->bypass = sd_alter_validates_fkeys(stmt);
		if (sd_catalog_any_enabled())
			u->detached = sd_leaving_child(stmt, &u->detached_mode);
		if (OidIsValid(u->retyped))
			sd_retype_flag(u->retyped, false);
	}
	else if (IsA(parsetree, DropStmt) &&
			 ((DropStmt *) parsetree)->removeType == OBJECT_TABLE &&
			 sd_catalog_any_archive())
		sd_check_drop_tables((DropStmt *) parsetree);
	else if (IsA(parsetree, CreateTrigStmt))
	{
		CreateTrigStmt *stmt = (CreateTrigStmt *) parsetree;

		u->skip = sd_own_trigger_exists(stmt);
		if (!u->skip && stmt->trigname != NULL &&
			strcmp(stmt->trigname, "softdelete_guard_truncate") == 0 &&
			list_length(stmt->args) >= 2 && list_length(stmt->funcname) == 2 &&
			strcmp(strVal(linitial(stmt->funcname)), "softdelete") == 0)
		{
			u->arrived = RangeVarGetRelid(stmt->relation, NoLock, true);
			u->arrived_args = stmt->args;
		}
	}
	else if (IsA(parsetree, DeclareCursorStmt))
	{
		/* pg_dump --inserts reads every table through this cursor */
		DeclareCursorStmt *stmt = (DeclareCursorStmt *) parsetree;

		u->reads_all = (stmt->portalname != NULL &&
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
				char		citus = sd_citus_kind(relid);

				/* the shards' triggers name the column (catalog.c) */
				if (citus != 0)
					sd_refuse_citus(relid, citus, "renaming the soft-delete flag column",
									"The shards on the workers know the flag column by the name their triggers carry.");
				u->renamed_rel = relid;
				u->renamed_to = stmt->newname;
			}
			/* (1.6) the column that records who deleted: followed */
			if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
				t.root == relid && t.mode == SD_MODE_FLAG &&
				strcmp(stmt->subname, NameStr(t.by_column)) == 0)
			{
				u->renamed_by_rel = relid;
				u->renamed_by_to = stmt->newname;
			}
		}
	}

	if (IsA(parsetree, AlterTableStmt) || IsA(parsetree, RenameStmt))
		u->archive_before = sd_archive_before_utility(parsetree, query_string);
}

/* After it ran: follow what it changed. */
void
sd_ddl_after(Node *parsetree, SdUtility *u)
{
	if (OidIsValid(u->renamed_rel))
	{
		sd_registry_rename_column(u->renamed_rel, u->renamed_to);
		/* the TRUNCATE guards carry the registration, the column's name too */
		CommandCounterIncrement();
		SPI_connect();
		sd_refresh_truncate_guards(u->renamed_rel);
		SPI_finish();
	}
	if (OidIsValid(u->renamed_by_rel) &&
		sd_registry_set_deleted_by(u->renamed_by_rel, u->renamed_by_to))
	{
		CommandCounterIncrement();
		SPI_connect();
		sd_refresh_truncate_guards(u->renamed_by_rel);
		SPI_finish();
	}
	if (OidIsValid(u->retyped))
		sd_retype_flag(u->retyped, true);
	if (u->archive_before != NULL)
		sd_archive_after_utility(u->archive_before);
	if (OidIsValid(u->detached))
		sd_after_leaving(u->detached, (SdMode) u->detached_mode);
	if (OidIsValid(u->arrived))
		sd_register_arrived(u->arrived, u->arrived_args);
	if (sd_catalog_any_enabled())
	{
		sd_after_inherit(parsetree);
		sd_fk_after_ddl(parsetree);
	}
}


/* sql_drop event trigger: forget the registrations of dropped tables. */
Datum
softdelete_on_drop(PG_FUNCTION_ARGS)
{
	uint64		i;
	List	   *enabled = NIL;
	List	   *dropped = NIL;
	ListCell   *lc;
	MemoryContext outer;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.on_drop() can only be called as an event trigger")));
	if (!sd_catalog_any_enabled())
		PG_RETURN_VOID();

	/* The list must outlive SPI's memory, which SPI_finish frees. */
	outer = CurrentMemoryContext;
	SPI_connect();
	sd_spi_exec("SELECT objid FROM pg_catalog.pg_event_trigger_dropped_objects() "
				"WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
				"AND objsubid = 0 AND object_type = 'table'",
				SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			MemoryContext spicxt = MemoryContextSwitchTo(outer);

			dropped = lappend_oid(dropped, DatumGetObjectId(d));
			MemoryContextSwitchTo(spicxt);
		}
	}
	SPI_finish();

	/*
	 * An archive table holds the only copy of its rows: dropping it alone,
	 * while its table is enabled, is refused.  Dropped together with its
	 * table (DROP SCHEMA ... CASCADE), it goes.
	 */
	foreach(lc, dropped)
	{
		Oid			live = sd_catalog_archive_of(lfirst_oid(lc));

		if (OidIsValid(live) && !list_member_oid(dropped, live))
			sd_refuse_archive_drop(live);
	}

	foreach(lc, dropped)
	{
		Oid			relid = lfirst_oid(lc);
		SdTable		t;

		if (sd_catalog_lookup(relid, &t) && t.root == relid)
		{
			if (t.mode == SD_MODE_ARCHIVE && !list_member_oid(dropped, t.archive) &&
				get_rel_name(t.archive) != NULL)
				ereport(NOTICE,
						(errmsg("archive table %s is kept", sd_qualified_name(t.archive))));
			enabled = lappend_oid(enabled, relid);
		}
		sd_registry_remove(relid);
		sd_access_forget(relid);
	}
	/* (1.7) the log's rows of enabled tables dropped, in one pass */
	sd_deletions_forget(enabled);
	PG_RETURN_VOID();
}
