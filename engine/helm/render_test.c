/* render_test.c -- the `helm template` pipeline in-process: every rendered
 * document parses as YAML and has apiVersion, kind and metadata.name;
 * capabilities drive charts/myapp's HPA; errors leave the output untouched;
 * a prepared (parsed once) chart renders exactly as a fresh load, whatever
 * the values enable, and no render changes it.
 * (Byte-exact goldens are checked by tests/helm.sh.)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/ydoc.h"
#include "helm/chart.h"
#include "helm/hfuncs.h"
#include "helm/render.h"
#include "helm/tcache.h"
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

/* ---- parse once, render many ---------------------------------------------------------- */

/* Output (or "ERR <message>") of one render of p with --set sets. */
static char *run_prepared(const render_prepared *p, const char *sets)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    cJSON *user = cJSON_CreateObject();
    ck_assert(!sets || hvals_parse_set(user, sets, 0, &err) == 0);
    o.include_crds = 1;
    if (render_prepared_run(p, user, &o, &out, &err) < 0) {
        ck_assert_uint_eq(out.len, 0);
        buf_addf(&out, "ERR %s", err.msg);
    }
    cJSON_Delete(user);
    size_t n;
    return buf_detach(&out, &n);
}

/* The same with a fresh load and no cache. */
static char *run_fresh(const char *dir, const char *sets)
{
    struct render_opts o = RENDER_OPTS_INIT;
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    o.include_crds = 1;
    if (render(dir, sets, &o, &out, &err) < 0) {
        ck_assert_uint_eq(out.len, 0);
        buf_addf(&out, "ERR %s", err.msg);
    }
    size_t n;
    return buf_detach(&out, &n);
}

static render_prepared *prepare(const char *dir)
{
    struct chart *c = NULL;
    struct err err = ERR_INIT;
    ck_assert_msg(chart_load(&c, dir, &err) == 0, "%s", err.msg);
    return render_prepare(c);
}

/* Renders of one prepared chart with values that enable and disable
 * subcharts, in an order that goes back and forth, equal fresh renders. */
START_TEST(render_prepared_equals_fresh)
{
    static const struct {
        const char *dir, *sets;
    } cases[] = {
        {"tests/helm/charts/parent", NULL},
        {"tests/helm/charts/parent", "sub2.greeting=x,tags.extras=true,global.env=stage"},
        {"tests/helm/charts/parent", "sub.enabled=false"}, /* an error: nil pointer */
        {"tests/helm/charts/parent", "extra.enabled=true,tags.core=false"},
        {"tests/helm/charts/parent", NULL},
        {"tests/helm/charts/lazy-bad", NULL},
        {"tests/helm/charts/lazy-bad", "broken.enabled=true"},
        {"tests/helm/charts/lazy-bad", "good2.enabled=true,tags.goods=false,good2.word=w"},
        {"tests/helm/charts/lazy-bad", "good2.enabled=true"},
        {"tests/helm/charts/lazy-bad", NULL},
        {"tests/helm/charts/tpl-define", "useLeak=true"},
        {"tests/helm/charts/tpl-define", NULL},
        {"tests/helm/charts/tpl-define", "useLeak=true"},
        {"charts/myapp", "canary.enabled=true,canary.loadtest.enabled=true"},
        {"charts/myapp", NULL},
        {"tests/helm/charts/bad-func", NULL},
        {"tests/helm/charts/bad-required", NULL},
        {"tests/helm/charts/hello", "ingress.enabled=true,autoscaling.enabled=true"},
    };
    render_prepared *p = NULL;
    const char *dir = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!dir || strcmp(dir, cases[i].dir)) {
            render_prepared_free(p);
            p = prepare(cases[i].dir);
            dir = cases[i].dir;
        }
        char *want = run_fresh(cases[i].dir, cases[i].sets);
        char *got = run_prepared(p, cases[i].sets);
        ck_assert_msg(!strcmp(want, got), "case %zu (%s %s):\nwant %s\ngot %s", i, dir,
                      cases[i].sets ? cases[i].sets : "", want, got);
        free(want);
        free(got);
    }
    render_prepared_free(p);
}
END_TEST

