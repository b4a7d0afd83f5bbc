/* hfuncs.h -- Helm's own template functions (pkg/engine/funcs.go, engine.go).
 * include, tpl, required, fail, lookup (an empty map, as under `helm
 * template`), toYaml (sigs.k8s.io/yaml: go-yaml v2's key order, "a2" before
 * "a10"; "key:\n- a", no final newline), fromYaml, fromYamlArray, toJson /
 * toRawJson / toPrettyJson (encoding/json: sorted keys, <>& escaped),
 * fromJson, fromJsonArray, getHostByName (""), plus toYaml's building block
 * for .Files.AsConfig.
 */
#ifndef HELM_HFUNCS_H
#define HELM_HFUNCS_H

#include "core/buf.h"
#include "helm/tmpl.h"
#include "helm/tval.h"

/* Register Helm's functions on s (after sprig_register: they win). */
void hfuncs_register(tmpl_set *s);
/* A set holding Sprig's and then Helm's functions, built once per process
 * (thread-safe) and never freed: the base for tmpl_set_new_shared(). */
const tmpl_set *hfuncs_base(void);

/* toYaml of v appended to out (without the final newline). */
void hfuncs_to_yaml(const tval *v, struct buf *out);
/* encoding/json.Marshal of v appended to out; indent 0 = compact, else
 * MarshalIndent with two spaces; html = escape <, >, &.  Returns -1 (out
 * unchanged) for NaN or infinite numbers. */
int hfuncs_to_json(const tval *v, int indent, int html, struct buf *out);

#endif
