/* kstore.c -- the in-memory object store (see kstore.h).
 *
 * Stored documents are immutable once committed and reference-counted
 * (struct kobj): an update makes a new document, so the watch log can share
 * the very objects the store holds instead of copying each one, and a
 * borrowed kstore_peek() view stays valid until the next mutation.  Each type
 * keeps its entries in an array sorted by (namespace, name): lists come out
 * in the order the real server uses, and continue tokens are simply the key
 * of the last item returned.
 */
#include "kstore.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kmap.h"

#define LOG_CAP ((size_t)1 << 20)

struct kobj {
    int refs;
    cJSON *doc;
};

struct kentry {
    char *ns, *name;
    struct kobj *o;
};

struct ktype {
    char *group, *resource;
    struct kentry *v;
    size_t n, cap;
};

struct kev {
    enum kstore_event_type type;
    struct ktype *t;
    char *ns, *name;
    uint64_t rv;
    struct kobj *o;
};

struct klistener {
    uint64_t id;
    kstore_listen_fn fn;
    void *ctx;
};

/* Pod logs: namespace -> pod -> its containers' logs, in the order they
 * first logged (container NULL means the first).  Two hash levels keep an
 * append O(1) with 10,000 logging pods, and deleting a namespace visits only
 * its own pods. */
struct klog {
    char *container;
    struct buf text;
};

struct klogpod {
    struct klog *c;
    size_t n, cap;
};

struct kstore {
    gclock *clk;
    pthread_mutex_t lock;
    uint64_t rv;
    uint64_t rng;
    struct ktype **types;
    size_t ntypes, captypes;
    struct kev *ring;           /* circular: oldest at head */
    size_t ring_cap, ring_head, ring_n;
    uint64_t dropped_rv;        /* rv of the newest event dropped from the ring */
    struct klistener *ls;
    size_t nls, capls;
    uint64_t next_listen_id;
    kmap *logs; /* namespace -> kmap of pod name -> struct klogpod */
};

/* ---- small helpers ------------------------------------------------------------ */

static struct kobj *kobj_new(cJSON *doc)
{
    struct kobj *o = xmalloc(sizeof(*o));
    o->refs = 1;
    o->doc = doc;
    return o;
}

static struct kobj *kobj_ref(struct kobj *o)
{
    o->refs++;
    return o;
}

static void kobj_unref(struct kobj *o)
{
    if (o && --o->refs == 0) {
        cJSON_Delete(o->doc);
        free(o);
    }
}

static uint64_t rng_next(kstore *st)
{
    uint64_t z = (st->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static cJSON *meta_of(const cJSON *obj)
{
    return cJSON_GetObjectItemCaseSensitive(obj, "metadata");
}

static const char *meta_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta_of(obj), key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void set_str(cJSON *obj, const char *key, const char *val)
{
    cJSON *s = cJSON_CreateString(val);
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s);
    else
        cJSON_AddItemToObject(obj, key, s);
}

static void set_item(cJSON *obj, const char *key, cJSON *val)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
    else
        cJSON_AddItemToObject(obj, key, val);
}

/* "pods" or "deployments.apps": how the API names a resource in messages. */
static void qual_name(const char *group, const char *resource, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s", resource, *group ? "." : "", group);
}

static void now_rfc3339(kstore *st, char out[32])
{
    clock_fmt_rfc3339(clock_now_ms(st->clk), 0, out);
}

static void set_rv(cJSON *doc, uint64_t rv)
{
    char s[24];
    snprintf(s, sizeof(s), "%llu", (unsigned long long)rv);
    set_str(meta_of(doc), "resourceVersion", s);
}

/* ---- types and entries ------------------------------------------------------------ */

static struct ktype *type_find(const kstore *st, const char *group, const char *resource)
{
    for (size_t i = 0; i < st->ntypes; i++)
        if (!strcmp(st->types[i]->resource, resource) && !strcmp(st->types[i]->group, group))
            return st->types[i];
    return NULL;
}

static struct ktype *type_get(kstore *st, const char *group, const char *resource)
{
    struct ktype *t = type_find(st, group, resource);
    if (t)
        return t;
    t = xcalloc(1, sizeof(*t));
    t->group = xstrdup(group);
    t->resource = xstrdup(resource);
    XGROW(st->types, st->captypes, st->ntypes + 1);
    st->types[st->ntypes++] = t;
    return t;
}

