/*-------------------------------------------------------------------------
 *
 * fk_exec.h
 *		fk_exec.c: the statements of the foreign-key trigger, and the state
 *		of the trigger running
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_FK_EXEC_H
#define SOFTDELETE_FK_EXEC_H

#include "catalog.h"

/* the foreign key a restore cascade is following (its check passes) */
extern Oid	sd_fk_restoring;

/* the trigger runs on a shard of a Citus table, on its node */
extern bool sd_fk_on_shard;

extern char *sd_fk_target(Oid relid);
extern char *sd_fk_quals(Oid relid, int nkeys, const AttrNumber *attnos,
						 const char *prefix);
extern bool sd_fk_values(Relation rel, HeapTuple tuple, Oid from, int nkeys,
						 const AttrNumber *attnos, Datum *values, Oid *types);
extern char *sd_fk_key_text(Oid relid, int nkeys, const AttrNumber *attnos,
							const Datum *values, const Oid *types);
extern char *sd_fk_literal(Datum value, Oid type, int32 typmod);
extern void sd_fk_become_owner(Oid relid, Oid *save_userid, int *save_sec);
extern bool sd_fk_lookup(Oid relid, SdTable *t);
extern const char *sd_fk_name(Oid relid);
extern const char *sd_fk_conname(const char *name);
extern char *sd_fk_live(Oid relid);
extern uint64 sd_fk_exec_nulls(const char *sql, int nargs, Oid *types,
							   Datum *values, const char *nulls, Oid owner_of,
							   int expected, long limit);
extern uint64 sd_fk_exec(const char *sql, int nargs, Oid *types, Datum *values,
						 Oid owner_of, int expected, long limit);

#endif							/* SOFTDELETE_FK_EXEC_H */
