/* dynlib: loading a shared library at run time (dlopen) and resolving the
 * functions kiln calls from it into a table of function pointers.
 *
 * Why: libcurl (S3), libpq (PostgreSQL, Redshift) and libmariadb (MySQL)
 * drag in some 30 further libraries (TLS, Kerberos, LDAP, ...) whose
 * relocation and constructors cost every kiln process most of its start-up
 * time, although most runs use none of them.  Each is opened on first use by
 * a small file of its own (io/s3/libcurl_api.c, connectors/libpq_api.c,
 * connectors/libmariadb_api.c) that describes its table with DynSymbol
 * entries and calls dynlib_load once (pthread_once).
 *
 * A table is a struct made only of function pointers whose types come from
 * the library's own header (`__typeof__(PQexec) *exec;`), so calls through it
 * are type-checked as direct calls are.  A library that is absent, or that
 * lacks one of the functions, gives an ERR_IO naming the feature, the
 * soname and the loader's reason; the table is then left unusable.  Loaded
 * libraries stay loaded for the life of the process (never dlclose'd).
 * Memory: none of kiln's; the dynamic loader's own. */
#ifndef KILN_COMMON_DYNLIB_H
#define KILN_COMMON_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* One function of a library: its exported name and where its address goes
 * in the table (offsetof the function pointer member). */
typedef struct DynSymbol {
    const char *name;
    size_t offset;
} DynSymbol;

/* A table entry: the library's function `function` (its name, looked up
 * with dlsym) stored into member `member` of `Table`.  The sizeof term adds
 * nothing; it compares the function's address with the member, so that a
 * member whose type is not that function's fails to compile (distinct
 * pointer types). */
#define DYNLIB_SYMBOL(Table, member, function) \
    {#function, offsetof(Table, member) + 0 * sizeof(&function == ((Table *)0)->member)}

/* A library to load. */
typedef struct DynLibrary {
    const char *feature;          /* what needs it, for errors: "S3 support" */
    const char *const *sonames;   /* tried in order, NULL-terminated: "libpq.so.5" */
    const char *package;          /* the Debian package that installs it, for errors; NULL: none named */
    const DynSymbol *symbols;
    size_t nsymbols;
} DynLibrary;

/* Open the first of lib's sonames that loads and store the address of each
 * of its symbols into table (a struct of function pointers); false with err
 * set ("<feature> needs <soname>: <reason> (install <package>)") if none loads or a symbol is
 * missing (then nothing is kept open). */
bool dynlib_load(const DynLibrary *lib, void *table, Error *err);

/* A library loaded once per process, on first use: whether that worked
 * and, if not, why (kept for every later caller). */
typedef struct DynOnce {
    pthread_once_t once;
    bool loaded;  /* set by the load function */
    Error error;  /* set by the load function when it fails */
} DynOnce;
#define DYN_ONCE_INIT {PTHREAD_ONCE_INIT, false, ERROR_INIT}

/* Run load (which sets o->loaded, and o->error on failure) the first time
 * only, under pthread_once; true if the library is loaded, else false with
 * err (if not NULL) set to o->error. */
bool dynlib_once(DynOnce *o, void (*load)(void), Error *err);

#endif
