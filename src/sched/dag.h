/* dag: the job graph of a project, built from each job's depends_on and,
 * unless the project says infer_dependencies: false, the dependencies
 * inferred from the datasets the jobs write and read (dag_infer.h).
 *
 * dag_build checks that the graph has no cycle (a cycle is reported with its
 * path, "dependency cycle: a -> b -> c -> a", naming the datasets of
 * inferred edges on it) and computes a topological
 * order that keeps the file's order among jobs that do not depend on each
 * other (Kahn's algorithm taking the smallest ready index each time).
 * Selections (a set of jobs, plus their upstream or downstream closure) are
 * bool arrays indexed like project->jobs.
 *
 * Memory: a few int arrays of njobs + nedges entries and an arena for the
 * inferred edges' dataset names, freed by dag_free. */
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
    const char **up_via; /* per up[] entry: the dataset of an inferred edge, NULL for depends_on */
    Arena arena;         /* the dataset names */
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
