/* arena: bump allocation in chunks; reset keeps one chunk to avoid malloc churn
 * when an arena is reset once per batch. */
#include "common/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"

struct ArenaChunk {
    ArenaChunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void arena_init(Arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->bytes_reserved = 0;
}

static ArenaChunk *new_chunk(Arena *a, size_t need)
{
    size_t size = need > a->chunk_size ? need : a->chunk_size;
    ArenaChunk *c = mem_alloc(sizeof(ArenaChunk) + size);
    c->size = size;
    c->used = 0;
    a->bytes_reserved += size;
    return c;
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    ArenaChunk *c = a->head;
    if (c == NULL || c->size - c->used < n) {
        ArenaChunk *fresh = new_chunk(a, n);
        if (c != NULL && n > a->chunk_size / 4) {
            /* A big object gets its own chunk behind the current one so the
             * space left in the current chunk is not wasted. */
            fresh->next = c->next;
            c->next = fresh;
            fresh->used = n;
            return fresh->data;
        }
        fresh->next = c;
        a->head = c = fresh;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

void *arena_calloc(Arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_sprintf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *d = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void arena_reset(Arena *a)
{
    ArenaChunk *keep = NULL;
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        if (keep == NULL && c->size == a->chunk_size) {
            keep = c;
        } else {
            a->bytes_reserved -= c->size;
            mem_free(c);
        }
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
}

void arena_destroy(Arena *a)
{
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        mem_free(c);
        c = next;
    }
    a->head = NULL;
    a->bytes_reserved = 0;
}
