/* kpod.h -- the simulated kubelet and scheduler: pod lifecycle over clock time.
 * A pod is scheduled at once (nodeName sim-node-N), goes Running after the
 * start delay (podIP, containerStatuses, events Pulled/Created/Started, a
 * start line in each container's log), then Ready after the readiness delay,
 * and logs a line per container every log interval while it lives.  Pods
 * that must fail (kctl.h hooks) stay Running but never Ready.  One record and
 * at most one timer per live pod.
 */
#ifndef SIM_KPOD_H
#define SIM_KPOD_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "kctl.h"

/* React to a change of pod ns/name: start tracking a new pod (scheduling it
 * first if it has no node), or drop the record of a deleted one. */
void kpod_sync(kctl *k, const char *ns, const char *name);
/* Create a pod from ReplicaSet rs's template: name RS-xxxxx (seeded suffix),
 * template labels and annotations, ownerReference to rs, already scheduled.
 * Records SuccessfulCreate on rs.  *out (may be NULL) gets a copy. */
int kpod_create(kctl *k, const cJSON *rs, cJSON **out, struct err *err);
/* Delete pod (a stored object) on behalf of ReplicaSet rs (may be NULL):
 * events Killing on the pod, SuccessfulDelete on rs. */
void kpod_delete(kctl *k, const cJSON *rs, const cJSON *pod);
/* Free every pod record (kctl_free; timers are already cancelled). */
void kpod_forget_all(kctl *k);

/* Pod status helpers over a stored pod. */
int kpod_is_ready(const cJSON *pod);
/* When the Ready condition became True (ms), or -1 if not ready. */
int64_t kpod_ready_since(const cJSON *pod);
/* Ready for at least min_ready_s seconds at now_ms. */
int kpod_is_available(const cJSON *pod, int64_t min_ready_s, int64_t now_ms);
/* Neither Succeeded nor Failed. */
int kpod_is_active(const cJSON *pod);

#endif
