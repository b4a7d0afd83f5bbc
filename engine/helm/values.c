/* values.c -- Helm values: strvals parser, values files, merge and coalesce.
 * The --set parser follows pkg/strvals/parser.go rune by rune: a key runs to
 * one of = [ , . (a backslash escapes the next character), a value runs to
 * the next unescaped comma, and {a,b} is a list.
 */
#include "helm/values.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/ydoc.h"

#define SET_MAX_INDEX 65536
#define SET_MAX_NEST 30

cJSON *hvals_new_int(int64_t v)
{
    cJSON *n = cJSON_CreateNumber((double)v);
    n->type |= HVALS_INT;
    return n;
}

int hvals_is_int(const cJSON *item)
{
    return item && cJSON_IsNumber(item) && (item->type & HVALS_INT);
}

/* ---- the --set scanner ---------------------------------------------------- */

struct sp {
    const char *s;
    size_t pos, len;
    int as_string;
    struct err *err;
};

/* Read up to (not including) a character of stop, unescaping "\x".  Returns the
 * stop character, or 0 at the end of input.  The text goes into out. */
static int sp_until(struct sp *p, const char *stop, struct buf *out)
{
    buf_reset(out);
    while (p->pos < p->len) {
        char c = p->s[p->pos++];
        if (c == '\\' && p->pos < p->len) {
            buf_putc(out, p->s[p->pos++]);
            continue;
        }
        if (c && strchr(stop, c))
            return c;
        buf_putc(out, c);
    }
    return 0;
}

static int str_ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* typedVal: --set's typing of a scalar. */
static cJSON *sp_typed(const char *v, int as_string)
{
    if (as_string)
        return cJSON_CreateString(v);
    if (str_ieq(v, "true"))
        return cJSON_CreateTrue();
    if (str_ieq(v, "false"))
        return cJSON_CreateFalse();
    if (str_ieq(v, "null"))
        return cJSON_CreateNull();
    if (!strcmp(v, "0"))
        return hvals_new_int(0);
    if (v[0] && v[0] != '0') {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        int digit_start = (v[0] >= '0' && v[0] <= '9') ||
                          ((v[0] == '-' || v[0] == '+') && v[1] >= '0' && v[1] <= '9');
        if (!*end && errno == 0 && end != v && digit_start)
            return hvals_new_int((int64_t)n);
    }
    return cJSON_CreateString(v);
}

static void obj_put(cJSON *obj, const char *key, cJSON *val)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
    else
        cJSON_AddItemToObject(obj, key, val);
}

/* setIndex: grow list with nulls up to i, then store val at i. */
static void list_put(cJSON *list, int i, cJSON *val)
{
    while (cJSON_GetArraySize(list) <= i)
        cJSON_AddItemToArray(list, cJSON_CreateNull());
    cJSON_ReplaceItemInArray(list, i, val);
}

/* Parse "{a,b,c}" (the '{' already seen by the caller).  NULL on error. */
static cJSON *sp_list(struct sp *p)
{
    cJSON *list = cJSON_CreateArray();
    struct buf b = BUF_INIT;
    p->pos++; /* '{' */
    for (;;) {
        int last = sp_until(p, ",}", &b);
        if (!last) {
            err_set(p->err, E_PARSE, "list must terminate with '}'");
            cJSON_Delete(list);
            list = NULL;
            break;
        }
        cJSON_AddItemToArray(list, sp_typed(b.ptr, p->as_string));
        if (last == '}') {
            if (p->pos < p->len && p->s[p->pos] == ',')
                p->pos++;
            break;
        }
    }
    buf_release(&b);
    return list;
}

/* A value after '=': a {list} or a scalar up to the next ','. */
static cJSON *sp_value(struct sp *p)
{
    if (p->pos < p->len && p->s[p->pos] == '{')
        return sp_list(p);
    struct buf b = BUF_INIT;
    sp_until(p, ",", &b);
    cJSON *v = sp_typed(b.ptr, p->as_string);
    buf_release(&b);
    return v;
}

static int sp_key(struct sp *p, cJSON *data, int nest);

