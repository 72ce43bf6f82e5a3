/* settings: SET/SHOW parameters of a session (see settings.h). */
#include "sql/settings.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/mem.h"
#include "connectors/mysql.h"
#include "connectors/postgres.h"
#include "connectors/redshift.h"
#include "io/s3/s3_config.h"
#include "sql/connections.h"

static const char *const names[] = {"threads", "memory_limit", "temp_directory", "timezone", "datestyle",
                                    "morsel_size", "warehouse", "lake_root", "lake_lock_timeout", "remote_filter_pushdown", NULL};

const char *const *settings_names(void) { return names; }

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int64_t default_memory_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return (int64_t)1 << 30;
    return (int64_t)((double)pages * (double)page * 0.8);
}

void settings_init(Settings *s)
{
    s->threads = default_threads();
    s->memory_limit = default_memory_limit();
    const char *tmp = getenv("TMPDIR");
    s->temp_directory = mem_strdup(tmp && *tmp ? tmp : "/tmp");
    s->timezone = mem_strdup("UTC");
    s->datestyle = mem_strdup("ISO, MDY");
    s->morsel_bytes = 8 << 20;
    s->warehouse = mem_strdup("sqlite:warehouse.db");
    s->redshift_emulate_copy = mem_strdup("");
    s->lake_root = mem_strdup("lake");
    s->lake_root_set = false;
    s->lake_lock_timeout = 60;
    s->remote_filter_pushdown = true;
}

void settings_destroy(Settings *s)
{
    mem_free(s->temp_directory);
    mem_free(s->timezone);
    mem_free(s->datestyle);
    mem_free(s->warehouse);
    mem_free(s->lake_root);
    mem_free(s->redshift_emulate_copy);
    s->redshift_emulate_copy = NULL;
    s->temp_directory = s->timezone = s->datestyle = s->warehouse = s->lake_root = NULL;
}

/* "1GB", "512 MiB", "100000" (bytes), "2.5GB" -> bytes. */
static bool parse_size(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0) return false;
    while (isspace((unsigned char)*end)) end++;
    struct { const char *unit; double mult; } units[] = {
        {"", 1}, {"b", 1}, {"bytes", 1},
        {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
        {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = v * units[i].mult;
            if (bytes > 9.0e18) return false;
            *out = (int64_t)bytes;
            return true;
        }
    }
    return false;
}

static void format_size(int64_t bytes, char *buf, size_t n)
{
    const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0) snprintf(buf, n, "%" PRId64 " bytes", bytes);
    else snprintf(buf, n, "%.1f %s", v, units[u]);
}

bool settings_set(Settings *s, const char *name, const char *value, Error *err)
{
    if (s3_setting_handles(name)) return s3_setting_set(name, value, err); /* process-wide, io/s3 */
    if (strcmp(name, "threads") == 0) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || *end || end == value || v < 1 || v > 1024)
            return error_set(err, ERR_SQL, "invalid value for parameter \"threads\": \"%s\" (an integer from 1 to 1024)", value);
        s->threads = (int)v;
        return true;
    }
    if (strcmp(name, "memory_limit") == 0) {
        int64_t bytes;
        if (!parse_size(value, &bytes) || bytes < (1 << 20))
            return error_set(err, ERR_SQL,
                             "invalid value for parameter \"memory_limit\": \"%s\" (a size such as '4GB' or '512MiB', at least 1MiB)",
                             value);
        s->memory_limit = bytes;
        return true;
    }
    if (strcmp(name, "morsel_size") == 0) {
        int64_t bytes;
        if (!parse_size(value, &bytes) || bytes < 1024 || bytes > ((int64_t)1 << 32))
            return error_set(err, ERR_SQL,
                             "invalid value for parameter \"morsel_size\": \"%s\" (a size from 1KiB to 4GiB)", value);
        s->morsel_bytes = bytes;
        return true;
    }
    if (strcmp(name, "temp_directory") == 0) {
        mem_free(s->temp_directory);
        s->temp_directory = mem_strdup(value);
        return true;
    }
    if (strcmp(name, "warehouse") == 0) {
        bool postgres = strncmp(value, "postgresql://", 13) == 0 || strncmp(value, "postgres://", 11) == 0;
        bool other = my_is_url(value) || rs_is_url(value) || connections_is_name(value); /* a name: resolved by COPY */
        if (!postgres && !other && (strncmp(value, "sqlite:", 7) != 0 || value[7] == '\0'))
            return error_set(err, ERR_SQL,
                             "invalid value for parameter \"warehouse\" (expected 'sqlite:<file>', a postgresql://, mysql:// or redshift:// URL, or a connection name)");
        mem_free(s->warehouse);
        s->warehouse = mem_strdup(value);
        return true;
    }
    if (strcmp(name, "redshift_emulate_copy") == 0) { /* tests only (connectors/redshift.h) */
        mem_free(s->redshift_emulate_copy);
        s->redshift_emulate_copy = mem_strdup(value);
        return true;
    }
    if (strcmp(name, "lake_lock_timeout") == 0) {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (end != value && *end == 's' && end[1] == '\0') end++;
        if (errno || *end || end == value || !(v >= 0 && v <= 86400))
            return error_set(err, ERR_SQL,
                             "invalid value for parameter \"lake_lock_timeout\": \"%s\" (seconds from 0 to 86400)", value);
        s->lake_lock_timeout = v;
        return true;
    }
    if (strcmp(name, "remote_filter_pushdown") == 0) {
        static const char *const on[] = {"true", "on", "yes", "1"}, *const off[] = {"false", "off", "no", "0"};
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(value, on[i]) == 0 || strcasecmp(value, off[i]) == 0) {
                s->remote_filter_pushdown = strcasecmp(value, on[i]) == 0;
                return true;
            }
        }
        return error_set(err, ERR_SQL, "parameter \"remote_filter_pushdown\" requires a Boolean value");
    }
    if (strcmp(name, "lake_root") == 0) {
        if (value[0] == '\0') return error_set(err, ERR_SQL, "invalid value for parameter \"lake_root\": an empty path");
        mem_free(s->lake_root);
        s->lake_root = mem_strdup(value);
        s->lake_root_set = true;
        return true;
    }
    if (strcmp(name, "timezone") == 0) {
        if (strcasecmp(value, "UTC") != 0 && strcasecmp(value, "GMT") != 0)
            return error_set(err, ERR_SQL, "invalid value for parameter \"TimeZone\": \"%s\" (kiln timestamps carry no time zone; only UTC is accepted)", value);
        mem_free(s->timezone);
        s->timezone = mem_strdup("UTC");
        return true;
    }
    if (strcmp(name, "datestyle") == 0) {
        if (strncasecmp(value, "ISO", 3) != 0)
            return error_set(err, ERR_SQL, "invalid value for parameter \"DateStyle\": \"%s\" (only ISO is supported)", value);
        return true;
    }
    return error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
}

