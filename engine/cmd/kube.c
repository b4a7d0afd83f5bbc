/* kube.c -- `gitops kube`: a small kubectl made of the engine's own client,
 * for debugging what the engine sees (get, apply, delete, watch) and for the
 * benchmark (the hidden `bench` verb used by bench/kube.sh).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/ydoc.h"
#include "kube/kapply.h"
#include "kube/kclient.h"
#include "kube/kconfig.h"
#include "kube/kprint.h"

#define KUBE_MAX_MANIFEST ((size_t)64 << 20)

struct kopts {
    const char *kubeconfig, *context, *server, *ns, *selector, *fields, *output, *file;
    int all_ns, help;
    long limit, count, seconds;
    const char *pos[4];
    int npos;
};

struct kenv {
    kconfig *cfg;
    http_client *http;
    kube_client *kc;
    gclock *clk;
};

/* ---- usage ---------------------------------------------------------------------------------- */

static const char *KUBE_USAGE =
    "usage: gitops kube [--kubeconfig FILE] [--context NAME] [--server URL] VERB ...\n"
    "\n"
    "Talk to the Kubernetes API with the engine's own client (to see what the\n"
    "engine sees).  Configuration as kubectl: --kubeconfig, $KUBECONFIG,\n"
    "~/.kube/config, or the in-cluster service account.\n"
    "\n"
    "Verbs:\n"
    "  get RESOURCE [NAME] [-n NS | -A] [-l SELECTOR] [--field-selector F]\n"
    "                     [-o json|yaml|name]     list or show objects\n"
    "  apply -f FILE      create or update the objects of a (multi-document)\n"
    "                     YAML file, '-' for stdin; prints KIND/NAME created|\n"
    "                     configured|unchanged\n"
    "  delete RESOURCE NAME [-n NS]\n"
    "  watch RESOURCE [-n NS | -A] [-l SELECTOR] [--timeout SECONDS]\n"
    "                     print the objects, then every change\n"
    "\n"
    "RESOURCE is a plural, singular, kind or short name (pods, pod, Pod, po,\n"
    "deployments.apps, canaries.flagger.app).\n"
    "Exit status: 0 success, 1 API or transport failure, 2 bad usage.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gitops kube: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'gitops kube --help' for usage.\n");
    va_end(ap);
    return 2;
}

/* ---- options -------------------------------------------------------------------------------- */

struct kflag {
    const char *lng, *shrt;
    size_t off; /* into struct kopts: const char * or long */
    int is_long;
};

#define KF(l, s, f)                                                                                \
    {                                                                                              \
        l, s, offsetof(struct kopts, f), 0                                                         \
    }
#define KL(l, s, f)                                                                                \
    {                                                                                              \
        l, s, offsetof(struct kopts, f), 1                                                         \
    }
static const struct kflag KFLAGS[] = {
    KF("--kubeconfig", NULL, kubeconfig),
    KF("--context", NULL, context),
    KF("--server", "-s", server),
    KF("--namespace", "-n", ns),
    KF("--selector", "-l", selector),
    KF("--field-selector", NULL, fields),
    KF("--output", "-o", output),
    KF("--filename", "-f", file),
    KL("--limit", NULL, limit),
    KL("--count", NULL, count),
    KL("--timeout", NULL, seconds),
    KL("--seconds", NULL, seconds),
    {NULL, NULL, 0, 0},
};

/* Match argv[*i] against a flag taking a value ("--x V", "--x=V", "-n V"). */
static int take_flag(struct kopts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    for (const struct kflag *f = KFLAGS; f->lng; f++) {
        size_t ll = strlen(f->lng);
        const char *v = NULL;
        if (!strncmp(a, f->lng, ll) && a[ll] == '=')
            v = a + ll + 1;
        else if (!strcmp(a, f->lng) || (f->shrt && !strcmp(a, f->shrt)))
            v = *i + 1 < argc ? argv[++*i] : NULL;
        else
            continue;
        if (!v)
            return usage_error("flag '%s' needs a value", a);
        char *slot = (char *)o + f->off;
        if (!f->is_long) {
            *(const char **)slot = v;
            return 0;
        }
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (!*v || *end || n < 0)
            return usage_error("'%s' is not a number", v);
        *(long *)slot = n;
        return 0;
    }
    return 1;
}

