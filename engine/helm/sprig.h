/* sprig.h -- the Sprig v3 template functions that charts use.
 * Strings, lists, dicts, math, conversion, defaults, regexes, encodings,
 * semver.  Semantics follow Masterminds/sprig v3.3 as Helm 3.21 runs it: the
 * subject comes last (pipelines), Go-typed parameters reject other types
 * ("wrong type for value; expected string; got float64"), and the must*
 * variants are the same functions (ours return errors instead of panicking).
 * Regexes are POSIX ERE (regex.h) with \d \D \w \W \s \S and (?i) translated;
 * RE2's non-greedy operators and leftmost-first alternation are not exact.
 */
#ifndef HELM_SPRIG_H
#define HELM_SPRIG_H

#include <stddef.h>

#include "core/buf.h"
#include "helm/tmpl.h"

/* Register every Sprig function on s (before parsing templates). */
void sprig_register(tmpl_set *s);

/* Helpers shared with hfuncs.c. */

/* A Go `string` parameter: *s (and *n when n is not NULL) for a string,
 * else Go's error ("invalid value; expected string" for nil, "wrong type for
 * value; expected string; got T") recorded on c and -1. */
int sprig_want_str(tmpl_call *c, const tval *v, const char **s, size_t *n);
/* The text of b as a new string value; b is left empty. */
tval *sprig_str_from_buf(struct buf *b);
/* Lowercase hex SHA-256 of data (65 bytes with the NUL). */
void sprig_sha256_hex(const void *data, size_t len, char out[65]);
/* Standard base64 with padding, appended to out. */
void sprig_b64enc(const void *data, size_t len, struct buf *out);
/* Sprig's empty(): nil, false, 0, 0.0, "", empty list/map. */
int sprig_empty(const tval *v);

#endif
