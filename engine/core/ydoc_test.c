/* ydoc_test.c -- unit tests for ydoc: Kubernetes YAML typing, anchors, merge
 * keys, streams, errors and caps, and the go-yaml style emitter (goldens,
 * round trips, and agreement with libyaml's own emitter). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/json.h"
#include "core/ydoc.h"

/* Compact JSON of a node, in a rotating static buffer. */
static const char *J(const cJSON *j)
{
    static char out[4][8192];
    static int slot;
    struct buf b = BUF_INIT;
    json_print(j, 0, &b);
    char *o = out[slot++ % 4];
    snprintf(o, 8192, "%s", b.ptr);
    buf_release(&b);
    return o;
}

static cJSON *Y(const char *text)
{
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    int rc = ydoc_parse_one(&j, text, strlen(text), "t.yaml", &e);
    ck_assert_msg(rc == 0, "parse '%s': %s", text, e.msg);
    return j;
}

static void expect_json(const char *yaml, const char *json)
{
    cJSON *j = Y(yaml);
    ck_assert_msg(strcmp(J(j), json) == 0, "yaml '%s'\n got  %s\n want %s", yaml, J(j), json);
    cJSON_Delete(j);
}

static void expect_err(const char *yaml, int code, const char *msg_prefix)
{
    struct err e = ERR_INIT;
    cJSON *j = (cJSON *)1;
    int rc = ydoc_parse_all(&j, yaml, strlen(yaml), "v.yaml", &e);
    ck_assert_msg(rc == code, "'%s': rc %d (%s)", yaml, rc, e.msg);
    ck_assert_ptr_null(j);
    ck_assert_msg(strncmp(e.msg, msg_prefix, strlen(msg_prefix)) == 0, "'%s': message '%s'", yaml,
                  e.msg);
}

/* ---- agreement with libyaml's emitter (of which go-yaml is a port) ------------- */

static int lib_write(void *data, unsigned char *buffer, size_t size)
{
    buf_add(data, buffer, size);
    return 1;
}

static void lib_event(yaml_emitter_t *em, yaml_event_t *ev)
{
    ck_assert_msg(yaml_emitter_emit(em, ev), "libyaml: %s", em->problem);
}

static void lib_scalar(yaml_emitter_t *em, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style);
    lib_event(em, &ev);
}

static void lib_string(yaml_emitter_t *em, const char *s)
{
    yaml_scalar_style_t st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (strchr(s, '\r'))
        st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    else if (strchr(s, '\n'))
        st = YAML_LITERAL_SCALAR_STYLE;
    else if (ydoc_plain_is_string(s))
        st = YAML_PLAIN_SCALAR_STYLE;
    lib_scalar(em, s, st);
}

static void lib_node(yaml_emitter_t *em, const cJSON *n)
{
    yaml_event_t ev;
    struct buf num = BUF_INIT;
    if (cJSON_IsObject(n)) {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        lib_event(em, &ev);
        for (const cJSON *c = n->child; c; c = c->next) {
            lib_string(em, c->string);
            lib_node(em, c);
        }
        yaml_mapping_end_event_initialize(&ev);
        lib_event(em, &ev);
    } else if (cJSON_IsArray(n)) {
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        lib_event(em, &ev);
        for (const cJSON *c = n->child; c; c = c->next)
            lib_node(em, c);
        yaml_sequence_end_event_initialize(&ev);
        lib_event(em, &ev);
    } else if (cJSON_IsString(n)) {
        lib_string(em, n->valuestring);
    } else if (cJSON_IsNumber(n)) {
        json_format_number(n->valuedouble, JSON_NUM_YAML, &num);
        lib_scalar(em, num.ptr, YAML_PLAIN_SCALAR_STYLE);
    } else {
        lib_scalar(em, cJSON_IsTrue(n) ? "true" : cJSON_IsFalse(n) ? "false" : "null",
                   YAML_PLAIN_SCALAR_STYLE);
    }
    buf_release(&num);
}

