/* hash: per-type hashing loops (see hash.h).  Fixed-size values go through a
 * 64-bit mixer; strings through XXH3. */
#include "exec/hash.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "exec/sort_compare.h"

#define NULL_HASH 0x9e3779b97f4a7c15ULL

static inline uint64_t combine_hash(uint64_t seed, uint64_t h) { return hash_mix64(seed * 31 + h); }

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
            return combine_hash(hash_mix64((uint64_t)x), (uint64_t)(x >> 64));
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
        return combine_hash(hash_mix64((uint64_t)span), (uint64_t)(span >> 64));
    }
    default: return 0;
    }
}

void hash_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t h = vector_is_valid(v, i) ? hash_slot(v, i) : NULL_HASH;
        hashes[i] = combine ? combine_hash(hashes[i], h) : h;
    }
}

bool hash_values_equal(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    bool va = vector_is_valid(a, i), vb = vector_is_valid(b, j);
    if (!va || !vb) return va == vb;
    return sort_compare_slots(a, i, b, j) == 0;
}
