/* contract: the data contract of a table, as its CREATE TABLE declared it.
 *
 * A contract is a list of named rules (type conversion and NOT NULL per
 * column, CHECK expressions, UNIQUE / PRIMARY KEY keys, FOREIGN KEY
 * references) and what to do with a row that breaks them (the policy: fail,
 * drop, quarantine or warn; per table, overridable per rule), plus the
 * thresholds that fail a statement whatever the policy (max_error_rate,
 * max_errors) and the columns' DEFAULT expressions.
 *
 * Expressions (CHECK, DEFAULT) are kept as SQL text and bound again by each
 * statement that inserts (as views are), so a contract owns no plan memory.
 * Everything here is owned by the contract (mem_alloc) and freed by
 * contract_free.  Nothing in this file knows SQL syntax: sql/bind_contract.c
 * builds contracts from CREATE TABLE. */
#ifndef KILN_QUALITY_CONTRACT_H
#define KILN_QUALITY_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* What happens to a row that breaks a rule. Ordered by precedence: a row
 * that breaks several rules gets the highest policy among them. */
typedef enum ViolationPolicy {
    POLICY_WARN = 0,       /* keep the row, count the violation */
    POLICY_DROP = 1,       /* discard the row, count it */
    POLICY_QUARANTINE = 2, /* write the row aside (quarantine), count it */
    POLICY_FAIL = 3,       /* stop the statement: nothing of it is written */
} ViolationPolicy;

typedef enum RuleKind {
    RULE_TYPE,        /* the value converts to the column's type ("type(col)") */
    RULE_NOT_NULL,    /* the column is not NULL ("not_null(col)") */
    RULE_CHECK,       /* a CHECK expression is not false (t_col_check, t_check) */
    RULE_UNIQUE,      /* no two rows share a key without NULLs (t_col_key, t_pkey) */
    RULE_FOREIGN_KEY, /* a key without NULLs exists in another table (t_col_fkey) */
} RuleKind;

typedef struct ContractRule {
    RuleKind kind;
    char *name;
    ViolationPolicy policy;  /* effective: the table's, or the rule's override */
    bool has_override;       /* policy was set for this rule by name */
    int *columns;            /* TYPE/NOT_NULL: 1 column; UNIQUE/FK: the key columns */
    int ncolumns;
    bool primary_key;        /* UNIQUE: declared PRIMARY KEY (message wording) */
    char *check_sql;         /* CHECK: the expression's SQL text */
    char *ref_table;         /* FOREIGN_KEY: referenced table (or lake dataset, with ref_lake) */
    bool ref_lake;           /* FOREIGN_KEY: REFERENCES lake.<ref_table>: the committed lake dataset's keys */
    char **ref_columns;      /* FOREIGN_KEY: referenced columns (ncolumns of them) */
} ContractRule;

typedef struct TableContract {
    char *table;
    int ncols;
    char **col_names;        /* ncols */
    char **default_sql;      /* ncols; NULL = no DEFAULT (NULL is inserted) */
    ContractRule *rules;
    int nrules, cap_rules;
    ViolationPolicy policy;  /* the table's on_violation (default fail) */
    double max_error_rate;   /* < 0: none; fails when bad rows / rows > it */
    int64_t max_errors;      /* < 0: none; fails when bad rows > it */
    bool unique_in_lake;     /* unique_scope = 'lake': UNIQUE keys already in the lake dataset are taken */
    char *lake_dataset;      /* lake_dataset = '<name>': the table's dataset (NULL: lake.<table>) */
    bool lake_overwrite_partitions; /* lake_mode = 'overwrite_partitions': keys in partitions the statement
                                       writes do not count */
} TableContract;

/* A contract for a table with these columns: one type(col) rule per
 * column, policy fail, no thresholds (strings copied). */
TableContract *contract_new(const char *table, int ncols, char *const *col_names);
/* Free a contract (NULL is fine). */
void contract_free(TableContract *c);
/* Add a rule (name and arrays copied); returns it. */
ContractRule *contract_add_rule(TableContract *c, RuleKind kind, const char *name, const int *columns, int ncolumns);
/* The rule of that name, NULL if none. */
ContractRule *contract_find_rule(TableContract *c, const char *name);
/* Index of a column by name, -1 if none. */
int contract_column(const TableContract *c, const char *name);
/* A rule name not used yet: base, else base1, base2 ... (PostgreSQL's way). */
char *contract_unique_name(const TableContract *c, const char *base);
/* Set the table's policy; rules without an override follow it. */
void contract_set_policy(TableContract *c, ViolationPolicy p);
/* Parse fail | drop | quarantine | warn. */
bool contract_policy_parse(const char *text, ViolationPolicy *out);
/* The policy's name as on_violation spells it. */
const char *contract_policy_name(ViolationPolicy p);
/* True if the table declares more than its column types: constraints, a
 * policy other than fail, or thresholds (what a quality report shows). */
bool contract_is_declared(const TableContract *c);

#endif
