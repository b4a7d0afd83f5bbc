/* buf.h -- the one growable string buffer.
 * After buf_init() (or BUF_INIT) ptr is never NULL and always NUL-terminated,
 * so buf.ptr can be handed to any C string function (git strbuf).  A buffer
 * may have a maximum size; growing past it sets a sticky 'toobig' flag and
 * drops the data, which the owner checks once at the end (curl dynbuf, sqlite
 * sqlite3_str).  Allocation failure aborts (mem.h).
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *ptr;      /* never NULL; NUL-terminated */
    size_t len;     /* bytes in use, not counting the NUL */
    size_t cap;     /* bytes allocated; 0 while ptr points at the shared "" */
    size_t max;     /* 0 = unlimited; else len never exceeds max */
    int toobig;     /* set when an append would have exceeded max */
};

extern char buf__empty[];
#define BUF_INIT {buf__empty, 0, 0, 0, 0}

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);          /* free memory; b is BUF_INIT again */
void buf_reset(struct buf *b);            /* len = 0, keep memory and max */
/* Appends.  Return 0, or -1 (E_TOOBIG) when over max: then nothing is added
 * and b->toobig is set. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Make room for n more bytes without changing len. */
void buf_grow(struct buf *b, size_t n);
void buf_truncate(struct buf *b, size_t len);
/* Hand the string to the caller, who frees it; b is BUF_INIT again. */
char *buf_detach(struct buf *b, size_t *len);
static inline const char *buf_cstr(const struct buf *b) { return b->ptr; }

/* libcurl-style write callback: userdata is a struct buf*.  Returns 0 (which
 * aborts the transfer) when the buffer's max is exceeded. */
size_t buf_write_cb(char *data, size_t size, size_t nmemb, void *userdata);

#endif
