/* kpod.c -- simulated scheduler and kubelet (see kpod.h).
 * Each live pod has a record in k->pods with one pending timer that moves it
 * one stage on: SCHEDULED -> RUNNING (start delay) -> READY (readiness delay)
 * -> log lines every interval.  The timer re-reads the pod from the store and
 * drops the record when the pod is gone or replaced (uid changed), so a
 * deletion never has to find and cancel anything.
 */
#include "kpod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kctl_int.h"

enum stage { ST_SCHEDULED, ST_STARTING, ST_LOGGING };

struct kpod_rec {
    char *key, *ns, *name, *uid;
    enum stage stage;
    int fail;
    int64_t ready_delay;
    unsigned long ticks;
    struct kctl_timer *timer;
};

static void rec_free(struct kpod_rec *r)
{
    free(r->key);
    free(r->ns);
    free(r->name);
    free(r->uid);
    free(r);
}

static void rec_drop(kctl *k, struct kpod_rec *r)
{
    kctl_cancel(k, r->timer);
    kmap_del(k->pods, r->key);
    rec_free(r);
}

static int free_rec(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    rec_free(value);
    return 0;
}

void kpod_forget_all(kctl *k) { kmap_each(k->pods, free_rec, NULL); }

/* ---- status helpers ------------------------------------------------------------- */

static const cJSON *condition(const cJSON *pod, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_get(pod, "status.conditions"))
    {
        if (!strcmp(json_get_str(c, "type", ""), type))
            return c;
    }
    return NULL;
}

int kpod_is_ready(const cJSON *pod)
{
    const cJSON *c = condition(pod, "Ready");
    return c && !strcmp(json_get_str(c, "status", ""), "True");
}

int64_t kpod_ready_since(const cJSON *pod)
{
    const cJSON *c = condition(pod, "Ready");
    int64_t ms;
    if (!c || strcmp(json_get_str(c, "status", ""), "True"))
        return -1;
    if (clock_parse_rfc3339(json_get_str(c, "lastTransitionTime", ""), &ms) < 0)
        return 0;
    return ms;
}

int kpod_is_available(const cJSON *pod, int64_t min_ready_s, int64_t now_ms)
{
    int64_t since = kpod_ready_since(pod);
    if (since < 0)
        return 0;
    return min_ready_s <= 0 || since + min_ready_s * 1000 <= now_ms;
}

int kpod_is_active(const cJSON *pod)
{
    const char *phase = json_get_str(pod, "status.phase", "");
    return strcmp(phase, "Succeeded") && strcmp(phase, "Failed");
}

/* Set condition type to status (lastTransitionTime moves only on a change). */
static void set_condition(cJSON *st, const char *type, const char *status, const char *reason,
                          const char *stamp)
{
    cJSON *conds = cJSON_GetObjectItemCaseSensitive(st, "conditions");
    if (!cJSON_IsArray(conds)) {
        cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
        conds = cJSON_AddArrayToObject(st, "conditions");
    }
    cJSON *c = NULL;
    cJSON_ArrayForEach(c, conds)
    {
        if (!strcmp(json_get_str(c, "type", ""), type))
            break;
    }
    if (!c) {
        c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "type", type);
        cJSON_AddItemToArray(conds, c);
    }
    if (strcmp(json_get_str(c, "status", ""), status) || !json_get(c, "lastTransitionTime"))
        kctl_set_str(c, "lastTransitionTime", stamp);
    kctl_set_str(c, "status", status);
    if (!json_get(c, "lastProbeTime"))
        cJSON_AddNullToObject(c, "lastProbeTime");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "reason");
    if (reason)
        cJSON_AddStringToObject(c, "reason", reason);
}

/* ---- scheduling ------------------------------------------------------------------ */

/* Put pod on a node: spec.nodeName, phase Pending, PodScheduled. */
static void schedule(kctl *k, cJSON *pod)
{
    uint32_t idx = k->next_ip++;
    char node[32], stamp[32];
    snprintf(node, sizeof(node), "sim-node-%d", (int)(idx % (uint32_t)k->opts.nodes) + 1);
    kctl_stamp(k, stamp);
    cJSON *spec = kctl_obj(pod, "spec");
    kctl_set_str(spec, "nodeName", node);
    if (!json_get(spec, "restartPolicy"))
        cJSON_AddStringToObject(spec, "restartPolicy", "Always");
    if (!json_get(spec, "serviceAccountName"))
        cJSON_AddStringToObject(spec, "serviceAccountName", "default");
    if (!json_get(spec, "schedulerName"))
        cJSON_AddStringToObject(spec, "schedulerName", "default-scheduler");
    cJSON *st = kctl_obj(pod, "status");
    kctl_set_str(st, "phase", "Pending");
    kctl_set_str(st, "qosClass", "BestEffort");
    set_condition(st, "PodScheduled", "True", NULL, stamp);
}

