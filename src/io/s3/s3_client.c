/* s3_client: signed requests over libcurl with retries (see s3_client.h).
 *
 * s3_perform keeps one slot per request: an easy handle, the headers of the
 * current attempt and when the next attempt may start.  A curl multi handle
 * drives the running slots; finished ones are judged (done, or retried after
 * a jittered backoff) and waiting ones started while fewer than
 * cfg.concurrency run.  Each attempt is signed afresh (x-amz-date changes).
 * Connections, DNS answers and TLS sessions live in one process-wide curl
 * share handle, so they outlast a batch.  libcurl and libcrypto are loaded
 * by the first s3_client_open (io/s3/libcurl_api.h, libcrypto_api.h).
 * Memory: per slot, the signed header strings and the answer (error and XML
 * bodies; a GET's data goes straight into the caller's buffer). */
#include "io/s3/s3_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "io/s3/libcrypto_api.h"
#include "io/s3/libcurl_api.h"
#include "io/s3/s3_url.h"
#include "io/s3/s3_xml.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* an answer body kept in memory (errors, listings) may not exceed this */
#define MAX_RESPONSE_BYTES ((size_t)256 << 20)

/* ---- process-wide curl state ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
/* libcurl's functions (loaded on first use), or NULL with setup_error when
 * libcurl or libcrypto could not be loaded; set once by curl_setup, then
 * only read */
static const LibcurlApi *curl;
static Error setup_error = ERROR_INIT;
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *user)
{
    pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *user)
{
    pthread_mutex_unlock(&share_locks[data]);
}

static void curl_setup(void)
{
    /* the hashes of SigV4 and Content-MD5 need libcrypto: load it here, where a failure can be reported */
    if (libcrypto_api(&setup_error) == NULL) return;
    curl = libcurl_api(&setup_error); /* runs curl_global_init */
    if (curl == NULL) return;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    share = curl->share_init();
    curl->share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
    curl->share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl->share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl->share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl->share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

bool s3_client_open(S3Client *c, Error *err)
{
    pthread_once(&curl_once, curl_setup);
    if (curl == NULL) return error_set(err, setup_error.kind, "%s", setup_error.message);
    s3_config_load(&c->cfg);
    if (!s3_credentials_resolve(&c->cfg, &c->creds, err)) {
        s3_config_free(&c->cfg);
        return false;
    }
    pthread_mutex_init(&c->lock, NULL);
    return true;
}

void s3_client_close(S3Client *c)
{
    pthread_mutex_destroy(&c->lock);
    s3_credentials_free(&c->creds);
    s3_config_free(&c->cfg);
}

/* A copy of the client's credentials for one batch, fetched again first
 * when temporary ones are about to expire (an operation may outlive them). */
static bool credentials_snapshot(S3Client *c, S3Credentials *snap, Error *err)
{
    bool ok = true;
    pthread_mutex_lock(&c->lock);
    if (s3_credentials_expiring(&c->creds)) {
        S3Credentials fresh;
        ok = s3_credentials_resolve(&c->cfg, &fresh, err);
        if (ok) {
            s3_credentials_free(&c->creds);
            c->creds = fresh;
        }
    }
    if (ok) {
        snap->access_key_id = mem_strdup(c->creds.access_key_id);
        snap->secret_access_key = mem_strdup(c->creds.secret_access_key);
        snap->session_token = c->creds.session_token ? mem_strdup(c->creds.session_token) : NULL;
        snap->source = c->creds.source;
        snap->expires = c->creds.expires;
    }
    pthread_mutex_unlock(&c->lock);
    return ok;
}

void s3_request_init(S3Request *r, const char *method, const char *bucket, const char *key, const char *query)
{
    memset(r, 0, sizeof *r);
    r->method = method;
    r->bucket = bucket;
    r->key = key;
    r->query = query ? query : "";
}

void s3_request_header(S3Request *r, const char *name, const char *value)
{
    if (r->nheaders < S3_MAX_EXTRA_HEADERS) r->headers[r->nheaders++] = (S3Header){name, value};
}

void s3_request_free(S3Request *r)
{
    strbuf_free(&r->response);
}

/* ---- time and jitter ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double random_unit(void)
{
    static __thread uint64_t state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&state;
        if (state == 0) state = 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

/* ---- tracing (KILN_S3_TRACE=1: one line per attempt on stderr, for tests;
 * method, object, range and status only: never a header that could hold a
 * secret) ---- */

static bool trace_enabled(void)
{
    const char *v = getenv("KILN_S3_TRACE");
    return v && *v && strcmp(v, "0") != 0;
}

static void trace_request(const S3Request *r, CURLcode rc)
{
    const char *range = "";
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, "Range") == 0) range = r->headers[i].value;
    fprintf(stderr, "kiln-s3-trace: %s s3://%s/%s%s%s %s%s -> %ld%s%s\n", r->method, r->bucket, r->key,
            r->query[0] ? "?" : "", r->query, range, range[0] ? "" : "-", r->status, rc != CURLE_OK ? " " : "",
            rc != CURLE_OK ? curl->easy_strerror(rc) : "");
}

