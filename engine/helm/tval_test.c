/* tval_test.c -- template values: containers, truth, copy/equality, Go's %v
 * and printf formatting, JSON in and out. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "helm/tval.h"

static char *pr(const tval *v)
{
    struct buf b = BUF_INIT;
    tval_print(v, &b);
    return buf_detach(&b, NULL);
}

static void assert_print(tval *v, const char *want)
{
    char *s = pr(v);
    ck_assert_str_eq(s, want);
    free(s);
    tval_unref(v);
}

static void assert_printf(const char *fmt, tval *arg, const char *want)
{
    struct buf b = BUF_INIT;
    tval_sprintf(&b, fmt, strlen(fmt), arg ? 1 : 0, &arg);
    ck_assert_str_eq(b.ptr, want);
    buf_release(&b);
    tval_unref(arg);
}

START_TEST(tval_map_is_sorted_and_mutable)
{
    tval *m = tval_map();
    tval_map_set(m, "b", tval_int(2));
    tval_map_set(m, "a", tval_int(1));
    tval_map_set(m, "c", tval_str("x"));
    tval_map_set(m, "b", tval_int(20));
    ck_assert_uint_eq(tval_map_len(m), 3);
    ck_assert_str_eq(tval_map_key_at(m, 0), "a");
    ck_assert_str_eq(tval_map_key_at(m, 1), "b");
    ck_assert_int_eq(tval_get_int(tval_map_val_at(m, 1)), 20);
    ck_assert_ptr_null(tval_map_get(m, "zz"));
    ck_assert_int_eq(tval_map_del(m, "b"), 1);
    ck_assert_int_eq(tval_map_del(m, "b"), 0);
    ck_assert_uint_eq(tval_map_len(m), 2);
    assert_print(m, "map[a:1 c:x]");
}
END_TEST

START_TEST(tval_list_append_and_set)
{
    tval *l = tval_list();
    tval_list_append(l, tval_int(1));
    tval_list_append(l, tval_str("two"));
    tval_list_append(l, tval_nil());
    tval_list_set(l, 0, tval_float(1.5));
    ck_assert_uint_eq(tval_list_len(l), 3);
    ck_assert_int_eq(tval_kind(tval_list_at(l, 0)), TV_FLOAT);
    assert_print(l, "[1.5 two <nil>]");
}
END_TEST

START_TEST(tval_truth_follows_go)
{
    tval *falsy[] = {tval_nil(), tval_bool(0), tval_int(0), tval_float(0), tval_str(""),
                     tval_list(), tval_map()};
    for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        ck_assert_int_eq(tval_truth(falsy[i]), 0);
        tval_unref(falsy[i]);
    }
    tval *truthy[] = {tval_bool(1), tval_int(-1), tval_float(0.1), tval_str("false"),
                      tval_str("0")};
    for (size_t i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
        ck_assert_int_eq(tval_truth(truthy[i]), 1);
        tval_unref(truthy[i]);
    }
}
END_TEST

START_TEST(tval_copy_is_deep_and_equal)
{
    tval *m = tval_map(), *inner = tval_list();
    tval_list_append(inner, tval_int(1));
    tval_map_set(m, "l", inner);
    tval *c = tval_copy(m);
    ck_assert(tval_equal(m, c));
    tval_list_append(tval_map_get(c, "l"), tval_int(2));
    ck_assert(!tval_equal(m, c));
    ck_assert_uint_eq(tval_list_len(tval_map_get(m, "l")), 1);
    tval *i1 = tval_int(1), *f1 = tval_float(1), *i64 = tval_int64(1);
    ck_assert(!tval_equal(i1, f1));
    ck_assert_str_eq(tval_type_name(i64), "int64");
    ck_assert_str_eq(tval_type_name(i1), "int");
    ck_assert_str_eq(tval_type_name(m), "map[string]interface {}");
    tval_unref(i1);
    tval_unref(f1);
    tval_unref(i64);
    tval_unref(m);
    tval_unref(c);
}
END_TEST

START_TEST(tval_float_print_matches_go)
{
    static const struct {
        double d;
        const char *want;
    } t[] = {
        {1, "1"}, {3.0, "3"}, {999999, "999999"}, {1000000, "1e+06"},
        {1234567, "1.234567e+06"}, {1234567.5, "1.2345675e+06"}, {1.5, "1.5"},
        {1.20, "1.2"}, {0.00001, "1e-05"}, {0.0001, "0.0001"},
        {123456789012345678.0, "1.2345678901234568e+17"}, {-2.5, "-2.5"}, {0.1, "0.1"},
        {1e21, "1e+21"}, {100, "100"}, {0, "0"}, {-0.0, "-0"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_print(tval_float(t[i].d), t[i].want);
}
END_TEST

START_TEST(tval_fmt_float_forms)
{
    struct buf b = BUF_INIT;
    tval_fmt_float(1234567.5, 'f', -1, &b);
    buf_putc(&b, ' ');
    tval_fmt_float(0.00001, 'f', -1, &b);
    buf_putc(&b, ' ');
    tval_fmt_float(1234.5, 'e', -1, &b);
    buf_putc(&b, ' ');
    tval_fmt_float(2.5, 'f', 3, &b);
    ck_assert_str_eq(b.ptr, "1234567.5 0.00001 1.2345e+03 2.500");
    buf_release(&b);
}
END_TEST

/* Integral values take a shortcut to their digits: same text as the general
 * path ('f' shows every digit, 'e' the shortest ones). */
