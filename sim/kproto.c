/* kproto.c -- decode kubectl's protobuf bodies (see kproto.h).  Field
 * numbers from k8s.io/api's generated.proto (kubectl-wire.md section 8). */
#include "kproto.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

struct pb {
    const unsigned char *p, *end;
};

struct pb_field {
    uint32_t num;
    int wire;
    uint64_t v;              /* varint */
    struct pb sub;           /* length-delimited */
};

static int pb_varint(struct pb *b, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (b->p >= b->end)
            return -1;
        unsigned char c = *b->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return 0;
    }
    return -1;
}

/* Next field; 1 = got one, 0 = end, -1 = malformed. */
static int pb_next(struct pb *b, struct pb_field *f)
{
    uint64_t key, len;
    if (b->p >= b->end)
        return 0;
    if (pb_varint(b, &key) < 0)
        return -1;
    f->num = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    switch (f->wire) {
    case 0:
        return pb_varint(b, &f->v) < 0 ? -1 : 1;
    case 1:
    case 5: {
        size_t n = f->wire == 1 ? 8 : 4;
        if ((size_t)(b->end - b->p) < n)
            return -1;
        b->p += n;
        return 1;
    }
    case 2:
        if (pb_varint(b, &len) < 0 || len > (uint64_t)(b->end - b->p))
            return -1;
        f->sub.p = b->p;
        f->sub.end = b->p + len;
        b->p += len;
        return 1;
    default:
        return -1;
    }
}

static char *pb_str(const struct pb_field *f)
{
    return xstrndup((const char *)f->sub.p, (size_t)(f->sub.end - f->sub.p));
}

static void b64(const unsigned char *p, size_t n, struct buf *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        buf_putc(out, tab[(v >> 18) & 63]);
        buf_putc(out, tab[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* A map entry {key=1, value=2} added to obj[name]; bytes values base64. */
static int pb_map_entry(cJSON *obj, const char *name, struct pb sub, int bytes)
{
    struct pb_field f;
    char *key = NULL, *val = NULL;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.wire != 2)
            continue;
        if (f.num == 1) {
            free(key);
            key = pb_str(&f);
        } else if (f.num == 2) {
            free(val);
            if (bytes) {
                struct buf b = BUF_INIT;
                b64(f.sub.p, (size_t)(f.sub.end - f.sub.p), &b);
                val = buf_detach(&b, NULL);
            } else {
                val = pb_str(&f);
            }
        }
    }
    if (rc == 0 && key) {
        cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
        if (!m)
            m = cJSON_AddObjectToObject(obj, name);
        cJSON_DeleteItemFromObjectCaseSensitive(m, key);
        cJSON_AddStringToObject(m, key, val ? val : "");
    }
    free(key);
    free(val);
    return rc < 0 ? -1 : 0;
}

/* ---- typed field helpers -------------------------------------------------------------------
 * Each returns 0, PB_BAD (malformed: wrong wire type) or PB_UNSUP (a field
 * outside the subset carries a value; cx->what names it).  Fields kubectl
 * leaves at their zero value (empty strings and messages, 0, false) are
 * skipped, so only data we would otherwise drop is refused. */

enum { PB_BAD = -1, PB_UNSUP = -2 };

struct pbcx {
    char what[128]; /* the unsupported field, for the message */
};

typedef int (*pb_msg_fn)(cJSON *obj, struct pb sub, struct pbcx *cx);

static void set_item(cJSON *obj, const char *key, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

static int pb_unknown(struct pbcx *cx, const char *msg, const struct pb_field *f)
{
    int has = f->wire == 0 ? f->v != 0 : f->wire == 2 ? f->sub.end > f->sub.p : 1;
    if (!has)
        return 0;
    snprintf(cx->what, sizeof(cx->what), "field %u of %s", (unsigned)f->num, msg);
    return PB_UNSUP;
}

/* A string field; empty strings are left out, as JSON's omitempty does. */
static int pb_set_str(cJSON *obj, const char *key, const struct pb_field *f)
{
    if (f->wire != 2)
        return PB_BAD;
    if (f->sub.end > f->sub.p) {
        char *str = pb_str(f);
        set_item(obj, key, cJSON_CreateString(str));
        free(str);
    }
    return 0;
}

/* A bool, kept only when true (omitempty). */
static int pb_set_true(cJSON *obj, const char *key, const struct pb_field *f)
{
    if (f->wire != 0)
        return PB_BAD;
    if (f->v)
        set_item(obj, key, cJSON_CreateTrue());
    return 0;
}

static int pb_push_str(cJSON *obj, const char *key, const struct pb_field *f)
{
    if (f->wire != 2)
        return PB_BAD;
    cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!a)
        a = cJSON_AddArrayToObject(obj, key);
    char *str = pb_str(f);
    cJSON_AddItemToArray(a, cJSON_CreateString(str));
    free(str);
    return 0;
}

/* An int32 (negative values come sign-extended to 64 bits).  omit_zero for
 * plain ints; pointer fields (replicas) are kept even when 0. */
static int pb_set_int(cJSON *obj, const char *key, const struct pb_field *f, int omit_zero)
{
    if (f->wire != 0)
        return PB_BAD;
    if (!omit_zero || f->v)
        set_item(obj, key, cJSON_CreateNumber((double)(int32_t)(uint32_t)f->v));
    return 0;
}

/* A sub-message decoded by fn into obj[key] (created when absent). */
static int pb_set_msg(cJSON *obj, const char *key, const struct pb_field *f, pb_msg_fn fn,
                      struct pbcx *cx)
{
    if (f->wire != 2)
        return PB_BAD;
    cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsObject(m)) {
        m = cJSON_CreateObject();
        set_item(obj, key, m);
    }
    return fn(m, f->sub, cx);
}

