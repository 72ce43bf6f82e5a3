/* op_window: window functions (PLAN_WINDOW, exec/window.h).
 *
 * Algorithm.  The whole input is pulled into a memtable (deep copy).  Each
 * row gets a sort entry (hash of its partition keys, row reference); the
 * entries are sorted by (partition hash, partition keys, order keys, input
 * position), which makes every partition a contiguous run and orders it.
 * Sorting on the hash first keeps most comparisons to one integer compare;
 * partitions come out in hash order, which SQL leaves unspecified.  Without
 * PARTITION BY and ORDER BY no sort happens at all.
 *
 * Then each partition is processed once per function, in sorted order:
 *   - peer groups (rows with equal order keys) are found by comparing
 *     neighbours, only when some function needs them (rank, RANGE frames);
 *   - row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag and
 *     lead are direct formulas over positions;
 *   - for frame functions the frame [start, end) of every row is computed
 *     (ROWS: clamped offsets; RANGE: peer groups, or a binary search of the
 *     bound values the projection below computed, e.g. key - offset);
 *   - count, and sum/avg of integers and decimals, use prefix sums of exact
 *     128-bit values (frame sum = prefix[end] - prefix[start]);
 *   - sum/avg of doubles follow PostgreSQL's evaluation order exactly: the
 *     running sum grows while the frame start stays, and restarts from the
 *     new start when it moves (float addition is not invertible), so the
 *     printed digits are PostgreSQL's;
 *   - min, max, bool_and and bool_or keep a monotonic deque of candidate
 *     rows (frames only move forward), O(rows) per partition.
 * Results go into vectors of VECTOR_CAPACITY rows in sorted order, and the
 * output batches are the input columns gathered in sorted order plus those
 * result vectors, passed up without a copy.
 *
 * Memory: the input rows, 16 bytes per row of sort entries, the result
 * columns, and per-partition scratch (frame bounds, peer groups, prefix
 * sums: up to 48 bytes per row of the largest partition).
 *
 * Spilling: with PARTITION BY, when the buffered input outgrows its share
 * of memory_limit, the rows so far and the rest of the input are split into
 * hash partitions on disk by the PARTITION BY keys (exec/spill_partition.h);
 * every window partition lies whole in one of them, so each is computed by
 * a fresh copy of this operator one level deeper (which may split again),
 * rows keeping their input order, so ties sort as before.  A single window
 * partition (or the whole input without PARTITION BY) past the budget goes
 * to window_stream.c: the buffered rows are written out and, with the rest
 * of the input, sorted externally and streamed in bounded memory.  Only
 * functions it cannot bound (window_stream_unsupported) keep the rows in
 * memory, and fail past memory_limit with an error naming the function and
 * the limit. */
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/exec.h"
#include "exec/hash.h"
#include "exec/memory_hold.h"
#include "exec/sort_compare.h"
#include "exec/spill_partition.h"
#include "exec/window.h"
#include "exec/window_stream.h"
#include "types/decimal.h"

typedef struct SortEntry {
    uint64_t hash; /* of the partition keys (0 without PARTITION BY) */
    uint64_t ref;  /* (chunk << 16) | row in the memtable */
} SortEntry;

typedef struct WindowState {
    ExecNode base;
    const WindowSpec *spec;
    int ninput;            /* input columns (the output's first columns) */
    MemTable table;
    SortEntry *rows;       /* sorted */
    uint64_t nrows;
    uint64_t nchunks;      /* result chunks of VECTOR_CAPACITY rows */
    Vector **results;      /* results[f * nchunks + c] */
    bool computed;
    uint64_t next;         /* next sorted row to emit */
    Batch out;             /* borrowed columns: gathered input + result chunks */
    Vector *gathered;      /* ninput vectors */
    /* per-partition scratch, grown to the largest partition */
    uint64_t scratch_cap;
    uint64_t *peer_start, *peer_end, *frame_start, *frame_end, *deque;
    int64_t *prefix_count;
    kiln_int128 *prefix_sum;
    /* spilling */
    int depth;
    uint64_t budget;
    bool can_spill;
    uint64_t table_sealed;   /* spill_memtable_bytes' cache */
    int table_sealed_chunks;
    SpillPartitions *parts;
    int next_partition;
    ExecNode *sub;
    uint64_t hashes[VECTOR_CAPACITY];
    uint32_t all_rows[VECTOR_CAPACITY];
    uint64_t spilled_rows;   /* rows routed to parts */
    MemoryHold hold;   /* the buffered rows, as counted in the statement's total (exec/memory_hold.h) */
    const WindowFunc *unstreamable; /* a function window_stream cannot compute, or NULL */
    ExecNode *stream;  /* past the limit with one window partition: window_stream.c computes the output */
} WindowState;

static ExecNode *window_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, int depth);

/* ---- row access in sorted order ---- */

static inline const Vector *cell(const WindowState *s, uint64_t pos, int column, uint32_t *slot)
{
    uint64_t ref = s->rows[pos].ref;
    *slot = (uint32_t)(ref & 0xffff);
    return s->table.chunks[ref >> 16].cols[column];
}

/* True if `column` is not NULL at sorted row pos. */
static inline bool cell_valid(const WindowState *s, uint64_t pos, int column)
{
    uint32_t slot;
    const Vector *v = cell(s, pos, column, &slot);
    return vector_is_valid(v, slot);
}

