/* catalog: in-memory tables and views of a session (see catalog.h). */
#include "sql/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "quality/contract.h"
#include "quality/quarantine.h"
#include "quality/rejects.h"

void catalog_init(Catalog *c) { memset(c, 0, sizeof *c); }

static void free_table(CatalogTable *t)
{
    for (int i = 0; i < t->ncols; i++) mem_free(t->cols[i].name);
    mem_free(t->cols);
    memtable_destroy(&t->data);
    contract_free(t->contract);
    if (t->quarantine) quarantine_destroy(t->quarantine);
    mem_free(t->quarantine);
    mem_free(t->name);
    mem_free(t);
}

static void free_view(CatalogView *v)
{
    for (int i = 0; i < v->naliases; i++) mem_free(v->aliases[i]);
    mem_free(v->aliases);
    for (int i = 0; i < v->ncols; i++) mem_free(v->col_names[i]);
    mem_free(v->col_names);
    mem_free(v->col_types);
    mem_free(v->sql);
    mem_free(v->name);
    mem_free(v);
}

void catalog_destroy(Catalog *c)
{
    for (int i = 0; i < c->ntables; i++) free_table(c->tables[i]);
    for (int i = 0; i < c->nviews; i++) free_view(c->views[i]);
    for (int i = 0; i < c->nrejects; i++) rejects_free(c->rejects[i]);
    mem_free(c->tables);
    mem_free(c->views);
    mem_free(c->rejects);
    mem_free(c->run_id);
    memset(c, 0, sizeof *c);
}

CatalogTable *catalog_find_table(Catalog *c, const char *name)
{
    for (int i = 0; i < c->ntables; i++)
        if (strcmp(c->tables[i]->name, name) == 0) return c->tables[i];
    return NULL;
}

CatalogView *catalog_find_view(Catalog *c, const char *name)
{
    for (int i = 0; i < c->nviews; i++)
        if (strcmp(c->views[i]->name, name) == 0) return c->views[i];
    return NULL;
}

CatalogTable *catalog_create_table(Catalog *c, const char *name, bool temporary, int ncols, const TableColumn *cols)
{
    CatalogTable *t = mem_calloc(1, sizeof *t);
    t->name = mem_strdup(name);
    t->temporary = temporary;
    t->ncols = ncols;
    t->cols = mem_calloc((size_t)ncols + 1, sizeof(TableColumn));
    LogicalType *types = mem_alloc(sizeof(LogicalType) * (size_t)(ncols + 1));
    for (int i = 0; i < ncols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].name = mem_strdup(cols[i].name);
        types[i] = cols[i].type;
    }
    memtable_init(&t->data, ncols, types);
    mem_free(types);
    if (c->ntables == c->cap_tables) {
        c->cap_tables = c->cap_tables ? c->cap_tables * 2 : 16;
        c->tables = mem_realloc(c->tables, sizeof(CatalogTable *) * (size_t)c->cap_tables);
    }
    c->tables[c->ntables++] = t;
    return t;
}

CatalogView *catalog_create_view(Catalog *c, const char *name, const char *sql, int naliases, char *const *aliases,
                                 int ncols, char *const *col_names, const LogicalType *col_types)
{
    CatalogView *v = mem_calloc(1, sizeof *v);
    v->name = mem_strdup(name);
    v->sql = mem_strdup(sql);
    v->naliases = naliases;
    v->aliases = mem_calloc((size_t)naliases + 1, sizeof(char *));
    for (int i = 0; i < naliases; i++) v->aliases[i] = mem_strdup(aliases[i]);
    v->ncols = ncols;
    v->col_names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    v->col_types = mem_calloc((size_t)ncols + 1, sizeof(LogicalType));
    for (int i = 0; i < ncols; i++) {
        v->col_names[i] = mem_strdup(col_names[i]);
        v->col_types[i] = col_types[i];
    }
    if (c->nviews == c->cap_views) {
        c->cap_views = c->cap_views ? c->cap_views * 2 : 16;
        c->views = mem_realloc(c->views, sizeof(CatalogView *) * (size_t)c->cap_views);
    }
    c->views[c->nviews++] = v;
    return v;
}

bool catalog_drop_table(Catalog *c, const char *name)
{
    for (int i = 0; i < c->ntables; i++) {
        if (strcmp(c->tables[i]->name, name) != 0) continue;
        free_table(c->tables[i]);
        memmove(&c->tables[i], &c->tables[i + 1], sizeof(CatalogTable *) * (size_t)(c->ntables - i - 1));
        c->ntables--;
        return true;
    }
    return false;
}

bool catalog_drop_view(Catalog *c, const char *name)
{
    for (int i = 0; i < c->nviews; i++) {
        if (strcmp(c->views[i]->name, name) != 0) continue;
        free_view(c->views[i]);
        memmove(&c->views[i], &c->views[i + 1], sizeof(CatalogView *) * (size_t)(c->nviews - i - 1));
        c->nviews--;
        return true;
    }
    return false;
}

struct RejectsStore *catalog_rejects(Catalog *c, const char *name, bool create)
{
    for (int i = 0; i < c->nrejects; i++)
        if (strcmp(c->rejects[i]->name, name) == 0) return c->rejects[i];
    if (!create) return NULL;
    if (c->nrejects == c->cap_rejects) {
        c->cap_rejects = c->cap_rejects ? c->cap_rejects * 2 : 8;
        c->rejects = mem_realloc(c->rejects, sizeof(RejectsStore *) * (size_t)c->cap_rejects);
    }
    RejectsStore *s = rejects_new(name);
    c->rejects[c->nrejects++] = s;
    return s;
}

void catalog_end_statement(Catalog *c, bool ok, const char *job, const char *logical_date)
{
    int64_t now = 0;
    for (int i = 0; i < c->nrejects; i++) {
        if (rejects_pending(c->rejects[i]) == 0) continue;
        if (now == 0) now = quarantine_now_micros();
        rejects_end_statement(c->rejects[i], ok, job, catalog_run_id(c), logical_date, now);
    }
}

const char *catalog_run_id(Catalog *c)
{
    if (c->run_id == NULL) {
        /* like the lake's run ids: UTC time, then random bits against collisions */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        time_t secs = ts.tv_sec;
        gmtime_r(&secs, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        unsigned seed = (unsigned)ts.tv_nsec ^ (unsigned)getpid() ^ (unsigned)(uintptr_t)c;
        c->run_id = mem_printf("%s-%08x", stamp, rand_r(&seed));
    }
    return c->run_id;
}
