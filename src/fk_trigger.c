/*-------------------------------------------------------------------------
 *
 * fk_trigger.c
 *		Foreign keys that understand soft delete: a soft delete cascades and
 *		is restricted as a delete would be, a restore brings back what was
 *		deleted with the row, and a deleted row cannot be referenced anew.
 *
 * A soft delete in flag mode is an UPDATE, so core's foreign-key triggers
 * never see it.  The row trigger softdelete_fk (AFTER UPDATE, only when the
 * flag goes from NULL to set or back) does what core's would:
 *
 * - deleted: for every foreign key that references the row, ON DELETE
 *   CASCADE runs "DELETE FROM child WHERE fk = key" (planned through the
 *   hook, so it is a soft delete or an archive move of the live children,
 *   and it recurses through theirs); RESTRICT and NO ACTION look for a live
 *   child and fail with 23503.  SET NULL, SET DEFAULT and a cascade into a
 *   table that is not enabled are refused by enable, and again here.
 * - restored: the row's own references must point at live rows; then the
 *   children that a cascade deleted with it (same foreign key, same stamp)
 *   are restored too, recursively.
 *
 * In archive mode the delete is physical and core's triggers do the work;
 * restore cascades through the archives (same key, same archived_xid), in
 * sd_restore_archive.
 *
 * Citus.  The rows of a distributed or reference table live in shards,
 * and Citus keeps its foreign keys between shards on the same node, where
 * it checks and cascades them.  So do these triggers: Citus copies them to
 * every shard, and they fire there, on a worker whose registry is empty.
 * The shard's guard trigger names its flag column (catalog.c), the
 * cascade is an UPDATE with the parent's stamp, and every statement names
 * the live rows itself, since nothing filters shards (sd_fk_on_shard).
 *
 * The lock a soft delete takes, and core's checks of new references under
 * it, are the planner's and the executor's share (fkeys.c).
 *
 * Calls: fk_exec.c (the statements), archive_restore.c (restore cascades
 * into archive-mode children), keys.c, stamp.c, catalog.c, state.c.
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

#include "archive_restore.h"
#include "catalog.h"
#include "compat.h"
#include "fk_exec.h"
#include "keys.h"
#include "stamp.h"
#include "state.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(softdelete_fk);

/*
 * On a shard: soft-delete the live children of a cascade, the rows of child
 * shard fk->child with key values, with the parent's stamp (so that a
 * restore of the parent finds them), as its own DELETE would have on one
 * server.  The UPDATE fires the child's softdelete_fk in turn.
 */
static void
sd_fk_cascade_shard(const SdFk *fk, const SdTable *t, HeapTuple tuple,
					TupleDesc desc, Datum *values, Oid *types)
{
	SdTable		ct;
	const char *col;
	char	   *set;
	int			nargs = fk->nkeys;

	if (!sd_fk_lookup(fk->child, &ct))
		sd_fk_check_rule(fk, SD_MODE_FLAG, false);
	sd_require_flag_column(&ct);
	col = quote_identifier(NameStr(ct.column_name));
	if (SD_FLAG_IS_BOOL(&ct))
		set = "true";
	else
	{
		bool		isnull = true;

		if (!SD_FLAG_IS_BOOL(t))
			values[nargs] = heap_getattr(tuple, t->flag_attno, desc, &isnull);
		/* a boolean parent carries no time: this transaction's, here */
		if (isnull)
			values[nargs] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		/* timestamp flags hold UTC: the same microseconds either way */
		types[nargs] = ct.flag_type;
		nargs++;
		set = psprintf("$%d", nargs);
	}
	sd_fk_exec(psprintf("UPDATE %s x SET %s = %s WHERE %s%s",
						sd_fk_target(fk->child), col, set,
						sd_fk_quals(fk->child, fk->nkeys, fk->child_att, "x."),
						sd_fk_live(fk->child)),
			   nargs, types, values, fk->child, SPI_OK_UPDATE, 0);
}

/*
 * ON DELETE CASCADE of a soft delete: the DELETE of the children, which
 * softdelete makes a soft delete of flag-mode children (and core's archive
 * of archive-mode ones).  Flag-mode children get the parent's stamp, which
 * the application may have written itself, as one more parameter that the
 * planner hook puts in place of now() (stamp.c): a restore of the parent
 * then finds them.
 */
