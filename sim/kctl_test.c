/* kctl_test.c -- unit tests for the simulator's controllers (kctl, kdeploy,
 * kpod, khpa, ksvc, kevents, kmap), all in virtual time against the store. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "kctl.h"
#include "kdeploy.h"
#include "khpa.h"
#include "kmap.h"
#include "kstore.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

struct env {
    gclock *clk;
    kstore *st;
    kctl *k;
};

static void env_open(struct env *e, const struct kctl_opts *opts)
{
    e->clk = clock_new_virtual(T0);
    e->st = kstore_new(e->clk);
    e->k = kctl_new(e->st, e->clk, opts);
}

static void env_close(struct env *e)
{
    kctl_free(e->k);
    kstore_free(e->st);
    clock_free(e->clk);
}

/* Advance virtual time by ms, running every timer on the way. */
static void run_for(struct env *e, int64_t ms)
{
    clock_run_until(e->clk, clock_now_ms(e->clk) + ms);
}

static cJSON *parse(const char *text)
{
    cJSON *j = NULL;
    struct err err = ERR_INIT;
    int rc = json_parse(&j, text, strlen(text), "test", &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return j;
}

static cJSON *deployment(const char *name, int replicas, const char *image, const char *extra)
{
    char *text = xasprintf(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
        "\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},"
        "\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"%s\"}},"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"%s\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"%s\"}]}}%s}}",
        name, replicas, name, name, image, extra ? extra : "");
    cJSON *d = parse(text);
    free(text);
    return d;
}

static void create(struct env *e, const char *group, const char *res, cJSON *obj)
{
    struct err err = ERR_INIT;
    int rc = kstore_create(e->st, group, res, obj, 0, NULL, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    cJSON_Delete(obj);
}

static const cJSON *deploy_of(struct env *e, const char *name)
{
    return kstore_peek(e->st, "apps", "deployments", "default", name);
}

/* Change a deployment with fn(copy), as a client update would. */
static void edit(struct env *e, const char *name, const char *path, cJSON *value)
{
    cJSON *d = cJSON_Duplicate(deploy_of(e, name), 1);
    struct err err = ERR_INIT;
    ck_assert_int_eq(json_set(d, path, value, &err), 0);
    ck_assert_int_eq(kstore_update(e->st, "apps", "deployments", d, KSTORE_KEEP_STATUS, NULL,
                                   &err), 0);
    cJSON_Delete(d);
}

struct podcount {
    const char *prefix;
    int total, ready, running;
    char names[64][64];
};

static int count_one(void *ctx, const cJSON *pod)
{
    struct podcount *c = ctx;
    const char *name = json_get_str(pod, "metadata.name", "");
    if (strncmp(name, c->prefix, strlen(c->prefix)))
        return 0;
    if (c->total < 64)
        snprintf(c->names[c->total], sizeof(c->names[0]), "%s", name);
    c->total++;
    if (!strcmp(json_get_str(pod, "status.phase", ""), "Running"))
        c->running++;
    const cJSON *cond;
    cJSON_ArrayForEach(cond, json_get(pod, "status.conditions"))
    {
        if (!strcmp(json_get_str(cond, "type", ""), "Ready") &&
            !strcmp(json_get_str(cond, "status", ""), "True"))
            c->ready++;
    }
    return 0;
}

static struct podcount pods(struct env *e, const char *prefix)
{
    struct podcount c;
    memset(&c, 0, sizeof(c));
    c.prefix = prefix;
    kstore_each(e->st, "", "pods", "default", count_one, &c);
    return c;
}

static const char *cond_reason(const cJSON *d, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_get(d, "status.conditions"))
    {
        if (!strcmp(json_get_str(c, "type", ""), type))
            return json_get_str(c, "reason", "");
    }
    return "";
}

static int64_t st_int(const cJSON *d, const char *field)
{
    char path[64];
    snprintf(path, sizeof(path), "status.%s", field);
    return json_get_int(d, path, 0);
}

struct evfind {
    const char *reason, *kind, *msg_part;
    int found;
    int64_t count;
};

static int find_event(void *ctx, const cJSON *ev)
{
    struct evfind *f = ctx;
    if (!strcmp(json_get_str(ev, "reason", ""), f->reason) &&
        !strcmp(json_get_str(ev, "involvedObject.kind", ""), f->kind) &&
        strstr(json_get_str(ev, "message", ""), f->msg_part)) {
        f->found++;
        f->count += json_get_int(ev, "count", 0);
    }
    return 0;
}

static struct evfind events(struct env *e, const char *reason, const char *kind,
                            const char *msg_part)
{
    struct evfind f = {reason, kind, msg_part, 0, 0};
    kstore_each(e->st, "", "events", "default", find_event, &f);
    return f;
}

/* ---- pure parts ------------------------------------------------------------------ */

START_TEST(kctl_fenceposts_follow_kube)
{
    int s, u;
    kdeploy_fenceposts(NULL, NULL, 10, &s, &u);
    ck_assert_int_eq(s, 3); /* 25% of 10 rounded up */
    ck_assert_int_eq(u, 2); /* rounded down */
    kdeploy_fenceposts(NULL, NULL, 3, &s, &u);
    ck_assert_int_eq(s, 1);
    ck_assert_int_eq(u, 0);
    cJSON *zero = cJSON_CreateNumber(0), *zs = cJSON_CreateString("0%");
    kdeploy_fenceposts(zero, zs, 5, &s, &u);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(u, 1); /* both zero: one may be unavailable */
    cJSON *two = cJSON_CreateNumber(2), *half = cJSON_CreateString("50%");
    kdeploy_fenceposts(two, half, 5, &s, &u);
    ck_assert_int_eq(s, 2);
    ck_assert_int_eq(u, 2);
    kdeploy_fenceposts(two, NULL, 1, &s, &u);
    ck_assert_int_eq(u, 0);
    cJSON *bad = cJSON_CreateString("x%");
    ck_assert_int_eq(kdeploy_scaled(bad, "25%", 8, 1), 2);
    ck_assert_int_eq(kdeploy_scaled(two, "25%", 8, 1), 2);
    cJSON_Delete(zero);
    cJSON_Delete(zs);
    cJSON_Delete(two);
    cJSON_Delete(half);
    cJSON_Delete(bad);
}
END_TEST

START_TEST(kctl_template_hash_is_stable)
{
    cJSON *a = parse("{\"metadata\":{\"labels\":{\"app\":\"x\",\"b\":\"y\"}},"
                     "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i:1\"}]}}");
    cJSON *b = parse("{\"spec\":{\"containers\":[{\"image\":\"i:1\",\"name\":\"c\"}]},"
                     "\"metadata\":{\"labels\":{\"b\":\"y\",\"app\":\"x\"}}}");
    cJSON *c = parse("{\"metadata\":{\"labels\":{\"app\":\"x\",\"b\":\"y\"}},"
                     "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i:2\"}]}}");
    cJSON *d = parse("{\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"x\","
                     "\"b\":\"y\",\"pod-template-hash\":\"zz\"}},\"spec\":{\"containers\":"
                     "[{\"name\":\"c\",\"image\":\"i:1\",\"resources\":{}}]}}");
    char ha[16], hb[16], hc[16], hd[16];
    kdeploy_template_hash(d, hd);
    kdeploy_template_hash(a, ha);
    kdeploy_template_hash(b, hb);
    kdeploy_template_hash(c, hc);
    ck_assert_str_eq(ha, hb);
    ck_assert_str_ne(ha, hc);
    ck_assert_str_eq(ha, hd); /* nulls, empties and the hash label itself do not count */
    cJSON_Delete(d);
    ck_assert_int_ge(strlen(ha), 1);
    ck_assert_int_le(strlen(ha), 10);
    ck_assert_uint_eq(strspn(ha, "bcdfghjklmnpqrstvwxz2456789"), strlen(ha));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}
END_TEST

/* Drive the rolling plan with pods that become available one step after
 * they are created, checking kube's two invariants at every step. */
static int simulate_rolling(int desired, int surge, int unavail, int old)
{
    struct kdeploy_count nw = {0, 0}, olds[1] = {{old, old}};
    int steps = 0;
    for (; steps < 100; steps++) {
        int changed = kdeploy_plan_rolling(desired, surge, unavail, &nw, olds, 1);
        ck_assert_int_le(nw.replicas + olds[0].replicas, desired + surge);
        if (olds[0].available > olds[0].replicas)
            olds[0].available = olds[0].replicas;
        ck_assert_int_ge(nw.available + olds[0].available, desired - unavail);
        if (!changed && nw.available == nw.replicas)
            break;
        nw.available = nw.replicas; /* the new pods get ready */
    }
    ck_assert_int_eq(nw.replicas, desired);
    ck_assert_int_eq(olds[0].replicas, 0);
    return steps;
}

START_TEST(kctl_rolling_plan_keeps_bounds)
{
    simulate_rolling(4, 1, 0, 4);
    simulate_rolling(4, 0, 1, 4);
    simulate_rolling(10, 3, 2, 10);
    simulate_rolling(3, 1, 0, 5); /* scale down during a rollout */
    /* the first step with surge 1 creates one new pod and touches nothing else */
    struct kdeploy_count nw = {0, 0}, olds[1] = {{4, 4}};
    ck_assert_int_eq(kdeploy_plan_rolling(4, 1, 0, &nw, olds, 1), 1);
    ck_assert_int_eq(nw.replicas, 1);
    ck_assert_int_eq(olds[0].replicas, 4);
    /* not available yet: nothing may go */
    ck_assert_int_eq(kdeploy_plan_rolling(4, 1, 0, &nw, olds, 1), 0);
    /* unhealthy old pods are cleaned up first, even below minAvailable */
    struct kdeploy_count n2 = {2, 2}, o2[1] = {{2, 0}};
    ck_assert_int_eq(kdeploy_plan_rolling(2, 0, 0, &n2, o2, 1), 1);
    ck_assert_int_eq(o2[0].replicas, 0);
}
END_TEST

START_TEST(kctl_recreate_plan_scales_down_first)
{
    struct kdeploy_count nw = {0, 0}, olds[2] = {{2, 2}, {1, 0}};
    ck_assert_int_eq(kdeploy_plan_recreate(3, &nw, olds, 2, 3), 1);
    ck_assert_int_eq(olds[0].replicas + olds[1].replicas, 0);
    ck_assert_int_eq(nw.replicas, 0);
    ck_assert_int_eq(kdeploy_plan_recreate(3, &nw, olds, 2, 1), 0); /* old pods still there */
    ck_assert_int_eq(kdeploy_plan_recreate(3, &nw, olds, 2, 0), 1);
    ck_assert_int_eq(nw.replicas, 3);
    ck_assert_int_eq(kdeploy_plan_recreate(3, &nw, olds, 2, 0), 0);
}
END_TEST

START_TEST(kctl_hpa_math)
{
    ck_assert_int_eq(khpa_desired(2, 100, 50, 1, 10), 4);
    ck_assert_int_eq(khpa_desired(3, 52, 50, 1, 10), 3);  /* within tolerance */
    ck_assert_int_eq(khpa_desired(4, 10, 50, 2, 10), 2);  /* clamped to min */
    ck_assert_int_eq(khpa_desired(4, 500, 50, 1, 100), 8); /* at most doubles */
    ck_assert_int_eq(khpa_desired(1, 500, 50, 1, 100), 4); /* ... or 4 */
    ck_assert_int_eq(khpa_desired(6, 100, 50, 1, 5), 5);
    ck_assert_int_eq(khpa_desired(0, 100, 50, 1, 5), 0);  /* scaling disabled */
    ck_assert_int_eq(khpa_desired(7, 50, 50, 1, 5), 5);   /* above max */
    cJSON *v1 = parse("{\"spec\":{\"targetCPUUtilizationPercentage\":70}}");
    cJSON *v2 = parse("{\"spec\":{\"metrics\":[{\"type\":\"Pods\"},{\"type\":\"Resource\","
                      "\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
                      "\"averageUtilization\":60}}}]}}");
    cJSON *b1 = parse("{\"spec\":{\"metrics\":[{\"type\":\"Resource\",\"resource\":"
                      "{\"name\":\"cpu\",\"targetAverageUtilization\":40}}]}}");
    cJSON *none = parse("{\"spec\":{}}");
    ck_assert_int_eq(khpa_target(v1), 70);
    ck_assert_int_eq(khpa_target(v2), 60);
    ck_assert_int_eq(khpa_target(b1), 40);
    ck_assert_int_eq(khpa_target(none), 80);
    cJSON_Delete(v1);
    cJSON_Delete(v2);
    cJSON_Delete(b1);
    cJSON_Delete(none);
}
END_TEST

START_TEST(kctl_kmap_grows_and_deletes)
{
    kmap *m = kmap_new();
    char key[32];
    static int vals[3] = {1, 2, 3};
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        ck_assert_ptr_null(kmap_put(m, key, &vals[i % 3]));
    }
    ck_assert_uint_eq(kmap_len(m), 10000);
    for (int i = 0; i < 10000; i += 2) {
        snprintf(key, sizeof(key), "k%d", i);
        ck_assert_ptr_eq(kmap_del(m, key), &vals[i % 3]);
    }
    ck_assert_uint_eq(kmap_len(m), 5000);
    ck_assert_ptr_null(kmap_get(m, "k0"));
    ck_assert_ptr_eq(kmap_get(m, "k1"), &vals[1]);
    ck_assert_ptr_eq(kmap_put(m, "k1", &vals[0]), &vals[1]);
    ck_assert_ptr_null(kmap_del(m, "nope"));
    kmap_free(m);
    kmap_free(NULL);
}
END_TEST

