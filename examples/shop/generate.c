/* generate.c: the shop example's data generator (shop-generate).
 *
 *   shop-generate --ds 2026-11-24 [--rows N | --scale F] [--seed S] [--out DIR]
 *
 * Writes one day of the sources of examples/shop into DIR (default data/):
 *
 *   customers.db               the shop's customer database (SQLite, table
 *                              customers), the same for every day
 *   orders_<ds>.csv.gz         the day's order export, with the mess of a
 *                              real one (below)
 *   clicks_<ds>.jsonl          the day's click events, JSON Lines
 *   manifest_<ds>.json         what was generated and what the pipeline
 *                              should make of it (counts, revenue per currency)
 *   bad_rows_<ds>.csv          one line per injected bad order line: its
 *                              line in the CSV, order_id, kind and the rule
 *                              (or read_csv reject) that must catch it
 *
 * The mess in the orders file, each kind on its own orders so that every
 * bad line is caught by exactly one rule:
 *   updates           an order exported again later the same day with a new
 *                     status and amount (the latest version must win)
 *   bad_date          ordered_at that is no date ("2026-11-31 ...", "n/a")
 *   negative_amount   a refund booked as a negative order
 *   unknown_customer  a customer_id missing from the customer database
 *   malformed         a line with too few or too many fields
 * plus cosmetic mess the job repairs (currency " usd", "Eur").  The clicks
 * have bot traffic, duplicate deliveries (the same event twice) and a few
 * events of a type the clicks contract does not know yet.
 *
 * Deterministic: the same arguments give byte-identical files (a
 * splitmix64 generator seeded from --seed and the date; gzip written with
 * no time stamp).  Memory: constant in --rows (lines are streamed; only the
 * flags of which orders are bad are kept, one byte per order).
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* ---- deterministic random numbers ---- */

typedef struct {
    uint64_t state;
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint64_t rng_below(Rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }

/* ---- dates (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool parse_date(const char *s, int64_t *days)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    int64_t z = days_from_civil(y, (unsigned)m, (unsigned)d);
    int y2, m2, d2;
    civil_from_days(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d) return false; /* 2026-02-30 */
    *days = z;
    return true;
}

/* "YYYY-MM-DD HH:MM:SS" (sep ' ') or "YYYY-MM-DDTHH:MM:SSZ" (sep 'T'). */
static void format_timestamp(char *out, size_t cap, int64_t day, int64_t second, char sep)
{
    int y, m, d;
    civil_from_days(day + second / 86400, &y, &m, &d);
    second %= 86400;
    snprintf(out, cap, "%04d-%02d-%02d%c%02d:%02d:%02d%s", y, m, d, sep, (int)(second / 3600),
             (int)(second / 60 % 60), (int)(second % 60), sep == 'T' ? "Z" : "");
}

/* ---- output helpers ---- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("shop-generate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p == NULL) die("out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static FILE *open_text(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) die("could not create \"%s\": %s", path, strerror(errno));
    return f;
}

static void close_text(FILE *f, const char *path)
{
    if (ferror(f) || fclose(f) != 0) die("could not write \"%s\"", path);
}

/* ---- the customer database ---- */

static const char *const countries[] = {"US", "DE", "GB", "FR", "NL", "ES"};
static const char *const first_names[] = {"Ann", "Bob", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana",
                                          "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya"};
static const char *const last_names[] = {"Smith", "Müller", "Jones", "Martin", "de Vries", "García",
                                         "Brown", "Schmidt", "Dubois", "Jansen", "López", "Taylor"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void sqlite_check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) die("sqlite: %s: %s", what, sqlite3_errmsg(db));
}

/* customers 1..n; emails with the case and blanks of hand-typed data. */
static void write_customers(const char *path, uint64_t n, uint64_t seed)
{
    remove(path);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("could not create \"%s\": %s", path, sqlite3_errmsg(db));
    sqlite_check(db,
                 sqlite3_exec(db,
                              "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                              "email TEXT, country TEXT NOT NULL, signup_date DATE NOT NULL); BEGIN",
                              NULL, NULL, NULL),
                 "create table");
    sqlite3_stmt *ins = NULL;
    sqlite_check(db, sqlite3_prepare_v2(db, "INSERT INTO customers VALUES (?, ?, ?, ?, ?)", -1, &ins, NULL),
                 "prepare");
    Rng r = {seed ^ 0xC0FFEEULL};
    int64_t first_signup = days_from_civil(2020, 1, 1);
    for (uint64_t id = 1; id <= n; id++) {
        const char *first = first_names[rng_below(&r, COUNT(first_names))];
        const char *last = last_names[rng_below(&r, COUNT(last_names))];
        char name[96], email[128], date[16];
        snprintf(name, sizeof name, "%s %s", first, last);
        /* one email in ten typed with capitals and a trailing blank */
        bool sloppy = rng_below(&r, 10) == 0;
        snprintf(email, sizeof email, "%s.%" PRIu64 "@example.com%s", first, id, sloppy ? " " : "");
        if (!sloppy)
            for (char *c = email; *c; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
        int y, m, d;
        civil_from_days(first_signup + (int64_t)rng_below(&r, 5 * 365), &y, &m, &d);
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)id);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, email, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, countries[rng_below(&r, COUNT(countries))], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, date, -1, SQLITE_TRANSIENT);
        sqlite_check(db, sqlite3_step(ins), "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite_check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    if (sqlite3_close(db) != SQLITE_OK) die("could not close \"%s\"", path);
}

