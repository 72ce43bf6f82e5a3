/* test_csv_reader: the CSV reader and sniffer on small files written to a
 * mkdtemp folder: quoting, line endings, header detection, inference,
 * errors with their line and column, ignore_errors, projection, globs, the
 * file-name column, records across block boundaries, byte ranges. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_values.h"
#include "types/cast.h"
#include "unit.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

typedef struct TmpDir {
    char dir[64];
    char path[256]; /* scratch for tmp_file */
} TmpDir;

static void tmp_open(TmpDir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/kiln_csv_XXXXXX");
    if (mkdtemp(t->dir) == NULL) abort();
}

static void tmp_close(TmpDir *t)
{
    nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write n bytes to name in the folder; returns the full path (in t->path). */
static const char *tmp_write(TmpDir *t, const char *name, const char *text, size_t n)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "wb");
    if (!f) abort();
    if (n) fwrite(text, 1, n, f);
    fclose(f);
    return t->path;
}

static const char *tmp_text(TmpDir *t, const char *name, const char *text)
{
    return tmp_write(t, name, text, strlen(text));
}

/* Rows of a reader as text: fields joined by '|', rows ended by '\n',
 * NULL as "NULL". */
static bool drain(CsvReader *r, StrBuf *out, Error *err)
{
    Batch b;
    csv_reader_init_batch(r, &b);
    bool ok;
    while ((ok = csv_reader_next(r, &b, err)) && b.count > 0) {
        for (uint32_t i = 0; i < b.count; i++) {
            for (int c = 0; c < b.ncols; c++) {
                if (c) strbuf_putc(out, '|');
                if (vector_is_valid(b.cols[c], i)) cast_format_value(b.cols[c], i, out);
                else strbuf_puts(out, "NULL");
            }
            strbuf_putc(out, '\n');
        }
    }
    batch_destroy(&b);
    return ok;
}

/* Read everything matching pattern; returns the text (static buffer) or
 * "ERROR" with err set. */
static const char *read_all(const char *pattern, const CsvOptions *opts, Error *err)
{
    static StrBuf out = STRBUF_INIT;
    strbuf_clear(&out);
    error_clear(err);
    CsvReader *r = csv_reader_open(pattern, opts, err);
    if (r == NULL) return "ERROR";
    bool ok = drain(r, &out, err);
    csv_reader_close(r);
    return ok ? strbuf_cstr(&out) : "ERROR";
}

/* "name:TYPE,..." of a file's sniffed schema, or "ERROR". */
static const char *schema_of(const char *pattern, const CsvOptions *opts)
{
    static StrBuf out = STRBUF_INIT;
    strbuf_clear(&out);
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(pattern, opts, &err);
    if (r == NULL) return "ERROR";
    const CsvSchema *s = csv_reader_schema(r);
    for (int c = 0; c < s->ncols; c++) {
        char buf[48];
        if (c) strbuf_putc(&out, ',');
        strbuf_printf(&out, "%s:%s", s->names[c], type_display_name(s->types[c], buf, sizeof buf));
    }
    csv_reader_close(r);
    return strbuf_cstr(&out);
}

TEST(csv_infers_types_and_header)
{
    TmpDir t;
    tmp_open(&t);
    const char *p = tmp_text(&t, "a.csv",
                             "id,name,amount,flag,day,ts,big\n"
                             "1,alice,12.50,true,2024-01-31,2024-01-31 10:00:00,3000000000\n"
                             "2,bob,3,FALSE,2024-02-29,2024-02-29T23:59:59.5,-1\n");
    CsvOptions o;
    csv_options_init(&o);
    CHECK_EQ_STR(schema_of(p, &o),
                 "id:BIGINT,name:VARCHAR,amount:DOUBLE,flag:BOOLEAN,day:DATE,ts:TIMESTAMP,big:BIGINT");
    Error err = ERROR_INIT;
    CHECK_EQ_STR(read_all(p, &o, &err),
                 "1|alice|12.5|true|2024-01-31|2024-01-31 10:00:00|3000000000\n"
                 "2|bob|3|false|2024-02-29|2024-02-29 23:59:59.5|-1\n");
    /* a date column with one timestamp becomes TIMESTAMP; mixed -> VARCHAR */
    p = tmp_text(&t, "b.csv", "d,m\n2024-01-01,1\n2024-01-02 12:00:00,x\n");
    CHECK_EQ_STR(schema_of(p, &o), "d:TIMESTAMP,m:VARCHAR");
    tmp_close(&t);
}

