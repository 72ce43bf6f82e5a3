/* partition_writer: rows -> partitions -> files (see partition_writer.h).
 *
 * Routing.  Each row's PARTITION_BY values are packed into a raw key (a
 * null flag and the value's bytes per column) and looked up in a hash map
 * of raw keys -> partition numbers; a new raw key gets its folder name
 * rendered once (PostgreSQL text form, escaped by hive_path.h; NULL and ''
 * both become __HIVE_DEFAULT_PARTITION__) and a second map of folder names
 * merges raw keys that render the same (NULL and '', -0 and 0).  A batch's
 * rows are then grouped by partition with a stable counting sort into one
 * selection vector, and each partition's slice is written through a
 * borrowed view of the batch's data columns: no row is copied on this path.
 *
 * Two modes, like Spark's dynamic partition writers:
 *
 *  - hash mode (the start): every partition seen has an open file and
 *    format writer.  All writers together stay within memory_budget: when
 *    they grow past it, the Parquet writers holding the most are made to
 *    write their row group out early (smaller row groups, same files).
 *
 *  - sort mode: when a batch would need more open files than
 *    max_open_files (derived from the budget: a Parquet writer needs a few
 *    MiB to make decent row groups, a CSV/JSON writer its buffer), the open
 *    writers are parked (row group written, buffers released, file kept
 *    open) and all further rows are buffered with their partition numbers.
 *    When the buffer exceeds what the budget leaves, it is sorted by
 *    partition (stable counting sort) and spilled as a sorted run
 *    (exec/spill.h, in temp_directory).  At the end the runs and the
 *    in-memory rest are merged partition by partition, earliest run first,
 *    and each partition is written to its end and closed before the next:
 *    only one writer is active besides the parked ones.  A parked
 *    partition's rows continue its open file, so the modes produce the
 *    same files' contents and row order.
 *
 * File sizing.  A partition's current file is closed when it holds
 * rows_per_file rows or its size reaches file_size_bytes (CSV/JSON: bytes
 * written; Parquet: written bytes plus the buffered row group at the
 * compression ratio seen so far, and when that estimate reaches the target
 * the row group is written out and the exact size decides); rows are fed in slices small
 * enough that a file overshoots the target by little.  A partition's files
 * are strictly sequential, so only its last one can be undersized.
 *
 * Threads.  The writer is one sink fed by one thread (the query's workers
 * scan and compute below it), which routes rows and keeps a partition's
 * files strictly sequential.  Parquet encoding and compression run on an
 * encoder pool of `threads` workers shared by all the partitions' writers
 * (parquet_encode_pool.h; made here when the options ask for more than one
 * thread): each writer hands a full row group's column chunks to the pool
 * and goes on, its row groups written in order as they finish; different
 * files' row groups encode in parallel.  The early flushes that keep the
 * budget hand all the chosen writers' row groups to the pool before
 * waiting for any, and finish submits every file's last row group before
 * closing the files one by one.  The bytes written do not depend on the
 * number of threads.  bench/lake.sh (SF 0.3, 2 threads, a loaded machine)
 * measured the single-threaded encoder at 14 s of CPU against DuckDB's 9 s
 * for 84 partitions; see bench/README.md for the figures since.
 *
 * Memory: the writers (bounded as above), the maps (the partitions'
 * names), one selection vector, and in sort mode the sort buffer (what the
 * budget leaves) plus one batch per spilled run while merging. */
#include "lake/partition_writer.h"

#include <string.h>
#include <xxhash.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/memtable.h"
#include "exec/spill.h"
#include "formats/json/json_writer.h"
#include "lake/hive_path.h"
#include "types/cast.h"

#define TEXT_WRITER_BUFFER (256u << 10)  /* CSV/JSON output buffer per open file */
#define PARQUET_WRITER_SHARE (4u << 20)  /* budget share that lets a Parquet writer make decent row groups */
#define MAX_OPEN_FILES 256               /* file descriptors are a budget too */
#define MIN_SORT_BUFFER (4u << 20)
#define FIRST_SLICE_ROWS 128             /* rows written before a new file's bytes per row are known */

/* ---- a map of byte strings to numbers (open addressing) ---- */

typedef struct ByteMapSlot {
    uint64_t hash;
    uint32_t off, len; /* key bytes in keys */
    uint32_t value;    /* + 1; 0 = empty */
} ByteMapSlot;

typedef struct ByteMap {
    ByteMapSlot *slots;
    uint32_t nslots, count;
    StrBuf keys;
} ByteMap;

