/* types: names and sizes of logical types (see types.h). */
#include "types/types.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "types/kstring.h"

bool type_equal(LogicalType a, LogicalType b)
{
    if (a.id != b.id) return false;
    if (a.id == TYPE_DECIMAL) return a.precision == b.precision && a.scale == b.scale;
    return true;
}

size_t type_physical_size(LogicalType t)
{
    switch (t.id) {
    case TYPE_BOOLEAN: return 1;
    case TYPE_INTEGER: return 4;
    case TYPE_BIGINT: return 8;
    case TYPE_DOUBLE: return 8;
    case TYPE_DECIMAL: return type_is_decimal128(t) ? 16 : 8;
    case TYPE_VARCHAR: return sizeof(KString);
    case TYPE_DATE: return 4;
    case TYPE_TIMESTAMP: return 8;
    case TYPE_INTERVAL: return sizeof(Interval);
    case TYPE_NULL: return 1;
    case TYPE_INVALID: return 0;
    }
    return 0;
}

bool type_is_numeric(LogicalType t)
{
    return t.id == TYPE_INTEGER || t.id == TYPE_BIGINT || t.id == TYPE_DOUBLE || t.id == TYPE_DECIMAL;
}

bool type_is_integral(LogicalType t) { return t.id == TYPE_INTEGER || t.id == TYPE_BIGINT; }

const char *type_name(LogicalType t, char *buf, size_t buflen)
{
    const char *s = "unknown";
    switch (t.id) {
    case TYPE_INVALID: s = "invalid"; break;
    case TYPE_NULL: s = "unknown"; break;
    case TYPE_BOOLEAN: s = "boolean"; break;
    case TYPE_INTEGER: s = "integer"; break;
    case TYPE_BIGINT: s = "bigint"; break;
    case TYPE_DOUBLE: s = "double precision"; break;
    case TYPE_DECIMAL:
        snprintf(buf, buflen, "numeric(%d,%d)", t.precision, t.scale);
        return buf;
    case TYPE_VARCHAR: s = "text"; break;
    case TYPE_DATE: s = "date"; break;
    case TYPE_TIMESTAMP: s = "timestamp"; break;
    case TYPE_INTERVAL: s = "interval"; break;
    }
    snprintf(buf, buflen, "%s", s);
    return buf;
}

const char *type_display_name(LogicalType t, char *buf, size_t buflen)
{
    const char *s = "UNKNOWN";
    switch (t.id) {
    case TYPE_INVALID: s = "INVALID"; break;
    case TYPE_NULL: s = "NULL"; break;
    case TYPE_BOOLEAN: s = "BOOLEAN"; break;
    case TYPE_INTEGER: s = "INTEGER"; break;
    case TYPE_BIGINT: s = "BIGINT"; break;
    case TYPE_DOUBLE: s = "DOUBLE"; break;
    case TYPE_DECIMAL:
        snprintf(buf, buflen, "DECIMAL(%d,%d)", t.precision, t.scale);
        return buf;
    case TYPE_VARCHAR: s = "VARCHAR"; break;
    case TYPE_DATE: s = "DATE"; break;
    case TYPE_TIMESTAMP: s = "TIMESTAMP"; break;
    case TYPE_INTERVAL: s = "INTERVAL"; break;
    }
    snprintf(buf, buflen, "%s", s);
    return buf;
}

typedef struct TypeAlias {
    const char *name;
    TypeId id;
} TypeAlias;

static const TypeAlias type_aliases[] = {
    {"bool", TYPE_BOOLEAN},      {"boolean", TYPE_BOOLEAN},
    {"int", TYPE_INTEGER},       {"int4", TYPE_INTEGER},   {"integer", TYPE_INTEGER},
    {"int2", TYPE_INTEGER},      {"smallint", TYPE_INTEGER},
    {"int8", TYPE_BIGINT},       {"bigint", TYPE_BIGINT},  {"long", TYPE_BIGINT},
    {"float8", TYPE_DOUBLE},     {"float", TYPE_DOUBLE},   {"double", TYPE_DOUBLE},
    {"double precision", TYPE_DOUBLE}, {"float4", TYPE_DOUBLE}, {"real", TYPE_DOUBLE},
    {"numeric", TYPE_DECIMAL},   {"decimal", TYPE_DECIMAL},
    {"text", TYPE_VARCHAR},      {"varchar", TYPE_VARCHAR}, {"bpchar", TYPE_VARCHAR},
    {"char", TYPE_VARCHAR},      {"character", TYPE_VARCHAR}, {"character varying", TYPE_VARCHAR},
    {"string", TYPE_VARCHAR},
    {"json", TYPE_VARCHAR},      {"jsonb", TYPE_VARCHAR}, /* JSON is text in kiln (docs/json.md) */
    {"date", TYPE_DATE},
    {"timestamp", TYPE_TIMESTAMP}, {"timestamp without time zone", TYPE_TIMESTAMP},
    {"datetime", TYPE_TIMESTAMP},
    {"interval", TYPE_INTERVAL},
};

bool type_from_name(const char *name, const int32_t *typmods, int ntypmods, LogicalType *out)
{
    for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++) {
        if (strcasecmp(name, type_aliases[i].name) != 0) continue;
        TypeId id = type_aliases[i].id;
        if (id == TYPE_DECIMAL) {
            int p = DECIMAL_DEFAULT_PRECISION, s = DECIMAL_DEFAULT_SCALE;
            if (ntypmods >= 1) {
                p = typmods[0];
                s = ntypmods >= 2 ? typmods[1] : 0;
            }
            if (p < 1 || p > DECIMAL_MAX_PRECISION || s < 0 || s > p) return false;
            *out = type_decimal(p, s);
        } else {
            *out = type_make(id);
        }
        return true;
    }
    return false;
}
