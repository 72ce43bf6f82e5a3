/* parquet_meta: Parquet's footer and page-header structures (parquet.thrift)
 * as C structs, decoded from and encoded to the Thrift compact protocol.
 *
 * Decoding copies nothing large: strings and statistics point into the
 * input buffer, which must outlive the structs; arrays are allocated in the
 * caller's arena, each sized by a list count that thrift_compact has checked
 * against the bytes left.  Only the fields kiln uses are kept; the rest are
 * skipped.  Enum values are kept as the file gives them (unknown ones are
 * rejected by the reader where they matter). */
#ifndef KILN_FORMATS_PARQUET_PARQUET_META_H
#define KILN_FORMATS_PARQUET_PARQUET_META_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/error.h"
#include "formats/parquet/thrift_compact.h"

/* Physical types. */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_INT96 = 3, PQ_FLOAT = 4, PQ_DOUBLE = 5, PQ_BYTE_ARRAY = 6, PQ_FIXED = 7 };
/* Repetition. */
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
/* Converted (legacy) types. */
enum {
    PQ_CT_UTF8 = 0, PQ_CT_MAP = 1, PQ_CT_MAP_KEY_VALUE = 2, PQ_CT_LIST = 3, PQ_CT_ENUM = 4, PQ_CT_DECIMAL = 5,
    PQ_CT_DATE = 6, PQ_CT_TIME_MILLIS = 7, PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MILLIS = 9,
    PQ_CT_TIMESTAMP_MICROS = 10, PQ_CT_UINT_8 = 11, PQ_CT_UINT_16 = 12, PQ_CT_UINT_32 = 13, PQ_CT_UINT_64 = 14,
    PQ_CT_INT_8 = 15, PQ_CT_INT_16 = 16, PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18, PQ_CT_JSON = 19, PQ_CT_BSON = 20,
    PQ_CT_INTERVAL = 21,
};
/* LogicalType union members (the field id of the union). */
enum {
    PQ_LT_NONE = 0, PQ_LT_STRING = 1, PQ_LT_MAP = 2, PQ_LT_LIST = 3, PQ_LT_ENUM = 4, PQ_LT_DECIMAL = 5,
    PQ_LT_DATE = 6, PQ_LT_TIME = 7, PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10, PQ_LT_UNKNOWN = 11, PQ_LT_JSON = 12,
    PQ_LT_BSON = 13, PQ_LT_UUID = 14, PQ_LT_FLOAT16 = 15, PQ_LT_VARIANT = 16, PQ_LT_GEOMETRY = 17, PQ_LT_GEOGRAPHY = 18,
};
/* Time units of TIME/TIMESTAMP. */
enum { PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };
/* Encodings. */
enum {
    PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3, PQ_ENC_BIT_PACKED = 4,
    PQ_ENC_DELTA_BINARY_PACKED = 5, PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6, PQ_ENC_DELTA_BYTE_ARRAY = 7,
    PQ_ENC_RLE_DICTIONARY = 8, PQ_ENC_BYTE_STREAM_SPLIT = 9,
};
/* Compression codecs. */
enum {
    PQ_CODEC_UNCOMPRESSED = 0, PQ_CODEC_SNAPPY = 1, PQ_CODEC_GZIP = 2, PQ_CODEC_LZO = 3, PQ_CODEC_BROTLI = 4,
    PQ_CODEC_LZ4 = 5, PQ_CODEC_ZSTD = 6, PQ_CODEC_LZ4_RAW = 7,
};
/* Page types. */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX = 1, PQ_PAGE_DICTIONARY = 2, PQ_PAGE_DATA_V2 = 3 };

typedef struct PqBytes {
    const uint8_t *data; /* NULL = absent */
    uint32_t len;
} PqBytes;

typedef struct PqStatistics {
    PqBytes max, min;             /* deprecated fields 1, 2 (signed order) */
    PqBytes max_value, min_value; /* fields 5, 6 */
    bool has_null_count;
    int64_t null_count;
    bool has_distinct_count;
    int64_t distinct_count;
} PqStatistics;

