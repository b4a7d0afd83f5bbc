/* cmd.h -- the subcommands of `gitops`.
 * main.c parses nothing but the subcommand name and hands argv (starting at
 * the subcommand) to one of these.  Each returns the process exit code:
 * 0 success, 1 failure of the work itself, 2 bad usage.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* The table, terminated by a NULL name (main.c). */
extern const struct cmd cmd_table[];

int cmd_version(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_gotmpl(int argc, char **argv);
int cmd_kube(int argc, char **argv);

#endif
