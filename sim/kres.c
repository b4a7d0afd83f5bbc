/* kres.c -- resource type registry and discovery documents (see kres.h).
 * Built-in types come from one static table; CRD types are parsed from the
 * CustomResourceDefinition object, with their versions sorted the way
 * Kubernetes ranks them (GA before beta before alpha, higher numbers first)
 * so that the first version is the one kubectl prefers.
 */
#include "kres.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct kres {
    struct kres_type **v;
    size_t n, cap;
    uint64_t gen;
};

struct builtin {
    const char *group, *versions, *resource, *singular, *kind, *shorts, *cats;
    int namespaced;
    unsigned subs;
};

static const struct builtin builtins[] = {
    {"", "v1", "namespaces", "namespace", "Namespace", "ns", "", 0, KRES_SUB_STATUS},
    {"", "v1", "pods", "pod", "Pod", "po", "all", 1, KRES_SUB_STATUS | KRES_SUB_LOG},
    {"", "v1", "services", "service", "Service", "svc", "all", 1, KRES_SUB_STATUS},
    {"", "v1", "endpoints", "endpoints", "Endpoints", "ep", "", 1, 0},
    {"", "v1", "configmaps", "configmap", "ConfigMap", "cm", "", 1, 0},
    {"", "v1", "secrets", "secret", "Secret", "", "", 1, 0},
    {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", "sa", "", 1, 0},
    {"", "v1", "events", "event", "Event", "ev", "", 1, 0},
    {"", "v1", "nodes", "node", "Node", "no", "", 0, KRES_SUB_STATUS},
    {"apps", "v1", "deployments", "deployment", "Deployment", "deploy", "all", 1,
     KRES_SUB_STATUS | KRES_SUB_SCALE},
    {"apps", "v1", "replicasets", "replicaset", "ReplicaSet", "rs", "all", 1,
     KRES_SUB_STATUS | KRES_SUB_SCALE},
    {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", "ds", "all", 1, KRES_SUB_STATUS},
    {"apps", "v1", "statefulsets", "statefulset", "StatefulSet", "sts", "all", 1,
     KRES_SUB_STATUS | KRES_SUB_SCALE},
    {"autoscaling", "v2,v1,v2beta2,v2beta1", "horizontalpodautoscalers",
     "horizontalpodautoscaler", "HorizontalPodAutoscaler", "hpa", "all", 1, KRES_SUB_STATUS},
    {"rbac.authorization.k8s.io", "v1", "roles", "role", "Role", "", "", 1, 0},
    {"rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", "", "", 1,
     0},
    {"rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", "", "", 0,
     0},
    {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
     "ClusterRoleBinding", "", "", 0, 0},
    {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
     "CustomResourceDefinition", "crd,crds", "", 0, KRES_SUB_STATUS},
};

static const char *const verbs_all[] = {"create", "delete", "deletecollection", "get",
                                        "list",   "patch",  "update",           "watch"};

/* ---- construction ------------------------------------------------------------------ */

static void split_into(const char *csv, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *p = csv;
    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        *out = xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = xstrndup(p, len);
        p = c ? c + 1 : NULL;
    }
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void type_free(struct kres_type *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nversions; i++) {
        struct kres_version *v = &t->versions[i];
        for (size_t j = 0; j < v->ncols; j++) {
            struct kres_col *c = &v->cols[j];
            free(c->name);
            free(c->type);
            free(c->format);
            free(c->description);
            free(c->path);
        }
        free(v->cols);
        free(v->name);
    }
    free(t->versions);
    free_strs(t->short_names, t->nshort);
    free_strs(t->categories, t->ncat);
    free(t->group);
    free(t->resource);
    free(t->singular);
    free(t->kind);
    free(t->list_kind);
    free(t->crd_name);
    free(t);
}

static void add_type(kres *r, struct kres_type *t)
{
    XGROW(r->v, r->cap, r->n + 1);
    r->v[r->n++] = t;
    r->gen++;
}

static struct kres_type *builtin_type(const struct builtin *b)
{
    struct kres_type *t = xcalloc(1, sizeof(*t));
    char **vs;
    t->group = xstrdup(b->group);
    t->resource = xstrdup(b->resource);
    t->singular = xstrdup(b->singular);
    t->kind = xstrdup(b->kind);
    t->list_kind = xasprintf("%sList", b->kind);
    split_into(b->versions, &vs, &t->nversions);
    t->versions = xcalloc(t->nversions, sizeof(*t->versions));
    for (size_t i = 0; i < t->nversions; i++)
        t->versions[i].name = vs[i];
    free(vs);
    t->namespaced = b->namespaced;
    split_into(b->shorts, &t->short_names, &t->nshort);
    split_into(b->cats, &t->categories, &t->ncat);
    t->subs = b->subs;
    return t;
}

kres *kres_new(void)
{
    kres *r = xcalloc(1, sizeof(*r));
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        add_type(r, builtin_type(&builtins[i]));
    return r;
}

void kres_free(kres *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        type_free(r->v[i]);
    free(r->v);
    free(r);
}

uint64_t kres_generation(const kres *r) { return r->gen; }
size_t kres_count(const kres *r) { return r->n; }
const struct kres_type *kres_at(const kres *r, size_t i) { return i < r->n ? r->v[i] : NULL; }

const struct kres_version *kres_version(const struct kres_type *t, const char *name)
{
    for (size_t i = 0; i < t->nversions; i++)
        if (!strcmp(t->versions[i].name, name))
            return &t->versions[i];
    return NULL;
}

const struct kres_type *kres_find(const kres *r, const char *group, const char *version,
                                  const char *resource)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct kres_type *t = r->v[i];
        if (!strcmp(t->group, group) && !strcmp(t->resource, resource) &&
            (!version || kres_version(t, version)))
            return t;
    }
    return NULL;
}