static int parse_opts(struct kopts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (!strcmp(a, "-A") || !strcmp(a, "--all-namespaces")) {
            o->all_ns = 1;
            continue;
        }
        int rc = take_flag(o, argc, argv, &i);
        if (rc == 2)
            return 2;
        if (rc == 0)
            continue;
        if (a[0] == '-' && a[1])
            return usage_error("unknown flag '%s'", a);
        if (o->npos == 4)
            return usage_error("too many arguments at '%s'", a);
        o->pos[o->npos++] = a;
    }
    return 0;
}

/* ---- setup ---------------------------------------------------------------------------------- */

static void kenv_release(struct kenv *e)
{
    kube_client_free(e->kc);
    http_client_free(e->http);
    kconfig_free(e->cfg);
    clock_free(e->clk);
}

static int kenv_open(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    memset(e, 0, sizeof(*e));
    e->clk = clock_new_real();
    if (o->server) {
        e->cfg = kconfig_new_server(o->server, getenv("GITOPS_KUBE_TOKEN"));
    } else {
        struct kconfig_opts ko = KCONFIG_OPTS_INIT;
        ko.path = o->kubeconfig;
        ko.context = o->context;
        ko.clock = e->clk;
        if (kconfig_load(&e->cfg, &ko, &err) < 0) {
            fprintf(stderr, "gitops kube: %s\n", err.msg);
            clock_free(e->clk);
            return 1;
        }
    }
    e->http = http_client_new_curl();
    kube_client_new(&e->kc, e->http, e->cfg, NULL);
    kube_client_set_clock(e->kc, e->clk);
    return 0;
}

/* The Status reason kubectl shows for an error code. */
static const char *api_reason(int code)
{
    switch (code) {
    case E_NOTFOUND:
        return "NotFound";
    case E_EXISTS:
        return "AlreadyExists";
    case E_CONFLICT:
        return "Conflict";
    case E_INVALID:
        return "Invalid";
    case E_FORBIDDEN:
        return "Forbidden";
    case E_UNAUTHORIZED:
        return "Unauthorized";
    case E_GONE:
        return "Expired";
    case E_UNAVAILABLE:
        return "ServiceUnavailable";
    case E_TOOBIG:
        return "RequestEntityTooLarge";
    default:
        return NULL;
    }
}

/* Like kubectl: "Error from server (NotFound): ..." for API answers, plain
 * "error: ..." for the rest (configuration, transport, bad input). */
static int api_fail(const struct err *err)
{
    const char *reason = api_reason(err->code);
    if (reason)
        fprintf(stderr, "Error from server (%s): %s\n", reason, err->msg);
    else
        fprintf(stderr, "error: %s\n", err->msg);
    return 1;
}

static const char *ns_of(const struct kopts *o)
{
    return o->all_ns ? KUBE_ALL_NAMESPACES : o->ns;
}

/* "deployment.apps" / "pod" for messages, like kubectl. */
static void kind_label(const struct kube_resource *r, const char *kind, struct buf *out)
{
    for (const char *k = kind; *k; k++)
        buf_putc(out, (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k));
    if (r && *r->group)
        buf_addf(out, ".%s", r->group);
}

/* ---- get ------------------------------------------------------------------------------------ */

static int fetch_items(struct kenv *e, const struct kopts *o, const struct kube_ref *ref,
                       cJSON **items, struct err *err);

/* kubectl's "No resources found in NS namespace." (stderr, exit 0). */
static void no_resources(const struct kopts *o, const struct kube_resource *r, struct kenv *e)
{
    if (o->all_ns || !r->namespaced)
        fprintf(stderr, "No resources found\n");
    else
        fprintf(stderr, "No resources found in %s namespace.\n",
                o->ns ? o->ns : kube_client_namespace(e->kc));
}

