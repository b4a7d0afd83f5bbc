/* kprint.h -- kubectl's human-readable output for `gitops kube get`.
 * Lays out a server-side meta.k8s.io/v1 Table the way kubectl's printer does
 * (tabwriter columns, upper-cased headers, priority-1 columns only for -o
 * wide, a NAMESPACE column for -A), and falls back to NAME/AGE for servers
 * that answer no Table.  Ages use kubectl's HumanDuration.  No I/O.
 */
#ifndef KUBE_KPRINT_H
#define KUBE_KPRINT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/buf.h"

struct kprint_opts {
    int wide;                /* -o wide: priority > 0 columns too */
    int all_namespaces;      /* -A: a NAMESPACE column from rows[].object */
    const char *name_prefix; /* "deployment.apps/" (kubectl's multi-type gets) or NULL */
};

/* Append table's rows under a header to out.  Returns the number of rows
 * (0: nothing appended; kubectl then says "No resources found"). */
int kprint_table(const cJSON *table, const struct kprint_opts *o, struct buf *out);
/* NAME AGE for plain objects (an array), ages relative to now_ms. */
int kprint_objects(const cJSON *items, int64_t now_ms, const struct kprint_opts *o,
                   struct buf *out);

#endif
