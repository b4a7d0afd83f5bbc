/* ktable.c -- Table output (see ktable.h).
 * Each built-in kind has a column list and a function that fills the cells;
 * everything else is driven by the CRD printer columns.
 */
#include "ktable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "kconv.h"

struct col {
    const char *name, *type, *format;
    int priority;
};

typedef void (*cells_fn)(cJSON *cells, const cJSON *obj, int64_t now_ms);

struct kind_cols {
    const char *group, *resource;
    struct col cols[10];
    cells_fn fill;
};

/* ---- helpers ------------------------------------------------------------------------ */

void ktable_age(int64_t ms, char out[32])
{
    clock_fmt_age(ms / 1000, out);
}

static const char *str_at(const cJSON *obj, const char *path, const char *def)
{
    return json_get_str(obj, path, def);
}

static int64_t int_at(const cJSON *obj, const char *path)
{
    return json_get_int(obj, path, 0);
}

static void add_str(cJSON *cells, const char *s) { cJSON_AddItemToArray(cells, cJSON_CreateString(s)); }

static void add_int(cJSON *cells, int64_t v)
{
    cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)v));
}

static void age_since(const char *ts, int64_t now_ms, char out[32])
{
    int64_t t;
    if (!ts || clock_parse_rfc3339(ts, &t) < 0) {
        snprintf(out, 32, "<unknown>");
        return;
    }
    ktable_age(now_ms - t, out);
}

static void add_age(cJSON *cells, const cJSON *obj, int64_t now_ms)
{
    char age[32];
    age_since(str_at(obj, "metadata.creationTimestamp", NULL), now_ms, age);
    add_str(cells, age);
}

static void add_name(cJSON *cells, const cJSON *obj)
{
    add_str(cells, str_at(obj, "metadata.name", ""));
}

/* "a=b,c=d" from a string map, or def when empty. */
static void map_text(const cJSON *m, struct buf *b, const char *def)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, m)
    {
        if (!cJSON_IsString(it))
            continue;
        buf_addf(b, "%s%s=%s", b->len ? "," : "", it->string, it->valuestring);
    }
    if (!b->len)
        buf_puts(b, def);
}

/* ---- built-in kinds -------------------------------------------------------------------- */

static const char *pod_status(const cJSON *pod)
{
    if (json_get(pod, "metadata.deletionTimestamp"))
        return "Terminating";
    const char *reason = str_at(pod, "status.reason", NULL);
    if (reason)
        return reason;
    const cJSON *cs;
    cJSON_ArrayForEach(cs, json_get(pod, "status.containerStatuses"))
    {
        const char *w = str_at(cs, "state.waiting.reason", NULL);
        if (w)
            return w;
        const char *t = str_at(cs, "state.terminated.reason", NULL);
        if (t)
            return t;
    }
    return str_at(pod, "status.phase", "Pending");
}

static void pod_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    int total = cJSON_GetArraySize(json_get(obj, "spec.containers")), ready = 0;
    int64_t restarts = 0;
    const cJSON *cs;
    cJSON_ArrayForEach(cs, json_get(obj, "status.containerStatuses"))
    {
        ready += json_get_bool(cs, "ready", 0);
        restarts += int_at(cs, "restartCount");
    }
    char r[32];
    snprintf(r, sizeof(r), "%d/%d", ready, total);
    add_name(cells, obj);
    add_str(cells, r);
    add_str(cells, pod_status(obj));
    add_int(cells, restarts);
    add_age(cells, obj, now);
    add_str(cells, str_at(obj, "status.podIP", "<none>"));
    add_str(cells, str_at(obj, "spec.nodeName", "<none>"));
}

static void ns_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_str(cells, str_at(obj, "status.phase", "Active"));
    add_age(cells, obj, now);
}

static void svc_ports(const cJSON *svc, struct buf *b)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, json_get(svc, "spec.ports"))
    {
        if (b->len)
            buf_putc(b, ',');
        buf_addf(b, "%lld", (long long)int_at(p, "port"));
        if (json_get(p, "nodePort"))
            buf_addf(b, ":%lld", (long long)int_at(p, "nodePort"));
        buf_addf(b, "/%s", str_at(p, "protocol", "TCP"));
    }
    if (!b->len)
        buf_puts(b, "<none>");
}

