/* kclient_disc.c -- discovery for the kube client (see kclient.h).
 *
 * Uses the legacy discovery documents (/api, /apis, /api/v1, /apis/G/V): a
 * real apiserver and the simulator both serve them, and they carry shortNames.
 * Group-versions are fetched lazily, one at a time, and kept for ttl_ms.  A
 * refreshed entry replaces the old one in the cache but the old one is kept
 * until the client is freed, so a kube_resource pointer handed out earlier
 * never dangles; refreshes are rare (a TTL or an unknown kind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/mem.h"
#include "kube/kclient.h"
#include "kube/kclient_int.h"

static void res_release(struct kube__res *r)
{
    free(r->group);
    free(r->version);
    free(r->kind);
    free(r->name);
    free(r->singular);
    for (size_t i = 0; i < r->nshorts; i++)
        free(r->shorts[i]);
    free(r->shorts);
}

static void gv_free(struct kube__gv *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        res_release(&g->v[i]);
    free(g->v);
    free(g->gv);
    free(g);
}

static void order_free(kube_client *c)
{
    for (size_t i = 0; i < c->norder; i++)
        free(c->order[i]);
    free(c->order);
    c->order = NULL;
    c->norder = 0;
    c->order_ms = 0;
}

void kube__disc_free(kube_client *c)
{
    for (size_t i = 0; i < c->ngv; i++)
        gv_free(c->gvs[i]);
    for (size_t i = 0; i < c->ndead; i++)
        gv_free(c->dead[i]);
    free(c->gvs);
    free(c->dead);
    order_free(c);
}

void kube_discovery_invalidate(kube_client *c)
{
    for (size_t i = 0; i < c->ngv; i++) {
        XGROW(c->dead, c->capdead, c->ndead + 1);
        c->dead[c->ndead++] = c->gvs[i];
    }
    c->ngv = 0;
    order_free(c);
}

void kube_resource_api_version(const struct kube_resource *r, char out[128])
{
    if (*r->group)
        snprintf(out, 128, "%s/%s", r->group, r->version);
    else
        snprintf(out, 128, "%s", r->version);
}

/* ---- one group-version ---------------------------------------------------------------------- */

static void res_fill(struct kube__res *r, const cJSON *e, const char *group, const char *version)
{
    memset(r, 0, sizeof(*r));
    r->group = xstrdup(group);
    r->version = xstrdup(version);
    r->kind = xstrdup(json_get_str(e, "kind", ""));
    r->name = xstrdup(json_get_str(e, "name", ""));
    r->singular = xstrdup(json_get_str(e, "singularName", ""));
    const cJSON *sn = cJSON_GetObjectItemCaseSensitive(e, "shortNames");
    if (cJSON_IsArray(sn)) {
        r->shorts = xcalloc((size_t)cJSON_GetArraySize(sn) + 1, sizeof(char *));
        const cJSON *s;
        cJSON_ArrayForEach(s, sn)
        {
            if (cJSON_IsString(s))
                r->shorts[r->nshorts++] = xstrdup(s->valuestring);
        }
    }
    r->pub = (struct kube_resource){.group = r->group,
                                    .version = r->version,
                                    .kind = r->kind,
                                    .name = r->name,
                                    .singular = r->singular,
                                    .namespaced = json_get_bool(e, "namespaced", 0)};
}

static struct kube__gv *gv_from_doc(const char *gv, const cJSON *doc, int64_t now)
{
    struct kube__gv *g = xcalloc(1, sizeof(*g));
    g->gv = xstrdup(gv);
    g->fetched_ms = now;
    const char *slash = strchr(gv, '/');
    char *group = slash ? xstrndup(gv, (size_t)(slash - gv)) : xstrdup("");
    const char *version = slash ? slash + 1 : gv;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "resources");
    size_t cap = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, (cJSON_IsArray(list) ? list : NULL))
    {
        const char *name = json_get_str(e, "name", NULL);
        if (!name || !*name || strchr(name, '/') || !json_get_str(e, "kind", NULL))
            continue;
        XGROW(g->v, cap, g->n + 1);
        res_fill(&g->v[g->n++], e, group, version);
    }
    free(group);
    return g;
}

