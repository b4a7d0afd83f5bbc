/* kapi_int.h -- private to the API server (kapi.c, kapi_verbs.c).
 * The server state, the parsed form of a request, and the response helpers
 * both files use.  Not for use outside sim/kapi*.c.
 */
#ifndef SIM_KAPI_INT_H
#define SIM_KAPI_INT_H

#include "kapi.h"
#include "kres.h"
#include "kvalid.h"
#include "kwatch.h"

struct kfault {
    char verb[16];
    char *resource;
    int status;
    int latency_ms;
    double prob;
};

struct kapi {
    kstore *st;
    gclock *clk;
    kres *reg;
    kwatch_hub *hub;
    uint64_t crd_listen;
    size_t max_body;
    int64_t bookmark_ms;
    char *addr;
    struct kfault *faults;
    size_t nfaults, capfaults;
    uint64_t rng;
    uint32_t next_ip;
};

#define KREQ_MAX_SEGS 12

/* A request to a resource path, parsed. */
struct kreq {
    kapi *api;
    const struct http_request *rq;
    char *path;                   /* decoded copy; segs point into it */
    const char *query;            /* after '?', or "" */
    char *segs[KREQ_MAX_SEGS];
    size_t nsegs;
    const char *group, *version, *ns, *resource, *name, *sub;
    const struct kres_type *t;
    int watch;                    /* ?watch=1 or a /watch/ path */
    const char *verb;             /* "get", "list", ... */
    int table;                    /* Accept asks for a Table */
    unsigned flags;               /* KSTORE_DRY_RUN */
    struct kvalid_fail invalid;   /* set when validation refused the write */
    int ns_missing;               /* a create named a namespace that does not exist */
};

/* ---- responses (kapi.c) ---- */
void kapi__json(struct http_response *rs, int code, const cJSON *o);
/* A Status failure; name/t may be NULL (no details). */
void kapi__status(struct http_response *rs, int code, const char *reason, const char *msg,
                  const char *name, const struct kres_type *t);
/* 422 Invalid with the causes of a failed validation. */
void kapi__invalid(struct http_response *rs, const struct kvalid_fail *f, const char *name,
                   const struct kres_type *t);
/* A Status for an err code from the store or a helper. */
void kapi__fail(struct http_response *rs, int rc, const struct err *err, const char *name,
                const struct kres_type *t);
/* The query parameter name (new string, caller frees) or NULL. */
char *kapi__query(const struct kreq *r, const char *name);
int kapi__query_bool(const struct kreq *r, const char *name);
/* Set apiVersion (gv) and kind of o in place. */
void kapi__set_gvk(cJSON *o, const char *gv, const char *kind);
/* obj as served in version: a converted copy (kconv.h) with apiVersion and kind set. */
cJSON *kapi__out(const struct kres_type *t, const char *version, const cJSON *obj);
/* Parse the request body per its Content-Type into *out. */
int kapi__body(const struct kreq *r, cJSON **out, struct err *err);
/* Render for watch streams (kwatch_render_fn). */
cJSON *kapi__render(void *ctx, const char *group, const char *version, const char *resource,
                    int table, const cJSON *obj);

/* ---- verbs (kapi_verbs.c) ---- */
void kapi__serve(struct kreq *r, struct http_response *rs);

#endif
