/* local: the FileSystem of local paths (see fs.h).
 *
 * Reads use pread(2) on one descriptor, so one open file can serve many
 * threads.  Writes go to ".<name>.kiln-tmp-<pid>-<n>" in the target's
 * directory; commit is fsync, rename(2) (atomic within a directory), then
 * fsync of the directory so the new name survives a crash.
 *
 * Two-phase writes (the lake's) stage a file in a directory the caller
 * names and publish it by rename; see "two-phase writes" below.
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
#include <pthread.h>
#include <stdlib.h>
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
    struct stat st;
    /* the common case first: only the last level is missing */
    if (mkdir(copy, 0777) == 0 || (errno == EEXIST && stat(copy, &st) == 0 && S_ISDIR(st.st_mode))) {
        mem_free(copy);
        return true;
    }
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

/* ---- two-phase writes (the lake's commit protocol) ----
 *
 * A staged output is a file staging_dir/<final name's base name>, created
 * exclusively; prepare closes it, and its path is the token.  publish
 * renames it to its final name (creating missing directories), so it
 * happens at most once: a second publish finds the staged file gone and the
 * final one present, and succeeds.  Two processes publishing at once are
 * safe for the same reason (rename is atomic).
 *
 * Durability is batched (local_sync_batch): neither prepare nor publish
 * calls fsync.  A run of 10,000 partition files would otherwise pay 10,000
 * file fsyncs, 10,000 directory fsyncs at publication and as many for the
 * folders it creates, one after the other, a few milliseconds each: minutes
 * of I/O wait.  The lake instead syncs in two batches, the staged files
 * before its commit record, the renames and removals before _SUCCESS, each
 * batch as concurrent fsyncs from 32 threads, which the file system's
 * journal groups into few commits.  Measured here for 10,000 new files of
 * 8 kB: fsync one by one 32 s, from 16 threads 2.8 s, from 64 threads
 * 1.5 s, one syncfs(2) 0.5 s.  syncfs is faster on an idle disk but flushes
 * every dirty file of the file system, other programs' too: on the shared
 * build machine a 2-file commit waited 175 ms for it instead of a few ms,
 * and a writer beside a process with gigabytes of dirty pages would wait
 * for all of them.  Concurrent fsyncs cost what the run itself wrote, and
 * each reports its own file's write-back errors. */

