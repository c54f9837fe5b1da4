/*-------------------------------------------------------------------------
 *
 * functions.c
 *		The SQL-callable functions: enable, disable, restore, purge, and the
 *		event trigger that forgets dropped tables.
 *
 * Every function runs with the caller's privileges.  Enabling and disabling
 * need ownership of the table, as ALTER TABLE does; restore needs UPDATE and
 * purge DELETE on it, because they run ordinary statements as the caller.
 * Every bad argument is refused before anything changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "utils/partcache.h"
#include "catalog/pg_class.h"
#include "catalog/dependency.h"
#include "catalog/pg_index.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_inherits.h"
#include "commands/trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "optimizer/optimizer.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "softdelete.h"

PG_FUNCTION_INFO_V1(softdelete_enable);
PG_FUNCTION_INFO_V1(softdelete_enable_archive);
PG_FUNCTION_INFO_V1(softdelete_disable);
PG_FUNCTION_INFO_V1(softdelete_restore);
PG_FUNCTION_INFO_V1(softdelete_purge);
PG_FUNCTION_INFO_V1(softdelete_on_drop);

/* schema.table, quoted as needed */
char *
sd_qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* Refuse a NULL argument: a NULL never means "do nothing" silently. */
static void
sd_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be NULL", name)));
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
				 errhint("Read them in the archive table, bring them back with softdelete.restore('%s'), erase them with softdelete.purge('%s').",
						 get_rel_name(live), get_rel_name(live))));
}

/*
 * Open the table argument of enable or disable: an ordinary or partitioned
 * user table that the caller owns, and not a partition or inheritance child
 * (its parent is what gets enabled).
 */
static Relation
sd_open_owned_table(Oid relid, LOCKMODE lockmode)
{
	Relation	rel;
	char		relkind;
	Oid			extnsp;

	rel = try_relation_open(relid, lockmode);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));

	relkind = rel->rd_rel->relkind;
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot enable soft delete on \"%s\": it is not a table",
						RelationGetRelationName(rel)),
				 errdetail_relkind_not_supported(relkind)));

	extnsp = get_namespace_oid("softdelete", true);
	if (IsSystemRelation(rel) ||
		strcmp(get_namespace_name(RelationGetNamespace(rel)),
			   "information_schema") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot enable soft delete on \"%s\": it is a system catalog",
						RelationGetRelationName(rel))));
	/*
	 * A temporary table goes away at the end of the session without firing
	 * event triggers, which would leave its registration behind.
	 */
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot enable soft delete on temporary table \"%s\"",
						RelationGetRelationName(rel))));
	if (RelationGetNamespace(rel) == extnsp)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot enable soft delete on \"%s\": it belongs to softdelete itself",
						RelationGetRelationName(rel))));
	sd_refuse_archive_table(relid);

	if (!SD_TABLE_OWNERCHECK(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(relkind),
					   RelationGetRelationName(rel));

	if (rel->rd_rel->relispartition || has_superclass(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot enable soft delete on \"%s\" alone: it is a %s",
						RelationGetRelationName(rel),
						rel->rd_rel->relispartition ? "partition" : "child table"),
				 errhint("Enable its parent table instead: that covers every partition and child table.")));
	return rel;
}

/* Run one statement through SPI; errors propagate. */
void
sd_spi_exec(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expected)
		elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
			 SPI_result_code_string(rc));
}

/*
 * The trigger softdelete_fk (fkeys.c) of one flag-mode table: create it,
 * unless it exists (the partitions of a partitioned table get clones), or
 * drop it (in SPI).  Its WHEN clause names the flag column, so ALTER TYPE
 * of that column drops it first and creates it again.
 */
void
sd_fk_trigger(Oid rel, const char *flag_column, bool create)
{
	char	   *qname = sd_qualified_name(rel);
	const char *col;

	if (!create)
	{
		if (OidIsValid(get_trigger_oid(rel, "softdelete_fk", true)) &&
			(!get_rel_relispartition(rel) || !OidIsValid(get_trigger_oid(get_partition_parent(rel, false), "softdelete_fk", true))))
			sd_spi_exec(psprintf("DROP TRIGGER softdelete_fk ON %s", qname),
						SPI_OK_UTILITY);
		return;
	}
	if (OidIsValid(get_trigger_oid(rel, "softdelete_fk", true)))
		return;
	col = quote_identifier(flag_column);
	sd_spi_exec(psprintf("CREATE TRIGGER softdelete_fk AFTER UPDATE ON %s "
						 "FOR EACH ROW WHEN ((OLD.%s IS NULL) <> (NEW.%s IS NULL)) "
						 "EXECUTE FUNCTION softdelete.fk()",
						 qname, col, col),
				SPI_OK_UTILITY);
}

/*
 * softdelete_ref (19 on, see fkeys.c) belongs on every table, enabled or not,
 * that holds a foreign key to a flag-mode table: created when missing,
 * dropped when no such key is left (in SPI).  Partitions get clones.
 */
