/* sprig.c -- Sprig v3 functions over tval.
 * Each function checks its arguments the way Go's text/template checks a Go
 * function's typed parameters, then does what the Sprig source does.  Lists
 * and dicts are shared by reference, so set/unset/merge mutate in place as in
 * Go; list functions that Sprig implements by copying return new lists.
 */
#include "helm/sprig.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/semver.h"

#define FN(name) static int name(tmpl_call *c, int argc, tval *const *argv, tval **out)
#define UNUSED_ARGC (void)argc

/* ==== argument checks ======================================================== */

int sprig_want_str(tmpl_call *c, const tval *v, const char **s, size_t *n)
{
    if (tval_kind(v) == TV_STRING) {
        *s = tval_get_str(v);
        if (n)
            *n = tval_strlen(v);
        return 0;
    }
    if (tval_kind(v) == TV_NIL)
        return tmpl_call_errorf(c, "invalid value; expected string");
    return tmpl_call_errorf(c, "wrong type for value; expected string; got %s",
                            tval_type_name(v));
}

/* A Go `int` parameter: only an int (not int64, not float64) is accepted. */
static int want_int(tmpl_call *c, const tval *v, int64_t *i)
{
    if (tval_kind(v) == TV_INT && !tval_is_int64(v)) {
        *i = tval_get_int(v);
        return 0;
    }
    if (tval_kind(v) == TV_NIL)
        return tmpl_call_errorf(c, "invalid value; expected int");
    return tmpl_call_errorf(c, "wrong type for value; expected int; got %s", tval_type_name(v));
}

/* A map[string]interface{} parameter: nil is an empty (nil) map. */
static int want_map(tmpl_call *c, const tval *v)
{
    if (tval_kind(v) == TV_MAP || tval_kind(v) == TV_NIL)
        return 0;
    return tmpl_call_errorf(c, "wrong type for value; expected map[string]interface {}; got %s",
                            tval_type_name(v));
}

static int want_list(tmpl_call *c, const tval *v, const char *what)
{
    if (tval_kind(v) == TV_LIST)
        return 0;
    return tmpl_call_errorf(c, "Cannot %s on type %s", what,
                            tval_kind(v) == TV_NIL ? "<nil>" : tval_type_name(v));
}

/* Sprig's strval: strings as is, everything else through fmt's %v. */
static void strval(const tval *v, struct buf *b)
{
    if (tval_kind(v) == TV_STRING)
        buf_add(b, tval_get_str(v), tval_strlen(v));
    else
        tval_print(v, b);
}

tval *sprig_str_from_buf(struct buf *b)
{
    size_t n;
    char *s = buf_detach(b, &n);
    return tval_str_take(s, n);
}

/* ==== numbers (spf13/cast semantics) ============================================ */

/* strconv.ParseInt(trimZeroDecimal(s), 0, 64); 0 on error. */
static int64_t parse_int_loose(const char *s, int *ok)
{
    char *t = xstrdup(s);
    char *dot = strchr(t, '.');
    if (dot) {
        char *p = dot + 1;
        while (*p == '0')
            p++;
        if (!*p && dot != t)
            *dot = 0;
    }
    char *end;
    errno = 0;
    const char *q = t;
    int neg = 0;
    if (*q == '+' || *q == '-')
        neg = *q++ == '-';
    int base = 10;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        base = 16, q += 2;
    else if (q[0] == '0' && (q[1] == 'o' || q[1] == 'O'))
        base = 8, q += 2;
    else if (q[0] == '0' && (q[1] == 'b' || q[1] == 'B'))
        base = 2, q += 2;
    else if (q[0] == '0' && q[1])
        base = 8, q += 1;
    long long v = *q ? strtoll(q, &end, base) : 0;
    *ok = *q && !*end && errno == 0 && isalnum((unsigned char)*q);
    free(t);
    return *ok ? (neg ? -v : v) : 0;
}

static int64_t to_int64(const tval *v)
{
    int ok;
    switch (tval_kind(v)) {
    case TV_INT:
        return tval_get_int(v);
    case TV_FLOAT: {
        double d = tval_get_float(v);
        if (isnan(d) || d >= 9.3e18 || d <= -9.3e18)
            return INT64_MIN;
        return (int64_t)d;
    }
    case TV_BOOL:
        return tval_get_bool(v);
    case TV_STRING:
        return parse_int_loose(tval_get_str(v), &ok);
    default:
        return 0;
    }
}

static double to_float64(const tval *v)
{
    switch (tval_kind(v)) {
    case TV_INT:
        return (double)tval_get_int(v);
    case TV_FLOAT:
        return tval_get_float(v);
    case TV_BOOL:
        return tval_get_bool(v);
    case TV_STRING: {
        char *end;
        const char *s = tval_get_str(v);
        double d = strtod(s, &end);
        return (*s && !*end && !isspace((unsigned char)*s)) ? d : 0;
    }
    default:
        return 0;
    }
}

int sprig_empty(const tval *v)
{
    switch (tval_kind(v)) {
    case TV_NIL:
        return 1;
    case TV_BOOL:
        return !tval_get_bool(v);
    case TV_INT:
        return tval_get_int(v) == 0;
    case TV_FLOAT:
        return tval_get_float(v) == 0;
    case TV_STRING:
        return tval_strlen(v) == 0;
    case TV_LIST:
        return tval_list_len(v) == 0;
    case TV_MAP:
        return tval_map_len(v) == 0;
    default:
        return 0;
    }
}

/* ==== strings ==================================================================== */

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* A function of one string parameter whose result is built in a buffer. */
typedef void (*str_map_fn)(const char *s, size_t n, struct buf *out);

