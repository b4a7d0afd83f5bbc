/* metrics.h -- request counters and latency histograms in Prometheus text format.
 * Each worker thread counts into its own shard, written only by that thread
 * with relaxed atomics (no lock, no shared cache line per request); a scrape
 * sums the shards.  Label sets are bounded: the path label is one of a fixed
 * list given at creation (the server maps unknown paths to one of them), the
 * method one of a handful, and a shard holds at most METRICS_MAX_SERIES
 * method/path/status triples before further ones count as status="other".
 */
#ifndef APP_METRICS_H
#define APP_METRICS_H

#include <stdint.h>

#include "core/buf.h"

#define METRICS_MAX_PATHS 32
#define METRICS_MAX_SERIES 256

enum metrics_method {
    METRICS_GET,
    METRICS_HEAD,
    METRICS_POST,
    METRICS_PUT,
    METRICS_DELETE,
    METRICS_OTHER,
    METRICS_METHODS
};

typedef struct metrics metrics;

/* path_labels: npaths (<= METRICS_MAX_PATHS) label values, borrowed for the
 * life of the object.  info_labels: extra text for the myapp_info gauge such as
 * `version="1.0",commit="abc"` (copied; may be NULL). */
metrics *metrics_new(const char *const *path_labels, int npaths, const char *info_labels);
void metrics_free(metrics *m); /* NULL is a no-op */

/* Map "GET", "POST"... to enum metrics_method (METRICS_OTHER if unknown). */
int metrics_method_index(const char *method);
/* A request started on this thread (for metrics_inflight). */
void metrics_begin(metrics *m);
/* A request finished: count it and observe its duration.  status outside
 * 100..599 is recorded as "other". */
void metrics_observe(metrics *m, int method, int path, int status, uint64_t duration_ns);
/* Requests begun but not yet observed, over all threads. */
long metrics_inflight(metrics *m);
/* Total of http_requests_total over all series. */
uint64_t metrics_total(metrics *m);
/* Append the whole exposition: http_requests_total, the duration histogram,
 * process_* gauges and myapp_info. */
void metrics_render(metrics *m, struct buf *out);

/* Process figures, exposed for tests: resident set size in bytes (0 if
 * unknown) and CPU seconds (user + system). */
uint64_t metrics_process_rss(void);
double metrics_process_cpu(void);

#endif
