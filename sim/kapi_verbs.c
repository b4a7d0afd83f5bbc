/* kapi_verbs.c -- the verbs on resources: get, list, watch, create, update,
 * patch (merge, JSON, strategic, apply), delete, deletecollection, and the
 * status, scale and log subresources.
 *
 * Every create, update and patch of an object runs: body checks, conversion
 * to the storage version (kconv_in), defaulting, for a create the namespace
 * check, validation (kvalid_check; skipped when the resourceVersion is stale,
 * which is a conflict first), then the store.  A refused write changes nothing.
 *
 * Server-side apply is approximated: the applied configuration is merged into
 * the live object (strategic merge for built-in types, merge patch for custom
 * resources), missing objects are created, managedFields are not tracked and
 * so there are never field-manager conflicts.  Deleting an object also
 * deletes, in the background of the same request, the objects whose
 * ownerReferences name it (unless propagationPolicy is Orphan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/json.h"
#include "core/mem.h"
#include "kapi_int.h"
#include "kconv.h"
#include "kdefault.h"
#include "kpatch.h"
#include "ktable.h"

#define GC_MAX_DEPTH 8

static const char *ns_or_empty(const struct kreq *r) { return r->ns ? r->ns : ""; }

static void send_obj(struct kreq *r, struct http_response *rs, int code, const cJSON *obj)
{
    cJSON *o;
    if (r->table && !strcmp(r->verb, "get")) {
        o = ktable_new(r->t, r->version);
        ktable_add(o, r->t, r->version, obj, clock_now_ms(r->api->clk));
        cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(o, "metadata"),
                                "resourceVersion",
                                json_get_str(obj, "metadata.resourceVersion", ""));
    } else {
        o = kapi__out(r->t, r->version, obj);
    }
    kapi__json(rs, code, o);
    cJSON_Delete(o);
}

static void set_meta_str(cJSON *obj, const char *key, const char *val)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    if (!cJSON_IsObject(md)) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
        md = cJSON_AddObjectToObject(obj, "metadata");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(md, key);
    if (val)
        cJSON_AddStringToObject(md, key, val);
}

/* Check the body's kind and namespace against the URL and fill them in. */
static int check_body(struct kreq *r, cJSON *obj, struct err *err)
{
    if (!cJSON_IsObject(obj))
        return err_set(err, E_PARSE, "the request body must be a JSON object");
    const char *kind = json_get_str(obj, "kind", NULL);
    if (kind && *kind && strcmp(kind, r->t->kind))
        return err_set(err, E_PARSE, "the kind of the object (%s) does not match the resource "
                       "(%s)", kind, r->t->kind);
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    if (md && !cJSON_IsObject(md))
        return err_set(err, E_PARSE, "metadata must be an object");
    const char *ns = json_get_str(obj, "metadata.namespace", NULL);
    if (r->t->namespaced && ns && *ns && strcmp(ns, ns_or_empty(r)))
        return err_set(err, E_PARSE, "the namespace of the provided object does not match the "
                       "namespace sent on the request");
    set_meta_str(obj, "namespace", r->t->namespaced ? r->ns : NULL);
    const char *name = json_get_str(obj, "metadata.name", NULL);
    if (r->name && name && *name && strcmp(name, r->name))
        return err_set(err, E_PARSE, "the name of the object (%s) does not match the name on "
                       "the URL (%s)", name, r->name);
    if (r->name)
        set_meta_str(obj, "name", r->name);
    return 0;
}

/* ---- services: cluster IPs ------------------------------------------------------------- */

static void svc_ips(kapi *api, cJSON *obj, const cJSON *old)
{
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
    if (!cJSON_IsObject(spec))
        return;
    const char *type = json_get_str(spec, "type", "ClusterIP");
    const char *ip = json_get_str(spec, "clusterIP", NULL);
    if (!strcmp(type, "ExternalName") || (ip && *ip))
        return;
    const char *old_ip = old ? json_get_str(old, "spec.clusterIP", NULL) : NULL;
    char buf[32];
    if (old_ip && *old_ip) {
        snprintf(buf, sizeof(buf), "%s", old_ip);
    } else {
        uint32_t n = api->next_ip++;
        snprintf(buf, sizeof(buf), "10.96.%u.%u", (n >> 8) & 0xff, n & 0xff);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIP");
    cJSON_AddStringToObject(spec, "clusterIP", buf);
    cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIPs");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "clusterIPs"), cJSON_CreateString(buf));
    if (!cJSON_GetObjectItemCaseSensitive(spec, "ipFamilies"))
        cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "ipFamilies"),
                             cJSON_CreateString("IPv4"));
    if (!cJSON_GetObjectItemCaseSensitive(spec, "ipFamilyPolicy"))
        cJSON_AddStringToObject(spec, "ipFamilyPolicy", "SingleStack");
}

