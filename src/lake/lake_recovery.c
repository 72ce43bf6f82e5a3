/* lake_recovery: finishing commits (by the writer itself, by the next run
 * after a crash, or by a reader), cleaning staging leftovers, and the
 * snapshot a reader follows (lake_snapshot_files).
 *
 * Why a reader may publish: the commit point is the record; a record whose
 * files are not all published yet describes a version that exists but
 * cannot be read at its paths.  Publishing is idempotent and atomic per
 * file (local: rename of the staged file, which happens once; a second
 * attempt finds the staged file gone and the final one present), so a
 * reader, the writer still publishing, and the next run may all do it at
 * the same time and the result is the same.  A reader only publishes; it
 * leaves removals, _SUCCESS and the staging folder to writers.
 *
 * A reader whose publish fails although its record was the latest may
 * have raced a newer commit (which finished this one and removed files
 * it replaced): it looks again, a few times, before giving up.
 *
 * Memory: one record at a time, its lists sized by the dataset's live files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/fs.h"
#include "lake/lake_internal.h"
#include "lake/lake_txn.h"

/* ---- test hooks ---- */

static int crash_limit = -1; /* steps allowed before the simulated crash; -1 = none */
static int steps_done;
static bool crashed;

void lake_test_crash_after(int steps)
{
    crash_limit = steps;
    steps_done = 0;
    crashed = false;
}

bool lake_test_crashed(void)
{
    return crashed;
}

bool lake_test_step(Error *err)
{
    const char *delay = getenv("KILN_LAKE_TEST_STEP_DELAY_MS");
    if (delay && *delay) {
        long ms = strtol(delay, NULL, 10);
        if (ms > 0 && ms < 10000) {
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (crash_limit >= 0 && steps_done++ >= crash_limit) {
        crashed = true;
        return error_set(err, ERR_IO, "simulated crash (lake test hook)");
    }
    return true;
}

/* ---- layout ---- */

char *lake_join(const char *root, const char *rel)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, root);
    if (sb.len && sb.data[sb.len - 1] != '/') strbuf_putc(&sb, '/');
    strbuf_puts(&sb, rel);
    return strbuf_take(&sb);
}

char *lake_record_path(const char *root, int64_t version)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, root);
    if (sb.len && sb.data[sb.len - 1] != '/') strbuf_putc(&sb, '/');
    strbuf_printf(&sb, "_kiln/commits/%020" PRId64 ".json", version);
    return strbuf_take(&sb);
}

/* A record's file name: exactly 20 digits and ".json". */
static bool parse_record_name(const char *name, int64_t *version)
{
    if (strlen(name) != 25 || strcmp(name + 20, ".json") != 0) return false;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return false;
        if (v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (name[i] - '0');
    }
    *version = v;
    return v >= 1;
}

bool lake_latest_version(const char *root, int64_t *version, Error *err)
{
    *version = 0;
    char *dir = lake_join(root, "_kiln/commits");
    FsPathList names = {0};
    bool ok = fs_list_dir(dir, &names, err);
    for (int i = 0; ok && i < names.count; i++) {
        int64_t v;
        if (parse_record_name(names.paths[i], &v) && v > *version) *version = v;
    }
    fs_path_list_free(&names);
    mem_free(dir);
    return ok;
}

bool lake_read_record(const char *root, int64_t version, CommitRecord *out, Error *err)
{
    memset(out, 0, sizeof *out);
    char *path = lake_record_path(root, version);
    char *text;
    size_t n;
    bool ok = fs_read_all(path, &text, &n, err);
    if (ok) {
        ok = commit_record_parse(text, n, path, out, err);
        mem_free(text);
    }
    if (ok && out->version != version)
        ok = error_set(err, ERR_DATA, "commit record \"%s\" is corrupt: it says version %" PRId64, path, out->version);
    if (!ok) commit_record_free(out);
    mem_free(path);
    return ok;
}

/* The local path of root without a file:// scheme (local tokens are plain paths). */
static const char *plain_root(const char *root)
{
    return strncmp(root, "file://", 7) == 0 ? root + 7 : root;
}

char *lake_entry_token(const char *root, const LakeFileEntry *e)
{
    return e->staged ? lake_join(plain_root(root), e->staged) : mem_strdup(e->token ? e->token : "");
}

int64_t lake_published_version(const char *root)
{
    char *path = lake_join(root, "_SUCCESS");
    char *text = NULL;
    size_t n;
    Error ignored = ERROR_INIT;
    long long v = 0;
    if (fs_exists(path) && fs_read_all(path, &text, &n, &ignored) && sscanf(text, "{\"version\": %lld", &v) != 1) v = 0;
    mem_free(text);
    mem_free(path);
    return v;
}

