/*-------------------------------------------------------------------------
 *
 * archive_schema.h
 *		archive_schema.c: an archive table's shape, and schema changes
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_ARCHIVE_SCHEMA_H
#define SOFTDELETE_ARCHIVE_SCHEMA_H

#include "utils/relcache.h"

#define SD_META_COLUMNS 6
#define SD_VALID_FROM "valid_from"

/* Metadata columns of every archive table, in this order. */
typedef struct SdMetaColumn
{
	const char *name;
	Oid			type;
	const char *decl;
} SdMetaColumn;
extern const SdMetaColumn sd_meta[SD_META_COLUMNS];
enum
{
	SD_META_AT,
	SD_META_BY,
	SD_META_OP,
	SD_META_XID,
	SD_META_ID,
	SD_META_REASON				/* (1.7) optional: archives made before lack it */
};

typedef struct SdSchemaSnapshot SdSchemaSnapshot;

extern bool sd_archive_reserved_name(const char *name);
extern bool sd_archive_looks_like_archive(Oid archive);
extern char *sd_column_type(Form_pg_attribute att);
extern List *sd_archive_create_sql(Relation rel, const char *qarchive,
								   bool exists);
extern char *sd_archive_index_sql(Relation rel, const char *qarchive);
extern char *sd_archive_identity_sql(Oid archive, const char *qarchive);
extern char *sd_added_column_value(Oid relid, AttrNumber attnum);
extern void sd_archive_add_column_sql(const char *qarchive, const char *name,
									  const char *type, Oid live, AttrNumber attnum);
extern SdSchemaSnapshot *sd_archive_before_utility(Node *parsetree,
												   const char *query_string);
extern void sd_archive_after_utility(SdSchemaSnapshot *before);

#endif							/* SOFTDELETE_ARCHIVE_SCHEMA_H */
