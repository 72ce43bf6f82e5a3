/* s3_client: signed S3 requests over libcurl, many in flight, with retries.
 *
 * An S3Client is a configuration snapshot plus resolved credentials for one
 * operation (opening a file, a glob, a write).  s3_perform runs a batch of
 * requests concurrently (curl multi, at most cfg.concurrency at once) over
 * connections shared by the whole process (a curl share handle), so
 * successive requests reuse TCP and TLS sessions.
 *
 * Retries: 500, 502, 503, 504, 429 and 408 answers, timeouts, refused or
 * reset connections are retried with exponential backoff and full jitter
 * (a random wait in [0, min(20 s, 0.1 s * 2^attempt)]), until the
 * s3_retry_budget (seconds since the request's first attempt) would be
 * exceeded; each retry is counted (SHOW s3_retries).  Other answers return
 * at once with their status; s3_request_error turns one into an ERR_IO with
 * the method, s3:// path, HTTP status and S3's error code and message.
 * Credentials never appear in an error. */
#ifndef KILN_IO_S3_CLIENT_H
#define KILN_IO_S3_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "io/s3/s3_config.h"
#include "io/s3/s3_credentials.h"
#include "io/s3/s3_sigv4.h"

typedef struct S3Client {
    S3Config cfg;
    S3Credentials creds;  /* refreshed by s3_perform when temporary ones expire */
    pthread_mutex_t lock; /* guards creds (threads may share a client) */
} S3Client;

#define S3_MAX_EXTRA_HEADERS 8

/* One request and, after s3_perform, its answer. */
typedef struct S3Request {
    const char *method;       /* GET, HEAD, PUT, POST, DELETE */
    const char *bucket;
    const char *key;          /* "" for bucket operations */
    const char *query;        /* encoded query, "" for none */
    S3Header headers[S3_MAX_EXTRA_HEADERS]; /* extra signed headers: Range, Content-MD5, If-None-Match ... */
    int nheaders;
    const void *body;         /* PUT/POST body (not copied; must outlive s3_perform) */
    size_t body_len;
    const char *body_sha256;  /* hex SHA-256 of body if the caller has it, else computed */
    /* where a GET's body goes: into sink (at most sink_cap bytes) if set, else into response */
    void *sink;
    size_t sink_cap;
    /* the answer */
    long status;              /* HTTP status, 0 if no answer */
    StrBuf response;          /* the body (errors, XML answers) */
    size_t sink_len;          /* bytes written to sink */
    char etag[128];           /* the ETag header, quotes kept */
    char last_modified[64];   /* the Last-Modified header (an HTTP date), "" if none */
    uint64_t content_length;  /* the Content-Length header */
    bool has_content_length;
    int retries;              /* attempts after the first */
    char transport_error[256]; /* curl's reason when there was no answer */
} S3Request;

/* Snapshot the settings and resolve credentials for an operation. */
bool s3_client_open(S3Client *c, Error *err);
/* Free a client's snapshot and credentials. */
void s3_client_close(S3Client *c);

/* Prepare r for a new request (zeroes it). */
void s3_request_init(S3Request *r, const char *method, const char *bucket, const char *key, const char *query);
/* Add an extra header to sign and send (name and value must outlive the request). */
void s3_request_header(S3Request *r, const char *name, const char *value);
/* Free a request's answer buffers. */
void s3_request_free(S3Request *r);

/* Run n requests concurrently with retries; false (err set) only when a
 * request got no HTTP answer within its retry budget.  Answers of any
 * status are left in each request for the caller to judge. */
bool s3_perform(S3Client *c, S3Request *reqs, int n, Error *err);
/* An ERR_IO for a request that failed with an HTTP error; returns false.
 * action is what kiln was doing ("could not read", "could not write"). */
bool s3_request_error(const S3Request *r, const char *action, Error *err);

#endif
