/*-------------------------------------------------------------------------
 *
 * redirect.c
 *		DELETE on an enabled table becomes a soft delete, and nothing else
 *		may remove its rows: the guard trigger and the TRUNCATE check.
 *
 * A DELETE (at any query level, and MERGE's DELETE action) on a flag-mode
 * table is turned, before planning, into the UPDATE that stamps the flag
 * column with now(): the rows stay, the filter hides them.  The privilege
 * checked stays DELETE.  The PlannedStmt keeps saying DELETE, so the command
 * tag and SPI's result are those of a delete.
 *
 * The guard trigger (softdelete.guard) sits on every enabled table.  A DELETE
 * that reaches the table physically (no hook in this session, a cascade from
 * a table that is not enabled) fails there instead of destroying rows;
 * hard_delete and purge let it through.  In a session where this library
 * was not preloaded, calling the trigger loads it, and _PG_init refuses.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "softdelete.h"

PG_FUNCTION_INFO_V1(softdelete_guard);

/*
 * The value a DELETE stores in the flag column of range table entry rti:
 * now(), the transaction's start, so one transaction's deletes share a
 * stamp.  When the target is not filtered (include_deleted), rows deleted
 * earlier keep their stamp: coalesce(flag, now()).
 */
static Expr *
sd_stamp_expr(Index rti, const SdTable *t, bool filtered)
{
	Node	   *now;

	sd_require_flag_column(t);

	now = (Node *) makeFuncExpr(F_NOW, TIMESTAMPTZOID, NIL, InvalidOid,
								InvalidOid, COERCE_EXPLICIT_CALL);
	now = coerce_to_target_type(NULL, now, TIMESTAMPTZOID,
								t->flag_type, t->flag_typmod,
								COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (now == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("soft-delete flag column \"%s\" of table \"%s\" has type %s",
						NameStr(t->column_name), get_rel_name(t->relid),
						format_type_be(t->flag_type)),
				 errhint("The flag column must be of type timestamptz or timestamp.")));
	if (!filtered)
	{
		CoalesceExpr *c = makeNode(CoalesceExpr);

		c->coalescetype = t->flag_type;
		c->coalescecollid = InvalidOid;
		c->args = list_make2(makeVar(rti, t->flag_attno, t->flag_type,
									 t->flag_typmod, InvalidOid, 0),
							 now);
		c->location = -1;
		now = (Node *) c;
	}
	return (Expr *) now;
}

/* The one-entry target list "flag = stamp". */
static List *
sd_stamp_tlist(Query *query, const SdTable *t, bool filtered)
{
	Index		rti = query->resultRelation;
	RangeTblEntry *rte = rt_fetch(rti, query->rtable);

	/* The privilege checked stays ACL_DELETE; no UPDATE right is needed. */
	SD_MARK_UPDATED_COL(query, rte, t->flag_attno);
	return list_make1(makeTargetEntry(sd_stamp_expr(rti, t, filtered),
									  t->flag_attno,
									  pstrdup(NameStr(t->column_name)),
									  false));
}

/*
 * Turn DELETE query on enabled table t into the UPDATE that marks the rows.
 * filtered says whether the target carries the visibility filter.
 */
void
sd_redirect_delete(Query *query, const SdTable *t, bool filtered)
{
	Assert(query->commandType == CMD_DELETE);
	query->commandType = CMD_UPDATE;
	query->targetList = sd_stamp_tlist(query, t, filtered);
	/* lock the rows as a delete does, where foreign keys look (fkeys.c) */
	sd_fk_mark_key_updated(rt_fetch(query->resultRelation, query->rtable));
}

/* Turn MERGE's WHEN MATCHED THEN DELETE actions into marking UPDATEs. */
void
sd_redirect_merge(Query *query, const SdTable *t, bool filtered)
{
	ListCell   *lc;

	foreach(lc, query->mergeActionList)
	{
		MergeAction *action = lfirst_node(MergeAction, lc);

		if (action->commandType != CMD_DELETE)
			continue;
		action->commandType = CMD_UPDATE;
		action->targetList = sd_stamp_tlist(query, t, filtered);
	}
}

