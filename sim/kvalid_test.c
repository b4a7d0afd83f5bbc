/* kvalid_test.c -- unit tests for kvalid (validation of written objects):
 * a table of invalid objects with the field, reason and message the real
 * server gives, valid objects that must pass, immutable fields on update,
 * and the API's 422 Status (and that a refused write changes nothing). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "ktest.h"
#include "kdefault.h"
#include "kvalid.h"

static const char DEPLOY[] =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"labels\":{\"app\":\"web\"}},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{"
    "\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
    "\"image\":\"web:1\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080}]}]}}}}";
static const char SVC[] =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"selector\":{\"app\":"
    "\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\"}]}}";
static const char HPA[] =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"scaleTargetRef\":{"
    "\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},\"minReplicas\":1,"
    "\"maxReplicas\":5,\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
    "\"target\":{\"type\":\"Utilization\",\"averageUtilization\":50}}}]}}";
static const char NS[] = "{\"metadata\":{\"name\":\"team-a\"}}";
static const char CM[] =
    "{\"metadata\":{\"name\":\"cfg\",\"namespace\":\"default\"},\"data\":{\"a.txt\":\"x\"}}";
static const char POD[] =
    "{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{"
    "\"name\":\"c\",\"image\":\"busybox\"}]}}";
static const char ROLE[] = "{\"metadata\":{\"name\":\"system:reader\",\"namespace\":\"default\"}}";

struct type {
    const char *group, *resource, *kind, *base;
};
static const struct type T_DEPLOY = {"apps", "deployments", "Deployment", DEPLOY};
static const struct type T_SVC = {"", "services", "Service", SVC};
static const struct type T_HPA = {"autoscaling", "horizontalpodautoscalers",
                                  "HorizontalPodAutoscaler", HPA};
static const struct type T_NS = {"", "namespaces", "Namespace", NS};
static const struct type T_CM = {"", "configmaps", "ConfigMap", CM};
static const struct type T_POD = {"", "pods", "Pod", POD};
static const struct type T_ROLE = {"rbac.authorization.k8s.io", "roles", "Role", ROLE};

static cJSON *parse(const char *text)
{
    cJSON *o = NULL;
    ck_assert_int_eq(json_parse(&o, text, strlen(text), "test", NULL), 0);
    return o;
}

/* base with the merge patch applied, then defaulted as the API does. */
static cJSON *object(const struct type *t, const char *patch)
{
    cJSON *base = parse(t->base), *p = parse(patch ? patch : "{}");
    cJSON *o = json_merge_patch(base, p);
    cJSON_Delete(base);
    cJSON_Delete(p);
    kdefault_apply(t->group, t->resource, o);
    return o;
}

/* ---- the table of invalid objects ---------------------------------------------------------- */

