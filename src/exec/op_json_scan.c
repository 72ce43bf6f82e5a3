/* op_json_scan: the JSON files scan (read_json, read_ndjson, COPY FROM a
 * JSON file): a ScanProvider over formats/json's streaming reader, one
 * batch at a time, converting only the projected columns (keys of other
 * columns are scanned for syntax and skipped; count(*) converts none).  The schema was settled when
 * the statement was bound and is declared to the reader, so execution reads
 * exactly the plan's columns and types.  Serially, files are read one after
 * the other by one reader; progress reports bytes of the files.
 *
 * Parallel scans (morsels, exec/morsel.h): an uncompressed newline-delimited
 * file is split into byte ranges of about the morsel size that start and
 * end on line starts.  JSON Lines cannot hold a raw newline inside a value
 * (strings escape it), so every LF ends a record: the morsel source reads
 * each such file once, ahead of the workers, a block at a time under the
 * queue's lock, looking only for LFs (memchr) and counting them, so each
 * range knows the line number of its first line and errors and rejects
 * name the same lines as a serial scan.  A compressed file can only be
 * read from its start: the morsel source decompresses it (under the same
 * lock) and cuts the data after the last LF of about morsel_size bytes (at
 * least 64 KiB) into a chunk, which it keeps until the worker of that
 * morsel takes it (Morsel.shared is the source); a line longer than
 * max_line_size is cut to max_line_size + 1 bytes, which the reader reports
 * as too long, and its rest dropped, as a serial reader does.  A scan that
 * includes a top-level JSON array (no record boundary a range could start
 * at) is not split at all.  The gather puts the morsels' rows back in file
 * order.
 * Memory: the reader's buffer plus one output batch; the morsel source
 * holds one 1 MiB block, or for a compressed file the chunks made and not
 * yet parsed (at most one per worker waiting for its turn, since workers
 * take a morsel only when ready to run it) and the bytes carried over. */
#include "exec/json_scan.h"

#include <string.h>

#include "common/mem.h"
#include "exec/morsel.h"
#include "exec/scan_dataset.h"
#include "exec/scan_provider.h"
#include "io/decompress.h"
#include "io/fs.h"

#define BOUNDARY_BLOCK (1u << 20)

typedef struct JsonMorselSource JsonMorselSource;

/* Lines of a compressed file, decompressed by the morsel source for the
 * morsel whose first byte (in the decompressed data) is at start. */
typedef struct JsonChunk {
    const char *path;  /* the source's string: compared by address */
    uint64_t start;
    char *data;
    size_t len;
    struct JsonChunk *next;
} JsonChunk;

static JsonChunk *chunk_take(JsonMorselSource *src, const struct Morsel *m);
static void chunk_free(JsonChunk *c);

typedef struct JsonScanState {
    ExecNode base;
    JsonReader *reader;
    Batch batch;
    uint64_t last_bytes;
    DatasetColumns *partitions;  /* a Hive dataset's columns (scan_dataset.h), NULL = none */
    int morsel_file;             /* in a worker: the morsel's file among the dataset's, else -1 */
    JsonChunk *chunk;            /* in a worker: its morsel's decompressed lines, if compressed */
    bool count_only;             /* count(*): no value is converted; the output is `nulls` */
    Batch nulls;                 /* count_only: the plan's one column, all NULL */
    uint64_t files_counted;      /* of json_reader_files_opened, added to ctx->files_opened */
} JsonScanState;

static bool json_scan_next(ExecNode *node, Batch **out, Error *err)
{
    JsonScanState *s = (JsonScanState *)node;
    batch_reset(&s->batch);
    if (!json_reader_next(s->reader, &s->batch, err)) return false;
    uint64_t bytes = json_reader_bytes_read(s->reader);
    node->ctx->bytes_done += bytes - s->last_bytes;
    s->last_bytes = bytes;
    *out = &s->batch;
    if (s->count_only) {
        s->nulls.count = s->batch.count;
        *out = &s->nulls;
    }
    if (node->ctx->morsel_scan != node->plan) { /* a worker's files are counted by the morsel source */
        uint64_t opened = json_reader_files_opened(s->reader);
        __atomic_add_fetch(&node->ctx->files_opened, opened - s->files_counted, __ATOMIC_RELAXED);
        s->files_counted = opened;
    }
    if (s->partitions) {
        int file = s->morsel_file >= 0 ? s->morsel_file : json_reader_batch_file_index(s->reader);
        *out = dataset_columns_output(s->partitions, ((const JsonScanSpec *)node->plan->scan_spec)->dataset, file,
                                      &s->batch);
    }
    return true;
}

