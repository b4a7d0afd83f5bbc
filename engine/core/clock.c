/* clock.c -- real and virtual clocks, the timer queue, RFC 3339 and Go
 * durations (see clock.h).
 *
 * The queue is a binary min-heap keyed by (due, seq): seq grows with every
 * clock_at, so two timers due at the same instant fire in insertion order.
 * A timer's id is its seq.  Cancel finds the entry by a linear scan and removes
 * it from the heap for real, so clock_pending() is exact; the engine keeps at
 * most a few thousand timers, and cancels are rare next to firings.
 */
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

struct timer {
    int64_t due;
    uint64_t seq; /* also the id */
    clock_timer_fn fn;
    void *ctx;
};

struct gclock {
    int virt;
    int64_t now;        /* virtual: current time */
    struct timer *heap;
    size_t n, cap;
    uint64_t next_seq;
};

/* ---- construction ---------------------------------------------------------- */

static gclock *clock_alloc(int virt, int64_t start)
{
    gclock *c = xcalloc(1, sizeof(*c));
    c->virt = virt;
    c->now = start;
    c->next_seq = 1;
    return c;
}

gclock *clock_new_real(void) { return clock_alloc(0, 0); }

gclock *clock_new_virtual(int64_t start_ms) { return clock_alloc(1, start_ms); }

void clock_free(gclock *c)
{
    if (!c)
        return;
    free(c->heap);
    free(c);
}

int clock_is_virtual(const gclock *c) { return c->virt; }

/* ---- reading time -------------------------------------------------------------- */

static int64_t read_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(const gclock *c)
{
    return c->virt ? c->now : read_ms(CLOCK_REALTIME);
}

int64_t clock_mono_ms(const gclock *c)
{
    return c->virt ? c->now : read_ms(CLOCK_MONOTONIC);
}

static void real_sleep(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

void clock_sleep(gclock *c, int64_t ms)
{
    if (ms <= 0)
        return;
    if (c->virt)
        c->now += ms;
    else
        real_sleep(ms);
}

void clock_set(gclock *c, int64_t now_ms)
{
    if (c->virt && now_ms > c->now)
        c->now = now_ms;
}

/* ---- the heap ------------------------------------------------------------------ */

static int before(const struct timer *a, const struct timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void swap_at(struct timer *h, size_t i, size_t j)
{
    struct timer t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static void sift_up(struct timer *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h[i], &h[p]))
            break;
        swap_at(h, i, p);
        i = p;
    }
}

static void sift_down(struct timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m]))
            m = l;
        if (r < n && before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        swap_at(h, i, m);
        i = m;
    }
}

/* Remove entry i, keeping the heap property. */
static void heap_remove(gclock *c, size_t i)
{
    c->n--;
    if (i == c->n)
        return;
    c->heap[i] = c->heap[c->n];
    sift_down(c->heap, c->n, i);
    sift_up(c->heap, i);
}

uint64_t clock_at(gclock *c, int64_t due_ms, clock_timer_fn fn, void *ctx)
{
    XGROW(c->heap, c->cap, c->n + 1);
    uint64_t id = c->next_seq++;
    c->heap[c->n] = (struct timer){due_ms, id, fn, ctx};
    c->n++;
    sift_up(c->heap, c->n - 1);
    return id;
}

uint64_t clock_after(gclock *c, int64_t delay_ms, clock_timer_fn fn, void *ctx)
{
    int64_t now = clock_now_ms(c);
    int64_t due = delay_ms > INT64_MAX - now ? INT64_MAX : now + delay_ms;
    return clock_at(c, due, fn, ctx);
}

int clock_cancel(gclock *c, uint64_t id)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->heap[i].seq == id) {
            heap_remove(c, i);
            return 1;
        }
    }
    return 0;
}

int64_t clock_next_due(const gclock *c) { return c->n ? c->heap[0].due : INT64_MAX; }

size_t clock_pending(const gclock *c) { return c->n; }

/* ---- running timers ------------------------------------------------------------ */

size_t clock_run_due(gclock *c)
{
    size_t fired = 0;
    /* Re-read now each round: on a real clock a slow callback moves it on. */
    while (c->n && c->heap[0].due <= clock_now_ms(c)) {
        struct timer t = c->heap[0];
        heap_remove(c, 0);
        t.fn(t.ctx);
        fired++;
    }
    return fired;
}

/* Bring now to at least 'to': virtual jumps, real sleeps. */
static void advance_to(gclock *c, int64_t to)
{
    if (c->virt) {
        if (to > c->now)
            c->now = to;
        return;
    }
    int64_t now = clock_now_ms(c);
    while (now < to) {
        real_sleep(to - now);
        now = clock_now_ms(c);
    }
}