/* ---- controllers in virtual time ---------------------------------------------------- */

START_TEST(kctl_deployment_becomes_ready)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 3, "nginx:1.0", NULL));
    run_for(&e, 10);
    const cJSON *d = deploy_of(&e, "web");
    /* the RS carries the template hash; the Deployment's template does not */
    ck_assert_ptr_null(json_get(d, "spec.template.metadata.labels.pod-template-hash"));
    struct podcount c = pods(&e, "web-");
    ck_assert_int_eq(c.total, 3);
    ck_assert_int_eq(c.running, 0);
    const cJSON *pod = kstore_peek(e.st, "", "pods", "default", c.names[0]);
    const char *rsname = json_get_str(pod, "metadata.ownerReferences[0].name", "");
    ck_assert_str_eq(json_get_str(pod, "metadata.ownerReferences[0].kind", ""), "ReplicaSet");
    ck_assert_int_eq(strlen(c.names[0]), strlen(rsname) + 6); /* RS-xxxxx */
    ck_assert_int_eq(strncmp(c.names[0], rsname, strlen(rsname)), 0);
    const cJSON *rs = kstore_peek(e.st, "apps", "replicasets", "default", rsname);
    ck_assert_ptr_nonnull(rs);
    const char *hash = json_get_str(rs, "metadata.labels.pod-template-hash", "");
    ck_assert_int_gt(strlen(hash), 0);
    ck_assert_str_eq(json_get_str(pod, "metadata.labels.pod-template-hash", ""), hash);
    ck_assert_str_eq(json_get_str(pod, "metadata.labels.app", ""), "web");
    ck_assert_str_eq(json_get_str(rs, "metadata.ownerReferences[0].kind", ""), "Deployment");
    ck_assert_str_eq(json_get_str(rs, "metadata.ownerReferences[0].uid", ""),
                     json_get_str(d, "metadata.uid", "-"));
    ck_assert_int_eq(strncmp(json_get_str(pod, "spec.nodeName", ""), "sim-node-", 9), 0);
    ck_assert_str_eq(json_get_str(pod, "status.phase", ""), "Pending");
    ck_assert_int_eq(st_int(d, "replicas"), 3);
    ck_assert_int_eq(st_int(d, "updatedReplicas"), 3);
    ck_assert_int_eq(st_int(d, "availableReplicas"), 0);
    ck_assert_int_eq(st_int(d, "unavailableReplicas"), 3);
    ck_assert_int_eq(st_int(d, "observedGeneration"), 1);
    ck_assert_str_eq(cond_reason(d, "Available"), "MinimumReplicasUnavailable");
    ck_assert_str_eq(cond_reason(d, "Progressing"), "ReplicaSetUpdated");
    run_for(&e, 1000);
    c = pods(&e, "web-");
    ck_assert_int_eq(c.running, 3);
    ck_assert_int_eq(c.ready, 0);
    pod = kstore_peek(e.st, "", "pods", "default", c.names[0]);
    ck_assert_int_eq(strncmp(json_get_str(pod, "status.podIP", ""), "10.244.", 7), 0);
    run_for(&e, 2000);
    c = pods(&e, "web-");
    ck_assert_int_eq(c.ready, 3);
    d = deploy_of(&e, "web");
    ck_assert_int_eq(st_int(d, "readyReplicas"), 3);
    ck_assert_int_eq(st_int(d, "availableReplicas"), 3);
    ck_assert_int_eq(st_int(d, "unavailableReplicas"), 0);
    ck_assert_str_eq(cond_reason(d, "Available"), "MinimumReplicasAvailable");
    ck_assert_str_eq(cond_reason(d, "Progressing"), "NewReplicaSetAvailable");
    ck_assert_str_eq(json_get_str(d, "metadata.annotations.deployment\\.kubernetes\\.io/revision",
                                  ""), "1");
    rs = kstore_peek(e.st, "apps", "replicasets", "default", rsname);
    ck_assert_int_eq(json_get_int(rs, "status.availableReplicas", 0), 3);
    env_close(&e);
}
END_TEST

