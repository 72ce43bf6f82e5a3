/* s3_web_identity: the web identity provider (see s3_web_identity.h).
 * Memory: the token, the request body and STS's answer, freed (the token
 * wiped) before returning. */
#include "io/s3/s3_web_identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/fs.h"
#include "io/s3/s3_http.h"
#include "io/s3/s3_profile.h"
#include "io/s3/s3_sigv4.h"
#include "io/s3/s3_xml.h"

#define STS_TIMEOUT_MS 30000L
#define STS_ATTEMPTS 3

static void wipe_free(char *s)
{
    if (s) memset(s, 0, strlen(s));
    mem_free(s);
}

static char *env_or_profile(const S3Config *cfg, const char *env, const char *key)
{
    const char *v = getenv(env);
    if (v && *v) return mem_strdup(v);
    return s3_profile_value(cfg->profile, key, 0);
}

static char *sts_endpoint(const S3Config *cfg)
{
    const char *v = getenv("AWS_ENDPOINT_URL_STS");
    if (!v || !*v) v = getenv("AWS_ENDPOINT_URL");
    StrBuf sb = STRBUF_INIT;
    if (v && *v) strbuf_puts(&sb, v);
    else strbuf_printf(&sb, "https://sts.%s.amazonaws.com", cfg->region);
    while (sb.len > 0 && sb.data[sb.len - 1] == '/') sb.data[--sb.len] = '\0';
    return strbuf_take(&sb);
}