/* Defaults every write of a built-in object gets. */
static void prepare_write(struct kreq *r, cJSON *obj, const cJSON *old)
{
    if (r->t->crd_name)
        return;
    kdefault_apply(r->t->group, r->t->resource, obj);
    if (!*r->t->group && !strcmp(r->t->resource, "services"))
        svc_ips(r->api, obj, old);
}

/* ---- get, list -------------------------------------------------------------------------- */

static void do_get(struct kreq *r, struct http_response *rs)
{
    const cJSON *o = kstore_peek(r->api->st, r->t->group, r->t->resource, ns_or_empty(r),
                                 r->name);
    struct err err = ERR_INIT;
    if (!o) {
        kstore_get(r->api->st, r->t->group, r->t->resource, ns_or_empty(r), r->name, NULL,
                   &err);
        kapi__fail(rs, E_NOTFOUND, &err, r->name, r->t);
        return;
    }
    send_obj(r, rs, 200, o);
}

static cJSON *list_doc(struct kreq *r, cJSON *items, const char *cont, uint64_t rv)
{
    char rvs[24];
    snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
    cJSON *o;
    if (r->table) {
        o = ktable_new(r->t, r->version);
        int64_t now = clock_now_ms(r->api->clk);
        const cJSON *it;
        cJSON_ArrayForEach(it, items) ktable_add(o, r->t, r->version, it, now);
    } else {
        o = cJSON_CreateObject();
        char *gv = *r->t->group ? xasprintf("%s/%s", r->t->group, r->version)
                                : xstrdup(r->version);
        cJSON_AddStringToObject(o, "apiVersion", gv);
        free(gv);
        cJSON_AddStringToObject(o, "kind", r->t->list_kind);
        cJSON_AddObjectToObject(o, "metadata");
        /* the items are copies already: move them rather than copy again */
        cJSON_AddItemToObject(o, "items", cJSON_Duplicate(items, 0));
        cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "items");
        char *gv2 = *r->t->group ? xasprintf("%s/%s", r->t->group, r->version)
                                 : xstrdup(r->version);
        while (items->child) {
            cJSON *it = cJSON_DetachItemViaPointer(items, items->child);
            kconv_out(r->t->group, r->t->resource, r->version, it);
            kapi__set_gvk(it, gv2, r->t->kind);
            cJSON_AddItemToArray(out, it);
        }
        free(gv2);
    }
    cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
    cJSON_AddStringToObject(md, "resourceVersion", rvs);
    if (cont)
        cJSON_AddStringToObject(md, "continue", cont);
    return o;
}

static void do_list(struct kreq *r, struct http_response *rs)
{
    struct kstore_query q = KSTORE_QUERY_INIT;
    struct err err = ERR_INIT;
    char *ls = kapi__query(r, "labelSelector"), *fs = kapi__query(r, "fieldSelector");
    char *limit = kapi__query(r, "limit"), *cont = kapi__query(r, "continue");
    cJSON *items = NULL;
    char *next = NULL;
    uint64_t rv = 0;
    q.ns = r->ns;
    q.label_selector = ls;
    q.field_selector = fs;
    q.limit = limit ? strtoul(limit, NULL, 10) : 0;
    q.cont = cont;
    int rc = kstore_list(r->api->st, r->t->group, r->t->resource, &q, &items, &next, &rv, &err);
    if (rc < 0) {
        kapi__status(rs, 400, "BadRequest", err.msg, NULL, NULL);
    } else {
        cJSON *o = list_doc(r, items, next, rv);
        kapi__json(rs, 200, o);
        cJSON_Delete(o);
    }
    cJSON_Delete(items);
    free(next);
    free(ls);
    free(fs);
    free(limit);
    free(cont);
}

/* ---- watch ------------------------------------------------------------------------------ */

/* ?timeoutSeconds= in ms, clamped to a year so no value can overflow. */
static int64_t watch_timeout_ms(const char *to)
{
    long long secs = strtoll(to, NULL, 10);
    if (secs < 0)
        secs = 0;
    if (secs > 365LL * 24 * 3600)
        secs = 365LL * 24 * 3600;
    return (int64_t)secs * 1000;
}

