/* Unit tests of the Parquet encoder pool and the parallel writer: tasks run
 * in submission order and all complete, a group reports its lowest failed
 * task's error, a cancelled group's queued tasks never run; a file written
 * with 0, 2 or 3 encoder threads (or a shared pool) has exactly the same
 * bytes; an encoder's error comes back from the writer; abort with row
 * groups in flight frees everything (the ASan build checks the leaks). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "formats/parquet/parquet_encode_pool.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "types/cast.h"
#include "unit.h"

/* ---- the pool ---- */

typedef struct OrderTask {
    atomic_int *next;   /* shared sequence counter */
    int seen;           /* the counter's value when this task ran */
    int fail;           /* fail with "task N failed" */
    int index;
    atomic_int *gate;   /* wait until it is non-zero (NULL: no wait) */
    atomic_int *ran;    /* counts the runs */
} OrderTask;

static bool order_task(void *arg, Error *err)
{
    OrderTask *t = arg;
    while (t->gate && atomic_load(t->gate) == 0) usleep(100);
    if (t->ran) atomic_fetch_add(t->ran, 1);
    t->seen = atomic_fetch_add(t->next, 1);
    if (t->fail) return error_set(err, ERR_DATA, "task %d failed", t->index);
    return true;
}

TEST(parquet_encode_pool_runs_every_task_in_submission_order)
{
    /* one worker: execution order is submission order, across groups */
    PqEncodePool *pool = pq_encode_pool_new(1);
    CHECK_EQ_INT(pq_encode_pool_threads(pool), 1);
    atomic_int next = 0;
    OrderTask tasks[3][20];
    PqTaskGroup groups[3];
    for (int g = 0; g < 3; g++) {
        pq_task_group_init(&groups[g]);
        for (int i = 0; i < 20; i++) {
            tasks[g][i] = (OrderTask){.next = &next, .index = i};
            pq_encode_pool_submit(pool, &groups[g], order_task, &tasks[g][i]);
        }
    }
    Error err = ERROR_INIT;
    for (int g = 2; g >= 0; g--) CHECK(pq_task_group_wait(pool, &groups[g], &err));
    bool in_order = true;
    for (int g = 0; g < 3; g++)
        for (int i = 0; i < 20; i++) in_order &= tasks[g][i].seen == g * 20 + i;
    CHECK(in_order);
    CHECK(pq_task_group_finished(pool, &groups[0]));
    pq_encode_pool_free(pool);

    /* several workers: every task runs exactly once */
    pool = pq_encode_pool_new(4);
    atomic_int ran = 0;
    next = 0;
    OrderTask many[500];
    PqTaskGroup group;
    pq_task_group_init(&group);
    for (int i = 0; i < 500; i++) {
        many[i] = (OrderTask){.next = &next, .index = i, .ran = &ran};
        pq_encode_pool_submit(pool, &group, order_task, &many[i]);
    }
    CHECK(pq_task_group_wait(pool, &group, &err));
    CHECK_EQ_INT(atomic_load(&ran), 500);
    pq_encode_pool_free(pool);
}

TEST(parquet_encode_pool_reports_the_first_failed_task)
{
    PqEncodePool *pool = pq_encode_pool_new(3);
    atomic_int next = 0, gate = 0;
    OrderTask tasks[10];
    PqTaskGroup group;
    pq_task_group_init(&group);
    for (int i = 0; i < 10; i++) {
        /* task 3 waits at its gate, so task 7 fails first in time */
        tasks[i] = (OrderTask){.next = &next, .index = i, .fail = i == 3 || i == 7, .gate = i == 3 ? &gate : NULL};
        pq_encode_pool_submit(pool, &group, order_task, &tasks[i]);
    }
    while (atomic_load(&next) < 9) usleep(100);
    atomic_store(&gate, 1);
    Error err = ERROR_INIT;
    CHECK(!pq_task_group_wait(pool, &group, &err));
    CHECK_EQ_STR(err.message, "task 3 failed");
    pq_encode_pool_free(pool);
}

