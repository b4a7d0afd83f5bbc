/* tmpl_call.c -- function calls of text/template: arity checks, the builtins
 * (Go's funcs.go: and or not len index slice print printf println html js
 * urlquery eq ne lt le gt ge call), registered functions, and the tmpl_call
 * API through which those reach back into the engine (include, tpl). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tmpl_exec.h"
#include "helm/tmpl_int.h"
#include "helm/tval_int.h"

struct tmpl_call {
    struct tstate *st;
    const struct tfunc *fn;
    char *msg;
};

static struct tfunc builtins[] = {
    {"and", B_AND, NULL, 1, -1, NULL},      {"call", B_CALL, NULL, 1, -1, NULL},
    {"eq", B_EQ, NULL, 1, -1, NULL},        {"ge", B_GE, NULL, 2, 2, NULL},
    {"gt", B_GT, NULL, 2, 2, NULL},         {"html", B_HTML, NULL, 0, -1, NULL},
    {"index", B_INDEX, NULL, 1, -1, NULL},  {"js", B_JS, NULL, 0, -1, NULL},
    {"le", B_LE, NULL, 2, 2, NULL},         {"len", B_LEN, NULL, 1, 1, NULL},
    {"lt", B_LT, NULL, 2, 2, NULL},         {"ne", B_NE, NULL, 2, 2, NULL},
    {"not", B_NOT, NULL, 1, 1, NULL},       {"or", B_OR, NULL, 1, -1, NULL},
    {"print", B_PRINT, NULL, 0, -1, NULL},  {"printf", B_PRINTF, NULL, 1, -1, NULL},
    {"println", B_PRINTLN, NULL, 0, -1, NULL}, {"slice", B_SLICE, NULL, 1, -1, NULL},
    {"urlquery", B_URLQUERY, NULL, 0, -1, NULL},
};

struct tfunc *tmpl_builtin_find(const char *name)
{
    size_t lo = 0, hi = sizeof(builtins) / sizeof(builtins[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(builtins[mid].name, name);
        if (c == 0)
            return &builtins[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- comparison ------------------------------------------------------------------ */

enum bkind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING };

static enum bkind basic_kind(const tval *v)
{
    if (!v)
        return K_INVALID;
    switch (v->kind) {
    case TV_BOOL: return K_BOOL;
    case TV_INT: return K_INT;
    case TV_FLOAT: return K_FLOAT;
    case TV_STRING: return K_STRING;
    default: return K_INVALID;
    }
}

static const tval *deref(const tval *v) { return v && v->kind == TV_NIL ? NULL : v; }

static int str_cmp(const tval *a, const tval *b)
{
    size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.p, b->u.s.p, n);
    if (c)
        return c;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

/* Go's eq for one pair: 1/0, or -1 with *msg. */
static int eq_pair(const tval *a, const tval *b, const char **msg, struct buf *mb)
{
    a = deref(a);
    b = deref(b);
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);
    if (k1 != k2) {
        if (a && b) {
            *msg = "incompatible types for comparison";
            return -1;
        }
        return 0;
    }
    switch (k1) {
    case K_BOOL: return a->u.b == b->u.b;
    case K_INT: return a->u.i == b->u.i;
    case K_FLOAT: return a->u.f == b->u.f;
    case K_STRING: return str_cmp(a, b) == 0;
    default: break;
    }
    if (!a || !b)
        return !a == !b;
    if (a->kind != b->kind || a->kind == TV_OBJECT) {
        if (a->kind == TV_OBJECT && b->kind == TV_OBJECT)
            return tval_equal(a, b);
        *msg = "incompatible types for comparison";
        return -1;
    }
    tval_print(b, mb);
    buf_addf(mb, ": %s", tval_type_name(b));
    *msg = NULL;
    return -2;
}

