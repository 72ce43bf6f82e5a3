/* s3_fs: s3:// paths as a FileSystem (see s3_fs.h for the behaviour).
 *
 * Memory: a reader holds its read-ahead window (8 MiB at most, allocated on
 * the first sequential read); a writer holds up to min(s3_concurrency, 4)
 * full parts plus the one being filled, so 80 MiB with the default 16 MiB
 * parts, and the part ETags. */
#include "io/s3/s3_fs.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/s3/s3_client.h"
#include "io/s3/s3_url.h"
#include "io/s3/s3_xml.h"

#define READ_AHEAD_BYTES ((size_t)8 << 20)
#define MAX_PARTS_IN_MEMORY 4
#define TOKEN_MAGIC "kiln-s3-upload-v1"

/* ---- reading ---- */

typedef struct S3File {
    FsFile base;
    S3Client client;
    S3Location loc;
    pthread_mutex_t lock; /* guards the window and last_end */
    char *window;
    uint64_t window_offset;
    size_t window_len;
    uint64_t last_end;    /* where the previous read ended */
} S3File;

static bool s3_handles(const char *path) { return s3_is_path(path); }

/* HEAD bucket/key; status in r (caller frees r). */
static bool head_object(S3Client *c, const S3Location *loc, S3Request *r, Error *err)
{
    s3_request_init(r, "HEAD", loc->bucket, loc->key, "");
    return s3_perform(c, r, 1, err);
}