static void do_watch(struct kreq *r, struct http_response *rs)
{
    struct kwatch_opts o = {0};
    struct err err = ERR_INIT;
    char *ls = kapi__query(r, "labelSelector"), *fs = kapi__query(r, "fieldSelector");
    char *rv = kapi__query(r, "resourceVersion"), *to = kapi__query(r, "timeoutSeconds");
    char *byname = r->name ? xasprintf("metadata.name=%s%s%s", r->name, fs && *fs ? "," : "",
                                       fs && *fs ? fs : "")
                           : NULL;
    char *end = NULL;
    o.group = r->t->group;
    o.version = r->version;
    o.resource = r->t->resource;
    o.ns = r->ns;
    o.label_selector = ls;
    o.field_selector = byname ? byname : fs;
    o.since = rv && *rv ? strtoull(rv, &end, 10) : 0;
    o.initial = !rv || !*rv || !strcmp(rv, "0");
    o.table = r->table;
    o.timeout_ms = to ? watch_timeout_ms(to) : 0;
    o.bookmark_ms = kapi__query_bool(r, "allowWatchBookmarks") ? r->api->bookmark_ms : 0;
    o.render = kapi__render;
    o.render_ctx = r->api;
    int rc = end && *end ? err_set(&err, E_PARSE, "invalid resourceVersion \"%s\"", rv)
                         : kwatch_open(r->api->hub, &o, rs, &err);
    if (rc == E_INVALID)
        rc = E_PARSE;
    if (rc < 0)
        kapi__fail(rs, rc, &err, NULL, NULL);
    free(ls);
    free(fs);
    free(rv);
    free(to);
    free(byname);
}

/* ---- validation ----------------------------------------------------------------------------- */

/* Validate a write of obj (old: the stored object on update) into r->invalid. */
static int validate(struct kreq *r, const cJSON *obj, const cJSON *old, struct err *err)
{
    return kvalid_check(r->t->group, r->t->resource, r->t->kind, obj, old, &r->invalid, err);
}

/* The answer to a failed write: the validation's causes, a missing
 * namespace as the real server names it, or the Status of the code. */
static void fail_write(struct kreq *r, struct http_response *rs, int rc, const struct err *err,
                       const char *name)
{
    if (rc == E_INVALID && r->invalid.message)
        kapi__invalid(rs, &r->invalid, name, r->t);
    else if (rc == E_NOTFOUND && r->ns_missing)
        kapi__fail(rs, rc, err, r->ns, kres_find(r->api->reg, "", "v1", "namespaces"));
    else
        kapi__fail(rs, rc, err, name, r->t);
}

/* A create names a namespace that must exist (checked before validation, as
 * the real server's admission does). */
static int check_namespace(struct kreq *r, struct err *err)
{
    if (!r->t->namespaced || kstore_peek(r->api->st, "", "namespaces", "", ns_or_empty(r)))
        return 0;
    r->ns_missing = 1;
    return err_set(err, E_NOTFOUND, "namespaces \"%s\" not found", ns_or_empty(r));
}

/* ---- create ------------------------------------------------------------------------------- */

static int is_crd_type(const struct kres_type *t)
{
    return !strcmp(t->group, "apiextensions.k8s.io") &&
           !strcmp(t->resource, "customresourcedefinitions");
}

/* A CRD must parse, and be named PLURAL.GROUP.  Sets its status. */
static int check_crd(cJSON *crd, struct err *err)
{
    kres *scratch = kres_new();
    int rc = kres_add_crd(scratch, crd, err);
    if (rc == 0) {
        const struct kres_type *t = kres_at(scratch, kres_count(scratch) - 1);
        const char *name = json_get_str(crd, "metadata.name", "");
        if (strcmp(name, t->crd_name))
            rc = err_set(err, E_INVALID, "metadata.name: Invalid value: \"%s\": must be "
                         "spec.names.plural+\".\"+spec.group", name);
    }
    if (rc == 0) {
        cJSON *st = cJSON_CreateObject();
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "type", "Established");
        cJSON_AddStringToObject(c, "status", "True");
        cJSON_AddStringToObject(c, "reason", "InitialNamesAccepted");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "conditions"), c);
        const cJSON *names = json_get(crd, "spec.names");
        cJSON_AddItemToObject(st, "acceptedNames",
                              names ? cJSON_Duplicate(names, 1) : cJSON_CreateObject());
        cJSON_DeleteItemFromObjectCaseSensitive(crd, "status");
        cJSON_AddItemToObject(crd, "status", st);
    }
    kres_free(scratch);
    return rc;
}

static int create_obj(struct kreq *r, cJSON *obj, cJSON **out, struct err *err)
{
    int rc = check_body(r, obj, err);
    if (rc < 0)
        return rc;
    kconv_in(r->t->group, r->t->resource, r->version, obj);
    if (r->t->subs & KRES_SUB_STATUS)
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    if (!*r->t->group && !strcmp(r->t->resource, "pods"))
        cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "status"), "phase", "Pending");
    if (is_crd_type(r->t)) {
        rc = check_crd(obj, err);
        if (rc < 0)
            return rc;
    }
    prepare_write(r, obj, NULL);
    rc = check_namespace(r, err);
    if (rc == 0)
        rc = validate(r, obj, NULL, err);
    if (rc < 0)
        return rc;
    return kstore_create(r->api->st, r->t->group, r->t->resource, obj, r->flags, out, err);
}

