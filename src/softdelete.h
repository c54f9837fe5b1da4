/*-------------------------------------------------------------------------
 *
 * softdelete.h
 *		The one header of softdelete: a block per .c file, in the order of
 *		the layers, from the ground up.  A file calls only the files of the
 *		blocks above its own (README, Development).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_H
#define SOFTDELETE_H

#include "postgres.h"

#include "access/attnum.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "utils/relcache.h"

#include "compat.h"

struct EState;
struct ExprState;
struct ModifyTableState;
struct QueryDesc;
struct ResultRelInfo;

/* ---------------------------------------------------------------------
 * state.c: settings' values and the internal bypasses
 * ---------------------------------------------------------------------
 */
/* softdelete.include_deleted: which rows queries see */
typedef enum SdInclude
{
	SD_INCLUDE_OFF = 0,			/* live rows (the filter) */
	SD_INCLUDE_ON,				/* every row (no filter) */
	SD_INCLUDE_ONLY				/* deleted rows only (the filter negated) */
} SdInclude;
extern uint64 sd_who_why_version;
extern void sd_assign_who_why(const char *newval, void *extra);
extern int	sd_include_deleted;
extern char *sd_as_of_string;

/*
 * Where a setting's value was set: at top level, or inside a security
 * boundary (a SECURITY DEFINER function, a restricted operation) as userid.
 * Carried by the value itself (its GUC extra), so that core's own undoing
 * of SET LOCAL and of a function's SET clause brings the origin back too.
 */
typedef struct SdOrigin
{
	Oid			userid;
	bool		boundary;
} SdOrigin;
extern char *sd_actor;
extern char *sd_actor_now(void);
extern char *sd_reason;
extern char *sd_reason_now(void);
extern bool sd_undoing;
extern SdOrigin sd_include_origin;
extern SdOrigin sd_hard_delete_origin;
extern SdOrigin sd_as_of_origin;
extern bool sd_in_boundary(SdOrigin *where);
extern SdOrigin sd_origin_here(void);
extern SdInclude sd_include_now(void);
extern bool sd_hard_delete_now(void);
extern bool sd_as_of_now(TimestampTz *ts);
extern char *sd_retention_databases;
extern int	sd_retention_interval;
extern bool sd_as_of_set;
extern TimestampTz sd_as_of;
extern void sd_as_of_refuse(const char *what);
extern bool sd_hard_delete;

/*
 * Depth of the internal bypasses: statements softdelete itself runs or lets
 * through unfiltered (ALTER TABLE's foreign-key validation, pg_dump's cursor).
 */
extern int	sd_bypass_depth;

/*
 * Depth of the statements that read every row as include_deleted = on
 * does, grants checked (pg_dump --inserts' cursor).
 */
extern int	sd_reads_all_depth;

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
extern Oid	sd_exempt_relid;
extern void sd_exempt(SdExempt what, Oid relid);
extern int	sd_cascade_stamp_param;
extern Oid	sd_cascade_stamp_type;

/* Physical deletes softdelete itself asked for (purge). */
extern int	sd_erasing_depth;

/* restore's statement is next (archive.c, archive_restore.c) */
extern bool sd_archive_restoring;

/* ---------------------------------------------------------------------
 * sql.c: SQL text and SPI
 * ---------------------------------------------------------------------
 */
extern char *sd_qualified_name(Oid relid);
extern char *sd_table_literal(Oid relid);
extern Node *sd_actor_expr(Oid typid, int32 typmod);
extern Expr *sd_counted_stamp(Expr *stamp, Oid root);
extern Oid	sd_ref_needed_oid(void);
extern void sd_spi_exec(const char *sql, int expected);

/* ---------------------------------------------------------------------
 * statement.c: what softdelete changes in a started statement
 * ---------------------------------------------------------------------
 */
extern Trigger *sd_trigger_append(struct ResultRelInfo *rri, struct EState *estate,
								  const char *name, int16 tgtype);
extern void sd_trigger_remove(struct ResultRelInfo *rri, struct EState *estate,
							  const char *name);
extern Oid	sd_guard_function_oid(void);
typedef enum SdChecks
{
	SD_CHECKS_ALL,
	SD_CHECKS_FLAG,				/* those that read the flag column */
	SD_CHECKS_VALID				/* those validated (not NOT VALID) */
} SdChecks;
extern struct ExprState **sd_prepare_checks(struct ResultRelInfo *rri,
											struct EState *estate,
											SdChecks which, AttrNumber flag);
