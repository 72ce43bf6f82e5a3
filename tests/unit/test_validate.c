/* Unit tests of quality/validate (and key_set, contract): a batch of rows
 * against a contract with NOT NULL, a CHECK, a UNIQUE key and a FOREIGN
 * KEY: which rows are kept, which rules each row broke, the action by
 * policy precedence, and the counts; the first row with a key wins. */
#include <stdio.h>

#include "common/mem.h"
#include "quality/contract.h"
#include "quality/key_set.h"
#include "quality/validate.h"
#include "unit.h"

static Expr column_expr(int col, LogicalType t)
{
    Expr e;
    memset(&e, 0, sizeof e);
    e.kind = EXPR_COLUMN;
    e.type = t;
    e.column = col;
    e.sql_pos = -1;
    return e;
}

TEST(key_set_finds_what_was_inserted)
{
    KeySet s;
    key_set_init(&s);
    char key[16];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        CHECK(key_set_insert(&s, key, (size_t)n));
    }
    CHECK(!key_set_insert(&s, "k7", 2));
    CHECK(key_set_contains(&s, "k999", 4));
    CHECK(!key_set_contains(&s, "k1000", 5));
    CHECK_EQ_INT(s.count, 1000);
    key_set_destroy(&s);
}

TEST(validator_rules_actions_and_counts)
{
    /* t (id bigint, v bigint): not_null(id) fail->quarantine, CHECK (v IS NOT NULL) warn,
     * UNIQUE (id) quarantine, FOREIGN KEY (v) drop against {1, 2} */
    char *names[2] = {"id", "v"};
    TableContract *c = contract_new("t", 2, names);
    int id = 0, v = 1;
    contract_add_rule(c, RULE_NOT_NULL, "not_null(id)", &id, 1);
    ContractRule *check = contract_add_rule(c, RULE_CHECK, "t_v_check", &v, 1);
    contract_add_rule(c, RULE_UNIQUE, "t_id_key", &id, 1);
    ContractRule *fk = contract_add_rule(c, RULE_FOREIGN_KEY, "t_v_fkey", &v, 1);
    contract_set_policy(c, POLICY_QUARANTINE);
    check = contract_find_rule(c, "t_v_check");
    check->policy = POLICY_WARN;
    check->has_override = true;
    fk = contract_find_rule(c, "t_v_fkey");
    fk->policy = POLICY_DROP;
    fk->has_override = true;
    CHECK_EQ_INT(c->nrules, 6); /* type(id), type(v) first */
    CHECK_EQ_STR(c->rules[1].name, "type(v)");

    LogicalType bigint = type_make(TYPE_BIGINT);
    LogicalType types[2] = {bigint, bigint};
    Expr c0 = column_expr(0, bigint), c1 = column_expr(1, bigint);
    Expr *casts[2] = {&c0, &c1};
    Expr v_col = column_expr(1, bigint);
    Expr *args[1] = {&v_col};
    Expr not_null_v;
    memset(&not_null_v, 0, sizeof not_null_v);
    not_null_v.kind = EXPR_IS_NULL;
    not_null_v.negated = true;
    not_null_v.type = type_make(TYPE_BOOLEAN);
    not_null_v.nargs = 1;
    not_null_v.args = args;
    not_null_v.sql_pos = -1;
    Expr *checks[6] = {NULL, NULL, NULL, &not_null_v, NULL, NULL};

    /* referenced keys {1, 2} */
    MemTable ref;
    memtable_init(&ref, 1, &bigint);
    Batch rb;
    batch_init(&rb, 1, &bigint, VECTOR_CAPACITY);
    VEC_DATA(rb.cols[0], int64_t)[0] = 1;
    VEC_DATA(rb.cols[0], int64_t)[1] = 2;
    rb.count = 2;
    memtable_append(&ref, &rb);
    KeySet refs;
    key_set_init(&refs);
    int ref_col = 0;
    validator_reference_keys(&refs, &ref, &ref_col, 1);
    const KeySet *references[6] = {NULL, NULL, NULL, NULL, NULL, &refs};

    ValidatorSpec spec = {c, types, casts, checks, references, NULL, NULL, 0, NULL};
    Validator val;
    validator_init(&val, &spec);

    /* rows: (1,1) ok; (1,2) dup id; (NULL,1) null id; (2,NULL) warn only; (3,9) fk -> drop; (2,1) dup of a kept row */
    Batch b;
    batch_init(&b, 2, types, VECTOR_CAPACITY);
    int64_t ids[6] = {1, 1, 0, 2, 3, 2}, vs[6] = {1, 2, 1, 0, 9, 1};
    for (int i = 0; i < 6; i++) {
        VEC_DATA(b.cols[0], int64_t)[i] = ids[i];
        VEC_DATA(b.cols[1], int64_t)[i] = vs[i];
    }
    vector_set_null(b.cols[0], 2);
    vector_set_null(b.cols[1], 3);
    b.count = 6;
    Error err = ERROR_INIT;
    CHECK(validator_run(&val, &b, &err));
    CHECK_EQ_INT(val.nkeep, 2);
    CHECK_EQ_INT(val.keep_sel[0], 0);
    CHECK_EQ_INT(val.keep_sel[1], 3);
    CHECK(validator_broke(&val, 1, 4));  /* unique */
    CHECK_EQ_INT(val.action[1], POLICY_QUARANTINE);
    CHECK(validator_broke(&val, 2, 2));  /* not_null(id) */
    CHECK(!validator_broke(&val, 2, 4)); /* a NULL key never clashes */
    CHECK(validator_broke(&val, 3, 3));  /* check, warn: kept */
    CHECK(validator_broke(&val, 3, 5) == false); /* NULL foreign key passes */
    CHECK(validator_broke(&val, 4, 5));
    CHECK_EQ_INT(val.action[4], POLICY_DROP);
    CHECK(validator_broke(&val, 5, 4)); /* 2 was taken by the kept row 3 */
    CHECK_EQ_INT(val.counts.rows_in, 6);
    CHECK_EQ_INT(val.counts.passed, 1);
    CHECK_EQ_INT(val.counts.warned, 1);
    CHECK_EQ_INT(val.counts.dropped, 1);
    CHECK_EQ_INT(val.counts.quarantined, 3);
    CHECK_EQ_INT(val.counts.rule_rows[4], 2);

    StrBuf msg = STRBUF_INIT;
    validator_rule_message(&val, 1, 4, &msg);
    CHECK_EQ_STR(strbuf_cstr(&msg), "duplicate key value violates unique constraint \"t_id_key\": Key (id)=(1) already exists.");
    strbuf_free(&msg);

    /* a second batch sees the keys kept by the first */
    batch_reset(&b);
    VEC_DATA(b.cols[0], int64_t)[0] = 1;
    VEC_DATA(b.cols[1], int64_t)[0] = 1;
    b.count = 1;
    CHECK(validator_run(&val, &b, &err));
    CHECK_EQ_INT(val.nkeep, 0);

    batch_destroy(&b);
    batch_destroy(&rb);
    memtable_destroy(&ref);
    key_set_destroy(&refs);
    validator_destroy(&val);
    contract_free(c);
}