static int b_eq(struct tstate *st, int argc, tval **argv, int *res, struct buf *mb,
                const char **msg)
{
    (void)st;
    if (argc < 2) {
        *msg = "missing argument for comparison";
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        int t = eq_pair(argv[0], argv[i], msg, mb);
        if (t < 0)
            return -1;
        if (t) {
            *res = 1;
            return 0;
        }
    }
    *res = 0;
    return 0;
}

/* lt: 1/0 or -1 with *msg. */
static int lt_pair(const tval *a, const tval *b, const char **msg)
{
    a = deref(a);
    b = deref(b);
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);
    if (k1 == K_INVALID || k2 == K_INVALID) {
        *msg = "invalid type for comparison";
        return -1;
    }
    if (k1 != k2) {
        *msg = "incompatible types for comparison";
        return -1;
    }
    switch (k1) {
    case K_INT: return a->u.i < b->u.i;
    case K_FLOAT: return a->u.f < b->u.f;
    case K_STRING: return str_cmp(a, b) < 0;
    default:
        *msg = "invalid type for comparison";
        return -1;
    }
}

static int b_compare(enum tbuiltin b, tval **argv, int *res, struct buf *mb, const char **msg)
{
    int lt = 0, eq = 0;
    if (b != B_NE) {
        lt = lt_pair(argv[0], argv[1], msg);
        if (lt < 0)
            return -1;
    }
    if (b == B_NE || b == B_LE || b == B_GT) {
        eq = eq_pair(argv[0], argv[1], msg, mb);
        if (eq < 0)
            return -1;
    }
    switch (b) {
    case B_NE: *res = !eq; break;
    case B_LT: *res = lt; break;
    case B_LE: *res = lt || eq; break;
    case B_GT: *res = !(lt || eq); break;
    default: *res = !lt; break;
    }
    return 0;
}

/* ---- index, slice, len -------------------------------------------------------------- */

static int index_arg(const tval *x, int64_t cap, int64_t *out, struct buf *mb)
{
    x = deref(x);
    if (!x) {
        buf_puts(mb, "cannot index slice/array with nil");
        return -1;
    }
    if (x->kind != TV_INT) {
        buf_addf(mb, "cannot index slice/array with type %s", tval_type_name(x));
        return -1;
    }
    if (x->u.i < 0 || x->u.i > cap) {
        buf_addf(mb, "index out of range: %lld", (long long)x->u.i);
        return -1;
    }
    *out = x->u.i;
    return 0;
}

static int b_index(int argc, tval **argv, tval **out, struct buf *mb)
{
    tval *item = (tval *)deref(argv[0]);
    if (!item) {
        buf_puts(mb, "index of untyped nil");
        return -1;
    }
    item = tval_ref(item);
    for (int i = 1; i < argc; i++) {
        int64_t x;
        tval *next = NULL;
        if (item->kind == TV_NIL) {
            buf_puts(mb, "index of nil pointer");
        } else if (item->kind == TV_LIST || item->kind == TV_STRING) {
            int64_t len = item->kind == TV_LIST ? (int64_t)item->u.l.len : (int64_t)item->u.s.len;
            if (index_arg(argv[i], len, &x, mb) == 0) {
                if (x == len)
                    buf_addf(mb, "index out of range: %lld", (long long)x);
                else if (item->kind == TV_LIST)
                    next = tval_ref(item->u.l.items[x]);
                else
                    next = tval_int((unsigned char)item->u.s.p[x]);
            }
        } else if (item->kind == TV_MAP) {
            const tval *k = deref(argv[i]);
            if (!k)
                buf_puts(mb, "value is nil; should be of type string");
            else if (k->kind != TV_STRING)
                buf_addf(mb, "value has type %s; should be string", tval_type_name(k));
            else {
                next = tval_map_getn(item, k->u.s.p, k->u.s.len);
                next = next ? tval_ref(next) : tval_nil();
            }
        } else {
            buf_addf(mb, "can't index item of type %s", tval_type_name(item));
        }
        tval_unref(item);
        if (!next)
            return -1;
        item = next;
    }
    *out = item;
    return 0;
}

