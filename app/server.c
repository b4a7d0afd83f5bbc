/* server.c -- routing and libmicrohttpd glue for myapp.
 *
 * Speed notes.  Responses that never change (health, 404, each cached file
 * and its 304) are built once and shared: MHD refcounts them, so queueing one
 * costs no allocation.  Per-request state lives in a per-connection struct
 * allocated when the connection opens.  Counting goes to per-thread shards.
 * Responses are queued on the second access-handler call, never the first,
 * because MHD answers "Connection: close" to a response queued before it has
 * finished reading the request, which would defeat keep-alive.
 */
#include "server.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "metrics.h"
#include "delayq.h"
#include "static.h"

/* Routes double as the metrics path label (bounded cardinality). */
enum route {
    R_ROOT, R_HEALTHZ, R_READYZ, R_READYZ_ENABLE, R_READYZ_DISABLE, R_VERSION, R_METRICS,
    R_ECHO, R_STATUS, R_DELAY, R_ADMIN_FAULT, R_FILE, R_OTHER, R_COUNT
};
static const char *const route_labels[R_COUNT] = {
    "/", "/healthz", "/readyz", "/readyz/enable", "/readyz/disable", "/version", "/metrics",
    "/echo", "/status/{code}", "/delay/{seconds}", "/admin/fault", "/{file}", "other"};

enum phase { PH_NEW, PH_WAITING, PH_RESUMED };

struct request {
    server *srv;
    struct MHD_Connection *conn;
    uint64_t start_ns;
    int method;         /* enum metrics_method */
    char method_name[12];
    int route;          /* metrics label, refined when answering */
    int path_rc;        /* static_path_normalize result */
    enum phase phase;
    unsigned delay_ms;  /* still to wait before answering */
    int fail;           /* injected 500 */
    int status;         /* queued status; 0 = none yet */
    size_t bytes;       /* response body size, for the access log */
    struct buf body;
    char path[STATIC_PATH_MAX];
};

struct shared_responses {
    struct MHD_Response *healthz, *ready, *not_ready, *version, *not_found, *bad_request,
        *fault, *too_big, *uri_too_long;
};

struct server {
    struct server_config cfg;
    char *version, *commit, *hostname; /* owned copies */
    struct MHD_Daemon *daemon;
    int port;
    static_site *site;
    metrics *metrics;
    fault *fault;
    delayq *delayq;
    struct shared_responses r;
    size_t version_len; /* body size of r.version */
    atomic_int ready;
    int drained;
};

/* Files served from the cache: both answers built once. */
struct file_responses {
    struct MHD_Response *ok, *not_modified;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- response helpers ---------------------------------------------------------------- */

static struct MHD_Response *text_response(const char *text, const char *type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    return r;
}

static struct MHD_Response *copy_response(const void *data, size_t len, const char *type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (r && type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    return r;
}

/* Queue r with status for rq; the caller keeps (and may drop) its reference. */
static enum MHD_Result queue(struct request *rq, unsigned status, struct MHD_Response *r,
                             size_t bytes)
{
    if (!r)
        return MHD_NO;
    rq->status = (int)status;
    rq->bytes = bytes;
    return MHD_queue_response(rq->conn, status, r);
}

/* Queue a response built for this request only, then drop our reference. */
static enum MHD_Result queue_once(struct request *rq, unsigned status, struct MHD_Response *r,
                                  size_t bytes)
{
    enum MHD_Result ret = queue(rq, status, r, bytes);
    if (r)
        MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result queue_json(struct request *rq, unsigned status, struct buf *b)
{
    size_t len = b->len;
    return queue_once(rq, status, copy_response(b->ptr, len, "application/json"), len);
}

static enum MHD_Result not_allowed(struct request *rq, const char *allow)
{
    static const char msg[] = "405 method not allowed\n";
    struct MHD_Response *r = text_response(msg, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    return queue_once(rq, MHD_HTTP_METHOD_NOT_ALLOWED, r, sizeof(msg) - 1);
}

static enum MHD_Result not_found(struct request *rq)
{
    rq->route = R_OTHER;
    return queue(rq, MHD_HTTP_NOT_FOUND, rq->srv->r.not_found, 19);
}

static enum MHD_Result bad_request(struct request *rq, const char *why)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "400 bad request: %s\n", why);
    size_t len = b.len;
    enum MHD_Result ret =
        queue_once(rq, MHD_HTTP_BAD_REQUEST, copy_response(b.ptr, len, "text/plain; charset=utf-8"),
                   len);
    buf_release(&b);
    return ret;
}

static int is_get(const struct request *rq)
{
    return rq->method == METRICS_GET || rq->method == METRICS_HEAD;
}

/* ---- static files --------------------------------------------------------------------- */

static void add_file_headers(struct MHD_Response *r, const struct static_file *f)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, f->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, f->last_modified);
    /* revalidate every time: a new version must show at once in a canary */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

static struct MHD_Response *file_ok_response(const struct static_file *f)
{
    struct MHD_Response *r = copy_response(f->data, f->len, f->content_type);
    if (r)
        add_file_headers(r, f);
    return r;
}

/* A 304 never has a body, so MHD never reads this one. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    (void)buf;
    (void)max;
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* MHD sends the size of a 304's response as Content-Length (without a body);
 * RFC 9110 8.6 allows only the size the 200 would have, so give it that. */
static struct MHD_Response *file_304_response(const struct static_file *f)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(f->len, 4096, no_body, NULL, NULL);
    if (r)
        add_file_headers(r, f);
    return r;
}

