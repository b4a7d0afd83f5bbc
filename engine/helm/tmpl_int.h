/* tmpl_int.h -- private to tmpl*.c: parse trees, the function table and the
 * set's internals shared by the parser (tmpl_parse.c), the executor
 * (tmpl_exec.c) and the public API (tmpl.c). */
#ifndef HELM_TMPL_INT_H
#define HELM_TMPL_INT_H

#include <stddef.h>

#include "helm/tmpl.h"
#include "helm/tval.h"

enum tnode_type {
    N_LIST, N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_TEMPLATE, N_BREAK, N_CONTINUE,
    N_PIPE, N_CMD, N_FIELD, N_VAR, N_DOT, N_NIL, N_BOOL, N_NUMBER, N_STRING, N_IDENT,
    N_CHAIN, N_END, N_ELSE,
};

enum tbuiltin {
    B_NONE, B_AND, B_OR, B_NOT, B_LEN, B_INDEX, B_SLICE, B_PRINT, B_PRINTF, B_PRINTLN,
    B_HTML, B_JS, B_URLQUERY, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_CALL,
};

struct tfunc {
    const char *name;       /* owned (freed) for registered functions */
    enum tbuiltin builtin;   /* B_NONE for a registered function */
    tmpl_fn fn;
    int min_args, max_args;  /* max -1: variadic */
    void *ud;
};

/* The source text of one tmpl_set_parse call, shared by all its trees:
 * error locations are computed from node byte offsets into it.  Its nodes,
 * their arrays and strings live in one arena (N_TEXT text points into
 * text): they live and die together, and a chart template has about a
 * thousand of them, so one malloc each was a large part of a render. */
struct tsrc {
    int refs;
    char *name;             /* the parse name (file) */
    char *text;
    size_t len;
    struct tnode **nodes;   /* every node of the parse (their constants are unref'd) */
    size_t nnodes;
    struct tarena *arena;   /* blocks holding the nodes and what they point to */
};

struct tnode {
    unsigned char type;     /* enum tnode_type */
    unsigned char is_assign;/* N_PIPE: '=' rather than ':=' */
    unsigned char ndecl;    /* N_PIPE: declared variables (0..2) */
    unsigned char bad_int;  /* N_NUMBER: "overflows int" at execution */
    int pos;                /* byte offset in the source */
    int line;
    struct tnode **kids;    /* N_LIST items, N_PIPE commands, N_CMD args */
    int nkids;
    struct tnode *pipe;     /* N_ACTION/N_IF/N_RANGE/N_WITH/N_TEMPLATE; N_CHAIN's term */
    struct tnode *list, *elist;
    char **ident;           /* N_FIELD/N_VAR/N_CHAIN names; N_PIPE decl names */
    int nident;
    char *text;             /* N_TEXT bytes, N_TEMPLATE name, N_IDENT name, literal source */
    size_t textlen;
    tval *k;                /* N_STRING/N_NUMBER/N_BOOL constant */
    struct tfunc *fn;       /* N_IDENT */
};

struct ttree {
    char *name;
    struct tsrc *src;
    struct tnode *root;
    int in_unit;            /* owned by a tmpl_unit: sets holding it never free it */
};

/* Sorted string -> pointer table (members and functions). */
struct tstrmap {
    char **keys;
    void **vals;
    size_t n, cap;
};
void *tstrmap_get(const struct tstrmap *m, const char *key);
/* Returns the previous value (or NULL); key is copied. */
void *tstrmap_put(struct tstrmap *m, const char *key, void *val);
void tstrmap_release(struct tstrmap *m, void (*free_val)(void *));

struct tmpl_set {
    struct tstrmap members;       /* name -> struct ttree* */
    struct tstrmap funcs;         /* name -> struct tfunc* */
    struct tmpl_set *parent;      /* tpl overlay: lookups fall back here */
    const struct tmpl_set *base;  /* shared function table (tmpl_set_new_shared) */
    enum tmpl_missingkey missing;
    size_t max_steps, max_output;
    struct tmpl_error lasterr;
};

struct tfunc *tmpl_find_func(const tmpl_set *s, const char *name);
struct ttree *tmpl_find_tree(const tmpl_set *s, const char *name);

/* Parse into a list of trees (first: the file itself).  E_PARSE on error
 * with the message in err and detail in te. */
int tmpl_parse_text(const tmpl_set *s, const char *name, const char *text, size_t len,
                    struct ttree ***out, int *nout, struct err *err, struct tmpl_error *te);
void tmpl_tree_free(struct ttree *t);
int tmpl_tree_is_empty(const struct ttree *t);
/* Go's String() of a node, appended to out. */
void tmpl_node_string(const struct tnode *n, struct buf *out);

/* Execute tree t of set s. */
int tmpl_exec_tree(tmpl_set *s, struct ttree *t, tval *data, struct buf *out, struct err *err);

#endif