/* ---- the orders export ---- */

enum OrderKind { CLEAN, UPDATED, BAD_DATE, NEGATIVE_AMOUNT, UNKNOWN_CUSTOMER, MALFORMED, NKINDS };
static const char *const kind_names[NKINDS] = {"clean",           "updates",          "bad_date",
                                               "negative_amount", "unknown_customer", "malformed"};
/* the rule that catches each bad kind (quarantine rule name, or the reject) */
static const char *const kind_rules[NKINDS] = {"", "", "type(ordered_at)", "orders_amount_check",
                                               "orders_customer_id_fkey", "read_csv reject"};
static const char *const currency_keys[] = {"usd", "eur", "gbp"}; /* manifest keys */
static const char *const currency_spellings[3][3] = {
    {"USD", "usd", " USD"}, {"EUR", "Eur", "EUR "}, {"GBP", "gbp", "GBP"}};

typedef struct {
    uint64_t rows;      /* distinct orders */
    uint64_t customers; /* size of the customer database */
    uint64_t seed;
    int64_t day;
    const char *ds;
    const char *dir;
} Config;

typedef struct {
    uint64_t lines;              /* data lines in the CSV (without the header) */
    uint64_t kind[NKINDS];       /* orders of each kind */
    uint64_t valid;              /* orders that must reach the lake */
    int64_t revenue_cents[3];    /* per currency, of the valid orders' final versions */
    uint64_t valid_per_currency[3];
    uint64_t clicks_lines, clicks_bots, clicks_duplicates, clicks_unknown, clicks_kept, sessions;
    uint64_t views, carts, checkouts;
} Manifest;

/* The amount in cents, its currency and customer of order i (1-based):
 * drawn from a per-order generator so that an order's later update can be
 * computed without keeping anything per order. */
typedef struct {
    uint64_t customer;
    int currency, spelling;
    int64_t cents;
    int64_t second; /* of the day */
    int status;
} Order;

static const char *const statuses[] = {"placed", "paid", "shipped"};

static Order order_at(const Config *c, uint64_t i)
{
    Rng r = {c->seed * 0x100000001B3ULL ^ (uint64_t)c->day * 0x9E37ULL ^ i * 0xD6E8FEB86659FD93ULL};
    Order o;
    o.customer = 1 + rng_below(&r, c->customers);
    uint64_t cur = rng_below(&r, 10); /* 60% USD, 30% EUR, 10% GBP */
    o.currency = cur < 6 ? 0 : cur < 9 ? 1 : 2;
    o.spelling = (int)rng_below(&r, 3);
    o.cents = 500 + (int64_t)rng_below(&r, 49500); /* 5.00 to 499.99 */
    o.second = (int64_t)rng_below(&r, 80000);      /* leaves room for a later update */
    o.status = (int)rng_below(&r, 2);
    return o;
}