const struct kres_type *kres_find_kind(const kres *r, const char *group, const char *kind)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i]->group, group) && !strcmp(r->v[i]->kind, kind))
            return r->v[i];
    return NULL;
}

/* ---- CRDs -------------------------------------------------------------------------- */

/* Kubernetes version priority: v2 > v1 > v2beta2 > v1beta1 > v1alpha1 > other. */
static int ver_rank(const char *v, long *major, long *minor)
{
    *major = 0;
    *minor = 0;
    if (v[0] != 'v' || !isdigit((unsigned char)v[1]))
        return 0;
    char *end;
    *major = strtol(v + 1, &end, 10);
    if (!*end)
        return 3;
    int rank = !strncmp(end, "beta", 4) ? 2 : !strncmp(end, "alpha", 5) ? 1 : -1;
    if (rank < 0)
        return 0;
    const char *num = end + (rank == 2 ? 4 : 5);
    if (!isdigit((unsigned char)*num))
        return 0;
    *minor = strtol(num, &end, 10);
    return *end ? 0 : rank;
}

static int ver_cmp(const void *a, const void *b)
{
    const struct kres_version *x = a, *y = b;
    long xm, xn, ym, yn;
    int xr = ver_rank(x->name, &xm, &xn), yr = ver_rank(y->name, &ym, &yn);
    if (xr != yr)
        return yr - xr;
    if (xr == 0)
        return strcmp(x->name, y->name);
    if (xr == 3 || xm != ym)
        return xm != ym ? (ym > xm ? 1 : -1) : 0;
    return yn > xn ? 1 : yn < xn ? -1 : 0;
}

static char *str_or(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : def ? xstrdup(def) : NULL;
}

static void str_list(const cJSON *arr, char ***out, size_t *n)
{
    const cJSON *it;
    *out = NULL;
    *n = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it))
            continue;
        *out = xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = xstrdup(it->valuestring);
    }
}

static void crd_cols(struct kres_version *v, const cJSON *cols)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cols)
    {
        char *name = str_or(c, "name", NULL), *path = str_or(c, "jsonPath", NULL);
        if (!name || !path) {
            free(name);
            free(path);
            continue;
        }
        v->cols = xrealloc(v->cols, (v->ncols + 1) * sizeof(*v->cols));
        struct kres_col *k = &v->cols[v->ncols++];
        k->name = name;
        k->path = path;
        k->type = str_or(c, "type", "string");
        k->format = str_or(c, "format", "");
        k->description = str_or(c, "description", "");
        double prio = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "priority"));
        k->priority = prio >= 0 && prio <= 100 ? (int)prio : 0;
    }
}

