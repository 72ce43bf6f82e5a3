/* Unit tests of io/compression, io/compress and io/decompress: every codec
 * round-trips a buffer that spans many internal buffers, read back in odd
 * sizes; concatenated members read as one; truncated and corrupt data are
 * errors; codec names and extensions.  Files live in a mkdtemp folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "io/compress.h"
#include "io/decompress.h"
#include "unit.h"

static void make_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/kiln_compress_XXXXXX");
    if (mkdtemp(dir) == NULL) abort();
}

static void remove_dir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) abort();
}

/* A buffer of n bytes that compresses somewhat (so members span buffers). */
static unsigned char *sample(size_t n)
{
    unsigned char *b = mem_alloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (i % 7 == 0) ? (unsigned char)(x >> 24) : (unsigned char)('a' + i % 13);
    }
    return b;
}

static bool write_file(const char *path, Compression c, const unsigned char *data, size_t n)
{
    Error err = ERROR_INIT;
    FsWriter *w = compress_open_write(path, c, &err);
    if (w == NULL) return false;
    for (size_t off = 0; off < n; off += 100000) /* several writes */
        if (!fs_writer_write(w, data + off, n - off < 100000 ? n - off : 100000, &err)) return false;
    return fs_writer_commit(w, &err);
}

/* Read path whole through codec with reads of `step` bytes; NULL on error (err filled). */
static unsigned char *read_file(const char *path, Compression c, size_t step, size_t *n, Error *err)
{
    Decompressor *d = decompress_open_path(path, c, err);
    if (d == NULL) return NULL;
    size_t cap = 1 << 16, len = 0;
    unsigned char *out = mem_alloc(cap);
    for (;;) {
        if (len + step > cap) out = mem_realloc(out, cap = (len + step) * 2);
        size_t got;
        if (!decompress_read(d, out + len, step, &got, err)) {
            mem_free(out);
            decompress_close(d);
            return NULL;
        }
        len += got;
        if (got < step) break;
    }
    decompress_close(d);
    *n = len;
    return out;
}

TEST(compression_every_codec_round_trips)
{
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    const size_t n = 700000;
    unsigned char *data = sample(n);
    static const Compression codecs[] = {COMPRESSION_NONE, COMPRESSION_GZIP, COMPRESSION_ZSTD, COMPRESSION_BZIP2,
                                         COMPRESSION_LZ4};
    static const size_t steps[] = {1, 4093, 1 << 20};
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        snprintf(path, sizeof path, "%s/data_%d", dir, (int)k);
        CHECK(write_file(path, codecs[k], data, n));
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            if (steps[s] == 1 && codecs[k] == COMPRESSION_BZIP2) continue; /* slow byte by byte; covered by 4093 */
            Error err = ERROR_INIT;
            size_t got = 0;
            unsigned char *back = read_file(path, codecs[k], steps[s], &got, &err);
            CHECK(back != NULL);
            CHECK_EQ_INT(got, n);
            CHECK(back && got == n && memcmp(back, data, n) == 0);
            mem_free(back);
        }
    }
    mem_free(data);
    remove_dir(dir);
}

TEST(compression_concatenated_members_read_as_one)
{
    char dir[64], a[128], b[128], cat[128];
    make_dir(dir, sizeof dir);
    static const Compression codecs[] = {COMPRESSION_GZIP, COMPRESSION_ZSTD, COMPRESSION_BZIP2, COMPRESSION_LZ4};
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        snprintf(a, sizeof a, "%s/a", dir);
        snprintf(b, sizeof b, "%s/b", dir);
        snprintf(cat, sizeof cat, "%s/ab", dir);
        CHECK(write_file(a, codecs[k], (const unsigned char *)"hello ", 6));
        CHECK(write_file(b, codecs[k], (const unsigned char *)"world", 5));
        char cmd[512];
        snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s'", a, b, cat);
        CHECK(system(cmd) == 0);
        Error err = ERROR_INIT;
        size_t got = 0;
        unsigned char *back = read_file(cat, codecs[k], 3, &got, &err);
        CHECK(back != NULL);
        CHECK(back && got == 11 && memcmp(back, "hello world", 11) == 0);
        mem_free(back);
    }
    remove_dir(dir);
}

TEST(compression_truncated_and_corrupt_are_errors)
{
    char dir[64], path[128], cut[128];
    make_dir(dir, sizeof dir);
    const size_t n = 50000;
    unsigned char *data = sample(n);
    static const Compression codecs[] = {COMPRESSION_GZIP, COMPRESSION_ZSTD, COMPRESSION_BZIP2, COMPRESSION_LZ4};
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        snprintf(path, sizeof path, "%s/full", dir);
        snprintf(cut, sizeof cut, "%s/cut", dir);
        CHECK(write_file(path, codecs[k], data, n));
        char cmd[512];
        snprintf(cmd, sizeof cmd, "head -c 200 '%s' > '%s'", path, cut);
        CHECK(system(cmd) == 0);
        Error err = ERROR_INIT;
        size_t got;
        unsigned char *back = read_file(cut, codecs[k], 4096, &got, &err);
        CHECK(back == NULL);
        CHECK_EQ_INT(err.kind, ERR_DATA);
        CHECK(strstr(err.message, "unexpected end of") != NULL || strstr(err.message, "invalid") != NULL);
        mem_free(back);
        /* garbage is not data of the codec */
        snprintf(cmd, sizeof cmd, "printf 'this is not compressed at all' > '%s'", cut);
        CHECK(system(cmd) == 0);
        Error err2 = ERROR_INIT;
        back = read_file(cut, codecs[k], 4096, &got, &err2);
        CHECK(back == NULL);
        CHECK_EQ_INT(err2.kind, ERR_DATA);
        mem_free(back);
    }
    mem_free(data);
    remove_dir(dir);
}

TEST(compression_names_and_extensions)
{
    Compression c;
    CHECK(compression_parse("GZIP", &c) && c == COMPRESSION_GZIP);
    CHECK(compression_parse("zst", &c) && c == COMPRESSION_ZSTD);
    CHECK(compression_parse("none", &c) && c == COMPRESSION_NONE);
    CHECK(!compression_parse("rar", &c));
    CHECK_EQ_INT(compression_from_path("x.csv.gz"), COMPRESSION_GZIP);
    CHECK_EQ_INT(compression_from_path("x.jsonl.bz2"), COMPRESSION_BZIP2);
    CHECK_EQ_INT(compression_from_path("x.csv"), COMPRESSION_NONE);
    CHECK_EQ_INT(compression_from_path(".gz"), COMPRESSION_NONE);
    CHECK(compression_is_compressed("x.csv", COMPRESSION_LZ4));
    CHECK(!compression_is_compressed("x.csv.gz", COMPRESSION_NONE));
    CHECK_EQ_INT(compression_extension_length("a.csv.zst"), 4);
    CHECK_EQ_STR(compression_name(COMPRESSION_BZIP2), "bzip2");
}
