/* ktest.c -- an in-process simulated API server for unit tests (see ktest.h). */
#include "ktest.h"

#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/mem.h"

void ktest_open(struct ktest *t, int64_t t0)
{
    t->clk = clock_new_virtual(t0);
    t->st = kstore_new(t->clk);
    t->api = kapi_new(t->st, t->clk);
}

void ktest_close(struct ktest *t)
{
    kapi_free(t->api);
    kstore_free(t->st);
    clock_free(t->clk);
    memset(t, 0, sizeof(*t));
}

void ktest_answer_clear(struct ktest_answer *a)
{
    free(a->body);
    free(a->ctype);
    cJSON_Delete(a->json);
    memset(a, 0, sizeof(*a));
}

/* Read a streamed body (a watch) into rs->body: in-process a stream ends by
 * itself once its pending events are out; the bound guards a broken one. */
static void drain(struct http_response *rs)
{
    char chunk[4096];
    for (int i = 0; rs->stream && i < 1000; i++) {
        ssize_t n = rs->stream(rs->stream_ctx, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        buf_add(&rs->body, chunk, (size_t)n);
    }
}

int ktest_req(kapi *api, const char *method, const char *url, const char *ctype,
              const char *accept, const char *body, size_t len, struct ktest_answer *a)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    struct http_response rs;
    ktest_answer_clear(a);
    rq.method = method;
    rq.url = url;
    if (ctype)
        http_headers_add(&rq.headers, "Content-Type", ctype);
    if (accept)
        http_headers_add(&rq.headers, "Accept", accept);
    rq.body = body;
    rq.body_len = len;
    http_response_init(&rs);
    kapi_handle(api, &rq, &rs);
    drain(&rs);
    a->status = rs.status;
    a->body = xstrdup(rs.body.ptr);
    const char *ct = http_headers_get(&rs.headers, "Content-Type");
    a->ctype = xstrdup(ct ? ct : "");
    if (!rs.stream)
        a->json = cJSON_Parse(a->body);
    http_response_release(&rs);
    http_headers_release(&rq.headers);
    return a->status;
}

int ktest_req_json(kapi *api, const char *method, const char *url, const char *ctype,
                   const char *accept, const char *body, cJSON **json)
{
    struct ktest_answer a = {0};
    int status = ktest_req(api, method, url, ctype, accept, body, body ? strlen(body) : 0, &a);
    cJSON_Delete(*json);
    *json = a.json;
    a.json = NULL;
    ktest_answer_clear(&a);
    return status;
}
