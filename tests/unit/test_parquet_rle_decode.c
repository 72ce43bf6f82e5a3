/* Unit tests of the RLE/bit-packed hybrid decoder's fast paths
 * (parquet_encoding.c): whole groups unpacked per bit width straight into
 * the caller's array (every width 0..32, requests of every size around the
 * group and buffer edges, the input cut short), and pq_rle_skip_run, which
 * the reader uses to see a column chunk's definition levels as one run. */
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_encoding.h"
#include "unit.h"

/* Decode count values of `width` bits encoded by pq_rle_encode in requests
 * of `step` values; true if they all come back equal. */
static bool round_trip(const uint32_t *values, uint32_t count, int width, uint32_t step)
{
    StrBuf out = STRBUF_INIT;
    pq_rle_encode(&out, values, count, width);
    /* decode from an exact-size copy, so reads past the end are caught by ASan */
    uint8_t *exact = mem_alloc(out.len + 1);
    memcpy(exact, out.data ? out.data : "", out.len);
    PqRleDecoder d;
    pq_rle_init(&d, exact, out.len, width);
    static uint32_t got[5000];
    uint32_t taken = 0;
    while (taken < count) {
        uint32_t n = count - taken < step ? count - taken : step;
        if (pq_rle_get(&d, got + taken, n) != n) break;
        taken += n;
    }
    /* (past the end a bit-packed run may hold padding up to its group of 8) */
    bool ok = taken == count && (count == 0 || memcmp(values, got, count * sizeof(uint32_t)) == 0);
    mem_free(exact);
    strbuf_free(&out);
    return ok;
}

TEST(parquet_rle_decodes_every_bit_width)
{
    static uint32_t values[5000];
    const uint32_t steps[] = {1, 7, 8, 9, 64, 77, 2048, 5000};
    for (int width = 0; width <= 32; width++) {
        uint32_t mask = width == 0 ? 0 : (uint32_t)((1ull << width) - 1);
        for (uint32_t n = 0; n < 5000; n++) values[n] = (uint32_t)(n * 2654435761u ^ (n >> 3) * 40503u) & mask;
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            bool ok = round_trip(values, 5000, width, steps[s]) && round_trip(values, 13, width, steps[s]) &&
                      round_trip(values, 4097, width, steps[s]);
            if (!ok) CHECK_EQ_INT(width * 10000 + (int)steps[s], -1); /* names the failing case */
            CHECK(ok);
        }
    }
}

TEST(parquet_rle_bit_packed_run_cut_short)
{
    /* a bit-packed run header announcing 4 groups (32 values) of width 5, with
     * only 2 groups and 1 byte of data: the decoder returns what is there */
    uint8_t data[1 + 11];
    data[0] = (4 << 1) | 1;
    for (int i = 1; i < 12; i++) data[i] = (uint8_t)(0x5a + i);
    PqRleDecoder d;
    pq_rle_init(&d, data, sizeof data, 5);
    uint32_t got[32];
    uint32_t n = pq_rle_get(&d, got, 32);
    CHECK(n >= 16 && n <= 24);
    /* the first value is the low 5 bits of the first byte */
    CHECK_EQ_INT(got[0], data[1] & 31);
}

TEST(parquet_rle_skip_run_sees_one_run)
{
    uint32_t ones[3000], mixed[3000];
    for (int i = 0; i < 3000; i++) {
        ones[i] = 1;
        mixed[i] = i < 1000 ? 1 : (uint32_t)(i % 2);
    }
    StrBuf out = STRBUF_INIT;
    pq_rle_encode(&out, ones, 3000, 1);
    PqRleDecoder d;
    uint32_t v = 7;
    pq_rle_init(&d, (const uint8_t *)out.data, out.len, 1);
    CHECK(pq_rle_skip_run(&d, 2048, &v));
    CHECK_EQ_INT(v, 1);
    CHECK(!pq_rle_skip_run(&d, 2048, &v)); /* only 952 left */
    CHECK(pq_rle_skip_run(&d, 952, &v));
    CHECK(!pq_rle_skip_run(&d, 1, &v)); /* the end */
    strbuf_free(&out);

    /* a run of 1000 then literals: skipping more than the run fails and consumes nothing */
    StrBuf out2 = STRBUF_INIT;
    pq_rle_encode(&out2, mixed, 3000, 1);
    pq_rle_init(&d, (const uint8_t *)out2.data, out2.len, 1);
    CHECK(!pq_rle_skip_run(&d, 1001, &v));
    CHECK(pq_rle_skip_run(&d, 1000, &v));
    CHECK(!pq_rle_skip_run(&d, 8, &v)); /* bit-packed values are not a run */
    uint32_t got[2000];
    CHECK_EQ_INT(pq_rle_get(&d, got, 2000), 2000);
    CHECK(memcmp(got, mixed + 1000, sizeof got) == 0);
    strbuf_free(&out2);
}

/* pq_rle_skip passes over exactly what pq_rle_get would read: after skipping
 * k values (in steps of every size, RLE and bit-packed runs mixed, every
 * width), the next values decoded are values[k...]; at the end of the input
 * both stop at the same count. */
TEST(parquet_rle_skip_matches_get)
{
    static uint32_t values[4100], got[4100];
    const uint32_t steps[] = {1, 5, 8, 13, 64, 2048};
    for (int width = 0; width <= 32; width += (width < 10 ? 1 : 7)) {
        uint32_t mask = width == 0 ? 0 : (uint32_t)((1ull << width) - 1);
        /* runs of repeats (RLE) between stretches of distinct values (bit-packed) */
        for (uint32_t n = 0; n < 4100; n++) values[n] = ((n / 300) % 2 ? 3u : n * 2654435761u) & mask;
        StrBuf out = STRBUF_INIT;
        pq_rle_encode(&out, values, 4100, width);
        uint8_t *exact = mem_alloc(out.len + 1);
        memcpy(exact, out.data ? out.data : "", out.len);
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            PqRleDecoder d;
            pq_rle_init(&d, exact, out.len, width);
            uint32_t at = 0;
            bool ok = true;
            /* alternate: skip a step, read 7 values and compare */
            while (ok && at + steps[s] + 7 <= 4100) {
                ok = pq_rle_skip(&d, steps[s]) == steps[s];
                at += steps[s];
                ok = ok && pq_rle_get(&d, got, 7) == 7 && memcmp(got, values + at, 7 * sizeof(uint32_t)) == 0;
                at += 7;
            }
            ok = ok && pq_rle_skip(&d, 4100) == 4100 - at; /* the end: what is left */
            if (!ok) CHECK_EQ_INT(width * 10000 + (int)steps[s], -1); /* names the failing case */
            CHECK(ok);
        }
        mem_free(exact);
        strbuf_free(&out);
    }
}
