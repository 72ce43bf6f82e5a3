/* profile: one-pass column profiles (see profile.h).
 *
 * Each batch is folded in column by column: the column's values are hashed
 * as GROUP BY hashes them (exec/hash.h, so 1 and 1.0 of one decimal column
 * count once) into a HyperLogLog sketch, and min/max/sum/longest string are
 * updated in place.  A string min or max is copied only when it changes. */
#include "quality/profile.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "exec/hash.h"
#include "formats/json/json_text.h"
#include "types/cast.h"
#include "types/decimal.h"

void table_profile_init(TableProfile *p, int ncols, char *const *names, const LogicalType *types)
{
    p->ncols = ncols;
    p->cols = mem_calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *p->cols);
    for (int i = 0; i < ncols; i++) {
        ColumnProfile *c = &p->cols[i];
        c->name = mem_strdup(names[i]);
        c->type = types[i];
        c->max_length = -1;
    }
}

void table_profile_free(TableProfile *p)
{
    for (int i = 0; i < p->ncols; i++) {
        ColumnProfile *c = &p->cols[i];
        mem_free(c->name);
        mem_free(c->min_text);
        mem_free(c->max_text);
        hll_sketch_free(&c->distinct);
    }
    mem_free(p->cols);
    p->cols = NULL;
    p->ncols = 0;
}

bool table_profile_same_schema(const TableProfile *p, int ncols, char *const *names, const LogicalType *types)
{
    if (p->ncols != ncols) return false;
    for (int i = 0; i < ncols; i++)
        if (strcmp(p->cols[i].name, names[i]) != 0 || !type_equal(p->cols[i].type, types[i])) return false;
    return true;
}

/* Has min/max: every type but INTERVAL (whose order PostgreSQL defines by a
 * normalisation the report does not need). */
static bool has_order(LogicalType t) { return t.id != TYPE_INTERVAL && t.id != TYPE_NULL && t.id != TYPE_INVALID; }

/* <0, 0, >0 comparing two non-NULL values of one column type (NaN is the
 * largest double, as in PostgreSQL). */
