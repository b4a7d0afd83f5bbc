/* kconv_test.c -- unit tests for kconv (HPA version conversion): v1 <-> v2
 * with the alpha annotations, v2beta1 <-> v2 for every metric type, and the
 * API serving one stored HPA in every version (get, list, put, patch, Table). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "ktest.h"
#include "kconv.h"

#define HPA_GR "autoscaling", "horizontalpodautoscalers"

static cJSON *parse(const char *text)
{
    cJSON *o = NULL;
    ck_assert_int_eq(json_parse(&o, text, strlen(text), "test", NULL), 0);
    return o;
}

static const char V1[] =
    "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{"
    "\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
    "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},\"minReplicas\":2,\"maxReplicas\":5,"
    "\"targetCPUUtilizationPercentage\":70},\"status\":{\"currentReplicas\":2,"
    "\"desiredReplicas\":2,\"currentCPUUtilizationPercentage\":40}}";

/* A v2 HPA with every metric type, behavior, current metrics and conditions.
 * The cpu target is last: the order a v1 round trip keeps. */
static const char V2_FULL[] =
    "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{"
    "\"name\":\"web\",\"namespace\":\"default\",\"annotations\":{\"keep\":\"me\"}},\"spec\":{"
    "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
    "\"minReplicas\":1,\"maxReplicas\":9,\"metrics\":["
    "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"target\":{\"type\":"
    "\"AverageValue\",\"averageValue\":\"100Mi\"}}},"
    "{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"rps\",\"selector\":{\"matchLabels\":{"
    "\"a\":\"b\"}}},\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"10\"}}},"
    "{\"type\":\"Object\",\"object\":{\"describedObject\":{\"apiVersion\":\"v1\",\"kind\":"
    "\"Service\",\"name\":\"web\"},\"metric\":{\"name\":\"hits\"},\"target\":{\"type\":\"Value\","
    "\"value\":\"2k\"}}},"
    "{\"type\":\"External\",\"external\":{\"metric\":{\"name\":\"queue\"},\"target\":{\"type\":"
    "\"AverageValue\",\"averageValue\":\"30\"}}},"
    "{\"type\":\"ContainerResource\",\"containerResource\":{\"name\":\"cpu\",\"container\":"
    "\"app\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":60}}},"
    "{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
    "\"averageUtilization\":75}}}],"
    "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}},"
    "\"status\":{\"currentReplicas\":3,\"desiredReplicas\":3,\"currentMetrics\":["
    "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"current\":{\"averageValue\":"
    "\"80Mi\"}}},"
    "{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"current\":{\"averageUtilization\":"
    "50,\"averageValue\":\"50m\"}}}],"
    "\"conditions\":[{\"type\":\"AbleToScale\",\"status\":\"True\",\"reason\":"
    "\"ReadyForNewScale\"}]}}";

START_TEST(kconv_v1_to_v2_and_back)
{
    cJSON *o = parse(V1);
    kconv_in(HPA_GR, "v1", o);
    ck_assert_str_eq(json_get_str(o, "apiVersion", ""), "autoscaling/v2");
    ck_assert_ptr_null(json_get(o, "spec.targetCPUUtilizationPercentage"));
    ck_assert_str_eq(json_get_str(o, "spec.metrics[0].type", ""), "Resource");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[0].resource.name", ""), "cpu");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[0].resource.target.type", ""), "Utilization");
    ck_assert_int_eq(json_get_int(o, "spec.metrics[0].resource.target.averageUtilization", 0), 70);
    ck_assert_int_eq(json_get_int(o, "status.currentMetrics[0].resource.current."
                                     "averageUtilization", 0), 40);
    ck_assert_ptr_null(json_get(o, "status.currentCPUUtilizationPercentage"));
    ck_assert_ptr_null(json_get(o, "metadata.annotations"));
    kconv_out(HPA_GR, "v1", o);
    /* the v1 form comes back, plus the raw current metric kept in its annotation */
    cJSON *want = parse(V1);
    const char *cur = json_get_str(o, "metadata.annotations.autoscaling\\.alpha\\.kubernetes"
                                      "\\.io/current-metrics", "");
    ck_assert_str_eq(cur, "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
                          "\"currentAverageUtilization\":40}}]");
    json_delete(o, "metadata.annotations");
    ck_assert(json_equal(o, want));
    cJSON_Delete(want);
    cJSON_Delete(o);
}
END_TEST

