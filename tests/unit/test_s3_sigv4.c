/* Unit tests of s3_sigv4 against AWS's published Signature Version 4 test
 * suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, 2015-08-30
 * 12:36:00 UTC, us-east-1, service "service") and the S3 documentation's
 * "Example: GET Object" (a ranged GET with x-amz-content-sha256). */
#include <string.h>

#include "common/mem.h"
#include "io/s3/s3_sigv4.h"
#include "unit.h"

#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_DATE "20150830T123600Z"
#define EMPTY_HASH "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SUITE_CRED "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

/* Sign with the suite's credentials; returns the Authorization value (free it). */
static char *sign_suite(const char *method, const char *path, const char *query, const S3Header *extra, int nextra,
                        const char *payload_hash, SigV4Debug *debug)
{
    S3Header headers[8];
    int n = 0;
    headers[n++] = (S3Header){"Host", "example.amazonaws.com"};
    headers[n++] = (S3Header){"X-Amz-Date", SUITE_DATE};
    for (int i = 0; i < nextra; i++) headers[n++] = extra[i];
    SigV4Request r = {method, path, query, headers, n, payload_hash, SUITE_DATE, "us-east-1", "service"};
    StrBuf auth = STRBUF_INIT;
    s3_sigv4_sign(&r, SUITE_KEY, SUITE_SECRET, &auth, debug);
    return strbuf_take(&auth);
}

static void check_suite(const char *method, const char *path, const char *query, const S3Header *extra, int nextra,
                        const char *payload_hash, const char *expected_creq, const char *expected_auth)
{
    SigV4Debug debug = {STRBUF_INIT, STRBUF_INIT};
    char *auth = sign_suite(method, path, query, extra, nextra, payload_hash, &debug);
    if (expected_creq) CHECK_EQ_STR(strbuf_cstr(&debug.canonical_request), expected_creq);
    CHECK_EQ_STR(auth, expected_auth);
    mem_free(auth);
    strbuf_free(&debug.canonical_request);
    strbuf_free(&debug.string_to_sign);
}

