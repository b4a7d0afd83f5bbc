/* kpatch.c -- JSON Patch and strategic merge patch (see kpatch.h).
 * The strategic merge works without the Go type schema: the merge key of a
 * list is chosen by the list's field name (the keys the built-in types
 * declare), and for "ports" by what the items carry (containerPort for
 * containers, port for services).
 */
#include "kpatch.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

#define SMP_MAX_DEPTH 64

/* ---- JSON Patch (RFC 6902) --------------------------------------------------------- */

/* Decode one reference token (~1 -> /, ~0 -> ~) into a new string. */
static char *ptr_token(const char *s, size_t n)
{
    char *t = xmalloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
            t[j++] = s[i + 1] == '0' ? '~' : '/';
            i++;
        } else {
            t[j++] = s[i];
        }
    }
    t[j] = '\0';
    return t;
}

static int parse_index(const char *tok, size_t *idx)
{
    if (!*tok || (tok[0] == '0' && tok[1]) || strlen(tok) > 9)
        return -1;
    size_t v = 0;
    for (const char *p = tok; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    *idx = v;
    return 0;
}

static cJSON *child_of(cJSON *node, const char *tok)
{
    size_t idx;
    if (cJSON_IsObject(node))
        return cJSON_GetObjectItemCaseSensitive(node, tok);
    if (cJSON_IsArray(node) && parse_index(tok, &idx) == 0)
        return cJSON_GetArrayItem(node, (int)idx);
    return NULL;
}

/* Resolve path to its parent node and last token (*last, caller frees).
 * path "" (the whole document) gives *parent NULL. */
static int ptr_parent(cJSON *doc, const char *path, cJSON **parent, char **last)
{
    *parent = NULL;
    *last = NULL;
    if (!*path)
        return 0;
    if (*path != '/')
        return -1;
    cJSON *cur = doc;
    const char *p = path + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash) {
            *parent = cur;
            *last = ptr_token(p, strlen(p));
            return 0;
        }
        char *tok = ptr_token(p, (size_t)(slash - p));
        cur = child_of(cur, tok);
        free(tok);
        if (!cur)
            return -1;
        p = slash + 1;
    }
}

static cJSON *ptr_get(cJSON *doc, const char *path)
{
    cJSON *parent;
    char *last;
    if (ptr_parent(doc, path, &parent, &last) < 0)
        return NULL;
    cJSON *r = parent ? child_of(parent, last) : doc;
    free(last);
    return r;
}

/* cJSON_InsertItemInArray of cJSON 1.7.15 refuses items of parsed arrays, so
 * insert by moving the tail out and back. */
static void array_insert(cJSON *arr, int idx, cJSON *item)
{
    cJSON *tail = cJSON_CreateArray();
    while (cJSON_GetArraySize(arr) > idx)
        cJSON_AddItemToArray(tail, cJSON_DetachItemFromArray(arr, idx));
    cJSON_AddItemToArray(arr, item);
    while (tail->child)
        cJSON_AddItemToArray(arr, cJSON_DetachItemViaPointer(tail, tail->child));
    cJSON_Delete(tail);
}

/* Insert value (owned) at path; *doc may be replaced when path is "". */
static int ptr_add(cJSON **doc, const char *path, cJSON *value, int replace)
{
    cJSON *parent;
    char *last;
    size_t idx;
    int rc = -1;
    if (ptr_parent(*doc, path, &parent, &last) < 0)
        goto out;
    if (!parent) {
        cJSON_Delete(*doc);
        *doc = value;
        value = NULL;
        rc = 0;
    } else if (cJSON_IsObject(parent)) {
        if (replace && !cJSON_GetObjectItemCaseSensitive(parent, last))
            goto out;
        cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
        cJSON_AddItemToObject(parent, last, value);
        value = NULL;
        rc = 0;
    } else if (cJSON_IsArray(parent)) {
        int n = cJSON_GetArraySize(parent);
        if (!replace && !strcmp(last, "-")) {
            cJSON_AddItemToArray(parent, value);
        } else if (parse_index(last, &idx) == 0 && (int)idx <= n - (replace ? 1 : 0)) {
            if (replace)
                cJSON_ReplaceItemInArray(parent, (int)idx, value);
            else if ((int)idx == n)
                cJSON_AddItemToArray(parent, value);
            else
                array_insert(parent, (int)idx, value);
        } else {
            goto out;
        }
        value = NULL;
        rc = 0;
    }
out:
    cJSON_Delete(value);
    free(last);
    return rc;
}

