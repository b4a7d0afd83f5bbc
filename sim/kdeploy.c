/* kdeploy.c -- Deployment and ReplicaSet controllers (see kdeploy.h).
 * A sync reads everything it needs once (the Deployment, its ReplicaSets,
 * the namespace's pods bucketed by owner), plans one rollout step with the
 * pure functions, writes only what changed, and lets the listener bring it
 * back for the next step.  The structure follows kube's
 * pkg/controller/deployment (rolling.go, recreate.go, sync.go, progress.go)
 * so the observable states match.
 */
#include "kdeploy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kctl_int.h"
#include "kpod.h"

#define REV_ANN "deployment.kubernetes.io/revision"
#define HASH_LABEL "pod-template-hash"

/* ---- pure arithmetic ----------------------------------------------------------- */

static int parse_scaled(const cJSON *v, int total, int round_up, int *out)
{
    if (cJSON_IsNumber(v)) {
        if (!(v->valuedouble >= 0) || v->valuedouble > KCTL_MAX_REPLICAS)
            return -1;
        *out = (int)v->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(v))
        return -1;
    char *end = NULL;
    long n = strtol(v->valuestring, &end, 10);
    if (end == v->valuestring || n < 0 || n > KCTL_MAX_REPLICAS * 100L)
        return -1;
    if (!strcmp(end, "%")) {
        double x = (double)total * (double)n / 100.0;
        *out = (int)(round_up ? ceil(x) : floor(x));
        return 0;
    }
    if (*end)
        return -1;
    *out = (int)n;
    return 0;
}

int kdeploy_scaled(const cJSON *v, const char *def, int total, int round_up)
{
    int out = 0;
    if (parse_scaled(v, total, round_up, &out) == 0)
        return out;
    cJSON *d = cJSON_CreateString(def);
    if (parse_scaled(d, total, round_up, &out) < 0)
        out = 0;
    cJSON_Delete(d);
    return out;
}

void kdeploy_fenceposts(const cJSON *max_surge, const cJSON *max_unavail, int desired,
                        int *surge, int *unavail)
{
    *surge = kdeploy_scaled(max_surge, "25%", desired, 1);
    *unavail = kdeploy_scaled(max_unavail, "25%", desired, 0);
    if (*surge == 0 && *unavail == 0)
        *unavail = 1;
    if (*unavail > desired)
        *unavail = desired;
}

/* Drop nulls and empty objects/lists, recursively: clients re-sending a
 * template (kubectl rollout undo adds "creationTimestamp": null) must not
 * change its hash. */
static void prune(cJSON *node)
{
    cJSON *c = node ? node->child : NULL;
    while (c) {
        cJSON *next = c->next;
        prune(c);
        if (cJSON_IsNull(c) || ((cJSON_IsObject(c) || cJSON_IsArray(c)) && !c->child))
            cJSON_Delete(cJSON_DetachItemViaPointer(node, c));
        c = next;
    }
}

