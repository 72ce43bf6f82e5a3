/* Unit tests of the Parquet components: the Thrift compact protocol, the
 * RLE/bit-packed hybrid, DELTA_BINARY_PACKED, the metadata codec, and a
 * writer -> reader round trip (every type, NULLs, dictionary fallback, small
 * pages and row groups, every codec); then every truncation and many byte
 * corruptions of a written file, which must fail cleanly or read, never
 * crash (the ASan build runs this too). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_meta.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/parquet/thrift_compact.h"
#include "types/cast.h"
#include "unit.h"

TEST(parquet_thrift_round_trips_fields_and_skips_unknown_ones)
{
    TcWriter w;
    tc_writer_init(&w);
    tc_write_struct_begin(&w);
    tc_write_i32_field(&w, 1, -5);
    tc_write_i64_field(&w, 2, INT64_MIN);
    tc_write_binary_field(&w, 40, "hello", 5); /* long-form field header */
    tc_write_field(&w, 41, TC_LIST);
    tc_write_list_begin(&w, TC_I32, 20);
    for (int i = 0; i < 20; i++) tc_write_i32(&w, i * 1000);
    tc_write_bool_field(&w, 42, true);
    tc_write_struct_end(&w);

    TcReader r;
    tc_reader_init(&r, w.data, w.len);
    CHECK(tc_struct_begin(&r));
    int16_t id;
    int type;
    CHECK(tc_field(&r, &id, &type));
    CHECK_EQ_INT(id, 1);
    CHECK_EQ_INT(tc_i32(&r), -5);
    CHECK(tc_field(&r, &id, &type));
    CHECK_EQ_INT(id, 2);
    CHECK(tc_i64(&r) == INT64_MIN);
    CHECK(tc_field(&r, &id, &type));
    CHECK_EQ_INT(id, 40);
    uint32_t len;
    const uint8_t *s = tc_binary(&r, &len);
    CHECK(len == 5 && memcmp(s, "hello", 5) == 0);
    CHECK(tc_field(&r, &id, &type));
    CHECK_EQ_INT(id, 41);
    tc_skip(&r, type);
    CHECK(tc_field(&r, &id, &type));
    CHECK_EQ_INT(id, 42);
    CHECK(tc_bool(&r, type));
    CHECK(!tc_field(&r, &id, &type));
    CHECK(r.ok);
    CHECK(r.p == r.end);

    /* every truncation fails without reading past the end */
    for (size_t n = 0; n < w.len; n++) {
        uint8_t *copy = mem_alloc(n ? n : 1);
        memcpy(copy, w.data, n);
        tc_reader_init(&r, copy, n);
        if (tc_struct_begin(&r))
            while (tc_field(&r, &id, &type)) tc_skip(&r, type);
        CHECK(!r.ok);
        mem_free(copy);
    }
    tc_writer_free(&w);
}

TEST(parquet_thrift_refuses_huge_lists_and_deep_nesting)
{
    /* a list header claiming 2^31 elements in 6 bytes */
    const uint8_t huge[] = {0xf5, 0x80, 0x80, 0x80, 0x80, 0x08};
    TcReader r;
    tc_reader_init(&r, huge, sizeof huge);
    int et;
    uint32_t n;
    CHECK(!tc_list_begin(&r, &et, &n));
    CHECK(r.why != NULL && strstr(r.why, "list longer") != NULL);
    /* structs nested 100 deep: field 1 of type struct, again and again */
    uint8_t deep[100];
    memset(deep, 0x1c, sizeof deep);
    tc_reader_init(&r, deep, sizeof deep);
    tc_skip(&r, TC_STRUCT);
    CHECK(!r.ok);
    CHECK(strstr(r.why, "nested too deeply") != NULL);
}

TEST(parquet_rle_hybrid_round_trips)
{
    uint32_t values[3000], got[3000];
    for (int width = 0; width <= 20; width += (width < 3 ? 1 : 5)) {
        uint32_t mask = width == 0 ? 0 : (uint32_t)((1ull << width) - 1);
        for (int n = 0; n < 3000; n++) {
            /* runs, literals and a ragged end */
            values[n] = (n % 500 < 100) ? 1 & mask : ((uint32_t)n * 2654435761u) & mask;
        }
        for (size_t count = 0; count < 3000; count += 1 + count * 3) {
            StrBuf out = STRBUF_INIT;
            pq_rle_encode(&out, values, count, width);
            PqRleDecoder d;
            pq_rle_init(&d, (const uint8_t *)(out.data ? out.data : ""), out.len, width);
            uint32_t taken = 0;
            while (taken < count) {
                uint32_t step = count - taken < 77 ? count - taken : 77;
                if (pq_rle_get(&d, got + taken, step) != step) break;
                taken += step;
            }
            CHECK_EQ_INT(taken, count);
            CHECK(count == 0 || memcmp(values, got, count * sizeof(uint32_t)) == 0);
            strbuf_free(&out);
        }
    }
    CHECK_EQ_INT(pq_bit_width(0), 0);
    CHECK_EQ_INT(pq_bit_width(1), 1);
    CHECK_EQ_INT(pq_bit_width(255), 8);
    CHECK_EQ_INT(pq_bit_width(256), 9);
}

