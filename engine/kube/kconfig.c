/* kconfig.c -- kubeconfig and in-cluster configuration (see kconfig.h).
 *
 * Files are kept parsed side by side rather than merged into one tree: a
 * lookup walks them in order and takes the first entry of that name, which is
 * exactly kubectl's "first file wins per name" rule, and it lets each entry's
 * relative paths resolve against the folder of the file that defined it.
 */
#include "kube/kconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/ydoc.h"

#define KCONFIG_MAX_FILE ((size_t)16 << 20)
#define KCONFIG_MAX_EXEC_OUT ((size_t)1 << 20)
/* client-go re-reads a token file this often (bound service-account tokens
 * are rotated by the kubelet well before they expire). */
#define KCONFIG_TOKEN_FILE_TTL_MS (60 * 1000)

struct kexec {
    char *api_version;
    char **argv; /* command, args..., NULL */
    char **env;  /* extra "NAME=VALUE", NULL-terminated */
    size_t nenv;
    char *info; /* KUBERNETES_EXEC_INFO value */
    char *install_hint; /* shown when the command cannot be started; may be NULL */
};

struct kconfig {
    char *context, *server, *ns, *tls_server_name;
    char *ca_file, *ca_pem, *cert_file, *cert_pem, *key_file, *key_pem;
    struct http_tls tls;
    char *token, *token_file, *basic;
    int64_t token_read_ms; /* when token_file was last read */
    struct kexec *exec;
    int have_cred;     /* exec: a credential is cached */
    int64_t expiry_ms; /* exec: 0 = no expiry */
    int exec_runs;
    int64_t exec_timeout_ms;
    gclock *clock;
    int own_clock;
};

struct kfile {
    cJSON *doc;
    char *dir;
    char *name;
};

struct kfiles {
    struct kfile *v;
    size_t n, cap;
};

/* ---- small helpers -------------------------------------------------------------------------- */

