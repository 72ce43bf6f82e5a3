/* settings: the session's SET/SHOW parameters (threads, memory_limit, ...).
 * Each setting has a name, a current value kept as text, and a validator
 * that normalises what SET gives it. */
#ifndef KILN_SQL_SETTINGS_H
#define KILN_SQL_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* The environment variable that gives `warehouse` its starting value: how
 * the runner hands a job the project's warehouse without putting a URL
 * that may hold a password on the command line. */
#define KILN_WAREHOUSE_ENV "KILN_WAREHOUSE"

typedef struct Settings {
    int threads;             /* worker threads (default: the core count) */
    int64_t memory_limit;    /* bytes (default: 80% of physical memory) */
    char *temp_directory;    /* where operators spill */
    char *timezone;          /* accepted for compatibility; timestamps carry no zone */
    char *datestyle;         /* accepted for compatibility: always ISO, MDY */
    int64_t morsel_bytes;    /* target size of a parallel CSV scan's pieces */
    double lake_lock_timeout; /* seconds a lake write waits for another writer's lock (default 60) */
    char *lake_root;         /* where 'lake:<name>' targets and lake.<name> tables live (default: lake) */
    bool lake_root_set;      /* lake_root was given (SET, --set, a project): the lake is in use even before its folder exists */
    bool remote_filter_pushdown; /* read_postgres/read_mysql send filters to the server (default true) */
    char *warehouse;         /* COPY ... TO 'warehouse:t' target: 'sqlite:path' (default sqlite:warehouse.db) or a postgresql:// URL */
    char *redshift_emulate_copy; /* tests only: '' (default), or a file: Redshift loads log their SQL there and emulate COPY on PostgreSQL */
} Settings;

/* Fill s with the defaults. */
void settings_init(Settings *s);
/* Free the strings of s. */
void settings_destroy(Settings *s);
/* SET name = value (value as text); errors name the setting. */
bool settings_set(Settings *s, const char *name, const char *value, Error *err);
/* RESET name (back to the default); "all" resets every setting. */
bool settings_reset(Settings *s, const char *name, Error *err);
/* The current value of name as text (caller frees with mem_free). */
bool settings_show(const Settings *s, const char *name, char **value, Error *err);
/* Names of every setting, NULL-terminated. */
const char *const *settings_names(void);

#endif
