/* op_hash_aggregate: GROUP BY with a hash table.
 *
 * Input columns: the group keys first (ngroups of them), then the aggregates'
 * arguments (computed by the projection below).  For each input batch the
 * keys are hashed a column at a time with the group-key hash (exec/hash.h
 * hash_key_vector: short strings as two words, not through XXH3), each row
 * is looked up in an open-addressing table of group ids (linear probing,
 * stored hashes checked before keys are compared), new groups append their
 * keys to a columnar group store, and then every aggregate updates its
 * per-group state in one tight loop over the batch.  When every key is an
 * integer, date, boolean, small decimal or short text, the batch's keys are
 * first turned into a few 64-bit words per row, which are hashed and
 * compared against each group's copy with no per-key dispatch (see "Key
 * words"); a row repeating the previous row's keys skips the probe while
 * such runs are common.  The group ids of a batch are then counted once
 * (count_batch_groups): count(*), and the counts of sum, avg and count over
 * columns without NULLs, add per group, and with at most LOCAL_GROUPS
 * groups in the batch the sums add each group's rows in registers (the rows
 * sorted by group once per batch) instead of row by row into memory.
 * After the input is exhausted the groups are emitted in order of first
 * appearance, VECTOR_CAPACITY groups per batch, the key columns straight
 * from the group store.
 *
 * Without GROUP BY there is exactly one group, even for empty input
 * (count(*) = 0, sum = NULL), as SQL requires.
 *
 * Parallel aggregation uses the same operator twice: in each worker with
 * agg_partial set, emitting per-group partial states (aggregate_state_types)
 * for its morsel, and once above the GATHER with `combine` aggregates that
 * merge those states into the final results.
 *
 * A DISTINCT aggregate first offers each (group, value) of the batch to its
 * DistinctSet (exec/distinct_set.h) and then updates as usual, with only the
 * rows new to the set passing (an extra boolean column acting as FILTER).
 * Ordered-set aggregates (percentile_cont, percentile_disc) append their
 * values to a per-aggregate value store and each group keeps the positions
 * of its values; when the group is emitted, a quickselect (median-of-three
 * pivots, merge sort after too many rounds) puts the value(s) the fraction
 * asks for in place, in expected linear time.
 *
 * Memory: the group keys (deep copies), per-group aggregate states (16-32
 * bytes per aggregate; min/max keep a copy of the value, string_agg its
 * growing string, approx_count_distinct a sketch of 24 bytes + up to 256
 * bytes while sparse, 4 KB once dense), every distinct value
 * of a DISTINCT aggregate (plus 28 bytes), every value of an ordered-set
 * aggregate (plus 8 bytes), the keys' words (8 bytes a word, at most
 * MAX_KEY_WORDS, per group), a table of 12 bytes per slot at most 50%
 * full, and the words of one batch's keys (at most 128 KB).
 *
 * Spilling (PostgreSQL 13's hash aggregate design).  After each batch the
 * bytes above are estimated; past the operator's share of memory_limit
 * (half, a quarter with DISTINCT, string_agg or ordered-set aggregates,
 * whose states keep growing) and once at least MIN_GROUPS_BEFORE_SPILL
 * groups exist, no new group is created: rows of groups already in memory
 * still update them, rows of other groups are written unchanged, by the
 * high bits of their key hash, to SPILL_FANOUT partition files
 * (exec/spill_partition.h).  The groups in memory are emitted first, then
 * each partition is aggregated by a fresh copy of this operator one level
 * deeper, reading the file, which may spill again with the next hash bits.
 * Spilled rows are input rows, not states, so every aggregate (DISTINCT,
 * string_agg in input order, percentiles, combining partial states) gives
 * exactly the in-memory result.  What cannot move to disk is the growth of
 * the in-memory groups' DISTINCT sets, string_agg text and ordered-set
 * values (or a single group without GROUP BY): past memory_limit (and
 * twice the size at which spilling began) that is an error naming the
 * aggregate and the limit.  The bytes are also counted in the statement's
 * total (exec/memory_hold.h): spilling starts as well when all operators
 * together pass memory_limit.  A partial aggregate (parallel workers) never
 * writes to disk: past its budget it hands its groups up early and starts
 * afresh, and the combining aggregate above merges the duplicates; one
 * whose groups must each come out once (agg_partial_spills: the lower half
 * of a DISTINCT aggregate split in two, sql/opt_distinct_aggregate.c)
 * spills like a final aggregate. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/distinct_set.h"
#include "exec/exec.h"
#include "exec/hash.h"
#include "exec/hll.h"
#include "exec/memory_hold.h"
#include "exec/sort_compare.h"
#include "exec/spill_partition.h"
#include "types/decimal.h"

typedef struct AggValues {
    uint8_t *has;         /* a non-NULL input was seen */
    int64_t *count;
    kiln_int128 *isum;    /* integer and decimal sums (unscaled) */
    double *dsum;         /* double sums, compensated (Neumaier) so that the */
    double *dcomp;        /* order rows arrive in barely matters: parallel = serial */
    uint8_t *flag;        /* bool_and / bool_or */
    Vector **chunks;      /* min/max: one vector per VECTOR_CAPACITY groups */
    StrBuf *strs;         /* string_agg */
    double *sx, *sxx;     /* variance, stddev: Youngs-Cramer sums (N in count) */
    HllSketch *sketch;    /* approx_count_distinct */
    struct PositionList *lists; /* ordered-set: positions of each group's values in store */
    MemTable *store;      /* ordered-set: every value aggregated */
    DistinctSet *set;     /* DISTINCT: the (group, value) pairs seen */
    uint64_t sealed_bytes; /* spill_memtable_bytes' cache for store or set->values */
    int sealed_chunks;
} AggValues;

typedef struct PositionList {
    uint64_t *pos;
    uint64_t n, cap;
} PositionList;

/* Slots of count_batch_groups' table of the batch's groups: a power of
 * two, at least twice VECTOR_CAPACITY (a batch's groups fill at most half). */
#define BATCH_MAP_BITS 12
#define BATCH_MAP_SLOTS (1u << BATCH_MAP_BITS)
_Static_assert(BATCH_MAP_SLOTS >= 2 * VECTOR_CAPACITY, "count_batch_groups' table must stay half empty");
/* Most groups in a batch for the sums that add each group's rows in registers (sum_no_nulls). */
#define LOCAL_GROUPS 16
/* Most words of the keys' word form (see "Key words"). */
#define MAX_KEY_WORDS 8

typedef struct HashAggState {
    ExecNode base;
    int nkeys, naggs;
    const AggregateSpec *specs;
    MemTable keys;
    uint64_t ngroups, cap_groups;
    uint64_t *group_hash;
    uint32_t *table;      /* group id + 1; 0 = empty */
    uint64_t *table_hash;
    uint64_t table_cap;
    AggValues *vals;
    uint64_t hashes[VECTOR_CAPACITY];
    uint32_t gids[VECTOR_CAPACITY];
    uint64_t value_hashes[VECTOR_CAPACITY]; /* DISTINCT and approx_count_distinct */
    uint32_t selected[VECTOR_CAPACITY];     /* ordered-set: rows that pass */
    Vector *new_rows;     /* DISTINCT: BOOLEAN, the rows new to the set */
    Vector **with_new_rows; /* the input columns and new_rows last */
    Vector *flat;         /* one per input column, for selected batches */
    Batch flat_batch;
    bool finished;
    uint64_t next_group;
    Batch out;
    Vector *results;      /* one per output aggregate column (naggs, or the state columns when partial) */
    int nresults;
    bool partial;
    /* spilling (see the header comment) */
    int depth;            /* recursion level: 0 for the plan's own node */
    uint64_t budget;      /* bytes of groups and states before new groups spill */
    bool can_spill;
    bool spilling;        /* new groups' rows go to parts */
    SpillPartitions *parts;
    int next_partition;   /* emitting: the next partition to aggregate */
    ExecNode *sub;        /* emitting: the aggregate of a partition */
    bool groups_freed;
    uint64_t frozen_bytes; /* state_bytes when spilling began */
    bool has_growing_states; /* DISTINCT sets, string_agg, ordered sets: grow with rows, not groups */
    bool flush_pending;   /* partial: emit the groups so far, then go on consuming */
    uint64_t per_group_bytes;
    uint64_t var_bytes;   /* string_agg text and ordered-set positions so far */
    uint64_t keys_sealed; /* spill_memtable_bytes' cache for keys */
    int keys_sealed_chunks;
    Vector *compact;      /* one per input column: the rows of a spilling batch that stay */
    Vector **compact_cols;
    uint32_t keep[VECTOR_CAPACITY];
    uint32_t spill_rows[VECTOR_CAPACITY];
    MemoryHold hold;      /* state_bytes as counted in the statement's total (exec/memory_hold.h) */
    /* keys as words (see "Key words" below); key_words = 0: not used */
    int key_words;        /* words per group */
    bool key_null_word;   /* word 0 holds NULL bits of the 64-bit keys */
    int key_word_at[MAX_KEY_WORDS]; /* first word of each key */
    uint64_t **group_words; /* per VECTOR_CAPACITY groups, key_words per group (chunks: no copying as groups grow) */
    uint64_t *row_words;  /* key_words per row of the batch */
    uint32_t rows_last, repeat_rows_last; /* the last batch's rows, and those whose group was the row before's */
    /* the batch's groups (count_batch_groups), once its group ids are final */
    bool batch_counted;   /* batch_groups_counted has decided for this batch */
    bool batch_counts_valid; /* ... and counted: touched, touched_rows, local, by_group */
    bool many_groups;     /* the last counted batch had more than one group per 8 rows */
    int batches_uncounted;
    uint32_t ntouched;
    uint32_t batch_map[BATCH_MAP_SLOTS]; /* count_batch_groups: group + 1 (0: free) */
    uint16_t batch_map_slot[BATCH_MAP_SLOTS]; /* ... and its index in touched */
    uint32_t touched[VECTOR_CAPACITY];      /* the groups the batch's rows fall in */
    uint32_t touched_rows[VECTOR_CAPACITY]; /* and how many rows each */
    uint8_t local[VECTOR_CAPACITY];         /* row i's index in touched (at most LOCAL_GROUPS of them) */
    uint32_t by_group[VECTOR_CAPACITY];     /* the rows, those of touched[0] first, then touched[1]'s ... */
} HashAggState;

