/* load: what every warehouse connector shares (see load.h): checking and
 * copying the load's columns, the one teardown, and the SQL lists and the
 * staging table's DDL built from them. */
#include "connectors/load.h"

#include <string.h>

#include "common/mem.h"
#include "connectors/remote_sql.h"

bool load_check_columns(const LoadSpec *spec, int ncols, char *const *names, int *key_cols, Error *err)
{
    for (int c = 0; c < ncols; c++)
        for (int k = 0; k < c; k++)
            if (strcmp(names[k], names[c]) == 0)
                return error_set(err, ERR_SQL, "column name \"%s\" appears twice in the rows loaded into \"%s\"",
                                 names[c], spec->table);
    for (int k = 0; k < spec->nkeys; k++) {
        key_cols[k] = -1;
        for (int c = 0; c < ncols; c++)
            if (strcmp(names[c], spec->keys[k]) == 0) key_cols[k] = c;
        if (key_cols[k] < 0)
            return error_set(err, ERR_SQL, "KEY column \"%s\" is not a column of the query", spec->keys[k]);
    }
    return true;
}

bool load_target_init(LoadTarget *t, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    memset(t, 0, sizeof *t);
    t->table = mem_strdup(spec->table);
    t->mode = spec->mode;
    t->ncols = ncols;
    t->nkeys = spec->nkeys;
    t->names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    t->types = mem_calloc((size_t)ncols + 1, sizeof(LogicalType));
    t->key_cols = mem_calloc((size_t)spec->nkeys + 1, sizeof(int));
    for (int c = 0; c < ncols; c++) {
        t->names[c] = mem_strdup(names[c]);
        t->types[c] = types[c];
    }
    return load_check_columns(spec, ncols, names, t->key_cols, err);
}

void load_target_free(LoadTarget *t)
{
    for (int c = 0; t->names && c < t->ncols; c++) mem_free(t->names[c]);
    mem_free(t->names);
    mem_free(t->types);
    mem_free(t->key_cols);
    mem_free(t->table);
    memset(t, 0, sizeof *t);
}

bool load_target_is_key(const LoadTarget *t, int c)
{
    for (int k = 0; k < t->nkeys; k++)
        if (t->key_cols[k] == c) return true;
    return false;
}

void load_quote_ident(StrBuf *sb, const char *ident)
{
    remote_sql_quote_ident(REMOTE_POSTGRES, sb, ident, strlen(ident)); /* SQLite quotes the same way */
}

void load_delete_sql(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, const char *stage)
{
    strbuf_puts(sb, "DELETE FROM ");
    load_quote_table(sb, t->table, quote);
    if (t->mode != LOAD_REPLACE_PARTITIONS) return;
    strbuf_puts(sb, " WHERE (");
    load_key_list(sb, t, quote);
    strbuf_puts(sb, ") IN (SELECT ");
    load_key_list(sb, t, quote);
    strbuf_printf(sb, " FROM %s)", stage);
}

void load_quote_table(StrBuf *sb, const char *table, LoadQuoteFn quote)
{
    const char *dot = strchr(table, '.');
    if (dot == NULL) {
        quote(sb, table);
        return;
    }
    char *schema = mem_strndup(table, (size_t)(dot - table));
    quote(sb, schema);
    mem_free(schema);
    strbuf_putc(sb, '.');
    quote(sb, dot + 1);
}

void load_column_list(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, const char *prefix)
{
    for (int c = 0; c < t->ncols; c++) {
        if (c) strbuf_puts(sb, ", ");
        strbuf_puts(sb, prefix);
        quote(sb, t->names[c]);
    }
}

void load_key_list(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote)
{
    for (int k = 0; k < t->nkeys; k++) {
        if (k) strbuf_puts(sb, ", ");
        quote(sb, t->names[t->key_cols[k]]);
    }
}

void load_column_defs(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, LoadTypeFn type, bool key_types)
{
    for (int c = 0; c < t->ncols; c++) {
        if (c) strbuf_puts(sb, ", ");
        quote(sb, t->names[c]);
        strbuf_putc(sb, ' ');
        type(sb, t->types[c], key_types && load_target_is_key(t, c));
    }
}

void load_stage_sql(StrBuf *sb, const char *create, const LoadTarget *t, LoadQuoteFn quote, LoadTypeFn type,
                    const char *extra, const char *suffix)
{
    strbuf_printf(sb, "%s kiln_stage (", create);
    load_column_defs(sb, t, quote, type, false);
    if (extra) strbuf_printf(sb, ", %s", extra);
    strbuf_putc(sb, ')');
    if (suffix) strbuf_printf(sb, " %s", suffix);
}