START_TEST(kconv_v2_through_v1_keeps_everything)
{
    cJSON *o = parse(V2_FULL), *want = parse(V2_FULL);
    kconv_out(HPA_GR, "v1", o);
    ck_assert_str_eq(json_get_str(o, "apiVersion", ""), "autoscaling/v1");
    ck_assert_int_eq(json_get_int(o, "spec.targetCPUUtilizationPercentage", 0), 75);
    ck_assert_int_eq(json_get_int(o, "status.currentCPUUtilizationPercentage", 0), 50);
    ck_assert_ptr_null(json_get(o, "spec.metrics"));
    ck_assert_ptr_null(json_get(o, "spec.behavior"));
    ck_assert_ptr_null(json_get(o, "status.conditions"));
    const char *m = json_get_str(o, "metadata.annotations.autoscaling\\.alpha\\.kubernetes"
                                    "\\.io/metrics", "");
    /* the other metrics in the v1 (v2beta1-shaped) MetricSpec */
    ck_assert_ptr_nonnull(strstr(m, "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\","
                                    "\"targetAverageValue\":\"100Mi\"}}"));
    ck_assert_ptr_nonnull(strstr(m, "\"pods\":{\"metricName\":\"rps\",\"selector\":"));
    ck_assert_ptr_null(strstr(m, "\"averageUtilization\":75"));
    ck_assert_str_eq(json_get_str(o, "metadata.annotations.autoscaling\\.alpha\\.kubernetes"
                                     "\\.io/behavior", ""),
                     "{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}");
    ck_assert_str_eq(json_get_str(o, "metadata.annotations.keep", ""), "me");
    kconv_in(HPA_GR, "v1", o);
    ck_assert(json_equal(o, want));
    cJSON_Delete(o);
    cJSON_Delete(want);
}
END_TEST

START_TEST(kconv_v2beta1_round_trip_every_metric_type)
{
    cJSON *o = parse(V2_FULL), *want = parse(V2_FULL);
    kconv_out(HPA_GR, "v2beta1", o);
    ck_assert_str_eq(json_get_str(o, "apiVersion", ""), "autoscaling/v2beta1");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[0].resource.targetAverageValue", ""), "100Mi");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[1].pods.metricName", ""), "rps");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[1].pods.selector.matchLabels.a", ""), "b");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[1].pods.targetAverageValue", ""), "10");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[2].object.target.kind", ""), "Service");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[2].object.metricName", ""), "hits");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[2].object.targetValue", ""), "2k");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[3].external.metricName", ""), "queue");
    ck_assert_str_eq(json_get_str(o, "spec.metrics[3].external.targetAverageValue", ""), "30");
    ck_assert_int_eq(json_get_int(o, "spec.metrics[4].containerResource."
                                     "targetAverageUtilization", 0), 60);
    ck_assert_int_eq(json_get_int(o, "spec.metrics[5].resource.targetAverageUtilization", 0), 75);
    ck_assert_ptr_null(json_get(o, "spec.metrics[5].resource.target"));
    ck_assert_int_eq(json_get_int(o, "status.currentMetrics[1].resource."
                                     "currentAverageUtilization", 0), 50);
    ck_assert_str_eq(json_get_str(o, "status.conditions[0].type", ""), "AbleToScale");
    ck_assert_ptr_null(json_get(o, "spec.behavior"));
    kconv_in(HPA_GR, "v2beta1", o);
    ck_assert(json_equal(o, want));
    /* v2beta2 has v2's shape */
    kconv_out(HPA_GR, "v2beta2", o);
    ck_assert_str_eq(json_get_str(o, "apiVersion", ""), "autoscaling/v2beta2");
    kconv_in(HPA_GR, "v2beta2", o);
    ck_assert(json_equal(o, want));
    cJSON_Delete(o);
    cJSON_Delete(want);
}
END_TEST

