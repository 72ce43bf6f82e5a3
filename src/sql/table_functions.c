/* table_functions: the registry of table functions (see table_functions.h). */
#include "sql/table_functions.h"

#include <string.h>

#include "common/strbuf.h"
#include "sql/bind_lake_commits.h"
#include "sql/bind_parquet.h"
#include "sql/stmt_contract.h"
#include "types/cast.h"

typedef struct TableFunction {
    const char *name;
    TableFunctionBind bind;
} TableFunction;

static const TableFunction table_functions[] = {
    {"read_csv", bind_read_csv},
    {"read_csv_auto", bind_read_csv},
    {"read_parquet", bind_read_parquet},
    {"parquet_scan", bind_read_parquet},
    {"parquet_schema", bind_parquet_schema},
    {"parquet_metadata", bind_parquet_metadata},
    {"parquet_kv_metadata", bind_parquet_kv_metadata},
    {"read_json", bind_read_json},
    {"read_json_auto", bind_read_json},
    {"read_ndjson", bind_read_ndjson},
    {"read_sqlite", bind_read_sqlite},
    {"read_postgres", bind_read_postgres},
    {"read_mysql", bind_read_mysql},
    {"quarantine", bind_quarantine_function},
    {"rejects", bind_rejects_function},
    {"lake_commits", bind_lake_commits},
    {"generate_series", bind_generate_series},
    {"range", bind_range},
};

bool bind_table_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                         Error *err)
{
    const char *name = fc->n_funcname ? node_string(fc->funcname[fc->n_funcname - 1]) : NULL;
    for (size_t i = 0; name && i < sizeof table_functions / sizeof table_functions[0]; i++)
        if (strcmp(table_functions[i].name, name) == 0) return table_functions[i].bind(b, fc, coldefs, ncoldefs, out, err);
    return error_set_at(err, ERR_SQL, bind_pos(b, fc->location), "table function %s does not exist", name ? name : "?");
}

bool table_function_args(Binder *b, PgQuery__FuncCall *fc, const char *fname, char **path, SqlOption **opts,
                         int *nopts, Error *err)
{
    int pos = bind_pos(b, fc->location);
    if (fc->n_args < 1) return error_set_at(err, ERR_SQL, pos, "%s needs a file path or glob", fname);
    *path = NULL;
    *opts = arena_calloc(b->arena, sizeof(SqlOption) * (fc->n_args + 1));
    *nopts = 0;
    for (size_t i = 0; i < fc->n_args; i++) {
        PgQuery__Node *a = fc->args[i];
        const char *oname = NULL;
        PgQuery__Node *val = a;
        if (a->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            oname = a->named_arg_expr->name;
            val = (PgQuery__Node *)a->named_arg_expr->arg;
        } else if (i > 0) {
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)),
                                "%s takes one positional argument (the path); give options as name => value", fname);
        }
        char *text;
        if (!bind_constant_text(b, val, &text, err)) return false;
        if (oname == NULL) {
            if (text == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)), "the path must not be NULL");
            *path = text;
        } else {
            SqlOption *o = &(*opts)[(*nopts)++];
            o->name = oname;
            o->text = text ? text : "";
            o->has_value = text != NULL;
            o->pos = bind_pos(b, node_location(a));
        }
    }
    if (*path == NULL) return error_set_at(err, ERR_SQL, pos, "%s needs a file path or glob", fname);
    return true;
}

bool table_function_coldefs(Binder *b, PgQuery__Node **coldefs, size_t ncoldefs, const char ***names,
                            LogicalType **types, Error *err)
{
    *names = arena_calloc(b->arena, sizeof(char *) * (ncoldefs + 1));
    *types = arena_calloc(b->arena, sizeof(LogicalType) * (ncoldefs + 1));
    for (size_t i = 0; i < ncoldefs; i++) {
        PgQuery__ColumnDef *cd = coldefs[i]->column_def;
        (*names)[i] = arena_strdup(b->arena, cd->colname);
        if (!bind_type_name(b, cd->type_name, &(*types)[i], err)) return false;
    }
    return true;
}
