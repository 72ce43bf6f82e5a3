/* functions/pattern: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_pattern[] = {
    {NULL, NULL, 0},
};
