/* slt_parser: turns the text of a sqllogictest file into SltRecords.
 *
 * The text is split into lines (a trailing '\r' is dropped), then read
 * record by record: a directive line, then body lines up to the next blank
 * line.  skipif/onlyif lines are folded into the next record's `skip` flag;
 * loop/foreach records are matched with their endloop so the runner can jump.
 * Memory: every string and line array lives in the script's arena; only the
 * record array itself is grown with mem_realloc. */
#include "slt_parser.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"

#define MAX_DIRECTIVE_TOKENS 64
#define MAX_LOOP_DEPTH 32

typedef struct LineReader {
    char **lines;
    int nlines;
    int next;            /* index of the next unread line */
} LineReader;

typedef struct Tokens {
    char *items[MAX_DIRECTIVE_TOKENS];
    int count;
} Tokens;

static void split_lines(Arena *arena, const char *text, size_t len, LineReader *reader)
{
    int count = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            count++;
    reader->lines = arena_alloc(arena, sizeof(char *) * (size_t)count);
    reader->nlines = 0;
    reader->next = 0;
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && text[end] != '\n')
            end++;
        size_t line_len = end - start;
        if (line_len > 0 && text[start + line_len - 1] == '\r')
            line_len--;
        reader->lines[reader->nlines++] = arena_strndup(arena, text + start, line_len);
        start = end + 1;
    }
}

static bool line_is_blank(const char *line)
{
    for (; *line; line++)
        if (!isspace((unsigned char)*line))
            return false;
    return true;
}

static bool line_is_comment(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '#';
}

