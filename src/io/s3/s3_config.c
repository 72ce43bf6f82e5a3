/* s3_config: process-wide S3 settings and their resolution (see s3_config.h).
 * Settings are stored as text (NULL = not set) under one mutex; typed values
 * are validated on SET and parsed again when a snapshot is taken. */
#include "io/s3/s3_config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/s3/s3_profile.h"

enum {
    S_REGION,
    S_ENDPOINT,
    S_URL_STYLE,
    S_USE_SSL,
    S_VERIFY_SSL,
    S_PROFILE,
    S_ACCESS_KEY_ID,
    S_SECRET_ACCESS_KEY,
    S_SESSION_TOKEN,
    S_PART_SIZE,
    S_CONCURRENCY,
    S_SSE,
    S_SSE_KMS_KEY_ID,
    S_RETRY_BUDGET,
    S_RETRIES, /* read-only counter */
    S_REQUESTS, /* read-only counters */
    S_COUNT
};

static const char *const names[] = {
    "s3_region",         "s3_endpoint",      "s3_url_style", "s3_use_ssl",     "s3_verify_ssl",
    "s3_profile",        "s3_access_key_id", "s3_secret_access_key", "s3_session_token", "s3_part_size",
    "s3_concurrency",    "s3_sse",           "s3_sse_kms_key_id", "s3_retry_budget", "s3_retries",
    "s3_requests",       NULL};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *values[S_COUNT]; /* NULL: not set */
static uint64_t retries;
/* requests sent (every attempt), by method: GET, HEAD, PUT, POST, DELETE */
static const char *const request_methods[] = {"GET", "HEAD", "PUT", "POST", "DELETE"};
#define NMETHODS 5
static uint64_t requests[NMETHODS];
static uint64_t bytes_received;

const char *const *s3_setting_names(void) { return names; }

bool s3_setting_handles(const char *name) { return strncmp(name, "s3_", 3) == 0; }

static int setting_index(const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0) {
        *out = false;
        return true;
    }
    return false;
}

/* "16MiB", "5 MB", "8388608" -> bytes. */
static bool parse_bytes(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0) return false;
    while (isspace((unsigned char)*end)) end++;
    static const struct { const char *unit; double mult; } units[] = {
        {"", 1}, {"b", 1}, {"bytes", 1}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
        {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = v * units[i].mult;
            if (bytes > 9.0e18) return false;
            *out = (int64_t)bytes;
            return true;
        }
    return false;
}

/* "30", "30s", "1500ms", "2min" -> seconds. */
static bool parse_seconds(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0 || v != v) return false;
    while (isspace((unsigned char)*end)) end++;
    if (*end == '\0' || strcasecmp(end, "s") == 0) *out = v;
    else if (strcasecmp(end, "ms") == 0) *out = v / 1000.0;
    else if (strcasecmp(end, "min") == 0) *out = v * 60.0;
    else return false;
    return *out <= 86400.0;
}

static bool validate(int i, const char *value, Error *err)
{
    const char *name = names[i];
    bool b;
    int64_t bytes;
    double seconds;
    switch (i) {
    case S_URL_STYLE:
        if (strcasecmp(value, "auto") && strcasecmp(value, "path") && strcasecmp(value, "vhost"))
            return error_set(err, ERR_SQL, "invalid value for parameter \"%s\": \"%s\" (auto, path or vhost)", name, value);
        return true;
    case S_USE_SSL:
    case S_VERIFY_SSL:
        if (!parse_bool(value, &b))
            return error_set(err, ERR_SQL, "invalid value for parameter \"%s\": \"%s\" (true or false)", name, value);
        return true;
    case S_PART_SIZE:
        if (!parse_bytes(value, &bytes) || bytes < S3_MIN_PART_SIZE || bytes > ((int64_t)5 << 30))
            return error_set(err, ERR_SQL,
                             "invalid value for parameter \"%s\": \"%s\" (a size from 5MiB to 5GiB, S3's part limits)",
                             name, value);
        return true;
    case S_CONCURRENCY: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || *end || end == value || v < 1 || v > 256)
            return error_set(err, ERR_SQL, "invalid value for parameter \"%s\": \"%s\" (an integer from 1 to 256)", name,
                             value);
        return true;
    }
    case S_SSE:
        if (*value && strcmp(value, "AES256") && strcmp(value, "aws:kms"))
            return error_set(err, ERR_SQL, "invalid value for parameter \"%s\": \"%s\" ('', AES256 or aws:kms)", name, value);
        return true;
    case S_RETRY_BUDGET:
        if (!parse_seconds(value, &seconds))
            return error_set(err, ERR_SQL, "invalid value for parameter \"%s\": \"%s\" (seconds, such as '30s' or '1500ms')",
                             name, value);
        return true;
    case S_RETRIES:
        return error_set(err, ERR_SQL, "parameter \"%s\" cannot be changed (it counts retried S3 requests)", name);
    case S_REQUESTS:
        return error_set(err, ERR_SQL, "parameter \"%s\" cannot be changed (it counts S3 requests)", name);
    default:
        return true;
    }
}

