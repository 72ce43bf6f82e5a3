/* window_stream: window functions over a window partition larger than
 * memory, in bounded memory (see window_stream.h; op_window.c hands over
 * when a partition cannot be split further by PARTITION BY).
 *
 * Method.  Three steps, each holding a bounded part of the data:
 *   1. Sort.  The input (the rows op_window had buffered, written to a spill
 *      file, then the rest of its child) goes through the sort operator
 *      (op_sort.c, an external merge sort past memory_limit) on (PARTITION BY
 *      keys, ORDER BY keys).  The sort is stable, so rows with equal keys
 *      stay in input order, as in the in-memory path.
 *   2. Count.  One pass over the sorted rows writes them to a spill file in
 *      full batches of VECTOR_CAPACITY rows, and writes "group summaries"
 *      to small side files: the size of every partition, the size of every
 *      peer group (rows with equal ORDER BY keys) when a function needs it,
 *      and for functions whose frame is cumulative up to the end of a peer
 *      group or of the partition (the default RANGE frame, frames to
 *      UNBOUNDED FOLLOWING from UNBOUNDED PRECEDING, last_value to UNBOUNDED
 *      FOLLOWING) their result at the end of each such group, computed by a
 *      running aggregate (Accum) in row order, so float sums add in
 *      PostgreSQL's order.
 *   3. Stream.  The sorted file is read back into a sliding buffer of
 *      batches; rows are numbered from 0 over the whole input, batch c
 *      holding rows [c * VECTOR_CAPACITY, (c + 1) * VECTOR_CAPACITY).  With
 *      the partition and peer bounds from step 2, each row's results are:
 *      row_number, rank, dense_rank, percent_rank, cume_dist, ntile from
 *      counters; the summary functions from their side file; lag/lead from
 *      the buffer (rows behind are kept up to the largest offset seen);
 *      ROWS frames from a running aggregate over the buffer, the same
 *      algorithms as the in-memory path (exact sums add entering rows and
 *      subtract leaving ones; float sums restart when the frame start moves,
 *      as PostgreSQL does; min/max/bool_and/bool_or a monotonic deque, or a
 *      running best when the start is UNBOUNDED PRECEDING).  Each output
 *      batch is one buffered batch plus the result vectors.
 *
 * Memory: the sort's share while sorting; then one batch of each side file,
 * the buffered batches (the current one, the rows behind it that frames and
 * lag still need, the rows ahead that frames and lead need: at most
 * memory_limit, past which the query fails naming the function), and for
 * min/max deques up to one entry per row of a frame.  Functions no method
 * here bounds (window_stream_unsupported) keep the in-memory path's limit. */
#include "exec/window_stream.h"

#include <string.h>

#include "common/mem.h"
#include "exec/hash.h"
#include "exec/memory_hold.h"
#include "exec/sort_compare.h"
#include "exec/spill.h"
#include "exec/spill_partition.h"

#define GROUP_STREAM_BUFFER (64u << 10)
#define POOLED_BATCHES 4

/* ---- side files: one value per group, written in order, read in order ---- */

typedef struct GroupStream {
    SpillFile *file;   /* NULL: not used */
    Batch batch;       /* one column: values being written, or the batch being read */
    uint32_t pos;      /* reading: next slot of batch */
} GroupStream;

static bool group_stream_open(GroupStream *g, const char *dir, LogicalType type, Error *err)
{
    g->file = spill_create_buffered(dir, GROUP_STREAM_BUFFER, err);
    if (g->file == NULL) return false;
    batch_init(&g->batch, 1, &type, VECTOR_CAPACITY);
    return true;
}

/* The vector and slot the next value goes to. */
static Vector *group_stream_slot(GroupStream *g, uint32_t *slot, Error *err)
{
    if (g->batch.count == VECTOR_CAPACITY) {
        if (!spill_write(g->file, &g->batch, err)) return NULL;
        batch_reset(&g->batch);
    }
    *slot = g->batch.count++;
    return g->batch.cols[0];
}

static bool group_stream_put_count(GroupStream *g, uint64_t n, Error *err)
{
    uint32_t slot;
    Vector *v = group_stream_slot(g, &slot, err);
    if (v == NULL) return false;
    VEC_DATA(v, int64_t)[slot] = (int64_t)n;
    return true;
}

/* Writing is over: read from the start. */
static bool group_stream_finish(GroupStream *g, ExecContext *ctx, Error *err)
{
    if (g->batch.count > 0 && !spill_write(g->file, &g->batch, err)) return false;
    batch_reset(&g->batch);
    g->pos = 0;
    __atomic_add_fetch(&ctx->spilled_bytes, spill_bytes(g->file), __ATOMIC_RELAXED);
    return spill_rewind(g->file, err);
}

/* The next value (valid until the next call). */
static bool group_stream_next(GroupStream *g, const Vector **v, uint32_t *slot, Error *err)
{
    if (g->pos >= g->batch.count) {
        if (!spill_read(g->file, &g->batch, err)) return false;
        g->pos = 0;
        if (g->batch.count == 0) return error_set(err, ERR_INTERNAL, "window stream: a group summary is missing");
    }
    *v = g->batch.cols[0];
    *slot = g->pos++;
    return true;
}

static bool group_stream_next_count(GroupStream *g, uint64_t *n, Error *err)
{
    const Vector *v;
    uint32_t slot;
    if (!group_stream_next(g, &v, &slot, err)) return false;
    *n = (uint64_t)VEC_DATA(v, int64_t)[slot];
    return true;
}

static void group_stream_close(GroupStream *g)
{
    if (g->file == NULL) return;
    spill_close(g->file);
    batch_destroy(&g->batch);
    g->file = NULL;
}

/* ---- running aggregates from a partition's start ---- */

