/* template.c -- `gitops template [NAME] CHART [flags]`: a drop-in for
 * `helm template`.  The whole output is rendered into memory first, so a
 * failure prints only the error (stderr) and exit status 1, never a partial
 * manifest.  The chart is loaded and its templates parsed once
 * (render_prepare), then rendered, as the GitOps engine does on every sync.
 * The hidden `--bench N` times N iterations of three loops in one process:
 * the whole command (cold), renders of a chart prepared once (the steady
 * state) and the parse alone, and reports each on stderr.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/mem.h"
#include "helm/chart.h"
#include "helm/hfuncs.h"
#include "helm/render.h"
#include "helm/tcache.h"
#include "helm/values.h"

struct strv {
    char **v;
    size_t n, cap;
};

struct topts {
    const char *name, *chart;
    struct strv files, sets, set_strings, apis, show;
    struct render_opts ro;
    long bench;
};

static void strv_add(struct strv *s, const char *x)
{
    XGROW(s->v, s->cap, s->n + 1);
    s->v[s->n++] = xstrdup(x);
}

static void strv_free(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* --api-versions takes a comma-separated list and may repeat. */
static void add_apis(struct strv *s, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
        if (*p)
            strv_add(s, p);
    free(copy);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gitops template [NAME] CHART [flags]\n\n"
            "Render a chart locally and print the manifests, as `helm template`.\n\n"
            "Flags:\n"
            "  -f, --values FILE        values file (repeatable; later files win)\n"
            "      --set K=V[,K=V]      set values (typed: ints, true/false, null)\n"
            "      --set-string K=V     set values as strings\n"
            "  -n, --namespace NS       .Release.Namespace (default \"default\")\n"
            "      --kube-version V     .Capabilities.KubeVersion (default v1.20.0)\n"
            "  -a, --api-versions LIST  extra .Capabilities.APIVersions (repeatable, commas)\n"
            "      --include-crds       print the crds/ files too\n"
            "  -s, --show-only PATH     only the documents of templates/PATH (glob; repeatable)\n"
            "      --is-upgrade         render as an upgrade (.Release.IsUpgrade)\n"
            "  -h, --help               this help\n\n"
            "NAME defaults to \"release-name\".  CHART is a chart directory or a packaged\n"
            "chart (.tgz, as `helm package` makes); subcharts in charts/ may be either.\n");
}

/* Value of a flag: "--flag=v", "--flag v" or "-fv". */
static const char *flag_value(int argc, char **argv, int *i, const char *lng, const char *shrt)
{
    const char *a = argv[*i];
    size_t ln = strlen(lng);
    if (!strncmp(a, lng, ln) && a[ln] == '=')
        return a + ln + 1;
    if (shrt && !strncmp(a, shrt, 2) && a[2])
        return a + 2;
    if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt))) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    return NULL;
}

static int is_flag(const char *a, const char *lng, const char *shrt)
{
    size_t ln = strlen(lng);
    return !strcmp(a, lng) || (!strncmp(a, lng, ln) && a[ln] == '=') ||
           (shrt && !strncmp(a, shrt, 2));
}

static int parse_flag(struct topts *t, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    static const struct { const char *lng, *shrt; int which; } f[] = {
        {"--values", "-f", 0}, {"--set-string", NULL, 2}, {"--set", NULL, 1},
        {"--namespace", "-n", 3}, {"--kube-version", NULL, 4}, {"--api-versions", "-a", 5},
        {"--show-only", "-s", 6}, {"--bench", NULL, 7},
    };
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        if (!is_flag(a, f[k].lng, f[k].shrt))
            continue;
        v = flag_value(argc, argv, i, f[k].lng, f[k].shrt);
        if (!v) {
            fprintf(stderr, "Error: flag needs an argument: %s\n", a);
            return -1;
        }
        switch (f[k].which) {
        case 0: strv_add(&t->files, v); break;
        case 1: strv_add(&t->sets, v); break;
        case 2: strv_add(&t->set_strings, v); break;
        case 3: t->ro.namespace = v; break;
        case 4: t->ro.kube_version = v; break;
        case 5: add_apis(&t->apis, v); break;
        case 6: strv_add(&t->show, v); break;
        default: t->bench = strtol(v, NULL, 10);
        }
        return 0;
    }
    fprintf(stderr, "Error: unknown flag: %s\n", a);
    return -1;
}

