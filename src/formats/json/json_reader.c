/* json_reader: JSON files into batches (see json_reader.h for the rules).
 *
 * How: a JsonSource reads a file through io/decompress into one buffer and
 * hands out records: a line (newline-delimited files) or the extent of the
 * next array element, found by json_scan_value (array files).  A record is
 * parsed once, left to right, by walking the schema's key tree: each
 * object key is looked up among the node's children (first the child after
 * the previous match, since keys usually come in the same order, then a
 * hash table); a leaf converts its value straight into its column's vector,
 * an expanded (flattened) object recurses, and unknown keys are scanned
 * without being kept.  Before a record every projected column of its row
 * is set NULL, so missing keys need nothing; a record that fails is simply
 * not counted (its row is overwritten by the next), so ignore_errors needs
 * no undo.  Inference walks the sample records the same way, growing the
 * key tree and recording which kinds of values each key had.
 * Memory: the source buffer (bounded by max_line_size), the batch, the key
 * tree, and a scratch buffer for unescaped text. */
#include "formats/json/json_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/json/json_text.h"
#include "io/decompress.h"
#include "io/fs.h"
#include "types/cast.h"
#include "types/datetime.h"
#include "types/vector.h"

/* ---- the key tree ---------------------------------------------------- */

enum {
    SEEN_NULL = 1 << 0,
    SEEN_BOOL = 1 << 1,
    SEEN_INT = 1 << 2,
    SEEN_FLOAT = 1 << 3,
    SEEN_STRING = 1 << 4,
    SEEN_OBJECT = 1 << 5,
    SEEN_ARRAY = 1 << 6,
};

typedef struct KeyNode {
    char *key;               /* this level's key (owned) */
    uint32_t key_len;
    struct KeyNode **children;
    int nchildren, cap_children;
    uint32_t *slots;         /* hash of children: index + 1, 0 = empty */
    uint32_t nslots;
    int column;              /* schema column of a leaf, -1 if none */
    bool expanded;           /* an object whose keys are columns */
    unsigned seen;           /* inference: SEEN_* */
    bool all_dates, all_timestamps;
} KeyNode;

static uint32_t hash_key(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static KeyNode *node_new(const char *key, uint32_t n)
{
    KeyNode *k = mem_calloc(1, sizeof *k);
    k->key = mem_strndup(key, n);
    k->key_len = n;
    k->column = -1;
    k->all_dates = k->all_timestamps = true;
    return k;
}

static void node_free(KeyNode *k)
{
    if (k == NULL) return;
    for (int i = 0; i < k->nchildren; i++) node_free(k->children[i]);
    mem_free(k->children);
    mem_free(k->slots);
    mem_free(k->key);
    mem_free(k);
}

static void rehash(KeyNode *k)
{
    uint32_t n = 16;
    while (n < (uint32_t)k->nchildren * 2) n *= 2;
    mem_free(k->slots);
    k->slots = mem_calloc(n, sizeof *k->slots);
    k->nslots = n;
    for (int i = 0; i < k->nchildren; i++) {
        uint32_t h = hash_key(k->children[i]->key, k->children[i]->key_len) & (n - 1);
        while (k->slots[h]) h = (h + 1) & (n - 1);
        k->slots[h] = (uint32_t)i + 1;
    }
}

/* Child of k named [s, s+n), or -1; `hint` is tried first. */
static int node_find(const KeyNode *k, const char *s, uint32_t n, int hint)
{
    if (hint >= 0 && hint < k->nchildren) {
        const KeyNode *c = k->children[hint];
        if (c->key_len == n && memcmp(c->key, s, n) == 0) return hint;
    }
    if (k->nslots == 0) return -1;
    uint32_t h = hash_key(s, n) & (k->nslots - 1);
    while (k->slots[h]) {
        const KeyNode *c = k->children[k->slots[h] - 1];
        if (c->key_len == n && memcmp(c->key, s, n) == 0) return (int)k->slots[h] - 1;
        h = (h + 1) & (k->nslots - 1);
    }
    return -1;
}

static KeyNode *node_add(KeyNode *k, const char *s, uint32_t n)
{
    if (k->nchildren == k->cap_children) {
        k->cap_children = k->cap_children ? k->cap_children * 2 : 8;
        k->children = mem_realloc(k->children, (size_t)k->cap_children * sizeof *k->children);
    }
    KeyNode *c = node_new(s, n);
    k->children[k->nchildren++] = c;
    if ((uint32_t)k->nchildren * 2 > k->nslots) rehash(k);
    else {
        uint32_t h = hash_key(s, n) & (k->nslots - 1);
        while (k->slots[h]) h = (h + 1) & (k->nslots - 1);
        k->slots[h] = (uint32_t)k->nchildren;
    }
    return c;
}

/* ---- the record source ----------------------------------------------- */

enum { ARRAY_START, ARRAY_FIRST, ARRAY_AFTER_VALUE, ARRAY_AFTER_COMMA, ARRAY_DONE };

/* source_next's results besides 1 (a record) and 0 (the end): -1 is the
 * file's failure (I/O, corrupt compressed data), never skipped; -2 is a
 * record's fault (err set, s->rec its raw bytes), which ignore_errors and
 * on_reject may skip; after one in an array file nothing more is read. */
enum { SOURCE_FAILED = -1, SOURCE_BAD_RECORD = -2 };

/* A byte range of an uncompressed file, or lines already in memory
 * (data: the piece [start, end) of the file's decompressed content) for
 * parallel scans. */
typedef struct SourceRange {
    uint64_t start, end;
    int64_t first_line;
    const char *data;  /* NULL: read [start, end) of the file */
} SourceRange;

typedef struct JsonSource {
    const char *path;
    Decompressor *dec;      /* a whole file */
    FsFile *file;           /* or a byte range of it, read with pread */
    bool borrowed;          /* or lines in memory: buf is the caller's, never refilled */
    uint64_t range_start, range_next, range_end;
    char *buf;
    size_t cap, len, pos;
    uint64_t buf_offset;    /* offset in the (decompressed) data of buf[0] */
    bool eof;
    int64_t line;           /* line at pos */
    size_t max_record;
    int max_depth;
    bool is_array;
    int array_state;
    bool skipping;          /* dropping the rest of an overlong line */
    /* the last record (or the bytes of a bad one) */
    const char *rec, *rec_end;
    int64_t rec_line;
    const char *rec_line_start; /* start of rec_line in buf (for columns) */
    uint64_t rec_offset;        /* offset in the data of rec */
} JsonSource;

static bool source_refill(JsonSource *s, Error *err)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->buf_offset += s->pos;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        size_t grown = s->cap * 2;
        if (grown > s->max_record + 1) grown = s->max_record + 1;
        if (grown <= s->cap) return true; /* full: the caller reports the overlong record */
        s->buf = mem_realloc(s->buf, grown);
        s->cap = grown;
    }
    size_t want = s->cap - s->len, got = 0;
    if (s->file) {
        uint64_t left = s->range_end > s->range_next ? s->range_end - s->range_next : 0;
        size_t ask = left < want ? (size_t)left : want;
        if (ask > 0 && !fs_pread(s->file, s->buf + s->len, ask, s->range_next, &got, err)) return false;
        s->range_next += got;
    } else if (!decompress_read(s->dec, s->buf + s->len, want, &got, err)) {
        return false;
    }
    s->len += got;
    if (got < want) s->eof = true;
    return true;
}

