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
 * an empty object when equal).  Lists are replaced whole. */
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
 * appends to out.  Numbers that are integral print without a fraction. */
void json_print(const cJSON *item, int pretty, struct buf *out);

#endif
