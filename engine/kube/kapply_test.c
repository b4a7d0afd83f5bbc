/* kapply_test.c -- unit tests for kapply: the three-way merge on its own, then
 * apply end to end against a tiny in-process object store.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "kube/kapply.h"

static cJSON *J(const char *s)
{
    cJSON *o = NULL;
    struct err e = ERR_INIT;
    ck_assert_msg(json_parse(&o, s, strlen(s), "test", &e) == 0, "%s", e.msg);
    return o;
}

/* Assert kapply_patch(last, man, live) equals want (all JSON text). */
static void check_patch(const char *last, const char *man, const char *live, const char *want)
{
    cJSON *l = last ? J(last) : NULL, *m = J(man), *c = J(live), *w = J(want);
    cJSON *p = kapply_patch(l, m, c);
    struct buf b = BUF_INIT;
    json_canonical(p, &b);
    ck_assert_msg(json_equal(p, w), "patch %s, want %s", b.ptr, want);
    buf_release(&b);
    cJSON_Delete(l);
    cJSON_Delete(m);
    cJSON_Delete(c);
    cJSON_Delete(w);
    cJSON_Delete(p);
}

START_TEST(kapply_removed_field_is_deleted)
{
    check_patch("{\"spec\":{\"a\":1,\"b\":2},\"metadata\":{\"labels\":{\"x\":\"1\",\"y\":\"2\"}}}",
                "{\"spec\":{\"a\":1},\"metadata\":{\"labels\":{\"x\":\"1\"}}}",
                "{\"spec\":{\"a\":1,\"b\":2,\"c\":3},\"metadata\":{\"labels\":{\"x\":\"1\","
                "\"y\":\"2\",\"z\":\"3\"}}}",
                "{\"spec\":{\"b\":null},\"metadata\":{\"labels\":{\"y\":null}}}");
    /* a whole object removed */
    check_patch("{\"spec\":{\"a\":1,\"o\":{\"k\":1}}}", "{\"spec\":{\"a\":1}}",
                "{\"spec\":{\"a\":1,\"o\":{\"k\":1,\"d\":2}}}", "{\"spec\":{\"o\":null}}");
    /* already gone from the live object: nothing to send */
    check_patch("{\"spec\":{\"a\":1,\"b\":2}}", "{\"spec\":{\"a\":1}}", "{\"spec\":{\"a\":1}}",
                "{}");
    /* replicas in Git before, removed now: deleted */
    check_patch("{\"spec\":{\"replicas\":3}}", "{\"spec\":{}}", "{\"spec\":{\"replicas\":3}}",
                "{\"spec\":{\"replicas\":null}}");
}
END_TEST

START_TEST(kapply_fields_owned_by_others_are_kept)
{
    /* HPA-driven replicas: never in the manifest */
    check_patch("{\"spec\":{\"template\":{\"x\":1}}}", "{\"spec\":{\"template\":{\"x\":1}}}",
                "{\"spec\":{\"replicas\":7,\"template\":{\"x\":1}},\"status\":{\"replicas\":7}}",
                "{}");
    /* Service: clusterIP defaulted, ports with a defaulted protocol */
    check_patch("{\"spec\":{\"ports\":[{\"port\":80}]}}", "{\"spec\":{\"ports\":[{\"port\":80}]}}",
                "{\"spec\":{\"clusterIP\":\"10.0.0.7\",\"type\":\"ClusterIP\",\"ports\":[{"
                "\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}]}}",
                "{}");
    /* status never touched, even when the manifest changes */
    check_patch("{\"spec\":{\"a\":1}}", "{\"spec\":{\"a\":2}}",
                "{\"spec\":{\"a\":1},\"status\":{\"phase\":\"Running\"}}", "{\"spec\":{\"a\":2}}");
    /* no last-applied (made by someone else): nothing deleted */
    check_patch(NULL, "{\"spec\":{\"a\":1}}", "{\"spec\":{\"a\":1,\"b\":2}}", "{}");
}
END_TEST