static bool data_error(Error *err, const char *path, int64_t line, int64_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool data_error(Error *err, const char *path, int64_t line, int64_t column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_set(err, ERR_DATA, "%s", msg);
    error_set_location(err, path, line, column);
    return false;
}

/* Open path whole (range NULL: through io/decompress, the format looked at
 * if it is AUTO) or one byte range of it (newline-delimited). */
static bool source_open(JsonSource *s, const char *path, const JsonOptions *o, const SourceRange *range, Error *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->max_record = o->max_line_size;
    s->max_depth = o->max_depth;
    s->line = 1;
    if (range && range->data) {
        s->borrowed = true;
        s->buf = (char *)range->data; /* only read: a borrowed buffer is never refilled */
        s->cap = s->len = (size_t)(range->end - range->start);
        s->eof = true;
        s->buf_offset = range->start;
        s->line = range->first_line;
        if (s->buf_offset == 0 && s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) s->pos = 3;
        return true;
    }
    if (range) {
        s->file = fs_open_read(path, err);
        if (s->file == NULL) return false;
        s->range_start = s->range_next = s->buf_offset = range->start;
        s->range_end = range->end;
        s->line = range->first_line;
    } else {
        s->dec = decompress_open_path(path, o->compression, err);
        if (s->dec == NULL) return false;
    }
    s->cap = o->block_size < 64 ? 64 : o->block_size;
    if (s->cap > s->max_record + 1) s->cap = s->max_record + 1;
    s->buf = mem_alloc(s->cap);
    if (!source_refill(s, err)) return false;
    size_t p = 0;
    if (s->buf_offset == 0 && s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) p = s->pos = 3; /* a byte order mark */
    JsonFormat f = range ? JSON_FORMAT_NEWLINE_DELIMITED : o->format;
    if (f == JSON_FORMAT_AUTO) {
        /* the first non-blank byte decides; blank lines are read on if needed */
        for (;;) {
            const char *q = json_skip_ws(s->buf + p, s->buf + s->len);
            if (q < s->buf + s->len || s->eof) {
                f = q < s->buf + s->len && *q == '[' ? JSON_FORMAT_ARRAY : JSON_FORMAT_NEWLINE_DELIMITED;
                break;
            }
            if (s->len == s->cap && s->pos == 0 && s->cap >= s->max_record + 1) {
                f = JSON_FORMAT_NEWLINE_DELIMITED;
                break;
            }
            p = s->len;
            if (!source_refill(s, err)) return false;
        }
    }
    s->is_array = f == JSON_FORMAT_ARRAY;
    return true;
}

static void source_close(JsonSource *s)
{
    decompress_close(s->dec);
    if (s->file) fs_close(s->file);
    if (!s->borrowed) mem_free(s->buf);
    memset(s, 0, sizeof *s);
}

/* Bytes of the file consumed (compressed bytes for a compressed file). */
static uint64_t source_bytes_in(const JsonSource *s)
{
    if (s->borrowed) return s->pos;
    return s->file ? s->range_next - s->range_start : decompress_bytes_in(s->dec);
}

/* Bytes the source covers: the (compressed) file's, or its range's. */
static uint64_t source_size(const JsonSource *s)
{
    if (s->borrowed) return s->len;
    return s->file ? s->range_end - s->range_start : decompress_file_size(s->dec);
}

/* Make [from, to) of the buffer, at line, the current record. */
static void set_record(JsonSource *s, const char *from, const char *to, int64_t line)
{
    s->rec = from;
    s->rec_end = to;
    s->rec_line = line;
    s->rec_line_start = from;
    s->rec_offset = s->buf_offset + (uint64_t)(from - s->buf);
}

/* A record's fault at `from` (err is set): its raw bytes are the rest of
 * the buffer. */
static int bad_record(JsonSource *s, const char *from)
{
    set_record(s, from, s->buf + s->len, s->line);
    return SOURCE_BAD_RECORD;
}

/* Next line of a newline-delimited file: 1 record, 0 end, or an error. */
static int next_line(JsonSource *s, Error *err)
{
    for (;;) {
        char *nl = s->pos < s->len ? memchr(s->buf + s->pos, '\n', s->len - s->pos) : NULL;
        if (nl == NULL && !s->eof) {
            if (s->skipping) {
                s->pos = s->len;
            } else if (s->len - s->pos > s->max_record) {
                /* the line does not fit: reported with its first bytes, the rest is skipped */
                data_error(err, s->path, s->line, 0, "maximum line size of %zu bytes exceeded", s->max_record);
                set_record(s, s->buf + s->pos, s->buf + s->len, s->line);
                s->skipping = true;
                s->pos = s->len;
                return SOURCE_BAD_RECORD;
            }
            if (!source_refill(s, err)) return SOURCE_FAILED;
            continue;
        }
        char *start = s->buf + s->pos;
        char *end = nl ? nl : s->buf + s->len;
        s->pos = nl ? (size_t)(nl - s->buf) + 1 : s->len;
        int64_t line = s->line;
        if (nl) s->line++;
        if (s->skipping) {
            s->skipping = nl == NULL;
            if (nl == NULL) return 0;
            continue;
        }
        if (start == end && nl == NULL) return 0;
        set_record(s, start, end, line);
        if ((size_t)(end - start) > s->max_record) {
            data_error(err, s->path, line, 0, "maximum line size of %zu bytes exceeded", s->max_record);
            s->rec_end = start + s->max_record + 1; /* the bytes a line cut off by the buffer would show */
            return SOURCE_BAD_RECORD;
        }
        if (json_skip_ws(start, end) == end) continue; /* a blank line */
        return 1;
    }
}

/* Skip blanks in the buffer, counting lines; refills. */
static bool array_skip_ws(JsonSource *s, Error *err)
{
    for (;;) {
        while (s->pos < s->len) {
            char c = s->buf[s->pos];
            if (c == '\n') s->line++;
            else if (c != ' ' && c != '\t' && c != '\r') return true;
            s->pos++;
        }
        if (s->eof) return true;
        if (!source_refill(s, err)) return false;
    }
}

static int64_t count_lines(const char *p, const char *e)
{
    int64_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) n++, p++;
    return n;
}

