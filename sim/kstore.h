/* kstore.h -- the simulator's in-memory Kubernetes object store.
 * Objects are cJSON documents keyed by resource type (API group plus the
 * version-independent plural resource name, e.g. "apps"/"deployments";
 * the core group is ""), namespace ("" for cluster-scoped) and name.  The
 * store assigns uid, resourceVersion (one global counter, a decimal string),
 * generation (bumped when anything but metadata/status changes) and
 * creationTimestamp (from the clock), keeps a bounded log of changes for
 * watchers, calls change listeners, and holds the pods' log text.
 *
 * Deletion is immediate: finalizers and deletionTimestamp are ignored, and
 * deleting a namespace deletes every object in it (a DELETED event each),
 * then the namespace.
 *
 * THREADING RULE.  The store is not thread-safe.  It carries ONE simulator
 * lock (a recursive pthread mutex): kstore_lock()/kstore_unlock().  Whoever
 * touches the store, the clock or the controllers from another thread holds
 * it: kapi_handle() takes it around each request (so httpd threads are safe),
 * `sim serve` takes it around each clock tick, watch streams take it while
 * they read the event log.  Being recursive, code already holding it (a clock
 * timer making an in-process API call) may take it again.  Listeners run
 * synchronously inside a mutation: they may read the store (kstore_peek,
 * kstore_get) but must NOT mutate it; schedule the work instead with
 * clock_after(clk, 0, fn, ctx).
 */
#ifndef SIM_KSTORE_H
#define SIM_KSTORE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

typedef struct kstore kstore;

/* Flags for the writing calls. */
enum kstore_flags {
    KSTORE_DRY_RUN = 1 << 0,    /* validate and compute the result; change nothing */
    KSTORE_KEEP_STATUS = 1 << 1 /* update: keep the stored .status (type has /status) */
};

enum kstore_event_type { KSTORE_ADDED = 1, KSTORE_MODIFIED, KSTORE_DELETED };

/* One change.  Pointers are borrowed: valid during the callback only. */
struct kstore_event {
    enum kstore_event_type type;
    const char *group;      /* "" for core */
    const char *resource;   /* plural, e.g. "pods" */
    const char *ns;         /* "" for cluster-scoped */
    const char *name;
    uint64_t rv;            /* the resourceVersion this change produced */
    const cJSON *obj;       /* the object after the change (DELETED: as it was, with rv) */
};

/* Change listener: called after every committed change (never on dry runs). */
typedef void (*kstore_listen_fn)(void *ctx, const struct kstore_event *ev);
/* Iteration callbacks return 0 to go on, non-zero to stop (kstore_each/events
 * then return that value). */
typedef int (*kstore_each_fn)(void *ctx, const cJSON *obj);
typedef int (*kstore_event_fn)(void *ctx, const struct kstore_event *ev);

/* ---- lifecycle ---- */

/* A store on clk (borrowed; must outlive the store).  Starts with the
 * namespaces default, kube-system, kube-public, kube-node-lease, each with a
 * "default" ServiceAccount.  Never fails. */
kstore *kstore_new(gclock *clk);
/* Free everything.  NULL is a no-op. */
void kstore_free(kstore *st);
gclock *kstore_clock(const kstore *st);
/* How many events the watch log keeps (default 10000, minimum 16).  Watchers
 * asking for an older resourceVersion get E_GONE. */
void kstore_set_window(kstore *st, size_t events);
/* Seed for generated uids and generateName suffixes (default 1). */
void kstore_seed(kstore *st, uint64_t seed);

/* The simulator lock (see the threading rule above). */
void kstore_lock(kstore *st);
void kstore_unlock(kstore *st);

/* ---- reading ---- */

/* The current (latest) resourceVersion. */
uint64_t kstore_rv(const kstore *st);
/* Borrowed view of an object, or NULL.  Valid until the next mutation of the
 * store; never modify it. */
const cJSON *kstore_peek(const kstore *st, const char *group, const char *resource,
                         const char *ns, const char *name);
/* A copy of an object (*out owned by the caller: cJSON_Delete).
 * E_NOTFOUND with the API's message ('pods "x" not found'). */
int kstore_get(kstore *st, const char *group, const char *resource, const char *ns,
               const char *name, cJSON **out, struct err *err);
/* Visit the objects of a type in (namespace, name) order; ns NULL = every
 * namespace.  The objects are borrowed; fn must not mutate the store. */
int kstore_each(kstore *st, const char *group, const char *resource, const char *ns,
                kstore_each_fn fn, void *ctx);
/* Number of objects of a type (ns NULL = all). */
size_t kstore_count(const kstore *st, const char *group, const char *resource, const char *ns);

