/* render.c -- the `helm template` pipeline over a resolved chart.
 * Objects first (.Chart, .Capabilities, .Files are Go structs/methods, so
 * they are tval objects; .Release, .Template, .Values are maps), then the
 * engine step (pkg/engine/engine.go render), then the release step
 * (pkg/releaseutil SplitManifests/SortManifests and cmd/helm/template.go).
 */
#include "helm/render.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "helm/hfuncs.h"
#include "helm/mhead.h"
#include "helm/semver.h"
#include "helm/sprig.h"
#include "helm/tcache.h"
#include "helm/tmpl.h"
#include "helm/tval.h"
#include "helm/values.h"

#define DEFAULT_KUBE_VERSION "v1.20.0"
#define HELM_VERSION "v3.21.4"

/* The group/versions of client-go's scheme (what `helm template` assumes a
 * cluster serves) plus apiextensions.k8s.io. */
static const char *const default_apis[] = {
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1",
    "apps/v1beta1", "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1", "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
    "autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1",
    "batch/v1beta1", "certificates.k8s.io/v1", "certificates.k8s.io/v1alpha1",
    "certificates.k8s.io/v1beta1", "coordination.k8s.io/v1", "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1", "networking.k8s.io/v1alpha1", "networking.k8s.io/v1beta1",
    "node.k8s.io/v1", "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1",
    "policy/v1beta1", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1alpha1",
    "rbac.authorization.k8s.io/v1beta1", "resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1",
    "scheduling.k8s.io/v1", "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1",
    "storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1",
    "storagemigration.k8s.io/v1alpha1", "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1",
};

static const char *const install_order[] = {
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
    "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService",
};

int render_kind_rank(const char *kind)
{
    for (size_t i = 0; i < sizeof install_order / sizeof install_order[0]; i++)
        if (!strcmp(install_order[i], kind))
            return (int)i;
    return -1;
}

static int no_args(const char *name, int argc, struct err *err)
{
    if (argc > 0)
        return err_set(err, E_INVALID, "%s is not a method but has arguments", name);
    return 0;
}

/* The answer of a field (no arguments allowed): v is a new reference, or
 * NULL when name is no field of the object. */
static int field_value(const char *name, int argc, tval *v, tval **out, struct err *err)
{
    if (!v)
        return TVAL_NOFIELD;
    if (no_args(name, argc, err) < 0) {
        tval_unref(v);
        return E_INVALID;
    }
    *out = v;
    return 0;
}

static int want_args(const char *name, int argc, int want, struct err *err)
{
    if (argc != want)
        return err_set(err, E_INVALID, "wrong number of args for %s: want %d got %d", name,
                       want, argc);
    return 0;
}

/* ==== .Capabilities ============================================================= */

struct kver {
    char version[3 * SEMVER_PART_MAX + 70], major[24], minor[24];
};

static int kver_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                    struct err *err)
{
    const struct kver *k = ctx;
    (void)argv;
    const char *v = !strcmp(name, "Version") || !strcmp(name, "GitVersion") ||
                            !strcmp(name, "String")
                        ? k->version
                    : !strcmp(name, "Major") ? k->major
                    : !strcmp(name, "Minor") ? k->minor
                                             : NULL;
    return field_value(name, argc, v ? tval_str(v) : NULL, out, err);
}

static void kver_print(void *ctx, struct buf *out)
{
    buf_puts(out, ((struct kver *)ctx)->version);
}

static const struct tval_obj_ops kver_ops = {
    .type_name = "*chartutil.KubeVersion",
    .get = kver_get,
    .print = kver_print,
    .free = free,
};

struct apis {
    char **v;
    size_t n;
};

static int apis_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                    struct err *err)
{
    const struct apis *a = ctx;
    if (strcmp(name, "Has"))
        return TVAL_NOFIELD;
    if (want_args(name, argc, 1, err) < 0)
        return E_INVALID;
    if (tval_kind(argv[0]) != TV_STRING)
        return err_set(err, E_INVALID, "wrong type for value; expected string; got %s",
                       tval_type_name(argv[0]));
    int has = 0;
    for (size_t i = 0; i < a->n && !has; i++)
        has = !strcmp(a->v[i], tval_get_str(argv[0]));
    *out = tval_bool(has);
    return 0;
}

static void apis_print(void *ctx, struct buf *out)
{
    const struct apis *a = ctx;
    buf_putc(out, '[');
    for (size_t i = 0; i < a->n; i++)
        buf_addf(out, "%s%s", i ? " " : "", a->v[i]);
    buf_putc(out, ']');
}

