/* project: loads kiln.yaml.  libyaml builds the document tree (its own
 * memory, freed before returning); we walk it once, copying what we keep into
 * the Project's arena and checking every key and value as we go, with the
 * node's line and column for errors.  See project.h for the format. */
#include "sched/project.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/mem.h"
#include "sched/logical_date.h"
#include "sched/scheduler_tz.h"

typedef struct Loader {
    Project *p;
    yaml_document_t *doc;
    Error *err;
} Loader;

/* Report an error at node: "file:line:col: key: message". */
static bool node_error(Loader *l, const yaml_node_t *node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool node_error(Loader *l, const yaml_node_t *node, const char *key, const char *fmt, ...)
{
    char message[ERROR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return error_set(l->err, ERR_USAGE, "%s:%zu:%zu: %s%s%s", l->p->path, node->start_mark.line + 1,
                     node->start_mark.column + 1, key ? key : "", key ? ": " : "", message);
}

static yaml_node_t *get_node(Loader *l, int id) { return yaml_document_get_node(l->doc, id); }

/* The scalar text of node, copied into the arena; NULL (after an error) if it is not a scalar. */
static const char *scalar(Loader *l, const yaml_node_t *node, const char *key)
{
    if (node->type != YAML_SCALAR_NODE) {
        node_error(l, node, key, "expected a single value, not a %s",
                   node->type == YAML_MAPPING_NODE ? "mapping" : "list");
        return NULL;
    }
    return arena_strndup(&l->p->arena, (const char *)node->data.scalar.value, node->data.scalar.length);
}

static bool is_null_scalar(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *v = (const char *)node->data.scalar.value;
    return node->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

static bool parse_int(Loader *l, const yaml_node_t *node, const char *key, int *out)
{
    const char *v = scalar(l, node, key);
    if (v == NULL) return false;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || errno != 0 || n < 0 || n > 1000) {
        return node_error(l, node, key, "expected a whole number from 0 to 1000, got \"%s\"", v);
    }
    *out = (int)n;
    return true;
}

bool project_parse_duration(const char *text, double *seconds)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno != 0 || !isfinite(v) || v < 0) return false;
    double unit = 1;
    if (strcmp(end, "") == 0 || strcmp(end, "s") == 0) unit = 1;
    else if (strcmp(end, "ms") == 0) unit = 0.001;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) unit = 60;
    else if (strcmp(end, "h") == 0) unit = 3600;
    else if (strcmp(end, "d") == 0) unit = 86400;
    else return false;
    *seconds = v * unit;
    return *seconds <= 365.0 * 86400;
}

static bool parse_duration(Loader *l, const yaml_node_t *node, const char *key, double *out)
{
    const char *v = scalar(l, node, key);
    if (v == NULL) return false;
    if (!project_parse_duration(v, out)) {
        return node_error(l, node, key, "expected a duration such as 30, 30s, 500ms, 5m or 2h, got \"%s\"", v);
    }
    return true;
}

static bool parse_bool(Loader *l, const yaml_node_t *node, const char *key, bool *out)
{
    const char *v = scalar(l, node, key);
    if (v == NULL) return false;
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0) *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0) *out = false;
    else return node_error(l, node, key, "expected true or false, got \"%s\"", v);
    return true;
}

/* A time zone of the tz database (checked now, so the file names the line). */
static bool parse_timezone(Loader *l, const yaml_node_t *node, const char *key, const char **out)
{
    const char *v = scalar(l, node, key);
    if (v == NULL) return false;
    SchedZone zone;
    Error zone_err = ERROR_INIT;
    if (!sched_zone_load(v, &zone, &zone_err)) return node_error(l, node, key, "%s", zone_err.message);
    *out = v;
    return true;
}

static bool parse_factor(Loader *l, const yaml_node_t *node, const char *key, double *out)
{
    const char *v = scalar(l, node, key);
    if (v == NULL) return false;
    char *end;
    double f = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(f) || f < 1 || f > 100) {
        return node_error(l, node, key, "expected a number from 1 to 100, got \"%s\"", v);
    }
    *out = f;
    return true;
}

