/* kclient.c -- requests, retries, error mapping and object verbs of the kube
 * client (see kclient.h).  Discovery is in kclient_disc.c, watch in
 * kclient_watch.c.
 *
 * Retries: 429 is retried for every verb.  Transport failures (refused, reset,
 * nothing received) and other 5xx are retried only for requests that are safe
 * to repeat: not a POST, whose first copy may have created the object, nor a
 * JSON patch, whose "add" to a list would apply twice.  A 5xx carrying
 * Retry-After is retried for every verb, as client-go does (the apiserver sends
 * it when it did not process the request).  The transport reports a refused
 * connection and a reset one with the same code, so a refused POST is not
 * retried either; the caller's next sync does it.  Backoff has no jitter so
 * that runs on the virtual clock are reproducible.
 */
#include "kube/kclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kube/kclient_int.h"

#define KUBE_RETRY_AFTER_MAX_MS 30000

/* ---- lifecycle ------------------------------------------------------------------------------ */

int kube_client_new(kube_client **out, http_client *http, kconfig *cfg, struct err *err)
{
    (void)err;
    kube_client *c = xcalloc(1, sizeof(*c));
    c->http = http;
    c->cfg = cfg;
    c->own_clock = clock_new_real();
    c->clock = c->own_clock;
    c->max_attempts = 5;
    c->base_ms = 200;
    c->max_ms = 5000;
    c->ttl_ms = 10 * 60 * 1000;
    *out = c;
    return 0;
}

void kube_client_free(kube_client *c)
{
    if (!c)
        return;
    kube__disc_free(c);
    clock_free(c->own_clock);
    free(c);
}

void kube_client_set_clock(kube_client *c, gclock *clock)
{
    c->clock = clock ? clock : c->own_clock;
}

void kube_client_set_retry(kube_client *c, int max_attempts, int64_t base_ms, int64_t max_ms)
{
    c->max_attempts = max_attempts < 1 ? 1 : max_attempts;
    c->base_ms = base_ms < 0 ? 0 : base_ms;
    c->max_ms = max_ms < c->base_ms ? c->base_ms : max_ms;
}

void kube_client_set_discovery_ttl(kube_client *c, int64_t ttl_ms)
{
    c->ttl_ms = ttl_ms;
}
const char *kube_client_namespace(const kube_client *c)
{
    return kconfig_namespace(c->cfg);
}
long kube_client_requests(const kube_client *c)
{
    return c->requests;
}

/* ---- paths ---------------------------------------------------------------------------------- */

const char *kube__ns(const kube_client *c, const struct kube_resource *r, const char *ns)
{
    if (!r->namespaced)
        return "";
    return ns ? ns : kconfig_namespace(c->cfg);
}

void kube__path(struct buf *b, const struct kube_resource *r, const char *ns, const char *name,
                const char *sub)
{
    if (*r->group)
        buf_addf(b, "/apis/%s/%s", r->group, r->version);
    else
        buf_addf(b, "/api/%s", r->version);
    if (r->namespaced && ns && *ns) {
        buf_puts(b, "/namespaces/");
        http_escape(b, ns);
    }
    buf_putc(b, '/');
    buf_puts(b, r->name);
    if (name) {
        buf_putc(b, '/');
        http_escape(b, name);
    }
    if (sub)
        buf_addf(b, "/%s", sub);
}

void kube__query(struct buf *b, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    buf_putc(b, strchr(b->ptr, '?') ? '&' : '?');
    buf_puts(b, k);
    buf_putc(b, '=');
    http_escape(b, v);
}

/* ---- sending -------------------------------------------------------------------------------- */

int64_t kube__backoff(const kube_client *c, int attempt)
{
    int64_t d = c->base_ms;
    for (int i = 1; i < attempt && d < c->max_ms; i++)
        d *= 2;
    return d > c->max_ms ? c->max_ms : d;
}