static void json_scan_close(ExecNode *node)
{
    JsonScanState *s = (JsonScanState *)node;
    batch_destroy(&s->batch);
    if (s->count_only) batch_destroy(&s->nulls);
    json_reader_close(s->reader);
    chunk_free(s->chunk);
    if (s->partitions) dataset_columns_destroy(s->partitions);
    mem_free(s->partitions);
    mem_free(s);
}

static const ExecNodeOps json_scan_ops = {json_scan_next, json_scan_close};

/* The reader of a worker's morsel: its decompressed lines (*chunk, which
 * the caller frees after the reader), or a byte range of the file. */
static JsonReader *open_morsel(const JsonScanSpec *spec, const Morsel *m, JsonChunk **chunk, Error *err)
{
    *chunk = chunk_take(m->shared, m);
    if (*chunk)
        return json_reader_open_buffer(m->path, &spec->options, (*chunk)->data, (*chunk)->len, m->start, m->first_line,
                                       err);
    return json_reader_open_range(m->path, &spec->options, m->start, m->end, m->first_line, err);
}

static ExecNode *json_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const JsonScanSpec *spec = plan->scan_spec;
    const Morsel *m = ctx->morsel_scan == plan ? ctx->morsel : NULL;
    const ScanDataset *ds = spec->dataset; /* files listed (and pruned) before execution */
    if (ds && !m && ds->nfiles == 0) return scan_dataset_empty_node(plan, ctx);
    JsonChunk *chunk = NULL;
    JsonReader *reader = m    ? open_morsel(spec, m, &chunk, err)
                         : ds ? json_reader_open_files(ds->paths, ds->nfiles, &spec->options, err)
                              : json_reader_open(spec->pattern, &spec->options, err);
    if (reader == NULL) {
        chunk_free(chunk);
        return NULL;
    }
    if (json_reader_schema(reader)->ncols != spec->nschema_cols) {
        json_reader_close(reader);
        chunk_free(chunk);
        error_set(err, ERR_INTERNAL, "the JSON scan of \"%s\" does not have the planned columns", spec->pattern);
        return NULL;
    }
    JsonScanState *s = mem_calloc(1, sizeof *s);
    s->morsel_file = -1;
    s->chunk = chunk;
    if (ds && ds->nkeys > 0) {
        /* partition columns come from the paths: the reader reads the others */
        s->partitions = mem_alloc(sizeof *s->partitions);
        dataset_columns_init(s->partitions, ds, plan->nprojection > 0 ? plan->projection : NULL, plan->ncols);
        json_reader_project(reader, s->partitions->read, s->partitions->nread);
        if (m) s->morsel_file = scan_dataset_file_index(ds, m->path);
    } else if (plan->count_only && plan->ncols == 1) {
        /* records are still checked (a malformed one is an error or a reject),
         * but no value is converted, as no one reads them */
        json_reader_project(reader, NULL, 0);
        s->count_only = true;
        batch_init(&s->nulls, 1, plan->types, VECTOR_CAPACITY);
        for (uint32_t i = 0; i < VECTOR_CAPACITY; i++) vector_set_null(s->nulls.cols[0], i);
    } else if (plan->projection) {
        json_reader_project(reader, plan->projection, plan->nprojection);
    }
    s->base.ops = &json_scan_ops;
    s->reader = reader;
    json_reader_init_batch(reader, &s->batch);
    ctx->bytes_total += json_reader_bytes_total(reader);
    return &s->base;
}

static void json_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const JsonScanSpec *spec = plan->scan_spec;
    strbuf_printf(out, " %s", spec->pattern);
}

