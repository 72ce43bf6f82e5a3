/* exec: building execution trees from plans, and EXPLAIN text (see exec.h). */
#include "exec/exec.h"

#include <inttypes.h>

#include "common/strbuf.h"
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
    return node;
}

bool exec_next(ExecNode *node, Batch **out, Error *err) { return node->ops->next(node, out, err); }

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

static void explain_node(const PlanNode *p, StrBuf *out, int depth)
{
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
    strbuf_puts(out, "]\n");
    if (p->child) explain_node(p->child, out, depth + 1);
    if (p->right) explain_node(p->right, out, depth + 1);
}

void plan_explain(const PlanNode *plan, StrBuf *out) { explain_node(plan, out, 0); }
