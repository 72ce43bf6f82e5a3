/* Unit tests of the Parquet column reader pool (parquet_reader.h): a pooled
 * reader goes back preferably to the same column (its buffers already have
 * that column's sizes), another column's reader is taken when there is none,
 * and values read through reused readers, whose buffers grow from chunk to
 * chunk, are right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "formats/parquet/parquet_meta.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "types/batch.h"
#include "unit.h"

/* Row r of the test file: a BIGINT and a VARCHAR whose values (and so the
 * dictionaries and pages) get larger from row group to row group. */
static int64_t value_a(int r) { return (int64_t)r * 7919 - 5; }

static void value_s(int r, char *buf)
{
    unsigned width = 4 + (unsigned)r / 100 % 64; /* longer strings in later row groups */
    snprintf(buf, 96, "%0*u", (int)width, (unsigned)r % (20 + (unsigned)r / 10));
}

/* Write rows [0, nrows) in row groups of 400 rows (ZSTD, dictionaries). */
static bool write_pool_file(const char *path, int nrows)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.codec = PQ_CODEC_ZSTD;
    o.row_group_rows = 400;
    o.page_bytes = 1024;
    const char *names[] = {"a", "s"};
    LogicalType types[] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Error err = ERROR_INIT;
    ParquetWriter *w = parquet_writer_open(path, &o, &err);
    if (w == NULL || !parquet_writer_begin(w, 2, names, types, &err)) {
        printf("writer: %s\n", err.message);
        parquet_writer_abort(w);
        return false;
    }
    Batch b;
    batch_init(&b, 2, types, VECTOR_CAPACITY);
    bool ok = true;
    char buf[96];
    for (int first = 0; ok && first < nrows; first += 1000) {
        int count = nrows - first < 1000 ? nrows - first : 1000;
        batch_reset(&b);
        for (int i = 0; i < count; i++) {
            vector_set_valid(b.cols[0], (uint32_t)i);
            VEC_DATA(b.cols[0], int64_t)[i] = value_a(first + i);
            value_s(first + i, buf);
            vector_set_valid(b.cols[1], (uint32_t)i);
            VEC_DATA(b.cols[1], KString)[i] = vector_make_string(b.cols[1], buf, (uint32_t)strlen(buf));
        }
        b.count = (uint32_t)count;
        ok = parquet_writer_write_batch(w, &b, &err);
    }
    batch_destroy(&b);
    if (!ok) {
        printf("write: %s\n", err.message);
        parquet_writer_abort(w);
        return false;
    }
    return parquet_writer_close(w, &err);
}

/* Read all of reader r (column col of row group g, starting at row first)
 * and count the rows that differ from the test data. */
static int64_t wrong_rows(ParquetFile *pf, ParquetColumnReader *r, int g, int col, int first)
{
    int64_t wrong = 0, left = pf->meta.row_groups[g].num_rows;
    Vector v;
    vector_init(&v, pf->cols[col].type, 0);
    char buf[96];
    int row = first;
    while (left > 0) {
        uint32_t n = left < 300 ? (uint32_t)left : 300;
        vector_reset(&v);
        Error err = ERROR_INIT;
        if (!parquet_column_reader_read(r, &v, 0, n, &err)) {
            printf("read: %s\n", err.message);
            wrong += left;
            break;
        }
        for (uint32_t i = 0; i < n; i++, row++) {
            if (col == 0) {
                wrong += VEC_DATA(&v, int64_t)[i] != value_a(row);
            } else {
                const KString *ks = &VEC_DATA(&v, KString)[i];
                value_s(row, buf);
                wrong += ks->len != strlen(buf) || memcmp(kstring_data(ks), buf, ks->len) != 0;
            }
        }
        left -= n;
    }
    vector_destroy(&v);
    return wrong;
}

