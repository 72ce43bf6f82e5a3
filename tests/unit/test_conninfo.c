/* Unit tests of connection strings and named connections: URLs split and
 * percent-decoded, passwords removed from any scheme, connection names
 * resolved with ${ENV} references and a separate password. */
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "connectors/conninfo.h"
#include "sql/connections.h"
#include "unit.h"

TEST(conninfo_redacts_every_scheme)
{
    char *got = conninfo_redact("mysql://etl:s3cr%40t@db:3306/crm?sslmode=require");
    CHECK_EQ_STR(got, "mysql://etl@db:3306/crm?sslmode=require");
    mem_free(got);
    got = conninfo_redact("mariadb://db/crm?password=x&user=u");
    CHECK_EQ_STR(got, "mariadb://db/crm?password=***&user=u");
    mem_free(got);
}

/* The text with every span conninfo_find_secrets reports replaced by ***. */
static char *mask_secrets(const char *text)
{
    static char out[512];
    SecretSpan spans[8];
    int n = conninfo_find_secrets(text, strlen(text), spans, 8);
    size_t k = 0, at = 0;
    for (int i = 0; i < n; i++) {
        memcpy(out + k, text + at, spans[i].start - at);
        k += spans[i].start - at;
        memcpy(out + k, "***", 3);
        k += 3;
        at = spans[i].end;
    }
    strcpy(out + k, text + at);
    return out;
}

TEST(conninfo_finds_secrets_in_sql_text)
{
    CHECK_EQ_STR(mask_secrets("SELECT * FROM read_postgres('postgresql://etl:s3cr@t@db/x', 't')"),
                 "SELECT * FROM read_postgres('postgresql://etl:***@db/x', 't')");
    CHECK_EQ_STR(mask_secrets("read_mysql('host=db user=u password=hunter2 dbname=x')"),
                 "read_mysql('host=db user=u password=*** dbname=x')");
    CHECK_EQ_STR(mask_secrets("CREATE SERVER s OPTIONS (url 'pg://h/d', password 'it''s')"),
                 "CREATE SERVER s OPTIONS (url 'pg://h/d', password '***')");
    CHECK_EQ_STR(mask_secrets("x('host=h password=''a b'' port=1')"), "x('host=h password=''***'' port=1')");
    CHECK_EQ_STR(mask_secrets("f(secret_access_key => 'AKIA/xyz', passwords_table)"),
                 "f(secret_access_key => '***', passwords_table)");
    /* no user:secret@ and no secret keyword: nothing found */
    CHECK_EQ_STR(mask_secrets("COPY t TO 's3://bucket/a:b@c' -- mypassword"), "COPY t TO 's3://bucket/a:b@c' -- mypassword");
    CHECK_EQ_STR(mask_secrets("pg://u:@h pg://u@h password"), "pg://u:@h pg://u@h password");
    CHECK_EQ_STR(mask_secrets(""), "");
}

TEST(conninfo_splits_urls)
{
    ConnUrl u;
    Error err = ERROR_INIT;
    CHECK(conninfo_parse_url("mysql://etl:p%40ss%3Aw@db.example:3307/my%20db?sslmode=require&socket=/s", &u, &err));
    CHECK_EQ_STR(u.scheme, "mysql");
    CHECK_EQ_STR(u.user, "etl");
    CHECK_EQ_STR(u.password, "p@ss:w");
    CHECK_EQ_STR(u.host, "db.example");
    CHECK_EQ_INT(u.port, 3307);
    CHECK_EQ_STR(u.database, "my db");
    CHECK_EQ_STR(conninfo_param(&u, "sslmode"), "require");
    CHECK_EQ_STR(conninfo_param(&u, "socket"), "/s");
    CHECK(conninfo_param(&u, "nope") == NULL);
    conninfo_url_free(&u);
    CHECK(conninfo_parse_url("mysql://[::1]:3306", &u, &err));
    CHECK_EQ_STR(u.host, "::1");
    CHECK_EQ_INT(u.port, 3306);
    CHECK(u.user == NULL && u.password == NULL && u.database == NULL);
    conninfo_url_free(&u);
    CHECK(conninfo_parse_url("mysql://u@h", &u, &err));
    CHECK_EQ_STR(u.user, "u");
    CHECK(u.port == 0);
    conninfo_url_free(&u);
    /* errors never echo the password */
    CHECK(!conninfo_parse_url("mysql://u:secret@h:99999/db", &u, &err));
    CHECK_EQ_STR(err.message, "invalid connection URL \"mysql://u@h:99999/db\": the port must be a number from 1 to 65535");
    error_clear(&err);
    CHECK(!conninfo_parse_url("mysql://u:se%zzcret@h/db", &u, &err));
    CHECK(strstr(err.message, "se%zz") == NULL);
    error_clear(&err);
    CHECK(!conninfo_parse_url("mysql://u:%00@h/db", &u, &err));
    error_clear(&err);
    CHECK(!conninfo_parse_url("no-scheme", &u, &err));
}

