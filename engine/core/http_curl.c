/* http_curl.c -- the libcurl transport of http.h.
 * One easy handle per client, reset between requests: curl_easy_reset keeps
 * the connection cache, so consecutive requests to one server reuse the same
 * keep-alive connection.  A client is used by one thread at a time.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/http.h"
#include "core/http_int.h"
#include "core/mem.h"

struct curl_tp {
    CURL *easy;
    char errbuf[CURL_ERROR_SIZE];
};

/* State of one transfer, shared by the write and header callbacks. */
struct xfer {
    const struct http_request *rq;
    struct http_response *rs;
    size_t max;
    int toobig;  /* body over the cap: the transfer was aborted */
    int stopped; /* on_data asked to stop */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static int curl_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                        struct err *err);

static void curl_destroy(void *ctx)
{
    struct curl_tp *tp = ctx;
    curl_easy_cleanup(tp->easy);
    free(tp);
}

static const struct http_transport_ops curl_ops = {
    .name = "curl",
    .request = curl_request,
    .destroy = curl_destroy,
};

http_client *http_client_new_curl(void)
{
    pthread_once(&curl_once, curl_global);
    struct curl_tp *tp = xcalloc(1, sizeof(*tp));
    tp->easy = curl_easy_init();
    if (!tp->easy)
        abort(); /* only fails when out of memory */
    return http_client_new(&curl_ops, tp);
}

/* ---- callbacks ------------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nmemb;
    if (x->rq->on_data) {
        if (n && x->rq->on_data(x->rq->on_data_ctx, data, n)) {
            x->stopped = 1;
            return 0;
        }
        return n;
    }
    if (n > x->max || x->rs->body.len > x->max - n) {
        x->toobig = 1;
        return 0;
    }
    buf_add(&x->rs->body, data, n);
    return n;
}

static size_t trim_len(const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nmemb, len = trim_len(data, n);
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new status line (after 100 Continue): start the headers afresh.
         * The status is known from here on, so on_data can look at it. */
        http_headers_release(&x->rs->headers);
        const char *sp = memchr(data, ' ', len);
        x->rs->status = sp ? atoi(sp + 1) : 0;
        return n;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon || colon == data)
        return n;
    char *name = xstrndup(data, (size_t)(colon - data));
    const char *v = colon + 1;
    while (v < data + len && (*v == ' ' || *v == '\t'))
        v++;
    char *value = xstrndup(v, (size_t)(data + len - v));
    http_headers_add(&x->rs->headers, name, value);
    free(name);
    free(value);
    return n;
}

/* ---- TLS server name (http_tls.server_name) -------------------------------------- */

/* curl verifies the certificate against, and sends as SNI, the URL's host.
 * To verify against another name, the URL is rewritten to that name, a
 * CONNECT_TO entry sends the connection to the real host and port, and an
 * explicit Host header keeps naming the real host, as Go's ServerName does. */
struct sni_route {
    char *url;                     /* the rewritten URL; NULL: no override */
    char *host_header;             /* the original URL's "host[:port]" */
    struct curl_slist *connect_to; /* "::host:port" */
};

static void sni_route_release(struct sni_route *r)
{
    curl_free(r->url);
    free(r->host_header);
    curl_slist_free_all(r->connect_to);
    memset(r, 0, sizeof(*r));
}

/* Fill r from u (rq->url already parsed): CONNECT_TO and Host from the
 * original host and port, then the URL with the host replaced. */
static CURLUcode sni_route_fill(struct sni_route *r, CURLU *u, const char *server_name)
{
    char *host = NULL, *port = NULL;
    CURLUcode uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (!uc)
        uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (!uc)
        uc = curl_url_set(u, CURLUPART_HOST, server_name, 0);
    if (!uc)
        uc = curl_url_get(u, CURLUPART_URL, &r->url, 0);
    if (!uc) {
        char *line = xasprintf("::%s:%s", host, port);
        r->connect_to = curl_slist_append(NULL, line);
        free(line);
        if (!r->connect_to)
            abort();
        r->host_header = strcmp(port, "443") ? xasprintf("%s:%s", host, port) : xstrdup(host);
    }
    curl_free(host);
    curl_free(port);
    return uc;
}

/* The route of rq: empty unless rq->tls names a server for an https URL.
 * E_INVALID when the URL or the name cannot be combined. */
static int sni_route_init(struct sni_route *r, const struct http_request *rq, struct err *err)
{
    const char *name = rq->tls ? rq->tls->server_name : NULL;
    char *scheme = NULL;
    memset(r, 0, sizeof(*r));
    if (!name || !*name || !rq->url)
        return 0;
    CURLU *u = curl_url();
    if (!u)
        abort();
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, rq->url, 0);
    if (!uc)
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (!uc && !strcasecmp(scheme, "https"))
        uc = sni_route_fill(r, u, name);
    curl_free(scheme);
    curl_url_cleanup(u);
    if (!uc)
        return 0;
    sni_route_release(r);
    return err_set(err, E_INVALID, "tls server name '%s' for '%s': %s", name, rq->url,
                   curl_url_strerror(uc));
}

