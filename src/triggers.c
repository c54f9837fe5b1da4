/*-------------------------------------------------------------------------
 *
 * triggers.c
 *		The triggers softdelete places on an enabled table, its partitions and
 *		its inheritance children: the guard or the archive trigger, the TRUNCATE
 *		guard, softdelete_fk, softdelete_ref; created, kept in step with the
 *		table's foreign keys, and dropped.
 *
 * Calls: catalog.c, keys.c, sql.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/timestamp.h"

#include "softdelete.h"

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
	const char *test;

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
	/* when the row goes from live to deleted or back (never NULL) */
	test = get_atttype(rel, get_attnum(rel, flag_column)) == BOOLOID ?
		"TRUE" : "NULL";
	sd_spi_exec(psprintf("CREATE TRIGGER softdelete_fk AFTER UPDATE ON %s "
						 "FOR EACH ROW WHEN ((OLD.%s IS %s) <> (NEW.%s IS %s)) "
						 "EXECUTE FUNCTION softdelete.fk()",
						 qname, col, test, col, test),
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
void
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
