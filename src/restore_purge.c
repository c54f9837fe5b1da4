/*-------------------------------------------------------------------------
 *
 * restore_purge.c
 *		softdelete.restore() and softdelete.purge(): deleted rows brought
 *		back, or erased, by filter or age; and the argument checks the
 *		other SQL-callable functions share (functions.c, undo.c).
 *
 * Both run with the caller's privileges: restore needs UPDATE and purge
 * DELETE on the table, because they run ordinary statements as the caller,
 * and the role's read_deleted or erase grant (access.c).  Every bad
 * argument is refused before anything changes.
 *
 * Calls: archive_restore.c (archive mode), access.c, stamp.c, catalog.c,
 * sql.c, state.c.
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
#include "archive_restore.h"
#include "catalog.h"
#include "restore_purge.h"
#include "sql.h"
#include "stamp.h"
#include "state.h"

PG_FUNCTION_INFO_V1(softdelete_restore);
PG_FUNCTION_INFO_V1(softdelete_purge);

/* Refuse a NULL argument: a NULL never means "do nothing" silently. */
void
sd_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be NULL", name)));
}

/*
 * Look up an enabled table for restore or purge: in flag mode its flag
 * column, in archive mode its archive table, must still be there.  Only the
 * table itself, not one of its partitions, names the whole.
 */
void
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

/*
 * What restore and purge of table tbl need, checked before they run so
 * that a role without it learns which privilege is missing: mode on table
 * relid (tbl or its archive), or on its column attno (0: the table only; -1: on every
 * column, as an INSERT of whole rows needs).
 */
static void
sd_require_privilege(const char *fn, Oid tbl, Oid relid, AttrNumber attno,
					 AclMode mode, const char *needs)
{
	Oid			user = GetUserId();
	const char *priv = mode == ACL_SELECT ? "SELECT" :
		mode == ACL_UPDATE ? "UPDATE" :
		mode == ACL_DELETE ? "DELETE" : "INSERT";

	if (pg_class_aclcheck(relid, user, mode) == ACLCHECK_OK ||
		(attno > 0 && pg_attribute_aclcheck(relid, attno, user, mode) == ACLCHECK_OK) ||
		(attno < 0 && pg_attribute_aclcheck_all(relid, user, mode, ACLMASK_ALL) == ACLCHECK_OK))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 attno > 0 ?
			 errmsg("permission denied for %s of table \"%s\": %s privilege on column \"%s\" is needed",
					fn, get_rel_name(tbl), priv, get_attname(relid, attno, false)) :
			 errmsg("permission denied for %s of table \"%s\": %s privilege on table \"%s\" is needed",
					fn, get_rel_name(tbl), priv, get_rel_name(relid)),
			 errdetail("%s needs %s.", fn, needs)));
}

/*
 * What restore of table relid needs (and undo, for each table): the
 * privileges of its statements, and in flag mode the grant to read deleted
 * rows, which are what it chooses among.
 */
void
sd_restore_require(Oid relid, const SdTable *t)
{
	if (t->mode == SD_MODE_ARCHIVE)
	{
		const char *needs = t->versions ?
			"INSERT on the table and SELECT on its primary key, and SELECT and UPDATE on its archive table" :
			"INSERT on the table and SELECT on its primary key, and SELECT and DELETE on its archive table";

		Relation	rel = table_open(relid, AccessShareLock);
		Bitmapset  *pk = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
		int			k = -1;

		table_close(rel, AccessShareLock);
		sd_require_privilege("softdelete.restore()", relid, relid, -1, ACL_INSERT, needs);
		/* a key taken meanwhile by a live row is looked up */
		while ((k = bms_next_member(pk, k)) >= 0)
			sd_require_privilege("softdelete.restore()", relid, relid,
								 k + FirstLowInvalidHeapAttributeNumber, ACL_SELECT, needs);
		sd_require_privilege("softdelete.restore()", relid, t->archive, 0, ACL_SELECT, needs);
		sd_require_privilege("softdelete.restore()", relid, t->archive, 0,
							 t->versions ? ACL_UPDATE : ACL_DELETE, needs);
		return;
	}
	sd_require_privilege("softdelete.restore()", relid, relid, t->flag_attno, ACL_UPDATE,
						 "UPDATE and SELECT on the flag column, and SELECT on the columns its filter reads");
	sd_require_privilege("softdelete.restore()", relid, relid, t->flag_attno, ACL_SELECT,
						 "UPDATE and SELECT on the flag column, and SELECT on the columns its filter reads");
	/* which rows come back is chosen among deleted ones: the role must see them */
	sd_access_require(t->root, relid, SD_ACCESS_READ_DELETED, GetUserId());
}