static char *lib_emit(const cJSON *doc)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    struct buf b = BUF_INIT;
    yaml_emitter_initialize(&em);
    yaml_emitter_set_output(&em, lib_write, &b);
    yaml_emitter_set_unicode(&em, 1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    lib_event(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    lib_event(&em, &ev);
    lib_node(&em, doc);
    yaml_document_end_event_initialize(&ev, 1);
    lib_event(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    lib_event(&em, &ev);
    yaml_emitter_delete(&em);
    /* libyaml 0.2.5 closes open-ended documents with "..."; go-yaml v2 does not */
    if (b.len >= 5 && strcmp(b.ptr + b.len - 5, "\n...\n") == 0)
        buf_truncate(&b, b.len - 4);
    return buf_detach(&b, NULL);
}

static char *emit(const cJSON *j, unsigned flags)
{
    struct buf b = BUF_INIT;
    ydoc_emit(j, flags, &b);
    return buf_detach(&b, NULL);
}

static void expect_emit(const char *json, unsigned flags, const char *want)
{
    cJSON *j = NULL;
    ck_assert_int_eq(json_parse(&j, json, strlen(json), "t.json", NULL), 0);
    char *got = emit(j, flags);
    ck_assert_msg(strcmp(got, want) == 0, "emit %s\n got:\n%s\n want:\n%s", json, got, want);
    if (flags == 0) {
        char *lib = lib_emit(j);
        ck_assert_msg(strcmp(got, lib) == 0, "emit %s\n mine:\n%s\n libyaml:\n%s", json, got, lib);
        free(lib);
    }
    cJSON *back = Y(got);
    ck_assert_msg(json_equal(back, j), "round trip of %s via\n%s gives %s", json, got, J(back));
    cJSON_Delete(back);
    free(got);
    cJSON_Delete(j);
}

/* ---- scalar typing ----------------------------------------------------------- */

START_TEST(ydoc_bool_spellings)
{
    expect_json("[y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]",
                "[true,true,true,true,true,true,true,true,true,true,true]");
    expect_json("[n, N, no, No, NO, off, Off, OFF, false, False, FALSE]",
                "[false,false,false,false,false,false,false,false,false,false,false]");
    expect_json("[yEs, tRUE, oN, nO, ofF, yess, 'yes', \"no\", fAlse, Y2]",
                "[\"yEs\",\"tRUE\",\"oN\",\"nO\",\"ofF\",\"yess\",\"yes\",\"no\",\"fAlse\",\"Y2\"]");
}
END_TEST

START_TEST(ydoc_null_forms)
{
    expect_json("a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: nULL\ng: ''\nh: \"~\"",
                "{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":null,\"f\":\"nULL\","
                "\"g\":\"\",\"h\":\"~\"}");
    expect_json("- ~\n-\n- null\n", "[null,null,null]");
}
END_TEST

START_TEST(ydoc_ints)
{
    expect_json("[0777, 0o17, 0O17, 0x1F, 0X1f, 0b101, 1_000, -42, +7, 0, -0, 08, 00, -0x10]",
                "[511,15,15,31,31,5,1000,-42,7,0,0,8,0,-16]");
    expect_json("[9223372036854775807, 18446744073709551615, 0x1ffffffffffffffff, 1__2, _1, 1-2]",
                "[9223372036854776000,18446744073709552000,\"0x1ffffffffffffffff\",12,\"_1\","
                "\"1-2\"]");
}
END_TEST

START_TEST(ydoc_floats)
{
    expect_json("[1.5, 1e3, -.5, .5, 1., 6.02e+23, 1.20, 1e-5, 09.5, 1_0.5, 1e400, .e1, 1.5.3]",
                "[1.5,1000,-0.5,0.5,1,6.02e+23,1.2,0.00001,9.5,10.5,\"1e400\",\".e1\","
                "\"1.5.3\"]");
    cJSON *j = Y("[.inf, .Inf, .INF, +.inf, -.inf, -.Inf, .nan, .NaN, .NAN, .Nan]");
    for (int i = 0; i < 4; i++)
        ck_assert(isinf(cJSON_GetArrayItem(j, i)->valuedouble) &&
                  cJSON_GetArrayItem(j, i)->valuedouble > 0);
    for (int i = 4; i < 6; i++)
        ck_assert(isinf(cJSON_GetArrayItem(j, i)->valuedouble) &&
                  cJSON_GetArrayItem(j, i)->valuedouble < 0);
    for (int i = 6; i < 9; i++)
        ck_assert(isnan(cJSON_GetArrayItem(j, i)->valuedouble));
    ck_assert_str_eq(cJSON_GetArrayItem(j, 9)->valuestring, ".Nan");
    cJSON_Delete(j);
}
END_TEST

START_TEST(ydoc_quoted_and_strings)
{
    expect_json("['1', \"true\", '~', \"null\", '0x1F', \"\", '', 2001-12-14, 1:20, a b, \"a\\tb\"]",
                "[\"1\",\"true\",\"~\",\"null\",\"0x1F\",\"\",\"\",\"2001-12-14\",\"1:20\","
                "\"a b\",\"a\\tb\"]");
    expect_json("s: 'it''s'\nt: \"caf\\u00e9 \\U0001F600\"\nu: ünïcödé 日本\n",
                "{\"s\":\"it's\",\"t\":\"café 😀\",\"u\":\"ünïcödé 日本\"}");
}
END_TEST

START_TEST(ydoc_explicit_tags)
{
    expect_json("[!!str 1, !!int '12', !!float 3, !!bool yes, !!null '', !!str true, !custom 5,"
                " !!binary aGk=, !!timestamp 2001-12-14, !!float '1.5']",
                "[\"1\",12,3,true,null,\"true\",\"5\",\"aGk=\",\"2001-12-14\",1.5]");
    expect_err("a: !!int abc", E_PARSE, "v.yaml:1:4: cannot decode !!str `abc` as a !!int");
    expect_err("a: !!bool 1", E_PARSE, "v.yaml:1:4: cannot decode !!int `1` as a !!bool");
}
END_TEST

START_TEST(ydoc_block_scalars)
{
    expect_json("a: |\n  x\n  y\nb: |-\n  x\nc: |+\n  x\n\nd: >\n  f\n  g\n\n  h\ne: >-\n  z\n"
                "f: |2\n   lead\n  x\n",
                "{\"a\":\"x\\ny\\n\",\"b\":\"x\",\"c\":\"x\\n\\n\",\"d\":\"f g\\nh\\n\","
                "\"e\":\"z\",\"f\":\" lead\\nx\\n\"}");
}
END_TEST

START_TEST(ydoc_flow_style_and_docs)
{
    expect_json("{a: [1, {b: c}], d: {}, e: [], f: [a, 'b c']}",
                "{\"a\":[1,{\"b\":\"c\"}],\"d\":{},\"e\":[],\"f\":[\"a\",\"b c\"]}");
    expect_json("42", "42");
    expect_json("hello world", "\"hello world\"");
    expect_json("", "null");
    expect_json("# just a comment\n", "null");
    expect_json("\xEF\xBB\xBF" "a: 1\r\nb: 2\r\n", "{\"a\":1,\"b\":2}");
}
END_TEST

START_TEST(ydoc_keys_stringified)
{
    expect_json("{1: a, 1.5: b, true: c, ~: d, 0x10: f, 1e3: g, 0.1: h, -7: i, null: j}",
                "{\"1\":\"a\",\"1.5\":\"b\",\"true\":\"c\",\"null\":\"j\",\"16\":\"f\","
                "\"1000\":\"g\",\"0.1\":\"h\",\"-7\":\"i\"}");
    /* yes and Y are booleans as keys too, and collide with true: last wins */
    expect_json("true: 1\nyes: 2\nY: 3\nno: 4\n'yes': 5\n", "{\"true\":3,\"false\":4,\"yes\":5}");
    expect_json("3.14159265358979: pi\n1e20: big", "{\"3.1415927\":\"pi\",\"1e+20\":\"big\"}");
    expect_err("? [a, b]\n: 1\n", E_PARSE, "v.yaml:");
    expect_err("? {a: 1}\n: 1\n", E_PARSE, "v.yaml:");
}
END_TEST

START_TEST(ydoc_duplicate_keys_last_wins)
{
    expect_json("a: 1\nb: 2\na: 3\n", "{\"a\":3,\"b\":2}");
    expect_json("a: {x: 1}\na: {z: 2}\n", "{\"a\":{\"z\":2}}");
}
END_TEST

START_TEST(ydoc_anchors_and_aliases)
{
    expect_json("base: &b [1, 2]\ncopy: *b\nscalar: &s hello\nagain: *s\nt: &t yes\nu: *t\n",
                "{\"base\":[1,2],\"copy\":[1,2],\"scalar\":\"hello\",\"again\":\"hello\","
                "\"t\":true,\"u\":true}");
    /* an alias is a deep copy: redefining the anchor later does not change it */
    expect_json("a: &x 1\nb: *x\nc: &x 2\nd: *x\n", "{\"a\":1,\"b\":1,\"c\":2,\"d\":2}");
    /* aliased keys keep their type until stringified */
    expect_json("- &k 10\n- {*k : ten}\n", "[10,{\"10\":\"ten\"}]");
    /* a replaced duplicate key does not break an anchor on it */
    expect_json("a: &z {q: 1}\na: 2\nb: *z\n", "{\"a\":2,\"b\":{\"q\":1}}");
    expect_err("a: *nope\n", E_PARSE, "v.yaml:1:4: unknown anchor 'nope' referenced");
    expect_err("a: &r [*r]\n", E_PARSE, "v.yaml:1:8: unknown anchor 'r'");
    /* anchors do not cross documents */
    expect_err("a: &d 1\n---\nb: *d\n", E_PARSE, "v.yaml:3:4: unknown anchor");
}
END_TEST

START_TEST(ydoc_merge_keys)
{
    const char *y = "a: &a {x: 1, w: 2}\n"
                    "b: &b {w: 3, z: 4}\n"
                    "c:\n  <<: [*a, *b]\n  x: 9\n"
                    "d:\n  x: 9\n  <<: *a\n"
                    "e:\n  <<: {p: 1}\n  q: 2\n"
                    "f:\n  '<<': 1\n"
                    "g:\n  !!merge <<: *b\n";
    expect_json(y, "{\"a\":{\"x\":1,\"w\":2},\"b\":{\"w\":3,\"z\":4},"
                   "\"c\":{\"x\":9,\"w\":2,\"z\":4},\"d\":{\"x\":9,\"w\":2},"
                   "\"e\":{\"q\":2,\"p\":1},\"f\":{\"<<\":1},\"g\":{\"w\":3,\"z\":4}}");
    expect_err("a:\n  <<: 1\n", E_PARSE,
               "v.yaml:2:7: map merge requires map or sequence of maps as the value");
    expect_err("a:\n  <<: [{x: 1}, 2]\n", E_PARSE, "v.yaml:2:7: map merge requires");
}
END_TEST

START_TEST(ydoc_multi_document_stream)
{
    const char *y = "---\na: 1\n---\n---\n# only a comment\n---\nnull\n...\n---\n- x\n---\n~\n";
    struct err e = ERR_INIT;
    cJSON *docs = NULL;
    ck_assert_int_eq(ydoc_parse_all(&docs, y, strlen(y), "s.yaml", &e), 0);
    ck_assert_str_eq(J(docs), "[{\"a\":1},[\"x\"]]");
    cJSON_Delete(docs);
    ck_assert_int_eq(ydoc_parse_all(&docs, "", 0, NULL, &e), 0);
    ck_assert_str_eq(J(docs), "[]");
    cJSON_Delete(docs);
    ck_assert_int_eq(ydoc_parse_all(&docs, "# c\n---\n", 8, NULL, &e), 0);
    ck_assert_str_eq(J(docs), "[]");
    cJSON_Delete(docs);
    cJSON *one = (cJSON *)1;
    ck_assert_int_eq(ydoc_parse_one(&one, y, strlen(y), "s.yaml", &e), E_PARSE);
    ck_assert_ptr_null(one);
    ck_assert_str_eq(e.msg, "s.yaml:9:1: expected a single document, found 2");
    ck_assert_int_eq(ydoc_parse_one(&one, "---\na: 1\n---\n", 13, "s.yaml", &e), 0);
    ck_assert_str_eq(J(one), "{\"a\":1}");
    cJSON_Delete(one);
}
END_TEST

/* ---- errors and caps ---------------------------------------------------------- */

START_TEST(ydoc_errors_located)
{
    expect_err("a: 1\nb: c: d\n", E_PARSE,
               "v.yaml:2:5: mapping values are not allowed in this context");
    expect_err("a:\n\tb: 1\n", E_PARSE, "v.yaml:2:1: found character that cannot start any token");
    expect_err("key: [1, 2\nother: 3\n", E_PARSE, "v.yaml:");
    expect_err("a: 'unterminated\n", E_PARSE, "v.yaml:2:1: found unexpected end of stream");
    expect_err("a: 1\n b: 2\n", E_PARSE, "v.yaml:2:3: mapping values are not allowed");
    expect_err("- a\nb: 1\n", E_PARSE, "v.yaml:2:1: did not find expected '-' indicator");
    expect_err("a: \xff\xfe\n", E_PARSE, "v.yaml:1:4: invalid leading UTF-8 octet");
    expect_err("a: 1\nb: \"x\\qy\"\n", E_PARSE, "v.yaml:2:");
    struct err e = ERR_INIT;
    cJSON *j;
    ck_assert_int_eq(ydoc_parse_all(&j, "[", 1, NULL, &e), E_PARSE);
    ck_assert_msg(strncmp(e.msg, "<yaml>:", 7) == 0, "%s", e.msg);
}
END_TEST

static char *repeat(const char *s, int n, const char *tail)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_puts(&b, s);
    buf_puts(&b, tail);
    return buf_detach(&b, NULL);
}

START_TEST(ydoc_depth_cap)
{
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    char *open = repeat("[", 600, "");
    ck_assert_int_eq(ydoc_parse_all(&j, open, strlen(open), "d.yaml", &e), E_TOOBIG);
    ck_assert_msg(strstr(e.msg, "nesting deeper than 512") != NULL, "%s", e.msg);
    free(open);
    char *ok = repeat("[", 500, "");
    char *okc = repeat("]", 500, "");
    struct buf b = BUF_INIT;
    buf_puts(&b, ok);
    buf_puts(&b, okc);
    ck_assert_int_eq(ydoc_parse_one(&j, b.ptr, b.len, "d.yaml", &e), 0);
    cJSON_Delete(j);
    free(ok);
    free(okc);
    buf_release(&b);
    /* aliases cannot build a tree deeper than the cap either */
    char *deep = repeat("[", 400, "1");
    char *close = repeat("]", 400, "");
    struct buf y = BUF_INIT;
    buf_addf(&y, "a: &a %s%s\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a",
             deep, close);
    ck_assert_int_eq(ydoc_parse_all(&j, y.ptr, y.len, "d.yaml", &e), E_TOOBIG);
    ck_assert_msg(strstr(e.msg, "after alias expansion") != NULL, "%s", e.msg);
    free(deep);
    free(close);
    buf_release(&y);
}
END_TEST

START_TEST(ydoc_billion_laughs)
{
    const char *lol = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    ck_assert_int_eq(ydoc_parse_all(&j, lol, strlen(lol), "lol.yaml", &e), E_TOOBIG);
    ck_assert_ptr_null(j);
    ck_assert_msg(strstr(e.msg, "more than 1000000 nodes after alias expansion") != NULL, "%s",
                  e.msg);
    ck_assert_msg(strncmp(e.msg, "lol.yaml:", 9) == 0, "%s", e.msg);
    /* few nodes but long strings: the text budget stops it */
    struct buf y = BUF_INIT;
    char *big = repeat("x", 1 << 20, "");
    buf_addf(&y, "a: &a %s\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                 "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                 "d: [*c,*c]\n", big);
    ck_assert_int_eq(ydoc_parse_all(&j, y.ptr, y.len, "s.yaml", &e), E_TOOBIG);
    ck_assert_msg(strstr(e.msg, "MiB of text") != NULL, "%s", e.msg);
    free(big);
    buf_release(&y);
}
END_TEST

/* Anchors nested in anchors: each anchored collection is copied once, so
 * without a cap on the copies a 200 KB stream costs quadratic time and
 * memory without a single alias. */
START_TEST(ydoc_nested_anchor_copies_capped)
{
    struct buf y = BUF_INIT;
    char *row = repeat("1,", 999, "1"); /* 1000 items */
    buf_puts(&y, "x: ");
    for (int d = 0; d < 100; d++)
        buf_addf(&y, "&a%d [", d);
    buf_puts(&y, row);
    for (int d = 0; d < 100; d++)
        buf_addf(&y, ",%s]", row);
    buf_putc(&y, '\n');
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    ck_assert_int_eq(ydoc_parse_all(&j, y.ptr, y.len, "n.yaml", &e), E_TOOBIG);
    ck_assert_ptr_null(j);
    ck_assert_msg(strstr(e.msg, "copied for anchors") != NULL, "%s", e.msg);
    ck_assert_msg(strncmp(e.msg, "n.yaml:1:", 9) == 0, "%s", e.msg);
    free(row);
    buf_release(&y);
}
END_TEST

/* Many anchors and many aliases: finding an anchor must not scan them all
 * (100,000 x 100,000 string compares take far longer than the test timeout). */
START_TEST(ydoc_many_anchors_fast)
{
    struct buf y = BUF_INIT;
    int n = 100000;
    for (int i = 0; i < n; i++)
        buf_addf(&y, "- &a%06d %d\n", i, i);
    for (int i = 0; i < n; i++)
        buf_puts(&y, "- *a000000\n");
    buf_puts(&y, "- &a000000 again\n- *a000000\n"); /* a redefined anchor: the latest wins */
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    ck_assert_int_eq(ydoc_parse_all(&j, y.ptr, y.len, "m.yaml", &e), 0);
    cJSON *doc = cJSON_GetArrayItem(j, 0);
    ck_assert_int_eq(cJSON_GetArraySize(doc), 2 * n + 2);
    ck_assert_int_eq(json_get_int(doc, "[100000]", -1), 0);
    ck_assert_str_eq(json_get_str(doc, "[200001]", ""), "again");
    cJSON_Delete(j);
    buf_release(&y);
}
END_TEST

START_TEST(ydoc_input_cap)
{
    size_t n = ((size_t)64 << 20) + 1;
    char *huge = calloc(1, n);
    ck_assert_ptr_nonnull(huge);
    struct err e = ERR_INIT;
    cJSON *j = NULL;
    ck_assert_int_eq(ydoc_parse_all(&j, huge, n, "h.yaml", &e), E_TOOBIG);
    ck_assert_msg(strncmp(e.msg, "h.yaml: input too big", 21) == 0, "%s", e.msg);
    free(huge);
}
END_TEST

/* ---- emitter goldens ---------------------------------------------------------- */

START_TEST(ydoc_emit_structure)
{
    const char *doc = "{\"b\":[1,\"two\",{\"c\":null,\"d\":[true]}],\"a\":{},\"e\":[],"
                      "\"f\":{\"g\":{\"h\":false}},\"i\":[[1,2],[{\"j\":1,\"k\":[3]}],[]]}";
    expect_emit(doc, 0,
                "b:\n- 1\n- two\n- c: null\n  d:\n  - true\na: {}\ne: []\nf:\n  g:\n    h: false\n"
                "i:\n- - 1\n  - 2\n- - j: 1\n    k:\n    - 3\n- []\n");
    expect_emit(doc, YDOC_SORT_KEYS | YDOC_INDENT_SEQ,
                "a: {}\nb:\n  - 1\n  - two\n  - c: null\n    d:\n      - true\ne: []\nf:\n  g:\n"
                "    h: false\ni:\n  - - 1\n    - 2\n  - - j: 1\n      k:\n        - 3\n  - []\n");
    expect_emit("{}", 0, "{}\n");
    expect_emit("[]", 0, "[]\n");
    expect_emit("null", 0, "null\n");
    expect_emit("\"hello\"", 0, "hello\n");
    expect_emit("[{}]", 0, "- {}\n");
}
END_TEST

START_TEST(ydoc_emit_quoting)
{
    expect_emit("[\"123\",\"true\",\"yes\",\"Off\",\"y\",\"null\",\"~\",\"\",\"1.5\",\"0x10\","
                "\"1e3\",\"0777\",\"2001-12-14\",\"2001-12-14T21:59:43.10-05:00\",\"1:20\","
                "\"<<\",\".inf\",\"yEs\",\"12a\",\"2001-13-01\"]",
                0,
                "- \"123\"\n- \"true\"\n- \"yes\"\n- \"Off\"\n- \"y\"\n- \"null\"\n- \"~\"\n- \"\"\n"
                "- \"1.5\"\n- \"0x10\"\n- \"1e3\"\n- \"0777\"\n- \"2001-12-14\"\n"
                "- \"2001-12-14T21:59:43.10-05:00\"\n- \"1:20\"\n- \"<<\"\n- \".inf\"\n- yEs\n"
                "- 12a\n- 2001-13-01\n");
    expect_emit("[\"  lead\",\"trail \",\"a: b\",\"a:b\",\"a #b\",\"a#b\",\"-x\",\"- x\",\"-\","
                "\"#c\",\"&a\",\"*a\",\"!t\",\"|p\",\">f\",\"'q\",\"\\\"d\",\"%p\",\"@a\",\"`b\","
                "\"[x\",\"x]\",\"{\",\",x\",\"?x\",\"? x\",\":x\",\": x\",\"---\",\"...\",\"it's\"]",
                0,
                "- '  lead'\n- 'trail '\n- 'a: b'\n- a:b\n- 'a #b'\n- a#b\n- -x\n- '- x'\n- '-'\n"
                "- '#c'\n- '&a'\n- '*a'\n- '!t'\n- '|p'\n- '>f'\n- '''q'\n- '\"d'\n- '%p'\n"
                "- '@a'\n- '`b'\n- '[x'\n- x]\n- '{'\n- ',x'\n- ?x\n- '? x'\n- :x\n- ': x'\n"
                "- '---'\n- '...'\n- it's\n");
    expect_emit("{\"true\":1,\"1\":2,\"\":3,\"a b\":4,\"k: v\":5,\"null\":6}", 0,
                "\"true\": 1\n\"1\": 2\n\"\": 3\na b: 4\n'k: v': 5\n\"null\": 6\n");
}
END_TEST

START_TEST(ydoc_emit_special_characters)
{
    expect_emit("[\"tab\\there\",\"caf\\u00e9\",\"\\ud83d\\ude00\",\"bell\\u0007\",\"nbsp\\u00a0x\","
                "\"ls\\u2028x\",\"bom\\ufeff\",\"cr\\rx\",\"del\\u007f\",\"back\\\\slash\"]",
                0,
                "- \"tab\\there\"\n- café\n- \"\\U0001F600\"\n- \"bell\\a\"\n- nbsp\u00a0x\n"
                "- 'ls\u2028  x'\n- \"bom\\uFEFF\"\n- \"cr\\rx\"\n- \"del\\x7F\"\n"
                "- back\\slash\n");
}
END_TEST

START_TEST(ydoc_emit_block_scalars)
{
    expect_emit("{\"a\":\"x\\ny\",\"b\":\"x\\ny\\n\",\"c\":\"x\\n\\n\",\"d\":\"  ind\\nline\","
                "\"e\":\"trailing \\nspace\",\"f\":\"\\n\",\"g\":\"x\\n\\ny\\n\",\"h\":[\"p\\nq\"],"
                "\"i\":\"tab\\n\\tx\"}",
                0,
                "a: |-\n  x\n  y\nb: |\n  x\n  y\nc: |+\n  x\n\nd: |2-\n    ind\n  line\n"
                "e: \"trailing \\nspace\"\nf: |2+\n\ng: |\n  x\n\n  y\nh:\n- |-\n  p\n  q\n"
                "i: \"tab\\n\\tx\"\n");
    expect_emit("\"x\\ny\"", 0, "|-\n  x\n  y\n");
    expect_emit("{\"k\":{\"m\":[\"a\\nb\"]}}", YDOC_INDENT_SEQ, "k:\n  m:\n    - |-\n      a\n      b\n");
    /* a multi-line key is written as a complex key */
    expect_emit("{\"a\\nb\":1}", 0, "? |-\n  a\n  b\n: 1\n");
}
END_TEST

START_TEST(ydoc_emit_numbers)
{
    expect_emit("[1,1000000,1.5,0.00001,1234567.5,-3,1e21,123456789012345678,3.0,0.1,1e20]", 0,
                "- 1\n- 1000000\n- 1.5\n- 1e-05\n- 1.2345675e+06\n- -3\n- 1e+21\n"
                "- 123456789012345680\n- 3\n- 0.1\n- 1e+20\n");
    cJSON *j = cJSON_CreateArray();
    cJSON_AddItemToArray(j, cJSON_CreateNumber(INFINITY));
    cJSON_AddItemToArray(j, cJSON_CreateNumber(-INFINITY));
    cJSON_AddItemToArray(j, cJSON_CreateNumber(NAN));
    char *s = emit(j, 0);
    ck_assert_str_eq(s, "- .inf\n- -.inf\n- .nan\n");
    cJSON *back = Y(s);
    ck_assert(json_equal(back, j));
    cJSON_Delete(back);
    free(s);
    cJSON_Delete(j);
}
END_TEST

START_TEST(ydoc_emit_folds_long_strings)
{
    const char *doc = "{\"long\":\"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll "
                      "mmmm nnnn oooo pppp qqqq rrrr ssss\",\"q\":\"yes but this one is quoted "
                      "because it ends with a space and is long enough to need folding \"}";
    expect_emit(doc, 0,
                "long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo "
                "pppp\n  qqqq rrrr ssss\nq: 'yes but this one is quoted because it ends with a "
                "space and is long enough to\n  need folding '\n");
    expect_emit(doc, YDOC_NO_FOLD,
                "long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo "
                "pppp qqqq rrrr ssss\nq: 'yes but this one is quoted because it ends with a "
                "space and is long enough to need folding '\n");
    /* keys longer than 128 bytes become complex keys */
    char key[200];
    memset(key, 'k', 130);
    key[130] = '\0';
    char json[300];
    snprintf(json, sizeof(json), "{\"%s\":1}", key);
    char want[300];
    snprintf(want, sizeof(want), "? %s\n: 1\n", key);
    expect_emit(json, 0, want);
}
END_TEST

START_TEST(ydoc_emit_key_orders)
{
    const char *doc = "{\"a10\":1,\"a2\":2,\"B\":3,\"_x\":4,\"b\":5,\"a1\":6,\"a01\":7}";
    expect_emit(doc, YDOC_SORT_KEYS, "B: 3\n_x: 4\na01: 7\na1: 6\na10: 1\na2: 2\nb: 5\n");
    expect_emit(doc, YDOC_SORT_GO, "_x: 4\nB: 3\na1: 6\na01: 7\na2: 2\na10: 1\nb: 5\n");
    expect_emit(doc, 0, "a10: 1\na2: 2\nB: 3\n_x: 4\nb: 5\na1: 6\na01: 7\n");
    ck_assert(ydoc_plain_is_string("hello"));
    ck_assert(!ydoc_plain_is_string("On"));
}
END_TEST

/* ---- round trips --------------------------------------------------------------- */

static const char *corpus[] = {
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n"
    "    flux.weave.works/automated: \"true\"\n    fluxcd.io/tag.web: semver:~1.0\n"
    "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n"
    "        image: nginx:1.25\n        args: [\"--port\", \"8080\"]\n"
    "        env:\n        - {name: A, value: \"1\"}\n        - name: B\n          value: 'yes'\n",
    "a: |\n  multi\n   line\n\n  text\nb: >-\n  folded\n  text\nc: \"esc\\t\\\"\\u263A\"\n",
    "- [a, b, [c, [d, {e: f}]]]\n- {}\n- []\n- ''\n- ' '\n- \"\\n\"\n- \"\\n\\n\"\n- \" \\n \"\n",
    "x: &x {a: 1}\ny: {<<: *x, b: 2}\nz: [*x, *x]\n",
    "k: 'a: b'\nl: \"#c\"\nm: '- n'\no: '@p'\nq: '`r'\ns: '%t'\nu: \"a\\u2028b\"\nv: \"\\x85\"\n",
    "numbers: [0, -1, 1.5, 1e10, 1e-10, 12345678901234567890, 0.1, 3.0, .5, -0.0]\n",
    "'true': 1\n'1': 2\n'null': 3\n'': 4\n' s': 5\n\"a\\nb\": 6\n\"x\\ty\": 7\n",
    "long: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua.  Ut enim ad minim veniam,   quis nostrud\n"
    "quoted: \"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut  labore\\tet dolore magna aliqua. Ut enim ad minim veniam, quis nostrud \"\n",
    "\"\\U0001F600\": emoji\nnested:\n  - - - deep\n      - {a: [b, {c: d}]}\n",
    "text: |+\n  keep\n\n\nother: |2\n    indented first\n  then less\n",
};

START_TEST(ydoc_round_trip_corpus)
{
    static const unsigned flagsets[] = {0, YDOC_SORT_KEYS, YDOC_INDENT_SEQ, YDOC_SORT_GO,
                                        YDOC_NO_FOLD | YDOC_INDENT_SEQ};
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        cJSON *doc = Y(corpus[i]);
        for (size_t f = 0; f < sizeof(flagsets) / sizeof(flagsets[0]); f++) {
            char *out = emit(doc, flagsets[f]);
            struct err e = ERR_INIT;
            cJSON *back = NULL;
            int rc = ydoc_parse_one(&back, out, strlen(out), "out.yaml", &e);
            ck_assert_msg(rc == 0, "case %zu: %s\n%s", i, e.msg, out);
            ck_assert_msg(json_equal(back, doc), "case %zu flags %u:\n%s\n%s\n%s", i,
                          flagsets[f], out, J(doc), J(back));
            /* emitting is deterministic: the re-read document emits the same */
            char *again = emit(back, flagsets[f]);
            ck_assert_str_eq(again, out);
            free(again);
            cJSON_Delete(back);
            free(out);
        }
        cJSON_Delete(doc);
    }
}
END_TEST

