/* err.h -- error codes and the caller-supplied error message buffer.
 * A function that can fail returns 0 or a negative enum err_code and, when the
 * caller passed a struct err, writes one lowercase line saying what went wrong.
 * err_set() returns its code, so a failure path is one line:
 *     return err_set(err, E_IO, "cannot open '%s': %s", path, strerror(errno));
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

enum err_code {
    E_OK = 0,
    E_NOTFOUND = -1,     /* the thing asked for does not exist */
    E_EXISTS = -2,       /* it exists already */
    E_CONFLICT = -3,     /* stale version, concurrent update */
    E_INVALID = -4,      /* well-formed but not acceptable */
    E_PARSE = -5,        /* malformed input; msg is "file:line:col: ..." */
    E_TIMEOUT = -6,
    E_IO = -7,           /* system call, socket, file */
    E_HTTP = -8,         /* unexpected HTTP status */
    E_FORBIDDEN = -9,
    E_UNAUTHORIZED = -10,
    E_TOOBIG = -11,      /* over a size cap */
    E_UNAVAILABLE = -12, /* try again later: 429, 5xx, connection refused */
    E_GONE = -13,        /* 410: resourceVersion too old */
    E_INTERNAL = -14,    /* a bug or an impossible state */
};

#define ERR_MSG_MAX 512
struct err {
    int code;
    char msg[ERR_MSG_MAX];
};
#define ERR_INIT {0, {0}}

/* Record code and message in err (may be NULL); returns code. */
int err_set(struct err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put "prefix: " in front of the current message, keeping the code; returns
 * the code.  For adding context such as a file name on the way up.  With a
 * NULL err there is no code to return (E_INTERNAL comes back): a caller that
 * may be handed NULL keeps its own rc and returns that. */
int err_prefix(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *err);
/* "not found", "conflict", ... for a code. */
const char *err_name(int code);

#endif