#define NO_GROUP UINT32_MAX
/* Groups an aggregate always holds before it spills: the empty state's own
 * buffers (a batch of keys, the DISTINCT sets' first slots) must not make
 * every partition spill again at once, level after level. */
#define MIN_GROUPS_BEFORE_SPILL (2 * VECTOR_CAPACITY)

static bool is_variance(AggKind k)
{
    return k == AGG_VAR_SAMP || k == AGG_VAR_POP || k == AGG_STDDEV_SAMP || k == AGG_STDDEV_POP;
}

static bool is_ordered_set(AggKind k) { return k == AGG_PERCENTILE_CONT || k == AGG_PERCENTILE_DISC; }

/* DISTINCT changes the result (and needs a set) for these aggregates only. */
static bool needs_distinct_set(const AggregateSpec *sp)
{
    return sp->distinct && !sp->combine && sp->kind != AGG_MIN && sp->kind != AGG_MAX && sp->kind != AGG_BOOL_AND &&
           sp->kind != AGG_BOOL_OR && sp->kind != AGG_APPROX_COUNT_DISTINCT && !is_ordered_set(sp->kind);
}

static void grow_groups(HashAggState *s, uint64_t need)
{
    if (need <= s->cap_groups) return;
    uint64_t cap = s->cap_groups ? s->cap_groups * 2 : 1024;
    while (cap < need) cap *= 2;
    s->group_hash = mem_realloc(s->group_hash, sizeof(uint64_t) * cap);
    if (s->key_words > 0) {
        uint64_t old_chunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
        uint64_t new_chunks = (cap + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
        s->group_words = mem_realloc(s->group_words, sizeof(uint64_t *) * new_chunks);
        for (uint64_t c = old_chunks; c < new_chunks; c++)
            s->group_words[c] = mem_alloc(sizeof(uint64_t) * (size_t)s->key_words * VECTOR_CAPACITY);
    }
    for (int a = 0; a < s->naggs; a++) {
        AggValues *v = &s->vals[a];
        const AggregateSpec *sp = &s->specs[a];
        v->has = mem_realloc(v->has, cap);
        v->count = mem_realloc(v->count, sizeof(int64_t) * cap);
        memset(v->has + s->cap_groups, 0, cap - s->cap_groups);
        memset(v->count + s->cap_groups, 0, sizeof(int64_t) * (cap - s->cap_groups));
        if (sp->kind == AGG_SUM || sp->kind == AGG_AVG) {
            v->isum = mem_realloc(v->isum, sizeof(kiln_int128) * cap);
            v->dsum = mem_realloc(v->dsum, sizeof(double) * cap);
            v->dcomp = mem_realloc(v->dcomp, sizeof(double) * cap);
            memset(v->isum + s->cap_groups, 0, sizeof(kiln_int128) * (cap - s->cap_groups));
            memset(v->dsum + s->cap_groups, 0, sizeof(double) * (cap - s->cap_groups));
            memset(v->dcomp + s->cap_groups, 0, sizeof(double) * (cap - s->cap_groups));
        }
        if (sp->kind == AGG_BOOL_AND || sp->kind == AGG_BOOL_OR) {
            v->flag = mem_realloc(v->flag, cap);
            memset(v->flag + s->cap_groups, 0, cap - s->cap_groups);
        }
        if (sp->kind == AGG_MIN || sp->kind == AGG_MAX) {
            uint64_t old_chunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
            uint64_t new_chunks = (cap + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
            v->chunks = mem_realloc(v->chunks, sizeof(Vector *) * new_chunks);
            for (uint64_t c = old_chunks; c < new_chunks; c++) v->chunks[c] = vector_new(sp->input_type, VECTOR_CAPACITY);
        }
        if (sp->kind == AGG_STRING_AGG) {
            v->strs = mem_realloc(v->strs, sizeof(StrBuf) * cap);
            memset(v->strs + s->cap_groups, 0, sizeof(StrBuf) * (cap - s->cap_groups));
        }
        if (is_variance(sp->kind)) {
            v->sx = mem_realloc(v->sx, sizeof(double) * cap);
            v->sxx = mem_realloc(v->sxx, sizeof(double) * cap);
            memset(v->sx + s->cap_groups, 0, sizeof(double) * (cap - s->cap_groups));
            memset(v->sxx + s->cap_groups, 0, sizeof(double) * (cap - s->cap_groups));
        }
        if (sp->kind == AGG_APPROX_COUNT_DISTINCT) {
            v->sketch = mem_realloc(v->sketch, sizeof(HllSketch) * cap);
            memset(v->sketch + s->cap_groups, 0, sizeof(HllSketch) * (cap - s->cap_groups));
        }
        if (is_ordered_set(sp->kind)) {
            v->lists = mem_realloc(v->lists, sizeof(PositionList) * cap);
            memset(v->lists + s->cap_groups, 0, sizeof(PositionList) * (cap - s->cap_groups));
        }
    }
    s->cap_groups = cap;
}

/* Neumaier's compensated addition: sum + comp carries the rounding error. */
static inline void add_compensated(double *sum, double *comp, double x)
{
    double t = *sum + x;
    if (fabs(*sum) >= fabs(x)) *comp += (*sum - t) + x;
    else *comp += (x - t) + *sum;
    *sum = t;
}

/* Youngs-Cramer update of (N, Sx, Sxx) with x, as PostgreSQL's float8_accum:
 * an infinite or NaN input makes Sxx NaN; a finite overflow is an error. */
static bool variance_add(int64_t *n, double *sx, double *sxx, double x, Error *err)
{
    double old_sx = *sx;
    (*n)++;
    *sx += x;
    if (*n > 1) {
        double t = x * (double)*n - *sx;
        *sxx += t * t / ((double)*n * (double)(*n - 1));
        if (isinf(*sx) || isinf(*sxx)) {
            if (!isinf(old_sx) && !isinf(x)) return error_set(err, ERR_DATA, "value out of range: overflow");
            *sxx = NAN;
        }
    } else if (isnan(x) || isinf(x)) {
        *sxx = NAN;
    }
    return true;
}

/* Merge state (n2, sx2, sxx2) into (n, sx, sxx), as PostgreSQL's float8_combine. */
static bool variance_merge(int64_t *n, double *sx, double *sxx, int64_t n2, double sx2, double sxx2, Error *err)
{
    if (n2 == 0) return true;
    if (*n == 0) {
        *n = n2;
        *sx = sx2;
        *sxx = sxx2;
        return true;
    }
    double n1 = (double)*n, m = (double)n2, total = n1 + m;
    double t = *sx / n1 - sx2 / m;
    double merged = *sxx + sxx2 + n1 * m * t * t / total;
    if (isinf(merged) && !isinf(*sxx) && !isinf(sxx2)) return error_set(err, ERR_DATA, "value out of range: overflow");
    *n += n2;
    *sx += sx2;
    *sxx = merged;
    return true;
}

static void rehash(HashAggState *s, uint64_t cap)
{
    mem_free(s->table);
    mem_free(s->table_hash);
    s->table = mem_calloc(cap, sizeof(uint32_t));
    s->table_hash = mem_alloc(sizeof(uint64_t) * cap);
    s->table_cap = cap;
    for (uint64_t g = 0; g < s->ngroups; g++) {
        uint64_t slot = s->group_hash[g] & (cap - 1);
        while (s->table[slot]) slot = (slot + 1) & (cap - 1);
        s->table[slot] = (uint32_t)(g + 1);
        s->table_hash[slot] = s->group_hash[g];
    }
}

/* Equal text keys; short ones (stored inline) compared as two masked words
 * instead of memcmp calls: bytes past the length are unspecified. */
static inline bool key_text_equal(const KString *a, const KString *b)
{
    if (a->len != b->len) return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t len = a->len;
    if (len <= KSTRING_INLINE_MAX) {
        uint64_t a0, b0;
        uint32_t a1, b1;
        memcpy(&a0, a->u.inlined, 8);
        memcpy(&b0, b->u.inlined, 8);
        memcpy(&a1, a->u.inlined + 8, 4);
        memcpy(&b1, b->u.inlined + 8, 4);
        uint64_t m0 = len >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (len * 8)) - 1);
        uint32_t m1 = len <= 8 ? 0 : len >= 12 ? ~(uint32_t)0 : (((uint32_t)1 << ((len - 8) * 8)) - 1);
        return ((a0 ^ b0) & m0) == 0 && ((a1 ^ b1) & m1) == 0;
    }
#endif
    return kstring_equal(a, b);
}

/* hash_values_equal with the common key types inline: text and integers;
 * the rest through hash_values_equal. */
static inline bool key_slot_equal(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    bool va = vector_is_valid(a, i), vb = vector_is_valid(b, j);
    if (!va || !vb) return va == vb;
    switch (a->type.id) {
    case TYPE_VARCHAR: return key_text_equal(&VEC_DATA(a, KString)[i], &VEC_DATA(b, KString)[j]);
    case TYPE_INTEGER:
    case TYPE_DATE: return VEC_DATA(a, int32_t)[i] == VEC_DATA(b, int32_t)[j];
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return VEC_DATA(a, int64_t)[i] == VEC_DATA(b, int64_t)[j];
    default: return hash_values_equal(a, i, b, j);
    }
}

static bool keys_equal(HashAggState *s, Vector **cols, uint32_t row, uint64_t g)
{
    const Batch *chunk = &s->keys.chunks[g / VECTOR_CAPACITY];
    uint32_t r = (uint32_t)(g % VECTOR_CAPACITY);
    for (int k = 0; k < s->nkeys; k++)
        if (!key_slot_equal(cols[k], row, chunk->cols[k], r)) return false;
    return true;
}

static void row_key_words(const HashAggState *s, Vector **cols, uint32_t row, uint64_t *words);

/* The key words of group g. */
static inline uint64_t *group_key_words(const HashAggState *s, uint32_t g)
{
    return s->group_words[g / VECTOR_CAPACITY] + (size_t)(g % VECTOR_CAPACITY) * (size_t)s->key_words;
}