static int b_slice(int argc, tval **argv, tval **out, struct buf *mb)
{
    const tval *item = deref(argv[0]);
    if (!item) {
        buf_puts(mb, "slice of untyped nil");
        return -1;
    }
    if (argc - 1 > 3) {
        buf_addf(mb, "too many slice indexes: %d", argc - 1);
        return -1;
    }
    int64_t cap;
    if (item->kind == TV_STRING) {
        if (argc - 1 == 3) {
            buf_puts(mb, "cannot 3-index slice a string");
            return -1;
        }
        cap = (int64_t)item->u.s.len;
    } else if (item->kind == TV_LIST) {
        cap = (int64_t)item->u.l.len;
    } else {
        buf_addf(mb, "can't slice item of type %s", tval_type_name(item));
        return -1;
    }
    int64_t idx[3] = {0, cap, cap};
    for (int i = 1; i < argc; i++)
        if (index_arg(argv[i], cap, &idx[i - 1], mb) < 0)
            return -1;
    if (idx[0] > idx[1] || (argc - 1 == 3 && idx[1] > idx[2])) {
        int j = idx[0] > idx[1] ? 0 : 1;
        buf_addf(mb, "invalid slice index: %lld > %lld", (long long)idx[j], (long long)idx[j + 1]);
        return -1;
    }
    if (item->kind == TV_STRING) {
        *out = tval_strn(item->u.s.p + idx[0], (size_t)(idx[1] - idx[0]));
        return 0;
    }
    tval *l = tval_list();
    for (int64_t i = idx[0]; i < idx[1]; i++)
        tval_list_append(l, tval_ref(item->u.l.items[i]));
    *out = l;
    return 0;
}

static int b_len(tval *v, tval **out, struct buf *mb)
{
    if (!v) {
        buf_puts(mb, "reflect: call of reflect.Value.Type on zero Value");
        return -1;
    }
    switch (v->kind) {
    case TV_NIL: buf_puts(mb, "len of nil pointer"); return -1;
    case TV_STRING: *out = tval_int((int64_t)v->u.s.len); return 0;
    case TV_LIST: *out = tval_int((int64_t)v->u.l.len); return 0;
    case TV_MAP: *out = tval_int((int64_t)v->u.m.len); return 0;
    default: buf_addf(mb, "len of type %s", tval_type_name(v)); return -1;
    }
}

/* ---- escaping ----------------------------------------------------------------------- */

/* Go's evalArgs: one string as is, else Sprint with "no value" for missing. */
static void eval_args_string(int argc, tval **argv, struct buf *out)
{
    if (argc == 1 && argv[0] && argv[0]->kind == TV_STRING) {
        buf_add(out, argv[0]->u.s.p, argv[0]->u.s.len);
        return;
    }
    tval **a = xcalloc((size_t)argc + 1, sizeof(tval *));
    for (int i = 0; i < argc; i++)
        a[i] = argv[i] && argv[i]->kind != TV_NIL ? tval_ref(argv[i]) : tval_str("<no value>");
    tval_sprint(out, argc, a);
    for (int i = 0; i < argc; i++)
        tval_unref(a[i]);
    free(a);
}

static void html_escape(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '"': buf_puts(out, "&#34;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '\0': buf_puts(out, "\xEF\xBF\xBD"); break;
        default: buf_putc(out, s[i]);
        }
    }
}

static void js_escape(const char *s, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\': buf_puts(out, "\\\\"); break;
        case '\'': buf_puts(out, "\\'"); break;
        case '"': buf_puts(out, "\\\""); break;
        case '<': buf_puts(out, "\\u003C"); break;
        case '>': buf_puts(out, "\\u003E"); break;
        case '&': buf_puts(out, "\\u0026"); break;
        case '=': buf_puts(out, "\\u003D"); break;
        default:
            if (c < ' ') {
                buf_puts(out, "\\u00");
                buf_putc(out, hex[c >> 4]);
                buf_putc(out, hex[c & 15]);
            } else {
                buf_putc(out, (char)c);
            }
        }
    }
}