static int str_map(tmpl_call *c, const tval *v, str_map_fn f, tval **out)
{
    const char *s;
    size_t n;
    if (sprig_want_str(c, v, &s, &n) < 0)
        return -1;
    struct buf b = BUF_INIT;
    f(s, n, &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

static void map_trim(const char *s, size_t n, struct buf *out)
{
    size_t a = 0;
    while (a < n && is_space((unsigned char)s[a]))
        a++;
    while (n > a && is_space((unsigned char)s[n - 1]))
        n--;
    buf_add(out, s + a, n - a);
}

FN(fn_trim) { UNUSED_ARGC; return str_map(c, argv[0], map_trim, out); }

/* trimAll CUTSET S */
FN(fn_trim_all)
{
    UNUSED_ARGC;
    const char *set, *s;
    size_t sn, n;
    if (sprig_want_str(c, argv[0], &set, &sn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    size_t a = 0;
    while (a < n && memchr(set, s[a], sn))
        a++;
    while (n > a && memchr(set, s[n - 1], sn))
        n--;
    *out = tval_strn(s + a, n - a);
    return 0;
}

static int affix(tmpl_call *c, tval *const *argv, tval **out, int suffix)
{
    const char *fix, *s;
    size_t fn, n;
    if (sprig_want_str(c, argv[0], &fix, &fn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    if (fn <= n && !memcmp(suffix ? s + n - fn : s, fix, fn))
        *out = suffix ? tval_strn(s, n - fn) : tval_strn(s + fn, n - fn);
    else
        *out = tval_ref(argv[1]);
    return 0;
}

FN(fn_trim_prefix) { UNUSED_ARGC; return affix(c, argv, out, 0); }
FN(fn_trim_suffix) { UNUSED_ARGC; return affix(c, argv, out, 1); }

static int has_affix(tmpl_call *c, tval *const *argv, tval **out, int suffix)
{
    const char *fix, *s;
    size_t fn, n;
    if (sprig_want_str(c, argv[0], &fix, &fn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    *out = tval_bool(fn <= n && !memcmp(suffix ? s + n - fn : s, fix, fn));
    return 0;
}

FN(fn_has_prefix) { UNUSED_ARGC; return has_affix(c, argv, out, 0); }
FN(fn_has_suffix) { UNUSED_ARGC; return has_affix(c, argv, out, 1); }

static void map_upper(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(out, (char)toupper((unsigned char)s[i]));
}

static void map_lower(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(out, (char)tolower((unsigned char)s[i]));
}

/* strings.Title: upper-case the first letter of each word; a separator is
 * anything but an ASCII letter, digit or underscore (non-ASCII is a letter). */
static void map_title(const char *s, size_t n, struct buf *out)
{
    int prev_sep = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf_putc(out, (char)(prev_sep ? toupper(ch) : ch));
        prev_sep = !(isalnum(ch) || ch == '_' || ch >= 0x80);
    }
}

FN(fn_upper) { UNUSED_ARGC; return str_map(c, argv[0], map_upper, out); }
FN(fn_lower) { UNUSED_ARGC; return str_map(c, argv[0], map_lower, out); }
FN(fn_title) { UNUSED_ARGC; return str_map(c, argv[0], map_title, out); }

FN(fn_trunc)
{
    UNUSED_ARGC;
    int64_t k;
    const char *s;
    size_t n;
    if (want_int(c, argv[0], &k) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    if (k < 0 && (int64_t)n + k > 0)
        *out = tval_strn(s + n + k, (size_t)-k);
    else if (k >= 0 && (int64_t)n > k)
        *out = tval_strn(s, (size_t)k);
    else
        *out = tval_ref(argv[1]);
    return 0;
}

static void replace_all(const char *s, size_t n, const char *old, size_t on, const char *new,
                        size_t nn, struct buf *b)
{
    if (on == 0) { /* Go inserts new around every rune */
        buf_add(b, new, nn);
        for (size_t i = 0; i < n; i++) {
            buf_putc(b, s[i]);
            if (i + 1 == n || ((unsigned char)s[i + 1] & 0xC0) != 0x80)
                buf_add(b, new, nn);
        }
        return;
    }
    size_t i = 0;
    while (i < n) {
        if (i + on <= n && !memcmp(s + i, old, on)) {
            buf_add(b, new, nn);
            i += on;
        } else {
            buf_putc(b, s[i++]);
        }
    }
}

FN(fn_replace)
{
    UNUSED_ARGC;
    const char *o, *nw, *s;
    size_t on, nn, n;
    if (sprig_want_str(c, argv[0], &o, &on) < 0 || sprig_want_str(c, argv[1], &nw, &nn) < 0 ||
        sprig_want_str(c, argv[2], &s, &n) < 0)
        return -1;
    struct buf b = BUF_INIT;
    replace_all(s, n, o, on, nw, nn, &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_contains)
{
    UNUSED_ARGC;
    const char *sub, *s;
    size_t sn, n;
    if (sprig_want_str(c, argv[0], &sub, &sn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    *out = tval_bool(sn == 0 || memmem(s, n, sub, sn) != NULL);
    return 0;
}

static int quote_any(int argc, tval *const *argv, tval **out, int single)
{
    struct buf b = BUF_INIT, tmp = BUF_INIT;
    int first = 1;
    for (int i = 0; i < argc; i++) {
        if (tval_kind(argv[i]) == TV_NIL)
            continue;
        if (!first)
            buf_putc(&b, ' ');
        first = 0;
        buf_reset(&tmp);
        strval(argv[i], &tmp);
        if (single) {
            buf_addf(&b, "'%s'", tmp.ptr);
        } else {
            tval *sv = tval_strn(tmp.ptr, tmp.len);
            tval_sprintf(&b, "%q", 2, 1, &sv);
            tval_unref(sv);
        }
    }
    buf_release(&tmp);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_quote) { (void)c; return quote_any(argc, argv, out, 0); }
FN(fn_squote) { (void)c; return quote_any(argc, argv, out, 1); }

static int do_indent(tmpl_call *c, tval *const *argv, tval **out, int newline)
{
    int64_t k;
    const char *s;
    size_t n;
    if (want_int(c, argv[0], &k) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    if (k < 0)
        k = 0;
    if (k > 1000000)
        return tmpl_call_errorf(c, "indent too large");
    char *pad = xmalloc((size_t)k + 2);
    pad[0] = '\n';
    memset(pad + 1, ' ', (size_t)k);
    pad[k + 1] = 0;
    struct buf b = BUF_INIT;
    if (newline)
        buf_putc(&b, '\n');
    buf_add(&b, pad + 1, (size_t)k);
    replace_all(s, n, "\n", 1, pad, (size_t)k + 1, &b);
    free(pad);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_indent) { UNUSED_ARGC; return do_indent(c, argv, out, 0); }
FN(fn_nindent) { UNUSED_ARGC; return do_indent(c, argv, out, 1); }

static void map_nospace(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space((unsigned char)s[i]))
            buf_putc(out, s[i]);
}

FN(fn_nospace) { UNUSED_ARGC; return str_map(c, argv[0], map_nospace, out); }

FN(fn_repeat)
{
    UNUSED_ARGC;
    int64_t k;
    const char *s;
    size_t n;
    if (want_int(c, argv[0], &k) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    if (k < 0)
        return tmpl_call_errorf(c, "strings: negative Repeat count");
    if (n && (uint64_t)k > (64u << 20) / n)
        return tmpl_call_errorf(c, "strings: Repeat output length overflow");
    struct buf b = BUF_INIT;
    for (int64_t i = 0; i < k; i++)
        buf_add(&b, s, n);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_substr)
{
    UNUSED_ARGC;
    int64_t a, e;
    const char *s;
    size_t n;
    if (want_int(c, argv[0], &a) < 0 || want_int(c, argv[1], &e) < 0 ||
        sprig_want_str(c, argv[2], &s, &n) < 0)
        return -1;
    if (a < 0) {
        a = 0;
    } else if (e < 0 || e > (int64_t)n) {
        e = (int64_t)n;
    }
    if (a > (int64_t)n || e < a || e > (int64_t)n)
        return tmpl_call_errorf(c, "runtime error: slice bounds out of range [%lld:%lld]",
                                (long long)a, (long long)e);
    *out = tval_strn(s + a, (size_t)(e - a));
    return 0;
}

/* strings.Split(s, sep) into a list of strings (limit < 0: all). */
static tval *split_list(const char *s, size_t n, const char *sep, size_t sn, int64_t limit)
{
    tval *l = tval_list();
    if (limit == 0)
        return l;
    if (sn == 0) {
        for (size_t i = 0; i < n;) {
            size_t w = 1;
            while (i + w < n && ((unsigned char)s[i + w] & 0xC0) == 0x80)
                w++;
            if (limit > 0 && (int64_t)tval_list_len(l) == limit - 1)
                w = n - i;
            tval_list_append(l, tval_strn(s + i, w));
            i += w;
        }
        return l;
    }
    size_t start = 0;
    for (size_t i = 0; i + sn <= n;) {
        if (limit > 0 && (int64_t)tval_list_len(l) == limit - 1)
            break;
        if (!memcmp(s + i, sep, sn)) {
            tval_list_append(l, tval_strn(s + start, i - start));
            i += sn;
            start = i;
        } else {
            i++;
        }
    }
    tval_list_append(l, tval_strn(s + start, n - start));
    return l;
}

FN(fn_split_list)
{
    UNUSED_ARGC;
    const char *sep, *s;
    size_t sn, n;
    if (sprig_want_str(c, argv[0], &sep, &sn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    *out = split_list(s, n, sep, sn, -1);
    return 0;
}

static tval *list_to_underscore_map(tval *l)
{
    tval *m = tval_map();
    char key[32];
    for (size_t i = 0; i < tval_list_len(l); i++) {
        snprintf(key, sizeof key, "_%zu", i);
        tval_map_set(m, key, tval_ref(tval_list_at(l, i)));
    }
    tval_unref(l);
    return m;
}

FN(fn_split)
{
    UNUSED_ARGC;
    const char *sep, *s;
    size_t sn, n;
    if (sprig_want_str(c, argv[0], &sep, &sn) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0)
        return -1;
    *out = list_to_underscore_map(split_list(s, n, sep, sn, -1));
    return 0;
}

FN(fn_splitn)
{
    UNUSED_ARGC;
    const char *sep, *s;
    size_t sn, n;
    int64_t k;
    if (sprig_want_str(c, argv[0], &sep, &sn) < 0 || want_int(c, argv[1], &k) < 0 ||
        sprig_want_str(c, argv[2], &s, &n) < 0)
        return -1;
    *out = list_to_underscore_map(split_list(s, n, sep, sn, k));
    return 0;
}

/* Sprig's strslice: a list's non-nil elements as strings; a scalar as one. */
static tval *strslice(const tval *v)
{
    tval *l = tval_list();
    struct buf b = BUF_INIT;
    if (tval_kind(v) == TV_LIST) {
        for (size_t i = 0; i < tval_list_len(v); i++) {
            const tval *e = tval_list_at(v, i);
            if (tval_kind(e) == TV_NIL)
                continue;
            buf_reset(&b);
            strval(e, &b);
            tval_list_append(l, tval_strn(b.ptr, b.len));
        }
    } else if (tval_kind(v) != TV_NIL) {
        strval(v, &b);
        tval_list_append(l, tval_strn(b.ptr, b.len));
    }
    buf_release(&b);
    return l;
}

FN(fn_join)
{
    UNUSED_ARGC;
    const char *sep;
    size_t sn;
    if (sprig_want_str(c, argv[0], &sep, &sn) < 0)
        return -1;
    tval *l = strslice(argv[1]);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < tval_list_len(l); i++) {
        if (i)
            buf_add(&b, sep, sn);
        buf_add(&b, tval_get_str(tval_list_at(l, i)), tval_strlen(tval_list_at(l, i)));
    }
    tval_unref(l);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_to_strings) { (void)c; UNUSED_ARGC; *out = strslice(argv[0]); return 0; }

FN(fn_cat)
{
    (void)c;
    struct buf b = BUF_INIT;
    int first = 1;
    for (int i = 0; i < argc; i++) {
        if (tval_kind(argv[i]) == TV_NIL)
            continue;
        if (!first)
            buf_putc(&b, ' ');
        first = 0;
        tval_print(argv[i], &b);
    }
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_to_string)
{
    (void)c;
    UNUSED_ARGC;
    struct buf b = BUF_INIT;
    strval(argv[0], &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

/* ==== encodings ================================================================== */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sprig_b64enc(const void *data, size_t len, struct buf *out)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        buf_putc(out, b64chars[(v >> 18) & 63]);
        buf_putc(out, b64chars[(v >> 12) & 63]);
        buf_putc(out, i + 1 < len ? b64chars[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < len ? b64chars[v & 63] : '=');
    }
}

/* Go's base64.StdEncoding.DecodeString (strict padding; \r and \n ignored).
 * Returns -1 - offset of the first bad byte on error. */
static long b64dec(const char *s, size_t n, struct buf *out)
{
    unsigned v = 0;
    int bits = 0, pad = 0;
    size_t q = 0; /* chars in the current quantum */
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == '=') {
            if (q < 2)
                return -1 - (long)i;
            pad++;
            q++;
            if (q == 4)
                q = 0;
            continue;
        }
        const char *p = strchr(b64chars, ch);
        if (!p || !ch || pad)
            return -1 - (long)i;
        v = (v << 6) | (unsigned)(p - b64chars);
        bits += 6;
        q = (q + 1) % 4;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (char)((v >> bits) & 0xFF));
        }
    }
    if (q != 0)
        return -1 - (long)n;
    return 0;
}

static void map_b64enc(const char *s, size_t n, struct buf *out) { sprig_b64enc(s, n, out); }

FN(fn_b64enc) { UNUSED_ARGC; return str_map(c, argv[0], map_b64enc, out); }

/* Sprig returns the decoding error as the result. */
static void map_b64dec(const char *s, size_t n, struct buf *out)
{
    long r = b64dec(s, n, out);
    if (r < 0) {
        buf_reset(out);
        buf_addf(out, "illegal base64 data at input byte %ld", -1 - r);
    }
}

FN(fn_b64dec) { UNUSED_ARGC; return str_map(c, argv[0], map_b64dec, out); }

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, h, sizeof a);
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = ROR(a[4], 6) ^ ROR(a[4], 11) ^ ROR(a[4], 25);
        uint32_t ch = (a[4] & a[5]) ^ (~a[4] & a[6]);
        uint32_t t1 = a[7] + s1 + ch + sha_k[i] + w[i];
        uint32_t s0 = ROR(a[0], 2) ^ ROR(a[0], 13) ^ ROR(a[0], 22);
        uint32_t mj = (a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]);
        memmove(a + 1, a, 7 * sizeof a[0]);
        a[4] += t1;
        a[0] = t1 + s0 + mj;
    }
    for (int i = 0; i < 8; i++)
        h[i] += a[i];
}

void sprig_sha256_hex(const void *data, size_t len, char out[65])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        sha_block(h, p + i);
    unsigned char tail[128] = {0};
    size_t rest = len - i;
    memcpy(tail, p + i, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++)
        tail[tl - 1 - k] = (unsigned char)(bits >> (8 * k));
    for (size_t k = 0; k < tl; k += 64)
        sha_block(h, tail + k);
    for (int k = 0; k < 8; k++)
        snprintf(out + 8 * k, 9, "%08x", h[k]);
}

static void map_sha256(const char *s, size_t n, struct buf *out)
{
    char hex[65];
    sprig_sha256_hex(s, n, hex);
    buf_add(out, hex, 64);
}

FN(fn_sha256sum) { UNUSED_ARGC; return str_map(c, argv[0], map_sha256, out); }

/* ==== regular expressions ============================================================ */

/* Translate the RE2 syntax charts use into POSIX ERE. */
static int re_compile(tmpl_call *c, const char *re, regex_t *rx)
{
    struct buf b = BUF_INIT;
    int flags = REG_EXTENDED, in_class = 0;
    if (!strncmp(re, "(?i)", 4)) {
        flags |= REG_ICASE;
        re += 4;
    }
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            const char *rep = NULL;
            switch (p[1]) {
            case 'd': rep = in_class ? "0-9" : "[0-9]"; break;
            case 'D': rep = "[^0-9]"; break;
            case 's': rep = in_class ? " \t\r\n\f\v" : "[ \t\r\n\f\v]"; break;
            case 'S': rep = "[^ \t\r\n\f\v]"; break;
            case 'w': rep = in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]"; break;
            case 'W': rep = "[^A-Za-z0-9_]"; break;
            default: break;
            }
            if (rep) {
                buf_puts(&b, rep);
            } else {
                buf_putc(&b, '\\');
                buf_putc(&b, p[1]);
            }
            p++;
            continue;
        }
        if (*p == '[' && !in_class) {
            in_class = 1;
            buf_putc(&b, *p);
            if (p[1] == '^')
                buf_putc(&b, *++p);
            if (p[1] == ']')
                buf_putc(&b, *++p);
            continue;
        }
        if (*p == ']' && in_class)
            in_class = 0;
        buf_putc(&b, *p);
    }
    int rc = regcomp(rx, b.ptr, flags);
    buf_release(&b);
    if (rc != 0) {
        char msg[128];
        regerror(rc, rx, msg, sizeof msg);
        regfree(rx);
        return tmpl_call_errorf(c, "error parsing regexp: %s: `%s`", msg, re);
    }
    return 0;
}

/* Next match at or after pos; 0 when none.  m[0] absolute offsets. */
static int re_next(regex_t *rx, const char *s, size_t n, size_t pos, regmatch_t *m, size_t nm)
{
    if (pos > n)
        return 0;
    m[0].rm_so = (regoff_t)pos;
    m[0].rm_eo = (regoff_t)n;
    int flags = REG_STARTEND | (pos > 0 ? REG_NOTBOL : 0);
    if (regexec(rx, s, nm, m, flags) != 0)
        return 0;
    return 1;
}

static size_t rune_width(const char *s, size_t n, size_t pos)
{
    size_t w = 1;
    while (pos + w < n && ((unsigned char)s[pos + w] & 0xC0) == 0x80)
        w++;
    return w;
}

FN(fn_regex_match)
{
    UNUSED_ARGC;
    const char *re, *s;
    size_t n;
    regex_t rx;
    regmatch_t m[1];
    if (sprig_want_str(c, argv[0], &re, NULL) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0 ||
        re_compile(c, re, &rx) < 0)
        return -1;
    *out = tval_bool(re_next(&rx, s, n, 0, m, 1));
    regfree(&rx);
    return 0;
}

/* All matches as [start,end) pairs, Go's allMatches rules; up to limit. */
static size_t re_all(regex_t *rx, const char *s, size_t n, long limit, regmatch_t *ms,
                     size_t cap, size_t nm)
{
    size_t count = 0, pos = 0;
    long prev_end = -1;
    regmatch_t m[10];
    while ((limit < 0 || (long)count < limit) && count < cap && re_next(rx, s, n, pos, m, nm)) {
        int accept = 1;
        if ((size_t)m[0].rm_eo == pos) {
            if (m[0].rm_so == prev_end)
                accept = 0;
            pos += pos < n ? rune_width(s, n, pos) : 1;
        } else {
            pos = (size_t)m[0].rm_eo;
        }
        prev_end = m[0].rm_eo;
        if (accept)
            memcpy(&ms[count++ * nm], m, nm * sizeof m[0]);
    }
    return count;
}

FN(fn_regex_find_all)
{
    UNUSED_ARGC;
    const char *re, *s;
    size_t n;
    int64_t lim;
    regex_t rx;
    if (sprig_want_str(c, argv[0], &re, NULL) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0 ||
        want_int(c, argv[2], &lim) < 0 || re_compile(c, re, &rx) < 0)
        return -1;
    size_t cap = n + 1;
    regmatch_t *ms = xmalloc(cap * sizeof *ms);
    size_t k = re_all(&rx, s, n, lim < 0 ? -1 : (long)lim, ms, cap, 1);
    tval *l = tval_list();
    for (size_t i = 0; i < k; i++)
        tval_list_append(l, tval_strn(s + ms[i].rm_so, (size_t)(ms[i].rm_eo - ms[i].rm_so)));
    free(ms);
    regfree(&rx);
    *out = l;
    return 0;
}

FN(fn_regex_find)
{
    UNUSED_ARGC;
    const char *re, *s;
    size_t n;
    regex_t rx;
    regmatch_t m[1];
    if (sprig_want_str(c, argv[0], &re, NULL) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0 ||
        re_compile(c, re, &rx) < 0)
        return -1;
    if (re_next(&rx, s, n, 0, m, 1))
        *out = tval_strn(s + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
    else
        *out = tval_str("");
    regfree(&rx);
    return 0;
}

/* Go's Regexp.Expand: $1, ${1}, $name (named groups unsupported: empty). */
static void re_expand(const char *tpl, size_t tn, const char *s, const regmatch_t *m, size_t nm,
                      struct buf *b)
{
    for (size_t i = 0; i < tn; i++) {
        if (tpl[i] != '$' || i + 1 >= tn) {
            buf_putc(b, tpl[i]);
            continue;
        }
        if (tpl[i + 1] == '$') {
            buf_putc(b, '$');
            i++;
            continue;
        }
        size_t a = i + 1, e;
        int braced = tpl[a] == '{';
        if (braced)
            a++;
        e = a;
        while (e < tn && (isalnum((unsigned char)tpl[e]) || tpl[e] == '_'))
            e++;
        if (e == a || (braced && (e >= tn || tpl[e] != '}'))) {
            buf_putc(b, '$');
            continue;
        }
        int num = 1;
        for (size_t k = a; k < e; k++)
            num &= isdigit((unsigned char)tpl[k]) != 0;
        if (num) {
            size_t g = (size_t)strtoul(tpl + a, NULL, 10);
            if (g < nm && m[g].rm_so >= 0)
                buf_add(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        }
        i = braced ? e : e - 1;
    }
}

static int regex_replace(tmpl_call *c, tval *const *argv, tval **out, int literal)
{
    const char *re, *s, *rp;
    size_t n, rn;
    regex_t rx;
    if (sprig_want_str(c, argv[0], &re, NULL) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0 ||
        sprig_want_str(c, argv[2], &rp, &rn) < 0 || re_compile(c, re, &rx) < 0)
        return -1;
    struct buf b = BUF_INIT;
    size_t pos = 0, last = 0;
    regmatch_t m[10];
    while (pos <= n && re_next(&rx, s, n, pos, m, 10)) {
        buf_add(&b, s + last, (size_t)m[0].rm_so - last);
        if ((size_t)m[0].rm_eo > last || m[0].rm_so == 0) {
            if (literal)
                buf_add(&b, rp, rn);
            else
                re_expand(rp, rn, s, m, 10, &b);
        }
        last = (size_t)m[0].rm_eo;
        size_t w = pos < n ? rune_width(s, n, pos) : 1;
        if (pos + w > (size_t)m[0].rm_eo)
            pos += w;
        else
            pos = (size_t)m[0].rm_eo;
    }
    buf_add(&b, s + last, n - last);
    regfree(&rx);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_regex_replace_all) { UNUSED_ARGC; return regex_replace(c, argv, out, 0); }
FN(fn_regex_replace_lit) { UNUSED_ARGC; return regex_replace(c, argv, out, 1); }

FN(fn_regex_split)
{
    UNUSED_ARGC;
    const char *re, *s;
    size_t n;
    int64_t lim;
    regex_t rx;
    if (sprig_want_str(c, argv[0], &re, NULL) < 0 || sprig_want_str(c, argv[1], &s, &n) < 0 ||
        want_int(c, argv[2], &lim) < 0 || re_compile(c, re, &rx) < 0)
        return -1;
    tval *l = tval_list();
    if (lim != 0) {
        size_t cap = n + 1;
        regmatch_t *ms = xmalloc(cap * sizeof *ms);
        size_t k = re_all(&rx, s, n, -1, ms, cap, 1);
        size_t beg = 0;
        for (size_t i = 0; i < k; i++) {
            if (lim > 0 && (int64_t)tval_list_len(l) == lim - 1)
                break;
            if (ms[i].rm_eo == 0)
                continue;
            tval_list_append(l, tval_strn(s + beg, (size_t)ms[i].rm_so - beg));
            beg = (size_t)ms[i].rm_eo;
        }
        tval_list_append(l, tval_strn(s + beg, n - beg));
        free(ms);
    }
    regfree(&rx);
    *out = l;
    return 0;
}

/* ==== conversion ====================================================================== */

FN(fn_atoi)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    int ok = *s && !*end && !errno && !isspace((unsigned char)*s);
    *out = tval_int(ok ? v : 0);
    return 0;
}

FN(fn_int) { (void)c; UNUSED_ARGC; *out = tval_int(to_int64(argv[0])); return 0; }
FN(fn_int64) { (void)c; UNUSED_ARGC; *out = tval_int64(to_int64(argv[0])); return 0; }
FN(fn_float64) { (void)c; UNUSED_ARGC; *out = tval_float(to_float64(argv[0])); return 0; }

static const char *kind_of(const tval *v)
{
    switch (tval_kind(v)) {
    case TV_NIL: return "invalid";
    case TV_BOOL: return "bool";
    case TV_INT: return tval_is_int64(v) ? "int64" : "int";
    case TV_FLOAT: return "float64";
    case TV_STRING: return "string";
    case TV_LIST: return "slice";
    case TV_MAP: return "map";
    default: return "ptr";
    }
}

FN(fn_kind_of) { (void)c; UNUSED_ARGC; *out = tval_str(kind_of(argv[0])); return 0; }
FN(fn_type_of) { (void)c; UNUSED_ARGC; *out = tval_str(tval_type_name(argv[0])); return 0; }

FN(fn_kind_is)
{
    UNUSED_ARGC;
    const char *k;
    if (sprig_want_str(c, argv[0], &k, NULL) < 0)
        return -1;
    *out = tval_bool(!strcmp(k, kind_of(argv[1])));
    return 0;
}

FN(fn_type_is)
{
    UNUSED_ARGC;
    const char *k;
    if (sprig_want_str(c, argv[0], &k, NULL) < 0)
        return -1;
    *out = tval_bool(!strcmp(k, tval_type_name(argv[1])));
    return 0;
}

/* ==== defaults and flow ================================================================ */

FN(fn_default)
{
    (void)c;
    if (argc < 2 || sprig_empty(argv[1]))
        *out = tval_ref(argv[0]);
    else
        *out = tval_ref(argv[1]);
    return 0;
}

FN(fn_empty) { (void)c; UNUSED_ARGC; *out = tval_bool(sprig_empty(argv[0])); return 0; }

FN(fn_coalesce)
{
    (void)c;
    for (int i = 0; i < argc; i++) {
        if (!sprig_empty(argv[i])) {
            *out = tval_ref(argv[i]);
            return 0;
        }
    }
    *out = tval_nil();
    return 0;
}

FN(fn_all)
{
    (void)c;
    int r = 1;
    for (int i = 0; i < argc; i++)
        r &= !sprig_empty(argv[i]);
    *out = tval_bool(r);
    return 0;
}

FN(fn_any)
{
    (void)c;
    int r = 0;
    for (int i = 0; i < argc; i++)
        r |= !sprig_empty(argv[i]);
    *out = tval_bool(r);
    return 0;
}

FN(fn_ternary)
{
    UNUSED_ARGC;
    if (tval_kind(argv[2]) != TV_BOOL)
        return tmpl_call_errorf(c, "wrong type for value; expected bool; got %s",
                                tval_type_name(argv[2]));
    *out = tval_ref(tval_get_bool(argv[2]) ? argv[0] : argv[1]);
    return 0;
}

FN(fn_deep_equal)
{
    (void)c;
    UNUSED_ARGC;
    *out = tval_bool(tval_equal(argv[0], argv[1]));
    return 0;
}

/* ==== lists ============================================================================= */

FN(fn_list)
{
    (void)c;
    tval *l = tval_list();
    for (int i = 0; i < argc; i++)
        tval_list_append(l, tval_ref(argv[i]));
    *out = l;
    return 0;
}

static tval *list_slice(const tval *l, size_t a, size_t e)
{
    tval *r = tval_list();
    for (size_t i = a; i < e; i++)
        tval_list_append(r, tval_ref(tval_list_at(l, i)));
    return r;
}

/* first, last, rest, initial: an element or a copied part of a list; nil
 * for an empty list. */
enum lpart { LP_FIRST, LP_LAST, LP_REST, LP_INITIAL };

static int list_part(tmpl_call *c, const tval *l, enum lpart part, tval **out)
{
    static const char *const what[] = {"find first", "find last", "find rest", "find initial"};
    if (want_list(c, l, what[part]) < 0)
        return -1;
    size_t n = tval_list_len(l);
    if (n == 0)
        *out = tval_nil();
    else if (part == LP_FIRST || part == LP_LAST)
        *out = tval_ref(tval_list_at(l, part == LP_FIRST ? 0 : n - 1));
    else
        *out = part == LP_REST ? list_slice(l, 1, n) : list_slice(l, 0, n - 1);
    return 0;
}

FN(fn_first) { UNUSED_ARGC; return list_part(c, argv[0], LP_FIRST, out); }
FN(fn_last) { UNUSED_ARGC; return list_part(c, argv[0], LP_LAST, out); }
FN(fn_rest) { UNUSED_ARGC; return list_part(c, argv[0], LP_REST, out); }
FN(fn_initial) { UNUSED_ARGC; return list_part(c, argv[0], LP_INITIAL, out); }

FN(fn_append)
{
    UNUSED_ARGC;
    if (want_list(c, argv[0], "push") < 0)
        return -1;
    tval *l = list_slice(argv[0], 0, tval_list_len(argv[0]));
    tval_list_append(l, tval_ref(argv[1]));
    *out = l;
    return 0;
}

FN(fn_prepend)
{
    UNUSED_ARGC;
    if (want_list(c, argv[0], "prepend") < 0)
        return -1;
    tval *l = tval_list();
    tval_list_append(l, tval_ref(argv[1]));
    for (size_t i = 0; i < tval_list_len(argv[0]); i++)
        tval_list_append(l, tval_ref(tval_list_at(argv[0], i)));
    *out = l;
    return 0;
}

static int list_has(const tval *l, const tval *v)
{
    for (size_t i = 0; i < tval_list_len(l); i++)
        if (tval_equal(tval_list_at(l, i), v))
            return 1;
    return 0;
}

FN(fn_has)
{
    UNUSED_ARGC;
    if (tval_kind(argv[1]) == TV_NIL) {
        *out = tval_bool(0);
        return 0;
    }
    if (want_list(c, argv[1], "find has") < 0)
        return -1;
    *out = tval_bool(list_has(argv[1], argv[0]));
    return 0;
}

FN(fn_uniq)
{
    UNUSED_ARGC;
    if (want_list(c, argv[0], "find uniq") < 0)
        return -1;
    tval *l = tval_list();
    for (size_t i = 0; i < tval_list_len(argv[0]); i++)
        if (!list_has(l, tval_list_at(argv[0], i)))
            tval_list_append(l, tval_ref(tval_list_at(argv[0], i)));
    *out = l;
    return 0;
}

FN(fn_without)
{
    if (want_list(c, argv[0], "find without") < 0)
        return -1;
    tval *l = tval_list();
    for (size_t i = 0; i < tval_list_len(argv[0]); i++) {
        const tval *e = tval_list_at(argv[0], i);
        int drop = 0;
        for (int k = 1; k < argc; k++)
            drop |= tval_equal(e, argv[k]);
        if (!drop)
            tval_list_append(l, tval_ref(tval_list_at(argv[0], i)));
    }
    *out = l;
    return 0;
}

FN(fn_compact)
{
    UNUSED_ARGC;
    if (want_list(c, argv[0], "compact") < 0)
        return -1;
    tval *l = tval_list();
    for (size_t i = 0; i < tval_list_len(argv[0]); i++)
        if (!sprig_empty(tval_list_at(argv[0], i)))
            tval_list_append(l, tval_ref(tval_list_at(argv[0], i)));
    *out = l;
    return 0;
}

FN(fn_reverse)
{
    UNUSED_ARGC;
    if (want_list(c, argv[0], "find reverse") < 0)
        return -1;
    tval *l = tval_list();
    for (size_t i = tval_list_len(argv[0]); i > 0; i--)
        tval_list_append(l, tval_ref(tval_list_at(argv[0], i - 1)));
    *out = l;
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    const tval *x = *(tval *const *)a, *y = *(tval *const *)b;
    size_t xn = tval_strlen(x), yn = tval_strlen(y);
    int d = memcmp(tval_get_str(x), tval_get_str(y), xn < yn ? xn : yn);
    return d ? d : (xn > yn) - (xn < yn);
}

FN(fn_sort_alpha)
{
    (void)c;
    UNUSED_ARGC;
    tval *l;
    if (tval_kind(argv[0]) != TV_LIST) {
        l = tval_list();
        struct buf b = BUF_INIT;
        strval(argv[0], &b);
        tval_list_append(l, sprig_str_from_buf(&b));
        *out = l;
        return 0;
    }
    l = strslice(argv[0]);
    size_t n = tval_list_len(l);
    tval **items = xmalloc((n ? n : 1) * sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = tval_ref(tval_list_at(l, i));
    qsort(items, n, sizeof *items, str_cmp);
    for (size_t i = 0; i < n; i++)
        tval_list_set(l, i, items[i]);
    free(items);
    *out = l;
    return 0;
}

static int until_step(tmpl_call *c, int64_t start, int64_t stop, int64_t step, tval **out)
{
    tval *l = tval_list();
    int64_t count = 0;
    if (stop < start && step < 0) {
        for (int64_t i = start; i > stop && count < 1000000; i += step, count++)
            tval_list_append(l, tval_int(i));
    } else if (stop >= start && step > 0) {
        for (int64_t i = start; i < stop && count < 1000000; i += step, count++)
            tval_list_append(l, tval_int(i));
    }
    if (count >= 1000000) {
        tval_unref(l);
        return tmpl_call_errorf(c, "list too long (over 1000000 elements)");
    }
    *out = l;
    return 0;
}

FN(fn_until)
{
    UNUSED_ARGC;
    int64_t n;
    if (want_int(c, argv[0], &n) < 0)
        return -1;
    return until_step(c, 0, n, n < 0 ? -1 : 1, out);
}

FN(fn_until_step)
{
    UNUSED_ARGC;
    int64_t a, b, s;
    if (want_int(c, argv[0], &a) < 0 || want_int(c, argv[1], &b) < 0 ||
        want_int(c, argv[2], &s) < 0)
        return -1;
    return until_step(c, a, b, s, out);
}

FN(fn_concat)
{
    tval *l = tval_list();
    for (int i = 0; i < argc; i++) {
        if (tval_kind(argv[i]) != TV_LIST) {
            tval_unref(l);
            return tmpl_call_errorf(c, "Cannot concat type %s as list",
                                    tval_kind(argv[i]) == TV_NIL ? "<nil>"
                                                                 : tval_type_name(argv[i]));
        }
        for (size_t k = 0; k < tval_list_len(argv[i]); k++)
            tval_list_append(l, tval_ref(tval_list_at(argv[i], k)));
    }
    *out = l;
    return 0;
}

/* ==== dicts ============================================================================== */

FN(fn_dict)
{
    (void)c;
    tval *m = tval_map();
    struct buf k = BUF_INIT;
    for (int i = 0; i < argc; i += 2) {
        buf_reset(&k);
        strval(argv[i], &k);
        tval_map_set(m, k.ptr, i + 1 < argc ? tval_ref(argv[i + 1]) : tval_str(""));
    }
    buf_release(&k);
    *out = m;
    return 0;
}

FN(fn_get)
{
    UNUSED_ARGC;
    const char *k;
    size_t kn;
    if (want_map(c, argv[0]) < 0 || sprig_want_str(c, argv[1], &k, &kn) < 0)
        return -1;
    tval *v = tval_map_getn(argv[0], k, kn);
    *out = v ? tval_ref(v) : tval_str("");
    return 0;
}

FN(fn_set)
{
    UNUSED_ARGC;
    const char *k;
    if (want_map(c, argv[0]) < 0 || sprig_want_str(c, argv[1], &k, NULL) < 0)
        return -1;
    if (tval_kind(argv[0]) == TV_NIL)
        return tmpl_call_errorf(c, "assignment to entry in nil map");
    tval_map_set(argv[0], k, tval_ref(argv[2]));
    *out = tval_ref(argv[0]);
    return 0;
}

FN(fn_unset)
{
    UNUSED_ARGC;
    const char *k;
    if (want_map(c, argv[0]) < 0 || sprig_want_str(c, argv[1], &k, NULL) < 0)
        return -1;
    if (tval_kind(argv[0]) == TV_MAP)
        tval_map_del(argv[0], k);
    *out = tval_ref(argv[0]);
    return 0;
}

FN(fn_has_key)
{
    UNUSED_ARGC;
    const char *k;
    size_t kn;
    if (want_map(c, argv[0]) < 0 || sprig_want_str(c, argv[1], &k, &kn) < 0)
        return -1;
    *out = tval_bool(tval_map_getn(argv[0], k, kn) != NULL);
    return 0;
}

FN(fn_keys)
{
    tval *l = tval_list();
    for (int i = 0; i < argc; i++) {
        if (want_map(c, argv[i]) < 0) {
            tval_unref(l);
            return -1;
        }
        for (size_t k = 0; k < tval_map_len(argv[i]); k++)
            tval_list_append(l, tval_str(tval_map_key_at(argv[i], k)));
    }
    *out = l;
    return 0;
}

FN(fn_values)
{
    UNUSED_ARGC;
    if (want_map(c, argv[0]) < 0)
        return -1;
    tval *l = tval_list();
    for (size_t k = 0; k < tval_map_len(argv[0]); k++)
        tval_list_append(l, tval_ref(tval_map_val_at(argv[0], k)));
    *out = l;
    return 0;
}

static int pick_omit(tmpl_call *c, int argc, tval *const *argv, tval **out, int pick)
{
    if (want_map(c, argv[0]) < 0)
        return -1;
    for (int i = 1; i < argc; i++)
        if (sprig_want_str(c, argv[i], &(const char *){0}, NULL) < 0)
            return -1;
    tval *m = tval_map();
    for (size_t k = 0; k < tval_map_len(argv[0]); k++) {
        const char *key = tval_map_key_at(argv[0], k);
        int listed = 0;
        for (int i = 1; i < argc; i++)
            listed |= !strcmp(tval_get_str(argv[i]), key);
        if (listed == pick)
            tval_map_set(m, key, tval_ref(tval_map_val_at(argv[0], k)));
    }
    *out = m;
    return 0;
}

FN(fn_pick) { return pick_omit(c, argc, argv, out, 1); }
FN(fn_omit) { return pick_omit(c, argc, argv, out, 0); }

/* mergo.Merge (overwrite = 0) and mergo.Merge(WithOverride) on maps. */
static void merge_into(tval *dst, const tval *src, int overwrite, int depth)
{
    for (size_t i = 0; i < tval_map_len(src); i++) {
        const char *k = tval_map_key_at(src, i);
        tval *sv = tval_map_val_at(src, i);
        tval *dv = tval_map_get(dst, k);
        if (tval_kind(sv) == TV_NIL)
            continue;
        if (dv && tval_kind(dv) == TV_MAP && tval_kind(sv) == TV_MAP && depth < 100) {
            merge_into(dv, sv, overwrite, depth + 1);
            continue;
        }
        if (!dv || sprig_empty(dv) || overwrite)
            tval_map_set(dst, k, tval_copy(sv));
    }
}

static int do_merge(tmpl_call *c, int argc, tval *const *argv, tval **out, int overwrite)
{
    for (int i = 0; i < argc; i++)
        if (want_map(c, argv[i]) < 0)
            return -1;
    if (tval_kind(argv[0]) == TV_NIL)
        return tmpl_call_errorf(c, "assignment to entry in nil map");
    for (int i = 1; i < argc; i++)
        merge_into(argv[0], argv[i], overwrite, 0);
    *out = tval_ref(argv[0]);
    return 0;
}

FN(fn_merge) { return do_merge(c, argc, argv, out, 0); }
FN(fn_merge_overwrite) { return do_merge(c, argc, argv, out, 1); }

FN(fn_deep_copy) { (void)c; UNUSED_ARGC; *out = tval_copy(argv[0]); return 0; }

FN(fn_dig)
{
    if (argc < 3)
        return tmpl_call_errorf(c, "dig needs at least three arguments");
    const tval *cur = argv[argc - 1];
    if (tval_kind(cur) != TV_MAP)
        return tmpl_call_errorf(c, "interface conversion: interface {} is %s, not "
                                "map[string]interface {}", tval_type_name(cur));
    for (int i = 0; i < argc - 2; i++) {
        if (tval_kind(argv[i]) != TV_STRING)
            return tmpl_call_errorf(c, "interface conversion: interface {} is %s, not string",
                                    tval_type_name(argv[i]));
        if (tval_kind(cur) != TV_MAP)
            return tmpl_call_errorf(c, "interface conversion: interface {} is %s, not "
                                    "map[string]interface {}", tval_type_name(cur));
        tval *next = tval_map_getn(cur, tval_get_str(argv[i]), tval_strlen(argv[i]));
        if (!next) {
            *out = tval_ref(argv[argc - 2]);
            return 0;
        }
        cur = next;
    }
    *out = tval_ref((tval *)cur);
    return 0;
}

FN(fn_pluck)
{
    const char *k;
    size_t kn;
    if (sprig_want_str(c, argv[0], &k, &kn) < 0)
        return -1;
    tval *l = tval_list();
    for (int i = 1; i < argc; i++) {
        tval *v = tval_kind(argv[i]) == TV_MAP ? tval_map_getn(argv[i], k, kn) : NULL;
        if (v)
            tval_list_append(l, tval_ref(v));
    }
    *out = l;
    return 0;
}

/* ==== math ================================================================================ */

FN(fn_add)
{
    (void)c;
    int64_t a = 0;
    for (int i = 0; i < argc; i++)
        a += to_int64(argv[i]);
    *out = tval_int64(a);
    return 0;
}

FN(fn_add1) { (void)c; UNUSED_ARGC; *out = tval_int64(to_int64(argv[0]) + 1); return 0; }
FN(fn_sub)
{
    (void)c;
    UNUSED_ARGC;
    *out = tval_int64(to_int64(argv[0]) - to_int64(argv[1]));
    return 0;
}

FN(fn_mul)
{
    (void)c;
    int64_t a = to_int64(argv[0]);
    for (int i = 1; i < argc; i++)
        a *= to_int64(argv[i]);
    *out = tval_int64(a);
    return 0;
}

static int div_mod(tmpl_call *c, tval *const *argv, tval **out, int mod)
{
    int64_t a = to_int64(argv[0]), b = to_int64(argv[1]);
    if (b == 0)
        return tmpl_call_errorf(c, "runtime error: integer divide by zero");
    if (b == -1)
        *out = tval_int64(mod ? 0 : (int64_t)(0 - (uint64_t)a));
    else
        *out = tval_int64(mod ? a % b : a / b);
    return 0;
}

FN(fn_div) { UNUSED_ARGC; return div_mod(c, argv, out, 0); }
FN(fn_mod) { UNUSED_ARGC; return div_mod(c, argv, out, 1); }

static int min_max(int argc, tval *const *argv, tval **out, int want_max)
{
    int64_t r = to_int64(argv[0]);
    for (int i = 1; i < argc; i++) {
        int64_t v = to_int64(argv[i]);
        if (want_max ? v > r : v < r)
            r = v;
    }
    *out = tval_int64(r);
    return 0;
}

FN(fn_max) { (void)c; return min_max(argc, argv, out, 1); }
FN(fn_min) { (void)c; return min_max(argc, argv, out, 0); }

FN(fn_floor) { (void)c; UNUSED_ARGC; *out = tval_float(floor(to_float64(argv[0]))); return 0; }
FN(fn_ceil) { (void)c; UNUSED_ARGC; *out = tval_float(ceil(to_float64(argv[0]))); return 0; }

FN(fn_round)
{
    int64_t p;
    if (want_int(c, argv[1], &p) < 0)
        return -1;
    double on = argc > 2 ? to_float64(argv[2]) : 0.5;
    double pw = pow(10, (double)p), digit = pw * to_float64(argv[0]), ip;
    double frac = modf(digit, &ip);
    *out = tval_float((frac >= on ? ceil(digit) : floor(digit)) / pw);
    return 0;
}

/* ==== paths =================================================================================== */

/* Go's path.Clean. */
static void path_clean(const char *p, struct buf *b)
{
    int rooted = *p == '/';
    size_t base = b->len;
    if (rooted)
        buf_putc(b, '/');
    size_t root_len = b->len;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* skip */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            size_t l = b->len;
            if (l > root_len && !(l - root_len >= 2 && !strncmp(b->ptr + l - 2, "..", 2) &&
                                 (l - root_len == 2 || b->ptr[l - 3] == '/'))) {
                while (b->len > root_len && b->ptr[b->len - 1] != '/')
                    b->len--;
                if (b->len > root_len)
                    b->len--;
                b->ptr[b->len] = 0;
            } else if (!rooted) {
                if (b->len > root_len)
                    buf_putc(b, '/');
                buf_puts(b, "..");
            }
        } else {
            if (b->len > root_len)
                buf_putc(b, '/');
            buf_add(b, p, n);
        }
        p += n;
        if (*p)
            p++;
    }
    if (b->len == base)
        buf_putc(b, '.');
}

FN(fn_base)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    if (n == 0) {
        *out = tval_str(".");
        return 0;
    }
    size_t a = n;
    while (a > 0 && s[a - 1] != '/')
        a--;
    *out = (a == n) ? tval_str("/") : tval_strn(s + a, n - a);
    return 0;
}

FN(fn_dir)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    const char *slash = strrchr(s, '/');
    char *d = xstrndup(s, slash ? (size_t)(slash - s + 1) : 0);
    struct buf b = BUF_INIT;
    path_clean(d, &b);
    free(d);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_clean)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    struct buf b = BUF_INIT;
    path_clean(s, &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_ext)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    size_t n = strlen(s), i = n;
    while (i > 0 && s[i - 1] != '/' && s[i - 1] != '.')
        i--;
    *out = (i > 0 && s[i - 1] == '.') ? tval_str(s + i - 1) : tval_str("");
    return 0;
}