typedef struct Accum {
    int64_t count;
    kiln_int128 sum;  /* integers and decimals */
    double dsum;      /* doubles, added in row order */
    Vector *value;    /* one slot of the argument's type: the best so far (min, max, bool_and, bool_or),
                         or the first / last value */
    bool has_value;
} Accum;

static void accum_reset(Accum *a)
{
    a->count = 0;
    a->sum = 0;
    a->dsum = 0;
    a->has_value = false;
}

/* Does row r of b count for aggregate f (its FILTER, a non-NULL argument)? */
static bool row_counts(const WindowFunc *f, const Batch *b, uint32_t r)
{
    if (f->filter >= 0) {
        const Vector *fv = b->cols[f->filter];
        if (!vector_is_valid(fv, r) || !VEC_DATA(fv, uint8_t)[r]) return false;
    }
    return f->arg[0] < 0 || vector_is_valid(b->cols[f->arg[0]], r);
}

/* The sign by which a later value must compare to replace the best (min, bool_and: smaller). */
static int best_direction(const WindowFunc *f)
{
    return (f->agg == AGG_MIN || f->agg == AGG_BOOL_AND) ? -1 : 1;
}

static void keep_value(Accum *a, const Vector *v, uint32_t r)
{
    vector_reset(a->value); /* one value at a time: the string heap does not grow */
    vector_copy(a->value, 0, v, &r, 1);
    a->has_value = true;
}

static bool accum_add(Accum *a, const WindowFunc *f, const Batch *b, uint32_t r, Error *err)
{
    if (f->kind == WIN_FIRST_VALUE) {
        if (!a->has_value) keep_value(a, b->cols[f->arg[0]], r);
        return true;
    }
    if (f->kind == WIN_LAST_VALUE) {
        keep_value(a, b->cols[f->arg[0]], r);
        return true;
    }
    if (!row_counts(f, b, r)) return true;
    a->count++;
    switch (f->agg) {
    case AGG_SUM:
    case AGG_AVG: {
        const Vector *v = b->cols[f->arg[0]];
        if (f->arg_type.id == TYPE_DOUBLE) a->dsum += VEC_DATA(v, double)[r];
        else if (__builtin_add_overflow(a->sum, window_exact_value(f, v, r), &a->sum))
            return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(f->agg));
        return true;
    }
    case AGG_MIN:
    case AGG_MAX:
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        /* ties replace, as the in-memory deque keeps the latest of equal values */
        const Vector *v = b->cols[f->arg[0]];
        if (!a->has_value || sort_compare_slots(v, r, a->value, 0) * best_direction(f) >= 0) keep_value(a, v, r);
        return true;
    }
    default: return true; /* count */
    }
}

/* Store the result of sum/avg/count over `count` rows with these sums. */
static bool store_sum(const WindowFunc *f, Vector *out, uint32_t slot, int64_t count, kiln_int128 sum, double dsum,
                      Error *err)
{
    if (f->agg == AGG_COUNT || f->agg == AGG_COUNT_STAR) {
        VEC_DATA(out, int64_t)[slot] = count;
        return true;
    }
    if (count == 0) {
        vector_set_null(out, slot);
        return true;
    }
    if (f->arg_type.id == TYPE_DOUBLE) {
        VEC_DATA(out, double)[slot] = f->agg == AGG_SUM ? dsum : dsum / (double)count;
        return true;
    }
    return window_store_exact(f, out, slot, sum, count, err);
}

static bool accum_result(const Accum *a, const WindowFunc *f, Vector *out, uint32_t slot, Error *err)
{
    bool by_value = f->kind != WIN_AGGREGATE || f->agg == AGG_MIN || f->agg == AGG_MAX || f->agg == AGG_BOOL_AND ||
                    f->agg == AGG_BOOL_OR;
    if (!by_value) return store_sum(f, out, slot, a->count, a->sum, a->dsum, err);
    uint32_t zero = 0;
    if (a->has_value) vector_copy(out, slot, a->value, &zero, 1);
    else vector_set_null(out, slot);
    return true;
}

/* ---- how each function is computed ---- */

typedef enum StreamMode {
    SM_ROW_NUMBER,
    SM_RANK,
    SM_DENSE_RANK,
    SM_PERCENT_RANK,
    SM_CUME_DIST,
    SM_NTILE,
    SM_OFFSET,          /* lag, lead */
    SM_PEER_GROUP,      /* frame UNBOUNDED PRECEDING .. the current row's last peer: a summary per peer group */
    SM_PARTITION_GROUP, /* frame the whole partition: a summary per partition */
    SM_PARTITION_LAST,  /* last_value of a ROWS frame to UNBOUNDED FOLLOWING: the partition's last value */
    SM_SLIDE,           /* other ROWS frames: over the buffer */
    SM_UNSUPPORTED,
} StreamMode;

