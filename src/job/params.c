/* params: job parameters and injection-safe {{ name }} substitution (see
 * params.h for the rules).
 *
 * How: one left-to-right pass over the text with a small lexer that follows
 * PostgreSQL's scan.l exactly where it matters for safety, i.e. where string
 * literals, quoted identifiers and comments begin and end:
 *   - identifiers are consumed whole ([A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*),
 *     so a '$' inside one never starts a dollar quote, and E'', N'', B'', X'',
 *     U&'' and U&"" prefixes are recognised only as whole one-letter tokens;
 *   - E'' strings treat a backslash and the byte after it as one unit;
 *   - a string literal goes on after its closing quote when whitespace with
 *     a newline and another quote follow ('a'<newline>'b'), in the same kind;
 *   - '' and "" are an escaped quote inside their literal;
 *   - $tag$ starts a dollar quote unless it continues an identifier
 *     ($1 is a parameter reference, $1$$x$$ is $1 then a dollar quote);
 *   - -- comments run to the end of the line (LF or CR), slash-star comments nest.
 * A placeholder in code becomes a complete literal; when the previous output
 * byte could glue to it (E'', U&'', 'a''b') a space is put in between, and
 * likewise before a quote that follows it.
 *
 * Statement boundaries are the semicolons the lexer meets in code.  Each
 * replacement records an anchor (its range in the output and in the input),
 * so output offsets map back to input offsets by binary search.
 *
 * Memory: output text, statements and anchors grow as heap arrays; nothing
 * else is allocated. */
#include "job/params.h"

#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/json/json_text.h"

/* ---- parameter set ---- */

void job_params_init(JobParams *p)
{
    p->items = NULL;
    p->count = 0;
    p->cap = 0;
}

void job_params_free(JobParams *p)
{
    for (int i = 0; i < p->count; i++) {
        mem_free(p->items[i].name);
        mem_free(p->items[i].value);
    }
    mem_free(p->items);
    job_params_init(p);
}

static bool is_ascii_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A parameter name: an ASCII letter or _, then letters, digits and _. */
static bool valid_param_name(const char *name, size_t n)
{
    if (n == 0 || !(is_ascii_alpha((unsigned char)name[0]) || name[0] == '_')) return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(is_ascii_alpha(c) || is_digit(c) || c == '_')) return false;
    }
    return true;
}

static JobParam *find_param(const JobParams *p, const char *name, size_t n)
{
    if (p == NULL) return NULL;
    for (int i = 0; i < p->count; i++) {
        if (strlen(p->items[i].name) == n && memcmp(p->items[i].name, name, n) == 0) return &p->items[i];
    }
    return NULL;
}

static bool params_set_n(JobParams *p, const char *name, size_t n, const char *value, Error *err)
{
    if (!valid_param_name(name, n)) {
        return error_set(err, ERR_USAGE,
                         "invalid parameter name \"%.*s\": use letters, digits and _, not starting with a digit",
                         (int)(n > 200 ? 200 : n), name);
    }
    JobParam *existing = find_param(p, name, n);
    if (existing) {
        mem_free(existing->value);
        existing->value = mem_strdup(value);
        return true;
    }
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->items = mem_realloc(p->items, (size_t)p->cap * sizeof *p->items);
    }
    p->items[p->count].name = mem_strndup(name, n);
    p->items[p->count].value = mem_strdup(value);
    p->count++;
    return true;
}

bool job_params_set(JobParams *p, const char *name, const char *value, Error *err)
{
    return params_set_n(p, name, strlen(name), value, err);
}

bool job_params_set_assignment(JobParams *p, const char *assignment, Error *err)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL) {
        return error_set(err, ERR_USAGE, "parameter \"%s\" must be given as name=value", assignment);
    }
    return params_set_n(p, assignment, (size_t)(eq - assignment), eq + 1, err);
}

const char *job_params_get(const JobParams *p, const char *name)
{
    JobParam *found = find_param(p, name, strlen(name));
    return found ? found->value : NULL;
}

static int compare_param_names(const void *a, const void *b)
{
    return strcmp((*(const JobParam *const *)a)->name, (*(const JobParam *const *)b)->name);
}

