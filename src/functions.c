/*-------------------------------------------------------------------------
 *
 * functions.c
 *		The SQL-callable functions that turn soft delete on and off and
 *		change how a table keeps its rows: enable, enable_archive, disable,
 *		set_retention, pack; and actor() and ref_needed().  Each checks its
 *		arguments, then calls the mechanisms.  restore and purge are
 *		restore_purge.c's.
 *
 * Every function runs with the caller's privileges.  Enabling and disabling
 * need ownership of the table, as ALTER TABLE does.  Every bad argument is
 * refused before anything changes.
 *
 * Calls: restore_purge.c (argument checks), ddl.c, ddl_tree.c (the checks
 * of every table of a tree), indexes.c,
 * archive_schema.c, triggers.c, keys.c, stamp.c, access.c, registry.c,
 * catalog.c, sql.c, state.c.
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
#include "utils/syscache.h"
#include "parser/parse_coerce.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "storage/lmgr.h"
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
#include "archive_schema.h"
#include "catalog.h"
#include "compat.h"
#include "ddl.h"
#include "ddl_tree.h"
#include "indexes.h"
#include "keys.h"
#include "registry.h"
#include "restore_purge.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(softdelete_enable);
PG_FUNCTION_INFO_V1(softdelete_enable_archive);
PG_FUNCTION_INFO_V1(softdelete_disable);
PG_FUNCTION_INFO_V1(softdelete_set_retention);
PG_FUNCTION_INFO_V1(softdelete_ref_needed);
PG_FUNCTION_INFO_V1(softdelete_actor);
PG_FUNCTION_INFO_V1(softdelete_pack);


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

/*
 * deleted_by of enable (1.6): column colname of the flag-mode table relid
 * takes the actor of every soft delete.  Added as text when missing; an
 * existing column (Laravel-Userstamps' deleted_by, say) is adopted when a
 * text converts to its type, which each soft delete does.
 */
static void
sd_prepare_deleted_by(Oid relid, const char *flag, const char *colname)
{
	AttrNumber	attno = get_attnum(relid, colname);

	if (strcmp(colname, flag) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("deleted_by cannot be the flag column \"%s\"", colname)));
	if (attno == InvalidAttrNumber)
	{
		sd_spi_exec(psprintf("ALTER TABLE %s ADD COLUMN %s text",
							 sd_qualified_name(relid), quote_identifier(colname)),
					SPI_OK_UTILITY);
		CommandCounterIncrement();
	}
	else
	{
		HeapTuple	tup = SearchSysCacheAttName(relid, colname);
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
		bool		generated = att->attgenerated != '\0';
		Oid			type = att->atttypid;

		ReleaseSysCache(tup);
		if (attno < 0 || generated)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of table \"%s\" cannot record who deleted a row",
							colname, get_rel_name(relid)),
					 errdetail("It must be an ordinary column, which a soft delete can set.")));
		if (!can_coerce_type(1, (Oid[]) {TEXTOID}, &type, COERCION_EXPLICIT))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" has type %s, which the actor (text) does not convert to",
							colname, get_rel_name(relid), format_type_be(type))));
	}
	if (!sd_registry_set_deleted_by(relid, colname))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("deleted_by needs version 1.6 of the extension"),
				 errhint("Run ALTER EXTENSION softdelete UPDATE.")));
	CommandCounterIncrement();
	/* a restore of part of a dump registers it again from there */
	sd_refresh_truncate_guards(relid);
}