static void bytemap_grow(ByteMap *m)
{
    uint32_t n = m->nslots ? m->nslots * 2 : 256;
    ByteMapSlot *slots = mem_calloc(n, sizeof *slots);
    for (uint32_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].value == 0) continue;
        uint32_t s = (uint32_t)m->slots[i].hash & (n - 1);
        while (slots[s].value) s = (s + 1) & (n - 1);
        slots[s] = m->slots[i];
    }
    mem_free(m->slots);
    m->slots = slots;
    m->nslots = n;
}

/* The value stored under key, or the slot where it would go (*found false). */
static ByteMapSlot *bytemap_find(ByteMap *m, const void *key, uint32_t len, uint64_t hash, bool *found)
{
    if ((uint64_t)(m->count + 1) * 2 > m->nslots) bytemap_grow(m);
    uint32_t s = (uint32_t)hash & (m->nslots - 1);
    while (m->slots[s].value) {
        ByteMapSlot *e = &m->slots[s];
        if (e->hash == hash && e->len == len && memcmp(m->keys.data + e->off, key, len) == 0) {
            *found = true;
            return e;
        }
        s = (s + 1) & (m->nslots - 1);
    }
    *found = false;
    return &m->slots[s];
}

static void bytemap_insert(ByteMap *m, ByteMapSlot *slot, const void *key, uint32_t len, uint64_t hash, uint32_t value)
{
    slot->hash = hash;
    slot->off = (uint32_t)m->keys.len;
    slot->len = len;
    slot->value = value + 1;
    strbuf_append(&m->keys, key, len);
    m->count++;
}

static void bytemap_free(ByteMap *m)
{
    mem_free(m->slots);
    strbuf_free(&m->keys);
    memset(m, 0, sizeof *m);
}

/* ---- partitions ---- */

typedef struct Partition {
    char *dir;               /* "k=v/k2=v2", escaped */
    void *file;              /* the sink's handle of the open file, or NULL */
    FsWriter *out;
    ParquetWriter *pq;
    CsvWriter *csv;
    JsonWriter *json;
    uint64_t file_rows;      /* rows in the open file */
    uint64_t memory;         /* the open writer's memory at its last measure */
    uint64_t rows;           /* rows of the whole run */
    uint32_t batch_rows;     /* rows of the current batch (grouping) */
    uint32_t batch_start;
    bool flushing;           /* chosen by shrink_writers: row group handed to the encoders */
} Partition;

struct PartitionWriter {
    PartitionWriterOptions o;
    PartitionFileSink sink;
    const char *extension;
    /* columns */
    int ncols;
    LogicalType *types;
    char **names;
    int *part_cols;          /* input column of each PARTITION_BY name */
    int ndata;
    int *data_cols;          /* input columns written into the files */
    char **data_names;
    LogicalType *data_types;
    Vector **view_cols;      /* the data columns of the batch being written (borrowed) */
    /* partitions */
    Partition *parts;
    uint32_t nparts, cap_parts;
    ByteMap by_raw, by_dir;
    StrBuf raw, scratch, dir;
    /* per batch */
    uint32_t *pids;
    uint32_t *sel;
    uint32_t *touched;
    /* writers */
    int open_files;
    uint64_t writer_memory;  /* sum of the open writers' memory */
    int max_open;
    /* sort mode */
    bool sorting;
    MemTable buffer;         /* data columns of the buffered rows */
    uint32_t *buffer_pids;
    uint64_t nbuffer_pids, cap_buffer_pids;
    SpillFile **runs;
    int nruns, cap_runs;
    LogicalType *run_types;  /* data columns + the partition number */
    /* stats */
    uint64_t rows, files, bytes, spilled;
    PqEncodePool *pool;      /* encoders shared by the Parquet writers (NULL: each encodes inline) */
};

void partition_writer_options_init(PartitionWriterOptions *o)
{
    memset(o, 0, sizeof *o);
    o->format = PARTITION_FORMAT_PARQUET;
    parquet_write_options_init(&o->parquet);
    csv_write_options_init(&o->csv);
    o->memory_budget = 256 << 20;
    o->temp_directory = "/tmp";
}

static const char *extension_of(PartitionFormat f)
{
    switch (f) {
    case PARTITION_FORMAT_CSV: return "csv";
    case PARTITION_FORMAT_JSON: return "json";
    default: return "parquet";
    }
}

