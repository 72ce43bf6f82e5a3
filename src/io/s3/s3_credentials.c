/* s3_credentials: the credentials chain (see s3_credentials.h).  Each
 * provider either gives a complete key pair or nothing; a half-configured
 * provider (a key id without a secret) is an error rather than a silent
 * fall-through to the next one, which would sign with someone else's keys. */
#include "io/s3/s3_credentials.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/s3/s3_imds.h"
#include "io/s3/s3_profile.h"
#include "io/s3/s3_web_identity.h"

/* temporary credentials are fetched again this long before they expire */
#define REFRESH_MARGIN_SECONDS 300.0

static void wipe_free(char *s)
{
    if (s) memset(s, 0, strlen(s));
    mem_free(s);
}

void s3_credentials_free(S3Credentials *c)
{
    mem_free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    memset(c, 0, sizeof *c);
}

static bool nonempty(const char *s) { return s != NULL && *s != '\0'; }

/* Take a provider's pair: true when complete, false (nothing taken) when
 * absent; an error when only one half is there. */
static bool take(S3Credentials *out, char *id, char *secret, char *token, const char *source, const char *where,
                 bool *found, Error *err)
{
    *found = false;
    if (!nonempty(id) && !nonempty(secret)) {
        mem_free(id);
        wipe_free(secret);
        wipe_free(token);
        return true;
    }
    if (!nonempty(id) || !nonempty(secret)) {
        bool has_id = nonempty(id);
        mem_free(id);
        wipe_free(secret);
        wipe_free(token);
        return error_set(err, ERR_IO, "incomplete S3 credentials in %s: %s is set but %s is not", where,
                         has_id ? "the access key id" : "the secret access key",
                         has_id ? "the secret access key" : "the access key id");
    }
    out->access_key_id = id;
    out->secret_access_key = secret;
    out->session_token = nonempty(token) ? token : NULL;
    if (out->session_token == NULL) wipe_free(token);
    out->source = source;
    *found = true;
    return true;
}

static char *env_copy(const char *name)
{
    const char *v = getenv(name);
    return v ? mem_strdup(v) : NULL;
}

bool s3_credentials_expiring(const S3Credentials *c)
{
    return c->expires > 0 && (double)time(NULL) + REFRESH_MARGIN_SECONDS >= c->expires;
}

static char *copy_or_null(const char *s) { return s ? mem_strdup(s) : NULL; }

static void credentials_copy(S3Credentials *dst, const S3Credentials *src)
{
    dst->access_key_id = mem_strdup(src->access_key_id);
    dst->secret_access_key = mem_strdup(src->secret_access_key);
    dst->session_token = copy_or_null(src->session_token);
    dst->source = src->source;
    dst->expires = src->expires;
}

/* ---- the cache of temporary credentials (web identity, instance metadata) ---- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_key; /* which provider and configuration fetched cached */
static S3Credentials cached;

typedef bool (*FetchFn)(const S3Config *cfg, S3Credentials *out, bool *found, Error *err);

static bool fetch_web_identity(const S3Config *cfg, S3Credentials *out, bool *found, Error *err)
{
    return s3_web_identity_credentials(cfg, out, found, err);
}

static bool fetch_imds(const S3Config *cfg, S3Credentials *out, bool *found, Error *err)
{
    return s3_imds_credentials(out, found, err);
}

/* Temporary credentials from fetch, through the cache under key (the
 * lock is held while fetching, so concurrent operations fetch once). */
static bool cached_provider(const S3Config *cfg, const char *key, FetchFn fetch, S3Credentials *out, bool *found,
                            Error *err)
{
    *found = false;
    pthread_mutex_lock(&cache_lock);
    bool ok = true;
    if (cache_key && strcmp(cache_key, key) == 0 && !s3_credentials_expiring(&cached)) {
        credentials_copy(out, &cached);
        *found = true;
    } else {
        S3Credentials fresh;
        memset(&fresh, 0, sizeof fresh);
        ok = fetch(cfg, &fresh, found, err);
        if (ok && *found) {
            s3_credentials_free(&cached);
            mem_free(cache_key);
            cache_key = mem_strdup(key);
            cached = fresh;
            credentials_copy(out, &cached);
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return ok;
}

bool s3_credentials_resolve(const S3Config *cfg, S3Credentials *out, Error *err)
{
    memset(out, 0, sizeof *out);
    bool found;
    if (!take(out, cfg->access_key_id ? mem_strdup(cfg->access_key_id) : NULL,
              cfg->secret_access_key ? mem_strdup(cfg->secret_access_key) : NULL,
              cfg->session_token ? mem_strdup(cfg->session_token) : NULL, "settings",
              "the settings (s3_access_key_id, s3_secret_access_key)", &found, err))
        return false;
    if (found) return true;
    if (!take(out, env_copy("AWS_ACCESS_KEY_ID"), env_copy("AWS_SECRET_ACCESS_KEY"), env_copy("AWS_SESSION_TOKEN"),
              "environment", "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", &found, err))
        return false;
    if (found) return true;
    char *web_key = s3_web_identity_key(cfg);
    if (web_key) {
        bool ok = cached_provider(cfg, web_key, fetch_web_identity, out, &found, err);
        mem_free(web_key);
        if (!ok || found) return ok;
    }
    for (int file = 1; file >= 0; file--) {
        char where[300];
        snprintf(where, sizeof where, "profile \"%s\" of the AWS %s file", cfg->profile,
                 file ? "credentials" : "config");
        if (!take(out, s3_profile_value(cfg->profile, "aws_access_key_id", file),
                  s3_profile_value(cfg->profile, "aws_secret_access_key", file),
                  s3_profile_value(cfg->profile, "aws_session_token", file), "profile", where, &found, err))
            return false;
        if (found) return true;
    }
    if (!s3_imds_disabled()) {
        char *endpoint = s3_imds_endpoint();
        StrBuf key = STRBUF_INIT;
        strbuf_printf(&key, "imds|%s", endpoint);
        bool ok = cached_provider(cfg, key.data, fetch_imds, out, &found, err);
        strbuf_free(&key);
        mem_free(endpoint);
        if (!ok || found) return ok;
    }
    return error_set(err, ERR_IO,
                     "no S3 credentials found: set s3_access_key_id and s3_secret_access_key, or AWS_ACCESS_KEY_ID "
                     "and AWS_SECRET_ACCESS_KEY, or give profile \"%s\" keys in ~/.aws/credentials, or configure "
                     "a web identity (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE); the EC2 instance metadata "
                     "service %s (container, SSO and credential_process credentials are not supported)",
                     cfg->profile, s3_imds_disabled() ? "is disabled (AWS_EC2_METADATA_DISABLED)" : "gave none");
}
