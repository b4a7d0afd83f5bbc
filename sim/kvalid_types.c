/* kvalid_types.c -- the spec rules of each validated type (see kvalid.h):
 * pod specs and pod templates, Deployments, ReplicaSets, DaemonSets, Pods,
 * Services, HPAs (stored autoscaling/v2 form), ConfigMaps and Secrets.  The
 * rules and messages follow kubernetes/pkg/apis/{core,apps,autoscaling}/
 * validation (1.32) for the fields the simulator's users write. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kvalid_int.h"

static const char *const PROTOCOLS[] = {"SCTP", "TCP", "UDP", NULL};
static const cJSON EMPTY_OBJ = {NULL, NULL, NULL, cJSON_Object, NULL, 0, 0, NULL};

static const cJSON *obj_or_empty(const cJSON *o) { return o ? o : &EMPTY_OBJ; }

static void one_of(struct kv *v, const char *field, const char *s, const char *const *ok)
{
    for (size_t i = 0; ok[i]; i++)
        if (!strcmp(s, ok[i]))
            return;
    kvalid__unsupported(v, field, s, ok);
}

/* An optional string field restricted to ok; absent is fine (defaulted). */
static void enum_field(struct kv *v, const cJSON *o, const char *key, const char *base,
                       const char *const *ok)
{
    char f[KV_FLD];
    kvalid__fld(f, "%s.%s", base, key);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(s))
        one_of(v, f, s->valuestring, ok);
    else if (s && !cJSON_IsNull(s))
        kvalid__invalid(v, f, "<non-string>", "must be a string");
}

static void nonnegative(struct kv *v, const cJSON *o, const char *key, const char *base)
{
    char f[KV_FLD];
    long long n;
    kvalid__fld(f, "%s.%s", base, key);
    if (kvalid__int(v, o, key, f, &n) == 1 && n < 0)
        kvalid__invalid_int(v, f, n, "must be greater than or equal to 0");
}

/* Does list (an array of strings) hold s?  Else add it. */
static int seen_before(cJSON *list, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, list) if (!strcmp(x->valuestring, s)) return 1;
    cJSON_AddItemToArray(list, cJSON_CreateString(s));
    return 0;
}

/* ---- containers ----------------------------------------------------------------------------- */

static void container_port(struct kv *v, const char *f, const cJSON *p, cJSON *names)
{
    char g[KV_FLD];
    long long n;
    const char *name = kvalid__str(p, "name");
    kvalid__fld(g, "%s.name", f);
    if (name && *name) {
        kvalid__port_name(v, g, name);
        if (seen_before(names, name))
            kvalid__duplicate(v, g, name);
    }
    kvalid__fld(g, "%s.containerPort", f);
    int rc = kvalid__int(v, p, "containerPort", g, &n);
    if (rc == 0 || (rc == 1 && n == 0))
        kvalid__required(v, g, NULL);
    else if (rc == 1)
        kvalid__port_num(v, g, n);
    kvalid__fld(g, "%s.hostPort", f);
    if (kvalid__int(v, p, "hostPort", g, &n) == 1 && n != 0)
        kvalid__port_num(v, g, n);
    const char *proto = kvalid__str(p, "protocol");
    kvalid__fld(g, "%s.protocol", f);
    if (!proto || !*proto)
        kvalid__required(v, g, NULL);
    else
        one_of(v, g, proto, PROTOCOLS);
}

/* A list element that must be an object: it, or the empty object after an error. */
static const cJSON *item_obj(struct kv *v, const cJSON *it, const char *field)
{
    if (cJSON_IsObject(it))
        return it;
    kvalid__invalid(v, field, cJSON_IsString(it) ? "<string>" : "<non-object>",
                    "must be an object");
    return &EMPTY_OBJ;
}

