/* clock.h -- real or virtual time, and a timer queue.
 * The engine never calls time() or sleep(): it asks a clock.  A real clock
 * reads CLOCK_REALTIME and really waits; a virtual clock starts at a given
 * instant and jumps straight to the next due timer, so a ten-minute canary
 * analysis runs in milliseconds and identically every time.  Timers fire in
 * due order; ties fire in the order they were added.  Single-threaded.
 */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>


typedef struct gclock gclock;

typedef void (*clock_timer_fn)(void *ctx);

/* Real time.  Never fails. */
gclock *clock_new_real(void);
/* Virtual time starting at start_ms (milliseconds since the Unix epoch). */
gclock *clock_new_virtual(int64_t start_ms);
void clock_free(gclock *c);
int clock_is_virtual(const gclock *c);

/* Milliseconds since the Unix epoch. */
int64_t clock_now_ms(const gclock *c);
/* Monotonic milliseconds, for measuring durations (virtual: same as now). */
int64_t clock_mono_ms(const gclock *c);

/* Schedule fn(ctx) at absolute time due_ms (or after delay_ms).  Returns a
 * timer id > 0 for clock_timer_cancel. */
uint64_t clock_at(gclock *c, int64_t due_ms, clock_timer_fn fn, void *ctx);
uint64_t clock_after(gclock *c, int64_t delay_ms, clock_timer_fn fn, void *ctx);
/* Returns 1 if the timer was pending and is now cancelled, else 0.  O(number
 * of pending timers).  A callback may add and cancel timers, itself included. */
int clock_cancel(gclock *c, uint64_t id);
/* Due time of the earliest pending timer, or INT64_MAX when none. */
int64_t clock_next_due(const gclock *c);
size_t clock_pending(const gclock *c);

/* Run every timer due at or before now (timers added meanwhile that are also
 * due run too).  Returns how many fired. */
size_t clock_run_due(gclock *c);
/* Advance to the earliest timer (virtual: jump; real: sleep until it), then
 * run what is due.  Returns how many fired; 0 when no timer is pending. */
size_t clock_step(gclock *c);
/* Step until no timer is due at or before deadline_ms, then make now equal
 * deadline_ms (virtual: jump; real: sleep).  Returns how many fired. */
size_t clock_run_until(gclock *c, int64_t deadline_ms);
/* Wait ms (real: nanosleep; virtual: advance time without running timers). */
void clock_sleep(gclock *c, int64_t ms);
/* Virtual only: set now (must not go backwards).  No-op on a real clock. */
void clock_set(gclock *c, int64_t now_ms);

/* Format ms since the epoch as RFC 3339 in UTC: "2026-11-27T05:40:25Z"
 * (with_ms: "2026-11-27T05:40:25.123Z").  out must hold 32 bytes. */
void clock_fmt_rfc3339(int64_t ms, int with_ms, char out[32]);
/* Parse RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" ('t' and 'z'
 * accepted; 1-9 fraction digits, truncated to ms; seconds 0-59, dates
 * checked against the calendar); -1 on error. */
int clock_parse_rfc3339(const char *s, int64_t *ms);
/* Parse a Go duration ("1m", "30s", "1h30m", "500ms", "1.5s") into ms, as
 * Go's time.ParseDuration: units ns us µs ms s m h, fractions, an optional
 * sign ("-1s" is -1000), "0" alone; the result is truncated to whole ms
 * ("1500us" is 1).  -1 on error: empty, a missing or unknown unit, or over
 * Go's range (about 292 years). */
int clock_parse_duration(const char *s, int64_t *ms);
/* Format ms as Go's Duration.String does: "1h0m0s", "1m30s", "1.5s",
 * "500ms", "0s", "-2s".  out holds 32. */
void clock_fmt_duration(int64_t ms, char out[32]);

/* kubectl's age of something secs old (its HumanDuration): "59s", "9m5s",
 * "3h", "2d1h", "2y"; "0s" for a second of clock skew, "<invalid>" beyond. */
void clock_fmt_age(int64_t secs, char out[32]);

#endif
