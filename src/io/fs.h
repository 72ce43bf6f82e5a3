/* fs: the one file-system interface kiln uses.
 *
 * Every byte kiln reads or writes goes through these functions, so that
 * local files, S3 and HTTP look the same to the format readers and writers.
 * A file system is a small vtable (FileSystem); fs_for_path() picks the one
 * whose URL scheme matches the path ("s3://", "https://"), and the local file
 * system handles everything else.  New file systems plug in with
 * fs_register() at start-up.
 *
 * Reading: fs_open_read() gives an FsFile with a known size that supports
 * positional reads (fs_pread, safe to share between threads because it keeps
 * no cursor) and sequential reads (fs_read, which advances the file's own
 * cursor).  Parallel scans open one FsFile per thread or share one and use
 * fs_pread on disjoint byte ranges.
 *
 * Writing is atomic: fs_open_write() writes to a temporary name beside the
 * target (local: ".<name>.kiln-tmp-<pid>-<n>" in the same directory, hidden
 * from globs), fs_writer_commit() makes it durable (fsync) and gives it its
 * final name (rename, then fsync of the directory), fs_writer_abort() throws
 * it away.  A reader never sees a half-written output.
 *
 * Globs: fs_glob() expands `*`, `?`, `[...]` within one path segment, and a
 * segment that is exactly `**` matches any number of directories (so
 * "dir" + "/" + "**" + "/" + "*.csv" finds every .csv below dir; spelled out
 * here because the pattern would end this comment).  Results are regular
 * files, sorted byte-wise; hidden entries (leading '.') match only a pattern
 * segment that starts with '.', which also hides fs_open_write's temporaries.
 * A pattern without wildcards names one file, which must exist.
 *
 * Errors are ERR_IO with the path and the system's reason, as PostgreSQL
 * words them: could not open file "x.csv": No such file or directory. */
#ifndef KILN_IO_FS_H
#define KILN_IO_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct FileSystem FileSystem;

/* An open file for reading.  Implementations embed this as their first
 * member and may add their own state after it. */
typedef struct FsFile {
    const FileSystem *fs;
    char *path;      /* as given to fs_open_read (owned) */
    uint64_t size;   /* bytes, known at open */
    uint64_t cursor; /* position of the next fs_read */
} FsFile;

/* A file being written under a temporary name (see fs_open_write). */
typedef struct FsWriter {
    const FileSystem *fs;
    char *path;          /* final name (owned) */
    uint64_t bytes_written;
} FsWriter;

/* One range of a multi-range read (fs_pread_ranges): len bytes at offset
 * into buf; the range must lie within the file. */
typedef struct FsRange {
    uint64_t offset;
    size_t len;
    void *buf;
} FsRange;

/* A sorted list of paths (fs_glob's result). */
typedef struct FsPathList {
    char **paths; /* owned, each mem_alloc'ed */
    int count;
    int cap;
} FsPathList;

/* The operations a file system provides.  Every function that can fail
 * fills err and returns false/NULL. */
struct FileSystem {
    const char *name; /* "local", "s3" ... */
    /* True if this file system serves the path (by its URL scheme). */
    bool (*handles)(const char *path);
    FsFile *(*open_read)(const FileSystem *fs, const char *path, Error *err);
    /* Read up to n bytes at offset; *got < n only at end of file. */
    bool (*pread)(FsFile *f, void *buf, size_t n, uint64_t offset, size_t *got, Error *err);
    void (*close)(FsFile *f);
    FsWriter *(*open_write)(const FileSystem *fs, const char *path, Error *err);
    bool (*write)(FsWriter *w, const void *buf, size_t n, Error *err);
    /* Make the output durable and visible under its final name; frees w. */
    bool (*commit)(FsWriter *w, Error *err);
    /* Discard the output; frees w; cannot fail. */
    void (*abort)(FsWriter *w);
    /* Append the files matching pattern to out (unsorted is fine). */
    bool (*glob)(const FileSystem *fs, const char *pattern, FsPathList *out, Error *err);
    bool (*file_size)(const FileSystem *fs, const char *path, uint64_t *size, Error *err);
    /* True if path names an existing file or directory (errors read as false). */
    bool (*exists)(const FileSystem *fs, const char *path);
    /* Create a directory and its missing parents (mkdir -p). */
    bool (*mkdirs)(const FileSystem *fs, const char *path, Error *err);
    /* Remove a file (not a directory). */
    bool (*remove)(const FileSystem *fs, const char *path, Error *err);

