/* local: the FileSystem of local paths (see fs.h).
 *
 * Reads use pread(2) on one descriptor, so one open file can serve many
 * threads.  Writes go to ".<name>.kiln-tmp-<pid>-<n>" in the target's
 * directory; commit is fsync, rename(2) (atomic within a directory), then
 * fsync of the directory so the new name survives a crash.
 *
 * Globs walk only the directories the pattern can reach: the literal
 * directory prefix of the pattern is opened directly, each wildcard segment
 * reads one directory level, and `**` recurses (not following symbolic links
 * to directories, so a link cycle cannot loop).  Memory: one path buffer per
 * directory level plus the result list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/fs.h"

typedef struct LocalFile {
    FsFile base;
    int fd;
} LocalFile;

typedef struct LocalWriter {
    FsWriter base;
    int fd;
    char *temp_path;
} LocalWriter;

/* "file:///x" names the local "/x". */
static const char *local_path(const char *path)
{
    return strncmp(path, "file://", 7) == 0 ? path + 7 : path;
}

static bool local_handles(const char *path)
{
    return strstr(path, "://") == NULL || strncmp(path, "file://", 7) == 0;
}

static FsFile *local_open_read(const FileSystem *fs, const char *path, Error *err)
{
    const char *p = local_path(path);
    int fd;
    do fd = open(p, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        error_set(err, ERR_IO, "could not open file \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        error_set(err, ERR_IO, "could not stat file \"%s\": %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        error_set(err, ERR_IO, "could not open file \"%s\": %s", path, strerror(EISDIR));
        close(fd);
        return NULL;
    }
    LocalFile *f = mem_calloc(1, sizeof *f);
    f->base.fs = fs;
    f->base.path = mem_strdup(path);
    f->base.size = (uint64_t)st.st_size;
    f->fd = fd;
    return &f->base;
}

static bool local_pread(FsFile *file, void *buf, size_t n, uint64_t offset, size_t *got, Error *err)
{
    LocalFile *f = (LocalFile *)file;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(f->fd, (char *)buf + done, n - done, (off_t)(offset + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            *got = done;
            return error_set(err, ERR_IO, "could not read file \"%s\": %s", file->path, strerror(errno));
        }
        if (r == 0) break;
        done += (size_t)r;
    }
    *got = done;
    return true;
}

static void local_close(FsFile *file)
{
    LocalFile *f = (LocalFile *)file;
    close(f->fd);
    mem_free(file->path);
    mem_free(f);
}

/* Directory part of path ("." when there is none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) return mem_strdup(".");
    if (slash == path) return mem_strdup("/");
    return mem_strndup(path, (size_t)(slash - path));
}

static FsWriter *local_open_write(const FileSystem *fs, const char *path, Error *err)
{
    static unsigned long counter;
    const char *p = local_path(path);
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (*base == '\0') {
        error_set(err, ERR_IO, "could not open file \"%s\" for writing: %s", path, strerror(EISDIR));
        return NULL;
    }
    StrBuf temp = STRBUF_INIT;
    if (slash) strbuf_append(&temp, p, (size_t)(slash - p + 1));
    strbuf_printf(&temp, ".%s.kiln-tmp-%ld-%lu", base, (long)getpid(),
                  __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    int fd;
    do fd = open(temp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        error_set(err, ERR_IO, "could not open file \"%s\" for writing: %s", path, strerror(errno));
        strbuf_free(&temp);
        return NULL;
    }
    LocalWriter *w = mem_calloc(1, sizeof *w);
    w->base.fs = fs;
    w->base.path = mem_strdup(path);
    w->fd = fd;
    w->temp_path = strbuf_take(&temp);
    return &w->base;
}

static bool local_write(FsWriter *writer, const void *buf, size_t n, Error *err)
{
    LocalWriter *w = (LocalWriter *)writer;
    const char *p = buf;
    while (n > 0) {
        ssize_t r = write(w->fd, p, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return error_set(err, ERR_IO, "could not write to file \"%s\": %s", writer->path, strerror(errno));
        }
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static void local_writer_free(LocalWriter *w)
{
    mem_free(w->temp_path);
    mem_free(w->base.path);
    mem_free(w);
}

static void local_abort(FsWriter *writer)
{
    LocalWriter *w = (LocalWriter *)writer;
    if (w->fd >= 0) close(w->fd);
    unlink(w->temp_path);
    local_writer_free(w);
}

/* fsync a directory so a rename in it is durable; file systems that cannot
 * sync directories (EINVAL) are accepted as they are. */
