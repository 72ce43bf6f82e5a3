/* csv_values: turning CSV field text into typed values, fast (internal to
 * formats/csv).
 *
 * The common shapes of each type (`-123`, `12.50`, `1e5`, `2024-01-31`,
 * `2024-01-31 12:34:56.789`) are parsed here without allocating or copying;
 * anything else goes to cast_parse_text, which applies PostgreSQL's full
 * input rules and words the error.  The fast paths accept a subset of what
 * cast_parse_text accepts and give the same value for it.
 *
 * Type inference asks csv_value_candidates which of the inferable types a
 * text parses as, using exactly those fast shapes, so every value the
 * sniffer saw is later read back by a fast path. */
#ifndef KILN_FORMATS_CSV_VALUES_H
#define KILN_FORMATS_CSV_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "types/vector.h"

/* The inferable types, narrowest first (the sniffer's candidate bits). */
enum {
    CSV_CAND_BOOLEAN = 1 << 0,
    CSV_CAND_BIGINT = 1 << 1,
    CSV_CAND_DOUBLE = 1 << 2,
    CSV_CAND_DATE = 1 << 3,
    CSV_CAND_TIMESTAMP = 1 << 4,
    CSV_CAND_ALL = (1 << 5) - 1,
};

/* Bit set of the CSV_CAND_* types that s (not NULL, not empty) parses as. */
unsigned csv_value_candidates(const char *s, size_t n);
/* The narrowest type left in a candidate set (VARCHAR when none). */
LogicalType csv_candidates_type(unsigned candidates);
/* Parse s as a value of dst's type into slot row (marks it valid). Errors
 * are PostgreSQL's, naming the value and the type. */
bool csv_parse_value(const char *s, size_t n, Vector *dst, uint32_t row, Error *err);

#endif
