/* kctl.h -- the simulator's controller manager: what makes the fake API server
 * behave like a cluster.  Deployments get ReplicaSets (one per pod-template
 * hash) and Pods that go Pending -> Running -> Ready over clock time; rolling
 * and recreate rollouts, HPAs, Endpoints per Service, pod logs and core/v1
 * Events.  Every reaction is a clock timer, so the same code runs in virtual
 * time (tests, `sim run`) and in real time (`sim serve`).
 *
 * Threading: the controllers follow kstore.h's rule.  Listeners only mark
 * work and schedule a timer; the work runs from the clock, under the
 * simulator lock that whoever drives the clock holds.
 *
 * Scenario hooks (all documented here, all optional):
 *  - Pod-template annotation  sim.gitops/fail-ready: "true"  -> the pods run
 *    but never become Ready (a Warning Unhealthy event repeats every log
 *    interval), so a rollout stalls and, after spec.progressDeadlineSeconds
 *    (default 600), the Deployment reports Progressing=False with reason
 *    ProgressDeadlineExceeded.  opts.fail_images does the same by image.
 *  - Deployment annotation  sim.gitops/cpu-load: "NN"  -> the average CPU
 *    utilisation of its pods, in percent of their request, as seen by HPAs
 *    (kctl_set_load() overrides it; default opts.default_load_pct).
 *  - Pod-template annotation  sim.gitops/ready-delay: "5s"  -> this
 *    workload's readiness delay (a Go duration), instead of opts.ready_delay_ms.
 *
 * Simplifications (on purpose): pods are deleted at once (no Terminating
 * grace period); a paused Deployment only scales when it has a single active
 * ReplicaSet (no proportional scaling); HPAs have no scale-down stabilisation
 * window; all timestamps the controllers write have second precision, as the
 * API's do.
 */
#ifndef SIM_KCTL_H
#define SIM_KCTL_H

#include <stdint.h>

#include "core/clock.h"
#include "kstore.h"

typedef struct kctl kctl;

struct kctl_opts {
    uint64_t seed;            /* RNG seed for pod-name suffixes (same seed, same names) */
    int64_t start_delay_ms;   /* Pending -> Running after scheduling (default 1000) */
    int64_t ready_delay_ms;   /* Running -> Ready (default 2000); a container's
                                 readinessProbe.initialDelaySeconds, when larger, wins */
    int64_t log_interval_ms;  /* a log line per container every this much (default 10000) */
    int64_t hpa_sync_ms;      /* HPA resync period (default 15000, like kube) */
    int64_t event_ttl_ms;     /* Events are deleted this long after creation (default 1 h) */
    int default_load_pct;     /* CPU utilisation seen by HPAs when nothing is set (50) */
    int nodes;                /* simulated nodes sim-node-1..N that pods land on (3) */
    int adopt_bare_pods;      /* 1: pods created directly (not by a ReplicaSet) also
                                 get scheduled, run and log (default 1) */
    const char *const *fail_images; /* NULL or NULL-terminated fnmatch(3) patterns:
                                       pods with a matching image never get Ready */
};
#define KCTL_OPTS_INIT {1, 1000, 2000, 10000, 15000, 3600000, 50, 3, 1, NULL}

/* Start the controllers on st and clk (both borrowed; they must outlive the
 * kctl).  opts NULL means KCTL_OPTS_INIT; it is copied (fail_images too).
 * Registers a store listener and queues a first pass over the objects
 * already stored.  Call with the simulator lock held if other threads run.
 * Never fails. */
kctl *kctl_new(kstore *st, gclock *clk, const struct kctl_opts *opts);
/* Stop: unregister the listener and cancel every pending timer.  NULL is a
 * no-op.  Objects the controllers created stay in the store. */
void kctl_free(kctl *k);

/* Set the average CPU utilisation (percent of request) of the pods of
 * Deployment ns/name, as the HPA controller sees it; pct < 0 clears it (back
 * to the annotation or the default).  Takes effect at the next HPA sync. */
void kctl_set_load(kctl *k, const char *ns, const char *deploy, int pct);

/* Queue an HPA pass now (normally every opts.hpa_sync_ms). */
void kctl_sync_hpas(kctl *k);

#endif
