/*-------------------------------------------------------------------------
 *
 * softdelete.h
 *		The one header of softdelete: a block per .c file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_H
#define SOFTDELETE_H

#include "postgres.h"

#include "access/attnum.h"
#include "catalog/pg_attribute.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "utils/relcache.h"
#include "datatype/timestamp.h"

#include "compat.h"

/* ---------------------------------------------------------------------
 * softdelete.c: settings, hook installation, bypass state
 * ---------------------------------------------------------------------
 */
extern bool sd_include_deleted;
extern bool sd_hard_delete;

/*
 * Depth of the internal bypasses: statements softdelete itself runs or lets
 * through unfiltered (ALTER TABLE's foreign-key validation, pg_dump's cursor).
 */
extern int	sd_bypass_depth;

/*
 * Set by restore and purge just before they run their own statement: the
 * planner hook takes it at its next call and leaves that statement's target
 * table unfiltered (and, for purge, not turned into an UPDATE).
 */
typedef enum SdExempt
{
	SD_EXEMPT_NONE = 0,
	SD_EXEMPT_FILTER,			/* restore: see deleted rows of the target */
	SD_EXEMPT_FILTER_AND_DELETE /* purge: and delete them physically */
} SdExempt;
extern SdExempt sd_exempt_next;

/* Physical deletes softdelete itself asked for (purge). */
extern int	sd_erasing_depth;

extern PlannedStmt *sd_call_prev_planner(SD_PLANNER_PARAMS);

/* ---------------------------------------------------------------------
 * catalog.c: which tables are enabled; the cache and its invalidation
 * ---------------------------------------------------------------------
 */
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
	Oid			flag_type;
	int32		flag_typmod;
	Oid			archive;
	bool		versions;
} SdTable;

/* Bumped at every reload of the cache: dependent caches compare it. */
extern uint64 sd_catalog_generation;

extern void sd_catalog_init(void);
extern struct HTAB *sd_oid_hash(const char *name, Size entrysize,
								MemoryContext cxt);
extern bool sd_catalog_any_enabled(void);
extern bool sd_catalog_any_archive(void);
extern bool sd_catalog_any_flag(void);
extern Oid	sd_catalog_archive_of(Oid archive);
extern bool sd_catalog_lookup(Oid relid, SdTable *out);
extern Oid	sd_catalog_registry_relid(bool missing_ok);
extern void sd_catalog_register(Oid relid, SdMode mode, const char *column_name,
								Oid archive, bool versions);
extern void sd_catalog_unregister(Oid relid);
extern void sd_catalog_rename_column(Oid relid, const char *newname);
extern void sd_catalog_invalidate(Oid relid);

/* ---------------------------------------------------------------------
 * visibility.c: the query walk that places the filter (planner hook)
 * ---------------------------------------------------------------------
 */
extern PlannedStmt *sd_planner(SD_PLANNER_PARAMS);
extern bool sd_needs_fmgr_hook(Oid fn_oid);
extern void sd_visibility_init(void);
extern Node *sd_filter_qual(Index rtindex, const SdTable *t);
extern void sd_require_flag_column(const SdTable *t);

/* ---------------------------------------------------------------------
 * redirect.c: DELETE -> soft delete; the guard against physical deletes
 * ---------------------------------------------------------------------
 */
extern Node *sd_now_expr(Oid flag_type);
extern TimestampTz sd_round_stamp(TimestampTz ts, int32 typmod);
extern void sd_stamp_window(TimestampTz stamp, int32 typmod, TimestampTz *lo,
							TimestampTz *hi);
extern void sd_redirect_delete(Query *query, const SdTable *t, bool filtered);
extern void sd_redirect_merge(Query *query, const SdTable *t, bool filtered);
#define SD_MERGE_DELETE "softdelete: DELETE action"
extern void sd_check_truncate(List *relids);
extern Oid	sd_check_alter_table(AlterTableStmt *stmt);
extern Oid	sd_guard_function_oid(void);
typedef enum SdChecks
{
	SD_CHECKS_ALL,
	SD_CHECKS_FLAG,				/* those that read the flag column */
	SD_CHECKS_VALID				/* those validated (not NOT VALID) */
} SdChecks;
struct ExprState;
extern struct ExprState **sd_prepare_checks(struct ResultRelInfo *rri,
											struct EState *estate,
											SdChecks which, AttrNumber flag);