static int key_cmp(const char *ns1, const char *n1, const char *ns2, const char *n2)
{
    int c = strcmp(ns1, ns2);
    return c ? c : strcmp(n1, n2);
}

/* Index of the first entry >= (ns, name); *found when equal. */
static size_t entry_pos(const struct ktype *t, const char *ns, const char *name, int *found)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(t->v[mid].ns, t->v[mid].name, ns, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < t->n && !key_cmp(t->v[lo].ns, t->v[lo].name, ns, name);
    return lo;
}

static struct kentry *entry_find(const kstore *st, const char *group, const char *resource,
                                 const char *ns, const char *name)
{
    const struct ktype *t = type_find(st, group, resource);
    int found;
    if (!t)
        return NULL;
    size_t i = entry_pos(t, ns ? ns : "", name, &found);
    return found ? &t->v[i] : NULL;
}

static void entry_insert(struct ktype *t, const char *ns, const char *name, struct kobj *o)
{
    int found;
    size_t i = entry_pos(t, ns, name, &found);
    XGROW(t->v, t->cap, t->n + 1);
    memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
    t->v[i].ns = xstrdup(ns);
    t->v[i].name = xstrdup(name);
    t->v[i].o = o;
    t->n++;
}

static void entry_remove(struct ktype *t, size_t i)
{
    free(t->v[i].ns);
    free(t->v[i].name);
    kobj_unref(t->v[i].o);
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
}

/* ---- event log and listeners -------------------------------------------------------- */

static void kev_release(struct kev *e)
{
    free(e->ns);
    free(e->name);
    kobj_unref(e->o);
}

static void fill_event(struct kstore_event *ev, const struct kev *e)
{
    ev->type = e->type;
    ev->group = e->t->group;
    ev->resource = e->t->resource;
    ev->ns = e->ns;
    ev->name = e->name;
    ev->rv = e->rv;
    ev->obj = e->o->doc;
}

static void emit(kstore *st, enum kstore_event_type type, struct ktype *t, const char *ns,
                 const char *name, struct kobj *o)
{
    if (st->ring_n == st->ring_cap) {
        struct kev *old = &st->ring[st->ring_head];
        st->dropped_rv = old->rv;
        kev_release(old);
        st->ring_head = (st->ring_head + 1) % st->ring_cap;
        st->ring_n--;
    }
    struct kev *e = &st->ring[(st->ring_head + st->ring_n) % st->ring_cap];
    e->type = type;
    e->t = t;
    e->ns = xstrdup(ns);
    e->name = xstrdup(name);
    e->rv = st->rv;
    e->o = kobj_ref(o);
    st->ring_n++;
    struct kstore_event ev;
    fill_event(&ev, e);
    size_t n = st->nls;
    for (size_t i = 0; i < n && i < st->nls; i++)
        st->ls[i].fn(st->ls[i].ctx, &ev);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void bootstrap(kstore *st)
{
    static const char *const names[] = {"default", "kube-system", "kube-public",
                                        "kube-node-lease"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cJSON *ns = cJSON_CreateObject();
        cJSON_AddStringToObject(ns, "apiVersion", "v1");
        cJSON_AddStringToObject(ns, "kind", "Namespace");
        cJSON *md = cJSON_AddObjectToObject(ns, "metadata");
        cJSON_AddStringToObject(md, "name", names[i]);
        cJSON *labels = cJSON_AddObjectToObject(md, "labels");
        cJSON_AddStringToObject(labels, "kubernetes.io/metadata.name", names[i]);
        kstore_create(st, "", "namespaces", ns, 0, NULL, NULL);
        cJSON_Delete(ns);
    }
}

kstore *kstore_new(gclock *clk)
{
    kstore *st = xcalloc(1, sizeof(*st));
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->lock, &a);
    pthread_mutexattr_destroy(&a);
    st->clk = clk;
    st->rng = 1;
    st->ring_cap = 10000;
    st->ring = xcalloc(st->ring_cap, sizeof(*st->ring));
    st->next_listen_id = 1;
    st->logs = kmap_new();
    bootstrap(st);
    return st;
}

