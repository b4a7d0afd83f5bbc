/* tval.c -- Go template values: refcounting, containers, truth, equality,
 * JSON conversion.  Printing and fmt live in tval_fmt.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tval.h"
#include "helm/tval_int.h"

static tval nil_v = {.refs = -1, .kind = TV_NIL};
static tval true_v = {.refs = -1, .kind = TV_BOOL, .u.b = 1};
static tval false_v = {.refs = -1, .kind = TV_BOOL, .u.b = 0};

static tval *tval_alloc(enum tval_kind k, size_t extra)
{
    tval *v = xcalloc(1, sizeof(*v) + extra);
    v->refs = 1;
    v->kind = (unsigned char)k;
    return v;
}

tval *tval_ref(tval *v)
{
    if (v && v->refs > 0)
        v->refs++;
    return v;
}

static void tval_destroy(tval *v)
{
    switch (v->kind) {
    case TV_STRING:
        if (v->u.s.p != (char *)(v + 1))
            free(v->u.s.p);
        break;
    case TV_LIST:
        for (size_t i = 0; i < v->u.l.len; i++)
            tval_unref(v->u.l.items[i]);
        free(v->u.l.items);
        break;
    case TV_MAP:
        for (size_t i = 0; i < v->u.m.len; i++) {
            free(v->u.m.ents[i].key);
            tval_unref(v->u.m.ents[i].v);
        }
        free(v->u.m.ents);
        break;
    case TV_OBJECT:
        if (v->u.o.ops->free)
            v->u.o.ops->free(v->u.o.ctx);
        break;
    default:
        break;
    }
    free(v);
}

void tval_unref(tval *v)
{
    if (!v || v->refs < 0)
        return;
    if (--v->refs == 0)
        tval_destroy(v);
}

tval *tval_nil(void) { return &nil_v; }
tval *tval_bool(int b) { return b ? &true_v : &false_v; }

tval *tval_int(int64_t i)
{
    tval *v = tval_alloc(TV_INT, 0);
    v->u.i = i;
    return v;
}

tval *tval_int64(int64_t i)
{
    tval *v = tval_int(i);
    v->is64 = 1;
    return v;
}

tval *tval_float(double d)
{
    tval *v = tval_alloc(TV_FLOAT, 0);
    v->u.f = d;
    return v;
}

tval *tval_strn(const char *s, size_t n)
{
    tval *v = tval_alloc(TV_STRING, n + 1);
    v->u.s.p = (char *)(v + 1);
    if (n)
        memcpy(v->u.s.p, s, n);
    v->u.s.p[n] = '\0';
    v->u.s.len = n;
    return v;
}

tval *tval_str(const char *s) { return tval_strn(s, strlen(s)); }

tval *tval_str_take(char *s, size_t n)
{
    tval *v = tval_alloc(TV_STRING, 0);
    v->u.s.p = s;
    v->u.s.len = n;
    return v;
}

tval *tval_list(void) { return tval_alloc(TV_LIST, 0); }
tval *tval_map(void) { return tval_alloc(TV_MAP, 0); }

tval *tval_object(const struct tval_obj_ops *ops, void *ctx)
{
    tval *v = tval_alloc(TV_OBJECT, 0);
    v->u.o.ops = ops;
    v->u.o.ctx = ctx;
    return v;
}

enum tval_kind tval_kind(const tval *v) { return (enum tval_kind)v->kind; }
int tval_is_int64(const tval *v) { return v->kind == TV_INT && v->is64; }
int tval_get_bool(const tval *v) { return v->kind == TV_BOOL && v->u.b; }
int64_t tval_get_int(const tval *v) { return v->kind == TV_INT ? v->u.i : 0; }
double tval_get_float(const tval *v) { return v->kind == TV_FLOAT ? v->u.f : 0; }
const char *tval_get_str(const tval *v) { return v->kind == TV_STRING ? v->u.s.p : ""; }
size_t tval_strlen(const tval *v) { return v->kind == TV_STRING ? v->u.s.len : 0; }

const struct tval_obj_ops *tval_obj_ops(const tval *v)
{
    return v->kind == TV_OBJECT ? v->u.o.ops : NULL;
}

tval *tval_obj_value(tval *v)
{
    if (v && v->kind == TV_OBJECT && v->u.o.ops->value) {
        tval *r = v->u.o.ops->value(v->u.o.ctx);
        if (r)
            return r;
    }
    return tval_ref(v);
}

void *tval_obj_ctx(const tval *v) { return v->kind == TV_OBJECT ? v->u.o.ctx : NULL; }

const char *tval_type_name(const tval *v)
{
    switch (v->kind) {
    case TV_NIL: return "<nil>";
    case TV_BOOL: return "bool";
    case TV_INT: return v->is64 ? "int64" : "int";
    case TV_FLOAT: return "float64";
    case TV_STRING: return "string";
    case TV_LIST: return "[]interface {}";
    case TV_MAP: return "map[string]interface {}";
    default: return v->u.o.ops->type_name;
    }
}

/* ---- lists -------------------------------------------------------------------- */