void kdeploy_template_hash(const cJSON *tmpl, char out[16])
{
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    struct buf b = BUF_INIT;
    uint32_t h = 2166136261u;
    char dec[16];
    cJSON *t = cJSON_Duplicate(tmpl, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(json_get(t, "metadata.labels"), HASH_LABEL);
    prune(t);
    json_canonical(t, &b);
    cJSON_Delete(t);
    for (size_t i = 0; i < b.len; i++) {
        h ^= (unsigned char)b.ptr[i];
        h *= 16777619u;
    }
    buf_release(&b);
    snprintf(dec, sizeof(dec), "%u", h);
    size_t i = 0;
    for (; dec[i]; i++)
        out[i] = alpha[(unsigned char)dec[i] % (sizeof(alpha) - 1)];
    out[i] = '\0';
}

static int sum_replicas(const struct kdeploy_count *c, size_t n)
{
    int s = 0;
    for (size_t i = 0; i < n; i++)
        s += c[i].replicas;
    return s;
}

/* kube's cleanupUnhealthyReplicas then scaleDownOldReplicaSetsForRollingUpdate. */
static int scale_down_olds(int desired, int unavail, const struct kdeploy_count *nw,
                           struct kdeploy_count *olds, size_t n)
{
    int total = nw->replicas + sum_replicas(olds, n);
    int min_avail = desired - unavail;
    int max_down = total - min_avail - (nw->replicas - nw->available);
    int cleaned = 0, done = 0, avail = nw->available;
    if (sum_replicas(olds, n) == 0 || max_down <= 0)
        return 0;
    for (size_t i = 0; i < n && cleaned < max_down; i++) {
        int unhealthy = olds[i].replicas - olds[i].available;
        if (olds[i].replicas == 0 || unhealthy <= 0)
            continue;
        int d = unhealthy < max_down - cleaned ? unhealthy : max_down - cleaned;
        olds[i].replicas -= d;
        cleaned += d;
    }
    for (size_t i = 0; i < n; i++)
        avail += olds[i].available < olds[i].replicas ? olds[i].available : olds[i].replicas;
    for (size_t i = 0; i < n && avail - done > min_avail; i++) {
        int want = avail - min_avail - done;
        int d = olds[i].replicas < want ? olds[i].replicas : want;
        olds[i].replicas -= d;
        done += d;
    }
    return cleaned + done > 0;
}

int kdeploy_plan_rolling(int desired, int surge, int unavail, struct kdeploy_count *newrs,
                         struct kdeploy_count *olds, size_t nold)
{
    int total = newrs->replicas + sum_replicas(olds, nold);
    int target = newrs->replicas;
    if (newrs->replicas > desired) {
        target = desired;
    } else if (total < desired + surge) {
        int up = desired + surge - total;
        if (up > desired - newrs->replicas)
            up = desired - newrs->replicas;
        target = newrs->replicas + up;
    }
    if (target != newrs->replicas) {
        newrs->replicas = target;
        return 1;
    }
    return scale_down_olds(desired, unavail, newrs, olds, nold);
}

int kdeploy_plan_recreate(int desired, struct kdeploy_count *newrs, struct kdeploy_count *olds,
                          size_t nold, int old_pods)
{
    int changed = 0;
    for (size_t i = 0; i < nold; i++) {
        if (olds[i].replicas) {
            olds[i].replicas = 0;
            changed = 1;
        }
    }
    if (changed || old_pods > 0)
        return changed;
    if (newrs->replicas != desired) {
        newrs->replicas = desired;
        return 1;
    }
    return 0;
}

/* ---- what one sync sees ----------------------------------------------------------- */

/* What a sync needs of a pod: copying whole pods made big rollouts slow. */
struct podv {
    char *name;
    char *created;    /* creationTimestamp text (sorts like the time) */
    int64_t since;    /* Ready since (ms), or -1 */
};

struct rsv {
    cJSON *rs;        /* copy of the stored ReplicaSet */
    struct podv *pods; /* its active pods */
    size_t npods, cap;
    int orig;         /* spec.replicas as stored */
    struct kdeploy_count c;
    int ready;
    long revision;
    int64_t created;
};

struct dsync {
    kctl *k;
    const char *ns;
    cJSON *d;         /* copy of the Deployment (NULL for a lone ReplicaSet) */
    struct rsv *rs;
    size_t n;
    long newi;        /* index of the new ReplicaSet, or -1 */
    char hash[16];
    int created_new;
    int64_t min_ready;
};

static void dsync_release(struct dsync *s)
{
    for (size_t i = 0; i < s->n; i++) {
        cJSON_Delete(s->rs[i].rs);
        for (size_t j = 0; j < s->rs[i].npods; j++) {
            free(s->rs[i].pods[j].name);
            free(s->rs[i].pods[j].created);
        }
        free(s->rs[i].pods);
    }
    free(s->rs);
    cJSON_Delete(s->d);
}

static int64_t stamp_ms(const char *s)
{
    int64_t ms = 0;
    if (s && clock_parse_rfc3339(s, &ms) < 0)
        ms = 0;
    return ms;
}

static void rsv_add(struct dsync *s, const cJSON *rs)
{
    s->rs = xrealloc(s->rs, (s->n + 1) * sizeof(*s->rs));
    struct rsv *v = &s->rs[s->n++];
    memset(v, 0, sizeof(*v));
    v->rs = cJSON_Duplicate(rs, 1);
    v->orig = v->c.replicas = (int)kctl_get_clamped(rs, "spec.replicas", 1, 0, KCTL_MAX_REPLICAS);
    const cJSON *ann = json_get(rs, "metadata.annotations");
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(ann, REV_ANN);
    v->revision = cJSON_IsString(rev) ? strtol(rev->valuestring, NULL, 10) : 0;
    v->created = stamp_ms(json_get_str(rs, "metadata.creationTimestamp", NULL));
}

static int collect_rs(void *ctx, const cJSON *rs)
{
    struct dsync *s = ctx;
    if (kctl_owned_by(rs, json_get_str(s->d, "metadata.uid", "")))
        rsv_add(s, rs);
    return 0;
}

static void podv_add(struct rsv *v, const cJSON *pod)
{
    XGROW(v->pods, v->cap, v->npods + 1);
    struct podv *p = &v->pods[v->npods++];
    p->name = xstrdup(json_get_str(pod, "metadata.name", ""));
    p->created = xstrdup(json_get_str(pod, "metadata.creationTimestamp", ""));
    p->since = kpod_ready_since(pod);
}

static int collect_pod(void *ctx, const cJSON *pod)
{
    struct dsync *s = ctx;
    const cJSON *own = kctl_owner(pod, "ReplicaSet");
    if (!own || !kpod_is_active(pod))
        return 0;
    const char *uid = json_get_str(own, "uid", "");
    for (size_t i = 0; i < s->n; i++) {
        if (!strcmp(json_get_str(s->rs[i].rs, "metadata.uid", ""), uid)) {
            podv_add(&s->rs[i], pod);
            break;
        }
    }
    return 0;
}

/* Ready and available pods of each set; wake up when one will become available. */
static void count_pods(struct dsync *s)
{
    int64_t now = kctl_now(s->k);
    for (size_t i = 0; i < s->n; i++) {
        struct rsv *v = &s->rs[i];
        v->ready = v->c.available = 0;
        for (size_t j = 0; j < v->npods; j++) {
            int64_t since = v->pods[j].since;
            if (since < 0)
                continue;
            v->ready++;
            if (s->min_ready <= 0 || since + s->min_ready * 1000 <= now)
                v->c.available++;
            else if (s->d)
                kctl_wake_at(s->k, KW_DEPLOY, s->ns, json_get_str(s->d, "metadata.name", ""),
                             since + s->min_ready * 1000);
        }
    }
}

static int by_age(const void *a, const void *b)
{
    const struct rsv *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return strcmp(json_get_str(x->rs, "metadata.name", ""),
                  json_get_str(y->rs, "metadata.name", ""));
}

static void load(struct dsync *s)
{
    kstore_each(s->k->st, "apps", "replicasets", s->ns, collect_rs, s);
    if (s->n > 1)
        qsort(s->rs, s->n, sizeof(*s->rs), by_age);
    kstore_each(s->k->st, "", "pods", s->ns, collect_pod, s);
    count_pods(s);
}

/* ---- the new ReplicaSet ----------------------------------------------------------- */

static const char *label_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json_get(obj, "metadata.labels"), key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static long max_revision(const struct dsync *s)
{
    long m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->rs[i].revision > m)
            m = s->rs[i].revision;
    return m;
}

