/* kapi_test.c -- unit tests for the API handler, called in-process. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "ktest.h"

#define T0 KTEST_T0

static struct ktest kt;
static gclock *clk;
static kstore *st;
static kapi *api;

/* The answer to the last request (aliases into ans). */
static struct ktest_answer ans;
static int last_status;
static char *last_body;
static char *last_ctype;
static cJSON *last;     /* parsed body, or NULL */

static void reset_last(void)
{
    ktest_answer_clear(&ans);
    last_body = last_ctype = NULL;
    last = NULL;
}

static void setup(void)
{
    ktest_open(&kt, T0);
    clk = kt.clk;
    st = kt.st;
    api = kt.api;
}

static void teardown(void)
{
    reset_last();
    ktest_close(&kt);
}

/* One request with a body of len bytes; the answer lands in last_*.  Returns
 * the status. */
static int req_n(const char *method, const char *url, const char *ctype, const char *accept,
                 const char *body, size_t len)
{
    ktest_req(api, method, url, ctype, accept, body, len, &ans);
    last_status = ans.status;
    last_body = ans.body;
    last_ctype = ans.ctype;
    last = ans.json;
    return last_status;
}

static int req(const char *method, const char *url, const char *ctype, const char *accept,
               const char *body)
{
    return req_n(method, url, ctype, accept, body, body ? strlen(body) : 0);
}

static const char *s_at(const char *path) { return json_get_str(last, path, ""); }

#define JSON "application/json"
#define TABLE "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

static const char deploy[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
    "{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
    "{\"containers\":[{\"name\":\"app\",\"image\":\"web:1.0\"}]}}}}";

START_TEST(kapi_version_and_health)
{
    ck_assert_int_eq(req("GET", "/version?timeout=5s", NULL, NULL, NULL), 200);
    ck_assert_str_eq(s_at("major"), "1");
    ck_assert_str_eq(s_at("minor"), "32");
    ck_assert_str_eq(s_at("gitVersion"), "v1.32.0");
    ck_assert_int_eq(req("GET", "/healthz", NULL, NULL, NULL), 200);
}
END_TEST

START_TEST(kapi_discovery_aggregated_and_legacy)
{
    ck_assert_int_eq(req("GET", "/apis", NULL,
                         "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                         "application/json", NULL), 200);
    ck_assert_str_eq(last_ctype,
                     "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    ck_assert_str_eq(s_at("kind"), "APIGroupDiscoveryList");
    int found = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, json_get(last, "items"))
    {
        if (strcmp(json_get_str(g, "metadata.name", ""), "flagger.app"))
            continue;
        found = 1;
        ck_assert_str_eq(json_get_str(g, "versions[0].version", ""), "v1beta1");
        ck_assert_str_eq(json_get_str(g, "versions[1].version", ""), "v1alpha3");
        ck_assert_str_eq(json_get_str(g, "versions[0].resources[0].responseKind.kind", ""),
                         "Canary");
    }
    ck_assert(found);
    ck_assert_int_eq(req("GET", "/api", NULL, "application/json", NULL), 200);
    ck_assert_str_eq(s_at("kind"), "APIVersions");
    ck_assert_str_eq(s_at("versions[0]"), "v1");
    ck_assert_int_eq(req("GET", "/apis", NULL, JSON, NULL), 200);
    ck_assert_str_eq(s_at("kind"), "APIGroupList");
    ck_assert_int_eq(req("GET", "/api/v1", NULL, JSON, NULL), 200);
    ck_assert_ptr_nonnull(strstr(last_body, "\"name\":\"pods/log\""));
    ck_assert_int_eq(req("GET", "/apis/apps/v1", NULL, JSON, NULL), 200);
    ck_assert_ptr_nonnull(strstr(last_body, "\"name\":\"deployments/scale\",\"singularName\":"
                                            "\"\",\"namespaced\":true,\"group\":\"autoscaling\""));
    ck_assert_int_eq(req("GET", "/apis/flagger.app", NULL, JSON, NULL), 200);
    ck_assert_str_eq(s_at("preferredVersion.version"), "v1beta1");
    ck_assert_int_eq(req("GET", "/apis/nope.io/v1", NULL, JSON, NULL), 404);
}
END_TEST

START_TEST(kapi_openapi_v3)
{
    ck_assert_int_eq(req("GET", "/openapi/v3", NULL, JSON, NULL), 200);
    const char *url = json_get_str(last, "paths.apis/apps/v1.serverRelativeURL", NULL);
    ck_assert_ptr_nonnull(url);
    char *u = xstrdup(url);
    ck_assert_int_eq(req("GET", u, NULL, JSON, NULL), 200);
    free(u);
    ck_assert_str_eq(json_get_str(last, "paths./apis/apps/v1/namespaces/{namespace}/deployments/"
                                        "{name}.patch.x-kubernetes-group-version-kind.kind", ""),
                     "Deployment");
    ck_assert_int_eq(req("GET", "/openapi/v2", NULL, JSON, NULL), 404);
}
END_TEST

START_TEST(kapi_crud_roundtrip)
{
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 201);
    ck_assert_str_eq(s_at("metadata.namespace"), "default");
    ck_assert_int_eq(json_get_int(last, "metadata.generation", 0), 1);
    ck_assert_str_eq(s_at("spec.strategy.type"), "RollingUpdate");      /* defaulted */
    char *rv = xstrdup(s_at("metadata.resourceVersion"));
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 409);
    ck_assert_str_eq(s_at("reason"), "AlreadyExists");
    ck_assert_int_eq(req("GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, JSON,
                         NULL), 200);
    ck_assert_str_eq(s_at("kind"), "Deployment");
    ck_assert_int_eq(req("GET", "/apis/apps/v1/deployments?labelSelector=app%3Dweb", NULL, JSON,
                         NULL), 200);
    ck_assert_str_eq(s_at("kind"), "DeploymentList");
    ck_assert_int_eq(cJSON_GetArraySize(json_get(last, "items")), 1);
    ck_assert_int_eq(req("GET", "/apis/apps/v1/deployments?labelSelector=app%3Dother", NULL,
                         JSON, NULL), 200);
    ck_assert_int_eq(cJSON_GetArraySize(json_get(last, "items")), 0);
    /* merge patch, then a stale PUT */
    ck_assert_int_eq(req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                         "application/merge-patch+json", JSON,
                         "{\"spec\":{\"replicas\":5}}"), 200);
    ck_assert_int_eq(json_get_int(last, "spec.replicas", 0), 5);
    ck_assert_int_eq(json_get_int(last, "metadata.generation", 0), 2);
    char *stale = xasprintf("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
                            "{\"name\":\"web\",\"resourceVersion\":\"%s\"},\"spec\":{}}", rv);
    ck_assert_int_eq(req("PUT", "/apis/apps/v1/namespaces/default/deployments/web", JSON, JSON,
                         stale), 409);
    ck_assert_str_eq(s_at("reason"), "Conflict");
    ck_assert_int_eq(req("DELETE", "/apis/apps/v1/namespaces/default/deployments/web", JSON,
                         JSON, "{\"propagationPolicy\":\"Background\"}"), 200);
    ck_assert_str_eq(s_at("metadata.name"), "web");
    ck_assert_int_eq(req("GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, JSON,
                         NULL), 404);
    ck_assert_str_eq(s_at("kind"), "Status");
    ck_assert_str_eq(s_at("status"), "Failure");
    ck_assert_str_eq(s_at("reason"), "NotFound");
    ck_assert_str_eq(s_at("message"), "deployments.apps \"web\" not found");
    ck_assert_str_eq(s_at("details.name"), "web");
    ck_assert_str_eq(s_at("details.group"), "apps");
    ck_assert_str_eq(s_at("details.kind"), "deployments");
    ck_assert_int_eq(json_get_int(last, "code", 0), 404);
    free(rv);
    free(stale);
}
END_TEST

