/* slt_result: formatting, sorting, hashing and comparing query results for
 * the sqllogictest runner.
 *
 * Values are kept as text in an arena the caller owns (one per query), so a
 * result costs its text size plus one pointer per value.  Sorting uses
 * strcmp on the text, as SQLite's runner does, so "10" sorts before "9". */
#include "slt_result.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "slt_md5.h"

void slt_result_values(const QueryResult *r, Arena *arena, SltValues *out)
{
    out->ncols = r->ncols;
    out->nvalues = r->nrows * (uint64_t)r->ncols;
    out->values = arena_alloc(arena, sizeof(char *) * (size_t)(out->nvalues ? out->nvalues : 1));
    StrBuf text = STRBUF_INIT;
    uint64_t next = 0;
    for (uint64_t row = 0; row < r->nrows; row++) {
        for (int col = 0; col < r->ncols; col++) {
            strbuf_clear(&text);
            const char *shown;
            if (!query_result_value_text(r, row, col, &text))
                shown = "NULL";
            else if (text.len == 0)
                shown = "(empty)";
            else
                shown = strbuf_cstr(&text);
            out->values[next++] = arena_strdup(arena, shown);
        }
    }
    strbuf_free(&text);
}

static int compare_rows(const void *a, const void *b, void *ncols_ptr)
{
    int ncols = *(const int *)ncols_ptr;
    char *const *row_a = *(char **const *)a;
    char *const *row_b = *(char **const *)b;
    for (int col = 0; col < ncols; col++) {
        int c = strcmp(row_a[col], row_b[col]);
        if (c != 0)
            return c;
    }
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void slt_values_sort(SltValues *values, SltSort sort)
{
    if (sort == SLT_SORT_VALUES) {
        qsort(values->values, values->nvalues, sizeof(char *), compare_strings);
        return;
    }
    if (sort != SLT_SORT_ROWS || values->ncols <= 0 || values->nvalues == 0)
        return;
    /* Sort row pointers, then lay the values out again in the new order. */
    uint64_t nrows = values->nvalues / (uint64_t)values->ncols;
    char ***rows = mem_alloc(sizeof(char **) * nrows);
    for (uint64_t i = 0; i < nrows; i++)
        rows[i] = values->values + i * (uint64_t)values->ncols;
    qsort_r(rows, nrows, sizeof(char **), compare_rows, &values->ncols);
    char **sorted = mem_alloc(sizeof(char *) * values->nvalues);
    for (uint64_t i = 0; i < nrows; i++)
        memcpy(sorted + i * (uint64_t)values->ncols, rows[i], sizeof(char *) * (size_t)values->ncols);
    memcpy(values->values, sorted, sizeof(char *) * values->nvalues);
    mem_free(sorted);
    mem_free(rows);
}

void slt_values_md5(const SltValues *values, char hex[33])
{
    SltMd5 md5;
    slt_md5_init(&md5);
    for (uint64_t i = 0; i < values->nvalues; i++) {
        slt_md5_update(&md5, values->values[i], strlen(values->values[i]));
        slt_md5_update(&md5, "\n", 1);
    }
    slt_md5_hex(&md5, hex);
}

/* "<count> values hashing to <32 hex digits>" */
static bool parse_hash_line(const char *line, SltExpected *out)
{
    char *end;
    if (*line < '0' || *line > '9')
        return false;
    unsigned long long count = strtoull(line, &end, 10);
    const char *middle = " values hashing to ";
    if (strncmp(end, middle, strlen(middle)) != 0)
        return false;
    const char *hex = end + strlen(middle);
    if (strlen(hex) != 32)
        return false;
    for (int i = 0; i < 32; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    out->is_hash = true;
    out->hash_count = count;
    memcpy(out->hash, hex, 33);
    return true;
}

void slt_expected_parse(char **lines, int nlines, int ncols, uint64_t actual_nvalues, Arena *arena,
                        SltExpected *out)
{
    memset(out, 0, sizeof *out);
    out->values.ncols = ncols;
    if (nlines == 1 && parse_hash_line(lines[0], out))
        return;
    bool any_tab = false;
    for (int i = 0; i < nlines; i++)
        if (strchr(lines[i], '\t'))
            any_tab = true;
    out->values.values = arena_alloc(arena, sizeof(char *) * ((size_t)nlines * (size_t)(ncols > 0 ? ncols : 1) + 1));
    /* SQLite's files list one value per line; DuckDB's list rows. */
    if (!any_tab && ncols > 1 && (uint64_t)nlines == actual_nvalues) {
        for (int i = 0; i < nlines; i++)
            out->values.values[i] = lines[i];
        out->values.nvalues = (uint64_t)nlines;
        out->well_formed = true;
        return;
    }
    out->well_formed = true;
    uint64_t next = 0;
    for (int i = 0; i < nlines; i++) {
        char *copy = arena_strdup(arena, lines[i]);
        int fields = 0;
        char *field = copy;
        for (;;) {
            char *tab = strchr(field, '\t');
            if (tab)
                *tab = '\0';
            if (fields < ncols)
                out->values.values[next++] = field;
            fields++;
            if (!tab)
                break;
            field = tab + 1;
        }
        if (fields != ncols)
            out->well_formed = false;
    }
    out->values.nvalues = next;
}

bool slt_values_match(const SltValues *actual, const SltExpected *expected)
{
    if (expected->is_hash) {
        if (expected->hash_count != actual->nvalues)
            return false;
        char hex[33];
        slt_values_md5(actual, hex);
        return strcmp(hex, expected->hash) == 0;
    }
    if (!expected->well_formed || expected->values.nvalues != actual->nvalues)
        return false;
    for (uint64_t i = 0; i < actual->nvalues; i++)
        if (strcmp(actual->values[i], expected->values.values[i]) != 0)
            return false;
    return true;
}

void slt_values_print(FILE *out, const SltValues *values, long hash_threshold, const char *indent)
{
    if (hash_threshold > 0 && values->nvalues > (uint64_t)hash_threshold) {
        char hex[33];
        slt_values_md5(values, hex);
        fprintf(out, "%s%llu values hashing to %s\n", indent, (unsigned long long)values->nvalues, hex);
        return;
    }
    int ncols = values->ncols > 0 ? values->ncols : 1;
    for (uint64_t i = 0; i < values->nvalues; i++) {
        if (i % (uint64_t)ncols == 0)
            fputs(indent, out);
        fputs(values->values[i], out);
        fputc((i + 1) % (uint64_t)ncols == 0 || i + 1 == values->nvalues ? '\n' : '\t', out);
    }
}