static void svc_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    struct buf b = BUF_INIT;
    const char *type = str_at(obj, "spec.type", "ClusterIP");
    add_name(cells, obj);
    add_str(cells, type);
    add_str(cells, str_at(obj, "spec.clusterIP", "<none>"));
    const char *ext = str_at(obj, "status.loadBalancer.ingress[0].ip", NULL);
    if (!ext)
        ext = str_at(obj, "spec.externalName", NULL);
    add_str(cells, ext ? ext : !strcmp(type, "LoadBalancer") ? "<pending>" : "<none>");
    svc_ports(obj, &b);
    add_str(cells, b.ptr);
    add_age(cells, obj, now);
    buf_reset(&b);
    map_text(json_get(obj, "spec.selector"), &b, "<none>");
    add_str(cells, b.ptr);
    buf_release(&b);
}

static void containers_text(const cJSON *obj, const char *field, struct buf *b)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, json_get(obj, "spec.template.spec.containers"))
    {
        if (b->len)
            buf_putc(b, ',');
        buf_puts(b, str_at(c, field, ""));
    }
}

static void workload_tail(cJSON *cells, const cJSON *obj)
{
    struct buf b = BUF_INIT;
    containers_text(obj, "name", &b);
    add_str(cells, b.ptr);
    buf_reset(&b);
    containers_text(obj, "image", &b);
    add_str(cells, b.ptr);
    buf_reset(&b);
    map_text(json_get(obj, "spec.selector.matchLabels"), &b, "<none>");
    add_str(cells, b.ptr);
    buf_release(&b);
}

static void deploy_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    char r[48];
    snprintf(r, sizeof(r), "%lld/%lld", (long long)int_at(obj, "status.readyReplicas"),
             (long long)json_get_int(obj, "spec.replicas", 1));
    add_name(cells, obj);
    add_str(cells, r);
    add_int(cells, int_at(obj, "status.updatedReplicas"));
    add_int(cells, int_at(obj, "status.availableReplicas"));
    add_age(cells, obj, now);
    workload_tail(cells, obj);
}

static void rs_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_int(cells, json_get_int(obj, "spec.replicas", 1));
    add_int(cells, int_at(obj, "status.replicas"));
    add_int(cells, int_at(obj, "status.readyReplicas"));
    add_age(cells, obj, now);
    workload_tail(cells, obj);
}

static void ds_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_int(cells, int_at(obj, "status.desiredNumberScheduled"));
    add_int(cells, int_at(obj, "status.currentNumberScheduled"));
    add_int(cells, int_at(obj, "status.numberReady"));
    add_int(cells, int_at(obj, "status.updatedNumberScheduled"));
    add_int(cells, int_at(obj, "status.numberAvailable"));
    add_age(cells, obj, now);
}

/* A quantity or number at path as kubectl shows it, or def. */
static void quantity_at(const cJSON *o, const char *path, const char *def, struct buf *b)
{
    const cJSON *q = json_get(o, path);
    if (cJSON_IsString(q))
        buf_puts(b, q->valuestring);
    else if (cJSON_IsNumber(q))
        json_format_number(q->valuedouble, JSON_NUM_JSON, b);
    else
        buf_puts(b, def);
}

/* "cur/target" of a Value or AverageValue target (key: object, external, pods). */
static void hpa_value_metric(const cJSON *m, const cJSON *st, const char *key, struct buf *b)
{
    char path[64];
    snprintf(path, sizeof(path), "%s.target.averageValue", key);
    int avg = json_get(m, path) != NULL;
    snprintf(path, sizeof(path), "%s.current.%s", key, avg ? "averageValue" : "value");
    quantity_at(st, path, "<unknown>", b);
    buf_putc(b, '/');
    snprintf(path, sizeof(path), "%s.target.%s", key, avg ? "averageValue" : "value");
    quantity_at(m, path, "<unknown>", b);
    if (avg && strcmp(key, "pods"))
        buf_puts(b, " (avg)");
}

