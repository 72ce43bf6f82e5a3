/* conninfo: redacting and splitting connection strings (see conninfo.h). */
#include "connectors/conninfo.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"

char *conninfo_redact(const char *conninfo)
{
    StrBuf sb = STRBUF_INIT;
    const char *s = conninfo;
    const char *scheme = strstr(s, "://");
    if (scheme) {
        /* scheme://user:secret@host -> scheme://user@host */
        const char *auth = scheme + 3;
        const char *end = auth + strcspn(auth, "/?");
        const char *at = NULL;
        for (const char *p = auth; p < end; p++)
            if (*p == '@') at = p;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            strbuf_append(&sb, s, (size_t)(colon - s));
            s = at;
        }
    }
    /* password=... as a key=value pair or a URL parameter */
    while (*s) {
        const char *p = strcasestr(s, "password");
        if (p == NULL) break;
        const char *q = p + 8;
        while (*q == ' ') q++;
        if (*q != '=') {
            strbuf_append(&sb, s, (size_t)(q - s));
            s = q;
            continue;
        }
        q++;
        while (*q == ' ') q++;
        strbuf_append(&sb, s, (size_t)(q - s));
        strbuf_puts(&sb, "***");
        if (*q == '\'') {
            for (q++; *q && *q != '\''; q++)
                if (*q == '\\' && q[1]) q++;
            if (*q) q++;
        } else {
            while (*q && *q != '&' && !isspace((unsigned char)*q)) q++;
        }
        s = q;
    }
    strbuf_puts(&sb, s);
    return strbuf_take(&sb);
}

/* Words that name a secret when a value follows them. */
static const char *const secret_keywords[] = {
    "password", "passwd", "secret", "secret_access_key", "aws_secret_access_key", "session_token",
    "aws_session_token", NULL,
};

static bool identifier_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The keyword of secret_keywords that starts at text + i (whole word), or 0. */
static size_t secret_keyword_at(const char *text, size_t len, size_t i)
{
    if (i > 0 && identifier_char(text[i - 1])) return 0;
    for (int k = 0; secret_keywords[k]; k++) {
        size_t n = strlen(secret_keywords[k]);
        if (i + n <= len && strncasecmp(text + i, secret_keywords[k], n) == 0 &&
            (i + n == len || !identifier_char(text[i + n])))
            return n;
    }
    return 0;
}

/* The value after a secret keyword at text + i: [*start, *end); false if none. */
static bool secret_value(const char *text, size_t len, size_t i, size_t *start, size_t *end)
{
    while (i < len && (text[i] == ' ' || text[i] == '\t')) i++;
    if (i < len && (text[i] == '=' || text[i] == ':')) {
        i++;
        if (i < len && text[i] == '>') i++; /* name => 'value' */
        while (i < len && (text[i] == ' ' || text[i] == '\t')) i++;
    }
    if (i >= len) return false;
    if (i + 1 < len && text[i] == '\'' && text[i + 1] == '\'') {
        /* a quoted value inside a SQL string literal: ''secret'' */
        size_t j = i + 2;
        while (j + 1 < len && !(text[j] == '\'' && text[j + 1] == '\'')) j++;
        *start = i + 2;
        *end = j + 1 < len ? j : len;
    } else if (text[i] == '\'' || text[i] == '"') {
        char quote = text[i];
        size_t j = i + 1;
        while (j < len) {
            if (text[j] == quote && j + 1 < len && text[j + 1] == quote) {
                j += 2; /* a doubled quote stands for one */
                continue;
            }
            if (text[j] == quote) break;
            j++;
        }
        *start = i + 1;
        *end = j;
    } else {
        size_t j = i;
        while (j < len && !isspace((unsigned char)text[j]) && strchr("'\"&;,)", text[j]) == NULL) j++;
        *start = i;
        *end = j;
    }
    return *end > *start;
}

int conninfo_find_secrets(const char *text, size_t len, SecretSpan *spans, int max)
{
    int n = 0;
    for (size_t i = 0; i < len && n < max;) {
        if (i + 3 <= len && memcmp(text + i, "://", 3) == 0) {
            /* scheme://user:secret@host: the secret ends at the last @ of the authority */
            size_t auth = i + 3, end = auth, at = 0, colon = 0;
            while (end < len && strchr("/?#'\" \t\r\n", text[end]) == NULL) end++;
            for (size_t j = auth; j < end; j++)
                if (text[j] == '@') at = j;
            for (size_t j = auth; j < at; j++)
                if (text[j] == ':') {
                    colon = j;
                    break;
                }
            if (colon && at > colon + 1) spans[n++] = (SecretSpan){colon + 1, at};
            i = end > auth ? end : auth;
            continue;
        }
        size_t keyword = secret_keyword_at(text, len, i);
        size_t start, end;
        if (keyword && secret_value(text, len, i + keyword, &start, &end)) {
            spans[n++] = (SecretSpan){start, end};
            i = end;
            continue;
        }
        i += keyword ? keyword : 1;
    }
    return n;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s[0..n) percent-decoded (a NUL byte is refused: it would cut the value). */
static bool decode(const char *s, size_t n, char **out)
{
    char *d = mem_alloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int a = i + 1 < n ? hex_digit(s[i + 1]) : -1, b = i + 2 < n ? hex_digit(s[i + 2]) : -1;
            if (a < 0 || b < 0 || (a | b) == 0) {
                mem_free(d);
                return false;
            }
            d[k++] = (char)(a * 16 + b);
            i += 2;
            continue;
        }
        d[k++] = s[i];
    }
    d[k] = '\0';
    *out = d;
    return true;
}

