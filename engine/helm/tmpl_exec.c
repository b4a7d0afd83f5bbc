/* tmpl_exec.c -- the executor of text/template (Go's exec.go): walks a parsed
 * tree against tval data.  A value in flight is an xv: a reference (NULL is
 * Go's invalid "no value") plus whether its static type is interface{} (it
 * came out of a map or list), which only changes error wording and whether a
 * nil is "nil pointer evaluating interface {}". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tmpl_exec.h"
#include "helm/tmpl_int.h"
#include "helm/tval_int.h"

enum { W_OK = 0, W_BREAK = 1, W_CONTINUE = 2, W_ERR = -1 };

/* ---- errors ------------------------------------------------------------------- */

static void locate(const struct tstate *st, const struct tnode *n, int *line, int *col)
{
    const char *text = st->tree->src->text;
    size_t pos = (size_t)n->pos;
    if (pos > st->tree->src->len)
        pos = st->tree->src->len;
    int l = 1;
    size_t last = (size_t)-1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            l++;
            last = i;
        }
    }
    *line = l;
    *col = (int)(last == (size_t)-1 ? pos : pos - last - 1);
}

/* Copy Go's message; when nested include errors make it too long, keep its
 * start and the innermost message (root) rather than cutting that off. */
static void copy_msg(char *dst, size_t size, struct buf *m, const char *root)
{
    size_t rl = strlen(root);
    if (m->len >= size && rl + 40 < size) {
        size_t keep = size - rl - 6;
        memcpy(dst, m->ptr, keep);
        memcpy(dst + keep, " ... ", 5);
        memcpy(dst + keep + 5, root, rl + 1);
    } else {
        size_t n = m->len < size - 1 ? m->len : size - 1;
        memcpy(dst, m->ptr, n);
        dst[n] = '\0';
    }
    buf_release(m);
}

