/* kclient_test.c -- unit tests for the kube client against a small fake API
 * server mounted on the in-process transport: discovery, error mapping,
 * retries on a virtual clock, pagination, watch streams cut into tiny chunks,
 * 410 re-lists and exec-plugin refresh on 401.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "kube/kclient.h"

#define FIX "tests/fixtures/kube"
#define MAXLOG 64

/* ---- the fake server ------------------------------------------------------------------------ */

struct canned {
    int status;
    const char *body;
    const char *retry_after;
};

struct fake {
    char *log[MAXLOG]; /* "METHOD /path?query" */
    int nlog;
    struct canned queue[8]; /* answered first, for non-discovery paths */
    int qn, qi;
    int npods;  /* pods p0..pN-1 in "default" */
    int has_rs; /* apps/v1 serves ReplicaSet */
    int disc_hits;
    const char *watch[4]; /* successive watch answers (bodies) */
    int watch_status[4];
    int nwatch;
    size_t chunk;    /* stream piece size */
    int reject_once; /* answer 401 to the first request */
    int expire_continue; /* answer 410 to this many requests carrying a continue token */
    char *last_auth;
    char *last_body;
    char *last_ua_accept; /* "User-Agent|Accept" */
};

struct piece {
    const char *data;
    size_t len, off, chunk;
};

static ssize_t piece_read(void *ctx, char *out, size_t max)
{
    struct piece *p = ctx;
    size_t n = p->len - p->off;
    if (n > p->chunk)
        n = p->chunk;
    if (n > max)
        n = max;
    memcpy(out, p->data + p->off, n);
    p->off += n;
    return (ssize_t)n;
}

static void fake_release(struct fake *f)
{
    for (int i = 0; i < f->nlog; i++)
        free(f->log[i]);
    free(f->last_auth);
    free(f->last_body);
    free(f->last_ua_accept);
}

static void reply(struct http_response *rs, int status, const char *body)
{
    http_response_set(rs, status, "application/json", body, strlen(body));
}

static void status_reply(struct http_response *rs, int code, const char *reason, const char *msg)
{
    char *b = xasprintf("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        "\"reason\":\"%s\",\"message\":\"%s\",\"code\":%d}\n",
                        reason, msg, code);
    reply(rs, code, b);
    free(b);
}

static const char *CORE_V1 =
    "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
    "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
    "\"shortNames\":[\"po\"]},"
    "{\"name\":\"pods/status\",\"namespaced\":true,\"kind\":\"Pod\"},"
    "{\"name\":\"namespaces\",\"singularName\":\"namespace\",\"namespaced\":false,"
    "\"kind\":\"Namespace\",\"shortNames\":[\"ns\"]}]}";

static int discovery(struct fake *f, const char *path, struct http_response *rs)
{
    if (!strcmp(path, "/api")) {
        reply(rs, 200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}");
    } else if (!strcmp(path, "/apis")) {
        reply(rs, 200,
              "{\"kind\":\"APIGroupList\",\"groups\":[{\"name\":\"apps\",\"versions\":"
              "[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],"
              "\"preferredVersion\":{\"groupVersion\":\"apps/v1\"}}]}");
    } else if (!strcmp(path, "/api/v1")) {
        reply(rs, 200, CORE_V1);
    } else if (!strcmp(path, "/apis/apps/v1")) {
        reply(rs, 200,
              f->has_rs ? "{\"resources\":[{\"name\":\"deployments\",\"namespaced\":true,\"kind\":"
                          "\"Deployment\",\"shortNames\":[\"deploy\"]},{\"name\":\"replicasets\","
                          "\"namespaced\":true,\"kind\":\"ReplicaSet\",\"shortNames\":[\"rs\"]}]}"
                        : "{\"resources\":[{\"name\":\"deployments\",\"namespaced\":true,\"kind\":"
                          "\"Deployment\",\"shortNames\":[\"deploy\"]}]}");
    } else {
        return 0;
    }
    f->disc_hits++;
    return 1;
}

static void list_pods(struct fake *f, const char *query, int table, struct http_response *rs)
{
    char *lim = query ? http_query_get(query, "limit") : NULL;
    char *cont = query ? http_query_get(query, "continue") : NULL;
    int from = cont ? atoi(cont) : 0, n = lim ? atoi(lim) : f->npods;
    struct buf b = BUF_INIT;
    buf_addf(&b, "{\"kind\":\"%s\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
                 "\"500\"", table ? "Table" : "PodList");
    if (from + n < f->npods)
        buf_addf(&b, ",\"continue\":\"%d\"", from + n);
    buf_puts(&b, table ? "},\"columnDefinitions\":[{\"name\":\"Name\"}],\"rows\":["
                       : "},\"items\":[");
    for (int i = from; i < f->npods && i < from + n; i++)
        buf_addf(&b, table ? "%s{\"cells\":[\"p%d\"]}"
                           : "%s{\"metadata\":{\"name\":\"p%d\",\"namespace\":\"default\"}}",
                 i > from ? "," : "", i);
    buf_puts(&b, "]}");
    reply(rs, 200, b.ptr);
    buf_release(&b);
    free(lim);
    free(cont);
}