/* Column (1-based byte) of position at, given the start of its line is at or after `from`. */
static int64_t column_of(const char *from, const char *at)
{
    const char *q = at;
    while (q > from && q[-1] != '\n') q--;
    return (int64_t)(at - q) + 1;
}

/* Next element of an array file: 1 record, 0 end, or an error. */
static int next_element(JsonSource *s, Error *err)
{
    for (;;) {
        if (!array_skip_ws(s, err)) return SOURCE_FAILED;
        bool at_end = s->pos >= s->len;
        char c = at_end ? 0 : s->buf[s->pos];
        int64_t col = at_end ? 0 : column_of(s->buf, s->buf + s->pos);
        const char *here = s->buf + s->pos;
        switch (s->array_state) {
        case ARRAY_START:
            if (at_end) return 0;
            if (c != '[')
                return data_error(err, s->path, s->line, col, "expected '[' at the start of a JSON array file"),
                       bad_record(s, here);
            s->pos++;
            s->array_state = ARRAY_FIRST;
            continue;
        case ARRAY_FIRST:
        case ARRAY_AFTER_COMMA:
            if (at_end)
                return data_error(err, s->path, s->line, col, "unexpected end of JSON input (unterminated array)"),
                       bad_record(s, here);
            if (c == ']' && s->array_state == ARRAY_FIRST) {
                s->pos++;
                s->array_state = ARRAY_DONE;
                continue;
            }
            break;
        case ARRAY_AFTER_VALUE:
            if (at_end)
                return data_error(err, s->path, s->line, col, "unexpected end of JSON input (unterminated array)"),
                       bad_record(s, here);
            if (c == ',') s->array_state = ARRAY_AFTER_COMMA;
            else if (c == ']') s->array_state = ARRAY_DONE;
            else return data_error(err, s->path, s->line, col, "expected ',' or ']' in an array"), bad_record(s, here);
            s->pos++;
            continue;
        default:
            if (at_end) return 0;
            return data_error(err, s->path, s->line, col, "extra data after the end of the JSON array"),
                   bad_record(s, here);
        }
        /* an element: scan it whole, reading on while it is cut off by the buffer's end */
        for (;;) {
            JsonKind kind;
            const char *vend;
            JsonProblem pr;
            const char *start = s->buf + s->pos, *end = s->buf + s->len;
            if (json_scan_value(start, end, s->max_depth, &kind, &vend, &pr)) {
                set_record(s, start, vend, s->line);
                s->rec_line_start = start - (column_of(s->buf, start) - 1);
                s->line += count_lines(start, vend);
                s->pos = (size_t)(vend - s->buf);
                s->array_state = ARRAY_AFTER_VALUE;
                return 1;
            }
            if (!s->eof && s->len - s->pos < s->max_record) {
                size_t before = s->len - s->pos;
                if (!source_refill(s, err)) return SOURCE_FAILED;
                if (s->len - s->pos > before || s->eof) continue;
            }
            if (!s->eof && s->len - s->pos >= s->max_record)
                return data_error(err, s->path, s->line, 0, "maximum record size of %zu bytes exceeded", s->max_record),
                       bad_record(s, start);
            int64_t line = s->line + count_lines(start, pr.at);
            return data_error(err, s->path, line, column_of(s->buf, pr.at), "malformed JSON: %s", pr.message),
                   bad_record(s, start);
        }
    }
}

