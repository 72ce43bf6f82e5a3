/* state: SQLite storage of runs and attempts.  Each write is one statement
 * (autocommit) or a short BEGIN IMMEDIATE transaction, so a crash leaves the
 * database consistent and other processes wait at most a moment (busy
 * timeout 10 s).  See state.h for the tables and the recovery rule. */
#include "sched/state.h"
#include "sched/state_sql.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "common/mem.h"

struct StateDb {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs (\n"
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, args TEXT NOT NULL DEFAULT '', pid INTEGER NOT NULL,\n"
    "  started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS attempts (\n"
    "  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), job TEXT NOT NULL, ds TEXT NOT NULL,\n"
    "  attempt INTEGER NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,\n"
    "  started_epoch REAL NOT NULL, seconds REAL, exit_code INTEGER, rows INTEGER, error TEXT, log_path TEXT);\n"
    "CREATE INDEX IF NOT EXISTS attempts_job_ds ON attempts(job, ds);\n"
    "CREATE TABLE IF NOT EXISTS tasks (\n"
    "  job TEXT NOT NULL, ds TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  run_id INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (job, ds));\n"
    "CREATE TABLE IF NOT EXISTS quality_reports (\n"
    "  attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id), job TEXT NOT NULL, ds TEXT NOT NULL,\n"
    "  success INTEGER NOT NULL, report TEXT NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS quality_reports_job_ds ON quality_reports(job, ds);\n";

static double now_epoch(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* mkdir -p of the folder that holds path. */
static bool make_parent(const char *path, Error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) return true;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            return error_set(err, ERR_IO, "could not create folder \"%s\": %s", dir, strerror(errno));
        }
        *p = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return error_set(err, ERR_IO, "could not create folder \"%s\": %s", dir, strerror(errno));
    }
    return true;
}

bool state_open(const char *path, StateDb **out, Error *err)
{
    *out = NULL;
    if (!make_parent(path, err)) return false;
    StateDb *s = mem_calloc(1, sizeof *s);
    s->path = mem_strdup(path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        state_sql_error(s->db, s->path, err, "open");
        state_close(s);
        return false;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (!state_sql_exec(s->db, s->path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err) || !state_sql_exec(s->db, s->path, schema, err)) {
        state_close(s);
        return false;
    }
    *out = s;
    return true;
}

void state_close(StateDb *s)
{
    if (s == NULL) return;
    sqlite3_close(s->db);
    mem_free(s->path);
    mem_free(s);
}

static bool process_alive(int64_t pid)
{
    if (pid <= 0) return false;
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return false;
    /* a zombie (dead, not yet reaped: an init that does not reap, as in
     * some containers) is not alive */
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

bool state_recover(StateDb *s, int *count, Error *err)
{
    if (count) *count = 0;
    if (!state_sql_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return false;
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "SELECT id, pid FROM runs WHERE status = 'running'", &stmt, err)) {
        state_sql_exec(s->db, s->path, "ROLLBACK", err);
        return false;
    }
    int64_t dead[64];
    int ndead = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW && ndead < 64) {
        int64_t pid = sqlite3_column_int64(stmt, 1);
        if (pid == (int64_t)getpid() || !process_alive(pid)) dead[ndead++] = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    char when[32];
    now_iso(when, sizeof when);
    bool ok = true;
    for (int i = 0; i < ndead && ok; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "UPDATE runs SET status = 'interrupted', ended_at = '%s' WHERE id = %lld;"
                 "UPDATE attempts SET status = 'interrupted', ended_at = '%s', error = 'the run was interrupted'"
                 " WHERE run_id = %lld AND status = 'running';"
                 "UPDATE tasks SET status = 'interrupted', updated_at = '%s' WHERE run_id = %lld AND status = 'running';",
                 when, (long long)dead[i], when, (long long)dead[i], when, (long long)dead[i]);
        ok = state_sql_exec(s->db, s->path, sql, err);
    }
    if (!ok) {
        Error ignored = ERROR_INIT;
        state_sql_exec(s->db, s->path, "ROLLBACK", &ignored);
        return false;
    }
    if (count) *count = ndead;
    return state_sql_exec(s->db, s->path, "COMMIT", err);
}

bool state_begin_run(StateDb *s, const char *kind, const char *args, int64_t *run_id, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "INSERT INTO runs (kind, args, pid, started_at, status) VALUES (?, ?, ?, ?, 'running')", &stmt,
                 err)) {
        return false;
    }
    char when[32];
    now_iso(when, sizeof when);
    state_sql_bind_text(stmt, 1, kind);
    state_sql_bind_text(stmt, 2, args ? args : "");
    sqlite3_bind_int64(stmt, 3, (int64_t)getpid());
    state_sql_bind_text(stmt, 4, when);
    if (!state_sql_step_done(s->db, s->path, stmt, err)) return false;
    *run_id = sqlite3_last_insert_rowid(s->db);
    return true;
}

