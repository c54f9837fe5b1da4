/*-------------------------------------------------------------------------
 *
 * indexes.c
 *		Live indexes (1.8): enable(..., live_indexes => true) rebuilds a
 *		flag-mode table's ordinary indexes as partial indexes over its live
 *		rows, so that deleted rows cost the queries they serve nothing, and
 *		makes one index over its deleted rows for the reads that want them;
 *		disable gives the table its ordinary indexes back.
 *
 * The predicate added is the filter the planner hook adds, as SQL text
 * (sd_flag_sql), so the planner proves every filtered query's use of the
 * index.  Left as they are: unique indexes (the primary key, and keys that
 * replace_unique decides about), exclusion constraints, invalid indexes,
 * the index the table is clustered on (CLUSTER refuses a partial index),
 * and any index whose keys or predicate already name the flag column (an
 * index built by hand, CONCURRENTLY, is adopted that way).  An index of a
 * partitioned table is rebuilt there, and its partitions' indexes with it.
 *
 * The registry records each index rebuilt and made, by qualified name.
 * Disable rebuilds each rebuilt one from its current definition (renamed
 * columns and tables followed) without the live-rows predicate, and drops
 * the ones made.
 *
 * Calls: registry.c (what it rebuilt, recorded), catalog.c, sql.c, stamp.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "commands/comment.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "compat.h"
#include "indexes.h"
#include "registry.h"
#include "sql.h"
#include "stamp.h"

/* Does expression node (over the table, varno 1) read column attno? */
static bool
sd_expr_reads(Node *node, AttrNumber attno)
{
	Bitmapset  *attrs = NULL;

	if (node == NULL)
		return false;
	pull_varattnos(node, 1, &attrs);
	return bms_is_member(attno - FirstLowInvalidHeapAttributeNumber, attrs);
}

/* Do index idx's keys, expressions or predicate read column attno? */
static bool
sd_index_reads(Relation idx, AttrNumber attno)
{
	Form_pg_index form = idx->rd_index;

	for (int i = 0; i < form->indnatts; i++)
		if (form->indkey.values[i] == attno)
			return true;
	return sd_expr_reads((Node *) RelationGetIndexExpressions(idx), attno) ||
		sd_expr_reads((Node *) RelationGetIndexPredicate(idx), attno);
}

static char *
sd_index_qualified_name(Relation idx)
{
	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(idx)),
									  RelationGetRelationName(idx));
}

static char *
sd_index_oid_qualified_name(Oid indexoid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(indexoid)),
									  get_rel_name(indexoid));
}

/* The statement that gives index indexoid its comment again, or NIL. */
static List *
sd_index_comment_sql(Oid indexoid, const char *qname)
{
	char	   *comment = GetComment(indexoid, RelationRelationId, 0);

	if (comment == NULL)
		return NIL;
	return list_make1(psprintf("COMMENT ON INDEX %s IS %s", qname,
							   quote_literal_cstr(comment)));
}

/*
 * enable(relid, column_name, ..., live_indexes => true): rebuild relid's
 * ordinary indexes (and those of its partitions and children) over live
 * rows, and make an index of the flag over deleted rows on each table of
 * the tree that has none.  Calling it again rebuilds indexes made since.
 * The caller holds AccessExclusiveLock on relid and is connected to SPI.
 * False when the registry is older than 1.8.
 */