static void ring_clear(kstore *st)
{
    for (size_t i = 0; i < st->ring_n; i++)
        kev_release(&st->ring[(st->ring_head + i) % st->ring_cap]);
    st->ring_n = 0;
    st->ring_head = 0;
}

static void logpod_free(struct klogpod *lp)
{
    if (!lp)
        return;
    for (size_t i = 0; i < lp->n; i++) {
        free(lp->c[i].container);
        buf_release(&lp->c[i].text);
    }
    free(lp->c);
    free(lp);
}

static int logpod_free_cb(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    logpod_free(value);
    return 0;
}

/* kmap_each callback too: frees one namespace's map of pods (NULL: no-op). */
static int logs_free_ns(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    if (value)
        kmap_each(value, logpod_free_cb, NULL);
    kmap_free(value);
    return 0;
}

void kstore_free(kstore *st)
{
    if (!st)
        return;
    ring_clear(st);
    free(st->ring);
    for (size_t i = 0; i < st->ntypes; i++) {
        struct ktype *t = st->types[i];
        while (t->n)
            entry_remove(t, t->n - 1);
        free(t->v);
        free(t->group);
        free(t->resource);
        free(t);
    }
    free(st->types);
    kmap_each(st->logs, logs_free_ns, NULL);
    kmap_free(st->logs);
    free(st->ls);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

gclock *kstore_clock(const kstore *st) { return st->clk; }

void kstore_set_window(kstore *st, size_t events)
{
    if (events < 16)
        events = 16;
    struct kev *ring = xcalloc(events, sizeof(*ring));
    size_t skip = st->ring_n > events ? st->ring_n - events : 0;
    for (size_t i = 0; i < st->ring_n; i++) {
        struct kev *e = &st->ring[(st->ring_head + i) % st->ring_cap];
        if (i < skip) {
            st->dropped_rv = e->rv;
            kev_release(e);
        } else {
            ring[i - skip] = *e;
        }
    }
    free(st->ring);
    st->ring = ring;
    st->ring_n -= skip;
    st->ring_head = 0;
    st->ring_cap = events;
}

void kstore_seed(kstore *st, uint64_t seed) { st->rng = seed; }

void kstore_lock(kstore *st) { pthread_mutex_lock(&st->lock); }

void kstore_unlock(kstore *st) { pthread_mutex_unlock(&st->lock); }

/* ---- reading ---------------------------------------------------------------------- */

uint64_t kstore_rv(const kstore *st) { return st->rv; }

const cJSON *kstore_peek(const kstore *st, const char *group, const char *resource,
                         const char *ns, const char *name)
{
    const struct kentry *e = entry_find(st, group, resource, ns, name);
    return e ? e->o->doc : NULL;
}

int kstore_get(kstore *st, const char *group, const char *resource, const char *ns,
               const char *name, cJSON **out, struct err *err)
{
    const cJSON *o = kstore_peek(st, group, resource, ns, name);
    if (!o) {
        char q[256];
        qual_name(group, resource, q, sizeof(q));
        return err_set(err, E_NOTFOUND, "%s \"%s\" not found", q, name);
    }
    *out = cJSON_Duplicate(o, 1);
    return 0;
}

/* [*lo, *hi) = the entries of namespace ns (all when ns is NULL or ""). */
static void ns_range(const struct ktype *t, const char *ns, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = t->n;
    if (!ns || !*ns)
        return;
    size_t a = 0, b = t->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (strcmp(t->v[m].ns, ns) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    for (*hi = a; *hi < t->n && !strcmp(t->v[*hi].ns, ns); (*hi)++)
        ;
}

int kstore_each(kstore *st, const char *group, const char *resource, const char *ns,
                kstore_each_fn fn, void *ctx)
{
    const struct ktype *t = type_find(st, group, resource);
    size_t lo, hi;
    if (!t)
        return 0;
    ns_range(t, ns, &lo, &hi);
    for (size_t i = lo; i < hi && i < t->n; i++) {
        int rc = fn(ctx, t->v[i].o->doc);
        if (rc)
            return rc;
    }
    return 0;
}

size_t kstore_count(const kstore *st, const char *group, const char *resource, const char *ns)
{
    const struct ktype *t = type_find(st, group, resource);
    size_t lo, hi;
    if (!t)
        return 0;
    ns_range(t, ns, &lo, &hi);
    return hi - lo;
}

/* A continue token is "NAMESPACE/NAME" of the last item returned. */
static int cont_start(const struct ktype *t, const char *cont, size_t lo, size_t *start,
                      struct err *err)
{
    const char *slash = cont ? strchr(cont, '/') : NULL;
    *start = lo;
    if (!cont || !*cont)
        return 0;
    if (!slash)
        return err_set(err, E_INVALID, "continue key is not valid: \"%s\"", cont);
    char *ns = xstrndup(cont, (size_t)(slash - cont));
    int found;
    size_t i = entry_pos(t, ns, slash + 1, &found);
    free(ns);
    *start = (found ? i + 1 : i) > lo ? (found ? i + 1 : i) : lo;
    return 0;
}

int kstore_list(kstore *st, const char *group, const char *resource,
                const struct kstore_query *q, cJSON **items, char **cont, uint64_t *rv,
                struct err *err)
{
    const struct ktype *t = type_find(st, group, resource);
    kstore_sel *sel = NULL;
    size_t lo = 0, hi = 0, start = 0, got = 0, last = 0;
    char *next = NULL;
    int rc = kstore_sel_new(&sel, q ? q->label_selector : NULL, q ? q->field_selector : NULL,
                            err);
    if (rc < 0)
        return rc;
    if (t) {
        ns_range(t, q ? q->ns : NULL, &lo, &hi);
        rc = cont_start(t, q ? q->cont : NULL, lo, &start, err);
    }
    if (rc < 0)
        goto out;
    *items = cJSON_CreateArray();
    for (size_t i = start; t && i < hi; i++) {
        if (!kstore_sel_match(sel, t->v[i].o->doc))
            continue;
        if (q && q->limit && got == q->limit) {
            next = xasprintf("%s/%s", t->v[last].ns, t->v[last].name);
            break;
        }
        cJSON_AddItemToArray(*items, cJSON_Duplicate(t->v[i].o->doc, 1));
        got++;
        last = i;
    }
out:
    kstore_sel_free(sel);
    if (cont)
        *cont = next;
    else
        free(next);
    if (rv)
        *rv = st->rv;
    return rc;
}

/* ---- validation ---------------------------------------------------------------- */

/* RFC 1123 subdomain, the rule for most object names (colons are let through
 * for RBAC names such as "system:controller:x"). */
static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '.' && c != ':')
            return 0;
        if ((i == 0 || i == n - 1) && !alnum)
            return 0;
    }
    return 1;
}