TEST(parquet_reader_pool_prefers_the_same_column_and_reads_right)
{
    char path[64];
    strcpy(path, "/tmp/kiln-unit-pqpool-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    int nrows = 2000;
    CHECK(write_pool_file(path, nrows));
    Error err = ERROR_INIT;
    ParquetFile *pf = parquet_file_open(path, &err);
    CHECK(pf != NULL);
    if (pf == NULL) return;
    CHECK_EQ_INT(pf->meta.nrow_groups, 5);
    ParquetReaderPool *pool = parquet_reader_pool_new();
    ParquetColumnReader *last[2] = {NULL, NULL};
    int first = 0, same = 0;
    for (int g = 0; g < (int)pf->meta.nrow_groups; g++) {
        /* open the columns in alternating order: a plain stack would hand
         * each column the other's reader every other row group */
        ParquetColumnReader *r[2];
        for (int k = 0; k < 2; k++) {
            int col = g % 2 ? 1 - k : k;
            r[col] = parquet_column_reader_open_pooled(pool, pf, g, col, &err);
            CHECK(r[col] != NULL);
            if (r[col] == NULL) return;
            same += r[col] == last[col];
        }
        for (int col = 0; col < 2; col++) CHECK_EQ_INT(wrong_rows(pf, r[col], g, col, first), 0);
        for (int col = 0; col < 2; col++) {
            parquet_column_reader_release(pool, r[col]);
            last[col] = r[col];
        }
        first += (int)pf->meta.row_groups[g].num_rows;
    }
    CHECK_EQ_INT(same, 2 * ((int)pf->meta.nrow_groups - 1));
    /* only the integer column's reader is pooled: the string column takes it
     * (another column's buffers) and still reads right */
    ParquetColumnReader *a = parquet_column_reader_open_pooled(pool, pf, 0, 0, &err);
    ParquetColumnReader *s = parquet_column_reader_open_pooled(pool, pf, 0, 1, &err);
    CHECK(a != NULL && s != NULL);
    if (a == NULL || s == NULL) return;
    parquet_column_reader_release(pool, a);
    ParquetColumnReader *other = parquet_column_reader_open_pooled(pool, pf, 4, 1, &err);
    CHECK(other == a);
    CHECK_EQ_INT(wrong_rows(pf, other, 4, 1, 1600), 0);
    CHECK_EQ_INT(wrong_rows(pf, s, 0, 1, 0), 0);
    parquet_column_reader_release(pool, other);
    parquet_column_reader_release(pool, s);
    parquet_reader_pool_free(pool);
    parquet_file_close(pf);
    unlink(path);
}

/* A file whose column chunks were cut out (the footer kept): every chunk
 * lies past the end of the file, and a pooled reader (fresh or reused) says
 * so instead of reading out of bounds; the pool still works afterwards. */
TEST(parquet_reader_pool_refuses_chunks_past_the_end_of_the_file)
{
    char path[64];
    strcpy(path, "/tmp/kiln-unit-pqpool-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    CHECK(write_pool_file(path, 1000));
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL) return;
    static uint8_t data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    CHECK(n > 12 && n < sizeof data);
    uint32_t footer = (uint32_t)data[n - 8] | (uint32_t)data[n - 7] << 8 | (uint32_t)data[n - 6] << 16 |
                      (uint32_t)data[n - 5] << 24;
    CHECK(footer + 12 < n);
    char cut[80];
    snprintf(cut, sizeof cut, "%s-cut", path);
    f = fopen(cut, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    fwrite(data, 1, 4, f);                                   /* PAR1 */
    fwrite(data + n - 8 - footer, 1, (size_t)footer + 8, f); /* footer, length, PAR1 */
    fclose(f);

    Error err = ERROR_INIT;
    ParquetFile *good = parquet_file_open(path, &err);
    ParquetFile *bad = parquet_file_open(cut, &err);
    CHECK(good != NULL && bad != NULL);
    if (good == NULL || bad == NULL) return;
    ParquetReaderPool *pool = parquet_reader_pool_new();
    /* a fresh reader */
    err = (Error)ERROR_INIT;
    CHECK(parquet_column_reader_open_pooled(pool, bad, 1, 0, &err) == NULL);
    CHECK(strstr(err.message, "the column chunk lies outside the file") != NULL);
    /* a reused one (its buffers are larger than nothing) */
    err = (Error)ERROR_INIT;
    ParquetColumnReader *r = parquet_column_reader_open_pooled(pool, good, 0, 1, &err);
    CHECK(r != NULL);
    if (r == NULL) return;
    CHECK_EQ_INT(wrong_rows(good, r, 0, 1, 0), 0);
    parquet_column_reader_release(pool, r);
    err = (Error)ERROR_INIT;
    CHECK(parquet_column_reader_open_pooled(pool, bad, 2, 1, &err) == NULL);
    CHECK(strstr(err.message, "the column chunk lies outside the file") != NULL);
    /* the failed reader was freed, not pooled: the next one is fresh and reads */
    r = parquet_column_reader_open_pooled(pool, good, 1, 1, &err);
    CHECK(r != NULL && wrong_rows(good, r, 1, 1, 400) == 0);
    parquet_column_reader_release(pool, r);
    parquet_reader_pool_free(pool);
    parquet_file_close(good);
    parquet_file_close(bad);
    unlink(cut);
    unlink(path);
}