static bool bad_url(const char *url, const char *why, Error *err)
{
    char *shown = conninfo_redact(url);
    error_set(err, ERR_SQL, "invalid connection URL \"%s\": %s", shown, why);
    mem_free(shown);
    return false;
}

bool conninfo_parse_url(const char *url, ConnUrl *out, Error *err)
{
    memset(out, 0, sizeof *out);
    const char *sep = strstr(url, "://");
    if (sep == NULL || sep == url) return bad_url(url, "expected scheme://user:password@host:port/database", err);
    out->scheme = mem_strndup(url, (size_t)(sep - url));
    const char *auth = sep + 3;
    const char *hostpart_end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < hostpart_end; p++)
        if (*p == '@') at = p;
    const char *host = auth;
    bool ok = true;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        const char *user_end = colon ? colon : at;
        if (user_end > auth && !decode(auth, (size_t)(user_end - auth), &out->user)) ok = false;
        if (ok && colon && !decode(colon + 1, (size_t)(at - colon - 1), &out->password)) ok = false;
        if (!ok) {
            conninfo_url_free(out);
            return bad_url(url, "a bad %-escape in the user or password", err);
        }
        host = at + 1;
    }
    const char *host_end = hostpart_end;
    const char *port = NULL;
    if (*host == '[') { /* [::1]:3306 */
        const char *close = memchr(host, ']', (size_t)(hostpart_end - host));
        if (close == NULL) {
            conninfo_url_free(out);
            return bad_url(url, "an unclosed [ in the host", err);
        }
        out->host = mem_strndup(host + 1, (size_t)(close - host - 1));
        if (close + 1 < hostpart_end && close[1] == ':') port = close + 2;
    } else {
        const char *colon = memchr(host, ':', (size_t)(hostpart_end - host));
        if (colon) {
            port = colon + 1;
            host_end = colon;
        }
        if (host_end > host) out->host = mem_strndup(host, (size_t)(host_end - host));
    }
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (end != hostpart_end || end == port || v < 1 || v > 65535) {
            conninfo_url_free(out);
            return bad_url(url, "the port must be a number from 1 to 65535", err);
        }
        out->port = (int)v;
    }
    const char *p = hostpart_end;
    if (*p == '/') {
        p++;
        size_t n = strcspn(p, "?");
        if (n > 0 && !decode(p, n, &out->database)) {
            conninfo_url_free(out);
            return bad_url(url, "a bad %-escape in the database", err);
        }
        p += n;
    }
    if (*p == '?') {
        p++;
        int cap = 1;
        for (const char *q = p; *q; q++) cap += *q == '&';
        out->keys = mem_calloc((size_t)cap, sizeof(char *));
        out->values = mem_calloc((size_t)cap, sizeof(char *));
        while (*p) {
            size_t n = strcspn(p, "&");
            const char *eq = memchr(p, '=', n);
            if (n > 0) {
                size_t kn = eq ? (size_t)(eq - p) : n;
                char *k = NULL, *v = NULL;
                if (!decode(p, kn, &k) || !decode(eq ? eq + 1 : "", eq ? n - kn - 1 : 0, &v)) {
                    mem_free(k);
                    conninfo_url_free(out);
                    return bad_url(url, "a bad %-escape in a parameter", err);
                }
                out->keys[out->nparams] = k;
                out->values[out->nparams++] = v;
            }
            p += n;
            if (*p == '&') p++;
        }
    }
    return true;
}

const char *conninfo_param(const ConnUrl *u, const char *key)
{
    for (int i = u->nparams - 1; i >= 0; i--)
        if (strcasecmp(u->keys[i], key) == 0) return u->values[i];
    return NULL;
}

void conninfo_url_free(ConnUrl *u)
{
    mem_free(u->scheme);
    mem_free(u->user);
    mem_free(u->password);
    mem_free(u->host);
    mem_free(u->database);
    for (int i = 0; i < u->nparams; i++) {
        mem_free(u->keys[i]);
        mem_free(u->values[i]);
    }
    mem_free(u->keys);
    mem_free(u->values);
    memset(u, 0, sizeof *u);
}