static void
sd_fk_cascade(const SdFk *fk, const SdTable *t, HeapTuple tuple,
			  TupleDesc desc, const char *quals, Datum *values, Oid *types)
{
	SdTable		ct;
	int volatile nargs = fk->nkeys;
	int volatile saved = sd_cascade_stamp_param;
	Oid volatile saved_type = sd_cascade_stamp_type;
	Datum		stamp = (Datum) 0;
	bool		isnull = true;
	char		nulls[INDEX_MAX_KEYS + 1];

	memset(nulls, ' ', sizeof(nulls));
	if (sd_fk_lookup(fk->child, &ct) && ct.mode == SD_MODE_FLAG &&
		!SD_FLAG_IS_BOOL(&ct) && OidIsValid(ct.flag_type))
	{
		/* a boolean parent carries no time: now(), by the NULL */
		if (!SD_FLAG_IS_BOOL(t))
			stamp = heap_getattr(tuple, t->flag_attno, desc, &isnull);
		/* both kinds hold microseconds of UTC: the same instant */
		values[nargs] = stamp;
		nulls[nargs] = isnull ? 'n' : ' ';
		types[nargs] = ct.flag_type;
		nargs++;
	}
	PG_TRY();
	{
		if (nargs > fk->nkeys)
		{
			sd_cascade_stamp_param = nargs;
			sd_cascade_stamp_type = types[nargs - 1];
		}
		/* the type of the stamp in the text: plans are kept by their text */
		sd_fk_exec_nulls(psprintf("DELETE FROM %s x WHERE %s%s",
								  sd_fk_target(fk->child), quals,
								  nargs > fk->nkeys ?
								  psprintf(" /* stamp %s */", format_type_be(types[nargs - 1])) : ""),
						 nargs, types, values, nulls, fk->child,
						 SPI_OK_DELETE, 0);
	}
	PG_FINALLY();
	{
		sd_cascade_stamp_param = saved;
		sd_cascade_stamp_type = saved_type;
	}
	PG_END_TRY();
}

/* The row was soft-deleted: cascade to, or be restricted by, its children. */
static void
sd_fk_on_delete(Relation rel, const SdTable *t, HeapTuple tuple)
{
	Oid			relid = RelationGetRelid(rel);
	ListCell   *lc;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS + 1];
		Oid			types[INDEX_MAX_KEYS + 1];
		char	   *quals;

		if (!sd_fk_on_shard || fk->deltype != FKCONSTR_ACTION_CASCADE)
			sd_fk_check_rule(fk, SD_MODE_FLAG, false);
		if (!sd_fk_values(rel, tuple, fk->parent, fk->nkeys, fk->parent_att,
						  values, types))
			continue;
		quals = sd_fk_quals(fk->child, fk->nkeys, fk->child_att, "x.");

		if (fk->deltype == FKCONSTR_ACTION_CASCADE && sd_fk_on_shard)
			sd_fk_cascade_shard(fk, t, tuple, RelationGetDescr(rel), values, types);
		else if (fk->deltype == FKCONSTR_ACTION_CASCADE)
			sd_fk_cascade(fk, t, tuple, RelationGetDescr(rel), quals,
						  values, types);
		else if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s%s FOR KEY SHARE OF x",
									 sd_fk_target(fk->child), quals,
									 sd_fk_live(fk->child)),
							fk->nkeys, types, values, fk->child,
							SPI_OK_SELECT, 1) > 0)
		{
			char	   *key = sd_fk_key_text(fk->parent, fk->nkeys,
											 fk->parent_att, values, types);

			/* as core words it: RESTRICT has its own code from 18 on */
			if (fk->deltype == FKCONSTR_ACTION_RESTRICT)
				ereport(ERROR,
						(errcode(SD_RESTRICT_ERRCODE),
						 errmsg(SD_RESTRICT_MSG, sd_fk_name(fk->parent),
								sd_fk_conname(NameStr(fk->conname)), sd_fk_name(fk->child)),
						 errdetail(SD_RESTRICT_DETAIL, key, sd_fk_name(fk->child))));
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
							sd_fk_name(fk->parent), sd_fk_conname(NameStr(fk->conname)),
							sd_fk_name(fk->child)),
					 errdetail("Key %s is still referenced from table \"%s\".",
							   key, sd_fk_name(fk->child))));
		}
	}
}

