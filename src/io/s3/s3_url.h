/* s3_url: s3:// paths and where their requests go (addressing).
 *
 * "s3://bucket/some/key" names key "some/key" of bucket "bucket".  Requests
 * go to AWS (s3.<region>.amazonaws.com) or to the configured endpoint, in
 * one of two styles:
 *   virtual-hosted  https://bucket.s3.us-east-1.amazonaws.com/some/key
 *   path-style      https://endpoint/bucket/some/key
 * S3_URL_AUTO picks virtual-hosted on AWS (path-style for bucket names with
 * dots, which a wildcard certificate cannot cover) and path-style on a
 * custom endpoint, where buckets are rarely DNS names. */
#ifndef KILN_IO_S3_URL_H
#define KILN_IO_S3_URL_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "io/s3/s3_config.h"

/* A parsed s3:// path (owned strings). */
typedef struct S3Location {
    char *bucket;
    char *key; /* "" for the bucket itself */
} S3Location;

/* True if path starts with "s3://". */
bool s3_is_path(const char *path);
/* Split "s3://bucket/key"; an ERR_IO for a path without a bucket name. */
bool s3_parse_path(const char *path, S3Location *out, Error *err);
/* Free a location's strings. */
void s3_location_free(S3Location *loc);

/* The parts of one request's address. */
typedef struct S3Target {
    StrBuf url;          /* scheme://host/encoded-path (no query) */
    StrBuf host;         /* the Host header (with a port if not the scheme's) */
    StrBuf encoded_path; /* the canonical URI SigV4 signs */
} S3Target;

/* Address bucket/key under cfg; key may be "" (bucket operations). */
void s3_target(const S3Config *cfg, const char *bucket, const char *key, S3Target *out);
/* Free a target's buffers. */
void s3_target_free(S3Target *t);

#endif
