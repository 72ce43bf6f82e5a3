/* Unit tests of Parquet row-group pruning (parquet_stats_filter): which
 * statistics are trusted (new min_value/max_value, the deprecated signed
 * min/max, column orders, unsigned and INT96 columns), and the decisions of
 * the filter on a file written with two row groups, for comparisons, IN,
 * IS NULL, OR, NaN and a NULL constant; and string statistics truncated by
 * the writer (parquet_stat_truncate). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "exec/function.h"
#include "formats/parquet/parquet_stat_truncate.h"
#include "formats/parquet/parquet_stats_filter.h"
#include "formats/parquet/parquet_writer.h"
#include "unit.h"

/* ---- trust rules on hand-made metadata ---- */

static uint8_t b_lo[4] = {1, 0, 0, 0}, b_hi[4] = {9, 0, 0, 0};

static void fake_chunk(PqColumnMeta *m, bool new_fields, bool legacy)
{
    memset(m, 0, sizeof *m);
    m->has_statistics = true;
    if (new_fields) {
        m->statistics.min_value = (PqBytes){b_lo, 4};
        m->statistics.max_value = (PqBytes){b_hi, 4};
    }
    if (legacy) {
        m->statistics.min = (PqBytes){b_lo, 4};
        m->statistics.max = (PqBytes){b_hi, 4};
    }
}

TEST(parquet_stats_trust_rules_follow_parquet_format)
{
    ParquetFile pf;
    memset(&pf, 0, sizeof pf);
    PqSchemaElement e;
    memset(&e, 0, sizeof e);
    e.converted_type = -1;
    ParquetColumn col;
    memset(&col, 0, sizeof col);
    col.element = &e;
    PqColumnMeta m;
    PqBytes mn, mx;

    /* signed INT32: new fields always, legacy ones too */
    e.type = PQ_INT32;
    fake_chunk(&m, true, false);
    CHECK(parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    CHECK(mn.data == b_lo && mx.data == b_hi);
    fake_chunk(&m, false, true);
    CHECK(parquet_stats_bounds(&pf, &col, &m, &mn, &mx));

    /* unsigned INT32: legacy min/max were signed, so never; new ones only with column orders */
    e.converted_type = PQ_CT_UINT_32;
    fake_chunk(&m, false, true);
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    fake_chunk(&m, true, false);
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    pf.meta.has_column_orders = true;
    CHECK(parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    pf.meta.has_column_orders = false;
    e.converted_type = -1;

    /* strings: legacy min/max are signed-byte ordered: never; new ones with TypeDefinedOrder */
    e.type = PQ_BYTE_ARRAY;
    e.converted_type = PQ_CT_UTF8;
    fake_chunk(&m, false, true);
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    pf.meta.has_column_orders = true;
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    fake_chunk(&m, true, true);
    CHECK(parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
    pf.meta.has_column_orders = false;
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));

    /* INT96: the order is undefined, whatever the file says */
    e.type = PQ_INT96;
    e.converted_type = -1;
    pf.meta.has_column_orders = true;
    fake_chunk(&m, true, true);
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));

    /* no statistics */
    e.type = PQ_INT64;
    m.has_statistics = false;
    CHECK(!parquet_stats_bounds(&pf, &col, &m, &mn, &mx));
}

/* ---- decisions on a real file ---- */

static Arena test_arena;

static Expr *column(int c, LogicalType t)
{
    Expr *e = arena_calloc(&test_arena, sizeof *e);
    e->kind = EXPR_COLUMN;
    e->column = c;
    e->type = t;
    e->sql_pos = -1;
    return e;
}

static Expr *constant(Value v)
{
    Expr *e = arena_calloc(&test_arena, sizeof *e);
    e->kind = EXPR_CONST;
    e->constant = v;
    e->type = v.type;
    e->sql_pos = -1;
    return e;
}

static Expr *call2(const char *op, Expr *a, Expr *b)
{
    Expr *e = arena_calloc(&test_arena, sizeof *e);
    e->kind = EXPR_CALL;
    e->type = type_make(TYPE_BOOLEAN);
    e->sql_pos = -1;
    e->nargs = 2;
    e->args = arena_calloc(&test_arena, sizeof(Expr *) * 2);
    e->args[0] = a;
    e->args[1] = b;
    e->call = arena_calloc(&test_arena, sizeof *e->call);
    LogicalType types[2] = {a->type, b->type};
    const Value *consts[2] = {NULL, NULL};
    Error err = ERROR_INIT;
    if (!function_bind(function_lookup(op), types, consts, 2, -1, e->call, &test_arena, &err)) return NULL;
    e->type = e->call->return_type;
    return e;
}

