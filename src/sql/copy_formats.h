/* copy_formats: the file formats COPY reads and writes, looked up by the
 * FORMAT option or, without it, by the file's extension (.csv, .parquet,
 * .jsonl ...; anything else is CSV).  A format adds itself with one line in
 * copy_formats.c. */
#ifndef KILN_SQL_COPY_FORMATS_H
#define KILN_SQL_COPY_FORMATS_H

#include "formats/parquet/parquet_writer.h"
#include "sql/bind_csv.h"
#include "sql/session.h"

/* Where COPY ... TO sends rows: a sink plus the commit protocol. */
typedef struct CopyWriter {
    ResultSink sink;                                  /* rows arrive here */
    bool (*commit)(struct CopyWriter *w, Error *err); /* make the output visible; frees w */
    void (*abort)(struct CopyWriter *w);              /* discard the output; frees w; cannot fail */
} CopyWriter;

typedef struct CopyFormat {
    const char *name;                 /* the FORMAT option's value */
    const char *const *extensions;    /* file names ending so imply the format (NULL-terminated) */
    /* COPY ... TO path (NULL = standard output): open a writer. opts holds
     * the options other than FORMAT. */
    bool (*open_writer)(Binder *b, const char *path, const SqlOption *opts, int nopts, CopyWriter **out, Error *err);
    /* COPY ... FROM path: a scan of the file(s) producing exactly the declared columns. */
    bool (*bind_reader)(Binder *b, const char *path, const SqlOption *opts, int nopts, int ncols, const char **names,
                        const LogicalType *types, PlanNode **out, Error *err);
} CopyFormat;

/* The format of a COPY: its FORMAT option if any, else the path's extension. */
bool copy_format_resolve(const char *path, const SqlOption *opts, int nopts, const CopyFormat **out, Error *err);

/* CSV (copy_csv.c). */
extern const CopyFormat copy_format_csv;
/* JSON Lines (copy_json.c). */
extern const CopyFormat copy_format_json;
/* Parquet (copy_parquet.c). */
extern const CopyFormat copy_format_parquet;
/* The Parquet writer options of a COPY TO option list (FORMAT is skipped;
 * other unknown options are errors). */
bool copy_parquet_write_options(Binder *b, const SqlOption *opts, int nopts, ParquetWriteOptions *out, Error *err);

#endif