/* Depth-first search for a NaN or an infinity; path holds the way down. */
static const cJSON *nonfinite_at(const cJSON *v, struct buf *path)
{
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble) ? NULL : v;
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return NULL;
    size_t len = path->len, i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (cJSON_IsArray(v))
            buf_addf(path, "[%zu]", i);
        else
            buf_addf(path, "%s%s", len ? "." : "", c->string ? c->string : "");
        const cJSON *bad = nonfinite_at(c, path);
        if (bad)
            return bad;
        buf_truncate(path, len);
    }
    return NULL;
}

int kstore_check_numbers(const cJSON *obj, struct err *err)
{
    struct buf path = BUF_INIT;
    const cJSON *bad = nonfinite_at(obj, &path);
    int rc = 0;
    if (bad) {
        double d = bad->valuedouble;
        rc = err_set(err, E_INVALID, "%.160s: Invalid value: %s: numbers must be finite "
                     "(NaN and Infinity cannot be represented in JSON)",
                     path.len ? path.ptr : "<root>", isnan(d) ? "NaN" : d < 0 ? "-Inf" : "+Inf");
    }
    buf_release(&path);
    return rc;
}

static int check_doc(const cJSON *obj, const char *kind, struct err *err)
{
    if (!cJSON_IsObject(obj))
        return err_set(err, E_INVALID, "%s: the object must be a JSON object", kind);
    int rc = kstore_check_numbers(obj, err);
    if (rc < 0)
        return rc;
    const cJSON *md = meta_of(obj);
    if (md && !cJSON_IsObject(md))
        return err_set(err, E_INVALID, "metadata: Invalid value: must be an object");
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
    if (ns && !cJSON_IsString(ns) && !cJSON_IsNull(ns))
        return err_set(err, E_INVALID, "metadata.namespace: Invalid value: must be a string");
    return 0;
}

