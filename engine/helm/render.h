/* render.h -- `helm template`: render a resolved chart into manifests.
 * Builds Helm's built-in objects (.Values .Release .Chart .Capabilities
 * .Template .Files .Subcharts), parses every template of every chart into one
 * template set (Helm's parse order), executes each non-partial file, removes
 * "<no value>", splits the output into YAML documents, sorts them in Helm's
 * install order (hooks last) and prints them with "# Source:" headers, exactly
 * as Helm 3.21's `helm template` does.
 */
#ifndef HELM_RENDER_H
#define HELM_RENDER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "helm/chart.h"

struct render_opts {
    const char *release_name;          /* "release-name" */
    const char *namespace;             /* "default" */
    const char *kube_version;          /* NULL: "v1.20.0" (helm's built-in default) */
    const char *const *api_versions;   /* extra .Capabilities.APIVersions entries */
    size_t napi_versions;
    int no_default_apis;               /* 1: only api_versions (not client-go's list) */
    int include_crds;                  /* print crds/ files first */
    int is_upgrade;                    /* .Release.IsUpgrade (and not IsInstall) */
    const char *const *show_only;      /* --show-only globs ("templates/x.yaml") */
    size_t nshow_only;
};
#define RENDER_OPTS_INIT {"release-name", "default", NULL, NULL, 0, 0, 0, 0, NULL, 0}

/* Render root (already through chart_resolve) with values (chart_resolve's
 * output), appending the whole `helm template` output to out.  On error out
 * is left as it was and err holds Helm's message: "parse error at
 * (PATH:LINE): ...", "execution error at (PATH:LINE:COL): MSG" for
 * required/fail, "template: PATH:LINE:COL: executing ... at <EXPR>: MSG"
 * otherwise, "YAML parse error on PATH: ...". */
int render_chart(const struct chart *root, const cJSON *values, const struct render_opts *o,
                 struct buf *out, struct err *err);

/* Helm's install order position of a kind (-1 when unknown). */
int render_kind_rank(const char *kind);

#endif
