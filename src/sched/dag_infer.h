/* dag_infer: dependencies between jobs inferred from the datasets they
 * write and read.
 *
 * Each job's SQL file is parsed with libpg_query (placeholders {{ name }}
 * replaced first by a marker value, so a path built from a parameter is
 * never taken for a literal one) and its parse tree searched for:
 *   writes  COPY ... TO 'lake:<name>'; COPY ... TO '<dir>' WITH (PARTITION_BY
 *           (...) or MODE ...); COPY ... TO 'warehouse:<table>'
 *   reads   lake.<name>; read_parquet / read_csv / read_json / read_ndjson
 *           ('<path>' or ARRAY['<path>', ...]); COPY ... FROM '<path>';
 *           read_sqlite('<file>', '<table>') on the project's SQLite
 *           warehouse file and read_postgres('<url>', '<table>') on its
 *           PostgreSQL warehouse URL
 * Only literal strings count: anything computed is not inferred.  Paths are
 * compared after normalising (./ and // removed, relative to the project
 * folder, where jobs run); a path under the lake root is the dataset
 * lake:<name>.  A read of P depends on a write of D when P is D or lies
 * inside it (lake/orders/dt=2026-11-24/x.parquet reads lake:orders).
 * Job B depends on job A when B reads what A writes (A != B).  A job whose
 * file cannot be read or parsed gets no inferred edges (it fails when run).
 *
 * Memory: every string and array in the caller's arena. */
#ifndef KILN_SCHED_DAG_INFER_H
#define KILN_SCHED_DAG_INFER_H

#include <stdbool.h>

#include "common/arena.h"
#include "sched/project.h"

/* One inferred dependency: job `down` reads `dataset` that job `up` writes. */
typedef struct InferredEdge {
    int up, down;
    const char *dataset; /* lake:orders, warehouse:daily_revenue, or a path */
} InferredEdge;

/* The datasets a job's SQL text writes and reads (deduplicated), named as
 * above; lake and warehouse are the project's settings. */
void dag_infer_datasets(const char *sql, const char *lake, const char *warehouse, Arena *arena, const char ***writes,
                        int *nwrites, const char ***reads, int *nreads);
/* The inferred edges of p (one per (up, down) pair, the first dataset
 * found), excluding pairs already in depends_on. */
void dag_infer_edges(const Project *p, Arena *arena, InferredEdge **edges, int *nedges);

#endif
