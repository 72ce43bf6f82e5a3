/* lake_txn: a run's transaction on a kiln dataset (see lake_txn.h for the
 * layout and the protocol; lake_recovery.c finishes commits and serves
 * readers; commit_record.c is the record's JSON).
 *
 * begin:  create root and _kiln/, take the writers' lock (lake_lock.c), read
 *         the latest record; if _SUCCESS does not name it, finish it (a run
 *         died after its commit point); remove every staging folder left
 *         (they belong to runs that never committed); check the mode.
 * files:  each data file is written staged (fs_open_staged, local: in
 *         _kiln/staging/<run id>/) through a LakeFile that hashes the bytes
 *         (XXH64) as they pass; lake_file_close prepares it (complete,
 *         invisible) and records path, partition, rows, bytes, checksum and
 *         the publish token.  File numbers come from a counter under the
 *         transaction's mutex, so threads can open and close files at once.
 * commit: compute the new live list from the previous record and the mode:
 *           append                replaces nothing, except for reruns (below)
 *           overwrite             replaces every live file
 *           overwrite_partitions  replaces the live files of exactly the
 *                                 partitions this run wrote files into
 *           error_if_exists       (checked at begin) as append
 *         make every staged file durable in one batch (fs_sync_batch),
 *         create the record of version N+1 exclusively (the commit point),
 *         then finish it: publish, remove the replaced files, one more
 *         batched sync, _SUCCESS, remove the staging folder; release the lock.
 *
 * Durability is batched, not per file: on a local disk a prepare or publish
 * does no fsync, and the two fs_sync_batch calls above are one syncfs(2)
 * each (see local.c for the figures: 10,000 files of 8 kB take 32 s to
 * fsync one by one, 1.5 s from 64 threads, 0.5 s with one syncfs).  The
 * order is what makes it safe: staged bytes durable before the record that
 * names them; renames and removals durable before _SUCCESS says the
 * version is published (after which begin would drop the staging folder).
 * On S3 each answered request is durable and the syncs do nothing.
 *
 * Idempotent reruns: a run with a job name and parameters (kiln run
 * job.sql --param ds=X) has a rerun key (job, params JSON text, whose keys
 * the session sorts).  In append mode it replaces the live files that an
 * earlier append with the same key added, so running the job twice for the
 * same ds leaves the dataset as one run did.  A run without parameters (or
 * an ad-hoc query) has no key and always appends: nothing tells its data
 * apart from the previous run's.  overwrite and overwrite_partitions are
 * idempotent by themselves.
 *
 * Failure: before the commit point, every error discards the staged files
 * and the previous version stays as it was.  After it, the version exists;
 * a failed publication is reported and finished by the next run or reader.
 *
 * Memory: the list of the run's files and the previous record's lists (the
 * dataset's live files); each LakeFile holds its file system writer. */
#include "lake/lake_txn.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "cli/version.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/json/json_text.h"
#include "lake/commit_record.h"
#include "lake/lake_internal.h"
#include "lake/lake_lock.h"

struct LakeTxn {
    char *root;          /* without a trailing '/' */
    char *staging_dir;   /* root/_kiln/staging/<run id> */
    LakeWriteMode mode;
    char *job, *params_json, *logical_date;
    char run_id[48];
    char started_at[40];
    LakeLock *lock;
    int64_t prev_version; /* 0: no commit yet */
    CommitRecord prev;    /* the record of prev_version (zeroed when 0) */
    pthread_mutex_t mutex; /* guards files, next_file, open_files */
    LakeFileList files;    /* closed files: path, partition, rows, bytes, checksum, token */
    int next_file;
    int open_files;
    const char **partitions; /* at commit: the distinct partitions of files, sorted */
    int npartitions;
};

struct LakeFile {
    FsWriter writer;   /* what the format writer writes to (fs = &hashing_fs) */
    LakeTxn *txn;
    FsWriter *staged;  /* the file system's staged output */
    XXH64_state_t hash;
    char *rel_path;    /* relative to the root */
    char *partition;
    bool aborted;      /* the format writer called fs_writer_abort, or a write failed */
};

/* ---- modes ---- */

static const char *const mode_names[] = {"append", "overwrite", "overwrite_partitions", "error_if_exists"};

bool lake_write_mode_parse(const char *text, LakeWriteMode *out, Error *err)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(text, mode_names[i]) == 0) {
            *out = (LakeWriteMode)i;
            return true;
        }
    return error_set(err, ERR_SQL,
                     "invalid value for MODE: \"%s\" (expected append, overwrite, overwrite_partitions or "
                     "error_if_exists)",
                     text);
}