START_TEST(kapi_bad_input_table)
{
    static const struct {
        const char *method, *url, *ctype, *body;
        int status;
        const char *reason;
    } cases[] = {
        {"POST", "/api/v1/namespaces/default/configmaps", JSON, "{\"metadata\":", 400,
         "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", "application/yaml", "a: [b", 400,
         "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", JSON, "", 400, "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", JSON, "[1,2]", 400, "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", JSON,
         "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", JSON,
         "{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}", 400, "BadRequest"},
        {"POST", "/api/v1/namespaces/default/configmaps", JSON, "{\"metadata\":{\"name\":\"A!\"}}",
         422, "Invalid"},
        {"POST", "/api/v1/namespaces/nope/configmaps", JSON, "{\"metadata\":{\"name\":\"x\"}}",
         404, "NotFound"},
        {"POST", "/api/v1/namespaces/default/configmaps", "application/vnd.kubernetes.protobuf",
         "k8s", 400, "BadRequest"},
        {"GET", "/api/v1/namespaces/default/widgets", NULL, NULL, 404, "NotFound"},
        {"GET", "/apis/nope/v1/things", NULL, NULL, 404, "NotFound"},
        {"GET", "/api/v1/namespaces/default/pods/x/exec", NULL, NULL, 404, "NotFound"},
        {"GET", "/api/v1/pods?labelSelector=a%20in%20(b", NULL, NULL, 400, "BadRequest"},
        {"GET", "/api/v1/namespaces/default/pods/%zz", NULL, NULL, 400, "BadRequest"},
        {"POST", "/api/v1/namespaces/default/pods/x", JSON, "{}", 405, "MethodNotAllowed"},
        {"PATCH", "/api/v1/namespaces/default", "text/plain", "{}", 415, "UnsupportedMediaType"},
        {"PATCH", "/apis/flagger.app/v1beta1/namespaces/default/canaries/x",
         "application/strategic-merge-patch+json", "{}", 415, "UnsupportedMediaType"},
        {"PATCH", "/api/v1/namespaces/default", "application/json-patch+json",
         "[{\"op\":\"remove\",\"path\":\"/nope\"}]", 422, "Invalid"},
        {"PATCH", "/api/v1/namespaces/default", "application/merge-patch+json", "{bad", 400,
         "BadRequest"},
        {"PATCH", "/api/v1/namespaces/default/configmaps/x", "application/apply-patch+yaml",
         "{}", 400, "BadRequest"},
        {"PUT", "/api/v1/namespaces/default", JSON, "{\"metadata\":{\"name\":\"other\"}}", 400,
         "BadRequest"},
        {"GET", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=abc", NULL, NULL, 400,
         "BadRequest"},
    };
    uint64_t rv = kstore_rv(st);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int code = req(cases[i].method, cases[i].url, cases[i].ctype, JSON, cases[i].body);
        ck_assert_msg(code == cases[i].status, "case %zu (%s %s): got %d: %s", i,
                      cases[i].method, cases[i].url, code, last_body);
        ck_assert_str_eq(s_at("kind"), "Status");
        ck_assert_str_eq(s_at("apiVersion"), "v1");
        ck_assert_msg(!strcmp(s_at("reason"), cases[i].reason), "case %zu: reason %s", i,
                      s_at("reason"));
        ck_assert_int_eq(json_get_int(last, "code", 0), cases[i].status);
        ck_assert_str_ne(s_at("message"), "");
    }
    ck_assert_uint_eq(kstore_rv(st), rv); /* no failed request changed anything */
    /* oversized bodies */
    kapi_set_max_body(api, 64);
    char big[200];
    memset(big, ' ', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(req("POST", "/api/v1/namespaces", JSON, JSON, big), 413);
    ck_assert_str_eq(s_at("reason"), "RequestEntityTooLarge");
}
END_TEST