/* ---- one slot per request ---- */

typedef struct Slot {
    S3Request *r;
    CURL *easy;
    struct curl_slist *headers;
    StrBuf url;
    int attempt;
    double first_start;
    double not_before;
    bool running, done;
    CURLcode result;
} Slot;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    Slot *s = user;
    S3Request *r = s->r;
    size_t n = size * nmemb;
    long status = 0;
    curl->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (r->sink && status >= 200 && status < 300) {
        if (n > r->sink_cap - r->sink_len) return 0; /* more than asked for: abort the transfer */
        memcpy((char *)r->sink + r->sink_len, data, n);
        r->sink_len += n;
        return n;
    }
    if (r->response.len + n > MAX_RESPONSE_BYTES) return 0;
    strbuf_append(&r->response, data, n);
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    Slot *s = user;
    S3Request *r = s->r;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new answer (after 100 Continue or a redirect) */
        r->etag[0] = '\0';
        r->last_modified[0] = '\0';
        r->has_content_length = false;
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (colon == NULL) return n;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t vlen = (size_t)(end - v);
    if (name_len == 4 && strncasecmp(data, "etag", 4) == 0) {
        if (vlen >= sizeof r->etag) vlen = sizeof r->etag - 1;
        memcpy(r->etag, v, vlen);
        r->etag[vlen] = '\0';
    } else if (name_len == 13 && strncasecmp(data, "last-modified", 13) == 0) {
        if (vlen >= sizeof r->last_modified) vlen = sizeof r->last_modified - 1;
        memcpy(r->last_modified, v, vlen);
        r->last_modified[vlen] = '\0';
    } else if (name_len == 14 && strncasecmp(data, "content-length", 14) == 0) {
        char buf[32];
        if (vlen < sizeof buf) {
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            char *e;
            unsigned long long len = strtoull(buf, &e, 10);
            if (e != buf && *e == '\0') {
                r->content_length = (uint64_t)len;
                r->has_content_length = true;
            }
        }
    }
    return n;
}

static void add_header(struct curl_slist **list, const char *name, const char *value)
{
    StrBuf line = STRBUF_INIT;
    strbuf_printf(&line, "%s: %s", name, value);
    *list = curl->slist_append(*list, line.data);
    strbuf_free(&line);
}