static int source_next(JsonSource *s, Error *err)
{
    return s->is_array ? next_element(s, err) : next_line(s, err);
}

/* ---- the reader ------------------------------------------------------- */

struct JsonReader {
    JsonOptions opts;
    char *filename_column;
    JsonSchema schema;
    KeyNode *root;
    FsPathList files;
    int file_index;
    bool source_open;
    JsonSource src;
    uint64_t bytes_total, bytes_done;
    int *proj;               /* schema column of each output column */
    int nproj;
    int *out_of_column;      /* schema column -> output column, or -1 */
    Batch *batch;            /* being filled */
    uint32_t row;
    StrBuf scratch;
    uint64_t rejected;
    int batch_file_index;    /* file of the last batch's rows */
    uint64_t files_opened;   /* files opened to read records (not the schema sample) */
    bool tolerant;           /* bad records are skipped (ignore_errors) or handed to on_reject */
    bool ranged;             /* reads only `range` of its one file */
    SourceRange range;
    bool done;
};

void json_options_init(JsonOptions *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->sample_size = JSON_DEFAULT_SAMPLE_SIZE;
    opts->max_depth = JSON_DEFAULT_MAX_DEPTH;
    opts->max_line_size = JSON_DEFAULT_MAX_LINE_SIZE;
    opts->block_size = JSON_DEFAULT_BLOCK_SIZE;
}

typedef struct ParseContext {
    JsonReader *r;
    Error *err;
    bool infer;     /* inference pass: grow the tree, record kinds */
    int flatten;    /* levels that may still be flattened below this one (inference) */
} ParseContext;

static bool parse_error(ParseContext *pc, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool parse_error(ParseContext *pc, const char *at, const char *fmt, ...)
{
    JsonSource *s = &pc->r->src;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int64_t line = s->rec_line + count_lines(s->rec_line_start, at);
    return data_error(pc->err, s->path, line, column_of(s->rec_line_start, at), "%s", msg);
}

/* Does [s, s+n) have the shape of a date (1) or a timestamp without zone (2)?  0 otherwise. */
static int date_shape(const char *s, size_t n)
{
#define D(i) (s[i] >= '0' && s[i] <= '9')
    if (n < 10 || !(D(0) && D(1) && D(2) && D(3) && s[4] == '-' && D(5) && D(6) && s[7] == '-' && D(8) && D(9)))
        return 0;
    if (n == 10) return 1;
    if (n < 16 || (s[10] != 'T' && s[10] != ' ') || !(D(11) && D(12) && s[13] == ':' && D(14) && D(15))) return 0;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (n < 19 || !(D(17) && D(18))) return 0;
        i = 19;
        if (i < n && s[i] == '.') {
            i++;
            size_t digits = 0;
            while (i < n && D(i)) i++, digits++;
            if (digits == 0) return 0;
        }
    }
#undef D
    return i == n ? 2 : 0;
}

static void note_string(KeyNode *k, const char *s, size_t n)
{
    int shape = date_shape(s, n);
    Error e = ERROR_INIT;
    if (shape == 1) {
        int32_t d;
        if (!datetime_parse_date(s, n, &d, &e)) shape = 0;
    } else if (shape == 2) {
        int64_t t;
        if (!datetime_parse_timestamp(s, n, &t, &e)) shape = 0;
    }
    if (shape != 1) k->all_dates = false;
    if (shape != 2) k->all_timestamps = false;
}

/* Append " (column "x")" to an error's message. */
static void name_column(Error *err, const char *name)
{
    size_t used = strlen(err->message);
    if (used + 1 < sizeof err->message) snprintf(err->message + used, sizeof err->message - used, " (column \"%s\")", name);
}

