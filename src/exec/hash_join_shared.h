/* hash_join_shared: the hash table of a join built once and probed by all
 * the workers of a GATHER (a shared build: PlanNode.join_shared_build).
 * The gather builds one table per such join of its subtree before it starts
 * its workers and hands them over in the workers' ExecContext.shared_joins;
 * op_hash_join there probes the table read-only instead of building its
 * own.  The table counts in the statement's memory total (memory_hold.h)
 * until the gather frees it. */
#ifndef KILN_EXEC_HASH_JOIN_SHARED_H
#define KILN_EXEC_HASH_JOIN_SHARED_H

#include "exec/exec.h"

typedef struct JoinTable JoinTable;

/* The shared tables of one gather: tables[i] belongs to the join plans[i]. */
typedef struct SharedJoinTables {
    int n;
    const PlanNode **plans;
    JoinTable **tables;
} SharedJoinTables;

/* Read the right input of join (built with ctx, the statement's; it may be a
 * parallel scan itself) into an indexed table.  *out = NULL (and true) when
 * it outgrows the join's memory budget: the caller then runs the join
 * serially, where it spills (Grace). */
bool shared_join_table_build(const PlanNode *join, ExecContext *ctx, JoinTable **out, Error *err);
/* The table built for join, or NULL (tables may be NULL). */
JoinTable *shared_join_table_find(const SharedJoinTables *tables, const PlanNode *join);
/* If node is a GATHER whose last next() returned one of the chunks its
 * workers collected, move that chunk's rows into t (its buffers taken over,
 * or copied when memtable_absorb declines) and return true; false: the
 * batch is not the gather's to give, and the caller copies it. */
bool gather_absorb_returned(ExecNode *node, MemTable *t);
/* Free a table built with ctx (NULL is fine). */
void shared_join_table_free(JoinTable *t, ExecContext *ctx);

#endif
