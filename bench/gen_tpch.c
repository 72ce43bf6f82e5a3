/*
 * gen_tpch.c - deterministic generator of TPC-H-shaped ORDERS and LINEITEM
 * tables as CSV files, for kiln's benchmarks against DuckDB.
 *
 * Usage: gen_tpch [--sf 1] [--out DIR] [--seed N]
 *   writes DIR/orders.csv and DIR/lineitem.csv (header line, comma
 *   delimiter, ISO dates, decimals with two digits, RFC 4180 quoting of the
 *   comment fields that contain a comma).  Each file is written under a
 *   temporary name and renamed when complete, so a present file is a whole
 *   file.
 *
 * How: the value rules follow the TPC-H specification (clause 4.2.3) and
 * dbgen's choices where the specification leaves room:
 *   - SF * 1,500,000 orders with sparse keys (8 used out of every 32), each
 *     with 1..7 line items (so ~4 * orders lineitem rows);
 *   - o_custkey uniform in [1, SF*150,000] skipping multiples of 3;
 *   - o_orderdate uniform in [1992-01-01, 1998-12-31 - 151 days]; ship,
 *     commit and receipt dates offset from it; return flag and line status
 *     derived from the "current date" 1995-06-17;
 *   - l_partkey uniform in [1, SF*200,000], l_suppkey from the part/supplier
 *     bridge formula, l_extendedprice = quantity * the part's retail price;
 *   - o_totalprice and o_orderstatus derived from the order's lines;
 *   - comments are slices of a text pool built from the specification's
 *     word grammar (nouns, verbs, adjectives, ... and punctuation).
 * Random numbers come from splitmix64; each order's stream is seeded from
 * (seed, order number), so a given order is the same whatever the scale
 * factor's other tables or the write order.
 *
 * Speed: every field is formatted by hand into a 4 MiB output buffer per
 * file, flushed with fwrite; no printf per field.  SF1 (~750 MB of
 * lineitem CSV) takes a few seconds on one core.
 * Memory: two output buffers, a 4 MiB text pool and a table of date
 * strings; constant in the scale factor.
 *
 * Standalone: build with `cc -O2 -o gen_tpch gen_tpch.c` (no libkiln).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OUT_BUFFER_BYTES = 4 << 20,
    TEXT_POOL_BYTES = 4 << 20,
    MAX_LINES_PER_ORDER = 7,
};

/* Day numbers are days since 1970-01-01. */
static int32_t days_from_civil(int32_t year, int32_t month, int32_t day)
{
    /* Howard Hinnant's algorithm, valid for the proleptic Gregorian calendar. */
    year -= month <= 2;
    const int32_t era = (year >= 0 ? year : year - 399) / 400;
    const int32_t year_of_era = year - era * 400;
    const int32_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int32_t days, int32_t *year, int32_t *month, int32_t *day)
{
    days += 719468;
    const int32_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int32_t day_of_era = days - era * 146097;
    const int32_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int32_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int32_t mp = (5 * day_of_year + 2) / 153;
    *day = day_of_year - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = year_of_era + era * 400 + (*month <= 2);
}

/* ---- random numbers ---------------------------------------------------- */

typedef struct {
    uint64_t state;
} Rng;

