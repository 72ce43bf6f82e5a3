/* parquet_stat_truncate: shortening string min/max statistics so that long
 * strings do not make large footers, while they still bound the values.
 *
 * A min is cut to a prefix (a prefix sorts before the string itself).  A
 * max is cut to a prefix whose last character is then incremented, so it
 * sorts after every string with that prefix.  Cuts fall on UTF-8 character
 * boundaries and increments skip the surrogates, so both stay valid UTF-8
 * and UTF-8's byte order (Parquet's order for strings) equals code-point
 * order.  A max made only of U+10FFFF characters cannot be rounded up and
 * is kept whole. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_STAT_TRUNCATE_H
#define KILN_FORMATS_PARQUET_PARQUET_STAT_TRUNCATE_H

#include <stdint.h>

/* Statistics longer than this are truncated by the writer. */
#define PQ_STAT_MAX_BYTES 64

/* Length of the min statistic of s[0, len): len or a shorter prefix of at most limit bytes. */
uint32_t pq_truncate_min(const uint8_t *s, uint32_t len, uint32_t limit);
/* The max statistic of s[0, len) into out (at least limit bytes): its
 * length, at most limit, or 0 when s must be kept whole (len > limit and
 * nothing can be rounded up); s itself when len <= limit. */
uint32_t pq_truncate_max(const uint8_t *s, uint32_t len, uint32_t limit, uint8_t *out);

#endif
