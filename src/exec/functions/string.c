/* functions/string: PostgreSQL's text functions and the "||" operator.
 *
 * Every function works on UTF-8 text and counts characters as code points:
 * positions and lengths (substring, length, left, lpad, strpos ...) are in
 * characters, never bytes.  Malformed UTF-8 never makes a function read past
 * a string's end: a stray continuation byte is stepped over as part of the
 * character before it (or as a character of its own at the very start).
 *
 * Case mapping (lower, upper, initcap) takes an ASCII fast path when a string
 * has no byte >= 0x80 and otherwise maps code points with utf8proc, in two
 * passes (measure, then write) because a mapped character may change its
 * encoded length.
 *
 * Results are written into the out vector's string heap; a result that is a
 * slice of an argument is copied (the output must not depend on the inputs'
 * buffers).  A result longer than STRING_MAX_BYTES (PostgreSQL's 1 GB limit)
 * is the error "requested length too large".
 *
 * Functions are strict unless noted (concat and concat_ws skip NULLs).
 * Memory: no per-row heap allocation besides the results; concat and
 * non-text "||" format into one scratch buffer per batch. */
#include "exec/function.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "common/mem.h"
#include "common/strbuf.h"

/* PostgreSQL's MaxAllocSize - 1: the longest text value a function may build. */
#define STRING_MAX_BYTES ((uint64_t)0x3fffffff)

/* ---- UTF-8 stepping ---------------------------------------------------- */

static inline bool utf8_is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Offset of the character after the one starting at i (i < n); never beyond n. */
static inline size_t utf8_next(const char *s, size_t n, size_t i)
{
    i++;
    while (i < n && utf8_is_continuation((unsigned char)s[i])) i++;
    return i;
}

/* Offset of the character that ends at i (lo < i); never before lo. */
static inline size_t utf8_prev(const char *s, size_t lo, size_t i)
{
    i--;
    while (i > lo && utf8_is_continuation((unsigned char)s[i])) i--;
    return i;
}

/* Number of characters in s[0..n), counted as utf8_next steps through it. */
static size_t utf8_length(const char *s, size_t n)
{
    size_t continuation = 0;
    for (size_t i = 0; i < n; i++) continuation += utf8_is_continuation((unsigned char)s[i]);
    if (n > 0 && utf8_is_continuation((unsigned char)s[0])) continuation--; /* a leading stray byte counts */
    return n - continuation;
}

/* Byte offset of character k (0-based) of s[from..n), or n if there are fewer. */
static size_t utf8_skip(const char *s, size_t n, size_t from, uint64_t k)
{
    size_t i = from;
    while (k > 0 && i < n) {
        i = utf8_next(s, n, i);
        k--;
    }
    return i;
}

static bool is_ascii(const char *s, size_t n)
{
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) any |= (unsigned char)s[i];
    return any < 0x80;
}

/* ---- results ------------------------------------------------------------ */

static inline const KString *text_arg(Vector *const *args, int i) { return VEC_DATA(args[i], KString); }

/* Room to build a result of n bytes: a small buffer for strings that the
 * KString keeps inline, the out vector's heap otherwise. */
static char *result_begin(Vector *out, size_t n, char *small)
{
    return n <= KSTRING_INLINE_MAX ? small : vector_string_space(out, (uint32_t)n);
}

/* Store the n bytes built at p (by result_begin) as slot i. */
static void result_end(Vector *out, uint32_t i, const char *p, size_t n)
{
    VEC_DATA(out, KString)[i] = kstring_make(p, (uint32_t)n);
}

/* Store a copy of s[0..n) as slot i. */
static void result_copy(Vector *out, uint32_t i, const char *s, size_t n)
{
    VEC_DATA(out, KString)[i] = vector_make_string(out, s, (uint32_t)n);
}

static bool check_result_size(const FunctionCall *call, uint64_t n, Error *err)
{
    if (n > STRING_MAX_BYTES) return error_set_at(err, ERR_DATA, call->sql_pos, "requested length too large");
    return true;
}

/* ---- case mapping ------------------------------------------------------- */

typedef enum CaseMode { CASE_LOWER, CASE_UPPER, CASE_INITCAP } CaseMode;

