/* http_test.c -- unit tests for http (helpers, in-process and curl
 * transports) and httpd.  The central check is DESIGN.md's promise: one
 * handler, mounted in-process or served on a port, answers the same. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/http.h"
#include "core/httpd.h"
#include "core/mem.h"

/* ---- URL and query helpers ------------------------------------------------------ */

START_TEST(http_url_parses)
{
    static const struct {
        const char *url, *scheme, *host, *path, *query;
        int port;
    } ok[] = {
        {"http://example.com", "http", "example.com", "/", NULL, 80},
        {"HTTPS://Example.com/", "https", "Example.com", "/", NULL, 443},
        {"http://127.0.0.1:8080/api/v1?watch=true", "http", "127.0.0.1", "/api/v1", "watch=true",
         8080},
        {"https://[::1]:6443/x/y?", "https", "::1", "/x/y", "", 6443},
        {"http://[fe80::1%25eth0]/", NULL, NULL, NULL, NULL, 0}, /* zone ids: refused */
        {"http://h?a=b#frag", "http", "h", "/", "a=b", 80},
        {"http://h/p#frag?x", "http", "h", "/p", NULL, 80},
        {"sim://kube:1/a%20b", "sim", "kube", "/a%20b", NULL, 1},
        {"sim://kube", "sim", "kube", "/", NULL, 0},
        {"http://h:65535", "http", "h", "/", NULL, 65535},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct http_url u;
        struct err e = ERR_INIT;
        int rc = http_url_parse(&u, ok[i].url, &e);
        if (!ok[i].scheme) {
            ck_assert_msg(rc == E_INVALID, "accepted '%s'", ok[i].url);
            continue;
        }
        ck_assert_msg(rc == 0, "'%s': %s", ok[i].url, e.msg);
        ck_assert_str_eq(u.scheme, ok[i].scheme);
        ck_assert_str_eq(u.host, ok[i].host);
        ck_assert_str_eq(u.path, ok[i].path);
        if (ok[i].query)
            ck_assert_str_eq(u.query, ok[i].query);
        else
            ck_assert_ptr_null(u.query);
        ck_assert_int_eq(u.port, ok[i].port);
        http_url_release(&u);
    }
}
END_TEST

START_TEST(http_url_rejects)
{
    static const char *const bad[] = {
        "", "example.com", "/path", "http:/x", "://x", "1http://x", "http://", "http:///p",
        "http://h:/", "http://h:0/", "http://h:65536/", "http://h:80a/", "http://h:-1/",
        "http://u:p@h/", "http://[::1/", "http://[]/", "http://[xyz]/", "http://h h/",
        "http://h/\x01", "http://h/a b", "http://h\t/", "http://a\\b/", "http://h:8080:9/",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_url u;
        struct err e = ERR_INIT;
        ck_assert_msg(http_url_parse(&u, bad[i], &e) == E_INVALID, "accepted '%s'", bad[i]);
        ck_assert_int_eq(e.code, E_INVALID);
        ck_assert_ptr_null(u.host);
        http_url_release(&u);
    }
    struct http_url u;
    struct err e = ERR_INIT;
    ck_assert_int_eq(http_url_parse(&u, "http://h:99999/", &e), E_INVALID);
    ck_assert_str_eq(e.msg, "url 'http://h:99999/': bad port");
    ck_assert_int_eq(http_url_parse(&u, NULL, NULL), E_INVALID);
}
END_TEST

static void query_is(const char *q, const char *name, const char *want)
{
    char *v = http_query_get(q, name);
    if (!want) {
        ck_assert_msg(v == NULL, "%s in '%s' gave '%s'", name, q, v);
    } else {
        ck_assert_msg(v != NULL, "%s missing in '%s'", name, q);
        ck_assert_str_eq(v, want);
    }
    free(v);
}

START_TEST(http_query_decodes)
{
    query_is("a=1&b=2", "b", "2");
    query_is("a=1&b=2", "a", "1");
    query_is("a=1&b=2", "c", NULL);
    query_is("a=1&a=2", "a", "1");
    query_is("label=app%3Dweb%2Ctier+in+(a%2Cb)", "label", "app=web,tier in (a,b)");
    query_is("x+y=1", "x y", "1");
    query_is("k%3D=v", "k=", "v");
    query_is("flag&b=", "flag", "");
    query_is("flag&b=", "b", "");
    query_is("a=%zz&a=ok", "a", "ok"); /* bad pair skipped */
    query_is("a=%4", "a", NULL);
    query_is("", "a", NULL);
    query_is("&&a=1&", "a", "1");
    query_is("a=x%00y", "a", NULL);
    query_is("a=%E2%82%AC", "a", "\xe2\x82\xac");
    query_is(NULL, "a", NULL);
}
END_TEST

START_TEST(http_escape_round_trips)
{
    struct buf b = BUF_INIT;
    http_escape(&b, "a b/c?d=e&f+g~h.i_j-k\xe2\x82\xac");
    ck_assert_str_eq(b.ptr, "a%20b%2Fc%3Fd%3De%26f%2Bg~h.i_j-k%E2%82%AC");
    char *s = xstrdup(b.ptr);
    ck_assert_int_eq(http_unescape(s), 0);
    ck_assert_str_eq(s, "a b/c?d=e&f+g~h.i_j-k\xe2\x82\xac");
    free(s);
    buf_release(&b);
    char plus[] = "a+b%2b";
    ck_assert_int_eq(http_unescape(plus), 0);
    ck_assert_str_eq(plus, "a+b+");
    char bad1[] = "%G0", bad2[] = "abc%", bad3[] = "%0", bad4[] = "%00";
    ck_assert_int_eq(http_unescape(bad1), -1);
    ck_assert_int_eq(http_unescape(bad2), -1);
    ck_assert_int_eq(http_unescape(bad3), -1);
    ck_assert_int_eq(http_unescape(bad4), -1);
}
END_TEST

