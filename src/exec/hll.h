/* hll: HyperLogLog sketches for approx_count_distinct.
 *
 * A sketch is HLL_REGISTERS one-byte registers (2^12 = 4096 bytes).  A value's
 * 64-bit hash picks a register with its top 12 bits; the register keeps the
 * largest "rank" seen: 1 + the number of leading zeros of the other 52 bits.
 * The estimate is Flajolet et al.'s harmonic mean with linear counting for
 * small cardinalities (64-bit hashes need no large-range correction).
 * Standard error 1.04 / sqrt(4096) = 1.6%.  Two sketches merge by
 * register-wise max, which is exact: merging in any order gives the sketch
 * of the union.
 *
 * An HllSketch (one per group of approx_count_distinct) starts sparse: a
 * list of up to HLL_SPARSE_MAX non-zero (register, rank) pairs (4 bytes
 * each), and turns into the 4 KB dense registers only when more registers
 * are set, so a million small groups take tens of MB, not 4 GB.  Sparse and
 * dense forms estimate identically (the registers are the same). */
#ifndef KILN_EXEC_HLL_H
#define KILN_EXEC_HLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HLL_PRECISION 12
#define HLL_REGISTERS (1u << HLL_PRECISION)

/* Record a value by its 64-bit hash (the hash must be well mixed). Cannot fail. */
static inline uint32_t hll_index(uint64_t hash) { return (uint32_t)(hash >> (64 - HLL_PRECISION)); }
static inline uint8_t hll_rank(uint64_t hash)
{
    uint64_t rest = hash << HLL_PRECISION;
    return rest == 0 ? (uint8_t)(64 - HLL_PRECISION + 1) : (uint8_t)(__builtin_clzll(rest) + 1);
}
static inline void hll_add(uint8_t *registers, uint64_t hash)
{
    uint32_t index = hll_index(hash);
    uint8_t rank = hll_rank(hash);
    if (registers[index] < rank) registers[index] = rank;
}

#define HLL_SPARSE_MAX 64

typedef struct HllSketch {
    uint8_t *dense;     /* HLL_REGISTERS registers, or NULL while sparse */
    uint32_t *pairs;    /* while sparse: register << 8 | rank, npairs of them */
    uint32_t npairs, cap;
} HllSketch;

/* Record a value of the sketch by its 64-bit hash. Cannot fail. */
void hll_sketch_add(HllSketch *sketch, uint64_t hash);
/* Raise register index to at least rank (merging). Cannot fail. */
void hll_sketch_raise(HllSketch *sketch, uint32_t index, uint8_t rank);
/* True if nothing was recorded. */
static inline bool hll_sketch_empty(const HllSketch *sketch) { return sketch->dense == NULL && sketch->npairs == 0; }
/* Write the sketch's HLL_REGISTERS registers into out. Cannot fail. */
void hll_sketch_registers(const HllSketch *sketch, uint8_t *out);
/* The estimated number of distinct values recorded. Cannot fail. */
int64_t hll_sketch_estimate(const HllSketch *sketch);
/* Write the sketch as text without NUL bytes (parallel aggregation's
 * partial state): 3 characters per non-zero register, or the HLL_REGISTERS
 * registers themselves when that is shorter; returns the length, at most
 * HLL_REGISTERS. Cannot fail. */
uint32_t hll_sketch_encode(const HllSketch *sketch, char *out);
/* Merge text made by hll_sketch_encode into sketch; false if it is malformed. */
bool hll_sketch_merge_text(HllSketch *sketch, const char *text, uint32_t len);
/* Free the sketch's memory (it is empty again). */
void hll_sketch_free(HllSketch *sketch);

/* into = the sketch of the union of into and other. Cannot fail. */
void hll_merge(uint8_t *into, const uint8_t *other);
/* The estimated number of distinct values recorded. Cannot fail. */
int64_t hll_estimate(const uint8_t *registers);

#endif