START_TEST(kapi_table_output)
{
    ck_assert_int_eq(req("GET", "/api/v1/namespaces?limit=500", NULL, TABLE, NULL), 200);
    ck_assert_str_eq(s_at("kind"), "Table");
    ck_assert_str_eq(s_at("columnDefinitions[0].name"), "Name");
    ck_assert_str_eq(s_at("columnDefinitions[1].name"), "Status");
    ck_assert_str_eq(s_at("columnDefinitions[2].name"), "Age");
    ck_assert_str_eq(s_at("rows[0].cells[0]"), "default");
    ck_assert_str_eq(s_at("rows[0].cells[1]"), "Active");
    ck_assert_str_eq(s_at("rows[0].object.kind"), "PartialObjectMetadata");
    ck_assert_str_ne(s_at("metadata.resourceVersion"), "");
    clock_set(clk, T0 + 5 * 60 * 1000);
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default", NULL, TABLE, NULL), 200);
    ck_assert_str_eq(s_at("rows[0].cells[2]"), "5m");
    /* a canary: NAME STATUS WEIGHT ... LASTTRANSITIONTIME, and no rows yet */
    ck_assert_int_eq(req("GET", "/apis/flagger.app/v1beta1/namespaces/default/canaries", NULL,
                         TABLE, NULL), 200);
    ck_assert_str_eq(s_at("columnDefinitions[1].name"), "Status");
    ck_assert_str_eq(s_at("columnDefinitions[2].name"), "Weight");
    ck_assert_int_eq(cJSON_GetArraySize(json_get(last, "rows")), 0);
    ck_assert_int_eq(req("POST", "/apis/flagger.app/v1beta1/namespaces/default/canaries", JSON,
                         JSON, "{\"metadata\":{\"name\":\"c\"},\"spec\":{}}"), 201);
    ck_assert_int_eq(req("PATCH", "/apis/flagger.app/v1beta1/namespaces/default/canaries/c/status",
                         "application/merge-patch+json", JSON,
                         "{\"status\":{\"phase\":\"Progressing\",\"canaryWeight\":10}}"), 200);
    ck_assert_int_eq(req("GET", "/apis/flagger.app/v1beta1/namespaces/default/canaries", NULL,
                         TABLE, NULL), 200);
    ck_assert_str_eq(s_at("rows[0].cells[1]"), "Progressing");
    ck_assert_int_eq(json_get_int(last, "rows[0].cells[2]", -1), 10);
    /* pods: NAME READY STATUS RESTARTS AGE */
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods", NULL, TABLE, NULL), 200);
    ck_assert_str_eq(s_at("columnDefinitions[1].name"), "Ready");
    ck_assert_str_eq(s_at("columnDefinitions[3].name"), "Restarts");
}
END_TEST

START_TEST(kapi_status_subresource_and_scale)
{
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 201);
    /* a main-resource write keeps status; /status changes only status */
    ck_assert_int_eq(req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/status",
                         "application/merge-patch+json", JSON,
                         "{\"spec\":{\"replicas\":9},\"status\":{\"readyReplicas\":2}}"), 200);
    ck_assert_int_eq(json_get_int(last, "status.readyReplicas", 0), 2);
    ck_assert_int_eq(json_get_int(last, "spec.replicas", 0), 2);
    ck_assert_int_eq(req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                         "application/merge-patch+json", JSON,
                         "{\"status\":{\"readyReplicas\":7}}"), 200);
    ck_assert_int_eq(json_get_int(last, "status.readyReplicas", 0), 2);
    ck_assert_int_eq(req("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", NULL,
                         JSON, NULL), 200);
    ck_assert_str_eq(s_at("kind"), "Scale");
    ck_assert_str_eq(s_at("apiVersion"), "autoscaling/v1");
    ck_assert_str_eq(s_at("status.selector"), "app=web");
    ck_assert_int_eq(req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                         "application/merge-patch+json", JSON, "{\"spec\":{\"replicas\":4}}"),
                     200);
    ck_assert_int_eq(json_get_int(last, "spec.replicas", 0), 4);
    ck_assert_int_eq(req("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", NULL,
                         JSON, "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":"
                               "{\"replicas\":1}}"), 409);
    ck_assert_int_eq(req("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", NULL,
                         JSON, "{\"spec\":{\"replicas\":-1}}"), 422);
    ck_assert_int_eq(req("GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, JSON,
                         NULL), 200);
    ck_assert_int_eq(json_get_int(last, "spec.replicas", 0), 4);
}
END_TEST

