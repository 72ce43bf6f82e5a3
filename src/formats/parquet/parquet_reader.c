/* parquet_reader: footer, schema mapping and column chunk decoding (see the
 * header).
 *
 * A column reader walks the pages of one column chunk.  For each call it
 * takes rows from the current page: definition levels first (RLE hybrid),
 * then as many values as there are non-NULL rows, decoded into a batch-sized
 * array of raw values (PqRaw: an integer, a double, or bytes pointing into
 * the page, the dictionary or a per-call arena), then converted into the
 * output vector.  Dictionary pages are decoded into a PqRaw array whose
 * bytes point into the kept dictionary page buffer.  Two stretches skip the
 * PqRaw detour: dictionary indices without NULLs gather from the dictionary
 * converted once per chunk, and PLAIN fixed-width values without NULLs whose
 * conversion is a copy, a widening or a decimal range test go from the page
 * into the vector in one loop (plain_direct); both are a few instructions a
 * value instead of ~30. */
#include "formats/parquet/parquet_reader.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_codec.h"
#include "formats/parquet/parquet_encoding.h"
#include "types/decimal.h"

/* Conversions from physical values to kiln values. */
enum {
    CV_BOOL, CV_I32, CV_U32, CV_DATE, CV_I32_DEC, CV_I64, CV_U64_DEC, CV_I64_DEC, CV_TS_MILLIS, CV_TS_MICROS,
    CV_TS_NANOS, CV_INT96, CV_FLOAT, CV_DOUBLE, CV_FLOAT16, CV_STRING, CV_BIN_DEC, CV_UUID,
};

/* Columns of one prefetch batch at most (a wider projection reads the rest chunk by chunk). */
#define PQ_PREFETCH_MAX_COLUMNS 256

/* A page's uncompressed size may exceed this only in proportion to its compressed size. */
#define PAGE_FLOOR_BYTES ((int64_t)16 << 20)
#define PAGE_MAX_RATIO 4096

typedef struct PqRaw {
    union {
        int64_t i;
        double d;
        struct {
            const uint8_t *p;
            uint32_t len;
        } s;
    } u;
} PqRaw;

/* ---- opening ---- */

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static bool data_error(Error *err, const char *path, const char *fmt, const char *detail)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    error_set(err, ERR_DATA, "%s", msg);
    error_set_location(err, path, 0, 0);
    return false;
}

static bool decimal_type_ok(int precision, int scale) { return precision >= 1 && precision <= DECIMAL_MAX_PRECISION && scale >= 0 && scale <= precision; }

/* Map a leaf to a kiln type; sets c->unsupported when kiln cannot. */
static void map_leaf(ParquetColumn *c, const PqSchemaElement *e)
{
    const PqLogicalType *lt = &e->logical;
    int ct = e->converted_type;
    bool is_decimal = lt->kind == PQ_LT_DECIMAL || ct == PQ_CT_DECIMAL;
    int precision = lt->kind == PQ_LT_DECIMAL ? lt->precision : e->precision;
    int scale = lt->kind == PQ_LT_DECIMAL ? lt->scale : e->scale;
    c->type = type_make(TYPE_VARCHAR);
    if (is_decimal) {
        if (!decimal_type_ok(precision, scale)) {
            c->unsupported = "a DECIMAL wider than 38 digits";
            return;
        }
        c->type = type_decimal(precision, scale);
    }
    if (lt->kind == PQ_LT_TIME || ct == PQ_CT_TIME_MILLIS || ct == PQ_CT_TIME_MICROS) {
        c->unsupported = "the TIME type";
        return;
    }
    if (lt->kind == PQ_LT_GEOMETRY || lt->kind == PQ_LT_GEOGRAPHY) {
        c->unsupported = lt->kind == PQ_LT_GEOMETRY ? "GEOMETRY" : "GEOGRAPHY";
        return;
    }
    if (lt->kind == PQ_LT_VARIANT) {
        c->unsupported = "VARIANT";
        return;
    }
    if (ct == PQ_CT_INTERVAL) {
        c->unsupported = "the INTERVAL type";
        return;
    }
    switch (e->type) {
    case PQ_BOOLEAN: c->type = type_make(TYPE_BOOLEAN); c->conv = CV_BOOL; return;
    case PQ_INT32:
        if (is_decimal) {
            c->conv = CV_I32_DEC;
        } else if (lt->kind == PQ_LT_DATE || ct == PQ_CT_DATE) {
            c->type = type_make(TYPE_DATE);
            c->conv = CV_DATE;
        } else if ((lt->kind == PQ_LT_INTEGER && !lt->is_signed && lt->bit_width == 32) || ct == PQ_CT_UINT_32) {
            c->type = type_make(TYPE_BIGINT);
            c->conv = CV_U32;
        } else {
            c->type = type_make(TYPE_INTEGER);
            c->conv = CV_I32;
        }
        return;
    case PQ_INT64:
        if (is_decimal) {
            c->conv = CV_I64_DEC;
        } else if (lt->kind == PQ_LT_TIMESTAMP || ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS) {
            int unit = lt->kind == PQ_LT_TIMESTAMP ? lt->unit : ct == PQ_CT_TIMESTAMP_MILLIS ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
            c->type = type_make(TYPE_TIMESTAMP);
            c->conv = unit == PQ_UNIT_MILLIS ? CV_TS_MILLIS : unit == PQ_UNIT_NANOS ? CV_TS_NANOS : CV_TS_MICROS;
        } else if ((lt->kind == PQ_LT_INTEGER && !lt->is_signed) || ct == PQ_CT_UINT_64) {
            c->type = type_decimal(20, 0);
            c->conv = CV_U64_DEC;
        } else {
            c->type = type_make(TYPE_BIGINT);
            c->conv = CV_I64;
        }
        return;
    case PQ_INT96: c->type = type_make(TYPE_TIMESTAMP); c->conv = CV_INT96; return;
    case PQ_FLOAT: c->type = type_make(TYPE_DOUBLE); c->conv = CV_FLOAT; return;
    case PQ_DOUBLE: c->type = type_make(TYPE_DOUBLE); c->conv = CV_DOUBLE; return;
    case PQ_BYTE_ARRAY:
    case PQ_FIXED:
        if (is_decimal) {
            c->conv = CV_BIN_DEC;
        } else if (e->type == PQ_FIXED && lt->kind == PQ_LT_FLOAT16 && e->type_length == 2) {
            c->type = type_make(TYPE_DOUBLE);
            c->conv = CV_FLOAT16;
        } else if (e->type == PQ_FIXED && lt->kind == PQ_LT_UUID && e->type_length == 16) {
            c->conv = CV_UUID; /* as text, the canonical 8-4-4-4-12 form */
        } else if (e->type == PQ_FIXED) {
            c->unsupported = "binary data (FIXED_LEN_BYTE_ARRAY; kiln has no BLOB type yet)";
        } else {
            c->conv = CV_STRING;
        }
        if (e->type == PQ_FIXED && e->type_length <= 0) c->unsupported = "a FIXED_LEN_BYTE_ARRAY without a length";
        return;
    default: c->unsupported = "an unknown physical type"; return;
    }
}

/* A parsed footer (see "the footer cache" below). */
typedef struct ParquetFooter {
    int refs;            /* atomic: the cache's reference and each open file's */
    uint8_t *bytes;      /* the footer as read (the metadata points into it) */
    uint32_t len;
    Arena arena;         /* decoded metadata, column descriptions */
    PqFileMeta meta;
    ParquetColumn *cols;
    int ncols, nleaves;
} ParquetFooter;


/* Walk the schema tree from element *pos (depth-first), counting leaves. */
static bool walk_schema(ParquetFooter *ft, const char *path, uint32_t *pos, int *leaves, int depth, Error *err)
{
    if (*pos >= ft->meta.nschema) return data_error(err, path, "invalid Parquet schema: %s", "children missing");
    if (depth > 64) return data_error(err, path, "invalid Parquet schema: %s", "nested too deeply");
    const PqSchemaElement *e = &ft->meta.schema[(*pos)++];
    if (e->num_children < 0) return data_error(err, path, "invalid Parquet schema: %s", "negative child count");
    if (e->num_children == 0) {
        if (e->type < 0) return data_error(err, path, "invalid Parquet schema: %s", "a leaf without a type");
        (*leaves)++;
        return true;
    }
    for (int32_t i = 0; i < e->num_children; i++)
        if (!walk_schema(ft, path, pos, leaves, depth + 1, err)) return false;
    return true;
}

static const char *group_feature(const PqSchemaElement *e)
{
    if (e->logical.kind == PQ_LT_LIST || e->converted_type == PQ_CT_LIST) return "LIST";
    if (e->logical.kind == PQ_LT_MAP || e->converted_type == PQ_CT_MAP || e->converted_type == PQ_CT_MAP_KEY_VALUE)
        return "MAP";
    return "STRUCT";
}

static bool build_columns(ParquetFooter *ft, const char *path, Error *err)
{
    PqFileMeta *m = &ft->meta;
    if (m->nschema == 0) return data_error(err, path, "invalid Parquet schema: %s", "no root element");
    const PqSchemaElement *root = &m->schema[0];
    if (root->num_children < 0 || (uint32_t)root->num_children >= m->nschema + 1u)
        return data_error(err, path, "invalid Parquet schema: %s", "bad child count");
    ft->cols = arena_calloc(&ft->arena, sizeof *ft->cols * ((size_t)root->num_children + 1));
    uint32_t pos = 1;
    int leaves = 0;
    for (int32_t i = 0; i < root->num_children; i++) {
        if (pos >= m->nschema) return data_error(err, path, "invalid Parquet schema: %s", "children missing");
        const PqSchemaElement *e = &m->schema[pos];
        ParquetColumn *c = &ft->cols[ft->ncols++];
        c->name = e->name;
        c->element = e;
        c->leaf = e->num_children == 0 ? leaves : -1;
        c->max_def = e->repetition == PQ_OPTIONAL ? 1 : 0;
        if (!walk_schema(ft, path, &pos, &leaves, 1, err)) return false;
        if (e->num_children > 0) {
            c->type = type_make(TYPE_VARCHAR);
            c->unsupported = group_feature(e);
        } else if (e->repetition == PQ_REPEATED) {
            c->type = type_make(TYPE_VARCHAR);
            c->unsupported = "a repeated field (LIST)";
        } else {
            map_leaf(c, e);
        }
    }
    if (pos != m->nschema) return data_error(err, path, "invalid Parquet schema: %s", "extra elements");
    ft->nleaves = leaves;
    for (uint32_t g = 0; g < m->nrow_groups; g++) {
        if (m->row_groups[g].ncolumns != (uint32_t)leaves)
            return data_error(err, path, "invalid Parquet metadata: %s", "a row group's column count does not match the schema");
        if (m->row_groups[g].num_rows < 0)
            return data_error(err, path, "invalid Parquet metadata: %s", "negative row count");
    }
    return true;
}

