/* tval_fmt.c -- Go's fmt for template values: Print (%v), Sprint, Sprintln,
 * Sprintf with Go's verbs, flags and error forms, and strconv.FormatFloat.
 * Follows fmt/print.go and fmt/format.go closely so output is byte-exact. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tval.h"
#include "helm/tval_int.h"

/* ---- strconv.FormatFloat ---------------------------------------------------- */

/* Shortest round-trip decimal digits of |d| (d finite, nonzero): digits in
 * dig (no trailing zeros), *nd of them, value = 0.DIGITS * 10^dp. */
static void shortest_digits(double d, char *dig, int *nd, int *dp)
{
    char tmp[40];
    d = fabs(d);
    if (d < 9007199254740992.0 && d == floor(d)) {
        /* integers below 2^53 are exact: their digits are the shortest form
         * (values from YAML are float64, so this is most numbers printed) */
        int n = 0;
        for (uint64_t u = (uint64_t)d; u; u /= 10)
            tmp[n++] = (char)('0' + u % 10);
        *dp = n;
        while (n > 1 && tmp[0] == '0')
            memmove(tmp, tmp + 1, (size_t)--n);
        for (int i = 0; i < n; i++)
            dig[i] = tmp[n - 1 - i];
        dig[n] = '\0';
        *nd = n;
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d || p == 17)
            break;
    }
    int n = 0;
    char *s = tmp;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            dig[n++] = *s;
    int e = atoi(s + 1);
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *nd = n;
    *dp = e + 1;
}

static void put_exp(struct buf *out, char e, int exp)
{
    buf_putc(out, e);
    buf_putc(out, exp < 0 ? '-' : '+');
    if (exp < 0)
        exp = -exp;
    if (exp < 10)
        buf_putc(out, '0');
    buf_addf(out, "%d", exp);
}

static void fmt_e(struct buf *out, const char *dig, int nd, int dp, int prec, char e)
{
    buf_putc(out, nd ? dig[0] : '0');
    if (prec > 0) {
        buf_putc(out, '.');
        for (int i = 1; i <= prec; i++)
            buf_putc(out, i < nd ? dig[i] : '0');
    }
    put_exp(out, e, nd && dig[0] != '0' ? dp - 1 : 0);
}

static void fmt_f(struct buf *out, const char *dig, int nd, int dp, int prec)
{
    if (dp > 0) {
        for (int i = 0; i < dp; i++)
            buf_putc(out, i < nd ? dig[i] : '0');
    } else {
        buf_putc(out, '0');
    }
    if (prec > 0) {
        buf_putc(out, '.');
        for (int i = 0; i < prec; i++) {
            int j = dp + i;
            buf_putc(out, j >= 0 && j < nd ? dig[j] : '0');
        }
    }
}

