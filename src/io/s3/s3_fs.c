/* s3_fs: s3:// paths as a FileSystem (see s3_fs.h for the behaviour).
 *
 * Reads of a file's edges go through the process-wide s3_edge_cache.h: a
 * small read at offset 0 (a format's magic number) fetches the first
 * 4 KiB, a read within the last 64 KiB (a Parquet footer) fetches from there
 * to the end, and both are kept, keyed by bucket, key, size and ETag, so the
 * binder, the optimizer and every parallel worker that open the same
 * unchanged object read its footer once.  A read that ends inside the cached
 * tail extends it backwards (a footer larger than 64 KiB costs one more GET).
 *
 * pread_ranges sorts the ranges, coalesces those less than 1 MiB apart
 * (the cost of the gap's bytes is below one request's latency), splits
 * spans longer than 8 MiB into pieces, and sends every piece at once
 * through s3_perform (s3_concurrency in flight, each with the client's
 * retries).  A range that is alone in its span is read straight into the
 * caller's buffer; a coalesced span goes through one temporary buffer.
 *
 * Memory: a reader holds its read-ahead window (8 MiB at most, allocated on
 * the first sequential read); a multi-range read a temporary buffer per
 * coalesced span (at most 64 MiB each).  A writer holds a batch of up to
 * min(s3_concurrency, 4) full parts uploading in the background, as many
 * waiting for the next batch, and the part being filled: 144 MiB with the
 * default 16 MiB parts; and the part ETags. */
#include "io/s3/s3_fs.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/s3/libcrypto_api.h"
#include "io/s3/s3_client.h"
#include "io/s3/s3_edge_cache.h"
#include "io/s3/s3_http.h"
#include "io/s3/s3_url.h"
#include "io/s3/s3_xml.h"

#define READ_AHEAD_BYTES ((size_t)8 << 20)
#define HEAD_BYTES ((size_t)4 << 10)          /* cached start of an object */
#define TAIL_BYTES ((size_t)64 << 10)         /* cached end of an object (Parquet footers) */
#define TAIL_MAX_BYTES S3_EDGE_MAX_BYTES       /* a cached tail never grows beyond this */
#define COALESCE_GAP_BYTES ((uint64_t)1 << 20) /* ranges closer than this share one GET */
#define SPAN_MAX_BYTES ((uint64_t)64 << 20)    /* a coalesced span is at most this long */
#define PIECE_BYTES ((uint64_t)8 << 20)        /* one GET fetches at most this much of a span */
#define MAX_PARTS_IN_MEMORY 4
#define TOKEN_MAGIC "kiln-s3-upload-v1"

/* ---- reading ---- */

typedef struct S3File {
    FsFile base;
    S3Client client;
    S3Location loc;
    char etag[128];       /* from the HEAD at open: the object cache's key */
    pthread_mutex_t lock; /* guards the window and last_end */
    char *window;
    uint64_t window_offset;
    size_t window_len;
    uint64_t last_end;    /* where the previous read ended */
} S3File;

static bool s3_handles(const char *path) { return s3_is_path(path); }

/* What an operation demands of its path's key. */
typedef enum KeyRule {
    KEY_ANY,    /* a bucket, a "folder/" or an object */
    KEY_OBJECT, /* an object: a bucket or a key ending in '/' is a directory */
} KeyRule;

/* The prologue of every operation: parse path and open a client (settings
 * snapshot and credentials) for it; with KEY_OBJECT, a directory is the
 * error '<action> "path"<detail>: Is a directory'.  Pair with close_location. */
static bool open_location(const char *path, KeyRule rule, const char *action, const char *detail, S3Location *loc,
                          S3Client *c, Error *err)
{
    if (!s3_parse_path(path, loc, err)) return false;
    if (rule == KEY_OBJECT && (loc->key[0] == '\0' || loc->key[strlen(loc->key) - 1] == '/')) {
        s3_location_free(loc);
        return error_set(err, ERR_IO, "%s \"%s\"%s: Is a directory", action, path, detail);
    }
    if (!s3_client_open(c, err)) {
        s3_location_free(loc);
        return false;
    }
    return true;
}

static void close_location(S3Location *loc, S3Client *c)
{
    s3_client_close(c);
    s3_location_free(loc);
}

/* HEAD bucket/key; status in r (caller frees r). */
static bool head_object(S3Client *c, const S3Location *loc, S3Request *r, Error *err)
{
    s3_request_init(r, "HEAD", loc->bucket, loc->key, "");
    return s3_perform(c, r, 1, err);
}

static FsFile *s3_open_read(const FileSystem *fs, const char *path, Error *err)
{
    S3File *f = mem_calloc(1, sizeof *f);
    if (!open_location(path, KEY_OBJECT, "could not open file", "", &f->loc, &f->client, err)) {
        mem_free(f);
        return NULL;
    }
    S3Request r;
    bool ok = head_object(&f->client, &f->loc, &r, err);
    if (ok && r.status == 404) ok = error_set(err, ERR_IO, "could not open file \"%s\": No such key (HTTP 404)", path);
    else if (ok && (r.status < 200 || r.status >= 300)) ok = s3_request_error(&r, "could not open file", err);
    else if (ok && !r.has_content_length)
        ok = error_set(err, ERR_IO, "could not open file \"%s\": the S3 answer has no Content-Length", path);
    uint64_t size = r.content_length;
    snprintf(f->etag, sizeof f->etag, "%s", r.etag);
    s3_request_free(&r);
    if (!ok) {
        close_location(&f->loc, &f->client);
        mem_free(f);
        return NULL;
    }
    f->base.fs = fs;
    f->base.path = mem_strdup(path);
    f->base.size = size;
    f->last_end = UINT64_MAX;
    pthread_mutex_init(&f->lock, NULL);
    return &f->base;
}

/* GET [offset, offset + n) into buf; n > 0 and within the object. */
static bool ranged_get(S3File *f, void *buf, size_t n, uint64_t offset, Error *err)
{
    char range[64];
    snprintf(range, sizeof range, "bytes=%" PRIu64 "-%" PRIu64, offset, offset + n - 1);
    S3Request r;
    s3_request_init(&r, "GET", f->loc.bucket, f->loc.key, "");
    s3_request_header(&r, "Range", range);
    r.sink = buf;
    r.sink_cap = n;
    bool ok = s3_perform(&f->client, &r, 1, err);
    if (ok && r.status == 200 && !(offset == 0 && n == f->base.size))
        ok = error_set(err, ERR_IO, "could not read file \"%s\": the server ignored the byte range", f->base.path);
    else if (ok && r.status != 206 && r.status != 200)
        ok = s3_request_error(&r, "could not read file", err);
    else if (ok && r.sink_len != n)
        ok = error_set(err, ERR_IO,
                       "could not read file \"%s\": got %zu of %zu bytes at offset %" PRIu64
                       " (did the object change while it was read?)",
                       f->base.path, r.sink_len, n, offset);
    s3_request_free(&r);
    return ok;
}

