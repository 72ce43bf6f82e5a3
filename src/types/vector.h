/* vector: one column of up to VECTOR_CAPACITY values of one logical type.
 *
 * A vector holds `capacity` slots of the type's physical size (types.h), a
 * validity bitmap (bit i set = slot i is not NULL; a NULL bitmap means "no
 * NULLs"), and a string heap for VARCHAR values that do not fit inline.
 *
 * A vector either owns its buffers or is a read-only view of another
 * vector's (vector_reference): operators pass columns upward without copying.
 * The value in a NULL slot is unspecified: code must test validity before it
 * interprets a value (and before it raises an error about one). */
#ifndef KILN_TYPES_VECTOR_H
#define KILN_TYPES_VECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "types/kstring.h"
#include "types/types.h"

#define VECTOR_CAPACITY 2048

typedef struct Vector {
    LogicalType type;
    uint32_t capacity;
    void *data;           /* capacity * type_physical_size(type) bytes */
    uint64_t *validity;   /* NULL = all valid; else 1 bit per slot */
    bool owns_buffers;    /* false for a view made by vector_reference */
    uint64_t *own_validity; /* owned bitmap buffer (allocated on first NULL) */
    Arena *heap;          /* owned heap for long strings (created on demand) */
} Vector;

/* Initialise an owning vector of the given type and capacity (0 = VECTOR_CAPACITY). */
void vector_init(Vector *v, LogicalType type, uint32_t capacity);
/* Free the vector's owned buffers. */
void vector_destroy(Vector *v);
/* Allocate and initialise an owning vector. */
Vector *vector_new(LogicalType type, uint32_t capacity);
/* Destroy and free a vector made by vector_new (NULL is fine). */
void vector_free(Vector *v);
/* Forget all values: every slot valid again, string heap emptied. A view is
 * turned back into an owning vector. */
void vector_reset(Vector *v);
/* Make v a read-only view of src's buffers (same type). */
void vector_reference(Vector *v, const Vector *src);

/* Typed access to the slots. */
#define VEC_DATA(v, ctype) ((ctype *)(v)->data)

/* True if slot i is not NULL. */
static inline bool vector_is_valid(const Vector *v, uint32_t i)
{
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1);
}
/* Mark slot i NULL. */
void vector_set_null(Vector *v, uint32_t i);
/* Mark slot i valid (not NULL). */
static inline void vector_set_valid(Vector *v, uint32_t i)
{
    if (v->validity) v->validity[i >> 6] |= (uint64_t)1 << (i & 63);
}
/* Set slot i NULL or valid. */
static inline void vector_set_validity(Vector *v, uint32_t i, bool valid)
{
    if (valid) vector_set_valid(v, i);
    else vector_set_null(v, i);
}
/* True if any of the first count slots is NULL. */
bool vector_has_nulls(const Vector *v, uint32_t count);
/* Set out's validity for rows [0,count) to the AND of the args' validity
 * (the NULL rule of a strict function). Returns true if any row is NULL. */
bool vector_merge_validity(Vector *out, Vector *const *args, int nargs, uint32_t count);

/* Reserve n bytes in v's string heap (for building a string in place). */
char *vector_string_space(Vector *v, uint32_t n);
/* Copy n bytes into v's heap as needed and return the KString for them. */
KString vector_make_string(Vector *v, const char *s, uint32_t n);
/* Store a copy of n bytes of s as the VARCHAR value of slot i. */
void vector_set_string(Vector *v, uint32_t i, const char *s, uint32_t n);

/* Copy count rows from src to dst starting at dst_offset: row k of dst gets
 * src row sel ? sel[k] : k.  Strings are deep-copied into dst's heap, so dst
 * does not depend on src afterwards. Types must be equal. */
void vector_copy(Vector *dst, uint32_t dst_offset, const Vector *src, const uint32_t *sel, uint32_t count);
/* Like vector_copy but long strings keep pointing at src's storage (cheap
 * gather for use within one batch). */
void vector_gather(Vector *dst, uint32_t dst_offset, const Vector *src, const uint32_t *sel, uint32_t count);
/* Copy only the slot values (no validity, strings left pointing where they
 * point) of count rows to dst slots [off, off+count): row k comes from src
 * slot sel ? sel[from + k] : from + k.  Types must be equal. */
void vector_copy_values(Vector *dst, uint32_t off, const Vector *src, const uint32_t *sel, uint32_t from,
                        uint32_t count);
/* Fill the first count slots with slot 0 of src (constant broadcast). */
void vector_broadcast(Vector *dst, const Vector *src, uint32_t src_row, uint32_t count);

#endif