size_t clock_step(gclock *c)
{
    if (!c->n)
        return 0;
    advance_to(c, c->heap[0].due);
    return clock_run_due(c);
}

size_t clock_run_until(gclock *c, int64_t deadline_ms)
{
    size_t fired = 0;
    while (c->n && c->heap[0].due <= deadline_ms)
        fired += clock_step(c);
    advance_to(c, deadline_ms);
    return fired;
}

/* ---- calendar arithmetic (proleptic Gregorian, Howard Hinnant's algorithms) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

void clock_fmt_rfc3339(int64_t ms, int with_ms, char out[32])
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) { /* floor, without overflowing at INT64_MIN */
        days--;
        rem += 86400000;
    }
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60);
    /* Years beyond 9999 are not RFC 3339 but still fit: the widest int64 ms
     * value gives 30 characters. */
    char tmp[80];
    int n = snprintf(tmp, sizeof(tmp), "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, mo, d, h,
                     mi, s);
    if (with_ms)
        snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".%03dZ", (int)(rem % 1000));
    else
        snprintf(tmp + n, sizeof(tmp) - (size_t)n, "Z");
    size_t len = strnlen(tmp, 31);
    memcpy(out, tmp, len);
    out[len] = '\0';
}

/* Read exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return -1;
        x = x * 10 + (ch - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

static int expect(const char **p, char a, char b)
{
    if (**p != a && **p != b)
        return -1;
    (*p)++;
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SS" into days and seconds of the day. */
static int parse_datetime(const char **p, int64_t *days, int64_t *secs)
{
    int y, mo, d, h, mi, s;
    if (digits(p, 4, &y) || expect(p, '-', '-') || digits(p, 2, &mo) || expect(p, '-', '-') ||
        digits(p, 2, &d) || expect(p, 'T', 't') || digits(p, 2, &h) || expect(p, ':', ':') ||
        digits(p, 2, &mi) || expect(p, ':', ':') || digits(p, 2, &s))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
        return -1;
    *days = days_from_civil(y, mo, d);
    *secs = (int64_t)h * 3600 + mi * 60 + s;
    return 0;
}

/* Optional ".ddd...": 1 to 9 digits, truncated to milliseconds. */
static int parse_fraction(const char **p, int *ms)
{
    *ms = 0;
    if (**p != '.')
        return 0;
    (*p)++;
    int n = 0;
    while ((*p)[n] >= '0' && (*p)[n] <= '9') {
        if (n < 3)
            *ms = *ms * 10 + ((*p)[n] - '0');
        n++;
    }
    if (n == 0 || n > 9)
        return -1;
    for (int i = n; i < 3; i++)
        *ms *= 10;
    *p += n;
    return 0;
}

/* "Z" or "+hh:mm" / "-hh:mm" into seconds east of UTC. */
static int parse_offset(const char **p, int64_t *off)
{
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        *off = 0;
        return 0;
    }
    int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
    int h, m;
    if (!sign)
        return -1;
    (*p)++;
    if (digits(p, 2, &h) || expect(p, ':', ':') || digits(p, 2, &m) || h > 23 || m > 59)
        return -1;
    *off = sign * ((int64_t)h * 3600 + m * 60);
    return 0;
}

int clock_parse_rfc3339(const char *s, int64_t *ms)
{
    const char *p = s;
    int64_t days, secs, off;
    int frac;
    if (!s || parse_datetime(&p, &days, &secs) || parse_fraction(&p, &frac) ||
        parse_offset(&p, &off) || *p)
        return -1;
    *ms = ((days * 86400) + secs - off) * 1000 + frac;
    return 0;
}

/* ---- Go durations -------------------------------------------------------------- */

struct dur_unit {
    const char *name;
    uint64_t ns;
};

/* Longest names first so "ms" is not read as "m". */
static const struct dur_unit dur_units[] = {
    {"ns", 1ULL},
    {"us", 1000ULL},
    {"\xc2\xb5s", 1000ULL}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000ULL}, /* U+03BC Greek mu */
    {"ms", 1000000ULL},
    {"s", 1000000000ULL},
    {"m", 60000000000ULL},
    {"h", 3600000000000ULL},
};

static const struct dur_unit *dur_unit_at(const char **p)
{
    for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++) {
        size_t n = strlen(dur_units[i].name);
        if (strncmp(*p, dur_units[i].name, n) == 0) {
            *p += n;
            return &dur_units[i];
        }
    }
    return NULL;
}

#define DUR_MAX_NS ((uint64_t)INT64_MAX)