static int slurp(const char *path, struct buf *b, size_t max, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? E_NOTFOUND : E_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    buf_init(b, max);
    char tmp[8192];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_set(err, E_IO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (buf_add(b, tmp, (size_t)n) < 0) {
            rc = err_set(err, E_TOOBIG, "'%s' is larger than %zu bytes", path, max);
            break;
        }
    }
    close(fd);
    if (rc < 0)
        buf_release(b);
    return rc;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

static char *resolve_path(const char *dir, const char *p)
{
    if (!p || !*p)
        return NULL;
    if (p[0] == '/' || !dir)
        return xstrdup(p);
    return xasprintf("%s/%s", dir, p);
}

static void trim_right(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

static int b64_val(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

int kconfig_b64_decode(const char *s, char **out, size_t *len, struct err *err)
{
    size_t n = strlen(s);
    char *o = xmalloc(n / 4 * 3 + 4);
    size_t olen = 0;
    unsigned acc = 0;
    int bits = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
            continue;
        if (ch == '=') {
            pad++;
            continue;
        }
        int v = b64_val(ch);
        if (v < 0 || pad) {
            free(o);
            return err_set(err, E_PARSE, "invalid base64 at offset %zu", i);
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[olen++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (bits >= 6 || pad > 2) {
        free(o);
        return err_set(err, E_PARSE, "invalid base64: truncated input");
    }
    o[olen] = '\0';
    *out = o;
    if (len)
        *len = olen;
    return 0;
}

static char *b64_encode(const char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = xmalloc((n + 2) / 3 * 4 + 1), *p = o;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)u[i + 1] << 8;
        if (i + 2 < n)
            v |= u[i + 2];
        *p++ = tab[(v >> 18) & 63];
        *p++ = tab[(v >> 12) & 63];
        *p++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *p++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *p = '\0';
    return o;
}

/* A string field: absent or null -> *out NULL; another type -> E_INVALID. */
static int field_str(const cJSON *o, const char *key, const char **out, const char *where,
                     struct err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return err_set(err, E_INVALID, "%s: '%s' must be a string", where, key);
    *out = v->valuestring;
    return 0;
}

/* ---- the set of loaded files ---------------------------------------------------------------- */

static void kfiles_release(struct kfiles *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        cJSON_Delete(fs->v[i].doc);
        free(fs->v[i].dir);
        free(fs->v[i].name);
    }
    free(fs->v);
    memset(fs, 0, sizeof(*fs));
}

static int kfiles_add_text(struct kfiles *fs, const char *text, size_t len, const char *name,
                           const char *dir, struct err *err)
{
    cJSON *doc = NULL;
    int rc = ydoc_parse_one(&doc, text, len, name, err);
    if (rc < 0)
        return rc;
    if (cJSON_IsNull(doc)) {
        cJSON_Delete(doc);
        doc = cJSON_CreateObject();
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return err_set(err, E_INVALID, "%s: a kubeconfig must be a mapping", name);
    }
    XGROW(fs->v, fs->cap, fs->n + 1);
    fs->v[fs->n].doc = doc;
    fs->v[fs->n].dir = dir ? xstrdup(dir) : NULL;
    fs->v[fs->n].name = xstrdup(name);
    fs->n++;
    return 0;
}

static int kfiles_add_path(struct kfiles *fs, const char *path, struct err *err)
{
    struct buf b;
    int rc = slurp(path, &b, KCONFIG_MAX_FILE, err);
    if (rc < 0)
        return rc;
    char *dir = dir_of(path);
    rc = kfiles_add_text(fs, b.ptr, b.len, path, dir, err);
    free(dir);
    buf_release(&b);
    return rc;
}

/* The first entry called name in section ("clusters", "users", "contexts")
 * across the files; *body is its inner object (key inner), *f its file. */
static int kfiles_find(const struct kfiles *fs, const char *section, const char *inner,
                       const char *name, const cJSON **body, const struct kfile **f,
                       struct err *err)
{
    for (size_t i = 0; i < fs->n; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(fs->v[i].doc, section);
        if (!list || cJSON_IsNull(list))
            continue;
        if (!cJSON_IsArray(list))
            return err_set(err, E_INVALID, "%s: '%s' must be a list", fs->v[i].name, section);
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            const char *n = json_get_str(e, "name", NULL);
            if (!n || strcmp(n, name))
                continue;
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, inner);
            if (b && !cJSON_IsObject(b) && !cJSON_IsNull(b))
                return err_set(err, E_INVALID, "%s: %s '%s': '%s' must be a mapping", fs->v[i].name,
                               section, name, inner);
            *body = cJSON_IsObject(b) ? b : NULL;
            *f = &fs->v[i];
            return 0;
        }
    }
    return err_set(err, E_NOTFOUND, "%s '%s' not found in kubeconfig", inner, name);
}

static const char *kfiles_current_context(const struct kfiles *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        const char *s = json_get_str(fs->v[i].doc, "current-context", NULL);
        if (s && *s)
            return s;
    }
    return NULL;
}

/* ---- construction --------------------------------------------------------------------------- */

static kconfig *kconfig_alloc(const struct kconfig_opts *opts)
{
    kconfig *c = xcalloc(1, sizeof(*c));
    gclock *clock = opts ? opts->clock : NULL;
    c->exec_timeout_ms = opts && opts->exec_timeout_ms > 0 ? opts->exec_timeout_ms
                                                           : KCONFIG_EXEC_TIMEOUT_MS;
    if (clock) {
        c->clock = clock;
    } else {
        c->clock = clock_new_real();
        c->own_clock = 1;
    }
    return c;
}

static void kconfig_sync_tls(kconfig *c)
{
    c->tls.ca_file = c->ca_file;
    c->tls.ca_pem = c->ca_pem;
    c->tls.cert_file = c->cert_file;
    c->tls.cert_pem = c->cert_pem;
    c->tls.key_file = c->key_file;
    c->tls.key_pem = c->key_pem;
    c->tls.server_name = c->tls_server_name;
}