static bool sync_directory(const char *dir, Error *err)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_set(err, ERR_IO, "could not open directory \"%s\": %s", dir, strerror(errno));
    bool ok = true;
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        ok = error_set(err, ERR_IO, "could not fsync directory \"%s\": %s", dir, strerror(errno));
    close(fd);
    return ok;
}

static bool local_commit(FsWriter *writer, Error *err)
{
    LocalWriter *w = (LocalWriter *)writer;
    const char *final_path = local_path(writer->path);
    if (fsync(w->fd) != 0) {
        error_set(err, ERR_IO, "could not fsync file \"%s\": %s", writer->path, strerror(errno));
        local_abort(writer);
        return false;
    }
    int rc = close(w->fd);
    w->fd = -1;
    if (rc != 0) {
        error_set(err, ERR_IO, "could not close file \"%s\": %s", writer->path, strerror(errno));
        local_abort(writer);
        return false;
    }
    if (rename(w->temp_path, final_path) != 0) {
        error_set(err, ERR_IO, "could not rename file \"%s\" to \"%s\": %s", w->temp_path, writer->path,
                  strerror(errno));
        local_abort(writer);
        return false;
    }
    char *dir = dir_of(final_path);
    bool ok = sync_directory(dir, err);
    mem_free(dir);
    local_writer_free(w);
    return ok;
}

/* ---- glob ---- */

typedef struct GlobWalk {
    char **segs;   /* pattern segments after the literal prefix */
    int nsegs;
    FsPathList *out;
    Error *err;
} GlobWalk;

/* dir joined with name; dir "" means the current directory (no "./"). */
static void join_path(StrBuf *sb, const char *dir, const char *name)
{
    strbuf_clear(sb);
    strbuf_puts(sb, dir);
    if (dir[0] && dir[strlen(dir) - 1] != '/') strbuf_putc(sb, '/');
    strbuf_puts(sb, name);
}

static bool is_wild(const char *seg)
{
    return strpbrk(seg, "*?[") != NULL;
}

static bool walk(GlobWalk *g, const char *dir, int seg);

/* Every regular file below dir, recursively (a trailing `**`). */
static bool walk_all_files(GlobWalk *g, const char *dir)
{
    DIR *d = opendir(dir[0] ? dir : ".");
    if (d == NULL) return true; /* unreadable or vanished: nothing to match */
    StrBuf path = STRBUF_INIT;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        join_path(&path, dir, e->d_name);
        struct stat st;
        if (lstat(path.data, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) ok = walk_all_files(g, path.data);
        else if (S_ISREG(st.st_mode) || (stat(path.data, &st) == 0 && S_ISREG(st.st_mode)))
            fs_path_list_add(g->out, path.data);
    }
    closedir(d);
    strbuf_free(&path);
    return ok;
}

/* Candidate path matched pattern segment seg: recurse or record it. */
static bool visit(GlobWalk *g, const char *path, int seg)
{
    struct stat st;
    if (stat(path, &st) != 0) return true;
    if (seg == g->nsegs - 1) {
        if (S_ISREG(st.st_mode)) fs_path_list_add(g->out, path);
        return true;
    }
    if (S_ISDIR(st.st_mode)) return walk(g, path, seg + 1);
    return true;
}

