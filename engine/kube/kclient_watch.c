/* kclient_watch.c -- resumable watches for the kube client (see kclient.h).
 *
 * The stream is newline-delimited JSON events; bytes arrive through the
 * request's on_data in arbitrary pieces, so a partial line is kept until its
 * newline (or the end of the stream).  An error answer's body also arrives
 * through on_data, so the first bytes are kept raw as well, to map the Status
 * once the HTTP status is known.  Only a 200 answer's body is read as events:
 * an error answer is one Status object, which the apiserver ends with a
 * newline like any event.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kube/kclient.h"
#include "kube/kclient_int.h"

#define WATCH_MAX_LINE ((size_t)64 << 20)
#define WATCH_MAX_RAW ((size_t)64 << 10)
#define WATCH_MAX_GONE 5

enum wres { W_STOP, W_END, W_GONE, W_RETRY, W_ERROR };

struct wstate {
    kube_watch_fn fn;
    void *ctx;
    struct buf line;
    struct buf raw; /* first bytes, for an error answer */
    cJSON *status;  /* an ERROR event's Status */
    char *rv;
    int gone, stopped, events;
    int fail; /* err code of a bad stream, kept in ferr */
    int code; /* the outcome's err code (W_ERROR, W_RETRY) */
    struct err ferr;
    const struct http_response *rs; /* the answer being received */
};

static void ws_rv(struct wstate *ws, const cJSON *obj)
{
    const char *rv = json_get_str(obj, "metadata.resourceVersion", NULL);
    if (rv && *rv) {
        free(ws->rv);
        ws->rv = xstrdup(rv);
    }
}

static void ws_event(struct wstate *ws, cJSON *ev)
{
    const char *type = json_get_str(ev, "type", NULL);
    cJSON *obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
    if (!type || !cJSON_IsObject(obj)) {
        ws->fail = err_set(&ws->ferr, E_PARSE, "watch: event without a type or object");
    } else if (!strcmp(type, "ERROR")) {
        if (json_get_int(obj, "code", 0) == 410) {
            ws->gone = 1;
        } else {
            cJSON_Delete(ws->status);
            ws->status = cJSON_DetachItemViaPointer(ev, obj);
            ws->fail = E_HTTP;
        }
    } else if (!strcmp(type, "BOOKMARK")) {
        ws_rv(ws, obj);
    } else {
        ws_rv(ws, obj);
        ws->events++;
        if (ws->fn(ws->ctx, type, obj))
            ws->stopped = 1;
    }
}

static void ws_line(struct wstate *ws, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\r' || s[i] == '\t'))
        i++;
    if (i == n)
        return;
    cJSON *ev = NULL;
    if (json_parse(&ev, s, n, "watch event", &ws->ferr) < 0) {
        ws->fail = E_PARSE;
        return;
    }
    ws_event(ws, ev);
    cJSON_Delete(ev);
}

static int ws_done(const struct wstate *ws)
{
    return ws->stopped || ws->fail || ws->gone;
}

static int ws_on_data(void *ctx, const char *data, size_t n)
{
    struct wstate *ws = ctx;
    if (ws->raw.len < WATCH_MAX_RAW)
        buf_add(&ws->raw, data, n < WATCH_MAX_RAW - ws->raw.len ? n : WATCH_MAX_RAW - ws->raw.len);
    if (ws->rs && ws->rs->status != 200)
        return 0;
    while (n > 0 && !ws_done(ws)) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (buf_add(&ws->line, data, take) < 0) {
            ws->fail =
                err_set(&ws->ferr, E_TOOBIG, "watch: event larger than %zu bytes", WATCH_MAX_LINE);
            break;
        }
        if (nl) {
            ws_line(ws, ws->line.ptr, ws->line.len);
            buf_reset(&ws->line);
            take++;
        }
        data += take;
        n -= take;
    }
    return ws_done(ws);
}

static void ws_reset(struct wstate *ws);

/* kube__send is about to send the watch again (a 401 refresh): forget what
 * the previous answer's body left behind. */
static void ws_on_resend(void *ctx)
{
    ws_reset(ctx);
}

static void ws_reset(struct wstate *ws)
{
    buf_reset(&ws->line);
    buf_reset(&ws->raw);
    cJSON_Delete(ws->status);
    ws->status = NULL;
    ws->gone = ws->stopped = ws->events = ws->fail = ws->code = 0;
    err_clear(&ws->ferr);
}

/* ---- one watch request ---------------------------------------------------------------------- */

static void watch_path(struct buf *p, kube_client *c, const struct kube_resource *r,
                       const struct kube_ref *ref, const struct kube_watch_opts *o, const char *rv)
{
    kube__path(p, r, kube__ns(c, r, ref->ns), NULL, NULL);
    buf_addf(p, "?watch=true&allowWatchBookmarks=true&timeoutSeconds=%d",
             o->timeout_seconds > 0 ? o->timeout_seconds : 300);
    kube__query(p, "resourceVersion", rv);
    kube__query(p, "labelSelector", o->label_selector);
    kube__query(p, "fieldSelector", o->field_selector);
}

