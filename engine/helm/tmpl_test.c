/* tmpl_test.c -- the template engine: the conformance table
 * tests/tmpl/cases.txt (one check per case) plus API tests for registered
 * functions, include/tpl, objects, error detail, limits and set semantics. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "helm/tmpl.h"
#include "helm/tval.h"

#define CASES_FILE "tests/tmpl/cases.txt"

struct tcase_def {
    char *name;
    int line;
    enum tmpl_missingkey mk;
    struct buf tmpl, data, out, err;
    int has_out, has_err;
};

static struct tcase_def *cases;
static size_t ncases;

/* ---- loading the case file ------------------------------------------------------ */

static char *next_line(char **p)
{
    char *s = *p;
    if (!*s)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

static void read_block(char **p, struct buf *b, int *lineno)
{
    char *l;
    int first = 1;
    while ((l = next_line(p))) {
        (*lineno)++;
        if (!strcmp(l, "~~~"))
            return;
        if (!first)
            buf_putc(b, '\n');
        buf_puts(b, l);
        first = 0;
    }
}

/* "T: rest" or "T:" -> rest; "T:|" -> block. */
static void read_field(char **p, char *l, struct buf *b, int *lineno)
{
    if (!strcmp(l + 1, ":|"))
        read_block(p, b, lineno);
    else
        buf_puts(b, l[2] == ' ' ? l + 3 : l + 2);
}

static void load_cases(void)
{
    FILE *f = fopen(CASES_FILE, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", CASES_FILE);
        exit(1);
    }
    struct buf all = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&all, chunk, n);
    fclose(f);
    char *p = all.ptr, *l;
    int lineno = 0;
    size_t cap = 0;
    struct tcase_def *c = NULL;
    while ((l = next_line(&p))) {
        lineno++;
        if (!strncmp(l, "=== ", 4)) {
            XGROW(cases, cap, ncases + 1);
            c = &cases[ncases++];
            memset(c, 0, sizeof(*c));
            buf_init(&c->tmpl, 0);
            buf_init(&c->data, 0);
            buf_init(&c->out, 0);
            buf_init(&c->err, 0);
            c->name = xstrdup(l + 4);
            c->line = lineno;
            buf_puts(&c->data, "{}");
            continue;
        }
        if (!c || !l[0] || l[0] == '#' || l[1] != ':')
            continue;
        switch (l[0]) {
        case 'T': read_field(&p, l, &c->tmpl, &lineno); break;
        case 'D': buf_reset(&c->data); read_field(&p, l, &c->data, &lineno); break;
        case 'O': read_field(&p, l, &c->out, &lineno); c->has_out = 1; break;
        case 'E': read_field(&p, l, &c->err, &lineno); c->has_err = 1; break;
        case 'M':
            c->mk = strstr(l, "zero") ? TMPL_MISSING_ZERO : TMPL_MISSING_ERROR;
            break;
        default: break;
        }
    }
    buf_release(&all);
}

static void free_cases(void)
{
    for (size_t i = 0; i < ncases; i++) {
        free(cases[i].name);
        buf_release(&cases[i].tmpl);
        buf_release(&cases[i].data);
        buf_release(&cases[i].out);
        buf_release(&cases[i].err);
    }
    free(cases);
}

START_TEST(tmpl_conformance_case)
{
    struct tcase_def *c = &cases[_i];
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    tval *data = NULL;
    ck_assert_msg(c->has_out != c->has_err, "case '%s' (line %d): need exactly one of O: or E:",
                  c->name, c->line);
    int rc = tval_parse_json(&data, c->data.ptr, c->data.len, TVAL_JSON_INTS, &err);
    ck_assert_msg(rc == 0, "case '%s' (line %d): bad data: %s", c->name, c->line, err.msg);
    tmpl_set *s = tmpl_set_new();
    tmpl_set_missingkey(s, c->mk);
    rc = tmpl_set_parse(s, "t", c->tmpl.ptr, c->tmpl.len, &err);
    if (rc == 0)
        rc = tmpl_set_exec(s, "t", data, &out, &err);
    char got[1200];
    snprintf(got, sizeof(got), "%s", rc == 0 ? out.ptr : err.msg);
    tmpl_set_free(s);
    tval_unref(data);
    buf_release(&out);
    if (c->has_out)
        ck_assert_msg(rc == 0 && !strcmp(got, c->out.ptr),
                      "case '%s' (line %d):\n  got  %s[%s]\n  want [%s]", c->name, c->line,
                      rc ? "error " : "", got, c->out.ptr);
    else
        ck_assert_msg(rc != 0 && strstr(got, c->err.ptr),
                      "case '%s' (line %d):\n  got  %s[%s]\n  want error containing [%s]",
                      c->name, c->line, rc ? "error " : "output ", got, c->err.ptr);
}
END_TEST

