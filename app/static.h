/* static.h -- the static site: safe path resolution and an in-memory file cache.
 * Maps a request path to a regular file under one root folder, refusing any
 * path that escapes it (".." segments, plain or percent-encoded, and symlinks
 * pointing outside, checked with realpath), never listing a directory.  File
 * contents stay in memory and are re-read when the file changes (checked at
 * most once a second).  In *.html files placeholders such as __VERSION__ are
 * replaced when the file is loaded, so serving them costs nothing extra.
 * Knows no HTTP library: the server attaches its own ready-made response
 * objects to each cached file through static_hooks.
 */
#ifndef APP_STATIC_H
#define APP_STATIC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/err.h"

#define STATIC_PATH_MAX 1024     /* longest normalised path accepted */
#define STATIC_FILE_MAX (16 << 20) /* larger files are refused (E_TOOBIG) */
#define STATIC_CACHE_SLOTS 1024  /* cached files at most 3/4 of this */

/* A served file: read-only for callers. */
struct static_file {
    const char *path;         /* normalised relative path of the file, "index.html" */
    const char *data;         /* contents after placeholder substitution */
    size_t len;
    const char *content_type; /* static string */
    char etag[24];            /* strong ETag, with its quotes: "\"0123456789abcdef\"" */
    char last_modified[32];   /* IMF-fixdate of the mtime */
    time_t mtime;
    void *attached;           /* what static_hooks.attach returned; NULL if transient */
};

/* Called when a file enters the cache and when its entry is finally freed
 * (after a grace period, so a thread that just looked it up is done with it). */
struct static_hooks {
    void *(*attach)(void *ctx, const struct static_file *f);
    void (*detach)(void *ctx, void *attached);
    void *ctx;
};

/* A placeholder and its replacement, for *.html files. */
struct static_subst {
    const char *key;   /* "__VERSION__" */
    const char *value; /* HTML-escaped when substituted */
};

typedef struct static_site static_site;

/* Decode %XX escapes in the path part of a URL, collapse "//", drop "."
 * segments and the leading "/", and write the result ("" for the root) to out.
 * E_INVALID for a ".." segment, an encoded NUL or '/' (%2f), a control
 * character, a bad escape or a path not starting with '/'; E_TOOBIG when
 * longer than outsz - 1.  A trailing '/' is kept ("docs/"). */
int static_path_normalize(const char *raw, char *out, size_t outsz, struct err *err);
/* Content-Type for a file name, by extension (case-insensitive);
 * "application/octet-stream" when unknown. */
const char *static_content_type(const char *name);
/* Strong ETag of contents: 16 hex digits of a 64-bit FNV-1a hash, quoted. */
void static_etag(const void *data, size_t len, char out[24]);
/* 1 when an If-None-Match header value matches etag ("*", or a list of
 * entity tags compared weakly: W/ prefixes ignored). */
int static_etag_match(const char *if_none_match, const char *etag);
/* Copy src into a new string with each subst key replaced by its value,
 * HTML-escaped; *len is the new length.  The caller frees the result. */
char *static_substitute(const char *src, size_t srclen, const struct static_subst *subst,
                        int nsubst, size_t *len);

/* Open a site on folder root.  subst (copied) applies to *.html; hooks may be
 * NULL.  E_NOTFOUND / E_INVALID when root is not a readable folder. */
int static_site_new(static_site **out, const char *root, const struct static_subst *subst,
                    int nsubst, const struct static_hooks *hooks, struct err *err);
void static_site_free(static_site *s); /* detaches every file; NULL is a no-op */

/* Look up a normalised path (static_path_normalize); "" and paths ending in
 * '/' mean that folder's index.html.  On success *out is a file that stays
 * valid for at least STATIC_GRACE_SECONDS; pass it to static_site_put when
 * done (it frees transient files, which are files that did not fit the cache).
 * E_NOTFOUND: no such file, a folder without index.html, or not a regular
 * file.  E_FORBIDDEN: resolves outside the root (symlink).  E_TOOBIG: file
 * over STATIC_FILE_MAX.  E_IO: unreadable. */
int static_site_get(static_site *s, const char *path, const struct static_file **out,
                    struct err *err);
void static_site_put(static_site *s, const struct static_file *f);
/* Number of files currently cached. */
size_t static_site_cached(static_site *s);

#define STATIC_GRACE_SECONDS 10

#endif
