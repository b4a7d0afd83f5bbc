/* kopenapi.h -- the minimal OpenAPI v3 that kubectl needs for apply.
 * kubectl apply/create/replace look, in /openapi/v3/<gv>, for a PATCH
 * operation tagged with the object's group-version-kind that takes a
 * fieldValidation query parameter; finding it, they leave validation to the
 * server.  So each served group-version gets one such operation per kind and
 * no schemas (kubectl-wire.md section 5).  /openapi/v2 is deliberately not
 * served.
 */
#ifndef SIM_KOPENAPI_H
#define SIM_KOPENAPI_H

#include <cjson/cJSON.h>

#include "kres.h"

/* The /openapi/v3 index: {"paths":{"api/v1":{"serverRelativeURL":...}}}.
 * The URLs carry a hash that changes whenever the registry does. */
cJSON *kopenapi_index(const kres *r);
/* The document of one group-version ("" group for core), or NULL when that
 * group-version is not served. */
cJSON *kopenapi_doc(const kres *r, const char *group, const char *version);

#endif
