/* fault_test.c -- unit tests for fault: spec syntax, draws, JSON updates. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

START_TEST(fault_durations)
{
    double ms;
    ck_assert_int_eq(fault_duration_parse("200ms", &ms, NULL), 0);
    ck_assert(ms == 200.0);
    ck_assert_int_eq(fault_duration_parse("1.5s", &ms, NULL), 0);
    ck_assert(ms == 1500.0);
    ck_assert_int_eq(fault_duration_parse("500us", &ms, NULL), 0);
    ck_assert(ms == 0.5);
    struct err err = ERR_INIT;
    ck_assert_int_eq(fault_duration_parse("200", &ms, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "invalid duration '200': unit must be us, ms or s");
    ck_assert_int_eq(fault_duration_parse("-5ms", &ms, NULL), E_PARSE);
    ck_assert_int_eq(fault_duration_parse("infms", &ms, NULL), E_PARSE);
    ck_assert_int_eq(fault_duration_parse("1e3ms", &ms, NULL), E_PARSE);
    ck_assert_int_eq(fault_duration_parse("61s", &ms, NULL), E_PARSE);
    ck_assert_int_eq(fault_duration_parse("", &ms, NULL), E_PARSE);
}
END_TEST

START_TEST(fault_latency_syntax)
{
    struct fault_latency l;
    ck_assert_int_eq(fault_latency_parse("200ms", &l, NULL), 0);
    ck_assert_int_eq(l.dist, FAULT_FIXED);
    ck_assert(l.a_ms == 200.0);
    ck_assert_int_eq(fault_latency_parse("fixed:2s", &l, NULL), 0);
    ck_assert(l.dist == FAULT_FIXED && l.a_ms == 2000.0);
    ck_assert_int_eq(fault_latency_parse("uniform:50ms-300ms", &l, NULL), 0);
    ck_assert(l.dist == FAULT_UNIFORM && l.a_ms == 50.0 && l.b_ms == 300.0);
    ck_assert_int_eq(fault_latency_parse("normal:100ms,20ms", &l, NULL), 0);
    ck_assert(l.dist == FAULT_NORMAL && l.a_ms == 100.0 && l.b_ms == 20.0);
    ck_assert_int_eq(fault_latency_parse("none", &l, NULL), 0);
    ck_assert_int_eq(l.dist, FAULT_NONE);
    ck_assert_int_eq(fault_latency_parse("0ms", &l, NULL), 0);
    ck_assert_int_eq(l.dist, FAULT_NONE);
    struct err err = ERR_INIT;
    ck_assert_int_eq(fault_latency_parse("uniform:300ms-50ms", &l, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "invalid latency 'uniform:300ms-50ms': low bound above high bound");
    ck_assert_int_eq(fault_latency_parse("uniform:50ms", &l, NULL), E_PARSE);
    ck_assert_int_eq(fault_latency_parse("normal:1s", &l, NULL), E_PARSE);
    ck_assert_int_eq(fault_latency_parse("gamma:1s", &l, NULL), E_PARSE);
    ck_assert_int_eq(l.dist, FAULT_NONE); /* unchanged by failures */
}
END_TEST

START_TEST(fault_latency_round_trip)
{
    const char *specs[] = {"none", "200ms", "2s", "uniform:50ms-300ms", "normal:100ms,20ms",
                           "0.5ms", "uniform:1s-1500ms"};
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        struct fault_latency l, back;
        ck_assert_int_eq(fault_latency_parse(specs[i], &l, NULL), 0);
        struct buf b = BUF_INIT;
        fault_latency_format(&l, &b);
        ck_assert_str_eq(b.ptr, specs[i]);
        ck_assert_int_eq(fault_latency_parse(b.ptr, &back, NULL), 0);
        ck_assert(l.dist == back.dist && l.a_ms == back.a_ms && l.b_ms == back.b_ms);
        buf_release(&b);
    }
}
END_TEST