void
sd_ref_ensure_trigger(Oid relid)
{
	Relation	rel;
	ListCell   *lc;
	bool		needed = false;
	bool		has;

	if (!SD_CORE_RI_CHECK_SKIPS_PLANNER ||
		!OidIsValid(get_rel_namespace(relid)))
		return;
	rel = table_open(relid, AccessShareLock);
	foreach(lc, sd_fk_outgoing(rel))
	{
		SdTable		pt;

		if (sd_catalog_lookup(((ForeignKeyCacheInfo *) lfirst(lc))->confrelid, &pt) &&
			pt.mode == SD_MODE_FLAG)
			needed = true;
	}
	table_close(rel, AccessShareLock);
	has = OidIsValid(get_trigger_oid(relid, SD_REF_TRIGGER, true));
	if (needed && !has)
		sd_spi_exec(psprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE ON %s "
							 "FOR EACH ROW EXECUTE FUNCTION softdelete.fk()",
							 SD_REF_TRIGGER, sd_qualified_name(relid)),
					SPI_OK_UTILITY);
	else if (!needed && has &&
			 (!get_rel_relispartition(relid) ||
			  !OidIsValid(get_trigger_oid(get_partition_parent(relid, false),
										  SD_REF_TRIGGER, true))))
		sd_spi_exec(psprintf("DROP TRIGGER %s ON %s", SD_REF_TRIGGER,
							 sd_qualified_name(relid)),
					SPI_OK_UTILITY);
}

/*
 * relid and the tables below it (partitions, inheritance children) that carry
 * triggers of their own: with own_only, partitions are left out but relid
 * (they get clones of their parent's row triggers).
 */
List *
sd_tree_tables(Oid relid, bool own_only)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		Oid			rel = lfirst_oid(lc);

		if ((get_rel_relkind(rel) == RELKIND_RELATION ||
			 get_rel_relkind(rel) == RELKIND_PARTITIONED_TABLE) &&
			(!own_only || rel == relid || !get_rel_relispartition(rel)))
			result = lappend_oid(result, rel);
	}
	return result;
}

/* Is flag-mode table relid referenced, or referencing a flag-mode table? */
static bool
sd_fk_needed(Oid relid)
{
	Relation	rel;
	ListCell   *lc;
	bool		needed = sd_fk_referenced(relid);

	rel = table_open(relid, AccessShareLock);
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		SdTable		pt;

		if (sd_catalog_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG)
			needed = true;
	}
	table_close(rel, AccessShareLock);
	return needed;
}

/*
 * A table partitioned on its flag column ("deleted rows go to a cold
 * partition") moves a row to another partition when it is soft-deleted or
 * restored.  Core fires only its own foreign-key triggers for such a move,
 * not softdelete_fk: cascades and restrictions would be skipped.  So foreign
 * keys and such a partitioning do not go together.
 */
static void
sd_refuse_flag_partition_key(Oid relid, const char *flag_column)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		Oid			part = lfirst_oid(lc);
		Relation	rel;
		PartitionKey key;
		AttrNumber	flag;
		Bitmapset  *attrs = NULL;
		int			i;

		if (get_rel_relkind(part) != RELKIND_PARTITIONED_TABLE)
			continue;
		flag = get_attnum(part, flag_column);
		rel = table_open(part, AccessShareLock);
		key = RelationGetPartitionKey(rel);
		for (i = 0; i < key->partnatts; i++)
			if (key->partattrs[i] != 0)
				attrs = bms_add_member(attrs, key->partattrs[i] - FirstLowInvalidHeapAttributeNumber);
		pull_varattnos((Node *) key->partexprs, 1, &attrs);
		table_close(rel, AccessShareLock);
		if (flag > 0 && bms_is_member(flag - FirstLowInvalidHeapAttributeNumber, attrs))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("table \"%s\" is partitioned on its soft-delete flag column \"%s\" and foreign keys involve it",
							get_rel_name(part), flag_column),
					 errdetail("A soft delete or a restore moves the row to another partition, and PostgreSQL runs only its own foreign-key triggers for such a move: cascades and restrictions of soft deletes would be skipped."),
					 errhint("Partition the table on other columns, or drop the foreign keys that reference it or that it holds towards tables with soft delete.")));
	}
}

/*
 * Give enabled flag-mode table relid (and its children) softdelete_fk when
 * foreign keys involve it; tables no key involves go without, and their
 * soft deletes without its cost (in SPI).  Called by enable, for new
 * children, and after DDL that may add a foreign key.
 */
void
sd_fk_ensure_triggers(Oid relid)
{
	SdTable		t;
	ListCell   *lc;

	if (!sd_catalog_lookup(relid, &t) || t.mode != SD_MODE_FLAG)
		return;
	relid = t.root;
	if (!sd_fk_needed(relid))
		return;
	sd_refuse_flag_partition_key(relid, NameStr(t.column_name));
	foreach(lc, sd_tree_tables(relid, true))
		sd_fk_trigger(lfirst_oid(lc), NameStr(t.column_name), true);
}

