/* report: accumulating the quality report of a run, and printing it as JSON
 * and as a short summary (see report.h).  Tables and rules are found by a
 * linear search: a job writes a handful of tables with a handful of rules. */
#include "quality/report.h"

#include <string.h>

#include "common/mem.h"
#include "quality/checks.h"
#include "formats/json/json_text.h"

void quality_report_init(QualityReport *r) { memset(r, 0, sizeof *r); }

void quality_report_free(QualityReport *r)
{
    for (int i = 0; i < r->ntables; i++) {
        QualityTable *t = &r->tables[i];
        mem_free(t->name);
        for (int j = 0; j < t->nrules; j++) mem_free(t->rules[j].rule);
        mem_free(t->rules);
        if (t->has_profile) table_profile_free(&t->profile);
    }
    mem_free(r->tables);
    for (int i = 0; i < r->nchecks; i++) {
        QualityCheckResult *c = &r->checks[i];
        mem_free(c->check);
        mem_free(c->table);
        mem_free(c->column);
        mem_free(c->message);
    }
    mem_free(r->checks);
    if (r->baseline) {
        quality_baseline_free(r->baseline);
        mem_free(r->baseline);
    }
    quality_report_init(r);
}

bool quality_report_empty(const QualityReport *r) { return r->ntables == 0 && r->nchecks == 0; }

static QualityTable *find_table(const QualityReport *r, const char *table)
{
    for (int i = 0; i < r->ntables; i++)
        if (strcmp(r->tables[i].name, table) == 0) return &r->tables[i];
    return NULL;
}

static QualityTable *get_table(QualityReport *r, const char *table)
{
    QualityTable *t = find_table(r, table);
    if (t) return t;
    if (r->ntables == r->cap_tables) {
        r->cap_tables = r->cap_tables ? r->cap_tables * 2 : 4;
        r->tables = mem_realloc(r->tables, sizeof *r->tables * (size_t)r->cap_tables);
    }
    t = &r->tables[r->ntables++];
    memset(t, 0, sizeof *t);
    t->name = mem_strdup(table);
    return t;
}

const QualityTable *quality_report_find(const QualityReport *r, const char *table) { return find_table(r, table); }

void quality_report_table_counts(QualityReport *r, const char *table, int64_t rows_in, int64_t passed,
                                 int64_t dropped, int64_t quarantined, int64_t warned)
{
    QualityTable *t = get_table(r, table);
    t->has_counts = true;
    t->rows_in += rows_in;
    t->passed += passed;
    t->dropped += dropped;
    t->quarantined += quarantined;
    t->warned += warned;
}

void quality_report_rule_count(QualityReport *r, const char *table, const char *rule, int64_t n)
{
    QualityTable *t = get_table(r, table);
    for (int i = 0; i < t->nrules; i++) {
        if (strcmp(t->rules[i].rule, rule) == 0) {
            t->rules[i].rows += n;
            return;
        }
    }
    if (t->nrules == t->cap_rules) {
        t->cap_rules = t->cap_rules ? t->cap_rules * 2 : 4;
        t->rules = mem_realloc(t->rules, sizeof *t->rules * (size_t)t->cap_rules);
    }
    t->rules[t->nrules].rule = mem_strdup(rule);
    t->rules[t->nrules].rows = n;
    t->nrules++;
}

TableProfile *quality_report_profile(QualityReport *r, const char *table, int ncols, char *const *names,
                                     const LogicalType *types)
{
    QualityTable *t = get_table(r, table);
    if (t->has_profile && !table_profile_same_schema(&t->profile, ncols, names, types)) {
        table_profile_free(&t->profile);
        t->has_profile = false;
    }
    if (!t->has_profile) {
        table_profile_init(&t->profile, ncols, names, types);
        t->has_profile = true;
    }
    return &t->profile;
}

void quality_report_check(QualityReport *r, const char *check, const char *table, const char *column,
                          QualityCheckStatus status, const char *message)
{
    if (r->nchecks == r->cap_checks) {
        r->cap_checks = r->cap_checks ? r->cap_checks * 2 : 4;
        r->checks = mem_realloc(r->checks, sizeof *r->checks * (size_t)r->cap_checks);
    }
    QualityCheckResult *c = &r->checks[r->nchecks++];
    c->check = mem_strdup(check);
    c->table = mem_strdup(table);
    c->column = mem_strdup(column ? column : "");
    c->status = status;
    c->message = mem_strdup(message ? message : "");
}

bool quality_report_failed(const QualityReport *r)
{
    for (int i = 0; i < r->nchecks; i++)
        if (r->checks[i].status == QUALITY_CHECK_FAILED) return true;
    return false;
}

const char *quality_check_status_name(QualityCheckStatus status)
{
    switch (status) {
    case QUALITY_CHECK_PASSED: return "passed";
    case QUALITY_CHECK_FIRST_RUN: return "first_run";
    case QUALITY_CHECK_WARNED: return "warned";
    case QUALITY_CHECK_FAILED: return "failed";
    }
    return "?";
}