TEST(parquet_delta_binary_packed_decodes_the_spec_layout)
{
    /* 1..5: block size 128, 4 miniblocks, 5 values, first 1; min delta 1, widths 0 */
    const uint8_t simple[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    PqDeltaDecoder d;
    int64_t out[8];
    CHECK(pq_delta_init(&d, simple, sizeof simple));
    CHECK_EQ_INT(pq_delta_get(&d, out, 8), 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(out[i], i + 1);
    /* 7 5 3 1 2 3: deltas -2 -2 -2 1 1, min -2, relative 0 0 0 3 3 at 2 bits */
    uint8_t packed[6 + 4 + 8] = {0x80, 0x01, 0x04, 0x06, 0x0e, 0x03, 2, 0, 0, 0, 0xc0, 0x03};
    CHECK(pq_delta_init(&d, packed, sizeof packed));
    CHECK_EQ_INT(pq_delta_get(&d, out, 3), 3);
    CHECK_EQ_INT(pq_delta_get(&d, out + 3, 5), 3);
    const int64_t want[] = {7, 5, 3, 1, 2, 3};
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(out[i], want[i]);
    CHECK(pq_delta_skip_all(&d) == packed + sizeof packed);
    /* a miniblock that the input cannot hold is an error, not a read past the end */
    CHECK(pq_delta_init(&d, packed, 11));
    CHECK(pq_delta_get(&d, out, 6) < 6);
    /* a block size that is not a multiple of 128 */
    const uint8_t bad[] = {0x40, 0x04, 0x05, 0x02};
    CHECK(!pq_delta_init(&d, bad, sizeof bad));
}

/* ---- writer -> reader ---- */

static const LogicalType *all_types(int *n)
{
    static LogicalType t[10];
    t[0] = type_make(TYPE_BOOLEAN);
    t[1] = type_make(TYPE_INTEGER);
    t[2] = type_make(TYPE_BIGINT);
    t[3] = type_make(TYPE_DOUBLE);
    t[4] = type_make(TYPE_VARCHAR);
    t[5] = type_make(TYPE_DATE);
    t[6] = type_make(TYPE_TIMESTAMP);
    t[7] = type_decimal(9, 2);
    t[8] = type_decimal(18, 4);
    t[9] = type_decimal(38, 6);
    *n = 10;
    return t;
}

/* Row r of the test data, in text form (NULL = SQL NULL). */
static const char *cell(int col, int r, char *buf)
{
    if ((r + col) % 9 == 0) return NULL;
    switch (col) {
    case 0: return r % 3 ? "true" : "false";
    case 1: sprintf(buf, "%d", r % 2 ? -r * 1000 : r); return buf;
    case 2: sprintf(buf, "%lld", (long long)r * 100000000003LL * (r % 2 ? 1 : -1)); return buf;
    case 3: sprintf(buf, "%g", r / 4.0 - 100); return buf;
    case 4:
        if (r % 50 == 1) return "";
        sprintf(buf, r % 4 ? "v%d" : "a longer string value number %d", r % 4 ? r % 37 : r);
        return buf;
    case 5: sprintf(buf, "%04d-%02d-%02d", 1 + r % 9999, 1 + r % 12, 1 + r % 28); return buf;
    case 6: sprintf(buf, "2020-01-01 00:00:%02d.%06d", r % 60, r); return buf;
    case 7: sprintf(buf, "%d.%02d", r % 2 ? -r : r, r % 100); return buf;
    case 8: sprintf(buf, "%lld.%04d", (long long)r * 1000000007LL, r % 10000); return buf;
    default: sprintf(buf, "%s%d%020d.%06d", r % 2 ? "-" : "", r, r, r); return buf;
    }
}

static void fill_batch(Batch *b, int ncols, const LogicalType *types, int first, int count)
{
    char buf[96];
    batch_reset(b);
    for (int c = 0; c < ncols; c++) {
        for (int i = 0; i < count; i++) {
            const char *text = cell(c, first + i, buf);
            if (text == NULL) {
                vector_set_null(b->cols[c], (uint32_t)i);
                continue;
            }
            Error err = ERROR_INIT;
            vector_set_valid(b->cols[c], (uint32_t)i);
            if (!cast_parse_text(text, strlen(text), b->cols[c], (uint32_t)i, &err))
                printf("parse of %s failed: %s\n", text, err.message);
        }
    }
    b->count = (uint32_t)count;
}

/* Write rows [0, nrows) to path with the options. */
static bool write_file(const char *path, const ParquetWriteOptions *o, int nrows)
{
    int ncols;
    const LogicalType *types = all_types(&ncols);
    const char *names[] = {"bo", "i", "b", "d", "s", "dt", "ts", "d9", "d18", "d38"};
    Error err = ERROR_INIT;
    ParquetWriter *w = parquet_writer_open(path, o, &err);
    if (w == NULL || !parquet_writer_begin(w, ncols, names, types, &err)) {
        printf("writer: %s\n", err.message);
        parquet_writer_abort(w);
        return false;
    }
    Batch b;
    batch_init(&b, ncols, types, VECTOR_CAPACITY);
    bool ok = true;
    for (int r = 0; ok && r < nrows; r += 1000) {
        fill_batch(&b, ncols, types, r, nrows - r < 1000 ? nrows - r : 1000);
        ok = parquet_writer_write_batch(w, &b, &err);
    }
    batch_destroy(&b);
    if (!ok) {
        parquet_writer_abort(w);
        return false;
    }
    if (!parquet_writer_close(w, &err)) {
        printf("close: %s\n", err.message);
        return false;
    }
    return true;
}

/* Read every row of pf and compare with the test data; returns the rows read or -1. */
static int64_t read_and_compare(ParquetFile *pf, bool compare, Error *err)
{
    int64_t row = 0;
    char buf[96];
    StrBuf text = STRBUF_INIT;
    bool ok = true;
    for (uint32_t g = 0; ok && g < pf->meta.nrow_groups; g++) {
        for (int c = 0; ok && c < pf->ncols; c++) {
            ParquetColumnReader *r = parquet_column_reader_open(pf, (int)g, c, err);
            if (r == NULL) {
                ok = false;
                break;
            }
            Vector v;
            vector_init(&v, pf->cols[c].type, 0);
            int64_t left = pf->meta.row_groups[g].num_rows, at = row;
            while (ok && left > 0) {
                uint32_t n = left < 1500 ? (uint32_t)left : 1500;
                vector_reset(&v);
                if (!parquet_column_reader_read(r, &v, 0, n, err)) {
                    ok = false;
                    break;
                }
                for (uint32_t i = 0; compare && i < n; i++, at++) {
                    const char *want = cell(c, (int)at, buf);
                    if (!vector_is_valid(&v, i)) {
                        if (want != NULL) ok = false;
                        continue;
                    }
                    strbuf_clear(&text);
                    cast_format_value(&v, i, &text);
                    /* the reference text may be unnormalised (leading zeros, %g): parse it the same way */
                    Vector ref;
                    vector_init(&ref, pf->cols[c].type, 1);
                    Error perr = ERROR_INIT;
                    StrBuf reftext = STRBUF_INIT;
                    if (want && cast_parse_text(want, strlen(want), &ref, 0, &perr)) cast_format_value(&ref, 0, &reftext);
                    if (want == NULL || strcmp(strbuf_cstr(&text), strbuf_cstr(&reftext)) != 0) {
                        printf("row %lld col %d: got %s want %s\n", (long long)at, c, strbuf_cstr(&text), want ? want : "NULL");
                        ok = false;
                    }
                    strbuf_free(&reftext);
                    vector_destroy(&ref);
                }
                left -= n;
            }
            vector_destroy(&v);
            parquet_column_reader_close(r);
        }
        row += pf->meta.row_groups[g].num_rows;
    }
    strbuf_free(&text);
    return ok ? row : -1;
}

static char *temp_path(const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        strcpy(dir, "/tmp/kiln-unit-parquet-XXXXXX");
        if (!mkdtemp(dir)) return NULL;
    }
    char *p = mem_alloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

TEST(parquet_writer_and_reader_round_trip_every_type_and_codec)
{
    const int codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP, PQ_CODEC_ZSTD, PQ_CODEC_LZ4_RAW};
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        ParquetWriteOptions o;
        parquet_write_options_init(&o);
        o.codec = codecs[k];
        o.row_group_rows = 2500;       /* several row groups, one cut inside a batch */
        o.page_bytes = 4096;           /* several pages per chunk */
        o.dictionary_bytes = 600;      /* strings fall back to PLAIN mid-chunk */
        o.dictionary = k != 2;         /* and one file without dictionaries */
        char *path = temp_path("rt.parquet");
        CHECK(write_file(path, &o, 6001));
        Error err = ERROR_INIT;
        ParquetFile *pf = parquet_file_open(path, &err);
        CHECK(pf != NULL);
        if (pf) {
            CHECK_EQ_INT(pf->meta.nrow_groups, 3);
            CHECK_EQ_INT(pf->meta.num_rows, 6001);
            CHECK_EQ_INT(pf->ncols, 10);
            CHECK(type_equal(pf->cols[9].type, type_decimal(38, 6)));
            CHECK_EQ_INT(pf->cols[9].element->type, PQ_FIXED);
            CHECK_EQ_INT(pf->cols[9].element->type_length, 16);
            CHECK_EQ_INT(read_and_compare(pf, true, &err), 6001);
            /* statistics: null_count and min/max of the integer column of row group 0 */
            const PqColumnMeta *m = &pf->meta.row_groups[0].columns[1].meta;
            CHECK(m->has_statistics && m->statistics.has_null_count);
            CHECK(m->statistics.min_value.len == 4 && m->statistics.max_value.len == 4);
            parquet_file_close(pf);
        }
        unlink(path);
        mem_free(path);
    }
}