START_TEST(kapply_lists_are_replaced_whole_when_changed)
{
    const char *live = "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\","
                       "\"imagePullPolicy\":\"IfNotPresent\"}]}}";
    /* unchanged, despite the server default inside the item */
    check_patch("{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}", live, "{}");
    /* new image: the manifest's list, whole */
    check_patch("{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}", live,
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}");
    /* a field removed inside an item: the last-applied list differs, so resend */
    check_patch(
        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\",\"args\":[\"x\"]}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\",\"args\":[\"x\"]}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}");
    /* an item appended by another writer: the list differs, the manifest's wins */
    check_patch("{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"},"
                "{\"name\":\"sidecar\",\"image\":\"s:1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}");
    /* explicit null in the manifest deletes */
    check_patch(NULL, "{\"spec\":{\"a\":null}}", "{\"spec\":{\"a\":1}}", "{\"spec\":{\"a\":null}}");
    /* type change: object replaced by a scalar */
    check_patch(NULL, "{\"spec\":{\"a\":\"s\"}}", "{\"spec\":{\"a\":{\"k\":1}}}",
                "{\"spec\":{\"a\":\"s\"}}");
}
END_TEST

/* Assert kapply_strategic_patch(last, man, live) equals want. */
static void check_smp(const char *last, const char *man, const char *live, const char *want)
{
    cJSON *l = last ? J(last) : NULL, *m = J(man), *c = J(live), *w = J(want);
    cJSON *p = kapply_strategic_patch(l, m, c);
    struct buf b = BUF_INIT;
    json_canonical(p, &b);
    ck_assert_msg(json_equal(p, w), "patch %s, want %s", b.ptr, want);
    buf_release(&b);
    cJSON_Delete(l);
    cJSON_Delete(m);
    cJSON_Delete(c);
    cJSON_Delete(w);
    cJSON_Delete(p);
}

#define PODSPEC(containers) "{\"spec\":{\"template\":{\"spec\":{\"containers\":" containers "}}}}"
#define APP(image) "{\"name\":\"app\",\"image\":\"" image "\"}"
#define APP_LIVE(image) "{\"name\":\"app\",\"image\":\"" image "\",\"imagePullPolicy\":\"Always\"}"
#define SIDECAR "{\"name\":\"sidecar\",\"image\":\"s:1\"}"