static int compare_values(const Value *a, const Value *b)
{
    switch (a->type.id) {
    case TYPE_BOOLEAN: return (int)a->u.boolean - (int)b->u.boolean;
    case TYPE_INTEGER:
    case TYPE_DATE: return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case TYPE_DOUBLE: {
        double x = a->u.f64, y = b->u.f64;
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case TYPE_DECIMAL:
        if (type_is_decimal128(a->type)) return (a->u.i128 > b->u.i128) - (a->u.i128 < b->u.i128);
        return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case TYPE_VARCHAR: {
        uint32_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
        int c = n ? memcmp(a->u.str.data, b->u.str.data, n) : 0;
        if (c != 0) return c;
        return (a->u.str.len > b->u.str.len) - (a->u.str.len < b->u.str.len);
    }
    default: return 0;
    }
}

/* Keep v as the new min or max: strings get their own copy in *text. */
static void keep_value(Value *slot, char **text, const Value *v)
{
    *slot = *v;
    if (v->type.id == TYPE_VARCHAR) {
        mem_free(*text);
        *text = mem_strndup(v->u.str.data, v->u.str.len);
        slot->u.str.data = *text;
    }
}

/* The value of a number as a double (for the mean). */
static double numeric_as_double(const Value *v)
{
    switch (v->type.id) {
    case TYPE_INTEGER: return v->u.i32;
    case TYPE_BIGINT: return (double)v->u.i64;
    case TYPE_DOUBLE: return v->u.f64;
    case TYPE_DECIMAL: {
        double unscaled = type_is_decimal128(v->type) ? (double)v->u.i128 : (double)v->u.i64;
        return unscaled / pow(10.0, v->type.scale);
    }
    default: return 0;
    }
}

/* Characters of UTF-8 text (bytes that do not continue a sequence). */
static int64_t utf8_length(const char *s, uint32_t n)
{
    int64_t chars = 0;
    for (uint32_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) chars++;
    return chars;
}

static void add_column(ColumnProfile *c, const Vector *v, const Batch *batch, uint64_t *hashes)
{
    uint32_t physical = 0;
    for (uint32_t i = 0; i < batch->count; i++) {
        uint32_t row = batch_row(batch, i);
        if (row + 1 > physical) physical = row + 1;
    }
    hash_vector(v, physical, hashes, false);
    bool numeric = type_is_numeric(c->type);
    bool ordered = has_order(c->type);
    for (uint32_t i = 0; i < batch->count; i++) {
        uint32_t row = batch_row(batch, i);
        c->count++;
        if (!vector_is_valid(v, row)) {
            c->nulls++;
            continue;
        }
        hll_sketch_add(&c->distinct, hashes[row]);
        Value value = value_from_vector(v, row);
        if (ordered) {
            if (!c->has_minmax) {
                keep_value(&c->min, &c->min_text, &value);
                keep_value(&c->max, &c->max_text, &value);
                c->has_minmax = true;
            } else {
                if (compare_values(&value, &c->min) < 0) keep_value(&c->min, &c->min_text, &value);
                if (compare_values(&value, &c->max) > 0) keep_value(&c->max, &c->max_text, &value);
            }
        }
        if (numeric) c->sum += numeric_as_double(&value);
        if (c->type.id == TYPE_VARCHAR) {
            int64_t len = utf8_length(value.u.str.data, value.u.str.len);
            if (len > c->max_length) c->max_length = len;
        }
    }
}

void table_profile_add_batch(TableProfile *p, const Batch *batch)
{
    if (batch->count == 0) return;
    uint64_t *hashes = mem_alloc(sizeof(uint64_t) * VECTOR_CAPACITY);
    int ncols = p->ncols < batch->ncols ? p->ncols : batch->ncols;
    for (int i = 0; i < ncols; i++) add_column(&p->cols[i], batch->cols[i], batch, hashes);
    mem_free(hashes);
}

int64_t table_profile_distinct(const ColumnProfile *c) { return hll_sketch_estimate(&c->distinct); }

bool table_profile_mean(const ColumnProfile *c, double *mean)
{
    int64_t values = c->count - c->nulls;
    if (!type_is_numeric(c->type) || values == 0) return false;
    *mean = c->sum / (double)values;
    return true;
}

/* Append a JSON number for a double (null when it is not finite: JSON has
 * no NaN or Infinity). */
static void append_double(StrBuf *out, double d)
{
    if (!isfinite(d)) {
        strbuf_puts(out, "null");
        return;
    }
    strbuf_printf(out, "%.17g", d);
}

/* Append a min/max value: a JSON number for numbers, else a string in
 * PostgreSQL's text form. */
static void append_value(StrBuf *out, const Value *value)
{
    Vector v;
    vector_init(&v, value->type, 1);
    value_to_vector(value, &v, 0);
    StrBuf text = STRBUF_INIT;
    cast_format_value(&v, 0, &text);
    bool number = value->type.id == TYPE_INTEGER || value->type.id == TYPE_BIGINT || value->type.id == TYPE_DECIMAL ||
                  (value->type.id == TYPE_DOUBLE && isfinite(value->u.f64));
    if (number) strbuf_puts(out, strbuf_cstr(&text));
    else json_append_string(out, strbuf_cstr(&text), text.len);
    strbuf_free(&text);
    vector_destroy(&v);
}

void table_profile_to_json(const TableProfile *p, StrBuf *out)
{
    strbuf_putc(out, '[');
    for (int i = 0; i < p->ncols; i++) {
        const ColumnProfile *c = &p->cols[i];
        char type_buf[64];
        if (i) strbuf_putc(out, ',');
        strbuf_puts(out, "{\"column\":");
        json_append_string(out, c->name, strlen(c->name));
        strbuf_puts(out, ",\"type\":");
        const char *tname = type_name(c->type, type_buf, sizeof type_buf);
        json_append_string(out, tname, strlen(tname));
        strbuf_printf(out, ",\"count\":%lld,\"nulls\":%lld,\"distinct\":%lld", (long long)c->count,
                      (long long)c->nulls, (long long)table_profile_distinct(c));
        if (c->has_minmax) {
            strbuf_puts(out, ",\"min\":");
            append_value(out, &c->min);
            strbuf_puts(out, ",\"max\":");
            append_value(out, &c->max);
        }
        double mean;
        if (table_profile_mean(c, &mean)) {
            strbuf_puts(out, ",\"mean\":");
            append_double(out, mean);
        }
        if (c->type.id == TYPE_VARCHAR && c->max_length >= 0)
            strbuf_printf(out, ",\"max_length\":%lld", (long long)c->max_length);
        strbuf_putc(out, '}');
    }
    strbuf_putc(out, ']');
}
