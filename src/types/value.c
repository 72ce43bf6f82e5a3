/* value: scalar values and their conversion to and from vector slots. */
#include "types/value.h"

#include <string.h>

Value value_null(LogicalType type)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.is_null = true;
    return v;
}

static Value make(TypeId id)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(id);
    return v;
}

Value value_boolean(bool b) { Value v = make(TYPE_BOOLEAN); v.u.boolean = b; return v; }
Value value_integer(int32_t x) { Value v = make(TYPE_INTEGER); v.u.i32 = x; return v; }
Value value_bigint(int64_t x) { Value v = make(TYPE_BIGINT); v.u.i64 = x; return v; }
Value value_double(double x) { Value v = make(TYPE_DOUBLE); v.u.f64 = x; return v; }

Value value_varchar(const char *s, uint32_t len)
{
    Value v = make(TYPE_VARCHAR);
    v.u.str.data = s;
    v.u.str.len = len;
    return v;
}

Value value_from_vector(const Vector *vec, uint32_t row)
{
    Value v = value_null(vec->type);
    if (!vector_is_valid(vec, row)) return v;
    v.is_null = false;
    switch (vec->type.id) {
    case TYPE_BOOLEAN: v.u.boolean = VEC_DATA(vec, uint8_t)[row] != 0; break;
    case TYPE_INTEGER:
    case TYPE_DATE: v.u.i32 = VEC_DATA(vec, int32_t)[row]; break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: v.u.i64 = VEC_DATA(vec, int64_t)[row]; break;
    case TYPE_DOUBLE: v.u.f64 = VEC_DATA(vec, double)[row]; break;
    case TYPE_DECIMAL:
        if (type_is_decimal128(vec->type)) v.u.i128 = VEC_DATA(vec, kiln_int128)[row];
        else v.u.i64 = VEC_DATA(vec, int64_t)[row];
        break;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(vec, KString)[row];
        v.u.str.data = kstring_data(k);
        v.u.str.len = k->len;
        break;
    }
    case TYPE_INTERVAL: v.u.interval = VEC_DATA(vec, Interval)[row]; break;
    case TYPE_NULL:
    case TYPE_INVALID: v.is_null = true; break;
    }
    return v;
}

void value_to_vector(const Value *val, Vector *vec, uint32_t row)
{
    if (val->is_null || val->type.id == TYPE_NULL) {
        vector_set_null(vec, row);
        return;
    }
    vector_set_valid(vec, row);
    switch (vec->type.id) {
    case TYPE_BOOLEAN: VEC_DATA(vec, uint8_t)[row] = val->u.boolean ? 1 : 0; break;
    case TYPE_INTEGER:
    case TYPE_DATE: VEC_DATA(vec, int32_t)[row] = val->u.i32; break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: VEC_DATA(vec, int64_t)[row] = val->u.i64; break;
    case TYPE_DOUBLE: VEC_DATA(vec, double)[row] = val->u.f64; break;
    case TYPE_DECIMAL:
        if (type_is_decimal128(vec->type)) VEC_DATA(vec, kiln_int128)[row] = val->u.i128;
        else VEC_DATA(vec, int64_t)[row] = val->u.i64;
        break;
    case TYPE_VARCHAR: vector_set_string(vec, row, val->u.str.data, val->u.str.len); break;
    case TYPE_INTERVAL: VEC_DATA(vec, Interval)[row] = val->u.interval; break;
    case TYPE_NULL:
    case TYPE_INVALID: vector_set_null(vec, row); break;
    }
}
