/* logical_date: the logical date (ds) a run is for, and the built-in
 * parameters derived from it.
 *
 * A logical date is written YYYY-MM-DD.  Each job attempt receives these
 * parameters (usable as {{ name }} in the SQL file and inside the values of
 * the job's `params` in kiln.yaml):
 *
 *   ds          2026-11-24
 *   ds_nodash   20261124
 *   prev_ds     2026-11-23
 *   next_ds     2026-11-25
 *   ts          2026-11-24T00:00:00     (the start of the logical day)
 *   try_number  1, 2, ...               (the attempt; not in param templates)
 *
 * Nothing here allocates except sched_expand_template's StrBuf. */
#ifndef KILN_SCHED_LOGICAL_DATE_H
#define KILN_SCHED_LOGICAL_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"

/* Names a job's own params may not use. */
bool sched_is_builtin_param(const char *name);
/* Parse a strict YYYY-MM-DD (a real calendar day, years 1000-9999) into days
 * since 1970-01-01. ERR_USAGE naming what (e.g. "--ds") otherwise. */
bool sched_parse_ds(const char *text, const char *what, int64_t *days, Error *err);
/* Format days as YYYY-MM-DD into buf (at least 11 bytes). */
void sched_format_ds(int64_t days, char *buf);

/* The template variables of one logical date, and the key its runs are
 * recorded under: ds, or YYYY-MM-DDTHH:MM for a scheduled job that runs
 * more than once a day (sched/scheduler_tz.h). */
typedef struct LogicalDate {
    char ds[11], ds_nodash[9], prev_ds[11], next_ds[11], ts[20];
    char key[20];
} LogicalDate;

/* Fill ld from days. */
void sched_logical_date(int64_t days, LogicalDate *ld);
/* The value of built-in variable name for ld, or NULL if name is not one. */
const char *sched_logical_date_var(const LogicalDate *ld, const char *name);
/* Append text to out with each {{ name }} of a logical-date variable
 * replaced; any other {{ name }} is ERR_USAGE (what names the value). */
bool sched_expand_template(const char *text, const LogicalDate *ld, const char *what, StrBuf *out, Error *err);

#endif
