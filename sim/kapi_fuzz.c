/* kapi_fuzz.c -- libFuzzer target for the API server handler.
 * Input: up to 4 requests separated by a line "%%"; each request is
 * "METHOD\nURL\nCONTENT-TYPE\nACCEPT\nBODY" (missing parts empty).  They run
 * in order against a fresh in-process server (virtual clock), so creates can
 * be followed by patches, watches and deletes.  Besides not crashing, every
 * answer must have a status in 100..599, and every non-streamed
 * application/json answer must parse as JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next line of [*p, end) as a new string; *p moves past it. */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    char *s = xstrndup(*p, (size_t)(stop - *p));
    *p = nl ? nl + 1 : end;
    return s;
}

static void drain(struct http_response *rs)
{
    char chunk[1024];
    for (int i = 0; rs->stream && i < 64; i++) {
        ssize_t n = rs->stream(rs->stream_ctx, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        buf_add(&rs->body, chunk, (size_t)n);
    }
}

static void one(kapi *api, const char *p, const char *end)
{
    char *method = next_line(&p, end), *url = next_line(&p, end);
    char *ctype = next_line(&p, end), *accept = next_line(&p, end);
    struct http_request rq = HTTP_REQUEST_INIT;
    struct http_response rs;
    rq.method = method;
    rq.url = url;
    if (*ctype)
        http_headers_add(&rq.headers, "Content-Type", ctype);
    if (*accept)
        http_headers_add(&rq.headers, "Accept", accept);
    rq.body = p;
    rq.body_len = (size_t)(end - p);
    http_response_init(&rs);
    kapi_handle(api, &rq, &rs);
    int streamed = rs.stream != NULL;
    drain(&rs);
    if (rs.status < 100 || rs.status > 599)
        abort();
    const char *ct = http_headers_get(&rs.headers, "Content-Type");
    if (!streamed && ct && !strncmp(ct, "application/json", 16)) {
        cJSON *o = NULL;
        if (json_parse(&o, rs.body.ptr, rs.body.len, NULL, NULL) < 0)
            abort();
        cJSON_Delete(o);
    }
    http_response_release(&rs);
    http_headers_release(&rq.headers);
    free(method);
    free(url);
    free(ctype);
    free(accept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gclock *clk = clock_new_virtual(1700000000000LL);
    kstore *st = kstore_new(clk);
    kapi *api = kapi_new(st, clk);
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 4 && p <= end; i++) {
        const char *sep = NULL;
        for (const char *q = p; q + 4 <= end; q++)
            if (!memcmp(q, "\n%%\n", 4)) {
                sep = q;
                break;
            }
        one(api, p, sep ? sep : end);
        if (!sep)
            break;
        p = sep + 4;
    }
    kapi_free(api);
    kstore_free(st);
    clock_free(clk);
    return 0;
}