bool state_end_run(StateDb *s, int64_t run_id, const char *status, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "UPDATE runs SET status = ?, ended_at = ? WHERE id = ?", &stmt, err)) return false;
    char when[32];
    now_iso(when, sizeof when);
    state_sql_bind_text(stmt, 1, status);
    state_sql_bind_text(stmt, 2, when);
    sqlite3_bind_int64(stmt, 3, run_id);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool state_task_status(StateDb *s, const char *job, const char *ds, char *status, Error *err)
{
    status[0] = '\0';
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "SELECT status FROM tasks WHERE job = ? AND ds = ?", &stmt, err)) return false;
    state_sql_bind_text(stmt, 1, job);
    state_sql_bind_text(stmt, 2, ds);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) snprintf(status, 32, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return state_sql_error(s->db, s->path, err, "read");
    return true;
}

bool state_claim_task(StateDb *s, int64_t run_id, const char *job, const char *ds, bool *claimed, Error *err)
{
    *claimed = false;
    if (!state_sql_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return false;
    sqlite3_stmt *stmt;
    bool ok = state_sql_prepare(s->db, s->path,
                      "SELECT t.status, t.run_id, r.pid FROM tasks t LEFT JOIN runs r ON r.id = t.run_id "
                      "WHERE t.job = ? AND t.ds = ?",
                      &stmt, err);
    bool busy = false;
    if (ok) {
        state_sql_bind_text(stmt, 1, job);
        state_sql_bind_text(stmt, 2, ds);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *status = (const char *)sqlite3_column_text(stmt, 0);
            int64_t other = sqlite3_column_int64(stmt, 1);
            int64_t pid = sqlite3_column_int64(stmt, 2);
            busy = strcmp(status, "running") == 0 && other != run_id && pid != (int64_t)getpid() &&
                   process_alive(pid);
        }
        sqlite3_finalize(stmt);
    }
    if (ok && !busy) {
        char when[32];
        now_iso(when, sizeof when);
        ok = state_sql_prepare(s->db, s->path,
                     "INSERT INTO tasks (job, ds, status, attempts, run_id, updated_at) VALUES (?, ?, 'running', 0, ?, ?) "
                     "ON CONFLICT (job, ds) DO UPDATE SET status = 'running', attempts = 0, run_id = excluded.run_id, "
                     "updated_at = excluded.updated_at",
                     &stmt, err);
        if (ok) {
            state_sql_bind_text(stmt, 1, job);
            state_sql_bind_text(stmt, 2, ds);
            sqlite3_bind_int64(stmt, 3, run_id);
            state_sql_bind_text(stmt, 4, when);
            ok = state_sql_step_done(s->db, s->path, stmt, err);
        }
    }
    if (!ok) {
        Error ignored = ERROR_INIT;
        state_sql_exec(s->db, s->path, "ROLLBACK", &ignored);
        return false;
    }
    *claimed = !busy;
    return state_sql_exec(s->db, s->path, "COMMIT", err);
}

bool state_attempt_start(StateDb *s, int64_t run_id, const char *job, const char *ds, int attempt,
                         const char *log_path, int64_t *attempt_id, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "INSERT INTO attempts (run_id, job, ds, attempt, status, started_at, started_epoch, log_path) "
                 "VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                 &stmt, err)) {
        return false;
    }
    char when[32];
    now_iso(when, sizeof when);
    sqlite3_bind_int64(stmt, 1, run_id);
    state_sql_bind_text(stmt, 2, job);
    state_sql_bind_text(stmt, 3, ds);
    sqlite3_bind_int(stmt, 4, attempt);
    state_sql_bind_text(stmt, 5, when);
    sqlite3_bind_double(stmt, 6, now_epoch());
    state_sql_bind_text(stmt, 7, log_path);
    if (!state_sql_step_done(s->db, s->path, stmt, err)) return false;
    *attempt_id = sqlite3_last_insert_rowid(s->db);
    if (!state_sql_prepare(s->db, s->path, "UPDATE tasks SET attempts = ?, updated_at = ? WHERE job = ? AND ds = ?", &stmt, err)) return false;
    sqlite3_bind_int(stmt, 1, attempt);
    state_sql_bind_text(stmt, 2, when);
    state_sql_bind_text(stmt, 3, job);
    state_sql_bind_text(stmt, 4, ds);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool state_attempt_end(StateDb *s, int64_t attempt_id, const char *status, int exit_code, int64_t rows,
                       const char *error, bool final, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "UPDATE attempts SET status = ?, ended_at = ?, seconds = ? - started_epoch, exit_code = ?, "
                 "rows = ?, error = ? WHERE id = ?",
                 &stmt, err)) {
        return false;
    }
    char when[32];
    now_iso(when, sizeof when);
    state_sql_bind_text(stmt, 1, status);
    state_sql_bind_text(stmt, 2, when);
    sqlite3_bind_double(stmt, 3, now_epoch());
    if (exit_code >= 0) sqlite3_bind_int(stmt, 4, exit_code);
    else sqlite3_bind_null(stmt, 4);
    if (rows >= 0) sqlite3_bind_int64(stmt, 5, rows);
    else sqlite3_bind_null(stmt, 5);
    state_sql_bind_text(stmt, 6, error && error[0] ? error : NULL);
    sqlite3_bind_int64(stmt, 7, attempt_id);
    if (!state_sql_step_done(s->db, s->path, stmt, err)) return false;
    if (!final) return true;
    if (!state_sql_prepare(s->db, s->path,
                 "UPDATE tasks SET status = ?, updated_at = ? "
                 "WHERE (job, ds) = (SELECT job, ds FROM attempts WHERE id = ?)",
                 &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, status);
    state_sql_bind_text(stmt, 2, when);
    sqlite3_bind_int64(stmt, 3, attempt_id);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool state_quality_save(StateDb *s, int64_t attempt_id, const char *job, const char *ds, bool success,
                        const char *report, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "INSERT OR REPLACE INTO quality_reports (attempt_id, job, ds, success, report) VALUES (?, ?, ?, ?, ?)",
                 &stmt, err))
        return false;
    sqlite3_bind_int64(stmt, 1, attempt_id);
    state_sql_bind_text(stmt, 2, job);
    state_sql_bind_text(stmt, 3, ds);
    sqlite3_bind_int(stmt, 4, success ? 1 : 0);
    state_sql_bind_text(stmt, 5, report);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool state_quality_baseline(StateDb *s, const char *job, const char *ds, char **report, Error *err)
{
    sqlite3_stmt *stmt;
    *report = NULL;
    if (!state_sql_prepare(s->db, s->path,
                 "SELECT report FROM quality_reports WHERE job = ? AND ds < ? AND success = 1 "
                 "ORDER BY ds DESC, attempt_id DESC LIMIT 1",
                 &stmt, err))
        return false;
    state_sql_bind_text(stmt, 1, job);
    state_sql_bind_text(stmt, 2, ds);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *report = mem_strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return state_sql_error(s->db, s->path, err, "read");
    return true;
}

