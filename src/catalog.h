/*-------------------------------------------------------------------------
 *
 * catalog.h
 *		catalog.c: which tables are enabled; the cache and its invalidation
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_CATALOG_H
#define SOFTDELETE_CATALOG_H

#include "utils/relcache.h"

struct HTAB;

typedef enum SdMode
{
	SD_MODE_FLAG,
	SD_MODE_ARCHIVE
} SdMode;

/*
 * What the planner needs to know of one relation.  For a partition or an
 * inheritance child of an enabled table, root is that table and flag_attno
 * is the flag column's number in the child.
 */
typedef struct SdTable
{
	Oid			relid;
	Oid			root;
	SdMode		mode;
	NameData	column_name;
	AttrNumber	flag_attno;		/* InvalidAttrNumber when the column is gone */
	Oid			flag_type;		/* timestamptz, timestamp or boolean */
	int32		flag_typmod;
	bool		flag_notnull;	/* a NOT NULL boolean flag */
	Oid			archive;
	bool		versions;
	NameData	by_column;		/* (1.6) the column stamped with the actor ... */
	AttrNumber	by_attno;		/* ... its number (InvalidAttrNumber: none) ... */
	Oid			by_type;		/* ... type ... */
	int32		by_typmod;		/* ... and typmod */
} SdTable;

/* softdelete.registry's columns */
#define Anum_registry_relid			1
#define Anum_registry_mode			2
#define Anum_registry_column_name	3
#define Anum_registry_archive		4
#define Anum_registry_versions		5
#define Anum_registry_enabled_at	6
#define Anum_registry_retention		7	/* from 1.3 on */
#define Anum_registry_deleted_by	8	/* from 1.6 on */
#define Anum_registry_live_indexes	9	/* from 1.8 on */
#define Anum_registry_deleted_indexes 10	/* from 1.8 on */
#define Natts_registry				10	/* at most: 6 before 1.3, 7 before 1.6,
										 * 8 before 1.8 */

/* Bumped whenever a cached answer may have changed: dependent caches compare it. */
extern uint64 sd_catalog_generation;

extern void sd_catalog_init(void);
extern struct HTAB *sd_oid_hash(const char *name, Size entrysize,
								MemoryContext cxt);
extern bool sd_catalog_any_enabled(void);
extern bool sd_catalog_any_archive(void);
extern bool sd_catalog_any_flag(void);
extern Oid	sd_catalog_archive_of(Oid archive);
extern bool sd_catalog_lookup(Oid relid, SdTable *out);
extern List *sd_catalog_roots(void);
extern Oid	sd_catalog_registry_relid(bool missing_ok);
extern List *sd_catalog_registered(void);
extern void sd_catalog_decode_row(HeapTuple tup, TupleDesc desc, SdTable *t);
extern void sd_catalog_invalidate(Oid relid);
extern void sd_require_flag_column(const SdTable *t);
#define SD_CITUS_DISTRIBUTED 'd'
#define SD_CITUS_REFERENCE 'r'
#define SD_CITUS_LOCAL 'l'
extern char sd_citus_kind(Oid relid);
extern char *sd_citus_shard_of(Oid relid);
extern const char *sd_shard_suffix(const char *name);
extern bool sd_trigger_named(const char *tgname, const char *base);
extern bool sd_catalog_shard(Relation rel, SdTable *out);
extern void sd_flag_describe(Oid relid, const char *colname, SdTable *t);

#endif							/* SOFTDELETE_CATALOG_H */
