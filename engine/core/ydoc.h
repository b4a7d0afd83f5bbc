/* ydoc.h -- YAML <-> JSON document model over libyaml.
 * Reads multi-document YAML streams into cJSON trees with Kubernetes' scalar
 * typing (what sigs.k8s.io/yaml and go-yaml do): a quoted scalar is always a
 * string; plain scalars resolve to null (~, null, empty), bool (true/false
 * and YAML 1.1 yes/no/on/off in any of their cases), int (decimal, 0x, 0o,
 * 1.1 octal 0777, underscores), float (1.5, 1e6, .inf, .nan), else string.
 * Anchors, aliases and merge keys (<<) are expanded.  Errors say
 * "FILE:LINE:COL: problem".  The emitter writes clean block-style YAML that
 * reads back to the same tree.
 */
#ifndef CORE_YDOC_H
#define CORE_YDOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Parse every document of a stream.  *out is a cJSON array with one element
 * per non-empty document (a document that is empty or only comments is left
 * out; an explicit "null" document is left out too).  name labels errors
 * (NULL -> "<yaml>").  Caps: 64 MiB of input, nesting depth 512, and 1,000,000
 * nodes after alias expansion (a "billion laughs" stream gets E_TOOBIG), also
 * 256 MiB of scalar text after alias expansion, and 1,000,000 nodes copied
 * to keep anchored values (anchors nested in anchors).
 * Details, as sigs.k8s.io/yaml.Unmarshal (go-yaml v2) does them: duplicate
 * keys in a map: the last value wins (in the first one's place); map keys
 * become strings: ints in decimal, bools "true"/"false", floats as Go formats
 * a float32, null "null" (sigs.k8s.io/yaml would refuse it); a list or map as
 * a key is an error; merge keys: explicit keys win, then earlier sources;
 * dates stay strings.  A "\0" escape ends a string (cJSON strings are
 * NUL-terminated). */
int ydoc_parse_all(cJSON **out, const char *text, size_t len, const char *name,
                   struct err *err);
/* Parse a stream that must hold at most one document; an empty stream gives
 * a cJSON null. */
int ydoc_parse_one(cJSON **out, const char *text, size_t len, const char *name,
                   struct err *err);

enum ydoc_emit_flags {
    YDOC_SORT_KEYS = 1 << 0,  /* keys in bytewise order (encoding/json's) */
    YDOC_INDENT_SEQ = 1 << 1, /* "key:\n  - a" rather than "key:\n- a" */
    YDOC_SORT_GO = 1 << 2,    /* go-yaml v2's key order (sorted.go: "a2" < "a10",
                               * non-letters before letters): helm's toYaml */
    YDOC_NO_FOLD = 1 << 3,    /* don't fold long strings at 80 columns (yaml.v3) */
};
/* Append doc as block-style YAML (no leading "---"), ending in a newline.
 * Strings that would read back as another type, or that need it, are quoted;
 * multi-line strings use literal block style ("|" / "|-").  An empty object
 * prints {} and an empty list [].  Without YDOC_INDENT_SEQ/YDOC_NO_FOLD the
 * text is go-yaml v2's, byte for byte (helm's toYaml is YDOC_SORT_GO plus
 * dropping the final newline): long strings fold at 80 columns, numbers as
 * JSON_NUM_YAML.  Departures, for a faithful round trip: a string holding a
 * carriage return is double-quoted, and "<<" is quoted.  Invalid UTF-8 is
 * replaced by U+FFFD.  ydoc_parse_one() of the output equals doc. */
void ydoc_emit(const cJSON *doc, unsigned flags, struct buf *out);

/* 1 when the string s, written as a plain (unquoted) scalar, would read back
 * as that same string (not null, bool, number, timestamp or merge key) -- the
 * test go-yaml applies before writing a string unquoted. */
int ydoc_plain_is_string(const char *s);

#endif
