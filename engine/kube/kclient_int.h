/* kclient_int.h -- private to the kube client (kclient.c, kclient_disc.c,
 * kclient_watch.c): the client struct, the discovery cache and the request
 * helpers the three files share.  Not for use outside engine/kube/kclient*.c.
 */
#ifndef KUBE_KCLIENT_INT_H
#define KUBE_KCLIENT_INT_H

#include "core/buf.h"
#include "kube/kclient.h"

/* One discovered resource; pub points into the owned strings. */
struct kube__res {
    struct kube_resource pub;
    char *group, *version, *kind, *name, *singular;
    char **shorts;
    size_t nshorts;
};

/* The resources of one group-version ("v1", "apps/v1"). */
struct kube__gv {
    char *gv;
    int64_t fetched_ms;
    struct kube__res *v;
    size_t n;
};

struct kube_client {
    http_client *http;
    kconfig *cfg;
    gclock *clock;
    gclock *own_clock;
    int max_attempts;
    int64_t base_ms, max_ms, ttl_ms;
    long requests;
    struct kube__gv **gvs; /* live cache */
    size_t ngv, capgv;
    struct kube__gv **dead; /* replaced entries: kube_resource pointers stay valid */
    size_t ndead, capdead;
    char **order; /* every group-version, preferred first */
    size_t norder;
    int64_t order_ms; /* 0: not fetched */
};

/* One request before retries. */
struct kube__req {
    const char *method;
    const char *path;         /* with query */
    const char *content_type; /* NULL: no body */
    const char *accept;       /* NULL: application/json */
    const char *body;
    size_t body_len;
    long timeout_ms;
    http_data_fn on_data;
    void *on_data_ctx;
    void (*on_resend)(void *on_data_ctx); /* before a re-send (after a 401 refresh, a retry):
                                           * on_data saw the previous answer's body */
    int no_retry;
};

/* Send with auth, retries and backoff; rs holds the final answer.  Returns
 * the transport's code (0 when a response arrived, whatever its status), or
 * E_UNAUTHORIZED when a 401's credential refresh failed.  kr->on_resend runs
 * before every re-send. */
int kube__send(kube_client *c, const struct kube__req *kr, struct http_response *rs,
               struct err *err);
/* Map a non-2xx answer to an err code with the server's message; status is
 * the Status object when already parsed (else the body is parsed). */
int kube__map_error(const struct http_response *rs, const cJSON *status, const char *method,
                    const char *path, struct err *err);
/* Send, map errors, parse the JSON answer into *out (may be NULL). */
int kube__call(kube_client *c, const struct kube__req *kr, cJSON **out, struct err *err);
/* Backoff before attempt+1 (attempt counts from 1). */
int64_t kube__backoff(const kube_client *c, int attempt);
/* The namespace to use for ref on resource r ("" for cluster scope). */
const char *kube__ns(const kube_client *c, const struct kube_resource *r, const char *ns);
/* /api/v1[/namespaces/NS]/RES[/NAME][/SUB] */
void kube__path(struct buf *b, const struct kube_resource *r, const char *ns, const char *name,
                const char *sub);
/* Append "&k=v" (or "?k=v" when b has no '?' yet), escaped; v NULL/"": no-op. */
void kube__query(struct buf *b, const char *k, const char *v);

void kube__disc_free(kube_client *c);

#endif
