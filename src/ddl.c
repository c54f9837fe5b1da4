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
 * Calls: access.c (grants of dropped tables and roles), archive_schema.c,
 * catalog.c, keys.c, redirect.c (the TRUNCATE check), sql.c, state.c,
 * triggers.c.
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
#include "compat.h"
#include "ddl.h"
#include "deletions.h"
#include "keys.h"
#include "redirect.h"
#include "registry.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"
#include "triggers.h"

static void sd_guard_new_child(Oid child);
PG_FUNCTION_INFO_V1(softdelete_on_drop);

/*
 * SET or DROP NOT NULL on column colname of relid, whose flag t is a
 * boolean: that changes the filter ("NOT flag" or "flag IS NOT TRUE"), which
 * the predicates of live indexes would no longer match.
 */
static void
sd_check_flag_nullability(Oid relid, const SdTable *t, const char *colname)
{
	List	   *rebuilt;
	List	   *made;

	if (colname == NULL || strcmp(colname, NameStr(t->column_name)) != 0 ||
		!sd_registry_live_indexes(t->root, &rebuilt, &made))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("cannot change column \"%s\" of table \"%s\": its live indexes depend on whether it is nullable",
					colname, get_rel_name(relid)),
			 errdetail("The filter of a NOT NULL boolean flag is \"NOT %s\", of a nullable one \"%s IS NOT TRUE\"; the indexes over live rows say one of them.",
					   colname, colname),
			 errhint("Call softdelete.disable(), change the column, then softdelete.enable(..., live_indexes => true).")));
}

/*
 * The flag column must stay a nullable timestamp while the table is enabled:
 * dropping it would bring every deleted row back, another type would break
 * DELETE, NOT NULL would break restore.  Refuse those ALTER TABLE commands.
 * Returns the enabled table whose flag column changes between timestamp
 * and timestamptz (or InvalidOid).
 */
static Oid
sd_check_alter_table(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			relid = InvalidOid;
	Oid			retyped = InvalidOid;
	SdTable		t;

	if (!sd_catalog_any_enabled() || stmt->relation == NULL)
		return InvalidOid;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		const char *why;

		switch (cmd->subtype)
		{
			case AT_DropColumn:
				/* (1.6) the column that records who deleted */
				if (cmd->name != NULL && !OidIsValid(relid))
					relid = RangeVarGetRelid(stmt->relation, NoLock, true);
				if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
					t.mode == SD_MODE_FLAG &&
					strcmp(cmd->name, NameStr(t.by_column)) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
							 errmsg("cannot drop column \"%s\" of table \"%s\": it records who deleted each row",
									cmd->name, get_rel_name(relid)),
							 errhint("Call softdelete.disable() first.")));
				why = "Dropping it would bring every deleted row back.";
				break;
			case AT_SetNotNull:
			case AT_DropNotNull:
				/* a boolean flag may be NOT NULL: false marks a live row */
				if (cmd->name != NULL && !OidIsValid(relid))
					relid = RangeVarGetRelid(stmt->relation, NoLock, true);
				if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
					SD_FLAG_IS_BOOL(&t))
				{
					sd_check_flag_nullability(relid, &t, cmd->name);
					continue;
				}
				if (cmd->subtype == AT_DropNotNull)
					continue;
				why = "NULL marks a live row: the flag column must stay nullable.";
				break;
			case AT_AlterColumnType:
				{
					ColumnDef  *def = castNode(ColumnDef, cmd->def);
					Oid			typid = typenameTypeId(NULL, def->typeName);
					bool		was_bool;

					if (cmd->name != NULL && !OidIsValid(relid))
						relid = RangeVarGetRelid(stmt->relation, NoLock, true);
					was_bool = OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
						SD_FLAG_IS_BOOL(&t);
					if (was_bool ? typid == BOOLOID :
						(typid == TIMESTAMPTZOID || typid == TIMESTAMPOID))
					{
						/* allowed: the caller re-creates softdelete_fk */
						if (cmd->name != NULL && !OidIsValid(relid))
							relid = RangeVarGetRelid(stmt->relation, NoLock, true);
						if (cmd->name != NULL && OidIsValid(relid) &&
							sd_catalog_lookup(relid, &t) &&
							t.mode == SD_MODE_FLAG && t.root == relid &&
							strcmp(cmd->name, NameStr(t.column_name)) == 0)
							retyped = relid;
						continue;
					}
					why = was_bool ?
						"A boolean flag column stays boolean." :
						"A timestamp flag column must stay of type timestamptz or timestamp.";
				}
				break;
			default:
				continue;
		}
		if (cmd->name == NULL)
			continue;
		if (!OidIsValid(relid))
			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
			t.mode == SD_MODE_FLAG &&
			strcmp(cmd->name, NameStr(t.column_name)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot change column \"%s\" of table \"%s\": it is the soft-delete flag column",
							cmd->name, get_rel_name(relid)),
					 errdetail("%s", why),
					 errhint("Call softdelete.disable() first.")));
	}
	return retyped;
}