static int send_once(kube_client *c, const struct kube__req *kr, struct http_response *rs,
                     struct err *err)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    struct buf url = BUF_INIT;
    const char *token = NULL;
    int rc = kconfig_token(c->cfg, &token, err);
    if (rc < 0)
        return rc;
    buf_addf(&url, "%s%s", kconfig_server(c->cfg), kr->path);
    rq.method = kr->method;
    rq.url = url.ptr;
    rq.body = kr->body;
    rq.body_len = kr->body_len;
    rq.timeout_ms = kr->timeout_ms;
    rq.tls = kconfig_tls(c->cfg);
    rq.bearer_token = token;
    rq.on_data = kr->on_data;
    rq.on_data_ctx = kr->on_data_ctx;
    http_headers_add(&rq.headers, "Accept", kr->accept ? kr->accept : "application/json");
    http_headers_add(&rq.headers, "User-Agent", KUBE_USER_AGENT);
    if (kr->content_type)
        http_headers_add(&rq.headers, "Content-Type", kr->content_type);
    if (!token && kconfig_basic_auth(c->cfg))
        http_headers_add(&rq.headers, "Authorization", kconfig_basic_auth(c->cfg));
    c->requests++;
    rc = http_client_do(c->http, &rq, rs, err);
    http_headers_release(&rq.headers);
    buf_release(&url);
    return rc;
}

/* Whether sending kr twice has the effect of sending it once. */
static int idempotent(const struct kube__req *kr)
{
    if (!strcmp(kr->method, "POST"))
        return 0;
    return !(kr->content_type && !strcmp(kr->content_type, "application/json-patch+json"));
}

/* The delay before retrying, or -1 when this outcome is final. */
static int64_t retry_delay(const kube_client *c, const struct kube__req *kr, int rc,
                           const struct http_response *rs, int attempt)
{
    if (kr->no_retry || attempt >= c->max_attempts)
        return -1;
    if (rc == E_UNAVAILABLE && (idempotent(kr) || rs->not_sent))
        return kube__backoff(c, attempt);
    if (rc < 0)
        return -1;
    const char *ra = http_headers_get(&rs->headers, "Retry-After");
    int s = rs->status;
    int retriable = s == 429 || (s >= 500 && s != 501 && (idempotent(kr) || ra));
    if (!retriable)
        return -1;
    if (ra) {
        char *end = NULL;
        long secs = strtol(ra, &end, 10);
        if (end != ra && *end == '\0' && secs >= 0) {
            int64_t ms = (int64_t)secs * 1000;
            return ms > KUBE_RETRY_AFTER_MAX_MS ? KUBE_RETRY_AFTER_MAX_MS : ms;
        }
    }
    return kube__backoff(c, attempt);
}

static int refresh_failed(struct err *err)
{
    char why[ERR_MSG_MAX] = "";
    if (err)
        snprintf(why, sizeof(why), "%s", err->msg);
    return err_set(err, E_UNAUTHORIZED, "Unauthorized, and the credential could not be "
                   "refreshed: %s", why);
}

int kube__send(kube_client *c, const struct kube__req *kr, struct http_response *rs,
               struct err *err)
{
    int refreshed = 0, rc = 0;
    for (int attempt = 1;; attempt++) {
        rc = send_once(c, kr, rs, err);
        if (rc == 0 && rs->status == 401 && !refreshed) {
            refreshed = 1;
            int r = kconfig_refresh(c->cfg, err);
            if (r < 0) /* keep it a 401: a file's E_NOTFOUND would read as "no such object" */
                return refresh_failed(err);
            if (r == 1) {
                attempt--;
                if (kr->on_resend)
                    kr->on_resend(kr->on_data_ctx);
                continue;
            }
        }
        int64_t delay = retry_delay(c, kr, rc, rs, attempt);
        if (delay < 0)
            return rc;
        clock_sleep(c->clock, delay);
        if (kr->on_resend)
            kr->on_resend(kr->on_data_ctx);
    }
}

/* ---- errors --------------------------------------------------------------------------------- */

