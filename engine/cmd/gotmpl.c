/* gotmpl.c -- `gitops gotmpl TEMPLATE_FILE DATA.json`: run one template with
 * plain Go text/template semantics (builtins only) -- the entry point of the
 * template conformance tests (tests/tmpl/cases.txt, tests/gotmpl.sh). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/err.h"
#include "helm/tmpl.h"
#include "helm/tval.h"

static void gotmpl_usage(FILE *f)
{
    fprintf(f, "usage: gitops gotmpl [--missingkey=default|zero|error] TEMPLATE_FILE DATA.json\n\n"
               "Execute TEMPLATE_FILE with Go text/template semantics (builtin functions\n"
               "only) against the JSON in DATA.json ('-' reads standard input).  JSON\n"
               "integers become int, other numbers float64; a missing map key prints\n"
               "<no value>.  Prints the output, or the error on stderr and exits 1.\n");
}

static int read_file(const char *path, struct buf *out, struct err *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return err_set(err, E_IO, "cannot open '%s': %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(out, chunk, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad)
        return err_set(err, E_IO, "cannot read '%s'", path);
    return 0;
}

static int parse_missingkey(const char *v, enum tmpl_missingkey *mk)
{
    if (!strcmp(v, "default") || !strcmp(v, "invalid"))
        *mk = TMPL_MISSING_DEFAULT;
    else if (!strcmp(v, "zero"))
        *mk = TMPL_MISSING_ZERO;
    else if (!strcmp(v, "error"))
        *mk = TMPL_MISSING_ERROR;
    else
        return -1;
    return 0;
}

static int gotmpl_run(const char *tpath, const char *dpath, enum tmpl_missingkey mk)
{
    struct buf text = BUF_INIT, data = BUF_INIT, out = BUF_INIT;
    struct err err = ERR_INIT;
    tval *v = NULL;
    tmpl_set *set = tmpl_set_new();
    const char *base = strrchr(tpath, '/') ? strrchr(tpath, '/') + 1 : tpath;
    int rc = read_file(tpath, &text, &err);
    if (rc == 0)
        rc = read_file(dpath, &data, &err);
    if (rc == 0) {
        rc = tval_parse_json(&v, data.ptr, data.len, TVAL_JSON_INTS, &err);
        if (rc < 0)
            err_prefix(&err, "%s", dpath);
    }
    tmpl_set_missingkey(set, mk);
    if (rc == 0)
        rc = tmpl_set_parse(set, base, text.ptr, text.len, &err);
    if (rc == 0)
        rc = tmpl_set_exec(set, base, v, &out, &err);
    if (rc == 0)
        fwrite(out.ptr, 1, out.len, stdout);
    else
        fprintf(stderr, "gitops gotmpl: %s\n", err.msg);
    tval_unref(v);
    tmpl_set_free(set);
    buf_release(&text);
    buf_release(&data);
    buf_release(&out);
    return rc == 0 ? 0 : 1;
}

int cmd_gotmpl(int argc, char **argv)
{
    enum tmpl_missingkey mk = TMPL_MISSING_DEFAULT;
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            gotmpl_usage(stdout);
            return 0;
        }
        if (!strncmp(argv[i], "--missingkey=", 13)) {
            if (parse_missingkey(argv[i] + 13, &mk) < 0) {
                fprintf(stderr, "gitops gotmpl: bad --missingkey value '%s'\n", argv[i] + 13);
                return 2;
            }
        } else if (npos < 2 && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            pos[npos++] = argv[i];
        } else {
            gotmpl_usage(stderr);
            return 2;
        }
    }
    if (npos != 2) {
        gotmpl_usage(stderr);
        return 2;
    }
    return gotmpl_run(pos[0], pos[1], mk);
}