static const char *ns_of(const cJSON *obj)
{
    const char *ns = meta_str(obj, "namespace");
    return ns ? ns : "";
}

/* ---- create -------------------------------------------------------------------- */

static char *pick_name(kstore *st, const cJSON *obj, struct err *err, int *rc)
{
    const char *name = meta_str(obj, "name");
    const char *gen = meta_str(obj, "generateName");
    *rc = 0;
    if (name && *name)
        return xstrdup(name);
    if (!gen || !*gen) {
        *rc = err_set(err, E_INVALID, "metadata.name: Required value: name or generateName is "
                                      "required");
        return NULL;
    }
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    char suffix[6];
    for (int i = 0; i < 5; i++)
        suffix[i] = alpha[rng_next(st) % (sizeof(alpha) - 1)];
    suffix[5] = '\0';
    return xasprintf("%.*s%s", 58, gen, suffix);
}

static void make_uid(kstore *st, char out[40])
{
    uint64_t a = rng_next(st), b = rng_next(st);
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffULL));
}

/* Server-set metadata of a new object. */
static void stamp_new(kstore *st, cJSON *doc, const char *name, const char *ns, unsigned flags)
{
    cJSON *md = meta_of(doc);
    if (!cJSON_IsObject(md)) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "metadata");
        md = cJSON_AddObjectToObject(doc, "metadata");
    }
    char uid[40], ts[32];
    make_uid(st, uid);
    now_rfc3339(st, ts);
    set_str(md, "name", name);
    if (*ns)
        set_str(md, "namespace", ns);
    else
        cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
    set_str(md, "uid", uid);
    set_item(md, "generation", cJSON_CreateNumber(1));
    set_str(md, "creationTimestamp", ts);
    cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
    if (flags & KSTORE_DRY_RUN)
        cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
    else
        set_rv(doc, st->rv + 1);
}

static void namespace_defaults(cJSON *doc)
{
    cJSON *status = cJSON_GetObjectItemCaseSensitive(doc, "status");
    if (!cJSON_IsObject(status)) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "status");
        status = cJSON_AddObjectToObject(doc, "status");
    }
    if (!cJSON_GetObjectItemCaseSensitive(status, "phase"))
        cJSON_AddStringToObject(status, "phase", "Active");
}

static void add_default_sa(kstore *st, const char *ns)
{
    cJSON *sa = cJSON_CreateObject();
    cJSON_AddStringToObject(sa, "apiVersion", "v1");
    cJSON_AddStringToObject(sa, "kind", "ServiceAccount");
    cJSON *md = cJSON_AddObjectToObject(sa, "metadata");
    cJSON_AddStringToObject(md, "name", "default");
    cJSON_AddStringToObject(md, "namespace", ns);
    kstore_create(st, "", "serviceaccounts", sa, 0, NULL, NULL);
    cJSON_Delete(sa);
}

