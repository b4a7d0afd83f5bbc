/* httpd.h -- serve an http_handler_fn on a real port with libmicrohttpd.
 * The simulator's services are plain handlers (http.h); this puts one on
 * 127.0.0.1:PORT so curl, kubectl or a browser can reach it.  Every
 * connection has its own thread (MHD_USE_THREAD_PER_CONNECTION), so a
 * long-lived streamed response (a watch) never blocks other requests.
 *
 * CONCURRENCY: by default handlers run ONE AT A TIME (httpd holds one mutex
 * around every handler call), though on varying threads.  With
 * opts.concurrent they MAY RUN CONCURRENTLY, one per connection, and must
 * lock what they share.  Streams (http_stream_fn) always run outside that
 * mutex, on their connection's thread, concurrently with handlers and other
 * streams: they must lock whatever they share.
 */
#ifndef CORE_HTTPD_H
#define CORE_HTTPD_H

#include "core/err.h"
#include "core/http.h"

typedef struct httpd httpd;

struct httpd_opts {
    const char *addr;           /* default "127.0.0.1" */
    int port;                   /* 0 = pick a free port */
    size_t max_body;            /* request body cap; default 8 MiB; over -> 413 */
    const char *tls_cert_pem;   /* serve HTTPS when both set */
    const char *tls_key_pem;
    int concurrent;             /* added: 1 = handlers may run in parallel */
};
#define HTTPD_OPTS_INIT {NULL, 0, 0, NULL, NULL, 0}

/* Listen and serve fn(ctx, ...) until httpd_stop.  opts may be NULL (the
 * defaults).  The handler sees rq->url as the raw request target
 * "/path?query", the headers as received (Host included), the body (never
 * NULL; at most max_body bytes: larger bodies get 413 without calling fn)
 * and remote_addr "ip:port".  Content-Length and Transfer-Encoding headers it
 * sets are ignored (libmicrohttpd writes them); a streamed response is sent
 * chunked.  addr must be an IP address (or "localhost").  Errors: E_INVALID
 * (bad address, half a TLS pair, no TLS in libmicrohttpd), E_IO (cannot
 * listen, e.g. port in use). */
int httpd_start(httpd **out, const struct httpd_opts *opts, http_handler_fn fn, void *ctx,
                struct err *err);
/* The port actually bound (useful with port 0). */
int httpd_port(const httpd *s);
/* Stop accepting, wait up to 5 s for in-flight requests (streams excepted)
 * to finish, close every connection (ending streams), free.  NULL is a
 * no-op. */
void httpd_stop(httpd *s);

#endif