/* ---- the edges of an object, through the process-wide cache ---- */

static S3EdgeKey edge_key(const S3File *f)
{
    return (S3EdgeKey){f->loc.bucket, f->loc.key, f->etag, f->base.size};
}

static bool edge_read(const S3File *f, void *buf, size_t n, uint64_t offset)
{
    S3EdgeKey k = edge_key(f);
    return s3_edge_cache_read(&k, buf, n, offset);
}

static void edge_store(const S3File *f, char *bytes, size_t n, uint64_t offset)
{
    S3EdgeKey k = edge_key(f);
    s3_edge_cache_store(&k, bytes, n, offset);
}

/* Read an edge of the object through the cache: [offset, offset + n) lies
 * in the first HEAD_BYTES or ends within the last TAIL_BYTES. */
static bool edge_get(S3File *f, void *buf, size_t n, uint64_t offset, Error *err)
{
    if (edge_read(f, buf, n, offset)) return true;
    uint64_t size = f->base.size;
    uint64_t from, to;
    if (offset + n <= HEAD_BYTES && offset + n <= size - (size > TAIL_BYTES ? TAIL_BYTES : size)) {
        from = 0;
        to = size < HEAD_BYTES ? size : HEAD_BYTES;
    } else {
        from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
        if (offset < from) from = offset;
        to = size;
    }
    char *bytes = mem_alloc((size_t)(to - from) + 1);
    if (!ranged_get(f, bytes, (size_t)(to - from), from, err)) {
        mem_free(bytes);
        return false;
    }
    memcpy(buf, bytes + (offset - from), n);
    edge_store(f, bytes, (size_t)(to - from), from);
    return true;
}

/* True if [offset, offset + n) is an edge read that the cache serves. */
static bool is_edge_read(const S3File *f, size_t n, uint64_t offset)
{
    uint64_t size = f->base.size;
    bool head = offset + n <= HEAD_BYTES;
    bool tail = offset + n + TAIL_BYTES > size && n <= TAIL_MAX_BYTES;
    return head || tail;
}

static bool s3_pread(FsFile *file, void *buf, size_t n, uint64_t offset, size_t *got, Error *err)
{
    S3File *f = (S3File *)file;
    *got = 0;
    if (offset >= file->size || n == 0) return true;
    if (n > file->size - offset) n = (size_t)(file->size - offset);
    pthread_mutex_lock(&f->lock);
    bool ok = true;
    if (f->window_len > 0 && offset >= f->window_offset && offset + n <= f->window_offset + f->window_len) {
        memcpy(buf, f->window + (offset - f->window_offset), n);
    } else if (is_edge_read(f, n, offset) && !(offset == f->last_end && offset > 0)) {
        /* a magic number or a footer: once per object, through the cache */
        ok = edge_get(f, buf, n, offset, err);
    } else if (n < READ_AHEAD_BYTES && (offset == f->last_end || offset == 0)) {
        /* a sequential reader: fetch a whole window once */
        size_t want = READ_AHEAD_BYTES;
        if (want > file->size - offset) want = (size_t)(file->size - offset);
        if (f->window == NULL) f->window = mem_alloc(READ_AHEAD_BYTES);
        f->window_len = 0;
        ok = ranged_get(f, f->window, want, offset, err);
        if (ok) {
            f->window_offset = offset;
            f->window_len = want;
            memcpy(buf, f->window, n);
        }
    } else {
        ok = ranged_get(f, buf, n, offset, err);
    }
    if (ok) {
        f->last_end = offset + n;
        *got = n;
    }
    pthread_mutex_unlock(&f->lock);
    return ok;
}

/* ---- multi-range reads ---- */

/* A GET of [offset, offset + len) into dst. */
typedef struct Piece {
    uint64_t offset;
    size_t len;
    char *dst;
} Piece;

/* A run of coalesced ranges: [offset, end) fetched into buf (owned when
 * the span has several ranges, else the one range's own buffer). */
typedef struct Span {
    uint64_t offset, end;
    int first, count;   /* its ranges: order[first .. first + count) */
    char *buf;
    bool owned;
} Span;

