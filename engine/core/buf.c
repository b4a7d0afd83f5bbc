/* buf.c -- growable string buffer (see buf.h). */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

char buf__empty[1];

void buf_init(struct buf *b, size_t max)
{
    b->ptr = buf__empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->toobig = 0;
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->ptr);
    buf_init(b, 0);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->toobig = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

void buf_grow(struct buf *b, size_t n)
{
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (b->cap) {
        b->ptr = xrealloc(b->ptr, cap);
    } else {
        b->ptr = xmalloc(cap);
        b->ptr[0] = '\0';
    }
    b->cap = cap;
}

static int over(struct buf *b, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n)) {
        b->toobig = 1;
        return 1;
    }
    return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    if (over(b, n))
        return E_TOOBIG;
    if (n == 0)
        return 0;
    buf_grow(b, n);
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0)
        return E_INTERNAL;
    if ((size_t)n < sizeof(small))
        return buf_add(b, small, (size_t)n);
    if (over(b, (size_t)n))
        return E_TOOBIG;
    buf_grow(b, (size_t)n);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len >= b->len)
        return;
    b->len = len;
    b->ptr[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->cap ? b->ptr : xstrdup("");
    if (len)
        *len = b->len;
    buf_init(b, 0);
    return p;
}

size_t buf_write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    size_t n = size * nmemb;
    return buf_add(userdata, data, n) == 0 ? n : 0;
}