static void *file_attach(void *ctx, const struct static_file *f)
{
    (void)ctx;
    struct file_responses *fr = xcalloc(1, sizeof(*fr));
    fr->ok = file_ok_response(f);
    fr->not_modified = file_304_response(f);
    return fr;
}

static void file_detach(void *ctx, void *attached)
{
    (void)ctx;
    struct file_responses *fr = attached;
    if (fr->ok)
        MHD_destroy_response(fr->ok);
    if (fr->not_modified)
        MHD_destroy_response(fr->not_modified);
    free(fr);
}

static enum MHD_Result answer_file(struct request *rq, const struct static_file *f)
{
    const char *inm =
        MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    int fresh = inm && static_etag_match(inm, f->etag);
    const struct file_responses *fr = f->attached;
    if (fr)
        return fresh ? queue(rq, MHD_HTTP_NOT_MODIFIED, fr->not_modified, 0)
                     : queue(rq, MHD_HTTP_OK, fr->ok, f->len);
    return fresh ? queue_once(rq, MHD_HTTP_NOT_MODIFIED, file_304_response(f), 0)
                 : queue_once(rq, MHD_HTTP_OK, file_ok_response(f), f->len);
}

static enum MHD_Result serve_static(struct request *rq)
{
    server *s = rq->srv;
    if (!is_get(rq))
        return not_allowed(rq, "GET, HEAD");
    const struct static_file *f = NULL;
    struct err err = ERR_INIT;
    int rc = static_site_get(s->site, rq->path, &f, &err);
    if (rc == E_NOTFOUND || rc == E_FORBIDDEN)
        return not_found(rq);
    if (rc < 0) {
        LOG_WARN("static", "'/%s': %s", rq->path, err.msg);
        return queue(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r.fault, 0);
    }
    rq->route = rq->path[0] ? R_FILE : R_ROOT;
    enum MHD_Result ret = answer_file(rq, f);
    static_site_put(s->site, f);
    return ret;
}

/* ---- API routes ---------------------------------------------------------------------------- */

static enum MHD_Result serve_readyz(struct request *rq)
{
    server *s = rq->srv;
    if (rq->route == R_READYZ) {
        if (!is_get(rq))
            return not_allowed(rq, "GET, HEAD");
    } else if (rq->method != METRICS_POST) {
        return not_allowed(rq, "POST");
    } else {
        atomic_store(&s->ready, rq->route == R_READYZ_ENABLE);
    }
    return atomic_load(&s->ready) ? queue(rq, MHD_HTTP_OK, s->r.ready, 6)
                                  : queue(rq, MHD_HTTP_SERVICE_UNAVAILABLE, s->r.not_ready, 10);
}

