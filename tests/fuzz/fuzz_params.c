/* fuzz_params: libFuzzer target for job parameter substitution and statement
 * splitting (src/job/params.h), with PostgreSQL's own scanner as the oracle.
 *
 *   scripts/fuzz.sh 60 params
 *
 * Input: VALUE 0xFF TEXT (no 0xFF: all of it is TEXT and VALUE is empty).
 * TEXT is a job with {{ p }} placeholders (and {{ q }}, which stays unset);
 * VALUE (cut at its first NUL, as command-line values are C strings) is the
 * hostile value of p.  The text is prepared twice: with p = VALUE and with
 * p = "x", a harmless value.
 *
 * Checks, beyond "no crash, leak or sanitizer report":
 *   - injection safety: when both results scan (pg_query_scan), they have
 *     exactly the same sequence of token kinds, i.e. no value changes the
 *     shape of the SQL, whatever it holds;
 *   - statement splitting: a statement ends at a ';' only where PostgreSQL's
 *     scanner sees a ';' token, and no ';' token lies inside a statement;
 *     statements are ordered, disjoint and inside the text;
 *   - the position map: every output offset maps into the input, in order;
 *   - an error carries a position inside the input. */
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "job/params.h"

#define FAIL(...)                                                                                       \
    do {                                                                                                \
        fprintf(stderr, __VA_ARGS__);                                                                   \
        fputc('\n', stderr);                                                                            \
        abort();                                                                                        \
    } while (0)

/* Token kinds of text (and the end offsets of its ';' tokens in semis, 1 =
 * a ';' ends at that offset), or NULL if the scanner rejects it. */
static PgQuery__ScanResult *scan(const char *text)
{
    PgQueryScanResult r = pg_query_scan(text);
    PgQuery__ScanResult *out = NULL;
    if (r.error == NULL)
        out = pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    pg_query_free_scan_result(r);
    return out;
}

static void check_structure(const JobSql *sql, size_t in_len)
{
    size_t prev_end = 0;
    for (int i = 0; i < sql->nstatements; i++) {
        const JobSqlStatement *st = &sql->statements[i];
        if (st->start < prev_end || st->end < st->start || st->end > sql->len)
            FAIL("statement %d [%zu, %zu) out of order or outside the text (%zu bytes)", i, st->start, st->end,
                 sql->len);
        prev_end = st->end;
    }
    size_t prev = 0;
    for (size_t k = 0; k <= sql->len; k++) {
        size_t o = job_sql_original_offset(sql, k);
        if (o > in_len) FAIL("output offset %zu maps to %zu, past the input (%zu bytes)", k, o, in_len);
        if (o < prev) FAIL("output offset %zu maps to %zu, before offset %zu's %zu", k, o, k - 1, prev);
        prev = o;
    }
    if (strlen(sql->text) != sql->len) FAIL("text has a NUL inside or a wrong length");
}

/* Every ';' token ends a statement or lies outside all statements; every
 * statement that ends with ';' ends at a ';' token. */
static void check_split(const JobSql *sql, const PgQuery__ScanResult *tokens)
{
    uint8_t *semi = mem_calloc(sql->len + 1, 1);
    for (size_t t = 0; t < tokens->n_tokens; t++)
        if (tokens->tokens[t]->token == PG_QUERY__TOKEN__ASCII_59) semi[tokens->tokens[t]->start] = 1;
    for (int i = 0; i < sql->nstatements; i++) {
        const JobSqlStatement *st = &sql->statements[i];
        for (size_t p = st->start; p + 1 < st->end; p++)
            if (semi[p]) FAIL("statement %d [%zu, %zu) holds a ';' token at %zu:\n%s", i, st->start, st->end, p, sql->text);
        if (st->end > st->start && sql->text[st->end - 1] == ';' && !semi[st->end - 1])
            FAIL("statement %d ends at a ';' that is not a token (offset %zu):\n%s", i, st->end - 1, sql->text);
    }
    mem_free(semi);
}

static bool prepare(const char *text, size_t len, const char *value, JobSql *out, Error *err)
{
    JobParams params;
    job_params_init(&params);
    if (!job_params_set(&params, "p", value, err)) abort();
    memset(out, 0, sizeof *out);
    bool ok = job_sql_prepare(text, len, &params, out, err);
    job_params_free(&params);
    if (!ok && (err->sql_pos < 0 || (size_t)err->sql_pos > len))
        FAIL("error position %d outside the text (%zu bytes): %s", err->sql_pos, len, err->message);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t value_len = sep ? (size_t)(sep - data) : 0;
    const char *text = sep ? (const char *)sep + 1 : (const char *)data;
    size_t text_len = sep ? size - value_len - 1 : size;
    if (memchr(text, '\0', text_len)) return -1; /* jobs never hold NULs (job_load_text refuses them) */
    char *value = mem_strndup((const char *)data, value_len);

    JobSql hostile, harmless;
    Error err = ERROR_INIT, err2 = ERROR_INIT;
    bool ok_hostile = prepare(text, text_len, value, &hostile, &err);
    bool ok_harmless = prepare(text, text_len, "x", &harmless, &err2);
    if (ok_hostile) check_structure(&hostile, text_len);
    if (ok_harmless) check_structure(&harmless, text_len);

    if (ok_hostile && ok_harmless) {
        PgQuery__ScanResult *a = scan(hostile.text);
        PgQuery__ScanResult *b = scan(harmless.text);
        if (a && b) {
            bool same = a->n_tokens == b->n_tokens;
            for (size_t t = 0; same && t < a->n_tokens; t++) same = a->tokens[t]->token == b->tokens[t]->token;
            if (!same)
                FAIL("the value changed the SQL's tokens (%zu vs %zu tokens):\nwith the value:\n%s\nwith \"x\":\n%s",
                     a->n_tokens, b->n_tokens, hostile.text, harmless.text);
        }
        if (a) check_split(&hostile, a);
        if (b) check_split(&harmless, b);
        if (a) pg_query__scan_result__free_unpacked(a, NULL);
        if (b) pg_query__scan_result__free_unpacked(b, NULL);
    }
    job_sql_free(&hostile);
    job_sql_free(&harmless);
    mem_free(value);
    return 0;
}
