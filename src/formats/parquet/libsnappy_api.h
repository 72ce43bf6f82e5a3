/* libsnappy_api: the libsnappy functions Parquet's SNAPPY codec calls,
 * loaded on the first SNAPPY page.
 *
 * kiln does not link libsnappy: it is C++, and with libstdc++ it cost every
 * process (most of which read no SNAPPY page) thousands of relocations at
 * start-up.  libsnappy_api() opens libsnappy.so.1 (Debian package
 * libsnappy1v5) once through common/dynlib.h; calls then go through the
 * table of snappy's C interface, each member named as the function without
 * its "snappy_": `snappy->uncompress(in, n, out, &len)`.  The member types
 * come from snappy-c.h, so calls are type-checked as direct ones are. */
#ifndef KILN_FORMATS_PARQUET_LIBSNAPPY_API_H
#define KILN_FORMATS_PARQUET_LIBSNAPPY_API_H

#include <snappy-c.h>

#include "common/error.h"

typedef struct LibsnappyApi {
    __typeof__(snappy_compress) *compress;
    __typeof__(snappy_uncompress) *uncompress;
    __typeof__(snappy_uncompressed_length) *uncompressed_length;
} LibsnappyApi;

/* The libsnappy functions, loading libsnappy on the first call
 * (thread-safe); NULL with err set (ERR_IO, "SNAPPY compression needs
 * libsnappy.so.1: <reason> ...") if it cannot be loaded. */
const LibsnappyApi *libsnappy_api(Error *err);

#endif