static void serve_watch(struct fake *f, struct http_response *rs)
{
    if (f->nwatch >= 4 || !f->watch[f->nwatch]) {
        reply(rs, 200, "");
        return;
    }
    int i = f->nwatch++;
    if (f->watch_status[i] && f->watch_status[i] != 200) {
        reply(rs, f->watch_status[i], f->watch[i]);
        return;
    }
    struct piece *p = xcalloc(1, sizeof(*p));
    p->data = f->watch[i];
    p->len = strlen(p->data);
    p->chunk = f->chunk ? f->chunk : 1;
    rs->status = 200;
    http_headers_set(&rs->headers, "Content-Type", "application/json");
    rs->stream = piece_read;
    rs->stream_ctx = p;
    rs->stream_free = free;
}

static void fake_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct fake *f = ctx;
    if (f->nlog < MAXLOG)
        f->log[f->nlog++] = xasprintf("%s %s", rq->method, rq->url);
    const char *auth = http_headers_get(&rq->headers, "Authorization");
    free(f->last_auth);
    f->last_auth = auth ? xstrdup(auth) : NULL;
    free(f->last_body);
    f->last_body = rq->body_len ? xstrndup(rq->body, rq->body_len) : NULL;
    free(f->last_ua_accept);
    const char *ua = http_headers_get(&rq->headers, "User-Agent");
    const char *acc = http_headers_get(&rq->headers, "Accept");
    f->last_ua_accept = xasprintf("%s|%s", ua ? ua : "", acc ? acc : "");
    char *path = xstrdup(rq->url), *q = strchr(path, '?');
    if (q)
        *q++ = '\0';
    if (f->reject_once) {
        f->reject_once = 0;
        status_reply(rs, 401, "Unauthorized", "Unauthorized");
    } else if (discovery(f, path, rs)) {
    } else if (f->qi < f->qn) {
        struct canned *cn = &f->queue[f->qi++];
        reply(rs, cn->status, cn->body);
        if (cn->retry_after)
            http_headers_set(&rs->headers, "Retry-After", cn->retry_after);
    } else if (f->expire_continue > 0 && q && strstr(q, "continue=")) {
        f->expire_continue--;
        status_reply(rs, 410, "Expired", "The provided continue parameter is too old");
    } else if (q && strstr(q, "watch=true")) {
        serve_watch(f, rs);
    } else if (!strcmp(path, "/api/v1/namespaces/default/pods")) {
        if (!strcmp(rq->method, "POST"))
            reply(rs, 201, rq->body_len ? f->last_body : "{}");
        else
            list_pods(f, q, acc && strstr(acc, "as=Table;v=v1;g=meta.k8s.io") != NULL, rs);
    } else if (!strcmp(path, "/api/v1/namespaces/default/pods/p1")) {
        reply(rs, 200, "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p1\"}}");
    } else {
        status_reply(rs, 404, "NotFound", "the server could not find the requested resource");
    }
    free(path);
}

static void enqueue(struct fake *f, int status, const char *body, const char *retry_after)
{
    f->queue[f->qn++] = (struct canned){status, body, retry_after};
}

/* ---- fixture: a client on the fake, with a virtual clock ------------------------------------ */

struct env {
    struct fake f;
    http_client *http;
    kconfig *cfg;
    kube_client *kc;
    gclock *clk;
};

static void env_init(struct env *e, kconfig *cfg)
{
    memset(e, 0, sizeof(*e));
    e->http = http_client_new_inproc();
    http_inproc_mount(e->http, "*", fake_handle, &e->f);
    e->cfg = cfg ? cfg : kconfig_new_server("http://fake", NULL);
    e->clk = clock_new_virtual(1000000);
    ck_assert_int_eq(kube_client_new(&e->kc, e->http, e->cfg, NULL), 0);
    kube_client_set_clock(e->kc, e->clk);
    kube_client_set_retry(e->kc, 5, 100, 1000);
}

/* The same, authenticated by the exec plugin fixture (ExecCredential v1beta1). */
static void env_init_exec(struct env *e)
{
    struct kconfig_opts ko = KCONFIG_OPTS_INIT;
    struct err er = ERR_INIT;
    kconfig *cfg = NULL;
    ko.path = FIX "/exec.yaml";
    ko.context = "exec-v1beta1";
    ck_assert_msg(kconfig_load(&cfg, &ko, &er) == 0, "%s", er.msg);
    env_init(e, cfg);
}

static void env_release(struct env *e)
{
    kube_client_free(e->kc);
    kconfig_free(e->cfg);
    http_client_free(e->http);
    clock_free(e->clk);
    fake_release(&e->f);
}

static const struct kube_ref POD_P1 = {"v1", "Pod", "default", "p1"};
static const struct kube_ref PODS = {"v1", "Pod", "default", NULL};

static int get_p1(struct env *e, struct err *er)
{
    cJSON *o = NULL;
    int rc = kube_get(e->kc, &POD_P1, &o, er);
    cJSON_Delete(o);
    return rc;
}

/* ---- tests ---------------------------------------------------------------------------------- */