/* Sign and configure the slot's next attempt. */
static void setup_attempt(S3Client *c, const S3Credentials *creds, Slot *s)
{
    S3Request *r = s->r;
    r->status = 0;
    r->sink_len = 0;
    r->etag[0] = '\0';
    r->last_modified[0] = '\0';
    r->has_content_length = false;
    r->transport_error[0] = '\0';
    strbuf_clear(&r->response);
    curl->slist_free_all(s->headers);
    s->headers = NULL;

    S3Target t;
    s3_target(&c->cfg, r->bucket, r->key, &t);
    strbuf_clear(&s->url);
    strbuf_puts(&s->url, strbuf_cstr(&t.url));
    if (r->query[0]) {
        strbuf_putc(&s->url, '?');
        strbuf_puts(&s->url, r->query);
    }
    char date[17];
    s3_amz_date((long long)time(NULL), date);
    char body_hash[65];
    if (r->body_sha256) snprintf(body_hash, sizeof body_hash, "%s", r->body_sha256);
    else if (r->body_len == 0) snprintf(body_hash, sizeof body_hash, "%s", EMPTY_SHA256);
    else s3_sha256_hex(r->body, r->body_len, body_hash);

    S3Header signed_headers[S3_MAX_EXTRA_HEADERS + 4];
    int n = 0;
    signed_headers[n++] = (S3Header){"host", strbuf_cstr(&t.host)};
    signed_headers[n++] = (S3Header){"x-amz-date", date};
    signed_headers[n++] = (S3Header){"x-amz-content-sha256", body_hash};
    if (creds->session_token) signed_headers[n++] = (S3Header){"x-amz-security-token", creds->session_token};
    for (int i = 0; i < r->nheaders; i++) signed_headers[n++] = r->headers[i];
    SigV4Request sr = {r->method, strbuf_cstr(&t.encoded_path), r->query, signed_headers, n, body_hash, date,
                       c->cfg.region, "s3"};
    StrBuf auth = STRBUF_INIT;
    s3_sigv4_sign(&sr, creds->access_key_id, creds->secret_access_key, &auth, NULL);
    for (int i = 1; i < n; i++) add_header(&s->headers, signed_headers[i].name, signed_headers[i].value);
    add_header(&s->headers, "Authorization", strbuf_cstr(&auth));
    s->headers = curl->slist_append(s->headers, "Expect:"); /* no 100-continue round trip */
    if (r->body || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0)
        s->headers = curl->slist_append(s->headers, strcmp(r->method, "POST") == 0 ? "Content-Type: application/xml"
                                                                                : "Content-Type: application/octet-stream");
    strbuf_free(&auth);
    s3_target_free(&t);

    CURL *e = s->easy;
    curl->easy_reset(e);
    curl->easy_setopt(e, CURLOPT_SHARE, share);
    curl->easy_setopt(e, CURLOPT_URL, s->url.data);
    curl->easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
    curl->easy_setopt(e, CURLOPT_PRIVATE, s);
    curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl->easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl->easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    /* a transfer that moves less than 1 byte/s for 30 s has stalled: retry it */
    curl->easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl->easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
    curl->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->cfg.verify_ssl ? 1L : 0L);
    curl->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->cfg.verify_ssl ? 2L : 0L);
    curl->easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl->easy_setopt(e, CURLOPT_ERRORBUFFER, r->transport_error);
    if (strcmp(r->method, "HEAD") == 0) {
        curl->easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") == 0) {
        curl->easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        if (r->body || strcmp(r->method, "DELETE") != 0) {
            curl->easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? (const char *)r->body : "");
            curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        }
        curl->easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    }
}

static bool retryable_status(long status)
{
    return status == 500 || status == 502 || status == 503 || status == 504 || status == 429 || status == 408;
}

