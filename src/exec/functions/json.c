/* json: PostgreSQL's JSON operators and functions on text holding JSON
 * (kiln has no json type: `json` and `jsonb` are names of text, and these
 * functions read their argument as JSON):
 *
 *   j -> 'key'   j -> 2         the member / array element as JSON text
 *   j ->> 'key'  j ->> 2        ... as text (a string's value; JSON null = NULL)
 *   j #> '{a,0,b}'              the value at a path, as JSON text
 *   j #>> '{a,0,b}'             ... as text
 *   json_extract_path(j, 'a', '0', 'b')   = j #> '{a,0,b}'
 *   json_extract_path_text(j, 'a', ...)   = j #>> '{a,...}'
 *   json_array_length(j)        elements of a JSON array (error otherwise)
 *   json_typeof(j)              object, array, string, number, boolean, null
 * and jsonb_ spellings of each.  As in PostgreSQL: a missing key, an index
 * out of range, or a step into a scalar gives NULL; a negative index counts
 * from the end; a path step into an array must be an integer.  The input is
 * validated whole (invalid JSON is an error, `invalid input syntax for type
 * json`), so a value is never read out of broken text.  Results that are
 * JSON text are the value's bytes as they appear in the input.
 *
 * How: each row's text is scanned once to validate it (json_text.c), then
 * walked step by step, skipping unwanted members with json_scan_value.
 * Memory: one scratch buffer for unescaped keys and results. */
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/function.h"
#include "formats/json/json_text.h"

#define V TYPE_VARCHAR
#define I TYPE_INTEGER

typedef struct JsonSpan {
    const char *p, *end; /* the value's bytes; p == NULL: no value (SQL NULL) */
    JsonKind kind;
} JsonSpan;

/* Validate a whole JSON document and return its top value. */
static bool parse_document(FunctionCall *call, const KString *s, JsonSpan *out, Error *err)
{
    const char *p = kstring_data(s), *end = p + s->len;
    JsonProblem pr;
    const char *vstart = json_skip_ws(p, end), *vend;
    if (!json_scan_value(vstart, end, JSON_DEFAULT_MAX_DEPTH, &out->kind, &vend, &pr))
        return error_set_at(err, ERR_DATA, call->sql_pos, "invalid input syntax for type json: %s at character %d",
                            pr.message, (int)(pr.at - p) + 1);
    if (json_skip_ws(vend, end) != end)
        return error_set_at(err, ERR_DATA, call->sql_pos,
                            "invalid input syntax for type json: extra data after the value at character %d",
                            (int)(json_skip_ws(vend, end) - p) + 1);
    out->p = vstart;
    out->end = vend;
    return true;
}

/* The value after p (whitespace skipped), already validated. */
static const char *skip_value(const char *p, const char *end, JsonKind *kind)
{
    const char *vend = end;
    JsonKind k = JSON_NULL;
    json_scan_value(p, end, JSON_DEPTH_CAP, &k, &vend, NULL);
    if (kind) *kind = k;
    return vend;
}

/* Member `key` of the object v (the last one if repeated, as jsonb keeps it). */
static JsonSpan get_member(JsonSpan v, const char *key, size_t klen, StrBuf *scratch)
{
    JsonSpan none = {NULL, NULL, JSON_NULL}, found = none;
    if (v.p == NULL || v.kind != JSON_OBJECT) return none;
    const char *p = json_skip_ws(v.p + 1, v.end);
    if (*p == '}') return none;
    for (;;) {
        const char *kend;
        bool escapes;
        json_scan_string(p, v.end, &kend, &escapes, NULL);
        bool match;
        if (escapes) {
            strbuf_clear(scratch);
            json_unescape(p + 1, kend - 1, scratch);
            match = scratch->len == klen && memcmp(scratch->data, key, klen) == 0;
        } else {
            match = (size_t)(kend - p - 2) == klen && memcmp(p + 1, key, klen) == 0;
        }
        p = json_skip_ws(json_skip_ws(kend, v.end) + 1, v.end); /* past ':' */
        JsonKind k;
        const char *vend = skip_value(p, v.end, &k);
        if (match) found = (JsonSpan){p, vend, k};
        p = json_skip_ws(vend, v.end);
        if (*p == '}') return found;
        p = json_skip_ws(p + 1, v.end); /* past ',' */
    }
}

/* Element `index` of the array v (negative: from the end). */
static JsonSpan get_element(JsonSpan v, int64_t index)
{
    JsonSpan none = {NULL, NULL, JSON_NULL};
    if (v.p == NULL || v.kind != JSON_ARRAY) return none;
    if (index < 0) {
        int64_t n = 0;
        const char *p = json_skip_ws(v.p + 1, v.end);
        if (*p != ']')
            for (;;) {
                n++;
                p = json_skip_ws(skip_value(p, v.end, NULL), v.end);
                if (*p == ']') break;
                p = json_skip_ws(p + 1, v.end);
            }
        index += n;
        if (index < 0) return none;
    }
    const char *p = json_skip_ws(v.p + 1, v.end);
    if (*p == ']') return none;
    for (int64_t i = 0;; i++) {
        JsonKind k;
        const char *vend = skip_value(p, v.end, &k);
        if (i == index) return (JsonSpan){p, vend, k};
        p = json_skip_ws(vend, v.end);
        if (*p == ']') return none;
        p = json_skip_ws(p + 1, v.end);
    }
}