static void url_escape(const char *s, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(out, (char)c);
        } else if (c == ' ') {
            buf_putc(out, '+');
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[c >> 4]);
            buf_putc(out, hex[c & 15]);
        }
    }
}

/* ---- dispatch ------------------------------------------------------------------------ */

static int b_printf(int argc, tval **argv, tval **out, struct buf *mb)
{
    if (!argv[0]) {
        buf_puts(mb, "invalid value; expected string");
        return -2;
    }
    if (argv[0]->kind != TV_STRING) {
        buf_addf(mb, "wrong type for value; expected string; got %s", tval_type_name(argv[0]));
        return -2;
    }
    struct buf b = BUF_INIT;
    tval **rest = xcalloc((size_t)argc, sizeof(tval *));
    for (int i = 1; i < argc; i++)
        rest[i - 1] = argv[i] ? argv[i] : tval_nil();
    tval_sprintf(&b, argv[0]->u.s.p, argv[0]->u.s.len, argc - 1, rest);
    free(rest);
    size_t n;
    char *s = buf_detach(&b, &n);
    *out = tval_str_take(s, n);
    return 0;
}

static int b_string_fn(enum tbuiltin b, int argc, tval **argv, tval **out)
{
    struct buf s = BUF_INIT, r = BUF_INIT;
    if (b == B_PRINT || b == B_PRINTLN) {
        tval **a = xcalloc((size_t)argc + 1, sizeof(tval *));
        for (int i = 0; i < argc; i++)
            a[i] = argv[i] ? argv[i] : tval_nil();
        if (b == B_PRINT)
            tval_sprint(&r, argc, a);
        else
            tval_sprintln(&r, argc, a);
        free(a);
    } else {
        eval_args_string(argc, argv, &s);
        if (b == B_HTML)
            html_escape(s.ptr, s.len, &r);
        else if (b == B_JS)
            js_escape(s.ptr, s.len, &r);
        else
            url_escape(s.ptr, s.len, &r);
    }
    buf_release(&s);
    size_t n;
    char *p = buf_detach(&r, &n);
    *out = tval_str_take(p, n);
    return 0;
}

/* Run builtin b on evaluated argv (NULL entries = no value).  Returns 0,
 * -1 with a function error in mb ("error calling X: ..."), or -2 with a
 * plain execution error in mb. */
static int run_builtin(struct tstate *st, enum tbuiltin b, int argc, tval **argv,
                       const struct tnode *const *args, tval **out, struct buf *mb)
{
    const char *msg = NULL;
    int res = 0, rc;
    switch (b) {
    case B_NOT: *out = tval_bool(!(argv[0] && tval_truth(argv[0]))); return 0;
    case B_LEN: return b_len(argv[0], out, mb);
    case B_INDEX: return b_index(argc, argv, out, mb);
    case B_SLICE: return b_slice(argc, argv, out, mb);
    case B_PRINTF: return b_printf(argc, argv, out, mb);
    case B_PRINT: case B_PRINTLN: case B_HTML: case B_JS: case B_URLQUERY:
        return b_string_fn(b, argc, argv, out);
    case B_CALL:
        if (!deref(argv[0])) {
            buf_puts(mb, "call of nil");
        } else {
            struct buf nm = BUF_INIT;
            if (args)
                tmpl_node_string(args[0], &nm);
            buf_addf(mb, "non-function %s of type %s", nm.ptr, tval_type_name(argv[0]));
            buf_release(&nm);
        }
        return -1;
    case B_EQ: rc = b_eq(st, argc, argv, &res, mb, &msg); break;
    default: rc = b_compare(b, argv, &res, mb, &msg); break;
    }
    if (rc < 0) {
        if (msg) {
            buf_puts(mb, msg);
        } else {
            /* mb holds "VALUE: TYPE" of the operand */
            struct buf t = BUF_INIT;
            buf_addf(&t, "non-comparable type %s", mb->ptr);
            buf_reset(mb);
            buf_add(mb, t.ptr, t.len);
            buf_release(&t);
        }
        return -1;
    }
    *out = tval_bool(res);
    return 0;
}

