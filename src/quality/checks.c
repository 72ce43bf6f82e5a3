/* checks: evaluating checks across runs, and reading the baseline (an
 * earlier run's quality report) back from its JSON (see checks.h).
 *
 * The baseline reader walks only the keys it needs ("tables" -> "table",
 * "profile" -> "column", "count", "nulls", "distinct") with the validating
 * scanners of formats/json/json_text.h, skipping any other value whole, so a
 * report with more keys (a newer kiln) still reads.  Memory: the baseline
 * keeps names and three numbers per column. */
#include "quality/checks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "formats/json/json_text.h"
#include "types/cast.h"
#include "types/datetime.h"

static const char *const kind_names[] = {"row_count_change", "null_rate_drift", "distinct_drift", "freshness"};

bool quality_check_kind_from_name(const char *name, QualityCheckKind *out)
{
    for (int k = 0; k < 4; k++) {
        if (strcasecmp(name, kind_names[k]) == 0) {
            *out = (QualityCheckKind)k;
            return true;
        }
    }
    return false;
}

const char *quality_check_kind_name(QualityCheckKind kind) { return kind_names[kind]; }

bool quality_check_needs_column(QualityCheckKind kind) { return kind != QCHECK_ROW_COUNT_CHANGE; }

bool quality_parse_percent(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0) return false;
    while (*end == ' ') end++;
    if (*end == '%') end++;
    while (*end == ' ') end++;
    if (*end != '\0') return false;
    *out = v;
    return true;
}

bool quality_parse_age(const char *text, int64_t *out)
{
    Vector v;
    vector_init(&v, type_make(TYPE_INTERVAL), 1);
    Error err = ERROR_INIT;
    bool ok = cast_parse_text(text, strlen(text), &v, 0, &err);
    if (ok) {
        kiln_int128 span = datetime_interval_span(VEC_DATA(&v, Interval)[0]);
        ok = span >= 0 && span <= INT64_MAX;
        if (ok) *out = (int64_t)span;
    }
    vector_destroy(&v);
    return ok;
}

/* ---- the baseline ---------------------------------------------------------------- */

/* A cursor over the members of a JSON object or the items of an array. */
typedef struct JsonCursor {
    const char *p, *end;
    bool first;
} JsonCursor;

/* Enter the object or array [p, end) (which starts with '{' or '['). */
static bool cursor_open(JsonCursor *c, const char *p, const char *end, char open)
{
    p = json_skip_ws(p, end);
    if (p >= end || *p != open) return false;
    c->p = p + 1;
    c->end = end;
    c->first = true;
    return true;
}

/* The next member (key set) or item (key NULL): its value in [*v, *v_end).
 * Returns 0 at the end, 1 for a member, -1 for malformed text. */
static int cursor_next(JsonCursor *c, StrBuf *key, const char **v, const char **v_end)
{
    JsonProblem problem;
    const char *p = json_skip_ws(c->p, c->end);
    if (p >= c->end) return -1;
    if (*p == '}' || *p == ']') return 0;
    if (!c->first) {
        if (*p != ',') return -1;
        p = json_skip_ws(p + 1, c->end);
    }
    c->first = false;
    if (key) {
        const char *s_end;
        bool escapes;
        if (p >= c->end || *p != '"' || !json_scan_string(p, c->end, &s_end, &escapes, &problem)) return -1;
        strbuf_clear(key);
        json_unescape(p + 1, s_end - 1, key);
        p = json_skip_ws(s_end, c->end);
        if (p >= c->end || *p != ':') return -1;
        p = json_skip_ws(p + 1, c->end);
    }
    JsonKind kind;
    if (!json_scan_value(p, c->end, 64, &kind, v_end, &problem)) return -1;
    *v = p;
    c->p = *v_end;
    return 1;
}

/* An integer JSON value; false if it is not one. */
static bool json_int(const char *v, const char *v_end, int64_t *out)
{
    char buf[32];
    size_t n = (size_t)(v_end - v);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, v, n);
    buf[n] = '\0';
    char *end;
    long long x = strtoll(buf, &end, 10);
    if (*end != '\0') return false;
    *out = x;
    return true;
}

/* A JSON string value unescaped into out; false if it is not a string. */
static bool json_str(const char *v, const char *v_end, StrBuf *out)
{
    if (v_end - v < 2 || *v != '"') return false;
    strbuf_clear(out);
    json_unescape(v + 1, v_end - 1, out);
    return true;
}

