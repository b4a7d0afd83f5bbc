/* chart.h -- Helm charts: loading a chart directory or a packaged chart
 * (.tgz) and resolving values.
 * chart_load reads Chart.yaml (v1 with requirements.yaml, or v2), values.yaml,
 * templates/ (recursively), charts/<dir> and charts/<name>.tgz subcharts and
 * every other file (the .Files of templates, crds/ included), honouring
 * .helmignore.
 * chart_resolve then does what `helm template` does before rendering:
 * drops disabled dependencies (condition, tags), applies aliases, pulls
 * import-values up, and coalesces user values with every chart's defaults.
 */
#ifndef HELM_CHART_H
#define HELM_CHART_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct chart_file {
    char *name; /* relative to the chart root: "templates/x.yaml", "crds/a.yaml" */
    char *data; /* NUL-terminated; a UTF-8 BOM is stripped */
    size_t len;
};

/* A loaded chart.  Read-only for callers (chart.c owns every field). */
struct chart {
    char *name;             /* Chart.yaml name, or the dependency's alias */
    cJSON *meta;            /* Chart.yaml (v1: requirements.yaml dependencies merged in) */
    cJSON *values;          /* values.yaml, an object ({} when absent) */
    struct chart_file *templates; /* templates/..., sorted by name */
    size_t ntemplates;
    struct chart_file *files;     /* everything else, sorted by name */
    size_t nfiles;
    struct chart **deps;          /* subcharts (after chart_resolve: enabled ones) */
    size_t ndeps;
    struct chart *parent;         /* NULL for the root */
    int is_library;               /* type: library */
    /* The loaded chart this one is a copy of (chart_dup, chart_expand and the
     * aliases chart_resolve makes): NULL when it is a loaded chart itself.
     * Its templates[i] is a copy of origin->templates[i].  Only compared as a
     * key (template caches), never followed. */
    const struct chart *origin;
};

/* Load the chart directory, or the packaged chart (a gzipped tar file whose
 * top folder is the chart, tarball.h), at path.  An archive's files are
 * those of the directory it was made from (its .helmignore applied again),
 * in the same order, so both render alike.  The archives of one load (the
 * chart's and its packaged subcharts', nested) may hold TARBALL_MAX_BYTES
 * uncompressed bytes together.  Errors name the file: a missing or bad
 * Chart.yaml, YAML errors in values.yaml ("x.tgz:mychart/values.yaml:2:3:
 * ..." inside an archive, "parent/charts/sub-1.0.0.tgz: truncated: ..."),
 * an unreadable file, a corrupt or hostile archive. */
int chart_load(struct chart **out, const char *path, struct err *err);
void chart_free(struct chart *c); /* NULL-safe; frees subcharts */
/* A deep copy of a root chart (files, values, subcharts).  chart_resolve
 * changes the chart it resolves, so to render one loaded chart many times,
 * resolve a fresh copy each time. */
struct chart *chart_dup(const struct chart *c);

/* A copy of root with every dependency of every chart in place under the
 * name it renders as (aliases applied, subcharts listed twice copied), none
 * dropped by conditions or tags: every chart instance some values could
 * enable.  Missing dependencies are left out (chart_resolve reports them). */
struct chart *chart_expand(const struct chart *root);

/* Process dependencies against the user values (Helm's
 * ProcessDependenciesWithMerge): aliases, condition/tags, import-values.
 * Then coalesce: *out is the root's .Values (subchart sections inside, with
 * `global` pushed down).  user is not modified.  E_NOTFOUND when Chart.yaml
 * lists a dependency that charts/ lacks; E_INVALID on a type mismatch. */
int chart_resolve(struct chart *root, const cJSON *user, cJSON **out, struct err *err);

/* "root/charts/sub/charts/subsub" -- the prefix of a chart's output paths. */
void chart_path(const struct chart *c, struct buf *out);

/* A string field of Chart.yaml ("" when absent; numbers formatted as Go's
 * %v of a float64 would, like Helm's YAML->string conversion). */
const char *chart_meta_str(const struct chart *c, const char *key, char *tmp, size_t tmplen);

#endif
