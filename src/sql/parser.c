/* parser: libpg_query to protobuf-c parse trees (see parser.h).
 *
 * Deeply nested statements (`1+1+1+...` with 100000 terms) would recurse
 * past any stack in libpg_query's tree output and in the binder, so the
 * session runs statements on a thread with a large stack (session.c) and
 * the parser refuses trees nested more than SQL_MAX_DEPTH levels, as
 * PostgreSQL does with "stack depth limit exceeded". */
#include "sql/parser.h"

#include <pthread.h>
#include <string.h>

/* Nesting depth of a protobuf message tree, stopping early past limit. */
static int message_depth(const ProtobufCMessage *m, int depth, int limit)
{
    if (m == NULL || depth > limit) return depth;
    int deepest = depth;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned f = 0; f < d->n_fields && deepest <= limit; f++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[f];
        if (fd->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        const char *base = (const char *)m + fd->offset;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + fd->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)base;
            for (size_t i = 0; i < n && deepest <= limit; i++) {
                int dd = message_depth(items[i], depth + 1, limit);
                if (dd > deepest) deepest = dd;
            }
        } else {
            if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
                /* only the member the case field names is set */
                uint32_t which = *(const uint32_t *)((const char *)m + fd->quantifier_offset);
                if (which != fd->id) continue;
            }
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *)base;
            int dd = message_depth(sub, depth + 1, limit);
            if (dd > deepest) deepest = dd;
        }
    }
    return deepest;
}

static bool parse_on_this_stack(const char *sql, ParsedScript *out, Error *err);

typedef struct ParseJob {
    const char *sql;
    ParsedScript *out;
    Error *err;
    bool ok;
} ParseJob;

static void *parse_thread(void *arg)
{
    ParseJob *job = arg;
    job->ok = parse_on_this_stack(job->sql, job->out, job->err);
    return NULL;
}

/* libpg_query's tree output and protobuf's unpacking recurse once per level
 * of nesting: parse on a thread whose stack (reserved, not committed) is far
 * deeper than any statement the depth limit lets through. */
#define PARSE_STACK_BYTES ((size_t)512 << 20)

bool sql_parse(const char *sql, ParsedScript *out, Error *err)
{
    ParseJob job = {sql, out, err, false};
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, PARSE_STACK_BYTES) == 0 &&
        pthread_create(&thread, &attr, parse_thread, &job) == 0) {
        pthread_attr_destroy(&attr);
        pthread_join(thread, NULL);
        return job.ok;
    }
    pthread_attr_destroy(&attr);
    return parse_on_this_stack(sql, out, err); /* no thread: parse here */
}

static bool parse_on_this_stack(const char *sql, ParsedScript *out, Error *err)
{
    out->tree = NULL;
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    if (r.error) {
        /* cursorpos is 1-based; 0 means "no position" (e.g. end of input) */
        int pos = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : (int)strlen(sql);
        error_set_at(err, ERR_SQL, pos, "%s", r.error->message);
        pg_query_free_protobuf_parse_result(r);
        return false;
    }
    out->tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    if (out->tree == NULL) return error_set(err, ERR_INTERNAL, "could not decode the parse tree");
    if (message_depth(&out->tree->base, 0, SQL_MAX_DEPTH) > SQL_MAX_DEPTH) {
        sql_parse_free(out);
        return error_set_at(err, ERR_SQL, 0,
                            "stack depth limit exceeded: the statement nests expressions more than %d levels deep",
                            SQL_MAX_DEPTH);
    }
    return true;
}

void sql_parse_free(ParsedScript *script)
{
    if (script->tree) pg_query__parse_result__free_unpacked(script->tree, NULL);
    script->tree = NULL;
}
