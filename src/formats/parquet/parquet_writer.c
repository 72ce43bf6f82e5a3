/* parquet_writer: Parquet output (see the header for the mapping and the
 * memory bound).
 *
 * Algorithm.  The writer is split in two halves so that encoding can run
 * on other threads:
 *
 *  - the producer (the caller of write_batch) only copies each column's
 *    values into the row group being filled (RowGroupBuf): a byte per row
 *    for the definition level and the PLAIN bytes of the non-NULL values
 *    (strings with their 4-byte length), which is cheap and vectorised;
 *
 *  - when the row group is complete (row_group_rows rows or
 *    row_group_bytes buffered), each of its column chunks is encoded by
 *    encode_chunk: statistics, the dictionary (an open-addressing table of
 *    entry numbers tagged with hash bits; fixed-width values hashed by a
 *    multiply, strings by XXH3), pages cut at page_bytes, definition
 *    levels and indices as RLE/bit-packed runs, compression.  A chunk
 *    whose dictionary outgrows dictionary_bytes finishes its page and goes
 *    PLAIN for the rest of the chunk; a chunk with many distinct values is
 *    also encoded PLAIN and the smaller encoding kept.  With a thread pool
 *    (parquet_encode_pool.h: options.pool, or options.threads > 1 for a
 *    pool of the writer's own) the chunks are pool tasks and the producer
 *    goes on filling the next row group; without one they run inline.
 *
 * Finished row groups are written to the output by the producer, strictly
 * in order, each column chunk as [dictionary page][data pages]; at most
 * MAX_IN_FLIGHT row groups wait for their encoding (the producer then
 * waits for the oldest).  Encoding is a pure function of a row group's
 * values and the options, so the bytes of a file do not depend on the
 * number of threads.  A worker's error is returned by the next call that
 * writes row groups out (write_batch, flush, finish, close); abort cancels
 * the queued tasks and waits for the running ones before freeing.
 *
 * Memory: the row group being filled (its raw values: about the size of
 * the data as PLAIN bytes), up to MAX_IN_FLIGHT row groups being encoded
 * (raw values plus their encoded pages and dictionaries), and one spare
 * row group's buffers kept for reuse; parquet_writer_memory counts all of
 * them (the growth during encoding through an atomic counter), and
 * parquet_writer_flush releases all of them. */
#include "formats/parquet/parquet_writer.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <xxhash.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_codec.h"
#include "formats/parquet/parquet_encode_pool.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_stat_truncate.h"
#include "io/fs.h"

#define MAX_IN_FLIGHT 2 /* row groups handed to the pool and not yet written out, per writer */

/* What a column is; fixed after parquet_writer_begin (read by the workers). */
typedef struct ColumnSpec {
    const char *name;
    LogicalType type;
    int ptype;  /* PQ_* physical type */
    int width;  /* bytes of a fixed-width value (FLBA length for decimals); 0 for strings */
} ColumnSpec;

/* One column's part of a row group: its values, the encoder's reusable
 * state, and the encoded chunk. */
typedef struct ChunkBuf {
    const ColumnSpec *spec;
    const ParquetWriteOptions *opts;
    struct RowGroupBuf *group;
    /* filled by the producer */
    uint8_t *defs;        /* 1 = value, 0 = NULL, one per row */
    size_t cap_defs;
    StrBuf values;        /* PLAIN bytes of the non-NULL values (booleans: one byte each) */
    /* encoder state, kept between row groups for its capacity */
    StrBuf dict;          /* PLAIN-encoded entries */
    uint32_t *dict_off;   /* strings: entry i at dict.data + dict_off[i] (after its length), dict_len[i] bytes */
    uint32_t *dict_len;
    uint32_t ndict, cap_dict;
    uint64_t *slots;      /* hash table: (hash >> 32) << 32 | (entry + 1); 0 = empty */
    uint32_t nslots;
    uint32_t *indices;    /* the page's dictionary indices */
    uint32_t *levels32;   /* the page's definition levels widened for the RLE encoder */
    size_t cap_indices, cap_levels;
    StrBuf body;          /* the page being assembled, uncompressed */
    uint8_t *scratch;     /* compression output */
    size_t scratch_cap;
    /* the encoded chunk */
    StrBuf dict_page;     /* header + compressed dictionary (empty if none) */
    StrBuf pages;         /* headers + compressed data pages */
    StrBuf alt;           /* the other encoding's pages while both are tried */
    int64_t uncompressed; /* headers + uncompressed bodies of all pages */
    int64_t nulls;
    bool used_plain, used_dict;
    bool has_minmax;
    int64_t min_i, max_i;
    double min_d, max_d;
    kiln_int128 min_w, max_w;
    StrBuf min_s, max_s;
    uint64_t memory_at_submit;
} ChunkBuf;

/* A row group being filled, encoded or waiting to be written. */
typedef struct RowGroupBuf {
    int ncols;
    ChunkBuf *chunks;
    int64_t rows;
    uint64_t raw_bytes;            /* values and levels when submitted */
    uint64_t memory;               /* buffer capacities when submitted */
    _Atomic int64_t memory_growth; /* what the encoders added since */
    PqTaskGroup tasks;
    struct RowGroupBuf *next;      /* in the in-flight list */
} RowGroupBuf;

