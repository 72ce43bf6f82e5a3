/* copy_formats: the registry of COPY formats (see copy_formats.h). */
#include "sql/copy_formats.h"

#include <string.h>
#include <strings.h>

static const CopyFormat *const formats[] = {
    &copy_format_csv,
    &copy_format_json,
    &copy_format_parquet,
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

bool copy_format_resolve(const char *path, const SqlOption *opts, int nopts, const CopyFormat **out, Error *err)
{
    for (int i = 0; i < nopts; i++) {
        if (strcmp(opts[i].name, "format") != 0) continue;
        if (!opts[i].has_value) return error_set_at(err, ERR_SQL, opts[i].pos, "FORMAT needs a value");
        for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++)
            if (strcasecmp(formats[f]->name, opts[i].text) == 0) {
                *out = formats[f];
                return true;
            }
        return error_set_at(err, ERR_SQL, opts[i].pos, "COPY format \"%s\" not recognized", opts[i].text);
    }
    for (size_t f = 0; path && f < sizeof formats / sizeof formats[0]; f++)
        for (const char *const *ext = formats[f]->extensions; ext && *ext; ext++)
            if (ends_with(path, *ext)) {
                *out = formats[f];
                return true;
            }
    *out = &copy_format_csv;
    return true;
}
