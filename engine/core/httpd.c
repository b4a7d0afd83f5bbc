/* httpd.c -- serve an http_handler_fn with libmicrohttpd (see httpd.h).
 *
 * Threading: MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
 * so a connection that carries a long-lived stream (a Kubernetes watch) has a
 * thread of its own and never holds up the others.  Handlers are still called
 * one at a time (hmu) unless the server was started with concurrent.
 *
 * A request's life: the URI log callback (first to see it) allocates the
 * per-request state and keeps the raw request target; the access handler is
 * then called once with the headers, once per piece of body, and once more at
 * the end, where the handler runs and the response is queued.  Queuing only
 * on a later call matters: a response queued on the very first call makes
 * MHD close the connection, which defeats keep-alive.
 */
#include "core/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

#define HTTPD_DEFAULT_MAX_BODY ((size_t)8 << 20)
#define HTTPD_DRAIN_MS 5000
#define HTTPD_IDLE_TIMEOUT_S 120
#define HTTPD_STREAM_BLOCK 16384

struct httpd {
    struct MHD_Daemon *d;
    http_handler_fn fn;
    void *ctx;
    size_t max_body;
    int serialize;
    int port;
    pthread_mutex_t hmu;   /* held around the handler unless concurrent */
    pthread_mutex_t cmu;   /* guards inflight */
    int inflight;          /* requests between start and response queued/done */
};

/* Per-request state, from the URI log callback to the completion callback. */
struct hreq {
    httpd *s;
    char *uri;
    struct buf body;
    int calls;
    int toobig;
    int counted; /* still counted in s->inflight */
};

/* A streamed response: the handler's body first, then its stream. */
struct hstream {
    struct buf head;
    size_t off;
    http_stream_fn fn;
    void *ctx;
    void (*free_fn)(void *ctx);
};

/* ---- in-flight accounting ------------------------------------------------------ */

static void inflight_add(httpd *s, int d)
{
    pthread_mutex_lock(&s->cmu);
    s->inflight += d;
    pthread_mutex_unlock(&s->cmu);
}

static int inflight_get(httpd *s)
{
    pthread_mutex_lock(&s->cmu);
    int n = s->inflight;
    pthread_mutex_unlock(&s->cmu);
    return n;
}

static void hreq_uncount(struct hreq *r)
{
    if (r->counted) {
        r->counted = 0;
        inflight_add(r->s, -1);
    }
}

/* ---- MHD callbacks around a request -------------------------------------------- */

/* The request target as handlers see it: origin form "/path?query".  An
 * absolute-form target ("http://host/path", what proxies get) loses its
 * scheme and authority. */
static char *origin_form(const char *uri)
{
    if (!uri || !*uri)
        return xstrdup("/");
    const char *sep = strstr(uri, "://");
    if (uri[0] == '/' || !sep || strcspn(uri, "/?") < (size_t)(sep - uri))
        return xstrdup(uri);
    const char *p = sep + 3 + strcspn(sep + 3, "/?");
    return *p == '/' ? xstrdup(p) : xasprintf("/%s", p);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    httpd *s = cls;
    struct hreq *r = xcalloc(1, sizeof(*r));
    r->s = s;
    r->uri = origin_form(uri);
    buf_init(&r->body, 0);
    r->counted = 1;
    inflight_add(s, 1);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct hreq *r = *req_cls;
    if (!r)
        return;
    hreq_uncount(r);
    buf_release(&r->body);
    free(r->uri);
    free(r);
    *req_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    LOG_DEBUG("httpd", "libmicrohttpd: %s", line);
}

/* ---- building the server-side request ------------------------------------------ */

static enum MHD_Result add_header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    http_headers_add(cls, key, value ? value : "");
    return MHD_YES;
}

static void peer_addr(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char ip[INET6_ADDRSTRLEN] = "";
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)ci->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
        snprintf(out, n, "%s:%u", ip, ntohs(a->sin_port));
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)ci->client_addr;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
        snprintf(out, n, "[%s]:%u", ip, ntohs(a->sin6_port));
    }
}

