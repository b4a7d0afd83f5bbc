/* tmpl_parse.c -- the parser of text/template (Go's parse.go): tokens to
 * trees, with Go's error messages.  Errors unwind with longjmp; every node
 * allocated during a parse is registered so a failed parse frees them all. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tmpl_int.h"
#include "helm/tmpl_lex.h"
#include "helm/tval_int.h"

struct parser {
    const tmpl_set *set;
    struct tlex lx;
    size_t i, far;
    struct tsrc *src;
    char **vars;
    size_t nvars, capvars;
    size_t var_base;             /* variables below are invisible (define bodies) */
    int range_depth;
    int depth;
    int action_line;
    struct tnode **all;          /* every node of this parse (for failure) */
    size_t nall, capall;
    struct ttree **trees;
    size_t ntrees, captrees;
    jmp_buf jb;
    char msg[400];
    int err_line;
};

/* Copy n bytes (which may include NULs) and add a terminating NUL. */
static char *memdup0(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- the arena of a source ------------------------------------------------------ */

#define ARENA_BLOCK 8192

struct tarena {
    struct tarena *next;
    size_t used, cap;
    max_align_t data[];
};

/* size zeroed bytes from src's arena, aligned for any type. */
static void *aalloc(struct tsrc *src, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct tarena *a = src->arena;
    if (!a || a->cap - a->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        a = xmalloc(sizeof(*a) + cap);
        a->used = 0;
        a->cap = cap;
        a->next = src->arena;
        src->arena = a;
    }
    void *m = (char *)a->data + a->used;
    a->used += size;
    memset(m, 0, size);
    return m;
}

static char *adup0(struct tsrc *src, const char *s, size_t n)
{
    char *d = aalloc(src, n + 1);
    if (n)
        memcpy(d, s, n);
    return d;
}

/* Room for item n of an arena array of elem-sized items: capacities are 4,
 * 8, 16, ..., so the array moves only when n reaches one of them. */
static void *agrow(struct tsrc *src, void *arr, int n, size_t elem)
{
    if (n > 0 && (n < 4 || (n & (n - 1))))
        return arr;
    void *bigger = aalloc(src, (size_t)(n ? 2 * n : 4) * elem);
    if (n)
        memcpy(bigger, arr, (size_t)n * elem);
    return bigger;
}

static void src_unref(struct tsrc *src)
{
    if (!src || --src->refs > 0)
        return;
    for (size_t i = 0; i < src->nnodes; i++)
        tval_unref(src->nodes[i]->k);
    free(src->nodes);
    while (src->arena) {
        struct tarena *next = src->arena->next;
        free(src->arena);
        src->arena = next;
    }
    free(src->name);
    free(src->text);
    free(src);
}

void tmpl_tree_free(struct ttree *t)
{
    if (!t)
        return;
    src_unref(t->src);
    free(t->name);
    free(t);
}

static int list_is_empty(const struct tnode *n);

/* ---- errors and tokens --------------------------------------------------------- */

static void perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
    p->err_line = p->lx.toks[p->far].line;
    longjmp(p->jb, 1);
}

static struct ttok *next(struct parser *p)
{
    size_t idx = p->i < p->lx.n ? p->i : p->lx.n - 1; /* the last token repeats */
    p->i = idx + 1;
    if (idx > p->far)
        p->far = idx;
    return &p->lx.toks[idx];
}

static void backup(struct parser *p, struct ttok *t) { p->i = (size_t)(t - p->lx.toks); }

static struct ttok *next_nonspace(struct parser *p)
{
    struct ttok *t;
    do {
        t = next(p);
    } while (t->typ == T_SPACE);
    return t;
}

static struct ttok *peek(struct parser *p)
{
    struct ttok *t = next(p);
    backup(p, t);
    return t;
}

static struct ttok *peek_nonspace(struct parser *p)
{
    struct ttok *t = next_nonspace(p);
    backup(p, t);
    return t;
}

/* Go's item.String(). */
static void tok_string(const struct ttok *t, char *out, size_t size)
{
    if (t->typ == T_EOF) {
        snprintf(out, size, "EOF");
    } else if (t->typ == T_ERROR) {
        snprintf(out, size, "%s", t->msg);
    } else if (t->typ > T_KEYWORD) {
        snprintf(out, size, "<%.*s>", t->len, t->val);
    } else {
        struct buf b = BUF_INIT;
        tval *s = tval_strn(t->val, (size_t)t->len);
        tval_sprintf(&b, t->len > 10 ? "%.10q..." : "%q", t->len > 10 ? 9 : 2, 1, &s);
        snprintf(out, size, "%s", b.ptr);
        buf_release(&b);
        tval_unref(s);
    }
}