/* Readiness delay of a pod: the option, a longer readinessProbe
 * initialDelaySeconds, or the sim.gitops/ready-delay annotation. */
static int64_t ready_delay(const kctl *k, const cJSON *pod)
{
    int64_t d = k->opts.ready_delay_ms, ms;
    const cJSON *c, *ann = json_get(pod, "metadata.annotations");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(ann, "sim.gitops/ready-delay");
    if (cJSON_IsString(a) && clock_parse_duration(a->valuestring, &ms) == 0)
        return ms;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        int64_t s = kctl_get_clamped(c, "readinessProbe.initialDelaySeconds", 0, 0,
                                     KCTL_MAX_SECONDS);
        if (s > 0 && s * 1000 > d)
            d = s * 1000;
    }
    return d;
}

static int pod_fails(const kctl *k, const cJSON *pod)
{
    const cJSON *ann = json_get(pod, "metadata.annotations"), *c;
    if (kctl_fails_ready(k, NULL, ann))
        return 1;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        if (kctl_fails_ready(k, json_get_str(c, "image", ""), NULL))
            return 1;
    }
    return 0;
}

static void step(kctl *k, void *arg);

/* Start tracking a stored, scheduled pod. */
static void track(kctl *k, const cJSON *pod)
{
    struct kpod_rec *r = xcalloc(1, sizeof(*r));
    r->ns = xstrdup(json_get_str(pod, "metadata.namespace", ""));
    r->name = xstrdup(json_get_str(pod, "metadata.name", ""));
    r->uid = xstrdup(json_get_str(pod, "metadata.uid", ""));
    r->key = xasprintf("%s/%s", r->ns, r->name);
    r->stage = ST_SCHEDULED;
    r->fail = pod_fails(k, pod);
    r->ready_delay = ready_delay(k, pod);
    struct kpod_rec *old = kmap_put(k->pods, r->key, r);
    if (old) {
        kctl_cancel(k, old->timer);
        rec_free(old);
    }
    kevents_record(k->ev, pod, "Normal", "Scheduled", "default-scheduler",
                   "Successfully assigned %s/%s to %s", r->ns, r->name,
                   json_get_str(pod, "spec.nodeName", ""));
    r->timer = kctl_after(k, k->opts.start_delay_ms, step, r, NULL);
}

static int adoptable(const kctl *k, const cJSON *pod)
{
    const char *phase = json_get_str(pod, "status.phase", "");
    if (*phase && strcmp(phase, "Pending"))
        return 0;
    return k->opts.adopt_bare_pods || kctl_owner(pod, "ReplicaSet");
}

void kpod_sync(kctl *k, const char *ns, const char *name)
{
    char *key = xasprintf("%s/%s", ns, name);
    struct kpod_rec *r = kmap_get(k->pods, key);
    const cJSON *pod = kstore_peek(k->st, "", "pods", ns, name);
    free(key);
    if (r && (!pod || strcmp(r->uid, json_get_str(pod, "metadata.uid", ""))))
        rec_drop(k, r);
    else if (r)
        return;
    if (!pod || !adoptable(k, pod))
        return;
    cJSON *copy = cJSON_Duplicate(pod, 1), *out = NULL;
    if (!*json_get_str(copy, "spec.nodeName", "")) {
        schedule(k, copy);
        if (kstore_update(k->st, "", "pods", copy, 0, &out, NULL) == 0)
            track(k, out);
    } else {
        track(k, copy);
    }
    cJSON_Delete(copy);
    cJSON_Delete(out);
}

