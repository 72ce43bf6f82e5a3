/* s3_profile: the AWS shared credentials and config files (see s3_profile.h).
 * A file is read whole (they are small; at most 1 MiB is read) and scanned
 * line by line for the section, then the key; the first match wins. */
#include "io/s3/s3_profile.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

static const char *trim_end(const char *start, const char *end)
{
    while (end > start && isspace((unsigned char)end[-1])) end--;
    return end;
}

char *s3_ini_get(const char *text, const char *section, const char *key)
{
    bool in_section = false;
    size_t section_len = strlen(section), key_len = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        const char *p = skip_space(line, end);
        const char *e = trim_end(p, end);
        if (p < e && *p == '[') {
            /* "[ name ]": compare the trimmed inside */
            const char *close = memchr(p, ']', (size_t)(e - p));
            in_section = false;
            if (close) {
                const char *s = skip_space(p + 1, close);
                const char *se = trim_end(s, close);
                in_section = (size_t)(se - s) == section_len && memcmp(s, section, section_len) == 0;
            }
        } else if (in_section && p < e && *p != '#' && *p != ';') {
            const char *eq = memchr(p, '=', (size_t)(e - p));
            if (eq) {
                const char *ke = trim_end(p, eq);
                if ((size_t)(ke - p) == key_len && strncasecmp(p, key, key_len) == 0) {
                    const char *v = skip_space(eq + 1, e);
                    return mem_strndup(v, (size_t)(e - v));
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    StrBuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len < (1u << 20)) strbuf_append(&sb, buf, n);
    fclose(f);
    if (sb.data == NULL) strbuf_puts(&sb, "");
    return strbuf_take(&sb);
}

const char *s3_profile_name(void)
{
    const char *p = getenv("AWS_PROFILE");
    return p && *p ? p : "default";
}

char *s3_profile_value(const char *profile, const char *key, int credentials_file)
{
    const char *override = getenv(credentials_file ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE");
    StrBuf path = STRBUF_INIT;
    if (override && *override) {
        strbuf_puts(&path, override);
    } else {
        const char *home = getenv("HOME");
        if (home == NULL || *home == '\0') return NULL;
        strbuf_printf(&path, "%s/.aws/%s", home, credentials_file ? "credentials" : "config");
    }
    char *text = read_small_file(path.data);
    strbuf_free(&path);
    if (text == NULL) return NULL;
    char *value;
    if (credentials_file || strcmp(profile, "default") == 0) {
        value = s3_ini_get(text, profile, key);
    } else {
        StrBuf section = STRBUF_INIT;
        strbuf_printf(&section, "profile %s", profile);
        value = s3_ini_get(text, section.data, key);
        strbuf_free(&section);
    }
    /* the file may hold secrets: wipe it before freeing */
    memset(text, 0, strlen(text));
    mem_free(text);
    return value;
}