static int compare_range_offsets(const void *a, const void *b)
{
    const FsRange *x = *(const FsRange *const *)a, *y = *(const FsRange *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset ? 1 : 0;
}

/* GET every piece at once; each answer must be exactly its range. */
static bool get_pieces(S3File *f, const Piece *pieces, int n, Error *err)
{
    S3Request *reqs = mem_calloc((size_t)n, sizeof *reqs);
    char (*ranges)[64] = mem_alloc((size_t)n * sizeof *ranges);
    for (int i = 0; i < n; i++) {
        snprintf(ranges[i], sizeof ranges[i], "bytes=%" PRIu64 "-%" PRIu64, pieces[i].offset,
                 pieces[i].offset + pieces[i].len - 1);
        s3_request_init(&reqs[i], "GET", f->loc.bucket, f->loc.key, "");
        s3_request_header(&reqs[i], "Range", ranges[i]);
        reqs[i].sink = pieces[i].dst;
        reqs[i].sink_cap = pieces[i].len;
    }
    bool ok = s3_perform(&f->client, reqs, n, err);
    for (int i = 0; ok && i < n; i++) {
        S3Request *r = &reqs[i];
        if (r->status == 200 && !(pieces[i].offset == 0 && pieces[i].len == f->base.size))
            ok = error_set(err, ERR_IO, "could not read file \"%s\": the server ignored the byte range", f->base.path);
        else if (r->status != 206 && r->status != 200)
            ok = s3_request_error(r, "could not read file", err);
        else if (r->sink_len != pieces[i].len)
            ok = error_set(err, ERR_IO,
                           "could not read file \"%s\": got %zu of %zu bytes at offset %" PRIu64
                           " (did the object change while it was read?)",
                           f->base.path, r->sink_len, pieces[i].len, pieces[i].offset);
    }
    for (int i = 0; i < n; i++) s3_request_free(&reqs[i]);
    mem_free(ranges);
    mem_free(reqs);
    return ok;
}

static bool s3_pread_ranges(FsFile *file, const FsRange *ranges, int n, Error *err)
{
    S3File *f = (S3File *)file;
    if (n <= 0) return true;
    for (int i = 0; i < n; i++)
        if (ranges[i].offset > file->size || ranges[i].len > file->size - ranges[i].offset)
            return error_set(err, ERR_IO, "could not read file \"%s\": unexpected end of file at offset %" PRIu64,
                             file->path, file->size);
    /* ranges the object cache holds cost nothing; sort the others */
    const FsRange **order = mem_alloc((size_t)n * sizeof *order);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (ranges[i].len > 0 && !edge_read(f, ranges[i].buf, ranges[i].len, ranges[i].offset)) order[m++] = &ranges[i];
    qsort(order, (size_t)m, sizeof *order, compare_range_offsets);
    Span *spans = mem_calloc((size_t)(m ? m : 1), sizeof *spans);
    int nspans = 0;
    for (int i = 0; i < m; i++) {
        uint64_t end = order[i]->offset + order[i]->len;
        Span *last = nspans ? &spans[nspans - 1] : NULL;
        if (last && order[i]->offset <= last->end + COALESCE_GAP_BYTES &&
            (end > last->end ? end : last->end) - last->offset <= SPAN_MAX_BYTES) {
            if (end > last->end) last->end = end;
            last->count++;
        } else {
            spans[nspans++] = (Span){order[i]->offset, end, i, 1, NULL, false};
        }
    }
    int npieces = 0;
    for (int s = 0; s < nspans; s++) {
        Span *sp = &spans[s];
        /* a range alone in its span goes straight into its own buffer */
        if (sp->count == 1) {
            sp->buf = order[sp->first]->buf;
        } else {
            sp->buf = mem_alloc((size_t)(sp->end - sp->offset));
            sp->owned = true;
        }
        npieces += (int)((sp->end - sp->offset + PIECE_BYTES - 1) / PIECE_BYTES);
    }
    Piece *pieces = mem_alloc((size_t)(npieces ? npieces : 1) * sizeof *pieces);
    int k = 0;
    for (int s = 0; s < nspans; s++) {
        for (uint64_t o = spans[s].offset; o < spans[s].end; o += PIECE_BYTES) {
            uint64_t len = spans[s].end - o < PIECE_BYTES ? spans[s].end - o : PIECE_BYTES;
            pieces[k++] = (Piece){o, (size_t)len, spans[s].buf + (o - spans[s].offset)};
        }
    }
    bool ok = npieces == 0 || get_pieces(f, pieces, npieces, err);
    for (int s = 0; s < nspans; s++) {
        if (!spans[s].owned) continue;
        for (int i = spans[s].first; ok && i < spans[s].first + spans[s].count; i++)
            memcpy(order[i]->buf, spans[s].buf + (order[i]->offset - spans[s].offset), order[i]->len);
        mem_free(spans[s].buf);
    }
    mem_free(pieces);
    mem_free(spans);
    mem_free(order);
    return ok;
}

static void s3_close(FsFile *file)
{
    S3File *f = (S3File *)file;
    pthread_mutex_destroy(&f->lock);
    mem_free(f->window);
    close_location(&f->loc, &f->client);
    mem_free(file->path);
    mem_free(f);
}

/* ---- writing ---- */

typedef struct S3Writer {
    FsWriter base;
    S3Client client;
    S3Location loc;
    bool staged;        /* prepare/publish instead of commit */
    char *upload_id;    /* NULL until the multipart upload starts */
    char *current;      /* the part being filled */
    size_t current_len;
    size_t part_size;
    char *full[MAX_PARTS_IN_MEMORY]; /* full parts not yet uploaded */
    int nfull;
    int max_full;
    /* the previous batch of full parts, uploaded by a background thread
     * while the writer fills the next batch */
    pthread_t uploader;
    bool uploading;     /* the thread runs (join it before touching etags) */
    char *inflight[MAX_PARTS_IN_MEMORY];
    int ninflight;
    bool inflight_ok;
    Error inflight_err;
    char **etags;       /* uploaded parts' ETags, part i + 1 at index i */
    int netags;
    EVP_MD_CTX *md5;    /* of every byte, for publish's idempotence check */
} S3Writer;

/* Add the server-side encryption headers the settings ask for. */
static void add_sse_headers(S3Writer *w, S3Request *r)
{
    if (w->client.cfg.sse[0]) s3_request_header(r, "x-amz-server-side-encryption", w->client.cfg.sse);
    if (w->client.cfg.sse_kms_key_id[0])
        s3_request_header(r, "x-amz-server-side-encryption-aws-kms-key-id", w->client.cfg.sse_kms_key_id);
}

static FsWriter *open_writer(const FileSystem *fs, const char *path, bool staged, Error *err)
{
    S3Writer *w = mem_calloc(1, sizeof *w);
    if (!open_location(path, KEY_OBJECT, "could not open file", " for writing", &w->loc, &w->client, err)) {
        mem_free(w);
        return NULL;
    }
    w->base.fs = fs;
    w->base.path = mem_strdup(path);
    w->staged = staged;
    w->part_size = (size_t)w->client.cfg.part_size;
    w->max_full = w->client.cfg.concurrency < MAX_PARTS_IN_MEMORY ? w->client.cfg.concurrency : MAX_PARTS_IN_MEMORY;
    w->inflight_ok = true;
    if (w->max_full < 1) w->max_full = 1;
    const LibcryptoApi *crypto = libcrypto(); /* loaded by the client's open */
    w->md5 = crypto->EVP_MD_CTX_new();
    crypto->EVP_DigestInit_ex(w->md5, crypto->EVP_md5(), NULL);
    return &w->base;
}

static FsWriter *s3_open_write(const FileSystem *fs, const char *path, Error *err)
{
    return open_writer(fs, path, false, err);
}

static FsWriter *s3_open_staged(const FileSystem *fs, const char *path, const char *staging_dir, Error *err)
{
    return open_writer(fs, path, true, err);
}

static bool wait_inflight(S3Writer *w, Error *err);

static void writer_free(S3Writer *w)
{
    Error ignored = ERROR_INIT;
    wait_inflight(w, &ignored);
    mem_free(w->current);
    for (int i = 0; i < w->nfull; i++) mem_free(w->full[i]);
    for (int i = 0; i < w->netags; i++) mem_free(w->etags[i]);
    mem_free(w->etags);
    mem_free(w->upload_id);
    libcrypto()->EVP_MD_CTX_free(w->md5);
    close_location(&w->loc, &w->client);
    mem_free(w->base.path);
    mem_free(w);
}

static bool start_upload(S3Writer *w, Error *err)
{
    if (w->upload_id) return true;
    S3Request r;
    s3_request_init(&r, "POST", w->loc.bucket, w->loc.key, "uploads");
    add_sse_headers(w, &r);
    bool ok = s3_perform(&w->client, &r, 1, err);
    if (ok && r.status != 200) ok = s3_request_error(&r, "could not start the upload of", err);
    if (ok) {
        w->upload_id = s3_xml_find(r.response.data ? r.response.data : "", r.response.len, "UploadId");
        if (w->upload_id == NULL || w->upload_id[0] == '\0')
            ok = error_set(err, ERR_IO, "could not start the upload of \"%s\": the answer has no UploadId", w->base.path);
    }
    s3_request_free(&r);
    return ok;
}

/* Abort the multipart upload, if one started (errors ignored: nothing more can be done). */
static void abort_upload(S3Client *c, const char *bucket, const char *key, const char *upload_id)
{
    StrBuf q = STRBUF_INIT;
    strbuf_puts(&q, "uploadId=");
    s3_uri_encode(&q, upload_id, false);
    S3Request r;
    s3_request_init(&r, "DELETE", bucket, key, q.data);
    Error ignored = ERROR_INIT;
    s3_perform(c, &r, 1, &ignored);
    s3_request_free(&r);
    strbuf_free(&q);
}

/* Upload the given buffers as the next parts, concurrently. */
static bool upload_parts(S3Writer *w, char **bufs, const size_t *lens, int n, Error *err)
{
    if (!start_upload(w, err)) return false;
    S3Request *reqs = mem_calloc((size_t)n, sizeof *reqs);
    char (*queries)[600] = mem_alloc((size_t)n * sizeof *queries);
    char (*md5s)[25] = mem_alloc((size_t)n * sizeof *md5s);
    StrBuf id = STRBUF_INIT;
    s3_uri_encode(&id, w->upload_id, false);
    for (int i = 0; i < n; i++) {
        snprintf(queries[i], sizeof queries[i], "partNumber=%d&uploadId=%s", w->netags + i + 1, strbuf_cstr(&id));
        s3_request_init(&reqs[i], "PUT", w->loc.bucket, w->loc.key, queries[i]);
        reqs[i].body = bufs[i];
        reqs[i].body_len = lens[i];
        s3_md5_base64(bufs[i], lens[i], md5s[i]);
        s3_request_header(&reqs[i], "Content-MD5", md5s[i]);
    }
    bool ok = s3_perform(&w->client, reqs, n, err);
    for (int i = 0; ok && i < n; i++) {
        if (reqs[i].status != 200) ok = s3_request_error(&reqs[i], "could not upload a part of", err);
        else if (reqs[i].etag[0] == '\0')
            ok = error_set(err, ERR_IO, "could not upload a part of \"%s\": the answer has no ETag", w->base.path);
    }
    if (ok) {
        w->etags = mem_realloc(w->etags, (size_t)(w->netags + n) * sizeof *w->etags);
        for (int i = 0; i < n; i++) w->etags[w->netags++] = mem_strdup(reqs[i].etag);
    }
    for (int i = 0; i < n; i++) s3_request_free(&reqs[i]);
    strbuf_free(&id);
    mem_free(md5s);
    mem_free(queries);
    mem_free(reqs);
    return ok;
}

static void *upload_inflight(void *arg)
{
    S3Writer *w = arg;
    size_t lens[MAX_PARTS_IN_MEMORY];
    for (int i = 0; i < w->ninflight; i++) lens[i] = w->part_size;
    w->inflight_ok = upload_parts(w, w->inflight, lens, w->ninflight, &w->inflight_err);
    return NULL;
}

/* Wait for the batch in flight, if any, and free its parts; false (err
 * set) if its upload failed. */
static bool wait_inflight(S3Writer *w, Error *err)
{
    if (w->uploading) pthread_join(w->uploader, NULL);
    w->uploading = false;
    for (int i = 0; i < w->ninflight; i++) mem_free(w->inflight[i]);
    w->ninflight = 0;
    if (w->inflight_ok) return true;
    w->inflight_ok = true;
    *err = w->inflight_err;
    return false;
}

/* Upload the full parts: wait for the previous batch (part numbers follow
 * its ETags), then hand these to a background thread, so the writer fills
 * the next parts while they travel. */
static bool flush_full_parts(S3Writer *w, Error *err)
{
    if (!wait_inflight(w, err)) return false;
    if (w->nfull == 0) return true;
    if (!start_upload(w, err)) return false;
    memcpy(w->inflight, w->full, (size_t)w->nfull * sizeof *w->full);
    w->ninflight = w->nfull;
    w->nfull = 0;
    w->inflight_ok = true;
    error_clear(&w->inflight_err);
    if (pthread_create(&w->uploader, NULL, upload_inflight, w) == 0) {
        w->uploading = true;
        return true;
    }
    upload_inflight(w); /* no thread to be had: upload here */
    return wait_inflight(w, err);
}

static bool s3_write(FsWriter *writer, const void *buf, size_t n, Error *err)
{
    S3Writer *w = (S3Writer *)writer;
    libcrypto()->EVP_DigestUpdate(w->md5, buf, n);
    const char *p = buf;
    while (n > 0) {
        if (w->current == NULL) {
            w->current = mem_alloc(w->part_size);
            w->current_len = 0;
        }
        size_t take = w->part_size - w->current_len;
        if (take > n) take = n;
        memcpy(w->current + w->current_len, p, take);
        w->current_len += take;
        p += take;
        n -= take;
        if (w->current_len == w->part_size) {
            w->full[w->nfull++] = w->current;
            w->current = NULL;
            if (w->nfull == w->max_full && !flush_full_parts(w, err)) return false;
        }
    }
    return true;
}

static void s3_abort(FsWriter *writer)
{
    S3Writer *w = (S3Writer *)writer;
    Error ignored = ERROR_INIT;
    wait_inflight(w, &ignored); /* a part still in flight would outlive the abort */
    if (w->upload_id) abort_upload(&w->client, w->loc.bucket, w->loc.key, w->upload_id);
    writer_free(w);
}

/* The whole object in one PUT (smaller than one part). */
static bool put_whole(S3Writer *w, Error *err)
{
    S3Request r;
    s3_request_init(&r, "PUT", w->loc.bucket, w->loc.key, "");
    r.body = w->current ? w->current : "";
    r.body_len = w->current_len;
    char md5[25];
    s3_md5_base64(r.body, r.body_len, md5);
    s3_request_header(&r, "Content-MD5", md5);
    add_sse_headers(w, &r);
    bool ok = s3_perform(&w->client, &r, 1, err);
    if (ok && r.status != 200) ok = s3_request_error(&r, "could not write file", err);
    s3_request_free(&r);
    return ok;
}

/* Upload what is left (full parts and the last, short one). */
static bool upload_rest(S3Writer *w, Error *err)
{
    if (!flush_full_parts(w, err) || !wait_inflight(w, err)) return false;
    if (w->current_len > 0 || w->netags == 0) {
        char *last = w->current ? w->current : (char *)"";
        size_t len = w->current_len;
        if (!upload_parts(w, &last, &len, 1, err)) return false;
    }
    return true;
}

static void complete_body(StrBuf *xml, char **etags, int n)
{
    strbuf_puts(xml, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (int i = 0; i < n; i++) {
        strbuf_printf(xml, "<Part><PartNumber>%d</PartNumber><ETag>", i + 1);
        for (const char *c = etags[i]; *c; c++) {
            if (*c == '"') strbuf_puts(xml, "&quot;");
            else if (*c == '&') strbuf_puts(xml, "&amp;");
            else if (*c == '<') strbuf_puts(xml, "&lt;");
            else strbuf_putc(xml, *c);
        }
        strbuf_puts(xml, "</ETag></Part>");
    }
    strbuf_puts(xml, "</CompleteMultipartUpload>");
}

/* POST the completion; *no_such_upload tells an upload already completed
 * or aborted apart from other failures. */
static bool complete_upload(S3Client *c, const char *bucket, const char *key, const char *upload_id, char **etags,
                            int n, bool *no_such_upload, Error *err)
{
    *no_such_upload = false;
    StrBuf q = STRBUF_INIT, xml = STRBUF_INIT;
    strbuf_puts(&q, "uploadId=");
    s3_uri_encode(&q, upload_id, false);
    complete_body(&xml, etags, n);
    S3Request r;
    s3_request_init(&r, "POST", bucket, key, q.data);
    r.body = xml.data;
    r.body_len = xml.len;
    bool ok = s3_perform(c, &r, 1, err);
    char *code = NULL, *message = NULL;
    /* S3 may answer 200 and still put an <Error> in the body */
    bool error_body = ok && r.response.len > 0 && s3_xml_error(r.response.data, r.response.len, &code, &message);
    if (ok && (r.status != 200 || error_body)) {
        *no_such_upload = r.status == 404 || (code && strcmp(code, "NoSuchUpload") == 0);
        if (r.status == 200) r.status = 500;
        ok = s3_request_error(&r, "could not complete the upload of", err);
    }
    mem_free(code);
    mem_free(message);
    s3_request_free(&r);
    strbuf_free(&q);
    strbuf_free(&xml);
    return ok;
}

static void md5_hex(S3Writer *w, char hex[33])
{
    unsigned char digest[16];
    unsigned int len = 0;
    libcrypto()->EVP_DigestFinal_ex(w->md5, digest, &len);
    for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static bool s3_commit(FsWriter *writer, Error *err)
{
    S3Writer *w = (S3Writer *)writer;
    bool ok;
    if (w->upload_id == NULL && w->nfull == 0) {
        ok = put_whole(w, err);
    } else {
        bool gone;
        ok = upload_rest(w, err) &&
             complete_upload(&w->client, w->loc.bucket, w->loc.key, w->upload_id, w->etags, w->netags, &gone, err);
    }
    if (!ok && w->upload_id) abort_upload(&w->client, w->loc.bucket, w->loc.key, w->upload_id);
    writer_free(w);
    return ok;
}

static bool s3_prepare(FsWriter *writer, char **token, Error *err)
{
    S3Writer *w = (S3Writer *)writer;
    *token = NULL;
    bool ok = start_upload(w, err) && upload_rest(w, err);
    if (ok) {
        char hex[33];
        md5_hex(w, hex);
        StrBuf t = STRBUF_INIT;
        strbuf_printf(&t, "%s\n%s\n%s", TOKEN_MAGIC, w->upload_id, hex);
        for (int i = 0; i < w->netags; i++) strbuf_printf(&t, "\n%s", w->etags[i]);
        *token = strbuf_take(&t);
    } else if (w->upload_id) {
        abort_upload(&w->client, w->loc.bucket, w->loc.key, w->upload_id);
    }
    writer_free(w);
    return ok;
}

/* A parsed prepare token. */
typedef struct Token {
    char *copy;
    char *upload_id;
    char *md5_hex;
    char **etags;
    int netags;
} Token;

static bool parse_token(const char *path, const char *text, Token *t, Error *err)
{
    memset(t, 0, sizeof *t);
    t->copy = mem_strdup(text);
    char *lines[3] = {NULL, NULL, NULL};
    char *p = t->copy;
    for (int i = 0; i < 3 && p; i++) {
        lines[i] = p;
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        p = nl ? nl + 1 : NULL;
    }
    if (lines[0] == NULL || strcmp(lines[0], TOKEN_MAGIC) != 0 || lines[1] == NULL || lines[1][0] == '\0' ||
        lines[2] == NULL || strlen(lines[2]) != 32 || p == NULL) {
        mem_free(t->copy);
        t->copy = NULL;
        return error_set(err, ERR_IO, "invalid S3 upload token for \"%s\"", path);
    }
    t->upload_id = lines[1];
    t->md5_hex = lines[2];
    int n = 1;
    for (const char *c = p; *c; c++) n += *c == '\n';
    t->etags = mem_alloc((size_t)n * sizeof *t->etags);
    while (p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        t->etags[t->netags++] = p;
        p = nl ? nl + 1 : NULL;
    }
    return true;
}

static void token_free(Token *t)
{
    mem_free(t->etags);
    mem_free(t->copy);
}

/* The ETag S3 gives a completed multipart object: the MD5 of the parts'
 * binary MD5s, then "-<part count>". */
static void multipart_etag(char **etags, int n, char out[64])
{
    const LibcryptoApi *crypto = libcrypto();
    EVP_MD_CTX *ctx = crypto->EVP_MD_CTX_new();
    crypto->EVP_DigestInit_ex(ctx, crypto->EVP_md5(), NULL);
    for (int i = 0; i < n; i++) {
        const char *e = etags[i];
        if (*e == '"') e++;
        unsigned char bin[16];
        for (int k = 0; k < 16; k++) {
            unsigned int byte = 0;
            if (sscanf(e + 2 * k, "%2x", &byte) != 1) byte = 0;
            bin[k] = (unsigned char)byte;
        }
        crypto->EVP_DigestUpdate(ctx, bin, 16);
    }
    unsigned char digest[16];
    unsigned int len = 0;
    crypto->EVP_DigestFinal_ex(ctx, digest, &len);
    crypto->EVP_MD_CTX_free(ctx);
    char *o = out;
    for (int i = 0; i < 16; i++) o += sprintf(o, "%02x", digest[i]);
    sprintf(o, "-%d", n);
}

/* True if the ETag (quotes allowed) equals want. */
static bool etag_is(const char *etag, const char *want)
{
    if (*etag == '"') etag++;
    size_t n = strlen(want);
    return strncmp(etag, want, n) == 0 && (etag[n] == '\0' || etag[n] == '"');
}

static bool s3_publish(const FileSystem *fs, const char *path, const char *token, Error *err)
{
    S3Location loc;
    S3Client c;
    Token t;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    if (!parse_token(path, token, &t, err)) {
        close_location(&loc, &c);
        return false;
    }
    bool gone = false;
    Error first = ERROR_INIT;
    bool ok = complete_upload(&c, loc.bucket, loc.key, t.upload_id, t.etags, t.netags, &gone, &first);
    if (!ok && gone) {
        /* completed before (a roll-forward): fine if the object is the one this upload made */
        S3Request r;
        char expected[64];
        multipart_etag(t.etags, t.netags, expected);
        if (head_object(&c, &loc, &r, err) && r.status == 200 &&
            (etag_is(r.etag, expected) || etag_is(r.etag, t.md5_hex)))
            ok = true;
        s3_request_free(&r);
    }
    if (!ok) *err = first;
    token_free(&t);
    close_location(&loc, &c);
    return ok;
}

static void s3_discard(const FileSystem *fs, const char *path, const char *token)
{
    Error ignored = ERROR_INIT;
    S3Location loc;
    S3Client c;
    Token t;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, &ignored)) return;
    if (parse_token(path, token, &t, &ignored)) {
        abort_upload(&c, loc.bucket, loc.key, t.upload_id);
        token_free(&t);
    }
    close_location(&loc, &c);
}

static bool s3_write_exclusive(const FileSystem *fs, const char *path, const void *buf, size_t n, bool *existed,
                               Error *err)
{
    *existed = false;
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    S3Request r;
    s3_request_init(&r, "PUT", loc.bucket, loc.key, "");
    r.body = n ? buf : "";
    r.body_len = n;
    char md5[25];
    s3_md5_base64(r.body, n, md5);
    s3_request_header(&r, "Content-MD5", md5);
    s3_request_header(&r, "If-None-Match", "*");
    bool ok = s3_perform(&c, &r, 1, err);
    if (ok && (r.status == 412 || r.status == 409)) {
        /* lost the race, unless our own earlier attempt made it and its answer was lost */
        unsigned char digest[16];
        unsigned int len = 0;
        const LibcryptoApi *crypto = libcrypto();
        crypto->EVP_Digest(r.body, n, digest, &len, crypto->EVP_md5(), NULL);
        char hex[33];
        for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
        S3Request h;
        Error ignored = ERROR_INIT;
        bool ours = head_object(&c, &loc, &h, &ignored) && h.status == 200 && etag_is(h.etag, hex) && r.retries > 0;
        s3_request_free(&h);
        if (!ours) {
            *existed = true;
            ok = error_set(err, ERR_IO, "could not create file \"%s\": it already exists", path);
        }
    } else if (ok && r.status != 200) {
        ok = s3_request_error(&r, "could not create file", err);
    }
    s3_request_free(&r);
    close_location(&loc, &c);
    return ok;
}

/* ---- listing ---- */

/* Every key under prefix, through all ListObjectsV2 pages; fn per key. */
typedef bool (*ListFn)(void *ctx, const char *key, uint64_t size);

static bool list_prefix_delim(S3Client *c, const char *bucket, const char *prefix, bool delimiter, int max_keys,
                              ListFn fn, void *ctx, Error *err);

static bool list_prefix(S3Client *c, const char *bucket, const char *prefix, int max_keys, ListFn fn, void *ctx,
                        Error *err)
{
    return list_prefix_delim(c, bucket, prefix, false, max_keys, fn, ctx, err);
}

/* As list_prefix; with delimiter, keys below a further '/' come as one
 * common prefix ("folder/") each. */
static bool list_prefix_delim(S3Client *c, const char *bucket, const char *prefix, bool delimiter, int max_keys,
                              ListFn fn, void *ctx, Error *err)
{
    char *token = NULL;
    bool ok = true;
    for (;;) {
        StrBuf q = STRBUF_INIT;
        if (token) {
            strbuf_puts(&q, "continuation-token=");
            s3_uri_encode(&q, token, false);
            strbuf_putc(&q, '&');
        }
        if (delimiter) strbuf_puts(&q, "delimiter=%2F&");
        strbuf_puts(&q, "list-type=2");
        if (max_keys > 0) strbuf_printf(&q, "&max-keys=%d", max_keys);
        strbuf_puts(&q, "&prefix=");
        s3_uri_encode(&q, prefix, false);
        S3Request r;
        s3_request_init(&r, "GET", bucket, "", q.data);
        ok = s3_perform(c, &r, 1, err);
        if (ok && r.status != 200) {
            r.key = prefix;
            ok = s3_request_error(&r, "could not list", err);
        }
        S3ListPage page;
        memset(&page, 0, sizeof page);
        if (ok) ok = s3_xml_list_page(r.response.data ? r.response.data : "", r.response.len, &page, err);
        bool more = ok && page.truncated && max_keys <= 0;
        for (int i = 0; ok && i < page.count; i++) ok = fn(ctx, page.keys[i], page.sizes[i]);
        mem_free(token);
        token = more && page.next_token ? mem_strdup(page.next_token) : NULL;
        s3_list_page_free(&page);
        s3_request_free(&r);
        strbuf_free(&q);
        if (!ok || token == NULL) break;
    }
    mem_free(token);
    return ok;
}

typedef struct GlobCtx {
    const char *bucket;
    const char *pattern;
    FsPathList *out;
    StrBuf path;
} GlobCtx;

static bool glob_key(void *ctx, const char *key, uint64_t size)
{
    GlobCtx *g = ctx;
    size_t len = strlen(key);
    if (len == 0 || key[len - 1] == '/') return true; /* a "folder" marker, not a file */
    strbuf_clear(&g->path);
    strbuf_printf(&g->path, "s3://%s/%s", g->bucket, key);
    if (fs_glob_match(g->pattern, g->path.data)) fs_path_list_add(g->out, g->path.data);
    return true;
}

static bool s3_glob(const FileSystem *fs, const char *pattern, FsPathList *out, Error *err)
{
    S3Location loc;
    S3Client c;
    if (!open_location(pattern, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    bool ok;
    if (!fs_has_wildcard(loc.key)) {
        S3Request r;
        ok = head_object(&c, &loc, &r, err);
        if (ok && r.status == 404) ok = error_set(err, ERR_IO, "could not open file \"%s\": No such key (HTTP 404)", pattern);
        else if (ok && r.status != 200) ok = s3_request_error(&r, "could not open file", err);
        if (ok) fs_path_list_add(out, pattern);
        s3_request_free(&r);
    } else {
        /* list the literal prefix before the first wildcard */
        size_t prefix_len = strcspn(loc.key, "*?[");
        char *prefix = mem_strndup(loc.key, prefix_len);
        GlobCtx g = {loc.bucket, pattern, out, STRBUF_INIT};
        ok = list_prefix(&c, loc.bucket, prefix, 0, glob_key, &g, err);
        strbuf_free(&g.path);
        mem_free(prefix);
    }
    close_location(&loc, &c);
    return ok;
}

/* ---- metadata ---- */

static bool s3_file_size(const FileSystem *fs, const char *path, uint64_t *size, Error *err)
{
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    S3Request r;
    bool ok = head_object(&c, &loc, &r, err);
    if (ok && r.status == 404) ok = error_set(err, ERR_IO, "could not stat file \"%s\": No such key (HTTP 404)", path);
    else if (ok && r.status != 200) ok = s3_request_error(&r, "could not stat file", err);
    if (ok) *size = r.content_length;
    s3_request_free(&r);
    close_location(&loc, &c);
    return ok;
}

static bool found_any(void *ctx, const char *key, uint64_t size)
{
    *(bool *)ctx = true;
    return true;
}

static bool s3_exists(const FileSystem *fs, const char *path)
{
    Error err = ERROR_INIT;
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, &err)) return false;
    bool exists = false;
    if (loc.key[0] && loc.key[strlen(loc.key) - 1] != '/') {
        S3Request r;
        exists = head_object(&c, &loc, &r, &err) && r.status == 200;
        s3_request_free(&r);
    }
    if (!exists) {
        /* a "directory": any key below key + "/" */
        StrBuf prefix = STRBUF_INIT;
        strbuf_puts(&prefix, loc.key);
        if (prefix.len && prefix.data[prefix.len - 1] != '/') strbuf_putc(&prefix, '/');
        Error ignored = ERROR_INIT;
        list_prefix(&c, loc.bucket, strbuf_cstr(&prefix), 1, found_any, &exists, &ignored);
        strbuf_free(&prefix);
    }
    close_location(&loc, &c);
    return exists;
}

static bool s3_mkdirs(const FileSystem *fs, const char *path, Error *err)
{
    S3Location loc;
    if (!s3_parse_path(path, &loc, err)) return false; /* S3 has no directories: only the path is checked */
    s3_location_free(&loc);
    return true;
}

static bool s3_remove(const FileSystem *fs, const char *path, Error *err)
{
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    S3Request r;
    s3_request_init(&r, "DELETE", loc.bucket, loc.key, "");
    bool ok = s3_perform(&c, &r, 1, err);
    if (ok && r.status != 204 && r.status != 200) ok = s3_request_error(&r, "could not remove file", err);
    s3_request_free(&r);
    close_location(&loc, &c);
    return ok;
}

/* ---- "directories" (for the lake's listings and removals) ---- */

/* "key/" of a path (the prefix of its "directory"), "" for the bucket. */
static char *dir_prefix(const S3Location *loc)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, loc->key);
    if (sb.len && sb.data[sb.len - 1] != '/') strbuf_putc(&sb, '/');
    return strbuf_take(&sb);
}