typedef void (*SdModifyTableFn) (struct ModifyTableState *mt, void *arg);
extern void sd_foreach_modifytable(struct QueryDesc *qd, SdModifyTableFn fn,
								   void *arg);

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
extern void sd_catalog_link_archive(Oid live, Oid archive, bool link);
extern void sd_catalog_register(Oid relid, SdMode mode, const char *column_name,
								Oid archive, bool versions);
extern void sd_catalog_unregister(Oid relid);
extern bool sd_catalog_set_deleted_by(Oid relid, const char *column);
extern bool sd_catalog_live_indexes(Oid relid, List **rebuilt, List **deleted);
extern bool sd_catalog_set_live_indexes(Oid relid, List *rebuilt,
										List *deleted);
extern void sd_catalog_rename_column(Oid relid, const char *newname);
extern bool sd_catalog_set_retention(Oid relid, Datum keep, bool isnull);
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

/* ---------------------------------------------------------------------
 * access.c: grants of deleted rows and erasure (softdelete.access)
 * ---------------------------------------------------------------------
 */
typedef enum SdAccess
{
	SD_ACCESS_READ_DELETED = 0, /* include_deleted, as_of, restore */
	SD_ACCESS_ERASE				/* hard_delete, purge, TRUNCATE */
} SdAccess;
extern void sd_access_init(void);
extern Oid	sd_access_relid(void);
extern Oid	sd_rel_owner(Oid relid);
extern bool sd_access_allowed(Oid root, SdAccess what, Oid user);
extern void sd_access_require(Oid root, Oid relid, SdAccess what, Oid user);
extern void sd_access_require_erase_row(Relation rel);
extern void sd_access_forget(Oid relid);
extern char *sd_access_of_role(Oid role, bool forget);

/* ---------------------------------------------------------------------
 * deletions.c: which transaction deleted what, who and why (1.7)
 * ---------------------------------------------------------------------
 */
#define SD_DELETIONS_NATTS		8
#define SD_DELETIONS_XID		1
#define SD_DELETIONS_RELID		2
#define SD_DELETIONS_SUBXIDS	3
#define SD_DELETIONS_ROWS		4
#define SD_DELETIONS_ACTOR		5
#define SD_DELETIONS_REASON		6
#define SD_DELETIONS_AT			7
#define SD_DELETIONS_ARRIVED	8
extern void sd_deletions_init(void);
extern void sd_deletions_note(Oid root, int64 n);
extern Oid	sd_deletions_relid(Oid *index);
extern void sd_deletions_forget(List *relids);

/* ---------------------------------------------------------------------
 * stamp.c: what a soft delete writes, and what a stamp stands for
 * ---------------------------------------------------------------------
 */
#define SD_FLAG_IS_BOOL(t) ((t)->flag_type == BOOLOID)
extern bool sd_flag_type_ok(Oid typid);
extern Node *sd_flag_qual(Index rti, const SdTable *t, bool deleted);
extern bool sd_flag_qual_matches(Node *clause, Index rti, const SdTable *t,
								 bool deleted);
extern char *sd_flag_sql(const char *col, const SdTable *t, bool deleted);
extern const char *sd_flag_live_value(const SdTable *t);
extern bool sd_flag_deleted(HeapTuple tup, TupleDesc desc, const SdTable *t);
extern Node *sd_now_expr(Oid flag_type);
extern Expr *sd_stamp_expr(Index rti, const SdTable *t, bool filtered);
extern TimestampTz sd_round_stamp(TimestampTz ts, int32 typmod);
extern void sd_stamp_window(TimestampTz stamp, int32 typmod, TimestampTz *lo,
							TimestampTz *hi);
extern Node *sd_flag_qual_as_of(Index rti, const SdTable *t, bool deleted,
								TimestampTz ts);
extern Expr *sd_flag_value_as_of(Index rti, const SdTable *t, TimestampTz ts);

/* ---------------------------------------------------------------------
 * indexes.c: live indexes, over a flag-mode table's live rows (1.8)
 * ---------------------------------------------------------------------
 */
extern bool sd_live_indexes_build(Oid relid, const char *colname);
extern void sd_live_indexes_give_back(Oid relid, const char *colname);
extern void sd_pack(Oid relid, const SdTable *t);

/* ---------------------------------------------------------------------
 * keys.c: a table's foreign keys (cached), their rules, unique keys
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
extern List *sd_fk_referencing_index(Oid relid, Oid index);
extern void sd_fk_check_rule(const SdFk *fk, SdMode parent_mode,
							 bool at_enable);
extern void sd_fk_check_enable(Oid relid, SdMode mode);
extern void sd_fk_check_archive_delete(Oid relid);
extern void sd_unique_keys(Oid relid, const char *colname, bool replace);

/* ---------------------------------------------------------------------
 * triggers.c: the triggers softdelete places on a table tree
 * ---------------------------------------------------------------------
 */
