/* kapply.h -- client-side apply for GitOps (what `kubectl apply` does).
 * Creates an object when absent, else sends the three-way JSON merge patch
 * that brings the live object to the manifest while keeping what others own:
 * fields in the previous manifest (the last-applied-configuration annotation)
 * but not the new one are deleted; fields the manifest sets are set; every
 * other field (status, server defaults such as spec.clusterIP, spec.replicas
 * driven by an HPA) is left alone.  No request when nothing would change.
 *
 * Lists: sent whole, as RFC 7386 merge patch replaces them, for built-in
 * types too (no strategic merge): containers, env, ports... are replaced by
 * the manifest's list when it changed.  So that server defaults inside list
 * items (imagePullPolicy, protocol, terminationMessagePath) do not count as
 * a change on every sync, a list is "unchanged" when it equals the last
 * applied one and each manifest item is contained in the live item at the
 * same index.  The cost: items another writer appended to a list (a sidecar
 * added to a Deployment by hand) make it differ, so the next apply removes
 * them, as kubectl does for custom resources (for built-in types kubectl's
 * strategic merge would keep them).
 */
#ifndef KUBE_KAPPLY_H
#define KUBE_KAPPLY_H

#include <cjson/cJSON.h>

#include "core/err.h"
#include "kube/kclient.h"

#define KAPPLY_ANNOTATION "kubectl.kubernetes.io/last-applied-configuration"

enum kapply_result { KAPPLY_CREATED, KAPPLY_CONFIGURED, KAPPLY_UNCHANGED };

/* "created", "configured", "unchanged". */
const char *kapply_result_name(enum kapply_result r);

/* The annotation value for manifest, byte for byte what kubectl writes: its
 * JSON with sorted keys, compact, escaped like Go's encoder (& < > as \u00XX),
 * with an annotations map that lacks only the annotation itself (kept, empty,
 * when nothing else is left; added when the manifest had none), plus "\n".
 * So kubectl and the engine see each other's applies as unchanged.  Caller
 * frees. */
char *kapply_last_applied(const cJSON *manifest);

/* The merge patch from live to manifest given the previous manifest last
 * (NULL when unknown: nothing is deleted).  Pure; new tree (an empty object
 * when there is nothing to do). */
cJSON *kapply_patch(const cJSON *last, const cJSON *manifest, const cJSON *live);

/* Apply manifest (apiVersion, kind, metadata.name required; no namespace:
 * the client's default for namespaced kinds).  *res says what happened; *out
 * (may be NULL) gets the object as the server now has it.  A conflict or a
 * concurrent create/delete re-reads and retries, up to 4 times. */
int kapply_apply(kube_client *c, const cJSON *manifest, enum kapply_result *res, cJSON **out,
                 struct err *err);

#endif
