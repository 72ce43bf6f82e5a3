/* s3_imds: the instance metadata provider (see s3_imds.h).  Memory: the
 * session token, the role name and the credentials document, freed before
 * returning. */
#include "io/s3/s3_imds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/json/json_text.h"
#include "io/s3/s3_http.h"

#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define IMDS_TIMEOUT_MS 1000L
#define CREDENTIALS_PATH "/latest/meta-data/iam/security-credentials/"

bool s3_imds_disabled(void)
{
    const char *v = getenv("AWS_EC2_METADATA_DISABLED");
    return v && strcasecmp(v, "true") == 0;
}

char *s3_imds_endpoint(void)
{
    const char *v = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, v && *v ? v : IMDS_DEFAULT_ENDPOINT);
    while (sb.len > 0 && sb.data[sb.len - 1] == '/') sb.data[--sb.len] = '\0';
    return strbuf_take(&sb);
}

static void wipe_free(char *s)
{
    if (s) memset(s, 0, strlen(s));
    mem_free(s);
}

/* The string member key of the top-level JSON object text (mem_alloc'ed), or NULL. */
static char *json_member(const char *text, size_t n, const char *key)
{
    const char *p = text, *end = text + n;
    JsonProblem problem;
    p = json_skip_ws(p, end);
    if (p >= end || *p != '{') return NULL;
    p = json_skip_ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *name_end, *value_end;
        bool escapes;
        JsonKind kind;
        if (!json_scan_string(p, end, &name_end, &escapes, &problem)) return NULL;
        const char *name = p + 1;
        size_t name_len = (size_t)(name_end - 1 - name);
        p = json_skip_ws(name_end, end);
        if (p >= end || *p != ':') return NULL;
        p = json_skip_ws(p + 1, end);
        const char *value = p;
        if (!json_scan_value(p, end, 16, &kind, &value_end, &problem)) return NULL;
        if (kind == JSON_STRING && name_len == strlen(key) && memcmp(name, key, name_len) == 0 && !escapes) {
            StrBuf out = STRBUF_INIT;
            json_unescape(value + 1, value_end - 1, &out);
            return strbuf_take(&out);
        }
        p = json_skip_ws(value_end, end);
        if (p < end && *p == ',') p = json_skip_ws(p + 1, end);
        else break;
    }
    return NULL;
}

bool s3_imds_credentials(S3Credentials *out, bool *found, Error *err)
{
    *found = false;
    if (s3_imds_disabled()) return true;
    char *base = s3_imds_endpoint();
    StrBuf url = STRBUF_INIT;
    S3HttpCall call;
    memset(&call, 0, sizeof call);
    call.timeout_ms = IMDS_TIMEOUT_MS;
    call.direct = true;

    /* the session token (IMDSv2) */
    strbuf_printf(&url, "%s/latest/api/token", base);
    call.method = "PUT";
    call.url = url.data;
    call.headers[call.nheaders++] = "X-aws-ec2-metadata-token-ttl-seconds: 21600";
    bool ok = true;
    if (!s3_http_call(&call) || call.status != 200 || call.response.len == 0 || call.response.len > 256) {
        /* not on EC2 (no answer), or a service without IMDSv2 tokens: no credentials here */
        s3_http_call_free(&call);
        strbuf_free(&url);
        mem_free(base);
        return true;
    }
    StrBuf token_header = STRBUF_INIT;
    strbuf_printf(&token_header, "X-aws-ec2-metadata-token: %.*s", (int)call.response.len, call.response.data);

    /* the role */
    strbuf_clear(&url);
    strbuf_printf(&url, "%s" CREDENTIALS_PATH, base);
    call.method = "GET";
    call.url = url.data;
    call.headers[0] = token_header.data;
    call.nheaders = 1;
    char *role = NULL;
    if (s3_http_call(&call) && call.status == 200 && call.response.len > 0) {
        size_t len = strcspn(call.response.data, "\r\n");
        if (len > 0 && len < 128 && !memchr(call.response.data, '/', len)) role = mem_strndup(call.response.data, len);
    } else if (call.status != 404 && call.status != 0) {
        ok = error_set(err, ERR_IO, "could not get the instance's IAM role from the instance metadata service (%s): HTTP %ld",
                       base, call.status);
    }

    /* its credentials */
    if (ok && role) {
        strbuf_clear(&url);
        strbuf_printf(&url, "%s" CREDENTIALS_PATH "%s", base, role);
        call.url = url.data;
        if (!s3_http_call(&call) || call.status != 200) {
            ok = error_set(err, ERR_IO,
                           "could not get the credentials of IAM role \"%s\" from the instance metadata service (%s): %s%ld",
                           role, base, call.status ? "HTTP " : "no answer, ", call.status);
        } else {
            const char *doc = call.response.data ? call.response.data : "";
            char *code = json_member(doc, call.response.len, "Code");
            char *id = json_member(doc, call.response.len, "AccessKeyId");
            char *secret = json_member(doc, call.response.len, "SecretAccessKey");
            char *session = json_member(doc, call.response.len, "Token");
            char *expiration = json_member(doc, call.response.len, "Expiration");
            double expires = 0;
            if (code && strcmp(code, "Success") != 0) {
                ok = error_set(err, ERR_IO, "the instance metadata service refused the credentials of IAM role \"%s\": %s",
                               role, code);
            } else if (!id || !*id || !secret || !*secret || !expiration || !s3_parse_iso_time(expiration, &expires)) {
                ok = error_set(err, ERR_IO,
                               "the instance metadata service answered an invalid credentials document for IAM role \"%s\"",
                               role);
            } else {
                out->access_key_id = id;
                out->secret_access_key = secret;
                out->session_token = session && *session ? session : NULL;
                out->expires = expires;
                out->source = "instance-metadata";
                id = secret = NULL;
                if (out->session_token) session = NULL;
                *found = true;
            }
            mem_free(code);
            mem_free(id);
            wipe_free(secret);
            wipe_free(session);
            mem_free(expiration);
        }
    }
    wipe_free(call.response.data ? strbuf_take(&call.response) : NULL);
    s3_http_call_free(&call);
    memset(token_header.data, 0, token_header.len);
    strbuf_free(&token_header);
    mem_free(role);
    strbuf_free(&url);
    mem_free(base);
    return ok;
}
