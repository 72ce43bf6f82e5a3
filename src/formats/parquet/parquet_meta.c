/* parquet_meta: decoding and encoding of Parquet's Thrift structures (see
 * the header).  One decoder per struct: a loop over the fields that keeps
 * the known ones and skips the others, so files from newer writers read. */
#include "formats/parquet/parquet_meta.h"

#include <string.h>

static const char *arena_bytes_str(Arena *a, const uint8_t *s, uint32_t n)
{
    return arena_strndup(a, (const char *)(s ? s : (const uint8_t *)""), n);
}

static void decode_bytes(TcReader *r, PqBytes *b)
{
    b->data = tc_binary(r, &b->len);
    if (b->data == NULL) b->data = (const uint8_t *)"";
}

static void decode_statistics(TcReader *r, PqStatistics *s)
{
    memset(s, 0, sizeof *s);
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_BINARY) decode_bytes(r, &s->max);
        else if (id == 2 && t == TC_BINARY) decode_bytes(r, &s->min);
        else if (id == 3 && t == TC_I64) {
            s->has_null_count = true;
            s->null_count = tc_i64(r);
        } else if (id == 4 && t == TC_I64) {
            s->has_distinct_count = true;
            s->distinct_count = tc_i64(r);
        } else if (id == 5 && t == TC_BINARY) decode_bytes(r, &s->max_value);
        else if (id == 6 && t == TC_BINARY) decode_bytes(r, &s->min_value);
        else tc_skip(r, t);
    }
    tc_struct_end(r);
}

/* TimeUnit union: which member is set. */
static int decode_time_unit(TcReader *r)
{
    int unit = 0;
    if (!tc_struct_begin(r)) return 0;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (t == TC_STRUCT && id >= 1 && id <= 3) unit = id;
        tc_skip(r, t);
    }
    tc_struct_end(r);
    return unit;
}

static void decode_logical_type(TcReader *r, PqLogicalType *lt)
{
    memset(lt, 0, sizeof *lt);
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (t != TC_STRUCT) {
            tc_skip(r, t);
            continue;
        }
        lt->kind = id;
        if (id == PQ_LT_DECIMAL || id == PQ_LT_TIME || id == PQ_LT_TIMESTAMP || id == PQ_LT_INTEGER) {
            if (!tc_struct_begin(r)) break;
            int16_t fid;
            int ft;
            while (tc_field(r, &fid, &ft)) {
                if (id == PQ_LT_DECIMAL && fid == 1 && ft == TC_I32) lt->scale = tc_i32(r);
                else if (id == PQ_LT_DECIMAL && fid == 2 && ft == TC_I32) lt->precision = tc_i32(r);
                else if ((id == PQ_LT_TIME || id == PQ_LT_TIMESTAMP) && fid == 1 && (ft == TC_TRUE || ft == TC_FALSE))
                    lt->utc = tc_bool(r, ft);
                else if ((id == PQ_LT_TIME || id == PQ_LT_TIMESTAMP) && fid == 2 && ft == TC_STRUCT)
                    lt->unit = decode_time_unit(r);
                else if (id == PQ_LT_INTEGER && fid == 1 && ft == TC_BYTE) {
                    if (r->p < r->end) lt->bit_width = (int8_t)*r->p++;
                    else tc_fail(r, "unexpected end of metadata");
                } else if (id == PQ_LT_INTEGER && fid == 2 && (ft == TC_TRUE || ft == TC_FALSE))
                    lt->is_signed = tc_bool(r, ft);
                else tc_skip(r, ft);
            }
            tc_struct_end(r);
        } else {
            tc_skip(r, t);
        }
    }
    tc_struct_end(r);
}

