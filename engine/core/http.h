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
/* Append a copy of every header of src to dst. */
void http_headers_copy(struct http_headers *dst, const struct http_headers *src);

/* ---- TLS material: files or PEM text (the *_pem fields win) ---- */
struct http_tls {
    const char *ca_file, *ca_pem;       /* trust these CAs */
    const char *cert_file, *cert_pem;   /* client certificate */
    const char *key_file, *key_pem;     /* client key */
    int insecure;                       /* skip verification: only when asked */
    /* Verify the server's certificate against this name (and send it as SNI)
     * instead of the URL's host, still connecting to the URL's host and
     * sending its Host header: kubeconfig's tls-server-name.  NULL = the URL's
     * host.  Ignored for http:// URLs. */
    const char *server_name;
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
     * instead of into the response; on_data returns non-zero to stop (the
     * request then still returns 0).  max_response does not apply.  The
     * response's status and headers are already set when on_data is first
     * called (keep a pointer to the response in on_data_ctx to look). */
    http_data_fn on_data;
    void *on_data_ctx;
    /* Server side: the peer, "ip:port" ("[ip6]:port") under httpd, "inproc"
     * in-process. */
    const char *remote_addr;
};
#define HTTP_REQUEST_INIT {"GET", NULL, HTTP_HEADERS_INIT, NULL, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL}

/* ---- a response ---- */
/* A streamed response body (server side): called until it returns 0 (end) or
 * -1 (error); returns bytes written to out (at most max).  May block up to a
 * short time waiting for data; the in-process transport calls it until end. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *out, size_t max);
/* Added: a stream may also return HTTP_STREAM_AGAIN, "no data yet" (after
 * its short wait).  httpd calls it again (so it can notice a stop in between);
 * the in-process transport ends the body there, since nothing else can run
 * while it drains.  Under httpd a stream runs on the connection's thread,
 * concurrently with handlers: it must lock whatever it shares. */
#define HTTP_STREAM_AGAIN ((ssize_t)-2)

struct http_response {
    int status;                   /* 0 until a response arrived */
    struct http_headers headers;
    struct buf body;
    http_stream_fn stream;        /* server side only: body produced lazily */
    void *stream_ctx;
    void (*stream_free)(void *ctx);
    /* Client side: set with a transport error when no byte of the request
     * left this process (connection refused, name not resolved, no handler
     * mounted), so even a POST may be sent again. */
    int not_sent;
};
void http_response_init(struct http_response *rs);
void http_response_release(struct http_response *rs);
/* Convenience for handlers: set status, Content-Type and body. */
void http_response_set(struct http_response *rs, int status, const char *content_type,
                       const char *body, size_t len);

/* A server-side handler (the simulator's services, myapp's admin API).
 * It sees the same request either way: url "/path?query" as sent (not
 * decoded), a Host header, "Authorization: Bearer" for a bearer_token, and
 * Content-Length when the request carries a body (a body was given, or the
 * method is POST, PUT or PATCH); body is never NULL (empty: "").  It sets rs;
 * a status left at 0 answers 500.  For HEAD the body it sets is not sent. */
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
/* libcurl: keeps connections alive between requests of this client.  A
 * client is used by one thread at a time.  curl's default Accept,
 * Content-Type and Expect headers are not sent unless rq->headers has them. */
http_client *http_client_new_curl(void);
/* In-process: requests go to the handler mounted for the URL's host, called
 * synchronously; a streamed response (rs->stream) is drained to its end.  An
 * unmounted host gives E_UNAVAILABLE. */
http_client *http_client_new_inproc(void);
/* host is "name:port", "name" (any port) or "*" (any host); the most specific
 * mount wins; mounting a host again replaces its handler.  IPv6 hosts are
 * written "[::1]:8080".  No-op on a client that is not in-process. */
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
/* Parse "scheme://host[:port][/path][?query][#fragment]".  The scheme is
 * lowercased; host keeps its case, an IPv6 literal loses its brackets; port
 * defaults to 80 (http), 443 (https), else 0.  User information, control
 * characters, spaces and ports outside 1..65535 are refused (E_INVALID).  On
 * error u is left empty (http_url_release is still safe). */
int http_url_parse(struct http_url *u, const char *url, struct err *err);
void http_url_release(struct http_url *u);
/* The value of the first query parameter name, decoded ('+' is a space, then
 * percent escapes), in a new string the caller frees; "" for "name" without
 * '='; NULL when absent.  Pairs with bad escapes are skipped (as Go does).
 * query has no leading '?'. */
char *http_query_get(const char *query, const char *name);
/* Percent-encode s for a path segment or query value: everything but
 * A-Z a-z 0-9 - . _ ~ becomes %XX. */
void http_escape(struct buf *out, const char *s);
/* Percent-decode in place ('+' is left alone); returns -1 on a bad or
 * truncated escape and on %00 (the result is a C string). */
int http_unescape(char *s);
/* "OK", "Not Found", ... */
const char *http_reason(int status);

#endif
