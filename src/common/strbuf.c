/* strbuf: growable text buffer (see strbuf.h). */
#include "common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"

void strbuf_reserve(StrBuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need) cap *= 2;
    sb->data = mem_realloc(sb->data, cap);
    sb->cap = cap;
    sb->data[sb->len] = '\0'; /* NUL-terminated even before the first append */
}

void strbuf_append(StrBuf *sb, const char *s, size_t n)
{
    strbuf_reserve(sb, n);
    if (n) memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(StrBuf *sb, const char *s) { strbuf_append(sb, s, strlen(s)); }

void strbuf_putc(StrBuf *sb, char c) { strbuf_append(sb, &c, 1); }

void strbuf_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    strbuf_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void strbuf_clear(StrBuf *sb)
{
    sb->len = 0;
    if (sb->data) sb->data[0] = '\0';
}

const char *strbuf_cstr(const StrBuf *sb) { return sb->data ? sb->data : ""; }

void strbuf_free(StrBuf *sb)
{
    mem_free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

char *strbuf_take(StrBuf *sb)
{
    char *d = sb->data ? sb->data : mem_strdup("");
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return d;
}