START_TEST(kube_discovery_maps_kinds_and_caches)
{
    struct env e;
    env_init(&e, NULL);
    const struct kube_resource *r = NULL;
    struct err er = ERR_INIT;
    ck_assert_int_eq(kube_resource_for(e.kc, "v1", "Pod", &r, &er), 0);
    ck_assert_str_eq(r->name, "pods");
    ck_assert_int_eq(r->namespaced, 1);
    ck_assert_int_eq(kube_resource_for(e.kc, "v1", "Namespace", &r, &er), 0);
    ck_assert_int_eq(r->namespaced, 0);
    ck_assert_int_eq(e.f.disc_hits, 1);
    /* an unknown kind refetches once, then fails */
    ck_assert_int_eq(kube_resource_for(e.kc, "apps/v1", "ReplicaSet", &r, &er), E_NOTFOUND);
    ck_assert_str_eq(er.msg, "no kind 'ReplicaSet' is served in 'apps/v1'");
    int hits = e.f.disc_hits;
    /* the CRD appears: the next miss refetches and finds it */
    e.f.has_rs = 1;
    ck_assert_int_eq(kube_resource_for(e.kc, "apps/v1", "ReplicaSet", &r, &er), 0);
    ck_assert_str_eq(r->name, "replicasets");
    ck_assert_int_eq(e.f.disc_hits, hits + 1);
    ck_assert_int_eq(kube_resource_for(e.kc, "apps/v1", "Deployment", &r, &er), 0);
    ck_assert_int_eq(e.f.disc_hits, hits + 1);
    /* TTL */
    kube_client_set_discovery_ttl(e.kc, 60000);
    clock_sleep(e.clk, 61000);
    ck_assert_int_eq(kube_resource_for(e.kc, "apps/v1", "Deployment", &r, &er), 0);
    ck_assert_int_eq(e.f.disc_hits, hits + 2);
    ck_assert_int_eq(kube_resource_for(e.kc, "nope/v1", "X", &r, &er), E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(er.msg, "is its CRD installed"));
    /* an apiVersion from a manifest never becomes an arbitrary request path */
    int n = e.f.nlog;
    const char *bad[] = {"apps/v1/../../api/v1/namespaces/kube-system/secrets", "v1?watch=1",
                         "a/b/c", "/v1", "apps/", "", "Apps/v1", NULL};
    for (int i = 0; bad[i]; i++) {
        ck_assert_msg(kube_resource_for(e.kc, bad[i], "Secret", &r, &er) == E_INVALID, "%s",
                      bad[i]);
        ck_assert_ptr_nonnull(strstr(er.msg, "not a valid apiVersion"));
    }
    ck_assert_int_eq(e.f.nlog, n);
    env_release(&e);
}
END_TEST

START_TEST(kube_lookup_by_user_names)
{
    struct env e;
    env_init(&e, NULL);
    const struct kube_resource *r = NULL;
    struct err er = ERR_INIT;
    const char *names[] = {"pods", "pod", "po", "Pod", "PODS", NULL};
    for (int i = 0; names[i]; i++) {
        ck_assert_msg(kube_resource_lookup(e.kc, names[i], &r, &er) == 0, "%s", names[i]);
        ck_assert_str_eq(r->name, "pods");
    }
    ck_assert_int_eq(kube_resource_lookup(e.kc, "deploy", &r, &er), 0);
    ck_assert_str_eq(r->group, "apps");
    ck_assert_int_eq(kube_resource_lookup(e.kc, "deployments.apps", &r, &er), 0);
    ck_assert_int_eq(kube_resource_lookup(e.kc, "deployments.v1.apps", &r, &er), 0);
    ck_assert_int_eq(kube_resource_lookup(e.kc, "pods.apps", &r, &er), E_NOTFOUND);
    ck_assert_int_eq(kube_resource_lookup(e.kc, "foos", &r, &er), E_NOTFOUND);
    ck_assert_str_eq(er.msg, "the server doesn't have a resource type \"foos\"");
    char av[128];
    kube_resource_lookup(e.kc, "deploy", &r, &er);
    kube_resource_api_version(r, av);
    ck_assert_str_eq(av, "apps/v1");
    env_release(&e);
}
END_TEST

START_TEST(kube_errors_map_to_codes_with_message)
{
    struct env e;
    env_init(&e, NULL);
    kube_client_set_retry(e.kc, 1, 100, 1000);
    struct err er = ERR_INIT;
    const struct kube_resource *r;
    kube_resource_for(e.kc, "v1", "Pod", &r, &er);
    enqueue(&e.f, 404,
            "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"message\":"
            "\"pods \\\"x\\\" not found\",\"code\":404}",
            NULL);
    enqueue(&e.f, 409, "{\"kind\":\"Status\",\"reason\":\"AlreadyExists\",\"message\":\"exists\"}",
            NULL);
    enqueue(&e.f, 409, "{\"kind\":\"Status\",\"reason\":\"Conflict\",\"message\":\"stale\"}", NULL);
    enqueue(&e.f, 422,
            "{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":\"ignored\","
            "\"details\":{\"name\":\"p1\",\"kind\":\"Pod\",\"causes\":[{\"field\":"
            "\"spec.a\",\"message\":\"bad\"},{\"field\":\"spec.b\",\"message\":"
            "\"worse\"}]}}",
            NULL);
    enqueue(&e.f, 403, "{\"kind\":\"Status\",\"reason\":\"Forbidden\",\"message\":\"no\"}", NULL);
    enqueue(&e.f, 410, "{\"kind\":\"Status\",\"reason\":\"Expired\",\"message\":\"old\"}", NULL);
    enqueue(&e.f, 500, "oops", NULL);
    enqueue(&e.f, 401, "{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"message\":\"who\"}",
            NULL);
    ck_assert_int_eq(get_p1(&e, &er), E_NOTFOUND);
    ck_assert_str_eq(er.msg, "pods \"x\" not found");
    ck_assert_int_eq(get_p1(&e, &er), E_EXISTS);
    ck_assert_int_eq(get_p1(&e, &er), E_CONFLICT);
    ck_assert_str_eq(er.msg, "stale");
    ck_assert_int_eq(get_p1(&e, &er), E_INVALID);
    ck_assert_str_eq(er.msg, "Pod \"p1\" is invalid: spec.a: bad; spec.b: worse");
    ck_assert_int_eq(get_p1(&e, &er), E_FORBIDDEN);
    ck_assert_int_eq(get_p1(&e, &er), E_GONE);
    ck_assert_int_eq(get_p1(&e, &er), E_UNAVAILABLE);
    ck_assert_str_eq(er.msg, "an error on the server (\"oops\") has prevented the request from "
                             "succeeding (GET /api/v1/namespaces/default/pods/p1)");
    ck_assert_int_eq(get_p1(&e, &er), E_UNAUTHORIZED);
    ck_assert_str_eq(er.msg, "who");
    ck_assert_int_eq(get_p1(&e, &er), 0);
    ck_assert_str_eq(e.f.last_ua_accept, "gitops/" GITOPS_VERSION "|application/json");
    env_release(&e);
}
END_TEST

