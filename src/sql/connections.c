/* connections: named connections, their statements and their resolution
 * (see connections.h).  A session's set is a small array searched by name;
 * the project's connections arrive through the environment and are looked
 * up there only when a name is not defined in the session. */
#include "sql/connections.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/conninfo.h"
#include "sql/bind_csv.h"
#include "sql/session_internal.h"

void connections_init(ConnectionSet *set) { memset(set, 0, sizeof *set); }

void connections_destroy(ConnectionSet *set)
{
    for (int i = 0; i < set->n; i++) {
        mem_free(set->items[i].name);
        mem_free(set->items[i].url);
        mem_free(set->items[i].password);
    }
    mem_free(set->items);
    memset(set, 0, sizeof *set);
}

/* A growing list of names (connections_known_names). */
typedef struct NameList {
    char **items;
    int n, cap;
} NameList;

static void names_add(NameList *l, const char *name, size_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->items = mem_realloc(l->items, sizeof(char *) * (size_t)l->cap);
    }
    l->items[l->n++] = mem_strndup(name, len);
}

static NamedConnection *find(const ConnectionSet *set, const char *name)
{
    for (int i = 0; set && i < set->n; i++)
        if (strcmp(set->items[i].name, name) == 0) return &set->items[i];
    return NULL;
}

bool connections_is_defined(const ConnectionSet *set, const char *name) { return find(set, name) != NULL; }

bool connections_define(ConnectionSet *set, const char *name, const char *url, const char *password,
                        bool if_not_exists, Error *err)
{
    if (!connections_is_name(name))
        return error_set(err, ERR_SQL, "a connection name is a letter or _ followed by letters, digits or _, not \"%s\"", name);
    if (find(set, name)) {
        if (if_not_exists) return true;
        return error_set(err, ERR_SQL, "server \"%s\" already exists", name);
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 4;
        set->items = mem_realloc(set->items, sizeof *set->items * (size_t)set->cap);
    }
    NamedConnection *c = &set->items[set->n++];
    c->name = mem_strdup(name);
    c->url = mem_strdup(url);
    c->password = password ? mem_strdup(password) : NULL;
    return true;
}

bool connections_drop(ConnectionSet *set, const char *name, bool missing_ok, Error *err)
{
    NamedConnection *c = find(set, name);
    if (c == NULL) return missing_ok || error_set(err, ERR_SQL, "server \"%s\" does not exist", name);
    mem_free(c->name);
    mem_free(c->url);
    mem_free(c->password);
    int i = (int)(c - set->items);
    memmove(c, c + 1, sizeof *c * (size_t)(set->n - i - 1));
    set->n--;
    return true;
}

bool connections_is_name(const char *text)
{
    if (text == NULL || !(isalpha((unsigned char)text[0]) || text[0] == '_')) return false;
    for (const char *p = text; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return false;
    return true;
}

/* Replace each ${NAME} of text by the environment variable NAME. */
static bool expand_env(const char *text, const char *conn, StrBuf *out, Error *err)
{
    for (const char *p = text; *p; p++) {
        if (p[0] != '$' || p[1] != '{') {
            strbuf_putc(out, *p);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        if (end == NULL) return error_set(err, ERR_SQL, "connection \"%s\": unclosed ${ in its settings", conn);
        char *var = mem_strndup(p + 2, (size_t)(end - p - 2));
        const char *value = getenv(var);
        if (value == NULL) {
            error_set(err, ERR_IO, "connection \"%s\": environment variable %s is not set", conn, var);
            mem_free(var);
            return false;
        }
        mem_free(var);
        strbuf_puts(out, value);
        p = end;
    }
    return true;
}

/* Append s percent-encoded for the user-info or a parameter of a URL. */
static void percent_encode(StrBuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') strbuf_putc(sb, (char)*p);
        else strbuf_printf(sb, "%%%02X", *p);
    }
}

/* url with password added: user:password@ for mysql:// URLs, a password
 * parameter for postgresql:// URLs, password='...' for key=value strings. */
static void add_password(StrBuf *out, const char *url, const char *password)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL) { /* libpq key=value */
        strbuf_printf(out, "%s password='", url);
        for (const char *p = password; *p; p++) {
            if (*p == '\'' || *p == '\\') strbuf_putc(out, '\\');
            strbuf_putc(out, *p);
        }
        strbuf_putc(out, '\'');
        return;
    }
    if (strncmp(url, "postgres", 8) == 0) {
        strbuf_printf(out, "%s%c", url, strchr(url, '?') ? '&' : '?');
        strbuf_puts(out, "password=");
        percent_encode(out, password);
        return;
    }
    /* scheme://[user[:old]@]host... -> scheme://user:password@host... */
    const char *auth = sep + 3;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@') at = p;
    strbuf_append(out, url, (size_t)(auth - url));
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        strbuf_append(out, auth, (size_t)((colon ? colon : at) - auth));
    }
    strbuf_putc(out, ':');
    percent_encode(out, password);
    strbuf_putc(out, '@');
    strbuf_puts(out, at ? at + 1 : auth);
}

