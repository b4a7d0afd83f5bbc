/* tmpl_exec.h -- private to tmpl*.c: the execution state shared by the
 * walker (tmpl_exec.c) and function calls (tmpl_call.c). */
#ifndef HELM_TMPL_EXEC_H
#define HELM_TMPL_EXEC_H

#include "core/buf.h"
#include "helm/tmpl_int.h"

/* A value in flight: v is a reference (NULL = Go's invalid "no value");
 * iface: its static type is interface{} (it came out of a map or list). */
struct xv {
    tval *v;
    int iface;
};

struct tvar {
    const char *name;   /* borrowed from the tree */
    tval *v;
    int iface;
};

/* One tmpl_set_exec call, shared by nested template/include/tpl runs. */
struct texec {
    int failed;
    int have_root;
    int call_error;         /* next error is "error calling FUNC: ..."; te.root holds the
                             * innermost error */
    char msg[ERR_MSG_MAX];  /* Go's full message of the last error */
    struct tmpl_error te;
    size_t steps, max_steps, max_output;
    const char *root_name;
};

struct tstate {
    tmpl_set *set;
    struct ttree *tree;
    struct buf *out;
    struct tvar *vars;
    size_t nvars, cap;
    struct tvar inl[8];
    const struct tnode *node;   /* Go's s.node: where an error is reported */
    int depth;
    struct texec *ex;
};

int tmpl_run_tree(tmpl_set *set, struct ttree *t, tval *data, struct buf *out, int depth,
                  struct texec *ex);
int tmpl_eval_arg(struct tstate *st, struct xv dot, const struct tnode *n, struct xv *out);
int tmpl_eval_pipeline(struct tstate *st, struct xv dot, const struct tnode *pipe,
                       struct xv *out);
/* Call fn with the argument nodes args[0..nargs-1] and the piped final value
 * (NULL: none); node is where errors are reported. */
int tmpl_eval_call(struct tstate *st, struct xv dot, const struct tfunc *fn,
                   const struct tnode *node, const struct tnode *const *args, int nargs,
                   const struct xv *final, struct xv *out);
/* Record an execution error at st->node; returns -1. */
int tmpl_exec_error(struct tstate *st, const char *func, const char *msg);
/* Same as Go's "error calling FUNC: msg". */
int tmpl_exec_error_call(struct tstate *st, const char *func, const char *msg);
struct tfunc *tmpl_builtin_find(const char *name);

#endif