static void write_orders(const Config *c, Manifest *m, uint8_t *kinds)
{
    char name[64];
    snprintf(name, sizeof name, "orders_%s.csv.gz", c->ds);
    char *path = path_join(c->dir, name);
    snprintf(name, sizeof name, "bad_rows_%s.csv", c->ds);
    char *bad_path = path_join(c->dir, name);
    gzFile gz = gzopen(path, "wb6");
    if (gz == NULL) die("could not create \"%s\"", path);
    FILE *bad = open_text(bad_path);
    fputs("line,order_id,kind,rule\n", bad);

    /* each bad kind on about 0.5% of the orders (at least one), malformed
     * lines on 0.2%, later updates on 5%; chosen by a shuffle-free draw */
    Rng r = {c->seed ^ (uint64_t)c->day * 0x2545F4914F6CDD1DULL};
    uint64_t want[NKINDS] = {0};
    want[UPDATED] = c->rows / 20 ? c->rows / 20 : 1;
    for (int k = BAD_DATE; k <= UNKNOWN_CUSTOMER; k++) want[k] = c->rows / 200 ? c->rows / 200 : 1;
    want[MALFORMED] = c->rows / 500 ? c->rows / 500 : 1;
    uint64_t total_special = 0;
    for (int k = 1; k < NKINDS; k++) total_special += want[k];
    if (total_special > c->rows / 2) die("--rows %" PRIu64 " is too small (at least 100)", c->rows);
    memset(kinds, CLEAN, c->rows + 1);
    for (int k = 1; k < NKINDS; k++)
        for (uint64_t n = 0; n < want[k];) {
            uint64_t i = 1 + rng_below(&r, c->rows);
            if (kinds[i] != CLEAN) continue;
            kinds[i] = (uint8_t)k;
            n++;
        }

    /* order ids: unique across days (day number * 10^8 + i) */
    uint64_t id_base = (uint64_t)(c->day - days_from_civil(2000, 1, 1)) * 100000000ULL;
    gzputs(gz, "order_id,customer_id,ordered_at,amount,currency,status,updated_at\n");
    uint64_t line = 1;
    char ordered[32], updated[32];
    for (uint64_t i = 1; i <= c->rows; i++) {
        Order o = order_at(c, i);
        int kind = kinds[i];
        m->kind[kind]++;
        uint64_t id = id_base + i;
        uint64_t customer = o.customer;
        int64_t cents = o.cents;
        format_timestamp(ordered, sizeof ordered, c->day, o.second, ' ');
        memcpy(updated, ordered, sizeof updated); /* the export's own clock is right */
        if (kind == BAD_DATE) {
            /* a day the month does not have, or a placeholder */
            if (i % 2) {
                int y, mo, d;
                civil_from_days(c->day, &y, &mo, &d);
                snprintf(ordered, sizeof ordered, "%04d-%02d-%02d 12:00:00", y, mo == 2 ? 2 : 11, mo == 2 ? 30 : 31);
            } else {
                snprintf(ordered, sizeof ordered, "n/a");
            }
        }
        if (kind == NEGATIVE_AMOUNT) cents = -cents;
        if (kind == UNKNOWN_CUSTOMER) customer = c->customers + 1 + rng_below(&r, 1000);
        const char *currency = currency_spellings[o.currency][o.spelling];
        char text[256];
        int len = snprintf(text, sizeof text, "%" PRIu64 ",%" PRIu64 ",%s,%s%" PRId64 ".%02d,%s,%s,%s\n", id,
                           customer, ordered, cents < 0 ? "-" : "", (int64_t)(llabs(cents) / 100),
                           (int)(llabs(cents) % 100), currency, statuses[o.status], updated);
        if (kind == MALFORMED) {
            /* an export cut short, or a stray comma in an unquoted field */
            if (i % 2)
                len = snprintf(text, sizeof text, "%" PRIu64 ",%" PRIu64 ",%s,%" PRId64 ".%02d\n", id, customer,
                               ordered, cents / 100, (int)(cents % 100));
            else
                len = snprintf(text, sizeof text, "%" PRIu64 ",%" PRIu64 ",%s,%" PRId64 ",%02d,%s,%s,%s\n", id,
                               customer, ordered, cents / 100, (int)(cents % 100), currency, statuses[o.status],
                               ordered);
        }
        if (gzwrite(gz, text, (unsigned)len) != len) die("could not write \"%s\"", path);
        line++;
        if (kind >= BAD_DATE)
            fprintf(bad, "%" PRIu64 ",%" PRIu64 ",%s,%s\n", line, id, kind_names[kind], kind_rules[kind]);
        if (kind == CLEAN) {
            m->valid++;
            m->valid_per_currency[o.currency]++;
            m->revenue_cents[o.currency] += cents;
        }
    }
    /* later the same day, the updates of UPDATED orders are exported again:
     * paid or shipped now, some with a corrected amount */
    for (uint64_t i = 1; i <= c->rows; i++) {
        if (kinds[i] != UPDATED) continue;
        Order o = order_at(c, i);
        Rng u = {i * 0x94D049BB133111EBULL ^ c->seed};
        int64_t cents = o.cents + (rng_below(&u, 2) ? 0 : (int64_t)rng_below(&u, 1000));
        int64_t later = o.second + 60 + (int64_t)rng_below(&u, 6000);
        format_timestamp(ordered, sizeof ordered, c->day, o.second, ' ');
        format_timestamp(updated, sizeof updated, c->day, later, ' ');
        gzprintf(gz, "%" PRIu64 ",%" PRIu64 ",%s,%" PRId64 ".%02d,%s,%s,%s\n", id_base + i, o.customer, ordered,
                 cents / 100, (int)(cents % 100), currency_spellings[o.currency][o.spelling], statuses[o.status + 1],
                 updated);
        line++;
        m->valid++;
        m->valid_per_currency[o.currency]++;
        m->revenue_cents[o.currency] += cents;
    }
    m->lines = line - 1;
    if (gzclose(gz) != Z_OK) die("could not write \"%s\"", path);
    close_text(bad, bad_path);
    free(path);
    free(bad_path);
}

