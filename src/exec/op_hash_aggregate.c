/* op_hash_aggregate: GROUP BY with a hash table.
 *
 * Input columns: the group keys first (ngroups of them), then the aggregates'
 * arguments (computed by the projection below).  For each input batch the
 * keys are hashed a column at a time, each row is looked up in an
 * open-addressing table of group ids (linear probing, stored hashes checked
 * before keys are compared), new groups append their keys to a columnar
 * group store, and then every aggregate updates its per-group state in one
 * tight loop over the batch.  After the input is exhausted the groups are
 * emitted in order of first appearance, VECTOR_CAPACITY groups per batch,
 * the key columns straight from the group store.
 *
 * Without GROUP BY there is exactly one group, even for empty input
 * (count(*) = 0, sum = NULL), as SQL requires.
 *
 * Parallel aggregation uses the same operator twice: in each worker with
 * agg_partial set, emitting per-group partial states (aggregate_state_types)
 * for its morsel, and once above the GATHER with `combine` aggregates that
 * merge those states into the final results.
 *
 * Memory: the group keys (deep copies), per-group aggregate states (16-32
 * bytes per aggregate; min/max keep a copy of the value, string_agg its
 * growing string) and a table of 12 bytes per slot at most 50% full.
 * Spilling to disk when over the memory limit is not implemented yet. */
#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/exec.h"
#include "exec/hash.h"
#include "exec/sort_compare.h"
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
} AggValues;

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
    Vector *flat;         /* one per input column, for selected batches */
    Batch flat_batch;
    bool finished;
    uint64_t next_group;
    Batch out;
    Vector *results;      /* one per output aggregate column (naggs, or the state columns when partial) */
    int nresults;
    bool partial;
} HashAggState;

static void grow_groups(HashAggState *s, uint64_t need)
{
    if (need <= s->cap_groups) return;
    uint64_t cap = s->cap_groups ? s->cap_groups * 2 : 1024;
    while (cap < need) cap *= 2;
    s->group_hash = mem_realloc(s->group_hash, sizeof(uint64_t) * cap);
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

static bool keys_equal(HashAggState *s, Vector **cols, uint32_t row, uint64_t g)
{
    const Batch *chunk = &s->keys.chunks[g / VECTOR_CAPACITY];
    uint32_t r = (uint32_t)(g % VECTOR_CAPACITY);
    for (int k = 0; k < s->nkeys; k++)
        if (!hash_values_equal(cols[k], row, chunk->cols[k], r)) return false;
    return true;
}

static uint32_t new_group(HashAggState *s, Vector **cols, uint32_t row, uint64_t hash)
{
    uint64_t g = s->ngroups++;
    grow_groups(s, s->ngroups);
    s->group_hash[g] = hash;
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

/* gids[i] = group of row i, creating groups as needed. */
static void find_groups(HashAggState *s, Vector **cols, uint32_t n)
{
    if (s->nkeys == 0) {
        memset(s->gids, 0, sizeof(uint32_t) * n);
        return;
    }
    for (int k = 0; k < s->nkeys; k++) hash_vector(cols[k], n, s->hashes, k > 0);
    for (uint32_t i = 0; i < n; i++) {
        if ((s->ngroups + 1) * 2 > s->table_cap) rehash(s, s->table_cap * 2);
        uint64_t h = s->hashes[i];
        uint64_t mask = s->table_cap - 1;
        uint64_t slot = h & mask;
        for (;;) {
            uint32_t entry = s->table[slot];
            if (entry == 0) {
                uint32_t g = new_group(s, cols, i, h);
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
    default: {
        /* min, max, bool_and, bool_or merge exactly as they update */
        AggregateSpec plain = *sp;
        plain.combine = false;
        plain.filter = -1;
        return update_aggregate(s, a, &plain, cols, n, err);
    }
    }
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
        for (uint32_t i = 0; i < n; i++)
            if (row_passes(filter, i)) v->count[gids[i]]++;
        return true;
    case AGG_COUNT:
        for (uint32_t i = 0; i < n; i++)
            if (vector_is_valid(in, i) && row_passes(filter, i)) v->count[gids[i]]++;
        return true;
    case AGG_SUM:
    case AGG_AVG:
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
            for (uint32_t i = 0; i < n; i++)
                if (vector_is_valid(in, i) && row_passes(filter, i)) {
                    v->isum[gids[i]] += VEC_DATA(in, int64_t)[i];
                    v->count[gids[i]]++;
                    v->has[gids[i]] = 1;
                }
            return true;
        case TYPE_DECIMAL:
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
            }
            const KString *k = &VEC_DATA(in, KString)[i];
            strbuf_append(&v->strs[g], kstring_data(k), k->len);
            v->has[g] = 1;
        }
        return true;
    }
    }
    return error_set(err, ERR_INTERNAL, "unknown aggregate");
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
        find_groups(s, cols, in->count);
        for (int a = 0; a < s->naggs; a++)
            if (!update_aggregate(s, a, &s->specs[a], cols, in->count, err)) return false;
    }
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
    }
    return error_set(err, ERR_INTERNAL, "unknown aggregate");
}

