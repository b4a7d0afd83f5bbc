/* metrics_test.c -- unit tests for metrics (per-thread shards, exposition)
 * and delayq (the timer thread), the server's two concurrency helpers. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delayq.h"
#include "metrics.h"

static const char *const paths[] = {"/", "/healthz", "other"};

struct worker_arg {
    metrics *m;
    int n;
};

static void *worker(void *p)
{
    struct worker_arg *a = p;
    for (int i = 0; i < a->n; i++) {
        metrics_begin(a->m);
        metrics_observe(a->m, METRICS_GET, 0, 200, 2000000); /* 2 ms */
    }
    return NULL;
}

START_TEST(metrics_sums_threads)
{
    metrics *m = metrics_new(paths, 3, "version=\"1.0\"");
    pthread_t t[4];
    struct worker_arg a = {m, 10000};
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, &a);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ck_assert_uint_eq(metrics_total(m), 40000);
    ck_assert_int_eq(metrics_inflight(m), 0);
    struct buf b = BUF_INIT;
    metrics_render(m, &b);
    ck_assert(strstr(b.ptr, "# TYPE http_requests_total counter\n") != NULL);
    ck_assert(strstr(b.ptr, "http_requests_total{method=\"GET\",path=\"/\",status=\"200\"} 40000\n"));
    ck_assert(strstr(b.ptr, "http_request_duration_seconds_bucket{path=\"/\",le=\"0.001\"} 0\n"));
    ck_assert(strstr(b.ptr, "http_request_duration_seconds_bucket{path=\"/\",le=\"0.0025\"} 40000\n"));
    ck_assert(strstr(b.ptr, "http_request_duration_seconds_bucket{path=\"/\",le=\"+Inf\"} 40000\n"));
    ck_assert(strstr(b.ptr, "http_request_duration_seconds_sum{path=\"/\"} 80.000000000\n"));
    ck_assert(strstr(b.ptr, "http_request_duration_seconds_count{path=\"/\"} 40000\n"));
    ck_assert(strstr(b.ptr, "path=\"/healthz\"") == NULL); /* never requested */
    ck_assert(strstr(b.ptr, "\nprocess_resident_memory_bytes ") != NULL);
    ck_assert(strstr(b.ptr, "\nprocess_cpu_seconds_total ") != NULL);
    ck_assert(strstr(b.ptr, "\nprocess_start_time_seconds ") != NULL);
    ck_assert(strstr(b.ptr, "myapp_info{version=\"1.0\"} 1\n") != NULL);
    buf_release(&b);
    metrics_free(m);
}
END_TEST

START_TEST(metrics_labels_are_bounded)
{
    metrics *m = metrics_new(paths, 3, NULL);
    ck_assert_int_eq(metrics_method_index("GET"), METRICS_GET);
    ck_assert_int_eq(metrics_method_index("BREW"), METRICS_OTHER);
    metrics_begin(m);
    ck_assert_int_eq(metrics_inflight(m), 1);
    metrics_observe(m, METRICS_OTHER, 99, 999, 1000); /* bad path and status */
    ck_assert_int_eq(metrics_inflight(m), 0);
    for (int code = 100; code < 600; code++) /* 500 statuses > METRICS_MAX_SERIES */
        metrics_observe(m, METRICS_GET, 1, code, 1000);
    ck_assert_uint_eq(metrics_total(m), 501);
    struct buf b = BUF_INIT;
    metrics_render(m, &b);
    ck_assert(strstr(b.ptr, "{method=\"OTHER\",path=\"other\",status=\"other\"} 1\n"));
    ck_assert(strstr(b.ptr, "{method=\"GET\",path=\"/healthz\",status=\"100\"} 1\n"));
    ck_assert(strstr(b.ptr, "{method=\"GET\",path=\"/healthz\",status=\"other\"} "));
    int lines = 0;
    for (const char *p = b.ptr; (p = strstr(p, "\nhttp_requests_total{")); p++)
        lines++;
    ck_assert_int_le(lines, METRICS_MAX_SERIES + 1);
    buf_release(&b);
    metrics_free(m);
}
END_TEST

static atomic_int order[8];
static atomic_int ran;

static void record(void *arg)
{
    order[atomic_fetch_add(&ran, 1)] = (int)(long)arg;
}

START_TEST(delayq_runs_in_deadline_order)
{
    delayq *q = NULL;
    ck_assert_int_eq(delayq_new(&q, NULL), 0);
    atomic_store(&ran, 0);
    delayq_add(q, 150, record, (void *)3L);
    delayq_add(q, 50, record, (void *)1L);
    delayq_add(q, 100, record, (void *)2L);
    ck_assert_uint_eq(delayq_pending(q), 3);
    usleep(400000);
    ck_assert_int_eq(atomic_load(&ran), 3);
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_eq(order[1], 2);
    ck_assert_int_eq(order[2], 3);
    ck_assert_uint_eq(delayq_pending(q), 0);
    delayq_free(q);
}
END_TEST

START_TEST(delayq_flush_runs_everything_now)
{
    delayq *q = NULL;
    ck_assert_int_eq(delayq_new(&q, NULL), 0);
    atomic_store(&ran, 0);
    delayq_add(q, 60000, record, (void *)1L);
    delayq_add(q, 30000, record, (void *)2L);
    delayq_flush(q);
    ck_assert_int_eq(atomic_load(&ran), 2);
    ck_assert_int_eq(order[0], 2);
    delayq_add(q, 60000, record, (void *)3L);
    delayq_free(q); /* runs what is left */
    ck_assert_int_eq(atomic_load(&ran), 3);
}
END_TEST

static pthread_t ran_on;

static void record_thread(void *arg)
{
    ran_on = pthread_self();
    record(arg);
}

/* After a flush (shutdown) nothing may wait: a request suspended just after
 * the flush would otherwise stay suspended, and libmicrohttpd aborts when it
 * is stopped with a suspended connection. */
START_TEST(delayq_after_flush_runs_at_once)
{
    delayq *q = NULL;
    ck_assert_int_eq(delayq_new(&q, NULL), 0);
    atomic_store(&ran, 0);
    delayq_flush(q); /* nothing pending: still closes the queue */
    delayq_add(q, 60000, record_thread, (void *)7L);
    ck_assert_int_eq(atomic_load(&ran), 1);
    ck_assert_int_eq(order[0], 7);
    ck_assert(pthread_equal(ran_on, pthread_self()));
    ck_assert_uint_eq(delayq_pending(q), 0);
    delayq_free(q);
}
END_TEST

static atomic_int slow_done;

static void slow(void *arg)
{
    (void)arg;
    usleep(200000);
    atomic_store(&slow_done, 1);
}

/* A callback already running when the flush comes is waited for as well. */
START_TEST(delayq_flush_waits_for_a_running_callback)
{
    delayq *q = NULL;
    ck_assert_int_eq(delayq_new(&q, NULL), 0);
    atomic_store(&slow_done, 0);
    delayq_add(q, 10, slow, NULL);
    usleep(60000); /* slow() is running now */
    delayq_flush(q);
    ck_assert_int_eq(atomic_load(&slow_done), 1);
    delayq_free(q);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, metrics_sums_threads);
    tcase_add_test(tc, metrics_labels_are_bounded);
    tcase_add_test(tc, delayq_runs_in_deadline_order);
    tcase_add_test(tc, delayq_flush_runs_everything_now);
    tcase_add_test(tc, delayq_after_flush_runs_at_once);
    tcase_add_test(tc, delayq_flush_waits_for_a_running_callback);
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
