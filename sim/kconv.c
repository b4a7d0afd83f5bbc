/* kconv.c -- HPA version conversion (see kconv.h).  The field mappings follow
 * kubernetes/pkg/apis/autoscaling/{v1,v2beta1}/conversion.go (1.32). */
#include "kconv.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

#define ANN_METRICS "autoscaling.alpha.kubernetes.io/metrics"
#define ANN_CURRENT "autoscaling.alpha.kubernetes.io/current-metrics"
#define ANN_CONDITIONS "autoscaling.alpha.kubernetes.io/conditions"
#define ANN_BEHAVIOR "autoscaling.alpha.kubernetes.io/behavior"

/* One field of a metric as v2 and v2beta1 place it. */
struct metric_field {
    const char *type, *v2, *b1;
};

static const struct metric_field SPEC_FIELDS[] = {
    {"Resource", "resource.name", "resource.name"},
    {"Resource", "resource.target.averageUtilization", "resource.targetAverageUtilization"},
    {"Resource", "resource.target.averageValue", "resource.targetAverageValue"},
    {"ContainerResource", "containerResource.name", "containerResource.name"},
    {"ContainerResource", "containerResource.container", "containerResource.container"},
    {"ContainerResource", "containerResource.target.averageUtilization",
     "containerResource.targetAverageUtilization"},
    {"ContainerResource", "containerResource.target.averageValue",
     "containerResource.targetAverageValue"},
    {"Pods", "pods.metric.name", "pods.metricName"},
    {"Pods", "pods.metric.selector", "pods.selector"},
    {"Pods", "pods.target.averageValue", "pods.targetAverageValue"},
    {"Object", "object.describedObject", "object.target"},
    {"Object", "object.metric.name", "object.metricName"},
    {"Object", "object.metric.selector", "object.selector"},
    {"Object", "object.target.value", "object.targetValue"},
    {"Object", "object.target.averageValue", "object.averageValue"},
    {"External", "external.metric.name", "external.metricName"},
    {"External", "external.metric.selector", "external.metricSelector"},
    {"External", "external.target.value", "external.targetValue"},
    {"External", "external.target.averageValue", "external.targetAverageValue"},
};

static const struct metric_field STATUS_FIELDS[] = {
    {"Resource", "resource.name", "resource.name"},
    {"Resource", "resource.current.averageUtilization", "resource.currentAverageUtilization"},
    {"Resource", "resource.current.averageValue", "resource.currentAverageValue"},
    {"ContainerResource", "containerResource.name", "containerResource.name"},
    {"ContainerResource", "containerResource.container", "containerResource.container"},
    {"ContainerResource", "containerResource.current.averageUtilization",
     "containerResource.currentAverageUtilization"},
    {"ContainerResource", "containerResource.current.averageValue",
     "containerResource.currentAverageValue"},
    {"Pods", "pods.metric.name", "pods.metricName"},
    {"Pods", "pods.metric.selector", "pods.selector"},
    {"Pods", "pods.current.averageValue", "pods.currentAverageValue"},
    {"Object", "object.describedObject", "object.target"},
    {"Object", "object.metric.name", "object.metricName"},
    {"Object", "object.metric.selector", "object.selector"},
    {"Object", "object.current.value", "object.currentValue"},
    {"Object", "object.current.averageValue", "object.averageValue"},
    {"External", "external.metric.name", "external.metricName"},
    {"External", "external.metric.selector", "external.metricSelector"},
    {"External", "external.current.value", "external.currentValue"},
    {"External", "external.current.averageValue", "external.currentAverageValue"},
};

struct field_table {
    const struct metric_field *rows;
    size_t n;
};
static const struct field_table SPEC = {SPEC_FIELDS, sizeof(SPEC_FIELDS) / sizeof(SPEC_FIELDS[0])};
static const struct field_table STATUS = {STATUS_FIELDS,
                                          sizeof(STATUS_FIELDS) / sizeof(STATUS_FIELDS[0])};

