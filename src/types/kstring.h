/* kstring: the string value of a VARCHAR vector slot.
 *
 * 16 bytes: the length, then either the whole string inline (up to 12 bytes)
 * or a 4-byte prefix and a pointer to the bytes elsewhere (a vector's string
 * heap, an input buffer, an arena).  The prefix makes most comparisons finish
 * without following the pointer.  Strings are not NUL-terminated. */
#ifndef KILN_TYPES_KSTRING_H
#define KILN_TYPES_KSTRING_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define KSTRING_INLINE_MAX 12

/* ref is packed so that the pointer follows the 4-byte prefix directly and
 * the whole is 16 bytes (unpacked, the pointer's alignment would pad the
 * union to 16 and KString to 24); KString itself is 8-aligned, so in an
 * array or a vector the pointer still sits on an 8-byte boundary. */
typedef struct __attribute__((aligned(8))) KString {
    uint32_t len;
    union {
        char inlined[KSTRING_INLINE_MAX];
        struct __attribute__((packed)) {
            char prefix[4];
            const char *ptr;
        } ref;
    } u;
} KString;
_Static_assert(sizeof(KString) == 16, "KString is 16 bytes");

/* A KString that points at (or, if short, copies) n bytes of s. The bytes must
 * outlive the KString unless n <= KSTRING_INLINE_MAX. */
static inline KString kstring_make(const char *s, uint32_t n)
{
    KString k;
    memset(&k, 0, sizeof k);
    k.len = n;
    if (n <= KSTRING_INLINE_MAX) {
        if (n) memcpy(k.u.inlined, s, n);
    } else {
        memcpy(k.u.ref.prefix, s, 4);
        k.u.ref.ptr = s;
    }
    return k;
}

/* Pointer to the bytes of a KString (valid while k and its storage live). */
static inline const char *kstring_data(const KString *k)
{
    return k->len <= KSTRING_INLINE_MAX ? k->u.inlined : k->u.ref.ptr;
}

/* True if both strings hold the same bytes. */
static inline bool kstring_equal(const KString *a, const KString *b)
{
    if (a->len != b->len) return false;
    if (memcmp(a->u.inlined, b->u.inlined, 4) != 0) return false;
    return memcmp(kstring_data(a), kstring_data(b), a->len) == 0;
}

/* Byte-wise comparison (the "C" collation): <0, 0, >0. */
static inline int kstring_compare(const KString *a, const KString *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(kstring_data(a), kstring_data(b), n);
    if (c != 0) return c;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

#endif