static void run_handler(httpd *s, struct MHD_Connection *conn, const char *method,
                        struct hreq *r, struct http_response *rs)
{
    char peer[INET6_ADDRSTRLEN + 16];
    struct http_request rq = HTTP_REQUEST_INIT;
    rq.method = method;
    rq.url = r->uri;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_cb, &rq.headers);
    rq.body = r->body.ptr;
    rq.body_len = r->body.len;
    peer_addr(conn, peer, sizeof(peer));
    rq.remote_addr = peer[0] ? peer : NULL;
    if (s->serialize)
        pthread_mutex_lock(&s->hmu);
    s->fn(s->ctx, &rq, rs);
    if (s->serialize)
        pthread_mutex_unlock(&s->hmu);
    http_headers_release(&rq.headers);
}

/* ---- turning an http_response into an MHD response ---------------------------- */

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct hstream *st = cls;
    if (st->off < st->head.len) {
        size_t n = st->head.len - st->off;
        if (n > max)
            n = max;
        memcpy(out, st->head.ptr + st->off, n);
        st->off += n;
        return (ssize_t)n;
    }
    ssize_t got = st->fn(st->ctx, out, max);
    if (got == HTTP_STREAM_AGAIN)
        return 0; /* MHD calls again; the stream did its short wait */
    if (got == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (got < 0 || (size_t)got > max)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return got;
}

static void stream_free(void *cls)
{
    struct hstream *st = cls;
    if (st->free_fn)
        st->free_fn(st->ctx);
    buf_release(&st->head);
    free(st);
}

/* Takes over rs's stream and body. */
static struct MHD_Response *make_stream(struct http_response *rs)
{
    struct hstream *st = xcalloc(1, sizeof(*st));
    st->head = rs->body;
    buf_init(&rs->body, 0);
    st->fn = rs->stream;
    st->ctx = rs->stream_ctx;
    st->free_fn = rs->stream_free;
    rs->stream = NULL;
    rs->stream_ctx = NULL;
    rs->stream_free = NULL;
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTPD_STREAM_BLOCK, stream_read,
                                             st, stream_free);
}

static int skip_header(const char *name)
{
    return strcasecmp(name, "Content-Length") == 0 ||
           strcasecmp(name, "Transfer-Encoding") == 0;
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct http_response *rs)
{
    struct MHD_Response *mr;
    if (rs->stream)
        mr = make_stream(rs);
    else
        mr = MHD_create_response_from_buffer(rs->body.len, rs->body.ptr, MHD_RESPMEM_MUST_COPY);
    if (!mr)
        return MHD_NO;
    for (size_t i = 0; i < rs->headers.n; i++) {
        const struct http_header *h = &rs->headers.v[i];
        if (!skip_header(h->name))
            MHD_add_response_header(mr, h->name, h->value);
    }
    int status = rs->status ? rs->status : 500;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result queue_simple(struct MHD_Connection *conn, int status, const char *msg)
{
    struct http_response rs;
    http_response_init(&rs);
    http_response_set(&rs, status, "text/plain; charset=utf-8", msg, strlen(msg));
    enum MHD_Result ret = queue(conn, &rs);
    http_response_release(&rs);
    return ret;
}

/* ---- the access handler ---------------------------------------------------------- */

/* First call: refuse early a body announced as too big. */
static int announced_too_big(struct MHD_Connection *conn, size_t max)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (!cl)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    return errno == ERANGE || (end != cl && n > max);
}

static void take_upload(struct hreq *r, size_t max, const char *data, size_t n)
{
    if (r->toobig)
        return;
    if (n > max || r->body.len > max - n) {
        r->toobig = 1;
        buf_release(&r->body);
        return;
    }
    buf_add(&r->body, data, n);
}

