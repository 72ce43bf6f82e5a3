/* test_csv_writer: PostgreSQL CSV conventions of the writer, atomic file
 * output, stream output, and a round trip writer -> reader. */
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_writer.h"
#include "io/fs.h"
#include "unit.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void make_tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/kiln_csvw_XXXXXX");
    if (mkdtemp(dir) == NULL) abort();
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whole file as a NUL-terminated string (static buffer). */
static const char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "rb");
    if (!f) return "(missing)";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A batch (id BIGINT, s VARCHAR, d DOUBLE) with tricky strings and NULLs. */
static void fill_sample(Batch *b)
{
    LogicalType types[] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR), type_make(TYPE_DOUBLE)};
    batch_init(b, 3, types, 0);
    static const char *texts[] = {"plain", "", "a,b", "say \"hi\"", "two\nlines", NULL, "  spaced  ",
                                  "a long string that is not inlined", "\\.", "cr\rhere"};
    const int n = (int)(sizeof texts / sizeof texts[0]);
    for (int i = 0; i < n; i++) {
        VEC_DATA(b->cols[0], int64_t)[i] = i == 3 ? INT64_MIN : (int64_t)i * 1000 - 1;
        if (texts[i]) vector_set_string(b->cols[1], (uint32_t)i, texts[i], (uint32_t)strlen(texts[i]));
        else vector_set_null(b->cols[1], (uint32_t)i);
        VEC_DATA(b->cols[2], double)[i] = i * 0.1;
    }
    vector_set_null(b->cols[0], 6);
    vector_set_null(b->cols[2], 7);
    b->count = (uint32_t)n;
}

static const char *const sample_names[] = {"id", "s", "d,x"};

TEST(csv_writer_postgres_conventions)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    Batch b;
    fill_sample(&b);
    CsvWriteOptions o;
    csv_write_options_init(&o);
    Error err = ERROR_INIT;
    CsvWriter *w = csv_writer_open(path, &o, &err);
    CHECK(w != NULL);
    CHECK(csv_writer_begin(w, 3, sample_names, &err));
    CHECK(csv_writer_write_batch(w, &b, &err));
    CHECK(!fs_exists(path)); /* atomic: not there until close */
    CHECK_EQ_INT(csv_writer_rows(w), 10);
    CHECK(csv_writer_close(w, &err));
    CHECK_EQ_STR(slurp(path), "id,s,\"d,x\"\n"
                              "-1,plain,0\n"
                              "999,\"\",0.1\n"
                              "1999,\"a,b\",0.2\n"
                              "-9223372036854775808,\"say \"\"hi\"\"\",0.30000000000000004\n"
                              "3999,\"two\nlines\",0.4\n"
                              "4999,,0.5\n"
                              ",  spaced  ,0.6000000000000001\n"
                              "6999,a long string that is not inlined,\n"
                              "7999,\"\\.\",0.8\n"
                              "8999,\"cr\rhere\",0.9\n");
    batch_destroy(&b);
    remove_tree(dir);
}

TEST(csv_writer_options_and_stream)
{
    Batch b;
    fill_sample(&b);
    static const uint32_t sel[] = {5, 1, 2};
    b.sel = sel;
    b.count = 3;
    FILE *f = tmpfile();
    CHECK(f != NULL);
    CsvWriteOptions o;
    csv_write_options_init(&o);
    o.header = false;
    o.delim = ';';
    o.nullstr = "\\N";
    o.escape = '\\';
    Error err = ERROR_INIT;
    CsvWriter *w = csv_writer_open_stream(f, &o, &err);
    CHECK(csv_writer_begin(w, 3, sample_names, &err));
    CHECK(csv_writer_write_batch(w, &b, &err));
    /* a value with a quote goes through the escape */
    static const uint32_t sel2[] = {3};
    b.sel = sel2;
    b.count = 1;
    CHECK(csv_writer_write_batch(w, &b, &err));
    CHECK(csv_writer_bytes(w) > 0);
    CHECK(csv_writer_close(w, &err));
    rewind(f);
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "4999;\\N;0.5\n999;;0.1\n1999;a,b;0.2\n-9223372036854775808;\"say \\\"hi\\\"\";0.30000000000000004\n");
    o.delim = '"';
    CHECK(csv_writer_open_stream(stdout, &o, &err) == NULL);
    CHECK_EQ_INT(err.kind, ERR_USAGE);
    batch_destroy(&b);
}

TEST(csv_writer_abort_leaves_nothing)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    CsvWriteOptions o;
    csv_write_options_init(&o);
    Error err = ERROR_INIT;
    CsvWriter *w = csv_writer_open(path, &o, &err);
    CHECK(csv_writer_begin(w, 3, sample_names, &err));
    csv_writer_abort(w);
    CHECK(!fs_exists(path));
    FsPathList list = {0};
    char pat[160];
    snprintf(pat, sizeof pat, "%s/.*", dir);
    CHECK(!fs_glob(pat, &list, &err)); /* no temporary left either */
    snprintf(path, sizeof path, "%s/missing_dir/out.csv", dir);
    CHECK(csv_writer_open(path, &o, &err) == NULL);
    CHECK_EQ_INT(err.kind, ERR_IO);
    remove_tree(dir);
}

TEST(csv_writer_round_trip)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rt.csv", dir);
    Batch b;
    fill_sample(&b);
    CsvWriteOptions wo;
    csv_write_options_init(&wo);
    Error err = ERROR_INIT;
    CsvWriter *w = csv_writer_open(path, &wo, &err);
    CHECK(csv_writer_begin(w, 3, sample_names, &err));
    CHECK(csv_writer_write_batch(w, &b, &err));
    CHECK(csv_writer_close(w, &err));

    CsvOptions ro;
    csv_options_init(&ro);
    CsvReader *r = csv_reader_open(path, &ro, &err);
    CHECK(r != NULL);
    if (r == NULL) {
        batch_destroy(&b);
        remove_tree(dir);
        return;
    }
    const CsvSchema *s = csv_reader_schema(r);
    CHECK_EQ_INT(s->ncols, 3);
    CHECK_EQ_STR(s->names[2], "d,x");
    CHECK_EQ_INT(s->types[0].id, TYPE_BIGINT);
    CHECK_EQ_INT(s->types[1].id, TYPE_VARCHAR);
    CHECK_EQ_INT(s->types[2].id, TYPE_DOUBLE);
    Batch in;
    csv_reader_init_batch(r, &in);
    CHECK(csv_reader_next(r, &in, &err));
    CHECK_EQ_INT(in.count, b.count);
    bool same = in.count == b.count;
    for (uint32_t i = 0; same && i < b.count; i++) {
        for (int c = 0; c < 3; c++) {
            bool va = vector_is_valid(b.cols[c], i), vb = vector_is_valid(in.cols[c], i);
            if (va != vb) same = false;
        }
        if (vector_is_valid(b.cols[0], i) && VEC_DATA(b.cols[0], int64_t)[i] != VEC_DATA(in.cols[0], int64_t)[i])
            same = false;
        if (vector_is_valid(b.cols[1], i) &&
            !kstring_equal(&VEC_DATA(b.cols[1], KString)[i], &VEC_DATA(in.cols[1], KString)[i]))
            same = false;
        if (vector_is_valid(b.cols[2], i) && VEC_DATA(b.cols[2], double)[i] != VEC_DATA(in.cols[2], double)[i])
            same = false;
    }
    CHECK(same);
    batch_destroy(&in);
    csv_reader_close(r);
    batch_destroy(&b);
    remove_tree(dir);
}
