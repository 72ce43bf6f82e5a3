/* rejects: records readers could not read, kept by name (see rejects.h). */
#include "quality/rejects.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

static const char *const column_names[REJECTS_COLS + 1] = {
    "_source_file", "_source_line", "_byte_offset", "_error", "_raw",
    "_job", "_run_id", "_logical_date", "_rejected_at", NULL,
};

const char *const *rejects_column_names(void) { return column_names; }

LogicalType rejects_column_type(int i)
{
    if (i == 1 || i == 2) return type_make(TYPE_BIGINT);
    if (i == 8) return type_make(TYPE_TIMESTAMP);
    return type_make(TYPE_VARCHAR);
}

RejectsStore *rejects_new(const char *name)
{
    RejectsStore *s = mem_calloc(1, sizeof *s);
    s->name = mem_strdup(name);
    pthread_mutex_init(&s->lock, NULL);
    LogicalType types[REJECTS_COLS];
    for (int i = 0; i < REJECTS_COLS; i++) types[i] = rejects_column_type(i);
    memtable_init(&s->rows, REJECTS_COLS, types);
    return s;
}

static void drop_pending(RejectsStore *s)
{
    for (size_t i = 0; i < s->npending; i++) {
        mem_free(s->pending[i].file);
        mem_free(s->pending[i].error);
        mem_free(s->pending[i].raw);
    }
    s->npending = 0;
}

void rejects_free(RejectsStore *s)
{
    if (s == NULL) return;
    drop_pending(s);
    mem_free(s->pending);
    memtable_destroy(&s->rows);
    pthread_mutex_destroy(&s->lock);
    mem_free(s->name);
    mem_free(s);
}

void rejects_add(RejectsStore *s, const char *file, int64_t line, uint64_t offset, const char *error, const char *raw,
                 size_t raw_len)
{
    if (raw_len > REJECTS_RAW_MAX) raw_len = REJECTS_RAW_MAX;
    while (raw_len > 0 && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r')) raw_len--;
    RejectRecord r = {mem_strdup(file ? file : ""), line, offset, mem_strdup(error ? error : ""),
                      mem_strndup(raw ? raw : "", raw_len), (uint32_t)raw_len};
    pthread_mutex_lock(&s->lock);
    if (s->npending == s->cap_pending) {
        s->cap_pending = s->cap_pending ? s->cap_pending * 2 : 16;
        s->pending = mem_realloc(s->pending, sizeof(RejectRecord) * s->cap_pending);
    }
    s->pending[s->npending++] = r;
    pthread_mutex_unlock(&s->lock);
}

size_t rejects_pending(RejectsStore *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->npending;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static int compare_records(const void *a, const void *b)
{
    const RejectRecord *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void put_text(Vector *v, uint32_t row, const char *s, size_t n)
{
    if (s) vector_set_string(v, row, s, (uint32_t)n);
    else vector_set_null(v, row);
}

void rejects_end_statement(RejectsStore *s, bool commit, const char *job, const char *run_id, const char *logical_date,
                           int64_t at_micros)
{
    pthread_mutex_lock(&s->lock);
    if (commit && s->npending > 0) {
        qsort(s->pending, s->npending, sizeof(RejectRecord), compare_records);
        Batch b;
        batch_init(&b, s->rows.ncols, s->rows.types, VECTOR_CAPACITY);
        for (size_t i = 0; i < s->npending; i++) {
            const RejectRecord *r = &s->pending[i];
            uint32_t row = b.count;
            put_text(b.cols[0], row, r->file, strlen(r->file));
            VEC_DATA(b.cols[1], int64_t)[row] = r->line;
            VEC_DATA(b.cols[2], int64_t)[row] = (int64_t)r->offset;
            put_text(b.cols[3], row, r->error, strlen(r->error));
            put_text(b.cols[4], row, r->raw, r->raw_len);
            put_text(b.cols[5], row, job, job ? strlen(job) : 0);
            put_text(b.cols[6], row, run_id, run_id ? strlen(run_id) : 0);
            put_text(b.cols[7], row, logical_date, logical_date ? strlen(logical_date) : 0);
            VEC_DATA(b.cols[8], int64_t)[row] = at_micros;
            b.count++;
            if (b.count == VECTOR_CAPACITY || i + 1 == s->npending) {
                memtable_append(&s->rows, &b);
                batch_reset(&b);
            }
        }
        batch_destroy(&b);
    }
    drop_pending(s);
    pthread_mutex_unlock(&s->lock);
}

const MemTable *rejects_table(const RejectsStore *s) { return &s->rows; }
