/* arena: a region allocator.  Objects are bump-allocated from chunks and all
 * freed at once by arena_reset/arena_destroy; nothing is freed one by one.
 * Plans, bound expressions and a batch's out-of-line strings live in arenas,
 * so a statement's memory has exactly one owner. */
#ifndef KILN_COMMON_ARENA_H
#define KILN_COMMON_ARENA_H

#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
    ArenaChunk *head;      /* chunk being filled (newest first) */
    size_t chunk_size;     /* default size of new chunks */
    size_t bytes_reserved; /* total bytes held in chunks */
} Arena;

/* Initialise an empty arena whose chunks are at least chunk_size bytes (0 = 64 KiB). */
void arena_init(Arena *a, size_t chunk_size);
/* Allocate n bytes aligned to 16; never fails (mem_alloc's contract). */
void *arena_alloc(Arena *a, size_t n);
/* Allocate n zeroed bytes. */
void *arena_calloc(Arena *a, size_t n);
/* Copy a NUL-terminated string into the arena. */
char *arena_strdup(Arena *a, const char *s);
/* Copy n bytes into the arena and add a NUL. */
char *arena_strndup(Arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_sprintf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free everything but keep the first chunk for reuse. */
void arena_reset(Arena *a);
/* Free everything. */
void arena_destroy(Arena *a);

#endif
