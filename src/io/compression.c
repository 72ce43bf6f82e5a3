/* compression: codec names and file extensions (see compression.h). */
#include "io/compression.h"

#include <string.h>
#include <strings.h>

typedef struct CodecName {
    const char *name;
    Compression codec;
} CodecName;

static const CodecName names[] = {
    {"auto", COMPRESSION_AUTO},   {"none", COMPRESSION_NONE}, {"uncompressed", COMPRESSION_NONE},
    {"gzip", COMPRESSION_GZIP},   {"gz", COMPRESSION_GZIP},   {"zstd", COMPRESSION_ZSTD},
    {"zst", COMPRESSION_ZSTD},    {"bzip2", COMPRESSION_BZIP2}, {"bz2", COMPRESSION_BZIP2},
    {"lz4", COMPRESSION_LZ4},
};

static const CodecName extensions[] = {
    {".gz", COMPRESSION_GZIP},   {".gzip", COMPRESSION_GZIP}, {".zst", COMPRESSION_ZSTD},
    {".zstd", COMPRESSION_ZSTD}, {".bz2", COMPRESSION_BZIP2}, {".lz4", COMPRESSION_LZ4},
};

bool compression_parse(const char *name, Compression *out)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(names[i].name, name) == 0) {
            *out = names[i].codec;
            return true;
        }
    return false;
}

/* Index of the extension ending path in `extensions`, or -1. */
static int extension_index(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
        size_t m = strlen(extensions[i].name);
        if (n > m && strcasecmp(path + n - m, extensions[i].name) == 0) return (int)i;
    }
    return -1;
}

Compression compression_from_path(const char *path)
{
    int i = extension_index(path);
    return i < 0 ? COMPRESSION_NONE : extensions[i].codec;
}

Compression compression_resolve(const char *path, Compression requested)
{
    return requested == COMPRESSION_AUTO ? compression_from_path(path) : requested;
}

bool compression_is_compressed(const char *path, Compression requested)
{
    return compression_resolve(path, requested) != COMPRESSION_NONE;
}

const char *compression_name(Compression c)
{
    switch (c) {
    case COMPRESSION_AUTO: return "auto";
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_GZIP: return "gzip";
    case COMPRESSION_ZSTD: return "zstd";
    case COMPRESSION_BZIP2: return "bzip2";
    case COMPRESSION_LZ4: return "lz4";
    }
    return "?";
}

int compression_extension_length(const char *path)
{
    int i = extension_index(path);
    return i < 0 ? 0 : (int)strlen(extensions[i].name);
}