START_TEST(http_headers_and_reasons)
{
    struct http_headers h = HTTP_HEADERS_INIT;
    http_headers_add(&h, "Accept", "a");
    http_headers_add(&h, "X-Two", "1");
    http_headers_add(&h, "x-two", "2");
    ck_assert_str_eq(http_headers_get(&h, "X-TWO"), "1");
    http_headers_set(&h, "X-Two", "3");
    ck_assert_uint_eq(h.n, 2);
    ck_assert_str_eq(http_headers_get(&h, "x-two"), "3");
    ck_assert_ptr_null(http_headers_get(&h, "nope"));
    struct http_headers c = HTTP_HEADERS_INIT;
    http_headers_copy(&c, &h);
    http_headers_release(&h);
    ck_assert_str_eq(http_headers_get(&c, "accept"), "a");
    http_headers_release(&c);
    http_headers_release(&c);
    ck_assert_str_eq(http_reason(200), "OK");
    ck_assert_str_eq(http_reason(404), "Not Found");
    ck_assert_str_eq(http_reason(413), "Content Too Large");
    ck_assert_str_eq(http_reason(799), "Unknown");
}
END_TEST

/* ---- the test handler ----------------------------------------------------------- */

struct srv {
    pthread_mutex_t mu;
    int calls;
    int streams_freed;
    int forever_ticks;
    int active, max_active; /* handlers inside /overlap */
};

static void srv_init(struct srv *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
}

static void srv_count(struct srv *s, int *field)
{
    pthread_mutex_lock(&s->mu);
    (*field)++;
    pthread_mutex_unlock(&s->mu);
}

static int srv_get(struct srv *s, int *field)
{
    pthread_mutex_lock(&s->mu);
    int v = *field;
    pthread_mutex_unlock(&s->mu);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int hdr_cmp(const void *a, const void *b)
{
    const struct http_header *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Everything a handler can see, but the peer: method, target, every header
 * (sorted, names lowercased) and the body. */
static void echo(const struct http_request *rq, struct http_response *rs)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "%s %s\n", rq->method, rq->url);
    struct http_header *v = xmalloc((rq->headers.n + 1) * sizeof(*v));
    memcpy(v, rq->headers.v, rq->headers.n * sizeof(*v));
    qsort(v, rq->headers.n, sizeof(*v), hdr_cmp);
    for (size_t i = 0; i < rq->headers.n; i++) {
        for (const char *c = v[i].name; *c; c++)
            buf_putc(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
        buf_addf(&b, ": %s\n", v[i].value);
    }
    free(v);
    buf_addf(&b, "body(%zu): ", rq->body_len);
    buf_add(&b, rq->body, rq->body_len);
    http_response_set(rs, 200, "text/plain", b.ptr, b.len);
    http_headers_add(&rs->headers, "X-Multi", "one");
    http_headers_add(&rs->headers, "X-Multi-2", "two");
    buf_release(&b);
}

struct lines {
    struct srv *s;
    int i, n;
    int sleep_ms;
    int again, calls; /* answer HTTP_STREAM_AGAIN on every other call */
};

static ssize_t lines_read(void *ctx, char *out, size_t max)
{
    struct lines *l = ctx;
    if (l->n >= 0 && l->i >= l->n)
        return 0;
    if (l->sleep_ms)
        sleep_ms(l->sleep_ms);
    if (l->again && l->calls++ % 2 == 0)
        return HTTP_STREAM_AGAIN;
    if (l->n < 0)
        srv_count(l->s, &l->s->forever_ticks);
    int w = snprintf(out, max, "{\"event\":%d}\n", l->i++);
    return w < 0 || (size_t)w >= max ? -1 : w;
}

static void lines_free(void *ctx)
{
    struct lines *l = ctx;
    srv_count(l->s, &l->s->streams_freed);
    free(l);
}

static void stream(struct srv *s, const struct http_request *rq, struct http_response *rs, int n,
                   int pause)
{
    struct lines *l = xcalloc(1, sizeof(*l));
    l->s = s;
    l->n = n;
    l->sleep_ms = pause;
    l->again = strcmp(rq->url, "/again") == 0;
    http_response_set(rs, 200, "application/json", "[start]\n", 8);
    rs->stream = lines_read;
    rs->stream_ctx = l;
    rs->stream_free = lines_free;
}

static void handler(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct srv *s = ctx;
    const char *p = rq->url;
    srv_count(s, &s->calls);
    if (strncmp(p, "/echo", 5) == 0) {
        echo(rq, rs);
    } else if (strncmp(p, "/status/", 8) == 0) {
        int code = atoi(p + 8);
        char body[32];
        snprintf(body, sizeof(body), "status %d\n", code);
        http_response_set(rs, code, "text/plain", body, strlen(body));
    } else if (strcmp(p, "/nostatus") == 0) {
        /* leaves the status at 0 */
    } else if (strncmp(p, "/big", 4) == 0) {
        const char *q = strchr(p, '?');
        char *n = http_query_get(q ? q + 1 : "", "n");
        size_t len = n ? strtoul(n, NULL, 10) : 0;
        free(n);
        char *body = xmalloc(len + 1);
        memset(body, 'x', len);
        http_response_set(rs, 200, "application/octet-stream", body, len);
        free(body);
    } else if (strcmp(p, "/stream") == 0) {
        stream(s, rq, rs, 50, 0);
    } else if (strcmp(p, "/again") == 0) {
        stream(s, rq, rs, 5, 2);
    } else if (strcmp(p, "/forever") == 0) {
        stream(s, rq, rs, -1, 10);
    } else if (strcmp(p, "/slow") == 0) {
        sleep_ms(400);
        http_response_set(rs, 200, "text/plain", "slow\n", 5);
    } else if (strcmp(p, "/overlap") == 0) {
        pthread_mutex_lock(&s->mu);
        if (++s->active > s->max_active)
            s->max_active = s->active;
        pthread_mutex_unlock(&s->mu);
        sleep_ms(200);
        pthread_mutex_lock(&s->mu);
        s->active--;
        pthread_mutex_unlock(&s->mu);
        http_response_set(rs, 200, "text/plain", "ok\n", 3);
    } else if (strcmp(p, "/peer") == 0) {
        const char *a = rq->remote_addr ? rq->remote_addr : "(none)";
        http_response_set(rs, 200, "text/plain", a, strlen(a));
    } else {
        http_response_set(rs, 404, "text/plain", "not found\n", 10);
    }
}

/* ---- request helper ---- */

struct call {
    const char *method, *path, *body, *ctype, *token;
    size_t max_response;
    long timeout_ms;
};

static int run(http_client *c, const char *base, const struct call *k, struct http_response *rs,
               struct err *e)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    char *url = xasprintf("%s%s", base, k->path);
    rq.method = k->method ? k->method : "GET";
    rq.url = url;
    if (k->body) {
        rq.body = k->body;
        rq.body_len = strlen(k->body);
    }
    if (k->ctype)
        http_headers_add(&rq.headers, "Content-Type", k->ctype);
    http_headers_add(&rq.headers, "X-Test", "yes");
    rq.bearer_token = k->token;
    rq.max_response = k->max_response;
    rq.timeout_ms = k->timeout_ms;
    int rc = http_client_do(c, &rq, rs, e);
    http_headers_release(&rq.headers);
    free(url);
    return rc;
}

