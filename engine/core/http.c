/* http.c -- headers, responses, URLs, the generic client and the in-process
 * transport (see http.h).  The curl transport lives in http_curl.c.
 */
#include "core/http.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/http_int.h"
#include "core/mem.h"

/* ---- headers ------------------------------------------------------------------- */

void http_headers_add(struct http_headers *h, const char *name, const char *value)
{
    XGROW(h->v, h->cap, h->n + 1);
    h->v[h->n].name = xstrdup(name);
    h->v[h->n].value = xstrdup(value ? value : "");
    h->n++;
}

void http_headers_set(struct http_headers *h, const char *name, const char *value)
{
    size_t j = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (strcasecmp(h->v[i].name, name) == 0) {
            free(h->v[i].name);
            free(h->v[i].value);
        } else {
            h->v[j++] = h->v[i];
        }
    }
    h->n = j;
    http_headers_add(h, name, value);
}

const char *http_headers_get(const struct http_headers *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->v[i].name, name) == 0)
            return h->v[i].value;
    return NULL;
}

void http_headers_release(struct http_headers *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

void http_headers_copy(struct http_headers *dst, const struct http_headers *src)
{
    for (size_t i = 0; i < src->n; i++)
        http_headers_add(dst, src->v[i].name, src->v[i].value);
}

/* ---- responses ----------------------------------------------------------------- */

void http_response_init(struct http_response *rs)
{
    rs->status = 0;
    rs->headers = (struct http_headers)HTTP_HEADERS_INIT;
    buf_init(&rs->body, 0);
    rs->stream = NULL;
    rs->stream_ctx = NULL;
    rs->stream_free = NULL;
    rs->not_sent = 0;
}

void http_response_release(struct http_response *rs)
{
    http_headers_release(&rs->headers);
    buf_release(&rs->body);
    if (rs->stream_free)
        rs->stream_free(rs->stream_ctx);
    http_response_init(rs);
}

void http_response_set(struct http_response *rs, int status, const char *content_type,
                       const char *body, size_t len)
{
    rs->status = status;
    if (content_type)
        http_headers_set(&rs->headers, "Content-Type", content_type);
    buf_reset(&rs->body);
    if (body)
        buf_add(&rs->body, body, len);
}

/* ---- shared transport helpers ------------------------------------------------ */

size_t http__max_response(const struct http_request *rq)
{
    return rq->max_response ? rq->max_response : HTTP_DEFAULT_MAX_RESPONSE;
}

int http__method_is(const struct http_request *rq, const char *m)
{
    return strcasecmp(rq->method ? rq->method : "GET", m) == 0;
}

int http__has_body(const struct http_request *rq)
{
    return rq->body || http__method_is(rq, "POST") || http__method_is(rq, "PUT") ||
           http__method_is(rq, "PATCH");
}

/* ---- the generic client ------------------------------------------------------- */

struct http_client {
    const struct http_transport_ops *ops;
    void *ctx;
};

http_client *http_client_new(const struct http_transport_ops *ops, void *ctx)
{
    http_client *c = xcalloc(1, sizeof(*c));
    c->ops = ops;
    c->ctx = ctx;
    return c;
}

void http_client_free(http_client *c)
{
    if (!c)
        return;
    if (c->ops->destroy)
        c->ops->destroy(c->ctx);
    free(c);
}

const char *http_client_transport(const http_client *c) { return c->ops->name; }

int http_client_do(http_client *c, const struct http_request *rq, struct http_response *rs,
                   struct err *err)
{
    http_response_release(rs);
    if (!rq->url)
        return err_set(err, E_INVALID, "http request without a url");
    return c->ops->request(c->ctx, rq, rs, err);
}

/* ---- the in-process transport -------------------------------------------------- */

struct inproc_mount {
    char *host;
    http_handler_fn fn;
    void *ctx;
};

struct inproc {
    struct inproc_mount *v;
    size_t n, cap;
};

static int inproc_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                          struct err *err);
static void inproc_destroy(void *ctx);

static const struct http_transport_ops inproc_ops = {
    .name = "inproc",
    .request = inproc_request,
    .destroy = inproc_destroy,
};

http_client *http_client_new_inproc(void)
{
    return http_client_new(&inproc_ops, xcalloc(1, sizeof(struct inproc)));
}

