/* s3_fs: the FileSystem of s3:// paths (see io/fs.h for the contract).
 *
 * Reads: open is a HEAD (the size and ETag); pread is a ranged GET into the
 * caller's buffer; a read that continues where the previous one ended (a
 * CSV or JSON stream) fetches a read-ahead window of 8 MiB instead, so small
 * sequential reads do not each cost a request; reads of an object's first
 * 4 KiB and last 64 KiB go through a process-wide cache (s3_edge_cache.h).
 * pread_ranges fetches many ranges at once: ranges less than 1 MiB apart
 * share one GET, spans are cut into 8 MiB GETs, all run concurrently.
 * Writes: bytes collect in parts of s3_part_size; full parts are uploaded as
 * a multipart upload, a batch of several at once by a background thread
 * while the writer fills the next batch; commit uploads the rest and completes
 * the upload (an object smaller than one part is one PUT instead); abort
 * aborts the upload, so nothing is visible and no upload dangles.  Each part
 * and PUT carries Content-MD5; s3_sse / s3_sse_kms_key_id add the
 * server-side encryption headers.
 * Two-phase writes: open_staged starts a multipart upload of the final key;
 * prepare uploads the last part and returns the token
 *   "kiln-s3-upload-v1\n<upload id>\n<md5 of all bytes, hex>\n<etag 1>\n..."
 * publish completes it (and succeeds when the object is already there with
 * the expected ETag, so a commit can be rolled forward twice); discard aborts.
 * write_exclusive is a PUT with If-None-Match: * (412 = lost the race).
 * discard_stale_staged lists the multipart uploads under a prefix
 * (ListMultipartUploads, every page) and aborts those the caller accepts
 * that were initiated before a given object's Last-Modified.
 * Globs list the literal key prefix with ListObjectsV2 (all pages) and keep
 * the keys that fs_glob_match accepts. */
#ifndef KILN_IO_S3_FS_H
#define KILN_IO_S3_FS_H

#include "io/fs.h"

/* The S3 file system (serves paths that start with "s3://"). */
const FileSystem *fs_s3(void);

#endif