START_TEST(kube_retries_with_backoff_on_virtual_clock)
{
    struct env e;
    env_init(&e, NULL);
    struct err er = ERR_INIT;
    const struct kube_resource *r;
    kube_resource_for(e.kc, "v1", "Pod", &r, &er);
    enqueue(&e.f, 503, "{}", NULL);
    enqueue(&e.f, 503, "{}", NULL);
    enqueue(&e.f, 429, "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\"}", "7");
    int64_t t0 = clock_now_ms(e.clk);
    long n0 = kube_client_requests(e.kc);
    ck_assert_int_eq(get_p1(&e, &er), 0);
    ck_assert_int_eq(clock_now_ms(e.clk) - t0, 100 + 200 + 7000);
    ck_assert_int_eq(kube_client_requests(e.kc) - n0, 4);
    /* exhausted: 5 attempts, 100+200+400+800 */
    for (int i = 0; i < 5; i++)
        enqueue(&e.f, 502, "bad gateway", NULL);
    t0 = clock_now_ms(e.clk);
    ck_assert_int_eq(get_p1(&e, &er), E_UNAVAILABLE);
    ck_assert_int_eq(clock_now_ms(e.clk) - t0, 1500);
    ck_assert_ptr_nonnull(strstr(er.msg, "bad gateway"));
    env_release(&e);
}
END_TEST

START_TEST(kube_post_not_retried_on_5xx_and_refused_is_retried)
{
    struct env e;
    env_init(&e, NULL);
    struct err er = ERR_INIT;
    const struct kube_resource *r;
    kube_resource_for(e.kc, "v1", "Pod", &r, &er);
    enqueue(&e.f, 500, "{\"kind\":\"Status\",\"message\":\"boom\"}", NULL);
    cJSON *pod = NULL;
    const char *podj = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"n\"}}";
    ck_assert_int_eq(json_parse(&pod, podj, strlen(podj), NULL, NULL), 0);
    long n0 = kube_client_requests(e.kc);
    ck_assert_int_eq(kube_create(e.kc, pod, NULL, &er), E_UNAVAILABLE);
    ck_assert_str_eq(er.msg, "boom");
    ck_assert_int_eq(kube_client_requests(e.kc) - n0, 1);
    /* created in the default namespace, the body as sent */
    cJSON *out = NULL;
    ck_assert_int_eq(kube_create(e.kc, pod, &out, &er), 0);
    ck_assert_str_eq(json_get_str(out, "metadata.name", ""), "n");
    ck_assert_ptr_nonnull(
        strstr(e.f.log[e.f.nlog - 1], "POST /api/v1/namespaces/default/pods?fieldManager=gitops"));
    cJSON_Delete(out);
    cJSON_Delete(pod);
    /* nothing listening: E_UNAVAILABLE after the bounded retries */
    kconfig *nowhere = kconfig_new_server("http://nowhere.invalid", NULL);
    kube_client *kc = NULL;
    http_client *h = http_client_new_inproc();
    kube_client_new(&kc, h, nowhere, NULL);
    kube_client_set_clock(kc, e.clk);
    kube_client_set_retry(kc, 3, 50, 1000);
    int64_t t0 = clock_now_ms(e.clk);
    ck_assert_int_eq(kube_raw(kc, "GET", "/api", NULL, NULL, NULL, &er), E_UNAVAILABLE);
    ck_assert_int_eq(clock_now_ms(e.clk) - t0, 150);
    ck_assert_int_eq(kube_client_requests(kc), 3);
    kube_client_free(kc);
    http_client_free(h);
    kconfig_free(nowhere);
    env_release(&e);
}
END_TEST

