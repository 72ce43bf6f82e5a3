/* checks_stmt: the CALL statement of kiln's quality checks (checks.h):
 *
 *   CALL kiln_check('row_count_change', 'orders', max_change => '20%', level => 'fail')
 *
 * Arguments are constants: the check's name and its target ('table' or
 * 'table.column') by position, then max_change / max_age / level by name.
 * The check runs at once against the session's quality report and baseline;
 * the freshness reference is the end of the run's logical day (RunContext)
 * or the local time now. */
#include <string.h>
#include <time.h>

#include "quality/checks.h"
#include "sql/session_internal.h"
#include "types/datetime.h"

/* Local wall-clock time in microseconds since 1970 (as now()::timestamp). */
static int64_t local_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    return ((int64_t)timegm(&tm)) * 1000000 + ts.tv_nsec / 1000;
}

/* The freshness reference: midnight after the logical date, else now. */
static bool reference_time(Session *s, int64_t *out, Error *err)
{
    const RunContext *run = session_run_context(s);
    if (run->logical_date == NULL) {
        *out = local_now();
        return true;
    }
    Vector v;
    vector_init(&v, type_make(TYPE_DATE), 1);
    bool ok = cast_parse_text(run->logical_date, strlen(run->logical_date), &v, 0, err);
    if (ok) *out = ((int64_t)VEC_DATA(&v, int32_t)[0] + 1) * DT_USECS_PER_DAY;
    else error_prefix(err, "logical date of the run");
    vector_destroy(&v);
    return ok;
}

bool stmt_call(StmtContext *sc, PgQuery__CallStmt *stmt, Error *err)
{
    PgQuery__FuncCall *fc = stmt->funccall;
    Binder *b = &sc->binder;
    if (fc == NULL || fc->n_funcname == 0) return error_set(err, ERR_SQL, "CALL needs a procedure");
    const char *name = fc->funcname[fc->n_funcname - 1]->string->sval;
    int pos = bind_pos(b, fc->location);
    if (strcmp(name, "kiln_check") != 0 || fc->n_funcname != 1)
        return error_set_at(err, ERR_SQL, pos, "procedure %s does not exist (kiln knows CALL kiln_check(...))", name);
    char *positional[2] = {NULL, NULL};
    int npositional = 0;
    char *max_change = NULL, *max_age = NULL, *level = NULL;
    for (size_t i = 0; i < fc->n_args; i++) {
        PgQuery__Node *a = fc->args[i];
        if (a->node_case != PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            if (npositional == 2 || i != (size_t)npositional)
                return error_set_at(err, ERR_SQL, pos,
                                    "kiln_check takes the check and its target by position, the rest by name");
            if (!bind_constant_text(b, a, &positional[npositional], err)) return false;
            npositional++;
            continue;
        }
        const char *opt = a->named_arg_expr->name;
        char **slot = strcmp(opt, "max_change") == 0 ? &max_change
                      : strcmp(opt, "max_age") == 0  ? &max_age
                      : strcmp(opt, "level") == 0    ? &level
                                                     : NULL;
        if (slot == NULL)
            return error_set_at(err, ERR_SQL, bind_pos(b, a->named_arg_expr->location),
                                "kiln_check: option \"%s\" not recognized (max_change, max_age, level)", opt);
        if (!bind_constant_text(b, (PgQuery__Node *)a->named_arg_expr->arg, slot, err)) return false;
    }
    if (npositional != 2 || positional[0] == NULL || positional[1] == NULL)
        return error_set_at(err, ERR_SQL, pos, "kiln_check needs a check name and a target: kiln_check('row_count_change', 'orders', ...)");
    QualityCheckSpec spec;
    memset(&spec, 0, sizeof spec);
    if (!quality_check_kind_from_name(positional[0], &spec.kind))
        return error_set_at(err, ERR_SQL, pos,
                            "unknown quality check \"%s\" (row_count_change, null_rate_drift, distinct_drift, freshness)",
                            positional[0]);
    const char *kind = quality_check_kind_name(spec.kind);
    char *target = positional[1];
    char *dot = strchr(target, '.');
    if (quality_check_needs_column(spec.kind)) {
        if (dot == NULL || dot == target || dot[1] == '\0')
            return error_set_at(err, ERR_SQL, pos, "%s needs a column: kiln_check('%s', 'table.column', ...)", kind, kind);
        *dot = '\0';
        spec.column = dot + 1;
    } else if (dot != NULL) {
        return error_set_at(err, ERR_SQL, pos, "%s checks a table, not a column: kiln_check('%s', 'table', ...)", kind,
                            kind);
    }
    spec.table = target;
    spec.fail = true;
    if (level != NULL) {
        if (strcmp(level, "fail") != 0 && strcmp(level, "warn") != 0)
            return error_set_at(err, ERR_SQL, pos, "kiln_check: level must be 'fail' or 'warn', not '%s'", level);
        spec.fail = strcmp(level, "fail") == 0;
    }
    if (spec.kind == QCHECK_FRESHNESS) {
        if (max_change) return error_set_at(err, ERR_SQL, pos, "freshness takes max_age, not max_change");
        if (max_age == NULL) return error_set_at(err, ERR_SQL, pos, "freshness needs max_age => '2 days'");
        if (!quality_parse_age(max_age, &spec.max_age_micros))
            return error_set_at(err, ERR_SQL, pos, "kiln_check: max_age \"%s\" is not a positive interval", max_age);
    } else {
        if (max_age) return error_set_at(err, ERR_SQL, pos, "%s takes max_change, not max_age", kind);
        if (max_change == NULL) return error_set_at(err, ERR_SQL, pos, "%s needs max_change => '20%%'", kind);
        if (!quality_parse_percent(max_change, &spec.max_change))
            return error_set_at(err, ERR_SQL, pos, "kiln_check: max_change \"%s\" is not a percentage such as '20%%'",
                                max_change);
    }
    int64_t now = 0;
    if (spec.kind == QCHECK_FRESHNESS && !reference_time(sc->session, &now, err)) return false;
    QualityReport *report = &sc->session->quality;
    if (!quality_check_run(report, report->baseline, &spec, now, err)) {
        if (err->kind == ERR_SQL && err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    snprintf(sc->session->status, sizeof sc->session->status, "CALL");
    return true;
}