static void set_map_str(cJSON *obj, const char *path, const char *key, const char *val)
{
    cJSON *m = json_get(obj, path);
    if (!cJSON_IsObject(m)) {
        json_set(obj, path, cJSON_CreateObject(), NULL);
        m = json_get(obj, path);
    }
    kctl_set_str(m, key, val);
}

static cJSON *owner_ref(const cJSON *owner)
{
    cJSON *ref = cJSON_CreateObject();
    cJSON_AddStringToObject(ref, "apiVersion", json_get_str(owner, "apiVersion", "apps/v1"));
    cJSON_AddStringToObject(ref, "kind", json_get_str(owner, "kind", "Deployment"));
    cJSON_AddStringToObject(ref, "name", json_get_str(owner, "metadata.name", ""));
    cJSON_AddStringToObject(ref, "uid", json_get_str(owner, "metadata.uid", ""));
    cJSON_AddBoolToObject(ref, "controller", 1);
    cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
    return ref;
}

/* The ReplicaSet object for the Deployment's current template. */
static cJSON *build_rs(const struct dsync *s, int replicas, long revision)
{
    const cJSON *d = s->d;
    cJSON *rs = cJSON_CreateObject(), *tmpl = cJSON_Duplicate(json_get(d, "spec.template"), 1);
    char *name = xasprintf("%s-%s", json_get_str(d, "metadata.name", ""), s->hash), rev[24];
    snprintf(rev, sizeof(rev), "%ld", revision);
    cJSON_AddStringToObject(rs, "apiVersion", "apps/v1");
    cJSON_AddStringToObject(rs, "kind", "ReplicaSet");
    set_map_str(tmpl, "metadata.labels", HASH_LABEL, s->hash);
    cJSON *md = cJSON_AddObjectToObject(rs, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddStringToObject(md, "namespace", s->ns);
    cJSON_AddItemToObject(md, "labels", cJSON_Duplicate(json_get(tmpl, "metadata.labels"), 1));
    cJSON *ann = cJSON_AddObjectToObject(md, "annotations");
    cJSON_AddStringToObject(ann, REV_ANN, rev);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), owner_ref(d));
    cJSON *spec = cJSON_AddObjectToObject(rs, "spec");
    cJSON_AddNumberToObject(spec, "replicas", replicas);
    cJSON_AddNumberToObject(spec, "minReadySeconds", (double)s->min_ready);
    cJSON *sel = cJSON_Duplicate(json_get(d, "spec.selector"), 1);
    if (!sel)
        sel = cJSON_CreateObject();
    cJSON_AddItemToObject(spec, "selector", sel);
    set_map_str(sel, "matchLabels", HASH_LABEL, s->hash);
    cJSON_AddItemToObject(spec, "template", tmpl);
    free(name);
    return rs;
}

