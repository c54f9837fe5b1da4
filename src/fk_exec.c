/*-------------------------------------------------------------------------
 *
 * fk_exec.c
 *		The statements of the foreign-key trigger (fk_trigger.c): their SQL
 *		text (a key's columns and values, a table's name), run in SPI as
 *		the owner of the table they read, with plans saved per backend by
 *		their text; and the state of the trigger running, so that on a
 *		Citus shard the statements name the live rows themselves.
 *
 * Under REPEATABLE READ a statement sees the newest committed rows, with
 * the transaction snapshot as crosscheck, as core's ri_PerformCheck does.
 *
 * Calls: catalog.c, sql.c, stamp.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "rewrite/prs2lock.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "catalog.h"
#include "fk_exec.h"
#include "sql.h"
#include "stamp.h"

/* ---------------------------------------------------------------------
 * Running the cascades and checks
 * ---------------------------------------------------------------------
 */

/* [ONLY ]schema.table, ONLY unless partitioned (as ri_triggers.c does) */
char *
sd_fk_target(Oid relid)
{
	return psprintf("%s%s",
					get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ? "" : "ONLY ",
					sd_qualified_name(relid));
}

/* "a = $1 AND b = $2" over columns attnos of relid, with prefix. */
char *
sd_fk_quals(Oid relid, int nkeys, const AttrNumber *attnos, const char *prefix)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < nkeys; i++)
		appendStringInfo(&buf, "%s%s%s OPERATOR(pg_catalog.=) $%d",
						 i > 0 ? " AND " : "", prefix,
						 quote_identifier(get_attname(relid, attnos[i], false)),
						 i + 1);
	return buf.data;
}

/*
 * The values of columns attnos (numbered in relation from) read from tuple,
 * a row of rel (where numbers may differ, a partition); false when one of
 * them is NULL (MATCH SIMPLE: such a reference checks nothing).
 */
bool
sd_fk_values(Relation rel, HeapTuple tuple, Oid from, int nkeys,
			 const AttrNumber *attnos, Datum *values, Oid *types)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		AttrNumber	a = attnos[i];
		bool		isnull;

		if (from != RelationGetRelid(rel))
			a = get_attnum(RelationGetRelid(rel), get_attname(from, a, false));
		values[i] = heap_getattr(tuple, a, desc, &isnull);
		types[i] = TupleDescAttr(desc, a - 1)->atttypid;
		if (isnull)
			return false;
	}
	return true;
}

/* "(a, b)=(1, 2)" for messages */
char *
sd_fk_key_text(Oid relid, int nkeys, const AttrNumber *attnos,
			   const Datum *values, const Oid *types)
{
	StringInfoData names;
	StringInfoData vals;
	int			i;

	initStringInfo(&names);
	initStringInfo(&vals);
	for (i = 0; i < nkeys; i++)
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(types[i], &out, &varlena);
		appendStringInfo(&names, "%s%s", i > 0 ? ", " : "",
						 get_attname(relid, attnos[i], false));
		appendStringInfo(&vals, "%s%s", i > 0 ? ", " : "",
						 OidOutputFunctionCall(out, values[i]));
	}
	return psprintf("(%s)=(%s)", names.data, vals.data);
}

/* A SQL literal of the value: 'text'::type */
char *
sd_fk_literal(Datum value, Oid type, int32 typmod)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	return psprintf("%s::%s",
					quote_literal_cstr(OidOutputFunctionCall(out, value)),
					format_type_with_typemod(type, typmod));
}

/*
 * Statements of cascades and checks run as the owner of the table they
 * change or read: core's foreign-key actions need no privilege of the user
 * either.
 */
