/* fault.c -- fault injection: spec parsing, random draws, run-time holder. */
#include "fault.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"

/* ---- parsing ----------------------------------------------------------------- */

/* Length of a plain decimal number at s ("12", "0.5", "3."): digits with at
 * most one dot, no sign, exponent, hex or inf, which strtod would accept. */
static size_t number_span(const char *s)
{
    size_t i = 0, digits = 0;
    int dot = 0;
    for (;; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '.' && !dot)
            dot = 1;
        else
            break;
    }
    return digits ? i : 0;
}

int fault_duration_parse(const char *s, double *ms, struct err *err)
{
    size_t n = number_span(s);
    if (n == 0 || n > 32)
        return err_set(err, E_PARSE, "invalid duration '%s': want a number and a unit (us, ms, s)",
                       s);
    char num[40];
    memcpy(num, s, n);
    num[n] = '\0';
    double v = strtod(num, NULL);
    const char *unit = s + n;
    if (strcmp(unit, "ms") == 0)
        ;
    else if (strcmp(unit, "s") == 0)
        v *= 1000.0;
    else if (strcmp(unit, "us") == 0)
        v /= 1000.0;
    else
        return err_set(err, E_PARSE, "invalid duration '%s': unit must be us, ms or s", s);
    v = round(v * 1000.0) / 1000.0; /* whole microseconds: finer means nothing here */
    if (!(v <= FAULT_MAX_MS))
        return err_set(err, E_PARSE, "invalid duration '%s': more than %gs", s,
                       FAULT_MAX_MS / 1000);
    *ms = v;
    return 0;
}

/* Split "A<sep>B" at the first sep and parse both durations. */
static int parse_pair(const char *s, char sep, double *a, double *b, struct err *err)
{
    const char *p = strchr(s, sep);
    if (!p)
        return err_set(err, E_PARSE, "invalid latency bounds '%s': want two durations joined by '%c'",
                       s, sep);
    char left[64];
    size_t n = (size_t)(p - s);
    if (n >= sizeof(left))
        return err_set(err, E_PARSE, "invalid latency bounds '%s': too long", s);
    memcpy(left, s, n);
    left[n] = '\0';
    int rc = fault_duration_parse(left, a, err);
    if (rc < 0)
        return rc;
    return fault_duration_parse(p + 1, b, err);
}

int fault_latency_parse(const char *s, struct fault_latency *out, struct err *err)
{
    struct fault_latency l = {FAULT_NONE, 0.0, 0.0};
    int rc = 0;
    if (!s || !*s || strcmp(s, "none") == 0 || strcmp(s, "0") == 0) {
        /* no latency */
    } else if (strncmp(s, "uniform:", 8) == 0) {
        l.dist = FAULT_UNIFORM;
        rc = parse_pair(s + 8, '-', &l.a_ms, &l.b_ms, err);
        if (rc == 0 && l.b_ms < l.a_ms)
            rc = err_set(err, E_PARSE, "low bound above high bound");
    } else if (strncmp(s, "normal:", 7) == 0) {
        l.dist = FAULT_NORMAL;
        rc = parse_pair(s + 7, ',', &l.a_ms, &l.b_ms, err);
    } else {
        l.dist = FAULT_FIXED;
        rc = fault_duration_parse(strncmp(s, "fixed:", 6) == 0 ? s + 6 : s, &l.a_ms, err);
    }
    if (rc < 0) {
        err_prefix(err, "invalid latency '%s'", s);
        return rc;
    }
    if (l.dist == FAULT_FIXED && l.a_ms == 0.0)
        l.dist = FAULT_NONE;
    *out = l;
    return 0;
}

int fault_rate_parse(const char *s, double *out, struct err *err)
{
    size_t n = number_span(s);
    if (n == 0 || s[n] != '\0' || n > 32)
        return err_set(err, E_PARSE, "invalid error rate '%s': want a number between 0 and 1", s);
    double v = strtod(s, NULL);
    if (v > 1.0)
        return err_set(err, E_PARSE, "invalid error rate '%s': more than 1", s);
    *out = v;
    return 0;
}

/* Milliseconds to microsecond precision, without exponent or trailing zeros
 * ("0.5ms", "1500ms"), or whole seconds ("2s"). */
static void format_ms(struct buf *out, double ms)
{
    if (ms >= 1000.0 && fmod(ms, 1000.0) == 0.0) {
        buf_addf(out, "%.0fs", ms / 1000.0);
        return;
    }
    char num[48];
    snprintf(num, sizeof(num), "%.3f", ms);
    size_t n = strlen(num);
    while (n > 0 && num[n - 1] == '0')
        n--;
    if (n > 0 && num[n - 1] == '.')
        n--;
    buf_add(out, num, n);
    buf_puts(out, "ms");
}

void fault_latency_format(const struct fault_latency *l, struct buf *out)
{
    switch (l->dist) {
    case FAULT_NONE:
        buf_puts(out, "none");
        break;
    case FAULT_FIXED:
        format_ms(out, l->a_ms);
        break;
    case FAULT_UNIFORM:
        buf_puts(out, "uniform:");
        format_ms(out, l->a_ms);
        buf_putc(out, '-');
        format_ms(out, l->b_ms);
        break;
    case FAULT_NORMAL:
        buf_puts(out, "normal:");
        format_ms(out, l->a_ms);
        buf_putc(out, ',');
        format_ms(out, l->b_ms);
        break;
    }
}