static int deploy_replicas(const cJSON *d)
{
    return (int)kctl_get_clamped(d, "spec.replicas", 1, 0, KCTL_MAX_REPLICAS);
}

static int is_recreate(const cJSON *d)
{
    return !strcmp(json_get_str(d, "spec.strategy.type", "RollingUpdate"), "Recreate");
}

static void fenceposts(const cJSON *d, int *surge, int *unavail)
{
    if (is_recreate(d)) {
        *surge = *unavail = 0;
        return;
    }
    kdeploy_fenceposts(json_get(d, "spec.strategy.rollingUpdate.maxSurge"),
                       json_get(d, "spec.strategy.rollingUpdate.maxUnavailable"),
                       deploy_replicas(d), surge, unavail);
    if (deploy_replicas(d) == 0)
        *unavail = 0;
}

/* Write v->rs back (spec and metadata) and keep the stored result. */
static void write_rs(kctl *k, struct rsv *v)
{
    cJSON *out = NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(json_get(v->rs, "metadata"), "resourceVersion");
    if (kstore_update(k->st, "apps", "replicasets", v->rs, KSTORE_KEEP_STATUS, &out, NULL) == 0) {
        cJSON_Delete(v->rs);
        v->rs = out;
    }
}

/* Find the set whose pod-template-hash is the template's; create it if absent.
 * A found set whose revision is not the latest (a rollback) gets a new one. */
static void find_new(struct dsync *s)
{
    s->newi = -1;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(label_of(s->rs[i].rs, HASH_LABEL), s->hash))
            s->newi = (long)i;
    long maxrev = max_revision(s);
    if (s->newi >= 0) {
        struct rsv *v = &s->rs[s->newi];
        if (v->revision < maxrev || v->revision == 0) {
            v->revision = maxrev + 1;
            char rev[24];
            snprintf(rev, sizeof(rev), "%ld", v->revision);
            set_map_str(v->rs, "metadata.annotations", REV_ANN, rev);
            write_rs(s->k, v);
        }
        return;
    }
    if (json_get_bool(s->d, "spec.paused", 0))
        return;
    cJSON *rs = build_rs(s, 0, maxrev + 1), *stored = NULL;
    int rc = kstore_create(s->k->st, "apps", "replicasets", rs, 0, &stored, NULL);
    cJSON_Delete(rs);
    if (rc < 0)
        return;
    rsv_add(s, stored);
    s->newi = (long)s->n - 1;
    s->created_new = 1;
    cJSON_Delete(stored);
}

/* ---- planning and applying a step ---------------------------------------------------- */

static int old_pods(const struct dsync *s)
{
    int n = 0;
    for (size_t i = 0; i < s->n; i++)
        if ((long)i != s->newi)
            n += (int)s->rs[i].npods;
    return n;
}

/* Plan replicas for every set (s->rs[].c.replicas). */
static void plan(struct dsync *s)
{
    int desired = deploy_replicas(s->d), surge, unavail;
    size_t nold = 0;
    struct kdeploy_count none = {0, 0}, *olds = xcalloc(s->n + 1, sizeof(*olds));
    for (size_t i = 0; i < s->n; i++)
        if ((long)i != s->newi)
            olds[nold++] = s->rs[i].c;
    struct kdeploy_count *nw = s->newi >= 0 ? &s->rs[s->newi].c : &none;
    fenceposts(s->d, &surge, &unavail);
    if (json_get_bool(s->d, "spec.paused", 0)) {
        /* Paused: no rollout, but scaling still applies to the newest active set. */
        if (s->newi >= 0 && sum_replicas(olds, nold) == 0)
            nw->replicas = desired;
    } else if (is_recreate(s->d)) {
        kdeploy_plan_recreate(desired, nw, olds, nold, old_pods(s));
    } else {
        kdeploy_plan_rolling(desired, surge, unavail, nw, olds, nold);
    }
    nold = 0;
    for (size_t i = 0; i < s->n; i++)
        if ((long)i != s->newi)
            s->rs[i].c.replicas = olds[nold++].replicas;
    free(olds);
}

