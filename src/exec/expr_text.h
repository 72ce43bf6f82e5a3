/* expr_text: a bound expression as text, for EXPLAIN (VERBOSE). */
#ifndef KILN_EXEC_EXPR_TEXT_H
#define KILN_EXEC_EXPR_TEXT_H

#include "common/strbuf.h"
#include "exec/expr.h"

/* Append the text of e (columns as #n) to out. Cannot fail. */
void expr_text(const Expr *e, StrBuf *out);

#endif