    /* Two-phase writes, for the lake's commit protocol (lake/lake_txn.h).
     * open_staged starts an output whose final name is path; staging_dir is
     * where a file system that stages by rename keeps it meanwhile (local:
     * a file under staging_dir; S3 ignores it and starts a multipart upload
     * of path).  prepare completes the bytes, not visible (durable once
     * sync_batch has run on its token, where the file system has one) and gives a
     * token (a mem_alloc'ed string, e.g. the staging file, or the upload id
     * and part ETags) with which any process can later publish or discard
     * the output; it frees w.  publish makes the output visible under path
     * and succeeds if it already was (so a commit can be rolled forward
     * twice); discard throws a prepared output away and cannot fail. */
    FsWriter *(*open_staged)(const FileSystem *fs, const char *path, const char *staging_dir, Error *err);
    bool (*prepare)(FsWriter *w, char **token, Error *err);
    bool (*publish)(const FileSystem *fs, const char *path, const char *token, Error *err);
    void (*discard)(const FileSystem *fs, const char *path, const char *token);
    /* Create path with these bytes only if nothing exists there (local: link
     * of a temporary; S3: PUT with If-None-Match: *); *existed tells a lost
     * race apart from an error.  The commit point of the lake. */
    bool (*write_exclusive)(const FileSystem *fs, const char *path, const void *buf, size_t n, bool *existed,
                            Error *err);
    /* Append the names (not paths) of the entries directly inside directory
     * path, files and subdirectories alike, unsorted; a missing directory
     * has none (S3: the common prefixes and objects under "path/"). */
    bool (*list_dir)(const FileSystem *fs, const char *path, FsPathList *out, Error *err);
    /* Remove a directory and everything below it; a missing one is fine
     * (S3: delete every object under "path/"). */
    bool (*remove_tree)(const FileSystem *fs, const char *path, Error *err);
    /* Remove a directory if it is empty; never fails (file systems without
     * directories leave this NULL: nothing to do). */
    void (*remove_dir_if_empty)(const FileSystem *fs, const char *path);
    /* Make durable, as one batch, what prepare, publish and remove did to
     * these paths (staging tokens or final paths) and to their folders up to
     * root: a file system whose prepare and publish are not durable by
     * themselves (local: no fsync per file; here concurrent fsyncs) implements
     * it; S3, whose requests are durable when answered, leaves it NULL. */
    bool (*sync_batch)(const FileSystem *fs, const char *root, const char *const *paths, int n, Error *err);
    /* Read several ranges of one file at once (S3: concurrent ranged GETs,
     * near ranges coalesced into one); NULL: fs_pread_ranges calls pread
     * for each (local files, where a pread is cheap). */
    bool (*pread_ranges)(FsFile *f, const FsRange *ranges, int n, Error *err);
    /* Discard the staged outputs below directory path that were never
     * published nor discarded, started before the object `before` was
     * created, and whose path relative to path accept() takes; *discarded
     * counts them.  S3: ListMultipartUploads (all pages) and an abort per
     * upload; file systems that stage in a folder leave it NULL. */
    bool (*discard_stale_staged)(const FileSystem *fs, const char *path, const char *before,
                                 bool (*accept)(const char *relative), int *discarded, Error *err);
};

/* Add a file system (consulted before the ones registered earlier and before
 * the local one). Call at start-up, before any thread uses fs_*. */
void fs_register(const FileSystem *fs);
/* The file system that serves path (the local one when no scheme matches). */
const FileSystem *fs_for_path(const char *path);
/* The local file system. */
const FileSystem *fs_local(void);

/* Open a file for reading; its size is known from the start. */
FsFile *fs_open_read(const char *path, Error *err);
/* Read up to n bytes at offset into buf; *got is less than n only at EOF. */
bool fs_pread(FsFile *f, void *buf, size_t n, uint64_t offset, size_t *got, Error *err);
/* Read n ranges (each wholly inside the file: a short read is an error); a
 * file system that can fetches them concurrently. */
