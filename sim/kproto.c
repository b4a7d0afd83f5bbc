/* kproto.c -- decode kubectl's protobuf bodies (see kproto.h).  Field
 * numbers from k8s.io/api's generated.proto (kubectl-wire.md section 8). */
#include "kproto.h"

#include <stdint.h>
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

static int pb_meta(cJSON *obj, struct pb sub)
{
    static const char *const strs[] = {NULL, "name", "generateName", "namespace"};
    cJSON *md = cJSON_AddObjectToObject(obj, "metadata");
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&sub, &f)) == 1) {
        if (f.wire != 2)
            continue;
        if (f.num >= 1 && f.num <= 3 && f.sub.end > f.sub.p) {
            char *s = pb_str(&f);
            cJSON_AddStringToObject(md, strs[f.num], s);
            free(s);
        } else if ((f.num == 11 || f.num == 12) &&
                   pb_map_entry(md, f.num == 11 ? "labels" : "annotations", f.sub, 0) < 0) {
            return -1;
        }
    }
    return rc;
}

/* The object message of kind (Namespace, ConfigMap, Secret). */
static int pb_object(cJSON *obj, const char *kind, struct pb raw)
{
    int secret = !strcmp(kind, "Secret"), cm = !strcmp(kind, "ConfigMap");
    struct pb_field f;
    int rc;
    while ((rc = pb_next(&raw, &f)) == 1) {
        if (f.num == 1 && f.wire == 2) {
            if (pb_meta(obj, f.sub) < 0)
                return -1;
        } else if ((cm || secret) && f.num == 2 && f.wire == 2) {
            if (pb_map_entry(obj, "data", f.sub, secret) < 0)
                return -1;
        } else if (cm && f.num == 3 && f.wire == 2) {
            if (pb_map_entry(obj, "binaryData", f.sub, 1) < 0)
                return -1;
        } else if (secret && f.num == 3 && f.wire == 2 && f.sub.end > f.sub.p) {
            char *s = pb_str(&f);
            cJSON_AddStringToObject(obj, "type", s);
            free(s);
        } else if (secret && f.num == 4 && f.wire == 2) {
            if (pb_map_entry(obj, "stringData", f.sub, 0) < 0)
                return -1;
        } else if (((cm && f.num == 4) || (secret && f.num == 5)) && f.wire == 0) {
            cJSON_AddBoolToObject(obj, "immutable", f.v != 0);
        }
    }
    return rc;
}

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
    if (strcmp(kind, "Namespace") && strcmp(kind, "ConfigMap") && strcmp(kind, "Secret")) {
        rc = err_set(err, E_INVALID, "protobuf bodies are supported for Namespace, ConfigMap "
                     "and Secret only, not %s: send JSON", kind);
        goto out;
    }
    obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "apiVersion", api);
    cJSON_AddStringToObject(obj, "kind", kind);
    if (raw.p && pb_object(obj, kind, raw) < 0) {
        rc = err_set(err, E_PARSE, "protobuf body: malformed %s", kind);
        goto out;
    }
    *out = obj;
    obj = NULL;
    rc = 0;
out:
    cJSON_Delete(obj);
    free(api);
    free(kind);
    return rc;
}