/* ---- calls --------------------------------------------------------------------------- */

static int arity_error(struct tstate *st, const struct tfunc *fn, int numin, int nargs)
{
    char m[160];
    if (fn->max_args < 0)
        snprintf(m, sizeof(m), "wrong number of args for %s: want at least %d got %d", fn->name,
                 fn->min_args, nargs);
    else
        snprintf(m, sizeof(m), "wrong number of args for %s: want %d got %d", fn->name,
                 numin < fn->min_args ? fn->min_args : fn->max_args, numin);
    return tmpl_exec_error(st, NULL, m);
}

static int and_or(struct tstate *st, struct xv dot, const struct tfunc *fn,
                  const struct tnode *const *args, int nargs, const struct xv *final,
                  struct xv *out)
{
    struct xv v = {NULL, 0};
    for (int i = 0; i < nargs; i++) {
        tval_unref(v.v);
        if (tmpl_eval_arg(st, dot, args[i], &v) < 0)
            return -1;
        int t = v.v && tval_truth(v.v);
        if (t == (fn->builtin == B_OR)) {
            *out = v;
            return 0;
        }
    }
    if (final) {
        tval_unref(v.v);
        v.v = tval_ref(final->v);
        v.iface = final->iface;
    }
    *out = v;
    return 0;
}

static int call_user(struct tstate *st, const struct tfunc *fn, const struct tnode *node,
                     int argc, tval **argv, struct xv *out)
{
    struct tmpl_call c = {st, fn, NULL};
    for (int i = 0; i < argc; i++)
        if (!argv[i])
            argv[i] = tval_nil();
    tval *res = NULL;
    int rc = fn->fn(&c, argc, argv, &res);
    if (rc < 0) {
        st->node = node;
        rc = tmpl_exec_error_call(st, fn->name, c.msg ? c.msg : "failed");
        free(c.msg);
        tval_unref(res);
        return rc;
    }
    free(c.msg);
    out->v = res ? res : tval_nil();
    out->iface = 0;
    return 0;
}

/* Big strings made by functions count against the step limit (one step per
 * 4 KiB), so a limited run cannot spend long building huge intermediates. */
static int charge_output(struct tstate *st, size_t len)
{
    struct texec *ex = st->ex;
    if (!ex->max_steps)
        return 0;
    ex->steps += len >> 12;
    if (ex->steps > ex->max_steps) {
        char m[80];
        snprintf(m, sizeof(m), "exceeded the step limit (%zu)", ex->max_steps);
        return tmpl_exec_error(st, NULL, m);
    }
    return 0;
}