/* ---- in-process ---------------------------------------------------------------- */

START_TEST(http_inproc_dispatches_by_host)
{
    struct srv a, b, star;
    srv_init(&a);
    srv_init(&b);
    srv_init(&star);
    http_client *c = http_client_new_inproc();
    ck_assert_str_eq(http_client_transport(c), "inproc");
    http_inproc_mount(c, "api:8080", handler, &a);
    http_inproc_mount(c, "api", handler, &b);
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call k = {.path = "/status/201"};
    ck_assert_int_eq(run(c, "http://api:8080", &k, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 201);
    ck_assert_int_eq(run(c, "http://API:9090", &k, &rs, &e), 0);
    ck_assert_int_eq(run(c, "http://api", &k, &rs, &e), 0);
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(b.calls, 2);
    ck_assert_int_eq(run(c, "http://other:1", &k, &rs, &e), E_UNAVAILABLE);
    ck_assert_str_eq(e.msg, "no handler mounted for host 'other:1'");
    ck_assert_int_eq(rs.not_sent, 1);
    http_inproc_mount(c, "*", handler, &star);
    ck_assert_int_eq(run(c, "http://other:1", &k, &rs, &e), 0);
    ck_assert_int_eq(star.calls, 1);
    /* remounting replaces */
    http_inproc_mount(c, "api:8080", handler, &star);
    ck_assert_int_eq(run(c, "http://api:8080", &k, &rs, &e), 0);
    ck_assert_int_eq(star.calls, 2);
    ck_assert_int_eq(a.calls, 1);
    http_inproc_mount(c, "[::1]:6443", handler, &a);
    ck_assert_int_eq(run(c, "https://[::1]:6443", &k, &rs, &e), 0);
    ck_assert_int_eq(a.calls, 2);
    ck_assert_int_eq(run(c, "not a url", &k, &rs, &e), E_INVALID);
    http_response_release(&rs);
    http_client_free(c);
    http_client_free(NULL);
}
END_TEST

START_TEST(http_inproc_builds_server_view)
{
    struct srv s;
    srv_init(&s);
    http_client *c = http_client_new_inproc();
    http_inproc_mount(c, "*", handler, &s);
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call k = {.method = "PATCH", .path = "/echo/x?a=1%202", .body = "{\"a\":1}",
                     .ctype = "application/merge-patch+json", .token = "tok"};
    ck_assert_int_eq(run(c, "https://kube.local", &k, &rs, &e), 0);
    ck_assert_str_eq(rs.body.ptr, "PATCH /echo/x?a=1%202\n"
                                  "authorization: Bearer tok\n"
                                  "content-length: 7\n"
                                  "content-type: application/merge-patch+json\n"
                                  "host: kube.local\n"
                                  "x-test: yes\n"
                                  "body(7): {\"a\":1}");
    ck_assert_str_eq(http_headers_get(&rs.headers, "content-type"), "text/plain");
    ck_assert_str_eq(http_headers_get(&rs.headers, "x-multi"), "one");
    /* a handler that sets no status answers 500; HEAD drops the body */
    struct call ns = {.path = "/nostatus"};
    ck_assert_int_eq(run(c, "http://h:81", &ns, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 500);
    struct call head = {.method = "HEAD", .path = "/echo"};
    ck_assert_int_eq(run(c, "http://h:81", &head, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_uint_eq(rs.body.len, 0);
    ck_assert_str_eq(http_headers_get(&rs.headers, "content-type"), "text/plain");
    http_response_release(&rs);
    http_client_free(c);
}
END_TEST

struct sink {
    struct buf got;
    int calls, stop_after;
    const struct http_response *rs;
    int first_status; /* rs->status when on_data was first called */
};

static int sink_data(void *ctx, const char *data, size_t n)
{
    struct sink *k = ctx;
    if (!k->calls && k->rs)
        k->first_status = k->rs->status;
    buf_add(&k->got, data, n);
    k->calls++;
    return k->stop_after && k->calls >= k->stop_after;
}

static int stream_into(http_client *c, const char *url, struct sink *k, struct http_response *rs,
                       struct err *e)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    rq.url = url;
    rq.on_data = sink_data;
    rq.on_data_ctx = k;
    rq.max_response = 10; /* does not apply to on_data */
    k->rs = rs;
    return http_client_do(c, &rq, rs, e);
}

START_TEST(http_inproc_streams_and_caps)
{
    struct srv s;
    srv_init(&s);
    http_client *c = http_client_new_inproc();
    http_inproc_mount(c, "*", handler, &s);
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    /* a streamed body is drained into the response */
    struct call st = {.path = "/stream"};
    ck_assert_int_eq(run(c, "http://h", &st, &rs, &e), 0);
    ck_assert(strncmp(rs.body.ptr, "[start]\n{\"event\":0}\n{\"event\":1}\n", 32) == 0);
    ck_assert(strstr(rs.body.ptr, "{\"event\":49}\n") != NULL);
    ck_assert_int_eq(s.streams_freed, 1);
    /* or handed to on_data */
    struct sink k = {.got = BUF_INIT};
    ck_assert_int_eq(stream_into(c, "http://h/stream", &k, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_uint_eq(rs.body.len, 0);
    ck_assert_int_eq(k.calls, 51);
    ck_assert_int_eq(k.first_status, 200);
    ck_assert(strstr(k.got.ptr, "{\"event\":49}\n") != NULL);
    /* on_data stops an endless stream */
    struct sink k2 = {.got = BUF_INIT, .stop_after = 3};
    ck_assert_int_eq(stream_into(c, "http://h/forever", &k2, &rs, &e), 0);
    ck_assert_str_eq(k2.got.ptr, "[start]\n{\"event\":0}\n{\"event\":1}\n");
    ck_assert_int_eq(s.streams_freed, 3);
    /* the body cap */
    struct call big = {.path = "/big?n=1000", .max_response = 999};
    ck_assert_int_eq(run(c, "http://h", &big, &rs, &e), E_TOOBIG);
    big.max_response = 1000;
    ck_assert_int_eq(run(c, "http://h", &big, &rs, &e), 0);
    ck_assert_uint_eq(rs.body.len, 1000);
    struct call bigst = {.path = "/stream", .max_response = 100};
    ck_assert_int_eq(run(c, "http://h", &bigst, &rs, &e), E_TOOBIG);
    ck_assert_int_eq(s.streams_freed, 4);
    buf_release(&k.got);
    buf_release(&k2.got);
    http_response_release(&rs);
    http_client_free(c);
}
END_TEST

/* ---- a custom transport ---------------------------------------------------------- */

static int fake_request(void *ctx, const struct http_request *rq, struct http_response *rs,
                        struct err *err)
{
    int *n = ctx;
    (*n)++;
    if (strstr(rq->url, "fail"))
        return err_set(err, E_TIMEOUT, "fake timeout");
    rs->status = 204;
    return 0;
}

static const struct http_transport_ops fake_ops = {.name = "fake", .request = fake_request};

START_TEST(http_custom_transport)
{
    int n = 0;
    http_client *c = http_client_new(&fake_ops, &n);
    ck_assert_str_eq(http_client_transport(c), "fake");
    struct http_response rs;
    http_response_init(&rs);
    http_response_set(&rs, 200, "x/y", "stale", 5);
    struct http_request rq = HTTP_REQUEST_INIT;
    rq.url = "http://x/";
    struct err e = ERR_INIT;
    ck_assert_int_eq(http_client_do(c, &rq, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 204);
    ck_assert_uint_eq(rs.body.len, 0); /* reset first */
    ck_assert_uint_eq(rs.headers.n, 0);
    rq.url = "http://x/fail";
    ck_assert_int_eq(http_client_do(c, &rq, &rs, &e), E_TIMEOUT);
    rq.url = NULL;
    ck_assert_int_eq(http_client_do(c, &rq, &rs, &e), E_INVALID);
    ck_assert_int_eq(n, 2);
    http_response_release(&rs);
    http_client_free(c); /* destroy is optional */
}
END_TEST

/* ---- httpd + curl ------------------------------------------------------------------ */

struct served {
    struct srv s;
    httpd *d;
    char base[64];
};

static void serve(struct served *v, size_t max_body)
{
    srv_init(&v->s);
    struct httpd_opts o = HTTPD_OPTS_INIT;
    o.max_body = max_body;
    struct err e = ERR_INIT;
    ck_assert_msg(httpd_start(&v->d, &o, handler, &v->s, &e) == 0, "%s", e.msg);
    ck_assert_int_gt(httpd_port(v->d), 0);
    snprintf(v->base, sizeof(v->base), "http://127.0.0.1:%d", httpd_port(v->d));
}

/* Every header the handler set appears with the same value. */
static void same_headers(const struct http_response *want, const struct http_response *got,
                         const char *what)
{
    for (size_t i = 0; i < want->headers.n; i++) {
        const char *v = http_headers_get(&got->headers, want->headers.v[i].name);
        ck_assert_msg(v && strcmp(v, want->headers.v[i].value) == 0, "%s: header %s: '%s' vs '%s'",
                      what, want->headers.v[i].name, want->headers.v[i].value, v ? v : "(none)");
    }
}

START_TEST(http_same_handler_same_answers)
{
    static const struct call table[] = {
        {.path = "/echo"},
        {.path = "/echo/a%2Fb?x=1&y=a+b%20c&z"},
        {.method = "POST", .path = "/echo", .body = "{\"kind\":\"Pod\"}",
         .ctype = "application/json"},
        {.method = "POST", .path = "/echo"},
        {.method = "PUT", .path = "/echo/put", .body = "data"},
        {.method = "PATCH", .path = "/echo", .body = "[]", .ctype = "application/json-patch+json"},
        {.method = "DELETE", .path = "/echo/x"},
        {.method = "DELETE", .path = "/echo/x", .body = "{\"propagationPolicy\":\"Foreground\"}"},
        {.method = "HEAD", .path = "/echo"},
        {.path = "/echo", .token = "secret-token"},
        {.path = "/status/404"},
        {.path = "/status/409"},
        {.path = "/status/503"},
        {.path = "/nostatus"},
        {.path = "/nowhere"},
        {.path = "/big?n=100000"},
        {.path = "/stream"},
    };
    struct served v;
    serve(&v, 0);
    http_client *cc = http_client_new_curl(), *ic = http_client_new_inproc();
    ck_assert_str_eq(http_client_transport(cc), "curl");
    http_inproc_mount(ic, "*", handler, &v.s);
    struct http_response a, b;
    http_response_init(&a);
    http_response_init(&b);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        struct err e1 = ERR_INIT, e2 = ERR_INIT;
        const struct call *k = &table[i];
        ck_assert_msg(run(ic, v.base, k, &a, &e1) == 0, "inproc %s: %s", k->path, e1.msg);
        ck_assert_msg(run(cc, v.base, k, &b, &e2) == 0, "curl %s: %s", k->path, e2.msg);
        ck_assert_msg(a.status == b.status, "%s %s: status %d vs %d", k->method, k->path,
                      a.status, b.status);
        ck_assert_msg(a.body.len == b.body.len && memcmp(a.body.ptr, b.body.ptr, a.body.len) == 0,
                      "%s %s: body\n%s\nvs\n%s", k->method, k->path, a.body.ptr, b.body.ptr);
        same_headers(&a, &b, k->path);
    }
    http_response_release(&a);
    http_response_release(&b);
    http_client_free(cc);
    http_client_free(ic);
    httpd_stop(v.d);
    ck_assert_int_eq(v.s.calls, 2 * (int)(sizeof(table) / sizeof(table[0])));
    ck_assert_int_eq(v.s.streams_freed, 2);
}
END_TEST

START_TEST(http_curl_keeps_alive)
{
    struct served v;
    serve(&v, 0);
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call peer = {.path = "/peer"}, post = {.method = "POST", .path = "/echo", .body = "x"};
    ck_assert_int_eq(run(c, v.base, &peer, &rs, &e), 0);
    char *first = xstrdup(rs.body.ptr);
    ck_assert(strncmp(first, "127.0.0.1:", 10) == 0);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(run(c, v.base, &post, &rs, &e), 0);
        ck_assert_int_eq(run(c, v.base, &peer, &rs, &e), 0);
        ck_assert_str_eq(rs.body.ptr, first); /* the same connection */
        const char *conn = http_headers_get(&rs.headers, "Connection");
        ck_assert(!conn || strcasecmp(conn, "close") != 0);
    }
    /* another client is another connection */
    http_client *c2 = http_client_new_curl();
    ck_assert_int_eq(run(c2, v.base, &peer, &rs, &e), 0);
    ck_assert_str_ne(rs.body.ptr, first);
    free(first);
    http_client_free(c2);
    http_response_release(&rs);
    http_client_free(c);
    httpd_stop(v.d);
}
END_TEST

START_TEST(http_body_caps)
{
    struct served v;
    serve(&v, 1000);
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    char *big = xmalloc(1002);
    memset(big, 'b', 1001);
    big[1001] = '\0';
    struct call k = {.method = "POST", .path = "/echo", .body = big};
    ck_assert_int_eq(run(c, v.base, &k, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 413);
    ck_assert_int_eq(v.s.calls, 0);
    big[1000] = '\0'; /* exactly the cap */
    ck_assert_int_eq(run(c, v.base, &k, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 200);
    ck_assert_int_eq(v.s.calls, 1);
    /* a chunked upload has no Content-Length: capped while it arrives */
    struct http_request rq = HTTP_REQUEST_INIT;
    char *url = xasprintf("%s/echo", v.base);
    rq.method = "POST";
    rq.url = url;
    rq.body = big;
    rq.body_len = 1000;
    http_headers_add(&rq.headers, "Transfer-Encoding", "chunked");
    ck_assert_int_eq(http_client_do(c, &rq, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 200);
    ck_assert(strstr(rs.body.ptr, "transfer-encoding: chunked\n") != NULL);
    rq.body_len = 1001;
    ck_assert_int_eq(http_client_do(c, &rq, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 413);
    ck_assert_int_eq(v.s.calls, 2);
    http_headers_release(&rq.headers);
    free(url);
    free(big);
    /* response cap: E_TOOBIG, also after the body began to arrive */
    struct call r = {.path = "/big?n=5000000", .max_response = 4000000};
    ck_assert_int_eq(run(c, v.base, &r, &rs, &e), E_TOOBIG);
    ck_assert(strstr(e.msg, "over 4000000 bytes") != NULL);
    r.max_response = 5000000;
    ck_assert_int_eq(run(c, v.base, &r, &rs, &e), 0);
    ck_assert_uint_eq(rs.body.len, 5000000);
    http_response_release(&rs);
    http_client_free(c);
    httpd_stop(v.d);
}
END_TEST

/* A watch on its own thread, stopped by the main thread. */
struct watcher {
    http_client *c;
    const char *url;
    struct sink k;
    struct http_response rs;
    volatile int stop;
    int rc;
    pthread_mutex_t mu;
};

static int watcher_data(void *ctx, const char *data, size_t n)
{
    struct watcher *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (!w->k.calls)
        w->k.first_status = w->rs.status;
    buf_add(&w->k.got, data, n);
    w->k.calls++;
    int stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *watcher_run(void *arg)
{
    struct watcher *w = arg;
    struct http_request rq = HTTP_REQUEST_INIT;
    rq.url = w->url;
    rq.timeout_ms = -1;
    rq.on_data = watcher_data;
    rq.on_data_ctx = w;
    w->rc = http_client_do(w->c, &rq, &w->rs, NULL);
    http_response_release(&w->rs);
    return NULL;
}

START_TEST(http_streams_do_not_block_others)
{
    struct served v;
    serve(&v, 0);
    struct watcher w = {.c = http_client_new_curl(), .k = {.got = BUF_INIT}};
    http_response_init(&w.rs);
    pthread_mutex_init(&w.mu, NULL);
    char *url = xasprintf("%s/forever", v.base);
    w.url = url;
    pthread_t th;
    pthread_create(&th, NULL, watcher_run, &w);
    while (srv_get(&v.s, &v.s.forever_ticks) < 3)
        sleep_ms(5);
    /* other requests are served meanwhile */
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call k = {.path = "/status/200", .timeout_ms = 2000};
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(run(c, v.base, &k, &rs, &e) == 0, "%s", e.msg);
        ck_assert_int_eq(rs.status, 200);
    }
    pthread_mutex_lock(&w.mu);
    w.stop = 1;
    pthread_mutex_unlock(&w.mu);
    pthread_join(th, NULL);
    ck_assert_int_eq(w.rc, 0);
    ck_assert_int_eq(w.k.first_status, 200);
    ck_assert(strncmp(w.k.got.ptr, "[start]\n{\"event\":0}\n{\"event\":1}\n", 32) == 0);
    http_response_release(&rs);
    http_client_free(c);
    http_client_free(w.c);
    free(url);
    buf_release(&w.k.got);
    httpd_stop(v.d);
    /* the server noticed the client left, or stop ended the stream */
    ck_assert_int_eq(v.s.streams_freed, 1);
}
END_TEST

START_TEST(http_stream_again_over_httpd)
{
    struct served v;
    serve(&v, 0);
    http_client *c = http_client_new_curl(), *ic = http_client_new_inproc();
    http_inproc_mount(ic, "*", handler, &v.s);
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call k = {.path = "/again", .timeout_ms = 5000};
    /* httpd calls the stream again after HTTP_STREAM_AGAIN... */
    ck_assert_msg(run(c, v.base, &k, &rs, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(rs.body.ptr, "[start]\n{\"event\":0}\n{\"event\":1}\n{\"event\":2}\n"
                                  "{\"event\":3}\n{\"event\":4}\n");
    /* ...in-process it ends the body (nothing else could produce data) */
    ck_assert_int_eq(run(ic, v.base, &k, &rs, &e), 0);
    ck_assert_str_eq(rs.body.ptr, "[start]\n");
    http_response_release(&rs);
    http_client_free(c);
    http_client_free(ic);
    httpd_stop(v.d);
    ck_assert_int_eq(v.s.streams_freed, 2);
}
END_TEST

/* Send raw bytes, return what came back before the server closed. */
static char *raw_exchange(int port, const char *req, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
    struct buf b = BUF_INIT;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        buf_add(&b, chunk, (size_t)n);
    close(fd);
    return buf_detach(&b, NULL);
}

START_TEST(http_httpd_raw_requests)
{
    struct served v;
    serve(&v, 100);
    int port = httpd_port(v.d);
    static const char absolute[] = "GET http://example.com:81/echo/abs?q=1 HTTP/1.1\r\n"
                                   "Host: example.com\r\nConnection: close\r\n\r\n";
    char *out = raw_exchange(port, absolute, sizeof(absolute) - 1);
    ck_assert_msg(strstr(out, "HTTP/1.1 200 OK\r\n") == out, "%s", out);
    ck_assert_msg(strstr(out, "\r\n\r\nGET /echo/abs?q=1\n") != NULL, "%s", out);
    free(out);
    struct buf big = BUF_INIT;
    buf_puts(&big, "GET /echo HTTP/1.1\r\nHost: a\r\nX-Big: ");
    for (int i = 0; i < 40000; i++)
        buf_putc(&big, 'a');
    buf_puts(&big, "\r\nConnection: close\r\n\r\n");
    out = raw_exchange(port, big.ptr, big.len);
    ck_assert_msg(strncmp(out, "HTTP/1.1 431 ", 13) == 0, "%.80s", out);
    free(out);
    buf_release(&big);
    static const char garbage[] = "\x01\x02 NOT HTTP\r\n\r\n";
    out = raw_exchange(port, garbage, sizeof(garbage) - 1);
    ck_assert(strstr(out, " 200 ") == NULL);
    free(out);
    static const char toobig[] = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n"
                                 "Connection: close\r\n\r\n";
    out = raw_exchange(port, toobig, sizeof(toobig) - 1);
    ck_assert_msg(strncmp(out, "HTTP/1.1 413 ", 13) == 0, "%.80s", out);
    free(out);
    httpd_stop(v.d);
    ck_assert_int_eq(v.s.calls, 1);
}
END_TEST

struct par_call {
    const char *base;
    int status;
};

static void *overlap_run(void *arg)
{
    struct par_call *pc = arg;
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct call k = {.path = "/overlap"};
    if (run(c, pc->base, &k, &rs, NULL) == 0)
        pc->status = rs.status;
    http_response_release(&rs);
    http_client_free(c);
    return NULL;
}

/* Three parallel clients; returns how many handlers ran at once at most. */
static int max_overlap(int concurrent)
{
    struct srv s;
    srv_init(&s);
    httpd *d;
    struct httpd_opts o = HTTPD_OPTS_INIT;
    o.concurrent = concurrent;
    struct err e = ERR_INIT;
    ck_assert_int_eq(httpd_start(&d, &o, handler, &s, &e), 0);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", httpd_port(d));
    pthread_t th[3];
    struct par_call pc[3];
    for (int i = 0; i < 3; i++) {
        pc[i] = (struct par_call){base, 0};
        pthread_create(&th[i], NULL, overlap_run, &pc[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(pc[i].status, 200);
    }
    httpd_stop(d);
    return s.max_active;
}

START_TEST(http_httpd_serializes_handlers_by_default)
{
    ck_assert_int_eq(max_overlap(0), 1);
    ck_assert_int_ge(max_overlap(1), 2);
}
END_TEST

START_TEST(http_stop_ends_streams_and_waits_for_requests)
{
    struct served v;
    serve(&v, 0);
    struct watcher w = {.c = http_client_new_curl(), .k = {.got = BUF_INIT}};
    http_response_init(&w.rs);
    pthread_mutex_init(&w.mu, NULL);
    char *url = xasprintf("%s/forever", v.base);
    w.url = url;
    pthread_t th;
    pthread_create(&th, NULL, watcher_run, &w);
    while (srv_get(&v.s, &v.s.forever_ticks) < 2)
        sleep_ms(5);
    httpd_stop(v.d); /* the stream never ends by itself */
    pthread_join(th, NULL);
    ck_assert_int_eq(v.s.streams_freed, 1);
    ck_assert_int_ne(w.rc, 0); /* the chunked body was cut short */
    http_client_free(w.c);
    free(url);
    buf_release(&w.k.got);
}
END_TEST

struct slow_call {
    const char *base;
    int status;
};

static void *slow_run(void *arg)
{
    struct slow_call *sc = arg;
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct call k = {.path = "/slow"};
    if (run(c, sc->base, &k, &rs, NULL) == 0)
        sc->status = rs.status;
    http_response_release(&rs);
    http_client_free(c);
    return NULL;
}

START_TEST(http_stop_finishes_in_flight)
{
    struct served v;
    serve(&v, 0);
    struct slow_call sc = {v.base, 0};
    pthread_t th;
    pthread_create(&th, NULL, slow_run, &sc);
    while (srv_get(&v.s, &v.s.calls) < 1)
        sleep_ms(5);
    httpd_stop(v.d);
    pthread_join(th, NULL);
    ck_assert_int_eq(sc.status, 200);
}
END_TEST

START_TEST(http_curl_errors)
{
    struct served v;
    serve(&v, 0);
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    struct err e = ERR_INIT;
    struct call slow = {.path = "/slow", .timeout_ms = 100};
    ck_assert_int_eq(run(c, v.base, &slow, &rs, &e), E_TIMEOUT);
    ck_assert_msg(strstr(e.msg, "GET http://127.0.0.1:") == e.msg, "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "timed out") != NULL, "%s", e.msg);
    /* the client is still usable after an error */
    struct call ok = {.path = "/status/200"};
    ck_assert_int_eq(run(c, v.base, &ok, &rs, &e), 0);
    ck_assert_int_eq(rs.status, 200);
    char base[64];
    snprintf(base, sizeof(base), "%s", v.base);
    httpd_stop(v.d);
    ck_assert_int_eq(run(c, base, &ok, &rs, &e), E_UNAVAILABLE);
    ck_assert_msg(strstr(e.msg, "onnect") != NULL, "%s", e.msg);
    ck_assert_int_eq(rs.not_sent, 1); /* refused: nothing left this process */
    ck_assert_int_eq(run(c, "http://no-such-host.invalid", &ok, &rs, &e), E_UNAVAILABLE);
    ck_assert_int_eq(rs.not_sent, 1);
    ck_assert_int_eq(run(c, "ftp://127.0.0.1", &ok, &rs, &e), E_IO);
    http_response_release(&rs);
    http_client_free(c);
}
END_TEST

START_TEST(http_httpd_start_errors)
{
    struct srv s;
    srv_init(&s);
    httpd *d = NULL, *d2 = NULL;
    struct err e = ERR_INIT;
    struct httpd_opts o = HTTPD_OPTS_INIT;
    o.addr = "not-an-ip";
    ck_assert_int_eq(httpd_start(&d, &o, handler, &s, &e), E_INVALID);
    ck_assert_str_eq(e.msg, "bad listen address 'not-an-ip': want an IP address");
    o.addr = NULL;
    o.tls_cert_pem = "x";
    ck_assert_int_eq(httpd_start(&d, &o, handler, &s, &e), E_INVALID);
    o.tls_cert_pem = NULL;
    ck_assert_int_eq(httpd_start(&d, NULL, handler, &s, &e), 0);
    o.port = httpd_port(d);
    ck_assert_int_eq(httpd_start(&d2, &o, handler, &s, &e), E_IO);
    ck_assert_msg(strstr(e.msg, "cannot serve on 127.0.0.1:") == e.msg, "%s", e.msg);
    httpd_stop(d);
    httpd_stop(NULL);
}
END_TEST

/* ---- HTTPS ---------------------------------------------------------------------- */

/* Self-signed for 127.0.0.1 and localhost, valid until 2126 (EC P-256). */
static const char test_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnDCCAUGgAwIBAgIUfCuZKb9uVlJp37ZD3juX9PYZVx8wCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNzA1NTI0M1oYDzIxMjYxMTAz\n"
    "MDU1MjQzWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAATK2nsW69yANLbnojMwx3+ZrXhjxEB8mtjR3w/H9fMczI83HvjGJy6m\n"
    "ATSy4v74BL3Fg5wyyVy16XQnX5CDGpNlo28wbTAdBgNVHQ4EFgQU3uScGB+76G1G\n"
    "iONO/FhH9sEdXmcwHwYDVR0jBBgwFoAU3uScGB+76G1GiONO/FhH9sEdXmcwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI\n"
    "zj0EAwIDSQAwRgIhAOHKptBtv0JVSRWJkqB6tKckFY7RpT7c8Us/whwb9WI9AiEA\n"
    "mmVG/uvHSqaNTobn5KjaoE3lJELwmiZ16Z4e4BRWhro=\n"
    "-----END CERTIFICATE-----\n";
static const char test_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIQGck32XdQ5FYp2o\n"
    "bbPzwFdP+3rLbEYWs1yfSrrGNrKhRANCAATK2nsW69yANLbnojMwx3+ZrXhjxEB8\n"
    "mtjR3w/H9fMczI83HvjGJy6mATSy4v74BL3Fg5wyyVy16XQnX5CDGpNl\n"
    "-----END PRIVATE KEY-----\n";
/* Another self-signed CA: it did not sign test_cert. */
static const char other_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdzCCAR2gAwIBAgIUa6ARIw0pHgV+Romh8j9HUqaeXygwCgYIKoZIzj0EAwIw\n"
    "EDEOMAwGA1UEAwwFb3RoZXIwIBcNMjYxMTI3MDU1MjQzWhgPMjEyNjExMDMwNTUy\n"
    "NDNaMBAxDjAMBgNVBAMMBW90aGVyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "m35eWZFtY/Zi/iFwf5OpgvZyPvW9GmbI+9wy8Oa0TuEllbCT5enGKtz1RTLj71k5\n"
    "0hMne7/qbeJ01g7W2DS5pqNTMFEwHQYDVR0OBBYEFGf9Be+RCjrcokAyfSjjCcLL\n"
    "EEEBMB8GA1UdIwQYMBaAFGf9Be+RCjrcokAyfSjjCcLLEEEBMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAPuHDfpMwhO1YJ52Wp89lv6SBMZzVcsE\n"
    "tVics5VzjhEAAiBUuLuSxdhCE6g12LrlDk+knw6FLRCUGoWCETp6DZGlLw==\n"
    "-----END CERTIFICATE-----\n";

static int tls_get(http_client *c, const char *url, const struct http_tls *tls,
                   struct http_response *rs, struct err *e)
{
    struct http_request rq = HTTP_REQUEST_INIT;
    rq.url = url;
    rq.tls = tls;
    rq.timeout_ms = 5000;
    return http_client_do(c, &rq, rs, e);
}

START_TEST(http_https_with_pem_and_files)
{
    struct srv s;
    srv_init(&s);
    httpd *d;
    struct err e = ERR_INIT;
    struct httpd_opts o = HTTPD_OPTS_INIT;
    o.tls_cert_pem = test_cert;
    o.tls_key_pem = test_key;
    ck_assert_msg(httpd_start(&d, &o, handler, &s, &e) == 0, "%s", e.msg);
    char *url = xasprintf("https://127.0.0.1:%d/peer", httpd_port(d));
    http_client *c = http_client_new_curl();
    struct http_response rs;
    http_response_init(&rs);
    /* trusted by PEM text, twice on one connection */
    struct http_tls pem = {.ca_pem = test_cert};
    ck_assert_msg(tls_get(c, url, &pem, &rs, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(rs.status, 200);
    char *peer = xstrdup(rs.body.ptr);
    ck_assert_int_eq(tls_get(c, url, &pem, &rs, &e), 0);
    ck_assert_str_eq(rs.body.ptr, peer);
    free(peer);
    /* trusted by file */
    char path[] = "/tmp/http_test_ca_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(test_cert, f);
    fclose(f);
    struct http_tls file = {.ca_file = path};
    ck_assert_msg(tls_get(c, url, &file, &rs, &e) == 0, "%s", e.msg);
    unlink(path);
    /* a client certificate (the server does not ask for one) */
    struct http_tls client = {.ca_pem = test_cert, .cert_pem = test_cert, .key_pem = test_key};
    ck_assert_msg(tls_get(c, url, &client, &rs, &e) == 0, "%s", e.msg);
    /* not trusted: system CAs, or the wrong CA; a broken key */
    ck_assert_int_eq(tls_get(c, url, NULL, &rs, &e), E_IO);
    ck_assert_msg(strstr(e.msg, "certificate") != NULL, "%s", e.msg);
    struct http_tls wrong = {.ca_pem = other_cert};
    ck_assert_int_eq(tls_get(c, url, &wrong, &rs, &e), E_IO);
    /* (a fresh client: curl would reuse the connection made with the good key) */
    http_client *c2 = http_client_new_curl();
    struct http_tls badkey = {.ca_pem = test_cert, .cert_pem = test_cert, .key_pem = "junk"};
    ck_assert_int_eq(tls_get(c2, url, &badkey, &rs, &e), E_IO);
    http_client_free(c2);
    /* skip verification only when asked */
    struct http_tls insecure = {.ca_pem = other_cert, .insecure = 1};
    ck_assert_msg(tls_get(c, url, &insecure, &rs, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(rs.status, 200);
    http_response_release(&rs);
    http_client_free(c);
    free(url);
    httpd_stop(d);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("helpers");
    tcase_add_test(tc, http_url_parses);
    tcase_add_test(tc, http_url_rejects);
    tcase_add_test(tc, http_query_decodes);
    tcase_add_test(tc, http_escape_round_trips);
    tcase_add_test(tc, http_headers_and_reasons);
    suite_add_tcase(s, tc);
    tc = tcase_create("inproc");
    tcase_add_test(tc, http_inproc_dispatches_by_host);
    tcase_add_test(tc, http_inproc_builds_server_view);
    tcase_add_test(tc, http_inproc_streams_and_caps);
    tcase_add_test(tc, http_custom_transport);
    suite_add_tcase(s, tc);
    tc = tcase_create("wire");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, http_same_handler_same_answers);
    tcase_add_test(tc, http_curl_keeps_alive);
    tcase_add_test(tc, http_body_caps);
    tcase_add_test(tc, http_streams_do_not_block_others);
    tcase_add_test(tc, http_stream_again_over_httpd);
    tcase_add_test(tc, http_httpd_raw_requests);
    tcase_add_test(tc, http_httpd_serializes_handlers_by_default);
    tcase_add_test(tc, http_stop_ends_streams_and_waits_for_requests);
    tcase_add_test(tc, http_stop_finishes_in_flight);
    tcase_add_test(tc, http_curl_errors);
    tcase_add_test(tc, http_httpd_start_errors);
    tcase_add_test(tc, http_https_with_pem_and_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
