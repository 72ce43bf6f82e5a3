/* parser: libpg_query to protobuf-c parse trees (see parser.h). */
#include "sql/parser.h"

#include <string.h>

bool sql_parse(const char *sql, ParsedScript *out, Error *err)
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
    return true;
}

void sql_parse_free(ParsedScript *script)
{
    if (script->tree) pg_query__parse_result__free_unpacked(script->tree, NULL);
    script->tree = NULL;
}