static StreamMode stream_mode(const WindowFunc *f)
{
    const WindowFrame *fr = &f->frame;
    switch (f->kind) {
    case WIN_ROW_NUMBER: return SM_ROW_NUMBER;
    case WIN_RANK: return SM_RANK;
    case WIN_DENSE_RANK: return SM_DENSE_RANK;
    case WIN_PERCENT_RANK: return SM_PERCENT_RANK;
    case WIN_CUME_DIST: return SM_CUME_DIST;
    case WIN_NTILE: return SM_NTILE;
    case WIN_LAG:
    case WIN_LEAD: return SM_OFFSET;
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
    case WIN_NTH_VALUE:
    case WIN_AGGREGATE: break;
    }
    bool whole = fr->start == FRAME_UNBOUNDED_PRECEDING && fr->end == FRAME_UNBOUNDED_FOLLOWING;
    bool peer_cumulative = !fr->rows && fr->start == FRAME_UNBOUNDED_PRECEDING && fr->end == FRAME_CURRENT_ROW;
    if (f->kind == WIN_AGGREGATE && !aggregate_supports_window(f->agg)) return SM_UNSUPPORTED;
    if (whole || peer_cumulative) return f->kind == WIN_NTH_VALUE ? SM_UNSUPPORTED
                                         : whole                ? SM_PARTITION_GROUP
                                                                : SM_PEER_GROUP;
    if (!fr->rows) return SM_UNSUPPORTED; /* RANGE with offsets, or from the current row */
    if (f->kind == WIN_LAST_VALUE && fr->end == FRAME_UNBOUNDED_FOLLOWING) return SM_PARTITION_LAST;
    /* nth_value from UNBOUNDED PRECEDING reads a row any distance back */
    if (f->kind == WIN_NTH_VALUE && fr->start == FRAME_UNBOUNDED_PRECEDING) return SM_UNSUPPORTED;
    return SM_SLIDE;
}

const WindowFunc *window_stream_unsupported(const WindowSpec *w)
{
    for (int i = 0; i < w->nfuncs; i++)
        if (stream_mode(&w->funcs[i]) == SM_UNSUPPORTED) return &w->funcs[i];
    return NULL;
}

/* The ROWS frame [*a, *b) of row j of partition [ps, pe), as op_window.c computes it. */
static void rows_frame(const WindowFrame *fr, uint64_t j, uint64_t ps, uint64_t pe, uint64_t *a, uint64_t *b)
{
    uint64_t i = j - ps, start = ps, end = pe;
    switch (fr->start) {
    case FRAME_UNBOUNDED_PRECEDING: start = ps; break;
    case FRAME_OFFSET_PRECEDING: start = (uint64_t)fr->start_rows > i ? ps : j - (uint64_t)fr->start_rows; break;
    case FRAME_CURRENT_ROW: start = j; break;
    case FRAME_OFFSET_FOLLOWING: start = (uint64_t)fr->start_rows >= pe - j ? pe : j + (uint64_t)fr->start_rows; break;
    case FRAME_UNBOUNDED_FOLLOWING: start = pe; break;
    }
    switch (fr->end) {
    case FRAME_UNBOUNDED_PRECEDING: end = ps; break;
    case FRAME_OFFSET_PRECEDING: end = (uint64_t)fr->end_rows > i ? ps : j - (uint64_t)fr->end_rows + 1; break;
    case FRAME_CURRENT_ROW: end = j + 1; break;
    case FRAME_OFFSET_FOLLOWING: end = (uint64_t)fr->end_rows >= pe - j - 1 ? pe : j + (uint64_t)fr->end_rows + 1; break;
    case FRAME_UNBOUNDED_FOLLOWING: end = pe; break;
    }
    if (end < start) end = start;
    *a = start;
    *b = end;
}

typedef struct StreamFunc {
    const WindowFunc *f;
    StreamMode mode;
    GroupStream groups;        /* the group summaries (SM_*_GROUP, SM_PARTITION_LAST) */
    Accum acc;                 /* counting pass: the running group result; SM_SLIDE: first value, running best */
    const Vector *group_value; /* streaming: the current group's summary */
    uint32_t group_slot;
    Vector *result;            /* the output batch's column */
    int64_t dense;             /* SM_DENSE_RANK */
    bool ntile_started;        /* SM_NTILE: PostgreSQL's window_ntile state */
    int64_t bucket, rows_in_bucket, boundary, remainder;
    uint64_t max_back;         /* SM_OFFSET: the farthest row back an offset reached */
    /* SM_SLIDE: rows [agg_a, agg_b) are in the running count/sum; the deque of min/max candidates */
    uint64_t agg_a, agg_b;
    int64_t count;
    kiln_int128 sum;
    double dsum;
    uint64_t *deque, head, tail, deque_cap, pushed, last_start;
} StreamFunc;

/* ---- the operator ---- */

typedef struct WindowStream {
    ExecNode base;
    const WindowSpec *spec;
    int ninput;
    const LogicalType *input_types;
    ExecNode *input;           /* until the sort takes it */
    PlanNode sort_plan;        /* the sort on partition then order keys */
    SortKey *sort_keys;
    StreamFunc *funcs;
    bool need_peers;
    GroupStream partitions, peer_groups; /* sizes */
    SpillFile *sorted;
    bool counted;
    uint64_t total;            /* rows */
    /* streaming */
    Batch **buf;               /* buf[k] holds rows of batch first_chunk + k */
    int nbuf, cap_buf;
    uint64_t first_chunk;
    uint64_t loaded;           /* rows read from sorted */
    uint64_t buf_bytes, max_buf_bytes;
    Batch *pool[POOLED_BATCHES];
    int npool;
    uint64_t next;             /* next row to emit */
    uint64_t ps, pe, peer_start, peer_end;
    Batch out;
    MemoryHold hold;
} WindowStream;

static const Vector *row_at(const WindowStream *st, uint64_t j, int column, uint32_t *slot)
{
    *slot = (uint32_t)(j % VECTOR_CAPACITY);
    return st->buf[j / VECTOR_CAPACITY - st->first_chunk]->cols[column];
}

static const Batch *row_batch(const WindowStream *st, uint64_t j, uint32_t *slot)
{
    *slot = (uint32_t)(j % VECTOR_CAPACITY);
    return st->buf[j / VECTOR_CAPACITY - st->first_chunk];
}

static bool too_far_error(const WindowStream *st, const WindowFunc *f, Error *err)
{
    char text[32];
    spill_format_size((uint64_t)st->base.ctx->memory_limit, text, sizeof text);
    return error_set(err, ERR_DATA,
                     "window function %s over a window partition larger than memory_limit (%s) reaches more rows "
                     "away from the current row than fit in memory; raise memory_limit",
                     window_func_name(f), text);
}

