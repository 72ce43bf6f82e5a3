/* Unit tests of the S3 client's pure parts: XML answers (including
 * malformed ones), the AWS shared-file parser, the credentials chain,
 * s3:// paths and request addressing, and the S3 settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "io/s3/s3_config.h"
#include "io/s3/s3_credentials.h"
#include "io/s3/s3_edge_cache.h"
#include "io/s3/s3_http.h"
#include "io/s3/s3_profile.h"
#include "io/s3/s3_url.h"
#include "io/s3/s3_xml.h"
#include "unit.h"

/* ---- XML ---- */

TEST(s3_xml_list_objects_v2_page)
{
    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Name>b</Name><Prefix>data/</Prefix><KeyCount>2</KeyCount>"
                      "<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxL+tok==</NextContinuationToken>"
                      "<Contents><Key>data/a&amp;b.csv</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                      "<ETag>&quot;abc&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>"
                      "<Contents><Key><![CDATA[data/x<y>.csv]]></Key><Size>0</Size></Contents>"
                      "<Contents><Key>data/caf&#233;&#x2603;.csv</Key><Size>18446744073709551615</Size></Contents>"
                      "</ListBucketResult>";
    S3ListPage page;
    memset(&page, 0, sizeof page);
    Error err = ERROR_INIT;
    CHECK(s3_xml_list_page(xml, strlen(xml), &page, &err));
    CHECK_EQ_INT(page.count, 3);
    if (page.count == 3) {
        CHECK_EQ_STR(page.keys[0], "data/a&b.csv");
        CHECK_EQ_INT(page.sizes[0], 123);
        CHECK_EQ_STR(page.keys[1], "data/x<y>.csv");
        CHECK_EQ_INT(page.sizes[1], 0);
        CHECK_EQ_STR(page.keys[2], "data/caf\xc3\xa9\xe2\x98\x83.csv");
        CHECK(page.sizes[2] == UINT64_MAX);
    }
    CHECK(page.truncated);
    CHECK_EQ_STR(page.next_token, "1ueGcxL+tok==");
    s3_list_page_free(&page);
}

TEST(s3_xml_error_document)
{
    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
                      "<Message>The specified key does not exist.</Message><Key>x.csv</Key></Error>";
    char *code, *message;
    CHECK(s3_xml_error(xml, strlen(xml), &code, &message));
    CHECK_EQ_STR(code, "NoSuchKey");
    CHECK_EQ_STR(message, "The specified key does not exist.");
    mem_free(code);
    mem_free(message);
    /* a listing is not an error document */
    const char *list = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
    CHECK(!s3_xml_error(list, strlen(list), &code, &message));
    CHECK(code == NULL && message == NULL);
}

TEST(s3_xml_upload_id)
{
    const char *xml = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                      "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>";
    char *id = s3_xml_find(xml, strlen(xml), "UploadId");
    CHECK_EQ_STR(id, "VXBsb2FkIElE");
    mem_free(id);
    CHECK(s3_xml_find(xml, strlen(xml), "Nope") == NULL);
}

TEST(s3_xml_malformed_bodies_are_errors)
{
    const char *bad[] = {
        "",
        "not xml",
        "<a>",
        "<a></b>",
        "<a><b></a></b>",
        "<a>&bogus;</a>",
        "<a>&#xD800;</a>",
        "<a>&#99999999;</a>",
        "<a>&#;</a>",
        "<a>&amp</a>",
        "<a x=\"1></a>",
        "<a></a><b></b>",
        "<a><![CDATA[x</a>",
        "<a><!-- x </a>",
        "</a>",
        "<>",
        "<a/>trailing",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", /* truncated, no token */
        "<ListBucketResult><Contents><Key>k</Key><Size>-1x</Size></Contents></ListBucketResult>",
        "<Other></Other>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        S3ListPage page;
        memset(&page, 0, sizeof page);
        Error err = ERROR_INIT;
        bool ok = s3_xml_list_page(bad[i], strlen(bad[i]), &page, &err);
        if (ok) printf("  accepted malformed input %zu: %s\n", i, bad[i]);
        CHECK(!ok);
        CHECK(err.kind == ERR_IO);
        s3_list_page_free(&page);
    }
    /* nesting deeper than the limit */
    char deep[1000] = "";
    for (int i = 0; i < 70; i++) strcat(deep, "<a>");
    Error err = ERROR_INIT;
    S3ListPage page;
    memset(&page, 0, sizeof page);
    CHECK(!s3_xml_list_page(deep, strlen(deep), &page, &err));
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    s3_list_page_free(&page);
}

