/* opt_partitions: partition pruning.  A scan of a Hive-partitioned dataset
 * (read_parquet, read_csv, read_json over k=v folders, or lake.<name>)
 * knows every file's partition values from the binder; the filter hints
 * that opt_scan_hints.c attached to it are evaluated on those values
 * (exec/scan_dataset.c) and the files whose partitions fail are dropped
 * from the scan's file list here, before execution, so they are never
 * opened, and parallel scans cut morsels only from the files that are left.
 * The filters above the scan still run: pruning only skips files none of
 * whose rows could pass. */
#include "exec/csv_scan.h"
#include "exec/json_scan.h"
#include "exec/parquet_scan.h"
#include "exec/scan_dataset.h"
#include "sql/optimize_internal.h"

void opt_prune_partitions(Binder *b, PlanNode *plan)
{
    if (plan == NULL) return;
    ScanDataset *ds = NULL;
    ParquetScanSpec *parquet = NULL;
    if (plan->kind == PLAN_CSV_SCAN) {
        ds = plan->csv->dataset;
    } else if (plan->kind == PLAN_EXTERNAL_SCAN && plan->provider == &json_scan_provider) {
        ds = ((JsonScanSpec *)plan->scan_spec)->dataset;
    } else if (plan->kind == PLAN_EXTERNAL_SCAN && plan->provider == &parquet_scan_provider) {
        parquet = plan->scan_spec;
        ds = parquet->dataset;
    }
    if (ds && plan->nscan_filters > 0) {
        scan_dataset_prune(ds, plan->scan_filters, plan->nscan_filters, b->arena);
        if (parquet) { /* the Parquet scan (and its morsels) read spec->paths */
            parquet->paths = ds->paths;
            parquet->npaths = ds->nfiles;
        }
    }
    opt_prune_partitions(b, plan->child);
    opt_prune_partitions(b, plan->right);
}