static void apis_free(void *ctx)
{
    struct apis *a = ctx;
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    free(a);
}

static const struct tval_obj_ops apis_ops = {
    .type_name = "chartutil.VersionSet",
    .get = apis_get,
    .print = apis_print,
    .free = apis_free,
};

static int hver_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                    struct err *err)
{
    (void)ctx;
    (void)argv;
    const char *v = !strcmp(name, "Version") ? HELM_VERSION
                    : (!strcmp(name, "GitCommit") || !strcmp(name, "GitTreeState") ||
                       !strcmp(name, "GoVersion"))
                        ? ""
                        : NULL;
    return field_value(name, argc, v ? tval_str(v) : NULL, out, err);
}

static const struct tval_obj_ops hver_ops = {
    .type_name = "helmpath.BuildInfo",
    .get = hver_get,
};

struct caps {
    tval *kube, *apis, *helm;
};

static int caps_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                    struct err *err)
{
    const struct caps *c = ctx;
    (void)argv;
    tval *v = !strcmp(name, "KubeVersion") ? c->kube
              : !strcmp(name, "APIVersions") ? c->apis
              : !strcmp(name, "HelmVersion") ? c->helm
                                             : NULL;
    return field_value(name, argc, v ? tval_ref(v) : NULL, out, err);
}

static void caps_free(void *ctx)
{
    struct caps *c = ctx;
    tval_unref(c->kube);
    tval_unref(c->apis);
    tval_unref(c->helm);
    free(c);
}

static const struct tval_obj_ops caps_ops = {
    .type_name = "*chartutil.Capabilities",
    .get = caps_get,
    .free = caps_free,
};

static int parse_kube_version(const char *s, struct kver *k, struct err *err)
{
    struct semver v;
    char tmp[3 * SEMVER_PART_MAX + 64];
    if (semver_parse(&v, s, NULL) < 0)
        return err_set(err, E_INVALID, "invalid kube version '%s'", s);
    semver_format(&v, tmp, sizeof tmp);
    snprintf(k->version, sizeof k->version, "v%s", tmp);
    snprintf(k->major, sizeof k->major, "%lld", (long long)v.major);
    snprintf(k->minor, sizeof k->minor, "%lld", (long long)v.minor);
    return 0;
}

static void apis_add(struct apis *a, size_t *cap, const char *s)
{
    XGROW(a->v, *cap, a->n + 1);
    a->v[a->n++] = xstrdup(s);
}

static int caps_new(tval **out, const struct render_opts *o, struct kver *kv, struct err *err)
{
    struct kver *k = xmalloc(sizeof *k);
    int rc = parse_kube_version(o->kube_version ? o->kube_version : DEFAULT_KUBE_VERSION, k, err);
    if (rc < 0) {
        free(k);
        return rc;
    }
    *kv = *k;
    struct apis *a = xcalloc(1, sizeof *a);
    size_t cap = 0;
    if (!o->no_default_apis)
        for (size_t i = 0; i < sizeof default_apis / sizeof default_apis[0]; i++)
            apis_add(a, &cap, default_apis[i]);
    for (size_t i = 0; i < o->napi_versions; i++)
        apis_add(a, &cap, o->api_versions[i]);
    struct caps *c = xmalloc(sizeof *c);
    c->kube = tval_object(&kver_ops, k);
    c->apis = tval_object(&apis_ops, a);
    c->helm = tval_object(&hver_ops, NULL);
    *out = tval_object(&caps_ops, c);
    return 0;
}

/* ==== .Chart ===================================================================== */

static const struct {
    const char *field, *key;
    int kind; /* 0 string, 1 []string, 2 map, 3 list of maps, 4 bool */
} chart_fields[] = {
    {"Name", "name", 0}, {"Home", "home", 0}, {"Sources", "sources", 1},
    {"Version", "version", 0}, {"Description", "description", 0}, {"Keywords", "keywords", 1},
    {"Maintainers", "maintainers", 3}, {"Icon", "icon", 0}, {"APIVersion", "apiVersion", 0},
    {"Condition", "condition", 0}, {"Tags", "tags", 0}, {"AppVersion", "appVersion", 0},
    {"Deprecated", "deprecated", 4}, {"Annotations", "annotations", 2},
    {"KubeVersion", "kubeVersion", 0}, {"Dependencies", "dependencies", 3},
    {"Type", "type", 0},
};