bool
sd_live_indexes_build(Oid relid, const char *colname)
{
	SdTable		t;
	List	   *rebuilt;
	List	   *made;
	List	   *sql = NIL;
	ListCell   *lc;
	char	   *live;
	char	   *deleted;

	sd_flag_describe(relid, colname, &t);
	live = sd_flag_sql(quote_identifier(colname), &t, false);
	deleted = sd_flag_sql(quote_identifier(colname), &t, true);
	sd_registry_live_indexes(relid, &rebuilt, &made);

	foreach(lc, find_all_inheritors(relid, AccessExclusiveLock, NULL))
	{
		Oid			tbl = lfirst_oid(lc);
		Relation	rel = table_open(tbl, NoLock);
		AttrNumber	flag = get_attnum(tbl, colname);
		bool		has_deleted_index = false;
		ListCell   *ilc;

		foreach(ilc, RelationGetIndexList(rel))
		{
			Oid			indexoid = lfirst_oid(ilc);
			Relation	idx = index_open(indexoid, AccessShareLock);
			Form_pg_index form = idx->rd_index;
			char	   *qname = sd_index_qualified_name(idx);
			bool		reads_flag = sd_index_reads(idx, flag);
			bool		partial = !heap_attisnull(idx->rd_indextuple,
												  Anum_pg_index_indpred, NULL);
			bool		skip;

			if (form->indkey.values[0] == flag && form->indisvalid)
				has_deleted_index = true;
			/* a partition's index attached to its parent's goes with that */
			skip = get_rel_relispartition(indexoid) || form->indisunique ||
				form->indisexclusion || !form->indisvalid ||
				!form->indisready || reads_flag;
			if (!skip && form->indisclustered)
			{
				ereport(NOTICE,
						(errmsg("index %s of table \"%s\" is kept: the table is clustered on it",
								qname, RelationGetRelationName(rel)),
						 errdetail("CLUSTER needs an index over every row.")));
				skip = true;
			}
			index_close(idx, AccessShareLock);
			if (skip)
				continue;

			sql = lappend(sql, psprintf("DROP INDEX %s", qname));
			sql = lappend(sql, psprintf("%s %s (%s)",
										pg_get_indexdef_string(indexoid),
										partial ? "AND" : "WHERE", live));
			sql = list_concat(sql, sd_index_comment_sql(indexoid, qname));
			rebuilt = lappend(rebuilt, qname);
			ereport(NOTICE,
					(errmsg("index %s of table \"%s\" is now an index over live rows",
							qname, RelationGetRelationName(rel))));
		}

		/* a partition's own index comes from its parent's */
		if (!has_deleted_index && !rel->rd_rel->relispartition)
		{
			char	   *name = ChooseRelationName(RelationGetRelationName(rel),
												  colname, "deleted",
												  RelationGetNamespace(rel),
												  false);
			char	   *qname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
														   name);

			sql = lappend(sql, psprintf("CREATE INDEX %s ON %s (%s) WHERE %s",
										quote_identifier(name),
										sd_qualified_name(tbl),
										quote_identifier(colname), deleted));
			made = lappend(made, qname);
			ereport(NOTICE,
					(errmsg("index %s of table \"%s\" indexes its deleted rows",
							qname, RelationGetRelationName(rel))));
		}
		table_close(rel, NoLock);
	}
	foreach(lc, sql)
		sd_spi_exec(lfirst(lc), SPI_OK_UTILITY);
	CommandCounterIncrement();
	return sd_registry_set_live_indexes(relid, rebuilt, made);
}

/* The index a qualified name recorded by build names now, if any. */
static Oid
sd_index_named(const char *qname)
{
	Oid			oid = RangeVarGetRelid(makeRangeVarFromNameList(SD_QUALIFIED_NAME_LIST(qname)),
									   NoLock, true);

	return OidIsValid(oid) && get_rel_relkind(oid) != RELKIND_INDEX &&
		get_rel_relkind(oid) != RELKIND_PARTITIONED_INDEX ? InvalidOid : oid;
}

/*
 * The definition of index indexoid (on table tbl, its flag column flag)
 * without the predicate's conjuncts that read the flag, or NULL when it has
 * none (then it was not one build made).
 */
static char *
sd_index_def_without_flag(Oid indexoid, Oid tbl, AttrNumber flag)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	Datum		d;
	bool		isnull;
	Node	   *pred;
	List	   *context;
	char	   *def;
	char	   *predsql;
	List	   *keep = NIL;
	ListCell   *lc;
	size_t		deflen;
	size_t		predlen;

	if (!HeapTupleIsValid(tup))
		return NULL;
	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
	pred = isnull ? NULL : stringToNode(TextDatumGetCString(d));
	ReleaseSysCache(tup);
	if (pred == NULL)
		return NULL;

	foreach(lc, make_ands_implicit((Expr *) pred))
		if (!sd_expr_reads(lfirst(lc), flag))
			keep = lappend(keep, lfirst(lc));
	if (list_length(keep) == list_length(make_ands_implicit((Expr *) pred)))
		return NULL;

	/* pg_get_indexdef_string ends with " WHERE " and the predicate */
	context = deparse_context_for(get_rel_name(tbl), tbl);
	def = pg_get_indexdef_string(indexoid);
	predsql = psprintf(" WHERE %s", deparse_expression(pred, context, false, false));
	deflen = strlen(def);
	predlen = strlen(predsql);
	if (deflen <= predlen || strcmp(def + deflen - predlen, predsql) != 0)
		elog(ERROR, "softdelete: unexpected definition of index %u: %s",
			 indexoid, def);
	def[deflen - predlen] = '\0';
	if (keep == NIL)
		return def;
	return psprintf("%s WHERE %s", def,
					deparse_expression((Node *) make_ands_explicit(keep),
									   context, false, false));
}

/*
 * disable(relid): give relid's tree back the indexes build rebuilt, each
 * from its current definition without the live-rows predicate, and drop
 * the indexes it made.  An index recorded but gone, or changed so that its
 * predicate no longer reads the flag, is left (with a NOTICE).  The caller
 * holds AccessExclusiveLock on relid and is connected to SPI.
 */
