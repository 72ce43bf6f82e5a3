/* parquet_stat_truncate: truncated string statistics (see the header).
 *
 * Rounding a max up: take the longest prefix of at most limit bytes that
 * ends on a character boundary, and increment its last character (the next
 * code point, past the surrogates); if that character is U+10FFFF drop it
 * and try the one before.  The encoded result may be a byte longer or
 * shorter than the character it replaces, so the prefix is shortened until
 * the result fits. */
#include "formats/parquet/parquet_stat_truncate.h"

#include <string.h>

/* Length of the longest prefix of s[0, len) of at most limit bytes that
 * ends on a character boundary (continuation bytes are 10xxxxxx). */
static uint32_t boundary_at_most(const uint8_t *s, uint32_t len, uint32_t limit)
{
    if (len <= limit) return len;
    uint32_t n = limit;
    while (n > 0 && (s[n] & 0xC0) == 0x80) n--;
    return n;
}

uint32_t pq_truncate_min(const uint8_t *s, uint32_t len, uint32_t limit) { return boundary_at_most(s, len, limit); }

/* Decode the character starting at s[i] (valid UTF-8 assumed; bytes that
 * are not are taken one at a time as themselves). */
static uint32_t decode(const uint8_t *s, uint32_t end, uint32_t i, uint32_t *cp)
{
    uint8_t c = s[i];
    uint32_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (i + n > end) n = 1;
    if (n == 1) {
        *cp = c;
        return 1;
    }
    uint32_t v = c & (0x7F >> n);
    for (uint32_t k = 1; k < n; k++) v = v << 6 | (s[i + k] & 0x3F);
    *cp = v;
    return n;
}

static uint32_t encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t pq_truncate_max(const uint8_t *s, uint32_t len, uint32_t limit, uint8_t *out)
{
    if (len <= limit) {
        memcpy(out, s, len);
        return len;
    }
    uint32_t n = boundary_at_most(s, len, limit);
    while (n > 0) {
        /* the start of the last character of s[0, n) */
        uint32_t last = n - 1;
        while (last > 0 && (s[last] & 0xC0) == 0x80) last--;
        uint32_t cp;
        uint32_t width = decode(s, n, last, &cp);
        if (last + width == n && cp < 0x10FFFF && !(width == 1 && cp >= 0x80)) {
            uint32_t next = cp + 1;
            if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
            uint8_t enc[4];
            uint32_t w = encode(next, enc);
            if (last + w <= limit) {
                memcpy(out, s, last);
                memcpy(out + last, enc, w);
                return last + w;
            }
        }
        n = last; /* U+10FFFF, a stray byte, or no room: round up the character before */
    }
    return 0;
}