char *job_params_to_json(const JobParams *p)
{
    if (p->count == 0) return NULL;
    /* Sorted by name, so that the same parameters always give the same text
     * (the lake uses it as the key of idempotent reruns).  try_number, the
     * project runner's attempt counter, is left out: a retry is a rerun of
     * the same run and must replace what an earlier attempt appended. */
    const JobParam **sorted = mem_alloc(sizeof *sorted * (size_t)p->count);
    int n = 0;
    for (int i = 0; i < p->count; i++)
        if (strcmp(p->items[i].name, "try_number") != 0) sorted[n++] = &p->items[i];
    if (n == 0) {
        mem_free(sorted);
        return NULL;
    }
    qsort(sorted, (size_t)n, sizeof *sorted, compare_param_names);
    StrBuf out = {0};
    strbuf_putc(&out, '{');
    for (int i = 0; i < n; i++) {
        if (i > 0) strbuf_puts(&out, ", ");
        json_append_string(&out, sorted[i]->name, strlen(sorted[i]->name));
        strbuf_puts(&out, ": ");
        json_append_string(&out, sorted[i]->value, strlen(sorted[i]->value));
    }
    strbuf_putc(&out, '}');
    mem_free(sorted);
    char *text = mem_strndup(out.data, out.len);
    strbuf_free(&out);
    return text;
}

/* ---- substitution ---- */

static bool is_ident_start(unsigned char c) { return is_ascii_alpha(c) || c == '_' || c >= 0x80; }
static bool is_ident_cont(unsigned char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }
static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* How a value is escaped inside the literal that holds it. */
typedef enum Escaping {
    ESCAPE_SINGLE_QUOTES,             /* '...': ' doubled */
    ESCAPE_SINGLE_QUOTES_BACKSLASHES, /* E'...', U&'...': ' and \ doubled */
    ESCAPE_DOUBLE_QUOTES,             /* "...": " doubled */
    ESCAPE_DOUBLE_QUOTES_BACKSLASHES, /* U&"...": " and \ doubled */
    ESCAPE_NONE,                      /* $tag$...$tag$: checked afterwards */
    ESCAPE_NO_QUOTES,                 /* B'...', X'...': PostgreSQL ends these at any quote
                                         (no '' inside), so a value may not hold one */
} Escaping;

typedef struct Subst {
    const char *src;
    size_t len;
    const JobParams *params;
    JobSql *sql;
    Error *err;
    StrBuf out;
    bool in_statement;   /* a code token of the current statement was emitted */
    size_t stmt_start;   /* output offset of its first token */
    size_t last_code_end; /* output offset just after the last code token */
} Subst;

static void emit(Subst *s, const char *p, size_t n) { strbuf_append(&s->out, p, n); }

/* Note that a code token starts at the current output offset. */
static void mark_code_start(Subst *s)
{
    if (!s->in_statement) {
        s->in_statement = true;
        s->stmt_start = s->out.len;
    }
}

static void mark_code_end(Subst *s) { s->last_code_end = s->out.len; }

static void push_statement(Subst *s, size_t end)
{
    JobSql *sql = s->sql;
    if (sql->nstatements == sql->cap_statements) {
        sql->cap_statements = sql->cap_statements ? sql->cap_statements * 2 : 16;
        sql->statements = mem_realloc(sql->statements, (size_t)sql->cap_statements * sizeof *sql->statements);
    }
    sql->statements[sql->nstatements].start = s->stmt_start;
    sql->statements[sql->nstatements].end = end;
    sql->nstatements++;
    s->in_statement = false;
}

static void push_anchor(Subst *s, size_t out_start, size_t in_start, size_t in_end)
{
    JobSql *sql = s->sql;
    if (sql->nanchors == sql->cap_anchors) {
        sql->cap_anchors = sql->cap_anchors ? sql->cap_anchors * 2 : 16;
        sql->anchors = mem_realloc(sql->anchors, (size_t)sql->cap_anchors * sizeof *sql->anchors);
    }
    sql->anchors[sql->nanchors] = (JobSqlAnchor){out_start, s->out.len, in_start, in_end};
    sql->nanchors++;
}

/* If a placeholder starts at src[i], return true with its name and end. */
static bool match_placeholder(const Subst *s, size_t i, size_t *name_start, size_t *name_len, size_t *end)
{
    const char *src = s->src;
    size_t len = s->len;
    if (i + 1 >= len || src[i] != '{' || src[i + 1] != '{') return false;
    size_t j = i + 2;
    while (j < len && (src[j] == ' ' || src[j] == '\t')) j++;
    if (j >= len || !(is_ascii_alpha((unsigned char)src[j]) || src[j] == '_')) return false;
    size_t start = j;
    while (j < len && (is_ascii_alpha((unsigned char)src[j]) || is_digit((unsigned char)src[j]) || src[j] == '_')) j++;
    size_t n = j - start;
    while (j < len && (src[j] == ' ' || src[j] == '\t')) j++;
    if (j + 1 >= len || src[j] != '}' || src[j + 1] != '}') return false;
    *name_start = start;
    *name_len = n;
    *end = j + 2;
    return true;
}

