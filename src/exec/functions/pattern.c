/* functions/pattern: LIKE / ILIKE and regular expressions.
 *
 * LIKE ("~~", "!~~", ILIKE "~~*", "!~~*"): `%` matches any run of
 * characters, `_` one character (a UTF-8 code point), backslash escapes the
 * next character (PostgreSQL's default; `LIKE p ESCAPE e` arrives from the
 * parser as `p LIKE like_escape(p, e)`, and like_escape rewrites the pattern
 * to backslash escapes exactly as PostgreSQL does).  A constant pattern is
 * analysed once in the prepare hook into the fastest matcher that fits it:
 * exact ('abc'), prefix ('abc%'), suffix ('%abc'), contains ('%abc%') or
 * general.  The general matcher is the classic iterative wildcard algorithm
 * that remembers only the last `%`: on a mismatch it retries one character
 * further after that `%`.  That is exact for patterns of literals, `_` and
 * `%`, runs in O(len(s) * len(p)) at worst, and uses no recursion (a long
 * pattern cannot overflow the stack).  ILIKE lower-cases the pattern and each
 * string (utf8proc for non-ASCII text) and matches those, as PostgreSQL
 * does for multi-byte encodings.
 *
 * SIMILAR TO arrives as `s ~ similar_to_escape(p [, e])`; similar_to_escape
 * translates the SQL pattern into an anchored regular expression exactly as
 * PostgreSQL's similar_escape does.
 *
 * Regular expressions ("~", "~*", "!~", "!~*", regexp_like, regexp_replace,
 * regexp_count, regexp_substr) use PCRE2 in UTF mode with Unicode properties
 * (\w, \d and \b see letters and digits beyond ASCII) and JIT when the
 * platform has it.  A constant pattern (with constant flags) is compiled once
 * in the prepare hook; a pattern that varies per row is compiled when it
 * differs from the previous row's.  Match data is allocated once per batch.
 * All PCRE2 memory goes through mem_alloc/mem_free.  Options are set for
 * PostgreSQL's defaults: `.` matches a newline, `^`/`$` match only at the
 * ends of the string (PCRE2_DOTALL, PCRE2_DOLLAR_ENDONLY).
 *
 * Flags (PostgreSQL's): i (case-insensitive), c (case-sensitive), g (all
 * matches; regexp_replace only), n or m (newline-sensitive), s (default), p
 * and w (partial newline sensitivity), x (expanded syntax), q (the pattern is
 * a literal string), t (tight syntax, the default).  b and e (POSIX basic /
 * extended syntax) are refused.
 *
 * Known differences from PostgreSQL's ARE engine (Spencer's):
 *  - PCRE2 matching is leftmost-first (Perl): `(a|ab)` on 'ab' matches 'a';
 *    PostgreSQL's ARE prefers the longest match when the RE as a whole is
 *    greedy, so it matches 'ab'.  Alternations listed longest-first agree.
 *  - ARE word-boundary escapes \m, \M, \y, \Y and the [[:<:]] / [[:>:]]
 *    brackets do not exist in PCRE2 (\m is an error, use \b); \A, \Z and
 *    lookbehind are accepted by both.
 *  - In newline-sensitive mode PostgreSQL also keeps [^...] from matching a
 *    newline; PCRE2 only changes `.`, `^` and `$`.
 *  - ARE's embedded options prefix `(?n)`... and "***=" director are not
 *    PCRE2 syntax; PCRE2 accepts Perl-only syntax (possessive quantifiers,
 *    named groups, \K) that PostgreSQL rejects.
 *  - Back-references (\1) work in both, but PCRE2 may be exponential on
 *    pathological patterns: the match limit then ends the statement with
 *    "regular expression match failed: ...".
 *
 * Errors: an invalid constant pattern is an SQL error "invalid regular
 * expression: <PCRE2 message>" at the call's position; an invalid pattern
 * read from data is the same message as a data error. */
#include "exec/function.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

#include "common/mem.h"
#include "common/strbuf.h"

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FN(name, overloads) {name, overloads, COUNT_OF(overloads)}

/* ---- UTF-8 helpers -------------------------------------------------------- */

static inline bool utf8_is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Offset of the character after the one starting at i (i < n). */
static inline size_t utf8_next(const char *s, size_t n, size_t i)
{
    i++;
    while (i < n && utf8_is_continuation((unsigned char)s[i])) i++;
    return i;
}

/* Byte offset of the k-th character (0-based) of s, or n. */
static size_t utf8_skip(const char *s, size_t n, uint64_t k)
{
    size_t i = 0;
    while (k > 0 && i < n) {
        i = utf8_next(s, n, i);
        k--;
    }
    return i;
}

/* Replace sb's contents by s[0..n) lower-cased (ASCII directly, other
 * characters with utf8proc; malformed bytes are kept). */
