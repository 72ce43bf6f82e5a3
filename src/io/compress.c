/* compress: a compressing FsWriter over another FsWriter (see compress.h).
 *
 * The writer embeds FsWriter as its first member and points it at a small
 * FileSystem vtable of its own (write, commit, abort); fs_writer_* then
 * dispatch to it.  Each write runs the codec over the caller's bytes into
 * a 256 KiB output buffer, which goes to the inner (temporary) file when it
 * fills; commit flushes the codec's end of stream and commits the inner
 * writer.  lz4's frame API needs the output room for a whole input chunk,
 * so its input is fed 64 KiB at a time. */
#include "io/compress.h"

#include <bzlib.h>
#include <lz4frame.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "common/mem.h"

#define OUTPUT_BUFFER_SIZE (256u << 10)
#define LZ4_CHUNK (64u << 10)

typedef struct CompressWriter {
    FsWriter base;
    FsWriter *inner;
    Compression codec;
    unsigned char *out;
    size_t out_cap, out_len;
    z_stream z;
    bool z_init;
    bz_stream bz;
    bool bz_init;
    ZSTD_CCtx *zstd;
    LZ4F_cctx *lz4;
    LZ4F_preferences_t lz4_prefs;
} CompressWriter;

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

static bool flush_out(CompressWriter *w, Error *err)
{
    if (w->out_len == 0) return true;
    if (!fs_writer_write(w->inner, w->out, w->out_len, err)) return false;
    w->out_len = 0;
    return true;
}

static bool codec_failed(CompressWriter *w, const char *detail, Error *err)
{
    return error_set(err, ERR_INTERNAL, "%s compression of \"%s\" failed: %s", compression_name(w->codec), w->base.path,
                     detail ? detail : "unknown error");
}