static bool codepoint_is_alnum(utf8proc_int32_t c)
{
    if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

/* Upper case of one code point.  utf8proc maps U+00DF (sharp s) to the
 * capital U+1E9E, which Unicode's simple mapping does not; PostgreSQL (libc
 * towupper) keeps the small letter, and so do we. */
static utf8proc_int32_t to_upper(utf8proc_int32_t c) { return c == 0xDF ? c : utf8proc_toupper(c); }

/* Map s[0..n) into dst (NULL: only measure); returns the mapped length.
 * Malformed bytes are copied unchanged. */
static size_t case_map_utf8(const char *s, size_t n, CaseMode mode, char *dst)
{
    size_t in = 0, outlen = 0;
    bool in_word = false;
    while (in < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + in, (utf8proc_ssize_t)(n - in), &c);
        if (step <= 0) { /* malformed: one byte as it is */
            if (dst) dst[outlen] = s[in];
            outlen++;
            in++;
            in_word = false;
            continue;
        }
        in += (size_t)step;
        utf8proc_int32_t mapped;
        if (mode == CASE_LOWER) {
            mapped = utf8proc_tolower(c);
        } else if (mode == CASE_UPPER) {
            mapped = to_upper(c);
        } else {
            bool alnum = codepoint_is_alnum(c);
            mapped = alnum && !in_word ? to_upper(c) : utf8proc_tolower(c);
            in_word = alnum;
        }
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t len = utf8proc_encode_char(mapped, buf);
        if (dst) memcpy(dst + outlen, buf, (size_t)len);
        outlen += (size_t)len;
    }
    return outlen;
}

static void case_map_ascii(const char *s, size_t n, CaseMode mode, char *dst)
{
    bool in_word = false;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
        bool to_upper = mode == CASE_UPPER;
        if (mode == CASE_INITCAP) {
            to_upper = !in_word;
            in_word = upper || lower || (c >= '0' && c <= '9');
        }
        if (to_upper && lower) c = (unsigned char)(c - 32);
        else if (!to_upper && upper) c = (unsigned char)(c + 32);
        dst[k] = (char)c;
    }
}

static bool case_map_impl(FunctionCall *call, Vector **args, uint32_t count, Vector *out, CaseMode mode,
                          Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        size_t n = in[i].len;
        char small[KSTRING_INLINE_MAX];
        if (is_ascii(s, n)) {
            char *p = result_begin(out, n, small);
            case_map_ascii(s, n, mode, p);
            result_end(out, i, p, n);
        } else {
            size_t len = case_map_utf8(s, n, mode, NULL);
            if (!check_result_size(call, len, err)) return false;
            char *p = result_begin(out, len, small);
            case_map_utf8(s, n, mode, p);
            result_end(out, i, p, len);
        }
    }
    return true;
}

static bool fn_lower(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return case_map_impl(call, args, count, out, CASE_LOWER, err);
}

static bool fn_upper(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return case_map_impl(call, args, count, out, CASE_UPPER, err);
}

static bool fn_initcap(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return case_map_impl(call, args, count, out, CASE_INITCAP, err);
}

/* ---- trim ---------------------------------------------------------------- */

enum { TRIM_LEADING = 1, TRIM_TRAILING = 2, TRIM_BOTH = 3 };

/* True if the character c[0..clen) is one of the characters of set. */
static bool char_in_set(const char *c, size_t clen, const char *set, size_t setn)
{
    if (clen == 1 && (unsigned char)c[0] < 0x80) return memchr(set, c[0], setn) != NULL;
    for (size_t k = 0; k < setn;) {
        size_t next = utf8_next(set, setn, k);
        if (next - k == clen && memcmp(set + k, c, clen) == 0) return true;
        k = next;
    }
    return false;
}

static bool trim_impl(Vector **args, int nargs, uint32_t count, Vector *out, int sides)
{
    vector_merge_validity(out, args, nargs, count);
    const KString *in = text_arg(args, 0);
    const KString *chars = nargs > 1 ? text_arg(args, 1) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        const char *set = chars ? kstring_data(&chars[i]) : " ";
        size_t setn = chars ? chars[i].len : 1;
        size_t start = 0, end = in[i].len;
        if (sides & TRIM_LEADING) {
            while (start < end) {
                size_t next = utf8_next(s, end, start);
                if (!char_in_set(s + start, next - start, set, setn)) break;
                start = next;
            }
        }
        if (sides & TRIM_TRAILING) {
            while (end > start) {
                size_t prev = utf8_prev(s, start, end);
                if (!char_in_set(s + prev, end - prev, set, setn)) break;
                end = prev;
            }
        }
        result_copy(out, i, s + start, end - start);
    }
    return true;
}

