/* run_quality: the quality report at the end of `kiln run` (quality/report.h):
 * the baseline an earlier run left (--baseline FILE) goes into the session
 * before the job, and after it the summary goes to stderr and the JSON to
 * --report FILE (written atomically, so a reader never sees half a report).
 * The report is written for failed runs too: it says what failed. */
#include <string.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "io/fs.h"
#include "quality/checks.h"
#include "quality/report.h"

bool cli_quality_load_baseline(Session *s, const char *path, Error *err)
{
    char *data;
    size_t n;
    if (!fs_read_all(path, &data, &n, err)) return false;
    bool ok = quality_report_set_baseline(session_quality_report(s), data, n, err);
    mem_free(data);
    if (!ok) error_prefix(err, "--baseline %s", path);
    return ok;
}

bool cli_quality_finish(Session *s, const char *path, bool quiet, Error *err)
{
    const QualityReport *report = session_quality_report(s);
    if (!quiet) quality_report_print_summary(report, stderr);
    if (path == NULL) return true;
    StrBuf json = STRBUF_INIT;
    quality_report_to_json(report, &json);
    strbuf_putc(&json, '\n');
    FsWriter *w = fs_open_write(path, err);
    bool ok = w && fs_writer_write(w, json.data, json.len, err);
    if (w) {
        if (ok) ok = fs_writer_commit(w, err);
        else fs_writer_abort(w);
    }
    strbuf_free(&json);
    if (!ok) error_prefix(err, "--report %s", path);
    return ok;
}