static void lower_into(StrBuf *sb, const char *s, size_t n)
{
    strbuf_clear(sb);
    strbuf_reserve(sb, n + 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            strbuf_putc(sb, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0) {
            strbuf_putc(sb, (char)c);
            i++;
            continue;
        }
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t len = utf8proc_encode_char(utf8proc_tolower(cp), buf);
        strbuf_append(sb, (const char *)buf, (size_t)len);
        i += (size_t)step;
    }
}

/* ---- LIKE ------------------------------------------------------------------- */

#define LIKE_ERROR (-1)

/* Match s against a LIKE pattern: 1, 0, or LIKE_ERROR when the pattern ends
 * with the escape character (reported only when matching reaches it, as
 * PostgreSQL does). */
static int like_match(const char *s, size_t sn, const char *p, size_t pn)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0; /* pattern after the last %, and where it was tried */
    while (si < sn) {
        if (pi < pn) {
            char c = p[pi];
            if (c == '%') {
                while (pi < pn && p[pi] == '%') pi++;
                if (pi == pn) return 1; /* a trailing % matches the rest */
                star_p = pi;
                star_s = si;
                continue;
            }
            if (c == '_') {
                pi++;
                si = utf8_next(s, sn, si);
                continue;
            }
            size_t lit = pi;
            if (c == '\\') {
                if (pi + 1 >= pn) return LIKE_ERROR;
                lit = pi + 1;
            }
            size_t lit_end = utf8_next(p, pn, lit), clen = lit_end - lit;
            if (clen <= sn - si && memcmp(p + lit, s + si, clen) == 0) {
                pi = lit_end;
                si += clen;
                continue;
            }
        }
        if (star_p == SIZE_MAX) return 0;
        star_s = utf8_next(s, sn, star_s);
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%') pi++;
    if (pi + 1 == pn && p[pi] == '\\') return LIKE_ERROR;
    return pi == pn;
}

typedef enum LikeKind { LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_CONTAINS, LIKE_GENERAL } LikeKind;

/* A constant LIKE pattern analysed at bind time (lives in the plan's arena). */
typedef struct LikeBind {
    bool has_pattern;   /* false: the pattern is not a constant (or is NULL) */
    bool pattern_null;  /* the constant pattern is NULL: every row is NULL */
    LikeKind kind;
    const char *text;   /* the unescaped literal (fast kinds) or the pattern (general) */
    size_t len;
} LikeBind;

/* Choose the matcher for pattern p; the literal of a fast kind is written,
 * unescaped, into lit (room for pn bytes). False if p ends with an escape. */
static bool like_analyse(const char *p, size_t pn, char *lit, LikeKind *kind, size_t *lit_len)
{
    size_t start = 0, end = pn;
    while (start < end && p[start] == '%') start++;
    bool lead = start > 0, trail = false;
    size_t n = 0;
    bool general = false;
    for (size_t k = start; k < end; k++) {
        char c = p[k];
        if (c == '\\') {
            if (k + 1 >= end) return false;
            lit[n++] = p[++k];
        } else if (c == '%') {
            size_t j = k;
            while (j < end && p[j] == '%') j++;
            if (j == end) { /* only %s remain */
                trail = true;
                break;
            }
            general = true;
            lit[n++] = c;
        } else {
            if (c == '_') general = true;
            lit[n++] = c;
        }
    }
    *lit_len = n;
    if (general) *kind = LIKE_GENERAL;
    else if (lead && trail) *kind = LIKE_CONTAINS;
    else if (lead) *kind = LIKE_SUFFIX;
    else if (trail) *kind = LIKE_PREFIX;
    else *kind = LIKE_EXACT;
    return true;
}

static bool like_prepare(FunctionCall *call, Arena *arena, bool fold_case, Error *err)
{
    LikeBind *bind = arena_calloc(arena, sizeof *bind);
    call->bind_data = bind;
    call->free_bind_data = NULL; /* arena memory */
    const Value *pattern = call->const_args[1];
    if (pattern == NULL) return true;
    bind->has_pattern = true;
    if (pattern->is_null || pattern->type.id != TYPE_VARCHAR) {
        bind->pattern_null = true;
        return true;
    }
    const char *p = pattern->u.str.data;
    size_t pn = pattern->u.str.len;
    StrBuf lowered = STRBUF_INIT;
    if (fold_case) {
        lower_into(&lowered, p, pn);
        p = strbuf_cstr(&lowered);
        pn = lowered.len;
    }
    char *lit = arena_alloc(arena, pn + 1);
    size_t lit_len = 0;
    LikeKind kind;
    bool ok = like_analyse(p, pn, lit, &kind, &lit_len);
    if (ok && kind == LIKE_GENERAL) {
        memcpy(lit, p, pn);
        lit_len = pn;
    }
    strbuf_free(&lowered);
    if (!ok) return error_set_at(err, ERR_SQL, call->sql_pos, "LIKE pattern must not end with escape character");
    bind->kind = kind;
    bind->text = lit;
    bind->len = lit_len;
    return true;
}

