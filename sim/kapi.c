/* kapi.c -- the API server's entry point: lifecycle, fault injection,
 * routing, discovery, /version, OpenAPI, and the response helpers.  The verbs
 * on resources live in kapi_verbs.c.
 */
#include "kapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/ydoc.h"
#include "kapi_int.h"
#include "kconv.h"
#include "kcrds.h"
#include "kopenapi.h"
#include "kproto.h"
#include "ktable.h"

#define KAPI_DEFAULT_MAX_BODY ((size_t)3 << 20)

/* ---- lifecycle ------------------------------------------------------------------------ */

static void on_crd_event(void *ctx, const struct kstore_event *ev)
{
    kapi *api = ctx;
    if (strcmp(ev->group, "apiextensions.k8s.io") || strcmp(ev->resource,
                                                            "customresourcedefinitions"))
        return;
    if (ev->type == KSTORE_DELETED)
        kres_remove_crd(api->reg, ev->name);
    else
        kres_add_crd(api->reg, ev->obj, NULL);
}

static int add_existing_crd(void *ctx, const cJSON *crd)
{
    kres_add_crd(ctx, crd, NULL);
    return 0;
}

static void add_kubernetes_service(kstore *st)
{
    static const char svc[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"kubernetes\","
        "\"namespace\":\"default\",\"labels\":{\"component\":\"apiserver\",\"provider\":"
        "\"kubernetes\"}},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.1\","
        "\"clusterIPs\":[\"10.96.0.1\"],\"ipFamilies\":[\"IPv4\"],\"ipFamilyPolicy\":"
        "\"SingleStack\",\"internalTrafficPolicy\":\"Cluster\",\"sessionAffinity\":\"None\","
        "\"ports\":[{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":6443}]}}";
    if (kstore_peek(st, "", "services", "default", "kubernetes"))
        return;
    cJSON *o = cJSON_Parse(svc);
    kstore_create(st, "", "services", o, 0, NULL, NULL);
    cJSON_Delete(o);
}

kapi *kapi_new(kstore *st, gclock *clk)
{
    kapi *api = xcalloc(1, sizeof(*api));
    api->st = st;
    api->clk = clk;
    api->reg = kres_new();
    api->max_body = KAPI_DEFAULT_MAX_BODY;
    api->bookmark_ms = 60 * 1000;
    api->addr = xstrdup("127.0.0.1:6443");
    api->rng = 1;
    api->next_ip = 10;
    kstore_lock(st);
    kstore_each(st, "apiextensions.k8s.io", "customresourcedefinitions", NULL, add_existing_crd,
                api->reg);
    api->crd_listen = kstore_listen(st, on_crd_event, api);
    kcrds_install(st);
    add_kubernetes_service(st);
    api->hub = kwatch_hub_new(st);
    kstore_unlock(st);
    return api;
}

void kapi_free(kapi *api)
{
    if (!api)
        return;
    kstore_lock(api->st);
    kwatch_hub_free(api->hub);
    kstore_unlisten(api->st, api->crd_listen);
    kstore_unlock(api->st);
    kres_free(api->reg);
    kapi_fault_clear(api);
    free(api->faults);
    free(api->addr);
    free(api);
}

kstore *kapi_store(const kapi *api) { return api->st; }

void kapi_set_max_body(kapi *api, size_t bytes) { api->max_body = bytes; }

void kapi_set_bookmark_interval(kapi *api, int64_t ms)
{
    if (ms > 0)
        api->bookmark_ms = ms;
}

void kapi_set_address(kapi *api, const char *hostport)
{
    free(api->addr);
    api->addr = xstrdup(hostport);
}

/* ---- fault injection --------------------------------------------------------------------- */

int kapi_fault_add(kapi *api, const char *verb, const char *resource, int status,
                   int latency_ms, double probability, struct err *err)
{
    static const char *const verbs[] = {"get", "list", "watch", "create", "update",
                                        "patch", "delete", "*"};
    int ok = 0;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        ok |= verb && !strcmp(verb, verbs[i]);
    if (!ok)
        return err_set(err, E_INVALID, "unknown verb '%s'", verb ? verb : "");
    if (!(probability >= 0 && probability <= 1))
        return err_set(err, E_INVALID, "probability must be within 0..1");
    if (status != 0 && (status < 100 || status > 599))
        return err_set(err, E_INVALID, "bad status %d", status);
    XGROW(api->faults, api->capfaults, api->nfaults + 1);
    struct kfault *f = &api->faults[api->nfaults++];
    snprintf(f->verb, sizeof(f->verb), "%s", verb);
    f->resource = xstrdup(resource && *resource ? resource : "*");
    f->status = status;
    f->latency_ms = latency_ms < 0 ? 0 : latency_ms;
    f->prob = probability;
    return 0;
}

