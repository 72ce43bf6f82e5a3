/* parquet_writer: Parquet output (see the header for the mapping and the
 * memory bound).
 *
 * Per column the writer keeps the page being filled (definition levels, and
 * either dictionary indices or PLAIN bytes), the finished pages of the
 * current row group's column chunk (headers + compressed bodies) and the
 * chunk's dictionary: PLAIN-encoded entries with an open-addressing hash
 * table of entry numbers keyed by the entries' bytes.  A page is finished
 * when its uncompressed size reaches page_bytes; a row group is written when
 * it has row_group_rows rows or its buffers reach row_group_bytes, column
 * chunk after column chunk, each as [dictionary page][data pages]. */
#include "formats/parquet/parquet_writer.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_codec.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_stat_truncate.h"
#include "io/fs.h"

typedef struct ColumnWriter {
    const char *name;
    LogicalType type;
    int ptype;           /* PQ_* physical type */
    int width;           /* bytes of a fixed-width value (FLBA length for decimals) */
    /* the page being filled */
    uint8_t *defs;
    uint32_t *indices;
    size_t page_rows, page_cap;
    size_t page_values;  /* non-NULL values in the page */
    StrBuf plain;        /* PLAIN values (booleans: one byte each, packed at flush) */
    bool page_is_dict;   /* the page holds dictionary indices */
    /* dictionary of the chunk */
    bool dict_active;    /* new values go to the dictionary */
    StrBuf dict;         /* PLAIN-encoded entries */
    uint32_t *dict_off;  /* entry i: bytes at dict.data + dict_off[i], dict_len[i] long */
    uint32_t *dict_len;
    uint32_t ndict, cap_dict;
    uint32_t *slots;     /* hash table: entry + 1, 0 = empty */
    uint32_t nslots;
    /* the chunk's finished data pages */
    StrBuf pages;
    int64_t uncompressed_bytes;
    int64_t num_values;
    int64_t null_count;
    bool used_plain, used_dict;
    /* statistics of the chunk */
    bool has_minmax;
    int64_t min_i, max_i;
    double min_d, max_d;
    kiln_int128 min_w, max_w;
    StrBuf min_s, max_s;
} ColumnWriter;

struct ParquetWriter {
    ParquetWriteOptions opts;
    FsWriter *out;
    bool owns_out;          /* opened by parquet_writer_open (committed/aborted here) */
    uint64_t offset;        /* bytes written so far */
    int ncols;
    ColumnWriter *cols;
    int64_t rg_rows;        /* rows in the row group being filled */
    int64_t total_rows;
    Arena arena;            /* footer metadata */
    PqRowGroup *groups;
    uint32_t ngroups, cap_groups;
    uint8_t *scratch;       /* compression buffer */
    size_t scratch_cap;
    int64_t done_compressed;   /* column chunks written: compressed bytes */
    int64_t done_uncompressed; /* and their uncompressed size (the estimate's ratio) */
};

void parquet_write_options_init(ParquetWriteOptions *o)
{
    memset(o, 0, sizeof *o);
    o->codec = PQ_CODEC_SNAPPY;
    o->row_group_rows = 122880;
    o->row_group_bytes = 128 << 20;
    o->page_bytes = 1 << 20;
    o->dictionary_bytes = 1 << 20;
    o->dictionary = true;
}

int parquet_decimal_bytes(int precision)
{
    kiln_int128 limit = 1;
    for (int i = 0; i < precision; i++) limit *= 10;
    for (int n = 1; n < 16; n++)
        if (((kiln_int128)1 << (8 * n - 1)) >= limit) return n;
    return 16;
}

/* A writer on out (not yet holding the magic). */
static ParquetWriter *writer_new(FsWriter *out, bool owns_out, const ParquetWriteOptions *opts, Error *err)
{
    ParquetWriter *w = mem_calloc(1, sizeof *w);
    w->opts = *opts;
    if (w->opts.row_group_rows <= 0) w->opts.row_group_rows = 122880;
    if (w->opts.row_group_bytes <= 0) w->opts.row_group_bytes = 128 << 20;
    if (w->opts.page_bytes <= 0) w->opts.page_bytes = 1 << 20;
    w->out = out;
    w->owns_out = owns_out;
    arena_init(&w->arena, 0);
    if (!fs_writer_write(out, "PAR1", 4, err)) {
        parquet_writer_abort(w);
        return NULL;
    }
    w->offset = 4;
    return w;
}