static bool prepare_like(FunctionCall *call, Arena *arena, Error *err) { return like_prepare(call, arena, false, err); }
static bool prepare_ilike(FunctionCall *call, Arena *arena, Error *err) { return like_prepare(call, arena, true, err); }

static inline bool like_fast(LikeKind kind, const char *s, size_t n, const char *lit, size_t ln)
{
    switch (kind) {
    case LIKE_EXACT: return n == ln && memcmp(s, lit, ln) == 0;
    case LIKE_PREFIX: return n >= ln && memcmp(s, lit, ln) == 0;
    case LIKE_SUFFIX: return n >= ln && memcmp(s + n - ln, lit, ln) == 0;
    case LIKE_CONTAINS: return ln == 0 || (n >= ln && memmem(s, n, lit, ln) != NULL);
    case LIKE_GENERAL: break;
    }
    return false;
}

static bool like_impl(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool fold_case, bool negate,
                      Error *err)
{
    const LikeBind *bind = call->bind_data;
    vector_merge_validity(out, args, 2, count);
    uint8_t *res = VEC_DATA(out, uint8_t);
    if (bind && bind->has_pattern && bind->pattern_null) {
        for (uint32_t i = 0; i < count; i++) vector_set_null(out, i);
        return true;
    }
    const KString *strs = VEC_DATA(args[0], KString);
    const KString *pats = VEC_DATA(args[1], KString);
    StrBuf lower_s = STRBUF_INIT, lower_p = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *s = kstring_data(&strs[i]);
        size_t n = strs[i].len;
        if (fold_case) {
            lower_into(&lower_s, s, n);
            s = strbuf_cstr(&lower_s);
            n = lower_s.len;
        }
        int m;
        if (bind && bind->has_pattern) {
            m = bind->kind == LIKE_GENERAL ? like_match(s, n, bind->text, bind->len)
                                           : like_fast(bind->kind, s, n, bind->text, bind->len);
        } else {
            const char *p = kstring_data(&pats[i]);
            size_t pn = pats[i].len;
            if (fold_case) {
                lower_into(&lower_p, p, pn);
                p = strbuf_cstr(&lower_p);
                pn = lower_p.len;
            }
            m = like_match(s, n, p, pn);
        }
        if (m == LIKE_ERROR) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "LIKE pattern must not end with escape character");
            break;
        }
        res[i] = (uint8_t)(negate ? !m : m);
    }
    strbuf_free(&lower_s);
    strbuf_free(&lower_p);
    return ok;
}

static bool fn_like(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return like_impl(call, args, count, out, false, false, err);
}
static bool fn_not_like(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return like_impl(call, args, count, out, false, true, err);
}
static bool fn_ilike(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return like_impl(call, args, count, out, true, false, err);
}
static bool fn_not_ilike(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return like_impl(call, args, count, out, true, true, err);
}

/* like_escape(pattern, escape): the pattern rewritten for backslash escapes
 * (PostgreSQL's do_like_escape): an empty escape makes every character
 * literal except % and _, so backslashes are doubled. */
static bool fn_like_escape(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const KString *pats = VEC_DATA(args[0], KString), *escs = VEC_DATA(args[1], KString);
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *p = kstring_data(&pats[i]), *e = kstring_data(&escs[i]);
        size_t pn = pats[i].len, en = escs[i].len;
        if (en > 0 && utf8_next(e, en, 0) != en) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos,
                              "invalid escape string (escape string must be empty or one character)");
            break;
        }
        strbuf_clear(&sb);
        bool after_escape = false;
        for (size_t k = 0; k < pn;) {
            size_t next = utf8_next(p, pn, k);
            if (en > 0 && next - k == en && memcmp(p + k, e, en) == 0 && !after_escape) {
                strbuf_putc(&sb, '\\');
                after_escape = true;
            } else if (p[k] == '\\') {
                strbuf_putc(&sb, '\\');
                if (!after_escape) strbuf_putc(&sb, '\\');
                after_escape = false;
            } else {
                strbuf_append(&sb, p + k, next - k);
                after_escape = false;
            }
            k = next;
        }
        if (sb.len > UINT32_MAX) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "requested length too large");
            break;
        }
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    return ok;
}

/* ---- SIMILAR TO ---------------------------------------------------------------
 * `s SIMILAR TO p [ESCAPE e]` arrives from the parser as
 * `s ~ similar_to_escape(p [, e])`: the SQL pattern is translated into a
 * regular expression anchored at both ends, as PostgreSQL's
 * similar_escape_internal does (% -> .*, _ -> ., ( -> (?:, regex
 * metacharacters of SQL escaped, bracket expressions copied, the escape
 * character (default backslash) makes the next character literal). */

