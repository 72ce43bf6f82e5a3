/* opt_cse: common subexpressions of a select list computed once.
 *
 * TPC-H Q1 sums `price * (1 - disc)` and `price * (1 - disc) * (1 + tax)`;
 * ETL select lists repeat a cast, a trim(lower(x)) or a date_trunc in
 * several columns.  For every PROJECTION this pass finds the subexpressions
 * that its expressions evaluate more than once on every row, and computes
 * each of them once, in an extra PROJECTION just below that passes the
 * input columns through and appends one column per shared subexpression
 * (named cse0, cse1 ... in EXPLAIN); the expressions above read that column
 * instead.
 *
 * Why a projection below and not a shared ExprState that caches its result
 * per batch: the plan says what runs (EXPLAIN shows it, EXPLAIN ANALYZE
 * counts it), the evaluator and the operators stay as they are, column
 * pruning and the parallel chains under a GATHER take the new node like any
 * other projection, and the projection below gathers the input columns out
 * of a FILTER's selection once for everything above (exec/op_project.c).
 *
 * Which subexpressions.  The expressions are hash-consed bottom-up
 * (exec/expr_equal.h: same kind, type, function, arguments, constants by
 * value, columns by number) into classes; each class counts its
 * occurrences that are evaluated on all rows of the batch: the select
 * list's expressions themselves and, below them, every argument except the
 * lazily evaluated ones (the THEN/ELSE arms and later WHENs of a CASE, the
 * later operands of COALESCE, AND and OR, which run only on the rows still
 * undecided).  Occurrences in lazy positions are neither counted nor
 * replaced, so `CASE WHEN x <> 0 THEN 1 / x END` never computes 1 / x on
 * other rows.  Counting goes from the largest classes down (a parent is
 * always interned after its arguments): a class occurring at least twice is
 * shared and then hands its arguments one occurrence, not one per use, so
 * in Q1 `price * (1 - disc)` is shared and `1 - disc` inside it is not.
 * A class that reads no column (constants: folded by the binder, or an
 * error left for opt_fold.c), a plain column or constant, or anything that
 * calls a volatile function (one that reads the clock per batch, random,
 * nextval ...) is never shared.  A shared class may contain another (a*b
 * and a*b*c both repeated): it then reads that one's column, and the lower
 * projections stack by nesting level.
 *
 * Errors stay the same: a shared subexpression is computed on exactly the
 * rows where it was computed before (all of them), so it fails if and only
 * if it failed before, with the same message; the tree kept is its first
 * occurrence among those evaluated on every row, in evaluation order, so
 * the error carries that occurrence's position, as before.  What can change
 * is which of two failures in one batch is reported: the shared columns are
 * computed before the rest of the list, so when an earlier column (or an
 * earlier copy in a CASE arm that runs on the failing row) fails in the
 * same batch, the shared one's error now comes first.  Which of two errors
 * wins was already an artefact of evaluating a batch column by column
 * (PostgreSQL reports the first failing row's).

 * The pass runs after filter pushdown and the CSV cast rewrite (which look
 * for casts directly over scan columns) and before column pruning, which
 * removes the passed-through columns nobody above reads.  A second run
 * finds nothing more: the rewritten lists repeat no shared class.
 *
 * Memory: the class table and the new nodes live in the statement's arena;
 * linear in the size of the expressions. */
#include <string.h>

#include "exec/expr_equal.h"
#include "sql/optimize_internal.h"

typedef struct CseClass {
    const Expr *rep;   /* its first occurrence evaluated on every row, else its first one */
    bool rep_always;
    uint64_t hash;
    int *args;         /* class of each argument of rep */
    int64_t refs;      /* occurrences evaluated on every row (after sharing the enclosing classes) */
    bool eligible;     /* may be shared: reads a column, calls nothing volatile, not a leaf */
    bool reads_column;
    bool is_volatile;
    bool shared;
    int level;         /* shared: 1 + the highest level of the shared classes it reads */
    int inner;         /* highest level of the shared classes reachable through always-evaluated arguments */
    int column;        /* shared: its column in the lower projections */
} CseClass;

typedef struct CseTable {
    Binder *b;
    CseClass *classes;
    int n, cap;
    int *slots;        /* open addressing: class id + 1, 0 = empty */
    uint32_t mask;
} CseTable;

/* Functions whose result may differ between two evaluations on the same row. */
static bool calls_volatile_function(const Expr *e)
{
    static const char *const volatile_names[] = {
        "random", "setseed", "nextval", "currval", "gen_random_uuid", "uuid_generate_v4", "timeofday",
        "clock_timestamp", "now", "current_timestamp", "localtimestamp", "transaction_timestamp",
        "statement_timestamp", "current_date",
    };
    if (e->kind != EXPR_CALL || e->call == NULL || e->call->function == NULL) return false;
    const char *name = e->call->function->name;
    for (size_t i = 0; i < sizeof volatile_names / sizeof volatile_names[0]; i++)
        if (strcmp(name, volatile_names[i]) == 0) return true;
    /* age(ts) measures from the current date, read per batch */
    return strcmp(name, "age") == 0 && e->nargs == 1;
}