/* Read sorted rows until rows [.., upto) are buffered; f names the function that needs them. */
static bool ensure_loaded(WindowStream *st, uint64_t upto, const WindowFunc *f, Error *err)
{
    while (st->loaded < upto) {
        if (st->nbuf >= 3 && st->buf_bytes > st->max_buf_bytes) return too_far_error(st, f, err);
        Batch *b = st->npool > 0 ? st->pool[--st->npool] : NULL;
        if (b == NULL) {
            b = mem_alloc(sizeof *b);
            batch_init(b, st->ninput, st->input_types, VECTOR_CAPACITY);
        }
        bool ok = spill_read(st->sorted, b, err);
        if (!ok || b->count == 0) {
            batch_destroy(b);
            mem_free(b);
            return ok ? error_set(err, ERR_INTERNAL, "window stream: sorted rows are missing") : false;
        }
        if (st->nbuf == st->cap_buf) {
            st->cap_buf = st->cap_buf ? st->cap_buf * 2 : 8;
            st->buf = mem_realloc(st->buf, sizeof(Batch *) * (size_t)st->cap_buf);
        }
        st->buf[st->nbuf++] = b;
        st->loaded += b->count;
        st->buf_bytes += batch_bytes_reserved(b);
    }
    (void)memory_hold_update(st->base.ctx, &st->hold, st->buf_bytes, UINT64_MAX);
    exec_note_memory(&st->base, st->buf_bytes);
    return true;
}

/* Drop the buffered batches wholly before row lo. */
static void evict_before(WindowStream *st, uint64_t lo)
{
    int drop = 0;
    while (drop < st->nbuf && (st->first_chunk + (uint64_t)drop + 1) * VECTOR_CAPACITY <= lo) drop++;
    if (drop == 0) return;
    for (int k = 0; k < drop; k++) {
        Batch *b = st->buf[k];
        st->buf_bytes -= batch_bytes_reserved(b);
        if (st->npool < POOLED_BATCHES) {
            batch_reset(b);
            st->pool[st->npool++] = b;
        } else {
            batch_destroy(b);
            mem_free(b);
        }
    }
    memmove(st->buf, st->buf + drop, sizeof(Batch *) * (size_t)(st->nbuf - drop));
    st->nbuf -= drop;
    st->first_chunk += (uint64_t)drop;
}

/* The first row any function may still read when computing rows from j on. */
static uint64_t oldest_needed(const WindowStream *st, uint64_t j)
{
    uint64_t lo = j;
    for (int i = 0; i < st->spec->nfuncs; i++) {
        const StreamFunc *sf = &st->funcs[i];
        uint64_t back = 0;
        if (sf->mode == SM_OFFSET) back = sf->max_back;
        if (sf->mode == SM_SLIDE) {
            const WindowFrame *fr = &sf->f->frame;
            if (fr->start == FRAME_OFFSET_PRECEDING) back = (uint64_t)fr->start_rows + 1;
            else if (fr->start != FRAME_UNBOUNDED_PRECEDING && fr->start != FRAME_UNBOUNDED_FOLLOWING) back = 1;
        }
        uint64_t need = back > j ? 0 : j - back;
        if (need < lo) lo = need;
    }
    return lo;
}

/* ---- step 1 and 2: sort, then count and summarise ---- */

/* Are row ra of a and row rb of b in the same partition? */
static bool same_partition(const WindowSpec *w, const Batch *a, uint32_t ra, const Batch *b, uint32_t rb)
{
    for (int k = 0; k < w->npartition; k++)
        if (!hash_values_equal(a->cols[w->partition[k]], ra, b->cols[w->partition[k]], rb)) return false;
    return true;
}

/* Do they have equal ORDER BY keys (NULLs equal)? */
static bool same_peers(const WindowSpec *w, const Batch *a, uint32_t ra, const Batch *b, uint32_t rb)
{
    for (int k = 0; k < w->norder; k++)
        if (!hash_values_equal(a->cols[w->order[k].column], ra, b->cols[w->order[k].column], rb)) return false;
    return true;
}

static bool end_peer_group(WindowStream *st, uint64_t rows, Error *err)
{
    if (st->need_peers && !group_stream_put_count(&st->peer_groups, rows, err)) return false;
    for (int i = 0; i < st->spec->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        if (sf->mode != SM_PEER_GROUP) continue;
        uint32_t slot;
        Vector *v = group_stream_slot(&sf->groups, &slot, err);
        if (v == NULL || !accum_result(&sf->acc, sf->f, v, slot, err)) return false;
    }
    return true;
}

static bool end_partition(WindowStream *st, uint64_t rows, Error *err)
{
    if (!group_stream_put_count(&st->partitions, rows, err)) return false;
    for (int i = 0; i < st->spec->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        if (sf->mode == SM_PARTITION_GROUP || sf->mode == SM_PARTITION_LAST) {
            uint32_t slot;
            Vector *v = group_stream_slot(&sf->groups, &slot, err);
            if (v == NULL || !accum_result(&sf->acc, sf->f, v, slot, err)) return false;
        }
        accum_reset(&sf->acc);
    }
    return true;
}