static bool fn_btrim(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return trim_impl(args, call->nargs, count, out, TRIM_BOTH);
}

static bool fn_ltrim(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return trim_impl(args, call->nargs, count, out, TRIM_LEADING);
}

static bool fn_rtrim(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return trim_impl(args, call->nargs, count, out, TRIM_TRAILING);
}

/* ---- substring, left, right --------------------------------------------- */

/* substring(s, start [, count]) as PostgreSQL: characters [start, start+count)
 * of s counted from 1, clipped to the string; a start before 1 eats into the
 * count. */
static bool fn_substring(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    const KString *in = text_arg(args, 0);
    const int32_t *starts = VEC_DATA(args[1], int32_t);
    const int32_t *lengths = call->nargs > 2 ? VEC_DATA(args[2], int32_t) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        int64_t first = starts[i];
        int64_t end = INT64_MAX; /* one past the last character, 1-based */
        if (lengths) {
            if (lengths[i] < 0)
                return error_set_at(err, ERR_DATA, call->sql_pos, "negative substring length not allowed");
            end = first + lengths[i];
        }
        if (first < 1) first = 1;
        if (end <= first) {
            result_end(out, i, "", 0);
            continue;
        }
        const char *s = kstring_data(&in[i]);
        size_t n = in[i].len;
        size_t from = utf8_skip(s, n, 0, (uint64_t)(first - 1));
        size_t to = end == INT64_MAX ? n : utf8_skip(s, n, from, (uint64_t)(end - first));
        result_copy(out, i, s + from, to - from);
    }
    return true;
}

/* left(s, n) / right(s, n): n characters from one end; a negative n means all
 * but |n| characters from the other end. */
static bool left_right_impl(Vector **args, uint32_t count, Vector *out, bool left)
{
    vector_merge_validity(out, args, 2, count);
    const KString *in = text_arg(args, 0);
    const int32_t *ns = VEC_DATA(args[1], int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        size_t n = in[i].len;
        int64_t k = ns[i];
        uint64_t chars = utf8_length(s, n);
        uint64_t keep = k >= 0 ? (uint64_t)k : (uint64_t)(-k) >= chars ? 0 : chars - (uint64_t)(-k);
        if (keep > chars) keep = chars;
        size_t from = 0, to = n;
        if (left) to = utf8_skip(s, n, 0, keep);
        else from = utf8_skip(s, n, 0, chars - keep);
        result_copy(out, i, s + from, to - from);
    }
    return true;
}

static bool fn_left(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return left_right_impl(args, count, out, true);
}

static bool fn_right(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return left_right_impl(args, count, out, false);
}

/* ---- lengths ------------------------------------------------------------- */

static bool fn_char_length(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++)
        if (vector_is_valid(out, i)) res[i] = (int32_t)utf8_length(kstring_data(&in[i]), in[i].len);
    return true;
}

static bool fn_octet_length(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++)
        if (vector_is_valid(out, i)) res[i] = (int32_t)in[i].len;
    return true;
}

static bool fn_bit_length(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        if (in[i].len > INT32_MAX / 8) return error_set_at(err, ERR_DATA, call->sql_pos, "integer out of range");
        res[i] = (int32_t)in[i].len * 8;
    }
    return true;
}

/* ---- concatenation ------------------------------------------------------- */

/* Append the text of slot i of v: strings as they are, booleans as t/f when
 * bool_letters (what concat prints, from boolout), everything else in its
 * PostgreSQL text form. */
static void append_text(StrBuf *sb, const Vector *v, uint32_t i, bool bool_letters)
{
    if (v->type.id == TYPE_VARCHAR) {
        const KString *k = &VEC_DATA(v, KString)[i];
        strbuf_append(sb, kstring_data(k), k->len);
    } else if (v->type.id == TYPE_BOOLEAN && bool_letters) {
        strbuf_putc(sb, VEC_DATA(v, uint8_t)[i] ? 't' : 'f');
    } else {
        cast_format_value(v, i, sb);
    }
}

static bool store_strbuf(FunctionCall *call, Vector *out, uint32_t i, const StrBuf *sb, Error *err)
{
    if (!check_result_size(call, sb->len, err)) return false;
    result_copy(out, i, strbuf_cstr(sb), sb->len);
    return true;
}

