/* params: job parameters ({{ name }} placeholders) and their injection-safe
 * substitution into SQL text.
 *
 * A job file may contain placeholders `{{ name }}` (spaces inside the braces
 * optional; name = letter or _ then letters, digits, _).  Before the text
 * reaches the session, job_sql_prepare replaces each one according to where
 * it stands, found by scanning the SQL the way PostgreSQL's lexer does:
 *
 *   where the placeholder is          it becomes
 *   in code (outside any literal)     a complete literal 'value' (quotes doubled),
 *                                     so it is always one constant, never SQL text
 *   inside '...' (also N'')           the value with ' doubled
 *   inside B'...' or X'...'           the value as is; an error if it holds a '
 *                                     (PostgreSQL ends these at any quote)
 *   inside E'...' or U&'...'          the value with ' and \ doubled
 *   inside "..." (identifier)         the value with " doubled (U&"...": and \ doubled)
 *   inside $tag$...$tag$              the value as is; an error if the result
 *                                     would contain the closing $tag$ early
 *   inside -- and block comments      left alone (not even checked)
 *   in code after 'literal' + newline an error: PostgreSQL would continue the
 *                                     literal ('a'<newline>'b' is 'ab', and E''
 *                                     keeps its backslash escapes there)
 *
 * Any other use of braces is left alone.  A placeholder naming a parameter
 * that was not given is an ERR_SQL error positioned on the placeholder.
 *
 * The same scan also finds the statement boundaries (top-level semicolons),
 * so a job runs statement by statement, and it keeps a position map so an
 * error offset in the substituted text maps back to the original file.
 *
 * Memory: the substituted text, the statement list and the map are heap
 * arrays proportional to the input, freed by job_sql_free. */
#ifndef KILN_JOB_PARAMS_H
#define KILN_JOB_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct JobParam {
    char *name;
    char *value;
} JobParam;

/* A set of named parameters (names unique; setting one again replaces it). */
typedef struct JobParams {
    JobParam *items;
    int count;
    int cap;
} JobParams;

/* Initialise an empty parameter set. */
void job_params_init(JobParams *p);
/* Free every name and value. */
void job_params_free(JobParams *p);
/* Set name to value (copied); replaces an earlier value. Fails (ERR_USAGE)
 * when name is not an identifier. */
bool job_params_set(JobParams *p, const char *name, const char *value, Error *err);
/* Parse "name=value" (as given to --param) and set it. ERR_USAGE on a
 * missing '=' or a bad name. */
bool job_params_set_assignment(JobParams *p, const char *assignment, Error *err);
/* The value of name, or NULL when it is not set. */
const char *job_params_get(const JobParams *p, const char *name);
/* The parameters as a JSON object with keys sorted (mem_alloc'ed), NULL if there are none;
 * without try_number (the runner's attempt counter), so that a retry has the same rerun key. */
char *job_params_to_json(const JobParams *p);

/* One replaced placeholder: out[out_start, out_end) came from src[in_start, in_end). */
typedef struct JobSqlAnchor {
    size_t out_start, out_end;
    size_t in_start, in_end;
} JobSqlAnchor;

/* One statement of the substituted text: text[start, end), from its first
 * token to its semicolon included (or the end of the text). */
typedef struct JobSqlStatement {
    size_t start, end;
} JobSqlStatement;

/* SQL text after substitution, with its statements and position map. */
typedef struct JobSql {
    char *text;                 /* NUL-terminated substituted text */
    size_t len;
    JobSqlStatement *statements; /* statements that contain code (comment-only ones skipped) */
    int nstatements;
    JobSqlAnchor *anchors;      /* sorted by out_start */
    int nanchors;
    int cap_statements, cap_anchors;
} JobSql;

/* Substitute the placeholders of src[0, len) with params (NULL = none) and
 * split the result into statements. On error (unknown parameter, a value
 * that would break out of a dollar quote) err->sql_pos is the offset of the
 * placeholder in src, and out is left empty. */
bool job_sql_prepare(const char *src, size_t len, const JobParams *params, JobSql *out, Error *err);
/* Map an offset in out->text back to the offset in the original text
 * (an offset inside a replaced placeholder maps to the placeholder's start). */
size_t job_sql_original_offset(const JobSql *sql, size_t offset);
/* Free the substituted text, statements and map. */
void job_sql_free(JobSql *sql);

#endif
