/* tmpl_fuzz.c -- libFuzzer target for the template engine: parse the input
 * as a template (plus, after a NUL byte, a second file of the same set) and
 * execute it against fixed data with step, output and depth limits.  It must
 * never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "helm/tmpl.h"
#include "helm/tval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_data[] =
    "{\"a\":{\"b\":[1,2.5,\"x\",null,true],\"m\":{\"k\":\"v\",\"n\":null}},"
    "\"s\":\"str\",\"i\":3,\"f\":1000000.0,\"l\":[\"p\",\"q\"],\"e\":{},\"z\":null}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tval *root;
    if (!root) {
        struct err e = ERR_INIT;
        if (tval_parse_json(&root, fixed_data, sizeof(fixed_data) - 1, TVAL_JSON_INTS, &e) < 0)
            return 0;
    }
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t n1 = nul ? (size_t)(nul - text) : size;
    tmpl_set *s = tmpl_set_new();
    tmpl_set_limits(s, 20000, 1 << 16);
    if (size && (data[0] & 1))
        tmpl_set_missingkey(s, TMPL_MISSING_ZERO);
    struct err err = ERR_INIT;
    if (nul)
        tmpl_set_parse(s, "second", nul + 1, size - n1 - 1, &err);
    if (tmpl_set_parse(s, "main", text, n1, &err) == 0) {
        struct buf out = BUF_INIT;
        tmpl_set_exec(s, "main", root, &out, &err);
        if (tmpl_set_has(s, "second"))
            tmpl_set_exec(s, "second", root, &out, &err);
        buf_release(&out);
    }
    tmpl_set_free(s);
    return 0;
}