/* Count and summarise the sorted rows of sort, writing them to st->sorted. */
static bool count_sorted(WindowStream *st, ExecNode *sort, Batch *staging, Batch *last, Error *err)
{
    const WindowSpec *w = st->spec;
    uint64_t part_rows = 0, peer_rows = 0;
    for (;;) {
        Batch *in;
        if (!exec_next(sort, &in, err)) return false;
        if (in->count == 0) break;
        for (uint32_t i = 0; i < in->count; i++) {
            uint32_t r = batch_row(in, i);
            if (st->total > 0) {
                const Batch *pb = i > 0 ? in : last;
                uint32_t pr = i > 0 ? batch_row(in, i - 1) : 0;
                bool new_partition = !same_partition(w, pb, pr, in, r);
                if (new_partition || !same_peers(w, pb, pr, in, r)) {
                    if (!end_peer_group(st, peer_rows, err)) return false;
                    peer_rows = 0;
                }
                if (new_partition) {
                    if (!end_partition(st, part_rows, err)) return false;
                    part_rows = 0;
                }
            }
            for (int f = 0; f < w->nfuncs; f++) {
                StreamFunc *sf = &st->funcs[f];
                if ((sf->mode == SM_PEER_GROUP || sf->mode == SM_PARTITION_GROUP || sf->mode == SM_PARTITION_LAST) &&
                    !accum_add(&sf->acc, sf->f, in, r, err))
                    return false;
            }
            part_rows++;
            peer_rows++;
            st->total++;
        }
        /* the last row, for comparing with the next batch's first */
        uint32_t lr = batch_row(in, in->count - 1);
        for (int c = 0; c < st->ninput; c++) {
            vector_reset(last->cols[c]);
            vector_copy(last->cols[c], 0, in->cols[c], &lr, 1);
        }
        /* the rows, in full batches (streaming finds row j in batch j / VECTOR_CAPACITY) */
        for (uint32_t from = 0; from < in->count;) {
            uint32_t n = in->count - from;
            if (n > VECTOR_CAPACITY - staging->count) n = VECTOR_CAPACITY - staging->count;
            batch_append(staging, in, from, n);
            from += n;
            if (staging->count == VECTOR_CAPACITY) {
                if (!spill_write(st->sorted, staging, err)) return false;
                batch_reset(staging);
            }
        }
    }
    if (st->total > 0 && (!end_peer_group(st, peer_rows, err) || !end_partition(st, part_rows, err))) return false;
    if (staging->count > 0 && !spill_write(st->sorted, staging, err)) return false;
    return true;
}

/* Steps 1 and 2. */
static bool sort_and_count(WindowStream *st, Error *err)
{
    ExecContext *ctx = st->base.ctx;
    ExecNode *sort = op_sort_create(&st->sort_plan, st->input, ctx, err);
    if (sort == NULL) return false;
    sort->plan = &st->sort_plan;
    sort->child = st->input;
    sort->ctx = ctx;
    st->input = NULL; /* the sort closes it */
    st->sorted = spill_create(ctx->temp_directory, err);
    bool ok = st->sorted != NULL && group_stream_open(&st->partitions, ctx->temp_directory, type_make(TYPE_BIGINT), err) &&
              (!st->need_peers || group_stream_open(&st->peer_groups, ctx->temp_directory, type_make(TYPE_BIGINT), err));
    for (int i = 0; ok && i < st->spec->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        if (sf->mode == SM_PEER_GROUP || sf->mode == SM_PARTITION_GROUP || sf->mode == SM_PARTITION_LAST)
            ok = group_stream_open(&sf->groups, ctx->temp_directory, sf->f->result_type, err);
    }
    if (ok) {
        Batch staging, last;
        batch_init(&staging, st->ninput, st->input_types, VECTOR_CAPACITY);
        batch_init(&last, st->ninput, st->input_types, 1);
        ok = count_sorted(st, sort, &staging, &last, err);
        batch_destroy(&staging);
        batch_destroy(&last);
    }
    exec_close(sort); /* frees the sort's memory before streaming */
    if (!ok) return false;
    __atomic_add_fetch(&ctx->spilled_bytes, spill_bytes(st->sorted), __ATOMIC_RELAXED);
    if (!spill_rewind(st->sorted, err) || !group_stream_finish(&st->partitions, ctx, err)) return false;
    if (st->need_peers && !group_stream_finish(&st->peer_groups, ctx, err)) return false;
    for (int i = 0; i < st->spec->nfuncs; i++)
        if (st->funcs[i].groups.file && !group_stream_finish(&st->funcs[i].groups, ctx, err)) return false;
    st->counted = true;
    return true;
}

/* ---- step 3: streaming ---- */

static void copy_row(Vector *out, uint32_t slot, const WindowStream *st, uint64_t j, int column)
{
    uint32_t r;
    const Vector *v = row_at(st, j, column, &r);
    vector_copy(out, slot, v, &r, 1);
}

static void start_partition(StreamFunc *sf, uint64_t ps)
{
    sf->dense = 0;
    sf->ntile_started = false;
    sf->agg_a = sf->agg_b = sf->pushed = sf->last_start = ps;
    sf->count = 0;
    sf->sum = 0;
    sf->dsum = 0;
    sf->head = sf->tail = 0;
    accum_reset(&sf->acc);
}

static void deque_push(StreamFunc *sf, uint64_t row)
{
    if (sf->tail == sf->deque_cap) {
        if (sf->head > 0) {
            memmove(sf->deque, sf->deque + sf->head, sizeof(uint64_t) * (size_t)(sf->tail - sf->head));
            sf->tail -= sf->head;
            sf->head = 0;
        } else {
            sf->deque_cap = sf->deque_cap ? sf->deque_cap * 2 : 1024;
            sf->deque = mem_realloc(sf->deque, sizeof(uint64_t) * (size_t)sf->deque_cap);
        }
    }
    sf->deque[sf->tail++] = row;
}

