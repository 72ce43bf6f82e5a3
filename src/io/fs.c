/* fs: the file-system registry, the calls that dispatch to a FileSystem's
 * vtable, glob matching and path lists (see fs.h).  The local file system
 * itself lives in local.c. */
#include "io/fs.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "io/s3/s3_fs.h"

/* Registered remote file systems; few enough that a fixed array is right. */
#define FS_MAX_REGISTERED 8
static const FileSystem *registered[FS_MAX_REGISTERED];
static int nregistered;

void fs_register(const FileSystem *fs)
{
    if (nregistered < FS_MAX_REGISTERED) registered[nregistered++] = fs;
}

const FileSystem *fs_for_path(const char *path)
{
    /* newest first, so a later registration can override an earlier one */
    for (int i = nregistered - 1; i >= 0; i--)
        if (registered[i]->handles(path)) return registered[i];
    if (fs_s3()->handles(path)) return fs_s3(); /* built in, so no start-up call can be forgotten */
    return fs_local();
}

FsFile *fs_open_read(const char *path, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->open_read(fs, path, err);
}

bool fs_pread(FsFile *f, void *buf, size_t n, uint64_t offset, size_t *got, Error *err)
{
    return f->fs->pread(f, buf, n, offset, got, err);
}

bool fs_read(FsFile *f, void *buf, size_t n, size_t *got, Error *err)
{
    *got = 0;
    if (f->cursor >= f->size) return true;
    if (!f->fs->pread(f, buf, n, f->cursor, got, err)) return false;
    f->cursor += *got;
    return true;
}

void fs_close(FsFile *f)
{
    if (f) f->fs->close(f);
}

FsWriter *fs_open_write(const char *path, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->open_write(fs, path, err);
}

bool fs_writer_write(FsWriter *w, const void *buf, size_t n, Error *err)
{
    if (n == 0) return true;
    if (!w->fs->write(w, buf, n, err)) return false;
    w->bytes_written += n;
    return true;
}

bool fs_writer_commit(FsWriter *w, Error *err)
{
    return w->fs->commit(w, err);
}

void fs_writer_abort(FsWriter *w)
{
    if (w) w->fs->abort(w);
}

bool fs_has_wildcard(const char *path)
{
    return strpbrk(path, "*?[") != NULL;
}

/* Match path segments [p, pend) against pattern segments; `**` consumes any
 * number of path segments (backtracking; segment counts are small). */
static bool match_segments(char **pat, int np, char **path, int nq)
{
    if (np == 0) return nq == 0;
    if (strcmp(pat[0], "**") == 0) {
        for (int skip = 0; skip <= nq; skip++) {
            if (skip > 0 && path[skip - 1][0] == '.') return false; /* ** skips no hidden dirs */
            if (match_segments(pat + 1, np - 1, path + skip, nq - skip)) return true;
        }
        return false;
    }
    if (nq == 0) return false;
    if (fnmatch(pat[0], path[0], FNM_PERIOD) != 0) return false;
    return match_segments(pat + 1, np - 1, path + 1, nq - 1);
}

/* Split a copy of s at '/' into segments (empty segments kept, so a leading
 * '/' gives a first empty segment). Returns the copy to free. */
static char *split_segments(const char *s, char ***segs, int *nsegs)
{
    char *copy = mem_strdup(s);
    int n = 1;
    for (const char *c = copy; *c; c++) n += *c == '/';
    char **out = mem_alloc((size_t)n * sizeof *out);
    int k = 0;
    out[k++] = copy;
    for (char *c = copy; *c; c++)
        if (*c == '/') {
            *c = '\0';
            out[k++] = c + 1;
        }
    *segs = out;
    *nsegs = k;
    return copy;
}

bool fs_glob_match(const char *pattern, const char *path)
{
    char **ps, **qs;
    int np, nq;
    char *pc = split_segments(pattern, &ps, &np);
    char *qc = split_segments(path, &qs, &nq);
    bool ok = match_segments(ps, np, qs, nq);
    mem_free(ps);
    mem_free(qs);
    mem_free(pc);
    mem_free(qc);
    return ok;
}

void fs_path_list_add(FsPathList *list, const char *path)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->paths = mem_realloc(list->paths, (size_t)list->cap * sizeof *list->paths);
    }
    list->paths[list->count++] = mem_strdup(path);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void fs_path_list_sort(FsPathList *list)
{
    if (list->count == 0) return;
    qsort(list->paths, (size_t)list->count, sizeof *list->paths, compare_paths);
    int kept = 1;
    for (int i = 1; i < list->count; i++) {
        if (strcmp(list->paths[i], list->paths[kept - 1]) == 0) mem_free(list->paths[i]);
        else list->paths[kept++] = list->paths[i];
    }
    list->count = kept;
}