PartitionWriter *partition_writer_new(const PartitionWriterOptions *o, const PartitionFileSink *sink)
{
    PartitionWriter *w = mem_calloc(1, sizeof *w);
    w->o = *o;
    w->sink = *sink;
    w->extension = extension_of(o->format);
    char **names = mem_calloc((size_t)o->npartition_by + 1, sizeof *names);
    for (int i = 0; i < o->npartition_by; i++) names[i] = mem_strdup(o->partition_by[i]);
    w->o.partition_by = (const char *const *)names;
    w->o.temp_directory = mem_strdup(o->temp_directory ? o->temp_directory : "/tmp");
    if (w->o.memory_budget <= 0) w->o.memory_budget = 256 << 20;
    int64_t share = o->format == PARTITION_FORMAT_PARQUET ? PARQUET_WRITER_SHARE : 2 * TEXT_WRITER_BUFFER;
    int64_t derived = w->o.memory_budget / 2 / share; /* half for writers, half for the sort buffer */
    if (derived > MAX_OPEN_FILES) derived = MAX_OPEN_FILES;
    if (derived < 1) derived = 1;
    w->max_open = o->max_open_files > 0 ? o->max_open_files : (int)derived;
    w->pids = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
    w->sel = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
    w->touched = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
    if (o->format == PARTITION_FORMAT_PARQUET && o->parquet.pool == NULL && o->parquet.threads > 1) {
        w->pool = pq_encode_pool_new(o->parquet.threads);
        w->o.parquet.pool = w->pool;
    }
    return w;
}

bool partition_writer_begin(PartitionWriter *w, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    w->ncols = ncols;
    w->types = mem_calloc((size_t)ncols + 1, sizeof *w->types);
    w->names = mem_calloc((size_t)ncols + 1, sizeof *w->names);
    memcpy(w->types, types, sizeof *types * (size_t)ncols);
    for (int c = 0; c < ncols; c++) w->names[c] = mem_strdup(names[c]);
    int np = w->o.npartition_by;
    w->part_cols = mem_calloc((size_t)np + 1, sizeof(int));
    bool *is_part = mem_calloc((size_t)ncols + 1, sizeof(bool));
    bool ok = true;
    for (int i = 0; i < np && ok; i++) {
        int found = -1;
        for (int c = 0; c < ncols; c++)
            if (strcmp(names[c], w->o.partition_by[i]) == 0) {
                if (found >= 0) {
                    ok = error_set(err, ERR_SQL, "PARTITION_BY column \"%s\" is ambiguous", w->o.partition_by[i]);
                    break;
                }
                found = c;
            }
        if (!ok) break;
        if (found < 0) ok = error_set(err, ERR_SQL, "PARTITION_BY column \"%s\" is not in the result", w->o.partition_by[i]);
        else if (is_part[found]) ok = error_set(err, ERR_SQL, "PARTITION_BY column \"%s\" is listed twice", w->o.partition_by[i]);
        else is_part[found] = true, w->part_cols[i] = found;
    }
    if (ok && np >= ncols) ok = error_set(err, ERR_SQL, "cannot partition by every column: the files would have no columns");
    if (ok) {
        w->data_cols = mem_calloc((size_t)ncols + 1, sizeof(int));
        w->data_names = mem_calloc((size_t)ncols + 1, sizeof(char *));
        w->data_types = mem_calloc((size_t)ncols + 2, sizeof(LogicalType));
        w->view_cols = mem_calloc((size_t)ncols + 1, sizeof(Vector *));
        for (int c = 0; c < ncols; c++)
            if (!is_part[c]) {
                w->data_cols[w->ndata] = c;
                w->data_names[w->ndata] = w->names[c];
                w->data_types[w->ndata] = types[c];
                w->ndata++;
            }
        w->run_types = mem_calloc((size_t)w->ndata + 2, sizeof(LogicalType));
        memcpy(w->run_types, w->data_types, sizeof(LogicalType) * (size_t)w->ndata);
        w->run_types[w->ndata] = type_make(TYPE_INTEGER);
        memtable_init(&w->buffer, w->ndata, w->data_types);
    }
    mem_free(is_part);
    return ok;
}

/* ---- partition numbers ---- */

/* Pack row's partition values into w->raw. */
static void raw_key(PartitionWriter *w, const Batch *b, uint32_t row)
{
    strbuf_clear(&w->raw);
    for (int i = 0; i < w->o.npartition_by; i++) {
        const Vector *v = b->cols[w->part_cols[i]];
        if (!vector_is_valid(v, row)) {
            strbuf_putc(&w->raw, 0);
            continue;
        }
        strbuf_putc(&w->raw, 1);
        if (v->type.id == TYPE_VARCHAR) {
            const KString *k = &VEC_DATA(v, KString)[row];
            uint32_t n = k->len;
            strbuf_append(&w->raw, (const char *)&n, sizeof n);
            strbuf_append(&w->raw, kstring_data(k), n);
        } else {
            size_t size = type_physical_size(v->type);
            strbuf_append(&w->raw, (const char *)v->data + (size_t)row * size, size);
        }
    }
}

