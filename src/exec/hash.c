/* hash: per-type hashing loops (see hash.h).  Fixed-size values go through a
 * 64-bit mixer; strings through XXH3, except in the group-key hash, where
 * strings short enough to be stored inline hash as their two (masked) words
 * with two mixer rounds: a few instructions instead of a call.  The loops
 * test the type once per column, not per row. */
#include "exec/hash.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "exec/sort_compare.h"

static inline uint64_t hash_slot(const Vector *v, uint32_t i)
{
    switch (v->type.id) {
    case TYPE_BOOLEAN: return hash_mix64(VEC_DATA(v, uint8_t)[i] + 1);
    case TYPE_INTEGER:
    case TYPE_DATE: return hash_mix64((uint64_t)(int64_t)VEC_DATA(v, int32_t)[i]);
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return hash_mix64((uint64_t)VEC_DATA(v, int64_t)[i]);
    case TYPE_DOUBLE: {
        double d = VEC_DATA(v, double)[i];
        if (d == 0) d = 0; /* -0.0 */
        if (isnan(d)) return 0x7ff8000000000000ULL;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return hash_mix64(bits);
    }
    case TYPE_DECIMAL:
        if (type_is_decimal128(v->type)) {
            kiln_int128 x = VEC_DATA(v, kiln_int128)[i];
            return hash_combine(hash_mix64((uint64_t)x), (uint64_t)(x >> 64));
        }
        return hash_mix64((uint64_t)VEC_DATA(v, int64_t)[i]);
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[i];
        return XXH3_64bits(kstring_data(k), k->len);
    }
    case TYPE_INTERVAL: {
        Interval x = VEC_DATA(v, Interval)[i];
        /* equal spans compare equal (1 mon = 30 days), so hash the span */
        kiln_int128 span = (kiln_int128)x.months * 30 * 86400000000LL + (kiln_int128)x.days * 86400000000LL + x.micros;
        return hash_combine(hash_mix64((uint64_t)span), (uint64_t)(span >> 64));
    }
    default: return 0;
    }
}

/* One loop per (value expression, combine, NULLs possible): the compiler
 * specialises each. */
#define HASH_LOOP(EXPR)                                                                \
    do {                                                                               \
        if (v->validity == NULL && !combine) {                                         \
            for (uint32_t i = 0; i < count; i++) hashes[i] = (EXPR);                   \
        } else if (v->validity == NULL) {                                              \
            for (uint32_t i = 0; i < count; i++) hashes[i] = hash_combine(hashes[i], (EXPR)); \
        } else {                                                                       \
            for (uint32_t i = 0; i < count; i++) {                                     \
                uint64_t h = vector_is_valid(v, i) ? (EXPR) : HASH_NULL;               \
                hashes[i] = combine ? hash_combine(hashes[i], h) : h;                  \
            }                                                                          \
        }                                                                              \
    } while (0)

/* The fixed-size types' loops, shared by both hashes; false for other types. */
static bool hash_fixed_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine)
{
    switch (v->type.id) {
    case TYPE_INTEGER:
    case TYPE_DATE: {
        const int32_t *x = VEC_DATA(v, int32_t);
        HASH_LOOP(hash_mix64((uint64_t)(int64_t)x[i]));
        return true;
    }
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: {
        const int64_t *x = VEC_DATA(v, int64_t);
        HASH_LOOP(hash_mix64((uint64_t)x[i]));
        return true;
    }
    case TYPE_DECIMAL:
        if (type_is_decimal128(v->type)) return false;
        {
            const int64_t *x = VEC_DATA(v, int64_t);
            HASH_LOOP(hash_mix64((uint64_t)x[i]));
        }
        return true;
    default: return false;
    }
}

void hash_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine)
{
    if (hash_fixed_vector(v, count, hashes, combine)) return;
    HASH_LOOP(hash_slot(v, i));
}

/* hash_key_vector's value word of one string. */
static inline uint64_t hash_key_text(const KString *k)
{
    if (k->len > KSTRING_INLINE_MAX) return XXH3_64bits(k->u.ref.ptr, k->len);
    uint64_t w0, w1;
    hash_key_text_words(k, &w0, &w1);
    return hash_key_text_value(w0, w1);
}

/* One loop per (value word expression, NULLs possible). */
#define KEY_LOOP(EXPR)                                                                                 \
    do {                                                                                               \
        if (v->validity == NULL) {                                                                     \
            for (uint32_t i = 0; i < count; i++) hashes[i] = hash_key_step(hashes[i], (EXPR), first);  \
        } else {                                                                                       \
            for (uint32_t i = 0; i < count; i++)                                                       \
                hashes[i] = hash_key_step(hashes[i], vector_is_valid(v, i) ? (EXPR) : HASH_NULL, first); \
        }                                                                                              \
    } while (0)

void hash_key_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine)
{
    bool first = !combine;
    switch (v->type.id) {
    case TYPE_VARCHAR: {
        const KString *x = VEC_DATA(v, KString);
        KEY_LOOP(hash_key_text(&x[i]));
        return;
    }
    case TYPE_BOOLEAN: {
        const uint8_t *x = VEC_DATA(v, uint8_t);
        KEY_LOOP((uint64_t)x[i] + 1);
        return;
    }
    case TYPE_INTEGER:
    case TYPE_DATE: {
        const int32_t *x = VEC_DATA(v, int32_t);
        KEY_LOOP((uint64_t)(int64_t)x[i]);
        return;
    }
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: {
        const int64_t *x = VEC_DATA(v, int64_t);
        KEY_LOOP((uint64_t)x[i]);
        return;
    }
    default:
        if (v->type.id == TYPE_DECIMAL && !type_is_decimal128(v->type)) {
            const int64_t *x = VEC_DATA(v, int64_t);
            KEY_LOOP((uint64_t)x[i]);
            return;
        }
        KEY_LOOP(hash_slot(v, i));
        return;
    }
}

bool hash_values_equal(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    bool va = vector_is_valid(a, i), vb = vector_is_valid(b, j);
    if (!va || !vb) return va == vb;
    return sort_compare_slots(a, i, b, j) == 0;
}