static inline Vector *result_cell(WindowState *s, int f, uint64_t pos, uint32_t *slot)
{
    *slot = (uint32_t)(pos % VECTOR_CAPACITY);
    return s->results[(uint64_t)f * s->nchunks + pos / VECTOR_CAPACITY];
}

static void set_result_null(WindowState *s, int f, uint64_t pos)
{
    uint32_t slot;
    Vector *v = result_cell(s, f, pos, &slot);
    vector_set_null(v, slot);
}

/* Copy the value of `column` at sorted row `from` into function f's result at `pos`. */
static void set_result_copy(WindowState *s, int f, uint64_t pos, int column, uint64_t from)
{
    uint32_t slot, src_slot;
    Vector *v = result_cell(s, f, pos, &slot);
    const Vector *src = cell(s, from, column, &src_slot);
    vector_gather(v, slot, src, &src_slot, 1);
}

static void set_result_int64(WindowState *s, int f, uint64_t pos, int64_t x)
{
    uint32_t slot;
    Vector *v = result_cell(s, f, pos, &slot);
    VEC_DATA(v, int64_t)[slot] = x;
}

static void set_result_double(WindowState *s, int f, uint64_t pos, double x)
{
    uint32_t slot;
    Vector *v = result_cell(s, f, pos, &slot);
    VEC_DATA(v, double)[slot] = x;
}

/* NULL-aware comparison of one column at two sorted rows (NULLs equal each other). */
static int compare_cells(const WindowState *s, uint64_t a, uint64_t b, int column, bool nulls_first)
{
    uint32_t ra, rb;
    const Vector *va = cell(s, a, column, &ra), *vb = cell(s, b, column, &rb);
    bool na = !vector_is_valid(va, ra), nb = !vector_is_valid(vb, rb);
    if (na || nb) {
        if (na && nb) return 0;
        int c = na ? -1 : 1;
        return nulls_first ? c : -c;
    }
    return sort_compare_slots(va, ra, vb, rb);
}

/* ---- sorting ---- */

typedef struct SortContext {
    const MemTable *table;
    const WindowSpec *spec;
} SortContext;

static int compare_key(const MemTable *t, uint64_t a, uint64_t b, int column, bool descending, bool nulls_first)
{
    const Batch *ca = &t->chunks[a >> 16], *cb = &t->chunks[b >> 16];
    uint32_t ra = (uint32_t)(a & 0xffff), rb = (uint32_t)(b & 0xffff);
    const Vector *va = ca->cols[column], *vb = cb->cols[column];
    bool na = !vector_is_valid(va, ra), nb = !vector_is_valid(vb, rb);
    if (na || nb) {
        if (na && nb) return 0;
        int c = na ? -1 : 1;
        return nulls_first ? c : -c;
    }
    int c = sort_compare_slots(va, ra, vb, rb);
    return descending ? -c : c;
}

static int compare_entries(const void *pa, const void *pb, void *arg)
{
    const SortContext *sc = arg;
    const SortEntry *a = pa, *b = pb;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    const WindowSpec *w = sc->spec;
    for (int k = 0; k < w->npartition; k++) {
        int c = compare_key(sc->table, a->ref, b->ref, w->partition[k], false, false);
        if (c != 0) return c;
    }
    for (int k = 0; k < w->norder; k++) {
        int c = compare_key(sc->table, a->ref, b->ref, w->order[k].column, w->order[k].descending,
                            w->order[k].nulls_first);
        if (c != 0) return c;
    }
    return a->ref < b->ref ? -1 : a->ref > b->ref ? 1 : 0;
}

static void sort_rows(WindowState *s)
{
    const WindowSpec *w = s->spec;
    s->rows = mem_alloc(sizeof(SortEntry) * (size_t)(s->nrows ? s->nrows : 1));
    uint64_t k = 0;
    uint64_t hashes[VECTOR_CAPACITY];
    for (int c = 0; c < s->table.nchunks; c++) {
        const Batch *chunk = &s->table.chunks[c];
        if (w->npartition > 0)
            for (int p = 0; p < w->npartition; p++) hash_vector(chunk->cols[w->partition[p]], chunk->count, hashes, p > 0);
        for (uint32_t r = 0; r < chunk->count; r++) {
            s->rows[k].hash = w->npartition > 0 ? hashes[r] : 0;
            s->rows[k].ref = ((uint64_t)c << 16) | r;
            k++;
        }
    }
    if (w->npartition == 0 && w->norder == 0) return; /* one partition in input order */
    SortContext sc = {&s->table, w};
    qsort_r(s->rows, s->nrows, sizeof(SortEntry), compare_entries, &sc);
}

/* True if sorted rows a and b are in the same partition. */
static bool same_partition(const WindowState *s, uint64_t a, uint64_t b)
{
    if (s->rows[a].hash != s->rows[b].hash) return false;
    for (int k = 0; k < s->spec->npartition; k++) {
        uint32_t ra, rb;
        const Vector *va = cell(s, a, s->spec->partition[k], &ra), *vb = cell(s, b, s->spec->partition[k], &rb);
        if (!hash_values_equal(va, ra, vb, rb)) return false;
    }
    return true;
}