/* ---- the footer cache ----
 *
 * A parsed footer (its bytes, the decoded metadata and the column mapping,
 * all immutable once built) is reference-counted; the cache holds a
 * reference to the last FOOTER_CACHE_MAX footers parsed or used.  A lookup
 * compares the footer bytes (a length check, then memcmp: cheaper than the
 * Thrift decoding it saves, and exact, so a file rewritten in place with
 * other metadata parses again).  Memory: at most FOOTER_CACHE_MAX footers and
 * FOOTER_CACHE_BYTES of footer bytes (their decoded metadata is a few times
 * that), plus footers that open files still use. */

#define FOOTER_CACHE_MAX 16
#define FOOTER_CACHE_BYTES ((size_t)64 << 20)


static pthread_mutex_t footer_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static ParquetFooter *footer_cache[FOOTER_CACHE_MAX]; /* most recently used first */
static int footer_cache_n;
static size_t footer_cache_bytes;
static uint64_t footers_decoded;

uint64_t parquet_footers_decoded(void) { return __atomic_load_n(&footers_decoded, __ATOMIC_RELAXED); }

static void footer_unref(ParquetFooter *f)
{
    if (f == NULL || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
    mem_free(f->bytes);
    arena_destroy(&f->arena);
    mem_free(f);
}

/* A cached footer with these bytes (a new reference, moved to the front), or NULL. */
static ParquetFooter *footer_cache_find(const uint8_t *bytes, uint32_t len)
{
    ParquetFooter *found = NULL;
    pthread_mutex_lock(&footer_cache_lock);
    for (int i = 0; i < footer_cache_n && found == NULL; i++) {
        ParquetFooter *f = footer_cache[i];
        if (f->len != len || memcmp(f->bytes, bytes, len) != 0) continue;
        found = f;
        memmove(&footer_cache[1], &footer_cache[0], sizeof footer_cache[0] * (size_t)i);
        footer_cache[0] = f;
        __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&footer_cache_lock);
    return found;
}

/* Add a footer to the front of the cache (it takes a reference), dropping the
 * least recently used ones beyond the limits. */
static void footer_cache_add(ParquetFooter *f)
{
    ParquetFooter *dropped[FOOTER_CACHE_MAX + 1];
    int ndropped = 0;
    pthread_mutex_lock(&footer_cache_lock);
    if (footer_cache_n == FOOTER_CACHE_MAX) {
        dropped[ndropped++] = footer_cache[--footer_cache_n];
        footer_cache_bytes -= dropped[ndropped - 1]->len;
    }
    memmove(&footer_cache[1], &footer_cache[0], sizeof footer_cache[0] * (size_t)footer_cache_n);
    footer_cache[0] = f;
    footer_cache_n++;
    footer_cache_bytes += f->len;
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    while (footer_cache_n > 1 && footer_cache_bytes > FOOTER_CACHE_BYTES) {
        dropped[ndropped++] = footer_cache[--footer_cache_n];
        footer_cache_bytes -= dropped[ndropped - 1]->len;
    }
    pthread_mutex_unlock(&footer_cache_lock);
    for (int i = 0; i < ndropped; i++) footer_unref(dropped[i]);
}

/* Point pf at footer f (whose reference it takes). */
static void use_footer(ParquetFile *pf, ParquetFooter *f)
{
    pf->footer = f;
    pf->meta = f->meta;
    pf->cols = f->cols;
    pf->ncols = f->ncols;
    pf->nleaves = f->nleaves;
}

/* Decode the footer bytes (whose ownership it takes) into a new footer with
 * one reference; NULL and err set if they are not valid. */
static ParquetFooter *decode_footer(ParquetFile *pf, uint8_t *bytes, uint32_t len, Error *err)
{
    ParquetFooter *f = mem_calloc(1, sizeof *f);
    f->refs = 1;
    f->bytes = bytes;
    f->len = len;
    arena_init(&f->arena, 0);
    __atomic_add_fetch(&footers_decoded, 1, __ATOMIC_RELAXED);
    bool ok = pq_decode_file_meta(bytes, len, &f->arena, &f->meta, err);
    if (!ok) error_set_location(err, pf->path, 0, 0);
    ok = ok && build_columns(f, pf->path, err);
    if (!ok) {
        footer_unref(f);
        return NULL;
    }
    return f;
}

static ParquetFile *open_common(ParquetFile *pf, Error *err)
{
    uint64_t size = pf->file->size;
    uint8_t tail[8], head[4];
    size_t got;
    uint8_t *bytes = NULL;
    if (size < 12) {
        data_error(err, pf->path, "file is too small to be a Parquet file%s", "");
        goto fail;
    }
    if (!fs_pread(pf->file, head, 4, 0, &got, err) || got != 4) goto fail_io;
    if (!fs_pread(pf->file, tail, 8, size - 8, &got, err) || got != 8) goto fail_io;
    if (memcmp(tail + 4, "PARE", 4) == 0) {
        data_error(err, pf->path, "encrypted Parquet files are not supported%s", "");
        goto fail;
    }
    if (memcmp(head, "PAR1", 4) != 0) {
        data_error(err, pf->path, "not a Parquet file (it does not start with PAR1)%s", "");
        goto fail;
    }
    if (memcmp(tail + 4, "PAR1", 4) != 0) {
        data_error(err, pf->path, "truncated Parquet file (it does not end with PAR1)%s", "");
        goto fail;
    }
    uint32_t flen = le32(tail);
    if ((uint64_t)flen > size - 12) {
        data_error(err, pf->path, "invalid Parquet file: the footer length is larger than the file (truncated?)%s", "");
        goto fail;
    }
    bytes = mem_alloc(flen ? flen : 1);
    if (!fs_pread(pf->file, bytes, flen, size - 8 - flen, &got, err) || got != flen) goto fail_io;
    ParquetFooter *f = footer_cache_find(bytes, flen);
    if (f) {
        mem_free(bytes);
    } else {
        f = decode_footer(pf, bytes, flen, err);
        bytes = NULL; /* the footer's now, or freed */
        if (f == NULL) goto fail;
        footer_cache_add(f);
    }
    use_footer(pf, f);
    return pf;
fail_io:
    if (!error_failed(err)) data_error(err, pf->path, "could not read Parquet file: %s", "short read");
fail:
    mem_free(bytes);
    parquet_file_close(pf);
    return NULL;
}

ParquetFile *parquet_file_open(const char *path, Error *err)
{
    FsFile *f = fs_open_read(path, err);
    if (f == NULL) return NULL;
    ParquetFile *pf = mem_calloc(1, sizeof *pf);
    pf->file = f;
    pf->path = mem_strdup(path);
    return open_common(pf, err);
}

/* An in-memory FsFile for parquet_file_open_memory. */
typedef struct MemFile {
    FsFile base;
    const uint8_t *data;
} MemFile;

static bool mem_pread(FsFile *f, void *buf, size_t n, uint64_t offset, size_t *got, Error *err)
{
    MemFile *m = (MemFile *)f;
    *got = 0;
    if (offset >= f->size) return true;
    size_t avail = (size_t)(f->size - offset);
    *got = n < avail ? n : avail;
    memcpy(buf, m->data + offset, *got);
    return true;
}

static void mem_close(FsFile *f)
{
    mem_free(f->path);
    mem_free(f);
}

static const FileSystem memory_fs = {.name = "memory", .pread = mem_pread, .close = mem_close};

ParquetFile *parquet_file_open_memory(const char *name, const uint8_t *data, size_t n, Error *err)
{
    MemFile *mf = mem_calloc(1, sizeof *mf);
    mf->base.fs = &memory_fs;
    mf->base.path = mem_strdup(name);
    mf->base.size = n;
    mf->data = data;
    ParquetFile *pf = mem_calloc(1, sizeof *pf);
    pf->file = &mf->base;
    pf->path = mem_strdup(name);
    return open_common(pf, err);
}

static void prefetch_free(ParquetFile *pf);

void parquet_file_close(ParquetFile *pf)
{
    if (pf == NULL) return;
    prefetch_free(pf);
    fs_close(pf->file);
    footer_unref(pf->footer);
    mem_free((char *)pf->path);
    mem_free(pf);
}

/* ---- fetching column chunks ahead (remote files) ----
 *
 * A batch is the chunks of some columns of one row group, read with one
 * fs_pread_ranges call.  The scan asks for row group rg's batch (already
 * fetched in the background, or fetched now) and names the next row group,
 * whose batch a thread fetches while the decoder works on rg.  A reader
 * opened on a chunk of the current batch takes its buffer. */

typedef struct PrefetchBatch {
    int rg;           /* -1: empty */
    int n;
    int leaves[PQ_PREFETCH_MAX_COLUMNS];
    uint8_t *bufs[PQ_PREFETCH_MAX_COLUMNS]; /* NULL once a reader took it (or not fetched) */
    size_t lens[PQ_PREFETCH_MAX_COLUMNS];
    bool ok;
    Error err;
} PrefetchBatch;

typedef struct ParquetPrefetch {
    ParquetFile *pf;
    PrefetchBatch current, ahead;
    pthread_t thread;
    bool ahead_running;
} ParquetPrefetch;

/* The byte range of a column chunk (as reader_target computes it); false
 * when the metadata puts it outside the file (reader_target reports that). */
static bool chunk_range(const ParquetFile *pf, int rg, int leaf, uint64_t *start, size_t *len)
{
    const PqColumnChunk *cc = &pf->meta.row_groups[rg].columns[leaf];
    const PqColumnMeta *m = &cc->meta;
    if (!cc->has_meta || cc->file_path) return false;
    int64_t s = m->data_page_offset;
    if (m->has_dictionary_page_offset && m->dictionary_page_offset >= 4 && (m->dictionary_page_offset < s || s < 4))
        s = m->dictionary_page_offset;
    uint64_t fsize = pf->file->size;
    if (s < 4 || m->total_compressed_size < 0 || (uint64_t)s > fsize || (uint64_t)m->total_compressed_size > fsize - (uint64_t)s)
        return false;
    *start = (uint64_t)s;
    *len = (size_t)m->total_compressed_size;
    return true;
}

static void batch_clear(PrefetchBatch *b)
{
    for (int i = 0; i < b->n; i++) mem_free(b->bufs[i]);
    b->n = 0;
    b->rg = -1;
    b->ok = true;
    error_clear(&b->err);
}

/* Read the chunks of b->leaves of row group b->rg (b->n set). */
static void batch_fetch(ParquetFile *pf, PrefetchBatch *b)
{
    FsRange ranges[PQ_PREFETCH_MAX_COLUMNS];
    int nranges = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t start;
        size_t len;
        b->bufs[i] = NULL;
        if (!chunk_range(pf, b->rg, b->leaves[i], &start, &len)) continue;
        b->bufs[i] = mem_alloc(len + 1);
        b->lens[i] = len;
        ranges[nranges++] = (FsRange){start, len, b->bufs[i]};
    }
    b->ok = fs_pread_ranges(pf->file, ranges, nranges, &b->err);
    if (!b->ok) {
        for (int i = 0; i < b->n; i++) {
            mem_free(b->bufs[i]);
            b->bufs[i] = NULL;
        }
    }
}

