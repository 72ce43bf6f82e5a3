/* reader_scan: the execution node of a database scan, over one or more
 * readers that each fill batches (a connection each: PostgreSQL's binary
 * COPY, MySQL's streamed result).  One reader is read in the calling
 * thread; several (a parallel extraction split into partitions) are read
 * each by its own thread into a bounded queue that the node drains. */
#ifndef KILN_EXEC_READER_SCAN_H
#define KILN_EXEC_READER_SCAN_H

#include "exec/exec.h"

typedef struct ScanReaderOps {
    /* Fill out (owned vectors of the scan's types) with the next rows; count 0 = end. */
    bool (*next)(void *reader, Batch *out, Error *err);
    /* Close the reader, stopping an unfinished read on the server. */
    void (*close)(void *reader);
} ScanReaderOps;

/* The node reading readers[0..nreaders) (all opened already, all closed by
 * the node, or here on failure); what names the source in errors
 * ("a PostgreSQL partition"). */
ExecNode *reader_scan_create(const ScanReaderOps *ops, void **readers, int nreaders, int ncols,
                             const LogicalType *types, const char *what, Error *err);

#endif