/* The folder of row's partition into w->dir. */
static void render_dir(PartitionWriter *w, const Batch *b, uint32_t row)
{
    strbuf_clear(&w->dir);
    for (int i = 0; i < w->o.npartition_by; i++) {
        const Vector *v = b->cols[w->part_cols[i]];
        if (i > 0) strbuf_putc(&w->dir, '/');
        if (!vector_is_valid(v, row)) {
            hive_append_segment(&w->dir, w->o.partition_by[i], NULL, 0);
            continue;
        }
        strbuf_clear(&w->scratch);
        cast_format_value(v, row, &w->scratch);
        hive_append_segment(&w->dir, w->o.partition_by[i], w->scratch.data ? w->scratch.data : "", w->scratch.len);
    }
}

static uint32_t partition_of(PartitionWriter *w, const Batch *b, uint32_t row)
{
    raw_key(w, b, row);
    uint32_t len = (uint32_t)w->raw.len;
    const char *key = w->raw.data ? w->raw.data : "";
    uint64_t h = XXH3_64bits(key, len);
    bool found;
    ByteMapSlot *slot = bytemap_find(&w->by_raw, key, len, h, &found);
    if (found) return slot->value - 1;
    render_dir(w, b, row);
    const char *dir = w->dir.data ? w->dir.data : "";
    uint32_t dlen = (uint32_t)w->dir.len;
    uint64_t dh = XXH3_64bits(dir, dlen);
    bool dfound;
    ByteMapSlot *dslot = bytemap_find(&w->by_dir, dir, dlen, dh, &dfound);
    uint32_t pid;
    if (dfound) {
        pid = dslot->value - 1;
    } else {
        if (w->nparts == w->cap_parts) {
            w->cap_parts = w->cap_parts ? w->cap_parts * 2 : 64;
            w->parts = mem_realloc(w->parts, sizeof *w->parts * w->cap_parts);
        }
        pid = w->nparts++;
        memset(&w->parts[pid], 0, sizeof w->parts[pid]);
        w->parts[pid].dir = mem_strndup(dir, dlen);
        bytemap_insert(&w->by_dir, dslot, dir, dlen, dh, pid);
    }
    /* the raw map may have grown while the dir map was searched: find the slot again */
    slot = bytemap_find(&w->by_raw, key, len, h, &found);
    bytemap_insert(&w->by_raw, slot, key, len, h, pid);
    return pid;
}

/* ---- files ---- */

static uint64_t writer_memory(const Partition *p)
{
    if (p->pq) return parquet_writer_memory(p->pq);
    if (p->csv) return csv_writer_memory(p->csv);
    if (p->json) return json_writer_memory(p->json);
    return 0;
}

static uint64_t file_size(const Partition *p)
{
    if (p->pq) return parquet_writer_estimated_size(p->pq);
    if (p->csv) return csv_writer_bytes(p->csv);
    if (p->json) return json_writer_bytes(p->json);
    return 0;
}

static bool open_file(PartitionWriter *w, Partition *p, Error *err)
{
    p->file = w->sink.open_file(w->sink.ctx, p->dir, w->extension, &p->out, err);
    if (p->file == NULL) return false;
    const char *const *names = (const char *const *)w->data_names;
    bool ok;
    switch (w->o.format) {
    case PARTITION_FORMAT_CSV:
        p->csv = csv_writer_open_on(p->out, &w->o.csv, TEXT_WRITER_BUFFER, err);
        ok = p->csv && csv_writer_begin(p->csv, w->ndata, names, err);
        break;
    case PARTITION_FORMAT_JSON:
        p->json = json_writer_open_on(p->out, TEXT_WRITER_BUFFER);
        ok = json_writer_begin(p->json, w->ndata, names, err);
        break;
    default:
        p->pq = parquet_writer_open_on(p->out, &w->o.parquet, err);
        ok = p->pq && parquet_writer_begin(p->pq, w->ndata, names, w->data_types, err);
        break;
    }
    p->file_rows = 0;
    p->memory = 0;
    w->open_files++;
    return ok;
}

