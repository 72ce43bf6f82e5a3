/* sort_compare: total ordering of non-NULL values of one type, as ORDER BY,
 * DISTINCT and merge steps need it (PostgreSQL's btree order: NaN above every
 * other double, intervals compared by their span with 30-day months). */
#ifndef KILN_EXEC_SORT_COMPARE_H
#define KILN_EXEC_SORT_COMPARE_H

#include "types/vector.h"

/* Compare slot i of a with slot j of b (same type, both non-NULL): <0, 0, >0. */
int sort_compare_slots(const Vector *a, uint32_t i, const Vector *b, uint32_t j);

#endif
