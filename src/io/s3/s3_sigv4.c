/* s3_sigv4: AWS Signature Version 4 (see s3_sigv4.h).
 *
 * Canonical request = method, path, sorted query, canonical headers, signed
 * header names, payload hash, one per line; string to sign = algorithm, date,
 * scope and the hex SHA-256 of the canonical request; the signing key is the
 * HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
 * The hashes are libcrypto's, loaded on first use (io/s3/libcrypto_api.h).
 * Memory: a few small heap strings per signature, freed before returning. */
#include "io/s3/s3_sigv4.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "io/s3/libcrypto_api.h"

static void hex_encode(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void s3_sha256_hex(const void *data, size_t n, char hex[65])
{
    const LibcryptoApi *crypto = libcrypto();
    unsigned char digest[32];
    unsigned int len = 0;
    crypto->EVP_Digest(data, n, digest, &len, crypto->EVP_sha256(), NULL);
    hex_encode(digest, 32, hex);
}

void s3_md5_base64(const void *data, size_t n, char b64[25])
{
    const LibcryptoApi *crypto = libcrypto();
    unsigned char digest[16];
    unsigned int len = 0;
    crypto->EVP_Digest(data, n, digest, &len, crypto->EVP_md5(), NULL);
    crypto->EVP_EncodeBlock((unsigned char *)b64, digest, 16);
}

void s3_uri_encode(StrBuf *out, const char *s, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
            strbuf_putc(out, (char)*p);
        } else {
            char esc[3] = {'%', digits[*p >> 4], digits[*p & 15]};
            strbuf_append(out, esc, 3);
        }
    }
}

void s3_amz_date(long long unix_seconds, char buf[17])
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void hmac(const void *key, size_t key_len, const char *msg, unsigned char out[32])
{
    const LibcryptoApi *crypto = libcrypto();
    unsigned int len = 32;
    crypto->HMAC(crypto->EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out, &len);
}

/* ---- canonical query ---- */

typedef struct QueryPair {
    const char *text; /* "k=v" inside the copy */
    size_t key_len;
} QueryPair;

static int compare_pairs(const void *a, const void *b)
{
    const QueryPair *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->text, y->text, n);
    if (c != 0) return c;
    if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
    return strcmp(x->text + x->key_len, y->text + y->key_len); /* equal keys: by value */
}

static void canonical_query(StrBuf *out, const char *query)
{
    if (query == NULL || *query == '\0') return;
    char *copy = mem_strdup(query);
    int n = 1;
    for (const char *c = copy; *c; c++) n += *c == '&';
    QueryPair *pairs = mem_alloc((size_t)n * sizeof *pairs);
    int k = 0;
    for (char *start = copy;;) {
        char *amp = strchr(start, '&');
        if (amp) *amp = '\0';
        if (*start) {
            const char *eq = strchr(start, '=');
            pairs[k].text = start;
            pairs[k].key_len = eq ? (size_t)(eq - start) : strlen(start);
            k++;
        }
        if (!amp) break;
        start = amp + 1;
    }
    qsort(pairs, (size_t)k, sizeof *pairs, compare_pairs);
    for (int i = 0; i < k; i++) {
        if (i) strbuf_putc(out, '&');
        strbuf_puts(out, pairs[i].text);
        if (strchr(pairs[i].text, '=') == NULL) strbuf_putc(out, '='); /* "uploads" signs as "uploads=" */
    }
    mem_free(pairs);
    mem_free(copy);
}

/* ---- canonical headers ---- */

typedef struct CanonHeader {
    char *name;  /* lower-cased copy */
    const char *value;
    int order;   /* position in the request, to keep duplicates in order */
} CanonHeader;

static int compare_headers(const void *a, const void *b)
{
    const CanonHeader *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : x->order - y->order;
}

/* Append value trimmed, with runs of spaces folded to one. */
static void put_trimmed(StrBuf *out, const char *v)
{
    while (*v == ' ' || *v == '\t') v++;
    size_t len = strlen(v);
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t')) len--;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = true;
            continue;
        }
        if (space) strbuf_putc(out, ' ');
        space = false;
        strbuf_putc(out, v[i]);
    }
}

static void canonical_headers(StrBuf *out, StrBuf *signed_names, const S3Header *headers, int n)
{
    CanonHeader *hs = mem_alloc((size_t)(n ? n : 1) * sizeof *hs);
    for (int i = 0; i < n; i++) {
        hs[i].name = mem_strdup(headers[i].name);
        for (char *c = hs[i].name; *c; c++) *c = (char)tolower((unsigned char)*c);
        hs[i].value = headers[i].value;
        hs[i].order = i;
    }
    qsort(hs, (size_t)n, sizeof *hs, compare_headers);
    for (int i = 0; i < n; i++) {
        bool continues = i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0;
        if (continues) {
            strbuf_putc(out, ',');
        } else {
            if (i > 0) strbuf_putc(out, '\n');
            strbuf_puts(out, hs[i].name);
            strbuf_putc(out, ':');
            if (signed_names->len) strbuf_putc(signed_names, ';');
            strbuf_puts(signed_names, hs[i].name);
        }
        put_trimmed(out, hs[i].value);
    }
    if (n > 0) strbuf_putc(out, '\n');
    for (int i = 0; i < n; i++) mem_free(hs[i].name);
    mem_free(hs);
}

void s3_sigv4_sign(const SigV4Request *r, const char *access_key_id, const char *secret_access_key,
                   StrBuf *authorization, SigV4Debug *debug)
{
    StrBuf creq = STRBUF_INIT, names = STRBUF_INIT, sts = STRBUF_INIT;
    strbuf_printf(&creq, "%s\n%s\n", r->method, r->encoded_path);
    canonical_query(&creq, r->encoded_query);
    strbuf_putc(&creq, '\n');
    canonical_headers(&creq, &names, r->headers, r->nheaders);
    strbuf_printf(&creq, "\n%s\n%s", strbuf_cstr(&names), r->payload_hash);

    char date[9];
    memcpy(date, r->amz_date, 8);
    date[8] = '\0';
    char creq_hash[65];
    s3_sha256_hex(creq.data, creq.len, creq_hash);
    strbuf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", r->amz_date, date, r->region, r->service,
                  creq_hash);

    StrBuf key = STRBUF_INIT;
    strbuf_printf(&key, "AWS4%s", secret_access_key);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(key.data, key.len, date, k1);
    hmac(k1, 32, r->region, k2);
    hmac(k2, 32, r->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, strbuf_cstr(&sts), sig);
    char sig_hex[65];
    hex_encode(sig, 32, sig_hex);
    /* wipe the secret-derived material: it must not linger in freed memory */
    memset(key.data, 0, key.len);
    strbuf_free(&key);
    memset(k1, 0, sizeof k1);
    memset(k2, 0, sizeof k2);
    memset(k3, 0, sizeof k3);
    memset(k4, 0, sizeof k4);

    strbuf_printf(authorization, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                  access_key_id, date, r->region, r->service, strbuf_cstr(&names), sig_hex);
    if (debug) {
        strbuf_puts(&debug->canonical_request, strbuf_cstr(&creq));
        strbuf_puts(&debug->string_to_sign, strbuf_cstr(&sts));
    }
    strbuf_free(&creq);
    strbuf_free(&names);
    strbuf_free(&sts);
}