/* Drop the partition's open file. */
static void abort_file(PartitionWriter *w, Partition *p)
{
    if (p->file == NULL) return;
    parquet_writer_abort(p->pq);
    csv_writer_abort(p->csv);
    json_writer_abort(p->json);
    w->sink.abort_file(w->sink.ctx, p->file);
    w->writer_memory -= p->memory;
    w->open_files--;
    p->pq = NULL;
    p->csv = NULL;
    p->json = NULL;
    p->file = NULL;
    p->out = NULL;
    p->memory = 0;
}

/* Finish the partition's open file and hand it to the sink. */
static bool close_file(PartitionWriter *w, Partition *p, Error *err)
{
    if (p->file == NULL) return true;
    bool ok;
    if (p->pq) ok = parquet_writer_finish(p->pq, err);
    else if (p->csv) ok = csv_writer_finish(p->csv, err);
    else ok = json_writer_finish(p->json, err);
    p->pq = NULL;
    p->csv = NULL;
    p->json = NULL;
    if (!ok) {
        abort_file(w, p);
        return false;
    }
    uint64_t bytes = p->out->bytes_written;
    void *file = p->file;
    p->file = NULL;
    p->out = NULL;
    w->writer_memory -= p->memory;
    p->memory = 0;
    w->open_files--;
    if (!w->sink.close_file(w->sink.ctx, file, p->file_rows, err)) return false;
    w->files++;
    w->bytes += bytes;
    return true;
}

/* How many of n rows to feed the open file before checking its size again. */
static uint32_t slice_rows(const PartitionWriter *w, const Partition *p, uint32_t n)
{
    if (w->o.rows_per_file > 0 && (int64_t)n > w->o.rows_per_file - (int64_t)p->file_rows)
        n = (uint32_t)(w->o.rows_per_file - (int64_t)p->file_rows);
    if (w->o.file_size_bytes > 0) {
        if (p->file_rows == 0) return n < FIRST_SLICE_ROWS ? n : FIRST_SLICE_ROWS;
        uint64_t size = file_size(p);
        double per_row = (double)size / (double)p->file_rows;
        double left = (double)w->o.file_size_bytes - (double)size;
        uint64_t fit = per_row > 0 ? (uint64_t)(left / per_row) + 1 : n;
        if (fit < n) n = (uint32_t)fit;
    }
    return n ? n : 1;
}

/* Has the open file reached its size?  For Parquet an estimate that says
 * so is checked by writing the row group out (its compressed size is then
 * exact): until the first row group the compression ratio is unknown. */
static bool file_full(PartitionWriter *w, Partition *p, bool *full, Error *err)
{
    *full = false;
    if (w->o.rows_per_file > 0 && (int64_t)p->file_rows >= w->o.rows_per_file) *full = true;
    if (*full || w->o.file_size_bytes <= 0 || file_size(p) < (uint64_t)w->o.file_size_bytes) return true;
    if (p->pq) {
        if (!parquet_writer_flush(p->pq, err)) return false;
        /* within 5% of the target is full: no tiny row group for the last few bytes */
        *full = parquet_writer_written_bytes(p->pq) >= (uint64_t)w->o.file_size_bytes / 20 * 19;
        return true;
    }
    *full = true;
    return true;
}

/* Write rows sel[0, n) of b (physical slots) to partition p, rolling files
 * over when full.  b has the input's columns, or only the data columns
 * first when data_only (the sort fallback's batches). */
static bool write_rows(PartitionWriter *w, Partition *p, const Batch *b, bool data_only, const uint32_t *sel, uint32_t n,
                       Error *err)
{
    Vector **cols = w->view_cols;
    for (int i = 0; i < w->ndata; i++) cols[i] = b->cols[data_only ? i : w->data_cols[i]];
    uint32_t done = 0;
    while (done < n) {
        if (p->file == NULL && !open_file(w, p, err)) return false;
        uint32_t k = slice_rows(w, p, n - done);
        Batch view = {.ncols = w->ndata, .cols = cols, .count = k, .sel = sel + done, .owned = NULL};
        bool ok;
        if (p->pq) ok = parquet_writer_write_batch(p->pq, &view, err);
        else if (p->csv) ok = csv_writer_write_batch(p->csv, &view, err);
        else ok = json_writer_write_batch(p->json, &view, err);
        if (!ok) return false;
        p->file_rows += k;
        p->rows += k;
        w->rows += k;
        done += k;
        bool full;
        if (!file_full(w, p, &full, err) || (full && !close_file(w, p, err))) return false;
    }
    if (p->file) {
        uint64_t m = writer_memory(p);
        w->writer_memory += m - p->memory;
        p->memory = m;
    }
    return true;
}

