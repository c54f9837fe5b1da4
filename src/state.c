/*-------------------------------------------------------------------------
 *
 * state.c
 *		The per-backend state every layer reads: the settings' values (their
 *		definitions are in softdelete.c) and the internal bypasses.
 *
 * Ground floor: calls nothing of softdelete's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "softdelete.h"

/* Settings (softdelete.c defines them) */
int			sd_include_deleted = SD_INCLUDE_OFF;
bool		sd_hard_delete = false;

/*
 * Depth of the internal bypasses: statements softdelete itself runs or lets
 * through unfiltered (ALTER TABLE's foreign-key validation, pg_dump's cursor).
 */
int			sd_bypass_depth = 0;

/* What restore and purge asked of the next statement planned (softdelete.h). */
SdExempt	sd_exempt_next = SD_EXEMPT_NONE;

/* Physical deletes softdelete itself asked for (purge). */
int			sd_erasing_depth = 0;

/*
 * Set by restore just before it runs its statement; the next ExecutorStart
 * takes it (triggers of that statement run statements of their own).
 */
bool		sd_archive_restoring = false;
