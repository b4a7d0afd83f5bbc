/* log.c -- levelled logging (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

enum log_level log_min_level = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static log_sink_fn log_sink;
static void *log_sink_ctx;
static long long (*log_now)(void *ctx);
static void *log_now_ctx;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(enum log_level level) { log_min_level = level; }
void log_set_format(enum log_format fmt) { log_fmt = fmt; }

void log_set_sink(log_sink_fn fn, void *ctx)
{
    log_sink = fn;
    log_sink_ctx = ctx;
}

void log_set_time(long long (*now_ms)(void *ctx), void *ctx)
{
    log_now = now_ms;
    log_now_ctx = ctx;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i <= LOG_LEVEL_OFF; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    if (strcmp(s, "warning") == 0)
        return LOG_LEVEL_WARN;
    return -1;
}

const char *log_level_name(enum log_level level)
{
    return (unsigned)level <= LOG_LEVEL_OFF ? level_names[level] : "?";
}

static void json_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_addf(b, "\\%c", c);
        else if (c == '\n')
            buf_puts(b, "\\n");
        else if (c < 0x20)
            buf_addf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
}

static void fmt_time(char *out, size_t n)
{
    out[0] = '\0';
    if (!log_now)
        return;
    long long ms = log_now(log_now_ctx);
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", day, (int)(ms % 1000));
}

static void emit(enum log_level level, const char *subsys, const char *msg)
{
    struct buf line = BUF_INIT;
    char ts[48];
    fmt_time(ts, sizeof(ts));
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_puts(&line, "{");
        if (ts[0])
            buf_addf(&line, "\"ts\":\"%s\",", ts);
        buf_addf(&line, "\"level\":\"%s\",\"caller\":\"", level_names[level]);
        json_escape(&line, subsys);
        buf_puts(&line, "\",\"msg\":\"");
        json_escape(&line, msg);
        buf_puts(&line, "\"}\n");
    } else {
        if (ts[0])
            buf_addf(&line, "%s ", ts);
        buf_addf(&line, "%-5s %s: %s\n", level_names[level], subsys, msg);
    }
    fputs(line.ptr, stderr);
    buf_release(&line);
}

void log_write(enum log_level level, const char *subsys, int errnum, const char *fmt, ...)
{
    if (level < log_min_level || level >= LOG_LEVEL_OFF)
        return;
    struct buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    if (errnum)
        buf_addf(&msg, ": %s", strerror(errnum));
    if (log_sink)
        log_sink(log_sink_ctx, level, subsys ? subsys : "-", msg.ptr);
    else
        emit(level, subsys ? subsys : "-", msg.ptr);
    buf_release(&msg);
}
