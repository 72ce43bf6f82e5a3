/* functions/math: registered in exec/function.c (being written). */
#include "exec/function.h"

const ScalarFunction fn_set_math[] = {
    {NULL, NULL, 0},
};