START_TEST(kapply_smp_keeps_a_sidecar_added_live)
{
    /* the image changes: only the app item, by name; the sidecar is not named */
    check_smp(PODSPEC("[" APP("a:1") "]"), PODSPEC("[" APP("a:2") "]"),
              PODSPEC("[" APP_LIVE("a:1") "," SIDECAR "]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":"
              "\"a:2\"}],\"$setElementOrder/containers\":[{\"name\":\"app\"}]}}}}");
    /* nothing changed: no patch, despite the sidecar and the server default */
    check_smp(PODSPEC("[" APP("a:1") "]"), PODSPEC("[" APP("a:1") "]"),
              PODSPEC("[" APP_LIVE("a:1") "," SIDECAR "]"), "{}");
    /* a new container is sent whole */
    check_smp(PODSPEC("[" APP("a:1") "]"), PODSPEC("[" APP("a:1") ",{\"name\":\"w\"}]"),
              PODSPEC("[" APP_LIVE("a:1") "]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"w\"}],"
              "\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"w\"}]}}}}");
    /* the merge patch (custom resources) still sends the list whole */
    check_patch(PODSPEC("[" APP("a:1") "]"), PODSPEC("[" APP("a:2") "]"),
                PODSPEC("[" APP_LIVE("a:1") "," SIDECAR "]"), PODSPEC("[" APP("a:2") "]"));
}
END_TEST

START_TEST(kapply_smp_deletes_items_removed_from_git)
{
    /* a container removed from Git: deleted by name; the sidecar stays */
    check_smp(PODSPEC("[" APP("a:1") ",{\"name\":\"worker\",\"image\":\"w:1\"}]"),
              PODSPEC("[" APP("a:1") "]"),
              PODSPEC("[" APP_LIVE("a:1") ",{\"name\":\"worker\",\"image\":\"w:1\"}," SIDECAR "]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"delete\","
              "\"name\":\"worker\"}],\"$setElementOrder/containers\":[{\"name\":\"app\"}]}}}}");
    /* already gone live: nothing to send */
    check_smp(PODSPEC("[" APP("a:1") ",{\"name\":\"worker\"}]"), PODSPEC("[" APP("a:1") "]"),
              PODSPEC("[" APP_LIVE("a:1") "]"), "{}");
    /* an env var removed from Git goes, one added live stays; a field removed inside an item */
    check_smp(PODSPEC("[{\"name\":\"app\",\"args\":[\"x\"],\"env\":[{\"name\":\"A\",\"value\":"
                      "\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]"),
              PODSPEC("[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]"),
              PODSPEC("[{\"name\":\"app\",\"args\":[\"x\"],\"env\":[{\"name\":\"A\",\"value\":"
                      "\"1\"},{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"LIVE\",\"value\":"
                      "\"3\"}]}]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"args\":null,"
              "\"env\":[{\"$patch\":\"delete\",\"name\":\"B\"}],\"$setElementOrder/env\":[{"
              "\"name\":\"A\"}]}],\"$setElementOrder/containers\":[{\"name\":\"app\"}]}}}}");
    /* a list without a merge key (args) is replaced whole */
    check_smp(PODSPEC("[{\"name\":\"app\",\"args\":[\"x\"]}]"),
              PODSPEC("[{\"name\":\"app\",\"args\":[\"y\"]}]"),
              PODSPEC("[{\"name\":\"app\",\"args\":[\"x\"]}]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"args\":"
              "[\"y\"]}],\"$setElementOrder/containers\":[{\"name\":\"app\"}]}}}}");
}
END_TEST

START_TEST(kapply_smp_service_ports_by_port)
{
    const char *live = "{\"spec\":{\"clusterIP\":\"10.0.0.7\",\"ports\":[{\"port\":80,\"protocol\":"
                       "\"TCP\",\"targetPort\":8080},{\"port\":9090,\"name\":\"mon\"}]}}";
    /* 80 dropped, 443 added; 9090 (added live) kept; defaults inside items ignored */
    check_smp("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}",
              "{\"spec\":{\"ports\":[{\"port\":443,\"targetPort\":8443}]}}", live,
              "{\"spec\":{\"ports\":[{\"port\":443,\"targetPort\":8443},{\"$patch\":\"delete\","
              "\"port\":80}],\"$setElementOrder/ports\":[{\"port\":443}]}}");
    /* a changed targetPort: a partial item keyed by port */
    check_smp("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}",
              "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9000}]}}", live,
              "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9000}],"
              "\"$setElementOrder/ports\":[{\"port\":80}]}}");
    check_smp("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}",
              "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}", live, "{}");
    /* container ports are keyed by containerPort */
    check_smp(PODSPEC("[{\"name\":\"app\",\"ports\":[{\"containerPort\":80}]}]"),
              PODSPEC("[{\"name\":\"app\",\"ports\":[{\"containerPort\":81}]}]"),
              PODSPEC("[{\"name\":\"app\",\"ports\":[{\"containerPort\":80,\"protocol\":"
                      "\"TCP\"}]}]"),
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{"
              "\"containerPort\":81},{\"$patch\":\"delete\",\"containerPort\":80}],"
              "\"$setElementOrder/ports\":[{\"containerPort\":81}]}],"
              "\"$setElementOrder/containers\":[{\"name\":\"app\"}]}}}}");
}
END_TEST

START_TEST(kapply_builtin_follows_kubectl)
{
    ck_assert_int_eq(kapply_builtin("v1"), 1);
    ck_assert_int_eq(kapply_builtin("apps/v1"), 1);
    ck_assert_int_eq(kapply_builtin("autoscaling/v2"), 1);
    ck_assert_int_eq(kapply_builtin("rbac.authorization.k8s.io/v1"), 1);
    ck_assert_int_eq(kapply_builtin("networking.k8s.io/v1"), 1);
    ck_assert_int_eq(kapply_builtin("flagger.app/v1beta1"), 0);
    ck_assert_int_eq(kapply_builtin("networking.istio.io/v1beta1"), 0);
    ck_assert_int_eq(kapply_builtin("helm.fluxcd.io/v1"), 0);
    ck_assert_int_eq(kapply_builtin("apiextensions.k8s.io/v1"), 0);
    ck_assert_int_eq(kapply_builtin("app/v1"), 0);
    ck_assert_int_eq(kapply_builtin(NULL), 0);
}
END_TEST

START_TEST(kapply_last_applied_is_canonical)
{
    cJSON *m = J("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"c\","
                 "\"annotations\":{\"" KAPPLY_ANNOTATION "\":\"old\",\"a\":\"b\"}},\"data\":{}}");
    char *s = kapply_last_applied(m);
    ck_assert_str_eq(s, "{\"apiVersion\":\"v1\",\"data\":{},\"kind\":\"ConfigMap\",\"metadata\":"
                        "{\"annotations\":{\"a\":\"b\"},\"name\":\"c\"}}\n");
    free(s);
    cJSON_Delete(m);
    ck_assert_str_eq(kapply_result_name(KAPPLY_CREATED), "created");
    ck_assert_str_eq(kapply_result_name(KAPPLY_CONFIGURED), "configured");
    ck_assert_str_eq(kapply_result_name(KAPPLY_UNCHANGED), "unchanged");
}
END_TEST

START_TEST(kapply_last_applied_matches_kubectl_bytes)
{
    /* what kubectl 1.32 wrote for this manifest (measured against sim serve):
     * an empty annotations map stays, and Go's encoder escapes & < > */
    cJSON *m = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
                 "\"namespace\":\"default\",\"labels\":{\"app\":\"x\"}},\"data\":{\"url\":"
                 "\"http://a/?x=1&y=<2>\",\"k\":\"1\",\"e\":\"\",\"nul\":null}}");
    char *s = kapply_last_applied(m);
    ck_assert_str_eq(s, "{\"apiVersion\":\"v1\",\"data\":{\"e\":\"\",\"k\":\"1\",\"nul\":null,"
                        "\"url\":\"http://a/?x=1\\u0026y=\\u003c2\\u003e\"},\"kind\":\"ConfigMap\","
                        "\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"x\"},\"name\":"
                        "\"cm1\",\"namespace\":\"default\"}}\n");
    free(s);
    cJSON_Delete(m);
    /* only the annotation itself: the map stays, empty */
    m = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
          "\"annotations\":{\"" KAPPLY_ANNOTATION "\":\"old\"}}}");
    s = kapply_last_applied(m);
    ck_assert_str_eq(s, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                        "{\"annotations\":{},\"name\":\"c\"}}\n");
    free(s);
    cJSON_Delete(m);
}
END_TEST

/* ---- apply against a tiny store ------------------------------------------------------------- */

struct store {
    cJSON *objs; /* path -> object */
    int rv;
    int posts, patches, gets;
    int conflict_once; /* next PATCH answers 409 Conflict */
    int hide_once;     /* next GET answers 404 although it exists */
    char *last_ctype;
    cJSON *last_patch;
};

static void status(struct http_response *rs, int code, const char *reason)
{
    char *b = xasprintf("{\"kind\":\"Status\",\"reason\":\"%s\",\"message\":\"%s\",\"code\":%d}",
                        reason, reason, code);
    http_response_set(rs, code, "application/json", b, strlen(b));
    free(b);
}

static void answer(struct http_response *rs, int code, const cJSON *o)
{
    struct buf b = BUF_INIT;
    json_print(o, 0, &b);
    http_response_set(rs, code, "application/json", b.ptr, b.len);
    buf_release(&b);
}

static void store_write(struct store *s, const char *path, cJSON *o, int code,
                        struct http_response *rs)
{
    char rv[16];
    snprintf(rv, sizeof(rv), "%d", ++s->rv);
    json_set_str(o, "metadata.resourceVersion", rv, NULL);
    cJSON_DeleteItemFromObjectCaseSensitive(s->objs, path);
    cJSON_AddItemToObject(s->objs, path, o);
    answer(rs, code, o);
}

static const char *discovery(const char *path)
{
    if (!strcmp(path, "/api/v1"))
        return "{\"resources\":[{\"name\":\"configmaps\",\"namespaced\":true,\"kind\":"
               "\"ConfigMap\"}]}";
    if (!strcmp(path, "/apis/apps/v1"))
        return "{\"resources\":[{\"name\":\"deployments\",\"namespaced\":true,\"kind\":"
               "\"Deployment\"}]}";
    if (!strcmp(path, "/apis/flagger.app/v1beta1"))
        return "{\"resources\":[{\"name\":\"canaries\",\"namespaced\":true,\"kind\":"
               "\"Canary\"}]}";
    return NULL;
}

/* PATCH: a strategic patch is recorded and applied as a merge patch, which
 * is the same for the maps-only ConfigMaps and the list-free patches the
 * tests send through it (the list semantics are tested against the
 * simulator in sim/kube_client_test.c). */
static void store_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct store *s = ctx;
    char *path = xstrdup(rq->url), *q = strchr(path, '?');
    if (q)
        *q = '\0';
    cJSON *body = NULL;
    if (rq->body_len)
        json_parse(&body, rq->body, rq->body_len, NULL, NULL);
    const char *ct = http_headers_get(&rq->headers, "Content-Type");
    free(s->last_ctype);
    s->last_ctype = ct ? xstrdup(ct) : NULL;
    const char *d = discovery(path);
    if (d) {
        http_response_set(rs, 200, "application/json", d, strlen(d));
    } else if (!strcmp(rq->method, "POST")) {
        char *key = xasprintf("%s/%s", path, json_get_str(body, "metadata.name", ""));
        s->posts++;
        if (cJSON_GetObjectItemCaseSensitive(s->objs, key))
            status(rs, 409, "AlreadyExists");
        else
            store_write(s, key, cJSON_Duplicate(body, 1), 201, rs);
        free(key);
    } else {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(s->objs, path);
        int get = !strcmp(rq->method, "GET"), patch = !strcmp(rq->method, "PATCH");
        s->gets += get;
        s->patches += patch;
        if (!cur || (get && s->hide_once && s->hide_once--))
            status(rs, 404, "NotFound");
        else if (get)
            answer(rs, 200, cur);
        else if (patch && s->conflict_once && s->conflict_once--)
            status(rs, 409, "Conflict");
        else if (patch) {
            cJSON_Delete(s->last_patch);
            s->last_patch = cJSON_Duplicate(body, 1);
            store_write(s, path, json_merge_patch(cur, body), 200, rs);
        }
        else
            status(rs, 405, "MethodNotAllowed");
    }
    cJSON_Delete(body);
    free(path);
}

struct aenv {
    struct store s;
    http_client *http;
    kconfig *cfg;
    kube_client *kc;
};

static void aenv_init(struct aenv *e)
{
    memset(e, 0, sizeof(*e));
    e->s.objs = cJSON_CreateObject();
    e->http = http_client_new_inproc();
    http_inproc_mount(e->http, "*", store_handle, &e->s);
    e->cfg = kconfig_new_server("http://store", NULL);
    kube_client_new(&e->kc, e->http, e->cfg, NULL);
}

static void aenv_release(struct aenv *e)
{
    kube_client_free(e->kc);
    kconfig_free(e->cfg);
    http_client_free(e->http);
    cJSON_Delete(e->s.objs);
    free(e->s.last_ctype);
    cJSON_Delete(e->s.last_patch);
}

static enum kapply_result apply(struct aenv *e, const char *manifest)
{
    cJSON *m = J(manifest);
    enum kapply_result r = KAPPLY_UNCHANGED;
    struct err er = ERR_INIT;
    int rc = kapply_apply(e->kc, m, &r, NULL, &er);
    ck_assert_msg(rc == 0, "apply: %s", er.msg);
    cJSON_Delete(m);
    return r;
}

#define CM(data)                                                                                   \
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":" data "}"
#define CM_PATH "/api/v1/namespaces/default/configmaps/c"

START_TEST(kapply_create_unchanged_configured)
{
    struct aenv e;
    aenv_init(&e);
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"1\",\"b\":\"2\"}")), KAPPLY_CREATED);
    const cJSON *live = cJSON_GetObjectItemCaseSensitive(e.s.objs, CM_PATH);
    ck_assert_ptr_nonnull(live);
    const char *ann = json_get_str(live,
                                   "metadata.annotations.kubectl\\.kubernetes\\.io/"
                                   "last-applied-configuration",
                                   NULL);
    ck_assert_ptr_nonnull(ann);
    ck_assert_ptr_nonnull(strstr(ann, "\"data\":{\"a\":\"1\",\"b\":\"2\"}"));
    /* the server adds something of its own */
    json_set_str(cJSON_GetObjectItemCaseSensitive(e.s.objs, CM_PATH), "metadata.uid", "u-1", NULL);
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"1\",\"b\":\"2\"}")), KAPPLY_UNCHANGED);
    ck_assert_int_eq(e.s.patches, 0);
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"9\"}")), KAPPLY_CONFIGURED);
    ck_assert_int_eq(e.s.patches, 1);
    ck_assert_str_eq(e.s.last_ctype, "application/strategic-merge-patch+json");
    live = cJSON_GetObjectItemCaseSensitive(e.s.objs, CM_PATH);
    ck_assert_str_eq(json_get_str(live, "data.a", ""), "9");
    ck_assert_ptr_null(json_get(live, "data.b"));
    ck_assert_str_eq(json_get_str(live, "metadata.uid", ""), "u-1");
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"9\"}")), KAPPLY_UNCHANGED);
    ck_assert_int_eq(e.s.patches, 1);
    aenv_release(&e);
}
END_TEST