/* Random documents built from awkward strings: emit, read back, compare. */
static const char *atoms[] = {
    "", " ", "a", "yes", "No", "0", "1.5", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\\",
    "\n", "\t", "\r", "é", "\xF0\x9F\x98\x80", "\xE2\x80\xA8", "\xC2\x85", "~", "null", "<<",
    "&", "*", "!", "|", ">", "%", "@", "`", "[", "]", "{", "}", ",", "?", "word", "two words",
    "0x1F", "2001-12-14", "1:20", "...", "---", "  ", "x ", "\xEF\xBB\xBF", "\x7F", "\x01",
    "loooooooooooooooooooooooooooooooooooooong", "\xff",
};

static unsigned rnd_state;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static char *rnd_string(void)
{
    struct buf b = BUF_INIT;
    unsigned n = rnd(8);
    for (unsigned i = 0; i < n; i++)
        buf_puts(&b, atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))]);
    return buf_detach(&b, NULL);
}

static cJSON *rnd_doc(int depth)
{
    unsigned k = rnd(depth > 4 ? 5 : 8);
    char *s;
    cJSON *j;
    switch (k) {
    case 0: return cJSON_CreateNull();
    case 1: return cJSON_CreateBool((int)rnd(2));
    case 2: return cJSON_CreateNumber((double)(int)rnd(100000) / (rnd(2) ? 1 : 64) - 500);
    case 3:
    case 4:
        s = rnd_string();
        j = cJSON_CreateString(s);
        free(s);
        return j;
    case 5:
        j = cJSON_CreateArray();
        for (unsigned i = rnd(4); i > 0; i--)
            cJSON_AddItemToArray(j, rnd_doc(depth + 1));
        return j;
    default:
        j = cJSON_CreateObject();
        for (unsigned i = rnd(5); i > 0; i--) {
            s = rnd_string();
            cJSON_DeleteItemFromObjectCaseSensitive(j, s);
            cJSON_AddItemToObject(j, s, rnd_doc(depth + 1));
            free(s);
        }
        return j;
    }
}