static void set_replica_annotations(const struct dsync *s, cJSON *rs)
{
    int surge, unavail;
    char n[24];
    fenceposts(s->d, &surge, &unavail);
    snprintf(n, sizeof(n), "%d", deploy_replicas(s->d));
    set_map_str(rs, "metadata.annotations", "deployment.kubernetes.io/desired-replicas", n);
    snprintf(n, sizeof(n), "%d", deploy_replicas(s->d) + surge);
    set_map_str(rs, "metadata.annotations", "deployment.kubernetes.io/max-replicas", n);
}

/* Write the planned replicas of each set; record ScalingReplicaSet. */
static void apply_plan(struct dsync *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct rsv *v = &s->rs[i];
        if (v->c.replicas == v->orig)
            continue;
        kctl_set_num(kctl_obj(v->rs, "spec"), "replicas", v->c.replicas);
        set_replica_annotations(s, v->rs);
        write_rs(s->k, v);
        kevents_record(s->k->ev, s->d, "Normal", "ScalingReplicaSet", "deployment-controller",
                       "Scaled %s replica set %s from %d to %d",
                       v->c.replicas > v->orig ? "up" : "down",
                       json_get_str(v->rs, "metadata.name", ""), v->orig, v->c.replicas);
        v->orig = v->c.replicas;
    }
}

/* Order in which surplus pods go: not ready first, then the newest. */
static int delete_order(const void *a, const void *b)
{
    const struct podv *x = a, *y = b;
    int rx = x->since >= 0, ry = y->since >= 0;
    if (rx != ry)
        return rx - ry;
    int c = strcmp(y->created, x->created);
    return c ? c : strcmp(y->name, x->name);
}

static void scale_pods_down(kctl *k, struct rsv *v, int surplus)
{
    const char *ns = json_get_str(v->rs, "metadata.namespace", "");
    qsort(v->pods, v->npods, sizeof(*v->pods), delete_order);
    for (int i = 0; i < surplus && (size_t)i < v->npods; i++) {
        struct podv *p = &v->pods[i];
        if (p->since >= 0) {
            v->ready--;
            v->c.available -= v->c.available > 0;
        }
        const cJSON *pod = kstore_peek(k->st, "", "pods", ns, p->name);
        cJSON *copy = pod ? cJSON_Duplicate(pod, 1) : NULL;
        if (copy)
            kpod_delete(k, v->rs, copy);
        cJSON_Delete(copy);
        free(p->name);
        free(p->created);
    }
    size_t gone = (size_t)surplus < v->npods ? (size_t)surplus : v->npods;
    memmove(v->pods, v->pods + gone, (v->npods - gone) * sizeof(*v->pods));
    v->npods -= gone;
}

/* At most this many pods created or deleted per ReplicaSet sync (kube's
 * burstReplicas); the changes queue the next sync, which goes on. */
#define BURST 500

/* The ReplicaSet controller proper: as many active pods as spec.replicas. */
static void sync_pods(kctl *k, struct rsv *v)
{
    int have = (int)v->npods, want = v->c.replicas;
    if (want > have + BURST)
        want = have + BURST;
    if (want < have - BURST)
        want = have - BURST;
    for (; have < want; have++) {
        cJSON *pod = NULL;
        if (kpod_create(k, v->rs, &pod, NULL) < 0)
            break;
        podv_add(v, pod);
        cJSON_Delete(pod);
    }
    if (have > want)
        scale_pods_down(k, v, have - want);
}

static void add_count(cJSON *st, const char *key, int n)
{
    if (n)
        cJSON_AddNumberToObject(st, key, n);
}

/* Write a status (owned) of a stored apps/v1 object. */
static void write_status(kctl *k, const char *resource, const cJSON *obj, cJSON *status)
{
    kctl_write_status(k, "apps", resource, json_get_str(obj, "metadata.namespace", ""),
                      json_get_str(obj, "metadata.name", ""), status);
}

