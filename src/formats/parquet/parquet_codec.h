/* parquet_codec: page compression and decompression for Parquet's codecs:
 * UNCOMPRESSED, SNAPPY (libsnappy), GZIP (zlib, gzip framing; concatenated
 * members read), ZSTD (libzstd), LZ4_RAW (liblz4 block format) and the
 * deprecated LZ4 (Hadoop's framing of LZ4 blocks, or a bare block).
 *
 * Decompression writes exactly the page's declared uncompressed size into a
 * caller buffer; output that is shorter or longer is an error, so a hostile
 * page cannot write past the buffer or leave it half filled. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_CODEC_H
#define KILN_FORMATS_PARQUET_PARQUET_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* True if kiln can read and write this codec (PQ_CODEC_*). */
bool pq_codec_supported(int codec);
/* Upper bound of the compressed size of n bytes. */
size_t pq_compress_bound(int codec, size_t n);
/* Compress n bytes into out (pq_compress_bound bytes); *out_len gets the size. */
bool pq_compress(int codec, int level, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len, Error *err);
/* Decompress n bytes into exactly out_len bytes at out. */
bool pq_decompress(int codec, const uint8_t *in, size_t n, uint8_t *out, size_t out_len, Error *err);
/* The same with a decompression context kept in *state (created on first
 * use, NULL at first), so that a reader of many pages allocates it once. */
bool pq_decompress_with(void **state, int codec, const uint8_t *in, size_t n, uint8_t *out, size_t out_len,
                        Error *err);
/* Free a context made by pq_decompress_with (NULL is fine). */
void pq_decompress_state_free(void *state);

#endif