bool state_quality_report(StateDb *s, const char *job, const char *ds, char **report, Error *err)
{
    sqlite3_stmt *stmt;
    *report = NULL;
    if (!state_sql_prepare(s->db, s->path, "SELECT report FROM quality_reports WHERE job = ? AND ds = ? ORDER BY attempt_id DESC LIMIT 1",
                 &stmt, err))
        return false;
    state_sql_bind_text(stmt, 1, job);
    state_sql_bind_text(stmt, 2, ds);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *report = mem_strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return state_sql_error(s->db, s->path, err, "read");
    return true;
}

bool state_task_upstream_failed(StateDb *s, int64_t run_id, const char *job, const char *ds, const char *upstream,
                                Error *err)
{
    char message[512];
    snprintf(message, sizeof message, "not run: upstream job \"%s\" failed", upstream);
    int64_t id;
    if (!state_attempt_start(s, run_id, job, ds, 0, NULL, &id, err)) return false;
    return state_attempt_end(s, id, "upstream_failed", -1, -1, message, true, err);
}

static const char *col_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    return t ? (const char *)t : "";
}

static bool list_rows(StateDb *s, sqlite3_stmt *stmt, void (*fn)(void *ctx, const StateAttempt *a), void *ctx,
                      Error *err)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        StateAttempt a = {
            .run_id = sqlite3_column_int64(stmt, 0),
            .job = col_text(stmt, 1),
            .ds = col_text(stmt, 2),
            .attempt = sqlite3_column_int(stmt, 3),
            .status = col_text(stmt, 4),
            .started_at = col_text(stmt, 5),
            .ended_at = col_text(stmt, 6),
            .seconds = sqlite3_column_double(stmt, 7),
            .exit_code = sqlite3_column_type(stmt, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 8),
            .rows = sqlite3_column_type(stmt, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 9),
            .error = col_text(stmt, 10),
            .log_path = col_text(stmt, 11),
        };
        fn(ctx, &a);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return state_sql_error(s->db, s->path, err, "read");
    return true;
}

#define ATTEMPT_COLUMNS \
    "run_id, job, ds, attempt, status, started_at, ended_at, seconds, exit_code, rows, error, log_path"

bool state_list_attempts(StateDb *s, const char *job, const char *ds, int limit,
                         void (*fn)(void *ctx, const StateAttempt *a), void *ctx, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "SELECT " ATTEMPT_COLUMNS " FROM attempts WHERE (?1 IS NULL OR job = ?1) AND (?2 IS NULL OR ds = ?2) "
                 "ORDER BY id DESC LIMIT ?3",
                 &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, job);
    state_sql_bind_text(stmt, 2, ds);
    sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
    return list_rows(s, stmt, fn, ctx, err);
}

bool state_list_latest(StateDb *s, const char *ds, void (*fn)(void *ctx, const StateAttempt *a), void *ctx,
                       Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "SELECT " ATTEMPT_COLUMNS " FROM attempts a WHERE ds = ?1 AND id = "
                 "(SELECT max(id) FROM attempts b WHERE b.job = a.job AND b.ds = a.ds) ORDER BY job",
                 &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, ds);
    return list_rows(s, stmt, fn, ctx, err);
}
