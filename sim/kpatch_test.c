/* kpatch_test.c -- unit tests for JSON Patch and strategic merge patch. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "kpatch.h"

/* Apply a JSON patch to doc; compare with want (NULL = expect failure). */
static void json_case(const char *doc, const char *ops, const char *want)
{
    cJSON *d = cJSON_Parse(doc), *o = cJSON_Parse(ops), *w = want ? cJSON_Parse(want) : NULL;
    cJSON *out = NULL;
    struct err err = ERR_INIT;
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(o);
    int rc = kpatch_json(d, o, &out, &err);
    if (!want) {
        ck_assert_int_eq(rc, E_INVALID);
        ck_assert_str_ne(err.msg, "");
    } else {
        ck_assert_msg(rc == 0, "patch failed: %s", err.msg);
        char *got = cJSON_PrintUnformatted(out);
        ck_assert_msg(json_equal(out, w), "got %s want %s", got, want);
        free(got);
    }
    cJSON_Delete(d);
    cJSON_Delete(o);
    cJSON_Delete(w);
    cJSON_Delete(out);
}

/* RFC 6902 appendix A. */
START_TEST(kpatch_json_rfc6902_examples)
{
    json_case("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
              "{\"baz\":\"qux\",\"foo\":\"bar\"}");
    json_case("{\"foo\":[\"bar\",\"baz\"]}",
              "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
              "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
    json_case("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
              "{\"foo\":\"bar\"}");
    json_case("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
              "{\"foo\":[\"bar\",\"baz\"]}");
    json_case("{\"baz\":\"qux\",\"foo\":\"bar\"}",
              "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
              "{\"baz\":\"boo\",\"foo\":\"bar\"}");
    json_case("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
              "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
              "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
    json_case("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
              "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
              "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
    json_case("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
              "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
              "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
              "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
    json_case("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
              NULL);
    json_case("{\"foo\":\"bar\"}",
              "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
              "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
    json_case("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
              NULL);
    json_case("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
              "{\"/\":9,\"~1\":10}");
    json_case("{\"foo\":[\"bar\"]}",
              "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
              "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");
    json_case("{\"foo\":\"bar\"}", "[{\"op\":\"copy\",\"from\":\"/foo\",\"path\":\"/baz\"}]",
              "{\"foo\":\"bar\",\"baz\":\"bar\"}");
}
END_TEST

START_TEST(kpatch_json_rejects_bad_ops)
{
    json_case("{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", NULL);
    json_case("{}", "[{\"path\":\"/a\"}]", NULL);
    json_case("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL);
    json_case("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL);
    json_case("{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/5\",\"value\":2}]", NULL);
    json_case("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":2}]", NULL);
    json_case("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]",
              NULL);
    cJSON *d = cJSON_Parse("{}"), *ops = cJSON_Parse("{\"op\":\"add\"}"), *out = NULL;
    ck_assert_int_eq(kpatch_json(d, ops, &out, NULL), E_INVALID);
    cJSON_Delete(d);
    cJSON_Delete(ops);
}
END_TEST

static void smp_case(const char *doc, const char *patch, const char *want)
{
    cJSON *d = cJSON_Parse(doc), *p = cJSON_Parse(patch), *w = cJSON_Parse(want), *out = NULL;
    struct err err = ERR_INIT;
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(w);
    ck_assert_msg(kpatch_strategic(d, p, &out, &err) == 0, "smp failed: %s", err.msg);
    char *got = cJSON_PrintUnformatted(out);
    ck_assert_msg(json_equal(out, w), "got %s want %s", got, want);
    free(got);
    cJSON_Delete(d);
    cJSON_Delete(p);
    cJSON_Delete(w);
    cJSON_Delete(out);
}

START_TEST(kpatch_smp_merges_lists_by_key)
{
    /* containers by name, env by name; other fields kept */
    smp_case("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"a:1\",\"env\":"
             "[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"2\"}]},"
             "{\"name\":\"b\",\"image\":\"b:1\"}]}}",
             "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"a:2\",\"env\":"
             "[{\"name\":\"Y\",\"value\":\"3\"}]}]}}",
             "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"a:2\",\"env\":"
             "[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"3\"}]},"
             "{\"name\":\"b\",\"image\":\"b:1\"}]}}");
    /* container ports by containerPort; service ports by port */
    smp_case("{\"c\":{\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]}}",
             "{\"c\":{\"ports\":[{\"containerPort\":80,\"name\":\"http\"},{\"containerPort\":90}]}}",
             "{\"c\":{\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\",\"name\":\"http\"},"
             "{\"containerPort\":90}]}}");
    smp_case("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}",
             "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"http\"}]}}",
             "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080,\"name\":\"http\"}]}}");
    /* a list without merge key is replaced */
    smp_case("{\"args\":[\"a\",\"b\"]}", "{\"args\":[\"c\"]}", "{\"args\":[\"c\"]}");
}
END_TEST

/* The two bodies kubectl-wire.md 6.6 shows kubectl sending. */
START_TEST(kpatch_smp_kubectl_apply_bodies)
{
    const char *live =
        "{\"metadata\":{\"labels\":{\"app\":\"p\"}},\"spec\":{\"replicas\":2,\"strategy\":"
        "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\"}},\"template\":"
        "{\"spec\":{\"containers\":[{\"name\":\"podinfod\",\"image\":\"p:6.0.0\",\"env\":"
        "[{\"name\":\"A\",\"value\":\"1\"}],\"ports\":[{\"containerPort\":9898}]}]}}}}";
    smp_case(live,
             "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{"
             "\"$setElementOrder/containers\":[{\"name\":\"podinfod\"}],"
             "\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"A\"}],"
             "\"env\":[{\"name\":\"A\",\"value\":\"2\"}],\"image\":\"p:6.0.1\","
             "\"name\":\"podinfod\"}]}}}}",
             "{\"metadata\":{\"labels\":{\"app\":\"p\"}},\"spec\":{\"replicas\":3,\"strategy\":"
             "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\"}},\"template\":"
             "{\"spec\":{\"containers\":[{\"name\":\"podinfod\",\"image\":\"p:6.0.1\",\"env\":"
             "[{\"name\":\"A\",\"value\":\"2\"}],\"ports\":[{\"containerPort\":9898}]}]}}}}");
    smp_case(live,
             "{\"metadata\":{\"labels\":null},\"spec\":{\"strategy\":{\"$retainKeys\":"
             "[\"type\"],\"type\":\"Recreate\"},\"template\":{\"spec\":{"
             "\"$setElementOrder/containers\":[{\"name\":\"sidecar\"},{\"name\":\"podinfod\"}],"
             "\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"B\"}],"
             "\"env\":[{\"name\":\"B\",\"value\":\"x\"},{\"$patch\":\"delete\",\"name\":\"A\"}],"
             "\"name\":\"podinfod\",\"ports\":null},{\"image\":\"busybox\",\"name\":\"sidecar\"}]"
             "}}}}",
             "{\"metadata\":{},\"spec\":{\"replicas\":2,\"strategy\":{\"type\":\"Recreate\"},"
             "\"template\":{\"spec\":{\"containers\":[{\"image\":\"busybox\",\"name\":\"sidecar\"},"
             "{\"name\":\"podinfod\",\"image\":\"p:6.0.0\",\"env\":[{\"name\":\"B\",\"value\":"
             "\"x\"}]}]}}}}");
}
END_TEST

START_TEST(kpatch_smp_directives)
{
    smp_case("{\"a\":{\"x\":1,\"y\":2}}", "{\"a\":{\"$patch\":\"replace\",\"z\":3}}",
             "{\"a\":{\"z\":3}}");
    smp_case("{\"a\":{\"x\":1},\"b\":2}", "{\"a\":{\"$patch\":\"delete\"}}", "{\"b\":2}");
    smp_case("{\"volumes\":[{\"name\":\"v1\"},{\"name\":\"v2\"}]}",
             "{\"volumes\":[{\"name\":\"v3\"},{\"$patch\":\"replace\"}]}",
             "{\"volumes\":[{\"name\":\"v3\"}]}");
    smp_case("{\"finalizers\":[\"a\",\"b\",\"c\"]}",
             "{\"$deleteFromPrimitiveList/finalizers\":[\"b\"]}",
             "{\"finalizers\":[\"a\",\"c\"]}");
    smp_case("{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}",
             "{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}",
             "{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}");
    /* a new item carries no directives into the result */
    smp_case("{}", "{\"containers\":[{\"name\":\"a\",\"$setElementOrder/env\":[]}]}",
             "{\"containers\":[{\"name\":\"a\"}]}");
    cJSON *d = cJSON_CreateObject(), *p = cJSON_Parse("[1]"), *out = NULL;
    ck_assert_int_eq(kpatch_strategic(d, p, &out, NULL), E_INVALID);
    cJSON_Delete(d);
    cJSON_Delete(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kpatch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kpatch_json_rfc6902_examples);
    tcase_add_test(tc, kpatch_json_rejects_bad_ops);
    tcase_add_test(tc, kpatch_smp_merges_lists_by_key);
    tcase_add_test(tc, kpatch_smp_kubectl_apply_bodies);
    tcase_add_test(tc, kpatch_smp_directives);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