/* Split a directive line on blanks (the copy is modified in place). */
static void tokenize(Arena *arena, const char *line, Tokens *tokens)
{
    char *copy = arena_strdup(arena, line);
    tokens->count = 0;
    char *p = copy;
    while (*p && tokens->count < MAX_DIRECTIVE_TOKENS) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        tokens->items[tokens->count++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* Read lines up to a blank line or (when stop_at_dashes) a "----" line; joins
 * them with '\n'.  Returns NULL when there were none.  *saw_dashes tells
 * whether the body stopped at "----" (which is consumed). */
static char *read_block(Arena *arena, LineReader *reader, bool stop_at_dashes, bool *saw_dashes)
{
    StrBuf text = STRBUF_INIT;
    bool any = false;
    *saw_dashes = false;
    while (reader->next < reader->nlines) {
        const char *line = reader->lines[reader->next];
        if (line_is_blank(line))
            break;
        reader->next++;
        if (stop_at_dashes && strcmp(line, "----") == 0) {
            *saw_dashes = true;
            break;
        }
        if (any)
            strbuf_putc(&text, '\n');
        strbuf_puts(&text, line);
        any = true;
    }
    char *result = any ? arena_strdup(arena, strbuf_cstr(&text)) : NULL;
    strbuf_free(&text);
    return result;
}

/* Collect the lines up to the next blank line (expected results). */
static void read_result_lines(Arena *arena, LineReader *reader, char ***lines_out, int *count_out)
{
    int first = reader->next;
    while (reader->next < reader->nlines && !line_is_blank(reader->lines[reader->next]))
        reader->next++;
    int count = reader->next - first;
    char **lines = arena_alloc(arena, sizeof(char *) * (size_t)(count > 0 ? count : 1));
    for (int i = 0; i < count; i++)
        lines[i] = reader->lines[first + i];
    *lines_out = lines;
    *count_out = count;
}

static bool parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return false;
    *out = value;
    return true;
}

static SltRecord *add_record(SltScript *script)
{
    if (script->nrecords == script->cap_records) {
        script->cap_records = script->cap_records ? script->cap_records * 2 : 32;
        script->records = mem_realloc(script->records, sizeof(SltRecord) * (size_t)script->cap_records);
    }
    SltRecord *record = &script->records[script->nrecords++];
    memset(record, 0, sizeof *record);
    return record;
}

static bool parse_fail(Error *err, const char *path, int line, const char *message, const char *detail)
{
    return error_set(err, ERR_USAGE, "%s:%d: %s%s%s", path, line, message, detail ? ": " : "", detail ? detail : "");
}

static bool parse_statement(SltScript *script, LineReader *reader, const Tokens *tokens, SltRecord *record,
                            const char *path, Error *err)
{
    if (tokens->count < 2 || (strcmp(tokens->items[1], "ok") != 0 && strcmp(tokens->items[1], "error") != 0))
        return parse_fail(err, path, record->line, "expected \"statement ok\" or \"statement error\"", NULL);
    record->kind = strcmp(tokens->items[1], "ok") == 0 ? SLT_STATEMENT_OK : SLT_STATEMENT_ERROR;
    bool saw_dashes;
    record->sql = read_block(&script->arena, reader, true, &saw_dashes);
    if (!record->sql)
        return parse_fail(err, path, record->line, "statement without SQL", NULL);
    if (saw_dashes) {
        if (record->kind == SLT_STATEMENT_OK)
            return parse_fail(err, path, record->line, "\"statement ok\" cannot have a \"----\" result block", NULL);
        bool ignored;
        record->error_substring = read_block(&script->arena, reader, false, &ignored);
    }
    return true;
}

static bool parse_query(SltScript *script, LineReader *reader, const Tokens *tokens, SltRecord *record,
                        const char *path, Error *err)
{
    record->kind = SLT_QUERY;
    if (tokens->count < 2)
        return parse_fail(err, path, record->line, "query without a type string", NULL);
    record->types = arena_strdup(&script->arena, tokens->items[1]);
    for (const char *t = record->types; *t; t++)
        if (!isalpha((unsigned char)*t))
            return parse_fail(err, path, record->line, "bad type string", record->types);
    int next_token = 2;
    if (tokens->count > next_token) {
        const char *mode = tokens->items[next_token];
        if (strcmp(mode, "nosort") == 0) {
            record->sort = SLT_SORT_NONE;
            next_token++;
        } else if (strcmp(mode, "rowsort") == 0) {
            record->sort = SLT_SORT_ROWS;
            next_token++;
        } else if (strcmp(mode, "valuesort") == 0) {
            record->sort = SLT_SORT_VALUES;
            next_token++;
        }
    }
    if (tokens->count > next_token)
        record->label = arena_strdup(&script->arena, tokens->items[next_token++]);
    if (tokens->count > next_token)
        return parse_fail(err, path, record->line, "unexpected word after the query label", tokens->items[next_token]);
    record->sql = read_block(&script->arena, reader, true, &record->has_expected);
    if (!record->sql)
        return parse_fail(err, path, record->line, "query without SQL", NULL);
    if (record->has_expected)
        read_result_lines(&script->arena, reader, &record->expected_lines, &record->nexpected_lines);
    return true;
}

static bool parse_loop(SltScript *script, const Tokens *tokens, SltRecord *record, const char *path, Error *err)
{
    record->kind = SLT_LOOP;
    bool is_foreach = strcmp(tokens->items[0], "foreach") == 0;
    if (tokens->count < 3 || (!is_foreach && tokens->count != 4))
        return parse_fail(err, path, record->line,
                          is_foreach ? "expected \"foreach VAR value...\"" : "expected \"loop VAR START END\"", NULL);
    record->loop_var = arena_strdup(&script->arena, tokens->items[1]);
    if (is_foreach) {
        record->nloop_values = tokens->count - 2;
        record->loop_values = arena_alloc(&script->arena, sizeof(char *) * (size_t)record->nloop_values);
        for (int i = 0; i < record->nloop_values; i++)
            record->loop_values[i] = arena_strdup(&script->arena, tokens->items[i + 2]);
        return true;
    }
    if (!parse_long(tokens->items[2], &record->loop_start) || !parse_long(tokens->items[3], &record->loop_end))
        return parse_fail(err, path, record->line, "loop bounds must be integers", NULL);
    return true;
}

/* Parse one directive (the reader is past its line) into a new record. */
static bool parse_directive(SltScript *script, LineReader *reader, const Tokens *tokens, int line, bool skip,
                            int *loop_stack, int *loop_depth, const char *path, Error *err)
{
    const char *word = tokens->items[0];
    SltRecord *record = add_record(script);
    record->line = line;
    record->skip = skip;
    if (strcmp(word, "statement") == 0)
        return parse_statement(script, reader, tokens, record, path, err);
    if (strcmp(word, "query") == 0)
        return parse_query(script, reader, tokens, record, path, err);
    if (strcmp(word, "hash-threshold") == 0) {
        record->kind = SLT_HASH_THRESHOLD;
        if (tokens->count != 2 || !parse_long(tokens->items[1], &record->hash_threshold) || record->hash_threshold < 0)
            return parse_fail(err, path, line, "expected \"hash-threshold N\"", NULL);
        return true;
    }
    if (strcmp(word, "halt") == 0) {
        record->kind = SLT_HALT;
        return true;
    }
    if (strcmp(word, "mode") == 0) {
        if (tokens->count == 2 && strcmp(tokens->items[1], "skip") == 0)
            record->kind = SLT_MODE_SKIP;
        else if (tokens->count == 2 && strcmp(tokens->items[1], "unskip") == 0)
            record->kind = SLT_MODE_UNSKIP;
        else
            return parse_fail(err, path, line, "expected \"mode skip\" or \"mode unskip\"", NULL);
        return true;
    }
    if (strcmp(word, "require") == 0) {
        record->kind = SLT_REQUIRE;
        if (tokens->count < 2)
            return parse_fail(err, path, line, "require without a feature", NULL);
        record->feature = arena_strdup(&script->arena, tokens->items[1]);
        return true;
    }
    if (strcmp(word, "loop") == 0 || strcmp(word, "foreach") == 0) {
        if (*loop_depth == MAX_LOOP_DEPTH)
            return parse_fail(err, path, line, "loops nested too deeply", NULL);
        loop_stack[(*loop_depth)++] = script->nrecords - 1;
        return parse_loop(script, tokens, record, path, err);
    }
    if (strcmp(word, "endloop") == 0) {
        record->kind = SLT_ENDLOOP;
        if (*loop_depth == 0)
            return parse_fail(err, path, line, "endloop without loop", NULL);
        script->records[loop_stack[--(*loop_depth)]].loop_end_index = script->nrecords - 1;
        return true;
    }
    return parse_fail(err, path, line, "unknown directive", word);
}

bool slt_parse(const char *path, const char *text, size_t len, SltScript *script, Error *err)
{
    memset(script, 0, sizeof *script);
    arena_init(&script->arena, 0);
    LineReader reader;
    split_lines(&script->arena, text, len, &reader);

    bool skip_next = false;
    int loop_stack[MAX_LOOP_DEPTH];
    int loop_depth = 0;
    while (reader.next < reader.nlines) {
        const char *line = reader.lines[reader.next];
        int line_number = reader.next + 1;
        reader.next++;
        if (line_is_blank(line) || line_is_comment(line))
            continue;
        Tokens tokens;
        tokenize(&script->arena, line, &tokens);
        const char *word = tokens.items[0];
        if (strcmp(word, "skipif") == 0 || strcmp(word, "onlyif") == 0) {
            if (tokens.count < 2)
                return parse_fail(err, path, line_number, "condition without an engine name", NULL);
            bool names_us = strcmp(tokens.items[1], SLT_ENGINE_NAME) == 0;
            if (word[0] == 's' ? names_us : !names_us)
                skip_next = true;
            continue;
        }
        if (!parse_directive(script, &reader, &tokens, line_number, skip_next, loop_stack, &loop_depth, path, err))
            return false;
        skip_next = false;
    }
    if (loop_depth > 0)
        return parse_fail(err, path, script->records[loop_stack[loop_depth - 1]].line, "loop without endloop", NULL);
    return true;
}

void slt_script_free(SltScript *script)
{
    mem_free(script->records);
    script->records = NULL;
    script->nrecords = script->cap_records = 0;
    arena_destroy(&script->arena);
}
