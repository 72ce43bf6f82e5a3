/* test_sqllogictest_parser: the sqllogictest runner's file parser and MD5.
 *
 * The runner lives in tests/sqllogictest/, outside libkiln, so its two
 * engine-independent parts are compiled into this test directly. */
#include "../sqllogictest/slt_md5.c"
#include "../sqllogictest/slt_parser.c"
#include "unit.h"

static bool parse_text(const char *text, SltScript *script, Error *err)
{
    return slt_parse("x.test", text, strlen(text), script, err);
}

static const char *md5_of(const char *text, char hex[33])
{
    SltMd5 md5;
    slt_md5_init(&md5);
    slt_md5_update(&md5, text, strlen(text));
    slt_md5_hex(&md5, hex);
    return hex;
}

TEST(slt_md5_known_vectors)
{
    char hex[33];
    CHECK_EQ_STR(md5_of("", hex), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_EQ_STR(md5_of("abc", hex), "900150983cd24fb0d6963f7d28e17f72");
    CHECK_EQ_STR(md5_of("1\n2\n3\n", hex), "c0710d6b4f15dfa88f600b0e6b624077");
    /* 80 bytes: crosses a block boundary and needs a second padding block. */
    CHECK_EQ_STR(md5_of("12345678901234567890123456789012345678901234567890123456789012345678901234567890", hex),
                 "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(slt_md5_split_updates_match_one_update)
{
    const char *text = "The quick brown fox jumps over the lazy dog";
    SltMd5 md5;
    slt_md5_init(&md5);
    for (const char *p = text; *p; p++)
        slt_md5_update(&md5, p, 1);
    char split[33], whole[33];
    slt_md5_hex(&md5, split);
    CHECK_EQ_STR(split, md5_of(text, whole));
    CHECK_EQ_STR(split, "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(slt_parse_statements_and_queries)
{
    SltScript script;
    Error err = ERROR_INIT;
    const char *text = "# comment\n"
                       "statement ok\r\n"
                       "CREATE TABLE t (a int)\n"
                       "\n"
                       "statement error\n"
                       "SELECT nope\n"
                       "----\n"
                       "column \"nope\" does not exist\n"
                       "\n"
                       "query IT rowsort lbl\n"
                       "SELECT a,\n"
                       "  b FROM t\n"
                       "----\n"
                       "1\tx\n"
                       "2\t(empty)\n";
    CHECK(parse_text(text, &script, &err));
    CHECK_EQ_INT(script.nrecords, 3);
    if (script.nrecords == 3) {
        CHECK_EQ_INT(script.records[0].kind, SLT_STATEMENT_OK);
        CHECK_EQ_INT(script.records[0].line, 2);
        CHECK_EQ_STR(script.records[0].sql, "CREATE TABLE t (a int)");
        CHECK_EQ_INT(script.records[1].kind, SLT_STATEMENT_ERROR);
        CHECK_EQ_STR(script.records[1].error_substring, "column \"nope\" does not exist");
        const SltRecord *query = &script.records[2];
        CHECK_EQ_INT(query->kind, SLT_QUERY);
        CHECK_EQ_STR(query->types, "IT");
        CHECK_EQ_INT(query->sort, SLT_SORT_ROWS);
        CHECK_EQ_STR(query->label, "lbl");
        CHECK_EQ_STR(query->sql, "SELECT a,\n  b FROM t");
        CHECK(query->has_expected);
        CHECK_EQ_INT(query->nexpected_lines, 2);
        if (query->nexpected_lines == 2)
            CHECK_EQ_STR(query->expected_lines[1], "2\t(empty)");
    }
    slt_script_free(&script);
}

TEST(slt_parse_statement_error_without_message_accepts_any)
{
    SltScript script;
    Error err = ERROR_INIT;
    CHECK(parse_text("statement error\nSELEC 1\n", &script, &err));
    CHECK_EQ_INT(script.nrecords, 1);
    if (script.nrecords == 1)
        CHECK(script.records[0].error_substring == NULL);
    slt_script_free(&script);
}

TEST(slt_parse_conditions_for_kiln)
{
    SltScript script;
    Error err = ERROR_INIT;
    const char *text = "skipif kiln\nstatement ok\nA\n\n"
                       "skipif duckdb\nstatement ok\nB\n\n"
                       "onlyif kiln\nstatement ok\nC\n\n"
                       "onlyif postgres\nstatement ok\nD\n\n"
                       "statement ok\nE\n";
    CHECK(parse_text(text, &script, &err));
    CHECK_EQ_INT(script.nrecords, 5);
    if (script.nrecords == 5) {
        CHECK(script.records[0].skip);
        CHECK(!script.records[1].skip);
        CHECK(!script.records[2].skip);
        CHECK(script.records[3].skip);
        CHECK(!script.records[4].skip);
    }
    slt_script_free(&script);
}

TEST(slt_parse_loops_match_their_endloop)
{
    SltScript script;
    Error err = ERROR_INIT;
    const char *text = "loop i 0 3\n\n"
                       "foreach v a b\n\n"
                       "statement ok\nSELECT ${i}, '${v}'\n\n"
                       "endloop\n\n"
                       "endloop\n\n"
                       "hash-threshold 8\n\nhalt\n\nmode skip\n\nmode unskip\n\nrequire parquet\n";
    CHECK(parse_text(text, &script, &err));
    CHECK_EQ_INT(script.nrecords, 10);
    if (script.nrecords == 10) {
        CHECK_EQ_INT(script.records[0].kind, SLT_LOOP);
        CHECK_EQ_INT(script.records[0].loop_start, 0);
        CHECK_EQ_INT(script.records[0].loop_end, 3);
        CHECK_EQ_INT(script.records[0].loop_end_index, 4);
        CHECK_EQ_INT(script.records[1].nloop_values, 2);
        CHECK_EQ_INT(script.records[1].loop_end_index, 3);
        CHECK_EQ_INT(script.records[5].kind, SLT_HASH_THRESHOLD);
        CHECK_EQ_INT(script.records[5].hash_threshold, 8);
        CHECK_EQ_INT(script.records[6].kind, SLT_HALT);
        CHECK_EQ_INT(script.records[7].kind, SLT_MODE_SKIP);
        CHECK_EQ_INT(script.records[8].kind, SLT_MODE_UNSKIP);
        CHECK_EQ_STR(script.records[9].feature, "parquet");
    }
    slt_script_free(&script);
}

TEST(slt_parse_query_without_result_block_expects_nothing_given)
{
    SltScript script;
    Error err = ERROR_INIT;
    CHECK(parse_text("query I\nSELECT 1\n----\n\nquery I nosort lbl\nSELECT 1\n", &script, &err));
    CHECK_EQ_INT(script.nrecords, 2);
    if (script.nrecords == 2) {
        CHECK(script.records[0].has_expected);
        CHECK_EQ_INT(script.records[0].nexpected_lines, 0);
        CHECK(!script.records[1].has_expected);
        CHECK_EQ_INT(script.records[1].sort, SLT_SORT_NONE);
    }
    slt_script_free(&script);
}

TEST(slt_parse_rejects_malformed_files_with_their_line)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"\n\nfrobnicate\n", "x.test:3: unknown directive: frobnicate"},
        {"query\nSELECT 1\n", "x.test:1: query without a type string"},
        {"statement ok\n\n", "x.test:1: statement without SQL"},
        {"statement ok\nSELECT 1\n----\nx\n", "x.test:1: \"statement ok\" cannot have a \"----\" result block"},
        {"statement maybe\nSELECT 1\n", "x.test:1: expected \"statement ok\" or \"statement error\""},
        {"loop i 0 2\n", "x.test:1: loop without endloop"},
        {"endloop\n", "x.test:1: endloop without loop"},
        {"loop i a b\n\nendloop\n", "x.test:1: loop bounds must be integers"},
        {"hash-threshold -1\n", "x.test:1: expected \"hash-threshold N\""},
        {"query I+\nSELECT 1\n", "x.test:1: bad type string: I+"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SltScript script;
        Error err = ERROR_INIT;
        CHECK(!parse_text(cases[i].text, &script, &err));
        CHECK_EQ_STR(err.message, cases[i].message);
        slt_script_free(&script);
    }
}