TEST(parquet_encode_pool_cancel_drops_queued_tasks)
{
    PqEncodePool *pool = pq_encode_pool_new(1);
    atomic_int next = 0, gate = 0, ran_a = 0, ran_b = 0;
    OrderTask a = {.next = &next, .gate = &gate, .ran = &ran_a};
    OrderTask b[10];
    PqTaskGroup ga, gb;
    pq_task_group_init(&ga);
    pq_task_group_init(&gb);
    pq_encode_pool_submit(pool, &ga, order_task, &a); /* holds the only worker */
    for (int i = 0; i < 10; i++) {
        b[i] = (OrderTask){.next = &next, .index = i, .ran = &ran_b};
        pq_encode_pool_submit(pool, &gb, order_task, &b[i]);
    }
    pq_task_group_cancel(pool, &gb);
    CHECK(pq_task_group_finished(pool, &gb));
    atomic_store(&gate, 1);
    Error err = ERROR_INIT;
    CHECK(pq_task_group_wait(pool, &ga, &err));
    CHECK_EQ_INT(atomic_load(&ran_a), 1);
    CHECK_EQ_INT(atomic_load(&ran_b), 0);
    /* the pool still works after a cancel */
    PqTaskGroup gc;
    pq_task_group_init(&gc);
    pq_encode_pool_submit(pool, &gc, order_task, &b[0]);
    CHECK(pq_task_group_wait(pool, &gc, &err));
    CHECK_EQ_INT(atomic_load(&ran_b), 1);
    pq_encode_pool_free(pool);
}

/* ---- the writer ---- */

#define NCOLS 7

static const LogicalType *test_types(void)
{
    static LogicalType t[NCOLS];
    t[0] = type_make(TYPE_BOOLEAN);
    t[1] = type_make(TYPE_INTEGER);
    t[2] = type_make(TYPE_BIGINT);
    t[3] = type_make(TYPE_DOUBLE);
    t[4] = type_make(TYPE_VARCHAR);
    t[5] = type_make(TYPE_DATE);
    t[6] = type_decimal(38, 6);
    return t;
}

static const char *test_cell(int col, int r, char *buf)
{
    if ((r * 7 + col) % 11 == 0) return NULL;
    switch (col) {
    case 0: return r % 3 ? "true" : "false";
    case 1: sprintf(buf, "%d", r % 5 ? r % 97 : -r); return buf;
    case 2: sprintf(buf, "%lld", (long long)r * 1000003LL); return buf;
    case 3: sprintf(buf, "%g", (r % 13) / 8.0); return buf;
    case 4: sprintf(buf, r % 3 ? "s%d" : "a longer value %d", r % 3 ? r % 41 : r); return buf;
    case 5: sprintf(buf, "2024-%02d-%02d", 1 + r % 12, 1 + r % 28); return buf;
    default: sprintf(buf, "%s%d.%06d", r % 2 ? "-" : "", r, r % 1000000); return buf;
    }
}

static ParquetWriter *open_test_writer(const char *path, const ParquetWriteOptions *o, Error *err)
{
    const char *names[NCOLS] = {"bo", "i", "b", "d", "s", "dt", "d38"};
    ParquetWriter *w = parquet_writer_open(path, o, err);
    if (w && !parquet_writer_begin(w, NCOLS, names, test_types(), err)) {
        parquet_writer_abort(w);
        return NULL;
    }
    return w;
}

/* Write nrows test rows with a selection vector on every other batch; false with err on failure. */
static bool write_rows(ParquetWriter *w, int nrows, Error *err)
{
    Batch b;
    batch_init(&b, NCOLS, test_types(), VECTOR_CAPACITY);
    uint32_t sel[VECTOR_CAPACITY];
    char buf[96];
    bool ok = true;
    for (int r = 0, k = 0; ok && r < nrows; k++) {
        int count = nrows - r < 1500 ? nrows - r : 1500;
        batch_reset(&b);
        for (int c = 0; c < NCOLS; c++)
            for (int i = 0; i < count; i++) {
                const char *text = test_cell(c, r + i, buf);
                if (text == NULL) {
                    vector_set_null(b.cols[c], (uint32_t)i);
                    continue;
                }
                Error perr = ERROR_INIT;
                vector_set_valid(b.cols[c], (uint32_t)i);
                cast_parse_text(text, strlen(text), b.cols[c], (uint32_t)i, &perr);
            }
        b.count = (uint32_t)count;
        if (k % 2) {
            for (int i = 0; i < count; i++) sel[i] = (uint32_t)i;
            b.sel = sel;
        } else {
            b.sel = NULL;
        }
        ok = parquet_writer_write_batch(w, &b, err);
        r += count;
    }
    b.sel = NULL;
    batch_destroy(&b);
    return ok;
}

static char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = mem_alloc((size_t)len + 1);
    *n = fread(data, 1, (size_t)len, f);
    fclose(f);
    return data;
}

static char *pool_temp_path(const char *name)
{
    static char dir[64];
    if (!dir[0]) {
        strcpy(dir, "/tmp/kiln-unit-pqpool-XXXXXX");
        if (!mkdtemp(dir)) return NULL;
    }
    return mem_printf("%s/%s", dir, name);
}

