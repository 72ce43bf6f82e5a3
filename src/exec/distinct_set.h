/* distinct_set: the set of (group, value) pairs a DISTINCT aggregate has
 * already aggregated, so that each distinct value counts once per group.
 *
 * Values (one or two columns: string_agg's delimiter takes part) are copied
 * into a MemTable; an open-addressing table (linear probing, at most 50%
 * full) of (hash, entry) pairs maps the mixed hash of (group, value) to the
 * entry, so a probe reads one slot and compares values only when the hashes
 * match.  Inserting a batch prefetches the slots a few rows ahead: with
 * millions of entries nearly every probe is a cache miss.  Memory: the
 * copied values plus 12 bytes per entry and 8 bytes per slot (16-32 per
 * entry at 25-50% load).  A slot holds the entry number (32 bits, so at most
 * DISTINCT_SET_MAX entries) and 32 low bits of the hash; the slot's place
 * comes from the high bits.  NULL values are never offered
 * (aggregates ignore them); a NULL delimiter equals a NULL delimiter. */
#ifndef KILN_EXEC_DISTINCT_SET_H
#define KILN_EXEC_DISTINCT_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "exec/memtable.h"

typedef struct DistinctSet {
    MemTable values;      /* entry e's value is row e */
    uint32_t *group;      /* entry e's group */
    uint64_t *hash;       /* entry e's hash (to rebuild the slots when they grow) */
    uint64_t nentries, cap_entries;
    struct DistinctSlot *slots;
    uint64_t nslots;      /* a power of two */
    int slot_bits;        /* log2(nslots) */
} DistinctSet;

typedef struct DistinctSlot {
    uint32_t entry;       /* entry + 1; 0 = empty */
    uint32_t tag;         /* low 32 bits of the hash */
} DistinctSlot;

#define DISTINCT_SET_MAX 4000000000u

/* Initialise an empty set of values with ncols (1 or 2) columns of the given types. */
void distinct_set_init(DistinctSet *set, int ncols, const LogicalType *types);
/* Free the set's memory. */
void distinct_set_destroy(DistinctSet *set);
/* hashes[i] = the hash of (group[i], value of row i) for rows [0, n) of cols. */
void distinct_set_hash(Vector *const *cols, int ncols, const uint32_t *group, uint32_t n, uint64_t *hashes);
/* Insert rows[0..nrows) of cols (groups and hashes indexed by row), in
 * order; fresh[row] = 1 if it was new, else 0.  False (and err) only past
 * DISTINCT_SET_MAX entries. */
bool distinct_set_insert_rows(DistinctSet *set, Vector *const *cols, const uint32_t *rows, uint32_t nrows,
                              const uint32_t *groups, const uint64_t *hashes, uint8_t *fresh, Error *err);

#endif