static void container_ports(struct kv *v, const char *f, const cJSON *c)
{
    char g[KV_FLD];
    kvalid__fld(g, "%s.ports", f);
    const cJSON *ports = kvalid__arr(v, c, "ports", g), *p;
    cJSON *names = cJSON_CreateArray();
    int i = 0;
    cJSON_ArrayForEach(p, ports)
    {
        kvalid__fld(g, "%s.ports[%d]", f, i++);
        container_port(v, g, item_obj(v, p, g), names);
    }
    cJSON_Delete(names);
}

static void container_env(struct kv *v, const char *f, const cJSON *c)
{
    char g[KV_FLD];
    kvalid__fld(g, "%s.env", f);
    const cJSON *env = kvalid__arr(v, c, "env", g), *e;
    int i = 0;
    cJSON_ArrayForEach(e, env)
    {
        kvalid__fld(g, "%s.env[%d]", f, i++);
        const char *name = kvalid__str(item_obj(v, e, g), "name");
        kvalid__fld(g, "%s.env[%d].name", f, i - 1);
        if (!name || !*name)
            kvalid__required(v, g, NULL);
    }
}

static void container(struct kv *v, const char *f, const cJSON *c, cJSON *names)
{
    static const char *const PULL[] = {"Always", "IfNotPresent", "Never", NULL};
    char g[KV_FLD];
    const char *name = kvalid__str(c, "name"), *image = kvalid__str(c, "image");
    kvalid__fld(g, "%s.name", f);
    if (!name || !*name) {
        kvalid__required(v, g, NULL);
    } else {
        kvalid__dns_label(v, g, name);
        if (seen_before(names, name))
            kvalid__duplicate(v, g, name);
    }
    kvalid__fld(g, "%s.image", f);
    if (!image || !*image)
        kvalid__required(v, g, NULL);
    else if (image[0] == ' ' || image[strlen(image) - 1] == ' ')
        kvalid__invalid_str(v, g, image, "must not have leading or trailing whitespace");
    container_ports(v, f, c);
    container_env(v, f, c);
    enum_field(v, c, "imagePullPolicy", f, PULL);
}

static void containers(struct kv *v, const char *base, const cJSON *spec, const char *key,
                       cJSON *names)
{
    char f[KV_FLD];
    kvalid__fld(f, "%s.%s", base, key);
    const cJSON *list = kvalid__arr(v, spec, key, f), *c;
    if (!strcmp(key, "containers") && cJSON_GetArraySize(list) == 0)
        kvalid__required(v, f, NULL);
    int i = 0;
    cJSON_ArrayForEach(c, list)
    {
        kvalid__fld(f, "%s.%s[%d]", base, key, i++);
        container(v, f, item_obj(v, c, f), names);
    }
}

/* ValidatePodSpec for what the simulator's users write.  restart: the allowed
 * restartPolicy values (pod templates of controllers allow only Always). */
static void pod_spec(struct kv *v, const char *base, const cJSON *spec,
                     const char *const *restart)
{
    static const char *const DNS[] = {"ClusterFirst", "ClusterFirstWithHostNet", "Default",
                                      "None", NULL};
    cJSON *names = cJSON_CreateArray();
    containers(v, base, spec, "containers", names);
    containers(v, base, spec, "initContainers", names);
    cJSON_Delete(names);
    enum_field(v, spec, "restartPolicy", base, restart);
    enum_field(v, spec, "dnsPolicy", base, DNS);
}

void kvalid__pod(struct kv *v, const cJSON *obj, const cJSON *old)
{
    static const char *const RESTART[] = {"Always", "Never", "OnFailure", NULL};
    (void)old;
    pod_spec(v, "spec", obj_or_empty(kvalid__obj(v, obj, "spec", "spec")), RESTART);
}

/* ---- workloads: Deployment, ReplicaSet, DaemonSet ----------------------------------------- */

static int selector_empty(const cJSON *sel)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sel, "matchLabels")) == 0 &&
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions")) == 0;
}

