/* redshift: Amazon Redshift as a warehouse (loads only), through S3 staging
 * and libpq (Redshift speaks the PostgreSQL protocol).
 *
 * A connection is a URL
 *   redshift://user[:password]@host[:port]/database?s3_staging=s3://bucket/prefix/
 *     &iam_role=arn:aws:iam::123456789012:role/loader[&region=us-east-1][&sslmode=...]
 * (port 5439 and database "dev" by default; other parameters go to libpq
 * as they are; the password from the URL, PGPASSWORD or ~/.pgpass).
 * s3_staging and iam_role are required; region names the bucket's region
 * when it differs from the cluster's.  See redshift_load.c for the load. */
#ifndef KILN_CONNECTORS_REDSHIFT_H
#define KILN_CONNECTORS_REDSHIFT_H

#include <stdbool.h>

#include "common/error.h"
#include "connectors/load.h"
#include "types/batch.h"

/* True if url is a redshift:// URL. */
bool rs_is_url(const char *url);

typedef struct RsLoad RsLoad;
/* Check the connection's settings and the columns, connect, and start
 * staging the rows as Parquet under <s3_staging><run id>/.
 * spec->sql_log (tests): do not send Redshift's COPY, emulate it on a
 * PostgreSQL server (read the staged files back, binary COPY into the
 * stage), and append every statement the load sends to that file. */
RsLoad *rs_load_begin(const char *url, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err);
/* Stage a batch of rows. */
bool rs_load_batch(RsLoad *l, const Batch *b, Error *err);
/* Finish the staged files, then in one transaction: create the target if
 * missing, COPY the files into a temporary stage, merge per the mode,
 * COMMIT; delete the staged files whatever happened.  Frees the load. */
bool rs_load_commit(RsLoad *l, Error *err);
/* Roll back, delete the staged files, disconnect.  Frees the load. */
void rs_load_abort(RsLoad *l);

#endif