void http_inproc_mount(http_client *c, const char *host, http_handler_fn fn, void *ctx)
{
    if (c->ops != &inproc_ops)
        return;
    struct inproc *ip = c->ctx;
    for (size_t i = 0; i < ip->n; i++) {
        if (strcasecmp(ip->v[i].host, host) == 0) {
            ip->v[i].fn = fn;
            ip->v[i].ctx = ctx;
            return;
        }
    }
    XGROW(ip->v, ip->cap, ip->n + 1);
    ip->v[ip->n++] = (struct inproc_mount){xstrdup(host), fn, ctx};
}

static void inproc_destroy(void *ctx)
{
    struct inproc *ip = ctx;
    for (size_t i = 0; i < ip->n; i++)
        free(ip->v[i].host);
    free(ip->v);
    free(ip);
}

static const struct inproc_mount *inproc_find_key(const struct inproc *ip, const char *key)
{
    for (size_t i = 0; i < ip->n; i++)
        if (strcasecmp(ip->v[i].host, key) == 0)
            return &ip->v[i];
    return NULL;
}

/* "host:port", then "host", then "*"; IPv6 hosts with or without brackets. */
static const struct inproc_mount *inproc_find(const struct inproc *ip, const struct http_url *u)
{
    char *keys[4];
    int v6 = strchr(u->host, ':') != NULL;
    keys[0] = xasprintf(v6 ? "[%s]:%d" : "%s:%d", u->host, u->port);
    keys[1] = xasprintf(v6 ? "[%s]" : "%s", u->host);
    keys[2] = xstrdup(u->host);
    keys[3] = xstrdup("*");
    const struct inproc_mount *m = NULL;
    for (int i = 0; i < 4 && !m; i++)
        m = inproc_find_key(ip, keys[i]);
    for (int i = 0; i < 4; i++)
        free(keys[i]);
    return m;
}

/* The Host header curl would send: the port only when not the default. */
static char *host_header(const struct http_url *u)
{
    int v6 = strchr(u->host, ':') != NULL;
    int dflt = (strcmp(u->scheme, "http") == 0 && u->port == 80) ||
               (strcmp(u->scheme, "https") == 0 && u->port == 443);
    if (dflt)
        return xasprintf(v6 ? "[%s]" : "%s", u->host);
    return xasprintf(v6 ? "[%s]:%d" : "%s:%d", u->host, u->port);
}

/* Build the request as the handler would see it behind httpd. */
static void inproc_server_view(struct http_request *srv, const struct http_request *rq,
                               const struct http_url *u)
{
    *srv = (struct http_request)HTTP_REQUEST_INIT;
    srv->method = rq->method ? rq->method : "GET";
    srv->url = u->query ? xasprintf("%s?%s", u->path, u->query) : xstrdup(u->path);
    char *host = host_header(u);
    http_headers_add(&srv->headers, "Host", host);
    free(host);
    for (size_t i = 0; i < rq->headers.n; i++) {
        if (strcasecmp(rq->headers.v[i].name, "Host") == 0)
            http_headers_set(&srv->headers, "Host", rq->headers.v[i].value);
        else
            http_headers_add(&srv->headers, rq->headers.v[i].name, rq->headers.v[i].value);
    }
    if (rq->bearer_token) {
        char *auth = xasprintf("Bearer %s", rq->bearer_token);
        http_headers_set(&srv->headers, "Authorization", auth);
        free(auth);
    }
    if (http__has_body(rq)) {
        char len[32];
        snprintf(len, sizeof(len), "%zu", rq->body_len);
        http_headers_set(&srv->headers, "Content-Length", len);
    }
    srv->body = rq->body ? rq->body : "";
    srv->body_len = rq->body ? rq->body_len : 0;
    srv->remote_addr = "inproc";
}

/* Deliver n body bytes: to on_data, or into rs->body under the cap.  Returns
 * 1 when on_data asked to stop, 0 to go on, E_TOOBIG when over the cap. */
static int inproc_deliver(const struct http_request *rq, struct http_response *rs,
                          const char *data, size_t n, struct err *err)
{
    if (!n)
        return 0;
    if (rq->on_data)
        return rq->on_data(rq->on_data_ctx, data, n) ? 1 : 0;
    size_t max = http__max_response(rq);
    if (n > max || rs->body.len > max - n)
        return err_set(err, E_TOOBIG, "response body over %zu bytes", max);
    buf_add(&rs->body, data, n);
    return 0;
}

static int inproc_drain(const struct http_request *rq, struct http_response *srs,
                        struct http_response *rs, struct err *err)
{
    char chunk[16384];
    for (;;) {
        ssize_t got = srs->stream(srs->stream_ctx, chunk, sizeof(chunk));
        if (got == 0 || got == HTTP_STREAM_AGAIN)
            return 0;
        if (got < 0 || (size_t)got > sizeof(chunk))
            return err_set(err, E_IO, "in-process response stream failed");
        int rc = inproc_deliver(rq, rs, chunk, (size_t)got, err);
        if (rc)
            return rc < 0 ? rc : 0;
    }
}