const char *lake_write_mode_name(LakeWriteMode mode)
{
    return (unsigned)mode < 4 ? mode_names[mode] : "?";
}

/* ---- the hashing writer a format writer writes to ---- */

static bool hashing_write(FsWriter *w, const void *buf, size_t n, Error *err)
{
    LakeFile *f = (LakeFile *)w;
    if (f->aborted) return error_set(err, ERR_INTERNAL, "write to an aborted lake file \"%s\"", w->path);
    XXH64_update(&f->hash, buf, n);
    if (!fs_writer_write(f->staged, buf, n, err)) {
        f->aborted = true;
        return false;
    }
    return true;
}

/* A format writer that finishes with fs_writer_commit: the file is finished
 * by lake_file_close, so this only says the bytes are complete. */
static bool hashing_commit(FsWriter *w, Error *err)
{
    return true;
}

/* A format writer that gives up with fs_writer_abort: lake_file_close will
 * refuse the file (lake_file_abort drops it). */
static void hashing_abort(FsWriter *w)
{
    ((LakeFile *)w)->aborted = true;
}

static const FileSystem hashing_fs = {
    .name = "lake file",
    .write = hashing_write,
    .commit = hashing_commit,
    .abort = hashing_abort,
};

/* ---- begin ---- */

static void format_utc(char *buf, size_t n, bool compact)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t secs = tv.tv_sec;
    gmtime_r(&secs, &tm);
    if (compact) {
        strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm);
        return;
    }
    char head[32];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%06ldZ", head, (long)tv.tv_usec);
}

static void make_run_id(char *buf, size_t n)
{
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        /* no entropy source: time and pid still make a collision unlikely */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rnd = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
    }
    char stamp[24];
    format_utc(stamp, sizeof stamp, true);
    snprintf(buf, n, "%s-%08" PRIx32, stamp, rnd);
}

static void txn_free(LakeTxn *t)
{
    lake_lock_release(t->lock);
    commit_record_free(&t->prev);
    lake_file_list_free(&t->files);
    mem_free(t->partitions);
    pthread_mutex_destroy(&t->mutex);
    mem_free(t->root);
    mem_free(t->staging_dir);
    mem_free(t->job);
    mem_free(t->params_json);
    mem_free(t->logical_date);
    mem_free(t);
}

/* True if text is exactly one JSON object (the run's parameters). */
static bool is_json_object(const char *text)
{
    const char *end = text + strlen(text), *value_end;
    JsonKind kind;
    JsonProblem problem;
    const char *p = json_skip_ws(text, end);
    return json_scan_value(p, end, JSON_DEFAULT_MAX_DEPTH, &kind, &value_end, &problem) && kind == JSON_OBJECT &&
           json_skip_ws(value_end, end) == end;
}

/* A folder with visible entries but no commit is someone else's data:
 * refuse it rather than mix with it (or, with overwrite, delete it). */
static bool check_foreign_contents(const LakeTxn *t, Error *err)
{
    FsPathList names = {0};
    if (!fs_list_dir(t->root, &names, err)) return false;
    const char *foreign = NULL;
    for (int i = 0; i < names.count && !foreign; i++)
        if (names.paths[i][0] != '_' && names.paths[i][0] != '.') foreign = names.paths[i];
    bool ok = foreign == NULL ||
              error_set(err, ERR_IO,
                        "directory \"%s\" is not empty and is not a kiln dataset (it holds \"%s\" but no "
                        "_kiln/commits); write to a new or empty directory",
                        t->root, foreign);
    fs_path_list_free(&names);
    return ok;
}