/*
 * Create the row trigger of its mode, and the TRUNCATE guard, on relid and
 * on every partition and inheritance child below it (in SPI).  Partitions
 * get clones of the parent's row trigger from core, but not of statement
 * triggers; inheritance children get neither.  In a session without the
 * library only a trigger of their own refuses a DELETE or TRUNCATE that
 * names them.  Triggers that already exist are kept.
 */
void
sd_create_triggers(Oid relid, SdMode mode, bool versions,
				   const char *flag_column)
{
	const char *rowtrig = mode == SD_MODE_FLAG ? "softdelete_guard" : SD_ARCHIVE_TRIGGER;
	ListCell   *lc;

	foreach(lc, sd_tree_tables(relid, false))
	{
		Oid			rel = lfirst_oid(lc);
		char	   *qname = sd_qualified_name(rel);

		/* partitions have clones of the row trigger, but not of TRUNCATE's */
		if ((rel == relid || !get_rel_relispartition(rel)) &&
			!OidIsValid(get_trigger_oid(rel, rowtrig, true)))
		{
			if (mode == SD_MODE_FLAG)
				sd_spi_exec(psprintf("CREATE TRIGGER softdelete_guard BEFORE DELETE ON %s "
									 "FOR EACH ROW EXECUTE FUNCTION softdelete.guard()",
									 qname),
							SPI_OK_UTILITY);
			else
			{
				sd_spi_exec(psprintf("CREATE TRIGGER %s BEFORE DELETE%s ON %s "
									 "FOR EACH ROW EXECUTE FUNCTION softdelete.archive()",
									 SD_ARCHIVE_TRIGGER, versions ? " OR UPDATE" : "",
									 qname),
							SPI_OK_UTILITY);
				sd_spi_exec(psprintf("ALTER TABLE ONLY %s ENABLE ALWAYS TRIGGER %s",
									 qname, SD_ARCHIVE_TRIGGER),
							SPI_OK_UTILITY);
			}
		}
		if (!OidIsValid(get_trigger_oid(rel, "softdelete_guard_truncate", true)))
			sd_spi_exec(psprintf("CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON %s "
								 "FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard()",
								 qname),
						SPI_OK_UTILITY);
	}
}