START_TEST(kapi_strategic_and_apply_patches)
{
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 201);
    ck_assert_int_eq(req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                         "application/strategic-merge-patch+json", JSON,
                         "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\","
                         "\"image\":\"web:2.0\"}]}}}}"), 200);
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].image"), "web:2.0");
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].imagePullPolicy"), "IfNotPresent");
    /* server-side apply creates (201) then merges (200) */
    const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                     "\"cfg\"},\"data\":{\"a\":\"1\"}}";
    ck_assert_int_eq(req("PATCH", "/api/v1/namespaces/default/configmaps/cfg?fieldManager=t",
                         "application/apply-patch+yaml", JSON, cm), 201);
    ck_assert_int_eq(req("PATCH", "/api/v1/namespaces/default/configmaps/cfg?fieldManager=t",
                         "application/apply-patch+yaml", JSON, "data:\n  b: \"2\"\n"), 200);
    ck_assert_str_eq(s_at("data.a"), "1");
    ck_assert_str_eq(s_at("data.b"), "2");
    /* dry run never persists */
    ck_assert_int_eq(req("PATCH", "/api/v1/namespaces/default/configmaps/cfg?dryRun=All",
                         "application/merge-patch+json", JSON, "{\"data\":{\"a\":\"x\"}}"), 200);
    ck_assert_str_eq(s_at("data.a"), "x");
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/configmaps/cfg", NULL, JSON, NULL),
                     200);
    ck_assert_str_eq(s_at("data.a"), "1");
}
END_TEST

START_TEST(kapi_services_get_cluster_ips)
{
    const char *svc = "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":80}]}}";
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/services", JSON, JSON, svc), 201);
    char *ip = xstrdup(s_at("spec.clusterIP"));
    ck_assert_int_eq(strncmp(ip, "10.96.", 6), 0);
    ck_assert_str_eq(s_at("spec.type"), "ClusterIP");
    ck_assert_str_eq(s_at("spec.sessionAffinity"), "None");
    ck_assert_str_eq(s_at("spec.ports[0].protocol"), "TCP");
    ck_assert_int_eq(json_get_int(last, "spec.ports[0].targetPort", 0), 80);
    /* a PUT without clusterIP keeps the assigned one */
    ck_assert_int_eq(req("PUT", "/api/v1/namespaces/default/services/s", JSON, JSON, svc), 200);
    ck_assert_str_eq(s_at("spec.clusterIP"), ip);
    free(ip);
}
END_TEST

START_TEST(kapi_crd_makes_resources_servable)
{
    const char *crd =
        "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
        "\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\","
        "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\","
        "\"kind\":\"Widget\",\"shortNames\":[\"wd\"]},\"versions\":[{\"name\":\"v1alpha1\","
        "\"served\":true,\"storage\":false},{\"name\":\"v1\",\"served\":true,\"storage\":true,"
        "\"additionalPrinterColumns\":[{\"name\":\"Size\",\"type\":\"integer\",\"jsonPath\":"
        "\".spec.size\"}]}]}}";
    ck_assert_int_eq(req("GET", "/apis/example.com/v1/namespaces/default/widgets", NULL, JSON,
                         NULL), 404);
    ck_assert_int_eq(req("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", JSON,
                         JSON, crd), 201);
    ck_assert_str_eq(s_at("status.conditions[0].type"), "Established");
    ck_assert_int_eq(req("POST", "/apis/example.com/v1/namespaces/default/widgets", JSON, JSON,
                         "{\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":3}}"), 201);
    ck_assert_str_eq(s_at("apiVersion"), "example.com/v1");
    ck_assert_int_eq(req("GET", "/apis/example.com/v1alpha1/namespaces/default/widgets/w", NULL,
                         JSON, NULL), 200);
    ck_assert_str_eq(s_at("apiVersion"), "example.com/v1alpha1");
    ck_assert_int_eq(req("GET", "/apis/example.com", NULL, JSON, NULL), 200);
    ck_assert_str_eq(s_at("preferredVersion.version"), "v1");
    ck_assert_int_eq(req("GET", "/apis/example.com/v1/namespaces/default/widgets", NULL, TABLE,
                         NULL), 200);
    ck_assert_str_eq(s_at("columnDefinitions[1].name"), "Size");
    ck_assert_int_eq(json_get_int(last, "rows[0].cells[1]", 0), 3);
    /* a bad CRD is refused; deleting the CRD removes the type */
    ck_assert_int_eq(req("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", JSON,
                         JSON, "{\"metadata\":{\"name\":\"x.y\"},\"spec\":{}}"), 422);
    ck_assert_int_eq(req("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                   "widgets.example.com", NULL, JSON, NULL), 200);
    ck_assert_int_eq(req("GET", "/apis/example.com/v1/namespaces/default/widgets", NULL, JSON,
                         NULL), 404);
}
END_TEST

START_TEST(kapi_watch_streams_events)
{
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/configmaps", NULL, JSON, NULL), 200);
    char *rv = xstrdup(s_at("metadata.resourceVersion"));
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/configmaps", JSON, JSON,
                         "{\"metadata\":{\"name\":\"a\",\"labels\":{\"w\":\"1\"}}}"), 201);
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/configmaps", JSON, JSON,
                         "{\"metadata\":{\"name\":\"b\"}}"), 201);
    ck_assert_int_eq(req("DELETE", "/api/v1/namespaces/default/configmaps/a", NULL, JSON, NULL),
                     200);
    char url[256];
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?watch=true&"
                               "resourceVersion=%s", rv);
    ck_assert_int_eq(req("GET", url, NULL, JSON, NULL), 200);
    ck_assert_ptr_nonnull(strstr(last_body, "{\"type\":\"ADDED\",\"object\":{"));
    ck_assert_ptr_nonnull(strstr(last_body, "\"type\":\"DELETED\""));
    ck_assert_ptr_nonnull(strstr(last_body, "\"kind\":\"ConfigMap\""));
    int lines = 0;
    for (const char *p = last_body; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 3);
    /* selectors apply; no rv: synthetic ADDED for what exists */
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?watch=1&"
                               "resourceVersion=%s&labelSelector=w%%3D1", rv);
    ck_assert_int_eq(req("GET", url, NULL, JSON, NULL), 200);
    ck_assert_ptr_null(strstr(last_body, "\"name\":\"b\""));
    ck_assert_int_eq(req("GET", "/api/v1/watch/namespaces/default/configmaps", NULL, TABLE, NULL),
                     200);
    ck_assert_ptr_nonnull(strstr(last_body, "\"type\":\"ADDED\",\"object\":{\"kind\":\"Table\""));
    /* too old: 410 */
    kstore_set_window(st, 16);
    for (int i = 0; i < 20; i++) {
        char body[96];
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"n%d\"}}", i);
        req("POST", "/api/v1/namespaces/default/configmaps", JSON, JSON, body);
    }
    ck_assert_int_eq(req("GET", url, NULL, JSON, NULL), 410);
    ck_assert_str_eq(s_at("reason"), "Expired");
    free(rv);
}
END_TEST

