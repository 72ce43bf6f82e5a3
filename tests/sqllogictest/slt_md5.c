/* slt_md5: MD5 (RFC 1321) over a byte stream, one 64-byte block at a time.
 *
 * The digest state is four 32-bit words; input is buffered into a 64-byte
 * block and each full block runs the 64 steps of the compression function.
 * Memory: the SltMd5 struct only (no heap). */
#include "slt_md5.h"

#include <stdio.h>
#include <string.h>

/* Per-step shift amounts and sine-derived constants of RFC 1321. */
static const uint32_t md5_shift[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static uint32_t rotate_left(uint32_t x, uint32_t n) { return (x << n) | (x >> (32 - n)); }

static void md5_compress(uint32_t state[4], const uint8_t block[64])
{
    uint32_t words[16];
    for (int i = 0; i < 16; i++)
        words[i] = (uint32_t)block[i * 4] | (uint32_t)block[i * 4 + 1] << 8 | (uint32_t)block[i * 4 + 2] << 16 |
                   (uint32_t)block[i * 4 + 3] << 24;
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t rotated = rotate_left(a + f + md5_k[i] + words[g], md5_shift[i]);
        a = d;
        d = c;
        c = b;
        b = b + rotated;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void slt_md5_init(SltMd5 *md5)
{
    md5->state[0] = 0x67452301;
    md5->state[1] = 0xefcdab89;
    md5->state[2] = 0x98badcfe;
    md5->state[3] = 0x10325476;
    md5->total_len = 0;
    md5->block_len = 0;
}

void slt_md5_update(SltMd5 *md5, const void *data, size_t n)
{
    const uint8_t *bytes = data;
    md5->total_len += n;
    while (n > 0) {
        size_t take = 64 - md5->block_len;
        if (take > n)
            take = n;
        memcpy(md5->block + md5->block_len, bytes, take);
        md5->block_len += take;
        bytes += take;
        n -= take;
        if (md5->block_len == 64) {
            md5_compress(md5->state, md5->block);
            md5->block_len = 0;
        }
    }
}

void slt_md5_hex(SltMd5 *md5, char hex[33])
{
    uint64_t bit_len = md5->total_len * 8;
    static const uint8_t padding_start = 0x80;
    static const uint8_t zero = 0;
    slt_md5_update(md5, &padding_start, 1);
    while (md5->block_len != 56)
        slt_md5_update(md5, &zero, 1);
    uint8_t length_bytes[8];
    for (int i = 0; i < 8; i++)
        length_bytes[i] = (uint8_t)(bit_len >> (8 * i));
    slt_md5_update(md5, length_bytes, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            snprintf(hex + i * 8 + j * 2, 3, "%02x", (unsigned)((md5->state[i] >> (8 * j)) & 0xff));
    hex[32] = '\0';
}