/* Translate one SIMILAR TO pattern into sb; false (err filled) on a bad pattern. */
static bool similar_translate(StrBuf *sb, const char *p, size_t pn, const char *e, size_t en,
                              const FunctionCall *call, Error *err)
{
    strbuf_puts(sb, "^(?:");
    bool after_escape = false, in_class = false;
    int nquotes = 0;
    for (size_t k = 0; k < pn;) {
        size_t next = utf8_next(p, pn, k), clen = next - k;
        char c = clen == 1 ? p[k] : '\0'; /* multi-byte characters are never special */
        if (after_escape) {
            if (c == '"' && !in_class) {
                if (nquotes == 0) strbuf_puts(sb, "){1,1}?(");
                else if (nquotes == 1) strbuf_puts(sb, "){1,1}(?:");
                else
                    return error_set_at(err, ERR_DATA, call->sql_pos,
                                        "SQL regular expression may not contain more than two escape-double-quote "
                                        "separators");
                nquotes++;
            } else {
                strbuf_putc(sb, '\\');
                strbuf_append(sb, p + k, clen);
            }
            after_escape = false;
        } else if (en > 0 && clen == en && memcmp(p + k, e, en) == 0) {
            after_escape = true;
        } else if (in_class) {
            if (c == '\\') strbuf_putc(sb, '\\');
            strbuf_append(sb, p + k, clen);
            if (c == ']') in_class = false;
        } else if (c == '[') {
            strbuf_putc(sb, '[');
            in_class = true;
        } else if (c == '%') {
            strbuf_puts(sb, ".*");
        } else if (c == '_') {
            strbuf_putc(sb, '.');
        } else if (c == '(') {
            strbuf_puts(sb, "(?:");
        } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
            strbuf_putc(sb, '\\');
            strbuf_putc(sb, c);
        } else {
            strbuf_append(sb, p + k, clen);
        }
        k = next;
    }
    strbuf_puts(sb, ")$");
    return true;
}

/* similar_to_escape(pattern [, escape]). */
static bool fn_similar_to_escape(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    const KString *pats = VEC_DATA(args[0], KString);
    const KString *escs = call->nargs > 1 ? VEC_DATA(args[1], KString) : NULL;
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *e = escs ? kstring_data(&escs[i]) : "\\";
        size_t en = escs ? escs[i].len : 1;
        if (en > 0 && utf8_next(e, en, 0) != en) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos,
                              "invalid escape string (escape string must be empty or one character)");
            break;
        }
        strbuf_clear(&sb);
        if (!(ok = similar_translate(&sb, kstring_data(&pats[i]), pats[i].len, e, en, call, err))) break;
        if (sb.len > UINT32_MAX) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "requested length too large");
            break;
        }
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    return ok;
}

/* ---- PCRE2 plumbing ----------------------------------------------------------- */

static void *pcre_alloc(PCRE2_SIZE n, void *data) { return mem_alloc(n); }
static void pcre_free(void *p, void *data) { mem_free(p); }

static pcre2_general_context *pcre_general;
static pcre2_compile_context *pcre_compile_ctx;
static pcre2_match_context *pcre_match_ctx;
static pthread_once_t pcre_once = PTHREAD_ONCE_INIT;

/* The contexts are created once and only read afterwards, which PCRE2
 * allows from many threads at once. */
static void pcre_init(void)
{
    pcre_general = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
    pcre_compile_ctx = pcre2_compile_context_create(pcre_general);
    pcre_match_ctx = pcre2_match_context_create(pcre_general);
}

#define REGEX_BASE_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY)