static enum MHD_Result serve_metrics(struct request *rq)
{
    if (!is_get(rq))
        return not_allowed(rq, "GET, HEAD");
    struct buf b = BUF_INIT;
    metrics_render(rq->srv->metrics, &b);
    size_t len;
    char *text = buf_detach(&b, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    return queue_once(rq, MHD_HTTP_OK, r, len);
}

static enum MHD_Result serve_echo(struct request *rq)
{
    if (rq->method != METRICS_POST && rq->method != METRICS_PUT)
        return not_allowed(rq, "POST, PUT");
    if (rq->body.toobig)
        return queue(rq, MHD_HTTP_CONTENT_TOO_LARGE, rq->srv->r.too_big, 0);
    const char *type =
        MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t len = rq->body.len;
    return queue_once(rq, MHD_HTTP_OK,
                      copy_response(rq->body.ptr, len, type ? type : "application/octet-stream"),
                      len);
}

/* Digits only, at most 9 of them; -1 otherwise. */
static long parse_uint(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9 || s[n])
        return -1;
    return strtol(s, NULL, 10);
}

static enum MHD_Result serve_status(struct request *rq)
{
    if (rq->method == METRICS_OTHER)
        return not_allowed(rq, "GET, HEAD, POST, PUT, DELETE");
    long code = parse_uint(rq->path + 7);
    if (code < 100 || code > 599)
        return bad_request(rq, "status code must be a number from 100 to 599");
    /* MHD refuses to send an interim (1xx) status as the final answer. */
    unsigned status = code < 200 ? MHD_HTTP_OK : (unsigned)code;
    if (code < 200 || code == 204 || code == 304)
        return queue_once(rq, status, copy_response("", 0, NULL), 0);
    struct buf b = BUF_INIT;
    buf_addf(&b, "{\"status\":%ld}\n", code);
    enum MHD_Result ret = queue_json(rq, status, &b);
    buf_release(&b);
    return ret;
}

/* Seconds for /delay: a plain decimal in [0, max]; -1 if invalid. */
static double parse_delay(const char *s, double max)
{
    size_t n = strspn(s, "0123456789."), dots = 0;
    for (size_t i = 0; i < n; i++)
        dots += s[i] == '.';
    if (n == 0 || n > 16 || s[n] || dots > 1 || s[0] == '.')
        return -1;
    double v = strtod(s, NULL);
    return v <= max ? v : -1;
}

static enum MHD_Result serve_delay(struct request *rq)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "{\"delay\":%g}\n", parse_delay(rq->path + 6, rq->srv->cfg.max_delay_s));
    enum MHD_Result ret = queue_json(rq, MHD_HTTP_OK, &b);
    buf_release(&b);
    return ret;
}

static enum MHD_Result serve_admin_fault(struct request *rq)
{
    server *s = rq->srv;
    struct buf b = BUF_INIT;
    enum MHD_Result ret;
    if (rq->method == METRICS_POST) {
        struct err err = ERR_INIT;
        if (rq->body.toobig)
            return queue(rq, MHD_HTTP_CONTENT_TOO_LARGE, s->r.too_big, 0);
        if (fault_update_json(s->fault, rq->body.ptr, rq->body.len, &err) < 0) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "error", err.msg);
            char *text = cJSON_PrintUnformatted(o);
            buf_puts(&b, text);
            free(text);
            cJSON_Delete(o);
            ret = queue_json(rq, MHD_HTTP_BAD_REQUEST, &b);
            goto out;
        }
        LOG_INFO("fault", "fault injection changed to %s", rq->body.ptr);
    } else if (!is_get(rq)) {
        return not_allowed(rq, "GET, HEAD, POST");
    }
    fault_to_json(s->fault, &b);
    buf_putc(&b, '\n');
    ret = queue_json(rq, MHD_HTTP_OK, &b);
out:
    buf_release(&b);
    return ret;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static int match_route(const char *p)
{
    static const struct {
        const char *path;
        int route;
    } exact[] = {
        {"healthz", R_HEALTHZ}, {"readyz", R_READYZ}, {"readyz/enable", R_READYZ_ENABLE},
        {"readyz/disable", R_READYZ_DISABLE}, {"version", R_VERSION}, {"metrics", R_METRICS},
        {"echo", R_ECHO}, {"admin/fault", R_ADMIN_FAULT},
    };
    if (!p[0])
        return R_ROOT;
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
        if (strcmp(p, exact[i].path) == 0)
            return exact[i].route;
    if (strncmp(p, "status/", 7) == 0)
        return R_STATUS;
    if (strncmp(p, "delay/", 6) == 0)
        return R_DELAY;
    return R_FILE;
}

/* Routes that play the application, as opposed to probes and admin. */
static int fault_applies(int route)
{
    return route == R_ROOT || route == R_FILE || route == R_VERSION || route == R_ECHO ||
           route == R_STATUS || route == R_DELAY;
}

