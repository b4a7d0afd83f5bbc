/* kstore_test.c -- unit tests for the object store (kstore.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "kstore.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z */

static gclock *clk;
static kstore *st;

static void setup(void)
{
    clk = clock_new_virtual(T0);
    st = kstore_new(clk);
}

static void teardown(void)
{
    kstore_free(st);
    clock_free(clk);
}

static cJSON *parse(const char *s)
{
    cJSON *o = cJSON_Parse(s);
    ck_assert_ptr_nonnull(o);
    return o;
}

/* Create from JSON text; returns the rc, *out (may be NULL) the stored copy. */
static int create(const char *group, const char *res, const char *json, cJSON **out,
                  struct err *err)
{
    cJSON *o = parse(json);
    int rc = kstore_create(st, group, res, o, 0, out, err);
    cJSON_Delete(o);
    return rc;
}

static void mkns(const char *name)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\"}}", name);
    ck_assert_int_eq(create("", "namespaces", buf, NULL, NULL), 0);
}

static void mkpod(const char *ns, const char *name, const char *labels, const char *phase)
{
    char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\",\"labels\":%s},"
             "\"spec\":{},\"status\":{\"phase\":\"%s\"}}",
             name, ns, labels, phase);
    ck_assert_int_eq(create("", "pods", buf, NULL, NULL), 0);
}

START_TEST(kstore_create_assigns_metadata)
{
    cJSON *out = NULL;
    uint64_t before = kstore_rv(st);
    ck_assert_int_eq(create("apps", "deployments",
                            "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                            "\"uid\":\"fake\",\"creationTimestamp\":null},\"spec\":{}}",
                            &out, NULL), 0);
    ck_assert_uint_eq(kstore_rv(st), before + 1);
    char rv[24];
    snprintf(rv, sizeof(rv), "%llu", (unsigned long long)(before + 1));
    ck_assert_str_eq(json_get_str(out, "metadata.resourceVersion", ""), rv);
    ck_assert_int_eq(json_get_int(out, "metadata.generation", 0), 1);
    ck_assert_str_eq(json_get_str(out, "metadata.creationTimestamp", ""),
                     "2023-11-14T22:13:20Z");
    const char *uid = json_get_str(out, "metadata.uid", "");
    ck_assert_uint_eq(strlen(uid), 36);
    ck_assert_str_ne(uid, "fake");
    ck_assert_ptr_nonnull(kstore_peek(st, "apps", "deployments", "default", "web"));
    cJSON_Delete(out);
}
END_TEST

START_TEST(kstore_bootstrap_namespaces)
{
    ck_assert_ptr_nonnull(kstore_peek(st, "", "namespaces", "", "default"));
    ck_assert_ptr_nonnull(kstore_peek(st, "", "namespaces", "", "kube-system"));
    ck_assert_ptr_nonnull(kstore_peek(st, "", "namespaces", "", "kube-public"));
    ck_assert_str_eq(json_get_str(kstore_peek(st, "", "namespaces", "", "default"),
                                  "status.phase", ""), "Active");
    ck_assert_ptr_nonnull(kstore_peek(st, "", "serviceaccounts", "default", "default"));
}
END_TEST

START_TEST(kstore_create_errors_change_nothing)
{
    struct err err = ERR_INIT;
    uint64_t rv = kstore_rv(st);
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"name\":\"p\",\"namespace\":\"nope\"}}",
                            NULL, &err), E_NOTFOUND);
    ck_assert_str_eq(err.msg, "namespaces \"nope\" not found");
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"namespace\":\"default\"}}", NULL, &err),
                     E_INVALID);
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"name\":\"Bad_Name\","
                                        "\"namespace\":\"default\"}}", NULL, &err), E_INVALID);
    ck_assert_int_eq(create("", "pods", "[1,2]", NULL, &err), E_INVALID);
    ck_assert_uint_eq(kstore_rv(st), rv);
    mkpod("default", "p", "{}", "Running");
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"name\":\"p\",\"namespace\":"
                                        "\"default\"}}", NULL, &err), E_EXISTS);
    ck_assert_str_eq(err.msg, "pods \"p\" already exists");
    ck_assert_int_eq(create("apps", "deployments", "{\"metadata\":{\"name\":\"d\","
                            "\"namespace\":\"default\"}}", NULL, NULL), 0);
    ck_assert_int_eq(create("apps", "deployments", "{\"metadata\":{\"name\":\"d\","
                            "\"namespace\":\"default\"}}", NULL, &err), E_EXISTS);
    ck_assert_str_eq(err.msg, "deployments.apps \"d\" already exists");
}
END_TEST