static bool parse_column(BaselineColumn *col, const char *v, const char *v_end)
{
    JsonCursor c;
    if (!cursor_open(&c, v, v_end, '{')) return false;
    StrBuf key = STRBUF_INIT, text = STRBUF_INIT;
    const char *m, *m_end;
    int r;
    bool ok = true;
    while (ok && (r = cursor_next(&c, &key, &m, &m_end)) != 0) {
        if (r < 0) ok = false;
        else if (strcmp(strbuf_cstr(&key), "column") == 0) {
            ok = json_str(m, m_end, &text);
            if (ok) {
                mem_free(col->name);
                col->name = mem_strdup(strbuf_cstr(&text));
            }
        } else if (strcmp(strbuf_cstr(&key), "count") == 0) ok = json_int(m, m_end, &col->count);
        else if (strcmp(strbuf_cstr(&key), "nulls") == 0) ok = json_int(m, m_end, &col->nulls);
        else if (strcmp(strbuf_cstr(&key), "distinct") == 0) ok = json_int(m, m_end, &col->distinct);
    }
    strbuf_free(&key);
    strbuf_free(&text);
    return ok && col->name != NULL;
}

static bool parse_table(BaselineTable *t, const char *v, const char *v_end)
{
    JsonCursor c;
    if (!cursor_open(&c, v, v_end, '{')) return false;
    StrBuf key = STRBUF_INIT, text = STRBUF_INIT;
    const char *m, *m_end;
    int r;
    bool ok = true;
    while (ok && (r = cursor_next(&c, &key, &m, &m_end)) != 0) {
        if (r < 0) {
            ok = false;
        } else if (strcmp(strbuf_cstr(&key), "table") == 0) {
            ok = json_str(m, m_end, &text);
            if (ok) {
                mem_free(t->name);
                t->name = mem_strdup(strbuf_cstr(&text));
            }
        } else if (strcmp(strbuf_cstr(&key), "profile") == 0) {
            JsonCursor items;
            ok = cursor_open(&items, m, m_end, '[');
            const char *item, *item_end;
            int ri;
            while (ok && (ri = cursor_next(&items, NULL, &item, &item_end)) != 0) {
                if (ri < 0) {
                    ok = false;
                    break;
                }
                t->cols = mem_realloc(t->cols, sizeof *t->cols * (size_t)(t->ncols + 1));
                memset(&t->cols[t->ncols], 0, sizeof t->cols[0]);
                ok = parse_column(&t->cols[t->ncols], item, item_end);
                t->ncols++;
            }
        }
    }
    strbuf_free(&key);
    strbuf_free(&text);
    /* every column of a profile saw every row written */
    t->rows = t->ncols > 0 ? t->cols[0].count : 0;
    return ok && t->name != NULL;
}

bool quality_baseline_parse(QualityBaseline *b, const char *json, size_t len, Error *err)
{
    memset(b, 0, sizeof *b);
    const char *end = json + len;
    JsonCursor c;
    bool ok = cursor_open(&c, json, end, '{');
    StrBuf key = STRBUF_INIT;
    const char *m, *m_end;
    int r;
    while (ok && (r = cursor_next(&c, &key, &m, &m_end)) != 0) {
        if (r < 0) {
            ok = false;
        } else if (strcmp(strbuf_cstr(&key), "tables") == 0) {
            JsonCursor items;
            ok = cursor_open(&items, m, m_end, '[');
            const char *item, *item_end;
            int ri;
            while (ok && (ri = cursor_next(&items, NULL, &item, &item_end)) != 0) {
                if (ri < 0) {
                    ok = false;
                    break;
                }
                b->tables = mem_realloc(b->tables, sizeof *b->tables * (size_t)(b->ntables + 1));
                memset(&b->tables[b->ntables], 0, sizeof b->tables[0]);
                ok = parse_table(&b->tables[b->ntables], item, item_end);
                b->ntables++;
            }
        }
    }
    strbuf_free(&key);
    if (!ok) {
        quality_baseline_free(b);
        return error_set(err, ERR_DATA, "the baseline is not a kiln quality report (expected {\"tables\": [...]})");
    }
    return true;
}

