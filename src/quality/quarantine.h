/* quarantine: the rows a table's contract turned away, kept with the reason.
 *
 * A quarantine is a table with one VARCHAR column per column of the guarded
 * table (each value as text: a value that did not convert is kept exactly
 * as it came), then:
 *   _rules          every rule the row broke, comma-separated, in the
 *                   contract's order (type(c), not_null(c), t_c_check ...)
 *   _error          the message of the first broken rule
 *   _source_file    file the row was read from (CSV scans), else NULL
 *   _source_line    1-based physical line in that file, else NULL
 *   _source_row     1-based row number in the statement's input
 *   _job, _run_id, _logical_date   who inserted it (NULL when ad hoc)
 *   _quarantined_at local time the statement ran (timestamp)
 * Rows are appended one at a time into a batch and moved into a MemTable
 * when it is full.  A statement fills its own Quarantine and moves it into
 * the table's (quarantine_move) only when it succeeds.
 * Memory: the rows (as text) in the MemTable plus one batch. */
#ifndef KILN_QUALITY_QUARANTINE_H
#define KILN_QUALITY_QUARANTINE_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memtable.h"

#define QUARANTINE_META_COLS 10

typedef struct Quarantine {
    int ncols;          /* the guarded table's columns */
    char **names;       /* ncols + QUARANTINE_META_COLS */
    LogicalType *types;
    MemTable rows;
    Batch pending;
} Quarantine;

/* One row to quarantine; pointers are borrowed for the call. */
typedef struct QuarantineEntry {
    const char *const *values;  /* ncols texts; NULL = SQL NULL */
    const uint32_t *lens;       /* their lengths */
    const char *rules;
    const char *error;
    const char *source_file;    /* NULL if unknown */
    int64_t source_line;        /* 0 if unknown */
    int64_t source_row;
    const char *job, *run_id, *logical_date; /* NULL if none */
    int64_t at_micros;          /* timestamp: microseconds since 1970-01-01 */
} QuarantineEntry;

/* An empty quarantine for a table with these column names (copied). */
void quarantine_init(Quarantine *q, int ncols, char *const *col_names);
/* Free everything. */
void quarantine_destroy(Quarantine *q);
/* Append one row. */
void quarantine_add(Quarantine *q, const QuarantineEntry *e);
/* Move every row of src (same columns) to the end of dst; src is emptied. */
void quarantine_move(Quarantine *dst, Quarantine *src);
/* Rows held (pending ones included). */
uint64_t quarantine_rows(const Quarantine *q);
/* The rows as a MemTable (pending rows flushed first). */
const MemTable *quarantine_table(Quarantine *q);
/* Local wall-clock time now in microseconds since 1970-01-01 (for at_micros). */
int64_t quarantine_now_micros(void);

#endif
