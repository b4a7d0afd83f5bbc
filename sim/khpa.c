/* khpa.c -- HPA controller (see khpa.h).  Writes go through the store: the
 * Deployment's spec.replicas (which its own controller then rolls out) and
 * the HPA's status subresource. */
#include "khpa.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kctl_int.h"

#define TOLERANCE 0.1

int khpa_desired(int current, double util_pct, double target_pct, int min, int max)
{
    if (current <= 0)
        return 0;
    if (min < 1)
        min = 1;
    if (max < min)
        max = min;
    int desired = current;
    if (target_pct > 0) {
        double ratio = util_pct / target_pct;
        if (fabs(ratio - 1.0) > TOLERANCE)
            desired = ratio * current > 1e9 ? 1000000000 : (int)ceil(ratio * current);
    }
    int up_limit = current * 2 > 4 ? current * 2 : 4;
    if (desired > up_limit)
        desired = up_limit;
    if (desired < min)
        desired = min;
    if (desired > max)
        desired = max;
    return desired;
}

static int is_cpu(const cJSON *m)
{
    return !strcmp(json_get_str(m, "type", ""), "Resource") &&
           !strcmp(json_get_str(m, "resource.name", ""), "cpu");
}

int khpa_target(const cJSON *hpa)
{
    const cJSON *m;
    int64_t v1 = kctl_get_clamped(hpa, "spec.targetCPUUtilizationPercentage", -1, -1, 1000000);
    if (v1 > 0)
        return (int)v1;
    cJSON_ArrayForEach(m, json_get(hpa, "spec.metrics"))
    {
        if (!is_cpu(m))
            continue;
        int64_t t = kctl_get_clamped(m, "resource.target.averageUtilization", -1, -1, 1000000);
        if (t <= 0)
            t = kctl_get_clamped(m, "resource.targetAverageUtilization", -1, -1, 1000000);
        if (t > 0)
            return (int)t;
    }
    return 80;
}

/* Scale the Deployment to n replicas (a spec write, as the scale subresource does). */
static int scale_to(kctl *k, const cJSON *deploy, int n)
{
    cJSON *d = cJSON_Duplicate(deploy, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(json_get(d, "metadata"), "resourceVersion");
    kctl_set_num(kctl_obj(d, "spec"), "replicas", n);
    int rc = kstore_update(k->st, "apps", "deployments", d, KSTORE_KEEP_STATUS, NULL, NULL);
    cJSON_Delete(d);
    return rc;
}

static const char *version_of(const cJSON *hpa)
{
    const char *av = json_get_str(hpa, "apiVersion", "autoscaling/v2");
    const char *slash = strchr(av, '/');
    return slash ? slash + 1 : av;
}

static void add_cond(cJSON *conds, const char *type, const char *status, const char *reason,
                     const char *msg, const char *stamp)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "type", type);
    cJSON_AddStringToObject(c, "status", status);
    cJSON_AddStringToObject(c, "lastTransitionTime", stamp);
    cJSON_AddStringToObject(c, "reason", reason);
    cJSON_AddStringToObject(c, "message", msg);
    cJSON_AddItemToArray(conds, c);
}

/* Keep lastTransitionTime of conditions whose status did not change. */
static void keep_transitions(cJSON *conds, const cJSON *old)
{
    cJSON *c, *o;
    cJSON_ArrayForEach(c, conds)
    {
        cJSON_ArrayForEach(o, old)
        {
            if (!strcmp(json_get_str(o, "type", ""), json_get_str(c, "type", "")) &&
                !strcmp(json_get_str(o, "status", ""), json_get_str(c, "status", "")) &&
                json_get(o, "lastTransitionTime"))
                kctl_set_str(c, "lastTransitionTime", json_get_str(o, "lastTransitionTime", ""));
        }
    }
}

struct hpa_result {
    int current, desired, util, raw, min, max;
    int found;      /* the target exists */
    int scaled;
};

static cJSON *v2_metrics(const char *ver, int util)
{
    cJSON *list = cJSON_CreateArray(), *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "type", "Resource");
    cJSON *r = cJSON_AddObjectToObject(m, "resource");
    cJSON_AddStringToObject(r, "name", "cpu");
    /* The model's pods request 100m CPU, so util% of it is util millicores. */
    char value[32];
    snprintf(value, sizeof(value), "%dm", util);
    if (!strcmp(ver, "v2beta1")) {
        cJSON_AddNumberToObject(r, "currentAverageUtilization", util);
        cJSON_AddStringToObject(r, "currentAverageValue", value);
    } else {
        cJSON *cur = cJSON_AddObjectToObject(r, "current");
        cJSON_AddNumberToObject(cur, "averageUtilization", util);
        cJSON_AddStringToObject(cur, "averageValue", value);
    }
    cJSON_AddItemToArray(list, m);
    return list;
}

