/* kclient.h -- the engine's Kubernetes REST client (prefix kube_).
 * One client talks to one API server (GKE or the simulator) through an
 * http_client (curl or in-process), with the server and credentials of a
 * kconfig.  It discovers resources (cached, with a TTL), maps apiVersion+kind
 * to URLs, and offers get/list/create/update/patch/delete, the status
 * subresource and resumable watches, all on cJSON objects.  API errors come
 * back as err codes with the server's Status message; 429, 5xx and transport
 * failures are retried with bounded exponential backoff on the clock, except
 * that a request not safe to repeat (POST, JSON patch) is only retried on 429
 * or a Retry-After (see kclient.c).
 */
#ifndef KUBE_KCLIENT_H
#define KUBE_KCLIENT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/http.h"
#include "kube/kconfig.h"

#ifndef GITOPS_VERSION
#define GITOPS_VERSION "0.1.0"
#endif
#define KUBE_USER_AGENT "gitops/" GITOPS_VERSION

typedef struct kube_client kube_client;

/* A served resource, from discovery.  Valid for the client's lifetime. */
struct kube_resource {
    const char *group; /* "" for the core group */
    const char *version;
    const char *kind;     /* "Deployment" */
    const char *name;     /* plural: "deployments" */
    const char *singular; /* "deployment" (may be "") */
    int namespaced;
};

/* What an operation addresses.  ns NULL means the configuration's default
 * namespace; for list and watch, "" (KUBE_ALL_NAMESPACES) means every
 * namespace.  ns is ignored for cluster-scoped kinds. */
struct kube_ref {
    const char *api_version; /* "v1", "apps/v1", "flagger.app/v1beta1" */
    const char *kind;
    const char *ns;
    const char *name;
};
#define KUBE_ALL_NAMESPACES ""

/* http and cfg are borrowed and must outlive the client.  Uses a real clock
 * until kube_client_set_clock.  Never fails today; err kept for the future. */
int kube_client_new(kube_client **out, http_client *http, kconfig *cfg, struct err *err);
void kube_client_free(kube_client *c);
/* Borrowed; backoff sleeps and discovery TTL use it (virtual time in tests). */
void kube_client_set_clock(kube_client *c, gclock *clock);
/* Attempts per request (>= 1; default 5) and the backoff: base_ms doubling
 * up to max_ms (defaults 200 ms, 5 s).  Retry-After is honoured up to 30 s. */
void kube_client_set_retry(kube_client *c, int max_attempts, int64_t base_ms, int64_t max_ms);
/* Discovery cache lifetime (default 10 min). */
void kube_client_set_discovery_ttl(kube_client *c, int64_t ttl_ms);
const char *kube_client_namespace(const kube_client *c);
/* Requests sent so far, retries included (bench, tests). */
long kube_client_requests(const kube_client *c);

/* ---- discovery ---- */
/* The resource serving kind in api_version.  A kind missing from a cached
 * group-version refetches it once before E_NOTFOUND.  E_INVALID for an
 * api_version that is not "version" or "group/version". */
int kube_resource_for(kube_client *c, const char *api_version, const char *kind,
                      const struct kube_resource **out, struct err *err);
/* Resolve what a user types: "pods", "pod", "po", "Pod", "deployments.apps",
 * "deploy", "canaries.flagger.app".  Core group first, then /apis order. */
int kube_resource_lookup(kube_client *c, const char *name, const struct kube_resource **out,
                         struct err *err);
void kube_discovery_invalidate(kube_client *c);
/* "apps/v1" or "v1" for a resource, into out. */
void kube_resource_api_version(const struct kube_resource *r, char out[128]);

/* ---- objects ---- */
/* *out (when out is not NULL) is the server's answer; caller cJSON_Deletes. */
int kube_get(kube_client *c, const struct kube_ref *ref, cJSON **out, struct err *err);

struct kube_list_opts {
    const char *label_selector;
    const char *field_selector;
    long limit;       /* page size; 0 = server's choice */
    const char *cont; /* start from this continue token */
    const char *resource_version;
    int one_page; /* stop after one page (out->cont says where) */
};
#define KUBE_LIST_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, 0, NULL, NULL, 0                                                               \
    }