/* A ROWS-frame function at row j (frames only move forward; see the header). */
static bool slide_row(WindowStream *st, StreamFunc *sf, uint64_t j, uint32_t slot, Error *err)
{
    const WindowFunc *f = sf->f;
    uint64_t a, b;
    rows_frame(&f->frame, j, st->ps, st->pe, &a, &b);
    bool from_start = f->frame.start == FRAME_UNBOUNDED_PRECEDING;
    if (f->kind == WIN_FIRST_VALUE || f->kind == WIN_LAST_VALUE || f->kind == WIN_NTH_VALUE) {
        uint64_t target = f->kind == WIN_FIRST_VALUE ? a : b - 1;
        if (f->kind == WIN_NTH_VALUE) {
            uint32_t r;
            const Vector *v = row_at(st, j, f->arg[1], &r);
            if (!vector_is_valid(v, r)) {
                vector_set_null(sf->result, slot);
                return true;
            }
            int64_t nth = VEC_DATA(v, int32_t)[r];
            if (nth <= 0) return error_set(err, ERR_DATA, "argument of nth_value must be greater than zero");
            if (a >= b || (uint64_t)(nth - 1) >= b - a) {
                vector_set_null(sf->result, slot);
                return true;
            }
            target = a + (uint64_t)(nth - 1);
        }
        if (a >= b) {
            vector_set_null(sf->result, slot);
        } else if (f->kind == WIN_FIRST_VALUE && from_start) {
            uint32_t zero = 0; /* the partition's first value, kept since its row may be gone */
            vector_copy(sf->result, slot, sf->acc.value, &zero, 1);
        } else {
            if (!ensure_loaded(st, target + 1, f, err)) return false;
            if (target < st->first_chunk * VECTOR_CAPACITY) return too_far_error(st, f, err);
            copy_row(sf->result, slot, st, target, f->arg[0]);
        }
        return true;
    }
    if (!ensure_loaded(st, b, f, err)) return false;
    uint64_t oldest = st->first_chunk * VECTOR_CAPACITY;
    switch (f->agg) {
    case AGG_MIN:
    case AGG_MAX:
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        if (from_start) {
            /* nothing leaves the frame: a running best */
            for (; sf->agg_b < b; sf->agg_b++) {
                uint32_t r;
                const Batch *rb = row_batch(st, sf->agg_b, &r);
                if (!accum_add(&sf->acc, f, rb, r, err)) return false;
            }
            return accum_result(&sf->acc, f, sf->result, slot, err);
        }
        int want = best_direction(f);
        if (a < sf->last_start || b < sf->pushed) sf->head = sf->tail = 0, sf->pushed = a;
        sf->last_start = a;
        if (sf->pushed < a) sf->pushed = a;
        for (; sf->pushed < b; sf->pushed++) {
            uint32_t r;
            const Batch *rb = row_batch(st, sf->pushed, &r);
            if (!row_counts(f, rb, r)) continue;
            const Vector *nv = rb->cols[f->arg[0]];
            while (sf->tail > sf->head) {
                uint32_t ts;
                const Vector *tv = row_at(st, sf->deque[sf->tail - 1], f->arg[0], &ts);
                if (sort_compare_slots(nv, r, tv, ts) * want >= 0) sf->tail--;
                else break;
            }
            deque_push(sf, sf->pushed);
        }
        while (sf->head < sf->tail && sf->deque[sf->head] < a) sf->head++;
        if (sf->head == sf->tail) vector_set_null(sf->result, slot);
        else copy_row(sf->result, slot, st, sf->deque[sf->head], f->arg[0]);
        return true;
    }
    default: break;
    }
    if (f->arg_type.id == TYPE_DOUBLE && (f->agg == AGG_SUM || f->agg == AGG_AVG)) {
        /* PostgreSQL's order: restart from the new start when it moves */
        if (a != sf->agg_a || b < sf->agg_b) {
            sf->agg_a = sf->agg_b = a;
            sf->dsum = 0;
            sf->count = 0;
        }
    } else if (a >= sf->agg_b || a < sf->agg_a || b < sf->agg_b) {
        sf->agg_a = sf->agg_b = a;
        sf->sum = 0;
        sf->count = 0;
    } else {
        /* exact values: take the rows that left the frame out again */
        for (; sf->agg_a < a; sf->agg_a++) {
            if (sf->agg_a < oldest) return error_set(err, ERR_INTERNAL, "window stream: a frame row is gone");
            uint32_t r;
            const Batch *rb = row_batch(st, sf->agg_a, &r);
            if (!row_counts(f, rb, r)) continue;
            sf->count--;
            if (f->agg == AGG_SUM || f->agg == AGG_AVG) sf->sum -= window_exact_value(f, rb->cols[f->arg[0]], r);
        }
    }
    if (sf->agg_b < oldest) return error_set(err, ERR_INTERNAL, "window stream: a frame row is gone");
    for (; sf->agg_b < b; sf->agg_b++) {
        uint32_t r;
        const Batch *rb = row_batch(st, sf->agg_b, &r);
        if (!row_counts(f, rb, r)) continue;
        sf->count++;
        if (f->agg == AGG_SUM || f->agg == AGG_AVG) {
            const Vector *v = rb->cols[f->arg[0]];
            if (f->arg_type.id == TYPE_DOUBLE) sf->dsum += VEC_DATA(v, double)[r];
            else if (__builtin_add_overflow(sf->sum, window_exact_value(f, v, r), &sf->sum))
                return error_set(err, ERR_DATA, "numeric field overflow in %s", aggregate_name(f->agg));
        }
    }
    return store_sum(f, sf->result, slot, sf->count, sf->sum, sf->dsum, err);
}

