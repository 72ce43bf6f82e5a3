/* libcrypto_api: the OpenSSL libcrypto functions kiln calls (SigV4's
 * SHA-256 and HMAC, S3's Content-MD5 and ETag checks), loaded on first use.
 *
 * kiln does not link libcrypto: only S3 needs it, and relocating it cost
 * every process about a quarter of its remaining start-up.  libcrypto_api()
 * opens libcrypto.so.3 (Debian package libssl3; libcurl.so.4 needs it too)
 * once through common/dynlib.h; calls then go through the table, each
 * member named as the function: `crypto->EVP_Digest(...)`.  The member
 * types come from OpenSSL's headers, so calls are type-checked as direct
 * ones are.  s3_client_open loads it (and fails cleanly if it cannot), so
 * the S3 code below an open client, whose hashing functions cannot fail,
 * uses libcrypto(). */
#ifndef KILN_IO_S3_LIBCRYPTO_API_H
#define KILN_IO_S3_LIBCRYPTO_API_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/error.h"

typedef struct LibcryptoApi {
    __typeof__(EVP_Digest) *EVP_Digest;
    __typeof__(EVP_DigestInit_ex) *EVP_DigestInit_ex;
    __typeof__(EVP_DigestUpdate) *EVP_DigestUpdate;
    __typeof__(EVP_DigestFinal_ex) *EVP_DigestFinal_ex;
    __typeof__(EVP_EncodeBlock) *EVP_EncodeBlock;
    __typeof__(EVP_MD_CTX_new) *EVP_MD_CTX_new;
    __typeof__(EVP_MD_CTX_free) *EVP_MD_CTX_free;
    __typeof__(EVP_md5) *EVP_md5;
    __typeof__(EVP_sha256) *EVP_sha256;
    __typeof__(HMAC) *HMAC;
} LibcryptoApi;

/* The libcrypto functions, loading libcrypto on the first call
 * (thread-safe); NULL with err set (ERR_IO, "S3 support needs
 * libcrypto.so.3: <reason> ...") if it cannot be loaded. */
const LibcryptoApi *libcrypto_api(Error *err);
/* The same for code that runs under an open S3 client (s3_client_open has
 * loaded it, or failed): if libcrypto cannot be loaded even so, the caller
 * skipped s3_client_open, a bug: the message goes to stderr and the process
 * exits with EXIT_INTERNAL rather than hash with a missing function. */
const LibcryptoApi *libcrypto(void);

#endif