/* ---- shared files ---- */

TEST(s3_ini_parsing)
{
    const char *text = "# comment\n[default]\naws_access_key_id = AKID1\n"
                       "aws_secret_access_key=secret1  \n\n"
                       "[ other ]\n; comment\nAWS_ACCESS_KEY_ID = AKID2\nregion = eu-west-1\n"
                       "[profile dev]\nregion=ap-south-1\n";
    char *v = s3_ini_get(text, "default", "aws_access_key_id");
    CHECK_EQ_STR(v, "AKID1");
    mem_free(v);
    v = s3_ini_get(text, "default", "aws_secret_access_key");
    CHECK_EQ_STR(v, "secret1");
    mem_free(v);
    v = s3_ini_get(text, "other", "aws_access_key_id");
    CHECK_EQ_STR(v, "AKID2");
    mem_free(v);
    v = s3_ini_get(text, "profile dev", "region");
    CHECK_EQ_STR(v, "ap-south-1");
    mem_free(v);
    CHECK(s3_ini_get(text, "default", "region") == NULL);
    CHECK(s3_ini_get(text, "missing", "region") == NULL);
}

/* Set or clear an environment variable. */
static void env(const char *name, const char *value)
{
    if (value) setenv(name, value, 1);
    else unsetenv(name);
}