/* live_indexes of enable (1.8) */
static void
sd_enable_live_indexes(Oid relid, const char *colname)
{
	if (!sd_live_indexes_build(relid, colname))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("live_indexes needs version 1.8 of the extension"),
				 errhint("Run ALTER EXTENSION softdelete UPDATE.")));
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
	char		citus;
	char	   *deleted_by = NULL;
	bool		live_indexes = false;

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 1, "column_name");
	sd_require_arg(fcinfo, 2, "replace_unique");
	relid = PG_GETARG_OID(0);
	colname = NameStr(*PG_GETARG_NAME(1));
	replace_unique = PG_GETARG_BOOL(2);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		deleted_by = pstrdup(NameStr(*PG_GETARG_NAME(3)));
	if (PG_NARGS() > 4)
	{
		sd_require_arg(fcinfo, 4, "live_indexes");
		live_indexes = PG_GETARG_BOOL(4);
	}

	rel = sd_open_owned_table(relid, AccessExclusiveLock);
	qname = sd_qualified_name(relid);
	citus = sd_citus_kind(relid);
	if (citus == SD_CITUS_LOCAL)
		sd_refuse_citus(relid, citus, "soft delete",
						"Citus plans a local table of its metadata on its own shard, which softdelete does not follow.");

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
		if ((deleted_by == NULL || strcmp(NameStr(t.by_column), deleted_by) == 0) &&
			!live_indexes)
			ereport(NOTICE,
					(errmsg("table \"%s\" is already enabled, skipping",
							RelationGetRelationName(rel))));
		table_close(rel, NoLock);
		SPI_connect();
		/* on Citus, the shards' guards name the column (older ones did not) */
		if (citus != 0)
			sd_create_triggers(relid, SD_MODE_FLAG, false, colname, NULL);
		sd_fk_ensure_triggers(relid);
		foreach(lc, sd_fk_incoming(relid))
			sd_ref_ensure_trigger(((SdFk *) lfirst(lc))->child, true);
		if (replace_unique)
			sd_unique_keys(relid, colname, true);
		if (deleted_by != NULL && strcmp(NameStr(t.by_column), deleted_by) != 0)
			sd_prepare_deleted_by(relid, colname, deleted_by);
		if (live_indexes)
			sd_enable_live_indexes(relid, colname);
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
		if (!sd_flag_type_ok(att->atttypid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" has type %s",
							colname, RelationGetRelationName(rel),
							format_type_be(att->atttypid)),
					 errdetail("The soft-delete flag column must be of type timestamptz, timestamp or boolean.")));
		if (att->attgenerated)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of table \"%s\" cannot be the soft-delete flag",
							colname, RelationGetRelationName(rel)),
					 errdetail("The flag column must be an ordinary column: a generated one cannot be set by DELETE.")));
		if (att->attnotnull && att->atttypid != BOOLOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of table \"%s\" cannot be the soft-delete flag",
							colname, RelationGetRelationName(rel)),
					 errdetail("A timestamp flag column must be nullable: NULL means live.")));
	}

	/* Keep the lock; ALTER TABLE needs the relation closed. */
	table_close(rel, NoLock);
	sd_fk_check_enable(relid, SD_MODE_FLAG);

	SPI_connect();
	if (attno == InvalidAttrNumber)
		sd_spi_exec(psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz",
							 qname, quote_identifier(colname)),
					SPI_OK_UTILITY);
	CommandCounterIncrement();
	sd_check_foreign_tables(relid, relid, SD_MODE_FLAG, colname);
	sd_create_triggers(relid, SD_MODE_FLAG, false, colname, NULL);
	CommandCounterIncrement();
	sd_unique_keys(relid, colname, replace_unique);
	SPI_finish();

	sd_registry_add(relid, SD_MODE_FLAG, colname, InvalidOid, false);
	CommandCounterIncrement();
	if (deleted_by != NULL)
	{
		SPI_connect();
		sd_prepare_deleted_by(relid, colname, deleted_by);
		SPI_finish();
		CommandCounterIncrement();
	}
	if (live_indexes)
	{
		SPI_connect();
		sd_enable_live_indexes(relid, colname);
		SPI_finish();
		CommandCounterIncrement();
	}

	/* foreign keys: this table, and the tables that reference it */
	SPI_connect();
	sd_fk_ensure_triggers(relid);
	foreach(lc, sd_fk_incoming(relid))
	{
		sd_fk_ensure_triggers(((SdFk *) lfirst(lc))->child);
		sd_ref_ensure_trigger(((SdFk *) lfirst(lc))->child, true);
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
	char		citus;

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

	if ((citus = sd_citus_kind(relid)) != 0)
		sd_refuse_citus(relid, citus, "archive mode",
						"Archive mode moves rows into a local archive table in the executor, which Citus bypasses on the shards.");
	sd_check_foreign_tables(relid, relid, SD_MODE_ARCHIVE, NULL);
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
		/*
		 * Adopted only when the live table's owner owns it: another role's
		 * table would let that role read every archived row and forge
		 * rows for a restore (whoever calls, a superuser too).
		 */
		if (sd_rel_owner(existing) != owner)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("existing table \"%s\" cannot be the archive of table \"%s\": it is owned by role \"%s\", not by the table's owner \"%s\"",
							archname, relname,
							GetUserNameFromId(sd_rel_owner(existing), false),
							GetUserNameFromId(owner, false)),
					 errdetail("The owner of an archive table reads every archived row and can change what a restore brings back."),
					 errhint("Pass another archive_name, or ALTER TABLE %s OWNER TO %s if that table is to be the archive.",
							 quote_identifier(archname),
							 quote_identifier(GetUserNameFromId(owner, false)))));
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
		char	   *identity = sd_archive_identity_sql(existing, qarchive);
		int			i;

		if (identity != NULL)
			sd_spi_exec(identity, SPI_OK_UTILITY);

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

	sd_create_triggers(relid, SD_MODE_ARCHIVE, versions, NULL, archname);
	SPI_finish();

	archive = get_relname_relid(archname, nsp);
	sd_registry_link_archive(relid, archive, true);
	sd_registry_add(relid, SD_MODE_ARCHIVE, NULL, archive, versions);
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
	if (t.mode == SD_MODE_FLAG)
		sd_live_indexes_give_back(relid, NameStr(t.column_name));
	sd_drop_triggers(relid, t.mode);
	SPI_finish();
	if (t.mode == SD_MODE_ARCHIVE && get_rel_name(t.archive) != NULL)
		ereport(NOTICE,
				(errmsg("archive table %s is kept", sd_qualified_name(t.archive))));

	if (t.mode == SD_MODE_ARCHIVE)
		sd_registry_link_archive(relid, t.archive, false);
	sd_registry_remove(relid);

	/* keys to this table no longer need checking by softdelete (19 on) */
	if (t.mode == SD_MODE_FLAG)
	{
		ListCell   *lc;

		SPI_connect();
		foreach(lc, sd_fk_incoming(relid))
			sd_ref_ensure_trigger(((SdFk *) lfirst(lc))->child, true);
		SPI_finish();
	}
	PG_RETURN_VOID();
}

