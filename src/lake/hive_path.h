/* hive_path: partition values in Hive-style paths (`col=value/`), escaped
 * exactly as Hive's FileUtils.escapePathName and Spark's
 * ExternalCatalogUtils do, so that Athena, Spark, Trino and DuckDB read
 * kiln's folders as the same partitions.
 *
 * A character is written as '%' and two upper-case hex digits when it is a
 * control character (0x00-0x1F, 0x7F) or one of  " # % ' * / : = ? \ { [ ] ^ ;
 * everything else, including spaces and non-ASCII UTF-8, is kept as is.
 * SQL NULL and the empty string are both written as
 * __HIVE_DEFAULT_PARTITION__ (the two cannot be told apart on reading, as
 * in Hive). */
#ifndef KILN_LAKE_HIVE_PATH_H
#define KILN_LAKE_HIVE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

/* The path value that stands for NULL (and the empty string). */
#define HIVE_DEFAULT_PARTITION "__HIVE_DEFAULT_PARTITION__"

/* Append value[0, n) escaped for a path segment (n == 0 appends the default
 * partition name; pass value == NULL for SQL NULL). */
void hive_escape_value(StrBuf *out, const char *value, size_t n);
/* Append "name=escaped value" (a NULL value is the default partition). */
void hive_append_segment(StrBuf *out, const char *name, const char *value, size_t n);
/* Append the unescaped form of text[0, n) (a '%' not followed by two hex
 * digits is kept literally, as Hive does). Sets *is_null when the text is
 * the default partition name (and appends nothing). */
void hive_unescape_value(StrBuf *out, const char *text, size_t n, bool *is_null);
/* Split a path segment "name=value" at its first '='; false if it has none
 * or the name is empty. */
bool hive_split_segment(const char *segment, size_t n, size_t *name_len, const char **value, size_t *value_len);

#endif
