/* libsnappy_api: libsnappy.so.1 opened on first use (see libsnappy_api.h).
 * The first call loads the library under pthread_once and keeps the table,
 * or the load's error, for the life of the process: later calls only read
 * them (a page costs one pthread_once check).  Memory: the static table. */
#include "formats/parquet/libsnappy_api.h"


#include "common/dynlib.h"

static const DynSymbol symbols[] = {
    DYNLIB_SYMBOL(LibsnappyApi, compress, snappy_compress),
    DYNLIB_SYMBOL(LibsnappyApi, uncompress, snappy_uncompress),
    DYNLIB_SYMBOL(LibsnappyApi, uncompressed_length, snappy_uncompressed_length),
};

static const char *const sonames[] = {"libsnappy.so.1", NULL};

static const DynLibrary library = {
    .feature = "SNAPPY compression",
    .sonames = sonames,
    .package = "libsnappy1v5",
    .symbols = symbols,
    .nsymbols = sizeof symbols / sizeof symbols[0],
};

static DynOnce state = DYN_ONCE_INIT;
static LibsnappyApi api;

static void load(void) { state.loaded = dynlib_load(&library, &api, &state.error); }

const LibsnappyApi *libsnappy_api(Error *err) { return dynlib_once(&state, load, err) ? &api : NULL; }