START_TEST(kstore_generate_name)
{
    cJSON *a = NULL, *b = NULL;
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"generateName\":\"web-\","
                                        "\"namespace\":\"default\"}}", &a, NULL), 0);
    ck_assert_int_eq(create("", "pods", "{\"metadata\":{\"generateName\":\"web-\","
                                        "\"namespace\":\"default\"}}", &b, NULL), 0);
    const char *na = json_get_str(a, "metadata.name", ""), *nb = json_get_str(b, "metadata.name", "");
    ck_assert_int_eq(strncmp(na, "web-", 4), 0);
    ck_assert_uint_eq(strlen(na), 9);
    ck_assert_str_ne(na, nb);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

static cJSON *get(const char *group, const char *res, const char *ns, const char *name)
{
    cJSON *o = NULL;
    ck_assert_int_eq(kstore_get(st, group, res, ns, name, &o, NULL), 0);
    return o;
}

START_TEST(kstore_update_conflict_on_stale_rv)
{
    struct err err = ERR_INIT;
    ck_assert_int_eq(create("apps", "deployments", "{\"metadata\":{\"name\":\"d\",\"namespace\":"
                            "\"default\"},\"spec\":{\"replicas\":1}}", NULL, NULL), 0);
    cJSON *o = get("apps", "deployments", "default", "d");
    cJSON *stale = cJSON_Duplicate(o, 1);
    json_set(o, "spec.replicas", cJSON_CreateNumber(2), NULL);
    ck_assert_int_eq(kstore_update(st, "apps", "deployments", o, 0, NULL, NULL), 0);
    uint64_t rv = kstore_rv(st);
    json_set(stale, "spec.replicas", cJSON_CreateNumber(5), NULL);
    ck_assert_int_eq(kstore_update(st, "apps", "deployments", stale, 0, NULL, &err), E_CONFLICT);
    ck_assert_str_eq(err.msg, "Operation cannot be fulfilled on deployments.apps \"d\": the "
                              "object has been modified; please apply your changes to the "
                              "latest version and try again");
    ck_assert_uint_eq(kstore_rv(st), rv);
    cJSON *now = get("apps", "deployments", "default", "d");
    ck_assert_int_eq(json_get_int(now, "spec.replicas", 0), 2);
    /* no resourceVersion at all: an unconditional update */
    json_delete(stale, "metadata.resourceVersion");
    ck_assert_int_eq(kstore_update(st, "apps", "deployments", stale, 0, NULL, NULL), 0);
    cJSON_Delete(now);
    now = get("apps", "deployments", "default", "d");
    ck_assert_int_eq(json_get_int(now, "spec.replicas", 0), 5);
    cJSON_Delete(now);
    cJSON_Delete(o);
    cJSON_Delete(stale);
}
END_TEST