static int chart_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                     struct err *err)
{
    const struct chart *c = ctx;
    char tmp[64];
    (void)argv;
    if (!strcmp(name, "IsRoot")) {
        if (no_args(name, argc, err) < 0)
            return E_INVALID;
        *out = tval_bool(c->parent == NULL);
        return 0;
    }
    for (size_t i = 0; i < sizeof chart_fields / sizeof chart_fields[0]; i++) {
        if (strcmp(chart_fields[i].field, name))
            continue;
        if (no_args(name, argc, err) < 0)
            return E_INVALID;
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->meta, chart_fields[i].key);
        switch (chart_fields[i].kind) {
        case 0:
            *out = tval_str(chart_meta_str(c, chart_fields[i].key, tmp, sizeof tmp));
            break;
        case 1:
        case 3:
            *out = cJSON_IsArray(j) ? tval_from_json(j, TVAL_JSON_INTS) : tval_list();
            break;
        case 2:
            *out = cJSON_IsObject(j) ? tval_from_json(j, TVAL_JSON_INTS) : tval_map();
            break;
        default:
            *out = tval_bool(cJSON_IsTrue(j));
        }
        return 0;
    }
    return TVAL_NOFIELD;
}

static void chart_print(void *ctx, struct buf *out)
{
    const struct chart *c = ctx;
    buf_addf(out, "{%s}", c->name);
}

static const struct tval_obj_ops chart_ops = {
    .type_name = "chart.Metadata",
    .get = chart_get,
    .print = chart_print,
};

/* ==== .Files ======================================================================= */

struct files {
    const struct chart_file **f;
    size_t n;
};

static tval *files_new(const struct chart_file *const *f, size_t n);

static int glob_match(const char *p, const char *s, int depth);

/* "*" or "**" at p: the rest of the pattern after any run of s ("*" does
 * not cross '/'). */
static int glob_star(const char *p, const char *s, int depth)
{
    int any = p[1] == '*';
    p += any ? 2 : 1;
    for (const char *t = s;; t++) {
        if (glob_match(p, t, depth + 1))
            return 1;
        if (!*t || (!any && *t == '/'))
            return 0;
    }
}

/* "{a,b}rest" at p: one of the alternatives, then rest. */
static int glob_alts(const char *p, const char *s, int depth)
{
    const char *end = strchr(p, '}');
    if (!end)
        return 0;
    for (const char *a = p + 1; a <= end;) {
        size_t n = strcspn(a, ",}");
        char *alt = xasprintf("%.*s%s", (int)n, a, end + 1);
        int m = glob_match(alt, s, depth + 1);
        free(alt);
        if (m)
            return 1;
        a += n + 1;
    }
    return 0;
}

/* "[..]" or "[!..]" at *pp: 1 when c is in the class; *pp moves to its ']'. */
static int glob_class(const char **pp, char c)
{
    const char *q = *pp + 1;
    int neg = *q == '!', hit = 0;
    if (neg)
        q++;
    for (; *q && *q != ']'; q++) {
        if (q[1] == '-' && q[2] && q[2] != ']') {
            hit |= c >= q[0] && c <= q[2];
            q += 2;
        } else {
            hit |= c == *q;
        }
    }
    if (!*q || hit == neg)
        return 0;
    *pp = q;
    return 1;
}

/* gobwas/glob with '/' as separator: * ? [..] [!..] {a,b} and **. */
static int glob_match(const char *p, const char *s, int depth)
{
    if (depth > 64)
        return 0;
    for (; *p; p++, s++) {
        if (*p == '*')
            return glob_star(p, s, depth);
        if (*p == '{')
            return glob_alts(p, s, depth);
        if (!*s)
            return 0;
        if (*p == '?') {
            if (*s == '/')
                return 0;
        } else if (*p == '[') {
            if (!glob_class(&p, *s))
                return 0;
        } else {
            if (*p == '\\' && p[1])
                p++;
            if (*p != *s)
                return 0;
        }
    }
    return !*s;
}

static const struct chart_file *files_find(const struct files *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->f[i]->name, name))
            return f->f[i];
    return NULL;
}

static tval *files_as_map(const struct files *f, int b64)
{
    tval *m = tval_map();
    for (size_t i = 0; i < f->n; i++) {
        const char *base = strrchr(f->f[i]->name, '/');
        base = base ? base + 1 : f->f[i]->name;
        struct buf b = BUF_INIT;
        if (b64)
            sprig_b64enc(f->f[i]->data, f->f[i]->len, &b);
        else
            buf_add(&b, f->f[i]->data, f->f[i]->len);
        size_t n;
        char *s = buf_detach(&b, &n);
        tval_map_set(m, base, tval_str_take(s, n));
    }
    return m;
}

