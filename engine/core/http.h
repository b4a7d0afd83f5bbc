/* http.h -- the one HTTP seam: requests, responses, and pluggable transports.
 * Every network call of the engine goes through http_client_do().  A client
 * wraps a transport: "curl" (real sockets, TLS, timeouts; used against GKE and
 * `sim serve`) or "inproc" (hands the request, unchanged, to a handler
 * function of the simulator chosen by host: no sockets, no threads).  The
 * simulator writes each fake service once as an http_handler_fn, which
 * httpd.h can also serve on a real port.
 */
#ifndef CORE_HTTP_H
#define CORE_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

/* ---- headers (names compared case-insensitively) ---- */
struct http_header {
    char *name;
    char *value;
};
struct http_headers {
    struct http_header *v;
    size_t n, cap;
};
#define HTTP_HEADERS_INIT {NULL, 0, 0}
void http_headers_add(struct http_headers *h, const char *name, const char *value);
/* Replace every header of that name with one. */
void http_headers_set(struct http_headers *h, const char *name, const char *value);
/* First value of that name, or NULL. */
const char *http_headers_get(const struct http_headers *h, const char *name);
void http_headers_release(struct http_headers *h);

/* ---- TLS material: files or PEM text (the *_pem fields win) ---- */
struct http_tls {
    const char *ca_file, *ca_pem;       /* trust these CAs */
    const char *cert_file, *cert_pem;   /* client certificate */
    const char *key_file, *key_pem;     /* client key */
    int insecure;                       /* skip verification: only when asked */
};

/* ---- a request: built by the caller, read-only to transports ---- */
typedef int (*http_data_fn)(void *ctx, const char *data, size_t n);

struct http_request {
    const char *method;           /* "GET", "POST", ... */
    /* Client side: an absolute URL "http://host:port/path?query".  Server side
     * (what a handler receives): the request target "/path?query", with the
     * Host header set. */
    const char *url;
    struct http_headers headers;
    const char *body;             /* may be NULL */
    size_t body_len;
    long timeout_ms;              /* whole request; 0 = 30 s; < 0 = none */
    long connect_timeout_ms;      /* 0 = 10 s */
    const struct http_tls *tls;   /* NULL = system CAs, verify */
    const char *bearer_token;     /* adds "Authorization: Bearer ..." */
    size_t max_response;          /* body cap; 0 = 64 MiB; over -> E_TOOBIG */
    /* Streaming (watch): when set, body bytes go to on_data as they arrive
     * instead of into the response; on_data returns non-zero to stop. */
    http_data_fn on_data;
    void *on_data_ctx;
    const char *remote_addr;      /* server side: the peer, or NULL */
};
#define HTTP_REQUEST_INIT {"GET", NULL, HTTP_HEADERS_INIT, NULL, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL}

/* ---- a response ---- */
/* A streamed response body (server side): called until it returns 0 (end) or
 * -1 (error); returns bytes written to out (at most max).  May block up to a
 * short time waiting for data; the in-process transport calls it until end. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *out, size_t max);

struct http_response {
    int status;                   /* 0 until a response arrived */
    struct http_headers headers;
    struct buf body;
    http_stream_fn stream;        /* server side only: body produced lazily */
    void *stream_ctx;
    void (*stream_free)(void *ctx);
};
void http_response_init(struct http_response *rs);
void http_response_release(struct http_response *rs);
/* Convenience for handlers: set status, Content-Type and body. */
void http_response_set(struct http_response *rs, int status, const char *content_type,
                       const char *body, size_t len);

/* A server-side handler (the simulator's services, myapp's admin API). */
typedef void (*http_handler_fn)(void *ctx, const struct http_request *rq,
                                struct http_response *rs);

/* ---- clients and transports ---- */
typedef struct http_client http_client;

struct http_transport_ops {
    const char *name;
    /* Perform rq; fill rs.  Returns 0 when a response arrived, whatever its
     * status; else E_UNAVAILABLE (refused, reset, DNS), E_TIMEOUT, E_TOOBIG,
     * E_IO, with a message. */
    int (*request)(void *ctx, const struct http_request *rq, struct http_response *rs,
                   struct err *err);
    void (*destroy)(void *ctx);   /* may be NULL */
};

/* A client on a custom transport (tests, fault injection wrappers). */
http_client *http_client_new(const struct http_transport_ops *ops, void *ctx);
/* libcurl: keeps connections alive between requests of this client. */
http_client *http_client_new_curl(void);
/* In-process: requests go to the handler mounted for the URL's host. */
http_client *http_client_new_inproc(void);
/* host is "name:port", "name" (any port) or "*" (any host). */
void http_inproc_mount(http_client *c, const char *host, http_handler_fn fn, void *ctx);
void http_client_free(http_client *c);
const char *http_client_transport(const http_client *c);

/* rs must be initialised (http_response_init); it is reset first. */
int http_client_do(http_client *c, const struct http_request *rq, struct http_response *rs,
                   struct err *err);

/* ---- URLs ---- */
struct http_url {
    char *scheme, *host, *path, *query;   /* owned; path at least "/"; query may be NULL */
    int port;                             /* explicit or the scheme's default */
};
int http_url_parse(struct http_url *u, const char *url, struct err *err);
void http_url_release(struct http_url *u);
/* The value of query parameter name, percent-decoded, in a new string; NULL
 * when absent.  query has no leading '?'. */
char *http_query_get(const char *query, const char *name);
/* Percent-encode s for a path segment or query value. */
void http_escape(struct buf *out, const char *s);
/* Percent-decode in place; returns -1 on a bad escape. */
int http_unescape(char *s);
/* "OK", "Not Found", ... */
const char *http_reason(int status);

#endif