/* A name or a list of names (an empty value is an empty list). */
static bool parse_name_list(Loader *l, const yaml_node_t *node, const char *key, const char ***out, int *count)
{
    *count = 0;
    if (is_null_scalar(node)) return true;
    if (node->type == YAML_SCALAR_NODE) {
        *out = arena_alloc(&l->p->arena, sizeof **out);
        (*out)[0] = scalar(l, node, key);
        *count = 1;
        return true;
    }
    if (node->type != YAML_SEQUENCE_NODE) return node_error(l, node, key, "expected a name or a list of names");
    int n = (int)(node->data.sequence.items.top - node->data.sequence.items.start);
    *out = arena_alloc(&l->p->arena, sizeof **out * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        const char *v = scalar(l, get_node(l, node->data.sequence.items.start[i]), key);
        if (v == NULL) return false;
        (*out)[i] = v;
    }
    *count = n;
    return true;
}

/* A mapping of scalar keys to scalar values. */
static bool parse_string_map(Loader *l, const yaml_node_t *node, const char *key, ProjectKeyValue **out,
                             int *count)
{
    *count = 0;
    if (is_null_scalar(node)) return true;
    if (node->type != YAML_MAPPING_NODE) return node_error(l, node, key, "expected a mapping of names to values");
    int n = (int)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    *out = arena_alloc(&l->p->arena, sizeof **out * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
        const char *k = scalar(l, get_node(l, pair->key), key);
        if (k == NULL) return false;
        const char *v = scalar(l, get_node(l, pair->value), arena_sprintf(&l->p->arena, "%s.%s", key, k));
        if (v == NULL) return false;
        for (int j = 0; j < i; j++) {
            if (strcmp((*out)[j].key, k) == 0) return node_error(l, get_node(l, pair->key), key, "\"%s\" is given twice", k);
        }
        (*out)[i].key = k;
        (*out)[i].value = v;
    }
    *count = n;
    return true;
}

/* One of retries, retry_delay, retry_backoff, timeout into policy; *known false if key is none of them. */
static bool parse_policy_key(Loader *l, const char *k, const yaml_node_t *value, const char *path,
                             RetryPolicy *policy, bool *known)
{
    *known = true;
    if (strcmp(k, "retries") == 0) return parse_int(l, value, path, &policy->retries);
    if (strcmp(k, "retry_delay") == 0) return parse_duration(l, value, path, &policy->retry_delay);
    if (strcmp(k, "retry_backoff") == 0) return parse_factor(l, value, path, &policy->retry_backoff);
    if (strcmp(k, "timeout") == 0) return parse_duration(l, value, path, &policy->timeout);
    *known = false;
    return true;
}

static bool valid_job_name(const char *s)
{
    if (s[0] == '\0' || strlen(s) > 128) return false;
    for (const char *c = s; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-' || *c == '.')) {
            return false;
        }
    }
    return s[0] != '.' && s[0] != '-';
}

