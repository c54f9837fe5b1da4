/*-------------------------------------------------------------------------
 *
 * visibility.h
 *		visibility.c: where the filter goes (the planner hook's walk)
 *
 *-------------------------------------------------------------------------
 */
#ifndef SOFTDELETE_VISIBILITY_H
#define SOFTDELETE_VISIBILITY_H

#include "nodes/parsenodes.h"

extern bool sd_names_no_enabled_table(Query *parse);
extern bool sd_visibility_rewrite(Query *parse, bool *depends_on_role);

#endif							/* SOFTDELETE_VISIBILITY_H */