/* The footer cache: a file opened again (binder, morsel source, workers)
 * shares the first open's parse; a file rewritten in place with another
 * footer is parsed again; one pushed out of the cache is parsed again; a
 * shared parse outlives the file that made it. */
TEST(parquet_footer_is_decoded_once_per_distinct_footer)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.row_group_rows = 300;
    char *path = temp_path("cache.parquet");
    CHECK(write_file(path, &o, 1000));
    Error err = ERROR_INIT;
    uint64_t before = parquet_footers_decoded();
    ParquetFile *a = parquet_file_open(path, &err);
    ParquetFile *b = parquet_file_open(path, &err);
    CHECK(a != NULL && b != NULL);
    if (a == NULL || b == NULL) return;
    CHECK_EQ_INT(parquet_footers_decoded() - before, 1);
    CHECK(a->cols == b->cols && a->meta.row_groups == b->meta.row_groups);
    parquet_file_close(a); /* b keeps the shared parse alive */
    CHECK_EQ_INT(read_and_compare(b, true, &err), 1000);
    parquet_file_close(b);
    /* the same footer bytes from memory: still no decoding */
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL) return;
    static uint8_t data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    ParquetFile *m = parquet_file_open_memory("copy.parquet", data, n, &err);
    CHECK(m != NULL && parquet_footers_decoded() - before == 1);
    CHECK(m != NULL && read_and_compare(m, true, &err) == 1000);
    parquet_file_close(m);
    /* rewritten in place with other rows: its new footer is decoded */
    CHECK(write_file(path, &o, 700));
    ParquetFile *c = parquet_file_open(path, &err);
    CHECK(c != NULL && parquet_footers_decoded() - before == 2);
    CHECK(c != NULL && c->meta.num_rows == 700 && read_and_compare(c, true, &err) == 700);
    parquet_file_close(c);
    /* 16 other footers push the first one out: it is decoded again */
    for (int i = 0; i < 16; i++) {
        CHECK(write_file(path, &o, 100 + i));
        ParquetFile *x = parquet_file_open(path, &err);
        CHECK(x != NULL && x->meta.num_rows == 100 + i);
        parquet_file_close(x);
    }
    CHECK_EQ_INT(parquet_footers_decoded() - before, 18);
    m = parquet_file_open_memory("copy.parquet", data, n, &err);
    CHECK(m != NULL && m->meta.num_rows == 1000);
    CHECK_EQ_INT(parquet_footers_decoded() - before, 19);
    parquet_file_close(m);
    unlink(path);
    mem_free(path);
}

