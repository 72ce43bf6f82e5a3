/* window: the description of one window operator (PLAN_WINDOW): the
 * partition and order keys every function of the node shares, and each
 * window function with its arguments and frame, as the binder (sql/
 * bind_window.c) builds them and exec/op_window.c runs them.
 *
 * All arguments are input columns of the window node (the projection under
 * it computes them).  Frames follow PostgreSQL: ROWS counts rows, RANGE
 * compares the single order key with the current row's value plus or minus
 * an offset; without ORDER BY every row of a partition is a peer of every
 * other, so RANGE frames span the whole partition. */
#ifndef KILN_EXEC_WINDOW_H
#define KILN_EXEC_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/aggregate.h"
#include "types/types.h"

typedef enum WindowFuncKind {
    WIN_ROW_NUMBER,   /* bigint */
    WIN_RANK,         /* bigint */
    WIN_DENSE_RANK,   /* bigint */
    WIN_PERCENT_RANK, /* double: (rank - 1) / (rows - 1) */
    WIN_CUME_DIST,    /* double: rows up to the last peer / rows */
    WIN_NTILE,        /* integer: arg[0] = bucket count */
    WIN_LAG,          /* arg[0] value, arg[1] offset (bigint) or -1, arg[2] default or -1 */
    WIN_LEAD,         /* like lag, forwards */
    WIN_FIRST_VALUE,  /* arg[0] at the frame's first row */
    WIN_LAST_VALUE,   /* arg[0] at the frame's last row */
    WIN_NTH_VALUE,    /* arg[0] at the frame's arg[1]-th row */
    WIN_AGGREGATE,    /* aggregate `agg` of arg[0] over the frame (arg[0] = -1 for count(*)) */
} WindowFuncKind;

typedef enum FrameBound {
    FRAME_UNBOUNDED_PRECEDING,
    FRAME_OFFSET_PRECEDING,
    FRAME_CURRENT_ROW,
    FRAME_OFFSET_FOLLOWING,
    FRAME_UNBOUNDED_FOLLOWING,
} FrameBound;

typedef struct WindowFrame {
    bool rows;               /* ROWS; false = RANGE */
    FrameBound start, end;
    int64_t start_rows;      /* ROWS: the start offset (>= 0) */
    int64_t end_rows;        /* ROWS: the end offset (>= 0) */
    int start_column;        /* RANGE with offset: input column of the start bound value per row */
    int end_column;          /* RANGE with offset: input column of the end bound value per row */
    int range_key;           /* RANGE with offset: the order key as a column comparable with the bounds */
} WindowFrame;

typedef struct WindowFunc {
    WindowFuncKind kind;
    AggKind agg;             /* WIN_AGGREGATE */
    int arg[3];              /* input columns, -1 = absent */
    int filter;              /* WIN_AGGREGATE: boolean column of FILTER (WHERE ...), or -1 */
    LogicalType arg_type;    /* type of arg[0] */
    LogicalType result_type;
    WindowFrame frame;
} WindowFunc;

typedef struct WindowSpec {
    int npartition;
    int *partition;          /* PARTITION BY input columns */
    int norder;
    struct SortKey *order;   /* ORDER BY input columns with direction (exec/plan.h) */
    int nfuncs;
    WindowFunc *funcs;       /* output column input_ncols + f is funcs[f]'s result */
    int64_t top_per_key;     /* > 0: every function is row_number and a filter above keeps only the rows
                                numbered up to this: only those need be produced (sql/opt_topn_per_key.c) */
    bool top_partial;        /* with top_per_key: the partial phase of a parallel plan (sql/opt_parallel.c), run
                                per morsel under a GATHER: its output is its input columns only (no row_number),
                                at most top_per_key rows per key of the morsel, in input order; a final
                                top-N-per-key window above the GATHER numbers them */
} WindowSpec;

struct ExecNode;
struct ExecContext;
struct PlanNode;
/* The sort-based window operator, whatever top_per_key says (op_window.c). */
struct ExecNode *op_window_sorted_create(const struct PlanNode *plan, struct ExecNode *child, struct ExecContext *ctx);
/* The hash-based operator for a window with top_per_key > 0 (op_topn_per_key.c). */
struct ExecNode *op_topn_per_key_create(const struct PlanNode *plan, struct ExecNode *child,
                                        struct ExecContext *ctx);

/* Display name of a window function (EXPLAIN). */
const char *window_func_name(const WindowFunc *f);
struct StrBuf;
/* Append the partition and order keys and the functions with their frames (EXPLAIN). */
void window_explain(const WindowSpec *w, struct StrBuf *out);

#endif
