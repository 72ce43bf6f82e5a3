/* pg_copy_binary: encoding kiln rows for COPY FROM STDIN (FORMAT binary)
 * (see pg_copy_binary.h).  Memory: only the caller's StrBuf. */
#include "connectors/pg_copy_binary.h"

#include <string.h>

#include "types/datetime.h"
#include "types/decimal.h"

#define PG_EPOCH_DAYS 10957 /* 2000-01-01 - 1970-01-01 */
#define PG_EPOCH_MICROS ((int64_t)PG_EPOCH_DAYS * 86400 * 1000000)

static void put_u16(StrBuf *sb, uint16_t v)
{
    char b[2] = {(char)(v >> 8), (char)v};
    strbuf_append(sb, b, 2);
}

static void put_u32(StrBuf *sb, uint32_t v)
{
    char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    strbuf_append(sb, b, 4);
}

static void put_u64(StrBuf *sb, uint64_t v)
{
    put_u32(sb, (uint32_t)(v >> 32));
    put_u32(sb, (uint32_t)v);
}

void pg_copy_binary_header(StrBuf *sb)
{
    strbuf_append(sb, "PGCOPY\n\377\r\n\0", 11);
    put_u32(sb, 0); /* flags */
    put_u32(sb, 0); /* header extension length */
}

void pg_copy_binary_trailer(StrBuf *sb) { put_u16(sb, 0xFFFF); }

/* numeric's binary form from the decimal text "-123.4500": the digits are
 * grouped by four around the point into base-10000 digits. */
static void put_numeric(StrBuf *sb, kiln_int128 v, int scale)
{
    char text[DECIMAL_TEXT_MAX];
    size_t n = decimal_format(v, scale, text);
    bool negative = text[0] == '-';
    const char *digits = text + negative;
    const char *point = memchr(digits, '.', n - (size_t)negative);
    size_t nint = point ? (size_t)(point - digits) : n - (size_t)negative;
    const char *frac = point ? point + 1 : "";
    size_t nfrac = strlen(frac);
    /* integer digits padded on the left, fraction digits on the right, to multiples of 4 */
    char padded[2 * DECIMAL_TEXT_MAX];
    size_t lead = (4 - nint % 4) % 4, p = 0;
    memset(padded, '0', lead);
    p = lead;
    memcpy(padded + p, digits, nint);
    p += nint;
    size_t int_groups = (lead + nint) / 4;
    memcpy(padded + p, frac, nfrac);
    p += nfrac;
    while (p % 4) padded[p++] = '0';
    int ngroups = (int)(p / 4);
    uint16_t groups[2 * DECIMAL_TEXT_MAX / 4];
    for (int g = 0; g < ngroups; g++)
        groups[g] = (uint16_t)((padded[4 * g] - '0') * 1000 + (padded[4 * g + 1] - '0') * 100 +
                               (padded[4 * g + 2] - '0') * 10 + (padded[4 * g + 3] - '0'));
    int first = 0, last = ngroups; /* drop leading and trailing zero groups */
    while (first < last && groups[first] == 0) first++;
    while (last > first && groups[last - 1] == 0) last--;
    int ndigits = last - first;
    int weight = ndigits ? (int)int_groups - 1 - first : 0;
    put_u32(sb, (uint32_t)(8 + 2 * ndigits));
    put_u16(sb, (uint16_t)ndigits);
    put_u16(sb, (uint16_t)(int16_t)weight);
    put_u16(sb, ndigits && negative ? 0x4000 : 0x0000);
    put_u16(sb, (uint16_t)scale);
    for (int g = first; g < last; g++) put_u16(sb, groups[g]);
}

static bool put_value(StrBuf *sb, const Vector *v, uint32_t row, const char *name, Error *err)
{
    if (!vector_is_valid(v, row)) {
        put_u32(sb, 0xFFFFFFFFu);
        return true;
    }
    switch (v->type.id) {
    case TYPE_BOOLEAN:
        put_u32(sb, 1);
        strbuf_putc(sb, VEC_DATA(v, uint8_t)[row] ? 1 : 0);
        return true;
    case TYPE_INTEGER:
        put_u32(sb, 4);
        put_u32(sb, (uint32_t)VEC_DATA(v, int32_t)[row]);
        return true;
    case TYPE_BIGINT:
        put_u32(sb, 8);
        put_u64(sb, (uint64_t)VEC_DATA(v, int64_t)[row]);
        return true;
    case TYPE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &VEC_DATA(v, double)[row], 8);
        put_u32(sb, 8);
        put_u64(sb, bits);
        return true;
    }
    case TYPE_DECIMAL: put_numeric(sb, decimal_load(v, row), v->type.scale); return true;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        if (memchr(kstring_data(k), '\0', k->len))
            return error_set(err, ERR_DATA, "column \"%s\": PostgreSQL text cannot hold a zero byte", name);
        put_u32(sb, k->len);
        strbuf_append(sb, kstring_data(k), k->len);
        return true;
    }
    case TYPE_DATE:
        put_u32(sb, 4);
        put_u32(sb, (uint32_t)(VEC_DATA(v, int32_t)[row] - PG_EPOCH_DAYS));
        return true;
    case TYPE_TIMESTAMP:
        put_u32(sb, 8);
        put_u64(sb, (uint64_t)(VEC_DATA(v, int64_t)[row] - PG_EPOCH_MICROS));
        return true;
    case TYPE_INTERVAL: {
        Interval iv = VEC_DATA(v, Interval)[row];
        put_u32(sb, 16);
        put_u64(sb, (uint64_t)iv.micros);
        put_u32(sb, (uint32_t)iv.days);
        put_u32(sb, (uint32_t)iv.months);
        return true;
    }
    default: return error_set(err, ERR_INTERNAL, "column \"%s\": no binary COPY form for its type", name);
    }
}

bool pg_copy_binary_rows(StrBuf *sb, const Batch *b, char *const *names, Error *err)
{
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        put_u16(sb, (uint16_t)b->ncols);
        for (int c = 0; c < b->ncols; c++)
            if (!put_value(sb, b->cols[c], row, names[c], err)) return false;
    }
    return true;
}