typedef struct PqLogicalType {
    int kind;           /* PQ_LT_*; PQ_LT_NONE if absent */
    int scale, precision; /* DECIMAL */
    bool utc;           /* TIME/TIMESTAMP isAdjustedToUTC */
    int unit;           /* TIME/TIMESTAMP: PQ_UNIT_* */
    int bit_width;      /* INTEGER */
    bool is_signed;     /* INTEGER */
} PqLogicalType;

typedef struct PqSchemaElement {
    int type;            /* PQ_* physical type, -1 for a group */
    int32_t type_length; /* FIXED_LEN_BYTE_ARRAY width */
    int repetition;      /* PQ_REQUIRED.., -1 if absent (the root) */
    const char *name;    /* arena copy, NUL-terminated */
    int32_t num_children; /* 0 for a leaf */
    int converted_type;  /* PQ_CT_*, -1 if absent */
    int32_t scale, precision;
    bool has_field_id;
    int32_t field_id;
    PqLogicalType logical;
} PqSchemaElement;

typedef struct PqKeyValue {
    const char *key;
    const char *value; /* NULL if absent */
} PqKeyValue;

typedef struct PqColumnMeta {
    int type;
    int *encodings;
    uint32_t nencodings;
    const char **path;
    uint32_t npath;
    int codec;
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    int64_t data_page_offset;
    bool has_dictionary_page_offset;
    int64_t dictionary_page_offset;
    bool has_statistics;
    PqStatistics statistics;
    PqKeyValue *kv;
    uint32_t nkv;
} PqColumnMeta;

typedef struct PqColumnChunk {
    const char *file_path; /* NULL = this file */
    int64_t file_offset;
    bool has_meta;
    PqColumnMeta meta;
} PqColumnChunk;

typedef struct PqRowGroup {
    PqColumnChunk *columns;
    uint32_t ncolumns;
    int64_t total_byte_size;
    int64_t num_rows;
    bool has_file_offset;
    int64_t file_offset;
    bool has_total_compressed_size;
    int64_t total_compressed_size;
} PqRowGroup;

typedef struct PqFileMeta {
    int32_t version;
    PqSchemaElement *schema;
    uint32_t nschema;
    int64_t num_rows;
    PqRowGroup *row_groups;
    uint32_t nrow_groups;
    PqKeyValue *kv;
    uint32_t nkv;
    const char *created_by; /* NULL if absent */
    bool has_column_orders; /* the writer says min_value/max_value follow the type's order */
} PqFileMeta;

typedef struct PqPageHeader {
    int type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    bool has_crc;
    int32_t crc;
    /* DATA_PAGE */
    int32_t num_values;
    int encoding;
    int def_encoding;
    int rep_encoding;
    /* DATA_PAGE_V2 (num_values and encoding above as well) */
    int32_t num_nulls;
    int32_t num_rows;
    int32_t def_length;
    int32_t rep_length;
    bool is_compressed;
    /* DICTIONARY_PAGE: num_values and encoding above */
    bool has_data_header, has_dict_header, has_v2_header;
    bool has_statistics;
    PqStatistics statistics;
} PqPageHeader;

/* Decode a FileMetaData from n bytes (which must outlive *out). */
bool pq_decode_file_meta(const uint8_t *p, size_t n, Arena *arena, PqFileMeta *out, Error *err);
/* Decode a PageHeader at p (at most n bytes); *used gets its length. */
bool pq_decode_page_header(const uint8_t *p, size_t n, PqPageHeader *out, size_t *used, Error *err);

/* Encode a FileMetaData (writer side). */
void pq_encode_file_meta(TcWriter *w, const PqFileMeta *m);
/* Encode a PageHeader. */
void pq_encode_page_header(TcWriter *w, const PqPageHeader *h);

/* Names of enum values, for messages and parquet_schema/parquet_metadata. */
const char *pq_type_name(int type);
const char *pq_converted_type_name(int ct);
const char *pq_encoding_name(int enc);
const char *pq_codec_name(int codec);

#endif