TEST(csv_quoting_rfc4180)
{
    TmpDir t;
    tmp_open(&t);
    const char *p = tmp_text(&t, "q.csv",
                             "a,b,c\n"
                             "\"x,y\",\"say \"\"hi\"\"\",plain\n"
                             "\"multi\nline\",,\"\"\n"
                             "  sp  ,\"\",z\n");
    CsvOptions o;
    csv_options_init(&o);
    Error err = ERROR_INIT;
    CHECK_EQ_STR(read_all(p, &o, &err), "x,y|say \"hi\"|plain\nmulti\nline|NULL|\n  sp  ||z\n");
    /* the empty quoted field is the empty string, the unquoted one NULL */
    CsvReader *r = csv_reader_open(p, &o, &err);
    Batch b;
    csv_reader_init_batch(r, &b);
    CHECK(csv_reader_next(r, &b, &err));
    CHECK_EQ_INT(b.count, 3);
    CHECK(!vector_is_valid(b.cols[1], 1));
    CHECK(vector_is_valid(b.cols[2], 1));
    CHECK_EQ_INT(VEC_DATA(b.cols[2], KString)[1].len, 0);
    CHECK_EQ_INT(csv_reader_batch_lines(r)[0], 2);
    CHECK_EQ_INT(csv_reader_batch_lines(r)[1], 3);
    CHECK_EQ_INT(csv_reader_batch_lines(r)[2], 5); /* the quoted newline took a line */
    batch_destroy(&b);
    csv_reader_close(r);
    tmp_close(&t);
}

TEST(csv_crlf_bom_and_no_final_newline)
{
    TmpDir t;
    tmp_open(&t);
    const char *p = tmp_text(&t, "w.csv", "\xEF\xBB\xBFid,name\r\n1,\"a\r\nb\"\r\n2,c");
    CsvOptions o;
    csv_options_init(&o);
    CHECK_EQ_STR(schema_of(p, &o), "id:BIGINT,name:VARCHAR");
    Error err = ERROR_INIT;
    CHECK_EQ_STR(read_all(p, &o, &err), "1|a\r\nb\n2|c\n");
    tmp_close(&t);
}

TEST(csv_header_detection)
{
    TmpDir t;
    tmp_open(&t);
    CsvOptions o;
    csv_options_init(&o);
    Error err = ERROR_INIT;
    /* numbers in the first row: no header, names column0.. */
    const char *p = tmp_text(&t, "n.csv", "1,2\n3,4\n");
    CHECK_EQ_STR(schema_of(p, &o), "column0:BIGINT,column1:BIGINT");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|2\n3|4\n");
    /* all text: a first row without empty fields is a header */
    p = tmp_text(&t, "s.csv", "name,city\nbob,paris\n");
    CHECK_EQ_STR(schema_of(p, &o), "name:VARCHAR,city:VARCHAR");
    CHECK_EQ_STR(read_all(p, &o, &err), "bob|paris\n");
    /* forced off */
    o.header = CSV_HEADER_NO;
    CHECK_EQ_STR(read_all(p, &o, &err), "name|city\nbob|paris\n");
    /* forced on, with empty and duplicate names */
    o.header = CSV_HEADER_YES;
    p = tmp_text(&t, "d.csv", "a,a,,b,a_1\n1,2,3,4,5\n");
    CHECK_EQ_STR(schema_of(p, &o), "a:BIGINT,a_1:BIGINT,column2:BIGINT,b:BIGINT,a_1_1:BIGINT");
    /* header only: no rows, text columns */
    o.header = CSV_HEADER_AUTO;
    p = tmp_text(&t, "h.csv", "x,y\n");
    CHECK_EQ_STR(schema_of(p, &o), "x:VARCHAR,y:VARCHAR");
    CHECK_EQ_STR(read_all(p, &o, &err), "");
    /* empty file */
    p = tmp_text(&t, "e.csv", "");
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_DATA);
    CHECK(strstr(err.message, "empty") != NULL);
    tmp_close(&t);
}