static void unexpected(struct parser *p, const struct ttok *t, const char *context)
    __attribute__((noreturn));
static void unexpected(struct parser *p, const struct ttok *t, const char *context)
{
    char s[128];
    tok_string(t, s, sizeof(s));
    if (t->typ == T_ERROR) {
        if (p->action_line && p->action_line != t->line) {
            size_t n = strlen(t->msg);
            int act = n >= 7 && !strcmp(t->msg + n - 7, " action");
            perr(p, "%s%s started at %s:%d", s, act ? "" : " in action", p->src->name,
                 p->action_line);
        }
        perr(p, "%s", s);
    }
    perr(p, "unexpected %s in %s", s, context);
}

static struct ttok *expect(struct parser *p, int typ, const char *context)
{
    struct ttok *t = next_nonspace(p);
    if (t->typ != typ)
        unexpected(p, t, context);
    return t;
}

/* ---- nodes ------------------------------------------------------------------ */

static struct tnode *new_node(struct parser *p, int type, int pos, int line)
{
    struct tnode *n = aalloc(p->src, sizeof(*n));
    n->type = (unsigned char)type;
    n->pos = pos;
    n->line = line;
    XGROW(p->all, p->capall, p->nall + 1);
    p->all[p->nall++] = n;
    return n;
}

static void add_kid(struct parser *p, struct tnode *n, struct tnode *kid)
{
    n->kids = agrow(p->src, n->kids, n->nkids, sizeof(*n->kids));
    n->kids[n->nkids++] = kid;
}

static void add_ident(struct parser *p, struct tnode *n, const char *s, size_t len)
{
    n->ident = agrow(p->src, n->ident, n->nident, sizeof(*n->ident));
    n->ident[n->nident++] = adup0(p->src, s, len);
}

/* Split ".a.b" / "$x.a" into identifiers (a leading '.' is dropped). */
static void set_idents(struct parser *p, struct tnode *n, const char *s, size_t len)
{
    size_t i = 0;
    if (len && s[0] == '.')
        i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '.')
            j++;
        add_ident(p, n, s + i, j - i);
        i = j + 1;
    }
}

/* ---- variables ---------------------------------------------------------------- */

static void push_var(struct parser *p, const char *name, size_t len)
{
    XGROW(p->vars, p->capvars, p->nvars + 1);
    p->vars[p->nvars++] = memdup0(name, len);
}

static void pop_vars(struct parser *p, size_t n)
{
    while (p->nvars > n)
        free(p->vars[--p->nvars]);
}

static struct tnode *use_var(struct parser *p, const struct ttok *t)
{
    struct tnode *v = new_node(p, N_VAR, t->pos, t->line);
    set_idents(p, v, t->val, (size_t)t->len);
    for (size_t i = p->var_base; i < p->nvars; i++)
        if (!strcmp(p->vars[i], v->ident[0]))
            return v;
    perr(p, "undefined variable \"%s\"", v->ident[0]);
}

/* ---- literals ------------------------------------------------------------------ */


static void quote_to(char *out, size_t size, const char *s, size_t n)
{
    struct buf b = BUF_INIT;
    tval *v = tval_strn(s, n);
    tval_sprintf(&b, "%q", 2, 1, &v);
    snprintf(out, size, "%s", b.ptr);
    buf_release(&b);
    tval_unref(v);
}