/* The body of one job (a mapping); name may be NULL when given inside it. */
static bool parse_job(Loader *l, const yaml_node_t *node, const yaml_node_t *name_node, const char *name,
                      ProjectJob *job)
{
    Arena *a = &l->p->arena;
    memset(job, 0, sizeof *job);
    job->policy = l->p->defaults;
    job->catchup = -1;
    job->line = (int)node->start_mark.line + 1;
    if (node->type != YAML_MAPPING_NODE) {
        return node_error(l, node, name ? arena_sprintf(a, "jobs.%s", name) : "jobs", "expected a mapping of job settings");
    }
    yaml_node_t *sql_node = NULL;
    /* The name first: every other key's path mentions it. */
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = get_node(l, pair->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, "name") == 0) {
            if (name) return node_error(l, k, arena_sprintf(a, "jobs.%s", name), "the name is already the key");
            name_node = get_node(l, pair->value);
            name = scalar(l, name_node, "jobs.name");
            if (name == NULL) return false;
        }
    }
    if (name == NULL) return node_error(l, node, "jobs", "a job needs a name");
    if (!valid_job_name(name)) {
        return node_error(l, name_node, "jobs", "invalid job name \"%s\" (use letters, digits, _ - and .)", name);
    }
    job->name = name;
    const char *prefix = arena_sprintf(a, "jobs.%s", name);
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = get_node(l, pair->key);
        const char *k = scalar(l, kn, prefix);
        if (k == NULL) return false;
        yaml_node_t *v = get_node(l, pair->value);
        const char *path = arena_sprintf(a, "%s.%s", prefix, k);
        bool known;
        if (!parse_policy_key(l, k, v, path, &job->policy, &known)) return false;
        if (known || strcmp(k, "name") == 0) continue;
        if (strcmp(k, "sql") == 0) {
            if ((job->sql = scalar(l, v, path)) == NULL) return false;
            if (job->sql[0] == '\0') return node_error(l, v, path, "must not be empty");
            sql_node = v;
        } else if (strcmp(k, "depends_on") == 0) {
            if (!parse_name_list(l, v, path, &job->depends_on, &job->ndepends)) return false;
        } else if (strcmp(k, "tags") == 0) {
            if (!parse_name_list(l, v, path, &job->tags, &job->ntags)) return false;
        } else if (strcmp(k, "params") == 0) {
            if (!parse_string_map(l, v, path, &job->params, &job->nparams)) return false;
            for (int i = 0; i < job->nparams; i++) {
                if (sched_is_builtin_param(job->params[i].key)) {
                    return node_error(l, v, path, "\"%s\" is a built-in parameter and cannot be set here",
                                      job->params[i].key);
                }
            }
        } else if (strcmp(k, "timezone") == 0) {
            if (!parse_timezone(l, v, path, &job->timezone)) return false;
        } else if (strcmp(k, "catchup") == 0) {
            bool b;
            if (!parse_bool(l, v, path, &b)) return false;
            job->catchup = b ? 1 : 0;
        } else if (strcmp(k, "schedule") == 0) {
            if (is_null_scalar(v)) continue;
            if ((job->schedule = scalar(l, v, path)) == NULL) return false;
            Error cron_err = ERROR_INIT;
            if (!cron_parse(job->schedule, &job->cron, &cron_err)) return node_error(l, v, path, "%s", cron_err.message);
        } else {
            return node_error(l, kn, prefix,
                              "unknown key \"%s\" (known: sql, depends_on, params, schedule, retries, "
                              "retry_delay, retry_backoff, timeout, tags, timezone, catchup)",
                              k);
        }
    }
    (void)sql_node;
    if (job->sql == NULL) job->sql = arena_sprintf(a, "jobs/%s.sql", name);
    return true;
}

static bool parse_jobs(Loader *l, const yaml_node_t *node)
{
    Project *p = l->p;
    if (is_null_scalar(node)) return true;
    int n;
    if (node->type == YAML_MAPPING_NODE) n = (int)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    else if (node->type == YAML_SEQUENCE_NODE) n = (int)(node->data.sequence.items.top - node->data.sequence.items.start);
    else return node_error(l, node, "jobs", "expected a mapping of job names to settings, or a list of jobs");
    p->jobs = arena_calloc(&p->arena, sizeof *p->jobs * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        ProjectJob *job = &p->jobs[i];
        if (node->type == YAML_MAPPING_NODE) {
            yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
            yaml_node_t *kn = get_node(l, pair->key);
            const char *name = scalar(l, kn, "jobs");
            if (name == NULL || !parse_job(l, get_node(l, pair->value), kn, name, job)) return false;
        } else {
            if (!parse_job(l, get_node(l, node->data.sequence.items.start[i]), NULL, NULL, job)) return false;
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(p->jobs[j].name, job->name) == 0) {
                return error_set(l->err, ERR_USAGE, "%s:%d: jobs: job \"%s\" is declared twice (first at line %d)",
                                 p->path, job->line, job->name, p->jobs[j].line);
            }
        }
        p->njobs = i + 1;
    }
    for (int i = 0; i < p->njobs; i++) {
        ProjectJob *job = &p->jobs[i];
        for (int d = 0; d < job->ndepends; d++) {
            if (project_find_job(p, job->depends_on[d]) < 0) {
                return error_set(l->err, ERR_USAGE, "%s:%d: jobs.%s.depends_on: unknown job \"%s\"", p->path,
                                 job->line, job->name, job->depends_on[d]);
            }
            if (strcmp(job->depends_on[d], job->name) == 0) {
                return error_set(l->err, ERR_USAGE, "%s:%d: jobs.%s.depends_on: dependency cycle: %s -> %s",
                                 p->path, job->line, job->name, job->name, job->name);
            }
        }
    }
    return true;
}

