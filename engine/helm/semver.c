/* semver.c -- Masterminds/semver v3 versions and constraints.
 * A constraint keeps its version with "dirty" flags for x, X, * or missing
 * parts (">=1.19-0" is patch-dirty with version 1.19.0-0); the operator
 * functions below are those of constraints.go, including the rule that a
 * prerelease version never satisfies a constraint without a prerelease.
 */
#include "helm/semver.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---- versions ---------------------------------------------------------------- */

/* Read a numeric part without leading zeros; returns chars used or 0. */
static size_t num_part(const char *s, int64_t *out)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (n == 0 || (n > 1 && s[0] == '0') || n > 10)
        return 0;
    *out = strtoll(s, NULL, 10);
    if (*out > 2147483647)
        return 0;
    return n;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; copies into dst. */
static size_t ident_part(const char *s, char *dst)
{
    size_t n = 0;
    int need = 1;
    for (;; n++) {
        char c = s[n];
        if (isalnum((unsigned char)c) || c == '-') {
            need = 0;
        } else if (c == '.' && !need) {
            need = 1;
        } else {
            break;
        }
    }
    if (need || n == 0 || n >= SEMVER_PART_MAX)
        return 0;
    memcpy(dst, s, n);
    dst[n] = 0;
    return n;
}

int semver_parse(struct semver *v, const char *s, struct err *err)
{
    const char *p = s;
    memset(v, 0, sizeof *v);
    if (*p == 'v')
        p++;
    size_t n = num_part(p, &v->major);
    if (!n)
        goto bad;
    p += n;
    for (int i = 0; i < 2 && *p == '.'; i++) {
        n = num_part(p + 1, i ? &v->patch : &v->minor);
        if (!n)
            goto bad;
        p += n + 1;
    }
    if (*p == '-') {
        n = ident_part(p + 1, v->pre);
        if (!n)
            goto bad;
        p += n + 1;
    }
    if (*p == '+') {
        n = ident_part(p + 1, v->meta);
        if (!n)
            goto bad;
        p += n + 1;
    }
    if (*p)
        goto bad;
    return 0;
bad:
    return err_set(err, E_PARSE, "invalid semantic version '%s'", s);
}