/* A repeated sub-message: one object appended to the array obj[key]. */
static int pb_push_msg(cJSON *obj, const char *key, const struct pb_field *f, pb_msg_fn fn,
                       struct pbcx *cx)
{
    if (f->wire != 2)
        return PB_BAD;
    cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!a)
        a = cJSON_AddArrayToObject(obj, key);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddItemToArray(a, m);
    return fn(m, f->sub, cx);
}

static int pb_map(cJSON *obj, const char *key, const struct pb_field *f)
{
    return f->wire != 2 ? PB_BAD : pb_map_entry(obj, key, f->sub, 0);
}

/* ---- ObjectMeta ------------------------------------------------------------------------------ */

static int pb_meta_fields(cJSON *md, struct pb sub, struct pbcx *cx)
{
    static const char *const strs[] = {NULL, "name", "generateName", "namespace"};
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.num >= 1 && f.num <= 3)
            rc = pb_set_str(md, strs[f.num], &f);
        else if (f.num == 11 || f.num == 12)
            rc = pb_map(md, f.num == 11 ? "labels" : "annotations", &f);
        else if (f.num == 14)
            rc = pb_push_str(md, "finalizers", &f);
        else if (f.num == 13 || f.num == 17) /* ownerReferences, managedFields */
            rc = pb_unknown(cx, "ObjectMeta", &f);
        else
            rc = 0; /* uid, resourceVersion, timestamps...: the server sets them */
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_meta(cJSON *obj, struct pb sub, struct pbcx *cx)
{
    struct pb_field f = {.wire = 2, .sub = sub};
    return pb_set_msg(obj, "metadata", &f, pb_meta_fields, cx);
}

/* ---- Namespace, ConfigMap, Secret ----------------------------------------------------------- */

/* The object message of kind (Namespace, ConfigMap, Secret). */
static int pb_object(cJSON *obj, const char *kind, struct pb raw, struct pbcx *cx)
{
    int secret = !strcmp(kind, "Secret"), cm = !strcmp(kind, "ConfigMap");
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&raw, &f)) == 1) {
        if (f.num == 1 && f.wire == 2) {
            rc = pb_meta(obj, f.sub, cx);
            if (rc < 0)
                return rc;
        } else if ((cm || secret) && f.num == 2 && f.wire == 2) {
            if (pb_map_entry(obj, "data", f.sub, secret) < 0)
                return -1;
        } else if (cm && f.num == 3 && f.wire == 2) {
            if (pb_map_entry(obj, "binaryData", f.sub, 1) < 0)
                return -1;
        } else if (secret && f.num == 3 && f.wire == 2 && f.sub.end > f.sub.p) {
            char *str = pb_str(&f);
            cJSON_AddStringToObject(obj, "type", str);
            free(str);
        } else if (secret && f.num == 4 && f.wire == 2) {
            if (pb_map_entry(obj, "stringData", f.sub, 0) < 0)
                return -1;
        } else if (((cm && f.num == 4) || (secret && f.num == 5)) && f.wire == 0) {
            cJSON_AddBoolToObject(obj, "immutable", f.v != 0);
        }
    }
    return rc;
}