/* Replace invalid UTF-8 the way the emitter does, for the comparison. */
static void fix_utf8(cJSON *j)
{
    for (cJSON *c = j->child; c; c = c->next)
        fix_utf8(c);
    char *s = j->valuestring;
    if (cJSON_IsString(j) && strchr(s, '\xff')) {
        struct buf b = BUF_INIT;
        for (; *s; s++)
            buf_puts(&b, *s == '\xff' ? "\xEF\xBF\xBD" : (char[]){*s, 0});
        cJSON_SetValuestring(j, b.ptr);
        buf_release(&b);
    }
}

static int has_bad_key(const cJSON *j)
{
    for (const cJSON *c = j->child; c; c = c->next)
        if ((c->string && strchr(c->string, '\xff')) || has_bad_key(c))
            return 1;
    return 0;
}

START_TEST(ydoc_round_trip_random)
{
    rnd_state = 42;
    for (int i = 0; i < 3000; i++) {
        cJSON *doc = rnd_doc(0);
        unsigned flags = rnd(16);
        char *out = emit(doc, flags);
        struct err e = ERR_INIT;
        cJSON *back = NULL;
        int rc = ydoc_parse_one(&back, out, strlen(out), "r.yaml", &e);
        ck_assert_msg(rc == 0, "doc %d: %s\n%s\n%s", i, e.msg, J(doc), out);
        if (!has_bad_key(doc)) {
            fix_utf8(doc);
            ck_assert_msg(json_equal(back, doc), "doc %d flags %u:\n%s\n%s\n%s", i, flags, J(doc),
                          out, J(back));
        }
        cJSON_Delete(back);
        free(out);
        cJSON_Delete(doc);
    }
}
END_TEST

