/* tmpl.h -- Go's text/template language: parse many named files into one
 * template set, then execute any member against a tval (tval.h) as data.
 * Like Helm's engine: every parsed file is a member under its name, every
 * {{define "x"}} becomes member "x" (a later definition replaces an earlier
 * one unless the later body is empty/whitespace), and functions beyond the
 * builtins come from a registry filled before parsing (an unknown function is
 * a parse error, as in Go).  Parse once, execute many times: execution does
 * not re-lex or re-parse.
 *
 * WRITING A FUNCTION (what sprig.c / render.c do):
 *
 *     // {{ quote x }} -- argv are borrowed, never NULL (a missing value is
 *     // tval_nil()); set *out to a NEW reference and return 0, or return
 *     // tmpl_call_errorf(...) (which returns -1).
 *     static int fn_upper(tmpl_call *c, int argc, tval *const *argv, tval **out)
 *     {
 *         (void)argc;   // arity already checked by the engine (min 1, max 1)
 *         if (tval_kind(argv[0]) != TV_STRING)
 *             return tmpl_call_errorf(c, "wrong type for value; expected string; got %s",
 *                                     tval_type_name(argv[0]));
 *         struct buf b = BUF_INIT;
 *         ...
 *         size_t n;
 *         char *s = buf_detach(&b, &n);
 *         *out = tval_str_take(s, n);    // (leaving *out NULL means nil)
 *         return 0;
 *     }
 *     tmpl_set_func(set, "upper", fn_upper, 1, 1, NULL);
 *
 *     // include: execute a named template into a string, with the depth cap
 *     static int fn_include(tmpl_call *c, int argc, tval *const *argv, tval **out)
 *     {
 *         struct buf b = BUF_INIT;
 *         if (tmpl_call_include(c, tval_get_str(argv[0]), argv[1], &b) < 0) {
 *             buf_release(&b);
 *             return -1;             // error already recorded by the engine
 *         }
 *         ...
 *     }
 *
 * A function error is reported like Go: "template: NAME:LINE:COL: executing
 * \"NAME\" at <required \"x\" .a>: error calling required: x".
 *
 * Known differences from Go: nesting of template/include/tpl stops at
 * TMPL_MAX_DEPTH (Go: 100000); complex-number literals are a parse error;
 * printf's %x/%b of floats and %#v print like %!x(...) / %v.
 */
#ifndef HELM_TMPL_H
#define HELM_TMPL_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "helm/tval.h"

typedef struct tmpl_set tmpl_set;
typedef struct tmpl_call tmpl_call;

/* Nesting cap for {{template}}, include and tpl calls together (Helm errors
 * on runaway include recursion; Go's own cap is 100000, too deep for a C
 * stack).  Exceeding it is the error "exceeded maximum template depth (1000)". */
#define TMPL_MAX_DEPTH 1000
/* Parse nesting cap (parentheses, if/range/with blocks): deeper input is a
 * parse error "max nesting depth exceeded". */
#define TMPL_MAX_PARSE_DEPTH 200

/* What a missing map key evaluates to (Go's Option("missingkey=...")). */
enum tmpl_missingkey {
    TMPL_MISSING_DEFAULT, /* "no value": prints <no value>; .a.b of it is no value too */
    TMPL_MISSING_ZERO,    /* Helm: a nil interface; prints <no value>; .a.b is an error */
    TMPL_MISSING_ERROR,   /* error: map has no entry for key "a" */
};

/* A registered function.  argv[0..argc-1] are borrowed; on success store a
 * new reference in *out and return 0; on failure return tmpl_call_errorf()
 * (or the -1 of a failed tmpl_call_include/tmpl_call_tpl). */
typedef int (*tmpl_fn)(tmpl_call *c, int argc, tval *const *argv, tval **out);

/* Located detail of the last error of tmpl_set_parse/tmpl_set_exec (the same
 * text as err->msg, split up).  Strings are "" when not applicable. */
struct tmpl_error {
    int code;            /* E_PARSE (parse), E_INVALID (execution) */
    char name[256];      /* file (parse name) of the location, e.g. "x.yaml" */
    char exec_name[256]; /* exec: the template executing ("mydefine"), else "" */
    int line;            /* 1-based; 0 if unknown */
    int col;             /* exec errors: byte offset in the line, 0-based, as Go
                          * prints it ("x.yaml:12:20"); parse errors: 0 */
    char node[256];      /* exec: the action text, e.g. ".Values.image.tag" */
    char func[64];       /* exec: the function that failed ("required"), or "" */
    char msg[512];       /* bare message: "nil pointer evaluating interface {}.tag"
                          * or, for a function, what it reported ("x") */
    /* Where it really happened: for an error inside include/tpl/{{template}}
     * chains reported through a function ("error calling include: ..."),
     * the innermost error; otherwise the same as the fields above. */
    struct {
        char name[256];  /* parse name (file) of the innermost location */
        int line, col;
        char func[64];
        char msg[512];
    } root;
};

