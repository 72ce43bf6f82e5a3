/* libpq_api: libpq.so.5 opened on first use (see libpq_api.h).
 * The first call loads the library under pthread_once and keeps the table,
 * or the load's error, for the life of the process: later calls only read
 * them.  Memory: the static table. */
#include "connectors/libpq_api.h"


#include "common/dynlib.h"

static const DynSymbol symbols[] = {
    DYNLIB_SYMBOL(LibpqApi, cancel, PQcancel),
    DYNLIB_SYMBOL(LibpqApi, clear, PQclear),
    DYNLIB_SYMBOL(LibpqApi, connectdbParams, PQconnectdbParams),
    DYNLIB_SYMBOL(LibpqApi, errorMessage, PQerrorMessage),
    DYNLIB_SYMBOL(LibpqApi, exec, PQexec),
    DYNLIB_SYMBOL(LibpqApi, finish, PQfinish),
    DYNLIB_SYMBOL(LibpqApi, fmod, PQfmod),
    DYNLIB_SYMBOL(LibpqApi, fname, PQfname),
    DYNLIB_SYMBOL(LibpqApi, freeCancel, PQfreeCancel),
    DYNLIB_SYMBOL(LibpqApi, freemem, PQfreemem),
    DYNLIB_SYMBOL(LibpqApi, ftype, PQftype),
    DYNLIB_SYMBOL(LibpqApi, getCancel, PQgetCancel),
    DYNLIB_SYMBOL(LibpqApi, getCopyData, PQgetCopyData),
    DYNLIB_SYMBOL(LibpqApi, getResult, PQgetResult),
    DYNLIB_SYMBOL(LibpqApi, getvalue, PQgetvalue),
    DYNLIB_SYMBOL(LibpqApi, host, PQhost),
    DYNLIB_SYMBOL(LibpqApi, nfields, PQnfields),
    DYNLIB_SYMBOL(LibpqApi, ntuples, PQntuples),
    DYNLIB_SYMBOL(LibpqApi, port, PQport),
    DYNLIB_SYMBOL(LibpqApi, putCopyData, PQputCopyData),
    DYNLIB_SYMBOL(LibpqApi, putCopyEnd, PQputCopyEnd),
    DYNLIB_SYMBOL(LibpqApi, resultErrorMessage, PQresultErrorMessage),
    DYNLIB_SYMBOL(LibpqApi, resultStatus, PQresultStatus),
    DYNLIB_SYMBOL(LibpqApi, setNoticeProcessor, PQsetNoticeProcessor),
    DYNLIB_SYMBOL(LibpqApi, status, PQstatus),
    DYNLIB_SYMBOL(LibpqApi, transactionStatus, PQtransactionStatus),
    DYNLIB_SYMBOL(LibpqApi, user, PQuser),
};

static const char *const sonames[] = {"libpq.so.5", NULL};

static const DynLibrary library = {
    .feature = "PostgreSQL support",
    .sonames = sonames,
    .package = "libpq5",
    .symbols = symbols,
    .nsymbols = sizeof symbols / sizeof symbols[0],
};

static DynOnce state = DYN_ONCE_INIT;
static LibpqApi api;

static void load(void) { state.loaded = dynlib_load(&library, &api, &state.error); }

const LibpqApi *libpq_api(Error *err) { return dynlib_once(&state, load, err) ? &api : NULL; }
