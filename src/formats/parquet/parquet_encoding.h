/* parquet_encoding: the value and level encodings of Parquet pages that are
 * more than a memcpy: the RLE/bit-packed hybrid (levels, dictionary indices,
 * booleans), DELTA_BINARY_PACKED (integers, and the lengths inside the two
 * DELTA_*_BYTE_ARRAY encodings) and the writer's RLE encoder.
 *
 * Decoders are incremental (they hand out the next n values) and hold at
 * most one block of decoded values, so memory never depends on a count
 * claimed by a page header.  Every read is bounds-checked; a decoder that
 * runs out of input or meets nonsense reports it by returning fewer values
 * than asked. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_ENCODING_H
#define KILN_FORMATS_PARQUET_PARQUET_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* Decoder of the RLE/bit-packed hybrid encoding (without a length prefix). */
typedef struct PqRleDecoder {
    const uint8_t *p, *end;
    int bit_width;
    uint32_t rle_left;      /* values left in the current RLE run */
    uint32_t rle_value;
    uint32_t packed_left;   /* values left in the current bit-packed run */
    uint32_t group[8];      /* the current group of 8 bit-packed values */
    int group_pos;          /* next value in group; 8 = group empty */
} PqRleDecoder;

/* Start decoding n bytes at p with values of bit_width bits (0..32). */
void pq_rle_init(PqRleDecoder *d, const uint8_t *p, size_t n, int bit_width);
/* Decode up to n values into out; returns how many (fewer only at end of input). */
uint32_t pq_rle_get(PqRleDecoder *d, uint32_t *out, uint32_t n);
/* Pass over up to n values as pq_rle_get would read them, without unpacking
 * whole bit-packed groups; returns how many (fewer only at end of input). */
uint32_t pq_rle_skip(PqRleDecoder *d, uint32_t n);
/* If the next n values are all in one RLE run, skip them and set *value; else false (no value is consumed). */
bool pq_rle_skip_run(PqRleDecoder *d, uint32_t n, uint32_t *value);

/* Append the RLE/bit-packed hybrid encoding of n values of bit_width bits. */
void pq_rle_encode(StrBuf *out, const uint32_t *values, size_t n, int bit_width);
/* Bits needed for values up to max_value. */
int pq_bit_width(uint64_t max_value);

/* Decoder of DELTA_BINARY_PACKED. */
typedef struct PqDeltaDecoder {
    const uint8_t *p, *end;
    uint64_t block_size;
    uint64_t miniblocks;      /* per block */
    uint64_t per_miniblock;   /* values per miniblock */
    uint64_t total;           /* values in the whole encoding */
    uint64_t produced;        /* values handed out so far */
    int64_t last;             /* previous value */
    int64_t min_delta;        /* of the current block */
    const uint8_t *widths;    /* bit widths of the current block's miniblocks */
    uint64_t miniblock;       /* current miniblock in the block */
    uint64_t left_in_miniblock;
    const uint8_t *mb_data;   /* current miniblock's packed bits */
    uint64_t mb_pos;          /* next value within it */
    bool failed;
} PqDeltaDecoder;

/* Read the header; false if it is malformed. */
bool pq_delta_init(PqDeltaDecoder *d, const uint8_t *p, size_t n);
/* Decode up to n values; returns how many (fewer at the end or on error). */
uint32_t pq_delta_get(PqDeltaDecoder *d, int64_t *out, uint32_t n);
/* Skip every remaining value; returns the first byte after the encoding, or NULL if malformed. */
const uint8_t *pq_delta_skip_all(PqDeltaDecoder *d);

#endif
