/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference softdelete cares about, and
 *		nowhere else.
 *
 * softdelete is built and tested against PostgreSQL 15.  The macros below
 * name the places where later majors differ, so that a port touches this
 * file and not the logic.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_COMPAT_H
#define SOFTDELETE_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "softdelete supports PostgreSQL 15"
#endif

/*
 * Columns an UPDATE assigns: on the RTE up to 15, in Query->rteperminfos
 * from 16 on.
 */
#define SD_MARK_UPDATED_COL(query, rte, attno) \
	((rte)->updatedCols = bms_add_member((rte)->updatedCols, \
						(attno) - FirstLowInvalidHeapAttributeNumber))

/*
 * A relation's entry moves into a subquery (visibility.c): its permissions
 * go with it.  Up to 15 they are fields of the entry itself.
 */
#define SD_MOVE_PERMISSIONS(query, outer, sub, inner) \
	do { \
		(outer)->requiredPerms = 0; \
		(outer)->checkAsUser = InvalidOid; \
		(outer)->selectedCols = NULL; \
		(outer)->insertedCols = NULL; \
		(outer)->updatedCols = NULL; \
		(outer)->extraUpdatedCols = NULL; \
	} while (0)

/* Ownership checks were renamed to object_ownercheck in 16. */
#define SD_TABLE_OWNERCHECK(relid) pg_class_ownercheck((relid), GetUserId())

/*
 * The result relation's prepared CHECK constraints, which core builds on
 * first use (renamed in 18, which also skips NOT ENFORCED constraints and
 * expands virtual generated columns in them).
 */
#define SD_RRI_CHECK_EXPRS(rri) ((rri)->ri_ConstraintExprs)
#define SD_CHECK_ENFORCED(check) true
#define SD_CHECK_EXPR(rel, expr) ((Node *) (expr))

#endif							/* SOFTDELETE_COMPAT_H */