/* The value of the placeholder at src[i], or NULL after an error. */
static const char *placeholder_value(Subst *s, size_t i, size_t name_start, size_t name_len)
{
    JobParam *p = find_param(s->params, s->src + name_start, name_len);
    if (p == NULL) {
        int n = (int)(name_len > 200 ? 200 : name_len);
        error_set_at(s->err, ERR_SQL, (int)i, "unknown parameter \"%.*s\" (give it with --param %.*s=VALUE)", n,
                     s->src + name_start, n, s->src + name_start);
        return NULL;
    }
    return p->value;
}

static void emit_escaped(Subst *s, const char *value, Escaping esc)
{
    for (const char *p = value; *p; p++) {
        char c = *p;
        bool twice = false;
        switch (esc) {
        case ESCAPE_SINGLE_QUOTES: twice = c == '\''; break;
        case ESCAPE_SINGLE_QUOTES_BACKSLASHES: twice = c == '\'' || c == '\\'; break;
        case ESCAPE_DOUBLE_QUOTES: twice = c == '"'; break;
        case ESCAPE_DOUBLE_QUOTES_BACKSLASHES: twice = c == '"' || c == '\\'; break;
        case ESCAPE_NONE: break;
        case ESCAPE_NO_QUOTES: break;
        }
        strbuf_putc(&s->out, c);
        if (twice) strbuf_putc(&s->out, c);
    }
}

/* A placeholder in code: replaced by a complete, separated 'literal'. */
static bool replace_in_code(Subst *s, size_t i, size_t name_start, size_t name_len, size_t end)
{
    const char *value = placeholder_value(s, i, name_start, name_len);
    if (value == NULL) return false;
    mark_code_start(s);
    size_t out_start = s->out.len;
    if (s->out.len > 0) {
        unsigned char prev = (unsigned char)s->out.data[s->out.len - 1];
        if (is_ident_cont(prev) || prev == '&' || prev == '\'' || prev == '"') strbuf_putc(&s->out, ' ');
    }
    strbuf_putc(&s->out, '\'');
    emit_escaped(s, value, ESCAPE_SINGLE_QUOTES);
    strbuf_putc(&s->out, '\'');
    mark_code_end(s);
    if (end < s->len && (s->src[end] == '\'' || s->src[end] == '"')) strbuf_putc(&s->out, ' ');
    push_anchor(s, out_start, i, end);
    return true;
}

/* PostgreSQL continues a string literal across whitespace that holds a
 * newline ('a' <newline> 'b' is 'ab'), and the continuation keeps the first
 * part's kind: after E'...' backslashes still escape.  The gap is exactly
 * scan.l's [ \t\f]*[\n\r][ \t\n\r\f]* in the libpg_query we build with (no
 * comments, no \v; tests/fuzz/fuzz_params.c checks this against it).  Skips
 * such whitespace from src[i] (just after a closing quote) and returns where
 * it ends; *newline tells whether it held a newline, i.e. whether a quote
 * there would continue the literal. */
static size_t skip_continuation_gap(const Subst *s, size_t i, bool *newline)
{
    const char *src = s->src;
    *newline = false;
    while (i < s->len) {
        char c = src[i];
        if (c == '\n' || c == '\r') *newline = true;
        else if (c != ' ' && c != '\t' && c != '\f') break;
        i++;
    }
    return i;
}

/* Copy a quoted literal or identifier starting at the quote src[*pos],
 * substituting placeholders inside it. */
static bool copy_quoted(Subst *s, size_t *pos, char quote, bool backslash_escapes, Escaping esc)
{
    const char *src = s->src;
    size_t i = *pos;
    emit(s, &src[i], 1);
    i++;
    while (i < s->len) {
        char c = src[i];
        if (backslash_escapes && c == '\\') {
            size_t n = i + 1 < s->len ? 2 : 1;
            emit(s, &src[i], n);
            i += n;
            continue;
        }
        if (c == quote) {
            if (i + 1 < s->len && src[i + 1] == quote) {
                emit(s, &src[i], 2);
                i += 2;
                continue;
            }
            bool newline = false;
            size_t next = quote == '\'' ? skip_continuation_gap(s, i + 1, &newline) : i + 1;
            if (newline && next < s->len && src[next] == '\'') {
                /* the same literal goes on (comments in between stay as they are) */
                emit(s, &src[i], next + 1 - i);
                i = next + 1;
                continue;
            }
            size_t name_start, name_len, end;
            if (newline && next < s->len && src[next] == '{' && match_placeholder(s, next, &name_start, &name_len, &end))
                return error_set_at(s->err, ERR_SQL, (int)next,
                                    "a parameter after a string literal and a newline would continue that literal; "
                                    "put it inside the quotes");
            emit(s, &src[i], 1);
            i++;
            break;
        }
        size_t name_start, name_len, end;
        if (c == '{' && match_placeholder(s, i, &name_start, &name_len, &end)) {
            const char *value = placeholder_value(s, i, name_start, name_len);
            if (value == NULL) return false;
            if (esc == ESCAPE_NO_QUOTES && strchr(value, '\'') != NULL)
                return error_set_at(s->err, ERR_SQL, (int)i,
                                    "parameter value cannot contain a quote inside a B'...' or X'...' literal");
            size_t out_start = s->out.len;
            emit_escaped(s, value, esc);
            push_anchor(s, out_start, i, end);
            i = end;
            continue;
        }
        emit(s, &src[i], 1);
        i++;
    }
    *pos = i;
    return true;
}