static void decode_schema_element(TcReader *r, Arena *a, PqSchemaElement *e)
{
    memset(e, 0, sizeof *e);
    e->type = -1;
    e->repetition = -1;
    e->converted_type = -1;
    e->name = "";
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_I32) e->type = tc_i32(r);
        else if (id == 2 && t == TC_I32) e->type_length = tc_i32(r);
        else if (id == 3 && t == TC_I32) e->repetition = tc_i32(r);
        else if (id == 4 && t == TC_BINARY) {
            uint32_t n;
            const uint8_t *s = tc_binary(r, &n);
            e->name = arena_bytes_str(a, s, n);
        } else if (id == 5 && t == TC_I32) e->num_children = tc_i32(r);
        else if (id == 6 && t == TC_I32) e->converted_type = tc_i32(r);
        else if (id == 7 && t == TC_I32) e->scale = tc_i32(r);
        else if (id == 8 && t == TC_I32) e->precision = tc_i32(r);
        else if (id == 9 && t == TC_I32) {
            e->has_field_id = true;
            e->field_id = tc_i32(r);
        } else if (id == 10 && t == TC_STRUCT) decode_logical_type(r, &e->logical);
        else tc_skip(r, t);
    }
    tc_struct_end(r);
}

/* FileMetaData.column_orders: true only if every column declares
 * TypeDefinedOrder (union member 1); a member kiln does not know means its
 * statistics follow an order kiln cannot use (parquet-format: "readers MUST
 * ignore the statistics"). */
static bool decode_column_orders(TcReader *r)
{
    int et;
    uint32_t n;
    if (!tc_list_begin(r, &et, &n)) return false;
    bool all_typed = n > 0;
    for (uint32_t i = 0; i < n && r->ok; i++) {
        if (et != TC_STRUCT) {
            tc_skip(r, et);
            all_typed = false;
            continue;
        }
        if (!tc_struct_begin(r)) return false;
        int16_t id;
        int t;
        bool typed = false;
        while (tc_field(r, &id, &t)) {
            if (id == 1 && t == TC_STRUCT) typed = true;
            tc_skip(r, t);
        }
        tc_struct_end(r);
        all_typed &= typed;
    }
    return all_typed && r->ok;
}

static void decode_key_values(TcReader *r, Arena *a, PqKeyValue **out, uint32_t *nout)
{
    int et;
    uint32_t n;
    if (!tc_list_begin(r, &et, &n)) return;
    if (et != TC_STRUCT) {
        for (uint32_t i = 0; i < n && r->ok; i++) tc_skip(r, et);
        return;
    }
    PqKeyValue *kv = arena_calloc(a, sizeof *kv * (n + 1));
    for (uint32_t i = 0; i < n && r->ok; i++) {
        kv[i].key = "";
        if (!tc_struct_begin(r)) break;
        int16_t id;
        int t;
        while (tc_field(r, &id, &t)) {
            uint32_t len;
            if (id == 1 && t == TC_BINARY) {
                const uint8_t *s = tc_binary(r, &len);
                kv[i].key = arena_bytes_str(a, s, len);
            } else if (id == 2 && t == TC_BINARY) {
                const uint8_t *s = tc_binary(r, &len);
                kv[i].value = arena_bytes_str(a, s, len);
            } else tc_skip(r, t);
        }
        tc_struct_end(r);
    }
    *out = kv;
    *nout = n;
}

static void decode_column_meta(TcReader *r, Arena *a, PqColumnMeta *m)
{
    memset(m, 0, sizeof *m);
    m->type = -1;
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_I32) m->type = tc_i32(r);
        else if (id == 2 && t == TC_LIST) {
            int et;
            uint32_t n;
            if (!tc_list_begin(r, &et, &n)) break;
            m->encodings = arena_calloc(a, sizeof(int) * (n + 1));
            m->nencodings = n;
            for (uint32_t i = 0; i < n && r->ok; i++) {
                if (et == TC_I32) m->encodings[i] = tc_i32(r);
                else tc_skip(r, et);
            }
        } else if (id == 3 && t == TC_LIST) {
            int et;
            uint32_t n;
            if (!tc_list_begin(r, &et, &n)) break;
            m->path = arena_calloc(a, sizeof(char *) * (n + 1));
            m->npath = n;
            for (uint32_t i = 0; i < n && r->ok; i++) {
                uint32_t len;
                const uint8_t *s = et == TC_BINARY ? tc_binary(r, &len) : (tc_skip(r, et), NULL);
                m->path[i] = s ? arena_bytes_str(a, s, len) : "";
            }
        } else if (id == 4 && t == TC_I32) m->codec = tc_i32(r);
        else if (id == 5 && t == TC_I64) m->num_values = tc_i64(r);
        else if (id == 6 && t == TC_I64) m->total_uncompressed_size = tc_i64(r);
        else if (id == 7 && t == TC_I64) m->total_compressed_size = tc_i64(r);
        else if (id == 8 && t == TC_LIST) decode_key_values(r, a, &m->kv, &m->nkv);
        else if (id == 9 && t == TC_I64) m->data_page_offset = tc_i64(r);
        else if (id == 11 && t == TC_I64) {
            m->has_dictionary_page_offset = true;
            m->dictionary_page_offset = tc_i64(r);
        } else if (id == 12 && t == TC_STRUCT) {
            m->has_statistics = true;
            decode_statistics(r, &m->statistics);
        } else tc_skip(r, t);
    }
    tc_struct_end(r);
}

