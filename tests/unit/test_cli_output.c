/* Unit tests of the command line's result printing: JSON string escaping,
 * table cells, and the printer sinks fed with batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "types/batch.h"
#include "unit.h"

static char *json_of(const char *s, size_t n)
{
    StrBuf sb = STRBUF_INIT;
    cli_json_append_string(&sb, s, n);
    return strbuf_take(&sb);
}

TEST(cli_json_escapes_controls_and_bad_utf8)
{
    char *j = json_of("a\"b\\c\n\t\x01\x7f", 9);
    CHECK_EQ_STR(j, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
    mem_free(j);
    j = json_of("\xC3\xA9\xE2\x80\xA8", 5); /* é, U+2028 */
    CHECK_EQ_STR(j, "\"\xC3\xA9\\u2028\"");
    mem_free(j);
    j = json_of("x\xFFy\xC0\xAF\xED\xA0\x80", 8); /* invalid byte, overlong '/', surrogate */
    CHECK_EQ_STR(j, "\"x\\ufffdy\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
    mem_free(j);
    j = json_of("a\0b", 3);
    CHECK_EQ_STR(j, "\"a\\u0000b\"");
    mem_free(j);
}

TEST(cli_table_cells_stay_on_one_line)
{
    StrBuf sb = STRBUF_INIT;
    size_t w = cli_table_append_cell(&sb, "a\nb\tc", 5);
    CHECK_EQ_STR(strbuf_cstr(&sb), "a\\nb\\tc");
    CHECK_EQ_INT(w, 7);
    strbuf_clear(&sb);
    w = cli_table_append_cell(&sb, "\xE6\x97\xA5\xC3\xA9", 5); /* 日 (wide), é */
    CHECK_EQ_INT(w, 3);
    strbuf_clear(&sb);
    w = cli_table_append_cell(&sb, "\xFF", 1);
    CHECK_EQ_STR(strbuf_cstr(&sb), "\xEF\xBF\xBD");
    CHECK_EQ_INT(w, 1);
    strbuf_free(&sb);
}

TEST(cli_format_names_parse)
{
    OutputFormat f;
    CHECK(cli_output_format_from_name("csv", &f) && f == OUTPUT_CSV);
    CHECK(cli_output_format_from_name("JSON", &f) && f == OUTPUT_JSON);
    CHECK(cli_output_format_from_name("jsonl", &f) && f == OUTPUT_JSONL);
    CHECK(cli_output_format_from_name("table", &f) && f == OUTPUT_TABLE);
    CHECK(!cli_output_format_from_name("xml", &f));
    char buf[32];
    CHECK_EQ_STR(cli_format_bytes(512, buf, sizeof buf), "512 B");
    CHECK_EQ_STR(cli_format_bytes(1536, buf, sizeof buf), "1.5 KiB");
}

/* Print a two-column result (BIGINT id, VARCHAR name) with rows
 * (1,'a'), (NULL,''), (30,NULL), (4,'x,"y"\n') in format; returns the text. */
static char *print_sample(OutputFormat format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    OutputSink *o = cli_output_open(format, f);
    ResultSink *sink = cli_output_sink(o);
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    char *names[2] = {"id", "name"};
    Batch b;
    batch_init(&b, 2, types, 0);
    int64_t ids[4] = {1, 0, 30, 4};
    const char *strs[4] = {"a", "", NULL, "x,\"y\"\n"};
    for (uint32_t i = 0; i < 4; i++) {
        VEC_DATA(b.cols[0], int64_t)[i] = ids[i];
        if (i == 1) vector_set_null(b.cols[0], i);
        if (strs[i]) vector_set_string(b.cols[1], i, strs[i], (uint32_t)strlen(strs[i]));
        else vector_set_null(b.cols[1], i);
    }
    b.count = 4;
    Error err = ERROR_INIT;
    bool ok = sink->begin(sink, 2, names, types, &err) && sink->batch(sink, &b, &err) && sink->end(sink, &err);
    CHECK(ok);
    CHECK(cli_output_started(o) && cli_output_finished(o));
    batch_destroy(&b);
    cli_output_close(o);
    fclose(f);
    char *out = mem_strdup(buf);
    free(buf);
    return out;
}

TEST(cli_printers_format_a_result)
{
    char *s = print_sample(OUTPUT_CSV);
    CHECK_EQ_STR(s, "id,name\n1,a\n,\"\"\n30,\n4,\"x,\"\"y\"\"\n\"\n");
    mem_free(s);
    s = print_sample(OUTPUT_JSONL);
    CHECK_EQ_STR(s, "{\"id\":1,\"name\":\"a\"}\n{\"id\":null,\"name\":\"\"}\n{\"id\":30,\"name\":null}\n"
                    "{\"id\":4,\"name\":\"x,\\\"y\\\"\\n\"}\n");
    mem_free(s);
    s = print_sample(OUTPUT_JSON);
    CHECK(strncmp(s, "[\n{\"id\":1,", 10) == 0);
    CHECK(strcmp(s + strlen(s) - 3, "}\n]\n") == 0 || strcmp(s + strlen(s) - 4, "}\n]\n") == 0);
    mem_free(s);
    s = print_sample(OUTPUT_TABLE);
    CHECK_EQ_STR(s, " id |  name\n"
                    "----+---------\n"
                    "  1 | a\n"
                    "    |\n"
                    " 30 |\n"
                    "  4 | x,\"y\"\\n\n"
                    "(4 rows)\n");
    mem_free(s);
}