START_TEST(tmpl_cases_are_many)
{
    ck_assert_uint_ge(ncases, 150);
}
END_TEST

/* ---- helpers for API tests ---------------------------------------------------------- */

static char *run(tmpl_set *s, const char *name, tval *data, struct err *err)
{
    struct buf out = BUF_INIT;
    if (tmpl_set_exec(s, name, data, &out, err) < 0) {
        buf_release(&out);
        return NULL;
    }
    return buf_detach(&out, NULL);
}

static void parse_ok(tmpl_set *s, const char *name, const char *text)
{
    struct err err = ERR_INIT;
    int rc = tmpl_set_parse(s, name, text, strlen(text), &err);
    ck_assert_msg(rc == 0, "parse %s: %s", name, err.msg);
}

static void assert_run(tmpl_set *s, const char *name, tval *data, const char *want)
{
    struct err err = ERR_INIT;
    char *got = run(s, name, data, &err);
    ck_assert_msg(got != NULL, "exec %s: %s", name, err.msg);
    ck_assert_str_eq(got, want);
    free(got);
}

static int fn_upper(tmpl_call *c, int argc, tval *const *argv, tval **out)
{
    (void)argc;
    if (tval_kind(argv[0]) != TV_STRING)
        return tmpl_call_errorf(c, "wrong type for value; expected string; got %s",
                                tval_type_name(argv[0]));
    char *s = xstrdup(tval_get_str(argv[0]));
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    *out = tval_str_take(s, strlen(s));
    return 0;
}

static int fn_required(tmpl_call *c, int argc, tval *const *argv, tval **out)
{
    (void)argc;
    if (tval_kind(argv[1]) == TV_NIL ||
        (tval_kind(argv[1]) == TV_STRING && tval_strlen(argv[1]) == 0))
        return tmpl_call_errorf(c, "%s", tval_get_str(argv[0]));
    *out = tval_ref(argv[1]);
    return 0;
}

static int fn_include(tmpl_call *c, int argc, tval *const *argv, tval **out)
{
    (void)argc;
    struct buf b = BUF_INIT;
    if (tmpl_call_include(c, tval_get_str(argv[0]), argv[1], &b) < 0) {
        buf_release(&b);
        return -1;
    }
    size_t n;
    char *s = buf_detach(&b, &n);
    *out = tval_str_take(s, n);
    return 0;
}

static int fn_tpl(tmpl_call *c, int argc, tval *const *argv, tval **out)
{
    (void)argc;
    struct buf b = BUF_INIT;
    if (tmpl_call_tpl(c, tmpl_call_root_name(c), tval_get_str(argv[0]), tval_strlen(argv[0]),
                      argv[1], &b) < 0) {
        buf_release(&b);
        return -1;
    }
    size_t n;
    char *s = buf_detach(&b, &n);
    *out = tval_str_take(s, n);
    return 0;
}

static int fn_ud(tmpl_call *c, int argc, tval *const *argv, tval **out)
{
    (void)argc;
    (void)argv;
    *out = tval_str((const char *)tmpl_call_userdata(c));
    return 0;
}

static tmpl_set *helm_like_set(void)
{
    tmpl_set *s = tmpl_set_new();
    tmpl_set_func(s, "upper", fn_upper, 1, 1, NULL);
    tmpl_set_func(s, "required", fn_required, 2, 2, NULL);
    tmpl_set_func(s, "include", fn_include, 2, 2, NULL);
    tmpl_set_func(s, "tpl", fn_tpl, 2, 2, NULL);
    tmpl_set_func(s, "ud", fn_ud, 0, 0, (void *)"user-data");
    return s;
}

