/* metrics.c -- per-thread request counters and their Prometheus exposition. */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"

#define SLOTS 512 /* power of two, above METRICS_MAX_SERIES */
#define STATUS_OTHER 0

static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
#define NBUCKETS (int)(sizeof(bucket_le) / sizeof(bucket_le[0]))
static const char *const method_names[METRICS_METHODS] = {"GET", "HEAD", "POST",
                                                          "PUT", "DELETE", "OTHER"};

struct series {
    _Atomic uint32_t key; /* 0 = free; else pack() + 1 */
    _Atomic uint64_t count;
};

/* Written only by its owning thread; read by scrapes. */
struct shard {
    struct shard *next;
    pthread_t owner;
    _Atomic uint64_t begun, done;
    uint32_t nseries;
    struct series series[SLOTS];
    _Atomic uint64_t hist[METRICS_MAX_PATHS][NBUCKETS + 1]; /* last = +Inf */
    _Atomic uint64_t sum_ns[METRICS_MAX_PATHS];
};

struct metrics {
    uint64_t gen;
    const char *const *paths;
    int npaths;
    char *info;
    double start_time;
    pthread_mutex_t lock; /* guards the shard list */
    struct shard *_Atomic shards;
};

static atomic_uint_fast64_t metrics_generation;
static _Thread_local struct shard *tls_shard;
static _Thread_local uint64_t tls_gen;

/* Owner-only increment: a plain load and store, no locked instruction. */
static inline void bump(_Atomic uint64_t *x, uint64_t d)
{
    atomic_store_explicit(x, atomic_load_explicit(x, memory_order_relaxed) + d,
                          memory_order_relaxed);
}

static inline uint64_t rd(_Atomic uint64_t *x)
{
    return atomic_load_explicit(x, memory_order_relaxed);
}

/* ---- lifecycle ------------------------------------------------------------------ */

metrics *metrics_new(const char *const *path_labels, int npaths, const char *info_labels)
{
    metrics *m = xcalloc(1, sizeof(*m));
    m->gen = atomic_fetch_add(&metrics_generation, 1) + 1;
    m->paths = path_labels;
    m->npaths = npaths < METRICS_MAX_PATHS ? npaths : METRICS_MAX_PATHS;
    m->info = info_labels ? xstrdup(info_labels) : NULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void metrics_free(metrics *m)
{
    if (!m)
        return;
    struct shard *s = atomic_load(&m->shards);
    while (s) {
        struct shard *next = s->next;
        free(s);
        s = next;
    }
    pthread_mutex_destroy(&m->lock);
    free(m->info);
    free(m);
}

/* The calling thread's shard of m, created on first use. */
static struct shard *shard_get(metrics *m)
{
    if (tls_gen == m->gen)
        return tls_shard;
    pthread_t self = pthread_self();
    pthread_mutex_lock(&m->lock);
    struct shard *s = atomic_load(&m->shards);
    while (s && !pthread_equal(s->owner, self))
        s = s->next;
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->owner = self;
        s->next = atomic_load(&m->shards);
        atomic_store(&m->shards, s);
    }
    pthread_mutex_unlock(&m->lock);
    tls_shard = s;
    tls_gen = m->gen;
    return s;
}

/* ---- counting ------------------------------------------------------------------- */

int metrics_method_index(const char *method)
{
    for (int i = 0; i < METRICS_OTHER; i++)
        if (strcmp(method, method_names[i]) == 0)
            return i;
    return METRICS_OTHER;
}

static uint32_t pack(int method, int path, int status)
{
    return ((uint32_t)method << 15 | (uint32_t)path << 10 | (uint32_t)status) + 1;
}

/* Find or add key.  Ordinary series stop at METRICS_MAX_SERIES; the overflow
 * series (status "other") may use the slots left above that. */
static struct series *series_find(struct shard *s, uint32_t key, int overflow)
{
    uint32_t i = (key * 2654435761u) >> 23; /* 9 bits: SLOTS */
    for (;; i = (i + 1) & (SLOTS - 1)) {
        uint32_t k = atomic_load_explicit(&s->series[i].key, memory_order_relaxed);
        if (k == key)
            return &s->series[i];
        if (k == 0)
            break;
    }
    if (s->nseries >= (overflow ? SLOTS - 8 : METRICS_MAX_SERIES))
        return NULL;
    s->nseries++;
    /* Publish the key after its count is zero (it is: calloc). */
    atomic_store_explicit(&s->series[i].key, key, memory_order_release);
    return &s->series[i];
}

void metrics_begin(metrics *m)
{
    bump(&shard_get(m)->begun, 1);
}

static void count_series(struct shard *s, int method, int path, int status)
{
    if (status < 100 || status > 599)
        status = STATUS_OTHER;
    struct series *se = series_find(s, pack(method, path, status), 0);
    if (!se) /* at most METHODS x PATHS overflow series: always fits */
        se = series_find(s, pack(method, path, STATUS_OTHER), 1);
    if (se)
        bump(&se->count, 1);
}

void metrics_observe(metrics *m, int method, int path, int status, uint64_t duration_ns)
{
    struct shard *s = shard_get(m);
    if (method < 0 || method >= METRICS_METHODS)
        method = METRICS_OTHER;
    if (path < 0 || path >= m->npaths)
        path = m->npaths - 1;
    count_series(s, method, path, status);
    double secs = (double)duration_ns / 1e9;
    int b = 0;
    while (b < NBUCKETS && secs > bucket_le[b])
        b++;
    bump(&s->hist[path][b], 1);
    bump(&s->sum_ns[path], duration_ns);
    bump(&s->done, 1);
}

