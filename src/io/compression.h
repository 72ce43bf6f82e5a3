/* compression: the codecs kiln reads and writes text files with (gzip, zstd,
 * bzip2, lz4 frame), their names in SQL options and their file extensions.
 *
 * A file's codec is chosen by its name (".gz", ".gzip", ".zst", ".zstd",
 * ".bz2", ".lz4"; anything else is uncompressed) unless an option names it:
 * `compression => 'gzip'` reads a file of any name as gzip, and
 * `compression => 'none'` reads a ".gz" file as it is.  The readers and
 * writers themselves are io/decompress.h and io/compress.h. */
#ifndef KILN_IO_COMPRESSION_H
#define KILN_IO_COMPRESSION_H

#include <stdbool.h>

typedef enum Compression {
    COMPRESSION_AUTO = 0, /* by the file's extension (the default; zero-initialised options get it) */
    COMPRESSION_NONE,
    COMPRESSION_GZIP,
    COMPRESSION_ZSTD,
    COMPRESSION_BZIP2,
    COMPRESSION_LZ4,
} Compression;

/* Parse an option value: auto, none (or uncompressed), gzip (gz), zstd
 * (zst), bzip2 (bz2), lz4; case-insensitive.  False if unknown. */
bool compression_parse(const char *name, Compression *out);
/* The codec a file name implies by its extension (COMPRESSION_NONE if none). */
Compression compression_from_path(const char *path);
/* The codec to use for path: `requested` unless it is AUTO, then by extension. */
Compression compression_resolve(const char *path, Compression requested);
/* True if path is read through a decompressor under the requested codec
 * (such a file can only be read from start to end, never split). */
bool compression_is_compressed(const char *path, Compression requested);
/* The codec's name as the options spell it ("gzip", "none" ...). */
const char *compression_name(Compression c);
/* Length of the codec extension that ends path (".gz" -> 3), 0 if none; lets
 * callers find the inner extension of "x.csv.gz". */
int compression_extension_length(const char *path);

#endif
