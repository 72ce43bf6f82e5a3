/* s3_http: plain HTTP requests for the credential providers (see s3_http.h).
 * libcurl is loaded on the first call (io/s3/libcurl_api.h).
 * Memory: the answer body (1 MiB at most) and curl's header list. */
#include "io/s3/s3_http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "io/s3/libcurl_api.h"

#define MAX_ANSWER_BYTES ((size_t)1 << 20)

static size_t on_answer(char *data, size_t size, size_t nmemb, void *user)
{
    StrBuf *sb = user;
    size_t n = size * nmemb;
    if (sb->len + n > MAX_ANSWER_BYTES) return 0; /* not a credential document: abort */
    strbuf_append(sb, data, n);
    return n;
}

bool s3_http_call(S3HttpCall *call)
{
    call->status = 0;
    call->error[0] = '\0';
    strbuf_clear(&call->response);
    Error load_err = ERROR_INIT;
    const LibcurlApi *curl = libcurl_api(&load_err);
    if (curl == NULL) {
        snprintf(call->error, sizeof call->error, "%.*s", (int)sizeof call->error - 1, load_err.message);
        return false;
    }
    CURL *e = curl->easy_init();
    if (e == NULL) {
        snprintf(call->error, sizeof call->error, "could not start an HTTP request");
        return false;
    }
    struct curl_slist *headers = NULL;
    for (int i = 0; i < call->nheaders; i++) headers = curl->slist_append(headers, call->headers[i]);
    headers = curl->slist_append(headers, "Expect:");
    curl->easy_setopt(e, CURLOPT_URL, call->url);
    curl->easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
    curl->easy_setopt(e, CURLOPT_WRITEDATA, &call->response);
    curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt(e, CURLOPT_TIMEOUT_MS, call->timeout_ms > 0 ? call->timeout_ms : 10000L);
    curl->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, call->timeout_ms > 0 ? call->timeout_ms : 10000L);
    curl->easy_setopt(e, CURLOPT_ERRORBUFFER, call->error);
    if (call->direct) curl->easy_setopt(e, CURLOPT_PROXY, "");
    if (strcmp(call->method, "GET") == 0) {
        curl->easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl->easy_setopt(e, CURLOPT_POSTFIELDS, call->body ? call->body : "");
        curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(call->body ? call->body_len : 0));
        curl->easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
    }
    CURLcode rc = curl->easy_perform(e);
    if (rc == CURLE_OK) {
        curl->easy_getinfo(e, CURLINFO_RESPONSE_CODE, &call->status);
    } else if (call->error[0] == '\0') {
        snprintf(call->error, sizeof call->error, "%s", curl->easy_strerror(rc));
    }
    curl->slist_free_all(headers);
    curl->easy_cleanup(e);
    return rc == CURLE_OK;
}

void s3_http_call_free(S3HttpCall *call)
{
    strbuf_free(&call->response);
}

/* Seconds since the epoch of an HTTP date ("Wed, 26 Nov 2026 01:23:45 GMT"); false if it is not one. */
bool s3_parse_http_date(const char *text, double *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0') return false;
    *out = (double)timegm(&tm);
    return true;
}

/* Seconds since the epoch of an ISO 8601 UTC time ("2026-11-26T01:23:45.123Z"). */
bool s3_parse_iso_time(const char *text, double *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    double sec = 0;
    int used = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%lf%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec,
               &used) != 6 || strcmp(text + used, "Z") != 0 || sec < 0 || sec >= 61)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (double)timegm(&tm) + sec;
    return true;
}