/* Store the value [p, vend) of kind into column col of the current row. */
static bool store_value(ParseContext *pc, int col, JsonKind kind, const char *p, const char *vend, bool escapes)
{
    JsonReader *r = pc->r;
    int out = r->out_of_column[col];
    if (out < 0) return true;
    Vector *v = r->batch->cols[out];
    uint32_t row = r->row;
    if (kind == JSON_NULL) return true; /* the row starts NULL */
    const char *text = p;
    size_t n = (size_t)(vend - p);
    if (kind == JSON_STRING) {
        text = p + 1;
        n -= 2;
        if (escapes) {
            strbuf_clear(&r->scratch);
            json_unescape(p + 1, vend - 1, &r->scratch);
            text = r->scratch.data;
            n = r->scratch.len;
        }
    }
    switch (v->type.id) {
    case TYPE_VARCHAR:
        vector_set_string(v, row, text, (uint32_t)n);
        vector_set_valid(v, row);
        return true;
    case TYPE_BOOLEAN:
        if (kind == JSON_TRUE || kind == JSON_FALSE) {
            VEC_DATA(v, uint8_t)[row] = kind == JSON_TRUE;
            vector_set_valid(v, row);
            return true;
        }
        break;
    case TYPE_BIGINT:
        if (kind == JSON_NUMBER && n < 19) { /* fewer than 19 characters cannot overflow */
            const char *q = text;
            bool neg = *q == '-';
            q += neg;
            int64_t x = 0;
            while (q < text + n && *q >= '0' && *q <= '9') x = x * 10 + (*q++ - '0');
            if (q == text + n) {
                VEC_DATA(v, int64_t)[row] = neg ? -x : x;
                vector_set_valid(v, row);
                return true;
            }
        }
        break;
    case TYPE_DOUBLE:
        if (kind == JSON_NUMBER && n < 64) {
            char tmp[64];
            memcpy(tmp, text, n);
            tmp[n] = '\0';
            VEC_DATA(v, double)[row] = strtod(tmp, NULL); /* JSON numbers are valid strtod input */
            vector_set_valid(v, row);
            return true;
        }
        break;
    default: break;
    }
    if (kind == JSON_OBJECT || kind == JSON_ARRAY || ((kind == JSON_TRUE || kind == JSON_FALSE) && v->type.id != TYPE_BOOLEAN)) {
        char tname[64];
        return parse_error(pc, p, "cannot read a JSON %s as type %s (column \"%s\")", json_kind_name(kind),
                           type_name(v->type, tname, sizeof tname), r->schema.names[col]);
    }
    if (!cast_parse_text(text, n, v, row, pc->err)) {
        name_column(pc->err, r->schema.names[col]);
        char msg[sizeof pc->err->message];
        memcpy(msg, pc->err->message, sizeof msg);
        return parse_error(pc, p, "%s", msg);
    }
    vector_set_valid(v, row);
    return true;
}

static bool parse_object(ParseContext *pc, KeyNode *node, const char *p, const char *end, int depth, const char **out);

/* One member's value at p for child k (NULL: not in the schema). */
static bool parse_member_value(ParseContext *pc, KeyNode *k, const char *p, const char *end, int depth, const char **out)
{
    JsonReader *r = pc->r;
    JsonProblem pr;
    if (p >= end) return parse_error(pc, p, "malformed JSON: unexpected end of JSON input");
    if (k && *p == '{' && (pc->infer ? depth < pc->flatten : k->expanded)) {
        if (pc->infer) k->seen |= SEEN_OBJECT;
        if (depth + 1 > r->opts.max_depth) return parse_error(pc, p, "malformed JSON: JSON nested deeper than the maximum depth");
        return parse_object(pc, k, p, end, depth + 1, out);
    }
    JsonKind kind;
    const char *vend;
    bool escapes = false;
    if (*p == '"') {
        if (!json_scan_string(p, end, &vend, &escapes, &pr)) return parse_error(pc, pr.at, "malformed JSON: %s", pr.message);
        kind = JSON_STRING;
    } else if (!json_scan_value(p, end, r->opts.max_depth - depth, &kind, &vend, &pr)) {
        return parse_error(pc, pr.at, "malformed JSON: %s", pr.message);
    }
    *out = vend;
    if (k == NULL) return true;
    if (pc->infer) {
        switch (kind) {
        case JSON_NULL: k->seen |= SEEN_NULL; break;
        case JSON_TRUE:
        case JSON_FALSE: k->seen |= SEEN_BOOL; break;
        case JSON_NUMBER: {
            bool integer = true;
            const char *e2;
            json_scan_number(p, vend, &e2, &integer, NULL);
            size_t digits = (size_t)(vend - p) - (*p == '-');
            if (integer && digits >= 19) { /* does it fit 64 bits? */
                char tmp[32];
                integer = (size_t)(vend - p) < sizeof tmp;
                if (integer) {
                    memcpy(tmp, p, (size_t)(vend - p));
                    tmp[vend - p] = '\0';
                    char *ep;
                    errno = 0;
                    (void)strtoll(tmp, &ep, 10);
                    integer = errno == 0;
                }
            }
            k->seen |= integer ? SEEN_INT : SEEN_FLOAT;
            break;
        }
        case JSON_STRING:
            k->seen |= SEEN_STRING;
            if (k->all_dates || k->all_timestamps) {
                if (escapes) k->all_dates = k->all_timestamps = false;
                else note_string(k, p + 1, (size_t)(vend - p - 2));
            }
            break;
        case JSON_OBJECT: k->seen |= SEEN_OBJECT; break;
        case JSON_ARRAY: k->seen |= SEEN_ARRAY; break;
        }
        return true;
    }
    if (k->expanded) {
        if (kind == JSON_NULL) return true;
        return parse_error(pc, p, "expected a JSON object for \"%s\", found a %s", k->key, json_kind_name(kind));
    }
    if (k->column < 0) return true;
    return store_value(pc, k->column, kind, p, vend, escapes);
}