/* The constraint a partition's cloned foreign key comes from, or conoid. */
static Oid
sd_constraint_root(Oid conoid)
{
	for (;;)
	{
		HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
		Oid			parent;

		if (!HeapTupleIsValid(tup))
			return conoid;
		parent = ((Form_pg_constraint) GETSTRUCT(tup))->conparentid;
		ReleaseSysCache(tup);
		if (!OidIsValid(parent))
			return conoid;
		conoid = parent;
	}
}

/*
 * Must a restored row check that the parent of foreign key info is live?
 * Yes when that parent is in flag mode, unless a restore cascade from that
 * very parent row is bringing the row back.
 */
static bool
sd_fk_checks_parent(ForeignKeyCacheInfo *info)
{
	SdTable		pt;

	return sd_fk_lookup(info->confrelid, &pt) && pt.mode == SD_MODE_FLAG &&
		!(OidIsValid(sd_fk_restoring) &&
		  sd_constraint_root(info->conoid) == sd_fk_restoring);
}

/* Has a restored row of rel children to bring back (CASCADE, enabled)? */
static bool
sd_fk_has_cascade_children(Oid relid)
{
	ListCell   *lc;
	SdTable		ct;

	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);

		if (fk->deltype == FKCONSTR_ACTION_CASCADE &&
			sd_fk_lookup(fk->child, &ct))
			return true;
	}
	return false;
}

/*
 * Run sql, a restore cascade's UPDATE of the children of foreign key conoid,
 * unfiltered (it names deleted rows) and with that key's check of the
 * parent skipped (the parent is the row being restored).
 */