long metrics_inflight(metrics *m)
{
    long n = 0;
    for (struct shard *s = atomic_load(&m->shards); s; s = s->next)
        n += (long)(rd(&s->begun) - rd(&s->done));
    return n;
}

uint64_t metrics_total(metrics *m)
{
    uint64_t n = 0;
    for (struct shard *s = atomic_load(&m->shards); s; s = s->next)
        for (int i = 0; i < SLOTS; i++)
            if (atomic_load_explicit(&s->series[i].key, memory_order_acquire))
                n += rd(&s->series[i].count);
    return n;
}

/* ---- process figures ------------------------------------------------------------- */

uint64_t metrics_process_rss(void)
{
    unsigned long long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%llu %llu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

double metrics_process_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---- exposition ------------------------------------------------------------------- */

struct kv {
    uint32_t key;
    uint64_t count;
};

static int kv_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct kv *)a)->key, y = ((const struct kv *)b)->key;
    return x < y ? -1 : x > y;
}

/* All series of all shards, summed per key and sorted: *n entries. */
static struct kv *collect_series(metrics *m, size_t *n)
{
    struct kv *v = NULL;
    size_t len = 0, cap = 0;
    for (struct shard *s = atomic_load(&m->shards); s; s = s->next) {
        for (int i = 0; i < SLOTS; i++) {
            uint32_t k = atomic_load_explicit(&s->series[i].key, memory_order_acquire);
            if (!k)
                continue;
            XGROW(v, cap, len + 1);
            v[len++] = (struct kv){k, rd(&s->series[i].count)};
        }
    }
    if (len)
        qsort(v, len, sizeof(*v), kv_cmp);
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (out && v[out - 1].key == v[i].key)
            v[out - 1].count += v[i].count;
        else
            v[out++] = v[i];
    }
    *n = out;
    return v;
}

static void render_requests(metrics *m, struct buf *out)
{
    size_t n;
    struct kv *v = collect_series(m, &n);
    buf_puts(out, "# HELP http_requests_total Count of HTTP requests served.\n"
                  "# TYPE http_requests_total counter\n");
    for (size_t i = 0; i < n; i++) {
        uint32_t k = v[i].key - 1;
        int method = (int)(k >> 15), path = (int)((k >> 10) & 31), status = (int)(k & 1023);
        buf_addf(out, "http_requests_total{method=\"%s\",path=\"%s\",status=\"", method_names[method],
                 path < m->npaths ? m->paths[path] : "other");
        if (status == STATUS_OTHER)
            buf_puts(out, "other");
        else
            buf_addf(out, "%d", status);
        buf_addf(out, "\"} %llu\n", (unsigned long long)v[i].count);
    }
    free(v);
}

static void render_histogram_path(metrics *m, int path, struct buf *out)
{
    uint64_t b[NBUCKETS + 1] = {0}, sum_ns = 0;
    for (struct shard *s = atomic_load(&m->shards); s; s = s->next) {
        for (int i = 0; i <= NBUCKETS; i++)
            b[i] += rd(&s->hist[path][i]);
        sum_ns += rd(&s->sum_ns[path]);
    }
    uint64_t cum = 0;
    for (int i = 0; i <= NBUCKETS; i++)
        cum += b[i];
    if (cum == 0)
        return; /* never requested: keep the exposition short */
    const char *p = m->paths[path];
    cum = 0;
    for (int i = 0; i < NBUCKETS; i++) {
        cum += b[i];
        buf_addf(out, "http_request_duration_seconds_bucket{path=\"%s\",le=\"%g\"} %llu\n", p,
                 bucket_le[i], (unsigned long long)cum);
    }
    cum += b[NBUCKETS];
    buf_addf(out, "http_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} %llu\n", p,
             (unsigned long long)cum);
    buf_addf(out, "http_request_duration_seconds_sum{path=\"%s\"} %.9f\n", p, (double)sum_ns / 1e9);
    buf_addf(out, "http_request_duration_seconds_count{path=\"%s\"} %llu\n", p,
             (unsigned long long)cum);
}

static void render_process(metrics *m, struct buf *out)
{
    buf_addf(out,
             "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
             "# TYPE process_resident_memory_bytes gauge\n"
             "process_resident_memory_bytes %llu\n"
             "# HELP process_cpu_seconds_total Total user and system CPU time in seconds.\n"
             "# TYPE process_cpu_seconds_total counter\n"
             "process_cpu_seconds_total %.6f\n"
             "# HELP process_start_time_seconds Start time of the process since the epoch.\n"
             "# TYPE process_start_time_seconds gauge\n"
             "process_start_time_seconds %.3f\n",
             (unsigned long long)metrics_process_rss(), metrics_process_cpu(), m->start_time);
}

void metrics_render(metrics *m, struct buf *out)
{
    render_requests(m, out);
    buf_puts(out, "# HELP http_request_duration_seconds Time from request headers to the end "
                  "of the response.\n"
                  "# TYPE http_request_duration_seconds histogram\n");
    for (int p = 0; p < m->npaths; p++)
        render_histogram_path(m, p, out);
    render_process(m, out);
    if (m->info)
        buf_addf(out,
                 "# HELP myapp_info Build information of the running myapp.\n"
                 "# TYPE myapp_info gauge\n"
                 "myapp_info{%s} 1\n",
                 m->info);
}
