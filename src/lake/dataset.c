/* dataset: listing a dataset's files and parsing their Hive partition
 * values (see dataset.h for the rules).
 *
 * How: the files come from fs_glob (a glob, or "<folder>/" + "**" for a
 * folder), or from the commit record of a kiln dataset; names below the
 * literal prefix that start with '_' or '.' are dropped, then each path's
 * directory segments are split at '=' into keys and unescaped values.  Types
 * are inferred over all files' values at once, and each value is converted
 * to a typed Value.  Memory: the sorted list of paths while listing, then
 * everything in the caller's arena. */
#include "lake/dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/fs.h"
#include "lake/hive_path.h"
#include "lake/lake_txn.h"
#include "types/cast.h"
#include "types/datetime.h"

/* Compression suffixes looked through when matching a format's extension. */
static const char *const compression_suffixes[] = {".gz", ".zst", ".zstd", ".bz2", ".lz4", NULL};

/* Length of name without a trailing compression suffix. */
static size_t strip_compression(const char *name, size_t n)
{
    for (int i = 0; compression_suffixes[i]; i++) {
        size_t k = strlen(compression_suffixes[i]);
        if (n > k && strncasecmp(name + n - k, compression_suffixes[i], k) == 0) return n - k;
    }
    return n;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

const char *dataset_format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t n = strip_compression(name, strlen(name));
    if (ends_with_ci(name, n, ".parquet") || ends_with_ci(name, n, ".pq")) return "parquet";
    if (ends_with_ci(name, n, ".csv") || ends_with_ci(name, n, ".tsv")) return "csv";
    if (ends_with_ci(name, n, ".json") || ends_with_ci(name, n, ".jsonl") || ends_with_ci(name, n, ".ndjson"))
        return "json";
    return NULL;
}

static bool has_extension(const char *path, const char *const *extensions)
{
    if (extensions == NULL) return true;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t n = strip_compression(name, strlen(name));
    for (int i = 0; extensions[i]; i++)
        if (ends_with_ci(name, n, extensions[i])) return true;
    return false;
}

bool dataset_path_is_folder(const char *path)
{
    size_t n = strlen(path);
    if (n > 0 && path[n - 1] == '/') return true;
    if (fs_has_wildcard(path) || !fs_exists(path)) return false;
    FsPathList entries = {0};
    Error err = ERROR_INIT;
    bool folder = fs_list_dir(path, &entries, &err) && entries.count > 0;
    fs_path_list_free(&entries);
    return folder;
}

/* True if a segment of path after its first skip bytes starts with '_' or
 * '.' (hidden from readers, as in Hive and Spark). */
static bool hidden_below(const char *path, size_t skip)
{
    size_t n = strlen(path);
    if (skip > n) return false;
    const char *p = path + skip;
    while (*p == '/') p++;
    while (*p) {
        if (*p == '_' || *p == '.') {
            /* "./" and "../" are not names */
            if (!(p[0] == '.' && (p[1] == '/' || (p[1] == '.' && p[2] == '/')))) return true;
        }
        const char *slash = strchr(p, '/');
        if (slash == NULL) break;
        p = slash + 1;
    }
    return false;
}

/* Bytes of pattern before its first wildcard segment (the literal folder). */
static size_t literal_prefix(const char *pattern)
{
    const char *wild = strpbrk(pattern, "*?[");
    if (wild == NULL) return strlen(pattern);
    while (wild > pattern && wild[-1] != '/') wild--;
    return (size_t)(wild - pattern);
}

/* Copy the kept paths of list into the arena. */
static void take_paths(FsPathList *list, size_t skip, const DatasetOptions *opts, bool folder, Arena *arena,
                       Dataset *out)
{
    out->paths = arena_calloc(arena, sizeof(char *) * ((size_t)list->count + 1));
    out->nfiles = 0;
    for (int i = 0; i < list->count; i++) {
        const char *p = list->paths[i];
        if (hidden_below(p, skip)) continue;
        if (folder && !has_extension(p, opts->extensions)) continue;
        out->paths[out->nfiles++] = arena_strdup(arena, p);
    }
}

