/* strbuf: a growable, always NUL-terminated byte buffer for building text. */
#ifndef KILN_COMMON_STRBUF_H
#define KILN_COMMON_STRBUF_H

#include <stddef.h>

typedef struct StrBuf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
} StrBuf;

#define STRBUF_INIT {NULL, 0, 0}

/* Make room for at least extra more bytes. */
void strbuf_reserve(StrBuf *sb, size_t extra);
/* Append n bytes. */
void strbuf_append(StrBuf *sb, const char *s, size_t n);
/* Append a NUL-terminated string. */
void strbuf_puts(StrBuf *sb, const char *s);
/* Append one byte. */
void strbuf_putc(StrBuf *sb, char c);
/* Append formatted text. */
void strbuf_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory. */
void strbuf_clear(StrBuf *sb);
/* The contents as a C string ("" when empty; valid until the next append). */
const char *strbuf_cstr(const StrBuf *sb);
/* Free the buffer's memory. */
void strbuf_free(StrBuf *sb);
/* Hand the contents to the caller (mem_free it) and empty the buffer. */
char *strbuf_take(StrBuf *sb);

#endif
