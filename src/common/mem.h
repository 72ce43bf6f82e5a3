/* mem: every heap allocation of kiln goes through these functions.
 *
 * One choke point lets tests inject allocation failures and lets the engine
 * account memory. An allocation that the operating system refuses ends the
 * process with a clear message and exit code 70 (EX_SOFTWARE): the engine
 * bounds its own memory (memory_limit) so this only happens when the machine
 * itself is exhausted. */
#ifndef KILN_COMMON_MEM_H
#define KILN_COMMON_MEM_H

#include <stddef.h>

/* Allocate n bytes (never returns NULL; n == 0 gives a unique pointer). */
void *mem_alloc(size_t n);
/* Allocate n zeroed bytes. */
void *mem_calloc(size_t count, size_t size);
/* Resize p to n bytes, keeping the contents. */
void *mem_realloc(void *p, size_t n);
/* Free p (NULL is fine). */
void mem_free(void *p);
/* Duplicate a NUL-terminated string. */
char *mem_strdup(const char *s);
/* Duplicate n bytes of s and add a NUL. */
char *mem_strndup(const char *s, size_t n);
/* A newly allocated string formatted as printf would. */
char *mem_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