static void write_rs_status(kctl *k, const struct rsv *v)
{
    cJSON *st = cJSON_CreateObject();
    int n = (int)v->npods;
    cJSON_AddNumberToObject(st, "replicas", n);
    add_count(st, "fullyLabeledReplicas", n);
    add_count(st, "readyReplicas", v->ready);
    add_count(st, "availableReplicas", v->c.available);
    cJSON_AddNumberToObject(st, "observedGeneration",
                            (double)json_get_int(v->rs, "metadata.generation", 1));
    write_status(k, "replicasets", v->rs, st);
}

/* ---- Deployment status and conditions ------------------------------------------------ */

struct dstatus {
    int replicas, updated, ready, available, unavailable;
};

static cJSON *find_cond(const cJSON *conds, const char *type)
{
    cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        if (!strcmp(json_get_str(c, "type", ""), type))
            return c;
    }
    return NULL;
}

/* kube's SetDeploymentCondition; force replaces even with the same reason
 * (how kube records progress: a fresh lastUpdateTime). */
static void set_cond(cJSON *conds, const char *type, const char *status, const char *reason,
                     const char *msg, const char *stamp, int force)
{
    cJSON *cur = find_cond(conds, type);
    const char *ltt = stamp;
    if (cur && !strcmp(json_get_str(cur, "status", ""), status)) {
        if (!force && !strcmp(json_get_str(cur, "reason", ""), reason))
            return;
        ltt = json_get_str(cur, "lastTransitionTime", stamp);
    }
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "type", type);
    cJSON_AddStringToObject(c, "status", status);
    cJSON_AddStringToObject(c, "lastUpdateTime", stamp);
    cJSON_AddStringToObject(c, "lastTransitionTime", ltt);
    cJSON_AddStringToObject(c, "reason", reason);
    cJSON_AddStringToObject(c, "message", msg);
    if (cur)
        cJSON_DetachItemViaPointer(conds, cur);
    cJSON_Delete(cur);
    cJSON_AddItemToArray(conds, c);
}

static void compute_counts(const struct dsync *s, struct dstatus *out)
{
    int spec_total = 0;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < s->n; i++) {
        const struct rsv *v = &s->rs[i];
        out->replicas += (int)v->npods;
        out->ready += v->ready;
        out->available += v->c.available;
        spec_total += v->c.replicas;
    }
    if (s->newi >= 0)
        out->updated = (int)s->rs[s->newi].npods;
    out->unavailable = spec_total - out->available > 0 ? spec_total - out->available : 0;
}

static int old_count(const cJSON *d, const char *key)
{
    return (int)kctl_get_clamped(d, key, 0, 0, KCTL_MAX_REPLICAS);
}

/* kube's DeploymentProgressing: any count moved the right way. */
static int progressed(const cJSON *d, const struct dstatus *n)
{
    int oold = old_count(d, "status.replicas") - old_count(d, "status.updatedReplicas");
    return n->updated > old_count(d, "status.updatedReplicas") ||
           n->replicas - n->updated < oold || n->ready > old_count(d, "status.readyReplicas") ||
           n->available > old_count(d, "status.availableReplicas");
}

static int complete(const cJSON *d, const struct dstatus *n)
{
    int want = deploy_replicas(d);
    return n->updated == want && n->replicas == want && n->available == want;
}

static int64_t deadline_ms(const cJSON *d)
{
    return kctl_get_clamped(d, "spec.progressDeadlineSeconds", 600, 0, KCTL_MAX_SECONDS) * 1000;
}

/* kube's syncRolloutStatus: the Progressing condition of a running rollout. */
static void progress_cond(const struct dsync *s, const struct dstatus *n, cJSON *conds,
                          const char *stamp)
{
    const char *rsname = s->newi >= 0 ? json_get_str(s->rs[s->newi].rs, "metadata.name", "") : "";
    char msg[512];
    cJSON *cur = find_cond(conds, "Progressing");
    if (n->replicas == n->updated && cur &&
        !strcmp(json_get_str(cur, "reason", ""), "NewReplicaSetAvailable"))
        return;
    if (complete(s->d, n)) {
        snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has successfully progressed.", rsname);
        set_cond(conds, "Progressing", "True", "NewReplicaSetAvailable", msg, stamp, 0);
    } else if (progressed(s->d, n)) {
        snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" is progressing.", rsname);
        set_cond(conds, "Progressing", "True", "ReplicaSetUpdated", msg, stamp, 1);
    } else if (cur && strcmp(json_get_str(cur, "reason", ""), "ProgressDeadlineExceeded") &&
               kctl_now(s->k) > stamp_ms(json_get_str(cur, "lastUpdateTime", NULL)) +
                                    deadline_ms(s->d)) {
        snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has timed out progressing.", rsname);
        set_cond(conds, "Progressing", "False", "ProgressDeadlineExceeded", msg, stamp, 0);
    }
}

