/* main.c -- myapp: the demo web server the canary deploys.
 * Parses flags, starts the server, waits for SIGTERM/SIGINT and drains.
 * Exit codes: 0 ok (including a drained shutdown), 1 runtime failure,
 * 2 bad usage.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "fault.h"
#include "server.h"

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: myapp [options]\n"
    "\n"
    "The demo web server: serves a static folder (index.html shows the running\n"
    "version) plus /healthz, /readyz, /version, /metrics, /echo, /status/{code},\n"
    "/delay/{seconds} and /admin/fault.\n"
    "\n"
    "options:\n"
    "  --port N            port to listen on (default 9898; 0 = any free port)\n"
    "  --bind ADDR         IPv4 address to listen on (default all)\n"
    "  --static DIR        folder to serve (default docker/static)\n"
    "  --version V         version shown by the page and /version\n"
    "                      (default $MYAPP_VERSION, else \"dev\")\n"
    "  --commit C          commit shown by /version (default $MYAPP_COMMIT)\n"
    "  --error-rate F      fraction of requests answered 500, 0..1 (default 0)\n"
    "  --latency SPEC      added latency: 200ms, uniform:50ms-300ms, normal:100ms,20ms\n"
    "  --seed N            seed of the fault injection generator (default 1)\n"
    "  --access-log        write one JSON line per request to stderr\n"
    "  --drain-timeout D   how long SIGTERM waits for in-flight requests (default 15s)\n"
    "  --threads N         worker threads (default: one per CPU)\n"
    "  --max-body BYTES    largest /echo body accepted (default 1048576)\n"
    "  --help              show this help\n"
    "\n"
    "Fault injection can be changed at run time:\n"
    "  curl -X POST -d '{\"errorRate\":0.1,\"latency\":\"uniform:50ms-300ms\"}' "
    "localhost:9898/admin/fault\n";

enum {
    OPT_PORT = 256, OPT_BIND, OPT_STATIC, OPT_VERSION, OPT_COMMIT, OPT_ERROR_RATE, OPT_LATENCY,
    OPT_SEED, OPT_ACCESS_LOG, OPT_DRAIN, OPT_THREADS, OPT_MAX_BODY, OPT_HELP
};

static const struct option long_opts[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"static", required_argument, NULL, OPT_STATIC},
    {"version", required_argument, NULL, OPT_VERSION},
    {"commit", required_argument, NULL, OPT_COMMIT},
    {"error-rate", required_argument, NULL, OPT_ERROR_RATE},
    {"latency", required_argument, NULL, OPT_LATENCY},
    {"seed", required_argument, NULL, OPT_SEED},
    {"access-log", no_argument, NULL, OPT_ACCESS_LOG},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* A whole decimal number in [lo, hi]. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "myapp: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\ntry 'myapp --help'\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* A drain timeout up to an hour: a Go duration ("15s", "500ms", "1m30s") or a
 * plain number of seconds.  (Not fault_duration_parse: that one stops at the
 * one-minute latency cap.) */
static int parse_drain(const char *s, unsigned *ms)
{
    long secs;
    int64_t v;
    if (parse_long(s, 0, 3600, &secs) == 0) {
        *ms = (unsigned)secs * 1000u;
        return 0;
    }
    if (clock_parse_duration(s, &v) < 0 || v < 0 || v > 3600 * 1000)
        return -1;
    *ms = (unsigned)v;
    return 0;
}

/* Apply one option; returns 0 or an exit code. */
static int apply_option(int c, const char *arg, struct server_config *cfg, unsigned *drain_ms)
{
    long n;
    struct err err = ERR_INIT;
    switch (c) {
    case OPT_PORT:
        if (parse_long(arg, 0, 65535, &n) < 0)
            return usage_error("invalid port '%s': want 0..65535", arg);
        cfg->port = (int)n;
        break;
    case OPT_BIND: cfg->bind_addr = arg; break;
    case OPT_STATIC: cfg->static_dir = arg; break;
    case OPT_VERSION: cfg->version = arg; break;
    case OPT_COMMIT: cfg->commit = arg; break;
    case OPT_ERROR_RATE:
        if (fault_rate_parse(arg, &cfg->fault.error_rate, &err) < 0)
            return usage_error("%s", err.msg);
        break;
    case OPT_LATENCY:
        if (fault_latency_parse(arg, &cfg->fault.latency, &err) < 0)
            return usage_error("%s", err.msg);
        break;
    case OPT_SEED:
        if (parse_long(arg, 0, 0x7fffffffL, &n) < 0)
            return usage_error("invalid seed '%s'", arg);
        cfg->seed = (uint64_t)n;
        break;
    case OPT_ACCESS_LOG: cfg->access_log = 1; break;
    case OPT_DRAIN:
        if (parse_drain(arg, drain_ms) < 0)
            return usage_error("invalid drain timeout '%s': want e.g. 15s or 500ms", arg);
        break;
    case OPT_THREADS:
        if (parse_long(arg, 1, 256, &n) < 0)
            return usage_error("invalid thread count '%s': want 1..256", arg);
        cfg->threads = (int)n;
        break;
    case OPT_MAX_BODY:
        if (parse_long(arg, 0, 1L << 30, &n) < 0)
            return usage_error("invalid body size '%s': want 0..1073741824 bytes", arg);
        cfg->max_body = (size_t)n;
        break;
    default:
        return usage_error("%s", "unknown option");
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct server_config *cfg, unsigned *drain_ms)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        if (c == OPT_HELP || c == 'h') {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (c == '?')
            return usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
        int rc = apply_option(c, optarg, cfg, drain_ms);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return 0;
}

int main(int argc, char **argv)
{
    struct server_config cfg = SERVER_CONFIG_INIT;
    unsigned drain_ms = 15000;
    const char *env_version = getenv("MYAPP_VERSION"), *env_commit = getenv("MYAPP_COMMIT");
    if (env_version && *env_version)
        cfg.version = env_version;
    if (env_commit)
        cfg.commit = env_commit;
    int rc = parse_args(argc, argv, &cfg, &drain_ms);
    if (rc)
        return rc;

    /* Block the shutdown signals before any thread starts, so every thread
     * inherits the mask and sigwait() below is the only receiver. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    server *s = NULL;
    struct err err = ERR_INIT;
    if (server_start(&s, &cfg, &err) < 0) {
        LOG_ERROR("myapp", "%s", err.msg);
        return 1;
    }
    LOG_INFO("myapp", "listening on http://%s:%d version=%s static=%s",
             cfg.bind_addr ? cfg.bind_addr : "0.0.0.0", server_port(s), cfg.version,
             cfg.static_dir);
    int sig = 0;
    sigwait(&set, &sig);
    LOG_INFO("myapp", "%s: draining (timeout %ums)", strsignal(sig), drain_ms);
    if (server_drain(s, drain_ms) == 0)
        LOG_INFO("myapp", "drained, exiting");
    server_free(s);
    return 0;
}
