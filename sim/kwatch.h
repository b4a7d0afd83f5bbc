/* kwatch.h -- watch streams of the API server.
 * A watch is a streamed HTTP response of newline-delimited JSON events
 * ({"type":"ADDED","object":{...}}) read from the store's event log from a
 * resourceVersion on.  Under httpd each stream runs on its connection's own
 * thread: it takes the simulator lock only while reading the log, and sleeps
 * on a condition variable (signalled by a store listener) in between, so it
 * never blocks other requests.  In-process (virtual time) a stream delivers
 * what is pending and ends; the client re-watches from the last rv.
 * Bookmarks are {"type":"BOOKMARK","object":{"kind":K,"apiVersion":GV,
 * "metadata":{"resourceVersion":RV}}}: every event up to RV was delivered,
 * so a client can resume from RV even when nothing it watches changed.
 */
#ifndef SIM_KWATCH_H
#define SIM_KWATCH_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/err.h"
#include "core/http.h"
#include "kstore.h"

typedef struct kwatch_hub kwatch_hub;

/* Turns a stored object into an event's "object" (new tree), or NULL to end
 * the stream (e.g. the type disappeared).  Called with the simulator lock. */
typedef cJSON *(*kwatch_render_fn)(void *ctx, const char *group, const char *version,
                                   const char *resource, int table, const cJSON *obj);

struct kwatch_opts {
    const char *group, *version, *resource;
    const char *ns;                      /* NULL or "" = every namespace */
    const char *label_selector, *field_selector;
    uint64_t since;                      /* replay events with rv > since */
    int initial;                         /* first send ADDED for every existing object */
    int table;                           /* objects as one-row Tables */
    int64_t timeout_ms;                  /* end after this long; 0 = 30 minutes */
    int64_t bookmark_ms;                 /* > 0: a BOOKMARK this often, on the store's clock
                                            (allowWatchBookmarks); never on Table watches */
    kwatch_render_fn render;
    void *render_ctx;                    /* must outlive every stream */
};

/* A hub over st: one store listener that wakes the streams.  Never fails. */
kwatch_hub *kwatch_hub_new(kstore *st);
/* Free; every stream opened on it must have been freed.  NULL is a no-op. */
void kwatch_hub_free(kwatch_hub *h);

/* Open a watch: fills rs (200, application/json, stream).  Call with the
 * simulator lock held.  E_GONE when since is older than the store's window,
 * E_INVALID for a bad selector. */
int kwatch_open(kwatch_hub *h, const struct kwatch_opts *o, struct http_response *rs,
                struct err *err);

/* Render one event line ({"type":T,"object":obj}\n) into out. */
void kwatch_line(const char *type, const cJSON *obj, struct buf *out);

#endif
