/* commit_record: JSON writing and parsing of commit records (see
 * commit_record.h).
 *
 * Writing appends to a StrBuf with json_append_string for every string, so
 * any bytes in a path or a job name give valid JSON.  Parsing is a small
 * recursive descent over the record's fixed shape (an object of scalars and
 * three arrays of flat objects), built on json_text's validating scanners;
 * values of unknown keys are scanned and skipped.  Nesting is at most three
 * levels, plus whatever "params" holds, which is scanned (depth-limited)
 * and kept as text. */
#include "lake/commit_record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "formats/json/json_text.h"

/* ---- lists ---- */

LakeFileEntry *lake_file_list_add(LakeFileList *list)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->items = mem_realloc(list->items, (size_t)list->cap * sizeof *list->items);
    }
    LakeFileEntry *e = &list->items[list->count++];
    memset(e, 0, sizeof *e);
    return e;
}

static char *dup_or_null(const char *s)
{
    return s ? mem_strdup(s) : NULL;
}

void lake_file_list_add_copy(LakeFileList *list, const LakeFileEntry *src)
{
    LakeFileEntry *e = lake_file_list_add(list);
    e->path = dup_or_null(src->path);
    e->partition = dup_or_null(src->partition);
    e->rows = src->rows;
    e->bytes = src->bytes;
    e->checksum = dup_or_null(src->checksum);
    e->staged = dup_or_null(src->staged);
    e->token = dup_or_null(src->token);
    e->run_id = dup_or_null(src->run_id);
    e->job = dup_or_null(src->job);
    e->params_json = dup_or_null(src->params_json);
}

void lake_file_entry_free(LakeFileEntry *e)
{
    mem_free(e->path);
    mem_free(e->partition);
    mem_free(e->checksum);
    mem_free(e->staged);
    mem_free(e->token);
    mem_free(e->run_id);
    mem_free(e->job);
    mem_free(e->params_json);
    memset(e, 0, sizeof *e);
}

void lake_file_list_free(LakeFileList *list)
{
    for (int i = 0; i < list->count; i++) lake_file_entry_free(&list->items[i]);
    mem_free(list->items);
    memset(list, 0, sizeof *list);
}

void lake_file_list_totals(const LakeFileList *list, int64_t *rows, int64_t *bytes)
{
    *rows = *bytes = 0;
    for (int i = 0; i < list->count; i++) {
        *rows += list->items[i].rows;
        *bytes += list->items[i].bytes;
    }
}

void commit_record_free(CommitRecord *r)
{
    mem_free(r->run_id);
    mem_free(r->mode);
    mem_free(r->job);
    mem_free(r->params_json);
    mem_free(r->logical_date);
    mem_free(r->started_at);
    mem_free(r->committed_at);
    mem_free(r->kiln_version);
    lake_file_list_free(&r->added);
    lake_file_list_free(&r->removed);
    lake_file_list_free(&r->live);
    memset(r, 0, sizeof *r);
}

/* ---- writing ---- */

static void put_key(StrBuf *out, const char *key, bool *first)
{
    if (!*first) strbuf_puts(out, ", ");
    *first = false;
    json_append_string(out, key, strlen(key));
    strbuf_puts(out, ": ");
}

static void put_string(StrBuf *out, const char *key, const char *value, bool *first)
{
    put_key(out, key, first);
    if (value) json_append_string(out, value, strlen(value));
    else strbuf_puts(out, "null");
}

static void put_int(StrBuf *out, const char *key, int64_t value, bool *first)
{
    put_key(out, key, first);
    strbuf_printf(out, "%" PRId64, value);
}

/* params are JSON text already (checked by lake_txn_begin): kept as they are. */
static void put_raw(StrBuf *out, const char *key, const char *json, bool *first)
{
    put_key(out, key, first);
    strbuf_puts(out, json ? json : "null");
}

