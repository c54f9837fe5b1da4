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

#include "access/relation.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
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
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "softdelete.h"

PG_FUNCTION_INFO_V1(softdelete_enable);
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
static void
sd_spi_exec(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expected)
		elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
			 SPI_result_code_string(rc));
}

/*
 * softdelete.enable(tbl, column_name): make DELETE on tbl a soft delete and
 * hide its deleted rows.  Adds the timestamptz column if it is missing.
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

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 1, "column_name");
	relid = PG_GETARG_OID(0);
	colname = NameStr(*PG_GETARG_NAME(1));

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

	SPI_connect();
	if (attno == InvalidAttrNumber)
		sd_spi_exec(psprintf("ALTER TABLE %s ADD COLUMN %s timestamptz",
							 qname, quote_identifier(colname)),
					SPI_OK_UTILITY);
	sd_spi_exec(psprintf("CREATE TRIGGER softdelete_guard BEFORE DELETE ON %s "
						 "FOR EACH ROW EXECUTE FUNCTION softdelete.guard()",
						 qname),
				SPI_OK_UTILITY);
	sd_spi_exec(psprintf("CREATE TRIGGER softdelete_guard_truncate BEFORE TRUNCATE ON %s "
						 "FOR EACH STATEMENT EXECUTE FUNCTION softdelete.guard()",
						 qname),
				SPI_OK_UTILITY);
	SPI_finish();

	sd_catalog_register(relid, SD_MODE_FLAG, colname, InvalidOid, false);
	PG_RETURN_VOID();
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
	char	   *qname;

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

	qname = sd_qualified_name(relid);
	table_close(rel, NoLock);
	SPI_connect();
	sd_spi_exec(psprintf("DROP TRIGGER IF EXISTS softdelete_guard ON %s", qname),
				SPI_OK_UTILITY);
	sd_spi_exec(psprintf("DROP TRIGGER IF EXISTS softdelete_guard_truncate ON %s", qname),
				SPI_OK_UTILITY);
	SPI_finish();

	sd_catalog_unregister(relid);
	PG_RETURN_VOID();
}

/* Look up an enabled flag-mode table for restore or purge. */
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
	sd_require_flag_column(t);
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
	uint64		processed;

	sd_require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	sd_require_enabled(relid, &t);
	col = quote_identifier(NameStr(t.column_name));
	sql = psprintf("UPDATE %s SET %s = NULL WHERE %s IS NOT NULL",
				   sd_qualified_name(relid), col, col);
	if (!PG_ARGISNULL(1))
	{
		char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(1));

		sd_check_filter(filter);
		sql = psprintf("%s AND (%s)", sql, filter);
	}

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

	col = quote_identifier(NameStr(t.column_name));
	sql = psprintf("DELETE FROM %s WHERE %s IS NOT NULL AND %s <= now() - $1",
				   sd_qualified_name(relid), col, col);
	args[0] = IntervalPGetDatum(older_than);

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

	foreach(lc, dropped)
		sd_catalog_unregister(lfirst_oid(lc));
	PG_RETURN_VOID();
}