static bool parse_connections(Loader *l, const yaml_node_t *node)
{
    Project *p = l->p;
    if (is_null_scalar(node)) return true;
    if (node->type != YAML_MAPPING_NODE) return node_error(l, node, "connections", "expected a mapping of connection names to settings");
    int n = (int)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    p->connections = arena_calloc(&p->arena, sizeof *p->connections * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
        const char *name = scalar(l, get_node(l, pair->key), "connections");
        if (name == NULL) return false;
        ProjectConnection *c = &p->connections[i];
        c->name = name;
        yaml_node_t *v = get_node(l, pair->value);
        if (v->type == YAML_SCALAR_NODE && !is_null_scalar(v)) {
            /* a bare URL: connections: {pg: postgres://...} */
            c->settings = arena_alloc(&p->arena, sizeof *c->settings);
            c->settings[0].key = "url";
            c->settings[0].value = scalar(l, v, name);
            c->nsettings = 1;
        } else {
            const char *key = arena_sprintf(&p->arena, "connections.%s", name);
            if (!parse_string_map(l, v, key, &c->settings, &c->nsettings)) return false;
            /* A misspelt key would silently drop a password and surface much later as an
             * authentication error on the server: refuse it here, where the line is known. */
            bool has_url = false;
            for (int k = 0; k < c->nsettings; k++) {
                if (strcmp(c->settings[k].key, "url") == 0) {
                    has_url = true;
                } else if (strcmp(c->settings[k].key, "password") != 0) {
                    const yaml_node_t *key_node = get_node(l, v->data.mapping.pairs.start[k].key);
                    return node_error(l, key_node, key, "unknown key \"%s\" (known: url, password)", c->settings[k].key);
                }
            }
            if (!has_url) return node_error(l, v, key, "a connection needs a url");
        }
        p->nconnections = i + 1;
    }
    return true;
}

static bool parse_defaults(Loader *l, const yaml_node_t *node)
{
    if (is_null_scalar(node)) return true;
    if (node->type != YAML_MAPPING_NODE) return node_error(l, node, "defaults", "expected a mapping");
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = get_node(l, pair->key);
        const char *k = scalar(l, kn, "defaults");
        if (k == NULL) return false;
        bool known;
        const char *path = arena_sprintf(&l->p->arena, "defaults.%s", k);
        if (!parse_policy_key(l, k, get_node(l, pair->value), path, &l->p->defaults, &known)) return false;
        if (!known) {
            return node_error(l, kn, "defaults",
                              "unknown key \"%s\" (known: retries, retry_delay, retry_backoff, timeout)", k);
        }
    }
    return true;
}