typedef struct ListDirCtx {
    size_t skip;     /* length of the prefix listed */
    FsPathList *out;
} ListDirCtx;

static bool list_dir_entry(void *ctx, const char *key, uint64_t size)
{
    ListDirCtx *l = ctx;
    const char *name = key + l->skip;
    size_t n = strcspn(name, "/");
    if (n == 0) return true; /* the "folder" marker object itself, or an empty segment */
    char *entry = mem_strndup(name, n);
    fs_path_list_add(l->out, entry);
    mem_free(entry);
    return true;
}

static bool s3_list_dir(const FileSystem *fs, const char *path, FsPathList *out, Error *err)
{
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    char *prefix = dir_prefix(&loc);
    ListDirCtx l = {strlen(prefix), out};
    /* a folder and an object can share a name ("a" and "a/b"): fs_list_dir drops the duplicate */
    bool ok = list_prefix_delim(&c, loc.bucket, prefix, true, 0, list_dir_entry, &l, err);
    mem_free(prefix);
    close_location(&loc, &c);
    return ok;
}

typedef struct KeyList {
    FsPathList keys;
} KeyList;

static bool collect_key(void *ctx, const char *key, uint64_t size)
{
    fs_path_list_add(&((KeyList *)ctx)->keys, key);
    return true;
}