TEST(key_map_keeps_a_value_per_key)
{
    KeySet m;
    key_set_init(&m);
    char key[16];
    for (uint32_t i = 0; i < 500; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        key_map_put(&m, key, (size_t)n, i % 7);
    }
    uint32_t v = 99;
    CHECK(key_map_get(&m, "k10", 3, &v));
    CHECK_EQ_INT(v, 3);
    key_map_put(&m, "k10", 3, 3); /* the same value again: unchanged */
    CHECK(key_map_get(&m, "k10", 3, &v));
    CHECK_EQ_INT(v, 3);
    key_map_put(&m, "k10", 3, 4); /* another value: several */
    CHECK(key_map_get(&m, "k10", 3, &v));
    CHECK_EQ_INT(v, KEY_MAP_MANY);
    CHECK(key_map_get(&m, "k499", 4, &v));
    CHECK_EQ_INT(v, 499 % 7);
    CHECK(!key_map_get(&m, "k500", 4, &v));
    CHECK_EQ_INT(m.count, 500);
    key_set_destroy(&m);
}

TEST(key_encode_nullable_tells_null_from_empty)
{
    LogicalType text = type_make(TYPE_VARCHAR);
    Vector vec;
    vector_init(&vec, text, 4);
    vector_set_string(&vec, 0, "", 0);
    vector_set_null(&vec, 1);
    Vector *cols[1] = {&vec};
    int which = 0;
    StrBuf a = STRBUF_INIT, b = STRBUF_INIT;
    key_encode_nullable(cols, &which, 1, 0, &a);
    key_encode_nullable(cols, &which, 1, 1, &b);
    CHECK(a.len == b.len && a.len == 4);
    CHECK(memcmp(a.data, b.data, a.len) != 0);
    CHECK(!key_encode(cols, &which, 1, 1, &b)); /* a key with a NULL is never encoded */
    strbuf_free(&a);
    strbuf_free(&b);
    vector_destroy(&vec);
}

/* One UNIQUE key (id) and a partition column (part) against lake keys
 * {1 in part 1, 2 in part 0, 3 in parts 0 and 1}: with partitions, a key
 * in the row's own partition or in one a kept row went to does not count. */
