/* kctl.c -- controller manager (see kctl.h): timers, the dirty queue fed by
 * the store listener, the tick that runs queued work, shared helpers.
 *
 * Why a queue: listeners run inside a store mutation and must not write, and
 * one API call often touches many objects (a pod status write concerns its
 * ReplicaSet, its Deployment and the Services of its namespace).  Keys are
 * deduplicated, so a burst of writes costs one sync per object per tick.
 */
#include "kctl.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kctl_int.h"
#include "kdeploy.h"
#include "khpa.h"
#include "kpod.h"
#include "ksvc.h"

struct kctl_timer {
    kctl *k;
    uint64_t id;
    kctl_fire_fn fn;
    void *arg;
    void (*free_arg)(void *);
    struct kctl_timer *prev, *next;
};

/* ---- timers ------------------------------------------------------------------ */

static void timer_unlink(kctl *k, struct kctl_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        k->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

static void timer_fire(void *ctx)
{
    struct kctl_timer *t = ctx;
    kctl *k = t->k;
    timer_unlink(k, t);
    t->fn(k, t->arg);
    if (t->free_arg)
        t->free_arg(t->arg);
    free(t);
}

struct kctl_timer *kctl_after(kctl *k, int64_t delay_ms, kctl_fire_fn fn, void *arg,
                              void (*free_arg)(void *))
{
    struct kctl_timer *t = xcalloc(1, sizeof(*t));
    t->k = k;
    t->fn = fn;
    t->arg = arg;
    t->free_arg = free_arg;
    t->next = k->timers;
    if (k->timers)
        k->timers->prev = t;
    k->timers = t;
    t->id = clock_after(k->clk, delay_ms < 0 ? 0 : delay_ms, timer_fire, t);
    return t;
}

void kctl_cancel(kctl *k, struct kctl_timer *t)
{
    if (!t)
        return;
    clock_cancel(k->clk, t->id);
    timer_unlink(k, t);
    if (t->free_arg)
        t->free_arg(t->arg);
    free(t);
}

/* ---- the dirty queue ---------------------------------------------------------- */

static void tick(kctl *k, void *arg);

static char *work_key(enum kctl_work work, const char *ns, const char *name)
{
    return xasprintf("%d/%s/%s", (int)work, ns, name);
}

void kctl_mark(kctl *k, enum kctl_work work, const char *ns, const char *name)
{
    char *key = work_key(work, ns, name);
    if (!kmap_get(k->dirty, key)) {
        kmap_put(k->dirty, key, (void *)1);
        XGROW(k->queue, k->capqueue, k->nqueue + 1);
        k->queue[k->nqueue++] = (struct kctl_item){work, xstrdup(ns), xstrdup(name)};
    }
    free(key);
    if (!k->tick)
        k->tick = kctl_after(k, 0, tick, NULL, NULL);
}

static void item_release(struct kctl_item *it)
{
    free(it->ns);
    free(it->name);
}

static void run_item(kctl *k, const struct kctl_item *it)
{
    switch (it->work) {
    case KW_GC: kdeploy_gc(k, it->ns, it->name); break;
    case KW_POD: kpod_sync(k, it->ns, it->name); break;
    case KW_DEPLOY: kdeploy_sync(k, it->ns, it->name); break;
    case KW_RS: kdeploy_sync_rs(k, it->ns, it->name); break;
    case KW_SVC: ksvc_sync_ns(k, it->ns); break;
    case KW_SVCDEL: ksvc_forget(k, it->ns, it->name); break;
    case KW_HPA: khpa_sync(k, it->ns, it->name); break;
    default: break;
    }
}

/* Run what was queued before this tick, kind by kind (GC first, Services
 * after the pods they list).  Work queued meanwhile goes to the next tick. */
static void tick(kctl *k, void *arg)
{
    (void)arg;
    k->tick = NULL;
    struct kctl_item *items = k->queue;
    size_t n = k->nqueue;
    k->queue = NULL;
    k->nqueue = k->capqueue = 0;
    for (size_t i = 0; i < n; i++) {
        char *key = work_key(items[i].work, items[i].ns, items[i].name);
        kmap_del(k->dirty, key);
        free(key);
    }
    for (int w = 0; w < KW_COUNT; w++)
        for (size_t i = 0; i < n; i++)
            if ((int)items[i].work == w)
                run_item(k, &items[i]);
    for (size_t i = 0; i < n; i++)
        item_release(&items[i]);
    free(items);
}

struct wake {
    enum kctl_work work;
    char *ns, *name, *key;
    int64_t due;
};

static void wake_free(void *p)
{
    struct wake *w = p;
    free(w->ns);
    free(w->name);
    free(w->key);
    free(w);
}

static void wake_fire(kctl *k, void *arg)
{
    struct wake *w = arg;
    int64_t *due = kmap_get(k->wakes, w->key);
    if (due && *due == w->due)
        free(kmap_del(k->wakes, w->key));
    kctl_mark(k, w->work, w->ns, w->name);
}

void kctl_wake_at(kctl *k, enum kctl_work work, const char *ns, const char *name,
                  int64_t due_ms)
{
    char *key = work_key(work, ns, name);
    int64_t *due = kmap_get(k->wakes, key);
    if (due && *due <= due_ms && *due >= kctl_now(k)) {
        free(key);
        return;
    }
    if (!due) {
        due = xmalloc(sizeof(*due));
        kmap_put(k->wakes, key, due);
    }
    *due = due_ms;
    struct wake *w = xcalloc(1, sizeof(*w));
    *w = (struct wake){work, xstrdup(ns), xstrdup(name), key, due_ms};
    kctl_after(k, due_ms - kctl_now(k), wake_fire, w, wake_free);
}

/* ---- the store listener ------------------------------------------------------ */

/* Mark the Deployment owning ReplicaSet ns/rs, or the ReplicaSet itself. */
static void mark_rs_owner(kctl *k, const char *ns, const char *rs, const cJSON *rsobj)
{
    if (!rsobj)
        rsobj = kstore_peek(k->st, "apps", "replicasets", ns, rs);
    const cJSON *own = rsobj ? kctl_owner(rsobj, "Deployment") : NULL;
    if (own)
        kctl_mark(k, KW_DEPLOY, ns, json_get_str(own, "name", ""));
    else
        kctl_mark(k, KW_RS, ns, rs);
}

static void on_pod(kctl *k, const struct kstore_event *ev)
{
    kctl_mark(k, KW_POD, ev->ns, ev->name);
    const cJSON *own = kctl_owner(ev->obj, "ReplicaSet");
    if (own)
        mark_rs_owner(k, ev->ns, json_get_str(own, "name", ""), NULL);
    kctl_mark(k, KW_SVC, ev->ns, "");
}

static void on_change(void *ctx, const struct kstore_event *ev)
{
    kctl *k = ctx;
    int del = ev->type == KSTORE_DELETED;
    const char *uid = json_get_str(ev->obj, "metadata.uid", "");
    if (!strcmp(ev->group, "") && !strcmp(ev->resource, "pods")) {
        on_pod(k, ev);
    } else if (!strcmp(ev->group, "apps") && !strcmp(ev->resource, "replicasets")) {
        mark_rs_owner(k, ev->ns, ev->name, ev->obj);
        if (del && *uid)
            kctl_mark(k, KW_GC, ev->ns, uid);
    } else if (!strcmp(ev->group, "apps") && !strcmp(ev->resource, "deployments")) {
        kctl_mark(k, KW_DEPLOY, ev->ns, ev->name);
        if (del && *uid)
            kctl_mark(k, KW_GC, ev->ns, uid);
    } else if (!strcmp(ev->group, "") && !strcmp(ev->resource, "services")) {
        kctl_mark(k, del ? KW_SVCDEL : KW_SVC, ev->ns, del ? ev->name : "");
    } else if (!strcmp(ev->group, "autoscaling") &&
               !strcmp(ev->resource, "horizontalpodautoscalers") && !del) {
        /* New or re-specified HPAs sync at once; our own status writes must
         * not, or one sync period would hold several scaling steps. */
        if (ev->type == KSTORE_ADDED || json_get_int(ev->obj, "metadata.generation", 1) !=
                                            json_get_int(ev->obj, "status.observedGeneration", 0))
            kctl_mark(k, KW_HPA, ev->ns, ev->name);
    }
}

/* ---- lifecycle --------------------------------------------------------------- */

struct initial {
    kctl *k;
    enum kctl_work work;
};

static int mark_existing(void *ctx, const cJSON *obj)
{
    struct initial *in = ctx;
    const char *ns = json_get_str(obj, "metadata.namespace", "");
    const char *name = json_get_str(obj, "metadata.name", "");
    if (in->work == KW_RS)
        mark_rs_owner(in->k, ns, name, obj);
    else
        kctl_mark(in->k, in->work, ns, in->work == KW_SVC ? "" : name);
    return 0;
}

static void mark_all(kctl *k, const char *group, const char *resource, enum kctl_work work)
{
    struct initial in = {k, work};
    kstore_each(k->st, group, resource, NULL, mark_existing, &in);
}

static void hpa_tick(kctl *k, void *arg)
{
    (void)arg;
    k->hpa_timer = kctl_after(k, k->opts.hpa_sync_ms, hpa_tick, NULL, NULL);
    mark_all(k, "autoscaling", "horizontalpodautoscalers", KW_HPA);
}

static char **copy_strv(const char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    char **out = xcalloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

kctl *kctl_new(kstore *st, gclock *clk, const struct kctl_opts *opts)
{
    static const struct kctl_opts defaults = KCTL_OPTS_INIT;
    kctl *k = xcalloc(1, sizeof(*k));
    k->st = st;
    k->clk = clk;
    k->opts = opts ? *opts : defaults;
    if (k->opts.nodes < 1)
        k->opts.nodes = 1;
    if (k->opts.log_interval_ms < 1)
        k->opts.log_interval_ms = 1;
    if (k->opts.hpa_sync_ms < 1)
        k->opts.hpa_sync_ms = 1;
    k->fail_images = copy_strv(k->opts.fail_images);
    k->opts.fail_images = (const char *const *)k->fail_images;
    k->rng = k->opts.seed;
    k->dirty = kmap_new();
    k->pods = kmap_new();
    k->wakes = kmap_new();
    k->loads = kmap_new();
    k->ev = kevents_new(st, clk, k->opts.event_ttl_ms);
    k->listen_id = kstore_listen(st, on_change, k);
    mark_all(k, "", "pods", KW_POD);
    mark_all(k, "apps", "replicasets", KW_RS);
    mark_all(k, "apps", "deployments", KW_DEPLOY);
    mark_all(k, "", "services", KW_SVC);
    k->hpa_timer = kctl_after(k, 0, hpa_tick, NULL, NULL);
    return k;
}

static int free_value(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    free(value);
    return 0;
}

void kctl_free(kctl *k)
{
    if (!k)
        return;
    kstore_unlisten(k->st, k->listen_id);
    while (k->timers)
        kctl_cancel(k, k->timers);
    kpod_forget_all(k);
    for (size_t i = 0; i < k->nqueue; i++)
        item_release(&k->queue[i]);
    free(k->queue);
    kmap_free(k->dirty);
    kmap_free(k->pods);
    kmap_each(k->wakes, free_value, NULL);
    kmap_free(k->wakes);
    kmap_each(k->loads, free_value, NULL);
    kmap_free(k->loads);
    kevents_free(k->ev);
    for (char **p = k->fail_images; *p; p++)
        free(*p);
    free(k->fail_images);
    free(k);
}

void kctl_sync_hpas(kctl *k) { mark_all(k, "autoscaling", "horizontalpodautoscalers", KW_HPA); }

/* ---- loads and scenario hooks ------------------------------------------------- */

void kctl_set_load(kctl *k, const char *ns, const char *deploy, int pct)
{
    char *key = xasprintf("%s/%s", ns, deploy);
    if (pct < 0) {
        free(kmap_del(k->loads, key));
    } else {
        int *v = xmalloc(sizeof(*v));
        *v = pct;
        free(kmap_put(k->loads, key, v));
    }
    free(key);
}

static const char *annotation(const cJSON *annotations, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(annotations, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int kctl_load(const kctl *k, const cJSON *deploy)
{
    char *key = xasprintf("%s/%s", json_get_str(deploy, "metadata.namespace", ""),
                          json_get_str(deploy, "metadata.name", ""));
    int *v = kmap_get(k->loads, key);
    free(key);
    if (v)
        return *v;
    const char *a = annotation(json_get(deploy, "metadata.annotations"), "sim.gitops/cpu-load");
    char *end = NULL;
    long pct = a ? strtol(a, &end, 10) : -1;
    if (a && end != a && pct >= 0 && pct <= 100000)
        return (int)pct;
    return k->opts.default_load_pct;
}

int kctl_fails_ready(const kctl *k, const char *image, const cJSON *annotations)
{
    const char *a = annotation(annotations, "sim.gitops/fail-ready");
    if (a && !strcmp(a, "true"))
        return 1;
    for (char **p = k->fail_images; image && *p; p++)
        if (fnmatch(*p, image, 0) == 0)
            return 1;
    return 0;
}

/* ---- small helpers ------------------------------------------------------------ */

void kctl_write_status(kctl *k, const char *group, const char *resource, const char *ns,
                       const char *name, cJSON *status)
{
    const cJSON *cur = kstore_peek(k->st, group, resource, ns, name);
    if (!cur || json_equal(json_get(cur, "status"), status)) {
        cJSON_Delete(status);
        return;
    }
    cJSON *w = cJSON_CreateObject();
    cJSON *md = cJSON_AddObjectToObject(w, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddStringToObject(md, "namespace", ns);
    cJSON_AddItemToObject(w, "status", status);
    kstore_update_status(k->st, group, resource, w, 0, NULL, NULL);
    cJSON_Delete(w);
}

int64_t kctl_get_clamped(const cJSON *obj, const char *path, int64_t def, int64_t lo, int64_t hi)
{
    int64_t v = json_get_int(obj, path, def);
    return v < lo ? lo : v > hi ? hi : v;
}

uint64_t kctl_rand(kctl *k)
{
    uint64_t z = (k->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void kctl_rand_suffix(kctl *k, char *out, size_t n)
{
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    for (size_t i = 0; i < n; i++)
        out[i] = alpha[kctl_rand(k) % (sizeof(alpha) - 1)];
    out[n] = '\0';
}

int64_t kctl_now(const kctl *k) { return clock_now_ms(k->clk); }

void kctl_stamp(const kctl *k, char out[32]) { clock_fmt_rfc3339(kctl_now(k), 0, out); }

char *kctl_selector_text(const cJSON *match_labels)
{
    struct buf b = BUF_INIT;
    const cJSON *l;
    cJSON_ArrayForEach(l, match_labels)
    {
        if (cJSON_IsString(l))
            buf_addf(&b, "%s%s=%s", b.len ? "," : "", l->string, l->valuestring);
    }
    return buf_detach(&b, NULL);
}

int kctl_owned_by(const cJSON *obj, const char *uid)
{
    const cJSON *ref;
    cJSON_ArrayForEach(ref, json_get(obj, "metadata.ownerReferences"))
    {
        if (!strcmp(json_get_str(ref, "uid", ""), uid))
            return 1;
    }
    return 0;
}

const cJSON *kctl_owner(const cJSON *obj, const char *kind)
{
    const cJSON *ref;
    cJSON_ArrayForEach(ref, json_get(obj, "metadata.ownerReferences"))
    {
        if (!strcmp(json_get_str(ref, "kind", ""), kind) && json_get_bool(ref, "controller", 0))
            return ref;
    }
    return NULL;
}

void kctl_set_str(cJSON *obj, const char *key, const char *s)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddStringToObject(obj, key, s);
}

void kctl_set_num(cJSON *obj, const char *key, double v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddNumberToObject(obj, key, v);
}

cJSON *kctl_obj(cJSON *obj, const char *key)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsObject(c))
        return c;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    return cJSON_AddObjectToObject(obj, key);
}
