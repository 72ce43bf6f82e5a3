/* quarantine: rows turned away by a contract (see quarantine.h). */
#include "quality/quarantine.h"

#include <string.h>
#include <time.h>

#include "common/mem.h"

static const char *const meta_names[QUARANTINE_META_COLS] = {
    "_rules", "_error", "_source_file", "_source_line", "_source_row",
    "_job", "_run_id", "_logical_date", "_quarantined_at", NULL,
};

void quarantine_init(Quarantine *q, int ncols, char *const *col_names)
{
    memset(q, 0, sizeof *q);
    int n = ncols + QUARANTINE_META_COLS - 1;
    q->ncols = ncols;
    q->names = mem_calloc((size_t)n + 1, sizeof(char *));
    q->types = mem_calloc((size_t)n + 1, sizeof(LogicalType));
    for (int i = 0; i < n; i++) {
        q->names[i] = mem_strdup(i < ncols ? col_names[i] : meta_names[i - ncols]);
        q->types[i] = type_make(TYPE_VARCHAR);
    }
    q->types[ncols + 3] = type_make(TYPE_BIGINT);
    q->types[ncols + 4] = type_make(TYPE_BIGINT);
    q->types[ncols + 8] = type_make(TYPE_TIMESTAMP);
    memtable_init(&q->rows, n, q->types);
    batch_init(&q->pending, n, q->types, VECTOR_CAPACITY);
}

void quarantine_destroy(Quarantine *q)
{
    if (q->names == NULL) return;
    int n = q->ncols + QUARANTINE_META_COLS - 1;
    for (int i = 0; i < n; i++) mem_free(q->names[i]);
    mem_free(q->names);
    mem_free(q->types);
    memtable_destroy(&q->rows);
    batch_destroy(&q->pending);
    memset(q, 0, sizeof *q);
}

static void flush(Quarantine *q)
{
    if (q->pending.count == 0) return;
    memtable_append(&q->rows, &q->pending);
    batch_reset(&q->pending);
}

static void put_text(Vector *v, uint32_t row, const char *s)
{
    if (s) vector_set_string(v, row, s, (uint32_t)strlen(s));
    else vector_set_null(v, row);
}

static void put_bigint(Vector *v, uint32_t row, int64_t x, bool valid)
{
    VEC_DATA(v, int64_t)[row] = x;
    if (valid) vector_set_valid(v, row);
    else vector_set_null(v, row);
}

void quarantine_add(Quarantine *q, const QuarantineEntry *e)
{
    if (q->pending.count == VECTOR_CAPACITY) flush(q);
    Batch *b = &q->pending;
    uint32_t row = b->count;
    for (int c = 0; c < q->ncols; c++) {
        if (e->values[c]) vector_set_string(b->cols[c], row, e->values[c], e->lens[c]);
        else vector_set_null(b->cols[c], row);
    }
    Vector **m = b->cols + q->ncols;
    put_text(m[0], row, e->rules);
    put_text(m[1], row, e->error);
    put_text(m[2], row, e->source_file);
    put_bigint(m[3], row, e->source_line, e->source_line > 0);
    put_bigint(m[4], row, e->source_row, e->source_row > 0);
    put_text(m[5], row, e->job);
    put_text(m[6], row, e->run_id);
    put_text(m[7], row, e->logical_date);
    put_bigint(m[8], row, e->at_micros, true);
    b->count++;
}

void quarantine_move(Quarantine *dst, Quarantine *src)
{
    flush(dst);
    flush(src);
    for (int k = 0; k < src->rows.nchunks; k++) memtable_append(&dst->rows, &src->rows.chunks[k]);
    memtable_clear(&src->rows);
}

uint64_t quarantine_rows(const Quarantine *q)
{
    return q->rows.nrows + q->pending.count;
}

const MemTable *quarantine_table(Quarantine *q)
{
    flush(q);
    return &q->rows;
}

int64_t quarantine_now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    time_t secs = ts.tv_sec;
    localtime_r(&secs, &tm);
    return ((int64_t)ts.tv_sec + tm.tm_gmtoff) * 1000000 + ts.tv_nsec / 1000;
}
