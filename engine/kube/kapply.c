/* kapply.c -- client-side apply with a three-way merge (see kapply.h). */
#include "kube/kapply.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"

#define KAPPLY_ATTEMPTS 4

const char *kapply_result_name(enum kapply_result r)
{
    switch (r) {
    case KAPPLY_CREATED:
        return "created";
    case KAPPLY_CONFIGURED:
        return "configured";
    case KAPPLY_UNCHANGED:
        break;
    }
    return "unchanged";
}

/* Go's encoding/json escapes these inside strings (HTML safety); kubectl's
 * annotation has them escaped, so ours must too to be byte-identical.  They
 * cannot occur outside strings in JSON text, so a plain rewrite is safe. */
static void go_escape(const struct buf *in, struct buf *out)
{
    for (size_t i = 0; i < in->len; i++) {
        unsigned char ch = (unsigned char)in->ptr[i];
        if (ch == '<' || ch == '>' || ch == '&') {
            buf_addf(out, "\\u%04x", ch);
        } else if (ch == 0xE2 && i + 2 < in->len && (unsigned char)in->ptr[i + 1] == 0x80 &&
                   ((unsigned char)in->ptr[i + 2] == 0xA8 || (unsigned char)in->ptr[i + 2] == 0xA9)) {
            buf_addf(out, "\\u20%02x", (unsigned char)in->ptr[i + 2] == 0xA8 ? 0x28 : 0x29);
            i += 2;
        } else {
            buf_putc(out, (char)ch);
        }
    }
}

/* kubectl (GetModifiedConfiguration) takes the annotation out of the
 * annotations map and serializes the object; the map is kept even when that
 * leaves it empty, and created empty when the manifest had none. */
char *kapply_last_applied(const cJSON *manifest)
{
    cJSON *copy = cJSON_Duplicate(manifest, 1);
    cJSON *md = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
    if (cJSON_IsObject(md)) {
        cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
        if (!cJSON_IsObject(ann)) {
            cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
            ann = cJSON_AddObjectToObject(md, "annotations");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(ann, KAPPLY_ANNOTATION);
    }
    struct buf raw = BUF_INIT, b = BUF_INIT;
    json_canonical(copy, &raw);
    go_escape(&raw, &b);
    buf_putc(&b, '\n');
    buf_release(&raw);
    cJSON_Delete(copy);
    return buf_detach(&b, NULL);
}

/* ---- the three-way merge -------------------------------------------------------------------- */

/* Every field of want is in have with the same value (lists: same length,
 * item by item). */
static int contained(const cJSON *want, const cJSON *have)
{
    if (!have)
        return 0;
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(have))
            return 0;
        const cJSON *w;
        cJSON_ArrayForEach(w, want)
        {
            if (!contained(w, cJSON_GetObjectItemCaseSensitive(have, w->string)))
                return 0;
        }
        return 1;
    }
    if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(have) || cJSON_GetArraySize(want) != cJSON_GetArraySize(have))
            return 0;
        const cJSON *h = have->child, *w;
        cJSON_ArrayForEach(w, want)
        {
            if (!contained(w, h))
                return 0;
            h = h->next;
        }
        return 1;
    }
    return json_equal(want, have);
}

static int list_unchanged(const cJSON *last, const cJSON *mod, const cJSON *live)
{
    if (last && !json_equal(last, mod))
        return 0;
    return contained(mod, live);
}

static void add_deletions(cJSON *patch, const cJSON *last, const cJSON *mod, const cJSON *live)
{
    const cJSON *o;
    cJSON_ArrayForEach(o, last)
    {
        if (!cJSON_GetObjectItemCaseSensitive(mod, o->string) &&
            cJSON_GetObjectItemCaseSensitive(live, o->string))
            cJSON_AddNullToObject(patch, o->string);
    }
}

/* ---- strategic lists ------------------------------------------------------------------------ */