START_TEST(fault_rates)
{
    double r;
    ck_assert_int_eq(fault_rate_parse("0.25", &r, NULL), 0);
    ck_assert(r == 0.25);
    ck_assert_int_eq(fault_rate_parse("1", &r, NULL), 0);
    ck_assert_int_eq(fault_rate_parse("1.01", &r, NULL), E_PARSE);
    ck_assert_int_eq(fault_rate_parse("-0.1", &r, NULL), E_PARSE);
    ck_assert_int_eq(fault_rate_parse("0.1x", &r, NULL), E_PARSE);
    ck_assert_int_eq(fault_rate_parse("nan", &r, NULL), E_PARSE);
}
END_TEST

START_TEST(fault_draws_follow_the_spec)
{
    struct fault_rng r = {42};
    struct fault_spec s = {0.25, {FAULT_UNIFORM, 50.0, 300.0}};
    int fails = 0;
    unsigned lo = 1000, hi = 0;
    double sum = 0;
    for (int i = 0; i < 20000; i++) {
        unsigned d;
        fails += fault_decide(&s, &r, &d);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        sum += d;
    }
    ck_assert_int_ge(fails, 4600); /* 25% of 20000 = 5000, well within 5 sigma */
    ck_assert_int_le(fails, 5400);
    ck_assert_uint_ge(lo, 50);
    ck_assert_uint_le(hi, 300);
    ck_assert(fabs(sum / 20000 - 175.0) < 5.0);
    s = (struct fault_spec){0.0, {FAULT_NORMAL, 100.0, 20.0}};
    sum = 0;
    for (int i = 0; i < 20000; i++) {
        unsigned d;
        ck_assert_int_eq(fault_decide(&s, &r, &d), 0);
        sum += d;
    }
    ck_assert(fabs(sum / 20000 - 100.0) < 2.0);
    /* same seed, same sequence */
    struct fault_rng a = {7}, b = {7};
    for (int i = 0; i < 100; i++)
        ck_assert(fault_rng_unit(&a) == fault_rng_unit(&b));
}
END_TEST

START_TEST(fault_json_updates)
{
    struct fault_spec init = FAULT_SPEC_INIT;
    fault *f = fault_new(&init, 1);
    unsigned d;
    ck_assert_int_eq(fault_roll(f, &d), 0);
    ck_assert_uint_eq(d, 0);
    const char *j = "{\"errorRate\":1,\"latency\":\"200ms\"}";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), NULL), 0);
    ck_assert_int_eq(fault_roll(f, &d), 1);
    ck_assert_uint_eq(d, 200);
    struct buf b = BUF_INIT;
    fault_to_json(f, &b);
    ck_assert_str_eq(b.ptr, "{\"errorRate\":1,\"latency\":\"200ms\"}");
    buf_reset(&b);
    j = "{\"latency\":null}"; /* partial update keeps errorRate */
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), NULL), 0);
    fault_to_json(f, &b);
    ck_assert_str_eq(b.ptr, "{\"errorRate\":1,\"latency\":\"none\"}");
    struct err err = ERR_INIT;
    j = "{\"errorRate\":0,\"latency\":\"soon\"}"; /* all or nothing */
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_INVALID);
    ck_assert(strstr(err.msg, "invalid duration 'soon'") != NULL);
    j = "{\"errorRate\":\"high\"}";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_INVALID);
    j = "{\"speed\":1}";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_INVALID);
    ck_assert_str_eq(err.msg, "unknown field 'speed' (want errorRate, latency)");
    j = "[1]";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_INVALID);
    j = "{\"errorRate\":";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_PARSE);
    j = "{\"errorRate\":0} garbage"; /* the body must be one document */
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), E_PARSE);
    ck_assert(strstr(err.msg, "1:17:") != NULL);
    j = "{\"errorRate\":0}\n"; /* trailing white space is fine */
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), 0);
    j = "{\"errorRate\":1}";
    ck_assert_int_eq(fault_update_json(f, j, strlen(j), &err), 0);
    buf_reset(&b);
    fault_to_json(f, &b);
    ck_assert_str_eq(b.ptr, "{\"errorRate\":1,\"latency\":\"none\"}");
    buf_release(&b);
    fault_free(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fault_durations);
    tcase_add_test(tc, fault_latency_syntax);
    tcase_add_test(tc, fault_latency_round_trip);
    tcase_add_test(tc, fault_rates);
    tcase_add_test(tc, fault_draws_follow_the_spec);
    tcase_add_test(tc, fault_json_updates);
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