/* Drop them again, from relid and its inheritance children (in SPI). */
static void
sd_drop_triggers(Oid relid, SdMode mode)
{
	ListCell   *lc;

	foreach(lc, sd_tree_tables(relid, false))
	{
		Oid			rel = lfirst_oid(lc);
		char	   *qname = sd_qualified_name(rel);

		if (rel == relid || !get_rel_relispartition(rel))
		{
			sd_spi_exec(psprintf("DROP TRIGGER IF EXISTS %s ON %s",
								 mode == SD_MODE_FLAG ? "softdelete_guard" : SD_ARCHIVE_TRIGGER,
								 qname),
						SPI_OK_UTILITY);
			if (mode == SD_MODE_FLAG)
				sd_fk_trigger(rel, NULL, false);
		}
		sd_spi_exec(psprintf("DROP TRIGGER IF EXISTS softdelete_guard_truncate ON %s", qname),
					SPI_OK_UTILITY);
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
	sd_create_triggers(child, t.mode, t.versions, NameStr(t.column_name));
	sd_fk_ensure_triggers(t.root);
	SPI_finish();
}

/*
 * Unique keys other than the primary key keep holding the values of deleted
 * rows, so a new row cannot take them.  Report each one; with replace, make
 * each one that no foreign key needs (and that is not deferrable) a unique
 * index over live rows: same name, same definition, "WHERE flag IS NULL"
 * added.  Indexes whose predicate already names the flag column are left.
 */
static void
sd_unique_keys(Oid relid, const char *colname, bool replace)
{
	Relation	rel = table_open(relid, NoLock);
	List	   *sql = NIL;
	ListCell   *lc;
	AttrNumber	flag = get_attnum(relid, colname);

	foreach(lc, RelationGetIndexList(rel))
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	idx = index_open(indexoid, AccessShareLock);
		Form_pg_index form = idx->rd_index;
		Oid			conoid = get_index_constraint(indexoid);
		const char *what = OidIsValid(conoid) ? "unique constraint" : "unique index";
		char	   *name = pstrdup(RelationGetRelationName(idx));
		List	   *fks;
		bool		live_only = false;
		bool		deferrable = !form->indimmediate;

		if (!heap_attisnull(idx->rd_indextuple, Anum_pg_index_indpred, NULL))
		{
			Bitmapset  *attrs = NULL;

			pull_varattnos((Node *) RelationGetIndexPredicate(idx), 1, &attrs);
			live_only = bms_is_member(flag - FirstLowInvalidHeapAttributeNumber, attrs);
		}
		index_close(idx, AccessShareLock);
		if (!form->indisunique || form->indisprimary || form->indisexclusion ||
			live_only)
			continue;

		fks = sd_fk_referencing_index(relid, indexoid);
		if (!replace)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" also holds soft-deleted rows",
							what, name, RelationGetRelationName(rel)),
					 errdetail("A new row cannot take the values of a deleted row."),
					 fks == NIL && !deferrable ?
					 errhint("Call softdelete.enable(..., replace_unique => true) to make it a unique index over live rows.") :
					 0));
		else if (fks != NIL)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" is kept: foreign key \"%s\" needs it",
							what, name, RelationGetRelationName(rel),
							NameStr(((SdFk *) linitial(fks))->conname)),
					 errdetail("It also holds soft-deleted rows: a new row cannot take their values.")));
		else if (deferrable)
			ereport(WARNING,
					(errmsg("%s \"%s\" of table \"%s\" is kept: it is deferrable",
							what, name, RelationGetRelationName(rel)),
					 errdetail("It also holds soft-deleted rows: a new row cannot take their values.")));
		else
		{
			char	   *def = pg_get_indexdef_string(indexoid);

			sql = lappend(sql, OidIsValid(conoid) ?
						  psprintf("ALTER TABLE %s DROP CONSTRAINT %s",
								   sd_qualified_name(relid), quote_identifier(name)) :
						  psprintf("DROP INDEX %s",
								   quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
															  name)));
			sql = lappend(sql, psprintf("%s %s (%s IS NULL)", def,
										strstr(def, " WHERE ") ? "AND" : "WHERE",
										quote_identifier(colname)));
			ereport(NOTICE,
					(errmsg("%s \"%s\" of table \"%s\" is now a unique index over live rows",
							what, name, RelationGetRelationName(rel))));
		}
	}
	table_close(rel, NoLock);
	foreach(lc, sql)
		sd_spi_exec(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * softdelete.enable(tbl, column_name, replace_unique): make DELETE on tbl a
 * soft delete and hide its deleted rows.  Adds the timestamptz column if it
 * is missing.
 */
Datum
softdelete_enable(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *colname;
	Relation	rel;
	SdTable		t;
	AttrNumber	attno;
	char	   *qname;
	bool		replace_unique;
	ListCell   *lc;

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 1, "column_name");
	sd_require_arg(fcinfo, 2, "replace_unique");
	relid = PG_GETARG_OID(0);
	colname = NameStr(*PG_GETARG_NAME(1));
	replace_unique = PG_GETARG_BOOL(2);

	rel = sd_open_owned_table(relid, AccessExclusiveLock);
	qname = sd_qualified_name(relid);

	if (sd_catalog_lookup(relid, &t))
	{
		if (t.mode != SD_MODE_FLAG)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is already enabled in archive mode",
							RelationGetRelationName(rel)),
					 errhint("Call softdelete.disable() first.")));
		if (strcmp(NameStr(t.column_name), colname) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is already enabled with flag column \"%s\"",
							RelationGetRelationName(rel),
							NameStr(t.column_name)),
					 errhint("Call softdelete.disable() first.")));
		ereport(NOTICE,
				(errmsg("table \"%s\" is already enabled, skipping",
						RelationGetRelationName(rel))));
		table_close(rel, NoLock);
		SPI_connect();
		sd_fk_ensure_triggers(relid);
		if (replace_unique)
			sd_unique_keys(relid, colname, true);
		SPI_finish();
		PG_RETURN_VOID();
	}

	attno = get_attnum(relid, colname);
	if (attno != InvalidAttrNumber)
	{
		Form_pg_attribute att;

		if (attno < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("cannot use system column \"%s\" as the soft-delete flag",
							colname)));
		att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
		if (att->atttypid != TIMESTAMPTZOID && att->atttypid != TIMESTAMPOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" has type %s",
							colname, RelationGetRelationName(rel),
							format_type_be(att->atttypid)),
					 errdetail("The soft-delete flag column must be of type timestamptz or timestamp.")));
		if (att->attgenerated || att->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of table \"%s\" cannot be the soft-delete flag",
							colname, RelationGetRelationName(rel)),
					 errdetail("The flag column must be an ordinary nullable column: NULL means live.")));
	}

	/* Keep the lock; ALTER TABLE needs the relation closed. */
	table_close(rel, NoLock);
	sd_fk_check_enable(relid, SD_MODE_FLAG);

	SPI_connect();
	if (attno == InvalidAttrNumber)
		sd_spi_exec(psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz",
							 qname, quote_identifier(colname)),
					SPI_OK_UTILITY);
	sd_create_triggers(relid, SD_MODE_FLAG, false, colname);
	CommandCounterIncrement();
	sd_unique_keys(relid, colname, replace_unique);
	SPI_finish();

	sd_catalog_register(relid, SD_MODE_FLAG, colname, InvalidOid, false);
	CommandCounterIncrement();

	/* foreign keys: this table, and the tables that reference it */
	SPI_connect();
	sd_fk_ensure_triggers(relid);
	foreach(lc, sd_fk_incoming(relid))
	{
		sd_fk_ensure_triggers(((SdFk *) lfirst(lc))->child);
		sd_ref_ensure_trigger(((SdFk *) lfirst(lc))->child);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * softdelete.enable_archive(tbl, archive_name, versions): DELETE on tbl
 * moves the rows to the archive table, created here (or reused when a
 * previous enable_archive made it).  With versions, UPDATE archives the old
 * image too, and tbl gets a valid_from column.  Returns the archive table.
 */
Datum
softdelete_enable_archive(PG_FUNCTION_ARGS)
{
	Oid			relid;
	bool		versions;
	Relation	rel;
	SdTable		t;
	char	   *relname;
	char	   *archname;
	Oid			nsp;
	Oid			existing;
	char	   *qname;
	char	   *qarchive;
	Oid			owner;
	AttrNumber	vf;
	ListCell   *lc;
	Oid			archive;

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 2, "versions");
	relid = PG_GETARG_OID(0);
	versions = PG_GETARG_BOOL(2);

	rel = sd_open_owned_table(relid, AccessExclusiveLock);
	relname = pstrdup(RelationGetRelationName(rel));
	nsp = RelationGetNamespace(rel);
	owner = rel->rd_rel->relowner;
	qname = sd_qualified_name(relid);
	archname = PG_ARGISNULL(1) ? psprintf("%s_archive", relname) :
		pstrdup(NameStr(*PG_GETARG_NAME(1)));

	if (sd_catalog_lookup(relid, &t))
	{
		if (t.mode == SD_MODE_FLAG)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is already enabled in flag mode",
							relname),
					 errhint("Call softdelete.disable() first.")));
		if (t.versions != versions ||
			strcmp(get_rel_name(t.archive) ? get_rel_name(t.archive) : "",
				   archname) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is already enabled in archive mode with archive table \"%s\"%s",
							relname, get_rel_name(t.archive),
							t.versions ? " and versions" : ""),
					 errhint("Call softdelete.disable() first.")));
		ereport(NOTICE,
				(errmsg("table \"%s\" is already enabled, skipping", relname)));
		table_close(rel, NoLock);
		PG_RETURN_OID(t.archive);
	}

	if (!OidIsValid(SD_PRIMARY_KEY_INDEX(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no primary key", relname),
				 errdetail("Archive mode finds the archived images of a row by its primary key, to restore it and to read its history."),
				 errhint("Add a primary key, or use softdelete.enable() (flag mode).")));
	if (strlen(archname) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("archive table name \"%s\" is too long", archname),
				 errhint("Pass a shorter archive_name.")));

	existing = get_relname_relid(archname, nsp);
	if (OidIsValid(existing))
	{
		if (get_rel_relkind(existing) != RELKIND_RELATION ||
			!sd_archive_looks_like_archive(existing) ||
			OidIsValid(sd_catalog_archive_of(existing)) ||
			sd_catalog_lookup(existing, NULL) || has_superclass(existing) ||
			get_rel_relispartition(existing))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists", archname),
					 errhint("Pass another archive_name.")));
		if (!SD_TABLE_OWNERCHECK(existing))
			aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, archname);
		ereport(NOTICE,
				(errmsg("using existing archive table \"%s\"", archname)));
	}

	vf = get_attnum(relid, SD_VALID_FROM);
	if (versions && vf > 0 &&
		get_atttype(relid, vf) != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table \"%s\" must be of type timestamptz",
						SD_VALID_FROM, relname),
				 errdetail("With versions, it records when each version of a row began.")));
	/* reserved names are checked before anything changes */
	sd_archive_create_sql(rel, "", true);
	table_close(rel, NoLock);
	sd_fk_check_enable(relid, SD_MODE_ARCHIVE);

	qarchive = quote_qualified_identifier(get_namespace_name(nsp), archname);
	SPI_connect();
	if (versions && vf == InvalidAttrNumber)
		sd_spi_exec(psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz NOT NULL DEFAULT now()",
							 qname, SD_VALID_FROM),
					SPI_OK_UTILITY);
	rel = table_open(relid, NoLock);
	if (!OidIsValid(existing))
	{
		foreach(lc, sd_archive_create_sql(rel, qarchive, false))
			sd_spi_exec(lfirst(lc), SPI_OK_UTILITY);
		sd_spi_exec(sd_archive_index_sql(rel, qarchive), SPI_OK_UTILITY);
		if (owner != GetUserId())
			sd_spi_exec(psprintf("ALTER TABLE %s OWNER TO %s", qarchive,
								 quote_identifier(GetUserNameFromId(owner, false))),
						SPI_OK_UTILITY);
	}
	else
	{
		TupleDesc	desc = RelationGetDescr(rel);
		int			i;

		/* columns the live table gained since: add them */
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped &&
				get_attnum(existing, NameStr(att->attname)) == InvalidAttrNumber)
				sd_archive_add_column_sql(qarchive,
										  quote_identifier(NameStr(att->attname)),
										  sd_column_type(att), relid,
										  att->attnum);
		}
	}
	table_close(rel, NoLock);

	sd_create_triggers(relid, SD_MODE_ARCHIVE, versions, NULL);
	SPI_finish();

	archive = get_relname_relid(archname, nsp);
	sd_catalog_register(relid, SD_MODE_ARCHIVE, NULL, archive, versions);
	PG_RETURN_OID(archive);
}

