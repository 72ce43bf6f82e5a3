/* test_partition_writer: lake/partition_writer.c through a plain-file sink
 * (each data file written atomically under a mkdtemp folder): partition
 * folders and escaping, ROWS_PER_FILE and FILE_SIZE_BYTES roll-over with at
 * most one undersized file per partition, the switch from open writers to
 * the sort fallback (parked writers continued, spilled runs merged) keeping
 * each partition's rows in input order (2,000 partitions: each file is
 * fsynced, the 10,000-partition run is tests/integration/test_lake_memory.sh). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_reader.h"
#include "io/fs.h"
#include "lake/partition_writer.h"
#include "unit.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir) { if (getenv("KEEP")) return; nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* The test sink: files root/<dir>/part-<n>.<ext>, the FsWriter is the handle. */
typedef struct TestSink {
    char root[64];
    int next;
    int closed, aborted;
} TestSink;

static void *sink_open(void *ctx, const char *dir, const char *ext, FsWriter **out, Error *err)
{
    TestSink *s = ctx;
    char *folder = mem_printf("%s/%s", s->root, dir);
    bool ok = fs_mkdirs(folder, err);
    char *path = mem_printf("%s/part-%05d.%s", folder, s->next++, ext);
    *out = ok ? fs_open_write(path, err) : NULL;
    mem_free(folder);
    mem_free(path);
    return *out;
}

static bool sink_close(void *ctx, void *file, uint64_t rows, Error *err)
{
    ((TestSink *)ctx)->closed++;
    return fs_writer_commit(file, err);
}

static void sink_abort(void *ctx, void *file)
{
    ((TestSink *)ctx)->aborted++;
    fs_writer_abort(file);
}

static PartitionFileSink test_sink(TestSink *s)
{
    snprintf(s->root, sizeof s->root, "/tmp/kiln_pw_XXXXXX");
    if (mkdtemp(s->root) == NULL) abort();
    s->next = s->closed = s->aborted = 0;
    return (PartitionFileSink){s, sink_open, sink_close, sink_abort};
}

/* Rows first..first+n-1 as (p BIGINT = i % nparts, v BIGINT = i, pad VARCHAR of 40 bytes). */
static void fill_rows(Batch *b, int64_t first, uint32_t n, int64_t nparts)
{
    batch_reset(b);
    for (uint32_t r = 0; r < n; r++) {
        int64_t i = first + r;
        VEC_DATA(b->cols[0], int64_t)[r] = i % nparts;
        VEC_DATA(b->cols[1], int64_t)[r] = i;
        char pad[64];
        snprintf(pad, sizeof pad, "padding-padding-padding-padding-%08lld", (long long)i);
        vector_set_string(b->cols[2], r, pad, (uint32_t)strlen(pad));
    }
    b->count = n;
}

static char *col_names[] = {"p", "v", "pad"};

/* Write rows 0..total-1 (partition of row i: i % nparts, or i % first_parts
 * for the first first_rows rows) as CSV without header. */
static bool run_csv(TestSink *ts, PartitionWriterOptions *o, int64_t total, int64_t nparts, PartitionWriteStats *st)
{
    PartitionFileSink sink = test_sink(ts);
    PartitionWriter *w = partition_writer_new(o, &sink);
    LogicalType types[] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Error err = ERROR_INIT;
    bool ok = partition_writer_begin(w, 3, col_names, types, &err);
    Batch b;
    batch_init(&b, 3, types, 0);
    for (int64_t i = 0; ok && i < total; i += VECTOR_CAPACITY) {
        uint32_t n = (uint32_t)(total - i < VECTOR_CAPACITY ? total - i : VECTOR_CAPACITY);
        fill_rows(&b, i, n, nparts);
        ok = partition_writer_write(w, &b, &err);
    }
    if (ok) ok = partition_writer_finish(w, &err);
    if (!ok) fprintf(stderr, "partition writer: %s\n", err.message);
    partition_writer_stats(w, st);
    partition_writer_free(w);
    batch_destroy(&b);
    return ok;
}

/* Check every CSV file of the run: rows "v,pad" of partition p=k in input
 * order (v ascending, v % nparts == k); returns rows seen, and the files. */
