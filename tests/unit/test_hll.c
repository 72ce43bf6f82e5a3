/* Unit tests of exec/hll (HyperLogLog) and exec/distinct_set: the estimate
 * stays within the documented error at many cardinalities, merging is the
 * sketch of the union, and the set keeps (group, value) pairs apart. */
#include <math.h>
#include <stdlib.h>

#include "common/mem.h"
#include "exec/distinct_set.h"
#include "exec/hash.h"
#include "exec/hll.h"
#include "unit.h"

/* The 64-bit hashes exec/hash.h gives the bigints [from, from + n). */
static void add_range(uint8_t *registers, int64_t from, int64_t n)
{
    Vector v;
    vector_init(&v, type_make(TYPE_BIGINT), VECTOR_CAPACITY);
    uint64_t hashes[VECTOR_CAPACITY];
    for (int64_t done = 0; done < n;) {
        uint32_t m = n - done > VECTOR_CAPACITY ? VECTOR_CAPACITY : (uint32_t)(n - done);
        for (uint32_t i = 0; i < m; i++) VEC_DATA(&v, int64_t)[i] = from + done + i;
        hash_vector(&v, m, hashes, false);
        for (uint32_t i = 0; i < m; i++) hll_add(registers, hashes[i]);
        done += m;
    }
    vector_destroy(&v);
}

TEST(hll_empty_is_zero)
{
    uint8_t *r = mem_calloc(HLL_REGISTERS, 1);
    CHECK_EQ_INT(hll_estimate(r), 0);
    mem_free(r);
}

TEST(hll_small_counts_are_close)
{
    /* linear counting: exact for these tiny counts, then within a few values */
    for (int64_t n = 1; n <= 500; n += 7) {
        uint8_t *r = mem_calloc(HLL_REGISTERS, 1);
        add_range(r, 1000 * n, n);
        add_range(r, 1000 * n, n); /* duplicates change nothing */
        int64_t e = hll_estimate(r);
        if (n <= 50) CHECK_EQ_INT(e, n);
        else CHECK(llabs(e - n) <= 2 + n * 3 / 100);
        mem_free(r);
    }
}

TEST(hll_error_within_bound)
{
    /* 3.5 standard errors (1.6% each): a failure here is a real bug */
    static const int64_t sizes[] = {1000, 5000, 10000, 30000, 100000, 300000, 1000000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t *r = mem_calloc(HLL_REGISTERS, 1);
        add_range(r, (int64_t)k * 10000000, sizes[k]);
        double rel = fabs((double)hll_estimate(r) - (double)sizes[k]) / (double)sizes[k];
        CHECK(rel < 0.056);
        mem_free(r);
    }
}

TEST(hll_merge_is_union)
{
    uint8_t *a = mem_calloc(HLL_REGISTERS, 1), *b = mem_calloc(HLL_REGISTERS, 1), *u = mem_calloc(HLL_REGISTERS, 1);
    add_range(a, 0, 60000);
    add_range(b, 40000, 60000);
    add_range(u, 0, 100000);
    hll_merge(a, b);
    CHECK(memcmp(a, u, HLL_REGISTERS) == 0);
    CHECK_EQ_INT(hll_estimate(a), hll_estimate(u));
    mem_free(a);
    mem_free(b);
    mem_free(u);
}

TEST(distinct_set_keeps_groups_apart)
{
    LogicalType t = type_make(TYPE_INTEGER);
    DistinctSet set;
    distinct_set_init(&set, 1, &t);
    Vector v;
    vector_init(&v, t, VECTOR_CAPACITY);
    uint32_t groups[VECTOR_CAPACITY];
    uint64_t hashes[VECTOR_CAPACITY];
    Vector *cols[1] = {&v};
    /* 3000 rows: values i % 700 in groups i % 3; each pair (i % 3, i % 700)
     * is distinct for i < 2100, so 2100 are new */
    int fresh = 0;
    for (uint32_t base = 0; base < 3000; base += 1000) {
        for (uint32_t i = 0; i < 1000; i++) {
            VEC_DATA(&v, int32_t)[i] = (int32_t)((base + i) % 700);
            groups[i] = (base + i) % 3;
        }
        distinct_set_hash(cols, 1, groups, 1000, hashes);
        uint32_t rows[1000];
        uint8_t is_new[1000];
        for (uint32_t i = 0; i < 1000; i++) rows[i] = i;
        Error err = ERROR_INIT;
        CHECK(distinct_set_insert_rows(&set, cols, rows, 1000, groups, hashes, is_new, &err));
        for (uint32_t i = 0; i < 1000; i++) fresh += is_new[i];
    }
    CHECK_EQ_INT(fresh, 2100);
    CHECK_EQ_INT(set.nentries, 2100);
    vector_destroy(&v);
    distinct_set_destroy(&set);
}

