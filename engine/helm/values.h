/* values.h -- Helm values: --set parsing, values files, merging, coalescing.
 * Values are cJSON trees.  Numbers from values files are Go float64s; numbers
 * from --set are Go int64s and carry HVALS_INT in their cJSON type bits (the
 * template layer prints them as ints).  The rules are Helm 3.21's
 * pkg/strvals (--set syntax) and pkg/chartutil/coalesce.go (defaults, nulls,
 * globals).
 */
#ifndef HELM_VALUES_H
#define HELM_VALUES_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/err.h"

/* Extra cJSON type bit on a number node: "this is a Go int64" (the value is
 * in valuedouble; exact up to 2^53).  cJSON_Duplicate keeps it. */
#define HVALS_INT (1 << 12)

/* A new number node marked as int64. */
cJSON *hvals_new_int(int64_t v);
/* 1 if item is a number marked HVALS_INT. */
int hvals_is_int(const cJSON *item);

/* Apply one --set (as_string == 0) or --set-string (as_string != 0) argument,
 * "a.b=1,c[0]=x,d={x,y},e\.f=g\,h", to the object dst.  --set typing: true,
 * false (any case) -> bool, null -> JSON null (deletes the default later),
 * "0" and decimal integers without a leading zero -> int64, else string.
 * E_PARSE with a message naming the offending key on bad syntax; dst may be
 * partly updated then. */
int hvals_parse_set(cJSON *dst, const char *expr, int as_string, struct err *err);

/* Read a values file: its first YAML document must be a map (an empty file
 * gives {}).  *out is owned by the caller.  Errors name the file (and line and
 * column for YAML errors). */
int hvals_load_file(cJSON **out, const char *path, struct err *err);
/* Same for text already in memory; name labels errors. */
int hvals_load_text(cJSON **out, const char *text, size_t len, const char *name,
                    struct err *err);

/* Helm's mergeMaps for user values (-f files in order, then --set): objects
 * merge key by key, anything else in src (including null) replaces.  src is
 * not modified. */
void hvals_merge_user(cJSON *dst, const cJSON *src);

/* coalesceTablesFullKey: fill dst (higher priority) from src (defaults).
 * Objects merge recursively; a key that is null in dst is deleted unless
 * keep_nulls.  src is not modified. */
void hvals_coalesce_tables(cJSON *dst, const cJSON *src, int keep_nulls);

/* coalesceGlobals: merge parent's "global" object into child's "global"
 * (parent wins, objects merge).  Creates child's "global" when missing. */
void hvals_coalesce_globals(cJSON *child, const cJSON *parent);

/* Walk a dotted path ("a.b.c") through objects; borrowed node or NULL. */
cJSON *hvals_path(const cJSON *root, const char *path);

/* Remove every null member of objects (recursively, not inside lists). */
void hvals_trim_nulls(cJSON *obj);

#endif
