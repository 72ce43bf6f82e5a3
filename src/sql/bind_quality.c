/* bind_quality: the quality tables in FROM.
 *
 *   SELECT * FROM quarantine('orders');   -- rows the contract of orders turned away
 *   SELECT * FROM rejects('raw_orders');  -- records read_csv(..., rejects => 'raw_orders') could not read
 *
 * Both are scans of in-memory tables of the session (quality/quarantine.h
 * and quality/rejects.h give their columns); an unknown rejects name is an
 * error, a table without quarantined rows gives no rows. */
#include <string.h>

#include "common/mem.h"

#include "quality/quarantine.h"
#include "quality/rejects.h"
#include "sql/stmt_contract.h"
#include "sql/table_functions.h"

/* The one constant text argument of name(arg). */
static bool single_argument(Binder *b, PgQuery__FuncCall *fc, const char *fname, char **out, Error *err)
{
    int pos = bind_pos(b, fc->location);
    if (fc->n_args != 1 || fc->args[0]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR)
        return error_set_at(err, ERR_SQL, pos, "%s takes one argument, a name", fname);
    if (!bind_constant_text(b, fc->args[0], out, err)) return false;
    if (*out == NULL) return error_set_at(err, ERR_SQL, pos, "the name must not be NULL");
    return true;
}

static PlanNode *memtable_scan(Binder *b, const MemTable *table, char *const *names)
{
    PlanNode *p = plan_new(b, PLAN_TABLE_SCAN, table->ncols);
    p->table = (MemTable *)table;
    for (int i = 0; i < table->ncols; i++) {
        p->types[i] = table->types[i];
        p->names[i] = arena_strdup(b->arena, names[i]);
    }
    return p;
}

bool bind_quarantine_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                              PlanNode **out, Error *err)
{
    char *name;
    if (!single_argument(b, fc, "quarantine", &name, err)) return false;
    CatalogTable *t = catalog_find_table(b->catalog, name);
    if (t == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, fc->location), "relation \"%s\" does not exist", name);
    if (t->quarantine == NULL) {
        char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(t->ncols + 1));
        for (int i = 0; i < t->ncols; i++) names[i] = t->cols[i].name;
        t->quarantine = mem_calloc(1, sizeof(Quarantine));
        quarantine_init(t->quarantine, t->ncols, names);
    }
    *out = memtable_scan(b, quarantine_table(t->quarantine), t->quarantine->names);
    return true;
}

bool bind_rejects_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                           PlanNode **out, Error *err)
{
    char *name;
    if (!single_argument(b, fc, "rejects", &name, err)) return false;
    RejectsStore *s = catalog_rejects(b->catalog, name, false);
    if (s == NULL)
        return error_set_at(err, ERR_SQL, bind_pos(b, fc->location),
                            "no rejects named \"%s\" (read_csv(..., on_error => 'quarantine', rejects => '%s') makes them)",
                            name, name);
    *out = memtable_scan(b, rejects_table(s), (char *const *)rejects_column_names());
    return true;
}
