/* spill: temporary files that operators write batches to when their state
 * does not fit the memory limit, and read back in the same order.
 *
 * A spill file is created in the temp_directory setting and unlinked at
 * once, so it disappears when closed or when the process dies.  Batches are
 * written in a compact binary form: the row count, then per column the
 * validity bitmap (only when there are NULLs), the fixed-size values, and for
 * text the lengths followed by the bytes.  Reading gives back batches of the
 * same rows (selections are resolved on write). */
#ifndef KILN_EXEC_SPILL_H
#define KILN_EXEC_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "types/batch.h"

typedef struct SpillFile SpillFile;

/* Create an anonymous spill file in dir (1 MB write buffer). */
SpillFile *spill_create(const char *dir, Error *err);
/* Create one with a buffer of buffer_bytes (many partition files open at once). */
SpillFile *spill_create_buffered(const char *dir, size_t buffer_bytes, Error *err);
/* Append the logical rows of b. */
bool spill_write(SpillFile *f, const Batch *b, Error *err);
/* Switch from writing to reading from the start. */
bool spill_rewind(SpillFile *f, Error *err);
/* Read the next batch into out (a batch with owned vectors of the right
 * types, reset by the call); out->count == 0 at the end. */
bool spill_read(SpillFile *f, Batch *out, Error *err);
/* Bytes written so far. */
uint64_t spill_bytes(const SpillFile *f);
/* Close and forget the file (NULL is fine). */
void spill_close(SpillFile *f);

#endif