static void invalid_selector(struct kv *v, const cJSON *sel, const char *detail)
{
    struct buf b = BUF_INIT;
    kvalid__go_selector(&b, sel);
    kvalid__invalid(v, "spec.selector", b.ptr, detail);
    buf_release(&b);
}

/* The pod template of a controller whose selector is sel (NULL: missing). */
static void pod_template(struct kv *v, const cJSON *spec, const cJSON *sel)
{
    static const char *const ALWAYS[] = {"Always", NULL};
    const cJSON *tmpl = obj_or_empty(kvalid__obj(v, spec, "template", "spec.template"));
    const cJSON *md = obj_or_empty(kvalid__obj(v, tmpl, "metadata", "spec.template.metadata"));
    const cJSON *labels = kvalid__obj(v, md, "labels", "spec.template.metadata.labels");
    if (sel && !selector_empty(sel) && !kvalid__selector_matches(sel, labels)) {
        struct buf b = BUF_INIT;
        kvalid__go_strmap(&b, labels);
        kvalid__invalid(v, "spec.template.metadata.labels", b.ptr,
                        "`selector` does not match template `labels`");
        buf_release(&b);
    }
    kvalid__labels(v, "spec.template.labels", labels);
    kvalid__annotations(v, "spec.template.annotations",
                        kvalid__obj(v, md, "annotations", "spec.template.annotations"));
    pod_spec(v, "spec.template.spec",
             obj_or_empty(kvalid__obj(v, tmpl, "spec", "spec.template.spec")), ALWAYS);
}

/* Selector and template, shared by the three; what names the kind in the
 * empty-selector message (the real server says "deployment" for ReplicaSets too). */
static void workload(struct kv *v, const cJSON *spec, const char *what)
{
    const cJSON *sel = kvalid__obj(v, spec, "selector", "spec.selector");
    if (!sel) {
        kvalid__required(v, "spec.selector", NULL);
    } else {
        kvalid__selector(v, "spec.selector", sel);
        if (selector_empty(sel)) {
            char detail[64];
            snprintf(detail, sizeof(detail), "empty selector is invalid for %s", what);
            invalid_selector(v, sel, detail);
        }
    }
    pod_template(v, spec, sel);
}

static void selector_immutable(struct kv *v, const cJSON *spec, const cJSON *old)
{
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(spec, "selector");
    const cJSON *was = json_get(old, "spec.selector");
    if (old && !json_equal(now, was))
        invalid_selector(v, now, "field is immutable");
}

/* An IntOrString as Go's %#v prints it. */
static void go_intstr(struct buf *b, const cJSON *x)
{
    if (cJSON_IsString(x)) {
        buf_puts(b, "intstr.IntOrString{Type:1, IntVal:0, StrVal:");
        kvalid__go_quote(b, x->valuestring);
        buf_putc(b, '}');
    } else {
        buf_addf(b, "intstr.IntOrString{Type:0, IntVal:%lld, StrVal:\"\"}",
                 cJSON_IsNumber(x) ? (long long)x->valuedouble : 0LL);
    }
}

static void invalid_intstr(struct kv *v, const char *f, const cJSON *x, const char *detail)
{
    struct buf b = BUF_INIT;
    go_intstr(&b, x);
    kvalid__invalid(v, f, b.ptr, detail);
    buf_release(&b);
}

/* ValidatePositiveIntOrPercent; returns the value (a percent counts as its
 * number; a bad string as 0, like getIntOrPercentValue), *pct set for percents. */
