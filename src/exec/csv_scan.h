/* csv_scan: what a CSV scan plan node needs to read its files: the pattern,
 * the reader options, the schema settled at bind time (so execution reads
 * exactly the columns and types the plan was typed with) and the projection
 * (which file columns the plan outputs, in order). */
#ifndef KILN_EXEC_CSV_SCAN_H
#define KILN_EXEC_CSV_SCAN_H

#include "formats/csv/csv_reader.h"

typedef struct CsvScanSpec {
    const char *pattern;
    CsvOptions options;   /* with the bind-time schema declared in columns */
    int nschema_cols;     /* columns of the reader's schema (incl. file-name column) */
    int *projection;      /* plan column i = schema column projection[i] */
    int nprojection;
    struct ScanDataset *dataset; /* Hive-partitioned files (exec/scan_dataset.h): read instead of pattern; NULL = none */
} CsvScanSpec;

#endif
