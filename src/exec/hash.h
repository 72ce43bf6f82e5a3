/* hash: vectorised hashing of column values, for hash aggregation, DISTINCT
 * and joins.  Equal values (as GROUP BY sees them: NULL equals NULL, -0.0
 * equals 0.0, decimals of one column share a scale) hash equally. */
#ifndef KILN_EXEC_HASH_H
#define KILN_EXEC_HASH_H

#include <stdbool.h>
#include <stdint.h>

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

/* hashes[i] = hash of row i of v (combine: mix into the existing hashes[i]). */
void hash_vector(const Vector *v, uint32_t count, uint64_t *hashes, bool combine);
/* True if slot i of a and slot j of b hold the same value (NULLs are equal). */
bool hash_values_equal(const Vector *a, uint32_t i, const Vector *b, uint32_t j);

#endif