/* The data files of path, sorted. */
static bool list_files(const char *path, const DatasetOptions *opts, Arena *arena, Dataset *out, Error *err)
{
    FsPathList list = {0};
    bool ok;
    if (dataset_path_is_folder(path)) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/') n--;
        char *root = arena_strndup(arena, path, n);
        bool is_kiln = false;
        if (!lake_snapshot_files(root, &list, &is_kiln, err)) {
            fs_path_list_free(&list);
            return false;
        }
        if (is_kiln) {
            /* the commit record names exactly the live files */
            fs_path_list_sort(&list);
            out->is_kiln_dataset = true;
            take_paths(&list, strlen(root), opts, true, arena, out);
            fs_path_list_free(&list);
            if (out->nfiles == 0)
                return error_set(err, ERR_IO, "dataset \"%s\" has no data files in its latest commit", root);
            return true;
        }
        fs_path_list_free(&list);
        char *pattern = arena_sprintf(arena, "%s/**", root);
        ok = fs_glob(pattern, &list, err);
        if (!ok && err->kind == ERR_IO && strstr(err->message, "No files found")) {
            error_clear(err);
            ok = error_set(err, ERR_IO, "no files found in folder \"%s\"", root);
        }
        if (ok) {
            take_paths(&list, strlen(root), opts, true, arena, out);
            if (out->nfiles == 0) ok = error_set(err, ERR_IO, "no data files found in folder \"%s\"", root);
        }
    } else {
        ok = fs_glob(path, &list, err);
        if (ok) {
            take_paths(&list, fs_has_wildcard(path) ? literal_prefix(path) : strlen(path), opts, false, arena, out);
            if (out->nfiles == 0)
                ok = error_set(err, ERR_IO, "No files found that match the pattern \"%s\" (names starting with '_' or '.' are skipped)", path);
        }
    }
    fs_path_list_free(&list);
    return ok;
}

/* The `key=value` directory segments of path, unescaped into arena strings;
 * values NULL for the default partition.  Returns the count. */
static int parse_segments(const char *path, Arena *arena, const char ***keys, const char ***values, bool *dup,
                          const char **dup_key)
{
    int cap = 1;
    for (const char *c = path; *c; c++) cap += *c == '/';
    *keys = arena_calloc(arena, sizeof(char *) * (size_t)cap);
    *values = arena_calloc(arena, sizeof(char *) * (size_t)cap);
    *dup = false;
    int n = 0;
    StrBuf sb = STRBUF_INIT;
    const char *seg = path;
    for (;;) {
        const char *slash = strchr(seg, '/');
        if (slash == NULL) break; /* the file name itself is not a partition */
        size_t name_len, value_len;
        const char *value;
        if (hive_split_segment(seg, (size_t)(slash - seg), &name_len, &value, &value_len)) {
            bool is_null = false;
            strbuf_clear(&sb);
            hive_unescape_value(&sb, seg, name_len, &is_null);
            const char *key = arena_strndup(arena, sb.data ? sb.data : "", sb.len);
            strbuf_clear(&sb);
            is_null = false;
            hive_unescape_value(&sb, value, value_len, &is_null);
            for (int k = 0; k < n; k++)
                if (strcmp((*keys)[k], key) == 0) {
                    *dup = true;
                    *dup_key = key;
                }
            (*keys)[n] = key;
            (*values)[n] = is_null || value_len == 0 ? NULL : arena_strndup(arena, sb.data ? sb.data : "", sb.len);
            n++;
        }
        seg = slash + 1;
    }
    strbuf_free(&sb);
    return n;
}

static bool is_integer_text(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (*p == '\0') return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return false;
    errno = 0;
    char *end;
    (void)strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static bool is_date_text(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != sizeof shape - 1) return false;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    }
    int32_t days;
    return datetime_parse_date(s, strlen(s), &days, NULL);
}

/* Convert text to a Value of type t (strings copied into arena). */
static bool typed_value(const char *text, LogicalType t, Value *out, Error *err)
{
    if (text == NULL) {
        *out = value_null(t);
        return true;
    }
    if (t.id == TYPE_VARCHAR) {
        *out = value_varchar(text, (uint32_t)strlen(text));
        out->type = t;
        return true;
    }
    Vector v;
    vector_init(&v, t, 1);
    bool ok = cast_parse_text(text, strlen(text), &v, 0, err);
    if (ok) *out = value_from_vector(&v, 0); /* not a string: nothing points into v */
    vector_destroy(&v);
    return ok;
}

/* Parse every file's partition segments, check that they agree, and type
 * the values. */