static enum MHD_Result finish(httpd *s, struct MHD_Connection *conn, const char *method,
                              struct hreq *r)
{
    if (r->toobig)
        return queue_simple(conn, 413, "request body too large\n");
    struct http_response rs;
    http_response_init(&rs);
    run_handler(s, conn, method, r, &rs);
    int streamed = rs.stream != NULL;
    enum MHD_Result ret = queue(conn, &rs);
    http_response_release(&rs);
    if (streamed) /* long-lived: not waited for by httpd_stop */
        hreq_uncount(r);
    return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **req_cls)
{
    (void)url;
    (void)version;
    httpd *s = cls;
    struct hreq *r = *req_cls;
    if (!r) /* cannot happen: on_uri always runs first */
        return MHD_NO;
    if (r->calls++ == 0) {
        if (announced_too_big(conn, s->max_body))
            return queue_simple(conn, 413, "request body too large\n");
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_upload(r, s->max_body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return finish(s, conn, method, r);
}

/* ---- start and stop -------------------------------------------------------------- */

static int listen_addr(const struct httpd_opts *o, struct sockaddr_storage *ss, int *v6,
                       struct err *err)
{
    const char *addr = o->addr && *o->addr ? o->addr : "127.0.0.1";
    if (strcmp(addr, "localhost") == 0)
        addr = "127.0.0.1";
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (o->port < 0 || o->port > 65535)
        return err_set(err, E_INVALID, "bad port %d", o->port);
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)o->port);
        *v6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)o->port);
        *v6 = 1;
        return 0;
    }
    return err_set(err, E_INVALID, "bad listen address '%s': want an IP address", addr);
}

static struct MHD_Daemon *start_daemon(httpd *s, const struct httpd_opts *o,
                                       const struct sockaddr_storage *ss, int v6)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    int tls = o->tls_cert_pem && o->tls_key_pem;
    if (tls)
        flags |= MHD_USE_TLS;
    return MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_log,
        NULL, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)HTTPD_IDLE_TIMEOUT_S, MHD_OPTION_HTTPS_MEM_CERT, tls ? o->tls_cert_pem : NULL,
        MHD_OPTION_HTTPS_MEM_KEY, tls ? o->tls_key_pem : NULL, MHD_OPTION_END);
}

static void httpd_free(httpd *s)
{
    pthread_mutex_destroy(&s->hmu);
    pthread_mutex_destroy(&s->cmu);
    free(s);
}

int httpd_start(httpd **out, const struct httpd_opts *opts, http_handler_fn fn, void *ctx,
                struct err *err)
{
    struct httpd_opts dflt = HTTPD_OPTS_INIT;
    const struct httpd_opts *o = opts ? opts : &dflt;
    struct sockaddr_storage ss;
    int v6 = 0;
    int rc = listen_addr(o, &ss, &v6, err);
    if (rc < 0)
        return rc;
    if ((o->tls_cert_pem || o->tls_key_pem) && !(o->tls_cert_pem && o->tls_key_pem))
        return err_set(err, E_INVALID, "https needs both a certificate and a key");
    if (o->tls_cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return err_set(err, E_INVALID, "this libmicrohttpd was built without TLS support");
    httpd *s = xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->ctx = ctx;
    s->max_body = o->max_body ? o->max_body : HTTPD_DEFAULT_MAX_BODY;
    s->serialize = !o->concurrent;
    pthread_mutex_init(&s->hmu, NULL);
    pthread_mutex_init(&s->cmu, NULL);
    errno = 0;
    s->d = start_daemon(s, o, &ss, v6);
    if (!s->d) {
        int e = errno;
        httpd_free(s);
        return err_set(err, E_IO, "cannot serve on %s:%d: %s", o->addr ? o->addr : "127.0.0.1",
                       o->port, e ? strerror(e) : "libmicrohttpd refused to start");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : o->port;
    *out = s;
    return 0;
}

int httpd_port(const httpd *s) { return s->port; }

void httpd_stop(httpd *s)
{
    if (!s)
        return;
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    struct timespec tick = {0, 10 * 1000000L};
    for (int waited = 0; waited < HTTPD_DRAIN_MS && inflight_get(s) > 0; waited += 10)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    httpd_free(s);
}
