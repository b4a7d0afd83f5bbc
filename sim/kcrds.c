/* kcrds.c -- pre-installed CRDs (see kcrds.h).  Printer columns follow
 * reference/flagger.md section 2.3 and the Istio and Flux v1 charts. */
#include "kcrds.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct crd_def {
    const char *group, *kind, *plural, *singular, *shorts, *cats;
    /* JSON array of {"name": version, "cols": [additionalPrinterColumns]} */
    const char *versions;
};

#define COL(n, t, p, prio) \
    "{\"name\":\"" n "\",\"type\":\"" t "\",\"jsonPath\":\"" p "\",\"priority\":" #prio "}"
#define AGE COL("Age", "date", ".metadata.creationTimestamp", 0)

static const struct crd_def defs[] = {
    {"flagger.app", "Canary", "canaries", "canary", "", "all",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Status", "string", ".status.phase", 0) ","
     COL("Weight", "string", ".status.canaryWeight", 0) ","
     COL("Suspended", "boolean", ".spec.suspend", 1) ","
     COL("FailedChecks", "string", ".status.failedChecks", 1) ","
     COL("Interval", "string", ".spec.analysis.interval", 1) ","
     COL("Mirror", "boolean", ".spec.analysis.mirror", 1) ","
     COL("StepWeight", "string", ".spec.analysis.stepWeight", 1) ","
     COL("StepWeights", "string", ".spec.analysis.stepWeights", 1) ","
     COL("MaxWeight", "string", ".spec.analysis.maxWeight", 1) ","
     COL("LastTransitionTime", "string", ".status.lastTransitionTime", 0) "]},"
     "{\"name\":\"v1alpha3\",\"cols\":[" COL("Status", "string", ".status.phase", 0) ","
     COL("Weight", "string", ".status.canaryWeight", 0) ","
     COL("FailedChecks", "string", ".status.failedChecks", 1) ","
     COL("Interval", "string", ".spec.canaryAnalysis.interval", 1) ","
     COL("Mirror", "boolean", ".spec.canaryAnalysis.mirror", 1) ","
     COL("StepWeight", "string", ".spec.canaryAnalysis.stepWeight", 1) ","
     COL("MaxWeight", "string", ".spec.canaryAnalysis.maxWeight", 1) ","
     COL("LastTransitionTime", "string", ".status.lastTransitionTime", 0) "]}]"},
    {"flagger.app", "MetricTemplate", "metrictemplates", "metrictemplate", "", "all",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Provider", "string", ".spec.provider.type", 0)
     "," AGE "]},{\"name\":\"v1alpha3\",\"cols\":["
     COL("Provider", "string", ".spec.provider.type", 0) "," AGE "]}]"},
    {"flagger.app", "AlertProvider", "alertproviders", "alertprovider", "", "all",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Type", "string", ".spec.type", 0) "," AGE "]},"
     "{\"name\":\"v1alpha3\",\"cols\":[" COL("Type", "string", ".spec.type", 0) "," AGE "]}]"},
    {"networking.istio.io", "VirtualService", "virtualservices", "virtualservice", "vs",
     "istio-io,networking-istio-io",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Gateways", "string", ".spec.gateways", 0) ","
     COL("Hosts", "string", ".spec.hosts", 0) "," AGE "]},{\"name\":\"v1alpha3\",\"cols\":["
     COL("Gateways", "string", ".spec.gateways", 0) "," COL("Hosts", "string", ".spec.hosts", 0)
     "," AGE "]}]"},
    {"networking.istio.io", "DestinationRule", "destinationrules", "destinationrule", "dr",
     "istio-io,networking-istio-io",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Host", "string", ".spec.host", 0) "," AGE "]},"
     "{\"name\":\"v1alpha3\",\"cols\":[" COL("Host", "string", ".spec.host", 0) "," AGE "]}]"},
    {"networking.istio.io", "Gateway", "gateways", "gateway", "gw",
     "istio-io,networking-istio-io",
     "[{\"name\":\"v1beta1\",\"cols\":[" AGE "]},{\"name\":\"v1alpha3\",\"cols\":[" AGE "]}]"},
    {"helm.fluxcd.io", "HelmRelease", "helmreleases", "helmrelease", "hr,hrs", "",
     "[{\"name\":\"v1\",\"cols\":[" COL("Release", "string", ".status.releaseName", 0) ","
     COL("Phase", "string", ".status.phase", 0) ","
     COL("Status", "string", ".status.releaseStatus", 0) "," AGE "]}]"},
    {"flux.weave.works", "HelmRelease", "helmreleases", "helmrelease", "hr", "",
     "[{\"name\":\"v1beta1\",\"cols\":[" COL("Release", "string", ".status.releaseName", 0) ","
     COL("Status", "string", ".status.releaseStatus", 0) "," AGE "]}]"},
};