START_TEST(kube_list_paginates_with_selectors)
{
    struct env e;
    env_init(&e, NULL);
    e.f.npods = 7;
    struct err er = ERR_INIT;
    struct kube_list_opts o = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    o.limit = 3;
    o.label_selector = "app=web,tier in (a,b)";
    o.field_selector = "status.phase=Running";
    ck_assert_msg(kube_list(e.kc, &PODS, &o, &l, &er) == 0, "%s", er.msg);
    ck_assert_int_eq(cJSON_GetArraySize(l.items), 7);
    ck_assert_int_eq(l.pages, 3);
    ck_assert_str_eq(l.resource_version, "500");
    ck_assert_ptr_null(l.cont);
    const cJSON *it = cJSON_GetArrayItem(l.items, 6);
    ck_assert_str_eq(json_get_str(it, "metadata.name", ""), "p6");
    ck_assert_str_eq(json_get_str(it, "kind", ""), "Pod");
    ck_assert_str_eq(json_get_str(it, "apiVersion", ""), "v1");
    const char *last = e.f.log[e.f.nlog - 1];
    ck_assert_msg(strstr(last, "labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29") &&
                      strstr(last, "fieldSelector=status.phase%3DRunning") &&
                      strstr(last, "limit=3") && strstr(last, "continue=6"),
                  "%s", last);
    kube_list_release(&l);
    o.one_page = 1;
    ck_assert_int_eq(kube_list(e.kc, &PODS, &o, &l, &er), 0);
    ck_assert_int_eq(cJSON_GetArraySize(l.items), 3);
    ck_assert_str_eq(l.cont, "3");
    kube_list_release(&l);
    /* all namespaces */
    struct kube_ref all = {"v1", "Pod", KUBE_ALL_NAMESPACES, NULL};
    ck_assert_int_eq(kube_list(e.kc, &all, NULL, &l, &er), E_NOTFOUND);
    ck_assert_str_eq(e.f.log[e.f.nlog - 1], "GET /api/v1/pods");
    env_release(&e);
}
END_TEST

/* ---- watch ---------------------------------------------------------------------------------- */

struct seen {
    char types[16][12];
    char names[16][16];
    int n;
    int stop_after;
};

static int on_event(void *ctx, const char *type, const cJSON *obj)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->types[s->n], 12, "%s", type);
        snprintf(s->names[s->n], 16, "%s", obj ? json_get_str(obj, "metadata.name", "?") : "-");
        s->n++;
    }
    return s->stop_after && s->n >= s->stop_after;
}

#define EV(t, n, rv)                                                                               \
    "{\"type\":\"" t "\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" n                 \
    "\",\"resourceVersion\":\"" rv "\"}}}"

START_TEST(kube_watch_splits_events_across_chunks)
{
    struct env e;
    env_init(&e, NULL);
    e.f.chunk = 1;
    e.f.watch[0] = EV("ADDED", "a", "11") "\n" EV("MODIFIED", "a", "12") "\r\n\n" EV(
        "BOOKMARK", "", "15") "\n" EV("DELETED", "b", "14");
    e.f.watch[1] = EV("ADDED", "c", "16") "\n";
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "10";
    o.max_watches = 2;
    o.timeout_seconds = 5;
    struct seen s = {0};
    struct err er = ERR_INIT;
    ck_assert_msg(kube_watch(e.kc, &PODS, &o, on_event, &s, &er) == 0, "%s", er.msg);
    ck_assert_int_eq(s.n, 4);
    ck_assert_str_eq(s.types[0], "ADDED");
    ck_assert_str_eq(s.types[1], "MODIFIED");
    ck_assert_str_eq(s.types[2], "DELETED");
    ck_assert_str_eq(s.names[2], "b");
    ck_assert_str_eq(s.names[3], "c");
    /* the first watch from 10, the second from the last seen rv (the DELETED's 14,
     * after the bookmark's 15) */
    int w = 0;
    for (int i = 0; i < e.f.nlog; i++) {
        if (!strstr(e.f.log[i], "watch=true"))
            continue;
        ck_assert_ptr_nonnull(strstr(e.f.log[i], "timeoutSeconds=5"));
        ck_assert_ptr_nonnull(
            strstr(e.f.log[i], w == 0 ? "resourceVersion=10" : "resourceVersion=14"));
        w++;
    }
    ck_assert_int_eq(w, 2);
    env_release(&e);
}
END_TEST

START_TEST(kube_watch_bookmark_moves_resource_version)
{
    struct env e;
    env_init(&e, NULL);
    e.f.chunk = 7;
    e.f.watch[0] = EV("ADDED", "a", "11") "\n" EV("BOOKMARK", "", "15") "\n";
    e.f.watch[1] = "";
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "10";
    o.max_watches = 2;
    struct seen s = {0};
    struct err er = ERR_INIT;
    ck_assert_int_eq(kube_watch(e.kc, &PODS, &o, on_event, &s, &er), 0);
    ck_assert_int_eq(s.n, 1);
    ck_assert_ptr_nonnull(strstr(e.f.log[e.f.nlog - 1], "resourceVersion=15"));
    env_release(&e);
}
END_TEST

