/* delayq.c -- timer thread: a binary min-heap of deadlines under one mutex. */
#include "delayq.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

struct timer {
    uint64_t due_ns;
    uint64_t seq; /* ties run in the order they were added */
    delayq_fn fn;
    void *arg;
};

struct delayq {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    pthread_cond_t idle; /* signalled when a flush has drained the heap */
    pthread_t thread;
    struct timer *heap;
    size_t len, cap;
    uint64_t seq;
    int flushing, stopping, running; /* running: callbacks being run now */
    int closed;                        /* flushed: delayq_add runs callbacks at once */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int before(const struct timer *a, const struct timer *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_push(delayq *s, struct timer t)
{
    XGROW(s->heap, s->cap, s->len + 1);
    size_t i = s->len++;
    while (i > 0 && before(&t, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = t;
}

static struct timer heap_pop(delayq *s)
{
    struct timer top = s->heap[0], last = s->heap[--s->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->len)
            break;
        if (c + 1 < s->len && before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->len)
        s->heap[i] = last;
    return top;
}

/* Sleep until the earliest deadline, a new timer, a flush or a stop. */
static void wait_next(delayq *s)
{
    if (s->len == 0) {
        pthread_cond_wait(&s->wake, &s->lock);
        return;
    }
    uint64_t due = s->heap[0].due_ns;
    struct timespec ts = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
    pthread_cond_timedwait(&s->wake, &s->lock, &ts);
}

static void *run(void *arg)
{
    delayq *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->len && (s->flushing || s->stopping || s->heap[0].due_ns <= now_ns())) {
            struct timer t = heap_pop(s);
            s->running++;
            pthread_mutex_unlock(&s->lock);
            t.fn(t.arg);
            pthread_mutex_lock(&s->lock);
            s->running--;
            continue;
        }
        if (s->len == 0 && s->flushing) {
            s->flushing = 0;
            pthread_cond_broadcast(&s->idle);
        }
        if (s->len == 0 && s->stopping)
            break;
        wait_next(s);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int delayq_new(delayq **out, struct err *err)
{
    delayq *s = xcalloc(1, sizeof(*s));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&s->idle, NULL);
    pthread_mutex_init(&s->lock, NULL);
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setstacksize(&ta, 64 * 1024);
    int rc = pthread_create(&s->thread, &ta, run, s);
    pthread_attr_destroy(&ta);
    if (rc != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_cond_destroy(&s->idle);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return err_set(err, E_IO, "cannot start timer thread: %s", strerror(rc));
    }
    *out = s;
    return 0;
}

void delayq_add(delayq *s, unsigned delay_ms, delayq_fn fn, void *arg)
{
    pthread_mutex_lock(&s->lock);
    if (s->closed) {
        pthread_mutex_unlock(&s->lock);
        fn(arg);
        return;
    }
    struct timer t = {now_ns() + (uint64_t)delay_ms * 1000000u, s->seq++, fn, arg};
    heap_push(s, t);
    if (s->heap[0].seq == t.seq)
        pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void delayq_flush(delayq *s)
{
    pthread_mutex_lock(&s->lock);
    s->closed = 1;
    if (s->len || s->running) { /* a callback being run counts: wait for it too */
        s->flushing = 1;
        pthread_cond_signal(&s->wake);
        while (s->flushing)
            pthread_cond_wait(&s->idle, &s->lock);
    }
    pthread_mutex_unlock(&s->lock);
}

size_t delayq_pending(delayq *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->len + (size_t)s->running;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void delayq_free(delayq *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s->heap);
    free(s);
}
