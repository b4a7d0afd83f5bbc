/* server.h -- myapp's HTTP server: routing and the libmicrohttpd glue.
 * Serves the static site (static.h) and the podinfo-like API: /healthz,
 * /readyz (+ /enable, /disable), /version, /metrics, /echo, /status/{code},
 * /delay/{seconds} and /admin/fault.  Counts every request (metrics.h),
 * injects faults (fault.h) and delays requests without blocking a worker
 * thread (delayq.h).  server_drain() is the graceful shutdown.
 */
#ifndef APP_SERVER_H
#define APP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "fault.h"

struct server_config {
    const char *bind_addr;       /* IPv4 address to listen on; NULL = all */
    int port;                    /* 0 = any free port (see server_port) */
    const char *static_dir;
    const char *version;
    const char *commit;
    const char *hostname;        /* NULL = gethostname() */
    int threads;                 /* worker threads; 0 = one per CPU */
    int access_log;              /* JSON line per request on stderr */
    size_t max_body;             /* /echo and /admin body cap -> 413 */
    size_t header_limit;         /* per-connection memory for the request head -> 431 */
    double max_delay_s;          /* /delay/{seconds} cap -> 400 above */
    struct fault_spec fault;     /* initial fault injection */
    uint64_t seed;               /* fault injection RNG seed */
};
#define SERVER_CONFIG_INIT                                                                     \
    {NULL, 9898, "docker/static", "dev", "", NULL, 0, 0, 1 << 20, 16 << 10, 10.0,            \
     FAULT_SPEC_INIT, 1}

typedef struct server server;

/* Start serving in background threads.  E_INVALID for a bad static folder or
 * address, E_IO when the port cannot be bound. */
int server_start(server **out, const struct server_config *cfg, struct err *err);
/* The port actually bound. */
int server_port(server *s);
/* Graceful shutdown: mark not ready, stop accepting, wait for in-flight
 * requests (delayed ones included) up to timeout_ms, then cut the rest short
 * and stop.  Returns 0 if everything finished in time, E_TIMEOUT otherwise.
 * The server must still be freed. */
int server_drain(server *s, unsigned timeout_ms);
void server_free(server *s); /* stops at once if not drained; NULL is a no-op */

#endif
