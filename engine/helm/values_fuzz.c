/* values_fuzz.c -- libFuzzer target for the --set parser and values files.
 * Input: the first byte chooses --set (even) or --set-string (odd); the rest,
 * up to a NUL, is the --set expression, applied twice to the same object (the
 * second application merges into the first); after the NUL comes a values
 * file, which is loaded, merged and coalesced with the --set result.
 * Checks: no crash, no leak, and a successful parse yields an object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    int as_string = data[0] & 1;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(rest, 0, n);
    size_t en = nul ? (size_t)(nul - rest) : n;
    char *expr = xstrndup(rest, en);
    cJSON *user = cJSON_CreateObject();
    struct err err = ERR_INIT;
    if (hvals_parse_set(user, expr, as_string, &err) == 0)
        hvals_parse_set(user, expr, as_string, &err);
    if (!cJSON_IsObject(user))
        abort();
    if (nul) {
        cJSON *file = NULL;
        if (hvals_load_text(&file, nul + 1, n - en - 1, "fuzz.yaml", &err) == 0) {
            if (!cJSON_IsObject(file))
                abort();
            cJSON *merged = cJSON_Duplicate(file, 1);
            hvals_merge_user(merged, user);
            hvals_coalesce_tables(merged, file, 0);
            hvals_coalesce_globals(merged, user);
            hvals_trim_nulls(merged);
            cJSON_Delete(merged);
            cJSON_Delete(file);
        }
    }
    cJSON_Delete(user);
    free(expr);
    return 0;
}
