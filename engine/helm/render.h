/* render.h -- `helm template`: render a resolved chart into manifests.
 * Builds Helm's built-in objects (.Values .Release .Chart .Capabilities
 * .Template .Files .Subcharts), puts every template of every chart into one
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

/* ---- parse once, render many -----------------------------------------------
 * A prepared chart: a loaded chart with every template of it and of every
 * subchart instance it could render (aliases included) parsed once
 * (tcache.h).  Each render resolves a copy of the chart against its values,
 * builds its own small template set from the parsed files of the charts
 * those values enable, and executes it: no lexing or parsing.  Nothing a
 * render does changes the prepared chart (tpl parses into a temporary
 * overlay; its defines die with it).  Renders of one prepared chart must
 * not run in different threads at once (template constants are refcounted
 * values).
 */
typedef struct render_prepared render_prepared;

/* Take loaded (a chart_load'ed root; owned by the result from now on) and
 * parse its templates.  Never fails: a file that does not parse fails the
 * renders that use it, with the message render_chart would give. */
render_prepared *render_prepare(struct chart *loaded);
void render_prepared_free(render_prepared *p); /* NULL-safe; frees the chart */
const struct chart *render_prepared_chart(const render_prepared *p); /* borrowed */

/* chart_resolve of a copy of p's chart against user (may be NULL), then
 * render_chart with the parsed templates: the same output and errors as
 * loading the chart again and rendering it. */
int render_prepared_run(const render_prepared *p, const cJSON *user, const struct render_opts *o,
                        struct buf *out, struct err *err);

/* Helm's install order position of a kind (-1 when unknown). */
int render_kind_rank(const char *kind);

#endif