static bool parse_partitions(const DatasetOptions *opts, Arena *arena, Dataset *d, Error *err)
{
    const char **first_keys, **first_values;
    bool dup;
    const char *dup_key = NULL;
    int nkeys = parse_segments(d->paths[0], arena, &first_keys, &first_values, &dup, &dup_key);
    bool any_keys = nkeys > 0;
    for (int f = 1; f < d->nfiles && !any_keys && opts->hive == DATASET_HIVE_AUTO; f++) {
        const char **keys, **values;
        bool dup_f;
        const char *dup_key_f;
        any_keys = parse_segments(d->paths[f], arena, &keys, &values, &dup_f, &dup_key_f) > 0;
    }
    if (opts->hive == DATASET_HIVE_OFF || (opts->hive == DATASET_HIVE_AUTO && !any_keys)) {
        d->nkeys = 0;
        if (opts->ntyped > 0 && opts->hive != DATASET_HIVE_OFF)
            return error_set(err, ERR_SQL, "hive_types given but the paths have no key=value folders (\"%s\")",
                             d->paths[0]);
        return true;
    }
    d->nkeys = nkeys;
    d->keys = first_keys;
    const char **texts = arena_calloc(arena, sizeof(char *) * ((size_t)d->nfiles * (size_t)nkeys + 1));
    for (int f = 0; f < d->nfiles; f++) {
        const char **keys, **values;
        int n = f == 0 ? nkeys : parse_segments(d->paths[f], arena, &keys, &values, &dup, &dup_key);
        if (f == 0) {
            keys = first_keys;
            values = first_values;
        }
        if (dup)
            return error_set(err, ERR_DATA, "partition key \"%s\" appears twice in the path \"%s\"", dup_key,
                             d->paths[f]);
        bool same = n == nkeys;
        for (int k = 0; same && k < nkeys; k++) same = strcmp(keys[k], first_keys[k]) == 0;
        if (!same) {
            StrBuf a = STRBUF_INIT, b = STRBUF_INIT;
            for (int k = 0; k < nkeys; k++) strbuf_printf(&a, "%s%s", k ? ", " : "", first_keys[k]);
            for (int k = 0; k < n; k++) strbuf_printf(&b, "%s%s", k ? ", " : "", keys[k]);
            error_set(err, ERR_DATA,
                      "the files do not have the same Hive partition keys: \"%s\" has (%s) but \"%s\" has (%s) "
                      "(hive_partitioning => false reads them without partition columns)",
                      d->paths[0], strbuf_cstr(&a), d->paths[f], strbuf_cstr(&b));
            strbuf_free(&a);
            strbuf_free(&b);
            return false;
        }
        for (int k = 0; k < nkeys; k++) texts[(size_t)f * (size_t)nkeys + (size_t)k] = values[k];
    }
    /* declared types must name keys */
    for (int t = 0; t < opts->ntyped; t++) {
        bool found = false;
        for (int k = 0; k < nkeys && !found; k++) found = strcmp(opts->typed_names[t], d->keys[k]) == 0;
        if (!found) {
            StrBuf a = STRBUF_INIT;
            for (int k = 0; k < nkeys; k++) strbuf_printf(&a, "%s%s", k ? ", " : "", d->keys[k]);
            error_set(err, ERR_SQL, "hive_types names \"%s\", which is not a partition key (the keys are: %s)",
                      opts->typed_names[t], strbuf_cstr(&a));
            strbuf_free(&a);
            return false;
        }
    }
    d->key_types = arena_calloc(arena, sizeof(LogicalType) * ((size_t)nkeys + 1));
    for (int k = 0; k < nkeys; k++) {
        int declared = -1;
        for (int t = 0; t < opts->ntyped; t++)
            if (strcmp(opts->typed_names[t], d->keys[k]) == 0) declared = t;
        if (declared >= 0) {
            d->key_types[k] = opts->typed_types[declared];
            continue;
        }
        bool all_int = true, all_date = true, any = false;
        for (int f = 0; f < d->nfiles && (all_int || all_date); f++) {
            const char *s = texts[(size_t)f * (size_t)nkeys + (size_t)k];
            if (s == NULL) continue;
            any = true;
            if (all_int && !is_integer_text(s)) all_int = false;
            if (all_date && !is_date_text(s)) all_date = false;
        }
        d->key_types[k] = type_make(!any ? TYPE_VARCHAR : all_int ? TYPE_BIGINT : all_date ? TYPE_DATE : TYPE_VARCHAR);
    }
    d->values = arena_calloc(arena, sizeof(Value) * ((size_t)d->nfiles * (size_t)nkeys + 1));
    for (int f = 0; f < d->nfiles; f++) {
        for (int k = 0; k < nkeys; k++) {
            size_t at = (size_t)f * (size_t)nkeys + (size_t)k;
            if (!typed_value(texts[at], d->key_types[k], &d->values[at], err)) {
                char tn[64];
                Error inner = *err;
                error_clear(err);
                error_set(err, ERR_DATA, "partition value \"%s\" of \"%s\" does not convert to %s: %s", texts[at],
                          d->keys[k], type_name(d->key_types[k], tn, sizeof tn), inner.message);
                error_set_location(err, d->paths[f], 0, 0);
                return false;
            }
        }
    }
    return true;
}

bool dataset_list(const char *path, const DatasetOptions *opts, Arena *arena, Dataset *out, Error *err)
{
    memset(out, 0, sizeof *out);
    if (!list_files(path, opts, arena, out, err)) return false;
    return parse_partitions(opts, arena, out, err);
}
