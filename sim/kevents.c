/* kevents.c -- event recorder (see kevents.h).
 * A map from (uid, reason, message, component) to the Event's name finds
 * repeats without listing the namespace's events; a FIFO of created events
 * drives the TTL purge, which is done lazily on each record call.
 */
#include "kevents.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "kmap.h"

struct evrec {
    char *key;
    char *ns;
    char *name;
    int64_t created;
};

struct kevents {
    kstore *st;
    gclock *clk;
    int64_t ttl;
    kmap *byk;            /* key -> struct evrec * (also owned by the FIFO) */
    struct evrec **fifo;  /* ring of records in creation order */
    size_t head, n, cap;
    uint64_t seq;
};

kevents *kevents_new(kstore *st, gclock *clk, int64_t ttl_ms)
{
    kevents *ev = xcalloc(1, sizeof(*ev));
    ev->st = st;
    ev->clk = clk;
    ev->ttl = ttl_ms;
    ev->byk = kmap_new();
    return ev;
}

static void evrec_free(struct evrec *r)
{
    free(r->key);
    free(r->ns);
    free(r->name);
    free(r);
}

void kevents_free(kevents *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->n; i++)
        evrec_free(ev->fifo[(ev->head + i) % ev->cap]);
    free(ev->fifo);
    kmap_free(ev->byk);
    free(ev);
}

static void fifo_push(kevents *ev, struct evrec *r)
{
    if (ev->n == ev->cap) {
        size_t ncap = ev->cap ? ev->cap * 2 : 64;
        struct evrec **nf = xcalloc(ncap, sizeof(*nf));
        for (size_t i = 0; i < ev->n; i++)
            nf[i] = ev->fifo[(ev->head + i) % ev->cap];
        free(ev->fifo);
        ev->fifo = nf;
        ev->cap = ncap;
        ev->head = 0;
    }
    ev->fifo[(ev->head + ev->n) % ev->cap] = r;
    ev->n++;
}

/* Delete the events older than the TTL. */
static void purge(kevents *ev, int64_t now)
{
    while (ev->n) {
        struct evrec *r = ev->fifo[ev->head];
        if (r->created + ev->ttl > now)
            break;
        ev->head = (ev->head + 1) % ev->cap;
        ev->n--;
        if (kmap_get(ev->byk, r->key) == r)
            kmap_del(ev->byk, r->key);
        kstore_delete(ev->st, "", "events", r->ns, r->name, NULL, 0, NULL, NULL);
        evrec_free(r);
    }
}

/* Bump count and lastTimestamp of an existing event; 0 if it was there. */
static int bump(kevents *ev, struct evrec *r, const char *stamp)
{
    cJSON *obj = NULL;
    if (kstore_get(ev->st, "", "events", r->ns, r->name, &obj, NULL) < 0)
        return -1;
    int64_t count = json_get_int(obj, "count", 1);
    if (count < 0 || count > 1000000000)
        count = 1;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "count");
    cJSON_AddNumberToObject(obj, "count", (double)(count + 1));
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "lastTimestamp");
    cJSON_AddStringToObject(obj, "lastTimestamp", stamp);
    int rc = kstore_update(ev->st, "", "events", obj, 0, NULL, NULL);
    cJSON_Delete(obj);
    return rc;
}

static cJSON *involved(const cJSON *obj, const char *ns)
{
    cJSON *io = cJSON_CreateObject();
    cJSON_AddStringToObject(io, "kind", json_get_str(obj, "kind", ""));
    cJSON_AddStringToObject(io, "namespace", ns);
    cJSON_AddStringToObject(io, "name", json_get_str(obj, "metadata.name", ""));
    cJSON_AddStringToObject(io, "uid", json_get_str(obj, "metadata.uid", ""));
    cJSON_AddStringToObject(io, "apiVersion", json_get_str(obj, "apiVersion", ""));
    cJSON_AddStringToObject(io, "resourceVersion",
                            json_get_str(obj, "metadata.resourceVersion", ""));
    return io;
}

static cJSON *build(kevents *ev, const cJSON *obj, const char *ns, const char *name,
                    const char *type, const char *reason, const char *component,
                    const char *msg, const char *stamp)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "apiVersion", "v1");
    cJSON_AddStringToObject(e, "kind", "Event");
    cJSON *md = cJSON_AddObjectToObject(e, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    cJSON_AddStringToObject(md, "namespace", ns);
    cJSON_AddItemToObject(e, "involvedObject", involved(obj, ns));
    cJSON_AddStringToObject(e, "reason", reason);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddStringToObject(e, "type", type);
    cJSON_AddNumberToObject(e, "count", 1);
    cJSON_AddStringToObject(e, "firstTimestamp", stamp);
    cJSON_AddStringToObject(e, "lastTimestamp", stamp);
    cJSON *src = cJSON_AddObjectToObject(e, "source");
    cJSON_AddStringToObject(src, "component", component);
    cJSON_AddStringToObject(e, "reportingComponent", component);
    cJSON_AddStringToObject(e, "reportingInstance", "sim");
    (void)ev;
    return e;
}

static void create(kevents *ev, const cJSON *obj, const char *key, const char *type,
                   const char *reason, const char *component, const char *msg,
                   const char *stamp)
{
    const char *ns = json_get_str(obj, "metadata.namespace", "");
    if (!*ns)
        ns = "default";
    int64_t now = clock_now_ms(ev->clk);
    char *name = xasprintf("%s.%llx", json_get_str(obj, "metadata.name", "object"),
                           (unsigned long long)now * 1000000ULL + ev->seq++);
    cJSON *e = build(ev, obj, ns, name, type, reason, component, msg, stamp);
    int rc = kstore_create(ev->st, "", "events", e, 0, NULL, NULL);
    cJSON_Delete(e);
    if (rc < 0) {
        free(name);
        return;
    }
    struct evrec *r = xcalloc(1, sizeof(*r));
    r->key = xstrdup(key);
    r->ns = xstrdup(ns);
    r->name = name;
    r->created = now;
    kmap_put(ev->byk, key, r);
    fifo_push(ev, r);
}

void kevents_record(kevents *ev, const cJSON *obj, const char *type, const char *reason,
                    const char *component, const char *fmt, ...)
{
    struct buf msg = BUF_INIT, key = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    int64_t now = clock_now_ms(ev->clk);
    char stamp[32];
    clock_fmt_rfc3339(now, 0, stamp);
    purge(ev, now);
    buf_addf(&key, "%s\x1f%s\x1f%s\x1f%s", json_get_str(obj, "metadata.uid", ""), reason,
             msg.ptr, component);
    struct evrec *r = kmap_get(ev->byk, key.ptr);
    if (!r || bump(ev, r, stamp) < 0)
        create(ev, obj, key.ptr, type, reason, component, msg.ptr, stamp);
    buf_release(&msg);
    buf_release(&key);
}