static void do_create(struct kreq *r, struct http_response *rs)
{
    cJSON *obj = NULL, *out = NULL;
    struct err err = ERR_INIT;
    if (r->t->namespaced && !r->ns) {
        kapi__status(rs, 404, "NotFound", "the server could not find the requested resource",
                     NULL, NULL);
        return;
    }
    int rc = kapi__body(r, &obj, &err);
    if (rc == E_INVALID) {
        kapi__status(rs, 415, "UnsupportedMediaType", err.msg, NULL, NULL);
        return;
    }
    if (rc == 0)
        rc = create_obj(r, obj, &out, &err);
    if (rc < 0)
        fail_write(r, rs, rc, &err, json_get_str(obj, "metadata.name", NULL));
    else
        send_obj(r, rs, 201, out);
    cJSON_Delete(obj);
    cJSON_Delete(out);
}

/* ---- scale --------------------------------------------------------------------------- */

static cJSON *scale_of(const cJSON *obj)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "Scale");
    cJSON_AddStringToObject(s, "apiVersion", "autoscaling/v1");
    cJSON *md = cJSON_AddObjectToObject(s, "metadata");
    static const char *const keys[] = {"name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = json_get(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), keys[i]);
        if (v)
            cJSON_AddItemToObject(md, keys[i], cJSON_Duplicate(v, 1));
    }
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(s, "spec"), "replicas",
                            (double)json_get_int(obj, "spec.replicas", 1));
    cJSON *st = cJSON_AddObjectToObject(s, "status");
    cJSON_AddNumberToObject(st, "replicas", (double)json_get_int(obj, "status.replicas", 0));
    struct buf sel = BUF_INIT;
    const cJSON *l;
    cJSON_ArrayForEach(l, json_get(obj, "spec.selector.matchLabels"))
        if (cJSON_IsString(l))
            buf_addf(&sel, "%s%s=%s", sel.len ? "," : "", l->string, l->valuestring);
    cJSON_AddStringToObject(st, "selector", sel.ptr);
    buf_release(&sel);
    return s;
}

/* Write the replicas of Scale doc scale to the object (rv precondition). */
static int scale_write(struct kreq *r, const cJSON *cur, const cJSON *scale, cJSON **out,
                       struct err *err)
{
    const cJSON *rep = json_get(scale, "spec.replicas");
    if (!cJSON_IsNumber(rep) || !(rep->valuedouble >= 0 && rep->valuedouble <= 1e9) ||
        rep->valuedouble != (double)(int64_t)rep->valuedouble)
        return err_set(err, E_INVALID, "spec.replicas: Invalid value: must be a non-negative "
                       "integer");
    cJSON *doc = cJSON_Duplicate(cur, 1);
    json_set(doc, "spec.replicas", cJSON_CreateNumber(rep->valuedouble), NULL);
    const char *rv = json_get_str(scale, "metadata.resourceVersion", NULL);
    set_meta_str(doc, "resourceVersion", rv && *rv ? rv : NULL);
    int rc = kstore_update(r->api->st, r->t->group, r->t->resource, doc,
                           r->flags | KSTORE_KEEP_STATUS, out, err);
    cJSON_Delete(doc);
    return rc;
}

static void send_scale(struct http_response *rs, const cJSON *obj)
{
    cJSON *s = scale_of(obj);
    kapi__json(rs, 200, s);
    cJSON_Delete(s);
}

/* ---- update ------------------------------------------------------------------------------ */

static int update_obj(struct kreq *r, cJSON *obj, const cJSON *cur, cJSON **out,
                      struct err *err)
{
    if (r->sub && !strcmp(r->sub, "status"))
        return kstore_update_status(r->api->st, r->t->group, r->t->resource, obj, r->flags,
                                    out, err);
    if (r->sub && !strcmp(r->sub, "scale"))
        return scale_write(r, cur, obj, out, err);
    if (is_crd_type(r->t)) {
        int rc = check_crd(obj, err);
        if (rc < 0)
            return rc;
    }
    prepare_write(r, obj, cur);
    /* a stale resourceVersion is a conflict before it is anything else */
    const char *rv = json_get_str(obj, "metadata.resourceVersion", "");
    if (!*rv || !strcmp(rv, json_get_str(cur, "metadata.resourceVersion", ""))) {
        int rc = validate(r, obj, cur, err);
        if (rc < 0)
            return rc;
    }
    unsigned keep = (r->t->subs & KRES_SUB_STATUS) ? KSTORE_KEEP_STATUS : 0;
    return kstore_update(r->api->st, r->t->group, r->t->resource, obj, r->flags | keep, out,
                         err);
}

