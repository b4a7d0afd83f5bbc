/* mhead_fuzz.c -- libFuzzer target for the manifest head reader.
 * Differential: mhead_read must agree with a full ydoc_parse_all of the same
 * input (the reference it falls back to) on success or failure, on kind and
 * on the hook annotation.  Any disagreement aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/ydoc.h"
#include "helm/mhead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *doc = xstrndup((const char *)data, size); /* render passes C strings */
    size_t len = strlen(doc);
    struct mhead h = MHEAD_INIT;
    int rc = mhead_read(&h, doc, len, "f", NULL);
    cJSON *docs = NULL;
    int ref = ydoc_parse_all(&docs, doc, len, "f", NULL);
    const cJSON *d = cJSON_GetArrayItem(docs, 0);
    if (ref == 0 && d && !cJSON_IsObject(d))
        ref = -1;
    if ((rc < 0) != (ref < 0))
        abort();
    if (rc == 0) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(d, "kind");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "metadata");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(m, "annotations");
        const cJSON *hk = cJSON_GetObjectItemCaseSensitive(a, "helm.sh/hook");
        if (!same(h.kind, cJSON_IsString(k) ? k->valuestring : ""))
            abort();
        if (!same(h.hook, cJSON_IsString(hk) ? hk->valuestring : NULL))
            abort();
    }
    cJSON_Delete(docs);
    mhead_release(&h);
    free(doc);
    return 0;
}
