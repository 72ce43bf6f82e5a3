/* slt_md5: MD5 digests for sqllogictest's "N values hashing to <md5>" result
 * form (SQLite's convention).  MD5 is used only to compare test results,
 * never for security. */
#ifndef KILN_SLT_MD5_H
#define KILN_SLT_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct SltMd5 {
    uint32_t state[4];
    uint64_t total_len;    /* bytes fed so far */
    uint8_t block[64];     /* partial block waiting for more input */
    size_t block_len;
} SltMd5;

/* Start a new digest. */
void slt_md5_init(SltMd5 *md5);
/* Feed n bytes. */
void slt_md5_update(SltMd5 *md5, const void *data, size_t n);
/* Finish and write the digest as 32 lower-case hex digits plus a NUL into hex. */
void slt_md5_hex(SltMd5 *md5, char hex[33]);

#endif