START_TEST(kapi_protobuf_namespace_create)
{
    static const unsigned char body[] = {
        0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 'N', 'a', 'm', 'e',
        's', 'p', 'a', 'c', 'e', 0x12, 0x1e, 0x0a, 0x16, 0x0a, 0x06, 'n', 'e', 'w', 'n', 's', '2',
        0x12, 0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12,
        0x00, 0x1a, 0x02, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00};
    struct http_request rq = HTTP_REQUEST_INIT;
    struct http_response rs;
    rq.method = "POST";
    rq.url = "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict";
    http_headers_add(&rq.headers, "Content-Type", "application/vnd.kubernetes.protobuf");
    rq.body = (const char *)body;
    rq.body_len = sizeof(body);
    http_response_init(&rs);
    kapi_handle(api, &rq, &rs);
    ck_assert_int_eq(rs.status, 201);
    ck_assert_ptr_nonnull(kstore_peek(st, "", "namespaces", "", "newns2"));
    http_response_release(&rs);
    http_headers_release(&rq.headers);
}
END_TEST

START_TEST(kapi_faults_and_logs)
{
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/pods", JSON, JSON,
                         "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":"
                         "\"c\",\"image\":\"x\"}]}}"), 201);
    ck_assert_str_eq(s_at("status.phase"), "Pending");
    ck_assert_int_eq(kapi_fault_add(api, "get", "pods", 503, 0, 1.0, NULL), 0);
    ck_assert_int_eq(kapi_fault_add(api, "frob", "pods", 503, 0, 1.0, NULL), E_INVALID);
    ck_assert_int_eq(kapi_fault_add(api, "get", "pods", 503, 0, 1.5, NULL), E_INVALID);
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods/p", NULL, JSON, NULL), 503);
    ck_assert_str_eq(s_at("reason"), "ServiceUnavailable");
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods", NULL, JSON, NULL), 200);
    kapi_fault_clear(api);
    ck_assert_int_eq(kapi_fault_add(api, "*", "*", 0, 1500, 1.0, NULL), 0);
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods/p", NULL, JSON, NULL), 200);
    ck_assert_int_eq(clock_now_ms(clk), T0 + 1500);
    kapi_fault_clear(api);
    kstore_log_append(st, "default", "p", "c", "one\ntwo\nthree\n");
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods/p/log?tailLines=2", NULL, NULL,
                         NULL), 200);
    ck_assert_str_eq(last_body, "two\nthree\n");
    ck_assert_str_eq(last_ctype, "text/plain");
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods/p/log?follow=true&tailLines=1",
                         NULL, NULL, NULL), 200);
    ck_assert_str_eq(last_body, "three\n");
    ck_assert_int_eq(req("GET", "/api/v1/namespaces/default/pods/q/log", NULL, NULL, NULL), 404);
}
END_TEST

START_TEST(kapi_delete_collects_dependents)
{
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/configmaps", JSON, JSON,
                         "{\"metadata\":{\"name\":\"owner\"}}"), 201);
    char *body = xasprintf("{\"metadata\":{\"name\":\"dep\",\"ownerReferences\":[{\"apiVersion\":"
                           "\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\"}]}}",
                           s_at("metadata.uid"));
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/secrets", JSON, JSON, body), 201);
    ck_assert_int_eq(req("DELETE", "/api/v1/namespaces/default/configmaps/owner", NULL, JSON,
                         NULL), 200);
    ck_assert_ptr_null(kstore_peek(st, "", "secrets", "default", "dep"));
    free(body);
}
END_TEST

#define DEP "/apis/apps/v1/namespaces/default/deployments/web"