/* ---- apps/v1 Deployment: what `kubectl create deployment` sends ------------------------------ */

static int pb_port(cJSON *p, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        switch (f.num) {
        case 1: rc = pb_set_str(p, "name", &f); break;
        case 2: rc = pb_set_int(p, "hostPort", &f, 1); break;
        case 3: rc = pb_set_int(p, "containerPort", &f, 0); break;
        case 4: rc = pb_set_str(p, "protocol", &f); break;
        case 5: rc = pb_set_str(p, "hostIP", &f); break;
        default: rc = pb_unknown(cx, "ContainerPort", &f); break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_env(cJSON *e, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    cJSON_AddStringToObject(e, "name", ""); /* required, so present even when empty */
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.num == 1 || f.num == 2)
            rc = pb_set_str(e, f.num == 1 ? "name" : "value", &f);
        else
            rc = pb_unknown(cx, "EnvVar", &f); /* valueFrom */
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_container(cJSON *c, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        switch (f.num) {
        case 1: rc = pb_set_str(c, "name", &f); break;
        case 2: rc = pb_set_str(c, "image", &f); break;
        case 3: rc = pb_push_str(c, "command", &f); break;
        case 4: rc = pb_push_str(c, "args", &f); break;
        case 5: rc = pb_set_str(c, "workingDir", &f); break;
        case 6: rc = pb_push_msg(c, "ports", &f, pb_port, cx); break;
        case 7: rc = pb_push_msg(c, "env", &f, pb_env, cx); break;
        case 13: rc = pb_set_str(c, "terminationMessagePath", &f); break;
        case 14: rc = pb_set_str(c, "imagePullPolicy", &f); break;
        case 20: rc = pb_set_str(c, "terminationMessagePolicy", &f); break;
        default: rc = pb_unknown(cx, "Container", &f); break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_podspec(cJSON *spec, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.num == 2)
            rc = pb_push_msg(spec, "containers", &f, pb_container, cx);
        else if (f.num == 3 || f.num == 6 || f.num == 8 || f.num == 19)
            rc = pb_set_str(spec, f.num == 3 ? "restartPolicy" : f.num == 6 ? "dnsPolicy"
                                  : f.num == 8 ? "serviceAccountName" : "schedulerName", &f);
        else
            rc = pb_unknown(cx, "PodSpec", &f);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_template(cJSON *tpl, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.num == 1)
            rc = f.wire == 2 ? pb_meta(tpl, f.sub, cx) : PB_BAD;
        else if (f.num == 2)
            rc = pb_set_msg(tpl, "spec", &f, pb_podspec, cx);
        else
            rc = pb_unknown(cx, "PodTemplateSpec", &f);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_selector(cJSON *sel, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        rc = f.num == 1 ? pb_map(sel, "matchLabels", &f)
                        : pb_unknown(cx, "LabelSelector", &f); /* matchExpressions */
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_strategy(cJSON *st, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        rc = f.num == 1 ? pb_set_str(st, "type", &f)
                        : pb_unknown(cx, "DeploymentStrategy", &f); /* rollingUpdate */
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_deploy_spec(cJSON *spec, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        switch (f.num) {
        case 1: rc = pb_set_int(spec, "replicas", &f, 0); break;
        case 2: rc = pb_set_msg(spec, "selector", &f, pb_selector, cx); break;
        case 3: rc = pb_set_msg(spec, "template", &f, pb_template, cx); break;
        case 4: rc = pb_set_msg(spec, "strategy", &f, pb_strategy, cx); break;
        case 5: rc = pb_set_int(spec, "minReadySeconds", &f, 1); break;
        case 6: rc = pb_set_int(spec, "revisionHistoryLimit", &f, 0); break;
        case 7: rc = pb_set_true(spec, "paused", &f); break;
        case 9: rc = pb_set_int(spec, "progressDeadlineSeconds", &f, 0); break;
        default: rc = pb_unknown(cx, "DeploymentSpec", &f); break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* ---- autoscaling/v1 HorizontalPodAutoscaler: what `kubectl autoscale` sends ----------------- */

static int pb_target_ref(cJSON *ref, struct pb sub, struct pbcx *cx)
{
    static const char *const keys[] = {NULL, "kind", "name", "apiVersion"};
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        rc = f.num >= 1 && f.num <= 3 ? pb_set_str(ref, keys[f.num], &f)
                                      : pb_unknown(cx, "CrossVersionObjectReference", &f);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int pb_hpa_spec(cJSON *spec, struct pb sub, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        switch (f.num) {
        case 1: rc = pb_set_msg(spec, "scaleTargetRef", &f, pb_target_ref, cx); break;
        case 2: rc = pb_set_int(spec, "minReplicas", &f, 0); break;
        case 3: rc = pb_set_int(spec, "maxReplicas", &f, 0); break;
        case 4: rc = pb_set_int(spec, "targetCPUUtilizationPercentage", &f, 0); break;
        default: rc = pb_unknown(cx, "HorizontalPodAutoscalerSpec", &f); break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* Deployment and HPA share the shape {metadata=1, spec=2, status=3}; the
 * status is the server's, so it is not read. */
static int pb_spec_object(cJSON *obj, struct pb raw, pb_msg_fn spec_fn, struct pbcx *cx)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&raw, &f)) == 1) {
        if (f.num == 1)
            rc = f.wire == 2 ? pb_meta(obj, f.sub, cx) : PB_BAD;
        else if (f.num == 2)
            rc = pb_set_msg(obj, "spec", &f, spec_fn, cx);
        else
            rc = f.num == 3 ? 0 : pb_unknown(cx, "the object", &f);
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* ---- envelope ------------------------------------------------------------------------------- */

static int pb_typemeta(struct pb sub, char **api, char **kind)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.wire == 2 && (f.num == 1 || f.num == 2)) {
            char **dst = f.num == 1 ? api : kind;
            free(*dst);
            *dst = pb_str(&f);
        }
    }
    return rc;
}

static int simple_kind(const char *api, const char *kind)
{
    return !strcmp(api, "v1") &&
           (!strcmp(kind, "Namespace") || !strcmp(kind, "ConfigMap") || !strcmp(kind, "Secret"));
}

/* The object message raw of apiVersion api and kind, as JSON in *out. */
static int decode_kind(const char *api, const char *kind, struct pb raw, cJSON **out,
                       struct err *err)
{
    int deploy = !strcmp(api, "apps/v1") && !strcmp(kind, "Deployment");
    int hpa = !strcmp(api, "autoscaling/v1") && !strcmp(kind, "HorizontalPodAutoscaler");
    struct pbcx cx = {{0}};
    int rc = 0;
    if (!deploy && !hpa && !simple_kind(api, kind))
        return err_set(err, E_INVALID, "protobuf bodies are supported for v1 Namespace, "
                       "ConfigMap and Secret, apps/v1 Deployment and autoscaling/v1 "
                       "HorizontalPodAutoscaler only, not %.60s %.60s: send JSON", api, kind);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "apiVersion", api);
    cJSON_AddStringToObject(obj, "kind", kind);
    if (raw.p && (deploy || hpa))
        rc = pb_spec_object(obj, raw, deploy ? pb_deploy_spec : pb_hpa_spec, &cx);
    else if (raw.p)
        rc = pb_object(obj, kind, raw, &cx);
    if (rc == PB_UNSUP)
        rc = err_set(err, E_INVALID, "protobuf %s: %s is not supported by this server: send "
                     "JSON", kind, cx.what);
    else if (rc < 0)
        rc = err_set(err, E_PARSE, "protobuf body: malformed %s", kind);
    if (rc < 0) {
        cJSON_Delete(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

int kproto_decode(const char *data, size_t len, cJSON **out, struct err *err)
{
    struct pb b = {(const unsigned char *)data, (const unsigned char *)data + len};
    struct pb raw = {NULL, NULL};
    struct pb_field f;
    char *api = NULL, *kind = NULL;
    cJSON *obj = NULL;
    int rc;
    if (len < 4 || memcmp(data, "k8s\0", 4))
        return err_set(err, E_PARSE, "protobuf body: missing the \"k8s\\0\" prefix");
    b.p += 4;
    while ((rc = pb_next(&b, &f)) == 1) {
        if (f.num == 1 && f.wire == 2 && pb_typemeta(f.sub, &api, &kind) < 0)
            rc = -1;
        else if (f.num == 2 && f.wire == 2)
            raw = f.sub;
        if (rc < 0)
            break;
    }
    if (rc < 0 || !kind || !api) {
        rc = err_set(err, E_PARSE, "protobuf body: malformed envelope");
        goto out;
    }
    rc = decode_kind(api, kind, raw, &obj, err);
    if (rc < 0)
        goto out;
    *out = obj;
    obj = NULL;
    rc = 0;
out:
    cJSON_Delete(obj);
    free(api);
    free(kind);
    return rc;
}