/* ---- finishing a commit ---- */

bool lake_sync_files(const char *root, const LakeFileList *list, bool staged, Error *err)
{
    if (list->count == 0) return true;
    char **paths = mem_alloc(sizeof *paths * (size_t)list->count);
    for (int i = 0; i < list->count; i++)
        paths[i] = staged ? lake_entry_token(root, &list->items[i]) : lake_join(root, list->items[i].path);
    bool ok = fs_sync_batch(root, (const char *const *)paths, list->count, err);
    for (int i = 0; i < list->count; i++) mem_free(paths[i]);
    mem_free(paths);
    return ok;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The folders whose entries a commit's publication changed (the added and
 * removed files' partition folders, and so their parents up to the root),
 * synced in one batch.  Only the entries: the added files' bytes were made
 * durable before the record. */
static bool sync_partition_folders(const char *root, const CommitRecord *r, Error *err)
{
    int n = r->added.count + r->removed.count;
    if (n == 0) return true;
    const char **parts = mem_alloc(sizeof *parts * (size_t)n);
    for (int i = 0; i < r->added.count; i++) parts[i] = r->added.items[i].partition ? r->added.items[i].partition : "";
    for (int i = 0; i < r->removed.count; i++)
        parts[r->added.count + i] = r->removed.items[i].partition ? r->removed.items[i].partition : "";
    qsort(parts, (size_t)n, sizeof *parts, compare_text);
    char **dirs = mem_alloc(sizeof *dirs * (size_t)n);
    int ndirs = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || strcmp(parts[i - 1], parts[i]) != 0) dirs[ndirs++] = lake_join(root, parts[i]);
    bool ok = fs_sync_batch(root, (const char *const *)dirs, ndirs, err);
    for (int i = 0; i < ndirs; i++) mem_free(dirs[i]);
    mem_free(dirs);
    mem_free(parts);
    return ok;
}

bool lake_publish_added(const char *root, const CommitRecord *r, Error *err)
{
    for (int i = 0; i < r->added.count; i++) {
        const LakeFileEntry *e = &r->added.items[i];
        if (!lake_test_step(err)) return false;
        char *path = lake_join(root, e->path);
        char *token = lake_entry_token(root, e);
        bool ok = fs_publish(path, token, err);
        mem_free(token);
        mem_free(path);
        if (!ok) return false;
    }
    return true;
}

/* Remove a replaced file (gone already is fine), then its partition's
 * folders from the deepest up while they are empty. */
static bool remove_replaced(const char *root, const LakeFileEntry *e, Error *err)
{
    char *path = lake_join(root, e->path);
    bool ok = true;
    if (fs_exists(path) && !fs_remove(path, err) && fs_exists(path)) ok = false;
    if (!ok) {
        mem_free(path);
        return false;
    }
    error_clear(err);
    mem_free(path);
    char *dir = mem_strdup(e->partition ? e->partition : "");
    while (dir[0]) {
        char *full = lake_join(root, dir);
        fs_remove_dir_if_empty(full);
        mem_free(full);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        else dir[0] = '\0';
    }
    mem_free(dir);
    return true;
}

static bool write_success(const char *root, const CommitRecord *r, Error *err)
{
    char *path = lake_join(root, "_SUCCESS");
    StrBuf text = STRBUF_INIT;
    strbuf_printf(&text, "{\"version\": %" PRId64 ", \"run_id\": \"%s\"}\n", r->version, r->run_id);
    FsWriter *w = fs_open_write(path, err);
    bool ok = w != NULL && fs_writer_write(w, text.data, text.len, err);
    if (w) ok = ok ? fs_writer_commit(w, err) : (fs_writer_abort(w), false);
    strbuf_free(&text);
    mem_free(path);
    return ok;
}

/* Remove run_id's staging folder, and the staging folder itself if empty. */
static bool remove_run_staging(const char *root, const char *run_id, Error *err)
{
    char *staging = lake_join(root, "_kiln/staging");
    char *run_dir = lake_join(staging, run_id);
    bool ok = fs_remove_tree(run_dir, err);
    fs_remove_dir_if_empty(staging);
    mem_free(run_dir);
    mem_free(staging);
    return ok;
}

/* A data file's path below the root, as lake_txn names them: Hive
 * partition folders ("k=v", visible), then "part-...". */