static int is_uint(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int cmp_pre_part(const char *s, size_t sn, const char *o, size_t on)
{
    if (sn == on && !memcmp(s, o, sn))
        return 0;
    int sd = is_uint(s, sn), od = is_uint(o, on);
    if (on == 0)
        return sd ? 1 : -1;
    if (sn == 0)
        return od ? -1 : 1;
    if (sd && od) {
        unsigned long long a = strtoull(s, NULL, 10), b = strtoull(o, NULL, 10);
        return a > b ? 1 : -1;
    }
    if (od)
        return 1; /* s is a string, o a number */
    if (sd)
        return -1;
    size_t m = sn < on ? sn : on;
    int c = memcmp(s, o, m);
    if (c == 0)
        c = sn > on ? 1 : -1;
    return c > 0 ? 1 : -1;
}

static int cmp_pre(const char *a, const char *b)
{
    for (;;) {
        size_t an = strcspn(a, "."), bn = strcspn(b, ".");
        int d = cmp_pre_part(a, an, b, bn);
        if (d)
            return d;
        a += an;
        b += bn;
        if (!*a && !*b)
            return 0;
        if (*a)
            a++;
        if (*b)
            b++;
    }
}

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

int semver_compare(const struct semver *a, const struct semver *b)
{
    int d = cmp_i64(a->major, b->major);
    if (!d)
        d = cmp_i64(a->minor, b->minor);
    if (!d)
        d = cmp_i64(a->patch, b->patch);
    if (d)
        return d;
    if (!a->pre[0] && !b->pre[0])
        return 0;
    if (!a->pre[0])
        return 1;
    if (!b->pre[0])
        return -1;
    return cmp_pre(a->pre, b->pre);
}

void semver_format(const struct semver *v, char *out, size_t size)
{
    snprintf(out, size, "%lld.%lld.%lld%s%s%s%s", (long long)v->major, (long long)v->minor,
             (long long)v->patch, v->pre[0] ? "-" : "", v->pre, v->meta[0] ? "+" : "",
             v->meta);
}

/* ---- constraints ---------------------------------------------------------------- */

enum op { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

struct con {
    enum op op;
    struct semver v;
    int dirty, minor_dirty, patch_dirty;
};

static int is_x(const char *s, size_t n)
{
    return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

/* Parse the operator at *pp. */
static enum op parse_op(const char **pp)
{
    const char *p = *pp;
    static const struct { const char *s; enum op op; } ops[] = {
        {"!=", OP_NE}, {">=", OP_GE}, {"=>", OP_GE}, {"<=", OP_LE}, {"=<", OP_LE},
        {"~>", OP_TILDE}, {">", OP_GT}, {"<", OP_LT}, {"=", OP_EQ}, {"~", OP_TILDE},
        {"^", OP_CARET},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].s);
        if (!strncmp(p, ops[i].s, n)) {
            *pp = p + n;
            return ops[i].op;
        }
    }
    return OP_EQ;
}

/* A constraint version "1.x", "1.2", "v1.2.3-0": fill c.  Consumes up to the
 * end of the version token. */
static int parse_con_version(struct con *c, const char **pp)
{
    const char *p = *pp;
    if (*p == 'v')
        p++;
    const char *part[3] = {0};
    size_t plen[3] = {0};
    int nparts = 0;
    while (nparts < 3) {
        size_t n = 0;
        while (isdigit((unsigned char)p[n]) || p[n] == 'x' || p[n] == 'X' || p[n] == '*')
            n++;
        if (!n)
            return -1;
        part[nparts] = p;
        plen[nparts++] = n;
        p += n;
        if (*p != '.' || nparts == 3)
            break;
        p++;
    }
    char pre[SEMVER_PART_MAX + 1] = "", meta[SEMVER_PART_MAX] = "";
    if (*p == '-') {
        size_t n = ident_part(p + 1, pre + 1);
        if (!n)
            return -1;
        pre[0] = '-';
        p += n + 1;
    }
    if (*p == '+') {
        size_t n = ident_part(p + 1, meta);
        if (!n)
            return -1;
        p += n + 1;
    }
    char ver[3 * SEMVER_PART_MAX + 64];
    c->dirty = c->minor_dirty = c->patch_dirty = 0;
    if (is_x(part[0], plen[0])) {
        snprintf(ver, sizeof ver, "0.0.0%s", pre);
        c->dirty = 1;
    } else if (nparts < 2 || is_x(part[1], plen[1])) {
        snprintf(ver, sizeof ver, "%.*s.0.0%s", (int)plen[0], part[0], pre);
        c->dirty = c->minor_dirty = 1;
    } else if (nparts < 3 || is_x(part[2], plen[2])) {
        snprintf(ver, sizeof ver, "%.*s.%.*s.0%s", (int)plen[0], part[0], (int)plen[1], part[1],
                 pre);
        c->dirty = c->patch_dirty = 1;
    } else {
        snprintf(ver, sizeof ver, "%.*s.%.*s.%.*s%s", (int)plen[0], part[0], (int)plen[1],
                 part[1], (int)plen[2], part[2], pre);
    }
    if (semver_parse(&c->v, ver, NULL) < 0)
        return -1;
    *pp = p;
    return 0;
}

static int con_tilde(const struct semver *v, const struct con *c)
{
    if (semver_compare(v, &c->v) < 0)
        return 0;
    if (c->v.major == 0 && c->v.minor == 0 && c->v.patch == 0 && !c->minor_dirty &&
        !c->patch_dirty)
        return 1;
    if (v->major != c->v.major)
        return 0;
    if (v->minor != c->v.minor && !c->minor_dirty)
        return 0;
    return 1;
}

static int con_caret(const struct semver *v, const struct con *c)
{
    if (semver_compare(v, &c->v) < 0)
        return 0;
    if (c->v.major > 0 || c->minor_dirty)
        return v->major == c->v.major;
    if (v->major > 0)
        return 0;
    if (c->v.minor > 0 || c->patch_dirty)
        return v->minor == c->v.minor;
    if (v->minor > 0)
        return 0;
    return v->patch == c->v.patch;
}

static int con_ne(const struct semver *v, const struct con *c)
{
    if (c->dirty) {
        if (c->v.major != v->major)
            return 1;
        if (c->v.minor != v->minor && !c->minor_dirty)
            return 1;
        if (c->minor_dirty)
            return 0;
        if (c->v.patch != v->patch && !c->patch_dirty)
            return 1;
        if (c->patch_dirty) {
            if (v->pre[0] || c->v.pre[0])
                return cmp_pre(v->pre, c->v.pre) != 0;
            return 0;
        }
    }
    return semver_compare(v, &c->v) != 0;
}

static int con_gt(const struct semver *v, const struct con *c)
{
    if (!c->dirty || v->major != c->v.major) {
        if (c->dirty)
            return v->major > c->v.major;
        return semver_compare(v, &c->v) > 0;
    }
    if (c->minor_dirty)
        return 0;
    if (c->patch_dirty)
        return v->minor > c->v.minor;
    return semver_compare(v, &c->v) > 0;
}

static int con_le(const struct semver *v, const struct con *c)
{
    if (!c->dirty)
        return semver_compare(v, &c->v) <= 0;
    if (v->major > c->v.major)
        return 0;
    if (v->major == c->v.major && v->minor > c->v.minor && !c->minor_dirty)
        return 0;
    return 1;
}

static int con_check(const struct semver *v, const struct con *c)
{
    if (c->op != OP_NE && v->pre[0] && !c->v.pre[0])
        return 0;
    if (c->op == OP_NE && c->dirty && v->pre[0] && !c->v.pre[0])
        return 0;
    switch (c->op) {
    case OP_EQ:
        return c->dirty ? con_tilde(v, c) : semver_compare(v, &c->v) == 0;
    case OP_NE:
        return con_ne(v, c);
    case OP_GT:
        return con_gt(v, c);
    case OP_LT:
        return semver_compare(v, &c->v) < 0;
    case OP_GE:
        return semver_compare(v, &c->v) >= 0;
    case OP_LE:
        return con_le(v, c);
    case OP_TILDE:
        return con_tilde(v, c);
    case OP_CARET:
        return con_caret(v, c);
    }
    return 0;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Is the text at p "VERSION - VERSION"?  Then parse it as >= a, <= b. */
static int try_range(const char *p, struct con *lo, struct con *hi, const char **end)
{
    const char *q = p;
    lo->op = OP_GE;
    hi->op = OP_LE;
    if (parse_con_version(lo, &q) < 0)
        return 0;
    const char *r = skip_ws(q);
    if (r == q || *r != '-' || (r[1] != ' ' && r[1] != '\t'))
        return 0;
    r = skip_ws(r + 1);
    if (parse_con_version(hi, &r) < 0)
        return 0;
    *end = r;
    return 1;
}

/* Check one AND-group [p, p+n): 1 match, 0 no, -1 malformed. */
static int check_group(const char *g, const struct semver *v)
{
    const char *p = skip_ws(g);
    int ok = 1, count = 0;
    if (!*p)
        return -1;
    while (*p) {
        struct con c, hi;
        const char *end;
        if (count && *p == ',')
            p = skip_ws(p + 1);
        if (try_range(p, &c, &hi, &end)) {
            ok = ok && con_check(v, &c) && con_check(v, &hi);
        } else {
            c.op = parse_op(&p);
            p = skip_ws(p);
            if (parse_con_version(&c, &p) < 0)
                return -1;
            ok = ok && con_check(v, &c);
            end = p;
        }
        p = end;
        count++;
        if (*p && *p != ',' && *p != ' ' && *p != '\t')
            return -1;
        p = skip_ws(p);
    }
    return ok;
}

int semver_match(const char *constraint, const char *version, struct err *err)
{
    struct semver v;
    if (semver_parse(&v, version, err) < 0)
        return E_PARSE;
    if (!*skip_ws(constraint))
        return 1;
    char *copy = xstrdup(constraint);
    int result = 0, bad = 0;
    char *save = NULL;
    for (char *g = copy; g && !bad; g = save) {
        char *bar = strstr(g, "||");
        save = NULL;
        if (bar) {
            *bar = 0;
            save = bar + 2;
        }
        int r = check_group(g, &v);
        if (r < 0)
            bad = 1;
        else if (r)
            result = 1;
    }
    free(copy);
    if (bad)
        return err_set(err, E_PARSE, "improper constraint: %s", constraint);
    return result;
}