/* The human-readable view: the server's Table, as kubectl asks for it; a
 * server that has none gets NAME and AGE from the objects. */
static int print_human(const struct kopts *o, const struct kube_resource *r,
                       const struct kube_ref *ref, struct kenv *e)
{
    struct err err = ERR_INIT;
    struct kprint_opts po = {.wide = o->output && !strcmp(o->output, "wide"),
                             .all_namespaces = o->all_ns && r->namespaced && !ref->name};
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct buf b = BUF_INIT;
    cJSON *table = NULL, *items = NULL;
    lo.label_selector = o->selector;
    lo.field_selector = o->fields;
    lo.limit = o->limit > 0 ? o->limit : 500;
    int n = 0, rc = kube_table(e->kc, ref, &lo, &table, &err);
    if (rc == E_INVALID)
        rc = fetch_items(e, o, ref, &items, &err);
    if (rc == 0)
        n = table ? kprint_table(table, &po, &b) : kprint_objects(items, clock_now_ms(e->clk),
                                                                   &po, &b);
    fwrite(b.ptr, 1, b.len, stdout);
    if (rc == 0 && !n)
        no_resources(o, r, e);
    buf_release(&b);
    cJSON_Delete(table);
    cJSON_Delete(items);
    return rc < 0 ? api_fail(&err) : 0;
}

static int print_output(const struct kopts *o, const struct kube_resource *r, cJSON *items,
                        int single)
{
    const char *fmt = o->output ? o->output : "";
    struct buf b = BUF_INIT;
    cJSON *doc = single ? cJSON_GetArrayItem(items, 0) : NULL, *list = NULL;
    if (!doc) {
        list = cJSON_CreateObject();
        cJSON_AddStringToObject(list, "apiVersion", "v1");
        cJSON_AddStringToObject(list, "kind", "List");
        cJSON_AddItemReferenceToObject(list, "items", items);
        doc = list;
    }
    if (!strcmp(fmt, "json")) {
        json_print(doc, 1, &b);
        buf_putc(&b, '\n');
    } else if (!strcmp(fmt, "yaml")) {
        ydoc_emit(doc, 0, &b);
    } else {
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            kind_label(r, r->kind, &b);
            buf_addf(&b, "/%s\n", json_get_str(it, "metadata.name", ""));
        }
    }
    fwrite(b.ptr, 1, b.len, stdout);
    buf_release(&b);
    cJSON_Delete(list);
    return 0;
}

/* The objects ref names (one, or the list): *items, an array. */
static int fetch_items(struct kenv *e, const struct kopts *o, const struct kube_ref *ref,
                       cJSON **items, struct err *err)
{
    int rc;
    if (ref->name) {
        cJSON *obj = NULL;
        rc = kube_get(e->kc, ref, &obj, err);
        *items = cJSON_CreateArray();
        if (rc == 0)
            cJSON_AddItemToArray(*items, obj);
        return rc;
    }
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.label_selector = o->selector;
    lo.field_selector = o->fields;
    lo.limit = o->limit > 0 ? o->limit : 500;
    rc = kube_list(e->kc, ref, &lo, &l, err);
    *items = l.items;
    l.items = NULL;
    kube_list_release(&l);
    return rc;
}

static int kube_get_cmd(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    const struct kube_resource *r = NULL;
    if (o->npos < 2 || o->npos > 3)
        return usage_error("%s", "usage: get RESOURCE [NAME] [-n NS | -A] [-l SEL] [-o FMT]");
    const char *fmts[] = {"", "wide", "json", "yaml", "name"};
    int known = 0;
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
        known |= !strcmp(o->output ? o->output : "", fmts[i]);
    if (!known)
        return usage_error("unknown output format '%s' (json, yaml, name, wide)", o->output);
    if (kube_resource_lookup(e->kc, o->pos[1], &r, &err) < 0)
        return api_fail(&err);
    char av[128];
    kube_resource_api_version(r, av);
    struct kube_ref ref = {av, r->kind, ns_of(o), o->npos == 3 ? o->pos[2] : NULL};
    if (ref.name && o->all_ns)
        ref.ns = NULL;
    if (!o->output || !strcmp(o->output, "wide"))
        return print_human(o, r, &ref, e);
    cJSON *items = NULL;
    int rc = fetch_items(e, o, &ref, &items, &err);
    if (rc == 0)
        rc = print_output(o, r, items, ref.name != NULL);
    else
        rc = api_fail(&err);
    cJSON_Delete(items);
    return rc;
}

