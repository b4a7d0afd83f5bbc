/* kmap.h -- a small string-keyed hash map for the simulator's controllers.
 * Keys are copied; values are opaque pointers the caller owns (the map never
 * frees them).  Open addressing with linear probing and tombstones; used for
 * dirty sets, per-pod records and per-deployment settings, where a linear
 * list would turn 10,000 pods into quadratic work.
 */
#ifndef SIM_KMAP_H
#define SIM_KMAP_H

#include <stddef.h>

typedef struct kmap kmap;

/* An empty map.  Never fails. */
kmap *kmap_new(void);
/* Free the map and its keys (not the values).  NULL is a no-op. */
void kmap_free(kmap *m);
/* Value stored under key, or NULL. */
void *kmap_get(const kmap *m, const char *key);
/* Store value under key (replacing any previous value, which is returned so
 * the caller can free it; NULL when the key was new).  value must not be NULL. */
void *kmap_put(kmap *m, const char *key, void *value);
/* Remove key; returns its value, or NULL when absent. */
void *kmap_del(kmap *m, const char *key);
size_t kmap_len(const kmap *m);

/* Visit every entry (unspecified order).  fn returns 0 to go on; it must not
 * change the map.  Returns fn's first non-zero value, else 0. */
typedef int (*kmap_each_fn)(void *ctx, const char *key, void *value);
int kmap_each(const kmap *m, kmap_each_fn fn, void *ctx);

#endif