/* True if argument i of e is evaluated on every row e is evaluated on. */
static bool arg_always_evaluated(const Expr *e, int i)
{
    switch (e->kind) {
    case EXPR_CASE:
    case EXPR_COALESCE:
    case EXPR_AND:
    case EXPR_OR: return i == 0;
    default: return true;
    }
}

static int count_nodes(const Expr *e)
{
    int n = 1;
    for (int i = 0; i < e->nargs; i++) n += count_nodes(e->args[i]);
    return n;
}

/* The class of node e whose arguments are in classes args, or -1; *hash_out gets its hash. */
static int find_class(const CseTable *t, const Expr *e, const int *args, uint64_t *hash_out)
{
    uint64_t h = expr_hash_node(e);
    for (int i = 0; i < e->nargs; i++) h = expr_hash_combine(h, t->classes[args[i]].hash);
    *hash_out = h;
    for (uint32_t slot = (uint32_t)h & t->mask; t->slots[slot] != 0; slot = (slot + 1) & t->mask) {
        const CseClass *c = &t->classes[t->slots[slot] - 1];
        if (c->hash != h || !expr_equal_node(c->rep, e)) continue;
        if (e->nargs == 0 || memcmp(c->args, args, sizeof(int) * (size_t)e->nargs) == 0) return t->slots[slot] - 1;
    }
    return -1;
}

/* Intern e and its arguments (post-order, so a class's id is above its
 * arguments'); `always`: e is evaluated on every row.  Returns e's class. */
static int intern(CseTable *t, const Expr *e, bool always)
{
    int *args = arena_alloc(t->b->arena, sizeof(int) * (size_t)(e->nargs + 1));
    for (int i = 0; i < e->nargs; i++) args[i] = intern(t, e->args[i], always && arg_always_evaluated(e, i));
    uint64_t h;
    int id = find_class(t, e, args, &h);
    if (id >= 0) {
        CseClass *c = &t->classes[id];
        /* the occurrence whose errors the shared column raises: the first one
         * evaluated on every row (post-order is the order they finish in) */
        if (always && !c->rep_always) {
            c->rep = e;
            c->rep_always = true;
        }
        return id;
    }
    id = t->n++;
    CseClass *c = &t->classes[id];
    memset(c, 0, sizeof *c);
    c->rep = e;
    c->rep_always = always;
    c->hash = h;
    c->args = args;
    c->reads_column = e->kind == EXPR_COLUMN;
    c->is_volatile = calls_volatile_function(e);
    for (int i = 0; i < e->nargs; i++) {
        c->reads_column |= t->classes[args[i]].reads_column;
        c->is_volatile |= t->classes[args[i]].is_volatile;
    }
    c->eligible = c->reads_column && !c->is_volatile && e->kind != EXPR_COLUMN && e->kind != EXPR_CONST &&
                  e->kind != EXPR_AGG_REF && e->kind != EXPR_WINDOW_REF && e->type.id != TYPE_NULL &&
                  e->type.id != TYPE_INVALID;
    uint32_t slot = (uint32_t)h & t->mask;
    while (t->slots[slot] != 0) slot = (slot + 1) & t->mask;
    t->slots[slot] = id + 1;
    return id;
}

/* The class of e, which was interned (post-order lookup). */
static int class_of(const CseTable *t, const Expr *e)
{
    int small[8];
    int *args = e->nargs <= 8 ? small : arena_alloc(t->b->arena, sizeof(int) * (size_t)e->nargs);
    for (int i = 0; i < e->nargs; i++) args[i] = class_of(t, e->args[i]);
    uint64_t h;
    return find_class(t, e, args, &h);
}

/* e with its always-evaluated occurrences of shared classes replaced by
 * their columns (e itself too unless keep_root); *id_out gets e's class.
 * Unchanged subtrees are kept, changed nodes are copied (plans never share
 * a node that this pass would change in place). */
