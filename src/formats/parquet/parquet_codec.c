/* parquet_codec: Parquet's compression codecs over zlib, libsnappy, libzstd
 * and liblz4 (see the header).  No state is kept between pages.  libsnappy
 * is loaded on the first SNAPPY page (libsnappy_api.h). */
#include "formats/parquet/parquet_codec.h"

#include <lz4.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/parquet/libsnappy_api.h"
#include "formats/parquet/parquet_meta.h"

bool pq_codec_supported(int codec)
{
    return codec == PQ_CODEC_UNCOMPRESSED || codec == PQ_CODEC_SNAPPY || codec == PQ_CODEC_GZIP ||
           codec == PQ_CODEC_ZSTD || codec == PQ_CODEC_LZ4_RAW || codec == PQ_CODEC_LZ4;
}

size_t pq_compress_bound(int codec, size_t n)
{
    switch (codec) {
    /* snappy's MaxCompressedLength, written out so that sizing a buffer
     * needs no library; snappy_compress refuses a smaller buffer */
    case PQ_CODEC_SNAPPY: return 32 + n + n / 6;
    case PQ_CODEC_GZIP: return compressBound((uLong)n) + 32;
    case PQ_CODEC_ZSTD: return ZSTD_compressBound(n);
    case PQ_CODEC_LZ4_RAW: return (size_t)LZ4_compressBound((int)n);
    default: return n;
    }
}

static bool gzip_compress(int level, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len, Error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level > 0 ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return error_set(err, ERR_INTERNAL, "gzip: could not initialise the compressor");
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)pq_compress_bound(PQ_CODEC_GZIP, n);
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return error_set(err, ERR_INTERNAL, "gzip compression failed");
    return true;
}

bool pq_compress(int codec, int level, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len, Error *err)
{
    if (n > INT32_MAX) return error_set(err, ERR_DATA, "Parquet page of %zu bytes is too large", n);
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (n) memcpy(out, in, n);
        *out_len = n;
        return true;
    case PQ_CODEC_SNAPPY: {
        const LibsnappyApi *snappy = libsnappy_api(err);
        if (snappy == NULL) return false;
        size_t len = pq_compress_bound(PQ_CODEC_SNAPPY, n); /* the size of out */
        if (snappy->compress((const char *)in, n, (char *)out, &len) != SNAPPY_OK)
            return error_set(err, ERR_INTERNAL, "snappy compression failed");
        *out_len = len;
        return true;
    }
    case PQ_CODEC_GZIP: return gzip_compress(level, in, n, out, out_len, err);
    case PQ_CODEC_ZSTD: {
        size_t r = ZSTD_compress(out, ZSTD_compressBound(n), in, n, level ? level : 3);
        if (ZSTD_isError(r)) return error_set(err, ERR_INTERNAL, "zstd compression failed: %s", ZSTD_getErrorName(r));
        *out_len = r;
        return true;
    }
    case PQ_CODEC_LZ4_RAW: {
        int r = LZ4_compress_default((const char *)in, (char *)out, (int)n, LZ4_compressBound((int)n));
        if (r <= 0 && n > 0) return error_set(err, ERR_INTERNAL, "lz4 compression failed");
        *out_len = (size_t)r;
        return true;
    }
    default: return error_set(err, ERR_INTERNAL, "cannot write Parquet codec %s", pq_codec_name(codec));
    }
}

static bool gzip_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t out_len, Error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) return error_set(err, ERR_INTERNAL, "gzip: could not initialise");
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)out_len;
    int rc;
    for (;;) {
        rc = inflate(&z, Z_FINISH);
        /* a file may hold several gzip members back to back */
        if (rc == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0) {
            if (inflateReset(&z) != Z_OK) break;
            continue;
        }
        break;
    }
    size_t got = out_len - z.avail_out; /* total_out restarts with each member */
    bool ended = rc == Z_STREAM_END || (rc == Z_BUF_ERROR && z.avail_out == 0);
    inflateEnd(&z);
    if (!ended || got != out_len) return error_set(err, ERR_DATA, "corrupt GZIP page (inflate: %d)", rc);
    return true;
}