bool lake_txn_begin(const char *root, LakeWriteMode mode, const LakeRunInfo *info, LakeTxn **out, Error *err)
{
    *out = NULL;
    if (root == NULL || root[0] == '\0') return error_set(err, ERR_IO, "a dataset needs a directory path");
    if (info && info->params_json && !is_json_object(info->params_json))
        return error_set(err, ERR_INTERNAL, "run parameters are not a JSON object: %s", info->params_json);
    LakeTxn *t = mem_calloc(1, sizeof *t);
    pthread_mutex_init(&t->mutex, NULL);
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') len--;
    t->root = mem_strndup(root, len);
    t->mode = mode;
    if (info) {
        t->job = info->job ? mem_strdup(info->job) : NULL;
        t->params_json = info->params_json ? mem_strdup(info->params_json) : NULL;
        t->logical_date = info->logical_date ? mem_strdup(info->logical_date) : NULL;
    }
    make_run_id(t->run_id, sizeof t->run_id);
    format_utc(t->started_at, sizeof t->started_at, false);
    StrBuf staging = STRBUF_INIT;
    strbuf_printf(&staging, "%s/_kiln/staging/%s", t->root, t->run_id);
    t->staging_dir = strbuf_take(&staging);

    char *kiln_dir = lake_join(t->root, "_kiln");
    bool ok = fs_mkdirs(t->root, err) && fs_mkdirs(kiln_dir, err) &&
              lake_lock_acquire(kiln_dir, t->run_id, info ? info->lock_timeout_seconds : 0, &t->lock, err) &&
              lake_latest_version(t->root, &t->prev_version, err);
    mem_free(kiln_dir);
    if (ok && t->prev_version > 0) {
        ok = lake_read_record(t->root, t->prev_version, &t->prev, err);
        /* a run died after its commit point: finish its publication first */
        if (ok && lake_published_version(t->root) != t->prev_version) {
            ok = lake_finish_commit(t->root, &t->prev, err);
            if (!ok) error_prefix(err, "could not finish the interrupted commit of version %" PRId64, t->prev_version);
        }
    }
    if (ok && t->prev_version == 0) ok = check_foreign_contents(t, err);
    if (ok) ok = lake_clean_staging(t->root, err);
    if (ok && mode == LAKE_MODE_ERROR_IF_EXISTS && t->prev_version > 0)
        ok = error_set(err, ERR_IO, "dataset \"%s\" already exists (version %" PRId64 "); MODE error_if_exists "
                       "writes only new datasets", t->root, t->prev_version);
    if (!ok) {
        txn_free(t);
        return false;
    }
    *out = t;
    return true;
}

const char *lake_txn_run_id(const LakeTxn *t)
{
    return t->run_id;
}

/* ---- files ---- */

/* A partition folder as W's writer builds it: "" or "k=v/k2=v2", each
 * segment non-empty, visible (no leading '.' or '_') and not "..". */
static bool valid_partition_dir(const char *dir)
{
    if (dir[0] == '\0') return true;
    const char *seg = dir;
    for (;;) {
        const char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.' || seg[0] == '_') return false;
        if (!slash) return true;
        seg = slash + 1;
    }
}

LakeFile *lake_txn_open_file(LakeTxn *t, const char *partition_dir, const char *extension, Error *err)
{
    if (partition_dir == NULL) partition_dir = "";
    if (!valid_partition_dir(partition_dir)) {
        error_set(err, ERR_INTERNAL, "invalid partition folder \"%s\"", partition_dir);
        return NULL;
    }
    if (extension == NULL || extension[0] == '\0' || strchr(extension, '/')) {
        error_set(err, ERR_INTERNAL, "invalid file extension \"%s\"", extension ? extension : "");
        return NULL;
    }
    pthread_mutex_lock(&t->mutex);
    int n = t->next_file++;
    t->open_files++;
    pthread_mutex_unlock(&t->mutex);

    StrBuf rel = STRBUF_INIT;
    if (partition_dir[0]) strbuf_printf(&rel, "%s/", partition_dir);
    strbuf_printf(&rel, "part-%s-%05d.%s", t->run_id, n, extension);
    char *full = lake_join(t->root, rel.data);
    FsWriter *staged = fs_open_staged(full, t->staging_dir, err);
    if (staged == NULL) {
        mem_free(full);
        strbuf_free(&rel);
        pthread_mutex_lock(&t->mutex);
        t->open_files--;
        pthread_mutex_unlock(&t->mutex);
        return NULL;
    }
    LakeFile *f = mem_calloc(1, sizeof *f);
    f->writer.fs = &hashing_fs;
    f->writer.path = full;
    f->txn = t;
    f->staged = staged;
    XXH64_reset(&f->hash, 0);
    f->rel_path = strbuf_take(&rel);
    f->partition = mem_strdup(partition_dir);
    return f;
}

FsWriter *lake_file_writer(LakeFile *f)
{
    return &f->writer;
}

static void file_free(LakeFile *f)
{
    pthread_mutex_lock(&f->txn->mutex);
    f->txn->open_files--;
    pthread_mutex_unlock(&f->txn->mutex);
    mem_free(f->writer.path);
    mem_free(f->rel_path);
    mem_free(f->partition);
    mem_free(f);
}