struct progress_seen {
    struct buf seq;
    char last[64];
};

static void record_progress(void *ctx, const struct kstore_event *ev)
{
    struct progress_seen *p = ctx;
    if (strcmp(ev->resource, "deployments"))
        return;
    const char *r = cond_reason(ev->obj, "Progressing");
    if (*r && strcmp(r, p->last)) {
        buf_addf(&p->seq, " %s", r);
        snprintf(p->last, sizeof(p->last), "%s", r);
    }
}

START_TEST(kctl_progressing_reasons_in_order)
{
    /* Watchers see kube's sequence: NewReplicaSetCreated (before the ReplicaSet's
     * pods exist), ReplicaSetUpdated, NewReplicaSetAvailable. */
    struct env e;
    struct progress_seen seen = {BUF_INIT, ""};
    env_open(&e, NULL);
    uint64_t id = kstore_listen(e.st, record_progress, &seen);
    create(&e, "apps", "deployments", deployment("web", 2, "nginx:1.0", NULL));
    run_for(&e, 5000);
    ck_assert_str_eq(seen.seq.ptr,
                     " NewReplicaSetCreated ReplicaSetUpdated NewReplicaSetAvailable");
    kstore_unlisten(e.st, id);
    buf_release(&seen.seq);
    env_close(&e);
}
END_TEST

