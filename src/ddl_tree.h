/*-------------------------------------------------------------------------
 *
 * ddl_tree.h
 *		ddl_tree.c: tables joining and leaving an enabled table's tree
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_DDL_TREE_H
#define SOFTDELETE_DDL_TREE_H

#include "nodes/parsenodes.h"

#include "catalog.h"

extern void sd_after_inherit(Node *parsetree);
extern Oid	sd_leaving_child(AlterTableStmt *stmt, int *mode);
extern void sd_after_leaving(Oid relid, SdMode mode);
extern void sd_register_arrived(Oid relid, List *args);
extern void sd_guard_new_child(Oid child);
extern void sd_refuse_archive_table(Oid relid);
extern void sd_check_foreign_tables(Oid root, Oid tree, SdMode mode,
									const char *column);

#endif							/* SOFTDELETE_DDL_TREE_H */
