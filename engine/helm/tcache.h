/* tcache.h -- the parsed templates of a loaded chart, made once.
 * Every template of the chart and of every subchart instance (an alias is an
 * instance of its own: its templates parse under other names) is parsed into
 * a tmpl_unit when the cache is built; renders then only look units up and
 * add them to their own template set.  Built, the cache is immutable: a
 * render never adds to it or changes it.  Parse errors are kept too and
 * reported by the render that uses the file (a disabled subchart's broken
 * template is no error, as in Helm).
 */
#ifndef HELM_TCACHE_H
#define HELM_TCACHE_H

#include <stddef.h>

#include "core/err.h"
#include "helm/chart.h"
#include "helm/tmpl.h"

typedef struct tcache tcache;

/* Parse every template of loaded (a chart_load'ed root, borrowed: it must
 * outlive the cache and not change) and of every chart instance
 * chart_expand gives, with the functions of funcs (borrowed for the call). */
tcache *tcache_build(const struct chart *loaded, const tmpl_set *funcs);
void tcache_free(tcache *tc); /* NULL-safe */

/* The parse of template i of inst, a chart of a chart_dup/chart_resolve
 * copy of the cache's chart, whose template is named `name` (its chart_path
 * + "/" + inst->templates[i].name).  Returns 1 and sets *unit (borrowed,
 * NULL when the file failed to parse, with the error copied to err: E_PARSE
 * "parse error at (NAME:LINE): MESSAGE"), or 0 when the cache does not hold
 * that file under that name (the caller parses it itself). */
int tcache_get(const tcache *tc, const struct chart *inst, size_t i, const char *name,
               const tmpl_unit **unit, struct err *err);

/* Parse one template as a render does: *unit on success (owned by the
 * caller), else E_PARSE with Helm's message "parse error at (NAME:LINE):
 * MESSAGE" (or "parse error in (NAME): ..." when no line is known). */
int tcache_parse(tmpl_unit **unit, const tmpl_set *funcs, const char *name,
                 const struct chart_file *f, struct err *err);

/* Number of parsed files held (every instance counted). */
size_t tcache_count(const tcache *tc);

#endif
