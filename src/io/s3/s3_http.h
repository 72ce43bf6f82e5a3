/* s3_http: one plain HTTP request outside S3 (no SigV4), for the
 * credential providers: the instance metadata service (IMDSv2) and STS.
 *
 * A blocking curl easy request with a whole-request timeout, over the
 * process's shared connections; the answer body is kept in memory (at most
 * 1 MiB: credential documents are small).  No retries here: each provider
 * decides (IMDS answers locally or not at all; STS is retried by its
 * caller).  The request's headers and body are never logged or put in an
 * error, since they carry tokens.  Also: the two time formats AWS answers
 * carry. */
#ifndef KILN_IO_S3_HTTP_H
#define KILN_IO_S3_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

#define S3_HTTP_MAX_HEADERS 4

typedef struct S3HttpCall {
    const char *method;       /* GET, PUT, POST */
    const char *url;
    const char *headers[S3_HTTP_MAX_HEADERS]; /* "Name: value" lines */
    int nheaders;
    const char *body;         /* NULL: none */
    size_t body_len;
    long timeout_ms;          /* the whole request, connection included */
    bool direct;              /* never through a proxy (the link-local metadata service) */
    /* the answer */
    long status;              /* 0: no answer (see error) */
    StrBuf response;
    char error[256];          /* curl's reason when there was no answer */
} S3HttpCall;

/* Send the request; true if an HTTP answer (any status) came back. */
bool s3_http_call(S3HttpCall *call);
/* Free the answer. */
void s3_http_call_free(S3HttpCall *call);

/* Seconds since the epoch of an ISO 8601 UTC time ("2026-11-26T01:23:45Z",
 * fractions allowed: S3's Initiated, the credentials' Expiration). */
bool s3_parse_iso_time(const char *text, double *out);
/* Seconds since the epoch of an HTTP date ("Wed, 26 Nov 2026 01:23:45 GMT": Last-Modified). */
bool s3_parse_http_date(const char *text, double *out);

#endif