/* Length of the dollar-quote delimiter ($$ or $tag$) at src[i], 0 if none. */
static size_t dollar_tag_length(const Subst *s, size_t i)
{
    const char *src = s->src;
    size_t j = i + 1;
    if (j < s->len && src[j] == '$') return 2;
    if (j >= s->len || !is_ident_start((unsigned char)src[j])) return 0;
    while (j < s->len && (is_ident_start((unsigned char)src[j]) || is_digit((unsigned char)src[j]))) j++;
    if (j < s->len && src[j] == '$') return j + 1 - i;
    return 0;
}

/* Copy a dollar-quoted string starting at src[*pos] (its delimiter is
 * tag_len bytes), substituting placeholders raw, then check that no value
 * brought the closing delimiter in early. */
static bool copy_dollar_quoted(Subst *s, size_t *pos, size_t tag_len)
{
    const char *src = s->src;
    size_t i = *pos;
    const char *tag = src + i;
    emit(s, tag, tag_len);
    i += tag_len;
    const char *close = memmem(src + i, s->len - i, tag, tag_len);
    size_t body_end = close ? (size_t)(close - src) : s->len;
    size_t body_out_start = s->out.len;
    int first_anchor = s->sql->nanchors;
    while (i < body_end) {
        size_t name_start, name_len, end;
        if (src[i] == '{' && match_placeholder(s, i, &name_start, &name_len, &end) && end <= body_end) {
            const char *value = placeholder_value(s, i, name_start, name_len);
            if (value == NULL) return false;
            size_t out_start = s->out.len;
            emit_escaped(s, value, ESCAPE_NONE);
            push_anchor(s, out_start, i, end);
            i = end;
            continue;
        }
        emit(s, &src[i], 1);
        i++;
    }
    size_t body_out_end = s->out.len;
    if (close) {
        emit(s, tag, tag_len);
        i += tag_len;
    }
    if (first_anchor < s->sql->nanchors) {
        const char *found = memmem(s->out.data + body_out_start, s->out.len - body_out_start, tag, tag_len);
        size_t at = found ? (size_t)(found - s->out.data) : SIZE_MAX;
        if (found && (!close || at != body_out_end)) {
            /* Blame the first placeholder whose value touches the early delimiter. */
            const JobSqlAnchor *blame = &s->sql->anchors[first_anchor];
            for (int k = first_anchor; k < s->sql->nanchors; k++) {
                const JobSqlAnchor *a = &s->sql->anchors[k];
                if (a->out_start <= at + tag_len && a->out_end >= at) {
                    blame = a;
                    break;
                }
            }
            return error_set_at(s->err, ERR_SQL, (int)blame->in_start,
                                "parameter value would end the dollar-quoted string early: it contains \"%.*s\"",
                                (int)tag_len, tag);
        }
    }
    *pos = i;
    return true;
}

