/* kube_client_test.c -- the engine's kube client against the simulator's API
 * handler, mounted in-process and served over real HTTP (httpd on
 * 127.0.0.1:0): the same sequence of operations must give the same results
 * both ways (create, get, list with a selector, apply x3, status, conflicts,
 * delete, watch).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/httpd.h"
#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "kstore.h"
#include "kube/kapply.h"
#include "kube/kclient.h"

#define START_MS 1780000000000LL

struct simenv {
    gclock *clk;
    kstore *st;
    kapi *api;
    httpd *srv;
    http_client *http;
    kconfig *cfg;
    kube_client *kc;
};

static void simenv_open(struct simenv *e, int over_http)
{
    memset(e, 0, sizeof(*e));
    e->clk = clock_new_virtual(START_MS);
    e->st = kstore_new(e->clk);
    e->api = kapi_new(e->st, e->clk);
    if (over_http) {
        struct httpd_opts o = HTTPD_OPTS_INIT;
        struct err er = ERR_INIT;
        ck_assert_msg(httpd_start(&e->srv, &o, kapi_handle, e->api, &er) == 0, "%s", er.msg);
        char *url = xasprintf("http://127.0.0.1:%d", httpd_port(e->srv));
        e->cfg = kconfig_new_server(url, NULL);
        free(url);
        e->http = http_client_new_curl();
    } else {
        e->cfg = kconfig_new_server("http://sim.local", NULL);
        e->http = http_client_new_inproc();
        http_inproc_mount(e->http, "*", kapi_handle, e->api);
    }
    kube_client_new(&e->kc, e->http, e->cfg, NULL);
    kube_client_set_retry(e->kc, 2, 10, 10);
}

static void simenv_close(struct simenv *e)
{
    kube_client_free(e->kc);
    http_client_free(e->http);
    kconfig_free(e->cfg);
    httpd_stop(e->srv);
    kapi_free(e->api);
    kstore_free(e->st);
    clock_free(e->clk);
}

static cJSON *J(const char *s)
{
    cJSON *o = NULL;
    struct err e = ERR_INIT;
    ck_assert_msg(json_parse(&o, s, strlen(s), "test", &e) == 0, "%s", e.msg);
    return o;
}

/* ---- the sequence, recording one line per outcome ------------------------------------------- */

static void note(struct buf *log, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct buf *log, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(log, fmt, ap);
    va_end(ap);
    buf_addf(log, " -> %s\n", err_name(rc));
}

static int create(kube_client *kc, const char *json, cJSON **out, struct err *er)
{
    cJSON *o = J(json);
    int rc = kube_create(kc, o, out, er);
    cJSON_Delete(o);
    return rc;
}

#define DEPLOY(image)                                                                              \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","          \
    "\"namespace\":\"kt\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":2,\"selector\":"    \
    "{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":"         \
    "\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"" image "\",\"ports\":"     \
    "[{\"containerPort\":80}]}]}}}}"

#define CANARY                                                                                     \
    "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":"          \
    "\"web\",\"namespace\":\"kt\"},\"spec\":{\"targetRef\":{\"apiVersion\":\"apps/v1\","           \
    "\"kind\":\"Deployment\",\"name\":\"web\"},\"service\":{\"port\":80},\"analysis\":{"           \
    "\"interval\":\"1m\",\"threshold\":5,\"stepWeight\":10,\"maxWeight\":50}}}"

static void seq_basics(kube_client *kc, struct buf *log, char **rv0)
{
    struct err er = ERR_INIT;
    cJSON *out = NULL;
    int rc = create(kc,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                    "\"kt\"}}",
                    &out, &er);
    note(log, rc, "create ns %s", json_get_str(out, "metadata.name", "?"));
    *rv0 = xstrdup(json_get_str(out, "metadata.resourceVersion", "0"));
    cJSON_Delete(out);
    rc = create(kc,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
                "\"namespace\":\"kt\",\"labels\":{\"app\":\"a\"}},\"data\":{\"k\":\"v1\"}}",
                NULL, &er);
    note(log, rc, "create %s", "cm1");
    rc = create(kc,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm2\","
                "\"namespace\":\"kt\",\"labels\":{\"app\":\"b\"}}}",
                NULL, &er);
    note(log, rc, "create %s", "cm2");
    rc = create(kc,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm2\","
                "\"namespace\":\"kt\"}}",
                NULL, &er);
    note(log, rc, "create again %s", "cm2");
    struct kube_ref ref = {"v1", "ConfigMap", "kt", "cm1"};
    rc = kube_get(kc, &ref, &out, &er);
    note(log, rc, "get cm1 data.k=%s", json_get_str(out, "data.k", "?"));
    cJSON_Delete(out);
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.label_selector = "app=a";
    ref.name = NULL;
    rc = kube_list(kc, &ref, &lo, &l, &er);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%d %s", cJSON_GetArraySize(l.items),
             json_get_str(cJSON_GetArrayItem(l.items, 0), "metadata.name", "-"));
    note(log, rc, "list app=a: %s", tmp);
    kube_list_release(&l);
}