/* Keep the open writers within their half of the budget: the Parquet
 * writers holding the most write their row groups out early.  All the
 * writers chosen hand their row groups to the encoders first and are
 * waited for afterwards, so that they encode in parallel. */
static bool shrink_writers(PartitionWriter *w, Error *err)
{
    uint64_t limit = (uint64_t)w->o.memory_budget / 2;
    while (w->writer_memory > limit) {
        uint64_t excess = w->writer_memory - limit, freeing = 0;
        uint32_t nchosen = 0;
        while (freeing < excess) {
            Partition *big = NULL;
            for (uint32_t i = 0; i < w->nparts; i++) {
                Partition *p = &w->parts[i];
                if (p->pq && !p->flushing && (big == NULL || p->memory > big->memory)) big = p;
            }
            if (big == NULL || big->memory < (64u << 10)) break; /* nothing (more) worth flushing */
            if (!parquet_writer_submit(big->pq, err)) return false;
            big->flushing = true;
            freeing += big->memory;
            nchosen++;
        }
        if (nchosen == 0) return true;
        for (uint32_t i = 0; i < w->nparts; i++) {
            Partition *p = &w->parts[i];
            if (!p->flushing) continue;
            p->flushing = false;
            if (!parquet_writer_flush(p->pq, err)) return false;
            uint64_t m = writer_memory(p);
            w->writer_memory += m - p->memory;
            p->memory = m;
        }
    }
    return true;
}

/* ---- sort mode ---- */

/* Stop opening writers: park the open ones (row groups out, buffers freed). */
static bool enter_sort_mode(PartitionWriter *w, Error *err)
{
    w->sorting = true;
    for (uint32_t i = 0; i < w->nparts; i++) {
        Partition *p = &w->parts[i];
        if (p->pq && !parquet_writer_flush(p->pq, err)) return false;
        if (p->file) {
            uint64_t m = writer_memory(p);
            w->writer_memory += m - p->memory;
            p->memory = m;
        }
    }
    return true;
}

static uint64_t sort_buffer_limit(const PartitionWriter *w)
{
    int64_t left = w->o.memory_budget - (int64_t)w->writer_memory;
    return left > (int64_t)MIN_SORT_BUFFER ? (uint64_t)left : MIN_SORT_BUFFER;
}

/* The buffered rows as references (chunk << 16 | row) in partition order, input order within one. */
static uint64_t *sorted_refs(PartitionWriter *w)
{
    uint64_t n = w->buffer.nrows;
    uint64_t *refs = mem_alloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    uint64_t *start = mem_calloc((size_t)w->nparts + 1, sizeof(uint64_t));
    for (uint64_t i = 0; i < n; i++) start[w->buffer_pids[i] + 1]++;
    for (uint32_t p = 0; p < w->nparts; p++) start[p + 1] += start[p];
    uint64_t i = 0;
    for (int c = 0; c < w->buffer.nchunks; c++)
        for (uint32_t r = 0; r < w->buffer.chunks[c].count; r++, i++)
            refs[start[w->buffer_pids[i]]++] = ((uint64_t)c << 16) | r;
    mem_free(start);
    return refs;
}

/* A source of rows in partition order: a spilled run or the in-memory rest. */
typedef struct SortedSource {
    SpillFile *run;          /* NULL: the buffer, through refs */
    uint64_t *refs;
    uint64_t next, nrefs;
    Batch batch;             /* data columns + partition number */
    uint32_t pos;
} SortedSource;

/* Gather the next batch of the buffer's sorted rows. */
static void emit_buffered(PartitionWriter *w, SortedSource *s)
{
    batch_reset(&s->batch);
    uint32_t n = 0;
    Vector *pid_col = s->batch.cols[w->ndata];
    while (s->next < s->nrefs && n < VECTOR_CAPACITY) {
        uint64_t ref = s->refs[s->next];
        const Batch *chunk = &w->buffer.chunks[ref >> 16];
        uint32_t row = (uint32_t)(ref & 0xffff);
        for (int c = 0; c < w->ndata; c++) vector_gather(s->batch.cols[c], n, chunk->cols[c], &row, 1);
        uint64_t index = (uint64_t)(ref >> 16) * VECTOR_CAPACITY + row; /* all chunks but the last are full */
        VEC_DATA(pid_col, int32_t)[n] = (int32_t)w->buffer_pids[index];
        n++;
        s->next++;
    }
    s->batch.count = n;
}

