/* s3_imds: credentials of an EC2 instance's IAM role from the instance
 * metadata service, IMDSv2 only (session tokens; IMDSv1's unauthenticated
 * GETs are not used):
 *   PUT  /latest/api/token  (X-aws-ec2-metadata-token-ttl-seconds: 21600)
 *   GET  /latest/meta-data/iam/security-credentials/         -> role name
 *   GET  /latest/meta-data/iam/security-credentials/<role>   -> JSON
 *        {"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
 * The endpoint is http://169.254.169.254 unless AWS_EC2_METADATA_SERVICE_ENDPOINT
 * names another; AWS_EC2_METADATA_DISABLED=true turns the provider off.
 * Each request may take 1 s (the AWS CLI's default), so off EC2 the chain
 * pays about one second before it reports that no credentials were found. */
#ifndef KILN_IO_S3_IMDS_H
#define KILN_IO_S3_IMDS_H

#include <stdbool.h>

#include "common/error.h"
#include "io/s3/s3_credentials.h"

/* The role's credentials; *found is false (no error) when the service is
 * disabled, does not answer, or the instance has no role. */
bool s3_imds_credentials(S3Credentials *out, bool *found, Error *err);
/* The metadata service's base URL, without a trailing '/' (mem_free it). */
char *s3_imds_endpoint(void);
/* True if AWS_EC2_METADATA_DISABLED turns the provider off. */
bool s3_imds_disabled(void);

#endif