static tval *files_lines(const struct chart_file *cf)
{
    tval *l = tval_list();
    if (!cf)
        return l;
    size_t n = cf->len;
    if (n && cf->data[n - 1] == '\n')
        n--;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || cf->data[i] == '\n') {
            tval_list_append(l, tval_strn(cf->data + start, i - start));
            start = i + 1;
        }
    }
    return l;
}

static int files_call(const struct files *f, const char *name, const char *arg, tval **out)
{
    if (!strcmp(name, "Get") || !strcmp(name, "GetBytes")) {
        const struct chart_file *cf = files_find(f, arg);
        *out = cf ? tval_strn(cf->data, cf->len) : tval_str("");
    } else if (!strcmp(name, "Lines")) {
        *out = files_lines(files_find(f, arg));
    } else {
        const struct chart_file **sel = xmalloc((f->n + 1) * sizeof *sel);
        size_t k = 0;
        for (size_t i = 0; i < f->n; i++)
            if (glob_match(arg, f->f[i]->name, 0))
                sel[k++] = f->f[i];
        *out = files_new(sel, k);
        free(sel);
    }
    return 0;
}

static int files_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                     struct err *err)
{
    const struct files *f = ctx;
    if (!strcmp(name, "AsConfig") || !strcmp(name, "AsSecrets")) {
        if (want_args(name, argc, 0, err) < 0)
            return E_INVALID;
        tval *m = files_as_map(f, name[2] == 'S');
        struct buf b = BUF_INIT;
        hfuncs_to_yaml(m, &b);
        tval_unref(m);
        size_t n;
        char *s = buf_detach(&b, &n);
        *out = tval_str_take(s, n);
        return 0;
    }
    if (strcmp(name, "Get") && strcmp(name, "GetBytes") && strcmp(name, "Lines") &&
        strcmp(name, "Glob"))
        return TVAL_NOFIELD;
    if (want_args(name, argc, 1, err) < 0)
        return E_INVALID;
    if (tval_kind(argv[0]) != TV_STRING)
        return err_set(err, E_INVALID, "wrong type for value; expected string; got %s",
                       tval_type_name(argv[0]));
    return files_call(f, name, tval_get_str(argv[0]), out);
}

static void files_free(void *ctx)
{
    struct files *f = ctx;
    free(f->f);
    free(f);
}

static const struct tval_obj_ops files_ops = {
    .type_name = "engine.files",
    .get = files_get,
    .free = files_free,
};

static tval *files_new(const struct chart_file *const *f, size_t n)
{
    struct files *fs = xmalloc(sizeof *fs);
    fs->f = xmalloc((n + 1) * sizeof *fs->f);
    memcpy(fs->f, f, n * sizeof *f);
    fs->n = n;
    return tval_object(&files_ops, fs);
}

static tval *chart_files(const struct chart *c)
{
    const struct chart_file **f = xmalloc((c->nfiles + 1) * sizeof *f);
    for (size_t i = 0; i < c->nfiles; i++)
        f[i] = &c->files[i];
    tval *t = files_new(f, c->nfiles);
    free(f);
    return t;
}

/* ==== .Values ======================================================================= */

static tval *values_to_tval(const cJSON *j, int depth)
{
    if (depth > 200)
        return tval_nil();
    if (cJSON_IsObject(j)) {
        tval *m = tval_map();
        for (const cJSON *c = j->child; c; c = c->next)
            tval_map_set(m, c->string, values_to_tval(c, depth + 1));
        return m;
    }
    if (cJSON_IsArray(j)) {
        tval *l = tval_list();
        for (const cJSON *c = j->child; c; c = c->next)
            tval_list_append(l, values_to_tval(c, depth + 1));
        return l;
    }
    if (hvals_is_int(j))
        return tval_int64((int64_t)j->valuedouble);
    return tval_from_json(j, 0);
}

/* ==== collecting templates ========================================================== */

struct tent {
    char *name;        /* "myapp/charts/sub/templates/x.yaml" */
    char *base;        /* "myapp/charts/sub/templates" */
    const struct chart *c;
    size_t idx;        /* f is c->templates[idx] */
    const struct chart_file *f;
    tval *data;        /* the chart's top-level object (shared per chart) */
    char *output;      /* rendered text (NULL for partials) */
};

struct rstate {
    struct tent *t;
    size_t n, cap;
    tval *release, *caps;
    const tcache *tc;  /* parsed templates (NULL: parse every file here) */
    tmpl_unit **own;   /* files parsed by this render (not in tc) */
    size_t nown, capown;
};

static int is_partial(const char *name)
{
    const char *base = strrchr(name, '/');
    return (base ? base[1] : name[0]) == '_';
}

