/* series_scan: what a generate_series / range scan plan node
 * (PLAN_EXTERNAL_SCAN with series_scan_provider) carries: the bounds and
 * step settled at bind time. */
#ifndef KILN_EXEC_SERIES_SCAN_H
#define KILN_EXEC_SERIES_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "types/types.h"

typedef struct SeriesScanSpec {
    LogicalType type;   /* INTEGER, BIGINT or TIMESTAMP: the one output column */
    bool empty;         /* a NULL argument: no rows */
    bool exclusive;     /* range(): stop itself is not produced */
    int64_t start, stop, step; /* integers; TIMESTAMP: start and stop in microseconds */
    Interval interval_step;    /* TIMESTAMP: added to each value to get the next */
} SeriesScanSpec;

struct ScanProvider;
/* The provider of generate_series / range scans (op_series_scan.c). */
extern const struct ScanProvider series_scan_provider;

#endif
