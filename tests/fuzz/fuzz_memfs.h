/* fuzz_memfs: an in-memory FileSystem for the fuzz targets (header-only,
 * included by one fuzz target at a time).
 *
 * memfs_install() registers a file system that claims EVERY path, so a fuzz
 * input can neither read nor overwrite a real file (COPY t TO 'Makefile'
 * lands in memory) and no input pays for a disk write: the CSV target went
 * from one temporary file per input to a memcpy.
 *
 * Files live in a fixed table of MEMFS_MAX_FILES entries of at most
 * MEMFS_MAX_BYTES each; a write past either limit fails with ERR_IO like a
 * full disk.  Writes are staged in the writer and replace the file only at
 * commit, as the local file system's atomic writes do.  memfs_reset() drops
 * every file that the last input created, so inputs do not see each other.
 *
 * Memory: the file contents (mem_alloc), freed by memfs_reset/memfs_put. */
#ifndef KILN_FUZZ_MEMFS_H
#define KILN_FUZZ_MEMFS_H

#include <errno.h>
#include <string.h>

#include "common/mem.h"
#include "io/fs.h"

#define MEMFS_MAX_FILES 16
#define MEMFS_MAX_BYTES (1u << 20)

typedef struct MemfsEntry {
    char *name; /* NULL = free slot */
    char *data;
    size_t size;
    bool present;    /* false: a permanent file that the input removed */
    bool permanent;  /* put by the target before fuzzing; memfs_reset restores it */
    char *original;  /* a permanent file's contents as put */
    size_t original_size;
} MemfsEntry;

static MemfsEntry memfs_files[MEMFS_MAX_FILES];

typedef struct MemfsFile {
    FsFile base;
    char *data; /* a private copy, so a commit while reading cannot pull it away */
} MemfsFile;

typedef struct MemfsWriter {
    FsWriter base;
    char *data;
    size_t size, cap;
} MemfsWriter;

static MemfsEntry *memfs_find(const char *path)
{
    for (int i = 0; i < MEMFS_MAX_FILES; i++)
        if (memfs_files[i].name && memfs_files[i].present && strcmp(memfs_files[i].name, path) == 0)
            return &memfs_files[i];
    return NULL;
}

/* The slot of path, present or not (a removed permanent file keeps its slot). */
static MemfsEntry *memfs_slot(const char *path)
{
    for (int i = 0; i < MEMFS_MAX_FILES; i++)
        if (memfs_files[i].name && strcmp(memfs_files[i].name, path) == 0) return &memfs_files[i];
    return NULL;
}

static char *memfs_copy(const void *data, size_t n)
{
    char *copy = mem_alloc(n);
    if (n) memcpy(copy, data, n);
    return copy;
}

/* Create or replace path with a copy of data[0, n). Returns false when the
 * table is full. */
static bool memfs_store(const char *path, const void *data, size_t n)
{
    MemfsEntry *e = memfs_slot(path);
    for (int i = 0; e == NULL && i < MEMFS_MAX_FILES; i++)
        if (memfs_files[i].name == NULL) {
            e = &memfs_files[i];
            e->name = mem_strdup(path);
        }
    if (e == NULL) return false;
    mem_free(e->data);
    e->data = memfs_copy(data, n);
    e->size = n;
    e->present = true;
    return true;
}

/* Put a file that every input starts with (memfs_reset restores it). */
static void memfs_put(const char *path, const void *data, size_t n)
{
    if (!memfs_store(path, data, n)) return;
    MemfsEntry *e = memfs_slot(path);
    mem_free(e->original);
    e->original = memfs_copy(data, n);
    e->original_size = n;
    e->permanent = true;
}

static void memfs_drop(MemfsEntry *e)
{
    if (e->permanent) {
        e->present = false; /* keeps its slot and original for memfs_reset */
        return;
    }
    mem_free(e->name);
    mem_free(e->data);
    memset(e, 0, sizeof *e);
}

/* Back to the files put with memfs_put, as they were put: drops what the
 * last input wrote, restores what it overwrote or removed. */
static void memfs_reset(void)
{
    for (int i = 0; i < MEMFS_MAX_FILES; i++) {
        MemfsEntry *e = &memfs_files[i];
        if (e->name == NULL) continue;
        if (!e->permanent) {
            memfs_drop(e);
            continue;
        }
        mem_free(e->data);
        e->data = memfs_copy(e->original, e->original_size);
        e->size = e->original_size;
        e->present = true;
    }
}

static bool memfs_handles(const char *path)
{
    (void)path;
    return true;
}