static void *ahead_thread(void *arg)
{
    ParquetPrefetch *p = arg;
    batch_fetch(p->pf, &p->ahead);
    return NULL;
}

static void prefetch_join(ParquetPrefetch *p)
{
    if (p->ahead_running) pthread_join(p->thread, NULL);
    p->ahead_running = false;
}

static void prefetch_free(ParquetFile *pf)
{
    ParquetPrefetch *p = pf->prefetch;
    if (p == NULL) return;
    prefetch_join(p);
    batch_clear(&p->current);
    batch_clear(&p->ahead);
    mem_free(p);
    pf->prefetch = NULL;
}

/* The distinct leaves of the readable columns among cols (at most the batch's capacity). */
static int batch_leaves(const ParquetFile *pf, const int *cols, int ncols, int *leaves)
{
    int n = 0;
    for (int i = 0; i < ncols; i++) {
        const ParquetColumn *c = &pf->cols[cols[i]];
        if (c->unsupported || c->leaf < 0) continue;
        bool seen = false;
        for (int k = 0; k < n && !seen; k++) seen = leaves[k] == c->leaf;
        if (!seen && n < PQ_PREFETCH_MAX_COLUMNS) leaves[n++] = c->leaf;
    }
    return n;
}

bool parquet_file_prefetch(ParquetFile *pf, int rg, int next_rg, const int *cols, int ncols, Error *err)
{
    if (pf->file->fs->pread_ranges == NULL || rg < 0 || rg >= (int)pf->meta.nrow_groups) return true;
    ParquetPrefetch *p = pf->prefetch;
    if (p == NULL) {
        p = pf->prefetch = mem_calloc(1, sizeof *p);
        p->pf = pf;
        p->current.rg = p->ahead.rg = -1;
        p->current.ok = p->ahead.ok = true;
    }
    prefetch_join(p);
    if (p->ahead.rg == rg) {
        batch_clear(&p->current);
        p->current = p->ahead;
        p->ahead.n = 0;
        p->ahead.rg = -1;
        error_clear(&p->ahead.err);
    } else {
        batch_clear(&p->ahead);
    }
    if (p->current.rg != rg) {
        batch_clear(&p->current);
        p->current.rg = rg;
        p->current.n = batch_leaves(pf, cols, ncols, p->current.leaves);
        batch_fetch(pf, &p->current);
    }
    if (!p->current.ok) {
        *err = p->current.err;
        batch_clear(&p->current);
        return false;
    }
    if (next_rg >= 0 && next_rg != rg && next_rg < (int)pf->meta.nrow_groups) {
        p->ahead.rg = next_rg;
        p->ahead.n = batch_leaves(pf, cols, ncols, p->ahead.leaves);
        p->ahead.ok = true;
        p->ahead_running = pthread_create(&p->thread, NULL, ahead_thread, p) == 0;
        if (!p->ahead_running) batch_clear(&p->ahead);
    }
    return true;
}

/* Give r the prefetched bytes of chunk (rg, leaf) if there are any (of the
 * length r expects); the batch forgets them. */
static bool take_prefetched(ParquetColumnReader *r, ParquetFile *pf, int rg, int leaf);

/* ---- column reader ---- */

struct ParquetColumnReader {
    ParquetFile *pf;
    const ParquetColumn *col;
    const PqColumnMeta *meta;
    int ptype;
    int width;              /* fixed width of a value (FLBA length, 12 for INT96) */
    uint8_t *chunk;         /* the column chunk's bytes */
    size_t chunk_len, chunk_pos, chunk_cap;
    int64_t rows_left;      /* rows of the row group not yet read */
    /* dictionary */
    uint8_t *dict_buf;
    size_t dict_buf_cap, dict_len;
    bool has_dict;          /* the chunk's dictionary page has been read */
    const uint8_t *dict_values; /* its PLAIN values (in dict_buf) */
    PqRaw *dict;            /* its entries as raw values: built when first needed (dict_ready) */
    bool dict_ready;
    uint32_t ndict, dict_cap;
    Vector *dict_vec;       /* the dictionary converted to the column's type once (dict_store), or NULL when an
                               entry does not convert (values then go one by one, and the bad one fails where it
                               is used) */
    Vector *dict_store;     /* the converted dictionary's buffers, kept from chunk to chunk */
    Vector dict_view;       /* dict_vec when the PLAIN entries already are the column's values: a view of dict_buf */
    bool dict_inline;       /* dict_vec is VARCHAR and every entry is inline (a gather is a plain copy) */
    void *codec_state;      /* a decompression context kept across pages */
    /* current page */
    uint8_t *page;          /* uncompressed page */
    size_t page_cap;
    int64_t page_rows_left;
    PqRleDecoder defs;
    bool has_defs;
    int encoding;
    const uint8_t *vp, *vend; /* PLAIN cursor / value section */
    uint64_t bit_pos;         /* PLAIN booleans */
    PqRleDecoder idx;         /* dictionary indices, RLE booleans */
    PqDeltaDecoder delta;     /* DELTA_BINARY_PACKED; lengths of DELTA_LENGTH; prefixes of DELTA_BYTE_ARRAY */
    PqDeltaDecoder delta2;    /* suffix lengths of DELTA_BYTE_ARRAY */
    StrBuf last;              /* DELTA_BYTE_ARRAY: the previous value */
    uint64_t bss_count, bss_pos; /* BYTE_STREAM_SPLIT */
    /* per-call scratch */
    uint32_t levels[VECTOR_CAPACITY];
    PqRaw raw[VECTOR_CAPACITY];
    int64_t tmp[VECTOR_CAPACITY];
    int64_t tmp2[VECTOR_CAPACITY];
    Arena scratch;
    int leaf;               /* the column chunk index last targeted (kept while pooled: see open_pooled) */
};

static bool col_error(ParquetColumnReader *r, Error *err, const char *fmt, const char *detail)
{
    char msg[ERROR_MSG_MAX + 512];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    error_set(err, ERR_DATA, "column \"%s\": %s", r->col->name, msg);
    error_set_location(err, r->pf->path, 0, 0);
    return false;
}

/* Make *buf hold at least need bytes, keeping its contents only if it
 * already does.  It grows by a quarter more than asked, so that the next
 * chunk of the same column, a little larger, still fits: a new large block
 * comes fresh from the kernel and costs a page fault per 4 kB written. */
static void grow_buffer(uint8_t **buf, size_t *cap, size_t need)
{
    if (*cap >= need) return;
    size_t want = need + need / 4;
    mem_free(*buf);
    *buf = mem_alloc(want);
    *cap = want;
}

/* Point r (fresh, or done with its previous chunk) at column col of row
 * group rg: every decoding state is cleared, the buffers are kept (their
 * memory is reused, which saves page faults on large chunks). */
static bool reader_target(ParquetColumnReader *r, ParquetFile *pf, int rg, int col, Error *err)
{
    const ParquetColumn *c = &pf->cols[col];
    r->leaf = c->leaf;
    if (c->unsupported) {
        error_set(err, ERR_DATA, "column \"%s\" is %s, which kiln cannot read yet", c->name, c->unsupported);
        error_set_location(err, pf->path, 0, 0);
        return false;
    }
    const PqRowGroup *g = &pf->meta.row_groups[rg];
    const PqColumnChunk *cc = &g->columns[c->leaf];
    /* keep the buffers, clear the rest */
    uint8_t *chunk = r->chunk, *dict_buf = r->dict_buf, *page = r->page;
    size_t chunk_cap = r->chunk_cap, dict_buf_cap = r->dict_buf_cap, page_cap = r->page_cap;
    PqRaw *dict = r->dict;
    uint32_t dict_cap = r->dict_cap;
    Vector *dict_store = r->dict_store;
    void *codec_state = r->codec_state;
    StrBuf last = r->last;
    Arena scratch = r->scratch;
    memset(r, 0, offsetof(ParquetColumnReader, levels));
    r->chunk = chunk;
    r->chunk_cap = chunk_cap;
    r->dict_buf = dict_buf;
    r->dict_buf_cap = dict_buf_cap;
    r->page = page;
    r->page_cap = page_cap;
    r->dict = dict;
    r->dict_cap = dict_cap;
    r->dict_store = dict_store;
    r->codec_state = codec_state;
    r->last = last;
    strbuf_clear(&r->last);
    r->scratch = scratch;
    arena_reset(&r->scratch);
    r->pf = pf;
    r->col = c;
    r->meta = &cc->meta;
    r->ptype = c->element->type;
    r->width = r->ptype == PQ_INT96 ? 12 : r->ptype == PQ_FIXED ? c->element->type_length : 0;
    r->rows_left = g->num_rows;
    const PqColumnMeta *m = &cc->meta;
    if (!cc->has_meta)
        return col_error(r, err, "column chunk without metadata%s", "");
    if (cc->file_path)
        return col_error(r, err, "column chunks in other files are not supported%s", "");
    if (m->type != r->ptype)
        return col_error(r, err, "invalid Parquet metadata: the column chunk's type does not match the schema%s", "");
    if (!pq_codec_supported(m->codec))
        return col_error(r, err, "compression codec %s is not supported", pq_codec_name(m->codec));
    int64_t start = m->data_page_offset;
    /* some writers set dictionary_page_offset 0 when there is none */
    if (m->has_dictionary_page_offset && m->dictionary_page_offset >= 4 && (m->dictionary_page_offset < start || start < 4))
        start = m->dictionary_page_offset;
    uint64_t fsize = pf->file->size;
    if (start < 4 || m->total_compressed_size < 0 || (uint64_t)start > fsize ||
        (uint64_t)m->total_compressed_size > fsize - (uint64_t)start)
        return col_error(r, err, "invalid Parquet metadata: the column chunk lies outside the file (truncated?)%s", "");
    r->chunk_len = (size_t)m->total_compressed_size;
    if (take_prefetched(r, pf, rg, c->leaf)) return true;
    grow_buffer(&r->chunk, &r->chunk_cap, r->chunk_len + 1);
    size_t got;
    if (!fs_pread(pf->file, r->chunk, r->chunk_len, (uint64_t)start, &got, err)) return false;
    if (got != r->chunk_len) return col_error(r, err, "unexpected end of file%s", "");
    return true;
}

