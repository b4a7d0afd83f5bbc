/* kwatch.c -- watch streams (see kwatch.h). */
#include "kwatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/mem.h"

#define WATCH_WAIT_MS 250
#define WATCH_DEFAULT_TIMEOUT_MS (30LL * 60 * 1000)

struct kwatch_hub {
    kstore *st;
    uint64_t listen_id;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t seq;
};

struct kwatch {
    kwatch_hub *hub;
    char *group, *version, *resource, *ns;
    kstore_sel *sel;
    int table;
    uint64_t cursor;
    int64_t bookmark_ms;  /* 0: no bookmarks */
    int64_t next_bookmark; /* store clock ms */
    int64_t deadline;     /* CLOCK_MONOTONIC ms */
    struct buf pending;
    size_t off;
    int ended;
    kwatch_render_fn render;
    void *render_ctx;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- hub ---------------------------------------------------------------------------- */

static void hub_wake(void *ctx, const struct kstore_event *ev)
{
    (void)ev;
    kwatch_hub *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->seq++;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

kwatch_hub *kwatch_hub_new(kstore *st)
{
    kwatch_hub *h = xcalloc(1, sizeof(*h));
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &a);
    pthread_condattr_destroy(&a);
    pthread_mutex_init(&h->mu, NULL);
    h->st = st;
    h->listen_id = kstore_listen(st, hub_wake, h);
    return h;
}

void kwatch_hub_free(kwatch_hub *h)
{
    if (!h)
        return;
    kstore_unlisten(h->st, h->listen_id);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static uint64_t hub_seq(kwatch_hub *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t s = h->seq;
    pthread_mutex_unlock(&h->mu);
    return s;
}

static void hub_wait(kwatch_hub *h, uint64_t seen, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&h->mu);
    while (h->seq == seen) {
        if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&h->mu);
}

/* ---- events ------------------------------------------------------------------------- */

void kwatch_line(const char *type, const cJSON *obj, struct buf *out)
{
    buf_puts(out, "{\"type\":\"");
    buf_puts(out, type);
    buf_puts(out, "\",\"object\":");
    json_print(obj, 0, out);
    buf_puts(out, "}\n");
}

static int add_event(struct kwatch *w, const char *type, const cJSON *obj)
{
    cJSON *o = w->render(w->render_ctx, w->group, w->version, w->resource, w->table, obj);
    if (!o) {
        w->ended = 1;
        return 1;
    }
    kwatch_line(type, o, &w->pending);
    cJSON_Delete(o);
    return 0;
}

static int on_event(void *ctx, const struct kstore_event *ev)
{
    struct kwatch *w = ctx;
    static const char *const names[] = {"", "ADDED", "MODIFIED", "DELETED"};
    w->cursor = ev->rv;
    if (strcmp(ev->resource, w->resource) || strcmp(ev->group, w->group))
        return 0;
    if (w->ns && strcmp(ev->ns, w->ns))
        return 0;
    if (!kstore_sel_match(w->sel, ev->obj))
        return 0;
    return add_event(w, names[ev->type], ev->obj);
}

static int on_existing(void *ctx, const cJSON *obj)
{
    struct kwatch *w = ctx;
    return kstore_sel_match(w->sel, obj) ? add_event(w, "ADDED", obj) : 0;
}

static void add_gone(struct kwatch *w, const char *msg)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Status");
    cJSON_AddStringToObject(s, "apiVersion", "v1");
    cJSON_AddObjectToObject(s, "metadata");
    cJSON_AddStringToObject(s, "status", "Failure");
    cJSON_AddStringToObject(s, "message", msg);
    cJSON_AddStringToObject(s, "reason", "Expired");
    cJSON_AddNumberToObject(s, "code", 410);
    kwatch_line("ERROR", s, &w->pending);
    cJSON_Delete(s);
    w->ended = 1;
}

/* A BOOKMARK at the cursor when one is due on the store's clock (called
 * with the simulator lock, which guards the clock too). */