static const char *const SOURCE_KEYS[][2] = {
    {"Resource", "resource"}, {"ContainerResource", "containerResource"}, {"Pods", "pods"},
    {"Object", "object"}, {"External", "external"},
};

static const char *source_key(const char *type)
{
    for (size_t i = 0; i < sizeof(SOURCE_KEYS) / sizeof(SOURCE_KEYS[0]); i++)
        if (!strcmp(type, SOURCE_KEYS[i][0]))
            return SOURCE_KEYS[i][1];
    return NULL;
}

/* A v2 target's type from the value it holds. */
static void set_target_type(cJSON *metric, const char *key)
{
    cJSON *src = cJSON_GetObjectItemCaseSensitive(metric, key);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(src, "target");
    if (!cJSON_IsObject(t) || cJSON_GetObjectItemCaseSensitive(t, "type"))
        return;
    const char *type = cJSON_GetObjectItemCaseSensitive(t, "averageUtilization") ? "Utilization"
                       : cJSON_GetObjectItemCaseSensitive(t, "value")            ? "Value"
                                                                                 : "AverageValue";
    cJSON_AddStringToObject(t, "type", type);
}

/* One metric (spec or status per tab) to v2 (to_v2) or to v2beta1: a new item. */
static cJSON *convert_metric(const cJSON *m, const struct field_table *tab, int to_v2)
{
    const char *type = json_get_str(m, "type", "");
    const char *key = source_key(type);
    if (!cJSON_IsObject(m) || !key)
        return cJSON_Duplicate(m, 1);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "type", type);
    for (size_t i = 0; i < tab->n; i++) {
        if (strcmp(tab->rows[i].type, type))
            continue;
        const cJSON *v = json_get(m, to_v2 ? tab->rows[i].b1 : tab->rows[i].v2);
        if (v)
            json_set(out, to_v2 ? tab->rows[i].v2 : tab->rows[i].b1, cJSON_Duplicate(v, 1), NULL);
    }
    if (to_v2 && tab == &SPEC)
        set_target_type(out, key);
    return out;
}

static cJSON *convert_list(const cJSON *list, const struct field_table *tab, int to_v2)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *m;
    cJSON_ArrayForEach(m, list) cJSON_AddItemToArray(out, convert_metric(m, tab, to_v2));
    return out;
}

/* Replace the list at obj.sect.key by its conversion (absent stays absent). */
static void convert_at(cJSON *obj, const char *sect, const char *key,
                       const struct field_table *tab, int to_v2)
{
    cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, sect);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(s, key);
    if (cJSON_IsArray(list))
        cJSON_ReplaceItemInObjectCaseSensitive(s, key, convert_list(list, tab, to_v2));
}

/* ---- annotations ----------------------------------------------------------------------------- */

/* Remove annotation key and return its value parsed as JSON (NULL when absent
 * or not JSON).  An emptied annotations map is dropped, as Go omits it. */
static cJSON *ann_take(cJSON *obj, const char *key)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    cJSON *anns = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    cJSON *a = cJSON_DetachItemFromObjectCaseSensitive(anns, key);
    cJSON *val = NULL;
    if (cJSON_IsString(a))
        json_parse(&val, a->valuestring, strlen(a->valuestring), NULL, NULL);
    cJSON_Delete(a);
    if (cJSON_IsObject(anns) && !anns->child)
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
    return val;
}

/* Store val (taken) as annotation key in compact JSON; NULL val: nothing. */
static void ann_put(cJSON *obj, const char *key, cJSON *val)
{
    if (!val)
        return;
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    if (!cJSON_IsObject(md)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
        md = cJSON_AddObjectToObject(obj, "metadata");
    }
    cJSON *anns = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    if (!cJSON_IsObject(anns)) {
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
        anns = cJSON_AddObjectToObject(md, "annotations");
    }
    struct buf b = BUF_INIT;
    json_print(val, 0, &b);
    cJSON_DeleteItemFromObjectCaseSensitive(anns, key);
    cJSON_AddStringToObject(anns, key, b.ptr);
    buf_release(&b);
    cJSON_Delete(val);
}