/* Record an execution error at st->node (func: the failing function or NULL). */
static int xerr_fn(struct tstate *st, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int xerr_fn(struct tstate *st, const char *func, const char *fmt, ...)
{
    struct texec *ex = st->ex;
    if (ex->failed)
        return W_ERR;
    char msg[ERR_MSG_MAX], full[ERR_MSG_MAX + 80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (func && ex->call_error)
        snprintf(full, sizeof(full), "error calling %s: %s", func, msg);
    else
        snprintf(full, sizeof(full), "%s", msg);
    ex->call_error = 0;
    struct tmpl_error *te = &ex->te;
    int had_root = ex->have_root;
    memset(te->name, 0, sizeof(te->name));
    te->code = E_INVALID;
    snprintf(te->name, sizeof(te->name), "%s", st->tree->src->name);
    snprintf(te->exec_name, sizeof(te->exec_name), "%s", st->tree->name);
    snprintf(te->func, sizeof(te->func), "%s", func ? func : "");
    snprintf(te->msg, sizeof(te->msg), "%s", msg);
    te->line = te->col = 0;
    te->node[0] = '\0';
    if (st->node) {
        struct buf ctx = BUF_INIT;
        locate(st, st->node, &te->line, &te->col);
        tmpl_node_string(st->node, &ctx);
        snprintf(te->node, sizeof(te->node), "%s", ctx.ptr);
        struct buf m = BUF_INIT;
        buf_addf(&m, "template: %s:%d:%d: executing \"%s\" at <%s>: %s", te->name, te->line,
                 te->col, te->exec_name, ctx.ptr, full);
        copy_msg(ex->msg, sizeof(ex->msg), &m, had_root ? te->root.msg : "");
        buf_release(&ctx);
    } else {
        struct buf m = BUF_INIT;
        buf_addf(&m, "template: %s: %s", te->exec_name, full);
        copy_msg(ex->msg, sizeof(ex->msg), &m, had_root ? te->root.msg : "");
    }
    if (!had_root) {
        snprintf(te->root.name, sizeof(te->root.name), "%s", te->name);
        te->root.line = te->line;
        te->root.col = te->col;
        snprintf(te->root.func, sizeof(te->root.func), "%s", te->func);
        snprintf(te->root.msg, sizeof(te->root.msg), "%s", te->msg);
        ex->have_root = 1;
    }
    ex->failed = 1;
    return W_ERR;
}

#define xerr(st, ...) xerr_fn(st, NULL, __VA_ARGS__)

/* ---- variables ---------------------------------------------------------------- */

static void var_push(struct tstate *st, const char *name, struct xv v)
{
    if (st->nvars == st->cap) {
        size_t ncap = st->cap * 2;
        struct tvar *nv = xmalloc(ncap * sizeof(*nv));
        memcpy(nv, st->vars, st->nvars * sizeof(*nv));
        if (st->vars != st->inl)
            free(st->vars);
        st->vars = nv;
        st->cap = ncap;
    }
    st->vars[st->nvars].name = name;
    st->vars[st->nvars].v = tval_ref(v.v);
    st->vars[st->nvars].iface = v.iface;
    st->nvars++;
}

static void var_pop(struct tstate *st, size_t mark)
{
    while (st->nvars > mark) {
        st->nvars--;
        tval_unref(st->vars[st->nvars].v);
    }
}

static void var_slot_set(struct tvar *slot, struct xv v)
{
    tval *old = slot->v;
    slot->v = tval_ref(v.v);
    slot->iface = v.iface;
    tval_unref(old);
}

static int var_set(struct tstate *st, const char *name, struct xv v)
{
    for (size_t i = st->nvars; i-- > 0;) {
        if (!strcmp(st->vars[i].name, name)) {
            var_slot_set(&st->vars[i], v);
            return 0;
        }
    }
    return xerr(st, "undefined variable: %s", name);
}

/* ---- helpers -------------------------------------------------------------------- */

static struct xv xv_own(tval *v, int iface)
{
    struct xv x = {v, iface};
    return x;
}

static void xv_drop(struct xv *x)
{
    tval_unref(x->v);
    x->v = NULL;
}

static const char *type_of(struct xv x)
{
    if (x.iface)
        return "interface {}";
    return x.v ? tval_type_name(x.v) : "<nil>";
}

static int step(struct tstate *st)
{
    struct texec *ex = st->ex;
    if (ex->max_steps && ++ex->steps > ex->max_steps)
        return xerr(st, "exceeded the step limit (%zu)", ex->max_steps);
    return 0;
}

static int check_output(struct tstate *st)
{
    if (st->ex->max_output && st->out->len > st->ex->max_output)
        return xerr(st, "output exceeds the limit (%zu bytes)", st->ex->max_output);
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------ */

static int eval_pipeline(struct tstate *st, struct xv dot, const struct tnode *pipe,
                         struct xv *out);
static int eval_arg(struct tstate *st, struct xv dot, const struct tnode *n, struct xv *out);

static int not_a_function(struct tstate *st, const struct tnode *cmd, const struct xv *final)
{
    if ((cmd && cmd->nkids > 1) || final) {
        struct buf b = BUF_INIT;
        tmpl_node_string(cmd ? cmd->kids[0] : st->node, &b);
        int rc = xerr(st, "can't give argument to non-function %s", b.ptr);
        buf_release(&b);
        return rc;
    }
    return 0;
}

/* Evaluate the arguments of an object method call. */
static int eval_method_args(struct tstate *st, struct xv dot, const struct tnode *cmd,
                            const struct xv *final, tval ***argv, int *argc)
{
    int n = (cmd ? cmd->nkids - 1 : 0) + (final ? 1 : 0);
    *argv = n ? xcalloc((size_t)n, sizeof(tval *)) : NULL;
    *argc = n;
    const struct tnode *saved = st->node;
    for (int i = 0; cmd && i < cmd->nkids - 1; i++) {
        struct xv a = {NULL, 0};
        if (eval_arg(st, dot, cmd->kids[i + 1], &a) < 0)
            return W_ERR;
        (*argv)[i] = a.v ? a.v : tval_nil();
    }
    if (final)
        (*argv)[n - 1] = final->v ? tval_ref(final->v) : tval_nil();
    st->node = saved;
    return 0;
}

static void free_argv(tval **argv, int argc)
{
    for (int i = 0; i < argc; i++)
        tval_unref(argv[i]);
    free(argv);
}

static int eval_object_field(struct tstate *st, struct xv dot, const char *name,
                             const struct tnode *cmd, const struct xv *final, struct xv recv,
                             struct xv *out)
{
    tval **argv = NULL;
    int argc = 0;
    if (eval_method_args(st, dot, cmd, final, &argv, &argc) < 0) {
        free_argv(argv, argc);
        return W_ERR;
    }
    struct err e = ERR_INIT;
    tval *res = NULL;
    const struct tval_obj_ops *ops = recv.v->u.o.ops;
    int rc = ops->get(recv.v->u.o.ctx, name, argc, argv, &res, &e);
    free_argv(argv, argc);
    if (rc == TVAL_NOFIELD)
        return xerr(st, "can't evaluate field %s in type %s", name, type_of(recv));
    if (rc < 0 && rc != E_INVALID)
        return tmpl_exec_error_call(st, name, e.msg);
    if (rc < 0)
        return xerr(st, "%s", e.msg);
    *out = xv_own(res ? res : tval_nil(), 0);
    return 0;
}

static int eval_field(struct tstate *st, struct xv dot, const char *name, const struct tnode *cmd,
                      const struct xv *final, struct xv recv, struct xv *out)
{
    *out = xv_own(NULL, 0);
    if (!recv.v) {
        if (st->set->missing == TMPL_MISSING_ERROR)
            return xerr(st, "nil data; no entry for key \"%s\"", name);
        return 0;
    }
    switch (recv.v->kind) {
    case TV_NIL:
        return xerr(st, "nil pointer evaluating interface {}.%s", name);
    case TV_OBJECT:
        return eval_object_field(st, dot, name, cmd, final, recv, out);
    case TV_MAP: {
        if ((cmd && cmd->nkids > 1) || final)
            return xerr(st, "%s is not a method but has arguments", name);
        tval *v = tval_map_get(recv.v, name);
        if (v) {
            *out = xv_own(tval_ref(v), 1);
            return 0;
        }
        if (st->set->missing == TMPL_MISSING_ZERO)
            *out = xv_own(tval_nil(), 1);
        else if (st->set->missing == TMPL_MISSING_ERROR)
            return xerr(st, "map has no entry for key \"%s\"", name);
        return 0;
    }
    default:
        return xerr(st, "can't evaluate field %s in type %s", name, type_of(recv));
    }
}

static int eval_field_chain(struct tstate *st, struct xv dot, struct xv recv, char **ident, int n,
                            const struct tnode *cmd, const struct xv *final, struct xv *out)
{
    struct xv cur = xv_own(tval_ref(recv.v), recv.iface);
    for (int i = 0; i < n - 1; i++) {
        struct xv nx = {NULL, 0};
        int rc = eval_field(st, dot, ident[i], NULL, NULL, cur, &nx);
        xv_drop(&cur);
        if (rc < 0)
            return rc;
        cur = nx;
    }
    int rc = eval_field(st, dot, ident[n - 1], cmd, final, cur, out);
    xv_drop(&cur);
    return rc;
}

static int eval_field_node(struct tstate *st, struct xv dot, const struct tnode *f,
                           const struct tnode *cmd, const struct xv *final, struct xv *out)
{
    st->node = f;
    return eval_field_chain(st, dot, dot, f->ident, f->nident, cmd, final, out);
}

static int eval_chain_node(struct tstate *st, struct xv dot, const struct tnode *c,
                           const struct tnode *cmd, const struct xv *final, struct xv *out)
{
    st->node = c;
    if (c->pipe->type == N_NIL) {
        struct buf b = BUF_INIT;
        tmpl_node_string(c, &b);
        int rc = xerr(st, "indirection through explicit nil in %s", b.ptr);
        buf_release(&b);
        return rc;
    }
    struct xv recv = {NULL, 0};
    if (eval_arg(st, dot, c->pipe, &recv) < 0)
        return W_ERR;
    st->node = c;
    int rc = eval_field_chain(st, dot, recv, c->ident, c->nident, cmd, final, out);
    xv_drop(&recv);
    return rc;
}

static int var_lookup(struct tstate *st, const char *name, struct xv *out)
{
    for (size_t i = st->nvars; i-- > 0;) {
        if (!strcmp(st->vars[i].name, name)) {
            *out = xv_own(st->vars[i].v, st->vars[i].iface); /* borrowed */
            return 0;
        }
    }
    return xerr(st, "undefined variable: %s", name);
}

static int eval_variable_node(struct tstate *st, struct xv dot, const struct tnode *v,
                              const struct tnode *cmd, const struct xv *final, struct xv *out)
{
    st->node = v;
    struct xv val = {NULL, 0};
    if (var_lookup(st, v->ident[0], &val) < 0)
        return W_ERR;
    if (v->nident == 1) {
        if (not_a_function(st, cmd, final) < 0)
            return W_ERR;
        *out = xv_own(tval_ref(val.v), val.iface);
        return 0;
    }
    return eval_field_chain(st, dot, val, v->ident + 1, v->nident - 1, cmd, final, out);
}

static int ideal_constant(struct tstate *st, const struct tnode *n, struct xv *out)
{
    st->node = n;
    if (n->bad_int)
        return xerr(st, "%s overflows int", n->text);
    *out = xv_own(tval_ref(n->k), 0);
    return 0;
}

static int eval_function(struct tstate *st, struct xv dot, const struct tnode *id,
                         const struct tnode *cmd, const struct xv *final, struct xv *out)
{
    st->node = id;
    const struct tnode *args = cmd;
    return tmpl_eval_call(st, dot, id->fn, cmd ? cmd : id,
                          args ? (const struct tnode *const *)args->kids + 1 : NULL,
                          args ? args->nkids - 1 : 0, final, out);
}

static int eval_arg(struct tstate *st, struct xv dot, const struct tnode *n, struct xv *out)
{
    st->node = n;
    *out = xv_own(NULL, 0);
    switch (n->type) {
    case N_DOT: *out = xv_own(tval_ref(dot.v), dot.iface); return 0;
    case N_NIL: *out = xv_own(tval_nil(), 0); return 0;
    case N_FIELD: return eval_field_node(st, dot, n, NULL, NULL, out);
    case N_VAR: return eval_variable_node(st, dot, n, NULL, NULL, out);
    case N_PIPE: return eval_pipeline(st, dot, n, out);
    case N_IDENT: return eval_function(st, dot, n, NULL, NULL, out);
    case N_CHAIN: return eval_chain_node(st, dot, n, NULL, NULL, out);
    case N_NUMBER: return ideal_constant(st, n, out);
    default: *out = xv_own(tval_ref(n->k), 0); return 0;
    }
}

int tmpl_eval_arg(struct tstate *st, struct xv dot, const struct tnode *n, struct xv *out)
{
    return eval_arg(st, dot, n, out);
}

static int eval_command(struct tstate *st, struct xv dot, const struct tnode *cmd,
                        const struct xv *final, struct xv *out)
{
    const struct tnode *first = cmd->kids[0];
    *out = xv_own(NULL, 0);
    switch (first->type) {
    case N_FIELD: return eval_field_node(st, dot, first, cmd, final, out);
    case N_CHAIN: return eval_chain_node(st, dot, first, cmd, final, out);
    case N_IDENT: return eval_function(st, dot, first, cmd, final, out);
    case N_VAR: return eval_variable_node(st, dot, first, cmd, final, out);
    case N_PIPE:
        st->node = first;
        if (not_a_function(st, cmd, final) < 0)
            return W_ERR;
        return eval_pipeline(st, dot, first, out);
    default: break;
    }
    st->node = first;
    if (not_a_function(st, cmd, final) < 0)
        return W_ERR;
    switch (first->type) {
    case N_DOT: *out = xv_own(tval_ref(dot.v), dot.iface); return 0;
    case N_NIL: return xerr(st, "nil is not a command");
    case N_NUMBER: return ideal_constant(st, first, out);
    default: *out = xv_own(tval_ref(first->k), 0); return 0;
    }
}

static int eval_pipeline(struct tstate *st, struct xv dot, const struct tnode *pipe,
                         struct xv *out)
{
    struct xv val = xv_own(NULL, 0);
    int have = 0;
    *out = val;
    st->node = pipe;
    if (step(st) < 0)
        return W_ERR;
    for (int i = 0; i < pipe->nkids; i++) {
        struct xv res = {NULL, 0};
        int rc = eval_command(st, dot, pipe->kids[i], have ? &val : NULL, &res);
        xv_drop(&val);
        if (rc < 0)
            return W_ERR;
        val = res;
        have = 1;
        /* interface{} results are dug into: a nil one becomes "no value" */
        val.iface = 0;
        if (val.v && val.v->kind == TV_NIL)
            xv_drop(&val);
    }
    for (int i = 0; i < pipe->ndecl; i++) {
        if (pipe->is_assign) {
            if (var_set(st, pipe->ident[i], val) < 0) {
                xv_drop(&val);
                return W_ERR;
            }
        } else {
            var_push(st, pipe->ident[i], val);
        }
    }
    *out = val;
    return 0;
}

int tmpl_eval_pipeline(struct tstate *st, struct xv dot, const struct tnode *pipe, struct xv *out)
{
    return eval_pipeline(st, dot, pipe, out);
}

/* ---- walking ---------------------------------------------------------------------- */

static int walk(struct tstate *st, struct xv dot, const struct tnode *n);

static int print_value(struct tstate *st, const struct tnode *n, struct xv v)
{
    st->node = n;
    if (!v.v)
        buf_add(st->out, "<no value>", 10);
    else
        tval_print(v.v, st->out);
    return check_output(st);
}

static int walk_if_with(struct tstate *st, struct xv dot, const struct tnode *n)
{
    size_t mark = st->nvars;
    struct xv val = {NULL, 0};
    int rc = eval_pipeline(st, dot, n->pipe, &val);
    if (rc == 0) {
        if (val.v && tval_truth(val.v))
            rc = walk(st, n->type == N_WITH ? val : dot, n->list);
        else if (n->elist)
            rc = walk(st, dot, n->elist);
    }
    xv_drop(&val);
    var_pop(st, mark);
    return rc;
}

static int range_iter(struct tstate *st, const struct tnode *r, struct xv index, struct xv elem)
{
    const struct tnode *pipe = r->pipe;
    if (pipe->ndecl > 0) {
        if (pipe->is_assign) {
            if (var_set(st, pipe->ident[0], pipe->ndecl > 1 ? index : elem) < 0)
                return W_ERR;
        } else {
            var_slot_set(&st->vars[st->nvars - 1], elem);
        }
    }
    if (pipe->ndecl > 1) {
        if (pipe->is_assign) {
            if (var_set(st, pipe->ident[1], elem) < 0)
                return W_ERR;
        } else {
            var_slot_set(&st->vars[st->nvars - 2], index);
        }
    }
    size_t mark = st->nvars;
    int rc = walk(st, elem, r->list);
    var_pop(st, mark);
    return rc == W_CONTINUE ? W_OK : rc;
}

/* Iterate val; *ran is set when there was at least one element. */
static int range_over(struct tstate *st, const struct tnode *r, struct xv val, int *ran)
{
    int rc = W_OK;
    tval *v = val.v;
    if (v->kind == TV_LIST) {
        for (size_t i = 0; i < v->u.l.len && rc == W_OK; i++) {
            tval *idx = tval_int((int64_t)i);
            *ran = 1;
            rc = range_iter(st, r, xv_own(idx, 0), xv_own(v->u.l.items[i], 1));
            tval_unref(idx);
        }
    } else if (v->kind == TV_MAP) {
        for (size_t i = 0; i < v->u.m.len && rc == W_OK; i++) {
            tval *key = tval_strn(v->u.m.ents[i].key, v->u.m.ents[i].klen);
            *ran = 1;
            rc = range_iter(st, r, xv_own(key, 0), xv_own(v->u.m.ents[i].v, 1));
            tval_unref(key);
        }
    } else if (v->kind == TV_INT) {
        if (r->pipe->ndecl > 1) {
            struct buf b = BUF_INIT;
            tval_print(v, &b);
            rc = xerr(st, "can't use %s to iterate over more than one variable", b.ptr);
            buf_release(&b);
            return rc;
        }
        for (int64_t i = 0; i < v->u.i && rc == W_OK; i++) {
            tval *iv = tval_int(i);
            *ran = 1;
            rc = range_iter(st, r, xv_own(iv, 0), xv_own(iv, 0));
            tval_unref(iv);
        }
    } else {
        struct buf b = BUF_INIT;
        tval_print(v, &b);
        rc = xerr(st, "range can't iterate over %s", b.ptr);
        buf_release(&b);
        return rc;
    }
    return rc == W_BREAK ? W_OK : rc;
}

static int walk_range(struct tstate *st, struct xv dot, const struct tnode *r)
{
    size_t mark = st->nvars;
    struct xv val = {NULL, 0};
    st->node = r;
    int rc = eval_pipeline(st, dot, r->pipe, &val);
    int ran = 0;
    if (rc == 0 && val.v) {
        struct xv plain = xv_own(tval_obj_value(val.v), 0);
        rc = range_over(st, r, plain, &ran);
        xv_drop(&plain);
    }
    if (rc == 0 && !ran && r->elist)
        rc = walk(st, dot, r->elist);
    xv_drop(&val);
    var_pop(st, mark);
    return rc;
}

static int walk_template(struct tstate *st, struct xv dot, const struct tnode *n)
{
    st->node = n;
    struct ttree *t = tmpl_find_tree(st->set, n->text);
    if (!t)
        return xerr(st, "template \"%s\" not defined", n->text);
    if (st->depth >= TMPL_MAX_DEPTH)
        return xerr(st, "exceeded maximum template depth (%d)", TMPL_MAX_DEPTH);
    struct xv val = xv_own(NULL, 0);
    if (n->pipe && eval_pipeline(st, dot, n->pipe, &val) < 0)
        return W_ERR;
    int rc = tmpl_run_tree(st->set, t, val.v, st->out, st->depth + 1, st->ex);
    xv_drop(&val);
    return rc < 0 ? W_ERR : W_OK;
}

static int walk(struct tstate *st, struct xv dot, const struct tnode *n)
{
    st->node = n;
    if (step(st) < 0)
        return W_ERR;
    switch (n->type) {
    case N_LIST:
        for (int i = 0; i < n->nkids; i++) {
            int rc = walk(st, dot, n->kids[i]);
            if (rc != W_OK)
                return rc;
        }
        return W_OK;
    case N_TEXT:
        buf_add(st->out, n->text, n->textlen);
        return check_output(st);
    case N_ACTION: {
        struct xv val = {NULL, 0};
        if (eval_pipeline(st, dot, n->pipe, &val) < 0)
            return W_ERR;
        int rc = n->pipe->ndecl == 0 ? print_value(st, n, val) : W_OK;
        xv_drop(&val);
        return rc;
    }
    case N_IF: case N_WITH: return walk_if_with(st, dot, n);
    case N_RANGE: return walk_range(st, dot, n);
    case N_TEMPLATE: return walk_template(st, dot, n);
    case N_BREAK: return W_BREAK;
    case N_CONTINUE: return W_CONTINUE;
    default: return xerr(st, "unknown node");
    }
}

int tmpl_run_tree(tmpl_set *set, struct ttree *t, tval *data, struct buf *out, int depth,
                  struct texec *ex)
{
    struct tstate st;
    memset(&st, 0, sizeof(st));
    st.set = set;
    st.tree = t;
    st.out = out;
    st.depth = depth;
    st.ex = ex;
    st.vars = st.inl;
    st.cap = sizeof(st.inl) / sizeof(st.inl[0]);
    struct xv dot = xv_own(data && data->kind != TV_NIL ? data : NULL, 0);
    var_push(&st, "$", dot);
    int rc = walk(&st, dot, t->root);
    var_pop(&st, 0);
    if (st.vars != st.inl)
        free(st.vars);
    return rc == W_ERR ? -1 : 0;
}

int tmpl_exec_error(struct tstate *st, const char *func, const char *msg)
{
    return xerr_fn(st, func, "%s", msg);
}

int tmpl_exec_error_call(struct tstate *st, const char *func, const char *msg)
{
    st->ex->call_error = 1;
    return xerr_fn(st, func, "%s", msg);
}
