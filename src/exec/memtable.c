/* memtable: in-memory row storage as a list of batches (see memtable.h). */
#include "exec/memtable.h"

#include <string.h>

#include "common/mem.h"

void memtable_init(MemTable *t, int ncols, const LogicalType *types)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->types = mem_alloc(sizeof(LogicalType) * (size_t)(ncols ? ncols : 1));
    if (ncols) memcpy(t->types, types, sizeof(LogicalType) * (size_t)ncols);
}

void memtable_clear(MemTable *t)
{
    for (int i = 0; i < t->nchunks; i++) batch_destroy(&t->chunks[i]);
    t->nchunks = 0;
    t->nrows = 0;
}

void memtable_destroy(MemTable *t)
{
    memtable_clear(t);
    mem_free(t->chunks);
    mem_free(t->types);
    memset(t, 0, sizeof *t);
}

static Batch *tail_with_room(MemTable *t)
{
    if (t->nchunks > 0 && t->chunks[t->nchunks - 1].count < VECTOR_CAPACITY) return &t->chunks[t->nchunks - 1];
    if (t->nchunks == t->cap_chunks) {
        t->cap_chunks = t->cap_chunks ? t->cap_chunks * 2 : 8;
        t->chunks = mem_realloc(t->chunks, sizeof(Batch) * (size_t)t->cap_chunks);
    }
    Batch *b = &t->chunks[t->nchunks++];
    batch_init(b, t->ncols, t->types, VECTOR_CAPACITY);
    return b;
}

void memtable_append(MemTable *t, const Batch *b)
{
    uint32_t done = 0;
    while (done < b->count) {
        Batch *tail = tail_with_room(t);
        uint32_t room = VECTOR_CAPACITY - tail->count;
        uint32_t n = b->count - done < room ? b->count - done : room;
        batch_append(tail, b, done, n);
        done += n;
    }
    t->nrows += b->count;
}

uint64_t memtable_bytes(const MemTable *t)
{
    uint64_t bytes = 0;
    for (int c = 0; c < t->nchunks; c++) {
        const Batch *b = &t->chunks[c];
        for (int k = 0; k < b->ncols; k++) {
            const Vector *v = b->cols[k];
            bytes += (uint64_t)v->capacity * type_physical_size(v->type) + v->capacity / 8;
            if (v->heap) bytes += v->heap->bytes_reserved;
        }
    }
    return bytes;
}