static uint64_t rng_next(Rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [low, high]; multiply-shift on 32 bits, bias < 2^-32 * range. */
static int64_t rng_range(Rng *rng, int64_t low, int64_t high)
{
    const uint64_t span = (uint64_t)(high - low) + 1;
    if (span <= UINT32_MAX)
        return low + (int64_t)(((rng_next(rng) >> 32) * span) >> 32);
    return low + (int64_t)(rng_next(rng) % span);
}

static Rng rng_for(uint64_t seed, uint64_t stream)
{
    Rng rng = {seed ^ (stream * 0xD1B54A32D192ED03ull)};
    rng_next(&rng);
    return rng;
}

/* ---- buffered output --------------------------------------------------- */

typedef struct {
    FILE *file;
    const char *path;
    char *buffer;
    size_t used;
    int failed;
} Out;

static void out_flush(Out *out)
{
    if (out->used > 0 && !out->failed && fwrite(out->buffer, 1, out->used, out->file) != out->used) {
        fprintf(stderr, "gen_tpch: cannot write %s: %s\n", out->path, strerror(errno));
        out->failed = 1;
    }
    out->used = 0;
}

/* Callers reserve room for a whole row (< 1 KiB) before appending to it. */
static void out_reserve(Out *out, size_t bytes)
{
    if (out->used + bytes > OUT_BUFFER_BYTES)
        out_flush(out);
}

static void out_bytes(Out *out, const char *bytes, size_t length)
{
    memcpy(out->buffer + out->used, bytes, length);
    out->used += length;
}

static void out_char(Out *out, char c) { out->buffer[out->used++] = c; }

static void out_uint(Out *out, uint64_t value)
{
    char digits[20];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0)
        out->buffer[out->used++] = digits[--count];
}

/* A decimal with two digits after the point, from a count of cents. */
static void out_cents(Out *out, int64_t cents)
{
    if (cents < 0) {
        out_char(out, '-');
        cents = -cents;
    }
    out_uint(out, (uint64_t)(cents / 100));
    out_char(out, '.');
    out_char(out, (char)('0' + cents % 100 / 10));
    out_char(out, (char)('0' + cents % 10));
}

/* Zero-padded to width digits, as in Clerk#000000951. */
static void out_uint_padded(Out *out, uint64_t value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out->buffer[out->used + (size_t)i] = (char)('0' + value % 10);
        value /= 10;
    }
    out->used += (size_t)width;
}

/* A text field, quoted when it holds a comma (the pool has no quotes or newlines). */
static void out_text_field(Out *out, const char *text, size_t length)
{
    if (memchr(text, ',', length) == NULL) {
        out_bytes(out, text, length);
        return;
    }
    out_char(out, '"');
    out_bytes(out, text, length);
    out_char(out, '"');
}

/* ---- dates ------------------------------------------------------------- */

static int32_t start_day, current_day, end_day;
static char (*date_strings)[10]; /* indexed by day - start_day, covers up to end_day */

static void dates_init(void)
{
    start_day = days_from_civil(1992, 1, 1);
    current_day = days_from_civil(1995, 6, 17);
    end_day = days_from_civil(1998, 12, 31);
    date_strings = malloc((size_t)(end_day - start_day + 1) * sizeof *date_strings);
    if (date_strings == NULL) {
        fprintf(stderr, "gen_tpch: out of memory\n");
        exit(1);
    }
    for (int32_t d = start_day; d <= end_day; d++) {
        int32_t year, month, day;
        civil_from_days(d, &year, &month, &day);
        char *text = date_strings[d - start_day];
        const int32_t digits[8] = {year / 1000, year / 100 % 10, year / 10 % 10, year % 10,
                                   month / 10, month % 10, day / 10, day % 10};
        static const int positions[8] = {0, 1, 2, 3, 5, 6, 8, 9};
        for (int i = 0; i < 8; i++)
            text[positions[i]] = (char)('0' + digits[i]);
        text[4] = text[7] = '-';
    }
}

static void out_date(Out *out, int32_t day) { out_bytes(out, date_strings[day - start_day], 10); }

/* ---- text pool (TPC-H clause 4.2.2.10 grammar) ------------------------- */

static const char *const nouns[] = {
    "foxes", "ideas", "theodolites", "pinto beans", "instructions", "dependencies", "excuses",
    "platelets", "asymptotes", "courts", "dolphins", "multipliers", "sauternes", "warthogs",
    "frets", "dinos", "attainments", "somas", "Tiresias'", "patterns", "forges", "braids",
    "hockey players", "frays", "warhorses", "dugouts", "notornis", "epitaphs", "pearls",
    "tithes", "waters", "orbits", "gifts", "sheaves", "depths", "sentiments", "decoys",
    "realms", "pains", "grouches", "escapades"};
