/* parquet_encoding: RLE/bit-packed hybrid and DELTA_BINARY_PACKED (see the
 * header).  Bit-packed values are little-endian, least significant bit
 * first; a group of 8 values of width w takes exactly w bytes. */
#include "formats/parquet/parquet_encoding.h"

#include <stddef.h>
#include <string.h>

static bool read_uleb(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *p = *pp;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end) return false;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

/* Value i (width w <= 64) of a bit-packed buffer of at least (i+1)*w bits. */
static uint64_t unpack_one(const uint8_t *data, uint64_t i, int w)
{
    uint64_t bit = i * (uint64_t)w;
    uint64_t v = 0;
    int got = 0;
    while (got < w) {
        uint64_t byte = bit >> 3;
        int off = (int)(bit & 7);
        int take = 8 - off < w - got ? 8 - off : w - got;
        v |= (uint64_t)((data[byte] >> off) & ((1u << take) - 1)) << got;
        got += take;
        bit += (uint64_t)take;
    }
    return v;
}

void pq_rle_init(PqRleDecoder *d, const uint8_t *p, size_t n, int bit_width)
{
    memset(d, 0, sizeof *d);
    d->p = p;
    d->end = p + n;
    d->bit_width = bit_width;
    d->group_pos = 8;
}

/* Read the next run header; false at the end or on bad input. */
static bool next_run(PqRleDecoder *d)
{
    uint64_t h;
    if (d->p >= d->end || !read_uleb(&d->p, d->end, &h)) return false;
    if (h & 1) {
        uint64_t groups = h >> 1;
        if (groups == 0 || groups > (uint64_t)(d->end - d->p) + 1 || groups > UINT32_MAX / 8) {
            /* a bit-packed run whose groups do not fit is cut at the end (writers may pad short) */
            if (groups == 0) return false;
        }
        d->packed_left = (uint32_t)(groups > UINT32_MAX / 8 ? UINT32_MAX / 8 : groups) * 8;
        d->group_pos = 8;
    } else {
        uint64_t count = h >> 1;
        if (count == 0 || count > UINT32_MAX) return false;
        int bytes = (d->bit_width + 7) / 8;
        if (d->end - d->p < bytes) return false;
        uint32_t v = 0;
        for (int i = 0; i < bytes; i++) v |= (uint32_t)d->p[i] << (8 * i);
        d->p += bytes;
        if (d->bit_width < 32 && (uint64_t)v >> d->bit_width) return false;
        d->rle_value = v;
        d->rle_left = (uint32_t)count;
    }
    return true;
}

static bool load_group(PqRleDecoder *d)
{
    int w = d->bit_width;
    if (d->end - d->p < w) {
        /* a short final group: pad with zeros */
        uint8_t tmp[32] = {0};
        size_t have = (size_t)(d->end - d->p);
        if (have == 0 && w > 0) return false;
        memcpy(tmp, d->p, have);
        for (int i = 0; i < 8; i++) d->group[i] = (uint32_t)unpack_one(tmp, (uint64_t)i, w);
        d->p = d->end;
    } else {
        for (int i = 0; i < 8; i++) d->group[i] = w ? (uint32_t)unpack_one(d->p, (uint64_t)i, w) : 0;
        d->p += w;
    }
    d->group_pos = 0;
    return true;
}

/* Unpack a group of 8 values of width w (0..32) at p, which has at least
 * w + 8 readable bytes: each value is one unaligned 64-bit load, a shift and
 * a mask (w + 7 <= 39 bits always lie within the load). */
static inline __attribute__((always_inline)) void unpack8_fast(const uint8_t *p, int w, uint32_t *out)
{
    uint64_t mask = ((uint64_t)1 << w) - 1;
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        uint64_t bit = (uint64_t)i * (uint64_t)w, x;
        memcpy(&x, p + (bit >> 3), 8);
        out[i] = (uint32_t)((x >> (bit & 7)) & mask);
    }
}

/* Unpack `groups` groups of width w from p (with w + 8 readable bytes past
 * the last group's start) into out: one copy of the loop per width, so the
 * shifts and offsets are constants. */
static void unpack_groups(const uint8_t *p, int w, uint32_t *out, uint32_t groups)
{
    switch (w) {
#define UNPACK_WIDTH(W)                                                                          \
    case W:                                                                                      \
        for (uint32_t g = 0; g < groups; g++) unpack8_fast(p + (size_t)g * W, W, out + (size_t)g * 8); \
        return;
        UNPACK_WIDTH(0) UNPACK_WIDTH(1) UNPACK_WIDTH(2) UNPACK_WIDTH(3) UNPACK_WIDTH(4) UNPACK_WIDTH(5)
        UNPACK_WIDTH(6) UNPACK_WIDTH(7) UNPACK_WIDTH(8) UNPACK_WIDTH(9) UNPACK_WIDTH(10) UNPACK_WIDTH(11)
        UNPACK_WIDTH(12) UNPACK_WIDTH(13) UNPACK_WIDTH(14) UNPACK_WIDTH(15) UNPACK_WIDTH(16) UNPACK_WIDTH(17)
        UNPACK_WIDTH(18) UNPACK_WIDTH(19) UNPACK_WIDTH(20) UNPACK_WIDTH(21) UNPACK_WIDTH(22) UNPACK_WIDTH(23)
        UNPACK_WIDTH(24)
#undef UNPACK_WIDTH
    default:
        for (uint32_t g = 0; g < groups; g++) unpack8_fast(p + (size_t)g * (size_t)w, w, out + (size_t)g * 8);
        return;
    }
}