/* True if sorted rows a and b of one partition have equal order keys. */
static bool peers(const WindowState *s, uint64_t a, uint64_t b)
{
    for (int k = 0; k < s->spec->norder; k++)
        if (compare_cells(s, a, b, s->spec->order[k].column, false) != 0) return false;
    return true;
}

static void grow_scratch(WindowState *s, uint64_t n)
{
    if (n <= s->scratch_cap) return;
    uint64_t cap = s->scratch_cap ? s->scratch_cap : 1024;
    while (cap < n) cap *= 2;
    s->peer_start = mem_realloc(s->peer_start, sizeof(uint64_t) * cap);
    s->peer_end = mem_realloc(s->peer_end, sizeof(uint64_t) * cap);
    s->frame_start = mem_realloc(s->frame_start, sizeof(uint64_t) * cap);
    s->frame_end = mem_realloc(s->frame_end, sizeof(uint64_t) * cap);
    s->deque = mem_realloc(s->deque, sizeof(uint64_t) * cap);
    s->prefix_count = mem_realloc(s->prefix_count, sizeof(int64_t) * (cap + 1));
    s->prefix_sum = mem_realloc(s->prefix_sum, sizeof(kiln_int128) * (cap + 1));
    s->scratch_cap = cap;
}

/* peer_start/peer_end[i - ps] = the peer group of row i (absolute positions). */
static void find_peers(WindowState *s, uint64_t ps, uint64_t pe)
{
    uint64_t group = ps;
    for (uint64_t i = ps; i < pe; i++) {
        if (i > ps && !peers(s, i - 1, i)) group = i;
        s->peer_start[i - ps] = group;
    }
    uint64_t end = pe;
    for (uint64_t i = pe; i-- > ps;) {
        s->peer_end[i - ps] = end;
        if (s->peer_start[i - ps] == i) end = i;
    }
}

/* ---- frames ---- */

/* First row in [lo, hi) whose range key is >= (above = false) or > (above =
 * true) the bound of row j, in the order's direction. */