#define SD_ARCHIVE_TRIGGER "softdelete_archive"
#define SD_REF_TRIGGER "softdelete_ref"
extern List *sd_tree_tables(Oid relid, bool own_only);
extern void sd_refresh_truncate_guards(Oid relid);
extern void sd_create_triggers(Oid relid, SdMode mode, bool versions,
							   const char *flag_column, const char *archive);
extern void sd_drop_triggers(Oid relid, SdMode mode);
extern void sd_fk_trigger(Oid rel, const char *flag_column, bool create);
extern void sd_fk_ensure_triggers(Oid relid);
extern void sd_ref_ensure_trigger(Oid relid, bool may_drop);

/* ---------------------------------------------------------------------
 * archive_schema.c: an archive table's shape, and schema changes
 * ---------------------------------------------------------------------
 */
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

/* ---------------------------------------------------------------------
 * archive.c: rows into the archive (the executor's sinks)
 * ---------------------------------------------------------------------
 */
extern void sd_archive_executor_start(struct QueryDesc *qd, int eflags);
extern void sd_archive_executor_finish(struct QueryDesc *qd);
extern void sd_archive_executor_end(struct QueryDesc *qd);

/* ---------------------------------------------------------------------
 * archive_restore.c: rows back out of the archive
 * ---------------------------------------------------------------------
 */
extern uint64 sd_restore_archive(Oid relid, const SdTable *t, const char *filter);

/* ---------------------------------------------------------------------
 * fkeys.c: foreign keys that understand soft delete
 * ---------------------------------------------------------------------
 */
extern void sd_fk_mark_key_updated(Query *query, RangeTblEntry *rte);
extern void sd_fk_require_ref_trigger(Oid relid);
extern void sd_fk_relax_key_checks(struct ResultRelInfo *rri,
								   struct EState *estate, const SdTable *t);
extern void sd_fk_lock_result_rel(struct ResultRelInfo *rri,
								  struct EState *estate, const SdTable *t);

/* ---------------------------------------------------------------------
 * redirect.c: DELETE into a soft delete; the guard against physical ones
 * ---------------------------------------------------------------------
 */
#define SD_MERGE_DELETE "softdelete: DELETE action"
extern void sd_stamp_actor_of_update(Query *query, const SdTable *t);
extern void sd_redirect_delete(Query *query, const SdTable *t, bool filtered);
extern void sd_redirect_merge(Query *query, const SdTable *t, bool filtered);
extern void sd_check_truncate(List *relids, bool hard);
extern void sd_redirect_executor_start(struct QueryDesc *qd, int eflags);

/* ---------------------------------------------------------------------
 * visibility.c: where the filter goes (the planner hook's walk)
 * ---------------------------------------------------------------------
 */
extern bool sd_names_no_enabled_table(Query *parse);
extern bool sd_visibility_rewrite(Query *parse, bool *depends_on_role);

/* ---------------------------------------------------------------------
 * inlining.c: SQL functions the planner would inline
 * ---------------------------------------------------------------------
 */
extern void sd_inlining_init(void);
extern bool sd_needs_fmgr_hook(Oid fn_oid);

/* ---------------------------------------------------------------------
 * ddl.c: what DDL does to enabled tables
 * ---------------------------------------------------------------------
 */

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
extern void sd_refuse_archive_table(Oid relid);
extern void sd_check_foreign_tables(Oid root, Oid tree, SdMode mode,
									const char *column);
extern void sd_refuse_citus(Oid relid, char kind, const char *what,
							const char *why);

/* ---------------------------------------------------------------------
 * retention.c: the background worker that purges by retention
 * ---------------------------------------------------------------------
 */
extern void sd_retention_register(void);

/* ---------------------------------------------------------------------
 * functions.c: the SQL-callable functions (the API)
 * ---------------------------------------------------------------------
 */
extern void sd_restore_require(Oid relid, const SdTable *t);

/* ---------------------------------------------------------------------
 * undo.c: softdelete.undo() and softdelete.trash (1.7)
 * ---------------------------------------------------------------------
 */

/* ---------------------------------------------------------------------
 * softdelete.c: _PG_init, settings, hook entry points
 * ---------------------------------------------------------------------
 */

#endif							/* SOFTDELETE_H */