static void reply_written(struct kreq *r, struct http_response *rs, int code, const cJSON *out)
{
    if (r->sub && !strcmp(r->sub, "scale"))
        send_scale(rs, out);
    else
        send_obj(r, rs, code, out);
}

static const cJSON *current(struct kreq *r)
{
    return kstore_peek(r->api->st, r->t->group, r->t->resource, ns_or_empty(r), r->name);
}

static void not_found_obj(struct kreq *r, struct http_response *rs)
{
    struct err err = ERR_INIT;
    kstore_get(r->api->st, r->t->group, r->t->resource, ns_or_empty(r), r->name, NULL, &err);
    kapi__fail(rs, E_NOTFOUND, &err, r->name, r->t);
}

static void do_update(struct kreq *r, struct http_response *rs)
{
    cJSON *obj = NULL, *out = NULL;
    struct err err = ERR_INIT;
    const cJSON *cur = current(r);
    if (!cur) {
        not_found_obj(r, rs);
        return;
    }
    int rc = kapi__body(r, &obj, &err);
    if (rc == E_INVALID)
        rc = E_PARSE;
    if (rc == 0 && r->sub && !strcmp(r->sub, "scale"))
        rc = cJSON_IsObject(obj) ? 0 : err_set(&err, E_PARSE, "the body must be a Scale");
    else if (rc == 0)
        rc = check_body(r, obj, &err);
    if (rc == 0 && !(r->sub && !strcmp(r->sub, "scale")))
        kconv_in(r->t->group, r->t->resource, r->version, obj);
    if (rc == 0)
        rc = update_obj(r, obj, cur, &out, &err);
    if (rc < 0)
        fail_write(r, rs, rc, &err, r->name);
    else
        reply_written(r, rs, 200, out);
    cJSON_Delete(obj);
    cJSON_Delete(out);
}

/* ---- patch --------------------------------------------------------------------------------- */

enum ptype { P_MERGE, P_JSON, P_SMP, P_APPLY, P_BAD };

static enum ptype patch_type(const struct kreq *r)
{
    const char *ct = http_headers_get(&r->rq->headers, "Content-Type");
    if (!ct)
        return P_BAD;
    if (!strncasecmp(ct, "application/merge-patch+json", 28))
        return P_MERGE;
    if (!strncasecmp(ct, "application/json-patch+json", 27))
        return P_JSON;
    if (!strncasecmp(ct, "application/strategic-merge-patch+json", 38))
        return P_SMP;
    if (!strncasecmp(ct, "application/apply-patch+yaml", 28))
        return P_APPLY;
    return P_BAD;
}

static int apply_patch(enum ptype pt, int builtin, const cJSON *target, const cJSON *patch,
                       cJSON **out, struct err *err)
{
    switch (pt) {
    case P_JSON:
        return kpatch_json(target, patch, out, err);
    case P_SMP:
        return kpatch_strategic(target, patch, out, err);
    case P_APPLY:
        if (builtin)
            return kpatch_strategic(target, patch, out, err);
        /* fall through */
    default:
        if (!cJSON_IsObject(patch))
            return err_set(err, E_PARSE, "a merge patch must be a JSON object");
        *out = json_merge_patch(target, patch);
        return 0;
    }
}

/* Server-side apply of a missing object: create it (201). */
static void apply_create(struct kreq *r, struct http_response *rs, cJSON *patch)
{
    cJSON *out = NULL;
    struct err err = ERR_INIT;
    int rc = create_obj(r, patch, &out, &err);
    if (rc < 0)
        fail_write(r, rs, rc, &err, r->name);
    else
        send_obj(r, rs, 201, out);
    cJSON_Delete(out);
}

static int patch_checks(struct kreq *r, enum ptype pt, struct err *err)
{
    if (pt == P_BAD)
        return err_set(err, E_INVALID, "the body of the request was in an unknown format - "
                       "accepted media types include: application/json-patch+json, "
                       "application/merge-patch+json, application/apply-patch+yaml%s",
                       r->t->crd_name ? "" : ", application/strategic-merge-patch+json");
    if (pt == P_SMP && r->t->crd_name)
        return err_set(err, E_INVALID, "the body of the request was in an unknown format - "
                       "accepted media types include: application/json-patch+json, "
                       "application/merge-patch+json, application/apply-patch+yaml");
    if (pt == P_APPLY) {
        char *fm = kapi__query(r, "fieldManager");
        int ok = fm && *fm;
        free(fm);
        if (!ok)
            return err_set(err, E_PARSE, "PatchOptions.meta.k8s.io \"\" is invalid: "
                           "fieldManager: Required value: is required for apply patch");
    }
    return 0;
}