void quality_baseline_free(QualityBaseline *b)
{
    for (int i = 0; i < b->ntables; i++) {
        BaselineTable *t = &b->tables[i];
        mem_free(t->name);
        for (int j = 0; j < t->ncols; j++) mem_free(t->cols[j].name);
        mem_free(t->cols);
    }
    mem_free(b->tables);
    memset(b, 0, sizeof *b);
}

bool quality_report_set_baseline(QualityReport *r, const char *json, size_t len, Error *err)
{
    QualityBaseline parsed;
    if (!quality_baseline_parse(&parsed, json, len, err)) return false;
    if (r->baseline) quality_baseline_free(r->baseline);
    else r->baseline = mem_alloc(sizeof *r->baseline);
    *r->baseline = parsed;
    return true;
}

static const BaselineTable *baseline_table(const QualityBaseline *b, const char *name)
{
    if (b == NULL) return NULL;
    for (int i = 0; i < b->ntables; i++)
        if (strcmp(b->tables[i].name, name) == 0) return &b->tables[i];
    return NULL;
}

static const BaselineColumn *baseline_column(const BaselineTable *t, const char *name)
{
    if (t == NULL) return NULL;
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0) return &t->cols[i];
    return NULL;
}

/* ---- running a check ---------------------------------------------------------------- */

/* The column's profile in this run, or NULL (table or column not written). */
static const ColumnProfile *current_column(const QualityTable *t, const char *name)
{
    if (t == NULL || !t->has_profile) return NULL;
    for (int i = 0; i < t->profile.ncols; i++)
        if (strcmp(t->profile.cols[i].name, name) == 0) return &t->profile.cols[i];
    return NULL;
}

/* Relative change from before to now in percent (now > 0 after 0 is +inf). */
static double relative_change(int64_t now, int64_t before)
{
    if (before == 0) return now == 0 ? 0 : INFINITY;
    return 100.0 * (double)(now - before) / (double)before;
}

/* Record the verdict; a fired check at level fail becomes the error. */
static bool verdict(QualityReport *r, const QualityCheckSpec *spec, bool fired, bool first_run, const char *message,
                    Error *err)
{
    QualityCheckStatus status = first_run ? QUALITY_CHECK_FIRST_RUN
                                : !fired  ? QUALITY_CHECK_PASSED
                                : spec->fail ? QUALITY_CHECK_FAILED
                                             : QUALITY_CHECK_WARNED;
    quality_report_check(r, quality_check_kind_name(spec->kind), spec->table, spec->column, status, message);
    if (status != QUALITY_CHECK_FAILED) return true;
    return error_set(err, ERR_DATA, "quality check %s on %s%s%s failed: %s", quality_check_kind_name(spec->kind),
                     spec->table, spec->column ? "." : "", spec->column ? spec->column : "", message);
}

/* Format a change in percent ("+20.0%", "-5.5%", "+inf%"). */
static void format_change(char *buf, size_t n, double change)
{
    if (isinf(change)) snprintf(buf, n, "from none");
    else snprintf(buf, n, "%+.1f%%", change);
}

static bool check_row_count(QualityReport *r, const QualityBaseline *b, const QualityCheckSpec *spec, Error *err)
{
    const QualityTable *t = quality_report_find(r, spec->table);
    int64_t now = t && t->has_profile && t->profile.ncols > 0 ? t->profile.cols[0].count : 0;
    const BaselineTable *before = baseline_table(b, spec->table);
    char msg[256];
    if (before == NULL) {
        snprintf(msg, sizeof msg, "%lld row%s; no earlier run to compare with", (long long)now, now == 1 ? "" : "s");
        return verdict(r, spec, false, true, msg, err);
    }
    double change = relative_change(now, before->rows);
    char change_text[32];
    format_change(change_text, sizeof change_text, change);
    snprintf(msg, sizeof msg, "%lld row%s vs %lld in the baseline (%s, limit %g%%)", (long long)now, now == 1 ? "" : "s",
             (long long)before->rows, change_text, spec->max_change);
    return verdict(r, spec, fabs(change) > spec->max_change, false, msg, err);
}