static long long int_or_percent(struct kv *v, const char *f, const cJSON *x, int *pct)
{
    *pct = 0;
    if (cJSON_IsString(x)) {
        const char *s = x->valuestring;
        size_t n = strlen(s), digits = strspn(s, "0123456789");
        if (n < 2 || digits != n - 1 || s[n - 1] != '%') {
            invalid_intstr(v, f, x, "a valid percent string must be a numeric string followed "
                           "by an ending '%' (e.g. '1%',  or '93%', regex used for validation "
                           "is '[0-9]+%')");
            return 0;
        }
        *pct = 1;
        return strtoll(s, NULL, 10);
    }
    if (!cJSON_IsNumber(x)) {
        if (x)
            kvalid__invalid(v, f, "<non-number>", "must be an integer or percent");
        return 0;
    }
    if (x->valuedouble < 0)
        kvalid__invalid_int(v, f, (long long)x->valuedouble, "must be greater than or equal to 0");
    return (long long)x->valuedouble;
}

static void rolling_update(struct kv *v, const cJSON *ru)
{
    static const char MU[] = "spec.strategy.rollingUpdate.maxUnavailable";
    const cJSON *mu = cJSON_GetObjectItemCaseSensitive(ru, "maxUnavailable");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(ru, "maxSurge");
    int mu_pct, ms_pct;
    long long u = int_or_percent(v, MU, mu, &mu_pct);
    long long s = int_or_percent(v, "spec.strategy.rollingUpdate.maxSurge", ms, &ms_pct);
    if (u == 0 && s == 0)
        invalid_intstr(v, MU, mu, "may not be 0 when `maxSurge` is 0");
    if (mu_pct && u > 100)
        invalid_intstr(v, MU, mu, "must not be greater than 100%");
}

static void strategy(struct kv *v, const cJSON *spec)
{
    static const char *const TYPES[] = {"Recreate", "RollingUpdate", NULL};
    const cJSON *st = kvalid__obj(v, spec, "strategy", "spec.strategy");
    const char *type = kvalid__str(st, "type");
    if (!st)
        return;
    const cJSON *ru = kvalid__obj(v, st, "rollingUpdate", "spec.strategy.rollingUpdate");
    if (type && !strcmp(type, "Recreate")) {
        if (ru)
            kvalid__forbidden(v, "spec.strategy.rollingUpdate",
                              "may not be specified when strategy `type` is 'Recreate'");
    } else if (type && !strcmp(type, "RollingUpdate")) {
        if (!ru)
            kvalid__required(v, "spec.strategy.rollingUpdate",
                             "this should be defaulted and never be nil");
        else
            rolling_update(v, ru);
    } else {
        kvalid__unsupported(v, "spec.strategy.type", type ? type : "", TYPES);
    }
}

static void progress_deadline(struct kv *v, const cJSON *spec)
{
    long long pds, mrs = 0;
    if (kvalid__int(v, spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds",
                    &pds) != 1)
        return;
    nonnegative(v, spec, "progressDeadlineSeconds", "spec");
    if (kvalid__int(v, spec, "minReadySeconds", "spec.minReadySeconds", &mrs) < 0)
        return;
    if (pds <= mrs)
        kvalid__invalid_int(v, "spec.progressDeadlineSeconds", pds,
                            "must be greater than minReadySeconds");
}

void kvalid__deployment(struct kv *v, const cJSON *obj, const cJSON *old)
{
    const cJSON *spec = obj_or_empty(kvalid__obj(v, obj, "spec", "spec"));
    nonnegative(v, spec, "replicas", "spec");
    workload(v, spec, "deployment");
    strategy(v, spec);
    nonnegative(v, spec, "minReadySeconds", "spec");
    nonnegative(v, spec, "revisionHistoryLimit", "spec");
    progress_deadline(v, spec);
    selector_immutable(v, spec, old);
}

void kvalid__replicaset(struct kv *v, const cJSON *obj, const cJSON *old)
{
    const cJSON *spec = obj_or_empty(kvalid__obj(v, obj, "spec", "spec"));
    nonnegative(v, spec, "replicas", "spec");
    nonnegative(v, spec, "minReadySeconds", "spec");
    workload(v, spec, "deployment");
    selector_immutable(v, spec, old);
}

