/* slt_run: runs one parsed sqllogictest file against a fresh kiln session
 * and reports each failing record on stdout. */
#ifndef KILN_SLT_RUN_H
#define KILN_SLT_RUN_H

#include <stdbool.h>

typedef struct SltOptions {
    bool verbose;           /* print each record as it runs */
    /* When set, the line of the record being run is stored here before it
     * runs (memory shared with a parent that reports where a child died). */
    volatile int *current_line;
} SltOptions;

typedef enum SltOutcome {
    SLT_OUTCOME_PASSED = 0,
    SLT_OUTCOME_FAILED = 1,
    SLT_OUTCOME_SKIPPED = 2, /* a "require" named a feature kiln lacks */
} SltOutcome;

/* Read, parse and run the test file at path, with __TEST_DIR__ standing for
 * test_dir (an existing empty directory, or NULL); never aborts on a bad file. */
SltOutcome slt_run_file(const char *path, const char *test_dir, const SltOptions *options);

#endif
