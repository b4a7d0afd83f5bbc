/* semver.h -- semantic versions and constraints as Masterminds/semver v3 has
 * them (what Helm's semverCompare and dependency version checks use).
 * Versions: optional "v", 1 to 3 numeric parts, -prerelease, +metadata.
 * Constraints: "||" of AND-groups ("," or space separated) of =, !=, >, <, >=,
 * <=, ~, ~>, ^ and x, X and * wildcards, "A - B" ranges.  A prerelease version only
 * satisfies a constraint whose version has a prerelease too ("-0" idiom).
 */
#ifndef HELM_SEMVER_H
#define HELM_SEMVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SEMVER_PART_MAX 128

struct semver {
    int64_t major, minor, patch;
    char pre[SEMVER_PART_MAX];  /* "" when none */
    char meta[SEMVER_PART_MAX]; /* "" when none */
};

/* Parse s; E_PARSE "invalid semantic version" on failure. */
int semver_parse(struct semver *v, const char *s, struct err *err);
/* -1, 0, 1 (metadata ignored; a prerelease sorts before its release). */
int semver_compare(const struct semver *a, const struct semver *b);
/* Canonical "1.2.3-pre+meta" into out (at least 3 * SEMVER_PART_MAX). */
void semver_format(const struct semver *v, char *out, size_t size);

/* 1 if version satisfies constraint, 0 if not, E_PARSE when either is
 * malformed (message names the bad one).  An empty constraint matches all. */
int semver_match(const char *constraint, const char *version, struct err *err);

#endif