static void seq_apply(kube_client *kc, struct buf *log)
{
    const char *docs[] = {DEPLOY("nginx:1"), DEPLOY("nginx:1"), DEPLOY("nginx:2"), CANARY, CANARY};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct err er = ERR_INIT;
        enum kapply_result res = KAPPLY_UNCHANGED;
        cJSON *m = J(docs[i]);
        int rc = kapply_apply(kc, m, &res, NULL, &er);
        cJSON_Delete(m);
        note(log, rc, "apply %s", rc == 0 ? kapply_result_name(res) : er.msg);
    }
}

static void seq_status(kube_client *kc, struct buf *log)
{
    struct err er = ERR_INIT;
    struct kube_ref ref = {"flagger.app/v1beta1", "Canary", "kt", "web"};
    cJSON *p = J("{\"status\":{\"phase\":\"Progressing\",\"canaryWeight\":10}}"), *out = NULL;
    int rc = kube_patch_status(kc, &ref, KUBE_PATCH_MERGE, p, &out, &er);
    cJSON_Delete(p);
    note(log, rc, "patch status phase=%s", json_get_str(out, "status.phase", "?"));
    char *stale = xstrdup(json_get_str(out, "metadata.resourceVersion", ""));
    json_set_str(out, "status.phase", "Succeeded", NULL);
    cJSON *out2 = NULL;
    rc = kube_update_status(kc, out, &out2, &er);
    note(log, rc, "update status phase=%s", json_get_str(out2, "status.phase", "?"));
    /* the same write again carries the old resourceVersion now */
    json_set_str(out, "metadata.resourceVersion", stale, NULL);
    json_set_str(out, "status.phase", "Failed", NULL);
    rc = kube_update_status(kc, out, NULL, &er);
    note(log, rc, "stale status update %s", rc == E_CONFLICT ? "conflict" : er.msg);
    json_set(out, "spec.analysis.threshold", cJSON_CreateNumber(9), NULL);
    rc = kube_update(kc, out, NULL, &er);
    note(log, rc, "stale update %s", rc == E_CONFLICT ? "conflict" : er.msg);
    free(stale);
    cJSON_Delete(out);
    cJSON_Delete(out2);
    rc = kube_get(kc, &ref, &out, &er);
    note(log, rc, "get canary phase=%s", json_get_str(out, "status.phase", "?"));
    cJSON_Delete(out);
}

static void seq_delete(kube_client *kc, struct buf *log)
{
    struct err er = ERR_INIT;
    struct kube_ref ref = {"v1", "ConfigMap", "kt", "cm2"};
    int rc = kube_delete(kc, &ref, "Background", &er);
    note(log, rc, "delete %s", "cm2");
    rc = kube_get(kc, &ref, NULL, &er);
    note(log, rc, "get deleted: %s", er.msg);
    rc = kube_delete(kc, &ref, NULL, &er);
    note(log, rc, "delete again %s", "cm2");
}

struct seen {
    struct buf *log;
    int n;
};

static int on_event(void *ctx, const char *type, const cJSON *obj)
{
    struct seen *s = ctx;
    buf_addf(s->log, "event %s %s\n", type, json_get_str(obj, "metadata.name", "?"));
    return ++s->n == 3;
}

static void seq_watch(kube_client *kc, struct buf *log, const char *rv0)
{
    struct kube_ref ref = {"v1", "ConfigMap", "kt", NULL};
    struct kube_watch_opts wo = KUBE_WATCH_OPTS_INIT;
    struct seen s = {log, 0};
    struct err er = ERR_INIT;
    wo.resource_version = rv0;
    wo.timeout_seconds = 2;
    wo.max_watches = 1;
    int rc = kube_watch(kc, &ref, &wo, on_event, &s, &er);
    note(log, rc, "watch %s", er.msg);
}

static char *run_sequence(int over_http)
{
    struct simenv e;
    struct buf log = BUF_INIT;
    char *rv0 = NULL;
    simenv_open(&e, over_http);
    seq_basics(e.kc, &log, &rv0);
    seq_apply(e.kc, &log);
    seq_status(e.kc, &log);
    seq_delete(e.kc, &log);
    seq_watch(e.kc, &log, rv0);
    free(rv0);
    simenv_close(&e);
    return buf_detach(&log, NULL);
}

