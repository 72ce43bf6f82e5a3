/* spill_partition: hash partitions in spill files and the scan that reads
 * one back (see spill_partition.h). */
#include "exec/spill_partition.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"

uint64_t spill_budget(const ExecContext *ctx)
{
    return ctx->memory_limit > 0 ? (uint64_t)ctx->memory_limit / 2 : UINT64_MAX;
}

SpillPartitions *spill_partitions_new(const char *dir, int depth)
{
    SpillPartitions *p = mem_calloc(1, sizeof *p);
    p->dir = dir;
    p->depth = depth;
    p->routed = mem_alloc(sizeof(uint32_t) * SPILL_FANOUT * VECTOR_CAPACITY);
    return p;
}

bool spill_partitions_write(SpillPartitions *p, const Batch *b, const uint32_t *rows, uint32_t n,
                            const uint64_t *hashes, Error *err)
{
    uint32_t counts[SPILL_FANOUT] = {0};
    for (uint32_t i = 0; i < n; i++) {
        int part = spill_partition_of(hashes[rows[i]], p->depth);
        p->routed[part * VECTOR_CAPACITY + counts[part]++] = rows[i];
    }
    for (int part = 0; part < SPILL_FANOUT; part++) {
        if (counts[part] == 0) continue;
        if (p->files[part] == NULL) {
            p->files[part] = spill_create_buffered(p->dir, SPILL_PARTITION_BUFFER, err);
            if (p->files[part] == NULL) return false;
        }
        Batch view = *b;
        view.count = counts[part];
        view.sel = &p->routed[part * VECTOR_CAPACITY];
        if (!spill_write(p->files[part], &view, err)) return false;
        p->rows[part] += counts[part];
    }
    return true;
}

bool spill_partitions_finish(SpillPartitions *p, ExecContext *ctx, Error *err)
{
    for (int part = 0; part < SPILL_FANOUT; part++) {
        if (p->files[part] == NULL) continue;
        if (!spill_rewind(p->files[part], err)) return false;
        __atomic_add_fetch(&ctx->spilled_bytes, spill_bytes(p->files[part]), __ATOMIC_RELAXED);
    }
    return true;
}

SpillFile *spill_partitions_take(SpillPartitions *p, int i)
{
    SpillFile *f = p->files[i];
    p->files[i] = NULL;
    return f;
}

void spill_partitions_free(SpillPartitions *p)
{
    if (p == NULL) return;
    for (int part = 0; part < SPILL_FANOUT; part++) spill_close(p->files[part]);
    mem_free(p->routed);
    mem_free(p);
}

/* ---- the scan of one partition ---- */

typedef struct SpillScanState {
    ExecNode base;
    SpillFile *file;
    Batch batch;
} SpillScanState;

static bool spill_scan_next(ExecNode *node, Batch **out, Error *err)
{
    SpillScanState *s = (SpillScanState *)node;
    if (s->file == NULL) {
        s->batch.count = 0;
    } else if (!spill_read(s->file, &s->batch, err)) {
        return false;
    }
    *out = &s->batch;
    return true;
}

static void spill_scan_close(ExecNode *node)
{
    SpillScanState *s = (SpillScanState *)node;
    spill_close(s->file);
    batch_destroy(&s->batch);
    mem_free(s);
}

static const ExecNodeOps spill_scan_ops = {spill_scan_next, spill_scan_close};

ExecNode *spill_scan_create(SpillFile *file, int ncols, const LogicalType *types, ExecContext *ctx)
{
    SpillScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &spill_scan_ops;
    s->base.ctx = ctx;
    s->file = file;
    batch_init(&s->batch, ncols, types, VECTOR_CAPACITY);
    return &s->base;
}

/* ---- memory accounting ---- */

uint64_t spill_memtable_bytes(const MemTable *t, uint64_t *sealed_bytes, int *sealed_chunks)
{
    if (t->nchunks < *sealed_chunks) {
        /* cleared since the last call */
        *sealed_bytes = 0;
        *sealed_chunks = 0;
    }
    while (*sealed_chunks < t->nchunks - 1) *sealed_bytes += batch_bytes_reserved(&t->chunks[(*sealed_chunks)++]);
    uint64_t bytes = *sealed_bytes;
    if (t->nchunks > 0) bytes += batch_bytes_reserved(&t->chunks[t->nchunks - 1]);
    return bytes + sizeof(Batch) * (uint64_t)t->cap_chunks;
}

void spill_format_size(uint64_t bytes, char *buf, size_t size)
{
    const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0) snprintf(buf, size, "%" PRIu64 " bytes", bytes);
    else snprintf(buf, size, "%.1f %s", v, units[u]);
}
