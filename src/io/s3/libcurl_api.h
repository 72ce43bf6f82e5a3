/* libcurl_api: the libcurl functions kiln calls (the S3 client and the
 * plain HTTP of the credential providers), loaded on first use.
 *
 * kiln does not link libcurl: most runs never touch S3, and libcurl with
 * the libraries it needs (TLS, HTTP/2, SSH, LDAP, Kerberos ...) made up most
 * of every process's start-up time.  libcurl_api() opens libcurl.so.4 (the
 * OpenSSL flavour, Debian package libcurl4, which libcurl4-openssl-dev
 * builds against) once, resolves the functions below through
 * common/dynlib.h and runs curl_global_init; calls then go through the
 * table: `curl->easy_setopt(e, CURLOPT_URL, url)`.  The member types are
 * taken from curl/curl.h, so arguments are checked as in direct calls
 * (except curl's own setopt type-check macros, which only see direct
 * calls). */
#ifndef KILN_IO_S3_LIBCURL_API_H
#define KILN_IO_S3_LIBCURL_API_H

#include <curl/curl.h>

#include "common/error.h"

typedef struct LibcurlApi {
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_reset) *easy_reset;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_share_init) *share_init;
    __typeof__(curl_share_setopt) *share_setopt;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
} LibcurlApi;

/* The libcurl functions, loading libcurl and running curl_global_init on
 * the first call (thread-safe); NULL with err set (ERR_IO, "S3 support
 * needs libcurl.so.4: <reason> ...") if it cannot be loaded. */
const LibcurlApi *libcurl_api(Error *err);

#endif
