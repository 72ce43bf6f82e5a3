/* logical_date: strict YYYY-MM-DD dates and the {{ ds }}-style templates of
 * job parameters.  See logical_date.h. */
#include "sched/logical_date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "types/datetime.h"

static const char *const builtin_params[] = {"ds", "ds_nodash", "prev_ds", "next_ds", "ts", "try_number"};

bool sched_is_builtin_param(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_params / sizeof builtin_params[0]; i++) {
        if (strcmp(name, builtin_params[i]) == 0) return true;
    }
    return false;
}

bool sched_parse_ds(const char *text, const char *what, int64_t *days, Error *err)
{
    bool shape = strlen(text) == 10 && text[4] == '-' && text[7] == '-';
    for (int i = 0; shape && i < 10; i++) {
        if (i != 4 && i != 7 && !isdigit((unsigned char)text[i])) shape = false;
    }
    if (shape) {
        int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
        int m = (text[5] - '0') * 10 + (text[6] - '0');
        int d = (text[8] - '0') * 10 + (text[9] - '0');
        if (y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= datetime_days_in_month(y, m)) {
            *days = datetime_days_from_civil(y, m, d);
            return true;
        }
        return error_set(err, ERR_USAGE, "%s: \"%s\" is not a valid date", what, text);
    }
    return error_set(err, ERR_USAGE, "%s: expected a date as YYYY-MM-DD, got \"%s\"", what, text);
}

void sched_format_ds(int64_t days, char *buf)
{
    int y, m, d;
    datetime_civil_from_days(days, &y, &m, &d);
    unsigned year = (unsigned)(y < 0 ? 0 : y) % 10000u, month = (unsigned)m % 100u, day = (unsigned)d % 100u;
    snprintf(buf, 11, "%04u-%02u-%02u", year, month, day);
}

void sched_logical_date(int64_t days, LogicalDate *ld)
{
    sched_format_ds(days, ld->ds);
    memcpy(ld->ds_nodash, ld->ds, 4);
    memcpy(ld->ds_nodash + 4, ld->ds + 5, 2);
    memcpy(ld->ds_nodash + 6, ld->ds + 8, 2);
    ld->ds_nodash[8] = '\0';
    sched_format_ds(days - 1, ld->prev_ds);
    sched_format_ds(days + 1, ld->next_ds);
    snprintf(ld->ts, sizeof ld->ts, "%sT00:00:00", ld->ds);
    memcpy(ld->key, ld->ds, sizeof ld->ds);
}

const char *sched_logical_date_var(const LogicalDate *ld, const char *name)
{
    if (strcmp(name, "ds") == 0) return ld->ds;
    if (strcmp(name, "ds_nodash") == 0) return ld->ds_nodash;
    if (strcmp(name, "prev_ds") == 0) return ld->prev_ds;
    if (strcmp(name, "next_ds") == 0) return ld->next_ds;
    if (strcmp(name, "ts") == 0) return ld->ts;
    return NULL;
}

bool sched_expand_template(const char *text, const LogicalDate *ld, const char *what, StrBuf *out, Error *err)
{
    const char *p = text;
    strbuf_puts(out, ""); /* never NULL data afterwards */
    while (*p) {
        const char *open = strstr(p, "{{");
        if (open == NULL) break;
        const char *q = open + 2;
        while (*q == ' ') q++;
        const char *name = q;
        while (isalnum((unsigned char)*q) || *q == '_') q++;
        size_t name_len = (size_t)(q - name);
        while (*q == ' ') q++;
        if (name_len == 0 || strncmp(q, "}}", 2) != 0) {
            /* not a placeholder: keep the braces as written */
            strbuf_append(out, p, (size_t)(open + 2 - p));
            p = open + 2;
            continue;
        }
        char var[64];
        snprintf(var, sizeof var, "%.*s", (int)(name_len < 63 ? name_len : 63), name);
        const char *value = name_len < 63 ? sched_logical_date_var(ld, var) : NULL;
        if (value == NULL) {
            return error_set(err, ERR_USAGE,
                             "%s: unknown template variable \"%s\" (known: ds, ds_nodash, prev_ds, next_ds, ts)",
                             what, var);
        }
        strbuf_append(out, p, (size_t)(open - p));
        strbuf_puts(out, value);
        p = q + 2;
    }
    strbuf_puts(out, p);
    return true;
}