bool lake_file_close(LakeFile *f, uint64_t rows, Error *err)
{
    LakeTxn *t = f->txn;
    if (f->aborted) {
        fs_writer_abort(f->staged);
        error_set(err, ERR_INTERNAL, "lake file \"%s\" was aborted by its writer and cannot be closed", f->rel_path);
        file_free(f);
        return false;
    }
    uint64_t bytes = f->staged->bytes_written;
    char *token = NULL;
    Error step_err = ERROR_INIT;
    lake_test_step(&step_err); /* only the delay matters here: a crash in a close is a crash before commit */
    if (!fs_writer_prepare(f->staged, &token, err)) {
        file_free(f);
        return false;
    }
    char checksum[32];
    snprintf(checksum, sizeof checksum, "xxh64:%016llx", (unsigned long long)XXH64_digest(&f->hash));
    pthread_mutex_lock(&t->mutex);
    LakeFileEntry *e = lake_file_list_add(&t->files);
    e->path = f->rel_path;
    e->partition = f->partition;
    f->rel_path = f->partition = NULL;
    e->rows = (int64_t)rows;
    e->bytes = (int64_t)bytes;
    e->checksum = mem_strdup(checksum);
    /* a token that is a path inside the root is kept relative, so the
     * dataset can be moved or read through another path */
    const char *root = strncmp(t->root, "file://", 7) == 0 ? t->root + 7 : t->root;
    size_t rlen = strlen(root);
    if (strncmp(token, root, rlen) == 0 && token[rlen] == '/') e->staged = mem_strdup(token + rlen + 1);
    else e->token = mem_strdup(token);
    pthread_mutex_unlock(&t->mutex);
    mem_free(token);
    file_free(f);
    return true;
}

void lake_file_abort(LakeFile *f)
{
    if (f == NULL) return;
    fs_writer_abort(f->staged);
    file_free(f);
}

/* ---- commit ---- */

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const LakeFileEntry *)a)->path, ((const LakeFileEntry *)b)->path);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct partitions the run wrote files into, sorted for bsearch. */
static void collect_partitions(LakeTxn *t)
{
    t->partitions = mem_alloc(sizeof(char *) * ((size_t)t->files.count + 1));
    for (int i = 0; i < t->files.count; i++) t->partitions[i] = t->files.items[i].partition;
    if (t->files.count > 1) qsort(t->partitions, (size_t)t->files.count, sizeof *t->partitions, compare_strings);
    t->npartitions = 0;
    for (int i = 0; i < t->files.count; i++)
        if (t->npartitions == 0 || strcmp(t->partitions[t->npartitions - 1], t->partitions[i]) != 0)
            t->partitions[t->npartitions++] = t->partitions[i];
}

static bool same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Does the mode replace this live file of the previous version? */
static bool is_replaced(const LakeTxn *t, const LakeFileEntry *live)
{
    switch (t->mode) {
    case LAKE_MODE_OVERWRITE:
        return true;
    case LAKE_MODE_OVERWRITE_PARTITIONS: {
        const char *key = live->partition ? live->partition : "";
        return bsearch(&key, t->partitions, (size_t)t->npartitions, sizeof *t->partitions, compare_strings) != NULL;
    }
    case LAKE_MODE_APPEND:
        /* a rerun of the same job with the same parameters */
        return t->job && t->params_json && same_text(live->job, t->job) && same_text(live->params_json, t->params_json);
    case LAKE_MODE_ERROR_IF_EXISTS:
        return false;
    }
    return false;
}

/* The record of the next version: the run's files added, the replaced ones
 * removed, and every live file after the run. */