TEST(hll_sketch_sparse_then_dense_agrees)
{
    /* a sketch fed value by value estimates exactly as plain registers do,
     * before and after it turns dense */
    Vector v;
    vector_init(&v, type_make(TYPE_BIGINT), VECTOR_CAPACITY);
    uint64_t hashes[VECTOR_CAPACITY];
    for (uint32_t i = 0; i < 600; i++) VEC_DATA(&v, int64_t)[i] = 77 * (int64_t)i;
    hash_vector(&v, 600, hashes, false);
    HllSketch sketch = {0};
    uint8_t *plain = mem_calloc(HLL_REGISTERS, 1);
    CHECK(hll_sketch_empty(&sketch));
    CHECK_EQ_INT(hll_sketch_estimate(&sketch), 0);
    bool agreed = true, was_sparse_at_40 = false;
    for (uint32_t i = 0; i < 600; i++) {
        hll_sketch_add(&sketch, hashes[i]);
        hll_sketch_add(&sketch, hashes[i / 2]); /* repeats */
        hll_add(plain, hashes[i]);
        agreed &= hll_sketch_estimate(&sketch) == hll_estimate(plain);
        if (i == 40) was_sparse_at_40 = sketch.dense == NULL;
    }
    CHECK(agreed);
    CHECK(was_sparse_at_40);
    CHECK(sketch.dense != NULL);
    uint8_t *out = mem_alloc(HLL_REGISTERS);
    hll_sketch_registers(&sketch, out);
    CHECK(memcmp(out, plain, HLL_REGISTERS) == 0);
    /* merging register by register gives the same sketch */
    HllSketch merged = {0};
    for (uint32_t r = 0; r < HLL_REGISTERS; r++)
        if (plain[r]) hll_sketch_raise(&merged, r, plain[r]);
    CHECK_EQ_INT(hll_sketch_estimate(&merged), hll_estimate(plain));
    hll_sketch_free(&sketch);
    hll_sketch_free(&merged);
    CHECK(hll_sketch_empty(&sketch));
    mem_free(out);
    mem_free(plain);
    vector_destroy(&v);
}

TEST(hll_sketch_text_round_trip)
{
    /* sparse, middling and dense sketches survive encode + merge, and the
     * text is never longer than the dense registers */
    static const int64_t sizes[] = {0, 1, 30, 64, 65, 400, 1500, 20000};
    char *text = mem_alloc(HLL_REGISTERS);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t *plain = mem_calloc(HLL_REGISTERS, 1);
        add_range(plain, 5000000 * (int64_t)k, sizes[k]);
        HllSketch sketch = {0}, copy = {0};
        for (uint32_t r = 0; r < HLL_REGISTERS; r++)
            if (plain[r]) hll_sketch_raise(&sketch, r, plain[r]);
        uint32_t len = hll_sketch_encode(&sketch, text);
        CHECK(len <= HLL_REGISTERS);
        CHECK(memchr(text, 0, len) == NULL);
        CHECK(hll_sketch_merge_text(&copy, text, len));
        uint8_t *back = mem_alloc(HLL_REGISTERS);
        hll_sketch_registers(&copy, back);
        CHECK(memcmp(back, plain, HLL_REGISTERS) == 0);
        mem_free(back);
        hll_sketch_free(&sketch);
        hll_sketch_free(&copy);
        mem_free(plain);
    }
    HllSketch junk = {0};
    CHECK(!hll_sketch_merge_text(&junk, "0000", 4));
    CHECK(!hll_sketch_merge_text(&junk, "00\x7f", 3));
    CHECK(!hll_sketch_merge_text(&junk, "000", 3)); /* rank 0 is no pair */
    CHECK(hll_sketch_merge_text(&junk, "0a5", 3));
    CHECK_EQ_INT(hll_sketch_estimate(&junk), 1);
    hll_sketch_free(&junk);
    mem_free(text);
}