static const char *const rolling_1_0 =
    ",\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,"
    "\"maxUnavailable\":0}}";

static void set_image(struct env *e, const char *name, const char *image)
{
    edit(e, name, "spec.template.spec.containers[0].image", cJSON_CreateString(image));
}

START_TEST(kctl_rolling_update_respects_surge)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 4, "app:1", rolling_1_0));
    run_for(&e, 5000);
    ck_assert_int_eq(pods(&e, "web-").ready, 4);
    char oldrs[64];
    const cJSON *pod = kstore_peek(e.st, "", "pods", "default", pods(&e, "web-").names[0]);
    snprintf(oldrs, sizeof(oldrs), "%s-", json_get_str(pod, "metadata.ownerReferences[0].name",
                                                        ""));
    set_image(&e, "web", "app:2");
    int saw_both = 0;
    for (int t = 0; t < 300; t++) {
        run_for(&e, 100);
        struct podcount all = pods(&e, "web-"), old = pods(&e, oldrs);
        ck_assert_int_le(all.total, 5);
        ck_assert_int_ge(all.ready, 4);
        if (old.total && all.total > old.total)
            saw_both = 1;
        if (t == 14) { /* +1.5 s: one new pod running, not ready yet; old ones untouched */
            ck_assert_int_eq(all.total, 5);
            ck_assert_int_eq(old.total, 4);
        }
    }
    ck_assert(saw_both);
    struct podcount all = pods(&e, "web-");
    ck_assert_int_eq(all.total, 4);
    ck_assert_int_eq(all.ready, 4);
    ck_assert_int_eq(pods(&e, oldrs).total, 0);
    const cJSON *d = deploy_of(&e, "web");
    ck_assert_int_eq(st_int(d, "updatedReplicas"), 4);
    ck_assert_int_eq(st_int(d, "availableReplicas"), 4);
    ck_assert_int_eq(st_int(d, "observedGeneration"), 2);
    ck_assert_str_eq(cond_reason(d, "Progressing"), "NewReplicaSetAvailable");
    ck_assert_str_eq(json_get_str(d, "metadata.annotations.deployment\\.kubernetes\\.io/revision",
                                  ""), "2");
    oldrs[strlen(oldrs) - 1] = '\0';
    const cJSON *rs = kstore_peek(e.st, "apps", "replicasets", "default", oldrs);
    ck_assert_ptr_nonnull(rs); /* kept for history */
    ck_assert_int_eq(json_get_int(rs, "spec.replicas", -1), 0);
    ck_assert_int_ge(events(&e, "ScalingReplicaSet", "Deployment", "Scaled down").found, 1);
    ck_assert_int_ge(events(&e, "Killing", "Pod", "Stopping container main").found, 4);
    env_close(&e);
}
END_TEST

START_TEST(kctl_rolling_update_max_unavailable)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments",
           deployment("web", 4, "app:1",
                      ",\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":2}}"));
    run_for(&e, 5000);
    set_image(&e, "web", "app:2");
    run_for(&e, 100);
    struct podcount all = pods(&e, "web-");
    ck_assert_int_eq(all.total, 4);
    ck_assert_int_eq(all.ready, 2); /* two old went at once, two new started */
    for (int t = 0; t < 200; t++) {
        run_for(&e, 100);
        all = pods(&e, "web-");
        ck_assert_int_le(all.total, 4);
        ck_assert_int_ge(all.ready, 2);
    }
    ck_assert_int_eq(all.ready, 4);
    ck_assert_str_eq(cond_reason(deploy_of(&e, "web"), "Progressing"), "NewReplicaSetAvailable");
    env_close(&e);
}
END_TEST

START_TEST(kctl_recreate_never_overlaps)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments",
           deployment("web", 2, "app:1", ",\"strategy\":{\"type\":\"Recreate\"}"));
    run_for(&e, 5000);
    char oldrs[64];
    const cJSON *pod = kstore_peek(e.st, "", "pods", "default", pods(&e, "web-").names[0]);
    snprintf(oldrs, sizeof(oldrs), "%s-", json_get_str(pod, "metadata.ownerReferences[0].name",
                                                        ""));
    set_image(&e, "web", "app:2");
    for (int t = 0; t < 100; t++) {
        run_for(&e, 100);
        struct podcount all = pods(&e, "web-"), old = pods(&e, oldrs);
        ck_assert(old.total == 0 || old.total == all.total);
    }
    struct podcount all = pods(&e, "web-");
    ck_assert_int_eq(all.ready, 2);
    ck_assert_int_eq(pods(&e, oldrs).total, 0);
    env_close(&e);
}
END_TEST

