/* s3_edge_cache: the first and last bytes of recently read S3 objects,
 * shared by the whole process.
 *
 * Formats read an object's edges first (a magic number at the start, a
 * Parquet footer at the end), and the same file is opened several times
 * by one query: by the binder, the optimizer, the morsel source and every
 * parallel worker.  s3_fs keeps each object's head (bytes from 0) and tail
 * (bytes up to its end) here, so only the first open pays for them.
 * Entries are keyed by bucket, key, size and ETag (from the open's HEAD):
 * a changed object has another ETag and never meets a stale entry; an
 * object without an ETag is not cached.  Memory: at most 64 MiB in 32
 * entries, the least recently used dropped first; one piece is at most
 * S3_EDGE_MAX_BYTES.  Thread-safe (one mutex). */
#ifndef KILN_IO_S3_EDGE_CACHE_H
#define KILN_IO_S3_EDGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest head or tail kept. */
#define S3_EDGE_MAX_BYTES ((size_t)8 << 20)

/* Which object (all fields borrowed). */
typedef struct S3EdgeKey {
    const char *bucket;
    const char *key;
    const char *etag; /* "" when the server gave none: never cached */
    uint64_t size;
} S3EdgeKey;

/* Copy [offset, offset + n) into buf if the object's cached head or tail holds all of it. */
bool s3_edge_cache_read(const S3EdgeKey *k, void *buf, size_t n, uint64_t offset);
/* Keep bytes [offset, offset + n) (mem_alloc'ed; ownership passes to the
 * cache, which may free them at once): the head when offset is 0, the
 * tail when they end at the object's end (a longer tail replaces a shorter
 * one). */
void s3_edge_cache_store(const S3EdgeKey *k, char *bytes, size_t n, uint64_t offset);

#endif