struct kube_list {
    cJSON *items;           /* array; each item gets apiVersion and kind */
    char *resource_version; /* of the (last) list page */
    char *cont;             /* continue token or NULL */
    int pages;
};
#define KUBE_LIST_INIT                                                                             \
    {                                                                                              \
        NULL, NULL, NULL, 0                                                                        \
    }
/* List (every page, unless one_page).  o may be NULL.  When a continue
 * token obtained by this call expires (410), the pages read so far are dropped
 * and the list is read again in one request (client-go's pager); a stale
 * o->cont of the caller's gives E_GONE. */
int kube_list(kube_client *c, const struct kube_ref *ref, const struct kube_list_opts *o,
              struct kube_list *out, struct err *err);
void kube_list_release(struct kube_list *l);

/* What kubectl asks for to print a human-readable table. */
#define KUBE_TABLE_ACCEPT "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
/* kubectl get's view: ref's object (ref->name set) or list (o as for
 * kube_list, every page unless one_page), as a meta.k8s.io/v1 Table whose
 * columns the server chose (CRDs: their additionalPrinterColumns).  *out:
 * columnDefinitions, the rows of all pages, metadata.resourceVersion.
 * E_INVALID when the server answers no Table (then print plain objects). */
int kube_table(kube_client *c, const struct kube_ref *ref, const struct kube_list_opts *o,
               cJSON **out, struct err *err);

/* The object names its apiVersion, kind, metadata.name and (namespaced
 * kinds; else the default) metadata.namespace. */
int kube_create(kube_client *c, const cJSON *obj, cJSON **out, struct err *err);
/* PUT; metadata.resourceVersion, when set, makes it conditional (E_CONFLICT). */
int kube_update(kube_client *c, const cJSON *obj, cJSON **out, struct err *err);
int kube_update_status(kube_client *c, const cJSON *obj, cJSON **out, struct err *err);

enum kube_patch_type {
    KUBE_PATCH_MERGE,     /* application/merge-patch+json (RFC 7386) */
    KUBE_PATCH_JSON,      /* application/json-patch+json (RFC 6902) */
    KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json (built-ins) */
};
int kube_patch(kube_client *c, const struct kube_ref *ref, enum kube_patch_type type,
               const cJSON *patch, cJSON **out, struct err *err);
int kube_patch_status(kube_client *c, const struct kube_ref *ref, enum kube_patch_type type,
                      const cJSON *patch, cJSON **out, struct err *err);
/* propagation: "Background", "Foreground", "Orphan" or NULL (server default). */
int kube_delete(kube_client *c, const struct kube_ref *ref, const char *propagation,
                struct err *err);

/* A raw request: path includes the query ("/api/v1/pods?limit=1").  body may
 * be NULL.  *out is the parsed JSON answer (NULL when the body is empty). */
int kube_raw(kube_client *c, const char *method, const char *path, const char *content_type,
             const char *body, cJSON **out, struct err *err);

/* ---- watch ---- */
/* Called per event with type "ADDED", "MODIFIED", "DELETED" and the object;
 * with list_events also "SYNC" per listed object and "SYNCED" (object NULL)
 * after each (re)list.  BOOKMARKs only move the resourceVersion.  Return
 * non-zero to stop watching. */
typedef int (*kube_watch_fn)(void *ctx, const char *type, const cJSON *object);

struct kube_watch_opts {
    const char *label_selector;
    const char *field_selector;
    const char *resource_version; /* start after this; NULL: list first */
    int timeout_seconds;          /* per watch request, server side; 0 = 300 */
    int list_events;              /* deliver SYNC/SYNCED for (re)lists */
    int max_watches;              /* return 0 after this many streams end; 0 = never */
};
#define KUBE_WATCH_OPTS_INIT                                                                       \
    {                                                                                              \
        NULL, NULL, NULL, 0, 0, 0                                                                  \
    }

/* Watch ref (name ignored) until fn returns non-zero (-> 0), max_watches
 * streams ended (-> 0), or an error that retries do not cure.  A normal
 * stream end re-watches from the last seen resourceVersion; 410 Gone (status
 * or ERROR event) re-lists and restarts.  On the in-process transport a
 * stream ends as soon as the pending events are delivered, so callers there
 * set max_watches (the virtual clock moves on between streams). */
int kube_watch(kube_client *c, const struct kube_ref *ref, const struct kube_watch_opts *o,
               kube_watch_fn fn, void *ctx, struct err *err);

#endif