static void decode_column_chunk(TcReader *r, Arena *a, PqColumnChunk *c)
{
    memset(c, 0, sizeof *c);
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_BINARY) {
            uint32_t n;
            const uint8_t *s = tc_binary(r, &n);
            c->file_path = arena_bytes_str(a, s, n);
        } else if (id == 2 && t == TC_I64) c->file_offset = tc_i64(r);
        else if (id == 3 && t == TC_STRUCT) {
            c->has_meta = true;
            decode_column_meta(r, a, &c->meta);
        } else tc_skip(r, t);
    }
    tc_struct_end(r);
}

static void decode_row_group(TcReader *r, Arena *a, PqRowGroup *g)
{
    memset(g, 0, sizeof *g);
    if (!tc_struct_begin(r)) return;
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_LIST) {
            int et;
            uint32_t n;
            if (!tc_list_begin(r, &et, &n)) break;
            if (et != TC_STRUCT) {
                tc_fail(r, "bad column chunk list");
                break;
            }
            g->columns = arena_calloc(a, sizeof *g->columns * (n + 1));
            g->ncolumns = n;
            for (uint32_t i = 0; i < n && r->ok; i++) decode_column_chunk(r, a, &g->columns[i]);
        } else if (id == 2 && t == TC_I64) g->total_byte_size = tc_i64(r);
        else if (id == 3 && t == TC_I64) g->num_rows = tc_i64(r);
        else if (id == 5 && t == TC_I64) {
            g->has_file_offset = true;
            g->file_offset = tc_i64(r);
        } else if (id == 6 && t == TC_I64) {
            g->has_total_compressed_size = true;
            g->total_compressed_size = tc_i64(r);
        } else tc_skip(r, t);
    }
    tc_struct_end(r);
}

static bool fail_decode(TcReader *r, const char *what, Error *err)
{
    return error_set(err, ERR_DATA, "invalid Parquet %s: %s", what, r->why ? r->why : "malformed Thrift data");
}

bool pq_decode_file_meta(const uint8_t *p, size_t n, Arena *a, PqFileMeta *m, Error *err)
{
    memset(m, 0, sizeof *m);
    TcReader rd, *r = &rd;
    tc_reader_init(r, p, n);
    if (!tc_struct_begin(r)) return fail_decode(r, "footer", err);
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_I32) m->version = tc_i32(r);
        else if (id == 2 && t == TC_LIST) {
            int et;
            uint32_t cnt;
            if (!tc_list_begin(r, &et, &cnt)) break;
            if (et != TC_STRUCT) {
                tc_fail(r, "bad schema list");
                break;
            }
            m->schema = arena_calloc(a, sizeof *m->schema * (cnt + 1));
            m->nschema = cnt;
            for (uint32_t i = 0; i < cnt && r->ok; i++) decode_schema_element(r, a, &m->schema[i]);
        } else if (id == 3 && t == TC_I64) m->num_rows = tc_i64(r);
        else if (id == 4 && t == TC_LIST) {
            int et;
            uint32_t cnt;
            if (!tc_list_begin(r, &et, &cnt)) break;
            if (et != TC_STRUCT) {
                tc_fail(r, "bad row group list");
                break;
            }
            m->row_groups = arena_calloc(a, sizeof *m->row_groups * (cnt + 1));
            m->nrow_groups = cnt;
            for (uint32_t i = 0; i < cnt && r->ok; i++) decode_row_group(r, a, &m->row_groups[i]);
        } else if (id == 5 && t == TC_LIST) decode_key_values(r, a, &m->kv, &m->nkv);
        else if (id == 6 && t == TC_BINARY) {
            uint32_t len;
            const uint8_t *s = tc_binary(r, &len);
            m->created_by = arena_bytes_str(a, s, len);
        } else if (id == 7 && t == TC_LIST) {
            m->has_column_orders = decode_column_orders(r);
        } else tc_skip(r, t);
    }
    tc_struct_end(r);
    if (!r->ok) return fail_decode(r, "footer", err);
    return true;
}

