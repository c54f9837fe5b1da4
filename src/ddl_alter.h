/*-------------------------------------------------------------------------
 *
 * ddl_alter.h
 *		ddl_alter.c: ALTER TABLE on an enabled table
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_DDL_ALTER_H
#define SOFTDELETE_DDL_ALTER_H

#include "nodes/parsenodes.h"

extern Oid	sd_check_alter_table(AlterTableStmt *stmt);
extern bool sd_alter_drops_constraint(Node *parsetree);
extern bool sd_alter_validates_fkeys(AlterTableStmt *stmt);
extern void sd_retype_flag(Oid relid, bool after);

#endif							/* SOFTDELETE_DDL_ALTER_H */