static bool codec_writable(const ParquetWriteOptions *opts, Error *err)
{
    if (!pq_codec_supported(opts->codec) || opts->codec == PQ_CODEC_LZ4)
        return error_set(err, ERR_SQL, "cannot write Parquet compression %s", pq_codec_name(opts->codec));
    return true;
}

ParquetWriter *parquet_writer_open(const char *path, const ParquetWriteOptions *opts, Error *err)
{
    if (!codec_writable(opts, err)) return NULL;
    FsWriter *out = fs_open_write(path, err);
    if (out == NULL) return NULL;
    return writer_new(out, true, opts, err);
}

ParquetWriter *parquet_writer_open_on(FsWriter *out, const ParquetWriteOptions *opts, Error *err)
{
    if (!codec_writable(opts, err)) return NULL;
    return writer_new(out, false, opts, err);
}

bool parquet_writer_begin(ParquetWriter *w, int ncols, const char *const *names, const LogicalType *types, Error *err)
{
    w->ncols = ncols;
    w->cols = mem_calloc((size_t)ncols + 1, sizeof *w->cols);
    for (int i = 0; i < ncols; i++) {
        ColumnWriter *c = &w->cols[i];
        c->name = arena_strdup(&w->arena, names[i]);
        c->type = types[i];
        switch (types[i].id) {
        case TYPE_BOOLEAN: c->ptype = PQ_BOOLEAN; c->width = 1; break;
        case TYPE_INTEGER:
        case TYPE_DATE: c->ptype = PQ_INT32; c->width = 4; break;
        case TYPE_BIGINT:
        case TYPE_TIMESTAMP: c->ptype = PQ_INT64; c->width = 8; break;
        case TYPE_DOUBLE: c->ptype = PQ_DOUBLE; c->width = 8; break;
        case TYPE_VARCHAR: c->ptype = PQ_BYTE_ARRAY; c->width = 0; break;
        case TYPE_DECIMAL:
            if (types[i].precision <= 9) c->ptype = PQ_INT32, c->width = 4;
            else if (types[i].precision <= 18) c->ptype = PQ_INT64, c->width = 8;
            else c->ptype = PQ_FIXED, c->width = parquet_decimal_bytes(types[i].precision);
            break;
        default: {
            char buf[64];
            return error_set(err, ERR_SQL, "cannot write column \"%s\" of type %s to Parquet", names[i],
                             type_name(types[i], buf, sizeof buf));
        }
        }
        c->dict_active = w->opts.dictionary && c->ptype != PQ_BOOLEAN;
        c->page_is_dict = c->dict_active;
    }
    return true;
}

/* ---- dictionary ---- */

static uint64_t hash_bytes(const void *p, size_t n) { return XXH3_64bits(p, n); }

static void dict_grow_table(ColumnWriter *c)
{
    uint32_t n = c->nslots ? c->nslots * 2 : 1024;
    uint32_t *slots = mem_calloc(n, sizeof *slots);
    for (uint32_t e = 0; e < c->ndict; e++) {
        uint64_t h = hash_bytes(c->dict.data + c->dict_off[e], c->dict_len[e]);
        uint32_t s = (uint32_t)h & (n - 1);
        while (slots[s]) s = (s + 1) & (n - 1);
        slots[s] = e + 1;
    }
    mem_free(c->slots);
    c->slots = slots;
    c->nslots = n;
}

/* The entry number of a value's bytes, adding it if new. */
static uint32_t dict_lookup(ColumnWriter *c, const void *bytes, uint32_t n)
{
    if ((uint64_t)(c->ndict + 1) * 2 > c->nslots) dict_grow_table(c);
    uint64_t h = hash_bytes(bytes, n);
    uint32_t s = (uint32_t)h & (c->nslots - 1);
    while (c->slots[s]) {
        uint32_t e = c->slots[s] - 1;
        if (c->dict_len[e] == n && memcmp(c->dict.data + c->dict_off[e], bytes, n) == 0) return e;
        s = (s + 1) & (c->nslots - 1);
    }
    if (c->ndict == c->cap_dict) {
        c->cap_dict = c->cap_dict ? c->cap_dict * 2 : 256;
        c->dict_off = mem_realloc(c->dict_off, sizeof(uint32_t) * c->cap_dict);
        c->dict_len = mem_realloc(c->dict_len, sizeof(uint32_t) * c->cap_dict);
    }
    if (c->ptype == PQ_BYTE_ARRAY) {
        uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
        strbuf_append(&c->dict, (const char *)len, 4);
    }
    c->dict_off[c->ndict] = (uint32_t)c->dict.len;
    c->dict_len[c->ndict] = n;
    strbuf_append(&c->dict, bytes, n);
    c->slots[s] = c->ndict + 1;
    return c->ndict++;
}