/* A new group for row of cols (its keys' words: words, or NULL to compute them). */
static uint32_t new_group(HashAggState *s, Vector **cols, uint32_t row, uint64_t hash, const uint64_t *words)
{
    uint64_t g = s->ngroups++;
    grow_groups(s, s->ngroups);
    s->group_hash[g] = hash;
    if (s->key_words > 0) {
        uint64_t *dst = group_key_words(s, (uint32_t)g);
        if (words) memcpy(dst, words, sizeof(uint64_t) * (size_t)s->key_words);
        else row_key_words(s, cols, row, dst);
    }
    if (s->nkeys > 0) {
        Batch view;
        view.ncols = s->nkeys;
        view.cols = cols;
        view.count = 1;
        view.sel = &row;
        view.owned = NULL;
        memtable_append(&s->keys, &view);
    }
    return (uint32_t)g;
}

/* Key words.  When every key is an integer, date, timestamp, boolean,
 * decimal of up to 18 digits or text, at least one is text, and they fit in
 * MAX_KEY_WORDS words, each group also keeps its keys as words: one per
 * fixed-size key (NULL of a 32-bit or boolean key: a word no value has; of
 * a 64-bit key: a bit in word 0), two per text key (hash_key_text_words;
 * NULL: a length no short string has; a long string: its length alone,
 * which no short string matches).  A batch whose text keys are all short
 * (stored inline) is looked up with its rows' words: hashing and comparing
 * a row is then a few word operations, with no per-key type dispatch, no
 * NULL tests and no string bytes read.  Other batches take the general path
 * (hash_key_vector, keys_equal); both compute the same hash for the same
 * keys, so they share the table. */
#define KEY_WORD_NULL_SMALL ((uint64_t)1 << 40) /* outside int32 and boolean */
#define KEY_WORD_NULL_TEXT UINT64_MAX          /* the second word of a NULL text key */

/* Choose the words of the keys (s->key_words = 0: keys are not all word-sized). */
static void key_word_layout(HashAggState *s, const LogicalType *types)
{
    int words = 0;
    bool null_word = false;
    s->key_words = 0;
    for (int k = 0; k < s->nkeys; k++) {
        if (k >= MAX_KEY_WORDS) return;
        s->key_word_at[k] = words;
        switch (types[k].id) {
        case TYPE_VARCHAR: words += 2; break;
        case TYPE_BOOLEAN:
        case TYPE_INTEGER:
        case TYPE_DATE: words += 1; break;
        case TYPE_DECIMAL:
            if (type_is_decimal128(types[k])) return;
            /* fall through */
        case TYPE_BIGINT:
        case TYPE_TIMESTAMP:
            words += 1;
            null_word = true;
            break;
        default: return;
        }
    }
    if (null_word) {
        words++;
        for (int k = 0; k < s->nkeys; k++) s->key_word_at[k]++;
    }
    if (s->nkeys == 0 || words > MAX_KEY_WORDS) return;
    /* integer keys alone compare about as fast in place (key_slot_equal),
     * without a copy of every group's keys: words pay off for text */
    bool has_text = false;
    for (int k = 0; k < s->nkeys; k++) has_text |= types[k].id == TYPE_VARCHAR;
    if (!has_text) return;
    s->key_words = words;
    s->key_null_word = null_word;
}

/* The words of row's keys (any row: a long text key gets its length alone). */
static void row_key_words(const HashAggState *s, Vector **cols, uint32_t row, uint64_t *words)
{
    if (s->key_null_word) words[0] = 0;
    for (int k = 0; k < s->nkeys; k++) {
        const Vector *v = cols[k];
        uint64_t *w = words + s->key_word_at[k];
        bool valid = vector_is_valid(v, row);
        switch (v->type.id) {
        case TYPE_VARCHAR: {
            const KString *x = &VEC_DATA(v, KString)[row];
            if (!valid) {
                w[0] = 0;
                w[1] = KEY_WORD_NULL_TEXT;
            } else if (x->len > KSTRING_INLINE_MAX) {
                w[0] = 0;
                w[1] = (uint64_t)x->len << 32;
            } else {
                hash_key_text_words(x, &w[0], &w[1]);
            }
            break;
        }
        case TYPE_BOOLEAN: w[0] = valid ? (uint64_t)VEC_DATA(v, uint8_t)[row] + 1 : KEY_WORD_NULL_SMALL; break;
        case TYPE_INTEGER:
        case TYPE_DATE: w[0] = valid ? (uint64_t)(int64_t)VEC_DATA(v, int32_t)[row] : KEY_WORD_NULL_SMALL; break;
        default: /* 64-bit */
            w[0] = valid ? (uint64_t)VEC_DATA(v, int64_t)[row] : 0;
            if (!valid) words[0] |= (uint64_t)1 << k;
            break;
        }
    }
}

/* The batch's row words and hashes (the same hashes hash_key_vector gives);
 * false if a text key is too long to be stored inline. */
static bool batch_key_words(HashAggState *s, Vector **cols, uint32_t n)
{
    const int kw = s->key_words;
    uint64_t *words = s->row_words, *hashes = s->hashes;
    if (s->key_null_word)
        for (uint32_t i = 0; i < n; i++) words[(size_t)i * kw] = 0;
    for (int k = 0; k < s->nkeys; k++) {
        const Vector *v = cols[k];
        const uint64_t *valid = v->validity;
        bool first = k == 0;
        uint64_t *w = words + s->key_word_at[k];
#define IS_VALID(i) (valid == NULL || ((valid[(i) >> 6] >> ((i) & 63)) & 1))
        switch (v->type.id) {
        case TYPE_VARCHAR: {
            const KString *x = VEC_DATA(v, KString);
            for (uint32_t i = 0; i < n; i++, w += kw) {
                if (!IS_VALID(i)) {
                    w[0] = 0;
                    w[1] = KEY_WORD_NULL_TEXT;
                    hashes[i] = hash_key_step(hashes[i], HASH_NULL, first);
                    continue;
                }
                if (x[i].len > KSTRING_INLINE_MAX) return false; /* the caller starts afresh */
                hash_key_text_words(&x[i], &w[0], &w[1]);
                hashes[i] = hash_key_step(hashes[i], hash_key_text_value(w[0], w[1]), first);
            }
            break;
        }
        case TYPE_BOOLEAN:
        case TYPE_INTEGER:
        case TYPE_DATE: {
            bool is_bool = v->type.id == TYPE_BOOLEAN;
            for (uint32_t i = 0; i < n; i++, w += kw) {
                if (!IS_VALID(i)) {
                    w[0] = KEY_WORD_NULL_SMALL;
                    hashes[i] = hash_key_step(hashes[i], HASH_NULL, first);
                    continue;
                }
                w[0] = is_bool ? (uint64_t)VEC_DATA(v, uint8_t)[i] + 1 : (uint64_t)(int64_t)VEC_DATA(v, int32_t)[i];
                hashes[i] = hash_key_step(hashes[i], w[0], first);
            }
            break;
        }
        default: { /* 64-bit */
            const int64_t *x = VEC_DATA(v, int64_t);
            for (uint32_t i = 0; i < n; i++, w += kw) {
                if (!IS_VALID(i)) {
                    w[0] = 0;
                    words[(size_t)i * kw] |= (uint64_t)1 << k;
                    hashes[i] = hash_key_step(hashes[i], HASH_NULL, first);
                    continue;
                }
                w[0] = (uint64_t)x[i];
                hashes[i] = hash_key_step(hashes[i], w[0], first);
            }
            break;
        }
        }
#undef IS_VALID
    }
    return true;
}

static inline __attribute__((always_inline)) bool words_equal(const uint64_t *a, const uint64_t *b, int kw)
{
    uint64_t diff = 0;
    for (int j = 0; j < kw; j++) diff |= a[j] ^ b[j];
    return diff == 0;
}

/* find_groups for a batch in word form.  When most rows of the last batch
 * repeated the keys of the row before (runs of one key, a batch that is all
 * one group), a row whose keys equal the previous row's takes its group
 * without a probe; when keys take turns, that test would mostly fail, and
 * mispredict, so rows go straight to the table (whose first slot is nearly
 * always the group when there are few).  Inlined for each common kw, which
 * unrolls the word compares. */
