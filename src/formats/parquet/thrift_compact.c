/* thrift_compact: Thrift compact protocol reader and writer (see the header).
 * Integers are ULEB128 varints of their zigzag form; a field header packs the
 * id delta (1..15) in the high nibble and the type in the low one, or a
 * zero nibble followed by the id as a zigzag i16. */
#include "formats/parquet/thrift_compact.h"

#include <string.h>

#include "common/mem.h"

void tc_reader_init(TcReader *r, const uint8_t *p, size_t n)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->end = p + n;
    r->ok = true;
}

bool tc_fail(TcReader *r, const char *why)
{
    if (r->ok) r->why = why;
    r->ok = false;
    r->p = r->end;
    return false;
}

static uint64_t read_varint(TcReader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) {
            tc_fail(r, "unexpected end of metadata");
            return 0;
        }
        uint8_t b = *r->p++;
        if (shift == 63 && (b & 0x7e)) {
            tc_fail(r, "varint too long");
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    tc_fail(r, "varint too long");
    return 0;
}

static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

bool tc_struct_begin(TcReader *r)
{
    if (!r->ok) return false;
    if (r->depth >= TC_MAX_DEPTH) return tc_fail(r, "metadata nested too deeply");
    r->last_id[++r->depth] = 0;
    return true;
}

void tc_struct_end(TcReader *r)
{
    if (r->depth > 0) r->depth--;
}

bool tc_field(TcReader *r, int16_t *id, int *type)
{
    if (!r->ok) return false;
    if (r->p >= r->end) return tc_fail(r, "unexpected end of metadata");
    uint8_t b = *r->p++;
    if (b == TC_STOP) return false;
    int t = b & 0x0f;
    int delta = b >> 4;
    int16_t fid;
    if (delta) {
        fid = (int16_t)(r->last_id[r->depth] + delta);
    } else {
        int64_t v = unzigzag(read_varint(r));
        if (v < INT16_MIN || v > INT16_MAX) return tc_fail(r, "bad field id");
        fid = (int16_t)v;
    }
    if (t < TC_TRUE || t > TC_STRUCT) return tc_fail(r, "bad field type");
    r->last_id[r->depth] = fid;
    *id = fid;
    *type = t;
    return r->ok;
}

int32_t tc_i32(TcReader *r)
{
    int64_t v = unzigzag(read_varint(r));
    if (v < INT32_MIN || v > INT32_MAX) {
        tc_fail(r, "integer out of range");
        return 0;
    }
    return (int32_t)v;
}

int64_t tc_i64(TcReader *r) { return unzigzag(read_varint(r)); }

bool tc_bool(TcReader *r, int type)
{
    if (type == TC_TRUE) return true;
    if (type == TC_FALSE) return false;
    /* a list element: one byte */
    if (r->p >= r->end) return tc_fail(r, "unexpected end of metadata");
    return *r->p++ == 1;
}

double tc_double(TcReader *r)
{
    double d = 0;
    if (r->end - r->p < 8) {
        tc_fail(r, "unexpected end of metadata");
        return 0;
    }
    memcpy(&d, r->p, 8);
    r->p += 8;
    return d;
}

const uint8_t *tc_binary(TcReader *r, uint32_t *len)
{
    uint64_t n = read_varint(r);
    *len = 0;
    if (!r->ok) return NULL;
    if (n > (uint64_t)(r->end - r->p)) {
        tc_fail(r, "string longer than the metadata");
        return NULL;
    }
    const uint8_t *s = r->p;
    r->p += n;
    *len = (uint32_t)n;
    return s;
}

bool tc_list_begin(TcReader *r, int *elem_type, uint32_t *count)
{
    if (!r->ok) return false;
    if (r->p >= r->end) return tc_fail(r, "unexpected end of metadata");
    uint8_t b = *r->p++;
    uint64_t n = b >> 4;
    if (n == 15) n = read_varint(r);
    *elem_type = b & 0x0f;
    /* every element takes at least one byte (bools in lists too) */
    if (!r->ok || n > (uint64_t)(r->end - r->p)) return tc_fail(r, "list longer than the metadata");
    *count = (uint32_t)n;
    return true;
}