struct ParquetWriter {
    ParquetWriteOptions opts;
    FsWriter *out;
    bool owns_out;          /* opened by parquet_writer_open (committed/aborted here) */
    uint64_t offset;        /* bytes written so far */
    int ncols;
    ColumnSpec *cols;
    RowGroupBuf *current;   /* being filled (NULL: none yet) */
    RowGroupBuf *flight_head, *flight_tail; /* submitted, oldest first */
    int nflight;
    RowGroupBuf *spare;     /* a written row group's buffers, for reuse */
    PqEncodePool *pool;     /* NULL: encode inline */
    bool owns_pool;
    bool failed;            /* a row group failed: every later call returns its error */
    Error failure;
    int64_t rows_accepted;
    int64_t total_rows;     /* in row groups written */
    Arena arena;            /* footer metadata */
    PqRowGroup *groups;
    uint32_t ngroups, cap_groups;
    uint64_t done_compressed; /* row groups written: their bytes */
    uint64_t done_raw;        /* and their raw (buffered) size: the estimate's ratio */
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
    if (opts->pool) {
        w->pool = opts->pool;
    } else if (opts->threads > 1) {
        w->pool = pq_encode_pool_new(opts->threads);
        w->owns_pool = true;
    }
    w->opts.pool = NULL; /* w->pool is the one in use */
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
        ColumnSpec *c = &w->cols[i];
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
            w->ncols = i; /* only the columns set up so far */
            return error_set(err, ERR_SQL, "cannot write column \"%s\" of type %s to Parquet", names[i],
                             type_name(types[i], buf, sizeof buf));
        }
        }
    }
    return true;
}

/* ---- row group buffers ---- */

static RowGroupBuf *group_new(ParquetWriter *w)
{
    RowGroupBuf *g = mem_calloc(1, sizeof *g);
    g->ncols = w->ncols;
    g->chunks = mem_calloc((size_t)w->ncols + 1, sizeof *g->chunks);
    for (int i = 0; i < w->ncols; i++) {
        g->chunks[i].spec = &w->cols[i];
        g->chunks[i].opts = &w->opts;
        g->chunks[i].group = g;
    }
    pq_task_group_init(&g->tasks);
    return g;
}

static void chunk_free(ChunkBuf *c)
{
    mem_free(c->defs);
    strbuf_free(&c->values);
    strbuf_free(&c->dict);
    mem_free(c->dict_off);
    mem_free(c->dict_len);
    mem_free(c->slots);
    mem_free(c->indices);
    mem_free(c->levels32);
    strbuf_free(&c->body);
    mem_free(c->scratch);
    strbuf_free(&c->dict_page);
    strbuf_free(&c->pages);
    strbuf_free(&c->alt);
    strbuf_free(&c->min_s);
    strbuf_free(&c->max_s);
}

static void group_free(RowGroupBuf *g)
{
    if (g == NULL) return;
    for (int i = 0; i < g->ncols; i++) chunk_free(&g->chunks[i]);
    mem_free(g->chunks);
    mem_free(g);
}

/* Heap bytes of a chunk's buffers (at their capacity). */
static uint64_t chunk_memory(const ChunkBuf *c)
{
    return c->cap_defs + c->values.cap + c->dict.cap + (uint64_t)c->cap_dict * 8 + (uint64_t)c->nslots * 8 +
           (c->cap_indices + c->cap_levels) * 4 + c->body.cap + c->scratch_cap + c->dict_page.cap + c->pages.cap + c->alt.cap +
           c->min_s.cap + c->max_s.cap;
}

static uint64_t group_memory(const RowGroupBuf *g)
{
    uint64_t n = sizeof *g + sizeof(ChunkBuf) * (uint64_t)g->ncols;
    for (int i = 0; i < g->ncols; i++) n += chunk_memory(&g->chunks[i]);
    return n;
}

/* Bytes buffered by the producer in g. */
static uint64_t group_raw_bytes(const RowGroupBuf *g)
{
    uint64_t n = 0;
    for (int i = 0; i < g->ncols; i++) n += g->chunks[i].values.len + (uint64_t)g->rows;
    return n;
}

/* The row group to fill: the current one, else the spare, else a new one. */
static RowGroupBuf *current_group(ParquetWriter *w)
{
    if (w->current) return w->current;
    RowGroupBuf *g = w->spare ? w->spare : group_new(w);
    w->spare = NULL;
    g->rows = 0;
    for (int i = 0; i < g->ncols; i++) strbuf_clear(&g->chunks[i].values);
    w->current = g;
    return g;
}

/* ---- appending values (producer) ---- */

/* Big-endian two's complement of v in n bytes. */
static void decimal_to_be(kiln_int128 v, int n, uint8_t *out)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* Append the PLAIN bytes of v[row] (a valid slot) to c->values (room reserved). */
static inline void put_value(ChunkBuf *c, const Vector *v, uint32_t row)
{
    const ColumnSpec *s = c->spec;
    uint8_t *p = (uint8_t *)c->values.data + c->values.len;
    switch (s->type.id) {
    case TYPE_BOOLEAN: p[0] = VEC_DATA(v, uint8_t)[row] ? 1 : 0; c->values.len += 1; return;
    case TYPE_INTEGER:
    case TYPE_DATE: memcpy(p, &VEC_DATA(v, int32_t)[row], 4); c->values.len += 4; return;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: memcpy(p, &VEC_DATA(v, int64_t)[row], 8); c->values.len += 8; return;
    case TYPE_DOUBLE: memcpy(p, &VEC_DATA(v, double)[row], 8); c->values.len += 8; return;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        uint32_t n = k->len; /* room reserved by append_column */
        p[0] = (uint8_t)n, p[1] = (uint8_t)(n >> 8), p[2] = (uint8_t)(n >> 16), p[3] = (uint8_t)(n >> 24);
        memcpy(p + 4, kstring_data(k), n);
        c->values.len += 4 + (size_t)n;
        return;
    }
    case TYPE_DECIMAL:
        if (s->ptype == PQ_FIXED) {
            kiln_int128 x = type_is_decimal128(s->type) ? VEC_DATA(v, kiln_int128)[row] : VEC_DATA(v, int64_t)[row];
            decimal_to_be(x, s->width, p);
            c->values.len += (size_t)s->width;
        } else if (s->ptype == PQ_INT32) {
            int32_t y = (int32_t)VEC_DATA(v, int64_t)[row];
            memcpy(p, &y, 4);
            c->values.len += 4;
        } else {
            memcpy(p, &VEC_DATA(v, int64_t)[row], 8);
            c->values.len += 8;
        }
        return;
    default: return;
    }
}