/* ---- morsels: line-aligned byte ranges, or decompressed lines ---- */

struct JsonMorselSource {
    const JsonScanSpec *spec;
    FsPathList files;
    uint64_t *sizes;
    uint64_t total_bytes;
    uint64_t morsel_bytes;
    size_t max_line;
    int file;           /* current file; files.count = done */
    bool file_open;     /* the current file is being split */
    uint64_t offset;    /* where its next morsel starts (a line start; decompressed for a compressed file) */
    int64_t line;       /* the line at offset */
    /* an uncompressed file: byte ranges */
    FsFile *fh;
    char *block;
    /* a compressed file: decompressed lines cut into chunks */
    Decompressor *dec;
    bool dec_eof;
    bool skipping;      /* dropping the rest of an overlong line */
    char *carry;        /* decompressed bytes after the last cut (at offset) */
    size_t carry_len;
    uint64_t bytes_in;  /* compressed bytes consumed by the chunks made so far */
    pthread_mutex_t chunk_lock;
    JsonChunk *chunks;  /* made, not yet taken by a worker (or never: freed with the source) */
    ExecContext *ctx;   /* the statement's: files opened are counted in it */
};

static void chunk_free(JsonChunk *c)
{
    if (c == NULL) return;
    mem_free(c->data);
    mem_free(c);
}

/* Take the chunk of morsel m (thread-safe), or NULL if it has none. */
static JsonChunk *chunk_take(JsonMorselSource *src, const Morsel *m)
{
    pthread_mutex_lock(&src->chunk_lock);
    JsonChunk **at = &src->chunks;
    while (*at && !((*at)->path == m->path && (*at)->start == m->start)) at = &(*at)->next;
    JsonChunk *c = *at;
    if (c) *at = c->next;
    pthread_mutex_unlock(&src->chunk_lock);
    return c;
}

/* The scan's files: its dataset's (listed and pruned before execution), or its pattern's. */
static bool scan_files(const JsonScanSpec *spec, FsPathList *out, Error *err)
{
    if (spec->dataset) {
        for (int i = 0; i < spec->dataset->nfiles; i++) fs_path_list_add(out, spec->dataset->paths[i]);
        return true;
    }
    return fs_glob(spec->pattern, out, err);
}

static void close_file(JsonMorselSource *src)
{
    if (src->fh) fs_close(src->fh);
    src->fh = NULL;
    decompress_close(src->dec);
    src->dec = NULL;
    mem_free(src->carry);
    src->carry = NULL;
    src->carry_len = 0;
    src->file_open = false;
}

static void morsel_source_free(void *p)
{
    JsonMorselSource *src = p;
    close_file(src);
    while (src->chunks) {
        JsonChunk *next = src->chunks->next;
        chunk_free(src->chunks);
        src->chunks = next;
    }
    pthread_mutex_destroy(&src->chunk_lock);
    fs_path_list_free(&src->files);
    mem_free(src->sizes);
    mem_free(src->block);
    mem_free(src);
}

static void *morsel_source_open(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    JsonMorselSource *src = mem_calloc(1, sizeof *src);
    pthread_mutex_init(&src->chunk_lock, NULL);
    src->spec = plan->scan_spec;
    /* the GATHER's morsel size, which sql/opt_parallel.c also sets on its scan */
    src->morsel_bytes = plan->morsel_bytes > 0 ? (uint64_t)plan->morsel_bytes : (8u << 20);
    src->max_line = src->spec->options.max_line_size ? src->spec->options.max_line_size : JSON_DEFAULT_MAX_LINE_SIZE;
    src->ctx = ctx;
    if (!scan_files(src->spec, &src->files, err)) {
        morsel_source_free(src);
        return NULL;
    }
    src->sizes = mem_calloc((size_t)src->files.count + 1, sizeof *src->sizes);
    for (int i = 0; i < src->files.count; i++) {
        if (!fs_file_size(src->files.paths[i], &src->sizes[i], err)) {
            morsel_source_free(src);
            return NULL;
        }
        src->total_bytes += src->sizes[i];
    }
    return src;
}