static void dict_reset(ColumnWriter *c, bool enabled)
{
    strbuf_clear(&c->dict);
    c->ndict = 0;
    if (c->slots) memset(c->slots, 0, sizeof(uint32_t) * c->nslots);
    c->dict_active = enabled && c->ptype != PQ_BOOLEAN;
}

/* ---- pages ---- */

static uint8_t *scratch(ParquetWriter *w, size_t n)
{
    if (n > w->scratch_cap) {
        mem_free(w->scratch);
        w->scratch = mem_alloc(n);
        w->scratch_cap = n;
    }
    return w->scratch;
}

/* Compress body and append header + compressed body to dst. */
static bool emit_page(ParquetWriter *w, StrBuf *dst, PqPageHeader *h, const uint8_t *body, size_t n, int64_t *uncompressed,
                      Error *err)
{
    if (n > INT32_MAX) return error_set(err, ERR_DATA, "Parquet page of %zu bytes is too large", n);
    uint8_t *buf = scratch(w, pq_compress_bound(w->opts.codec, n) + 1);
    size_t clen;
    if (!pq_compress(w->opts.codec, w->opts.level, body, n, buf, &clen, err)) return false;
    h->uncompressed_size = (int32_t)n;
    h->compressed_size = (int32_t)clen;
    TcWriter tw;
    tc_writer_init(&tw);
    pq_encode_page_header(&tw, h);
    strbuf_append(dst, (const char *)tw.data, tw.len);
    *uncompressed += (int64_t)(tw.len + n);
    tc_writer_free(&tw);
    strbuf_append(dst, (const char *)buf, clen);
    return true;
}

static bool flush_page(ParquetWriter *w, ColumnWriter *c, Error *err)
{
    if (c->page_rows == 0) return true;
    StrBuf body = STRBUF_INIT;
    /* definition levels: 4-byte length + RLE hybrid of bit width 1 */
    StrBuf levels = STRBUF_INIT;
    uint32_t *tmp = mem_alloc(sizeof(uint32_t) * c->page_rows);
    for (size_t i = 0; i < c->page_rows; i++) tmp[i] = c->defs[i];
    pq_rle_encode(&levels, tmp, c->page_rows, 1);
    mem_free(tmp);
    uint8_t len4[4] = {(uint8_t)levels.len, (uint8_t)(levels.len >> 8), (uint8_t)(levels.len >> 16),
                       (uint8_t)(levels.len >> 24)};
    strbuf_append(&body, (const char *)len4, 4);
    strbuf_append(&body, levels.data, levels.len);
    strbuf_free(&levels);
    size_t nvalues = c->page_values;
    PqPageHeader h;
    memset(&h, 0, sizeof h);
    h.type = PQ_PAGE_DATA;
    h.num_values = (int32_t)c->page_rows;
    h.def_encoding = PQ_ENC_RLE;
    h.rep_encoding = PQ_ENC_RLE;
    if (c->page_is_dict) {
        int bw = pq_bit_width(c->ndict > 0 ? c->ndict - 1 : 0);
        strbuf_putc(&body, (char)bw);
        pq_rle_encode(&body, c->indices, nvalues, bw);
        h.encoding = PQ_ENC_RLE_DICTIONARY;
        c->used_dict = true;
    } else if (c->ptype == PQ_BOOLEAN) {
        size_t nbytes = (nvalues + 7) / 8;
        size_t start = body.len;
        for (size_t i = 0; i < nbytes; i++) strbuf_putc(&body, 0);
        for (size_t i = 0; i < nvalues; i++)
            if (c->plain.data[i]) body.data[start + i / 8] |= (char)(1u << (i % 8));
        h.encoding = PQ_ENC_PLAIN;
        c->used_plain = true;
    } else {
        strbuf_append(&body, c->plain.data, c->plain.len);
        h.encoding = PQ_ENC_PLAIN;
        c->used_plain = true;
    }
    bool ok = emit_page(w, &c->pages, &h, (const uint8_t *)body.data, body.len, &c->uncompressed_bytes, err);
    strbuf_free(&body);
    c->page_rows = 0;
    c->page_values = 0;
    strbuf_clear(&c->plain);
    c->page_is_dict = c->dict_active;
    return ok;
}

