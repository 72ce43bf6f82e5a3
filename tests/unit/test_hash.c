/* Unit tests of exec/hash: hash_vector keeps its values (approx_count_distinct
 * sketches depend on them), and the group-key hash (hash_key_vector) gives
 * equal keys equal hashes whatever the unused bytes of a short string hold,
 * and the same hash the hash aggregate computes from a key's words. */
#include <xxhash.h>

#include "exec/hash.h"
#include "types/vector.h"
#include "unit.h"

/* A short KString whose bytes past the length are not zero. */
static KString dirty_short(const char *s, uint32_t n)
{
    KString k;
    memset(&k, 0x5a, sizeof k);
    k.len = n;
    memcpy(k.u.inlined, s, n);
    return k;
}

TEST(hash_vector_values_are_stable)
{
    Vector *text = vector_new(type_make(TYPE_VARCHAR), 4);
    VEC_DATA(text, KString)[0] = vector_make_string(text, "abc", 3);
    VEC_DATA(text, KString)[1] = vector_make_string(text, "a string longer than twelve", 27);
    vector_set_null(text, 2);
    uint64_t h[3];
    hash_vector(text, 3, h, false);
    CHECK(h[0] == XXH3_64bits("abc", 3));
    CHECK(h[1] == XXH3_64bits("a string longer than twelve", 27));
    CHECK(h[2] == HASH_NULL);

    Vector *ints = vector_new(type_make(TYPE_INTEGER), 4);
    VEC_DATA(ints, int32_t)[0] = 42;
    VEC_DATA(ints, int32_t)[1] = -7;
    vector_set_null(ints, 2);
    uint64_t c[3] = {h[0], h[1], h[2]};
    hash_vector(ints, 3, c, true);
    CHECK(c[0] == hash_combine(h[0], hash_mix64(42)));
    CHECK(c[1] == hash_combine(h[1], hash_mix64((uint64_t)(int64_t)-7)));
    CHECK(c[2] == hash_combine(HASH_NULL, HASH_NULL));
    vector_free(text);
    vector_free(ints);
}

TEST(hash_key_text_words_ignore_unused_bytes)
{
    KString clean = kstring_make("ab", 2), dirty = dirty_short("ab", 2);
    uint64_t a0, a1, b0, b1;
    hash_key_text_words(&clean, &a0, &a1);
    hash_key_text_words(&dirty, &b0, &b1);
    CHECK(a0 == b0 && a1 == b1);
    CHECK(a0 == 0x6261);
    CHECK(a1 == (uint64_t)2 << 32);
    /* every length up to the inline limit */
    const char *full = "abcdefghijkl";
    for (uint32_t n = 0; n <= KSTRING_INLINE_MAX; n++) {
        clean = kstring_make(full, n);
        dirty = dirty_short(full, n);
        hash_key_text_words(&clean, &a0, &a1);
        hash_key_text_words(&dirty, &b0, &b1);
        CHECK(a0 == b0 && a1 == b1);
        CHECK_EQ_INT(a1 >> 32, n);
    }
    /* "ab" and "ab\0" differ by length alone */
    KString with_nul = kstring_make("ab\0", 3);
    hash_key_text_words(&with_nul, &b0, &b1);
    clean = kstring_make("ab", 2);
    hash_key_text_words(&clean, &a0, &a1);
    CHECK(a0 == b0 && a1 != b1);
}

TEST(hash_key_vector_matches_words)
{
    Vector *text = vector_new(type_make(TYPE_VARCHAR), 8);
    KString *k = VEC_DATA(text, KString);
    k[0] = kstring_make("abcdefghijkl", 12);
    k[1] = dirty_short("abcdefghijkl", 12);
    k[2] = vector_make_string(text, "abcdefghijklm", 13);
    k[3] = dirty_short("", 0);
    vector_set_null(text, 4);
    uint64_t h[5];
    hash_key_vector(text, 5, h, false);
    CHECK(h[0] == h[1]);
    CHECK(h[0] != h[2]);
    CHECK(h[3] != h[4]);
    uint64_t w0, w1;
    hash_key_text_words(&k[0], &w0, &w1);
    CHECK(h[0] == hash_key_step(0, hash_key_text_value(w0, w1), true));
    CHECK(h[2] == hash_key_step(0, XXH3_64bits("abcdefghijklm", 13), true));
    CHECK(h[4] == hash_key_step(0, HASH_NULL, true));

    /* a second key column folds in with one step */
    Vector *big = vector_new(type_make(TYPE_BIGINT), 8);
    for (int i = 0; i < 5; i++) VEC_DATA(big, int64_t)[i] = 1000 + i;
    vector_set_null(big, 3);
    uint64_t c[5];
    memcpy(c, h, sizeof c);
    hash_key_vector(big, 5, c, true);
    CHECK(c[0] == hash_key_step(h[0], 1000, false));
    CHECK(c[3] == hash_key_step(h[3], HASH_NULL, false));
    /* bigint keys alone: the value itself, mixed */
    hash_key_vector(big, 5, c, false);
    CHECK(c[1] == hash_mix64(1001));
    vector_free(text);
    vector_free(big);
}