static void
sd_fk_restore_children(const char *sql, int nargs, Oid *types, Datum *values,
					   Oid conoid, Oid child)
{
	Oid			saved = sd_fk_restoring;

	sd_exempt(SD_EXEMPT_FILTER, child);
	sd_fk_restoring = conoid;
	PG_TRY();
	{
		int			rc;

		rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
		if (rc != SPI_OK_UPDATE && rc != SPI_OK_REWRITTEN)
			elog(ERROR, "softdelete: restore cascade failed: %s",
				 SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		sd_exempt(SD_EXEMPT_NONE, InvalidOid);
		sd_fk_restoring = saved;
	}
	PG_END_TRY();
}

/*
 * The row was restored: its references must point at live rows, and the
 * children deleted with it come back.
 */
static void
sd_fk_on_restore(Relation rel, const SdTable *t, HeapTuple oldtuple,
				 HeapTuple newtuple)
{
	Oid			relid = RelationGetRelid(rel);
	Datum		stamp;
	TimestampTz lo = 0,
				hi = 0;
	bool		isnull;
	bool		timed = !SD_FLAG_IS_BOOL(t);
	ListCell   *lc;

	/*
	 * The instants at which a transaction could have stamped it.  A boolean
	 * flag carries none: every deleted row that references it comes back.
	 */
	if (timed)
	{
		stamp = heap_getattr(oldtuple, t->flag_attno, RelationGetDescr(rel),
							 &isnull);
		Assert(!isnull);
		sd_stamp_window(DatumGetTimestampTz(stamp), t->flag_typmod, &lo, &hi);
	}
	foreach(lc, sd_fk_incoming(relid))
	{
		SdFk	   *fk = lfirst(lc);
		SdTable		ct;
		Datum		values[INDEX_MAX_KEYS + 2];
		Oid			types[INDEX_MAX_KEYS + 2];
		char	   *quals;
		Oid			save_userid;
		int			save_sec;

		/* undo restores every table of its transaction itself (1.7) */
		if (sd_undoing || fk->deltype != FKCONSTR_ACTION_CASCADE ||
			!sd_fk_lookup(fk->child, &ct) ||
			!sd_fk_values(rel, oldtuple, fk->parent, fk->nkeys, fk->parent_att,
						  values, types))
			continue;
		sd_fk_become_owner(fk->child, &save_userid, &save_sec);
		if (ct.mode == SD_MODE_FLAG)
		{
			/*
			 * The rows this cascade stamped: the same key, and a stamp that
			 * the instant of the parent's stamp gives in the child's column
			 * (its own type and number of fractional digits).  When either
			 * flag is a boolean, the deleted rows with the same key.
			 */
			const char *col = quote_identifier(NameStr(ct.column_name));
			char	   *sql;
			bool		by_stamp = timed && !SD_FLAG_IS_BOOL(&ct);
			const int	nargs = fk->nkeys + (by_stamp ? 2 : 0);

			quals = sd_fk_quals(fk->child, fk->nkeys, fk->child_att, "x.");
			if (by_stamp)
			{
				values[fk->nkeys] = TimestampTzGetDatum(sd_round_stamp(lo, ct.flag_typmod));
				values[fk->nkeys + 1] = TimestampTzGetDatum(sd_round_stamp(hi, ct.flag_typmod));
				types[fk->nkeys] = types[fk->nkeys + 1] = ct.flag_type;
				sql = psprintf("UPDATE %s x SET %s = NULL WHERE %s AND x.%s OPERATOR(pg_catalog.>=) $%d AND x.%s OPERATOR(pg_catalog.<=) $%d",
							   sd_fk_target(fk->child), col,
							   quals, col, fk->nkeys + 1,
							   col, fk->nkeys + 2);
			}
			else
				sql = psprintf("UPDATE %s x SET %s = %s WHERE %s AND %s",
							   sd_fk_target(fk->child), col,
							   sd_flag_live_value(&ct), quals,
							   sd_flag_sql(psprintf("x.%s", col), &ct, true));
			sd_fk_restore_children(sql, nargs, types, values, fk->conoid, fk->child);
		}
		else
		{
			/* archived by the same transaction: archived_at is its now() */
			StringInfoData filter;
			int			i;

			initStringInfo(&filter);
			for (i = 0; i < fk->nkeys; i++)
				appendStringInfo(&filter, "%s%s OPERATOR(pg_catalog.=) %s",
								 i > 0 ? " AND " : "",
								 quote_identifier(get_attname(fk->child,
															  fk->child_att[i],
															  false)),
								 sd_fk_literal(values[i], types[i], -1));
			if (timed)
				appendStringInfo(&filter, " AND archived_at OPERATOR(pg_catalog.>=) %s AND archived_at OPERATOR(pg_catalog.<=) %s",
								 sd_fk_literal(TimestampTzGetDatum(lo), TIMESTAMPTZOID, -1),
								 sd_fk_literal(TimestampTzGetDatum(hi), TIMESTAMPTZOID, -1));
			sd_restore_archive(fk->child, &ct, filter.data);
		}
		SetUserIdAndSecContext(save_userid, save_sec);
	}

	/*
	 * Then its own references must point at live rows (checked after the
	 * cascade: in a cycle, the rows it references came back with it).
	 */
	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];

		if (!sd_fk_checks_parent(info) ||
			!sd_fk_values(rel, newtuple, relid, info->nkeys, info->conkey,
						  values, types))
			continue;
		if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s%s FOR KEY SHARE OF x",
								sd_fk_target(info->confrelid),
								sd_fk_quals(info->confrelid, info->nkeys,
											info->confkey, "x."),
								sd_fk_live(info->confrelid)),
					   info->nkeys, types, values, info->confrelid,
					   SPI_OK_SELECT, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("cannot restore a row of table \"%s\": it references a deleted row of table \"%s\"",
							sd_fk_name(t->root),
							sd_fk_name(info->confrelid)),
					 errdetail("Key %s of table \"%s\" is deleted (foreign key \"%s\").",
							   sd_fk_key_text(info->confrelid, info->nkeys,
											  info->confkey, values, types),
							   sd_fk_name(info->confrelid),
							   sd_fk_conname(get_constraint_name(info->conoid))),
					 errhint("Restore that row of \"%s\" first: the rows deleted with it come back with it.",
							 sd_fk_name(info->confrelid))));
	}
}

/*
 * A row this transaction wrote is being soft-deleted: core's check of its
 * deferred keys is left out then (sd_fk_check_when), and the check queued
 * by its insert skips a row version that is no longer the newest.  So the
 * rows a deferred key's reference points at must exist, deleted or not,
 * now: a deleted row never points at nothing.  (The parent inserted later
 * in the transaction is too late for such a row.)
 */