static uint64_t search_bound(const WindowState *s, const WindowFrame *fr, bool descending, int bound_column, uint64_t j,
                             uint64_t lo, uint64_t hi, bool above)
{
    uint32_t bslot;
    const Vector *bv = cell(s, j, bound_column, &bslot);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint32_t kslot;
        const Vector *kv = cell(s, mid, fr->range_key, &kslot);
        int c = sort_compare_slots(kv, kslot, bv, bslot);
        if (descending) c = -c;
        if (above ? c <= 0 : c < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* frame_start/frame_end[i - ps] for every row of partition [ps, pe). */
static void compute_frames(WindowState *s, const WindowFunc *f, uint64_t ps, uint64_t pe)
{
    const WindowFrame *fr = &f->frame;
    bool descending = s->spec->norder > 0 && s->spec->order[0].descending;
    bool nulls_first = s->spec->norder > 0 && s->spec->order[0].nulls_first;
    /* RANGE with an offset: the rows whose key is not NULL, [ns, ne) */
    uint64_t ns = ps, ne = pe;
    bool range_offset = !fr->rows && (fr->start == FRAME_OFFSET_PRECEDING || fr->start == FRAME_OFFSET_FOLLOWING ||
                                      fr->end == FRAME_OFFSET_PRECEDING || fr->end == FRAME_OFFSET_FOLLOWING);
    if (range_offset) {
        if (nulls_first) {
            while (ns < pe && !cell_valid(s, ns, fr->range_key)) ns++;
        } else {
            while (ne > ps && !cell_valid(s, ne - 1, fr->range_key)) ne--;
        }
    }
    for (uint64_t j = ps; j < pe; j++) {
        uint64_t i = j - ps, start = ps, end = pe;
        if (fr->rows) {
            switch (fr->start) {
            case FRAME_UNBOUNDED_PRECEDING: start = ps; break;
            case FRAME_OFFSET_PRECEDING: start = (uint64_t)fr->start_rows > i ? ps : j - (uint64_t)fr->start_rows; break;
            case FRAME_CURRENT_ROW: start = j; break;
            case FRAME_OFFSET_FOLLOWING:
                start = (uint64_t)fr->start_rows >= pe - j ? pe : j + (uint64_t)fr->start_rows;
                break;
            case FRAME_UNBOUNDED_FOLLOWING: start = pe; break;
            }
            switch (fr->end) {
            case FRAME_UNBOUNDED_PRECEDING: end = ps; break;
            case FRAME_OFFSET_PRECEDING: end = (uint64_t)fr->end_rows > i ? ps : j - (uint64_t)fr->end_rows + 1; break;
            case FRAME_CURRENT_ROW: end = j + 1; break;
            case FRAME_OFFSET_FOLLOWING:
                end = (uint64_t)fr->end_rows >= pe - j - 1 ? pe : j + (uint64_t)fr->end_rows + 1;
                break;
            case FRAME_UNBOUNDED_FOLLOWING: end = pe; break;
            }
        } else {
            bool null_key = false;
            if (range_offset) null_key = !cell_valid(s, j, fr->range_key);
            switch (fr->start) {
            case FRAME_UNBOUNDED_PRECEDING: start = ps; break;
            case FRAME_CURRENT_ROW: start = s->peer_start[i]; break;
            case FRAME_OFFSET_PRECEDING:
            case FRAME_OFFSET_FOLLOWING:
                /* a NULL key's frame bound is its peer group, as in PostgreSQL */
                start = null_key ? s->peer_start[i] : search_bound(s, fr, descending, fr->start_column, j, ns, ne, false);
                break;
            case FRAME_UNBOUNDED_FOLLOWING: start = pe; break;
            }
            switch (fr->end) {
            case FRAME_UNBOUNDED_PRECEDING: end = ps; break;
            case FRAME_CURRENT_ROW: end = s->peer_end[i]; break;
            case FRAME_OFFSET_PRECEDING:
            case FRAME_OFFSET_FOLLOWING:
                end = null_key ? s->peer_end[i] : search_bound(s, fr, descending, fr->end_column, j, ns, ne, true);
                break;
            case FRAME_UNBOUNDED_FOLLOWING: end = pe; break;
            }
        }
        if (end < start) end = start;
        s->frame_start[i] = start;
        s->frame_end[i] = end;
    }
}

/* ---- aggregates over frames ---- */

static bool row_counts(const WindowState *s, const WindowFunc *f, uint64_t pos)
{
    uint32_t slot;
    if (f->filter >= 0) {
        const Vector *fv = cell(s, pos, f->filter, &slot);
        if (!vector_is_valid(fv, slot) || !VEC_DATA(fv, uint8_t)[slot]) return false;
    }
    if (f->arg[0] < 0) return true; /* count(*) */
    return cell_valid(s, pos, f->arg[0]);
}

kiln_int128 window_exact_value(const WindowFunc *f, const Vector *v, uint32_t slot)
{
    switch (f->arg_type.id) {
    case TYPE_INTEGER: return VEC_DATA(v, int32_t)[slot];
    case TYPE_BIGINT: return VEC_DATA(v, int64_t)[slot];
    default: return decimal_load(v, slot);
    }
}

static kiln_int128 exact_value(const WindowState *s, const WindowFunc *f, uint64_t pos)
{
    uint32_t slot;
    const Vector *v = cell(s, pos, f->arg[0], &slot);
    return window_exact_value(f, v, slot);
}

static double double_value(const WindowState *s, const WindowFunc *f, uint64_t pos)
{
    uint32_t slot;
    return VEC_DATA(cell(s, pos, f->arg[0], &slot), double)[slot];
}

bool window_store_exact(const WindowFunc *f, Vector *out, uint32_t slot, kiln_int128 sum, int64_t count, Error *err)
{
    if (f->agg == AGG_SUM && f->result_type.id == TYPE_BIGINT) {
        if (sum > INT64_MAX || sum < INT64_MIN) return error_set(err, ERR_DATA, "bigint out of range");
        VEC_DATA(out, int64_t)[slot] = (int64_t)sum;
        return true;
    }
    int in_scale = f->arg_type.id == TYPE_DECIMAL ? f->arg_type.scale : 0;
    kiln_int128 x;
    if (f->agg == AGG_SUM) {
        if (!decimal_rescale(sum, in_scale, f->result_type.scale, f->result_type.precision, &x, err)) return false;
    } else if (!decimal_div(sum, in_scale, count, 0, f->result_type.precision, f->result_type.scale, &x, err)) {
        return false;
    }
    decimal_store(out, slot, x);
    return true;
}

/* Store an exact sum or average of `count` values into the result at pos. */
static bool store_exact(WindowState *s, int fi, uint64_t pos, kiln_int128 sum, int64_t count, Error *err)
{
    uint32_t slot;
    Vector *out = result_cell(s, fi, pos, &slot);
    return window_store_exact(&s->spec->funcs[fi], out, slot, sum, count, err);
}

static bool aggregate_partition(WindowState *s, int fi, uint64_t ps, uint64_t pe, Error *err)
{
    const WindowFunc *f = &s->spec->funcs[fi];
    uint64_t n = pe - ps;
    switch (f->agg) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
    case AGG_SUM:
    case AGG_AVG:
        if (f->agg == AGG_COUNT_STAR || f->agg == AGG_COUNT || f->arg_type.id != TYPE_DOUBLE) {
            bool sums = f->agg == AGG_SUM || f->agg == AGG_AVG;
            s->prefix_count[0] = 0;
            s->prefix_sum[0] = 0;
            for (uint64_t i = 0; i < n; i++) {
                bool counts = row_counts(s, f, ps + i);
                s->prefix_count[i + 1] = s->prefix_count[i] + counts;
                s->prefix_sum[i + 1] = s->prefix_sum[i];
                if (sums && counts &&
                    __builtin_add_overflow(s->prefix_sum[i], exact_value(s, f, ps + i), &s->prefix_sum[i + 1]))
                    return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(f->agg));
            }
            for (uint64_t i = 0; i < n; i++) {
                uint64_t a = s->frame_start[i] - ps, b = s->frame_end[i] - ps;
                int64_t count = s->prefix_count[b] - s->prefix_count[a];
                if (!sums) set_result_int64(s, fi, ps + i, count);
                else if (count == 0) set_result_null(s, fi, ps + i);
                else if (!store_exact(s, fi, ps + i, s->prefix_sum[b] - s->prefix_sum[a], count, err)) return false;
            }
            return true;
        }
        {
            /* doubles: PostgreSQL's order of additions (see the header) */
            uint64_t agg_start = ps, agg_end = ps;
            double sum = 0;
            int64_t count = 0;
            for (uint64_t i = 0; i < n; i++) {
                uint64_t a = s->frame_start[i], b = s->frame_end[i];
                if (a != agg_start || b < agg_end) {
                    agg_start = agg_end = a;
                    sum = 0;
                    count = 0;
                }
                for (; agg_end < b; agg_end++)
                    if (row_counts(s, f, agg_end)) {
                        sum += double_value(s, f, agg_end);
                        count++;
                    }
                if (count == 0) set_result_null(s, fi, ps + i);
                else set_result_double(s, fi, ps + i, f->agg == AGG_SUM ? sum : sum / (double)count);
            }
            return true;
        }
    case AGG_MIN:
    case AGG_MAX:
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        /* keep = the sign a later row's value must beat to drop earlier candidates */
        int want = (f->agg == AGG_MIN || f->agg == AGG_BOOL_AND) ? -1 : 1;
        uint64_t head = 0, tail = 0; /* deque[head, tail) of rows, values monotonic */
        uint64_t pushed = ps, last_start = ps;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t a = s->frame_start[i], b = s->frame_end[i];
            if (a < last_start || b < pushed) {
                /* a frame moved backwards (not expected): rebuild */
                head = tail = 0;
                pushed = a;
            }
            last_start = a;
            if (pushed < a) pushed = a;
            for (; pushed < b; pushed++) {
                if (!row_counts(s, f, pushed)) continue;
                uint32_t rs;
                const Vector *nv = cell(s, pushed, f->arg[0], &rs);
                while (tail > head) {
                    uint32_t ts;
                    const Vector *tv = cell(s, s->deque[tail - 1], f->arg[0], &ts);
                    if (sort_compare_slots(nv, rs, tv, ts) * want >= 0) tail--;
                    else break;
                }
                s->deque[tail++] = pushed;
            }
            while (head < tail && s->deque[head] < a) head++;
            if (head == tail) set_result_null(s, fi, ps + i);
            else set_result_copy(s, fi, ps + i, f->arg[0], s->deque[head]);
        }
        return true;
    }
    default: break; /* the binder allows only aggregate_supports_window's */
    }
    return error_set(err, ERR_INTERNAL, "window aggregate %s is not supported", aggregate_name(f->agg));
}