/* ---- statistics ---- */

static void stats_int(ColumnWriter *c, int64_t v)
{
    if (!c->has_minmax) c->min_i = c->max_i = v, c->has_minmax = true;
    else if (v < c->min_i) c->min_i = v;
    else if (v > c->max_i) c->max_i = v;
}

static void stats_double(ColumnWriter *c, double v)
{
    if (isnan(v)) return; /* NaN never bounds: readers ignore such statistics */
    if (!c->has_minmax) c->min_d = c->max_d = v, c->has_minmax = true;
    else if (v < c->min_d) c->min_d = v;
    else if (v > c->max_d) c->max_d = v;
}

static void stats_wide(ColumnWriter *c, kiln_int128 v)
{
    if (!c->has_minmax) c->min_w = c->max_w = v, c->has_minmax = true;
    else if (v < c->min_w) c->min_w = v;
    else if (v > c->max_w) c->max_w = v;
}

static void stats_string(ColumnWriter *c, const char *s, uint32_t n)
{
    KString k = kstring_make(s, n);
    if (!c->has_minmax) {
        strbuf_append(&c->min_s, s, n);
        strbuf_append(&c->max_s, s, n);
        c->has_minmax = true;
        return;
    }
    KString mn = kstring_make(c->min_s.data ? c->min_s.data : "", (uint32_t)c->min_s.len);
    KString mx = kstring_make(c->max_s.data ? c->max_s.data : "", (uint32_t)c->max_s.len);
    if (kstring_compare(&k, &mn) < 0) {
        strbuf_clear(&c->min_s);
        strbuf_append(&c->min_s, s, n);
    } else if (kstring_compare(&k, &mx) > 0) {
        strbuf_clear(&c->max_s);
        strbuf_append(&c->max_s, s, n);
    }
}

/* ---- appending values ---- */

static void page_reserve(ColumnWriter *c)
{
    if (c->page_rows < c->page_cap) return;
    c->page_cap = c->page_cap ? c->page_cap * 2 : 4096;
    c->defs = mem_realloc(c->defs, c->page_cap);
    c->indices = mem_realloc(c->indices, sizeof(uint32_t) * c->page_cap);
}

/* Big-endian two's complement of v in n bytes. */
static void decimal_to_be(kiln_int128 v, int n, uint8_t *out)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* The PLAIN bytes of one value (strings without their length prefix). */
static const void *value_bytes(ColumnWriter *c, const Vector *v, uint32_t row, uint8_t *buf, uint32_t *n)
{
    switch (c->type.id) {
    case TYPE_BOOLEAN: buf[0] = VEC_DATA(v, uint8_t)[row] ? 1 : 0; *n = 1; stats_int(c, buf[0]); return buf;
    case TYPE_INTEGER:
    case TYPE_DATE: {
        int32_t x = VEC_DATA(v, int32_t)[row];
        stats_int(c, x);
        memcpy(buf, &x, 4);
        *n = 4;
        return buf;
    }
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: {
        int64_t x = VEC_DATA(v, int64_t)[row];
        stats_int(c, x);
        memcpy(buf, &x, 8);
        *n = 8;
        return buf;
    }
    case TYPE_DOUBLE: {
        double x = VEC_DATA(v, double)[row];
        stats_double(c, x);
        memcpy(buf, &x, 8);
        *n = 8;
        return buf;
    }
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        stats_string(c, kstring_data(k), k->len);
        *n = k->len;
        return kstring_data(k);
    }
    case TYPE_DECIMAL:
        if (c->ptype == PQ_FIXED) {
            kiln_int128 x = type_is_decimal128(c->type) ? VEC_DATA(v, kiln_int128)[row] : VEC_DATA(v, int64_t)[row];
            stats_wide(c, x);
            decimal_to_be(x, c->width, buf);
            *n = (uint32_t)c->width;
            return buf;
        } else {
            int64_t x = VEC_DATA(v, int64_t)[row];
            stats_int(c, x);
            if (c->ptype == PQ_INT32) {
                int32_t y = (int32_t)x;
                memcpy(buf, &y, 4);
                *n = 4;
            } else {
                memcpy(buf, &x, 8);
                *n = 8;
            }
            return buf;
        }
    default: *n = 0; return buf;
    }
}