/* concat(any, ...): the arguments' text, NULLs skipped; never NULL. */
static bool fn_concat(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        strbuf_clear(&sb);
        for (int a = 0; a < call->nargs; a++)
            if (args[a]->type.id != TYPE_NULL && vector_is_valid(args[a], i)) append_text(&sb, args[a], i, true);
        ok = store_strbuf(call, out, i, &sb, err);
    }
    strbuf_free(&sb);
    return ok;
}

/* concat_ws(sep, any, ...): the non-NULL arguments joined by sep; NULL if sep is. */
static bool fn_concat_ws(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    StrBuf sb = STRBUF_INIT, sep = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (args[0]->type.id == TYPE_NULL || !vector_is_valid(args[0], i)) {
            vector_set_null(out, i);
            continue;
        }
        strbuf_clear(&sb);
        strbuf_clear(&sep);
        append_text(&sep, args[0], i, true);
        bool first = true;
        for (int a = 1; a < call->nargs; a++) {
            if (args[a]->type.id == TYPE_NULL || !vector_is_valid(args[a], i)) continue;
            if (!first) strbuf_append(&sb, strbuf_cstr(&sep), sep.len);
            append_text(&sb, args[a], i, true);
            first = false;
        }
        ok = store_strbuf(call, out, i, &sb, err);
    }
    strbuf_free(&sb);
    strbuf_free(&sep);
    return ok;
}

/* "||" takes any two arguments (one overload, so text || text is not
 * ambiguous with text || any); as in PostgreSQL one side must be text. */
static bool prepare_concat_operator(FunctionCall *call, Arena *arena, Error *err)
{
    TypeId a = call->arg_types[0].id, b = call->arg_types[1].id;
    bool texty_a = a == TYPE_VARCHAR || a == TYPE_NULL, texty_b = b == TYPE_VARCHAR || b == TYPE_NULL;
    if (texty_a || texty_b) return true;
    char na[48], nb[48];
    return error_set_at(err, ERR_SQL, call->sql_pos, "operator does not exist: %s || %s",
                        type_name(call->arg_types[0], na, sizeof na), type_name(call->arg_types[1], nb, sizeof nb));
}

static bool fn_concat_operator(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    if (args[0]->type.id == TYPE_NULL || args[1]->type.id == TYPE_NULL) {
        for (uint32_t i = 0; i < count; i++) vector_set_null(out, i);
        return true;
    }
    vector_merge_validity(out, args, 2, count);
    if (args[0]->type.id == TYPE_VARCHAR && args[1]->type.id == TYPE_VARCHAR) {
        const KString *l = text_arg(args, 0), *r = text_arg(args, 1);
        for (uint32_t i = 0; i < count; i++) {
            if (!vector_is_valid(out, i)) continue;
            uint64_t n = (uint64_t)l[i].len + r[i].len;
            if (!check_result_size(call, n, err)) return false;
            char small[KSTRING_INLINE_MAX];
            char *p = result_begin(out, n, small);
            memcpy(p, kstring_data(&l[i]), l[i].len);
            memcpy(p + l[i].len, kstring_data(&r[i]), r[i].len);
            result_end(out, i, p, n);
        }
        return true;
    }
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        strbuf_clear(&sb);
        append_text(&sb, args[0], i, false); /* a cast to text: booleans as true/false */
        append_text(&sb, args[1], i, false);
        ok = store_strbuf(call, out, i, &sb, err);
    }
    strbuf_free(&sb);
    return ok;
}

/* ---- search and replace --------------------------------------------------- */

/* replace(s, from, to): every non-overlapping occurrence of from, left to right. */
static bool fn_replace(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 3, count);
    const KString *in = text_arg(args, 0), *from = text_arg(args, 1), *to = text_arg(args, 2);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]), *f = kstring_data(&from[i]), *t = kstring_data(&to[i]);
        size_t n = in[i].len, fn = from[i].len, tn = to[i].len;
        if (fn == 0 || fn > n) {
            result_copy(out, i, s, n);
            continue;
        }
        uint64_t hits = 0;
        for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), f, fn)) != NULL; p += fn) hits++;
        uint64_t len = (n - hits * fn) + hits * tn;
        if (!check_result_size(call, len, err)) return false;
        char small[KSTRING_INLINE_MAX];
        char *dst = result_begin(out, len, small), *w = dst;
        const char *p = s;
        for (const char *hit; (hit = memmem(p, n - (size_t)(p - s), f, fn)) != NULL; p = hit + fn) {
            memcpy(w, p, (size_t)(hit - p));
            w += hit - p;
            memcpy(w, t, tn);
            w += tn;
        }
        memcpy(w, p, n - (size_t)(p - s));
        result_end(out, i, dst, len);
    }
    return true;
}