/* Append rows [from, from + n) of batch column v to chunk c of a group holding `at` rows. */
static void append_column(ChunkBuf *c, const Vector *v, const Batch *b, uint32_t from, uint32_t n, int64_t at)
{
    size_t need = (size_t)at + n;
    if (need > c->cap_defs) {
        size_t cap = c->cap_defs ? c->cap_defs : 4096;
        while (cap < need) cap *= 2;
        c->defs = mem_realloc(c->defs, cap);
        c->cap_defs = cap;
    }
    uint8_t *defs = c->defs + at;
    const ColumnSpec *s = c->spec;
    int width = s->ptype == PQ_BYTE_ARRAY ? 0 : s->width;
    if (width) strbuf_reserve(&c->values, (size_t)width * n);
    if (s->ptype == PQ_BYTE_ARRAY) {
        /* strings: room for all of them at once */
        size_t bytes = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = batch_row(b, from + i);
            if (vector_is_valid(v, row)) bytes += 4 + (size_t)VEC_DATA(v, KString)[row].len; /* a NULL slot's length is junk */
        }
        strbuf_reserve(&c->values, bytes);
    }
    if (b->sel == NULL && v->validity == NULL) {
        memset(defs, 1, n);
        /* the common case: values as they are in the vector */
        if (s->type.id == TYPE_INTEGER || s->type.id == TYPE_DATE || s->type.id == TYPE_BIGINT ||
            s->type.id == TYPE_TIMESTAMP || s->type.id == TYPE_DOUBLE ||
            (s->type.id == TYPE_DECIMAL && s->ptype == PQ_INT64 && !type_is_decimal128(s->type))) {
            memcpy(c->values.data + c->values.len, (const uint8_t *)v->data + (size_t)from * (size_t)width,
                   (size_t)width * n);
            c->values.len += (size_t)width * n;
            return;
        }
        for (uint32_t i = from; i < from + n; i++) put_value(c, v, i);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = batch_row(b, from + i);
        bool valid = vector_is_valid(v, row);
        defs[i] = valid;
        if (valid) put_value(c, v, row);
    }
}

/* ---- statistics (encoder) ---- */

static void stats_int(ChunkBuf *c, int64_t v)
{
    if (!c->has_minmax) c->min_i = c->max_i = v, c->has_minmax = true;
    else if (v < c->min_i) c->min_i = v;
    else if (v > c->max_i) c->max_i = v;
}

static void stats_double(ChunkBuf *c, double v)
{
    if (isnan(v)) return; /* NaN never bounds: readers ignore such statistics */
    if (!c->has_minmax) c->min_d = c->max_d = v, c->has_minmax = true;
    else if (v < c->min_d) c->min_d = v;
    else if (v > c->max_d) c->max_d = v;
}

static void stats_wide(ChunkBuf *c, kiln_int128 v)
{
    if (!c->has_minmax) c->min_w = c->max_w = v, c->has_minmax = true;
    else if (v < c->min_w) c->min_w = v;
    else if (v > c->max_w) c->max_w = v;
}

/* Unsigned bytewise order (Parquet's for UTF8). */
static int bytes_compare(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    int r = memcmp(a, b, na < nb ? na : nb);
    if (r) return r;
    return na < nb ? -1 : na > nb;
}

static void stats_string(ChunkBuf *c, const uint8_t *s, uint32_t n)
{
    if (!c->has_minmax) {
        strbuf_append(&c->min_s, (const char *)s, n);
        strbuf_append(&c->max_s, (const char *)s, n);
        c->has_minmax = true;
        return;
    }
    if (bytes_compare(s, n, (const uint8_t *)c->min_s.data, c->min_s.len) < 0) {
        strbuf_clear(&c->min_s);
        strbuf_append(&c->min_s, (const char *)s, n);
    } else if (bytes_compare(s, n, (const uint8_t *)c->max_s.data, c->max_s.len) > 0) {
        strbuf_clear(&c->max_s);
        strbuf_append(&c->max_s, (const char *)s, n);
    }
}

/* Count a value (its PLAIN bytes, strings without the length) in the statistics. */
static void stats_value(ChunkBuf *c, const uint8_t *p, uint32_t n)
{
    switch (c->spec->ptype) {
    case PQ_BOOLEAN: stats_int(c, p[0]); return;
    case PQ_INT32: {
        int32_t x;
        memcpy(&x, p, 4);
        stats_int(c, x);
        return;
    }
    case PQ_INT64: {
        int64_t x;
        memcpy(&x, p, 8);
        stats_int(c, x);
        return;
    }
    case PQ_DOUBLE: {
        double x;
        memcpy(&x, p, 8);
        stats_double(c, x);
        return;
    }
    case PQ_FIXED: {
        kiln_int128 x = (int8_t)p[0]; /* sign-extended big-endian */
        for (uint32_t i = 1; i < n; i++) x = x * 256 + p[i];
        stats_wide(c, x);
        return;
    }
    default: stats_string(c, p, n); return;
    }
}