bool settings_reset(Settings *s, const char *name, Error *err)
{
    if (s3_setting_handles(name)) return s3_setting_reset(name, err);
    if (strcmp(name, "all") == 0) s3_setting_reset("all", err);
    Settings d;
    settings_init(&d);
    bool ok = true;
    bool all = strcmp(name, "all") == 0;
    if (all || strcmp(name, "threads") == 0) s->threads = d.threads;
    if (all || strcmp(name, "memory_limit") == 0) s->memory_limit = d.memory_limit;
    if (all || strcmp(name, "morsel_size") == 0) s->morsel_bytes = d.morsel_bytes;
    if (all || strcmp(name, "temp_directory") == 0) {
        mem_free(s->temp_directory);
        s->temp_directory = mem_strdup(d.temp_directory);
    }
    if (all || strcmp(name, "warehouse") == 0) {
        mem_free(s->warehouse);
        s->warehouse = mem_strdup(d.warehouse);
    }
    if (all || strcmp(name, "lake_lock_timeout") == 0) s->lake_lock_timeout = d.lake_lock_timeout;
    if (all || strcmp(name, "redshift_emulate_copy") == 0) {
        mem_free(s->redshift_emulate_copy);
        s->redshift_emulate_copy = mem_strdup(d.redshift_emulate_copy);
    }
    if (all || strcmp(name, "remote_filter_pushdown") == 0) s->remote_filter_pushdown = d.remote_filter_pushdown;
    if (all || strcmp(name, "lake_root") == 0) {
        mem_free(s->lake_root);
        s->lake_root = mem_strdup(d.lake_root);
        s->lake_root_set = false;
    }
    if (!all && strcmp(name, "threads") != 0 && strcmp(name, "memory_limit") != 0 &&
        strcmp(name, "temp_directory") != 0 && strcmp(name, "timezone") != 0 && strcmp(name, "datestyle") != 0 &&
        strcmp(name, "morsel_size") != 0 && strcmp(name, "warehouse") != 0 && strcmp(name, "lake_root") != 0 &&
        strcmp(name, "lake_lock_timeout") != 0 && strcmp(name, "redshift_emulate_copy") != 0 &&
        strcmp(name, "remote_filter_pushdown") != 0)
        ok = error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
    settings_destroy(&d);
    return ok;
}

bool settings_show(const Settings *s, const char *name, char **value, Error *err)
{
    if (s3_setting_handles(name)) return s3_setting_show(name, value, err);
    char buf[64];
    if (strcmp(name, "threads") == 0) {
        snprintf(buf, sizeof buf, "%d", s->threads);
    } else if (strcmp(name, "memory_limit") == 0) {
        format_size(s->memory_limit, buf, sizeof buf);
    } else if (strcmp(name, "morsel_size") == 0) {
        format_size(s->morsel_bytes, buf, sizeof buf);
    } else if (strcmp(name, "temp_directory") == 0) {
        *value = mem_strdup(s->temp_directory);
        return true;
    } else if (strcmp(name, "timezone") == 0) {
        *value = mem_strdup(s->timezone);
        return true;
    } else if (strcmp(name, "datestyle") == 0) {
        *value = mem_strdup(s->datestyle);
        return true;
    } else if (strcmp(name, "warehouse") == 0) {
        *value = pg_redact_conninfo(s->warehouse); /* never show a password */
        return true;
    } else if (strcmp(name, "lake_lock_timeout") == 0) {
        snprintf(buf, sizeof buf, "%gs", s->lake_lock_timeout);
    } else if (strcmp(name, "remote_filter_pushdown") == 0) {
        snprintf(buf, sizeof buf, "%s", s->remote_filter_pushdown ? "on" : "off");
    } else if (strcmp(name, "lake_root") == 0) {
        *value = mem_strdup(s->lake_root);
        return true;
    } else if (strcmp(name, "redshift_emulate_copy") == 0) {
        *value = mem_strdup(s->redshift_emulate_copy);
        return true;
    } else {
        return error_set(err, ERR_SQL, "unrecognized configuration parameter \"%s\"", name);
    }
    *value = mem_strdup(buf);
    return true;
}
