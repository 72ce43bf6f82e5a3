/* exec: building execution trees from plans, and EXPLAIN text (see exec.h). */
#include "exec/exec.h"

#include <inttypes.h>

#include "common/strbuf.h"
#include "exec/expr_text.h"
#include "exec/scan_provider.h"
#include "exec/window.h"

ExecNode *exec_build(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    ExecNode *child = NULL;
    if (plan->kind == PLAN_GATHER) {
        /* the gather builds one copy of its subtree per worker */
        ExecNode *g = op_gather_create(plan, ctx, err);
        if (g) {
            g->plan = plan;
            g->child = NULL;
            g->ctx = ctx;
            g->stats = ctx->profile ? exec_profile_node(ctx->profile, plan) : NULL;
        }
        return g;
    }
    if (plan->child) {
        child = exec_build(plan->child, ctx, err);
        if (child == NULL) return NULL;
    }
    ExecNode *node = NULL;
    switch (plan->kind) {
    case PLAN_ONE_ROW: node = op_one_row_create(plan, ctx, err); break;
    case PLAN_VALUES: node = op_values_create(plan, ctx, err); break;
    case PLAN_TABLE_SCAN: node = op_table_scan_create(plan, ctx, err); break;
    case PLAN_CSV_SCAN: node = op_csv_scan_create(plan, ctx, err); break;
    case PLAN_FILTER: node = op_filter_create(plan, child, ctx, err); break;
    case PLAN_PROJECT: node = op_project_create(plan, child, ctx, err); break;
    case PLAN_LIMIT: node = op_limit_create(plan, child, ctx, err); break;
    case PLAN_SORT: node = op_sort_create(plan, child, ctx, err); break;
    case PLAN_AGGREGATE: node = op_hash_aggregate_create(plan, child, ctx, err); break;
    case PLAN_HASH_JOIN: node = op_hash_join_create(plan, child, ctx, err); break;
    case PLAN_GATHER: break;
    case PLAN_EXTERNAL_SCAN: node = plan->provider->create(plan, ctx, err); break;
    case PLAN_UNION: node = op_union_create(plan, child, ctx, err); break;
    case PLAN_SETOP: node = op_setop_create(plan, child, ctx, err); break;
    case PLAN_UNIQUE: node = op_unique_create(plan, child, ctx, err); break;
    case PLAN_WINDOW: node = op_window_create(plan, child, ctx, err); break;
    }
    if (node == NULL) {
        exec_close(child);
        return NULL;
    }
    node->plan = plan;
    node->child = child;
    node->ctx = ctx;
    node->stats = ctx->profile ? exec_profile_node(ctx->profile, plan) : NULL;
    return node;
}

bool exec_next(ExecNode *node, Batch **out, Error *err)
{
    if (node->stats) return exec_next_profiled(node, out, err);
    return node->ops->next(node, out, err);
}

void exec_close(ExecNode *node)
{
    if (node == NULL) return;
    ExecNode *child = node->child;
    node->ops->close(node);
    exec_close(child);
}

void plan_release(PlanNode *plan)
{
    if (plan == NULL) return;
    expr_release(plan->predicate);
    for (int i = 0; plan->exprs && i < plan->ncols; i++) expr_release(plan->exprs[i]);
    for (int64_t r = 0; plan->rows && r < plan->nrows; r++)
        for (int c = 0; c < plan->ncols; c++) expr_release(plan->rows[r][c]);
    plan_release(plan->child);
    plan_release(plan->right);
}

static const char *plan_kind_name(PlanKind k)
{
    switch (k) {
    case PLAN_ONE_ROW: return "ONE_ROW";
    case PLAN_VALUES: return "VALUES";
    case PLAN_TABLE_SCAN: return "TABLE_SCAN";
    case PLAN_CSV_SCAN: return "READ_CSV";
    case PLAN_FILTER: return "FILTER";
    case PLAN_PROJECT: return "PROJECTION";
    case PLAN_LIMIT: return "LIMIT";
    case PLAN_SORT: return "ORDER_BY";
    case PLAN_AGGREGATE: return "HASH_GROUP_BY";
    case PLAN_HASH_JOIN: return "HASH_JOIN";
    case PLAN_GATHER: return "GATHER";
    case PLAN_EXTERNAL_SCAN: return "EXTERNAL_SCAN";
    case PLAN_UNION: return "UNION_ALL";
    case PLAN_SETOP: return "HASH_SETOP";
    case PLAN_UNIQUE: return "UNIQUE";
    case PLAN_WINDOW: return "WINDOW";
    }
    return "?";
}

/* "12.345 ms" style text of a duration. */
static void put_millis(StrBuf *out, const char *label, uint64_t nanos)
{
    strbuf_printf(out, " %s=%.3f ms", label, (double)nanos / 1e6);
}

/* "1.5 MB" style text of a byte count. */
static void put_bytes(StrBuf *out, const char *label, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0) strbuf_printf(out, " %s=%" PRIu64 " bytes", label, bytes);
    else strbuf_printf(out, " %s=%.1f %s", label, v, units[u]);
}

/* EXPLAIN ANALYZE's figures of one node: rows, inclusive time and self
 * time (inclusive minus the children's; the children of a GATHER run on
 * the workers, whose times are summed, so a GATHER shows only its own
 * wall-clock time), the peak memory the operator reported. */