void
sd_fk_become_owner(Oid relid, Oid *save_userid, int *save_sec)
{
	HeapTuple	ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

	if (!HeapTupleIsValid(ctup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	GetUserIdAndSecContext(save_userid, save_sec);
	SetUserIdAndSecContext(((Form_pg_class) GETSTRUCT(ctup))->relowner,
						   *save_sec | SECURITY_LOCAL_USERID_CHANGE);
	ReleaseSysCache(ctup);
}

/* Saved plans of the cascade and check statements, by their text. */
typedef struct SdFkPlan
{
	char		sql[NAMEDATALEN * 8];	/* hash key (texts are short) */
	SPIPlanPtr	plan;
} SdFkPlan;

static HTAB *sd_fk_plans = NULL;

/*
 * The foreign key a restore cascade is following: the rows it brings back
 * reference the parent row just restored, so their check of that key is
 * already known to pass (and the parent is locked by its UPDATE).
 */
Oid			sd_fk_restoring = InvalidOid;

/*
 * Set while a row trigger runs on a shard of a Citus table, on its node:
 * the tables the cascade and checks reach are shards too, which the
 * registry (on the coordinator) does not know and the filter does not
 * cover.  Their guard trigger says what they are (catalog.c), and the
 * statements below name the live rows themselves.
 */
bool		sd_fk_on_shard = false;

/* Is table relid enabled (registered, or a shard that says so)? */
bool
sd_fk_lookup(Oid relid, SdTable *t)
{
	SdTable		local;
	Relation	rel;
	bool		found;

	if (!sd_fk_on_shard)
		return sd_catalog_lookup(relid, t);
	rel = relation_open(relid, AccessShareLock);
	found = sd_catalog_shard(rel, t != NULL ? t : &local);
	relation_close(rel, AccessShareLock);
	return found;
}

/* For messages: a shard is named by its table, as on the coordinator. */
const char *
sd_fk_name(Oid relid)
{
	char	   *table;

	if (sd_fk_on_shard && (table = sd_citus_shard_of(relid)) != NULL)
		return table;
	return get_rel_name(relid);
}

/* ... and a shard's constraint by the constraint it copies (name_<id>). */
const char *
sd_fk_conname(const char *name)
{
	const char *tail = sd_fk_on_shard ? sd_shard_suffix(name) : NULL;

	if (tail == NULL)
		return name;
	return pnstrdup(name, tail - name);
}

/* On a shard, " AND " and the qual of x's live rows; else nothing. */
char *
sd_fk_live(Oid relid)
{
	SdTable		t;

	if (!sd_fk_on_shard || !sd_fk_lookup(relid, &t))
		return "";
	return psprintf(" AND %s",
					sd_flag_sql(psprintf("x.%s", quote_identifier(NameStr(t.column_name))),
								&t, false));
}

/*
 * Run one statement of a cascade or check in SPI, as the owner of the table
 * it reads.  Under REPEATABLE READ it sees the newest committed rows, and a
 * row the transaction's snapshot cannot see fails with a serialization
 * error, as core's cascades do.
 */
uint64
sd_fk_exec_nulls(const char *sql, int nargs, Oid *types, Datum *values,
				 const char *nulls, Oid owner_of, int expected, long limit)
{
	SdFkPlan   *entry = NULL;
	SPIPlanPtr	plan;
	Oid			save_userid;
	int			save_sec;
	Snapshot	test = InvalidSnapshot;
	Snapshot	cross = InvalidSnapshot;
	int			rc;

	if (strlen(sql) < sizeof(entry->sql))
	{
		if (sd_fk_plans == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(entry->sql);
			ctl.entrysize = sizeof(SdFkPlan);
			sd_fk_plans = hash_create("softdelete foreign-key plans", 64,
									  &ctl, HASH_ELEM | HASH_STRINGS);
		}
		entry = hash_search(sd_fk_plans, sql, HASH_FIND, NULL);
	}
	if (entry != NULL)
		plan = entry->plan;
	else
	{
		plan = SPI_prepare(sql, nargs, types);
		if (plan == NULL)
			elog(ERROR, "softdelete: could not prepare \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (strlen(sql) < sizeof(entry->sql))
		{
			SPI_keepplan(plan);
			entry = hash_search(sd_fk_plans, sql, HASH_ENTER, NULL);
			entry->plan = plan;
		}
	}

	if (IsolationUsesXactSnapshot())
	{
		CommandCounterIncrement();
		test = GetLatestSnapshot();
		cross = GetTransactionSnapshot();
	}

	sd_fk_become_owner(owner_of, &save_userid, &save_sec);
	rc = SPI_execute_snapshot(plan, values, nulls, test, cross, false, true,
							  limit);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (rc != expected)
		elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/* The same, without NULL values. */
uint64
sd_fk_exec(const char *sql, int nargs, Oid *types, Datum *values,
		   Oid owner_of, int expected, long limit)
{
	return sd_fk_exec_nulls(sql, nargs, types, values, NULL, owner_of,
							expected, limit);
}