TEST(csv_sniffs_delimiter)
{
    TmpDir t;
    tmp_open(&t);
    CsvOptions o;
    csv_options_init(&o);
    Error err = ERROR_INIT;
    const char *p = tmp_text(&t, "semi.csv", "a;b;c\n1;2,5;x\n3;4,5;y\n");
    CHECK_EQ_STR(schema_of(p, &o), "a:BIGINT,b:VARCHAR,c:VARCHAR");
    p = tmp_text(&t, "tab.tsv", "a\tb\n1\thello, world\n2\tbye, now\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|hello, world\n2|bye, now\n");
    p = tmp_text(&t, "pipe.csv", "a|b\n1|2\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|2\n");
    /* one column: the default delimiter */
    p = tmp_text(&t, "one.csv", "v\n1\n\n3\n");
    CHECK_EQ_STR(schema_of(p, &o), "v:BIGINT");
    CHECK_EQ_STR(read_all(p, &o, &err), "1\nNULL\n3\n"); /* an empty line is a NULL row */
    o.delim = ';';
    p = tmp_text(&t, "given.csv", "a;b\n1;2\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|2\n");
    tmp_close(&t);
}

TEST(csv_bad_value_reports_line_and_column)
{
    TmpDir t;
    tmp_open(&t);
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "id,name,amount\n");
    for (int i = 2; i < 14; i++) strbuf_printf(&sb, "%d,n%d,%d\n", i, i, i * 10);
    strbuf_puts(&sb, "14,x,12x\n15,y,5\n");
    const char *p = tmp_write(&t, "bad.csv", sb.data, sb.len);
    CsvOptions o;
    csv_options_init(&o);
    o.sample_size = 5; /* the bad value lies beyond the sample */
    CHECK_EQ_STR(schema_of(p, &o), "id:BIGINT,name:VARCHAR,amount:BIGINT");
    Error err = ERROR_INIT;
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_DATA);
    CHECK_EQ_STR(err.message, "invalid input syntax for type bigint: \"12x\" (column \"amount\")");
    CHECK_EQ_INT(err.line, 14);
    CHECK_EQ_INT(err.column, 3);
    CHECK(strstr(err.file, "bad.csv") != NULL);
    /* with ignore_errors the row is skipped and counted */
    o.ignore_errors = true;
    CsvReader *r = csv_reader_open(p, &o, &err);
    StrBuf out = STRBUF_INIT;
    CHECK(drain(r, &out, &err));
    CHECK_EQ_INT(csv_reader_rejected_rows(r), 1);
    CHECK(strstr(out.data, "15|y|5\n") != NULL);
    CHECK(strstr(out.data, "14|") == NULL);
    csv_reader_close(r);
    strbuf_free(&out);
    strbuf_free(&sb);
    tmp_close(&t);
}