START_TEST(kapi_rejects_non_finite_numbers)
{
    static const char cm[] = "/api/v1/namespaces/default/configmaps";
    static const struct {
        const char *method, *url, *ctype, *body, *field;
    } cases[] = {
        {"POST", cm, JSON, "{\"metadata\":{\"name\":\"x\"},\"n\":1e340}", "n:"},
        {"POST", cm, JSON, "{\"metadata\":{\"name\":\"x\"},\"n\":[-1e999]}", "n[0]:"},
        {"POST", cm, "application/yaml", "metadata: {name: x}\nnum: .inf\n", "num:"},
        {"POST", cm, "application/yaml", "metadata: {name: x}\nnum: {m: .nan}\n", "num.m:"},
        {"PUT", DEP, JSON, NULL, "spec.replicas:"},
        {"PATCH", DEP, "application/merge-patch+json", "{\"spec\":{\"replicas\":1e340}}",
         "spec.replicas:"},
        {"PATCH", DEP, "application/strategic-merge-patch+json",
         "{\"spec\":{\"replicas\":1E+400}}", "spec.replicas:"},
        {"PATCH", DEP, "application/json-patch+json",
         "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":1e340}]",
         "[0].value:"},
        {"PATCH", DEP "?fieldManager=m", "application/apply-patch+yaml",
         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: .inf}\n",
         "spec.replicas:"},
        {"PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", JSON,
         "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":"
         "\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":1e340}}",
         "spec.replicas:"},
    };
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 201);
    char *put = xstrdup(deploy);
    char *two = strstr(put, "\"replicas\":2");
    ck_assert_ptr_nonnull(two);
    char *body = xasprintf("%.*s\"replicas\":1e340%s", (int)(two - put), put,
                           two + strlen("\"replicas\":2"));
    uint64_t rv = kstore_rv(st);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *b = cases[i].body ? cases[i].body : body;
        int code = req(cases[i].method, cases[i].url, cases[i].ctype, JSON, b);
        ck_assert_msg(code == 400, "case %zu: got %d: %s", i, code, last_body);
        ck_assert_str_eq(s_at("kind"), "Status");
        ck_assert_str_eq(s_at("reason"), "BadRequest");
        ck_assert_msg(strstr(s_at("message"), cases[i].field) &&
                          strstr(s_at("message"), "numbers must be finite"),
                      "case %zu: message %s", i, s_at("message"));
    }
    ck_assert_uint_eq(kstore_rv(st), rv);
    ck_assert_int_eq(json_get_int(kstore_peek(st, "apps", "deployments", "default", "web"),
                                  "spec.replicas", 0), 2);
    free(body);
    free(put);
}
END_TEST

/* ---- protobuf bodies (kproto.c) ---- */

#define PROTO "application/vnd.kubernetes.protobuf"

static void pb_varint(struct buf *b, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        buf_putc(b, (char)(v | 0x80));
    buf_putc(b, (char)v);
}

/* Append field (wire type 2) holding n bytes. */
static void pb_bytes(struct buf *b, unsigned field, const void *p, size_t n)
{
    pb_varint(b, field << 3 | 2);
    pb_varint(b, n);
    buf_add(b, p, n);
}

static void pb_s(struct buf *b, unsigned field, const char *s) { pb_bytes(b, field, s, strlen(s)); }

/* Append field holding the message sub (released). */
static void pb_m(struct buf *b, unsigned field, struct buf *sub)
{
    pb_bytes(b, field, sub->ptr, sub->len);
    buf_release(sub);
}

static void pb_i(struct buf *b, unsigned field, int64_t v)
{
    pb_varint(b, field << 3);
    pb_varint(b, (uint64_t)v);
}

/* A Deployment body: one container made of cfields (raw Container fields). */
static void pb_deployment(struct buf *out, const char *name, int64_t replicas,
                          struct buf *cfields)
{
    struct buf tm = BUF_INIT, md = BUF_INIT, lbl = BUF_INIT, sel = BUF_INIT, tmd = BUF_INIT;
    struct buf pod = BUF_INIT, tpl = BUF_INIT, spec = BUF_INIT, obj = BUF_INIT;
    buf_add(out, "k8s", 4);
    pb_s(&tm, 1, "apps/v1");
    pb_s(&tm, 2, "Deployment");
    pb_m(out, 1, &tm);
    pb_s(&md, 1, name);
    pb_m(&obj, 1, &md);
    pb_s(&lbl, 1, "app");
    pb_s(&lbl, 2, "hand");
    pb_bytes(&sel, 1, lbl.ptr, lbl.len);
    pb_bytes(&tmd, 11, lbl.ptr, lbl.len);
    buf_release(&lbl);
    pb_m(&pod, 2, cfields);
    pb_m(&tpl, 1, &tmd);
    pb_m(&tpl, 2, &pod);
    pb_i(&spec, 1, replicas);
    pb_m(&spec, 2, &sel);
    pb_m(&spec, 3, &tpl);
    pb_m(&obj, 2, &spec);
    pb_m(out, 2, &obj);
}

static int post_file(const char *url, const char *path)
{
    FILE *f = fopen(path, "rb");
    char data[4096];
    ck_assert_ptr_nonnull(f);
    size_t n = fread(data, 1, sizeof(data), f);
    fclose(f);
    return req_n("POST", url, PROTO, JSON, data, n);
}