size_t tval_list_len(const tval *l) { return l->kind == TV_LIST ? l->u.l.len : 0; }
tval *tval_list_at(const tval *l, size_t i) { return l->u.l.items[i]; }

void tval_list_append(tval *l, tval *item)
{
    XGROW(l->u.l.items, l->u.l.cap, l->u.l.len + 1);
    l->u.l.items[l->u.l.len++] = item;
}

void tval_list_set(tval *l, size_t i, tval *item)
{
    tval_unref(l->u.l.items[i]);
    l->u.l.items[i] = item;
}

/* ---- maps --------------------------------------------------------------------- */

size_t tval_map_len(const tval *m) { return m->kind == TV_MAP ? m->u.m.len : 0; }

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Index of key, or -(insertion point) - 1. */
static long map_find(const tval *m, const char *key, size_t klen)
{
    size_t lo = 0, hi = m->u.m.len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct tval_ent *e = &m->u.m.ents[mid];
        int c = key_cmp(e->key, e->klen, key, klen);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

tval *tval_map_getn(const tval *m, const char *key, size_t klen)
{
    if (m->kind != TV_MAP)
        return NULL;
    long i = map_find(m, key, klen);
    return i >= 0 ? m->u.m.ents[i].v : NULL;
}

tval *tval_map_get(const tval *m, const char *key) { return tval_map_getn(m, key, strlen(key)); }

void tval_map_set(tval *m, const char *key, tval *value)
{
    size_t klen = strlen(key);
    long i = map_find(m, key, klen);
    if (i >= 0) {
        tval_unref(m->u.m.ents[i].v);
        m->u.m.ents[i].v = value;
        return;
    }
    size_t at = (size_t)(-i - 1);
    XGROW(m->u.m.ents, m->u.m.cap, m->u.m.len + 1);
    memmove(&m->u.m.ents[at + 1], &m->u.m.ents[at], (m->u.m.len - at) * sizeof(m->u.m.ents[0]));
    m->u.m.ents[at].key = xstrndup(key, klen);
    m->u.m.ents[at].klen = klen;
    m->u.m.ents[at].v = value;
    m->u.m.len++;
}

int tval_map_del(tval *m, const char *key)
{
    long i = map_find(m, key, strlen(key));
    if (i < 0)
        return 0;
    free(m->u.m.ents[i].key);
    tval_unref(m->u.m.ents[i].v);
    m->u.m.len--;
    memmove(&m->u.m.ents[i], &m->u.m.ents[i + 1],
            (m->u.m.len - (size_t)i) * sizeof(m->u.m.ents[0]));
    return 1;
}

const char *tval_map_key_at(const tval *m, size_t i) { return m->u.m.ents[i].key; }
tval *tval_map_val_at(const tval *m, size_t i) { return m->u.m.ents[i].v; }

/* ---- semantics ---------------------------------------------------------------- */

int tval_truth(const tval *v)
{
    switch (v->kind) {
    case TV_NIL: return 0;
    case TV_BOOL: return v->u.b;
    case TV_INT: return v->u.i != 0;
    case TV_FLOAT: return v->u.f != 0;
    case TV_STRING: return v->u.s.len != 0;
    case TV_LIST: return v->u.l.len != 0;
    case TV_MAP: return v->u.m.len != 0;
    default: return 1;
    }
}

tval *tval_copy(tval *v)
{
    if (v->kind == TV_LIST) {
        tval *l = tval_list();
        for (size_t i = 0; i < v->u.l.len; i++)
            tval_list_append(l, tval_copy(v->u.l.items[i]));
        return l;
    }
    if (v->kind == TV_MAP) {
        tval *m = tval_map();
        m->u.m.ents = xmalloc((v->u.m.len ? v->u.m.len : 1) * sizeof(m->u.m.ents[0]));
        m->u.m.cap = v->u.m.len;
        for (size_t i = 0; i < v->u.m.len; i++) {
            m->u.m.ents[i].key = xstrndup(v->u.m.ents[i].key, v->u.m.ents[i].klen);
            m->u.m.ents[i].klen = v->u.m.ents[i].klen;
            m->u.m.ents[i].v = tval_copy(v->u.m.ents[i].v);
        }
        m->u.m.len = v->u.m.len;
        return m;
    }
    return tval_ref(v);
}

int tval_equal(const tval *a, const tval *b)
{
    if (a == b)
        return 1;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case TV_NIL: return 1;
    case TV_BOOL: return a->u.b == b->u.b;
    case TV_INT: return a->u.i == b->u.i && a->is64 == b->is64;
    case TV_FLOAT: return a->u.f == b->u.f;
    case TV_STRING:
        return a->u.s.len == b->u.s.len && !memcmp(a->u.s.p, b->u.s.p, a->u.s.len);
    case TV_LIST:
        if (a->u.l.len != b->u.l.len)
            return 0;
        for (size_t i = 0; i < a->u.l.len; i++)
            if (!tval_equal(a->u.l.items[i], b->u.l.items[i]))
                return 0;
        return 1;
    case TV_MAP:
        if (a->u.m.len != b->u.m.len)
            return 0;
        for (size_t i = 0; i < a->u.m.len; i++)
            if (strcmp(a->u.m.ents[i].key, b->u.m.ents[i].key) ||
                !tval_equal(a->u.m.ents[i].v, b->u.m.ents[i].v))
                return 0;
        return 1;
    default:
        return a->u.o.ctx == b->u.o.ctx && a->u.o.ops == b->u.o.ops;
    }
}