static Expr *node(ExprKind kind, bool negated, int n, Expr **args)
{
    Expr *e = arena_calloc(&test_arena, sizeof *e);
    e->kind = kind;
    e->type = type_make(TYPE_BOOLEAN);
    e->sql_pos = -1;
    e->negated = negated;
    e->nargs = n;
    e->args = arena_calloc(&test_arena, sizeof(Expr *) * (size_t)n);
    memcpy(e->args, args, sizeof(Expr *) * (size_t)n);
    return e;
}

static const char *const names[3] = {"i", "s", "x"};
static LogicalType types[3];

/* Row group 0: i 0..99, s "a00".."a99", x 0..99 with NaN at 50 and NULL at 60;
 * row group 1: i 100..199, s "b00".."b99", x all NULL. */
static ParquetFile *write_file(char *path)
{
    types[0] = type_make(TYPE_INTEGER);
    types[1] = type_make(TYPE_VARCHAR);
    types[2] = type_make(TYPE_DOUBLE);
    snprintf(path, 64, "/tmp/kiln-unit-stats-%d.parquet", (int)getpid());
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    o.row_group_rows = 100;
    Error err = ERROR_INIT;
    ParquetWriter *w = parquet_writer_open(path, &o, &err);
    if (w == NULL || !parquet_writer_begin(w, 3, names, types, &err)) return NULL;
    Batch b;
    batch_init(&b, 3, types, VECTOR_CAPACITY);
    for (int i = 0; i < 200; i++) {
        char s[8];
        snprintf(s, sizeof s, "%c%02d", i < 100 ? 'a' : 'b', i % 100);
        VEC_DATA(b.cols[0], int32_t)[i] = i;
        vector_set_string(b.cols[1], (uint32_t)i, s, 3);
        if (i >= 100 || i == 60) vector_set_null(b.cols[2], (uint32_t)i);
        else VEC_DATA(b.cols[2], double)[i] = i == 50 ? NAN : i;
    }
    b.count = 200;
    bool ok = parquet_writer_write_batch(w, &b, &err) && parquet_writer_close(w, &err);
    batch_destroy(&b);
    return ok ? parquet_file_open(path, &err) : NULL;
}

/* "01": which of the two row groups may match. */
static const char *decide(ParquetFile *pf, Expr *cond)
{
    static char out[3];
    ParquetStatsFilter *f = parquet_stats_filter_create(&cond, 1, 3, names, types);
    out[0] = parquet_stats_filter_may_match(f, pf, 0) ? '1' : '0';
    out[1] = parquet_stats_filter_may_match(f, pf, 1) ? '1' : '0';
    out[2] = 0;
    parquet_stats_filter_free(f);
    return out;
}