bool pq_decode_page_header(const uint8_t *p, size_t n, PqPageHeader *h, size_t *used, Error *err)
{
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = true;
    TcReader rd, *r = &rd;
    tc_reader_init(r, p, n);
    if (!tc_struct_begin(r)) return fail_decode(r, "page header", err);
    int16_t id;
    int t;
    while (tc_field(r, &id, &t)) {
        if (id == 1 && t == TC_I32) h->type = tc_i32(r);
        else if (id == 2 && t == TC_I32) h->uncompressed_size = tc_i32(r);
        else if (id == 3 && t == TC_I32) h->compressed_size = tc_i32(r);
        else if (id == 4 && t == TC_I32) {
            h->has_crc = true;
            h->crc = tc_i32(r);
        } else if ((id == 5 || id == 7 || id == 8) && t == TC_STRUCT) {
            if (!tc_struct_begin(r)) break;
            if (id == 5) h->has_data_header = true;
            if (id == 7) h->has_dict_header = true;
            if (id == 8) h->has_v2_header = true;
            int16_t fid;
            int ft;
            while (tc_field(r, &fid, &ft)) {
                if (fid == 1 && ft == TC_I32) h->num_values = tc_i32(r);
                else if (id == 5 && fid == 2 && ft == TC_I32) h->encoding = tc_i32(r);
                else if (id == 5 && fid == 3 && ft == TC_I32) h->def_encoding = tc_i32(r);
                else if (id == 5 && fid == 4 && ft == TC_I32) h->rep_encoding = tc_i32(r);
                else if (id == 7 && fid == 2 && ft == TC_I32) h->encoding = tc_i32(r);
                else if (id == 8 && fid == 2 && ft == TC_I32) h->num_nulls = tc_i32(r);
                else if (id == 8 && fid == 3 && ft == TC_I32) h->num_rows = tc_i32(r);
                else if (id == 8 && fid == 4 && ft == TC_I32) h->encoding = tc_i32(r);
                else if (id == 8 && fid == 5 && ft == TC_I32) h->def_length = tc_i32(r);
                else if (id == 8 && fid == 6 && ft == TC_I32) h->rep_length = tc_i32(r);
                else if (id == 8 && fid == 7 && (ft == TC_TRUE || ft == TC_FALSE)) h->is_compressed = tc_bool(r, ft);
                else tc_skip(r, ft);
            }
            tc_struct_end(r);
        } else tc_skip(r, t);
    }
    tc_struct_end(r);
    if (!r->ok) return fail_decode(r, "page header", err);
    *used = (size_t)(r->p - p);
    return true;
}

/* ---- encoding ---- */

static void encode_statistics(TcWriter *w, const PqStatistics *s)
{
    tc_write_struct_begin(w);
    if (s->max.data) tc_write_binary_field(w, 1, s->max.data, s->max.len);
    if (s->min.data) tc_write_binary_field(w, 2, s->min.data, s->min.len);
    if (s->has_null_count) tc_write_i64_field(w, 3, s->null_count);
    if (s->max_value.data) tc_write_binary_field(w, 5, s->max_value.data, s->max_value.len);
    if (s->min_value.data) tc_write_binary_field(w, 6, s->min_value.data, s->min_value.len);
    tc_write_struct_end(w);
}

static void encode_empty_struct_field(TcWriter *w, int16_t id)
{
    tc_write_field(w, id, TC_STRUCT);
    tc_write_struct_begin(w);
    tc_write_struct_end(w);
}