TEST(parquet_reader_survives_truncation_and_corruption)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.codec = PQ_CODEC_SNAPPY;
    o.row_group_rows = 40;
    o.page_bytes = 256;
    char *path = temp_path("small.parquet");
    CHECK(write_file(path, &o, 100));
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL) return;
    uint8_t data[65536];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    CHECK(n > 100 && n < sizeof data);
    Error err = ERROR_INIT;
    /* every truncation: a clean error */
    int opened = 0;
    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = mem_alloc(len ? len : 1);
        memcpy(copy, data, len);
        error_clear(&err);
        ParquetFile *pf = parquet_file_open_memory("cut.parquet", copy, len, &err);
        if (pf) {
            opened++;
            parquet_file_close(pf);
        } else {
            CHECK(err.kind == ERR_DATA);
        }
        mem_free(copy);
    }
    CHECK_EQ_INT(opened, 0); /* the footer is at the end: no prefix is a file */
    /* byte corruptions everywhere: read all or fail, never crash (ASan watches) */
    int read_ok = 0, failed = 0;
    for (size_t pos = 0; pos < n; pos++) {
        for (int flip = 0; flip < 3; flip++) {
            uint8_t *copy = mem_alloc(n);
            memcpy(copy, data, n);
            copy[pos] = flip == 0 ? (uint8_t)(copy[pos] ^ 0xff) : flip == 1 ? (uint8_t)(copy[pos] + 1) : 0x7f;
            error_clear(&err);
            ParquetFile *pf = parquet_file_open_memory("bad.parquet", copy, n, &err);
            if (pf && read_and_compare(pf, false, &err) >= 0) read_ok++;
            else failed++;
            parquet_file_close(pf);
            mem_free(copy);
        }
    }
    CHECK(read_ok > 0 && failed > 0);
    /* the intact file reads */
    ParquetFile *pf = parquet_file_open_memory("good.parquet", data, n, &err);
    CHECK(pf != NULL && read_and_compare(pf, true, &err) == 100);
    parquet_file_close(pf);
    unlink(path);
    mem_free(path);
}