static bool source_advance(PartitionWriter *w, SortedSource *s, Error *err)
{
    s->pos = 0;
    if (s->run) return spill_read(s->run, &s->batch, err);
    emit_buffered(w, s);
    return true;
}

static void clear_buffer(PartitionWriter *w)
{
    memtable_clear(&w->buffer);
    w->nbuffer_pids = 0;
}

/* Sort the buffer by partition and write it to a spill file. */
static bool spill_buffer(PartitionWriter *w, Error *err)
{
    SpillFile *f = spill_create(w->o.temp_directory, err);
    if (f == NULL) return false;
    SortedSource s = {0};
    s.refs = sorted_refs(w);
    s.nrefs = w->buffer.nrows;
    batch_init(&s.batch, w->ndata + 1, w->run_types, VECTOR_CAPACITY);
    bool ok = true;
    for (;;) {
        emit_buffered(w, &s);
        if (s.batch.count == 0) break;
        if (!spill_write(f, &s.batch, err)) {
            ok = false;
            break;
        }
    }
    batch_destroy(&s.batch);
    mem_free(s.refs);
    if (!ok) {
        spill_close(f);
        return false;
    }
    w->spilled += spill_bytes(f);
    if (w->nruns == w->cap_runs) {
        w->cap_runs = w->cap_runs ? w->cap_runs * 2 : 8;
        w->runs = mem_realloc(w->runs, sizeof *w->runs * (size_t)w->cap_runs);
    }
    w->runs[w->nruns++] = f;
    clear_buffer(w);
    return true;
}

/* Buffer a batch's rows with their partition numbers (w->pids). */
static bool buffer_batch(PartitionWriter *w, const Batch *b, Error *err)
{
    Vector **cols = w->view_cols;
    for (int i = 0; i < w->ndata; i++) cols[i] = b->cols[w->data_cols[i]];
    Batch view = {.ncols = w->ndata, .cols = cols, .count = b->count, .sel = b->sel, .owned = NULL};
    memtable_append(&w->buffer, &view);
    if (w->nbuffer_pids + b->count > w->cap_buffer_pids) {
        w->cap_buffer_pids = (w->nbuffer_pids + b->count) * 2;
        w->buffer_pids = mem_realloc(w->buffer_pids, sizeof(uint32_t) * (size_t)w->cap_buffer_pids);
    }
    memcpy(w->buffer_pids + w->nbuffer_pids, w->pids, sizeof(uint32_t) * b->count);
    w->nbuffer_pids += b->count;
    if (memtable_bytes(&w->buffer) + w->nbuffer_pids * 4 > sort_buffer_limit(w)) return spill_buffer(w, err);
    return true;
}

/* Merge the runs and the buffer partition by partition into the files. */
static bool write_sorted(PartitionWriter *w, Error *err)
{
    int nsources = w->nruns + (w->buffer.nrows > 0 ? 1 : 0);
    SortedSource *src = mem_calloc((size_t)nsources + 1, sizeof *src);
    bool ok = true;
    for (int i = 0; i < nsources; i++) {
        SortedSource *s = &src[i];
        batch_init(&s->batch, w->ndata + 1, w->run_types, VECTOR_CAPACITY);
        if (i < w->nruns) {
            s->run = w->runs[i];
            if (!spill_rewind(s->run, err)) ok = false;
        } else {
            s->refs = sorted_refs(w);
            s->nrefs = w->buffer.nrows;
        }
        if (ok) ok = source_advance(w, s, err);
    }
    uint32_t *sel = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
    while (ok) {
        /* the smallest partition number any source is at */
        int64_t pid = -1;
        for (int i = 0; i < nsources; i++) {
            SortedSource *s = &src[i];
            if (s->pos >= s->batch.count) continue;
            int32_t at = VEC_DATA(s->batch.cols[w->ndata], int32_t)[s->pos];
            if (pid < 0 || at < pid) pid = at;
        }
        if (pid < 0) break;
        Partition *p = &w->parts[pid];
        for (int i = 0; i < nsources && ok; i++) {
            SortedSource *s = &src[i];
            while (ok && s->pos < s->batch.count) {
                const int32_t *pids = VEC_DATA(s->batch.cols[w->ndata], int32_t);
                uint32_t end = s->pos;
                while (end < s->batch.count && pids[end] == pid) end++;
                if (end == s->pos) break;
                for (uint32_t r = s->pos; r < end; r++) sel[r - s->pos] = r;
                ok = write_rows(w, p, &s->batch, true, sel, end - s->pos, err);
                s->pos = end;
                if (ok && s->pos >= s->batch.count) ok = source_advance(w, s, err);
            }
        }
        /* the partition is complete: its last file can be closed now */
        if (ok) ok = close_file(w, p, err);
    }
    mem_free(sel);
    for (int i = 0; i < nsources; i++) {
        batch_destroy(&src[i].batch);
        mem_free(src[i].refs);
    }
    mem_free(src);
    return ok;
}