static void encode_logical_type(TcWriter *w, const PqLogicalType *lt)
{
    tc_write_struct_begin(w);
    tc_write_field(w, (int16_t)lt->kind, TC_STRUCT);
    tc_write_struct_begin(w);
    if (lt->kind == PQ_LT_DECIMAL) {
        tc_write_i32_field(w, 1, lt->scale);
        tc_write_i32_field(w, 2, lt->precision);
    } else if (lt->kind == PQ_LT_TIMESTAMP || lt->kind == PQ_LT_TIME) {
        tc_write_bool_field(w, 1, lt->utc);
        tc_write_field(w, 2, TC_STRUCT);
        tc_write_struct_begin(w);
        encode_empty_struct_field(w, (int16_t)lt->unit);
        tc_write_struct_end(w);
    }
    tc_write_struct_end(w);
    tc_write_struct_end(w);
}

static void encode_key_values(TcWriter *w, int16_t id, const PqKeyValue *kv, uint32_t n)
{
    tc_write_field(w, id, TC_LIST);
    tc_write_list_begin(w, TC_STRUCT, n);
    for (uint32_t i = 0; i < n; i++) {
        tc_write_struct_begin(w);
        tc_write_binary_field(w, 1, kv[i].key, strlen(kv[i].key));
        if (kv[i].value) tc_write_binary_field(w, 2, kv[i].value, strlen(kv[i].value));
        tc_write_struct_end(w);
    }
}

void pq_encode_file_meta(TcWriter *w, const PqFileMeta *m)
{
    tc_write_struct_begin(w);
    tc_write_i32_field(w, 1, m->version);
    tc_write_field(w, 2, TC_LIST);
    tc_write_list_begin(w, TC_STRUCT, m->nschema);
    for (uint32_t i = 0; i < m->nschema; i++) {
        const PqSchemaElement *e = &m->schema[i];
        tc_write_struct_begin(w);
        if (e->type >= 0) tc_write_i32_field(w, 1, e->type);
        if (e->type == PQ_FIXED) tc_write_i32_field(w, 2, e->type_length);
        if (e->repetition >= 0) tc_write_i32_field(w, 3, e->repetition);
        tc_write_binary_field(w, 4, e->name, strlen(e->name));
        if (e->num_children > 0 || e->type < 0) tc_write_i32_field(w, 5, e->num_children);
        if (e->converted_type >= 0) tc_write_i32_field(w, 6, e->converted_type);
        if (e->converted_type == PQ_CT_DECIMAL) {
            tc_write_i32_field(w, 7, e->scale);
            tc_write_i32_field(w, 8, e->precision);
        }
        if (e->logical.kind != PQ_LT_NONE) {
            tc_write_field(w, 10, TC_STRUCT);
            encode_logical_type(w, &e->logical);
        }
        tc_write_struct_end(w);
    }
    tc_write_i64_field(w, 3, m->num_rows);
    tc_write_field(w, 4, TC_LIST);
    tc_write_list_begin(w, TC_STRUCT, m->nrow_groups);
    for (uint32_t g = 0; g < m->nrow_groups; g++) {
        const PqRowGroup *rg = &m->row_groups[g];
        tc_write_struct_begin(w);
        tc_write_field(w, 1, TC_LIST);
        tc_write_list_begin(w, TC_STRUCT, rg->ncolumns);
        for (uint32_t c = 0; c < rg->ncolumns; c++) {
            const PqColumnChunk *cc = &rg->columns[c];
            const PqColumnMeta *cm = &cc->meta;
            tc_write_struct_begin(w);
            tc_write_i64_field(w, 2, cc->file_offset);
            tc_write_field(w, 3, TC_STRUCT);
            tc_write_struct_begin(w);
            tc_write_i32_field(w, 1, cm->type);
            tc_write_field(w, 2, TC_LIST);
            tc_write_list_begin(w, TC_I32, cm->nencodings);
            for (uint32_t e = 0; e < cm->nencodings; e++) tc_write_i32(w, cm->encodings[e]);
            tc_write_field(w, 3, TC_LIST);
            tc_write_list_begin(w, TC_BINARY, cm->npath);
            for (uint32_t e = 0; e < cm->npath; e++) tc_write_binary(w, cm->path[e], strlen(cm->path[e]));
            tc_write_i32_field(w, 4, cm->codec);
            tc_write_i64_field(w, 5, cm->num_values);
            tc_write_i64_field(w, 6, cm->total_uncompressed_size);
            tc_write_i64_field(w, 7, cm->total_compressed_size);
            if (cm->nkv) encode_key_values(w, 8, cm->kv, cm->nkv);
            tc_write_i64_field(w, 9, cm->data_page_offset);
            if (cm->has_dictionary_page_offset) tc_write_i64_field(w, 11, cm->dictionary_page_offset);
            if (cm->has_statistics) {
                tc_write_field(w, 12, TC_STRUCT);
                encode_statistics(w, &cm->statistics);
            }
            tc_write_struct_end(w);
            tc_write_struct_end(w);
        }
        tc_write_i64_field(w, 2, rg->total_byte_size);
        tc_write_i64_field(w, 3, rg->num_rows);
        if (rg->has_file_offset) tc_write_i64_field(w, 5, rg->file_offset);
        if (rg->has_total_compressed_size) tc_write_i64_field(w, 6, rg->total_compressed_size);
        tc_write_struct_end(w);
    }
    if (m->nkv) encode_key_values(w, 5, m->kv, m->nkv);
    if (m->created_by) tc_write_binary_field(w, 6, m->created_by, strlen(m->created_by));
    if (m->has_column_orders) {
        /* one TypeDefinedOrder per leaf: min_value/max_value use the type's order */
        uint32_t leaves = 0;
        for (uint32_t i = 0; i < m->nschema; i++)
            if (m->schema[i].type >= 0) leaves++;
        tc_write_field(w, 7, TC_LIST);
        tc_write_list_begin(w, TC_STRUCT, leaves);
        for (uint32_t i = 0; i < leaves; i++) {
            tc_write_struct_begin(w);
            encode_empty_struct_field(w, 1);
            tc_write_struct_end(w);
        }
    }
    tc_write_struct_end(w);
}