TEST(parquet_writer_refuses_interval_and_bad_files_are_named)
{
    char *path = temp_path("iv.parquet");
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    Error err = ERROR_INIT;
    ParquetWriter *w = parquet_writer_open(path, &o, &err);
    CHECK(w != NULL);
    LogicalType t = type_make(TYPE_INTERVAL);
    const char *name = "span";
    CHECK(!parquet_writer_begin(w, 1, &name, &t, &err));
    CHECK(strstr(err.message, "cannot write column \"span\" of type interval") != NULL);
    parquet_writer_abort(w);
    CHECK(access(path, F_OK) != 0); /* nothing left behind */
    error_clear(&err);
    ParquetFile *pf = parquet_file_open_memory("x.csv", (const uint8_t *)"a,b\n1,2\n3,4\n", 12, &err);
    CHECK(pf == NULL);
    CHECK(strstr(err.message, "not a Parquet file") != NULL);
    CHECK_EQ_STR(err.file, "x.csv");
    mem_free(path);
}

TEST(parquet_decimal_widths_follow_precision)
{
    CHECK_EQ_INT(parquet_decimal_bytes(1), 1);
    CHECK_EQ_INT(parquet_decimal_bytes(2), 1);
    CHECK_EQ_INT(parquet_decimal_bytes(3), 2);
    CHECK_EQ_INT(parquet_decimal_bytes(18), 8);
    CHECK_EQ_INT(parquet_decimal_bytes(19), 9);
    CHECK_EQ_INT(parquet_decimal_bytes(38), 16);
}

/* The fuzz target's corpus (tests/fuzz/corpus/parquet: seeds and inputs the
 * fuzzer kept) runs here too, so the sanitizer build replays it in every test
 * run: each file opens and reads to the end, or fails with a data error. */
TEST(parquet_fuzz_corpus_reads_or_fails_cleanly)
{
    DIR *d = opendir("tests/fuzz/corpus/parquet");
    CHECK(d != NULL);
    if (d == NULL) return;
    int files = 0, read_ok = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "tests/fuzz/corpus/parquet/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL) continue;
        uint8_t *data = mem_alloc(1 << 20);
        size_t n = fread(data, 1, 1 << 20, f);
        fclose(f);
        uint8_t *exact = mem_alloc(n ? n : 1); /* exact length: ASan sees any overread */
        memcpy(exact, data, n);
        mem_free(data);
        Error err = ERROR_INIT;
        ParquetFile *pf = parquet_file_open_memory(e->d_name, exact, n, &err);
        bool ok = pf != NULL;
        for (int c = 0; ok && c < pf->ncols; c++) ok = pf->cols[c].unsupported == NULL;
        if (ok && read_and_compare(pf, false, &err) >= 0) read_ok++;
        else CHECK(err.kind == ERR_DATA || err.kind == ERR_NONE);
        parquet_file_close(pf);
        mem_free(exact);
        files++;
    }
    closedir(d);
    CHECK(files >= 10);
    CHECK(read_ok >= 5);
}