static int patch_existing(struct kreq *r, enum ptype pt, const cJSON *cur, const cJSON *patch,
                          cJSON **out, struct err *err)
{
    int scale = r->sub && !strcmp(r->sub, "scale");
    cJSON *target = scale ? scale_of(cur) : cJSON_Duplicate(cur, 1);
    if (!scale)  /* the patch is written against the object in the request's version */
        kconv_out(r->t->group, r->t->resource, r->version, target);
    cJSON *doc = NULL;
    int rc = apply_patch(pt, !r->t->crd_name && !scale, target, patch, &doc, err);
    cJSON_Delete(target);
    if (rc == 0 && !cJSON_IsObject(doc))
        rc = err_set(err, E_INVALID, "the patched object is not a JSON object");
    if (rc == 0 && !scale)
        rc = check_body(r, doc, err);
    if (rc == 0 && !scale)
        kconv_in(r->t->group, r->t->resource, r->version, doc);
    if (rc == 0)
        rc = update_obj(r, doc, cur, out, err);
    cJSON_Delete(doc);
    return rc;
}

static void do_patch(struct kreq *r, struct http_response *rs)
{
    cJSON *patch = NULL, *out = NULL;
    struct err err = ERR_INIT;
    enum ptype pt = patch_type(r);
    int rc = patch_checks(r, pt, &err);
    if (rc == E_INVALID) {
        kapi__status(rs, 415, "UnsupportedMediaType", err.msg, NULL, NULL);
        return;
    }
    if (rc == 0)
        rc = kapi__body(r, &patch, &err);
    const cJSON *cur = current(r);
    if (rc == 0 && !cur && pt == P_APPLY && !r->sub) {
        apply_create(r, rs, patch);
        cJSON_Delete(patch);
        return;
    }
    if (rc == 0 && !cur) {
        cJSON_Delete(patch);
        not_found_obj(r, rs);
        return;
    }
    if (rc == 0)
        rc = patch_existing(r, pt, cur, patch, &out, &err);
    if (rc < 0)
        fail_write(r, rs, rc, &err, r->name);
    else
        reply_written(r, rs, 200, out);
    cJSON_Delete(patch);
    cJSON_Delete(out);
}

/* ---- delete -------------------------------------------------------------------------------- */

struct gc_ctx {
    const char *uid;
    cJSON *victims;   /* [[group, resource, name], ...] */
    const struct kres_type *t;
};

static int gc_collect(void *ctx, const cJSON *obj)
{
    struct gc_ctx *g = ctx;
    const cJSON *ref;
    cJSON_ArrayForEach(ref, json_get(obj, "metadata.ownerReferences"))
    {
        if (strcmp(json_get_str(ref, "uid", ""), g->uid))
            continue;
        cJSON *v = cJSON_CreateArray();
        cJSON_AddItemToArray(v, cJSON_CreateString(g->t->group));
        cJSON_AddItemToArray(v, cJSON_CreateString(g->t->resource));
        cJSON_AddItemToArray(v, cJSON_CreateString(json_get_str(obj, "metadata.name", "")));
        cJSON_AddItemToArray(g->victims, v);
        break;
    }
    return 0;
}

/* Delete the dependents of uid in namespace ns (the garbage collector). */
static void gc_dependents(kapi *api, const char *ns, const char *uid, int depth)
{
    if (!*ns || !*uid || depth > GC_MAX_DEPTH)
        return;
    struct gc_ctx g = {uid, cJSON_CreateArray(), NULL};
    for (size_t i = 0; i < kres_count(api->reg); i++) {
        g.t = kres_at(api->reg, i);
        if (g.t->namespaced)
            kstore_each(api->st, g.t->group, g.t->resource, ns, gc_collect, &g);
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, g.victims)
    {
        cJSON *out = NULL;
        const char *grp = cJSON_GetArrayItem(v, 0)->valuestring;
        const char *res = cJSON_GetArrayItem(v, 1)->valuestring;
        const char *name = cJSON_GetArrayItem(v, 2)->valuestring;
        if (kstore_delete(api->st, grp, res, ns, name, NULL, 0, &out, NULL) == 0)
            gc_dependents(api, ns, json_get_str(out, "metadata.uid", ""), depth + 1);
        cJSON_Delete(out);
    }
    cJSON_Delete(g.victims);
}

/* Deleting a CRD removes its custom resources. */
static void drop_custom_resources(kapi *api, const cJSON *crd)
{
    const char *group = json_get_str(crd, "spec.group", ""), *plural =
        json_get_str(crd, "spec.names.plural", "");
    cJSON *items = NULL;
    if (kstore_list(api->st, group, plural, NULL, &items, NULL, NULL, NULL) < 0)
        return;
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
        kstore_delete(api->st, group, plural, json_get_str(it, "metadata.namespace", ""),
                      json_get_str(it, "metadata.name", ""), NULL, 0, NULL, NULL);
    cJSON_Delete(items);
}

