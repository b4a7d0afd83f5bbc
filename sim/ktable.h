/* ktable.h -- server-side printing: meta.k8s.io/v1 Table output.
 * kubectl asks for a Table on `get` and prints whatever columns the server
 * defines.  Built-in kinds get the columns the real server prints (pods:
 * NAME READY STATUS RESTARTS AGE, deployments: NAME READY UP-TO-DATE
 * AVAILABLE AGE, ...); custom resources get Name plus their CRD version's
 * additionalPrinterColumns (simple JSONPath), or Name and Age.  Ages are
 * computed against the time given (the simulator's clock).
 */
#ifndef SIM_KTABLE_H
#define SIM_KTABLE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "kres.h"

/* An empty Table (kind, apiVersion, metadata, columnDefinitions, rows []) for
 * type t in version (caller frees). */
cJSON *ktable_new(const struct kres_type *t, const char *version);
/* Append the row of obj (cells plus a PartialObjectMetadata object). */
void ktable_add(cJSON *table, const struct kres_type *t, const char *version, const cJSON *obj,
                int64_t now_ms);
/* Go's HumanDuration ("5m", "2d3h", "<invalid>"); out holds 32 bytes. */
void ktable_age(int64_t ms, char out[32]);
/* The value at a simple JSONPath (".status.phase", "{.spec.x[0].y}") as a new
 * cJSON value: strings, numbers and booleans as such, objects and lists as
 * compact JSON text, a cJSON null when absent. */
cJSON *ktable_jsonpath(const cJSON *obj, const char *path);

#endif