START_TEST(kstore_generation_tracks_spec_only)
{
    ck_assert_int_eq(create("apps", "deployments", "{\"metadata\":{\"name\":\"d\",\"namespace\":"
                            "\"default\"},\"spec\":{\"replicas\":1}}", NULL, NULL), 0);
    cJSON *o = get("apps", "deployments", "default", "d"), *out = NULL;
    json_set_str(o, "metadata.labels.a", "b", NULL);
    ck_assert_int_eq(kstore_update(st, "apps", "deployments", o, 0, &out, NULL), 0);
    ck_assert_int_eq(json_get_int(out, "metadata.generation", 0), 1);
    cJSON_Delete(out);
    json_set(o, "spec.replicas", cJSON_CreateNumber(3), NULL);
    json_delete(o, "metadata.resourceVersion");
    ck_assert_int_eq(kstore_update(st, "apps", "deployments", o, 0, &out, NULL), 0);
    ck_assert_int_eq(json_get_int(out, "metadata.generation", 0), 2);
    cJSON_Delete(out);
    json_set_str(o, "status.observedGeneration", "2", NULL);
    ck_assert_int_eq(kstore_update_status(st, "apps", "deployments", o, 0, &out, NULL), 0);
    ck_assert_int_eq(json_get_int(out, "metadata.generation", 0), 2);
    ck_assert_str_eq(json_get_str(out, "status.observedGeneration", ""), "2");
    cJSON_Delete(out);
    cJSON_Delete(o);
}
END_TEST

START_TEST(kstore_noop_update_keeps_rv_and_status_rules)
{
    mkpod("default", "p", "{}", "Running");
    cJSON *o = get("", "pods", "default", "p"), *out = NULL;
    uint64_t rv = kstore_rv(st);
    ck_assert_int_eq(kstore_update(st, "", "pods", o, 0, &out, NULL), 0);
    ck_assert_uint_eq(kstore_rv(st), rv);
    cJSON_Delete(out);
    /* KEEP_STATUS ignores the status of the body */
    json_set_str(o, "status.phase", "Failed", NULL);
    json_set_str(o, "spec.nodeName", "n1", NULL);
    ck_assert_int_eq(kstore_update(st, "", "pods", o, KSTORE_KEEP_STATUS, &out, NULL), 0);
    ck_assert_str_eq(json_get_str(out, "status.phase", ""), "Running");
    ck_assert_str_eq(json_get_str(out, "spec.nodeName", ""), "n1");
    cJSON_Delete(out);
    /* update_status ignores everything else */
    json_set_str(o, "spec.nodeName", "n2", NULL);
    json_delete(o, "metadata.resourceVersion");
    ck_assert_int_eq(kstore_update_status(st, "", "pods", o, 0, &out, NULL), 0);
    ck_assert_str_eq(json_get_str(out, "status.phase", ""), "Failed");
    ck_assert_str_eq(json_get_str(out, "spec.nodeName", ""), "n1");
    cJSON_Delete(out);
    cJSON_Delete(o);
}
END_TEST

static size_t list_n(const char *ns, const char *ls, const char *fs, int expect_rc)
{
    struct kstore_query q = KSTORE_QUERY_INIT;
    cJSON *items = NULL;
    q.ns = ns;
    q.label_selector = ls;
    q.field_selector = fs;
    int rc = kstore_list(st, "", "pods", &q, &items, NULL, NULL, NULL);
    ck_assert_int_eq(rc, expect_rc);
    size_t n = rc == 0 ? (size_t)cJSON_GetArraySize(items) : 0;
    cJSON_Delete(items);
    return n;
}

