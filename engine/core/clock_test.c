/* clock_test.c -- unit tests for clock: timers in virtual time, the real
 * clock, RFC 3339 and Go durations. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

/* ---- a recorder for timer firings ---- */

struct rec {
    gclock *c;
    char log[256];
    int64_t at[32];
    int n;
};

struct tag {
    struct rec *r;
    char name;
};

static void fire(void *ctx)
{
    struct tag *t = ctx;
    struct rec *r = t->r;
    size_t len = strlen(r->log);
    r->log[len] = t->name;
    r->log[len + 1] = '\0';
    if (r->n < 32)
        r->at[r->n++] = clock_now_ms(r->c);
}

START_TEST(clock_virtual_fires_in_due_order)
{
    gclock *c = clock_new_virtual(1000);
    struct rec r = {.c = c};
    struct tag a = {&r, 'a'}, b = {&r, 'b'}, d = {&r, 'd'};
    ck_assert(clock_is_virtual(c));
    ck_assert_int_eq(clock_now_ms(c), 1000);
    clock_after(c, 300, fire, &d);
    clock_at(c, 1100, fire, &a);
    clock_after(c, 200, fire, &b);
    ck_assert_uint_eq(clock_pending(c), 3);
    ck_assert_int_eq(clock_next_due(c), 1100);
    ck_assert_uint_eq(clock_run_due(c), 0);
    ck_assert_uint_eq(clock_step(c), 1);
    ck_assert_int_eq(clock_now_ms(c), 1100);
    ck_assert_uint_eq(clock_step(c), 1);
    ck_assert_uint_eq(clock_step(c), 1);
    ck_assert_uint_eq(clock_step(c), 0);
    ck_assert_str_eq(r.log, "abd");
    ck_assert_int_eq(r.at[0], 1100);
    ck_assert_int_eq(r.at[1], 1200);
    ck_assert_int_eq(r.at[2], 1300);
    ck_assert_int_eq(clock_next_due(c), INT64_MAX);
    ck_assert_int_eq(clock_mono_ms(c), 1300);
    clock_free(c);
}
END_TEST

START_TEST(clock_ties_fire_in_insertion_order)
{
    gclock *c = clock_new_virtual(0);
    struct rec r = {.c = c};
    struct tag t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = (struct tag){&r, (char)('0' + i)};
        clock_at(c, i % 2 ? 50 : 20, fire, &t[i]);
    }
    ck_assert_uint_eq(clock_run_until(c, 100), 10);
    ck_assert_str_eq(r.log, "0246813579");
    ck_assert_int_eq(clock_now_ms(c), 100);
    clock_free(c);
}
END_TEST

START_TEST(clock_cancel_removes_pending_only)
{
    gclock *c = clock_new_virtual(0);
    struct rec r = {.c = c};
    struct tag a = {&r, 'a'}, b = {&r, 'b'}, d = {&r, 'd'};
    uint64_t ia = clock_after(c, 10, fire, &a);
    uint64_t ib = clock_after(c, 20, fire, &b);
    uint64_t id = clock_after(c, 30, fire, &d);
    ck_assert_uint_gt(ia, 0);
    ck_assert_uint_ne(ia, ib);
    ck_assert_int_eq(clock_cancel(c, ib), 1);
    ck_assert_int_eq(clock_cancel(c, ib), 0);
    ck_assert_int_eq(clock_cancel(c, 999), 0);
    ck_assert_uint_eq(clock_pending(c), 2);
    ck_assert_uint_eq(clock_run_until(c, 1000), 2);
    ck_assert_str_eq(r.log, "ad");
    ck_assert_int_eq(clock_cancel(c, id), 0); /* already fired */
    clock_free(c);
}
END_TEST

/* A callback that schedules: one timer now (fires in the same run), one
 * later, and cancels a victim. */
struct chain {
    gclock *c;
    struct rec *r;
    struct tag now, later, victim;
    uint64_t victim_id;
    int fired;
};

static void chain_fire(void *ctx)
{
    struct chain *ch = ctx;
    ch->fired++;
    clock_after(ch->c, 0, fire, &ch->now);
    clock_after(ch->c, 500, fire, &ch->later);
    ck_assert_int_eq(clock_cancel(ch->c, ch->victim_id), 1);
}