void kapi_fault_clear(kapi *api)
{
    for (size_t i = 0; i < api->nfaults; i++)
        free(api->faults[i].resource);
    api->nfaults = 0;
}

void kapi_fault_seed(kapi *api, uint64_t seed) { api->rng = seed; }

static double fault_rand(kapi *api)
{
    uint64_t z = (api->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static const char *fault_reason(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "InternalError";
    }
}

/* Apply the first matching rule; returns 1 when the request was answered. */
static int fault_apply(struct kreq *r, struct http_response *rs)
{
    kapi *api = r->api;
    char res[160];
    snprintf(res, sizeof(res), "%s%s%s", r->t->resource, r->sub ? "/" : "", r->sub ? r->sub : "");
    for (size_t i = 0; i < api->nfaults; i++) {
        struct kfault *f = &api->faults[i];
        if ((strcmp(f->verb, "*") && strcmp(f->verb, r->verb)) ||
            (strcmp(f->resource, "*") && strcmp(f->resource, res)))
            continue;
        if (fault_rand(api) >= f->prob)
            return 0;
        if (f->latency_ms) {
            kstore_unlock(api->st);
            clock_sleep(api->clk, f->latency_ms);
            kstore_lock(api->st);
        }
        if (!f->status)
            return 0;
        char msg[256];
        snprintf(msg, sizeof(msg), "injected fault: %d for %s %s", f->status, r->verb, res);
        kapi__status(rs, f->status, fault_reason(f->status), msg, NULL, NULL);
        return 1;
    }
    return 0;
}

/* ---- response helpers ------------------------------------------------------------------ */

void kapi__json(struct http_response *rs, int code, const cJSON *o)
{
    buf_reset(&rs->body);
    json_print(o, 0, &rs->body);
    rs->status = code;
    http_headers_set(&rs->headers, "Content-Type", "application/json");
}

void kapi__status(struct http_response *rs, int code, const char *reason, const char *msg,
                  const char *name, const struct kres_type *t)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Status");
    cJSON_AddStringToObject(s, "apiVersion", "v1");
    cJSON_AddObjectToObject(s, "metadata");
    cJSON_AddStringToObject(s, "status", "Failure");
    cJSON_AddStringToObject(s, "message", msg);
    cJSON_AddStringToObject(s, "reason", reason);
    if (name || t) {
        cJSON *d = cJSON_AddObjectToObject(s, "details");
        if (name && *name)
            cJSON_AddStringToObject(d, "name", name);
        if (t && *t->group)
            cJSON_AddStringToObject(d, "group", t->group);
        if (t)
            cJSON_AddStringToObject(d, "kind", code == 422 ? t->kind : t->resource);
        const char *colon = code == 422 ? strstr(msg, ": ") : NULL;
        if (colon) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "reason", "FieldValueInvalid");
            cJSON_AddStringToObject(c, "message", colon + 2);
            char *field = xstrndup(msg, (size_t)(colon - msg));
            cJSON_AddStringToObject(c, "field", field);
            free(field);
            cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "causes"), c);
        }
    }
    cJSON_AddNumberToObject(s, "code", code);
    kapi__json(rs, code, s);
    cJSON_Delete(s);
}

void kapi__invalid(struct http_response *rs, const struct kvalid_fail *f, const char *name,
                   const struct kres_type *t)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Status");
    cJSON_AddStringToObject(s, "apiVersion", "v1");
    cJSON_AddObjectToObject(s, "metadata");
    cJSON_AddStringToObject(s, "status", "Failure");
    cJSON_AddStringToObject(s, "message", f->message);
    cJSON_AddStringToObject(s, "reason", "Invalid");
    cJSON *d = cJSON_AddObjectToObject(s, "details");
    if (name && *name)
        cJSON_AddStringToObject(d, "name", name);
    if (*t->group)
        cJSON_AddStringToObject(d, "group", t->group);
    cJSON_AddStringToObject(d, "kind", t->kind);
    cJSON_AddItemToObject(d, "causes", cJSON_Duplicate(f->causes, 1));
    cJSON_AddNumberToObject(s, "code", 422);
    kapi__json(rs, 422, s);
    cJSON_Delete(s);
}

