/* ksvc.c -- Endpoints per Service (see ksvc.h).  A pass over a namespace
 * reads its Services once and its pods once per Service; writes that change
 * nothing are dropped by the store, so a resync is cheap to repeat. */
#include "ksvc.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kctl_int.h"
#include "kpod.h"

struct epctx {
    kstore_sel *sel;
    cJSON *ready, *notready;
    const cJSON *first_pod; /* borrowed: for named target ports */
    cJSON *pod_copy;
};

static cJSON *address(const cJSON *pod)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "ip", json_get_str(pod, "status.podIP", ""));
    cJSON_AddStringToObject(a, "nodeName", json_get_str(pod, "spec.nodeName", ""));
    cJSON *ref = cJSON_AddObjectToObject(a, "targetRef");
    cJSON_AddStringToObject(ref, "kind", "Pod");
    cJSON_AddStringToObject(ref, "namespace", json_get_str(pod, "metadata.namespace", ""));
    cJSON_AddStringToObject(ref, "name", json_get_str(pod, "metadata.name", ""));
    cJSON_AddStringToObject(ref, "uid", json_get_str(pod, "metadata.uid", ""));
    return a;
}

static int add_pod(void *ctx, const cJSON *pod)
{
    struct epctx *e = ctx;
    if (!kstore_sel_match(e->sel, pod) || !*json_get_str(pod, "status.podIP", "") ||
        !kpod_is_active(pod))
        return 0;
    int ready = kpod_is_ready(pod);
    cJSON_AddItemToArray(ready ? e->ready : e->notready, address(pod));
    if (!e->pod_copy)
        e->pod_copy = cJSON_Duplicate(pod, 1);
    return 0;
}

/* The port number a targetPort names in pod's containers, or 0. */
static int named_port(const cJSON *pod, const char *name)
{
    const cJSON *c, *p;
    cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
    {
        cJSON_ArrayForEach(p, json_get(c, "ports"))
        {
            if (!strcmp(json_get_str(p, "name", ""), name))
                return (int)kctl_get_clamped(p, "containerPort", 0, 0, 65535);
        }
    }
    return 0;
}

static cJSON *ports(const cJSON *svc, const cJSON *pod)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *sp;
    cJSON_ArrayForEach(sp, json_get(svc, "spec.ports"))
    {
        const cJSON *tp = json_get(sp, "targetPort");
        int port = (int)kctl_get_clamped(sp, "port", 0, 0, 65535);
        if (cJSON_IsNumber(tp))
            port = tp->valueint;
        else if (cJSON_IsString(tp) && pod)
            port = named_port(pod, tp->valuestring);
        if (!port)
            continue;
        cJSON *p = cJSON_CreateObject();
        if (json_get(sp, "name"))
            cJSON_AddStringToObject(p, "name", json_get_str(sp, "name", ""));
        cJSON_AddNumberToObject(p, "port", port);
        cJSON_AddStringToObject(p, "protocol", json_get_str(sp, "protocol", "TCP"));
        cJSON_AddItemToArray(out, p);
    }
    return out;
}

static cJSON *build(kctl *k, const cJSON *svc, const char *ns)
{
    struct epctx e = {0};
    char *text = kctl_selector_text(json_get(svc, "spec.selector"));
    cJSON *ep = cJSON_CreateObject();
    cJSON_AddStringToObject(ep, "apiVersion", "v1");
    cJSON_AddStringToObject(ep, "kind", "Endpoints");
    cJSON *md = cJSON_AddObjectToObject(ep, "metadata");
    cJSON_AddStringToObject(md, "name", json_get_str(svc, "metadata.name", ""));
    cJSON_AddStringToObject(md, "namespace", ns);
    if (json_get(svc, "metadata.labels"))
        cJSON_AddItemToObject(md, "labels", cJSON_Duplicate(json_get(svc, "metadata.labels"), 1));
    e.ready = cJSON_CreateArray();
    e.notready = cJSON_CreateArray();
    if (kstore_sel_new(&e.sel, text, NULL, NULL) == 0)
        kstore_each(k->st, "", "pods", ns, add_pod, &e);
    if (cJSON_GetArraySize(e.ready) || cJSON_GetArraySize(e.notready)) {
        cJSON *subset = cJSON_CreateObject();
        if (cJSON_GetArraySize(e.ready))
            cJSON_AddItemToObject(subset, "addresses", e.ready);
        else
            cJSON_Delete(e.ready);
        if (cJSON_GetArraySize(e.notready))
            cJSON_AddItemToObject(subset, "notReadyAddresses", e.notready);
        else
            cJSON_Delete(e.notready);
        cJSON_AddItemToObject(subset, "ports", ports(svc, e.pod_copy));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(ep, "subsets"), subset);
    } else {
        cJSON_Delete(e.ready);
        cJSON_Delete(e.notready);
    }
    kstore_sel_free(e.sel);
    cJSON_Delete(e.pod_copy);
    free(text);
    return ep;
}

static int wants_endpoints(const cJSON *svc)
{
    const cJSON *sel = json_get(svc, "spec.selector");
    return cJSON_IsObject(sel) && sel->child &&
           strcmp(json_get_str(svc, "spec.type", ""), "ExternalName");
}

static int collect_svc(void *ctx, const cJSON *svc)
{
    if (wants_endpoints(svc))
        cJSON_AddItemToArray(ctx, cJSON_Duplicate(svc, 1));
    return 0;
}

static void write_endpoints(kctl *k, const char *ns, cJSON *ep)
{
    const char *name = json_get_str(ep, "metadata.name", "");
    const cJSON *cur = kstore_peek(k->st, "", "endpoints", ns, name);
    if (cur && json_equal(json_get(cur, "subsets"), json_get(ep, "subsets")) &&
        json_equal(json_get(cur, "metadata.labels"), json_get(ep, "metadata.labels")))
        return;
    if (cur)
        kstore_update(k->st, "", "endpoints", ep, 0, NULL, NULL);
    else
        kstore_create(k->st, "", "endpoints", ep, 0, NULL, NULL);
}

void ksvc_sync_ns(kctl *k, const char *ns)
{
    cJSON *svcs = cJSON_CreateArray(), *svc;
    kstore_each(k->st, "", "services", ns, collect_svc, svcs);
    cJSON_ArrayForEach(svc, svcs)
    {
        cJSON *ep = build(k, svc, ns);
        write_endpoints(k, ns, ep);
        cJSON_Delete(ep);
    }
    cJSON_Delete(svcs);
}

void ksvc_forget(kctl *k, const char *ns, const char *name)
{
    if (!kstore_peek(k->st, "", "services", ns, name))
        kstore_delete(k->st, "", "endpoints", ns, name, NULL, 0, NULL, NULL);
}