/* A path step given as text: a key of an object, or an integer index of an array. */
static JsonSpan get_step(JsonSpan v, const char *step, size_t n, StrBuf *scratch)
{
    if (v.p && v.kind == JSON_ARRAY) {
        char buf[32];
        if (n == 0 || n >= sizeof buf) return (JsonSpan){NULL, NULL, JSON_NULL};
        memcpy(buf, step, n);
        buf[n] = '\0';
        char *e;
        long long idx = strtoll(buf, &e, 10);
        if (*e != '\0') return (JsonSpan){NULL, NULL, JSON_NULL};
        return get_element(v, idx);
    }
    return get_member(v, step, n, scratch);
}

/* Store a found value into out: its JSON text, or (as_text) its text value. */
static void put_result(Vector *out, uint32_t i, JsonSpan v, bool as_text, StrBuf *scratch)
{
    if (v.p == NULL || (as_text && v.kind == JSON_NULL)) {
        vector_set_null(out, i);
        return;
    }
    if (as_text && v.kind == JSON_STRING) {
        strbuf_clear(scratch);
        json_unescape(v.p + 1, v.end - 1, scratch);
        VEC_DATA(out, KString)[i] = vector_make_string(out, scratch->data ? scratch->data : "", (uint32_t)scratch->len);
        return;
    }
    VEC_DATA(out, KString)[i] = vector_make_string(out, v.p, (uint32_t)(v.end - v.p));
}

/* -> and ->> with a text key (or an index given as text on arrays, as #> does). */
static bool field_text(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool as_text, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *doc = VEC_DATA(args[0], KString), *key = VEC_DATA(args[1], KString);
    StrBuf scratch = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        JsonSpan v;
        if (!(ok = parse_document(call, &doc[i], &v, err))) break;
        put_result(out, i, get_member(v, kstring_data(&key[i]), key[i].len, &scratch), as_text, &scratch);
    }
    strbuf_free(&scratch);
    return ok;
}

static bool field_index(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool as_text, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *doc = VEC_DATA(args[0], KString);
    const int32_t *idx = VEC_DATA(args[1], int32_t);
    StrBuf scratch = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        JsonSpan v;
        if (!(ok = parse_document(call, &doc[i], &v, err))) break;
        put_result(out, i, get_element(v, idx[i]), as_text, &scratch);
    }
    strbuf_free(&scratch);
    return ok;
}

static bool fn_arrow(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return field_text(c, a, n, o, false, e); }
static bool fn_arrow_text(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return field_text(c, a, n, o, true, e); }
static bool fn_arrow_index(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return field_index(c, a, n, o, false, e); }
static bool fn_arrow_index_text(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return field_index(c, a, n, o, true, e); }

/* Split a PostgreSQL text[] literal '{a,b,"c d"}' into elements; false if malformed. */
static bool split_path(const char *s, size_t n, StrBuf *elems, size_t **offs, int *count)
{
    const char *p = s, *end = s + n;
    while (p < end && (*p == ' ')) p++;
    if (p >= end || *p != '{') return false;
    p++;
    int cap = 8, k = 0;
    size_t *o = mem_alloc(sizeof *o * (size_t)(cap + 1));
    strbuf_clear(elems);
    o[0] = 0;
    while (p < end && *p == ' ') p++;
    if (p < end && *p == '}') {
        *offs = o;
        *count = 0;
        return true;
    }
    for (;;) {
        while (p < end && *p == ' ') p++;
        if (p < end && *p == '"') {
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) p++;
                strbuf_putc(elems, *p++);
            }
            if (p >= end) break;
            p++;
        } else {
            const char *st = p;
            while (p < end && *p != ',' && *p != '}') p++;
            const char *e2 = p;
            while (e2 > st && e2[-1] == ' ') e2--;
            strbuf_append(elems, st, (size_t)(e2 - st));
        }
        while (p < end && *p == ' ') p++;
        if (k + 1 >= cap) {
            cap *= 2;
            o = mem_realloc(o, sizeof *o * (size_t)(cap + 1));
        }
        o[++k] = elems->len;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}' && json_skip_ws(p + 1, end) == end) {
            *offs = o;
            *count = k;
            return true;
        }
        break;
    }
    mem_free(o);
    return false;
}

/* Walk the steps (each a text) from v. */
static JsonSpan walk(JsonSpan v, const char *const *steps, const size_t *lens, int n, StrBuf *scratch)
{
    for (int k = 0; k < n && v.p; k++) v = get_step(v, steps[k], lens[k], scratch);
    return v;
}

