/* validate: checks a batch of rows against a table's contract, a batch at
 * a time, and says per row which rules it broke and what happens to it.
 *
 * Input: a "raw" batch with one column per table column holding the value
 * to insert before conversion (the INSERT's source column, a DEFAULT, or
 * NULL).  Steps, each over the whole batch:
 *   1. type(col): the column's conversion expression (an assignment cast,
 *      bound by the caller) is evaluated on the batch; if it fails, it is
 *      evaluated again row by row (the rare error path) so that only the
 *      rows that do not convert break the rule, with the cast's message;
 *   2. not_null(col): the converted value is NULL (and converted fine);
 *   3. CHECK: the bound expression over the converted batch is FALSE (TRUE
 *      and NULL pass, as in PostgreSQL); an expression that raises an
 *      error on a row breaks the rule on that row (message kept);
 *   4. UNIQUE / PRIMARY KEY and FOREIGN KEY, row by row in input order: a
 *      key without NULLs that is already taken (by the table's rows, or by
 *      an earlier kept row of the statement), or that is missing from the
 *      referenced key set, or (unique_scope = 'lake') committed in the
 *      table's lake dataset outside the partitions the statement replaces.
 *      Only kept rows take their keys, so with drop or
 *      quarantine the first otherwise-valid row with a key wins and later
 *      duplicates break the rule.
 * A row's action is the highest policy among the rules it broke (fail >
 * quarantine > drop > warn); kept rows (no violation, or only warn) are
 * listed in keep_sel.
 *
 * Memory: the converted batch (borrowed result vectors, or owned ones on
 * the error path), per-row flags (rows x rules bytes), the key sets of the
 * UNIQUE rules (every key of the table; the lake's keys are borrowed), a
 * byte per lake partition per lake-scoped rule, messages of the current batch in
 * an arena reset per batch.  Expressions are borrowed from the caller. */
#ifndef KILN_QUALITY_VALIDATE_H
#define KILN_QUALITY_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/error.h"
#include "exec/expr.h"
#include "exec/memtable.h"
#include "quality/contract.h"
#include "quality/key_set.h"
#include "types/batch.h"

/* Keys already committed in a lake dataset (sql/contract_lake.c reads them). */
typedef struct LakeKeys {
    KeySet keys;            /* key -> id of the partition it is in (KEY_MAP_MANY: several); 0 without partitions */
    KeySet partitions;      /* encoded partition values (key_encode_nullable) -> id */
    uint32_t npartitions;
} LakeKeys;

typedef struct ValidatorSpec {
    const TableContract *contract;
    const LogicalType *types;   /* contract->ncols column types */
    Expr *const *casts;         /* ncols: raw column c converted to types[c] (over the raw batch) */
    Expr *const *checks;        /* contract->nrules: CHECK rules' bound expressions (over the converted batch), else NULL */
    const KeySet *const *references; /* contract->nrules: FOREIGN KEY rules' referenced keys (borrowed), else NULL */
    /* unique_scope = 'lake': per rule, the UNIQUE rule's keys in the table's lake dataset (borrowed), else NULL
     * (NULL array: none).  A lake key is taken unless the row goes to the partition the key is in, or an
     * earlier kept row of the statement went there (lake_mode = 'overwrite_partitions': that partition is
     * replaced); lake_part_cols are the table's columns named as the dataset's partition columns, in the
     * order of LakeKeys.partitions (nlake_part_cols = 0: every lake key is taken). */
    const LakeKeys *const *lake_unique;
    const int *lake_part_cols;
    int nlake_part_cols;
    const char *lake_dataset;        /* for messages: the dataset's name */
} ValidatorSpec;

/* Per-statement totals. */
typedef struct ValidatorCounts {
    uint64_t rows_in;
    uint64_t passed;       /* no rule broken */
    uint64_t warned;       /* kept with only warn-level violations */
    uint64_t dropped;
    uint64_t quarantined;
    uint64_t failed;       /* rows whose action is fail (the statement stops) */
    uint64_t *rule_rows;   /* per rule: rows that broke it */
} ValidatorCounts;

typedef struct Validator {
    ValidatorSpec spec;
    int ncols, nrules;
    struct ExprState **cast_states;
    struct ExprState **check_states;
    Vector *own;            /* ncols vectors for rows converted one by one */
    KeySet *unique_keys;    /* per rule (only UNIQUE rules used) */
    uint8_t **replaced;     /* per rule with lake keys: per partition id, 1 once a kept row went there */
    StrBuf part;            /* the current row's encoded partition */
    StrBuf key;
    Arena messages;         /* per batch */
    /* results of the last validator_run */
    Batch out;              /* converted rows (dense, count = input rows), borrowed columns */
    uint8_t *broken;        /* count x nrules: 1 if row i broke rule r */
    uint8_t *nbroken;       /* per row: number of rules broken (saturating) */
    ViolationPolicy *action;/* per row, meaningful when nbroken > 0 */
    const char **error_text;/* count x nrules: the error raised for (row, rule) (type, failing CHECK), else NULL */
    uint32_t *keep_sel;     /* rows to store */
    uint32_t nkeep;
    ValidatorCounts counts;
} Validator;

/* Set up a validator (the spec's arrays are borrowed for its lifetime). */
void validator_init(Validator *v, const ValidatorSpec *spec);
/* Free the validator's state. */
void validator_destroy(Validator *v);
/* Count the keys of existing rows (converted types) as taken for every UNIQUE rule. */
void validator_seed(Validator *v, const MemTable *rows);
/* Validate the logical rows of raw; results in v (see above).  Fails only
 * for errors that are not about a row (out of memory, internal). */
bool validator_run(Validator *v, const Batch *raw, Error *err);
/* True if row i of the last batch broke rule r. */
static inline bool validator_broke(const Validator *v, uint32_t i, int r)
{
    return v->broken[(size_t)i * (size_t)v->nrules + (size_t)r] != 0;
}
/* Append PostgreSQL's message for row i breaking rule r to out (e.g.
 * new row for relation "t" violates check constraint "t_a_check"). */
void validator_rule_message(const Validator *v, uint32_t i, int r, StrBuf *out);
/* Fill a KeySet with the keys (columns cols of the memtable) of every row. */
void validator_reference_keys(KeySet *set, const MemTable *rows, const int *cols, int ncols);

#endif
