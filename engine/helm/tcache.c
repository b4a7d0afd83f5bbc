/* tcache.c -- parse every template of a loaded chart once (tcache.h).
 * The cache is a list of chart instances, each keyed by the loaded chart it
 * copies (struct chart's origin) and the path it renders under, holding one
 * entry per template: the unit, or the Helm parse error message.
 */
#include "helm/tcache.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

struct tc_entry {
    char *rel;        /* "templates/x.yaml" */
    size_t len;       /* the source's length (a cheap identity check) */
    tmpl_unit *unit;  /* NULL: the parse failed */
    int code;
    char *msg;        /* the failed parse's message */
};

struct tc_inst {
    const struct chart *origin; /* the loaded chart */
    char *path;                 /* chart_path: "parent/charts/sub2" */
    size_t plen;
    struct tc_entry *e;
    size_t n;
};

struct tcache {
    struct tc_inst *in;
    size_t n, cap;
    size_t nfiles;
};

int tcache_parse(tmpl_unit **unit, const tmpl_set *funcs, const char *name,
                 const struct chart_file *f, struct err *err)
{
    struct tmpl_error te;
    struct err e = ERR_INIT;
    memset(&te, 0, sizeof te);
    if (tmpl_unit_parse(unit, funcs, name, f->data, f->len, &te, &e) == 0)
        return 0;
    if (te.line)
        return err_set(err, E_PARSE, "parse error at (%s:%d): %s", te.name, te.line, te.msg);
    return err_set(err, e.code ? e.code : E_PARSE, "parse error in (%s): %s", name, e.msg);
}

static const struct chart *origin_of(const struct chart *c)
{
    return c->origin ? c->origin : c;
}

static struct tc_inst *find_inst(const tcache *tc, const struct chart *origin, const char *path,
                                 size_t plen)
{
    for (size_t i = 0; i < tc->n; i++) {
        struct tc_inst *in = &tc->in[i];
        if (in->origin == origin && in->plen == plen && !memcmp(in->path, path, plen))
            return in;
    }
    return NULL;
}

static void add_inst(tcache *tc, const struct chart *c, const tmpl_set *funcs)
{
    struct buf path = BUF_INIT;
    chart_path(c, &path);
    if (find_inst(tc, origin_of(c), path.ptr, path.len)) {
        buf_release(&path); /* listed twice under one name: the same files */
        return;
    }
    XGROW(tc->in, tc->cap, tc->n + 1);
    struct tc_inst *in = &tc->in[tc->n++];
    in->origin = origin_of(c);
    in->plen = path.len;
    in->n = c->ntemplates;
    in->e = xcalloc(c->ntemplates + 1, sizeof *in->e);
    for (size_t i = 0; i < c->ntemplates; i++) {
        const struct chart_file *f = &c->templates[i];
        struct tc_entry *e = &in->e[i];
        struct err err = ERR_INIT;
        char *name = xasprintf("%s/%s", path.ptr, f->name);
        e->rel = xstrdup(f->name);
        e->len = f->len;
        e->code = tcache_parse(&e->unit, funcs, name, f, &err);
        if (e->code < 0)
            e->msg = xstrdup(err.msg);
        free(name);
    }
    tc->nfiles += c->ntemplates;
    size_t n;
    in->path = buf_detach(&path, &n);
}

static void add_tree(tcache *tc, const struct chart *c, const tmpl_set *funcs)
{
    add_inst(tc, c, funcs);
    for (size_t i = 0; i < c->ndeps; i++)
        add_tree(tc, c->deps[i], funcs);
}

tcache *tcache_build(const struct chart *loaded, const tmpl_set *funcs)
{
    tcache *tc = xcalloc(1, sizeof *tc);
    struct chart *all = chart_expand(loaded);
    add_tree(tc, all, funcs);
    chart_free(all);
    return tc;
}

void tcache_free(tcache *tc)
{
    if (!tc)
        return;
    for (size_t i = 0; i < tc->n; i++) {
        struct tc_inst *in = &tc->in[i];
        for (size_t j = 0; j < in->n; j++) {
            free(in->e[j].rel);
            free(in->e[j].msg);
            tmpl_unit_free(in->e[j].unit);
        }
        free(in->e);
        free(in->path);
    }
    free(tc->in);
    free(tc);
}

int tcache_get(const tcache *tc, const struct chart *inst, size_t i, const char *name,
               const tmpl_unit **unit, struct err *err)
{
    if (!tc || i >= inst->ntemplates)
        return 0;
    const char *rel = inst->templates[i].name;
    size_t nlen = strlen(name), rlen = strlen(rel);
    if (nlen < rlen + 2 || strcmp(name + nlen - rlen, rel) || name[nlen - rlen - 1] != '/')
        return 0;
    const struct tc_inst *in = find_inst(tc, origin_of(inst), name, nlen - rlen - 1);
    if (!in || i >= in->n)
        return 0;
    const struct tc_entry *e = &in->e[i];
    if (strcmp(e->rel, rel) || e->len != inst->templates[i].len)
        return 0;
    *unit = e->unit;
    if (!e->unit)
        err_set(err, e->code, "%s", e->msg);
    return 1;
}

size_t tcache_count(const tcache *tc)
{
    return tc ? tc->nfiles : 0;
}