/* ---- the set ---------------------------------------------------------------- */
tmpl_set *tmpl_set_new(void);
/* A new set that also sees the functions registered on base (its own
 * registrations win).  base is borrowed: it must outlive the set and not
 * change while sets use it -- register once, share between many sets (and
 * threads), instead of registering hundreds of functions on every set. */
tmpl_set *tmpl_set_new_shared(const tmpl_set *base);
void tmpl_set_free(tmpl_set *s);                 /* NULL-safe */
void tmpl_set_missingkey(tmpl_set *s, enum tmpl_missingkey mk);
/* Safety limits for untrusted templates (fuzzing): max executed actions per
 * tmpl_set_exec (0 = unlimited) and max output bytes (0 = unlimited).
 * Exceeding one is an execution error. */
void tmpl_set_limits(tmpl_set *s, size_t max_steps, size_t max_output);

/* Register fn under name (copied); it may take min_args..max_args arguments
 * (max_args -1 = variadic).  The engine checks the count and reports Go's
 * "wrong number of args for NAME: want N got M".  ud is given back by
 * tmpl_call_userdata().  Registering a name again replaces it; a registered
 * name shadows a builtin. */
void tmpl_set_func(tmpl_set *s, const char *name, tmpl_fn fn, int min_args, int max_args,
                   void *ud);

/* Parse text (len bytes) as member `name`; its defines become members too.
 * E_PARSE with Go's message, e.g. "template: x.yaml:3: unexpected EOF";
 * the set is unchanged on error. */
int tmpl_set_parse(tmpl_set *s, const char *name, const char *text, size_t len,
                   struct err *err);
int tmpl_set_has(const tmpl_set *s, const char *name);

/* Execute member `name` with data (borrowed; `.` and `$`; NULL or nil is
 * Go's nil data: `.` is "no value"), appending to out.
 * On error returns E_INVALID (E_NOTFOUND if no such member) with Go's message
 * in err; out may hold partial output then (callers discard it). */
int tmpl_set_exec(tmpl_set *s, const char *name, tval *data, struct buf *out, struct err *err);
/* Detail of the last failed tmpl_set_parse/tmpl_set_exec (borrowed). */
const struct tmpl_error *tmpl_set_error(const tmpl_set *s);

/* ---- parse once, use in many sets ------------------------------------------ */
/* A parsed file (the member and its defines), made once and then added to
 * any number of sets without parsing again: a chart's templates are parsed
 * when the chart is loaded, and every render builds its own small set from
 * them.  A unit is immutable once made: adding it to a set and executing
 * that set never change it (constants are shared tvals, so sets holding the
 * same unit must not execute in different threads at once). */
typedef struct tmpl_unit tmpl_unit;

/* Parse text (len bytes) as member `name`, exactly as tmpl_set_parse on a
 * set seeing funcs' functions would; the unit must only be added to sets
 * seeing the same functions (tmpl_set_new_shared(funcs)).  funcs is borrowed
 * for the call only.  E_PARSE with Go's message in err and the detail in te
 * (may be NULL); *out is NULL then. */
int tmpl_unit_parse(tmpl_unit **out, const tmpl_set *funcs, const char *name, const char *text,
                    size_t len, struct tmpl_error *te, struct err *err);
void tmpl_unit_free(tmpl_unit *u);                 /* NULL-safe */
/* Add u's members to s with tmpl_set_parse's rules (a later definition
 * replaces an earlier one unless its body is empty).  Borrowed: u must
 * outlive s. */
void tmpl_set_add_unit(tmpl_set *s, const tmpl_unit *u);

/* ---- inside a function ---------------------------------------------------- */
/* Record Go-style error "error calling FUNC: <message>" and return -1. */
int tmpl_call_errorf(tmpl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tmpl_set *tmpl_call_set(tmpl_call *c);
void *tmpl_call_userdata(tmpl_call *c);
const char *tmpl_call_func_name(tmpl_call *c);
/* Name of the member whose execution started this call chain (the file). */
const char *tmpl_call_root_name(tmpl_call *c);
/* Execute member `name` (a define or a file, as seen from the current set,
 * including tpl overlays) with data, appending to out.  Counts against
 * TMPL_MAX_DEPTH.  Returns 0, or -1 with the error recorded (the calling
 * function must return -1). */
int tmpl_call_include(tmpl_call *c, const char *name, tval *data, struct buf *out);
/* Helm's tpl: parse text as a new member `name` of a temporary overlay of the
 * current set (it sees every define; its own defines are visible only inside
 * it), execute it with data into out, then drop the overlay.  Returns 0 or -1
 * with the error recorded (parse errors included). */
int tmpl_call_tpl(tmpl_call *c, const char *name, const char *text, size_t len, tval *data,
                  struct buf *out);

#endif
