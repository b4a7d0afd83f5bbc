/* kdefault.c -- defaults of built-in types (see kdefault.h).  The values are
 * those of Kubernetes 1.32's SetDefaults_* functions for the fields that show
 * up in `kubectl get -o yaml`. */
#include "kdefault.h"

#include <string.h>

static cJSON *obj_at(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsObject(v) ? v : NULL;
}

/* The object under key, created when absent; NULL when key holds a non-object. */
static cJSON *ensure_obj(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return cJSON_AddObjectToObject(o, key);
    return cJSON_IsObject(v) ? v : NULL;
}

static void def_str(cJSON *o, const char *key, const char *val)
{
    if (o && !cJSON_GetObjectItemCaseSensitive(o, key))
        cJSON_AddStringToObject(o, key, val);
}

static void def_num(cJSON *o, const char *key, double val)
{
    if (o && !cJSON_GetObjectItemCaseSensitive(o, key))
        cJSON_AddNumberToObject(o, key, val);
}

static void def_ports_protocol(cJSON *ports)
{
    cJSON *p;
    cJSON_ArrayForEach(p, ports) if (cJSON_IsObject(p)) def_str(p, "protocol", "TCP");
}

static const char *pull_policy(const char *image)
{
    const char *slash = strrchr(image, '/');
    const char *last = slash ? slash + 1 : image;
    if (strchr(last, '@'))
        return "IfNotPresent";
    const char *colon = strchr(last, ':');
    return !colon || !strcmp(colon, ":latest") ? "Always" : "IfNotPresent";
}

static void def_containers(cJSON *list)
{
    cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        if (!cJSON_IsObject(c))
            continue;
        def_str(c, "terminationMessagePath", "/dev/termination-log");
        def_str(c, "terminationMessagePolicy", "File");
        const char *image = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "image"));
        if (image)
            def_str(c, "imagePullPolicy", pull_policy(image));
        ensure_obj(c, "resources");
        def_ports_protocol(cJSON_GetObjectItemCaseSensitive(c, "ports"));
    }
}

static void def_pod_spec(cJSON *spec)
{
    if (!spec)
        return;
    def_str(spec, "restartPolicy", "Always");
    def_num(spec, "terminationGracePeriodSeconds", 30);
    def_str(spec, "dnsPolicy", "ClusterFirst");
    def_str(spec, "schedulerName", "default-scheduler");
    ensure_obj(spec, "securityContext");
    def_containers(cJSON_GetObjectItemCaseSensitive(spec, "containers"));
    def_containers(cJSON_GetObjectItemCaseSensitive(spec, "initContainers"));
}

static void def_template(cJSON *spec)
{
    cJSON *tmpl = obj_at(spec, "template");
    if (tmpl) {
        ensure_obj(tmpl, "metadata");
        def_pod_spec(obj_at(tmpl, "spec"));
    }
}

static void def_deployment(cJSON *spec)
{
    def_num(spec, "replicas", 1);
    def_num(spec, "revisionHistoryLimit", 10);
    def_num(spec, "progressDeadlineSeconds", 600);
    cJSON *strategy = ensure_obj(spec, "strategy");
    def_str(strategy, "type", "RollingUpdate");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(strategy, "type"));
    if (type && !strcmp(type, "RollingUpdate")) {
        cJSON *ru = ensure_obj(strategy, "rollingUpdate");
        def_str(ru, "maxUnavailable", "25%");
        def_str(ru, "maxSurge", "25%");
    }
    def_template(spec);
}

static void def_daemonset(cJSON *spec)
{
    def_num(spec, "revisionHistoryLimit", 10);
    cJSON *us = ensure_obj(spec, "updateStrategy");
    def_str(us, "type", "RollingUpdate");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(us, "type"));
    if (type && !strcmp(type, "RollingUpdate")) {
        cJSON *ru = ensure_obj(us, "rollingUpdate");
        def_num(ru, "maxUnavailable", 1);
        def_num(ru, "maxSurge", 0);
    }
    def_template(spec);
}

static void def_service(cJSON *spec)
{
    def_str(spec, "type", "ClusterIP");
    def_str(spec, "sessionAffinity", "None");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "type"));
    if (type && strcmp(type, "ExternalName"))
        def_str(spec, "internalTrafficPolicy", "Cluster");
    cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(spec, "ports"))
    {
        if (!cJSON_IsObject(p))
            continue;
        def_str(p, "protocol", "TCP");
        cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");
        if (cJSON_IsNumber(port) && !cJSON_GetObjectItemCaseSensitive(p, "targetPort"))
            cJSON_AddNumberToObject(p, "targetPort", port->valuedouble);
    }
}

/* HPAs are defaulted in their stored autoscaling/v2 form: no metrics means
 * 80% average CPU utilisation. */
static void def_hpa(cJSON *spec)
{
    def_num(spec, "minReplicas", 1);
    cJSON *metrics = cJSON_GetObjectItemCaseSensitive(spec, "metrics");
    if (metrics && !(cJSON_IsArray(metrics) && !metrics->child))
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "metrics");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "type", "Resource");
    cJSON *r = cJSON_AddObjectToObject(m, "resource");
    cJSON_AddStringToObject(r, "name", "cpu");
    cJSON *t = cJSON_AddObjectToObject(r, "target");
    cJSON_AddStringToObject(t, "type", "Utilization");
    cJSON_AddNumberToObject(t, "averageUtilization", 80);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "metrics"), m);
}

void kdefault_apply(const char *group, const char *resource, cJSON *obj)
{
    if (!cJSON_IsObject(obj))
        return;
    if (!strcmp(group, "") && !strcmp(resource, "secrets")) {
        def_str(obj, "type", "Opaque");
        return;
    }
    cJSON *spec = NULL;
    int core = !*group, apps = !strcmp(group, "apps");
    if ((core && (!strcmp(resource, "pods") || !strcmp(resource, "services"))) ||
        (core && !strcmp(resource, "namespaces")) || apps ||
        !strcmp(group, "autoscaling"))
        spec = ensure_obj(obj, "spec");
    if (!spec)
        return;
    if (core && !strcmp(resource, "pods"))
        def_pod_spec(spec);
    else if (core && !strcmp(resource, "services"))
        def_service(spec);
    else if (core && !strcmp(resource, "namespaces")) {
        if (!cJSON_GetObjectItemCaseSensitive(spec, "finalizers")) {
            cJSON *f = cJSON_AddArrayToObject(spec, "finalizers");
            cJSON_AddItemToArray(f, cJSON_CreateString("kubernetes"));
        }
    } else if (apps && !strcmp(resource, "deployments"))
        def_deployment(spec);
    else if (apps && (!strcmp(resource, "replicasets") || !strcmp(resource, "statefulsets"))) {
        def_num(spec, "replicas", 1);
        def_template(spec);
    } else if (apps && !strcmp(resource, "daemonsets"))
        def_daemonset(spec);
    else if (!strcmp(resource, "horizontalpodautoscalers"))
        def_hpa(spec);
}