/* Character position (1-based) of the first occurrence of sub in s, 0 if none. */
static int32_t text_position(const char *s, size_t n, const char *sub, size_t subn)
{
    if (subn == 0) return 1;
    const char *hit = subn <= n ? memmem(s, n, sub, subn) : NULL;
    if (hit == NULL) return 0;
    return (int32_t)utf8_length(s, (size_t)(hit - s)) + 1;
}

/* strpos(s, sub) and position(s, sub): libpg_query turns the SQL syntax
 * `position(sub IN s)` into the call position(s, sub), so both take the
 * string first. */
static bool fn_strpos(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *in = text_arg(args, 0), *sub = text_arg(args, 1);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++)
        if (vector_is_valid(out, i))
            res[i] = text_position(kstring_data(&in[i]), in[i].len, kstring_data(&sub[i]), sub[i].len);
    return true;
}

static bool fn_starts_with(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *in = text_arg(args, 0), *prefix = text_arg(args, 1);
    uint8_t *res = VEC_DATA(out, uint8_t);
    for (uint32_t i = 0; i < count; i++)
        if (vector_is_valid(out, i))
            res[i] = prefix[i].len <= in[i].len &&
                     memcmp(kstring_data(&in[i]), kstring_data(&prefix[i]), prefix[i].len) == 0;
    return true;
}

/* split_part(s, delimiter, n): field n (from 1; negative counts from the end). */
static bool fn_split_part(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 3, count);
    const KString *in = text_arg(args, 0), *delim = text_arg(args, 1);
    const int32_t *fields = VEC_DATA(args[2], int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        int64_t field = fields[i];
        if (field == 0) return error_set_at(err, ERR_DATA, call->sql_pos, "field position must not be zero");
        const char *s = kstring_data(&in[i]), *d = kstring_data(&delim[i]);
        size_t n = in[i].len, dn = delim[i].len;
        if (n == 0) {
            result_end(out, i, "", 0);
            continue;
        }
        if (dn == 0) { /* the whole string is the only field */
            if (field == 1 || field == -1) result_copy(out, i, s, n);
            else result_end(out, i, "", 0);
            continue;
        }
        if (field < 0) { /* count the fields to turn -k into a position from the start */
            int64_t nfields = 1;
            for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), d, dn)) != NULL; p += dn) nfields++;
            field = nfields + field + 1;
            if (field < 1) {
                result_end(out, i, "", 0);
                continue;
            }
        }
        const char *start = s, *end = NULL;
        for (int64_t f = 1;; f++) {
            end = dn <= n - (size_t)(start - s) ? memmem(start, n - (size_t)(start - s), d, dn) : NULL;
            if (f == field) break;
            if (end == NULL) {
                start = NULL;
                break;
            }
            start = end + dn;
        }
        if (start == NULL) result_end(out, i, "", 0);
        else result_copy(out, i, start, (size_t)((end ? end : s + n) - start));
    }
    return true;
}

/* translate(s, from, to): each character of s found in from becomes the
 * character at the same place in to, or is deleted when to is shorter. */
static bool fn_translate(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 3, count);
    const KString *in = text_arg(args, 0), *from = text_arg(args, 1), *to = text_arg(args, 2);
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]), *f = kstring_data(&from[i]), *t = kstring_data(&to[i]);
        size_t n = in[i].len, fn = from[i].len, tn = to[i].len;
        strbuf_clear(&sb);
        for (size_t k = 0; k < n;) {
            size_t next = utf8_next(s, n, k);
            size_t clen = next - k;
            /* find the character in from, remembering its index */
            size_t index = 0, fk = 0;
            bool found = false;
            while (fk < fn) {
                size_t fnext = utf8_next(f, fn, fk);
                if (fnext - fk == clen && memcmp(f + fk, s + k, clen) == 0) {
                    found = true;
                    break;
                }
                fk = fnext;
                index++;
            }
            if (!found) {
                strbuf_append(&sb, s + k, clen);
            } else {
                size_t tk = utf8_skip(t, tn, 0, index);
                if (tk < tn) strbuf_append(&sb, t + tk, utf8_next(t, tn, tk) - tk);
            }
            k = next;
        }
        ok = store_strbuf(call, out, i, &sb, err);
    }
    strbuf_free(&sb);
    return ok;
}