START_TEST(kstore_label_and_field_selectors)
{
    mkns("a");
    mkpod("a", "p1", "{\"app\":\"web\",\"tier\":\"fe\"}", "Running");
    mkpod("a", "p2", "{\"app\":\"web\"}", "Pending");
    mkpod("a", "p3", "{\"app\":\"db\",\"tier\":\"be\"}", "Running");
    mkpod("default", "p4", "{\"app\":\"web\"}", "Running");
    ck_assert_uint_eq(list_n(NULL, NULL, NULL, 0), 4);
    ck_assert_uint_eq(list_n("a", NULL, NULL, 0), 3);
    ck_assert_uint_eq(list_n("a", "app=web", NULL, 0), 2);
    ck_assert_uint_eq(list_n("a", "app==web,tier=fe", NULL, 0), 1);
    ck_assert_uint_eq(list_n("a", "app!=web", NULL, 0), 1);
    ck_assert_uint_eq(list_n(NULL, "app in (web, db)", NULL, 0), 4);
    ck_assert_uint_eq(list_n(NULL, "tier notin (fe)", NULL, 0), 3);
    ck_assert_uint_eq(list_n(NULL, "tier", NULL, 0), 2);
    ck_assert_uint_eq(list_n(NULL, "!tier", NULL, 0), 2);
    ck_assert_uint_eq(list_n(NULL, NULL, "metadata.name=p3", 0), 1);
    ck_assert_uint_eq(list_n(NULL, NULL, "metadata.namespace=default", 0), 1);
    ck_assert_uint_eq(list_n(NULL, "app=web", "status.phase!=Running", 0), 1);
    ck_assert_uint_eq(list_n(NULL, NULL, "status.phase==Running,metadata.namespace=a", 0), 1 + 1);
    list_n(NULL, "app in (web", NULL, E_INVALID);
    list_n(NULL, "a b", NULL, E_INVALID);
    list_n(NULL, NULL, "!x", E_INVALID);
}
END_TEST

START_TEST(kstore_list_limit_and_continue)
{
    mkns("b");
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "p%d", i);
        mkpod("b", name, i % 2 ? "{\"odd\":\"y\"}" : "{}", "Running");
    }
    struct kstore_query q = KSTORE_QUERY_INIT;
    cJSON *items = NULL;
    char *cont = NULL;
    q.ns = "b";
    q.limit = 2;
    ck_assert_int_eq(kstore_list(st, "", "pods", &q, &items, &cont, NULL, NULL), 0);
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    ck_assert_ptr_nonnull(cont);
    ck_assert_str_eq(json_get_str(items, "[1].metadata.name", ""), "p1");
    cJSON_Delete(items);
    q.cont = cont;
    q.limit = 10;
    char *cont2 = NULL;
    ck_assert_int_eq(kstore_list(st, "", "pods", &q, &items, &cont2, NULL, NULL), 0);
    ck_assert_int_eq(cJSON_GetArraySize(items), 3);
    ck_assert_str_eq(json_get_str(items, "[0].metadata.name", ""), "p2");
    ck_assert_ptr_null(cont2);
    cJSON_Delete(items);
    free(cont);
    /* with a selector the page holds matching items only */
    q.cont = NULL;
    q.limit = 1;
    q.label_selector = "odd";
    ck_assert_int_eq(kstore_list(st, "", "pods", &q, &items, &cont, NULL, NULL), 0);
    ck_assert_str_eq(json_get_str(items, "[0].metadata.name", ""), "p1");
    cJSON_Delete(items);
    q.cont = cont;
    ck_assert_int_eq(kstore_list(st, "", "pods", &q, &items, &cont2, NULL, NULL), 0);
    ck_assert_str_eq(json_get_str(items, "[0].metadata.name", ""), "p3");
    cJSON_Delete(items);
    free(cont);
    free(cont2);
    q.cont = "garbage";
    ck_assert_int_eq(kstore_list(st, "", "pods", &q, &items, NULL, NULL, NULL), E_INVALID);
}
END_TEST

struct seen {
    char types[64];
    uint64_t last;
    int n;
};

static int collect(void *ctx, const struct kstore_event *ev)
{
    struct seen *s = ctx;
    s->types[s->n++] = "?AMD"[ev->type];
    s->last = ev->rv;
    return 0;
}

