/* httpd.h -- serve an http_handler_fn on a real port with libmicrohttpd.
 * The simulator's services are plain handlers (http.h); this puts one on
 * 127.0.0.1:PORT so curl, kubectl or a browser can reach it.  Handlers run on
 * the server's single polling thread, one at a time, unless a streamed
 * response is being produced (see http_stream_fn).
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
};
#define HTTPD_OPTS_INIT {NULL, 0, 0, NULL, NULL}

int httpd_start(httpd **out, const struct httpd_opts *opts, http_handler_fn fn, void *ctx,
                struct err *err);
int httpd_port(const httpd *s);
/* Stop accepting, finish in-flight requests, free. NULL is a no-op. */
void httpd_stop(httpd *s);

#endif