void kapi__fail(struct http_response *rs, int rc, const struct err *err, const char *name,
                const struct kres_type *t)
{
    const char *msg = err && err->msg[0] ? err->msg : err_name(rc);
    switch (rc) {
    case E_NOTFOUND: kapi__status(rs, 404, "NotFound", msg, name, t); break;
    case E_EXISTS: kapi__status(rs, 409, "AlreadyExists", msg, name, t); break;
    case E_CONFLICT: kapi__status(rs, 409, "Conflict", msg, name, t); break;
    case E_INVALID: kapi__status(rs, 422, "Invalid", msg, name, t); break;
    case E_PARSE: kapi__status(rs, 400, "BadRequest", msg, NULL, NULL); break;
    case E_TOOBIG: kapi__status(rs, 413, "RequestEntityTooLarge", msg, NULL, NULL); break;
    case E_GONE: kapi__status(rs, 410, "Expired", msg, NULL, NULL); break;
    default: kapi__status(rs, 500, "InternalError", msg, name, t); break;
    }
}

char *kapi__query(const struct kreq *r, const char *name)
{
    return http_query_get(r->query, name);
}

int kapi__query_bool(const struct kreq *r, const char *name)
{
    char *v = kapi__query(r, name);
    int on = v && (!strcmp(v, "1") || !strcasecmp(v, "true"));
    free(v);
    return on;
}

static void set_field(cJSON *o, const char *key, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(o, key))
        cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
    else
        cJSON_AddItemToObject(o, key, v);
}

void kapi__set_gvk(cJSON *o, const char *gv, const char *kind)
{
    set_field(o, "apiVersion", cJSON_CreateString(gv));
    set_field(o, "kind", cJSON_CreateString(kind));
}

cJSON *kapi__out(const struct kres_type *t, const char *version, const cJSON *obj)
{
    cJSON *o = cJSON_Duplicate(obj, 1);
    kconv_out(t->group, t->resource, version, o);
    char *gv = *t->group ? xasprintf("%s/%s", t->group, version) : xstrdup(version);
    kapi__set_gvk(o, gv, t->kind);
    free(gv);
    return o;
}

cJSON *kapi__render(void *ctx, const char *group, const char *version, const char *resource,
                    int table, const cJSON *obj)
{
    kapi *api = ctx;
    const struct kres_type *t = kres_find(api->reg, group, version, resource);
    if (!t)
        return NULL;
    if (!table)
        return kapi__out(t, version, obj);
    cJSON *tb = ktable_new(t, version);
    ktable_add(tb, t, version, obj, clock_now_ms(api->clk));
    const char *rv = json_get_str(obj, "metadata.resourceVersion", "");
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(tb, "metadata"), "resourceVersion",
                            rv);
    return tb;
}

/* ---- request bodies ------------------------------------------------------------------- */

static int ctype_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Prefix err's message (printing it into itself would overlap) and make it
 * E_PARSE, the code that answers 400 BadRequest. */
static int as_parse_error(struct err *err, const char *prefix)
{
    if (err) {
        err_prefix(err, "%s", prefix);
        err->code = E_PARSE;
    }
    return E_PARSE;
}

static int body_decode(const struct kreq *r, cJSON **out, struct err *err)
{
    const char *ct = http_headers_get(&r->rq->headers, "Content-Type");
    const char *body = r->rq->body ? r->rq->body : "";
    size_t len = r->rq->body ? r->rq->body_len : 0;
    if (!len)
        return err_set(err, E_PARSE, "the request body is empty");
    if (ct && ctype_is(ct, "application/vnd.kubernetes.protobuf"))
        return kproto_decode(body, len, out, err);
    if (ct && (ctype_is(ct, "application/yaml") || ctype_is(ct, "application/apply-patch+yaml")))
        return ydoc_parse_one(out, body, len, "body", err);
    int rc = json_parse(out, body, len, "body", err);
    if (rc < 0)
        return as_parse_error(err, "the request body is not valid JSON");
    return 0;
}

int kapi__body(const struct kreq *r, cJSON **out, struct err *err)
{
    cJSON *doc = NULL;
    int rc = body_decode(r, &doc, err);
    if (rc < 0)
        return rc;
    /* cJSON reads 1e340 as infinity and YAML has .inf/.nan; the real server
     * cannot decode either into JSON, so neither may reach a patch or the store. */
    rc = kstore_check_numbers(doc, err);
    if (rc < 0) {
        cJSON_Delete(doc);
        return as_parse_error(err, "the request body is invalid");
    }
    *out = doc;
    return 0;
}

