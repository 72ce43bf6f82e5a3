/* spill: anonymous temporary files of serialised batches (see spill.h). */
#include "exec/spill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"

#define SPILL_BUFFER (1u << 20)

struct SpillFile {
    FILE *fp;
    char *buffer;
    uint64_t bytes;
    char path[512];
};

SpillFile *spill_create(const char *dir, Error *err) { return spill_create_buffered(dir, SPILL_BUFFER, err); }

SpillFile *spill_create_buffered(const char *dir, size_t buffer_bytes, Error *err)
{
    SpillFile *f = mem_calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/kiln-spill-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(f->path);
    if (fd < 0) {
        error_set(err, ERR_IO, "could not create a spill file in \"%s\": %s (see SET temp_directory)",
                  dir && *dir ? dir : "/tmp", strerror(errno));
        mem_free(f);
        return NULL;
    }
    unlink(f->path); /* gone when closed, even after a crash */
    f->fp = fdopen(fd, "w+b");
    if (f->fp == NULL) {
        error_set(err, ERR_IO, "could not open a spill file: %s", strerror(errno));
        close(fd);
        mem_free(f);
        return NULL;
    }
    f->buffer = mem_alloc(buffer_bytes);
    setvbuf(f->fp, f->buffer, _IOFBF, buffer_bytes);
    return f;
}

static bool put(SpillFile *f, const void *p, size_t n, Error *err)
{
    if (n && fwrite(p, 1, n, f->fp) != n)
        return error_set(err, ERR_IO, "could not write a spill file: %s (is the temp_directory full?)", strerror(errno));
    f->bytes += n;
    return true;
}

static bool get(SpillFile *f, void *p, size_t n, Error *err)
{
    if (n && fread(p, 1, n, f->fp) != n)
        return error_set(err, ERR_IO, "could not read back a spill file: %s",
                         ferror(f->fp) ? strerror(errno) : "unexpected end of file");
    return true;
}

bool spill_write(SpillFile *f, const Batch *b, Error *err)
{
    uint32_t n = b->count;
    if (!put(f, &n, sizeof n, err)) return false;
    uint8_t tmp[VECTOR_CAPACITY * 16];
    uint64_t bits[VECTOR_CAPACITY / 64];
    for (int c = 0; c < b->ncols; c++) {
        const Vector *v = b->cols[c];
        size_t size = type_physical_size(v->type);
        /* validity: a flag, then the bitmap of the logical rows */
        uint8_t has_nulls = 0;
        memset(bits, 0xff, sizeof bits);
        for (uint32_t i = 0; i < n; i++)
            if (!vector_is_valid(v, batch_row(b, i))) {
                bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
                has_nulls = 1;
            }
        if (!put(f, &has_nulls, 1, err)) return false;
        if (has_nulls && !put(f, bits, sizeof(uint64_t) * ((n + 63) / 64), err)) return false;
        if (v->type.id == TYPE_VARCHAR) {
            uint32_t lens[VECTOR_CAPACITY];
            const KString *ks = VEC_DATA(v, KString);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t r = batch_row(b, i);
                lens[i] = vector_is_valid(v, r) ? ks[r].len : 0;
            }
            if (!put(f, lens, sizeof(uint32_t) * n, err)) return false;
            for (uint32_t i = 0; i < n; i++)
                if (lens[i] && !put(f, kstring_data(&ks[batch_row(b, i)]), lens[i], err)) return false;
        } else {
            const uint8_t *data = v->data;
            if (b->sel == NULL) {
                if (!put(f, data, size * n, err)) return false;
            } else {
                for (uint32_t i = 0; i < n; i++) memcpy(tmp + i * size, data + (size_t)b->sel[i] * size, size);
                if (!put(f, tmp, size * n, err)) return false;
            }
        }
    }
    return true;
}

bool spill_rewind(SpillFile *f, Error *err)
{
    if (fflush(f->fp) != 0)
        return error_set(err, ERR_IO, "could not write a spill file: %s (is the temp_directory full?)", strerror(errno));
    if (fseeko(f->fp, 0, SEEK_SET) != 0)
        return error_set(err, ERR_IO, "could not rewind a spill file: %s", strerror(errno));
    return true;
}

bool spill_read(SpillFile *f, Batch *out, Error *err)
{
    batch_reset(out);
    uint32_t n;
    if (fread(&n, sizeof n, 1, f->fp) != 1) {
        if (ferror(f->fp)) return error_set(err, ERR_IO, "could not read back a spill file: %s", strerror(errno));
        out->count = 0; /* end of file */
        return true;
    }
    if (n > VECTOR_CAPACITY) return error_set(err, ERR_INTERNAL, "corrupt spill file (batch of %u rows)", n);
    uint64_t bits[VECTOR_CAPACITY / 64];
    for (int c = 0; c < out->ncols; c++) {
        Vector *v = out->cols[c];
        size_t size = type_physical_size(v->type);
        uint8_t has_nulls;
        if (!get(f, &has_nulls, 1, err)) return false;
        if (has_nulls) {
            if (!get(f, bits, sizeof(uint64_t) * ((n + 63) / 64), err)) return false;
            for (uint32_t i = 0; i < n; i++)
                if (!((bits[i >> 6] >> (i & 63)) & 1)) vector_set_null(v, i);
        }
        if (v->type.id == TYPE_VARCHAR) {
            uint32_t lens[VECTOR_CAPACITY];
            if (!get(f, lens, sizeof(uint32_t) * n, err)) return false;
            KString *ks = VEC_DATA(v, KString);
            for (uint32_t i = 0; i < n; i++) {
                if (lens[i] <= KSTRING_INLINE_MAX) {
                    char small[KSTRING_INLINE_MAX];
                    if (!get(f, small, lens[i], err)) return false;
                    ks[i] = kstring_make(small, lens[i]);
                } else {
                    char *space = vector_string_space(v, lens[i]);
                    if (!get(f, space, lens[i], err)) return false;
                    ks[i] = kstring_make(space, lens[i]);
                }
            }
        } else if (!get(f, v->data, size * n, err)) {
            return false;
        }
    }
    out->count = n;
    return true;
}

uint64_t spill_bytes(const SpillFile *f) { return f->bytes; }

void spill_close(SpillFile *f)
{
    if (f == NULL) return;
    if (f->fp) fclose(f->fp);
    mem_free(f->buffer);
    mem_free(f);
}
