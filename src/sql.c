/*-------------------------------------------------------------------------
 *
 * sql.c
 *		Building and running SQL text: quoted names, statements through SPI.
 *
 * Ground floor: calls nothing of softdelete's.
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
#include "parser/parse_func.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"

#include "parser/parse_coerce.h"

#include "sql.h"

/* schema.table, quoted as needed */
char *
sd_qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * The table as a string literal that a call such as softdelete.purge(...)
 * takes whatever its name and search_path: 'schema."Name"', for hints.
 */
char *
sd_table_literal(Oid relid)
{
	return quote_literal_cstr(sd_qualified_name(relid));
}

/* softdelete.ref_needed()'s OID, or InvalidOid in a database before 1.4. */
Oid
sd_ref_needed_oid(void)
{
	List	   *name = list_make2(makeString("softdelete"), makeString("ref_needed"));

	return LookupFuncName(name, 0, NULL, true);
}

/* Run one statement through SPI; errors propagate. */
void
sd_spi_exec(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	/* an INSTEAD rule replaced the statement: it did what the rule says */
	if (rc == SPI_OK_REWRITTEN &&
		(expected == SPI_OK_UPDATE || expected == SPI_OK_DELETE))
		return;
	if (rc != expected)
		elog(ERROR, "softdelete: \"%s\" failed: %s", sql,
			 SPI_result_code_string(rc));
}

/*
 * softdelete.actor() (1.6), as type typid (typmod): what a soft delete
 * writes into the table's deleted_by column.  Called, not folded, so that a
 * cached plan writes the actor set when it runs.
 */
Node *
sd_actor_expr(Oid typid, int32 typmod)
{
	List	   *name = list_make2(makeString("softdelete"), makeString("actor"));
	Oid			fn = LookupFuncName(name, 0, NULL, false);
	Node	   *call = (Node *) makeFuncExpr(fn, TEXTOID, NIL, InvalidOid,
											 InvalidOid, COERCE_EXPLICIT_CALL);
	Node	   *expr = coerce_to_target_type(NULL, call, TEXTOID, typid, typmod,
											 COERCION_EXPLICIT, COERCE_IMPLICIT_CAST, -1);

	if (expr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the actor (text) does not convert to type %s",
						format_type_be(typid))));
	return expr;
}

/*
 * (1.7) softdelete.deleting(stamp, root): the stamp, counted for the log of
 * deletions as a row of root deleted.  The stamp itself when the database
 * is at 1.6 or older (no such function).
 */
static Oid	sd_deleting_oid = InvalidOid;	/* found, until pg_proc changes */

static void
sd_deleting_forget(Datum arg, int cacheid, uint32 hashvalue)
{
	sd_deleting_oid = InvalidOid;
}

Expr *
sd_counted_stamp(Expr *stamp, Oid root)
{
	static bool registered = false;
	Oid			fn = sd_deleting_oid;
	Oid			type = exprType((Node *) stamp);

	if (!OidIsValid(fn))
	{
		List	   *name = list_make2(makeString("softdelete"), makeString("deleting"));
		Oid			argtypes[2] = {ANYELEMENTOID, OIDOID};

		if (!registered)
		{
			CacheRegisterSyscacheCallback(PROCOID, sd_deleting_forget, (Datum) 0);
			registered = true;
		}
		fn = sd_deleting_oid = LookupFuncName(name, 2, argtypes, true);
	}

	if (!OidIsValid(fn))
		return stamp;
	return (Expr *) makeFuncExpr(fn, type,
								 list_make2(stamp,
											makeConst(OIDOID, -1, InvalidOid, sizeof(Oid),
													  ObjectIdGetDatum(root), false, true)),
								 InvalidOid, exprCollation((Node *) stamp),
								 COERCE_EXPLICIT_CALL);
}
