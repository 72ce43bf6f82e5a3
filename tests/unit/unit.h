/* unit: the tiny C unit-test framework of kiln.
 *
 *   TEST(decimal_parses_negative) {
 *       CHECK(x == 3);
 *       CHECK_EQ_INT(a, b);
 *       CHECK_EQ_STR(s, "abc");
 *   }
 *
 * Each TEST registers itself at start-up; the unit_tests binary runs them all
 * (or those whose name contains argv[1]) and ends with "N passed, N failed".
 * A test passes when it made at least one check and none failed. */
#ifndef KILN_TESTS_UNIT_H
#define KILN_TESTS_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef void (*UnitTestFn)(void);

void unit_register(const char *name, UnitTestFn fn, const char *file);
bool unit_check(bool ok, const char *expr, const char *file, int line);
bool unit_check_int(long long a, long long b, const char *ea, const char *eb, const char *file, int line);
bool unit_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file, int line);

#define TEST(name)                                                                    \
    static void name(void);                                                           \
    __attribute__((constructor)) static void unit_register_##name(void)               \
    {                                                                                 \
        unit_register(#name, name, __FILE__);                                         \
    }                                                                                 \
    static void name(void)

#define CHECK(cond) unit_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b) unit_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_STR(a, b) unit_check_str((a), (b), #a, #b, __FILE__, __LINE__)

#endif