/* Run restore's statement sql; a filter reading what the role may not read is refused saying so. */
static void
sd_restore_exec(Oid relid, const char *sql)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		sd_spi_exec(sql, SPI_OK_UPDATE);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		if (e->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for softdelete.restore() of table \"%s\": its filter reads what the role may not read",
						get_rel_name(relid)),
				 errdetail("%s", e->message),
				 errhint("The filter is evaluated with the caller's privileges: it needs SELECT on every column it reads.")));
	}
	PG_END_TRY();
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
	sd_as_of_refuse("softdelete.restore()");
	sd_require_enabled(relid, &t);
	if (!PG_ARGISNULL(1))
	{
		filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
		sd_check_filter(filter);
	}
	sd_restore_require(relid, &t);
	if (t.mode == SD_MODE_ARCHIVE)
		PG_RETURN_INT64((int64) sd_restore_archive(relid, &t, filter));

	col = quote_identifier(NameStr(t.column_name));
	sql = psprintf("UPDATE %s SET %s = %s WHERE %s",
				   sd_qualified_name(relid), col, sd_flag_live_value(&t),
				   sd_flag_sql(col, &t, true));
	if (filter != NULL)
		sql = psprintf("%s AND (%s)", sql, filter);

	SPI_connect();
	PG_TRY();
	{
		sd_exempt(SD_EXEMPT_FILTER, relid);
		sd_restore_exec(relid, sql);
	}
	PG_FINALLY();
	{
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
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
	volatile uint64 processed = 0;
	int			rc;
	bool		citus;

	sd_require_arg(fcinfo, 0, "tbl");
	sd_require_arg(fcinfo, 1, "older_than");
	relid = PG_GETARG_OID(0);
	sd_as_of_refuse("softdelete.purge()");
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
		sd_require_privilege("softdelete.purge()", relid, t.archive, 0, ACL_DELETE,
							 "DELETE and SELECT on the archive table");
		sd_require_privilege("softdelete.purge()", relid, t.archive, 0, ACL_SELECT,
							 "DELETE and SELECT on the archive table");
	}
	else
	{
		sd_require_privilege("softdelete.purge()", relid, relid, 0, ACL_DELETE,
							 "DELETE on the table and SELECT on its flag column");
		sd_require_privilege("softdelete.purge()", relid, relid, t.flag_attno, ACL_SELECT,
							 "DELETE on the table and SELECT on its flag column");
	}
	/* erasure is a privilege apart from DELETE (access.c) */
	sd_access_require(t.root, relid, SD_ACCESS_ERASE, GetUserId());
	if (t.mode == SD_MODE_ARCHIVE)
	{
		/* the archive is an ordinary table: erase its rows */
		sql = psprintf("DELETE FROM ONLY %s WHERE archived_at <= now() - $1",
					   sd_qualified_name(t.archive));
		SPI_connect();
		rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_DELETE && rc != SPI_OK_REWRITTEN)
			elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
				 SPI_result_code_string(rc));
		processed = SPI_processed;
		SPI_finish();
		PG_RETURN_INT64((int64) processed);
	}

	col = quote_identifier(NameStr(t.column_name));
	/* a boolean carries no time: every deleted row, or a refusal */
	if (SD_FLAG_IS_BOOL(&t))
	{
		if (DatumGetBool(DirectFunctionCall2(interval_gt,
											 IntervalPGetDatum(older_than),
											 IntervalPGetDatum(&zero))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("table \"%s\" has a boolean flag column: its rows carry no time of deletion",
							get_rel_name(relid)),
					 errdetail("older_than cannot be told for flag column \"%s\".",
							   NameStr(t.column_name)),
					 errhint("Call softdelete.purge(%s) to erase every deleted row, or purge with a filter by hand under softdelete.hard_delete.",
							 sd_table_literal(relid))));
		sql = psprintf("DELETE FROM %s WHERE %s",
					   sd_qualified_name(relid), sd_flag_sql(col, &t, true));
	}
	else
	{
		/*
		 * A row goes when the latest instant its stamp could stand for is
		 * older_than ago: a column with fewer fractional digits rounds the
		 * instant (up to half a unit earlier or later).  A timestamp
		 * (without time zone) flag holds UTC (redirect.c).
		 */
		TimestampTz lo,
					hi;
		char	   *bound;

		sd_stamp_window(0, t.flag_typmod, &lo, &hi);
		bound = psprintf("now() - $1 - '%lld microseconds'::pg_catalog.interval",
						 (long long) hi);
		if (t.flag_type == TIMESTAMPOID)
			bound = psprintf("pg_catalog.timezone('UTC', %s)", bound);
		sql = psprintf("DELETE FROM %s WHERE %s IS NOT NULL AND %s <= %s",
					   sd_qualified_name(relid), col, col, bound);
	}

	/*
	 * Citus: the DELETE reaches the shards on the workers, whose guard lets
	 * it through only with hard_delete, which Citus passes on as a SET
	 * LOCAL inside a transaction block; set back after the DELETE.
	 */
	citus = sd_citus_kind(relid) != 0;
	if (citus && !IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				 errmsg("softdelete.purge() of Citus table \"%s\" must run in a transaction block",
						get_rel_name(relid)),
				 errdetail("Citus passes the setting that lets the shards erase rows to the workers only inside a transaction block."),
				 errhint("BEGIN; SELECT softdelete.purge(...); COMMIT;")));
	SPI_connect();
	if (citus)
	{
		sd_spi_exec("SET LOCAL citus.propagate_set_commands = 'local'", SPI_OK_UTILITY);
		sd_spi_exec("SET LOCAL softdelete.hard_delete = on", SPI_OK_UTILITY);
	}
	sd_erasing_depth++;
	PG_TRY();
	{
		sd_exempt(SD_EXEMPT_FILTER_AND_DELETE, relid);
		rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_DELETE && rc != SPI_OK_REWRITTEN)
			elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
				 SPI_result_code_string(rc));
		processed = SPI_processed;
		if (citus)
			sd_spi_exec("SET LOCAL softdelete.hard_delete = off", SPI_OK_UTILITY);
	}
	PG_FINALLY();
	{
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
		sd_erasing_depth--;
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64((int64) processed);
}