START_TEST(kube_watch_relists_on_410)
{
    struct env e;
    env_init(&e, NULL);
    e.f.npods = 2;
    e.f.chunk = 5;
    e.f.watch[0] = "{\"kind\":\"Status\",\"reason\":\"Expired\",\"code\":410}";
    e.f.watch_status[0] = 410;
    e.f.watch[1] = EV("ADDED", "x", "501") "\n{\"type\":\"ERROR\",\"object\":{\"kind\":"
                                           "\"Status\",\"code\":410,\"reason\":\"Expired\"}}\n";
    e.f.watch[2] = EV("MODIFIED", "y", "600") "\n";
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "3";
    o.list_events = 1;
    struct seen s = {.stop_after = 7};
    struct err er = ERR_INIT;
    ck_assert_msg(kube_watch(e.kc, &PODS, &o, on_event, &s, &er) == 0, "%s", er.msg);
    const char *want[][2] = {{"SYNC", "p0"}, {"SYNC", "p1"}, {"SYNCED", "-"}, {"ADDED", "x"},
                             {"SYNC", "p0"}, {"SYNC", "p1"}, {"SYNCED", "-"}};
    ck_assert_int_eq(s.n, 7);
    for (int i = 0; i < 7; i++) {
        ck_assert_str_eq(s.types[i], want[i][0]);
        ck_assert_str_eq(s.names[i], want[i][1]);
    }
    /* stopped by the callback before the third watch */
    ck_assert_int_eq(e.f.nwatch, 2);
    ck_assert_ptr_nonnull(strstr(e.f.log[e.f.nlog - 1], "GET /api/v1/namespaces/default/pods"));
    env_release(&e);
}
END_TEST

START_TEST(kube_watch_error_event_and_stop)
{
    struct env e;
    env_init(&e, NULL);
    e.f.chunk = 3;
    e.f.watch[0] = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":403,"
                   "\"reason\":\"Forbidden\",\"message\":\"nope\"}}\n";
    e.f.watch[1] = EV("ADDED", "a", "11") "\n" EV("ADDED", "b", "12") "\n";
    e.f.watch[2] = "not json\n";
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "10";
    struct seen s = {.stop_after = 1};
    struct err er = ERR_INIT;
    ck_assert_int_eq(kube_watch(e.kc, &PODS, &o, on_event, &s, &er), E_FORBIDDEN);
    ck_assert_str_eq(er.msg, "nope");
    ck_assert_int_eq(kube_watch(e.kc, &PODS, &o, on_event, &s, &er), 0);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(kube_watch(e.kc, &PODS, &o, on_event, &s, &er), E_PARSE);
    env_release(&e);
}
END_TEST

START_TEST(kube_unauthorized_refreshes_exec_token_once)
{
    struct err er = ERR_INIT;
    struct env e;
    env_init_exec(&e);
    e.f.reject_once = 1;
    cJSON *out = NULL;
    ck_assert_msg(
        kube_raw(e.kc, "GET", "/api/v1/namespaces/default/pods/p1", NULL, NULL, &out, &er) == 0,
        "%s", er.msg);
    ck_assert_int_eq(kconfig_exec_runs(e.cfg), 2);
    ck_assert_int_eq(e.f.nlog, 2);
    ck_assert_str_eq(e.f.last_auth, "Bearer tok-v1beta1-beta-no-1");
    cJSON_Delete(out);
    /* a bare config cannot refresh: one attempt */
    env_release(&e);
}
END_TEST

START_TEST(kube_patch_and_delete_requests)
{
    struct env e;
    env_init(&e, NULL);
    struct err er = ERR_INIT;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "x", "y");
    ck_assert_int_eq(kube_patch(e.kc, &POD_P1, KUBE_PATCH_MERGE, p, NULL, &er), 0);
    ck_assert_str_eq(e.f.log[e.f.nlog - 1],
                     "PATCH /api/v1/namespaces/default/pods/p1?fieldManager=gitops");
    ck_assert_str_eq(e.f.last_body, "{\"x\":\"y\"}");
    ck_assert_int_eq(kube_patch_status(e.kc, &POD_P1, KUBE_PATCH_JSON, p, NULL, &er), E_NOTFOUND);
    ck_assert_str_eq(e.f.log[e.f.nlog - 1],
                     "PATCH /api/v1/namespaces/default/pods/p1/status?fieldManager=gitops");
    ck_assert_int_eq(kube_delete(e.kc, &POD_P1, "Foreground", &er), 0);
    ck_assert_str_eq(e.f.log[e.f.nlog - 1], "DELETE /api/v1/namespaces/default/pods/p1");
    ck_assert_ptr_nonnull(strstr(e.f.last_body, "\"propagationPolicy\":\"Foreground\""));
    struct kube_ref noname = {"v1", "Pod", NULL, NULL};
    ck_assert_int_eq(kube_get(e.kc, &noname, NULL, &er), E_INVALID);
    cJSON_Delete(p);
    env_release(&e);
}
END_TEST

/* A transport whose every request fails after it may have reached the
 * server (a reset connection): only idempotent requests may be re-sent. */
static int reset_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                         struct err *err)
{
    (void)rs;
    (*(int *)ctx)++;
    return err_set(err, E_UNAVAILABLE, "%s %s: Recv failure: Connection reset by peer",
                   rq->method, rq->url);
}

static const struct http_transport_ops RESET_OPS = {.name = "reset", .request = reset_request};

/* A transport whose every request is refused before anything is sent. */
static int refused_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                           struct err *err)
{
    rs->not_sent = 1;
    (*(int *)ctx)++;
    return err_set(err, E_UNAVAILABLE, "%s %s: Connection refused", rq->method, rq->url);
}

static const struct http_transport_ops REFUSED_OPS = {.name = "refused",
                                                      .request = refused_request};