static void
sd_fk_check_present(Relation rel, HeapTuple newtuple)
{
	ListCell   *lc;

	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];
		HeapTuple	tup;
		bool		deferrable;
		SdTable		pt;
		uint64		found;

		if (!sd_catalog_lookup(info->confrelid, &pt) || pt.mode != SD_MODE_FLAG)
			continue;
		tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(info->conoid));
		if (!HeapTupleIsValid(tup))
			continue;
		deferrable = ((Form_pg_constraint) GETSTRUCT(tup))->condeferrable;
		ReleaseSysCache(tup);
		if (!deferrable ||
			!sd_fk_values(rel, newtuple, RelationGetRelid(rel), info->nkeys,
						  info->conkey, values, types))
			continue;
		SPI_connect();
		sd_bypass_depth++;
		PG_TRY();
		{
			found = sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s FOR KEY SHARE OF x /* present */",
										sd_fk_target(info->confrelid),
										sd_fk_quals(info->confrelid, info->nkeys,
													info->confkey, "x.")),
							   info->nkeys, types, values, info->confrelid,
							   SPI_OK_SELECT, 1);
		}
		PG_FINALLY();
		{
			sd_bypass_depth--;
		}
		PG_END_TRY();
		SPI_finish();
		if (found == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
							RelationGetRelationName(rel),
							sd_fk_conname(get_constraint_name(info->conoid))),
					 errdetail("Key %s is not present in table \"%s\".",
							   sd_fk_key_text(RelationGetRelid(rel), info->nkeys,
											  info->conkey, values, types),
							   sd_fk_name(info->confrelid)),
					 errhint("A row written in this transaction is soft-deleted before its deferred foreign key was checked: the row it references must exist by then.")));
	}
}

/*
 * The references of a row just inserted or updated (old is NULL for an
 * insert) to rows of flag-mode tables must point at live rows.  Core's own
 * check of a new reference runs through the planner up to 18, where the
 * filter makes a deleted row "not present"; from 19 on it probes the
 * referenced table's index directly, so softdelete checks again, through
 * the planner, with core's error.  Fired by softdelete_ref (19 on).
 */
static void
sd_fk_check_references(Relation rel, HeapTuple new, HeapTuple old)
{
	ListCell   *lc;

	foreach(lc, sd_fk_outgoing(rel))
	{
		ForeignKeyCacheInfo *info = lfirst(lc);
		Datum		values[INDEX_MAX_KEYS];
		Oid			types[INDEX_MAX_KEYS];
		SdTable		pt;
		int			i;
		bool		changed = (old == NULL);

		if (!sd_fk_lookup(info->confrelid, &pt) || pt.mode != SD_MODE_FLAG ||
			!sd_fk_values(rel, new, RelationGetRelid(rel), info->nkeys,
						  info->conkey, values, types))
			continue;
		for (i = 0; i < info->nkeys && !changed; i++)
		{
			bool		n1,
						n2;
			Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
												  info->conkey[i] - 1);
			Datum		d1 = heap_getattr(old, info->conkey[i], RelationGetDescr(rel), &n1);
			Datum		d2 = heap_getattr(new, info->conkey[i], RelationGetDescr(rel), &n2);

			changed = n1 != n2 ||
				(!n1 && !datumIsEqual(d1, d2, att->attbyval, att->attlen));
		}
		if (!changed)
			continue;
		if (sd_fk_exec(psprintf("SELECT 1 FROM %s x WHERE %s%s FOR KEY SHARE OF x",
								sd_fk_target(info->confrelid),
								sd_fk_quals(info->confrelid, info->nkeys,
											info->confkey, "x."),
								sd_fk_live(info->confrelid)),
					   info->nkeys, types, values, info->confrelid,
					   SPI_OK_SELECT, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
							sd_fk_name(RelationGetRelid(rel)),
							sd_fk_conname(get_constraint_name(info->conoid))),
					 errdetail("Key %s is not present in table \"%s\".",
							   sd_fk_key_text(RelationGetRelid(rel), info->nkeys,
											  info->conkey, values, types),
							   sd_fk_name(info->confrelid))));
	}
}

typedef enum SdFkEvent
{
	SD_FK_DELETED,				/* the row was soft-deleted */
	SD_FK_RESTORED,				/* the row was restored */
	SD_FK_REFERENCES			/* a new or changed row's references */
} SdFkEvent;

/*
 * Do what event asks of row newtuple of rel (oldtuple its image before).
 * The statements see live rows only and delete softly, whatever the
 * session has set; shard says that rel is a Citus shard (sd_fk_on_shard).
 */
