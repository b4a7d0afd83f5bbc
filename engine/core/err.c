/* err.c -- error codes and messages (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

int err_prefix(struct err *err, const char *fmt, ...)
{
    if (!err)
        return E_INTERNAL;
    char old[ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof(old));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    size_t used = n < 0 ? 0 : (size_t)n;
    if (used + 2 < sizeof(err->msg)) {
        size_t room = sizeof(err->msg) - used - 2;
        memcpy(err->msg + used, ": ", 2);
        size_t olen = strnlen(old, room);
        if (olen >= room)
            olen = room - 1;
        memcpy(err->msg + used + 2, old, olen);
        err->msg[used + 2 + olen] = '\0';
    }
    return err->code;
}

void err_clear(struct err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

const char *err_name(int code)
{
    switch (code) {
    case E_OK: return "ok";
    case E_NOTFOUND: return "not found";
    case E_EXISTS: return "already exists";
    case E_CONFLICT: return "conflict";
    case E_INVALID: return "invalid";
    case E_PARSE: return "parse error";
    case E_TIMEOUT: return "timeout";
    case E_IO: return "i/o error";
    case E_HTTP: return "http error";
    case E_FORBIDDEN: return "forbidden";
    case E_UNAUTHORIZED: return "unauthorized";
    case E_TOOBIG: return "too big";
    case E_UNAVAILABLE: return "unavailable";
    case E_GONE: return "gone";
    case E_INTERNAL: return "internal error";
    }
    return "unknown error";
}
