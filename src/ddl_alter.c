/*-------------------------------------------------------------------------
 *
 * ddl_alter.c
 *		ALTER TABLE on an enabled table: what it may do to the flag column
 *		(drop it, change its type or nullability: refused, or followed, as
 *		a boolean flag's NOT NULL is), the foreign-key validations it runs
 *		unfiltered, the constraints it drops.
 *
 * Called by ddl.c, before the statement (and after it, for a retyped
 * flag).
 *
 * Calls: triggers.c, registry.c, catalog.c.
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

#include "catalog.h"
#include "compat.h"
#include "ddl_alter.h"
#include "registry.h"
#include "stamp.h"
#include "triggers.h"
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
Oid
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
bool
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
bool
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
void
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