static bool append_rows(ParquetWriter *w, ColumnWriter *c, const Batch *b, int col, uint32_t from, uint32_t count,
                        Error *err)
{
    const Vector *v = b->cols[col];
    uint8_t buf[16];
    for (uint32_t i = from; i < from + count; i++) {
        uint32_t row = batch_row(b, i);
        page_reserve(c);
        c->num_values++;
        if (!vector_is_valid(v, row)) {
            c->defs[c->page_rows++] = 0;
            c->null_count++;
            continue;
        }
        uint32_t n;
        const void *bytes = value_bytes(c, v, row, buf, &n);
        if (c->page_is_dict) {
            c->indices[c->page_values++] = dict_lookup(c, bytes, n);
            c->defs[c->page_rows++] = 1;
            if ((int64_t)c->dict.len > w->opts.dictionary_bytes) {
                /* the dictionary is too big: finish this page, go PLAIN for the rest of the chunk */
                c->dict_active = false;
                if (!flush_page(w, c, err)) return false;
            }
        } else {
            c->defs[c->page_rows++] = 1;
            if (c->ptype == PQ_BYTE_ARRAY) {
                uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
                strbuf_append(&c->plain, (const char *)len, 4);
            }
            strbuf_append(&c->plain, bytes, n);
            c->page_values++;
        }
        size_t page_size = c->page_is_dict ? c->page_values * 4 : c->plain.len;
        if ((int64_t)page_size >= w->opts.page_bytes && !flush_page(w, c, err)) return false;
    }
    return true;
}

/* ---- row groups ---- */

static bool write_out(ParquetWriter *w, const void *p, size_t n, Error *err)
{
    if (!fs_writer_write(w->out, p, n, err)) return false;
    w->offset += n;
    return true;
}

/* The statistics of a chunk as PLAIN bytes in the footer arena. */
static void chunk_statistics(ParquetWriter *w, ColumnWriter *c, PqStatistics *st)
{
    memset(st, 0, sizeof *st);
    st->has_null_count = true;
    st->null_count = c->null_count;
    if (!c->has_minmax) return;
    uint8_t *mn, *mx;
    uint32_t n = (uint32_t)c->width;
    if (c->type.id == TYPE_VARCHAR) {
        n = 0;
        mn = (uint8_t *)arena_strndup(&w->arena, c->min_s.data ? c->min_s.data : "", c->min_s.len);
        mx = (uint8_t *)arena_strndup(&w->arena, c->max_s.data ? c->max_s.data : "", c->max_s.len);
        /* long strings are truncated (the max rounded up) so they still bound the values */
        uint32_t mn_len = pq_truncate_min(mn, (uint32_t)c->min_s.len, PQ_STAT_MAX_BYTES);
        uint8_t *mx_short = arena_alloc(&w->arena, PQ_STAT_MAX_BYTES + 1);
        uint32_t mx_len = pq_truncate_max(mx, (uint32_t)c->max_s.len, PQ_STAT_MAX_BYTES, mx_short);
        st->min_value = (PqBytes){mn, mn_len};
        st->max_value = mx_len > 0 || c->max_s.len == 0 ? (PqBytes){mx_short, mx_len} : (PqBytes){mx, (uint32_t)c->max_s.len};
        return;
    }
    mn = arena_alloc(&w->arena, 16);
    mx = arena_alloc(&w->arena, 16);
    if (c->ptype == PQ_DOUBLE) {
        memcpy(mn, &c->min_d, 8);
        memcpy(mx, &c->max_d, 8);
    } else if (c->ptype == PQ_FIXED) {
        decimal_to_be(c->min_w, c->width, mn);
        decimal_to_be(c->max_w, c->width, mx);
    } else if (c->ptype == PQ_INT32) {
        int32_t a = (int32_t)c->min_i, b = (int32_t)c->max_i;
        memcpy(mn, &a, 4);
        memcpy(mx, &b, 4);
    } else if (c->ptype == PQ_BOOLEAN) {
        mn[0] = (uint8_t)c->min_i;
        mx[0] = (uint8_t)c->max_i;
    } else {
        memcpy(mn, &c->min_i, 8);
        memcpy(mx, &c->max_i, 8);
    }
    st->min_value = (PqBytes){mn, n};
    st->max_value = (PqBytes){mx, n};
    /* the deprecated fields as well, for old readers: same (signed) order for these types */
    if (c->ptype != PQ_FIXED) {
        st->min = st->min_value;
        st->max = st->max_value;
    }
}

