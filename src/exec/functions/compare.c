/* functions/compare: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_compare[] = {
    {NULL, NULL, 0},
};
