/* kproto.h -- the protobuf subset kubectl 1.32+ sends on typed creates.
 * `kubectl create namespace|configmap|secret|deployment` and `kubectl
 * autoscale` post application/vnd.kubernetes.protobuf bodies: "k8s\0" +
 * runtime.Unknown {TypeMeta, raw object}.  This decodes v1 Namespace,
 * ConfigMap and Secret (ObjectMeta name, generateName, namespace, labels,
 * annotations, finalizers; data, binaryData, stringData, type, immutable),
 * apps/v1 Deployment (replicas, selector.matchLabels, template metadata and
 * containers: name, image, command, args, workingDir, ports, env values,
 * imagePullPolicy; strategy.type, minReadySeconds, revisionHistoryLimit,
 * paused, progressDeadlineSeconds) and autoscaling/v1 HorizontalPodAutoscaler
 * (scaleTargetRef, min/maxReplicas, targetCPUUtilizationPercentage) into the
 * JSON the API stores.  Any other kind, or a field outside the subset that
 * carries a value, is E_INVALID naming it (the API answers 415): a clear
 * refusal rather than an object silently missing a field.
 */
#ifndef SIM_KPROTO_H
#define SIM_KPROTO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/err.h"

/* Decode a protobuf request body.  *out is new (caller frees).  E_PARSE on
 * malformed input, E_INVALID for a kind or a field outside the subset. */
int kproto_decode(const char *data, size_t len, cJSON **out, struct err *err);

#endif