static inline __attribute__((always_inline)) void find_groups_by_words_n(HashAggState *s, Vector **cols, uint32_t n,
                                                                         const int kw)
{
    uint32_t prev = NO_GROUP;
    uint64_t prev_hash = 0;
    uint32_t repeats = 0;
    bool try_previous = s->repeat_rows_last * 8 >= s->rows_last * 7;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = s->hashes[i];
        const uint64_t *rw = s->row_words + (size_t)i * kw;
        if (try_previous && prev != NO_GROUP && h == prev_hash &&
            words_equal(rw, group_key_words(s, prev), kw)) {
            s->gids[i] = prev;
            repeats++;
            continue;
        }
        if ((s->ngroups + 1) * 2 > s->table_cap) rehash(s, s->table_cap * 2);
        uint64_t mask = s->table_cap - 1;
        uint64_t slot = h & mask;
        for (;;) {
            uint32_t entry = s->table[slot];
            if (entry == 0) {
                if (s->spilling) {
                    s->gids[i] = NO_GROUP; /* a new group: its rows go to a partition */
                    break;
                }
                uint32_t g = new_group(s, cols, i, h, rw);
                s->table[slot] = g + 1;
                s->table_hash[slot] = h;
                s->gids[i] = g;
                break;
            }
            if (s->table_hash[slot] == h && words_equal(rw, group_key_words(s, entry - 1), kw)) {
                s->gids[i] = entry - 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
        repeats += s->gids[i] == prev && prev != NO_GROUP;
        prev = s->gids[i];
        prev_hash = h;
    }
    s->repeat_rows_last = repeats;
    s->rows_last = n;
}

static void find_groups_by_words(HashAggState *s, Vector **cols, uint32_t n)
{
    switch (s->key_words) {
    case 1: find_groups_by_words_n(s, cols, n, 1); break;
    case 2: find_groups_by_words_n(s, cols, n, 2); break;
    case 3: find_groups_by_words_n(s, cols, n, 3); break;
    case 4: find_groups_by_words_n(s, cols, n, 4); break;
    default: find_groups_by_words_n(s, cols, n, s->key_words); break;
    }
}

/* gids[i] = group of row i, creating groups as needed. */
static void find_groups(HashAggState *s, Vector **cols, uint32_t n)
{
    s->batch_counted = false;
    if (s->nkeys == 0) {
        memset(s->gids, 0, sizeof(uint32_t) * n);
        return;
    }
    if (s->key_words > 0 && batch_key_words(s, cols, n)) {
        find_groups_by_words(s, cols, n);
        return;
    }
    for (int k = 0; k < s->nkeys; k++) hash_key_vector(cols[k], n, s->hashes, k > 0);
    for (uint32_t i = 0; i < n; i++) {
        if ((s->ngroups + 1) * 2 > s->table_cap) rehash(s, s->table_cap * 2);
        uint64_t h = s->hashes[i];
        uint64_t mask = s->table_cap - 1;
        uint64_t slot = h & mask;
        for (;;) {
            uint32_t entry = s->table[slot];
            if (entry == 0) {
                if (s->spilling) {
                    s->gids[i] = NO_GROUP; /* a new group: its rows go to a partition */
                    break;
                }
                uint32_t g = new_group(s, cols, i, h, NULL);
                s->table[slot] = g + 1;
                s->table_hash[slot] = h;
                s->gids[i] = g;
                break;
            }
            if (s->table_hash[slot] == h && keys_equal(s, cols, i, entry - 1)) {
                s->gids[i] = entry - 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
    }
}

static bool row_passes(const Vector *filter, uint32_t i)
{
    return filter == NULL || (vector_is_valid(filter, i) && VEC_DATA(filter, uint8_t)[i]);
}

static bool update_aggregate(HashAggState *s, int a, const AggregateSpec *sp, Vector **cols, uint32_t n, Error *err);

/* Merge partial states (the output of a partial aggregate) into the groups. */
static bool combine_aggregate(HashAggState *s, int a, Vector **cols, uint32_t n, Error *err)
{
    const AggregateSpec *sp = &s->specs[a];
    AggValues *v = &s->vals[a];
    const Vector *in = cols[sp->input];
    const uint32_t *gids = s->gids;
    switch (sp->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        for (uint32_t i = 0; i < n; i++) v->count[gids[i]] += VEC_DATA(in, int64_t)[i];
        return true;
    case AGG_SUM:
    case AGG_AVG: {
        const Vector *counts = cols[sp->input2];
        bool is_double = sp->input_type.id == TYPE_DOUBLE;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t g = gids[i];
            v->count[g] += VEC_DATA(counts, int64_t)[i];
            if (!vector_is_valid(in, i)) continue;
            if (is_double) {
                add_compensated(&v->dsum[g], &v->dcomp[g], VEC_DATA(in, double)[i]);
            } else if (__builtin_add_overflow(v->isum[g], VEC_DATA(in, kiln_int128)[i], &v->isum[g])) {
                return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(sp->kind));
            }
            v->has[g] = 1;
        }
        return true;
    }
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: {
        const Vector *sx = cols[sp->input + 1], *sxx = cols[sp->input + 2];
        for (uint32_t i = 0; i < n; i++) {
            uint32_t g = gids[i];
            if (!variance_merge(&v->count[g], &v->sx[g], &v->sxx[g], VEC_DATA(in, int64_t)[i],
                                VEC_DATA(sx, double)[i], VEC_DATA(sxx, double)[i], err))
                return false;
        }
        return true;
    }
    case AGG_APPROX_COUNT_DISTINCT:
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i)) continue;
            const KString *k = &VEC_DATA(in, KString)[i];
            if (!hll_sketch_merge_text(&v->sketch[gids[i]], kstring_data(k), k->len))
                return error_set(err, ERR_INTERNAL, "malformed approx_count_distinct state");
        }
        return true;
    default: {
        /* min, max, bool_and, bool_or merge exactly as they update */
        AggregateSpec plain = *sp;
        plain.combine = false;
        plain.filter = -1;
        return update_aggregate(s, a, &plain, cols, n, err);
    }
    }
}

/* The groups of the batch's rows (s->touched, in order of first row) and
 * how many rows each (s->touched_rows), found once per batch when the group
 * ids are final (after spilling took its rows out).  count(*), and the
 * counts of sum, avg and count over columns without NULLs, then add a few
 * numbers per group instead of one per row each.  With at most
 * LOCAL_GROUPS groups, local[i] is row i's index in touched, and by_group
 * lists the rows group after group (a counting sort), for the sums. */
static void count_batch_groups(HashAggState *s, uint32_t n)
{
    s->batch_counted = true;
    uint32_t *touched = s->touched, *rows = s->touched_rows;
    uint32_t *map = s->batch_map;
    const uint32_t *gids = s->gids;
    uint32_t nt = 0;
    /* a small table of the batch's groups (at most VECTOR_CAPACITY in
     * 2 * VECTOR_CAPACITY slots), group -> index in touched: it stays in
     * the cache, as a per-group array would not with many groups */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t g = gids[i];
        uint32_t pos = (uint32_t)(g * 0x9e3779b1U) >> (32 - BATCH_MAP_BITS);
        while (map[pos] != g + 1 && map[pos] != 0) pos = (pos + 1) & (BATCH_MAP_SLOTS - 1);
        if (map[pos] == 0) {
            map[pos] = g + 1;
            s->batch_map_slot[pos] = (uint16_t)nt;
            touched[nt] = g;
            rows[nt++] = 0;
        }
        uint32_t t = s->batch_map_slot[pos];
        rows[t]++;
        s->local[i] = (uint8_t)t; /* read only when nt <= LOCAL_GROUPS */
    }
    /* empty the table for the next batch: only the slots used */
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t pos = (uint32_t)(touched[t] * 0x9e3779b1U) >> (32 - BATCH_MAP_BITS);
        while (map[pos] != touched[t] + 1) pos = (pos + 1) & (BATCH_MAP_SLOTS - 1);
        map[pos] = 0;
    }
    s->ntouched = nt;
    if (nt > 1 && nt <= LOCAL_GROUPS) {
        /* a counting sort of the rows by group, for the sums */
        uint32_t next[LOCAL_GROUPS], at = 0;
        for (uint32_t t = 0; t < nt; t++) {
            next[t] = at;
            at += rows[t];
        }
        for (uint32_t i = 0; i < n; i++) s->by_group[next[s->local[i]]++] = i;
    }
}

/* True if the batch's groups are counted (count_batch_groups), for the
 * aggregates to update per group.  When the batches have many groups (more
 * than one per 8 rows: nearly every row a group of its own), counting
 * costs a random access per row and saves nothing, so then only every
 * 16th batch is counted, to notice when that changes, and the others are
 * updated row by row. */
static bool batch_groups_counted(HashAggState *s, uint32_t n)
{
    if (s->batch_counted) return s->batch_counts_valid;
    if (s->many_groups && ++s->batches_uncounted < 16) {
        s->batch_counted = true;
        s->batch_counts_valid = false;
        return false;
    }
    count_batch_groups(s, n);
    s->batches_uncounted = 0;
    s->many_groups = (uint64_t)s->ntouched * 8 > n;
    s->batch_counts_valid = true;
    return true;
}

/* Add the batch's rows per group to count (and mark the groups as having a value). */
static void add_batch_counts(const HashAggState *s, int64_t *count, uint8_t *has)
{
    for (uint32_t t = 0; t < s->ntouched; t++) {
        count[s->touched[t]] += s->touched_rows[t];
        if (has) has[s->touched[t]] = 1;
    }
}

/* sum/avg of an integer or decimal column with no NULLs and no FILTER: only
 * the sums per row (the counts are per group).  With few groups in the
 * batch, each group's rows (by_group) add up in two registers: no row waits
 * for another's addition to memory, which bounds the loop when a few groups
 * take turns.  Integer and 64-bit decimal values need no overflow test: a
 * state only ever receives such values, fewer than 2^63 of them, so
 * |sum| < 2^126. */
#define SUM_NO_NULLS(T)                                                                      \
    do {                                                                                     \
        const T *x = VEC_DATA(in, T);                                                        \
        if (nt == 1) {                                                                       \
            kiln_int128 a0 = 0, a1 = 0;                                                      \
            uint32_t i = 0;                                                                  \
            for (; i + 2 <= n; i += 2) {                                                     \
                a0 += x[i];                                                                  \
                a1 += x[i + 1];                                                              \
            }                                                                                \
            if (i < n) a0 += x[i];                                                           \
            sum[s->touched[0]] += a0 + a1;                                                   \
        } else if (nt <= LOCAL_GROUPS) {                                                     \
            const uint32_t *row = s->by_group;                                               \
            for (uint32_t t = 0; t < nt; t++) {                                              \
                kiln_int128 a0 = 0, a1 = 0;                                                  \
                uint32_t m = s->touched_rows[t], j = 0;                                      \
                for (; j + 2 <= m; j += 2) {                                                 \
                    a0 += x[row[j]];                                                         \
                    a1 += x[row[j + 1]];                                                     \
                }                                                                            \
                if (j < m) a0 += x[row[j]];                                                  \
                sum[s->touched[t]] += a0 + a1;                                               \
                row += m;                                                                    \
            }                                                                                \
        } else {                                                                             \
            for (uint32_t i = 0; i < n; i++) sum[gids[i]] += x[i];                           \
        }                                                                                    \
    } while (0)

/* The same for 128-bit decimals, whose additions can overflow.  Adding in
 * another order may overflow where adding row by row does not (or the other
 * way round), so the local sums are only a shortcut: on any overflow the
 * states are left untouched and the batch is added row by row, as
 * sum_int128_rows does, which is what decides.  False on an overflow. */
static bool sum_int128_no_nulls(HashAggState *s, kiln_int128 *sum, const Vector *in, uint32_t n)
{
    const kiln_int128 *x = VEC_DATA(in, kiln_int128);
    const uint32_t *gids = s->gids;
    uint32_t nt = s->ntouched;
    bool overflow = false;
    if (nt <= LOCAL_GROUPS) {
        kiln_int128 merged[LOCAL_GROUPS];
        uint32_t at = 0;
        for (uint32_t t = 0; t < nt; t++) {
            kiln_int128 a0 = 0, a1 = 0;
            uint32_t m = s->touched_rows[t], j = 0;
#define ROW(j) (nt == 1 ? (j) : s->by_group[at + (j)])
            for (; j + 2 <= m; j += 2) {
                overflow |= __builtin_add_overflow(a0, x[ROW(j)], &a0);
                overflow |= __builtin_add_overflow(a1, x[ROW(j + 1)], &a1);
            }
            if (j < m) overflow |= __builtin_add_overflow(a0, x[ROW(j)], &a0);
#undef ROW
            overflow |= __builtin_add_overflow(a0, a1, &a0);
            overflow |= __builtin_add_overflow(sum[s->touched[t]], a0, &merged[t]);
            at += m;
        }
        if (!overflow) {
            for (uint32_t t = 0; t < nt; t++) sum[s->touched[t]] = merged[t];
            return true;
        }
        overflow = false;
    }
    for (uint32_t i = 0; i < n; i++) overflow |= __builtin_add_overflow(sum[gids[i]], x[i], &sum[gids[i]]);
    return !overflow;
}