/* TRUNCATE of an enabled table (or a partition of one) is refused. */
void
sd_check_truncate(List *relids)
{
	ListCell   *lc;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		SdTable		t;

		if (sd_catalog_lookup(relid, &t))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot truncate table \"%s\": soft delete is enabled on it",
							get_rel_name(relid)),
					 t.mode == SD_MODE_FLAG ?
					 errdetail("TRUNCATE would destroy every row, deleted or not.") :
					 errdetail("TRUNCATE would destroy the rows without archiving them."),
					 t.mode == SD_MODE_FLAG ?
					 errhint("Use DELETE to soft-delete the rows, or set softdelete.hard_delete = on to truncate.") :
					 errhint("Use DELETE to archive the rows, or set softdelete.hard_delete = on to truncate.")));
	}
}

/*
 * The flag column must stay a nullable timestamp while the table is enabled:
 * dropping it would bring every deleted row back, another type would break
 * DELETE, NOT NULL would break restore.  Refuse those ALTER TABLE commands.
 * Returns the enabled table whose flag column changes between timestamp
 * and timestamptz (or InvalidOid).
 */
Oid
sd_check_alter_table(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			relid = InvalidOid;
	Oid			retyped = InvalidOid;
	SdTable		t;

	if (!sd_catalog_any_enabled() || stmt->relation == NULL)
		return InvalidOid;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		const char *why;

		switch (cmd->subtype)
		{
			case AT_DropColumn:
				why = "Dropping it would bring every deleted row back.";
				break;
			case AT_SetNotNull:
				why = "NULL marks a live row: the flag column must stay nullable.";
				break;
			case AT_AlterColumnType:
				{
					ColumnDef  *def = castNode(ColumnDef, cmd->def);
					Oid			typid = typenameTypeId(NULL, def->typeName);

					if (typid == TIMESTAMPTZOID || typid == TIMESTAMPOID)
					{
						/* allowed: the caller re-creates softdelete_fk */
						if (cmd->name != NULL && !OidIsValid(relid))
							relid = RangeVarGetRelid(stmt->relation, NoLock, true);
						if (cmd->name != NULL && OidIsValid(relid) &&
							sd_catalog_lookup(relid, &t) &&
							t.mode == SD_MODE_FLAG && t.root == relid &&
							strcmp(cmd->name, NameStr(t.column_name)) == 0)
							retyped = relid;
						continue;
					}
					why = "The flag column must be of type timestamptz or timestamp.";
				}
				break;
			default:
				continue;
		}
		if (cmd->name == NULL)
			continue;
		if (!OidIsValid(relid))
			relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		if (OidIsValid(relid) && sd_catalog_lookup(relid, &t) &&
			t.mode == SD_MODE_FLAG &&
			strcmp(cmd->name, NameStr(t.column_name)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot change column \"%s\" of table \"%s\": it is the soft-delete flag column",
							cmd->name, get_rel_name(relid)),
					 errdetail("%s", why),
					 errhint("Call softdelete.disable() first.")));
	}
	return retyped;
}

/*
 * softdelete.guard(): BEFORE DELETE (row) and BEFORE TRUNCATE (statement)
 * trigger on every enabled table.  Also the function of the BEFORE UPDATE
 * row trigger that fkeys.c gives a soft delete so that core locks its rows:
 * there it lets every row through.
 */
Datum
softdelete_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.guard() can only be called as a trigger")));
	rel = trigdata->tg_relation;

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);

	/* A table that is no longer enabled deletes as any other. */
	if (sd_hard_delete || !sd_catalog_lookup(RelationGetRelid(rel), NULL))
		return PointerGetDatum(trigdata->tg_trigtuple);

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		sd_check_truncate(list_make1_oid(RelationGetRelid(rel)));

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) &&
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		if (sd_erasing_depth > 0)
			return PointerGetDatum(trigdata->tg_trigtuple);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot delete rows of table \"%s\" physically: soft delete is enabled on it",
						RelationGetRelationName(rel)),
				 errdetail("This DELETE reached the table without being turned into a soft delete (for instance a foreign-key cascade from a table that is not enabled)."),
				 errhint("Set softdelete.hard_delete = on to delete rows physically, or use softdelete.purge().")));
	}
	return PointerGetDatum(trigdata->tg_trigtuple);
}
