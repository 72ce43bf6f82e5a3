/* slt_run: executes the records of one sqllogictest file in order against a
 * fresh Session and checks each outcome.
 *
 * Every file gets its own session, its own scratch directory (__TEST_DIR__,
 * made and removed by the caller) and its own loop variables.  Before a
 * record runs, its SQL, expected rows and error text have __TEST_DIR__,
 * __DATA_DIR__ (tests/data), __WORKING_DIRECTORY__ and ${VAR} (loop
 * variables first, then the environment) substituted.  Statements run with
 * their rows consumed and dropped, so errors raised while producing rows
 * count; a "statement error" is not satisfied by an internal error.
 *
 * A failing record is reported and the file goes on, so one run shows every
 * failure; after MAX_FAILURES_PER_FILE the file stops to keep a broken loop
 * from flooding the output.
 * Memory: the script's arena for the parse, one arena per record for its
 * substituted text and result values (reset after each record). */
#include "slt_run.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "slt_parser.h"
#include "slt_result.h"
#include "sql/session.h"

#define MAX_FAILURES_PER_FILE 20
#define MAX_LOOP_VARIABLES 32

/* Features that `require` accepts; a file requiring anything else is skipped. */
static const char *const known_features[] = {NULL};

typedef struct LoopVariable {
    const char *name;
    char value[64];
    const char *text;    /* value's text: points into value or at a foreach word */
} LoopVariable;

typedef struct LabelHash {
    const char *label;
    char hash[33];
    int line;
} LabelHash;

typedef struct FileRun {
    const char *path;
    const SltOptions *options;
    SltScript script;
    Session *session;
    Arena record_arena;       /* reset after every record */
    long hash_threshold;
    bool skip_mode;           /* between "mode skip" and "mode unskip" */
    bool stopped;             /* halt, require or too many failures */
    bool skipped_by_require;
    int failures;
    const char *test_dir;     /* the caller's; NULL if none could be made */
    char *data_dir;
    char *working_dir;
    LoopVariable vars[MAX_LOOP_VARIABLES];
    int nvars;
    LabelHash *labels;        /* mem_realloc'd */
    int nlabels;
} FileRun;

/* ---- placeholders ---------------------------------------------------- */

static const char *lookup_variable(const FileRun *run, const char *name, size_t len)
{
    for (int i = run->nvars - 1; i >= 0; i--)
        if (strlen(run->vars[i].name) == len && memcmp(run->vars[i].name, name, len) == 0)
            return run->vars[i].text;
    char env_name[256];
    if (len >= sizeof env_name)
        return NULL;
    memcpy(env_name, name, len);
    env_name[len] = '\0';
    return getenv(env_name);
}

/* Text with every placeholder replaced, in the record arena.  An unknown
 * ${VAR} is left as it is so the SQL error shows it. */
static char *substitute(FileRun *run, const char *text)
{
    if (!text)
        return NULL;
    const char *const fixed_names[] = {"__TEST_DIR__", "__DATA_DIR__", "__WORKING_DIRECTORY__"};
    const char *const fixed_values[] = {run->test_dir, run->data_dir, run->working_dir};
    StrBuf out = STRBUF_INIT;
    const char *p = text;
    while (*p) {
        bool replaced = false;
        if (p[0] == '_' && p[1] == '_') {
            for (size_t i = 0; i < sizeof fixed_names / sizeof fixed_names[0]; i++) {
                size_t name_len = strlen(fixed_names[i]);
                if (strncmp(p, fixed_names[i], name_len) == 0) {
                    strbuf_puts(&out, fixed_values[i] ? fixed_values[i] : "");
                    p += name_len;
                    replaced = true;
                    break;
                }
            }
        } else if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            if (close) {
                const char *value = lookup_variable(run, p + 2, (size_t)(close - (p + 2)));
                if (value) {
                    strbuf_puts(&out, value);
                    p = close + 1;
                    replaced = true;
                }
            }
        }
        if (!replaced)
            strbuf_putc(&out, *p++);
    }
    char *result = arena_strdup(&run->record_arena, strbuf_cstr(&out));
    strbuf_free(&out);
    return result;
}

/* ---- directories ------------------------------------------------------ */

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* tests/data of the tree the test file lives in: the first ancestor that is a
 * "tests" folder with a "data" child, or that has "tests/data"; else
 * ./tests/data.  SLT_DATA_DIR overrides. */