/* ---- API tests ----------------------------------------------------------------------- */

START_TEST(tmpl_registered_function)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "a", "{{upper \"abc\"}} {{\"x\" | upper}} {{ud}}");
    assert_run(s, "a", NULL, "ABC X user-data");
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_function_error_is_located)
{
    tmpl_set *s = helm_like_set();
    tmpl_set_missingkey(s, TMPL_MISSING_ZERO);
    parse_ok(s, "f.yaml", "a: 1\nb: {{ required \"b is required\" .Values.b }}\n");
    tval *data = tval_map();
    tval_map_set(data, "Values", tval_map());
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "f.yaml", data, &err));
    ck_assert_str_eq(err.msg, "template: f.yaml:2:6: executing \"f.yaml\" at <required \"b is "
                              "required\" .Values.b>: error calling required: b is required");
    const struct tmpl_error *te = tmpl_set_error(s);
    ck_assert_str_eq(te->name, "f.yaml");
    ck_assert_int_eq(te->line, 2);
    ck_assert_int_eq(te->col, 6);
    ck_assert_str_eq(te->func, "required");
    ck_assert_str_eq(te->msg, "b is required");
    ck_assert_str_eq(te->node, "required \"b is required\" .Values.b");
    tval_unref(data);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_function_arity_checked)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "a", "{{upper}}");
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "a", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "wrong number of args for upper: want 1 got 0"));
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_include_and_nesting)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "_helpers.tpl", "{{define \"name\"}}{{.Name | upper}}{{end}}");
    parse_ok(s, "x.yaml", "name: {{include \"name\" . | printf \"%s-svc\"}}");
    tval *d = tval_map();
    tval_map_set(d, "Name", tval_str("app"));
    assert_run(s, "x.yaml", d, "name: APP-svc");
    /* a whole file can be included by its name */
    parse_ok(s, "y.yaml", "[{{include \"x.yaml\" .}}]");
    assert_run(s, "y.yaml", d, "[name: APP-svc]");
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_include_recursion_is_an_error)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "r", "{{define \"loop\"}}{{include \"loop\" .}}{{end}}{{include \"loop\" .}}");
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "r", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "exceeded maximum template depth (1000)"));
    ck_assert_ptr_nonnull(strstr(err.msg, "error calling include"));
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_include_missing_template)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "a", "{{include \"nope\" .}}");
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "a", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "error calling include: template: no template "
                                          "\"nope\" associated with template \"gotpl\""));
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_include_inner_error_root)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "_h.tpl", "{{define \"h\"}}\n  {{.a.b}}{{end}}");
    parse_ok(s, "m.yaml", "x: {{include \"h\" .}}");
    tval *d = tval_map();
    tval_map_set(d, "a", tval_nil());
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "m.yaml", d, &err));
    const struct tmpl_error *te = tmpl_set_error(s);
    ck_assert_str_eq(te->name, "m.yaml");
    ck_assert_str_eq(te->func, "include");
    ck_assert_str_eq(te->root.name, "_h.tpl");
    ck_assert_int_eq(te->root.line, 2);
    ck_assert_int_eq(te->root.col, 6);
    ck_assert_str_eq(te->root.msg, "nil pointer evaluating interface {}.b");
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_tpl_sees_defines_and_keeps_its_own)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "_h.tpl", "{{define \"greet\"}}hi {{.}}{{end}}");
    parse_ok(s, "t.yaml", "{{tpl .s .v}}|{{tpl .s2 .v}}");
    tval *d = tval_map();
    tval_map_set(d, "s", tval_str("{{include \"greet\" .}}!"));
    tval_map_set(d, "s2", tval_str("{{define \"own\"}}O{{.}}{{end}}{{include \"own\" .}}"));
    tval_map_set(d, "v", tval_str("bob"));
    assert_run(s, "t.yaml", d, "hi bob!|Obob");
    ck_assert(!tmpl_set_has(s, "own"));
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_tpl_parse_error_reported)
{
    tmpl_set *s = helm_like_set();
    parse_ok(s, "t.yaml", "{{tpl .s .}}");
    tval *d = tval_map();
    tval_map_set(d, "s", tval_str("{{ .x "));
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "t.yaml", d, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "error calling tpl: template: t.yaml:1: unclosed action"));
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_later_parse_replaces_define)
{
    tmpl_set *s = tmpl_set_new();
    parse_ok(s, "sub/_h.tpl", "{{define \"x\"}}sub{{end}}");
    parse_ok(s, "_h.tpl", "{{define \"x\"}}parent{{end}}");
    parse_ok(s, "_e.tpl", "{{define \"x\"}}  {{end}}");
    parse_ok(s, "m", "{{template \"x\"}}");
    assert_run(s, "m", NULL, "parent");
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_parse_error_leaves_set_unchanged)
{
    tmpl_set *s = tmpl_set_new();
    parse_ok(s, "a", "{{define \"x\"}}old{{end}}A");
    struct err err = ERR_INIT;
    const char *bad = "{{define \"x\"}}new{{end}}{{if}}";
    ck_assert_int_eq(tmpl_set_parse(s, "b", bad, strlen(bad), &err), E_PARSE);
    ck_assert_str_eq(err.msg, "template: b:1: missing value for if");
    const struct tmpl_error *te = tmpl_set_error(s);
    ck_assert_int_eq(te->code, E_PARSE);
    ck_assert_str_eq(te->name, "b");
    ck_assert_int_eq(te->line, 1);
    ck_assert(!tmpl_set_has(s, "b"));
    parse_ok(s, "m", "{{template \"x\"}}");
    assert_run(s, "m", NULL, "old");
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_exec_unknown_member)
{
    tmpl_set *s = tmpl_set_new();
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    ck_assert_int_eq(tmpl_set_exec(s, "nope", NULL, &out, &err), E_NOTFOUND);
    buf_release(&out);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_parse_once_execute_many)
{
    tmpl_set *s = tmpl_set_new();
    parse_ok(s, "a", "{{range .}}{{.}}{{end}}");
    for (int i = 0; i < 3; i++) {
        tval *l = tval_list();
        for (int k = 0; k <= i; k++)
            tval_list_append(l, tval_int(k));
        assert_run(s, "a", l, i == 0 ? "0" : i == 1 ? "01" : "012");
        tval_unref(l);
    }
    tmpl_set_free(s);
}
END_TEST