static bool s3_remove_tree(const FileSystem *fs, const char *path, Error *err)
{
    S3Location loc;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    if (loc.key[0] == '\0') {
        close_location(&loc, &c);
        return error_set(err, ERR_IO, "refusing to remove every object of bucket \"%s\"", path);
    }
    char *prefix = dir_prefix(&loc);
    KeyList keys = {{0}};
    bool ok = list_prefix(&c, loc.bucket, prefix, 0, collect_key, &keys, err);
    for (int i = 0; ok && i < keys.keys.count; i++) {
        S3Request r;
        s3_request_init(&r, "DELETE", loc.bucket, keys.keys.paths[i], "");
        ok = s3_perform(&c, &r, 1, err);
        if (ok && r.status != 204 && r.status != 200 && r.status != 404) {
            r.key = keys.keys.paths[i];
            ok = s3_request_error(&r, "could not remove file", err);
        }
        s3_request_free(&r);
    }
    fs_path_list_free(&keys.keys);
    mem_free(prefix);
    close_location(&loc, &c);
    return ok;
}

/* ---- uploads left by dead writers ---- */

/* One page of a ListMultipartUploads answer. */
typedef struct UploadPage {
    char **keys, **ids, **initiated; /* parallel lists (mem_alloc'ed strings, NULL when absent) */
    int count, cap;
    bool truncated;
    char *next_key, *next_id;
} UploadPage;