START_TEST(kctl_scale_to_zero_and_back)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 3, "app:1", NULL));
    run_for(&e, 5000);
    char first[64];
    snprintf(first, sizeof(first), "%s", pods(&e, "web-").names[0]);
    edit(&e, "web", "spec.replicas", cJSON_CreateNumber(0));
    run_for(&e, 100);
    ck_assert_int_eq(pods(&e, "web-").total, 0);
    const cJSON *d = deploy_of(&e, "web");
    ck_assert_int_eq(st_int(d, "replicas"), 0);
    ck_assert_int_eq(st_int(d, "observedGeneration"), 2);
    ck_assert_int_ge(events(&e, "ScalingReplicaSet", "Deployment", "from 3 to 0").found, 1);
    edit(&e, "web", "spec.replicas", cJSON_CreateNumber(2));
    run_for(&e, 3100);
    struct podcount c = pods(&e, "web-");
    ck_assert_int_eq(c.ready, 2);
    first[strlen(first) - 5] = '\0'; /* same ReplicaSet: no new rollout */
    ck_assert_int_eq(pods(&e, first).total, 2);
    ck_assert_int_eq(st_int(deploy_of(&e, "web"), "availableReplicas"), 2);
    env_close(&e);
}
END_TEST

START_TEST(kctl_delete_cascades)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 3, "app:1", NULL));
    create(&e, "apps", "deployments", deployment("other", 1, "app:1", NULL));
    run_for(&e, 5000);
    ck_assert_int_eq(kstore_delete(e.st, "apps", "deployments", "default", "web", NULL, 0, NULL,
                                   NULL), 0);
    run_for(&e, 100);
    ck_assert_int_eq(pods(&e, "web-").total, 0);
    ck_assert_uint_eq(kstore_count(e.st, "apps", "replicasets", "default"), 1);
    ck_assert_int_eq(pods(&e, "other-").ready, 1);
    env_close(&e);
}
END_TEST

static cJSON *hpa(const char *version, const char *target, int min, int max)
{
    char *text;
    if (!strcmp(version, "v1"))
        text = xasprintf("{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\","
                         "\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},\"spec\":{"
                         "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                         "\"name\":\"%s\"},\"minReplicas\":%d,\"maxReplicas\":%d,"
                         "\"targetCPUUtilizationPercentage\":50}}", target, target, min, max);
    else
        text = xasprintf("{\"apiVersion\":\"autoscaling/%s\",\"kind\":\"HorizontalPodAutoscaler\","
                         "\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},\"spec\":{"
                         "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                         "\"name\":\"%s\"},\"minReplicas\":%d,\"maxReplicas\":%d,\"metrics\":[{"
                         "\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{"
                         "\"type\":\"Utilization\",\"averageUtilization\":50}}}]}}",
                         version, target, target, min, max);
    cJSON *h = parse(text);
    free(text);
    return h;
}

static int64_t replicas_of(struct env *e, const char *name)
{
    return json_get_int(deploy_of(e, name), "spec.replicas", -1);
}

START_TEST(kctl_hpa_clamps_and_follows_load)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 1, "app:1", NULL));
    create(&e, "autoscaling", "horizontalpodautoscalers", hpa("v2", "web", 2, 5));
    run_for(&e, 10);
    ck_assert_int_eq(replicas_of(&e, "web"), 2); /* load 50 = target: only the clamp */
    const cJSON *h = kstore_peek(e.st, "autoscaling", "horizontalpodautoscalers", "default", "web");
    ck_assert_int_eq(json_get_int(h, "status.currentReplicas", -1), 1);
    ck_assert_int_eq(json_get_int(h, "status.desiredReplicas", -1), 2);
    ck_assert_str_eq(json_get_str(h, "status.lastScaleTime", ""), "2026-01-01T00:00:00Z");
    ck_assert_int_eq(json_get_int(h, "status.currentMetrics[0].resource.current."
                                     "averageUtilization", -1), 50);
    ck_assert_int_ge(events(&e, "SuccessfulRescale", "HorizontalPodAutoscaler",
                            "New size: 2").found, 1);
    kctl_set_load(e.k, "default", "web", 100);
    run_for(&e, 14000);
    ck_assert_int_eq(replicas_of(&e, "web"), 2); /* nothing before the next sync period */
    run_for(&e, 1000);
    ck_assert_int_eq(replicas_of(&e, "web"), 4);
    run_for(&e, 15000);
    ck_assert_int_eq(replicas_of(&e, "web"), 5); /* max */
    h = kstore_peek(e.st, "autoscaling", "horizontalpodautoscalers", "default", "web");
    ck_assert_str_eq(json_get_str(h, "status.conditions[2].reason", ""), "TooManyReplicas");
    run_for(&e, 5000);
    ck_assert_int_eq(pods(&e, "web-").ready, 5);
    kctl_set_load(e.k, "default", "web", 10);
    run_for(&e, 15000);
    ck_assert_int_eq(replicas_of(&e, "web"), 2); /* min */
    run_for(&e, 1000);
    ck_assert_int_eq(pods(&e, "web-").total, 2);
    env_close(&e);
}
END_TEST

START_TEST(kctl_hpa_v1_and_annotation_load)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments",
           deployment("api", 2, "app:1", NULL));
    edit(&e, "api", "metadata.annotations", parse("{\"sim.gitops/cpu-load\":\"150\"}"));
    create(&e, "autoscaling", "horizontalpodautoscalers", hpa("v1", "api", 1, 10));
    run_for(&e, 10);
    /* ceil(2 * 150 / 50) = 6, but one step at most doubles (or reaches 4) */
    ck_assert_int_eq(replicas_of(&e, "api"), 4);
    const cJSON *h = kstore_peek(e.st, "autoscaling", "horizontalpodautoscalers", "default", "api");
    ck_assert_int_eq(json_get_int(h, "status.currentCPUUtilizationPercentage", -1), 150);
    ck_assert_int_eq(json_get_int(h, "status.desiredReplicas", -1), 4);
    ck_assert_ptr_null(json_get(h, "status.conditions"));
    env_close(&e);
}
END_TEST

