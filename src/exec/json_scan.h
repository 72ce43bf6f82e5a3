/* json_scan: what a JSON scan plan node (PLAN_EXTERNAL_SCAN with
 * json_scan_provider) needs: the pattern and the reader options with the
 * bind-time schema declared in them. */
#ifndef KILN_EXEC_JSON_SCAN_H
#define KILN_EXEC_JSON_SCAN_H

#include "exec/exec.h"
#include "formats/json/json_reader.h"

typedef struct JsonScanSpec {
    const char *pattern;
    JsonOptions options;  /* columns declared: the schema found at bind time */
    int nschema_cols;     /* columns of the reader's schema (incl. a file-name column) */
    struct ScanDataset *dataset; /* Hive-partitioned files (exec/scan_dataset.h): read instead of pattern; NULL = none */
} JsonScanSpec;

struct ScanProvider;
/* The provider of JSON scans (op_json_scan.c). */
extern const struct ScanProvider json_scan_provider;

#endif
