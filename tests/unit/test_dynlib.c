/* Unit tests of the run-time library loader (common/dynlib.h): the first
 * soname that loads is used, a missing library or function gives an error
 * naming the feature, the soname and the package, and the tables of the
 * libraries kiln loads lazily (libpq, libcurl, libcrypto, libmariadb)
 * resolve against the installed versions. */
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "common/dynlib.h"
#include "connectors/libmariadb_api.h"
#include "connectors/libpq_api.h"
#include "io/s3/libcrypto_api.h"
#include "io/s3/libcurl_api.h"
#include "unit.h"

/* zlib: linked into kiln anyway, so the test can compare with direct calls */
typedef struct ZlibApi {
    __typeof__(zlibVersion) *zlibVersion;
    __typeof__(crc32) *crc32;
} ZlibApi;

static const DynSymbol zlib_symbols[] = {
    DYNLIB_SYMBOL(ZlibApi, zlibVersion, zlibVersion),
    DYNLIB_SYMBOL(ZlibApi, crc32, crc32),
};

TEST(dynlib_loads_the_first_soname_that_exists)
{
    static const char *const sonames[] = {"libkiln-no-such-library.so.9", "libz.so.1", NULL};
    DynLibrary lib = {"Test support", sonames, "zlib1g", zlib_symbols, 2};
    ZlibApi api;
    memset(&api, 0, sizeof api);
    Error err = ERROR_INIT;
    CHECK(dynlib_load(&lib, &api, &err));
    CHECK(!error_failed(&err));
    CHECK(api.zlibVersion != NULL && api.crc32 != NULL);
    if (api.zlibVersion) CHECK_EQ_STR(api.zlibVersion(), zlibVersion());
    if (api.crc32) CHECK_EQ_INT(api.crc32(0, (const Bytef *)"abc", 3), crc32(0, (const Bytef *)"abc", 3));
}

TEST(dynlib_missing_library_names_feature_soname_and_package)
{
    static const char *const sonames[] = {"libkiln-no-such-library.so.9", NULL};
    DynLibrary lib = {"Test support", sonames, "kiln-test-package", zlib_symbols, 2};
    ZlibApi api;
    Error err = ERROR_INIT;
    CHECK(!dynlib_load(&lib, &api, &err));
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK(strncmp(err.message, "Test support needs libkiln-no-such-library.so.9: ", 49) == 0);
    CHECK(strstr(err.message, "cannot open shared object file") != NULL);
    CHECK(strstr(err.message, "(install the kiln-test-package package)") != NULL);
}

TEST(dynlib_missing_function_is_an_error)
{
    static const char *const sonames[] = {"libz.so.1", NULL};
    /* a name zlib does not export (written out: DYNLIB_SYMBOL needs a declared function) */
    static const DynSymbol symbols[] = {
        DYNLIB_SYMBOL(ZlibApi, zlibVersion, zlibVersion),
        {"kiln_no_such_function", offsetof(ZlibApi, crc32)},
    };
    DynLibrary lib = {"Test support", sonames, NULL, symbols, 2};
    ZlibApi api;
    Error err = ERROR_INIT;
    CHECK(!dynlib_load(&lib, &api, &err));
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK(strncmp(err.message, "Test support needs libz.so.1: function kiln_no_such_function not found", 70) == 0);
    CHECK(strstr(err.message, "(install") == NULL); /* no package named */
}

TEST(dynlib_lazy_tables_resolve_against_installed_libraries)
{
    Error err = ERROR_INIT;
    const LibpqApi *pq = libpq_api(&err);
    CHECK(pq != NULL);
    if (pq) CHECK(pq->connectdbParams != NULL && pq->user != NULL);
    const LibcurlApi *curl = libcurl_api(&err);
    CHECK(curl != NULL);
    if (curl) CHECK(curl->easy_init != NULL && curl->slist_free_all != NULL);
    const LibcryptoApi *crypto = libcrypto_api(&err);
    CHECK(crypto != NULL);
    if (crypto) CHECK(crypto->EVP_Digest != NULL && crypto->HMAC != NULL);
    const LibmariadbApi *my = libmariadb_api(&err);
    CHECK(my != NULL);
    if (my) CHECK(my->init != NULL && my->store_result != NULL);
    CHECK(!error_failed(&err));
    /* a second call returns the same table */
    CHECK(libpq_api(&err) == pq);
}
