/* http_fuzz.c -- libFuzzer target for URL parsing, query decoding and
 * percent escaping.  Input: "URL\nQUERY\nNAME" (missing parts are empty).
 * Besides not crashing, it checks invariants: a parsed URL has a path
 * starting with '/', a non-empty host and a port in range, and
 * unescape(escape(s)) == s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_url(const char *s)
{
    struct http_url u;
    struct err e = ERR_INIT;
    if (http_url_parse(&u, s, &e) == 0) {
        if (!u.path || u.path[0] != '/' || !u.host || !u.host[0] || u.port < 0 ||
            u.port > 65535 || !u.scheme)
            abort();
    } else if (e.code != E_INVALID || u.host || u.path) {
        abort();
    }
    http_url_release(&u);
}

static void check_escape(const char *s)
{
    struct buf b = BUF_INIT;
    http_escape(&b, s);
    for (size_t i = 0; i < b.len; i++)
        if (strchr(" /?&=+#%", b.ptr[i]) && b.ptr[i] != '%')
            abort();
    char *back = xstrdup(b.ptr);
    if (http_unescape(back) != 0 || strcmp(back, s) != 0)
        abort();
    free(back);
    buf_release(&b);
    char *raw = xstrdup(s);
    if (http_unescape(raw) == 0 && strlen(raw) > strlen(s))
        abort();
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xstrndup((const char *)data, size);
    char *query = strchr(in, '\n');
    char *name = NULL;
    if (query) {
        *query++ = '\0';
        name = strchr(query, '\n');
        if (name)
            *name++ = '\0';
    }
    check_url(in);
    check_escape(in);
    char *v = http_query_get(query ? query : in, name ? name : "a");
    if (v && query && strlen(v) > strlen(query))
        abort();
    free(v);
    free(in);
    return 0;
}