static bool flush_row_group(ParquetWriter *w, Error *err)
{
    if (w->rg_rows == 0) return true;
    if (w->ngroups == w->cap_groups) {
        w->cap_groups = w->cap_groups ? w->cap_groups * 2 : 8;
        w->groups = mem_realloc(w->groups, sizeof *w->groups * w->cap_groups);
    }
    PqRowGroup *g = &w->groups[w->ngroups];
    memset(g, 0, sizeof *g);
    g->ncolumns = (uint32_t)w->ncols;
    g->columns = arena_calloc(&w->arena, sizeof *g->columns * ((size_t)w->ncols + 1));
    g->num_rows = w->rg_rows;
    g->has_file_offset = true;
    g->file_offset = (int64_t)w->offset;
    int64_t rg_compressed = 0;
    for (int i = 0; i < w->ncols; i++) {
        ColumnWriter *c = &w->cols[i];
        if (!flush_page(w, c, err)) return false;
        PqColumnChunk *cc = &g->columns[i];
        PqColumnMeta *m = &cc->meta;
        cc->has_meta = true;
        m->type = c->ptype;
        m->codec = w->opts.codec;
        m->num_values = c->num_values;
        m->path = arena_calloc(&w->arena, sizeof(char *) * 2);
        m->path[0] = c->name;
        m->npath = 1;
        m->encodings = arena_calloc(&w->arena, sizeof(int) * 4);
        m->encodings[m->nencodings++] = PQ_ENC_RLE;
        if (c->used_plain || c->used_dict) m->encodings[m->nencodings++] = PQ_ENC_PLAIN;
        if (c->used_dict) m->encodings[m->nencodings++] = PQ_ENC_RLE_DICTIONARY;
        uint64_t start = w->offset;
        int64_t uncompressed = 0;
        if (c->used_dict) {
            StrBuf dict_page = STRBUF_INIT;
            PqPageHeader h;
            memset(&h, 0, sizeof h);
            h.type = PQ_PAGE_DICTIONARY;
            h.num_values = (int32_t)c->ndict;
            h.encoding = PQ_ENC_PLAIN;
            bool ok = emit_page(w, &dict_page, &h, (const uint8_t *)(c->dict.data ? c->dict.data : ""), c->dict.len,
                                &uncompressed, err) &&
                      write_out(w, dict_page.data, dict_page.len, err);
            strbuf_free(&dict_page);
            if (!ok) return false;
            m->has_dictionary_page_offset = true;
            m->dictionary_page_offset = (int64_t)start;
        }
        m->data_page_offset = (int64_t)w->offset;
        if (!write_out(w, c->pages.data ? c->pages.data : "", c->pages.len, err)) return false;
        m->total_compressed_size = (int64_t)(w->offset - start);
        m->total_uncompressed_size = uncompressed + c->uncompressed_bytes;
        cc->file_offset = (int64_t)start;
        m->has_statistics = true;
        chunk_statistics(w, c, &m->statistics);
        g->total_byte_size += m->total_uncompressed_size;
        rg_compressed += m->total_compressed_size;
        w->done_compressed += m->total_compressed_size;
        w->done_uncompressed += m->total_uncompressed_size;
        /* reset the chunk */
        strbuf_clear(&c->pages);
        c->uncompressed_bytes = 0;
        c->num_values = 0;
        c->null_count = 0;
        c->used_plain = c->used_dict = false;
        c->has_minmax = false;
        strbuf_clear(&c->min_s);
        strbuf_clear(&c->max_s);
        dict_reset(c, w->opts.dictionary);
        c->page_is_dict = c->dict_active;
    }
    g->has_total_compressed_size = true;
    g->total_compressed_size = rg_compressed;
    w->ngroups++;
    w->total_rows += w->rg_rows;
    w->rg_rows = 0;
    return true;
}