/* ---- one function over one partition ---- */

static bool frame_function(const WindowFunc *f)
{
    return f->kind == WIN_FIRST_VALUE || f->kind == WIN_LAST_VALUE || f->kind == WIN_NTH_VALUE ||
           f->kind == WIN_AGGREGATE;
}

static bool needs_peers(const WindowFunc *f)
{
    if (f->kind == WIN_RANK || f->kind == WIN_DENSE_RANK || f->kind == WIN_PERCENT_RANK || f->kind == WIN_CUME_DIST)
        return true;
    return frame_function(f) && !f->frame.rows;
}

static bool compute_partition(WindowState *s, int fi, uint64_t ps, uint64_t pe, Error *err)
{
    const WindowFunc *f = &s->spec->funcs[fi];
    uint64_t n = pe - ps;
    if (needs_peers(f)) find_peers(s, ps, pe);
    if (frame_function(f)) compute_frames(s, f, ps, pe);
    switch (f->kind) {
    case WIN_ROW_NUMBER:
        for (uint64_t i = 0; i < n; i++) set_result_int64(s, fi, ps + i, (int64_t)i + 1);
        return true;
    case WIN_RANK:
        for (uint64_t i = 0; i < n; i++) set_result_int64(s, fi, ps + i, (int64_t)(s->peer_start[i] - ps) + 1);
        return true;
    case WIN_DENSE_RANK: {
        int64_t rank = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (s->peer_start[i] == ps + i) rank++;
            set_result_int64(s, fi, ps + i, rank);
        }
        return true;
    }
    case WIN_PERCENT_RANK:
        for (uint64_t i = 0; i < n; i++)
            set_result_double(s, fi, ps + i, n <= 1 ? 0.0 : (double)(s->peer_start[i] - ps) / (double)(n - 1));
        return true;
    case WIN_CUME_DIST:
        for (uint64_t i = 0; i < n; i++) set_result_double(s, fi, ps + i, (double)(s->peer_end[i] - ps) / (double)n);
        return true;
    case WIN_NTILE: {
        /* PostgreSQL's window_ntile: the bucket count is read at the first row
         * where it is not NULL; leading buckets get one extra row */
        bool started = false;
        int64_t bucket = 0, rows_in_bucket = 0, boundary = 0, remainder = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t j = ps + i;
            if (!started) {
                uint32_t slot;
                const Vector *v = cell(s, j, f->arg[0], &slot);
                if (!vector_is_valid(v, slot)) {
                    set_result_null(s, fi, j);
                    continue;
                }
                int64_t buckets = VEC_DATA(v, int32_t)[slot];
                if (buckets <= 0) return error_set(err, ERR_DATA, "argument of ntile must be greater than zero");
                started = true;
                bucket = 1;
                rows_in_bucket = 0;
                boundary = (int64_t)n / buckets;
                if (boundary <= 0) boundary = 1;
                else {
                    remainder = (int64_t)n % buckets;
                    if (remainder != 0) boundary++;
                }
            }
            rows_in_bucket++;
            if (boundary < rows_in_bucket) {
                if (remainder != 0 && bucket == remainder) {
                    remainder = 0;
                    boundary--;
                }
                bucket++;
                rows_in_bucket = 1;
            }
            uint32_t slot;
            Vector *out = result_cell(s, fi, j, &slot);
            VEC_DATA(out, int32_t)[slot] = (int32_t)bucket;
        }
        return true;
    }
    case WIN_LAG:
    case WIN_LEAD:
        for (uint64_t i = 0; i < n; i++) {
            uint64_t j = ps + i;
            int64_t offset = 1;
            if (f->arg[1] >= 0) {
                uint32_t slot;
                const Vector *v = cell(s, j, f->arg[1], &slot);
                if (!vector_is_valid(v, slot)) {
                    set_result_null(s, fi, j);
                    continue;
                }
                offset = VEC_DATA(v, int32_t)[slot];
            }
            int64_t target = (int64_t)j + (f->kind == WIN_LAG ? -offset : offset);
            if (target >= (int64_t)ps && target < (int64_t)pe) set_result_copy(s, fi, j, f->arg[0], (uint64_t)target);
            else if (f->arg[2] >= 0) set_result_copy(s, fi, j, f->arg[2], j);
            else set_result_null(s, fi, j);
        }
        return true;
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
        for (uint64_t i = 0; i < n; i++) {
            uint64_t a = s->frame_start[i], b = s->frame_end[i];
            if (a >= b) set_result_null(s, fi, ps + i);
            else set_result_copy(s, fi, ps + i, f->arg[0], f->kind == WIN_FIRST_VALUE ? a : b - 1);
        }
        return true;
    case WIN_NTH_VALUE:
        for (uint64_t i = 0; i < n; i++) {
            uint64_t j = ps + i;
            uint32_t slot;
            const Vector *v = cell(s, j, f->arg[1], &slot);
            if (!vector_is_valid(v, slot)) {
                set_result_null(s, fi, j);
                continue;
            }
            int64_t nth = VEC_DATA(v, int32_t)[slot];
            if (nth <= 0) return error_set(err, ERR_DATA, "argument of nth_value must be greater than zero");
            uint64_t a = s->frame_start[i], b = s->frame_end[i];
            if ((uint64_t)(nth - 1) >= b - a || a >= b) set_result_null(s, fi, j);
            else set_result_copy(s, fi, j, f->arg[0], a + (uint64_t)(nth - 1));
        }
        return true;
    case WIN_AGGREGATE: return aggregate_partition(s, fi, ps, pe, err);
    }
    return error_set(err, ERR_INTERNAL, "unknown window function");
}