bool fs_pread_ranges(FsFile *f, const FsRange *ranges, int n, Error *err);
/* Read up to n bytes at the file's cursor and advance it; *got == 0 at EOF. */
bool fs_read(FsFile *f, void *buf, size_t n, size_t *got, Error *err);
/* Size of an open file in bytes (cannot fail). */
static inline uint64_t fs_file_size_of(const FsFile *f) { return f->size; }
/* Close a file (NULL is fine). */
void fs_close(FsFile *f);

/* Start writing path atomically: bytes go to a temporary until commit. */
FsWriter *fs_open_write(const char *path, Error *err);
/* Append n bytes. */
bool fs_writer_write(FsWriter *w, const void *buf, size_t n, Error *err);
/* Make the output durable and give it its final name; frees w (also on failure). */
bool fs_writer_commit(FsWriter *w, Error *err);
/* Throw the output away; frees w (NULL is fine). */
void fs_writer_abort(FsWriter *w);

/* Expand a glob into a sorted list of files (out must be zeroed or freed
 * before). Error if nothing matches: No files found that match the pattern "..." */
bool fs_glob(const char *pattern, FsPathList *out, Error *err);
/* True if the path contains glob wildcards (*, ?, [). */
bool fs_has_wildcard(const char *path);
/* True if path matches pattern in fs_glob's rules ('/'-separated, `**` spans
 * directories); lets remote file systems filter a prefix listing. */
bool fs_glob_match(const char *pattern, const char *path);
/* Append a copy of path to a list. */
void fs_path_list_add(FsPathList *list, const char *path);
/* Sort a list byte-wise and drop duplicates. */
void fs_path_list_sort(FsPathList *list);
/* Free a list's paths and empty it. */
void fs_path_list_free(FsPathList *list);

/* Size of the file at path in bytes. */
bool fs_file_size(const char *path, uint64_t *size, Error *err);
/* True if path exists (file or directory). */
bool fs_exists(const char *path);
/* Create a directory with its parents (existing ones are fine). */
bool fs_mkdirs(const char *path, Error *err);
/* Remove a file. */
bool fs_remove(const char *path, Error *err);
/* Read a whole (small) file into a mem_alloc'ed, NUL-terminated buffer. */
bool fs_read_all(const char *path, char **data, size_t *n, Error *err);

/* Two-phase writes (the lake's commit protocol; see the vtable's comment).
 * A file system without them fails with "... not supported on <name>". */
/* Start an output whose final name is path, staged meanwhile (local: in staging_dir). */
FsWriter *fs_open_staged(const char *path, const char *staging_dir, Error *err);
/* Finish a staged output, invisible; *token publishes or discards it later (durable after fs_sync_batch). Frees w, also on failure. */
bool fs_writer_prepare(FsWriter *w, char **token, Error *err);
/* Make a prepared output visible under path; true if it already is (idempotent; durable after fs_sync_batch). */
bool fs_publish(const char *path, const char *token, Error *err);
/* Throw a prepared output away (cannot fail; a missing one is fine). */
void fs_discard(const char *path, const char *token);
/* Create path with buf only if nothing exists there; *existed tells a lost race from an error. */
bool fs_write_exclusive(const char *path, const void *buf, size_t n, bool *existed, Error *err);
/* The names of the entries directly inside directory path (sorted; missing directory: none). */
bool fs_list_dir(const char *path, FsPathList *out, Error *err);
/* Remove a directory tree (missing is fine). */
bool fs_remove_tree(const char *path, Error *err);
/* Remove a directory if it is empty (never fails; no-op where there are no directories). */
void fs_remove_dir_if_empty(const char *path);
/* Discard staged outputs below path left by dead writers (see the vtable); *discarded counts them; a no-op where staging is a folder. */
bool fs_discard_stale_staged(const char *path, const char *before, bool (*accept)(const char *relative), int *discarded,
                             Error *err);
/* Make the prepares, publishes and removals done on these paths (or tokens) below root durable in one batch, on root's file system. */
bool fs_sync_batch(const char *root, const char *const *paths, int n, Error *err);

#endif