static bool parse_root(Loader *l, const yaml_node_t *root)
{
    Project *p = l->p;
    if (root == NULL || is_null_scalar(root)) return true;
    if (root->type != YAML_MAPPING_NODE) return node_error(l, root, NULL, "the project file must be a mapping of keys");
    /* defaults first: jobs inherit them wherever they appear in the file */
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = get_node(l, pair->key);
        if (kn->type == YAML_SCALAR_NODE && strcmp((const char *)kn->data.scalar.value, "defaults") == 0 &&
            !parse_defaults(l, get_node(l, pair->value))) {
            return false;
        }
    }
    const yaml_node_t *jobs = NULL;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = get_node(l, pair->key);
        const char *k = scalar(l, kn, NULL);
        if (k == NULL) return false;
        yaml_node_t *v = get_node(l, pair->value);
        if (strcmp(k, "name") == 0) {
            if ((p->name = scalar(l, v, k)) == NULL) return false;
        } else if (strcmp(k, "lake") == 0) {
            if ((p->lake = scalar(l, v, k)) == NULL) return false;
        } else if (strcmp(k, "warehouse") == 0) {
            if ((p->warehouse = scalar(l, v, k)) == NULL) return false;
        } else if (strcmp(k, "connections") == 0) {
            if (!parse_connections(l, v)) return false;
        } else if (strcmp(k, "jobs") == 0) {
            jobs = v;
        } else if (strcmp(k, "timezone") == 0) {
            if (!parse_timezone(l, v, k, &p->timezone)) return false;
        } else if (strcmp(k, "catchup") == 0) {
            if (!parse_bool(l, v, k, &p->catchup)) return false;
        } else if (strcmp(k, "infer_dependencies") == 0) {
            if (!parse_bool(l, v, k, &p->infer_dependencies)) return false;
        } else if (strcmp(k, "max_catchup") == 0) {
            if (!parse_int(l, v, k, &p->max_catchup)) return false;
            if (p->max_catchup < 1) return node_error(l, v, k, "expected a whole number from 1 to 1000");
        } else if (strcmp(k, "defaults") != 0) {
            return node_error(l, kn, NULL,
                              "unknown key \"%s\" (known: name, lake, warehouse, defaults, connections, jobs, timezone, "
                              "catchup, max_catchup, infer_dependencies)",
                              k);
        }
    }
    return jobs == NULL || parse_jobs(l, jobs);
}

bool project_load_text(Project *p, const char *path, const char *text, size_t len, Error *err)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->arena, 0);
    p->path = arena_strdup(&p->arena, path);
    const char *slash = strrchr(path, '/');
    p->dir = slash ? arena_strndup(&p->arena, path, slash == path ? 1 : (size_t)(slash - path)) : ".";
    p->defaults = (RetryPolicy){.retries = 0, .retry_delay = 60, .retry_backoff = 2, .timeout = 0};
    p->timezone = "UTC";
    p->catchup = true;
    p->max_catchup = 100;
    p->infer_dependencies = true;

    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) return error_set(err, ERR_INTERNAL, "could not start the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        error_set(err, ERR_USAGE, "%s:%zu:%zu: invalid YAML: %s%s%s", path, parser.problem_mark.line + 1,
                  parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
                  parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return false;
    }
    Loader l = {p, &doc, err};
    bool ok = parse_root(&l, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!ok) return false;
    if (p->name == NULL) {
        /* the folder's name */
        char *abs = realpath(p->dir, NULL);
        const char *base = abs ? strrchr(abs, '/') : NULL;
        p->name = arena_strdup(&p->arena, base && base[1] ? base + 1 : "kiln");
        free(abs); /* realpath's malloc */
    }
    if (p->lake == NULL) p->lake = "./lake";
    if (p->warehouse == NULL) p->warehouse = "sqlite:./warehouse.db";
    return true;
}

bool project_load(Project *p, const char *path, Error *err)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        arena_init(&p->arena, 0);
        return error_set(err, ERR_IO, "could not open project file \"%s\": %s", path, strerror(errno));
    }
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char buf[8192];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n > (size_t)16 << 20) {
            fclose(f);
            mem_free(text);
            arena_init(&p->arena, 0);
            return error_set(err, ERR_USAGE, "project file \"%s\" is larger than 16 MiB", path);
        }
        if (len + n > cap) {
            cap = (len + n) * 2;
            text = mem_realloc(text, cap);
        }
        memcpy(text + len, buf, n);
        len += n;
    }
    bool read_ok = !ferror(f);
    fclose(f);
    if (!read_ok) {
        mem_free(text);
        arena_init(&p->arena, 0);
        return error_set(err, ERR_IO, "could not read project file \"%s\"", path);
    }
    bool ok = project_load_text(p, path, text ? text : "", len, err);
    mem_free(text);
    return ok;
}

int project_find_job(const Project *p, const char *name)
{
    for (int i = 0; i < p->njobs; i++) {
        if (strcmp(p->jobs[i].name, name) == 0) return i;
    }
    return -1;
}

bool project_job_has_tag(const ProjectJob *j, const char *tag)
{
    for (int i = 0; i < j->ntags; i++) {
        if (strcmp(j->tags[i], tag) == 0) return true;
    }
    return false;
}

void project_free(Project *p) { arena_destroy(&p->arena); }