/* sum/avg with no NULLs and no FILTER (see SUM_NO_NULLS); false on an overflow. */
static bool sum_no_nulls(HashAggState *s, AggValues *v, const Vector *in, uint32_t n)
{
    kiln_int128 *sum = v->isum;
    const uint32_t *gids = s->gids;
    uint32_t nt = s->ntouched;
    if (in->type.id == TYPE_INTEGER) {
        SUM_NO_NULLS(int32_t);
    } else if (in->type.id == TYPE_DECIMAL && type_is_decimal128(in->type)) {
        if (!sum_int128_no_nulls(s, sum, in, n)) return false;
    } else {
        SUM_NO_NULLS(int64_t);
    }
    add_batch_counts(s, v->count, v->has);
    return true;
}

/* sum/avg of a 64-bit column (bigint, DECIMAL(p<=18)) with no FILTER: one
 * tight loop per batch, int64 values added into the int128 states with no
 * per-row type dispatch and no overflow test: a state only ever receives
 * such values, fewer than 2^63 of them (its count), so |sum| < 2^126. */
static bool sum_int64_rows(AggValues *v, const uint32_t *gids, const Vector *in, uint32_t n)
{
    /* the state arrays in locals: a store through `has` (a char type) could
     * otherwise alias v and force reloads every row */
    const int64_t *x = VEC_DATA(in, int64_t);
    kiln_int128 *sum = v->isum;
    int64_t *count = v->count;
    uint8_t *has = v->has;
    const uint64_t *valid = in->validity;
    for (uint32_t i = 0; i < n; i++) {
        if (valid && !((valid[i >> 6] >> (i & 63)) & 1)) continue;
        uint32_t g = gids[i];
        sum[g] += x[i];
        count[g]++;
        has[g] = 1;
    }
    return true;
}

/* sum/avg of a 128-bit DECIMAL column with no FILTER; false on a 128-bit overflow. */
static bool sum_int128_rows(AggValues *v, const uint32_t *gids, const Vector *in, uint32_t n)
{
    const kiln_int128 *x = VEC_DATA(in, kiln_int128);
    kiln_int128 *sum = v->isum;
    int64_t *count = v->count;
    uint8_t *has = v->has;
    const uint64_t *valid = in->validity;
    bool overflow = false;
    for (uint32_t i = 0; i < n; i++) {
        if (valid && !((valid[i >> 6] >> (i & 63)) & 1)) continue;
        uint32_t g = gids[i];
        overflow |= __builtin_add_overflow(sum[g], x[i], &sum[g]);
        count[g]++;
        has[g] = 1;
    }
    return !overflow;
}

static bool update_aggregate(HashAggState *s, int a, const AggregateSpec *sp, Vector **cols, uint32_t n, Error *err)
{
    AggValues *v = &s->vals[a];
    const Vector *in = sp->input >= 0 ? cols[sp->input] : NULL;
    const Vector *filter = sp->filter >= 0 ? cols[sp->filter] : NULL;
    const uint32_t *gids = s->gids;
    if (sp->combine) return combine_aggregate(s, a, cols, n, err);
    switch (sp->kind) {
    case AGG_COUNT_STAR:
        if (filter == NULL && batch_groups_counted(s, n)) {
            add_batch_counts(s, v->count, NULL);
            return true;
        }
        for (uint32_t i = 0; i < n; i++)
            if (row_passes(filter, i)) v->count[gids[i]]++;
        return true;
    case AGG_COUNT:
        if (filter == NULL && in->validity == NULL && batch_groups_counted(s, n)) {
            add_batch_counts(s, v->count, NULL);
            return true;
        }
        for (uint32_t i = 0; i < n; i++)
            if (vector_is_valid(in, i) && row_passes(filter, i)) v->count[gids[i]]++;
        return true;
    case AGG_SUM:
    case AGG_AVG:
        if (filter == NULL && in->validity == NULL &&
            (in->type.id == TYPE_INTEGER || in->type.id == TYPE_BIGINT || in->type.id == TYPE_DECIMAL) &&
            batch_groups_counted(s, n)) {
            if (sum_no_nulls(s, v, in, n)) return true;
            return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(sp->kind));
        }
        switch (sp->input_type.id) {
        case TYPE_INTEGER:
            for (uint32_t i = 0; i < n; i++)
                if (vector_is_valid(in, i) && row_passes(filter, i)) {
                    v->isum[gids[i]] += VEC_DATA(in, int32_t)[i];
                    v->count[gids[i]]++;
                    v->has[gids[i]] = 1;
                }
            return true;
        case TYPE_BIGINT:
            if (filter == NULL) return sum_int64_rows(v, gids, in, n);
            for (uint32_t i = 0; i < n; i++)
                if (vector_is_valid(in, i) && row_passes(filter, i)) {
                    v->isum[gids[i]] += VEC_DATA(in, int64_t)[i];
                    v->count[gids[i]]++;
                    v->has[gids[i]] = 1;
                }
            return true;
        case TYPE_DECIMAL:
            if (filter == NULL) {
                if (!type_is_decimal128(in->type)) return sum_int64_rows(v, gids, in, n);
                if (sum_int128_rows(v, gids, in, n)) return true;
                return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(sp->kind));
            }
            for (uint32_t i = 0; i < n; i++) {
                if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
                kiln_int128 x = type_is_decimal128(in->type) ? VEC_DATA(in, kiln_int128)[i] : VEC_DATA(in, int64_t)[i];
                if (__builtin_add_overflow(v->isum[gids[i]], x, &v->isum[gids[i]]))
                    return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(sp->kind));
                v->count[gids[i]]++;
                v->has[gids[i]] = 1;
            }
            return true;
        case TYPE_DOUBLE:
            for (uint32_t i = 0; i < n; i++)
                if (vector_is_valid(in, i) && row_passes(filter, i)) {
                    add_compensated(&v->dsum[gids[i]], &v->dcomp[gids[i]], VEC_DATA(in, double)[i]);
                    v->count[gids[i]]++;
                    v->has[gids[i]] = 1;
                }
            return true;
        default:
            return error_set(err, ERR_INTERNAL, "sum of an unsupported type");
        }
    case AGG_MIN:
    case AGG_MAX: {
        int want = sp->kind == AGG_MIN ? -1 : 1;
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            uint32_t g = gids[i];
            Vector *chunk = v->chunks[g / VECTOR_CAPACITY];
            uint32_t r = g % VECTOR_CAPACITY;
            if (!v->has[g] || sort_compare_slots(in, i, chunk, r) * want > 0) {
                vector_copy(chunk, r, in, &i, 1);
                v->has[g] = 1;
            }
        }
        return true;
    }
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        bool is_and = sp->kind == AGG_BOOL_AND;
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            uint32_t g = gids[i];
            uint8_t x = VEC_DATA(in, uint8_t)[i] != 0;
            if (!v->has[g]) v->flag[g] = x;
            else v->flag[g] = is_and ? (v->flag[g] & x) : (v->flag[g] | x);
            v->has[g] = 1;
        }
        return true;
    }
    case AGG_STRING_AGG: {
        const Vector *delim = cols[sp->input2];
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            uint32_t g = gids[i];
            if (v->has[g] && vector_is_valid(delim, i)) {
                const KString *d = &VEC_DATA(delim, KString)[i];
                strbuf_append(&v->strs[g], kstring_data(d), d->len);
                s->var_bytes += d->len;
            }
            const KString *k = &VEC_DATA(in, KString)[i];
            strbuf_append(&v->strs[g], kstring_data(k), k->len);
            s->var_bytes += k->len;
            v->has[g] = 1;
        }
        return true;
    }
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        /* the binder casts every input to double precision */
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            uint32_t g = gids[i];
            if (!variance_add(&v->count[g], &v->sx[g], &v->sxx[g], VEC_DATA(in, double)[i], err)) return false;
        }
        return true;
    case AGG_APPROX_COUNT_DISTINCT:
        hash_vector(in, n, s->value_hashes, false);
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            hll_sketch_add(&v->sketch[gids[i]], s->value_hashes[i]);
        }
        return true;
    case AGG_PERCENTILE_CONT:
    case AGG_PERCENTILE_DISC: {
        /* the rows that count go to the store in one append; each group
         * notes where its values land */
        uint32_t m = 0;
        uint64_t base = v->store->nrows;
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(in, i) || !row_passes(filter, i)) continue;
            PositionList *list = &v->lists[gids[i]];
            if (list->n == list->cap) {
                list->cap = list->cap ? list->cap * 2 : 4;
                list->pos = mem_realloc(list->pos, sizeof(uint64_t) * list->cap);
            }
            list->pos[list->n++] = base + m;
            s->selected[m++] = i;
        }
        s->var_bytes += sizeof(uint64_t) * m;
        if (m > 0) {
            Vector *column = (Vector *)in;
            Batch view;
            memset(&view, 0, sizeof view);
            view.ncols = 1;
            view.cols = &column;
            view.count = m;
            view.sel = s->selected;
            memtable_append(v->store, &view);
        }
        return true;
    }
    }
    return error_set(err, ERR_INTERNAL, "unknown aggregate");
}

/* A DISTINCT aggregate: only rows whose (group, value) the set has not seen
 * yet reach the aggregate, through a FILTER column appended to the input. */