static bool upload_leaf(void *ctx, const char *parent, const char *name, const char *text, size_t len)
{
    UploadPage *p = ctx;
    if (strcmp(parent, "Upload") == 0 && strcmp(name, "Key") == 0) {
        if (p->count == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 64;
            p->keys = mem_realloc(p->keys, (size_t)p->cap * sizeof *p->keys);
            p->ids = mem_realloc(p->ids, (size_t)p->cap * sizeof *p->ids);
            p->initiated = mem_realloc(p->initiated, (size_t)p->cap * sizeof *p->initiated);
        }
        p->keys[p->count] = mem_strndup(text, len);
        p->ids[p->count] = NULL;
        p->initiated[p->count] = NULL;
        p->count++;
    } else if (strcmp(parent, "Upload") == 0 && p->count > 0 && strcmp(name, "UploadId") == 0) {
        mem_free(p->ids[p->count - 1]);
        p->ids[p->count - 1] = mem_strndup(text, len);
    } else if (strcmp(parent, "Upload") == 0 && p->count > 0 && strcmp(name, "Initiated") == 0) {
        mem_free(p->initiated[p->count - 1]);
        p->initiated[p->count - 1] = mem_strndup(text, len);
    } else if (strcmp(parent, "ListMultipartUploadsResult") == 0) {
        if (strcmp(name, "IsTruncated") == 0) p->truncated = len == 4 && strncmp(text, "true", 4) == 0;
        else if (strcmp(name, "NextKeyMarker") == 0) p->next_key = (mem_free(p->next_key), mem_strndup(text, len));
        else if (strcmp(name, "NextUploadIdMarker") == 0) p->next_id = (mem_free(p->next_id), mem_strndup(text, len));
    }
    return true;
}

