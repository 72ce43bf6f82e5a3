/* fuzz_cast: libFuzzer target for the text input and output functions of
 * every type (cast_parse_text, cast_format_value) and the conversions
 * between types (cast_vector).
 *
 *   scripts/fuzz.sh 60 cast
 *
 * Input: byte 0 picks the type (and for numeric the precision and scale
 * from byte 1); the rest is the text to parse.
 *
 * Checks, beyond "no crash, leak or sanitizer report":
 *   - round trip: a value that parses prints as text that parses back to
 *     the very same value (doubles bit for bit, NaN as NaN), and that text
 *     prints the same again (output is canonical);
 *   - every conversion of the value to every type either fails with a
 *     message or gives a value that prints without trouble; a conversion to
 *     text gives exactly the text output. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/cast.h"
#include "types/kstring.h"
#include "types/vector.h"

#define FAIL(...)                                                                                       \
    do {                                                                                                \
        fprintf(stderr, __VA_ARGS__);                                                                   \
        fputc('\n', stderr);                                                                            \
        abort();                                                                                        \
    } while (0)

static const TypeId all_types[] = {TYPE_BOOLEAN, TYPE_INTEGER, TYPE_BIGINT, TYPE_DOUBLE, TYPE_DECIMAL,
                                   TYPE_VARCHAR, TYPE_DATE,    TYPE_TIMESTAMP, TYPE_INTERVAL};
#define NTYPES (sizeof all_types / sizeof all_types[0])

static const char *name_of(LogicalType t)
{
    static char buf[4][64];
    static int next;
    next = (next + 1) % 4;
    return type_name(t, buf[next], sizeof buf[next]);
}

static LogicalType pick_type(uint8_t which, uint8_t param)
{
    TypeId id = all_types[which % NTYPES];
    if (id != TYPE_DECIMAL) return type_make(id);
    int precision = 1 + param % DECIMAL_MAX_PRECISION;
    int scale = (param / DECIMAL_MAX_PRECISION) % (precision + 1);
    return type_decimal(precision, scale);
}

/* Same value in slot 0 of a and b (same type)? */
static bool same_value(const Vector *a, const Vector *b)
{
    if (vector_is_valid(a, 0) != vector_is_valid(b, 0)) return false;
    if (!vector_is_valid(a, 0)) return true;
    if (a->type.id == TYPE_VARCHAR) {
        const KString *x = &VEC_DATA(a, KString)[0], *y = &VEC_DATA(b, KString)[0];
        return x->len == y->len && memcmp(kstring_data(x), kstring_data(y), x->len) == 0;
    }
    if (a->type.id == TYPE_DOUBLE) {
        double x = VEC_DATA(a, double)[0], y = VEC_DATA(b, double)[0];
        if (isnan(x) || isnan(y)) return isnan(x) && isnan(y);
        return memcmp(&x, &y, sizeof x) == 0; /* -0 stays -0 */
    }
    if (a->type.id == TYPE_INTERVAL) {
        const Interval *x = &VEC_DATA(a, Interval)[0], *y = &VEC_DATA(b, Interval)[0];
        return x->months == y->months && x->days == y->days && x->micros == y->micros;
    }
    return memcmp(a->data, b->data, type_physical_size(a->type)) == 0;
}

static void check_round_trip(const Vector *v, const char *input, size_t n)
{
    StrBuf text = STRBUF_INIT, again = STRBUF_INIT;
    cast_format_value(v, 0, &text);
    Vector back;
    vector_init(&back, v->type, 1);
    Error err = ERROR_INIT;
    if (!cast_parse_text(text.data ? text.data : "", text.len, &back, 0, &err))
        FAIL("%s: \"%.*s\" prints as \"%s\", which does not read back: %s", name_of(v->type), (int)n, input,
             strbuf_cstr(&text), err.message);
    if (!same_value(v, &back))
        FAIL("%s: \"%.*s\" prints as \"%s\", which reads back as another value", name_of(v->type), (int)n, input,
             strbuf_cstr(&text));
    cast_format_value(&back, 0, &again);
    if (again.len != text.len || (text.len && memcmp(again.data, text.data, text.len) != 0))
        FAIL("%s: \"%s\" prints as \"%s\" after a round trip", name_of(v->type), strbuf_cstr(&text),
             strbuf_cstr(&again));
    vector_destroy(&back);
    strbuf_free(&again);

    /* conversions to every type (and a few decimal shapes) */
    for (size_t k = 0; k < NTYPES + 3; k++) {
        LogicalType to = k < NTYPES ? type_make(all_types[k]) : type_decimal(k == NTYPES ? 38 : 5, k == NTYPES ? 10 : 2);
        if (to.id == TYPE_DECIMAL && k < NTYPES) to = type_decimal(18, 4);
        if (cast_kind(v->type, to) == CAST_NONE) continue;
        Vector out;
        vector_init(&out, to, 1);
        Error cerr = ERROR_INIT;
        if (cast_vector(v, &out, 1, &cerr)) {
            StrBuf converted = STRBUF_INIT;
            cast_format_value(&out, 0, &converted);
            if (to.id == TYPE_VARCHAR &&
                (converted.len != text.len || (text.len && memcmp(converted.data, text.data, text.len) != 0)))
                FAIL("%s \"%s\" converts to text \"%s\"", name_of(v->type), strbuf_cstr(&text),
                     strbuf_cstr(&converted));
            strbuf_free(&converted);
        } else if (cerr.message[0] == '\0') {
            FAIL("%s -> %s failed without a message", name_of(v->type), name_of(to));
        }
        vector_destroy(&out);
    }
    strbuf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    LogicalType t = pick_type(data[0], data[1]);
    const char *text = (const char *)data + 2;
    size_t n = size - 2;
    Vector v;
    vector_init(&v, t, 1);
    Error err = ERROR_INIT;
    if (cast_parse_text(text, n, &v, 0, &err)) {
        check_round_trip(&v, text, n);
    } else if (err.message[0] == '\0' || err.kind == ERR_INTERNAL) {
        FAIL("%s: \"%.*s\" failed without a proper error (%s)", name_of(t), (int)n, text, err.message);
    }
    vector_destroy(&v);
    return 0;
}