/* Detach the node at path (caller owns it), or NULL. */
static cJSON *ptr_detach(cJSON *doc, const char *path)
{
    cJSON *parent, *r = NULL;
    char *last;
    size_t idx;
    if (ptr_parent(doc, path, &parent, &last) < 0 || !parent)
        goto out;
    if (cJSON_IsObject(parent))
        r = cJSON_DetachItemFromObjectCaseSensitive(parent, last);
    else if (cJSON_IsArray(parent) && parse_index(last, &idx) == 0 &&
             (int)idx < cJSON_GetArraySize(parent))
        r = cJSON_DetachItemFromArray(parent, (int)idx);
out:
    free(last);
    return r;
}

static int json_op(cJSON **doc, const cJSON *op, int i, struct err *err)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "op"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "path"));
    const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "from"));
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
    if (!name || !path)
        return err_set(err, E_INVALID, "json patch operation %d: needs \"op\" and \"path\"", i);
    int needs_value = !strcmp(name, "add") || !strcmp(name, "replace") || !strcmp(name, "test");
    if (needs_value && !value)
        return err_set(err, E_INVALID, "json patch operation %d (%s): missing \"value\"", i,
                       name);
    int rc = -1;
    if (!strcmp(name, "add") || !strcmp(name, "replace")) {
        rc = ptr_add(doc, path, cJSON_Duplicate(value, 1), name[0] == 'r');
    } else if (!strcmp(name, "remove")) {
        cJSON *gone = *path ? ptr_detach(*doc, path) : NULL;
        rc = gone ? 0 : -1;
        cJSON_Delete(gone);
    } else if (!strcmp(name, "test")) {
        const cJSON *cur = ptr_get(*doc, path);
        rc = cur && json_equal(cur, value) ? 0 : -1;
    } else if ((!strcmp(name, "move") || !strcmp(name, "copy")) && from) {
        size_t fl = strlen(from);
        if (name[0] == 'm' && !strncmp(path, from, fl) && (path[fl] == '/' || !path[fl]) &&
            strcmp(path, from))
            return err_set(err, E_INVALID, "json patch operation %d: cannot move into a child",
                           i);
        cJSON *v = name[0] == 'm' ? ptr_detach(*doc, from) : NULL;
        if (name[0] == 'c' && ptr_get(*doc, from))
            v = cJSON_Duplicate(ptr_get(*doc, from), 1);
        rc = v ? ptr_add(doc, path, v, 0) : -1;
    } else {
        return err_set(err, E_INVALID, "json patch operation %d: unknown op \"%s\"", i, name);
    }
    if (rc < 0)
        return err_set(err, E_INVALID, "json patch operation %d (%s): %s \"%s\"", i, name,
                       !strcmp(name, "test") ? "test failed at" : "no such path", path);
    return 0;
}

int kpatch_json(const cJSON *doc, const cJSON *ops, cJSON **out, struct err *err)
{
    if (!cJSON_IsArray(ops))
        return err_set(err, E_INVALID, "json patch: the body must be a JSON array");
    cJSON *d = doc ? cJSON_Duplicate(doc, 1) : cJSON_CreateObject();
    const cJSON *op;
    int i = 0;
    cJSON_ArrayForEach(op, ops)
    {
        int rc = json_op(&d, op, i++, err);
        if (rc < 0) {
            cJSON_Delete(d);
            return rc;
        }
    }
    *out = d;
    return 0;
}

/* ---- strategic merge patch ------------------------------------------------------------ */

static const char *merge_key(const char *field, const cJSON *a, const cJSON *b)
{
    static const char *const by_name[] = {"containers", "initContainers", "ephemeralContainers",
                                          "volumes", "env", "imagePullSecrets", "secrets",
                                          "resourceClaims"};
    for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
        if (!strcmp(field, by_name[i]))
            return "name";
    if (!strcmp(field, "ports")) {
        const cJSON *it;
        cJSON_ArrayForEach(it, a) if (cJSON_GetObjectItemCaseSensitive(it, "containerPort"))
            return "containerPort";
        cJSON_ArrayForEach(it, b) if (cJSON_GetObjectItemCaseSensitive(it, "containerPort"))
            return "containerPort";
        return "port";
    }
    if (!strcmp(field, "volumeMounts"))
        return "mountPath";
    if (!strcmp(field, "volumeDevices"))
        return "devicePath";
    if (!strcmp(field, "conditions"))
        return "type";
    if (!strcmp(field, "ownerReferences"))
        return "uid";
    if (!strcmp(field, "hostAliases"))
        return "ip";
    if (!strcmp(field, "topologySpreadConstraints"))
        return "topologyKey";
    return NULL;
}