static int code_for(int status, const char *reason)
{
    switch (status) {
    case 404:
        return E_NOTFOUND;
    case 409:
        return reason && !strcmp(reason, "AlreadyExists") ? E_EXISTS : E_CONFLICT;
    case 400:
    case 415:
    case 422:
        return E_INVALID;
    case 401:
        return E_UNAUTHORIZED;
    case 403:
        return E_FORBIDDEN;
    case 410:
        return E_GONE;
    case 413:
        return E_TOOBIG;
    case 429:
        return E_UNAVAILABLE;
    default:
        return status >= 500 ? E_UNAVAILABLE : E_HTTP;
    }
}

/* "The Canary "x" is invalid: spec.a: must be...; spec.b: ..." from causes. */
static int invalid_msg(const cJSON *st, struct buf *m)
{
    const cJSON *causes = json_get(st, "details.causes");
    if (!cJSON_IsArray(causes) || !cJSON_GetArraySize(causes))
        return 0;
    buf_addf(m, "%s \"%s\" is invalid:", json_get_str(st, "details.kind", "object"),
             json_get_str(st, "details.name", ""));
    const cJSON *cause;
    int first = 1;
    cJSON_ArrayForEach(cause, causes)
    {
        buf_addf(m, "%s %s: %s", first ? "" : ";", json_get_str(cause, "field", "<unknown>"),
                 json_get_str(cause, "message", ""));
        first = 0;
    }
    return 1;
}

int kube__map_error(const struct http_response *rs, const cJSON *status, const char *method,
                    const char *path, struct err *err)
{
    cJSON *parsed = NULL;
    if (!status && rs->body.len)
        json_parse(&parsed, rs->body.ptr, rs->body.len, NULL, NULL);
    const cJSON *st = status ? status : parsed;
    if (st && strcmp(json_get_str(st, "kind", ""), "Status"))
        st = NULL;
    const char *reason = st ? json_get_str(st, "reason", NULL) : NULL;
    const char *msg = st ? json_get_str(st, "message", NULL) : NULL;
    int code = code_for(rs->status, reason);
    struct buf m = BUF_INIT;
    int done = code == E_INVALID && st && invalid_msg(st, &m);
    if (!done && msg && *msg)
        buf_puts(&m, msg);
    else if (!done && rs->status >= 500)
        buf_addf(&m,
                 "an error on the server (\"%.*s\") has prevented the request from "
                 "succeeding (%s %s)",
                 rs->body.len ? (int)(rs->body.len > 200 ? 200 : rs->body.len) : 7,
                 rs->body.len ? rs->body.ptr : "unknown", method, path);
    else if (!done)
        buf_addf(&m, "%s (HTTP %d %s on %s %s)", reason ? reason : "unexpected answer", rs->status,
                 http_reason(rs->status), method, path);
    err_set(err, code, "%s", m.ptr);
    buf_release(&m);
    cJSON_Delete(parsed);
    return code;
}

int kube__call(kube_client *c, const struct kube__req *kr, cJSON **out, struct err *err)
{
    struct http_response rs;
    http_response_init(&rs);
    int rc = kube__send(c, kr, &rs, err);
    if (rc < 0)
        goto out;
    if (rs.status < 200 || rs.status >= 300) {
        rc = kube__map_error(&rs, NULL, kr->method, kr->path, err);
        goto out;
    }
    if (out && rs.body.len) {
        rc = json_parse(out, rs.body.ptr, rs.body.len, "response", err);
        if (rc < 0)
            err_prefix(err, "%s %s", kr->method, kr->path);
    }
out:
    http_response_release(&rs);
    return rc;
}

int kube_raw(kube_client *c, const char *method, const char *path, const char *content_type,
             const char *body, cJSON **out, struct err *err)
{
    struct kube__req kr = {.method = method,
                           .path = path,
                           .content_type = content_type,
                           .body = body,
                           .body_len = body ? strlen(body) : 0};
    if (out)
        *out = NULL;
    return kube__call(c, &kr, out, err);
}

/* ---- objects -------------------------------------------------------------------------------- */