/*
 * softdelete.disable(tbl): DELETE is physical again and every row shows.
 * The flag column and its values stay.
 */
Datum
softdelete_disable(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Relation	rel;
	SdTable		t;

	sd_require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	memset(&t, 0, sizeof(t));

	rel = try_relation_open(relid, AccessExclusiveLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!sd_catalog_lookup(relid, &t) || t.root != relid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("soft delete is not enabled on table \"%s\"",
						RelationGetRelationName(rel)),
				 OidIsValid(t.root) && t.root != relid ?
				 errhint("It is a partition or child of \"%s\": disable that table.",
						 get_rel_name(t.root)) : 0));
	if (!SD_TABLE_OWNERCHECK(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));

	table_close(rel, NoLock);
	SPI_connect();
	sd_drop_triggers(relid, t.mode);
	SPI_finish();
	if (t.mode == SD_MODE_ARCHIVE && get_rel_name(t.archive) != NULL)
		ereport(NOTICE,
				(errmsg("archive table %s is kept", sd_qualified_name(t.archive))));

	sd_catalog_unregister(relid);

	/* keys to this table no longer need checking by softdelete (19 on) */
	if (t.mode == SD_MODE_FLAG)
	{
		ListCell   *lc;

		SPI_connect();
		foreach(lc, sd_fk_incoming(relid))
			sd_ref_ensure_trigger(((SdFk *) lfirst(lc))->child);
		SPI_finish();
	}
	PG_RETURN_VOID();
}