static tval *collect(struct rstate *st, const struct chart *c, tval *vals)
{
    tval *data = tval_map();
    tval *subs = tval_map();
    tval_map_set(data, "Chart", tval_object(&chart_ops, (void *)c));
    tval_map_set(data, "Files", chart_files(c));
    tval_map_set(data, "Release", tval_ref(st->release));
    tval_map_set(data, "Capabilities", tval_ref(st->caps));
    tval_map_set(data, "Values", tval_ref(vals));
    for (size_t i = 0; i < c->ndeps; i++) {
        tval *sv = tval_map_get(vals, c->deps[i]->name);
        tval *own = sv && tval_kind(sv) == TV_MAP ? tval_ref(sv) : tval_map();
        tval_map_set(subs, c->deps[i]->name, collect(st, c->deps[i], own));
        tval_unref(own);
    }
    tval_map_set(data, "Subcharts", subs);
    struct buf path = BUF_INIT;
    chart_path(c, &path);
    for (size_t i = 0; i < c->ntemplates; i++) {
        const char *rel = c->templates[i].name;
        if (c->is_library && !is_partial(rel))
            continue;
        XGROW(st->t, st->cap, st->n + 1);
        struct tent *e = &st->t[st->n++];
        e->name = xasprintf("%s/%s", path.ptr, rel);
        e->base = xasprintf("%s/templates", path.ptr);
        e->c = c;
        e->idx = i;
        e->f = &c->templates[i];
        e->data = tval_ref(data);
        e->output = NULL;
    }
    buf_release(&path);
    return data;
}

static int slash_count(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

/* Helm's parse order: deeper paths first, then reverse lexical order. */
static int parse_order(const void *a, const void *b)
{
    const struct tent *x = a, *y = b;
    int cx = slash_count(x->name), cy = slash_count(y->name);
    if (cx != cy)
        return cy - cx;
    return -strcmp(x->name, y->name);
}

static void rstate_release(struct rstate *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->t[i].name);
        free(st->t[i].base);
        free(st->t[i].output);
        tval_unref(st->t[i].data);
    }
    free(st->t);
    for (size_t i = 0; i < st->nown; i++)
        tmpl_unit_free(st->own[i]);
    free(st->own);
    tval_unref(st->release);
    tval_unref(st->caps);
}

/* ==== executing ======================================================================= */

static void strip_no_value(char *s)
{
    static const char nv[] = "<no value>";
    char *r = strstr(s, nv), *w = r;
    while (r) {
        r += sizeof nv - 1;
        char *next = strstr(r, nv);
        size_t n = next ? (size_t)(next - r) : strlen(r);
        memmove(w, r, n);
        w += n;
        r = next;
    }
    if (w)
        *w = 0;
}

static int exec_error(tmpl_set *set, struct err *err)
{
    const struct tmpl_error *te = tmpl_set_error(set);
    if (te && (!strcmp(te->func, "required") || !strcmp(te->func, "fail")))
        return err_set(err, E_INVALID, "execution error at (%s:%d:%d): %s", te->name, te->line,
                       te->col, te->msg);
    return err ? err->code : E_INVALID;
}

/* The parsed file of e: from the cache, else parsed here (and kept until
 * the render ends). */
static int unit_of(struct rstate *st, const struct tent *e, const tmpl_unit **u,
                   struct err *err)
{
    if (tcache_get(st->tc, e->c, e->idx, e->name, u, err))
        return *u ? 0 : (err ? err->code : E_PARSE);
    tmpl_unit *mine = NULL;
    int rc = tcache_parse(&mine, hfuncs_base(), e->name, e->f, err);
    if (rc < 0)
        return rc;
    XGROW(st->own, st->capown, st->nown + 1);
    st->own[st->nown++] = mine;
    *u = mine;
    return 0;
}

/* Every file into the set, in Helm's parse order (later defines win). */
static int parse_all(tmpl_set *set, struct rstate *st, struct err *err)
{
    for (size_t i = 0; i < st->n; i++) {
        const tmpl_unit *u = NULL;
        int rc = unit_of(st, &st->t[i], &u, err);
        if (rc < 0)
            return rc;
        tmpl_set_add_unit(set, u);
    }
    return 0;
}

