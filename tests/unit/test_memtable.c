/* Unit tests of exec/memtable.c: appends copy values, NULLs and long strings
 * exactly (with and without a selection vector, across chunk boundaries, and
 * independent of the source afterwards). */
#include <stdio.h>

#include "exec/memtable.h"
#include "unit.h"

static const LogicalType kinds[3] = {{.id = TYPE_BIGINT}, {.id = TYPE_VARCHAR}, {.id = TYPE_BOOLEAN}};

/* Source row i: id i*7, text "s<i>" padded long for every third row, NULLs
 * in the text every 5th row and in the flag every 11th (when with_nulls). */
static void text_of(uint32_t i, char *buf, size_t size)
{
    if (i % 3 == 0) snprintf(buf, size, "a long string number %u, past the inline limit", i);
    else snprintf(buf, size, "s%u", i);
}

static void fill_source(Batch *b, uint32_t n, uint32_t base, bool with_nulls)
{
    batch_init(b, 3, kinds, VECTOR_CAPACITY);
    char buf[96];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = base + k;
        VEC_DATA(b->cols[0], int64_t)[k] = (int64_t)i * 7;
        text_of(i, buf, sizeof buf);
        vector_set_string(b->cols[1], k, buf, (uint32_t)strlen(buf));
        VEC_DATA(b->cols[2], bool)[k] = i % 2 == 0;
        if (with_nulls && i % 5 == 0) vector_set_null(b->cols[1], k);
        if (with_nulls && i % 11 == 0) vector_set_null(b->cols[2], k);
    }
    b->count = n;
}

/* Check memtable row r against source row i. */
static bool row_matches(const MemTable *t, uint64_t r, uint32_t i, bool with_nulls)
{
    const Batch *chunk = &t->chunks[r / VECTOR_CAPACITY];
    uint32_t slot = (uint32_t)(r % VECTOR_CAPACITY);
    if (slot >= chunk->count) return false;
    if (VEC_DATA(chunk->cols[0], int64_t)[slot] != (int64_t)i * 7) return false;
    if (!vector_is_valid(chunk->cols[0], slot)) return false;
    bool text_null = with_nulls && i % 5 == 0, flag_null = with_nulls && i % 11 == 0;
    if (vector_is_valid(chunk->cols[1], slot) == text_null) return false;
    if (!text_null) {
        char buf[96];
        text_of(i, buf, sizeof buf);
        const KString *ks = &VEC_DATA(chunk->cols[1], KString)[slot];
        if (ks->len != strlen(buf) || memcmp(kstring_data(ks), buf, ks->len) != 0) return false;
    }
    if (vector_is_valid(chunk->cols[2], slot) == flag_null) return false;
    if (!flag_null && VEC_DATA(chunk->cols[2], bool)[slot] != (i % 2 == 0)) return false;
    return true;
}

/* Overwrite the source's values and strings so a shallow copy would show. */
static void scribble(Batch *b)
{
    batch_reset(b);
    char junk[64];
    memset(junk, 'x', sizeof junk);
    for (uint32_t k = 0; k < 1500; k++) {
        VEC_DATA(b->cols[0], int64_t)[k] = -1;
        vector_set_string(b->cols[1], k, junk, sizeof junk);
    }
}

TEST(memtable_append_copies_across_chunks)
{
    MemTable t;
    memtable_init(&t, 3, kinds);
    Batch a, b;
    fill_source(&a, 1500, 0, true);
    fill_source(&b, 1500, 1500, true);
    memtable_append(&t, &a);
    memtable_append(&t, &b); /* 548 rows fill chunk 0, 952 start chunk 1 */
    scribble(&a);
    scribble(&b);
    CHECK_EQ_INT(t.nrows, 3000);
    CHECK_EQ_INT(t.nchunks, 2);
    CHECK_EQ_INT(t.chunks[0].count, VECTOR_CAPACITY);
    bool all = true;
    for (uint32_t i = 0; i < 3000; i++) all = all && row_matches(&t, i, i, true);
    CHECK(all);
    batch_destroy(&a);
    batch_destroy(&b);
    memtable_destroy(&t);
}

