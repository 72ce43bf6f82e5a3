/* s3_credentials: the AWS credentials chain, as the AWS CLI and SDKs resolve it.
 *
 *   1. SET s3_access_key_id / s3_secret_access_key (/ s3_session_token);
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN);
 *   3. the profile (SET s3_profile, else AWS_PROFILE, else "default") in
 *      the credentials file, then in the config file (aws_access_key_id,
 *      aws_secret_access_key, aws_session_token).
 * Instance metadata (IMDSv2), container credentials, web identity and SSO
 * are not supported yet: the error for missing credentials says so.
 * The secret never appears in an error message. */
#ifndef KILN_IO_S3_CREDENTIALS_H
#define KILN_IO_S3_CREDENTIALS_H

#include <stdbool.h>

#include "common/error.h"
#include "io/s3/s3_config.h"

typedef struct S3Credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL if none */
    const char *source;  /* "settings", "environment", "profile" (static) */
} S3Credentials;

/* Resolve credentials for cfg; an ERR_IO naming the places looked at if none. */
bool s3_credentials_resolve(const S3Config *cfg, S3Credentials *out, Error *err);
/* Free (and wipe) the credentials. */
void s3_credentials_free(S3Credentials *c);

#endif
