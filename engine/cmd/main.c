/* main.c -- `gitops`: Flux v1 + helm-operator + Flagger in one program.
 * Dispatches to a subcommand (cmd.h); `gitops --help` lists them.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#ifndef GITOPS_VERSION
#define GITOPS_VERSION "0.1.0"
#endif

const struct cmd cmd_table[] = {
    {"version", cmd_version, "print the version"},
    {"kube", cmd_kube, "talk to the Kubernetes API with the engine's client"},
    {"template", cmd_template, "render a Helm chart locally (like helm template)"},
    {"gotmpl", cmd_gotmpl, "run one Go text/template against JSON data"},
    {NULL, NULL, NULL},
};

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("gitops %s\n", GITOPS_VERSION);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gitops COMMAND [ARGS...]\n\n"
               "GitOps sync, image automation and canary analysis for Kubernetes.\n\n"
               "Commands:\n");
    for (const struct cmd *c = cmd_table; c->name; c++)
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "\nRun 'gitops COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(argc - 1, argv + 1);
    for (const struct cmd *c = cmd_table; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "gitops: unknown command '%s'; see 'gitops --help'\n", argv[1]);
    return 2;
}
