/* stmt_contract: the data-quality contract in SQL statements (the glue
 * between sql/ and quality/).
 *
 *   CREATE TABLE t (... constraints ...) WITH (on_violation = ..., ...)
 *       -> contract_from_create (bind_contract.c)
 *   INSERT INTO t ..., COPY t FROM ...
 *       -> contract_insert (stmt_validate.c): rows validated, kept,
 *          dropped or quarantined; thresholds checked at the end
 *   FROM quarantine('t'), FROM rejects('name')   (bind_quality.c) */
#ifndef KILN_SQL_STMT_CONTRACT_H
#define KILN_SQL_STMT_CONTRACT_H

#include "lake/dataset.h"
#include "quality/contract.h"
#include "quality/validate.h"
#include "sql/bind_csv.h"
#include "sql/session_internal.h"

/* Build the contract of CREATE TABLE from its constraints and WITH options
 * (NOT NULL is a rule of the contract, not cols[].not_null). */
bool contract_from_create(StmtContext *sc, PgQuery__CreateStmt *stmt, int ncols, TableColumn *cols,
                          TableContract **out, Error *err);
/* The bound DEFAULT of column col of t (its own type), or a NULL of the column's type. */
Expr *contract_bind_default(Binder *b, const CatalogTable *t, int col, Error *err);
/* Bind a contract's expression text (CHECK or DEFAULT) with the table's
 * columns in scope (NULL scope: none allowed). */
Expr *contract_bind_text(Binder *b, const char *sql, const Scope *scope, const char *what, Error *err);
/* Insert the rows of src (n columns going to table columns idx[0..n)) into
 * t under its contract; *stored = rows written. */
bool contract_insert(StmtContext *sc, CatalogTable *t, PlanNode *src, const int *idx, int n, uint64_t *stored,
                     Error *err);
/* COPY t FROM a CSV file into a table with a contract: the columns whose
 * type(col) rule does not fail are read as text (types[i] becomes text),
 * so that a field that does not convert breaks type(col) on its row instead
 * of stopping the statement.  Not when the COPY says itself what a bad
 * field does (ON_ERROR, REJECTS, IGNORE_ERRORS): then the reader does it. */
void contract_copy_text_columns(const CatalogTable *t, const SqlOption *opts, int nopts, const int *idx, int n,
                                LogicalType *types);
/* A lake dataset a contract reads keys from (contract_lake.c). */
typedef struct ContractLakeDataset {
    const char *name;        /* lake.<name> */
    const char *path;        /* <lake_root>/<name> */
    PlanNode *scan;          /* its scan, as lake.<name> reads it; NULL: committed with no files (no rows) */
    Dataset files;           /* its files and partition columns (none when scan is NULL) */
} ContractLakeDataset;
/* Find and bind lake.<name>; if its folder does not exist, an error (at SQL
 * offset pos), or with missing_ok an empty dataset. */
bool contract_lake_open(Binder *b, const char *name, int pos, bool missing_ok, ContractLakeDataset *out, Error *err);
/* Index of a column of the dataset's scan by name, -1 if none (or the dataset is empty). */
int contract_lake_column(const ContractLakeDataset *d, const char *name);
/* Read the dataset's keys (columns key_names, rows with a NULL in the key
 * skipped) into out->keys, each mapped to the id of its partition (the
 * values of part_names, when npart > 0; else 0) in out->partitions.  Only
 * those columns are read; keys made of partition columns only come from
 * the files' paths. */
bool contract_lake_read_keys(StmtContext *sc, const ContractLakeDataset *d, char *const *key_names, int nkey,
                             char *const *part_names, int npart, LakeKeys *out, Error *err);
/* Free the keys read by contract_lake_read_keys. */
void contract_lake_keys_destroy(LakeKeys *k);
/* quarantine('t') in FROM: the table's quarantined rows (bind_quality.c). */
bool bind_quarantine_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                              PlanNode **out, Error *err);
/* rejects('name') in FROM: the records readers rejected under that name. */
bool bind_rejects_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                           PlanNode **out, Error *err);

#endif