/* "cpu: 50%/80%" (utilisation) or "memory: 10Mi/100Mi" (average value). */
static void hpa_resource_metric(const cJSON *m, const cJSON *st, const char *key, struct buf *b)
{
    char path[64];
    snprintf(path, sizeof(path), "%s.name", key);
    buf_addf(b, "%s: ", str_at(m, path, ""));
    snprintf(path, sizeof(path), "%s.target.averageValue", key);
    if (json_get(m, path)) {
        snprintf(path, sizeof(path), "%s.current.averageValue", key);
        quantity_at(st, path, "<unknown>", b);
        buf_putc(b, '/');
        snprintf(path, sizeof(path), "%s.target.averageValue", key);
        quantity_at(m, path, "", b);
        return;
    }
    snprintf(path, sizeof(path), "%s.current.averageUtilization", key);
    int64_t cur = json_get_int(st, path, -1);
    snprintf(path, sizeof(path), "%s.target.averageUtilization", key);
    int64_t target = json_get_int(m, path, -1);
    if (cur >= 0)
        buf_addf(b, "%lld%%/", (long long)cur);
    else
        buf_puts(b, "<unknown>/");
    if (target >= 0)
        buf_addf(b, "%lld%%", (long long)target);
    else
        buf_puts(b, "<auto>");
}

/* kubectl's TARGETS column (formatHPAMetrics) from an HPA in the v2 form:
 * the first two metrics, then "+ N more...". */
static void hpa_targets(const cJSON *hpa, struct buf *b)
{
    const cJSON *specs = json_get(hpa, "spec.metrics"), *statuses =
        json_get(hpa, "status.currentMetrics"), *m;
    int i = 0;
    if (cJSON_GetArraySize(specs) == 0) {
        buf_puts(b, "<none>");
        return;
    }
    cJSON_ArrayForEach(m, specs)
    {
        if (i == 2)
            break;
        const char *type = str_at(m, "type", "");
        const cJSON *st = cJSON_GetArrayItem(statuses, i);
        buf_puts(b, i++ ? ", " : "");
        if (!strcmp(type, "Resource"))
            hpa_resource_metric(m, st, "resource", b);
        else if (!strcmp(type, "ContainerResource"))
            hpa_resource_metric(m, st, "containerResource", b);
        else if (!strcmp(type, "Pods") || !strcmp(type, "Object") || !strcmp(type, "External"))
            hpa_value_metric(m, st, !strcmp(type, "Pods") ? "pods" : !strcmp(type, "Object")
                             ? "object" : "external", b);
        else
            buf_puts(b, "<unknown type>");
    }
    if (cJSON_GetArraySize(specs) > 2)
        buf_addf(b, " + %d more...", cJSON_GetArraySize(specs) - 2);
}

static void hpa_cells(cJSON *cells, const cJSON *stored, int64_t now)
{
    struct buf b = BUF_INIT;
    /* objects put into the store directly may be in another version's shape */
    cJSON *obj = cJSON_Duplicate(stored, 1);
    kconv_out("autoscaling", "horizontalpodautoscalers", "v2", obj);
    add_name(cells, obj);
    buf_addf(&b, "%s/%s", str_at(obj, "spec.scaleTargetRef.kind", ""),
             str_at(obj, "spec.scaleTargetRef.name", ""));
    add_str(cells, b.ptr);
    buf_reset(&b);
    hpa_targets(obj, &b);
    add_str(cells, b.ptr);
    buf_release(&b);
    add_int(cells, json_get_int(obj, "spec.minReplicas", 1));
    add_int(cells, int_at(obj, "spec.maxReplicas"));
    add_int(cells, int_at(obj, "status.currentReplicas"));
    add_age(cells, obj, now);
    cJSON_Delete(obj);
}

static void cm_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_int(cells, cJSON_GetArraySize(json_get(obj, "data")) +
                       cJSON_GetArraySize(json_get(obj, "binaryData")));
    add_age(cells, obj, now);
}

static void secret_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_str(cells, str_at(obj, "type", "Opaque"));
    add_int(cells, cJSON_GetArraySize(json_get(obj, "data")));
    add_age(cells, obj, now);
}

static void event_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    char age[32];
    const char *ts = str_at(obj, "lastTimestamp", NULL);
    if (!ts)
        ts = str_at(obj, "eventTime", NULL);
    if (!ts)
        ts = str_at(obj, "metadata.creationTimestamp", NULL);
    age_since(ts, now, age);
    struct buf b = BUF_INIT;
    buf_addf(&b, "%s/%s", str_at(obj, "involvedObject.kind", ""),
             str_at(obj, "involvedObject.name", ""));
    for (char *p = b.ptr; *p && *p != '/'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    add_str(cells, age);
    add_str(cells, str_at(obj, "type", ""));
    add_str(cells, str_at(obj, "reason", ""));
    add_str(cells, b.ptr);
    add_str(cells, str_at(obj, "message", ""));
    buf_release(&b);
}

static void crd_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    (void)now;
    add_name(cells, obj);
    add_str(cells, str_at(obj, "metadata.creationTimestamp", ""));
}