/* ---- building strings ----------------------------------------------------- */

static bool fn_reverse(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        size_t n = in[i].len;
        char small[KSTRING_INLINE_MAX];
        char *dst = result_begin(out, n, small);
        size_t w = n;
        for (size_t k = 0; k < n;) { /* each character's bytes keep their order */
            size_t next = utf8_next(s, n, k);
            w -= next - k;
            memcpy(dst + w, s + k, next - k);
            k = next;
        }
        result_end(out, i, dst, n);
    }
    return true;
}

static bool fn_repeat(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *in = text_arg(args, 0);
    const int32_t *times = VEC_DATA(args[1], int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        size_t n = in[i].len;
        uint64_t reps = times[i] > 0 ? (uint64_t)times[i] : 0;
        uint64_t len = n * reps; /* n < 2^32 and reps < 2^31: no overflow */
        if (!check_result_size(call, len, err)) return false;
        char small[KSTRING_INLINE_MAX];
        char *dst = result_begin(out, len, small);
        for (uint64_t r = 0; r < reps; r++) memcpy(dst + r * n, kstring_data(&in[i]), n);
        result_end(out, i, dst, len);
    }
    return true;
}

/* lpad/rpad(s, length [, fill]): s cut or padded with fill to length characters. */
static bool pad_impl(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool left, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    const KString *in = text_arg(args, 0);
    const int32_t *lengths = VEC_DATA(args[1], int32_t);
    const KString *fills = call->nargs > 2 ? text_arg(args, 2) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        size_t n = in[i].len;
        const char *fill = fills ? kstring_data(&fills[i]) : " ";
        size_t filln = fills ? fills[i].len : 1;
        uint64_t want = lengths[i] > 0 ? (uint64_t)lengths[i] : 0;
        uint64_t have = utf8_length(s, n);
        if (have >= want || filln == 0) { /* cut (both pads keep the start) */
            result_copy(out, i, s, utf8_skip(s, n, 0, want));
            continue;
        }
        /* bytes of the padding: whole copies of fill plus a prefix of it */
        uint64_t pad_chars = want - have, fill_chars = utf8_length(fill, filln);
        uint64_t whole = pad_chars / fill_chars, rest = pad_chars % fill_chars;
        size_t rest_bytes = utf8_skip(fill, filln, 0, rest);
        if (whole > STRING_MAX_BYTES) return check_result_size(call, whole, err);
        uint64_t pad_bytes = whole * filln + rest_bytes, len = n + pad_bytes;
        if (!check_result_size(call, len, err)) return false;
        char small[KSTRING_INLINE_MAX];
        char *dst = result_begin(out, len, small);
        char *pad = left ? dst : dst + n;
        memcpy(left ? dst + pad_bytes : dst, s, n);
        for (uint64_t r = 0; r < whole; r++) memcpy(pad + r * filln, fill, filln);
        memcpy(pad + whole * filln, fill, rest_bytes);
        result_end(out, i, dst, len);
    }
    return true;
}

static bool fn_lpad(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return pad_impl(call, args, count, out, true, err);
}

static bool fn_rpad(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return pad_impl(call, args, count, out, false, err);
}

/* ---- characters and codes --------------------------------------------------- */

/* ascii(s): code point of the first character (0 for ''). */
static bool fn_ascii(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&in[i]);
        utf8proc_int32_t c = 0;
        if (in[i].len > 0 && utf8proc_iterate((const utf8proc_uint8_t *)s, in[i].len, &c) <= 0)
            c = (unsigned char)s[0];
        res[i] = c;
    }
    return true;
}

/* chr(n): the character with code point n. */
static bool fn_chr(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const int32_t *codes = VEC_DATA(args[0], int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        uint32_t c = (uint32_t)codes[i]; /* negatives become huge, as in PostgreSQL */
        if (c == 0) return error_set_at(err, ERR_DATA, call->sql_pos, "null character not permitted");
        if (c > 0x10FFFF)
            return error_set_at(err, ERR_DATA, call->sql_pos, "requested character too large for encoding: %u", c);
        if (c >= 0xD800 && c <= 0xDFFF)
            return error_set_at(err, ERR_DATA, call->sql_pos, "requested character not valid for encoding: %u", c);
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t len = utf8proc_encode_char((utf8proc_int32_t)c, buf);
        result_copy(out, i, (const char *)buf, (size_t)len);
    }
    return true;
}

