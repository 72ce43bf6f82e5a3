/* lake_internal: what lake_txn.c and lake_recovery.c share: the dataset's
 * layout (paths under the root), reading commit records, finishing a
 * commit (publication, removals, _SUCCESS, staging), and the test hooks
 * of the crash tests.  Not for use outside src/lake/ (and its tests). */
#ifndef KILN_LAKE_LAKE_INTERNAL_H
#define KILN_LAKE_LAKE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "lake/commit_record.h"

/* root + "/" + rel (mem_alloc'ed). */
char *lake_join(const char *root, const char *rel);
/* root/_kiln/commits/<version, 20 digits>.json (mem_alloc'ed). */
char *lake_record_path(const char *root, int64_t version);
/* The newest version in root/_kiln/commits (0 when there is none). */
bool lake_latest_version(const char *root, int64_t *version, Error *err);
/* Read and parse the record of a version. */
bool lake_read_record(const char *root, int64_t version, CommitRecord *out, Error *err);
/* The publish token of an added file (a staged path is made absolute). */
char *lake_entry_token(const char *root, const LakeFileEntry *e);
/* The version whose publication _SUCCESS says is complete (0: none, or unreadable). */
int64_t lake_published_version(const char *root);
/* Make durable in one batch (fs_sync_batch) the files of list: their
 * staged outputs (staged: before the commit record) or their final paths. */
bool lake_sync_files(const char *root, const LakeFileList *list, bool staged, Error *err);
/* Publish every added file of r (idempotent: done files are skipped by the file system). */
bool lake_publish_added(const char *root, const CommitRecord *r, Error *err);
/* Finish a committed record: publish its files, remove the files it
 * replaced (and partition folders left empty), write _SUCCESS, remove its
 * run's staging folder.  Every step is idempotent, so it can run again
 * after a crash at any point. */
bool lake_finish_commit(const char *root, const CommitRecord *r, Error *err);
/* Remove every run's folder under root/_kiln/staging, and the temporaries
 * of killed writes of _SUCCESS and of commit records (call with the lock
 * held and the latest commit finished: what is left belongs to runs that
 * never committed, or died). */
bool lake_clean_staging(const char *root, Error *err);

/* Crash-test hooks.  Every step of finishing a commit (each publish, each
 * removal, _SUCCESS) first calls lake_test_step: with a limit set, the
 * step after the limit fails with "simulated crash" and lake_test_crashed()
 * turns true, so the caller stops where it is, as a killed process would.
 * The environment variable KILN_LAKE_TEST_STEP_DELAY_MS makes each step
 * (and each staged file's close) sleep, so an integration test's SIGKILL
 * can land in every phase. */
void lake_test_crash_after(int steps);
/* True once lake_test_step has simulated a crash (reset by lake_test_crash_after). */
bool lake_test_crashed(void);
/* A step of the protocol: false (err set) when the crash hook fires. */
bool lake_test_step(Error *err);

#endif
