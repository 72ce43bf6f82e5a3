/* s3_credentials: the AWS credentials chain, in the order the AWS CLI and
 * SDKs resolve it:
 *   1. SET s3_access_key_id / s3_secret_access_key (/ s3_session_token);
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN);
 *   3. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (or the
 *      profile's role_arn + web_identity_token_file) -> STS
 *      AssumeRoleWithWebIdentity (s3_web_identity.h);
 *   4. the profile (SET s3_profile, else AWS_PROFILE, else "default") in
 *      the credentials file, then in the config file (aws_access_key_id,
 *      aws_secret_access_key, aws_session_token);
 *   5. the EC2 instance metadata service, IMDSv2 (s3_imds.h).
 * Container credentials (ECS), SSO and credential_process are not
 * supported: the error for missing credentials says so.
 *
 * Temporary credentials (3 and 5) are cached process-wide until 5 minutes
 * before their Expiration, then fetched again; an operation that outlives
 * them refreshes its own copy (s3_credentials_refresh, called by every
 * s3_perform).  The secret and the session token never appear in an error
 * message or log. */
#ifndef KILN_IO_S3_CREDENTIALS_H
#define KILN_IO_S3_CREDENTIALS_H

#include <stdbool.h>

#include "common/error.h"
#include "io/s3/s3_config.h"

typedef struct S3Credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL if none */
    const char *source;  /* "settings", "environment", "web-identity", "profile", "instance-metadata" (static) */
    double expires;      /* seconds since the epoch when temporary credentials expire; 0: never */
} S3Credentials;

/* Resolve credentials for cfg; an ERR_IO naming the places looked at if none. */
bool s3_credentials_resolve(const S3Config *cfg, S3Credentials *out, Error *err);
/* True if credentials expire within the refresh margin (5 minutes) of now. */
bool s3_credentials_expiring(const S3Credentials *c);
/* Free (and wipe) the credentials. */
void s3_credentials_free(S3Credentials *c);

#endif
