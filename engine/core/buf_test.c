/* buf_test.c -- unit tests for buf, err and mem. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

START_TEST(buf_init_is_empty_string)
{
    struct buf b = BUF_INIT;
    ck_assert_ptr_nonnull(b.ptr);
    ck_assert_str_eq(b.ptr, "");
    buf_release(&b);
}
END_TEST

START_TEST(buf_appends_and_formats)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "hello");
    buf_putc(&b, ' ');
    buf_addf(&b, "%d-%s", 42, "x");
    ck_assert_str_eq(b.ptr, "hello 42-x");
    ck_assert_uint_eq(b.len, 10);
    /* a long format goes past the small stack buffer */
    char big[1000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_addf(&b, "%s", big);
    ck_assert_uint_eq(b.len, 10 + 999);
    ck_assert_uint_eq(strlen(b.ptr), b.len);
    buf_release(&b);
}
END_TEST

START_TEST(buf_max_is_sticky)
{
    struct buf b;
    buf_init(&b, 8);
    ck_assert_int_eq(buf_puts(&b, "12345"), 0);
    ck_assert_int_eq(buf_puts(&b, "6789"), E_TOOBIG);
    ck_assert_int_eq(b.toobig, 1);
    ck_assert_str_eq(b.ptr, "12345");
    ck_assert_int_eq(buf_puts(&b, "678"), 0);
    ck_assert_str_eq(b.ptr, "12345678");
    ck_assert_int_eq(b.toobig, 1);
    buf_release(&b);
}
END_TEST

START_TEST(buf_detach_hands_over)
{
    struct buf b = BUF_INIT;
    size_t n;
    char *empty = buf_detach(&b, &n);
    ck_assert_str_eq(empty, "");
    free(empty);
    buf_puts(&b, "abc");
    char *s = buf_detach(&b, &n);
    ck_assert_str_eq(s, "abc");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(b.ptr, "");
    free(s);
    buf_truncate(&b, 0);
    buf_reset(&b);
    buf_release(&b);
}
END_TEST

START_TEST(err_set_returns_code)
{
    struct err e = ERR_INIT;
    ck_assert_int_eq(err_set(&e, E_NOTFOUND, "no '%s'", "x"), E_NOTFOUND);
    ck_assert_str_eq(e.msg, "no 'x'");
    err_prefix(&e, "file %s", "a.yaml");
    ck_assert_str_eq(e.msg, "file a.yaml: no 'x'");
    ck_assert_int_eq(e.code, E_NOTFOUND);
    ck_assert_int_eq(err_set(NULL, E_IO, "ignored"), E_IO);
    ck_assert_str_eq(err_name(E_CONFLICT), "conflict");
}
END_TEST

START_TEST(mem_helpers)
{
    char *s = xasprintf("%s=%d", "a", 1);
    ck_assert_str_eq(s, "a=1");
    free(s);
    s = xstrndup("abcdef", 3);
    ck_assert_str_eq(s, "abc");
    free(s);
    int *v = NULL;
    size_t cap = 0;
    XGROW(v, cap, 100);
    ck_assert_uint_ge(cap, 100);
    v[99] = 1;
    free(v);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, buf_init_is_empty_string);
    tcase_add_test(tc, buf_appends_and_formats);
    tcase_add_test(tc, buf_max_is_sticky);
    tcase_add_test(tc, buf_detach_hands_over);
    tcase_add_test(tc, err_set_returns_code);
    tcase_add_test(tc, mem_helpers);
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