void pq_encode_page_header(TcWriter *w, const PqPageHeader *h)
{
    tc_write_struct_begin(w);
    tc_write_i32_field(w, 1, h->type);
    tc_write_i32_field(w, 2, h->uncompressed_size);
    tc_write_i32_field(w, 3, h->compressed_size);
    if (h->type == PQ_PAGE_DATA) {
        tc_write_field(w, 5, TC_STRUCT);
        tc_write_struct_begin(w);
        tc_write_i32_field(w, 1, h->num_values);
        tc_write_i32_field(w, 2, h->encoding);
        tc_write_i32_field(w, 3, h->def_encoding);
        tc_write_i32_field(w, 4, h->rep_encoding);
        if (h->has_statistics) {
            tc_write_field(w, 5, TC_STRUCT);
            encode_statistics(w, &h->statistics);
        }
        tc_write_struct_end(w);
    } else if (h->type == PQ_PAGE_DICTIONARY) {
        tc_write_field(w, 7, TC_STRUCT);
        tc_write_struct_begin(w);
        tc_write_i32_field(w, 1, h->num_values);
        tc_write_i32_field(w, 2, h->encoding);
        tc_write_struct_end(w);
    } else if (h->type == PQ_PAGE_DATA_V2) {
        tc_write_field(w, 8, TC_STRUCT);
        tc_write_struct_begin(w);
        tc_write_i32_field(w, 1, h->num_values);
        tc_write_i32_field(w, 2, h->num_nulls);
        tc_write_i32_field(w, 3, h->num_rows);
        tc_write_i32_field(w, 4, h->encoding);
        tc_write_i32_field(w, 5, h->def_length);
        tc_write_i32_field(w, 6, h->rep_length);
        tc_write_bool_field(w, 7, h->is_compressed);
        tc_write_struct_end(w);
    }
    tc_write_struct_end(w);
}

const char *pq_type_name(int type)
{
    static const char *const names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
                                        "FIXED_LEN_BYTE_ARRAY"};
    return type >= 0 && type < 8 ? names[type] : "UNKNOWN";
}

const char *pq_converted_type_name(int ct)
{
    static const char *const names[] = {
        "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
        "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
        "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"};
    return ct >= 0 && ct < 22 ? names[ct] : "UNKNOWN";
}

const char *pq_encoding_name(int enc)
{
    static const char *const names[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                                        "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                                        "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return enc >= 0 && enc < 10 ? names[enc] : "UNKNOWN";
}

const char *pq_codec_name(int codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < 8 ? names[codec] : "UNKNOWN";
}
