/* kprint_test.c -- unit tests for kprint: kubectl's table layout and ages. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/clock.h"
#include "kube/kprint.h"

static cJSON *J(const char *s)
{
    cJSON *o = NULL;
    struct err e = ERR_INIT;
    ck_assert_msg(json_parse(&o, s, strlen(s), "test", &e) == 0, "%s", e.msg);
    return o;
}

static void age_is(int64_t secs, const char *want)
{
    char out[32];
    clock_fmt_age(secs, out);
    ck_assert_msg(!strcmp(out, want), "%lld s: got %s, want %s", (long long)secs, out, want);
}

START_TEST(kprint_age_is_kubectl_human_duration)
{
    age_is(-5, "<invalid>");
    age_is(-1, "0s");
    age_is(0, "0s");
    age_is(119, "119s");
    age_is(120, "2m");
    age_is(9 * 60 + 5, "9m5s");
    age_is(10 * 60 + 5, "10m");
    age_is(179 * 60, "179m");
    age_is(3 * 3600, "3h");
    age_is(3 * 3600 + 60, "3h1m");
    age_is(8 * 3600, "8h");
    age_is(47 * 3600, "47h");
    age_is(48 * 3600, "2d");
    age_is(49 * 3600, "2d1h");
    age_is(8 * 86400, "8d");
    age_is(729LL * 86400, "729d");
    age_is(730LL * 86400, "2y");
    age_is(731LL * 86400, "2y1d");
    age_is(8 * 365LL * 86400, "8y");
}
END_TEST

#define TABLE                                                                                      \
    "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"columnDefinitions\":["               \
    "{\"name\":\"Name\",\"type\":\"string\",\"priority\":0},"                                      \
    "{\"name\":\"Ready\",\"type\":\"string\",\"priority\":0},"                                     \
    "{\"name\":\"Up-to-date\",\"type\":\"integer\",\"priority\":0},"                               \
    "{\"name\":\"Images\",\"type\":\"string\",\"priority\":1},"                                    \
    "{\"name\":\"Age\",\"type\":\"string\",\"priority\":0}],\"rows\":["                            \
    "{\"cells\":[\"web\",\"2/2\",2,\"nginx:1.26\",\"59s\"],\"object\":{\"metadata\":"             \
    "{\"name\":\"web\",\"namespace\":\"default\"}}},"                                             \
    "{\"cells\":[\"a-much-longer-name\",\"0/1\",0,null,\"3h\"],\"object\":{\"metadata\":"         \
    "{\"name\":\"a-much-longer-name\",\"namespace\":\"kube-system\"}}}]}"

static char *print(const char *table, int wide, int all_ns, const char *prefix)
{
    cJSON *t = J(table);
    struct kprint_opts o = {.wide = wide, .all_namespaces = all_ns, .name_prefix = prefix};
    struct buf b = BUF_INIT;
    ck_assert_int_eq(kprint_table(t, &o, &b), 2);
    cJSON_Delete(t);
    return buf_detach(&b, NULL);
}

START_TEST(kprint_table_columns_like_kubectl)
{
    /* tabwriter: each column as wide as its widest cell plus 3, the last not
     * padded; priority-1 columns only with -o wide; headers upper-cased */
    char *s = print(TABLE, 0, 0, NULL);
    ck_assert_str_eq(s, "NAME                 READY   UP-TO-DATE   AGE\n"
                        "web                  2/2     2            59s\n"
                        "a-much-longer-name   0/1     0            3h\n");
    free(s);
    s = print(TABLE, 1, 1, "deployment.apps/");
    ck_assert_str_eq(s, "NAMESPACE     NAME                                 READY   UP-TO-DATE   "
                        "IMAGES       AGE\n"
                        "default       deployment.apps/web                  2/2     2            "
                        "nginx:1.26   59s\n"
                        "kube-system   deployment.apps/a-much-longer-name   0/1     0            "
                        "             3h\n");
    free(s);
}
END_TEST

START_TEST(kprint_objects_without_a_table_are_name_age)
{
    /* a server that answers no Table: kubectl prints NAME and AGE */
    cJSON *items = J("[{\"metadata\":{\"name\":\"x\",\"creationTimestamp\":"
                     "\"2026-01-01T00:00:00Z\"}},{\"metadata\":{\"name\":\"yy\"}}]");
    int64_t now = 1767225600000LL + 90 * 1000; /* 2026-01-01T00:01:30Z */
    struct kprint_opts o = {0};
    struct buf b = BUF_INIT;
    ck_assert_int_eq(kprint_objects(items, now, &o, &b), 2);
    ck_assert_str_eq(b.ptr, "NAME   AGE\n"
                            "x      90s\n"
                            "yy     <unknown>\n");
    buf_release(&b);
    cJSON_Delete(items);
    /* no rows: nothing printed, 0 rows (the caller says "No resources found") */
    cJSON *t = J("{\"kind\":\"Table\",\"columnDefinitions\":[{\"name\":\"Name\"}],\"rows\":[]}");
    ck_assert_int_eq(kprint_table(t, &o, &b), 0);
    ck_assert_uint_eq(b.len, 0);
    cJSON_Delete(t);
    buf_release(&b);
}
END_TEST

static Suite *kprint_suite(void)
{
    Suite *s = suite_create("kprint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kprint_age_is_kubectl_human_duration);
    tcase_add_test(tc, kprint_table_columns_like_kubectl);
    tcase_add_test(tc, kprint_objects_without_a_table_are_name_age);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kprint_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