/* Parse the object at p ('{') whose keys are node's children. */
static bool parse_object(ParseContext *pc, KeyNode *node, const char *p, const char *end, int depth, const char **out)
{
    JsonProblem pr;
    p = json_skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        *out = p + 1;
        return true;
    }
    int hint = 0;
    for (;;) {
        if (p >= end) return parse_error(pc, p, "malformed JSON: unexpected end of JSON input");
        if (*p != '"') return parse_error(pc, p, "malformed JSON: expected a string as an object key");
        const char *kend;
        bool escapes;
        if (!json_scan_string(p, end, &kend, &escapes, &pr)) return parse_error(pc, pr.at, "malformed JSON: %s", pr.message);
        const char *key = p + 1;
        uint32_t klen = (uint32_t)(kend - p - 2);
        StrBuf keybuf = STRBUF_INIT;
        if (escapes) {
            json_unescape(p + 1, kend - 1, &keybuf);
            key = keybuf.data;
            klen = (uint32_t)keybuf.len;
        }
        int idx = node_find(node, key, klen, hint);
        KeyNode *child = NULL;
        if (idx >= 0) {
            child = node->children[idx];
            hint = idx + 1;
        } else if (pc->infer) {
            child = node_add(node, key, klen);
            hint = node->nchildren;
        }
        strbuf_free(&keybuf);
        p = json_skip_ws(kend, end);
        if (p >= end || *p != ':') return parse_error(pc, p, "malformed JSON: expected ':' after an object key");
        p = json_skip_ws(p + 1, end);
        if (!parse_member_value(pc, child, p, end, depth, &p)) return false;
        p = json_skip_ws(p, end);
        if (p < end && *p == ',') {
            p = json_skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            *out = p + 1;
            return true;
        }
        return parse_error(pc, p, p >= end ? "malformed JSON: unexpected end of JSON input"
                                            : "malformed JSON: expected ',' or '}' in an object");
    }
}

/* Parse the current record (an object, then nothing but blanks). */
static bool parse_record(ParseContext *pc)
{
    JsonSource *s = &pc->r->src;
    const char *p = json_skip_ws(s->rec, s->rec_end);
    if (p >= s->rec_end || *p != '{') {
        JsonKind kind;
        const char *vend;
        JsonProblem pr;
        if (!json_scan_value(p, s->rec_end, pc->r->opts.max_depth, &kind, &vend, &pr))
            return parse_error(pc, pr.at, "malformed JSON: %s", pr.message);
        return parse_error(pc, p, "expected a JSON object, found a%s %s", kind == JSON_ARRAY || kind == JSON_OBJECT ? "n" : "",
                           json_kind_name(kind));
    }
    if (pc->r->opts.max_depth < 1) return parse_error(pc, p, "malformed JSON: JSON nested deeper than the maximum depth");
    if (!parse_object(pc, pc->r->root, p, s->rec_end, 1, &p)) return false;
    p = json_skip_ws(p, s->rec_end);
    if (p < s->rec_end) return parse_error(pc, p, "malformed JSON: extra data after the object");
    return true;
}

/* ---- schema ------------------------------------------------------------ */

static void schema_add(JsonReader *r, const char *name, LogicalType t)
{
    JsonSchema *s = &r->schema;
    s->names = mem_realloc(s->names, (size_t)(s->ncols + 1) * sizeof *s->names);
    s->types = mem_realloc(s->types, (size_t)(s->ncols + 1) * sizeof *s->types);
    s->names[s->ncols] = mem_strdup(name);
    s->types[s->ncols] = t;
    s->ncols++;
}

static LogicalType inferred_type(const KeyNode *k, bool infer_dates)
{
    unsigned seen = k->seen & ~(unsigned)SEEN_NULL;
    if (seen == SEEN_BOOL) return type_make(TYPE_BOOLEAN);
    if (seen == SEEN_INT) return type_make(TYPE_BIGINT);
    if (seen == SEEN_FLOAT || seen == (SEEN_INT | SEEN_FLOAT)) return type_make(TYPE_DOUBLE);
    if (seen == SEEN_STRING && infer_dates) {
        if (k->all_dates) return type_make(TYPE_DATE);
        if (k->all_timestamps) return type_make(TYPE_TIMESTAMP);
    }
    return type_make(TYPE_VARCHAR);
}

/* Turn the inferred tree into columns: depth-first, in order of appearance. */
static void build_columns(JsonReader *r, KeyNode *node, StrBuf *prefix)
{
    for (int i = 0; i < node->nchildren; i++) {
        KeyNode *k = node->children[i];
        size_t mark = prefix->len;
        strbuf_append(prefix, k->key, k->key_len);
        if (k->nchildren > 0 && (k->seen & ~(unsigned)SEEN_NULL) == SEEN_OBJECT) {
            k->expanded = true;
            strbuf_putc(prefix, '.');
            build_columns(r, k, prefix);
        } else {
            k->column = r->schema.ncols;
            schema_add(r, strbuf_cstr(prefix), inferred_type(k, !r->opts.no_infer_dates));
        }
        prefix->len = mark;
        prefix->data[mark] = '\0';
    }
}

/* Declared columns: the tree from their names (dot paths when flattening). */
static void declare_columns(JsonReader *r)
{
    for (int c = 0; c < r->opts.ncolumns; c++) {
        const char *name = r->opts.column_names[c];
        KeyNode *node = r->root;
        const char *seg = name;
        for (int level = 0;; level++) {
            const char *dot = level < r->opts.flatten_depth ? strchr(seg, '.') : NULL;
            uint32_t n = (uint32_t)(dot ? (size_t)(dot - seg) : strlen(seg));
            int idx = node_find(node, seg, n, -1);
            KeyNode *k = idx >= 0 ? node->children[idx] : node_add(node, seg, n);
            if (dot == NULL) {
                k->column = r->schema.ncols;
                break;
            }
            k->expanded = true;
            node = k;
            seg = dot + 1;
        }
        schema_add(r, name, r->opts.column_types[c]);
    }
}

/* ---- files ------------------------------------------------------------- */

