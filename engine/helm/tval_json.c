/* tval_json.c -- JSON text straight to tval, keeping integer literals apart
 * from floats (cJSON forgets the difference; Go's template tests need it). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tval.h"
#include "helm/tval_int.h"

#define JSON_MAX_DEPTH 512

struct jp {
    const char *s;
    size_t n, i;
    int flags;
    struct err *err;
};

static int jp_fail(struct jp *p, const char *what)
{
    int line = 1, col = 1;
    for (size_t k = 0; k < p->i && k < p->n; k++) {
        if (p->s[k] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return err_set(p->err, E_PARSE, "%d:%d: %s", line, col, what);
}

static void jp_ws(struct jp *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static int jp_value(struct jp *p, tval **out, int depth);

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

static int jp_escape(struct jp *p, struct buf *b)
{
    char c = p->i < p->n ? p->s[p->i++] : 0;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        buf_putc(b, to[k - from]);
        return 0;
    }
    unsigned r, r2;
    if (c != 'u' || p->i + 4 > p->n || hex4(p->s + p->i, &r) < 0)
        return jp_fail(p, "invalid escape in string");
    p->i += 4;
    if (r >= 0xD800 && r < 0xDC00 && p->i + 6 <= p->n && p->s[p->i] == '\\' &&
        p->s[p->i + 1] == 'u' && hex4(p->s + p->i + 2, &r2) == 0 && r2 >= 0xDC00 &&
        r2 < 0xE000) {
        p->i += 6;
        r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
    } else if (r >= 0xD800 && r < 0xE000) {
        r = 0xFFFD;
    }
    tval_utf8_put(b, r);
    return 0;
}

static int jp_string(struct jp *p, struct buf *b)
{
    p->i++; /* opening quote */
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"')
            return 0;
        if ((unsigned char)c < 0x20)
            return jp_fail(p, "control character in string");
        if (c != '\\') {
            buf_putc(b, c);
            continue;
        }
        if (jp_escape(p, b) < 0)
            return E_PARSE;
    }
    return jp_fail(p, "unterminated string");
}

static int jp_number(struct jp *p, tval **out)
{
    size_t st = p->i;
    int isfloat = 0;
    if (p->i < p->n && p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
        return jp_fail(p, "invalid number");
    while (p->i < p->n && strchr("0123456789.eE+-", p->s[p->i]) && p->s[p->i]) {
        if (strchr(".eE", p->s[p->i]))
            isfloat = 1;
        p->i++;
    }
    char tmp[64];
    size_t len = p->i - st;
    if (len >= sizeof(tmp))
        return jp_fail(p, "number too long");
    memcpy(tmp, p->s + st, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    if (!isfloat && (p->flags & TVAL_JSON_INTS)) {
        long long v = strtoll(tmp, &end, 10);
        if (*end == '\0' && errno == 0) {
            *out = tval_int(v);
            return 0;
        }
    }
    double d = strtod(tmp, &end);
    if (*end != '\0')
        return jp_fail(p, "invalid number");
    *out = tval_float(d);
    return 0;
}

static int jp_word(struct jp *p, const char *w, tval *v, tval **out)
{
    size_t n = strlen(w);
    if (p->n - p->i < n || memcmp(p->s + p->i, w, n))
        return jp_fail(p, "invalid character");
    p->i += n;
    *out = v;
    return 0;
}

static int jp_array(struct jp *p, tval **out, int depth)
{
    tval *l = tval_list();
    p->i++;
    jp_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        *out = l;
        return 0;
    }
    for (;;) {
        tval *v = NULL;
        if (jp_value(p, &v, depth + 1) < 0)
            goto fail;
        tval_list_append(l, v);
        jp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == ']') {
            p->i++;
            *out = l;
            return 0;
        }
        jp_fail(p, "expected ',' or ']'");
        goto fail;
    }
fail:
    tval_unref(l);
    return E_PARSE;
}

static int jp_object(struct jp *p, tval **out, int depth)
{
    tval *m = tval_map();
    struct buf key = BUF_INIT;
    p->i++;
    jp_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        goto ok;
    }
    for (;;) {
        tval *v = NULL;
        jp_ws(p);
        buf_reset(&key);
        if (p->i >= p->n || p->s[p->i] != '"') {
            jp_fail(p, "expected string key");
            goto fail;
        }
        if (jp_string(p, &key) < 0)
            goto fail;
        jp_ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') {
            jp_fail(p, "expected ':'");
            goto fail;
        }
        p->i++;
        if (jp_value(p, &v, depth + 1) < 0)
            goto fail;
        tval_map_set(m, key.ptr, v);
        jp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == '}') {
            p->i++;
            goto ok;
        }
        jp_fail(p, "expected ',' or '}'");
        goto fail;
    }
ok:
    buf_release(&key);
    *out = m;
    return 0;
fail:
    buf_release(&key);
    tval_unref(m);
    return E_PARSE;
}

static int jp_value(struct jp *p, tval **out, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return jp_fail(p, "nesting too deep");
    jp_ws(p);
    if (p->i >= p->n)
        return jp_fail(p, "unexpected end of input");
    char c = p->s[p->i];
    if (c == '{')
        return jp_object(p, out, depth);
    if (c == '[')
        return jp_array(p, out, depth);
    if (c == '"') {
        struct buf b = BUF_INIT;
        if (jp_string(p, &b) < 0) {
            buf_release(&b);
            return E_PARSE;
        }
        size_t n;
        char *s = buf_detach(&b, &n);
        *out = tval_str_take(s, n);
        return 0;
    }
    if (c == 't')
        return jp_word(p, "true", tval_bool(1), out);
    if (c == 'f')
        return jp_word(p, "false", tval_bool(0), out);
    if (c == 'n')
        return jp_word(p, "null", tval_nil(), out);
    return jp_number(p, out);
}

int tval_parse_json(tval **out, const char *text, size_t len, int flags, struct err *err)
{
    struct jp p = {text, len, 0, flags, err};
    tval *v = NULL;
    if (jp_value(&p, &v, 0) < 0)
        return E_PARSE;
    jp_ws(&p);
    if (p.i < p.n) {
        tval_unref(v);
        return jp_fail(&p, "trailing data after JSON value");
    }
    *out = v;
    return 0;
}