/* Route rows (a batch without selection) to the partitions by their PARTITION BY keys. */
static bool route_rows(WindowState *s, const Batch *b, Error *err)
{
    const WindowSpec *w = s->spec;
    for (int p = 0; p < w->npartition; p++) hash_vector(b->cols[w->partition[p]], b->count, s->hashes, p > 0);
    return spill_partitions_write(s->parts, b, s->all_rows, b->count, s->hashes, err);
}

/* The buffered input outgrew the budget: split it and the rest of the input. */
static bool partition_input(WindowState *s, Error *err)
{
    ExecNode *node = &s->base;
    s->parts = spill_partitions_new(node->ctx->temp_directory, s->depth);
    for (int c = 0; c < s->table.nchunks; c++)
        if (!route_rows(s, &s->table.chunks[c], err)) return false;
    uint64_t total = s->table.nrows;
    memtable_clear(&s->table);
    memory_hold_release(node->ctx, &s->hold); /* the buffered rows are on disk now */
    MemTable one; /* a selected batch is flattened through here */
    memtable_init(&one, s->ninput, node->plan->child->types);
    for (;;) {
        Batch *in;
        bool ok = exec_next(node->child, &in, err);
        if (ok && in->count == 0) break;
        if (ok && in->sel) {
            memtable_clear(&one);
            memtable_append(&one, in);
            in = &one.chunks[0];
        }
        total += ok ? in->count : 0;
        if (!ok || !route_rows(s, in, err)) {
            memtable_destroy(&one);
            return false;
        }
    }
    memtable_destroy(&one);
    if (!spill_partitions_finish(s->parts, node->ctx, err)) return false;
    s->spilled_rows = total;
    s->computed = true;
    return true;
}

/* Spilled: the next rows of the partitions' windows (count 0 at the end). */
static bool next_from_partitions(WindowState *s, Batch **out, Error *err)
{
    const PlanNode *plan = s->base.plan;
    for (;;) {
        if (s->sub) {
            if (!exec_next(s->sub, out, err)) return false;
            if ((*out)->count > 0) return true;
            exec_close(s->sub);
            s->sub = NULL;
        }
        SpillFile *f = NULL;
        int p = -1;
        while (f == NULL && s->next_partition < SPILL_FANOUT) f = spill_partitions_take(s->parts, p = s->next_partition++);
        if (f == NULL) {
            s->out.count = 0;
            s->out.sel = NULL;
            *out = &s->out;
            return true;
        }
        ExecNode *scan = spill_scan_create(f, plan->child->ncols, plan->child->types, s->base.ctx);
        s->sub = window_create(plan, scan, s->base.ctx, s->depth + 1);
        /* one window partition holding every row cannot be split further */
        if (s->parts->rows[p] == s->spilled_rows) ((WindowState *)s->sub)->can_spill = false;
    }
}