static const char *EXPECTED = "create ns kt -> ok\n"
                              "create cm1 -> ok\n"
                              "create cm2 -> ok\n"
                              "create again cm2 -> already exists\n"
                              "get cm1 data.k=v1 -> ok\n"
                              "list app=a: 1 cm1 -> ok\n"
                              "apply created -> ok\n"
                              "apply unchanged -> ok\n"
                              "apply configured -> ok\n"
                              "apply created -> ok\n"
                              "apply unchanged -> ok\n"
                              "patch status phase=Progressing -> ok\n"
                              "update status phase=Succeeded -> ok\n"
                              "stale status update conflict -> conflict\n"
                              "stale update conflict -> conflict\n"
                              "get canary phase=Succeeded -> ok\n"
                              "delete cm2 -> ok\n"
                              "get deleted: configmaps \"cm2\" not found -> not found\n"
                              "delete again cm2 -> not found\n"
                              "event ADDED cm1\n"
                              "event ADDED cm2\n"
                              "event DELETED cm2\n"
                              "watch  -> ok\n";

START_TEST(kube_client_against_sim_inproc)
{
    char *got = run_sequence(0);
    ck_assert_str_eq(got, EXPECTED);
    free(got);
}
END_TEST

START_TEST(kube_client_against_sim_over_http)
{
    char *got = run_sequence(1);
    ck_assert_str_eq(got, EXPECTED);
    free(got);
}
END_TEST

START_TEST(kube_client_sim_discovery_and_lookup)
{
    struct simenv e;
    struct err er = ERR_INIT;
    const struct kube_resource *r = NULL;
    simenv_open(&e, 0);
    ck_assert_msg(kube_resource_lookup(e.kc, "deploy", &r, &er) == 0, "%s", er.msg);
    ck_assert_str_eq(r->name, "deployments");
    ck_assert_str_eq(r->group, "apps");
    ck_assert_msg(kube_resource_lookup(e.kc, "canary", &r, &er) == 0, "%s", er.msg);
    ck_assert_str_eq(r->group, "flagger.app");
    ck_assert_int_eq(r->namespaced, 1);
    ck_assert_int_eq(kube_resource_lookup(e.kc, "ns", &r, &er), 0);
    ck_assert_int_eq(r->namespaced, 0);
    ck_assert_int_eq(
        kube_resource_for(e.kc, "networking.istio.io/v1beta1", "VirtualService", &r, &er), 0);
    ck_assert_str_eq(r->name, "virtualservices");
    simenv_close(&e);
}
END_TEST

/* ---- TLS: kubeconfig CA material reaches curl ----------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        buf_add(&b, tmp, n);
    fclose(f);
    return buf_detach(&b, NULL);
}

/* GET /api/v1/namespaces/default over https with a kubeconfig whose cluster
 * entry is cluster_extra (YAML flow fields). */
static int https_get(int port, const char *cluster_extra, struct err *er)
{
    char *y = xasprintf("current-context: t\n"
                        "contexts: [{name: t, context: {cluster: c, user: u}}]\n"
                        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:%d'%s}}]\n"
                        "users: [{name: u, user: {token: secret}}]\n",
                        port, cluster_extra);
    kconfig *cfg = NULL;
    int rc = kconfig_parse(&cfg, y, strlen(y), "tls.yaml", "tests/fixtures/kube", NULL, er);
    free(y);
    ck_assert_msg(rc == 0, "%s", er->msg);
    http_client *http = http_client_new_curl();
    kube_client *kc = NULL;
    kube_client_new(&kc, http, cfg, NULL);
    kube_client_set_retry(kc, 1, 10, 10);
    struct kube_ref ref = {"v1", "Namespace", NULL, "default"};
    cJSON *out = NULL;
    rc = kube_get(kc, &ref, &out, er);
    if (rc == 0 && strcmp(json_get_str(out, "metadata.name", ""), "default"))
        rc = E_INTERNAL;
    cJSON_Delete(out);
    kube_client_free(kc);
    http_client_free(http);
    kconfig_free(cfg);
    return rc;
}