static void put_entry(StrBuf *out, const LakeFileEntry *e)
{
    bool first = true;
    strbuf_putc(out, '{');
    put_string(out, "path", e->path, &first);
    put_string(out, "partition", e->partition ? e->partition : "", &first);
    put_int(out, "rows", e->rows, &first);
    put_int(out, "bytes", e->bytes, &first);
    if (e->checksum) put_string(out, "checksum", e->checksum, &first);
    if (e->staged) put_string(out, "staged", e->staged, &first);
    if (e->token) put_string(out, "token", e->token, &first);
    if (e->run_id) put_string(out, "run_id", e->run_id, &first);
    if (e->job) put_string(out, "job", e->job, &first);
    if (e->params_json) put_raw(out, "params", e->params_json, &first);
    strbuf_putc(out, '}');
}

static void put_list(StrBuf *out, const char *key, const LakeFileList *list, bool *first)
{
    put_key(out, key, first);
    strbuf_putc(out, '[');
    for (int i = 0; i < list->count; i++) {
        strbuf_puts(out, i ? ",\n  " : "\n  ");
        put_entry(out, &list->items[i]);
    }
    strbuf_puts(out, list->count ? "\n]" : "]");
}

void commit_record_to_json(const CommitRecord *r, StrBuf *out)
{
    bool first = true;
    strbuf_putc(out, '{');
    put_int(out, "format", COMMIT_RECORD_FORMAT, &first);
    put_int(out, "version", r->version, &first);
    put_string(out, "run_id", r->run_id, &first);
    put_string(out, "mode", r->mode, &first);
    put_string(out, "job", r->job, &first);
    put_raw(out, "params", r->params_json, &first);
    put_string(out, "logical_date", r->logical_date, &first);
    put_string(out, "started_at", r->started_at, &first);
    put_string(out, "committed_at", r->committed_at, &first);
    put_string(out, "kiln_version", r->kiln_version, &first);
    strbuf_putc(out, '\n');
    put_list(out, "added", &r->added, &first);
    strbuf_putc(out, '\n');
    put_list(out, "removed", &r->removed, &first);
    strbuf_putc(out, '\n');
    put_list(out, "live", &r->live, &first);
    strbuf_puts(out, "}\n");
}

/* ---- parsing ---- */

typedef struct Parser {
    const char *start, *p, *end;
    const char *source;
    Error *err;
} Parser;

static bool corrupt(Parser *ps, const char *at, const char *what)
{
    return error_set(ps->err, ERR_DATA, "commit record \"%s\" is corrupt: %s (at byte %ld)", ps->source, what,
                     (long)(at - ps->start) + 1);
}

static void skip_ws(Parser *ps)
{
    ps->p = json_skip_ws(ps->p, ps->end);
}

static bool expect(Parser *ps, char c, const char *what)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != c) return corrupt(ps, ps->p, what);
    ps->p++;
    return true;
}

static bool at_null(Parser *ps)
{
    skip_ws(ps);
    if (ps->end - ps->p >= 4 && memcmp(ps->p, "null", 4) == 0) {
        ps->p += 4;
        return true;
    }
    return false;
}

static bool parse_string(Parser *ps, char **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') return corrupt(ps, ps->p, "expected a string");
    const char *end;
    bool escapes;
    JsonProblem problem;
    if (!json_scan_string(ps->p, ps->end, &end, &escapes, &problem)) return corrupt(ps, problem.at, problem.message);
    StrBuf sb = STRBUF_INIT;
    json_unescape(ps->p + 1, end - 1, &sb);
    mem_free(*out); /* a repeated key keeps the last value */
    *out = strbuf_take(&sb);
    if (*out == NULL) *out = mem_strdup("");
    ps->p = end;
    return true;
}

static bool parse_string_or_null(Parser *ps, char **out)
{
    if (at_null(ps)) {
        mem_free(*out);
        *out = NULL;
        return true;
    }
    return parse_string(ps, out);
}