struct del_opts {
    char *uid, *rv;
    int orphan;
};

static void del_opts_read(struct kreq *r, struct del_opts *o)
{
    cJSON *body = NULL;
    char *pp = kapi__query(r, "propagationPolicy");
    memset(o, 0, sizeof(*o));
    if (r->rq->body_len && json_parse(&body, r->rq->body, r->rq->body_len, NULL, NULL) == 0) {
        const char *u = json_get_str(body, "preconditions.uid", NULL);
        const char *v = json_get_str(body, "preconditions.resourceVersion", NULL);
        o->uid = u ? xstrdup(u) : NULL;
        o->rv = v ? xstrdup(v) : NULL;
        const char *bp = json_get_str(body, "propagationPolicy", NULL);
        o->orphan = bp && !strcmp(bp, "Orphan");
        const cJSON *d;
        cJSON_ArrayForEach(d, json_get(body, "dryRun"))
            if (cJSON_IsString(d) && !strcmp(d->valuestring, "All"))
                r->flags |= KSTORE_DRY_RUN;
    }
    o->orphan |= pp && !strcmp(pp, "Orphan");
    free(pp);
    cJSON_Delete(body);
}

static int delete_one(struct kreq *r, const char *name, const struct del_opts *o, cJSON **out,
                      struct err *err)
{
    const cJSON *cur = kstore_peek(r->api->st, r->t->group, r->t->resource, ns_or_empty(r), name);
    if (cur && o->rv && *o->rv &&
        strcmp(o->rv, json_get_str(cur, "metadata.resourceVersion", ""))) {
        char q[256];
        snprintf(q, sizeof(q), "%s%s%s", r->t->resource, *r->t->group ? "." : "", r->t->group);
        return err_set(err, E_CONFLICT, "Operation cannot be fulfilled on %s \"%s\": the "
                       "resourceVersion in the precondition (%s) does not match", q, name, o->rv);
    }
    int rc = kstore_delete(r->api->st, r->t->group, r->t->resource, ns_or_empty(r), name, o->uid,
                           r->flags, out, err);
    if (rc < 0 || (r->flags & KSTORE_DRY_RUN))
        return rc;
    if (is_crd_type(r->t))
        drop_custom_resources(r->api, *out);
    if (!o->orphan)
        gc_dependents(r->api, ns_or_empty(r), json_get_str(*out, "metadata.uid", ""), 0);
    return 0;
}

static void do_delete(struct kreq *r, struct http_response *rs)
{
    struct del_opts o;
    struct err err = ERR_INIT;
    cJSON *out = NULL;
    del_opts_read(r, &o);
    int rc = delete_one(r, r->name, &o, &out, &err);
    if (rc < 0)
        kapi__fail(rs, rc, &err, r->name, r->t);
    else
        send_obj(r, rs, 200, out);
    cJSON_Delete(out);
    free(o.uid);
    free(o.rv);
}

static void do_deletecollection(struct kreq *r, struct http_response *rs)
{
    struct kstore_query q = KSTORE_QUERY_INIT;
    struct del_opts o;
    struct err err = ERR_INIT;
    char *ls = kapi__query(r, "labelSelector"), *fs = kapi__query(r, "fieldSelector");
    cJSON *items = NULL, *deleted = cJSON_CreateArray();
    q.ns = r->ns;
    q.label_selector = ls;
    q.field_selector = fs;
    del_opts_read(r, &o);
    int rc = kstore_list(r->api->st, r->t->group, r->t->resource, &q, &items, NULL, NULL, &err);
    const cJSON *it;
    const cJSON *list = rc == 0 ? items : NULL;
    cJSON_ArrayForEach(it, list)
    {
        cJSON *out = NULL;
        struct kreq one = *r;
        one.ns = json_get_str(it, "metadata.namespace", NULL);
        if (delete_one(&one, json_get_str(it, "metadata.name", ""), &o, &out, NULL) == 0)
            cJSON_AddItemToArray(deleted, out);
    }
    if (rc < 0) {
        kapi__status(rs, 400, "BadRequest", err.msg, NULL, NULL);
    } else {
        cJSON *doc = list_doc(r, deleted, NULL, kstore_rv(r->api->st));
        kapi__json(rs, 200, doc);
        cJSON_Delete(doc);
    }
    cJSON_Delete(items);
    cJSON_Delete(deleted);
    free(ls);
    free(fs);
    free(o.uid);
    free(o.rv);
}