TEST(csv_malformed_records)
{
    TmpDir t;
    tmp_open(&t);
    CsvOptions o;
    csv_options_init(&o);
    o.header = CSV_HEADER_YES;
    Error err = ERROR_INIT;
    const char *p = tmp_text(&t, "m.csv", "a,b,c\n1,2,3\n4,5\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_STR(err.message, "missing data for column \"c\" (expected 3 fields, found 2)");
    CHECK_EQ_INT(err.line, 3);
    CHECK_EQ_INT(err.column, 3);
    p = tmp_text(&t, "x.csv", "a,b,c\n1,2,3\n\"4\n\",5,6,7\n8,9,10\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_STR(err.message, "extra data after last expected column (expected 3 fields, found 4)");
    CHECK_EQ_INT(err.line, 3);
    CHECK_EQ_INT(err.column, 4);
    p = tmp_text(&t, "u.csv", "a,b,c\n1,2,3\n4,\"5,6\n7,8,9\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_STR(err.message, "unterminated CSV quoted field");
    CHECK_EQ_INT(err.line, 3);
    CHECK_EQ_INT(err.column, 2);
    /* ignore_errors: broken rows counted, good ones kept */
    o.ignore_errors = true;
    o.sample_size = 1; /* infer from "1,2,3" alone, so "x" below is a bad bigint */
    p = tmp_text(&t, "i.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\nx,1,2\n10,11,12\n");
    CsvReader *r = csv_reader_open(p, &o, &err);
    StrBuf out = STRBUF_INIT;
    CHECK(drain(r, &out, &err));
    CHECK_EQ_STR(out.data, "1|2|3\n10|11|12\n");
    CHECK_EQ_INT(csv_reader_rejected_rows(r), 3);
    csv_reader_close(r);
    strbuf_free(&out);
    tmp_close(&t);
}

TEST(csv_projection)
{
    TmpDir t;
    tmp_open(&t);
    const char *p = tmp_text(&t, "p.csv", "a,b,c\n1,x,2.5\n2,y,3.5\n");
    CsvOptions o;
    csv_options_init(&o);
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(p, &o, &err);
    CHECK(r != NULL);
    int ids[] = {2, 0};
    csv_reader_project(r, ids, 2);
    StrBuf out = STRBUF_INIT;
    CHECK(drain(r, &out, &err));
    CHECK_EQ_STR(out.data, "2.5|1\n3.5|2\n");
    csv_reader_close(r);
    /* no columns at all still counts rows */
    r = csv_reader_open(p, &o, &err);
    csv_reader_project(r, NULL, 0);
    Batch b;
    csv_reader_init_batch(r, &b);
    CHECK(csv_reader_next(r, &b, &err));
    CHECK_EQ_INT(b.count, 2);
    CHECK_EQ_INT(b.ncols, 0);
    batch_destroy(&b);
    csv_reader_close(r);
    strbuf_free(&out);
    tmp_close(&t);
}

TEST(csv_glob_many_files_and_filename_column)
{
    TmpDir t;
    tmp_open(&t);
    tmp_text(&t, "part2.csv", "id,v\n3,c\n");
    tmp_text(&t, "part1.csv", "id,v\n1,a\n2,b\n");
    tmp_text(&t, "part3.csv", "id,v\n");
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s/part*.csv", t.dir);
    CsvOptions o;
    csv_options_init(&o);
    o.filename = "filename";
    CHECK_EQ_STR(schema_of(pattern, &o), "id:BIGINT,v:VARCHAR,filename:VARCHAR");
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(pattern, &o, &err);
    CHECK(r != NULL);
    CHECK_EQ_INT(csv_reader_file_count(r), 3);
    CHECK_EQ_INT(csv_reader_bytes_total(r), 13 + 9 + 5);
    Batch b;
    csv_reader_init_batch(r, &b);
    CHECK(csv_reader_next(r, &b, &err));
    CHECK_EQ_INT(b.count, 2); /* a batch holds one file's rows */
    CHECK(strstr(csv_reader_batch_file(r), "part1.csv") != NULL);
    const KString *names = VEC_DATA(b.cols[2], KString);
    CHECK(b.count == 2 && names[1].len == strlen(csv_reader_batch_file(r)));
    CHECK(csv_reader_next(r, &b, &err));
    CHECK_EQ_INT(b.count, 1);
    CHECK_EQ_INT(VEC_DATA(b.cols[0], int64_t)[0], 3);
    CHECK(strstr(csv_reader_batch_file(r), "part2.csv") != NULL);
    CHECK(csv_reader_next(r, &b, &err));
    CHECK_EQ_INT(b.count, 0);
    CHECK_EQ_INT(csv_reader_bytes_read(r), csv_reader_bytes_total(r));
    batch_destroy(&b);
    csv_reader_close(r);

    /* a file with another header is an error naming it */
    tmp_text(&t, "part4.csv", "id,w\n4,d\n");
    o.filename = NULL;
    CHECK_EQ_STR(read_all(pattern, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_DATA);
    CHECK(strstr(err.message, "part4.csv") != NULL);
    CHECK(strstr(err.message, "\"w\"") != NULL);
    CHECK(strstr(err.file, "part4.csv") != NULL);
    /* a value that does not fit the first file's types names its file */
    tmp_text(&t, "part4.csv", "id,v\nfour,d\n");
    CHECK_EQ_STR(read_all(pattern, &o, &err), "ERROR");
    CHECK(strstr(err.file, "part4.csv") != NULL);
    CHECK_EQ_INT(err.line, 2);
    snprintf(pattern, sizeof pattern, "%s/nothing*.csv", t.dir);
    CHECK_EQ_STR(read_all(pattern, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK(strstr(err.message, "No files found that match the pattern") != NULL);
    tmp_close(&t);
}

TEST(csv_records_span_block_boundaries)
{
    TmpDir t;
    tmp_open(&t);
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "id,text,n\r\n");
    int64_t sum = 0;
    const int rows = 5000;
    for (int i = 0; i < rows; i++) {
        if (i % 7 == 0) strbuf_printf(&sb, "%d,\"line\none, \"\"q\"\" %d\",%d\r\n", i, i, i * 3);
        else strbuf_printf(&sb, "%d,some longer text value %d,%d\r\n", i, i, i * 3);
        sum += i * 3;
    }
    const char *p = tmp_write(&t, "big.csv", sb.data, sb.len);
    CsvOptions o;
    csv_options_init(&o);
    o.block_size = 100; /* far smaller than the file: records cross blocks */
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(p, &o, &err);
    CHECK(r != NULL);
    Batch b;
    csv_reader_init_batch(r, &b);
    int64_t got_rows = 0, got_sum = 0, nbatches = 0;
    bool text_ok = true;
    while (csv_reader_next(r, &b, &err) && b.count > 0) {
        nbatches++;
        for (uint32_t i = 0; i < b.count; i++) {
            int64_t id = VEC_DATA(b.cols[0], int64_t)[i];
            got_sum += VEC_DATA(b.cols[2], int64_t)[i];
            const KString *k = &VEC_DATA(b.cols[1], KString)[i];
            char want[64];
            if (id % 7 == 0) snprintf(want, sizeof want, "line\none, \"q\" %d", (int)id);
            else snprintf(want, sizeof want, "some longer text value %d", (int)id);
            if (k->len != strlen(want) || memcmp(kstring_data(k), want, k->len) != 0) text_ok = false;
            if (id != got_rows) text_ok = false;
            got_rows++;
        }
    }
    CHECK(!error_failed(&err));
    CHECK_EQ_INT(got_rows, rows);
    CHECK_EQ_INT(got_sum, sum);
    CHECK_EQ_INT(nbatches, 3); /* 2048 + 2048 + 904 */
    CHECK(text_ok);
    CHECK_EQ_INT(csv_reader_bytes_read(r), sb.len);
    batch_destroy(&b);
    csv_reader_close(r);

    /* the same file read in byte ranges gives every row exactly once
     * (ranges cannot see quoted newlines, so use a file without them) */
    strbuf_clear(&sb);
    strbuf_puts(&sb, "id,v\n");
    for (int i = 0; i < 1000; i++) strbuf_printf(&sb, "%d,%d\n", i, i % 10);
    p = tmp_write(&t, "flat.csv", sb.data, sb.len);
    CsvSchema schema;
    CHECK(csv_sniff(p, &o, &schema, &err));
    bool seen[1000] = {false};
    int total = 0, dupes = 0;
    uint64_t cuts[] = {0, 1, 5, 6, 777, 778, 3000, sb.len};
    for (size_t k = 0; k + 1 < sizeof cuts / sizeof cuts[0]; k++) {
        r = csv_reader_open_range(p, &schema, &o, cuts[k], cuts[k + 1], &err);
        CHECK(r != NULL);
        csv_reader_init_batch(r, &b);
        while (csv_reader_next(r, &b, &err) && b.count > 0)
            for (uint32_t i = 0; i < b.count; i++) {
                int64_t id = VEC_DATA(b.cols[0], int64_t)[i];
                if (id >= 0 && id < 1000) {
                    dupes += seen[id];
                    seen[id] = true;
                }
                total++;
            }
        CHECK(!error_failed(&err));
        batch_destroy(&b);
        csv_reader_close(r);
    }
    CHECK_EQ_INT(total, 1000);
    CHECK_EQ_INT(dupes, 0);
    csv_schema_free(&schema);
    strbuf_free(&sb);
    tmp_close(&t);
}

TEST(csv_options_nullstr_skip_escape_columns)
{
    TmpDir t;
    tmp_open(&t);
    CsvOptions o;
    csv_options_init(&o);
    Error err = ERROR_INIT;
    const char *p = tmp_text(&t, "n.csv", "a,b\n1,NA\nNA,\"NA\"\n,x\n");
    o.nullstr = "NA";
    CHECK_EQ_STR(read_all(p, &o, &err), "1|NULL\nNULL|NA\nNULL|x\n");

    csv_options_init(&o);
    o.skip = 2;
    p = tmp_text(&t, "s.csv", "generated by x\n\nid,v\n1,2\n");
    CHECK_EQ_STR(schema_of(p, &o), "id:BIGINT,v:BIGINT");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|2\n");

    csv_options_init(&o);
    o.escape = '\\';
    p = tmp_text(&t, "e.csv", "a,b\n\"x\\\"y\",\"back\\\\slash\"\n\"c\\d\",2\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "x\"y|back\\slash\nc\\d|2\n");

    csv_options_init(&o);
    const char *names[] = {"k", "amount"};
    LogicalType types[] = {type_make(TYPE_INTEGER), type_decimal(10, 2)};
    o.ncolumns = 2;
    o.column_names = names;
    o.column_types = types;
    p = tmp_text(&t, "c.csv", "id,value\n1,2.5\n2,\n");
    CHECK_EQ_STR(schema_of(p, &o), "k:INTEGER,amount:DECIMAL(10,2)");
    CHECK_EQ_STR(read_all(p, &o, &err), "1|2.50\n2|NULL\n");
    p = tmp_text(&t, "c2.csv", "1,2.5\n99999999999,1\n");
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK(strstr(err.message, "99999999999") != NULL);
    CHECK(strstr(err.message, "(column \"k\")") != NULL);
    CHECK_EQ_INT(err.line, 2);
    CHECK_EQ_INT(err.column, 1);

    csv_options_init(&o);
    o.all_varchar = true;
    p = tmp_text(&t, "v.csv", "a,b\n1,2024-01-01\n");
    CHECK_EQ_STR(schema_of(p, &o), "a:VARCHAR,b:VARCHAR");

    csv_options_init(&o);
    o.delim = '"';
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_USAGE);
    tmp_close(&t);
}

TEST(csv_max_line_size)
{
    TmpDir t;
    tmp_open(&t);
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "a,b\n1,\"");
    for (int i = 0; i < 2000; i++) strbuf_puts(&sb, "xxxxxxxxxx");
    strbuf_puts(&sb, "\"\n");
    const char *p = tmp_write(&t, "long.csv", sb.data, sb.len);
    CsvOptions o;
    csv_options_init(&o);
    o.block_size = 64;
    o.max_line_size = 1024;
    Error err = ERROR_INIT;
    CHECK_EQ_STR(read_all(p, &o, &err), "ERROR");
    CHECK_EQ_INT(err.kind, ERR_DATA);
    CHECK(strstr(err.message, "maximum line size of 1024 bytes exceeded") != NULL);
    CHECK_EQ_INT(err.line, 2);
    o.max_line_size = 0; /* default: fits */
    CHECK(strcmp(read_all(p, &o, &err), "ERROR") != 0);
    strbuf_free(&sb);
    tmp_close(&t);
}

TEST(csv_fast_double_matches_strtod)
{
    Vector v;
    vector_init(&v, type_make(TYPE_DOUBLE), 1);
    uint64_t state = 12345;
    int mismatches = 0;
    for (int i = 0; i < 20000; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        char text[64];
        unsigned r = (unsigned)(state >> 33);
        switch (i % 4) {
        case 0: snprintf(text, sizeof text, "%u.%02u", r % 100000, r % 100); break;
        case 1: snprintf(text, sizeof text, "-%u.%u", r, r % 977); break;
        case 2: snprintf(text, sizeof text, "%ue%d", r % 1000, (int)(r % 50) - 25); break;
        default: snprintf(text, sizeof text, "0.%09u%u", r, r % 13); break;
        }
        Error err = ERROR_INIT;
        if (!csv_parse_value(text, strlen(text), &v, 0, &err) || VEC_DATA(&v, double)[0] != strtod(text, NULL))
            mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);
    Error err = ERROR_INIT;
    CHECK(!csv_parse_value("1e400", 5, &v, 0, &err)); /* out of range goes to cast_parse_text's error */
    CHECK_EQ_INT(err.kind, ERR_DATA);
    CHECK(csv_parse_value("-0.0", 4, &v, 0, &err));
    CHECK(VEC_DATA(&v, double)[0] == 0.0);
    vector_destroy(&v);
}