START_TEST(kctl_pods_log)
{
    struct kctl_opts o = KCTL_OPTS_INIT;
    o.log_interval_ms = 5000;
    struct env e;
    env_open(&e, &o);
    create(&e, "apps", "deployments", deployment("web", 1, "registry/app:1.2.3", NULL));
    run_for(&e, 500);
    struct buf b = BUF_INIT;
    const char *name = pods(&e, "web-").names[0];
    ck_assert_int_eq(kstore_log_get(e.st, "default", name, NULL, &b, NULL), E_NOTFOUND);
    run_for(&e, 14000);
    ck_assert_int_eq(kstore_log_get(e.st, "default", name, "main", &b, NULL), 0);
    ck_assert_ptr_nonnull(strstr(b.ptr, "2026-01-01T00:00:01.000Z main starting image "
                                        "registry/app:1.2.3\n"));
    ck_assert_ptr_nonnull(strstr(b.ptr, "main ready\n"));
    ck_assert_ptr_nonnull(strstr(b.ptr, "heartbeat 2\n"));
    ck_assert_ptr_null(strstr(b.ptr, "heartbeat 3\n"));
    buf_release(&b);
    env_close(&e);
}
END_TEST

START_TEST(kctl_events_recorded)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 2, "app:1", NULL));
    run_for(&e, 4000);
    ck_assert_int_eq(events(&e, "ScalingReplicaSet", "Deployment", "from 0 to 2").found, 1);
    ck_assert_int_eq(events(&e, "SuccessfulCreate", "ReplicaSet", "Created pod: web-").found, 2);
    ck_assert_int_eq(events(&e, "Scheduled", "Pod", "Successfully assigned default/web-").found,
                     2);
    ck_assert_int_eq(events(&e, "Pulled", "Pod", "\"app:1\" already present").found, 2);
    ck_assert_int_eq(events(&e, "Started", "Pod", "Started container main").found, 2);
    edit(&e, "web", "spec.replicas", cJSON_CreateNumber(1));
    run_for(&e, 10);
    ck_assert_int_eq(events(&e, "Killing", "Pod", "Stopping container main").found, 1);
    ck_assert_int_eq(events(&e, "SuccessfulDelete", "ReplicaSet", "Deleted pod: web-").found, 1);
    /* an event of a deployment carries what describe's field selector asks for */
    struct evfind f = events(&e, "ScalingReplicaSet", "Deployment", "from 2 to 1");
    ck_assert_int_eq(f.found, 1);
    ck_assert_int_eq(f.count, 1);
    env_close(&e);
}
END_TEST

START_TEST(kctl_events_expire)
{
    struct kctl_opts o = KCTL_OPTS_INIT;
    o.event_ttl_ms = 60000;
    struct env e;
    env_open(&e, &o);
    create(&e, "apps", "deployments", deployment("web", 1, "app:1", NULL));
    run_for(&e, 5000);
    ck_assert_int_eq(events(&e, "Scheduled", "Pod", "").found, 1);
    run_for(&e, 60000);
    edit(&e, "web", "spec.replicas", cJSON_CreateNumber(2)); /* a new event purges old ones */
    run_for(&e, 10);
    ck_assert_int_eq(events(&e, "ScalingReplicaSet", "Deployment", "from 0 to 1").found, 0);
    ck_assert_int_eq(events(&e, "ScalingReplicaSet", "Deployment", "from 1 to 2").found, 1);
    env_close(&e);
}
END_TEST

START_TEST(kctl_fail_ready_exceeds_deadline)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments",
           deployment("web", 2, "app:1", ",\"progressDeadlineSeconds\":60"));
    cJSON *ann = parse("{\"sim.gitops/fail-ready\":\"true\"}");
    edit(&e, "web", "spec.template.metadata.annotations", ann);
    run_for(&e, 59000);
    const cJSON *d = deploy_of(&e, "web");
    ck_assert_int_eq(pods(&e, "web-").running, 2);
    ck_assert_int_eq(pods(&e, "web-").ready, 0);
    ck_assert_str_eq(cond_reason(d, "Progressing"), "ReplicaSetUpdated");
    run_for(&e, 3000);
    d = deploy_of(&e, "web");
    ck_assert_str_eq(cond_reason(d, "Progressing"), "ProgressDeadlineExceeded");
    ck_assert_str_eq(json_get_str(d, "status.conditions[1].status", ""), "False");
    ck_assert_str_eq(cond_reason(d, "Available"), "MinimumReplicasUnavailable");
    struct evfind f = events(&e, "Unhealthy", "Pod", "Readiness probe failed");
    ck_assert_int_eq(f.found, 2);
    ck_assert_int_ge(f.count, 10);
    env_close(&e);
}
END_TEST

START_TEST(kctl_fail_image_stalls_rollout)
{
    static const char *const bad[] = {"*:bad-*", NULL};
    struct kctl_opts o = KCTL_OPTS_INIT;
    o.fail_images = bad;
    struct env e;
    env_open(&e, &o);
    create(&e, "apps", "deployments",
           deployment("web", 4, "app:good", ",\"progressDeadlineSeconds\":30"));
    run_for(&e, 5000);
    ck_assert_str_eq(cond_reason(deploy_of(&e, "web"), "Progressing"), "NewReplicaSetAvailable");
    set_image(&e, "web", "app:bad-1");
    run_for(&e, 20000);
    ck_assert_str_eq(cond_reason(deploy_of(&e, "web"), "Progressing"), "ReplicaSetUpdated");
    run_for(&e, 20000);
    const cJSON *d = deploy_of(&e, "web");
    ck_assert_str_eq(cond_reason(d, "Progressing"), "ProgressDeadlineExceeded");
    /* 25% may be unavailable and 25% surge: 3 old pods still serve, 2 new never get ready */
    ck_assert_int_eq(pods(&e, "web-").ready, 3);
    ck_assert_int_eq(st_int(d, "updatedReplicas"), 2);
    ck_assert_int_eq(st_int(d, "availableReplicas"), 3);
    ck_assert_str_eq(cond_reason(d, "Available"), "MinimumReplicasAvailable");
    /* a fix rolls forward again */
    set_image(&e, "web", "app:good-2");
    run_for(&e, 30000);
    d = deploy_of(&e, "web");
    ck_assert_str_eq(cond_reason(d, "Progressing"), "NewReplicaSetAvailable");
    ck_assert_int_eq(st_int(d, "updatedReplicas"), 4);
    ck_assert_int_eq(pods(&e, "web-").total, 4);
    env_close(&e);
}
END_TEST