static int64_t check_csv_files(const char *root, int64_t nparts, FsPathList *files)
{
    char *pattern = mem_printf("%s/**/*.csv", root);
    Error err = ERROR_INIT;
    memset(files, 0, sizeof *files);
    if (!fs_glob(pattern, files, &err)) files->count = 0;
    mem_free(pattern);
    int64_t rows = 0;
    int64_t *last = mem_calloc((size_t)nparts, sizeof *last);
    for (int64_t k = 0; k < nparts; k++) last[k] = -1;
    bool order_ok = true;
    for (int f = 0; f < files->count; f++) {
        const char *seg = strstr(files->paths[f], "/p=");
        long long k = seg ? atoll(seg + 3) : -1;
        FILE *in = fopen(files->paths[f], "r");
        char line[256];
        while (in && fgets(line, sizeof line, in)) {
            long long v = atoll(line);
            if (k < 0 || k >= nparts || v % nparts != k || v <= last[k]) {
                if (order_ok) fprintf(stderr, "  %s: v=%lld k=%lld last=%lld\n", files->paths[f], v, k, k >= 0 && k < nparts ? (long long)last[k] : -1LL);
                order_ok = false;
            }
            else last[k] = v;
            rows++;
        }
        if (in) fclose(in);
    }
    mem_free(last);
    CHECK(order_ok);
    return rows;
}

TEST(partition_writer_rows_per_file)
{
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.format = PARTITION_FORMAT_CSV;
    o.csv.header = false;
    const char *by[] = {"p"};
    o.partition_by = by;
    o.npartition_by = 1;
    o.rows_per_file = 1000;
    PartitionWriteStats st;
    CHECK(run_csv(&ts, &o, 100000, 10, &st));
    CHECK_EQ_INT(st.rows, 100000);
    CHECK_EQ_INT(st.partitions, 10);
    CHECK_EQ_INT(st.files, 100); /* 10,000 rows per partition, 1,000 per file */
    CHECK(!st.sorted);
    FsPathList files;
    CHECK_EQ_INT(check_csv_files(ts.root, 10, &files), 100000);
    CHECK_EQ_INT(files.count, 100);
    fs_path_list_free(&files);
    CHECK_EQ_INT(ts.aborted, 0);
    remove_tree(ts.root);
}

TEST(partition_writer_sort_fallback_same_rows)
{
    /* 2,000 partitions with room for 8 open files and a small budget: the
     * writer parks its writers, sorts (spilling runs) and still writes each
     * partition's rows in order, one file each */
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.format = PARTITION_FORMAT_CSV;
    o.csv.header = false;
    const char *by[] = {"p"};
    o.partition_by = by;
    o.npartition_by = 1;
    o.max_open_files = 8;
    o.memory_budget = 4 << 20;
    PartitionWriteStats st;
    CHECK(run_csv(&ts, &o, 300000, 2000, &st));
    CHECK(st.sorted);
    CHECK(st.spilled_bytes > 0);
    CHECK_EQ_INT(st.partitions, 2000);
    CHECK_EQ_INT(st.files, 2000);
    FsPathList files;
    CHECK_EQ_INT(check_csv_files(ts.root, 2000, &files), 300000);
    CHECK_EQ_INT(files.count, 2000);
    fs_path_list_free(&files);
    remove_tree(ts.root);
}

TEST(partition_writer_parked_writers_continue)
{
    /* 3 open files allowed, 10 partitions: the first batch (2048 rows of 10
     * partitions) already overflows, and later with rows_per_file the
     * partitions roll over files inside the merge */
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.format = PARTITION_FORMAT_CSV;
    o.csv.header = false;
    const char *by[] = {"p"};
    o.partition_by = by;
    o.npartition_by = 1;
    o.max_open_files = 3;
    o.rows_per_file = 4000;
    PartitionWriteStats st;
    CHECK(run_csv(&ts, &o, 100000, 10, &st));
    CHECK(st.sorted);
    CHECK_EQ_INT(st.files, 30); /* 10,000 rows per partition: 4000 + 4000 + 2000 */
    FsPathList files;
    CHECK_EQ_INT(check_csv_files(ts.root, 10, &files), 100000);
    fs_path_list_free(&files);
    remove_tree(ts.root);
}

