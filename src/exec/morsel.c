/* morsel: the morsel queue (see morsel.h).
 *
 * Record boundaries of a CSV file are found by one sequential pass that
 * looks only for the quote byte, the escape byte and LF, with memchr when
 * outside quotes: a file without quotes costs a memchr per block.  The pass
 * runs under the queue's lock, a block at a time, as workers ask for work. */
#include "exec/morsel.h"

#include <string.h>

#include "common/mem.h"
#include "exec/csv_scan.h"
#include "exec/scan_dataset.h"
#include "exec/scan_provider.h"
#include "io/compression.h"
#include "io/fs.h"

#define SCAN_BLOCK (1u << 20)

struct MorselQueue {
    pthread_mutex_t lock;
    PlanKind kind;
    uint64_t next_seq;
    /* external: the provider's morsel source */
    const ScanMorselOps *ext;
    void *ext_source;
    /* table */
    const MemTable *table;
    int next_chunk;
    /* csv */
    FsPathList files;
    int file;              /* current file, files.count = done */
    FsFile *fh;
    uint64_t offset;       /* next morsel starts here (a record boundary) */
    int64_t line;          /* physical line at offset */
    bool in_quote;         /* always false at a boundary; kept for clarity */
    int quote, escape;
    uint64_t total_bytes;
    uint64_t morsel_bytes;
    char *block;
    struct ExecContext *ctx; /* the statement's: files opened are counted in it */
};

/* The files of a CSV scan: its dataset's (listed and pruned before
 * execution), or its pattern's. */
static bool csv_scan_files(const CsvScanSpec *spec, FsPathList *out, Error *err)
{
    if (spec->dataset) {
        for (int i = 0; i < spec->dataset->nfiles; i++) fs_path_list_add(out, spec->dataset->paths[i]);
        return true;
    }
    if (fs_has_wildcard(spec->pattern)) return fs_glob(spec->pattern, out, err);
    fs_path_list_add(out, spec->pattern);
    return true;
}

MorselQueue *morsel_queue_create(const PlanNode *scan, uint64_t csv_morsel_bytes, struct ExecContext *ctx, Error *err)
{
    MorselQueue *q = mem_calloc(1, sizeof *q);
    q->morsel_bytes = csv_morsel_bytes ? csv_morsel_bytes : (8u << 20);
    pthread_mutex_init(&q->lock, NULL);
    q->kind = scan->kind;
    if (scan->kind == PLAN_EXTERNAL_SCAN) {
        q->ext = scan->provider->morsels;
        q->ext_source = q->ext ? q->ext->open(scan, ctx, err) : NULL;
        if (q->ext_source == NULL) {
            if (q->ext == NULL) error_set(err, ERR_INTERNAL, "this scan cannot be split into morsels");
            morsel_queue_free(q);
            return NULL;
        }
        return q;
    }
    if (scan->kind == PLAN_TABLE_SCAN) {
        q->table = scan->table;
        return q;
    }
    const CsvScanSpec *spec = scan->csv;
    q->ctx = ctx;
    if (!csv_scan_files(spec, &q->files, err)) {
        morsel_queue_free(q);
        return NULL;
    }
    for (int i = 0; i < q->files.count; i++) {
        uint64_t size;
        if (!fs_file_size(q->files.paths[i], &size, err)) {
            morsel_queue_free(q);
            return NULL;
        }
        q->total_bytes += size;
    }
    q->quote = spec->options.quote;
    q->escape = spec->options.escape ? (unsigned char)spec->options.escape : spec->options.quote;
    q->block = mem_alloc(SCAN_BLOCK);
    q->line = 1;
    return q;
}

uint64_t morsel_queue_total_bytes(const MorselQueue *q) { return q->ext ? q->ext->total_bytes(q->ext_source) : q->total_bytes; }

void morsel_queue_free(MorselQueue *q)
{
    if (q == NULL) return;
    if (q->ext_source) q->ext->free(q->ext_source);
    if (q->fh) fs_close(q->fh);
    fs_path_list_free(&q->files);
    mem_free(q->block);
    pthread_mutex_destroy(&q->lock);
    mem_free(q);
}

/* Scan the current file from q->offset for the first record boundary at or
 * after offset + morsel_bytes; *end = that boundary or the file size.
 * Counts the LFs passed into *lines. */