int kpod_create(kctl *k, const cJSON *rs, cJSON **out, struct err *err)
{
    const cJSON *tmpl = json_get(rs, "spec.template");
    const char *rsname = json_get_str(rs, "metadata.name", "");
    cJSON *pod = cJSON_CreateObject(), *stored = NULL;
    cJSON_AddStringToObject(pod, "apiVersion", "v1");
    cJSON_AddStringToObject(pod, "kind", "Pod");
    cJSON *md = cJSON_AddObjectToObject(pod, "metadata");
    char *gen = xasprintf("%s-", rsname);
    cJSON_AddStringToObject(md, "generateName", gen);
    cJSON_AddStringToObject(md, "namespace", json_get_str(rs, "metadata.namespace", ""));
    if (json_get(tmpl, "metadata.labels"))
        cJSON_AddItemToObject(md, "labels", cJSON_Duplicate(json_get(tmpl, "metadata.labels"), 1));
    if (json_get(tmpl, "metadata.annotations"))
        cJSON_AddItemToObject(md, "annotations",
                              cJSON_Duplicate(json_get(tmpl, "metadata.annotations"), 1));
    cJSON *ref = cJSON_CreateObject();
    cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
    cJSON_AddStringToObject(ref, "kind", "ReplicaSet");
    cJSON_AddStringToObject(ref, "name", rsname);
    cJSON_AddStringToObject(ref, "uid", json_get_str(rs, "metadata.uid", ""));
    cJSON_AddBoolToObject(ref, "controller", 1);
    cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(md, "ownerReferences"), ref);
    cJSON_AddItemToObject(pod, "spec", cJSON_Duplicate(json_get(tmpl, "spec"), 1));
    schedule(k, pod);
    int rc = E_EXISTS;
    for (int tries = 0; rc == E_EXISTS && tries < 8; tries++) {
        char suffix[6], *name;
        kctl_rand_suffix(k, suffix, 5);
        name = xasprintf("%s%s", gen, suffix);
        kctl_set_str(md, "name", name);
        free(name);
        rc = kstore_create(k->st, "", "pods", pod, 0, &stored, err);
    }
    if (rc == 0) {
        kevents_record(k->ev, rs, "Normal", "SuccessfulCreate", "replicaset-controller",
                       "Created pod: %s", json_get_str(stored, "metadata.name", ""));
        track(k, stored);
    }
    if (rc == 0 && out)
        *out = stored;
    else
        cJSON_Delete(stored);
    free(gen);
    cJSON_Delete(pod);
    return rc;
}

void kpod_delete(kctl *k, const cJSON *rs, const cJSON *pod)
{
    const char *ns = json_get_str(pod, "metadata.namespace", "");
    const char *name = json_get_str(pod, "metadata.name", "");
    const cJSON *c;
    if (kstore_delete(k->st, "", "pods", ns, name, NULL, 0, NULL, NULL) < 0)
        return;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        kevents_record(k->ev, pod, "Normal", "Killing", "kubelet", "Stopping container %s",
                       json_get_str(c, "name", ""));
    }
    if (rs)
        kevents_record(k->ev, rs, "Normal", "SuccessfulDelete", "replicaset-controller",
                       "Deleted pod: %s", name);
    kpod_sync(k, ns, name);
}

/* ---- running, ready, logging ------------------------------------------------------ */

/* Append "STAMP CONTAINER TEXT[IMAGE]" to the log of every container. */
static void log_all(kctl *k, const cJSON *pod, const char *text, int with_image)
{
    char stamp[32];
    const cJSON *c;
    clock_fmt_rfc3339(kctl_now(k), 1, stamp);
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        const char *cname = json_get_str(c, "name", "main");
        char *line = xasprintf("%s %s %s%s\n", stamp, cname, text,
                               with_image ? json_get_str(c, "image", "") : "");
        kstore_log_append(k->st, json_get_str(pod, "metadata.namespace", ""),
                          json_get_str(pod, "metadata.name", ""), cname, line);
        free(line);
    }
}

static cJSON *container_status(const cJSON *c, const char *uid, int ready, const char *stamp)
{
    cJSON *cs = cJSON_CreateObject();
    const char *image = json_get_str(c, "image", "");
    cJSON_AddStringToObject(cs, "name", json_get_str(c, "name", ""));
    cJSON_AddStringToObject(cs, "image", image);
    char *id = xasprintf("sim://%s", image);
    cJSON_AddStringToObject(cs, "imageID", id);
    free(id);
    id = xasprintf("sim://%.8s-%s", uid, json_get_str(c, "name", ""));
    cJSON_AddStringToObject(cs, "containerID", id);
    free(id);
    cJSON_AddBoolToObject(cs, "ready", ready);
    cJSON_AddBoolToObject(cs, "started", 1);
    cJSON_AddNumberToObject(cs, "restartCount", 0);
    cJSON *run = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cs, "state"), "running");
    cJSON_AddStringToObject(run, "startedAt", stamp);
    cJSON_AddObjectToObject(cs, "lastState");
    return cs;
}