static bool over_limit_error(const WindowState *s, Error *err)
{
    char text[32];
    spill_format_size((uint64_t)s->base.ctx->memory_limit, text, sizeof text);
    return error_set(err, ERR_DATA,
                     "window function %s keeps each window partition in memory%s, which needs more than memory_limit "
                     "(%s); raise memory_limit",
                     s->unstreamable ? window_func_name(s->unstreamable) : "?",
                     s->spec->npartition > 0 ? "" : " (without PARTITION BY: the whole input)", text);
}

/* The buffered input outgrew the budget and cannot be split by PARTITION BY
 * (any more): write it out and compute through window_stream.c. */
static bool stream_input(WindowState *s, Error *err)
{
    ExecNode *node = &s->base;
    SpillFile *f = spill_create(node->ctx->temp_directory, err);
    if (f == NULL) return false;
    for (int c = 0; c < s->table.nchunks; c++)
        if (!spill_write(f, &s->table.chunks[c], err)) {
            spill_close(f);
            return false;
        }
    memtable_clear(&s->table);
    memory_hold_release(node->ctx, &s->hold); /* the buffered rows are on disk now */
    __atomic_add_fetch(&node->ctx->spilled_bytes, spill_bytes(f), __ATOMIC_RELAXED);
    if (!spill_rewind(f, err)) {
        spill_close(f);
        return false;
    }
    s->stream = window_stream_create(node->plan, f, node->child, node->ctx);
    s->computed = true;
    return true;
}

static bool compute(WindowState *s, Error *err)
{
    ExecNode *node = &s->base;
    int64_t limit = node->ctx->memory_limit;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) break;
        memtable_append(&s->table, in);
        if (limit <= 0) continue;
        /* the rows, their sort entries, results and per-row scratch */
        uint64_t bytes = spill_memtable_bytes(&s->table, &s->table_sealed, &s->table_sealed_chunks) +
                         s->table.nrows * (64 + 16 * (uint64_t)s->spec->nfuncs);
        bool over = memory_hold_update(node->ctx, &s->hold, bytes, s->budget);
        if (s->can_spill && over) return partition_input(s, err);
        if (over && s->unstreamable == NULL) return stream_input(s, err);
        if (bytes > (uint64_t)limit) return over_limit_error(s, err);
    }
    s->nrows = s->table.nrows;
    sort_rows(s);
    const WindowSpec *w = s->spec;
    s->nchunks = (s->nrows + VECTOR_CAPACITY - 1) / VECTOR_CAPACITY;
    s->results = mem_calloc((size_t)(s->nchunks * (uint64_t)w->nfuncs) + 1, sizeof(Vector *));
    for (int f = 0; f < w->nfuncs; f++)
        for (uint64_t c = 0; c < s->nchunks; c++)
            s->results[(uint64_t)f * s->nchunks + c] = vector_new(w->funcs[f].result_type, VECTOR_CAPACITY);
    uint64_t ps = 0;
    while (ps < s->nrows) {
        uint64_t pe = ps + 1;
        if (w->npartition > 0)
            while (pe < s->nrows && same_partition(s, ps, pe)) pe++;
        else
            pe = s->nrows;
        grow_scratch(s, pe - ps);
        for (int f = 0; f < w->nfuncs; f++)
            if (!compute_partition(s, f, ps, pe, err)) return false;
        ps = pe;
    }
    s->computed = true;
    return true;
}

static bool window_next(ExecNode *node, Batch **out, Error *err)
{
    WindowState *s = (WindowState *)node;
    if (!s->computed && !compute(s, err)) return false;
    if (s->stream) return exec_next(s->stream, out, err);
    if (s->parts) return next_from_partitions(s, out, err);
    s->out.count = 0;
    s->out.sel = NULL;
    if (s->next >= s->nrows) {
        *out = &s->out;
        return true;
    }
    /* emit one result chunk: rows [next, next + n) in sorted order */
    uint64_t first = s->next;
    uint32_t n = (uint32_t)(s->nrows - first < VECTOR_CAPACITY ? s->nrows - first : VECTOR_CAPACITY);
    for (int c = 0; c < s->ninput; c++) {
        Vector *g = &s->gathered[c];
        vector_reset(g);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t slot;
            const Vector *src = cell(s, first + k, c, &slot);
            vector_gather(g, k, src, &slot, 1);
        }
        s->out.cols[c] = g;
    }
    uint64_t chunk = first / VECTOR_CAPACITY;
    for (int f = 0; f < s->spec->nfuncs; f++) s->out.cols[s->ninput + f] = s->results[(uint64_t)f * s->nchunks + chunk];
    s->out.count = n;
    s->next += n;
    *out = &s->out;
    return true;
}