START_TEST(clock_timers_added_from_callbacks)
{
    gclock *c = clock_new_virtual(0);
    struct rec r = {.c = c};
    struct chain ch = {c, &r, {&r, 'n'}, {&r, 'l'}, {&r, 'v'}, 0, 0};
    clock_at(c, 100, chain_fire, &ch);
    ch.victim_id = clock_at(c, 200, fire, &ch.victim);
    ck_assert_uint_eq(clock_step(c), 2); /* chain_fire and 'n', both due at 100 */
    ck_assert_str_eq(r.log, "n");
    ck_assert_int_eq(r.at[0], 100);
    ck_assert_uint_eq(clock_pending(c), 1);
    ck_assert_uint_eq(clock_run_until(c, 599), 0);
    ck_assert_int_eq(clock_now_ms(c), 599);
    ck_assert_uint_eq(clock_run_until(c, 600), 1);
    ck_assert_str_eq(r.log, "nl");
    clock_free(c);
}
END_TEST

START_TEST(clock_run_until_and_sleep)
{
    gclock *c = clock_new_virtual(0);
    struct rec r = {.c = c};
    struct tag a = {&r, 'a'}, b = {&r, 'b'};
    clock_at(c, 100, fire, &a);
    clock_at(c, 101, fire, &b);
    ck_assert_uint_eq(clock_run_until(c, 100), 1); /* due == deadline fires */
    ck_assert_int_eq(clock_now_ms(c), 100);
    /* sleep advances without running timers */
    clock_sleep(c, 50);
    ck_assert_int_eq(clock_now_ms(c), 150);
    ck_assert_str_eq(r.log, "a");
    ck_assert_uint_eq(clock_run_due(c), 1);
    ck_assert_str_eq(r.log, "ab");
    ck_assert_int_eq(r.at[1], 150);
    /* never backwards */
    clock_set(c, 10);
    ck_assert_int_eq(clock_now_ms(c), 150);
    ck_assert_uint_eq(clock_run_until(c, 20), 0);
    ck_assert_int_eq(clock_now_ms(c), 150);
    clock_set(c, 1000);
    ck_assert_int_eq(clock_now_ms(c), 1000);
    /* a timer in the past fires at the current time */
    clock_at(c, 5, fire, &a);
    ck_assert_uint_eq(clock_step(c), 1);
    ck_assert_int_eq(r.at[2], 1000);
    clock_free(c);
}
END_TEST

struct order {
    gclock *c;
    int64_t last;
    int bad, n;
};

static void order_fire(void *ctx)
{
    struct order *o = ctx;
    int64_t now = clock_now_ms(o->c);
    if (now < o->last)
        o->bad++;
    o->last = now;
    o->n++;
}

START_TEST(clock_many_timers_keep_heap_order)
{
    gclock *c = clock_new_virtual(0);
    struct order o = {c, 0, 0, 0};
    uint64_t ids[1000];
    srand(7);
    for (int i = 0; i < 1000; i++) {
        ids[i] = clock_at(c, rand() % 5000, order_fire, &o);
    }
    int cancelled = 0;
    for (int i = 0; i < 1000; i += 3)
        cancelled += clock_cancel(c, ids[i]);
    ck_assert_int_eq(cancelled, 334);
    ck_assert_uint_eq(clock_run_until(c, 10000), 1000 - 334);
    ck_assert_int_eq(o.bad, 0);
    ck_assert_int_eq(o.n, 666);
    clock_free(c);
}
END_TEST

START_TEST(clock_real_sleep_and_timer)
{
    gclock *c = clock_new_real();
    struct rec r = {.c = c};
    struct tag a = {&r, 'a'};
    ck_assert(!clock_is_virtual(c));
    int64_t wall = clock_now_ms(c);
    ck_assert_int_gt(wall, 1600000000000LL); /* after 2020 */
    int64_t m0 = clock_mono_ms(c);
    clock_sleep(c, 30);
    int64_t slept = clock_mono_ms(c) - m0;
    ck_assert_int_ge(slept, 30);
    ck_assert_int_lt(slept, 1000);
    clock_after(c, 20, fire, &a);
    m0 = clock_mono_ms(c);
    ck_assert_uint_eq(clock_step(c), 1);
    ck_assert_int_ge(clock_mono_ms(c) - m0, 15);
    ck_assert_str_eq(r.log, "a");
    m0 = clock_mono_ms(c);
    ck_assert_uint_eq(clock_run_until(c, clock_now_ms(c) + 20), 0);
    ck_assert_int_ge(clock_mono_ms(c) - m0, 15);
    clock_set(c, 0); /* no-op */
    ck_assert_int_gt(clock_now_ms(c), wall);
    clock_free(c);
}
END_TEST