uint32_t pq_rle_get(PqRleDecoder *d, uint32_t *out, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        if (d->rle_left > 0) {
            uint32_t take = n - done < d->rle_left ? n - done : d->rle_left;
            for (uint32_t i = 0; i < take; i++) out[done + i] = d->rle_value;
            done += take;
            d->rle_left -= take;
        } else if (d->packed_left > 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* whole groups straight into out while the loads stay inside the input */
            if (d->group_pos == 8) {
                int w = d->bit_width;
                uint32_t groups = (n - done) / 8;
                if (groups > d->packed_left / 8) groups = d->packed_left / 8;
                /* the last group's 64-bit loads reach at most w + 8 bytes past its start */
                if (w > 0 && d->end - d->p < (ptrdiff_t)groups * w + 8) {
                    ptrdiff_t room = d->end - d->p - 8;
                    groups = room < w ? 0 : (uint32_t)(room / w);
                }
                if (w == 0 && d->end - d->p < 8) groups = 0;
                unpack_groups(d->p, w, out + done, groups);
                d->p += (size_t)groups * (size_t)w;
                done += groups * 8;
                d->packed_left -= groups * 8;
                if (done == n || d->packed_left == 0) continue;
            }
#endif
            if (d->group_pos == 8 && !load_group(d)) {
                d->packed_left = 0;
                return done;
            }
            while (done < n && d->group_pos < 8 && d->packed_left > 0) {
                out[done++] = d->group[d->group_pos++];
                d->packed_left--;
            }
        } else if (!next_run(d)) {
            return done;
        }
    }
    return done;
}

uint32_t pq_rle_skip(PqRleDecoder *d, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        if (d->rle_left > 0) {
            uint32_t take = n - done < d->rle_left ? n - done : d->rle_left;
            done += take;
            d->rle_left -= take;
        } else if (d->packed_left > 0) {
            if (d->group_pos == 8) {
                /* whole groups that lie inside the input: step over their bytes (as pq_rle_get would read them) */
                int w = d->bit_width;
                uint32_t groups = (n - done) / 8;
                if (groups > d->packed_left / 8) groups = d->packed_left / 8;
                if (w > 0 && (uint64_t)(d->end - d->p) < (uint64_t)groups * (uint64_t)w)
                    groups = (uint32_t)((size_t)(d->end - d->p) / (size_t)w);
                d->p += (size_t)groups * (size_t)w;
                done += groups * 8;
                d->packed_left -= groups * 8;
                if (done == n || d->packed_left == 0) continue;
            }
            if (d->group_pos == 8 && !load_group(d)) {
                d->packed_left = 0;
                return done;
            }
            while (done < n && d->group_pos < 8 && d->packed_left > 0) {
                d->group_pos++;
                d->packed_left--;
                done++;
            }
        } else if (!next_run(d)) {
            return done;
        }
    }
    return done;
}

bool pq_rle_skip_run(PqRleDecoder *d, uint32_t n, uint32_t *value)
{
    if (d->rle_left == 0 && d->packed_left == 0 && !next_run(d)) return false;
    if (d->rle_left < n) return false;
    *value = d->rle_value;
    d->rle_left -= n;
    return true;
}

int pq_bit_width(uint64_t max_value)
{
    int w = 0;
    while (max_value) {
        w++;
        max_value >>= 1;
    }
    return w;
}

static void put_uleb(StrBuf *out, uint64_t v)
{
    while (v >= 0x80) {
        strbuf_putc(out, (char)(v | 0x80));
        v >>= 7;
    }
    strbuf_putc(out, (char)v);
}

/* Bit-pack count values (a multiple of 8) as one run: each value's low w
 * bits go into a 64-bit accumulator that is drained a byte at a time. */