static FsFile *memfs_open_read(const FileSystem *fs, const char *path, Error *err)
{
    MemfsEntry *e = memfs_find(path);
    if (e == NULL) {
        error_set(err, ERR_IO, "could not open file \"%s\": %s", path, strerror(ENOENT));
        return NULL;
    }
    MemfsFile *f = mem_calloc(1, sizeof *f);
    f->base.fs = fs;
    f->base.path = mem_strdup(path);
    f->base.size = e->size;
    f->data = mem_alloc(e->size);
    if (e->size) memcpy(f->data, e->data, e->size);
    return &f->base;
}

static bool memfs_pread(FsFile *file, void *buf, size_t n, uint64_t offset, size_t *got, Error *err)
{
    (void)err;
    MemfsFile *f = (MemfsFile *)file;
    size_t avail = offset >= file->size ? 0 : (size_t)(file->size - offset);
    *got = n < avail ? n : avail;
    if (*got) memcpy(buf, f->data + offset, *got);
    return true;
}

static void memfs_close(FsFile *file)
{
    MemfsFile *f = (MemfsFile *)file;
    mem_free(f->data);
    mem_free(file->path);
    mem_free(f);
}

static FsWriter *memfs_open_write(const FileSystem *fs, const char *path, Error *err)
{
    (void)err;
    MemfsWriter *w = mem_calloc(1, sizeof *w);
    w->base.fs = fs;
    w->base.path = mem_strdup(path);
    return &w->base;
}

static bool memfs_write(FsWriter *writer, const void *buf, size_t n, Error *err)
{
    MemfsWriter *w = (MemfsWriter *)writer;
    if (n > MEMFS_MAX_BYTES - w->size)
        return error_set(err, ERR_IO, "could not write to file \"%s\": %s", writer->path, strerror(ENOSPC));
    if (w->size + n > w->cap) {
        w->cap = w->size + n > 2 * w->cap ? w->size + n : 2 * w->cap;
        w->data = mem_realloc(w->data, w->cap);
    }
    memcpy(w->data + w->size, buf, n);
    w->size += n;
    return true;
}

static void memfs_abort(FsWriter *writer)
{
    MemfsWriter *w = (MemfsWriter *)writer;
    mem_free(w->data);
    mem_free(writer->path);
    mem_free(w);
}

static bool memfs_commit(FsWriter *writer, Error *err)
{
    MemfsWriter *w = (MemfsWriter *)writer;
    bool ok = memfs_store(writer->path, w->data, w->size);
    if (!ok) error_set(err, ERR_IO, "could not rename file \"%s\": %s", writer->path, strerror(ENOSPC));
    memfs_abort(writer);
    return ok;
}

static bool memfs_glob(const FileSystem *fs, const char *pattern, FsPathList *out, Error *err)
{
    (void)fs;
    if (!fs_has_wildcard(pattern)) {
        if (memfs_find(pattern) == NULL)
            return error_set(err, ERR_IO, "could not open file \"%s\": %s", pattern, strerror(ENOENT));
        fs_path_list_add(out, pattern);
        return true;
    }
    for (int i = 0; i < MEMFS_MAX_FILES; i++)
        if (memfs_files[i].name && fs_glob_match(pattern, memfs_files[i].name))
            fs_path_list_add(out, memfs_files[i].name);
    return true;
}

static bool memfs_file_size(const FileSystem *fs, const char *path, uint64_t *size, Error *err)
{
    (void)fs;
    MemfsEntry *e = memfs_find(path);
    if (e == NULL) return error_set(err, ERR_IO, "could not stat file \"%s\": %s", path, strerror(ENOENT));
    *size = e->size;
    return true;
}

static bool memfs_exists(const FileSystem *fs, const char *path)
{
    (void)fs;
    return memfs_find(path) != NULL;
}

static bool memfs_mkdirs(const FileSystem *fs, const char *path, Error *err)
{
    (void)fs;
    (void)path;
    (void)err;
    return true; /* directories are implicit in the names */
}

static bool memfs_remove(const FileSystem *fs, const char *path, Error *err)
{
    (void)fs;
    MemfsEntry *e = memfs_find(path);
    if (e == NULL) return error_set(err, ERR_IO, "could not remove file \"%s\": %s", path, strerror(ENOENT));
    memfs_drop(e);
    return true;
}

static const FileSystem memfs = {
    .name = "memfs",
    .handles = memfs_handles,
    .open_read = memfs_open_read,
    .pread = memfs_pread,
    .close = memfs_close,
    .open_write = memfs_open_write,
    .write = memfs_write,
    .commit = memfs_commit,
    .abort = memfs_abort,
    .glob = memfs_glob,
    .file_size = memfs_file_size,
    .exists = memfs_exists,
    .mkdirs = memfs_mkdirs,
    .remove = memfs_remove,
};

/* Route every path of the process to the in-memory file system (once). */
static void memfs_install(void)
{
    static bool installed;
    if (!installed) fs_register(&memfs);
    installed = true;
}

#endif
