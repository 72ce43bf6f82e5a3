/* sort_compare: value ordering per type (see sort_compare.h). */
#include "exec/sort_compare.h"

#include <math.h>

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

static kiln_int128 interval_span(Interval v)
{
    return (kiln_int128)v.months * 30 * 86400000000LL + (kiln_int128)v.days * 86400000000LL + v.micros;
}

int sort_compare_slots(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    switch (a->type.id) {
    case TYPE_BOOLEAN: return CMP(VEC_DATA(a, uint8_t)[i], VEC_DATA(b, uint8_t)[j]);
    case TYPE_INTEGER:
    case TYPE_DATE: return CMP(VEC_DATA(a, int32_t)[i], VEC_DATA(b, int32_t)[j]);
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return CMP(VEC_DATA(a, int64_t)[i], VEC_DATA(b, int64_t)[j]);
    case TYPE_DOUBLE: {
        double x = VEC_DATA(a, double)[i], y = VEC_DATA(b, double)[j];
        if (isnan(x) || isnan(y)) return isnan(x) && isnan(y) ? 0 : isnan(x) ? 1 : -1;
        return CMP(x, y);
    }
    case TYPE_DECIMAL:
        if (type_is_decimal128(a->type)) return CMP(VEC_DATA(a, kiln_int128)[i], VEC_DATA(b, kiln_int128)[j]);
        return CMP(VEC_DATA(a, int64_t)[i], VEC_DATA(b, int64_t)[j]);
    case TYPE_VARCHAR: return kstring_compare(&VEC_DATA(a, KString)[i], &VEC_DATA(b, KString)[j]);
    case TYPE_INTERVAL: {
        kiln_int128 x = interval_span(VEC_DATA(a, Interval)[i]), y = interval_span(VEC_DATA(b, Interval)[j]);
        return CMP(x, y);
    }
    case TYPE_NULL:
    case TYPE_INVALID: return 0;
    }
    return 0;
}
