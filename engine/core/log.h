/* log.h -- levelled logging with a replaceable sink.
 * LOG_INFO("sync", "applied %s", name) checks the level before its arguments
 * are evaluated (redis serverLog).  Each line carries a subsystem tag and,
 * optionally, an errno.  Lines go to stderr as text or JSON lines unless a sink
 * is installed (tests capture logs that way).  Low-level modules return errors;
 * only the layer that handles an error logs it, once.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR, LOG_LEVEL_OFF };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* A sink receives each formatted message (without a trailing newline). */
typedef void (*log_sink_fn)(void *ctx, enum log_level level, const char *subsys,
                            const char *msg);

extern enum log_level log_min_level;

void log_set_level(enum log_level level);
/* Parse "debug", "info", "warn", "error", "off"; returns -1 if unknown. */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level level);
void log_set_format(enum log_format fmt);
/* NULL sink restores stderr. */
void log_set_sink(log_sink_fn fn, void *ctx);
/* A function returning the current time in ms since the epoch, for the
 * timestamp of text and JSON lines (the engine passes its clock); NULL means
 * no timestamp. */
void log_set_time(long long (*now_ms)(void *ctx), void *ctx);

void log_write(enum log_level level, const char *subsys, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define LOG_AT(level, subsys, errnum, ...)                                                        \
    do {                                                                                          \
        if ((level) >= log_min_level)                                                             \
            log_write((level), (subsys), (errnum), __VA_ARGS__);                                  \
    } while (0)
#define LOG_DEBUG(subsys, ...) LOG_AT(LOG_LEVEL_DEBUG, subsys, 0, __VA_ARGS__)
#define LOG_INFO(subsys, ...) LOG_AT(LOG_LEVEL_INFO, subsys, 0, __VA_ARGS__)
#define LOG_WARN(subsys, ...) LOG_AT(LOG_LEVEL_WARN, subsys, 0, __VA_ARGS__)
#define LOG_ERROR(subsys, ...) LOG_AT(LOG_LEVEL_ERROR, subsys, 0, __VA_ARGS__)
/* With errno text appended: LOG_ERRNO(LOG_LEVEL_ERROR, "app", errno, "bind"). */
#define LOG_ERRNO(level, subsys, errnum, ...) LOG_AT(level, subsys, errnum, __VA_ARGS__)

#endif