static int resolve_ref(kube_client *c, const struct kube_ref *ref, const struct kube_resource **r,
                       struct err *err)
{
    if (!ref->api_version || !*ref->api_version || !ref->kind || !*ref->kind)
        return err_set(err, E_INVALID, "object has no apiVersion or kind");
    return kube_resource_for(c, ref->api_version, ref->kind, r, err);
}

/* The ref an object names (borrowed strings). */
static int obj_ref(const cJSON *obj, struct kube_ref *ref, struct err *err)
{
    if (!cJSON_IsObject(obj))
        return err_set(err, E_INVALID, "object is not a JSON object");
    ref->api_version = json_get_str(obj, "apiVersion", NULL);
    ref->kind = json_get_str(obj, "kind", NULL);
    ref->ns = json_get_str(obj, "metadata.namespace", NULL);
    ref->name = json_get_str(obj, "metadata.name", NULL);
    if (ref->ns && !*ref->ns)
        ref->ns = NULL;
    return 0;
}

static int object_call(kube_client *c, const char *method, const struct kube_ref *ref,
                       int with_name, const char *sub, const char *ctype, const cJSON *body,
                       cJSON **out, struct err *err)
{
    const struct kube_resource *r = NULL;
    struct buf path = BUF_INIT, text = BUF_INIT;
    int rc = resolve_ref(c, ref, &r, err);
    if (rc < 0)
        goto out;
    if (with_name && (!ref->name || !*ref->name)) {
        rc = err_set(err, E_INVALID, "%s has no name", ref->kind);
        goto out;
    }
    kube__path(&path, r, kube__ns(c, r, ref->ns), with_name ? ref->name : NULL, sub);
    if (body) {
        json_print(body, 0, &text);
        if (strcmp(method, "DELETE"))
            kube__query(&path, "fieldManager", "gitops");
    }
    struct kube__req kr = {.method = method,
                           .path = path.ptr,
                           .content_type = ctype,
                           .body = body ? text.ptr : NULL,
                           .body_len = text.len};
    if (out)
        *out = NULL;
    rc = kube__call(c, &kr, out, err);
out:
    buf_release(&path);
    buf_release(&text);
    return rc;
}

int kube_get(kube_client *c, const struct kube_ref *ref, cJSON **out, struct err *err)
{
    return object_call(c, "GET", ref, 1, NULL, NULL, NULL, out, err);
}

int kube_create(kube_client *c, const cJSON *obj, cJSON **out, struct err *err)
{
    struct kube_ref ref;
    int rc = obj_ref(obj, &ref, err);
    if (rc < 0)
        return rc;
    return object_call(c, "POST", &ref, 0, NULL, "application/json", obj, out, err);
}

int kube_update(kube_client *c, const cJSON *obj, cJSON **out, struct err *err)
{
    struct kube_ref ref;
    int rc = obj_ref(obj, &ref, err);
    if (rc < 0)
        return rc;
    return object_call(c, "PUT", &ref, 1, NULL, "application/json", obj, out, err);
}

int kube_update_status(kube_client *c, const cJSON *obj, cJSON **out, struct err *err)
{
    struct kube_ref ref;
    int rc = obj_ref(obj, &ref, err);
    if (rc < 0)
        return rc;
    return object_call(c, "PUT", &ref, 1, "status", "application/json", obj, out, err);
}

static const char *patch_ctype(enum kube_patch_type t)
{
    switch (t) {
    case KUBE_PATCH_JSON:
        return "application/json-patch+json";
    case KUBE_PATCH_STRATEGIC:
        return "application/strategic-merge-patch+json";
    case KUBE_PATCH_MERGE:
        break;
    }
    return "application/merge-patch+json";
}

int kube_patch(kube_client *c, const struct kube_ref *ref, enum kube_patch_type type,
               const cJSON *patch, cJSON **out, struct err *err)
{
    return object_call(c, "PATCH", ref, 1, NULL, patch_ctype(type), patch, out, err);
}

int kube_patch_status(kube_client *c, const struct kube_ref *ref, enum kube_patch_type type,
                      const cJSON *patch, cJSON **out, struct err *err)
{
    return object_call(c, "PATCH", ref, 1, "status", patch_ctype(type), patch, out, err);
}