static void conditions(const struct dsync *s, const struct dstatus *n, cJSON *conds)
{
    char stamp[32], msg[512];
    int surge, unavail, paused = json_get_bool(s->d, "spec.paused", 0);
    kctl_stamp(s->k, stamp);
    fenceposts(s->d, &surge, &unavail);
    if (n->available >= deploy_replicas(s->d) - unavail)
        set_cond(conds, "Available", "True", "MinimumReplicasAvailable",
                 "Deployment has minimum availability.", stamp, 0);
    else
        set_cond(conds, "Available", "False", "MinimumReplicasUnavailable",
                 "Deployment does not have minimum availability.", stamp, 0);
    cJSON *cur = find_cond(conds, "Progressing");
    const char *reason = cur ? json_get_str(cur, "reason", "") : "";
    if (paused) {
        set_cond(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused",
                 stamp, 0);
        return;
    }
    if (!strcmp(reason, "DeploymentPaused"))
        set_cond(conds, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed",
                 stamp, 0);
    const char *rsname = s->newi >= 0 ? json_get_str(s->rs[s->newi].rs, "metadata.name", "") : "";
    if (s->created_new) {
        snprintf(msg, sizeof(msg), "Created new replica set \"%s\"", rsname);
        set_cond(conds, "Progressing", "True", "NewReplicaSetCreated", msg, stamp, 0);
    } else if (!find_cond(conds, "Progressing") && s->newi >= 0) {
        snprintf(msg, sizeof(msg), "Found new replica set \"%s\"", rsname);
        set_cond(conds, "Progressing", "True", "FoundNewReplicaSet", msg, stamp, 0);
    }
    progress_cond(s, n, conds, stamp);
}

/* Wake up when a running rollout would pass its progress deadline. */
static void schedule_deadline(const struct dsync *s, const cJSON *conds)
{
    const cJSON *c = find_cond(conds, "Progressing");
    if (!c || strcmp(json_get_str(c, "status", ""), "True") ||
        !strcmp(json_get_str(c, "reason", ""), "NewReplicaSetAvailable"))
        return;
    int64_t due = stamp_ms(json_get_str(c, "lastUpdateTime", NULL)) + deadline_ms(s->d) + 1;
    kctl_wake_at(s->k, KW_DEPLOY, s->ns, json_get_str(s->d, "metadata.name", ""), due);
}

static void write_deploy_status(struct dsync *s)
{
    struct dstatus n;
    compute_counts(s, &n);
    cJSON *st = cJSON_CreateObject();
    cJSON_AddNumberToObject(st, "observedGeneration",
                            (double)json_get_int(s->d, "metadata.generation", 1));
    add_count(st, "replicas", n.replicas);
    add_count(st, "updatedReplicas", n.updated);
    add_count(st, "readyReplicas", n.ready);
    add_count(st, "availableReplicas", n.available);
    add_count(st, "unavailableReplicas", n.unavailable);
    const cJSON *old = json_get(s->d, "status.conditions");
    cJSON *conds = old ? cJSON_Duplicate(old, 1) : cJSON_CreateArray();
    conditions(s, &n, conds);
    if (!json_get_bool(s->d, "spec.paused", 0))
        schedule_deadline(s, conds);
    cJSON_AddItemToObject(st, "conditions", conds);
    const cJSON *cc = json_get(s->d, "status.collisionCount");
    if (cc)
        cJSON_AddItemToObject(st, "collisionCount", cJSON_Duplicate(cc, 1));
    write_status(s->k, "deployments", s->d, st);
}

/* ---- entry points --------------------------------------------------------------------- */

/* The Deployment carries its new set's revision, as kube's annotation. */
static void sync_revision(struct dsync *s)
{
    if (s->newi < 0)
        return;
    char rev[24];
    snprintf(rev, sizeof(rev), "%ld", s->rs[s->newi].revision);
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(json_get(s->d, "metadata.annotations"),
                                                        REV_ANN);
    if (cJSON_IsString(cur) && !strcmp(cur->valuestring, rev))
        return;
    cJSON *d = cJSON_Duplicate(s->d, 1), *out = NULL;
    set_map_str(d, "metadata.annotations", REV_ANN, rev);
    cJSON_DeleteItemFromObjectCaseSensitive(json_get(d, "metadata"), "resourceVersion");
    if (kstore_update(s->k->st, "apps", "deployments", d, KSTORE_KEEP_STATUS, &out, NULL) == 0) {
        cJSON_Delete(s->d);
        s->d = out;
    }
    cJSON_Delete(d);
}

