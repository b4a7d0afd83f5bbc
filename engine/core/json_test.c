/* json_test.c -- unit tests for json (paths, merges, canonical form, parse errors). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static cJSON *P(const char *s)
{
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    int rc = json_parse(&j, s, strlen(s), "t", &e);
    ck_assert_msg(rc == 0, "parse '%s': %s", s, e.msg);
    return j;
}

/* Compact document-order print of j, in a static buffer for assertions. */
static const char *S(const cJSON *j)
{
    static char out[4][4096];
    static int slot;
    struct buf b = BUF_INIT;
    json_print(j, 0, &b);
    char *o = out[slot++ % 4];
    snprintf(o, 4096, "%s", b.ptr);
    buf_release(&b);
    return o;
}

static const char *C(const cJSON *j)
{
    static char out[4][4096];
    static int slot;
    struct buf b = BUF_INIT;
    json_canonical(j, &b);
    char *o = out[slot++ % 4];
    snprintf(o, 4096, "%s", b.ptr);
    buf_release(&b);
    return o;
}

static void parse_err(const char *text, const char *msg)
{
    struct err e = ERR_INIT;
    cJSON *j = (cJSON *)1;
    ck_assert_int_eq(json_parse(&j, text, strlen(text), "f.json", &e), E_PARSE);
    ck_assert_ptr_null(j);
    ck_assert_str_eq(e.msg, msg);
}

/* ---- parsing ----------------------------------------------------------------- */

START_TEST(json_parse_ok)
{
    cJSON *j = P(" {\"a\": [1, 2.5, \"x\", true, null]}\n");
    ck_assert_str_eq(S(j), "{\"a\":[1,2.5,\"x\",true,null]}");
    cJSON_Delete(j);
    /* not NUL-terminated: only len bytes are read */
    const char txt[] = "[1,2]xxxx";
    struct err e = ERR_INIT;
    ck_assert_int_eq(json_parse(&j, txt, 5, NULL, &e), 0);
    ck_assert_str_eq(S(j), "[1,2]");
    cJSON_Delete(j);
}
END_TEST

START_TEST(json_parse_errors_located)
{
    parse_err("{\"a\": 1,\n  \"b\": }", "f.json:2:8: syntax error near '}'");
    parse_err("[1, 2] x", "f.json:1:8: unexpected data after the document");
    parse_err("{\"a\":1}\n\n{}", "f.json:3:1: unexpected data after the document");
    parse_err("", "f.json:1:1: empty document");
    parse_err("  \n ", "f.json:2:2: empty document");
    parse_err("{\"a\": [1, 2", "f.json:1:12: unexpected end of input");
    parse_err("\n\n   @", "f.json:3:4: syntax error near '@'");
    struct err e = ERR_INIT;
    cJSON *j;
    ck_assert_int_eq(json_parse(&j, "nul", 3, NULL, &e), E_PARSE);
    ck_assert_msg(strncmp(e.msg, "<json>:1:", 9) == 0, "%s", e.msg);
}
END_TEST

/* ---- paths ------------------------------------------------------------------- */

START_TEST(json_get_paths)
{
    cJSON *j = P("{\"spec\":{\"containers\":[{\"image\":\"a:1\"},{\"image\":\"b:2\"}]},"
                 "\"metadata\":{\"annotations\":{\"flux.weave.works/ignore\":\"true\","
                 "\"a[0]\":1,\"back\\\\slash\":2}},\"n\":3.5,\"b\":false,\"big\":1e300}");
    ck_assert_str_eq(json_get_str(j, "spec.containers[1].image", NULL), "b:2");
    ck_assert_str_eq(json_get_str(j, "metadata.annotations.flux\\.weave\\.works/ignore", ""),
                     "true");
    ck_assert_int_eq(json_get_int(j, "metadata.annotations.a\\[0\\]", 0), 1);
    ck_assert_int_eq(json_get_int(j, "metadata.annotations.back\\\\slash", 0), 2);
    ck_assert_ptr_null(json_get(j, "metadata.annotations.flux.weave.works/ignore"));
    ck_assert_ptr_null(json_get(j, "spec.containers[2]"));
    ck_assert_ptr_null(json_get(j, "spec.containers.image"));
    ck_assert_ptr_null(json_get(j, "spec..containers"));
    ck_assert_ptr_null(json_get(j, "spec.containers[x]"));
    ck_assert_ptr_null(json_get(j, "spec.containers[0"));
    ck_assert_ptr_null(json_get(j, "spec."));
    ck_assert_ptr_null(json_get(j, "spec\\"));
    ck_assert_ptr_eq(json_get(j, ""), j);
    ck_assert_str_eq(json_get_str(j, "n", "def"), "def");
    ck_assert_double_eq(json_get_num(j, "n", 0), 3.5);
    ck_assert_int_eq(json_get_int(j, "n", 0), 3);
    ck_assert_int_eq(json_get_int(j, "big", 0), INT64_MAX);
    ck_assert_int_eq(json_get_int(j, "missing", -7), -7);
    ck_assert_int_eq(json_get_bool(j, "b", 1), 0);
    ck_assert_int_eq(json_get_bool(j, "n", 1), 1);
    cJSON_Delete(j);
    cJSON *arr = P("[[1,2],[3]]");
    ck_assert_int_eq(json_get_int(arr, "[0][1]", 0), 2);
    ck_assert_int_eq(json_get_int(arr, "[1][0]", 0), 3);
    cJSON_Delete(arr);
}
END_TEST

