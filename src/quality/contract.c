/* contract: the constraint model of a table (see contract.h).  A plain
 * growable array of rules; names are unique within a contract. */
#include "quality/contract.h"

#include <stdio.h>
#include <string.h>

#include "common/mem.h"

TableContract *contract_new(const char *table, int ncols, char *const *col_names)
{
    TableContract *c = mem_calloc(1, sizeof *c);
    c->table = mem_strdup(table);
    c->ncols = ncols;
    c->col_names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    c->default_sql = mem_calloc((size_t)ncols + 1, sizeof(char *));
    for (int i = 0; i < ncols; i++) c->col_names[i] = mem_strdup(col_names[i]);
    c->policy = POLICY_FAIL;
    c->max_error_rate = -1;
    c->max_errors = -1;
    for (int i = 0; i < ncols; i++) {
        char name[300];
        snprintf(name, sizeof name, "type(%s)", col_names[i]);
        contract_add_rule(c, RULE_TYPE, name, &i, 1);
    }
    return c;
}

void contract_free(TableContract *c)
{
    if (c == NULL) return;
    for (int i = 0; i < c->nrules; i++) {
        ContractRule *r = &c->rules[i];
        mem_free(r->name);
        mem_free(r->columns);
        mem_free(r->check_sql);
        mem_free(r->ref_table);
        if (r->ref_columns)
            for (int k = 0; k < r->ncolumns; k++) mem_free(r->ref_columns[k]);
        mem_free(r->ref_columns);
    }
    mem_free(c->rules);
    for (int i = 0; i < c->ncols; i++) {
        mem_free(c->col_names[i]);
        mem_free(c->default_sql[i]);
    }
    mem_free(c->col_names);
    mem_free(c->default_sql);
    mem_free(c->table);
    mem_free(c->lake_dataset);
    mem_free(c);
}

ContractRule *contract_add_rule(TableContract *c, RuleKind kind, const char *name, const int *columns, int ncolumns)
{
    if (c->nrules == c->cap_rules) {
        c->cap_rules = c->cap_rules ? c->cap_rules * 2 : 16;
        c->rules = mem_realloc(c->rules, sizeof(ContractRule) * (size_t)c->cap_rules);
    }
    ContractRule *r = &c->rules[c->nrules++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->name = mem_strdup(name);
    r->policy = c->policy;
    r->ncolumns = ncolumns;
    r->columns = mem_alloc(sizeof(int) * (size_t)(ncolumns + 1));
    for (int i = 0; i < ncolumns; i++) r->columns[i] = columns[i];
    return r;
}

ContractRule *contract_find_rule(TableContract *c, const char *name)
{
    for (int i = 0; i < c->nrules; i++)
        if (strcmp(c->rules[i].name, name) == 0) return &c->rules[i];
    return NULL;
}

int contract_column(const TableContract *c, const char *name)
{
    for (int i = 0; i < c->ncols; i++)
        if (strcmp(c->col_names[i], name) == 0) return i;
    return -1;
}

char *contract_unique_name(const TableContract *c, const char *base)
{
    for (int n = 0;; n++) {
        char *name = n == 0 ? mem_strdup(base) : mem_printf("%s%d", base, n);
        bool taken = false;
        for (int i = 0; i < c->nrules && !taken; i++) taken = strcmp(c->rules[i].name, name) == 0;
        if (!taken) return name;
        mem_free(name);
    }
}

void contract_set_policy(TableContract *c, ViolationPolicy p)
{
    c->policy = p;
    for (int i = 0; i < c->nrules; i++)
        if (!c->rules[i].has_override) c->rules[i].policy = p;
}

static const char *const policy_names[] = {"warn", "drop", "quarantine", "fail"};

bool contract_policy_parse(const char *text, ViolationPolicy *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(text, policy_names[i]) == 0) {
            *out = (ViolationPolicy)i;
            return true;
        }
    return false;
}

const char *contract_policy_name(ViolationPolicy p)
{
    return policy_names[p];
}

bool contract_is_declared(const TableContract *c)
{
    return c->nrules > c->ncols || c->policy != POLICY_FAIL || c->max_errors >= 0 || c->max_error_rate >= 0 ||
           c->unique_in_lake;
}
