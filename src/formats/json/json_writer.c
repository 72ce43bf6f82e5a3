/* json_writer: batches to JSON Lines (see json_writer.h for the rules).
 * Keys are escaped once at begin; each row is appended to one buffer that
 * goes to the file when it passes 1 MiB.  Memory: the buffer, the keys and
 * a scratch buffer for formatted values. */
#include "formats/json/json_writer.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "formats/json/json_text.h"
#include "io/compress.h"
#include "io/fs.h"
#include "types/cast.h"

#define JSON_WRITE_BUFFER (1u << 20)

struct JsonWriter {
    FsWriter *file;
    bool owns_file;   /* json_writer_open's file (committed/aborted here), not json_writer_open_on's */
    size_t flush_at;  /* buffered bytes that trigger a write */
    uint64_t flushed;
    FILE *stream;
    int ncols;
    char **keys;      /* "name": */
    StrBuf buf;
    StrBuf scratch;
};

static JsonWriter *writer_new(size_t buffer_bytes)
{
    JsonWriter *w = mem_calloc(1, sizeof *w);
    w->flush_at = buffer_bytes;
    strbuf_reserve(&w->buf, buffer_bytes);
    return w;
}

JsonWriter *json_writer_open(const char *path, Compression codec, Error *err)
{
    JsonWriter *w = writer_new(JSON_WRITE_BUFFER);
    w->owns_file = true;
    w->file = compress_open_write(path, codec, err);
    if (w->file == NULL) {
        json_writer_abort(w);
        return NULL;
    }
    return w;
}

JsonWriter *json_writer_open_stream(FILE *out, Error *err)
{
    (void)err;
    JsonWriter *w = writer_new(JSON_WRITE_BUFFER);
    w->stream = out;
    return w;
}

JsonWriter *json_writer_open_on(FsWriter *out, size_t buffer_bytes)
{
    JsonWriter *w = writer_new(buffer_bytes < 4096 ? 4096 : buffer_bytes);
    w->file = out;
    return w;
}

bool json_writer_begin(JsonWriter *w, int ncols, const char *const *names, Error *err)
{
    (void)err;
    w->ncols = ncols;
    w->keys = mem_calloc((size_t)(ncols + 1), sizeof *w->keys);
    for (int c = 0; c < ncols; c++) {
        StrBuf key = STRBUF_INIT;
        json_append_string(&key, names[c], strlen(names[c]));
        strbuf_putc(&key, ':');
        w->keys[c] = strbuf_take(&key);
    }
    return true;
}

static bool flush(JsonWriter *w, Error *err)
{
    if (w->buf.len == 0) return true;
    if (w->file) {
        if (!fs_writer_write(w->file, w->buf.data, w->buf.len, err)) return false;
    } else if (fwrite(w->buf.data, 1, w->buf.len, w->stream) != w->buf.len) {
        return error_set(err, ERR_IO, "could not write JSON output");
    }
    w->flushed += w->buf.len;
    strbuf_clear(&w->buf);
    return true;
}

void json_append_value(StrBuf *out, const Vector *v, uint32_t row, StrBuf *scratch)
{
    if (!vector_is_valid(v, row)) {
        strbuf_append(out, "null", 4);
        return;
    }
    switch (v->type.id) {
    case TYPE_BOOLEAN:
        if (VEC_DATA(v, uint8_t)[row]) strbuf_append(out, "true", 4);
        else strbuf_append(out, "false", 5);
        return;
    case TYPE_INTEGER: strbuf_printf(out, "%d", VEC_DATA(v, int32_t)[row]); return;
    case TYPE_BIGINT: strbuf_printf(out, "%lld", (long long)VEC_DATA(v, int64_t)[row]); return;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        json_append_string(out, kstring_data(k), k->len);
        return;
    }
    default: break;
    }
    strbuf_clear(scratch);
    cast_format_value(v, row, scratch);
    const char *text = scratch->data ? scratch->data : "";
    if (v->type.id == TYPE_DECIMAL || (v->type.id == TYPE_DOUBLE && isfinite(VEC_DATA(v, double)[row])))
        strbuf_append(out, text, scratch->len);
    else
        json_append_string(out, text, scratch->len);
}

bool json_writer_write_batch(JsonWriter *w, const Batch *b, Error *err)
{
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        strbuf_putc(&w->buf, '{');
        for (int c = 0; c < w->ncols; c++) {
            if (c > 0) strbuf_putc(&w->buf, ',');
            strbuf_puts(&w->buf, w->keys[c]);
            json_append_value(&w->buf, b->cols[c], row, &w->scratch);
        }
        strbuf_append(&w->buf, "}\n", 2);
        if (w->buf.len >= w->flush_at && !flush(w, err)) return false;
    }
    return true;
}

static void free_writer(JsonWriter *w)
{
    for (int c = 0; c < w->ncols; c++) mem_free(w->keys[c]);
    mem_free(w->keys);
    strbuf_free(&w->buf);
    strbuf_free(&w->scratch);
    mem_free(w);
}

bool json_writer_close(JsonWriter *w, Error *err)
{
    bool ok = flush(w, err);
    if (w->file && !w->owns_file) {
        /* json_writer_open_on: the caller commits or aborts the file */
    } else if (w->file) {
        if (ok) ok = fs_writer_commit(w->file, err);
        else fs_writer_abort(w->file);
    } else if (ok && fflush(w->stream) != 0) {
        ok = error_set(err, ERR_IO, "could not write JSON output");
    }
    free_writer(w);
    return ok;
}

bool json_writer_finish(JsonWriter *w, Error *err)
{
    return json_writer_close(w, err);
}

uint64_t json_writer_bytes(const JsonWriter *w)
{
    return w->flushed + w->buf.len;
}

uint64_t json_writer_memory(const JsonWriter *w)
{
    return sizeof *w + w->buf.cap + w->scratch.cap;
}

void json_writer_abort(JsonWriter *w)
{
    if (w == NULL) return;
    if (w->owns_file) fs_writer_abort(w->file);
    free_writer(w);
}