static char *resolve(const ConnectionSet *set, const char *text)
{
    char *url = NULL;
    Error err = ERROR_INIT;
    if (!connections_resolve(set, text, &url, &err)) return mem_strdup(err.message);
    return url;
}

TEST(named_connections_resolve)
{
    ConnectionSet set;
    connections_init(&set);
    Error err = ERROR_INIT;
    setenv("KILN_TEST_PW", "p@ss w'rd", 1);
    CHECK(connections_define(&set, "crm", "mysql://etl@db/crm", "${KILN_TEST_PW}", false, &err));
    CHECK(connections_define(&set, "shop", "postgresql://etl@db/shop?sslmode=require", "${KILN_TEST_PW}", false, &err));
    CHECK(connections_define(&set, "kv", "host=db dbname=x", "${KILN_TEST_PW}", false, &err));
    CHECK(connections_define(&set, "plain", "mysql://u:old@db/x", NULL, false, &err));
    CHECK(!connections_define(&set, "crm", "mysql://x", NULL, false, &err));
    CHECK_EQ_STR(err.message, "server \"crm\" already exists");
    CHECK(connections_define(&set, "crm", "mysql://x", NULL, true, &err));
    char *got = resolve(&set, "crm");
    CHECK_EQ_STR(got, "mysql://etl:p%40ss%20w%27rd@db/crm");
    mem_free(got);
    got = resolve(&set, "shop");
    CHECK_EQ_STR(got, "postgresql://etl@db/shop?sslmode=require&password=p%40ss%20w%27rd");
    mem_free(got);
    got = resolve(&set, "kv");
    CHECK_EQ_STR(got, "host=db dbname=x password='p@ss w\\'rd'");
    mem_free(got);
    got = resolve(&set, "plain");
    CHECK_EQ_STR(got, "mysql://u:old@db/x");
    mem_free(got);
    got = resolve(&set, "mysql://literal@db/x"); /* not a name: itself */
    CHECK_EQ_STR(got, "mysql://literal@db/x");
    mem_free(got);
    got = resolve(&set, "nosuch");
    CHECK_EQ_STR(got, "connection \"nosuch\" does not exist (define it with CREATE SERVER or in kiln.yaml's connections)");
    mem_free(got);
    CHECK(connections_define(&set, "envless", "mysql://u@db/${KILN_TEST_UNSET_VAR}", NULL, false, &err));
    got = resolve(&set, "envless");
    CHECK_EQ_STR(got, "connection \"envless\": environment variable KILN_TEST_UNSET_VAR is not set");
    mem_free(got);
    /* the project's connections, from the environment */
    NamedConnection items[2] = {{"a", "mysql://u@h/a", "${KILN_TEST_PW}"}, {"b", "sqlite:b.db", NULL}};
    char *env = connections_env_value(items, 2);
    CHECK_EQ_STR(env, "a\tmysql://u@h/a\t${KILN_TEST_PW}\nb\tsqlite:b.db\t\n");
    setenv(KILN_CONNECTIONS_ENV, env, 1);
    mem_free(env);
    got = resolve(NULL, "a");
    CHECK_EQ_STR(got, "mysql://u:p%40ss%20w%27rd@h/a");
    mem_free(got);
    got = resolve(NULL, "b");
    CHECK_EQ_STR(got, "sqlite:b.db");
    mem_free(got);
    got = resolve(&set, "crm"); /* the session's definition comes first */
    CHECK_EQ_STR(got, "mysql://etl:p%40ss%20w%27rd@db/crm");
    mem_free(got);
    unsetenv(KILN_CONNECTIONS_ENV);
    CHECK(connections_drop(&set, "crm", false, &err));
    CHECK(!connections_drop(&set, "crm", false, &err));
    CHECK(connections_drop(&set, "crm", true, &err));
    CHECK(!connections_define(&set, "bad-name", "mysql://x", NULL, false, &err));
    CHECK(connections_is_name("dw_1") && !connections_is_name("sqlite:x") && !connections_is_name("1a") &&
          !connections_is_name(""));
    unsetenv("KILN_TEST_PW");
    connections_destroy(&set);
}