/* Compile a pattern; on failure fill err (kind) with PostgreSQL's message. */
static pcre2_code *regex_compile(const char *p, size_t pn, uint32_t options, ErrorKind kind, int sql_pos,
                                 Error *err)
{
    pthread_once(&pcre_once, pcre_init);
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, pn, options, &code, &offset, pcre_compile_ctx);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0) strcpy((char *)msg, "unknown error");
        error_set_at(err, kind, sql_pos, "invalid regular expression: %s", (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* fails harmlessly where there is no JIT */
    return re;
}

/* Parse PostgreSQL regex flags into options; *global gets 'g'. */
static bool regex_parse_flags(const char *f, size_t fn, uint32_t *options, bool *global, bool allow_global,
                              const char *fname, ErrorKind kind, int sql_pos, Error *err)
{
    uint32_t o = *options;
    for (size_t k = 0; k < fn; k++) {
        switch (f[k]) {
        case 'i': o |= PCRE2_CASELESS; break;
        case 'c': o &= ~(uint32_t)PCRE2_CASELESS; break;
        case 'g':
            if (!allow_global)
                return error_set_at(err, kind, sql_pos, "%s() does not support the \"global\" option", fname);
            *global = true;
            break;
        case 'n':
        case 'm': o = (o | PCRE2_MULTILINE) & ~(uint32_t)PCRE2_DOTALL; break;
        case 's': o = (o | PCRE2_DOTALL) & ~(uint32_t)PCRE2_MULTILINE; break;
        case 'p': o &= ~(uint32_t)(PCRE2_DOTALL | PCRE2_MULTILINE); break;
        case 'w': o |= PCRE2_DOTALL | PCRE2_MULTILINE; break;
        case 'x': o |= PCRE2_EXTENDED; break;
        case 'q': o |= PCRE2_LITERAL; break;
        case 't': break;
        case 'b':
        case 'e':
            return error_set_at(err, kind, sql_pos, "regular expression option \"%c\" is not supported", f[k]);
        default: {
            size_t clen = utf8_next(f, fn, k) - k;
            return error_set_at(err, kind, sql_pos, "invalid regular expression option: \"%.*s\"", (int)clen, f + k);
        }
        }
    }
    *options = o;
    return true;
}

/* Bind data of a regex call. */
typedef struct RegexBind {
    int flags_arg;          /* index of the flags argument, -1 if none */
    bool allow_global;      /* the function accepts 'g' */
    bool flags_known;       /* options/global are final (constant or no flags) */
    bool null_result;       /* a constant pattern or flags argument is NULL */
    uint32_t options;
    bool global;
    pcre2_code *code;       /* compiled constant pattern, or NULL */
} RegexBind;

static void regex_bind_free(void *p)
{
    RegexBind *bind = p;
    if (bind->code) pcre2_code_free(bind->code);
    mem_free(bind);
}

static bool const_is_null(const Value *v) { return v != NULL && (v->is_null || v->type.id == TYPE_NULL); }

/* Fill the bind data of a regex call.  On failure nothing stays attached to
 * the call (a failed bind is never released by its caller). */
static bool regex_prepare(FunctionCall *call, uint32_t options, int flags_arg, bool allow_global, Error *err)
{
    RegexBind *bind = mem_calloc(1, sizeof *bind);
    bind->options = options;
    bind->flags_arg = flags_arg < call->nargs ? flags_arg : -1;
    bind->allow_global = allow_global;
    bind->flags_known = true;
    if (bind->flags_arg >= 0) {
        const Value *f = call->const_args[bind->flags_arg];
        if (f == NULL || (!const_is_null(f) && f->type.id != TYPE_VARCHAR)) bind->flags_known = false;
        else if (const_is_null(f)) bind->null_result = true;
        else if (!regex_parse_flags(f->u.str.data, f->u.str.len, &bind->options, &bind->global, allow_global,
                                    call->function->name, ERR_SQL, call->sql_pos, err)) {
            regex_bind_free(bind);
            return false;
        }
    }
    const Value *p = call->const_args[1];
    if (const_is_null(p)) bind->null_result = true;
    if (p != NULL && p->type.id == TYPE_VARCHAR && !bind->null_result && bind->flags_known) {
        bind->code = regex_compile(p->u.str.data, p->u.str.len, bind->options, ERR_SQL, call->sql_pos, err);
        if (bind->code == NULL) {
            regex_bind_free(bind);
            return false;
        }
    }
    call->bind_data = bind;
    call->free_bind_data = regex_bind_free;
    return true;
}

/* The compiled pattern of one batch's rows: the constant one, or the last
 * row's (recompiled only when a row's pattern or options differ). */
typedef struct RegexRows {
    const RegexBind *bind;
    const pcre2_code *code;
    pcre2_code *owned;          /* compiled in this batch */
    StrBuf owned_pattern;
    uint32_t owned_options;
    pcre2_match_data *match;
    const pcre2_code *match_for; /* the code match was sized for */
} RegexRows;

static void regex_rows_init(RegexRows *rows, const RegexBind *bind)
{
    memset(rows, 0, sizeof *rows);
    rows->bind = bind;
}

static void regex_rows_free(RegexRows *rows)
{
    if (rows->match) pcre2_match_data_free(rows->match);
    if (rows->owned) pcre2_code_free(rows->owned);
    strbuf_free(&rows->owned_pattern);
}

/* Make rows->code and rows->match ready for row i; *global receives the
 * 'g' flag. */
static bool regex_rows_use(RegexRows *rows, FunctionCall *call, Vector **args, uint32_t i, bool *global, Error *err)
{
    const RegexBind *bind = rows->bind;
    uint32_t options = bind->options;
    *global = bind->global;
    if (!bind->flags_known) {
        const KString *f = &VEC_DATA(args[bind->flags_arg], KString)[i];
        if (!regex_parse_flags(kstring_data(f), f->len, &options, global, bind->allow_global, call->function->name,
                               ERR_DATA, call->sql_pos, err))
            return false;
    }
    if (bind->code) {
        rows->code = bind->code;
    } else {
        const KString *p = &VEC_DATA(args[1], KString)[i];
        const char *pd = kstring_data(p);
        if (rows->owned == NULL || rows->owned_options != options || rows->owned_pattern.len != p->len ||
            memcmp(strbuf_cstr(&rows->owned_pattern), pd, p->len) != 0) {
            pcre2_code *re = regex_compile(pd, p->len, options, ERR_DATA, call->sql_pos, err);
            if (re == NULL) return false;
            if (rows->match) pcre2_match_data_free(rows->match);
            rows->match = NULL;
            if (rows->owned) pcre2_code_free(rows->owned);
            rows->owned = re;
            rows->owned_options = options;
            strbuf_clear(&rows->owned_pattern);
            strbuf_append(&rows->owned_pattern, pd, p->len);
        }
        rows->code = rows->owned;
    }
    if (rows->match == NULL || rows->match_for != rows->code) {
        if (rows->match) pcre2_match_data_free(rows->match);
        rows->match = pcre2_match_data_create_from_pattern(rows->code, pcre_general);
        rows->match_for = rows->code;
    }
    return true;
}

/* Run the pattern on s from byte offset `from`: 1 match, 0 none, -1 error. */
static int regex_exec(RegexRows *rows, const FunctionCall *call, const char *s, size_t n, size_t from, Error *err)
{
    int rc = pcre2_match(rows->code, (PCRE2_SPTR)s, n, from, 0, rows->match, pcre_match_ctx);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(rc, msg, sizeof msg) < 0) strcpy((char *)msg, "unknown error");
    error_set_at(err, ERR_DATA, call->sql_pos, "regular expression match failed: %s", (const char *)msg);
    return -1;
}