static void crd_versions(struct kres_type *t, const cJSON *spec)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec, "versions"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
        if (!cJSON_IsString(name) || cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "served")))
            continue;
        t->versions = xrealloc(t->versions, (t->nversions + 1) * sizeof(*t->versions));
        struct kres_version *kv = &t->versions[t->nversions++];
        memset(kv, 0, sizeof(*kv));
        kv->name = xstrdup(name->valuestring);
        crd_cols(kv, cJSON_GetObjectItemCaseSensitive(v, "additionalPrinterColumns"));
        const cJSON *subs = cJSON_GetObjectItemCaseSensitive(v, "subresources");
        if (cJSON_GetObjectItemCaseSensitive(subs, "status"))
            t->subs |= KRES_SUB_STATUS;
        if (cJSON_GetObjectItemCaseSensitive(subs, "scale"))
            t->subs |= KRES_SUB_SCALE;
    }
    if (t->nversions > 1)
        qsort(t->versions, t->nversions, sizeof(*t->versions), ver_cmp);
}

int kres_add_crd(kres *r, const cJSON *crd, struct err *err)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(crd, "spec");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(spec, "names");
    struct kres_type *t = xcalloc(1, sizeof(*t));
    t->group = str_or(spec, "group", NULL);
    t->resource = str_or(names, "plural", NULL);
    t->kind = str_or(names, "kind", NULL);
    crd_versions(t, spec);
    if (!t->group || !t->resource || !t->kind || !*t->group || !*t->resource || !*t->kind ||
        !t->nversions) {
        type_free(t);
        return err_set(err, E_INVALID, "spec: Invalid value: a CRD needs spec.group, "
                       "spec.names.plural, spec.names.kind and a served version");
    }
    t->singular = str_or(names, "singular", NULL);
    if (!t->singular) {
        t->singular = xstrdup(t->kind);
        for (char *p = t->singular; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    t->list_kind = str_or(names, "listKind", NULL);
    if (!t->list_kind)
        t->list_kind = xasprintf("%sList", t->kind);
    const cJSON *scope = cJSON_GetObjectItemCaseSensitive(spec, "scope");
    t->namespaced = !(cJSON_IsString(scope) && !strcmp(scope->valuestring, "Cluster"));
    str_list(cJSON_GetObjectItemCaseSensitive(names, "shortNames"), &t->short_names, &t->nshort);
    str_list(cJSON_GetObjectItemCaseSensitive(names, "categories"), &t->categories, &t->ncat);
    t->crd_name = xasprintf("%s.%s", t->resource, t->group);
    kres_remove_crd(r, t->crd_name);
    add_type(r, t);
    return 0;
}

void kres_remove_crd(kres *r, const char *crd_name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i]->crd_name && !strcmp(r->v[i]->crd_name, crd_name)) {
            type_free(r->v[i]);
            memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
            r->n--;
            r->gen++;
            return;
        }
}

/* ---- discovery ------------------------------------------------------------------------ */

static cJSON *str_array(char **v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *verbs(int sub_only, int log)
{
    cJSON *a = cJSON_CreateArray();
    if (log) {
        cJSON_AddItemToArray(a, cJSON_CreateString("get"));
        return a;
    }
    if (sub_only) {
        const char *s[] = {"get", "patch", "update"};
        for (int i = 0; i < 3; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(s[i]));
        return a;
    }
    for (size_t i = 0; i < sizeof(verbs_all) / sizeof(verbs_all[0]); i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(verbs_all[i]));
    return a;
}

static cJSON *gvk(const char *group, const char *version, const char *kind)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "group", group);
    cJSON_AddStringToObject(o, "version", version);
    cJSON_AddStringToObject(o, "kind", kind);
    return o;
}

static void add_aggr_sub(cJSON *subs, const struct kres_type *t, const char *ver,
                         const char *name)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "subresource", name);
    int scale = !strcmp(name, "scale");
    cJSON_AddItemToObject(s, "responseKind", scale ? gvk("autoscaling", "v1", "Scale")
                                                   : gvk(t->group, ver, t->kind));
    cJSON_AddItemToObject(s, "verbs", verbs(1, !strcmp(name, "log")));
    cJSON_AddItemToArray(subs, s);
}