static bool is_data_file_path(const char *relative)
{
    const char *seg = relative;
    for (;;) {
        const char *slash = strchr(seg, '/');
        if (slash == NULL) return strncmp(seg, "part-", 5) == 0;
        size_t n = (size_t)(slash - seg);
        if (n == 0 || seg[0] == '.' || seg[0] == '_' || memchr(seg, '=', n) == NULL) return false;
        seg = slash + 1;
    }
}

/* Abort the uploads of data files that runs killed before their commit
 * left open (S3; elsewhere the staging folder holds them and
 * lake_clean_staging removes it).  Safe without a lock: an upload started
 * before this version's record was created belongs to a run that began
 * before it, so read an older latest version, and its own commit (the
 * exclusive record of the version after that one, which exists) can only
 * fail; this version's own uploads are completed by now.  Best effort: a
 * store that refuses the listing leaves them to its lifecycle rules. */
static void discard_orphaned_uploads(const char *root, const CommitRecord *r)
{
    char *record = lake_record_path(root, r->version);
    Error ignored = ERROR_INIT;
    int n;
    fs_discard_stale_staged(root, record, is_data_file_path, &n, &ignored);
    mem_free(record);
}

bool lake_finish_commit(const char *root, const CommitRecord *r, Error *err)
{
    if (!lake_publish_added(root, r, err)) return false;
    for (int i = 0; i < r->removed.count; i++) {
        if (!lake_test_step(err)) return false;
        if (!remove_replaced(root, &r->removed.items[i], err)) return false;
    }
    /* the renames and removals must be durable before _SUCCESS says so and
     * the staging folder goes: one batch for all of them */
    if (!sync_partition_folders(root, r, err)) return false;
    if (!lake_test_step(err)) return false;
    if (!write_success(root, r, err)) return false;
    if (!remove_run_staging(root, r->run_id, err)) return false;
    discard_orphaned_uploads(root, r);
    return true;
}

/* Remove the temporaries (".<name>.kiln-tmp-<pid>-<n>") that a writer
 * killed while writing _SUCCESS or a commit record left in dir. */
static bool remove_temporaries(const char *dir, Error *err)
{
    FsPathList names = {0};
    bool ok = fs_list_dir(dir, &names, err);
    for (int i = 0; ok && i < names.count; i++) {
        const char *name = names.paths[i];
        if (name[0] != '.' || strstr(name, ".kiln-tmp-") == NULL) continue;
        char *path = lake_join(dir, name);
        if (!fs_remove(path, err) && fs_exists(path)) ok = false;
        else error_clear(err);
        mem_free(path);
    }
    fs_path_list_free(&names);
    return ok;
}

bool lake_clean_staging(const char *root, Error *err)
{
    char *staging = lake_join(root, "_kiln/staging");
    char *commits = lake_join(root, "_kiln/commits");
    FsPathList runs = {0};
    bool ok = fs_list_dir(staging, &runs, err);
    for (int i = 0; ok && i < runs.count; i++) {
        char *run_dir = lake_join(staging, runs.paths[i]);
        ok = fs_remove_tree(run_dir, err);
        mem_free(run_dir);
    }
    if (ok) fs_remove_dir_if_empty(staging);
    if (ok) ok = remove_temporaries(root, err) && remove_temporaries(commits, err);
    fs_path_list_free(&runs);
    mem_free(commits);
    mem_free(staging);
    return ok;
}

/* ---- readers ---- */

bool lake_snapshot_files(const char *root, FsPathList *out, bool *is_kiln_dataset, Error *err)
{
    *is_kiln_dataset = false;
    for (int attempt = 0;; attempt++) {
        int64_t version;
        if (!lake_latest_version(root, &version, err)) return false;
        if (version == 0) return true; /* no commit: not (yet) a kiln dataset */
        *is_kiln_dataset = true;
        CommitRecord r;
        if (!lake_read_record(root, version, &r, err)) return false;
        Error publish_err = ERROR_INIT;
        bool ok = lake_published_version(root) == version || lake_publish_added(root, &r, &publish_err);
        if (ok) {
            for (int i = 0; i < r.live.count; i++) {
                char *path = lake_join(root, r.live.items[i].path);
                fs_path_list_add(out, path);
                mem_free(path);
            }
            fs_path_list_sort(out);
            commit_record_free(&r);
            return true;
        }
        commit_record_free(&r);
        int64_t now;
        if (attempt >= 4 || lake_test_crashed() || !lake_latest_version(root, &now, err) || now == version) {
            if (!error_failed(err)) *err = publish_err;
            return false;
        }
    }
}
