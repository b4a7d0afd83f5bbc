/* kproto_fuzz.c -- libFuzzer target: any bytes sent as a protobuf body must
 * decode to a JSON object or fail with E_PARSE / E_INVALID and a message;
 * never crash, leak or return anything else.  The "k8s\0" prefix is added
 * when missing so the fuzzer spends its time inside the envelope. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "kproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = xmalloc(size + 4);
    size_t n = size;
    if (size >= 4 && !memcmp(data, "k8s", 4)) {
        memcpy(buf, data, size);
    } else {
        memcpy(buf, "k8s", 4);
        memcpy(buf + 4, data, size);
        n = size + 4;
    }
    cJSON *out = NULL;
    struct err err = ERR_INIT;
    int rc = kproto_decode(buf, n, &out, &err);
    if (rc == 0 && !cJSON_IsObject(out))
        abort();
    if (rc != 0 && ((rc != E_PARSE && rc != E_INVALID) || !err.msg[0] || out))
        abort();
    cJSON_Delete(out);
    free(buf);
    return 0;
}