static bool take_prefetched(ParquetColumnReader *r, ParquetFile *pf, int rg, int leaf)
{
    PrefetchBatch *b = pf->prefetch ? &pf->prefetch->current : NULL;
    if (b == NULL || b->rg != rg) return false;
    for (int i = 0; i < b->n; i++) {
        if (b->leaves[i] != leaf || b->bufs[i] == NULL || b->lens[i] != r->chunk_len) continue;
        mem_free(r->chunk);
        r->chunk = b->bufs[i];
        r->chunk_cap = b->lens[i] + 1;
        b->bufs[i] = NULL;
        return true;
    }
    return false;
}

ParquetColumnReader *parquet_column_reader_open(ParquetFile *pf, int rg, int col, Error *err)
{
    /* only the state before the scratch arrays needs zeroing (reader_target
     * clears it again); the ~70 kB of scratch is written before it is read,
     * and not touching it saves its page faults */
    ParquetColumnReader *r = mem_alloc(sizeof *r);
    memset(r, 0, offsetof(ParquetColumnReader, levels));
    arena_init(&r->scratch, 0);
    if (!reader_target(r, pf, rg, col, err)) {
        parquet_column_reader_close(r);
        return NULL;
    }
    return r;
}

bool parquet_column_reader_reopen(ParquetColumnReader *r, ParquetFile *pf, int rg, int col, Error *err)
{
    return reader_target(r, pf, rg, col, err);
}

#define POOL_MAX 64

struct ParquetReaderPool {
    pthread_mutex_t lock;
    ParquetColumnReader *readers[POOL_MAX];
    int n;
};

ParquetReaderPool *parquet_reader_pool_new(void)
{
    ParquetReaderPool *pool = mem_calloc(1, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    return pool;
}

void parquet_reader_pool_free(ParquetReaderPool *pool)
{
    if (pool == NULL) return;
    for (int i = 0; i < pool->n; i++) parquet_column_reader_close(pool->readers[i]);
    pthread_mutex_destroy(&pool->lock);
    mem_free(pool);
}

ParquetColumnReader *parquet_column_reader_open_pooled(ParquetReaderPool *pool, ParquetFile *pf, int rg, int col,
                                                       Error *err)
{
    ParquetColumnReader *r = NULL;
    if (pool) {
        /* preferably a reader that last read this column (the same leaf; a
         * parallel scan's morsels share one schema): its buffers have the
         * right sizes already, where another column's would be regrown, and
         * fresh memory costs a page fault per 4 kB (measured: a third of the
         * page faults of TPC-H Q1 over Parquet went away) */
        int want = pf->cols[col].leaf;
        pthread_mutex_lock(&pool->lock);
        if (pool->n > 0) {
            int pick = pool->n - 1;
            for (int i = pool->n - 1; i >= 0; i--)
                if (pool->readers[i]->leaf == want) {
                    pick = i;
                    break;
                }
            r = pool->readers[pick];
            pool->readers[pick] = pool->readers[--pool->n];
        }
        pthread_mutex_unlock(&pool->lock);
    }
    if (r == NULL) return parquet_column_reader_open(pf, rg, col, err);
    if (!reader_target(r, pf, rg, col, err)) {
        parquet_column_reader_close(r);
        return NULL;
    }
    return r;
}

void parquet_column_reader_release(ParquetReaderPool *pool, ParquetColumnReader *r)
{
    if (r == NULL) return;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        bool kept = pool->n < POOL_MAX;
        if (kept) pool->readers[pool->n++] = r;
        pthread_mutex_unlock(&pool->lock);
        if (kept) return;
    }
    parquet_column_reader_close(r);
}

void parquet_column_reader_close(ParquetColumnReader *r)
{
    if (r == NULL) return;
    mem_free(r->chunk);
    mem_free(r->dict_buf);
    mem_free(r->dict);
    vector_free(r->dict_store);
    mem_free(r->page);
    pq_decompress_state_free(r->codec_state);
    strbuf_free(&r->last);
    arena_destroy(&r->scratch);
    mem_free(r);
}

/* Decompress the page body at the chunk cursor into dst (exactly ulen bytes). */
static bool page_body(ParquetColumnReader *r, const PqPageHeader *h, const uint8_t *src, uint8_t **dst, size_t *dst_cap,
                      size_t prefix, Error *err)
{
    size_t ulen = (size_t)h->uncompressed_size;
    grow_buffer(dst, dst_cap, ulen + 1);
    /* v2: the levels (prefix bytes) are stored uncompressed */
    if (prefix) memcpy(*dst, src, prefix);
    bool compressed = r->meta->codec != PQ_CODEC_UNCOMPRESSED && !(h->type == PQ_PAGE_DATA_V2 && !h->is_compressed);
    if (ulen == prefix) return true; /* an empty body: nothing to decompress, whatever the codec */
    if (!compressed) {
        if (h->compressed_size != h->uncompressed_size)
            return col_error(r, err, "corrupt page: uncompressed sizes disagree%s", "");
        memcpy(*dst + prefix, src + prefix, ulen - prefix);
        return true;
    }
    if (!pq_decompress_with(&r->codec_state, r->meta->codec, src + prefix, (size_t)h->compressed_size - prefix,
                            *dst + prefix, ulen - prefix, err)) {
        char msg[ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        ErrorKind kind = err->kind;
        col_error(r, err, "%s", msg);
        err->kind = kind; /* a corrupt page is a data error, a missing codec library (I/O) is not */
        return false;
    }
    return true;
}

static const char *convert_raw(const ParquetColumn *col, const PqRaw *v, Vector *out, uint32_t i);

/* Convert the n entries of a dictionary into slots 0..n-1 of out (the common
 * conversions in one loop each); false if some entry does not convert. */
static bool convert_dictionary(const ParquetColumn *col, const PqRaw *raw, uint32_t n, Vector *out)
{
    switch (col->conv) {
    case CV_I32:
    case CV_DATE:
        for (uint32_t i = 0; i < n; i++) VEC_DATA(out, int32_t)[i] = (int32_t)raw[i].u.i;
        return true;
    case CV_I64:
    case CV_TS_MICROS:
        for (uint32_t i = 0; i < n; i++) VEC_DATA(out, int64_t)[i] = raw[i].u.i;
        return true;
    case CV_FLOAT:
    case CV_DOUBLE:
        for (uint32_t i = 0; i < n; i++) VEC_DATA(out, double)[i] = raw[i].u.d;
        return true;
    case CV_I32_DEC:
    case CV_I64_DEC:
        if (!type_is_decimal128(col->type)) {
            int64_t limit = (int64_t)decimal_pow10(col->type.precision); /* precision <= 18 */
            bool fits = true;
            for (uint32_t i = 0; i < n; i++) {
                fits &= raw[i].u.i < limit && raw[i].u.i > -limit;
                VEC_DATA(out, int64_t)[i] = raw[i].u.i;
            }
            return fits;
        }
        break;
    default: break;
    }
    for (uint32_t i = 0; i < n; i++)
        if (convert_raw(col, &raw[i], out, i) != NULL) return false;
    return true;
}

static void set_valid_range(Vector *out, uint32_t first, uint32_t k);

/* out[first + i] = dict[idx[i]] for k rows, all valid: a typed gather; long
 * strings are copied into out's heap (the dictionary goes with its chunk).
 * False if an index is past the dictionary's n entries. */
static bool gather_dictionary(const Vector *dict, bool all_inline, uint32_t n, const uint32_t *idx, uint32_t k,
                              Vector *out, uint32_t first)
{
/* dst[i] = src[idx[i]], four rows a step with one branch for their range tests */
#define GATHER_FIXED(T)                                                                        \
    do {                                                                                       \
        const T *src = VEC_DATA(dict, T);                                                      \
        T *dst = VEC_DATA(out, T) + first;                                                     \
        uint32_t i = 0;                                                                        \
        for (; i + 4 <= k; i += 4) {                                                           \
            uint32_t a = idx[i], b = idx[i + 1], c = idx[i + 2], e = idx[i + 3];               \
            if ((unsigned)(a >= n) + (unsigned)(b >= n) + (unsigned)(c >= n) + (unsigned)(e >= n)) \
                return false;                                                                  \
            dst[i] = src[a];                                                                   \
            dst[i + 1] = src[b];                                                               \
            dst[i + 2] = src[c];                                                               \
            dst[i + 3] = src[e];                                                               \
        }                                                                                      \
        for (; i < k; i++) {                                                                   \
            if (idx[i] >= n) return false;                                                     \
            dst[i] = src[idx[i]];                                                              \
        }                                                                                      \
    } while (0)
    switch (type_physical_size(out->type)) {
    case 4: GATHER_FIXED(uint32_t); break;
    case 8: GATHER_FIXED(uint64_t); break;
    default:
        if (out->type.id == TYPE_VARCHAR && all_inline) {
            GATHER_FIXED(KString);
            break;
        }
        if (out->type.id == TYPE_VARCHAR) {
            const KString *from = VEC_DATA(dict, KString);
            KString *to = VEC_DATA(out, KString) + first;
            for (uint32_t i = 0; i < k; i++) {
                if (idx[i] >= n) return false;
                const KString *ks = &from[idx[i]];
                to[i] = ks->len <= KSTRING_INLINE_MAX ? *ks : vector_make_string(out, ks->u.ref.ptr, ks->len);
            }
            break;
        }
        for (uint32_t i = 0; i < k; i++)
            if (idx[i] >= n) return false;
        vector_copy(out, first, dict, idx, k);
        return true;
    }
#undef GATHER_FIXED
    set_valid_range(out, first, k);
    return true;
}

/* Convert n PLAIN INT32 decimal dictionary entries straight from the page
 * into slots 0..n-1 of out (widened to int64; no PqRaw detour: a large
 * dictionary's raw array costs twice its converted size in fresh memory);
 * false if the column is not such a decimal or an entry does not fit, and
 * the caller goes through PqRaw. */
static bool convert_plain_dictionary(const ParquetColumn *col, int ptype, const uint8_t *p, uint32_t n, Vector *out)
{
    if (ptype != PQ_INT32 || col->conv != CV_I32_DEC || type_is_decimal128(col->type)) return false;
    int64_t limit = (int64_t)decimal_pow10(col->type.precision), *d = VEC_DATA(out, int64_t); /* precision <= 18 */
    bool fits = true;
    for (uint32_t i = 0; i < n; i++) {
        int32_t x;
        memcpy(&x, p + (size_t)i * 4, 4);
        fits &= x < limit && x > -limit;
        d[i] = x;
    }
    return fits;
}

/* True if each of the n int64 at p (any alignment) lies strictly between
 * -10^precision and 10^precision (precision <= 18, so the bound fits).
 * With bias = 10^precision - 1, x fits when y = x + bias (wrapping) is at
 * most span = 2 * bias < 2^61, and y is past it exactly when y or span - y
 * has its top bit set (y >= 2^63, or span < y < 2^63): adds, subtracts and
 * ORs only, no branch per value (-O2 does not vectorise it). */
static bool int64s_fit_precision(const uint8_t *p, uint32_t n, int precision)
{
    uint64_t bias = (uint64_t)(decimal_pow10(precision) - 1), span = 2 * bias, over = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t x;
        memcpy(&x, p + (size_t)i * 8, 8);
        uint64_t y = (uint64_t)x + bias;
        over |= y | (span - y);
    }
    return over >> 63 == 0;
}

