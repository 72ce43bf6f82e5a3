/* error: how every fallible function in kiln reports failure.
 *
 * Functions that can fail take an `Error *err` as their last argument and
 * return false (or NULL) after filling it.  The error kind decides the exit
 * code of the command line; the optional location says where: a byte offset
 * in the SQL text, or a file, line and column of input data. */
#ifndef KILN_COMMON_ERROR_H
#define KILN_COMMON_ERROR_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ErrorKind {
    ERR_NONE = 0,
    ERR_USAGE,     /* bad command line or option */
    ERR_SQL,       /* syntax, unknown name, type mismatch: the job text is wrong */
    ERR_DATA,      /* input data or values: failed cast, overflow, malformed CSV */
    ERR_IO,        /* files, network, permissions */
    ERR_INTERNAL,  /* a bug in kiln */
} ErrorKind;

/* Exit codes of the kiln binary, one per error kind (documented in docs/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,
    EXIT_USAGE = 2,
    EXIT_SQL = 3,
    EXIT_DATA = 4,
    EXIT_IO = 5,
};

#define ERROR_MSG_MAX 1024
#define ERROR_FILE_MAX 512

typedef struct Error {
    ErrorKind kind;
    int sql_pos;            /* 0-based byte offset in the SQL text, -1 if none */
    int64_t line;           /* 1-based line in a data file, 0 if none */
    int64_t column;         /* 1-based column (field) in a data file, 0 if none */
    char file[ERROR_FILE_MAX]; /* data file the error comes from, "" if none */
    char message[ERROR_MSG_MAX];
    bool sql_pos_is_statement; /* sql_pos is only where the failing statement starts */
} Error;

/* An Error with no failure recorded. */
#define ERROR_INIT {ERR_NONE, -1, 0, 0, "", "", false}

/* Clear err to "no error". */
void error_clear(Error *err);
/* Record a failure of the given kind; always returns false for `return error_set(...)`. */
bool error_set(Error *err, ErrorKind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record a failure at a byte offset of the SQL text. */
bool error_set_at(Error *err, ErrorKind kind, int sql_pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attach a data-file location to an error (keeps the message). */
void error_set_location(Error *err, const char *file, int64_t line, int64_t column);
/* Prefix the message with "context: " (e.g. the statement or option being run). */
void error_prefix(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if err holds a failure. */
static inline bool error_failed(const Error *err) { return err->kind != ERR_NONE; }
/* The exit code that corresponds to the error's kind. */
int error_exit_code(const Error *err);
/* Name of an error kind ("SQL error", "data error", ...). */
const char *error_kind_name(ErrorKind kind);

#endif
