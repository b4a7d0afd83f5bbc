/* tmpl.c -- the template set: members, the function registry, parse and
 * execute entry points (tmpl.h).  Lexing, parsing, execution and calls live
 * in tmpl_lex.c, tmpl_parse.c, tmpl_exec.c and tmpl_call.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tmpl.h"
#include "helm/tmpl_exec.h"
#include "helm/tmpl_int.h"

/* ---- sorted string map ---------------------------------------------------------- */

static long strmap_find(const struct tstrmap *m, const char *key)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->keys[mid], key);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

void *tstrmap_get(const struct tstrmap *m, const char *key)
{
    long i = strmap_find(m, key);
    return i >= 0 ? m->vals[i] : NULL;
}

void *tstrmap_put(struct tstrmap *m, const char *key, void *val)
{
    long i = strmap_find(m, key);
    if (i >= 0) {
        void *old = m->vals[i];
        m->vals[i] = val;
        return old;
    }
    size_t at = (size_t)(-i - 1);
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->keys = xrealloc(m->keys, m->cap * sizeof(*m->keys));
        m->vals = xrealloc(m->vals, m->cap * sizeof(*m->vals));
    }
    memmove(m->keys + at + 1, m->keys + at, (m->n - at) * sizeof(*m->keys));
    memmove(m->vals + at + 1, m->vals + at, (m->n - at) * sizeof(*m->vals));
    m->keys[at] = xstrdup(key);
    m->vals[at] = val;
    m->n++;
    return NULL;
}

void tstrmap_release(struct tstrmap *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        if (free_val)
            free_val(m->vals[i]);
    }
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- the set ------------------------------------------------------------------------ */

tmpl_set *tmpl_set_new(void)
{
    tmpl_set *s = xcalloc(1, sizeof(*s));
    s->missing = TMPL_MISSING_DEFAULT;
    return s;
}

tmpl_set *tmpl_set_new_shared(const tmpl_set *base)
{
    tmpl_set *s = tmpl_set_new();
    s->base = base;
    return s;
}

/* A member leaves a set: freed unless a tmpl_unit owns it. */
static void set_tree_drop(struct ttree *t)
{
    if (t && !t->in_unit)
        tmpl_tree_free(t);
}

static void free_tree_v(void *p) { set_tree_drop(p); }

static void free_func_v(void *p)
{
    struct tfunc *f = p;
    free((char *)f->name);
    free(f);
}

void tmpl_set_free(tmpl_set *s)
{
    if (!s)
        return;
    tstrmap_release(&s->members, free_tree_v);
    tstrmap_release(&s->funcs, free_func_v);
    free(s);
}

void tmpl_set_missingkey(tmpl_set *s, enum tmpl_missingkey mk) { s->missing = mk; }

void tmpl_set_limits(tmpl_set *s, size_t max_steps, size_t max_output)
{
    s->max_steps = max_steps;
    s->max_output = max_output;
}

void tmpl_set_func(tmpl_set *s, const char *name, tmpl_fn fn, int min_args, int max_args,
                   void *ud)
{
    struct tfunc *f = tstrmap_get(&s->funcs, name);
    if (!f) {
        f = xcalloc(1, sizeof(*f));
        f->name = xstrdup(name);
        tstrmap_put(&s->funcs, name, f);
    }
    f->builtin = B_NONE;
    f->fn = fn;
    f->min_args = min_args;
    f->max_args = max_args;
    f->ud = ud;
}

struct tfunc *tmpl_find_func(const tmpl_set *s, const char *name)
{
    for (; s; s = s->parent) {
        struct tfunc *f = tstrmap_get(&s->funcs, name);
        if (!f && s->base)
            f = tstrmap_get(&s->base->funcs, name);
        if (f)
            return f;
    }
    return tmpl_builtin_find(name);
}

struct ttree *tmpl_find_tree(const tmpl_set *s, const char *name)
{
    for (; s; s = s->parent) {
        struct ttree *t = tstrmap_get(&s->members, name);
        if (t)
            return t;
    }
    return NULL;
}

int tmpl_set_has(const tmpl_set *s, const char *name) { return tmpl_find_tree(s, name) != NULL; }

/* Go's associate(): a later definition replaces an earlier one, except that
 * an empty body never replaces a non-empty one.  Returns 0 when t was not
 * taken (the caller still has it). */
static int associate(tmpl_set *s, struct ttree *t)
{
    struct ttree *old = tstrmap_get(&s->members, t->name);
    if (old && tmpl_tree_is_empty(t) && !tmpl_tree_is_empty(old))
        return 0;
    set_tree_drop(tstrmap_put(&s->members, t->name, t));
    return 1;
}

int tmpl_set_parse(tmpl_set *s, const char *name, const char *text, size_t len,
                   struct err *err)
{
    struct ttree **trees = NULL;
    int n = 0;
    int rc = tmpl_parse_text(s, name, text, len, &trees, &n, err, &s->lasterr);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        if (!associate(s, trees[i]))
            tmpl_tree_free(trees[i]);
    free(trees);
    return 0;
}

/* ---- units ---------------------------------------------------------------------------- */

struct tmpl_unit {
    struct ttree **trees;
    int n;
};

int tmpl_unit_parse(tmpl_unit **out, const tmpl_set *funcs, const char *name, const char *text,
                    size_t len, struct tmpl_error *te, struct err *err)
{
    struct ttree **trees = NULL;
    int n = 0;
    *out = NULL;
    int rc = tmpl_parse_text(funcs, name, text, len, &trees, &n, err, te);
    if (rc < 0)
        return rc;
    tmpl_unit *u = xmalloc(sizeof(*u));
    u->trees = trees;
    u->n = n;
    for (int i = 0; i < n; i++)
        trees[i]->in_unit = 1;
    *out = u;
    return 0;
}

void tmpl_unit_free(tmpl_unit *u)
{
    if (!u)
        return;
    for (int i = 0; i < u->n; i++)
        tmpl_tree_free(u->trees[i]);
    free(u->trees);
    free(u);
}

void tmpl_set_add_unit(tmpl_set *s, const tmpl_unit *u)
{
    for (int i = 0; i < u->n; i++)
        associate(s, u->trees[i]);
}

int tmpl_set_exec(tmpl_set *s, const char *name, tval *data, struct buf *out, struct err *err)
{
    struct ttree *t = tmpl_find_tree(s, name);
    if (!t) {
        memset(&s->lasterr, 0, sizeof(s->lasterr));
        s->lasterr.code = E_NOTFOUND;
        snprintf(s->lasterr.msg, sizeof(s->lasterr.msg), "no template \"%s\"", name);
        return err_set(err, E_NOTFOUND, "template: no template \"%s\" associated with template "
                       "\"gotpl\"", name);
    }
    struct texec *ex = xcalloc(1, sizeof(*ex));
    ex->max_steps = s->max_steps;
    ex->max_output = s->max_output;
    ex->root_name = name;
    int rc = tmpl_run_tree(s, t, data, out, 0, ex);
    if (rc < 0) {
        s->lasterr = ex->te;
        rc = err_set(err, E_INVALID, "%s", ex->msg);
    }
    free(ex);
    return rc;
}

const struct tmpl_error *tmpl_set_error(const tmpl_set *s) { return &s->lasterr; }