static void set_projection(JsonReader *r, const int *ids, int n)
{
    mem_free(r->proj);
    mem_free(r->out_of_column);
    r->proj = mem_alloc((size_t)(n + 1) * sizeof *r->proj);
    r->out_of_column = mem_alloc((size_t)(r->schema.ncols + 1) * sizeof *r->out_of_column);
    for (int c = 0; c < r->schema.ncols; c++) r->out_of_column[c] = -1;
    r->nproj = 0;
    for (int k = 0; k < n; k++)
        if (ids[k] >= 0 && ids[k] < r->schema.ncols && r->out_of_column[ids[k]] < 0) {
            r->out_of_column[ids[k]] = r->nproj;
            r->proj[r->nproj++] = ids[k];
        }
}

static bool infer_schema(JsonReader *r, Error *err)
{
    JsonSource *s = &r->src;
    if (!source_open(s, r->files.paths[0], &r->opts, NULL, err)) {
        source_close(s);
        return false;
    }
    ParseContext pc = {r, err, true, r->opts.flatten_depth + 1};
    int64_t limit = r->opts.sample_size;
    for (int64_t n = 0; limit < 0 || n < limit; n++) {
        /* bad records are left out of the sample when they are to be skipped
         * (they are counted and rejected when the records are read) */
        int rc = source_next(s, err);
        if (rc == SOURCE_BAD_RECORD && r->tolerant) {
            error_clear(err);
            if (s->is_array) break; /* a broken array: sample what came before */
            continue;
        }
        if (rc <= 0) break;
        if (!parse_record(&pc)) {
            if (r->tolerant && err->kind == ERR_DATA) {
                error_clear(err);
                continue;
            }
            break;
        }
    }
    source_close(s);
    if (err->kind != ERR_NONE) return false;
    StrBuf prefix = STRBUF_INIT;
    strbuf_reserve(&prefix, 64);
    build_columns(r, r->root, &prefix);
    strbuf_free(&prefix);
    return true;
}

static JsonReader *reader_open(const char *pattern, const char *const *paths, int npaths, const SourceRange *range,
                               const JsonOptions *opts, Error *err);

JsonReader *json_reader_open(const char *pattern, const JsonOptions *opts, Error *err)
{
    return reader_open(pattern, NULL, 0, NULL, opts, err);
}

JsonReader *json_reader_open_range(const char *path, const JsonOptions *opts, uint64_t start, uint64_t end,
                                   int64_t first_line, Error *err)
{
    SourceRange range = {start, end < start ? start : end, first_line, NULL};
    return reader_open(NULL, &path, 1, &range, opts, err);
}

JsonReader *json_reader_open_buffer(const char *path, const JsonOptions *opts, const char *data, size_t len,
                                    uint64_t offset, int64_t first_line, Error *err)
{
    SourceRange range = {offset, offset + len, first_line, data};
    return reader_open(NULL, &path, 1, &range, opts, err);
}

bool json_file_probe(const char *path, const JsonOptions *opts, bool *lines, bool *compressed, Error *err)
{
    *compressed = compression_is_compressed(path, opts->compression);
    *lines = opts->format == JSON_FORMAT_NEWLINE_DELIMITED;
    if (opts->format != JSON_FORMAT_AUTO) return true;
    JsonOptions o = *opts; /* a small first block: only the first non-blank byte is looked at */
    o.block_size = 64u << 10;
    if (o.max_line_size == 0) o.max_line_size = JSON_DEFAULT_MAX_LINE_SIZE;
    JsonSource s;
    bool ok = source_open(&s, path, &o, NULL, err);
    *lines = ok && !s.is_array;
    source_close(&s);
    return ok;
}

JsonReader *json_reader_open_files(const char *const *paths, int npaths, const JsonOptions *opts, Error *err)
{
    if (npaths == 0) {
        error_set(err, ERR_IO, "no JSON files to read");
        return NULL;
    }
    return reader_open(NULL, paths, npaths, NULL, opts, err);
}

/* Open the files of pattern, or exactly paths[0, npaths) when pattern is
 * NULL, or range of paths[0] (declared columns, never inferred). */
static JsonReader *reader_open(const char *pattern, const char *const *paths, int npaths, const SourceRange *range,
                               const JsonOptions *opts, Error *err)
{
    JsonReader *r = mem_calloc(1, sizeof *r);
    r->opts = *opts;
    if (r->opts.max_line_size == 0) r->opts.max_line_size = JSON_DEFAULT_MAX_LINE_SIZE;
    if (r->opts.max_line_size > (1u << 30)) r->opts.max_line_size = 1u << 30;
    if (r->opts.block_size == 0) r->opts.block_size = JSON_DEFAULT_BLOCK_SIZE;
    if (r->opts.max_depth <= 0) r->opts.max_depth = JSON_DEFAULT_MAX_DEPTH;
    if (r->opts.max_depth > JSON_DEPTH_CAP) r->opts.max_depth = JSON_DEPTH_CAP;
    if (r->opts.sample_size == 0) r->opts.sample_size = JSON_DEFAULT_SAMPLE_SIZE;
    r->tolerant = r->opts.ignore_errors || r->opts.on_reject;
    if (range) {
        r->ranged = true;
        r->range = *range;
    }
    if (opts->filename) r->filename_column = mem_strdup(opts->filename);
    r->opts.filename = r->filename_column;
    r->root = node_new("", 0);
    r->root->expanded = true;
    if (pattern == NULL) {
        for (int i = 0; i < npaths; i++) fs_path_list_add(&r->files, paths[i]);
    } else if (!fs_glob(pattern, &r->files, err)) {
        goto fail;
    }
    for (int i = 0; i < r->files.count && !range; i++) {
        uint64_t size;
        if (!fs_file_size(r->files.paths[i], &size, err)) goto fail;
        r->bytes_total += size;
    }
    if (range) r->bytes_total = range->end - range->start;
    if (r->opts.ncolumns > 0 || r->opts.columns_declared || range) declare_columns(r);
    else if (!infer_schema(r, err)) goto fail;
    r->opts.column_names = NULL; /* borrowed: only valid during open */
    r->opts.column_types = NULL;
    if (r->filename_column) schema_add(r, r->filename_column, type_make(TYPE_VARCHAR));
    int *all = mem_alloc((size_t)(r->schema.ncols + 1) * sizeof *all);
    for (int c = 0; c < r->schema.ncols; c++) all[c] = c;
    set_projection(r, all, r->schema.ncols);
    mem_free(all);
    return r;
fail:
    json_reader_close(r);
    return NULL;
}