/* Byte offset where a search continues after a match [so, eo): its end, or
 * one character further for an empty match (as PostgreSQL). */
static size_t regex_next_start(const char *s, size_t n, size_t pos, size_t so, size_t eo)
{
    if (so != eo && eo > pos) return eo;
    if (eo < pos) eo = pos; /* never search backwards */
    return eo < n ? utf8_next(s, n, eo) : n + 1;
}

/* Set every row NULL when the constant pattern or flags is NULL. */
static bool regex_all_null(const FunctionCall *call, uint32_t count, Vector *out)
{
    const RegexBind *bind = call->bind_data;
    if (!bind->null_result) return false;
    for (uint32_t i = 0; i < count; i++) vector_set_null(out, i);
    return true;
}

/* ---- regex functions ------------------------------------------------------------ */

static bool regex_match_impl(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool negate,
                             Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    if (regex_all_null(call, count, out)) return true;
    const KString *strs = VEC_DATA(args[0], KString);
    uint8_t *res = VEC_DATA(out, uint8_t);
    RegexRows rows;
    regex_rows_init(&rows, call->bind_data);
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool global;
        if (!(ok = regex_rows_use(&rows, call, args, i, &global, err))) break;
        int m = regex_exec(&rows, call, kstring_data(&strs[i]), strs[i].len, 0, err);
        if (m < 0) ok = false;
        else res[i] = (uint8_t)(negate ? !m : m);
    }
    regex_rows_free(&rows);
    return ok;
}

static bool fn_regex_match(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return regex_match_impl(call, args, count, out, false, err);
}
static bool fn_regex_not_match(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return regex_match_impl(call, args, count, out, true, err);
}

static bool prepare_regex_cs(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS, -1, false, err);
}
static bool prepare_regex_ci(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS | PCRE2_CASELESS, -1, false, err);
}
static bool prepare_regexp_like(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS, 2, false, err);
}

/* Append the replacement text with PostgreSQL's escapes: \1..\9 a group,
 * \& the whole match, \\ a backslash; other backslashes are literal. */
