/* values_test.c -- --set parsing, values files, merge/coalesce rules, semver
 * constraints and chart dependency resolution (tests/helm/charts/parent).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "helm/chart.h"
#include "helm/semver.h"
#include "helm/values.h"

static cJSON *set(const char *expr, int as_string)
{
    cJSON *o = cJSON_CreateObject();
    struct err err = ERR_INIT;
    int rc = hvals_parse_set(o, expr, as_string, &err);
    ck_assert_msg(rc == 0, "%s: %s", expr, err.msg);
    return o;
}

static void expect_json(const cJSON *j, const char *want)
{
    struct buf b = BUF_INIT;
    json_canonical(j, &b);
    ck_assert_str_eq(b.ptr, want);
    buf_release(&b);
}

START_TEST(hvals_set_typed)
{
    cJSON *o = set("a=1,b=true,c=null,d=foo,e=01,f=1.5,g=-3,h=FALSE,i=0,j=", 0);
    expect_json(o, "{\"a\":1,\"b\":true,\"c\":null,\"d\":\"foo\",\"e\":\"01\",\"f\":\"1.5\","
                   "\"g\":-3,\"h\":false,\"i\":0,\"j\":\"\"}");
    ck_assert(hvals_is_int(cJSON_GetObjectItem(o, "a")));
    ck_assert(hvals_is_int(cJSON_GetObjectItem(o, "g")));
    ck_assert(!hvals_is_int(cJSON_GetObjectItem(o, "f")));
    cJSON_Delete(o);
}
END_TEST

START_TEST(hvals_set_string)
{
    cJSON *o = set("a=1,b=true,c=null", 1);
    expect_json(o, "{\"a\":\"1\",\"b\":\"true\",\"c\":\"null\"}");
    cJSON_Delete(o);
}
END_TEST

START_TEST(hvals_set_nested_and_lists)
{
    cJSON *e = set("a.=1", 0);
    expect_json(e, "{\"a\":{\"\":1}}"); /* strvals accepts an empty key */
    cJSON_Delete(e);
    cJSON *o = set("a.b.c=x,a.b.d=y,l[0]=p,l[2]=r,m[1].n=1,q={x,y,3},z[0][1]=w", 0);
    expect_json(o, "{\"a\":{\"b\":{\"c\":\"x\",\"d\":\"y\"}},\"l\":[\"p\",null,\"r\"],"
                   "\"m\":[null,{\"n\":1}],\"q\":[\"x\",\"y\",3],\"z\":[[null,\"w\"]]}");
    cJSON_Delete(o);
}
END_TEST

START_TEST(hvals_set_escapes)
{
    cJSON *o = set("podAnnotations.some\\.k8s\\.annotation/env=a\\,b,x=y", 0);
    expect_json(o, "{\"podAnnotations\":{\"some.k8s.annotation/env\":\"a,b\"},\"x\":\"y\"}");
    cJSON_Delete(o);
}
END_TEST

START_TEST(hvals_set_merges_existing)
{
    cJSON *o = set("a.b=1", 0);
    struct err err = ERR_INIT;
    ck_assert_int_eq(hvals_parse_set(o, "a.c=2,l[1]=x", 0, &err), 0);
    ck_assert_int_eq(hvals_parse_set(o, "l[0]=y", 0, &err), 0);
    expect_json(o, "{\"a\":{\"b\":1,\"c\":2},\"l\":[\"y\",\"x\"]}");
    cJSON_Delete(o);
}
END_TEST

