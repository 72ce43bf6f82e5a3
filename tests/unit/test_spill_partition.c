/* Unit tests of exec/spill_partition: rows go to the partition their hash
 * bits choose, come back intact (NULLs and long strings included) through
 * the spill scan, count in spilled_bytes, and memtable sizes are counted
 * incrementally. */
#include <stdio.h>

#include "exec/spill_partition.h"
#include "unit.h"

TEST(spill_partition_of_uses_high_bits_per_depth)
{
    uint64_t h = 0xA5ULL << 56; /* top nibbles 1010 0101 */
    CHECK_EQ_INT(spill_partition_of(h, 0), 0xA);
    CHECK_EQ_INT(spill_partition_of(h, 1), 0x5);
    CHECK_EQ_INT(spill_partition_of(h, 2), 0);
}

TEST(spill_partitions_route_and_read_back)
{
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Batch b;
    batch_init(&b, 2, types, VECTOR_CAPACITY);
    uint64_t hashes[100];
    uint32_t rows[100];
    for (uint32_t i = 0; i < 100; i++) {
        VEC_DATA(b.cols[0], int64_t)[i] = i;
        char text[64];
        int len = snprintf(text, sizeof text, "a string longer than inline storage %u", i);
        if (i % 10 == 3) vector_set_null(b.cols[1], i);
        else VEC_DATA(b.cols[1], KString)[i] = vector_make_string(b.cols[1], text, (uint32_t)len);
        hashes[i] = (uint64_t)(i % 3) << 60; /* partitions 0, 1, 2 at depth 0 */
        rows[i] = i;
    }
    b.count = 100;
    Error err = ERROR_INIT;
    ExecContext ctx;
    memset(&ctx, 0, sizeof ctx);
    SpillPartitions *p = spill_partitions_new("/tmp", 0);
    /* rows 0..49, then 50..99: the order within a partition is kept */
    CHECK(spill_partitions_write(p, &b, rows, 50, hashes, &err));
    CHECK(spill_partitions_write(p, &b, rows + 50, 50, hashes, &err));
    CHECK(spill_partitions_finish(p, &ctx, &err));
    CHECK(ctx.spilled_bytes > 0);
    CHECK_EQ_INT(p->rows[0], 34);
    CHECK_EQ_INT(p->rows[1], 33);
    CHECK_EQ_INT(p->rows[2], 33);
    CHECK(p->files[3] == NULL);
    ExecNode *scan = spill_scan_create(spill_partitions_take(p, 1), 2, types, &ctx);
    CHECK(spill_partitions_take(p, 1) == NULL);
    uint32_t seen = 0;
    int64_t expect = 1;
    bool intact = true;
    for (;;) {
        Batch *out;
        CHECK(exec_next(scan, &out, &err));
        if (out->count == 0) break;
        for (uint32_t r = 0; r < out->count; r++, expect += 3, seen++) {
            if (VEC_DATA(out->cols[0], int64_t)[r] != expect) intact = false;
            bool null = !vector_is_valid(out->cols[1], r);
            if (null != (expect % 10 == 3)) intact = false;
            if (!null) {
                char text[64];
                int len = snprintf(text, sizeof text, "a string longer than inline storage %u", (unsigned)expect);
                const KString *k = &VEC_DATA(out->cols[1], KString)[r];
                if (k->len != (uint32_t)len || memcmp(kstring_data(k), text, (size_t)len) != 0) intact = false;
            }
        }
    }
    CHECK_EQ_INT(seen, 33);
    CHECK(intact);
    exec_close(scan);
    /* a scan of no file is empty */
    ExecNode *empty = spill_scan_create(NULL, 2, types, &ctx);
    Batch *out;
    CHECK(exec_next(empty, &out, &err));
    CHECK_EQ_INT(out->count, 0);
    exec_close(empty);
    spill_partitions_free(p);
    batch_destroy(&b);
}

TEST(spill_partitions_report_unwritable_directory)
{
    LogicalType type = type_make(TYPE_INTEGER);
    Batch b;
    batch_init(&b, 1, &type, VECTOR_CAPACITY);
    b.count = 1;
    VEC_DATA(b.cols[0], int32_t)[0] = 7;
    uint64_t hash = 0;
    uint32_t row = 0;
    Error err = ERROR_INIT;
    SpillPartitions *p = spill_partitions_new("/nonexistent/kiln", 0);
    CHECK(!spill_partitions_write(p, &b, &row, 1, &hash, &err));
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK(strstr(err.message, "could not create a spill file in \"/nonexistent/kiln\"") != NULL);
    spill_partitions_free(p);
    batch_destroy(&b);
}

TEST(spill_memtable_bytes_counts_incrementally)
{
    LogicalType type = type_make(TYPE_BIGINT);
    MemTable t;
    memtable_init(&t, 1, &type);
    Batch b;
    batch_init(&b, 1, &type, VECTOR_CAPACITY);
    b.count = VECTOR_CAPACITY;
    uint64_t sealed = 0;
    int sealed_chunks = 0;
    for (int i = 0; i < 5; i++) {
        memtable_append(&t, &b);
        uint64_t bytes = spill_memtable_bytes(&t, &sealed, &sealed_chunks);
        CHECK(bytes >= memtable_bytes(&t));
        CHECK(bytes <= memtable_bytes(&t) + sizeof(Batch) * (uint64_t)t.cap_chunks);
    }
    CHECK_EQ_INT(sealed_chunks, 4);
    memtable_clear(&t);
    CHECK(spill_memtable_bytes(&t, &sealed, &sealed_chunks) <= sizeof(Batch) * (uint64_t)t.cap_chunks);
    CHECK_EQ_INT(sealed_chunks, 0);
    memtable_destroy(&t);
    batch_destroy(&b);
}
