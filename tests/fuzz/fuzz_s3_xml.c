/* fuzz_s3_xml: libFuzzer target for the S3 answer parser (src/io/s3/s3_xml.h).
 *
 *   scripts/fuzz.sh 60 s3_xml
 *
 * Input: any bytes, parsed as a ListObjectsV2 page, an error document and
 * an UploadId lookup.  Checks, beyond "no crash, leak or sanitizer report":
 * an accepted page has count <= cap, every key is a string, a truncated page
 * has a continuation token, and a failure is always an ERR_IO. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "io/s3/s3_xml.h"

#define FAIL(...)                                                                                       \
    do {                                                                                                \
        fprintf(stderr, __VA_ARGS__);                                                                   \
        fputc('\n', stderr);                                                                            \
        abort();                                                                                        \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    S3ListPage page;
    memset(&page, 0, sizeof page);
    Error err = ERROR_INIT;
    if (s3_xml_list_page(xml, size, &page, &err)) {
        if (page.count > page.cap) FAIL("count %d > cap %d", page.count, page.cap);
        for (int i = 0; i < page.count; i++)
            if (page.keys[i] == NULL) FAIL("key %d is NULL", i);
        if (page.truncated && (page.next_token == NULL || page.next_token[0] == '\0'))
            FAIL("a truncated page without a token was accepted");
    } else if (err.kind != ERR_IO) {
        FAIL("failure of kind %d", (int)err.kind);
    }
    s3_list_page_free(&page);
    char *code = NULL, *message = NULL;
    if (s3_xml_error(xml, size, &code, &message)) {
        mem_free(code);
        mem_free(message);
    } else if (code || message) {
        FAIL("a rejected error document left strings behind");
    }
    mem_free(s3_xml_find(xml, size, "UploadId"));
    return 0;
}
