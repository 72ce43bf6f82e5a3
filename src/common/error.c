/* error: filling and decorating Error records (see error.h). */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(Error *err)
{
    err->kind = ERR_NONE;
    err->sql_pos = -1;
    err->line = 0;
    err->column = 0;
    err->file[0] = '\0';
    err->message[0] = '\0';
    err->sql_pos_is_statement = false;
}

static void set_message(Error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->message, sizeof err->message, fmt, ap);
}

bool error_set(Error *err, ErrorKind kind, const char *fmt, ...)
{
    if (err == NULL) return false;
    error_clear(err);
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return false;
}

bool error_set_at(Error *err, ErrorKind kind, int sql_pos, const char *fmt, ...)
{
    if (err == NULL) return false;
    error_clear(err);
    err->kind = kind;
    err->sql_pos = sql_pos;
    va_list ap;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return false;
}

void error_set_location(Error *err, const char *file, int64_t line, int64_t column)
{
    if (err == NULL) return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
}

void error_prefix(Error *err, const char *fmt, ...)
{
    if (err == NULL) return;
    char prefix[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[ERROR_MSG_MAX];
    memcpy(old, err->message, sizeof old);
    size_t plen = strlen(prefix);
    if (plen > ERROR_MSG_MAX - 3) plen = ERROR_MSG_MAX - 3;
    memcpy(err->message, prefix, plen);
    memcpy(err->message + plen, ": ", 2);
    size_t room = ERROR_MSG_MAX - plen - 3;
    size_t olen = strlen(old);
    if (olen > room) olen = room;
    memcpy(err->message + plen + 2, old, olen);
    err->message[plen + 2 + olen] = '\0';
}

int error_exit_code(const Error *err)
{
    switch (err->kind) {
    case ERR_NONE: return EXIT_OK;
    case ERR_USAGE: return EXIT_USAGE;
    case ERR_SQL: return EXIT_SQL;
    case ERR_DATA: return EXIT_DATA;
    case ERR_IO: return EXIT_IO;
    case ERR_INTERNAL: return EXIT_INTERNAL;
    }
    return EXIT_INTERNAL;
}

const char *error_kind_name(ErrorKind kind)
{
    switch (kind) {
    case ERR_NONE: return "no error";
    case ERR_USAGE: return "usage error";
    case ERR_SQL: return "SQL error";
    case ERR_DATA: return "data error";
    case ERR_IO: return "I/O error";
    case ERR_INTERNAL: return "internal error";
    }
    return "error";
}