static void append_replacement(StrBuf *sb, const char *s, const char *r, size_t rn, const PCRE2_SIZE *ov,
                               uint32_t pairs)
{
    size_t k = 0;
    while (k < rn) {
        const char *slash = memchr(r + k, '\\', rn - k);
        size_t plain = slash ? (size_t)(slash - (r + k)) : rn - k;
        strbuf_append(sb, r + k, plain);
        k += plain;
        if (k >= rn) break;
        if (k + 1 >= rn) { /* trailing backslash */
            strbuf_putc(sb, '\\');
            break;
        }
        char c = r[k + 1];
        int group = -1;
        if (c >= '1' && c <= '9') group = c - '0';
        else if (c == '&') group = 0;
        if (group >= 0) {
            if ((uint32_t)group < pairs && ov[2 * group] != PCRE2_UNSET && ov[2 * group + 1] >= ov[2 * group])
                strbuf_append(sb, s + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
            k += 2;
        } else if (c == '\\') {
            strbuf_putc(sb, '\\');
            k += 2;
        } else {
            strbuf_putc(sb, '\\');
            k += 1;
        }
    }
}

/* regexp_replace(s, pattern, replacement [, flags]). */
static bool fn_regexp_replace(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    if (regex_all_null(call, count, out)) return true;
    const KString *strs = VEC_DATA(args[0], KString), *reps = VEC_DATA(args[2], KString);
    RegexRows rows;
    regex_rows_init(&rows, call->bind_data);
    StrBuf sb = STRBUF_INIT;
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool global;
        if (!(ok = regex_rows_use(&rows, call, args, i, &global, err))) break;
        const char *s = kstring_data(&strs[i]), *r = kstring_data(&reps[i]);
        size_t n = strs[i].len, rn = reps[i].len;
        strbuf_clear(&sb);
        size_t copied = 0, pos = 0;
        while (pos <= n) {
            int m = regex_exec(&rows, call, s, n, pos, err);
            if (m < 0) ok = false;
            if (m <= 0) break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rows.match);
            uint32_t pairs = pcre2_get_ovector_count(rows.match);
            size_t so = ov[0], eo = ov[1];
            if (so < copied || eo < so) break; /* \K tricks: stop rather than misbehave */
            strbuf_append(&sb, s + copied, so - copied);
            append_replacement(&sb, s, r, rn, ov, pairs);
            copied = eo;
            if (!global) break;
            pos = regex_next_start(s, n, pos, so, eo);
        }
        if (!ok) break;
        strbuf_append(&sb, s + copied, n - copied);
        if (sb.len > UINT32_MAX) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "requested length too large");
            break;
        }
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    regex_rows_free(&rows);
    return ok;
}

static bool prepare_regexp_replace(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS, 3, true, err);
}

/* Byte offset of a 1-based character position `start` argument (arg index
 * a, if present), or an error for start < 1 as PostgreSQL's. */
static bool start_offset(const FunctionCall *call, Vector **args, int a, uint32_t i, const char *s, size_t n,
                         size_t *out, Error *err)
{
    *out = 0;
    if (a >= call->nargs) return true;
    int32_t start = VEC_DATA(args[a], int32_t)[i];
    if (start < 1) return error_set_at(err, ERR_DATA, call->sql_pos, "invalid value for parameter \"start\": %d", start);
    *out = utf8_skip(s, n, (uint64_t)start - 1);
    return true;
}

/* regexp_count(s, pattern [, start [, flags]]): number of matches. */
static bool fn_regexp_count(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    if (regex_all_null(call, count, out)) return true;
    const KString *strs = VEC_DATA(args[0], KString);
    int32_t *res = VEC_DATA(out, int32_t);
    RegexRows rows;
    regex_rows_init(&rows, call->bind_data);
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool global;
        const char *s = kstring_data(&strs[i]);
        size_t n = strs[i].len, pos;
        if (!(ok = regex_rows_use(&rows, call, args, i, &global, err))) break;
        if (!(ok = start_offset(call, args, 2, i, s, n, &pos, err))) break;
        int32_t matches = 0;
        while (pos <= n) {
            int m = regex_exec(&rows, call, s, n, pos, err);
            if (m < 0) ok = false;
            if (m <= 0) break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rows.match);
            matches++;
            pos = regex_next_start(s, n, pos, ov[0], ov[1]);
        }
        res[i] = matches;
    }
    regex_rows_free(&rows);
    return ok;
}

static bool prepare_regexp_count(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS, 3, false, err);
}

/* regexp_substr(s, pattern [, start [, N [, flags [, subexpr]]]]): the N-th
 * match (or its subexpr-th group); NULL when there is none. */
static bool fn_regexp_substr(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    if (regex_all_null(call, count, out)) return true;
    const KString *strs = VEC_DATA(args[0], KString);
    RegexRows rows;
    regex_rows_init(&rows, call->bind_data);
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool global;
        const char *s = kstring_data(&strs[i]);
        size_t n = strs[i].len, pos;
        if (!(ok = regex_rows_use(&rows, call, args, i, &global, err))) break;
        if (!(ok = start_offset(call, args, 2, i, s, n, &pos, err))) break;
        int32_t nth = call->nargs > 3 ? VEC_DATA(args[3], int32_t)[i] : 1;
        int32_t subexpr = call->nargs > 5 ? VEC_DATA(args[5], int32_t)[i] : 0;
        if (nth < 1) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "invalid value for parameter \"n\": %d", nth);
            break;
        }
        if (subexpr < 0) {
            ok = error_set_at(err, ERR_DATA, call->sql_pos, "invalid value for parameter \"subexpr\": %d", subexpr);
            break;
        }
        bool found = false;
        size_t so = 0, eo = 0;
        for (int32_t k = 1; pos <= n; k++) {
            int m = regex_exec(&rows, call, s, n, pos, err);
            if (m < 0) ok = false;
            if (m <= 0) break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rows.match);
            if (k == nth) {
                uint32_t pairs = pcre2_get_ovector_count(rows.match);
                if ((uint32_t)subexpr < pairs && ov[2 * subexpr] != PCRE2_UNSET &&
                    ov[2 * subexpr + 1] >= ov[2 * subexpr] && ov[2 * subexpr + 1] <= n) {
                    found = true;
                    so = ov[2 * subexpr];
                    eo = ov[2 * subexpr + 1];
                }
                break;
            }
            pos = regex_next_start(s, n, pos, ov[0], ov[1]);
        }
        if (!ok) break;
        if (found) VEC_DATA(out, KString)[i] = vector_make_string(out, s + so, (uint32_t)(eo - so));
        else vector_set_null(out, i);
    }
    regex_rows_free(&rows);
    return ok;
}