/* Find name in the KILN_CONNECTIONS_ENV lines; url/password owned by the caller. */
static bool find_in_env(const char *name, char **url, char **password)
{
    const char *env = getenv(KILN_CONNECTIONS_ENV);
    size_t n = strlen(name);
    for (const char *line = env; line && *line;) {
        const char *eol = line + strcspn(line, "\n");
        const char *tab1 = memchr(line, '\t', (size_t)(eol - line));
        if (tab1 && (size_t)(tab1 - line) == n && memcmp(line, name, n) == 0) {
            const char *tab2 = memchr(tab1 + 1, '\t', (size_t)(eol - tab1 - 1));
            const char *url_end = tab2 ? tab2 : eol;
            *url = mem_strndup(tab1 + 1, (size_t)(url_end - tab1 - 1));
            *password = tab2 && eol > tab2 + 1 ? mem_strndup(tab2 + 1, (size_t)(eol - tab2 - 1)) : NULL;
            return true;
        }
        line = *eol ? eol + 1 : eol;
    }
    return false;
}

bool connections_resolve(const ConnectionSet *set, const char *text, char **url, Error *err)
{
    *url = NULL;
    if (!connections_is_name(text)) {
        *url = mem_strdup(text);
        return true;
    }
    char *raw_url = NULL, *raw_password = NULL;
    const NamedConnection *c = find(set, text);
    if (c) {
        raw_url = mem_strdup(c->url);
        raw_password = c->password ? mem_strdup(c->password) : NULL;
    } else if (!find_in_env(text, &raw_url, &raw_password)) {
        return error_set(err, ERR_SQL,
                         "connection \"%s\" does not exist (define it with CREATE SERVER or in kiln.yaml's connections)", text);
    }
    StrBuf u = STRBUF_INIT, pw = STRBUF_INIT;
    bool ok = expand_env(raw_url, text, &u, err) && (raw_password == NULL || expand_env(raw_password, text, &pw, err));
    if (ok) {
        if (raw_password && pw.len > 0) {
            StrBuf full = STRBUF_INIT;
            add_password(&full, strbuf_cstr(&u), strbuf_cstr(&pw));
            *url = strbuf_take(&full);
        } else {
            *url = mem_strdup(strbuf_cstr(&u));
        }
    }
    strbuf_free(&u);
    strbuf_free(&pw);
    mem_free(raw_url);
    mem_free(raw_password);
    return ok;
}

