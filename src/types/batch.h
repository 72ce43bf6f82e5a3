/* batch: a set of equally long column vectors, the unit that flows between
 * operators (at most VECTOR_CAPACITY rows).
 *
 * `count` is the number of logical rows.  When `sel` is not NULL, logical
 * row i lives in physical slot sel[i] of every column: a filter narrows a
 * batch by writing a selection vector instead of copying rows.  Columns are
 * pointers so an operator can pass its input's vectors upward unchanged. */
#ifndef KILN_TYPES_BATCH_H
#define KILN_TYPES_BATCH_H

#include <stdint.h>

#include "types/vector.h"

typedef struct Batch {
    int ncols;
    Vector **cols;        /* ncols pointers (owned or borrowed, see owned) */
    uint32_t count;       /* logical rows */
    const uint32_t *sel;  /* NULL = identity */
    Vector *owned;        /* ncols vectors owned by this batch, or NULL */
} Batch;

/* Physical slot of logical row i. */
static inline uint32_t batch_row(const Batch *b, uint32_t i) { return b->sel ? b->sel[i] : i; }

/* Initialise a batch that owns one fresh vector per type. */
void batch_init(Batch *b, int ncols, const LogicalType *types, uint32_t capacity);
/* Initialise a batch of ncols borrowed column pointers (all NULL). */
void batch_init_borrowed(Batch *b, int ncols);
/* Free what the batch owns. */
void batch_destroy(Batch *b);
/* Empty the batch: count 0, no selection, owned vectors reset. */
void batch_reset(Batch *b);
/* The memory the batch's vectors reserve (values, validity, string heaps), for memory accounting. */
uint64_t batch_bytes_reserved(const Batch *b);
/* Append src's logical rows [from, from+n) to dst's owned vectors (deep copy);
 * dst must have room and the same column types. */
void batch_append(Batch *dst, const Batch *src, uint32_t from, uint32_t n);

#endif
