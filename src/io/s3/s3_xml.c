/* s3_xml: the small strict XML reader of S3 answers (see s3_xml.h).
 *
 * One pass over the bytes with a stack of open element names.  Text between
 * tags is decoded into one buffer that is reset at each start tag; an
 * element's end tag reports it as a leaf when no child element started since
 * its own start tag.  Memory: the stack (at most 64 names) and the buffer. */
#include "io/s3/s3_xml.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"

#define XML_MAX_DEPTH 64

typedef struct XmlParser {
    const char *p, *end;
    char *stack[XML_MAX_DEPTH];
    int depth;
    bool has_child;  /* the innermost open element has had a child element */
    StrBuf text;
    char *root;
    Error *err;
} XmlParser;

static bool fail(XmlParser *x, const char *what)
{
    return error_set(x->err, ERR_IO, "malformed XML in the S3 answer: %s", what);
}

static bool starts(const XmlParser *x, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

/* Advance past the next occurrence of s; false if there is none. */
static bool skip_past(XmlParser *x, const char *s)
{
    size_t n = strlen(s);
    for (const char *q = x->p; q + n <= x->end; q++)
        if (memcmp(q, s, n) == 0) {
            x->p = q + n;
            return true;
        }
    return false;
}

static void put_utf8(StrBuf *sb, unsigned long cp)
{
    char b[4];
    if (cp < 0x80) {
        strbuf_putc(sb, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        strbuf_append(sb, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        strbuf_append(sb, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        strbuf_append(sb, b, 4);
    }
}

/* Decode one entity at x->p ('&'), appending its character. */
static bool entity(XmlParser *x)
{
    const char *semi = memchr(x->p, ';', (size_t)(x->end - x->p));
    if (semi == NULL || semi - x->p > 12) return fail(x, "unterminated entity");
    const char *name = x->p + 1;
    size_t len = (size_t)(semi - name);
    static const struct { const char *name; char c; } named[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == len && memcmp(name, named[i].name, len) == 0) {
            strbuf_putc(&x->text, named[i].c);
            x->p = semi + 1;
            return true;
        }
    if (len >= 2 && name[0] == '#') {
        bool hex = name[1] == 'x';
        const char *digits = name + (hex ? 2 : 1);
        if (digits == semi) return fail(x, "empty character reference");
        unsigned long cp = 0;
        for (const char *d = digits; d < semi; d++) {
            int v;
            if (*d >= '0' && *d <= '9') v = *d - '0';
            else if (hex && *d >= 'a' && *d <= 'f') v = *d - 'a' + 10;
            else if (hex && *d >= 'A' && *d <= 'F') v = *d - 'A' + 10;
            else return fail(x, "bad character reference");
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            if (cp > 0x10FFFF) return fail(x, "character reference out of range");
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(x, "character reference out of range");
        put_utf8(&x->text, cp);
        x->p = semi + 1;
        return true;
    }
    return fail(x, "unknown entity");
}

static bool is_name_char(char c)
{
    return c != '\0' && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '>' && c != '/' && c != '=' &&
           c != '<' && c != '"' && c != '\'';
}

/* Read a tag name at x->p; returns a mem_alloc'ed local name (prefix dropped). */
static char *tag_name(XmlParser *x)
{
    const char *start = x->p;
    while (x->p < x->end && is_name_char(*x->p)) x->p++;
    if (x->p == start) return NULL;
    const char *local = start;
    for (const char *c = start; c < x->p; c++)
        if (*c == ':') local = c + 1;
    if (local == x->p) return NULL;
    return mem_strndup(local, (size_t)(x->p - local));
}

/* Skip attributes up to '>' or "/>"; *self_closing tells which. */
static bool skip_attributes(XmlParser *x, bool *self_closing)
{
    while (x->p < x->end) {
        char c = *x->p;
        if (c == '"' || c == '\'') {
            const char *close = memchr(x->p + 1, c, (size_t)(x->end - x->p - 1));
            if (close == NULL) return fail(x, "unterminated attribute value");
            x->p = close + 1;
        } else if (c == '/' && x->p + 1 < x->end && x->p[1] == '>') {
            x->p += 2;
            *self_closing = true;
            return true;
        } else if (c == '>') {
            x->p++;
            *self_closing = false;
            return true;
        } else if (c == '<') {
            return fail(x, "'<' inside a tag");
        } else {
            x->p++;
        }
    }
    return fail(x, "unterminated tag");
}

/* Parse the document; *stopped is set when fn asked to stop. */
static bool parse(XmlParser *x, S3XmlLeafFn fn, void *ctx)
{
    bool seen_root = false;
    while (x->p < x->end) {
        if (*x->p != '<') {
            if (x->depth == 0) {
                if (*x->p != ' ' && *x->p != '\t' && *x->p != '\r' && *x->p != '\n')
                    return fail(x, "text outside the root element");
                x->p++;
            } else if (*x->p == '&') {
                if (!entity(x)) return false;
            } else {
                strbuf_putc(&x->text, *x->p++);
            }
            continue;
        }
        if (starts(x, "<?")) {
            if (!skip_past(x, "?>")) return fail(x, "unterminated processing instruction");
        } else if (starts(x, "<!--")) {
            x->p += 4;
            if (!skip_past(x, "-->")) return fail(x, "unterminated comment");
        } else if (starts(x, "<![CDATA[")) {
            if (x->depth == 0) return fail(x, "CDATA outside the root element");
            x->p += 9;
            const char *start = x->p;
            if (!skip_past(x, "]]>")) return fail(x, "unterminated CDATA section");
            strbuf_append(&x->text, start, (size_t)(x->p - 3 - start));
        } else if (starts(x, "<!")) {
            if (x->depth > 0 || seen_root) return fail(x, "misplaced declaration");
            if (!skip_past(x, ">")) return fail(x, "unterminated declaration");
        } else if (starts(x, "</")) {
            x->p += 2;
            char *name = tag_name(x);
            if (name == NULL) return fail(x, "bad end tag");
            while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n')) x->p++;
            if (x->p >= x->end || *x->p != '>') {
                mem_free(name);
                return fail(x, "bad end tag");
            }
            x->p++;
            if (x->depth == 0 || strcmp(name, x->stack[x->depth - 1]) != 0) {
                mem_free(name);
                return fail(x, "mismatched end tag");
            }
            mem_free(name);
            x->depth--;
            bool keep_going = true;
            if (!x->has_child)
                keep_going = fn(ctx, x->depth > 0 ? x->stack[x->depth - 1] : "", x->stack[x->depth],
                                strbuf_cstr(&x->text), x->text.len);
            mem_free(x->stack[x->depth]);
            x->stack[x->depth] = NULL;
            x->has_child = true; /* the parent now has had a child */
            strbuf_clear(&x->text);
            if (!keep_going) return true;
        } else {
            x->p++;
            char *name = tag_name(x);
            if (name == NULL) return fail(x, "bad start tag");
            if (x->depth == 0 && seen_root) {
                mem_free(name);
                return fail(x, "more than one root element");
            }
            if (x->depth == XML_MAX_DEPTH) {
                mem_free(name);
                return fail(x, "elements nested too deeply");
            }
            bool self_closing = false;
            if (!skip_attributes(x, &self_closing)) {
                mem_free(name);
                return false;
            }
            if (x->depth == 0) {
                seen_root = true;
                x->root = mem_strdup(name);
            }
            strbuf_clear(&x->text);
            if (self_closing) {
                bool keep_going = fn(ctx, x->depth > 0 ? x->stack[x->depth - 1] : "", name, "", 0);
                mem_free(name);
                x->has_child = true;
                if (!keep_going) return true;
            } else {
                x->stack[x->depth++] = name;
                x->has_child = false;
            }
        }
    }
    if (x->depth > 0) return fail(x, "unclosed element");
    if (!seen_root) return fail(x, "no root element");
    return true;
}

bool s3_xml_parse(const char *xml, size_t n, S3XmlLeafFn fn, void *ctx, char **root, Error *err)
{
    XmlParser x = {xml, xml + n, {NULL}, 0, false, STRBUF_INIT, NULL, err};
    bool ok = parse(&x, fn, ctx);
    for (int i = 0; i < x.depth; i++) mem_free(x.stack[i]);
    strbuf_free(&x.text);
    if (root && ok) *root = x.root;
    else mem_free(x.root);
    return ok;
}

typedef struct FindCtx {
    const char *name;
    char *found;
} FindCtx;

static bool find_leaf(void *ctx, const char *parent, const char *name, const char *text, size_t len)
{
    FindCtx *f = ctx;
    if (strcmp(name, f->name) != 0) return true;
    f->found = mem_strndup(text, len);
    return false;
}

char *s3_xml_find(const char *xml, size_t n, const char *name)
{
    FindCtx f = {name, NULL};
    Error err = ERROR_INIT;
    if (!s3_xml_parse(xml, n, find_leaf, &f, NULL, &err)) {
        mem_free(f.found);
        return NULL;
    }
    return f.found;
}

/* ---- ListObjectsV2 ---- */

typedef struct ListCtx {
    S3ListPage *page;
    bool bad_size;
} ListCtx;

static bool list_leaf(void *ctx, const char *parent, const char *name, const char *text, size_t len)
{
    ListCtx *l = ctx;
    S3ListPage *page = l->page;
    if (strcmp(parent, "Contents") == 0 && strcmp(name, "Key") == 0) {
        if (page->count == page->cap) {
            page->cap = page->cap ? page->cap * 2 : 64;
            page->keys = mem_realloc(page->keys, (size_t)page->cap * sizeof *page->keys);
            page->sizes = mem_realloc(page->sizes, (size_t)page->cap * sizeof *page->sizes);
        }
        page->keys[page->count] = mem_strndup(text, len);
        page->sizes[page->count] = 0;
        page->count++;
    } else if (strcmp(parent, "Contents") == 0 && strcmp(name, "Size") == 0) {
        /* Size follows Key inside one Contents element */
        char *end;
        unsigned long long v = strtoull(text, &end, 10);
        if (page->count == 0 || end == text || *end != '\0') l->bad_size = true;
        else page->sizes[page->count - 1] = (uint64_t)v;
    } else if (strcmp(parent, "CommonPrefixes") == 0 && strcmp(name, "Prefix") == 0) {
        /* a "folder" of a listing with a delimiter: kept as a key ending in '/' */
        if (page->count == page->cap) {
            page->cap = page->cap ? page->cap * 2 : 64;
            page->keys = mem_realloc(page->keys, (size_t)page->cap * sizeof *page->keys);
            page->sizes = mem_realloc(page->sizes, (size_t)page->cap * sizeof *page->sizes);
        }
        page->keys[page->count] = mem_strndup(text, len);
        page->sizes[page->count] = 0;
        page->count++;
    } else if (strcmp(parent, "ListBucketResult") == 0 && strcmp(name, "IsTruncated") == 0) {
        page->truncated = len == 4 && memcmp(text, "true", 4) == 0;
    } else if (strcmp(parent, "ListBucketResult") == 0 && strcmp(name, "NextContinuationToken") == 0) {
        mem_free(page->next_token);
        page->next_token = mem_strndup(text, len);
    }
    return true;
}

bool s3_xml_list_page(const char *xml, size_t n, S3ListPage *page, Error *err)
{
    ListCtx l = {page, false};
    char *root = NULL;
    if (!s3_xml_parse(xml, n, list_leaf, &l, &root, err)) return false;
    bool is_list = strcmp(root, "ListBucketResult") == 0;
    mem_free(root);
    if (!is_list) return error_set(err, ERR_IO, "malformed XML in the S3 answer: expected ListBucketResult");
    if (l.bad_size) return error_set(err, ERR_IO, "malformed XML in the S3 answer: bad object Size");
    if (page->truncated && (page->next_token == NULL || page->next_token[0] == '\0'))
        return error_set(err, ERR_IO, "malformed XML in the S3 answer: a truncated listing without a continuation token");
    return true;
}

void s3_list_page_free(S3ListPage *page)
{
    for (int i = 0; i < page->count; i++) mem_free(page->keys[i]);
    mem_free(page->keys);
    mem_free(page->sizes);
    mem_free(page->next_token);
    memset(page, 0, sizeof *page);
}

/* ---- errors ---- */

typedef struct ErrCtx {
    char *code, *message;
} ErrCtx;

static bool error_leaf(void *ctx, const char *parent, const char *name, const char *text, size_t len)
{
    ErrCtx *e = ctx;
    if (strcmp(parent, "Error") != 0) return true;
    if (strcmp(name, "Code") == 0 && e->code == NULL) e->code = mem_strndup(text, len);
    else if (strcmp(name, "Message") == 0 && e->message == NULL) e->message = mem_strndup(text, len);
    return true;
}

bool s3_xml_error(const char *xml, size_t n, char **code, char **message)
{
    ErrCtx e = {NULL, NULL};
    Error err = ERROR_INIT;
    char *root = NULL;
    bool ok = s3_xml_parse(xml, n, error_leaf, &e, &root, &err) && strcmp(root, "Error") == 0;
    mem_free(root);
    if (!ok) {
        mem_free(e.code);
        mem_free(e.message);
        *code = *message = NULL;
        return false;
    }
    *code = e.code;
    *message = e.message;
    return true;
}