/* True if the n PLAIN entries at p already are the column's values (same
 * width and representation, and for a decimal within its precision), so the
 * dictionary page itself can serve as the converted dictionary. */
static bool plain_dictionary_in_place(const ParquetColumn *col, int ptype, const uint8_t *p, uint32_t n)
{
    if (ptype == PQ_INT32) return col->conv == CV_I32 || col->conv == CV_DATE;
    if (ptype == PQ_DOUBLE) return col->conv == CV_DOUBLE;
    if (ptype != PQ_INT64) return false;
    if (col->conv == CV_I64 || col->conv == CV_TS_MICROS) return true;
    if (col->conv != CV_I64_DEC || type_is_decimal128(col->type)) return false;
    return int64s_fit_precision(p, n, col->type.precision);
}

/* Decode the dictionary's entries into r->dict (once per dictionary). */
static bool dictionary_raw(ParquetColumnReader *r, Error *err)
{
    if (r->dict_ready) return true;
    uint64_t n = r->ndict;
    int w = r->ptype == PQ_INT32 || r->ptype == PQ_FLOAT ? 4 : r->ptype == PQ_INT64 || r->ptype == PQ_DOUBLE ? 8 : r->width;
    const uint8_t *p = r->dict_values, *end = r->dict_buf + r->dict_len;
    if (r->dict == NULL || r->dict_cap < n + 1) {
        uint64_t want = n + 1 + n / 4; /* room for the next chunk's, a little larger */
        mem_free(r->dict);
        r->dict = mem_alloc(sizeof(PqRaw) * want);
        r->dict_cap = (uint32_t)want;
    }
    for (uint64_t i = 0; i < n; i++) {
        PqRaw *v = &r->dict[i];
        switch (r->ptype) {
        case PQ_INT32: { int32_t x; memcpy(&x, p, 4); v->u.i = x; p += 4; break; }
        case PQ_INT64: memcpy(&v->u.i, p, 8); p += 8; break;
        case PQ_FLOAT: { float x; memcpy(&x, p, 4); v->u.d = x; p += 4; break; }
        case PQ_DOUBLE: memcpy(&v->u.d, p, 8); p += 8; break;
        case PQ_BYTE_ARRAY: {
            if (end - p < 4) return col_error(r, err, "corrupt dictionary page%s", "");
            uint32_t len = le32(p);
            p += 4;
            if (len > (uint64_t)(end - p)) return col_error(r, err, "corrupt dictionary page%s", "");
            v->u.s.p = p;
            v->u.s.len = len;
            p += len;
            break;
        }
        default: /* FIXED, INT96 */
            v->u.s.p = p;
            v->u.s.len = (uint32_t)w;
            p += w;
            break;
        }
    }
    r->dict_ready = true;
    return true;
}

static bool read_dictionary(ParquetColumnReader *r, const PqPageHeader *h, const uint8_t *src, Error *err)
{
    if (!page_body(r, h, src, &r->dict_buf, &r->dict_buf_cap, 0, err)) return false;
    if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
        return col_error(r, err, "unsupported dictionary encoding %s", pq_encoding_name(h->encoding));
    const uint8_t *p = r->dict_buf, *end = r->dict_buf + h->uncompressed_size;
    uint64_t n = (uint64_t)h->num_values;
    int w = r->ptype == PQ_INT32 || r->ptype == PQ_FLOAT ? 4
          : r->ptype == PQ_INT64 || r->ptype == PQ_DOUBLE ? 8
          : r->ptype == PQ_BYTE_ARRAY ? 4 : r->width;
    if (r->ptype == PQ_BOOLEAN || w <= 0) return col_error(r, err, "corrupt dictionary page%s", "");
    if (h->num_values < 0 || n * (uint64_t)w > (uint64_t)(end - p)) return col_error(r, err, "corrupt dictionary page: too many entries%s", "");
    r->has_dict = true;
    r->dict_values = p;
    r->dict_len = (size_t)h->uncompressed_size;
    r->ndict = (uint32_t)n;
    r->dict_ready = false;
    r->dict_vec = NULL;
    r->dict_inline = false;
    /* dict_buf is malloc-aligned and the values start it: typed access is aligned */
    if (plain_dictionary_in_place(r->col, r->ptype, p, (uint32_t)n)) {
        memset(&r->dict_view, 0, sizeof r->dict_view);
        r->dict_view.type = r->col->type;
        r->dict_view.capacity = (uint32_t)n;
        r->dict_view.data = r->dict_buf;
        r->dict_view.owns_buffers = false;
        r->dict_vec = &r->dict_view;
        return true;
    }
    uint32_t cap = (uint32_t)(n ? n : 1);
    if (r->dict_store && (!type_equal(r->dict_store->type, r->col->type) || r->dict_store->capacity < cap)) {
        vector_free(r->dict_store);
        r->dict_store = NULL;
    }
    if (r->dict_store) vector_reset(r->dict_store);
    else r->dict_store = vector_new(r->col->type, cap + cap / 4); /* room for the next chunk's, a little larger */
    bool fixed = r->ptype == PQ_INT32 || r->ptype == PQ_INT64 || r->ptype == PQ_FLOAT || r->ptype == PQ_DOUBLE;
    if (fixed && convert_plain_dictionary(r->col, r->ptype, p, (uint32_t)n, r->dict_store)) {
        r->dict_vec = r->dict_store;
        return true;
    }
    if (!dictionary_raw(r, err)) return false;
    if (convert_dictionary(r->col, r->dict, (uint32_t)n, r->dict_store)) r->dict_vec = r->dict_store;
    if (r->dict_vec && r->dict_vec->type.id == TYPE_VARCHAR) {
        const KString *ks = VEC_DATA(r->dict_vec, KString);
        r->dict_inline = true;
        for (uint64_t i = 0; i < n; i++) r->dict_inline &= ks[i].len <= KSTRING_INLINE_MAX;
    }
    return true;
}