static const char *const verbs[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost", "affix", "detect",
    "integrate", "maintain", "nod", "was", "lose", "sublate", "solve", "thrash", "promise",
    "engage", "hinder", "print", "x-ray", "breach", "eat", "grow", "impress", "mold", "poach",
    "serve", "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang", "believe",
    "doubt"};
static const char *const adjectives[] = {
    "furious", "sly", "careful", "blithe", "quick", "fluffy", "slow", "quiet", "ruthless",
    "thin", "close", "dogged", "daring", "brave", "stealthy", "permanent", "enticing", "idle",
    "busy", "regular", "final", "ironic", "even", "bold", "silent"};
static const char *const adverbs[] = {
    "sometimes", "always", "never", "furiously", "slyly", "carefully", "blithely", "quickly",
    "fluffily", "slowly", "quietly", "ruthlessly", "thinly", "closely", "doggedly", "daringly",
    "bravely", "stealthily", "permanently", "enticingly", "idly", "busily", "regularly",
    "finally", "ironically", "evenly", "boldly", "silently"};
static const char *const prepositions[] = {
    "about", "above", "according to", "across", "after", "against", "along", "alongside of",
    "among", "around", "at", "atop", "before", "behind", "beneath", "beside", "besides",
    "between", "beyond", "by", "despite", "during", "except", "for", "from", "in place of",
    "inside", "instead of", "into", "near", "of", "on", "outside", "over", "past", "since",
    "through", "throughout", "to", "toward", "under", "until", "up", "upon", "without", "with",
    "within"};
static const char *const auxiliaries[] = {
    "do", "may", "might", "shall", "will", "would", "can", "could", "should", "ought to",
    "must", "will have to", "shall have to", "could have to", "should have to", "must have to",
    "need to", "try to"};
static const char *const terminators[] = {".", ";", ":", "?", "!", "--"};

#define PICK(rng, list) ((list)[rng_range((rng), 0, (int64_t)(sizeof(list) / sizeof((list)[0])) - 1)])

typedef struct {
    char *text;
    size_t length;
} Pool;

static void pool_word(Pool *pool, const char *word)
{
    if (pool->length > 0 && pool->text[pool->length - 1] != ' ')
        pool->text[pool->length++] = ' ';
    size_t n = strlen(word);
    memcpy(pool->text + pool->length, word, n);
    pool->length += n;
}

static void pool_noun_phrase(Pool *pool, Rng *rng)
{
    switch (rng_range(rng, 0, 3)) {
    case 0: pool_word(pool, PICK(rng, nouns)); break;
    case 1:
        pool_word(pool, PICK(rng, adjectives));
        pool_word(pool, PICK(rng, nouns));
        break;
    case 2:
        pool_word(pool, PICK(rng, adjectives));
        pool->text[pool->length++] = ',';
        pool_word(pool, PICK(rng, adjectives));
        pool_word(pool, PICK(rng, nouns));
        break;
    default:
        pool_word(pool, PICK(rng, adverbs));
        pool_word(pool, PICK(rng, adjectives));
        pool_word(pool, PICK(rng, nouns));
        break;
    }
}

static void pool_verb_phrase(Pool *pool, Rng *rng)
{
    const int64_t form = rng_range(rng, 0, 3);
    if (form & 1)
        pool_word(pool, PICK(rng, auxiliaries));
    pool_word(pool, PICK(rng, verbs));
    if (form & 2)
        pool_word(pool, PICK(rng, adverbs));
}

static void pool_prepositional_phrase(Pool *pool, Rng *rng)
{
    pool_word(pool, PICK(rng, prepositions));
    pool_word(pool, "the");
    pool_noun_phrase(pool, rng);
}

static void pool_sentence(Pool *pool, Rng *rng)
{
    const int64_t form = rng_range(rng, 0, 4);
    pool_noun_phrase(pool, rng);
    if (form >= 3)
        pool_prepositional_phrase(pool, rng);
    pool_verb_phrase(pool, rng);
    if (form == 1 || form == 4)
        pool_prepositional_phrase(pool, rng);
    if (form == 2 || form == 3)
        pool_noun_phrase(pool, rng);
    const char *terminator = PICK(rng, terminators);
    size_t n = strlen(terminator);
    memcpy(pool->text + pool->length, terminator, n);
    pool->length += n;
}