static bool parse_int(Parser *ps, int64_t *out)
{
    skip_ws(ps);
    const char *end;
    bool is_integer;
    JsonProblem problem;
    if (ps->p >= ps->end || !json_scan_number(ps->p, ps->end, &end, &is_integer, &problem) || !is_integer)
        return corrupt(ps, ps->p, "expected an integer");
    char buf[32];
    size_t n = (size_t)(end - ps->p);
    if (n >= sizeof buf) return corrupt(ps, ps->p, "integer out of range");
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    long long v = strtoll(buf, &stop, 10);
    if (errno || *stop) return corrupt(ps, ps->p, "integer out of range");
    *out = v;
    ps->p = end;
    return true;
}

/* Scan any value; with out, keep its JSON text (NULL for null). */
static bool parse_raw(Parser *ps, char **out)
{
    skip_ws(ps);
    JsonKind kind;
    const char *end;
    JsonProblem problem;
    if (!json_scan_value(ps->p, ps->end, JSON_DEFAULT_MAX_DEPTH, &kind, &end, &problem))
        return corrupt(ps, problem.at ? problem.at : ps->p, problem.message);
    if (out) {
        mem_free(*out);
        *out = kind == JSON_NULL ? NULL : mem_strndup(ps->p, (size_t)(end - ps->p));
    }
    ps->p = end;
    return true;
}

/* Calls member(ps, key, ctx) for each key of the object at ps->p. */
typedef bool (*MemberFn)(Parser *ps, const char *key, void *ctx);

static bool parse_object(Parser *ps, MemberFn member, void *ctx)
{
    if (!expect(ps, '{', "expected an object")) return false;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return true;
    }
    for (;;) {
        char *key = NULL;
        if (!parse_string(ps, &key)) return false;
        bool ok = expect(ps, ':', "expected ':'") && member(ps, key, ctx);
        mem_free(key);
        if (!ok) return false;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return true;
        }
        if (!expect(ps, ',', "expected ',' or '}' in an object")) return false;
    }
}

/* Note that a required field was seen (for `return mark(...) && parse(...)`). */
static bool mark(int *seen, int bit)
{
    *seen |= bit;
    return true;
}

/* Which fields an entry must have, to check after parsing it. */
enum { HAS_PATH = 1, HAS_PARTITION = 2, HAS_ROWS = 4, HAS_BYTES = 8 };

typedef struct EntryCtx {
    LakeFileEntry *e;
    int seen;
} EntryCtx;

static bool entry_member(Parser *ps, const char *key, void *ctx)
{
    EntryCtx *ec = ctx;
    LakeFileEntry *e = ec->e;
    if (strcmp(key, "path") == 0) return mark(&ec->seen, HAS_PATH) && parse_string(ps, &e->path);
    if (strcmp(key, "partition") == 0) return mark(&ec->seen, HAS_PARTITION) && parse_string(ps, &e->partition);
    if (strcmp(key, "rows") == 0) return mark(&ec->seen, HAS_ROWS) && parse_int(ps, &e->rows);
    if (strcmp(key, "bytes") == 0) return mark(&ec->seen, HAS_BYTES) && parse_int(ps, &e->bytes);
    if (strcmp(key, "checksum") == 0) return parse_string_or_null(ps, &e->checksum);
    if (strcmp(key, "staged") == 0) return parse_string_or_null(ps, &e->staged);
    if (strcmp(key, "token") == 0) return parse_string_or_null(ps, &e->token);
    if (strcmp(key, "run_id") == 0) return parse_string_or_null(ps, &e->run_id);
    if (strcmp(key, "job") == 0) return parse_string_or_null(ps, &e->job);
    if (strcmp(key, "params") == 0) return parse_raw(ps, &e->params_json);
    return parse_raw(ps, NULL);
}