void fs_path_list_free(FsPathList *list)
{
    for (int i = 0; i < list->count; i++) mem_free(list->paths[i]);
    mem_free(list->paths);
    list->paths = NULL;
    list->count = list->cap = 0;
}

bool fs_glob(const char *pattern, FsPathList *out, Error *err)
{
    const FileSystem *fs = fs_for_path(pattern);
    int before = out->count;
    if (!fs->glob(fs, pattern, out, err)) return false;
    if (out->count == before)
        return error_set(err, ERR_IO, "No files found that match the pattern \"%s\"", pattern);
    fs_path_list_sort(out);
    return true;
}

bool fs_file_size(const char *path, uint64_t *size, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->file_size(fs, path, size, err);
}

bool fs_exists(const char *path)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->exists(fs, path);
}

bool fs_mkdirs(const char *path, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->mkdirs(fs, path, err);
}

bool fs_remove(const char *path, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    return fs->remove(fs, path, err);
}

bool fs_read_all(const char *path, char **data, size_t *n, Error *err)
{
    *data = NULL;
    *n = 0;
    FsFile *f = fs_open_read(path, err);
    if (f == NULL) return false;
    if (f->size > ((uint64_t)1 << 31)) {
        fs_close(f);
        return error_set(err, ERR_IO, "could not read file \"%s\": file too large", path);
    }
    char *buf = mem_alloc((size_t)f->size + 1);
    size_t got = 0;
    if (!fs_pread(f, buf, (size_t)f->size, 0, &got, err)) {
        mem_free(buf);
        fs_close(f);
        return false;
    }
    fs_close(f);
    buf[got] = '\0';
    *data = buf;
    *n = got;
    return true;
}

/* The error of a file system that lacks an optional entry. */
static bool unsupported(const FileSystem *fs, const char *what, const char *path, Error *err)
{
    return error_set(err, ERR_IO, "%s of \"%s\" is not supported on %s", what, path, fs->name);
}

FsWriter *fs_open_staged(const char *path, const char *staging_dir, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->open_staged == NULL) {
        unsupported(fs, "staged writing", path, err);
        return NULL;
    }
    return fs->open_staged(fs, path, staging_dir, err);
}

bool fs_writer_prepare(FsWriter *w, char **token, Error *err)
{
    *token = NULL;
    if (w->fs->prepare == NULL) {
        unsupported(w->fs, "staged writing", w->path, err);
        w->fs->abort(w);
        return false;
    }
    return w->fs->prepare(w, token, err);
}

bool fs_publish(const char *path, const char *token, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->publish == NULL) return unsupported(fs, "publishing", path, err);
    return fs->publish(fs, path, token, err);
}

void fs_discard(const char *path, const char *token)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->discard != NULL && token != NULL) fs->discard(fs, path, token);
}

bool fs_write_exclusive(const char *path, const void *buf, size_t n, bool *existed, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    *existed = false;
    if (fs->write_exclusive == NULL) return unsupported(fs, "exclusive creation", path, err);
    return fs->write_exclusive(fs, path, buf, n, existed, err);
}

bool fs_list_dir(const char *path, FsPathList *out, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->list_dir == NULL) return unsupported(fs, "listing", path, err);
    if (!fs->list_dir(fs, path, out, err)) return false;
    fs_path_list_sort(out);
    return true;
}

bool fs_remove_tree(const char *path, Error *err)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->remove_tree == NULL) return unsupported(fs, "removing the directory tree", path, err);
    return fs->remove_tree(fs, path, err);
}

void fs_remove_dir_if_empty(const char *path)
{
    const FileSystem *fs = fs_for_path(path);
    if (fs->remove_dir_if_empty != NULL) fs->remove_dir_if_empty(fs, path);
}

bool fs_sync_batch(const char *root, const char *const *paths, int n, Error *err)
{
    if (n <= 0) return true;
    const FileSystem *fs = fs_for_path(root);
    return fs->sync_batch == NULL || fs->sync_batch(fs, root, paths, n, err);
}

bool fs_pread_ranges(FsFile *f, const FsRange *ranges, int n, Error *err)
{
    if (f->fs->pread_ranges != NULL) return f->fs->pread_ranges(f, ranges, n, err);
    for (int i = 0; i < n; i++) {
        size_t got;
        if (!f->fs->pread(f, ranges[i].buf, ranges[i].len, ranges[i].offset, &got, err)) return false;
        if (got != ranges[i].len)
            return error_set(err, ERR_IO, "could not read file \"%s\": unexpected end of file at offset %llu", f->path,
                             (unsigned long long)(ranges[i].offset + got));
    }
    return true;
}

bool fs_discard_stale_staged(const char *path, const char *before, bool (*accept)(const char *relative), int *discarded,
                             Error *err)
{
    *discarded = 0;
    const FileSystem *fs = fs_for_path(path);
    return fs->discard_stale_staged == NULL || fs->discard_stale_staged(fs, path, before, accept, discarded, err);
}