static cJSON *aggr_resource(const struct kres_type *t, const char *ver)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "resource", t->resource);
    cJSON_AddItemToObject(o, "responseKind", gvk(t->group, ver, t->kind));
    cJSON_AddStringToObject(o, "scope", t->namespaced ? "Namespaced" : "Cluster");
    cJSON_AddStringToObject(o, "singularResource", t->singular);
    cJSON_AddItemToObject(o, "verbs", verbs(0, 0));
    if (t->nshort)
        cJSON_AddItemToObject(o, "shortNames", str_array(t->short_names, t->nshort));
    if (t->ncat)
        cJSON_AddItemToObject(o, "categories", str_array(t->categories, t->ncat));
    if (t->subs) {
        cJSON *subs = cJSON_AddArrayToObject(o, "subresources");
        if (t->subs & KRES_SUB_LOG)
            add_aggr_sub(subs, t, ver, "log");
        if (t->subs & KRES_SUB_SCALE)
            add_aggr_sub(subs, t, ver, "scale");
        if (t->subs & KRES_SUB_STATUS)
            add_aggr_sub(subs, t, ver, "status");
    }
    return o;
}

/* Distinct groups in registry order. */
static size_t groups_of(const kres *r, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t j = 0;
        while (j < n && strcmp(out[j], r->v[i]->group))
            j++;
        if (j == n && n < max)
            out[n++] = r->v[i]->group;
    }
    return n;
}

/* Versions served in a group, preference order. */
static size_t versions_of(const kres *r, const char *group, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i]->group, group))
            continue;
        for (size_t k = 0; k < r->v[i]->nversions; k++) {
            const char *v = r->v[i]->versions[k].name;
            size_t j = 0;
            while (j < n && strcmp(out[j], v))
                j++;
            if (j == n && n < max)
                out[n++] = v;
        }
    }
    return n;
}

static cJSON *aggr_group(const kres *r, const char *group)
{
    const char *vers[32];
    size_t nv = versions_of(r, group, vers, 32);
    cJSON *g = cJSON_CreateObject();
    cJSON *md = cJSON_AddObjectToObject(g, "metadata");
    if (*group)
        cJSON_AddStringToObject(md, "name", group);
    cJSON_AddNullToObject(md, "creationTimestamp");
    cJSON *versions = cJSON_AddArrayToObject(g, "versions");
    for (size_t k = 0; k < nv; k++) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "version", vers[k]);
        cJSON *res = cJSON_AddArrayToObject(v, "resources");
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->v[i]->group, group) && kres_version(r->v[i], vers[k]))
                cJSON_AddItemToArray(res, aggr_resource(r->v[i], vers[k]));
        cJSON_AddStringToObject(v, "freshness", "Current");
        cJSON_AddItemToArray(versions, v);
    }
    return g;
}

cJSON *kres_disc_aggregated(const kres *r, int core)
{
    const char *groups[128];
    size_t ng = groups_of(r, groups, 128);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "APIGroupDiscoveryList");
    cJSON_AddStringToObject(o, "apiVersion", "apidiscovery.k8s.io/v2");
    cJSON_AddObjectToObject(o, "metadata");
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < ng; i++)
        if ((core != 0) == (*groups[i] == '\0'))
            cJSON_AddItemToArray(items, aggr_group(r, groups[i]));
    return o;
}

cJSON *kres_disc_versions(const kres *r, const char *addr)
{
    (void)r;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "APIVersions");
    cJSON *v = cJSON_AddArrayToObject(o, "versions");
    cJSON_AddItemToArray(v, cJSON_CreateString("v1"));
    cJSON *cidrs = cJSON_AddArrayToObject(o, "serverAddressByClientCIDRs");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "clientCIDR", "0.0.0.0/0");
    cJSON_AddStringToObject(c, "serverAddress", addr ? addr : "127.0.0.1:6443");
    cJSON_AddItemToArray(cidrs, c);
    return o;
}

