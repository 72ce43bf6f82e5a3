/* hive_path: escaping of partition values in Hive-style paths (see
 * hive_path.h for the rules and why they are Hive's). */
#include "lake/hive_path.h"

#include <string.h>

static bool needs_escape(unsigned char c)
{
    if (c < 0x20 || c == 0x7F) return true;
    return c != '\0' && strchr("\"#%'*/:=?\\{[]^", c) != NULL;
}

void hive_escape_value(StrBuf *out, const char *value, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (value == NULL || n == 0) {
        strbuf_puts(out, HIVE_DEFAULT_PARTITION);
        return;
    }
    size_t run = 0; /* start of the pending run of characters kept as they are */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (!needs_escape(c)) continue;
        strbuf_append(out, value + run, i - run);
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        strbuf_append(out, esc, 3);
        run = i + 1;
    }
    strbuf_append(out, value + run, n - run);
}

void hive_append_segment(StrBuf *out, const char *name, const char *value, size_t n)
{
    hive_escape_value(out, name, strlen(name));
    strbuf_putc(out, '=');
    hive_escape_value(out, value, n);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void hive_unescape_value(StrBuf *out, const char *text, size_t n, bool *is_null)
{
    size_t dn = sizeof HIVE_DEFAULT_PARTITION - 1;
    *is_null = n == dn && memcmp(text, HIVE_DEFAULT_PARTITION, dn) == 0;
    if (*is_null) return;
    size_t run = 0; /* start of the pending run of characters copied as they are */
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '%' && i + 2 < n) {
            int hi = hex_digit(text[i + 1]), lo = hex_digit(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                strbuf_append(out, text + run, i - run);
                strbuf_putc(out, (char)(hi * 16 + lo));
                i += 2;
                run = i + 1;
            }
        }
    }
    strbuf_append(out, text + run, n - run);
}

bool hive_split_segment(const char *segment, size_t n, size_t *name_len, const char **value, size_t *value_len)
{
    const char *eq = memchr(segment, '=', n);
    if (eq == NULL || eq == segment) return false;
    *name_len = (size_t)(eq - segment);
    *value = eq + 1;
    *value_len = n - *name_len - 1;
    return true;
}