int tmpl_eval_call(struct tstate *st, struct xv dot, const struct tfunc *fn,
                   const struct tnode *node, const struct tnode *const *args, int nargs,
                   const struct xv *final, struct xv *out)
{
    int numin = nargs + (final ? 1 : 0);
    out->v = NULL;
    out->iface = 0;
    if (numin < fn->min_args || (fn->max_args >= 0 && numin > fn->max_args))
        return arity_error(st, fn, numin, nargs);
    if (fn->builtin == B_AND || fn->builtin == B_OR)
        return and_or(st, dot, fn, args, nargs, final, out);
    tval **argv = xcalloc((size_t)numin + 1, sizeof(tval *));
    int rc = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        struct xv a = {NULL, 0};
        rc = tmpl_eval_arg(st, dot, args[i], &a);
        argv[i] = a.v;
    }
    if (rc == 0 && final)
        argv[numin - 1] = tval_ref(final->v);
    if (rc == 0 && (fn->builtin == B_LEN || fn->builtin == B_INDEX || fn->builtin == B_SLICE)) {
        tval *plain = tval_obj_value(argv[0]);
        tval_unref(argv[0]);
        argv[0] = plain;
    }
    if (rc == 0 && fn->builtin == B_NONE) {
        rc = call_user(st, fn, node, numin, argv, out);
    } else if (rc == 0) {
        struct buf mb = BUF_INIT;
        tval *res = NULL;
        rc = run_builtin(st, fn->builtin, numin, argv, args, &res, &mb);
        st->node = node;
        if (rc == -2)
            rc = tmpl_exec_error(st, NULL, mb.ptr);
        else if (rc < 0)
            rc = tmpl_exec_error_call(st, fn->name, mb.ptr);
        else
            out->v = res;
        buf_release(&mb);
    }
    for (int i = 0; i < numin; i++)
        tval_unref(argv[i]);
    free(argv);
    if (rc == 0 && out->v && out->v->kind == TV_STRING)
        rc = charge_output(st, out->v->u.s.len);
    if (rc < 0) {
        tval_unref(out->v);
        out->v = NULL;
    }
    return rc < 0 ? -1 : 0;
}

/* ---- the tmpl_call API ------------------------------------------------------------- */

int tmpl_call_errorf(tmpl_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    free(c->msg);
    c->msg = m ? m : xstrdup("error");
    return -1;
}

tmpl_set *tmpl_call_set(tmpl_call *c) { return c->st->set; }
void *tmpl_call_userdata(tmpl_call *c) { return c->fn->ud; }
const char *tmpl_call_func_name(tmpl_call *c) { return c->fn->name; }
const char *tmpl_call_root_name(tmpl_call *c) { return c->st->ex->root_name; }

/* Take the nested run's error as this call's message; execution goes on
 * with the caller reporting "error calling F: <message>". */
static int adopt_error(tmpl_call *c)
{
    struct texec *ex = c->st->ex;
    free(c->msg);
    c->msg = xstrdup(ex->msg);
    ex->failed = 0;
    return -1;
}

int tmpl_call_include(tmpl_call *c, const char *name, tval *data, struct buf *out)
{
    struct tstate *st = c->st;
    struct ttree *t = tmpl_find_tree(st->set, name);
    if (!t)
        return tmpl_call_errorf(c, "template: no template \"%s\" associated with template "
                                   "\"gotpl\"", name);
    if (st->depth >= TMPL_MAX_DEPTH)
        return tmpl_call_errorf(c, "exceeded maximum template depth (%d)", TMPL_MAX_DEPTH);
    if (tmpl_run_tree(st->set, t, data, out, st->depth + 1, st->ex) < 0)
        return adopt_error(c);
    return 0;
}

int tmpl_call_tpl(tmpl_call *c, const char *name, const char *text, size_t len, tval *data,
                  struct buf *out)
{
    struct tstate *st = c->st;
    if (st->depth >= TMPL_MAX_DEPTH)
        return tmpl_call_errorf(c, "exceeded maximum template depth (%d)", TMPL_MAX_DEPTH);
    tmpl_set *ov = tmpl_set_new();
    ov->parent = st->set;
    ov->missing = st->set->missing;
    struct err e = ERR_INIT;
    int rc = tmpl_set_parse(ov, name, text, len, &e);
    if (rc < 0) {
        tmpl_set_free(ov);
        return tmpl_call_errorf(c, "%s", e.msg);
    }
    struct ttree *t = tmpl_find_tree(ov, name);
    rc = tmpl_run_tree(ov, t, data, out, st->depth + 1, st->ex);
    tmpl_set_free(ov);
    return rc < 0 ? adopt_error(c) : 0;
}