/* ---- logs ---------------------------------------------------------------------------------- */

static const char *default_container(const cJSON *pod)
{
    const char *ann = json_get_str(
        pod, "metadata.annotations.kubectl\\.kubernetes\\.io/default-container", NULL);
    if (ann)
        return ann;
    return json_get_str(pod, "spec.containers[0].name", NULL);
}

static void tail_lines(struct buf *b, long n)
{
    if (n < 0)
        return;
    size_t end = b->len, i = end;
    if (i && b->ptr[i - 1] == '\n')
        i--;
    long seen = 0;
    while (i > 0) {
        if (b->ptr[i - 1] == '\n' && ++seen == n)
            break;
        i--;
    }
    if (n == 0)
        i = end;
    memmove(b->ptr, b->ptr + i, end - i);
    buf_truncate(b, end - i);
}

/* `logs -f`: a stream that sends what the container logs, until the pod is
 * gone or the client leaves. */
struct logf {
    kapi *api;
    char *ns, *pod, *container;
    size_t sent;
};

static ssize_t logf_read(void *ctx, char *out, size_t max)
{
    struct logf *f = ctx;
    struct buf text = BUF_INIT;
    kstore_lock(f->api->st);
    int alive = kstore_peek(f->api->st, "", "pods", f->ns, f->pod) != NULL;
    kstore_log_get(f->api->st, f->ns, f->pod, f->container, &text, NULL);
    kstore_unlock(f->api->st);
    if (text.len < f->sent)   /* the log was trimmed at its cap */
        f->sent = text.len;
    size_t n = text.len - f->sent;
    if (n > max)
        n = max;
    memcpy(out, text.ptr + f->sent, n);
    f->sent += n;
    buf_release(&text);
    if (n)
        return (ssize_t)n;
    if (!alive)
        return 0;
    if (!clock_is_virtual(f->api->clk)) {
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return HTTP_STREAM_AGAIN;
}

static void logf_free(void *ctx)
{
    struct logf *f = ctx;
    free(f->ns);
    free(f->pod);
    free(f->container);
    free(f);
}

static void start_follow(struct kreq *r, struct http_response *rs, const char *container,
                         size_t skip)
{
    struct logf *f = xcalloc(1, sizeof(*f));
    f->api = r->api;
    f->ns = xstrdup(ns_or_empty(r));
    f->pod = xstrdup(r->name);
    f->container = container ? xstrdup(container) : NULL;
    f->sent = skip;
    rs->stream = logf_read;
    rs->stream_ctx = f;
    rs->stream_free = logf_free;
}

static void do_log(struct kreq *r, struct http_response *rs)
{
    const cJSON *pod = current(r);
    if (!pod) {
        not_found_obj(r, rs);
        return;
    }
    char *c = kapi__query(r, "container"), *tl = kapi__query(r, "tailLines");
    const char *container = c ? c : default_container(pod);
    struct buf text = BUF_INIT;
    kstore_log_get(r->api->st, ns_or_empty(r), r->name, container, &text, NULL);
    size_t full = text.len;
    if (tl)
        tail_lines(&text, strtol(tl, NULL, 10));
    http_response_set(rs, 200, "text/plain", text.ptr, text.len);
    if (kapi__query_bool(r, "follow"))
        start_follow(r, rs, container, full);
    buf_release(&text);
    free(c);
    free(tl);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

void kapi__serve(struct kreq *r, struct http_response *rs)
{
    const char *v = r->verb;
    int scale = r->sub && !strcmp(r->sub, "scale");
    if (r->sub && !strcmp(r->sub, "log")) {
        if (strcmp(v, "get"))
            kapi__status(rs, 405, "MethodNotAllowed", "only GET is allowed on pods/log", NULL,
                         NULL);
        else
            do_log(r, rs);
    } else if (!strcmp(v, "get") && scale) {
        const cJSON *cur = current(r);
        if (cur)
            send_scale(rs, cur);
        else
            not_found_obj(r, rs);
    } else if (!strcmp(v, "get")) {
        do_get(r, rs);
    } else if (!strcmp(v, "list")) {
        do_list(r, rs);
    } else if (!strcmp(v, "watch")) {
        do_watch(r, rs);
    } else if (!strcmp(v, "create")) {
        do_create(r, rs);
    } else if (!strcmp(v, "update")) {
        do_update(r, rs);
    } else if (!strcmp(v, "patch")) {
        do_patch(r, rs);
    } else if (r->sub) {
        kapi__status(rs, 405, "MethodNotAllowed", "the server does not allow this method on the "
                     "requested resource", NULL, NULL);
    } else if (!strcmp(v, "delete")) {
        do_delete(r, rs);
    } else {
        do_deletecollection(r, rs);
    }
}