/* Detach obj.sect.key (NULL when absent). */
static cJSON *take(cJSON *obj, const char *sect, const char *key)
{
    return cJSON_DetachItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, sect),
                                                   key);
}

/* Set obj.sect.key to val (taken), creating sect; NULL val: nothing. */
static void put(cJSON *obj, const char *sect, const char *key, cJSON *val)
{
    if (!val)
        return;
    cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, sect);
    if (!cJSON_IsObject(s)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, sect);
        s = cJSON_AddObjectToObject(obj, sect);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(s, key);
    cJSON_AddItemToObject(s, key, val);
}

/* A non-empty list, or NULL (freed). */
static cJSON *nonempty(cJSON *list)
{
    if (cJSON_IsArray(list) && list->child)
        return list;
    cJSON_Delete(list);
    return NULL;
}

/* ---- v1 <-> v2 ------------------------------------------------------------------------------- */

/* A Resource cpu metric holding a utilization at path; returns that number. */
static const cJSON *cpu_utilization(const cJSON *m, const char *path)
{
    if (strcmp(json_get_str(m, "type", ""), "Resource") ||
        strcmp(json_get_str(m, "resource.name", ""), "cpu"))
        return NULL;
    const cJSON *n = json_get(m, path);
    return cJSON_IsNumber(n) ? n : NULL;
}

/* {type: Resource, resource: {name: cpu, target|current: {...averageUtilization}}}. */
static cJSON *cpu_metric(int target, const cJSON *pct)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "type", "Resource");
    cJSON *r = cJSON_AddObjectToObject(m, "resource");
    cJSON_AddStringToObject(r, "name", "cpu");
    cJSON *t = cJSON_AddObjectToObject(r, target ? "target" : "current");
    if (target)
        cJSON_AddStringToObject(t, "type", "Utilization");
    cJSON_AddItemToObject(t, "averageUtilization", cJSON_Duplicate(pct, 1));
    return m;
}

static void v2_spec_to_v1(cJSON *obj)
{
    cJSON *metrics = take(obj, "spec", "metrics"), *others = cJSON_CreateArray(), *cpu = NULL;
    const cJSON *m, *pct;
    cJSON_ArrayForEach(m, metrics)
    {
        if ((pct = cpu_utilization(m, "resource.target.averageUtilization"))) {
            if (!cpu)
                cpu = cJSON_Duplicate(pct, 1);
            continue;
        }
        cJSON_AddItemToArray(others, convert_metric(m, &SPEC, 0));
    }
    put(obj, "spec", "targetCPUUtilizationPercentage", cpu);
    ann_put(obj, ANN_METRICS, nonempty(others));
    ann_put(obj, ANN_BEHAVIOR, take(obj, "spec", "behavior"));
    cJSON_Delete(metrics);
}

static void v2_status_to_v1(cJSON *obj)
{
    cJSON *current = take(obj, "status", "currentMetrics");
    const cJSON *m, *pct;
    cJSON_ArrayForEach(m, current)
    {
        if ((pct = cpu_utilization(m, "resource.current.averageUtilization"))) {
            put(obj, "status", "currentCPUUtilizationPercentage", cJSON_Duplicate(pct, 1));
            break;
        }
    }
    /* all current metrics are kept, the cpu one too: it carries the raw value */
    ann_put(obj, ANN_CURRENT, nonempty(convert_list(current, &STATUS, 0)));
    ann_put(obj, ANN_CONDITIONS, nonempty(take(obj, "status", "conditions")));
    cJSON_Delete(current);
}