/* "[N]": read N after '['. */
static int sp_index(struct sp *p, int *out)
{
    struct buf b = BUF_INIT;
    int last = sp_until(p, "]", &b);
    char *end;
    long n = strtol(b.ptr, &end, 10);
    int rc = 0;
    if (!last || !b.len || *end)
        rc = err_set(p->err, E_PARSE, "invalid list index '%s'", b.ptr);
    else if (n < 0)
        rc = err_set(p->err, E_PARSE, "negative %ld index not allowed", n);
    else if (n > SET_MAX_INDEX)
        rc = err_set(p->err, E_PARSE, "index of %ld is greater than maximum supported index %d",
                     n, SET_MAX_INDEX);
    *out = (int)n;
    buf_release(&b);
    return rc;
}

/* listItem: what follows "[i]" of list. */
static int sp_list_item(struct sp *p, cJSON *list, int i, int nest)
{
    struct buf b = BUF_INIT;
    int rc = 0;
    int last = sp_until(p, "[.=", &b);
    if (b.len) {
        rc = err_set(p->err, E_PARSE, "unexpected data at end of array index: '%s'", b.ptr);
    } else if (!last) {
        rc = err_set(p->err, E_PARSE, "list index has no value");
    } else if (last == '=') {
        cJSON *v = sp_value(p);
        if (!v)
            rc = E_PARSE;
        else
            list_put(list, i, v);
    } else if (last == '[') {
        int j;
        rc = sp_index(p, &j);
        if (rc == 0) {
            cJSON *cur = cJSON_GetArrayItem(list, i);
            cJSON *inner = cJSON_IsArray(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateArray();
            rc = sp_list_item(p, inner, j, nest);
            list_put(list, i, inner);
        }
    } else { /* '.' */
        cJSON *cur = cJSON_GetArrayItem(list, i);
        cJSON *inner = cJSON_IsObject(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateObject();
        rc = sp_key(p, inner, nest);
        list_put(list, i, inner);
    }
    buf_release(&b);
    return rc;
}

static int sp_key_dot(struct sp *p, cJSON *data, const char *k, int nest)
{
    if (++nest > SET_MAX_NEST)
        return err_set(p->err, E_PARSE,
                       "value name nested level is greater than maximum supported nested "
                       "level of %d", SET_MAX_NEST);
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(data, k);
    cJSON *inner = cJSON_IsObject(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateObject();
    int rc = sp_key(p, inner, nest);
    if (rc == 0 && !inner->child) {
        cJSON_Delete(inner);
        return err_set(p->err, E_PARSE, "key map '%s' has no value", k);
    }
    if (inner->child)
        obj_put(data, k, inner);
    else
        cJSON_Delete(inner);
    return rc;
}

static int sp_key_index(struct sp *p, cJSON *data, const char *k, int nest)
{
    int i;
    int rc = sp_index(p, &i);
    if (rc < 0)
        return rc;
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(data, k);
    cJSON *list = cJSON_IsArray(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateArray();
    rc = sp_list_item(p, list, i, nest);
    obj_put(data, k, list);
    return rc;
}

/* One "key...=value" into data. */
static int sp_key(struct sp *p, cJSON *data, int nest)
{
    struct buf k = BUF_INIT;
    int rc = 0;
    int last = sp_until(p, "=[,.", &k);
    if (!last) {
        rc = err_set(p->err, E_PARSE, "key '%s' has no value", k.ptr);
    } else if (last == ',') {
        rc = err_set(p->err, E_PARSE, "key '%s' has no value (cannot end with ,)", k.ptr);
    } else if (last == '=') {
        cJSON *v = sp_value(p);
        if (!v)
            rc = E_PARSE;
        else
            obj_put(data, k.ptr, v);
    } else if (last == '.') {
        rc = sp_key_dot(p, data, k.ptr, nest);
    } else {
        rc = sp_key_index(p, data, k.ptr, nest);
    }
    buf_release(&k);
    return rc;
}

int hvals_parse_set(cJSON *dst, const char *expr, int as_string, struct err *err)
{
    struct sp p = {expr, 0, strlen(expr), as_string, err};
    while (p.pos < p.len) {
        int rc = sp_key(&p, dst, 0);
        if (rc < 0) {
            err_prefix(err, "failed parsing --set%s data '%s'", as_string ? "-string" : "", expr);
            return rc;
        }
    }
    return 0;
}

/* ---- files ------------------------------------------------------------------ */

int hvals_load_text(cJSON **out, const char *text, size_t len, const char *name,
                    struct err *err)
{
    cJSON *docs = NULL;
    int rc = ydoc_parse_all(&docs, text, len, name, err);
    if (rc < 0)
        return rc;
    cJSON *first = cJSON_DetachItemFromArray(docs, 0);
    cJSON_Delete(docs);
    if (!first || cJSON_IsNull(first)) {
        cJSON_Delete(first);
        first = cJSON_CreateObject();
    }
    if (!cJSON_IsObject(first)) {
        cJSON_Delete(first);
        return err_set(err, E_PARSE, "%s: values must be a map, not a %s", name,
                       "list or scalar");
    }
    *out = first;
    return 0;
}

int hvals_load_file(cJSON **out, const char *path, struct err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, E_IO, "cannot open '%s': %s", path, strerror(errno));
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = err_set(err, E_IO, "cannot read '%s'", path);
    else
        rc = hvals_load_text(out, b.ptr, b.len, path, err);
    buf_release(&b);
    return rc;
}

/* ---- merging ---------------------------------------------------------------- */

void hvals_merge_user(cJSON *dst, const cJSON *src)
{
    for (const cJSON *s = src ? src->child : NULL; s; s = s->next) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
        if (d && cJSON_IsObject(d) && cJSON_IsObject(s))
            hvals_merge_user(d, s);
        else
            obj_put(dst, s->string, cJSON_Duplicate(s, 1));
    }
}

void hvals_coalesce_tables(cJSON *dst, const cJSON *src, int keep_nulls)
{
    for (const cJSON *s = src ? src->child : NULL; s; s = s->next) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
        if (d && !keep_nulls && cJSON_IsNull(d))
            cJSON_DeleteItemFromObjectCaseSensitive(dst, s->string);
        else if (!d)
            cJSON_AddItemToObject(dst, s->string, cJSON_Duplicate(s, 1));
        else if (cJSON_IsObject(s) && cJSON_IsObject(d))
            hvals_coalesce_tables(d, s, keep_nulls);
        /* else: dst wins (Helm warns when a table meets a non-table) */
    }
}

void hvals_coalesce_globals(cJSON *child, const cJSON *parent)
{
    cJSON *dg = cJSON_GetObjectItemCaseSensitive(child, "global");
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(parent, "global");
    if (dg && !cJSON_IsObject(dg))
        return; /* "skipping globals because destination global is not a table" */
    if (sg && !cJSON_IsObject(sg))
        return;
    if (!dg)
        dg = cJSON_AddObjectToObject(child, "global");
    for (const cJSON *s = sg ? sg->child : NULL; s; s = s->next) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dg, s->string);
        if (cJSON_IsObject(s)) {
            if (!d) {
                cJSON_AddItemToObject(dg, s->string, cJSON_Duplicate(s, 1));
            } else if (cJSON_IsObject(d)) {
                /* parent's table wins, the child's fills in */
                cJSON *vv = cJSON_Duplicate(s, 1);
                hvals_coalesce_tables(vv, d, 1);
                cJSON_ReplaceItemInObjectCaseSensitive(dg, s->string, vv);
            }
        } else if (!(d && cJSON_IsObject(d))) {
            obj_put(dg, s->string, cJSON_Duplicate(s, 1));
        }
    }
}

cJSON *hvals_path(const cJSON *root, const char *path)
{
    const cJSON *cur = root;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!cJSON_IsObject(cur))
            return NULL;
        char *k = xstrndup(p, n);
        cur = cJSON_GetObjectItemCaseSensitive(cur, k);
        free(k);
        p += n;
        if (*p == '.')
            p++;
    }
    return (cJSON *)cur;
}

void hvals_trim_nulls(cJSON *obj)
{
    cJSON *c = obj ? obj->child : NULL;
    while (c) {
        cJSON *next = c->next;
        if (cJSON_IsNull(c))
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
        else if (cJSON_IsObject(c))
            hvals_trim_nulls(c);
        c = next;
    }
}
