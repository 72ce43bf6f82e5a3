/* catalog: the tables and views a session knows.  Names are compared
 * exactly: the parser has already folded unquoted identifiers to lower case,
 * as PostgreSQL does.  Tables hold their rows in memory (MemTable); views
 * keep their defining SELECT as SQL text and are re-bound where used. */
#ifndef KILN_SQL_CATALOG_H
#define KILN_SQL_CATALOG_H

#include <stdbool.h>

#include "exec/memtable.h"

typedef struct TableColumn {
    char *name;
    LogicalType type;
    bool not_null;
} TableColumn;

typedef struct CatalogTable {
    char *name;
    bool temporary;
    int ncols;
    TableColumn *cols;
    MemTable data;
    struct TableContract *contract; /* constraints and policies (quality/contract.h); NULL = none (CREATE TABLE AS) */
    struct Quarantine *quarantine;  /* rows its contract turned away (quality/quarantine.h); NULL until the first */
} CatalogTable;

typedef struct CatalogView {
    char *name;
    char *sql;        /* the SELECT text */
    int naliases;
    char **aliases;   /* column names given in CREATE VIEW v (a, b) */
    int ncols;        /* the view's output columns when it was created */
    char **col_names;
    LogicalType *col_types;
} CatalogView;

typedef struct Catalog {
    CatalogTable **tables;
    int ntables, cap_tables;
    CatalogView **views;
    int nviews, cap_views;
    struct RejectsStore **rejects;  /* named sets of records readers rejected (quality/rejects.h) */
    int nrejects, cap_rejects;
    char *run_id;                   /* this session's run id for quarantines ("<UTC time>-<hex>"), made on first use */
} Catalog;

/* Initialise an empty catalog. */
void catalog_init(Catalog *c);
/* Free every table and view. */
void catalog_destroy(Catalog *c);
/* Find a table by name, NULL if none. */
CatalogTable *catalog_find_table(Catalog *c, const char *name);
/* Find a view by name, NULL if none. */
CatalogView *catalog_find_view(Catalog *c, const char *name);
/* Create a table (columns copied); the caller checked the name is free. */
CatalogTable *catalog_create_table(Catalog *c, const char *name, bool temporary, int ncols, const TableColumn *cols);
/* Create a view (strings copied); the caller checked the name is free. */
CatalogView *catalog_create_view(Catalog *c, const char *name, const char *sql, int naliases, char *const *aliases,
                                 int ncols, char *const *col_names, const LogicalType *col_types);
/* Drop a table or view by name; false if there was none. */
bool catalog_drop_table(Catalog *c, const char *name);
bool catalog_drop_view(Catalog *c, const char *name);
/* The rejects set of that name; created when create is set, else NULL if none. */
struct RejectsStore *catalog_rejects(Catalog *c, const char *name, bool create);
/* A statement ended (ok or not): commit or drop what it rejected. */
void catalog_end_statement(Catalog *c, bool ok, const char *job, const char *logical_date);
/* The session's run id (made on first use). */
const char *catalog_run_id(Catalog *c);

#endif