static Pool pool_build(uint64_t seed)
{
    Pool pool = {malloc(TEXT_POOL_BYTES + 512), 0};
    if (pool.text == NULL) {
        fprintf(stderr, "gen_tpch: out of memory\n");
        exit(1);
    }
    Rng rng = rng_for(seed, UINT64_MAX);
    while (pool.length < TEXT_POOL_BYTES)
        pool_sentence(&pool, &rng); /* one sentence is < 512 bytes */
    return pool;
}

/* A comment of min..max bytes: a slice of the pool trimmed of edge spaces. */
static void out_comment(Out *out, Rng *rng, const Pool *pool, int64_t min_length, int64_t max_length)
{
    size_t length = (size_t)rng_range(rng, min_length, max_length);
    size_t offset = (size_t)rng_range(rng, 0, (int64_t)(pool->length - length - 1));
    const char *text = pool->text + offset;
    while (length > 1 && text[0] == ' ') {
        text++;
        length--;
    }
    while (length > 1 && text[length - 1] == ' ')
        length--;
    out_text_field(out, text, length);
}

/* ---- tables ------------------------------------------------------------ */

typedef struct {
    int64_t partkey, suppkey, quantity, extendedprice_cents, discount_cents, tax_cents;
    int32_t shipdate, commitdate, receiptdate;
    char returnflag, linestatus;
} LineItem;

