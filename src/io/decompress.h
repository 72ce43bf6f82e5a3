/* decompress: reads a file's bytes through a codec (gzip, zstd, bzip2, lz4
 * frame; see compression.h), as a stream: from the start to the end, never
 * from an arbitrary offset, so a compressed file is read by one reader and
 * never split into byte ranges.
 *
 * Concatenated members/frames/streams are read one after the other (a
 * multi-member gzip file, as `cat a.gz b.gz` makes, reads as the
 * concatenation of its members' data).  An empty file is empty data.
 *
 * Errors are ERR_DATA with the file as location: corrupt input ("invalid
 * gzip data in file "x.gz": incorrect header check") and truncated input
 * ("unexpected end of gzip data in file "x.gz" (truncated file?)");
 * I/O errors are ERR_IO.
 *
 * Memory: one 256 KiB input buffer plus the codec's own state (zlib's 32 KiB
 * window, zstd's window up to 128 MiB for frames that declare one that large
 * (zstd's default limit), bzip2's ~3.5 MiB, lz4's block buffers up to 4 MiB).
 * Output goes straight into the caller's buffer. */
#ifndef KILN_IO_DECOMPRESS_H
#define KILN_IO_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "io/compression.h"
#include "io/fs.h"

typedef struct Decompressor Decompressor;

/* Read file's bytes through codec (AUTO: by the file's name; NONE: as they
 * are).  Borrows file: close it after decompress_close. */
Decompressor *decompress_open(FsFile *file, Compression codec, Error *err);
/* Open path and read it through codec (AUTO: by its extension); the
 * decompressor owns the file. */
Decompressor *decompress_open_path(const char *path, Compression codec, Error *err);
/* Fill buf with up to n decompressed bytes; *got < n only at the end of the
 * data (*got == 0: nothing is left). */
bool decompress_read(Decompressor *d, void *buf, size_t n, size_t *got, Error *err);
/* Bytes of the (compressed) file consumed so far (progress). */
uint64_t decompress_bytes_in(const Decompressor *d);
/* Decompressed bytes returned so far. */
uint64_t decompress_bytes_out(const Decompressor *d);
/* The codec actually used (AUTO resolved). */
Compression decompress_codec(const Decompressor *d);
/* Size in bytes of the underlying (compressed) file. */
uint64_t decompress_file_size(const Decompressor *d);
/* Free the decompressor (and its file if it owns it); NULL is fine. */
void decompress_close(Decompressor *d);

#endif