static bool update_distinct(HashAggState *s, int a, const AggregateSpec *sp, Vector **cols, int ncols, uint32_t n,
                            Error *err)
{
    DistinctSet *set = s->vals[a].set;
    Vector *in = cols[sp->input];
    const Vector *filter = sp->filter >= 0 ? cols[sp->filter] : NULL;
    Vector *values[2] = {in, sp->input2 >= 0 ? cols[sp->input2] : NULL};
    distinct_set_hash(values, set->values.ncols, s->gids, n, s->value_hashes);
    Vector *mask = s->new_rows;
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        VEC_DATA(mask, uint8_t)[i] = 0;
        if (vector_is_valid(in, i) && row_passes(filter, i)) s->selected[m++] = i;
    }
    if (!distinct_set_insert_rows(set, values, s->selected, m, s->gids, s->value_hashes, VEC_DATA(mask, uint8_t), err))
        return false;
    if (sp->kind == AGG_STRING_AGG) return true; /* joined in order at the end (build_distinct_strings) */
    memcpy(s->with_new_rows, cols, sizeof(Vector *) * (size_t)ncols);
    s->with_new_rows[ncols] = mask;
    AggregateSpec once = *sp;
    once.distinct = false;
    once.filter = ncols;
    return update_aggregate(s, a, &once, s->with_new_rows, n, err);
}

/* Approximate bytes held by the groups: keys, states, the table, DISTINCT
 * sets, ordered-set values, string_agg text (approx_count_distinct sketches
 * count as sparse: a dense one holds 4 KB more). */
static uint64_t state_bytes(HashAggState *s)
{
    uint64_t bytes = s->cap_groups * s->per_group_bytes + s->table_cap * 12 + s->var_bytes +
                     spill_memtable_bytes(&s->keys, &s->keys_sealed, &s->keys_sealed_chunks);
    for (int a = 0; a < s->naggs; a++) {
        AggValues *v = &s->vals[a];
        if (v->chunks) {
            /* min/max of text: the values' heaps */
            uint64_t nchunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
            if (s->specs[a].input_type.id == TYPE_VARCHAR)
                for (uint64_t c = 0; c < nchunks; c++)
                    if (v->chunks[c]->heap) bytes += v->chunks[c]->heap->bytes_reserved;
        }
        if (v->set)
            bytes += spill_memtable_bytes(&v->set->values, &v->sealed_bytes, &v->sealed_chunks) +
                     v->set->cap_entries * 12 + v->set->nslots * sizeof(DistinctSlot);
        if (v->store) bytes += spill_memtable_bytes(v->store, &v->sealed_bytes, &v->sealed_chunks);
    }
    return bytes;
}

/* Past the budget with every group already in memory: what grows is the
 * state of groups held in memory (DISTINCT sets, string_agg, ordered-set
 * values), which cannot move to disk.  Name the aggregate. */
static bool over_limit_error(HashAggState *s, uint64_t bytes, Error *err)
{
    char name[64] = "the aggregate";
    for (int a = 0; a < s->naggs; a++) {
        const AggregateSpec *sp = &s->specs[a];
        if (needs_distinct_set(sp) || sp->kind == AGG_STRING_AGG || is_ordered_set(sp->kind)) {
            snprintf(name, sizeof name, "%s(%s)", aggregate_name(sp->kind), needs_distinct_set(sp) ? "DISTINCT" : "...");
            break;
        }
    }
    char used[32], limit[32];
    spill_format_size(bytes, used, sizeof used);
    spill_format_size((uint64_t)s->base.ctx->memory_limit, limit, sizeof limit);
    return error_set(err, ERR_DATA,
                     "%s needs %s for the groups it holds in memory, more than memory_limit (%s); "
                     "raise memory_limit",
                     name, used, limit);
}

/* A spilling batch: rows of unknown groups go to the partitions, the others
 * are compacted into s->compact (with their group ids); *n is what stays. */
static bool spill_new_groups(HashAggState *s, Vector ***cols, int ncols, uint32_t *n, Error *err)
{
    uint32_t nkeep = 0, nspill = 0;
    for (uint32_t i = 0; i < *n; i++) {
        if (s->gids[i] == NO_GROUP) s->spill_rows[nspill++] = i;
        else s->keep[nkeep++] = i;
    }
    if (nspill == 0) return true;
    if (s->parts == NULL) s->parts = spill_partitions_new(s->base.ctx->temp_directory, s->depth);
    Batch view = {ncols, *cols, *n, NULL, NULL};
    if (!spill_partitions_write(s->parts, &view, s->spill_rows, nspill, s->hashes, err)) return false;
    if (nkeep > 0) {
        if (s->compact == NULL) {
            const LogicalType *types = s->base.plan->child->types;
            s->compact = mem_calloc((size_t)ncols + 1, sizeof(Vector));
            s->compact_cols = mem_calloc((size_t)ncols + 1, sizeof(Vector *));
            for (int c = 0; c < ncols; c++) {
                vector_init(&s->compact[c], types[c], VECTOR_CAPACITY);
                s->compact_cols[c] = &s->compact[c];
            }
        }
        for (int c = 0; c < ncols; c++) {
            vector_reset(&s->compact[c]);
            vector_gather(&s->compact[c], 0, (*cols)[c], s->keep, nkeep);
        }
        for (uint32_t k = 0; k < nkeep; k++) s->gids[k] = s->gids[s->keep[k]];
        *cols = s->compact_cols;
    }
    *n = nkeep;
    return true;
}

static bool consume(HashAggState *s, Error *err)
{
    ExecNode *node = &s->base;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) return true;
        Vector **cols = in->cols;
        if (in->sel) {
            for (int c = 0; c < in->ncols; c++) {
                vector_reset(&s->flat[c]);
                vector_gather(&s->flat[c], 0, in->cols[c], in->sel, in->count);
            }
            cols = s->flat_batch.cols;
        }
        uint32_t n = in->count;
        find_groups(s, cols, n);
        if (s->spilling) {
            if (!spill_new_groups(s, &cols, in->ncols, &n, err)) return false;
            if (n == 0) continue;
        }
        for (int a = 0; a < s->naggs; a++) {
            const AggregateSpec *sp = &s->specs[a];
            bool ok = needs_distinct_set(sp) ? update_distinct(s, a, sp, cols, in->ncols, n, err)
                                             : update_aggregate(s, a, sp, cols, n, err);
            if (!ok) return false;
        }
        if (node->ctx->memory_limit <= 0) continue;
        uint64_t bytes = state_bytes(s);
        if (!memory_hold_update(node->ctx, &s->hold, bytes, s->budget)) continue;
        if (s->can_spill && !s->spilling && s->ngroups >= MIN_GROUPS_BEFORE_SPILL) {
            if (s->partial && !node->plan->agg_partial_spills) {
                /* a partial aggregate hands its groups up early: the
                 * combining aggregate above merges duplicates */
                s->flush_pending = true;
                return true;
            }
            /* from now on only the groups in memory are updated */
            s->spilling = true;
            s->frozen_bytes = bytes;
        }
        /* what still grows is the states of groups in memory, which cannot
         * move to disk: stop before the machine runs out */
        if (s->has_growing_states && bytes > (uint64_t)node->ctx->memory_limit && bytes > 2 * s->frozen_bytes)
            return over_limit_error(s, bytes, err);
    }
}

static const Vector *stored_value(const MemTable *store, uint64_t pos, uint32_t *row)
{
    *row = (uint32_t)(pos % VECTOR_CAPACITY);
    return store->chunks[pos / VECTOR_CAPACITY].cols[0];
}

typedef struct SortContext {
    const MemTable *values; /* items are row numbers of values */
    const uint32_t *group;  /* if set, order by group first */
    bool desc;
} SortContext;

/* Order of rows a and b of ctx->values: group, then each column ascending
 * (NULLs last, as PostgreSQL sorts them), all reversed by desc. */
static int compare_rows(const SortContext *ctx, uint64_t a, uint64_t b)
{
    int c = 0;
    if (ctx->group && ctx->group[a] != ctx->group[b]) return ctx->group[a] < ctx->group[b] ? -1 : 1;
    const Batch *ca = &ctx->values->chunks[a / VECTOR_CAPACITY], *cb = &ctx->values->chunks[b / VECTOR_CAPACITY];
    uint32_t ra = (uint32_t)(a % VECTOR_CAPACITY), rb = (uint32_t)(b % VECTOR_CAPACITY);
    for (int col = 0; col < ctx->values->ncols && c == 0; col++) {
        bool va = vector_is_valid(ca->cols[col], ra), vb = vector_is_valid(cb->cols[col], rb);
        if (va && vb) c = sort_compare_slots(ca->cols[col], ra, cb->cols[col], rb);
        else c = (int)vb - (int)va;
    }
    return ctx->desc ? -c : c;
}

/* Sort row numbers with compare_rows (stable bottom-up merge sort). */
static void sort_rows(const SortContext *ctx, uint64_t *pos, uint64_t n)
{
    if (n < 2) return;
    uint64_t *tmp = mem_alloc(sizeof(uint64_t) * n);
    uint64_t *src = pos, *dst = tmp;
    for (uint64_t width = 1; width < n; width *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * width) {
            uint64_t mid = lo + width < n ? lo + width : n;
            uint64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int c = compare_rows(ctx, src[i], src[j]);
                dst[k++] = c <= 0 ? src[i++] : src[j++];
            }
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != pos) memcpy(pos, src, sizeof(uint64_t) * n);
    mem_free(tmp);
}

/* Reorder pos[0..n) so that pos[k] is what sorting would put there, with
 * nothing larger before it and nothing smaller after it (quickselect). */
