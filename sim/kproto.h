/* kproto.h -- the protobuf subset kubectl 1.32+ sends on typed creates.
 * `kubectl create namespace|configmap|secret` post
 * application/vnd.kubernetes.protobuf bodies: "k8s\0" + runtime.Unknown
 * {TypeMeta, raw object}.  This decodes Namespace, ConfigMap and Secret
 * (ObjectMeta name, generateName, namespace, labels, annotations; data,
 * binaryData, stringData, type, immutable) into the JSON the API stores.
 * Anything else is E_INVALID (the API answers 415).
 */
#ifndef SIM_KPROTO_H
#define SIM_KPROTO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/err.h"

/* Decode a protobuf request body.  *out is new (caller frees).  E_PARSE on
 * malformed input, E_INVALID for a kind outside the subset. */
int kproto_decode(const char *data, size_t len, cJSON **out, struct err *err);

#endif