START_TEST(kapply_conflict_and_races_retry)
{
    struct aenv e;
    aenv_init(&e);
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"1\"}")), KAPPLY_CREATED);
    e.s.conflict_once = 1;
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"2\"}")), KAPPLY_CONFIGURED);
    ck_assert_int_eq(e.s.patches, 2);
    /* GET says absent but POST finds it: re-read and patch */
    e.s.hide_once = 1;
    ck_assert_int_eq(apply(&e, CM("{\"a\":\"3\"}")), KAPPLY_CONFIGURED);
    ck_assert_int_eq(e.s.posts, 2);
    ck_assert_str_eq(
        json_get_str(cJSON_GetObjectItemCaseSensitive(e.s.objs, CM_PATH), "data.a", ""), "3");
    /* always conflicting: bounded */
    e.s.conflict_once = 100;
    cJSON *m = J(CM("{\"a\":\"4\"}"));
    enum kapply_result r;
    struct err er = ERR_INIT;
    ck_assert_int_eq(kapply_apply(e.kc, m, &r, NULL, &er), E_CONFLICT);
    ck_assert_str_eq(er.msg, "ConfigMap \"c\": still conflicting after 4 attempts");
    cJSON_Delete(m);
    /* bad manifests */
    m = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}");
    ck_assert_int_eq(kapply_apply(e.kc, m, &r, NULL, &er), E_INVALID);
    ck_assert_str_eq(er.msg, "ConfigMap has no metadata.name");
    cJSON_Delete(m);
    aenv_release(&e);
}
END_TEST

