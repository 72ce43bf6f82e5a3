/* morsel: splitting a scan's input into pieces that worker threads take one
 * at a time (morsel-driven parallelism).
 *
 * A CSV scan is split into byte ranges of about a given size that start
 * and end exactly on record boundaries: the queue reads each file once,
 * ahead of the workers, tracking quotes (so a newline inside a quoted field
 * never splits a record) and counting lines (so errors keep their line
 * numbers).  A table scan is split into runs of chunks.  An external scan
 * whose provider has ScanMorselOps (scan_provider.h) is split by the
 * provider (Parquet: one row group per morsel).  Morsels are numbered in
 * input order so results can be put back in that order. */
#ifndef KILN_EXEC_MORSEL_H
#define KILN_EXEC_MORSEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "exec/plan.h"

struct ExecContext;

#define MORSEL_TABLE_CHUNKS 8

typedef struct Morsel {
    uint64_t seq;          /* position in input order */
    const char *path;      /* CSV, EXTERNAL: file */
    uint64_t start, end;   /* CSV: byte range; TABLE: chunk range; EXTERNAL: the provider's (Parquet: row groups;
                              JSON: byte range, in the decompressed data for a compressed file) */
    int64_t first_line;    /* CSV, JSON: physical line number of the range's first byte */
    uint64_t bytes;        /* input bytes it covers, for progress */
    void *shared;          /* EXTERNAL: the provider's state shared by its workers (thread-safe), or NULL */
} Morsel;

typedef struct MorselQueue MorselQueue;

/* A queue over the input of a scan plan node (PLAN_CSV_SCAN, PLAN_TABLE_SCAN,
 * or PLAN_EXTERNAL_SCAN whose provider has morsels); ctx is the statement's. */
MorselQueue *morsel_queue_create(const PlanNode *scan, uint64_t csv_morsel_bytes, struct ExecContext *ctx, Error *err);
/* Take the next morsel (thread-safe); *have false at the end. */
bool morsel_queue_next(MorselQueue *q, Morsel *out, bool *have, Error *err);
/* Total input bytes (CSV) for progress. */
uint64_t morsel_queue_total_bytes(const MorselQueue *q);
/* True if the scan's input is big enough to be worth several morsels. */
bool morsel_scan_is_large(const PlanNode *scan, uint64_t csv_morsel_bytes);
/* Free the queue. */
void morsel_queue_free(MorselQueue *q);

#endif