static enum wres watch_classify(struct wstate *ws, int rc, const struct http_response *rs,
                                const char *path, struct err *err)
{
    if (ws->stopped)
        return W_STOP;
    if (rc == 0 && rs->status == 200 && ws->line.len && !ws_done(ws))
        ws_line(ws, ws->line.ptr, ws->line.len);
    if (ws->stopped)
        return W_STOP;
    if (rc < 0) {
        ws->code = rc;
        return W_RETRY; /* refused, reset or timed out: resume from the last rv */
    }
    if (rs->status == 410 || ws->gone)
        return W_GONE;
    if (rs->status != 200 || ws->status) {
        struct http_response tmp = *rs;
        tmp.body = ws->raw;
        if (ws->status) /* an ERROR event: its Status carries the code */
            tmp.status = (int)json_get_int(ws->status, "code", 500);
        ws->code = kube__map_error(&tmp, ws->status, "GET", path, err);
        return ws->code == E_UNAVAILABLE ? W_RETRY : W_ERROR;
    }
    if (ws->fail) {
        ws->code = err_set(err, ws->fail, "%s", ws->ferr.msg);
        return W_ERROR;
    }
    return W_END;
}

static enum wres watch_once(kube_client *c, const struct kube_resource *r,
                            const struct kube_ref *ref, const struct kube_watch_opts *o,
                            struct wstate *ws, struct err *err)
{
    struct buf path = BUF_INIT;
    struct http_response rs;
    http_response_init(&rs);
    ws_reset(ws);
    watch_path(&path, c, r, ref, o, ws->rv);
    int secs = o->timeout_seconds > 0 ? o->timeout_seconds : 300;
    struct kube__req kr = {.method = "GET",
                           .path = path.ptr,
                           .no_retry = 1,
                           .timeout_ms = (long)(secs + 30) * 1000,
                           .on_data = ws_on_data,
                           .on_data_ctx = ws,
                           .on_resend = ws_on_resend};
    ws->rs = &rs;
    int rc = kube__send(c, &kr, &rs, err);
    ws->rs = NULL;
    if (rc < 0 && rc != E_UNAVAILABLE && rc != E_TIMEOUT && rc != E_IO && !ws_done(ws)) {
        ws->code = rc;
        buf_release(&path);
        http_response_release(&rs);
        return W_ERROR;
    }
    enum wres w = watch_classify(ws, rc, &rs, path.ptr, err);
    buf_release(&path);
    http_response_release(&rs);
    return w;
}

/* List to get a fresh resourceVersion (and, when asked, tell the caller). */
static int watch_list(kube_client *c, const struct kube_ref *ref, const struct kube_watch_opts *o,
                      struct wstate *ws, struct err *err)
{
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.label_selector = o->label_selector;
    lo.field_selector = o->field_selector;
    lo.limit = 500;
    int rc = kube_list(c, ref, &lo, &l, err);
    if (rc < 0)
        return rc;
    free(ws->rv);
    ws->rv = xstrdup(l.resource_version);
    if (o->list_events) {
        const cJSON *it;
        cJSON_ArrayForEach(it, l.items)
        {
            if (ws->fn(ws->ctx, "SYNC", it)) {
                ws->stopped = 1;
                break;
            }
        }
        if (!ws->stopped && ws->fn(ws->ctx, "SYNCED", NULL))
            ws->stopped = 1;
    }
    kube_list_release(&l);
    return 0;
}

/* ---- the loop ------------------------------------------------------------------------------- */

struct wloop {
    int need_list, fails, gones, watches;
};

/* Decide what follows a stream's outcome: 1 go on, 0 done, < 0 error. */
static int watch_next(kube_client *c, const struct kube_watch_opts *o, struct wloop *lp,
                      struct wstate *ws, enum wres w, struct err *err)
{
    switch (w) {
    case W_STOP:
        return 0;
    case W_ERROR:
        return ws->code < 0 ? ws->code : E_HTTP;
    case W_GONE:
        if (++lp->gones > WATCH_MAX_GONE)
            return err_set(err, E_GONE, "watch: resourceVersion expired %d times in a row",
                           lp->gones);
        lp->need_list = 1;
        return 1;
    case W_RETRY:
        if (++lp->fails >= c->max_attempts)
            return ws->code < 0 ? ws->code : E_UNAVAILABLE;
        clock_sleep(c->clock, kube__backoff(c, lp->fails));
        return 1;
    case W_END:
        break;
    }
    lp->fails = 0;
    if (ws->events)
        lp->gones = 0;
    if (o->max_watches && ++lp->watches >= o->max_watches)
        return 0;
    if (!ws->events) /* a server closing at once must not make us spin */
        clock_sleep(c->clock, c->base_ms);
    return 1;
}

int kube_watch(kube_client *c, const struct kube_ref *ref, const struct kube_watch_opts *o,
               kube_watch_fn fn, void *ctx, struct err *err)
{
    struct kube_watch_opts none = KUBE_WATCH_OPTS_INIT;
    const struct kube_resource *r = NULL;
    o = o ? o : &none;
    int rc = kube_resource_for(c, ref->api_version, ref->kind, &r, err);
    if (rc < 0)
        return rc;
    struct wstate ws = {.fn = fn, .ctx = ctx, .line = BUF_INIT, .raw = BUF_INIT};
    ws.line.max = WATCH_MAX_LINE;
    ws.rv = o->resource_version ? xstrdup(o->resource_version) : NULL;
    struct wloop lp = {.need_list = !ws.rv};
    for (;;) {
        if (lp.need_list) {
            lp.need_list = 0;
            rc = watch_list(c, ref, o, &ws, err);
            if (rc < 0 || ws.stopped)
                break;
        }
        enum wres w = watch_once(c, r, ref, o, &ws, err);
        rc = watch_next(c, o, &lp, &ws, w, err);
        if (rc <= 0)
            break;
    }
    buf_release(&ws.line);
    buf_release(&ws.raw);
    cJSON_Delete(ws.status);
    free(ws.rv);
    return rc < 0 ? rc : 0;
}