void tval_fmt_float(double d, char fmt, int prec, struct buf *out)
{
    if (isnan(d)) {
        buf_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        buf_puts(out, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (prec >= 0) {
        if (prec > 1000)
            prec = 1000;
        switch (fmt) {
        case 'e': buf_addf(out, "%.*e", prec, d); break;
        case 'E': buf_addf(out, "%.*E", prec, d); break;
        case 'f': case 'F': buf_addf(out, "%.*f", prec, d); break;
        case 'G': buf_addf(out, "%.*G", prec, d); break;
        default: buf_addf(out, "%.*g", prec, d); break;
        }
        return;
    }
    char dig[24] = "0";
    int nd = 1, dp = 1;
    if (signbit(d))
        buf_putc(out, '-');
    if (d != 0)
        shortest_digits(d, dig, &nd, &dp);
    char lower = (char)(fmt | 0x20);
    if (lower == 'e') {
        fmt_e(out, dig, nd, dp, nd - 1, fmt == 'E' ? 'E' : 'e');
    } else if (lower == 'f') {
        fmt_f(out, dig, nd, dp, nd - dp > 0 ? nd - dp : 0);
    } else {
        int exp = dp - 1;
        if (d != 0 && (exp < -4 || exp >= 6))
            fmt_e(out, dig, nd, dp, nd - 1, fmt == 'G' ? 'E' : 'e');
        else
            fmt_f(out, dig, nd, dp, nd - dp > 0 ? nd - dp : 0);
    }
}

/* ---- %v ------------------------------------------------------------------------ */

static void print_depth(const tval *v, struct buf *out, int depth)
{
    if (depth > 100) {
        buf_puts(out, "...");
        return;
    }
    switch (v->kind) {
    case TV_NIL: buf_puts(out, "<nil>"); break;
    case TV_BOOL: buf_puts(out, v->u.b ? "true" : "false"); break;
    case TV_INT: buf_addf(out, "%lld", (long long)v->u.i); break;
    case TV_FLOAT: tval_fmt_float(v->u.f, 'g', -1, out); break;
    case TV_STRING: buf_add(out, v->u.s.p, v->u.s.len); break;
    case TV_LIST:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->u.l.len; i++) {
            if (i)
                buf_putc(out, ' ');
            print_depth(v->u.l.items[i], out, depth + 1);
        }
        buf_putc(out, ']');
        break;
    case TV_MAP:
        buf_puts(out, "map[");
        for (size_t i = 0; i < v->u.m.len; i++) {
            if (i)
                buf_putc(out, ' ');
            buf_add(out, v->u.m.ents[i].key, v->u.m.ents[i].klen);
            buf_putc(out, ':');
            print_depth(v->u.m.ents[i].v, out, depth + 1);
        }
        buf_putc(out, ']');
        break;
    default:
        if (v->u.o.ops->print)
            v->u.o.ops->print(v->u.o.ctx, out);
        else
            buf_puts(out, "{}");
    }
}

void tval_print(const tval *v, struct buf *out) { print_depth(v, out, 0); }

void tval_sprint(struct buf *out, int argc, tval *const *argv)
{
    for (int i = 0; i < argc; i++) {
        if (i > 0 && argv[i]->kind != TV_STRING && argv[i - 1]->kind != TV_STRING)
            buf_putc(out, ' ');
        tval_print(argv[i], out);
    }
}

void tval_sprintln(struct buf *out, int argc, tval *const *argv)
{
    for (int i = 0; i < argc; i++) {
        if (i)
            buf_putc(out, ' ');
        tval_print(argv[i], out);
    }
    buf_putc(out, '\n');
}

/* ---- Sprintf ------------------------------------------------------------------- */

struct fspec {
    int minus, plus, space, zero, sharp;
    int wid, prec;          /* -1 when absent */
};

static size_t utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void pad_n(struct buf *out, int n, char c)
{
    char chunk[256];
    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        size_t k = n > (int)sizeof(chunk) ? sizeof(chunk) : (size_t)n;
        buf_add(out, chunk, k);
        n -= (int)k;
    }
}

/* fmt.pad: write s padded to the width, honouring minus and zero. */
static void fpad(struct buf *out, const struct fspec *f, const char *s, size_t n)
{
    int w = f->wid < 0 ? 0 : f->wid - (int)utf8_count(s, n);
    if (w > 0 && !f->minus)
        pad_n(out, w, f->zero ? '0' : ' ');
    buf_add(out, s, n);
    if (w > 0 && f->minus)
        pad_n(out, w, ' ');
}

