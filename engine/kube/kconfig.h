/* kconfig.h -- where the Kubernetes API is and how to authenticate to it.
 * Loads kubeconfig files (--kubeconfig, $KUBECONFIG merged like kubectl: the
 * first file to define a name wins, ~/.kube/config) or the in-cluster service
 * account, and reduces the chosen context to what the REST client needs: a
 * server URL, TLS material (http_tls), a bearer token (static, from a file, or
 * from an `exec` credential plugin such as gke-gcloud-auth-plugin, cached
 * until its expiry) or basic credentials.  YAML is read with core/ydoc.h.
 */
#ifndef KUBE_KCONFIG_H
#define KUBE_KCONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/http.h"

typedef struct kconfig kconfig;

#define KCONFIG_SA_ROOT "/var/run/secrets/kubernetes.io/serviceaccount"
/* How long an exec credential plugin may run by default. */
#define KCONFIG_EXEC_TIMEOUT_MS 30000

struct kconfig_opts {
    const char *path;    /* --kubeconfig: only this file (must exist) */
    const char *context; /* NULL: the current-context */
    const char *sa_root; /* in-cluster files; NULL: KCONFIG_SA_ROOT */
    gclock *clock;       /* for credential expiry; NULL: a real clock */
    int64_t exec_timeout_ms; /* exec plugin run limit (real time); 0: KCONFIG_EXEC_TIMEOUT_MS */
};
#define KCONFIG_OPTS_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, NULL, NULL, 0                                                                  \
    }

/* Load the configuration the way kubectl does: opts->path, else every file of
 * $KUBECONFIG (colon-separated; missing ones skipped), else ~/.kube/config;
 * when no file exists and KUBERNETES_SERVICE_HOST is set, the in-cluster
 * config.  E_NOTFOUND when nothing is configured or the context is unknown;
 * E_PARSE/E_INVALID (with the file name) on a bad file.  *out: kconfig_free. */
int kconfig_load(kconfig **out, const struct kconfig_opts *opts, struct err *err);
/* Parse one kubeconfig held in memory.  dir resolves relative paths (NULL:
 * the current directory); name labels errors.  Used by the fuzz target. */
int kconfig_parse(kconfig **out, const char *text, size_t len, const char *name, const char *dir,
                  const struct kconfig_opts *opts, struct err *err);
/* In-cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT with
 * SA_ROOT/{token,ca.crt,namespace}. */
int kconfig_load_incluster(kconfig **out, const struct kconfig_opts *opts, struct err *err);
/* A bare configuration: server URL and an optional static token (tests, the
 * in-process simulator).  Never fails. */
kconfig *kconfig_new_server(const char *server, const char *token);
void kconfig_free(kconfig *c);

/* Borrowed views, valid until kconfig_free (tls: until the next refresh). */
const char *kconfig_server(const kconfig *c);          /* no trailing '/' */
const char *kconfig_context(const kconfig *c);         /* "" for in-cluster/bare */
const char *kconfig_namespace(const kconfig *c);       /* context's or "default" */
const char *kconfig_tls_server_name(const kconfig *c); /* NULL when unset; in kconfig_tls too */
const struct http_tls *kconfig_tls(const kconfig *c);
/* "Basic base64(user:pass)" or NULL. */
const char *kconfig_basic_auth(const kconfig *c);

/* The bearer token to send now, or NULL in *token when the user has none.
 * Runs the exec plugin when there is no cached credential or it expired
 * (client certificates it returns update kconfig_tls).  A token file (the
 * in-cluster one, a kubeconfig tokenFile) is re-read once a minute, as
 * client-go does, because bound service-account tokens rotate; a failed
 * re-read keeps the token in hand.  Errors from the plugin come back as
 * E_UNAUTHORIZED/E_IO/E_PARSE with its name (a command that cannot be
 * started: with the kubeconfig's installHint); a plugin still running after
 * the exec timeout is killed with its whole process group (it runs as a
 * group leader) and gives E_TIMEOUT.  The plugin gets our environment with
 * the kubeconfig's env taking precedence. */
int kconfig_token(kconfig *c, const char **token, struct err *err);
/* After a 401: drop the cached credential and fetch a new one (exec plugin
 * or tokenFile).  Returns 1 when a new credential was obtained, 0 when this
 * configuration cannot refresh, or a negative code. */
int kconfig_refresh(kconfig *c, struct err *err);
/* Change the exec plugin run limit (ms > 0). */
void kconfig_set_exec_timeout(kconfig *c, int64_t ms);
/* How many times the exec plugin ran (tests, diagnostics). */
int kconfig_exec_runs(const kconfig *c);

/* Standard base64 decode of s (whitespace ignored) into a new buffer;
 * *len gets its size.  E_PARSE on bad input.  Shared with kconfig users. */
int kconfig_b64_decode(const char *s, char **out, size_t *len, struct err *err);

#endif