/*
 * Look up an enabled table for restore or purge: in flag mode its flag
 * column, in archive mode its archive table, must still be there.  Only the
 * table itself, not one of its partitions, names the whole.
 */
static void
sd_require_enabled(Oid relid, SdTable *t)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!sd_catalog_lookup(relid, t))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("soft delete is not enabled on table \"%s\"", relname),
				 errhint("Call softdelete.enable() first.")));
	if (t->mode == SD_MODE_FLAG)
		sd_require_flag_column(t);
	else
	{
		if (t->root != relid)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is archived through its parent \"%s\"",
							relname, get_rel_name(t->root)),
					 errhint("Name the parent table.")));
		if (get_rel_name(t->archive) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("archive table of \"%s\" does not exist", relname)));
	}
}

/*
 * Check that filter is one SQL expression and nothing more.  It is parsed
 * alone, as PL/pgSQL parses an expression, so parentheses that would close
 * the ones around it in the statement (`id = 1) OR (true`) do not parse,
 * and neither does a second statement.
 */
static void
sd_check_filter(const char *filter)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	List	   *volatile parsed = NIL;
	SelectStmt *select;
	ErrorData  *volatile edata = NULL;

	PG_TRY();
	{
		parsed = raw_parser(filter, RAW_PARSE_PLPGSQL_EXPR);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	if (edata == NULL && list_length(parsed) == 1)
	{
		select = (SelectStmt *) linitial_node(RawStmt, parsed)->stmt;
		if (IsA(select, SelectStmt) &&
			list_length(select->targetList) == 1 &&
			linitial_node(ResTarget, select->targetList)->name == NULL &&
			select->fromClause == NIL && select->whereClause == NULL &&
			select->groupClause == NIL && select->havingClause == NULL &&
			select->windowClause == NIL && select->sortClause == NIL &&
			select->limitCount == NULL && select->limitOffset == NULL &&
			select->lockingClause == NIL && select->withClause == NULL &&
			select->distinctClause == NIL && select->valuesLists == NIL &&
			select->intoClause == NULL && select->op == SETOP_NONE)
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid filter: %s", filter),
			 edata ? errdetail("%s", edata->message) :
			 errdetail("The filter must be a single SQL expression."),
			 errhint("Write a boolean expression over the table's columns, such as 'id = 42'.")));
}

/* Quoted, comma-separated names of rel's primary key columns. */
static char *
sd_pk_columns(Oid relid, const char *prefix)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Relation	idx = index_open(SD_PRIMARY_KEY_INDEX(rel), AccessShareLock);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < idx->rd_index->indnkeyatts; i++)
		appendStringInfo(&buf, "%s%s%s", i > 0 ? ", " : "", prefix,
						 quote_identifier(get_attname(relid,
													  idx->rd_index->indkey.values[i],
													  false)));
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return buf.data;
}

/*
 * The rows of archive-mode children that ON DELETE CASCADE archived with
 * the parent rows just restored (images, in moved): same key, same
 * archived_xid.  They come back too, and theirs in turn.
 */