static void names_for_seed(uint64_t seed, char out[3][64])
{
    struct kctl_opts o = KCTL_OPTS_INIT;
    o.seed = seed;
    struct env e;
    env_open(&e, &o);
    create(&e, "apps", "deployments", deployment("web", 3, "app:1", NULL));
    run_for(&e, 10);
    struct podcount c = pods(&e, "web-");
    ck_assert_int_eq(c.total, 3);
    for (int i = 0; i < 3; i++)
        snprintf(out[i], 64, "%s", c.names[i]);
    env_close(&e);
}

START_TEST(kctl_same_seed_same_names)
{
    char a[3][64], b[3][64], c[3][64];
    names_for_seed(7, a);
    names_for_seed(7, b);
    names_for_seed(8, c);
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(a[i], b[i]);
    ck_assert(strcmp(a[0], c[0]) || strcmp(a[1], c[1]) || strcmp(a[2], c[2]));
}
END_TEST

START_TEST(kctl_endpoints_follow_ready_pods)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 3, "app:1", NULL));
    create(&e, "", "services",
           parse("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\","
                 "\"namespace\":\"default\"},\"spec\":{\"selector\":{\"app\":\"web\"},"
                 "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}"));
    run_for(&e, 1500);
    const cJSON *ep = kstore_peek(e.st, "", "endpoints", "default", "web");
    ck_assert_ptr_nonnull(ep);
    ck_assert_int_eq(cJSON_GetArraySize(json_get(ep, "subsets[0].notReadyAddresses")), 3);
    ck_assert_ptr_null(json_get(ep, "subsets[0].addresses"));
    run_for(&e, 2000);
    ep = kstore_peek(e.st, "", "endpoints", "default", "web");
    ck_assert_int_eq(cJSON_GetArraySize(json_get(ep, "subsets[0].addresses")), 3);
    ck_assert_int_eq(json_get_int(ep, "subsets[0].ports[0].port", 0), 8080);
    ck_assert_str_eq(json_get_str(ep, "subsets[0].ports[0].name", ""), "http");
    ck_assert_str_eq(json_get_str(ep, "subsets[0].addresses[0].targetRef.kind", ""), "Pod");
    ck_assert_int_eq(strncmp(json_get_str(ep, "subsets[0].addresses[0].ip", ""), "10.244.", 7),
                     0);
    ck_assert_int_eq(kstore_delete(e.st, "", "services", "default", "web", NULL, 0, NULL, NULL),
                     0);
    run_for(&e, 10);
    ck_assert_ptr_null(kstore_peek(e.st, "", "endpoints", "default", "web"));
    env_close(&e);
}
END_TEST

START_TEST(kctl_paused_does_not_roll)
{
    struct env e;
    env_open(&e, NULL);
    create(&e, "apps", "deployments", deployment("web", 2, "app:1", NULL));
    run_for(&e, 5000);
    edit(&e, "web", "spec.paused", cJSON_CreateTrue());
    set_image(&e, "web", "app:2");
    run_for(&e, 5000);
    ck_assert_uint_eq(kstore_count(e.st, "apps", "replicasets", "default"), 1);
    ck_assert_str_eq(cond_reason(deploy_of(&e, "web"), "Progressing"), "DeploymentPaused");
    edit(&e, "web", "spec.paused", cJSON_CreateFalse());
    run_for(&e, 20000);
    ck_assert_uint_eq(kstore_count(e.st, "apps", "replicasets", "default"), 2);
    ck_assert_str_eq(cond_reason(deploy_of(&e, "web"), "Progressing"), "NewReplicaSetAvailable");
    ck_assert_int_eq(st_int(deploy_of(&e, "web"), "updatedReplicas"), 2);
    env_close(&e);
}
END_TEST

START_TEST(kctl_readiness_probe_delay_honoured)
{
    struct env e;
    env_open(&e, NULL);
    cJSON *d = deployment("web", 1, "app:1", NULL);
    json_set(d, "spec.template.spec.containers[0].readinessProbe",
             parse("{\"initialDelaySeconds\":10}"), NULL);
    create(&e, "apps", "deployments", d);
    run_for(&e, 10900);
    ck_assert_int_eq(pods(&e, "web-").ready, 0);
    run_for(&e, 200);
    ck_assert_int_eq(pods(&e, "web-").ready, 1);
    env_close(&e);
}
END_TEST

START_TEST(kctl_bare_pods_run_and_existing_objects_are_picked_up)
{
    gclock *clk = clock_new_virtual(T0);
    kstore *st = kstore_new(clk);
    cJSON *pod = parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"solo\","
                       "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\","
                       "\"image\":\"busybox\"}]}}");
    ck_assert_int_eq(kstore_create(st, "", "pods", pod, 0, NULL, NULL), 0);
    cJSON_Delete(pod);
    cJSON *d = deployment("web", 1, "app:1", NULL);
    ck_assert_int_eq(kstore_create(st, "apps", "deployments", d, 0, NULL, NULL), 0);
    cJSON_Delete(d);
    kctl *k = kctl_new(st, clk, NULL); /* started after the objects */
    clock_run_until(clk, T0 + 3500);
    const cJSON *p = kstore_peek(st, "", "pods", "default", "solo");
    ck_assert_str_eq(json_get_str(p, "status.phase", ""), "Running");
    ck_assert_str_eq(json_get_str(p, "status.conditions[0].type", ""), "PodScheduled");
    ck_assert_int_eq(json_get_int(kstore_peek(st, "apps", "deployments", "default", "web"),
                                  "status.availableReplicas", 0), 1);
    kctl_free(k);
    kstore_free(st);
    clock_free(clk);
}
END_TEST

