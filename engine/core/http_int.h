/* http_int.h -- private to the http module (http.c, http_curl.c).
 * Shared defaults and the small helpers both transports need so that a
 * handler sees the same request whether it is reached through curl + httpd
 * or in-process.  Not for use outside engine/core/http*.c.
 */
#ifndef CORE_HTTP_INT_H
#define CORE_HTTP_INT_H

#include "core/http.h"

#define HTTP_DEFAULT_TIMEOUT_MS 30000L
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HTTP_DEFAULT_MAX_RESPONSE ((size_t)64 << 20)

/* The body cap that applies to rq. */
size_t http__max_response(const struct http_request *rq);
/* Whether a request carries a body on the wire (and so Content-Length): a
 * body was given, or the method is POST, PUT or PATCH. */
int http__has_body(const struct http_request *rq);
/* Case-insensitive method compare. */
int http__method_is(const struct http_request *rq, const char *m);

#endif