START_TEST(hvals_set_errors)
{
    static const char *const bad[][2] = {
        {"a", "key 'a' has no value"},
        {"a,b=1", "cannot end with ,"},
        {"a[x]=1", "invalid list index"},
        {"a[-1]=1", "negative"},
        {"a[70000]=1", "greater than maximum"},
        {"a={x,y", "list must terminate with '}'"},
        {"a[0]x=1", "unexpected data at end of array index"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *o = cJSON_CreateObject();
        struct err err = ERR_INIT;
        ck_assert_msg(hvals_parse_set(o, bad[i][0], 0, &err) == E_PARSE, "%s", bad[i][0]);
        ck_assert_msg(strstr(err.msg, bad[i][1]), "%s: %s", bad[i][0], err.msg);
        cJSON_Delete(o);
    }
}
END_TEST

START_TEST(hvals_load_first_doc)
{
    cJSON *o = NULL;
    struct err err = ERR_INIT;
    const char *y = "a: 1\nb: yes\n---\nc: 2\n";
    ck_assert_int_eq(hvals_load_text(&o, y, strlen(y), "v.yaml", &err), 0);
    expect_json(o, "{\"a\":1,\"b\":true}");
    ck_assert(!hvals_is_int(cJSON_GetObjectItem(o, "a"))); /* float64, like Helm */
    cJSON_Delete(o);
    ck_assert_int_eq(hvals_load_text(&o, "", 0, "e.yaml", &err), 0);
    expect_json(o, "{}");
    cJSON_Delete(o);
    ck_assert_int_lt(hvals_load_text(&o, "- a\n", 4, "l.yaml", &err), 0);
    ck_assert(strstr(err.msg, "l.yaml"));
    ck_assert_int_lt(hvals_load_text(&o, "a: [1\n", 6, "b.yaml", &err), 0);
    ck_assert_msg(!strncmp(err.msg, "b.yaml:", 7), "%s", err.msg);
    ck_assert_int_lt(hvals_load_file(&o, "tests/helm/values/nope.yaml", &err), 0);
}
END_TEST

static cJSON *js(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(hvals_merge_and_coalesce)
{
    cJSON *dst = js("{\"a\":{\"x\":1,\"y\":2},\"l\":[1,2],\"s\":\"v\"}");
    cJSON *src = js("{\"a\":{\"y\":3,\"z\":null},\"l\":[9],\"s\":null}");
    hvals_merge_user(dst, src);
    expect_json(dst, "{\"a\":{\"x\":1,\"y\":3,\"z\":null},\"l\":[9],\"s\":null}");
    cJSON *defaults = js("{\"a\":{\"x\":0,\"z\":5,\"w\":7},\"s\":\"d\",\"n\":1,\"l\":[0,0,0]}");
    hvals_coalesce_tables(dst, defaults, 0);
    /* user wins, lists replace, null deletes the default */
    expect_json(dst, "{\"a\":{\"w\":7,\"x\":1,\"y\":3},\"l\":[9],\"n\":1}");
    cJSON_Delete(dst);
    cJSON_Delete(src);
    cJSON_Delete(defaults);
}
END_TEST

START_TEST(hvals_globals)
{
    cJSON *parent = js("{\"global\":{\"env\":\"prod\",\"t\":{\"a\":1}}}");
    cJSON *child = js("{\"global\":{\"env\":\"dev\",\"own\":1,\"t\":{\"a\":0,\"b\":2}}}");
    hvals_coalesce_globals(child, parent);
    expect_json(child, "{\"global\":{\"env\":\"prod\",\"own\":1,\"t\":{\"a\":1,\"b\":2}}}");
    cJSON *c2 = cJSON_CreateObject();
    hvals_coalesce_globals(c2, parent);
    expect_json(c2, "{\"global\":{\"env\":\"prod\",\"t\":{\"a\":1}}}");
    cJSON_Delete(parent);
    cJSON_Delete(child);
    cJSON_Delete(c2);
}
END_TEST

START_TEST(hvals_semver)
{
    static const struct { const char *c, *v; int want; } t[] = {
        {">=1.19-0", "v1.28.3-gke.100", 1}, {">=1.19", "v1.28.3-gke.100", 0},
        {">= 1.19.0", "1.20.0", 1},         {"<1.19", "1.20", 0},
        {"^1.2.3", "1.9.9", 1},             {"^1.2.3", "2.0.0", 0},
        {"^0.2.3", "0.2.9", 1},             {"^0.2.3", "0.3.0", 0},
        {"^0.0.3", "0.0.4", 0},             {"~1.2.3", "1.2.9", 1},
        {"~1.2.3", "1.3.0", 0},             {"~1", "1.9.0", 1},
        {"1.2.x", "1.2.7", 1},              {"1.2.x", "1.3.0", 0},
        {"*", "5.0.0", 1},                  {"", "5.0.0", 1},
        {">1.x", "2.0.0", 1},               {">1.x", "1.5.0", 0},
        {"1.0 - 2.0", "2.0.5", 1},          {"1.0 - 2.0", "2.1.0", 0},
        {"<1.0 || >=3", "3.0.0", 1},        {"<1.0 || >=3", "2.0.0", 0},
        {">=1.0, <2.0", "1.5.0", 1},        {">=1.0 <2.0", "2.0.0", 0},
        {"!=1.2.3", "1.2.3", 0},            {"=1.2.3", "v1.2.3", 1},
        {">1.0.0-alpha", "1.0.0-beta", 1},  {">1.0.0-alpha.10", "1.0.0-alpha.9", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        ck_assert_msg(semver_match(t[i].c, t[i].v, NULL) == t[i].want, "'%s' '%s'", t[i].c,
                      t[i].v);
    struct err err = ERR_INIT;
    ck_assert_int_eq(semver_match(">=1.0", "not-a-version", &err), E_PARSE);
    ck_assert_int_eq(semver_match("=>>1", "1.0.0", &err), E_PARSE);
    ck_assert_int_eq(semver_match(">=1.0", "01.2.3", &err), E_PARSE);
}
END_TEST

START_TEST(chart_resolve_parent)
{
    struct chart *c = NULL;
    struct err err = ERR_INIT;
    ck_assert_msg(chart_load(&c, "tests/helm/charts/parent", &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c->name, "parent");
    ck_assert_uint_eq(c->ndeps, 4); /* exp, extra, lib, sub (directories) */
    cJSON *user = set("sub2.x=1", 0), *vals = NULL;
    ck_assert_msg(chart_resolve(c, user, &vals, &err) == 0, "%s", err.msg);
    /* extra is off (condition), sub2 is sub under its alias */
    ck_assert_uint_eq(c->ndeps, 4);
    int seen_sub2 = 0, seen_extra = 0;
    for (size_t i = 0; i < c->ndeps; i++) {
        seen_sub2 |= !strcmp(c->deps[i]->name, "sub2");
        seen_extra |= !strcmp(c->deps[i]->name, "extra");
    }
    ck_assert(seen_sub2 && !seen_extra);
    ck_assert_str_eq(json_get_str(vals, "fromSub2.k", ""), "v");            /* import-values */
    ck_assert_str_eq(json_get_str(vals, "fromSub2.own", ""), "parent-wins"); /* parent wins */
    ck_assert_str_eq(json_get_str(vals, "imported", ""), "from-exp");       /* exports.data */
    ck_assert_str_eq(json_get_str(vals, "sub.global.env", ""), "prod");     /* global down */
    ck_assert_str_eq(json_get_str(vals, "sub.global.subonly", ""), "x");
    ck_assert_ptr_null(json_get(vals, "global.subonly"));                   /* not up */
    ck_assert_ptr_null(json_get(vals, "sub.dropme"));                       /* null deletes */
    ck_assert_str_eq(json_get_str(vals, "sub2.dropme", ""), "child-default");
    ck_assert(hvals_is_int(json_get(vals, "sub2.x")));
    struct buf p = BUF_INIT;
    for (size_t i = 0; i < c->ndeps; i++)
        if (!strcmp(c->deps[i]->name, "sub2"))
            chart_path(c->deps[i], &p);
    ck_assert_str_eq(p.ptr, "parent/charts/sub2");
    buf_release(&p);
    cJSON_Delete(vals);
    cJSON_Delete(user);
    chart_free(c);
}
END_TEST

START_TEST(chart_load_errors)
{
    struct chart *c = NULL;
    struct err err = ERR_INIT;
    ck_assert_int_lt(chart_load(&c, "tests/helm/charts/nope", &err), 0);
    ck_assert_int_lt(chart_load(&c, "tests/helm/charts/bad-values", &err), 0);
    ck_assert_msg(strstr(err.msg, "bad-values/values.yaml:2:"), "%s", err.msg);
    ck_assert_int_lt(chart_load(&c, "tests/helm/values", &err), 0);
    ck_assert_msg(strstr(err.msg, "Chart.yaml file is missing"), "%s", err.msg);
}
END_TEST

START_TEST(chart_helmignore_and_files)
{
    struct chart *c = NULL;
    struct err err = ERR_INIT;
    ck_assert_int_eq(chart_load(&c, "tests/helm/charts/parent", &err), 0);
    for (size_t i = 0; i < c->nfiles; i++) {
        ck_assert_msg(!strstr(c->files[i].name, ".bak"), "%s", c->files[i].name);
        ck_assert_msg(strncmp(c->files[i].name, "secret/", 7), "%s", c->files[i].name);
    }
    int crd = 0;
    for (size_t i = 0; i < c->nfiles; i++)
        crd |= !strcmp(c->files[i].name, "crds/crontab.yaml");
    ck_assert(crd);
    char tmp[64];
    ck_assert_str_eq(chart_meta_str(c, "appVersion", tmp, sizeof tmp), "1.1");
    chart_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("values");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hvals_set_typed);
    tcase_add_test(tc, hvals_set_string);
    tcase_add_test(tc, hvals_set_nested_and_lists);
    tcase_add_test(tc, hvals_set_escapes);
    tcase_add_test(tc, hvals_set_merges_existing);
    tcase_add_test(tc, hvals_set_errors);
    tcase_add_test(tc, hvals_load_first_doc);
    tcase_add_test(tc, hvals_merge_and_coalesce);
    tcase_add_test(tc, hvals_globals);
    tcase_add_test(tc, hvals_semver);
    tcase_add_test(tc, chart_resolve_parent);
    tcase_add_test(tc, chart_load_errors);
    tcase_add_test(tc, chart_helmignore_and_files);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