static void
sd_restore_archive_cascade(Oid relid, SPITupleTable *moved, uint64 n)
{
	int			xid_col = SPI_fnumber(moved->tupdesc, "archived_xid");
	ListCell   *lc;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);
		SdTable		ct;
		StringInfoData filter;
		int			cols[INDEX_MAX_KEYS];
		uint64		r;
		int			i;

		if (fk->deltype != FKCONSTR_ACTION_CASCADE ||
			!sd_catalog_lookup(fk->child, &ct) || ct.mode != SD_MODE_ARCHIVE)
			continue;
		initStringInfo(&filter);
		appendStringInfoString(&filter, "(");
		for (i = 0; i < fk->nkeys; i++)
		{
			cols[i] = SPI_fnumber(moved->tupdesc,
								  get_attname(fk->parent, fk->parent_att[i], false));
			appendStringInfo(&filter, "%s, ",
							 quote_identifier(get_attname(fk->child,
														  fk->child_att[i],
														  false)));
		}
		appendStringInfoString(&filter, "archived_xid) IN (VALUES ");
		for (r = 0; r < n; r++)
		{
			HeapTuple	tup = moved->vals[r];
			bool		isnull = false;

			appendStringInfo(&filter, "%s(", r > 0 ? ", " : "");
			for (i = 0; i < fk->nkeys && !isnull; i++)
			{
				char	   *v = SPI_getvalue(tup, moved->tupdesc, cols[i]);

				isnull = (v == NULL);
				if (v != NULL)
					appendStringInfo(&filter, "%s::%s, ", quote_literal_cstr(v),
									 format_type_be(SPI_gettypeid(moved->tupdesc, cols[i])));
			}
			if (isnull)			/* no reference: the VALUES row matches nothing */
				appendStringInfoString(&filter, "NULL, ");
			appendStringInfo(&filter, "%s::pg_catalog.xid8)",
							 quote_literal_cstr(SPI_getvalue(tup, moved->tupdesc, xid_col)));
		}
		appendStringInfoString(&filter, ")");
		sd_restore_archive(fk->child, &ct, filter.data);
	}
}

/*
 * Restore in archive mode: the latest delete image of each key that
 * matches the filter goes back into the live table.
 * A key that is live again fails the whole call before anything moves.
 */
uint64
sd_restore_archive(Oid relid, const SdTable *t, const char *filter)
{
	Relation	rel;
	TupleDesc	desc;
	StringInfoData cols;
	char	   *qlive = sd_qualified_name(relid);
	char	   *qarchive = sd_qualified_name(t->archive);
	char	   *pk = sd_pk_columns(relid, "");
	char	   *picked;
	char	   *sql;
	uint64		processed;
	int			i;

	/* the columns to put back: what the live table has and may be given */
	initStringInfo(&cols);
	rel = table_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated ||
			(t->versions && strcmp(NameStr(att->attname), SD_VALID_FROM) == 0) ||
			get_attnum(t->archive, NameStr(att->attname)) == InvalidAttrNumber)
			continue;
		appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)));
	}
	table_close(rel, AccessShareLock);

	picked = psprintf("SELECT * FROM (SELECT DISTINCT ON (%s) * FROM ONLY %s "
					  "WHERE archive_op = 'delete' ORDER BY %s, archive_id DESC) latest%s%s%s",
					  pk, qarchive, pk,
					  filter ? " WHERE (" : "", filter ? filter : "",
					  filter ? ")" : "");

	SPI_connect();
	sql = psprintf("SELECT pg_catalog.format('(%%s)=(%%s)', %s, "
				   "pg_catalog.concat_ws(', ', %s)) "
				   "FROM (%s) p WHERE EXISTS (SELECT FROM %s l WHERE (%s) = (%s)) LIMIT 1",
				   quote_literal_cstr(pk), sd_pk_columns(relid, "p."),
				   picked, qlive, sd_pk_columns(relid, "l."),
				   sd_pk_columns(relid, "p."));
	sd_spi_exec(sql, SPI_OK_SELECT);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("cannot restore rows of table \"%s\": key %s is live",
						get_rel_name(relid),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
				 errdetail("A live row has the primary key of an archived row; nothing was restored."),
				 errhint("Delete or change the live row first, or narrow the filter.")));

	/*
	 * Without versions the image leaves the archive.  With versions it is
	 * history (the version it holds did exist until it was deleted): it stays,
	 * marked 'restored'.  Either way a concurrent restore of the same image
	 * finds it gone, or no longer 'delete', and restores nothing.
	 */
	sql = psprintf("WITH picked AS (SELECT archive_id FROM (%s) f), "
				   "moved AS (%s), "
				   "put AS (INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM moved) "
				   "SELECT * FROM moved",
				   picked,
				   t->versions ?
				   psprintf("UPDATE ONLY %s a SET archive_op = 'restored' FROM picked p "
							"WHERE a.archive_id = p.archive_id AND a.archive_op = 'delete' "
							"RETURNING a.*", qarchive) :
				   psprintf("DELETE FROM ONLY %s a USING picked p "
							"WHERE a.archive_id = p.archive_id RETURNING a.*", qarchive),
				   qlive, cols.data, cols.data);
	PG_TRY();
	{
		sd_archive_restoring = true;
		sd_spi_exec(sql, SPI_OK_SELECT);
	}
	PG_FINALLY();
	{
		sd_archive_restoring = false;
	}
	PG_END_TRY();
	processed = SPI_processed;
	if (processed > 0)
		sd_restore_archive_cascade(relid, SPI_tuptable, processed);
	SPI_finish();
	return processed;
}