TEST(parquet_stats_filter_decides_per_row_group)
{
    arena_init(&test_arena, 0);
    char path[64];
    ParquetFile *pf = write_file(path);
    CHECK(pf != NULL);
    if (pf == NULL) return;
    CHECK_EQ_INT(pf->meta.nrow_groups, 2);
    LogicalType ti = type_make(TYPE_INTEGER), ts = type_make(TYPE_VARCHAR), td = type_make(TYPE_DOUBLE);

    CHECK_EQ_STR(decide(pf, call2("=", column(0, ti), constant(value_integer(150)))), "01");
    CHECK_EQ_STR(decide(pf, call2("<", column(0, ti), constant(value_integer(100)))), "10");
    CHECK_EQ_STR(decide(pf, call2("<=", column(0, ti), constant(value_integer(100)))), "11");
    CHECK_EQ_STR(decide(pf, call2(">", constant(value_integer(99)), column(0, ti))), "10");
    CHECK_EQ_STR(decide(pf, call2(">", column(0, ti), constant(value_integer(199)))), "00");
    CHECK_EQ_STR(decide(pf, call2("<>", column(0, ti), constant(value_integer(5)))), "11");
    CHECK_EQ_STR(decide(pf, call2("=", column(0, ti), constant(value_null(ti)))), "00");
    CHECK_EQ_STR(decide(pf, call2("=", column(1, ts), constant(value_varchar("b07", 3)))), "01");
    CHECK_EQ_STR(decide(pf, call2("<", column(1, ts), constant(value_varchar("a", 1)))), "00");

    /* IN */
    Expr *in_args[3] = {column(0, ti), constant(value_integer(3)), constant(value_integer(500))};
    CHECK_EQ_STR(decide(pf, node(EXPR_IN_LIST, false, 3, in_args)), "10");
    CHECK_EQ_STR(decide(pf, node(EXPR_IN_LIST, true, 3, in_args)), "11"); /* NOT IN: not understood */

    /* NULLs: row group 1 has only NULL x */
    Expr *x = column(2, td);
    CHECK_EQ_STR(decide(pf, node(EXPR_IS_NULL, false, 1, &x)), "11");
    CHECK_EQ_STR(decide(pf, node(EXPR_IS_NULL, true, 1, &x)), "10");
    Expr *iexpr = column(0, ti);
    CHECK_EQ_STR(decide(pf, node(EXPR_IS_NULL, false, 1, &iexpr)), "00");

    /* doubles: a NaN (above every number) is not in min/max */
    CHECK_EQ_STR(decide(pf, call2("<", column(2, td), constant(value_double(-1)))), "00");
    CHECK_EQ_STR(decide(pf, call2(">", column(2, td), constant(value_double(1000)))), "10");
    CHECK_EQ_STR(decide(pf, call2("=", column(2, td), constant(value_double(1000)))), "00");
    CHECK_EQ_STR(decide(pf, call2("=", column(2, td), constant(value_double(NAN)))), "10");

    /* AND, OR */
    Expr *parts[2] = {call2("=", column(0, ti), constant(value_integer(5))),
                      call2("=", column(0, ti), constant(value_integer(105)))};
    CHECK_EQ_STR(decide(pf, node(EXPR_OR, false, 2, parts)), "11");
    CHECK_EQ_STR(decide(pf, node(EXPR_AND, false, 2, parts)), "00");
    Expr *unknown = call2("+", column(0, ti), constant(value_integer(1)));
    Expr *mixed[2] = {parts[1], call2("=", unknown, constant(value_integer(7)))};
    CHECK_EQ_STR(decide(pf, node(EXPR_OR, false, 2, mixed)), "11");
    CHECK(parquet_stats_filter_create(&mixed[1], 1, 3, names, types) == NULL);

    /* without column orders, string statistics are not trusted; integers still are */
    pf->meta.has_column_orders = false;
    CHECK_EQ_STR(decide(pf, call2("=", column(1, ts), constant(value_varchar("b07", 3)))), "11");
    CHECK_EQ_STR(decide(pf, call2("=", column(0, ti), constant(value_integer(150)))), "01");

    parquet_file_close(pf);
    unlink(path);
    arena_destroy(&test_arena);
}

/* The same decisions for rows already read (a batch's hint columns):
 * from their minimum, maximum and NULLs. */