static void select_kth(const SortContext *ctx, uint64_t *pos, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    int rounds = 0;
    while (hi > lo) {
        if (++rounds > 100) {
            /* adversarial input: fall back to O(n log n) */
            sort_rows(ctx, pos + lo, (uint64_t)(hi - lo + 1));
            return;
        }
        int64_t mid = lo + (hi - lo) / 2;
        uint64_t t;
#define SWAP(a, b) (t = pos[a], pos[a] = pos[b], pos[b] = t)
        if (compare_rows(ctx, pos[mid], pos[lo]) < 0) SWAP(mid, lo);
        if (compare_rows(ctx, pos[hi], pos[lo]) < 0) SWAP(hi, lo);
        if (compare_rows(ctx, pos[hi], pos[mid]) < 0) SWAP(hi, mid);
        uint64_t pivot = pos[mid];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (compare_rows(ctx, pos[i], pivot) < 0) i++;
            while (compare_rows(ctx, pos[j], pivot) > 0) j--;
            if (i <= j) {
                SWAP(i, j);
                i++;
                j--;
            }
        }
#undef SWAP
        /* now [lo, j] <= pivot <= [i, hi], and (j, i) equal the pivot */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

/* percentile_cont / percentile_disc of group g, as PostgreSQL computes them
 * over the sorted values: disc takes the first value whose position reaches
 * fraction * count; cont interpolates linearly at fraction * (count - 1). */
static void finalize_percentile(const AggregateSpec *sp, AggValues *v, uint64_t g, Vector *out, uint32_t k)
{
    PositionList *list = &v->lists[g];
    if (sp->fraction_null || list->n == 0) {
        vector_set_null(out, k);
        return;
    }
    SortContext ctx = {v->store, NULL, sp->order_desc};
    uint64_t count = list->n;
    uint32_t r;
    if (sp->kind == AGG_PERCENTILE_DISC) {
        uint64_t rownum = (uint64_t)ceil(sp->fraction * (double)count);
        uint64_t index = rownum > 1 ? rownum - 1 : 0;
        if (index >= count) index = count - 1;
        select_kth(&ctx, list->pos, (int64_t)count, (int64_t)index);
        const Vector *src = stored_value(v->store, list->pos[index], &r);
        vector_gather(out, k, src, &r, 1);
        return;
    }
    double at = sp->fraction * (double)(count - 1);
    uint64_t lo = (uint64_t)floor(at), hi = (uint64_t)ceil(at);
    if (hi >= count) hi = count - 1;
    if (lo > hi) lo = hi;
    select_kth(&ctx, list->pos, (int64_t)count, (int64_t)lo);
    if (hi != lo) {
        /* the next value in order is the smallest of those after lo */
        uint64_t next = lo + 1;
        for (uint64_t i = lo + 2; i < count; i++)
            if (compare_rows(&ctx, list->pos[i], list->pos[next]) < 0) next = i;
        uint64_t t = list->pos[hi];
        list->pos[hi] = list->pos[next];
        list->pos[next] = t;
    }
    const Vector *src = stored_value(v->store, list->pos[lo], &r);
    double low = VEC_DATA(src, double)[r];
    src = stored_value(v->store, list->pos[hi], &r);
    double high = VEC_DATA(src, double)[r];
    VEC_DATA(out, double)[k] = lo == hi ? low : low + (high - low) * (at - (double)lo);
}

static bool finalize_value(HashAggState *s, int a, uint64_t g, Vector *out, uint32_t k, Error *err)
{
    const AggregateSpec *sp = &s->specs[a];
    AggValues *v = &s->vals[a];
    switch (sp->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        VEC_DATA(out, int64_t)[k] = v->count[g];
        return true;
    case AGG_SUM:
    case AGG_AVG:
        if (!v->has[g]) {
            vector_set_null(out, k);
            return true;
        }
        if (sp->input_type.id == TYPE_DOUBLE) {
            double sum = v->dsum[g] + v->dcomp[g];
            VEC_DATA(out, double)[k] = sp->kind == AGG_SUM ? sum : sum / (double)v->count[g];
            return true;
        }
        if (sp->kind == AGG_SUM && sp->result_type.id == TYPE_BIGINT) {
            kiln_int128 x = v->isum[g];
            if (x > INT64_MAX || x < INT64_MIN) return error_set(err, ERR_DATA, "bigint out of range");
            VEC_DATA(out, int64_t)[k] = (int64_t)x;
            return true;
        }
        {
            int in_scale = sp->input_type.id == TYPE_DECIMAL ? sp->input_type.scale : 0;
            kiln_int128 x;
            if (sp->kind == AGG_SUM) {
                if (!decimal_rescale(v->isum[g], in_scale, sp->result_type.scale, sp->result_type.precision, &x, err))
                    return false;
            } else if (!decimal_div(v->isum[g], in_scale, v->count[g], 0, sp->result_type.precision,
                                    sp->result_type.scale, &x, err)) {
                return false;
            }
            decimal_store(out, k, x);
        }
        return true;
    case AGG_MIN:
    case AGG_MAX: {
        if (!v->has[g]) {
            vector_set_null(out, k);
            return true;
        }
        uint32_t r = (uint32_t)(g % VECTOR_CAPACITY);
        vector_gather(out, k, v->chunks[g / VECTOR_CAPACITY], &r, 1);
        return true;
    }
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (!v->has[g]) vector_set_null(out, k);
        else VEC_DATA(out, uint8_t)[k] = v->flag[g];
        return true;
    case AGG_STRING_AGG:
        if (!v->has[g]) vector_set_null(out, k);
        else VEC_DATA(out, KString)[k] = kstring_make(strbuf_cstr(&v->strs[g]), (uint32_t)v->strs[g].len);
        return true;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: {
        int64_t n = v->count[g];
        bool sample = sp->kind == AGG_VAR_SAMP || sp->kind == AGG_STDDEV_SAMP;
        if (n == 0 || (sample && n == 1)) {
            vector_set_null(out, k);
            return true;
        }
        double variance = v->sxx[g] / (double)(sample ? n - 1 : n);
        bool root = sp->kind == AGG_STDDEV_SAMP || sp->kind == AGG_STDDEV_POP;
        VEC_DATA(out, double)[k] = root ? sqrt(variance) : variance;
        return true;
    }
    case AGG_APPROX_COUNT_DISTINCT:
        VEC_DATA(out, int64_t)[k] = hll_sketch_estimate(&v->sketch[g]);
        return true;
    case AGG_PERCENTILE_CONT:
    case AGG_PERCENTILE_DISC: finalize_percentile(sp, v, g, out, k); return true;
    }
    return error_set(err, ERR_INTERNAL, "unknown aggregate");
}

/* Write group g's partial state of aggregate a into out[0] (and out[1], out[2]). */
static bool finalize_partial(HashAggState *s, int a, uint64_t g, Vector **out, uint32_t k, Error *err)
{
    const AggregateSpec *sp = &s->specs[a];
    AggValues *v = &s->vals[a];
    switch (sp->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        VEC_DATA(out[0], int64_t)[k] = v->count[g];
        return true;
    case AGG_SUM:
    case AGG_AVG:
        VEC_DATA(out[1], int64_t)[k] = v->count[g];
        if (!v->has[g]) {
            vector_set_null(out[0], k);
        } else if (sp->input_type.id == TYPE_DOUBLE) {
            VEC_DATA(out[0], double)[k] = v->dsum[g] + v->dcomp[g];
        } else {
            kiln_int128 x = v->isum[g], limit = decimal_pow10(38);
            if (x >= limit || x <= -limit) return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(sp->kind));
            VEC_DATA(out[0], kiln_int128)[k] = x;
        }
        return true;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        VEC_DATA(out[0], int64_t)[k] = v->count[g];
        VEC_DATA(out[1], double)[k] = v->sx[g];
        VEC_DATA(out[2], double)[k] = v->sxx[g];
        return true;
    case AGG_APPROX_COUNT_DISTINCT:
        if (hll_sketch_empty(&v->sketch[g])) {
            vector_set_null(out[0], k);
        } else {
            char text[HLL_REGISTERS];
            uint32_t len = hll_sketch_encode(&v->sketch[g], text);
            VEC_DATA(out[0], KString)[k] = vector_make_string(out[0], text, len);
        }
        return true;
    default:
        /* min, max, bool_and, bool_or: the state is the result */
        return finalize_value(s, a, g, out[0], k, err);
    }
}

/* string_agg(DISTINCT x, d): PostgreSQL feeds a DISTINCT aggregate sorted
 * input, so each group's distinct (x, d) are joined in ascending order. */
static void build_distinct_strings(HashAggState *s, int a)
{
    AggValues *v = &s->vals[a];
    DistinctSet *set = v->set;
    uint64_t n = set->nentries;
    uint64_t *order = mem_alloc(sizeof(uint64_t) * (n ? n : 1));
    for (uint64_t e = 0; e < n; e++) order[e] = e;
    SortContext ctx = {&set->values, set->group, false};
    sort_rows(&ctx, order, n);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t e = order[i];
        uint32_t g = set->group[e];
        const Batch *chunk = &set->values.chunks[e / VECTOR_CAPACITY];
        uint32_t r = (uint32_t)(e % VECTOR_CAPACITY);
        const Vector *value = chunk->cols[0], *delim = chunk->cols[1];
        if (v->has[g] && vector_is_valid(delim, r)) {
            const KString *d = &VEC_DATA(delim, KString)[r];
            strbuf_append(&v->strs[g], kstring_data(d), d->len);
        }
        const KString *k = &VEC_DATA(value, KString)[r];
        strbuf_append(&v->strs[g], kstring_data(k), k->len);
        v->has[g] = 1;
    }
    mem_free(order);
}

static ExecNode *aggregate_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, int depth);
static void free_groups(HashAggState *s);
static void init_groups(HashAggState *s);

/* After the groups held in memory: the spilled partitions, one at a time,
 * each aggregated by a fresh copy of this operator one level deeper. */
static bool next_from_partitions(HashAggState *s, Batch **out, Error *err)
{
    if (!s->groups_freed) free_groups(s); /* the last batch of groups is no longer read */
    while (s->parts) {
        if (s->sub) {
            if (!exec_next(s->sub, out, err)) return false;
            if ((*out)->count > 0) return true;
            exec_close(s->sub);
            s->sub = NULL;
        }
        SpillFile *f = NULL;
        while (f == NULL && s->next_partition < SPILL_FANOUT) f = spill_partitions_take(s->parts, s->next_partition++);
        if (f == NULL) break;
        const PlanNode *in = s->base.plan->child;
        ExecNode *scan = spill_scan_create(f, in->ncols, in->types, s->base.ctx);
        s->sub = aggregate_create(s->base.plan, scan, s->base.ctx, s->depth + 1);
    }
    s->out.count = 0;
    s->out.sel = NULL;
    *out = &s->out;
    return true;
}

