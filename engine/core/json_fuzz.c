/* json_fuzz.c -- libFuzzer target for json_parse and the tree helpers.
 * Input: a JSON document; when the input holds a NUL byte, the text before it
 * is a path used with json_get/json_set/json_delete on the document after it.
 * Checks: printing (compact and pretty) parses back to an equal document, the
 * canonical form and hash are stable, merge_diff/merge_patch invert. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int finite_tree(const cJSON *j)
{
    if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
        return 0;
    for (const cJSON *c = j->child; c; c = c->next)
        if (!finite_tree(c))
            return 0;
    return 1;
}

static int has_dup_keys(const cJSON *j)
{
    for (const cJSON *c = j->child; c; c = c->next) {
        if (has_dup_keys(c))
            return 1;
        for (const cJSON *d = c->next; d && c->string; d = d->next)
            if (d->string && strcmp(c->string, d->string) == 0)
                return 1;
    }
    return 0;
}

static void check_print(const cJSON *doc, int pretty)
{
    struct buf b = BUF_INIT;
    cJSON *back = NULL;
    json_print(doc, pretty, &b);
    if (json_parse(&back, b.ptr, b.len, "print", NULL) != 0 || !json_equal(doc, back))
        abort();
    cJSON_Delete(back);
    buf_release(&b);
}

static void check_canonical(const cJSON *doc)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    cJSON *back = NULL;
    json_canonical(doc, &a);
    if (json_parse(&back, a.ptr, a.len, "canon", NULL) != 0)
        abort();
    json_canonical(back, &b);
    if (strcmp(a.ptr, b.ptr) != 0 || json_hash(doc) != json_hash(back))
        abort();
    cJSON_Delete(back);
    buf_release(&a);
    buf_release(&b);
}

static void check_merge(const cJSON *doc)
{
    cJSON *empty = cJSON_CreateObject();
    cJSON *d = json_merge_diff(empty, doc);
    cJSON *p = json_merge_patch(empty, d);
    cJSON *self = json_merge_diff(doc, doc);
    if (cJSON_IsObject(doc) && (self->child != NULL))
        abort();
    cJSON *copy = cJSON_Duplicate(doc, 1);
    json_merge(copy, doc);
    if (!has_dup_keys(doc) && !json_equal(copy, doc))
        abort();
    cJSON_Delete(copy);
    cJSON_Delete(self);
    cJSON_Delete(p);
    cJSON_Delete(d);
    cJSON_Delete(empty);
}

static void check_path(cJSON *doc, const char *path)
{
    cJSON *got = json_get(doc, path);
    (void)json_get_str(doc, path, NULL);
    (void)json_get_int(doc, path, 0);
    if (json_set(doc, path, cJSON_CreateString("v"), NULL) == 0) {
        got = json_get(doc, path);
        if (!cJSON_IsString(got) || strcmp(got->valuestring, "v") != 0)
            abort();
        if (json_delete(doc, path) != 1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    char *path = NULL;
    cJSON *doc = NULL;
    if (nul) {
        path = strndup(text, (size_t)(nul - text));
        size -= (size_t)(nul - text) + 1;
        text = nul + 1;
    }
    if (json_parse(&doc, text, size, "fuzz", NULL) == 0) {
        if (finite_tree(doc)) {
            check_print(doc, 0);
            check_print(doc, 1);
            check_canonical(doc);
        }
        check_merge(doc);
        if (path)
            check_path(doc, path);
        cJSON_Delete(doc);
    }
    free(path);
    return 0;
}
