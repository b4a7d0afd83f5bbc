/* json.h -- helpers over cJSON: paths, merges, canonical form, hashing.
 * Documents are plain cJSON trees.  A path is a dot-separated list of object
 * keys and [N] list indexes: "spec.template.spec.containers[0].image".  A key
 * holding a dot or bracket is written with a backslash before it:
 * "metadata.annotations.flux\\.weave\\.works/ignore".
 * Ownership: getters return borrowed pointers into the tree; functions taking
 * a cJSON *value to store take ownership of it.
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* Parse text (len bytes, need not be NUL-terminated).  On error: E_PARSE with
 * "NAME:LINE:COL: message" (name may be NULL -> "<json>").  *out owned by the
 * caller (cJSON_Delete). */
int json_parse(cJSON **out, const char *text, size_t len, const char *name, struct err *err);

/* Borrowed node at path, or NULL. */
cJSON *json_get(const cJSON *root, const char *path);
/* Typed getters with a default when absent or of another type. */
const char *json_get_str(const cJSON *root, const char *path, const char *def);
double json_get_num(const cJSON *root, const char *path, double def);
int64_t json_get_int(const cJSON *root, const char *path, int64_t def);
int json_get_bool(const cJSON *root, const char *path, int def);

/* Store value at path, creating intermediate objects (and replacing non-object
 * intermediates).  List indexes must exist (or equal the length: append).
 * Takes ownership of value in every case.  E_INVALID on a bad path. */
int json_set(cJSON *root, const char *path, cJSON *value, struct err *err);
int json_set_str(cJSON *root, const char *path, const char *s, struct err *err);
/* Remove and free the node at path; returns 1 if something was removed. */
int json_delete(cJSON *root, const char *path);

/* Deep merge src into dst: objects merge key by key recursively; anything else
 * in src replaces what dst has.  src is not modified. */
void json_merge(cJSON *dst, const cJSON *src);
/* RFC 7386 JSON Merge Patch: returns the patched document (new tree; target
 * and patch are not modified).  target may be NULL. */
cJSON *json_merge_patch(const cJSON *target, const cJSON *patch);
/* RFC 7386 in reverse: the merge patch that turns from into to (new tree;
 * an empty object when equal).  Lists are replaced whole.  When from or to is
 * not an object the patch is a copy of to.  Merge patches cannot set a key to
 * null: a null value inside to comes out as a deletion when applied. */
cJSON *json_merge_diff(const cJSON *from, const cJSON *to);

/* Canonical serialisation: compact, object keys sorted bytewise, numbers in
 * shortest round-trip form (integers without a fraction).  Appends to out. */
void json_canonical(const cJSON *item, struct buf *out);
/* 64-bit FNV-1a of the canonical form: equal documents hash equal whatever
 * their key order. */
uint64_t json_hash(const cJSON *item);
/* Same, as 16 lowercase hex digits plus NUL. */
void json_hash_hex(const cJSON *item, char out[17]);
/* Deep equality ignoring object key order. */
int json_equal(const cJSON *a, const cJSON *b);

/* Compact or indented (2 spaces) serialisation, keys in document order;
 * appends to out.  Numbers print as Go's encoding/json does (shortest
 * round-trip digits; integral values without a fraction; exponent form only
 * below 1e-6 or from 1e21).  NaN and infinities print null. */
void json_print(const cJSON *item, int pretty, struct buf *out);

/* Number formats of the Go printers that Kubernetes tools use. */
enum json_numfmt {
    JSON_NUM_JSON, /* encoding/json: 1000000, 1234567.5, 1e-7, 1e+21; NaN/Inf -> null */
    JSON_NUM_GO,   /* fmt %v / strconv 'g' -1: 1e+06, 1.2345675e+06, 1e-05, 1.5, +Inf */
    JSON_NUM_YAML, /* go-yaml via JSON (helm toYaml): integral values that fit int64 or
                    * uint64 as integers (1000000), others as JSON_NUM_GO; .inf .nan */
};
/* Append x formatted as fmt.  Negative zero prints 0. */
void json_format_number(double x, enum json_numfmt fmt, struct buf *out);

#endif