TEST(memtable_append_through_selection)
{
    MemTable t;
    memtable_init(&t, 3, kinds);
    Batch a;
    fill_source(&a, 2000, 0, true);
    static uint32_t sel[1000];
    for (uint32_t k = 0; k < 1000; k++) sel[k] = 2 * k + 1;
    a.sel = sel;
    a.count = 1000;
    memtable_append(&t, &a);
    memtable_append(&t, &a); /* the second copy straddles the chunk boundary at 1048 */
    a.sel = NULL;
    scribble(&a);
    CHECK_EQ_INT(t.nrows, 2000);
    bool all = true;
    for (uint32_t r = 0; r < 2000; r++) all = all && row_matches(&t, r, 2 * (r % 1000) + 1, true);
    CHECK(all);
    batch_destroy(&a);
    /* a NULL-free batch after rows with NULLs: the new rows are all valid */
    fill_source(&a, 100, 7000, false);
    memtable_append(&t, &a);
    all = true;
    for (uint32_t r = 0; r < 100; r++) all = all && row_matches(&t, 2000 + r, 7000 + r, false);
    CHECK(all);
    batch_destroy(&a);
    memtable_destroy(&t);
}

/* A memtable holding rows [base, base+n) of the source, in one chunk when n <= VECTOR_CAPACITY. */
static void source_table(MemTable *t, uint32_t n, uint32_t base)
{
    memtable_init(t, 3, kinds);
    Batch b;
    fill_source(&b, n, base, true);
    memtable_append(t, &b);
    batch_destroy(&b);
}

TEST(memtable_absorb_takes_big_chunks_and_copies_small_ones)
{
    MemTable a, b, c, d, t;
    source_table(&a, 1500, 0);
    source_table(&b, 300, 1500);
    source_table(&c, VECTOR_CAPACITY, 1800);
    source_table(&d, 200, 1800 + VECTOR_CAPACITY);
    memtable_init(&t, 3, kinds);
    CHECK(memtable_absorb(&t, &a.chunks[0]));  /* at least half full: taken */
    CHECK_EQ_INT(a.chunks[0].count, 0);
    CHECK(a.chunks[0].owned == NULL);
    CHECK(!memtable_absorb(&t, &b.chunks[0])); /* fits in the tail: copied after the taken rows */
    CHECK_EQ_INT(b.chunks[0].count, 300);
    CHECK(memtable_absorb(&t, &c.chunks[0]));  /* does not fit: taken, the tail stays at 1800 rows */
    CHECK(!memtable_absorb(&t, &d.chunks[0])); /* under half full: copied into a new chunk */
    /* the sources go first: what was taken belongs to t alone now */
    memtable_destroy(&a);
    memtable_destroy(&b);
    memtable_destroy(&c);
    memtable_destroy(&d);
    CHECK_EQ_INT(t.nrows, 1500 + 300 + VECTOR_CAPACITY + 200);
    CHECK_EQ_INT(t.nchunks, 3);
    CHECK_EQ_INT(t.chunks[0].count, 1800);
    CHECK_EQ_INT(t.chunks[1].count, VECTOR_CAPACITY);
    CHECK_EQ_INT(t.chunks[2].count, 200);
    bool all = true;
    for (uint32_t k = 0; k < 1800; k++) all = all && row_matches(&t, k, k, true);
    for (uint32_t k = 0; k < VECTOR_CAPACITY; k++) all = all && row_matches(&t, VECTOR_CAPACITY + k, 1800 + k, true);
    for (uint32_t k = 0; k < 200; k++)
        all = all && row_matches(&t, 2 * VECTOR_CAPACITY + k, 1800 + VECTOR_CAPACITY + k, true);
    CHECK(all);
    /* appends go on at the end, into a partly filled taken chunk too */
    MemTable e;
    source_table(&e, 1100, 9000);
    CHECK(!memtable_absorb(&t, &e.chunks[0])); /* fits in the tail's 1848 free slots */
    memtable_destroy(&e);
    source_table(&e, 1200, 10000);
    CHECK(memtable_absorb(&t, &e.chunks[0]));  /* 748 free slots: taken as chunk 3 */
    memtable_destroy(&e);
    Batch more;
    fill_source(&more, 100, 20000, true);
    memtable_append(&t, &more);
    batch_destroy(&more);
    CHECK_EQ_INT(t.nchunks, 4);
    CHECK_EQ_INT(t.chunks[3].count, 1300);
    all = true;
    for (uint32_t k = 0; k < 1100; k++) all = all && row_matches(&t, 2 * VECTOR_CAPACITY + 200 + k, 9000 + k, true);
    for (uint32_t k = 0; k < 1200; k++) all = all && row_matches(&t, 3 * VECTOR_CAPACITY + k, 10000 + k, true);
    for (uint32_t k = 0; k < 100; k++) all = all && row_matches(&t, 3 * VECTOR_CAPACITY + 1200 + k, 20000 + k, true);
    CHECK(all);
    memtable_destroy(&t);
}