static bool hash_aggregate_next(ExecNode *node, Batch **out, Error *err)
{
    HashAggState *s = (HashAggState *)node;
    if (s->flush_pending && s->next_group >= s->ngroups) {
        /* the flushed groups are out: start afresh on the rest of the input */
        free_groups(s);
        init_groups(s);
        s->flush_pending = false;
        s->finished = false;
    }
    if (!s->finished) {
        if (!consume(s, err)) return false;
        s->finished = true;
        if (s->parts && !spill_partitions_finish(s->parts, node->ctx, err)) return false;
        for (int a = 0; a < s->naggs; a++)
            if (s->specs[a].kind == AGG_STRING_AGG && needs_distinct_set(&s->specs[a])) build_distinct_strings(s, a);
    }
    s->out.count = 0;
    s->out.sel = NULL;
    if (s->next_group >= s->ngroups) return next_from_partitions(s, out, err);
    uint64_t first = s->next_group;
    uint64_t n = s->ngroups - first;
    if (n > VECTOR_CAPACITY) n = VECTOR_CAPACITY;
    if (s->nkeys > 0) {
        /* groups are stored VECTOR_CAPACITY per chunk, and first is chunk-aligned */
        Batch *chunk = &s->keys.chunks[first / VECTOR_CAPACITY];
        for (int k = 0; k < s->nkeys; k++) s->out.cols[k] = chunk->cols[k];
    }
    if (s->partial) {
        int col = 0;
        for (int a = 0; a < s->naggs; a++) {
            LogicalType st[AGG_MAX_STATE_COLS];
            int nstate = aggregate_state_types(&s->specs[a], st);
            Vector *res[AGG_MAX_STATE_COLS] = {NULL};
            for (int j = 0; j < nstate; j++) res[j] = &s->results[col + j];
            for (int j = 0; j < nstate; j++) vector_reset(res[j]);
            for (uint32_t k = 0; k < n; k++)
                if (!finalize_partial(s, a, first + k, res, k, err)) return false;
            for (int j = 0; j < nstate; j++) s->out.cols[s->nkeys + col + j] = res[j];
            col += nstate;
        }
    } else {
        for (int a = 0; a < s->naggs; a++) {
            Vector *res = &s->results[a];
            vector_reset(res);
            for (uint32_t k = 0; k < n; k++)
                if (!finalize_value(s, a, first + k, res, k, err)) return false;
            s->out.cols[s->nkeys + a] = res;
        }
    }
    s->out.count = (uint32_t)n;
    s->next_group += n;
    *out = &s->out;
    return true;
}

/* Free the groups and their states (the aggregate is done with them). */
static void free_groups(HashAggState *s)
{
    s->groups_freed = true;
    memory_hold_release(s->base.ctx, &s->hold);
    for (int a = 0; a < s->naggs; a++) {
        AggValues *v = &s->vals[a];
        if (v->chunks) {
            uint64_t nchunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
            for (uint64_t c = 0; c < nchunks; c++) vector_free(v->chunks[c]);
        }
        if (v->strs)
            for (uint64_t g = 0; g < s->cap_groups; g++) strbuf_free(&v->strs[g]);
        if (v->sketch)
            for (uint64_t g = 0; g < s->cap_groups; g++) hll_sketch_free(&v->sketch[g]);
        if (v->lists)
            for (uint64_t g = 0; g < s->cap_groups; g++) mem_free(v->lists[g].pos);
        if (v->store) {
            memtable_destroy(v->store);
            mem_free(v->store);
        }
        if (v->set) {
            distinct_set_destroy(v->set);
            mem_free(v->set);
        }
        mem_free(v->sketch);
        mem_free(v->lists);
        mem_free(v->sx);
        mem_free(v->sxx);
        mem_free(v->chunks);
        mem_free(v->strs);
        mem_free(v->has);
        mem_free(v->count);
        mem_free(v->isum);
        mem_free(v->dsum);
        mem_free(v->dcomp);
        mem_free(v->flag);
        memset(v, 0, sizeof *v);
    }
    memtable_destroy(&s->keys);
    mem_free(s->group_hash);
    if (s->group_words) {
        uint64_t nchunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
        for (uint64_t c = 0; c < nchunks; c++) mem_free(s->group_words[c]);
    }
    mem_free(s->group_words);
    s->group_words = NULL;
    mem_free(s->table);
    mem_free(s->table_hash);
    s->group_hash = NULL;
    s->table = NULL;
    s->table_hash = NULL;
    s->ngroups = s->cap_groups = s->table_cap = 0;
}

static void hash_aggregate_close(ExecNode *node)
{
    HashAggState *s = (HashAggState *)node;
    if (!s->groups_freed) free_groups(s);
    exec_close(s->sub);
    spill_partitions_free(s->parts);
    if (s->compact)
        for (int c = 0; c < s->flat_batch.ncols; c++) vector_destroy(&s->compact[c]);
    mem_free(s->compact);
    mem_free(s->compact_cols);
    mem_free(s->row_words);
    for (int r = 0; r < s->nresults; r++) vector_destroy(&s->results[r]);
    mem_free(s->vals);
    mem_free(s->results);
    for (int c = 0; c < s->flat_batch.ncols; c++) vector_destroy(&s->flat[c]);
    mem_free(s->flat);
    vector_free(s->new_rows);
    mem_free(s->with_new_rows);
    batch_destroy(&s->flat_batch);
    batch_destroy(&s->out);
    mem_free(s);
}

static const ExecNodeOps hash_aggregate_ops = {hash_aggregate_next, hash_aggregate_close};

/* Bytes every group costs whatever its values: its hash and the aggregates'
 * fixed-size states (grow_groups). */
static uint64_t fixed_bytes_per_group(const HashAggState *s)
{
    uint64_t bytes = sizeof(uint64_t) + sizeof(uint64_t) * (uint64_t)s->key_words;
    for (int a = 0; a < s->naggs; a++) {
        AggKind k = s->specs[a].kind;
        bytes += 1 + sizeof(int64_t);
        if (k == AGG_SUM || k == AGG_AVG) bytes += sizeof(kiln_int128) + 2 * sizeof(double);
        if (k == AGG_BOOL_AND || k == AGG_BOOL_OR) bytes += 1;
        if (k == AGG_MIN || k == AGG_MAX) bytes += type_physical_size(s->specs[a].input_type) + 1;
        if (k == AGG_STRING_AGG) bytes += sizeof(StrBuf);
        if (is_variance(k)) bytes += 2 * sizeof(double);
        if (k == AGG_APPROX_COUNT_DISTINCT) bytes += sizeof(HllSketch) + 4 * HLL_SPARSE_MAX;
        if (is_ordered_set(k)) bytes += sizeof(PositionList);
    }
    return bytes;
}

ExecNode *op_hash_aggregate_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    (void)err;
    return aggregate_create(plan, child, ctx, 0);
}

/* The operator at recursion level depth (0: the plan's; deeper: one spilled
 * partition, read by child). Cannot fail. */
static ExecNode *aggregate_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, int depth)
{
    HashAggState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &hash_aggregate_ops;
    s->base.plan = plan;
    s->base.child = child;
    s->base.ctx = ctx;
    s->depth = depth;
    s->budget = spill_budget(ctx);
    s->can_spill = plan->ngroups > 0 && ctx->memory_limit > 0 && depth < SPILL_MAX_DEPTH;
    s->nkeys = plan->ngroups;
    s->naggs = plan->naggs;
    s->specs = plan->aggs;
    const PlanNode *in = plan->child;
    s->vals = mem_calloc((size_t)s->naggs + 1, sizeof(AggValues));
    s->partial = plan->agg_partial;
    s->results = mem_calloc((size_t)(AGG_MAX_STATE_COLS * s->naggs) + 1, sizeof(Vector));
    key_word_layout(s, in->types);
    if (s->key_words > 0) s->row_words = mem_alloc(sizeof(uint64_t) * (size_t)s->key_words * VECTOR_CAPACITY);
    init_groups(s);
    for (int a = 0; a < s->naggs; a++) {
        if (!s->partial) {
            vector_init(&s->results[s->nresults++], plan->aggs[a].result_type, VECTOR_CAPACITY);
            continue;
        }
        LogicalType st[AGG_MAX_STATE_COLS];
        int nstate = aggregate_state_types(&plan->aggs[a], st);
        for (int j = 0; j < nstate; j++) vector_init(&s->results[s->nresults++], st[j], VECTOR_CAPACITY);
    }
    s->flat = mem_calloc((size_t)in->ncols + 1, sizeof(Vector));
    batch_init_borrowed(&s->flat_batch, in->ncols);
    for (int c = 0; c < in->ncols; c++) {
        vector_init(&s->flat[c], in->types[c], VECTOR_CAPACITY);
        s->flat_batch.cols[c] = &s->flat[c];
    }
    s->per_group_bytes = fixed_bytes_per_group(s);
    s->new_rows = vector_new(type_make(TYPE_BOOLEAN), VECTOR_CAPACITY);
    s->with_new_rows = mem_calloc((size_t)in->ncols + 1, sizeof(Vector *));
    batch_init_borrowed(&s->out, plan->ncols);
    /* with aggregates whose states grow after the groups stop being added
     * (DISTINCT sets, string_agg, ordered sets), spill sooner, to leave
     * them room below memory_limit */
    for (int a = 0; a < s->naggs; a++)
        if (needs_distinct_set(&s->specs[a]) || s->specs[a].kind == AGG_STRING_AGG || is_ordered_set(s->specs[a].kind))
            s->has_growing_states = true;
    if (s->has_growing_states) s->budget /= 4;
    return &s->base;
}

/* An empty group table (create, and after a partial aggregate's flush). */
static void init_groups(HashAggState *s)
{
    const PlanNode *in = s->base.plan->child;
    s->groups_freed = false;
    s->next_group = 0;
    memtable_init(&s->keys, s->nkeys, in->types);
    s->keys_sealed = 0;
    s->keys_sealed_chunks = 0;
    s->var_bytes = 0;
    for (int a = 0; a < s->naggs; a++) {
        const AggregateSpec *sp = &s->specs[a];
        if (needs_distinct_set(sp)) {
            LogicalType types[2] = {in->types[sp->input], sp->input2 >= 0 ? in->types[sp->input2] : in->types[sp->input]};
            s->vals[a].set = mem_alloc(sizeof(DistinctSet));
            distinct_set_init(s->vals[a].set, sp->input2 >= 0 ? 2 : 1, types);
        }
        if (is_ordered_set(sp->kind) && !sp->combine) {
            s->vals[a].store = mem_alloc(sizeof(MemTable));
            memtable_init(s->vals[a].store, 1, &in->types[sp->input]);
        }
    }
    rehash(s, 1024);
    if (s->nkeys == 0) new_group(s, NULL, 0, 0, NULL);
}