TEST(parquet_writer_bytes_do_not_depend_on_threads)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.codec = PQ_CODEC_ZSTD;
    o.row_group_rows = 2100; /* many row groups, cut inside batches */
    o.page_bytes = 2048;     /* several pages per chunk */
    o.dictionary_bytes = 900; /* strings fall back to PLAIN mid-chunk */
    char *ref_path = pool_temp_path("t0.parquet");
    Error err = ERROR_INIT;
    ParquetWriter *w = open_test_writer(ref_path, &o, &err);
    CHECK(w != NULL && write_rows(w, 20000, &err) && parquet_writer_close(w, &err));
    size_t ref_len = 0;
    char *ref = read_whole(ref_path, &ref_len);
    CHECK(ref != NULL && ref_len > 1000);
    ParquetFile *pf = parquet_file_open(ref_path, &err);
    CHECK(pf != NULL);
    if (pf) {
        CHECK_EQ_INT(pf->meta.num_rows, 20000);
        CHECK_EQ_INT(pf->meta.nrow_groups, 10);
        parquet_file_close(pf);
    }
    PqEncodePool *shared = pq_encode_pool_new(2);
    for (int variant = 0; variant < 3; variant++) {
        ParquetWriteOptions v = o;
        if (variant == 0) v.threads = 2;
        if (variant == 1) v.threads = 3;
        if (variant == 2) v.pool = shared;
        char *path = pool_temp_path("tn.parquet");
        w = open_test_writer(path, &v, &err);
        CHECK(w != NULL && write_rows(w, 20000, &err) && parquet_writer_close(w, &err));
        size_t len = 0;
        char *data = read_whole(path, &len);
        CHECK(data != NULL && len == ref_len && memcmp(data, ref, len) == 0);
        mem_free(data);
        unlink(path);
        mem_free(path);
    }
    pq_encode_pool_free(shared);
    mem_free(ref);
    unlink(ref_path);
    mem_free(ref_path);
}

TEST(parquet_writer_returns_an_encoder_error_and_aborts_cleanly)
{
    for (int threads = 0; threads <= 2; threads += 2) {
        ParquetWriteOptions o;
        parquet_write_options_init(&o);
        o.codec = PQ_CODEC_GZIP;
        o.level = 50; /* zlib refuses it: every page fails to compress */
        o.row_group_rows = 1000;
        o.threads = threads;
        char *path = pool_temp_path("err.parquet");
        Error err = ERROR_INIT;
        ParquetWriter *w = open_test_writer(path, &o, &err);
        CHECK(w != NULL);
        /* inline (threads 0) the first full row group fails; with workers a later call reports it */
        bool ok = w != NULL && write_rows(w, 8000, &err);
        CHECK(threads == 0 ? !ok : true);
        Error err2 = ERROR_INIT;
        CHECK(w == NULL || !parquet_writer_flush(w, &err2));
        CHECK(strstr(err2.message, "gzip") != NULL);
        /* and every call after it (the failed row group is never written, nor any after it) */
        Error err3 = ERROR_INIT;
        CHECK(w == NULL || !parquet_writer_flush(w, &err3));
        CHECK_EQ_STR(err3.message, err2.message);
        parquet_writer_abort(w);
        CHECK(access(path, F_OK) != 0); /* nothing published */
        /* close reports it too (and frees the writer) */
        w = open_test_writer(path, &o, &err);
        CHECK(w != NULL);
        if (w) {
            ok = write_rows(w, 800, &err) && parquet_writer_close(w, &err); /* one row group, at close */
            CHECK(!ok);
            CHECK(strstr(err.message, "gzip") != NULL);
            CHECK(access(path, F_OK) != 0);
        }
        mem_free(path);
    }
}

TEST(parquet_writer_abort_with_row_groups_in_flight)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.codec = PQ_CODEC_ZSTD;
    o.level = 9;
    o.row_group_rows = 500;
    o.threads = 2;
    char *path = pool_temp_path("abort.parquet");
    Error err = ERROR_INIT;
    ParquetWriter *w = open_test_writer(path, &o, &err);
    CHECK(w != NULL && write_rows(w, 9000, &err));
    CHECK(parquet_writer_memory(w) > 0);
    CHECK_EQ_INT(parquet_writer_rows(w), 9000);
    parquet_writer_abort(w);
    CHECK(access(path, F_OK) != 0);
    /* flush leaves an idle writer small, and the file reads back */
    w = open_test_writer(path, &o, &err);
    CHECK(w != NULL && write_rows(w, 3000, &err) && parquet_writer_flush(w, &err));
    CHECK(parquet_writer_memory(w) < 4096);
    CHECK(parquet_writer_written_bytes(w) > 4);
    CHECK(write_rows(w, 100, &err) && parquet_writer_close(w, &err));
    ParquetFile *pf = parquet_file_open(path, &err);
    CHECK(pf != NULL);
    if (pf) {
        CHECK_EQ_INT(pf->meta.num_rows, 3100);
        parquet_file_close(pf);
    }
    unlink(path);
    mem_free(path);
}