static int64_t buffered_bytes(const ParquetWriter *w)
{
    int64_t n = 0;
    for (int i = 0; i < w->ncols; i++) {
        const ColumnWriter *c = &w->cols[i];
        n += (int64_t)(c->pages.len + c->plain.len + c->dict.len + c->page_values * 4 + c->page_rows);
    }
    return n;
}

bool parquet_writer_write_batch(ParquetWriter *w, const Batch *b, Error *err)
{
    uint32_t done = 0;
    while (done < b->count) {
        int64_t room = w->opts.row_group_rows - w->rg_rows;
        uint32_t n = b->count - done;
        if ((int64_t)n > room) n = (uint32_t)room;
        for (int i = 0; i < w->ncols; i++)
            if (!append_rows(w, &w->cols[i], b, i, done, n, err)) return false;
        w->rg_rows += n;
        done += n;
        if (w->rg_rows >= w->opts.row_group_rows || buffered_bytes(w) >= w->opts.row_group_bytes)
            if (!flush_row_group(w, err)) return false;
    }
    return true;
}

static void free_columns(ParquetWriter *w)
{
    for (int i = 0; w->cols && i < w->ncols; i++) {
        ColumnWriter *c = &w->cols[i];
        mem_free(c->defs);
        mem_free(c->indices);
        strbuf_free(&c->plain);
        strbuf_free(&c->dict);
        mem_free(c->dict_off);
        mem_free(c->dict_len);
        mem_free(c->slots);
        strbuf_free(&c->pages);
        strbuf_free(&c->min_s);
        strbuf_free(&c->max_s);
    }
    mem_free(w->cols);
    mem_free(w->groups);
    mem_free(w->scratch);
    arena_destroy(&w->arena);
    mem_free(w);
}

static void schema_element(ColumnWriter *c, PqSchemaElement *e)
{
    memset(e, 0, sizeof *e);
    e->name = c->name;
    e->type = c->ptype;
    e->repetition = PQ_OPTIONAL;
    e->converted_type = -1;
    switch (c->type.id) {
    case TYPE_VARCHAR: e->converted_type = PQ_CT_UTF8; e->logical.kind = PQ_LT_STRING; break;
    case TYPE_DATE: e->converted_type = PQ_CT_DATE; e->logical.kind = PQ_LT_DATE; break;
    case TYPE_TIMESTAMP:
        e->converted_type = PQ_CT_TIMESTAMP_MICROS;
        e->logical.kind = PQ_LT_TIMESTAMP;
        e->logical.utc = false;
        e->logical.unit = PQ_UNIT_MICROS;
        break;
    case TYPE_DECIMAL:
        e->converted_type = PQ_CT_DECIMAL;
        e->scale = c->type.scale;
        e->precision = c->type.precision;
        e->logical.kind = PQ_LT_DECIMAL;
        e->logical.scale = c->type.scale;
        e->logical.precision = c->type.precision;
        if (c->ptype == PQ_FIXED) e->type_length = c->width;
        break;
    default: break;
    }
}

/* Flush the last row group and write the footer; false (w untouched otherwise) on failure. */
static bool write_footer(ParquetWriter *w, Error *err)
{
    if (!flush_row_group(w, err)) return false;
    PqFileMeta m;
    memset(&m, 0, sizeof m);
    m.version = 1;
    m.nschema = (uint32_t)w->ncols + 1;
    m.schema = arena_calloc(&w->arena, sizeof *m.schema * m.nschema);
    m.schema[0].name = "schema";
    m.schema[0].type = -1;
    m.schema[0].repetition = -1;
    m.schema[0].converted_type = -1;
    m.schema[0].num_children = w->ncols;
    for (int i = 0; i < w->ncols; i++) schema_element(&w->cols[i], &m.schema[i + 1]);
    m.num_rows = w->total_rows;
    m.row_groups = w->groups;
    m.nrow_groups = w->ngroups;
    m.kv = (PqKeyValue *)w->opts.kv;
    m.nkv = (uint32_t)w->opts.nkv;
    m.created_by = "kiln";
    m.has_column_orders = true;
    TcWriter tw;
    tc_writer_init(&tw);
    pq_encode_file_meta(&tw, &m);
    uint8_t tail[8] = {(uint8_t)tw.len, (uint8_t)(tw.len >> 8), (uint8_t)(tw.len >> 16), (uint8_t)(tw.len >> 24),
                       'P', 'A', 'R', '1'};
    bool ok = write_out(w, tw.data, tw.len, err) && write_out(w, tail, 8, err);
    tc_writer_free(&tw);
    return ok;
}

