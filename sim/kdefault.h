/* kdefault.h -- server-side defaulting of built-in objects.
 * The real API server fills in defaults on every write (a Service's type
 * and sessionAffinity, ports' protocol, a Deployment's strategy, replicas,
 * revisionHistoryLimit, a pod spec's restartPolicy, dnsPolicy, ...).  Clients
 * doing three-way merges must keep those fields, so the simulator sets them
 * the same way.  Custom resources are never defaulted.  HPAs are defaulted in
 * their stored autoscaling/v2 form (kconv.h): no metrics means 80% CPU.
 */
#ifndef SIM_KDEFAULT_H
#define SIM_KDEFAULT_H

#include <cjson/cJSON.h>

/* Fill in the defaults of type group/resource in obj (in place).  Fields
 * already set are left alone; values of the wrong JSON type are left for
 * the caller's validation. */
void kdefault_apply(const char *group, const char *resource, cJSON *obj);

#endif