static char *find_data_dir(const char *test_path, const char *working_dir)
{
    const char *override = getenv("SLT_DATA_DIR");
    if (override && *override)
        return mem_strdup(override);
    char resolved[PATH_MAX];
    if (realpath(test_path, resolved)) {
        StrBuf candidate = STRBUF_INIT;
        char *slash;
        while ((slash = strrchr(resolved, '/')) != NULL) {
            *slash = '\0';
            const char *base = strrchr(resolved, '/');
            base = base ? base + 1 : resolved;
            strbuf_clear(&candidate);
            strbuf_printf(&candidate, "%s/data", resolved);
            if (strcmp(base, "tests") == 0 && is_directory(strbuf_cstr(&candidate)))
                return strbuf_take(&candidate);
            strbuf_clear(&candidate);
            strbuf_printf(&candidate, "%s/tests/data", resolved);
            if (is_directory(strbuf_cstr(&candidate)))
                return strbuf_take(&candidate);
        }
        strbuf_free(&candidate);
    }
    StrBuf fallback = STRBUF_INIT;
    strbuf_printf(&fallback, "%s/tests/data", working_dir);
    return strbuf_take(&fallback);
}

/* ---- reporting -------------------------------------------------------- */

static void print_indented(const char *text, const char *indent)
{
    fputs(indent, stdout);
    for (const char *p = text; *p; p++) {
        fputc(*p, stdout);
        if (*p == '\n' && p[1])
            fputs(indent, stdout);
    }
    fputc('\n', stdout);
}

/* Start a failure report: header line and the SQL. */
static void begin_failure(FileRun *run, const SltRecord *record, const char *sql, const char *reason)
{
    run->failures++;
    fprintf(stdout, "================================================================\n");
    fprintf(stdout, "FAIL %s:%d: %s\n", run->path, record->line, reason);
    if (sql) {
        fprintf(stdout, "SQL:\n");
        print_indented(sql, "    ");
    }
}

static void print_error(const Error *err)
{
    fprintf(stdout, "Error (%s): %s", error_kind_name(err->kind), err->message);
    if (err->sql_pos >= 0)
        fprintf(stdout, " [at SQL offset %d]", err->sql_pos);
    if (err->file[0])
        fprintf(stdout, " [%s:%lld:%lld]", err->file, (long long)err->line, (long long)err->column);
    fputc('\n', stdout);
}

static void end_failure(FileRun *run)
{
    if (run->failures >= MAX_FAILURES_PER_FILE) {
        fprintf(stdout, "%s: too many failures, stopping this file\n", run->path);
        run->stopped = true;
    }
}

/* ---- records ------------------------------------------------------------ */

static bool discard_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    return true;
}
static bool discard_batch(ResultSink *sink, const Batch *batch, Error *err) { return true; }
static bool discard_end(ResultSink *sink, Error *err) { return true; }