static bool start_values(ParquetColumnReader *r, const uint8_t *p, const uint8_t *end, Error *err)
{
    r->vp = p;
    r->vend = end;
    r->bit_pos = 0;
    switch (r->encoding) {
    case PQ_ENC_PLAIN: return true;
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY: {
        if (!r->has_dict) return col_error(r, err, "dictionary-encoded page without a dictionary%s", "");
        if (p >= end) {
            pq_rle_init(&r->idx, p, 0, 0);
            return true;
        }
        int bw = *p;
        if (bw > 32) return col_error(r, err, "corrupt page: bad bit width%s", "");
        pq_rle_init(&r->idx, p + 1, (size_t)(end - p - 1), bw);
        return true;
    }
    case PQ_ENC_RLE:
        if (r->ptype != PQ_BOOLEAN) return col_error(r, err, "RLE encoding is only for booleans%s", "");
        if (end - p < 4 || le32(p) > (uint64_t)(end - p - 4)) return col_error(r, err, "corrupt RLE page%s", "");
        pq_rle_init(&r->idx, p + 4, le32(p), 1);
        return true;
    case PQ_ENC_DELTA_BINARY_PACKED:
        if (r->ptype != PQ_INT32 && r->ptype != PQ_INT64) return col_error(r, err, "DELTA_BINARY_PACKED on a non-integer column%s", "");
        if (!pq_delta_init(&r->delta, p, (size_t)(end - p))) return col_error(r, err, "corrupt DELTA_BINARY_PACKED page%s", "");
        return true;
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: {
        if (r->ptype != PQ_BYTE_ARRAY) return col_error(r, err, "DELTA_LENGTH_BYTE_ARRAY on a non-binary column%s", "");
        PqDeltaDecoder skip;
        const uint8_t *data;
        if (!pq_delta_init(&skip, p, (size_t)(end - p)) || (data = pq_delta_skip_all(&skip)) == NULL)
            return col_error(r, err, "corrupt DELTA_LENGTH_BYTE_ARRAY page%s", "");
        pq_delta_init(&r->delta, p, (size_t)(end - p));
        r->vp = data;
        return true;
    }
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        if (r->ptype != PQ_BYTE_ARRAY && r->ptype != PQ_FIXED)
            return col_error(r, err, "DELTA_BYTE_ARRAY on a non-binary column%s", "");
        PqDeltaDecoder skip;
        const uint8_t *suffixes, *data;
        if (!pq_delta_init(&skip, p, (size_t)(end - p)) || (suffixes = pq_delta_skip_all(&skip)) == NULL ||
            !pq_delta_init(&skip, suffixes, (size_t)(end - suffixes)) || (data = pq_delta_skip_all(&skip)) == NULL)
            return col_error(r, err, "corrupt DELTA_BYTE_ARRAY page%s", "");
        pq_delta_init(&r->delta, p, (size_t)(end - p));
        pq_delta_init(&r->delta2, suffixes, (size_t)(end - suffixes));
        r->vp = data;
        strbuf_clear(&r->last);
        return true;
    }
    case PQ_ENC_BYTE_STREAM_SPLIT: {
        int w = r->ptype == PQ_INT32 || r->ptype == PQ_FLOAT ? 4 : r->ptype == PQ_INT64 || r->ptype == PQ_DOUBLE ? 8
              : r->ptype == PQ_FIXED ? r->width : 0;
        if (w <= 0) return col_error(r, err, "BYTE_STREAM_SPLIT on an unsupported column type%s", "");
        if ((size_t)(end - p) % (size_t)w != 0) return col_error(r, err, "corrupt BYTE_STREAM_SPLIT page%s", "");
        r->bss_count = (uint64_t)(end - p) / (uint64_t)w;
        r->bss_pos = 0;
        return true;
    }
    default: return col_error(r, err, "unsupported encoding %s", pq_encoding_name(r->encoding));
    }
}

/* Load the next data page (reading a dictionary page on the way). */
static bool next_page(ParquetColumnReader *r, Error *err)
{
    for (;;) {
        if (r->chunk_pos >= r->chunk_len) return col_error(r, err, "the column chunk ends before its last row%s", "");
        PqPageHeader h;
        size_t used;
        if (!pq_decode_page_header(r->chunk + r->chunk_pos, r->chunk_len - r->chunk_pos, &h, &used, err)) {
            char msg[ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->message);
            return col_error(r, err, "%s", msg);
        }
        r->chunk_pos += used;
        if (h.compressed_size < 0 || h.uncompressed_size < 0 || (size_t)h.compressed_size > r->chunk_len - r->chunk_pos)
            return col_error(r, err, "corrupt page header: the page lies outside its column chunk (truncated?)%s", "");
        if ((int64_t)h.uncompressed_size > PAGE_FLOOR_BYTES &&
            (int64_t)h.uncompressed_size / PAGE_MAX_RATIO > (int64_t)h.compressed_size)
            return col_error(r, err, "corrupt page header: implausible uncompressed size%s", "");
        const uint8_t *src = r->chunk + r->chunk_pos;
        r->chunk_pos += (size_t)h.compressed_size;
        if (h.type == PQ_PAGE_DICTIONARY) {
            if (!read_dictionary(r, &h, src, err)) return false;
            continue;
        }
        if (h.type != PQ_PAGE_DATA && h.type != PQ_PAGE_DATA_V2) continue; /* index pages */
        if (h.num_values < 0) return col_error(r, err, "corrupt page header: negative value count%s", "");
        size_t prefix = 0;
        if (h.type == PQ_PAGE_DATA_V2) {
            if (h.def_length < 0 || h.rep_length < 0 || (int64_t)h.def_length + h.rep_length > h.compressed_size ||
                (int64_t)h.def_length + h.rep_length > h.uncompressed_size)
                return col_error(r, err, "corrupt page header: bad level lengths%s", "");
            prefix = (size_t)h.def_length + (size_t)h.rep_length;
        }
        if (!page_body(r, &h, src, &r->page, &r->page_cap, prefix, err)) return false;
        const uint8_t *p = r->page, *end = r->page + h.uncompressed_size;
        r->has_defs = r->col->max_def > 0;
        if (h.type == PQ_PAGE_DATA_V2) {
            p += h.rep_length;
            if (r->has_defs) pq_rle_init(&r->defs, p, (size_t)h.def_length, 1);
            p += h.def_length;
        } else if (r->has_defs) {
            if (h.def_encoding != PQ_ENC_RLE)
                return col_error(r, err, "unsupported definition level encoding %s", pq_encoding_name(h.def_encoding));
            if (end - p < 4 || le32(p) > (uint64_t)(end - p - 4)) return col_error(r, err, "corrupt definition levels%s", "");
            pq_rle_init(&r->defs, p + 4, le32(p), 1);
            p += 4 + le32(p);
        }
        r->encoding = h.encoding;
        r->page_rows_left = h.num_values;
        if (!start_values(r, p, end, err)) return false;
        if (h.num_values > 0) return true;
    }
}

static bool need(ParquetColumnReader *r, size_t n, Error *err)
{
    if ((size_t)(r->vend - r->vp) < n) return col_error(r, err, "corrupt page: values end early%s", "");
    return true;
}

static uint32_t fixed_width(const ParquetColumnReader *r)
{
    switch (r->ptype) {
    case PQ_INT32:
    case PQ_FLOAT: return 4;
    case PQ_INT64:
    case PQ_DOUBLE: return 8;
    default: return (uint32_t)r->width;
    }
}

static void raw_from_bytes(ParquetColumnReader *r, const uint8_t *p, PqRaw *v)
{
    switch (r->ptype) {
    case PQ_INT32: { int32_t x; memcpy(&x, p, 4); v->u.i = x; break; }
    case PQ_INT64: memcpy(&v->u.i, p, 8); break;
    case PQ_FLOAT: { float x; memcpy(&x, p, 4); v->u.d = x; break; }
    case PQ_DOUBLE: memcpy(&v->u.d, p, 8); break;
    default: v->u.s.p = p; v->u.s.len = (uint32_t)r->width; break;
    }
}

/* Decode the next n non-NULL values into r->raw. */
static bool decode_values(ParquetColumnReader *r, uint32_t n, Error *err)
{
    PqRaw *out = r->raw;
    switch (r->encoding) {
    case PQ_ENC_PLAIN:
        if (r->ptype == PQ_BOOLEAN) {
            if (((r->bit_pos + n + 7) / 8) > (uint64_t)(r->vend - r->vp)) return col_error(r, err, "corrupt page: values end early%s", "");
            for (uint32_t i = 0; i < n; i++, r->bit_pos++) out[i].u.i = (r->vp[r->bit_pos / 8] >> (r->bit_pos % 8)) & 1;
            return true;
        }
        if (r->ptype == PQ_BYTE_ARRAY) {
            for (uint32_t i = 0; i < n; i++) {
                if (!need(r, 4, err)) return false;
                uint32_t len = le32(r->vp);
                r->vp += 4;
                if (!need(r, len, err)) return false;
                out[i].u.s.p = r->vp;
                out[i].u.s.len = len;
                r->vp += len;
            }
            return true;
        } else {
            uint32_t w = fixed_width(r);
            if (!need(r, (size_t)w * n, err)) return false;
            for (uint32_t i = 0; i < n; i++, r->vp += w) raw_from_bytes(r, r->vp, &out[i]);
            return true;
        }
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY: {
        uint32_t *idx = r->levels + 0; /* levels are consumed before values: reuse as index space */
        uint32_t got = pq_rle_get(&r->idx, idx, n);
        if (got != n) return col_error(r, err, "corrupt page: dictionary indices end early%s", "");
        if (!dictionary_raw(r, err)) return false;
        for (uint32_t i = 0; i < n; i++) {
            if (idx[i] >= r->ndict) return col_error(r, err, "corrupt page: dictionary index out of range%s", "");
            out[i] = r->dict[idx[i]];
        }
        return true;
    }
    case PQ_ENC_RLE: {
        uint32_t *bits = r->levels;
        if (pq_rle_get(&r->idx, bits, n) != n) return col_error(r, err, "corrupt page: values end early%s", "");
        for (uint32_t i = 0; i < n; i++) out[i].u.i = bits[i] ? 1 : 0;
        return true;
    }
    case PQ_ENC_DELTA_BINARY_PACKED:
        if (pq_delta_get(&r->delta, r->tmp, n) != n) return col_error(r, err, "corrupt DELTA_BINARY_PACKED page%s", "");
        for (uint32_t i = 0; i < n; i++) out[i].u.i = r->ptype == PQ_INT32 ? (int64_t)(int32_t)r->tmp[i] : r->tmp[i];
        return true;
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (pq_delta_get(&r->delta, r->tmp, n) != n) return col_error(r, err, "corrupt DELTA_LENGTH_BYTE_ARRAY page%s", "");
        for (uint32_t i = 0; i < n; i++) {
            if (r->tmp[i] < 0 || r->tmp[i] > UINT32_MAX || !need(r, (size_t)r->tmp[i], err))
                return col_error(r, err, "corrupt DELTA_LENGTH_BYTE_ARRAY page%s", "");
            out[i].u.s.p = r->vp;
            out[i].u.s.len = (uint32_t)r->tmp[i];
            r->vp += r->tmp[i];
        }
        return true;
    case PQ_ENC_DELTA_BYTE_ARRAY:
        if (pq_delta_get(&r->delta, r->tmp, n) != n || pq_delta_get(&r->delta2, r->tmp2, n) != n)
            return col_error(r, err, "corrupt DELTA_BYTE_ARRAY page%s", "");
        for (uint32_t i = 0; i < n; i++) {
            int64_t pre = r->tmp[i], suf = r->tmp2[i];
            if (pre < 0 || (size_t)pre > r->last.len || suf < 0 || suf > UINT32_MAX || !need(r, (size_t)suf, err))
                return col_error(r, err, "corrupt DELTA_BYTE_ARRAY page%s", "");
            size_t len = (size_t)pre + (size_t)suf;
            uint8_t *s = arena_alloc(&r->scratch, len + 1);
            if (pre) memcpy(s, r->last.data, (size_t)pre);
            if (suf) memcpy(s + pre, r->vp, (size_t)suf);
            r->vp += suf;
            strbuf_clear(&r->last);
            strbuf_append(&r->last, (const char *)s, len);
            if (r->ptype == PQ_FIXED && len != (size_t)r->width)
                return col_error(r, err, "corrupt DELTA_BYTE_ARRAY page: wrong value length%s", "");
            out[i].u.s.p = s;
            out[i].u.s.len = (uint32_t)len;
        }
        return true;
    case PQ_ENC_BYTE_STREAM_SPLIT: {
        uint32_t w = fixed_width(r);
        if (r->bss_pos + n > r->bss_count) return col_error(r, err, "corrupt BYTE_STREAM_SPLIT page%s", "");
        for (uint32_t i = 0; i < n; i++, r->bss_pos++) {
            uint8_t *b = r->ptype == PQ_FIXED ? arena_alloc(&r->scratch, w) : (uint8_t *)&r->tmp[i];
            for (uint32_t k = 0; k < w; k++) b[k] = r->vp[(uint64_t)k * r->bss_count + r->bss_pos];
            raw_from_bytes(r, b, &out[i]);
            if (r->ptype == PQ_FIXED) out[i].u.s.p = b;
        }
        return true;
    }
    default: return col_error(r, err, "unsupported encoding %s", pq_encoding_name(r->encoding));
    }
}

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0) v = ldexp(frac, -24);
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