static void explain_stats(const PlanNode *p, const ExecProfile *profile, bool timing, StrBuf *out)
{
    const ExecNodeStats *st = exec_profile_find(profile, p);
    if (st == NULL) {
        strbuf_puts(out, " (never executed)");
        return;
    }
    strbuf_printf(out, " (rows=%" PRIu64, st->rows);
    if (timing) {
        put_millis(out, "time", st->nanos);
        if (p->kind != PLAN_GATHER) {
            uint64_t children = 0;
            /* a shared-build join's right side runs in the gather, before the join's workers start */
            const PlanNode *kids[2] = {p->child, p->join_shared_build ? NULL : p->right};
            for (int i = 0; i < 2; i++) {
                const ExecNodeStats *k = kids[i] ? exec_profile_find(profile, kids[i]) : NULL;
                if (k) children += k->nanos;
            }
            put_millis(out, "self", st->nanos > children ? st->nanos - children : 0);
        }
        if (st->instances > 1) strbuf_printf(out, " loops=%" PRIu64, st->instances);
        if (st->peak_memory > 0) put_bytes(out, "memory", st->peak_memory);
    }
    strbuf_puts(out, ")");
}

static void explain_node(const PlanNode *p, const ExplainOptions *opts, StrBuf *out, int depth)
{
    const ExecProfile *profile = opts ? opts->profile : NULL;
    for (int i = 0; i < depth; i++) strbuf_puts(out, "  ");
    strbuf_puts(out, p->kind == PLAN_EXTERNAL_SCAN ? p->provider->name : plan_kind_name(p->kind));
    switch (p->kind) {
    case PLAN_LIMIT:
        if (p->limit >= 0) strbuf_printf(out, " limit=%" PRId64, p->limit);
        if (p->offset > 0) strbuf_printf(out, " offset=%" PRId64, p->offset);
        break;
    case PLAN_VALUES: strbuf_printf(out, " rows=%" PRId64, p->nrows); break;
    case PLAN_SORT:
        strbuf_puts(out, " keys=");
        for (int k = 0; k < p->nkeys; k++)
            strbuf_printf(out, "%s#%d%s", k ? "," : "", p->keys[k].column, p->keys[k].descending ? " DESC" : "");
        break;
    case PLAN_AGGREGATE:
        strbuf_printf(out, " groups=%d aggregates=", p->ngroups);
        for (int a = 0; a < p->naggs; a++)
            strbuf_printf(out, "%s%s(%s#%d)", a ? "," : "", aggregate_name(p->aggs[a].kind),
                          p->aggs[a].distinct ? "DISTINCT " : "", p->aggs[a].input);
        break;
    case PLAN_GATHER: strbuf_printf(out, " workers=%d", p->workers); break;
    case PLAN_SETOP: {
        static const char *const setops[] = {"INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL"};
        strbuf_printf(out, " %s", setops[p->setop]);
        break;
    }
    case PLAN_UNIQUE:
        strbuf_puts(out, " keys=");
        for (int k = 0; k < p->nkeys; k++) strbuf_printf(out, "%s#%d", k ? "," : "", p->keys[k].column);
        break;
    case PLAN_WINDOW: window_explain(p->window, out); break;
    case PLAN_EXTERNAL_SCAN:
        if (p->provider->explain) p->provider->explain(p, out);
        if (p->nscan_filters > 0) strbuf_printf(out, " filter_hints=%d", p->nscan_filters);
        break;
    case PLAN_HASH_JOIN: {
        static const char *const names[] = {"INNER", "LEFT", "RIGHT", "FULL", "SEMI", "ANTI"};
        strbuf_printf(out, " %s", names[p->join_type]);
        if (p->njoin_keys == 0) strbuf_puts(out, " nested-loop");
        for (int k = 0; k < p->njoin_keys; k++)
            strbuf_printf(out, "%s#%d=#%d", k ? "," : " keys=", p->left_keys[k], p->right_keys[k]);
        if (p->predicate) strbuf_puts(out, " +condition");
        if (p->join_shared_build) strbuf_puts(out, " shared-build");
        break;
    }
    default: break;
    }
    strbuf_puts(out, " [");
    for (int c = 0; c < p->ncols; c++) {
        char tn[64];
        strbuf_printf(out, "%s%s %s", c ? ", " : "", p->names && p->names[c] ? p->names[c] : "?",
                      type_display_name(p->types[c], tn, sizeof tn));
    }
    strbuf_puts(out, "]");
    if (opts && opts->verbose && p->predicate) {
        strbuf_puts(out, p->kind == PLAN_HASH_JOIN ? " condition=" : " predicate=");
        expr_text(p->predicate, out);
    }
    if (opts && opts->verbose) {
        for (int i = 0; i < p->nscan_filters; i++) {
            strbuf_puts(out, i == 0 ? " hints=" : ", ");
            expr_text(p->scan_filters[i], out);
        }
    }
    if (profile) explain_stats(p, profile, opts->timing, out);
    strbuf_puts(out, "\n");
    if (p->child) explain_node(p->child, opts, out, depth + 1);
    if (p->right) explain_node(p->right, opts, out, depth + 1);
}

void plan_explain(const PlanNode *plan, StrBuf *out) { explain_node(plan, NULL, out, 0); }

void plan_explain_with(const PlanNode *plan, const ExplainOptions *opts, StrBuf *out)
{
    explain_node(plan, opts, out, 0);
}
