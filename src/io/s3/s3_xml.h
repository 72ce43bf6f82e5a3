/* s3_xml: reading the few XML shapes S3 answers with (ListObjectsV2,
 * errors, multipart upload responses).
 *
 * A small strict parser, not a general XML library: elements, attributes
 * (skipped), text, the five named entities, numeric character references,
 * CDATA, comments, processing instructions and a DOCTYPE (skipped, no
 * entity definitions).  It reports every element that holds only text as
 * (parent name, element name, decoded text), namespace prefixes dropped.
 * Malformed input (mismatched or unclosed tags, a bad entity, nesting deeper
 * than 64) is an error, never a crash.  Memory: the element-name stack and
 * one text buffer, freed before returning. */
#ifndef KILN_IO_S3_XML_H
#define KILN_IO_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Called for each text-only element; return false to stop (the parse then
 * returns true without reading further). */
typedef bool (*S3XmlLeafFn)(void *ctx, const char *parent, const char *name, const char *text, size_t text_len);

/* Parse n bytes of XML, calling fn for each text-only element; *root (if
 * not NULL) gets the root element's name (mem_free it). */
bool s3_xml_parse(const char *xml, size_t n, S3XmlLeafFn fn, void *ctx, char **root, Error *err);

/* The text of the first element called name (a mem_alloc'ed string), or
 * NULL if there is none or the XML is malformed. */
char *s3_xml_find(const char *xml, size_t n, const char *name);

/* One page of a ListObjectsV2 answer. */
typedef struct S3ListPage {
    char **keys;        /* mem_alloc'ed keys, in the server's order; with a delimiter,
                           the CommonPrefixes too (ending in '/', size 0) */
    uint64_t *sizes;    /* size of each key */
    int count;
    int cap;
    bool truncated;     /* IsTruncated */
    char *next_token;   /* NextContinuationToken (NULL if none) */
} S3ListPage;

/* Parse a ListBucketResult; page must be zeroed. */
bool s3_xml_list_page(const char *xml, size_t n, S3ListPage *page, Error *err);
/* Free a page's contents and zero it. */
void s3_list_page_free(S3ListPage *page);

/* Parse an <Error> answer into its Code and Message (each NULL when absent;
 * mem_free them).  False if the body is not an S3 error document. */
bool s3_xml_error(const char *xml, size_t n, char **code, char **message);

#endif