bool s3_setting_set(const char *name, const char *value, Error *err)
{
    int i = setting_index(name);
    if (i < 0) return error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
    if (!validate(i, value, err)) return false;
    pthread_mutex_lock(&lock);
    if (values[i]) memset(values[i], 0, strlen(values[i]));
    mem_free(values[i]);
    values[i] = mem_strdup(value);
    pthread_mutex_unlock(&lock);
    return true;
}

static void reset_one(int i)
{
    if (values[i]) memset(values[i], 0, strlen(values[i]));
    mem_free(values[i]);
    values[i] = NULL;
}

bool s3_setting_reset(const char *name, Error *err)
{
    bool all = strcmp(name, "all") == 0;
    int i = all ? -1 : setting_index(name);
    if (!all && i < 0) return error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
    pthread_mutex_lock(&lock);
    for (int k = 0; k < S_COUNT; k++)
        if (all || k == i) reset_one(k);
    pthread_mutex_unlock(&lock);
    return true;
}

/* A copy of setting i, or NULL (caller holds no lock). */
static char *get(int i)
{
    pthread_mutex_lock(&lock);
    char *v = values[i] ? mem_strdup(values[i]) : NULL;
    pthread_mutex_unlock(&lock);
    return v;
}

static char *first_env(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((v == NULL || *v == '\0') && b) v = getenv(b);
    return v && *v ? mem_strdup(v) : NULL;
}

void s3_config_load(S3Config *c)
{
    memset(c, 0, sizeof *c);
    c->profile = get(S_PROFILE);
    if (c->profile == NULL) c->profile = mem_strdup(s3_profile_name());
    c->region = get(S_REGION);
    if (c->region == NULL) c->region = first_env("AWS_REGION", "AWS_DEFAULT_REGION");
    if (c->region == NULL) c->region = s3_profile_value(c->profile, "region", 0);
    if (c->region == NULL || *c->region == '\0') {
        mem_free(c->region);
        c->region = mem_strdup("us-east-1");
    }
    c->endpoint = get(S_ENDPOINT);
    if (c->endpoint == NULL) c->endpoint = first_env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    if (c->endpoint == NULL) c->endpoint = s3_profile_value(c->profile, "endpoint_url", 0);
    if (c->endpoint == NULL) c->endpoint = mem_strdup("");
    char *v = get(S_URL_STYLE);
    c->url_style = v == NULL || strcasecmp(v, "auto") == 0 ? S3_URL_AUTO
                   : strcasecmp(v, "path") == 0            ? S3_URL_PATH
                                                           : S3_URL_VHOST;
    mem_free(v);
    v = get(S_USE_SSL);
    c->use_ssl = true;
    if (v) parse_bool(v, &c->use_ssl);
    mem_free(v);
    v = get(S_VERIFY_SSL);
    c->verify_ssl = true;
    if (v) parse_bool(v, &c->verify_ssl);
    mem_free(v);
    c->access_key_id = get(S_ACCESS_KEY_ID);
    c->secret_access_key = get(S_SECRET_ACCESS_KEY);
    c->session_token = get(S_SESSION_TOKEN);
    v = get(S_PART_SIZE);
    c->part_size = S3_DEFAULT_PART_SIZE;
    if (v) parse_bytes(v, &c->part_size);
    mem_free(v);
    v = get(S_CONCURRENCY);
    c->concurrency = v ? atoi(v) : 8;
    mem_free(v);
    c->sse = get(S_SSE);
    if (c->sse == NULL) c->sse = mem_strdup("");
    c->sse_kms_key_id = get(S_SSE_KMS_KEY_ID);
    if (c->sse_kms_key_id == NULL) c->sse_kms_key_id = mem_strdup("");
    v = get(S_RETRY_BUDGET);
    c->retry_budget = 30.0;
    if (v) parse_seconds(v, &c->retry_budget);
    mem_free(v);
}