static enum MHD_Result answer(struct request *rq)
{
    server *s = rq->srv;
    if (rq->fail)
        return queue(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r.fault, 15);
    switch (rq->route) {
    case R_HEALTHZ:
        return is_get(rq) ? queue(rq, MHD_HTTP_OK, s->r.healthz, 3) : not_allowed(rq, "GET, HEAD");
    case R_READYZ:
    case R_READYZ_ENABLE:
    case R_READYZ_DISABLE:
        return serve_readyz(rq);
    case R_VERSION:
        return is_get(rq) ? queue(rq, MHD_HTTP_OK, s->r.version, s->version_len)
                          : not_allowed(rq, "GET, HEAD");
    case R_METRICS:
        return serve_metrics(rq);
    case R_ECHO:
        return serve_echo(rq);
    case R_STATUS:
        return serve_status(rq);
    case R_DELAY:
        return serve_delay(rq);
    case R_ADMIN_FAULT:
        return serve_admin_fault(rq);
    default:
        return serve_static(rq);
    }
}

static void resume_request(void *arg)
{
    struct request *rq = arg;
    rq->phase = PH_RESUMED;
    MHD_resume_connection(rq->conn);
}

/* First decision on a complete request: refuse bad paths, roll the fault
 * dice, and park the request if it must wait. */
static enum MHD_Result decide(struct request *rq)
{
    server *s = rq->srv;
    rq->phase = PH_RESUMED;
    if (rq->path_rc == E_TOOBIG)
        return queue(rq, MHD_HTTP_URI_TOO_LONG, s->r.uri_too_long, 0);
    if (rq->path_rc < 0)
        return queue(rq, MHD_HTTP_BAD_REQUEST, s->r.bad_request, 0);
    double wait_ms = 0;
    if (rq->route == R_DELAY) {
        double secs = parse_delay(rq->path + 6, s->cfg.max_delay_s);
        if (secs < 0)
            return bad_request(rq, "delay must be a number of seconds from 0 to the maximum");
        wait_ms = secs * 1000.0;
    }
    if (fault_applies(rq->route)) {
        unsigned fault_ms;
        rq->fail = fault_roll(s->fault, &fault_ms);
        wait_ms += fault_ms;
    }
    if (wait_ms >= 1.0) {
        rq->phase = PH_WAITING;
        MHD_suspend_connection(rq->conn);
        delayq_add(s->delayq, (unsigned)wait_ms, resume_request, rq);
        return MHD_YES;
    }
    return answer(rq);
}

/* ---- request lifecycle --------------------------------------------------------------------- */

static void request_reset(struct request *rq, const char *url, const char *method)
{
    server *s = rq->srv;
    rq->start_ns = mono_ns();
    rq->method = metrics_method_index(method);
    snprintf(rq->method_name, sizeof(rq->method_name), "%s", method);
    rq->phase = PH_NEW;
    rq->fail = 0;
    rq->status = 0;
    rq->bytes = 0;
    rq->path_rc = static_path_normalize(url, rq->path, sizeof(rq->path), NULL);
    if (rq->path_rc < 0)
        rq->path[0] = '\0';
    rq->route = rq->path_rc < 0 ? R_OTHER : match_route(rq->path);
    if (rq->body.cap > (64 << 10))
        buf_release(&rq->body);
    buf_reset(&rq->body);
    rq->body.max = rq->route == R_ADMIN_FAULT ? 4096 : s->cfg.max_body;
}

static void request_body(struct request *rq, const char *data, size_t len)
{
    if (rq->route == R_ECHO || rq->route == R_ADMIN_FAULT)
        buf_add(&rq->body, data, len); /* over max: sets toobig, answered 413 */
}

/* A Content-Length over the route's body cap: no need to read the body. */
static int declared_too_big(struct request *rq)
{
    if (rq->route != R_ECHO && rq->route != R_ADMIN_FAULT)
        return 0;
    const char *cl =
        MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return 0;
    char *end = NULL;
    unsigned long long n = strtoull(cl, &end, 10);
    return end != cl && n > rq->body.max;
}

/* RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host. */
static int missing_host(struct request *rq, const char *version)
{
    return version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
           !MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    server *s = cls;
    struct request *rq = *req_cls;
    if (!rq) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        rq = ci ? ci->socket_context : NULL;
        if (!rq)
            return MHD_NO;
        request_reset(rq, url, method);
        metrics_begin(s->metrics);
        *req_cls = rq;
        if (missing_host(rq, version))
            return bad_request(rq, "HTTP/1.1 request without a Host header");
        if (declared_too_big(rq)) /* refuse before reading it; MHD then closes */
            return queue(rq, MHD_HTTP_CONTENT_TOO_LARGE, s->r.too_big, 0);
        return MHD_YES; /* answer on a later call: keeps the connection alive */
    }
    if (*upload_size) {
        request_body(rq, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->phase == PH_NEW)
        return decide(rq);
    if (rq->phase == PH_RESUMED)
        return answer(rq);
    return MHD_YES; /* still waiting */
}

static void access_log_line(struct request *rq, uint64_t dur_ns)
{
    char addr[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, addr,
                  sizeof(addr));
    else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, addr,
                  sizeof(addr));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40], stamp[64];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp, sizeof(stamp), "%s.%03dZ", when, (int)(ts.tv_nsec / 1000000) % 1000);
    char path[STATIC_PATH_MAX + 1];
    snprintf(path, sizeof(path), "/%s", rq->path);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ts", stamp);
    cJSON_AddStringToObject(o, "remote", addr);
    cJSON_AddStringToObject(o, "method", rq->method_name);
    cJSON_AddStringToObject(o, "path", rq->path_rc < 0 ? "-" : path);
    cJSON_AddNumberToObject(o, "status", rq->status);
    cJSON_AddNumberToObject(o, "bytes", (double)rq->bytes);
    cJSON_AddNumberToObject(o, "duration_ms", (double)(dur_ns / 1000) / 1000.0);
    cJSON_AddStringToObject(o, "version", rq->srv->version);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* replaces the NUL: write n + 1 bytes in one call */
        ssize_t w = write(STDERR_FILENO, text, n + 1);
        (void)w;
        free(text);
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    server *s = cls;
    struct request *rq = *req_cls;
    if (!rq)
        return;
    uint64_t dur = mono_ns() - rq->start_ns;
    metrics_observe(s->metrics, rq->method, rq->route, rq->status, dur);
    if (s->cfg.access_log)
        access_log_line(rq, dur);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct request *rq = xcalloc(1, sizeof(*rq));
        rq->srv = cls;
        rq->conn = c;
        buf_init(&rq->body, 0);
        *socket_ctx = rq;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_ctx) {
        struct request *rq = *socket_ctx;
        buf_release(&rq->body);
        free(rq);
        *socket_ctx = NULL;
    }
}

/* The URL reaches on_request still percent-encoded: static_path_normalize
 * decodes it once and checks the result, so "%2e%2e" cannot sneak past. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *uri)
{
    (void)cls;
    (void)c;
    return strlen(uri);
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

/* MHD's own messages (refused oversized requests, socket errors) go to our
 * log instead of raw stderr.  MHD passes a printf format of its own. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    LOG_INFO("mhd", "%s", msg);
}
#pragma GCC diagnostic pop

static char *version_json(const server *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", s->version);
    cJSON_AddStringToObject(o, "commit", s->commit);
    cJSON_AddStringToObject(o, "hostname", s->hostname);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *out = xasprintf("%s\n", text ? text : "{}");
    free(text);
    return out;
}

static void make_shared_responses(server *s)
{
    static const char *const plain = "text/plain; charset=utf-8";
    struct shared_responses *r = &s->r;
    r->healthz = text_response("ok\n", plain);
    r->ready = text_response("ready\n", plain);
    r->not_ready = text_response("not ready\n", plain);
    r->not_found = text_response("404 page not found\n", plain);
    r->bad_request = text_response("400 bad request: invalid path\n", plain);
    r->fault = text_response("injected fault\n", plain);
    r->too_big = text_response("413 request body too large\n", plain);
    r->uri_too_long = text_response("414 path too long\n", plain);
    char *v = version_json(s);
    s->version_len = strlen(v);
    r->version = MHD_create_response_from_buffer(strlen(v), v, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r->version, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
}

static void free_shared_responses(struct shared_responses *r)
{
    struct MHD_Response **all[] = {&r->healthz, &r->ready, &r->not_ready, &r->version,
                                   &r->not_found, &r->bad_request, &r->fault, &r->too_big,
                                   &r->uri_too_long};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (*all[i])
            MHD_destroy_response(*all[i]);
        *all[i] = NULL;
    }
}

static int open_site(server *s, struct err *err)
{
    struct static_subst subst[] = {
        {"__VERSION__", s->version}, {"__COMMIT__", s->commit}, {"__HOSTNAME__", s->hostname}};
    struct static_hooks hooks = {file_attach, file_detach, s};
    return static_site_new(&s->site, s->cfg.static_dir, subst, 3, &hooks, err);
}

static int start_daemon(server *s, struct err *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->cfg.port)};
    if (s->cfg.bind_addr && inet_pton(AF_INET, s->cfg.bind_addr, &sa.sin_addr) != 1)
        return err_set(err, E_INVALID, "invalid bind address '%s'", s->cfg.bind_addr);
    if (!s->cfg.bind_addr)
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = (unsigned)(s->cfg.threads > 0 ? s->cfg.threads : ncpu > 0 ? ncpu : 1);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_logger, NULL, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 << 10),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->cfg.header_limit, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_END);
    if (!s->daemon)
        return err_set(err, E_IO, "cannot listen on %s:%d (port in use or bad address?)",
                       s->cfg.bind_addr ? s->cfg.bind_addr : "0.0.0.0", s->cfg.port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    return 0;
}

/* A quoted Prometheus label value: the text format escapes only backslash,
 * double quote and line feed (JSON's \t or \u0001 would break a scrape). */
