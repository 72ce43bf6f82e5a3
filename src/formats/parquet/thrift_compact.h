/* thrift_compact: a small reader and writer of Thrift's compact protocol,
 * the encoding of Parquet's footer and page headers.
 *
 * The reader walks a byte range from an untrusted file: every read checks
 * the bytes left, nesting is limited (TC_MAX_DEPTH) so a hostile input
 * cannot recurse without end, and a list's element count is checked against
 * the bytes left before anyone sizes an allocation by it.  After the first
 * failure the reader stays failed (ok == false) and every read returns 0, so
 * decoders check once at the end of a struct.
 *
 * The writer appends to a growable buffer and keeps the last field id of
 * each open struct (field ids are written as deltas). */
#ifndef KILN_FORMATS_PARQUET_THRIFT_COMPACT_H
#define KILN_FORMATS_PARQUET_THRIFT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TC_MAX_DEPTH 32

/* Compact protocol element types (as written in field headers and lists). */
enum {
    TC_STOP = 0,
    TC_TRUE = 1,
    TC_FALSE = 2,
    TC_BYTE = 3,
    TC_I16 = 4,
    TC_I32 = 5,
    TC_I64 = 6,
    TC_DOUBLE = 7,
    TC_BINARY = 8,
    TC_LIST = 9,
    TC_SET = 10,
    TC_MAP = 11,
    TC_STRUCT = 12,
};

typedef struct TcReader {
    const uint8_t *p, *end;
    bool ok;
    const char *why;             /* first failure, for the error message */
    int depth;                   /* structs open */
    int16_t last_id[TC_MAX_DEPTH + 1];
    bool bool_pending;           /* a bool field's value lives in its header */
    bool bool_value;
} TcReader;

/* Start reading n bytes at p. */
void tc_reader_init(TcReader *r, const uint8_t *p, size_t n);
/* Mark the reader failed with a reason (keeps the first). Returns false. */
bool tc_fail(TcReader *r, const char *why);
/* Enter a struct (call before its first field). */
bool tc_struct_begin(TcReader *r);
/* Leave a struct (after tc_field returned false at its stop). */
void tc_struct_end(TcReader *r);
/* Next field of the open struct: true with its id and type, false at the
 * struct's end or on failure. */
bool tc_field(TcReader *r, int16_t *id, int *type);
int32_t tc_i32(TcReader *r);
int64_t tc_i64(TcReader *r);
/* A bool field's value (type is the field's header type or a list element's). */
bool tc_bool(TcReader *r, int type);
double tc_double(TcReader *r);
/* A binary/string: pointer into the input and length. */
const uint8_t *tc_binary(TcReader *r, uint32_t *len);
/* A list or set header: element type and count (count <= bytes left). */
bool tc_list_begin(TcReader *r, int *elem_type, uint32_t *count);
/* Skip a value of the given type (structs, lists and maps recursively). */
void tc_skip(TcReader *r, int type);

typedef struct TcWriter {
    uint8_t *data;
    size_t len, cap;
    int depth;
    int16_t last_id[TC_MAX_DEPTH + 1];
} TcWriter;

/* An empty writer. */
void tc_writer_init(TcWriter *w);
/* Free the writer's buffer. */
void tc_writer_free(TcWriter *w);
/* Open a nested struct (as a field value or list element). */
void tc_write_struct_begin(TcWriter *w);
/* Close the open struct (writes its stop byte). */
void tc_write_struct_end(TcWriter *w);
/* A field header of the open struct. */
void tc_write_field(TcWriter *w, int16_t id, int type);
/* Whole fields of the open struct. */
void tc_write_i32_field(TcWriter *w, int16_t id, int32_t v);
void tc_write_i64_field(TcWriter *w, int16_t id, int64_t v);
void tc_write_bool_field(TcWriter *w, int16_t id, bool v);
void tc_write_binary_field(TcWriter *w, int16_t id, const void *s, size_t n);
/* Values (list elements, or after tc_write_field). */
void tc_write_i32(TcWriter *w, int32_t v);
void tc_write_i64(TcWriter *w, int64_t v);
void tc_write_binary(TcWriter *w, const void *s, size_t n);
void tc_write_list_begin(TcWriter *w, int elem_type, uint32_t count);

#endif