/* ---- setting up a request ------------------------------------------------------ */

static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
    /* "Name;" sends an empty header; "Name:" would remove it. */
    char *line = value && *value ? xasprintf("%s: %s", name, value) : xasprintf("%s;", name);
    struct curl_slist *nl = curl_slist_append(l, line);
    free(line);
    if (!nl)
        abort();
    return nl;
}

/* Headers to send.  curl's own defaults (Accept, a form Content-Type on
 * POST, Expect: 100-continue) are suppressed, so a handler sees over httpd
 * what it sees in-process. */
static struct curl_slist *build_headers(const struct http_request *rq, const char *host)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < rq->headers.n; i++)
        l = add_header(l, rq->headers.v[i].name, rq->headers.v[i].value);
    if (host && !http_headers_get(&rq->headers, "Host"))
        l = add_header(l, "Host", host);
    if (rq->bearer_token) {
        char *auth = xasprintf("Bearer %s", rq->bearer_token);
        l = add_header(l, "Authorization", auth);
        free(auth);
    }
    static const char *const drop[] = {"Accept", "Content-Type", "Expect"};
    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
        if (!http_headers_get(&rq->headers, drop[i])) {
            char *line = xasprintf("%s:", drop[i]);
            l = curl_slist_append(l, line);
            free(line);
            if (!l)
                abort();
        }
    }
    return l;
}

static void set_method(CURL *e, const struct http_request *rq)
{
    const char *m = rq->method ? rq->method : "GET";
    if (http__method_is(rq, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (http__method_is(rq, "POST")) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
    } else if (!http__method_is(rq, "GET") || rq->body) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    }
    if (http__has_body(rq) && !http__method_is(rq, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->body_len : 0));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
    }
}

static void set_blob(CURL *e, CURLoption opt, const char *pem)
{
    struct curl_blob blob = {(void *)pem, strlen(pem), CURL_BLOB_COPY};
    curl_easy_setopt(e, opt, &blob);
}

static void set_tls(CURL *e, const struct http_tls *tls)
{
    if (!tls)
        return;
    if (tls->ca_pem)
        set_blob(e, CURLOPT_CAINFO_BLOB, tls->ca_pem);
    else if (tls->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, tls->ca_file);
    if (tls->cert_pem) {
        set_blob(e, CURLOPT_SSLCERT_BLOB, tls->cert_pem);
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (tls->cert_file) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, tls->cert_file);
    }
    if (tls->key_pem) {
        set_blob(e, CURLOPT_SSLKEY_BLOB, tls->key_pem);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (tls->key_file) {
        curl_easy_setopt(e, CURLOPT_SSLKEY, tls->key_file);
    }
    if (tls->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static void set_options(struct curl_tp *tp, const struct http_request *rq, struct xfer *x,
                        struct curl_slist *hdrs, const struct sni_route *route)
{
    CURL *e = tp->easy;
    curl_easy_reset(e);
    tp->errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, tp->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_URL, route->url ? route->url : rq->url);
    if (route->connect_to)
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, route->connect_to);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    set_method(e, rq);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    long t = rq->timeout_ms < 0 ? 0 : rq->timeout_ms ? rq->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t);
    long ct = rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms
                                         : HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ct);
    set_tls(e, rq->tls);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
}

/* ---- performing ------------------------------------------------------------------ */

static int map_error(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return E_UNAVAILABLE;
    case CURLE_OPERATION_TIMEDOUT:
        return E_TIMEOUT;
    default:
        return E_IO;
    }
}

static int curl_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                        struct err *err)
{
    struct curl_tp *tp = ctx;
    struct xfer x = {rq, rs, http__max_response(rq), 0, 0};
    struct sni_route route;
    int rc = sni_route_init(&route, rq, err);
    if (rc < 0)
        return rc;
    struct curl_slist *hdrs = build_headers(rq, route.host_header);
    set_options(tp, rq, &x, hdrs, &route);
    CURLcode cc = curl_easy_perform(tp->easy);
    long status = 0;
    curl_easy_getinfo(tp->easy, CURLINFO_RESPONSE_CODE, &status);
    rs->status = (int)status;
    /* The handle keeps pointers to hdrs and the route until the next reset. */
    curl_easy_setopt(tp->easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(tp->easy, CURLOPT_CONNECT_TO, NULL);
    curl_slist_free_all(hdrs);
    sni_route_release(&route);
    const char *m = rq->method ? rq->method : "GET";
    if (x.toobig)
        return err_set(err, E_TOOBIG, "%s %s: response body over %zu bytes", m, rq->url, x.max);
    if (cc == CURLE_OK || (x.stopped && cc == CURLE_WRITE_ERROR))
        return 0;
    rs->not_sent = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
                   cc == CURLE_COULDNT_RESOLVE_PROXY;
    return err_set(err, map_error(cc), "%s %s: %s", m, rq->url,
                   tp->errbuf[0] ? tp->errbuf : curl_easy_strerror(cc));
}