void kvalid__daemonset(struct kv *v, const cJSON *obj, const cJSON *old)
{
    const cJSON *spec = obj_or_empty(kvalid__obj(v, obj, "spec", "spec"));
    workload(v, spec, "daemonset");
    nonnegative(v, spec, "minReadySeconds", "spec");
    nonnegative(v, spec, "revisionHistoryLimit", "spec");
    selector_immutable(v, spec, old);
}

/* ---- Service --------------------------------------------------------------------------------- */

static void service_port(struct kv *v, const char *f, const cJSON *p, int need_name,
                         cJSON *names, const char *type)
{
    char g[KV_FLD];
    long long n;
    const char *name = kvalid__str(p, "name");
    kvalid__fld(g, "%s.name", f);
    if (need_name && (!name || !*name)) {
        kvalid__required(v, g, NULL);
    } else if (name && *name) {
        kvalid__dns_label(v, g, name);
        if (seen_before(names, name))
            kvalid__duplicate(v, g, name);
    }
    kvalid__fld(g, "%s.port", f);
    kvalid__port_num(v, g, kvalid__int(v, p, "port", g, &n) == 1 ? n : 0);
    const char *proto = kvalid__str(p, "protocol");
    kvalid__fld(g, "%s.protocol", f);
    if (!proto || !*proto)
        kvalid__required(v, g, NULL);
    else
        one_of(v, g, proto, PROTOCOLS);
    kvalid__fld(g, "%s.targetPort", f);
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(p, "targetPort");
    if (cJSON_IsString(tp))
        kvalid__port_name(v, g, tp->valuestring);
    else if (kvalid__int(v, p, "targetPort", g, &n) == 1)
        kvalid__port_num(v, g, n);
    kvalid__fld(g, "%s.nodePort", f);
    if (kvalid__int(v, p, "nodePort", g, &n) != 1 || n == 0)
        return;
    if (!strcmp(type, "ClusterIP"))
        kvalid__forbidden(v, g, "may not be used when `type` is 'ClusterIP'");
    else if (n < 30000 || n > 32767)
        kvalid__invalid_int(v, g, n, "provided port is not in the valid range. The range of "
                            "valid ports is 30000-32767");
}

static int valid_ip(const char *s)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

static void cluster_ip(struct kv *v, const cJSON *spec, const char *type, const cJSON *old)
{
    const char *ip = kvalid__str(spec, "clusterIP");
    if (ip && *ip && strcmp(ip, "None") && !valid_ip(ip))
        kvalid__invalid_str(v, "spec.clusterIPs[0]", ip, "must be a valid IP address, (e.g. "
                            "10.9.8.7 or 2001:db8::ffff)");
    const char *was = json_get_str(old, "spec.clusterIP", "");
    const char *old_type = json_get_str(old, "spec.type", "ClusterIP");
    if (!old || !*was || !strcmp(type, "ExternalName") || !strcmp(old_type, "ExternalName") ||
        (ip && !strcmp(ip, was)))
        return;
    struct buf b = BUF_INIT;
    buf_puts(&b, "[]string{");
    kvalid__go_quote(&b, ip ? ip : "");
    buf_putc(&b, '}');
    kvalid__invalid(v, "spec.clusterIPs[0]", b.ptr, "may not change once set");
    buf_release(&b);
}

