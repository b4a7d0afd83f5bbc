/* kconfig_test.c -- unit tests for kconfig (fixtures in tests/fixtures/kube/). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "kube/kconfig.h"

#define FIX "tests/fixtures/kube"

static kconfig *load(const char *path, const char *ctx, gclock *clk)
{
    struct kconfig_opts o = KCONFIG_OPTS_INIT;
    struct err e = ERR_INIT;
    kconfig *c = NULL;
    o.path = path;
    o.context = ctx;
    o.clock = clk;
    int rc = kconfig_load(&c, &o, &e);
    ck_assert_msg(rc == 0, "load %s: %s", path, e.msg);
    return c;
}

static int load_err(const char *path, const char *ctx, struct err *e)
{
    struct kconfig_opts o = KCONFIG_OPTS_INIT;
    kconfig *c = NULL;
    o.path = path;
    o.context = ctx;
    int rc = kconfig_load(&c, &o, e);
    ck_assert_ptr_null(c);
    return rc;
}

static const char *token_of(kconfig *c)
{
    const char *t = NULL;
    struct err e = ERR_INIT;
    ck_assert_msg(kconfig_token(c, &t, &e) == 0, "token: %s", e.msg);
    return t;
}

/* A fresh temporary folder (caller frees the string). */
static char *tmpdir(void)
{
    char *d = xstrdup("/tmp/kconfig_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

START_TEST(kconfig_current_context_with_data_fields)
{
    kconfig *c = load(FIX "/config.yaml", NULL, NULL);
    ck_assert_str_eq(kconfig_context(c), "prod");
    ck_assert_str_eq(kconfig_server(c), "https://10.0.0.1:6443");
    ck_assert_str_eq(kconfig_namespace(c), "myapp");
    ck_assert_str_eq(kconfig_tls_server_name(c), "kubernetes.default");
    const struct http_tls *t = kconfig_tls(c);
    ck_assert_str_eq(t->server_name, "kubernetes.default"); /* reaches the transport */
    ck_assert_str_eq(t->ca_pem, "-----BEGIN CERTIFICATE-----\nFAKECA\n-----END CERTIFICATE-----\n");
    ck_assert_ptr_nonnull(strstr(t->cert_pem, "FAKECERT"));
    ck_assert_ptr_nonnull(strstr(t->key_pem, "FAKEKEY"));
    ck_assert_ptr_null(t->ca_file);
    ck_assert_int_eq(t->insecure, 0);
    ck_assert_str_eq(token_of(c), "static-token-123");
    ck_assert_ptr_null(kconfig_basic_auth(c));
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_explicit_context_resolves_relative_paths)
{
    kconfig *c = load(FIX "/config.yaml", "dev", NULL);
    ck_assert_str_eq(kconfig_server(c), "http://127.0.0.1:8080");
    ck_assert_str_eq(kconfig_namespace(c), "default");
    const struct http_tls *t = kconfig_tls(c);
    ck_assert_int_eq(t->insecure, 1);
    ck_assert_str_eq(t->ca_file, FIX "/ca.crt");
    ck_assert_str_eq(t->cert_file, FIX "/certs/client.crt");
    ck_assert_str_eq(t->key_file, "/abs/client.key");
    ck_assert_ptr_null(t->ca_pem);
    ck_assert_ptr_null(kconfig_tls_server_name(c));
    ck_assert_ptr_null(t->server_name);
    ck_assert_str_eq(token_of(c), "file-token-456");
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_basic_auth_header)
{
    kconfig *c = load(FIX "/config.yaml", "basic", NULL);
    ck_assert_str_eq(kconfig_basic_auth(c), "Basic YWRtaW46czNjcmV0");
    ck_assert_ptr_null(token_of(c));
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_unknown_names_are_errors)
{
    struct err e = ERR_INIT;
    ck_assert_int_eq(load_err(FIX "/config.yaml", "nope", &e), E_NOTFOUND);
    ck_assert_str_eq(e.msg, "context 'nope' not found in kubeconfig");
    ck_assert_int_eq(load_err(FIX "/config.yaml", "broken", &e), E_NOTFOUND);
    ck_assert_str_eq(e.msg, "cluster 'nowhere' not found in kubeconfig");
    ck_assert_int_eq(load_err(FIX "/does-not-exist.yaml", NULL, &e), E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.msg, "does-not-exist.yaml"));
}
END_TEST

START_TEST(kconfig_bad_files_give_located_errors)
{
    struct err e = ERR_INIT;
    ck_assert_int_eq(load_err(FIX "/bad-type.yaml", NULL, &e), E_INVALID);
    ck_assert_str_eq(e.msg, FIX "/bad-type.yaml: user 'u': 'token' must be a string");
    ck_assert_int_eq(load_err(FIX "/bad-yaml.yaml", NULL, &e), E_PARSE);
    ck_assert_msg(!strncmp(e.msg, FIX "/bad-yaml.yaml:", strlen(FIX "/bad-yaml.yaml:")), "msg: %s",
                  e.msg);
    kconfig *c = NULL;
    ck_assert_int_eq(kconfig_parse(&c, "- 1\n- 2\n", 8, "list.yaml", NULL, NULL, &e), E_INVALID);
    ck_assert_str_eq(e.msg, "list.yaml: a kubeconfig must be a mapping");
    ck_assert_int_eq(kconfig_parse(&c, "", 0, "empty.yaml", NULL, NULL, &e), E_NOTFOUND);
    ck_assert_str_eq(e.msg, "no current-context is set in the kubeconfig");
    const char *bad64 = "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                        "clusters: [{name: c, cluster: {server: 'https://s', "
                        "certificate-authority-data: 'not*base64'}}]\n";
    ck_assert_int_eq(kconfig_parse(&c, bad64, strlen(bad64), "b.yaml", NULL, NULL, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "certificate-authority-data"));
}
END_TEST

START_TEST(kconfig_env_list_merges_first_wins)
{
    setenv("KUBECONFIG", FIX "/merge-a.yaml:" FIX "/missing.yaml:" FIX "/merge-b.yaml", 1);
    kconfig *c = load(NULL, NULL, NULL);
    ck_assert_str_eq(kconfig_context(c), "a-ctx");
    ck_assert_str_eq(kconfig_server(c), "https://a.example:443");
    ck_assert_str_eq(token_of(c), "token-from-a");
    kconfig_free(c);
    c = load(NULL, "b-ctx", NULL);
    ck_assert_str_eq(kconfig_server(c), "https://b-only.example");
    ck_assert_str_eq(kconfig_namespace(c), "from-b");
    ck_assert_str_eq(token_of(c), "token-from-a");
    kconfig_free(c);
    unsetenv("KUBECONFIG");
}
END_TEST

START_TEST(kconfig_home_config_is_the_default)
{
    char *d = tmpdir();
    char *kube = xasprintf("%s/.kube", d), *cfg = xasprintf("%s/.kube/config", d);
    ck_assert_int_eq(mkdir(kube, 0700), 0);
    FILE *f = fopen(cfg, "w");
    fputs("current-context: h\ncontexts: [{name: h, context: {cluster: c}}]\n"
          "clusters: [{name: c, cluster: {server: 'https://home.example'}}]\n",
          f);
    fclose(f);
    unsetenv("KUBECONFIG");
    setenv("HOME", d, 1);
    kconfig *c = load(NULL, NULL, NULL);
    ck_assert_str_eq(kconfig_server(c), "https://home.example");
    ck_assert_ptr_null(token_of(c));
    kconfig_free(c);
    unlink(cfg);
    rmdir(kube);
    rmdir(d);
    free(cfg);
    free(kube);
    free(d);
}
END_TEST

START_TEST(kconfig_incluster_with_overridden_root)
{
    char *d = tmpdir();
    unsetenv("KUBECONFIG");
    setenv("HOME", d, 1);
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    struct kconfig_opts o = KCONFIG_OPTS_INIT;
    struct err e = ERR_INIT;
    kconfig *c = NULL;
    o.sa_root = FIX "/incluster";
    ck_assert_msg(kconfig_load(&c, &o, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(kconfig_server(c), "https://10.96.0.1:443");
    ck_assert_str_eq(kconfig_namespace(c), "flux-system");
    ck_assert_str_eq(kconfig_tls(c)->ca_file, FIX "/incluster/ca.crt");
    ck_assert_str_eq(token_of(c), "sa-token-789");
    ck_assert_int_eq(kconfig_refresh(c, &e), 1);
    ck_assert_str_eq(token_of(c), "sa-token-789");
    kconfig_free(c);
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    o.sa_root = "/nonexistent";
    ck_assert_int_eq(kconfig_load_incluster(&c, &o, &e), E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/token"));
    unsetenv("KUBERNETES_SERVICE_HOST");
    ck_assert_int_eq(kconfig_load(&c, NULL, &e), E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.msg, "not running in a cluster"));
    rmdir(d);
    free(d);
}
END_TEST

START_TEST(kconfig_exec_v1_cached_until_expiry)
{
    char *d = tmpdir();
    char *state = xasprintf("%s/runs", d);
    setenv("PLUGIN_STATE", state, 1);
    int64_t t0;
    ck_assert_int_eq(clock_parse_rfc3339("2029-12-31T23:00:00Z", &t0), 0);
    gclock *clk = clock_new_virtual(t0);
    kconfig *c = load(FIX "/exec.yaml", NULL, clk);
    ck_assert_int_eq(kconfig_exec_runs(c), 0);
    /* args and env of the kubeconfig, cluster info, and the run number */
    ck_assert_str_eq(token_of(c), "tok-v1-abc-yes-1");
    clock_sleep(clk, 30 * 60 * 1000);
    ck_assert_str_eq(token_of(c), "tok-v1-abc-yes-1");
    ck_assert_int_eq(kconfig_exec_runs(c), 1);
    clock_sleep(clk, 30 * 60 * 1000); /* now exactly the expiry */
    ck_assert_str_eq(token_of(c), "tok-v1-abc-yes-2");
    ck_assert_int_eq(kconfig_exec_runs(c), 2);
    kconfig_free(c);
    clock_free(clk);
    unlink(state);
    rmdir(d);
    free(state);
    free(d);
    unsetenv("PLUGIN_STATE");
}
END_TEST

START_TEST(kconfig_exec_v1beta1_refresh_reruns)
{
    kconfig *c = load(FIX "/exec.yaml", "exec-v1beta1", NULL);
    ck_assert_str_eq(token_of(c), "tok-v1beta1-beta-no-1");
    ck_assert_str_eq(token_of(c), "tok-v1beta1-beta-no-1");
    ck_assert_int_eq(kconfig_exec_runs(c), 1);
    struct err e = ERR_INIT;
    ck_assert_int_eq(kconfig_refresh(c, &e), 1);
    ck_assert_int_eq(kconfig_exec_runs(c), 2);
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_exec_failure_and_cert_output)
{
    kconfig *c = load(FIX "/exec.yaml", "exec-fail", NULL);
    const char *t = NULL;
    struct err e = ERR_INIT;
    ck_assert_int_eq(kconfig_token(c, &t, &e), E_UNAUTHORIZED);
    ck_assert_str_eq(e.msg, "exec plugin '" FIX "/./exec-plugin.sh' failed (exit status 1)");
    kconfig_free(c);
    c = load(FIX "/exec.yaml", "exec-cert", NULL);
    ck_assert_ptr_null(token_of(c));
    ck_assert_ptr_nonnull(strstr(kconfig_tls(c)->cert_pem, "PLUGIN"));
    ck_assert_ptr_nonnull(strstr(kconfig_tls(c)->key_pem, "PLUGINKEY"));
    ck_assert_ptr_nonnull(strstr(kconfig_tls(c)->ca_pem, "GKECA"));
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_exec_rejects_old_api_versions)
{
    const char *y = "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: 'https://s'}}]\n"
                    "users: [{name: u, user: {exec: {apiVersion: "
                    "client.authentication.k8s.io/v1alpha1, command: foo}}}]\n";
    kconfig *c = NULL;
    struct err e = ERR_INIT;
    ck_assert_int_eq(kconfig_parse(&c, y, strlen(y), "old.yaml", NULL, NULL, &e), E_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "v1alpha1' is not supported"));
}
END_TEST

/* 1 when process pid is gone or a zombie (killed, not yet reaped by init). */
static int proc_dead(long pid)
{
    char path[64], stat[256] = "";
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

static kconfig *hang_config(const char *pidfile, int64_t timeout_ms)
{
    char *y = xasprintf("current-context: x\n"
                        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                        "clusters: [{name: c, cluster: {server: 'https://s'}}]\n"
                        "users: [{name: u, user: {exec: {apiVersion: "
                        "client.authentication.k8s.io/v1, command: ./exec-hang.sh, "
                        "args: ['%s']}}}]\n", pidfile);
    struct kconfig_opts o = KCONFIG_OPTS_INIT;
    struct err e = ERR_INIT;
    kconfig *c = NULL;
    o.exec_timeout_ms = timeout_ms;
    ck_assert_msg(kconfig_parse(&c, y, strlen(y), "hang.yaml", FIX, &o, &e) == 0, "%s", e.msg);
    free(y);
    return c;
}

START_TEST(kconfig_exec_timeout_kills_the_plugin_group)
{
    char *dir = tmpdir();
    char *pidfile = xasprintf("%s/pids", dir);
    kconfig *c = hang_config(pidfile, 400);
    const char *t = NULL;
    struct err e = ERR_INIT;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert_int_eq(kconfig_token(c, &t, &e), E_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    ck_assert_msg(secs >= 0.35 && secs < 5, "took %.2f s", secs);
    ck_assert_str_eq(e.msg, "exec plugin '" FIX "/./exec-hang.sh' did not finish within 400 ms: "
                     "killed it and its process group");
    /* the plugin and the child it started (holding stdout) are both gone */
    long plugin = 0, child = 0;
    FILE *f = fopen(pidfile, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%ld %ld", &plugin, &child), 2);
    fclose(f);
    for (int i = 0; i < 100 && !(proc_dead(plugin) && proc_dead(child)); i++)
        usleep(10000);
    ck_assert_msg(proc_dead(plugin), "plugin %ld still runs", plugin);
    ck_assert_msg(proc_dead(child), "the plugin's child %ld still runs", child);
    /* the default is 30 s; a setter changes it */
    kconfig_set_exec_timeout(c, 100);
    ck_assert_int_eq(kconfig_refresh(c, &e), E_TIMEOUT);
    ck_assert_ptr_nonnull(strstr(e.msg, "within 100 ms"));
    kconfig_free(c);
    unlink(pidfile);
    rmdir(dir);
    free(pidfile);
    free(dir);
}
END_TEST

START_TEST(kconfig_base64)
{
    char *out = NULL;
    size_t n = 0;
    struct err e = ERR_INIT;
    ck_assert_int_eq(kconfig_b64_decode("aGVs\nbG8=", &out, &n, &e), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(out, "hello");
    free(out);
    ck_assert_int_eq(kconfig_b64_decode("aGVsbG8", &out, &n, &e), 0);
    ck_assert_str_eq(out, "hello");
    free(out);
    ck_assert_int_eq(kconfig_b64_decode("a", &out, &n, &e), E_PARSE);
    ck_assert_int_eq(kconfig_b64_decode("aG=Vs", &out, &n, &e), E_PARSE);
}
END_TEST

START_TEST(kconfig_bare_server)
{
    kconfig *c = kconfig_new_server("http://sim/", "t");
    ck_assert_str_eq(kconfig_server(c), "http://sim");
    ck_assert_str_eq(kconfig_namespace(c), "default");
    ck_assert_str_eq(token_of(c), "t");
    struct err e = ERR_INIT;
    ck_assert_int_eq(kconfig_refresh(c, &e), 0);
    kconfig_free(c);
}
END_TEST

/* Write text to path (replacing it). */
static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(kconfig_token_file_is_reread_every_minute)
{
    /* bound service-account tokens rotate: the kubelet rewrites the file and
     * client-go re-reads it every minute, without waiting for a 401 */
    char *d = tmpdir();
    char *tok = xasprintf("%s/token", d);
    put_file(tok, "sa-token-1\n");
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    gclock *clk = clock_new_virtual(1000000);
    struct kconfig_opts o = KCONFIG_OPTS_INIT;
    struct err e = ERR_INIT;
    kconfig *c = NULL;
    o.sa_root = d;
    o.clock = clk;
    ck_assert_msg(kconfig_load_incluster(&c, &o, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(token_of(c), "sa-token-1");
    put_file(tok, "sa-token-2\n");
    clock_sleep(clk, 30 * 1000);
    ck_assert_str_eq(token_of(c), "sa-token-1"); /* cached for a minute */
    clock_sleep(clk, 31 * 1000);
    ck_assert_str_eq(token_of(c), "sa-token-2");
    /* a failed re-read keeps the token in hand */
    unlink(tok);
    clock_sleep(clk, 61 * 1000);
    ck_assert_str_eq(token_of(c), "sa-token-2");
    kconfig_free(c);
    /* a kubeconfig's tokenFile is re-read the same way */
    char *cfg = xasprintf("%s/config", d);
    put_file(tok, "file-token-1");
    put_file(cfg, "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
                  "clusters: [{name: c, cluster: {server: 'https://s'}}]\n"
                  "users: [{name: u, user: {tokenFile: token}}]\n");
    o.path = cfg;
    c = NULL;
    ck_assert_msg(kconfig_load(&c, &o, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(token_of(c), "file-token-1");
    put_file(tok, "file-token-2");
    clock_sleep(clk, 60 * 1000);
    ck_assert_str_eq(token_of(c), "file-token-2");
    kconfig_free(c);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unlink(tok);
    unlink(cfg);
    rmdir(d);
    clock_free(clk);
    free(cfg);
    free(tok);
    free(d);
}
END_TEST

START_TEST(kconfig_exec_env_overrides_the_inherited_environment)
{
    /* client-go appends the kubeconfig's env to os.Environ() and Go keeps the
     * last value of a name: the kubeconfig wins over the engine's own env */
    setenv("PLUGIN_SUFFIX", "inherited", 1);
    kconfig *c = load(FIX "/exec.yaml", "exec-v1beta1", NULL);
    ck_assert_str_eq(token_of(c), "tok-v1beta1-beta-no-1");
    kconfig_free(c);
    unsetenv("PLUGIN_SUFFIX");
}
END_TEST

START_TEST(kconfig_exec_missing_plugin_shows_install_hint)
{
    const char *y = "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: 'https://s'}}]\n"
                    "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1,"
                    " command: gke-gcloud-auth-plugin-not-installed, interactiveMode: IfAvailable,"
                    " installHint: 'Install gke-gcloud-auth-plugin for use with kubectl'}}}]\n";
    kconfig *c = NULL;
    struct err e = ERR_INIT;
    const char *t = NULL;
    ck_assert_int_eq(kconfig_parse(&c, y, strlen(y), "gke.yaml", NULL, NULL, &e), 0);
    ck_assert_int_eq(kconfig_token(c, &t, &e), E_UNAUTHORIZED);
    ck_assert_msg(strstr(e.msg, "gke-gcloud-auth-plugin-not-installed") &&
                      strstr(e.msg, "not found") &&
                      strstr(e.msg, "Install gke-gcloud-auth-plugin for use with kubectl"),
                  "%s", e.msg);
    kconfig_free(c);
}
END_TEST

START_TEST(kconfig_exec_cluster_info_reads_the_ca_file)
{
    /* provideClusterInfo with a certificate-authority file: client-go sends
     * the file's content as certificate-authority-data */
    const char *y = "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: 'https://s', "
                    "certificate-authority: ca.crt}}]\n"
                    "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1,"
                    " command: ./exec-plugin.sh, args: [v1, ca], provideClusterInfo: true}}}]\n";
    kconfig *c = NULL;
    struct err e = ERR_INIT;
    ck_assert_msg(kconfig_parse(&c, y, strlen(y), "ca.yaml", FIX, NULL, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(token_of(c), "tok-ca-yes");
    kconfig_free(c);
}
END_TEST

static Suite *kconfig_suite(void)
{
    Suite *s = suite_create("kconfig");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, kconfig_current_context_with_data_fields);
    tcase_add_test(tc, kconfig_explicit_context_resolves_relative_paths);
    tcase_add_test(tc, kconfig_basic_auth_header);
    tcase_add_test(tc, kconfig_unknown_names_are_errors);
    tcase_add_test(tc, kconfig_bad_files_give_located_errors);
    tcase_add_test(tc, kconfig_env_list_merges_first_wins);
    tcase_add_test(tc, kconfig_home_config_is_the_default);
    tcase_add_test(tc, kconfig_incluster_with_overridden_root);
    tcase_add_test(tc, kconfig_exec_v1_cached_until_expiry);
    tcase_add_test(tc, kconfig_exec_v1beta1_refresh_reruns);
    tcase_add_test(tc, kconfig_exec_failure_and_cert_output);
    tcase_add_test(tc, kconfig_exec_rejects_old_api_versions);
    tcase_add_test(tc, kconfig_exec_timeout_kills_the_plugin_group);
    tcase_add_test(tc, kconfig_base64);
    tcase_add_test(tc, kconfig_bare_server);
    tcase_add_test(tc, kconfig_token_file_is_reread_every_minute);
    tcase_add_test(tc, kconfig_exec_env_overrides_the_inherited_environment);
    tcase_add_test(tc, kconfig_exec_missing_plugin_shows_install_hint);
    tcase_add_test(tc, kconfig_exec_cluster_info_reads_the_ca_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kconfig_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
