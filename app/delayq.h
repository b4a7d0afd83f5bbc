/* delayq.h -- one timer thread that runs callbacks at a deadline.
 * The server uses it for latency (fault injection, /delay): a request is
 * suspended and a callback resumes it later, so no worker thread sleeps and
 * one slow request never holds up the others on the same thread.
 */
#ifndef APP_DELAYQ_H
#define APP_DELAYQ_H

#include <stddef.h>

#include "core/err.h"

typedef struct delayq delayq;
typedef void (*delayq_fn)(void *arg);

/* Start the timer thread.  E_IO if the thread cannot be created. */
int delayq_new(delayq **out, struct err *err);
/* Run fn(arg) on the timer thread in about delay_ms milliseconds. */
void delayq_add(delayq *s, unsigned delay_ms, delayq_fn fn, void *arg);
/* Shutdown: run every pending callback now, on the timer thread, and return
 * once they have all run.  From then on the queue is closed: delayq_add runs
 * its callback at once, on the caller's thread, so nothing can be left
 * waiting behind the caller's back (a suspended request would stay suspended
 * forever). */
void delayq_flush(delayq *s);
/* Callbacks added but not yet run. */
size_t delayq_pending(delayq *s);
/* Stop the thread and free; pending callbacks are run first.  NULL is a no-op. */
void delayq_free(delayq *s);

#endif