/* 0 ok, 1 help shown, -1 usage error. */
static int parse_args(struct topts *t, int argc, char **argv)
{
    const char *pos[3];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--include-crds")) {
            t->ro.include_crds = 1;
        } else if (!strcmp(a, "--is-upgrade")) {
            t->ro.is_upgrade = 1;
        } else if (a[0] == '-' && a[1]) {
            if (parse_flag(t, argc, argv, &i) < 0)
                return -1;
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            npos++;
        }
    }
    if (npos < 1 || npos > 2) {
        fprintf(stderr, "Error: expected [NAME] CHART; see 'gitops template --help'\n");
        return -1;
    }
    t->chart = pos[npos - 1];
    if (npos == 2)
        t->ro.release_name = pos[0];
    return 0;
}

static int user_values(const struct topts *t, cJSON **out, struct err *err)
{
    cJSON *user = cJSON_CreateObject();
    int rc = 0;
    for (size_t i = 0; i < t->files.n && rc == 0; i++) {
        cJSON *f = NULL;
        rc = hvals_load_file(&f, t->files.v[i], err);
        if (rc == 0)
            hvals_merge_user(user, f);
        cJSON_Delete(f);
    }
    for (size_t i = 0; i < t->sets.n && rc == 0; i++)
        rc = hvals_parse_set(user, t->sets.v[i], 0, err);
    for (size_t i = 0; i < t->set_strings.n && rc == 0; i++)
        rc = hvals_parse_set(user, t->set_strings.v[i], 1, err);
    if (rc < 0) {
        cJSON_Delete(user);
        return rc;
    }
    *out = user;
    return 0;
}

/* Load the chart and parse its templates. */
static int prepare(const struct topts *t, render_prepared **out, struct err *err)
{
    struct chart *c = NULL;
    int rc = chart_load(&c, t->chart, err);
    if (rc == 0)
        *out = render_prepare(c);
    return rc;
}