START_TEST(kconv_other_types_and_odd_shapes)
{
    cJSON *o = parse("{\"apiVersion\":\"apps/v1\",\"spec\":{\"replicas\":1}}");
    cJSON *want = cJSON_Duplicate(o, 1);
    kconv_in("apps", "deployments", "v1", o);
    kconv_out("apps", "deployments", "v1", o);
    ck_assert(json_equal(o, want));
    cJSON_Delete(o);
    cJSON_Delete(want);
    /* an HPA stored straight in the v1 shape is served as v2 */
    o = parse(V1);
    kconv_out(HPA_GR, "v2", o);
    ck_assert_int_eq(json_get_int(o, "spec.metrics[0].resource.target.averageUtilization", 0), 70);
    cJSON_Delete(o);
    static const char *const odd[] = {
        "{\"spec\":7,\"status\":[]}",
        "{\"metadata\":{\"annotations\":{\"autoscaling.alpha.kubernetes.io/metrics\":\"[{\","
        "\"autoscaling.alpha.kubernetes.io/conditions\":7}},\"spec\":{\"metrics\":[7,{\"type\":"
        "\"Pods\",\"pods\":[]},{\"type\":\"Nope\"}],\"targetCPUUtilizationPercentage\":\"x\"}}",
        "{\"metadata\":[],\"spec\":{\"behavior\":{}},\"status\":{\"currentMetrics\":{}}}",
    };
    static const char *const versions[] = {"v1", "v2beta1", "v2beta2", "v2"};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        for (size_t j = 0; j < 4; j++) {
            o = parse(odd[i]);
            kconv_in(HPA_GR, versions[j], o);
            ck_assert_str_eq(json_get_str(o, "apiVersion", ""), "autoscaling/v2");
            kconv_out(HPA_GR, versions[(j + 1) % 4], o);
            cJSON_Delete(o);
        }
    }
}
END_TEST

/* ---- through the API ----------------------------------------------------------------------- */

static struct ktest kt;
static kstore *st;
static cJSON *last;

static void setup(void)
{
    ktest_open(&kt, KTEST_T0);
    st = kt.st;
    last = NULL;
}

static void teardown(void)
{
    cJSON_Delete(last);
    ktest_close(&kt);
}

static int req(const char *method, const char *url, const char *ctype, const char *accept,
               const char *body)
{
    return ktest_req_json(kt.api, method, url, ctype, accept, body, &last);
}

#define JSON "application/json"
#define TABLE "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
#define HPAS(v) "/apis/autoscaling/" v "/namespaces/default/horizontalpodautoscalers"

/* The TARGETS cell of the Table for the HPA named web. */
static const char *targets(void)
{
    ck_assert_int_eq(req("GET", HPAS("v2") "/web", NULL, TABLE, NULL), 200);
    return json_get_str(last, "rows[0].cells[2]", "");
}

START_TEST(kconv_api_serves_one_hpa_in_every_version)
{
    ck_assert_int_eq(req("POST", HPAS("v1"), JSON, JSON, V1), 201);
    ck_assert_str_eq(json_get_str(last, "apiVersion", ""), "autoscaling/v1");
    ck_assert_int_eq(json_get_int(last, "spec.targetCPUUtilizationPercentage", 0), 70);
    /* a create drops the status */
    ck_assert_ptr_null(json_get(last, "status.currentCPUUtilizationPercentage"));
    const cJSON *stored = kstore_peek(st, HPA_GR, "default", "web");
    ck_assert_str_eq(json_get_str(stored, "apiVersion", ""), "autoscaling/v2");
    ck_assert_int_eq(json_get_int(stored, "spec.metrics[0].resource.target.averageUtilization",
                                  0), 70);
    ck_assert_int_eq(req("GET", HPAS("v2") "/web", NULL, JSON, NULL), 200);
    ck_assert_int_eq(json_get_int(last, "spec.metrics[0].resource.target.averageUtilization",
                                  0), 70);
    ck_assert_int_eq(req("GET", HPAS("v2beta1") "/web", NULL, JSON, NULL), 200);
    ck_assert_str_eq(json_get_str(last, "apiVersion", ""), "autoscaling/v2beta1");
    ck_assert_int_eq(json_get_int(last, "spec.metrics[0].resource.targetAverageUtilization", 0),
                     70);
    ck_assert_str_eq(targets(), "cpu: <unknown>/70%");
    /* a status written by the controller (v2 form) reads back in v1 */
    cJSON *s = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"status\":{"
                     "\"currentReplicas\":2,\"desiredReplicas\":2,\"currentMetrics\":[{\"type\":"
                     "\"Resource\",\"resource\":{\"name\":\"cpu\",\"current\":{"
                     "\"averageUtilization\":40}}}]}}");
    ck_assert_int_eq(kstore_update_status(st, HPA_GR, s, 0, NULL, NULL), 0);
    cJSON_Delete(s);
    ck_assert_int_eq(req("GET", HPAS("v1"), NULL, JSON, NULL), 200);
    ck_assert_str_eq(json_get_str(last, "apiVersion", ""), "autoscaling/v1");
    ck_assert_str_eq(json_get_str(last, "items[0].apiVersion", ""), "autoscaling/v1");
    ck_assert_int_eq(json_get_int(last, "items[0].status.currentCPUUtilizationPercentage", 0), 40);
    ck_assert_str_eq(targets(), "cpu: 40%/70%");
}
END_TEST

