/* functions/datetime_functions: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_datetime[] = {
    {NULL, NULL, 0},
};