static void go_quote_name(const char *s, size_t n, struct buf *out)
{
    tval *v = tval_strn(s, n);
    tval_sprintf(out, "%q", 2, 1, &v);
    tval_unref(v);
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void put_rune(struct buf *b, unsigned r)
{
    tval *v = tval_int((int64_t)r);
    tval_sprintf(b, "%c", 2, 1, &v);
    tval_unref(v);
}

/* One escape after a backslash at s[*i] (Go's strconv.UnquoteChar); q is the
 * quote character.  Returns -1 on bad syntax. */
static int unescape(const char *s, size_t n, size_t *i, char q, struct buf *b)
{
    if (*i >= n)
        return -1;
    char c = s[(*i)++];
    const char *from = "abfnrtv\\", *to = "\a\b\f\n\r\t\v\\";
    const char *k = strchr(from, c);
    if (k && c) {
        buf_putc(b, to[k - from]);
        return 0;
    }
    if (c == '\'' || c == '"') {
        if (c != q)
            return -1;
        buf_putc(b, c);
        return 0;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    unsigned v = 0;
    if (digits) {
        for (int d = 0; d < digits; d++) {
            int h = *i < n ? hexval((unsigned char)s[*i]) : -1;
            if (h < 0)
                return -1;
            v = v * 16 + (unsigned)h;
            (*i)++;
        }
        if (c == 'x') {
            buf_putc(b, (char)v);
            return 0;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
            return -1;
        put_rune(b, v);
        return 0;
    }
    if (c >= '0' && c <= '7') {
        v = (unsigned)(c - '0');
        for (int d = 0; d < 2; d++) {
            if (*i >= n || s[*i] < '0' || s[*i] > '7')
                return -1;
            v = v * 8 + (unsigned)(s[(*i)++] - '0');
        }
        if (v > 255)
            return -1;
        buf_putc(b, (char)v);
        return 0;
    }
    return -1;
}

/* Go's strconv.Unquote of a "..." or `...` or '...' token body. */
static int unquote(const char *s, size_t n, struct buf *b)
{
    if (n < 2)
        return -1;
    char q = s[0];
    if (q == '`') {
        for (size_t i = 1; i + 1 < n; i++)
            if (s[i] != '\r')
                buf_putc(b, s[i]);
        return 0;
    }
    for (size_t i = 1; i + 1 < n;) {
        if (s[i] == '\\') {
            i++;
            if (unescape(s, n - 1, &i, q, b) < 0)
                return -1;
        } else if (s[i] == q) {
            return -1;
        } else {
            buf_putc(b, s[i++]);
        }
    }
    return 0;
}

static struct tnode *string_node(struct parser *p, const struct ttok *t)
{
    struct tnode *n = new_node(p, N_STRING, t->pos, t->line);
    n->text = adup0(p->src, t->val, (size_t)t->len);
    n->textlen = (size_t)t->len;
    struct buf b = BUF_INIT;
    if (unquote(t->val, (size_t)t->len, &b) < 0) {
        buf_release(&b);
        perr(p, "invalid syntax");
    }
    n->k = tval_strn(b.ptr, b.len);
    buf_release(&b);
    return n;
}

/* Go's underscoreOK. */
static int underscore_ok(const char *s)
{
    char saw = '^';
    int hex = 0;
    if (*s == '+' || *s == '-')
        s++;
    size_t i = 0;
    if (s[0] == '0' && s[1] && strchr("bBoOxX", s[1])) {
        i = 2;
        saw = '0';
        hex = s[1] == 'x' || s[1] == 'X';
    }
    for (; s[i]; i++) {
        if ((s[i] >= '0' && s[i] <= '9') || (hex && hexval((unsigned char)s[i]) >= 0)) {
            saw = '0';
            continue;
        }
        if (s[i] == '_') {
            if (saw != '0')
                return 0;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return 0;
        saw = '!';
    }
    return saw != '_';
}

/* Go's strconv.ParseUint(s, 0, 64) on an unsigned text: 0 ok, -1 syntax,
 * -2 overflow. */
static int parse_uint(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        s += 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s += 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        s++;
    }
    uint64_t v = 0;
    int any = 0, over = 0;
    for (; *s; s++) {
        if (*s == '_')
            continue;
        int d = hexval((unsigned char)*s);
        if (d < 0 || d >= base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            over = 1;
        v = v * (uint64_t)base + (uint64_t)d;
        any = 1;
    }
    if (!any)
        return -1;
    *out = v;
    return over ? -2 : 0;
}

/* Decode one UTF-8 sequence of s[0..n); returns its length (1 for a bad
 * byte, which yields U+FFFD as in Go). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *r)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (len == 1 || len > n) {
        *r = s[0] < 0x80 ? s[0] : 0xFFFD;
        return 1;
    }
    unsigned v = s[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *r = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *r = v;
    return len;
}

static struct tnode *char_node(struct parser *p, const struct ttok *t, struct tnode *n)
{
    const char *body = t->val + 1;
    size_t blen = t->len >= 2 ? (size_t)t->len - 2 : 0;
    unsigned r = 0;
    int ok = blen > 0;
    if (ok && body[0] == '\\') {
        struct buf b = BUF_INIT;
        size_t i = 1;
        ok = unescape(body, blen, &i, '\'', &b) == 0 && i == blen && b.len > 0;
        if (ok && (body[1] == 'x' || (body[1] >= '0' && body[1] <= '7')))
            r = (unsigned char)b.ptr[0];
        else if (ok)
            ok = utf8_decode((const unsigned char *)b.ptr, b.len, &r) == b.len;
        buf_release(&b);
    } else if (ok) {
        ok = body[0] != '\'' &&
             utf8_decode((const unsigned char *)body, blen, &r) == blen;
    }
    if (!ok)
        perr(p, "malformed character constant: %.*s", t->len, t->val);
    n->k = tval_int((int64_t)r);
    return n;
}

static struct tnode *number_node(struct parser *p, const struct ttok *t)
{
    struct tnode *n = new_node(p, N_NUMBER, t->pos, t->line);
    n->text = adup0(p->src, t->val, (size_t)t->len);
    n->textlen = (size_t)t->len;
    if (t->typ == T_CHARCONST)
        return char_node(p, t, n);
    const char *s = n->text;
    if (t->typ == T_COMPLEX || s[n->textlen - 1] == 'i')
        perr(p, "complex numbers are not supported: %s", s);
    if (!underscore_ok(s))
        perr(p, "illegal number syntax: \"%s\"", s);
    int neg = s[0] == '-';
    const char *u = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
    uint64_t uv;
    int rc = parse_uint(u, &uv);
    int hexint = strlen(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
                 !strpbrk(s, "pP");
    if (rc == 0 && (hexint || !strpbrk(s, ".eEpP"))) {
        if (neg ? uv > (uint64_t)INT64_MAX + 1 : uv > (uint64_t)INT64_MAX) {
            if (neg)
                perr(p, "illegal number syntax: \"%s\"", s);
            n->bad_int = 1;
            return n;
        }
        n->k = tval_int(neg ? (int64_t)(0 - uv) : (int64_t)uv);
        return n;
    }
    if (rc == 0) {
        double d = neg ? -(double)uv : (double)uv;
        n->k = tval_float(d);
        return n;
    }
    char tmp[128];
    size_t k = 0;
    for (const char *c = s; *c && k + 1 < sizeof(tmp); c++)
        if (*c != '_')
            tmp[k++] = *c;
    tmp[k] = '\0';
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end || (isinf(d) && errno == ERANGE) || rc == -2)
        perr(p, strpbrk(s, ".eEpP") || rc != -2 ? "illegal number syntax: \"%s\""
                                                : "integer overflow: \"%s\"", s);
    if (!strpbrk(s, ".eEpP"))
        perr(p, "integer overflow: \"%s\"", s);
    n->k = tval_float(d);
    return n;
}

/* ---- pipelines ------------------------------------------------------------------ */

static struct tnode *pipeline(struct parser *p, const char *context, int end);

static struct tnode *term(struct parser *p)
{
    struct ttok *t = next_nonspace(p);
    struct tnode *n;
    switch (t->typ) {
    case T_IDENT:
        n = new_node(p, N_IDENT, t->pos, t->line);
        n->text = adup0(p->src, t->val, (size_t)t->len);
        n->textlen = (size_t)t->len;
        n->fn = tmpl_find_func(p->set, n->text);
        if (!n->fn)
            perr(p, "function \"%s\" not defined", n->text);
        return n;
    case T_DOT: return new_node(p, N_DOT, t->pos, t->line);
    case T_NIL: return new_node(p, N_NIL, t->pos, t->line);
    case T_VAR: return use_var(p, t);
    case T_FIELD:
        n = new_node(p, N_FIELD, t->pos, t->line);
        set_idents(p, n, t->val, (size_t)t->len);
        return n;
    case T_BOOL:
        n = new_node(p, N_BOOL, t->pos, t->line);
        n->k = tval_bool(t->val[0] == 't');
        n->text = adup0(p->src, t->val, (size_t)t->len);
        n->textlen = (size_t)t->len;
        return n;
    case T_NUMBER: case T_CHARCONST: case T_COMPLEX: return number_node(p, t);
    case T_LPAREN:
        if (++p->depth > TMPL_MAX_PARSE_DEPTH)
            perr(p, "max nesting depth exceeded");
        n = pipeline(p, "parenthesized pipeline", T_RPAREN);
        p->depth--;
        return n;
    case T_STRING: case T_RAWSTRING: return string_node(p, t);
    default:
        backup(p, t);
        return NULL;
    }
}

static struct tnode *operand(struct parser *p)
{
    struct tnode *node = term(p);
    if (!node || peek(p)->typ != T_FIELD)
        return node;
    struct tnode *chain = new_node(p, N_CHAIN, peek(p)->pos, peek(p)->line);
    while (peek(p)->typ == T_FIELD) {
        struct ttok *f = next(p);
        add_ident(p, chain, f->val + 1, (size_t)f->len - 1);
    }
    switch (node->type) {
    case N_FIELD: case N_VAR: {
        /* more fields on the original; the position is the chain's */
        for (int i = 0; i < chain->nident; i++) {
            add_ident(p, node, chain->ident[i], strlen(chain->ident[i]));
        }
        node->pos = chain->pos;
        node->line = chain->line;
        return node;
    }
    case N_BOOL: case N_STRING: case N_NUMBER: case N_NIL: case N_DOT: {
        struct buf b = BUF_INIT;
        tmpl_node_string(node, &b);
        char s[200];
        quote_to(s, sizeof(s), b.ptr, b.len);
        buf_release(&b);
        perr(p, "unexpected . after term %s", s);
    }
    default:
        chain->pipe = node;
        return chain;
    }
}

static struct tnode *command(struct parser *p)
{
    struct tnode *cmd = new_node(p, N_CMD, peek_nonspace(p)->pos, peek_nonspace(p)->line);
    for (;;) {
        peek_nonspace(p);
        struct tnode *o = operand(p);
        if (o)
            add_kid(p, cmd, o);
        struct ttok *t = next(p);
        if (t->typ == T_SPACE)
            continue;
        if (t->typ == T_RDELIM || t->typ == T_RPAREN)
            backup(p, t);
        else if (t->typ != T_PIPE)
            unexpected(p, t, "operand");
        break;
    }
    if (cmd->nkids == 0)
        perr(p, "empty command");
    return cmd;
}

static void check_pipeline(struct parser *p, struct tnode *pipe, const char *context)
{
    if (pipe->nkids == 0)
        perr(p, "missing value for %s", context);
    for (int i = 1; i < pipe->nkids; i++) {
        int t = pipe->kids[i]->kids[0]->type;
        if (t == N_BOOL || t == N_DOT || t == N_NIL || t == N_NUMBER || t == N_STRING)
            perr(p, "non executable command in pipeline stage %d", i + 1);
    }
}

static void add_decl(struct parser *p, struct tnode *pipe, const struct ttok *v)
{
    add_ident(p, pipe, v->val, (size_t)v->len);
    pipe->ndecl++;
    push_var(p, v->val, (size_t)v->len);
}

static void decls(struct parser *p, struct tnode *pipe, const char *context)
{
    for (;;) {
        struct ttok *v = peek_nonspace(p);
        if (v->typ != T_VAR)
            return;
        next(p);
        struct ttok *after = peek(p);
        struct ttok *nx = peek_nonspace(p);
        if (nx->typ == T_ASSIGN || nx->typ == T_DECLARE) {
            pipe->is_assign = nx->typ == T_ASSIGN;
            next_nonspace(p);
            add_decl(p, pipe, v);
            return;
        }
        if (nx->typ == T_CHAR && nx->val[0] == ',') {
            next_nonspace(p);
            add_decl(p, pipe, v);
            if (!strcmp(context, "range") && pipe->ndecl < 2) {
                int t = peek_nonspace(p)->typ;
                if (t == T_VAR || t == T_RDELIM || t == T_RPAREN)
                    continue;
                perr(p, "range can only initialize variables");
            }
            perr(p, "too many declarations in %s", context);
        }
        (void)after;
        backup(p, v);
        return;
    }
}

static struct tnode *pipeline(struct parser *p, const char *context, int end)
{
    struct ttok *t0 = peek_nonspace(p);
    struct tnode *pipe = new_node(p, N_PIPE, t0->pos, t0->line);
    decls(p, pipe, context);
    for (;;) {
        struct ttok *t = next_nonspace(p);
        if (t->typ == end) {
            check_pipeline(p, pipe, context);
            return pipe;
        }
        switch (t->typ) {
        case T_BOOL: case T_CHARCONST: case T_DOT: case T_FIELD: case T_IDENT: case T_NUMBER:
        case T_COMPLEX: case T_NIL: case T_RAWSTRING: case T_STRING: case T_VAR: case T_LPAREN:
            backup(p, t);
            add_kid(p, pipe, command(p));
            break;
        default:
            unexpected(p, t, context);
        }
    }
}

/* ---- control structures ---------------------------------------------------------- */

static struct tnode *item_list(struct parser *p, struct tnode **end);
static struct tnode *control(struct parser *p, int type, const char *context);

static struct tnode *else_chain(struct parser *p, int type, const char *context,
                                struct tnode *els)
{
    struct tnode *l = new_node(p, N_LIST, els->pos, els->line);
    next(p);
    add_kid(p, l, control(p, type, context));
    return l;
}

static struct tnode *control(struct parser *p, int type, const char *context)
{
    if (++p->depth > TMPL_MAX_PARSE_DEPTH)
        perr(p, "max nesting depth exceeded");
    size_t mark = p->nvars;
    struct tnode *n = new_node(p, type, 0, 0);
    n->pipe = pipeline(p, context, T_RDELIM);
    n->pos = n->pipe->pos;
    n->line = n->pipe->line;
    struct tnode *end;
    if (type == N_RANGE)
        p->range_depth++;
    n->list = item_list(p, &end);
    if (type == N_RANGE)
        p->range_depth--;
    if (end->type == N_ELSE) {
        if (type == N_IF && peek(p)->typ == T_IF) {
            n->elist = else_chain(p, N_IF, "if", end);
        } else if (type == N_WITH && peek(p)->typ == T_WITH) {
            n->elist = else_chain(p, N_WITH, "with", end);
        } else {
            n->elist = item_list(p, &end);
            if (end->type != N_END)
                perr(p, "expected end; found %s", end->type == N_ELSE ? "{{else}}" : "{{end}}");
        }
    }
    pop_vars(p, mark);
    p->depth--;
    return n;
}

static struct tnode *template_name(struct parser *p, struct ttok *t, const char *context,
                                   struct tnode *n)
{
    if (t->typ != T_STRING && t->typ != T_RAWSTRING)
        unexpected(p, t, context);
    struct tnode *s = string_node(p, t);
    n->text = adup0(p->src, tval_get_str(s->k), tval_strlen(s->k));
    n->textlen = tval_strlen(s->k);
    return n;
}

/* Go's Tree.add(): within one parse a second non-empty definition of a name
 * is an error; an empty one never replaces a non-empty one. */
static struct ttree *new_tree(struct parser *p, const char *name, struct tnode *root)
{
    for (size_t i = 0; i < p->ntrees; i++) {
        struct ttree *o = p->trees[i];
        if (strcmp(o->name, name))
            continue;
        if (o->root && !list_is_empty(o->root)) {
            if (!list_is_empty(root))
                perr(p, "template: multiple definition of template \"%s\"", name);
            return o;
        }
        o->root = root;
        return o;
    }
    struct ttree *t = xcalloc(1, sizeof(*t));
    t->name = xstrdup(name);
    t->root = root;
    t->src = p->src;
    p->src->refs++;
    XGROW(p->trees, p->captrees, p->ntrees + 1);
    p->trees[p->ntrees++] = t;
    return t;
}

static struct tnode *parse_body(struct parser *p, const char *context)
{
    size_t mark = p->nvars, base = p->var_base;
    int rd = p->range_depth;
    p->var_base = p->nvars;
    push_var(p, "$", 1);
    p->range_depth = 0;
    struct tnode *end;
    struct tnode *root = item_list(p, &end);
    if (end->type != N_END)
        perr(p, "unexpected {{else}} in %s", context);
    p->range_depth = rd;
    p->var_base = base;
    pop_vars(p, mark);
    return root;
}

static struct tnode *block_control(struct parser *p)
{
    const char *context = "block clause";
    struct ttok *t = next_nonspace(p);
    struct tnode *n = new_node(p, N_TEMPLATE, t->pos, t->line);
    template_name(p, t, context, n);
    n->pipe = pipeline(p, context, T_RDELIM);
    if (++p->depth > TMPL_MAX_PARSE_DEPTH)
        perr(p, "max nesting depth exceeded");
    struct tnode *root = parse_body(p, context);
    p->depth--;
    new_tree(p, n->text, root);
    return n;
}

static struct tnode *template_control(struct parser *p)
{
    const char *context = "template clause";
    struct ttok *t = next_nonspace(p);
    struct tnode *n = new_node(p, N_TEMPLATE, t->pos, t->line);
    template_name(p, t, context, n);
    struct ttok *nx = next_nonspace(p);
    if (nx->typ != T_RDELIM) {
        backup(p, nx);
        n->pipe = pipeline(p, context, T_RDELIM);
    }
    return n;
}

static struct tnode *break_control(struct parser *p, struct ttok *kw, int type)
{
    const char *what = type == N_BREAK ? "{{break}}" : "{{continue}}";
    struct ttok *t = next_nonspace(p);
    if (t->typ != T_RDELIM)
        unexpected(p, t, what);
    if (p->range_depth == 0)
        perr(p, "%s outside {{range}}", what);
    return new_node(p, type, kw->pos, kw->line);
}

static struct tnode *action(struct parser *p)
{
    struct ttok *t = next_nonspace(p);
    switch (t->typ) {
    case T_BLOCK: return block_control(p);
    case T_BREAK: return break_control(p, t, N_BREAK);
    case T_CONTINUE: return break_control(p, t, N_CONTINUE);
    case T_ELSE: {
        struct ttok *pk = peek_nonspace(p);
        if (pk->typ == T_IF || pk->typ == T_WITH)
            return new_node(p, N_ELSE, pk->pos, pk->line);
        struct ttok *r = expect(p, T_RDELIM, "else");
        return new_node(p, N_ELSE, r->pos, r->line);
    }
    case T_END: {
        struct ttok *r = expect(p, T_RDELIM, "end");
        return new_node(p, N_END, r->pos, r->line);
    }
    case T_IF: return control(p, N_IF, "if");
    case T_RANGE: return control(p, N_RANGE, "range");
    case T_TEMPLATE: return template_control(p);
    case T_WITH: return control(p, N_WITH, "with");
    default: break;
    }
    backup(p, t);
    struct ttok *pk = peek(p);
    struct tnode *n = new_node(p, N_ACTION, pk->pos, pk->line);
    n->pipe = pipeline(p, "command", T_RDELIM);
    return n;
}

static struct tnode *text_or_action(struct parser *p)
{
    struct ttok *t = next_nonspace(p);
    if (t->typ == T_TEXT) {
        struct tnode *n = new_node(p, N_TEXT, t->pos, t->line);
        n->text = (char *)t->val; /* into src->text, which lives as long as n */
        n->textlen = (size_t)t->len;
        return n;
    }
    if (t->typ == T_LDELIM) {
        int saved = p->action_line;
        p->action_line = t->line;
        struct tnode *n = action(p);
        p->action_line = saved;
        return n;
    }
    unexpected(p, t, "input");
}

static struct tnode *item_list(struct parser *p, struct tnode **end)
{
    struct ttok *t0 = peek_nonspace(p);
    struct tnode *list = new_node(p, N_LIST, t0->pos, t0->line);
    while (peek_nonspace(p)->typ != T_EOF) {
        struct tnode *n = text_or_action(p);
        if (n->type == N_END || n->type == N_ELSE) {
            *end = n;
            return list;
        }
        add_kid(p, list, n);
    }
    perr(p, "unexpected EOF");
}

static void parse_definition(struct parser *p)
{
    const char *context = "define clause";
    struct ttok *t = next_nonspace(p);
    if (t->typ != T_STRING && t->typ != T_RAWSTRING)
        unexpected(p, t, context);
    struct tnode *s = string_node(p, t);
    expect(p, T_RDELIM, context);
    struct tnode *root = parse_body(p, context);
    new_tree(p, tval_get_str(s->k), root);
}

static void parse_top(struct parser *p, const char *name)
{
    push_var(p, "$", 1);
    struct tnode *root = new_node(p, N_LIST, 0, 1);
    while (peek(p)->typ != T_EOF) {
        if (peek(p)->typ == T_LDELIM) {
            struct ttok *d = next(p);
            if (next_nonspace(p)->typ == T_DEFINE) {
                p->action_line = d->line;
                parse_definition(p);
                p->action_line = 0;
                continue;
            }
            backup(p, d);
        }
        struct tnode *n = text_or_action(p);
        if (n->type == N_END || n->type == N_ELSE)
            perr(p, "unexpected %s", n->type == N_END ? "{{end}}" : "{{else}}");
        add_kid(p, root, n);
    }
    new_tree(p, name, root);
}

static int run_parser(struct parser *p, const char *name)
{
    if (setjmp(p->jb))
        return -1;
    parse_top(p, name);
    return 0;
}

int tmpl_parse_text(const tmpl_set *s, const char *name, const char *text, size_t len,
                    struct ttree ***out, int *nout, struct err *err, struct tmpl_error *te)
{
    struct parser *p = xcalloc(1, sizeof(*p));
    p->set = s;
    p->src = xcalloc(1, sizeof(*p->src));
    p->src->name = xstrdup(name);
    p->src->text = memdup0(text, len);
    p->src->len = len;
    p->src->refs = 1;
    tmpl_lex(&p->lx, p->src->text, len);
    int rc = run_parser(p, name);
    p->src->nodes = p->all; /* freed with the source, whatever happens */
    p->src->nnodes = p->nall;
    p->all = NULL;
    if (rc < 0) {
        for (size_t i = 0; i < p->ntrees; i++)
            tmpl_tree_free(p->trees[i]);
        free(p->trees);
        rc = err_set(err, E_PARSE, "template: %s:%d: %s", name, p->err_line, p->msg);
        if (te) {
            memset(te, 0, sizeof(*te));
            te->code = E_PARSE;
            snprintf(te->name, sizeof(te->name), "%s", name);
            te->line = p->err_line;
            snprintf(te->msg, sizeof(te->msg), "%s", p->msg);
        }
    } else {
        *out = p->trees;
        *nout = (int)p->ntrees;
    }
    pop_vars(p, 0);
    free(p->vars);
    free(p->all);
    tmpl_lex_release(&p->lx);
    src_unref(p->src);
    free(p);
    return rc;
}

static int list_is_empty(const struct tnode *n)
{
    for (int i = 0; i < n->nkids; i++) {
        const struct tnode *k = n->kids[i];
        if (k->type != N_TEXT)
            return 0;
        for (size_t j = 0; j < k->textlen; j++)
            if (!strchr(" \t\r\n\v\f", k->text[j]) || !k->text[j])
                return 0;
    }
    return 1;
}

int tmpl_tree_is_empty(const struct ttree *t) { return !t->root || list_is_empty(t->root); }

/* ---- String() of nodes, for error contexts -------------------------------------- */

static void idents_string(const struct tnode *n, struct buf *out, int lead_dot)
{
    for (int i = 0; i < n->nident; i++) {
        if (i || lead_dot)
            buf_putc(out, '.');
        buf_puts(out, n->ident[i]);
    }
}

static void pipe_string(const struct tnode *n, struct buf *out)
{
    for (int i = 0; i < n->ndecl; i++) {
        if (i)
            buf_puts(out, ", ");
        buf_puts(out, n->ident[i]);
    }
    if (n->ndecl)
        buf_puts(out, n->is_assign ? " = " : " := ");
    for (int i = 0; i < n->nkids; i++) {
        if (i)
            buf_puts(out, " | ");
        tmpl_node_string(n->kids[i], out);
    }
}

void tmpl_node_string(const struct tnode *n, struct buf *out)
{
    switch (n->type) {
    case N_PIPE: pipe_string(n, out); break;
    case N_CMD:
        for (int i = 0; i < n->nkids; i++) {
            if (i)
                buf_putc(out, ' ');
            if (n->kids[i]->type == N_PIPE)
                buf_putc(out, '(');
            tmpl_node_string(n->kids[i], out);
            if (n->kids[i]->type == N_PIPE)
                buf_putc(out, ')');
        }
        break;
    case N_FIELD: idents_string(n, out, 1); break;
    case N_VAR: idents_string(n, out, 0); break;
    case N_CHAIN:
        if (n->pipe->type == N_PIPE)
            buf_putc(out, '(');
        tmpl_node_string(n->pipe, out);
        if (n->pipe->type == N_PIPE)
            buf_putc(out, ')');
        idents_string(n, out, 1);
        break;
    case N_DOT: buf_putc(out, '.'); break;
    case N_NIL: buf_puts(out, "nil"); break;
    case N_BOOL: case N_NUMBER: case N_STRING: case N_IDENT:
        buf_add(out, n->text, n->textlen);
        break;
    case N_TEMPLATE:
        buf_puts(out, "{{template ");
        go_quote_name(n->text, n->textlen, out);
        if (n->pipe) {
            buf_putc(out, ' ');
            tmpl_node_string(n->pipe, out);
        }
        buf_puts(out, "}}");
        break;
    case N_ACTION:
        buf_puts(out, "{{");
        tmpl_node_string(n->pipe, out);
        buf_puts(out, "}}");
        break;
    default:
        break;
    }
}
