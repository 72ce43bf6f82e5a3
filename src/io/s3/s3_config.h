/* s3_config: the S3 settings (SET s3_region = ..., SHOW s3_retries) and how
 * each S3 operation resolves its configuration.
 *
 * The settings are process-wide (the file-system layer has no session), kept
 * under a mutex; sql/settings.c hands every name that starts with "s3_" to
 * s3_setting_set/show/reset.  An operation takes a snapshot (S3Config) so a
 * SET during a running statement cannot change it half-way.
 *
 * Resolution, first match wins:
 *   region:   SET s3_region, AWS_REGION, AWS_DEFAULT_REGION, region in
 *             ~/.aws/config for the profile, "us-east-1";
 *   endpoint: SET s3_endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
 *             endpoint_url in ~/.aws/config, AWS itself ("" = AWS);
 *   profile:  SET s3_profile, AWS_PROFILE, "default".
 * Credentials are resolved by s3_credentials.h. */
#ifndef KILN_IO_S3_CONFIG_H
#define KILN_IO_S3_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef enum S3UrlStyle {
    S3_URL_AUTO,  /* virtual-hosted on AWS, path-style on a custom endpoint */
    S3_URL_PATH,  /* https://endpoint/bucket/key */
    S3_URL_VHOST, /* https://bucket.endpoint/key */
} S3UrlStyle;

/* A resolved snapshot of the settings for one operation (owned strings). */
typedef struct S3Config {
    char *region;
    char *endpoint;          /* "" for AWS, else "host[:port]" or "http(s)://host[:port]" */
    S3UrlStyle url_style;
    bool use_ssl;            /* for an endpoint given without a scheme, and for AWS */
    bool verify_ssl;         /* check the server's certificate (default true) */
    char *profile;
    char *access_key_id;     /* from SET, NULL if not set there */
    char *secret_access_key; /* from SET, NULL if not set there */
    char *session_token;     /* from SET, NULL if not set there */
    int64_t part_size;       /* bytes per multipart part (>= 5 MiB) */
    int concurrency;         /* requests in flight at most */
    char *sse;               /* "" | "AES256" | "aws:kms" */
    char *sse_kms_key_id;    /* "" if none */
    double retry_budget;     /* seconds a request may spend retrying */
} S3Config;

/* Minimum and default multipart part sizes. */
#define S3_MIN_PART_SIZE ((int64_t)5 << 20)
#define S3_DEFAULT_PART_SIZE ((int64_t)16 << 20)

/* True if name is an S3 setting (starts with "s3_"). */
bool s3_setting_handles(const char *name);
/* SET s3_x = value. */
bool s3_setting_set(const char *name, const char *value, Error *err);
/* SHOW s3_x (mem_free the value); secrets show as a redaction. */
bool s3_setting_show(const char *name, char **value, Error *err);
/* RESET s3_x, or every S3 setting for "all" (the retry counter stays). */
bool s3_setting_reset(const char *name, Error *err);
/* Names of the S3 settings, NULL-terminated (for SHOW ALL). */
const char *const *s3_setting_names(void);

/* Snapshot the settings, resolved against the environment and ~/.aws/config. */
void s3_config_load(S3Config *out);
/* Free a snapshot's strings (wiping the secrets). */
void s3_config_free(S3Config *cfg);

/* Count one retried request (SHOW s3_retries). */
void s3_count_retry(void);
/* Retries counted since the process started. */
uint64_t s3_retry_count(void);
/* Count one request sent (each attempt) and the body bytes it received (SHOW s3_requests). */
void s3_count_request(const char *method, uint64_t body_bytes);
/* "GET n, HEAD n, PUT n, POST n, DELETE n, bytes received n" since the process started (mem_free it). */
char *s3_request_counts_text(void);

#endif