/* ==== random (not reproducible, like Sprig's) ================================================ */

static int rand_chars(tmpl_call *c, tval *const *argv, tval **out, const char *set)
{
    int64_t n;
    if (want_int(c, argv[0], &n) < 0)
        return -1;
    if (n < 0 || n > 1000000)
        return tmpl_call_errorf(c, "bad length %lld", (long long)n);
    size_t sn = strlen(set);
    char *r = xmalloc((size_t)n + 1);
    for (int64_t i = 0; i < n; i++)
        r[i] = set[(size_t)random() % sn];
    r[n] = 0;
    *out = tval_str_take(r, (size_t)n);
    return 0;
}

#define ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
FN(fn_rand_alnum) { UNUSED_ARGC; return rand_chars(c, argv, out, ALPHA "0123456789"); }
FN(fn_rand_alpha) { UNUSED_ARGC; return rand_chars(c, argv, out, ALPHA); }
FN(fn_rand_numeric) { UNUSED_ARGC; return rand_chars(c, argv, out, "0123456789"); }

/* ==== semver ================================================================================= */

FN(fn_semver_compare)
{
    UNUSED_ARGC;
    const char *con, *ver;
    if (sprig_want_str(c, argv[0], &con, NULL) < 0 || sprig_want_str(c, argv[1], &ver, NULL) < 0)
        return -1;
    struct err e = ERR_INIT;
    int r = semver_match(con, ver, &e);
    if (r < 0)
        return tmpl_call_errorf(c, "%s", e.msg);
    *out = tval_bool(r);
    return 0;
}