static char *norm_server(const char *server)
{
    char *s = xstrdup(server);
    trim_right(s);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

kconfig *kconfig_new_server(const char *server, const char *token)
{
    kconfig *c = kconfig_alloc(NULL);
    c->server = norm_server(server);
    c->context = xstrdup("");
    c->ns = xstrdup("default");
    c->token = token ? xstrdup(token) : NULL;
    kconfig_sync_tls(c);
    return c;
}

static void kexec_free(struct kexec *x)
{
    if (!x)
        return;
    free(x->api_version);
    for (char **p = x->argv; p && *p; p++)
        free(*p);
    free(x->argv);
    for (size_t i = 0; i < x->nenv; i++)
        free(x->env[i]);
    free(x->env);
    free(x->info);
    free(x->install_hint);
    free(x);
}

void kconfig_free(kconfig *c)
{
    if (!c)
        return;
    free(c->context);
    free(c->server);
    free(c->ns);
    free(c->tls_server_name);
    free(c->ca_file);
    free(c->ca_pem);
    free(c->cert_file);
    free(c->cert_pem);
    free(c->key_file);
    free(c->key_pem);
    free(c->token);
    free(c->token_file);
    free(c->basic);
    kexec_free(c->exec);
    if (c->own_clock)
        clock_free(c->clock);
    free(c);
}

/* Decode a "-data" field into *pem, or resolve its file sibling into *file. */
static int pem_or_file(const cJSON *o, const char *file_key, const char *data_key, const char *dir,
                       const char *where, char **file, char **pem, struct err *err)
{
    const char *f = NULL, *d = NULL;
    int rc = field_str(o, file_key, &f, where, err);
    if (rc == 0)
        rc = field_str(o, data_key, &d, where, err);
    if (rc < 0)
        return rc;
    if (d && *d) {
        rc = kconfig_b64_decode(d, pem, NULL, err);
        if (rc < 0)
            return err_prefix(err, "%s: '%s'", where, data_key), rc;
        return 0;
    }
    *file = resolve_path(dir, f);
    return 0;
}

static int apply_cluster(kconfig *c, const cJSON *cl, const struct kfile *f, const char *name,
                         struct err *err)
{
    char where[256];
    snprintf(where, sizeof(where), "%s: cluster '%s'", f->name, name);
    const char *server = NULL, *sni = NULL;
    int rc = field_str(cl, "server", &server, where, err);
    if (rc == 0)
        rc = field_str(cl, "tls-server-name", &sni, where, err);
    if (rc < 0)
        return rc;
    if (!server || !*server)
        return err_set(err, E_INVALID, "%s has no server", where);
    c->server = norm_server(server);
    c->tls_server_name = sni && *sni ? xstrdup(sni) : NULL;
    c->tls.insecure =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cl, "insecure-skip-tls-verify"));
    return pem_or_file(cl, "certificate-authority", "certificate-authority-data", f->dir, where,
                       &c->ca_file, &c->ca_pem, err);
}

static char **str_list(const cJSON *list, size_t *n)
{
    size_t cnt = (size_t)cJSON_GetArraySize(list);
    char **v = xcalloc(cnt + 1, sizeof(*v));
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (cJSON_IsString(e))
            v[i++] = xstrdup(e->valuestring);
    }
    *n = i;
    return v;
}

/* certificate-authority-data for the plugin: the inline PEM or the file's
 * content, base64-encoded (new string), or NULL when there is no CA. */
static int exec_ca_data(const kconfig *c, char **out, struct err *err)
{
    *out = NULL;
    if (c->ca_pem) {
        *out = b64_encode(c->ca_pem, strlen(c->ca_pem));
        return 0;
    }
    if (!c->ca_file)
        return 0;
    struct buf b;
    int rc = slurp(c->ca_file, &b, 1 << 20, err);
    if (rc < 0)
        return err_prefix(err, "exec provideClusterInfo: certificate-authority"), rc;
    *out = b64_encode(b.ptr, b.len);
    buf_release(&b);
    return 0;
}

static char *exec_info(const kconfig *c, const char *api_version, int cluster_info,
                       const char *ca_data)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", api_version);
    cJSON_AddStringToObject(o, "kind", "ExecCredential");
    cJSON *spec = cJSON_AddObjectToObject(o, "spec");
    cJSON_AddBoolToObject(spec, "interactive", 0);
    if (cluster_info) {
        cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
        cJSON_AddStringToObject(cl, "server", c->server);
        if (c->tls_server_name)
            cJSON_AddStringToObject(cl, "tls-server-name", c->tls_server_name);
        if (ca_data)
            cJSON_AddStringToObject(cl, "certificate-authority-data", ca_data);
        if (c->tls.insecure)
            cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", 1);
    }
    struct buf b = BUF_INIT;
    json_print(o, 0, &b);
    cJSON_Delete(o);
    return buf_detach(&b, NULL);
}

