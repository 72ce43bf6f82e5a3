/* key_set: a set of row keys (one or more column values), for UNIQUE,
 * PRIMARY KEY and FOREIGN KEY checks.
 *
 * A key is encoded as bytes: for each key column the length (4 bytes) and
 * the PostgreSQL text form of its value, so values that print the same are
 * the same key (integer 7 and bigint 7 meet; numeric values of one column
 * share a scale).  Keys with a NULL column are never encoded: SQL's rule is
 * that they match nothing.  The set is open addressing with linear probing
 * (at most half full) over (hash, offset) slots into one byte buffer.
 * Memory: the encoded keys plus 16 bytes per slot. */
#ifndef KILN_QUALITY_KEY_SET_H
#define KILN_QUALITY_KEY_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "types/vector.h"

typedef struct KeySlot {
    uint64_t hash;
    uint64_t offset;   /* offset + 1 of the key's length word in bytes; 0 = empty */
} KeySlot;

typedef struct KeySet {
    char *bytes;
    size_t len, cap;
    KeySlot *slots;
    uint64_t nslots;   /* a power of two (0 before the first insert) */
    uint64_t count;
} KeySet;

/* An empty set. */
void key_set_init(KeySet *s);
/* Free the set's memory. */
void key_set_destroy(KeySet *s);
/* True if the key is in the set. */
bool key_set_contains(const KeySet *s, const char *key, size_t n);
/* Add a key; false if it was already there (cannot fail otherwise). */
bool key_set_insert(KeySet *s, const char *key, size_t n);
/* A KeySet used as a map stores a 32-bit value after each key (only
 * through key_map_put; do not mix with key_set_insert on one set). */
#define KEY_MAP_MANY UINT32_MAX /* the key was put with two different values */
/* Add key with value; if it is there with another value, its value becomes KEY_MAP_MANY. */
void key_map_put(KeySet *s, const char *key, size_t n, uint32_t value);
/* The value of key (put with key_map_put); false if the key is absent. */
bool key_map_get(const KeySet *s, const char *key, size_t n, uint32_t *value);
/* Encode the key of physical slot `row` of cols[columns[0..n)] into out
 * (cleared first); false when one of the values is NULL. */
bool key_encode(Vector *const *cols, const int *columns, int n, uint32_t row, StrBuf *out);
/* As key_encode, but a NULL is encoded too (as no value): for partition values, where NULL is one partition. */
void key_encode_nullable(Vector *const *cols, const int *columns, int n, uint32_t row, StrBuf *out);

#endif