START_TEST(kube_client_https_with_kubeconfig_ca)
{
    struct simenv e;
    simenv_open(&e, 0);
    char *cert = slurp("tests/fixtures/kube/tls/server.crt");
    char *key = slurp("tests/fixtures/kube/tls/server.key");
    struct httpd_opts o = HTTPD_OPTS_INIT;
    struct err er = ERR_INIT;
    o.tls_cert_pem = cert;
    o.tls_key_pem = key;
    httpd *srv = NULL;
    ck_assert_msg(httpd_start(&srv, &o, kapi_handle, e.api, &er) == 0, "%s", er.msg);
    int port = httpd_port(srv);
    ck_assert_msg(https_get(port, ", certificate-authority: tls/ca.crt", &er) == 0, "%s", er.msg);
    ck_assert_int_lt(https_get(port, "", &er), 0); /* system CAs do not know ours */
    ck_assert_msg(https_get(port, ", insecure-skip-tls-verify: true", &er) == 0, "%s", er.msg);
    httpd_stop(srv);
    free(cert);
    free(key);
    simenv_close(&e);
}
END_TEST

/* ---- TLS: tls-server-name ------------------------------------------------------------------ */

/* The handler of the server-name tests: remembers the Host header, then
 * serves the API. */
struct host_spy {
    kapi *api;
    char host[128];
};

static void spy_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct host_spy *spy = ctx;
    const char *h = http_headers_get(&rq->headers, "Host");
    snprintf(spy->host, sizeof(spy->host), "%s", h ? h : "");
    kapi_handle(spy->api, rq, rs);
}

static httpd *serve_tls(struct host_spy *spy, const char *cert_path, const char *key_path)
{
    char *cert = slurp(cert_path), *key = slurp(key_path);
    struct httpd_opts o = HTTPD_OPTS_INIT;
    struct err er = ERR_INIT;
    httpd *srv = NULL;
    o.tls_cert_pem = cert;
    o.tls_key_pem = key;
    ck_assert_msg(httpd_start(&srv, &o, spy_handle, spy, &er) == 0, "%s", er.msg);
    free(cert);
    free(key);
    return srv;
}

START_TEST(kube_client_tls_server_name)
{
    struct simenv e;
    struct err er = ERR_INIT;
    simenv_open(&e, 0);
    struct host_spy spy = {e.api, ""};
    httpd *srv = serve_tls(&spy, "tests/fixtures/kube/tls/server.crt",
                           "tests/fixtures/kube/tls/server.key");
    int port = httpd_port(srv);
    char want_host[64];
    snprintf(want_host, sizeof(want_host), "127.0.0.1:%d", port);
    /* the fixture certificate names 127.0.0.1 and localhost */
    ck_assert_msg(https_get(port, ", certificate-authority: tls/ca.crt, tls-server-name: localhost",
                            &er) == 0, "%s", er.msg);
    ck_assert_str_eq(spy.host, want_host); /* Host still names the URL's host */
    /* verification uses the server name, not the URL's host (which would pass) */
    ck_assert_int_lt(https_get(port, ", certificate-authority: tls/ca.crt, tls-server-name: "
                                     "wrong.example", &er), 0);
    ck_assert_msg(strstr(er.msg, "wrong.example"), "%s", er.msg);
    ck_assert_msg(strstr(er.msg, want_host), "%s", er.msg); /* the message names the real URL */
    httpd_stop(srv);
    simenv_close(&e);
}
END_TEST

/* A certificate for the DNS name sim.test only, made with the openssl CLI in
 * a new temporary folder (returned; NULL when openssl is missing). */
