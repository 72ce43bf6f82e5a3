/* s3_edge_cache: objects' first and last bytes (see s3_edge_cache.h).
 * A fixed table of entries under one mutex; lookups compare "bucket/key",
 * size and ETag; a store that takes the total over the bound drops the
 * least recently used other entries. */
#include "io/s3/s3_edge_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"

typedef struct CachedEdge {
    char *name;            /* "bucket/key" */
    char etag[128];
    uint64_t size;
    char *head;            /* bytes [0, head_len) */
    size_t head_len;
    char *tail;            /* bytes [tail_offset, size) */
    uint64_t tail_offset;
    uint64_t used;         /* LRU clock */
} CachedEdge;

#define CACHE_ENTRIES 32
#define CACHE_MAX_BYTES ((size_t)64 << 20)

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static CachedEdge cache[CACHE_ENTRIES];
static uint64_t cache_clock;

static size_t edge_bytes(const CachedEdge *e) { return e->head_len + (e->tail ? (size_t)(e->size - e->tail_offset) : 0); }

static void edge_clear(CachedEdge *e)
{
    mem_free(e->name);
    mem_free(e->head);
    mem_free(e->tail);
    memset(e, 0, sizeof *e);
}

/* The entry of k's object (same size and ETag), or NULL; cache_lock held. */
static CachedEdge *edge_find(const S3EdgeKey *k)
{
    if (k->etag[0] == '\0') return NULL; /* no ETag: nothing proves the object unchanged */
    size_t blen = strlen(k->bucket);
    for (int i = 0; i < CACHE_ENTRIES; i++) {
        CachedEdge *e = &cache[i];
        if (e->name && e->size == k->size && strcmp(e->etag, k->etag) == 0 && strncmp(e->name, k->bucket, blen) == 0 &&
            e->name[blen] == '/' && strcmp(e->name + blen + 1, k->key) == 0) {
            e->used = ++cache_clock;
            return e;
        }
    }
    return NULL;
}

bool s3_edge_cache_read(const S3EdgeKey *k, void *buf, size_t n, uint64_t offset)
{
    bool hit = false;
    pthread_mutex_lock(&cache_lock);
    CachedEdge *e = edge_find(k);
    if (e && offset + n <= e->head_len) {
        memcpy(buf, e->head + offset, n);
        hit = true;
    } else if (e && e->tail && offset >= e->tail_offset) {
        memcpy(buf, e->tail + (offset - e->tail_offset), n);
        hit = true;
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

void s3_edge_cache_store(const S3EdgeKey *k, char *bytes, size_t n, uint64_t offset)
{
    if (k->etag[0] == '\0' || n > S3_EDGE_MAX_BYTES) {
        mem_free(bytes);
        return;
    }
    bool is_tail = offset + n == k->size;
    pthread_mutex_lock(&cache_lock);
    CachedEdge *e = edge_find(k);
    if (e == NULL) {
        e = &cache[0];
        for (int i = 0; i < CACHE_ENTRIES; i++) {
            if (cache[i].name == NULL) {
                e = &cache[i];
                break;
            }
            if (cache[i].used < e->used) e = &cache[i];
        }
        edge_clear(e);
        StrBuf name = STRBUF_INIT;
        strbuf_printf(&name, "%s/%s", k->bucket, k->key);
        e->name = strbuf_take(&name);
        snprintf(e->etag, sizeof e->etag, "%s", k->etag);
        e->size = k->size;
        e->used = ++cache_clock;
    }
    if (is_tail && (e->tail == NULL || offset < e->tail_offset)) {
        mem_free(e->tail);
        e->tail = bytes;
        e->tail_offset = offset;
    } else if (!is_tail && offset == 0 && n > e->head_len) {
        mem_free(e->head);
        e->head = bytes;
        e->head_len = n;
    } else {
        mem_free(bytes);
    }
    /* stay within the memory bound: drop the least recently used others */
    for (;;) {
        size_t total = 0;
        CachedEdge *oldest = NULL;
        for (int i = 0; i < CACHE_ENTRIES; i++) {
            if (cache[i].name == NULL) continue;
            total += edge_bytes(&cache[i]);
            if (&cache[i] != e && (oldest == NULL || cache[i].used < oldest->used)) oldest = &cache[i];
        }
        if (total <= CACHE_MAX_BYTES || oldest == NULL) break;
        edge_clear(oldest);
    }
    pthread_mutex_unlock(&cache_lock);
}