static tmpl_unit *unit_ok(const tmpl_set *funcs, const char *name, const char *text)
{
    tmpl_unit *u = NULL;
    struct err err = ERR_INIT;
    ck_assert_msg(tmpl_unit_parse(&u, funcs, name, text, strlen(text), NULL, &err) == 0,
                  "parse %s: %s", name, err.msg);
    return u;
}

/* Units parsed once, added to several sets: Go's define rules per set, the
 * units outlive the sets and are unchanged by executions, tpl and sets
 * built from other units. */
START_TEST(tmpl_units_shared_by_sets)
{
    tmpl_set *funcs = helm_like_set();
    tmpl_unit *sub = unit_ok(funcs, "sub/_h.tpl", "{{define \"x\"}}sub{{end}}");
    tmpl_unit *par = unit_ok(funcs, "_h.tpl", "{{define \"x\"}}parent{{end}}");
    tmpl_unit *empty = unit_ok(funcs, "_e.tpl", "{{define \"x\"}}  {{end}}");
    tmpl_unit *m = unit_ok(funcs, "m", "{{template \"x\"}}|{{tpl .s .}}|{{include \"x\" .}}");
    tval *d = tval_map();
    tval_map_set(d, "s", tval_str("{{define \"x\"}}tpl{{end}}{{include \"x\" .}}"));
    for (int round = 0; round < 2; round++) {
        tmpl_set *a = tmpl_set_new_shared(funcs);
        tmpl_set_add_unit(a, sub);
        tmpl_set_add_unit(a, par);
        tmpl_set_add_unit(a, empty);
        tmpl_set_add_unit(a, m);
        tmpl_set *b = tmpl_set_new_shared(funcs);
        tmpl_set_add_unit(b, par);
        tmpl_set_add_unit(b, sub);
        tmpl_set_add_unit(b, m);
        assert_run(a, "m", d, "parent|tpl|parent");
        assert_run(b, "m", d, "sub|tpl|sub");
        ck_assert(tmpl_set_has(a, "_e.tpl") && !tmpl_set_has(b, "_e.tpl"));
        tmpl_set_free(a);
        tmpl_set_free(b);
    }
    tval_unref(d);
    tmpl_unit_free(sub);
    tmpl_unit_free(par);
    tmpl_unit_free(empty);
    tmpl_unit_free(m);
    tmpl_set_free(funcs);
}
END_TEST

