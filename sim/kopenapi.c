/* kopenapi.c -- minimal OpenAPI v3 documents (see kopenapi.h). */
#include "kopenapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void gv_hash(const kres *r, const char *group, const char *version, char out[17])
{
    uint64_t h = 1469598103934665603ULL ^ kres_generation(r);
    for (const char *p = group; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ '/') * 1099511628211ULL;
    for (const char *p = version; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, 17, "%016llX", (unsigned long long)h);
}

struct index_ctx {
    const kres *r;
    cJSON *paths;
};

static void add_index_entry(void *ctx, const char *group, const char *version)
{
    struct index_ctx *ic = ctx;
    char hash[17];
    gv_hash(ic->r, group, version, hash);
    char *key = *group ? xasprintf("apis/%s/%s", group, version) : xasprintf("api/%s", version);
    char *url = xasprintf("/openapi/v3/%s?hash=%s", key, hash);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "serverRelativeURL", url);
    cJSON_AddItemToObject(ic->paths, key, e);
    free(key);
    free(url);
}

cJSON *kopenapi_index(const kres *r)
{
    cJSON *o = cJSON_CreateObject();
    struct index_ctx ic = {r, cJSON_AddObjectToObject(o, "paths")};
    kres_each_gv(r, add_index_entry, &ic);
    return o;
}

static cJSON *patch_op(const struct kres_type *t, const char *version)
{
    cJSON *op = cJSON_CreateObject();
    cJSON *g = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
    cJSON_AddStringToObject(g, "group", t->group);
    cJSON_AddStringToObject(g, "version", version);
    cJSON_AddStringToObject(g, "kind", t->kind);
    cJSON *params = cJSON_AddArrayToObject(op, "parameters");
    const char *names[] = {"dryRun", "fieldManager", "fieldValidation", "force"};
    for (int i = 0; i < 4; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", names[i]);
        cJSON_AddStringToObject(p, "in", "query");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "schema"), "type",
                                i == 3 ? "boolean" : "string");
        cJSON_AddItemToArray(params, p);
    }
    cJSON *resp = cJSON_AddObjectToObject(op, "responses");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "200"), "description", "OK");
    return op;
}

cJSON *kopenapi_doc(const kres *r, const char *group, const char *version)
{
    cJSON *doc = NULL, *paths = NULL;
    for (size_t i = 0; i < kres_count(r); i++) {
        const struct kres_type *t = kres_at(r, i);
        if (strcmp(t->group, group) || !kres_version(t, version))
            continue;
        if (!doc) {
            doc = cJSON_CreateObject();
            cJSON_AddStringToObject(doc, "openapi", "3.0.0");
            cJSON *info = cJSON_AddObjectToObject(doc, "info");
            cJSON_AddStringToObject(info, "title", "Kubernetes");
            cJSON_AddStringToObject(info, "version", "v1.32.0");
            paths = cJSON_AddObjectToObject(doc, "paths");
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "components"), "schemas");
        }
        char *prefix = *group ? xasprintf("/apis/%s/%s", group, version)
                              : xasprintf("/api/%s", version);
        char *path = t->namespaced
                         ? xasprintf("%s/namespaces/{namespace}/%s/{name}", prefix, t->resource)
                         : xasprintf("%s/%s/{name}", prefix, t->resource);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddItemToObject(item, "patch", patch_op(t, version));
        cJSON_AddItemToObject(paths, path, item);
        free(prefix);
        free(path);
    }
    return doc;
}
