/* kconfig_fuzz.c -- libFuzzer target for kubeconfig parsing: any bytes given
 * to kconfig_parse either load or fail with a message, never crash.  When a
 * configuration loads, its views must be consistent (a server, a namespace).
 * Exec plugins are never run (kconfig_token is not called). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kconfig *c = NULL;
    struct err e = ERR_INIT;
    int rc = kconfig_parse(&c, (const char *)data, size, "fuzz.yaml", "/nonexistent", NULL, &e);
    if (rc == 0) {
        const char *s = kconfig_server(c), *ns = kconfig_namespace(c);
        if (!s || !*s || !ns || !*ns || !kconfig_tls(c))
            abort();
        kconfig_free(c);
    } else if (c || !e.msg[0] || rc != e.code) {
        abort();
    }
    char *out = NULL;
    size_t n = 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    if (kconfig_b64_decode(s, &out, &n, NULL) == 0)
        free(out);
    free(s);
    return 0;
}
