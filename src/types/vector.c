/* vector: column buffers, validity bitmaps and string heaps (see vector.h). */
#include "types/vector.h"

#include <string.h>

#include "common/mem.h"

#define VALIDITY_WORDS(cap) (((cap) + 63) / 64)

void vector_init(Vector *v, LogicalType type, uint32_t capacity)
{
    if (capacity == 0) capacity = VECTOR_CAPACITY;
    v->type = type;
    v->capacity = capacity;
    size_t size = type_physical_size(type);
    v->data = mem_calloc(capacity, size ? size : 1);
    v->validity = NULL;
    v->own_validity = NULL;
    v->owns_buffers = true;
    v->heap = NULL;
}

void vector_destroy(Vector *v)
{
    if (v->owns_buffers) mem_free(v->data);
    mem_free(v->own_validity);
    if (v->heap) {
        arena_destroy(v->heap);
        mem_free(v->heap);
    }
    memset(v, 0, sizeof *v);
}

Vector *vector_new(LogicalType type, uint32_t capacity)
{
    Vector *v = mem_alloc(sizeof *v);
    vector_init(v, type, capacity);
    return v;
}

void vector_free(Vector *v)
{
    if (v == NULL) return;
    vector_destroy(v);
    mem_free(v);
}

void vector_reset(Vector *v)
{
    if (!v->owns_buffers) {
        size_t size = type_physical_size(v->type);
        v->data = mem_calloc(v->capacity, size ? size : 1);
        v->owns_buffers = true;
    }
    v->validity = NULL;
    if (v->heap) arena_reset(v->heap);
}

void vector_reference(Vector *v, const Vector *src)
{
    if (v->owns_buffers) mem_free(v->data);
    v->type = src->type;
    v->capacity = src->capacity;
    v->data = src->data;
    v->validity = src->validity;
    v->owns_buffers = false;
}

void vector_set_null(Vector *v, uint32_t i)
{
    if (v->validity == NULL) {
        size_t words = VALIDITY_WORDS(v->capacity);
        if (v->own_validity == NULL) v->own_validity = mem_alloc(words * sizeof(uint64_t));
        memset(v->own_validity, 0xff, words * sizeof(uint64_t));
        v->validity = v->own_validity;
    }
    v->validity[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

bool vector_has_nulls(const Vector *v, uint32_t count)
{
    if (v->validity == NULL) return false;
    uint32_t full = count / 64;
    for (uint32_t w = 0; w < full; w++)
        if (v->validity[w] != ~(uint64_t)0) return true;
    for (uint32_t i = full * 64; i < count; i++)
        if (!vector_is_valid(v, i)) return true;
    return false;
}

bool vector_merge_validity(Vector *out, Vector *const *args, int nargs, uint32_t count)
{
    bool any_null = false;
    out->validity = NULL;
    for (int a = 0; a < nargs; a++) {
        const Vector *arg = args[a];
        if (arg->validity == NULL) continue;
        for (uint32_t i = 0; i < count; i++) {
            if (!vector_is_valid(arg, i)) {
                vector_set_null(out, i);
                any_null = true;
            }
        }
    }
    return any_null;
}

char *vector_string_space(Vector *v, uint32_t n)
{
    if (v->heap == NULL) {
        v->heap = mem_alloc(sizeof(Arena));
        arena_init(v->heap, 64 * 1024);
    }
    return arena_alloc(v->heap, n ? n : 1);
}

KString vector_make_string(Vector *v, const char *s, uint32_t n)
{
    if (n <= KSTRING_INLINE_MAX) return kstring_make(s, n);
    char *copy = vector_string_space(v, n);
    memcpy(copy, s, n);
    return kstring_make(copy, n);
}

void vector_set_string(Vector *v, uint32_t i, const char *s, uint32_t n)
{
    VEC_DATA(v, KString)[i] = vector_make_string(v, s, n);
    vector_set_valid(v, i);
}

void vector_copy_values(Vector *dst, uint32_t off, const Vector *src, const uint32_t *sel, uint32_t from,
                        uint32_t count)
{
    size_t size = type_physical_size(dst->type);
    unsigned char *d = (unsigned char *)dst->data + (size_t)off * size;
    const unsigned char *s = src->data;
    if (sel == NULL) {
        memcpy(d, s + (size_t)from * size, (size_t)count * size);
        return;
    }
    sel += from;
    switch (size) {
    case 1: for (uint32_t k = 0; k < count; k++) d[k] = s[sel[k]]; break;
    case 2:
        for (uint32_t k = 0; k < count; k++) ((uint16_t *)d)[k] = ((const uint16_t *)s)[sel[k]];
        break;
    case 4:
        for (uint32_t k = 0; k < count; k++) ((uint32_t *)d)[k] = ((const uint32_t *)s)[sel[k]];
        break;
    case 8:
        for (uint32_t k = 0; k < count; k++) ((uint64_t *)d)[k] = ((const uint64_t *)s)[sel[k]];
        break;
    /* 128-bit decimals and strings (KString): a constant size, so each
     * copy is two moves instead of a call to memcpy per row */
    case 16:
        for (uint32_t k = 0; k < count; k++) memcpy(d + (size_t)k * 16, s + (size_t)sel[k] * 16, 16);
        break;
    default:
        for (uint32_t k = 0; k < count; k++) memcpy(d + (size_t)k * size, s + (size_t)sel[k] * size, size);
    }
}

static void copy_rows(Vector *dst, uint32_t off, const Vector *src, const uint32_t *sel, uint32_t count,
                      bool deep)
{
    vector_copy_values(dst, off, src, sel, 0, count);
    /* validity */
    if (src->validity == NULL) {
        if (dst->validity != NULL)
            for (uint32_t k = 0; k < count; k++) vector_set_valid(dst, off + k);
    } else {
        for (uint32_t k = 0; k < count; k++) {
            uint32_t r = sel ? sel[k] : k;
            vector_set_validity(dst, off + k, vector_is_valid(src, r));
        }
    }
    if (deep && dst->type.id == TYPE_VARCHAR) {
        KString *ks = (KString *)dst->data + off;
        for (uint32_t k = 0; k < count; k++) {
            if (ks[k].len > KSTRING_INLINE_MAX && vector_is_valid(dst, off + k))
                ks[k] = vector_make_string(dst, ks[k].u.ref.ptr, ks[k].len);
        }
    }
}

void vector_copy(Vector *dst, uint32_t dst_offset, const Vector *src, const uint32_t *sel, uint32_t count)
{
    copy_rows(dst, dst_offset, src, sel, count, true);
}

void vector_gather(Vector *dst, uint32_t dst_offset, const Vector *src, const uint32_t *sel, uint32_t count)
{
    copy_rows(dst, dst_offset, src, sel, count, false);
}

void vector_broadcast(Vector *dst, const Vector *src, uint32_t src_row, uint32_t count)
{
    size_t size = type_physical_size(dst->type);
    const unsigned char *s = (const unsigned char *)src->data + (size_t)src_row * size;
    unsigned char *d = dst->data;
    bool valid = vector_is_valid(src, src_row);
    KString str;
    if (valid && dst->type.id == TYPE_VARCHAR) {
        const KString *ks = (const KString *)s;
        str = vector_make_string(dst, kstring_data(ks), ks->len);
        s = (const unsigned char *)&str;
    }
    for (uint32_t k = 0; k < count; k++) memcpy(d + (size_t)k * size, s, size);
    dst->validity = NULL;
    if (!valid)
        for (uint32_t k = 0; k < count; k++) vector_set_null(dst, k);
}