/* ---- through the API handler, as kubectl would ---------------------------------------- */

static int call(kapi *a, const char *method, const char *url, const char *ctype,
                const char *body, cJSON **out)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    struct http_response rs;
    rq.method = method;
    rq.url = url;
    rq.body = body ? body : "";
    rq.body_len = strlen(rq.body);
    rq.remote_addr = "inproc";
    http_headers_add(&rq.headers, "Host", "sim");
    http_headers_add(&rq.headers, "Accept", "application/json");
    if (ctype)
        http_headers_add(&rq.headers, "Content-Type", ctype);
    http_response_init(&rs);
    kapi_handle(a, &rq, &rs);
    int status = rs.status;
    if (out) {
        *out = NULL;
        if (json_parse(out, rs.body.ptr, rs.body.len, "response", NULL) < 0)
            *out = cJSON_CreateString(rs.body.ptr);
    }
    http_response_release(&rs);
    http_headers_release(&rq.headers);
    return status;
}

START_TEST(kctl_through_the_api)
{
    struct env e;
    env_open(&e, NULL);
    kapi *a = kapi_new(e.st, e.clk);
    cJSON *d = deployment("web", 3, "app:1", NULL), *r = NULL;
    char *body = cJSON_PrintUnformatted(d);
    ck_assert_int_eq(call(a, "POST", "/apis/apps/v1/namespaces/default/deployments",
                          "application/json", body, NULL), 201);
    free(body);
    cJSON_Delete(d);
    run_for(&e, 3500);
    /* kubectl rollout status: the list by field selector shows a finished rollout */
    ck_assert_int_eq(call(a, "GET", "/apis/apps/v1/namespaces/default/deployments?"
                          "fieldSelector=metadata.name%3Dweb", NULL, NULL, &r), 200);
    ck_assert_int_eq(json_get_int(r, "items[0].status.availableReplicas", 0), 3);
    ck_assert_int_eq(json_get_int(r, "items[0].status.observedGeneration", 0), 1);
    cJSON_Delete(r);
    /* kubectl scale */
    ck_assert_int_eq(call(a, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                          "application/merge-patch+json", "{\"spec\":{\"replicas\":1}}", NULL),
                     200);
    run_for(&e, 100);
    ck_assert_int_eq(pods(&e, "web-").total, 1);
    /* kubectl logs POD */
    char *url = xasprintf("/api/v1/namespaces/default/pods/%s/log", pods(&e, "web-").names[0]);
    ck_assert_int_eq(call(a, "GET", url, NULL, NULL, &r), 200);
    ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(r), "main starting image app:1"));
    cJSON_Delete(r);
    free(url);
    /* kubectl describe deploy: events by involvedObject */
    url = xasprintf("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%%3Dweb"
                    "%%2CinvolvedObject.namespace%%3Ddefault%%2CinvolvedObject.kind%%3DDeployment"
                    "%%2CinvolvedObject.uid%%3D%s",
                    json_get_str(deploy_of(&e, "web"), "metadata.uid", ""));
    ck_assert_int_eq(call(a, "GET", url, NULL, NULL, &r), 200);
    ck_assert_int_eq(cJSON_GetArraySize(json_get(r, "items")), 2); /* 0->3, 3->1 */
    ck_assert_str_eq(json_get_str(r, "items[0].source.component", ""), "deployment-controller");
    cJSON_Delete(r);
    free(url);
    kapi_free(a);
    env_close(&e);
}
END_TEST

static Suite *kctl_suite(void)
{
    Suite *s = suite_create("kctl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, kctl_fenceposts_follow_kube);
    tcase_add_test(tc, kctl_template_hash_is_stable);
    tcase_add_test(tc, kctl_rolling_plan_keeps_bounds);
    tcase_add_test(tc, kctl_recreate_plan_scales_down_first);
    tcase_add_test(tc, kctl_hpa_math);
    tcase_add_test(tc, kctl_kmap_grows_and_deletes);
    tcase_add_test(tc, kctl_deployment_becomes_ready);
    tcase_add_test(tc, kctl_progressing_reasons_in_order);
    tcase_add_test(tc, kctl_rolling_update_respects_surge);
    tcase_add_test(tc, kctl_rolling_update_max_unavailable);
    tcase_add_test(tc, kctl_recreate_never_overlaps);
    tcase_add_test(tc, kctl_scale_to_zero_and_back);
    tcase_add_test(tc, kctl_delete_cascades);
    tcase_add_test(tc, kctl_hpa_clamps_and_follows_load);
    tcase_add_test(tc, kctl_hpa_v1_and_annotation_load);
    tcase_add_test(tc, kctl_pods_log);
    tcase_add_test(tc, kctl_events_recorded);
    tcase_add_test(tc, kctl_events_expire);
    tcase_add_test(tc, kctl_fail_ready_exceeds_deadline);
    tcase_add_test(tc, kctl_fail_image_stalls_rollout);
    tcase_add_test(tc, kctl_same_seed_same_names);
    tcase_add_test(tc, kctl_endpoints_follow_ready_pods);
    tcase_add_test(tc, kctl_paused_does_not_roll);
    tcase_add_test(tc, kctl_readiness_probe_delay_honoured);
    tcase_add_test(tc, kctl_bare_pods_run_and_existing_objects_are_picked_up);
    tcase_add_test(tc, kctl_through_the_api);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kctl_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