START_TEST(kube_requests_refused_before_sending_are_retried)
{
    int sent = 0;
    http_client *h = http_client_new(&REFUSED_OPS, &sent);
    kconfig *cfg = kconfig_new_server("http://fake", NULL);
    gclock *clk = clock_new_virtual(1000);
    kube_client *kc = NULL;
    struct err er = ERR_INIT;
    kube_client_new(&kc, h, cfg, NULL);
    kube_client_set_clock(kc, clk);
    kube_client_set_retry(kc, 3, 10, 100);
    /* nothing reached the server, so even a POST may be sent again */
    ck_assert_int_eq(kube_raw(kc, "POST", "/api/v1/namespaces/default/pods",
                              "application/json", "{}", NULL, &er),
                     E_UNAVAILABLE);
    ck_assert_int_eq(sent, 3);
    ck_assert_ptr_nonnull(strstr(er.msg, "refused"));
    kube_client_free(kc);
    kconfig_free(cfg);
    http_client_free(h);
    clock_free(clk);
}
END_TEST

START_TEST(kube_non_idempotent_requests_are_not_resent)
{
    int sent = 0;
    http_client *h = http_client_new(&RESET_OPS, &sent);
    kconfig *cfg = kconfig_new_server("http://fake", NULL);
    gclock *clk = clock_new_virtual(1000);
    kube_client *kc = NULL;
    struct err er = ERR_INIT;
    kube_client_new(&kc, h, cfg, NULL);
    kube_client_set_clock(kc, clk);
    kube_client_set_retry(kc, 4, 10, 100);
    /* a GET is safe to repeat */
    ck_assert_int_eq(kube_raw(kc, "GET", "/api/v1/pods", NULL, NULL, NULL, &er), E_UNAVAILABLE);
    ck_assert_int_eq(sent, 4);
    /* a POST that may have created the object is not sent twice */
    sent = 0;
    ck_assert_int_eq(kube_raw(kc, "POST", "/api/v1/namespaces/default/pods",
                              "application/json", "{}", NULL, &er),
                     E_UNAVAILABLE);
    ck_assert_int_eq(sent, 1);
    ck_assert_ptr_nonnull(strstr(er.msg, "Connection reset"));
    /* nor is a JSON patch (an "add" to a list applies twice) */
    sent = 0;
    ck_assert_int_eq(kube_raw(kc, "PATCH", "/api/v1/namespaces/default/pods/p1",
                              "application/json-patch+json", "[]", NULL, &er),
                     E_UNAVAILABLE);
    ck_assert_int_eq(sent, 1);
    kube_client_free(kc);
    kconfig_free(cfg);
    http_client_free(h);
    clock_free(clk);
    /* 5xx: a JSON patch is not retried either; a merge patch is */
    struct env e;
    env_init(&e, NULL);
    enqueue(&e.f, 503, "{}", NULL);
    long n0 = kube_client_requests(e.kc);
    ck_assert_int_eq(kube_raw(e.kc, "PATCH", "/api/v1/namespaces/default/pods/p1",
                              "application/json-patch+json", "[]", NULL, &er),
                     E_UNAVAILABLE);
    ck_assert_int_eq(kube_client_requests(e.kc) - n0, 1);
    enqueue(&e.f, 503, "{}", NULL);
    n0 = kube_client_requests(e.kc);
    ck_assert_int_eq(kube_raw(e.kc, "PATCH", "/api/v1/namespaces/default/pods/p1",
                              "application/merge-patch+json", "{}", NULL, &er),
                     0);
    ck_assert_int_eq(kube_client_requests(e.kc) - n0, 2);
    env_release(&e);
}
END_TEST

START_TEST(kube_list_relists_when_continue_expires)
{
    struct env e;
    env_init(&e, NULL);
    e.f.npods = 7;
    e.f.expire_continue = 1;
    struct err er = ERR_INIT;
    struct kube_list_opts o = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    o.limit = 3;
    ck_assert_msg(kube_list(e.kc, &PODS, &o, &l, &er) == 0, "%s", er.msg);
    /* the first page is dropped, a full list replaces it: no duplicates */
    ck_assert_int_eq(cJSON_GetArraySize(l.items), 7);
    for (int i = 0; i < 7; i++) {
        char want[16];
        snprintf(want, sizeof(want), "p%d", i);
        ck_assert_str_eq(json_get_str(cJSON_GetArrayItem(l.items, i), "metadata.name", ""),
                         want);
    }
    ck_assert_str_eq(e.f.log[e.f.nlog - 1], "GET /api/v1/namespaces/default/pods");
    kube_list_release(&l);
    /* a caller's own stale token is its problem: E_GONE */
    e.f.expire_continue = 1;
    o.cont = "3";
    o.one_page = 1;
    ck_assert_int_eq(kube_list(e.kc, &PODS, &o, &l, &er), E_GONE);
    env_release(&e);
}
END_TEST

