/* slt_result: query results as sqllogictest sees them: a flat list of text
 * values (row-major), sorted as the record asks, compared with the expected
 * block or with its "N values hashing to <md5>" summary. */
#ifndef KILN_SLT_RESULT_H
#define KILN_SLT_RESULT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/arena.h"
#include "slt_parser.h"
#include "sql/session.h"

typedef struct SltValues {
    char **values;      /* nrows * ncols strings, row-major */
    uint64_t nvalues;
    int ncols;
} SltValues;

/* What an expected block says. */
typedef struct SltExpected {
    bool is_hash;       /* "N values hashing to <md5>" */
    uint64_t hash_count;
    char hash[33];
    bool well_formed;   /* the rows split into ncols fields each (or one value per line) */
    SltValues values;   /* when !is_hash and well_formed */
} SltExpected;

/* Text of every value of r: NULL as "NULL", the empty string as "(empty)". */
void slt_result_values(const QueryResult *r, Arena *arena, SltValues *out);
/* Sort values by rows (each row compared value by value) or one by one. */
void slt_values_sort(SltValues *values, SltSort sort);
/* MD5 over every value followed by "\n" (SQLite's result hash). */
void slt_values_md5(const SltValues *values, char hex[33]);
/* Read an expected block: the hash form, rows with TAB-separated columns, or
 * (SQLite style) one value per line when that accounts for every value. */
void slt_expected_parse(char **lines, int nlines, int ncols, uint64_t actual_nvalues, Arena *arena,
                        SltExpected *out);
/* True if the actual values match what was expected (values must be sorted alike). */
bool slt_values_match(const SltValues *actual, const SltExpected *expected);
/* Print values one row per line (TAB between columns) with a prefix, or the
 * hash form when there are more than hash_threshold values (0 = never). */
void slt_values_print(FILE *out, const SltValues *values, long hash_threshold, const char *indent);

#endif
