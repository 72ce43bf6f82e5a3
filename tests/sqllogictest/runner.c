/* sqllogictest: the runner of kiln's SQL behaviour tests.
 *
 *   sqllogictest [-v] [--no-fork] [--timeout SECONDS] PATH...
 *
 * Each PATH is a .test file or a directory searched recursively for *.test
 * files (run in sorted order).  Each file runs in a child process with a
 * fresh session, so a crash, a sanitizer report or a hang (SIGALRM after the
 * timeout, default 300 s or $SLT_TIMEOUT) fails that file only and the suite
 * goes on; --no-fork runs in-process (for a debugger).  The runner makes
 * each file's __TEST_DIR__ under $TMPDIR (or /tmp) and removes it afterwards,
 * even when the child crashed.
 *
 * Failures are printed as file:line with the SQL, expected and actual rows;
 * the last line is "N passed, N failed" counting files (", N skipped" is
 * added when a `require` skipped some).  Exit status 1 if any file failed,
 * 2 for a usage error. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "slt_run.h"

#define DEFAULT_TIMEOUT_SECONDS 300
/* A child's exit status for each outcome: away from 1 (ASan, UBSan), 23
 * (LeakSanitizer) and 70 (out of memory) so that those read as failures. */
#define CHILD_EXIT_PASSED 0
#define CHILD_EXIT_FAILED 10
#define CHILD_EXIT_SKIPPED 11

typedef struct PathList {
    char **paths;
    int count;
    int cap;
} PathList;

/* Kept in a global so that a child's leak check sees it as reachable. */
static PathList test_files;

static void path_list_add(PathList *list, const char *path)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->paths = mem_realloc(list->paths, sizeof(char *) * (size_t)list->cap);
    }
    list->paths[list->count++] = mem_strdup(path);
}

static void path_list_free(PathList *list)
{
    for (int i = 0; i < list->count; i++)
        mem_free(list->paths[i]);
    mem_free(list->paths);
    list->paths = NULL;
    list->count = list->cap = 0;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_test_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 5 && strcmp(name + len - 5, ".test") == 0;
}

/* Add every *.test file under dir (hidden entries skipped). */
static void collect_directory(const char *dir, PathList *out)
{
    DIR *handle = opendir(dir);
    if (!handle) {
        fprintf(stderr, "sqllogictest: cannot open directory %s: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *entry;
    StrBuf child = STRBUF_INIT;
    while ((entry = readdir(handle)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        strbuf_clear(&child);
        strbuf_printf(&child, "%s/%s", dir, entry->d_name);
        struct stat st;
        if (stat(strbuf_cstr(&child), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            collect_directory(strbuf_cstr(&child), out);
        else if (S_ISREG(st.st_mode) && has_test_suffix(entry->d_name))
            path_list_add(out, strbuf_cstr(&child));
    }
    strbuf_free(&child);
    closedir(handle);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

/* A fresh scratch directory for one file's __TEST_DIR__ (mem_free it), or NULL. */
static char *make_test_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    StrBuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/kiln-slt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *dir = strbuf_take(&path);
    if (!mkdtemp(dir)) {
        fprintf(stdout, "warning: cannot create a test directory %s: %s\n", dir, strerror(errno));
        mem_free(dir);
        return NULL;
    }
    return dir;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: sqllogictest [-v] [--no-fork] [--timeout SECONDS] FILE.test|DIR...\n"
                 "  -v            print each record as it runs\n"
                 "  --no-fork     run files in this process (for a debugger)\n"
                 "  --timeout N   fail a file that runs longer than N seconds (default %d, or $SLT_TIMEOUT)\n",
            DEFAULT_TIMEOUT_SECONDS);
}

/* Run one file in a child process and turn its end into an outcome. */
static SltOutcome run_in_child(const char *path, char *test_dir, const SltOptions *options, unsigned timeout)
{
    fflush(stdout);
    fflush(stderr);
    if (options->current_line)
        *options->current_line = 0;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stdout, "FAIL %s: cannot fork: %s\n", path, strerror(errno));
        return SLT_OUTCOME_FAILED;
    }
    if (pid == 0) {
        alarm(timeout);
        SltOutcome outcome = slt_run_file(path, test_dir, options);
        /* Line 0 from here on: a death now (a leak report at exit) is no record's. */
        if (options->current_line)
            *options->current_line = 0;
        /* Free the parent's allocations too, so the leak check at exit sees none. */
        mem_free(test_dir);
        path_list_free(&test_files);
        fflush(stdout);
        exit(outcome == SLT_OUTCOME_PASSED   ? CHILD_EXIT_PASSED
             : outcome == SLT_OUTCOME_SKIPPED ? CHILD_EXIT_SKIPPED
                                              : CHILD_EXIT_FAILED);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stdout, "FAIL %s: waitpid: %s\n", path, strerror(errno));
            return SLT_OUTCOME_FAILED;
        }
    }
    /* "file:line" of the record the child was running, or "file" after its last one. */
    char where[4096];
    int line = options->current_line ? *options->current_line : 0;
    if (line > 0)
        snprintf(where, sizeof where, "%s:%d", path, line);
    else
        snprintf(where, sizeof where, "%s", path);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGALRM)
            fprintf(stdout, "FAIL %s: timed out after %u s\n", where, timeout);
        else
            fprintf(stdout, "FAIL %s: crashed with signal %d (%s)\n", where, sig, strsignal(sig));
        return SLT_OUTCOME_FAILED;
    }
    int code = WEXITSTATUS(status);
    if (code == CHILD_EXIT_PASSED)
        return SLT_OUTCOME_PASSED;
    if (code == CHILD_EXIT_SKIPPED)
        return SLT_OUTCOME_SKIPPED;
    if (code == CHILD_EXIT_FAILED)
        return SLT_OUTCOME_FAILED;
    fprintf(stdout, "FAIL %s: exited with status %d (a sanitizer or out-of-memory report above?)\n", where, code);
    return SLT_OUTCOME_FAILED;
}

