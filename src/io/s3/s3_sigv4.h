/* s3_sigv4: AWS Signature Version 4 request signing, on OpenSSL's SHA-256
 * and HMAC.
 *
 * The caller gives the request as it will be sent: method, the path already
 * URI-encoded (S3 encodes each key segment once), the query already encoded
 * as "k=v&k2=v2" in any order, every header to sign (host and x-amz-date
 * included) and the hex SHA-256 of the payload.  s3_sigv4_sign builds the
 * canonical request (query pairs sorted, header names lower-cased and sorted,
 * values trimmed with inner runs of spaces folded, duplicate names joined
 * with commas in the given order), the string to sign and the Authorization
 * header value.  The secret key only ever enters the HMAC chain. */
#ifndef KILN_IO_S3_SIGV4_H
#define KILN_IO_S3_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

/* One request header (name in any case). */
typedef struct S3Header {
    const char *name;
    const char *value;
} S3Header;

/* What s3_sigv4_sign signs. */
typedef struct SigV4Request {
    const char *method;        /* "GET", "PUT" ... */
    const char *encoded_path;  /* "/bucket/my%20key" */
    const char *encoded_query; /* "" or "a=1&b=2" (any order) */
    const S3Header *headers;   /* every header to sign, host and x-amz-date included */
    int nheaders;
    const char *payload_hash;  /* lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
    const char *amz_date;      /* "20150830T123600Z" */
    const char *region;        /* "us-east-1" */
    const char *service;       /* "s3" */
} SigV4Request;

/* The intermediate texts of a signature, for tests (all owned by the caller). */
typedef struct SigV4Debug {
    StrBuf canonical_request;
    StrBuf string_to_sign;
} SigV4Debug;

/* Sign r: appends the Authorization header's value ("AWS4-HMAC-SHA256
 * Credential=..., SignedHeaders=..., Signature=...") to authorization; debug
 * may be NULL. */
void s3_sigv4_sign(const SigV4Request *r, const char *access_key_id, const char *secret_access_key,
                   StrBuf *authorization, SigV4Debug *debug);
/* Lower-case hex SHA-256 of n bytes into hex[65]. */
void s3_sha256_hex(const void *data, size_t n, char hex[65]);
/* Base64 of the MD5 of n bytes into b64[25] (the Content-MD5 header). */
void s3_md5_base64(const void *data, size_t n, char b64[25]);
/* Append s URI-encoded as SigV4 wants: everything but A-Z a-z 0-9 - _ . ~
 * becomes %XX (upper-case hex); '/' is kept when keep_slash. */
void s3_uri_encode(StrBuf *out, const char *s, bool keep_slash);
/* "20150830T123600Z" for a Unix time, into buf[17]. */
void s3_amz_date(long long unix_seconds, char buf[17]);

#endif