/* Run the codec over [data, data + n); finish = end the stream. */
static bool run_codec(CompressWriter *w, const unsigned char *data, size_t n, bool finish, Error *err)
{
    switch (w->codec) {
    case COMPRESSION_GZIP:
        w->z.next_in = (Bytef *)data;
        w->z.avail_in = (uInt)n; /* callers pass at most OUTPUT_BUFFER_SIZE-ish chunks, see cw_write */
        for (;;) {
            w->z.next_out = w->out + w->out_len;
            w->z.avail_out = (uInt)(w->out_cap - w->out_len);
            int rc = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
            w->out_len = w->out_cap - w->z.avail_out;
            if (rc == Z_STREAM_ERROR) return codec_failed(w, w->z.msg, err);
            if (w->out_len == w->out_cap && !flush_out(w, err)) return false;
            if (finish ? rc == Z_STREAM_END : w->z.avail_in == 0) return true;
        }
    case COMPRESSION_BZIP2:
        w->bz.next_in = (char *)data;
        w->bz.avail_in = (unsigned)n;
        for (;;) {
            w->bz.next_out = (char *)(w->out + w->out_len);
            w->bz.avail_out = (unsigned)(w->out_cap - w->out_len);
            int rc = BZ2_bzCompress(&w->bz, finish ? BZ_FINISH : BZ_RUN);
            w->out_len = w->out_cap - w->bz.avail_out;
            if (rc < 0) return codec_failed(w, "bzip2 error", err);
            if (w->out_len == w->out_cap && !flush_out(w, err)) return false;
            if (finish ? rc == BZ_STREAM_END : w->bz.avail_in == 0) return true;
        }
    case COMPRESSION_ZSTD: {
        ZSTD_inBuffer in = {data, n, 0};
        for (;;) {
            ZSTD_outBuffer ob = {w->out, w->out_cap, w->out_len};
            size_t rc = ZSTD_compressStream2(w->zstd, &ob, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
            w->out_len = ob.pos;
            if (ZSTD_isError(rc)) return codec_failed(w, ZSTD_getErrorName(rc), err);
            if (w->out_len == w->out_cap && !flush_out(w, err)) return false;
            if (finish ? rc == 0 : in.pos == in.size) return true;
        }
    }
    case COMPRESSION_LZ4: {
        size_t done = 0;
        while (done < n) {
            size_t k = n - done < LZ4_CHUNK ? n - done : LZ4_CHUNK;
            if (w->out_cap - w->out_len < LZ4F_compressBound(k, &w->lz4_prefs) && !flush_out(w, err)) return false;
            size_t rc = LZ4F_compressUpdate(w->lz4, w->out + w->out_len, w->out_cap - w->out_len, data + done, k, NULL);
            if (LZ4F_isError(rc)) return codec_failed(w, LZ4F_getErrorName(rc), err);
            w->out_len += rc;
            done += k;
        }
        if (finish) {
            if (w->out_cap - w->out_len < LZ4F_compressBound(0, &w->lz4_prefs) && !flush_out(w, err)) return false;
            size_t rc = LZ4F_compressEnd(w->lz4, w->out + w->out_len, w->out_cap - w->out_len, NULL);
            if (LZ4F_isError(rc)) return codec_failed(w, LZ4F_getErrorName(rc), err);
            w->out_len += rc;
        }
        return true;
    }
    default: return codec_failed(w, "no codec", err);
    }
}

static bool cw_write(FsWriter *base, const void *buf, size_t n, Error *err)
{
    CompressWriter *w = (CompressWriter *)base;
    const unsigned char *p = buf;
    while (n > 0) { /* chunks keep the 32-bit counters of zlib and bzip2 in range */
        size_t k = n < (1u << 30) ? n : (1u << 30);
        if (!run_codec(w, p, k, false, err)) return false;
        p += k;
        n -= k;
    }
    return true;
}

static void free_writer(CompressWriter *w)
{
    if (w->z_init) deflateEnd(&w->z);
    if (w->bz_init) BZ2_bzCompressEnd(&w->bz);
    if (w->zstd) ZSTD_freeCCtx(w->zstd);
    if (w->lz4) LZ4F_freeCompressionContext(w->lz4);
    mem_free(w->out);
    mem_free(w->base.path);
    mem_free(w);
}

static bool cw_commit(FsWriter *base, Error *err)
{
    CompressWriter *w = (CompressWriter *)base;
    if (!run_codec(w, NULL, 0, true, err) || !flush_out(w, err)) {
        fs_writer_abort(w->inner);
        free_writer(w);
        return false;
    }
    bool ok = fs_writer_commit(w->inner, err);
    free_writer(w);
    return ok;
}

static void cw_abort(FsWriter *base)
{
    CompressWriter *w = (CompressWriter *)base;
    fs_writer_abort(w->inner);
    free_writer(w);
}

static const FileSystem compress_fs = {
    .name = "compress",
    .write = cw_write,
    .commit = cw_commit,
    .abort = cw_abort,
};

FsWriter *compress_open_write(const char *path, Compression codec, Error *err)
{
    codec = compression_resolve(path, codec);
    FsWriter *inner = fs_open_write(path, err);
    if (inner == NULL || codec == COMPRESSION_NONE) return inner;
    CompressWriter *w = mem_calloc(1, sizeof *w);
    w->base.fs = &compress_fs;
    w->base.path = mem_strdup(path);
    w->inner = inner;
    w->codec = codec;
    w->out_cap = OUTPUT_BUFFER_SIZE;
    w->out = mem_alloc(w->out_cap);
    bool ok = true;
    switch (codec) {
    case COMPRESSION_GZIP:
        w->z.zalloc = zlib_alloc;
        w->z.zfree = zlib_free;
        ok = deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK; /* 16: gzip wrapper */
        w->z_init = ok;
        break;
    case COMPRESSION_BZIP2:
        w->bz.bzalloc = bz_alloc;
        w->bz.bzfree = bz_free;
        ok = BZ2_bzCompressInit(&w->bz, 9, 0, 0) == BZ_OK;
        w->bz_init = ok;
        break;
    case COMPRESSION_ZSTD:
        w->zstd = ZSTD_createCCtx();
        ok = w->zstd && !ZSTD_isError(ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_compressionLevel, 3));
        break;
    case COMPRESSION_LZ4: {
        memset(&w->lz4_prefs, 0, sizeof w->lz4_prefs);
        ok = !LZ4F_isError(LZ4F_createCompressionContext(&w->lz4, LZ4F_VERSION));
        if (ok) {
            size_t rc = LZ4F_compressBegin(w->lz4, w->out, w->out_cap, &w->lz4_prefs);
            ok = !LZ4F_isError(rc);
            if (ok) w->out_len = rc;
        }
        break;
    }
    default: break;
    }
    if (!ok) {
        error_set(err, ERR_INTERNAL, "could not start %s compression of \"%s\"", compression_name(codec), path);
        cw_abort(&w->base);
        return NULL;
    }
    return &w->base;
}