void kvalid__service(struct kv *v, const cJSON *obj, const cJSON *old)
{
    static const char *const TYPES[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort",
                                        NULL};
    static const char *const AFFINITY[] = {"ClientIP", "None", NULL};
    const cJSON *spec = obj_or_empty(kvalid__obj(v, obj, "spec", "spec"));
    const char *type = kvalid__str(spec, "type"), *ip = kvalid__str(spec, "clusterIP");
    type = type ? type : "ClusterIP";
    const cJSON *ports = kvalid__arr(v, spec, "ports", "spec.ports"), *p;
    int nports = cJSON_GetArraySize(ports), headless = ip && !strcmp(ip, "None");
    int external = !strcmp(type, "ExternalName");
    if (nports == 0 && !headless && !external)
        kvalid__required(v, "spec.ports", NULL);
    one_of(v, "spec.type", type, TYPES);
    const char *ext = kvalid__str(spec, "externalName");
    if (external && (!ext || !*ext))
        kvalid__required(v, "spec.externalName", NULL);
    cJSON *names = cJSON_CreateArray();
    char f[KV_FLD];
    int i = 0;
    cJSON_ArrayForEach(p, ports)
    {
        kvalid__fld(f, "spec.ports[%d]", i++);
        service_port(v, f, item_obj(v, p, f), nports > 1, names, type);
    }
    cJSON_Delete(names);
    kvalid__labels(v, "spec.selector", kvalid__obj(v, spec, "selector", "spec.selector"));
    enum_field(v, spec, "sessionAffinity", "spec", AFFINITY);
    cluster_ip(v, spec, type, old);
}

/* ---- HorizontalPodAutoscaler (autoscaling/v2 form) ----------------------------------------- */

static void target_ref(struct kv *v, const cJSON *spec)
{
    const cJSON *ref = obj_or_empty(kvalid__obj(v, spec, "scaleTargetRef",
                                                "spec.scaleTargetRef"));
    static const char *const KEYS[] = {"kind", "name"};
    for (size_t i = 0; i < 2; i++) {
        char f[KV_FLD];
        const char *s = kvalid__str(ref, KEYS[i]);
        kvalid__fld(f, "spec.scaleTargetRef.%s", KEYS[i]);
        if (!s || !*s)
            kvalid__required(v, f, NULL);
        else
            kvalid__path_segment(v, f, s);
    }
}

static void metric_target(struct kv *v, const char *f, const cJSON *t, int resource)
{
    static const char *const TYPES[] = {"Utilization", "Value", "AverageValue", NULL};
    char g[KV_FLD];
    long long n;
    const char *type = kvalid__str(t, "type");
    kvalid__fld(g, "%s.type", f);
    if (!type || !*type) {
        kvalid__required(v, g, "must specify a metric target type");
    } else {
        size_t i = 0;
        while (TYPES[i] && strcmp(TYPES[i], type))
            i++;
        if (!TYPES[i])
            kvalid__invalid_str(v, g, type, "must be either Utilization, Value, or AverageValue");
    }
    kvalid__fld(g, "%s.averageUtilization", f);
    int has_util = kvalid__int(v, t, "averageUtilization", g, &n);
    if (has_util == 1 && n < 1)
        kvalid__invalid_int(v, g, n, "must be greater than 0");
    if (resource && has_util == 0 && !cJSON_GetObjectItemCaseSensitive(t, "averageValue"))
        kvalid__required(v, g, "must set either a target raw value or a target utilization");
}

/* The metric source types and the key holding each one's details. */
static const struct {
    const char *type, *key;
} METRIC_TYPES[] = {
    {"ContainerResource", "containerResource"}, {"External", "external"},
    {"Object", "object"}, {"Pods", "pods"}, {"Resource", "resource"},
};
#define N_METRIC_TYPES (sizeof(METRIC_TYPES) / sizeof(METRIC_TYPES[0]))

static void metric_source(struct kv *v, const char *f, const char *key, const cJSON *src)
{
    char g[KV_FLD];
    int resource = !strcmp(key, "resource") || !strcmp(key, "containerResource");
    if (resource) {
        const char *name = kvalid__str(src, "name");
        kvalid__fld(g, "%s.name", f);
        if (!name || !*name)
            kvalid__required(v, g, "must specify a resource name");
    } else {
        const char *name = json_get_str(src, "metric.name", NULL);
        kvalid__fld(g, "%s.metric.name", f);
        if (!name || !*name)
            kvalid__required(v, g, "must specify a metric name");
    }
    kvalid__fld(g, "%s.target", f);
    metric_target(v, g, obj_or_empty(kvalid__obj(v, src, "target", g)), resource);
}

