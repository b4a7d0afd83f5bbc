/* kconv.h -- conversion between the served versions of a resource type.
 * The store keeps one form of every object, the storage version; a request
 * in another version is converted on the way in and on the way out, as the
 * real API server does.  Only HorizontalPodAutoscalers differ in shape: they
 * are stored as autoscaling/v2 (v2beta2 has the same shape); autoscaling/v1
 * carries the CPU target as spec.targetCPUUtilizationPercentage and the
 * current value as status.currentCPUUtilizationPercentage, keeping the rest
 * (other metrics, current metrics, conditions, behavior) in the
 * autoscaling.alpha.kubernetes.io/ annotations; v2beta1 spells targets and
 * current values flat (resource.targetAverageUtilization, pods.metricName,
 * ...) and keeps behavior in an annotation.  For every other type versions
 * differ only in apiVersion, which the API sets.
 */
#ifndef SIM_KCONV_H
#define SIM_KCONV_H

#include <cjson/cJSON.h>

/* Convert obj (in place) from version of group/resource to the storage form
 * and set its apiVersion to the storage version.  Unknown or misshapen
 * fields are carried over or dropped, never a crash.  No-op for types with
 * a single shape. */
void kconv_in(const char *group, const char *resource, const char *version, cJSON *obj);

/* Convert a stored obj (in place) to version of group/resource.  An object
 * written straight into the store in another version (its apiVersion says
 * which) is brought to the storage form first.  Sets apiVersion. */
void kconv_out(const char *group, const char *resource, const char *version, cJSON *obj);

#endif