static bool check_column_drift(QualityReport *r, const QualityBaseline *b, const QualityCheckSpec *spec, Error *err)
{
    const QualityTable *t = quality_report_find(r, spec->table);
    const ColumnProfile *col = current_column(t, spec->column);
    if (col == NULL && t && t->has_profile)
        return error_set(err, ERR_SQL, "quality check %s: table \"%s\" has no column \"%s\"",
                         quality_check_kind_name(spec->kind), spec->table, spec->column);
    const BaselineColumn *before = baseline_column(baseline_table(b, spec->table), spec->column);
    int64_t count = col ? col->count : 0, nulls = col ? col->nulls : 0, distinct = col ? table_profile_distinct(col) : 0;
    char msg[256];
    if (spec->kind == QCHECK_NULL_RATE_DRIFT) {
        double rate = count ? 100.0 * (double)nulls / (double)count : 0;
        if (before == NULL) {
            snprintf(msg, sizeof msg, "%.1f%% NULL; no earlier run to compare with", rate);
            return verdict(r, spec, false, true, msg, err);
        }
        double before_rate = before->count ? 100.0 * (double)before->nulls / (double)before->count : 0;
        double drift = rate - before_rate;
        snprintf(msg, sizeof msg, "%.1f%% NULL vs %.1f%% in the baseline (%+.1f points, limit %g)", rate, before_rate,
                 drift, spec->max_change);
        /* a tiny epsilon so that a drift printed as exactly the limit passes */
        return verdict(r, spec, fabs(drift) > spec->max_change + 1e-9, false, msg, err);
    }
    if (before == NULL) {
        snprintf(msg, sizeof msg, "about %lld distinct values; no earlier run to compare with", (long long)distinct);
        return verdict(r, spec, false, true, msg, err);
    }
    double change = relative_change(distinct, before->distinct);
    char change_text[32];
    format_change(change_text, sizeof change_text, change);
    snprintf(msg, sizeof msg, "about %lld distinct values vs %lld in the baseline (%s, limit %g%%)",
             (long long)distinct, (long long)before->distinct, change_text, spec->max_change);
    return verdict(r, spec, fabs(change) > spec->max_change, false, msg, err);
}

static bool check_freshness(QualityReport *r, const QualityCheckSpec *spec, int64_t now, Error *err)
{
    const QualityTable *t = quality_report_find(r, spec->table);
    const ColumnProfile *col = current_column(t, spec->column);
    if (col == NULL && t && t->has_profile)
        return error_set(err, ERR_SQL, "quality check freshness: table \"%s\" has no column \"%s\"", spec->table,
                         spec->column);
    if (col && col->type.id != TYPE_DATE && col->type.id != TYPE_TIMESTAMP) {
        char tn[48];
        return error_set(err, ERR_SQL, "quality check freshness needs a date or timestamp column; %s.%s is %s",
                         spec->table, spec->column, type_name(col->type, tn, sizeof tn));
    }
    char msg[256];
    if (col == NULL || !col->has_minmax) {
        snprintf(msg, sizeof msg, "no values written");
        return verdict(r, spec, true, false, msg, err);
    }
    int64_t newest = col->type.id == TYPE_DATE ? (int64_t)col->max.u.i32 * DT_USECS_PER_DAY : col->max.u.i64;
    int64_t age = now - newest;
    Vector v;
    vector_init(&v, col->type, 1);
    value_to_vector(&col->max, &v, 0);
    StrBuf newest_text = STRBUF_INIT;
    cast_format_value(&v, 0, &newest_text);
    vector_destroy(&v);
    double age_hours = (double)age / 3600e6, limit_hours = (double)spec->max_age_micros / 3600e6;
    snprintf(msg, sizeof msg, "newest value %s is %.1f hours old (limit %.1f hours)", strbuf_cstr(&newest_text),
             age_hours, limit_hours);
    strbuf_free(&newest_text);
    return verdict(r, spec, age > spec->max_age_micros, false, msg, err);
}

bool quality_check_run(QualityReport *r, const QualityBaseline *baseline, const QualityCheckSpec *spec, int64_t now,
                       Error *err)
{
    switch (spec->kind) {
    case QCHECK_ROW_COUNT_CHANGE: return check_row_count(r, baseline, spec, err);
    case QCHECK_NULL_RATE_DRIFT:
    case QCHECK_DISTINCT_DRIFT: return check_column_drift(r, baseline, spec, err);
    case QCHECK_FRESHNESS: return check_freshness(r, spec, now, err);
    }
    return error_set(err, ERR_INTERNAL, "unknown quality check");
}