START_TEST(kstore_event_log_and_gone)
{
    struct seen s = {{0}, 0, 0};
    struct err err = ERR_INIT;
    uint64_t start = kstore_rv(st);
    mkpod("default", "w", "{}", "Pending");
    cJSON *o = get("", "pods", "default", "w");
    json_set_str(o, "status.phase", "Running", NULL);
    ck_assert_int_eq(kstore_update_status(st, "", "pods", o, 0, NULL, NULL), 0);
    ck_assert_int_eq(kstore_delete(st, "", "pods", "default", "w", NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(kstore_events(st, start, collect, &s, &err), 0);
    ck_assert_str_eq(s.types, "AMD");
    ck_assert_uint_eq(s.last, kstore_rv(st));
    /* a bounded window: old resourceVersions are gone */
    kstore_set_window(st, 16);
    for (int i = 0; i < 40; i++) {
        json_set(o, "status.n", cJSON_CreateNumber(i), NULL);
        json_delete(o, "metadata.resourceVersion");
        json_delete(o, "metadata.uid");
        if (i == 0)
            mkpod("default", "w", "{}", "Pending");
        ck_assert_int_eq(kstore_update_status(st, "", "pods", o, 0, NULL, NULL), 0);
    }
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(kstore_events(st, start, collect, &s, &err), E_GONE);
    ck_assert_ptr_nonnull(strstr(err.msg, "too old resource version"));
    ck_assert_int_eq(kstore_events(st, kstore_rv(st) - 3, collect, &s, &err), 0);
    ck_assert_int_eq(s.n, 3);
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(kstore_events(st, kstore_rv(st), collect, &s, &err), 0);
    ck_assert_int_eq(s.n, 0);
    cJSON_Delete(o);
}
END_TEST

static int deleted;
static void on_change(void *ctx, const struct kstore_event *ev)
{
    (void)ctx;
    if (ev->type == KSTORE_DELETED)
        deleted++;
}

START_TEST(kstore_namespace_delete_cascades)
{
    mkns("gone");
    mkpod("gone", "a", "{}", "Running");
    mkpod("gone", "b", "{}", "Running");
    mkpod("default", "c", "{}", "Running");
    kstore_log_append(st, "gone", "a", "app", "hello\n");
    deleted = 0;
    uint64_t id = kstore_listen(st, on_change, NULL);
    cJSON *out = NULL;
    ck_assert_int_eq(kstore_delete(st, "", "namespaces", "", "gone", NULL, 0, &out, NULL), 0);
    ck_assert_str_eq(json_get_str(out, "metadata.name", ""), "gone");
    cJSON_Delete(out);
    /* two pods, the default service account, the namespace */
    ck_assert_int_eq(deleted, 4);
    ck_assert_uint_eq(kstore_count(st, "", "pods", "gone"), 0);
    ck_assert_uint_eq(kstore_count(st, "", "pods", NULL), 1);
    struct buf b = BUF_INIT;
    ck_assert_int_eq(kstore_log_get(st, "gone", "a", NULL, &b, NULL), E_NOTFOUND);
    kstore_unlisten(st, id);
    ck_assert_int_eq(kstore_delete(st, "", "namespaces", "", "gone", NULL, 0, NULL, NULL),
                     E_NOTFOUND);
    buf_release(&b);
}
END_TEST

START_TEST(kstore_dry_run_changes_nothing)
{
    cJSON *out = NULL, *o = parse("{\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"}}");
    uint64_t rv = kstore_rv(st);
    ck_assert_int_eq(kstore_create(st, "", "pods", o, KSTORE_DRY_RUN, &out, NULL), 0);
    ck_assert_str_eq(json_get_str(out, "metadata.name", ""), "x");
    ck_assert_ptr_null(kstore_peek(st, "", "pods", "default", "x"));
    ck_assert_uint_eq(kstore_rv(st), rv);
    cJSON_Delete(out);
    cJSON_Delete(o);
    ck_assert_int_eq(kstore_delete(st, "", "namespaces", "", "default", NULL, KSTORE_DRY_RUN,
                                   NULL, NULL), 0);
    ck_assert_ptr_nonnull(kstore_peek(st, "", "namespaces", "", "default"));
}
END_TEST

START_TEST(kstore_pod_logs)
{
    struct buf b = BUF_INIT;
    kstore_log_append(st, "default", "p", "app", "one\n");
    kstore_log_append(st, "default", "p", "app", "two\n");
    kstore_log_append(st, "default", "p", "side", "s\n");
    ck_assert_int_eq(kstore_log_get(st, "default", "p", "app", &b, NULL), 0);
    ck_assert_str_eq(b.ptr, "one\ntwo\n");
    buf_reset(&b);
    ck_assert_int_eq(kstore_log_get(st, "default", "p", NULL, &b, NULL), 0);
    ck_assert_str_eq(b.ptr, "one\ntwo\n");
    buf_reset(&b);
    ck_assert_int_eq(kstore_log_get(st, "default", "p", "side", &b, NULL), 0);
    ck_assert_str_eq(b.ptr, "s\n");
    ck_assert_int_eq(kstore_log_get(st, "default", "q", NULL, &b, NULL), E_NOTFOUND);
    /* the cap keeps the newest whole lines */
    char *line = malloc(1000);
    memset(line, 'x', 998);
    line[998] = '\n';
    line[999] = '\0';
    for (int i = 0; i < 1100; i++)
        kstore_log_append(st, "default", "big", "c", line);
    buf_reset(&b);
    kstore_log_get(st, "default", "big", "c", &b, NULL);
    ck_assert_uint_le(b.len, (size_t)1 << 20);
    ck_assert_uint_eq(b.len % 999, 0);
    free(line);
    buf_release(&b);
}
END_TEST

START_TEST(kstore_delete_uid_precondition)
{
    struct err err = ERR_INIT;
    mkpod("default", "p", "{}", "Running");
    ck_assert_int_eq(kstore_delete(st, "", "pods", "default", "p", "other-uid", 0, NULL, &err),
                     E_CONFLICT);
    ck_assert_ptr_nonnull(kstore_peek(st, "", "pods", "default", "p"));
    ck_assert_int_eq(kstore_delete(st, "", "pods", "default", "nope", NULL, 0, NULL, &err),
                     E_NOTFOUND);
    ck_assert_str_eq(err.msg, "pods \"nope\" not found");
}
END_TEST

START_TEST(kstore_refuses_non_finite_numbers)
{
    struct err err = ERR_INIT;
    uint64_t rv = kstore_rv(st);
    cJSON *o = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"default\"},"
                     "\"data\":{\"a\":\"b\"},\"x\":[1,{\"y\":2}]}");
    cJSON *y = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "x"), 1), "y");
    cJSON_SetNumberValue(y, INFINITY);
    ck_assert_int_eq(kstore_create(st, "", "configmaps", o, 0, NULL, &err), E_INVALID);
    ck_assert_str_eq(err.msg, "x[1].y: Invalid value: +Inf: numbers must be finite (NaN and "
                     "Infinity cannot be represented in JSON)");
    ck_assert_ptr_null(kstore_peek(st, "", "configmaps", "default", "c"));
    cJSON_SetNumberValue(y, 2);
    ck_assert_int_eq(kstore_create(st, "", "configmaps", o, 0, NULL, &err), 0);
    rv = kstore_rv(st);
    cJSON_SetNumberValue(y, NAN);
    ck_assert_int_eq(kstore_update(st, "", "configmaps", o, 0, NULL, &err), E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "NaN"));
    cJSON_SetNumberValue(y, -INFINITY);
    cJSON_AddItemToObject(o, "status", cJSON_CreateNumber(-INFINITY));
    ck_assert_int_eq(kstore_update_status(st, "", "configmaps", o, 0, NULL, &err), E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "-Inf"));
    ck_assert_uint_eq(kstore_rv(st), rv);
    ck_assert_int_eq(json_get_int(kstore_peek(st, "", "configmaps", "default", "c"), "x[1].y",
                                  0), 2);
    cJSON_Delete(o);
}
END_TEST

