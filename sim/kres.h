/* kres.h -- the API server's registry of resource types.
 * Knows every type the simulator serves: group, served versions in preference
 * order, plural/singular/kind, scope, short names, categories, subresources,
 * and, for custom resources, the printer columns of each version.  Built-in
 * types are compiled in; CRDs are added from CustomResourceDefinition objects
 * (and removed again).  It also renders discovery documents, aggregated
 * (apidiscovery.k8s.io/v2) and legacy (APIVersions, APIGroupList,
 * APIResourceList).  Not thread-safe: used under the simulator lock.
 */
#ifndef SIM_KRES_H
#define SIM_KRES_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum kres_sub {
    KRES_SUB_STATUS = 1 << 0,
    KRES_SUB_SCALE = 1 << 1,
    KRES_SUB_LOG = 1 << 2,
};

struct kres_col {          /* a CRD additionalPrinterColumn */
    char *name, *type, *format, *description, *path;
    int priority;
};

struct kres_version {
    char *name;            /* "v1beta1" */
    struct kres_col *cols; /* CRDs only; NULL for built-ins */
    size_t ncols;
};

/* A resource type.  Read-only for everyone but kres.c. */
struct kres_type {
    char *group;           /* "" for core */
    char *resource;        /* plural: "deployments" */
    char *singular, *kind, *list_kind;
    struct kres_version *versions;  /* served, preference order first */
    size_t nversions;
    int namespaced;
    char **short_names;
    size_t nshort;
    char **categories;
    size_t ncat;
    unsigned subs;         /* enum kres_sub */
    char *crd_name;        /* "canaries.flagger.app"; NULL for built-ins */
};

typedef struct kres kres;

/* A registry holding the built-in types.  Never fails. */
kres *kres_new(void);
void kres_free(kres *r);
/* Bumped on every change (CRD added/removed): used for OpenAPI hashes. */
uint64_t kres_generation(const kres *r);

size_t kres_count(const kres *r);
const struct kres_type *kres_at(const kres *r, size_t i);
/* The type serving group/version/resource (version NULL: any version), or
 * NULL.  resource is the plural. */
const struct kres_type *kres_find(const kres *r, const char *group, const char *version,
                                  const char *resource);
/* The type of a kind in a group, or NULL. */
const struct kres_type *kres_find_kind(const kres *r, const char *group, const char *kind);
/* The served version of t named name, or NULL. */
const struct kres_version *kres_version(const struct kres_type *t, const char *name);

/* Add (or replace) the type a CRD object defines.  E_INVALID when its spec is
 * unusable (no group, names.plural, names.kind or served version). */
int kres_add_crd(kres *r, const cJSON *crd, struct err *err);
/* Remove the type of CRD crd_name ("canaries.flagger.app"); no-op if absent. */
void kres_remove_crd(kres *r, const char *crd_name);

/* ---- discovery documents (new cJSON trees, caller frees) ---- */

/* APIGroupDiscoveryList for /api (core = 1) or /apis (core = 0). */
cJSON *kres_disc_aggregated(const kres *r, int core);
/* /api as APIVersions; addr is "host:port" for serverAddressByClientCIDRs. */
cJSON *kres_disc_versions(const kres *r, const char *addr);
/* /apis as APIGroupList. */
cJSON *kres_disc_groups(const kres *r);
/* /apis/GROUP as APIGroup, or NULL when the group is unknown. */
cJSON *kres_disc_group(const kres *r, const char *group);
/* /api/v1 or /apis/G/V as APIResourceList, or NULL when not served. */
cJSON *kres_disc_resources(const kres *r, const char *group, const char *version);
/* Distinct "group/version" pairs served ("v1" for core), in discovery order:
 * calls fn(ctx, group, version) for each. */
void kres_each_gv(const kres *r, void (*fn)(void *ctx, const char *group, const char *version),
                  void *ctx);

#endif
