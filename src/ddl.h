/*-------------------------------------------------------------------------
 *
 * ddl.h
 *		ddl.c: what DDL does to enabled tables
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_DDL_H
#define SOFTDELETE_DDL_H

#include "archive_schema.h"

/* What a utility statement must be followed by (sd_ddl_before fills it). */
typedef struct SdUtility
{
	bool		bypass;			/* run it unfiltered */
	bool		reads_all;		/* its query reads every row (pg_dump's cursor) */
	bool		skip;			/* do not run it at all */
	Oid			arrived;		/* a table whose TRUNCATE guard says ... */
	List	   *arrived_args;	/* ... how to register it again */
	Oid			detached;		/* a table leaving an enabled tree ... */
	int			detached_mode;	/* ... of this SdMode */
	Oid			renamed_rel;	/* flag column renamed ... */
	char	   *renamed_to;		/* ... to this */
	Oid			renamed_by_rel; /* (1.6) deleted_by column renamed ... */
	char	   *renamed_by_to;	/* ... to this */
	Oid			retyped;		/* flag column's type changed */
	SdSchemaSnapshot *archive_before;	/* an archive-mode table altered */
} SdUtility;

extern void sd_ddl_before(Node *parsetree, const char *query_string,
						  SdUtility *u);
extern void sd_ddl_after(Node *parsetree, SdUtility *u);
extern void sd_refuse_citus(Oid relid, char kind, const char *what,
							const char *why);

#endif							/* SOFTDELETE_DDL_H */