int main(int argc, char **argv)
{
    SltOptions options = {false};
    bool use_fork = true;
    unsigned timeout = DEFAULT_TIMEOUT_SECONDS;
    const char *timeout_env = getenv("SLT_TIMEOUT");
    if (timeout_env && atoi(timeout_env) > 0)
        timeout = (unsigned)atoi(timeout_env);

    int first_path = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            options.verbose = true;
        } else if (strcmp(argv[i], "--no-fork") == 0) {
            use_fork = false;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0) {
            timeout = (unsigned)atoi(argv[++i]);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
            fprintf(stderr, "sqllogictest: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            first_path = strcmp(argv[i], "--") == 0 ? i + 1 : i;
            break;
        }
    }
    if (first_path >= argc) {
        usage(stderr);
        return 2;
    }

    int missing = 0;
    for (int i = first_path; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stdout, "FAIL %s: %s\n", argv[i], strerror(errno));
            missing++;
        } else if (S_ISDIR(st.st_mode)) {
            int before = test_files.count;
            collect_directory(argv[i], &test_files);
            qsort(test_files.paths + before, (size_t)(test_files.count - before), sizeof(char *), compare_paths);
        } else {
            path_list_add(&test_files, argv[i]);
        }
    }

    /* The child stores the line it is running here, for a report if it dies. */
    void *shared = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared != MAP_FAILED)
        options.current_line = shared;

    int passed = 0, failed = missing, skipped = 0;
    for (int i = 0; i < test_files.count; i++) {
        const char *path = test_files.paths[i];
        if (options.verbose)
            fprintf(stdout, "-- %s\n", path);
        /* The parent owns the scratch directory so it goes even when the child crashes. */
        char *test_dir = make_test_dir();
        SltOutcome outcome = use_fork ? run_in_child(path, test_dir, &options, timeout)
                                      : slt_run_file(path, test_dir, &options);
        if (test_dir)
            nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        mem_free(test_dir);
        if (outcome == SLT_OUTCOME_PASSED)
            passed++;
        else if (outcome == SLT_OUTCOME_SKIPPED)
            skipped++;
        else
            failed++;
    }
    path_list_free(&test_files);
    if (shared != MAP_FAILED)
        munmap(shared, sizeof(int));
    if (skipped > 0)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}
