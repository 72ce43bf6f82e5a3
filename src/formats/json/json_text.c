/* json_text: JSON scanning, unescaping and escaping (see json_text.h).
 *
 * Strings are scanned with a 256-entry table that stops only at the quote,
 * the backslash, control characters and non-ASCII bytes (whose UTF-8
 * sequence is then checked: no overlong forms, no surrogates, nothing above
 * U+10FFFF).  Nested values keep their open brackets in a bit stack (one bit
 * per level: object or array), so depth costs no recursion.  Memory: a
 * JSON_DEPTH_CAP-bit array on the stack. */
#include "formats/json/json_text.h"

#include <stdint.h>
#include <string.h>

/* 1 for bytes that end a run of plain string bytes. */
static const unsigned char string_special[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static bool fail(JsonProblem *problem, const char *message, const char *at)
{
    if (problem) {
        problem->message = message;
        problem->at = at;
    }
    return false;
}

const char *json_skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Length of the valid UTF-8 sequence at p (first byte >= 0x80), 0 if invalid. */
static int utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    int n;
    unsigned min;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000, cp = c & 0x07;
    else return 0;
    if (end - p < n) return 0;
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at p (p + 4 <= end checked by the caller), -1 if not hex. */
static int32_t hex4(const char *p)
{
    int32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex_value(p[k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

bool json_scan_string(const char *p, const char *end, const char **string_end, bool *has_escapes,
                      JsonProblem *problem)
{
    const unsigned char *q = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
    bool escapes = false;
    for (;;) {
        while (q < e && !string_special[*q]) q++;
        if (q >= e) return fail(problem, "unterminated string", p);
        unsigned c = *q;
        if (c == '"') break;
        if (c < 0x20) return fail(problem, "control character in a string (it must be escaped)", (const char *)q);
        if (c >= 0x80) {
            int n = utf8_sequence(q, e);
            if (n == 0) return fail(problem, "invalid UTF-8 in a string", (const char *)q);
            q += n;
            continue;
        }
        /* a backslash */
        escapes = true;
        if (q + 1 >= e) return fail(problem, "unterminated string", p);
        switch (q[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': q += 2; continue;
        case 'u': break;
        default: return fail(problem, "invalid escape sequence in a string", (const char *)q);
        }
        if (e - q < 6) return fail(problem, "invalid \\u escape (4 hex digits expected)", (const char *)q);
        int32_t cp = hex4((const char *)q + 2);
        if (cp < 0) return fail(problem, "invalid \\u escape (4 hex digits expected)", (const char *)q);
        if (cp == 0) return fail(problem, "\\u0000 cannot be converted to text", (const char *)q);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(problem, "invalid \\u escape (a low surrogate without a high one)", (const char *)q);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int32_t low = e - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4((const char *)q + 8) : -1;
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(problem, "invalid \\u escape (a high surrogate without a low one)", (const char *)q);
            q += 12;
            continue;
        }
        q += 6;
    }
    *string_end = (const char *)q + 1;
    if (has_escapes) *has_escapes = escapes;
    return true;
}

bool json_scan_number(const char *p, const char *end, const char **number_end, bool *is_integer,
                      JsonProblem *problem)
{
    const char *q = p;
    bool integer = true;
    if (q < end && *q == '-') q++;
    if (q >= end || *q < '0' || *q > '9') return fail(problem, "invalid number", p);
    if (*q == '0') q++;
    else
        while (q < end && *q >= '0' && *q <= '9') q++;
    if (q < end && *q == '.') {
        integer = false;
        q++;
        if (q >= end || *q < '0' || *q > '9') return fail(problem, "invalid number (digits expected after '.')", p);
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        integer = false;
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end || *q < '0' || *q > '9') return fail(problem, "invalid number (digits expected in the exponent)", p);
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (q < end && ((*q >= '0' && *q <= '9') || *q == '.' || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')))
        return fail(problem, "invalid number", p);
    *number_end = q;
    if (is_integer) *is_integer = integer;
    return true;
}

static bool scan_literal(const char *p, const char *end, const char *word, const char **out, JsonProblem *problem)
{
    size_t n = strlen(word);
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) return fail(problem, "invalid token", p);
    *out = p + n;
    return true;
}

bool json_scan_value(const char *p, const char *end, int max_depth, JsonKind *kind, const char **value_end,
                     JsonProblem *problem)
{
    uint8_t is_object[JSON_DEPTH_CAP / 8 + 1];
    if (max_depth > JSON_DEPTH_CAP) max_depth = JSON_DEPTH_CAP;
    int depth = 0;
    JsonKind first = JSON_NULL;
    bool at_start = true;
    p = json_skip_ws(p, end);
    for (;;) {
        /* a value at p */
        if (p >= end) return fail(problem, "unexpected end of JSON input", p);
        JsonKind k;
        char c = *p;
        if (c == '{' || c == '[') {
            if (depth >= max_depth) return fail(problem, "JSON nested deeper than the maximum depth", p);
            bool obj = c == '{';
            if (obj) is_object[depth / 8] |= (uint8_t)(1u << (depth % 8));
            else is_object[depth / 8] &= (uint8_t)~(1u << (depth % 8));
            depth++;
            if (at_start) first = obj ? JSON_OBJECT : JSON_ARRAY;
            at_start = false;
            p = json_skip_ws(p + 1, end);
            if (p < end && *p == (obj ? '}' : ']')) {
                p++;
                depth--;
                goto after_value;
            }
            if (obj) goto member;
            continue;
        } else if (c == '"') {
            if (!json_scan_string(p, end, &p, NULL, problem)) return false;
            k = JSON_STRING;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!json_scan_number(p, end, &p, NULL, problem)) return false;
            k = JSON_NUMBER;
        } else if (c == 't') {
            if (!scan_literal(p, end, "true", &p, problem)) return false;
            k = JSON_TRUE;
        } else if (c == 'f') {
            if (!scan_literal(p, end, "false", &p, problem)) return false;
            k = JSON_FALSE;
        } else if (c == 'n') {
            if (!scan_literal(p, end, "null", &p, problem)) return false;
            k = JSON_NULL;
        } else {
            return fail(problem, "invalid token", p);
        }
        if (at_start) first = k;
        at_start = false;
    after_value:
        if (depth == 0) break;
        p = json_skip_ws(p, end);
        if (p >= end) return fail(problem, "unexpected end of JSON input", p);
        bool in_object = is_object[(depth - 1) / 8] & (1u << ((depth - 1) % 8));
        if (*p == (in_object ? '}' : ']')) {
            p++;
            depth--;
            goto after_value;
        }
        if (*p != ',') return fail(problem, in_object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array", p);
        p = json_skip_ws(p + 1, end);
        if (!in_object) continue;
    member:
        if (p >= end) return fail(problem, "unexpected end of JSON input", p);
        if (*p != '"') return fail(problem, "expected a string as an object key", p);
        if (!json_scan_string(p, end, &p, NULL, problem)) return false;
        p = json_skip_ws(p, end);
        if (p >= end) return fail(problem, "unexpected end of JSON input", p);
        if (*p != ':') return fail(problem, "expected ':' after an object key", p);
        p = json_skip_ws(p + 1, end);
    }
    *kind = first;
    *value_end = p;
    return true;
}

/* Append code point cp as UTF-8. */
static void put_utf8(StrBuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) b[0] = (char)cp, n = 1;
    else if (cp < 0x800) b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    strbuf_append(out, b, n);
}

void json_unescape(const char *s, const char *e, StrBuf *out)
{
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        if (bs == NULL) {
            strbuf_append(out, s, (size_t)(e - s));
            return;
        }
        strbuf_append(out, s, (size_t)(bs - s));
        char c = bs[1];
        s = bs + 2;
        switch (c) {
        case 'b': strbuf_putc(out, '\b'); break;
        case 'f': strbuf_putc(out, '\f'); break;
        case 'n': strbuf_putc(out, '\n'); break;
        case 'r': strbuf_putc(out, '\r'); break;
        case 't': strbuf_putc(out, '\t'); break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* validated: a low surrogate follows */
                uint32_t low = (uint32_t)hex4(s + 2);
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            put_utf8(out, cp);
            break;
        }
        default: strbuf_putc(out, c); break; /* " \ / */
        }
    }
}

void json_append_string(StrBuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    strbuf_reserve(out, n + 2);
    strbuf_putc(out, '"');
    while (p < e) {
        const unsigned char *run = p;
        while (p < e && !string_special[*p]) p++;
        strbuf_append(out, (const char *)run, (size_t)(p - run));
        if (p >= e) break;
        unsigned c = *p;
        if (c >= 0x80) {
            int k = utf8_sequence(p, e);
            if (k == 0) {
                strbuf_append(out, "\\ufffd", 6);
                p++;
            } else {
                strbuf_append(out, (const char *)p, (size_t)k);
                p += k;
            }
            continue;
        }
        p++;
        switch (c) {
        case '"': strbuf_append(out, "\\\"", 2); break;
        case '\\': strbuf_append(out, "\\\\", 2); break;
        case '\n': strbuf_append(out, "\\n", 2); break;
        case '\r': strbuf_append(out, "\\r", 2); break;
        case '\t': strbuf_append(out, "\\t", 2); break;
        case '\b': strbuf_append(out, "\\b", 2); break;
        case '\f': strbuf_append(out, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            strbuf_append(out, u, 6);
        }
        }
    }
    strbuf_putc(out, '"');
}

const char *json_kind_name(JsonKind kind)
{
    switch (kind) {
    case JSON_NULL: return "null";
    case JSON_FALSE:
    case JSON_TRUE: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    }
    return "?";
}