static bool parse_list(Parser *ps, LakeFileList *list, bool needs_token)
{
    lake_file_list_free(list); /* a repeated key keeps the last value */
    if (!expect(ps, '[', "expected an array of files")) return false;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return true;
    }
    for (;;) {
        const char *at = json_skip_ws(ps->p, ps->end);
        EntryCtx ec = {lake_file_list_add(list), 0};
        if (!parse_object(ps, entry_member, &ec)) return false;
        if (ec.seen != (HAS_PATH | HAS_PARTITION | HAS_ROWS | HAS_BYTES))
            return corrupt(ps, at, "a file lacks one of path, partition, rows, bytes");
        if (needs_token && ec.e->staged == NULL && ec.e->token == NULL)
            return corrupt(ps, at, "an added file has no staged name or token");
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return true;
        }
        if (!expect(ps, ',', "expected ',' or ']' in an array")) return false;
    }
}

enum { HAS_VERSION = 1, HAS_RUN_ID = 2, HAS_MODE = 4, HAS_ADDED = 8, HAS_REMOVED = 16, HAS_LIVE = 32 };

typedef struct RecordCtx {
    CommitRecord *r;
    int seen;
    int64_t format;
} RecordCtx;

static bool record_member(Parser *ps, const char *key, void *ctx)
{
    RecordCtx *rc = ctx;
    CommitRecord *r = rc->r;
    if (strcmp(key, "format") == 0) {
        if (!parse_int(ps, &rc->format)) return false;
        if (rc->format > COMMIT_RECORD_FORMAT)
            return error_set(ps->err, ERR_DATA,
                             "commit record \"%s\" has format %" PRId64 ", written by a newer kiln (this one reads %d)",
                             ps->source, rc->format, COMMIT_RECORD_FORMAT);
        return true;
    }
    if (strcmp(key, "version") == 0) return mark(&rc->seen, HAS_VERSION) && parse_int(ps, &r->version);
    if (strcmp(key, "run_id") == 0) return mark(&rc->seen, HAS_RUN_ID) && parse_string(ps, &r->run_id);
    if (strcmp(key, "mode") == 0) return mark(&rc->seen, HAS_MODE) && parse_string(ps, &r->mode);
    if (strcmp(key, "job") == 0) return parse_string_or_null(ps, &r->job);
    if (strcmp(key, "params") == 0) return parse_raw(ps, &r->params_json);
    if (strcmp(key, "logical_date") == 0) return parse_string_or_null(ps, &r->logical_date);
    if (strcmp(key, "started_at") == 0) return parse_string_or_null(ps, &r->started_at);
    if (strcmp(key, "committed_at") == 0) return parse_string_or_null(ps, &r->committed_at);
    if (strcmp(key, "kiln_version") == 0) return parse_string_or_null(ps, &r->kiln_version);
    if (strcmp(key, "added") == 0) return mark(&rc->seen, HAS_ADDED) && parse_list(ps, &r->added, true);
    if (strcmp(key, "removed") == 0) return mark(&rc->seen, HAS_REMOVED) && parse_list(ps, &r->removed, false);
    if (strcmp(key, "live") == 0) return mark(&rc->seen, HAS_LIVE) && parse_list(ps, &r->live, false);
    return parse_raw(ps, NULL);
}

bool commit_record_parse(const char *text, size_t n, const char *source, CommitRecord *out, Error *err)
{
    memset(out, 0, sizeof *out);
    Parser ps = {text, text, text + n, source, err};
    RecordCtx rc = {out, 0, 1};
    bool ok = parse_object(&ps, record_member, &rc);
    if (ok) {
        skip_ws(&ps);
        if (ps.p != ps.end) ok = corrupt(&ps, ps.p, "text after the record");
    }
    if (ok && rc.seen != (HAS_VERSION | HAS_RUN_ID | HAS_MODE | HAS_ADDED | HAS_REMOVED | HAS_LIVE))
        ok = corrupt(&ps, text, "a field (version, run_id, mode, added, removed or live) is missing");
    if (ok && out->version < 1) ok = corrupt(&ps, text, "version must be at least 1");
    if (!ok) commit_record_free(out);
    return ok;
}