static bool find_boundary(MorselQueue *q, uint64_t *end, int64_t *lines, Error *err)
{
    uint64_t size = fs_file_size_of(q->fh);
    uint64_t target = q->offset + q->morsel_bytes;
    uint64_t pos = q->offset;
    int64_t nl = 0;
    bool in_quote = false, escaped = false;
    const int quote = q->quote, escape = q->escape;
    while (pos < size) {
        size_t got;
        size_t want = size - pos < SCAN_BLOCK ? (size_t)(size - pos) : SCAN_BLOCK;
        if (!fs_pread(q->fh, q->block, want, pos, &got, err)) return false;
        if (got == 0) break;
        const char *b = q->block;
        size_t i = 0;
        while (i < got) {
            if (!in_quote) {
                /* outside quotes only the quote and LF matter */
                const char *qp = quote >= 0 ? memchr(b + i, quote, got - i) : NULL;
                size_t stop = qp ? (size_t)(qp - b) : got;
                const char *p = b + i;
                while ((p = memchr(p, '\n', (size_t)(b + stop - p))) != NULL) {
                    nl++;
                    uint64_t abs = pos + (uint64_t)(p - b);
                    if (abs + 1 >= target) {
                        *end = abs + 1;
                        *lines = nl;
                        return true;
                    }
                    p++;
                }
                if (qp == NULL) {
                    i = got;
                    break;
                }
                in_quote = true;
                i = stop + 1;
            } else {
                char c = b[i++];
                if (escaped) {
                    escaped = false;
                    if (c == '\n') nl++;
                } else if (escape != quote && (unsigned char)c == escape) {
                    escaped = true;
                } else if ((unsigned char)c == quote) {
                    in_quote = false; /* a doubled quote re-opens on the next byte */
                } else if (c == '\n') {
                    nl++;
                }
            }
        }
        pos += got;
    }
    *end = size;
    *lines = nl;
    return true;
}

bool morsel_queue_next(MorselQueue *q, Morsel *out, bool *have, Error *err)
{
    pthread_mutex_lock(&q->lock);
    bool ok = true;
    *have = false;
    if (q->ext) {
        ok = q->ext->next(q->ext_source, out, have, err);
        if (ok && *have) out->seq = q->next_seq++;
        pthread_mutex_unlock(&q->lock);
        return ok;
    }
    if (q->kind == PLAN_TABLE_SCAN) {
        if (q->next_chunk < q->table->nchunks) {
            out->seq = q->next_seq++;
            out->path = NULL;
            out->start = (uint64_t)q->next_chunk;
            q->next_chunk += MORSEL_TABLE_CHUNKS;
            if (q->next_chunk > q->table->nchunks) q->next_chunk = q->table->nchunks;
            out->end = (uint64_t)q->next_chunk;
            out->first_line = 0;
            out->bytes = 0;
            out->shared = NULL;
            *have = true;
        }
        pthread_mutex_unlock(&q->lock);
        return true;
    }
    while (q->file < q->files.count) {
        if (q->fh == NULL) {
            q->fh = fs_open_read(q->files.paths[q->file], err);
            if (q->fh && q->ctx) __atomic_add_fetch(&q->ctx->files_opened, 1, __ATOMIC_RELAXED);
            if (q->fh == NULL) {
                ok = false;
                break;
            }
            q->offset = 0;
            q->line = 1;
        }
        uint64_t size = fs_file_size_of(q->fh);
        if (q->offset >= size && !(size == 0 && q->offset == 0 && q->line == 1 && false)) {
            fs_close(q->fh);
            q->fh = NULL;
            q->file++;
            continue;
        }
        uint64_t end;
        int64_t lines;
        if (!find_boundary(q, &end, &lines, err)) {
            ok = false;
            break;
        }
        out->seq = q->next_seq++;
        out->path = q->files.paths[q->file];
        out->start = q->offset;
        out->end = end;
        out->first_line = q->line;
        out->bytes = end - q->offset;
        out->shared = NULL;
        q->offset = end;
        q->line += lines;
        *have = true;
        break;
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

bool morsel_scan_is_large(const PlanNode *scan, uint64_t csv_morsel_bytes)
{
    if (scan->kind == PLAN_TABLE_SCAN) return scan->table->nchunks > MORSEL_TABLE_CHUNKS;
    if (scan->kind == PLAN_EXTERNAL_SCAN)
        return scan->provider->morsels && scan->provider->morsels->is_large(scan, csv_morsel_bytes);
    if (scan->kind != PLAN_CSV_SCAN) return false;
    Error err = ERROR_INIT;
    FsPathList files = {0};
    if (!csv_scan_files(scan->csv, &files, &err)) {
        fs_path_list_free(&files);
        return false;
    }
    uint64_t total = 0;
    bool compressed = false; /* a compressed file is read from start to end: never split */
    for (int i = 0; i < files.count; i++) {
        uint64_t size;
        if (fs_file_size(files.paths[i], &size, &err)) total += size;
        compressed |= compression_is_compressed(files.paths[i], scan->csv->options.compression);
    }
    fs_path_list_free(&files);
    return total > csv_morsel_bytes && !compressed;
}
