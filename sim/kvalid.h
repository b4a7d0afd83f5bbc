/* kvalid.h -- validation of objects written through the API server.
 * The real kube-apiserver validates every create and update after defaulting
 * and before storing; this module does the same for the simulator: object
 * metadata for every type (name syntax per kind, generateName, label and
 * annotation syntax), the specs of Deployments, ReplicaSets, DaemonSets, Pods,
 * Services, HorizontalPodAutoscalers (in the stored autoscaling/v2 form),
 * ConfigMaps and Secrets, and the fields that may not change on update
 * (a Deployment's spec.selector, a Service's clusterIP).  Failures are the
 * API's field errors, worded like the real server's.
 */
#ifndef SIM_KVALID_H
#define SIM_KVALID_H

#include <cjson/cJSON.h>

#include "core/err.h"

/* What a failed validation says: the Status message and its causes. */
struct kvalid_fail {
    char *message;  /* 'Deployment.apps "web" is invalid: spec.replicas: ...' */
    cJSON *causes;  /* [{"reason":"FieldValueInvalid","message":...,"field":...}] */
};
#define KVALID_FAIL_INIT {NULL, NULL}

/* Free what a kvalid_fail holds and reset it; safe on an empty one. */
void kvalid_fail_free(struct kvalid_fail *f);

/* Validate obj, of type group/resource whose kind is kind, before it is
 * stored.  old is the stored object on an update (then the name's syntax is
 * not checked again, and immutable fields are compared), NULL on a create.
 * Returns 0 when valid.  Otherwise E_INVALID: err (may be NULL) gets the
 * message (cut to fit), and fail (may be NULL) the whole message and the
 * causes, one per field error (the caller frees them with kvalid_fail_free).
 * Several errors read "KIND "NAME" is invalid: [a, b]" like the real server.
 * Values of the wrong JSON type are reported as invalid, never crash. */
int kvalid_check(const char *group, const char *resource, const char *kind, const cJSON *obj,
                 const cJSON *old, struct kvalid_fail *fail, struct err *err);

#endif