/* From src->offset, find the first line start at or after offset +
 * morsel_bytes (*end; the file's size if none) and count the LFs before it. */
static bool find_boundary(JsonMorselSource *src, uint64_t size, uint64_t *end, int64_t *lines, Error *err)
{
    uint64_t target = src->offset + src->morsel_bytes;
    uint64_t pos = src->offset;
    int64_t nl = 0;
    while (pos < size) {
        size_t want = size - pos < BOUNDARY_BLOCK ? (size_t)(size - pos) : BOUNDARY_BLOCK;
        size_t got;
        if (!fs_pread(src->fh, src->block, want, pos, &got, err)) return false;
        if (got == 0) break;
        const char *b = src->block, *e = b + got;
        for (const char *p = b; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) {
            nl++;
            if (pos + (uint64_t)(p - b) + 1 >= target) {
                *end = pos + (uint64_t)(p - b) + 1;
                *lines = nl;
                return true;
            }
        }
        pos += got;
    }
    *end = size;
    *lines = nl;
    return true;
}

/* Decompress more into buf[*len, cap) (one read); while skipping, the bytes
 * up to the next LF are dropped (and offset moves past them). */
static bool read_more(JsonMorselSource *src, char *buf, size_t *len, size_t cap, Error *err)
{
    while (*len < cap && !src->dec_eof) {
        size_t want = cap - *len, got;
        if (!decompress_read(src->dec, buf + *len, want, &got, err)) return false;
        if (got < want) src->dec_eof = true;
        if (src->skipping) { /* only at the start of a chunk: *len is 0 */
            char *nl = memchr(buf + *len, '\n', got);
            size_t dropped = nl ? (size_t)(nl + 1 - (buf + *len)) : got;
            memmove(buf + *len, buf + *len + dropped, got - dropped);
            got -= dropped;
            src->offset += dropped;
            src->skipping = nl == NULL;
            if (got == 0) continue;
        }
        *len += got;
        return true;
    }
    return true;
}

static int64_t count_lf(const char *p, size_t n)
{
    int64_t lines = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) lines++;
    return lines;
}

/* The next chunk of the current compressed file: the carried bytes, then
 * decompressed data up to about morsel_bytes, cut after its last LF.  A line
 * longer than max_line is cut to max_line + 1 bytes (the reader reports it
 * as too long) and its rest dropped.  *made false at the file's end. */
static bool next_chunk(JsonMorselSource *src, const char *path, Morsel *out, bool *made, Error *err)
{
    size_t target = src->morsel_bytes < (64u << 10) ? (64u << 10) : src->morsel_bytes > (256u << 20) ? (256u << 20) : (size_t)src->morsel_bytes;
    size_t cap = target + (64u << 10);
    if (cap < src->carry_len * 2) cap = src->carry_len * 2;
    char *buf = mem_alloc(cap);
    size_t len = src->carry_len;
    if (len) memcpy(buf, src->carry, len);
    mem_free(src->carry);
    src->carry = NULL;
    src->carry_len = 0;
    size_t cut, data_len;
    for (;;) {
        if (len < target && !src->dec_eof) {
            if (!read_more(src, buf, &len, cap, err)) goto fail;
            continue;
        }
        if (len == 0) { /* the end of the file */
            mem_free(buf);
            *made = false;
            return true;
        }
        const char *lf = src->dec_eof ? NULL : memrchr(buf, '\n', len);
        if (src->dec_eof || lf) {
            cut = data_len = lf ? (size_t)(lf - buf) + 1 : len;
            break;
        }
        if (len > src->max_line) { /* an overlong first line: its first bytes, then skip the rest */
            cut = len;
            data_len = src->max_line + 1;
            src->skipping = true;
            break;
        }
        /* a long line: read on */
        if (len == cap) { /* up to just over max_line: a longer line is cut above */
            size_t grown = cap * 2;
            if (grown > src->max_line + 2 && cap < src->max_line + 2) grown = src->max_line + 2;
            cap = grown;
            buf = mem_realloc(buf, cap);
        }
        if (!read_more(src, buf, &len, cap, err)) goto fail;
    }
    if (cut < len) {
        src->carry_len = len - cut;
        src->carry = mem_alloc(src->carry_len);
        memcpy(src->carry, buf + cut, src->carry_len);
    }
    JsonChunk *c = mem_calloc(1, sizeof *c);
    c->path = path;
    c->start = src->offset;
    c->data = buf;
    c->len = data_len;
    uint64_t in = decompress_bytes_in(src->dec);
    *out = (Morsel){.path = path, .start = src->offset, .end = src->offset + data_len, .first_line = src->line,
                    .bytes = in - src->bytes_in, .shared = src};
    src->bytes_in = in;
    src->line += src->skipping ? 1 : count_lf(buf, cut);
    src->offset += cut;
    pthread_mutex_lock(&src->chunk_lock);
    c->next = src->chunks;
    src->chunks = c;
    pthread_mutex_unlock(&src->chunk_lock);
    *made = true;
    return true;
fail:
    mem_free(buf);
    return false;
}

