/* mhead_test.c -- the manifest head reader: the event walk must give what a
 * full ydoc_parse_all of the document gives (kind, hook annotation, errors),
 * on plain manifests and on the cases it hands over to ydoc. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ydoc.h"
#include "helm/mhead.h"

struct hcase {
    const char *doc;
    const char *kind; /* NULL: an error is expected */
    const char *hook; /* NULL: no string hook annotation */
    const char *err;  /* substring of the error */
};

static const struct hcase cases[] = {
    {"apiVersion: v1\nkind: Service\nmetadata:\n  name: x", "Service", NULL, NULL},
    {"kind: Job\nmetadata:\n  name: j\n  annotations:\n    a: b\n    \"helm.sh/hook\": "
     "pre-install,post-install\n    z: [1, {y: 2}]\nspec: {}", "Job", "pre-install,post-install",
     NULL},
    /* duplicates: the last wins; a later metadata replaces the first one */
    {"kind: A\nkind: B", "B", NULL, NULL},
    {"metadata:\n  annotations: {helm.sh/hook: test}\nmetadata: {name: x}", "", NULL, NULL},
    {"metadata:\n  annotations:\n    helm.sh/hook: test\n    helm.sh/hook: [x]", "", NULL, NULL},
    /* kind that is not a string, or a map; comments only; no kind */
    {"kind: 5", "", NULL, NULL},
    {"kind: true\n", "", NULL, NULL},
    {"kind: 2001-12-14", "2001-12-14", NULL, NULL},
    {"kind: \"5\"", "5", NULL, NULL},
    {"kind: {a: 1}", "", NULL, NULL},
    {"kind:\n", "", NULL, NULL},
    {"# only a comment", "", NULL, NULL},
    {"a: [kind, {kind: X}]\nb:\n  kind: Y", "", NULL, NULL},
    /* what the walk hands to ydoc: anchors, aliases, merge keys, tags */
    {"x: &k Deployment\nkind: *k", "Deployment", NULL, NULL},
    {"base: &m {annotations: {helm.sh/hook: test}}\nmetadata:\n  <<: *m\nkind: Pod", "Pod",
     "test", NULL},
    {"kind: !!str 12", "12", NULL, NULL},
    {"--- ~\n---\nkind: Second", "Second", NULL, NULL},
    {"kind: First\n...\n---\nkind: Second", "First", NULL, NULL},
    /* errors */
    {"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [unclosed", NULL, NULL,
     "YAML parse error on t/x.yaml: t/x.yaml:5:1: did not find expected ',' or ']'"},
    {"- a\n- b", NULL, NULL, "cannot unmarshal array into Go value of type releaseutil.SimpleHead"},
    {"just text", NULL, NULL, "cannot unmarshal string into Go value"},
    {"? [a]\n: b", NULL, NULL, "map keys must be scalars"},
    {"kind: *nope", NULL, NULL, "unknown anchor 'nope' referenced"},
    {"kind: A\n---\na: [", NULL, NULL, "YAML parse error on t/x.yaml: t/x.yaml:"},
    {"a: \"\\xff\"\nkind: \xff", NULL, NULL, "YAML parse error on t/x.yaml:"},
};

/* What the old code computed: the first document of ydoc_parse_all. */
static int ref_head(const char *doc, char **kind, char **hook)
{
    cJSON *docs = NULL;
    if (ydoc_parse_all(&docs, doc, strlen(doc), "t", NULL) < 0)
        return -1;
    const cJSON *d = cJSON_GetArrayItem(docs, 0);
    int rc = d && !cJSON_IsObject(d) ? -1 : 0;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(d, "kind");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "metadata");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(m, "annotations");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(a, "helm.sh/hook");
    *kind = strdup(cJSON_IsString(k) ? k->valuestring : "");
    *hook = cJSON_IsString(h) ? strdup(h->valuestring) : NULL;
    cJSON_Delete(docs);
    return rc;
}

START_TEST(mhead_matches_table_and_ydoc)
{
    const struct hcase *c = &cases[_i];
    struct mhead h = MHEAD_INIT;
    struct err err = ERR_INIT;
    char *rk = NULL, *rh = NULL;
    int rc = mhead_read(&h, c->doc, strlen(c->doc), "t/x.yaml", &err);
    int ref = ref_head(c->doc, &rk, &rh);
    if (!c->kind) {
        ck_assert_msg(rc == E_PARSE, "case %d: rc %d", _i, rc);
        ck_assert_msg(strstr(err.msg, c->err), "case %d: %s", _i, err.msg);
        ck_assert_int_eq(ref, -1);
        ck_assert_ptr_null(h.kind);
    } else {
        ck_assert_msg(rc == 0, "case %d: %s", _i, err.msg);
        ck_assert_int_eq(ref, 0);
        ck_assert_str_eq(h.kind, c->kind);
        ck_assert_str_eq(rk, c->kind);
        ck_assert_pstr_eq(h.hook, c->hook);
        ck_assert_pstr_eq(rh, c->hook);
    }
    free(rk);
    free(rh);
    mhead_release(&h);
}
END_TEST

/* The walk keeps its own stack: deep nesting far from the head must not
 * confuse it, and nesting past ydoc's cap is ydoc's error. */
START_TEST(mhead_deep_nesting)
{
    struct mhead h = MHEAD_INIT;
    struct err err = ERR_INIT;
    char doc[4096];
    size_t n = 0;
    n += (size_t)snprintf(doc + n, sizeof doc - n, "kind: K\nx: ");
    for (int i = 0; i < 300; i++)
        doc[n++] = '[';
    for (int i = 0; i < 300; i++)
        doc[n++] = ']';
    doc[n] = 0;
    ck_assert_int_eq(mhead_read(&h, doc, n, "d", &err), 0);
    ck_assert_str_eq(h.kind, "K");
    mhead_release(&h);
    n = 0;
    for (int i = 0; i < 600; i++)
        doc[n++] = '[';
    for (int i = 0; i < 600; i++)
        doc[n++] = ']';
    ck_assert_int_lt(mhead_read(&h, doc, n, "d", &err), 0);
    ck_assert_msg(strstr(err.msg, "YAML parse error on d: d:1:"), "%s", err.msg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mhead");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, mhead_matches_table_and_ydoc, 0, sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, mhead_deep_nesting);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