/* CPU seconds used by this process: immune to other load on the machine. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n pods in ns, two containers each, logged then read: the CPU seconds spent. */
static double log_ops(const char *ns, int n)
{
    struct buf b = BUF_INIT;
    char pod[32];
    double t0 = cpu_seconds();
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < n; i++) {
            snprintf(pod, sizeof(pod), "p-%d", i);
            kstore_log_append(st, i % 2 ? ns : "default", pod, round ? "side" : "app",
                              "line\n");
        }
    for (int i = 0; i < n; i++) {
        snprintf(pod, sizeof(pod), "p-%d", i);
        buf_reset(&b);
        ck_assert_int_eq(kstore_log_get(st, i % 2 ? ns : "default", pod, NULL, &b, NULL), 0);
    }
    buf_release(&b);
    return cpu_seconds() - t0;
}

START_TEST(kstore_pod_logs_scale_and_drop)
{
    struct buf b = BUF_INIT;
    mkns("big");
    mkns("small");
    /* 10x the pods must cost about 10x, not 100x as with a linear table (the
     * ratio, unlike a time limit, holds under valgrind or a busy machine) */
    double small = log_ops("small", 2000) + 1e-3;
    double big = log_ops("big", 20000);
    ck_assert_msg(big < 40 * small, "2,000 pods: %.3f s CPU; 20,000 pods: %.3f s", small, big);
    /* the first container to log is the default; the pod need not exist */
    buf_reset(&b);
    ck_assert_int_eq(kstore_log_get(st, "big", "p-1", NULL, &b, NULL), 0);
    ck_assert_str_eq(b.ptr, "line\n");
    ck_assert_int_eq(kstore_log_get(st, "big", "p-1", "side", &b, NULL), 0);
    ck_assert_int_eq(kstore_log_get(st, "big", "p-1", "nope", &b, NULL), E_NOTFOUND);
    ck_assert_int_eq(kstore_log_get(st, "big", "p-2", NULL, &b, NULL), E_NOTFOUND);
    /* deleting a pod drops its logs only; deleting a namespace drops all of its own */
    mkpod("default", "p-0", "{}", "Running");
    ck_assert_int_eq(kstore_delete(st, "", "pods", "default", "p-0", NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(kstore_log_get(st, "default", "p-0", NULL, &b, NULL), E_NOTFOUND);
    ck_assert_int_eq(kstore_log_get(st, "default", "p-2", NULL, &b, NULL), 0);
    ck_assert_int_eq(kstore_delete(st, "", "namespaces", "", "big", NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(kstore_log_get(st, "big", "p-1", NULL, &b, NULL), E_NOTFOUND);
    ck_assert_int_eq(kstore_log_get(st, "default", "p-4", "side", &b, NULL), 0);
    /* logs under a re-created namespace start empty */
    mkns("big");
    ck_assert_int_eq(kstore_log_get(st, "big", "p-3", NULL, &b, NULL), E_NOTFOUND);
    kstore_log_append(st, "big", "p-3", "c", "again\n");
    buf_reset(&b);
    ck_assert_int_eq(kstore_log_get(st, "big", "p-3", NULL, &b, NULL), 0);
    ck_assert_str_eq(b.ptr, "again\n");
    buf_release(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kstore");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kstore_create_assigns_metadata);
    tcase_add_test(tc, kstore_bootstrap_namespaces);
    tcase_add_test(tc, kstore_create_errors_change_nothing);
    tcase_add_test(tc, kstore_generate_name);
    tcase_add_test(tc, kstore_update_conflict_on_stale_rv);
    tcase_add_test(tc, kstore_generation_tracks_spec_only);
    tcase_add_test(tc, kstore_noop_update_keeps_rv_and_status_rules);
    tcase_add_test(tc, kstore_label_and_field_selectors);
    tcase_add_test(tc, kstore_list_limit_and_continue);
    tcase_add_test(tc, kstore_event_log_and_gone);
    tcase_add_test(tc, kstore_namespace_delete_cascades);
    tcase_add_test(tc, kstore_dry_run_changes_nothing);
    tcase_add_test(tc, kstore_pod_logs);
    tcase_add_test(tc, kstore_delete_uid_precondition);
    tcase_add_test(tc, kstore_refuses_non_finite_numbers);
    tcase_add_test(tc, kstore_pod_logs_scale_and_drop);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
