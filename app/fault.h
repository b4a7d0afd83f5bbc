/* fault.h -- fault injection for scripted canary profiles.
 * A fault spec is an error rate (fraction of requests answered 500) and a
 * latency: none, fixed, or random from a distribution.  The spec can be
 * replaced at run time (admin endpoint) while worker threads read it; each
 * thread draws from its own seeded generator, so a run is reproducible.
 *
 * Latency syntax (durations are a decimal number with unit us, ms or s):
 *   ""  "none"  "0"              no added latency
 *   "200ms"  "fixed:1.5s"        always that long
 *   "uniform:50ms-300ms"         uniform between the two bounds
 *   "normal:100ms,20ms"          normal(mean, stddev), clamped to [0, 60s]
 */
#ifndef APP_FAULT_H
#define APP_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define FAULT_MAX_MS 60000.0 /* no injected latency exceeds one minute */

enum fault_dist { FAULT_NONE, FAULT_FIXED, FAULT_UNIFORM, FAULT_NORMAL };

struct fault_latency {
    enum fault_dist dist;
    double a_ms; /* fixed value, uniform low bound, or normal mean */
    double b_ms; /* uniform high bound or normal stddev; 0 otherwise */
};

struct fault_spec {
    double error_rate; /* 0..1 */
    struct fault_latency latency;
};
#define FAULT_SPEC_INIT {0.0, {FAULT_NONE, 0.0, 0.0}}

/* A tiny seeded generator (splitmix64); one per thread. */
struct fault_rng {
    uint64_t s;
};

/* Parse a duration such as "250ms", "1.5s", "800us" into milliseconds.
 * E_PARSE with a message naming the text on failure. */
int fault_duration_parse(const char *s, double *ms, struct err *err);
/* Parse the latency syntax above. On failure *out is unchanged. */
int fault_latency_parse(const char *s, struct fault_latency *out, struct err *err);
/* Parse an error rate: a number in [0, 1]. */
int fault_rate_parse(const char *s, double *out, struct err *err);
/* Append the canonical text of l ("none", "200ms", "uniform:50ms-300ms"...);
 * the output parses back to the same latency. */
void fault_latency_format(const struct fault_latency *l, struct buf *out);

/* Uniform double in [0, 1). */
double fault_rng_unit(struct fault_rng *r);
/* Decide one request's fate: returns 1 when it must fail with 500, and sets
 * *delay_ms to the latency to add (0 for none). */
int fault_decide(const struct fault_spec *spec, struct fault_rng *r, unsigned *delay_ms);

/* ---- run-time holder ------------------------------------------------------ */
typedef struct fault fault;

/* Create a holder with an initial spec; seed makes draws reproducible. */
fault *fault_new(const struct fault_spec *initial, uint64_t seed);
void fault_free(fault *f); /* NULL is a no-op */
void fault_get(fault *f, struct fault_spec *out);
void fault_set(fault *f, const struct fault_spec *spec);
/* Apply a JSON object {"errorRate":0.1,"latency":"uniform:50ms-300ms"};
 * fields left out keep their value.  All-or-nothing: on error (E_PARSE for bad
 * JSON, E_INVALID for a bad field) nothing changes and err says why. */
int fault_update_json(fault *f, const char *json, size_t len, struct err *err);
/* Append the current spec as a JSON object with the same field names. */
void fault_to_json(fault *f, struct buf *out);
/* Decide one request on the calling thread's generator (fault_decide).
 * Cheap when no fault is configured: one atomic load. */
int fault_roll(fault *f, unsigned *delay_ms);

#endif