static void append_key_string(StrBuf *out, const char *key, const char *value)
{
    strbuf_printf(out, "\"%s\":", key);
    json_append_string(out, value, strlen(value));
}

void quality_report_to_json(const QualityReport *r, StrBuf *out)
{
    strbuf_puts(out, "{\"tables\":[");
    for (int i = 0; i < r->ntables; i++) {
        const QualityTable *t = &r->tables[i];
        if (i) strbuf_putc(out, ',');
        strbuf_putc(out, '{');
        append_key_string(out, "table", t->name);
        if (t->has_counts) {
            strbuf_printf(out, ",\"rows_in\":%lld,\"passed\":%lld,\"dropped\":%lld,\"quarantined\":%lld,\"warned\":%lld",
                          (long long)t->rows_in, (long long)t->passed, (long long)t->dropped,
                          (long long)t->quarantined, (long long)t->warned);
        }
        strbuf_puts(out, ",\"rules\":[");
        for (int j = 0; j < t->nrules; j++) {
            if (j) strbuf_putc(out, ',');
            strbuf_putc(out, '{');
            append_key_string(out, "rule", t->rules[j].rule);
            strbuf_printf(out, ",\"rows\":%lld}", (long long)t->rules[j].rows);
        }
        strbuf_putc(out, ']');
        if (t->has_profile) {
            strbuf_puts(out, ",\"profile\":");
            table_profile_to_json(&t->profile, out);
        }
        strbuf_putc(out, '}');
    }
    strbuf_puts(out, "],\"checks\":[");
    for (int i = 0; i < r->nchecks; i++) {
        const QualityCheckResult *c = &r->checks[i];
        if (i) strbuf_putc(out, ',');
        strbuf_putc(out, '{');
        append_key_string(out, "check", c->check);
        strbuf_putc(out, ',');
        append_key_string(out, "table", c->table);
        strbuf_puts(out, ",\"column\":");
        if (c->column[0]) json_append_string(out, c->column, strlen(c->column));
        else strbuf_puts(out, "null");
        strbuf_putc(out, ',');
        append_key_string(out, "status", quality_check_status_name(c->status));
        strbuf_putc(out, ',');
        append_key_string(out, "message", c->message);
        strbuf_putc(out, '}');
    }
    strbuf_puts(out, "]}");
}

/* Rows of a profiled table: every column saw every row. */
static int64_t profile_rows(const TableProfile *p) { return p->ncols > 0 ? p->cols[0].count : 0; }

void quality_report_print_summary(const QualityReport *r, FILE *out)
{
    for (int i = 0; i < r->ntables; i++) {
        const QualityTable *t = &r->tables[i];
        fprintf(out, "quality: %s:", t->name);
        /* a table where every row passed says only how many were written */
        bool eventful = t->has_counts && (t->dropped || t->quarantined || t->warned || t->nrules || t->rows_in != t->passed);
        if (t->has_counts && !eventful) {
            int64_t rows = t->has_profile ? profile_rows(&t->profile) : t->passed;
            fprintf(out, " %lld row%s written", (long long)rows, rows == 1 ? "" : "s");
        } else if (t->has_counts) {
            fprintf(out, " %lld row%s in, %lld passed", (long long)t->rows_in, t->rows_in == 1 ? "" : "s", (long long)t->passed);
            if (t->dropped) fprintf(out, ", %lld dropped", (long long)t->dropped);
            if (t->quarantined) fprintf(out, ", %lld quarantined", (long long)t->quarantined);
            if (t->warned) fprintf(out, ", %lld warned", (long long)t->warned);
        } else if (t->has_profile) {
            int64_t rows = profile_rows(&t->profile);
            fprintf(out, " %lld row%s written", (long long)rows, rows == 1 ? "" : "s");
        }
        for (int j = 0; j < t->nrules; j++)
            fprintf(out, "%s%s %lld", j ? ", " : " (", t->rules[j].rule, (long long)t->rules[j].rows);
        if (t->nrules) fputc(')', out);
        /* the columns with NULLs are what a reader looks for first */
        if (t->has_profile) {
            bool any = false;
            for (int c = 0; c < t->profile.ncols; c++) {
                const ColumnProfile *col = &t->profile.cols[c];
                if (col->nulls == 0) continue;
                fprintf(out, "%s%s %lld", any ? ", " : "; nulls: ", col->name, (long long)col->nulls);
                any = true;
            }
        }
        fputc('\n', out);
    }
    for (int i = 0; i < r->nchecks; i++) {
        const QualityCheckResult *c = &r->checks[i];
        fprintf(out, "quality check %s on %s%s%s: %s", c->check, c->table, c->column[0] ? "." : "", c->column,
                quality_check_status_name(c->status));
        if (c->message[0]) fprintf(out, " (%s)", c->message);
        fputc('\n', out);
    }
}