void tc_skip(TcReader *r, int type)
{
    if (!r->ok) return;
    switch (type) {
    case TC_TRUE:
    case TC_FALSE: return;
    case TC_BYTE:
        if (r->p >= r->end) tc_fail(r, "unexpected end of metadata");
        else r->p++;
        return;
    case TC_I16:
    case TC_I32:
    case TC_I64: read_varint(r); return;
    case TC_DOUBLE: tc_double(r); return;
    case TC_BINARY: {
        uint32_t n;
        tc_binary(r, &n);
        return;
    }
    case TC_LIST:
    case TC_SET: {
        int et;
        uint32_t n;
        if (!tc_list_begin(r, &et, &n)) return;
        if (r->depth >= TC_MAX_DEPTH) {
            tc_fail(r, "metadata nested too deeply");
            return;
        }
        r->depth++;
        for (uint32_t i = 0; i < n && r->ok; i++) tc_skip(r, et == TC_TRUE || et == TC_FALSE ? TC_BYTE : et);
        r->depth--;
        return;
    }
    case TC_MAP: {
        uint64_t n = read_varint(r);
        if (!r->ok || n == 0) return;
        if (r->p >= r->end || n > (uint64_t)(r->end - r->p)) {
            tc_fail(r, "map longer than the metadata");
            return;
        }
        uint8_t kv = *r->p++;
        if (r->depth >= TC_MAX_DEPTH) {
            tc_fail(r, "metadata nested too deeply");
            return;
        }
        r->depth++;
        for (uint64_t i = 0; i < n && r->ok; i++) {
            int kt = kv >> 4, vt = kv & 0x0f;
            tc_skip(r, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
            tc_skip(r, vt == TC_TRUE || vt == TC_FALSE ? TC_BYTE : vt);
        }
        r->depth--;
        return;
    }
    case TC_STRUCT: {
        if (!tc_struct_begin(r)) return;
        int16_t id;
        int t;
        while (tc_field(r, &id, &t)) tc_skip(r, t);
        tc_struct_end(r);
        return;
    }
    default: tc_fail(r, "bad element type"); return;
    }
}

/* ---- writer ---- */

void tc_writer_init(TcWriter *w) { memset(w, 0, sizeof *w); }

void tc_writer_free(TcWriter *w)
{
    mem_free(w->data);
    memset(w, 0, sizeof *w);
}

static void put(TcWriter *w, const void *s, size_t n)
{
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        while (cap < w->len + n) cap *= 2;
        w->data = mem_realloc(w->data, cap);
        w->cap = cap;
    }
    if (n) memcpy(w->data + w->len, s, n);
    w->len += n;
}

static void put_byte(TcWriter *w, uint8_t b) { put(w, &b, 1); }

static void put_varint(TcWriter *w, uint64_t v)
{
    uint8_t buf[10];
    int n = 0;
    while (v >= 0x80) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    put(w, buf, (size_t)n);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

void tc_write_struct_begin(TcWriter *w)
{
    if (w->depth < TC_MAX_DEPTH) w->last_id[++w->depth] = 0;
}

void tc_write_struct_end(TcWriter *w)
{
    put_byte(w, TC_STOP);
    if (w->depth > 0) w->depth--;
}

void tc_write_field(TcWriter *w, int16_t id, int type)
{
    int delta = id - w->last_id[w->depth];
    if (delta > 0 && delta <= 15) {
        put_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        put_byte(w, (uint8_t)type);
        put_varint(w, zigzag(id));
    }
    w->last_id[w->depth] = id;
}

void tc_write_i32(TcWriter *w, int32_t v) { put_varint(w, zigzag(v)); }
void tc_write_i64(TcWriter *w, int64_t v) { put_varint(w, zigzag(v)); }

void tc_write_binary(TcWriter *w, const void *s, size_t n)
{
    put_varint(w, n);
    put(w, s, n);
}

void tc_write_list_begin(TcWriter *w, int elem_type, uint32_t count)
{
    if (count < 15) {
        put_byte(w, (uint8_t)(count << 4 | (uint32_t)elem_type));
    } else {
        put_byte(w, (uint8_t)(0xf0 | elem_type));
        put_varint(w, count);
    }
}

void tc_write_i32_field(TcWriter *w, int16_t id, int32_t v)
{
    tc_write_field(w, id, TC_I32);
    tc_write_i32(w, v);
}

void tc_write_i64_field(TcWriter *w, int16_t id, int64_t v)
{
    tc_write_field(w, id, TC_I64);
    tc_write_i64(w, v);
}

void tc_write_bool_field(TcWriter *w, int16_t id, bool v) { tc_write_field(w, id, v ? TC_TRUE : TC_FALSE); }

void tc_write_binary_field(TcWriter *w, int16_t id, const void *s, size_t n)
{
    tc_write_field(w, id, TC_BINARY);
    tc_write_binary(w, s, n);
}