/* to_hex(n): lower-case hexadecimal of the two's complement bits, as PostgreSQL. */
static bool fn_to_hex(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    bool is_int = args[0]->type.id == TYPE_INTEGER;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        uint64_t bits = is_int ? (uint64_t)(uint32_t)VEC_DATA(args[0], int32_t)[i]
                               : (uint64_t)VEC_DATA(args[0], int64_t)[i];
        char buf[24];
        int len = snprintf(buf, sizeof buf, "%llx", (unsigned long long)bits);
        result_copy(out, i, buf, (size_t)len);
    }
    return true;
}

/* ---- md5 (RFC 1321) ------------------------------------------------------------
 * Hand-written so the engine needs no crypto library for this one digest:
 * 64-byte blocks, four rounds of sixteen steps, little-endian words. */

typedef struct Md5 {
    uint32_t state[4];
} Md5;

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t md5_shift[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21,
    6, 10, 15, 21, 6, 10, 15, 21,
};

static void md5_block(Md5 *m, const unsigned char *block)
{
    uint32_t w[16];
    for (int k = 0; k < 16; k++)
        w[k] = (uint32_t)block[4 * k] | (uint32_t)block[4 * k + 1] << 8 | (uint32_t)block[4 * k + 2] << 16 |
               (uint32_t)block[4 * k + 3] << 24;
    uint32_t a = m->state[0], b = m->state[1], c = m->state[2], d = m->state[3];
    for (int k = 0; k < 64; k++) {
        uint32_t f;
        int g;
        if (k < 16) f = (b & c) | (~b & d), g = k;
        else if (k < 32) f = (d & b) | (~d & c), g = (5 * k + 1) % 16;
        else if (k < 48) f = b ^ c ^ d, g = (3 * k + 5) % 16;
        else f = c ^ (b | ~d), g = (7 * k) % 16;
        uint32_t sum = a + f + md5_k[k] + w[g];
        a = d;
        d = c;
        c = b;
        b = b + (sum << md5_shift[k] | sum >> (32 - md5_shift[k]));
    }
    m->state[0] += a, m->state[1] += b, m->state[2] += c, m->state[3] += d;
}

/* Write the 32 lower-case hex digits of md5(s[0..n)) to hex. */
static void md5_hex(const char *s, size_t n, char hex[32])
{
    Md5 m = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}};
    size_t full = n / 64 * 64;
    for (size_t k = 0; k < full; k += 64) md5_block(&m, (const unsigned char *)s + k);
    unsigned char tail[128] = {0};
    size_t rest = n - full;
    memcpy(tail, s + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++) tail[tail_len - 8 + k] = (unsigned char)(bits >> (8 * k));
    md5_block(&m, tail);
    if (tail_len == 128) md5_block(&m, tail + 64);
    static const char digits[] = "0123456789abcdef";
    for (int k = 0; k < 16; k++) {
        unsigned char byte = (unsigned char)(m.state[k / 4] >> (8 * (k % 4)));
        hex[2 * k] = digits[byte >> 4];
        hex[2 * k + 1] = digits[byte & 15];
    }
}

static bool fn_md5(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const KString *in = text_arg(args, 0);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        char hex[32];
        md5_hex(kstring_data(&in[i]), in[i].len, hex);
        result_copy(out, i, hex, sizeof hex);
    }
    return true;
}

/* ---- registry ------------------------------------------------------------------ */

#define V TYPE_VARCHAR
#define I TYPE_INTEGER