bool connections_exists(const ConnectionSet *set, const char *name)
{
    if (find(set, name)) return true;
    char *url = NULL, *password = NULL;
    bool found = find_in_env(name, &url, &password);
    mem_free(url);
    mem_free(password);
    return found;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *connections_known_names(const ConnectionSet *set)
{
    NameList names = {0};
    for (int i = 0; set && i < set->n; i++) names_add(&names, set->items[i].name, strlen(set->items[i].name));
    const char *env = getenv(KILN_CONNECTIONS_ENV);
    for (const char *line = env; line && *line;) {
        const char *eol = line + strcspn(line, "\n");
        const char *tab = memchr(line, '\t', (size_t)(eol - line));
        if (tab && tab > line) names_add(&names, line, (size_t)(tab - line));
        line = *eol ? eol + 1 : eol;
    }
    if (names.n == 0) return NULL;
    qsort(names.items, (size_t)names.n, sizeof(char *), compare_names);
    StrBuf sb = STRBUF_INIT;
    for (int i = 0; i < names.n; i++) {
        if (i == 0 || strcmp(names.items[i], names.items[i - 1]) != 0)
            strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", names.items[i]);
        mem_free(names.items[i]);
    }
    mem_free(names.items);
    return strbuf_take(&sb);
}

char *connections_env_value(const NamedConnection *items, int n)
{
    StrBuf sb = STRBUF_INIT;
    for (int i = 0; i < n; i++)
        strbuf_printf(&sb, "%s\t%s\t%s\n", items[i].name, items[i].url, items[i].password ? items[i].password : "");
    return strbuf_take(&sb);
}

/* The URL schemes a foreign-data wrapper name accepts. */
static bool wrapper_matches(const char *fdw, const char *url)
{
    bool pg = !strcasecmp(fdw, "postgres_fdw") || !strcasecmp(fdw, "postgres") || !strcasecmp(fdw, "postgresql");
    bool my = !strcasecmp(fdw, "mysql_fdw") || !strcasecmp(fdw, "mysql") || !strcasecmp(fdw, "mariadb");
    bool lite = !strcasecmp(fdw, "sqlite_fdw") || !strcasecmp(fdw, "sqlite");
    bool rs = !strcasecmp(fdw, "redshift_fdw") || !strcasecmp(fdw, "redshift");
    if (rs) return strncmp(url, "redshift://", 11) == 0;
    if (pg) return strncmp(url, "postgres", 8) == 0 || strstr(url, "://") == NULL;
    if (my) return strncmp(url, "mysql://", 8) == 0 || strncmp(url, "mariadb://", 10) == 0;
    if (lite) return strncmp(url, "sqlite:", 7) == 0;
    return false;
}

bool stmt_create_server(StmtContext *sc, PgQuery__CreateForeignServerStmt *stmt, Error *err)
{
    SqlOption *opts = NULL;
    int nopts = 0;
    if (!sql_options_from_defelems(&sc->binder, stmt->options, stmt->n_options, &opts, &nopts, err)) return false;
    const char *url = NULL, *password = NULL;
    const SqlOption *redshift_opts[3] = {NULL, NULL, NULL}; /* s3_staging, iam_role, region */
    static const char *const redshift_names[3] = {"s3_staging", "iam_role", "region"};
    bool is_redshift = !strcasecmp(stmt->fdwname, "redshift") || !strcasecmp(stmt->fdwname, "redshift_fdw");
    for (int i = 0; i < nopts; i++) {
        if (!opts[i].has_value) return error_set_at(err, ERR_SQL, opts[i].pos, "option \"%s\" needs a value", opts[i].name);
        bool taken = false;
        for (int k = 0; k < 3 && is_redshift; k++)
            if (!strcmp(opts[i].name, redshift_names[k])) redshift_opts[k] = &opts[i], taken = true;
        if (taken) continue;
        if (!strcmp(opts[i].name, "url")) url = opts[i].text;
        else if (!strcmp(opts[i].name, "password")) password = opts[i].text;
        else
            return error_set_at(err, ERR_SQL, opts[i].pos, "option \"%s\" not recognized for a server (url, password%s)",
                                opts[i].name, is_redshift ? ", s3_staging, iam_role, region" : "");
    }
    if (url == NULL)
        return error_set(err, ERR_SQL, "CREATE SERVER %s needs OPTIONS (url '...'): a postgresql://, mysql://, redshift:// or sqlite: URL",
                         stmt->servername);
    const char *fdw = stmt->fdwname;
    if (!wrapper_matches(fdw, url)) {
        char *shown = conninfo_redact(url);
        error_set(err, ERR_SQL,
                  "FOREIGN DATA WRAPPER %s does not take the URL \"%s\" (postgres_fdw: postgresql://..., mysql_fdw: mysql://..., redshift: redshift://..., sqlite_fdw: sqlite:<file>)",
                  fdw, shown);
        mem_free(shown);
        return false;
    }
    StrBuf full = STRBUF_INIT; /* a redshift server's options as URL parameters */
    strbuf_puts(&full, url);
    for (int k = 0; k < 3; k++) {
        if (redshift_opts[k] == NULL) continue;
        strbuf_printf(&full, "%c%s=", strchr(strbuf_cstr(&full), '?') ? '&' : '?', redshift_names[k]);
        percent_encode(&full, redshift_opts[k]->text);
    }
    bool defined = connections_define(&sc->session->connections, stmt->servername, strbuf_cstr(&full), password,
                                      stmt->if_not_exists, err);
    strbuf_free(&full);
    if (!defined) return false;
    snprintf(sc->session->status, sizeof sc->session->status, "CREATE SERVER");
    return true;
}

bool stmt_drop_server(StmtContext *sc, PgQuery__DropStmt *stmt, Error *err)
{
    /* check every name first so that a failing DROP drops nothing */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < stmt->n_objects; i++) {
            const char *name = node_string(stmt->objects[i]);
            if (name == NULL) return error_set(err, ERR_SQL, "DROP SERVER needs a server name");
            if (pass == 0 && !stmt->missing_ok && !connections_is_defined(&sc->session->connections, name))
                return error_set(err, ERR_SQL, "server \"%s\" does not exist", name);
            if (pass == 1) connections_drop(&sc->session->connections, name, true, err);
        }
    snprintf(sc->session->status, sizeof sc->session->status, "DROP SERVER");
    return true;
}
