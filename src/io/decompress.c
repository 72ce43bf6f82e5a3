/* decompress: streaming decompression over an FsFile (see decompress.h).
 *
 * How: the file is read sequentially into one input buffer; each codec has
 * a `step` that turns some of the buffered input into output in the
 * caller's buffer and says how much it consumed and produced.  The driver
 * refills the input when it is used up; a step that neither consumes nor
 * produces at the end of the file means the data is complete, unless the
 * codec is in the middle of a member/frame, which means truncation.
 * Multi-member gzip and multi-stream bzip2 restart the codec when a member
 * ends and input remains; zstd and lz4 continue over concatenated frames by
 * themselves.  zlib and bzip2 allocate through mem_alloc; zstd and lz4 use
 * their own allocator (their custom-allocator entry points are not in the
 * stable API of the Debian packages). */
#include "io/decompress.h"

#include <bzlib.h>
#include <lz4frame.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "common/mem.h"

#define INPUT_BUFFER_SIZE (256u << 10)

struct Decompressor {
    FsFile *file;
    bool owns_file;
    Compression codec;
    unsigned char *in;
    size_t in_len, in_pos;
    bool file_eof;
    bool in_member;       /* the codec has started a member/frame it has not finished */
    bool member_done;     /* gzip/bzip2: the last member ended; restart on more input */
    bool finished;
    uint64_t bytes_in, bytes_out;
    z_stream z;
    bool z_init;
    bz_stream bz;
    bool bz_init;
    ZSTD_DCtx *zstd;
    LZ4F_dctx *lz4;
};

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mem_alloc((size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    mem_free(p);
}

static void *bz_alloc(void *opaque, int items, int size)
{
    (void)opaque;
    return mem_alloc((size_t)items * (size_t)size);
}

static void bz_free(void *opaque, void *p)
{
    (void)opaque;
    mem_free(p);
}

static bool corrupt(Decompressor *d, const char *detail, Error *err)
{
    error_set(err, ERR_DATA, "invalid %s data in file \"%s\": %s", compression_name(d->codec), d->file->path,
              detail ? detail : "corrupt input");
    error_set_location(err, d->file->path, 0, 0);
    return false;
}

static bool truncated(Decompressor *d, Error *err)
{
    error_set(err, ERR_DATA, "unexpected end of %s data in file \"%s\" (truncated file?)", compression_name(d->codec),
              d->file->path);
    error_set_location(err, d->file->path, 0, 0);
    return false;
}

/* One step of each codec: consume from d->in[in_pos..in_len), write at most
 * n bytes to out; report *used and *wrote. */
static bool step_none(Decompressor *d, unsigned char *out, size_t n, size_t *used, size_t *wrote, Error *err)
{
    (void)err;
    size_t k = d->in_len - d->in_pos < n ? d->in_len - d->in_pos : n;
    memcpy(out, d->in + d->in_pos, k);
    *used = *wrote = k;
    return true;
}

static bool step_gzip(Decompressor *d, unsigned char *out, size_t n, size_t *used, size_t *wrote, Error *err)
{
    size_t avail = d->in_len - d->in_pos;
    if (d->member_done) {
        if (avail == 0) return true; /* maybe the end; the driver decides */
        inflateReset(&d->z);
        d->member_done = false;
    }
    uInt in_now = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
    uInt out_now = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    d->z.next_in = d->in + d->in_pos;
    d->z.avail_in = in_now;
    d->z.next_out = out;
    d->z.avail_out = out_now;
    int rc = inflate(&d->z, Z_NO_FLUSH);
    *used = in_now - d->z.avail_in;
    *wrote = out_now - d->z.avail_out;
    if (rc == Z_STREAM_END) {
        d->member_done = true;
        d->in_member = false;
        return true;
    }
    if (*used > 0) d->in_member = true;
    if (rc == Z_OK || rc == Z_BUF_ERROR) return true;
    if (rc == Z_MEM_ERROR) return error_set(err, ERR_INTERNAL, "out of memory decompressing \"%s\"", d->file->path);
    return corrupt(d, d->z.msg, err);
}

static bool step_bzip2(Decompressor *d, unsigned char *out, size_t n, size_t *used, size_t *wrote, Error *err)
{
    size_t avail = d->in_len - d->in_pos;
    if (d->member_done) {
        if (avail == 0) return true;
        BZ2_bzDecompressEnd(&d->bz);
        memset(&d->bz, 0, sizeof d->bz);
        d->bz.bzalloc = bz_alloc;
        d->bz.bzfree = bz_free;
        if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK) {
            d->bz_init = false;
            return error_set(err, ERR_INTERNAL, "could not start bzip2 decompression");
        }
        d->member_done = false;
    }
    unsigned in_now = avail > UINT32_MAX ? UINT32_MAX : (unsigned)avail;
    unsigned out_now = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
    d->bz.next_in = (char *)(d->in + d->in_pos);
    d->bz.avail_in = in_now;
    d->bz.next_out = (char *)out;
    d->bz.avail_out = out_now;
    int rc = BZ2_bzDecompress(&d->bz);
    *used = in_now - d->bz.avail_in;
    *wrote = out_now - d->bz.avail_out;
    if (rc == BZ_STREAM_END) {
        d->member_done = true;
        d->in_member = false;
        return true;
    }
    if (*used > 0) d->in_member = true;
    if (rc == BZ_OK) return true;
    if (rc == BZ_MEM_ERROR) return error_set(err, ERR_INTERNAL, "out of memory decompressing \"%s\"", d->file->path);
    return corrupt(d, rc == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" : "corrupt input", err);
}

static bool step_zstd(Decompressor *d, unsigned char *out, size_t n, size_t *used, size_t *wrote, Error *err)
{
    ZSTD_inBuffer in = {d->in + d->in_pos, d->in_len - d->in_pos, 0};
    ZSTD_outBuffer ob = {out, n, 0};
    size_t rc = ZSTD_decompressStream(d->zstd, &ob, &in);
    *used = in.pos;
    *wrote = ob.pos;
    if (ZSTD_isError(rc)) return corrupt(d, ZSTD_getErrorName(rc), err);
    if (*used > 0 || *wrote > 0) d->in_member = rc != 0;
    return true;
}

static bool step_lz4(Decompressor *d, unsigned char *out, size_t n, size_t *used, size_t *wrote, Error *err)
{
    size_t src = d->in_len - d->in_pos, dst = n;
    size_t rc = LZ4F_decompress(d->lz4, out, &dst, d->in + d->in_pos, &src, NULL);
    *used = src;
    *wrote = dst;
    if (LZ4F_isError(rc)) return corrupt(d, LZ4F_getErrorName(rc), err);
    if (*used > 0 || *wrote > 0) d->in_member = rc != 0;
    return true;
}

Decompressor *decompress_open(FsFile *file, Compression codec, Error *err)
{
    Decompressor *d = mem_calloc(1, sizeof *d);
    d->file = file;
    d->codec = compression_resolve(file->path, codec);
    d->in = mem_alloc(INPUT_BUFFER_SIZE);
    bool ok = true;
    switch (d->codec) {
    case COMPRESSION_GZIP:
        d->z.zalloc = zlib_alloc;
        d->z.zfree = zlib_free;
        ok = inflateInit2(&d->z, 15 + 32) == Z_OK; /* 32: gzip or zlib header, detected */
        d->z_init = ok;
        break;
    case COMPRESSION_BZIP2:
        d->bz.bzalloc = bz_alloc;
        d->bz.bzfree = bz_free;
        ok = BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
        d->bz_init = ok;
        break;
    case COMPRESSION_ZSTD:
        d->zstd = ZSTD_createDCtx();
        ok = d->zstd != NULL;
        break;
    case COMPRESSION_LZ4: ok = !LZ4F_isError(LZ4F_createDecompressionContext(&d->lz4, LZ4F_VERSION)); break;
    default: break;
    }
    if (!ok) {
        error_set(err, ERR_INTERNAL, "could not start %s decompression of \"%s\"", compression_name(d->codec), file->path);
        decompress_close(d);
        return NULL;
    }
    return d;
}

Decompressor *decompress_open_path(const char *path, Compression codec, Error *err)
{
    FsFile *f = fs_open_read(path, err);
    if (f == NULL) return NULL;
    Decompressor *d = decompress_open(f, codec, err);
    if (d == NULL) {
        fs_close(f);
        return NULL;
    }
    d->owns_file = true;
    return d;
}

bool decompress_read(Decompressor *d, void *buf, size_t n, size_t *got, Error *err)
{
    unsigned char *out = buf;
    size_t produced = 0;
    while (produced < n && !d->finished) {
        if (d->in_pos == d->in_len && !d->file_eof) {
            size_t k;
            if (!fs_read(d->file, d->in, INPUT_BUFFER_SIZE, &k, err)) return false;
            d->in_pos = 0;
            d->in_len = k;
            d->bytes_in += k;
            if (k == 0) d->file_eof = true;
            continue;
        }
        size_t used = 0, wrote = 0;
        bool ok;
        switch (d->codec) {
        case COMPRESSION_GZIP: ok = step_gzip(d, out + produced, n - produced, &used, &wrote, err); break;
        case COMPRESSION_BZIP2: ok = step_bzip2(d, out + produced, n - produced, &used, &wrote, err); break;
        case COMPRESSION_ZSTD: ok = step_zstd(d, out + produced, n - produced, &used, &wrote, err); break;
        case COMPRESSION_LZ4: ok = step_lz4(d, out + produced, n - produced, &used, &wrote, err); break;
        default: ok = step_none(d, out + produced, n - produced, &used, &wrote, err); break;
        }
        if (!ok) return false;
        d->in_pos += used;
        produced += wrote;
        if (used > 0 || wrote > 0) continue;
        if (d->member_done && d->in_pos < d->in_len) continue; /* the next member starts */
        if (d->in_pos < d->in_len) return corrupt(d, "the decoder made no progress", err);
        if (!d->file_eof) continue;
        if (d->in_member) return truncated(d, err);
        d->finished = true;
    }
    d->bytes_out += produced;
    *got = produced;
    return true;
}

uint64_t decompress_bytes_in(const Decompressor *d)
{
    return d->bytes_in - (d->in_len - d->in_pos);
}

uint64_t decompress_bytes_out(const Decompressor *d)
{
    return d->bytes_out;
}

Compression decompress_codec(const Decompressor *d)
{
    return d->codec;
}

uint64_t decompress_file_size(const Decompressor *d)
{
    return d->file->size;
}

void decompress_close(Decompressor *d)
{
    if (d == NULL) return;
    if (d->z_init) inflateEnd(&d->z);
    if (d->bz_init) BZ2_bzDecompressEnd(&d->bz);
    if (d->zstd) ZSTD_freeDCtx(d->zstd);
    if (d->lz4) LZ4F_freeDecompressionContext(d->lz4);
    if (d->owns_file) fs_close(d->file);
    mem_free(d->in);
    mem_free(d);
}
