/* kstore_sel.c -- label and field selectors of the object store (kstore.h).
 * Label selectors follow k8s.io/apimachinery/pkg/labels: comma-separated
 * requirements "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a,b)", "k",
 * "!k".  Field selectors are "path=v", "path==v", "path!=v" over any dotted
 * path of the object (the real server allows a fixed list per type; a wider
 * set is harmless for a simulator).  A missing field compares as "".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "kstore.h"

enum sel_op { OP_EQ, OP_NEQ, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS };

struct sel_req {
    char *key;
    enum sel_op op;
    char **vals;
    size_t nvals;
};

struct kstore_sel {
    struct sel_req *labels;
    size_t nlabels, caplabels;
    struct sel_req *fields;
    size_t nfields, capfields;
};

static void req_release(struct sel_req *r)
{
    free(r->key);
    for (size_t i = 0; i < r->nvals; i++)
        free(r->vals[i]);
    free(r->vals);
}

void kstore_sel_free(kstore_sel *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->nlabels; i++)
        req_release(&sel->labels[i]);
    for (size_t i = 0; i < sel->nfields; i++)
        req_release(&sel->fields[i]);
    free(sel->labels);
    free(sel->fields);
    free(sel);
}

/* ---- parsing helpers -------------------------------------------------------- */

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static int valid_key(const char *k)
{
    if (!*k || strlen(k) > 316)
        return 0;
    for (const char *p = k; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_./", *p))
            return 0;
    return 1;
}

static int valid_value(const char *v)
{
    if (strlen(v) > 63)
        return 0;
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            return 0;
    return 1;
}

static void req_add_val(struct sel_req *r, char *v)
{
    r->vals = xrealloc(r->vals, (r->nvals + 1) * sizeof(*r->vals));
    r->vals[r->nvals++] = v;
}

/* Split s at top-level commas (not inside parentheses); calls fn per part. */
typedef int (*part_fn)(kstore_sel *sel, const char *p, size_t n, struct err *err);

static int split_parts(kstore_sel *sel, const char *s, part_fn fn, struct err *err)
{
    int depth = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        if (depth < 0 || depth > 1)
            return err_set(err, E_INVALID, "unable to parse requirement: unbalanced parentheses");
        if (*p == '\0' || (*p == ',' && depth == 0)) {
            int rc = fn(sel, start, (size_t)(p - start), err);
            if (rc < 0)
                return rc;
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    return depth ? err_set(err, E_INVALID, "unable to parse requirement: unbalanced parentheses")
                 : 0;
}

/* "key in (a,b)" / "key notin (a,b)": returns 1 if it was a set form. */
static int parse_set_form(struct sel_req *r, const char *txt, struct err *err, int *rc)
{
    const char *sp = txt;
    while (*sp && !isspace((unsigned char)*sp) && *sp != '(')
        sp++;
    const char *w = sp;
    while (isspace((unsigned char)*w))
        w++;
    enum sel_op op;
    size_t kw;
    if (!strncmp(w, "in", 2) && (isspace((unsigned char)w[2]) || w[2] == '('))
        op = OP_IN, kw = 2;
    else if (!strncmp(w, "notin", 5) && (isspace((unsigned char)w[5]) || w[5] == '('))
        op = OP_NOTIN, kw = 5;
    else
        return 0;
    const char *lp = w + kw;
    while (isspace((unsigned char)*lp))
        lp++;
    size_t len = strlen(lp);
    if (*lp != '(' || len < 2 || lp[len - 1] != ')') {
        *rc = err_set(err, E_INVALID, "unable to parse requirement: expected '(' and ')' in '%s'",
                      txt);
        return 1;
    }
    r->key = trim_dup(txt, (size_t)(sp - txt));
    r->op = op;
    const char *v = lp + 1, *end = lp + len - 1;
    while (v <= end) {
        const char *c = memchr(v, ',', (size_t)(end - v));
        const char *stop = c ? c : end;
        char *val = trim_dup(v, (size_t)(stop - v));
        if (!valid_value(val)) {
            *rc = err_set(err, E_INVALID, "invalid label value: \"%s\"", val);
            free(val);
            return 1;
        }
        req_add_val(r, val);
        v = stop + 1;
    }
    *rc = 0;
    return 1;
}

static int parse_simple(struct sel_req *r, const char *txt, int field, struct err *err)
{
    const char *ne = strstr(txt, "!=");
    const char *eq = strchr(txt, '=');
    if (txt[0] == '!' && !ne) {
        if (field)
            return err_set(err, E_INVALID, "invalid field selector: '%s'", txt);
        r->key = trim_dup(txt + 1, strlen(txt + 1));
        r->op = OP_NOTEXISTS;
        return 0;
    }
    if (!eq) {
        if (field || strpbrk(txt, "<> \t"))
            return err_set(err, E_INVALID, "unable to parse requirement: '%s'", txt);
        r->key = xstrdup(txt);
        r->op = OP_EXISTS;
        return 0;
    }
    const char *kend = ne && ne < eq ? ne : eq;
    const char *vstart = ne && ne < eq ? ne + 2 : (eq[1] == '=' ? eq + 2 : eq + 1);
    r->key = trim_dup(txt, (size_t)(kend - txt));
    r->op = ne && ne < eq ? OP_NEQ : OP_EQ;
    char *val = trim_dup(vstart, strlen(vstart));
    if (!field && !valid_value(val)) {
        int rc = err_set(err, E_INVALID, "invalid label value: \"%s\"", val);
        free(val);
        return rc;
    }
    req_add_val(r, val);
    return 0;
}

static int add_req(kstore_sel *sel, const char *p, size_t n, int field, struct err *err)
{
    char *txt = trim_dup(p, n);
    int rc = 0;
    if (!*txt) {
        free(txt);
        return 0;   /* "a=b," tolerated */
    }
    struct sel_req r = {0};
    if (field || !parse_set_form(&r, txt, err, &rc))
        rc = parse_simple(&r, txt, field, err);
    if (rc == 0 && (!r.key || !valid_key(r.key)))
        rc = err_set(err, E_INVALID, "invalid %s selector key in '%s'",
                     field ? "field" : "label", txt);
    free(txt);
    if (rc < 0) {
        req_release(&r);
        return rc;
    }
    if (field) {
        XGROW(sel->fields, sel->capfields, sel->nfields + 1);
        sel->fields[sel->nfields++] = r;
    } else {
        XGROW(sel->labels, sel->caplabels, sel->nlabels + 1);
        sel->labels[sel->nlabels++] = r;
    }
    return 0;
}

static int add_label(kstore_sel *sel, const char *p, size_t n, struct err *err)
{
    return add_req(sel, p, n, 0, err);
}

static int add_field(kstore_sel *sel, const char *p, size_t n, struct err *err)
{
    return add_req(sel, p, n, 1, err);
}

int kstore_sel_new(kstore_sel **out, const char *labels, const char *fields, struct err *err)
{
    kstore_sel *sel = xcalloc(1, sizeof(*sel));
    int rc = 0;
    if (labels && *labels) {
        rc = split_parts(sel, labels, add_label, err);
        if (rc < 0)
            goto out;
    }
    if (fields && *fields) {
        rc = split_parts(sel, fields, add_field, err);
        if (rc < 0)
            goto out;
    }
out:
    if (rc < 0) {
        kstore_sel_free(sel);
        sel = NULL;
    }
    *out = sel;
    return rc;
}

/* ---- matching ------------------------------------------------------------------ */

static int in_vals(const struct sel_req *r, const char *v)
{
    for (size_t i = 0; i < r->nvals; i++)
        if (!strcmp(r->vals[i], v))
            return 1;
    return 0;
}

static int req_match(const struct sel_req *r, const char *v)
{
    switch (r->op) {
    case OP_EQ:
    case OP_IN:
        return v && in_vals(r, v);
    case OP_NEQ:
    case OP_NOTIN:
        return !v || !in_vals(r, v);
    case OP_EXISTS:
        return v != NULL;
    case OP_NOTEXISTS:
        return v == NULL;
    }
    return 0;
}

/* The string value at a dotted path; numbers and booleans in text form. */
static const char *field_value(const cJSON *obj, const char *path, char tmp[64])
{
    const cJSON *cur = obj;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        const cJSON *next = NULL;
        if (cJSON_IsObject(cur))
            for (const cJSON *c = cur->child; c; c = c->next)
                if (c->string && strlen(c->string) == n && !memcmp(c->string, p, n)) {
                    next = c;
                    break;
                }
        cur = next;
        p = dot ? dot + 1 : p + n;
    }
    if (!cur)
        return "";
    if (cJSON_IsString(cur))
        return cur->valuestring;
    if (cJSON_IsBool(cur))
        return cJSON_IsTrue(cur) ? "true" : "false";
    if (cJSON_IsNumber(cur)) {
        snprintf(tmp, 64, "%.17g", cur->valuedouble);
        return tmp;
    }
    return "";
}

int kstore_sel_match(const kstore_sel *sel, const cJSON *obj)
{
    if (!sel)
        return 1;
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
    for (size_t i = 0; i < sel->nlabels; i++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(labels, sel->labels[i].key);
        const char *v = cJSON_IsString(l) ? l->valuestring : NULL;
        if (!req_match(&sel->labels[i], v))
            return 0;
    }
    for (size_t i = 0; i < sel->nfields; i++) {
        char tmp[64];
        if (!req_match(&sel->fields[i], field_value(obj, sel->fields[i].key, tmp)))
            return 0;
    }
    return 1;
}