/* The patch merge key of a list, by its field name: the patchMergeKey tags
 * of the k8s.io/api types (ports: containerPort in containers, port in
 * services), as the server reads them.  NULL: the list is replaced. */
static const char *merge_key(const char *field, const cJSON *a, const cJSON *b)
{
    static const char *const by_name[] = {"containers", "initContainers", "ephemeralContainers",
                                          "volumes", "env", "imagePullSecrets", "secrets",
                                          "resourceClaims"};
    static const char *const pairs[][2] = {{"volumeMounts", "mountPath"},
                                           {"volumeDevices", "devicePath"},
                                           {"conditions", "type"},
                                           {"ownerReferences", "uid"},
                                           {"hostAliases", "ip"},
                                           {"topologySpreadConstraints", "topologyKey"}};
    for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
        if (!strcmp(field, by_name[i]))
            return "name";
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        if (!strcmp(field, pairs[i][0]))
            return pairs[i][1];
    if (strcmp(field, "ports"))
        return NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, a) if (cJSON_GetObjectItemCaseSensitive(it, "containerPort"))
        return "containerPort";
    cJSON_ArrayForEach(it, b) if (cJSON_GetObjectItemCaseSensitive(it, "containerPort"))
        return "containerPort";
    return "port";
}

static const cJSON *find_by_key(const cJSON *list, const char *mk, const cJSON *val)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, mk);
        if (k && json_equal(k, val))
            return it;
    }
    return NULL;
}

/* Every manifest item is an object carrying the merge key. */
static int keyed_items(const cJSON *mod, const char *mk)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, mod)
    {
        if (!cJSON_IsObject(it) || !cJSON_GetObjectItemCaseSensitive(it, mk))
            return 0;
    }
    return 1;
}

static cJSON *keyed(const char *mk, const cJSON *val)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, mk, cJSON_Duplicate(val, 1));
    return o;
}

static cJSON *three_way(const cJSON *last, const cJSON *mod, const cJSON *live, int smp);

/* The strategic patch of a keyed list: new items whole, changed ones as
 * partial items with their key, items dropped from the manifest (and still
 * live) as {"$patch":"delete"}; items only live are not mentioned, so kept.
 * An empty array when nothing changes. */
static cJSON *keyed_list(const cJSON *last, const cJSON *mod, const cJSON *live, const char *mk)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *m, *o;
    cJSON_ArrayForEach(m, mod)
    {
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(m, mk);
        const cJSON *c = find_by_key(live, mk, kv);
        if (!c) {
            cJSON_AddItemToArray(out, cJSON_Duplicate(m, 1));
            continue;
        }
        cJSON *sub = three_way(find_by_key(last, mk, kv), m, c, 1);
        if (sub->child) {
            cJSON *item = keyed(mk, kv);
            while (sub->child) {
                cJSON *f = cJSON_DetachItemViaPointer(sub, sub->child);
                cJSON_AddItemToObject(item, f->string, f);
            }
            cJSON_AddItemToArray(out, item);
        }
        cJSON_Delete(sub);
    }
    cJSON_ArrayForEach(o, last)
    {
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, mk);
        if (kv && !find_by_key(mod, mk, kv) && find_by_key(live, mk, kv)) {
            cJSON *del = cJSON_CreateObject();
            cJSON_AddStringToObject(del, "$patch", "delete");
            cJSON_AddItemToObject(del, mk, cJSON_Duplicate(kv, 1));
            cJSON_AddItemToArray(out, del);
        }
    }
    return out;
}

/* Add the strategic patch of list k to patch, with the manifest's order. */
static void add_keyed_list(cJSON *patch, const char *k, const cJSON *last, const cJSON *mod,
                           const cJSON *live, const char *mk)
{
    cJSON *l = keyed_list(cJSON_IsArray(last) ? last : NULL, mod, live, mk);
    if (!l->child) {
        cJSON_Delete(l);
        return;
    }
    cJSON_AddItemToObject(patch, k, l);
    cJSON *order = cJSON_CreateArray();
    const cJSON *m;
    cJSON_ArrayForEach(m, mod) cJSON_AddItemToArray(
        order, keyed(mk, cJSON_GetObjectItemCaseSensitive(m, mk)));
    char *name = xasprintf("$setElementOrder/%s", k);
    cJSON_AddItemToObject(patch, name, order);
    free(name);
}