static const struct bad {
    const struct type *t;
    const char *patch;   /* merge patch on the type's valid base */
    const char *field, *reason, *message;  /* the first cause */
} BAD[] = {
    {&T_DEPLOY, "{\"spec\":{\"replicas\":-1}}", "spec.replicas", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"},
    {&T_DEPLOY, "{\"spec\":{\"replicas\":\"two\"}}", "spec.replicas", "FieldValueInvalid",
     "Invalid value: \"two\": must be an integer"},
    {&T_DEPLOY, "{\"metadata\":{\"name\":\"Web\"}}", "metadata.name", "FieldValueInvalid",
     "Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case "
     "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
     "(e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
    {&T_DEPLOY, "{\"metadata\":{\"name\":null}}", "metadata.name", "FieldValueRequired",
     "Required value: name or generateName is required"},
    {&T_DEPLOY, "{\"metadata\":{\"name\":null,\"generateName\":\"Web-\"}}",
     "metadata.generateName", "FieldValueInvalid", "Invalid value: \"Web-\": a lowercase RFC"},
    {&T_DEPLOY, "{\"metadata\":{\"labels\":{\"bad key\":\"x\"}}}", "metadata.labels",
     "FieldValueInvalid", "Invalid value: \"bad key\": name part must consist of alphanumeric "
     "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
     "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
     "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
    {&T_DEPLOY, "{\"metadata\":{\"labels\":{\"app\":\"-x\"}}}", "metadata.labels",
     "FieldValueInvalid", "Invalid value: \"-x\": a valid label must be an empty string or"},
    {&T_DEPLOY, "{\"metadata\":{\"annotations\":{\"a/b/c\":\"x\"}}}", "metadata.annotations",
     "FieldValueInvalid", "Invalid value: \"a/b/c\": a qualified name must consist of"},
    {&T_DEPLOY, "{\"spec\":{\"selector\":null}}", "spec.selector", "FieldValueRequired",
     "Required value"},
    {&T_DEPLOY, "{\"spec\":{\"selector\":{\"matchLabels\":null}}}", "spec.selector",
     "FieldValueInvalid", "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
     "deployment"},
    {&T_DEPLOY, "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"other\"}}}}",
     "spec.template.metadata.labels", "FieldValueInvalid",
     "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template "
     "`labels`"},
    {&T_DEPLOY, "{\"spec\":{\"selector\":{\"matchExpressions\":[{\"key\":\"app\",\"operator\":"
     "\"In\"}]}}}", "spec.selector.matchExpressions[0].values", "FieldValueRequired",
     "Required value: must be specified when `operator` is 'In' or 'NotIn'"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}",
     "spec.template.spec.containers", "FieldValueRequired", "Required value"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}",
     "spec.template.spec.containers[0].name", "FieldValueRequired", "Required value"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":"
     "\"x\"},{\"name\":\"a\",\"image\":\"y\"}]}}}}", "spec.template.spec.containers[1].name",
     "FieldValueDuplicate", "Duplicate value: \"a\""},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"A_b\",\"image\":"
     "\"x\"}]}}}}", "spec.template.spec.containers[0].name", "FieldValueInvalid",
     "Invalid value: \"A_b\": a lowercase RFC 1123 label must consist of"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}}}",
     "spec.template.spec.containers[0].image", "FieldValueRequired", "Required value"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":"
     "\"x\",\"ports\":[{\"containerPort\":70000}]}]}}}}",
     "spec.template.spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":"
     "\"x\",\"ports\":[{\"containerPort\":80,\"protocol\":\"HTTP\"}]}]}}}}",
     "spec.template.spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
     "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
    {&T_DEPLOY, "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\"}}}}",
     "spec.template.spec.restartPolicy", "FieldValueNotSupported",
     "Unsupported value: \"Never\": supported values: \"Always\""},
    {&T_DEPLOY, "{\"spec\":{\"strategy\":{\"type\":\"Rolling\",\"rollingUpdate\":null}}}",
     "spec.strategy.type", "FieldValueNotSupported",
     "Unsupported value: \"Rolling\": supported values: \"Recreate\", \"RollingUpdate\""},
    {&T_DEPLOY, "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,"
     "\"maxSurge\":0}}}}", "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
     "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when "
     "`maxSurge` is 0"},
    {&T_SVC, "{\"spec\":{\"ports\":[]}}", "spec.ports", "FieldValueRequired", "Required value"},
    {&T_SVC, "{\"spec\":{\"ports\":[{\"port\":0}]}}", "spec.ports[0].port", "FieldValueInvalid",
     "Invalid value: 0: must be between 1 and 65535, inclusive"},
    {&T_SVC, "{\"spec\":{\"ports\":[{\"port\":80,\"protocol\":\"ICMP\"}]}}",
     "spec.ports[0].protocol", "FieldValueNotSupported",
     "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
    {&T_SVC, "{\"spec\":{\"type\":\"Balanced\"}}", "spec.type", "FieldValueNotSupported",
     "Unsupported value: \"Balanced\": supported values: \"ClusterIP\", \"ExternalName\", "
     "\"LoadBalancer\", \"NodePort\""},
    {&T_SVC, "{\"metadata\":{\"name\":\"9web\"}}", "metadata.name", "FieldValueInvalid",
     "Invalid value: \"9web\": a DNS-1035 label must consist of"},
    {&T_SVC, "{\"spec\":{\"ports\":[{\"name\":\"a\",\"port\":80},{\"port\":81}]}}",
     "spec.ports[1].name", "FieldValueRequired", "Required value"},
    {&T_SVC, "{\"spec\":{\"ports\":[{\"port\":80,\"nodePort\":30080}]}}",
     "spec.ports[0].nodePort", "FieldValueForbidden",
     "Forbidden: may not be used when `type` is 'ClusterIP'"},
    {&T_SVC, "{\"spec\":{\"clusterIP\":\"10.96.300.1\"}}", "spec.clusterIPs[0]",
     "FieldValueInvalid", "Invalid value: \"10.96.300.1\": must be a valid IP address"},
    {&T_SVC, "{\"spec\":{\"type\":\"ExternalName\",\"ports\":null}}", "spec.externalName",
     "FieldValueRequired", "Required value"},
    {&T_HPA, "{\"spec\":{\"minReplicas\":3,\"maxReplicas\":2}}", "spec.maxReplicas",
     "FieldValueInvalid", "Invalid value: 2: must be greater than or equal to `minReplicas`"},
    {&T_HPA, "{\"spec\":{\"minReplicas\":0}}", "spec.minReplicas", "FieldValueInvalid",
     "Invalid value: 0: must be greater than or equal to 1"},
    {&T_HPA, "{\"spec\":{\"maxReplicas\":null}}", "spec.maxReplicas", "FieldValueInvalid",
     "Invalid value: 0: must be greater than 0"},
    {&T_HPA, "{\"spec\":{\"scaleTargetRef\":{\"name\":null}}}", "spec.scaleTargetRef.name",
     "FieldValueRequired", "Required value"},
    {&T_HPA, "{\"spec\":{\"scaleTargetRef\":{\"kind\":null}}}", "spec.scaleTargetRef.kind",
     "FieldValueRequired", "Required value"},
    {&T_HPA, "{\"spec\":{\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
     "\"target\":{\"type\":\"Utilization\",\"averageUtilization\":0}}}]}}",
     "spec.metrics[0].resource.target.averageUtilization", "FieldValueInvalid",
     "Invalid value: 0: must be greater than 0"},
    {&T_HPA, "{\"spec\":{\"metrics\":[{\"type\":\"Cpu\"}]}}", "spec.metrics[0].type",
     "FieldValueNotSupported", "Unsupported value: \"Cpu\": supported values:"},
    {&T_NS, "{\"metadata\":{\"name\":\"team.a\"}}", "metadata.name", "FieldValueInvalid",
     "Invalid value: \"team.a\": a lowercase RFC 1123 label must consist of"},
    {&T_CM, "{\"data\":{\"a b\":\"x\"}}", "data[a b]", "FieldValueInvalid",
     "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters"},
    {&T_POD, "{\"spec\":{\"restartPolicy\":\"Sometimes\"}}", "spec.restartPolicy",
     "FieldValueNotSupported",
     "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""},
    {&T_ROLE, "{\"metadata\":{\"name\":\"50%\"}}", "metadata.name", "FieldValueInvalid",
     "Invalid value: \"50%\": may not contain '%'"},
};

START_TEST(kvalid_invalid_objects_name_field_and_reason)
{
    const struct bad *b = &BAD[_i];
    cJSON *o = object(b->t, b->patch);
    struct kvalid_fail f = KVALID_FAIL_INIT;
    struct err err = ERR_INIT;
    int rc = kvalid_check(b->t->group, b->t->resource, b->t->kind, o, NULL, &f, &err);
    ck_assert_msg(rc == E_INVALID, "case %d (%s) passed", _i, b->patch);
    const cJSON *c = cJSON_GetArrayItem(f.causes, 0);
    ck_assert_msg(!strcmp(json_get_str(c, "field", ""), b->field) &&
                      !strcmp(json_get_str(c, "reason", ""), b->reason) &&
                      !strncmp(json_get_str(c, "message", ""), b->message, strlen(b->message)),
                  "case %d: got %s", _i, f.message);
    ck_assert_int_eq(err.code, E_INVALID);
    ck_assert_ptr_nonnull(strstr(f.message, " is invalid: "));
    cJSON_Delete(o);
    kvalid_fail_free(&f);
}
END_TEST

/* ---- valid objects ---------------------------------------------------------------------- */

static const struct good {
    const struct type *t;
    const char *patch;
} GOOD[] = {
    {&T_DEPLOY, NULL},
    {&T_DEPLOY, "{\"metadata\":{\"name\":null,\"generateName\":\"web-\"}}"},
    {&T_DEPLOY, "{\"metadata\":{\"name\":\"web.v2\",\"labels\":{\"app.kubernetes.io/name\":"
     "\"web\",\"empty\":\"\"},\"annotations\":{\"example.com/Note\":\"any text at all\"}}}"},
    {&T_DEPLOY, "{\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":null,"
     "\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[\"web\",\"api\"]},"
     "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}}}"},
    {&T_DEPLOY, "{\"spec\":{\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":null}}}"},
    {&T_SVC, NULL},
    {&T_SVC, "{\"spec\":{\"clusterIP\":\"None\",\"ports\":null}}"},
    {&T_SVC, "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"db.example.com\","
     "\"ports\":null}}"},
    {&T_SVC, "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080,"
     "\"targetPort\":8080}]}}"},
    {&T_HPA, NULL},
    {&T_HPA, "{\"spec\":{\"minReplicas\":null,\"metrics\":null}}"},
    {&T_NS, NULL},
    {&T_CM, "{\"data\":{\"KEY_1\":\"v\",\"key-2.yaml\":\"v\"}}"},
    {&T_POD, NULL},
    {&T_ROLE, NULL},
};