static bool path_op(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool as_text, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *doc = VEC_DATA(args[0], KString), *path = VEC_DATA(args[1], KString);
    StrBuf scratch = STRBUF_INIT, elems = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        size_t *offs = NULL;
        int n = 0;
        if (!split_path(kstring_data(&path[i]), path[i].len, &elems, &offs, &n)) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "malformed array literal: \"%.*s\"", (int)path[i].len,
                              kstring_data(&path[i]));
            break;
        }
        JsonSpan v;
        if ((ok = parse_document(call, &doc[i], &v, err))) {
            const char *steps[64];
            size_t lens[64];
            JsonSpan cur = v;
            for (int k = 0; k < n && cur.p; k += 64) {
                int m = n - k < 64 ? n - k : 64;
                for (int j = 0; j < m; j++) {
                    steps[j] = (elems.data ? elems.data : "") + offs[k + j];
                    lens[j] = offs[k + j + 1] - offs[k + j];
                }
                cur = walk(cur, steps, lens, m, &scratch);
            }
            put_result(out, i, cur, as_text, &scratch);
        }
        mem_free(offs);
    }
    strbuf_free(&scratch);
    strbuf_free(&elems);
    return ok;
}

static bool fn_path(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return path_op(c, a, n, o, false, e); }
static bool fn_path_text(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return path_op(c, a, n, o, true, e); }

/* json_extract_path[_text](j, step, ...): the steps are the arguments. */
static bool extract_path(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool as_text, Error *err)
{
    int nargs = call->nargs;
    /* PostgreSQL: NULL json gives NULL; a NULL step gives NULL too */
    vector_merge_validity(out, args, nargs, count);
    const KString *doc = VEC_DATA(args[0], KString);
    StrBuf scratch = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        JsonSpan v;
        if (!(ok = parse_document(call, &doc[i], &v, err))) break;
        for (int k = 1; k < nargs && v.p; k++) {
            const KString *step = &VEC_DATA(args[k], KString)[i];
            v = get_step(v, kstring_data(step), step->len, &scratch);
        }
        put_result(out, i, v, as_text, &scratch);
    }
    strbuf_free(&scratch);
    return ok;
}

static bool fn_extract_path(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return extract_path(c, a, n, o, false, e); }
static bool fn_extract_path_text(FunctionCall *c, Vector **a, uint32_t n, Vector *o, Error *e) { return extract_path(c, a, n, o, true, e); }

static bool fn_array_length(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *doc = VEC_DATA(args[0], KString);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        JsonSpan v;
        if (!parse_document(call, &doc[i], &v, err)) return false;
        if (v.kind != JSON_ARRAY)
            return error_set_at(err, ERR_DATA, call->sql_pos, "cannot get array length of a %s",
                                v.kind == JSON_OBJECT ? "non-array" : "scalar");
        int32_t n = 0;
        const char *p = json_skip_ws(v.p + 1, v.end);
        if (*p != ']')
            for (;;) {
                n++;
                p = json_skip_ws(skip_value(p, v.end, NULL), v.end);
                if (*p == ']') break;
                p = json_skip_ws(p + 1, v.end);
            }
        res[i] = n;
    }
    return true;
}

static bool fn_typeof(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *doc = VEC_DATA(args[0], KString);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        JsonSpan v;
        if (!parse_document(call, &doc[i], &v, err)) return false;
        const char *name = json_kind_name(v.kind);
        VEC_DATA(out, KString)[i] = kstring_make(name, (uint32_t)strlen(name));
    }
    return true;
}

static const FunctionOverload arrow_overloads[] = {{2, {V, V}, V, fn_arrow, NULL}, {2, {V, I}, V, fn_arrow_index, NULL}};
static const FunctionOverload arrow_text_overloads[] = {{2, {V, V}, V, fn_arrow_text, NULL},
                                                        {2, {V, I}, V, fn_arrow_index_text, NULL}};
static const FunctionOverload path_overloads[] = {{2, {V, V}, V, fn_path, NULL}};
static const FunctionOverload path_text_overloads[] = {{2, {V, V}, V, fn_path_text, NULL}};
static const FunctionOverload extract_path_overloads[] = {{-1, {V}, V, fn_extract_path, NULL}};
static const FunctionOverload extract_path_text_overloads[] = {{-1, {V}, V, fn_extract_path_text, NULL}};
static const FunctionOverload array_length_overloads[] = {{1, {V}, I, fn_array_length, NULL}};
static const FunctionOverload typeof_overloads[] = {{1, {V}, V, fn_typeof, NULL}};

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FN(name, overloads) {name, overloads, COUNT_OF(overloads)}

const ScalarFunction fn_set_json[] = {
    FN("->", arrow_overloads),
    FN("->>", arrow_text_overloads),
    FN("#>", path_overloads),
    FN("#>>", path_text_overloads),
    FN("json_extract_path", extract_path_overloads),
    FN("jsonb_extract_path", extract_path_overloads),
    FN("json_extract_path_text", extract_path_text_overloads),
    FN("jsonb_extract_path_text", extract_path_text_overloads),
    FN("json_array_length", array_length_overloads),
    FN("jsonb_array_length", array_length_overloads),
    FN("json_typeof", typeof_overloads),
    FN("jsonb_typeof", typeof_overloads),
    {NULL, NULL, 0},
};
