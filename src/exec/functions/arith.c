/* functions/arith: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_arith[] = {
    {NULL, NULL, 0},
};
