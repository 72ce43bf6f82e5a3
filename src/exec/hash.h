/* hash: vectorised hashing of column values, for hash aggregation, DISTINCT
 * and joins.  Equal values (as GROUP BY sees them: NULL equals NULL, -0.0
 * equals 0.0, decimals of one column share a scale) hash equally. */
#ifndef KILN_EXEC_HASH_H
#define KILN_EXEC_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "types/vector.h"

/* A 64-bit finaliser (MurmurHash3's): spreads the bits of x over the result. */
static inline uint64_t hash_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* The hash of a NULL (hash_vector and hash_key_vector). */
#define HASH_NULL 0x9e3779b97f4a7c15ULL

/* Mix the hash h of a further column into seed (hash_vector's combine). */
static inline uint64_t hash_combine(uint64_t seed, uint64_t h) { return hash_mix64(seed * 31 + h); }

/* hashes[i] = hash of row i of v (combine: mix into the existing hashes[i]).
 * Also feeds approx_count_distinct's sketches, so its values must not change. */
void hash_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine);

/* The group-key hash, used by the hash aggregate for its table and for the
 * partitions it spills (never mix it with hash_vector in one table or one
 * partitioning).  Each value becomes one 64-bit word (an
 * integer itself, a short string its two words folded by
 * hash_key_text_value, a long string its XXH3 hash, other types
 * hash_vector's hash, NULL HASH_NULL) and each column mixes its word in with
 * one finaliser round (hash_key_step): a few instructions per key instead of
 * XXH3 and three rounds. */
void hash_key_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine);

/* Fold value word x of the next key column into seed (first: the first column). */
static inline uint64_t hash_key_step(uint64_t seed, uint64_t x, bool first)
{
    return hash_mix64(first ? x : seed * 31 + x);
}

/* A short string (len <= KSTRING_INLINE_MAX) as two words that are equal
 * exactly when the strings are: bytes 0-7, then bytes 8-11 with the length
 * in the high half; bytes past the length (unspecified in a KString) are
 * masked out. */
static inline void hash_key_text_words(const KString *k, uint64_t *w0, uint64_t *w1)
{
    uint32_t len = k->len;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the bytes of the first len, by length: a load instead of shifts and tests */
    static const uint64_t mask0[KSTRING_INLINE_MAX + 1] = {
        0, 0xff, 0xffff, 0xffffff, 0xffffffffULL, 0xffffffffffULL, 0xffffffffffffULL, 0xffffffffffffffULL,
        ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL};
    static const uint32_t mask1[KSTRING_INLINE_MAX + 1] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xffff, 0xffffff, 0xffffffffU};
    uint64_t a;
    uint32_t b;
    memcpy(&a, k->u.inlined, 8);
    memcpy(&b, k->u.inlined + 8, 4);
    *w0 = a & mask0[len];
    *w1 = (uint64_t)(b & mask1[len]) | ((uint64_t)len << 32);
#else
    unsigned char bytes[KSTRING_INLINE_MAX] = {0};
    memcpy(bytes, k->u.inlined, len);
    uint64_t a = 0, b = 0;
    for (int i = 7; i >= 0; i--) a = a << 8 | bytes[i];
    for (int i = 11; i >= 8; i--) b = b << 8 | bytes[i];
    *w0 = a;
    *w1 = b | ((uint64_t)len << 32);
#endif
}

/* hash_key_vector's value word of a short string given as hash_key_text_words. */
static inline uint64_t hash_key_text_value(uint64_t w0, uint64_t w1) { return w0 * 0x9e3779b97f4a7c15ULL ^ w1; }

/* True if slot i of a and slot j of b hold the same value (NULLs are equal). */
bool hash_values_equal(const Vector *a, uint32_t i, const Vector *b, uint32_t j);

#endif
