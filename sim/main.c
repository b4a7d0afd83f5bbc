/* main.c -- the `sim` program: the cluster simulator.
 * `sim serve` runs the fake Kubernetes API server (kapi) on 127.0.0.1 with
 * the controllers (kctl) driven by the real clock, writes a kubeconfig for
 * it, and stops cleanly on SIGTERM or SIGINT.
 * Exit codes: 0 success, 1 runtime failure, 2 usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/httpd.h"
#include "core/log.h"
#include "core/mem.h"
#include "kapi.h"
#include "kctl.h"
#include "kstore.h"

#define DEFAULT_PORT 6443
#define TICK_MAX_MS 50

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fputs("usage: sim <command> [options]\n"
          "\n"
          "commands:\n"
          "  serve    serve the simulated Kubernetes API on 127.0.0.1\n"
          "\n"
          "Run 'sim <command> --help' for the options of a command.\n",
          f);
}

static void serve_usage(FILE *f)
{
    fputs("usage: sim serve [--kubeconfig FILE] [--port N] [--log-level LEVEL]\n"
          "                 [--start-delay DUR] [--ready-delay DUR] [--seed N]\n"
          "                 [--fail-image PATTERN]\n"
          "\n"
          "Serve a simulated Kubernetes API server (plain HTTP) on 127.0.0.1, with\n"
          "controllers that turn Deployments into running Pods over real time.\n"
          "\n"
          "  --kubeconfig FILE   write a kubeconfig for the server to FILE\n"
          "                      (cluster, user and context named 'sim')\n"
          "  --port N            port to listen on (default 6443; 0 picks a free one)\n"
          "  --log-level LEVEL   debug, info, warn, error or off (default info)\n"
          "  --start-delay DUR   pods go Running this long after scheduling (default 1s)\n"
          "  --ready-delay DUR   ... and Ready this long after Running (default 2s)\n"
          "  --seed N            seed of the pod-name suffixes (default 1)\n"
          "  --fail-image PAT    pods whose image matches the glob PAT never get Ready\n"
          "                      (as does the pod-template annotation\n"
          "                      sim.gitops/fail-ready: \"true\")\n"
          "  -h, --help          show this help\n"
          "\n"
          "Then: export KUBECONFIG=FILE; kubectl get ns\n"
          "Stops cleanly on SIGTERM or SIGINT.\n",
          f);
}

struct serve_opts {
    const char *kubeconfig;
    int port;
    long preload_pods;      /* hidden: create N pods in namespace "bench" */
    struct kctl_opts ctl;   /* controllers: delays, seed, failing images */
    const char *fail_image[2];
};

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The controllers' options (kctl.h).  Returns 1 when a (with val) was one of
 * them, 0 when it is not, 2 after printing an error. */
static int parse_ctl_opt(const char *a, const char *val, struct serve_opts *o)
{
    int64_t ms;
    long v;
    int dur = !strcmp(a, "--ready-delay") || !strcmp(a, "--start-delay");
    if (!dur && strcmp(a, "--seed") && strcmp(a, "--fail-image"))
        return 0;
    if (!val) {
        fprintf(stderr, "sim serve: %s needs a value\n", a);
        return 2;
    }
    if (dur && (clock_parse_duration(val, &ms) < 0 || ms < 0)) {
        fprintf(stderr, "sim serve: bad duration '%s' for %s (e.g. 500ms, 2s)\n", val, a);
        return 2;
    }
    if (!strcmp(a, "--ready-delay")) {
        o->ctl.ready_delay_ms = ms;
    } else if (!strcmp(a, "--start-delay")) {
        o->ctl.start_delay_ms = ms;
    } else if (!strcmp(a, "--seed")) {
        if (parse_int(val, 0, 2147483647L, &v) < 0) {
            fprintf(stderr, "sim serve: bad value '%s' for --seed\n", val);
            return 2;
        }
        o->ctl.seed = (uint64_t)v;
    } else {
        o->fail_image[0] = val;
        o->ctl.fail_images = o->fail_image;
    }
    return 1;
}

/* Returns 0, or 2 after printing a usage error; -1 when --help was shown. */
static int parse_serve(int argc, char **argv, struct serve_opts *o)
{
    long v;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            serve_usage(stdout);
            return -1;
        }
        int crc = parse_ctl_opt(a, val, o);
        if (crc == 2)
            goto bad;
        if (crc == 1) {
            i++;
            continue;
        }
        int takes = !strcmp(a, "--kubeconfig") || !strcmp(a, "--port") ||
                    !strcmp(a, "--log-level") || !strcmp(a, "--preload-pods");
        if (!takes) {
            fprintf(stderr, "sim serve: unknown option '%s'\n", a);
            goto bad;
        }
        if (!val) {
            fprintf(stderr, "sim serve: %s needs a value\n", a);
            goto bad;
        }
        i++;
        if (!strcmp(a, "--kubeconfig")) {
            o->kubeconfig = val;
        } else if (!strcmp(a, "--log-level")) {
            int lvl = log_level_parse(val);
            if (lvl < 0) {
                fprintf(stderr, "sim serve: bad log level '%s'\n", val);
                goto bad;
            }
            log_set_level((enum log_level)lvl);
        } else if (parse_int(val, 0, !strcmp(a, "--port") ? 65535 : 1000000, &v) < 0) {
            fprintf(stderr, "sim serve: bad value '%s' for %s\n", val, a);
            goto bad;
        } else if (!strcmp(a, "--port")) {
            o->port = (int)v;
        } else {
            o->preload_pods = v;
        }
    }
    return 0;