static int gv_fetch(kube_client *c, const char *gv, struct kube__gv **out, struct err *err)
{
    char *path = xasprintf(strchr(gv, '/') ? "/apis/%s" : "/api/%s", gv);
    struct kube__req kr = {.method = "GET", .path = path};
    cJSON *doc = NULL;
    int rc = kube__call(c, &kr, &doc, err);
    free(path);
    if (rc == E_NOTFOUND)
        return err_set(err, E_NOTFOUND, "the server does not serve '%s'", gv);
    if (rc < 0)
        return rc;
    *out = gv_from_doc(gv, doc, clock_now_ms(c->clock));
    cJSON_Delete(doc);
    return 0;
}

static void cache_put(kube_client *c, struct kube__gv *g)
{
    for (size_t i = 0; i < c->ngv; i++) {
        if (strcmp(c->gvs[i]->gv, g->gv))
            continue;
        XGROW(c->dead, c->capdead, c->ndead + 1);
        c->dead[c->ndead++] = c->gvs[i];
        c->gvs[i] = g;
        return;
    }
    XGROW(c->gvs, c->capgv, c->ngv + 1);
    c->gvs[c->ngv++] = g;
}

/* The cached entry for gv, fetched when absent, expired or force; *fresh
 * says whether this call fetched it. */
static int gv_get(kube_client *c, const char *gv, int force, struct kube__gv **out, int *fresh,
                  struct err *err)
{
    int64_t now = clock_now_ms(c->clock);
    *fresh = 0;
    for (size_t i = 0; i < c->ngv && !force; i++) {
        if (!strcmp(c->gvs[i]->gv, gv) && now - c->gvs[i]->fetched_ms < c->ttl_ms) {
            *out = c->gvs[i];
            return 0;
        }
    }
    struct kube__gv *g = NULL;
    int rc = gv_fetch(c, gv, &g, err);
    if (rc < 0)
        return rc;
    cache_put(c, g);
    *fresh = 1;
    *out = g;
    return 0;
}

static const struct kube__res *gv_kind(const struct kube__gv *g, const char *kind)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->v[i].kind, kind))
            return &g->v[i];
    return NULL;
}

/* "v1" or "group/version": the group a DNS subdomain, the version a DNS
 * label, both lower case.  The string becomes a request path, so nothing
 * else gets through ("apps/v1/../../api/v1/secrets", "v1?x"). */
static int valid_api_version(const char *s)
{
    const char *slash = strchr(s, '/');
    const char *v = slash ? slash + 1 : s;
    if (slash) {
        size_t n = (size_t)(slash - s);
        if (!n || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.' || s[n - 1] == '-' ||
            strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n || strstr(s, ".."))
            return 0;
    }
    size_t vn = strlen(v);
    return vn && vn <= 63 && v[0] >= 'a' && v[0] <= 'z' && v[vn - 1] != '-' &&
           strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == vn;
}

int kube_resource_for(kube_client *c, const char *api_version, const char *kind,
                      const struct kube_resource **out, struct err *err)
{
    struct kube__gv *g = NULL;
    int fresh = 0;
    if (!valid_api_version(api_version))
        return err_set(err, E_INVALID, "'%s' is not a valid apiVersion", api_version);
    int rc = gv_get(c, api_version, 0, &g, &fresh, err);
    if (rc == E_NOTFOUND)
        return err_set(err, E_NOTFOUND,
                       "no kind '%s' is served in '%s' (unknown apiVersion; "
                       "is its CRD installed?)",
                       kind, api_version);
    if (rc < 0)
        return rc;
    const struct kube__res *r = gv_kind(g, kind);
    if (!r && !fresh) {
        rc = gv_get(c, api_version, 1, &g, &fresh, err);
        if (rc < 0)
            return rc;
        r = gv_kind(g, kind);
    }
    if (!r)
        return err_set(err, E_NOTFOUND, "no kind '%s' is served in '%s'", kind, api_version);
    *out = &r->pub;
    return 0;
}

/* ---- every group-version, for names typed by users ------------------------------------------ */