static bool offset_row(WindowStream *st, StreamFunc *sf, uint64_t j, uint32_t slot, Error *err)
{
    const WindowFunc *f = sf->f;
    int64_t offset = 1;
    if (f->arg[1] >= 0) {
        uint32_t r;
        const Vector *v = row_at(st, j, f->arg[1], &r);
        if (!vector_is_valid(v, r)) {
            vector_set_null(sf->result, slot);
            return true;
        }
        offset = VEC_DATA(v, int32_t)[r];
    }
    int64_t back = f->kind == WIN_LAG ? offset : -offset;
    /* keep that many rows behind from now on, even if this row's target lies before its partition */
    if (back > 0 && (uint64_t)back > sf->max_back) sf->max_back = (uint64_t)back;
    int64_t target = (int64_t)j - back;
    if (target >= (int64_t)st->ps && target < (int64_t)st->pe) {
        uint64_t t = (uint64_t)target;
        if (!ensure_loaded(st, t + 1, f, err)) return false;
        if (t < st->first_chunk * VECTOR_CAPACITY) return too_far_error(st, f, err);
        copy_row(sf->result, slot, st, t, f->arg[0]);
    } else if (f->arg[2] >= 0) {
        copy_row(sf->result, slot, st, j, f->arg[2]);
    } else {
        vector_set_null(sf->result, slot);
    }
    return true;
}

static bool ntile_row(WindowStream *st, StreamFunc *sf, uint64_t j, uint32_t slot, Error *err)
{
    /* PostgreSQL's window_ntile, as op_window.c */
    int64_t n = (int64_t)(st->pe - st->ps);
    if (!sf->ntile_started) {
        uint32_t r;
        const Vector *v = row_at(st, j, sf->f->arg[0], &r);
        if (!vector_is_valid(v, r)) {
            vector_set_null(sf->result, slot);
            return true;
        }
        int64_t buckets = VEC_DATA(v, int32_t)[r];
        if (buckets <= 0) return error_set(err, ERR_DATA, "argument of ntile must be greater than zero");
        sf->ntile_started = true;
        sf->bucket = 1;
        sf->rows_in_bucket = 0;
        sf->remainder = 0;
        sf->boundary = n / buckets;
        if (sf->boundary <= 0) sf->boundary = 1;
        else {
            sf->remainder = n % buckets;
            if (sf->remainder != 0) sf->boundary++;
        }
    }
    sf->rows_in_bucket++;
    if (sf->boundary < sf->rows_in_bucket) {
        if (sf->remainder != 0 && sf->bucket == sf->remainder) {
            sf->remainder = 0;
            sf->boundary--;
        }
        sf->bucket++;
        sf->rows_in_bucket = 1;
    }
    VEC_DATA(sf->result, int32_t)[slot] = (int32_t)sf->bucket;
    return true;
}

/* Every function's result for row j into output slot. */
static bool stream_row(WindowStream *st, uint64_t j, uint32_t slot, Error *err)
{
    const WindowSpec *w = st->spec;
    if (j == st->pe) {
        uint64_t n;
        if (!group_stream_next_count(&st->partitions, &n, err)) return false;
        st->ps = j;
        st->pe = j + n;
        st->peer_end = j;
        for (int i = 0; i < w->nfuncs; i++) {
            StreamFunc *sf = &st->funcs[i];
            start_partition(sf, j);
            if ((sf->mode == SM_PARTITION_GROUP || sf->mode == SM_PARTITION_LAST) &&
                !group_stream_next(&sf->groups, &sf->group_value, &sf->group_slot, err))
                return false;
            if (sf->mode == SM_SLIDE && sf->f->kind == WIN_FIRST_VALUE) {
                uint32_t r;
                const Vector *v = row_at(st, j, sf->f->arg[0], &r);
                keep_value(&sf->acc, v, r);
            }
        }
    }
    if (st->need_peers && j == st->peer_end) {
        uint64_t n;
        if (!group_stream_next_count(&st->peer_groups, &n, err)) return false;
        st->peer_start = j;
        st->peer_end = j + n;
        for (int i = 0; i < w->nfuncs; i++) {
            StreamFunc *sf = &st->funcs[i];
            sf->dense++;
            if (sf->mode == SM_PEER_GROUP && !group_stream_next(&sf->groups, &sf->group_value, &sf->group_slot, err))
                return false;
        }
    }
    uint64_t n = st->pe - st->ps;
    for (int i = 0; i < w->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        switch (sf->mode) {
        case SM_ROW_NUMBER: VEC_DATA(sf->result, int64_t)[slot] = (int64_t)(j - st->ps) + 1; break;
        case SM_RANK: VEC_DATA(sf->result, int64_t)[slot] = (int64_t)(st->peer_start - st->ps) + 1; break;
        case SM_DENSE_RANK: VEC_DATA(sf->result, int64_t)[slot] = sf->dense; break;
        case SM_PERCENT_RANK:
            VEC_DATA(sf->result, double)[slot] = n <= 1 ? 0.0 : (double)(st->peer_start - st->ps) / (double)(n - 1);
            break;
        case SM_CUME_DIST: VEC_DATA(sf->result, double)[slot] = (double)(st->peer_end - st->ps) / (double)n; break;
        case SM_NTILE:
            if (!ntile_row(st, sf, j, slot, err)) return false;
            break;
        case SM_OFFSET:
            if (!offset_row(st, sf, j, slot, err)) return false;
            break;
        case SM_PARTITION_LAST: {
            uint64_t a, b;
            rows_frame(&sf->f->frame, j, st->ps, st->pe, &a, &b);
            if (a >= b) {
                vector_set_null(sf->result, slot);
                break;
            }
        }
            /* fall through */
        case SM_PEER_GROUP:
        case SM_PARTITION_GROUP: vector_copy(sf->result, slot, sf->group_value, &sf->group_slot, 1); break;
        case SM_SLIDE:
            if (!slide_row(st, sf, j, slot, err)) return false;
            break;
        case SM_UNSUPPORTED: return error_set(err, ERR_INTERNAL, "window stream: unsupported function");
        }
    }
    return true;
}

