/* mhead.h -- the head of one rendered manifest (Helm's releaseutil.SimpleHead).
 * `helm template` parses every output document as YAML to learn its kind and
 * its helm.sh/hook annotation, and refuses invalid YAML.  This runs on every
 * document of every render, so it reads libyaml's events directly instead of
 * building a tree.  Anything unusual (aliases, anchors, tags, merge keys,
 * non-scalar keys, a document that is not a map, a libyaml error) is handed to
 * ydoc_parse_all, which stays the reference: same answers, same located errors.
 */
#ifndef HELM_MHEAD_H
#define HELM_MHEAD_H

#include <stddef.h>

#include "core/err.h"

struct mhead {
    char *kind; /* "" when absent or not a string */
    char *hook; /* metadata.annotations["helm.sh/hook"]; NULL when absent or not a string */
};
#define MHEAD_INIT {NULL, NULL}

/* Read the head of doc (len bytes; the first document of the stream that is
 * not empty or null; every document must be valid YAML).  path names the
 * template in errors: E_PARSE "YAML parse error on PATH: PATH:LINE:COL:
 * problem", or "... cannot unmarshal a non-object into a manifest head" when
 * the document is a list or a scalar.  On success fills *h (release with
 * mhead_release); on error *h is left empty. */
int mhead_read(struct mhead *h, const char *doc, size_t len, const char *path, struct err *err);
void mhead_release(struct mhead *h);

#endif