/* Match pattern segments [seg, nsegs) below directory dir. */
static bool walk(GlobWalk *g, const char *dir, int seg)
{
    if (seg >= g->nsegs) return true;
    const char *pat = g->segs[seg];
    StrBuf path = STRBUF_INIT;
    bool ok = true;
    if (strcmp(pat, "**") == 0) {
        if (seg == g->nsegs - 1) return walk_all_files(g, dir);
        ok = walk(g, dir, seg + 1); /* zero directories */
        DIR *d = opendir(dir[0] ? dir : ".");
        if (d != NULL) {
            struct dirent *e;
            while (ok && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.') continue;
                join_path(&path, dir, e->d_name);
                struct stat st;
                if (lstat(path.data, &st) == 0 && S_ISDIR(st.st_mode)) ok = walk(g, path.data, seg);
            }
            closedir(d);
        }
    } else if (!is_wild(pat)) {
        join_path(&path, dir, pat);
        ok = visit(g, path.data, seg);
    } else {
        DIR *d = opendir(dir[0] ? dir : ".");
        if (d != NULL) {
            struct dirent *e;
            while (ok && (e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
                if (fnmatch(pat, e->d_name, FNM_PERIOD) != 0) continue;
                join_path(&path, dir, e->d_name);
                ok = visit(g, path.data, seg);
            }
            closedir(d);
        }
    }
    strbuf_free(&path);
    return ok;
}

static bool local_glob(const FileSystem *fs, const char *pattern, FsPathList *out, Error *err)
{
    const char *p = local_path(pattern);
    if (!is_wild(p)) {
        struct stat st;
        if (stat(p, &st) != 0)
            return error_set(err, ERR_IO, "could not open file \"%s\": %s", pattern, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return error_set(err, ERR_IO, "could not open file \"%s\": %s", pattern, strerror(EISDIR));
        fs_path_list_add(out, pattern);
        return true;
    }
    /* The literal prefix: every segment before the first wildcard one. */
    const char *first_wild = strpbrk(p, "*?[");
    const char *prefix_end = first_wild;
    while (prefix_end > p && prefix_end[-1] != '/') prefix_end--;
    char *base = mem_strndup(p, (size_t)(prefix_end - p));
    if (prefix_end > p + 1) base[prefix_end - p - 1] = '\0'; /* drop the '/' except for the root */
    char *rest = mem_strdup(prefix_end);
    GlobWalk g = {NULL, 0, out, err};
    int n = 1;
    for (const char *c = rest; *c; c++) n += *c == '/';
    g.segs = mem_alloc((size_t)n * sizeof *g.segs);
    g.segs[g.nsegs++] = rest;
    for (char *c = rest; *c; c++)
        if (*c == '/') {
            *c = '\0';
            g.segs[g.nsegs++] = c + 1;
        }
    bool ok = walk(&g, base, 0);
    mem_free(g.segs);
    mem_free(rest);
    mem_free(base);
    return ok;
}

static bool local_file_size(const FileSystem *fs, const char *path, uint64_t *size, Error *err)
{
    struct stat st;
    if (stat(local_path(path), &st) != 0)
        return error_set(err, ERR_IO, "could not stat file \"%s\": %s", path, strerror(errno));
    *size = (uint64_t)st.st_size;
    return true;
}

static bool local_exists(const FileSystem *fs, const char *path)
{
    struct stat st;
    return stat(local_path(path), &st) == 0;
}

static bool local_mkdirs(const FileSystem *fs, const char *path, Error *err)
{
    if (local_path(path)[0] == '\0')
        return error_set(err, ERR_IO, "could not create directory \"%s\": %s", path, strerror(ENOENT));
    char *copy = mem_strdup(local_path(path));
    bool ok = true;
    for (char *c = copy + 1;; c++) {
        if (*c != '/' && *c != '\0') continue;
        char saved = *c;
        *c = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            ok = error_set(err, ERR_IO, "could not create directory \"%s\": %s", copy, strerror(errno));
            break;
        }
        *c = saved;
        if (saved == '\0') break;
    }
    if (ok) {
        struct stat st;
        if (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode))
            ok = error_set(err, ERR_IO, "could not create directory \"%s\": %s", path, strerror(EEXIST));
    }
    mem_free(copy);
    return ok;
}

static bool local_remove(const FileSystem *fs, const char *path, Error *err)
{
    if (unlink(local_path(path)) != 0)
        return error_set(err, ERR_IO, "could not remove file \"%s\": %s", path, strerror(errno));
    return true;
}

static const FileSystem local_fs = {
    .name = "local",
    .handles = local_handles,
    .open_read = local_open_read,
    .pread = local_pread,
    .close = local_close,
    .open_write = local_open_write,
    .write = local_write,
    .commit = local_commit,
    .abort = local_abort,
    .glob = local_glob,
    .file_size = local_file_size,
    .exists = local_exists,
    .mkdirs = local_mkdirs,
    .remove = local_remove,
};

const FileSystem *fs_local(void)
{
    return &local_fs;
}