static int exec_env(struct kexec *x, const cJSON *env, const char *where, struct err *err)
{
    if (!env || cJSON_IsNull(env))
        return 0;
    if (!cJSON_IsArray(env))
        return err_set(err, E_INVALID, "%s: exec 'env' must be a list", where);
    size_t cnt = (size_t)cJSON_GetArraySize(env);
    x->env = xcalloc(cnt + 1, sizeof(*x->env));
    const cJSON *e;
    cJSON_ArrayForEach(e, env)
    {
        const char *n = json_get_str(e, "name", NULL), *v = json_get_str(e, "value", "");
        if (!n || !*n || strchr(n, '='))
            return err_set(err, E_INVALID, "%s: exec env entries need a 'name'", where);
        x->env[x->nenv++] = xasprintf("%s=%s", n, v);
    }
    return 0;
}

/* s with line breaks and tabs turned into spaces (messages are one line). */
static char *one_line(const char *s)
{
    char *o = xstrdup(s);
    for (char *p = o; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    trim_right(o);
    return o;
}

static int apply_exec(kconfig *c, const cJSON *ex, const struct kfile *f, const char *where,
                      struct err *err)
{
    const char *api = NULL, *cmd = NULL;
    int rc = field_str(ex, "apiVersion", &api, where, err);
    if (rc == 0)
        rc = field_str(ex, "command", &cmd, where, err);
    if (rc < 0)
        return rc;
    if (!cmd || !*cmd)
        return err_set(err, E_INVALID, "%s: exec has no command", where);
    if (!api || (strcmp(api, "client.authentication.k8s.io/v1") &&
                 strcmp(api, "client.authentication.k8s.io/v1beta1")))
        return err_set(err, E_INVALID,
                       "%s: exec apiVersion '%s' is not supported "
                       "(use client.authentication.k8s.io/v1 or v1beta1)",
                       where, api ? api : "");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(ex, "args");
    if (args && !cJSON_IsNull(args) && !cJSON_IsArray(args))
        return err_set(err, E_INVALID, "%s: exec 'args' must be a list", where);
    struct kexec *x = xcalloc(1, sizeof(*x));
    c->exec = x;
    x->api_version = xstrdup(api);
    size_t nargs = 0;
    char **av = args && cJSON_IsArray(args) ? str_list(args, &nargs) : xcalloc(1, sizeof(char *));
    x->argv = xcalloc(nargs + 2, sizeof(char *));
    /* client-go resolves a command with a slash against the kubeconfig's folder */
    x->argv[0] = strchr(cmd, '/') ? resolve_path(f->dir, cmd) : xstrdup(cmd);
    memcpy(x->argv + 1, av, nargs * sizeof(char *));
    free(av);
    const char *hint = json_get_str(ex, "installHint", NULL);
    x->install_hint = hint && *hint ? one_line(hint) : NULL;
    int info = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "provideClusterInfo"));
    char *ca = NULL;
    rc = info ? exec_ca_data(c, &ca, err) : 0;
    if (rc < 0)
        return err_prefix(err, "%s", where), rc;
    x->info = exec_info(c, api, info, ca);
    free(ca);
    return exec_env(x, cJSON_GetObjectItemCaseSensitive(ex, "env"), where, err);
}

static int apply_basic(kconfig *c, const cJSON *u, const char *where, struct err *err)
{
    const char *user = NULL, *pass = NULL;
    int rc = field_str(u, "username", &user, where, err);
    if (rc == 0)
        rc = field_str(u, "password", &pass, where, err);
    if (rc < 0 || !user || !*user)
        return rc;
    char *up = xasprintf("%s:%s", user, pass ? pass : "");
    char *enc = b64_encode(up, strlen(up));
    c->basic = xasprintf("Basic %s", enc);
    free(enc);
    free(up);
    return 0;
}