START_TEST(kapi_protobuf_deployment_and_hpa_from_kubectl)
{
    ck_assert_int_eq(req("POST", "/api/v1/namespaces", JSON, JSON,
                         "{\"metadata\":{\"name\":\"pbt\"}}"), 201);
    ck_assert_int_eq(post_file("/apis/apps/v1/namespaces/pbt/deployments?fieldManager=kubectl-"
                               "create&fieldValidation=Strict",
                               "tests/fixtures/kube/proto/deployment.pb"), 201);
    const cJSON *d = kstore_peek(st, "apps", "deployments", "pbt", "web");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(json_get_int(d, "spec.replicas", 0), 2);
    ck_assert_str_eq(json_get_str(d, "metadata.labels.app", ""), "web");
    ck_assert_str_eq(json_get_str(d, "spec.selector.matchLabels.app", ""), "web");
    ck_assert_str_eq(json_get_str(d, "spec.template.metadata.labels.app", ""), "web");
    const cJSON *c = json_get(d, "spec.template.spec.containers[0]");
    ck_assert_str_eq(json_get_str(c, "name", ""), "nginx");
    ck_assert_str_eq(json_get_str(c, "image", ""), "nginx:1.25");
    ck_assert_str_eq(json_get_str(c, "command[0]", ""), "/bin/app");
    ck_assert_str_eq(json_get_str(c, "command[1]", ""), "--flag=x");
    ck_assert_int_eq(json_get_int(c, "ports[0].containerPort", 0), 8080);
    ck_assert_ptr_null(json_get(c, "ports[0].hostPort"));
    ck_assert_ptr_null(json_get(d, "spec.template.spec.containers[1]"));
    ck_assert_int_eq(post_file("/apis/autoscaling/v1/namespaces/pbt/horizontalpodautoscalers?"
                               "fieldManager=kubectl-autoscale",
                               "tests/fixtures/kube/proto/hpa.pb"), 201);
    const cJSON *h = kstore_peek(st, "autoscaling", "horizontalpodautoscalers", "pbt", "web");
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(json_get_str(h, "spec.scaleTargetRef.kind", ""), "Deployment");
    ck_assert_str_eq(json_get_str(h, "spec.scaleTargetRef.name", ""), "web");
    ck_assert_str_eq(json_get_str(h, "spec.scaleTargetRef.apiVersion", ""), "apps/v1");
    ck_assert_int_eq(json_get_int(h, "spec.minReplicas", 0), 2);
    ck_assert_int_eq(json_get_int(h, "spec.maxReplicas", 0), 5);
    /* stored in the autoscaling/v2 form, served back as v1 */
    ck_assert_int_eq(json_get_int(h, "spec.metrics[0].resource.target.averageUtilization", 0), 70);
    ck_assert_int_eq(req("GET", "/apis/autoscaling/v1/namespaces/pbt/horizontalpodautoscalers/web",
                         NULL, JSON, NULL), 200);
    ck_assert_int_eq(json_get_int(last, "spec.targetCPUUtilizationPercentage", 0), 70);
    ck_assert_ptr_null(json_get(last, "spec.metrics"));
}
END_TEST

START_TEST(kapi_protobuf_deployment_fields_and_refusals)
{
    static const char url[] = "/apis/apps/v1/namespaces/default/deployments";
    struct buf body = BUF_INIT, c = BUF_INIT, env = BUF_INIT, port = BUF_INIT;
    pb_s(&c, 1, "app");
    pb_s(&c, 2, "img:2");
    pb_s(&c, 4, "--verbose");
    pb_s(&env, 1, "A");
    pb_s(&env, 2, "1");
    pb_m(&c, 7, &env);
    pb_s(&env, 1, "EMPTY");
    pb_m(&c, 7, &env);
    pb_i(&port, 3, 9898);
    pb_s(&port, 4, "UDP");
    pb_m(&c, 6, &port);
    pb_deployment(&body, "hand", 0, &c);
    ck_assert_int_eq(req_n("POST", url, PROTO, JSON, body.ptr, body.len), 201);
    ck_assert_int_eq(json_get_int(last, "spec.replicas", -1), 0);
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].args[0]"), "--verbose");
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].env[0].value"), "1");
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].env[1].name"), "EMPTY");
    ck_assert_ptr_null(json_get(last, "spec.template.spec.containers[0].env[1].value"));
    ck_assert_str_eq(s_at("spec.template.spec.containers[0].ports[0].protocol"), "UDP");
    buf_reset(&body);
    /* a negative int32 arrives sign-extended to ten bytes (and is then refused) */
    pb_s(&c, 1, "app");
    pb_s(&c, 2, "img:2");
    pb_deployment(&body, "neg", -1, &c);
    ck_assert_int_eq(req_n("POST", url, PROTO, JSON, body.ptr, body.len), 422);
    ck_assert_str_eq(s_at("message"), "Deployment.apps \"neg\" is invalid: spec.replicas: "
                     "Invalid value: -1: must be greater than or equal to 0");
    buf_reset(&body);
    /* fields outside the subset are refused by name, never dropped */
    uint64_t rv = kstore_rv(st);
    pb_s(&c, 1, "app");
    pb_s(&env, 1, "X");
    pb_s(&env, 3, "\x0a\x00"); /* valueFrom */
    pb_m(&c, 7, &env);
    pb_deployment(&body, "refused", 1, &c);
    ck_assert_int_eq(req_n("POST", url, PROTO, JSON, body.ptr, body.len), 415);
    ck_assert_str_eq(s_at("reason"), "UnsupportedMediaType");
    ck_assert_str_eq(s_at("message"), "protobuf Deployment: field 3 of EnvVar is not supported by "
                     "this server: send JSON");
    buf_reset(&body);
    pb_s(&c, 1, "app");
    pb_s(&c, 8, "\x0a\x00"); /* resources */
    pb_deployment(&body, "refused", 1, &c);
    ck_assert_int_eq(req_n("POST", url, PROTO, JSON, body.ptr, body.len), 415);
    ck_assert_ptr_nonnull(strstr(s_at("message"), "field 8 of Container"));
    /* truncated: malformed */
    ck_assert_int_eq(req_n("POST", url, PROTO, JSON, body.ptr, body.len - 3), 400);
    ck_assert_str_eq(s_at("reason"), "BadRequest");
    buf_release(&body);
    /* other kinds, and HPAs of another version, are refused by name */
    struct buf tm = BUF_INIT;
    buf_add(&body, "k8s", 4);
    pb_s(&tm, 1, "autoscaling/v2");
    pb_s(&tm, 2, "HorizontalPodAutoscaler");
    pb_m(&body, 1, &tm);
    ck_assert_int_eq(req_n("POST", "/apis/autoscaling/v2/namespaces/default/"
                           "horizontalpodautoscalers", PROTO, JSON, body.ptr, body.len), 415);
    ck_assert_ptr_nonnull(strstr(s_at("message"), "not autoscaling/v2 HorizontalPodAutoscaler"));
    buf_release(&body);
    ck_assert_uint_eq(kstore_rv(st), rv);
}
END_TEST

