/* s3_profile: reading the AWS shared files, ~/.aws/credentials and
 * ~/.aws/config (INI text: "[section]" headers, "key = value" lines, '#' and
 * ';' comments).  The credentials file names a profile "[name]", the config
 * file "[profile name]" (and "[default]").  AWS_SHARED_CREDENTIALS_FILE and
 * AWS_CONFIG_FILE override the paths; HOME locates the defaults. */
#ifndef KILN_IO_S3_PROFILE_H
#define KILN_IO_S3_PROFILE_H

/* The value of key in [section] of INI text (mem_alloc'ed), NULL if absent.
 * Keys compare case-insensitively; values are trimmed. */
char *s3_ini_get(const char *text, const char *section, const char *key);

/* The value of key for profile in the credentials file (credentials_file
 * true) or the config file, NULL if the file, profile or key is missing. */
char *s3_profile_value(const char *profile, const char *key, int credentials_file);

/* The profile in effect: AWS_PROFILE, else "default" (not owned). */
const char *s3_profile_name(void);

#endif
