/* Unit tests of the column reader's direct PLAIN path (parquet_reader.c,
 * plain_direct): stretches without NULLs of INT32, INT64, DOUBLE, DATE,
 * TIMESTAMP and 64-bit decimal columns go from the page straight into the
 * output vector.  Checked: every value at every offset, validity bits left
 * over in a reused vector are set again, and a decimal whose unscaled value
 * is outside its precision (10^18 in a numeric(18,4)) is refused while
 * 10^18 - 1 and -(10^18 - 1) read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "unit.h"

#define NCOLS 6
#define NROWS 5000

static LogicalType col_type(int c)
{
    switch (c) {
    case 0: return type_make(TYPE_INTEGER);
    case 1: return type_make(TYPE_BIGINT);
    case 2: return type_make(TYPE_DOUBLE);
    case 3: return type_make(TYPE_DATE);
    case 4: return type_decimal(9, 2);
    default: return type_decimal(18, 4);
    }
}

/* Row r of column c: NULL for rows 0..99 of column 0 only; big is the
 * unscaled value of row 4321 of the numeric(18,4) column. */
static bool fill(Vector *v, int c, uint32_t i, int64_t r, int64_t big)
{
    if (c == 0 && r < 100) {
        vector_set_null(v, i);
        return false;
    }
    vector_set_valid(v, i);
    switch (c) {
    case 0: VEC_DATA(v, int32_t)[i] = (int32_t)(r * 7 - 20000); break;
    case 1: VEC_DATA(v, int64_t)[i] = r * 1000000007LL * (r % 2 ? -1 : 1); break;
    case 2: VEC_DATA(v, double)[i] = (double)r / 8 - 3; break;
    case 3: VEC_DATA(v, int32_t)[i] = (int32_t)(r - 2500); break;
    case 4: VEC_DATA(v, int64_t)[i] = r % 2 ? -r * 1000 : r * 999; break;
    default: VEC_DATA(v, int64_t)[i] = r == 4321 ? big : r * 12345; break;
    }
    return true;
}

static bool write_file(const char *path, int64_t big)
{
    LogicalType types[NCOLS];
    const char *names[NCOLS] = {"i", "b", "d", "dt", "d9", "d18"};
    for (int c = 0; c < NCOLS; c++) types[c] = col_type(c);
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.codec = PQ_CODEC_ZSTD;
    o.dictionary = false;   /* PLAIN pages */
    o.page_bytes = 8192;    /* pages that end inside a batch */
    o.row_group_rows = 3000;
    Error err = ERROR_INIT;
    ParquetWriter *w = parquet_writer_open(path, &o, &err);
    if (w == NULL || !parquet_writer_begin(w, NCOLS, names, types, &err)) {
        printf("writer: %s\n", err.message);
        parquet_writer_abort(w);
        return false;
    }
    Batch b;
    batch_init(&b, NCOLS, types, VECTOR_CAPACITY);
    bool ok = true;
    for (int64_t r = 0; ok && r < NROWS; r += 1000) {
        batch_reset(&b);
        for (int c = 0; c < NCOLS; c++)
            for (uint32_t i = 0; i < 1000; i++) fill(b.cols[c], c, i, r + i, big);
        b.count = 1000;
        ok = parquet_writer_write_batch(w, &b, &err);
    }
    batch_destroy(&b);
    if (!ok || !parquet_writer_close(w, &err)) {
        printf("write: %s\n", err.message);
        if (!ok) parquet_writer_abort(w);
        return false;
    }
    return true;
}

/* Read column c of every row group in reads of `step` rows into one vector
 * that is never reset (each read lands at offset rows % 2048, so leftover
 * NULL bits must be overwritten), comparing every value; false on the first
 * difference or error (*err set then). */
static bool read_column(ParquetFile *pf, int c, uint32_t step, int64_t big, Error *err)
{
    Vector v, want;
    vector_init(&v, pf->cols[c].type, 0);
    vector_init(&want, pf->cols[c].type, 0);
    bool ok = true;
    int64_t row = 0;
    for (uint32_t g = 0; ok && g < pf->meta.nrow_groups; g++) {
        ParquetColumnReader *r = parquet_column_reader_open(pf, (int)g, c, err);
        if (r == NULL) {
            ok = false;
            break;
        }
        int64_t left = pf->meta.row_groups[g].num_rows;
        while (ok && left > 0) {
            uint32_t off = (uint32_t)(row % VECTOR_CAPACITY), n = step;
            if (n > left) n = (uint32_t)left;
            if (n > VECTOR_CAPACITY - off) n = VECTOR_CAPACITY - off;
            if (!parquet_column_reader_read(r, &v, off, n, err)) {
                ok = false;
                break;
            }
            size_t w = type_physical_size(v.type);
            for (uint32_t i = off; i < off + n; i++, row++) {
                bool valid = fill(&want, c, i, row, big);
                if (valid != vector_is_valid(&v, i) ||
                    (valid && memcmp((char *)v.data + i * w, (char *)want.data + i * w, w) != 0)) {
                    printf("column %d row %lld differs\n", c, (long long)row);
                    ok = false;
                    break;
                }
            }
            left -= n;
        }
        parquet_column_reader_close(r);
    }
    vector_destroy(&v);
    vector_destroy(&want);
    return ok && (row == NROWS || !printf("column %d: %lld rows\n", c, (long long)row));
}

static char *temp_file(const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        strcpy(dir, "/tmp/kiln-unit-pqplain-XXXXXX");
        if (!mkdtemp(dir)) return NULL;
    }
    char *p = mem_alloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

TEST(parquet_plain_pages_decode_straight_into_the_vector)
{
    const int64_t edge = 999999999999999999LL; /* 10^18 - 1: the largest numeric(18,4) */
    const int64_t bigs[] = {edge, -edge};
    for (int k = 0; k < 2; k++) {
        char *path = temp_file("plain.parquet");
        CHECK(write_file(path, bigs[k]));
        Error err = ERROR_INIT;
        ParquetFile *pf = parquet_file_open(path, &err);
        CHECK(pf != NULL);
        if (pf) {
            CHECK_EQ_INT(pf->meta.nrow_groups, 2);
            const uint32_t steps[] = {2048, 1500, 77};
            for (int c = 0; c < NCOLS; c++)
                for (int s = 0; s < 3; s++) {
                    Error e = ERROR_INIT;
                    CHECK(read_column(pf, c, steps[s], bigs[k], &e));
                }
            parquet_file_close(pf);
        }
        unlink(path);
        mem_free(path);
    }
}

TEST(parquet_plain_decimal_outside_its_precision_is_refused)
{
    const int64_t bigs[] = {999999999999999999LL + 1, -999999999999999999LL - 1, INT64_MIN, INT64_MAX};
    for (int k = 0; k < 4; k++) {
        char *path = temp_file("bad.parquet");
        CHECK(write_file(path, bigs[k]));
        Error err = ERROR_INIT;
        ParquetFile *pf = parquet_file_open(path, &err);
        CHECK(pf != NULL);
        if (pf) {
            CHECK(!read_column(pf, 5, 2048, bigs[k], &err));
            CHECK(strstr(err.message, "decimal value does not fit its precision") != NULL);
            CHECK(strstr(err.message, "d18") != NULL);
            /* the other columns are fine */
            Error e = ERROR_INIT;
            CHECK(read_column(pf, 4, 2048, bigs[k], &e));
            parquet_file_close(pf);
        }
        unlink(path);
        mem_free(path);
    }
}