static bool error_matches(const char *message, const char *expected)
{
    static const char regex_prefix[] = "<REGEX>:";
    if (strncmp(expected, regex_prefix, sizeof regex_prefix - 1) != 0)
        return strstr(message, expected) != NULL;
    regex_t regex;
    if (regcomp(&regex, expected + sizeof regex_prefix - 1, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool matched = regexec(&regex, message, 0, NULL, 0) == 0;
    regfree(&regex);
    return matched;
}

static void run_statement(FileRun *run, const SltRecord *record)
{
    char *sql = substitute(run, record->sql);
    char *expected_error = substitute(run, record->error_substring);
    ResultSink discard = {discard_begin, discard_batch, discard_end};
    Error err = ERROR_INIT;
    bool ok = session_execute(run->session, sql, &discard, &err);
    if (record->kind == SLT_STATEMENT_OK) {
        if (!ok) {
            begin_failure(run, record, sql, "statement failed");
            print_error(&err);
            end_failure(run);
        }
        return;
    }
    if (ok) {
        begin_failure(run, record, sql, "statement succeeded but an error was expected");
        if (expected_error)
            fprintf(stdout, "Expected error containing: %s\n", expected_error);
        end_failure(run);
        return;
    }
    /* An internal error is a kiln bug even where the test expects a failure. */
    if (err.kind == ERR_INTERNAL) {
        begin_failure(run, record, sql, "internal error where a user-facing error was expected");
        print_error(&err);
        end_failure(run);
        return;
    }
    /* the expected text may name the data location too: "file.csv:14:3: message" */
    char located[ERROR_FILE_MAX + ERROR_MSG_MAX + 64];
    if (err.file[0])
        snprintf(located, sizeof located, "%s:%lld:%lld: %s", err.file, (long long)err.line, (long long)err.column,
                 err.message);
    else
        snprintf(located, sizeof located, "%s", err.message);
    if (expected_error && !error_matches(located, expected_error)) {
        begin_failure(run, record, sql, "error message differs");
        fprintf(stdout, "Expected error containing: %s\n", expected_error);
        print_error(&err);
        end_failure(run);
    }
}

static void report_mismatch(FileRun *run, const SltRecord *record, const char *sql, const char *reason,
                            char **expected_lines, int nexpected, const SltValues *actual)
{
    begin_failure(run, record, sql, reason);
    fprintf(stdout, "Expected:\n");
    for (int i = 0; i < nexpected; i++)
        fprintf(stdout, "    %s\n", expected_lines[i]);
    fprintf(stdout, "Actual:\n");
    slt_values_print(stdout, actual, run->hash_threshold, "    ");
    end_failure(run);
}

/* A labelled query must give the same values as every earlier query with that label. */
static void check_label(FileRun *run, const SltRecord *record, const char *sql, const SltValues *values)
{
    char hex[33];
    slt_values_md5(values, hex);
    for (int i = 0; i < run->nlabels; i++) {
        if (strcmp(run->labels[i].label, record->label) != 0)
            continue;
        if (strcmp(run->labels[i].hash, hex) != 0) {
            char reason[256];
            snprintf(reason, sizeof reason, "result differs from the query with label \"%s\" at line %d",
                     record->label, run->labels[i].line);
            begin_failure(run, record, sql, reason);
            end_failure(run);
        }
        return;
    }
    run->labels = mem_realloc(run->labels, sizeof(LabelHash) * (size_t)(run->nlabels + 1));
    LabelHash *entry = &run->labels[run->nlabels++];
    entry->label = record->label;
    memcpy(entry->hash, hex, sizeof hex);
    entry->line = record->line;
}

static void run_query(FileRun *run, const SltRecord *record)
{
    char *sql = substitute(run, record->sql);
    QueryResult result;
    query_result_init(&result);
    Error err = ERROR_INIT;
    if (!session_execute_last(run->session, sql, &result.sink, &err)) {
        begin_failure(run, record, sql, "query failed");
        print_error(&err);
        end_failure(run);
        query_result_free(&result);
        return;
    }
    if (!result.has_rows) {
        char reason[256];
        snprintf(reason, sizeof reason, "query returned no rows result (command tag \"%s\")", result.status);
        begin_failure(run, record, sql, reason);
        end_failure(run);
        query_result_free(&result);
        return;
    }
    int ntypes = (int)strlen(record->types);
    if (ntypes != result.ncols) {
        char reason[256];
        snprintf(reason, sizeof reason, "the type string \"%s\" names %d columns but the query returned %d",
                 record->types, ntypes, result.ncols);
        begin_failure(run, record, sql, reason);
        end_failure(run);
        query_result_free(&result);
        return;
    }
    SltValues actual;
    slt_result_values(&result, &run->record_arena, &actual);
    query_result_free(&result);
    slt_values_sort(&actual, record->sort);
    if (record->label)
        check_label(run, record, sql, &actual);
    if (!record->has_expected && record->label)
        return;

    char **expected_lines = arena_alloc(&run->record_arena, sizeof(char *) * (size_t)(record->nexpected_lines + 1));
    for (int i = 0; i < record->nexpected_lines; i++)
        expected_lines[i] = substitute(run, record->expected_lines[i]);
    SltExpected expected;
    slt_expected_parse(expected_lines, record->nexpected_lines, actual.ncols, actual.nvalues, &run->record_arena,
                       &expected);
    if (!expected.is_hash && expected.well_formed)
        slt_values_sort(&expected.values, record->sort);
    if (slt_values_match(&actual, &expected))
        return;
    const char *reason = "wrong result";
    if (!expected.is_hash && !expected.well_formed)
        reason = "wrong result (an expected row does not have one TAB-separated field per column)";
    else if (!expected.is_hash && expected.values.nvalues != actual.nvalues)
        reason = "wrong number of rows";
    report_mismatch(run, record, sql, reason, expected_lines, record->nexpected_lines, &actual);
}

static bool feature_known(const char *feature)
{
    for (int i = 0; known_features[i]; i++)
        if (strcmp(known_features[i], feature) == 0)
            return true;
    return false;
}

static void run_records(FileRun *run, int begin, int end);

static void run_loop(FileRun *run, const SltRecord *record, int index)
{
    if (run->nvars == MAX_LOOP_VARIABLES) {
        begin_failure(run, record, NULL, "loops nested too deeply");
        run->stopped = true;
        return;
    }
    LoopVariable *var = &run->vars[run->nvars++];
    var->name = record->loop_var;
    if (record->loop_values) {
        for (int i = 0; i < record->nloop_values && !run->stopped; i++) {
            var->text = record->loop_values[i];
            run_records(run, index + 1, record->loop_end_index);
        }
    } else {
        for (long i = record->loop_start; i < record->loop_end && !run->stopped; i++) {
            snprintf(var->value, sizeof var->value, "%ld", i);
            var->text = var->value;
            run_records(run, index + 1, record->loop_end_index);
        }
    }
    run->nvars--;
}

static void run_records(FileRun *run, int begin, int end)
{
    for (int i = begin; i < end && !run->stopped; i++) {
        const SltRecord *record = &run->script.records[i];
        switch (record->kind) {
        case SLT_LOOP:
            if (!run->skip_mode && !record->skip)
                run_loop(run, record, i);
            i = record->loop_end_index;
            continue;
        case SLT_ENDLOOP:
            continue;
        case SLT_MODE_SKIP:
            run->skip_mode = true;
            continue;
        case SLT_MODE_UNSKIP:
            run->skip_mode = false;
            continue;
        default:
            break;
        }
        if (run->skip_mode || record->skip)
            continue;
        if (run->options->verbose)
            fprintf(stdout, "%s:%d\n", run->path, record->line);
        if (run->options->current_line)
            *run->options->current_line = record->line;
        switch (record->kind) {
        case SLT_STATEMENT_OK:
        case SLT_STATEMENT_ERROR:
            run_statement(run, record);
            break;
        case SLT_QUERY:
            run_query(run, record);
            break;
        case SLT_HASH_THRESHOLD:
            run->hash_threshold = record->hash_threshold;
            break;
        case SLT_HALT:
            run->stopped = true;
            break;
        case SLT_REQUIRE:
            if (!feature_known(record->feature)) {
                fprintf(stdout, "%s:%d: skipping the rest of the file: kiln lacks \"%s\"\n", run->path,
                        record->line, record->feature);
                run->skipped_by_require = true;
                run->stopped = true;
            }
            break;
        default:
            break;
        }
        arena_reset(&run->record_arena);
    }
}

/* ---- one file ------------------------------------------------------------ */

static bool read_whole_file(const char *path, char **text_out, size_t *len_out)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return false;
    StrBuf text = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, file)) > 0)
        strbuf_append(&text, chunk, n);
    bool ok = !ferror(file);
    fclose(file);
    *len_out = text.len;
    *text_out = strbuf_take(&text);
    if (!ok) {
        mem_free(*text_out);
        *text_out = NULL;
    }
    return ok;
}

