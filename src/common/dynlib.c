/* dynlib: dlopen a library by soname and resolve its functions into a
 * table (see dynlib.h).
 *
 * The sonames are tried in order with RTLD_NOW (every undefined symbol of
 * the library is bound now, so a broken installation fails here, with a
 * message, rather than at some later call) and RTLD_LOCAL (its symbols do
 * not become visible to libraries loaded later).  Each symbol is looked up
 * with dlsym; a missing one closes the library again and fails the load.
 * Memory: none of kiln's. */
#include "common/dynlib.h"

#include <assert.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* A table member is a function pointer written from dlsym's void *: POSIX
 * guarantees the two have the same size and representation. */
static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers are not the size of data pointers");

/* The sonames of lib as "a or b or c" (for messages). */
static void soname_list(const DynLibrary *lib, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; lib->sonames[i] != NULL && len < size; i++) {
        int n = snprintf(out + len, size - len, "%s%s", i > 0 ? " or " : "", lib->sonames[i]);
        if (n < 0) break;
        len += (size_t)n;
    }
}

/* Record a failed load: "<feature> needs <sonames>: <reason>[ (install <package>)]". */
static bool load_error(const DynLibrary *lib, const char *reason, Error *err)
{
    char names[256];
    soname_list(lib, names, sizeof names);
    return error_set(err, ERR_IO, "%s needs %s: %s%s%s%s", lib->feature, names, reason ? reason : "unknown reason",
                     lib->package ? " (install the " : "", lib->package ? lib->package : "",
                     lib->package ? " package)" : "");
}

bool dynlib_load(const DynLibrary *lib, void *table, Error *err)
{
    void *handle = NULL;
    char first_reason[512] = "no soname given";
    for (int i = 0; lib->sonames[i] != NULL && handle == NULL; i++) {
        handle = dlopen(lib->sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL && i == 0) {
            const char *why = dlerror();
            snprintf(first_reason, sizeof first_reason, "%s", why ? why : "cannot be loaded");
        }
    }
    if (handle == NULL) return load_error(lib, first_reason, err);

    for (size_t i = 0; i < lib->nsymbols; i++) {
        dlerror(); /* clear, so that a NULL from dlsym can be told from an error */
        void *address = dlsym(handle, lib->symbols[i].name);
        const char *why = dlerror();
        if (address == NULL) {
            char reason[600];
            snprintf(reason, sizeof reason, "function %s not found (%s)", lib->symbols[i].name,
                     why ? why : "it is NULL");
            dlclose(handle);
            return load_error(lib, reason, err);
        }
        memcpy((char *)table + lib->symbols[i].offset, &address, sizeof address);
    }
    return true;
}

bool dynlib_once(DynOnce *o, void (*load)(void), Error *err)
{
    pthread_once(&o->once, load);
    if (o->loaded) return true;
    if (err) error_set(err, o->error.kind, "%s", o->error.message);
    return false;
}