static int is_directive(const char *k)
{
    return !strcmp(k, "$patch") || !strcmp(k, "$retainKeys") ||
           !strncmp(k, "$setElementOrder/", 17) || !strncmp(k, "$deleteFromPrimitiveList/", 25);
}

static void strip_directives(cJSON *c, int depth)
{
    if (depth > 2 * SMP_MAX_DEPTH)
        return;
    for (cJSON *it = c->child, *next; it; it = next) {
        next = it->next;
        if (cJSON_IsObject(c) && it->string && is_directive(it->string))
            cJSON_Delete(cJSON_DetachItemViaPointer(c, it));
        else if (cJSON_IsObject(it) || cJSON_IsArray(it))
            strip_directives(it, depth + 1);
    }
}

/* A copy of v with every directive removed. */
static cJSON *clean(const cJSON *v)
{
    cJSON *c = cJSON_Duplicate(v, 1);
    strip_directives(c, 0);
    return c;
}

static int smp_map(cJSON *dst, const cJSON *patch, int depth, struct err *err);

static int key_eq(const cJSON *a, const cJSON *b)
{
    return a && b && json_equal(a, b);
}

static cJSON *find_by_key(cJSON *list, const char *mk, const cJSON *val)
{
    cJSON *it;
    cJSON_ArrayForEach(it, list) if (key_eq(cJSON_GetObjectItemCaseSensitive(it, mk), val))
        return it;
    return NULL;
}

static int list_has_replace(const cJSON *pl)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, pl)
    {
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "$patch"));
        if (d && !strcmp(d, "replace"))
            return 1;
    }
    return 0;
}

static int smp_list_item(cJSON *dl, const cJSON *e, const char *mk, int depth, struct err *err)
{
    if (!cJSON_IsObject(e)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, dl) if (json_equal(it, e)) return 0;
        cJSON_AddItemToArray(dl, cJSON_Duplicate(e, 1));
        return 0;
    }
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(e, mk);
    const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "$patch"));
    if (d && !strcmp(d, "delete")) {
        cJSON *hit;
        while (kv && (hit = find_by_key(dl, mk, kv)))
            cJSON_Delete(cJSON_DetachItemViaPointer(dl, hit));
        return 0;
    }
    cJSON *hit = kv ? find_by_key(dl, mk, kv) : NULL;
    if (hit)
        return smp_map(hit, e, depth + 1, err);
    cJSON_AddItemToArray(dl, clean(e));
    return 0;
}

static void reorder(cJSON *dl, const cJSON *order, const char *mk)
{
    cJSON *sorted = cJSON_CreateArray();
    const cJSON *o;
    cJSON_ArrayForEach(o, order)
    {
        cJSON *hit = mk && cJSON_IsObject(o)
                         ? find_by_key(dl, mk, cJSON_GetObjectItemCaseSensitive(o, mk))
                         : NULL;
        if (!mk) {
            cJSON *it;
            cJSON_ArrayForEach(it, dl) if (json_equal(it, o)) { hit = it; break; }
        }
        if (hit)
            cJSON_AddItemToArray(sorted, cJSON_DetachItemViaPointer(dl, hit));
    }
    while (dl->child)
        cJSON_AddItemToArray(sorted, cJSON_DetachItemViaPointer(dl, dl->child));
    while (sorted->child)
        cJSON_AddItemToArray(dl, cJSON_DetachItemViaPointer(sorted, sorted->child));
    cJSON_Delete(sorted);
}