/* ---- the click events ---- */

static const char *const pages[] = {"/", "/search", "/product/", "/product/", "/product/", "/cart", "/checkout"};
static const char *const agents[] = {"Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)",
                                     "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"};

static void write_clicks(const Config *c, Manifest *m)
{
    char name[64];
    snprintf(name, sizeof name, "clicks_%s.jsonl", c->ds);
    char *path = path_join(c->dir, name);
    FILE *f = open_text(path);
    Rng r = {c->seed * 31 ^ (uint64_t)c->day * 0xA24BAED4963EE407ULL};
    /* about three events per order: sessions of 1 to 5 events */
    uint64_t events = 0, target = c->rows * 3, session = 0;
    while (events < target) {
        session++;
        bool bot = rng_below(&r, 50) == 0;             /* 2% of sessions are crawlers */
        bool known = rng_below(&r, 10) < 7;            /* 70% are signed in */
        uint64_t customer = 1 + rng_below(&r, c->customers);
        int n = 1 + (int)rng_below(&r, 5);
        int64_t second = (int64_t)rng_below(&r, 86400 - 600);
        const char *agent = bot ? "Googlebot/2.1 (+http://www.google.com/bot.html)" : agents[rng_below(&r, 3)];
        /* the funnel: a third of the sessions put something in the cart,
         * two in five of those check out */
        bool cart = n >= 2 && rng_below(&r, 100) < 35;
        bool checkout = cart && n >= 3 && rng_below(&r, 100) < 40;
        bool counted = false; /* a session counts once it has a kept event */
        for (int e = 0; e < n; e++) {
            events++;
            char ts[32];
            format_timestamp(ts, sizeof ts, c->day, second + e * 37, 'T');
            const char *event = checkout && e == n - 1                  ? "checkout"
                                : cart && e == (checkout ? n - 2 : n - 1) ? "add_to_cart"
                                                                          : "view";
            /* 0.2%: an event type the site started sending before the
             * pipeline knew it (the clicks contract quarantines it); at least one */
            bool unknown = rng_below(&r, 500) == 0 || (!bot && m->clicks_unknown == 0 && m->clicks_kept == 10);
            if (unknown) event = "wishlist_add";
            const char *page = pages[rng_below(&r, COUNT(pages))];
            char line[512], who[32];
            if (known)
                snprintf(who, sizeof who, "%" PRIu64, customer);
            else
                snprintf(who, sizeof who, "null");
            int len = snprintf(line, sizeof line,
                               "{\"event_id\":\"%s-%08" PRIu64 "\",\"ts\":\"%s\",\"session_id\":\"s%" PRIu64
                               "\",\"customer_id\":%s,\"event\":\"%s\",\"page\":\"%s%s\",\"user_agent\":\"%s\"}\n",
                               c->ds, events, ts, session, who, event, page,
                               strcmp(page, "/product/") == 0 ? "42" : "", agent);
            fwrite(line, 1, (size_t)len, f);
            m->clicks_lines++;
            /* 1% delivered twice (at-least-once delivery) */
            if (rng_below(&r, 100) == 0) {
                fwrite(line, 1, (size_t)len, f);
                m->clicks_lines++;
                if (!bot) m->clicks_duplicates++;
            }
            if (bot) {
                m->clicks_bots++;
                continue;
            }
            if (unknown) {
                m->clicks_unknown++;
                continue;
            }
            m->clicks_kept++;
            if (!counted) m->sessions++;
            counted = true;
            if (strcmp(event, "view") == 0) m->views++;
            else if (strcmp(event, "add_to_cart") == 0) m->carts++;
            else m->checkouts++;
        }
    }
    close_text(f, path);
    free(path);
}

