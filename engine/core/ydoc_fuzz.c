/* ydoc_fuzz.c -- libFuzzer target for the YAML reader and emitter.
 * Parses the input as a stream; every document is emitted (with flags taken
 * from the first input byte), read back, and must equal the original; a
 * second emit of the copy must give the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/ydoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const cJSON *doc, unsigned flags)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    struct err e = ERR_INIT;
    cJSON *back = NULL;
    ydoc_emit(doc, flags, &a);
    if (ydoc_parse_one(&back, a.ptr, a.len, "emitted", &e) != 0)
        abort();
    if (!json_equal(doc, back))
        abort();
    ydoc_emit(back, flags, &b);
    if (strcmp(a.ptr, b.ptr) != 0)
        abort();
    cJSON_Delete(back);
    buf_release(&a);
    buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e = ERR_INIT;
    cJSON *docs = NULL, *one = NULL;
    unsigned flags = size ? data[0] & 0x0F : 0;
    if (ydoc_parse_all(&docs, (const char *)data, size, "fuzz", &e) == 0) {
        for (const cJSON *d = docs->child; d; d = d->next)
            round_trip(d, flags);
        cJSON_Delete(docs);
    } else if (e.code != E_PARSE && e.code != E_TOOBIG) {
        abort();
    } else if (strncmp(e.msg, "fuzz", 4) != 0) {
        abort();
    }
    if (ydoc_parse_one(&one, (const char *)data, size, "fuzz", NULL) == 0)
        cJSON_Delete(one);
    return 0;
}