START_TEST(json_set_creates_and_replaces)
{
    struct err e = ERR_INIT;
    cJSON *j = P("{\"a\":{\"b\":1},\"s\":\"x\",\"l\":[1]}");
    ck_assert_int_eq(json_set(j, "a.c.d", cJSON_CreateNumber(2), &e), 0);
    ck_assert_int_eq(json_set_str(j, "s.t", "y", &e), 0); /* replaces a non-object */
    ck_assert_int_eq(json_set(j, "l[1]", cJSON_CreateNumber(5), &e), 0); /* append */
    ck_assert_int_eq(json_set(j, "l[0]", cJSON_CreateNumber(4), &e), 0); /* replace */
    ck_assert_int_eq(json_set(j, "m\\.n", cJSON_CreateTrue(), &e), 0);
    ck_assert_int_eq(json_set(j, "new[0].x", cJSON_CreateNumber(1), &e), 0);
    ck_assert_str_eq(S(j), "{\"a\":{\"b\":1,\"c\":{\"d\":2}},\"s\":{\"t\":\"y\"},\"l\":[4,5],"
                           "\"m.n\":true,\"new\":[{\"x\":1}]}");
    /* errors take ownership too (leak checker watches) */
    ck_assert_int_eq(json_set(j, "l[5]", cJSON_CreateNumber(1), &e), E_INVALID);
    ck_assert_int_eq(json_set(j, "a..b", cJSON_CreateNumber(1), &e), E_INVALID);
    ck_assert_int_eq(json_set(j, "", cJSON_CreateNumber(1), &e), E_INVALID);
    ck_assert_int_eq(json_set(j, "[0]", cJSON_CreateNumber(1), &e), E_INVALID);
    ck_assert_int_eq(json_set(j, "l[9].x", cJSON_CreateNumber(1), &e), E_INVALID);
    ck_assert_int_eq(json_delete(j, "a.c"), 1);
    ck_assert_int_eq(json_delete(j, "a.c"), 0);
    ck_assert_int_eq(json_delete(j, "l[0]"), 1);
    ck_assert_int_eq(json_delete(j, "m\\.n"), 1);
    ck_assert_int_eq(json_delete(j, ""), 0);
    ck_assert_str_eq(S(j), "{\"a\":{\"b\":1},\"s\":{\"t\":\"y\"},\"l\":[5],\"new\":[{\"x\":1}]}");
    cJSON_Delete(j);
}
END_TEST

/* ---- merges ------------------------------------------------------------------ */

START_TEST(json_merge_deep)
{
    cJSON *dst = P("{\"a\":{\"b\":1,\"c\":[1,2]},\"d\":\"x\",\"e\":{\"f\":1}}");
    cJSON *src = P("{\"a\":{\"c\":[3],\"g\":null},\"d\":{\"y\":1},\"e\":5,\"h\":true}");
    json_merge(dst, src);
    ck_assert_str_eq(S(dst), "{\"a\":{\"b\":1,\"c\":[3],\"g\":null},\"d\":{\"y\":1},\"e\":5,"
                             "\"h\":true}");
    ck_assert_str_eq(S(src), "{\"a\":{\"c\":[3],\"g\":null},\"d\":{\"y\":1},\"e\":5,\"h\":true}");
    cJSON *scalar = P("[1]");
    json_merge(scalar, src); /* non-object destination becomes a copy */
    ck_assert(json_equal(scalar, src));
    cJSON_Delete(scalar);
    cJSON_Delete(dst);
    cJSON_Delete(src);
}
END_TEST