static void write_manifest(const Config *c, const Manifest *m)
{
    char name[64];
    snprintf(name, sizeof name, "manifest_%s.json", c->ds);
    char *path = path_join(c->dir, name);
    FILE *f = open_text(path);
    fprintf(f, "{\"ds\": \"%s\", \"seed\": %" PRIu64 ", \"rows\": %" PRIu64 ", \"customers\": %" PRIu64
               ", \"order_lines\": %" PRIu64,
            c->ds, c->seed, c->rows, c->customers, m->lines);
    for (int k = 1; k < NKINDS; k++) fprintf(f, ", \"%s\": %" PRIu64, kind_names[k], m->kind[k]);
    fprintf(f, ", \"quarantined\": %" PRIu64 ", \"valid_orders\": %" PRIu64,
            m->kind[BAD_DATE] + m->kind[NEGATIVE_AMOUNT] + m->kind[UNKNOWN_CUSTOMER],
            m->kind[CLEAN] + m->kind[UPDATED]);
    for (int k = 0; k < 3; k++)
        fprintf(f, ", \"orders_%s\": %" PRIu64 ", \"revenue_%s\": \"%" PRId64 ".%02d\"", currency_keys[k],
                m->valid_per_currency[k], currency_keys[k], m->revenue_cents[k] / 100,
                (int)(m->revenue_cents[k] % 100));
    fprintf(f, ", \"click_lines\": %" PRIu64 ", \"click_bots\": %" PRIu64 ", \"click_duplicates\": %" PRIu64
               ", \"click_unknown_events\": %" PRIu64 ", \"clicks\": %" PRIu64 ", \"sessions\": %" PRIu64
               ", \"views\": %" PRIu64 ", \"carts\": %" PRIu64 ", \"checkouts\": %" PRIu64 "}\n",
            m->clicks_lines, m->clicks_bots, m->clicks_duplicates, m->clicks_unknown, m->clicks_kept, m->sessions,
            m->views, m->carts, m->checkouts);
    close_text(f, path);
    free(path);
}

static void usage(void)
{
    fputs("usage: shop-generate --ds YYYY-MM-DD [--rows N | --scale F] [--seed S] [--out DIR]\n"
          "  --rows N   orders in the day's export (default 1000; at least 100)\n"
          "  --scale F  F million orders (--scale 0.1 = 100,000), for load tests\n"
          "  --seed S   another deterministic data set (default 42)\n"
          "  --out DIR  where the files go (default data)\n",
          stderr);
    exit(2);
}

static uint64_t parse_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-') die("%s: not a count: \"%s\"", what, s);
    return v;
}

int main(int argc, char **argv)
{
    Config c = {.rows = 1000, .seed = 42, .dir = "data"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (strcmp(a, "--rows") == 0) c.rows = parse_count(v, "--rows");
        else if (strcmp(a, "--scale") == 0) {
            char *end;
            double f = strtod(v, &end);
            if (*end || !(f > 0) || f > 10000) die("--scale: not a positive number: \"%s\"", v);
            c.rows = (uint64_t)(f * 1e6);
        } else if (strcmp(a, "--seed") == 0) c.seed = parse_count(v, "--seed");
        else if (strcmp(a, "--ds") == 0) c.ds = v;
        else if (strcmp(a, "--out") == 0) c.dir = v;
        else usage();
    }
    if (c.ds == NULL) usage();
    if (!parse_date(c.ds, &c.day)) die("--ds: not a date (YYYY-MM-DD): \"%s\"", c.ds);
    if (c.rows < 100) die("--rows must be at least 100");
    if (mkdir(c.dir, 0777) != 0 && errno != EEXIST) die("could not create \"%s\": %s", c.dir, strerror(errno));
    c.customers = c.rows / 20 > 50 ? c.rows / 20 : 50;

    uint8_t *kinds = malloc(c.rows + 1);
    if (kinds == NULL) die("out of memory for %" PRIu64 " rows", c.rows);
    Manifest m = {0};
    char *db = path_join(c.dir, "customers.db");
    write_customers(db, c.customers, c.seed);
    write_orders(&c, &m, kinds);
    write_clicks(&c, &m);
    write_manifest(&c, &m);
    printf("shop-generate: %s: %" PRIu64 " customers, %" PRIu64 " order lines (%" PRIu64 " updates, %" PRIu64
           " bad dates, %" PRIu64 " negative amounts, %" PRIu64 " unknown customers, %" PRIu64
           " malformed), %" PRIu64 " click events in %s/\n",
           c.ds, c.customers, m.lines, m.kind[UPDATED], m.kind[BAD_DATE], m.kind[NEGATIVE_AMOUNT],
           m.kind[UNKNOWN_CUSTOMER], m.kind[MALFORMED], m.clicks_lines, c.dir);
    free(db);
    free(kinds);
    return 0;
}
