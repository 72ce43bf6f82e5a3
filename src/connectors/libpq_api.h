/* libpq_api: the libpq functions kiln calls (read_postgres, PostgreSQL and
 * Redshift loads), loaded on first use.
 *
 * kiln does not link libpq: most runs never talk to PostgreSQL, and libpq
 * with what it needs (Kerberos, LDAP, TLS ...) made up much of every
 * process's start-up time.  libpq_api() opens libpq.so.5 (Debian package
 * libpq5) once through common/dynlib.h; calls then go through the table,
 * each member named as the function without its "PQ":
 * `pq->exec(conn, sql)` is PQexec.  The member types come from libpq-fe.h,
 * so calls are type-checked as direct ones are. */
#ifndef KILN_CONNECTORS_LIBPQ_API_H
#define KILN_CONNECTORS_LIBPQ_API_H

#include <libpq-fe.h>

#include "common/error.h"

typedef struct LibpqApi {
    __typeof__(PQcancel) *cancel;
    __typeof__(PQclear) *clear;
    __typeof__(PQconnectdbParams) *connectdbParams;
    __typeof__(PQerrorMessage) *errorMessage;
    __typeof__(PQexec) *exec;
    __typeof__(PQfinish) *finish;
    __typeof__(PQfmod) *fmod;
    __typeof__(PQfname) *fname;
    __typeof__(PQfreeCancel) *freeCancel;
    __typeof__(PQfreemem) *freemem;
    __typeof__(PQftype) *ftype;
    __typeof__(PQgetCancel) *getCancel;
    __typeof__(PQgetCopyData) *getCopyData;
    __typeof__(PQgetResult) *getResult;
    __typeof__(PQgetvalue) *getvalue;
    __typeof__(PQhost) *host;
    __typeof__(PQnfields) *nfields;
    __typeof__(PQntuples) *ntuples;
    __typeof__(PQport) *port;
    __typeof__(PQputCopyData) *putCopyData;
    __typeof__(PQputCopyEnd) *putCopyEnd;
    __typeof__(PQresultErrorMessage) *resultErrorMessage;
    __typeof__(PQresultStatus) *resultStatus;
    __typeof__(PQsetNoticeProcessor) *setNoticeProcessor;
    __typeof__(PQstatus) *status;
    __typeof__(PQtransactionStatus) *transactionStatus;
    __typeof__(PQuser) *user;
} LibpqApi;

/* The libpq functions, loading libpq on the first call (thread-safe); NULL
 * with err set (ERR_IO, "PostgreSQL support needs libpq.so.5: <reason> ...")
 * if it cannot be loaded. */
const LibpqApi *libpq_api(Error *err);

#endif