static void v1_spec_to_v2(cJSON *obj)
{
    cJSON *cpu = take(obj, "spec", "targetCPUUtilizationPercentage");
    cJSON *others = ann_take(obj, ANN_METRICS);
    /* like the real conversion: the annotated metrics first, then the cpu target */
    cJSON *metrics = cJSON_IsArray(others) ? convert_list(others, &SPEC, 1) : cJSON_CreateArray();
    if (cJSON_IsNumber(cpu))
        cJSON_AddItemToArray(metrics, cpu_metric(1, cpu));
    put(obj, "spec", "metrics", nonempty(metrics));
    cJSON *behavior = ann_take(obj, ANN_BEHAVIOR);
    if (cJSON_IsObject(behavior))
        put(obj, "spec", "behavior", behavior);
    else
        cJSON_Delete(behavior);
    cJSON_Delete(cpu);
    cJSON_Delete(others);
}

static void v1_status_to_v2(cJSON *obj)
{
    cJSON *cpu = take(obj, "status", "currentCPUUtilizationPercentage");
    cJSON *annotated = ann_take(obj, ANN_CURRENT), *current;
    if (cJSON_IsArray(annotated))
        current = convert_list(annotated, &STATUS, 1);
    else
        current = cJSON_CreateArray();
    if (!cJSON_IsArray(annotated) && cJSON_IsNumber(cpu))
        cJSON_AddItemToArray(current, cpu_metric(0, cpu));
    put(obj, "status", "currentMetrics", nonempty(current));
    cJSON *conds = ann_take(obj, ANN_CONDITIONS);
    if (cJSON_IsArray(conds))
        put(obj, "status", "conditions", conds);
    else
        cJSON_Delete(conds);
    cJSON_Delete(cpu);
    cJSON_Delete(annotated);
}

/* ---- v2beta1 <-> v2 -------------------------------------------------------------------------- */

static void v2_to_b1(cJSON *obj)
{
    convert_at(obj, "spec", "metrics", &SPEC, 0);
    convert_at(obj, "status", "currentMetrics", &STATUS, 0);
    ann_put(obj, ANN_BEHAVIOR, take(obj, "spec", "behavior"));
}

static void b1_to_v2(cJSON *obj)
{
    convert_at(obj, "spec", "metrics", &SPEC, 1);
    convert_at(obj, "status", "currentMetrics", &STATUS, 1);
    cJSON *behavior = ann_take(obj, ANN_BEHAVIOR);
    if (cJSON_IsObject(behavior))
        put(obj, "spec", "behavior", behavior);
    else
        cJSON_Delete(behavior);
}

/* ---- entry points ---------------------------------------------------------------------------- */

static int is_hpa(const char *group, const char *resource)
{
    return !strcmp(group, "autoscaling") && !strcmp(resource, "horizontalpodautoscalers");
}

static void set_version(cJSON *obj, const char *version)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "autoscaling/%s", version);
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
    cJSON_AddStringToObject(obj, "apiVersion", b.ptr);
    buf_release(&b);
}

void kconv_in(const char *group, const char *resource, const char *version, cJSON *obj)
{
    if (!is_hpa(group, resource) || !cJSON_IsObject(obj))
        return;
    if (!strcmp(version, "v1")) {
        v1_spec_to_v2(obj);
        v1_status_to_v2(obj);
    } else if (!strcmp(version, "v2beta1")) {
        b1_to_v2(obj);
    }
    set_version(obj, "v2");
}

void kconv_out(const char *group, const char *resource, const char *version, cJSON *obj)
{
    if (!is_hpa(group, resource) || !cJSON_IsObject(obj))
        return;
    const char *av = json_get_str(obj, "apiVersion", "autoscaling/v2");
    const char *slash = strchr(av, '/');
    char stored[32];
    snprintf(stored, sizeof(stored), "%s", slash ? slash + 1 : av);
    if (strcmp(stored, "v2"))
        kconv_in(group, resource, stored, obj);
    if (!strcmp(version, "v1")) {
        v2_spec_to_v1(obj);
        v2_status_to_v1(obj);
    } else if (!strcmp(version, "v2beta1")) {
        v2_to_b1(obj);
    }
    set_version(obj, version);
}
