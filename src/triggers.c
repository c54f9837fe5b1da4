/*-------------------------------------------------------------------------
 *
 * triggers.c
 *		The triggers softdelete places on an enabled table, its partitions and
 *		its inheritance children: the guard or the archive trigger, the TRUNCATE
 *		guard, softdelete_fk, softdelete_ref; created, kept in step with the
 *		table's foreign keys, and dropped.
 *
 * Calls: access.c (a table's owner), catalog.c, keys.c, sql.c.
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
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/timestamp.h"

#include "access.h"
#include "catalog.h"
#include "compat.h"
#include "keys.h"
#include "sql.h"
#include "triggers.h"

/*
 * Run sql, CREATE or DROP TRIGGER on table relid (in SPI), as the table's
 * owner: what softdelete places on a table belongs to its owner, and a
 * role that may reference a table (REFERENCES) needs no TRIGGER privilege
 * on it for softdelete_fk, as core's own foreign-key triggers need none.
 * Citus copies a trigger of a distributed or reference table to every
 * shard only when told it is safe: softdelete's are (they run on the
 * shards, fkeys.c), so it is told for this one statement.
 */
static void
sd_trigger_ddl(Oid relid, const char *sql)
{
	volatile int nest = -1;
	Oid			save_userid;
	int			save_sec;

	if (sd_citus_kind(relid) != 0)
	{
		nest = NewGUCNestLevel();
		(void) set_config_option("citus.enable_unsafe_triggers", "on",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	}
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(sd_rel_owner(relid),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		sd_spi_exec(sql, SPI_OK_UTILITY);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
	if (nest >= 0)
		AtEOXact_GUC(true, nest);
}

/*
 * The trigger softdelete_fk (fk_trigger.c) of one flag-mode table: create it,
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
			sd_trigger_ddl(rel, psprintf("DROP TRIGGER softdelete_fk ON %s", qname));
		return;
	}
	if (OidIsValid(get_trigger_oid(rel, "softdelete_fk", true)))
		return;
	col = quote_identifier(flag_column);
	/* when the row goes from live to deleted or back (never NULL) */
	test = get_atttype(rel, get_attnum(rel, flag_column)) == BOOLOID ?
		"TRUE" : "NULL";
	sd_trigger_ddl(rel, psprintf("CREATE TRIGGER softdelete_fk AFTER UPDATE ON %s "
						 "FOR EACH ROW WHEN ((OLD.%s IS %s) <> (NEW.%s IS %s)) "
						 "EXECUTE FUNCTION softdelete.fk()",
						 qname, col, test, col, test));
}

/*
 * softdelete_ref (see fkeys.c) belongs on every table, enabled or not, that
 * holds a foreign key to a flag-mode table: created when missing, dropped
 * (may_drop) when no such key is left (in SPI).  Partitions get clones.  It checks new
 * references from 19 on, where core's check skips the planner; below 19 its
 * WHEN (softdelete.ref_needed()) is false and it costs no event, but it is
 * there, so that pg_upgrade to 19 brings it along (1.4).  A database whose
 * extension is older than 1.4 has no ref_needed(): there it is made on 19
 * only, without the WHEN, as before.
 */
void
sd_ref_ensure_trigger(Oid relid, bool may_drop)
{
	Relation	rel;
	ListCell   *lc;
	bool		needed = false;
	bool		has;
	bool		citus;
	bool		when;

	if (!OidIsValid(get_rel_namespace(relid)))
		return;
	/*
	 * Citus checks a new reference on the shards, where deleted rows are
	 * not filtered: the shard's own softdelete_ref('shard') checks it there.
	 */
	citus = sd_citus_kind(relid) != 0;
	when = !citus && OidIsValid(sd_ref_needed_oid());
	if (!SD_CORE_RI_CHECK_SKIPS_PLANNER && !citus && !when)
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
		sd_trigger_ddl(relid, psprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE ON %s "
							 "FOR EACH ROW %sEXECUTE FUNCTION softdelete.fk(%s)",
									   SD_REF_TRIGGER, sd_qualified_name(relid),
									   when ? "WHEN (softdelete.ref_needed()) " : "",
									   citus ? "'shard'" : ""));
	else if (!needed && has && may_drop &&
			 (!get_rel_relispartition(relid) ||
			  !OidIsValid(get_trigger_oid(get_partition_parent(relid, false),
										  SD_REF_TRIGGER, true))))
		sd_trigger_ddl(relid, psprintf("DROP TRIGGER %s ON %s", SD_REF_TRIGGER,
							 sd_qualified_name(relid)));
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

/* Has relid a guard trigger that does not name the flag column? */
static bool
sd_guard_needs_column(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	bool		old = false;
	int			i;

	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (strcmp(rel->trigdesc->triggers[i].tgname, "softdelete_guard") == 0)
			old = rel->trigdesc->triggers[i].tgnargs == 0;
	table_close(rel, AccessShareLock);
	return old;
}

/*
 * The registration as the TRUNCATE guard's arguments: 'flag', column, or
 * 'archive', archive table, 'versions' or ''.  They travel with the table
 * in a dump of it alone (pg_dump -t, -n), which carries no registry row:
 * the restore's CREATE TRIGGER registers the table again (ddl_tree.c).
 */
static char *
sd_registration_args(Oid relid, SdMode mode, bool versions,
					 const char *flag_column, const char *archive)
{
	SdTable		t;

	/* (1.6) and the column that records who deleted */
	if (mode == SD_MODE_FLAG && sd_catalog_lookup(relid, &t) &&
		NameStr(t.by_column)[0] != '\0')
		return psprintf("'flag', %s, %s", quote_literal_cstr(flag_column),
						quote_literal_cstr(NameStr(t.by_column)));
	if (mode == SD_MODE_FLAG)
		return psprintf("'flag', %s", quote_literal_cstr(flag_column));
	return psprintf("'archive', %s, '%s'", quote_literal_cstr(archive),
					versions ? "versions" : "");
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
				   const char *flag_column, const char *archive)
{
	const char *rowtrig = mode == SD_MODE_FLAG ? "softdelete_guard" : SD_ARCHIVE_TRIGGER;
	ListCell   *lc;
	bool		citus;

	/* on Citus, the shards' guard names the flag column (catalog.c) */
	citus = sd_citus_kind(relid) != 0;
	foreach(lc, sd_tree_tables(relid, false))
	{
		Oid			rel = lfirst_oid(lc);
		char	   *qname = sd_qualified_name(rel);

		/* a Citus table's guard from before it named the column */
		if (citus && mode == SD_MODE_FLAG && sd_guard_needs_column(rel))
			sd_trigger_ddl(rel, psprintf("DROP TRIGGER softdelete_guard ON %s", qname));
		/* partitions have clones of the row trigger, but not of TRUNCATE's */
		if ((rel == relid || !get_rel_relispartition(rel)) &&
			!OidIsValid(get_trigger_oid(rel, rowtrig, true)))
		{
			if (mode == SD_MODE_FLAG)
				sd_trigger_ddl(rel, psprintf("CREATE TRIGGER softdelete_guard BEFORE DELETE ON %s "
											 "FOR EACH ROW EXECUTE FUNCTION softdelete.guard(%s)",
											 qname, citus ? quote_literal_cstr(flag_column) : ""));
			else
			{
				sd_trigger_ddl(rel, psprintf("CREATE TRIGGER %s BEFORE DELETE%s ON %s "
									 "FOR EACH ROW EXECUTE FUNCTION softdelete.archive()",
									 SD_ARCHIVE_TRIGGER, versions ? " OR UPDATE" : "",
									 qname));
				sd_trigger_ddl(rel, psprintf("ALTER TABLE ONLY %s ENABLE ALWAYS TRIGGER %s",
									 qname, SD_ARCHIVE_TRIGGER));
			}
		}
		if (!OidIsValid(get_trigger_oid(rel, "softdelete_guard_truncate", true)))
			sd_trigger_ddl(rel, psprintf("CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON %s "
								 "FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard(%s)",
								 qname, sd_registration_args(rel, mode, versions, flag_column, archive)));
	}
}

/*
 * The registration changed (1.6: the column that records who deleted):
 * the TRUNCATE guards of relid's tree carry it again (in SPI).
 */
void
sd_refresh_truncate_guards(Oid relid)
{
	SdTable		t;
	ListCell   *lc;

	if (!sd_catalog_lookup(relid, &t) || t.mode != SD_MODE_FLAG)
		return;
	foreach(lc, sd_tree_tables(t.root, false))
	{
		Oid			rel = lfirst_oid(lc);

		if (OidIsValid(get_trigger_oid(rel, "softdelete_guard_truncate", true)))
			sd_trigger_ddl(rel, psprintf("DROP TRIGGER softdelete_guard_truncate ON %s",
										 sd_qualified_name(rel)));
	}
	CommandCounterIncrement();
	sd_create_triggers(t.root, SD_MODE_FLAG, false, NameStr(t.column_name), NULL);
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

		const char *rowtrig = mode == SD_MODE_FLAG ? "softdelete_guard" : SD_ARCHIVE_TRIGGER;

		/* (a partition detached has lost the clones already) */
		if ((rel == relid || !get_rel_relispartition(rel)) &&
			OidIsValid(get_trigger_oid(rel, rowtrig, true)))
			sd_trigger_ddl(rel, psprintf("DROP TRIGGER %s ON %s", rowtrig, qname));
		if ((rel == relid || !get_rel_relispartition(rel)) && mode == SD_MODE_FLAG)
			sd_fk_trigger(rel, NULL, false);
		if (OidIsValid(get_trigger_oid(rel, "softdelete_guard_truncate", true)))
			sd_trigger_ddl(rel, psprintf("DROP TRIGGER softdelete_guard_truncate ON %s", qname));
	}
}