/* ---- apply / delete ------------------------------------------------------------------------- */

static int read_input(const char *file, struct buf *b, struct err *err)
{
    FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!f)
        return err_set(err, E_IO, "cannot open '%s': %s", file, strerror(errno));
    buf_init(b, KUBE_MAX_MANIFEST);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        buf_add(b, tmp, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad || b->toobig) {
        buf_release(b);
        return err_set(err, bad ? E_IO : E_TOOBIG, "cannot read '%s'", file);
    }
    return 0;
}

static int apply_one(struct kenv *e, const cJSON *doc)
{
    struct err err = ERR_INIT;
    enum kapply_result res;
    const char *kind = json_get_str(doc, "kind", "");
    const char *name = json_get_str(doc, "metadata.name", "");
    const struct kube_resource *r = NULL;
    kube_resource_for(e->kc, json_get_str(doc, "apiVersion", ""), kind, &r, NULL);
    struct buf label = BUF_INIT;
    kind_label(r, kind, &label);
    int rc = kapply_apply(e->kc, doc, &res, NULL, &err);
    if (rc == 0)
        printf("%s/%s %s\n", label.ptr, name, kapply_result_name(res));
    else
        fprintf(stderr, "error: %s/%s: %s\n", label.ptr, name, err.msg);
    buf_release(&label);
    return rc < 0;
}

static int apply_docs(struct kenv *e, const cJSON *docs)
{
    int failed = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, docs)
    {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(d, "items");
        const char *kind = json_get_str(d, "kind", "");
        size_t kl = strlen(kind);
        if (cJSON_IsArray(items) && kl >= 4 && !strcmp(kind + kl - 4, "List"))
            failed += apply_docs(e, items);
        else
            failed += apply_one(e, d);
    }
    return failed;
}

static int kube_apply_cmd(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    struct buf text;
    cJSON *docs = NULL;
    if (!o->file || o->npos != 1)
        return usage_error("%s", "usage: apply -f FILE");
    if (read_input(o->file, &text, &err) < 0) {
        fprintf(stderr, "gitops kube: %s\n", err.msg);
        return 1;
    }
    int rc = ydoc_parse_all(&docs, text.ptr, text.len, o->file, &err);
    buf_release(&text);
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    rc = apply_docs(e, docs) ? 1 : 0;
    cJSON_Delete(docs);
    return rc;
}

static int kube_delete_cmd(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    const struct kube_resource *r = NULL;
    if (o->npos != 3)
        return usage_error("%s", "usage: delete RESOURCE NAME [-n NS]");
    if (kube_resource_lookup(e->kc, o->pos[1], &r, &err) < 0)
        return api_fail(&err);
    char av[128];
    kube_resource_api_version(r, av);
    struct kube_ref ref = {av, r->kind, o->ns, o->pos[2]};
    if (kube_delete(e->kc, &ref, "Background", &err) < 0)
        return api_fail(&err);
    struct buf label = BUF_INIT;
    kind_label(r, r->kind, &label);
    printf("%s \"%s\" deleted\n", label.ptr, o->pos[2]); /* deployment.apps "web" deleted */
    buf_release(&label);
    return 0;
}

/* ---- watch ---------------------------------------------------------------------------------- */

struct wprint {
    gclock *clk;
    int64_t until; /* mono ms; 0 = forever */
    long events;
    int quiet;
};