/* Copy a block comment (they nest) starting at src[*pos]. */
static void copy_block_comment(Subst *s, size_t *pos)
{
    const char *src = s->src;
    size_t i = *pos + 2;
    int depth = 1;
    while (i < s->len && depth > 0) {
        if (src[i] == '/' && i + 1 < s->len && src[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (src[i] == '*' && i + 1 < s->len && src[i + 1] == '/') {
            depth--;
            i += 2;
        } else {
            i++;
        }
    }
    emit(s, src + *pos, i - *pos);
    *pos = i;
}

static bool substitute(Subst *s)
{
    const char *src = s->src;
    size_t len = s->len;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)src[i];
        if (c == '-' && i + 1 < len && src[i + 1] == '-') {
            size_t j = i;
            while (j < len && src[j] != '\n' && src[j] != '\r') j++; /* scan.l: a CR ends it too */
            emit(s, src + i, j - i);
            i = j;
        } else if (c == '/' && i + 1 < len && src[i + 1] == '*') {
            copy_block_comment(s, &i);
        } else if (is_space(c)) {
            emit(s, src + i, 1);
            i++;
        } else if (c == ';') {
            emit(s, src + i, 1);
            i++;
            if (s->in_statement) push_statement(s, s->out.len);
        } else if (c == '\'') {
            mark_code_start(s);
            if (!copy_quoted(s, &i, '\'', false, ESCAPE_SINGLE_QUOTES)) return false;
            mark_code_end(s);
        } else if (c == '"') {
            mark_code_start(s);
            if (!copy_quoted(s, &i, '"', false, ESCAPE_DOUBLE_QUOTES)) return false;
            mark_code_end(s);
        } else if (is_ident_start(c)) {
            /* A whole identifier or keyword; a one-letter one may prefix a literal. */
            mark_code_start(s);
            size_t j = i + 1;
            while (j < len && is_ident_cont((unsigned char)src[j])) j++;
            char first = (char)(c | 0x20);
            emit(s, src + i, j - i);
            bool ok = true;
            if (j - i == 1 && j < len && src[j] == '\'') {
                i = j;
                bool escape_string = first == 'e';
                Escaping esc = escape_string                  ? ESCAPE_SINGLE_QUOTES_BACKSLASHES
                               : first == 'b' || first == 'x' ? ESCAPE_NO_QUOTES
                                                              : ESCAPE_SINGLE_QUOTES;
                ok = copy_quoted(s, &i, '\'', escape_string, esc);
            } else if (j - i == 1 && first == 'u' && j + 1 < len && src[j] == '&' &&
                       (src[j + 1] == '\'' || src[j + 1] == '"')) {
                /* U&'...' ends like a standard string; backslashes only
                 * escape code points, doubled so a value stays itself. */
                emit(s, src + j, 1);
                i = j + 1;
                bool is_string = src[i] == '\'';
                ok = copy_quoted(s, &i, src[i], false,
                                 is_string ? ESCAPE_SINGLE_QUOTES_BACKSLASHES : ESCAPE_DOUBLE_QUOTES_BACKSLASHES);
            } else {
                i = j;
            }
            if (!ok) return false;
            mark_code_end(s);
        } else if (c == '$') {
            mark_code_start(s);
            size_t tag_len = dollar_tag_length(s, i);
            if (tag_len > 0) {
                if (!copy_dollar_quoted(s, &i, tag_len)) return false;
            } else {
                /* $1 (a parameter reference) or a lone $ */
                size_t j = i + 1;
                while (j < len && is_digit((unsigned char)src[j])) j++;
                emit(s, src + i, j - i);
                i = j;
            }
            mark_code_end(s);
        } else {
            size_t name_start, name_len, end;
            if (c == '{' && match_placeholder(s, i, &name_start, &name_len, &end)) {
                if (!replace_in_code(s, i, name_start, name_len, end)) return false;
                i = end;
                continue;
            }
            mark_code_start(s);
            emit(s, src + i, 1);
            i++;
            mark_code_end(s);
        }
    }
    if (s->in_statement) push_statement(s, s->last_code_end);
    return true;
}

bool job_sql_prepare(const char *src, size_t len, const JobParams *params, JobSql *out, Error *err)
{
    memset(out, 0, sizeof *out);
    if (len > (size_t)INT_MAX / 2) return error_set(err, ERR_SQL, "SQL text is too large (%zu bytes)", len);
    Subst s = {.src = src, .len = len, .params = params, .sql = out, .err = err, .out = STRBUF_INIT};
    strbuf_reserve(&s.out, len + 1);
    if (!substitute(&s)) {
        strbuf_free(&s.out);
        job_sql_free(out);
        return false;
    }
    out->len = s.out.len;
    out->text = strbuf_take(&s.out);
    return true;
}

size_t job_sql_original_offset(const JobSql *sql, size_t offset)
{
    /* Last anchor starting at or before offset. */
    int lo = 0, hi = sql->nanchors - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (sql->anchors[mid].out_start <= offset) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) return offset;
    const JobSqlAnchor *a = &sql->anchors[found];
    if (offset < a->out_end) return a->in_start;
    return a->in_end + (offset - a->out_end);
}

void job_sql_free(JobSql *sql)
{
    mem_free(sql->text);
    mem_free(sql->statements);
    mem_free(sql->anchors);
    memset(sql, 0, sizeof *sql);
}