START_TEST(tmpl_unit_parse_error)
{
    tmpl_set *funcs = helm_like_set();
    tmpl_unit *u = (tmpl_unit *)1;
    struct tmpl_error te;
    struct err err = ERR_INIT;
    const char *bad = "ok\n{{ nosuch 1 }}";
    ck_assert_int_eq(tmpl_unit_parse(&u, funcs, "f.yaml", bad, strlen(bad), &te, &err), E_PARSE);
    ck_assert_ptr_null(u);
    ck_assert_str_eq(err.msg, "template: f.yaml:2: function \"nosuch\" not defined");
    ck_assert_str_eq(te.name, "f.yaml");
    ck_assert_int_eq(te.line, 2);
    /* the functions are those of the set given: upper is known, a unit
     * parsed against an empty set does not know it */
    u = unit_ok(funcs, "g", "{{upper \"a\"}}");
    tmpl_unit_free(u);
    tmpl_set *none = tmpl_set_new();
    ck_assert_int_eq(tmpl_unit_parse(&u, none, "g", "{{upper \"a\"}}", 13, NULL, NULL), E_PARSE);
    tmpl_set_free(none);
    tmpl_unit_free(NULL);
    tmpl_set_free(funcs);
}
END_TEST

/* An object like Helm's .Capabilities: a field, a method with an argument. */
static int obj_get(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
                   struct err *err)
{
    (void)ctx;
    if (!strcmp(name, "Version")) {
        if (argc)
            return err_set(err, E_INVALID, "Version is not a method but has arguments");
        *out = tval_str("v1.20.0");
        return 0;
    }
    if (!strcmp(name, "Has")) {
        if (argc != 1)
            return err_set(err, E_INVALID, "wrong number of args for Has: want 1 got %d", argc);
        *out = tval_bool(!strcmp(tval_get_str(argv[0]), "apps/v1"));
        return 0;
    }
    if (!strcmp(name, "Fail"))
        return err_set(err, E_NOTFOUND, "no such file");
    return TVAL_NOFIELD;
}

static void obj_print(void *ctx, struct buf *out)
{
    (void)ctx;
    buf_puts(out, "v1.20.0");
}

static tval *obj_value(void *ctx)
{
    (void)ctx;
    tval *l = tval_list();
    tval_list_append(l, tval_str("apps/v1"));
    tval_list_append(l, tval_str("v1"));
    return l;
}

static const struct tval_obj_ops obj_ops = {
    .type_name = "*chartutil.Capabilities",
    .get = obj_get,
    .print = obj_print,
    .value = obj_value,
};

