/* tarball.h -- reading a gzipped tar archive (a packaged chart, .tgz) into
 * memory, carefully: the input is untrusted.  gzip via zlib (concatenated
 * members allowed); tar as POSIX ustar, GNU (././@LongLink long names,
 * base-256 sizes) and pax (path and size records; global headers ignored).
 * Only regular files and directories; directories are not returned.  Entry
 * names are checked (no absolute path, no ".." component, no "C:" drive) and
 * cleaned ("a//./b" is "a/b", '\' is the separator of names that use it).
 * Caps: the uncompressed tar stream (max_bytes), TARBALL_MAX_FILES files,
 * TARBALL_MAX_NAME bytes of name.  Every error names the archive (label), the
 * entry and the byte offset.
 */
#ifndef HELM_TARBALL_H
#define HELM_TARBALL_H

#include <stddef.h>

#include "core/err.h"

#define TARBALL_MAX_BYTES (64u << 20) /* uncompressed, per chart */
#define TARBALL_MAX_FILES 10000
#define TARBALL_MAX_NAME 4096

struct tarball_file {
    char *name; /* cleaned relative path, e.g. "mychart/templates/x.yaml" */
    char *data; /* len bytes, NUL-terminated */
    size_t len;
};

struct tarball {
    struct tarball_file *f; /* in archive order */
    size_t n;
    size_t bytes;           /* size of the uncompressed tar stream */
};
#define TARBALL_INIT {NULL, 0, 0}

/* Read the gzipped tar archive gz (len bytes).  max_bytes caps the
 * uncompressed tar stream (0: TARBALL_MAX_BYTES).  label names the archive in
 * errors: E_PARSE "LABEL: not a gzip archive", "LABEL: truncated: gzip data
 * ends at byte N", "LABEL: entry 'NAME' at byte N: illegal path (..)"; E_TOOBIG
 * "LABEL: entry 'NAME' at byte N is 70000000 bytes: over the limit of
 * 67108864 uncompressed bytes".  On error *t is left empty. */
int tarball_read(struct tarball *t, const void *gz, size_t len, size_t max_bytes,
                 const char *label, struct err *err);
/* The same for a plain (uncompressed) tar stream. */
int tarball_read_tar(struct tarball *t, const void *tar, size_t len, size_t max_bytes,
                     const char *label, struct err *err);
void tarball_release(struct tarball *t);

/* 1 when data starts with the gzip magic bytes. */
int tarball_is_gzip(const void *data, size_t len);

#endif