static int semver_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                      struct err *err)
{
    const struct semver *v = ctx;
    (void)argv;
    char tmp[3 * SEMVER_PART_MAX + 64];
    if (argc > 0)
        return err_set(err, E_INVALID, "%s is not a method but has arguments", name);
    if (!strcmp(name, "Major"))
        *out = tval_int64(v->major);
    else if (!strcmp(name, "Minor"))
        *out = tval_int64(v->minor);
    else if (!strcmp(name, "Patch"))
        *out = tval_int64(v->patch);
    else if (!strcmp(name, "Prerelease"))
        *out = tval_str(v->pre);
    else if (!strcmp(name, "Metadata"))
        *out = tval_str(v->meta);
    else if (!strcmp(name, "String") || !strcmp(name, "Original")) {
        semver_format(v, tmp, sizeof tmp);
        *out = tval_str(tmp);
    } else
        return TVAL_NOFIELD;
    return 0;
}

static void semver_print(void *ctx, struct buf *out)
{
    char tmp[3 * SEMVER_PART_MAX + 64];
    semver_format(ctx, tmp, sizeof tmp);
    buf_puts(out, tmp);
}

static const struct tval_obj_ops semver_ops = {
    .type_name = "*semver.Version",
    .get = semver_get,
    .print = semver_print,
    .free = free,
};

