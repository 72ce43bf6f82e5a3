/* spill_partition: the pieces hash aggregation, hash joins and set
 * operations share when their hash table outgrows the memory limit (Grace
 * partitioning, as in PostgreSQL's hash aggregate and hash join spilling).
 *
 * Rows are routed by the high bits of their 64-bit hash into SPILL_FANOUT
 * spill files (SpillPartitions); each recursion level (depth) uses the next
 * SPILL_FANOUT_BITS bits, while in-memory hash tables index with the low
 * bits, so the rows of one partition still spread over a table's slots.
 * Files are created on first use with small buffers (SPILL_PARTITION_BUFFER
 * each), so 16 open partitions cost 512 KB, and every file is unlinked at
 * creation: closing it, or the process dying, removes it.  A finished
 * partition is read back by a spill scan, an ExecNode the operator puts
 * under a fresh copy of itself (depth + 1) to process that partition.
 *
 * Memory: the partitions' write buffers and one batch of routed row
 * numbers per partition (8 KB each). */
#ifndef KILN_EXEC_SPILL_PARTITION_H
#define KILN_EXEC_SPILL_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/exec.h"
#include "exec/memtable.h"
#include "exec/spill.h"

#define SPILL_FANOUT_BITS 4
#define SPILL_FANOUT (1 << SPILL_FANOUT_BITS)
/* Deepest recursion: past it (16 levels = 64 hash bits, or a single
 * overwhelming key) an operator keeps everything in memory. */
#define SPILL_MAX_DEPTH 12
#define SPILL_PARTITION_BUFFER (32u << 10)

typedef struct SpillPartitions {
    SpillFile *files[SPILL_FANOUT]; /* NULL until a row goes there */
    uint64_t rows[SPILL_FANOUT];
    int depth;
    const char *dir;
    uint32_t *routed;               /* SPILL_FANOUT * VECTOR_CAPACITY row numbers */
} SpillPartitions;

/* The partition of a row with this hash at recursion level depth. */
static inline int spill_partition_of(uint64_t hash, int depth)
{
    return (int)((hash >> (64 - SPILL_FANOUT_BITS * (depth + 1))) & (SPILL_FANOUT - 1));
}

/* The share of the statement's memory_limit one hash table may hold before
 * it spills (half, as the sort's), or UINT64_MAX without a limit. */
uint64_t spill_budget(const ExecContext *ctx);
/* Make an empty set of partitions for recursion level depth. Cannot fail. */
SpillPartitions *spill_partitions_new(const char *dir, int depth);
/* Append rows rows[0..n) of b (physical rows; b has no selection) to the
 * partitions their hashes[row] choose. */
bool spill_partitions_write(SpillPartitions *p, const Batch *b, const uint32_t *rows, uint32_t n,
                            const uint64_t *hashes, Error *err);
/* End writing: rewind every file for reading and add its size to
 * ctx->spilled_bytes. */
bool spill_partitions_finish(SpillPartitions *p, ExecContext *ctx, Error *err);
/* Hand over partition i's file (NULL if it got no rows); the caller owns it. */
SpillFile *spill_partitions_take(SpillPartitions *p, int i);
/* Close every file still held and free p (NULL is fine). */
void spill_partitions_free(SpillPartitions *p);

/* An ExecNode returning the batches of a rewound spill file of ncols
 * columns of the given types (none if file is NULL); it owns the file and
 * closes it. Cannot fail. */
ExecNode *spill_scan_create(SpillFile *file, int ncols, const LogicalType *types, ExecContext *ctx);

/* Bytes a memtable holds, counting the chunks before the last one once
 * (they no longer change): *sealed_bytes and *sealed_chunks carry that
 * between calls (start both at 0), so a call costs one chunk, not all. */
uint64_t spill_memtable_bytes(const MemTable *t, uint64_t *sealed_bytes, int *sealed_chunks);

/* "4.0MB" style text of a byte count, for error messages. Cannot fail. */
void spill_format_size(uint64_t bytes, char *buf, size_t size);

#endif
