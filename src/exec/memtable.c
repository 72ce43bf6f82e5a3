/* memtable: in-memory row storage as a list of batches (see memtable.h).
 *
 * Appends copy a column at a time: fixed-size values with one memcpy when the
 * source has no selection vector (a gather through the selection otherwise),
 * validity only when the source has NULLs in the copied rows, and each
 * column's long strings into one block of the chunk's string heap reserved
 * for all of them at once.  A new chunk's buffers are not zero-filled: only
 * slots below the chunk's count are ever read, and those are written first.
 *
 * memtable_absorb moves a whole chunk of another memtable in (the struct,
 * not the buffers: a gather's collected rows become a join's build side
 * without a second copy).  It copies instead when the rows fit in the tail's
 * room, or when the chunk is less than half full (so taken chunks are at
 * least half full and the rows keep their order: they always go at the end). */
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

/* A chunk that owns one vector per column, with data buffers not zeroed. */
static void chunk_init(Batch *b, int ncols, const LogicalType *types)
{
    batch_init_borrowed(b, ncols);
    b->owned = mem_calloc((size_t)ncols + 1, sizeof(Vector));
    for (int c = 0; c < ncols; c++) {
        Vector *v = &b->owned[c];
        size_t size = type_physical_size(types[c]);
        v->type = types[c];
        v->capacity = VECTOR_CAPACITY;
        v->data = mem_alloc((size_t)VECTOR_CAPACITY * (size ? size : 1));
        v->owns_buffers = true;
        b->cols[c] = v;
    }
}

static Batch *tail_with_room(MemTable *t)
{
    if (t->nchunks > 0 && t->chunks[t->nchunks - 1].count < VECTOR_CAPACITY) return &t->chunks[t->nchunks - 1];
    if (t->nchunks == t->cap_chunks) {
        t->cap_chunks = t->cap_chunks ? t->cap_chunks * 2 : 8;
        t->chunks = mem_realloc(t->chunks, sizeof(Batch) * (size_t)t->cap_chunks);
    }
    Batch *b = &t->chunks[t->nchunks++];
    chunk_init(b, t->ncols, t->types);
    return b;
}

/* Physical slot of source row from + k. */
static inline uint32_t source_row(const uint32_t *sel, uint32_t from, uint32_t k)
{
    return sel ? sel[from + k] : from + k;
}

/* True if any of the source rows [from, from+n) is NULL. */
static bool any_null(const Vector *src, const uint32_t *sel, uint32_t from, uint32_t n)
{
    if (src->validity == NULL) return false;
    if (sel == NULL && from % 64 == 0) {
        uint32_t words = n / 64;
        for (uint32_t w = 0; w < words; w++)
            if (src->validity[from / 64 + w] != ~(uint64_t)0) return true;
        for (uint32_t k = words * 64; k < n; k++)
            if (!vector_is_valid(src, from + k)) return true;
        return false;
    }
    for (uint32_t k = 0; k < n; k++)
        if (!vector_is_valid(src, source_row(sel, from, k))) return true;
    return false;
}

/* Copy the validity of the rows; dst slots below off keep theirs. */
static void copy_validity(Vector *dst, uint32_t off, const Vector *src, const uint32_t *sel, uint32_t from, uint32_t n)
{
    if (!any_null(src, sel, from, n)) {
        if (dst->validity != NULL)
            for (uint32_t k = 0; k < n; k++) vector_set_valid(dst, off + k);
        return;
    }
    for (uint32_t k = 0; k < n; k++) vector_set_validity(dst, off + k, vector_is_valid(src, source_row(sel, from, k)));
}

/* Move the long strings of dst slots [off, off+n) (still pointing into the
 * source) into one block of dst's heap. */
static void copy_long_strings(Vector *dst, uint32_t off, uint32_t n)
{
    KString *ks = (KString *)dst->data + off;
    size_t total = 0;
    for (uint32_t k = 0; k < n; k++)
        if (ks[k].len > KSTRING_INLINE_MAX && vector_is_valid(dst, off + k)) total += ks[k].len;
    if (total == 0) return;
    if (total > UINT32_MAX) {
        /* more than one heap block can hold: one allocation per string */
        for (uint32_t k = 0; k < n; k++)
            if (ks[k].len > KSTRING_INLINE_MAX && vector_is_valid(dst, off + k))
                ks[k] = vector_make_string(dst, ks[k].u.ref.ptr, ks[k].len);
        return;
    }
    char *block = vector_string_space(dst, (uint32_t)total);
    for (uint32_t k = 0; k < n; k++) {
        if (ks[k].len <= KSTRING_INLINE_MAX || !vector_is_valid(dst, off + k)) continue;
        memcpy(block, ks[k].u.ref.ptr, ks[k].len);
        ks[k].u.ref.ptr = block; /* the prefix is unchanged */
        block += ks[k].len;
    }
}

/* Append rows [from, from+n) of src to dst, which has room for them. */
static void append_rows(Batch *dst, const Batch *src, uint32_t from, uint32_t n)
{
    for (int c = 0; c < dst->ncols; c++) {
        Vector *d = dst->cols[c];
        const Vector *s = src->cols[c];
        vector_copy_values(d, dst->count, s, src->sel, from, n);
        copy_validity(d, dst->count, s, src->sel, from, n);
        if (d->type.id == TYPE_VARCHAR) copy_long_strings(d, dst->count, n);
    }
    dst->count += n;
}

void memtable_append(MemTable *t, const Batch *b)
{
    uint32_t done = 0;
    while (done < b->count) {
        Batch *tail = tail_with_room(t);
        uint32_t room = VECTOR_CAPACITY - tail->count;
        uint32_t n = b->count - done < room ? b->count - done : room;
        append_rows(tail, b, done, n);
        done += n;
    }
    t->nrows += b->count;
}

bool memtable_absorb(MemTable *t, Batch *chunk)
{
    uint32_t tail_room = t->nchunks > 0 ? VECTOR_CAPACITY - t->chunks[t->nchunks - 1].count : 0;
    bool take = chunk->sel == NULL && chunk->owned != NULL && chunk->ncols == t->ncols &&
                chunk->count > tail_room && chunk->count >= VECTOR_CAPACITY / 2;
    for (int c = 0; take && c < t->ncols; c++)
        take = chunk->cols[c] == &chunk->owned[c] && chunk->cols[c]->capacity == VECTOR_CAPACITY;
    if (!take) {
        memtable_append(t, chunk);
        return false;
    }
    if (t->nchunks == t->cap_chunks) {
        t->cap_chunks = t->cap_chunks ? t->cap_chunks * 2 : 8;
        t->chunks = mem_realloc(t->chunks, sizeof(Batch) * (size_t)t->cap_chunks);
    }
    t->chunks[t->nchunks++] = *chunk;
    t->nrows += chunk->count;
    memset(chunk, 0, sizeof *chunk);
    return true;
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