static void default_cells(cJSON *cells, const cJSON *obj, int64_t now)
{
    add_name(cells, obj);
    add_age(cells, obj, now);
}

#define NAMECOL {"Name", "string", "name", 0}
#define AGECOL {"Age", "string", "", 0}
static const struct kind_cols kinds[] = {
    {"", "pods", {NAMECOL, {"Ready", "string", "", 0}, {"Status", "string", "", 0},
                  {"Restarts", "string", "", 0}, AGECOL, {"IP", "string", "", 1},
                  {"Node", "string", "", 1}}, pod_cells},
    {"", "namespaces", {NAMECOL, {"Status", "string", "", 0}, AGECOL}, ns_cells},
    {"", "services", {NAMECOL, {"Type", "string", "", 0}, {"Cluster-IP", "string", "", 0},
                      {"External-IP", "string", "", 0}, {"Port(s)", "string", "", 0}, AGECOL,
                      {"Selector", "string", "", 1}}, svc_cells},
    {"apps", "deployments", {NAMECOL, {"Ready", "string", "", 0},
                             {"Up-to-date", "integer", "", 0}, {"Available", "integer", "", 0},
                             AGECOL, {"Containers", "string", "", 1}, {"Images", "string", "", 1},
                             {"Selector", "string", "", 1}}, deploy_cells},
    {"apps", "replicasets", {NAMECOL, {"Desired", "integer", "", 0},
                             {"Current", "integer", "", 0}, {"Ready", "integer", "", 0}, AGECOL,
                             {"Containers", "string", "", 1}, {"Images", "string", "", 1},
                             {"Selector", "string", "", 1}}, rs_cells},
    {"apps", "daemonsets", {NAMECOL, {"Desired", "integer", "", 0},
                            {"Current", "integer", "", 0}, {"Ready", "integer", "", 0},
                            {"Up-to-date", "integer", "", 0}, {"Available", "integer", "", 0},
                            AGECOL}, ds_cells},
    {"autoscaling", "horizontalpodautoscalers", {NAMECOL, {"Reference", "string", "", 0},
                             {"Targets", "string", "", 0}, {"MinPods", "string", "", 0},
                             {"MaxPods", "integer", "", 0}, {"Replicas", "integer", "", 0},
                             AGECOL}, hpa_cells},
    {"", "configmaps", {NAMECOL, {"Data", "string", "", 0}, AGECOL}, cm_cells},
    {"", "secrets", {NAMECOL, {"Type", "string", "", 0}, {"Data", "string", "", 0}, AGECOL},
     secret_cells},
    {"", "events", {{"Last Seen", "string", "", 0}, {"Type", "string", "", 0},
                    {"Reason", "string", "", 0}, {"Object", "string", "", 0},
                    {"Message", "string", "", 0}}, event_cells},
    {"apiextensions.k8s.io", "customresourcedefinitions",
     {NAMECOL, {"Created At", "date", "", 0}}, crd_cells},
};

static const struct kind_cols default_kind = {"", "", {NAMECOL, AGECOL}, default_cells};

static const struct kind_cols *kind_of(const struct kres_type *t)
{
    if (t->crd_name)
        return NULL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(kinds[i].group, t->group) && !strcmp(kinds[i].resource, t->resource))
            return &kinds[i];
    return &default_kind;
}

/* ---- JSONPath subset ---------------------------------------------------------------- */

static const cJSON *path_walk(const cJSON *obj, const char *path)
{
    size_t n = strlen(path);
    if (n >= 2 && path[0] == '{' && path[n - 1] == '}') {
        path++;
        n -= 2;
    }
    const cJSON *cur = obj;
    size_t i = 0;
    while (cur && i < n) {
        if (path[i] == '.') {
            size_t j = ++i;
            while (j < n && path[j] != '.' && path[j] != '[')
                j++;
            if (j == i)
                continue;
            const cJSON *next = NULL;
            for (const cJSON *c = cJSON_IsObject(cur) ? cur->child : NULL; c; c = c->next)
                if (c->string && strlen(c->string) == j - i && !memcmp(c->string, path + i, j - i))
                    next = c;
            cur = next;
            i = j;
        } else if (path[i] == '[') {
            char *end;
            long idx = strtol(path + i + 1, &end, 10);
            if (*end != ']' || !cJSON_IsArray(cur))
                return NULL;
            cur = idx < 0 ? NULL : cJSON_GetArrayItem(cur, (int)idx);
            i = (size_t)(end - path) + 1;
        } else {
            return NULL;
        }
    }
    return i == n ? cur : NULL;
}

