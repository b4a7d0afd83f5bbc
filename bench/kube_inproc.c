/* kube_inproc.c -- in-process round trip of the engine's kube client to the
 * simulator's API handler (no sockets): N GETs of one ConfigMap, then one
 * LIST of P pods.  Built and run by bench/kube.sh against the release libs.
 * Usage: kube_inproc [GETS] [PODS]; prints "key=value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/http.h"
#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"
#include "kstore.h"
#include "kube/kclient.h"

static cJSON *parse(const char *s)
{
    cJSON *o = NULL;
    if (json_parse(&o, s, strlen(s), "bench", NULL) < 0)
        abort();
    return o;
}

static void must(int rc, const struct err *e, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "kube_inproc: %s: %s\n", what, e->msg);
        exit(1);
    }
}

static void add_pods(kstore *st, long n)
{
    struct err e = ERR_INIT;
    for (long i = 0; i < n; i++) {
        char *s = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
                            "\"p-%06ld\",\"namespace\":\"bench\",\"labels\":{\"app\":\"b\"}},"
                            "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x:1\"}]}}",
                            i);
        cJSON *o = parse(s);
        must(kstore_create(st, "", "pods", o, 0, NULL, &e), &e, "create pod");
        cJSON_Delete(o);
        free(s);
    }
}

int main(int argc, char **argv)
{
    long gets = argc > 1 ? atol(argv[1]) : 20000, pods = argc > 2 ? atol(argv[2]) : 10000;
    gclock *vclk = clock_new_virtual(1780000000000LL), *real = clock_new_real();
    kstore *st = kstore_new(vclk);
    kapi *api = kapi_new(st, vclk);
    http_client *http = http_client_new_inproc();
    http_inproc_mount(http, "*", kapi_handle, api);
    kconfig *cfg = kconfig_new_server("http://sim.local", NULL);
    kube_client *kc = NULL;
    struct err e = ERR_INIT;
    kube_client_new(&kc, http, cfg, &e);
    cJSON *ns =
        parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench\"}}");
    cJSON *cm = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                      "\"namespace\":\"bench\"},\"data\":{\"k\":\"v\"}}");
    must(kube_create(kc, ns, NULL, &e), &e, "create namespace");
    must(kube_create(kc, cm, NULL, &e), &e, "create configmap");
    struct kube_ref ref = {"v1", "ConfigMap", "bench", "c"};
    int64_t t0 = clock_mono_ms(real);
    for (long i = 0; i < gets; i++) {
        cJSON *o = NULL;
        must(kube_get(kc, &ref, &o, &e), &e, "get");
        cJSON_Delete(o);
    }
    double ms = (double)(clock_mono_ms(real) - t0);
    printf("inproc_get_count=%ld\ninproc_get_us=%.1f\n", gets, ms * 1000.0 / (double)gets);
    add_pods(st, pods);
    struct kube_ref pref = {"v1", "Pod", "bench", NULL};
    struct kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    struct kube_list l = KUBE_LIST_INIT;
    lo.limit = 500;
    t0 = clock_mono_ms(real);
    must(kube_list(kc, &pref, &lo, &l, &e), &e, "list");
    printf("inproc_list_items=%d\ninproc_list_seconds=%.3f\n", cJSON_GetArraySize(l.items),
           (double)(clock_mono_ms(real) - t0) / 1000.0);
    kube_list_release(&l);
    cJSON_Delete(ns);
    cJSON_Delete(cm);
    kube_client_free(kc);
    kconfig_free(cfg);
    http_client_free(http);
    kapi_free(api);
    kstore_free(st);
    clock_free(vclk);
    clock_free(real);
    return 0;
}
