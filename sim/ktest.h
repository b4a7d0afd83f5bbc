/* ktest.h -- an in-process simulated API server for unit tests.
 * The sim tests that talk to the API handler (kapi, kconv, kvalid) need the
 * same few things: a virtual clock, a store and a kapi over it, and a way to
 * send one request and read the answer.  Test support only: nothing in the
 * simulator itself uses it, so the linker leaves it out of `sim`.
 */
#ifndef SIM_KTEST_H
#define SIM_KTEST_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "kapi.h"
#include "kstore.h"

/* The instant the tests' virtual clocks start at (2023-11-14T22:13:20Z). */
#define KTEST_T0 1700000000000LL

struct ktest {
    gclock *clk;
    kstore *st;
    kapi *api;
};

/* A virtual clock at t0, a store and an API handler over them. */
void ktest_open(struct ktest *t, int64_t t0);
void ktest_close(struct ktest *t);

/* The answer to one request: every field owned, NULL/0 until set. */
struct ktest_answer {
    int status;
    char *body;     /* the whole body, streams (watch) drained */
    char *ctype;    /* Content-Type, "" when absent */
    cJSON *json;    /* the body parsed, or NULL (not JSON, or streamed) */
};
void ktest_answer_clear(struct ktest_answer *a);

/* Send one request (body of len bytes; ctype and accept may be NULL) to api
 * in-process; the previous contents of a are cleared first.  Returns the
 * status. */
int ktest_req(kapi *api, const char *method, const char *url, const char *ctype,
              const char *accept, const char *body, size_t len, struct ktest_answer *a);

/* The same for tests that only read the parsed body: *json is replaced
 * (the old tree freed) with the parsed answer, or NULL. */
int ktest_req_json(kapi *api, const char *method, const char *url, const char *ctype,
                   const char *accept, const char *body, cJSON **json);

#endif
