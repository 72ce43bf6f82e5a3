/* hll: HyperLogLog estimate and merge (see hll.h). */
#include "exec/hll.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"

void hll_merge(uint8_t *into, const uint8_t *other)
{
    for (uint32_t i = 0; i < HLL_REGISTERS; i++)
        if (other[i] > into[i]) into[i] = other[i];
}

/* 2^-rank for every possible rank (ranks are at most 64 - HLL_PRECISION + 1). */
static double inverse_power(uint8_t rank) { return ldexp(1.0, -(int)rank); }

/* The estimate from the sum of 2^-register over all registers and the number of zero registers. */
static int64_t estimate_from(double inverse_sum, uint32_t zeros)
{
    const double m = HLL_REGISTERS;
    double alpha = 0.7213 / (1.0 + 1.079 / m);
    double estimate = alpha * m * m / inverse_sum;
    /* small range: linear counting over the empty registers is more precise */
    if (estimate <= 2.5 * m && zeros > 0) estimate = m * log(m / (double)zeros);
    return (int64_t)llround(estimate);
}

/* The estimate from the number of registers of each rank (the same sum in
 * the same order for a sparse and a dense sketch, so they agree exactly). */
static int64_t estimate_from_ranks(const uint32_t *per_rank)
{
    double inverse_sum = 0;
    for (int r = 255; r >= 0; r--)
        if (per_rank[r]) inverse_sum += per_rank[r] * inverse_power((uint8_t)r);
    return estimate_from(inverse_sum, per_rank[0]);
}

int64_t hll_estimate(const uint8_t *registers)
{
    /* registers counted per rank: a few ldexp calls instead of 4096 */
    uint32_t per_rank[256] = {0};
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) per_rank[registers[i]]++;
    return estimate_from_ranks(per_rank);
}

void hll_sketch_raise(HllSketch *sketch, uint32_t index, uint8_t rank)
{
    if (sketch->dense) {
        if (sketch->dense[index] < rank) sketch->dense[index] = rank;
        return;
    }
    for (uint32_t i = 0; i < sketch->npairs; i++)
        if (sketch->pairs[i] >> 8 == index) {
            if ((sketch->pairs[i] & 0xff) < rank) sketch->pairs[i] = index << 8 | rank;
            return;
        }
    if (sketch->npairs < HLL_SPARSE_MAX) {
        if (sketch->npairs == sketch->cap) {
            sketch->cap = sketch->cap ? sketch->cap * 2 : 4;
            sketch->pairs = mem_realloc(sketch->pairs, sizeof(uint32_t) * sketch->cap);
        }
        sketch->pairs[sketch->npairs++] = index << 8 | rank;
        return;
    }
    /* too many registers for the list: go dense */
    sketch->dense = mem_calloc(HLL_REGISTERS, 1);
    for (uint32_t i = 0; i < sketch->npairs; i++) sketch->dense[sketch->pairs[i] >> 8] = (uint8_t)(sketch->pairs[i] & 0xff);
    mem_free(sketch->pairs);
    sketch->pairs = NULL;
    sketch->npairs = sketch->cap = 0;
    sketch->dense[index] = rank;
}

void hll_sketch_add(HllSketch *sketch, uint64_t hash)
{
    if (sketch->dense) hll_add(sketch->dense, hash);
    else hll_sketch_raise(sketch, hll_index(hash), hll_rank(hash));
}

void hll_sketch_registers(const HllSketch *sketch, uint8_t *out)
{
    if (sketch->dense) {
        memcpy(out, sketch->dense, HLL_REGISTERS);
        return;
    }
    memset(out, 0, HLL_REGISTERS);
    for (uint32_t i = 0; i < sketch->npairs; i++) out[sketch->pairs[i] >> 8] = (uint8_t)(sketch->pairs[i] & 0xff);
}

int64_t hll_sketch_estimate(const HllSketch *sketch)
{
    if (sketch->dense) return hll_estimate(sketch->dense);
    uint32_t per_rank[256] = {0};
    per_rank[0] = HLL_REGISTERS - sketch->npairs; /* the registers not in the list */
    for (uint32_t i = 0; i < sketch->npairs; i++) per_rank[sketch->pairs[i] & 0xff]++;
    return estimate_from_ranks(per_rank);
}

void hll_sketch_free(HllSketch *sketch)
{
    mem_free(sketch->dense);
    mem_free(sketch->pairs);
    memset(sketch, 0, sizeof *sketch);
}

/* Text form: characters from '0' up.  Dense: one per register, '0' + rank.
 * Sparse: per non-zero register '0' + the index's high 6 bits, '0' + its low
 * 6 bits, '0' + the rank.  The lengths differ: 4096 is no multiple of 3. */
uint32_t hll_sketch_encode(const HllSketch *sketch, char *out)
{
    if (!sketch->dense) {
        /* at most HLL_SPARSE_MAX pairs: always the shorter form */
        uint32_t n = 0;
        for (uint32_t k = 0; k < sketch->npairs; k++) {
            uint32_t index = sketch->pairs[k] >> 8;
            out[n++] = (char)('0' + (index >> 6));
            out[n++] = (char)('0' + (index & 63));
            out[n++] = (char)('0' + (sketch->pairs[k] & 0xff));
        }
        return n;
    }
    uint8_t registers[HLL_REGISTERS];
    hll_sketch_registers(sketch, registers);
    uint32_t nonzero = 0;
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) nonzero += registers[i] != 0;
    if (nonzero * 3 >= HLL_REGISTERS) {
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) out[i] = (char)('0' + registers[i]);
        return HLL_REGISTERS;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        if (!registers[i]) continue;
        out[n++] = (char)('0' + (i >> 6));
        out[n++] = (char)('0' + (i & 63));
        out[n++] = (char)('0' + registers[i]);
    }
    return n;
}

bool hll_sketch_merge_text(HllSketch *sketch, const char *text, uint32_t len)
{
    const uint8_t *t = (const uint8_t *)text;
    const uint8_t max_rank = 64 - HLL_PRECISION + 1;
    if (len == HLL_REGISTERS) {
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            if (t[i] < '0' || t[i] > '0' + max_rank) return false;
            if (t[i] != '0') hll_sketch_raise(sketch, i, (uint8_t)(t[i] - '0'));
        }
        return true;
    }
    if (len % 3 != 0 || len > HLL_REGISTERS) return false;
    for (uint32_t k = 0; k < len; k += 3) {
        if (t[k] < '0' || t[k] >= '0' + 64 || t[k + 1] < '0' || t[k + 1] >= '0' + 64 || t[k + 2] <= '0' ||
            t[k + 2] > '0' + max_rank)
            return false;
        hll_sketch_raise(sketch, (uint32_t)(t[k] - '0') << 6 | (uint32_t)(t[k + 1] - '0'), (uint8_t)(t[k + 2] - '0'));
    }
    return true;
}