/* Write group g's partial state of aggregate a into out[0] (and out[1]). */
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
    default:
        /* min, max, bool_and, bool_or: the state is the result */
        return finalize_value(s, a, g, out[0], k, err);
    }
}

static bool hash_aggregate_next(ExecNode *node, Batch **out, Error *err)
{
    HashAggState *s = (HashAggState *)node;
    if (!s->finished) {
        if (!consume(s, err)) return false;
        s->finished = true;
    }
    s->out.count = 0;
    s->out.sel = NULL;
    if (s->next_group >= s->ngroups) {
        *out = &s->out;
        return true;
    }
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
            LogicalType st[2];
            int nstate = aggregate_state_types(&s->specs[a], st);
            Vector *res[2] = {&s->results[col], nstate > 1 ? &s->results[col + 1] : NULL};
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

static void hash_aggregate_close(ExecNode *node)
{
    HashAggState *s = (HashAggState *)node;
    for (int a = 0; a < s->naggs; a++) {
        AggValues *v = &s->vals[a];
        if (v->chunks) {
            uint64_t nchunks = (s->cap_groups + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
            for (uint64_t c = 0; c < nchunks; c++) vector_free(v->chunks[c]);
        }
        if (v->strs)
            for (uint64_t g = 0; g < s->cap_groups; g++) strbuf_free(&v->strs[g]);
        mem_free(v->chunks);
        mem_free(v->strs);
        mem_free(v->has);
        mem_free(v->count);
        mem_free(v->isum);
        mem_free(v->dsum);
        mem_free(v->dcomp);
        mem_free(v->flag);
    }
    for (int r = 0; r < s->nresults; r++) vector_destroy(&s->results[r]);
    mem_free(s->vals);
    mem_free(s->results);
    for (int c = 0; c < s->flat_batch.ncols; c++) vector_destroy(&s->flat[c]);
    mem_free(s->flat);
    batch_destroy(&s->flat_batch);
    batch_destroy(&s->out);
    memtable_destroy(&s->keys);
    mem_free(s->group_hash);
    mem_free(s->table);
    mem_free(s->table_hash);
    mem_free(s);
}

static const ExecNodeOps hash_aggregate_ops = {hash_aggregate_next, hash_aggregate_close};

ExecNode *op_hash_aggregate_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    HashAggState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &hash_aggregate_ops;
    s->nkeys = plan->ngroups;
    s->naggs = plan->naggs;
    s->specs = plan->aggs;
    const PlanNode *in = plan->child;
    memtable_init(&s->keys, s->nkeys, in->types);
    s->vals = mem_calloc((size_t)s->naggs + 1, sizeof(AggValues));
    s->partial = plan->agg_partial;
    s->results = mem_calloc((size_t)(2 * s->naggs) + 1, sizeof(Vector));
    for (int a = 0; a < s->naggs; a++) {
        if (!s->partial) {
            vector_init(&s->results[s->nresults++], plan->aggs[a].result_type, VECTOR_CAPACITY);
            continue;
        }
        LogicalType st[2];
        int nstate = aggregate_state_types(&plan->aggs[a], st);
        for (int j = 0; j < nstate; j++) vector_init(&s->results[s->nresults++], st[j], VECTOR_CAPACITY);
    }
    s->flat = mem_calloc((size_t)in->ncols + 1, sizeof(Vector));
    batch_init_borrowed(&s->flat_batch, in->ncols);
    for (int c = 0; c < in->ncols; c++) {
        vector_init(&s->flat[c], in->types[c], VECTOR_CAPACITY);
        s->flat_batch.cols[c] = &s->flat[c];
    }
    batch_init_borrowed(&s->out, plan->ncols);
    rehash(s, 1024);
    if (s->nkeys == 0) new_group(s, NULL, 0, 0);
    return &s->base;
}
