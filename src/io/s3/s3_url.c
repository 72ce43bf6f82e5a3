/* s3_url: s3:// path parsing and request addressing (see s3_url.h). */
#include "io/s3/s3_url.h"

#include <string.h>

#include "common/mem.h"
#include "io/s3/s3_sigv4.h"

bool s3_is_path(const char *path) { return strncmp(path, "s3://", 5) == 0; }

bool s3_parse_path(const char *path, S3Location *out, Error *err)
{
    out->bucket = out->key = NULL;
    if (!s3_is_path(path)) return error_set(err, ERR_IO, "not an S3 path: \"%s\"", path);
    const char *b = path + 5;
    const char *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    if (blen == 0) return error_set(err, ERR_IO, "invalid S3 path \"%s\": no bucket name", path);
    out->bucket = mem_strndup(b, blen);
    out->key = mem_strdup(slash ? slash + 1 : "");
    return true;
}

void s3_location_free(S3Location *loc)
{
    mem_free(loc->bucket);
    mem_free(loc->key);
    loc->bucket = loc->key = NULL;
}

void s3_target(const S3Config *cfg, const char *bucket, const char *key, S3Target *out)
{
    *out = (S3Target){STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    const char *scheme = cfg->use_ssl ? "https" : "http";
    const char *endpoint = cfg->endpoint;
    bool custom = endpoint[0] != '\0';
    if (strncmp(endpoint, "https://", 8) == 0) {
        scheme = "https";
        endpoint += 8;
    } else if (strncmp(endpoint, "http://", 7) == 0) {
        scheme = "http";
        endpoint += 7;
    }
    /* the endpoint's host[:port], without a trailing path */
    size_t host_len = strcspn(endpoint, "/");
    StrBuf base = STRBUF_INIT;
    if (custom) strbuf_append(&base, endpoint, host_len);
    else strbuf_printf(&base, "s3.%s.amazonaws.com", cfg->region);
    bool path_style;
    if (cfg->url_style == S3_URL_PATH) path_style = true;
    else if (cfg->url_style == S3_URL_VHOST) path_style = false;
    else path_style = custom || strchr(bucket, '.') != NULL;
    if (bucket[0] == '\0') path_style = true; /* the service itself */

    if (path_style) {
        strbuf_puts(&out->host, strbuf_cstr(&base));
        strbuf_putc(&out->encoded_path, '/');
        if (bucket[0]) {
            s3_uri_encode(&out->encoded_path, bucket, false);
            strbuf_putc(&out->encoded_path, '/');
        }
    } else {
        strbuf_printf(&out->host, "%s.%s", bucket, strbuf_cstr(&base));
        strbuf_putc(&out->encoded_path, '/');
    }
    s3_uri_encode(&out->encoded_path, key, true);
    /* "http://h:80" and "https://h:443" send Host without the port */
    const char *port = strrchr(strbuf_cstr(&out->host), ':');
    if (port && ((strcmp(scheme, "http") == 0 && strcmp(port, ":80") == 0) ||
                 (strcmp(scheme, "https") == 0 && strcmp(port, ":443") == 0))) {
        out->host.len = (size_t)(port - out->host.data);
        out->host.data[out->host.len] = '\0';
    }
    strbuf_printf(&out->url, "%s://%s%s", scheme, strbuf_cstr(&out->host), strbuf_cstr(&out->encoded_path));
    strbuf_free(&base);
}

void s3_target_free(S3Target *t)
{
    strbuf_free(&t->url);
    strbuf_free(&t->host);
    strbuf_free(&t->encoded_path);
}