static const char *const cred_env[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                                       "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION",
                                       "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "HOME",
                                       "AWS_EC2_METADATA_DISABLED", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", NULL};

TEST(s3_credentials_chain)
{
    /* save and clear the environment the chain reads */
    char *saved[16];
    for (int i = 0; cred_env[i]; i++) {
        const char *v = getenv(cred_env[i]);
        saved[i] = v ? mem_strdup(v) : NULL;
        env(cred_env[i], NULL);
    }
    env("AWS_EC2_METADATA_DISABLED", "true"); /* never ask a real instance metadata service */
    char dir[] = "/tmp/kiln-s3-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char creds_path[64], config_path[64];
    snprintf(creds_path, sizeof creds_path, "%s/credentials", dir);
    snprintf(config_path, sizeof config_path, "%s/config", dir);
    FILE *f = fopen(creds_path, "w");
    fputs("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
          "[half]\naws_access_key_id = ONLYID\n", f);
    fclose(f);
    f = fopen(config_path, "w");
    fputs("[profile cfg]\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\nregion = eu-north-1\n"
          "endpoint_url = http://127.0.0.1:9\n", f);
    fclose(f);
    s3_setting_reset("all", &(Error)ERROR_INIT);

    S3Config cfg;
    S3Credentials c;
    Error err = ERROR_INIT;
    /* nothing anywhere: a clear error that names the places looked at */
    env("HOME", dir); /* no .aws below it */
    s3_config_load(&cfg);
    CHECK(!s3_credentials_resolve(&cfg, &c, &err));
    CHECK(strstr(err.message, "no S3 credentials found") != NULL);
    CHECK(strstr(err.message, "AWS_EC2_METADATA_DISABLED") != NULL);
    CHECK(strstr(err.message, "AWS_WEB_IDENTITY_TOKEN_FILE") != NULL);

    /* half a web identity is an error, not a reason to try the next provider */
    env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/kiln");
    error_clear(&err);
    CHECK(!s3_credentials_resolve(&cfg, &c, &err));
    CHECK(strstr(err.message, "incomplete web identity configuration") != NULL);
    CHECK(strstr(err.message, "AWS_WEB_IDENTITY_TOKEN_FILE") != NULL);
    env("AWS_ROLE_ARN", NULL);
    env("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/kiln-token");
    error_clear(&err);
    CHECK(!s3_credentials_resolve(&cfg, &c, &err));
    CHECK(strstr(err.message, "AWS_ROLE_ARN") != NULL);
    env("AWS_WEB_IDENTITY_TOKEN_FILE", NULL);
    error_clear(&err);
    CHECK_EQ_STR(cfg.region, "us-east-1");
    CHECK_EQ_STR(cfg.endpoint, "");
    s3_config_free(&cfg);

    /* the profile file */
    env("AWS_SHARED_CREDENTIALS_FILE", creds_path);
    env("AWS_CONFIG_FILE", config_path);
    s3_config_load(&cfg);
    CHECK(s3_credentials_resolve(&cfg, &c, &err));
    CHECK_EQ_STR(c.access_key_id, "FILEKEY");
    CHECK_EQ_STR(c.secret_access_key, "FILESECRET");
    CHECK_EQ_STR(c.source, "profile");
    s3_credentials_free(&c);
    s3_config_free(&cfg);

    /* AWS_PROFILE picks a config-file profile, with its region and endpoint */
    env("AWS_PROFILE", "cfg");
    s3_config_load(&cfg);
    CHECK(s3_credentials_resolve(&cfg, &c, &err));
    CHECK_EQ_STR(c.access_key_id, "CFGKEY");
    CHECK_EQ_STR(cfg.region, "eu-north-1");
    CHECK_EQ_STR(cfg.endpoint, "http://127.0.0.1:9");
    s3_credentials_free(&c);
    s3_config_free(&cfg);

    /* a half-configured profile is an error, and never shows a secret */
    env("AWS_PROFILE", "half");
    s3_config_load(&cfg);
    error_clear(&err);
    CHECK(!s3_credentials_resolve(&cfg, &c, &err));
    CHECK(strstr(err.message, "incomplete S3 credentials") != NULL);
    s3_config_free(&cfg);

    /* the environment beats the files; the region from AWS_REGION */
    env("AWS_ACCESS_KEY_ID", "ENVKEY");
    env("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
    env("AWS_SESSION_TOKEN", "ENVTOKEN");
    env("AWS_REGION", "sa-east-1");
    s3_config_load(&cfg);
    CHECK(s3_credentials_resolve(&cfg, &c, &err));
    CHECK_EQ_STR(c.access_key_id, "ENVKEY");
    CHECK_EQ_STR(c.session_token, "ENVTOKEN");
    CHECK_EQ_STR(c.source, "environment");
    CHECK_EQ_STR(cfg.region, "sa-east-1");
    s3_credentials_free(&c);
    s3_config_free(&cfg);

    /* settings beat everything; SHOW redacts the secret */
    CHECK(s3_setting_set("s3_access_key_id", "SETKEY", &err));
    CHECK(s3_setting_set("s3_secret_access_key", "SETSECRET", &err));
    CHECK(s3_setting_set("s3_region", "us-west-2", &err));
    s3_config_load(&cfg);
    CHECK(s3_credentials_resolve(&cfg, &c, &err));
    CHECK_EQ_STR(c.access_key_id, "SETKEY");
    CHECK(c.session_token == NULL);
    CHECK_EQ_STR(c.source, "settings");
    CHECK_EQ_STR(cfg.region, "us-west-2");
    s3_credentials_free(&c);
    s3_config_free(&cfg);
    char *shown = NULL;
    CHECK(s3_setting_show("s3_secret_access_key", &shown, &err));
    CHECK_EQ_STR(shown, "********");
    mem_free(shown);

    s3_setting_reset("all", &err);
    unlink(creds_path);
    unlink(config_path);
    rmdir(dir);
    for (int i = 0; cred_env[i]; i++) {
        env(cred_env[i], saved[i]);
        mem_free(saved[i]);
    }
}

TEST(s3_settings_validation)
{
    Error err = ERROR_INIT;
    CHECK(!s3_setting_set("s3_part_size", "1MiB", &err));
    CHECK(strstr(err.message, "s3_part_size") != NULL);
    CHECK(s3_setting_set("s3_part_size", "5MiB", &err));
    char *v = NULL;
    CHECK(s3_setting_show("s3_part_size", &v, &err));
    CHECK_EQ_STR(v, "5 MiB");
    mem_free(v);
    CHECK(!s3_setting_set("s3_url_style", "sideways", &err));
    CHECK(!s3_setting_set("s3_sse", "rot13", &err));
    CHECK(s3_setting_set("s3_sse", "aws:kms", &err));
    CHECK(!s3_setting_set("s3_retry_budget", "soon", &err));
    CHECK(s3_setting_set("s3_retry_budget", "1500ms", &err));
    CHECK(s3_setting_show("s3_retry_budget", &v, &err));
    CHECK_EQ_STR(v, "1.5s");
    mem_free(v);
    CHECK(!s3_setting_set("s3_retries", "0", &err));
    CHECK(!s3_setting_set("s3_nonsense", "1", &err));
    CHECK(strstr(err.message, "unrecognized configuration parameter") != NULL);
    CHECK(s3_setting_reset("all", &err));
    CHECK(s3_setting_show("s3_part_size", &v, &err));
    CHECK_EQ_STR(v, "16 MiB");
    mem_free(v);
}

/* ---- paths and addressing ---- */

TEST(s3_paths_parse)
{
    S3Location loc;
    Error err = ERROR_INIT;
    CHECK(s3_parse_path("s3://bucket/dir/file.csv", &loc, &err));
    CHECK_EQ_STR(loc.bucket, "bucket");
    CHECK_EQ_STR(loc.key, "dir/file.csv");
    s3_location_free(&loc);
    CHECK(s3_parse_path("s3://bucket", &loc, &err));
    CHECK_EQ_STR(loc.key, "");
    s3_location_free(&loc);
    CHECK(!s3_parse_path("s3:///key", &loc, &err));
    CHECK(strstr(err.message, "no bucket name") != NULL);
    CHECK(!s3_is_path("/tmp/x"));
}

static void check_target(const char *endpoint, S3UrlStyle style, bool ssl, const char *bucket, const char *key,
                         const char *url, const char *host, const char *path)
{
    S3Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.region = (char *)"eu-west-1";
    cfg.endpoint = (char *)endpoint;
    cfg.url_style = style;
    cfg.use_ssl = ssl;
    S3Target t;
    s3_target(&cfg, bucket, key, &t);
    CHECK_EQ_STR(strbuf_cstr(&t.url), url);
    CHECK_EQ_STR(strbuf_cstr(&t.host), host);
    CHECK_EQ_STR(strbuf_cstr(&t.encoded_path), path);
    s3_target_free(&t);
}

TEST(s3_addressing_styles)
{
    /* AWS: virtual-hosted by default */
    check_target("", S3_URL_AUTO, true, "my-bucket", "a b/c+d.csv",
                 "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd.csv", "my-bucket.s3.eu-west-1.amazonaws.com",
                 "/a%20b/c%2Bd.csv");
    /* a bucket with dots cannot use the wildcard certificate: path-style */
    check_target("", S3_URL_AUTO, true, "my.bucket", "k", "https://s3.eu-west-1.amazonaws.com/my.bucket/k",
                 "s3.eu-west-1.amazonaws.com", "/my.bucket/k");
    /* a custom endpoint: path-style unless forced */
    check_target("http://127.0.0.1:9000", S3_URL_AUTO, true, "b", "x/y.parquet", "http://127.0.0.1:9000/b/x/y.parquet",
                 "127.0.0.1:9000", "/b/x/y.parquet");
    check_target("minio.local:9000", S3_URL_VHOST, false, "b", "k", "http://b.minio.local:9000/k", "b.minio.local:9000",
                 "/k");
    check_target("https://r2.example.com/", S3_URL_AUTO, false, "b", "k", "https://r2.example.com/b/k",
                 "r2.example.com", "/b/k");
    /* the default port is not part of Host */
    check_target("http://localhost:80", S3_URL_PATH, true, "b", "k", "http://localhost/b/k", "localhost", "/b/k");
    /* a bucket operation (listing) */
    check_target("", S3_URL_PATH, true, "b", "", "https://s3.eu-west-1.amazonaws.com/b/", "s3.eu-west-1.amazonaws.com",
                 "/b/");
}

TEST(s3_time_formats)
{
    double t = 0;
    CHECK(s3_parse_iso_time("1970-01-02T00:00:01Z", &t));
    CHECK(t == 86401.0);
    CHECK(s3_parse_iso_time("2026-11-26T01:23:45.500Z", &t));
    CHECK(t == 1795656225.5);
    CHECK(!s3_parse_iso_time("2026-11-26T01:23:45", &t));      /* no zone: not UTC */
    CHECK(!s3_parse_iso_time("2026-11-26T01:23:45+01:00", &t));
    CHECK(!s3_parse_iso_time("yesterday", &t));
    CHECK(s3_parse_http_date("Thu, 26 Nov 2026 01:23:45 GMT", &t));
    CHECK(t == 1795656225.0);
    CHECK(!s3_parse_http_date("Thu, 26 Nov 2026 01:23:45", &t));
    CHECK(!s3_parse_http_date("", &t));
}

TEST(s3_credentials_expiry)
{
    S3Credentials c = {0};
    CHECK(!s3_credentials_expiring(&c)); /* 0: long-term keys never expire */
    c.expires = (double)time(NULL) + 3600;
    CHECK(!s3_credentials_expiring(&c));
    c.expires = (double)time(NULL) + 60; /* inside the 5-minute margin */
    CHECK(s3_credentials_expiring(&c));
}

static char *bytes_of(const char *text)
{
    return mem_strdup(text);
}

TEST(s3_edge_cache)
{
    S3EdgeKey k = {"unit-bucket", "dir/file.parquet", "\"etag-1\"", 100};
    char buf[16];
    CHECK(!s3_edge_cache_read(&k, buf, 4, 96));
    /* the tail: bytes 90..99 */
    s3_edge_cache_store(&k, bytes_of("0123456789"), 10, 90);
    CHECK(s3_edge_cache_read(&k, buf, 4, 96));
    CHECK(memcmp(buf, "6789", 4) == 0);
    CHECK(s3_edge_cache_read(&k, buf, 10, 90));
    CHECK(!s3_edge_cache_read(&k, buf, 4, 88)); /* starts before the cached tail */
    /* another ETag or size: another object */
    S3EdgeKey changed = k;
    changed.etag = "\"etag-2\"";
    CHECK(!s3_edge_cache_read(&changed, buf, 4, 96));
    changed = k;
    changed.size = 101;
    CHECK(!s3_edge_cache_read(&changed, buf, 4, 96));
    changed = k;
    changed.key = "dir/file.parquet2";
    CHECK(!s3_edge_cache_read(&changed, buf, 4, 96));
    /* no ETag: never cached */
    S3EdgeKey no_etag = {"unit-bucket", "noetag", "", 10};
    s3_edge_cache_store(&no_etag, bytes_of("abcdefghij"), 10, 0);
    CHECK(!s3_edge_cache_read(&no_etag, buf, 2, 0));
    /* the head, beside the tail; a longer tail replaces a shorter one */
    s3_edge_cache_store(&k, bytes_of("PAR1"), 4, 0);
    CHECK(s3_edge_cache_read(&k, buf, 4, 0));
    CHECK(memcmp(buf, "PAR1", 4) == 0);
    s3_edge_cache_store(&k, bytes_of("abcdefghijklmnopqrst"), 20, 80);
    CHECK(s3_edge_cache_read(&k, buf, 4, 80));
    CHECK(memcmp(buf, "abcd", 4) == 0);
    CHECK(s3_edge_cache_read(&k, buf, 4, 0));
    /* many other objects push the least recently used out (32 entries) */
    char key[32];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "other-%d", i);
        S3EdgeKey o = {"unit-bucket", key, "\"e\"", 4};
        s3_edge_cache_store(&o, bytes_of("wxyz"), 4, 0);
    }
    CHECK(!s3_edge_cache_read(&k, buf, 4, 80));
    S3EdgeKey last = {"unit-bucket", "other-39", "\"e\"", 4};
    CHECK(s3_edge_cache_read(&last, buf, 4, 0));
}