bad:
    serve_usage(stderr);
    return 2;
}

static int write_kubeconfig(const char *path, int port, struct err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return err_set(err, E_IO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f,
            "apiVersion: v1\n"
            "kind: Config\n"
            "clusters:\n"
            "- name: sim\n"
            "  cluster:\n"
            "    server: http://127.0.0.1:%d\n"
            "users:\n"
            "- name: sim\n"
            "  user:\n"
            "    token: sim-token\n"
            "contexts:\n"
            "- name: sim\n"
            "  context:\n"
            "    cluster: sim\n"
            "    user: sim\n"
            "    namespace: default\n"
            "current-context: sim\n",
            port);
    if (fclose(f) != 0)
        return err_set(err, E_IO, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/* Hidden --preload-pods: N running pods in namespace "bench" for benchmarks. */
static void preload(kstore *st, long n)
{
    cJSON *ns = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                            "\"metadata\":{\"name\":\"bench\"}}");
    kstore_create(st, "", "namespaces", ns, 0, NULL, NULL);
    cJSON_Delete(ns);
    cJSON *pod = cJSON_Parse(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"bench\","
        "\"labels\":{\"app\":\"bench\"}},\"spec\":{\"nodeName\":\"sim-node-1\",\"containers\":"
        "[{\"name\":\"app\",\"image\":\"bench:1.0.0\",\"ports\":[{\"containerPort\":8080,"
        "\"protocol\":\"TCP\"}]}]},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.1\"}}");
    for (long i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "bench-%06ld", i);
        cJSON_ReplaceItemInObject(cJSON_GetObjectItem(pod, "metadata"), "name",
                                  cJSON_CreateString(name));
        if (!cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "metadata"), "name"))
            cJSON_AddStringToObject(cJSON_GetObjectItem(pod, "metadata"), "name", name);
        kstore_create(st, "", "pods", pod, 0, NULL, NULL);
    }
    cJSON_Delete(pod);
}

static void run_clock(kstore *st, gclock *clk)
{
    while (!stop_requested) {
        kstore_lock(st);
        clock_run_due(clk);
        int64_t next = clock_next_due(clk), now = clock_now_ms(clk);
        kstore_unlock(st);
        int64_t wait = next == INT64_MAX ? TICK_MAX_MS : next - now;
        if (wait > TICK_MAX_MS)
            wait = TICK_MAX_MS;
        if (wait > 0) {
            struct timespec ts = {0, (long)wait * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

static int serve(const struct serve_opts *o)
{
    struct err err = ERR_INIT;
    struct httpd_opts ho = HTTPD_OPTS_INIT;
    httpd *srv = NULL;
    gclock *clk = clock_new_real();
    kstore *st = kstore_new(clk);
    kapi *api = kapi_new(st, clk);
    kctl *ctl = NULL;
    int rc = 0;
    kstore_lock(st);
    if (o->preload_pods)
        preload(st, o->preload_pods);
    /* controllers start here */
    ctl = kctl_new(st, clk, &o->ctl);
    kstore_unlock(st);
    ho.addr = "127.0.0.1";
    ho.port = o->port;
    rc = httpd_start(&srv, &ho, kapi_handle, api, &err);
    if (rc < 0)
        goto out;
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", httpd_port(srv));
    kapi_set_address(api, addr);
    if (o->kubeconfig) {
        rc = write_kubeconfig(o->kubeconfig, httpd_port(srv), &err);
        if (rc < 0)
            goto out;
    }
    printf("sim: serving the Kubernetes API on http://%s\n", addr);
    if (o->kubeconfig)
        printf("sim: kubeconfig written to %s; use it with:\n"
               "  export KUBECONFIG=%s; kubectl get ns\n", o->kubeconfig, o->kubeconfig);
    else
        printf("sim: use it with:  kubectl --server=http://%s get ns\n", addr);
    fflush(stdout);
    run_clock(st, clk);
    LOG_INFO("sim", "stopping");
out:
    httpd_stop(srv);
    kstore_lock(st);
    kctl_free(ctl);
    kstore_unlock(st);
    kapi_free(api);
    kstore_free(st);
    clock_free(clk);
    if (rc < 0)
        fprintf(stderr, "sim serve: %s\n", err.msg);
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "serve")) {
        fprintf(stderr, "sim: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    struct serve_opts o = {NULL, DEFAULT_PORT, 0, KCTL_OPTS_INIT, {NULL, NULL}};
    int prc = parse_serve(argc - 2, argv + 2, &o);
    if (prc)
        return prc < 0 ? 0 : prc;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return serve(&o);
}