TEST(s3_sigv4_get_vanilla)
{
    SigV4Debug debug = {STRBUF_INIT, STRBUF_INIT};
    char *auth = sign_suite("GET", "/", "", NULL, 0, EMPTY_HASH, &debug);
    CHECK_EQ_STR(strbuf_cstr(&debug.canonical_request),
                 "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH);
    CHECK_EQ_STR(strbuf_cstr(&debug.string_to_sign),
                 "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                 "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK_EQ_STR(auth, SUITE_CRED "SignedHeaders=host;x-amz-date, "
                                  "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    mem_free(auth);
    strbuf_free(&debug.canonical_request);
    strbuf_free(&debug.string_to_sign);
}

TEST(s3_sigv4_get_vanilla_query_order_key_case)
{
    check_suite("GET", "/", "Param2=value2&Param1=value1", NULL, 0, EMPTY_HASH,
                "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                "host;x-amz-date\n" EMPTY_HASH,
                SUITE_CRED "SignedHeaders=host;x-amz-date, "
                           "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(s3_sigv4_get_vanilla_utf8_query)
{
    /* the key is U+1234, which the caller encodes */
    StrBuf q = STRBUF_INIT;
    s3_uri_encode(&q, "\xe1\x88\xb4", false);
    CHECK_EQ_STR(strbuf_cstr(&q), "%E1%88%B4");
    strbuf_puts(&q, "=bar");
    check_suite("GET", "/", strbuf_cstr(&q), NULL, 0, EMPTY_HASH, NULL,
                SUITE_CRED "SignedHeaders=host;x-amz-date, "
                           "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
    strbuf_free(&q);
}

TEST(s3_sigv4_post_vanilla)
{
    check_suite("POST", "/", "", NULL, 0, EMPTY_HASH, NULL,
                SUITE_CRED "SignedHeaders=host;x-amz-date, "
                           "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(s3_sigv4_post_vanilla_query)
{
    check_suite("POST", "/", "Param1=value1", NULL, 0, EMPTY_HASH, NULL,
                SUITE_CRED "SignedHeaders=host;x-amz-date, "
                           "Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
}

TEST(s3_sigv4_post_header_value_case)
{
    S3Header h[] = {{"My-Header1", "VALUE1"}};
    check_suite("POST", "/", "", h, 1, EMPTY_HASH, NULL,
                SUITE_CRED "SignedHeaders=host;my-header1;x-amz-date, "
                           "Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST(s3_sigv4_get_header_value_trim)
{
    S3Header h[] = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
    check_suite("GET", "/", "", h, 2, EMPTY_HASH,
                "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
                "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" EMPTY_HASH,
                SUITE_CRED "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                           "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(s3_sigv4_get_header_key_duplicate)
{
    S3Header h[] = {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
    check_suite("GET", "/", "", h, 3, EMPTY_HASH, NULL,
                SUITE_CRED "SignedHeaders=host;my-header1;x-amz-date, "
                           "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
}

TEST(s3_sigv4_post_x_www_form_urlencoded)
{
    char hash[65];
    s3_sha256_hex("Param1=value1", 13, hash);
    CHECK_EQ_STR(hash, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    S3Header h[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    check_suite("POST", "/", "", h, 1, hash,
                "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
                "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
                SUITE_CRED "SignedHeaders=content-type;host;x-amz-date, "
                           "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

/* The S3 API reference, "Example: GET Object": the first 10 bytes of
 * test.txt in examplebucket, with the empty body's hash signed. */
TEST(s3_sigv4_s3_get_object_example)
{
    S3Header h[] = {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Range", "bytes=0-9"},
                    {"x-amz-content-sha256", EMPTY_HASH},
                    {"x-amz-date", "20130524T000000Z"}};
    SigV4Request r = {"GET", "/test.txt", "", h, 4, EMPTY_HASH, "20130524T000000Z", "us-east-1", "s3"};
    StrBuf auth = STRBUF_INIT;
    SigV4Debug debug = {STRBUF_INIT, STRBUF_INIT};
    s3_sigv4_sign(&r, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &auth, &debug);
    CHECK_EQ_STR(strbuf_cstr(&debug.canonical_request),
                 "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                 "x-amz-content-sha256:" EMPTY_HASH "\nx-amz-date:20130524T000000Z\n\n"
                 "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_HASH);
    CHECK_EQ_STR(strbuf_cstr(&debug.string_to_sign),
                 "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                 "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK_EQ_STR(strbuf_cstr(&auth),
                 "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                 "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    strbuf_free(&auth);
    strbuf_free(&debug.canonical_request);
    strbuf_free(&debug.string_to_sign);
}

TEST(s3_sigv4_query_without_value_signs_with_equals)
{
    /* CreateMultipartUpload's "?uploads" is signed as "uploads=" */
    SigV4Debug debug = {STRBUF_INIT, STRBUF_INIT};
    char *auth = sign_suite("POST", "/b/k", "uploads", NULL, 0, EMPTY_HASH, &debug);
    CHECK(strstr(strbuf_cstr(&debug.canonical_request), "POST\n/b/k\nuploads=\n") != NULL);
    mem_free(auth);
    strbuf_free(&debug.canonical_request);
    strbuf_free(&debug.string_to_sign);
}

TEST(s3_sigv4_helpers)
{
    StrBuf s = STRBUF_INIT;
    s3_uri_encode(&s, "a b/c~d+e", true);
    CHECK_EQ_STR(strbuf_cstr(&s), "a%20b/c~d%2Be");
    strbuf_clear(&s);
    s3_uri_encode(&s, "a/b", false);
    CHECK_EQ_STR(strbuf_cstr(&s), "a%2Fb");
    strbuf_free(&s);
    char date[17];
    s3_amz_date(1440938160, date);
    CHECK_EQ_STR(date, "20150830T123600Z");
    char md5[25];
    s3_md5_base64("", 0, md5);
    CHECK_EQ_STR(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
}
