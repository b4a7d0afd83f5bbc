/* kctl_fuzz.c -- libFuzzer target: whatever a client stores as a Deployment,
 * HPA or Service, the controllers must neither crash nor leak.  The input is
 * one JSON object used as the spec of all three (replica counts are capped so
 * an iteration stays fast), then run through a rollout in virtual time. */
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "kctl.h"
#include "kstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cap(cJSON *obj, const char *path, double max)
{
    cJSON *n = json_get(obj, path);
    if (cJSON_IsNumber(n) && !(n->valuedouble <= max))
        cJSON_SetNumberValue(n, max);
}

static void store_as(kstore *st, const char *group, const char *res, const char *kind,
                     const cJSON *spec)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(md, "name", "x");
    cJSON_AddStringToObject(md, "namespace", "default");
    cJSON_AddItemToObject(o, "spec", cJSON_Duplicate(spec, 1));
    cap(o, "spec.replicas", 8);
    cap(o, "spec.minReplicas", 8);
    cap(o, "spec.maxReplicas", 8);
    kstore_create(st, group, res, o, 0, NULL, NULL);
    cJSON_Delete(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *spec = NULL;
    if (json_parse(&spec, (const char *)data, size, "fuzz", NULL) < 0)
        return 0;
    if (cJSON_IsObject(spec)) {
        gclock *clk = clock_new_virtual(1767225600000LL);
        kstore *st = kstore_new(clk);
        kctl *k = kctl_new(st, clk, NULL);
        store_as(st, "apps", "deployments", "Deployment", spec);
        store_as(st, "apps", "replicasets", "ReplicaSet", spec);
        store_as(st, "autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", spec);
        store_as(st, "", "services", "Service", spec);
        clock_run_until(clk, clock_now_ms(clk) + 40000);
        kstore_delete(st, "apps", "deployments", "default", "x", NULL, 0, NULL, NULL);
        clock_run_until(clk, clock_now_ms(clk) + 1000);
        kctl_free(k);
        kstore_free(st);
        clock_free(clk);
    }
    cJSON_Delete(spec);
    return 0;
}