/* ---- dictionary (encoder) ---- */

/* A fixed-width value's hash: a multiply spreads its bits over the whole word. */
static inline uint64_t hash_fixed(uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

static uint64_t entry_hash(const ChunkBuf *c, uint32_t e)
{
    if (c->spec->ptype == PQ_BYTE_ARRAY) return XXH3_64bits(c->dict.data + c->dict_off[e], c->dict_len[e]);
    int width = c->spec->width;
    if (width <= 8) {
        uint64_t key = 0;
        memcpy(&key, c->dict.data + (size_t)e * (size_t)width, (size_t)width);
        return hash_fixed(key);
    }
    return XXH3_64bits(c->dict.data + (size_t)e * (size_t)width, (size_t)width);
}

static void dict_grow_table(ChunkBuf *c)
{
    uint32_t n = c->nslots ? c->nslots * 2 : 1024;
    uint64_t *slots = mem_calloc(n, sizeof *slots);
    for (uint32_t e = 0; e < c->ndict; e++) {
        uint64_t h = entry_hash(c, e);
        uint32_t s = (uint32_t)h & (n - 1);
        while (slots[s]) s = (s + 1) & (n - 1);
        slots[s] = (h >> 32) << 32 | (e + 1);
    }
    mem_free(c->slots);
    c->slots = slots;
    c->nslots = n;
}

static void dict_reserve_entry(ChunkBuf *c)
{
    if (c->ndict < c->cap_dict) return;
    c->cap_dict = c->cap_dict ? c->cap_dict * 2 : 256;
    c->dict_off = mem_realloc(c->dict_off, sizeof(uint32_t) * c->cap_dict);
    c->dict_len = mem_realloc(c->dict_len, sizeof(uint32_t) * c->cap_dict);
}

/* The entry number of a fixed-width value (width <= 8, bytes at p), adding
 * it if new.  Always inlined so that callers with a constant width get
 * plain loads instead of memcpy calls. */
static inline __attribute__((always_inline)) uint32_t dict_lookup_fixed(ChunkBuf *c, const uint8_t *p, int width)
{
    if ((uint64_t)(c->ndict + 1) * 2 > c->nslots) dict_grow_table(c);
    uint64_t key = 0;
    memcpy(&key, p, (size_t)width);
    uint64_t h = hash_fixed(key);
    uint64_t tag = (h >> 32) << 32;
    uint32_t mask = c->nslots - 1, s = (uint32_t)h & mask;
    for (;;) {
        uint64_t slot = c->slots[s];
        if (slot == 0) break;
        if ((slot & ~0xffffffffull) == tag) {
            uint32_t e = (uint32_t)slot - 1;
            uint64_t have = 0;
            memcpy(&have, c->dict.data + (size_t)e * (size_t)width, (size_t)width);
            if (have == key) return e;
        }
        s = (s + 1) & mask;
    }
    dict_reserve_entry(c);
    strbuf_append(&c->dict, (const char *)p, (size_t)width);
    stats_value(c, p, (uint32_t)width);
    c->slots[s] = tag | (c->ndict + 1);
    return c->ndict++;
}

/* The entry number of a string or wide value, adding it if new. */
static uint32_t dict_lookup_bytes(ChunkBuf *c, const uint8_t *p, uint32_t n)
{
    if ((uint64_t)(c->ndict + 1) * 2 > c->nslots) dict_grow_table(c);
    bool strings = c->spec->ptype == PQ_BYTE_ARRAY;
    uint64_t h = XXH3_64bits(p, n);
    uint64_t tag = (h >> 32) << 32;
    uint32_t mask = c->nslots - 1, s = (uint32_t)h & mask;
    for (;;) {
        uint64_t slot = c->slots[s];
        if (slot == 0) break;
        if ((slot & ~0xffffffffull) == tag) {
            uint32_t e = (uint32_t)slot - 1;
            const char *have = strings ? c->dict.data + c->dict_off[e] : c->dict.data + (size_t)e * n;
            if ((!strings || c->dict_len[e] == n) && memcmp(have, p, n) == 0) return e;
        }
        s = (s + 1) & mask;
    }
    dict_reserve_entry(c);
    if (strings) {
        uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
        strbuf_append(&c->dict, (const char *)len, 4);
        c->dict_off[c->ndict] = (uint32_t)c->dict.len;
        c->dict_len[c->ndict] = n;
    }
    strbuf_append(&c->dict, (const char *)p, n);
    stats_value(c, p, n);
    c->slots[s] = tag | (c->ndict + 1);
    return c->ndict++;
}

/* ---- pages (encoder) ---- */

/* Compress body and append header + compressed body to dst. */
static bool emit_page(ChunkBuf *c, StrBuf *dst, PqPageHeader *h, const uint8_t *body, size_t n, Error *err)
{
    if (n > INT32_MAX) return error_set(err, ERR_DATA, "Parquet page of %zu bytes is too large", n);
    int codec = c->opts->codec;
    size_t bound = pq_compress_bound(codec, n) + 1;
    if (bound > c->scratch_cap) {
        mem_free(c->scratch);
        c->scratch = mem_alloc(bound);
        c->scratch_cap = bound;
    }
    size_t clen;
    if (!pq_compress(codec, c->opts->level, body, n, c->scratch, &clen, err)) return false;
    h->uncompressed_size = (int32_t)n;
    h->compressed_size = (int32_t)clen;
    TcWriter tw;
    tc_writer_init(&tw);
    pq_encode_page_header(&tw, h);
    strbuf_append(dst, (const char *)tw.data, tw.len);
    c->uncompressed += (int64_t)(tw.len + n);
    tc_writer_free(&tw);
    strbuf_append(dst, (const char *)c->scratch, clen);
    return true;
}

static void put_le32(StrBuf *sb, size_t at, uint32_t v)
{
    uint8_t *p = (uint8_t *)sb->data + at;
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Append the definition levels of rows [from, to) as a 4-byte length and
 * an RLE/bit-packed hybrid of bit width 1. */
static void encode_levels(ChunkBuf *c, size_t from, size_t to)
{
    size_t n = to - from;
    StrBuf *b = &c->body;
    size_t at = b->len;
    strbuf_append(b, "\0\0\0\0", 4);
    if (n >= 8 && memchr(c->defs + from, 0, n) == NULL) {
        /* no NULL: one RLE run of 1s (what pq_rle_encode writes for it) */
        uint64_t h = (uint64_t)n << 1;
        while (h >= 0x80) {
            strbuf_putc(b, (char)(h | 0x80));
            h >>= 7;
        }
        strbuf_putc(b, (char)h);
        strbuf_putc(b, 1);
    } else {
        if (n > c->cap_levels) {
            mem_free(c->levels32);
            c->levels32 = mem_alloc(sizeof(uint32_t) * n);
            c->cap_levels = n;
        }
        for (size_t i = 0; i < n; i++) c->levels32[i] = c->defs[from + i];
        pq_rle_encode(b, c->levels32, n, 1);
    }
    put_le32(b, at, (uint32_t)(b->len - at - 4));
}

/* Finish the data page of rows [from, to): nvalues values, either
 * dictionary indices or the PLAIN bytes values[plain_from, plain_to). */
static bool flush_page(ChunkBuf *c, size_t from, size_t to, bool is_dict, size_t nvalues, size_t plain_from,
                       size_t plain_to, Error *err)
{
    if (to == from) return true;
    strbuf_clear(&c->body);
    encode_levels(c, from, to);
    PqPageHeader h;
    memset(&h, 0, sizeof h);
    h.type = PQ_PAGE_DATA;
    h.num_values = (int32_t)(to - from);
    h.def_encoding = PQ_ENC_RLE;
    h.rep_encoding = PQ_ENC_RLE;
    if (is_dict) {
        int bw = pq_bit_width(c->ndict > 0 ? c->ndict - 1 : 0);
        strbuf_putc(&c->body, (char)bw);
        pq_rle_encode(&c->body, c->indices, nvalues, bw);
        h.encoding = PQ_ENC_RLE_DICTIONARY;
        c->used_dict = true;
    } else if (c->spec->ptype == PQ_BOOLEAN) {
        size_t nbytes = (nvalues + 7) / 8;
        strbuf_reserve(&c->body, nbytes);
        uint8_t *out = (uint8_t *)c->body.data + c->body.len;
        memset(out, 0, nbytes);
        const uint8_t *in = (const uint8_t *)c->values.data + plain_from;
        for (size_t i = 0; i < nvalues; i++)
            if (in[i]) out[i / 8] |= (uint8_t)(1u << (i % 8));
        c->body.len += nbytes;
        h.encoding = PQ_ENC_PLAIN;
        c->used_plain = true;
    } else {
        strbuf_append(&c->body, c->values.data + plain_from, plain_to - plain_from);
        h.encoding = PQ_ENC_PLAIN;
        c->used_plain = true;
    }
    return emit_page(c, &c->pages, &h, (const uint8_t *)c->body.data, c->body.len, err);
}

/* The whole chunk as PLAIN pages (statistics already known). */
static bool encode_plain_pages(ChunkBuf *c, size_t rows, Error *err)
{
    int width = c->spec->ptype == PQ_BYTE_ARRAY ? 0 : c->spec->width;
    const uint8_t *values = (const uint8_t *)c->values.data;
    size_t pos = 0, page_pos = 0, page_values = 0, page_from = 0;
    for (size_t r = 0; r < rows; r++) {
        if (!c->defs[r]) continue;
        if (width) pos += (size_t)width;
        else pos += 4 + ((size_t)values[pos] | (size_t)values[pos + 1] << 8 | (size_t)values[pos + 2] << 16 |
                         (size_t)values[pos + 3] << 24);
        page_values++;
        if ((int64_t)(pos - page_pos) >= c->opts->page_bytes) {
            if (!flush_page(c, page_from, r + 1, false, page_values, page_pos, pos, err)) return false;
            page_from = r + 1, page_pos = pos, page_values = 0;
        }
    }
    return flush_page(c, page_from, rows, false, page_values, page_pos, pos, err);
}

/* A dictionary-encoded chunk with many distinct values may compress better
 * PLAIN (increasing keys, prices, free text: bit-packed indices defeat the
 * codec); such a chunk is encoded both ways and the smaller kept. */
#define TRY_PLAIN_MIN_VALUES 1024 /* fewer values: too small to matter */
#define UNIQUE_SAMPLE 4096        /* over 90% of the first this many values distinct: PLAIN at once */
#define TRY_PLAIN_DISTINCT 10     /* try when more than 1 value in this many is distinct */

static bool keep_smaller_encoding(ChunkBuf *c, size_t rows, Error *err)
{
    uint64_t nvalues = rows - (uint64_t)c->nulls;
    if (!c->used_dict || c->used_plain || nvalues < TRY_PLAIN_MIN_VALUES ||
        (uint64_t)c->ndict * TRY_PLAIN_DISTINCT <= nvalues)
        return true;
    StrBuf dict_pages = c->pages;
    int64_t dict_uncompressed = c->uncompressed;
    c->pages = c->alt;
    strbuf_clear(&c->pages);
    c->uncompressed = 0;
    bool ok = encode_plain_pages(c, rows, err);
    if (ok && c->pages.len < dict_pages.len + c->dict_page.len) {
        c->alt = dict_pages;
        strbuf_clear(&c->dict_page);
        c->used_dict = false;
    } else {
        c->alt = c->pages;
        c->pages = dict_pages;
        c->uncompressed = dict_uncompressed;
        c->used_plain = false;
    }
    return ok;
}

/* Encode a row group's column chunk (a pool task; touches only c and what
 * is read-only in the writer). */
static bool encode_chunk(void *arg, Error *err)
{
    ChunkBuf *c = arg;
    const ColumnSpec *s = c->spec;
    const ParquetWriteOptions *o = c->opts;
    uint64_t memory_before = chunk_memory(c);
    int64_t rows = c->group->rows;
    /* reset the outputs and the dictionary */
    strbuf_clear(&c->dict_page);
    strbuf_clear(&c->pages);
    strbuf_clear(&c->dict);
    strbuf_clear(&c->min_s);
    strbuf_clear(&c->max_s);
    c->ndict = 0;
    if (c->slots) memset(c->slots, 0, sizeof(uint64_t) * c->nslots);
    c->uncompressed = 0;
    c->nulls = 0;
    c->used_plain = c->used_dict = false;
    c->has_minmax = false;
    bool dict = o->dictionary && s->ptype != PQ_BOOLEAN;
    int width = s->ptype == PQ_BYTE_ARRAY ? 0 : s->width;
    if (dict) {
        /* a dictionary page never holds more indices than page_bytes / 4 + 1 */
        size_t need = (size_t)(o->page_bytes / 4 + 2);
        if ((size_t)rows + 1 < need) need = (size_t)rows + 1;
        if (need > c->cap_indices) {
            mem_free(c->indices);
            c->indices = mem_alloc(sizeof(uint32_t) * need);
            c->cap_indices = need;
        }
    }
    const uint8_t *values = (const uint8_t *)c->values.data;
    size_t pos, page_pos, page_values, page_from, seen;
    bool ok = true;
restart:
    pos = page_pos = page_values = page_from = seen = 0;
    for (size_t r = 0; r < (size_t)rows && ok; r++) {
        if (!c->defs[r]) {
            c->nulls++;
            continue;
        }
        seen++;
        const uint8_t *p;
        uint32_t n;
        if (width) {
            p = values + pos;
            n = (uint32_t)width;
            pos += (size_t)width;
        } else {
            n = (uint32_t)values[pos] | (uint32_t)values[pos + 1] << 8 | (uint32_t)values[pos + 2] << 16 |
                (uint32_t)values[pos + 3] << 24;
            p = values + pos + 4;
            pos += 4 + (size_t)n;
        }
        page_values++;
        size_t page_size;
        if (dict) {
            uint32_t e;
            if (width == 4) e = dict_lookup_fixed(c, p, 4);
            else if (width == 8) e = dict_lookup_fixed(c, p, 8);
            else if (width > 0 && width < 8) e = dict_lookup_fixed(c, p, width);
            else e = dict_lookup_bytes(c, p, n);
            c->indices[page_values - 1] = e;
            if (seen == UNIQUE_SAMPLE && (uint64_t)c->ndict * 10 > UNIQUE_SAMPLE * 9 && c->pages.len == 0) {
                /* nearly every value distinct: PLAIN from the start, no dictionary */
                dict = false;
                strbuf_clear(&c->dict);
                strbuf_clear(&c->min_s);
                strbuf_clear(&c->max_s);
                c->ndict = 0;
                c->nulls = 0;
                c->has_minmax = false;
                goto restart;
            }
            if ((int64_t)c->dict.len > o->dictionary_bytes) {
                /* the dictionary is too big: finish this page, go PLAIN for the rest of the chunk */
                ok = flush_page(c, page_from, r + 1, true, page_values, 0, 0, err);
                dict = false;
                page_from = r + 1, page_pos = pos, page_values = 0;
                continue;
            }
            page_size = page_values * 4;
        } else {
            stats_value(c, p, n);
            page_size = pos - page_pos;
        }
        if ((int64_t)page_size >= o->page_bytes) {
            ok = flush_page(c, page_from, r + 1, dict, page_values, page_pos, pos, err);
            page_from = r + 1, page_pos = pos, page_values = 0;
        }
    }
    if (ok) ok = flush_page(c, page_from, (size_t)rows, dict, page_values, page_pos, pos, err);
    if (ok && c->used_dict) {
        PqPageHeader h;
        memset(&h, 0, sizeof h);
        h.type = PQ_PAGE_DICTIONARY;
        h.num_values = (int32_t)c->ndict;
        h.encoding = PQ_ENC_PLAIN;
        ok = emit_page(c, &c->dict_page, &h, (const uint8_t *)(c->dict.data ? c->dict.data : ""), c->dict.len, err);
    }
    if (ok) ok = keep_smaller_encoding(c, (size_t)rows, err);
    atomic_fetch_add(&c->group->memory_growth, (int64_t)chunk_memory(c) - (int64_t)memory_before);
    return ok;
}

/* ---- writing row groups out (producer) ---- */

static bool write_out(ParquetWriter *w, const void *p, size_t n, Error *err)
{
    if (n == 0) return true;
    if (!fs_writer_write(w->out, p, n, err)) return false;
    w->offset += n;
    return true;
}

/* The statistics of a chunk as PLAIN bytes in the footer arena. */
static void chunk_statistics(ParquetWriter *w, const ChunkBuf *c, PqStatistics *st)
{
    const ColumnSpec *s = c->spec;
    memset(st, 0, sizeof *st);
    st->has_null_count = true;
    st->null_count = c->nulls;
    if (!c->has_minmax) return;
    uint8_t *mn, *mx;
    uint32_t n = (uint32_t)s->width;
    if (s->type.id == TYPE_VARCHAR) {
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
    if (s->ptype == PQ_DOUBLE) {
        memcpy(mn, &c->min_d, 8);
        memcpy(mx, &c->max_d, 8);
    } else if (s->ptype == PQ_FIXED) {
        decimal_to_be(c->min_w, s->width, mn);
        decimal_to_be(c->max_w, s->width, mx);
    } else if (s->ptype == PQ_INT32) {
        int32_t a = (int32_t)c->min_i, b = (int32_t)c->max_i;
        memcpy(mn, &a, 4);
        memcpy(mx, &b, 4);
    } else if (s->ptype == PQ_BOOLEAN) {
        mn[0] = (uint8_t)c->min_i;
        mx[0] = (uint8_t)c->max_i;
    } else {
        memcpy(mn, &c->min_i, 8);
        memcpy(mx, &c->max_i, 8);
    }
    st->min_value = (PqBytes){mn, n};
    st->max_value = (PqBytes){mx, n};
    /* the deprecated fields as well, for old readers: same (signed) order for these types */
    if (s->ptype != PQ_FIXED) {
        st->min = st->min_value;
        st->max = st->max_value;
    }
}

/* Write an encoded row group and record it for the footer. */
static bool write_group(ParquetWriter *w, RowGroupBuf *rg, Error *err)
{
    if (w->ngroups == w->cap_groups) {
        w->cap_groups = w->cap_groups ? w->cap_groups * 2 : 8;
        w->groups = mem_realloc(w->groups, sizeof *w->groups * w->cap_groups);
    }
    PqRowGroup *g = &w->groups[w->ngroups];
    memset(g, 0, sizeof *g);
    g->ncolumns = (uint32_t)w->ncols;
    g->columns = arena_calloc(&w->arena, sizeof *g->columns * ((size_t)w->ncols + 1));
    g->num_rows = rg->rows;
    g->has_file_offset = true;
    g->file_offset = (int64_t)w->offset;
    int64_t rg_compressed = 0;
    for (int i = 0; i < w->ncols; i++) {
        const ChunkBuf *c = &rg->chunks[i];
        PqColumnChunk *cc = &g->columns[i];
        PqColumnMeta *m = &cc->meta;
        cc->has_meta = true;
        m->type = c->spec->ptype;
        m->codec = w->opts.codec;
        m->num_values = rg->rows;
        m->path = arena_calloc(&w->arena, sizeof(char *) * 2);
        m->path[0] = c->spec->name;
        m->npath = 1;
        m->encodings = arena_calloc(&w->arena, sizeof(int) * 4);
        m->encodings[m->nencodings++] = PQ_ENC_RLE;
        if (c->used_plain || c->used_dict) m->encodings[m->nencodings++] = PQ_ENC_PLAIN;
        if (c->used_dict) m->encodings[m->nencodings++] = PQ_ENC_RLE_DICTIONARY;
        uint64_t start = w->offset;
        if (c->used_dict) {
            m->has_dictionary_page_offset = true;
            m->dictionary_page_offset = (int64_t)start;
            if (!write_out(w, c->dict_page.data, c->dict_page.len, err)) return false;
        }
        m->data_page_offset = (int64_t)w->offset;
        if (!write_out(w, c->pages.data, c->pages.len, err)) return false;
        m->total_compressed_size = (int64_t)(w->offset - start);
        m->total_uncompressed_size = c->uncompressed;
        cc->file_offset = (int64_t)start;
        m->has_statistics = true;
        chunk_statistics(w, c, &m->statistics);
        g->total_byte_size += m->total_uncompressed_size;
        rg_compressed += m->total_compressed_size;
    }
    g->has_total_compressed_size = true;
    g->total_compressed_size = rg_compressed;
    w->ngroups++;
    w->total_rows += rg->rows;
    w->done_compressed += (uint64_t)rg_compressed;
    w->done_raw += rg->raw_bytes;
    return true;
}

/* Remember the error: the row group cannot be written, nor any after it. */
static bool fail(ParquetWriter *w, Error *err)
{
    w->failed = true;
    if (err) w->failure = *err;
    return false;
}

/* False with the earlier failure's error if there was one. */
static bool check_failed(const ParquetWriter *w, Error *err)
{
    if (!w->failed) return true;
    if (err) *err = w->failure;
    return false;
}

/* Write out the finished row groups at the head of the in-flight list,
 * oldest first; wait for the oldest while more than max are in flight. */
static bool drain(ParquetWriter *w, int max, Error *err)
{
    while (w->flight_head) {
        RowGroupBuf *rg = w->flight_head;
        if (w->pool) {
            if (w->nflight <= max && !pq_task_group_finished(w->pool, &rg->tasks)) break;
            if (!pq_task_group_wait(w->pool, &rg->tasks, err)) return fail(w, err);
        }
        if (!write_group(w, rg, err)) return fail(w, err);
        w->flight_head = rg->next;
        if (w->flight_head == NULL) w->flight_tail = NULL;
        w->nflight--;
        rg->next = NULL;
        if (w->spare == NULL) w->spare = rg;
        else group_free(rg);
    }
    return true;
}

/* Hand the row group being filled to the encoders. */
static bool submit_current(ParquetWriter *w, Error *err)
{
    RowGroupBuf *rg = w->current;
    if (!check_failed(w, err)) return false;
    if (rg == NULL || rg->rows == 0) return true;
    w->current = NULL;
    rg->raw_bytes = group_raw_bytes(rg);
    rg->memory = group_memory(rg);
    atomic_store(&rg->memory_growth, 0);
    pq_task_group_init(&rg->tasks);
    if (w->flight_tail) w->flight_tail->next = rg;
    else w->flight_head = rg;
    w->flight_tail = rg;
    w->nflight++;
    for (int i = 0; i < rg->ncols; i++) {
        if (w->pool) pq_encode_pool_submit(w->pool, &rg->tasks, encode_chunk, &rg->chunks[i]);
        else if (!encode_chunk(&rg->chunks[i], err)) return fail(w, err);
    }
    return true;
}

bool parquet_writer_write_batch(ParquetWriter *w, const Batch *b, Error *err)
{
    if (!check_failed(w, err)) return false;
    uint32_t done = 0;
    while (done < b->count) {
        RowGroupBuf *rg = current_group(w);
        int64_t room = w->opts.row_group_rows - rg->rows;
        uint32_t n = b->count - done;
        if ((int64_t)n > room) n = (uint32_t)room;
        for (int i = 0; i < w->ncols; i++) append_column(&rg->chunks[i], b->cols[i], b, done, n, rg->rows);
        rg->rows += n;
        w->rows_accepted += n;
        done += n;
        if (rg->rows >= w->opts.row_group_rows || group_raw_bytes(rg) >= (uint64_t)w->opts.row_group_bytes) {
            if (!submit_current(w, err) || !drain(w, MAX_IN_FLIGHT, err)) return false;
        }
    }
    return true;
}

/* Cancel and free every row group (abort, or after a failure). */
static void free_groups(ParquetWriter *w)
{
    while (w->flight_head) {
        RowGroupBuf *rg = w->flight_head;
        if (w->pool) pq_task_group_cancel(w->pool, &rg->tasks);
        w->flight_head = rg->next;
        group_free(rg);
    }
    w->flight_tail = NULL;
    w->nflight = 0;
    group_free(w->current);
    group_free(w->spare);
    w->current = w->spare = NULL;
}

static void free_writer(ParquetWriter *w)
{
    free_groups(w);
    if (w->owns_pool) pq_encode_pool_free(w->pool);
    mem_free(w->cols);
    mem_free(w->groups);
    arena_destroy(&w->arena);
    mem_free(w);
}

static void schema_element(const ColumnSpec *c, PqSchemaElement *e)
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

/* Write every row group and the footer; false on failure. */
static bool write_footer(ParquetWriter *w, Error *err)
{
    if (!submit_current(w, err) || !drain(w, 0, err)) return false;
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
    free_writer(w);
    return ok;
}

bool parquet_writer_finish(ParquetWriter *w, Error *err)
{
    bool ok = write_footer(w, err);
    if (!ok && w->owns_out) fs_writer_abort(w->out);
    w->out = NULL;
    free_writer(w);
    return ok;
}

void parquet_writer_abort(ParquetWriter *w)
{
    if (w == NULL) return;
    free_groups(w); /* the encoders stop touching the buffers before the output goes */
    if (w->owns_out) fs_writer_abort(w->out);
    free_writer(w);
}

bool parquet_writer_submit(ParquetWriter *w, Error *err)
{
    return submit_current(w, err) && drain(w, MAX_IN_FLIGHT, err);
}

bool parquet_writer_flush(ParquetWriter *w, Error *err)
{
    if (!submit_current(w, err) || !drain(w, 0, err)) return false;
    group_free(w->spare);
    w->spare = NULL;
    return true;
}

uint64_t parquet_writer_memory(const ParquetWriter *w)
{
    uint64_t n = sizeof *w + sizeof(PqRowGroup) * w->cap_groups + sizeof(ColumnSpec) * (uint64_t)w->ncols;
    if (w->current) n += group_memory(w->current);
    if (w->spare) n += group_memory(w->spare);
    for (const RowGroupBuf *rg = w->flight_head; rg; rg = rg->next) {
        int64_t growth = atomic_load(&((RowGroupBuf *)rg)->memory_growth);
        n += (uint64_t)((int64_t)rg->memory + growth);
    }
    return n;
}

uint64_t parquet_writer_estimated_size(const ParquetWriter *w)
{
    /* written bytes, and the buffered row groups' raw bytes at the
     * compression ratio of the row groups written so far */
    uint64_t raw = w->current ? group_raw_bytes(w->current) : 0;
    for (const RowGroupBuf *rg = w->flight_head; rg; rg = rg->next) raw += rg->raw_bytes;
    double ratio = w->done_raw > 0 ? (double)w->done_compressed / (double)w->done_raw : 1.0;
    if (ratio > 1.0) ratio = 1.0;
    return w->offset + (uint64_t)((double)raw * ratio);
}

uint64_t parquet_writer_written_bytes(const ParquetWriter *w)
{
    return w->offset;
}

uint64_t parquet_writer_rows(const ParquetWriter *w)
{
    return (uint64_t)w->rows_accepted;
}