/* RFC 7386 section 3 and every example of Appendix A. */
static const char *rfc7386[][3] = {
    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"{\"a\":\"foo\"}", "null", "null"},
    {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    {"{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
     "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
     "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
     "\"tags\":[\"example\"]}",
     "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
     "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"},
};

START_TEST(json_merge_patch_rfc7386)
{
    size_t i = (size_t)_i;
    cJSON *t = P(rfc7386[i][0]), *p = P(rfc7386[i][1]), *want = P(rfc7386[i][2]);
    char *tbefore = strdup(S(t)), *pbefore = strdup(S(p));
    cJSON *got = json_merge_patch(t, p);
    ck_assert_msg(json_equal(got, want), "case %zu: got %s", i, S(got));
    ck_assert_str_eq(S(got), S(want)); /* document order too */
    ck_assert_str_eq(S(t), tbefore);
    ck_assert_str_eq(S(p), pbefore);
    free(tbefore);
    free(pbefore);
    cJSON_Delete(got);
    got = json_merge_patch(NULL, p);
    ck_assert_ptr_nonnull(got);
    cJSON_Delete(got);
    cJSON_Delete(t);
    cJSON_Delete(p);
    cJSON_Delete(want);
}
END_TEST

static const char *diff_docs[] = {
    "{}", "{\"a\":1}", "{\"a\":2}", "{\"a\":{\"b\":{\"c\":1,\"d\":[1,2]}}}",
    "{\"a\":{\"b\":{\"c\":2}},\"e\":\"x\"}", "{\"a\":[1,{\"x\":1}],\"b\":true}",
    "{\"a\":{},\"b\":{\"c\":{}}}", "[1,2,3]", "\"str\"", "42", "true",
    "{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"fe\"},\"name\":\"w\"},"
    "\"spec\":{\"replicas\":3}}",
    "{\"metadata\":{\"labels\":{\"app\":\"web\"},\"name\":\"w\"},\"spec\":{\"replicas\":5,"
    "\"paused\":false}}",
    "{\"a\":\"x\",\"b\":{\"c\":1}}", "{\"b\":\"x\",\"a\":{\"c\":1}}",
};

START_TEST(json_merge_diff_inverts_patch)
{
    size_t n = sizeof(diff_docs) / sizeof(diff_docs[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < n; k++) {
            cJSON *from = P(diff_docs[i]), *to = P(diff_docs[k]);
            cJSON *d = json_merge_diff(from, to);
            cJSON *back = json_merge_patch(from, d);
            ck_assert_msg(json_equal(back, to), "%s -> %s: diff %s gives %s", diff_docs[i],
                          diff_docs[k], S(d), S(back));
            if (i == k && cJSON_IsObject(from))
                ck_assert_str_eq(S(d), "{}");
            cJSON_Delete(from);
            cJSON_Delete(to);
            cJSON_Delete(d);
            cJSON_Delete(back);
        }
    }
    cJSON *from = P("{\"a\":1,\"b\":{\"c\":1,\"d\":2},\"e\":[1]}");
    cJSON *to = P("{\"b\":{\"c\":1,\"d\":3},\"e\":[1],\"f\":\"x\"}");
    cJSON *d = json_merge_diff(from, to);
    ck_assert_str_eq(S(d), "{\"a\":null,\"b\":{\"d\":3},\"f\":\"x\"}");
    cJSON_Delete(d);
    cJSON_Delete(from);
    cJSON_Delete(to);
}
END_TEST

/* ---- canonical form, hash, equality ------------------------------------------ */

