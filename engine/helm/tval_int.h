/* tval_int.h -- private to tval*.c and tmpl*.c: the layout of a tval, so the
 * template executor can read kinds and scalars without a call per access.
 * Everyone else uses the accessors of tval.h. */
#ifndef HELM_TVAL_INT_H
#define HELM_TVAL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "helm/tval.h"

struct tval_ent {
    char *key;
    size_t klen;
    tval *v;
};

struct tval {
    int refs;               /* -1 for the static singletons */
    unsigned char kind;     /* enum tval_kind */
    unsigned char is64;     /* TV_INT: Go type int64 rather than int */
    union {
        int b;
        int64_t i;
        double f;
        struct { char *p; size_t len; } s;   /* p == (char *)(v + 1) when inline */
        struct { tval **items; size_t len, cap; } l;
        struct { struct tval_ent *ents; size_t len, cap; } m;
        struct { const struct tval_obj_ops *ops; void *ctx; } o;
    } u;
};

/* Append rune r as UTF-8 (surrogates and values past U+10FFFF as U+FFFD);
 * shared by fmt's %c/%q (tval_fmt.c) and JSON's \u escapes (tval_json.c). */
void tval_utf8_put(struct buf *b, uint32_t r);

#endif
