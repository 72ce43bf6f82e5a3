/* s3_web_identity: credentials from STS AssumeRoleWithWebIdentity (EKS
 * service accounts, GitHub Actions OIDC ...), as the AWS CLI gets them:
 * the role and token file from AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE
 * (AWS_ROLE_SESSION_NAME optional), else from the profile's role_arn,
 * web_identity_token_file and role_session_name in ~/.aws/config.  The
 * token file is read afresh on each call (its issuer rotates it).
 *
 * The request is an unsigned POST of the form parameters to STS:
 * AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else
 * https://sts.<region>.amazonaws.com; answers 500, 503 and Throttling, and
 * requests without an answer, are tried 3 times.  The token never appears
 * in an error. */
#ifndef KILN_IO_S3_WEB_IDENTITY_H
#define KILN_IO_S3_WEB_IDENTITY_H

#include <stdbool.h>

#include "common/error.h"
#include "io/s3/s3_config.h"
#include "io/s3/s3_credentials.h"

/* The role's temporary credentials; *found is false (no error) when no
 * web identity is configured (a role without a token file, or the other
 * way round, is an error). */
bool s3_web_identity_credentials(const S3Config *cfg, S3Credentials *out, bool *found, Error *err);
/* What identifies the configured web identity ("<role arn>|<token file>|<endpoint>",
 * mem_free it), NULL when none is configured: the credentials cache's key. */
char *s3_web_identity_key(const S3Config *cfg);

#endif
