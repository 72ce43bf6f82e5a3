/* commit_record: the JSON record of one committed run of a kiln dataset,
 * _kiln/commits/<version, 20 digits>.json (see lake_txn.h for the protocol).
 *
 *   {"format": 1, "version": 3, "run_id": "20261124T101500Z-3fa9c2d1",
 *    "mode": "append", "job": "orders_daily", "params": {"ds": "2026-11-24"},
 *    "logical_date": "2026-11-24", "started_at": "2026-11-24T10:15:00.123456Z",
 *    "committed_at": "...", "kiln_version": "0.1.0",
 *    "added":   [{"path": "ds=2026-11-24/part-<run>-00000.parquet", "partition": "ds=2026-11-24",
 *                 "rows": 10, "bytes": 1234, "checksum": "xxh64:0123456789abcdef",
 *                 "staged": "_kiln/staging/<run>/part-<run>-00000.parquet"}],
 *    "removed": [{"path": ..., "partition": ..., "rows": ..., "bytes": ...}],
 *    "live":    [{"path": ..., "partition": ..., "rows": ..., "bytes": ..., "run_id": ...,
 *                 "job": ..., "params": {...}}]}
 *
 * Paths are relative to the dataset's root, so a dataset can be moved or
 * read through another path.  An added file's publish token is "staged" (a
 * path relative to the root) when the file system's token is a path inside
 * the root (local), else the opaque "token" (S3's upload id and parts).
 * "job"/"params" of a live file are set only on files an append with a
 * rerun key wrote (lake_txn.c: idempotent reruns).  "params" holds the run's
 * parameters as a JSON value, kept byte for byte so keys compare as text.
 *
 * Parsing is strict about the fields kiln needs and skips unknown ones, so
 * a newer kiln may add fields; a record of a newer "format" is refused.
 * Memory: every string of a record is mem_alloc'ed and freed by
 * commit_record_free. */
#ifndef KILN_LAKE_COMMIT_RECORD_H
#define KILN_LAKE_COMMIT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"

/* The record format this kiln writes and the newest it reads. */
#define COMMIT_RECORD_FORMAT 1

/* One data file in a record (fields not used by a list are NULL / 0). */
typedef struct LakeFileEntry {
    char *path;        /* relative to the root: "k=v/part-<run>-00000.parquet" */
    char *partition;   /* "" for the root, else "k=v/k2=v2" */
    int64_t rows;
    int64_t bytes;
    char *checksum;    /* "xxh64:<16 hex digits>" (added and live files) */
    char *staged;      /* added files: the local token, relative to the root */
    char *token;       /* added files: an opaque token (when staged is NULL) */
    char *run_id;      /* live files: the run that added it */
    char *job;         /* live files added by an append with a rerun key */
    char *params_json; /* ditto: the key's parameters (JSON text) */
} LakeFileEntry;

/* A list of entries that grows. */
typedef struct LakeFileList {
    LakeFileEntry *items;
    int count;
    int cap;
} LakeFileList;

typedef struct CommitRecord {
    int64_t version;
    char *run_id;
    char *mode;          /* lake_write_mode_name() */
    char *job;           /* NULL for ad-hoc statements */
    char *params_json;   /* JSON object text, NULL if none */
    char *logical_date;  /* NULL if none */
    char *started_at;    /* "2026-11-24T10:15:00.123456Z" */
    char *committed_at;
    char *kiln_version;
    LakeFileList added;
    LakeFileList removed;
    LakeFileList live;
} CommitRecord;

/* Append a zeroed entry to a list and return it (valid until the next append). */
LakeFileEntry *lake_file_list_add(LakeFileList *list);
/* Append a deep copy of e. */
void lake_file_list_add_copy(LakeFileList *list, const LakeFileEntry *e);
/* Free a list's entries and empty it. */
void lake_file_list_free(LakeFileList *list);
/* Free an entry's strings. */
void lake_file_entry_free(LakeFileEntry *e);

/* Write r as JSON text (one line per file, for people reading it). */
void commit_record_to_json(const CommitRecord *r, StrBuf *out);
/* Parse a record's text; errors name source (the record's path). On failure
 * *out is left freed. */
bool commit_record_parse(const char *text, size_t n, const char *source, CommitRecord *out, Error *err);
/* Free a record's strings and lists (the struct itself is the caller's). */
void commit_record_free(CommitRecord *r);
/* Total rows and bytes of a list. */
void lake_file_list_totals(const LakeFileList *list, int64_t *rows, int64_t *bytes);

#endif