static int exec_all(tmpl_set *set, struct rstate *st, struct err *err)
{
    struct buf b = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < st->n && rc == 0; i++) {
        struct tent *e = &st->t[i];
        if (is_partial(e->name))
            continue;
        tval *tm = tval_map();
        tval_map_set(tm, "Name", tval_str(e->name));
        tval_map_set(tm, "BasePath", tval_str(e->base));
        tval_map_set(e->data, "Template", tm);
        buf_reset(&b);
        if (tmpl_set_exec(set, e->name, e->data, &b, err) < 0) {
            rc = exec_error(set, err);
            break;
        }
        size_t n;
        e->output = buf_detach(&b, &n);
        strip_no_value(e->output);
    }
    buf_release(&b);
    return rc;
}

/* ==== manifests ========================================================================= */

struct manifest {
    const char *path;
    char *content;
    char *kind;
    int hook;
    size_t seq;
};

struct mlist {
    struct manifest *m;
    size_t n, cap;
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && is_ws(*s))
        s++, n--;
    while (n && is_ws(s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* SplitManifests: the regex (?:^|\s*\n)---\s* over the trimmed text.
 * Calls add(doc) for every non-empty piece, trimmed. */
static void split_docs(const char *text, void (*add)(void *, char *), void *ctx)
{
    char *t = trim_dup(text, strlen(text));
    size_t n = strlen(t), prev = 0, p = 0;
    for (;;) {
        size_t r = p, start = n;
        int found = 0;
        for (; r + 3 <= n && !found; r++) {
            if (t[r] != '-' || t[r + 1] != '-' || t[r + 2] != '-')
                continue;
            if (r == 0 && p == 0) {
                start = 0;
                found = 1;
            } else if (r > p && t[r - 1] == '\n') {
                start = r - 1;
                while (start > p && is_ws(t[start - 1]))
                    start--;
                found = 1;
            }
        }
        if (start > prev)
            add(ctx, trim_dup(t + prev, start - prev));
        if (!found)
            break;
        size_t e = r - 1 + 3; /* r was advanced once past the match */
        while (e < n && is_ws(t[e]))
            e++;
        prev = p = e;
    }
    free(t);
}

struct split_ctx {
    struct mlist *ml;
    const char *path;
};

static void add_doc(void *ctx, char *doc)
{
    struct split_ctx *sc = ctx;
    XGROW(sc->ml->m, sc->ml->cap, sc->ml->n + 1);
    struct manifest *m = &sc->ml->m[sc->ml->n];
    memset(m, 0, sizeof *m);
    m->path = sc->path;
    m->content = doc;
    m->seq = sc->ml->n++;
}

static const char *const hook_events[] = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
    "pre-rollback", "post-rollback", "test", "test-success",
};

/* 1 hook, -1 unknown hook type (dropped): every comma-separated entry,
 * trimmed and lowercased, must be a known event ("" is not). */
static int hook_kind(const char *v)
{
    for (;;) {
        size_t n = strcspn(v, ",");
        const char *p = v, *e = v + n;
        while (p < e && is_ws(*p))
            p++;
        while (e > p && is_ws(e[-1]))
            e--;
        size_t len = (size_t)(e - p);
        int ok = 0;
        for (size_t i = 0; i < sizeof hook_events / sizeof hook_events[0] && !ok; i++)
            ok = strlen(hook_events[i]) == len && !strncasecmp(hook_events[i], p, len);
        if (!ok)
            return -1;
        if (!v[n])
            return 1;
        v += n + 1;
    }
}

/* Read kind and hook annotation of one document (SimpleHead). */
static int classify_doc(struct manifest *m, struct err *err)
{
    struct mhead h = MHEAD_INIT;
    int rc = mhead_read(&h, m->content, strlen(m->content), m->path, err);
    if (rc < 0)
        return rc;
    m->kind = h.kind;
    h.kind = NULL;
    if (h.hook)
        m->hook = hook_kind(h.hook);
    mhead_release(&h);
    return 0;
}

static int kind_less(const struct manifest *a, const struct manifest *b)
{
    int ra = render_kind_rank(a->kind), rb = render_kind_rank(b->kind);
    if (ra < 0 && rb < 0)
        return strcmp(a->kind, b->kind) < 0;
    if (ra < 0)
        return 0;
    if (rb < 0)
        return 1;
    return ra < rb;
}

static int manifest_cmp(const void *x, const void *y)
{
    const struct manifest *a = x, *b = y;
    if (kind_less(a, b))
        return -1;
    if (kind_less(b, a))
        return 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq; /* stable */
}

static int tent_path_cmp(const void *x, const void *y)
{
    const struct tent *a = *(const struct tent *const *)x, *b = *(const struct tent *const *)y;
    return strcmp(a->name, b->name);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int only_ws(const char *s)
{
    for (; *s; s++)
        if (!is_ws(*s))
            return 0;
    return 1;
}

/* SortManifests: split every rendered file (in path order) into documents. */
static int sort_manifests(struct rstate *st, struct mlist *ml, struct err *err)
{
    struct tent **order = xmalloc((st->n + 1) * sizeof *order);
    size_t k = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->t[i].output && !ends_with(st->t[i].name, "NOTES.txt"))
            order[k++] = &st->t[i];
    qsort(order, k, sizeof *order, tent_path_cmp);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        if (only_ws(order[i]->output))
            continue;
        size_t first = ml->n;
        struct split_ctx sc = {ml, order[i]->name};
        split_docs(order[i]->output, add_doc, &sc);
        for (size_t j = first; j < ml->n && rc == 0; j++)
            rc = classify_doc(&ml->m[j], err);
    }
    free(order);
    if (rc == 0)
        qsort(ml->m, ml->n, sizeof *ml->m, manifest_cmp);
    return rc;
}