static void order_add(kube_client *c, const char *gv, size_t *cap)
{
    for (size_t i = 0; i < c->norder; i++)
        if (!strcmp(c->order[i], gv))
            return;
    XGROW(c->order, *cap, c->norder + 1);
    c->order[c->norder++] = xstrdup(gv);
}

static void order_from_groups(kube_client *c, const cJSON *apis, size_t *cap)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(apis, "groups"), *g;
    cJSON_ArrayForEach(g, (cJSON_IsArray(groups) ? groups : NULL))
    {
        const char *pref = json_get_str(g, "preferredVersion.groupVersion", NULL);
        if (pref)
            order_add(c, pref, cap);
        const cJSON *vs = cJSON_GetObjectItemCaseSensitive(g, "versions"), *v;
        cJSON_ArrayForEach(v, (cJSON_IsArray(vs) ? vs : NULL))
        {
            const char *gv = json_get_str(v, "groupVersion", NULL);
            if (gv)
                order_add(c, gv, cap);
        }
    }
}

static int order_load(kube_client *c, int force, struct err *err)
{
    int64_t now = clock_now_ms(c->clock);
    if (c->order_ms && !force && now - c->order_ms < c->ttl_ms)
        return 0;
    order_free(c);
    cJSON *api = NULL, *apis = NULL;
    struct kube__req kr = {.method = "GET", .path = "/api"};
    int rc = kube__call(c, &kr, &api, err);
    kr.path = "/apis";
    if (rc == 0)
        rc = kube__call(c, &kr, &apis, err);
    if (rc == 0) {
        size_t cap = 0;
        const cJSON *vs = cJSON_GetObjectItemCaseSensitive(api, "versions"), *v;
        cJSON_ArrayForEach(v, (cJSON_IsArray(vs) ? vs : NULL))
        {
            if (cJSON_IsString(v))
                order_add(c, v->valuestring, &cap);
        }
        order_from_groups(c, apis, &cap);
        c->order_ms = now ? now : 1;
    }
    cJSON_Delete(api);
    cJSON_Delete(apis);
    return rc;
}

static int res_matches(const struct kube__res *r, const char *want)
{
    if (!strcasecmp(r->name, want) || (*r->singular && !strcasecmp(r->singular, want)) ||
        !strcasecmp(r->kind, want))
        return 1;
    for (size_t i = 0; i < r->nshorts; i++)
        if (!strcasecmp(r->shorts[i], want))
            return 1;
    return 0;
}

/* "deployments.apps" or "deployments.v1.apps" qualifiers. */
static int group_matches(const struct kube__res *r, const char *qual)
{
    if (!qual)
        return 1;
    if (!strcasecmp(r->group, qual))
        return 1;
    size_t vl = strlen(r->version);
    return !strncasecmp(qual, r->version, vl) && qual[vl] == '.' &&
           !strcasecmp(qual + vl + 1, r->group);
}

static int lookup_pass(kube_client *c, const char *want, const char *qual, int force,
                       const struct kube_resource **out, struct err *err)
{
    int rc = order_load(c, force, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < c->norder; i++) {
        struct kube__gv *g = NULL;
        int fresh = 0;
        rc = gv_get(c, c->order[i], force, &g, &fresh, err);
        if (rc == E_NOTFOUND)
            continue;
        if (rc < 0)
            return rc;
        for (size_t k = 0; k < g->n; k++) {
            if (res_matches(&g->v[k], want) && group_matches(&g->v[k], qual)) {
                *out = &g->v[k].pub;
                return 1;
            }
        }
    }
    return 0;
}

int kube_resource_lookup(kube_client *c, const char *name, const struct kube_resource **out,
                         struct err *err)
{
    char *want = xstrdup(name);
    char *dot = strchr(want, '.');
    const char *qual = NULL;
    if (dot) {
        *dot = '\0';
        qual = dot + 1;
    }
    int rc = 0;
    for (int force = 0; force < 2 && rc == 0; force++)
        rc = lookup_pass(c, want, qual, force, out, err);
    free(want);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return err_set(err, E_NOTFOUND, "the server doesn't have a resource type \"%s\"", name);
    return 0;
}