START_TEST(kvalid_valid_objects_pass)
{
    const struct good *g = &GOOD[_i];
    cJSON *o = object(g->t, g->patch);
    struct kvalid_fail f = KVALID_FAIL_INIT;
    int rc = kvalid_check(g->t->group, g->t->resource, g->t->kind, o, NULL, &f, NULL);
    ck_assert_msg(rc == 0, "case %d refused: %s", _i, f.message ? f.message : "");
    ck_assert_ptr_null(f.causes);
    cJSON_Delete(o);
}
END_TEST

START_TEST(kvalid_several_errors_in_one_message)
{
    cJSON *o = object(&T_DEPLOY, "{\"spec\":{\"replicas\":-2,\"template\":{\"spec\":{"
                                 "\"containers\":[{\"name\":\"a\"}]}}}}");
    struct kvalid_fail f = KVALID_FAIL_INIT;
    ck_assert_int_eq(kvalid_check("apps", "deployments", "Deployment", o, NULL, &f, NULL),
                     E_INVALID);
    ck_assert_str_eq(f.message, "Deployment.apps \"web\" is invalid: [spec.replicas: Invalid "
                     "value: -2: must be greater than or equal to 0, "
                     "spec.template.spec.containers[0].image: Required value]");
    ck_assert_int_eq(cJSON_GetArraySize(f.causes), 2);
    kvalid_fail_free(&f);
    kvalid_fail_free(&f);  /* twice is fine */
    cJSON_Delete(o);
    /* core types have no group in the message */
    o = object(&T_SVC, "{\"spec\":{\"ports\":[]}}");
    ck_assert_int_eq(kvalid_check("", "services", "Service", o, NULL, NULL, NULL), E_INVALID);
    struct err err = ERR_INIT;
    kvalid_check("", "services", "Service", o, NULL, NULL, &err);
    ck_assert_str_eq(err.msg, "Service \"web\" is invalid: spec.ports: Required value");
    cJSON_Delete(o);
}
END_TEST

