/* kpatch.h -- the patch formats of the Kubernetes API, over cJSON documents.
 * JSON Patch (RFC 6902) and the strategic-merge-patch subset kubectl sends
 * for built-in types: null deletes a key; lists with a merge key (containers,
 * env, volumes ... by name; container ports by containerPort, service ports
 * by port; volumeMounts by mountPath; conditions by type) merge item by item;
 * {"$patch":"delete"} removes an item; {"$patch":"replace"} replaces a map or
 * list; $setElementOrder/<list>, $retainKeys and $deleteFromPrimitiveList/<list>
 * are honoured; other lists are replaced.  Merge patch (RFC 7386) is
 * json_merge_patch in core/json.h.
 */
#ifndef SIM_KPATCH_H
#define SIM_KPATCH_H

#include <cjson/cJSON.h>

#include "core/err.h"

/* Apply an RFC 6902 patch (a JSON array of operations) to doc.  *out is a new
 * document (caller frees); doc is not modified.  E_INVALID with a message
 * naming the failing operation (bad op, missing path, failed test). */
int kpatch_json(const cJSON *doc, const cJSON *ops, cJSON **out, struct err *err);

/* Apply a strategic merge patch (an object) to doc (an object, or NULL for an
 * empty one).  *out is new (caller frees).  E_INVALID when patch is not an
 * object or a directive is malformed. */
int kpatch_strategic(const cJSON *doc, const cJSON *patch, cJSON **out, struct err *err);

#endif
