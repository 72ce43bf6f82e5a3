/* lake_txn: the commit protocol of a kiln dataset.
 *
 * A dataset is a folder (local, or an S3 prefix) of Hive-partitioned files
 * that other engines read as they are, plus kiln's own bookkeeping under
 * `_kiln/`, which other engines skip (Hive, Spark, Athena and DuckDB ignore
 * names that start with '_' or '.'):
 *
 *   <root>/<col>=<value>/.../part-<run id>-<n>.<ext>   published data files
 *   <root>/_SUCCESS                                    rewritten after each commit
 *   <root>/_kiln/commits/<version, 20 digits>.json     one record per committed run
 *   <root>/_kiln/staging/<run id>/...                  a run's files before commit
 *   <root>/_kiln/lock                                  the writers' lock
 *
 * A run writes its files staged (invisible), then commits: the commit record
 * of version N+1 is created exclusively (the commit point: two writers can
 * never both create it), and only then are the staged files published and
 * the replaced ones removed.  The record lists every live file of the
 * dataset after the run, so a reader that follows the latest record sees
 * exactly the old or exactly the new version at any moment, even when a run
 * was killed half-way through publishing; the next run (or a reader) rolls
 * such a commit forward, and removes the staging leftovers of runs that never
 * committed.
 *
 * Thread safety: lake_txn_open_file, lake_file_* are safe to call from
 * several threads at once; begin, commit and abort are not. */
#ifndef KILN_LAKE_LAKE_TXN_H
#define KILN_LAKE_LAKE_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "io/fs.h"

typedef enum LakeWriteMode {
    LAKE_MODE_APPEND,               /* add the run's files to the dataset */
    LAKE_MODE_OVERWRITE,            /* the run's files replace the whole dataset */
    LAKE_MODE_OVERWRITE_PARTITIONS, /* replace exactly the partitions the run wrote, keep the others */
    LAKE_MODE_ERROR_IF_EXISTS,      /* fail if the dataset already has committed data */
} LakeWriteMode;

/* Who is writing: recorded in the commit record, and the key that makes
 * reruns idempotent (an append by the same job with the same parameters
 * replaces the files that the earlier run of that key appended; a run
 * without a job or without parameters has no key and always appends). */
typedef struct LakeRunInfo {
    const char *job;            /* job name, NULL for an ad-hoc query */
    const char *params_json;    /* the run's parameters as a JSON object, NULL if none */
    const char *logical_date;   /* "2026-11-24", NULL if none */
    double lock_timeout_seconds; /* how long to wait for another writer; 0 = fail at once */
} LakeRunInfo;

/* What a commit did (for the run record and the CLI summary). */
typedef struct LakeCommitSummary {
    int64_t version;        /* the dataset version this commit created */
    int64_t files_added;
    int64_t files_removed;
    int64_t rows_added;
    int64_t bytes_added;
    int64_t partitions_written;
} LakeCommitSummary;

typedef struct LakeTxn LakeTxn;
typedef struct LakeFile LakeFile;

/* Parse a MODE option value: append, overwrite, overwrite_partitions, error_if_exists. */
bool lake_write_mode_parse(const char *text, LakeWriteMode *out, Error *err);
/* The mode's name as the MODE option spells it. */
const char *lake_write_mode_name(LakeWriteMode mode);

/* Begin a run on the dataset at root (created if missing): take the writers'
 * lock (waiting up to lock_timeout_seconds, then an error naming the other
 * writer), roll forward or clean up what an interrupted run left, and with
 * LAKE_MODE_ERROR_IF_EXISTS fail if the dataset has committed data. */
bool lake_txn_begin(const char *root, LakeWriteMode mode, const LakeRunInfo *info, LakeTxn **out, Error *err);
/* The id that names this run's files ("<UTC time>-<random hex>"). */
const char *lake_txn_run_id(const LakeTxn *t);

/* Start a new staged data file in a partition: partition_dir is "" for the
 * root or an already escaped "k=v/k2=v2"; the file is named
 * part-<run id>-<n>.<extension>.  Its bytes are written through the
 * returned FsWriter-compatible handle (lake_file_writer). */
LakeFile *lake_txn_open_file(LakeTxn *t, const char *partition_dir, const char *extension, Error *err);
/* The FsWriter the format writer writes the file's bytes to (owned by f).
 * A format writer may end it with fs_writer_commit (which here only says
 * the bytes are complete and frees nothing) or fs_writer_abort (after which
 * lake_file_close fails); either way the caller then calls lake_file_close
 * or lake_file_abort. */
FsWriter *lake_file_writer(LakeFile *f);
/* Finish a file: durable but still invisible until commit; records its row
 * count, size and checksum. Frees f, also on failure. */
bool lake_file_close(LakeFile *f, uint64_t rows, Error *err);
/* Drop a file that will not be part of the run; frees f (NULL is fine). */
void lake_file_abort(LakeFile *f);

/* Commit the run: write the commit record, publish the files, remove the
 * replaced ones, write _SUCCESS, release the lock.  A run with no files
 * commits cleanly (overwrite then empties the dataset).  Frees t, also on
 * failure (a failed commit leaves the previous version intact). */
bool lake_txn_commit(LakeTxn *t, LakeCommitSummary *summary, Error *err);
/* Throw the run away: remove its staged files, release the lock; frees t. */
void lake_txn_abort(LakeTxn *t);

/* The live files of the dataset at root, as paths a reader can open
 * (rolling an interrupted commit's publication forward first if needed).
 * *is_kiln_dataset is false (and out left empty) when root has no
 * _kiln/commits: the caller then lists the folder as a plain Hive layout. */
bool lake_snapshot_files(const char *root, FsPathList *out, bool *is_kiln_dataset, Error *err);

#endif
