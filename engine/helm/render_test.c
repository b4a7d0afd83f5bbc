/* render_test.c -- the `helm template` pipeline in-process: every rendered
 * document parses as YAML and has apiVersion, kind and metadata.name;
 * capabilities drive charts/myapp's HPA; errors leave the output untouched.
 * (Byte-exact goldens are checked by tests/helm.sh.)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/ydoc.h"
#include "helm/chart.h"
#include "helm/render.h"
#include "helm/values.h"

static int render(const char *dir, const char *sets, const struct render_opts *o, struct buf *out,
                  struct err *err)
{
    struct chart *c = NULL;
    cJSON *user = cJSON_CreateObject(), *vals = NULL;
    int rc = sets ? hvals_parse_set(user, sets, 0, err) : 0;
    if (rc == 0)
        rc = chart_load(&c, dir, err);
    if (rc == 0)
        rc = chart_resolve(c, user, &vals, err);
    if (rc == 0)
        rc = render_chart(c, vals, o, out, err);
    cJSON_Delete(vals);
    cJSON_Delete(user);
    chart_free(c);
    return rc;
}

/* Every document: a map with apiVersion, kind, metadata.name. */
static int check_docs(const char *text)
{
    cJSON *docs = NULL;
    struct err err = ERR_INIT;
    ck_assert_msg(ydoc_parse_all(&docs, text, strlen(text), "out", &err) == 0, "%s", err.msg);
    int n = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, docs)
    {
        ck_assert(cJSON_IsObject(d));
        ck_assert_msg(*json_get_str(d, "apiVersion", ""), "doc %d lacks apiVersion", n);
        ck_assert_msg(*json_get_str(d, "kind", ""), "doc %d lacks kind", n);
        ck_assert_msg(*json_get_str(d, "metadata.name", ""), "doc %d lacks metadata.name", n);
        n++;
    }
    cJSON_Delete(docs);
    return n;
}