void tval_utf8_put(struct buf *b, uint32_t r)
{
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        buf_putc(b, (char)r);
    } else if (r < 0x800) {
        buf_putc(b, (char)(0xC0 | (r >> 6)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    } else if (r < 0x10000) {
        buf_putc(b, (char)(0xE0 | (r >> 12)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (r >> 18)));
        buf_putc(b, (char)(0x80 | ((r >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    }
}

static void fmt_integer(struct buf *out, struct fspec *f, int64_t v, int base, char verb)
{
    char tmp[80];
    int i = sizeof(tmp);
    int neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int prec = 0;
    if (f->prec >= 0) {
        prec = f->prec;
        if (prec == 0 && u == 0) {
            pad_n(out, f->wid, ' ');
            return;
        }
    } else if (f->zero && f->wid > 0) {
        prec = f->wid;
        if (neg || f->plus || f->space)
            prec--;
    }
    if (prec > 64)
        prec = 64;
    const char *digs = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[--i] = digs[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    while (i > 0 && prec > (int)sizeof(tmp) - i)
        tmp[--i] = '0';
    if (f->sharp) {
        if (base == 2) {
            tmp[--i] = 'b';
            tmp[--i] = '0';
        } else if (base == 8 && tmp[i] != '0') {
            tmp[--i] = '0';
        } else if (base == 16) {
            tmp[--i] = verb;
            tmp[--i] = '0';
        }
    }
    if (verb == 'O') {
        tmp[--i] = 'o';
        tmp[--i] = '0';
    }
    if (neg)
        tmp[--i] = '-';
    else if (f->plus)
        tmp[--i] = '+';
    else if (f->space)
        tmp[--i] = ' ';
    struct fspec g = *f;
    g.zero = 0;
    fpad(out, &g, tmp + i, sizeof(tmp) - (size_t)i);
}

static void fmt_float(struct buf *out, struct fspec *f, double d, char verb, int prec)
{
    struct buf num = BUF_INIT;
    buf_putc(&num, '+');
    tval_fmt_float(d, verb, prec, &num);
    const char *s = num.ptr;
    size_t n = num.len;
    if (s[1] == '-' || s[1] == '+') {
        s++;
        n--;
    }
    char *w = (char *)s;
    if (f->space && w[0] == '+' && !f->plus)
        w[0] = ' ';
    if (s[1] == 'I' || s[1] == 'N') {
        struct fspec g = *f;
        g.zero = 0;
        if (s[1] == 'N' && !f->space && !f->plus) {
            s++;
            n--;
        }
        fpad(out, &g, s, n);
    } else if (f->plus || s[0] != '+') {
        if (f->zero && f->wid > (int)n) {
            buf_putc(out, s[0]);
            pad_n(out, f->wid - (int)n, '0');
            buf_add(out, s + 1, n - 1);
        } else {
            fpad(out, f, s, n);
        }
    } else {
        fpad(out, f, s + 1, n - 1);
    }
    buf_release(&num);
}

/* strconv.Quote: Go escapes for non-printable bytes, \u/\U for non-ASCII
 * non-printable runes; printable UTF-8 is kept. */
static void go_quote(struct buf *out, const char *s, size_t n, char q)
{
    buf_putc(out, q);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)q || c == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)c);
        } else if (c >= 0x80) {
            /* valid UTF-8 sequences pass; invalid bytes become \xNN */
            int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
            int ok = len > 0 && i + (size_t)len <= n && c < 0xF5 && c >= 0xC2;
            for (int k = 1; ok && k < len; k++)
                ok = ((unsigned char)s[i + (size_t)k] & 0xC0) == 0x80;
            if (ok) {
                buf_add(out, s + i, (size_t)len);
                i += (size_t)len - 1;
            } else {
                buf_addf(out, "\\x%02x", c);
            }
        } else if (c >= 0x20 && c < 0x7F) {
            buf_putc(out, (char)c);
        } else {
            switch (c) {
            case '\a': buf_puts(out, "\\a"); break;
            case '\b': buf_puts(out, "\\b"); break;
            case '\f': buf_puts(out, "\\f"); break;
            case '\n': buf_puts(out, "\\n"); break;
            case '\r': buf_puts(out, "\\r"); break;
            case '\t': buf_puts(out, "\\t"); break;
            case '\v': buf_puts(out, "\\v"); break;
            default: buf_addf(out, "\\x%02x", c);
            }
        }
    }
    buf_putc(out, q);
}

static void bad_verb_text(struct buf *out, const char *verb, size_t vlen, const tval *a);

static void bad_verb(struct buf *out, char verb, const tval *v)
{
    bad_verb_text(out, &verb, 1, v);
}

/* Bytes of s cut to prec runes (prec < 0: all). */
static size_t trunc_runes(const char *s, size_t n, int prec)
{
    if (prec < 0)
        return n;
    size_t i = 0;
    for (int r = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (r == prec)
                break;
            r++;
        }
    }
    return i;
}

static void fmt_string(struct buf *out, struct fspec *f, const char *s, size_t n, char verb)
{
    struct buf t = BUF_INIT;
    if (verb == 'v' || verb == 's') {
        fpad(out, f, s, trunc_runes(s, n, f->prec));
        return;
    }
    if (verb == 'q') {
        go_quote(&t, s, trunc_runes(s, n, f->prec), '"');
    } else {
        size_t m = f->prec >= 0 && (size_t)f->prec < n ? (size_t)f->prec : n;
        const char *digs = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        for (size_t i = 0; i < m; i++) {
            if (f->space && i > 0)
                buf_putc(&t, ' ');
            if (f->sharp && (f->space || i == 0)) {
                buf_putc(&t, '0');
                buf_putc(&t, verb);
            }
            buf_putc(&t, digs[(unsigned char)s[i] >> 4]);
            buf_putc(&t, digs[(unsigned char)s[i] & 15]);
        }
    }
    fpad(out, f, t.ptr, t.len);
    buf_release(&t);
}