static void mlist_release(struct mlist *ml)
{
    for (size_t i = 0; i < ml->n; i++) {
        free(ml->m[i].content);
        free(ml->m[i].kind);
    }
    free(ml->m);
}

static int has_manifest_ext(const char *name)
{
    return ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json");
}

/* --include-crds: crds/ files of the chart, then of its dependencies. */
static void print_crds(const struct chart *c, struct buf *out)
{
    struct buf path = BUF_INIT;
    chart_path(c, &path);
    for (size_t i = 0; i < c->nfiles; i++) {
        const struct chart_file *f = &c->files[i];
        if (strncmp(f->name, "crds/", 5) || !has_manifest_ext(f->name))
            continue;
        buf_addf(out, "---\n# Source: %s/%s\n", path.ptr, f->name);
        buf_add(out, f->data, f->len);
        buf_putc(out, '\n');
    }
    buf_release(&path);
    for (size_t i = 0; i < c->ndeps; i++)
        print_crds(c->deps[i], out);
}

/* "---\n# Source: PATH\nDOC\n" (no printf: documents are long). */
static void print_doc(const struct manifest *m, struct buf *out)
{
    buf_puts(out, "---\n# Source: ");
    buf_puts(out, m->path);
    buf_putc(out, '\n');
    buf_puts(out, m->content);
    buf_putc(out, '\n');
}

static void print_all(const struct chart *root, const struct mlist *ml, int crds, struct buf *out)
{
    struct buf man = BUF_INIT;
    if (crds)
        print_crds(root, &man);
    for (size_t i = 0; i < ml->n; i++)
        if (ml->m[i].hook == 0)
            print_doc(&ml->m[i], &man);
    size_t n = man.len, skip = 0;
    while (skip < n && is_ws(man.ptr[skip]))
        skip++;
    while (n > skip && is_ws(man.ptr[n - 1]))
        n--;
    buf_add(out, man.ptr + skip, n - skip);
    buf_putc(out, '\n');
    buf_release(&man);
    for (size_t i = 0; i < ml->n; i++)
        if (ml->m[i].hook == 1)
            print_doc(&ml->m[i], out);
}

struct show_ctx {
    char **docs;
    size_t n, cap;
};

static void add_show(void *ctx, char *doc)
{
    struct show_ctx *sc = ctx;
    XGROW(sc->docs, sc->cap, sc->n + 1);
    sc->docs[sc->n++] = doc;
}

/* The "templates/x.yaml" of a "# Source: chart/templates/x.yaml" line. */
static char *source_of(const char *doc)
{
    const char *p = strstr(doc, "# Source: ");
    if (!p)
        return NULL;
    p += 10;
    const char *slash = p;
    while (*slash && *slash != '/' && *slash != '\n')
        slash++;
    if (*slash != '/' || slash == p)
        return NULL;
    return xstrndup(slash + 1, strcspn(slash + 1, "\n"));
}

static int show_only(const struct render_opts *o, const char *all, struct buf *out,
                     struct err *err)
{
    struct show_ctx sc = {0};
    split_docs(all, add_show, &sc);
    int rc = 0;
    for (size_t k = 0; k < o->nshow_only && rc == 0; k++) {
        int missing = 1;
        for (size_t i = 0; i < sc.n; i++) {
            char *src = source_of(sc.docs[i]);
            if (src && fnmatch(o->show_only[k], src, FNM_PATHNAME) == 0) {
                buf_addf(out, "---\n%s\n", sc.docs[i]);
                missing = 0;
            }
            free(src);
        }
        if (missing)
            rc = err_set(err, E_NOTFOUND, "could not find template %s in chart", o->show_only[k]);
    }
    for (size_t i = 0; i < sc.n; i++)
        free(sc.docs[i]);
    free(sc.docs);
    return rc;
}