bool parquet_writer_close(ParquetWriter *w, Error *err)
{
    if (!write_footer(w, err)) {
        parquet_writer_abort(w);
        return false;
    }
    bool ok = w->owns_out ? fs_writer_commit(w->out, err) : true;
    w->out = NULL;
    free_columns(w);
    return ok;
}

bool parquet_writer_finish(ParquetWriter *w, Error *err)
{
    bool ok = write_footer(w, err);
    if (!ok && w->owns_out) fs_writer_abort(w->out);
    w->out = NULL;
    free_columns(w);
    return ok;
}

void parquet_writer_abort(ParquetWriter *w)
{
    if (w == NULL) return;
    if (w->owns_out) fs_writer_abort(w->out);
    free_columns(w);
}

/* Release the buffers of a column whose chunk was just written out. */
static void release_column_buffers(ColumnWriter *c)
{
    mem_free(c->defs);
    mem_free(c->indices);
    c->defs = NULL;
    c->indices = NULL;
    c->page_cap = 0;
    strbuf_free(&c->plain);
    strbuf_free(&c->dict);
    strbuf_free(&c->pages);
    mem_free(c->dict_off);
    mem_free(c->dict_len);
    mem_free(c->slots);
    c->dict_off = c->dict_len = c->slots = NULL;
    c->cap_dict = c->nslots = 0;
}

bool parquet_writer_flush(ParquetWriter *w, Error *err)
{
    if (!flush_row_group(w, err)) return false;
    for (int i = 0; i < w->ncols; i++) release_column_buffers(&w->cols[i]);
    mem_free(w->scratch);
    w->scratch = NULL;
    w->scratch_cap = 0;
    return true;
}

uint64_t parquet_writer_memory(const ParquetWriter *w)
{
    uint64_t n = sizeof *w + w->scratch_cap + sizeof(PqRowGroup) * w->cap_groups;
    for (int i = 0; i < w->ncols; i++) {
        const ColumnWriter *c = &w->cols[i];
        n += sizeof *c + c->plain.cap + c->dict.cap + c->pages.cap + c->min_s.cap + c->max_s.cap;
        n += c->page_cap * (1 + sizeof(uint32_t)) + (uint64_t)c->cap_dict * 8 + (uint64_t)c->nslots * 4;
    }
    return n;
}

uint64_t parquet_writer_estimated_size(const ParquetWriter *w)
{
    /* written bytes, finished (compressed) pages, and the open pages and
     * dictionaries at the compression ratio of the pages finished so far */
    uint64_t compressed = 0, raw_done = 0, raw_open = 0;
    for (int i = 0; i < w->ncols; i++) {
        const ColumnWriter *c = &w->cols[i];
        compressed += c->pages.len;
        raw_done += (uint64_t)c->uncompressed_bytes;
        raw_open += c->plain.len + c->dict.len + (c->page_is_dict ? c->page_values : 0) + c->page_rows / 8;
    }
    uint64_t all_compressed = compressed + (uint64_t)w->done_compressed;
    uint64_t all_raw = raw_done + (uint64_t)w->done_uncompressed;
    double ratio = all_raw > 0 ? (double)all_compressed / (double)all_raw : 1.0;
    if (ratio > 1.0) ratio = 1.0;
    return w->offset + compressed + (uint64_t)((double)raw_open * ratio);
}

uint64_t parquet_writer_written_bytes(const ParquetWriter *w)
{
    return w->offset;
}

uint64_t parquet_writer_rows(const ParquetWriter *w)
{
    return (uint64_t)(w->total_rows + w->rg_rows);
}
