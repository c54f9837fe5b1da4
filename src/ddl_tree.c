/*-------------------------------------------------------------------------
 *
 * ddl_tree.c
 *		Tables joining and leaving an enabled table's tree: a new partition
 *		or inheritance child gets the triggers (CREATE TABLE ... PARTITION
 *		OF / INHERITS, ATTACH PARTITION, INHERIT), after its foreign tables
 *		and archive tables are refused; a table that leaves (DETACH, NO
 *		INHERIT) loses them; a table restored alone registers again from
 *		its TRUNCATE guard's arguments.
 *
 * Called by ddl.c before and after the statement, and by functions.c for
 * the checks every table of a tree must pass when it is enabled.
 *
 * Calls: archive_schema.c, triggers.c, stamp.c, registry.c, catalog.c,
 * sql.c, state.c.
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

#include "archive_schema.h"
#include "catalog.h"
#include "compat.h"
#include "ddl_tree.h"
#include "registry.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"
#include "triggers.h"

/*
 * A table that has just become a partition or inheritance child of an
 * enabled table (CREATE TABLE ... INHERITS / PARTITION OF, ALTER TABLE ...
 * INHERIT / ATTACH PARTITION) gets its triggers (functions.c).
 */
void
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
Oid
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
void
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
void
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
void
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
