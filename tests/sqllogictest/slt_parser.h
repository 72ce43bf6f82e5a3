/* slt_parser: reads a sqllogictest file (the format of SQLite and DuckDB)
 * into a flat list of records.
 *
 * A record is a directive line followed by its body, and ends at a blank
 * line:
 *
 *   statement ok | statement error      SQL lines; for error, optionally
 *                                       "----" then a substring of the message
 *   query <types> [nosort|rowsort|valuesort] [label]
 *                                       SQL lines, "----", expected rows
 *                                       (columns separated by a TAB)
 *   hash-threshold N                    results of more than N values are
 *                                       compared as "N values hashing to <md5>"
 *   halt                                stop running the file here
 *   mode skip | mode unskip             skip the records in between
 *   require <feature>                   skip the rest of the file when the
 *                                       feature is unknown
 *   loop VAR START END / foreach VAR v1 v2 ... / endloop
 *                                       repeat the records in between with
 *                                       ${VAR} set to each value
 *
 * "skipif <engine>" / "onlyif <engine>" lines before a record decide, for
 * our engine "kiln", whether it runs; lines starting with '#' are comments.
 * Everything the parser produces lives in the script's arena. */
#ifndef KILN_SLT_PARSER_H
#define KILN_SLT_PARSER_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"

#define SLT_ENGINE_NAME "kiln"

typedef enum SltKind {
    SLT_STATEMENT_OK,
    SLT_STATEMENT_ERROR,
    SLT_QUERY,
    SLT_HASH_THRESHOLD,
    SLT_HALT,
    SLT_MODE_SKIP,
    SLT_MODE_UNSKIP,
    SLT_REQUIRE,
    SLT_LOOP,      /* loop VAR START END, or foreach VAR values... */
    SLT_ENDLOOP,
} SltKind;

typedef enum SltSort { SLT_SORT_NONE, SLT_SORT_ROWS, SLT_SORT_VALUES } SltSort;

typedef struct SltRecord {
    SltKind kind;
    int line;               /* 1-based line of the directive */
    bool skip;              /* a skipif/onlyif condition excludes kiln */
    char *sql;              /* statement/query text, lines joined by '\n' */
    /* query */
    char *types;            /* type letters, one per column ("IIT") */
    SltSort sort;
    char *label;            /* NULL when none */
    bool has_expected;      /* a "----" line was present */
    char **expected_lines;  /* lines after "----" */
    int nexpected_lines;
    /* statement error: the expected substring (lines joined by '\n'), NULL = any
     * error; "<REGEX>:pattern" matches a POSIX extended regular expression */
    char *error_substring;
    /* hash-threshold */
    long hash_threshold;
    /* require */
    char *feature;
    /* loop VAR START END: the integers START..END-1; foreach VAR v...: the values */
    char *loop_var;
    long loop_start;
    long loop_end;
    char **loop_values;     /* NULL for a numeric loop */
    int nloop_values;
    int loop_end_index;     /* index of the matching SLT_ENDLOOP record */
} SltRecord;

typedef struct SltScript {
    Arena arena;
    SltRecord *records;     /* mem_alloc'd array */
    int nrecords;
    int cap_records;
} SltScript;

/* Parse text (len bytes, need not be NUL-terminated) of the file `path` into
 * script; on a malformed file fills err with "path:line: message" and returns
 * false (script is still valid to free). */
bool slt_parse(const char *path, const char *text, size_t len, SltScript *script, Error *err);
/* Free everything a parse produced. */
void slt_script_free(SltScript *script);

#endif