static int apply_user(kconfig *c, const cJSON *u, const struct kfile *f, const char *name,
                      struct err *err)
{
    char where[256];
    snprintf(where, sizeof(where), "%s: user '%s'", f->name, name);
    int rc = pem_or_file(u, "client-certificate", "client-certificate-data", f->dir, where,
                         &c->cert_file, &c->cert_pem, err);
    if (rc == 0)
        rc = pem_or_file(u, "client-key", "client-key-data", f->dir, where, &c->key_file,
                         &c->key_pem, err);
    const char *tok = NULL, *tokfile = NULL;
    if (rc == 0)
        rc = field_str(u, "token", &tok, where, err);
    if (rc == 0)
        rc = field_str(u, "tokenFile", &tokfile, where, err);
    if (rc == 0)
        rc = apply_basic(c, u, where, err);
    if (rc < 0)
        return rc;
    if (tok && *tok)
        c->token = xstrdup(tok);
    else
        c->token_file = resolve_path(f->dir, tokfile);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(u, "exec");
    if (ex && !cJSON_IsNull(ex)) {
        if (!cJSON_IsObject(ex))
            return err_set(err, E_INVALID, "%s: 'exec' must be a mapping", where);
        rc = apply_exec(c, ex, f, where, err);
    }
    return rc;
}

static int build_from_files(kconfig *c, const struct kfiles *fs, const char *want, struct err *err)
{
    const char *name = want && *want ? want : kfiles_current_context(fs);
    if (!name)
        return err_set(err, E_NOTFOUND, "no current-context is set in the kubeconfig");
    const cJSON *ctx = NULL, *cl = NULL, *u = NULL;
    const struct kfile *f = NULL;
    int rc = kfiles_find(fs, "contexts", "context", name, &ctx, &f, err);
    if (rc < 0)
        return rc;
    c->context = xstrdup(name);
    const char *clname = json_get_str(ctx, "cluster", NULL);
    const char *uname = json_get_str(ctx, "user", NULL);
    const char *ns = json_get_str(ctx, "namespace", NULL);
    c->ns = xstrdup(ns && *ns ? ns : "default");
    if (!clname || !*clname)
        return err_set(err, E_INVALID, "%s: context '%s' names no cluster", f->name, name);
    rc = kfiles_find(fs, "clusters", "cluster", clname, &cl, &f, err);
    if (rc == 0 && !cl)
        rc = err_set(err, E_INVALID, "%s: cluster '%s' is empty", f->name, clname);
    if (rc == 0)
        rc = apply_cluster(c, cl, f, clname, err);
    if (rc == 0 && uname && *uname) {
        rc = kfiles_find(fs, "users", "user", uname, &u, &f, err);
        if (rc == 0 && u)
            rc = apply_user(c, u, f, uname, err);
    }
    kconfig_sync_tls(c);
    return rc;
}