static bool morsel_source_next(void *p, Morsel *out, bool *have, Error *err)
{
    JsonMorselSource *src = p;
    *have = false;
    while (src->file < src->files.count) {
        const char *path = src->files.paths[src->file];
        uint64_t size = src->sizes[src->file];
        if (!src->file_open) {
            bool lines, compressed;
            if (!json_file_probe(path, &src->spec->options, &lines, &compressed, err)) return false;
            __atomic_add_fetch(&src->ctx->files_opened, 1, __ATOMIC_RELAXED);
            if (!lines) /* planned as JSON Lines (morsel_is_large): the file changed since */
                return error_set(err, ERR_DATA, "JSON file \"%s\" became a JSON array while the statement ran", path);
            src->offset = 0;
            src->line = 1;
            src->dec_eof = src->skipping = false;
            if (compressed) {
                src->dec = decompress_open_path(path, src->spec->options.compression, err);
                if (src->dec == NULL) return false;
                src->bytes_in = 0;
            } else {
                src->fh = fs_open_read(path, err);
                if (src->fh == NULL) return false;
                if (src->block == NULL) src->block = mem_alloc(BOUNDARY_BLOCK);
            }
            src->file_open = true;
        }
        if (src->dec) {
            bool made;
            if (!next_chunk(src, path, out, &made, err)) return false;
            if (made) {
                *have = true;
                return true;
            }
        } else if (src->offset < size) {
            uint64_t end;
            int64_t lines;
            if (!find_boundary(src, size, &end, &lines, err)) return false;
            *out = (Morsel){.path = path, .start = src->offset, .end = end, .first_line = src->line,
                            .bytes = end - src->offset, .shared = src};
            src->offset = end;
            src->line += lines;
            *have = true;
            return true;
        }
        close_file(src);
        src->file++;
    }
    return true;
}

static uint64_t morsel_source_total_bytes(void *p) { return ((JsonMorselSource *)p)->total_bytes; }

/* Worth splitting: more than a morsel's bytes, all JSON Lines (a top-level
 * array has no record boundary to split at, and would have to be one
 * morsel held whole in memory). */
static bool morsel_is_large(const PlanNode *plan, uint64_t morsel_bytes)
{
    const JsonScanSpec *spec = plan->scan_spec;
    Error err = ERROR_INIT;
    FsPathList files = {0};
    uint64_t total = 0;
    bool large = scan_files(spec, &files, &err);
    for (int i = 0; large && i < files.count; i++) {
        uint64_t size;
        if (fs_file_size(files.paths[i], &size, &err)) total += size;
    }
    large = large && total > morsel_bytes;
    for (int i = 0; large && i < files.count; i++) {
        bool lines, compressed;
        large = json_file_probe(files.paths[i], &spec->options, &lines, &compressed, &err) && lines;
    }
    fs_path_list_free(&files);
    return large;
}

static const ScanMorselOps json_morsel_ops = {morsel_is_large, morsel_source_open, morsel_source_next,
                                              morsel_source_total_bytes, morsel_source_free};

const ScanProvider json_scan_provider = {"READ_JSON", true, json_scan_create, json_scan_explain, true, &json_morsel_ops};
