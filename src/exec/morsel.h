/* morsel: splitting a scan's input into pieces that worker threads take one
 * at a time (morsel-driven parallelism).
 *
 * A CSV scan is split into byte ranges of about a given size that start
 * and end exactly on record boundaries: the queue reads each file once,
 * ahead of the workers, tracking quotes (so a newline inside a quoted field
 * never splits a record) and counting lines (so errors keep their line
 * numbers).  A table scan is split into runs of chunks.  Morsels are
 * numbered in input order so results can be put back in that order. */
#ifndef KILN_EXEC_MORSEL_H
#define KILN_EXEC_MORSEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "exec/plan.h"

#define MORSEL_TABLE_CHUNKS 8

typedef struct Morsel {
    uint64_t seq;          /* position in input order */
    const char *path;      /* CSV: file */
    uint64_t start, end;   /* CSV: byte range; TABLE: chunk range */
    int64_t first_line;    /* CSV: physical line number of the range's first byte */
} Morsel;

typedef struct MorselQueue MorselQueue;

/* A queue over the input of a scan plan node (PLAN_CSV_SCAN or PLAN_TABLE_SCAN). */
MorselQueue *morsel_queue_create(const PlanNode *scan, uint64_t csv_morsel_bytes, Error *err);
/* Take the next morsel (thread-safe); *have false at the end. */
bool morsel_queue_next(MorselQueue *q, Morsel *out, bool *have, Error *err);
/* Total input bytes (CSV) for progress. */
uint64_t morsel_queue_total_bytes(const MorselQueue *q);
/* True if the scan's input is big enough to be worth several morsels. */
bool morsel_scan_is_large(const PlanNode *scan, uint64_t csv_morsel_bytes);
/* Free the queue. */
void morsel_queue_free(MorselQueue *q);

#endif