static void window_close(ExecNode *node)
{
    WindowState *s = (WindowState *)node;
    memory_hold_release(node->ctx, &s->hold);
    exec_close(s->stream);
    exec_close(s->sub);
    spill_partitions_free(s->parts);
    if (s->results)
        for (uint64_t i = 0; i < s->nchunks * (uint64_t)s->spec->nfuncs; i++) vector_free(s->results[i]);
    mem_free(s->results);
    for (int c = 0; c < s->ninput; c++) vector_destroy(&s->gathered[c]);
    mem_free(s->gathered);
    batch_destroy(&s->out);
    memtable_destroy(&s->table);
    mem_free(s->rows);
    mem_free(s->peer_start);
    mem_free(s->peer_end);
    mem_free(s->frame_start);
    mem_free(s->frame_end);
    mem_free(s->deque);
    mem_free(s->prefix_count);
    mem_free(s->prefix_sum);
    mem_free(s);
}

static const ExecNodeOps window_ops = {window_next, window_close};

ExecNode *op_window_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    (void)err;
    if (plan->window->top_per_key > 0) return op_topn_per_key_create(plan, child, ctx);
    return window_create(plan, child, ctx, 0);
}

ExecNode *op_window_sorted_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx)
{
    return window_create(plan, child, ctx, 0);
}

/* The operator at recursion level depth (0: the plan's; deeper: one spilled
 * partition, read by child). Cannot fail. */
static ExecNode *window_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, int depth)
{
    WindowState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &window_ops;
    s->base.plan = plan;
    s->base.child = child;
    s->base.ctx = ctx;
    s->depth = depth;
    s->budget = spill_budget(ctx);
    s->can_spill = plan->window->npartition > 0 && ctx->memory_limit > 0 && depth < SPILL_MAX_DEPTH;
    for (uint32_t i = 0; i < VECTOR_CAPACITY; i++) s->all_rows[i] = i;
    s->spec = plan->window;
    s->unstreamable = window_stream_unsupported(plan->window);
    s->ninput = plan->child->ncols;
    memtable_init(&s->table, s->ninput, plan->child->types);
    s->gathered = mem_calloc((size_t)s->ninput + 1, sizeof(Vector));
    for (int c = 0; c < s->ninput; c++) vector_init(&s->gathered[c], plan->child->types[c], VECTOR_CAPACITY);
    batch_init_borrowed(&s->out, plan->ncols);
    return &s->base;
}

/* ---- EXPLAIN ---- */

const char *window_func_name(const WindowFunc *f)
{
    switch (f->kind) {
    case WIN_ROW_NUMBER: return "row_number";
    case WIN_RANK: return "rank";
    case WIN_DENSE_RANK: return "dense_rank";
    case WIN_PERCENT_RANK: return "percent_rank";
    case WIN_CUME_DIST: return "cume_dist";
    case WIN_NTILE: return "ntile";
    case WIN_LAG: return "lag";
    case WIN_LEAD: return "lead";
    case WIN_FIRST_VALUE: return "first_value";
    case WIN_LAST_VALUE: return "last_value";
    case WIN_NTH_VALUE: return "nth_value";
    case WIN_AGGREGATE: return aggregate_name(f->agg);
    }
    return "?";
}

/* "2 preceding", "current row" ... (ROWS offsets shown; RANGE offsets are columns) */
static void explain_bound(StrBuf *out, FrameBound b, bool rows, int64_t offset)
{
    switch (b) {
    case FRAME_UNBOUNDED_PRECEDING: strbuf_puts(out, "unbounded preceding"); return;
    case FRAME_CURRENT_ROW: strbuf_puts(out, "current row"); return;
    case FRAME_UNBOUNDED_FOLLOWING: strbuf_puts(out, "unbounded following"); return;
    case FRAME_OFFSET_PRECEDING:
    case FRAME_OFFSET_FOLLOWING:
        if (rows) strbuf_printf(out, "%lld ", (long long)offset);
        strbuf_puts(out, b == FRAME_OFFSET_PRECEDING ? "preceding" : "following");
        return;
    }
}

void window_explain(const WindowSpec *w, StrBuf *out)
{
    if (w->npartition > 0) {
        strbuf_puts(out, " partition=");
        for (int k = 0; k < w->npartition; k++) strbuf_printf(out, "%s#%d", k ? "," : "", w->partition[k]);
    }
    if (w->norder > 0) {
        strbuf_puts(out, " order=");
        for (int k = 0; k < w->norder; k++)
            strbuf_printf(out, "%s#%d%s", k ? "," : "", w->order[k].column, w->order[k].descending ? " DESC" : "");
    }
    strbuf_puts(out, " functions=");
    for (int i = 0; i < w->nfuncs; i++) {
        const WindowFunc *f = &w->funcs[i];
        strbuf_printf(out, "%s%s(", i ? "," : "", window_func_name(f));
        for (int a = 0; a < 3 && f->arg[a] >= 0; a++) strbuf_printf(out, "%s#%d", a ? "," : "", f->arg[a]);
        strbuf_puts(out, ")");
        if (frame_function(f)) {
            const WindowFrame *fr = &f->frame;
            strbuf_puts(out, fr->rows ? "{rows " : "{range ");
            explain_bound(out, fr->start, fr->rows, fr->start_rows);
            strbuf_puts(out, " .. ");
            explain_bound(out, fr->end, fr->rows, fr->end_rows);
            strbuf_puts(out, "}");
        }
    }
    if (w->top_per_key > 0)
        strbuf_printf(out, " top_per_key=%lld%s (hash, op_topn_per_key)", (long long)w->top_per_key,
                      w->top_partial ? " partial" : "");
}