int kube_delete(kube_client *c, const struct kube_ref *ref, const char *propagation,
                struct err *err)
{
    cJSON *opts = NULL;
    if (propagation) {
        opts = cJSON_CreateObject();
        cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
        cJSON_AddStringToObject(opts, "apiVersion", "v1");
        cJSON_AddStringToObject(opts, "propagationPolicy", propagation);
    }
    int rc =
        object_call(c, "DELETE", ref, 1, NULL, opts ? "application/json" : NULL, opts, NULL, err);
    cJSON_Delete(opts);
    return rc;
}

/* ---- list ----------------------------------------------------------------------------------- */

void kube_list_release(struct kube_list *l)
{
    cJSON_Delete(l->items);
    free(l->resource_version);
    free(l->cont);
    memset(l, 0, sizeof(*l));
}

/* Move page's items into items, stamping apiVersion and kind. */
static void take_items(cJSON *items, cJSON *page, const struct kube_resource *r)
{
    char av[128];
    kube_resource_api_version(r, av);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(page, "items");
    if (!cJSON_IsArray(arr))
        return;
    while (arr->child) {
        cJSON *it = cJSON_DetachItemViaPointer(arr, arr->child);
        if (cJSON_IsObject(it) && !cJSON_GetObjectItemCaseSensitive(it, "apiVersion"))
            cJSON_AddStringToObject(it, "apiVersion", av);
        if (cJSON_IsObject(it) && !cJSON_GetObjectItemCaseSensitive(it, "kind"))
            cJSON_AddStringToObject(it, "kind", r->kind);
        cJSON_AddItemToArray(items, it);
    }
}

static void list_path(struct buf *p, kube_client *c, const struct kube_resource *r,
                      const struct kube_ref *ref, const struct kube_list_opts *o, long limit,
                      const char *cont)
{
    buf_reset(p);
    kube__path(p, r, kube__ns(c, r, ref->ns), NULL, NULL);
    kube__query(p, "labelSelector", o->label_selector);
    kube__query(p, "fieldSelector", o->field_selector);
    if (limit > 0)
        buf_addf(p, "%climit=%ld", strchr(p->ptr, '?') ? '&' : '?', limit);
    kube__query(p, "continue", cont);
    if (!cont)
        kube__query(p, "resourceVersion", o->resource_version);
}

/* A Table page: the column definitions go to head (from the first page), the
 * rows to rows.  E_INVALID when the server did not answer a Table. */
static int take_rows(cJSON *head, cJSON *rows, cJSON *page, const char *path, struct err *err)
{
    const char *kind = json_get_str(page, "kind", "");
    if (strcmp(kind, "Table"))
        return err_set(err, E_INVALID, "GET %s: the server answered '%s', not a Table", path, kind);
    if (!cJSON_GetObjectItemCaseSensitive(head, "columnDefinitions")) {
        cJSON *defs = cJSON_DetachItemFromObjectCaseSensitive(page, "columnDefinitions");
        cJSON_AddItemToObject(head, "columnDefinitions", defs ? defs : cJSON_CreateArray());
    }
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(page, "rows");
    while (cJSON_IsArray(arr) && arr->child)
        cJSON_AddItemToArray(rows, cJSON_DetachItemViaPointer(arr, arr->child));
    return 0;
}

/* Fetch one page into l; *cont gets the next token (or NULL).  With a table
 * head, the page is asked for as a Table and l->items collects its rows. */
static int list_page(kube_client *c, const struct kube_resource *r, const char *path,
                     cJSON *table_head, struct kube_list *l, char **cont, struct err *err)
{
    cJSON *page = NULL;
    struct kube__req kr = {
        .method = "GET", .path = path, .accept = table_head ? KUBE_TABLE_ACCEPT : NULL};
    int rc = kube__call(c, &kr, &page, err);
    if (rc == 0 && table_head)
        rc = take_rows(table_head, l->items, page, path, err);
    else if (rc == 0)
        take_items(l->items, page, r);
    if (rc < 0) {
        cJSON_Delete(page);
        return rc;
    }
    l->pages++;
    free(l->resource_version);
    l->resource_version = xstrdup(json_get_str(page, "metadata.resourceVersion", ""));
    const char *next = json_get_str(page, "metadata.continue", NULL);
    *cont = next && *next ? xstrdup(next) : NULL;
    cJSON_Delete(page);
    return 0;
}

