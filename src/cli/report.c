/* report: how errors reach the user on stderr.
 *
 *   kiln: SQL error at line 3, column 14: syntax error at or near "FORM"
 *   LINE 3: SELECT a FORM t
 *                    ^
 *   kiln: data.csv:14:3: invalid input syntax for type bigint: "12x"
 *   kiln: I/O error: could not open file "x.sql": No such file or directory
 *
 * Line and column count characters of the text the user wrote (the caller
 * passes the original text; job/ already mapped the offset through the
 * parameter substitution).  A very long line (minified SQL) is shown as a
 * window around the column, with "..." where it was cut. */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "common/strbuf.h"
#include "connectors/conninfo.h"
#include "job/job.h"

#define CONTEXT_LONG_LINE 200 /* longer lines are cut to a window */
#define CONTEXT_HALF_WINDOW 80

/* Append text[from, to) for display and, in caret, the whitespace that
 * reaches the same terminal column (tabs kept as tabs so they align). */
static void append_display(StrBuf *line, StrBuf *caret, const char *text, size_t from, size_t to, size_t caret_at)
{
    size_t i = from;
    while (i < to) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(to - i), &cp);
        int width;
        if (n <= 0) {
            strbuf_putc(line, '?');
            n = 1;
            width = 1;
        } else if (cp == '\t') {
            strbuf_putc(line, '\t');
            width = -1;
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            strbuf_putc(line, ' ');
            width = 1;
        } else {
            strbuf_append(line, text + i, (size_t)n);
            width = utf8proc_charwidth(cp);
            if (width < 0) width = 0;
        }
        if (i < caret_at) {
            if (width < 0) {
                strbuf_putc(caret, '\t');
            } else {
                for (int k = 0; k < width; k++) strbuf_putc(caret, ' ');
            }
        }
        i += (size_t)n;
    }
}

/* Print text[start, end), one line, with a caret under pos, psql style. */
static void print_line(const char *sql, size_t start, size_t end, size_t pos, int line_no)
{

    size_t from = start, to = end;
    if (end - start > CONTEXT_LONG_LINE) {
        if (pos > start + CONTEXT_HALF_WINDOW) from = pos - CONTEXT_HALF_WINDOW;
        if (end > pos + CONTEXT_HALF_WINDOW) to = pos + CONTEXT_HALF_WINDOW;
        /* do not cut a UTF-8 character in two */
        while (from > start && ((unsigned char)sql[from] & 0xC0) == 0x80) from--;
        while (to < end && ((unsigned char)sql[to] & 0xC0) == 0x80) to++;
    }
    StrBuf line = STRBUF_INIT, caret = STRBUF_INIT;
    strbuf_printf(&line, "LINE %d: ", line_no);
    for (size_t i = 0; i < line.len; i++) strbuf_putc(&caret, ' ');
    if (from > start) {
        strbuf_puts(&line, "...");
        strbuf_puts(&caret, "   ");
    }
    append_display(&line, &caret, sql, from, to, pos);
    if (to < end) strbuf_puts(&line, "...");
    strbuf_putc(&caret, '^');
    fprintf(stderr, "%s\n%s\n", strbuf_cstr(&line), strbuf_cstr(&caret));
    strbuf_free(&line);
    strbuf_free(&caret);
}

/* Print the line holding offset pos with a caret under it, its secrets
 * (passwords in URLs and connection strings, PASSWORD '...') shown as ***:
 * an error must not print what the job's author kept out of logs. */
static void print_context(const char *sql, size_t len, size_t pos, int line_no)
{
    if (pos > len) pos = len;
    size_t start = pos;
    while (start > 0 && sql[start - 1] != '\n') start--;
    size_t end = pos;
    while (end < len && sql[end] != '\n') end++;
    if (end > start && sql[end - 1] == '\r') end--;
    if (pos > end) pos = end;

    /* copy the line with each secret replaced, mapping the caret's offset */
    StrBuf shown = STRBUF_INIT;
    size_t shown_pos = SIZE_MAX, copied = start;
    SecretSpan spans[16];
    int n;
    while (copied < end && (n = conninfo_find_secrets(sql + copied, end - copied, spans, 16)) > 0) {
        size_t base = copied;
        for (int i = 0; i < n; i++) {
            size_t from = base + spans[i].start, to = base + spans[i].end;
            if (shown_pos == SIZE_MAX && pos < from) shown_pos = shown.len + (pos - copied);
            strbuf_append(&shown, sql + copied, from - copied);
            if (shown_pos == SIZE_MAX && pos < to) shown_pos = shown.len;
            strbuf_puts(&shown, "***");
            copied = to;
        }
    }
    if (shown_pos == SIZE_MAX) shown_pos = shown.len + (pos - copied);
    strbuf_append(&shown, sql + copied, end - copied);
    print_line(strbuf_cstr(&shown), 0, shown.len, shown_pos, line_no);
    strbuf_free(&shown);
}

void cli_report_error(const Error *err, const char *sql, size_t sql_len)
{
    cli_progress_clear();
    const char *message = err->message[0] ? err->message : "unknown error";
    if (err->file[0] != '\0') {
        if (err->line > 0 && err->column > 0) {
            fprintf(stderr, "kiln: %s:%lld:%lld: %s\n", err->file, (long long)err->line, (long long)err->column,
                    message);
        } else if (err->line > 0) {
            fprintf(stderr, "kiln: %s:%lld: %s\n", err->file, (long long)err->line, message);
        } else {
            fprintf(stderr, "kiln: %s: %s\n", err->file, message);
        }
        return;
    }
    if (err->sql_pos >= 0 && sql != NULL) {
        int line, column;
        job_line_column(sql, sql_len, (size_t)err->sql_pos, &line, &column);
        if (err->sql_pos_is_statement)
            fprintf(stderr, "kiln: %s in the statement at line %d: %s\n", error_kind_name(err->kind), line, message);
        else
            fprintf(stderr, "kiln: %s at line %d, column %d: %s\n", error_kind_name(err->kind), line, column, message);
        print_context(sql, sql_len, (size_t)err->sql_pos, line);
        return;
    }
    fprintf(stderr, "kiln: %s: %s\n", error_kind_name(err->kind), message);
}