/*
 * The table argument of set_retention and pack: an enabled table itself (not
 * one of its partitions or children), owned by the caller.
 */
static void
sd_require_owned_root(Oid relid, SdTable *t)
{
	sd_require_enabled(relid, t);
	if (t->root != relid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is enabled through its parent \"%s\"",
						get_rel_name(relid), get_rel_name(t->root)),
				 errhint("Name the parent table.")));
	if (!SD_TABLE_OWNERCHECK(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, get_rel_name(relid));
}

/*
 * softdelete.set_retention(tbl, keep): how long tbl keeps what it deleted
 * (NULL: until purged by hand).  purge_expired() and the background worker
 * (retention.c) erase what is older.  The table's owner sets it.
 */
Datum
softdelete_set_retention(PG_FUNCTION_ARGS)
{
	Oid			relid;
	SdTable		t;
	Interval	zero;

	sd_require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	sd_require_owned_root(relid, &t);
	if (!PG_ARGISNULL(1))
	{
		memset(&zero, 0, sizeof(zero));
		if (!DatumGetBool(DirectFunctionCall2(interval_gt, PG_GETARG_DATUM(1),
											  IntervalPGetDatum(&zero))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention must be a positive interval")));
		if (t.mode == SD_MODE_FLAG && SD_FLAG_IS_BOOL(&t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("table \"%s\" cannot have a retention: its soft-delete flag \"%s\" is a boolean",
							get_rel_name(relid), NameStr(t.column_name)),
					 errdetail("A boolean flag does not say when a row was deleted.")));
	}
	LockRelationOid(relid, ShareUpdateExclusiveLock);
	if (!sd_registry_set_retention(relid, PG_GETARG_DATUM(1), PG_ARGISNULL(1)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the softdelete extension's SQL is older than 1.3"),
				 errhint("Run ALTER EXTENSION softdelete UPDATE.")));
	PG_RETURN_VOID();
}

/*
 * softdelete.ref_needed(): the WHEN of the trigger softdelete_ref.  True
 * from 19 on, where core's check of a new reference reads the referenced
 * table's index without the planner, so softdelete checks it (fk_trigger.c).
 */
Datum
softdelete_ref_needed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(SD_CORE_RI_CHECK_SKIPS_PLANNER);
}

/* softdelete.actor() (1.6): who a soft delete records, now. */
Datum
softdelete_actor(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(sd_actor_now()));
}

/*
 * softdelete.pack(tbl) (1.8): CLUSTER tbl so that its live rows lie
 * together at its start, in primary-key order (flag mode: the deleted rows
 * after them; archive mode: compacted).  Needs ownership, as CLUSTER does;
 * holds ACCESS EXCLUSIVE while it rewrites.
 */
Datum
softdelete_pack(PG_FUNCTION_ARGS)
{
	Oid			relid;
	SdTable		t;

	sd_require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	sd_require_owned_root(relid, &t);
	LockRelationOid(relid, AccessExclusiveLock);
	SPI_connect();
	sd_pack(relid, &t);
	SPI_finish();
	PG_RETURN_VOID();
}