static void build_record(LakeTxn *t, CommitRecord *r)
{
    memset(r, 0, sizeof *r);
    r->version = t->prev_version + 1;
    r->run_id = mem_strdup(t->run_id);
    r->mode = mem_strdup(lake_write_mode_name(t->mode));
    r->job = t->job ? mem_strdup(t->job) : NULL;
    r->params_json = t->params_json ? mem_strdup(t->params_json) : NULL;
    r->logical_date = t->logical_date ? mem_strdup(t->logical_date) : NULL;
    r->started_at = mem_strdup(t->started_at);
    char now[40];
    format_utc(now, sizeof now, false);
    r->committed_at = mem_strdup(now);
    r->kiln_version = mem_strdup(KILN_VERSION);
    bool keyed = t->mode == LAKE_MODE_APPEND && t->job && t->params_json;
    for (int i = 0; i < t->prev.live.count; i++) {
        const LakeFileEntry *e = &t->prev.live.items[i];
        if (is_replaced(t, e)) {
            LakeFileEntry *x = lake_file_list_add(&r->removed);
            x->path = mem_strdup(e->path);
            x->partition = mem_strdup(e->partition ? e->partition : "");
            x->rows = e->rows;
            x->bytes = e->bytes;
        } else {
            lake_file_list_add_copy(&r->live, e);
        }
    }
    for (int i = 0; i < t->files.count; i++) {
        const LakeFileEntry *e = &t->files.items[i];
        lake_file_list_add_copy(&r->added, e);
        LakeFileEntry *x = lake_file_list_add(&r->live);
        x->path = mem_strdup(e->path);
        x->partition = mem_strdup(e->partition);
        x->rows = e->rows;
        x->bytes = e->bytes;
        x->checksum = mem_strdup(e->checksum);
        x->run_id = mem_strdup(t->run_id);
        if (keyed) {
            x->job = mem_strdup(t->job);
            x->params_json = mem_strdup(t->params_json);
        }
    }
}

/* Throw away the run's staged files and its staging folder. */
static void discard_files(LakeTxn *t)
{
    for (int i = 0; i < t->files.count; i++) {
        char *path = lake_join(t->root, t->files.items[i].path);
        char *token = lake_entry_token(t->root, &t->files.items[i]);
        fs_discard(path, token);
        mem_free(token);
        mem_free(path);
    }
    Error ignored = ERROR_INIT;
    fs_remove_tree(t->staging_dir, &ignored); /* best effort: the next run removes what is left */
    char *staging = lake_join(t->root, "_kiln/staging");
    fs_remove_dir_if_empty(staging);
    mem_free(staging);
}

/* After an error from the exclusive write: did our record get there anyway
 * (e.g. created, then the directory sync failed)? */
static bool record_is_ours(const LakeTxn *t, int64_t version)
{
    CommitRecord r;
    Error ignored = ERROR_INIT;
    if (!lake_read_record(t->root, version, &r, &ignored)) return false;
    bool ours = same_text(r.run_id, t->run_id);
    commit_record_free(&r);
    return ours;
}

bool lake_txn_commit(LakeTxn *t, LakeCommitSummary *summary, Error *err)
{
    if (summary) memset(summary, 0, sizeof *summary);
    if (t->open_files > 0) {
        error_set(err, ERR_INTERNAL, "lake commit with %d file(s) still open", t->open_files);
        discard_files(t);
        txn_free(t);
        return false;
    }
    if (t->files.count > 1) qsort(t->files.items, (size_t)t->files.count, sizeof *t->files.items, compare_entries);
    collect_partitions(t);
    CommitRecord r;
    build_record(t, &r);
    StrBuf json = STRBUF_INIT;
    commit_record_to_json(&r, &json);
    char *commits = lake_join(t->root, "_kiln/commits");
    char *record_path = lake_record_path(t->root, r.version);
    bool existed = false;
    /* every staged file durable, in one batch, before the record that makes them the new version */
    bool committed = lake_sync_files(t->root, &t->files, true, err) && fs_mkdirs(commits, err) &&
                     fs_write_exclusive(record_path, json.data, json.len, &existed, err);
    if (!committed && !existed && record_is_ours(t, r.version)) {
        committed = true;
        error_clear(err);
    }
    if (!committed && existed)
        error_set(err, ERR_IO,
                  "could not commit to dataset \"%s\": version %" PRId64 " was committed meanwhile by another run",
                  t->root, r.version);
    bool ok = committed;
    if (!committed) {
        discard_files(t);
    } else if (!lake_finish_commit(t->root, &r, err)) {
        ok = false;
        if (!lake_test_crashed())
            error_prefix(err, "version %" PRId64 " of dataset \"%s\" is committed, but finishing it failed (the next "
                         "run or read of the dataset finishes it)", r.version, t->root);
    }
    if (committed && summary) {
        summary->version = r.version;
        summary->files_added = r.added.count;
        summary->files_removed = r.removed.count;
        lake_file_list_totals(&r.added, &summary->rows_added, &summary->bytes_added);
        summary->partitions_written = t->npartitions;
    }
    mem_free(record_path);
    mem_free(commits);
    strbuf_free(&json);
    commit_record_free(&r);
    txn_free(t);
    return ok;
}

void lake_txn_abort(LakeTxn *t)
{
    if (t == NULL) return;
    discard_files(t);
    txn_free(t);
}
