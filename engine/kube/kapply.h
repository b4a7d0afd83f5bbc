/* kapply.h -- client-side apply for GitOps (what `kubectl apply` does).
 * Creates an object when absent, else sends the three-way patch
 * that brings the live object to the manifest while keeping what others own:
 * fields in the previous manifest (the last-applied-configuration annotation)
 * but not the new one are deleted; fields the manifest sets are set; every
 * other field (status, server defaults such as spec.clusterIP, spec.replicas
 * driven by an HPA) is left alone.  No request when nothing would change.
 *
 * Like kubectl, built-in kinds (kapply_builtin) get a strategic merge patch
 * and custom resources a JSON merge patch.  In the strategic patch, lists
 * with a patch merge key (containers, initContainers, env, volumes,
 * imagePullSecrets by name; container ports by containerPort; service ports
 * by port; volumeMounts by mountPath) are patched item by item: new items
 * whole, changed ones as partial items with their key, items dropped from
 * the manifest as {"$patch":"delete", key}, with $setElementOrder/<list>;
 * items only in the live object (a sidecar another writer appended) are
 * kept.  Other lists, and every list of a merge patch, are sent whole when
 * changed.  So that server defaults inside list items (imagePullPolicy,
 * protocol) do not count as a change on every sync, a whole list is
 * "unchanged" when it equals the last applied one and each manifest item is
 * contained in the live item at the same index; in a merge patch the cost is
 * that items another writer appended are removed, as kubectl does.
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

/* The strategic merge patch from live to manifest given last (see above).
 * Pure; new tree, an empty object exactly when live needs no change. */
cJSON *kapply_strategic_patch(const cJSON *last, const cJSON *manifest, const cJSON *live);

/* 1 when objects of api_version ("v1", "apps/v1"...) are built-in types
 * that kubectl patches strategically: the core group and the k8s.io groups
 * of kubectl's scheme (not apiextensions.k8s.io), apps, batch, autoscaling,
 * policy, extensions.  0 for custom resources. */
int kapply_builtin(const char *api_version);

/* Apply manifest (apiVersion, kind, metadata.name required; no namespace:
 * the client's default for namespaced kinds).  *res says what happened; *out
 * (may be NULL) gets the object as the server now has it.  A conflict or a
 * concurrent create/delete re-reads and retries, up to 4 times. */
int kapply_apply(kube_client *c, const cJSON *manifest, enum kapply_result *res, cJSON **out,
                 struct err *err);

#endif
