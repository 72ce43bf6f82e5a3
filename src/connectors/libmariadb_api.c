/* libmariadb_api: libmariadb.so.3 opened on first use (see
 * libmariadb_api.h).  The first call loads the library under pthread_once,
 * runs mysql_library_init, and keeps the table, or the load's error, for the
 * life of the process: later calls only read them.  Memory: the static
 * table (and the library's own global state). */
#include "connectors/libmariadb_api.h"


#include "common/dynlib.h"

static const DynSymbol symbols[] = {
    DYNLIB_SYMBOL(LibmariadbApi, close, mysql_close),
    DYNLIB_SYMBOL(LibmariadbApi, error, mysql_error),
    DYNLIB_SYMBOL(LibmariadbApi, fetch_fields, mysql_fetch_fields),
    DYNLIB_SYMBOL(LibmariadbApi, fetch_row, mysql_fetch_row),
    DYNLIB_SYMBOL(LibmariadbApi, free_result, mysql_free_result),
    DYNLIB_SYMBOL(LibmariadbApi, init, mysql_init),
    DYNLIB_SYMBOL(LibmariadbApi, num_fields, mysql_num_fields),
    DYNLIB_SYMBOL(LibmariadbApi, optionsv, mysql_optionsv),
    DYNLIB_SYMBOL(LibmariadbApi, query, mysql_query),
    DYNLIB_SYMBOL(LibmariadbApi, real_connect, mysql_real_connect),
    DYNLIB_SYMBOL(LibmariadbApi, real_escape_string, mysql_real_escape_string),
    DYNLIB_SYMBOL(LibmariadbApi, real_query, mysql_real_query),
    DYNLIB_SYMBOL(LibmariadbApi, server_init, mysql_server_init),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_bind_result, mysql_stmt_bind_result),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_close, mysql_stmt_close),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_error, mysql_stmt_error),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_execute, mysql_stmt_execute),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_fetch, mysql_stmt_fetch),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_fetch_column, mysql_stmt_fetch_column),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_field_count, mysql_stmt_field_count),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_init, mysql_stmt_init),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_prepare, mysql_stmt_prepare),
    DYNLIB_SYMBOL(LibmariadbApi, stmt_result_metadata, mysql_stmt_result_metadata),
    DYNLIB_SYMBOL(LibmariadbApi, store_result, mysql_store_result),
};

static const char *const sonames[] = {"libmariadb.so.3", NULL};

static const DynLibrary library = {
    .feature = "MySQL support",
    .sonames = sonames,
    .package = "libmariadb3",
    .symbols = symbols,
    .nsymbols = sizeof symbols / sizeof symbols[0],
};

static DynOnce state = DYN_ONCE_INIT;
static LibmariadbApi api;

static void load(void)
{
    state.loaded = dynlib_load(&library, &api, &state.error);
    /* mysql_library_init is not thread-safe: run it once, before any thread connects */
    if (state.loaded && api.server_init(0, NULL, NULL) != 0) {
        state.loaded = false;
        error_set(&state.error, ERR_IO, "MySQL support: libmariadb could not be initialised (mysql_library_init failed)");
    }
}

const LibmariadbApi *libmariadb_api(Error *err) { return dynlib_once(&state, load, err) ? &api : NULL; }