static void fmt_int_verb(struct buf *out, struct fspec *f, const tval *v, char verb)
{
    int64_t i = v->u.i;
    struct buf t = BUF_INIT;
    switch (verb) {
    case 'v': case 'd': fmt_integer(out, f, i, 10, verb); break;
    case 'b': fmt_integer(out, f, i, 2, verb); break;
    case 'o': case 'O': fmt_integer(out, f, i, 8, verb); break;
    case 'x': case 'X': fmt_integer(out, f, i, 16, verb); break;
    case 'c':
        tval_utf8_put(&t, (uint32_t)i);
        fpad(out, f, t.ptr, t.len);
        break;
    case 'q': {
        struct buf r = BUF_INIT;
        tval_utf8_put(&r, (uint32_t)i);
        go_quote(&t, r.ptr, r.len, '\'');
        buf_release(&r);
        fpad(out, f, t.ptr, t.len);
        break;
    }
    case 'U':
        buf_addf(&t, "U+%04llX", (unsigned long long)i);
        fpad(out, f, t.ptr, t.len);
        break;
    default: bad_verb(out, verb, v);
    }
    buf_release(&t);
}

static void fmt_arg(struct buf *out, struct fspec *f, const tval *v, char verb);

/* Lists and maps: Go formats each element (and map key) with the verb. */
static void fmt_container(struct buf *out, struct fspec *f, const tval *v, char verb)
{
    int map = v->kind == TV_MAP;
    size_t n = map ? v->u.m.len : v->u.l.len;
    buf_puts(out, map ? "map[" : "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ' ');
        if (map) {
            fmt_string(out, f, v->u.m.ents[i].key, v->u.m.ents[i].klen, verb);
            buf_putc(out, ':');
        }
        fmt_arg(out, f, map ? v->u.m.ents[i].v : v->u.l.items[i], verb);
    }
    buf_putc(out, ']');
}