/* ---- discovery, version, openapi ------------------------------------------------------------ */

static void send_version(struct http_response *rs)
{
    static const char v[] =
        "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\",\"gitCommit\":"
        "\"0000000000000000000000000000000000000000\",\"gitTreeState\":\"clean\",\"buildDate\":"
        "\"2025-01-01T00:00:00Z\",\"goVersion\":\"go1.23.0\",\"compiler\":\"gc\",\"platform\":"
        "\"linux/amd64\"}";
    http_response_set(rs, 200, "application/json", v, sizeof(v) - 1);
}

static int wants(const struct http_request *rq, const char *what)
{
    const char *accept = http_headers_get(&rq->headers, "Accept");
    return accept && strstr(accept, what);
}

static void send_owned(struct http_response *rs, cJSON *o)
{
    kapi__json(rs, 200, o);
    cJSON_Delete(o);
}

static void not_found(struct http_response *rs)
{
    kapi__status(rs, 404, "NotFound", "the server could not find the requested resource", NULL,
                 NULL);
}

/* /api, /apis, /api/v1, /apis/G, /apis/G/V.  Returns 1 when handled. */
static int serve_discovery(kapi *api, const struct http_request *rq, char **segs, size_t n,
                           struct http_response *rs)
{
    int core = !strcmp(segs[0], "api");
    cJSON *o = NULL;
    if (n == 1 && wants(rq, "as=APIGroupDiscoveryList")) {
        o = kres_disc_aggregated(api->reg, core);
        kapi__json(rs, 200, o);
        http_headers_set(&rs->headers, "Content-Type",
                         "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        cJSON_Delete(o);
        return 1;
    }
    if (n == 1)
        o = core ? kres_disc_versions(api->reg, api->addr) : kres_disc_groups(api->reg);
    else if (core && n == 2)
        o = kres_disc_resources(api->reg, "", segs[1]);
    else if (!core && n == 2)
        o = kres_disc_group(api->reg, segs[1]);
    else if (!core && n == 3)
        o = kres_disc_resources(api->reg, segs[1], segs[2]);
    else
        return 0;
    if (!o)
        not_found(rs);
    else
        send_owned(rs, o);
    return 1;
}

static void serve_openapi(kapi *api, char **segs, size_t n, struct http_response *rs)
{
    cJSON *o = NULL;
    if (n == 2 && !strcmp(segs[1], "v3"))
        o = kopenapi_index(api->reg);
    else if (n == 4 && !strcmp(segs[1], "v3") && !strcmp(segs[2], "api"))
        o = kopenapi_doc(api->reg, "", segs[3]);
    else if (n == 5 && !strcmp(segs[1], "v3") && !strcmp(segs[2], "apis"))
        o = kopenapi_doc(api->reg, segs[3], segs[4]);
    if (o)
        send_owned(rs, o);
    else
        not_found(rs);
}

/* ---- routing --------------------------------------------------------------------------- */

/* Split the path into decoded segments.  -1 on a bad escape or too many. */
static int split_path(struct kreq *r, const char *url)
{
    const char *q = strchr(url, '?');
    r->query = q ? q + 1 : "";
    r->path = xstrndup(url, q ? (size_t)(q - url) : strlen(url));
    r->nsegs = 0;
    for (char *p = r->path; *p;) {
        while (*p == '/')
            *p++ = '\0';
        if (!*p)
            break;
        if (r->nsegs == KREQ_MAX_SEGS)
            return -1;
        r->segs[r->nsegs++] = p;
        while (*p && *p != '/')
            p++;
    }
    for (size_t i = 0; i < r->nsegs; i++)
        if (http_unescape(r->segs[i]) < 0 || !*r->segs[i])
            return -1;
    return 0;
}

/* segs after the group-version: [watch] [namespaces NS] RES [NAME [SUB]]. */
static int parse_resource_path(struct kreq *r, size_t i)
{
    char **s = r->segs;
    size_t n = r->nsegs;
    if (i < n && !strcmp(s[i], "watch")) {
        r->watch = 1;
        i++;
    }
    if (n - i >= 3 && !strcmp(s[i], "namespaces") &&
        !(n - i == 3 && (!strcmp(s[i + 2], "status") || !strcmp(s[i + 2], "finalize")))) {
        r->ns = s[i + 1];
        i += 2;
    }
    if (i >= n || n - i > 3)
        return -1;
    r->resource = s[i];
    r->name = n - i >= 2 ? s[i + 1] : NULL;
    r->sub = n - i == 3 ? s[i + 2] : NULL;
    return 0;
}

static const char *verb_of(const struct kreq *r)
{
    const char *m = r->rq->method ? r->rq->method : "";
    if (!strcmp(m, "GET"))
        return r->name ? (r->watch ? "watch" : "get")
                       : (r->watch || kapi__query_bool(r, "watch")) ? "watch" : "list";
    if (!strcmp(m, "POST"))
        return r->name ? NULL : "create";
    if (!strcmp(m, "PUT"))
        return r->name ? "update" : NULL;
    if (!strcmp(m, "PATCH"))
        return r->name ? "patch" : NULL;
    if (!strcmp(m, "DELETE"))
        return r->name ? "delete" : "deletecollection";
    return NULL;
}

static void serve_resource(struct kreq *r, struct http_response *rs)
{
    kapi *api = r->api;
    r->t = kres_find(api->reg, r->group, r->version, r->resource);
    if (!r->t || (r->ns && !r->t->namespaced) ||
        (!r->ns && r->t->namespaced && r->name && !r->watch)) {
        not_found(rs);
        return;
    }
    if (r->sub && !((!strcmp(r->sub, "status") && (r->t->subs & KRES_SUB_STATUS)) ||
                    (!strcmp(r->sub, "scale") && (r->t->subs & KRES_SUB_SCALE)) ||
                    (!strcmp(r->sub, "log") && (r->t->subs & KRES_SUB_LOG)))) {
        not_found(rs);
        return;
    }
    r->verb = verb_of(r);
    if (!r->verb) {
        kapi__status(rs, 405, "MethodNotAllowed", "the server does not allow this method on "
                     "the requested resource", NULL, NULL);
        return;
    }
    r->table = wants(r->rq, "as=Table");
    char *dry = kapi__query(r, "dryRun");
    if (dry && !strcmp(dry, "All"))
        r->flags |= KSTORE_DRY_RUN;
    free(dry);
    if (fault_apply(r, rs))
        return;
    kapi__serve(r, rs);
}

static void route(struct kreq *r, struct http_response *rs)
{
    char **s = r->segs;
    size_t n = r->nsegs;
    if (n == 0) {
        not_found(rs);
    } else if (n == 1 && !strcmp(s[0], "version")) {
        send_version(rs);
    } else if (n == 1 && (!strcmp(s[0], "healthz") || !strcmp(s[0], "livez") ||
                          !strcmp(s[0], "readyz"))) {
        http_response_set(rs, 200, "text/plain; charset=utf-8", "ok", 2);
    } else if (!strcmp(s[0], "openapi")) {
        serve_openapi(r->api, s, n, rs);
    } else if ((!strcmp(s[0], "api") || !strcmp(s[0], "apis")) &&
               serve_discovery(r->api, r->rq, s, n, rs)) {
        /* done */
    } else if (!strcmp(s[0], "api") && !strcmp(s[1], "v1") &&
               parse_resource_path(r, 2) == 0) {
        r->group = "";
        r->version = "v1";
        serve_resource(r, rs);
    } else if (!strcmp(s[0], "apis") && n >= 4 && parse_resource_path(r, 3) == 0) {
        r->group = s[1];
        r->version = s[2];
        serve_resource(r, rs);
    } else {
        not_found(rs);
    }
}

void kapi_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    kapi *api = ctx;
    struct kreq r;
    memset(&r, 0, sizeof(r));
    r.api = api;
    r.rq = rq;
    kstore_lock(api->st);
    if (rq->body_len > api->max_body) {
        char msg[96];
        snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes", api->max_body);
        kapi__status(rs, 413, "RequestEntityTooLarge", msg, NULL, NULL);
    } else if (!rq->url || split_path(&r, rq->url) < 0) {
        kapi__status(rs, 400, "BadRequest", "malformed request path", NULL, NULL);
    } else {
        route(&r, rs);
    }
    kstore_unlock(api->st);
    http_headers_set(&rs->headers, "Cache-Control", "no-cache, private");
    kvalid_fail_free(&r.invalid);
    free(r.path);
}