START_TEST(tmpl_object_fields_and_methods)
{
    tmpl_set *s = tmpl_set_new();
    tval *d = tval_map();
    tval_map_set(d, "Cap", tval_object(&obj_ops, NULL));
    parse_ok(s, "a", "{{.Cap.Version}} {{.Cap.Has \"apps/v1\"}} {{.Cap.Has \"x\"}} {{.Cap}} "
                     "{{\"apps/v1\" | .Cap.Has}} {{if .Cap}}t{{end}}");
    assert_run(s, "a", d, "v1.20.0 true false v1.20.0 true t");
    struct err err = ERR_INIT;
    parse_ok(s, "b", "{{.Cap.version}}");
    ck_assert_ptr_null(run(s, "b", d, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "can't evaluate field version in type interface {}"));
    parse_ok(s, "c", "{{.Cap.Has}}");
    ck_assert_ptr_null(run(s, "c", d, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "wrong number of args for Has: want 1 got 0"));
    parse_ok(s, "r", "{{range .Cap}}{{.}},{{end}} {{len .Cap}} {{index .Cap 1}}");
    assert_run(s, "r", d, "apps/v1,v1, 2 v1");
    parse_ok(s, "e", "{{.Cap.Fail}}");
    ck_assert_ptr_null(run(s, "e", d, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "error calling Fail: no such file"));
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_limits_stop_runaway)
{
    tmpl_set *s = tmpl_set_new();
    tmpl_set_limits(s, 1000, 0);
    parse_ok(s, "a", "{{range 100000}}{{.}}{{end}}");
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "a", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "step limit"));
    tmpl_set_limits(s, 0, 100);
    ck_assert_ptr_null(run(s, "a", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "output exceeds the limit"));
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_deep_nesting_is_a_parse_error)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "{{if 1}}");
    tmpl_set *s = tmpl_set_new();
    struct err err = ERR_INIT;
    ck_assert_int_eq(tmpl_set_parse(s, "d", b.ptr, b.len, &err), E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "max nesting depth exceeded"));
    buf_reset(&b);
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "(");
    tmpl_set_free(s);
    s = tmpl_set_new();
    char *t = xasprintf("{{%s}}", b.ptr);
    ck_assert_int_eq(tmpl_set_parse(s, "p", t, strlen(t), &err), E_PARSE);
    free(t);
    buf_release(&b);
    tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_missingkey_modes)
{
    tmpl_set *s = tmpl_set_new();
    parse_ok(s, "a", "{{.x}}");
    tval *d = tval_map();
    assert_run(s, "a", d, "<no value>");
    tmpl_set_missingkey(s, TMPL_MISSING_ZERO);
    assert_run(s, "a", d, "<no value>");
    tmpl_set_missingkey(s, TMPL_MISSING_ERROR);
    struct err err = ERR_INIT;
    ck_assert_ptr_null(run(s, "a", d, &err));
    tval_unref(d);
    tmpl_set_free(s);
}
END_TEST

static Suite *tmpl_suite(void)
{
    Suite *s = suite_create("tmpl");
    TCase *tc = tcase_create("conformance");
    tcase_add_loop_test(tc, tmpl_conformance_case, 0, (int)ncases);
    tcase_add_test(tc, tmpl_cases_are_many);
    suite_add_tcase(s, tc);
    TCase *api = tcase_create("api");
    tcase_set_timeout(api, 30);
    tcase_add_test(api, tmpl_registered_function);
    tcase_add_test(api, tmpl_function_error_is_located);
    tcase_add_test(api, tmpl_function_arity_checked);
    tcase_add_test(api, tmpl_include_and_nesting);
    tcase_add_test(api, tmpl_include_recursion_is_an_error);
    tcase_add_test(api, tmpl_include_missing_template);
    tcase_add_test(api, tmpl_include_inner_error_root);
    tcase_add_test(api, tmpl_tpl_sees_defines_and_keeps_its_own);
    tcase_add_test(api, tmpl_tpl_parse_error_reported);
    tcase_add_test(api, tmpl_later_parse_replaces_define);
    tcase_add_test(api, tmpl_parse_error_leaves_set_unchanged);
    tcase_add_test(api, tmpl_exec_unknown_member);
    tcase_add_test(api, tmpl_parse_once_execute_many);
    tcase_add_test(api, tmpl_units_shared_by_sets);
    tcase_add_test(api, tmpl_unit_parse_error);
    tcase_add_test(api, tmpl_object_fields_and_methods);
    tcase_add_test(api, tmpl_limits_stop_runaway);
    tcase_add_test(api, tmpl_deep_nesting_is_a_parse_error);
    tcase_add_test(api, tmpl_missingkey_modes);
    suite_add_tcase(s, api);
    return s;
}

int main(void)
{
    load_cases();
    SRunner *sr = srunner_create(tmpl_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    free_cases();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