/* ==== the whole thing ====================================================================== */

static tval *release_new(const struct render_opts *o)
{
    tval *r = tval_map();
    tval_map_set(r, "Name", tval_str(o->release_name ? o->release_name : "release-name"));
    tval_map_set(r, "Namespace", tval_str(o->namespace ? o->namespace : "default"));
    tval_map_set(r, "IsUpgrade", tval_bool(o->is_upgrade));
    tval_map_set(r, "IsInstall", tval_bool(!o->is_upgrade));
    tval_map_set(r, "Revision", tval_int(1));
    tval_map_set(r, "Service", tval_str("Helm"));
    return r;
}

static int check_kube_version(const struct chart *c, const struct kver *kv, struct err *err)
{
    char tmp[64];
    const char *want = chart_meta_str(c, "kubeVersion", tmp, sizeof tmp);
    if (!*want)
        return 0;
    int r = semver_match(want, kv->version, NULL);
    if (r != 1)
        return err_set(err, E_INVALID, "chart requires kubeVersion: %s which is incompatible "
                       "with Kubernetes %s", want, kv->version);
    return 0;
}

static int render_stages(const struct chart *root, tmpl_set *set, struct rstate *st,
                         const struct render_opts *o, struct buf *out, struct err *err)
{
    struct mlist ml = {0};
    int rc = parse_all(set, st, err);
    if (rc == 0)
        rc = exec_all(set, st, err);
    if (rc == 0)
        rc = sort_manifests(st, &ml, err);
    if (rc == 0) {
        struct buf all = BUF_INIT;
        print_all(root, &ml, o->include_crds, &all);
        if (o->nshow_only)
            rc = show_only(o, all.ptr, out, err);
        else
            buf_add(out, all.ptr, all.len);
        buf_release(&all);
    }
    mlist_release(&ml);
    return rc;
}

static int render_with(const struct chart *root, const cJSON *values,
                       const struct render_opts *o, const tcache *tc, struct buf *out,
                       struct err *err)
{
    struct rstate st = {0};
    st.tc = tc;
    struct kver kv;
    int rc = caps_new(&st.caps, o, &kv, err);
    if (rc < 0)
        return rc;
    rc = check_kube_version(root, &kv, err);
    if (rc < 0) {
        tval_unref(st.caps);
        return rc;
    }
    st.release = release_new(o);
    tval *vals = values_to_tval(values, 0);
    tval_unref(collect(&st, root, vals));
    tval_unref(vals);
    qsort(st.t, st.n, sizeof *st.t, parse_order);
    tmpl_set *set = tmpl_set_new_shared(hfuncs_base());
    tmpl_set_missingkey(set, TMPL_MISSING_ZERO);
    size_t mark = out->len;
    rc = render_stages(root, set, &st, o, out, err);
    if (rc < 0)
        buf_truncate(out, mark);
    tmpl_set_free(set);
    /* The data maps reference each other only downwards (Subcharts), but
     * set/unset by templates could have built a cycle through .Values; break
     * the common ones by clearing the per-chart maps. */
    for (size_t i = 0; i < st.n; i++)
        tval_map_del(st.t[i].data, "Subcharts");
    rstate_release(&st);
    return rc;
}

int render_chart(const struct chart *root, const cJSON *values, const struct render_opts *o,
                 struct buf *out, struct err *err)
{
    return render_with(root, values, o, NULL, out, err);
}

/* ==== prepared charts ===================================================================== */

struct render_prepared {
    struct chart *chart;
    tcache *tc;
};

render_prepared *render_prepare(struct chart *loaded)
{
    render_prepared *p = xmalloc(sizeof *p);
    p->chart = loaded;
    p->tc = tcache_build(loaded, hfuncs_base());
    return p;
}

void render_prepared_free(render_prepared *p)
{
    if (!p)
        return;
    tcache_free(p->tc);
    chart_free(p->chart);
    free(p);
}

const struct chart *render_prepared_chart(const render_prepared *p)
{
    return p->chart;
}

int render_prepared_run(const render_prepared *p, const cJSON *user, const struct render_opts *o,
                        struct buf *out, struct err *err)
{
    struct chart *c = chart_dup(p->chart);
    cJSON *vals = NULL;
    int rc = chart_resolve(c, user, &vals, err);
    if (rc == 0)
        rc = render_with(c, vals, o, p->tc, out, err);
    cJSON_Delete(vals);
    chart_free(c);
    return rc;
}