/* True if the n bytes at p are well-formed UTF-8 (no overlongs, surrogates
 * or code points past U+10FFFF). */
static bool utf8_valid(const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (len == 0 || c > 0xf4 || i + (uint32_t)len > n) return false;
        for (int k = 1; k < len; k++)
            if ((p[i + (uint32_t)k] & 0xc0) != 0x80) return false;
        uint8_t c1 = p[i + 1];
        if (c == 0xe0 && c1 < 0xa0) return false;          /* overlong */
        if (c == 0xed && c1 >= 0xa0) return false;         /* surrogate */
        if (c == 0xf0 && c1 < 0x90) return false;          /* overlong */
        if (c == 0xf4 && c1 >= 0x90) return false;         /* past U+10FFFF */
        i += (uint32_t)len;
    }
    return true;
}

/* Store one raw value into slot i of out; returns NULL or what is wrong. */
static const char *convert_raw(const ParquetColumn *col, const PqRaw *v, Vector *out, uint32_t i)
{
    switch (col->conv) {
    case CV_BOOL: VEC_DATA(out, uint8_t)[i] = v->u.i ? 1 : 0; return NULL;
    case CV_I32:
    case CV_DATE: VEC_DATA(out, int32_t)[i] = (int32_t)v->u.i; return NULL;
    case CV_U32: VEC_DATA(out, int64_t)[i] = (int64_t)(uint32_t)v->u.i; return NULL;
    case CV_I64:
    case CV_TS_MICROS: VEC_DATA(out, int64_t)[i] = v->u.i; return NULL;
    case CV_TS_MILLIS:
        if (v->u.i > INT64_MAX / 1000 || v->u.i < INT64_MIN / 1000) return "timestamp out of range";
        VEC_DATA(out, int64_t)[i] = v->u.i * 1000;
        return NULL;
    case CV_TS_NANOS: {
        int64_t q = v->u.i / 1000;
        if (v->u.i % 1000 < 0) q--; /* floor */
        VEC_DATA(out, int64_t)[i] = q;
        return NULL;
    }
    case CV_INT96: {
        int64_t nanos;
        int32_t julian;
        memcpy(&nanos, v->u.s.p, 8);
        memcpy(&julian, v->u.s.p + 8, 4);
        /* wrapping arithmetic, as Spark's: its writer wraps the same way for
         * dates beyond the nanosecond range, so the value comes back */
        int64_t micros = (int64_t)((uint64_t)((int64_t)julian - 2440588) * 86400000000ULL + (uint64_t)(nanos / 1000));
        VEC_DATA(out, int64_t)[i] = micros;
        return NULL;
    }
    case CV_FLOAT:
    case CV_DOUBLE: VEC_DATA(out, double)[i] = v->u.d; return NULL;
    case CV_FLOAT16: VEC_DATA(out, double)[i] = half_to_double((uint16_t)(v->u.s.p[0] | v->u.s.p[1] << 8)); return NULL;
    case CV_I32_DEC:
    case CV_I64_DEC:
    case CV_U64_DEC:
    case CV_BIN_DEC: {
        kiln_int128 x;
        if (col->conv == CV_U64_DEC) x = (kiln_int128)(uint64_t)v->u.i;
        else if (col->conv != CV_BIN_DEC) x = v->u.i;
        else {
            uint32_t len = v->u.s.len;
            const uint8_t *p = v->u.s.p;
            x = 0;
            if (len > 0) {
                /* big-endian two's complement; bytes beyond 16 must only extend the sign */
                uint32_t skip = len > 16 ? len - 16 : 0;
                uint8_t sign = (p[skip] & 0x80) ? 0xff : 0x00;
                for (uint32_t k = 0; k < skip; k++)
                    if (p[k] != sign) return "decimal value out of range";
                x = (int8_t)p[skip];
                for (uint32_t k = skip + 1; k < len; k++) x = (kiln_int128)((unsigned __int128)x << 8) | p[k];
            }
        }
        kiln_int128 limit = decimal_pow10(col->type.precision);
        if (x >= limit || x <= -limit) return "decimal value does not fit its precision";
        if (type_is_decimal128(col->type)) VEC_DATA(out, kiln_int128)[i] = x;
        else VEC_DATA(out, int64_t)[i] = (int64_t)x;
        return NULL;
    }
    case CV_STRING:
        if (!utf8_valid(v->u.s.p, v->u.s.len))
            return "invalid byte sequence for encoding \"UTF8\" (binary data cannot be read as text; kiln has no BLOB type yet)";
        vector_set_string(out, i, (const char *)v->u.s.p, v->u.s.len);
        return NULL;
    case CV_UUID: {
        char text[37];
        static const char hex[] = "0123456789abcdef";
        int k = 0;
        for (int b = 0; b < 16; b++) {
            if (b == 4 || b == 6 || b == 8 || b == 10) text[k++] = '-';
            text[k++] = hex[v->u.s.p[b] >> 4];
            text[k++] = hex[v->u.s.p[b] & 15];
        }
        vector_set_string(out, i, text, 36);
        return NULL;
    }
    default: return "internal: unknown conversion";
    }
}

static bool convert(ParquetColumnReader *r, const PqRaw *v, Vector *out, uint32_t i, Error *err)
{
    const char *why = convert_raw(r->col, v, out, i);
    return why == NULL || col_error(r, err, "%s", why);
}

/* Store k rows starting at slot `first` of out: valid[i] says whether row i
 * has a value (the next of r->raw) or is NULL.  The common conversions run
 * as one loop each; the others go value by value through convert_raw. */
static bool convert_rows(ParquetColumnReader *r, const uint8_t *valid, uint32_t k, Vector *out, uint32_t first,
                         Error *err)
{
    const ParquetColumn *col = r->col;
    const PqRaw *raw = r->raw;
    uint32_t vi = 0;
#define CONVERT_LOOP(STORE)                        \
    for (uint32_t i = 0; i < k; i++) {             \
        if (!valid[i]) {                           \
            vector_set_null(out, first + i);       \
            continue;                              \
        }                                          \
        vector_set_valid(out, first + i);          \
        STORE;                                     \
        vi++;                                      \
    }
    switch (col->conv) {
    case CV_I32:
    case CV_DATE: {
        int32_t *d = VEC_DATA(out, int32_t) + first;
        CONVERT_LOOP(d[i] = (int32_t)raw[vi].u.i)
        return true;
    }
    case CV_I64:
    case CV_TS_MICROS: {
        int64_t *d = VEC_DATA(out, int64_t) + first;
        CONVERT_LOOP(d[i] = raw[vi].u.i)
        return true;
    }
    case CV_FLOAT:
    case CV_DOUBLE: {
        double *d = VEC_DATA(out, double) + first;
        CONVERT_LOOP(d[i] = raw[vi].u.d)
        return true;
    }
    case CV_I32_DEC:
    case CV_I64_DEC:
        if (!type_is_decimal128(col->type)) {
            /* precision <= 18: the bound fits an int64 */
            int64_t limit = (int64_t)decimal_pow10(col->type.precision), *d = VEC_DATA(out, int64_t) + first;
            bool fits = true;
            CONVERT_LOOP(fits &= raw[vi].u.i < limit && raw[vi].u.i > -limit; d[i] = raw[vi].u.i)
            return fits || col_error(r, err, "%s", "decimal value does not fit its precision");
        }
        break;
    default: break;
    }
#undef CONVERT_LOOP
    for (uint32_t i = 0; i < k; i++) {
        if (!valid[i]) {
            vector_set_null(out, first + i);
            continue;
        }
        vector_set_valid(out, first + i);
        if (!convert(r, &raw[vi++], out, first + i, err)) return false;
    }
    return true;
}

bool parquet_statistic_value(const ParquetColumn *col, const uint8_t *bytes, uint32_t len, Vector *out, uint32_t row)
{
    PqRaw v;
    int w = col->element->type == PQ_INT32 || col->element->type == PQ_FLOAT ? 4
          : col->element->type == PQ_INT64 || col->element->type == PQ_DOUBLE ? 8
          : col->element->type == PQ_BOOLEAN ? 1 : col->element->type == PQ_INT96 ? 12 : -1;
    if (col->unsupported || bytes == NULL) return false;
    if (w > 0 && len != (uint32_t)w) return false;
    if (col->element->type == PQ_FIXED && len != (uint32_t)col->element->type_length) return false;
    switch (col->element->type) {
    case PQ_BOOLEAN: v.u.i = bytes[0] != 0; break;
    case PQ_INT32: { int32_t x; memcpy(&x, bytes, 4); v.u.i = x; break; }
    case PQ_INT64: memcpy(&v.u.i, bytes, 8); break;
    case PQ_FLOAT: { float x; memcpy(&x, bytes, 4); v.u.d = x; break; }
    case PQ_DOUBLE: memcpy(&v.u.d, bytes, 8); break;
    default: v.u.s.p = bytes; v.u.s.len = len; break;
    }
    if (convert_raw(col, &v, out, row) != NULL) return false;
    vector_set_valid(out, row);
    return true;
}

