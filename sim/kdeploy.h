/* kdeploy.h -- the Deployment and ReplicaSet controllers of the simulator.
 * A Deployment owns one ReplicaSet per pod-template hash (DEPLOY-HASH, label
 * pod-template-hash, revision annotations); a ReplicaSet owns its Pods.
 * RollingUpdate honours maxSurge/maxUnavailable with kube's arithmetic,
 * Recreate scales the old sets to zero first; the Deployment's status and its
 * Available/Progressing conditions follow kube, so `kubectl rollout status`
 * works.  The rollout arithmetic is exposed as pure functions for tests.
 */
#ifndef SIM_KDEPLOY_H
#define SIM_KDEPLOY_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kctl.h"

/* ---- pure rollout arithmetic ---- */

/* An IntOrString such as maxSurge: a number, or "NN%" of total rounded up
 * (round_up) or down.  v NULL or malformed: def (same syntax) is used. */
int kdeploy_scaled(const cJSON *v, const char *def, int total, int round_up);
/* kube's ResolveFenceposts: surge rounds up, unavailable down, both default
 * 25%; if both come out 0, unavailable is 1; unavailable is capped at desired. */
void kdeploy_fenceposts(const cJSON *max_surge, const cJSON *max_unavail, int desired,
                        int *surge, int *unavail);
/* Pod-template hash: FNV-32a of the canonical JSON of tmpl, its decimal form
 * mapped onto kube's safe alphabet (e.g. "5d8b9c7f46").  out holds 16. */
void kdeploy_template_hash(const cJSON *tmpl, char out[16]);

struct kdeploy_count {
    int replicas;  /* spec.replicas of the ReplicaSet (updated by the plans) */
    int available; /* its available pods */
};
/* One step of a rolling update, as kube's rolloutRolling: scale the new set
 * up within desired + surge, else scale old sets (oldest first, unhealthy
 * pods first) down while keeping desired - unavail available.  Returns 1 if
 * any replicas changed. */
int kdeploy_plan_rolling(int desired, int surge, int unavail, struct kdeploy_count *newrs,
                         struct kdeploy_count *olds, size_t nold);
/* One step of Recreate: old sets to 0, then (once old_pods is 0) the new set
 * to desired.  Returns 1 if any replicas changed. */
int kdeploy_plan_recreate(int desired, struct kdeploy_count *newrs, struct kdeploy_count *olds,
                          size_t nold, int old_pods);

/* ---- controllers (called from kctl's tick) ---- */

/* Bring Deployment ns/name's ReplicaSets, Pods and status one step on. */
void kdeploy_sync(kctl *k, const char *ns, const char *name);
/* Sync a ReplicaSet: its Deployment if it has one, else its pods and status. */
void kdeploy_sync_rs(kctl *k, const char *ns, const char *name);
/* An owner with this uid was deleted: delete the ReplicaSets and Pods in ns
 * whose ownerReferences name it. */
void kdeploy_gc(kctl *k, const char *ns, const char *uid);

#endif