/* Values, load, parse, resolve dependencies, render: the whole command. */
static int render_once(const struct topts *t, struct buf *out, struct err *err)
{
    render_prepared *p = NULL;
    cJSON *user = NULL;
    int rc = user_values(t, &user, err);
    if (rc == 0)
        rc = prepare(t, &p, err);
    if (rc == 0)
        rc = render_prepared_run(p, user, &t->ro, out, err);
    cJSON_Delete(user);
    render_prepared_free(p);
    return rc;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time (user + system) of this process: unlike wall time, it does not
 * grow while other processes have the CPU. */
static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

enum bench_what { B_COLD, B_PREPARED, B_PARSE };

/* One iteration of each bench loop: separate functions that are never
 * inlined, so that callgrind's inclusive counts of bench_cold, bench_parse
 * and bench_prepared are the instructions of each loop (bench/helm.sh). */
__attribute__((noinline)) static int bench_cold(const struct topts *t, struct buf *out,
                                                struct err *err)
{
    return render_once(t, out, err);
}

__attribute__((noinline)) static void bench_parse(const render_prepared *p, struct buf *out)
{
    tcache *tc = tcache_build(render_prepared_chart(p), hfuncs_base());
    buf_addf(out, "%zu files", tcache_count(tc));
    tcache_free(tc);
}

__attribute__((noinline)) static int bench_prepared(const struct topts *t,
                                                    const render_prepared *p,
                                                    const cJSON *user, struct buf *out,
                                                    struct err *err)
{
    return render_prepared_run(p, user, &t->ro, out, err);
}

static int bench_step(const struct topts *t, enum bench_what w, const render_prepared *p,
                      const cJSON *user, struct buf *out, struct err *err)
{
    if (w == B_COLD)
        return bench_cold(t, out, err);
    if (w == B_PREPARED)
        return bench_prepared(t, p, user, out, err);
    bench_parse(p, out);
    return 0;
}

/* N iterations of w; prints "LABEL: renders: N, ... per render: X us ...". */
static int bench_loop(const struct topts *t, enum bench_what w, const render_prepared *p,
                      const cJSON *user, const char *label, struct err *err)
{
    struct buf out = BUF_INIT;
    double start = now_us(), cpu = cpu_us();
    int rc = 0;
    for (long i = 0; i < t->bench && rc == 0; i++) {
        buf_reset(&out);
        rc = bench_step(t, w, p, user, &out, err);
    }
    double us = now_us() - start;
    cpu = cpu_us() - cpu;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (rc == 0 && w == B_PARSE)
        fprintf(stderr, "%s: runs: %ld, total: %.0f ms, per run: %.1f us (cpu %.1f us), "
                "peak RSS: %ld KiB, parsed: %s\n", label, t->bench, us / 1000.0,
                us / (double)t->bench, cpu / (double)t->bench, ru.ru_maxrss, out.ptr);
    else if (rc == 0)
        fprintf(stderr, "%s: renders: %ld, total: %.0f ms, per render: %.1f us "
                "(cpu %.1f us), peak RSS: %ld KiB, output: %zu bytes\n", label, t->bench,
                us / 1000.0, us / (double)t->bench, cpu / (double)t->bench, ru.ru_maxrss,
                out.len);
    buf_release(&out);
    return rc;
}

/* --bench N, three loops of N:
 *   cold      the whole command: read the values files, load the chart
 *             directory, parse every template, resolve, render;
 *   parse     parse every template of the loaded chart (and its subcharts);
 *   prepared  the steady state: the chart loaded and parsed and the values
 *             read once; each iteration resolves a copy of the chart against
 *             the values, executes the parsed templates, checks and sorts
 *             the documents, prints.  Printed last. */
static int bench(const struct topts *t, struct err *err)
{
    render_prepared *p = NULL;
    cJSON *user = NULL;
    int rc = bench_loop(t, B_COLD, NULL, NULL, "cold", err);
    if (rc == 0)
        rc = user_values(t, &user, err);
    if (rc == 0)
        rc = prepare(t, &p, err);
    if (rc == 0)
        rc = bench_loop(t, B_PARSE, p, user, "parse", err);
    if (rc == 0)
        rc = bench_loop(t, B_PREPARED, p, user, "prepared", err);
    render_prepared_free(p);
    cJSON_Delete(user);
    return rc;
}

int cmd_template(int argc, char **argv)
{
    /* A render creates and frees libyaml parsers (64 KiB of buffers each) for
     * every output document and values file: with glibc's default 128 KiB
     * trim threshold the heap top went up and down with brk() about a dozen
     * times per render.  Keeping up to 4 MiB free costs nothing here. */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    struct topts t = {0};
    struct render_opts ro = RENDER_OPTS_INIT;
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    t.ro = ro;
    int rc = parse_args(&t, argc, argv);
    if (rc != 0) {
        rc = rc > 0 ? 0 : 2;
        goto out;
    }
    t.ro.api_versions = (const char *const *)t.apis.v;
    t.ro.napi_versions = t.apis.n;
    t.ro.show_only = (const char *const *)t.show.v;
    t.ro.nshow_only = t.show.n;
    if (t.bench > 0)
        rc = bench(&t, &err) < 0 ? 1 : 0;
    else if (render_once(&t, &out, &err) < 0)
        rc = 1;
    else
        fwrite(out.ptr, 1, out.len, stdout);
    if (rc == 1)
        fprintf(stderr, "Error: %s\n", err.msg);
out:
    buf_release(&out);
    strv_free(&t.files);
    strv_free(&t.sets);
    strv_free(&t.set_strings);
    strv_free(&t.apis);
    strv_free(&t.show);
    return rc;
}