/* ---- the three-way diff of maps ------------------------------------------------------------- */

static void diff_list(cJSON *patch, const char *k, const cJSON *o, const cJSON *m, const cJSON *c,
                      int smp)
{
    const char *mk = smp ? merge_key(k, m, c) : NULL;
    if (mk && keyed_items(m, mk))
        add_keyed_list(patch, k, o, m, c, mk);
    else if (!list_unchanged(o, m, c))
        cJSON_AddItemToObject(patch, k, cJSON_Duplicate(m, 1));
}

static cJSON *three_way(const cJSON *last, const cJSON *mod, const cJSON *live, int smp)
{
    cJSON *patch = cJSON_CreateObject();
    const cJSON *m;
    cJSON_ArrayForEach(m, mod)
    {
        const char *k = m->string;
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(live, k);
        const cJSON *o = cJSON_IsObject(last) ? cJSON_GetObjectItemCaseSensitive(last, k) : NULL;
        if (cJSON_IsNull(m)) {
            if (c)
                cJSON_AddNullToObject(patch, k);
        } else if (cJSON_IsObject(m) && cJSON_IsObject(c)) {
            cJSON *sub = three_way(cJSON_IsObject(o) ? o : NULL, m, c, smp);
            if (sub->child)
                cJSON_AddItemToObject(patch, k, sub);
            else
                cJSON_Delete(sub);
        } else if (cJSON_IsArray(m) && cJSON_IsArray(c)) {
            diff_list(patch, k, o, m, c, smp);
        } else if (!c || !json_equal(m, c)) {
            cJSON_AddItemToObject(patch, k, cJSON_Duplicate(m, 1));
        }
    }
    if (cJSON_IsObject(last))
        add_deletions(patch, last, mod, live);
    return patch;
}

cJSON *kapply_patch(const cJSON *last, const cJSON *manifest, const cJSON *live)
{
    return three_way(last, manifest, cJSON_IsObject(live) ? live : NULL, 0);
}

cJSON *kapply_strategic_patch(const cJSON *last, const cJSON *manifest, const cJSON *live)
{
    return three_way(last, manifest, cJSON_IsObject(live) ? live : NULL, 1);
}

/* The API groups kubectl's scheme registers (k8s.io/kubectl/pkg/scheme):
 * their kinds get a strategic merge patch, every other (custom resources,
 * CRDs themselves, aggregated APIs) a merge patch. */
int kapply_builtin(const char *api_version)
{
    static const char *const groups[] = {
        "admissionregistration.k8s.io", "apps", "authentication.k8s.io",
        "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions",
        "flowcontrol.apiserver.k8s.io", "imagepolicy.k8s.io", "internal.apiserver.k8s.io",
        "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io",
        "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io"};
    const char *slash = api_version ? strchr(api_version, '/') : NULL;
    if (!api_version)
        return 0;
    if (!slash)
        return 1; /* the core group: "v1" */
    size_t n = (size_t)(slash - api_version);
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (strlen(groups[i]) == n && !strncmp(api_version, groups[i], n))
            return 1;
    return 0;
}

/* ---- apply ---------------------------------------------------------------------------------- */