static void fmt_arg(struct buf *out, struct fspec *f, const tval *v, char verb)
{
    switch (v->kind) {
    case TV_NIL:
        if (verb == 'v')
            fpad(out, f, "<nil>", 5);
        else
            bad_verb(out, verb, v);
        break;
    case TV_BOOL:
        if (verb == 'v' || verb == 't')
            fpad(out, f, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
        else
            bad_verb(out, verb, v);
        break;
    case TV_INT: fmt_int_verb(out, f, v, verb); break;
    case TV_FLOAT:
        if (verb == 'v')
            fmt_float(out, f, v->u.f, 'g', f->prec);
        else if (strchr("gGeEfF", verb))
            fmt_float(out, f, v->u.f, verb == 'F' ? 'f' : verb,
                      f->prec >= 0 ? f->prec : (verb == 'g' || verb == 'G') ? -1 : 6);
        else
            bad_verb(out, verb, v);
        break;
    case TV_STRING:
        if (strchr("vsqxX", verb))
            fmt_string(out, f, v->u.s.p, v->u.s.len, verb);
        else
            bad_verb(out, verb, v);
        break;
    case TV_LIST:
    case TV_MAP:
        fmt_container(out, f, v, verb);
        break;
    default: {
        struct buf t = BUF_INIT;
        tval_print(v, &t);
        fpad(out, f, t.ptr, t.len);
        buf_release(&t);
    }
    }
}

/* Parse a decimal number at fmt[*i]; -1 if none. */
/* Go's parsenum: -1 if none; on overflow (> 1e6 before a digit) the rest
 * of the format is consumed, which then reads as %!(NOVERB). */
static int parse_num(const char *fmt, size_t n, size_t *i)
{
    if (*i >= n || fmt[*i] < '0' || fmt[*i] > '9')
        return -1;
    int v = 0;
    while (*i < n && fmt[*i] >= '0' && fmt[*i] <= '9') {
        if (v > 1000000) {
            *i = n;
            return -1;
        }
        v = v * 10 + (fmt[*i] - '0');
        (*i)++;
    }
    return v;
}

/* A '*' width or precision: the next argument, which must be an int. */
static int star_arg(struct buf *out, int argc, tval *const *argv, int *argn, int *val,
                    const char *bad)
{
    if (*argn >= argc || argv[*argn]->kind != TV_INT) {
        buf_puts(out, bad);
        if (*argn < argc)
            (*argn)++;
        return -1;
    }
    int64_t x = argv[(*argn)++]->u.i;
    if (x > 1000000 || x < -1000000) {
        buf_puts(out, bad);
        return -1;
    }
    *val = (int)x;
    return 0;
}

static void parse_flags(const char *fmt, size_t n, size_t *i, struct fspec *f)
{
    for (; *i < n; (*i)++) {
        switch (fmt[*i]) {
        case '-': f->minus = 1; f->zero = 0; break;
        case '+': f->plus = 1; break;
        case ' ': f->space = 1; break;
        case '0': f->zero = !f->minus; break;
        case '#': f->sharp = 1; break;
        default: return;
        }
    }
}

/* Width and precision after the flags, each a number or '*'. */
static void parse_width_prec(struct buf *out, const char *fmt, size_t n, size_t *i,
                             struct fspec *f, int argc, tval *const *argv, int *argn)
{
    if (*i < n && fmt[*i] == '*') {
        (*i)++;
        if (star_arg(out, argc, argv, argn, &f->wid, "%!(BADWIDTH)") == 0 && f->wid < 0) {
            f->minus = 1;
            f->zero = 0;
            f->wid = -f->wid;
        }
    } else {
        f->wid = parse_num(fmt, n, i);
    }
    if (*i < n && fmt[*i] == '.') {
        (*i)++;
        if (*i < n && fmt[*i] == '*') {
            (*i)++;
            if (star_arg(out, argc, argv, argn, &f->prec, "%!(BADPREC)") == 0 && f->prec < 0) {
                f->prec = -1;
                buf_puts(out, "%!(BADPREC)");
            }
        } else {
            f->prec = parse_num(fmt, n, i);
            if (f->prec < 0)
                f->prec = 0;
        }
    }
}

/* "%!v(int=1)"-style text for a verb that does not apply (or is unknown). */
static void bad_verb_text(struct buf *out, const char *verb, size_t vlen, const tval *a)
{
    buf_puts(out, "%!");
    buf_add(out, verb, vlen);
    buf_putc(out, '(');
    if (a->kind == TV_NIL) {
        buf_puts(out, "<nil>");
    } else {
        buf_puts(out, tval_type_name(a));
        buf_putc(out, '=');
        tval_print(a, out);
    }
    buf_putc(out, ')');
}

static void extra_args(struct buf *out, int argn, int argc, tval *const *argv)
{
    buf_puts(out, "%!(EXTRA ");
    for (int k = argn; k < argc; k++) {
        if (k > argn)
            buf_puts(out, ", ");
        if (argv[k]->kind == TV_NIL) {
            buf_puts(out, "<nil>");
        } else {
            buf_puts(out, tval_type_name(argv[k]));
            buf_putc(out, '=');
            tval_print(argv[k], out);
        }
    }
    buf_putc(out, ')');
}

/* One directive after its '%': returns 0, or -1 when the format ended. */
static int directive(struct buf *out, const char *fmt, size_t n, size_t *i, int argc,
                     tval *const *argv, int *argn)
{
    struct fspec f = {0, 0, 0, 0, 0, -1, -1};
    parse_flags(fmt, n, i, &f);
    parse_width_prec(out, fmt, n, i, &f, argc, argv, argn);
    if (*i >= n) {
        buf_puts(out, "%!(NOVERB)");
        return -1;
    }
    /* the verb is one UTF-8 rune; only ASCII verbs are meaningful */
    const char *verb = fmt + *i;
    size_t vlen = 1;
    if ((unsigned char)verb[0] >= 0x80)
        while (*i + vlen < n && ((unsigned char)fmt[*i + vlen] & 0xC0) == 0x80)
            vlen++;
    *i += vlen;
    if (verb[0] == '%') {
        buf_putc(out, '%');
        return 0;
    }
    if (*argn >= argc) {
        buf_puts(out, "%!");
        buf_add(out, verb, vlen);
        buf_puts(out, "(MISSING)");
        return 0;
    }
    const tval *a = argv[(*argn)++];
    if (verb[0] == 'T')
        fpad(out, &f, tval_type_name(a), strlen(tval_type_name(a)));
    else if (vlen > 1 || !verb[0] || !strchr("vsdqxXfFeEgGtcoObU", verb[0]))
        bad_verb_text(out, verb, vlen, a);
    else
        fmt_arg(out, &f, a, verb[0]);
    return 0;
}

void tval_sprintf(struct buf *out, const char *fmt, size_t n, int argc, tval *const *argv)
{
    int argn = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && fmt[i] != '%')
            i++;
        buf_add(out, fmt + start, i - start);
        if (i >= n)
            break;
        i++;
        if (directive(out, fmt, n, &i, argc, argv, &argn) < 0)
            break;
    }
    if (argn < argc)
        extra_args(out, argn, argc, argv);
}