static FsWriter *local_open_staged(const FileSystem *fs, const char *path, const char *staging_dir, Error *err)
{
    const char *p = local_path(path);
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (*base == '\0') {
        error_set(err, ERR_IO, "could not open file \"%s\" for writing: %s", path, strerror(EISDIR));
        return NULL;
    }
    StrBuf staged = STRBUF_INIT;
    strbuf_puts(&staged, local_path(staging_dir));
    if (staged.len && staged.data[staged.len - 1] != '/') strbuf_putc(&staged, '/');
    strbuf_puts(&staged, base);
    int fd;
    /* the staging folder is created by the first file only: a run of
     * 10,000 files would otherwise pay a mkdir per folder level per file */
    for (int attempt = 0;; attempt++) {
        do fd = open(staged.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        while (fd < 0 && errno == EINTR);
        if (fd >= 0 || errno != ENOENT || attempt > 0) break;
        if (!local_mkdirs(fs, staging_dir, err)) {
            strbuf_free(&staged);
            return NULL;
        }
    }
    if (fd < 0) {
        error_set(err, ERR_IO, "could not open file \"%s\" for writing: %s", staged.data, strerror(errno));
        strbuf_free(&staged);
        return NULL;
    }
    LocalWriter *w = mem_calloc(1, sizeof *w);
    w->base.fs = fs;
    w->base.path = mem_strdup(path);
    w->fd = fd;
    w->temp_path = strbuf_take(&staged);
    return &w->base;
}

static bool local_prepare(FsWriter *writer, char **token, Error *err)
{
    LocalWriter *w = (LocalWriter *)writer;
    *token = NULL;
    /* no fsync: the lake makes every staged file durable at once (local_sync_batch) */
    int rc = close(w->fd);
    w->fd = -1;
    if (rc != 0) {
        error_set(err, ERR_IO, "could not close file \"%s\": %s", w->temp_path, strerror(errno));
        local_abort(writer);
        return false;
    }
    *token = w->temp_path;
    w->temp_path = NULL;
    local_writer_free(w);
    return true;
}

static bool local_publish(const FileSystem *fs, const char *path, const char *token, Error *err)
{
    const char *p = local_path(path);
    bool ok = true;
    /* the partition folder is created when the first rename finds it missing */
    for (int attempt = 0;; attempt++) {
        if (rename(token, p) == 0) break;
        int saved = errno;
        struct stat st;
        if (saved == ENOENT && stat(p, &st) == 0) return true; /* published before (by us or by another process) */
        if (saved == ENOENT && attempt == 0 && stat(token, &st) == 0) {
            char *dir = dir_of(p);
            ok = local_mkdirs(fs, dir, err);
            mem_free(dir);
            if (ok) continue;
            break;
        }
        ok = error_set(err, ERR_IO, "could not publish file \"%s\" from \"%s\": %s", path, token,
                       saved == ENOENT ? "the staged file is missing" : strerror(saved));
        break;
    }
    return ok;
}

/* ---- batched durability (the lake's fs_sync_batch) ---- */

#define SYNC_THREADS 32

typedef struct SyncBatch {
    char **targets; /* files and directories to fsync, sorted, distinct */
    int count;
    int next;       /* the next target to take (atomic) */
    pthread_mutex_t mutex; /* guards err */
    Error *err;
    bool failed;
} SyncBatch;

static void sync_one(SyncBatch *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int saved = 0;
    const char *what = "open";
    if (fd < 0) {
        if (errno == ENOENT) return; /* removed meanwhile (a replaced file): its directory is synced */
        saved = errno;
    } else {
        if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
            saved = errno;
            what = "fsync";
        }
        close(fd);
    }
    if (saved == 0) return;
    pthread_mutex_lock(&b->mutex);
    if (!b->failed) error_set(b->err, ERR_IO, "could not %s file \"%s\": %s", what, path, strerror(saved));
    b->failed = true;
    pthread_mutex_unlock(&b->mutex);
}

static void *sync_worker(void *arg)
{
    SyncBatch *b = arg;
    for (;;) {
        int i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
        if (i >= b->count) return NULL;
        sync_one(b, b->targets[i]);
    }
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fsync every path that still exists and every directory from each path's
 * folder up to root (their entries: renames, new folders, removals), each
 * once, from up to SYNC_THREADS threads. */
static bool local_sync_batch(const FileSystem *fs, const char *root, const char *const *paths, int n, Error *err)
{
    const char *top = local_path(root);
    size_t top_len = strlen(top);
    while (top_len > 1 && top[top_len - 1] == '/') top_len--;
    SyncBatch b = {.err = err};
    int cap = 16;
    b.targets = mem_alloc(sizeof *b.targets * (size_t)cap);
    for (int i = 0; i < n; i++) {
        char *path = mem_strdup(local_path(paths[i]));
        for (;;) {
            if (b.count == cap) b.targets = mem_realloc(b.targets, sizeof *b.targets * (size_t)(cap *= 2));
            b.targets[b.count++] = path;
            /* up to the root (or the path's top when it is not below root) */
            bool below = strncmp(path, top, top_len) == 0 && path[top_len] == '/';
            if (!below) break;
            path = dir_of(path);
        }
    }
    qsort(b.targets, (size_t)b.count, sizeof *b.targets, compare_paths);
    int distinct = 0;
    for (int i = 0; i < b.count; i++) {
        if (distinct > 0 && strcmp(b.targets[distinct - 1], b.targets[i]) == 0) mem_free(b.targets[i]);
        else b.targets[distinct++] = b.targets[i];
    }
    b.count = distinct;
    pthread_mutex_init(&b.mutex, NULL);
    pthread_t threads[SYNC_THREADS];
    int nthreads = 0;
    while (nthreads < SYNC_THREADS && nthreads < b.count - 1 &&
           pthread_create(&threads[nthreads], NULL, sync_worker, &b) == 0)
        nthreads++;
    sync_worker(&b); /* this thread works too (alone when no thread could start) */
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&b.mutex);
    for (int i = 0; i < b.count; i++) mem_free(b.targets[i]);
    mem_free(b.targets);
    return !b.failed;
}