FN(fn_semver)
{
    UNUSED_ARGC;
    const char *s;
    if (sprig_want_str(c, argv[0], &s, NULL) < 0)
        return -1;
    struct semver *v = xmalloc(sizeof *v);
    struct err e = ERR_INIT;
    if (semver_parse(v, s, &e) < 0) {
        free(v);
        return tmpl_call_errorf(c, "Invalid Semantic Version");
    }
    *out = tval_object(&semver_ops, v);
    return 0;
}

/* ==== registry =============================================================================== */

struct fdef {
    const char *name;
    tmpl_fn fn;
    int min, max;
};

static const struct fdef sprig_funcs[] = {
    {"trim", fn_trim, 1, 1}, {"trimAll", fn_trim_all, 2, 2}, {"trimall", fn_trim_all, 2, 2},
    {"trimPrefix", fn_trim_prefix, 2, 2}, {"trimSuffix", fn_trim_suffix, 2, 2},
    {"upper", fn_upper, 1, 1}, {"lower", fn_lower, 1, 1}, {"title", fn_title, 1, 1},
    {"trunc", fn_trunc, 2, 2}, {"replace", fn_replace, 3, 3}, {"contains", fn_contains, 2, 2},
    {"hasPrefix", fn_has_prefix, 2, 2}, {"hasSuffix", fn_has_suffix, 2, 2},
    {"quote", fn_quote, 0, -1}, {"squote", fn_squote, 0, -1}, {"indent", fn_indent, 2, 2},
    {"nindent", fn_nindent, 2, 2}, {"nospace", fn_nospace, 1, 1}, {"repeat", fn_repeat, 2, 2},
    {"substr", fn_substr, 3, 3}, {"splitList", fn_split_list, 2, 2}, {"split", fn_split, 2, 2},
    {"splitn", fn_splitn, 3, 3}, {"join", fn_join, 2, 2}, {"cat", fn_cat, 0, -1},
    {"toString", fn_to_string, 1, 1}, {"toStrings", fn_to_strings, 1, 1},
    {"b64enc", fn_b64enc, 1, 1}, {"b64dec", fn_b64dec, 1, 1},
    {"sha256sum", fn_sha256sum, 1, 1},
    {"regexMatch", fn_regex_match, 2, 2}, {"mustRegexMatch", fn_regex_match, 2, 2},
    {"regexFind", fn_regex_find, 2, 2}, {"mustRegexFind", fn_regex_find, 2, 2},
    {"regexFindAll", fn_regex_find_all, 3, 3}, {"mustRegexFindAll", fn_regex_find_all, 3, 3},
    {"regexReplaceAll", fn_regex_replace_all, 3, 3},
    {"mustRegexReplaceAll", fn_regex_replace_all, 3, 3},
    {"regexReplaceAllLiteral", fn_regex_replace_lit, 3, 3},
    {"mustRegexReplaceAllLiteral", fn_regex_replace_lit, 3, 3},
    {"regexSplit", fn_regex_split, 3, 3}, {"mustRegexSplit", fn_regex_split, 3, 3},
    {"atoi", fn_atoi, 1, 1}, {"int", fn_int, 1, 1}, {"int64", fn_int64, 1, 1},
    {"float64", fn_float64, 1, 1}, {"kindOf", fn_kind_of, 1, 1}, {"kindIs", fn_kind_is, 2, 2},
    {"typeOf", fn_type_of, 1, 1}, {"typeIs", fn_type_is, 2, 2},
    {"deepEqual", fn_deep_equal, 2, 2},
    {"default", fn_default, 1, -1}, {"empty", fn_empty, 1, 1}, {"coalesce", fn_coalesce, 0, -1},
    {"all", fn_all, 0, -1}, {"any", fn_any, 0, -1}, {"ternary", fn_ternary, 3, 3},
    {"list", fn_list, 0, -1}, {"tuple", fn_list, 0, -1},
    {"first", fn_first, 1, 1}, {"mustFirst", fn_first, 1, 1},
    {"last", fn_last, 1, 1}, {"mustLast", fn_last, 1, 1},
    {"rest", fn_rest, 1, 1}, {"mustRest", fn_rest, 1, 1},
    {"initial", fn_initial, 1, 1}, {"mustInitial", fn_initial, 1, 1},
    {"append", fn_append, 2, 2}, {"push", fn_append, 2, 2}, {"mustAppend", fn_append, 2, 2},
    {"mustPush", fn_append, 2, 2}, {"prepend", fn_prepend, 2, 2},
    {"mustPrepend", fn_prepend, 2, 2}, {"has", fn_has, 2, 2}, {"mustHas", fn_has, 2, 2},
    {"uniq", fn_uniq, 1, 1}, {"mustUniq", fn_uniq, 1, 1},
    {"without", fn_without, 1, -1}, {"mustWithout", fn_without, 1, -1},
    {"compact", fn_compact, 1, 1}, {"mustCompact", fn_compact, 1, 1},
    {"reverse", fn_reverse, 1, 1}, {"mustReverse", fn_reverse, 1, 1},
    {"sortAlpha", fn_sort_alpha, 1, 1}, {"until", fn_until, 1, 1},
    {"untilStep", fn_until_step, 3, 3}, {"concat", fn_concat, 0, -1},
    {"dict", fn_dict, 0, -1}, {"get", fn_get, 2, 2}, {"set", fn_set, 3, 3},
    {"unset", fn_unset, 2, 2}, {"hasKey", fn_has_key, 2, 2}, {"keys", fn_keys, 0, -1},
    {"values", fn_values, 1, 1}, {"pick", fn_pick, 1, -1}, {"omit", fn_omit, 1, -1},
    {"merge", fn_merge, 1, -1}, {"mustMerge", fn_merge, 1, -1},
    {"mergeOverwrite", fn_merge_overwrite, 1, -1},
    {"mustMergeOverwrite", fn_merge_overwrite, 1, -1},
    {"deepCopy", fn_deep_copy, 1, 1}, {"mustDeepCopy", fn_deep_copy, 1, 1},
    {"dig", fn_dig, 0, -1}, {"pluck", fn_pluck, 1, -1},
    {"add", fn_add, 0, -1}, {"add1", fn_add1, 1, 1}, {"sub", fn_sub, 2, 2},
    {"mul", fn_mul, 1, -1}, {"div", fn_div, 2, 2}, {"mod", fn_mod, 2, 2},
    {"max", fn_max, 1, -1}, {"biggest", fn_max, 1, -1}, {"min", fn_min, 1, -1},
    {"floor", fn_floor, 1, 1}, {"ceil", fn_ceil, 1, 1}, {"round", fn_round, 2, 3},
    {"base", fn_base, 1, 1}, {"dir", fn_dir, 1, 1}, {"clean", fn_clean, 1, 1},
    {"ext", fn_ext, 1, 1},
    {"randAlphaNum", fn_rand_alnum, 1, 1}, {"randAlpha", fn_rand_alpha, 1, 1},
    {"randNumeric", fn_rand_numeric, 1, 1},
    {"semverCompare", fn_semver_compare, 2, 2}, {"semver", fn_semver, 1, 1},
};

void sprig_register(tmpl_set *s)
{
    for (size_t i = 0; i < sizeof sprig_funcs / sizeof sprig_funcs[0]; i++)
        tmpl_set_func(s, sprig_funcs[i].name, sprig_funcs[i].fn, sprig_funcs[i].min,
                      sprig_funcs[i].max, NULL);
}
