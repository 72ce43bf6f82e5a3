/* Unit tests of hive_path: Hive/Spark escaping of partition values. */
#include <string.h>

#include "lake/hive_path.h"
#include "unit.h"

static void check_escape(const char *in, const char *want)
{
    StrBuf sb = {0};
    hive_escape_value(&sb, in, in ? strlen(in) : 0);
    strbuf_putc(&sb, '\0');
    CHECK_EQ_STR(sb.data, want);
    /* and back */
    StrBuf back = {0};
    bool is_null = false;
    hive_unescape_value(&back, sb.data, strlen(sb.data), &is_null);
    strbuf_putc(&back, '\0');
    if (in == NULL || in[0] == '\0') CHECK(is_null);
    else {
        CHECK(!is_null);
        CHECK_EQ_STR(back.data, in);
    }
    strbuf_free(&sb);
    strbuf_free(&back);
}

TEST(hive_escape_keeps_plain_text_spaces_and_unicode)
{
    check_escape("2024-01-05", "2024-01-05");
    check_escape("new york", "new york");
    check_escape("Zürich ☃", "Zürich ☃");
}

TEST(hive_escape_specials_as_hive_does)
{
    check_escape("a/b", "a%2Fb");
    check_escape("x=y", "x%3Dy");
    check_escape("50%", "50%25");
    check_escape("2024-01-05 10:30:00", "2024-01-05 10%3A30%3A00");
    check_escape("q?\"#'*\\{[]^", "q%3F%22%23%27%2A%5C%7B%5B%5D%5E");
    check_escape("tab\there\x7f", "tab%09here%7F");
}

TEST(hive_null_and_empty_are_the_default_partition)
{
    check_escape(NULL, HIVE_DEFAULT_PARTITION);
    check_escape("", HIVE_DEFAULT_PARTITION);
}

TEST(hive_unescape_keeps_malformed_percent)
{
    StrBuf sb = {0};
    bool is_null = true;
    hive_unescape_value(&sb, "a%zzb%4", 7, &is_null);
    strbuf_putc(&sb, '\0');
    CHECK(!is_null);
    CHECK_EQ_STR(sb.data, "a%zzb%4");
    strbuf_free(&sb);
}

TEST(hive_segments_split_at_the_first_equals)
{
    size_t name_len = 0, value_len = 0;
    const char *value = NULL;
    const char *seg = "dt=a=b";
    CHECK(hive_split_segment(seg, strlen(seg), &name_len, &value, &value_len));
    CHECK_EQ_INT((long long)name_len, 2);
    CHECK_EQ_INT((long long)value_len, 3);
    CHECK(memcmp(value, "a=b", 3) == 0);
    CHECK(!hive_split_segment("=x", 2, &name_len, &value, &value_len));
    CHECK(!hive_split_segment("plain", 5, &name_len, &value, &value_len));
    StrBuf sb = {0};
    hive_append_segment(&sb, "city", "a/b", 3);
    strbuf_putc(&sb, '\0');
    CHECK_EQ_STR(sb.data, "city=a%2Fb");
    strbuf_free(&sb);
}