SltOutcome slt_run_file(const char *path, const char *test_dir, const SltOptions *options)
{
    char *text;
    size_t len;
    if (!read_whole_file(path, &text, &len)) {
        fprintf(stdout, "FAIL %s: cannot read: %s\n", path, strerror(errno));
        return SLT_OUTCOME_FAILED;
    }
    FileRun run;
    memset(&run, 0, sizeof run);
    run.path = path;
    run.options = options;
    Error err = ERROR_INIT;
    bool parsed = slt_parse(path, text, len, &run.script, &err);
    mem_free(text);
    if (!parsed) {
        fprintf(stdout, "FAIL %s\n", err.message);
        slt_script_free(&run.script);
        return SLT_OUTCOME_FAILED;
    }

    char cwd[PATH_MAX];
    run.working_dir = mem_strdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
    run.data_dir = find_data_dir(path, run.working_dir);
    run.test_dir = test_dir;
    arena_init(&run.record_arena, 0);
    run.session = session_open();
    if (run.session) {
        run_records(&run, 0, run.script.nrecords);
        session_close(run.session);
    } else {
        fprintf(stdout, "FAIL %s: cannot open a session\n", path);
        run.failures++;
    }
    arena_destroy(&run.record_arena);
    mem_free(run.data_dir);
    mem_free(run.working_dir);
    mem_free(run.labels);
    slt_script_free(&run.script);
    if (run.failures > 0)
        return SLT_OUTCOME_FAILED;
    return run.skipped_by_require ? SLT_OUTCOME_SKIPPED : SLT_OUTCOME_PASSED;
}
