/* batch: column sets passed between operators (see batch.h). */
#include "types/batch.h"

#include "common/mem.h"

void batch_init(Batch *b, int ncols, const LogicalType *types, uint32_t capacity)
{
    b->ncols = ncols;
    b->count = 0;
    b->sel = NULL;
    b->cols = mem_calloc((size_t)ncols + 1, sizeof(Vector *));
    b->owned = mem_calloc((size_t)ncols + 1, sizeof(Vector));
    for (int c = 0; c < ncols; c++) {
        vector_init(&b->owned[c], types[c], capacity);
        b->cols[c] = &b->owned[c];
    }
}

void batch_init_borrowed(Batch *b, int ncols)
{
    b->ncols = ncols;
    b->count = 0;
    b->sel = NULL;
    b->cols = mem_calloc((size_t)ncols + 1, sizeof(Vector *));
    b->owned = NULL;
}

void batch_destroy(Batch *b)
{
    if (b->owned)
        for (int c = 0; c < b->ncols; c++) vector_destroy(&b->owned[c]);
    mem_free(b->owned);
    mem_free(b->cols);
    b->owned = NULL;
    b->cols = NULL;
    b->ncols = 0;
    b->count = 0;
}

void batch_reset(Batch *b)
{
    b->count = 0;
    b->sel = NULL;
    if (b->owned)
        for (int c = 0; c < b->ncols; c++) {
            vector_reset(&b->owned[c]);
            b->cols[c] = &b->owned[c];
        }
}

void batch_append(Batch *dst, const Batch *src, uint32_t from, uint32_t n)
{
    for (int c = 0; c < dst->ncols; c++) {
        const uint32_t *sel = src->sel ? src->sel + from : NULL;
        if (sel == NULL && from != 0) {
            /* contiguous slice of an unselected batch: copy via a temporary selection */
            uint32_t tmp[VECTOR_CAPACITY];
            for (uint32_t k = 0; k < n; k++) tmp[k] = from + k;
            vector_copy(dst->cols[c], dst->count, src->cols[c], tmp, n);
        } else {
            vector_copy(dst->cols[c], dst->count, src->cols[c], sel, n);
        }
    }
    dst->count += n;
}

uint64_t batch_bytes_reserved(const Batch *b)
{
    uint64_t bytes = 0;
    for (int k = 0; k < b->ncols; k++) {
        const Vector *v = b->cols[k];
        bytes += (uint64_t)v->capacity * type_physical_size(v->type) + v->capacity / 8;
        if (v->heap) bytes += v->heap->bytes_reserved;
    }
    return bytes;
}