static void local_discard(const FileSystem *fs, const char *path, const char *token)
{
    unlink(token);
}

static bool local_write_exclusive(const FileSystem *fs, const char *path, const void *buf, size_t n, bool *existed,
                                  Error *err)
{
    *existed = false;
    FsWriter *writer = local_open_write(fs, path, err);
    if (writer == NULL) return false;
    LocalWriter *w = (LocalWriter *)writer;
    if (!local_write(writer, buf, n, err)) {
        local_abort(writer);
        return false;
    }
    if (fsync(w->fd) != 0) {
        error_set(err, ERR_IO, "could not fsync file \"%s\": %s", path, strerror(errno));
        local_abort(writer);
        return false;
    }
    /* link(2) fails with EEXIST instead of replacing, unlike rename(2) */
    bool ok = true;
    if (link(w->temp_path, local_path(path)) != 0) {
        *existed = errno == EEXIST;
        ok = error_set(err, ERR_IO, "could not create file \"%s\": %s", path, strerror(errno));
    }
    local_abort(writer); /* closes and removes the temporary name */
    if (ok) {
        char *dir = dir_of(local_path(path));
        ok = sync_directory(dir, err);
        mem_free(dir);
    }
    return ok;
}

static bool local_list_dir(const FileSystem *fs, const char *path, FsPathList *out, Error *err)
{
    DIR *d = opendir(local_path(path));
    if (d == NULL) {
        if (errno == ENOENT) return true;
        return error_set(err, ERR_IO, "could not open directory \"%s\": %s", path, strerror(errno));
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) fs_path_list_add(out, e->d_name);
    closedir(d);
    return true;
}

/* Remove path and, for a directory (not followed if a link), everything below. */
static bool remove_tree_at(const char *path, Error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return true;
        return error_set(err, ERR_IO, "could not stat file \"%s\": %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0 && errno != ENOENT)
            return error_set(err, ERR_IO, "could not remove file \"%s\": %s", path, strerror(errno));
        return true;
    }
    DIR *d = opendir(path);
    if (d == NULL) return error_set(err, ERR_IO, "could not open directory \"%s\": %s", path, strerror(errno));
    StrBuf child = STRBUF_INIT;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        join_path(&child, path, e->d_name);
        ok = remove_tree_at(child.data, err);
    }
    closedir(d);
    strbuf_free(&child);
    if (ok && rmdir(path) != 0 && errno != ENOENT)
        ok = error_set(err, ERR_IO, "could not remove directory \"%s\": %s", path, strerror(errno));
    return ok;
}

static bool local_remove_tree(const FileSystem *fs, const char *path, Error *err)
{
    return remove_tree_at(local_path(path), err);
}

static void local_remove_dir_if_empty(const FileSystem *fs, const char *path)
{
    rmdir(local_path(path));
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
    .open_staged = local_open_staged,
    .prepare = local_prepare,
    .publish = local_publish,
    .discard = local_discard,
    .write_exclusive = local_write_exclusive,
    .list_dir = local_list_dir,
    .remove_tree = local_remove_tree,
    .remove_dir_if_empty = local_remove_dir_if_empty,
    .sync_batch = local_sync_batch,
};

const FileSystem *fs_local(void)
{
    return &local_fs;
}