static void put_packed(StrBuf *out, const uint32_t *values, size_t count, int w)
{
    put_uleb(out, (uint64_t)(count / 8) << 1 | 1);
    size_t nbytes = count / 8 * (size_t)w;
    strbuf_reserve(out, nbytes);
    uint8_t *p = (uint8_t *)out->data + out->len;
    uint64_t mask = w >= 32 ? 0xffffffffu : ((uint64_t)1 << w) - 1;
    uint64_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < count; i++) {
        acc |= ((uint64_t)values[i] & mask) << bits;
        bits += w;
        while (bits >= 8) {
            *p++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    out->len += nbytes; /* count is a multiple of 8: no bits are left over */
    out->data[out->len] = '\0';
}

void pq_rle_encode(StrBuf *out, const uint32_t *values, size_t n, int w)
{
    size_t lit_start = 0, i = 0;
    uint32_t pad[8];
    while (i < n) {
        size_t run = 1;
        while (i + run < n && values[i + run] == values[i]) run++;
        if (run >= 8) {
            /* fill the pending literals up to a multiple of 8 from the run */
            size_t lits = i - lit_start;
            size_t fill = (8 - lits % 8) % 8;
            if (run - fill >= 8) {
                if (lits + fill > 0) put_packed(out, values + lit_start, lits + fill, w);
                i += fill;
                run -= fill;
                put_uleb(out, (uint64_t)run << 1);
                int bytes = (w + 7) / 8;
                for (int b = 0; b < bytes; b++) strbuf_putc(out, (char)(values[i] >> (8 * b)));
                i += run;
                lit_start = i;
                continue;
            }
        }
        i += run;
    }
    size_t lits = n - lit_start;
    if (lits > 0) {
        size_t full = lits / 8 * 8;
        if (full) put_packed(out, values + lit_start, full, w);
        if (lits > full) {
            memset(pad, 0, sizeof pad);
            memcpy(pad, values + lit_start + full, (lits - full) * sizeof(uint32_t));
            put_packed(out, pad, 8, w);
        }
    }
}

/* ---- DELTA_BINARY_PACKED ---- */

static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

bool pq_delta_init(PqDeltaDecoder *d, const uint8_t *p, size_t n)
{
    memset(d, 0, sizeof *d);
    d->p = p;
    d->end = p + n;
    uint64_t first;
    if (!read_uleb(&d->p, d->end, &d->block_size) || !read_uleb(&d->p, d->end, &d->miniblocks) ||
        !read_uleb(&d->p, d->end, &d->total) || !read_uleb(&d->p, d->end, &first))
        return d->failed = true, false;
    if (d->block_size == 0 || d->block_size % 128 != 0 || d->block_size > (1u << 20) || d->miniblocks == 0 ||
        d->block_size % d->miniblocks != 0 || (d->block_size / d->miniblocks) % 32 != 0)
        return d->failed = true, false;
    d->per_miniblock = d->block_size / d->miniblocks;
    d->last = unzigzag(first);
    d->miniblock = d->miniblocks; /* no block loaded */
    return true;
}

/* Move to the next miniblock (reading a block header when needed). */
static bool next_miniblock(PqDeltaDecoder *d)
{
    if (d->widths && d->miniblock < d->miniblocks) {
        /* skip the rest of the current miniblock's bytes */
        d->p = d->mb_data + (size_t)(d->per_miniblock * d->widths[d->miniblock] / 8);
        d->miniblock++;
    }
    if (d->widths == NULL || d->miniblock >= d->miniblocks) {
        uint64_t md;
        if (!read_uleb(&d->p, d->end, &md)) return false;
        d->min_delta = unzigzag(md);
        if ((uint64_t)(d->end - d->p) < d->miniblocks) return false;
        d->widths = d->p;
        d->p += d->miniblocks;
        d->miniblock = 0;
    }
    int w = d->widths[d->miniblock];
    if (w > 64) return false;
    uint64_t bytes = d->per_miniblock * (uint64_t)w / 8;
    uint64_t remaining = d->total - d->produced;
    /* the last miniblock may be cut short by the writer */
    uint64_t need = remaining < d->per_miniblock ? (remaining * (uint64_t)w + 7) / 8 : bytes;
    if ((uint64_t)(d->end - d->p) < need) return false;
    d->mb_data = d->p;
    d->mb_pos = 0;
    d->left_in_miniblock = d->per_miniblock;
    if ((uint64_t)(d->end - d->p) < bytes) d->p = d->end; /* truncated tail: stay inside */
    return true;
}

uint32_t pq_delta_get(PqDeltaDecoder *d, int64_t *out, uint32_t n)
{
    uint32_t done = 0;
    if (d->failed) return 0;
    while (done < n && d->produced < d->total) {
        if (d->produced == 0) {
            out[done++] = d->last;
            d->produced++;
            continue;
        }
        if (d->left_in_miniblock == 0) {
            if (!next_miniblock(d)) {
                d->failed = true;
                return done;
            }
        }
        int w = d->widths[d->miniblock];
        uint64_t delta = w ? unpack_one(d->mb_data, d->mb_pos, w) : 0;
        d->mb_pos++;
        d->left_in_miniblock--;
        /* wrapping arithmetic, as the format defines */
        d->last = (int64_t)((uint64_t)d->last + (uint64_t)d->min_delta + delta);
        out[done++] = d->last;
        d->produced++;
    }
    return done;
}

const uint8_t *pq_delta_skip_all(PqDeltaDecoder *d)
{
    int64_t buf[256];
    while (d->produced < d->total) {
        if (pq_delta_get(d, buf, 256) == 0) return NULL;
    }
    if (d->failed) return NULL;
    /* the end is after the last miniblock read, in full */
    if (d->widths && d->miniblock < d->miniblocks) {
        uint64_t bytes = d->per_miniblock * d->widths[d->miniblock] / 8;
        const uint8_t *e = d->mb_data + bytes;
        return e <= d->end ? e : d->end;
    }
    return d->p;
}