/* Delete old, empty sets beyond spec.revisionHistoryLimit (default 10). */
static void cleanup_history(struct dsync *s)
{
    long limit = (long)kctl_get_clamped(s->d, "spec.revisionHistoryLimit", 10, 0, 1000000),
         empty = 0;
    for (size_t i = 0; i < s->n; i++)
        if ((long)i != s->newi && s->rs[i].c.replicas == 0 &&
            s->rs[i].npods == 0)
            empty++;
    for (size_t i = 0; i < s->n && empty > limit; i++) {
        struct rsv *v = &s->rs[i];
        if ((long)i == s->newi || v->c.replicas || v->npods)
            continue;
        kstore_delete(s->k->st, "apps", "replicasets", s->ns,
                      json_get_str(v->rs, "metadata.name", ""), NULL, 0, NULL, NULL);
        empty--;
    }
}

void kdeploy_sync(kctl *k, const char *ns, const char *name)
{
    const cJSON *d = kstore_peek(k->st, "apps", "deployments", ns, name);
    if (!d)
        return;
    struct dsync s = {.k = k, .ns = ns, .d = cJSON_Duplicate(d, 1), .newi = -1};
    s.min_ready = kctl_get_clamped(s.d, "spec.minReadySeconds", 0, 0, KCTL_MAX_SECONDS);
    kdeploy_template_hash(json_get(s.d, "spec.template"), s.hash);
    load(&s);
    find_new(&s);
    plan(&s);
    apply_plan(&s);
    sync_revision(&s);
    /* Status first, from the pods as they were: like kube, the Deployment sees
     * the ReplicaSet's new pods on its next sync (which their creation queues). */
    write_deploy_status(&s);
    for (size_t i = 0; i < s.n; i++) {
        sync_pods(k, &s.rs[i]);
        write_rs_status(k, &s.rs[i]);
    }
    cleanup_history(&s);
    dsync_release(&s);
}

void kdeploy_sync_rs(kctl *k, const char *ns, const char *name)
{
    const cJSON *rs = kstore_peek(k->st, "apps", "replicasets", ns, name);
    if (!rs)
        return;
    const cJSON *own = kctl_owner(rs, "Deployment");
    if (own) {
        if (kstore_peek(k->st, "apps", "deployments", ns, json_get_str(own, "name", "")))
            kdeploy_sync(k, ns, json_get_str(own, "name", ""));
        return;
    }
    struct dsync s = {.k = k, .ns = ns, .newi = -1};
    s.min_ready = kctl_get_clamped(rs, "spec.minReadySeconds", 0, 0, KCTL_MAX_SECONDS);
    rsv_add(&s, rs);
    kstore_each(k->st, "", "pods", ns, collect_pod, &s);
    count_pods(&s);
    sync_pods(k, &s.rs[0]);
    write_rs_status(k, &s.rs[0]);
    dsync_release(&s);
}

struct gc {
    const char *uid;
    cJSON *names;
};

static int collect_owned(void *ctx, const cJSON *obj)
{
    struct gc *g = ctx;
    if (kctl_owned_by(obj, g->uid))
        cJSON_AddItemToArray(g->names, cJSON_CreateString(json_get_str(obj, "metadata.name", "")));
    return 0;
}

static void gc_type(kctl *k, const char *ns, const char *uid, const char *group,
                    const char *resource)
{
    struct gc g = {uid, cJSON_CreateArray()};
    const cJSON *n;
    kstore_each(k->st, group, resource, ns, collect_owned, &g);
    cJSON_ArrayForEach(n, g.names)
    {
        if (!*group) {
            const cJSON *pod = kstore_peek(k->st, "", "pods", ns, n->valuestring);
            cJSON *copy = pod ? cJSON_Duplicate(pod, 1) : NULL;
            if (copy)
                kpod_delete(k, NULL, copy);
            cJSON_Delete(copy);
        } else {
            kstore_delete(k->st, group, resource, ns, n->valuestring, NULL, 0, NULL, NULL);
        }
    }
    cJSON_Delete(g.names);
}

void kdeploy_gc(kctl *k, const char *ns, const char *uid)
{
    gc_type(k, ns, uid, "apps", "replicasets");
    gc_type(k, ns, uid, "", "pods");
}