/* Write the pod's container statuses and readiness conditions. */
static int set_running(kctl *k, cJSON *pod, int ready)
{
    char stamp[32], ip[32];
    kctl_stamp(k, stamp);
    cJSON *st = kctl_obj(pod, "status");
    const char *uid = json_get_str(pod, "metadata.uid", "");
    const cJSON *started = json_get(st, "startTime");
    const char *since = cJSON_IsString(started) ? started->valuestring : stamp;
    cJSON *list = cJSON_CreateArray(), *c;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
        cJSON_AddItemToArray(list, container_status(c, uid, ready, since));
    cJSON_DeleteItemFromObjectCaseSensitive(st, "containerStatuses");
    cJSON_AddItemToObject(st, "containerStatuses", list);
    if (!json_get(st, "podIP")) {
        uint32_t n = k->next_ip++;
        snprintf(ip, sizeof(ip), "10.244.%u.%u", (n / 250) % 256, n % 250 + 2);
        cJSON_AddStringToObject(st, "podIP", ip);
        cJSON_AddItemToObject(st, "podIPs", cJSON_CreateArray());
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "ip", ip);
        cJSON_AddItemToArray(json_get(st, "podIPs"), e);
        kctl_set_str(st, "hostIP", "10.0.0.1");
        kctl_set_str(st, "startTime", stamp);
    }
    kctl_set_str(st, "phase", "Running");
    const char *why = ready ? NULL : "ContainersNotReady";
    set_condition(st, "PodReadyToStartContainers", "True", NULL, stamp);
    set_condition(st, "Initialized", "True", NULL, stamp);
    set_condition(st, "Ready", ready ? "True" : "False", why, stamp);
    set_condition(st, "ContainersReady", ready ? "True" : "False", why, stamp);
    return kstore_update_status(k->st, "", "pods", pod, 0, NULL, NULL);
}

static void do_start(kctl *k, struct kpod_rec *r, cJSON *pod)
{
    const cJSON *c;
    if (set_running(k, pod, 0) < 0)
        return;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        const char *cname = json_get_str(c, "name", "");
        kevents_record(k->ev, pod, "Normal", "Pulled", "kubelet",
                       "Container image \"%s\" already present on machine",
                       json_get_str(c, "image", ""));
        kevents_record(k->ev, pod, "Normal", "Created", "kubelet", "Created container %s", cname);
        kevents_record(k->ev, pod, "Normal", "Started", "kubelet", "Started container %s", cname);
    }
    log_all(k, pod, "starting image ", 1);
    r->stage = r->fail ? ST_LOGGING : ST_STARTING;
    r->timer = kctl_after(k, r->fail ? k->opts.log_interval_ms : r->ready_delay, step, r, NULL);
}

static void do_tick(kctl *k, struct kpod_rec *r, cJSON *pod)
{
    char n[64];
    r->ticks++;
    if (r->fail) {
        log_all(k, pod, "readiness check failed: HTTP 503", 0);
        kevents_record(k->ev, pod, "Warning", "Unhealthy", "kubelet",
                       "Readiness probe failed: HTTP probe failed with statuscode: 503");
    } else {
        snprintf(n, sizeof(n), "serving, heartbeat %lu", r->ticks);
        log_all(k, pod, n, 0);
    }
    r->timer = kctl_after(k, k->opts.log_interval_ms, step, r, NULL);
}

static void step(kctl *k, void *arg)
{
    struct kpod_rec *r = arg;
    cJSON *pod = NULL;
    r->timer = NULL;
    if (kstore_get(k->st, "", "pods", r->ns, r->name, &pod, NULL) < 0 ||
        strcmp(json_get_str(pod, "metadata.uid", ""), r->uid)) {
        cJSON_Delete(pod);
        rec_drop(k, r);
        return;
    }
    if (r->stage == ST_SCHEDULED) {
        do_start(k, r, pod);
    } else if (r->stage == ST_STARTING) {
        if (set_running(k, pod, 1) == 0)
            log_all(k, pod, "ready", 0);
        r->stage = ST_LOGGING;
        r->timer = kctl_after(k, k->opts.log_interval_ms, step, r, NULL);
    } else {
        do_tick(k, r, pod);
    }
    cJSON_Delete(pod);
}