static void maybe_bookmark(struct kwatch *w)
{
    int64_t now = clock_now_ms(kstore_clock(w->hub->st));
    if (!w->bookmark_ms || w->ended || now < w->next_bookmark)
        return;
    char rv[24];
    snprintf(rv, sizeof(rv), "%llu", (unsigned long long)w->cursor);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "metadata"), "resourceVersion", rv);
    add_event(w, "BOOKMARK", o);
    cJSON_Delete(o);
    w->next_bookmark = now + w->bookmark_ms;
}

/* Read new events into pending, under the simulator lock. */
static void poll_events(struct kwatch *w)
{
    struct err err = ERR_INIT;
    kstore *st = w->hub->st;
    kstore_lock(st);
    int rc = kstore_events(st, w->cursor, on_event, w, &err);
    if (rc == E_GONE)
        add_gone(w, err.msg);
    else
        maybe_bookmark(w);
    kstore_unlock(st);
}

/* ---- the stream ---------------------------------------------------------------------- */

static ssize_t take_pending(struct kwatch *w, char *out, size_t max)
{
    size_t n = w->pending.len - w->off;
    if (n > max)
        n = max;
    memcpy(out, w->pending.ptr + w->off, n);
    w->off += n;
    if (w->off == w->pending.len) {
        buf_reset(&w->pending);
        w->off = 0;
    }
    return (ssize_t)n;
}

static ssize_t watch_read(void *ctx, char *out, size_t max)
{
    struct kwatch *w = ctx;
    if (w->pending.len > w->off)
        return take_pending(w, out, max);
    if (w->ended || mono_ms() >= w->deadline)
        return 0;
    uint64_t seen = hub_seq(w->hub);
    poll_events(w);
    if (w->pending.len > w->off)
        return take_pending(w, out, max);
    if (w->ended)
        return 0;
    int64_t left = w->deadline - mono_ms();
    hub_wait(w->hub, seen, left < WATCH_WAIT_MS ? (left > 0 ? left : 0) : WATCH_WAIT_MS);
    return HTTP_STREAM_AGAIN;
}

static void watch_free(void *ctx)
{
    struct kwatch *w = ctx;
    if (!w)
        return;
    free(w->group);
    free(w->version);
    free(w->resource);
    free(w->ns);
    kstore_sel_free(w->sel);
    buf_release(&w->pending);
    free(w);
}

static struct kwatch *watch_new(kwatch_hub *h, const struct kwatch_opts *o, kstore_sel *sel)
{
    struct kwatch *w = xcalloc(1, sizeof(*w));
    w->hub = h;
    w->group = xstrdup(o->group);
    w->version = xstrdup(o->version);
    w->resource = xstrdup(o->resource);
    w->ns = o->ns && *o->ns ? xstrdup(o->ns) : NULL;
    w->sel = sel;
    w->table = o->table;
    w->render = o->render;
    w->render_ctx = o->render_ctx;
    w->deadline = mono_ms() + (o->timeout_ms > 0 ? o->timeout_ms : WATCH_DEFAULT_TIMEOUT_MS);
    if (o->bookmark_ms > 0 && !o->table) {
        w->bookmark_ms = o->bookmark_ms;
        w->next_bookmark = clock_now_ms(kstore_clock(h->st)) + o->bookmark_ms;
    }
    buf_init(&w->pending, 0);
    return w;
}

int kwatch_open(kwatch_hub *h, const struct kwatch_opts *o, struct http_response *rs,
                struct err *err)
{
    kstore_sel *sel = NULL;
    int rc = kstore_sel_new(&sel, o->label_selector, o->field_selector, err);
    if (rc < 0)
        return rc;
    struct kwatch *w = watch_new(h, o, sel);
    if (o->initial) {
        w->cursor = kstore_rv(h->st);
        kstore_each(h->st, o->group, o->resource, w->ns, on_existing, w);
    } else {
        w->cursor = o->since;
        rc = kstore_events(h->st, w->cursor, on_event, w, err);
        if (rc < 0) {
            watch_free(w);
            return rc;
        }
    }
    rs->status = 200;
    http_headers_set(&rs->headers, "Content-Type", "application/json");
    http_headers_set(&rs->headers, "Cache-Control", "no-cache, private");
    rs->stream = watch_read;
    rs->stream_ctx = w;
    rs->stream_free = watch_free;
    return 0;
}