static bool prepare_regexp_substr(FunctionCall *call, Arena *arena, Error *err)
{
    return regex_prepare(call, REGEX_BASE_OPTIONS, 4, false, err);
}

/* ---- registry --------------------------------------------------------------------- */

#define V TYPE_VARCHAR
#define I TYPE_INTEGER
#define BOOL TYPE_BOOLEAN

static const FunctionOverload like_overloads[] = {{2, {V, V}, BOOL, fn_like, prepare_like}};
static const FunctionOverload not_like_overloads[] = {{2, {V, V}, BOOL, fn_not_like, prepare_like}};
static const FunctionOverload ilike_overloads[] = {{2, {V, V}, BOOL, fn_ilike, prepare_ilike}};
static const FunctionOverload not_ilike_overloads[] = {{2, {V, V}, BOOL, fn_not_ilike, prepare_ilike}};
static const FunctionOverload like_escape_overloads[] = {{2, {V, V}, V, fn_like_escape, NULL}};
static const FunctionOverload similar_to_escape_overloads[] = {
    {1, {V}, V, fn_similar_to_escape, NULL},
    {2, {V, V}, V, fn_similar_to_escape, NULL},
};
static const FunctionOverload regex_overloads[] = {{2, {V, V}, BOOL, fn_regex_match, prepare_regex_cs}};
static const FunctionOverload regex_ci_overloads[] = {{2, {V, V}, BOOL, fn_regex_match, prepare_regex_ci}};
static const FunctionOverload not_regex_overloads[] = {{2, {V, V}, BOOL, fn_regex_not_match, prepare_regex_cs}};
static const FunctionOverload not_regex_ci_overloads[] = {{2, {V, V}, BOOL, fn_regex_not_match, prepare_regex_ci}};
static const FunctionOverload regexp_like_overloads[] = {
    {2, {V, V}, BOOL, fn_regex_match, prepare_regexp_like},
    {3, {V, V, V}, BOOL, fn_regex_match, prepare_regexp_like},
};
static const FunctionOverload regexp_replace_overloads[] = {
    {3, {V, V, V}, V, fn_regexp_replace, prepare_regexp_replace},
    {4, {V, V, V, V}, V, fn_regexp_replace, prepare_regexp_replace},
};
static const FunctionOverload regexp_count_overloads[] = {
    {2, {V, V}, I, fn_regexp_count, prepare_regexp_count},
    {3, {V, V, I}, I, fn_regexp_count, prepare_regexp_count},
    {4, {V, V, I, V}, I, fn_regexp_count, prepare_regexp_count},
};
static const FunctionOverload regexp_substr_overloads[] = {
    {2, {V, V}, V, fn_regexp_substr, prepare_regexp_substr},
    {3, {V, V, I}, V, fn_regexp_substr, prepare_regexp_substr},
    {4, {V, V, I, I}, V, fn_regexp_substr, prepare_regexp_substr},
    {5, {V, V, I, I, V}, V, fn_regexp_substr, prepare_regexp_substr},
    {6, {V, V, I, I, V, I}, V, fn_regexp_substr, prepare_regexp_substr},
};

const ScalarFunction fn_set_pattern[] = {
    FN("~~", like_overloads),
    FN("!~~", not_like_overloads),
    FN("~~*", ilike_overloads),
    FN("!~~*", not_ilike_overloads),
    FN("like_escape", like_escape_overloads),
    FN("similar_to_escape", similar_to_escape_overloads),
    FN("~", regex_overloads),
    FN("~*", regex_ci_overloads),
    FN("!~", not_regex_overloads),
    FN("!~*", not_regex_ci_overloads),
    FN("regexp_like", regexp_like_overloads),
    FN("regexp_replace", regexp_replace_overloads),
    FN("regexp_count", regexp_count_overloads),
    FN("regexp_substr", regexp_substr_overloads),
    {NULL, NULL, 0},
};
