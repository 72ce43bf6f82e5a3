/* memtable: rows kept in memory as a list of full batches (a temporary table,
 * a materialised result, the input of a sort).  Appends deep-copy, so a
 * memtable never points into its producers' buffers. */
#ifndef KILN_EXEC_MEMTABLE_H
#define KILN_EXEC_MEMTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "types/batch.h"

typedef struct MemTable {
    int ncols;
    LogicalType *types;
    Batch *chunks;   /* each up to VECTOR_CAPACITY rows; all but the last full,
                        unless chunks were taken over (memtable_absorb) */
    int nchunks;
    int cap_chunks;
    uint64_t nrows;
} MemTable;

/* Initialise an empty memtable with the given column types (copied). */
void memtable_init(MemTable *t, int ncols, const LogicalType *types);
/* Free all rows and the memtable's buffers. */
void memtable_destroy(MemTable *t);
/* Append the logical rows of b (same column types). */
void memtable_append(MemTable *t, const Batch *b);
/* Append the rows of chunk, a chunk of another memtable (t's column types,
 * no selection), taking its buffers over instead of copying when that
 * leaves little room unused: true = taken (chunk is left empty, its
 * destroy a no-op), false = copied (chunk unchanged).  After a take-over
 * t's chunks may be partly filled: address rows by (chunk, slot). */
bool memtable_absorb(MemTable *t, Batch *chunk);
/* Approximate bytes held (vector buffers and string heaps). */
uint64_t memtable_bytes(const MemTable *t);
/* Drop every row, keep the schema. */
void memtable_clear(MemTable *t);

#endif