struct QueryDesc;
extern void sd_redirect_executor_start(struct QueryDesc *qd, int eflags);

/* ---------------------------------------------------------------------
 * archive.c: archive tables, versions, schema sync
 * ---------------------------------------------------------------------
 */
#define SD_META_COLUMNS 5
#define SD_ARCHIVE_TRIGGER "softdelete_archive"
#define SD_VALID_FROM "valid_from"

typedef struct SdSchemaSnapshot SdSchemaSnapshot;

struct QueryDesc;
extern void sd_archive_executor_start(struct QueryDesc *qd, int eflags);
extern void sd_archive_executor_finish(struct QueryDesc *qd);
extern void sd_archive_executor_end(struct QueryDesc *qd);
extern bool sd_archive_reserved_name(const char *name);
extern bool sd_archive_looks_like_archive(Oid archive);
struct ResultRelInfo;
struct EState;
extern Trigger *sd_trigger_append(struct ResultRelInfo *rri, struct EState *estate,
								  const char *name, int16 tgtype);
extern void sd_trigger_remove(struct ResultRelInfo *rri, struct EState *estate,
							  const char *name);
struct ModifyTableState;
typedef void (*SdModifyTableFn) (struct ModifyTableState *mt, void *arg);
extern void sd_foreach_modifytable(struct QueryDesc *qd, SdModifyTableFn fn,
								   void *arg);
extern List *sd_archive_create_sql(Relation rel, const char *qarchive,
								   bool exists);
extern char *sd_archive_index_sql(Relation rel, const char *qarchive);
extern bool sd_archive_restoring;
extern SdSchemaSnapshot *sd_archive_before_utility(Node *parsetree,
												   const char *query_string);
extern char *sd_added_column_value(Oid relid, AttrNumber attnum);
extern void sd_archive_add_column_sql(const char *qarchive, const char *name,
									  const char *type, Oid live, AttrNumber attnum);
extern char *sd_column_type(Form_pg_attribute att);
extern void sd_archive_after_utility(SdSchemaSnapshot *before);

/* ---------------------------------------------------------------------
 * fkeys.c: foreign keys that understand soft delete
 * ---------------------------------------------------------------------
 */
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
extern void sd_fk_check_rule(const SdFk *fk, SdMode parent_mode,
							 bool at_enable);
extern void sd_fk_check_enable(Oid relid, SdMode mode);
extern List *sd_fk_referencing_index(Oid relid, Oid index);
extern void sd_fk_check_archive_delete(Oid relid);
extern void sd_fk_mark_key_updated(Query *query, RangeTblEntry *rte);
struct ResultRelInfo;
struct EState;
extern void sd_fk_lock_result_rel(struct ResultRelInfo *rri,
								  struct EState *estate, const SdTable *t);
extern void sd_fk_after_ddl(Node *parsetree);

/* ---------------------------------------------------------------------
 * functions.c: the SQL-callable functions
 * ---------------------------------------------------------------------
 */
extern char *sd_qualified_name(Oid relid);
extern uint64 sd_restore_archive(Oid relid, const SdTable *t, const char *filter);
extern void sd_spi_exec(const char *sql, int expected);
extern void sd_create_triggers(Oid relid, SdMode mode, bool versions,
							   const char *flag_column);
extern void sd_guard_new_child(Oid child);
extern void sd_refuse_archive_table(Oid relid);
extern void sd_fk_trigger(Oid rel, const char *flag_column, bool create);
extern void sd_fk_ensure_triggers(Oid relid);
#define SD_REF_TRIGGER "softdelete_ref"
extern void sd_ref_ensure_trigger(Oid relid);
extern List *sd_tree_tables(Oid relid, bool own_only);

#endif							/* SOFTDELETE_H */