TEST(partition_writer_parquet_file_size)
{
    /* one partition (no PARTITION_BY), FILE_SIZE_BYTES 256 kB: files of about
     * that size and a smaller last one; every row read back */
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.format = PARTITION_FORMAT_PARQUET;
    o.parquet.codec = PQ_CODEC_UNCOMPRESSED;
    o.file_size_bytes = 256 << 10;
    PartitionWriteStats st;
    PartitionFileSink sink = test_sink(&ts);
    PartitionWriter *w = partition_writer_new(&o, &sink);
    LogicalType types[] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Error err = ERROR_INIT;
    CHECK(partition_writer_begin(w, 3, col_names, types, &err));
    Batch b;
    batch_init(&b, 3, types, 0);
    for (int64_t i = 0; i < 100000; i += VECTOR_CAPACITY) {
        fill_rows(&b, i, (uint32_t)(100000 - i < VECTOR_CAPACITY ? 100000 - i : VECTOR_CAPACITY), 1);
        CHECK(partition_writer_write(w, &b, &err));
    }
    CHECK(partition_writer_finish(w, &err));
    partition_writer_stats(w, &st);
    partition_writer_free(w);
    batch_destroy(&b);
    CHECK(st.files >= 8);
    char *pattern = mem_printf("%s/*.parquet", ts.root);
    FsPathList files = {0};
    CHECK(fs_glob(pattern, &files, &err));
    mem_free(pattern);
    CHECK_EQ_INT(files.count, st.files);
    int small = 0;
    int64_t rows = 0;
    for (int f = 0; f < files.count; f++) {
        uint64_t size = 0;
        CHECK(fs_file_size(files.paths[f], &size, &err));
        if (size < (200u << 10)) small++;
        CHECK(size < (400u << 10));
        ParquetFile *pf = parquet_file_open(files.paths[f], &err);
        CHECK(pf != NULL);
        if (pf) {
            rows += pf->meta.num_rows;
            CHECK_EQ_INT(pf->ncols, 3); /* no PARTITION_BY: every column is in the files */
            parquet_file_close(pf);
        }
    }
    CHECK(small <= 1);
    CHECK_EQ_INT(rows, 100000);
    fs_path_list_free(&files);
    remove_tree(ts.root);
}

TEST(partition_writer_escapes_folders)
{
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.format = PARTITION_FORMAT_CSV;
    const char *by[] = {"k", "d"};
    o.partition_by = by;
    o.npartition_by = 2;
    PartitionFileSink sink = test_sink(&ts);
    PartitionWriter *w = partition_writer_new(&o, &sink);
    LogicalType types[] = {type_make(TYPE_VARCHAR), type_make(TYPE_INTEGER), type_make(TYPE_DATE)};
    char *names[] = {"k", "x", "d"};
    Error err = ERROR_INIT;
    CHECK(partition_writer_begin(w, 3, names, types, &err));
    Batch b;
    batch_init(&b, 3, types, 0);
    const char *keys[] = {"a/b", "x=1", "50%", "", NULL, "caf\xc3\xa9 au lait"};
    for (uint32_t i = 0; i < 6; i++) {
        if (keys[i]) vector_set_string(b.cols[0], i, keys[i], (uint32_t)strlen(keys[i]));
        else vector_set_null(b.cols[0], i);
        VEC_DATA(b.cols[1], int32_t)[i] = (int32_t)i;
        VEC_DATA(b.cols[2], int32_t)[i] = 19000; /* 2022-01-08 */
    }
    b.count = 6;
    CHECK(partition_writer_write(w, &b, &err));
    CHECK(partition_writer_finish(w, &err));
    PartitionWriteStats st;
    partition_writer_stats(w, &st);
    CHECK_EQ_INT(st.partitions, 5); /* NULL and '' share the default partition */
    partition_writer_free(w);
    batch_destroy(&b);
    const char *expect[] = {"k=a%2Fb/d=2022-01-08", "k=x%3D1/d=2022-01-08", "k=50%25/d=2022-01-08",
                            "k=__HIVE_DEFAULT_PARTITION__/d=2022-01-08", "k=caf\xc3\xa9 au lait/d=2022-01-08"};
    for (int i = 0; i < 5; i++) {
        char *dir = mem_printf("%s/%s", ts.root, expect[i]);
        if (!CHECK(fs_exists(dir))) fprintf(stderr, "  missing %s\n", expect[i]);
        mem_free(dir);
    }
    remove_tree(ts.root);
}

TEST(partition_writer_rejects_bad_columns)
{
    TestSink ts;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    const char *by[] = {"p", "v", "pad"};
    o.partition_by = by;
    o.npartition_by = 3;
    PartitionFileSink sink = test_sink(&ts);
    LogicalType types[] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Error err = ERROR_INIT;
    PartitionWriter *w = partition_writer_new(&o, &sink);
    CHECK(!partition_writer_begin(w, 3, col_names, types, &err));
    CHECK(strstr(err.message, "every column") != NULL);
    partition_writer_free(w);
    const char *missing[] = {"nope"};
    o.partition_by = missing;
    o.npartition_by = 1;
    w = partition_writer_new(&o, &sink);
    CHECK(!partition_writer_begin(w, 3, col_names, types, &err));
    CHECK(strstr(err.message, "\"nope\" is not in the result") != NULL);
    partition_writer_free(w);
    remove_tree(ts.root);
}