char *s3_web_identity_key(const S3Config *cfg)
{
    char *role = env_or_profile(cfg, "AWS_ROLE_ARN", "role_arn");
    char *file = env_or_profile(cfg, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    char *key = NULL;
    if (role || file) {
        char *endpoint = sts_endpoint(cfg);
        StrBuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%s|%s|%s", role ? role : "", file ? file : "", endpoint);
        key = strbuf_take(&sb);
        mem_free(endpoint);
    }
    mem_free(role);
    mem_free(file);
    return key;
}

/* What STS answered: the credentials, or an error's code and message. */
typedef struct StsAnswer {
    char *id, *secret, *token, *expiration;
    char *code, *message;
} StsAnswer;

static bool sts_leaf(void *ctx, const char *parent, const char *name, const char *text, size_t len)
{
    StsAnswer *a = ctx;
    char **slot = NULL;
    if (strcmp(parent, "Credentials") == 0) {
        if (strcmp(name, "AccessKeyId") == 0) slot = &a->id;
        else if (strcmp(name, "SecretAccessKey") == 0) slot = &a->secret;
        else if (strcmp(name, "SessionToken") == 0) slot = &a->token;
        else if (strcmp(name, "Expiration") == 0) slot = &a->expiration;
    } else if (strcmp(parent, "Error") == 0) {
        if (strcmp(name, "Code") == 0) slot = &a->code;
        else if (strcmp(name, "Message") == 0) slot = &a->message;
    }
    if (slot) {
        wipe_free(*slot);
        *slot = mem_strndup(text, len);
    }
    return true;
}

static void sts_answer_free(StsAnswer *a)
{
    mem_free(a->id);
    wipe_free(a->secret);
    wipe_free(a->token);
    mem_free(a->expiration);
    mem_free(a->code);
    mem_free(a->message);
    memset(a, 0, sizeof *a);
}

/* Append name=value (value form-encoded) to a form body. */
static void form_param(StrBuf *body, const char *name, const char *value)
{
    if (body->len) strbuf_putc(body, '&');
    strbuf_puts(body, name);
    strbuf_putc(body, '=');
    s3_uri_encode(body, value, false);
}

bool s3_web_identity_credentials(const S3Config *cfg, S3Credentials *out, bool *found, Error *err)
{
    *found = false;
    char *role = env_or_profile(cfg, "AWS_ROLE_ARN", "role_arn");
    char *file = env_or_profile(cfg, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    if (!role && !file) return true;
    if (!role || !file) {
        bool has_file = file != NULL;
        mem_free(role);
        mem_free(file);
        return error_set(err, ERR_IO,
                         "incomplete web identity configuration: %s is set but %s is not",
                         has_file ? "the token file (AWS_WEB_IDENTITY_TOKEN_FILE)" : "the role (AWS_ROLE_ARN)",
                         has_file ? "the role (AWS_ROLE_ARN)" : "the token file (AWS_WEB_IDENTITY_TOKEN_FILE)");
    }
    char *token = NULL;
    size_t token_len = 0;
    bool ok = fs_read_all(file, &token, &token_len, err);
    if (ok) {
        while (token_len > 0 && (token[token_len - 1] == '\n' || token[token_len - 1] == '\r' || token[token_len - 1] == ' '))
            token[--token_len] = '\0';
        if (token_len == 0) ok = error_set(err, ERR_IO, "the web identity token file \"%s\" is empty", file);
    } else {
        error_prefix(err, "could not read the web identity token file");
    }
    char *session = env_or_profile(cfg, "AWS_ROLE_SESSION_NAME", "role_session_name");
    if (session == NULL) {
        StrBuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "kiln-%lld", (long long)time(NULL));
        session = strbuf_take(&sb);
    }
    char *endpoint = sts_endpoint(cfg);
    StrBuf body = STRBUF_INIT;
    if (ok) {
        form_param(&body, "Action", "AssumeRoleWithWebIdentity");
        form_param(&body, "RoleArn", role);
        form_param(&body, "RoleSessionName", session);
        form_param(&body, "Version", "2011-06-15");
        form_param(&body, "WebIdentityToken", token);
    }
    S3HttpCall call;
    memset(&call, 0, sizeof call);
    StsAnswer a;
    memset(&a, 0, sizeof a);
    for (int attempt = 0; ok; attempt++) {
        call.method = "POST";
        call.url = endpoint;
        call.nheaders = 0;
        call.headers[call.nheaders++] = "Content-Type: application/x-www-form-urlencoded";
        call.headers[call.nheaders++] = "Accept: application/xml";
        call.body = body.data;
        call.body_len = body.len;
        call.timeout_ms = STS_TIMEOUT_MS;
        bool answered = s3_http_call(&call);
        sts_answer_free(&a);
        Error parse_err = ERROR_INIT;
        if (answered && call.response.len > 0)
            s3_xml_parse(call.response.data, call.response.len, sts_leaf, &a, NULL, &parse_err);
        bool transient = !answered || call.status == 500 || call.status == 503 ||
                         (a.code && (strcmp(a.code, "Throttling") == 0 || strcmp(a.code, "IDPCommunicationError") == 0));
        if (transient && attempt + 1 < STS_ATTEMPTS) {
            usleep((useconds_t)(200000u << attempt));
            continue;
        }
        double expires = 0;
        if (!answered) {
            ok = error_set(err, ERR_IO, "could not reach STS at %s to assume role \"%s\" with a web identity: %s", endpoint,
                           role, call.error);
        } else if (call.status != 200) {
            ok = error_set(err, ERR_IO, "STS refused to assume role \"%s\" with the web identity of \"%s\": HTTP %ld%s%s%s%s",
                           role, file, call.status, a.code ? " " : "", a.code ? a.code : "", a.message ? ": " : "",
                           a.message ? a.message : "");
        } else if (!a.id || !*a.id || !a.secret || !*a.secret || !a.expiration || !s3_parse_iso_time(a.expiration, &expires)) {
            ok = error_set(err, ERR_IO, "STS answered AssumeRoleWithWebIdentity for role \"%s\" without valid credentials",
                           role);
        } else {
            out->access_key_id = a.id;
            out->secret_access_key = a.secret;
            out->session_token = a.token && *a.token ? a.token : NULL;
            out->expires = expires;
            out->source = "web-identity";
            a.id = a.secret = NULL;
            if (out->session_token) a.token = NULL;
            *found = true;
        }
        break;
    }
    sts_answer_free(&a);
    if (call.response.data) memset(call.response.data, 0, call.response.len);
    s3_http_call_free(&call);
    if (body.data) memset(body.data, 0, body.len);
    strbuf_free(&body);
    mem_free(endpoint);
    mem_free(session);
    if (token) memset(token, 0, token_len);
    mem_free(token);
    mem_free(role);
    mem_free(file);
    return ok;
}