static uint32_t read_be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Hadoop's LZ4 framing: blocks of [4-byte BE uncompressed size][4-byte BE
 * compressed size][LZ4 block]; falls back to one bare block. */
static bool lz4_hadoop_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t out_len, Error *err)
{
    const uint8_t *p = in, *end = in + n;
    size_t done = 0;
    bool framed = true;
    while (p < end) {
        if (end - p < 8) {
            framed = false;
            break;
        }
        uint32_t ulen = read_be32(p), clen = read_be32(p + 4);
        if (clen > (size_t)(end - p - 8) || ulen > out_len - done) {
            framed = false;
            break;
        }
        int r = LZ4_decompress_safe((const char *)p + 8, (char *)out + done, (int)clen, (int)ulen);
        if (r < 0 || (uint32_t)r != ulen) {
            framed = false;
            break;
        }
        done += ulen;
        p += 8 + clen;
    }
    if (framed && done == out_len) return true;
    int r = LZ4_decompress_safe((const char *)in, (char *)out, (int)n, (int)out_len);
    if (r < 0 || (size_t)r != out_len) return error_set(err, ERR_DATA, "corrupt LZ4 page");
    return true;
}

bool pq_decompress(int codec, const uint8_t *in, size_t n, uint8_t *out, size_t out_len, Error *err)
{
    if (n > INT32_MAX || out_len > INT32_MAX) return error_set(err, ERR_DATA, "Parquet page too large");
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (n != out_len) return error_set(err, ERR_DATA, "uncompressed page sizes disagree (%zu and %zu bytes)", n, out_len);
        if (n) memcpy(out, in, n);
        return true;
    case PQ_CODEC_SNAPPY: {
        const LibsnappyApi *snappy = libsnappy_api(err);
        if (snappy == NULL) return false;
        size_t len = 0;
        if (snappy->uncompressed_length((const char *)in, n, &len) != SNAPPY_OK || len != out_len)
            return error_set(err, ERR_DATA, "corrupt SNAPPY page");
        if (snappy->uncompress((const char *)in, n, (char *)out, &len) != SNAPPY_OK || len != out_len)
            return error_set(err, ERR_DATA, "corrupt SNAPPY page");
        return true;
    }
    case PQ_CODEC_GZIP: return gzip_decompress(in, n, out, out_len, err);
    case PQ_CODEC_ZSTD: {
        size_t r = ZSTD_decompress(out, out_len, in, n);
        if (ZSTD_isError(r)) return error_set(err, ERR_DATA, "corrupt ZSTD page: %s", ZSTD_getErrorName(r));
        if (r != out_len) return error_set(err, ERR_DATA, "corrupt ZSTD page: wrong size");
        return true;
    }
    case PQ_CODEC_LZ4_RAW: {
        int r = LZ4_decompress_safe((const char *)in, (char *)out, (int)n, (int)out_len);
        if (r < 0 || (size_t)r != out_len) return error_set(err, ERR_DATA, "corrupt LZ4_RAW page");
        return true;
    }
    case PQ_CODEC_LZ4: return lz4_hadoop_decompress(in, n, out, out_len, err);
    default: return error_set(err, ERR_DATA, "Parquet compression codec %s is not supported", pq_codec_name(codec));
    }
}

bool pq_decompress_with(void **state, int codec, const uint8_t *in, size_t n, uint8_t *out, size_t out_len,
                        Error *err)
{
    if (codec != PQ_CODEC_ZSTD || n > INT32_MAX || out_len > INT32_MAX)
        return pq_decompress(codec, in, n, out, out_len, err);
    /* ZSTD_decompress allocates a context (about 100 kB) per call */
    if (*state == NULL) *state = ZSTD_createDCtx();
    if (*state == NULL) return pq_decompress(codec, in, n, out, out_len, err);
    size_t r = ZSTD_decompressDCtx(*state, out, out_len, in, n);
    if (ZSTD_isError(r)) return error_set(err, ERR_DATA, "corrupt ZSTD page: %s", ZSTD_getErrorName(r));
    if (r != out_len) return error_set(err, ERR_DATA, "corrupt ZSTD page: wrong size");
    return true;
}

void pq_decompress_state_free(void *state)
{
    if (state) ZSTD_freeDCtx(state);
}