static Expr *rewrite(const CseTable *t, Expr *e, bool keep_root, int *id_out)
{
    int small[8];
    int *args = e->nargs <= 8 ? small : arena_alloc(t->b->arena, sizeof(int) * (size_t)e->nargs);
    Expr **new_args = NULL;
    for (int i = 0; i < e->nargs; i++) {
        Expr *a = e->args[i];
        if (!arg_always_evaluated(e, i)) {
            args[i] = class_of(t, a);
            continue;
        }
        Expr *r = rewrite(t, a, false, &args[i]);
        if (r != a && new_args == NULL) {
            new_args = arena_alloc(t->b->arena, sizeof(Expr *) * (size_t)(e->nargs + 1));
            memcpy(new_args, e->args, sizeof(Expr *) * (size_t)e->nargs);
        }
        if (new_args) new_args[i] = r;
    }
    uint64_t h;
    int id = find_class(t, e, args, &h);
    *id_out = id;
    if (!keep_root && id >= 0 && t->classes[id].shared) return expr_column(t->b, t->classes[id].column, e->type);
    if (new_args == NULL) return e;
    Expr *copy = arena_alloc(t->b->arena, sizeof *copy);
    *copy = *e;
    copy->args = new_args;
    return copy;
}

/* Share the repeated subexpressions of one projection; `serial` numbers the new columns plan-wide. */
static void share_in_project(Binder *b, PlanNode *p, int *serial)
{
    int nodes = 0;
    for (int i = 0; i < p->ncols; i++) nodes += count_nodes(p->exprs[i]);
    if (p->ncols < 1 || nodes < 3) return; /* a repeated non-leaf needs at least two nodes twice */
    CseTable t = {.b = b, .cap = nodes};
    t.classes = arena_alloc(b->arena, sizeof(CseClass) * (size_t)nodes);
    uint32_t nslots = 16;
    while (nslots < (uint32_t)nodes * 2) nslots *= 2;
    t.slots = arena_calloc(b->arena, sizeof(int) * nslots);
    t.mask = nslots - 1;
    for (int i = 0; i < p->ncols; i++) t.classes[intern(&t, p->exprs[i], true)].refs++;

    /* from the largest down: a shared class passes its arguments one occurrence */
    int nshared = 0, max_level = 0;
    for (int id = t.n - 1; id >= 0; id--) {
        CseClass *c = &t.classes[id];
        if (c->refs == 0) continue;
        c->shared = c->eligible && c->refs >= 2;
        nshared += c->shared;
        int64_t passed = c->shared ? 1 : c->refs;
        for (int i = 0; i < c->rep->nargs; i++)
            if (arg_always_evaluated(c->rep, i)) t.classes[c->args[i]].refs += passed;
    }
    if (nshared == 0) return;
    for (int id = 0; id < t.n; id++) {
        CseClass *c = &t.classes[id];
        for (int i = 0; i < c->rep->nargs; i++) {
            if (!arg_always_evaluated(c->rep, i)) continue;
            const CseClass *a = &t.classes[c->args[i]];
            int l = a->shared ? a->level : a->inner;
            if (l > c->inner) c->inner = l;
        }
        if (c->shared) {
            c->level = c->inner + 1;
            if (c->level > max_level) max_level = c->level;
        }
    }

    /* columns: the input's, then the shared classes by level, in class order */
    int ninput = p->child->ncols, next_column = ninput;
    for (int level = 1; level <= max_level; level++)
        for (int id = 0; id < t.n; id++)
            if (t.classes[id].shared && t.classes[id].level == level) t.classes[id].column = next_column++;

    /* one projection per level, each passing the one below through */
    PlanNode *below = p->child;
    for (int level = 1; level <= max_level; level++) {
        int n = below->ncols;
        for (int id = 0; id < t.n; id++) n += t.classes[id].shared && t.classes[id].level == level;
        Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
        for (int c = 0; c < below->ncols; c++) {
            exprs[c] = expr_column(b, c, below->types[c]);
            names[c] = below->names ? below->names[c] : NULL;
        }
        int k = below->ncols;
        for (int id = 0; id < t.n; id++) {
            CseClass *c = &t.classes[id];
            if (!c->shared || c->level != level) continue;
            int ignored;
            exprs[k] = rewrite(&t, (Expr *)c->rep, true, &ignored);
            names[k] = arena_sprintf(b->arena, "cse%d", (*serial)++);
            k++;
        }
        below = plan_project(b, below, n, exprs, names);
    }
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(p->ncols + 1));
    for (int i = 0; i < p->ncols; i++) {
        int ignored;
        exprs[i] = rewrite(&t, p->exprs[i], false, &ignored);
    }
    p->exprs = exprs;
    p->child = below;
}

static void share_in_plan(Binder *b, PlanNode *p, int *serial)
{
    if (p == NULL) return;
    share_in_plan(b, p->child, serial);
    share_in_plan(b, p->right, serial);
    if (p->kind == PLAN_PROJECT) share_in_project(b, p, serial);
}

void opt_share_subexpressions(Binder *b, PlanNode *plan)
{
    int serial = 0;
    share_in_plan(b, plan, &serial);
}