static void upload_page_free(UploadPage *p)
{
    for (int i = 0; i < p->count; i++) {
        mem_free(p->keys[i]);
        mem_free(p->ids[i]);
        mem_free(p->initiated[i]);
    }
    mem_free(p->keys);
    mem_free(p->ids);
    mem_free(p->initiated);
    mem_free(p->next_key);
    mem_free(p->next_id);
    memset(p, 0, sizeof *p);
}

/* Why "started before `before` was created" identifies dead writers: see
 * lake_recovery.c (an upload begun before a commit record belongs to a run
 * that read an older version, so its own commit can only fail). */
static bool s3_discard_stale_staged(const FileSystem *fs, const char *path, const char *before,
                                    bool (*accept)(const char *relative), int *discarded, Error *err)
{
    *discarded = 0;
    S3Location loc, marker;
    S3Client c;
    if (!open_location(path, KEY_ANY, NULL, NULL, &loc, &c, err)) return false;
    if (!s3_parse_path(before, &marker, err)) {
        close_location(&loc, &c);
        return false;
    }
    char *prefix = dir_prefix(&loc);
    size_t prefix_len = strlen(prefix);
    /* the cut-off: when the server stored `before` (its clock, as Initiated is) */
    S3Request h;
    double cutoff = 0;
    bool ok = head_object(&c, &marker, &h, err);
    if (ok && h.status != 200) ok = s3_request_error(&h, "could not stat file", err);
    else if (ok && !s3_parse_http_date(h.last_modified, &cutoff))
        ok = error_set(err, ERR_IO, "could not stat file \"%s\": the S3 answer has no valid Last-Modified", before);
    s3_request_free(&h);
    char *key_marker = NULL, *id_marker = NULL;
    while (ok) {
        StrBuf q = STRBUF_INIT;
        if (key_marker) {
            strbuf_puts(&q, "key-marker=");
            s3_uri_encode(&q, key_marker, false);
            strbuf_putc(&q, '&');
        }
        strbuf_puts(&q, "prefix=");
        s3_uri_encode(&q, prefix, false);
        if (id_marker) {
            strbuf_puts(&q, "&upload-id-marker=");
            s3_uri_encode(&q, id_marker, false);
        }
        strbuf_puts(&q, "&uploads=");
        S3Request r;
        s3_request_init(&r, "GET", loc.bucket, "", q.data);
        ok = s3_perform(&c, &r, 1, err);
        if (ok && r.status != 200) {
            r.key = prefix;
            ok = s3_request_error(&r, "could not list the multipart uploads of", err);
        }
        UploadPage page;
        memset(&page, 0, sizeof page);
        if (ok) ok = s3_xml_parse(r.response.data ? r.response.data : "", r.response.len, upload_leaf, &page, NULL, err);
        for (int i = 0; ok && i < page.count; i++) {
            double started;
            if (page.ids[i] == NULL || page.initiated[i] == NULL || !s3_parse_iso_time(page.initiated[i], &started)) continue;
            if (started >= cutoff || strncmp(page.keys[i], prefix, prefix_len) != 0) continue;
            if (!accept(page.keys[i] + prefix_len)) continue;
            abort_upload(&c, loc.bucket, page.keys[i], page.ids[i]);
            (*discarded)++;
        }
        bool more = ok && page.truncated && page.next_key && page.next_key[0] &&
                    !(key_marker && strcmp(key_marker, page.next_key) == 0 && id_marker && page.next_id &&
                      strcmp(id_marker, page.next_id) == 0); /* a server repeating its marker would loop forever */
        mem_free(key_marker);
        mem_free(id_marker);
        key_marker = more ? mem_strdup(page.next_key) : NULL;
        id_marker = more && page.next_id ? mem_strdup(page.next_id) : NULL;
        upload_page_free(&page);
        s3_request_free(&r);
        strbuf_free(&q);
        if (!more) break;
    }
    mem_free(key_marker);
    mem_free(id_marker);
    mem_free(prefix);
    s3_location_free(&marker);
    close_location(&loc, &c);
    return ok;
}

static const FileSystem s3_fs = {
    .name = "s3",
    .handles = s3_handles,
    .open_read = s3_open_read,
    .pread = s3_pread,
    .close = s3_close,
    .open_write = s3_open_write,
    .write = s3_write,
    .commit = s3_commit,
    .abort = s3_abort,
    .glob = s3_glob,
    .file_size = s3_file_size,
    .exists = s3_exists,
    .mkdirs = s3_mkdirs,
    .remove = s3_remove,
    .open_staged = s3_open_staged,
    .prepare = s3_prepare,
    .publish = s3_publish,
    .discard = s3_discard,
    .write_exclusive = s3_write_exclusive,
    .list_dir = s3_list_dir,
    .remove_tree = s3_remove_tree,
    .pread_ranges = s3_pread_ranges,
    .discard_stale_staged = s3_discard_stale_staged,
};

const FileSystem *fs_s3(void) { return &s3_fs; }