START_TEST(ydoc_emit_matches_libyaml)
{
    rnd_state = 7;
    int compared = 0;
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        cJSON *doc = Y(corpus[i]);
        char *mine = emit(doc, 0), *theirs = lib_emit(doc);
        ck_assert_msg(strcmp(mine, theirs) == 0, "corpus %zu:\nmine:\n%s\nlibyaml:\n%s", i, mine,
                      theirs);
        free(mine);
        free(theirs);
        cJSON_Delete(doc);
        compared++;
    }
    for (int i = 0; i < 2000; i++) {
        cJSON *doc = rnd_doc(0);
        fix_utf8(doc);
        if (!has_bad_key(doc)) {
            char *mine = emit(doc, 0), *theirs = lib_emit(doc);
            ck_assert_msg(strcmp(mine, theirs) == 0, "doc %d %s:\nmine:\n%s\nlibyaml:\n%s", i,
                          J(doc), mine, theirs);
            free(mine);
            free(theirs);
            compared++;
        }
        cJSON_Delete(doc);
    }
    ck_assert_int_gt(compared, 1500);
}
END_TEST


/* helm.md 8.4: values read from YAML and printed by toYaml. */
START_TEST(ydoc_values_to_yaml_numbers)
{
    const char *values = "a: 1\nb: 3.0\nc: 999999\nd: 1000000\ne: 1234567\nf: 1234567.5\n"
                         "g: 1.5\nh: 1.20\ni: 0.00001\nj: 123456789012345678\n";
    cJSON *v = Y(values);
    char *out = emit(v, YDOC_SORT_GO);
    ck_assert_str_eq(out, "a: 1\nb: 3\nc: 999999\nd: 1000000\ne: 1234567\nf: 1.2345675e+06\n"
                          "g: 1.5\nh: 1.2\ni: 1e-05\nj: 123456789012345680\n");
    free(out);
    cJSON_Delete(v);
}
END_TEST