static int print_event(void *ctx, const char *type, const cJSON *obj)
{
    struct wprint *w = ctx;
    if (obj) {
        w->events++;
        if (!w->quiet) {
            const char *ns = json_get_str(obj, "metadata.namespace", "");
            printf("%-9s %s%s%s %s\n", !strcmp(type, "SYNC") ? "ADDED" : type, ns, *ns ? "/" : "",
                   json_get_str(obj, "metadata.name", ""),
                   json_get_str(obj, "metadata.resourceVersion", ""));
            fflush(stdout);
        }
    }
    return w->until && clock_mono_ms(w->clk) >= w->until;
}

static int kube_watch_cmd(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    const struct kube_resource *r = NULL;
    if (o->npos != 2)
        return usage_error("%s", "usage: watch RESOURCE [-n NS | -A] [--timeout SECONDS]");
    if (kube_resource_lookup(e->kc, o->pos[1], &r, &err) < 0)
        return api_fail(&err);
    char av[128];
    kube_resource_api_version(r, av);
    struct kube_ref ref = {av, r->kind, ns_of(o), NULL};
    struct kube_watch_opts wo = KUBE_WATCH_OPTS_INIT;
    struct wprint w = {.clk = e->clk};
    wo.label_selector = o->selector;
    wo.field_selector = o->fields;
    wo.list_events = 1;
    if (o->seconds > 0) {
        w.until = clock_mono_ms(e->clk) + o->seconds * 1000;
        wo.timeout_seconds = (int)(o->seconds < 300 ? o->seconds : 300);
        wo.max_watches = 1;
    }
    if (kube_watch(e->kc, &ref, &wo, print_event, &w, &err) < 0)
        return api_fail(&err);
    return 0;
}

/* ---- bench (hidden; bench/kube.sh) ---------------------------------------------------------- */

static double secs_since(gclock *clk, int64_t t0)
{
    return (double)(clock_mono_ms(clk) - t0) / 1000.0;
}

/* Peak resident set of this process (VmHWM), in KiB; -1 if unknown. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static int bench_list(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    struct kube_ref ref = {"v1", "Pod", ns_of(o), NULL};
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.limit = o->limit > 0 ? o->limit : 500;
    int64_t t0 = clock_mono_ms(e->clk);
    if (kube_list(e->kc, &ref, &lo, &l, &err) < 0)
        return api_fail(&err);
    double s = secs_since(e->clk, t0);
    printf("list_items=%d pages=%d seconds=%.3f client_peak_rss_kb=%ld\n",
           cJSON_GetArraySize(l.items), l.pages, s, peak_rss_kb());
    kube_list_release(&l);
    return 0;
}

static int bench_get(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    if (o->npos != 4)
        return usage_error("%s", "usage: bench get RESOURCE NAME -n NS --count N");
    const struct kube_resource *r = NULL;
    if (kube_resource_lookup(e->kc, o->pos[2], &r, &err) < 0)
        return api_fail(&err);
    char av[128];
    kube_resource_api_version(r, av);
    struct kube_ref ref = {av, r->kind, o->ns, o->pos[3]};
    long n = o->count > 0 ? o->count : 1000;
    int64_t t0 = clock_mono_ms(e->clk);
    for (long i = 0; i < n; i++) {
        cJSON *obj = NULL;
        if (kube_get(e->kc, &ref, &obj, &err) < 0)
            return api_fail(&err);
        cJSON_Delete(obj);
    }
    double s = secs_since(e->clk, t0);
    printf("get_count=%ld seconds=%.3f per_second=%.0f\n", n, s, s > 0 ? (double)n / s : 0.0);
    return 0;
}

static int bench_watch(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    struct kube_ref ref = {"v1", "Pod", ns_of(o), NULL};
    struct kube_watch_opts wo = KUBE_WATCH_OPTS_INIT;
    long secs = o->seconds > 0 ? o->seconds : 5;
    struct wprint w = {.clk = e->clk, .quiet = 1};
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.limit = 1;
    lo.one_page = 1;
    if (kube_list(e->kc, &ref, &lo, &l, &err) < 0)
        return api_fail(&err);
    wo.timeout_seconds = (int)secs;
    wo.max_watches = 1;
    wo.resource_version = l.resource_version;
    int64_t t0 = clock_mono_ms(e->clk);
    w.until = t0 + secs * 1000;
    int rc = kube_watch(e->kc, &ref, &wo, print_event, &w, &err);
    kube_list_release(&l);
    if (rc < 0)
        return api_fail(&err);
    double s = secs_since(e->clk, t0);
    printf("watch_events=%ld seconds=%.3f per_second=%.0f\n", w.events, s,
           s > 0 ? (double)w.events / s : 0.0);
    return 0;
}

/* Patch a pod's annotation count times: produces watch events. */
static int bench_churn(struct kenv *e, const struct kopts *o)
{
    struct err err = ERR_INIT;
    if (o->npos != 3)
        return usage_error("%s", "usage: bench churn POD -n NS --count N");
    struct kube_ref ref = {"v1", "Pod", o->ns, o->pos[2]};
    long n = o->count > 0 ? o->count : 1000;
    int64_t t0 = clock_mono_ms(e->clk);
    for (long i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();
        char v[32];
        snprintf(v, sizeof(v), "%ld", i);
        json_set_str(p, "metadata.annotations.bench", v, NULL);
        int rc = kube_patch(e->kc, &ref, KUBE_PATCH_MERGE, p, NULL, &err);
        cJSON_Delete(p);
        if (rc < 0)
            return api_fail(&err);
    }
    double s = secs_since(e->clk, t0);
    printf("patch_count=%ld seconds=%.3f per_second=%.0f\n", n, s, s > 0 ? (double)n / s : 0.0);
    return 0;
}