const JsonSchema *json_reader_schema(const JsonReader *r)
{
    return &r->schema;
}

void json_reader_project(JsonReader *r, const int *column_ids, int ncolumn_ids)
{
    set_projection(r, column_ids, ncolumn_ids);
}

void json_reader_init_batch(const JsonReader *r, Batch *b)
{
    LogicalType *types = mem_alloc((size_t)(r->nproj + 1) * sizeof *types);
    for (int k = 0; k < r->nproj; k++) types[k] = r->schema.types[r->proj[k]];
    batch_init(b, r->nproj, types, VECTOR_CAPACITY);
    mem_free(types);
}

/* Count the current record as rejected, hand it to on_reject, and clear err. */
static void reject_record(JsonReader *r, Error *err)
{
    r->rejected++;
    if (r->opts.on_reject) {
        const JsonSource *s = &r->src;
        JsonReject rej = {s->path, s->rec_line, s->rec_offset, err->message, s->rec, (size_t)(s->rec_end - s->rec)};
        r->opts.on_reject(r->opts.reject_ctx, &rej);
    }
    error_clear(err);
}

static void close_current(JsonReader *r)
{
    if (!r->source_open) return;
    r->bytes_done += source_size(&r->src);
    source_close(&r->src);
    r->source_open = false;
    r->file_index++;
}

bool json_reader_next(JsonReader *r, Batch *b, Error *err)
{
    b->count = 0;
    b->sel = NULL;
    uint32_t cap = VECTOR_CAPACITY;
    for (int k = 0; k < b->ncols; k++) {
        vector_reset(b->cols[k]);
        if (b->cols[k]->capacity < cap) cap = b->cols[k]->capacity;
    }
    r->batch = b;
    ParseContext pc = {r, err, false, 0};
    const int filename_col = r->filename_column ? r->schema.ncols - 1 : -1;
    uint32_t n = 0;
    while (!r->done && n == 0) {
        if (!r->source_open) {
            if (r->file_index >= r->files.count) {
                r->done = true;
                break;
            }
            if (!source_open(&r->src, r->files.paths[r->file_index], &r->opts, r->ranged ? &r->range : NULL, err)) {
                source_close(&r->src);
                return false;
            }
            r->source_open = true;
            r->files_opened++;
        }
        r->batch_file_index = r->file_index; /* a batch never spans two files */
        while (n < cap) {
            int rc = source_next(&r->src, err);
            if (rc == 0) {
                close_current(r);
                break;
            }
            if (rc > 0) {
                r->row = n;
                for (int k = 0; k < b->ncols; k++) vector_set_null(b->cols[k], n);
                if (filename_col >= 0 && r->out_of_column[filename_col] >= 0) {
                    Vector *v = b->cols[r->out_of_column[filename_col]];
                    const char *path = r->files.paths[r->file_index];
                    vector_set_string(v, n, path, (uint32_t)strlen(path));
                    vector_set_valid(v, n);
                }
                if (parse_record(&pc)) {
                    n++;
                    continue;
                }
            } else if (rc == SOURCE_BAD_RECORD && r->tolerant && r->src.is_array) {
                /* a broken array file: reject the record and go on with the next file */
                reject_record(r, err);
                close_current(r);
                break;
            }
            if (rc == SOURCE_FAILED || err->kind != ERR_DATA || !r->tolerant) return false;
            reject_record(r, err);
        }
    }
    b->count = n;
    return true;
}

int json_reader_batch_file_index(const JsonReader *r)
{
    return r->batch_file_index;
}

uint64_t json_reader_files_opened(const JsonReader *r)
{
    return r->files_opened;
}

uint64_t json_reader_rejected_rows(const JsonReader *r)
{
    return r->rejected;
}

uint64_t json_reader_bytes_read(const JsonReader *r)
{
    uint64_t done = r->bytes_done + (r->source_open ? source_bytes_in(&r->src) : 0);
    return done < r->bytes_total ? done : r->bytes_total;
}

uint64_t json_reader_bytes_total(const JsonReader *r)
{
    return r->bytes_total;
}

void json_reader_close(JsonReader *r)
{
    if (r == NULL) return;
    if (r->source_open) source_close(&r->src);
    node_free(r->root);
    for (int c = 0; c < r->schema.ncols; c++) mem_free(r->schema.names[c]);
    mem_free(r->schema.names);
    mem_free(r->schema.types);
    fs_path_list_free(&r->files);
    strbuf_free(&r->scratch);
    mem_free(r->proj);
    mem_free(r->out_of_column);
    mem_free(r->filename_column);
    mem_free(r);
}