/* ---- the sink ---- */

bool partition_writer_write(PartitionWriter *w, const Batch *b, Error *err)
{
    if (b->count == 0) return true;
    for (uint32_t i = 0; i < b->count; i++) w->pids[i] = partition_of(w, b, batch_row(b, i));
    if (w->sorting) return buffer_batch(w, b, err);
    /* group the batch's rows by partition (stable) */
    uint32_t ntouched = 0;
    int new_files = 0;
    for (uint32_t i = 0; i < b->count; i++) {
        Partition *p = &w->parts[w->pids[i]];
        if (p->batch_rows++ == 0) {
            w->touched[ntouched++] = w->pids[i];
            new_files += p->file == NULL;
        }
    }
    uint32_t at = 0;
    for (uint32_t t = 0; t < ntouched; t++) {
        Partition *p = &w->parts[w->touched[t]];
        p->batch_start = at;
        at += p->batch_rows;
        p->batch_rows = 0; /* becomes the fill position */
    }
    for (uint32_t i = 0; i < b->count; i++) {
        Partition *p = &w->parts[w->pids[i]];
        w->sel[p->batch_start + p->batch_rows++] = batch_row(b, i);
    }
    if (w->open_files + new_files > w->max_open) {
        for (uint32_t t = 0; t < ntouched; t++) w->parts[w->touched[t]].batch_rows = 0;
        if (!enter_sort_mode(w, err)) return false;
        return buffer_batch(w, b, err);
    }
    bool ok = true;
    for (uint32_t t = 0; t < ntouched; t++) {
        Partition *p = &w->parts[w->touched[t]];
        if (ok) ok = write_rows(w, p, b, false, w->sel + p->batch_start, p->batch_rows, err);
        p->batch_rows = 0;
    }
    return ok && shrink_writers(w, err);
}

bool partition_writer_finish(PartitionWriter *w, Error *err)
{
    if (w->sorting && !write_sorted(w, err)) return false;
    clear_buffer(w);
    /* the last row groups of all files encode in parallel, then the files close in order */
    for (uint32_t i = 0; i < w->nparts; i++)
        if (w->parts[i].pq && !parquet_writer_submit(w->parts[i].pq, err)) return false;
    for (uint32_t i = 0; i < w->nparts; i++)
        if (!close_file(w, &w->parts[i], err)) return false;
    return true;
}

void partition_writer_stats(const PartitionWriter *w, PartitionWriteStats *out)
{
    memset(out, 0, sizeof *out);
    out->rows = w->rows;
    out->files = w->files;
    out->bytes = w->bytes;
    out->sorted = w->sorting;
    out->spilled_bytes = w->spilled;
    for (uint32_t i = 0; i < w->nparts; i++) out->partitions += w->parts[i].rows > 0;
}

void partition_writer_free(PartitionWriter *w)
{
    if (w == NULL) return;
    for (uint32_t i = 0; i < w->nparts; i++) {
        abort_file(w, &w->parts[i]);
        mem_free(w->parts[i].dir);
    }
    mem_free(w->parts);
    bytemap_free(&w->by_raw);
    bytemap_free(&w->by_dir);
    strbuf_free(&w->raw);
    strbuf_free(&w->scratch);
    strbuf_free(&w->dir);
    mem_free(w->pids);
    mem_free(w->sel);
    mem_free(w->touched);
    if (w->buffer.types) memtable_destroy(&w->buffer);
    mem_free(w->buffer_pids);
    for (int i = 0; i < w->nruns; i++) spill_close(w->runs[i]);
    mem_free(w->runs);
    for (int i = 0; i < w->o.npartition_by; i++) mem_free((char *)w->o.partition_by[i]);
    mem_free((void *)w->o.partition_by);
    mem_free((char *)w->o.temp_directory);
    for (int c = 0; c < w->ncols; c++) mem_free(w->names[c]);
    mem_free(w->names);
    mem_free(w->types);
    mem_free(w->part_cols);
    mem_free(w->data_cols);
    mem_free(w->data_names);
    mem_free(w->data_types);
    mem_free(w->view_cols);
    mem_free(w->run_types);
    pq_encode_pool_free(w->pool); /* after the writers: nothing of theirs is queued any more */
    mem_free(w);
}