/* manifest plus the new annotation. */
static cJSON *with_annotation(const cJSON *manifest)
{
    cJSON *mod = cJSON_Duplicate(manifest, 1);
    char *value = kapply_last_applied(manifest);
    cJSON *md = cJSON_GetObjectItemCaseSensitive(mod, "metadata");
    cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    if (!cJSON_IsObject(ann)) {
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
        ann = cJSON_AddObjectToObject(md, "annotations");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(ann, KAPPLY_ANNOTATION);
    cJSON_AddStringToObject(ann, KAPPLY_ANNOTATION, value);
    free(value);
    return mod;
}

static cJSON *last_of(const cJSON *live)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(live, "metadata");
    const cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ann, KAPPLY_ANNOTATION);
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    cJSON *last = NULL;
    if (s && json_parse(&last, s, strlen(s), NULL, NULL) == 0 && cJSON_IsObject(last))
        return last;
    cJSON_Delete(last);
    return NULL;
}

/* One read-compare-write round: 1 when the caller should retry. */
/* The patch for live and whether it changes anything: a strategic one for
 * built-in kinds (empty exactly when nothing changes), else a merge patch. */
static cJSON *patch_for(const cJSON *last, const cJSON *mod, const cJSON *live, int smp,
                        int *changes)
{
    if (smp) {
        cJSON *p = kapply_strategic_patch(last, mod, live);
        *changes = p->child != NULL;
        return p;
    }
    cJSON *p = kapply_patch(last, mod, live);
    cJSON *patched = p->child ? json_merge_patch(live, p) : NULL;
    *changes = patched && !json_equal(patched, live);
    cJSON_Delete(patched);
    return p;
}

static int apply_once(kube_client *c, const struct kube_ref *ref, const cJSON *mod,
                      enum kapply_result *res, cJSON **out, struct err *err)
{
    cJSON *live = NULL, *last = NULL, *patch = NULL;
    int changes, smp = kapply_builtin(ref->api_version);
    int rc = kube_get(c, ref, &live, err);
    if (rc == E_NOTFOUND) {
        *res = KAPPLY_CREATED;
        rc = kube_create(c, mod, out, err);
        return rc == E_EXISTS ? 1 : rc;
    }
    if (rc < 0)
        return rc;
    last = last_of(live);
    patch = patch_for(last, mod, live, smp, &changes);
    if (!changes) {
        *res = KAPPLY_UNCHANGED;
        if (out) {
            *out = live;
            live = NULL;
        }
    } else {
        *res = KAPPLY_CONFIGURED;
        rc = kube_patch(c, ref, smp ? KUBE_PATCH_STRATEGIC : KUBE_PATCH_MERGE, patch, out, err);
        if (rc == E_CONFLICT || rc == E_NOTFOUND)
            rc = 1;
    }
    cJSON_Delete(live);
    cJSON_Delete(last);
    cJSON_Delete(patch);
    return rc;
}

int kapply_apply(kube_client *c, const cJSON *manifest, enum kapply_result *res, cJSON **out,
                 struct err *err)
{
    struct kube_ref ref = {
        .api_version = json_get_str(manifest, "apiVersion", NULL),
        .kind = json_get_str(manifest, "kind", NULL),
        .ns = json_get_str(manifest, "metadata.namespace", NULL),
        .name = json_get_str(manifest, "metadata.name", NULL),
    };
    if (!ref.api_version || !ref.kind || !cJSON_IsObject(json_get(manifest, "metadata")))
        return err_set(err, E_INVALID, "manifest has no apiVersion, kind or metadata");
    if (!ref.name || !*ref.name)
        return err_set(err, E_INVALID, "%s has no metadata.name", ref.kind);
    if (ref.ns && !*ref.ns)
        ref.ns = NULL;
    if (out)
        *out = NULL;
    cJSON *mod = with_annotation(manifest);
    int rc = 1;
    for (int i = 0; i < KAPPLY_ATTEMPTS && rc == 1; i++)
        rc = apply_once(c, &ref, mod, res, out, err);
    if (rc == 1)
        rc = err_set(err, E_CONFLICT, "%s \"%s\": still conflicting after %d attempts", ref.kind,
                     ref.name, KAPPLY_ATTEMPTS);
    cJSON_Delete(mod);
    return rc;
}