static bool stream_next(ExecNode *node, Batch **out, Error *err)
{
    WindowStream *st = (WindowStream *)node;
    if (!st->counted && !sort_and_count(st, err)) return false;
    *out = &st->out;
    st->out.count = 0;
    st->out.sel = NULL;
    if (st->next >= st->total) return true;
    /* one output batch = one buffered batch of sorted rows */
    evict_before(st, oldest_needed(st, st->next));
    uint64_t chunk = st->next / VECTOR_CAPACITY;
    uint64_t end = (chunk + 1) * VECTOR_CAPACITY;
    if (end > st->total) end = st->total;
    if (!ensure_loaded(st, end, &st->spec->funcs[0], err)) return false;
    for (int i = 0; i < st->spec->nfuncs; i++) vector_reset(st->funcs[i].result);
    uint32_t n = (uint32_t)(end - st->next);
    for (uint32_t k = 0; k < n; k++)
        if (!stream_row(st, st->next + k, k, err)) return false;
    const Batch *rows = st->buf[chunk - st->first_chunk];
    for (int c = 0; c < st->ninput; c++) st->out.cols[c] = rows->cols[c];
    for (int i = 0; i < st->spec->nfuncs; i++) st->out.cols[st->ninput + i] = st->funcs[i].result;
    st->out.count = n;
    st->next = end;
    return true;
}

static void stream_close(ExecNode *node)
{
    WindowStream *st = (WindowStream *)node;
    memory_hold_release(node->ctx, &st->hold);
    exec_close(st->input);
    spill_close(st->sorted);
    group_stream_close(&st->partitions);
    group_stream_close(&st->peer_groups);
    for (int i = 0; i < st->spec->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        group_stream_close(&sf->groups);
        vector_free(sf->acc.value);
        vector_free(sf->result);
        mem_free(sf->deque);
    }
    mem_free(st->funcs);
    for (int k = 0; k < st->nbuf; k++) {
        batch_destroy(st->buf[k]);
        mem_free(st->buf[k]);
    }
    mem_free(st->buf);
    for (int k = 0; k < st->npool; k++) {
        batch_destroy(st->pool[k]);
        mem_free(st->pool[k]);
    }
    batch_destroy(&st->out);
    mem_free(st->sort_keys);
    mem_free(st);
}

static const ExecNodeOps stream_ops = {stream_next, stream_close};

/* ---- the input: the buffered rows, then the rest of the child ---- */

typedef struct ConcatInput {
    ExecNode base;
    ExecNode *first; /* owned; NULL once exhausted */
    ExecNode *rest;  /* borrowed */
} ConcatInput;

static bool concat_next(ExecNode *node, Batch **out, Error *err)
{
    ConcatInput *c = (ConcatInput *)node;
    if (c->first) {
        if (!exec_next(c->first, out, err)) return false;
        if ((*out)->count > 0) return true;
        exec_close(c->first);
        c->first = NULL;
    }
    return exec_next(c->rest, out, err);
}

static void concat_close(ExecNode *node)
{
    ConcatInput *c = (ConcatInput *)node;
    exec_close(c->first);
    mem_free(c);
}

static const ExecNodeOps concat_ops = {concat_next, concat_close};

ExecNode *window_stream_create(const PlanNode *plan, SpillFile *buffered, ExecNode *rest, ExecContext *ctx)
{
    const PlanNode *child = plan->child;
    ConcatInput *input = mem_calloc(1, sizeof *input);
    input->base.ops = &concat_ops;
    input->base.ctx = ctx;
    input->first = spill_scan_create(buffered, child->ncols, child->types, ctx);
    input->rest = rest;

    WindowStream *st = mem_calloc(1, sizeof *st);
    st->base.ops = &stream_ops;
    st->base.plan = plan;
    st->base.ctx = ctx;
    st->spec = plan->window;
    st->ninput = child->ncols;
    st->input_types = child->types;
    st->input = &input->base;
    const WindowSpec *w = st->spec;
    /* the sort: partition keys (any order groups them), then the window order */
    st->sort_keys = mem_calloc((size_t)(w->npartition + w->norder) + 1, sizeof(SortKey));
    for (int k = 0; k < w->npartition; k++) st->sort_keys[k].column = w->partition[k];
    for (int k = 0; k < w->norder; k++) st->sort_keys[w->npartition + k] = w->order[k];
    st->sort_plan.kind = PLAN_SORT;
    st->sort_plan.ncols = child->ncols;
    st->sort_plan.types = child->types;
    st->sort_plan.keys = st->sort_keys;
    st->sort_plan.nkeys = w->npartition + w->norder;
    st->funcs = mem_calloc((size_t)w->nfuncs + 1, sizeof(StreamFunc));
    for (int i = 0; i < w->nfuncs; i++) {
        StreamFunc *sf = &st->funcs[i];
        sf->f = &w->funcs[i];
        sf->mode = stream_mode(sf->f);
        if (sf->mode == SM_RANK || sf->mode == SM_DENSE_RANK || sf->mode == SM_PERCENT_RANK ||
            sf->mode == SM_CUME_DIST || sf->mode == SM_PEER_GROUP)
            st->need_peers = true;
        LogicalType value_type = sf->f->arg[0] >= 0 ? child->types[sf->f->arg[0]] : type_make(TYPE_BIGINT);
        sf->acc.value = vector_new(value_type, 1);
        sf->result = vector_new(sf->f->result_type, VECTOR_CAPACITY);
    }
    /* streaming starts after the sort has freed its memory: the buffer may take the limit */
    st->max_buf_bytes = ctx->memory_limit > 0 ? (uint64_t)ctx->memory_limit : UINT64_MAX;
    batch_init_borrowed(&st->out, plan->ncols);
    return &st->base;
}
