/* unit_main: runs every registered unit test (see unit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

typedef struct UnitTest {
    const char *name;
    const char *file;
    UnitTestFn fn;
} UnitTest;

static UnitTest *tests;
static int ntests, cap_tests;
static int checks_made, checks_failed;

void unit_register(const char *name, UnitTestFn fn, const char *file)
{
    if (ntests == cap_tests) {
        cap_tests = cap_tests ? cap_tests * 2 : 64;
        tests = realloc(tests, (size_t)cap_tests * sizeof *tests);
        if (!tests) abort();
    }
    tests[ntests++] = (UnitTest){name, file, fn};
}

bool unit_check(bool ok, const char *expr, const char *file, int line)
{
    checks_made++;
    if (!ok) {
        checks_failed++;
        fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", file, line, expr);
    }
    return ok;
}

bool unit_check_int(long long a, long long b, const char *ea, const char *eb, const char *file, int line)
{
    checks_made++;
    if (a != b) {
        checks_failed++;
        fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", file, line, ea, eb, a, b);
        return false;
    }
    return true;
}

bool unit_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file, int line)
{
    checks_made++;
    if (a == NULL || b == NULL || strcmp(a, b) != 0) {
        checks_failed++;
        fprintf(stderr, "  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", file, line, ea, eb, a ? a : "(null)",
                b ? b : "(null)");
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (filter && strstr(tests[i].name, filter) == NULL) continue;
        int made = checks_made, bad = checks_failed;
        tests[i].fn();
        if (checks_failed != bad) {
            fprintf(stderr, "FAIL %s (%s)\n", tests[i].name, tests[i].file);
            failed++;
        } else if (checks_made == made) {
            fprintf(stderr, "FAIL %s (%s): made no check\n", tests[i].name, tests[i].file);
            failed++;
        } else {
            passed++;
        }
    }
    free(tests);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