/* ---- RFC 3339 ---- */

START_TEST(clock_rfc3339_format)
{
    char out[32];
    clock_fmt_rfc3339(0, 0, out);
    ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
    clock_fmt_rfc3339(1795412425123LL, 1, out);
    ck_assert_str_eq(out, "2026-11-23T05:40:25.123Z");
    clock_fmt_rfc3339(1795412425123LL, 0, out);
    ck_assert_str_eq(out, "2026-11-23T05:40:25Z");
    clock_fmt_rfc3339(-1, 1, out);
    ck_assert_str_eq(out, "1969-12-31T23:59:59.999Z");
    clock_fmt_rfc3339(951782400000LL, 0, out); /* leap day 2000 */
    ck_assert_str_eq(out, "2000-02-29T00:00:00Z");
    clock_fmt_rfc3339(INT64_MAX, 1, out);
    ck_assert_uint_lt(strlen(out), 32);
    clock_fmt_rfc3339(INT64_MIN, 1, out);
    ck_assert_uint_lt(strlen(out), 32);
}
END_TEST

START_TEST(clock_rfc3339_parse)
{
    int64_t ms = -1;
    ck_assert_int_eq(clock_parse_rfc3339("1970-01-01T00:00:00Z", &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(clock_parse_rfc3339("2026-11-23T05:40:25.123Z", &ms), 0);
    ck_assert_int_eq(ms, 1795412425123LL);
    ck_assert_int_eq(clock_parse_rfc3339("2026-11-23T06:40:25.123456789+01:00", &ms), 0);
    ck_assert_int_eq(ms, 1795412425123LL);
    ck_assert_int_eq(clock_parse_rfc3339("2026-11-22T23:10:25.1-06:30", &ms), 0);
    ck_assert_int_eq(ms, 1795412425100LL);
    ck_assert_int_eq(clock_parse_rfc3339("2026-11-23t05:40:25z", &ms), 0);
    ck_assert_int_eq(ms, 1795412425000LL);
    ck_assert_int_eq(clock_parse_rfc3339("2000-02-29T00:00:00Z", &ms), 0);
    ck_assert_int_eq(ms, 951782400000LL);
    ck_assert_int_eq(clock_parse_rfc3339("1969-12-31T23:59:59.999Z", &ms), 0);
    ck_assert_int_eq(ms, -1);
}
END_TEST

START_TEST(clock_rfc3339_rejects)
{
    static const char *const bad[] = {
        "", "2026-11-23", "2026-11-23T05:40:25", "2026-11-23 05:40:25Z",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T05:60:00Z",
        "2026-11-23T05:40:60Z", "2026-11-23T05:40:25.Z", "2026-11-23T05:40:25.1234567891Z",
        "2026-11-23T05:40:25+0100", "2026-11-23T05:40:25+24:00", "2026-11-23T05:40:25Zjunk",
        "26-11-23T05:40:25Z", "2026-1-23T05:40:25Z", "+026-11-23T05:40:25Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 42;
        ck_assert_msg(clock_parse_rfc3339(bad[i], &ms) == -1, "accepted '%s'", bad[i]);
        ck_assert_int_eq(ms, 42);
    }
    ck_assert_int_eq(clock_parse_rfc3339(NULL, NULL), -1);
}
END_TEST

START_TEST(clock_rfc3339_round_trip)
{
    char out[32];
    int64_t back;
    /* every ~37 days and odd ms from 1900 to 2200 */
    for (int64_t ms = -2208988800000LL; ms < 7258118400000LL; ms += 3200000017LL) {
        clock_fmt_rfc3339(ms, 1, out);
        ck_assert_int_eq(clock_parse_rfc3339(out, &back), 0);
        ck_assert_int_eq(back, ms);
        clock_fmt_rfc3339(ms, 0, out);
        ck_assert_int_eq(clock_parse_rfc3339(out, &back), 0);
        ck_assert_int_eq(back, ms - ((ms % 1000) + 1000) % 1000);
    }
}
END_TEST

/* ---- Go durations ---- */

START_TEST(clock_duration_parse)
{
    static const struct {
        const char *s;
        int64_t ms;
    } ok[] = {
        {"0", 0},          {"0s", 0},          {"1s", 1000},       {"-1s", -1000},
        {"+2s", 2000},     {"1m", 60000},      {"30s", 30000},     {"1h30m", 5400000},
        {"1m30s", 90000},  {"500ms", 500},     {"1.5s", 1500},     {".5s", 500},
        {"1.s", 1000},     {"2h45m10.5s", 9910500}, {"1500us", 1}, {"1500\xc2\xb5s", 1},
        {"1500\xce\xbcs", 1}, {"2000000ns", 2}, {"1h1h", 7200000}, {"0.001s", 1},
        {"2562047h", 2562047LL * 3600000}, {"1.0000000000000000001s", 1000},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t ms = -42;
        ck_assert_msg(clock_parse_duration(ok[i].s, &ms) == 0, "refused '%s'", ok[i].s);
        ck_assert_msg(ms == ok[i].ms, "'%s' gave %lld", ok[i].s, (long long)ms);
    }
}
END_TEST

START_TEST(clock_duration_rejects)
{
    static const char *const bad[] = {
        "", "-", "+", "1", "s", "1x", "1 s", "1s ", "1.", ".s", "--1s", "1sm", "1hh",
        "3000000h", "9223372036854775808ns", "1e3s", "0x10s", "\xc2\xb5s",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 42;
        ck_assert_msg(clock_parse_duration(bad[i], &ms) == -1, "accepted '%s'", bad[i]);
        ck_assert_int_eq(ms, 42);
    }
    ck_assert_int_eq(clock_parse_duration(NULL, NULL), -1);
}
END_TEST

START_TEST(clock_duration_format)
{
    static const struct {
        int64_t ms;
        const char *s;
    } cases[] = {
        {0, "0s"},         {1, "1ms"},        {500, "500ms"},     {999, "999ms"},
        {1000, "1s"},      {1500, "1.5s"},    {1010, "1.01s"},    {1001, "1.001s"},
        {60000, "1m0s"},   {90000, "1m30s"},  {3600000, "1h0m0s"}, {5400000, "1h30m0s"},
        {3723004, "1h2m3.004s"}, {-1000, "-1s"}, {-1, "-1ms"},   {-90500, "-1m30.5s"},
    };
    char out[32];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        clock_fmt_duration(cases[i].ms, out);
        ck_assert_str_eq(out, cases[i].s);
    }
    clock_fmt_duration(INT64_MIN, out);
    ck_assert_str_eq(out, "-2562047788015h12m55.808s");
    clock_fmt_duration(INT64_MAX, out);
    ck_assert_str_eq(out, "2562047788015h12m55.807s");
}
END_TEST

START_TEST(clock_duration_round_trip)
{
    char out[32];
    int64_t back;
    int n = 0;
    for (int64_t m = 0; m < 500000000000LL; m = m * 3 / 2 + 7) {
        for (int sign = -1; sign <= 1; sign += 2) {
            int64_t ms = sign * m;
            clock_fmt_duration(ms, out);
            ck_assert_msg(clock_parse_duration(out, &back) == 0, "refused '%s'", out);
            ck_assert_msg(back == ms, "'%s' -> %lld", out, (long long)back);
            n++;
        }
    }
    ck_assert_int_gt(n, 100);
}
END_TEST

static Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, clock_virtual_fires_in_due_order);
    tcase_add_test(tc, clock_ties_fire_in_insertion_order);
    tcase_add_test(tc, clock_cancel_removes_pending_only);
    tcase_add_test(tc, clock_timers_added_from_callbacks);
    tcase_add_test(tc, clock_run_until_and_sleep);
    tcase_add_test(tc, clock_many_timers_keep_heap_order);
    tcase_add_test(tc, clock_real_sleep_and_timer);
    tcase_add_test(tc, clock_rfc3339_format);
    tcase_add_test(tc, clock_rfc3339_parse);
    tcase_add_test(tc, clock_rfc3339_rejects);
    tcase_add_test(tc, clock_rfc3339_round_trip);
    tcase_add_test(tc, clock_duration_parse);
    tcase_add_test(tc, clock_duration_rejects);
    tcase_add_test(tc, clock_duration_format);
    tcase_add_test(tc, clock_duration_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clock_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