static void metric(struct kv *v, const char *f, const cJSON *m)
{
    static const char *const TYPES[] = {"ContainerResource", "External", "Object", "Pods",
                                        "Resource", NULL};
    char g[KV_FLD];
    const char *type = kvalid__str(m, "type");
    kvalid__fld(g, "%s.type", f);
    if (!type || !*type) {
        kvalid__required(v, g, "must specify a metric source type");
        return;
    }
    for (size_t i = 0; i < N_METRIC_TYPES; i++) {
        if (strcmp(type, METRIC_TYPES[i].type))
            continue;
        kvalid__fld(g, "%s.%s", f, METRIC_TYPES[i].key);
        const cJSON *src = kvalid__obj(v, m, METRIC_TYPES[i].key, g);
        if (!src)
            kvalid__required(v, g, "must populate information for the given metric source");
        else
            metric_source(v, g, METRIC_TYPES[i].key, src);
        return;
    }
    kvalid__unsupported(v, g, type, TYPES);
}

void kvalid__hpa(struct kv *v, const cJSON *obj, const cJSON *old)
{
    const cJSON *spec = obj_or_empty(kvalid__obj(v, obj, "spec", "spec"));
    long long min = 1, max = 0;
    (void)old;
    int has_min = kvalid__int(v, spec, "minReplicas", "spec.minReplicas", &min) == 1;
    if (has_min && min < 1)
        kvalid__invalid_int(v, "spec.minReplicas", min, "must be greater than or equal to 1");
    kvalid__int(v, spec, "maxReplicas", "spec.maxReplicas", &max);
    if (max < 1)
        kvalid__invalid_int(v, "spec.maxReplicas", max, "must be greater than 0");
    if (has_min && max < min)
        kvalid__invalid_int(v, "spec.maxReplicas", max,
                            "must be greater than or equal to `minReplicas`");
    target_ref(v, spec);
    const cJSON *metrics = kvalid__arr(v, spec, "metrics", "spec.metrics"), *m;
    char f[KV_FLD];
    int i = 0;
    cJSON_ArrayForEach(m, metrics)
    {
        kvalid__fld(f, "spec.metrics[%d]", i++);
        metric(v, f, item_obj(v, m, f));
    }
}

/* ---- ConfigMap, Secret ----------------------------------------------------------------------- */

static void config_key(struct kv *v, const char *key)
{
    struct buf f = BUF_INIT;
    buf_addf(&f, "data[%s]", key);
    size_t n = strlen(key);
    if (n > 253)
        kvalid__invalid_str(v, f.ptr, key, "must be no more than 253 characters");
    if (n == 0 || strspn(key, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "0123456789") != n)
        kvalid__invalid_str(v, f.ptr, key, "a valid config key must consist of alphanumeric "
                            "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                            "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    if (!strcmp(key, "."))
        kvalid__invalid_str(v, f.ptr, key, "must not be '.'");
    else if (!strcmp(key, ".."))
        kvalid__invalid_str(v, f.ptr, key, "must not be '..'");
    else if (!strncmp(key, "..", 2))
        kvalid__invalid_str(v, f.ptr, key, "must not start with '..'");
    buf_release(&f);
}

void kvalid__configmap(struct kv *v, const cJSON *obj, const cJSON *old)
{
    static const char *const MAPS[] = {"data", "binaryData", "stringData"};
    (void)old;
    for (size_t i = 0; i < sizeof(MAPS) / sizeof(MAPS[0]); i++) {
        const cJSON *m = kvalid__obj(v, obj, MAPS[i], MAPS[i]), *e;
        cJSON_ArrayForEach(e, m) config_key(v, e->string);
    }
}