START_TEST(ydoc_kubernetes_stream)
{
    const char *y = "# a manifest file\n"
                    "---\n"
                    "apiVersion: v1\n"
                    "kind: Namespace\n"
                    "metadata:\n"
                    "  name: demo # trailing comment\n"
                    "...\n"
                    "---\n"
                    "apiVersion: v1\r\n"
                    "kind: ConfigMap\r\n"
                    "data:\r\n"
                    "  script: |\r\n"
                    "    echo hi\r\n"
                    "    exit 0\r\n"
                    "  port: \"8080\"\r\n"
                    "---\n";
    struct err e = ERR_INIT;
    cJSON *docs = NULL;
    ck_assert_int_eq(ydoc_parse_all(&docs, y, strlen(y), "m.yaml", &e), 0);
    ck_assert_int_eq(cJSON_GetArraySize(docs), 2);
    ck_assert_str_eq(json_get_str(docs, "[0].metadata.name", ""), "demo");
    ck_assert_str_eq(json_get_str(docs, "[1].data.script", ""), "echo hi\nexit 0\n");
    ck_assert_str_eq(json_get_str(docs, "[1].data.port", ""), "8080");
    cJSON_Delete(docs);
}
END_TEST

START_TEST(ydoc_nul_escape_and_keys)
{
    /* cJSON strings end at NUL: "\0" cuts the string, consistently */
    expect_json("a: \"x\\0y\"\n\"<<\": merge-looking key\n",
                "{\"a\":\"x\",\"<<\":\"merge-looking key\"}");
    expect_emit("{\"<<\":1,\"a\":\"<<\"}", 0, "\"<<\": 1\na: \"<<\"\n");
}
END_TEST