int kconfig_parse(kconfig **out, const char *text, size_t len, const char *name, const char *dir,
                  const struct kconfig_opts *opts, struct err *err)
{
    struct kconfig_opts none = KCONFIG_OPTS_INIT;
    if (!opts)
        opts = &none;
    struct kfiles fs = {0};
    kconfig *c = NULL;
    int rc = kfiles_add_text(&fs, text, len, name ? name : "<kubeconfig>", dir, err);
    if (rc < 0)
        goto out;
    c = kconfig_alloc(opts);
    rc = build_from_files(c, &fs, opts->context, err);
out:
    kfiles_release(&fs);
    if (rc < 0) {
        kconfig_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Load the files kubectl would; none found leaves fs empty. */
static int load_files(struct kfiles *fs, const struct kconfig_opts *opts, struct err *err)
{
    if (opts->path && *opts->path)
        return kfiles_add_path(fs, opts->path, err);
    const char *env = getenv("KUBECONFIG");
    if (env && *env) {
        char *list = xstrdup(env), *save = NULL;
        int rc = 0;
        for (char *p = strtok_r(list, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save)) {
            if (access(p, F_OK) == 0)
                rc = kfiles_add_path(fs, p, err);
        }
        free(list);
        return rc;
    }
    const char *home = getenv("HOME");
    if (!home || !*home)
        return 0;
    char *p = xasprintf("%s/.kube/config", home);
    int rc = access(p, F_OK) == 0 ? kfiles_add_path(fs, p, err) : 0;
    free(p);
    return rc;
}

int kconfig_load(kconfig **out, const struct kconfig_opts *opts, struct err *err)
{
    struct kconfig_opts none = KCONFIG_OPTS_INIT;
    if (!opts)
        opts = &none;
    struct kfiles fs = {0};
    kconfig *c = NULL;
    int rc = load_files(&fs, opts, err);
    if (rc < 0)
        goto out;
    if (fs.n == 0) {
        if (getenv("KUBERNETES_SERVICE_HOST"))
            rc = kconfig_load_incluster(&c, opts, err);
        else
            rc = err_set(err, E_NOTFOUND,
                         "no kubeconfig found ($KUBECONFIG, ~/.kube/config) "
                         "and not running in a cluster");
        goto out;
    }
    c = kconfig_alloc(opts);
    rc = build_from_files(c, &fs, opts->context, err);
out:
    kfiles_release(&fs);
    if (rc < 0) {
        kconfig_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- in-cluster ----------------------------------------------------------------------------- */

static int read_token_file(kconfig *c, struct err *err)
{
    struct buf b;
    int rc = slurp(c->token_file, &b, 1 << 20, err);
    if (rc < 0)
        return err_prefix(err, "token file"), rc;
    trim_right(b.ptr);
    free(c->token);
    c->token = *b.ptr ? buf_detach(&b, NULL) : NULL;
    c->token_read_ms = clock_now_ms(c->clock);
    buf_release(&b);
    return 0;
}

/* The token file again once KCONFIG_TOKEN_FILE_TTL_MS passed.  Like
 * client-go's cached file token source, a failed re-read keeps the token in
 * hand (it is tried again on the next call); with no token it is an error. */
static int token_file_current(kconfig *c, struct err *err)
{
    if (c->token && clock_now_ms(c->clock) - c->token_read_ms < KCONFIG_TOKEN_FILE_TTL_MS)
        return 0;
    int rc = read_token_file(c, c->token ? NULL : err);
    return c->token ? 0 : rc;
}

int kconfig_load_incluster(kconfig **out, const struct kconfig_opts *opts, struct err *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !*host || !port || !*port)
        return err_set(err, E_NOTFOUND,
                       "not running in a cluster: "
                       "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
    const char *root = opts && opts->sa_root ? opts->sa_root : KCONFIG_SA_ROOT;
    kconfig *c = kconfig_alloc(opts);
    c->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
                                  : xasprintf("https://%s:%s", host, port);
    c->context = xstrdup("");
    c->token_file = xasprintf("%s/token", root);
    char *ca = xasprintf("%s/ca.crt", root);
    if (access(ca, R_OK) == 0)
        c->ca_file = ca;
    else
        free(ca);
    char *nsf = xasprintf("%s/namespace", root);
    struct buf b;
    if (slurp(nsf, &b, 4096, NULL) == 0) {
        trim_right(b.ptr);
        if (*b.ptr)
            c->ns = xstrdup(b.ptr);
        buf_release(&b);
    }
    free(nsf);
    if (!c->ns)
        c->ns = xstrdup("default");
    kconfig_sync_tls(c);
    int rc = read_token_file(c, err);
    if (rc < 0) {
        kconfig_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- exec credential plugins ---------------------------------------------------------------- */

/* Whether "NAME=..." entry names a variable that x sets itself. */
static int exec_sets(const struct kexec *x, const char *entry)
{
    size_t n = strcspn(entry, "=");
    if (n == 20 && !strncmp(entry, "KUBERNETES_EXEC_INFO", n))
        return 1;
    for (size_t i = 0; i < x->nenv; i++)
        if (!strncmp(x->env[i], entry, n) && x->env[i][n] == '=')
            return 1;
    return 0;
}

/* Our environment plus the kubeconfig's env, which wins: a name it sets is
 * dropped from ours (getenv and Go both take the first of duplicates). */
static char **exec_envp(const struct kexec *x)
{
    extern char **environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = xcalloc(n + x->nenv + 2, sizeof(*envp));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!exec_sets(x, environ[i]))
            envp[k++] = environ[i];
    for (size_t i = 0; i < x->nenv; i++)
        envp[k++] = x->env[i];
    envp[k] = NULL;
    return envp;
}

/* Now on the monotonic clock: the plugin runs in real time, whatever clock
 * the configuration uses for credential expiry. */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Everything fd has to give, up to the cap (then out->toobig), until EOF or
 * the deadline (E_TIMEOUT). */
static int read_fd(int fd, struct buf *out, int64_t deadline)
{
    buf_init(out, KCONFIG_MAX_EXEC_OUT);
    char tmp[4096];
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0)
            return E_TIMEOUT;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (n <= 0) {
            if (n < 0 && errno != EINTR)
                return 0;
            continue;
        }
        ssize_t r = read(fd, tmp, sizeof(tmp));
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return 0;
        buf_add(out, tmp, (size_t)r);
    }
}

/* Reap the plugin by the deadline: 0 with *st, or E_TIMEOUT.  (Its stdout
 * may close before it exits.) */
static int wait_plugin(pid_t pid, int *st, int64_t deadline)
{
    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR) {
            *st = -1;
            return 0;
        }
        if (mono_ms() >= deadline)
            return E_TIMEOUT;
        struct timespec nap = {0, 2 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

/* The plugin and anything it started: SIGKILL its process group, reap it. */
static void kill_plugin(pid_t pid)
{
    kill(-pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Child side of exec_run: a process group of its own (so a timeout can kill
 * whatever the plugin starts), stdin from /dev/null, stdout to the pipe.  If
 * the command cannot be started, its errno goes to err_fd (close-on-exec, so
 * the parent reads EOF when the exec worked). */
static __attribute__((noreturn)) void exec_child(const struct kexec *x, int out_fd, int err_fd,
                                                char **envp)
{
    setpgid(0, 0);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0)
        dup2(nul, 0);
    dup2(out_fd, 1);
    execvpe(x->argv[0], x->argv, envp);
    int e = errno;
    ssize_t w = write(err_fd, &e, sizeof(e));
    (void)w;
    _exit(127);
}

/* After fork: 0 when the plugin started, else the error (with the
 * kubeconfig's installHint, as client-go prints it for a missing command). */
static int exec_started(const struct kexec *x, pid_t pid, int err_fd, struct err *err)
{
    int e = 0;
    ssize_t r;
    do
        r = read(err_fd, &e, sizeof(e));
    while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof(e))
        return 0;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    const char *what = e == ENOENT ? "not found" : strerror(e);
    if (x->install_hint)
        return err_set(err, E_UNAUTHORIZED, "exec plugin '%s': %s; %s", x->argv[0], what,
                       x->install_hint);
    return err_set(err, E_UNAUTHORIZED, "exec plugin '%s': %s (is it installed and on PATH?)",
                   x->argv[0], what);
}

/* Collect the started plugin's output and status, within timeout_ms. */
static int exec_collect(const struct kexec *x, pid_t pid, int fd, int64_t timeout_ms,
                        struct buf *out, struct err *err)
{
    int64_t deadline = mono_ms() + timeout_ms;
    int st = 0;
    int rc = read_fd(fd, out, deadline);
    if (rc == 0)
        rc = wait_plugin(pid, &st, deadline);
    if (rc == E_TIMEOUT) {
        kill_plugin(pid);
        rc = err_set(err, E_TIMEOUT, "exec plugin '%s' did not finish within %lld ms: killed "
                     "it and its process group", x->argv[0], (long long)timeout_ms);
    } else if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        rc = err_set(err, E_UNAUTHORIZED, "exec plugin '%s' failed (exit status %d)", x->argv[0],
                     st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    } else if (out->toobig) {
        rc = err_set(err, E_TOOBIG, "exec plugin '%s' wrote more than %zu bytes", x->argv[0],
                     KCONFIG_MAX_EXEC_OUT);
    }
    if (rc < 0)
        buf_release(out);
    return rc;
}

/* Run the plugin, collecting its stdout into out. */
static int exec_run(const struct kexec *x, int64_t timeout_ms, struct buf *out, struct err *err)
{
    char *info = xasprintf("KUBERNETES_EXEC_INFO=%s", x->info);
    char **envp = exec_envp(x);
    size_t k = 0;
    while (envp[k])
        k++;
    envp[k] = info;
    int fds[2], efd[2] = {-1, -1};
    int rc = 0;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        rc = err_set(err, E_IO, "pipe: %s", strerror(errno));
        goto out;
    }
    pid_t pid = pipe2(efd, O_CLOEXEC) < 0 ? -1 : fork();
    if (pid < 0) {
        rc = err_set(err, E_IO, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        goto out;
    }
    if (pid == 0)
        exec_child(x, fds[1], efd[1], envp);
    setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    close(fds[1]);
    close(efd[1]);
    efd[1] = -1;
    rc = exec_started(x, pid, efd[0], err);
    if (rc == 0)
        rc = exec_collect(x, pid, fds[0], timeout_ms, out, err);
    close(fds[0]);
out:
    if (efd[0] >= 0)
        close(efd[0]);
    if (efd[1] >= 0)
        close(efd[1]);
    free(envp);
    free(info);
    return rc;
}

static int exec_take(kconfig *c, const cJSON *cred, const char *cmd, struct err *err)
{
    const char *kind = json_get_str(cred, "kind", ""), *api = json_get_str(cred, "apiVersion", "");
    if (strcmp(kind, "ExecCredential"))
        return err_set(err, E_PARSE, "exec plugin '%s': output is not an ExecCredential", cmd);
    if (strcmp(api, c->exec->api_version))
        return err_set(err, E_PARSE, "exec plugin '%s': apiVersion '%s' does not match '%s'", cmd,
                       api, c->exec->api_version);
    const char *tok = json_get_str(cred, "status.token", NULL);
    const char *cert = json_get_str(cred, "status.clientCertificateData", NULL);
    const char *key = json_get_str(cred, "status.clientKeyData", NULL);
    const char *exp = json_get_str(cred, "status.expirationTimestamp", NULL);
    int64_t exp_ms = 0;
    if ((!tok || !*tok) && (!cert || !key))
        return err_set(err, E_PARSE,
                       "exec plugin '%s': status has neither a token nor a "
                       "client certificate and key",
                       cmd);
    if (exp && *exp && clock_parse_rfc3339(exp, &exp_ms) < 0)
        return err_set(err, E_PARSE, "exec plugin '%s': bad expirationTimestamp '%s'", cmd, exp);
    free(c->token);
    c->token = tok && *tok ? xstrdup(tok) : NULL;
    if (cert && key) {
        free(c->cert_pem);
        free(c->key_pem);
        c->cert_pem = xstrdup(cert);
        c->key_pem = xstrdup(key);
        kconfig_sync_tls(c);
    }
    c->expiry_ms = exp_ms;
    c->have_cred = 1;
    return 0;
}

static int exec_refresh(kconfig *c, struct err *err)
{
    struct buf out;
    const char *cmd = c->exec->argv[0];
    int rc = exec_run(c->exec, c->exec_timeout_ms, &out, err);
    if (rc < 0)
        return rc;
    c->exec_runs++;
    cJSON *cred = NULL;
    rc = json_parse(&cred, out.ptr, out.len, cmd, err);
    if (rc == 0)
        rc = exec_take(c, cred, cmd, err);
    cJSON_Delete(cred);
    buf_release(&out);
    return rc;
}

/* ---- accessors ------------------------------------------------------------------------------ */

int kconfig_token(kconfig *c, const char **token, struct err *err)
{
    int rc = 0;
    if (c->exec) {
        int expired = c->expiry_ms && clock_now_ms(c->clock) >= c->expiry_ms;
        if (!c->have_cred || expired)
            rc = exec_refresh(c, err);
    } else if (c->token_file) {
        rc = token_file_current(c, err);
    }
    if (rc < 0)
        return rc;
    *token = c->token;
    return 0;
}

int kconfig_refresh(kconfig *c, struct err *err)
{
    int rc;
    if (c->exec) {
        c->have_cred = 0;
        rc = exec_refresh(c, err);
    } else if (c->token_file) {
        rc = read_token_file(c, err);
    } else {
        return 0;
    }
    return rc < 0 ? rc : 1;
}

const char *kconfig_server(const kconfig *c)
{
    return c->server;
}
const char *kconfig_context(const kconfig *c)
{
    return c->context ? c->context : "";
}
const char *kconfig_namespace(const kconfig *c)
{
    return c->ns ? c->ns : "default";
}
const char *kconfig_tls_server_name(const kconfig *c)
{
    return c->tls_server_name;
}
const struct http_tls *kconfig_tls(const kconfig *c)
{
    return &c->tls;
}
const char *kconfig_basic_auth(const kconfig *c)
{
    return c->basic;
}
void kconfig_set_exec_timeout(kconfig *c, int64_t ms)
{
    if (ms > 0)
        c->exec_timeout_ms = ms;
}

int kconfig_exec_runs(const kconfig *c)
{
    return c->exec_runs;
}