/* Pages are read one after the other.  A continue token this call got from
 * the server can expire between pages (410); like client-go's pager, the
 * pages read so far are dropped and the whole list is read in one request. */
static int list_all(kube_client *c, const struct kube_ref *ref, const struct kube_list_opts *o,
                    cJSON *table_head, struct kube_list *out, struct err *err)
{
    struct kube_list_opts none = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    const struct kube_resource *r = NULL;
    struct buf path = BUF_INIT;
    o = o ? o : &none;
    int rc = resolve_ref(c, ref, &r, err);
    if (rc < 0)
        goto out;
    l.items = cJSON_CreateArray();
    char *cont = o->cont ? xstrdup(o->cont) : NULL;
    long limit = o->limit;
    for (;;) {
        list_path(&path, c, r, ref, o, limit, cont);
        char *next = NULL;
        rc = list_page(c, r, path.ptr, table_head, &l, &next, err);
        int own_token = cont && l.pages > 0;
        free(cont);
        cont = next;
        if (rc == E_GONE && own_token && limit > 0 && !o->one_page) {
            cJSON_Delete(l.items);
            l.items = cJSON_CreateArray();
            l.pages = 0;
            limit = 0;
            continue;
        }
        if (rc < 0)
            goto out;
        if (!cont || o->one_page)
            break;
    }
    l.cont = cont;
out:
    buf_release(&path);
    if (rc < 0) {
        kube_list_release(&l);
        return rc;
    }
    *out = l;
    return 0;
}

int kube_list(kube_client *c, const struct kube_ref *ref, const struct kube_list_opts *o,
              struct kube_list *out, struct err *err)
{
    return list_all(c, ref, o, NULL, out, err);
}

/* ---- tables (kubectl's human-readable view) ------------------------------------------------- */

static int table_one(kube_client *c, const struct kube_ref *ref, cJSON **out, struct err *err)
{
    const struct kube_resource *r = NULL;
    struct buf path = BUF_INIT;
    cJSON *t = NULL;
    int rc = resolve_ref(c, ref, &r, err);
    if (rc < 0)
        return rc;
    kube__path(&path, r, kube__ns(c, r, ref->ns), ref->name, NULL);
    struct kube__req kr = {.method = "GET", .path = path.ptr, .accept = KUBE_TABLE_ACCEPT};
    rc = kube__call(c, &kr, &t, err);
    if (rc == 0 && strcmp(json_get_str(t, "kind", ""), "Table"))
        rc = err_set(err, E_INVALID, "GET %s: the server answered '%s', not a Table", path.ptr,
                     json_get_str(t, "kind", ""));
    buf_release(&path);
    if (rc < 0) {
        cJSON_Delete(t);
        return rc;
    }
    *out = t;
    return 0;
}

int kube_table(kube_client *c, const struct kube_ref *ref, const struct kube_list_opts *o,
               cJSON **out, struct err *err)
{
    *out = NULL;
    if (ref->name && *ref->name)
        return table_one(c, ref, out, err);
    cJSON *head = cJSON_CreateObject();
    struct kube_list l = KUBE_LIST_INIT;
    int rc = list_all(c, ref, o, head, &l, err);
    if (rc < 0) {
        cJSON_Delete(head);
        return rc;
    }
    cJSON_AddStringToObject(head, "kind", "Table");
    cJSON_AddStringToObject(head, "apiVersion", "meta.k8s.io/v1");
    json_set_str(head, "metadata.resourceVersion", l.resource_version, NULL);
    cJSON_AddItemToObject(head, "rows", l.items);
    l.items = NULL;
    kube_list_release(&l);
    *out = head;
    return 0;
}