static void v2_conditions(cJSON *st, const struct hpa_result *r, const cJSON *old,
                          const char *stamp)
{
    cJSON *conds = cJSON_AddArrayToObject(st, "conditions");
    char msg[256];
    if (!r->found) {
        add_cond(conds, "AbleToScale", "False", "FailedGetScale",
                 "the HPA controller was unable to get the target's current scale", stamp);
        keep_transitions(conds, old);
        return;
    }
    add_cond(conds, "AbleToScale", "True", r->scaled ? "SucceededRescale" : "ReadyForNewScale",
             r->scaled ? "the HPA controller was able to update the target scale"
                       : "recommended size matches current size", stamp);
    if (r->current == 0) {
        add_cond(conds, "ScalingActive", "False", "ScalingDisabled",
                 "scaling is disabled since the replica count of the target is zero", stamp);
    } else {
        snprintf(msg, sizeof(msg), "the HPA was able to successfully calculate a replica count "
                 "from cpu resource utilization (percentage of request)");
        add_cond(conds, "ScalingActive", "True", "ValidMetricFound", msg, stamp);
    }
    if (r->raw > r->max)
        add_cond(conds, "ScalingLimited", "True", "TooManyReplicas",
                 "the desired replica count is more than the maximum replica count", stamp);
    else if (r->raw < r->min && r->current)
        add_cond(conds, "ScalingLimited", "True", "TooFewReplicas",
                 "the desired replica count is less than the minimum replica count", stamp);
    else
        add_cond(conds, "ScalingLimited", "False", "DesiredWithinRange",
                 "the desired count is within the acceptable range", stamp);
    keep_transitions(conds, old);
}

static void write_hpa_status(kctl *k, const cJSON *hpa, const struct hpa_result *r)
{
    char stamp[32];
    const char *ver = version_of(hpa);
    kctl_stamp(k, stamp);
    cJSON *st = cJSON_CreateObject();
    cJSON_AddNumberToObject(st, "observedGeneration",
                            (double)json_get_int(hpa, "metadata.generation", 1));
    const cJSON *last = json_get(hpa, "status.lastScaleTime");
    if (r->scaled)
        cJSON_AddStringToObject(st, "lastScaleTime", stamp);
    else if (last)
        cJSON_AddItemToObject(st, "lastScaleTime", cJSON_Duplicate(last, 1));
    cJSON_AddNumberToObject(st, "currentReplicas", r->current);
    cJSON_AddNumberToObject(st, "desiredReplicas", r->desired);
    if (!strcmp(ver, "v1")) {
        if (r->found && r->current)
            cJSON_AddNumberToObject(st, "currentCPUUtilizationPercentage", r->util);
    } else {
        if (r->found && r->current)
            cJSON_AddItemToObject(st, "currentMetrics", v2_metrics(ver, r->util));
        v2_conditions(st, r, json_get(hpa, "status.conditions"), stamp);
    }
    kctl_write_status(k, "autoscaling", "horizontalpodautoscalers",
                      json_get_str(hpa, "metadata.namespace", ""),
                      json_get_str(hpa, "metadata.name", ""), st);
}

static void rescale(kctl *k, const cJSON *hpa, const cJSON *d, struct hpa_result *r)
{
    if (r->current == 0 || r->desired == r->current || scale_to(k, d, r->desired) < 0)
        return;
    r->scaled = 1;
    const char *why;
    if (r->current > r->max)
        why = "Current number of replicas above Spec.MaxReplicas";
    else if (r->current < r->min)
        why = "Current number of replicas below Spec.MinReplicas";
    else if (r->desired > r->current)
        why = "cpu resource utilization (percentage of request) above target";
    else
        why = "All metrics below target";
    kevents_record(k->ev, hpa, "Normal", "SuccessfulRescale", "horizontal-pod-autoscaler",
                   "New size: %d; reason: %s", r->desired, why);
}

void khpa_sync(kctl *k, const char *ns, const char *name)
{
    const cJSON *h = kstore_peek(k->st, "autoscaling", "horizontalpodautoscalers", ns, name);
    if (!h)
        return;
    cJSON *hpa = cJSON_Duplicate(h, 1), *d = NULL;
    struct hpa_result r = {0};
    r.min = (int)kctl_get_clamped(hpa, "spec.minReplicas", 1, 0, KCTL_MAX_REPLICAS);
    r.max = (int)kctl_get_clamped(hpa, "spec.maxReplicas", r.min, 0, KCTL_MAX_REPLICAS);
    if (!strcmp(json_get_str(hpa, "spec.scaleTargetRef.kind", ""), "Deployment")) {
        const cJSON *p = kstore_peek(k->st, "apps", "deployments", ns,
                                     json_get_str(hpa, "spec.scaleTargetRef.name", ""));
        d = p ? cJSON_Duplicate(p, 1) : NULL;
    }
    if (d) {
        r.found = 1;
        r.current = (int)kctl_get_clamped(d, "spec.replicas", 1, 0, KCTL_MAX_REPLICAS);
        r.util = kctl_load(k, d);
        int target = khpa_target(hpa);
        r.desired = khpa_desired(r.current, r.util, target, r.min, r.max);
        r.raw = khpa_desired(r.current, r.util, target, 1, 1 << 30);
        rescale(k, hpa, d, &r);
    }
    write_hpa_status(k, hpa, &r);
    cJSON_Delete(hpa);
    cJSON_Delete(d);
}