/*
 * softdelete.restore(tbl, filter): bring back the deleted rows that match
 * filter (all of them when NULL).  Returns how many.
 */
Datum
softdelete_restore(PG_FUNCTION_ARGS)
{
	Oid			relid;
	SdTable		t;
	const char *col;
	char	   *sql;
	char	   *filter = NULL;
	uint64		processed;

	sd_require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	sd_require_enabled(relid, &t);
	if (!PG_ARGISNULL(1))
	{
		filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
		sd_check_filter(filter);
	}
	if (t.mode == SD_MODE_ARCHIVE)
		PG_RETURN_INT64((int64) sd_restore_archive(relid, &t, filter));

	col = quote_identifier(NameStr(t.column_name));
	sql = psprintf("UPDATE %s SET %s = NULL WHERE %s IS NOT NULL",
				   sd_qualified_name(relid), col, col);
	if (filter != NULL)
		sql = psprintf("%s AND (%s)", sql, filter);

	SPI_connect();
	PG_TRY();
	{
		sd_exempt_next = SD_EXEMPT_FILTER;
		sd_spi_exec(sql, SPI_OK_UPDATE);
	}
	PG_FINALLY();
	{
		sd_exempt_next = SD_EXEMPT_NONE;
	}
	PG_END_TRY();
	processed = SPI_processed;
	SPI_finish();
	PG_RETURN_INT64((int64) processed);
}

/*
 * softdelete.purge(tbl, older_than): erase the rows deleted at least
 * older_than ago.  Returns how many.
 */
Datum
softdelete_purge(PG_FUNCTION_ARGS)
{
	Oid			relid;
	SdTable		t;
	Interval   *older_than;
	Interval	zero;
	const char *col;
	char	   *sql;
	Oid			argtypes[1] = {INTERVALOID};
	Datum		args[1];
	uint64		processed;
	int			rc;

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 1, "older_than");
	relid = PG_GETARG_OID(0);
	older_than = PG_GETARG_INTERVAL_P(1);
	memset(&zero, 0, sizeof(zero));
	if (DatumGetBool(DirectFunctionCall2(interval_lt,
										 IntervalPGetDatum(older_than),
										 IntervalPGetDatum(&zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must not be negative")));
	sd_require_enabled(relid, &t);
	args[0] = IntervalPGetDatum(older_than);

	if (t.mode == SD_MODE_ARCHIVE)
	{
		/* the archive is an ordinary table: erase its rows */
		sql = psprintf("DELETE FROM ONLY %s WHERE archived_at <= now() - $1",
					   sd_qualified_name(t.archive));
		SPI_connect();
		rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
				 SPI_result_code_string(rc));
		processed = SPI_processed;
		SPI_finish();
		PG_RETURN_INT64((int64) processed);
	}

	/*
	 * A row goes when the latest instant its stamp could stand for is
	 * older_than ago: a column with fewer fractional digits rounds the
	 * instant (up to half a unit earlier or later).  A timestamp (without
	 * time zone) flag holds UTC (redirect.c).
	 */
	{
		TimestampTz lo,
					hi;
		char	   *bound;

		sd_stamp_window(0, t.flag_typmod, &lo, &hi);
		bound = psprintf("now() - $1 - '%lld microseconds'::pg_catalog.interval",
						 (long long) hi);
		if (t.flag_type == TIMESTAMPOID)
			bound = psprintf("pg_catalog.timezone('UTC', %s)", bound);
		col = quote_identifier(NameStr(t.column_name));
		sql = psprintf("DELETE FROM %s WHERE %s IS NOT NULL AND %s <= %s",
					   sd_qualified_name(relid), col, col, bound);
	}

	SPI_connect();
	sd_erasing_depth++;
	PG_TRY();
	{
		sd_exempt_next = SD_EXEMPT_FILTER_AND_DELETE;
		rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
				 SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		sd_exempt_next = SD_EXEMPT_NONE;
		sd_erasing_depth--;
	}
	PG_END_TRY();
	processed = SPI_processed;
	SPI_finish();
	PG_RETURN_INT64((int64) processed);
}

/* sql_drop event trigger: forget the registrations of dropped tables. */
Datum
softdelete_on_drop(PG_FUNCTION_ARGS)
{
	uint64		i;
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
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot drop archive table of \"%s\": archive mode is enabled on it",
							get_rel_name(live)),
					 errdetail("The archive table holds the only copy of the deleted rows."),
					 errhint("Call softdelete.disable() on the table first.")));
	}

	foreach(lc, dropped)
	{
		Oid			relid = lfirst_oid(lc);
		SdTable		t;

		if (sd_catalog_lookup(relid, &t) && t.root == relid &&
			t.mode == SD_MODE_ARCHIVE && !list_member_oid(dropped, t.archive) &&
			get_rel_name(t.archive) != NULL)
			ereport(NOTICE,
					(errmsg("archive table %s is kept", sd_qualified_name(t.archive))));
		sd_catalog_unregister(relid);
	}
	PG_RETURN_VOID();
}