TEST(parquet_stats_filter_decides_per_batch_of_values)
{
    arena_init(&test_arena, 0);
    types[0] = type_make(TYPE_INTEGER);
    types[1] = type_make(TYPE_VARCHAR);
    types[2] = type_make(TYPE_DOUBLE);
    LogicalType ti = types[0];
    Vector iv, sv;
    vector_init(&iv, ti, 0);
    vector_init(&sv, types[1], 0);
    for (int r = 0; r < 100; r++) VEC_DATA(&iv, int32_t)[r] = 1000 + r; /* 1000..1099 */
    Vector *values[3] = {&iv, &sv, NULL};
    Expr *between[2] = {call2(">=", column(0, ti), constant(value_integer(1050))),
                        call2("<=", column(0, ti), constant(value_integer(1060)))};
    Expr *cond = node(EXPR_AND, false, 2, between);
    ParquetStatsFilter *f = parquet_stats_filter_create(&cond, 1, 3, names, types);
    bool used[3] = {false, false, false};
    parquet_stats_filter_columns(f, used);
    CHECK(used[0] && !used[1] && !used[2]);
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 50)); /* rows 1000..1049 */
    for (int r = 0; r < 100; r++) VEC_DATA(&iv, int32_t)[r] = 2000 - r;
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 100));
    VEC_DATA(&iv, int32_t)[77] = 1055;
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    /* NULL rows are left out of the bounds; only NULLs: no comparison holds */
    vector_set_null(&iv, 77);
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 100));
    for (int r = 0; r < 100; r++) vector_set_null(&iv, (uint32_t)r);
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    Expr *i0 = column(0, ti);
    Expr *isnull = node(EXPR_IS_NULL, false, 1, &i0), *notnull = node(EXPR_IS_NULL, true, 1, &i0);
    f = parquet_stats_filter_create(&isnull, 1, 3, names, types);
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    f = parquet_stats_filter_create(&notnull, 1, 3, names, types);
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 100));
    vector_reset(&iv); /* no NULLs now */
    for (int r = 0; r < 100; r++) VEC_DATA(&iv, int32_t)[r] = r;
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    f = parquet_stats_filter_create(&isnull, 1, 3, names, types);
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    /* OR: either side; a column not read (NULL) or not bounded (strings) is assumed to match */
    Expr *either[2] = {call2("=", column(0, ti), constant(value_integer(500))),
                       call2("=", column(0, ti), constant(value_integer(7)))};
    cond = node(EXPR_OR, false, 2, either);
    f = parquet_stats_filter_create(&cond, 1, 3, names, types);
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    CHECK(!parquet_stats_filter_rows_may_match(f, values, 7));
    parquet_stats_filter_free(f);
    Expr *on_s = call2("=", column(1, types[1]), constant(value_varchar("zz", 2)));
    f = parquet_stats_filter_create(&on_s, 1, 3, names, types);
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    Expr *on_x = call2(">", column(2, types[2]), constant(value_double(5)));
    f = parquet_stats_filter_create(&on_x, 1, 3, names, types);
    CHECK(parquet_stats_filter_rows_may_match(f, values, 100));
    parquet_stats_filter_free(f);
    vector_destroy(&iv);
    vector_destroy(&sv);
    arena_destroy(&test_arena);
}

/* ---- truncated string statistics ---- */

TEST(parquet_string_statistics_truncate_and_round_up)
{
    uint8_t out[16];
    const uint8_t *abc = (const uint8_t *)"abcdefgh";
    CHECK_EQ_INT(pq_truncate_min(abc, 8, 4), 4);
    CHECK_EQ_INT(pq_truncate_min(abc, 3, 4), 3);
    CHECK_EQ_INT(pq_truncate_max(abc, 8, 4, out), 4);
    CHECK(memcmp(out, "abce", 4) == 0);
    CHECK_EQ_INT(pq_truncate_max(abc, 3, 4, out), 3);
    CHECK(memcmp(out, "abc", 3) == 0);
    /* cuts fall on character boundaries: "aé" + "é" is a, C3 A9, C3 A9 */
    const uint8_t *accents = (const uint8_t *)"a\xc3\xa9\xc3\xa9";
    CHECK_EQ_INT(pq_truncate_min(accents, 5, 4), 3);
    CHECK_EQ_INT(pq_truncate_max(accents, 5, 4, out), 3);
    CHECK(memcmp(out, "a\xc3\xaa", 3) == 0); /* é + 1 = ê */
    /* U+007F + 1 needs two bytes: no room, so the character before is rounded up */
    const uint8_t *del = (const uint8_t *)"ab\x7f" "cd";
    CHECK_EQ_INT(pq_truncate_max(del, 5, 3, out), 2);
    CHECK(memcmp(out, "ac", 2) == 0);
    CHECK_EQ_INT(pq_truncate_max(del, 5, 4, out), 4);
    CHECK(memcmp(out, "ab\x7f" "d", 4) == 0);
    /* with room, U+007F + 1 = U+0080 grows by a byte */
    const uint8_t *del2 = (const uint8_t *)"ab\x7f\xc3\xa9";
    CHECK_EQ_INT(pq_truncate_max(del2, 5, 4, out), 4);
    CHECK(memcmp(out, "ab\xc2\x80", 4) == 0);
    /* the character before U+D800 is followed by U+E000, not a surrogate */
    const uint8_t *before_surrogates = (const uint8_t *)"\xed\x9f\xbf" "xyz"; /* U+D7FF */
    CHECK_EQ_INT(pq_truncate_max(before_surrogates, 6, 3, out), 3);
    CHECK(memcmp(out, "\xee\x80\x80", 3) == 0);
    /* only U+10FFFF: cannot be rounded up, kept whole */
    const uint8_t *top = (const uint8_t *)"\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf";
    CHECK_EQ_INT(pq_truncate_max(top, 8, 4, out), 0);
}