/* Copy the handler's answer into the caller's response. */
static int inproc_copy(const struct http_request *rq, struct http_response *srs,
                       struct http_response *rs, struct err *err)
{
    rs->status = srs->status ? srs->status : 500;
    http_headers_copy(&rs->headers, &srs->headers);
    if (http__method_is(rq, "HEAD"))
        return 0;
    int rc = inproc_deliver(rq, rs, srs->body.ptr, srs->body.len, err);
    if (rc)
        return rc < 0 ? rc : 0;
    if (srs->stream)
        return inproc_drain(rq, srs, rs, err);
    return 0;
}

static int inproc_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                          struct err *err)
{
    struct inproc *ip = ctx;
    struct http_url u = {0};
    struct http_request srv = HTTP_REQUEST_INIT;
    struct http_response srs;
    http_response_init(&srs);
    int rc = http_url_parse(&u, rq->url, err);
    if (rc < 0)
        goto out;
    const struct inproc_mount *m = inproc_find(ip, &u);
    if (!m) {
        rs->not_sent = 1;
        rc = err_set(err, E_UNAVAILABLE, "no handler mounted for host '%s:%d'", u.host, u.port);
        goto out;
    }
    inproc_server_view(&srv, rq, &u);
    m->fn(m->ctx, &srv, &srs);
    rc = inproc_copy(rq, &srs, rs, err);
out:
    if (srv.url)
        free((char *)srv.url);
    http_headers_release(&srv.headers);
    http_response_release(&srs);
    http_url_release(&u);
    return rc;
}

/* ---- URLs ------------------------------------------------------------------------ */

void http_url_release(struct http_url *u)
{
    free(u->scheme);
    free(u->host);
    free(u->path);
    free(u->query);
    memset(u, 0, sizeof(*u));
}

static int is_alpha(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }

static int url_scheme(struct http_url *u, const char **p, struct err *err)
{
    const char *s = *p, *q = s;
    if (!is_alpha((unsigned char)*q))
        return err_set(err, E_INVALID, "url '%s': missing scheme", s);
    while (is_alpha((unsigned char)*q) || is_digit((unsigned char)*q) || *q == '+' ||
           *q == '-' || *q == '.')
        q++;
    if (strncmp(q, "://", 3) != 0)
        return err_set(err, E_INVALID, "url '%s': missing scheme", s);
    u->scheme = xstrndup(s, (size_t)(q - s));
    for (char *c = u->scheme; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    *p = q + 3;
    return 0;
}

static int host_char_ok(int ch)
{
    return is_alpha(ch) || is_digit(ch) || (ch && strchr("-._~%!$&'()*+,;=", ch));
}

/* Host (a name, an IPv4 address or a bracketed IPv6 literal) ending at end. */
static int url_host(struct http_url *u, const char *s, const char *end, const char **rest,
                    const char *url, struct err *err)
{
    const char *h = s, *he;
    if (*s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (!close || close == s + 1)
            return err_set(err, E_INVALID, "url '%s': bad IPv6 address", url);
        for (const char *c = s + 1; c < close; c++)
            if (!(is_digit((unsigned char)*c) || strchr("abcdefABCDEF:.", *c)))
                return err_set(err, E_INVALID, "url '%s': bad IPv6 address", url);
        h = s + 1;
        he = close;
        *rest = close + 1;
    } else {
        for (he = s; he < end && *he != ':'; he++)
            if (!host_char_ok((unsigned char)*he))
                return err_set(err, E_INVALID, "url '%s': bad character in host", url);
        *rest = he;
    }
    if (he == h)
        return err_set(err, E_INVALID, "url '%s': empty host", url);
    u->host = xstrndup(h, (size_t)(he - h));
    return 0;
}

static int default_port(const char *scheme)
{
    if (strcmp(scheme, "http") == 0)
        return 80;
    if (strcmp(scheme, "https") == 0)
        return 443;
    return 0;
}

static int url_port(struct http_url *u, const char *p, const char *end, const char *url,
                    struct err *err)
{
    if (p == end) {
        u->port = default_port(u->scheme);
        return 0;
    }
    if (*p != ':' || p + 1 == end)
        return err_set(err, E_INVALID, "url '%s': bad port", url);
    long port = 0;
    for (p++; p < end; p++) {
        if (!is_digit((unsigned char)*p) || (port = port * 10 + (*p - '0')) > 65535)
            return err_set(err, E_INVALID, "url '%s': bad port", url);
    }
    if (port == 0)
        return err_set(err, E_INVALID, "url '%s': bad port", url);
    u->port = (int)port;
    return 0;
}

static int url_authority(struct http_url *u, const char **p, const char *url, struct err *err)
{
    const char *s = *p;
    size_t n = strcspn(s, "/?#");
    const char *end = s + n, *rest = end;
    if (memchr(s, '@', n))
        return err_set(err, E_INVALID, "url '%s': user information is not supported", url);
    int rc = url_host(u, s, end, &rest, url, err);
    if (rc < 0)
        return rc;
    rc = url_port(u, rest, end, url, err);
    if (rc < 0)
        return rc;
    *p = end;
    return 0;
}

int http_url_parse(struct http_url *u, const char *url, struct err *err)
{
    memset(u, 0, sizeof(*u));
    const char *p = url;
    int rc = E_INVALID;
    if (!url) {
        rc = err_set(err, E_INVALID, "url is missing");
        goto out;
    }
    for (const unsigned char *c = (const unsigned char *)url; *c; c++) {
        if (*c <= 0x20 || *c == 0x7f) {
            rc = err_set(err, E_INVALID, "url '%s': bad character at offset %zu", url,
                         (size_t)(c - (const unsigned char *)url));
            goto out;
        }
    }
    rc = url_scheme(u, &p, err);
    if (rc == 0)
        rc = url_authority(u, &p, url, err);
    if (rc < 0)
        goto out;
    size_t plen = strcspn(p, "?#");
    u->path = plen ? xstrndup(p, plen) : xstrdup("/");
    p += plen;
    if (*p == '?')
        u->query = xstrndup(p + 1, strcspn(p + 1, "#"));
    rc = 0;
out:
    if (rc < 0)
        http_url_release(u);
    return rc;
}

/* ---- escaping and queries ----------------------------------------------------- */

static int hexval(int ch)
{
    if (is_digit(ch))
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int http_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = hexval((unsigned char)r[1]), lo = hi < 0 ? -1 : hexval((unsigned char)r[2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    return 0;
}

void http_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (is_alpha(*c) || is_digit(*c) || *c == '-' || *c == '.' || *c == '_' || *c == '~') {
            buf_putc(out, (char)*c);
        } else {
            char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
            buf_add(out, e, 3);
        }
    }
}

/* Decode a query component: '+' is a space, then percent escapes. */
static char *query_decode(const char *s, size_t n)
{
    char *d = xstrndup(s, n);
    for (char *c = d; *c; c++)
        if (*c == '+')
            *c = ' ';
    if (http_unescape(d) < 0) {
        free(d);
        return NULL;
    }
    return d;
}

char *http_query_get(const char *query, const char *name)
{
    if (!query || !name)
        return NULL;
    const char *p = query;
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;
        char *key = query_decode(p, klen);
        int hit = key && strcmp(key, name) == 0;
        free(key);
        if (hit) {
            char *val = eq ? query_decode(eq + 1, n - klen - 1) : xstrdup("");
            if (val) /* a pair with a bad escape is skipped, as Go does */
                return val;
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return NULL;
}

/* ---- reasons -------------------------------------------------------------------- */

struct reason {
    int status;
    const char *text;
};

static const struct reason reasons[] = {
    {100, "Continue"}, {101, "Switching Protocols"}, {200, "OK"}, {201, "Created"},
    {202, "Accepted"}, {203, "Non-Authoritative Information"}, {204, "No Content"},
    {205, "Reset Content"}, {206, "Partial Content"}, {300, "Multiple Choices"},
    {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
    {307, "Temporary Redirect"}, {308, "Permanent Redirect"}, {400, "Bad Request"},
    {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"}, {404, "Not Found"},
    {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {408, "Request Timeout"},
    {409, "Conflict"}, {410, "Gone"}, {411, "Length Required"}, {412, "Precondition Failed"},
    {413, "Content Too Large"}, {414, "URI Too Long"}, {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"}, {417, "Expectation Failed"}, {418, "I'm a teapot"},
    {422, "Unprocessable Entity"}, {425, "Too Early"}, {426, "Upgrade Required"},
    {428, "Precondition Required"}, {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"}, {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
    {503, "Service Unavailable"}, {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"},
};

const char *http_reason(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].status == status)
            return reasons[i].text;
    return "Unknown";
}