TEST(validator_lake_keys_and_replaced_partitions)
{
    char *names[2] = {"id", "part"};
    TableContract *c = contract_new("t", 2, names);
    int id = 0;
    contract_add_rule(c, RULE_UNIQUE, "t_id_key", &id, 1);
    contract_set_policy(c, POLICY_DROP);
    LogicalType bigint = type_make(TYPE_BIGINT);
    LogicalType types[2] = {bigint, bigint};
    Expr c0 = column_expr(0, bigint), c1 = column_expr(1, bigint);
    Expr *casts[2] = {&c0, &c1};
    Expr *checks[3] = {NULL, NULL, NULL};
    const KeySet *references[3] = {NULL, NULL, NULL};

    /* the lake: keys and partitions encoded as the validator encodes rows */
    LakeKeys lake;
    memset(&lake, 0, sizeof lake);
    Batch kb;
    batch_init(&kb, 2, types, VECTOR_CAPACITY);
    int64_t lake_ids[4] = {1, 2, 3, 3}, lake_parts[4] = {1, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
        VEC_DATA(kb.cols[0], int64_t)[i] = lake_ids[i];
        VEC_DATA(kb.cols[1], int64_t)[i] = lake_parts[i];
    }
    StrBuf key = STRBUF_INIT, part = STRBUF_INIT;
    int key_col = 0, part_col = 1;
    for (uint32_t i = 0; i < 4; i++) {
        key_encode_nullable(kb.cols, &part_col, 1, i, &part);
        uint32_t pid;
        if (!key_map_get(&lake.partitions, part.data, part.len, &pid)) {
            pid = lake.npartitions++;
            key_map_put(&lake.partitions, part.data, part.len, pid);
        }
        CHECK(key_encode(kb.cols, &key_col, 1, i, &key));
        key_map_put(&lake.keys, key.data, key.len, pid);
    }
    const LakeKeys *lake_unique[3] = {NULL, NULL, &lake};
    int part_cols[1] = {1};

    /* append (nlake_part_cols = 0): every lake key is taken */
    ValidatorSpec spec = {c, types, casts, checks, references, lake_unique, part_cols, 0, "t"};
    Validator val;
    validator_init(&val, &spec);
    Batch b;
    batch_init(&b, 2, types, VECTOR_CAPACITY);
    /* rows: (2, 1) other partition not replaced yet; (1, 1) own partition; (2, 9) part 0 still not replaced;
     * (9, 0) new key; (2, 1) part 0 now replaced; (3, 1) in two partitions: taken; (NULL, 0) */
    int64_t ids[7] = {2, 1, 2, 9, 2, 3, 0}, parts[7] = {1, 1, 9, 0, 1, 1, 0};
    for (int i = 0; i < 7; i++) {
        VEC_DATA(b.cols[0], int64_t)[i] = ids[i];
        VEC_DATA(b.cols[1], int64_t)[i] = parts[i];
    }
    vector_set_null(b.cols[0], 6);
    b.count = 7;
    Error err = ERROR_INIT;
    CHECK(validator_run(&val, &b, &err));
    CHECK_EQ_INT(val.nkeep, 2); /* only the new key 9 and the NULL key */
    CHECK(validator_broke(&val, 1, 2));
    validator_destroy(&val);

    spec.nlake_part_cols = 1; /* overwrite_partitions */
    validator_init(&val, &spec);
    CHECK(validator_run(&val, &b, &err));
    CHECK(validator_broke(&val, 0, 2));  /* 2 is in part 0, nothing went there yet */
    CHECK(!validator_broke(&val, 1, 2)); /* 1 is in part 1, its own */
    CHECK(validator_broke(&val, 2, 2));  /* part 9 is new; part 0 not replaced */
    CHECK(!validator_broke(&val, 3, 2)); /* 9 is a new key; the row replaces part 0 */
    CHECK(!validator_broke(&val, 4, 2)); /* 2 is in part 0, now replaced */
    CHECK(validator_broke(&val, 5, 2));  /* 3 is in two partitions */
    CHECK(!validator_broke(&val, 6, 2)); /* a NULL key */
    StrBuf msg = STRBUF_INIT;
    validator_rule_message(&val, 0, 2, &msg);
    CHECK_EQ_STR(strbuf_cstr(&msg),
                 "duplicate key value violates unique constraint \"t_id_key\": Key (id)=(2) already exists in lake dataset \"lake.t\".");
    strbuf_free(&msg);
    validator_destroy(&val);

    strbuf_free(&key);
    strbuf_free(&part);
    batch_destroy(&b);
    batch_destroy(&kb);
    key_set_destroy(&lake.keys);
    key_set_destroy(&lake.partitions);
    contract_free(c);
}
