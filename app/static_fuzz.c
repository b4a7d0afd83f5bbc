/* static_fuzz.c -- libFuzzer target for the request path sanitiser and the
 * If-None-Match matcher: any input must give 0 or an error, never a crash,
 * and an accepted path must never contain a ".." segment or a NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char out[STATIC_PATH_MAX];
    if (static_path_normalize(s, out, sizeof(out), NULL) == 0) {
        size_t n = strlen(out);
        if (strcmp(out, "..") == 0 || strncmp(out, "../", 3) == 0 || strstr(out, "/../") ||
            (n >= 3 && strcmp(out + n - 3, "/..") == 0))
            abort(); /* an escaping path got through */
        if (out[0] == '/')
            abort();
    }
    static_etag_match(s, "\"0123456789abcdef\"");
    static_content_type(s);
    free(s);
    return 0;
}
