/*-------------------------------------------------------------------------
 *
 * archive_restore.c
 *		Rows back out of the archive: restore in archive mode takes the latest
 *		delete image of each key that matches the filter and inserts it into
 *		the live table, and brings back with it the rows of archive-mode
 *		children that ON DELETE CASCADE archived with it.
 *
 * Calls: catalog.c, keys.c, sql.c, state.c.
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

#include "archive_restore.h"
#include "archive_schema.h"
#include "catalog.h"
#include "compat.h"
#include "keys.h"
#include "sql.h"
#include "state.h"

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
	/* undo restores every table of its transaction itself */
	if (processed > 0 && !sd_undoing)
		sd_restore_archive_cascade(relid, SPI_tuptable, processed);
	SPI_finish();
	return processed;
}