/* Merge list pl into dst[key]. */
static int smp_list(cJSON *dst, const char *key, const cJSON *pl, int depth, struct err *err)
{
    cJSON *dl = cJSON_GetObjectItemCaseSensitive(dst, key);
    const char *mk = merge_key(key, dl, pl);
    if (!mk || !cJSON_IsArray(dl) || list_has_replace(pl)) {
        cJSON *c = clean(pl);
        for (cJSON *it = c->child, *next; it; it = next) {   /* drop {"$patch":"replace"} */
            next = it->next;
            if (cJSON_IsObject(it) && !it->child)
                cJSON_Delete(cJSON_DetachItemViaPointer(c, it));
        }
        cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
        cJSON_AddItemToObject(dst, key, c);
        return 0;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, pl)
    {
        int rc = smp_list_item(dl, e, mk, depth, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void retain_keys(cJSON *dst, const cJSON *keep)
{
    for (cJSON *it = dst->child, *next; it; it = next) {
        next = it->next;
        int found = 0;
        const cJSON *k;
        cJSON_ArrayForEach(k, keep) if (cJSON_IsString(k) && !strcmp(k->valuestring, it->string))
            found = 1;
        if (!found)
            cJSON_Delete(cJSON_DetachItemViaPointer(dst, it));
    }
}

static void delete_primitives(cJSON *dst, const char *key, const cJSON *vals)
{
    cJSON *dl = cJSON_GetObjectItemCaseSensitive(dst, key);
    const cJSON *v;
    cJSON_ArrayForEach(v, vals)
    {
        for (cJSON *it = dl ? dl->child : NULL, *next; it; it = next) {
            next = it->next;
            if (json_equal(it, v))
                cJSON_Delete(cJSON_DetachItemViaPointer(dl, it));
        }
    }
}

static int smp_entry(cJSON *dst, const cJSON *p, int depth, struct err *err)
{
    const char *k = p->string;
    cJSON *cur = cJSON_GetObjectItemCaseSensitive(dst, k);
    if (cJSON_IsNull(p)) {
        cJSON_DeleteItemFromObjectCaseSensitive(dst, k);
        return 0;
    }
    if (cJSON_IsObject(p)) {
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "$patch"));
        if (d && !strcmp(d, "delete")) {
            cJSON_DeleteItemFromObjectCaseSensitive(dst, k);
            return 0;
        }
        if (cJSON_IsObject(cur) && !(d && !strcmp(d, "replace")))
            return smp_map(cur, p, depth + 1, err);
        cJSON_DeleteItemFromObjectCaseSensitive(dst, k);
        cJSON_AddItemToObject(dst, k, clean(p));
        return 0;
    }
    if (cJSON_IsArray(p))
        return smp_list(dst, k, p, depth, err);
    cJSON_DeleteItemFromObjectCaseSensitive(dst, k);
    cJSON_AddItemToObject(dst, k, cJSON_Duplicate(p, 1));
    return 0;
}

static int smp_map(cJSON *dst, const cJSON *patch, int depth, struct err *err)
{
    if (depth > SMP_MAX_DEPTH)
        return err_set(err, E_INVALID, "strategic merge patch: nesting deeper than %d",
                       SMP_MAX_DEPTH);
    if (!cJSON_IsObject(patch) || !cJSON_IsObject(dst))
        return err_set(err, E_INVALID, "strategic merge patch: expected an object");
    const cJSON *p;
    cJSON_ArrayForEach(p, patch)
    {
        if (is_directive(p->string))
            continue;
        int rc = smp_entry(dst, p, depth, err);
        if (rc < 0)
            return rc;
    }
    cJSON_ArrayForEach(p, patch)
    {
        if (!strncmp(p->string, "$setElementOrder/", 17) && cJSON_IsArray(p)) {
            cJSON *dl = cJSON_GetObjectItemCaseSensitive(dst, p->string + 17);
            if (cJSON_IsArray(dl))
                reorder(dl, p, merge_key(p->string + 17, dl, p));
        } else if (!strncmp(p->string, "$deleteFromPrimitiveList/", 25)) {
            delete_primitives(dst, p->string + 25, p);
        } else if (!strcmp(p->string, "$retainKeys") && cJSON_IsArray(p)) {
            retain_keys(dst, p);
        }
    }
    return 0;
}

int kpatch_strategic(const cJSON *doc, const cJSON *patch, cJSON **out, struct err *err)
{
    if (!cJSON_IsObject(patch))
        return err_set(err, E_INVALID, "strategic merge patch: the body must be a JSON object");
    const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(patch, "$patch"));
    if (d && !strcmp(d, "replace")) {
        *out = clean(patch);
        return 0;
    }
    cJSON *dst = cJSON_IsObject(doc) ? cJSON_Duplicate(doc, 1) : cJSON_CreateObject();
    int rc = smp_map(dst, patch, 0, err);
    if (rc < 0) {
        cJSON_Delete(dst);
        return rc;
    }
    *out = dst;
    return 0;
}