static void free_secret(char *s)
{
    if (s) memset(s, 0, strlen(s));
    mem_free(s);
}

void s3_config_free(S3Config *c)
{
    mem_free(c->region);
    mem_free(c->endpoint);
    mem_free(c->profile);
    mem_free(c->access_key_id);
    free_secret(c->secret_access_key);
    free_secret(c->session_token);
    mem_free(c->sse);
    mem_free(c->sse_kms_key_id);
    memset(c, 0, sizeof *c);
}

bool s3_setting_show(const char *name, char **value, Error *err)
{
    int i = setting_index(name);
    if (i < 0) return error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
    if (i == S_REQUESTS) {
        *value = s3_request_counts_text();
        return true;
    }
    if (i == S_RETRIES) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, s3_retry_count());
        *value = mem_strdup(buf);
        return true;
    }
    if (i == S_SECRET_ACCESS_KEY || i == S_SESSION_TOKEN) {
        /* never print a secret, only whether one is set */
        pthread_mutex_lock(&lock);
        bool set = values[i] != NULL && values[i][0] != '\0';
        pthread_mutex_unlock(&lock);
        *value = mem_strdup(set ? "********" : "");
        return true;
    }
    /* the effective value, as an operation would resolve it now */
    S3Config c;
    s3_config_load(&c);
    char buf[64];
    const char *text = buf;
    switch (i) {
    case S_REGION: text = c.region; break;
    case S_ENDPOINT: text = c.endpoint; break;
    case S_URL_STYLE: text = c.url_style == S3_URL_AUTO ? "auto" : c.url_style == S3_URL_PATH ? "path" : "vhost"; break;
    case S_USE_SSL: text = c.use_ssl ? "true" : "false"; break;
    case S_VERIFY_SSL: text = c.verify_ssl ? "true" : "false"; break;
    case S_PROFILE: text = c.profile; break;
    case S_ACCESS_KEY_ID: text = c.access_key_id ? c.access_key_id : ""; break;
    case S_PART_SIZE:
        if (c.part_size % (1 << 20) == 0) snprintf(buf, sizeof buf, "%" PRId64 " MiB", c.part_size >> 20);
        else snprintf(buf, sizeof buf, "%" PRId64 " bytes", c.part_size);
        break;
    case S_CONCURRENCY: snprintf(buf, sizeof buf, "%d", c.concurrency); break;
    case S_SSE: text = c.sse; break;
    case S_SSE_KMS_KEY_ID: text = c.sse_kms_key_id; break;
    case S_RETRY_BUDGET: snprintf(buf, sizeof buf, "%gs", c.retry_budget); break;
    default: buf[0] = '\0'; break;
    }
    *value = mem_strdup(text);
    s3_config_free(&c);
    return true;
}

void s3_count_retry(void) { __atomic_add_fetch(&retries, 1, __ATOMIC_RELAXED); }

uint64_t s3_retry_count(void) { return __atomic_load_n(&retries, __ATOMIC_RELAXED); }

void s3_count_request(const char *method, uint64_t body_bytes)
{
    for (int i = 0; i < NMETHODS; i++)
        if (strcmp(method, request_methods[i]) == 0) __atomic_add_fetch(&requests[i], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&bytes_received, body_bytes, __ATOMIC_RELAXED);
}

char *s3_request_counts_text(void)
{
    StrBuf sb = STRBUF_INIT;
    for (int i = 0; i < NMETHODS; i++)
        strbuf_printf(&sb, "%s %" PRIu64 ", ", request_methods[i], __atomic_load_n(&requests[i], __ATOMIC_RELAXED));
    strbuf_printf(&sb, "bytes received %" PRIu64, __atomic_load_n(&bytes_received, __ATOMIC_RELAXED));
    return strbuf_take(&sb);
}
