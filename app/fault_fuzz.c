/* fault_fuzz.c -- libFuzzer target for the fault injection inputs: the
 * latency syntax, error rates and the /admin/fault JSON body.  An accepted
 * latency must format to text that parses back to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct fault_latency l, back;
    if (fault_latency_parse(s, &l, NULL) == 0) {
        struct buf b = BUF_INIT;
        fault_latency_format(&l, &b);
        if (fault_latency_parse(b.ptr, &back, NULL) != 0 || back.dist != l.dist)
            abort();
        buf_release(&b);
    }
    double r;
    fault_rate_parse(s, &r, NULL);
    struct fault_spec init = FAULT_SPEC_INIT;
    fault *f = fault_new(&init, 1);
    fault_update_json(f, (const char *)data, size, NULL);
    unsigned d;
    fault_roll(f, &d);
    fault_free(f);
    free(s);
    return 0;
}