static void prom_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_putc(b, '\\');
        if (*s == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

/* Metrics with myapp_info{version,commit}. */
static metrics *new_metrics(const server *s)
{
    struct buf info = BUF_INIT;
    buf_puts(&info, "version=");
    prom_quote(&info, s->version);
    buf_puts(&info, ",commit=");
    prom_quote(&info, s->commit);
    metrics *m = metrics_new(route_labels, R_COUNT, info.ptr);
    buf_release(&info);
    return m;
}

int server_start(server **out, const struct server_config *cfg, struct err *err)
{
    server *s = xcalloc(1, sizeof(*s));
    char host[256] = "unknown";
    s->cfg = *cfg;
    if (!cfg->hostname && gethostname(host, sizeof(host) - 1) != 0)
        strcpy(host, "unknown");
    s->version = xstrdup(cfg->version ? cfg->version : "dev");
    s->commit = xstrdup(cfg->commit ? cfg->commit : "");
    s->hostname = xstrdup(cfg->hostname ? cfg->hostname : host);
    atomic_store(&s->ready, 1);
    int rc = open_site(s, err);
    if (rc < 0)
        goto out;
    s->metrics = new_metrics(s);
    s->fault = fault_new(&cfg->fault, cfg->seed);
    make_shared_responses(s);
    rc = delayq_new(&s->delayq, err);
    if (rc == 0)
        rc = start_daemon(s, err);
out:
    if (rc < 0) {
        server_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int server_port(server *s)
{
    return s->port;
}

/* Wait until no request is in flight or the deadline passes. */
static int wait_idle(server *s, uint64_t deadline_ns)
{
    while (metrics_inflight(s->metrics) > 0) {
        if (mono_ns() >= deadline_ns)
            return E_TIMEOUT;
        usleep(5000);
    }
    return 0;
}

int server_drain(server *s, unsigned timeout_ms)
{
    if (!s->daemon)
        return 0;
    atomic_store(&s->ready, 0);
    MHD_socket lfd = MHD_quiesce_daemon(s->daemon);
    int rc = wait_idle(s, mono_ns() + (uint64_t)timeout_ms * 1000000u);
    if (rc < 0)
        LOG_WARN("server", "drain timeout: %ld request(s) still in flight, cutting short",
                 metrics_inflight(s->metrics));
    /* Keep-alive clients may still send requests, and MHD aborts if stopped
     * with one suspended: answer delayed requests now, and from now on
     * without waiting (delayq_flush closes the queue). */
    delayq_flush(s->delayq);
    if (rc < 0)
        wait_idle(s, mono_ns() + 500000000u);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    return rc;
}

void server_free(server *s)
{
    if (!s)
        return;
    if (s->daemon) {
        if (s->delayq)
            delayq_flush(s->delayq);
        MHD_stop_daemon(s->daemon);
    }
    delayq_free(s->delayq);
    static_site_free(s->site);
    free_shared_responses(&s->r);
    metrics_free(s->metrics);
    fault_free(s->fault);
    free(s->version);
    free(s->commit);
    free(s->hostname);
    free(s);
}
