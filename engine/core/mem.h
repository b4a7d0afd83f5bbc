/* mem.h -- allocation that never returns NULL.
 * We are an application, not a library: running out of memory is fatal, so
 * these wrappers print a message and abort instead of making every caller
 * handle NULL (redis zmalloc, git xmalloc).
 */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf: printf into a fresh string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *items (element size sz) so that it holds at least need elements;
 * *cap is updated.  Amortised doubling. */
void xgrow(void **items, size_t *cap, size_t need, size_t sz);
#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