/* Mark slots [first, first + k) of out valid, a word at a time (a vector
 * that has had a NULL keeps its bitmap from batch to batch). */
static void set_valid_range(Vector *out, uint32_t first, uint32_t k)
{
    if (out->validity == NULL || k == 0) return;
    uint32_t i = first, end = first + k;
    while (i < end && (i & 63)) vector_set_valid(out, i++);
    for (; i + 64 <= end; i += 64) out->validity[i >> 6] = ~(uint64_t)0;
    while (i < end) vector_set_valid(out, i++);
}

/* k PLAIN values of a page stretch without NULLs straight from the page into
 * slots first.. of out, for the conversions that are a copy, a widening or a
 * range check (no PqRaw detour: ~30 instructions a value less).  Returns 0
 * if the column is not such a one (the caller goes through decode_values),
 * 1 when done, -1 on an error. */
static int plain_direct(ParquetColumnReader *r, uint32_t k, Vector *out, uint32_t first, Error *err)
{
    const ParquetColumn *col = r->col;
    int ptype = r->ptype, conv = col->conv;
    bool dec64 = (conv == CV_I32_DEC || conv == CV_I64_DEC) && !type_is_decimal128(col->type);
    uint32_t w;
    if (ptype == PQ_INT32 && (conv == CV_I32 || conv == CV_DATE || dec64)) w = 4;
    else if (ptype == PQ_INT64 && (conv == CV_I64 || conv == CV_TS_MICROS || dec64)) w = 8;
    else if (ptype == PQ_DOUBLE && conv == CV_DOUBLE) w = 8;
    else if (ptype == PQ_FLOAT && conv == CV_FLOAT) w = 4;
    else return 0;
    if (!need(r, (size_t)w * k, err)) return -1;
    const uint8_t *p = r->vp;
    r->vp += (size_t)w * k;
    set_valid_range(out, first, k);
    if (ptype == PQ_FLOAT) {
        double *d = VEC_DATA(out, double) + first;
        for (uint32_t i = 0; i < k; i++) {
            float x;
            memcpy(&x, p + (size_t)i * 4, 4);
            d[i] = x;
        }
        return 1;
    }
    if (!dec64) {
        /* the page holds the column's values as they are (little-endian, as the PqRaw path assumes too) */
        memcpy((uint8_t *)out->data + (size_t)first * w, p, (size_t)k * w);
        return 1;
    }
    /* a 64-bit decimal (precision <= 18): widen, then test the range */
    int64_t *d = VEC_DATA(out, int64_t) + first;
    if (w == 8) {
        memcpy(d, p, (size_t)k * 8);
    } else {
        for (uint32_t i = 0; i < k; i++) {
            int32_t x;
            memcpy(&x, p + (size_t)i * 4, 4);
            d[i] = x;
        }
    }
    if (int64s_fit_precision((const uint8_t *)d, k, col->type.precision)) return 1;
    col_error(r, err, "%s", "decimal value does not fit its precision");
    return -1;
}

/* The definition levels of the page's next k rows: how many of them hold
 * a value (*nvalues) and, when valid is not NULL, which ones (valid[i]). */
static inline bool next_levels(ParquetColumnReader *r, uint32_t k, uint8_t *valid, uint32_t *nvalues, Error *err)
{
    uint32_t level;
    if (!r->has_defs) {
        if (valid) memset(valid, 1, k);
        *nvalues = k;
    } else if (pq_rle_skip_run(&r->defs, k, &level)) {
        /* one run of equal levels (a column without NULLs, or a stretch of NULLs) */
        if (valid) memset(valid, level >= 1, k);
        *nvalues = level >= 1 ? k : 0;
    } else {
        if (pq_rle_get(&r->defs, r->levels, k) != k) return col_error(r, err, "corrupt definition levels%s", "");
        uint32_t count = 0;
        for (uint32_t i = 0; i < k; i++) {
            bool has_value = r->levels[i] >= 1;
            if (valid) valid[i] = has_value;
            count += has_value;
        }
        *nvalues = count;
    }
    return true;
}

bool parquet_column_reader_read(ParquetColumnReader *r, Vector *out, uint32_t offset, uint32_t n, Error *err)
{
    if ((int64_t)n > r->rows_left) return col_error(r, err, "read past the end of the row group%s", "");
    arena_reset(&r->scratch);
    uint32_t done = 0;
    while (done < n) {
        if (r->page_rows_left == 0 && !next_page(r, err)) return false;
        uint32_t k = n - done;
        if ((int64_t)k > r->page_rows_left) k = (uint32_t)r->page_rows_left;
        uint8_t valid[VECTOR_CAPACITY];
        uint32_t nvalues = 0;
        if (!next_levels(r, k, valid, &nvalues, err)) return false;
        if (nvalues == k && k > 0 && r->dict_vec &&
            (r->encoding == PQ_ENC_PLAIN_DICTIONARY || r->encoding == PQ_ENC_RLE_DICTIONARY)) {
            /* no NULLs, dictionary-encoded: decode the indices, then copy the converted entries */
            uint32_t *idx = r->levels; /* the levels are consumed: reuse as index space */
            if (pq_rle_get(&r->idx, idx, k) != k) return col_error(r, err, "corrupt page: dictionary indices end early%s", "");
            if (!gather_dictionary(r->dict_vec, r->dict_inline, r->ndict, idx, k, out, offset + done))
                return col_error(r, err, "corrupt page: dictionary index out of range%s", "");
        } else {
            int direct = nvalues == k && r->encoding == PQ_ENC_PLAIN ? plain_direct(r, k, out, offset + done, err) : 0;
            if (direct < 0) return false;
            if (direct == 0) {
                if (!decode_values(r, nvalues, err)) return false;
                if (!convert_rows(r, valid, k, out, offset + done, err)) return false;
            }
        }
        done += k;
        r->page_rows_left -= k;
    }
    r->rows_left -= n;
    return true;
}

bool parquet_column_reader_skip(ParquetColumnReader *r, uint32_t n, Error *err)
{
    if ((int64_t)n > r->rows_left) return col_error(r, err, "read past the end of the row group%s", "");
    arena_reset(&r->scratch);
    uint32_t done = 0;
    while (done < n) {
        if (r->page_rows_left == 0 && !next_page(r, err)) return false;
        uint32_t k = n - done;
        if ((int64_t)k > r->page_rows_left) k = (uint32_t)r->page_rows_left;
        uint32_t nvalues = 0;
        if (!next_levels(r, k, NULL, &nvalues, err)) return false;
        uint32_t w = r->encoding == PQ_ENC_PLAIN && r->ptype != PQ_BOOLEAN && r->ptype != PQ_BYTE_ARRAY ? fixed_width(r) : 0;
        if (r->encoding == PQ_ENC_PLAIN_DICTIONARY || r->encoding == PQ_ENC_RLE_DICTIONARY) {
            /* the indices are not checked against the dictionary: they are not used */
            if (pq_rle_skip(&r->idx, nvalues) != nvalues)
                return col_error(r, err, "corrupt page: dictionary indices end early%s", "");
        } else if (w > 0) {
            if (!need(r, (size_t)w * nvalues, err)) return false;
            r->vp += (size_t)w * nvalues;
        } else if (!decode_values(r, nvalues, err)) {
            return false;
        }
        done += k;
        r->page_rows_left -= k;
    }
    r->rows_left -= n;
    return true;
}

const char *parquet_logical_type_text(const PqSchemaElement *e, char *buf, size_t n)
{
    const PqLogicalType *lt = &e->logical;
    static const char *const units[] = {"", "MILLIS", "MICROS", "NANOS"};
    const char *unit = lt->unit >= 1 && lt->unit <= 3 ? units[lt->unit] : "?";
    switch (lt->kind) {
    case PQ_LT_STRING: snprintf(buf, n, "STRING"); break;
    case PQ_LT_MAP: snprintf(buf, n, "MAP"); break;
    case PQ_LT_LIST: snprintf(buf, n, "LIST"); break;
    case PQ_LT_ENUM: snprintf(buf, n, "ENUM"); break;
    case PQ_LT_DECIMAL: snprintf(buf, n, "DECIMAL(%d,%d)", lt->precision, lt->scale); break;
    case PQ_LT_DATE: snprintf(buf, n, "DATE"); break;
    case PQ_LT_TIME: snprintf(buf, n, "TIME(%s,%s)", unit, lt->utc ? "true" : "false"); break;
    case PQ_LT_TIMESTAMP: snprintf(buf, n, "TIMESTAMP(%s,%s)", unit, lt->utc ? "true" : "false"); break;
    case PQ_LT_INTEGER: snprintf(buf, n, "INTEGER(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false"); break;
    case PQ_LT_UNKNOWN: snprintf(buf, n, "UNKNOWN"); break;
    case PQ_LT_JSON: snprintf(buf, n, "JSON"); break;
    case PQ_LT_BSON: snprintf(buf, n, "BSON"); break;
    case PQ_LT_UUID: snprintf(buf, n, "UUID"); break;
    case PQ_LT_FLOAT16: snprintf(buf, n, "FLOAT16"); break;
    case PQ_LT_VARIANT: snprintf(buf, n, "VARIANT"); break;
    case PQ_LT_GEOMETRY: snprintf(buf, n, "GEOMETRY"); break;
    case PQ_LT_GEOGRAPHY: snprintf(buf, n, "GEOGRAPHY"); break;
    default:
        if (e->converted_type == PQ_CT_DECIMAL) snprintf(buf, n, "DECIMAL(%d,%d)", e->precision, e->scale);
        else if (e->converted_type >= 0) snprintf(buf, n, "%s", pq_converted_type_name(e->converted_type));
        else buf[0] = 0;
        break;
    }
    return buf;
}