START_TEST(kube_watch_survives_a_401_refresh)
{
    struct err er = ERR_INIT;
    struct env e;
    env_init_exec(&e);
    const struct kube_resource *r = NULL;
    ck_assert_int_eq(kube_resource_for(e.kc, "v1", "Pod", &r, &er), 0);
    /* the watch request is answered 401 (a Status ending in a newline, as the
     * real apiserver writes it), the token is refreshed, the stream resent */
    e.f.reject_once = 1;
    e.f.chunk = 4;
    e.f.watch[0] = EV("ADDED", "a", "11") "\n";
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "10";
    o.max_watches = 1;
    struct seen s = {0};
    ck_assert_msg(kube_watch(e.kc, &PODS, &o, on_event, &s, &er) == 0, "%s", er.msg);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.names[0], "a");
    ck_assert_int_eq(kconfig_exec_runs(e.cfg), 2);
    env_release(&e);
}
END_TEST

START_TEST(kube_watch_error_status_body_is_not_an_event)
{
    struct env e;
    env_init(&e, NULL);
    e.f.watch[0] = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                   "\"reason\":\"Forbidden\",\"message\":\"pods is forbidden\",\"code\":403}\n";
    e.f.watch_status[0] = 403;
    struct kube_watch_opts o = KUBE_WATCH_OPTS_INIT;
    o.resource_version = "10";
    struct seen s = {0};
    struct err er = ERR_INIT;
    ck_assert_int_eq(kube_watch(e.kc, &PODS, &o, on_event, &s, &er), E_FORBIDDEN);
    ck_assert_str_eq(er.msg, "pods is forbidden");
    ck_assert_int_eq(s.n, 0);
    env_release(&e);
}
END_TEST

START_TEST(kube_table_asks_for_server_side_columns)
{
    struct env e;
    env_init(&e, NULL);
    e.f.npods = 5;
    struct err er = ERR_INIT;
    struct kube_list_opts o = KUBE_LIST_OPTS_INIT;
    o.limit = 2;
    cJSON *t = NULL;
    ck_assert_msg(kube_table(e.kc, &PODS, &o, &t, &er) == 0, "%s", er.msg);
    /* kubectl's Accept; the rows of every page */
    ck_assert_str_eq(e.f.last_ua_accept, "gitops/" GITOPS_VERSION "|application/json;as=Table;"
                                         "v=v1;g=meta.k8s.io,application/json");
    ck_assert_int_eq(cJSON_GetArraySize(json_get(t, "rows")), 5);
    ck_assert_str_eq(json_get_str(t, "rows[4].cells[0]", ""), "p4");
    ck_assert_ptr_null(json_get(t, "metadata.continue"));
    cJSON_Delete(t);
    /* a server without Tables answers the object itself: E_INVALID, the
     * caller falls back to plain objects */
    ck_assert_int_eq(kube_table(e.kc, &POD_P1, NULL, &t, &er), E_INVALID);
    ck_assert_ptr_null(t);
    env_release(&e);
}
END_TEST

START_TEST(kube_failed_refresh_after_401_is_unauthorized)
{
    /* a 401, then the token file cannot be re-read: the answer stays
     * Unauthorized; above all never E_NOTFOUND, which apply takes for "absent,
     * create it" */
    char d[] = "/tmp/kclient_test.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(d));
    char *tok = xasprintf("%s/token", d);
    FILE *f = fopen(tok, "w");
    fputs("t1\n", f);
    fclose(f);
    setenv("KUBERNETES_SERVICE_HOST", "fake", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    struct kconfig_opts ko = KCONFIG_OPTS_INIT;
    struct err er = ERR_INIT;
    kconfig *cfg = NULL;
    ko.sa_root = d;
    ck_assert_msg(kconfig_load_incluster(&cfg, &ko, &er) == 0, "%s", er.msg);
    unlink(tok);
    struct env e;
    env_init(&e, cfg);
    e.f.reject_once = 1;
    ck_assert_int_eq(kube_raw(e.kc, "GET", "/api/v1/namespaces/default/pods/p1", NULL, NULL, NULL,
                              &er),
                     E_UNAUTHORIZED);
    env_release(&e);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    rmdir(d);
    free(tok);
}
END_TEST

static Suite *kclient_suite(void)
{
    Suite *s = suite_create("kclient");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, kube_discovery_maps_kinds_and_caches);
    tcase_add_test(tc, kube_lookup_by_user_names);
    tcase_add_test(tc, kube_errors_map_to_codes_with_message);
    tcase_add_test(tc, kube_retries_with_backoff_on_virtual_clock);
    tcase_add_test(tc, kube_post_not_retried_on_5xx_and_refused_is_retried);
    tcase_add_test(tc, kube_list_paginates_with_selectors);
    tcase_add_test(tc, kube_watch_splits_events_across_chunks);
    tcase_add_test(tc, kube_watch_bookmark_moves_resource_version);
    tcase_add_test(tc, kube_watch_relists_on_410);
    tcase_add_test(tc, kube_watch_error_event_and_stop);
    tcase_add_test(tc, kube_unauthorized_refreshes_exec_token_once);
    tcase_add_test(tc, kube_patch_and_delete_requests);
    tcase_add_test(tc, kube_non_idempotent_requests_are_not_resent);
    tcase_add_test(tc, kube_requests_refused_before_sending_are_retried);
    tcase_add_test(tc, kube_list_relists_when_continue_expires);
    tcase_add_test(tc, kube_watch_survives_a_401_refresh);
    tcase_add_test(tc, kube_watch_error_status_body_is_not_an_event);
    tcase_add_test(tc, kube_table_asks_for_server_side_columns);
    tcase_add_test(tc, kube_failed_refresh_after_401_is_unauthorized);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kclient_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