START_TEST(json_canonical_sorted_and_stable)
{
    cJSON *a = P("{\"b\":[1,{\"z\":1,\"y\":2}],\"a\":\"x\",\"B\":1.0,\"c\":{}}");
    cJSON *b = P("{ \"c\" : {}, \"B\":1, \"a\":\"x\",\"b\":[1,{\"y\":2.0,\"z\":1e0}]}");
    ck_assert_str_eq(C(a), "{\"B\":1,\"a\":\"x\",\"b\":[1,{\"y\":2,\"z\":1}],\"c\":{}}");
    ck_assert_str_eq(C(a), C(b));
    ck_assert(json_equal(a, b));
    ck_assert_uint_eq(json_hash(a), json_hash(b));
    char h1[17], h2[17];
    json_hash_hex(a, h1);
    json_hash_hex(b, h2);
    ck_assert_str_eq(h1, h2);
    ck_assert_uint_eq(strlen(h1), 16);
    /* FNV-1a 64 of "{}" is fixed forever */
    cJSON *e = P("{}");
    json_hash_hex(e, h1);
    ck_assert_str_eq(h1, "08f44b07b5901a25");
    cJSON_Delete(e);
    /* order inside lists matters */
    cJSON *l1 = P("[1,2]"), *l2 = P("[2,1]");
    ck_assert(!json_equal(l1, l2));
    ck_assert_uint_ne(json_hash(l1), json_hash(l2));
    cJSON_Delete(l1);
    cJSON_Delete(l2);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

START_TEST(json_equal_types)
{
    const char *docs[] = {"null", "true", "false", "0", "1", "\"1\"", "[]", "{}", "[null]",
                          "{\"a\":null}", "{\"a\":1}", "{\"b\":1}", "{\"a\":1,\"b\":1}"};
    size_t n = sizeof(docs) / sizeof(docs[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < n; k++) {
            cJSON *x = P(docs[i]), *y = P(docs[k]);
            ck_assert_int_eq(json_equal(x, y), i == k);
            cJSON_Delete(x);
            cJSON_Delete(y);
        }
    }
    ck_assert(json_equal(NULL, NULL));
}
END_TEST

START_TEST(json_numbers_formats)
{
    static const struct {
        double x;
        const char *json, *go, *yaml;
    } cases[] = {
        {1, "1", "1", "1"},
        {3.0, "3", "3", "3"},
        {999999, "999999", "999999", "999999"},
        {1000000, "1000000", "1e+06", "1000000"},
        {1234567, "1234567", "1.234567e+06", "1234567"},
        {1234567.5, "1234567.5", "1.2345675e+06", "1.2345675e+06"},
        {1.5, "1.5", "1.5", "1.5"},
        {0.00001, "0.00001", "1e-05", "1e-05"},
        {0.0001, "0.0001", "0.0001", "0.0001"},
        {1e-7, "1e-7", "1e-07", "1e-07"},
        {123456789012345678.0, "123456789012345680", "1.2345678901234568e+17",
         "123456789012345680"},
        {1e21, "1e+21", "1e+21", "1e+21"},
        {1e20, "100000000000000000000", "1e+20", "1e+20"},
        {-2.5, "-2.5", "-2.5", "-2.5"},
        {-0.0, "0", "0", "0"},
        {0.1, "0.1", "0.1", "0.1"},
        {1.0 / 3, "0.3333333333333333", "0.3333333333333333", "0.3333333333333333"},
        {9007199254740993.0, "9007199254740992", "9.007199254740992e+15", "9007199254740992"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
        json_format_number(cases[i].x, JSON_NUM_JSON, &a);
        json_format_number(cases[i].x, JSON_NUM_GO, &b);
        json_format_number(cases[i].x, JSON_NUM_YAML, &c);
        ck_assert_str_eq(a.ptr, cases[i].json);
        ck_assert_str_eq(b.ptr, cases[i].go);
        ck_assert_str_eq(c.ptr, cases[i].yaml);
        buf_release(&a);
        buf_release(&b);
        buf_release(&c);
    }
    struct buf b = BUF_INIT;
    json_format_number(NAN, JSON_NUM_YAML, &b);
    json_format_number(-INFINITY, JSON_NUM_YAML, &b);
    json_format_number(INFINITY, JSON_NUM_JSON, &b);
    ck_assert_str_eq(b.ptr, ".nan-.infnull");
    buf_release(&b);
}
END_TEST

START_TEST(json_numbers_round_trip)
{
    /* every printed number reads back as the same double */
    unsigned s = 12345;
    for (int i = 0; i < 20000; i++) {
        s = s * 1103515245u + 12345u;
        uint64_t bits = ((uint64_t)s << 32) ^ (uint64_t)(s * 2654435761u) ^ ((uint64_t)i << 20);
        double x;
        memcpy(&x, &bits, sizeof(x));
        if (isnan(x) || isinf(x))
            continue;
        struct buf b = BUF_INIT;
        json_format_number(x, i % 2 ? JSON_NUM_JSON : JSON_NUM_GO, &b);
        ck_assert_msg(strtod(b.ptr, NULL) == x || x == 0, "%.17g printed %s", x, b.ptr);
        buf_release(&b);
    }
}
END_TEST

START_TEST(json_print_pretty)
{
    cJSON *j = P("{\"b\":[1,{\"x\":\"a\\\"b\\n\\u0001\"}],\"a\":{},\"c\":[],\"d\":1e6}");
    struct buf b = BUF_INIT;
    json_print(j, 1, &b);
    ck_assert_str_eq(b.ptr, "{\n"
                            "  \"b\": [\n"
                            "    1,\n"
                            "    {\n"
                            "      \"x\": \"a\\\"b\\n\\u0001\"\n"
                            "    }\n"
                            "  ],\n"
                            "  \"a\": {},\n"
                            "  \"c\": [],\n"
                            "  \"d\": 1000000\n"
                            "}");
    buf_reset(&b);
    json_print(j, 0, &b);
    ck_assert_str_eq(b.ptr, "{\"b\":[1,{\"x\":\"a\\\"b\\n\\u0001\"}],\"a\":{},\"c\":[],"
                            "\"d\":1000000}");
    /* printed text parses back to an equal document */
    cJSON *back = P(b.ptr);
    ck_assert(json_equal(j, back));
    cJSON_Delete(back);
    buf_release(&b);
    cJSON_Delete(j);
}
END_TEST


START_TEST(json_parse_deep_nesting_rejected)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < 2000; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 2000; i++)
        buf_putc(&b, ']');
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    ck_assert_int_eq(json_parse(&j, b.ptr, b.len, "deep.json", &e), E_PARSE);
    ck_assert_msg(strncmp(e.msg, "deep.json:1:", 12) == 0, "%s", e.msg);
    buf_release(&b);
}
END_TEST

