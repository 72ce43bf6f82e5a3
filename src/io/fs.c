/* fs: the file-system registry, the calls that dispatch to a FileSystem's
 * vtable, glob matching and path lists (see fs.h).  The local file system
 * itself lives in local.c. */
#include "io/fs.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

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