START_TEST(kconv_api_writes_in_any_version)
{
    ck_assert_int_eq(req("POST", HPAS("v1"), JSON, JSON, V1), 201);
    /* merge patch written against the v1 form */
    ck_assert_int_eq(req("PATCH", HPAS("v1") "/web", "application/merge-patch+json", JSON,
                         "{\"spec\":{\"targetCPUUtilizationPercentage\":55}}"), 200);
    ck_assert_int_eq(json_get_int(last, "spec.targetCPUUtilizationPercentage", 0), 55);
    const cJSON *h = kstore_peek(st, HPA_GR, "default", "web");
    ck_assert_int_eq(json_get_int(h, "spec.metrics[0].resource.target.averageUtilization", 0), 55);
    ck_assert_int_eq(cJSON_GetArraySize(json_get(h, "spec.metrics")), 1);
    /* and against the v2beta1 form */
    ck_assert_int_eq(req("PATCH", HPAS("v2beta1") "/web", "application/json-patch+json", JSON,
                         "[{\"op\":\"replace\",\"path\":\"/spec/metrics/0/resource/"
                         "targetAverageUtilization\",\"value\":65}]"), 200);
    h = kstore_peek(st, HPA_GR, "default", "web");
    ck_assert_int_eq(json_get_int(h, "spec.metrics[0].resource.target.averageUtilization", 0), 65);
    /* a PUT in v2beta1 of what a GET in v2beta1 gave */
    ck_assert_int_eq(req("GET", HPAS("v2beta1") "/web", NULL, JSON, NULL), 200);
    json_set(last, "spec.maxReplicas", cJSON_CreateNumber(8), NULL);
    char *body = cJSON_PrintUnformatted(last);
    ck_assert_int_eq(req("PUT", HPAS("v2beta1") "/web", JSON, JSON, body), 200);
    free(body);
    h = kstore_peek(st, HPA_GR, "default", "web");
    ck_assert_int_eq(json_get_int(h, "spec.maxReplicas", 0), 8);
    ck_assert_int_eq(json_get_int(h, "spec.metrics[0].resource.target.averageUtilization", 0), 65);
    /* validation happens on the stored form: v1 with max < min */
    ck_assert_int_eq(req("PATCH", HPAS("v1") "/web", "application/merge-patch+json", JSON,
                         "{\"spec\":{\"maxReplicas\":1}}"), 422);
    ck_assert_str_eq(json_get_str(last, "details.causes[0].field", ""), "spec.maxReplicas");
    /* no target at all: the v2 default, 80% cpu, shows in every version */
    ck_assert_int_eq(req("POST", HPAS("v1"), JSON, JSON,
                         "{\"metadata\":{\"name\":\"bare\"},\"spec\":{\"scaleTargetRef\":{"
                         "\"kind\":\"Deployment\",\"name\":\"bare\"},\"maxReplicas\":3}}"), 201);
    ck_assert_int_eq(json_get_int(last, "spec.targetCPUUtilizationPercentage", 0), 80);
    ck_assert_int_eq(json_get_int(last, "spec.minReplicas", 0), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kconv");
    TCase *tc = tcase_create("convert");
    tcase_add_test(tc, kconv_v1_to_v2_and_back);
    tcase_add_test(tc, kconv_v2_through_v1_keeps_everything);
    tcase_add_test(tc, kconv_v2beta1_round_trip_every_metric_type);
    tcase_add_test(tc, kconv_other_types_and_odd_shapes);
    suite_add_tcase(s, tc);
    TCase *tapi = tcase_create("api");
    tcase_add_checked_fixture(tapi, setup, teardown);
    tcase_add_test(tapi, kconv_api_serves_one_hpa_in_every_version);
    tcase_add_test(tapi, kconv_api_writes_in_any_version);
    suite_add_tcase(s, tapi);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