static int create_checks(kstore *st, const char *group, const char *resource, const char *ns,
                         const char *name, struct err *err)
{
    char q[256];
    if (!valid_name(name))
        return err_set(err, E_INVALID, "metadata.name: Invalid value: \"%.200s\": a lowercase "
                       "RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                       "'-' or '.', and must start and end with an alphanumeric character", name);
    if (*ns && !entry_find(st, "", "namespaces", "", ns))
        return err_set(err, E_NOTFOUND, "namespaces \"%s\" not found", ns);
    if (entry_find(st, group, resource, ns, name)) {
        qual_name(group, resource, q, sizeof(q));
        return err_set(err, E_EXISTS, "%s \"%s\" already exists", q, name);
    }
    return 0;
}

int kstore_create(kstore *st, const char *group, const char *resource, const cJSON *obj,
                  unsigned flags, cJSON **out, struct err *err)
{
    int rc = check_doc(obj, resource, err);
    char *name = NULL;
    if (rc < 0)
        return rc;
    const char *ns = ns_of(obj);
    name = pick_name(st, obj, err, &rc);
    if (rc < 0)
        goto out;
    rc = create_checks(st, group, resource, ns, name, err);
    if (rc < 0)
        goto out;
    cJSON *doc = cJSON_Duplicate(obj, 1);
    int is_ns = !*group && !strcmp(resource, "namespaces");
    stamp_new(st, doc, name, ns, flags);
    if (is_ns)
        namespace_defaults(doc);
    if (out)
        *out = cJSON_Duplicate(doc, 1);
    if (flags & KSTORE_DRY_RUN) {
        cJSON_Delete(doc);
        goto out;
    }
    st->rv++;
    struct ktype *t = type_get(st, group, resource);
    struct kobj *o = kobj_new(doc);
    entry_insert(t, ns, name, o);
    emit(st, KSTORE_ADDED, t, ns, name, o);
    if (is_ns)
        add_default_sa(st, name);
out:
    free(name);
    return rc;
}

/* ---- update ---------------------------------------------------------------------- */

static int rv_conflict(const char *group, const char *resource, const char *name,
                       struct err *err)
{
    char q[256];
    qual_name(group, resource, q, sizeof(q));
    return err_set(err, E_CONFLICT, "Operation cannot be fulfilled on %s \"%s\": the object has "
                   "been modified; please apply your changes to the latest version and try "
                   "again", q, name);
}

static int find_for_write(kstore *st, const char *group, const char *resource, const cJSON *obj,
                          struct kentry **e, struct err *err)
{
    char q[256];
    int rc = check_doc(obj, resource, err);
    if (rc < 0)
        return rc;
    const char *name = meta_str(obj, "name");
    if (!name || !*name)
        return err_set(err, E_INVALID, "metadata.name: Required value: name is required");
    *e = entry_find(st, group, resource, ns_of(obj), name);
    if (!*e) {
        qual_name(group, resource, q, sizeof(q));
        return err_set(err, E_NOTFOUND, "%s \"%s\" not found", q, name);
    }
    const char *rv = meta_str(obj, "resourceVersion");
    const char *cur = meta_str((*e)->o->doc, "resourceVersion");
    if (rv && *rv && (!cur || strcmp(rv, cur)))
        return rv_conflict(group, resource, name, err);
    const char *uid = meta_str(obj, "uid");
    const char *cuid = meta_str((*e)->o->doc, "uid");
    if (uid && *uid && cuid && strcmp(uid, cuid))
        return err_set(err, E_CONFLICT, "Precondition failed: UID in precondition: %s, UID in "
                       "object meta: %s", uid, cuid);
    return 0;
}

/* The object without metadata and status: what generation tracks. */
static int spec_changed(const cJSON *a, const cJSON *b)
{
    cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);
    const char *drop[] = {"metadata", "status", "apiVersion", "kind"};
    for (size_t i = 0; i < 4; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(x, drop[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(y, drop[i]);
    }
    int changed = !cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return changed;
}

static int same_ignoring_rv(const cJSON *a, const cJSON *b)
{
    cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(meta_of(x), "resourceVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(meta_of(y), "resourceVersion");
    int same = cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

static void copy_field(cJSON *dst, const cJSON *src, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);
    if (v)
        set_item(dst, key, cJSON_Duplicate(v, 1));
    else
        cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
}

/* Commit doc (owned) as the new version of entry e; no-op writes are dropped. */
static void commit(kstore *st, struct ktype *t, struct kentry *e, cJSON *doc, unsigned flags,
                   cJSON **out)
{
    if (same_ignoring_rv(doc, e->o->doc) || (flags & KSTORE_DRY_RUN)) {
        if (out)
            *out = cJSON_Duplicate((flags & KSTORE_DRY_RUN) ? doc : e->o->doc, 1);
        cJSON_Delete(doc);
        return;
    }
    st->rv++;
    set_rv(doc, st->rv);
    kobj_unref(e->o);
    e->o = kobj_new(doc);
    if (out)
        *out = cJSON_Duplicate(doc, 1);
    emit(st, KSTORE_MODIFIED, t, e->ns, e->name, e->o);
}

int kstore_update(kstore *st, const char *group, const char *resource, const cJSON *obj,
                  unsigned flags, cJSON **out, struct err *err)
{
    struct kentry *e = NULL;
    int rc = find_for_write(st, group, resource, obj, &e, err);
    if (rc < 0)
        return rc;
    const cJSON *old = e->o->doc;
    cJSON *doc = cJSON_Duplicate(obj, 1);
    cJSON *md = meta_of(doc);
    const cJSON *omd = meta_of(old);
    static const char *const keep[] = {"uid", "creationTimestamp", "deletionTimestamp",
                                       "generation", "resourceVersion", "name", "namespace"};
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        copy_field(md, omd, keep[i]);
    if (flags & KSTORE_KEEP_STATUS)
        copy_field(doc, old, "status");
    if (spec_changed(doc, old)) {
        int64_t gen = json_get_int(md, "generation", 0);
        set_item(md, "generation", cJSON_CreateNumber((double)(gen + 1)));
    }
    if (!*group && !strcmp(resource, "namespaces"))
        namespace_defaults(doc);
    commit(st, type_find(st, group, resource), e, doc, flags, out);
    return 0;
}

int kstore_update_status(kstore *st, const char *group, const char *resource,
                         const cJSON *obj, unsigned flags, cJSON **out, struct err *err)
{
    struct kentry *e = NULL;
    int rc = find_for_write(st, group, resource, obj, &e, err);
    if (rc < 0)
        return rc;
    cJSON *doc = cJSON_Duplicate(e->o->doc, 1);
    copy_field(doc, obj, "status");
    commit(st, type_find(st, group, resource), e, doc, flags, out);
    return 0;
}

/* ---- delete --------------------------------------------------------------------- */

/* Drop the logs of pod in ns, or of every pod in ns when pod is NULL. */
static void logs_drop(kstore *st, const char *ns, const char *pod)
{
    kmap *pods = kmap_get(st->logs, ns);
    if (!pods)
        return;
    if (pod) {
        logpod_free(kmap_del(pods, pod));
        if (kmap_len(pods))
            return;
    }
    logs_free_ns(NULL, ns, kmap_del(st->logs, ns));
}

/* Remove entry i of t, logging a DELETED event; *out gets the final state. */
static void remove_entry(kstore *st, struct ktype *t, size_t i, cJSON **out)
{
    struct kentry *e = &t->v[i];
    cJSON *doc = cJSON_Duplicate(e->o->doc, 1);
    char ts[32];
    st->rv++;
    set_rv(doc, st->rv);
    now_rfc3339(st, ts);
    set_str(meta_of(doc), "deletionTimestamp", ts);
    struct kobj *o = kobj_new(doc);
    if (!*t->group && !strcmp(t->resource, "pods"))
        logs_drop(st, e->ns, e->name);
    char *ns = xstrdup(e->ns), *name = xstrdup(e->name);
    entry_remove(t, i);
    emit(st, KSTORE_DELETED, t, ns, name, o);
    if (out)
        *out = cJSON_Duplicate(doc, 1);
    free(ns);
    free(name);
    kobj_unref(o);
}

static void delete_ns_contents(kstore *st, const char *ns)
{
    for (size_t k = 0; k < st->ntypes; k++) {
        struct ktype *t = st->types[k];
        size_t lo, hi;
        ns_range(t, ns, &lo, &hi);
        while (hi > lo)
            remove_entry(st, t, --hi, NULL);
    }
    logs_drop(st, ns, NULL);
}

int kstore_delete(kstore *st, const char *group, const char *resource, const char *ns,
                  const char *name, const char *uid, unsigned flags, cJSON **out,
                  struct err *err)
{
    char q[256];
    struct ktype *t = type_find(st, group, resource);
    int found = 0;
    size_t i = t ? entry_pos(t, ns ? ns : "", name ? name : "", &found) : 0;
    if (!found) {
        qual_name(group, resource, q, sizeof(q));
        return err_set(err, E_NOTFOUND, "%s \"%s\" not found", q, name ? name : "");
    }
    const char *cuid = meta_str(t->v[i].o->doc, "uid");
    if (uid && *uid && cuid && strcmp(uid, cuid))
        return err_set(err, E_CONFLICT, "Precondition failed: UID in precondition: %s, UID in "
                       "object meta: %s", uid, cuid);
    if (flags & KSTORE_DRY_RUN) {
        if (out)
            *out = cJSON_Duplicate(t->v[i].o->doc, 1);
        return 0;
    }
    if (!*group && !strcmp(resource, "namespaces")) {
        delete_ns_contents(st, name);
        i = entry_pos(t, "", name, &found);
    }
    remove_entry(st, t, i, out);
    return 0;
}

/* ---- watching ------------------------------------------------------------------- */

int kstore_events(kstore *st, uint64_t since, kstore_event_fn fn, void *ctx, struct err *err)
{
    if (since < st->dropped_rv) {
        uint64_t oldest = st->ring_n ? st->ring[st->ring_head].rv : st->rv;
        return err_set(err, E_GONE, "too old resource version: %llu (%llu)",
                       (unsigned long long)since, (unsigned long long)(oldest - 1));
    }
    size_t lo = 0, hi = st->ring_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->ring[(st->ring_head + mid) % st->ring_cap].rv <= since)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < st->ring_n; i++) {
        struct kstore_event ev;
        fill_event(&ev, &st->ring[(st->ring_head + i) % st->ring_cap]);
        int rc = fn(ctx, &ev);
        if (rc)
            return rc;
    }
    return 0;
}

uint64_t kstore_listen(kstore *st, kstore_listen_fn fn, void *ctx)
{
    XGROW(st->ls, st->capls, st->nls + 1);
    st->ls[st->nls].id = st->next_listen_id++;
    st->ls[st->nls].fn = fn;
    st->ls[st->nls].ctx = ctx;
    return st->ls[st->nls++].id;
}

void kstore_unlisten(kstore *st, uint64_t id)
{
    for (size_t i = 0; i < st->nls; i++)
        if (st->ls[i].id == id) {
            memmove(&st->ls[i], &st->ls[i + 1], (st->nls - i - 1) * sizeof(*st->ls));
            st->nls--;
            return;
        }
}

/* ---- pod logs ------------------------------------------------------------------- */

static struct klogpod *logpod_find(kstore *st, const char *ns, const char *pod, int create)
{
    kmap *pods = kmap_get(st->logs, ns);
    if (!pods && !create)
        return NULL;
    if (!pods) {
        pods = kmap_new();
        kmap_put(st->logs, ns, pods);
    }
    struct klogpod *lp = kmap_get(pods, pod);
    if (!lp && create) {
        lp = xcalloc(1, sizeof(*lp));
        kmap_put(pods, pod, lp);
    }
    return lp;
}

static struct klog *log_find(struct klogpod *lp, const char *container)
{
    for (size_t i = 0; lp && i < lp->n; i++)
        if (!container || !strcmp(lp->c[i].container, container))
            return &lp->c[i];
    return NULL;
}

void kstore_log_append(kstore *st, const char *ns, const char *pod, const char *container,
                       const char *text)
{
    struct klogpod *lp = logpod_find(st, ns, pod, 1);
    struct klog *l = log_find(lp, container);
    if (!l) {
        XGROW(lp->c, lp->cap, lp->n + 1);
        l = &lp->c[lp->n++];
        l->container = xstrdup(container);
        buf_init(&l->text, 0);
    }
    size_t n = strlen(text);
    if (n > LOG_CAP) {
        text += n - LOG_CAP;
        n = LOG_CAP;
    }
    if (l->text.len + n > LOG_CAP) {
        size_t drop = l->text.len + n - LOG_CAP;
        const char *nl = memchr(l->text.ptr + drop, '\n', l->text.len - drop);
        if (nl)
            drop = (size_t)(nl + 1 - l->text.ptr);
        memmove(l->text.ptr, l->text.ptr + drop, l->text.len - drop);
        buf_truncate(&l->text, l->text.len - drop);
    }
    buf_add(&l->text, text, n);
}

int kstore_log_get(kstore *st, const char *ns, const char *pod, const char *container,
                   struct buf *out, struct err *err)
{
    struct klog *l = log_find(logpod_find(st, ns, pod, 0), container);
    if (!l)
        return err_set(err, E_NOTFOUND, "no log for container \"%s\" in pod \"%s\"",
                       container ? container : "", pod);
    buf_add(out, l->text.ptr, l->text.len);
    return 0;
}