#define DEPLOY(image)                                                                              \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"      \
    "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" image   \
    "\"}]}}}}"
#define DEPLOY_PATH "/apis/apps/v1/namespaces/default/deployments/d"
#define CANARY(weight)                                                                             \
    "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":"     \
    "\"c\"},\"spec\":{\"analysis\":{\"maxWeight\":" weight "}}}"

START_TEST(kapply_builtin_sends_smp_custom_resource_merge_patch)
{
    struct aenv e;
    aenv_init(&e);
    ck_assert_int_eq(apply(&e, DEPLOY("a:1")), KAPPLY_CREATED);
    /* a sidecar appended live, with a server default in the app container */
    cJSON *live = cJSON_GetObjectItemCaseSensitive(e.s.objs, DEPLOY_PATH);
    cJSON *cs = json_get(live, "spec.template.spec.containers");
    json_set_str(cJSON_GetArrayItem(cs, 0), "imagePullPolicy", "IfNotPresent", NULL);
    cJSON_AddItemToArray(cs, J(SIDECAR));
    ck_assert_int_eq(apply(&e, DEPLOY("a:1")), KAPPLY_UNCHANGED);
    ck_assert_int_eq(e.s.patches, 0);
    ck_assert_int_eq(apply(&e, DEPLOY("a:2")), KAPPLY_CONFIGURED);
    ck_assert_str_eq(e.s.last_ctype, "application/strategic-merge-patch+json");
    const cJSON *sent = json_get(e.s.last_patch, "spec.template.spec.containers");
    ck_assert_int_eq(cJSON_GetArraySize(sent), 1);
    ck_assert_str_eq(json_get_str(cJSON_GetArrayItem(sent, 0), "name", ""), "app");
    ck_assert_str_eq(json_get_str(cJSON_GetArrayItem(sent, 0), "image", ""), "a:2");
    /* a custom resource: merge patch */
    ck_assert_int_eq(apply(&e, CANARY("50")), KAPPLY_CREATED);
    ck_assert_int_eq(apply(&e, CANARY("50")), KAPPLY_UNCHANGED);
    ck_assert_int_eq(apply(&e, CANARY("30")), KAPPLY_CONFIGURED);
    ck_assert_str_eq(e.s.last_ctype, "application/merge-patch+json");
    ck_assert_int_eq(json_get_int(e.s.last_patch, "spec.analysis.maxWeight", 0), 30);
    aenv_release(&e);
}
END_TEST

static Suite *kapply_suite(void)
{
    Suite *s = suite_create("kapply");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kapply_removed_field_is_deleted);
    tcase_add_test(tc, kapply_fields_owned_by_others_are_kept);
    tcase_add_test(tc, kapply_lists_are_replaced_whole_when_changed);
    tcase_add_test(tc, kapply_smp_keeps_a_sidecar_added_live);
    tcase_add_test(tc, kapply_smp_deletes_items_removed_from_git);
    tcase_add_test(tc, kapply_smp_service_ports_by_port);
    tcase_add_test(tc, kapply_builtin_follows_kubectl);
    tcase_add_test(tc, kapply_last_applied_is_canonical);
    tcase_add_test(tc, kapply_last_applied_matches_kubectl_bytes);
    tcase_add_test(tc, kapply_create_unchanged_configured);
    tcase_add_test(tc, kapply_conflict_and_races_retry);
    tcase_add_test(tc, kapply_builtin_sends_smp_custom_resource_merge_patch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kapply_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