static char *make_dns_only_cert(void)
{
    char *dir = xstrdup("/tmp/kube_client_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *cmd = xasprintf("cd %s && openssl req -x509 -newkey ec -pkeyopt "
                          "ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.crt -days 2 "
                          "-subj /CN=sim.test -addext subjectAltName=DNS:sim.test "
                          ">openssl.log 2>&1", dir);
    int rc = system(cmd);
    free(cmd);
    if (rc != 0) {
        cmd = xasprintf("rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(dir);
        return NULL;
    }
    return dir;
}

START_TEST(kube_client_tls_server_name_not_the_url_host)
{
    char *dir = make_dns_only_cert();
    if (!dir) {
        fprintf(stderr, "!!!! kube_client_tls_server_name_not_the_url_host: the openssl CLI "
                        "failed or is missing: SKIPPED (a DNS-only certificate is needed) !!!!\n");
        return;
    }
    struct simenv e;
    struct err er = ERR_INIT;
    simenv_open(&e, 0);
    struct host_spy spy = {e.api, ""};
    char *crt = xasprintf("%s/srv.crt", dir), *key = xasprintf("%s/srv.key", dir);
    httpd *srv = serve_tls(&spy, crt, key);
    int port = httpd_port(srv);
    char *ca = xasprintf(", certificate-authority: %s", crt);
    char *named = xasprintf("%s, tls-server-name: sim.test", ca);
    /* the URL says 127.0.0.1, which the certificate does not name */
    ck_assert_int_lt(https_get(port, ca, &er), 0);
    ck_assert_msg(https_get(port, named, &er) == 0, "%s", er.msg);
    httpd_stop(srv);
    simenv_close(&e);
    char *cmd = xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(named);
    free(ca);
    free(crt);
    free(key);
    free(dir);
}
END_TEST

/* ---- strategic apply end to end ----------------------------------------------------------- */

#define SMP_DEPLOY(containers)                                                                     \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","          \
    "\"namespace\":\"kt\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":"       \
    "\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"               \
    "\"containers\":" containers "}}}}"

static enum kapply_result apply_doc(kube_client *kc, const char *doc)
{
    cJSON *m = J(doc);
    enum kapply_result res = KAPPLY_UNCHANGED;
    struct err er = ERR_INIT;
    ck_assert_msg(kapply_apply(kc, m, &res, NULL, &er) == 0, "apply: %s", er.msg);
    cJSON_Delete(m);
    return res;
}

/* "name,name,..." of the items of list at path in obj. */
static char *names_at(const cJSON *obj, const char *path)
{
    struct buf b = BUF_INIT;
    const cJSON *it;
    cJSON_ArrayForEach(it, json_get(obj, path))
        buf_addf(&b, "%s%s", b.len ? "," : "", json_get_str(it, "name", "?"));
    return buf_detach(&b, NULL);
}

START_TEST(kube_client_apply_keeps_a_sidecar_over_http)
{
    struct simenv e;
    struct err er = ERR_INIT;
    simenv_open(&e, 1);
    ck_assert_msg(create(e.kc, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{"
                               "\"name\":\"kt\"}}", NULL, &er) == 0, "%s", er.msg);
    const char *v1 = SMP_DEPLOY("[{\"name\":\"web\",\"image\":\"nginx:1\",\"env\":[{\"name\":"
                                "\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]},{"
                                "\"name\":\"worker\",\"image\":\"w:1\"}]");
    const char *v2 = SMP_DEPLOY("[{\"name\":\"web\",\"image\":\"nginx:2\",\"env\":[{\"name\":"
                                "\"A\",\"value\":\"1\"}]}]");
    ck_assert_int_eq(apply_doc(e.kc, v1), KAPPLY_CREATED);
    /* another writer injects a sidecar and an env var */
    struct kube_ref ref = {"apps/v1", "Deployment", "kt", "web"};
    cJSON *ops = J("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/-\",\"value\":{"
                   "\"name\":\"istio-proxy\",\"image\":\"proxy:1\"}},{\"op\":\"add\",\"path\":"
                   "\"/spec/template/spec/containers/0/env/-\",\"value\":{\"name\":\"LIVE\","
                   "\"value\":\"3\"}}]");
    ck_assert_msg(kube_patch(e.kc, &ref, KUBE_PATCH_JSON, ops, NULL, &er) == 0, "%s", er.msg);
    cJSON_Delete(ops);
    ck_assert_int_eq(apply_doc(e.kc, v1), KAPPLY_UNCHANGED);
    /* new image, worker and env B removed from Git: the injected parts stay */
    ck_assert_int_eq(apply_doc(e.kc, v2), KAPPLY_CONFIGURED);
    cJSON *live = NULL;
    ck_assert_msg(kube_get(e.kc, &ref, &live, &er) == 0, "%s", er.msg);
    char *cs = names_at(live, "spec.template.spec.containers");
    char *env = names_at(cJSON_GetArrayItem(json_get(live, "spec.template.spec.containers"), 0),
                         "env");
    ck_assert_str_eq(cs, "web,istio-proxy");
    ck_assert_str_eq(env, "A,LIVE");
    ck_assert_str_eq(json_get_str(live, "spec.template.spec.containers[0].image", ""), "nginx:2");
    ck_assert_int_eq(apply_doc(e.kc, v2), KAPPLY_UNCHANGED);
    free(cs);
    free(env);
    cJSON_Delete(live);
    simenv_close(&e);
}
END_TEST

static Suite *kube_client_suite(void)
{
    Suite *s = suite_create("kube_client");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, kube_client_sim_discovery_and_lookup);
    tcase_add_test(tc, kube_client_against_sim_inproc);
    tcase_add_test(tc, kube_client_against_sim_over_http);
    tcase_add_test(tc, kube_client_apply_keeps_a_sidecar_over_http);
    tcase_add_test(tc, kube_client_https_with_kubeconfig_ca);
    tcase_add_test(tc, kube_client_tls_server_name);
    tcase_add_test(tc, kube_client_tls_server_name_not_the_url_host);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kube_client_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
