/* scheduler_db: SQLite statements on the scheduler's tables.  See
 * scheduler_db.h. */
#include "sched/scheduler_db.h"
#include "sched/state_sql.h"

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "common/mem.h"
#include "sched/clock.h"

struct SchedDb {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS scheduler_jobs (job TEXT PRIMARY KEY, last_fire INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS scheduler_fires (\n"
    "  job TEXT NOT NULL, key TEXT NOT NULL, fire_at INTEGER NOT NULL, logical_at INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, pid INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (job, key));\n"
    "CREATE TABLE IF NOT EXISTS scheduler_events (\n"
    "  id INTEGER PRIMARY KEY, at TEXT NOT NULL, pid INTEGER NOT NULL, event TEXT NOT NULL, job TEXT, key TEXT,\n"
    "  message TEXT);\n";

bool sched_db_open(const char *path, SchedDb **out, Error *err)
{
    *out = NULL;
    SchedDb *s = mem_calloc(1, sizeof *s);
    s->path = mem_strdup(path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        state_sql_error(s->db, s->path, err, "open");
        sched_db_close(s);
        return false;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (!state_sql_exec(s->db, s->path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err) || !state_sql_exec(s->db, s->path, schema, err)) {
        sched_db_close(s);
        return false;
    }
    *out = s;
    return true;
}

void sched_db_close(SchedDb *s)
{
    if (s == NULL) return;
    sqlite3_close(s->db);
    mem_free(s->path);
    mem_free(s);
}

bool sched_db_event(SchedDb *s, int64_t at, const char *event, const char *job, const char *key, const char *message,
                    Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "INSERT INTO scheduler_events (at, pid, event, job, key, message) VALUES (?, ?, ?, ?, ?, ?)",
                 &stmt, err)) {
        return false;
    }
    char when[32];
    sched_format_utc(at, when);
    state_sql_bind_text(stmt, 1, when);
    sqlite3_bind_int64(stmt, 2, (int64_t)getpid());
    state_sql_bind_text(stmt, 3, event);
    state_sql_bind_text(stmt, 4, job);
    state_sql_bind_text(stmt, 5, key);
    state_sql_bind_text(stmt, 6, message);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool sched_db_last_fire(SchedDb *s, const char *job, int64_t *last, bool *found, Error *err)
{
    *found = false;
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "SELECT last_fire FROM scheduler_jobs WHERE job = ?", &stmt, err)) return false;
    state_sql_bind_text(stmt, 1, job);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *last = sqlite3_column_int64(stmt, 0);
        *found = true;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return state_sql_error(s->db, s->path, err, "read");
    return true;
}

static bool set_last(SchedDb *s, const char *job, int64_t last, Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "INSERT INTO scheduler_jobs (job, last_fire) VALUES (?, ?) "
                 "ON CONFLICT (job) DO UPDATE SET last_fire = max(last_fire, excluded.last_fire)",
                 &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, job);
    sqlite3_bind_int64(stmt, 2, last);
    return state_sql_step_done(s->db, s->path, stmt, err);
}

bool sched_db_set_last_fire(SchedDb *s, const char *job, int64_t last, Error *err) { return set_last(s, job, last, err); }

bool sched_db_queue(SchedDb *s, const char *job, const char *key, int64_t fire_at, int64_t logical_at, bool *queued,
                    Error *err)
{
    *queued = false;
    if (!state_sql_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return false;
    sqlite3_stmt *stmt;
    bool ok = state_sql_prepare(s->db, s->path,
                      "INSERT INTO scheduler_fires (job, key, fire_at, logical_at, status) VALUES (?, ?, ?, ?, 'queued') "
                      "ON CONFLICT (job, key) DO NOTHING",
                      &stmt, err);
    if (ok) {
        state_sql_bind_text(stmt, 1, job);
        state_sql_bind_text(stmt, 2, key);
        sqlite3_bind_int64(stmt, 3, fire_at);
        sqlite3_bind_int64(stmt, 4, logical_at);
        ok = state_sql_step_done(s->db, s->path, stmt, err);
        if (ok) *queued = sqlite3_changes(s->db) > 0;
    }
    if (ok) ok = set_last(s, job, fire_at, err);
    if (!ok) {
        Error ignored = ERROR_INIT;
        state_sql_exec(s->db, s->path, "ROLLBACK", &ignored);
        *queued = false;
        return false;
    }
    return state_sql_exec(s->db, s->path, "COMMIT", err);
}

bool sched_db_fires(SchedDb *s, const char *status, SchedFire **fires, int *count, Error *err)
{
    *fires = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path,
                 "SELECT job, key, status, fire_at, logical_at, tries, pid FROM scheduler_fires WHERE status = ? "
                 "ORDER BY fire_at, job",
                 &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, status);
    int rc, cap = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            *fires = mem_realloc(*fires, sizeof **fires * (size_t)cap);
        }
        SchedFire *f = &(*fires)[(*count)++];
        memset(f, 0, sizeof *f);
        snprintf(f->job, sizeof f->job, "%s", (const char *)sqlite3_column_text(stmt, 0));
        snprintf(f->key, sizeof f->key, "%s", (const char *)sqlite3_column_text(stmt, 1));
        snprintf(f->status, sizeof f->status, "%s", (const char *)sqlite3_column_text(stmt, 2));
        f->fire_at = sqlite3_column_int64(stmt, 3);
        f->logical_at = sqlite3_column_int64(stmt, 4);
        f->tries = sqlite3_column_int(stmt, 5);
        f->pid = sqlite3_column_int64(stmt, 6);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        mem_free(*fires);
        *fires = NULL;
        *count = 0;
        return state_sql_error(s->db, s->path, err, "read");
    }
    return true;
}

bool sched_db_update(SchedDb *s, const char *job, const char *key, const char *status, int tries, int64_t pid,
                     Error *err)
{
    sqlite3_stmt *stmt;
    if (!state_sql_prepare(s->db, s->path, "UPDATE scheduler_fires SET status = ?, tries = ?, pid = ? WHERE job = ? AND key = ?", &stmt, err)) {
        return false;
    }
    state_sql_bind_text(stmt, 1, status);
    sqlite3_bind_int(stmt, 2, tries);
    sqlite3_bind_int64(stmt, 3, pid);
    state_sql_bind_text(stmt, 4, job);
    state_sql_bind_text(stmt, 5, key);
    return state_sql_step_done(s->db, s->path, stmt, err);
}