START_TEST(kvalid_immutable_fields_on_update)
{
    cJSON *old = object(&T_DEPLOY, NULL);
    cJSON *upd = object(&T_DEPLOY, "{\"metadata\":{\"name\":\"Web\"},\"spec\":{\"replicas\":5}}");
    struct kvalid_fail f = KVALID_FAIL_INIT;
    /* an update does not re-check the name's syntax; replicas may change */
    ck_assert_int_eq(kvalid_check("apps", "deployments", "Deployment", upd, old, &f, NULL), 0);
    cJSON_Delete(upd);
    upd = object(&T_DEPLOY, "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web2\"}},"
                            "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web2\"}}}}}");
    ck_assert_int_eq(kvalid_check("apps", "deployments", "Deployment", upd, NULL, &f, NULL), 0);
    ck_assert_int_eq(kvalid_check("apps", "deployments", "Deployment", upd, old, &f, NULL),
                     E_INVALID);
    ck_assert_str_eq(f.message, "Deployment.apps \"web\" is invalid: spec.selector: Invalid "
                     "value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
                     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    cJSON_Delete(old);
    cJSON_Delete(upd);
    old = object(&T_SVC, "{\"spec\":{\"clusterIP\":\"10.96.0.20\"}}");
    upd = object(&T_SVC, "{\"spec\":{\"clusterIP\":\"10.96.0.21\"}}");
    ck_assert_int_eq(kvalid_check("", "services", "Service", upd, old, &f, NULL), E_INVALID);
    ck_assert_str_eq(f.message, "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: "
                     "[]string{\"10.96.0.21\"}: may not change once set");
    cJSON_Delete(upd);
    upd = object(&T_SVC, "{\"spec\":{\"clusterIP\":\"10.96.0.20\",\"ports\":[{\"port\":81}]}}");
    ck_assert_int_eq(kvalid_check("", "services", "Service", upd, old, &f, NULL), 0);
    kvalid_fail_free(&f);
    cJSON_Delete(old);
    cJSON_Delete(upd);
}
END_TEST

START_TEST(kvalid_wrong_types_never_crash)
{
    static const char *const odd[] = {
        "{}", "{\"metadata\":7}", "{\"metadata\":{\"name\":7,\"labels\":[1]}}",
        "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":7},\"annotations\":{\"b\":[]}},"
        "\"spec\":[]}",
        "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"selector\":{\"matchLabels\":[],"
        "\"matchExpressions\":[7,{\"values\":7}]},\"template\":{\"metadata\":{\"labels\":\"x\"},"
        "\"spec\":{\"containers\":[7,{\"name\":[],\"ports\":[7,{\"containerPort\":\"x\"}],"
        "\"env\":[1]}]}},\"strategy\":{\"type\":7,\"rollingUpdate\":[]}}}",
        "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ports\":[{\"port\":1e300,\"targetPort\":[]}],"
        "\"clusterIP\":5,\"metrics\":[{\"type\":\"Pods\",\"pods\":7}],\"scaleTargetRef\":5}}",
    };
    static const struct type *const types[] = {&T_DEPLOY, &T_SVC, &T_HPA, &T_POD, &T_CM, &T_NS};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        for (size_t j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
            cJSON *o = parse(odd[i]);
            struct kvalid_fail f = KVALID_FAIL_INIT;
            int rc = kvalid_check(types[j]->group, types[j]->resource, types[j]->kind, o, NULL,
                                  &f, NULL);
            ck_assert(rc == 0 || rc == E_INVALID);
            ck_assert((rc == 0) == (f.message == NULL));
            if (i < 3)  /* no usable name or labels: refused whatever the type */
                ck_assert_int_eq(rc, E_INVALID);
            kvalid_fail_free(&f);
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

static int req(const char *method, const char *url, const char *ctype, const char *body)
{
    return ktest_req_json(kt.api, method, url, ctype, NULL, body, &last);
}

#define DEPLOYS "/apis/apps/v1/namespaces/default/deployments"
#define JSON "application/json"

START_TEST(kvalid_api_answers_422_and_changes_nothing)
{
    cJSON *bad = object(&T_DEPLOY, "{\"spec\":{\"replicas\":-1}}");
    char *text = cJSON_PrintUnformatted(bad);
    uint64_t rv = kstore_rv(st);
    ck_assert_int_eq(req("POST", DEPLOYS, JSON, text), 422);
    ck_assert_str_eq(json_get_str(last, "kind", ""), "Status");
    ck_assert_str_eq(json_get_str(last, "reason", ""), "Invalid");
    ck_assert_int_eq(json_get_int(last, "code", 0), 422);
    ck_assert_str_eq(json_get_str(last, "message", ""), "Deployment.apps \"web\" is invalid: "
                     "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    ck_assert_str_eq(json_get_str(last, "details.name", ""), "web");
    ck_assert_str_eq(json_get_str(last, "details.group", ""), "apps");
    ck_assert_str_eq(json_get_str(last, "details.kind", ""), "Deployment");
    ck_assert_str_eq(json_get_str(last, "details.causes[0].reason", ""), "FieldValueInvalid");
    ck_assert_str_eq(json_get_str(last, "details.causes[0].field", ""), "spec.replicas");
    ck_assert_str_eq(json_get_str(last, "details.causes[0].message", ""),
                     "Invalid value: -1: must be greater than or equal to 0");
    ck_assert_uint_eq(kstore_rv(st), rv);
    ck_assert_ptr_null(kstore_peek(st, "apps", "deployments", "default", "web"));
    /* dry runs are validated too */
    ck_assert_int_eq(req("POST", DEPLOYS "?dryRun=All", JSON, text), 422);
    free(text);
    cJSON_Delete(bad);
    /* a valid one goes in; a patch breaking it is refused and changes nothing */
    ck_assert_int_eq(req("POST", DEPLOYS, JSON, DEPLOY), 201);
    rv = kstore_rv(st);
    ck_assert_int_eq(req("PATCH", DEPLOYS "/web", "application/merge-patch+json",
                         "{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}"), 422);
    ck_assert_str_eq(json_get_str(last, "details.causes[0].field", ""),
                     "spec.template.spec.containers");
    ck_assert_int_eq(req("PATCH", DEPLOYS "/web", "application/strategic-merge-patch+json",
                         "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
                         "\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}}}}}"), 422);
    ck_assert_ptr_nonnull(strstr(json_get_str(last, "message", ""), "field is immutable"));
    ck_assert_uint_eq(kstore_rv(st), rv);
    ck_assert_int_eq(json_get_int(kstore_peek(st, "apps", "deployments", "default", "web"),
                                  "spec.template.spec.containers[0].ports[0].containerPort", 0),
                     8080);
    /* a stale resourceVersion is a conflict before it is invalid */
    cJSON *stale = object(&T_DEPLOY, "{\"metadata\":{\"resourceVersion\":\"1\"},"
                                     "\"spec\":{\"replicas\":-1}}");
    text = cJSON_PrintUnformatted(stale);
    ck_assert_int_eq(req("PUT", DEPLOYS "/web", JSON, text), 409);
    free(text);
    cJSON_Delete(stale);
}
END_TEST

START_TEST(kvalid_api_missing_namespace_and_generate_name)
{
    ck_assert_int_eq(req("POST", "/apis/apps/v1/namespaces/nope/deployments", JSON,
                         "{\"metadata\":{\"name\":\"Bad Name\"}}"), 404);
    ck_assert_str_eq(json_get_str(last, "reason", ""), "NotFound");
    ck_assert_str_eq(json_get_str(last, "message", ""), "namespaces \"nope\" not found");
    ck_assert_str_eq(json_get_str(last, "details.name", ""), "nope");
    ck_assert_str_eq(json_get_str(last, "details.kind", ""), "namespaces");
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/configmaps", JSON,
                         "{\"metadata\":{\"generateName\":\"cfg-\"},\"data\":{\"k\":\"v\"}}"),
                     201);
    ck_assert_int_eq(strncmp(json_get_str(last, "metadata.name", ""), "cfg-", 4), 0);
    ck_assert_int_eq(req("POST", "/api/v1/namespaces", JSON,
                         "{\"metadata\":{\"name\":\"My_NS\"}}"), 422);
    ck_assert_str_eq(json_get_str(last, "details.kind", ""), "Namespace");
    ck_assert_ptr_null(json_get(last, "details.group"));
    ck_assert_str_eq(json_get_str(last, "details.causes[0].field", ""), "metadata.name");
    ck_assert_ptr_null(kstore_peek(st, "", "namespaces", "", "My_NS"));
}
END_TEST

START_TEST(kvalid_api_service_cluster_ip_is_immutable)
{
    ck_assert_int_eq(req("POST", "/api/v1/namespaces/default/services", JSON, SVC), 201);
    const char *ip = json_get_str(last, "spec.clusterIP", "");
    ck_assert_int_eq(strncmp(ip, "10.96.", 6), 0);
    /* leaving clusterIP out keeps it; changing it is refused */
    ck_assert_int_eq(req("PATCH", "/api/v1/namespaces/default/services/web",
                         "application/merge-patch+json",
                         "{\"spec\":{\"clusterIP\":null,\"clusterIPs\":null}}"), 200);
    ck_assert_int_eq(req("PATCH", "/api/v1/namespaces/default/services/web",
                         "application/merge-patch+json",
                         "{\"spec\":{\"clusterIP\":\"10.96.99.99\"}}"), 422);
    ck_assert_str_eq(json_get_str(last, "details.causes[0].field", ""), "spec.clusterIPs[0]");
    ck_assert_str_eq(json_get_str(last, "details.causes[0].message", ""),
                     "Invalid value: []string{\"10.96.99.99\"}: may not change once set");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvalid");
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, kvalid_invalid_objects_name_field_and_reason, 0,
                        (int)(sizeof(BAD) / sizeof(BAD[0])));
    tcase_add_loop_test(tc, kvalid_valid_objects_pass, 0, (int)(sizeof(GOOD) / sizeof(GOOD[0])));
    tcase_add_test(tc, kvalid_several_errors_in_one_message);
    tcase_add_test(tc, kvalid_immutable_fields_on_update);
    tcase_add_test(tc, kvalid_wrong_types_never_crash);
    suite_add_tcase(s, tc);
    TCase *tapi = tcase_create("api");
    tcase_add_checked_fixture(tapi, setup, teardown);
    tcase_add_test(tapi, kvalid_api_answers_422_and_changes_nothing);
    tcase_add_test(tapi, kvalid_api_missing_namespace_and_generate_name);
    tcase_add_test(tapi, kvalid_api_service_cluster_ip_is_immutable);
    suite_add_tcase(s, tapi);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