struct kstore_query {
    const char *ns;              /* NULL or "" = every namespace */
    const char *label_selector;  /* NULL = all; "a=b,c!=d,e in (x,y),f notin (z),g,!h" */
    const char *field_selector;  /* NULL = all; "metadata.name=x,status.phase!=Running";
                                    any dotted path of the object is accepted */
    size_t limit;                /* 0 = no limit */
    const char *cont;            /* continue token from a previous page, or NULL */
};
#define KSTORE_QUERY_INIT {NULL, NULL, NULL, 0, NULL}

/* List matching objects: *items is a new cJSON array of copies (caller frees);
 * *cont (may be NULL) gets a continue token when limit cut the list short,
 * else NULL (caller frees); *rv (may be NULL) the store's resourceVersion.
 * E_INVALID for a malformed selector or continue token. */
int kstore_list(kstore *st, const char *group, const char *resource,
                const struct kstore_query *q, cJSON **items, char **cont, uint64_t *rv,
                struct err *err);

/* ---- validation ---- */

/* 0 when every number in obj is finite; else E_INVALID naming the first
 * offending value's path ("spec.replicas: Invalid value: +Inf: ...").  JSON
 * cannot carry NaN or Infinity, yet cJSON reads 1e340 as infinity and YAML
 * has .inf and .nan: the writing calls below refuse such documents, and the
 * API rejects request bodies holding them. */
int kstore_check_numbers(const cJSON *obj, struct err *err);

/* ---- writing (every call: *out, if not NULL, gets a copy of the stored
 * result, caller frees; on error nothing changed) ---- */

/* Create.  metadata.name or metadata.generateName is required (E_INVALID);
 * namespace from metadata.namespace ("" / absent = cluster-scoped).  A
 * namespaced object needs its namespace to exist (E_NOTFOUND 'namespaces "x"
 * not found').  E_EXISTS when the name is taken.  Server-set metadata
 * (uid, resourceVersion, generation, creationTimestamp, deletionTimestamp)
 * is overwritten; managedFields are neither tracked nor checked.  Every
 * writing call returns E_INVALID for a non-finite number (kstore_check_numbers). */
int kstore_create(kstore *st, const char *group, const char *resource, const cJSON *obj,
                  unsigned flags, cJSON **out, struct err *err);
/* Replace the object named by obj's metadata (namespace, name).  If obj
 * carries a non-empty metadata.resourceVersion it must equal the stored one
 * (else E_CONFLICT with the API's "Operation cannot be fulfilled ..." text); a
 * uid, if given, must match.  uid and creationTimestamp are kept; generation
 * is bumped when anything outside metadata/status changed; with
 * KSTORE_KEEP_STATUS the stored status is kept.  A write that changes nothing
 * keeps the resourceVersion and produces no event.  E_NOTFOUND if absent. */
int kstore_update(kstore *st, const char *group, const char *resource, const cJSON *obj,
                  unsigned flags, cJSON **out, struct err *err);
/* Like kstore_update, but only obj's .status is taken (the status subresource). */
int kstore_update_status(kstore *st, const char *group, const char *resource,
                         const cJSON *obj, unsigned flags, cJSON **out, struct err *err);
/* Delete.  uid, if not NULL/"", is a precondition (E_CONFLICT when it differs).
 * Deleting a namespace deletes its objects first.  *out gets the deleted
 * object (with the deletion's resourceVersion). */
int kstore_delete(kstore *st, const char *group, const char *resource, const char *ns,
                  const char *name, const char *uid, unsigned flags, cJSON **out,
                  struct err *err);

/* ---- watching ---- */

/* Visit logged events with rv > since, oldest first.  E_GONE ("too old
 * resource version: SINCE (OLDEST)") when events after since were already
 * dropped from the window.  since greater than the current rv just yields
 * nothing.  Returns 0, E_GONE, or fn's non-zero value. */
int kstore_events(kstore *st, uint64_t since, kstore_event_fn fn, void *ctx, struct err *err);
/* Add a listener; returns an id > 0 for kstore_unlisten. */
uint64_t kstore_listen(kstore *st, kstore_listen_fn fn, void *ctx);
void kstore_unlisten(kstore *st, uint64_t id);

/* ---- selectors (also used by the API for watches) ---- */

typedef struct kstore_sel kstore_sel;
/* Parse a label and a field selector (either may be NULL/"": matches all).
 * E_INVALID with a message on bad syntax. */
int kstore_sel_new(kstore_sel **out, const char *labels, const char *fields, struct err *err);
int kstore_sel_match(const kstore_sel *sel, const cJSON *obj);
void kstore_sel_free(kstore_sel *sel);

/* ---- pod logs (side table; dropped with the pod or its namespace) ---- */

/* Append text to the log of a container (created on first use; the pod need
 * not exist yet).  Each container keeps its last 1 MiB. */
void kstore_log_append(kstore *st, const char *ns, const char *pod, const char *container,
                       const char *text);
/* Append the log of a container (container NULL: the first one that logged)
 * to out.  E_NOTFOUND when nothing was ever logged for it. */
int kstore_log_get(kstore *st, const char *ns, const char *pod, const char *container,
                   struct buf *out, struct err *err);

#endif