START_TEST(json_hash_sensitive)
{
    cJSON *a = P("{\"spec\":{\"replicas\":3,\"image\":\"nginx:1.25\"}}");
    cJSON *b = P("{\"spec\":{\"replicas\":3,\"image\":\"nginx:1.26\"}}");
    cJSON *c = P("{\"spec\":{\"replicas\":\"3\",\"image\":\"nginx:1.25\"}}");
    ck_assert_uint_ne(json_hash(a), json_hash(b));
    ck_assert_uint_ne(json_hash(a), json_hash(c));
    ck_assert(!json_equal(a, c));
    /* -0 and 0 are the same number */
    cJSON *z1 = P("[0]"), *z2 = P("[-0.0]");
    ck_assert(json_equal(z1, z2));
    ck_assert_uint_eq(json_hash(z1), json_hash(z2));
    struct buf out = BUF_INIT;
    json_print(NULL, 0, &out);
    json_canonical(NULL, &out);
    ck_assert_str_eq(out.ptr, "nullnull");
    buf_release(&out);
    cJSON_Delete(z1);
    cJSON_Delete(z2);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}
END_TEST

START_TEST(json_duplicate_keys_equal)
{
    cJSON *a = P("{\"a\":1,\"a\":2}"), *b = P("{\"a\":1,\"a\":2}");
    ck_assert(json_equal(a, b));
    cJSON *d = json_merge_diff(a, b);
    ck_assert_str_eq(S(d), "{}");
    cJSON_Delete(d);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
END_TEST

START_TEST(json_merge_patch_null_target)
{
    cJSON *p = P("{\"a\":{\"b\":null,\"c\":1}}");
    cJSON *r = json_merge_patch(NULL, p);
    ck_assert_str_eq(S(r), "{\"a\":{\"c\":1}}");
    cJSON_Delete(r);
    r = json_merge_patch(p, NULL);
    ck_assert(json_equal(r, p));
    cJSON_Delete(r);
    cJSON_Delete(p);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, json_parse_ok);
    tcase_add_test(tc, json_parse_errors_located);
    tcase_add_test(tc, json_get_paths);
    tcase_add_test(tc, json_set_creates_and_replaces);
    tcase_add_test(tc, json_merge_deep);
    tcase_add_loop_test(tc, json_merge_patch_rfc7386, 0,
                        (int)(sizeof(rfc7386) / sizeof(rfc7386[0])));
    tcase_add_test(tc, json_merge_diff_inverts_patch);
    tcase_add_test(tc, json_canonical_sorted_and_stable);
    tcase_add_test(tc, json_equal_types);
    tcase_add_test(tc, json_numbers_formats);
    tcase_add_test(tc, json_numbers_round_trip);
    tcase_add_test(tc, json_print_pretty);
    tcase_add_test(tc, json_parse_deep_nesting_rejected);
    tcase_add_test(tc, json_hash_sensitive);
    tcase_add_test(tc, json_duplicate_keys_equal);
    tcase_add_test(tc, json_merge_patch_null_target);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