static cJSON *gv_entry(const char *group, const char *version)
{
    cJSON *o = cJSON_CreateObject();
    char *gv = xasprintf("%s/%s", group, version);
    cJSON_AddStringToObject(o, "groupVersion", gv);
    cJSON_AddStringToObject(o, "version", version);
    free(gv);
    return o;
}

static cJSON *group_doc(const kres *r, const char *group)
{
    const char *vers[32];
    size_t nv = versions_of(r, group, vers, 32);
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "name", group);
    cJSON *vs = cJSON_AddArrayToObject(g, "versions");
    for (size_t k = 0; k < nv; k++)
        cJSON_AddItemToArray(vs, gv_entry(group, vers[k]));
    cJSON_AddItemToObject(g, "preferredVersion", gv_entry(group, vers[0]));
    return g;
}

cJSON *kres_disc_groups(const kres *r)
{
    const char *groups[128];
    size_t ng = groups_of(r, groups, 128);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "APIGroupList");
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON *gs = cJSON_AddArrayToObject(o, "groups");
    for (size_t i = 0; i < ng; i++)
        if (*groups[i])
            cJSON_AddItemToArray(gs, group_doc(r, groups[i]));
    return o;
}

cJSON *kres_disc_group(const kres *r, const char *group)
{
    const char *vers[1];
    if (!*group || !versions_of(r, group, vers, 1))
        return NULL;
    cJSON *g = group_doc(r, group);
    cJSON_AddStringToObject(g, "kind", "APIGroup");
    cJSON_AddStringToObject(g, "apiVersion", "v1");
    return g;
}

static cJSON *legacy_resource(const struct kres_type *t, const char *sub)
{
    cJSON *o = cJSON_CreateObject();
    char *name = sub ? xasprintf("%s/%s", t->resource, sub) : xstrdup(t->resource);
    cJSON_AddStringToObject(o, "name", name);
    free(name);
    cJSON_AddStringToObject(o, "singularName", sub ? "" : t->singular);
    cJSON_AddBoolToObject(o, "namespaced", t->namespaced);
    int scale = sub && !strcmp(sub, "scale");
    if (scale) {
        cJSON_AddStringToObject(o, "group", "autoscaling");
        cJSON_AddStringToObject(o, "version", "v1");
    }
    cJSON_AddStringToObject(o, "kind", scale ? "Scale" : t->kind);
    cJSON_AddItemToObject(o, "verbs", verbs(sub != NULL, sub && !strcmp(sub, "log")));
    if (!sub && t->nshort)
        cJSON_AddItemToObject(o, "shortNames", str_array(t->short_names, t->nshort));
    if (!sub && t->ncat)
        cJSON_AddItemToObject(o, "categories", str_array(t->categories, t->ncat));
    return o;
}

cJSON *kres_disc_resources(const kres *r, const char *group, const char *version)
{
    cJSON *o = NULL, *res = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct kres_type *t = r->v[i];
        if (strcmp(t->group, group) || !kres_version(t, version))
            continue;
        if (!o) {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "kind", "APIResourceList");
            cJSON_AddStringToObject(o, "apiVersion", "v1");
            char *gv = *group ? xasprintf("%s/%s", group, version) : xstrdup(version);
            cJSON_AddStringToObject(o, "groupVersion", gv);
            free(gv);
            res = cJSON_AddArrayToObject(o, "resources");
        }
        cJSON_AddItemToArray(res, legacy_resource(t, NULL));
        if (t->subs & KRES_SUB_LOG)
            cJSON_AddItemToArray(res, legacy_resource(t, "log"));
        if (t->subs & KRES_SUB_SCALE)
            cJSON_AddItemToArray(res, legacy_resource(t, "scale"));
        if (t->subs & KRES_SUB_STATUS)
            cJSON_AddItemToArray(res, legacy_resource(t, "status"));
    }
    return o;
}

void kres_each_gv(const kres *r, void (*fn)(void *ctx, const char *group, const char *version),
                  void *ctx)
{
    const char *groups[128], *vers[32];
    size_t ng = groups_of(r, groups, 128);
    for (size_t i = 0; i < ng; i++) {
        size_t nv = versions_of(r, groups[i], vers, 32);
        for (size_t k = 0; k < nv; k++)
            fn(ctx, groups[i], vers[k]);
    }
}