START_TEST(tval_fmt_float_integers)
{
    static const double v[] = {1, 7, 10, 100, 1000000, 1234567, 120000000, 1e15, 1e16,
                               9007199254740991.0, 9007199254740992.0, 123456789012345678.0};
    static const char *const e[] = {"1e+00", "7e+00", "1e+01", "1e+02", "1e+06",
                                    "1.234567e+06", "1.2e+08", "1e+15", "1e+16",
                                    "9.007199254740991e+15", "9.007199254740992e+15",
                                    "1.2345678901234568e+17"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct buf b = BUF_INIT;
        char want[64];
        snprintf(want, sizeof want, "%.0f", -v[i]);
        tval_fmt_float(-v[i], 'f', -1, &b);
        if (v[i] < 1e17)
            ck_assert_str_eq(b.ptr, want);
        buf_reset(&b);
        tval_fmt_float(v[i], 'e', -1, &b);
        ck_assert_str_eq(b.ptr, e[i]);
        buf_release(&b);
    }
}
END_TEST

START_TEST(tval_printf_verbs)
{
    assert_printf("%d", tval_int(-42), "-42");
    assert_printf("%08.3f", tval_float(-3.5), "-003.500");
    assert_printf("%x", tval_str("hi"), "6869");
    assert_printf("%q", tval_str("a\"b\n"), "\"a\\\"b\\n\"");
    assert_printf("%5s|", tval_str("ab"), "   ab|");
    assert_printf("%-5d|", tval_int(3), "3    |");
    assert_printf("%v", tval_nil(), "<nil>");
    assert_printf("%d", tval_float(1), "%!d(float64=1)");
    assert_printf("%s", tval_nil(), "%!s(<nil>)");
    assert_printf("%d %d", tval_int(1), "1 %!d(MISSING)");
    assert_printf("%g", tval_float(1e6), "1e+06");
    assert_printf("%v", tval_float(1.0 / 0.0), "+Inf");
    assert_printf("%t", tval_bool(1), "true");
    assert_printf("%c", tval_int(0x4E16), "\xE4\xB8\x96");
    assert_printf("no verbs", NULL, "no verbs");
    struct buf b = BUF_INIT;
    tval *args[] = {tval_str("a"), tval_int(1), tval_int(2), tval_str("b")};
    tval_sprint(&b, 4, args);
    buf_putc(&b, '|');
    tval_sprintln(&b, 2, args + 1);
    ck_assert_str_eq(b.ptr, "a1 2b|1 2\n");
    buf_release(&b);
    for (int i = 0; i < 4; i++)
        tval_unref(args[i]);
}
END_TEST