/* One "12.5ms" element, added to *total (nanoseconds).  Like Go, the integer
 * part must fit in int64 nanoseconds and fractions beyond that are dropped. */
static int parse_dur_elem(const char **p, uint64_t *total)
{
    uint64_t whole = 0, frac = 0, scale = 1;
    const char *start = *p;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        uint64_t dig = (uint64_t)(**p - '0');
        if (whole > (DUR_MAX_NS - dig) / 10)
            return -1;
        whole = whole * 10 + dig;
    }
    int have_whole = *p > start;
    int have_frac = 0;
    if (**p == '.') {
        for ((*p)++; **p >= '0' && **p <= '9'; (*p)++) {
            have_frac = 1;
            if (scale <= UINT64_MAX / 100) { /* ignore digits past ~19 */
                frac = frac * 10 + (uint64_t)(**p - '0');
                scale *= 10;
            }
        }
    }
    if (!have_whole && !have_frac)
        return -1;
    const struct dur_unit *u = dur_unit_at(p);
    if (!u)
        return -1;
    if (whole > DUR_MAX_NS / u->ns)
        return -1;
    uint64_t v = whole * u->ns + (uint64_t)((long double)frac * (long double)u->ns / scale);
    if (v > DUR_MAX_NS || *total > DUR_MAX_NS - v)
        return -1;
    *total += v;
    return 0;
}

int clock_parse_duration(const char *s, int64_t *ms)
{
    if (!s)
        return -1;
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *ms = 0;
        return 0;
    }
    if (!*p)
        return -1;
    uint64_t ns = 0;
    while (*p) {
        if (parse_dur_elem(&p, &ns) < 0)
            return -1;
    }
    int64_t v = (int64_t)(ns / 1000000);
    *ms = neg ? -v : v;
    return 0;
}

/* Append "N" or "N.fff" (trailing zeros dropped) for v thousandths. */
static int put_thousandths(char *out, size_t room, uint64_t v)
{
    uint64_t whole = v / 1000, frac = v % 1000;
    if (!frac)
        return snprintf(out, room, "%llu", (unsigned long long)whole);
    int digs = 3;
    while (frac % 10 == 0) {
        frac /= 10;
        digs--;
    }
    return snprintf(out, room, "%llu.%0*llu", (unsigned long long)whole, digs,
                    (unsigned long long)frac);
}

void clock_fmt_duration(int64_t ms, char out[32])
{
    size_t pos = 0;
    uint64_t u = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    if (ms == 0) {
        snprintf(out, 32, "0s");
        return;
    }
    if (ms < 0)
        out[pos++] = '-';
    if (u < 1000) {
        snprintf(out + pos, 32 - pos, "%llums", (unsigned long long)u);
        return;
    }
    uint64_t h = u / 3600000, m = u / 60000 % 60, sms = u % 60000;
    if (h)
        pos += (size_t)snprintf(out + pos, 32 - pos, "%lluh", (unsigned long long)h);
    if (h || m)
        pos += (size_t)snprintf(out + pos, 32 - pos, "%llum", (unsigned long long)m);
    pos += (size_t)put_thousandths(out + pos, 32 - pos, sms);
    snprintf(out + pos, 32 - pos, "s");
}

void clock_fmt_age(int64_t secs, char out[32])
{
    int64_t m = secs / 60, h = secs / 3600, d = h / 24;
    if (secs < -1)
        snprintf(out, 32, "<invalid>");
    else if (secs < 0)
        snprintf(out, 32, "0s");
    else if (secs < 120)
        snprintf(out, 32, "%llds", (long long)secs);
    else if (m < 10)
        snprintf(out, 32, secs % 60 ? "%lldm%llds" : "%lldm", (long long)m, (long long)(secs % 60));
    else if (m < 180)
        snprintf(out, 32, "%lldm", (long long)m);
    else if (h < 8)
        snprintf(out, 32, m % 60 ? "%lldh%lldm" : "%lldh", (long long)h, (long long)(m % 60));
    else if (h < 48)
        snprintf(out, 32, "%lldh", (long long)h);
    else if (h < 24 * 8)
        snprintf(out, 32, h % 24 ? "%lldd%lldh" : "%lldd", (long long)d, (long long)(h % 24));
    else if (h < 24 * 365 * 2)
        snprintf(out, 32, "%lldd", (long long)d);
    else if (h < 24 * 365 * 8)
        snprintf(out, 32, d % 365 ? "%lldy%lldd" : "%lldy", (long long)(d / 365),
                 (long long)(d % 365));
    else
        snprintf(out, 32, "%lldy", (long long)(d / 365));
}