/* The expected answers of the fixtures (not only "same as fresh"). */
START_TEST(render_prepared_subcharts_and_tpl)
{
    render_prepared *p = prepare("tests/helm/charts/lazy-bad");
    char *a = run_prepared(p, NULL);
    ck_assert_msg(strstr(a, "subcharts: \"good\"\n"), "%s", a);
    char *b = run_prepared(p, "broken.enabled=true");
    ck_assert_str_eq(b, "ERR parse error at (lazy-bad/charts/broken/templates/cm.yaml:6): "
                        "function \"nosuchfunc\" not defined");
    char *c = run_prepared(p, "good2.enabled=true,tags.goods=false");
    ck_assert_msg(strstr(c, "# Source: lazy-bad/charts/good2/templates/cm.yaml\n"), "%s", c);
    ck_assert_msg(strstr(c, "name: release-name-good2\n"), "%s", c);
    ck_assert_ptr_null(strstr(c, "charts/good/"));
    char *d = run_prepared(p, NULL);
    ck_assert_str_eq(a, d);
    free(a), free(b), free(c), free(d);
    render_prepared_free(p);

    p = prepare("tests/helm/charts/tpl-define");
    a = run_prepared(p, NULL);
    ck_assert_msg(strstr(a, "inTpl: \"override+tpl-only\"\n  after: \"orig\"\n"), "%s", a);
    ck_assert_msg(strstr(a, "name: release-name-orig\n"), "%s", a);
    b = run_prepared(p, "useLeak=true"); /* tpl's define is gone after the call */
    ck_assert_msg(strstr(b, "ERR template: tpl-define/templates/cm.yaml:10:11: executing "
                            "\"tpl-define/templates/cm.yaml\" at <include \"tpld.only\" .>: "
                            "error calling include: template: no template \"tpld.only\""), "%s",
                  b);
    c = run_prepared(p, NULL);
    ck_assert_str_eq(a, c);
    free(a), free(b), free(c);
    render_prepared_free(p);
}
END_TEST

/* Every template of every chart instance a resolve gives is in the cache:
 * a prepared render parses nothing. */
static void check_cached(const tcache *tc, const struct chart *c)
{
    struct buf path = BUF_INIT;
    chart_path(c, &path);
    for (size_t i = 0; i < c->ntemplates; i++) {
        char *name = xasprintf("%s/%s", path.ptr, c->templates[i].name);
        const tmpl_unit *u = NULL;
        ck_assert_msg(tcache_get(tc, c, i, name, &u, NULL) == 1, "%s not cached", name);
        free(name);
    }
    buf_release(&path);
    for (size_t i = 0; i < c->ndeps; i++)
        check_cached(tc, c->deps[i]);
}

START_TEST(render_cache_covers_instances)
{
    static const char *const sets[] = {
        "", "tags.extras=true", "extra.enabled=true,sub.enabled=true", "tags.core=false",
    };
    struct chart *loaded = NULL;
    struct err err = ERR_INIT;
    ck_assert(chart_load(&loaded, "tests/helm/charts/parent", &err) == 0);
    tcache *tc = tcache_build(loaded, hfuncs_base());
    /* parent 4 + sub 1 + sub2 (alias of sub) 1 + lib 2 + extra 1 (exp has none) */
    ck_assert_uint_eq(tcache_count(tc), 9);
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        struct chart *c = chart_dup(loaded);
        cJSON *user = cJSON_CreateObject(), *vals = NULL;
        ck_assert(!*sets[k] || hvals_parse_set(user, sets[k], 0, &err) == 0);
        ck_assert_msg(chart_resolve(c, user, &vals, &err) == 0, "%s", err.msg);
        check_cached(tc, c);
        cJSON_Delete(vals);
        cJSON_Delete(user);
        chart_free(c);
    }
    /* a chart that is not a copy of the cached one is not served */
    struct chart *other = NULL;
    ck_assert(chart_load(&other, "tests/helm/charts/parent", &err) == 0);
    const tmpl_unit *u = NULL;
    ck_assert_int_eq(tcache_get(tc, other, 0, "parent/templates/_partial.tpl", &u, NULL), 0);
    ck_assert_int_eq(tcache_get(tc, loaded, 0, "parent/templates/_partial.tpl", &u, NULL), 1);
    ck_assert_int_eq(tcache_get(tc, loaded, 0, "parent/templates/other.tpl", &u, NULL), 0);
    chart_free(other);
    tcache_free(tc);
    chart_free(loaded);
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
    tcase_add_test(tc, render_prepared_equals_fresh);
    tcase_add_test(tc, render_prepared_subcharts_and_tpl);
    tcase_add_test(tc, render_cache_covers_instances);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