static Suite *ydoc_suite(void)
{
    Suite *s = suite_create("ydoc");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ydoc_bool_spellings);
    tcase_add_test(tc, ydoc_null_forms);
    tcase_add_test(tc, ydoc_ints);
    tcase_add_test(tc, ydoc_floats);
    tcase_add_test(tc, ydoc_quoted_and_strings);
    tcase_add_test(tc, ydoc_explicit_tags);
    tcase_add_test(tc, ydoc_block_scalars);
    tcase_add_test(tc, ydoc_flow_style_and_docs);
    tcase_add_test(tc, ydoc_keys_stringified);
    tcase_add_test(tc, ydoc_duplicate_keys_last_wins);
    tcase_add_test(tc, ydoc_anchors_and_aliases);
    tcase_add_test(tc, ydoc_merge_keys);
    tcase_add_test(tc, ydoc_multi_document_stream);
    tcase_add_test(tc, ydoc_errors_located);
    tcase_add_test(tc, ydoc_depth_cap);
    tcase_add_test(tc, ydoc_billion_laughs);
    tcase_add_test(tc, ydoc_nested_anchor_copies_capped);
    tcase_add_test(tc, ydoc_many_anchors_fast);
    tcase_add_test(tc, ydoc_input_cap);
    tcase_add_test(tc, ydoc_emit_structure);
    tcase_add_test(tc, ydoc_emit_quoting);
    tcase_add_test(tc, ydoc_emit_special_characters);
    tcase_add_test(tc, ydoc_emit_block_scalars);
    tcase_add_test(tc, ydoc_emit_numbers);
    tcase_add_test(tc, ydoc_emit_folds_long_strings);
    tcase_add_test(tc, ydoc_emit_key_orders);
    tcase_add_test(tc, ydoc_round_trip_corpus);
    tcase_add_test(tc, ydoc_round_trip_random);
    tcase_add_test(tc, ydoc_emit_matches_libyaml);
    tcase_add_test(tc, ydoc_values_to_yaml_numbers);
    tcase_add_test(tc, ydoc_kubernetes_stream);
    tcase_add_test(tc, ydoc_nul_escape_and_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ydoc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