/* Does this ALTER TABLE drop a constraint? */
static bool
sd_alter_drops_constraint(Node *parsetree)
{
	ListCell   *lc;

	if (!IsA(parsetree, AlterTableStmt))
		return false;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		if (lfirst_node(AlterTableCmd, lc)->subtype == AT_DropConstraint)
			return true;
	return false;
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

	if (IsA(parsetree, CreateStmt) || IsA(parsetree, CreateForeignTableStmt))
	{
		CreateStmt *stmt = IsA(parsetree, CreateStmt) ? (CreateStmt *) parsetree :
			&((CreateForeignTableStmt *) parsetree)->base;

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

/*
 * The table that ALTER TABLE ... DETACH PARTITION or NO INHERIT takes out
 * of an enabled tree, if any (before it runs); *mode is that tree's.
 */
static Oid
sd_leaving_child(AlterTableStmt *stmt, int *mode)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		RangeVar   *child = NULL;
		Oid			relid;
		SdTable		t;

		if (cmd->subtype == AT_DetachPartition)
			child = castNode(PartitionCmd, cmd->def)->name;
		else if (cmd->subtype == AT_DropInherit)
			child = stmt->relation;
		if (child == NULL)
			continue;
		relid = RangeVarGetRelid(child, NoLock, true);
		if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) && t.root != relid)
		{
			*mode = t.mode;
			return relid;
		}
	}
	return InvalidOid;
}

/*
 * After it left: a detached partition or former child is an ordinary table
 * again, without softdelete's triggers (core drops only the row triggers
 * it cloned onto partitions), unless it is still below an enabled table.
 */
static void
sd_after_leaving(Oid relid, SdMode mode)
{
	CommandCounterIncrement();
	if (!OidIsValid(get_rel_namespace(relid)) || sd_catalog_lookup(relid, NULL))
		return;
	SPI_connect();
	sd_drop_triggers(relid, mode);
	SPI_finish();
}

/*
 * A table restored from a dump of it alone (pg_dump -t, -n, --exclude-table,
 * --schema-only), which carries no registry row, gets its TRUNCATE guard
 * back, whose arguments say how it was registered (triggers.c): register it
 * again, as enable or enable_archive (SQL, as the restoring role) would, once
 * its rows are there (the data comes before the triggers).  A full restore
 * loaded the registry before it creates triggers: nothing to do.  A partition or child is covered by its table (whose own guard comes
 * in the same dump); an enabled ancestor covers it already.
 */
static void
sd_register_arrived(Oid relid, List *args)
{
	const char *kind = strVal(linitial(args));
	const char *name = list_length(args) >= 2 ? strVal(lsecond(args)) : "";
	bool		isnull;
	bool		empty;
	AttrNumber	attno;
	Oid			archive;

	if (has_superclass(relid) || get_rel_relispartition(relid) ||
		!(strcmp(kind, "flag") == 0 || strcmp(kind, "archive") == 0))
		return;
	/* as enable: the table's owner only */
	if (!SD_TABLE_OWNERCHECK(relid))
	{
		ereport(WARNING,
				(errmsg("table \"%s\" arrived without its soft-delete registration, which only its owner can give back",
						get_rel_name(relid))));
		return;
	}
	/*
	 * pg_restore -j may load the registry in another session meanwhile:
	 * wait for it (and see its rows), or make it wait for this one, whose
	 * registration its row then replaces (registry_arrived).
	 */
	LockRelationOid(sd_catalog_registry_relid(false), ShareRowExclusiveLock);
	if (sd_catalog_lookup(relid, NULL))
		return;
	SPI_connect();
	sd_spi_exec(psprintf("SELECT EXISTS (SELECT FROM %s)", sd_qualified_name(relid)),
				SPI_OK_SELECT);
	empty = !DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	/*
	 * An empty table is one whose data comes later (--schema-only, then
	 * --data-only, which brings the registry rows too): registering it now
	 * would filter the foreign-key checks of that data.  It is not yet a
	 * table whose deleted rows could show: say so, and leave it.
	 */
	if (empty)
	{
		ereport(WARNING,
				(errmsg("table \"%s\" arrived without its soft-delete registration",
						get_rel_name(relid)),
				 errdetail("It holds no row yet: a restore of its data with the registry registers it."),
				 strcmp(kind, "flag") == 0 ?
				 errhint("Otherwise call softdelete.enable(%s, %s).", sd_table_literal(relid),
						 quote_literal_cstr(name)) :
				 errhint("Otherwise call softdelete.enable_archive(%s, %s).", sd_table_literal(relid),
						 quote_literal_cstr(name))));
		return;
	}
	/*
	 * Registration only, as the registry row would have given it: the
	 * restore creates the triggers itself, and its other statements (an
	 * archive's primary key) must find nothing made in their place.
	 */
	if (strcmp(kind, "flag") == 0)
	{
		attno = get_attnum(relid, name);
		if (attno == InvalidAttrNumber || !sd_flag_type_ok(get_atttype(relid, attno)))
			return;
		sd_registry_add(relid, SD_MODE_FLAG, name, InvalidOid, false);
		/* (1.6) the column that records who deleted */
		if (list_length(args) >= 3 &&
			get_attnum(relid, strVal(lthird(args))) > 0)
			(void) sd_registry_set_deleted_by(relid, strVal(lthird(args)));
	}
	else
	{
		bool		versions = list_length(args) >= 3 &&
			strcmp(strVal(lthird(args)), "versions") == 0;

		archive = get_relname_relid(name, get_rel_namespace(relid));
		if (OidIsValid(archive))
		{
			if (!sd_archive_looks_like_archive(archive) || !SD_TABLE_OWNERCHECK(archive))
				return;
			sd_registry_add(relid, SD_MODE_ARCHIVE, NULL, archive, versions);
			sd_registry_link_archive(relid, archive, true);
		}
		else
		{
			/* the dump left the archive out: a new, empty one */
			SPI_connect();
			sd_spi_exec(psprintf("SELECT softdelete.enable_archive(%s::pg_catalog.regclass, %s, %s)",
								 sd_table_literal(relid), quote_literal_cstr(name),
								 versions ? "true" : "false"), SPI_OK_SELECT);
			SPI_finish();
		}
	}
	ereport(NOTICE,
			(errmsg("table \"%s\" arrived without its soft-delete registration: registered again",
					get_rel_name(relid)),
			 errdetail("Its trigger softdelete_guard_truncate says how it was enabled.")));
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

/*
 * An archive table holds the deleted rows of its table: enabling it (or
 * making it a partition or child of an enabled table) would hide them from
 * restore, and turn purge and restore's own deletes into soft deletes.
 */
void
sd_refuse_archive_table(Oid relid)
{
	Oid			live = sd_catalog_archive_of(relid);

	if (OidIsValid(live))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot enable soft delete on \"%s\": it is the archive table of \"%s\"",
						get_rel_name(relid), get_rel_name(live)),
				 errdetail("Its rows are the deleted rows of \"%s\".", get_rel_name(live)),
				 errhint("Read them in the archive table, bring them back with softdelete.restore(%s), erase them with softdelete.purge(%s).",
						 sd_table_literal(live), sd_table_literal(live))));
}

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