START_TEST(tval_json_parse_ints_and_floats)
{
    const char *j = "{\"i\": 3, \"f\": 3.0, \"e\": 1e3, \"big\": 123456789012345678, "
                    "\"s\": \"a\\u00e9\\n\", \"n\": null, \"b\": [true, false]}";
    tval *v = NULL;
    struct err err = ERR_INIT;
    ck_assert_int_eq(tval_parse_json(&v, j, strlen(j), TVAL_JSON_INTS, &err), 0);
    ck_assert_int_eq(tval_kind(tval_map_get(v, "i")), TV_INT);
    ck_assert_int_eq(tval_kind(tval_map_get(v, "f")), TV_FLOAT);
    ck_assert_int_eq(tval_kind(tval_map_get(v, "e")), TV_FLOAT);
    ck_assert_int_eq(tval_get_int(tval_map_get(v, "big")), 123456789012345678LL);
    ck_assert_str_eq(tval_get_str(tval_map_get(v, "s")), "a\xC3\xA9\n");
    ck_assert_int_eq(tval_kind(tval_map_get(v, "n")), TV_NIL);
    tval_unref(v);
    ck_assert_int_eq(tval_parse_json(&v, j, strlen(j), 0, &err), 0);
    ck_assert_int_eq(tval_kind(tval_map_get(v, "i")), TV_FLOAT);
    tval_unref(v);
}
END_TEST

START_TEST(tval_json_errors_are_located)
{
    tval *v = NULL;
    struct err err = ERR_INIT;
    const char *bad = "{\n  \"a\": [1, 2,, 3]\n}";
    ck_assert_int_eq(tval_parse_json(&v, bad, strlen(bad), 0, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "2:14: invalid number");
    ck_assert_int_eq(tval_parse_json(&v, "[1] x", 5, 0, &err), E_PARSE);
    ck_assert_int_eq(tval_parse_json(&v, "\"abc", 4, 0, &err), E_PARSE);
    ck_assert_int_eq(tval_parse_json(&v, "", 0, 0, &err), E_PARSE);
}
END_TEST

START_TEST(tval_cjson_round_trip)
{
    cJSON *j = cJSON_Parse("{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":{}}}");
    tval *v = tval_from_json(j, TVAL_JSON_INTS);
    ck_assert_int_eq(tval_kind(tval_list_at(tval_map_get(v, "a"), 0)), TV_INT);
    tval *w = tval_from_json(j, 0);
    ck_assert_int_eq(tval_kind(tval_list_at(tval_map_get(w, "a"), 0)), TV_FLOAT);
    cJSON *back = tval_to_json(w);
    ck_assert(cJSON_Compare(j, back, 1));
    cJSON_Delete(back);
    cJSON_Delete(j);
    tval_unref(v);
    tval_unref(w);
}
END_TEST

START_TEST(tval_refcount_shares)
{
    tval *s = tval_str("shared");
    tval *m = tval_map();
    tval_map_set(m, "a", tval_ref(s));
    tval_map_set(m, "b", tval_ref(s));
    tval_unref(s);
    ck_assert_ptr_eq(tval_map_get(m, "a"), tval_map_get(m, "b"));
    tval_unref(m);
    ck_assert_ptr_eq(tval_ref(tval_nil()), tval_nil());
    tval_unref(tval_nil());
    tval_unref(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tval");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, tval_map_is_sorted_and_mutable);
    tcase_add_test(tc, tval_list_append_and_set);
    tcase_add_test(tc, tval_truth_follows_go);
    tcase_add_test(tc, tval_copy_is_deep_and_equal);
    tcase_add_test(tc, tval_float_print_matches_go);
    tcase_add_test(tc, tval_fmt_float_forms);
    tcase_add_test(tc, tval_fmt_float_integers);
    tcase_add_test(tc, tval_printf_verbs);
    tcase_add_test(tc, tval_json_parse_ints_and_floats);
    tcase_add_test(tc, tval_json_errors_are_located);
    tcase_add_test(tc, tval_cjson_round_trip);
    tcase_add_test(tc, tval_refcount_shares);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
