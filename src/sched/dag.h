/* dag: the job graph of a project, built from each job's depends_on.
 *
 * dag_build checks that the graph has no cycle (a cycle is reported with its
 * path, "dependency cycle: a -> b -> c -> a") and computes a topological
 * order that keeps the file's order among jobs that do not depend on each
 * other (Kahn's algorithm taking the smallest ready index each time).
 * Selections (a set of jobs, plus their upstream or downstream closure) are
 * bool arrays indexed like project->jobs.
 *
 * Memory: a few int arrays of njobs + nedges entries, freed by dag_free. */
#ifndef KILN_SCHED_DAG_H
#define KILN_SCHED_DAG_H

#include <stdbool.h>

#include "common/error.h"
#include "sched/project.h"

typedef struct Dag {
    int njobs;
    int *order;          /* job indexes in topological order */
    int *up_start;       /* upstream of job i: up[up_start[i] .. up_start[i+1]) */
    int *up;
    int *down_start;     /* downstream of job i: down[down_start[i] .. down_start[i+1]) */
    int *down;
} Dag;

/* Build the graph of p's jobs. ERR_USAGE naming the cycle when there is one.
 * dag is safe to dag_free either way. */
bool dag_build(const Project *p, Dag *dag, Error *err);
/* Add to selected every job upstream of an already selected job. */
void dag_add_upstream(const Dag *dag, bool *selected);
/* Add to selected every job downstream of an already selected job. */
void dag_add_downstream(const Dag *dag, bool *selected);
/* Free the arrays. */
void dag_free(Dag *dag);

#endif
