/* kctl_int.h -- private parts shared by the controller modules (kctl, kdeploy,
 * kpod, khpa, ksvc, kevents).  Not for users of kctl.h: the manager's state,
 * its timers (which clean up after themselves on kctl_free), the dirty queue
 * that listeners feed, and small JSON helpers all controllers use.
 */
#ifndef SIM_KCTL_INT_H
#define SIM_KCTL_INT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "kctl.h"
#include "kevents.h"
#include "kmap.h"

/* What a dirty key asks for; the tick handles them in this order. */
enum kctl_work {
    KW_GC,      /* name = uid of a deleted owner: delete its dependents in ns */
    KW_POD,     /* a pod changed: adopt it or forget its record */
    KW_DEPLOY,  /* sync a Deployment (its ReplicaSets, pods, status) */
    KW_RS,      /* sync a ReplicaSet (redirects to its Deployment if owned) */
    KW_SVC,     /* refresh the Endpoints of every Service in ns */
    KW_SVCDEL,  /* a Service was deleted: delete its Endpoints */
    KW_HPA,     /* sync one HPA */
    KW_COUNT
};

struct kctl_timer;
typedef void (*kctl_fire_fn)(kctl *k, void *arg);

struct kctl {
    kstore *st;
    gclock *clk;
    struct kctl_opts opts;
    char **fail_images;         /* owned copy of opts.fail_images */
    uint64_t listen_id;
    uint64_t rng;
    struct kctl_timer *timers;  /* every pending timer (doubly linked) */
    kmap *dirty;                /* key -> (void *)1 while queued */
    struct kctl_item *queue;
    size_t nqueue, capqueue;
    struct kctl_timer *tick;    /* pending queue run, or NULL */
    struct kctl_timer *hpa_timer;
    kmap *pods;                 /* "ns/name" -> struct kpod_rec * */
    kmap *wakes;                /* "work/ns/name" -> int64_t * earliest pending wake */
    kmap *loads;                /* "ns/name" -> int * utilisation percent */
    kevents *ev;
    uint32_t next_ip;
};

struct kctl_item {
    enum kctl_work work;
    char *ns;
    char *name;
};

/* Run fn(k, arg) after delay_ms of clock time.  free_arg (may be NULL) frees
 * arg after the call or when the timer is cancelled or the kctl freed.  The
 * handle is valid until the timer fires or is cancelled. */
struct kctl_timer *kctl_after(kctl *k, int64_t delay_ms, kctl_fire_fn fn, void *arg,
                              void (*free_arg)(void *));
/* Cancel a pending timer (frees its arg).  NULL is a no-op. */
void kctl_cancel(kctl *k, struct kctl_timer *t);

/* Queue work for the next tick (deduplicated).  Safe inside a listener. */
void kctl_mark(kctl *k, enum kctl_work work, const char *ns, const char *name);
/* Queue work at clock time due_ms (keeps only the earliest pending wake per key). */
void kctl_wake_at(kctl *k, enum kctl_work work, const char *ns, const char *name,
                  int64_t due_ms);

/* Next pseudo-random number (splitmix64). */
uint64_t kctl_rand(kctl *k);
/* n random characters of Kubernetes' name alphabet ("bcdfghjklmnpqrstvwxz2456789"),
 * NUL-terminated: out holds n + 1. */
void kctl_rand_suffix(kctl *k, char *out, size_t n);

int64_t kctl_now(const kctl *k);
/* RFC 3339 at second precision, as the API shows timestamps. */
void kctl_stamp(const kctl *k, char out[32]);
/* 1 if pods with this image or template annotations must never get Ready. */
int kctl_fails_ready(const kctl *k, const char *image, const cJSON *annotations);
/* The HPA's view of a Deployment's CPU utilisation (kctl.h). */
int kctl_load(const kctl *k, const cJSON *deploy);

/* Write status (owned) through the status subresource of group/resource
 * ns/name, unless it equals the stored one (json_equal: a write must never
 * depend on the store spotting a no-op, or a listener loop could follow). */
void kctl_write_status(kctl *k, const char *group, const char *resource, const char *ns,
                       const char *name, cJSON *status);

/* ---- JSON helpers ---- */

/* Integer at path (def when absent or not a number), clamped to lo..hi: a
 * client may store any number, and the controllers multiply these. */
int64_t kctl_get_clamped(const cJSON *obj, const char *path, int64_t def, int64_t lo, int64_t hi);
#define KCTL_MAX_REPLICAS 100000
#define KCTL_MAX_SECONDS 315360000 /* ten years */

/* Label selector text "k=v,k2=v2" for a map of labels (caller frees). */
char *kctl_selector_text(const cJSON *match_labels);
/* 1 if obj's ownerReferences name uid. */
int kctl_owned_by(const cJSON *obj, const char *uid);
/* The controller ownerReference of obj with that kind, or NULL. */
const cJSON *kctl_owner(const cJSON *obj, const char *kind);
/* Set obj.key (an object member) to a fresh string/number, replacing. */
void kctl_set_str(cJSON *obj, const char *key, const char *s);
void kctl_set_num(cJSON *obj, const char *key, double v);
/* Child object obj.key, created when absent or not an object. */
cJSON *kctl_obj(cJSON *obj, const char *key);

#endif