typedef struct SdForeignCheck
{
	Oid			relid;
	Oid			root;
	const char *column;
} SdForeignCheck;

static void
sd_foreign_check_context(void *arg)
{
	SdForeignCheck *fc = arg;

	errcontext("checking that foreign table \"%s\" of soft-delete table \"%s\" has the flag column \"%s\" on its remote server",
			   get_rel_name(fc->relid), get_rel_name(fc->root), fc->column);
}

/*
 * The foreign tables of table root's tree (foreign partitions over
 * postgres_fdw, say).  Flag mode: each is read with its flag column, once,
 * so that a remote table without it is refused now, with the remote
 * server's error and a line saying why, rather than at every query later.
 * Archive mode cannot move a remote row into a local archive: refused.
 */
void
sd_check_foreign_tables(Oid root, Oid tree, SdMode mode, const char *column)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(tree, NoLock, NULL))
	{
		Oid			relid = lfirst_oid(lc);
		SdForeignCheck fc;
		ErrorContextCallback cb;

		if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
			continue;
		if (mode == SD_MODE_ARCHIVE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("archive mode is not supported on table \"%s\": \"%s\" is a foreign table",
							get_rel_name(root), get_rel_name(relid)),
					 errdetail("Archive mode moves deleted rows into a local archive table; the rows of a foreign table live on another server."),
					 errhint("Use softdelete.enable() (flag mode): the flag column is then set on the remote server.")));
		fc.relid = relid;
		fc.root = root;
		fc.column = column;
		cb.callback = sd_foreign_check_context;
		cb.arg = &fc;
		cb.previous = error_context_stack;
		error_context_stack = &cb;
		sd_bypass_depth++;
		PG_TRY();
		{
			sd_spi_exec(psprintf("SELECT %s FROM ONLY %s LIMIT 1",
								 quote_identifier(column), sd_qualified_name(relid)),
						SPI_OK_SELECT);
		}
		PG_FINALLY();
		{
			sd_bypass_depth--;
		}
		PG_END_TRY();
		error_context_stack = cb.previous;
	}
}

/*
 * After CREATE TABLE ... INHERITS / PARTITION OF, ALTER TABLE ... INHERIT /
 * ATTACH PARTITION: a new child of an enabled table gets the triggers too.
 */
static void
sd_guard_new_child(Oid child)
{
	SdTable		t;
	ListCell   *lc;

	if (!OidIsValid(child))
		return;
	/*
	 * Caches here and in other sessions may remember the table as not
	 * enabled: make them all look again, and see the new pg_inherits row.
	 */
	sd_catalog_invalidate(child);
	CommandCounterIncrement();
	if (!sd_catalog_lookup(child, &t) || t.root == child)
		return;
	foreach(lc, find_all_inheritors(child, NoLock, NULL))
		sd_refuse_archive_table(lfirst_oid(lc));
	SPI_connect();
	sd_check_foreign_tables(t.root, child, t.mode, NameStr(t.column_name));
	sd_create_triggers(child, t.mode, t.versions, NameStr(t.column_name),
					   get_rel_name(t.archive));
	sd_fk_ensure_triggers(t.root);
	SPI_finish();
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