static const FunctionOverload lower_overloads[] = {{1, {V}, V, fn_lower, NULL}};
static const FunctionOverload upper_overloads[] = {{1, {V}, V, fn_upper, NULL}};
static const FunctionOverload initcap_overloads[] = {{1, {V}, V, fn_initcap, NULL}};
static const FunctionOverload btrim_overloads[] = {{1, {V}, V, fn_btrim, NULL}, {2, {V, V}, V, fn_btrim, NULL}};
static const FunctionOverload ltrim_overloads[] = {{1, {V}, V, fn_ltrim, NULL}, {2, {V, V}, V, fn_ltrim, NULL}};
static const FunctionOverload rtrim_overloads[] = {{1, {V}, V, fn_rtrim, NULL}, {2, {V, V}, V, fn_rtrim, NULL}};
static const FunctionOverload substring_overloads[] = {
    {2, {V, I}, V, fn_substring, NULL},
    {3, {V, I, I}, V, fn_substring, NULL},
};
static const FunctionOverload left_overloads[] = {{2, {V, I}, V, fn_left, NULL}};
static const FunctionOverload right_overloads[] = {{2, {V, I}, V, fn_right, NULL}};
static const FunctionOverload length_overloads[] = {{1, {V}, I, fn_char_length, NULL}};
static const FunctionOverload octet_length_overloads[] = {{1, {V}, I, fn_octet_length, NULL}};
static const FunctionOverload bit_length_overloads[] = {{1, {V}, I, fn_bit_length, NULL}};
static const FunctionOverload concat_overloads[] = {{-1, {FN_ARG_ANY}, V, fn_concat, NULL}};
static const FunctionOverload concat_ws_overloads[] = {{-1, {FN_ARG_ANY}, V, fn_concat_ws, NULL}};
static const FunctionOverload concat_operator_overloads[] = {
    {2, {FN_ARG_ANY, FN_ARG_ANY}, V, fn_concat_operator, prepare_concat_operator},
};
static const FunctionOverload replace_overloads[] = {{3, {V, V, V}, V, fn_replace, NULL}};
static const FunctionOverload strpos_overloads[] = {{2, {V, V}, I, fn_strpos, NULL}};
static const FunctionOverload starts_with_overloads[] = {{2, {V, V}, TYPE_BOOLEAN, fn_starts_with, NULL}};
static const FunctionOverload split_part_overloads[] = {{3, {V, V, I}, V, fn_split_part, NULL}};
static const FunctionOverload translate_overloads[] = {{3, {V, V, V}, V, fn_translate, NULL}};
static const FunctionOverload reverse_overloads[] = {{1, {V}, V, fn_reverse, NULL}};
static const FunctionOverload repeat_overloads[] = {{2, {V, I}, V, fn_repeat, NULL}};
static const FunctionOverload lpad_overloads[] = {{2, {V, I}, V, fn_lpad, NULL}, {3, {V, I, V}, V, fn_lpad, NULL}};
static const FunctionOverload rpad_overloads[] = {{2, {V, I}, V, fn_rpad, NULL}, {3, {V, I, V}, V, fn_rpad, NULL}};
static const FunctionOverload ascii_overloads[] = {{1, {V}, I, fn_ascii, NULL}};
static const FunctionOverload chr_overloads[] = {{1, {I}, V, fn_chr, NULL}};
static const FunctionOverload to_hex_overloads[] = {
    {1, {I}, V, fn_to_hex, NULL},
    {1, {TYPE_BIGINT}, V, fn_to_hex, NULL},
};
static const FunctionOverload md5_overloads[] = {{1, {V}, V, fn_md5, NULL}};

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FN(name, overloads) {name, overloads, COUNT_OF(overloads)}

const ScalarFunction fn_set_string[] = {
    FN("lower", lower_overloads),
    FN("upper", upper_overloads),
    FN("initcap", initcap_overloads),
    FN("btrim", btrim_overloads),
    FN("trim", btrim_overloads),
    FN("ltrim", ltrim_overloads),
    FN("rtrim", rtrim_overloads),
    FN("substring", substring_overloads),
    FN("substr", substring_overloads),
    FN("left", left_overloads),
    FN("right", right_overloads),
    FN("length", length_overloads),
    FN("char_length", length_overloads),
    FN("character_length", length_overloads),
    FN("octet_length", octet_length_overloads),
    FN("bit_length", bit_length_overloads),
    FN("concat", concat_overloads),
    FN("concat_ws", concat_ws_overloads),
    FN("||", concat_operator_overloads),
    FN("replace", replace_overloads),
    FN("strpos", strpos_overloads),
    FN("position", strpos_overloads),
    FN("starts_with", starts_with_overloads),
    FN("split_part", split_part_overloads),
    FN("translate", translate_overloads),
    FN("reverse", reverse_overloads),
    FN("repeat", repeat_overloads),
    FN("lpad", lpad_overloads),
    FN("rpad", rpad_overloads),
    FN("ascii", ascii_overloads),
    FN("chr", chr_overloads),
    FN("to_hex", to_hex_overloads),
    FN("md5", md5_overloads),
    {NULL, NULL, 0},
};
