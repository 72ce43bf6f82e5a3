/* rejects: records that a reader could not read (malformed CSV: bad
 * quoting, wrong field count, a value that does not parse as its column's
 * type), kept instead of stopping the statement, under a name
 * (read_csv(..., on_error => 'quarantine', rejects => 'name')).
 *
 * A rejects set is a table of
 *   _source_file, _source_line (bigint, 1-based physical line where the
 *   record starts), _byte_offset (bigint, of the record's first byte in
 *   the file, or in the decompressed data), _error (the reader's message),
 *   _raw (the record's bytes as they were, line break excluded, at most
 *   REJECTS_RAW_MAX bytes), _job, _run_id, _logical_date, _rejected_at.
 * Readers add records from any thread (rejects_add locks); they wait as
 * pending records until the statement ends: rejects_end_statement then
 * sorts them by file, line (so parallel scans give the same order as
 * serial ones) and appends them, or drops them if the statement failed.
 * Memory: pending records (their strings), then the committed MemTable. */
#ifndef KILN_QUALITY_REJECTS_H
#define KILN_QUALITY_REJECTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/memtable.h"

#define REJECTS_COLS 9
#define REJECTS_RAW_MAX (64u << 10)

typedef struct RejectRecord {
    char *file;
    int64_t line;
    uint64_t offset;
    char *error;
    char *raw;
    uint32_t raw_len;
} RejectRecord;

typedef struct RejectsStore {
    char *name;
    pthread_mutex_t lock;
    RejectRecord *pending;
    size_t npending, cap_pending;
    MemTable rows;
} RejectsStore;

/* A new, empty rejects set (name copied). */
RejectsStore *rejects_new(const char *name);
/* Free a rejects set (NULL is fine). */
void rejects_free(RejectsStore *s);
/* Add a rejected record (thread-safe; strings copied, raw truncated). */
void rejects_add(RejectsStore *s, const char *file, int64_t line, uint64_t offset, const char *error, const char *raw,
                 size_t raw_len);
/* The statement ended: keep (commit) or drop the pending records. */
void rejects_end_statement(RejectsStore *s, bool commit, const char *job, const char *run_id, const char *logical_date,
                           int64_t at_micros);
/* Pending records (of the running statement). */
size_t rejects_pending(RejectsStore *s);
/* The committed records. */
const MemTable *rejects_table(const RejectsStore *s);
/* Column names and types of a rejects table. */
const char *const *rejects_column_names(void);
LogicalType rejects_column_type(int i);

#endif