void
sd_live_indexes_give_back(Oid relid, const char *colname)
{
	List	   *rebuilt;
	List	   *made;
	List	   *tree;
	List	   *sql = NIL;
	ListCell   *lc;

	if (!sd_registry_live_indexes(relid, &rebuilt, &made))
		return;
	tree = find_all_inheritors(relid, AccessExclusiveLock, NULL);

	foreach(lc, made)
	{
		Oid			indexoid = sd_index_named(lfirst(lc));

		if (OidIsValid(indexoid) &&
			list_member_oid(tree, IndexGetRelation(indexoid, false)))
			sql = lappend(sql, psprintf("DROP INDEX %s",
										sd_index_oid_qualified_name(indexoid)));
	}
	foreach(lc, rebuilt)
	{
		char	   *qname = lfirst(lc);
		Oid			indexoid = sd_index_named(qname);
		Oid			tbl = OidIsValid(indexoid) ?
			IndexGetRelation(indexoid, false) : InvalidOid;
		char	   *def = NULL;

		if (OidIsValid(tbl) && list_member_oid(tree, tbl))
			def = sd_index_def_without_flag(indexoid, tbl,
											get_attnum(tbl, colname));
		if (def == NULL)
		{
			ereport(NOTICE,
					(errmsg("index %s is not given back: it is gone or no longer an index over live rows",
							qname)));
			continue;
		}
		qname = sd_index_oid_qualified_name(indexoid);
		sql = lappend(sql, psprintf("DROP INDEX %s", qname));
		sql = lappend(sql, def);
		sql = list_concat(sql, sd_index_comment_sql(indexoid, qname));
	}
	foreach(lc, sql)
		sd_spi_exec(lfirst(lc), SPI_OK_UTILITY);
	CommandCounterIncrement();
}

/* The columns of index indexoid of table tbl, quoted and comma-separated. */
static char *
sd_index_columns(Oid indexoid, Oid tbl)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < form->indnkeyatts; i++)
		appendStringInfo(&buf, ", %s",
						 quote_identifier(get_attname(tbl, form->indkey.values[i],
													  false)));
	ReleaseSysCache(tup);
	return buf.data;
}

/* The index table tbl is clustered on, if any. */
static Oid
sd_clustered_index(Relation rel)
{
	ListCell   *lc;

	foreach(lc, RelationGetIndexList(rel))
		if (get_index_isclustered(lfirst_oid(lc)))
			return lfirst_oid(lc);
	return InvalidOid;
}

/*
 * pack(relid): rewrite each table of relid's tree with CLUSTER so that its
 * live rows lie together, in primary-key order, at its start: in flag mode
 * ordered by (deleted, primary key) through an index made for it and
 * dropped after, so the deleted rows follow the live ones; in archive mode
 * by the primary key (the deleted rows are gone: this only compacts).  A
 * table clustered on an index of its own keeps that mark.  The caller
 * holds AccessExclusiveLock on relid and is connected to SPI.
 */
void
sd_pack(Oid relid, const SdTable *t)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, AccessExclusiveLock, NULL))
	{
		Oid			tbl = lfirst_oid(lc);
		Relation	rel;
		Oid			pkey;
		Oid			clustered;
		char	   *qtbl = sd_qualified_name(tbl);

		if (get_rel_relkind(tbl) != RELKIND_RELATION)
			continue;
		rel = table_open(tbl, NoLock);
		pkey = SD_PRIMARY_KEY_INDEX(rel);
		clustered = sd_clustered_index(rel);
		table_close(rel, NoLock);

		if (t->mode == SD_MODE_FLAG)
		{
			char	   *name = ChooseRelationName(get_rel_name(tbl), NULL,
												  "softdelete_pack",
												  get_rel_namespace(tbl), false);
			char	   *qname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(tbl)),
														   name);
			SdTable		ft;

			sd_flag_describe(tbl, NameStr(t->column_name), &ft);
			sd_spi_exec(psprintf("CREATE INDEX %s ON %s ((%s)%s)",
								 quote_identifier(name), qtbl,
								 sd_flag_sql(quote_identifier(NameStr(t->column_name)),
											 &ft, true),
								 OidIsValid(pkey) ? sd_index_columns(pkey, tbl) : ""),
						SPI_OK_UTILITY);
			sd_spi_exec(psprintf("CLUSTER %s USING %s", qtbl, quote_identifier(name)),
						SPI_OK_UTILITY);
			sd_spi_exec(psprintf("DROP INDEX %s", qname), SPI_OK_UTILITY);
		}
		else if (OidIsValid(pkey))
			sd_spi_exec(psprintf("CLUSTER %s USING %s", qtbl,
								 quote_identifier(get_rel_name(pkey))),
						SPI_OK_UTILITY);
		else
		{
			ereport(NOTICE,
					(errmsg("table \"%s\" is not packed: it has no primary key",
							get_rel_name(tbl))));
			continue;
		}
		/* the table's own CLUSTER mark, as it was */
		if (OidIsValid(clustered))
			sd_spi_exec(psprintf("ALTER TABLE %s CLUSTER ON %s", qtbl,
								 quote_identifier(get_rel_name(clustered))),
						SPI_OK_UTILITY);
		else if (t->mode == SD_MODE_ARCHIVE)
			sd_spi_exec(psprintf("ALTER TABLE %s SET WITHOUT CLUSTER", qtbl),
						SPI_OK_UTILITY);
		CommandCounterIncrement();
	}
}