static cJSON *csv_array(const char *csv)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *p = csv; p && *p;) {
        const char *c = strchr(p, ',');
        char *s = xstrndup(p, c ? (size_t)(c - p) : strlen(p));
        cJSON_AddItemToArray(a, cJSON_CreateString(s));
        free(s);
        p = c ? c + 1 : NULL;
    }
    return a;
}

static cJSON *crd_versions(const char *json)
{
    cJSON *in = cJSON_Parse(json), *out = cJSON_CreateArray(), *v;
    int first = 1;
    cJSON_ArrayForEach(v, in)
    {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", cJSON_GetObjectItem(v, "name")->valuestring);
        cJSON_AddBoolToObject(o, "served", 1);
        cJSON_AddBoolToObject(o, "storage", first);
        first = 0;
        cJSON *schema = cJSON_AddObjectToObject(o, "schema");
        cJSON *oa = cJSON_AddObjectToObject(schema, "openAPIV3Schema");
        cJSON_AddStringToObject(oa, "type", "object");
        cJSON_AddBoolToObject(oa, "x-kubernetes-preserve-unknown-fields", 1);
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "subresources"), "status");
        cJSON_AddItemToObject(o, "additionalPrinterColumns",
                              cJSON_Duplicate(cJSON_GetObjectItem(v, "cols"), 1));
        cJSON_AddItemToArray(out, o);
    }
    cJSON_Delete(in);
    return out;
}

static cJSON *make_crd(const struct crd_def *d)
{
    cJSON *crd = cJSON_CreateObject();
    cJSON_AddStringToObject(crd, "apiVersion", "apiextensions.k8s.io/v1");
    cJSON_AddStringToObject(crd, "kind", "CustomResourceDefinition");
    char *name = xasprintf("%s.%s", d->plural, d->group);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(crd, "metadata"), "name", name);
    free(name);
    cJSON *spec = cJSON_AddObjectToObject(crd, "spec");
    cJSON_AddStringToObject(spec, "group", d->group);
    cJSON *names = cJSON_AddObjectToObject(spec, "names");
    cJSON_AddStringToObject(names, "kind", d->kind);
    char *lk = xasprintf("%sList", d->kind);
    cJSON_AddStringToObject(names, "listKind", lk);
    free(lk);
    cJSON_AddStringToObject(names, "plural", d->plural);
    cJSON_AddStringToObject(names, "singular", d->singular);
    if (*d->shorts)
        cJSON_AddItemToObject(names, "shortNames", csv_array(d->shorts));
    if (*d->cats)
        cJSON_AddItemToObject(names, "categories", csv_array(d->cats));
    cJSON_AddStringToObject(spec, "scope", "Namespaced");
    cJSON_AddItemToObject(spec, "versions", crd_versions(d->versions));
    return crd;
}

void kcrds_install(kstore *st)
{
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        cJSON *crd = make_crd(&defs[i]);
        kstore_create(st, "apiextensions.k8s.io", "customresourcedefinitions", crd, 0, NULL,
                      NULL);
        cJSON_Delete(crd);
    }
}