static int kube_bench_cmd(struct kenv *e, const struct kopts *o)
{
    const char *what = o->npos >= 2 ? o->pos[1] : "";
    if (!strcmp(what, "list"))
        return bench_list(e, o);
    if (!strcmp(what, "get"))
        return bench_get(e, o);
    if (!strcmp(what, "watch"))
        return bench_watch(e, o);
    if (!strcmp(what, "churn"))
        return bench_churn(e, o);
    return usage_error("%s", "usage: bench list|get|watch|churn ...");
}

/* ---- entry ---------------------------------------------------------------------------------- */

int cmd_kube(int argc, char **argv)
{
    struct kopts o = {0};
    if (parse_opts(&o, argc, argv))
        return 2;
    if (o.help || o.npos == 0) {
        fputs(KUBE_USAGE, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    static const struct {
        const char *verb;
        int (*fn)(struct kenv *, const struct kopts *);
        int min, max; /* positional arguments, the verb included */
        const char *use;
    } verbs[] = {{"get", kube_get_cmd, 2, 3, "get RESOURCE [NAME] [-n NS | -A] [-l SEL] [-o FMT]"},
                 {"apply", kube_apply_cmd, 1, 1, "apply -f FILE"},
                 {"delete", kube_delete_cmd, 3, 3, "delete RESOURCE NAME [-n NS]"},
                 {"watch", kube_watch_cmd, 2, 2, "watch RESOURCE [-n NS | -A] [--timeout SECONDS]"},
                 {"bench", kube_bench_cmd, 2, 4, "bench list|get|watch|churn ..."},
                 {NULL, NULL, 0, 0, NULL}};
    for (int i = 0; verbs[i].verb; i++) {
        if (strcmp(verbs[i].verb, o.pos[0]))
            continue;
        if (o.npos < verbs[i].min || o.npos > verbs[i].max ||
            (verbs[i].fn == kube_apply_cmd && !o.file))
            return usage_error("usage: gitops kube %s", verbs[i].use);
        struct kenv e;
        if (kenv_open(&e, &o))
            return 1;
        int rc = verbs[i].fn(&e, &o);
        kenv_release(&e);
        return rc;
    }
    return usage_error("unknown verb '%s'", o.pos[0]);
}