START_TEST(render_myapp_valid)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    ck_assert_msg(render("charts/myapp", NULL, &o, &out, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(check_docs(out.ptr), 3);
    ck_assert(!strstr(out.ptr, "NOTES"));
    buf_reset(&out);
    o.namespace = "test";
    ck_assert_msg(render("charts/myapp",
                         "canary.enabled=true,canary.istioIngress.enabled=true,"
                         "canary.loadtest.enabled=true", &o, &out, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(check_docs(out.ptr), 6);
    ck_assert(strstr(out.ptr, "kind: Canary\n"));
    ck_assert(strstr(out.ptr, "url: http://release-name-myapp-loadtester.test/\n"));
    buf_release(&out);
}
END_TEST

START_TEST(render_hpa_follows_capabilities)
{
    struct render_opts o = RENDER_OPTS_INIT;
    const char *apis[] = {"v1", "apps/v1", "autoscaling/v2beta1"};
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    o.no_default_apis = 1;
    o.api_versions = apis;
    o.napi_versions = 3;
    ck_assert(render("charts/myapp", "canary.enabled=true", &o, &out, &err) == 0);
    ck_assert(strstr(out.ptr, "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler"));
    ck_assert(strstr(out.ptr, "targetAverageUtilization: 80"));
    ck_assert(strstr(out.ptr, "    apiVersion: autoscaling/v2beta1\n    kind: Horizontal"));
    buf_reset(&out);
    o.no_default_apis = 0;
    o.napi_versions = 0;
    ck_assert(render("charts/myapp", "hpa.memory=200Mi", &o, &out, &err) == 0);
    ck_assert(strstr(out.ptr, "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler"));
    ck_assert(strstr(out.ptr, "averageValue: 200Mi"));
    buf_release(&out);
}
END_TEST

START_TEST(render_parent_docs_and_hooks)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    o.include_crds = 1;
    ck_assert_msg(render("tests/helm/charts/parent", NULL, &o, &out, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(check_docs(out.ptr), 6); /* crd, 4 configmaps, hook (comment doc: null) */
    ck_assert(!strstr(out.ptr, "library-charts-render-nothing"));
    ck_assert(!strstr(out.ptr, "disabled-by-condition"));
    ck_assert(!strstr(out.ptr, "bogus-hook")); /* unknown hook type: dropped */
    const char *crd = strstr(out.ptr, "CustomResourceDefinition");
    const char *hook = strstr(out.ptr, "kind: Job");
    ck_assert(crd && hook && crd < hook);
    ck_assert(strstr(out.ptr, "\n---\n# Source: parent/templates/hook.yaml\napiVersion: batch/v1"));
    buf_release(&out);
}
END_TEST

START_TEST(render_kube_version)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    o.kube_version = "not-a-version";
    ck_assert_int_lt(render("charts/myapp", NULL, &o, &out, &err), 0);
    ck_assert(strstr(err.msg, "invalid kube version"));
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(render_kind_rank("Namespace"), 1);
    ck_assert_int_eq(render_kind_rank("Canary"), -1);
    buf_release(&out);
}
END_TEST

START_TEST(render_error_keeps_output)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    buf_puts(&out, "keep");
    ck_assert_int_lt(render("tests/helm/charts/bad-required", NULL, &o, &out, &err), 0);
    ck_assert_str_eq(out.ptr, "keep");
    ck_assert_msg(strstr(err.msg, "execution error at (bad-required/templates/cm.yaml:13:10): "
                                  "image.tag is required"), "%s", err.msg);
    ck_assert_int_lt(render("tests/helm/charts/bad-recursion", NULL, &o, &out, &err), 0);
    ck_assert_int_lt(render("tests/helm/charts/bad-yaml", NULL, &o, &out, &err), 0);
    ck_assert(strstr(err.msg, "YAML parse error on bad-yaml/templates/cm.yaml"));
    ck_assert_str_eq(out.ptr, "keep");
    buf_release(&out);
}
END_TEST

/* Chart.yaml numbers print as Go's %v ("10", not C's "1e+01"); a hook
 * annotation with an empty or unknown entry drops the document, as Helm's
 * SortManifests does, while " Test , pre-install" is a hook; .Files.Glob. */
START_TEST(render_meta_numbers_and_hooks)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    ck_assert_msg(render("tests/helm/charts/meta-hooks", NULL, &o, &out, &err) == 0, "%s",
                  err.msg);
    ck_assert_msg(strstr(out.ptr, "appVersion: \"10\""), "%s", out.ptr);
    ck_assert_msg(strstr(out.ptr, "name: hook-test"), "%s", out.ptr);
    ck_assert_ptr_null(strstr(out.ptr, "hook-empty"));
    ck_assert_ptr_null(strstr(out.ptr, "hook-unknown"));
    ck_assert_int_eq(check_docs(out.ptr), 3);
    /* .Files.Glob: gobwas/glob with '/' as the separator */
    static const char *const globs[] = {
        "star: \"a.conf: A\"\n", "starstar: \"a.conf: A\\nc.conf: C\"\n",
        "alts: \"a.conf: A\\nb.txt: B\"\n", "class: \"b.txt: B\"\n",
        "range: \"a.conf: A\"\n", "one: \"b.txt: B\"\n",
    };
    for (size_t i = 0; i < sizeof globs / sizeof globs[0]; i++)
        ck_assert_msg(strstr(out.ptr, globs[i]), "%s", globs[i]);
    /* the hook comes after the regular manifests */
    ck_assert_ptr_nonnull(strstr(strstr(out.ptr, "name: meta"), "name: hook-test"));
    buf_release(&out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, render_myapp_valid);
    tcase_add_test(tc, render_hpa_follows_capabilities);
    tcase_add_test(tc, render_parent_docs_and_hooks);
    tcase_add_test(tc, render_kube_version);
    tcase_add_test(tc, render_error_keeps_output);
    tcase_add_test(tc, render_meta_numbers_and_hooks);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
