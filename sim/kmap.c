/* kmap.c -- open-addressing string map (see kmap.h).
 * FNV-1a hashes, power-of-two table, grown at 50% load counting tombstones so
 * probe chains stay short even after many deletions.
 */
#include "kmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static char kmap_tomb[1]; /* marks a deleted slot */

struct slot {
    char *key; /* NULL: empty; kmap_tomb: deleted */
    void *value;
};

struct kmap {
    struct slot *slots;
    size_t cap;  /* power of two */
    size_t len;  /* live entries */
    size_t used; /* live + tombstones */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

kmap *kmap_new(void)
{
    kmap *m = xcalloc(1, sizeof(*m));
    m->cap = 16;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    return m;
}

void kmap_free(kmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != kmap_tomb)
            free(m->slots[i].key);
    free(m->slots);
    free(m);
}

/* Index of key's slot, or of the first free slot where it would go (-1 never:
 * the table always has empty slots). */
static size_t find(const kmap *m, const char *key, int *found)
{
    size_t mask = m->cap - 1, i = hash_str(key) & mask, tomb = SIZE_MAX;
    for (;; i = (i + 1) & mask) {
        struct slot *s = &m->slots[i];
        if (!s->key) {
            *found = 0;
            return tomb != SIZE_MAX ? tomb : i;
        }
        if (s->key == kmap_tomb) {
            if (tomb == SIZE_MAX)
                tomb = i;
        } else if (strcmp(s->key, key) == 0) {
            *found = 1;
            return i;
        }
    }
}

static void grow(kmap *m)
{
    struct slot *old = m->slots;
    size_t oldcap = m->cap;
    if (m->len * 4 >= m->cap)
        m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    m->used = m->len;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].key || old[i].key == kmap_tomb)
            continue;
        int found;
        size_t j = find(m, old[i].key, &found);
        m->slots[j] = old[i];
    }
    free(old);
}

void *kmap_get(const kmap *m, const char *key)
{
    int found;
    size_t i = find(m, key, &found);
    return found ? m->slots[i].value : NULL;
}

void *kmap_put(kmap *m, const char *key, void *value)
{
    int found;
    size_t i = find(m, key, &found);
    if (found) {
        void *prev = m->slots[i].value;
        m->slots[i].value = value;
        return prev;
    }
    if (!m->slots[i].key)
        m->used++;
    m->slots[i].key = xstrdup(key);
    m->slots[i].value = value;
    m->len++;
    if (m->used * 2 >= m->cap)
        grow(m);
    return NULL;
}

void *kmap_del(kmap *m, const char *key)
{
    int found;
    size_t i = find(m, key, &found);
    if (!found)
        return NULL;
    void *v = m->slots[i].value;
    free(m->slots[i].key);
    m->slots[i].key = kmap_tomb;
    m->slots[i].value = NULL;
    m->len--;
    return v;
}

size_t kmap_len(const kmap *m) { return m->len; }

int kmap_each(const kmap *m, kmap_each_fn fn, void *ctx)
{
    for (size_t i = 0; i < m->cap; i++) {
        struct slot *s = &m->slots[i];
        if (!s->key || s->key == kmap_tomb)
            continue;
        int rc = fn(ctx, s->key, s->value);
        if (rc)
            return rc;
    }
    return 0;
}
