/* libcurl_api: libcurl.so.4 opened on first use (see libcurl_api.h).
 * The first call loads the library under pthread_once and keeps the table,
 * or the load's error, for the life of the process: later calls only read
 * them.  Memory: the static table. */
#include "io/s3/libcurl_api.h"


#include "common/dynlib.h"

static const DynSymbol symbols[] = {
    DYNLIB_SYMBOL(LibcurlApi, easy_cleanup, curl_easy_cleanup),
    DYNLIB_SYMBOL(LibcurlApi, easy_getinfo, curl_easy_getinfo),
    DYNLIB_SYMBOL(LibcurlApi, easy_init, curl_easy_init),
    DYNLIB_SYMBOL(LibcurlApi, easy_perform, curl_easy_perform),
    DYNLIB_SYMBOL(LibcurlApi, easy_reset, curl_easy_reset),
    DYNLIB_SYMBOL(LibcurlApi, easy_setopt, curl_easy_setopt),
    DYNLIB_SYMBOL(LibcurlApi, easy_strerror, curl_easy_strerror),
    DYNLIB_SYMBOL(LibcurlApi, global_init, curl_global_init),
    DYNLIB_SYMBOL(LibcurlApi, multi_add_handle, curl_multi_add_handle),
    DYNLIB_SYMBOL(LibcurlApi, multi_cleanup, curl_multi_cleanup),
    DYNLIB_SYMBOL(LibcurlApi, multi_info_read, curl_multi_info_read),
    DYNLIB_SYMBOL(LibcurlApi, multi_init, curl_multi_init),
    DYNLIB_SYMBOL(LibcurlApi, multi_perform, curl_multi_perform),
    DYNLIB_SYMBOL(LibcurlApi, multi_poll, curl_multi_poll),
    DYNLIB_SYMBOL(LibcurlApi, multi_remove_handle, curl_multi_remove_handle),
    DYNLIB_SYMBOL(LibcurlApi, share_init, curl_share_init),
    DYNLIB_SYMBOL(LibcurlApi, share_setopt, curl_share_setopt),
    DYNLIB_SYMBOL(LibcurlApi, slist_append, curl_slist_append),
    DYNLIB_SYMBOL(LibcurlApi, slist_free_all, curl_slist_free_all),
};

static const char *const sonames[] = {"libcurl.so.4", NULL};

static const DynLibrary library = {
    .feature = "S3 support",
    .sonames = sonames,
    .package = "libcurl4",
    .symbols = symbols,
    .nsymbols = sizeof symbols / sizeof symbols[0],
};

static DynOnce state = DYN_ONCE_INIT;
static LibcurlApi api;

static void load(void)
{
    state.loaded = dynlib_load(&library, &api, &state.error);
    /* curl_global_init is not thread-safe: here it runs once, before any handle exists */
    if (state.loaded && api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        state.loaded = false;
        error_set(&state.error, ERR_IO, "S3 support: libcurl could not be initialised (curl_global_init failed)");
    }
}

const LibcurlApi *libcurl_api(Error *err) { return dynlib_once(&state, load, err) ? &api : NULL; }