static bool retryable_transport(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

bool s3_perform(S3Client *c, S3Request *reqs, int n, Error *err)
{
    if (n <= 0) return true;
    S3Credentials creds;
    if (!credentials_snapshot(c, &creds, err)) return false;
    Slot *slots = mem_calloc((size_t)n, sizeof *slots);
    CURLM *multi = curl->multi_init();
    double start = now_seconds();
    for (int i = 0; i < n; i++) {
        slots[i].r = &reqs[i];
        slots[i].easy = curl->easy_init();
        slots[i].first_start = start;
        slots[i].not_before = start;
    }
    int remaining = n, running = 0;
    int limit = c->cfg.concurrency > 0 ? c->cfg.concurrency : 1;
    while (remaining > 0) {
        double now = now_seconds();
        double next_wake = now + 1.0;
        for (int i = 0; i < n && running < limit; i++) {
            Slot *s = &slots[i];
            if (s->done || s->running) continue;
            if (s->not_before > now) {
                if (s->not_before < next_wake) next_wake = s->not_before;
                continue;
            }
            setup_attempt(c, &creds, s);
            curl->multi_add_handle(multi, s->easy);
            s->running = true;
            running++;
        }
        int still;
        curl->multi_perform(multi, &still);
        CURLMsg *msg;
        int queued;
        while ((msg = curl->multi_info_read(multi, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            Slot *s = NULL;
            curl->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            s->result = msg->data.result;
            curl->multi_remove_handle(multi, s->easy);
            s->running = false;
            running--;
            S3Request *r = s->r;
            long status = 0;
            if (s->result == CURLE_OK) curl->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
            r->status = status;
            s3_count_request(r->method, (uint64_t)r->sink_len + r->response.len);
            if (trace_enabled()) trace_request(r, s->result);
            bool retry = s->result == CURLE_OK ? retryable_status(status) : retryable_transport(s->result);
            if (s->result == CURLE_WRITE_ERROR && r->sink && r->sink_len == r->sink_cap) retry = false;
            if (retry) {
                double cap = 0.1 * (double)(1u << (s->attempt < 8 ? s->attempt : 8));
                if (cap > 20.0) cap = 20.0;
                double delay = random_unit() * cap;
                double t = now_seconds();
                if (t + delay - s->first_start <= c->cfg.retry_budget) {
                    s->attempt++;
                    s->not_before = t + delay;
                    s3_count_retry();
                    continue;
                }
            }
            s->done = true;
            r->retries = s->attempt;
            remaining--;
        }
        if (remaining == 0) break;
        now = now_seconds();
        int timeout_ms = (int)((next_wake - now) * 1000.0);
        if (timeout_ms < 0) timeout_ms = 0;
        if (timeout_ms > 1000) timeout_ms = 1000;
        if (running > 0) curl->multi_poll(multi, NULL, 0, timeout_ms, NULL);
        else if (timeout_ms > 0) usleep((useconds_t)timeout_ms * 1000);
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        Slot *s = &slots[i];
        if (ok && s->result != CURLE_OK) {
            S3Request *r = s->r;
            const char *reason = r->transport_error[0] ? r->transport_error : curl->easy_strerror(s->result);
            if (s->result == CURLE_WRITE_ERROR && r->sink)
                reason = "the server sent more bytes than the requested range";
            ok = error_set(err, ERR_IO, "S3 request %s s3://%s/%s failed: %s%s", r->method, r->bucket, r->key, reason,
                           s->attempt > 0 ? " (retries exhausted, see s3_retry_budget)" : "");
        }
        curl->easy_cleanup(s->easy);
        curl->slist_free_all(s->headers);
        strbuf_free(&s->url);
    }
    curl->multi_cleanup(multi);
    mem_free(slots);
    s3_credentials_free(&creds);
    return ok;
}

bool s3_request_error(const S3Request *r, const char *action, Error *err)
{
    char *code = NULL, *message = NULL;
    if (r->response.len > 0) s3_xml_error(r->response.data, r->response.len, &code, &message);
    const char *fallback = r->status == 404   ? "NoSuchKey"
                           : r->status == 403 ? "AccessDenied"
                           : r->status == 412 ? "PreconditionFailed"
                                              : "";
    error_set(err, ERR_IO, "%s \"s3://%s/%s\": HTTP %ld%s%s%s%s (S3 %s of bucket \"%s\", key \"%s\")", action,
              r->bucket, r->key, r->status, code || *fallback ? " " : "", code ? code : fallback,
              message ? ": " : "", message ? message : "", r->method, r->bucket, r->key);
    mem_free(code);
    mem_free(message);
    return false;
}
