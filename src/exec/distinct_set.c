/* distinct_set: hash set of (group, value) pairs (see distinct_set.h). */
#include "exec/distinct_set.h"

#include <string.h>

#include "common/mem.h"
#include "exec/hash.h"

void distinct_set_init(DistinctSet *set, int ncols, const LogicalType *types)
{
    memset(set, 0, sizeof *set);
    memtable_init(&set->values, ncols, types);
    set->slot_bits = 10;
    set->nslots = (uint64_t)1 << set->slot_bits;
    set->slots = mem_calloc(set->nslots, sizeof(DistinctSlot));
}

void distinct_set_destroy(DistinctSet *set)
{
    memtable_destroy(&set->values);
    mem_free(set->group);
    mem_free(set->hash);
    mem_free(set->slots);
    memset(set, 0, sizeof *set);
}

void distinct_set_hash(Vector *const *cols, int ncols, const uint32_t *group, uint32_t n, uint64_t *hashes)
{
    for (int c = 0; c < ncols; c++) hash_vector(cols[c], n, hashes, c > 0);
    for (uint32_t i = 0; i < n; i++) hashes[i] = hash_mix64(hashes[i] ^ (0x9e3779b97f4a7c15ULL * ((uint64_t)group[i] + 1)));
}

static inline uint64_t home_slot(const DistinctSet *set, uint64_t hash) { return hash >> (64 - set->slot_bits); }

static void grow_slots(DistinctSet *set)
{
    mem_free(set->slots);
    set->slot_bits++;
    set->nslots = (uint64_t)1 << set->slot_bits;
    set->slots = mem_calloc(set->nslots, sizeof(DistinctSlot));
    uint64_t mask = set->nslots - 1;
    for (uint64_t e = 0; e < set->nentries; e++) {
        uint64_t slot = home_slot(set, set->hash[e]);
        while (set->slots[slot].entry) slot = (slot + 1) & mask;
        set->slots[slot].entry = (uint32_t)(e + 1);
        set->slots[slot].tag = (uint32_t)set->hash[e];
    }
}

static bool entry_equal(const DistinctSet *set, uint64_t e, Vector *const *cols, uint32_t row)
{
    const Batch *chunk = &set->values.chunks[e / VECTOR_CAPACITY];
    uint32_t r = (uint32_t)(e % VECTOR_CAPACITY);
    for (int c = 0; c < set->values.ncols; c++)
        if (!hash_values_equal(cols[c], row, chunk->cols[c], r)) return false;
    return true;
}

/* Add (group, row of cols); true if it was not in the set yet. */
static bool insert(DistinctSet *set, Vector *const *cols, uint32_t row, uint32_t group, uint64_t hash)
{
    if ((set->nentries + 1) * 2 > set->nslots) grow_slots(set);
    uint64_t mask = set->nslots - 1;
    uint64_t slot = home_slot(set, hash);
    uint32_t tag = (uint32_t)hash;
    while (set->slots[slot].entry) {
        uint64_t e = set->slots[slot].entry - 1;
        if (set->slots[slot].tag == tag && set->group[e] == group && set->hash[e] == hash &&
            entry_equal(set, e, cols, row))
            return false;
        slot = (slot + 1) & mask;
    }
    if (set->nentries == set->cap_entries) {
        set->cap_entries = set->cap_entries ? set->cap_entries * 2 : 1024;
        set->group = mem_realloc(set->group, sizeof(uint32_t) * set->cap_entries);
        set->hash = mem_realloc(set->hash, sizeof(uint64_t) * set->cap_entries);
    }
    uint64_t e = set->nentries++;
    set->group[e] = group;
    set->hash[e] = hash;
    set->slots[slot].entry = (uint32_t)(e + 1);
    set->slots[slot].tag = tag;
    Batch view;
    memset(&view, 0, sizeof view);
    view.ncols = set->values.ncols;
    view.cols = (Vector **)cols;
    view.count = 1;
    view.sel = &row;
    memtable_append(&set->values, &view);
    return true;
}

bool distinct_set_insert_rows(DistinctSet *set, Vector *const *cols, const uint32_t *rows, uint32_t nrows,
                              const uint32_t *groups, const uint64_t *hashes, uint8_t *fresh, Error *err)
{
    enum { AHEAD = 8 };
    if (set->nentries + nrows > DISTINCT_SET_MAX)
        return error_set(err, ERR_DATA, "more than %u distinct values in one DISTINCT aggregate", DISTINCT_SET_MAX);
    for (uint32_t k = 0; k < nrows; k++) {
        if (k + AHEAD < nrows) __builtin_prefetch(&set->slots[home_slot(set, hashes[rows[k + AHEAD]])]);
        uint32_t row = rows[k];
        fresh[row] = insert(set, cols, row, groups[row], hashes[row]);
    }
    return true;
}
