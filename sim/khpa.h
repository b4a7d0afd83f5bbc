/* khpa.h -- the simulator's HorizontalPodAutoscaler controller.
 * For each HPA (the API stores them in the autoscaling/v2 form, kconv.h; one
 * put straight into the store in another version's shape is read too)
 * targeting a Deployment: every sync it reads the pods' CPU utilisation from
 * the load model (kctl.h: kctl_set_load, the sim.gitops/cpu-load annotation,
 * else opts.default_load_pct), computes kube's
 *     desired = ceil(current * utilisation / target)
 * (no change within 10% of the target; at most max(2 * current, 4) in one
 * step up; no scale-down stabilisation window), clamps it to
 * minReplicas (default 1) .. maxReplicas, writes the Deployment's
 * spec.replicas and the HPA's status in the shape of its apiVersion.
 */
#ifndef SIM_KHPA_H
#define SIM_KHPA_H

#include <cjson/cJSON.h>

#include "kctl.h"

/* kube's replica calculation (see above).  current 0 means autoscaling is
 * disabled: returns 0. */
int khpa_desired(int current, double util_pct, double target_pct, int min, int max);
/* The CPU target utilisation in percent from an HPA of any version (v1
 * targetCPUUtilizationPercentage; v2/v2beta2 metrics[].resource.target.
 * averageUtilization; v2beta1 metrics[].resource.targetAverageUtilization);
 * 80 when none is set, like kube. */
int khpa_target(const cJSON *hpa);

/* Sync HPA ns/name now. */
void khpa_sync(kctl *k, const char *ns, const char *name);

#endif