/* ---- draws ------------------------------------------------------------------- */

double fault_rng_unit(struct fault_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double draw_ms(const struct fault_latency *l, struct fault_rng *r)
{
    switch (l->dist) {
    case FAULT_FIXED:
        return l->a_ms;
    case FAULT_UNIFORM:
        return l->a_ms + (l->b_ms - l->a_ms) * fault_rng_unit(r);
    case FAULT_NORMAL: {
        /* Box-Muller; 1 - u keeps log() away from zero. */
        double u1 = 1.0 - fault_rng_unit(r), u2 = fault_rng_unit(r);
        double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
        return l->a_ms + l->b_ms * z;
    }
    case FAULT_NONE:
        break;
    }
    return 0.0;
}

int fault_decide(const struct fault_spec *spec, struct fault_rng *r, unsigned *delay_ms)
{
    double ms = draw_ms(&spec->latency, r);
    if (ms < 0.0)
        ms = 0.0;
    if (ms > FAULT_MAX_MS)
        ms = FAULT_MAX_MS;
    *delay_ms = (unsigned)(ms + 0.5);
    return spec->error_rate > 0.0 && fault_rng_unit(r) < spec->error_rate;
}

/* ---- run-time holder ----------------------------------------------------------- */

struct fault {
    atomic_int active; /* 0 when the spec injects nothing: the fast path */
    pthread_mutex_t lock;
    struct fault_spec spec;
    uint64_t seed;
    atomic_uint_fast64_t threads; /* hands each thread a distinct stream */
};

static _Thread_local struct fault_rng tls_rng;
static _Thread_local const fault *tls_rng_owner;

static int spec_active(const struct fault_spec *s)
{
    return s->error_rate > 0.0 || s->latency.dist != FAULT_NONE;
}

fault *fault_new(const struct fault_spec *initial, uint64_t seed)
{
    fault *f = xcalloc(1, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    f->seed = seed;
    fault_set(f, initial);
    return f;
}

void fault_free(fault *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void fault_get(fault *f, struct fault_spec *out)
{
    pthread_mutex_lock(&f->lock);
    *out = f->spec;
    pthread_mutex_unlock(&f->lock);
}

void fault_set(fault *f, const struct fault_spec *spec)
{
    pthread_mutex_lock(&f->lock);
    f->spec = *spec;
    atomic_store(&f->active, spec_active(spec));
    pthread_mutex_unlock(&f->lock);
}

static int json_field_rate(const cJSON *v, struct fault_spec *s, struct err *err)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0.0 && v->valuedouble <= 1.0))
        return err_set(err, E_INVALID, "field 'errorRate' must be a number between 0 and 1");
    s->error_rate = v->valuedouble;
    return 0;
}

static int json_field_latency(const cJSON *v, struct fault_spec *s, struct err *err)
{
    if (cJSON_IsNull(v)) {
        s->latency = (struct fault_latency){FAULT_NONE, 0.0, 0.0};
        return 0;
    }
    if (!cJSON_IsString(v))
        return err_set(err, E_INVALID, "field 'latency' must be a string such as \"200ms\"");
    int rc = fault_latency_parse(v->valuestring, &s->latency, err);
    return rc < 0 ? E_INVALID : 0;
}

int fault_update_json(fault *f, const char *json, size_t len, struct err *err)
{
    cJSON *root = NULL;
    int rc = json_parse(&root, json, len, "fault", err);
    if (rc < 0)
        return rc;
    struct fault_spec s;
    fault_get(f, &s);
    if (!cJSON_IsObject(root)) {
        rc = err_set(err, E_INVALID, "want a JSON object with errorRate and/or latency");
        goto out;
    }
    for (const cJSON *it = root->child; it && rc == 0; it = it->next) {
        if (strcmp(it->string, "errorRate") == 0)
            rc = json_field_rate(it, &s, err);
        else if (strcmp(it->string, "latency") == 0)
            rc = json_field_latency(it, &s, err);
        else
            rc = err_set(err, E_INVALID, "unknown field '%s' (want errorRate, latency)", it->string);
    }
    if (rc == 0)
        fault_set(f, &s);
out:
    cJSON_Delete(root);
    return rc;
}

void fault_to_json(fault *f, struct buf *out)
{
    struct fault_spec s;
    fault_get(f, &s);
    buf_addf(out, "{\"errorRate\":%.17g,\"latency\":\"", s.error_rate);
    fault_latency_format(&s.latency, out);
    buf_puts(out, "\"}");
}

int fault_roll(fault *f, unsigned *delay_ms)
{
    *delay_ms = 0;
    if (!atomic_load_explicit(&f->active, memory_order_relaxed))
        return 0;
    if (tls_rng_owner != f) {
        uint64_t n = atomic_fetch_add(&f->threads, 1);
        tls_rng.s = f->seed ^ (n * 0xd1b54a32d192ed03ULL);
        tls_rng_owner = f;
    }
    struct fault_spec s;
    fault_get(f, &s);
    return fault_decide(&s, &tls_rng, delay_ms);
}