/* ---- cJSON -------------------------------------------------------------------- */

tval *tval_from_json(const cJSON *j, int flags)
{
    if (!j || cJSON_IsNull(j))
        return tval_nil();
    if (cJSON_IsBool(j))
        return tval_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if ((flags & TVAL_JSON_INTS) && d == floor(d) && fabs(d) < 9.2e18)
            return tval_int((int64_t)d);
        return tval_float(d);
    }
    if (cJSON_IsString(j))
        return tval_str(j->valuestring ? j->valuestring : "");
    if (cJSON_IsArray(j)) {
        tval *l = tval_list();
        for (const cJSON *c = j->child; c; c = c->next)
            tval_list_append(l, tval_from_json(c, flags));
        return l;
    }
    tval *m = tval_map();
    for (const cJSON *c = j->child; c; c = c->next)
        tval_map_set(m, c->string ? c->string : "", tval_from_json(c, flags));
    return m;
}

cJSON *tval_to_json(const tval *v)
{
    switch (v->kind) {
    case TV_BOOL: return cJSON_CreateBool(v->u.b);
    case TV_INT: return cJSON_CreateNumber((double)v->u.i);
    case TV_FLOAT:
        return isfinite(v->u.f) ? cJSON_CreateNumber(v->u.f) : cJSON_CreateNull();
    case TV_STRING: return cJSON_CreateString(v->u.s.p);
    case TV_LIST: {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < v->u.l.len; i++)
            cJSON_AddItemToArray(a, tval_to_json(v->u.l.items[i]));
        return a;
    }
    case TV_MAP: {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < v->u.m.len; i++)
            cJSON_AddItemToObject(o, v->u.m.ents[i].key, tval_to_json(v->u.m.ents[i].v));
        return o;
    }
    default:
        return cJSON_CreateNull();
    }
}
