/* kevents.h -- core/v1 Events for the simulator's controllers.
 * Records what kubectl describe shows: reason, message, type (Normal or
 * Warning), involvedObject, count, first/lastTimestamp, source.component.
 * A repeat of the same (object uid, reason, message, component) bumps count
 * and lastTimestamp instead of adding an Event, as kube's event recorder
 * does.  Events are deleted ttl_ms after creation, so the store stays bounded.
 */
#ifndef SIM_KEVENTS_H
#define SIM_KEVENTS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/clock.h"
#include "kstore.h"

typedef struct kevents kevents;

/* A recorder writing into st, timestamps from clk (both borrowed). */
kevents *kevents_new(kstore *st, gclock *clk, int64_t ttl_ms);
/* Free the recorder (the Events stay in the store).  NULL is a no-op. */
void kevents_free(kevents *ev);

/* Record an event about obj (a stored object: apiVersion, kind, metadata with
 * name, namespace, uid).  type is "Normal" or "Warning".  Cluster-scoped
 * objects get their events in "default".  Store errors are ignored (an event
 * is best effort, as in kube). */
void kevents_record(kevents *ev, const cJSON *obj, const char *type, const char *reason,
                    const char *component, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
