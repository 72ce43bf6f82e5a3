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

#include "quality/contract.h"
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
/* quarantine('t') in FROM: the table's quarantined rows (bind_quality.c). */
bool bind_quarantine_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                              PlanNode **out, Error *err);
/* rejects('name') in FROM: the records readers rejected under that name. */
bool bind_rejects_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                           PlanNode **out, Error *err);

#endif
