/* compress: writes a file through a codec (gzip, zstd, bzip2, lz4 frame;
 * see compression.h), with fs.h's atomic protocol: the compressed bytes go
 * to a temporary beside the target and appear under its name only at
 * commit.
 *
 * compress_open_write returns an ordinary FsWriter, so writers of any
 * format stay unaware of compression: fs_writer_write takes uncompressed
 * bytes (bytes_written counts them), fs_writer_commit finishes the stream
 * and commits the file, fs_writer_abort discards it.
 *
 * Levels: gzip 6, zstd 3, bzip2 9, lz4 default (the command-line tools'
 * defaults).  Memory: one 256 KiB output buffer plus the codec's state. */
#ifndef KILN_IO_COMPRESS_H
#define KILN_IO_COMPRESS_H

#include "common/error.h"
#include "io/compression.h"
#include "io/fs.h"

/* Start writing path atomically through codec (AUTO: by path's extension;
 * NONE: a plain fs_open_write). */
FsWriter *compress_open_write(const char *path, Compression codec, Error *err);

#endif
