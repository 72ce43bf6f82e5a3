/* key_set: encoded row keys in an open-addressing hash set (see key_set.h). */
#include "quality/key_set.h"

#include <string.h>

#include "common/mem.h"
#include "exec/hash.h"
#include "types/cast.h"

void key_set_init(KeySet *s) { memset(s, 0, sizeof *s); }

void key_set_destroy(KeySet *s)
{
    mem_free(s->bytes);
    mem_free(s->slots);
    memset(s, 0, sizeof *s);
}

/* FNV-1a over the bytes, then a finaliser for well spread high bits. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return hash_mix64(h);
}

static bool slot_matches(const KeySet *s, const KeySlot *slot, uint64_t h, const char *key, size_t n)
{
    if (slot->hash != h) return false;
    uint32_t len;
    memcpy(&len, s->bytes + slot->offset - 1, sizeof len);
    return len == n && memcmp(s->bytes + slot->offset - 1 + sizeof len, key, n) == 0;
}

/* The slot holding key, NULL if absent. */
static const KeySlot *find_slot(const KeySet *s, const char *key, size_t n)
{
    if (s->nslots == 0) return NULL;
    uint64_t h = hash_bytes(key, n);
    for (uint64_t i = h & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
        const KeySlot *slot = &s->slots[i];
        if (slot->offset == 0) return NULL;
        if (slot_matches(s, slot, h, key, n)) return slot;
    }
}

bool key_set_contains(const KeySet *s, const char *key, size_t n)
{
    return find_slot(s, key, n) != NULL;
}

static void place(KeySlot *slots, uint64_t nslots, KeySlot entry)
{
    uint64_t i = entry.hash & (nslots - 1);
    while (slots[i].offset != 0) i = (i + 1) & (nslots - 1);
    slots[i] = entry;
}

static void grow(KeySet *s)
{
    uint64_t n = s->nslots ? s->nslots * 2 : 64;
    KeySlot *slots = mem_calloc(n, sizeof *slots);
    for (uint64_t i = 0; i < s->nslots; i++)
        if (s->slots[i].offset) place(slots, n, s->slots[i]);
    mem_free(s->slots);
    s->slots = slots;
    s->nslots = n;
}

/* Append the key (and extra bytes after it) and index it; the key must be absent. */
static void add_entry(KeySet *s, const char *key, size_t n, const void *extra, size_t nextra)
{
    if ((s->count + 1) * 2 > s->nslots) grow(s);
    uint32_t len = (uint32_t)n;
    size_t need = s->len + sizeof len + n + nextra;
    if (need > s->cap) {
        s->cap = need > s->cap * 2 ? need : s->cap * 2;
        s->bytes = mem_realloc(s->bytes, s->cap);
    }
    KeySlot entry = {hash_bytes(key, n), s->len + 1};
    memcpy(s->bytes + s->len, &len, sizeof len);
    memcpy(s->bytes + s->len + sizeof len, key, n);
    if (nextra) memcpy(s->bytes + s->len + sizeof len + n, extra, nextra);
    s->len = need;
    place(s->slots, s->nslots, entry);
    s->count++;
}

bool key_set_insert(KeySet *s, const char *key, size_t n)
{
    if (key_set_contains(s, key, n)) return false;
    add_entry(s, key, n, NULL, 0);
    return true;
}

/* Where the value of a map entry is stored (after the key's bytes). */
static char *value_at(const KeySet *s, const KeySlot *slot, size_t n)
{
    return s->bytes + slot->offset - 1 + sizeof(uint32_t) + n;
}

void key_map_put(KeySet *s, const char *key, size_t n, uint32_t value)
{
    const KeySlot *slot = find_slot(s, key, n);
    if (slot == NULL) {
        add_entry(s, key, n, &value, sizeof value);
        return;
    }
    uint32_t old;
    memcpy(&old, value_at(s, slot, n), sizeof old);
    if (old != value) {
        uint32_t many = KEY_MAP_MANY;
        memcpy(value_at(s, slot, n), &many, sizeof many);
    }
}

bool key_map_get(const KeySet *s, const char *key, size_t n, uint32_t *value)
{
    const KeySlot *slot = find_slot(s, key, n);
    if (slot == NULL) return false;
    memcpy(value, value_at(s, slot, n), sizeof *value);
    return true;
}

bool key_encode(Vector *const *cols, const int *columns, int n, uint32_t row, StrBuf *out)
{
    strbuf_clear(out);
    for (int k = 0; k < n; k++) {
        const Vector *v = cols[columns[k]];
        if (!vector_is_valid(v, row)) return false;
        size_t at = out->len;
        uint32_t len = 0;
        strbuf_append(out, (const char *)&len, sizeof len);
        cast_format_value(v, row, out);
        len = (uint32_t)(out->len - at - sizeof len);
        memcpy(out->data + at, &len, sizeof len);
    }
    return true;
}

void key_encode_nullable(Vector *const *cols, const int *columns, int n, uint32_t row, StrBuf *out)
{
    strbuf_clear(out);
    for (int k = 0; k < n; k++) {
        const Vector *v = cols[columns[k]];
        uint32_t len = UINT32_MAX; /* NULL: a length no value has */
        size_t at = out->len;
        strbuf_append(out, (const char *)&len, sizeof len);
        if (!vector_is_valid(v, row)) continue;
        cast_format_value(v, row, out);
        len = (uint32_t)(out->len - at - sizeof len);
        memcpy(out->data + at, &len, sizeof len);
    }
}
