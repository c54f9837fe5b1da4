/*-------------------------------------------------------------------------
 *
 * keys.h
 *		keys.c: a table's foreign keys (cached), their rules, unique keys
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_KEYS_H
#define SOFTDELETE_KEYS_H

#include "catalog.h"

typedef struct SdFk
{
	Oid			conoid;
	NameData	conname;
	Oid			child;			/* the referencing table (conrelid) */
	Oid			parent;			/* the referenced table (confrelid) */
	char		deltype;		/* confdeltype: FKCONSTR_ACTION_* */
	Oid			index;			/* conindid: the parent's unique index */
	int			nkeys;
	AttrNumber	child_att[INDEX_MAX_KEYS];
	AttrNumber	parent_att[INDEX_MAX_KEYS];
	Oid			pf_eq_oprs[INDEX_MAX_KEYS];
} SdFk;

extern void sd_fkeys_init(void);
extern List *sd_fk_incoming(Oid relid);
extern List *sd_fk_outgoing(Relation rel);
extern bool sd_fk_referenced(Oid relid);
extern List *sd_fk_referencing_index(Oid relid, Oid index);
extern void sd_fk_check_rule(const SdFk *fk, SdMode parent_mode,
							 bool at_enable);
extern void sd_fk_check_enable(Oid relid, SdMode mode);
extern void sd_fk_check_archive_delete(Oid relid);
extern void sd_unique_keys(Oid relid, const char *colname, bool replace);

#endif							/* SOFTDELETE_KEYS_H */