cJSON *ktable_jsonpath(const cJSON *obj, const char *path)
{
    const cJSON *v = path_walk(obj, path);
    if (!v || cJSON_IsNull(v))
        return cJSON_CreateNull();
    if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
        return cJSON_Duplicate(v, 0);
    struct buf b = BUF_INIT;
    json_print(v, 0, &b);
    cJSON *s = cJSON_CreateString(b.ptr);
    buf_release(&b);
    return s;
}

/* ---- tables ------------------------------------------------------------------------- */

static cJSON *col_def(const char *name, const char *type, const char *format,
                      const char *desc, int priority)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "type", type);
    cJSON_AddStringToObject(c, "format", format);
    cJSON_AddStringToObject(c, "description", desc);
    cJSON_AddNumberToObject(c, "priority", priority);
    return c;
}

static const char *name_desc(void)
{
    return "Name must be unique within a namespace. Is required when creating resources, "
           "although some resources may allow a client to request the generation of an "
           "appropriate name automatically. Name is primarily intended for creation "
           "idempotence and configuration definition. Cannot be updated.";
}

cJSON *ktable_new(const struct kres_type *t, const char *version)
{
    cJSON *tb = cJSON_CreateObject();
    cJSON_AddStringToObject(tb, "kind", "Table");
    cJSON_AddStringToObject(tb, "apiVersion", "meta.k8s.io/v1");
    cJSON_AddObjectToObject(tb, "metadata");
    cJSON *defs = cJSON_AddArrayToObject(tb, "columnDefinitions");
    const struct kind_cols *k = kind_of(t);
    if (k) {
        for (size_t i = 0; i < 10 && k->cols[i].name; i++)
            cJSON_AddItemToArray(defs, col_def(k->cols[i].name, k->cols[i].type,
                                               k->cols[i].format,
                                               !strcmp(k->cols[i].format, "name") ? name_desc()
                                                                                  : "",
                                               k->cols[i].priority));
    } else {
        const struct kres_version *v = kres_version(t, version);
        cJSON_AddItemToArray(defs, col_def("Name", "string", "name", name_desc(), 0));
        for (size_t i = 0; v && i < v->ncols; i++)
            cJSON_AddItemToArray(defs, col_def(v->cols[i].name, v->cols[i].type,
                                               v->cols[i].format, v->cols[i].description,
                                               v->cols[i].priority));
        if (!v || !v->ncols)
            cJSON_AddItemToArray(defs, col_def("Age", "date", "", "", 0));
    }
    cJSON_AddArrayToObject(tb, "rows");
    return tb;
}

static void crd_row(cJSON *cells, const struct kres_type *t, const char *version,
                    const cJSON *obj, int64_t now)
{
    const struct kres_version *v = kres_version(t, version);
    add_name(cells, obj);
    if (!v || !v->ncols) {
        add_age(cells, obj, now);
        return;
    }
    for (size_t i = 0; i < v->ncols; i++) {
        cJSON *val = ktable_jsonpath(obj, v->cols[i].path);
        if (!strcmp(v->cols[i].type, "date") && cJSON_IsString(val)) {
            char age[32];
            age_since(val->valuestring, now, age);
            cJSON_Delete(val);
            val = cJSON_CreateString(age);
        }
        cJSON_AddItemToArray(cells, val);
    }
}

static cJSON *partial_meta(const cJSON *obj)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "kind", "PartialObjectMetadata");
    cJSON_AddStringToObject(p, "apiVersion", "meta.k8s.io/v1");
    const cJSON *md = json_get(obj, "metadata");
    cJSON *m = md ? cJSON_Duplicate(md, 1) : cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(m, "managedFields");
    cJSON_AddItemToObject(p, "metadata", m);
    return p;
}

void ktable_add(cJSON *table, const struct kres_type *t, const char *version, const cJSON *obj,
                int64_t now_ms)
{
    cJSON *row = cJSON_CreateObject();
    cJSON *cells = cJSON_AddArrayToObject(row, "cells");
    const struct kind_cols *k = kind_of(t);
    if (k)
        k->fill(cells, obj, now_ms);
    else
        crd_row(cells, t, version, obj, now_ms);
    cJSON_AddItemToObject(row, "object", partial_meta(obj));
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(table, "rows"), row);
}
