/* kapi.h -- the simulator's Kubernetes API server, as one HTTP handler.
 * kapi_handle() answers what a real kube-apiserver answers for the paths the
 * engine and kubectl 1.32 use: /version, discovery (aggregated and legacy),
 * /openapi/v3, CRUD on core/apps/autoscaling/rbac/apiextensions and CRDs,
 * patches (merge, JSON, strategic, server-side apply), /status and /scale,
 * watch streams, pods/log, Table output, Status errors.  Writes are
 * defaulted (kdefault.h) and validated (kvalid.h, 422 Invalid with causes) before
 * they are stored; HPAs are stored as autoscaling/v2 and converted to the
 * request's version both ways (kconv.h).  The same handler
 * runs in-process (http_client_new_inproc) or on a port (httpd_start).
 */
#ifndef SIM_KAPI_H
#define SIM_KAPI_H

#include <stdint.h>

#include "core/clock.h"
#include "core/http.h"
#include "kstore.h"

typedef struct kapi kapi;

/* An API server over st and clk (both borrowed; they must outlive it).
 * Installs the built-in resource types and the pre-installed CRDs (stored in
 * st as CustomResourceDefinition objects).  Never fails. */
kapi *kapi_new(kstore *st, gclock *clk);
/* Free.  Open watch streams must have been released first (httpd_stop does
 * it).  NULL is a no-op. */
void kapi_free(kapi *api);
kstore *kapi_store(const kapi *api);

/* The http_handler_fn: ctx is the kapi.  Takes the simulator lock (kstore.h)
 * for the length of the request. */
void kapi_handle(void *ctx, const struct http_request *rq, struct http_response *rs);

/* Largest request body accepted (default 3 MiB, like the real server);
 * bigger gets 413 RequestEntityTooLarge. */
void kapi_set_max_body(kapi *api, size_t bytes);
/* How often watches asking for allowWatchBookmarks get a BOOKMARK event, on
 * the clock (default 60 s, like the real server; ms > 0). */
void kapi_set_bookmark_interval(kapi *api, int64_t ms);
/* The address advertised in legacy discovery (serverAddressByClientCIDRs),
 * e.g. "127.0.0.1:6443". */
void kapi_set_address(kapi *api, const char *hostport);

/* ---- fault injection ---- */

/* Add a rule: requests whose verb ("get", "list", "watch", "create",
 * "update", "patch", "delete" or "*") and resource (plural, e.g.
 * "deployments", a subresource as "deployments/scale", or "*") match are,
 * with the given probability (0..1, from a seeded RNG), first delayed by
 * latency_ms (through the clock, with the simulator lock released) and then,
 * if status is not 0, answered with that HTTP status and a Status object
 * (reason from the code: 429 TooManyRequests, 500 InternalError, 503
 * ServiceUnavailable, 504 Timeout, 409 Conflict, ...) instead of being served.
 * Rules are checked in the order added; the first match wins.
 * Returns E_INVALID for an unknown verb or a probability outside 0..1. */
int kapi_fault_add(kapi *api, const char *verb, const char *resource, int status,
                   int latency_ms, double probability, struct err *err);
/* Remove every rule. */
void kapi_fault_clear(kapi *api);
/* Seed of the fault RNG (default 1). */
void kapi_fault_seed(kapi *api, uint64_t seed);

#endif