static void
sd_fk_run(SdFkEvent event, bool shard, Relation rel, const SdTable *t,
		  HeapTuple oldtuple, HeapTuple newtuple)
{
	bool		saved = sd_fk_on_shard;
	int			nestlevel;

	SPI_connect();
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("softdelete.include_deleted", "off",
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("softdelete.hard_delete", "off",
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	sd_fk_on_shard = shard;
	PG_TRY();
	{
		if (event == SD_FK_DELETED)
			sd_fk_on_delete(rel, t, newtuple);
		else if (event == SD_FK_RESTORED)
			sd_fk_on_restore(rel, t, oldtuple, newtuple);
		else
			sd_fk_check_references(rel, newtuple, oldtuple);
	}
	PG_FINALLY();
	{
		sd_fk_on_shard = saved;
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
}

/*
 * softdelete.fk(): AFTER UPDATE row trigger of flag-mode tables, fired when
 * the flag goes from NULL to set (a soft delete) or back (a restore); and,
 * as softdelete_ref (19 on), AFTER INSERT OR UPDATE of tables that
 * reference flag-mode tables.
 */
Datum
softdelete_fk(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	SdTable		t;
	bool		was_deleted;
	bool		is_deleted;
	bool		shard = false;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_INSERT(trigdata->tg_event)) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("softdelete.fk() must be fired AFTER INSERT OR UPDATE FOR EACH ROW")));
	rel = trigdata->tg_relation;
	if (sd_trigger_named(trigdata->tg_trigger->tgname, SD_REF_TRIGGER))
	{
		bool		isnew = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);

		/* on a Citus shard (softdelete_ref('shard')), nothing is registered */
		shard = trigdata->tg_trigger->tgnargs > 0;
		if ((!shard && !sd_catalog_any_flag()) || sd_bypass_depth > 0)
			return PointerGetDatum(NULL);
		/* a deleted row may reference a deleted one: its delete cascaded */
		if ((shard ? sd_catalog_shard(rel, &t) :
			 sd_catalog_lookup(RelationGetRelid(rel), &t)) &&
			t.mode == SD_MODE_FLAG && t.flag_attno != InvalidAttrNumber &&
			sd_flag_deleted(isnew ? trigdata->tg_trigtuple : trigdata->tg_newtuple,
							RelationGetDescr(rel), &t))
			return PointerGetDatum(NULL);
		sd_fk_run(SD_FK_REFERENCES, shard, rel, &t,
				  isnew ? NULL : trigdata->tg_trigtuple,
				  isnew ? trigdata->tg_trigtuple : trigdata->tg_newtuple);
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(NULL);
	/* a shard of a Citus table, on its node: its guard says what it is */
	if (!sd_catalog_lookup(RelationGetRelid(rel), &t) &&
		!(shard = sd_catalog_shard(rel, &t)))
	{
		char	   *table;

		/* a shard whose guard does not say (enabled by softdelete 1.2) */
		if (sd_fk_referenced(RelationGetRelid(rel)) &&
			(table = sd_citus_shard_of(RelationGetRelid(rel))) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot follow the foreign keys of shard \"%s\" of table \"%s\"",
							RelationGetRelationName(rel), table),
					 errdetail("Its guard trigger does not name the flag column: the table was enabled by an older softdelete."),
					 errhint("Call softdelete.enable() on \"%s\" again on the coordinator.", table)));
		return PointerGetDatum(NULL);
	}
	if (t.mode != SD_MODE_FLAG || t.flag_attno == InvalidAttrNumber)
		return PointerGetDatum(NULL);

	was_deleted = sd_flag_deleted(trigdata->tg_trigtuple, RelationGetDescr(rel),
								  &t);
	is_deleted = sd_flag_deleted(trigdata->tg_newtuple, RelationGetDescr(rel),
								 &t);
	if (was_deleted == is_deleted)
		return PointerGetDatum(NULL);
	/* Nothing to do: a cheap test before any set-up, once per row. */
	if (is_deleted)
	{
		if (!shard &&
			TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(trigdata->tg_trigtuple->t_data)))
			sd_fk_check_present(rel, trigdata->tg_newtuple);
		if (!sd_fk_referenced(RelationGetRelid(rel)))
			return PointerGetDatum(NULL);
	}
	else if (!shard && !sd_fk_has_cascade_children(RelationGetRelid(rel)))
	{
		ListCell   *lc;
		bool		check = false;

		foreach(lc, sd_fk_outgoing(rel))
			check |= sd_fk_checks_parent(lfirst(lc));
		if (!check)
			return PointerGetDatum(NULL);
	}
	sd_fk_run(is_deleted ? SD_FK_DELETED : SD_FK_RESTORED, shard, rel, &t,
			  trigdata->tg_trigtuple, trigdata->tg_newtuple);
	return PointerGetDatum(NULL);
}