/* ---- watch bookmarks ---- */

/* Read what an open watch stream has now (until it has nothing) into out. */
static void stream_now(struct http_response *rs, struct buf *out)
{
    char chunk[4096];
    buf_reset(out);
    for (int i = 0; i < 100; i++) {
        ssize_t n = rs->stream(rs->stream_ctx, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        buf_add(out, chunk, (size_t)n);
    }
}

static void open_watch(struct http_request *rq, struct http_response *rs, const char *url)
{
    *rq = (struct http_request)HTTP_REQUEST_INIT;
    rq->method = "GET";
    rq->url = url;
    http_response_init(rs);
    kapi_handle(api, rq, rs);
    ck_assert_int_eq(rs->status, 200);
    ck_assert_ptr_nonnull(rs->stream);
}

START_TEST(kapi_watch_bookmarks_on_the_clock)
{
    struct http_request rq, rq2;
    struct http_response rs, rs2;
    struct buf got = BUF_INIT;
    char url[256], want[160];
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON, JSON,
                         deploy), 201);
    uint64_t rv = kstore_rv(st);
    snprintf(url, sizeof(url), "/apis/apps/v1/namespaces/default/deployments?watch=1&"
                               "resourceVersion=%llu&allowWatchBookmarks=true",
             (unsigned long long)rv);
    open_watch(&rq, &rs, url);
    open_watch(&rq2, &rs2, "/apis/apps/v1/namespaces/default/deployments?watch=1&"
                           "resourceVersion=1");
    stream_now(&rs, &got);
    ck_assert_str_eq(got.ptr, ""); /* not due yet */
    /* a change elsewhere moves the store on; after the interval the bookmark
     * names that resourceVersion, with the watched kind */
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/configmaps", JSON, JSON,
                         "{\"metadata\":{\"name\":\"other\"}}"), 201);
    clock_set(clk, T0 + 60 * 1000);
    stream_now(&rs, &got);
    snprintf(want, sizeof(want), "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{"
             "\"resourceVersion\":\"%llu\"},\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\"}}\n",
             (unsigned long long)kstore_rv(st));
    ck_assert_str_eq(got.ptr, want);
    stream_now(&rs, &got);
    ck_assert_str_eq(got.ptr, ""); /* one per interval */
    kapi_set_bookmark_interval(api, 5000); /* applies to new watches */
    clock_set(clk, T0 + 120 * 1000);
    stream_now(&rs, &got);
    ck_assert_ptr_nonnull(strstr(got.ptr, "\"type\":\"BOOKMARK\""));
    /* without allowWatchBookmarks: events only */
    stream_now(&rs2, &got);
    ck_assert_ptr_nonnull(strstr(got.ptr, "\"type\":\"ADDED\""));
    ck_assert_ptr_null(strstr(got.ptr, "BOOKMARK"));
    http_response_release(&rs); /* frees the streams */
    http_response_release(&rs2);
    buf_release(&got);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kapi");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kapi_version_and_health);
    tcase_add_test(tc, kapi_discovery_aggregated_and_legacy);
    tcase_add_test(tc, kapi_openapi_v3);
    tcase_add_test(tc, kapi_crud_roundtrip);
    tcase_add_test(tc, kapi_bad_input_table);
    tcase_add_test(tc, kapi_table_output);
    tcase_add_test(tc, kapi_status_subresource_and_scale);
    tcase_add_test(tc, kapi_strategic_and_apply_patches);
    tcase_add_test(tc, kapi_services_get_cluster_ips);
    tcase_add_test(tc, kapi_crd_makes_resources_servable);
    tcase_add_test(tc, kapi_watch_streams_events);
    tcase_add_test(tc, kapi_protobuf_namespace_create);
    tcase_add_test(tc, kapi_faults_and_logs);
    tcase_add_test(tc, kapi_delete_collects_dependents);
    tcase_add_test(tc, kapi_rejects_non_finite_numbers);
    tcase_add_test(tc, kapi_protobuf_deployment_and_hpa_from_kubectl);
    tcase_add_test(tc, kapi_protobuf_deployment_fields_and_refusals);
    tcase_add_test(tc, kapi_watch_bookmarks_on_the_clock);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
