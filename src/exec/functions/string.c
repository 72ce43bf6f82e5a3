/* functions/string: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_string[] = {
    {NULL, NULL, 0},
};