static const char *const order_priorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"};
static const char *const ship_instructs[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
static const char *const ship_modes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

typedef struct {
    int64_t orders, customers, parts, suppliers, clerks;
} Scale;

/* Order number n (1-based) -> key: dbgen keeps 8 keys out of every 32. */
static int64_t sparse_order_key(int64_t n) { return ((n >> 3) << 5) | (n & 7); }

static int64_t part_retail_cents(int64_t partkey)
{
    return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

static int64_t part_supplier(int64_t partkey, int64_t which, int64_t suppliers)
{
    return (partkey + which * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

static void write_order(Out *orders_out, Out *lineitem_out, Rng *rng, const Pool *pool,
                        const Scale *scale, int64_t order_number)
{
    LineItem lines[MAX_LINES_PER_ORDER];
    const int64_t orderkey = sparse_order_key(order_number);
    int64_t custkey = rng_range(rng, 1, scale->customers);
    for (int64_t delta = 1; custkey % 3 == 0 && scale->customers > 2; delta = -delta) {
        custkey += delta;
        if (custkey > scale->customers)
            custkey = scale->customers;
    }
    const int32_t orderdate = (int32_t)rng_range(rng, start_day, end_day - 151);
    const int line_count = (int)rng_range(rng, 1, MAX_LINES_PER_ORDER);
    int64_t totalprice_cents = 0;
    int shipped_lines = 0;
    for (int i = 0; i < line_count; i++) {
        LineItem *line = &lines[i];
        line->partkey = rng_range(rng, 1, scale->parts);
        line->suppkey = part_supplier(line->partkey, rng_range(rng, 0, 3), scale->suppliers);
        line->quantity = rng_range(rng, 1, 50);
        line->extendedprice_cents = line->quantity * part_retail_cents(line->partkey);
        line->discount_cents = rng_range(rng, 0, 10);
        line->tax_cents = rng_range(rng, 0, 8);
        line->shipdate = orderdate + (int32_t)rng_range(rng, 1, 121);
        line->commitdate = orderdate + (int32_t)rng_range(rng, 30, 90);
        line->receiptdate = line->shipdate + (int32_t)rng_range(rng, 1, 30);
        const int64_t flag_draw = rng_range(rng, 0, 1);
        line->returnflag = line->receiptdate <= current_day ? (flag_draw ? 'R' : 'A') : 'N';
        line->linestatus = line->shipdate > current_day ? 'O' : 'F';
        shipped_lines += line->linestatus == 'F';
        /* dbgen's integer arithmetic: truncating cents at each step. */
        totalprice_cents += line->extendedprice_cents * (100 - line->discount_cents) / 100 * (100 + line->tax_cents) / 100;
    }
    const char orderstatus = shipped_lines == line_count ? 'F' : shipped_lines == 0 ? 'O' : 'P';

    out_reserve(orders_out, 1024);
    out_uint(orders_out, (uint64_t)orderkey);
    out_char(orders_out, ',');
    out_uint(orders_out, (uint64_t)custkey);
    out_char(orders_out, ',');
    out_char(orders_out, orderstatus);
    out_char(orders_out, ',');
    out_cents(orders_out, totalprice_cents);
    out_char(orders_out, ',');
    out_date(orders_out, orderdate);
    out_char(orders_out, ',');
    const char *priority = PICK(rng, order_priorities);
    out_bytes(orders_out, priority, strlen(priority));
    out_bytes(orders_out, ",Clerk#", 7);
    out_uint_padded(orders_out, (uint64_t)rng_range(rng, 1, scale->clerks), 9);
    out_bytes(orders_out, ",0,", 3);
    out_comment(orders_out, rng, pool, 19, 78);
    out_char(orders_out, '\n');

    out_reserve(lineitem_out, 1024 * MAX_LINES_PER_ORDER);
    for (int i = 0; i < line_count; i++) {
        const LineItem *line = &lines[i];
        out_uint(lineitem_out, (uint64_t)orderkey);
        out_char(lineitem_out, ',');
        out_uint(lineitem_out, (uint64_t)line->partkey);
        out_char(lineitem_out, ',');
        out_uint(lineitem_out, (uint64_t)line->suppkey);
        out_char(lineitem_out, ',');
        out_uint(lineitem_out, (uint64_t)(i + 1));
        out_char(lineitem_out, ',');
        out_cents(lineitem_out, line->quantity * 100);
        out_char(lineitem_out, ',');
        out_cents(lineitem_out, line->extendedprice_cents);
        out_char(lineitem_out, ',');
        out_cents(lineitem_out, line->discount_cents);
        out_char(lineitem_out, ',');
        out_cents(lineitem_out, line->tax_cents);
        out_char(lineitem_out, ',');
        out_char(lineitem_out, line->returnflag);
        out_char(lineitem_out, ',');
        out_char(lineitem_out, line->linestatus);
        out_char(lineitem_out, ',');
        out_date(lineitem_out, line->shipdate);
        out_char(lineitem_out, ',');
        out_date(lineitem_out, line->commitdate);
        out_char(lineitem_out, ',');
        out_date(lineitem_out, line->receiptdate);
        out_char(lineitem_out, ',');
        const char *instruct = PICK(rng, ship_instructs);
        out_bytes(lineitem_out, instruct, strlen(instruct));
        out_char(lineitem_out, ',');
        const char *mode = PICK(rng, ship_modes);
        out_bytes(lineitem_out, mode, strlen(mode));
        out_char(lineitem_out, ',');
        out_comment(lineitem_out, rng, pool, 10, 43);
        out_char(lineitem_out, '\n');
    }
}

/* ---- files and command line -------------------------------------------- */

typedef struct {
    Out out;
    char final_path[4096];
    char temp_path[4096];
} OutFile;

static int out_file_open(OutFile *file, const char *dir, const char *name, const char *header)
{
    int n1 = snprintf(file->final_path, sizeof file->final_path, "%s/%s", dir, name);
    int n2 = snprintf(file->temp_path, sizeof file->temp_path, "%s/.%s.tmp", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof file->temp_path) {
        fprintf(stderr, "gen_tpch: output path too long\n");
        return -1;
    }
    file->out.path = file->temp_path;
    file->out.file = fopen(file->temp_path, "wb");
    if (file->out.file == NULL) {
        fprintf(stderr, "gen_tpch: cannot create %s: %s\n", file->temp_path, strerror(errno));
        return -1;
    }
    file->out.buffer = malloc(OUT_BUFFER_BYTES);
    if (file->out.buffer == NULL) {
        fprintf(stderr, "gen_tpch: out of memory\n");
        return -1;
    }
    file->out.used = 0;
    file->out.failed = 0;
    out_bytes(&file->out, header, strlen(header));
    return 0;
}

/* Flushes, closes and renames into place (or removes on failure); 0 on success. */
static int out_file_close(OutFile *file, int keep)
{
    out_flush(&file->out);
    int failed = file->out.failed;
    if (fclose(file->out.file) != 0 && !failed) {
        fprintf(stderr, "gen_tpch: cannot write %s: %s\n", file->temp_path, strerror(errno));
        failed = 1;
    }
    free(file->out.buffer);
    if (failed || !keep) {
        remove(file->temp_path);
        return -1;
    }
    if (rename(file->temp_path, file->final_path) != 0) {
        fprintf(stderr, "gen_tpch: cannot rename %s: %s\n", file->temp_path, strerror(errno));
        remove(file->temp_path);
        return -1;
    }
    return 0;
}

static int64_t at_least_one(double value) { return value < 1 ? 1 : (int64_t)(value + 0.5); }

static void usage(void)
{
    fprintf(stderr, "usage: gen_tpch [--sf SCALE] [--out DIR] [--seed N]\n"
                    "  SCALE: scale factor, fractional allowed (default 1: 1.5M orders, ~6M lineitem rows)\n"
                    "  DIR:   output directory, must exist (default .)\n");
}

int main(int argc, char **argv)
{
    double sf = 1.0;
    const char *dir = ".";
    uint64_t seed = 19920101;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(argv[i], "--sf") == 0 && value != NULL) {
            sf = strtod(value, &end);
            if (*end != '\0' || !(sf > 0 && sf <= 10000)) {
                fprintf(stderr, "gen_tpch: invalid scale factor \"%s\"\n", value);
                return 2;
            }
            i++;
        } else if (strcmp(argv[i], "--out") == 0 && value != NULL) {
            dir = value;
            i++;
        } else if (strcmp(argv[i], "--seed") == 0 && value != NULL) {
            seed = strtoull(value, &end, 10);
            if (*end != '\0') {
                fprintf(stderr, "gen_tpch: invalid seed \"%s\"\n", value);
                return 2;
            }
            i++;
        } else {
            usage();
            return 2;
        }
    }

    const Scale scale = {
        .orders = at_least_one(sf * 1500000),
        .customers = at_least_one(sf * 150000),
        .parts = at_least_one(sf * 200000),
        .suppliers = at_least_one(sf * 10000),
        .clerks = at_least_one(sf * 1000),
    };
    dates_init();
    Pool pool = pool_build(seed);

    OutFile orders_file, lineitem_file;
    if (out_file_open(&orders_file, dir, "orders.csv",
                      "o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,"
                      "o_clerk,o_shippriority,o_comment\n") != 0)
        return 1;
    if (out_file_open(&lineitem_file, dir, "lineitem.csv",
                      "l_orderkey,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,"
                      "l_discount,l_tax,l_returnflag,l_linestatus,l_shipdate,l_commitdate,"
                      "l_receiptdate,l_shipinstruct,l_shipmode,l_comment\n") != 0) {
        out_file_close(&orders_file, 0);
        return 1;
    }
    for (int64_t n = 1; n <= scale.orders && !orders_file.out.failed && !lineitem_file.out.failed; n++) {
        Rng rng = rng_for(seed, (uint64_t)n);
        write_order(&orders_file.out, &lineitem_file.out, &rng, &pool, &scale, n);
    }
    const int ok_orders = out_file_close(&orders_file, 1) == 0;
    const int ok_lineitem = out_file_close(&lineitem_file, ok_orders) == 0;
    free(pool.text);
    free(date_strings);
    if (!ok_orders || !ok_lineitem) {
        if (ok_orders)
            remove(orders_file.final_path);
        return 1;
    }
    return 0;
}