static FsFile *s3_open_read(const FileSystem *fs, const char *path, Error *err)
{
    S3File *f = mem_calloc(1, sizeof *f);
    if (!s3_parse_path(path, &f->loc, err)) {
        mem_free(f);
        return NULL;
    }
    if (f->loc.key[0] == '\0' || f->loc.key[strlen(f->loc.key) - 1] == '/') {
        error_set(err, ERR_IO, "could not open file \"%s\": Is a directory", path);
        s3_location_free(&f->loc);
        mem_free(f);
        return NULL;
    }
    if (!s3_client_open(&f->client, err)) {
        s3_location_free(&f->loc);
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
    s3_request_free(&r);
    if (!ok) {
        s3_client_close(&f->client);
        s3_location_free(&f->loc);
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

static void s3_close(FsFile *file)
{
    S3File *f = (S3File *)file;
    pthread_mutex_destroy(&f->lock);
    mem_free(f->window);
    s3_client_close(&f->client);
    s3_location_free(&f->loc);
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
    if (!s3_parse_path(path, &w->loc, err)) {
        mem_free(w);
        return NULL;
    }
    if (w->loc.key[0] == '\0' || w->loc.key[strlen(w->loc.key) - 1] == '/') {
        error_set(err, ERR_IO, "could not open file \"%s\" for writing: Is a directory", path);
        s3_location_free(&w->loc);
        mem_free(w);
        return NULL;
    }
    if (!s3_client_open(&w->client, err)) {
        s3_location_free(&w->loc);
        mem_free(w);
        return NULL;
    }
    w->base.fs = fs;
    w->base.path = mem_strdup(path);
    w->staged = staged;
    w->part_size = (size_t)w->client.cfg.part_size;
    w->max_full = w->client.cfg.concurrency < MAX_PARTS_IN_MEMORY ? w->client.cfg.concurrency : MAX_PARTS_IN_MEMORY;
    if (w->max_full < 1) w->max_full = 1;
    w->md5 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(w->md5, EVP_md5(), NULL);
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

static void writer_free(S3Writer *w)
{
    mem_free(w->current);
    for (int i = 0; i < w->nfull; i++) mem_free(w->full[i]);
    for (int i = 0; i < w->netags; i++) mem_free(w->etags[i]);
    mem_free(w->etags);
    mem_free(w->upload_id);
    EVP_MD_CTX_free(w->md5);
    s3_client_close(&w->client);
    s3_location_free(&w->loc);
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

static bool flush_full_parts(S3Writer *w, Error *err)
{
    if (w->nfull == 0) return true;
    size_t lens[MAX_PARTS_IN_MEMORY];
    for (int i = 0; i < w->nfull; i++) lens[i] = w->part_size;
    bool ok = upload_parts(w, w->full, lens, w->nfull, err);
    for (int i = 0; i < w->nfull; i++) mem_free(w->full[i]);
    w->nfull = 0;
    return ok;
}

static bool s3_write(FsWriter *writer, const void *buf, size_t n, Error *err)
{
    S3Writer *w = (S3Writer *)writer;
    EVP_DigestUpdate(w->md5, buf, n);
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
    if (!flush_full_parts(w, err)) return false;
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
    EVP_DigestFinal_ex(w->md5, digest, &len);
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
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    for (int i = 0; i < n; i++) {
        const char *e = etags[i];
        if (*e == '"') e++;
        unsigned char bin[16];
        for (int k = 0; k < 16; k++) {
            unsigned int byte = 0;
            if (sscanf(e + 2 * k, "%2x", &byte) != 1) byte = 0;
            bin[k] = (unsigned char)byte;
        }
        EVP_DigestUpdate(ctx, bin, 16);
    }
    unsigned char digest[16];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
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
    if (!s3_parse_path(path, &loc, err)) return false;
    Token t;
    S3Client c;
    if (!parse_token(path, token, &t, err)) {
        s3_location_free(&loc);
        return false;
    }
    if (!s3_client_open(&c, err)) {
        token_free(&t);
        s3_location_free(&loc);
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
    s3_client_close(&c);
    token_free(&t);
    s3_location_free(&loc);
    return ok;
}

static void s3_discard(const FileSystem *fs, const char *path, const char *token)
{
    Error ignored = ERROR_INIT;
    S3Location loc;
    if (!s3_parse_path(path, &loc, &ignored)) return;
    Token t;
    S3Client c;
    if (parse_token(path, token, &t, &ignored)) {
        if (s3_client_open(&c, &ignored)) {
            abort_upload(&c, loc.bucket, loc.key, t.upload_id);
            s3_client_close(&c);
        }
        token_free(&t);
    }
    s3_location_free(&loc);
}

static bool s3_write_exclusive(const FileSystem *fs, const char *path, const void *buf, size_t n, bool *existed,
                               Error *err)
{
    *existed = false;
    S3Location loc;
    if (!s3_parse_path(path, &loc, err)) return false;
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
    }
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
        EVP_Digest(r.body, n, digest, &len, EVP_md5(), NULL);
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
    s3_client_close(&c);
    s3_location_free(&loc);
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
    if (!s3_parse_path(pattern, &loc, err)) return false;
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
    }
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
    s3_client_close(&c);
    s3_location_free(&loc);
    return ok;
}

/* ---- metadata ---- */

static bool s3_file_size(const FileSystem *fs, const char *path, uint64_t *size, Error *err)
{
    S3Location loc;
    if (!s3_parse_path(path, &loc, err)) return false;
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
    }
    S3Request r;
    bool ok = head_object(&c, &loc, &r, err);
    if (ok && r.status == 404) ok = error_set(err, ERR_IO, "could not stat file \"%s\": No such key (HTTP 404)", path);
    else if (ok && r.status != 200) ok = s3_request_error(&r, "could not stat file", err);
    if (ok) *size = r.content_length;
    s3_request_free(&r);
    s3_client_close(&c);
    s3_location_free(&loc);
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
    if (!s3_parse_path(path, &loc, &err)) return false;
    S3Client c;
    if (!s3_client_open(&c, &err)) {
        s3_location_free(&loc);
        return false;
    }
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
    s3_client_close(&c);
    s3_location_free(&loc);
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
    if (!s3_parse_path(path, &loc, err)) return false;
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
    }
    S3Request r;
    s3_request_init(&r, "DELETE", loc.bucket, loc.key, "");
    bool ok = s3_perform(&c, &r, 1, err);
    if (ok && r.status != 204 && r.status != 200) ok = s3_request_error(&r, "could not remove file", err);
    s3_request_free(&r);
    s3_client_close(&c);
    s3_location_free(&loc);
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
    if (!s3_parse_path(path, &loc, err)) return false;
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
    }
    char *prefix = dir_prefix(&loc);
    ListDirCtx l = {strlen(prefix), out};
    /* a folder and an object can share a name ("a" and "a/b"): fs_list_dir drops the duplicate */
    bool ok = list_prefix_delim(&c, loc.bucket, prefix, true, 0, list_dir_entry, &l, err);
    mem_free(prefix);
    s3_client_close(&c);
    s3_location_free(&loc);
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
    if (!s3_parse_path(path, &loc, err)) return false;
    if (loc.key[0] == '\0') {
        s3_location_free(&loc);
        return error_set(err, ERR_IO, "refusing to remove every object of bucket \"%s\"", path);
    }
    S3Client c;
    if (!s3_client_open(&c, err)) {
        s3_location_free(&loc);
        return false;
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
    s3_client_close(&c);
    s3_location_free(&loc);
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
};

const FileSystem *fs_s3(void) { return &s3_fs; }
