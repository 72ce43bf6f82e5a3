/* libcrypto_api: libcrypto.so.3 opened on first use (see libcrypto_api.h).
 * The first call loads the library under pthread_once and keeps the table,
 * or the load's error, for the life of the process: later calls only read
 * them.  Memory: the static table. */
#include "io/s3/libcrypto_api.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/dynlib.h"

static const DynSymbol symbols[] = {
    DYNLIB_SYMBOL(LibcryptoApi, EVP_Digest, EVP_Digest),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_DigestInit_ex, EVP_DigestInit_ex),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_DigestUpdate, EVP_DigestUpdate),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_DigestFinal_ex, EVP_DigestFinal_ex),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_EncodeBlock, EVP_EncodeBlock),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_MD_CTX_new, EVP_MD_CTX_new),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_MD_CTX_free, EVP_MD_CTX_free),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_md5, EVP_md5),
    DYNLIB_SYMBOL(LibcryptoApi, EVP_sha256, EVP_sha256),
    DYNLIB_SYMBOL(LibcryptoApi, HMAC, HMAC),
};

static const char *const sonames[] = {"libcrypto.so.3", NULL};

static const DynLibrary library = {
    .feature = "S3 support",
    .sonames = sonames,
    .package = "libssl3",
    .symbols = symbols,
    .nsymbols = sizeof symbols / sizeof symbols[0],
};

static DynOnce state = DYN_ONCE_INIT;
static LibcryptoApi api;

static void load(void) { state.loaded = dynlib_load(&library, &api, &state.error); }

const LibcryptoApi *libcrypto_api(Error *err) { return dynlib_once(&state, load, err) ? &api : NULL; }

const LibcryptoApi *libcrypto(void)
{
    if (!dynlib_once(&state, load, NULL)) {
        fprintf(stderr, "kiln: internal error: %s\n", state.error.message);
        exit(EXIT_INTERNAL);
    }
    return &api;
}
