/* sprig_test.c -- Sprig and Helm functions, table-driven: template, JSON data
 * (numbers are float64, as in Helm's values), expected output or a piece of
 * the expected error.  Expected outputs are what Go + Sprig v3 + Helm print.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helm/hfuncs.h"
#include "helm/sprig.h"
#include "helm/tmpl.h"

struct tcase {
    const char *tpl, *data, *want, *err;
};

static const struct tcase cases[] = {
    /* strings */
    {"{{ \"  hi \\n\" | trim }}", "{}", "hi", NULL},
    {"{{ trimAll \"$\" \"$5.00$\" }}", "{}", "5.00", NULL},
    {"{{ trimPrefix \"-\" \"-x-\" }}|{{ trimSuffix \"-\" \"-x-\" }}", "{}", "x-|-x", NULL},
    {"{{ upper \"héllo\" }} {{ lower \"ABC\" }}", "{}", "HéLLO abc", NULL},
    {"{{ title \"hello world-foo bar_baz\" }}", "{}", "Hello World-Foo Bar_baz", NULL},
    {"{{ trunc 5 \"hello world\" }}|{{ trunc -5 \"hello world\" }}|{{ trunc 63 \"abc\" }}", "{}",
     "hello|world|abc", NULL},
    {"{{ .name | trunc 3 | trimSuffix \"-\" }}", "{\"name\":\"ab-cd\"}", "ab", NULL},
    {"{{ replace \"a\" \"b\" \"banana\" }}", "{}", "bbnbnb", NULL},
    {"{{ contains \"cat\" \"catch\" }} {{ hasPrefix \"ca\" \"cat\" }} {{ hasSuffix \"x\" \"cat\" }}",
     "{}", "true true false", NULL},
    {"{{ quote \"a\\\"b\" }}{{ quote .missing }}|{{ quote 1 \"x\" }}|{{ squote \"x\" }}", "{}",
     "\"a\\\"b\"|\"1\" \"x\"|'x'", NULL},
    {"{{ quote .n }}", "{\"n\":1000000}", "\"1e+06\"", NULL},
    {"{{ indent 2 \"a\\n\\nb\" }}|{{ nindent 2 \"a\" }}", "{}", "  a\n  \n  b|\n  a", NULL},
    {"{{ nospace \" a b\\tc \" }}{{ repeat 3 \"ab\" }}", "{}", "abcababab", NULL},
    {"{{ substr 1 3 \"hello\" }}|{{ substr 2 -1 \"hello\" }}", "{}", "el|llo", NULL},
    {"{{ splitList \",\" \"a,b,,c\" }} {{ (split \"$\" \"a$b\")._1 }}", "{}", "[a b  c] b", NULL},
    {"{{ join \"-\" (list \"a\" 1 nil \"b\") }} {{ join \",\" .s }}", "{\"s\":[\"x\",2.5]}",
     "a-1-b x,2.5", NULL},
    {"{{ cat \"a\" 1 nil \"b\" }}", "{}", "a 1 b", NULL},
    {"{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }} {{ b64dec \"!!\" }}", "{}",
     "aGVsbG8= hello illegal base64 data at input byte 0", NULL},
    {"{{ sha256sum \"abc\" }}", "{}",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", NULL},
    {"{{ sha256sum \"\" }}", "{}",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL},
    {"{{ regexMatch \"^[a-z]+\\\\d$\" \"abc1\" }} {{ regexMatch \"^x\" \"abc\" }}", "{}",
     "true false", NULL},
    {"{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}", "{}", "-W-xxW-", NULL},
    {"{{ regexReplaceAll \"a*\" \"baaac\" \"X\" }}", "{}", "XbXcX", NULL},
    {"{{ regexReplaceAllLiteral \"a(x)\" \"ax\" \"$1\" }}", "{}", "$1", NULL},
    {"{{ regexFind \"[0-9]+\" \"abc123def456\" }} {{ regexFindAll \"[0-9]+\" \"a1b22c333\" -1 }}",
     "{}", "123 [1 22 333]", NULL},
    {"{{ regexFindAll \"[0-9]\" \"12345\" 2 }}", "{}", "[1 2]", NULL},
    {"{{ toString 3 }} {{ toString .f }} {{ toString .b }}", "{\"f\":1000000,\"b\":true}",
     "3 1e+06 true", NULL},
    /* defaults and flow */
    {"{{ default \"x\" .missing }} {{ default \"x\" \"\" }} {{ default 3 0 }} {{ default \"x\" \"y\" }}",
     "{}", "x x 3 y", NULL},
    {"{{ default \"d\" false }} {{ default \"d\" .l }} {{ .z | default \"dz\" }}", "{\"l\":[]}",
     "d d dz", NULL},
    {"{{ empty (list) }} {{ empty 0.0 }} {{ empty \"a\" }} {{ empty .m }}", "{\"m\":{}}",
     "true true false true", NULL},
    {"{{ coalesce \"\" 0 .nope \"x\" \"y\" }}", "{}", "x", NULL},
    {"{{ ternary \"a\" \"b\" true }} {{ false | ternary \"a\" \"b\" }}", "{}", "a b", NULL},
    {"{{ fail \"boom\" }}", "{}", NULL, "boom"},
    {"{{ required \"need x\" .x }}", "{}", NULL, "need x"},
    {"{{ required \"need x\" .x }}", "{\"x\":\"\"}", NULL, "need x"},
    {"{{ required \"need x\" .x }}", "{\"x\":0}", "0", NULL},
    /* lists */
    {"{{ list 1 2 3 | first }} {{ last (list 1 2 3) }} {{ rest (list 1 2 3) }} "
     "{{ initial (list 1 2 3) }}", "{}", "1 3 [2 3] [1 2]", NULL},
    {"{{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ has 2 (list 1 2) }} "
     "{{ has 3 (list 1 2) }}", "{}", "[1 2] [0 1] true false", NULL},
    {"{{ uniq (list 1 1 2 1) }} {{ without (list 1 2 3 2) 2 }} {{ compact (list \"a\" \"\" 0 \"b\") }}",
     "{}", "[1 2] [1 3] [a b]", NULL},
    {"{{ sortAlpha (list \"b\" \"a\" \"C\") }} {{ until 3 }} {{ untilStep 0 10 3 }}", "{}",
     "[C a b] [0 1 2] [0 3 6 9]", NULL},
    {"{{ concat (list 1) (list 2 3) }} {{ reverse (list 1 2 3) }} {{ first (list) }}", "{}",
     "[1 2 3] [3 2 1] <no value>", NULL},
    {"{{ first \"x\" }}", "{}", NULL, "Cannot find first on type string"},
    /* dicts */
    {"{{ $d := dict \"a\" 1 \"b\" 2 }}{{ get $d \"a\" }}[{{ get $d \"z\" }}]{{ hasKey $d \"b\" }}",
     "{}", "1[]true", NULL},
    {"{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ $d }}", "{}",
     "map[b:2]", NULL},
    {"{{ $_ := set .v \"added\" 1 }}{{ .v.added }}", "{\"v\":{}}", "1", NULL},
    {"{{ keys (dict \"b\" 1 \"a\" 2) | sortAlpha }} {{ values (dict \"b\" 1 \"a\" 2) }}", "{}",
     "[a b] [2 1]", NULL},
    {"{{ pick (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\" }} {{ omit (dict \"a\" 1 \"b\" 2) \"a\" }}",
     "{}", "map[a:1 c:3] map[b:2]", NULL},
    {"{{ $a := dict \"x\" 1 \"y\" (dict \"p\" 1) \"e\" \"\" }}"
     "{{ $b := dict \"x\" 2 \"z\" 3 \"y\" (dict \"q\" 2) \"e\" \"f\" }}{{ merge $a $b | toJson }}",
     "{}", "{\"e\":\"f\",\"x\":1,\"y\":{\"p\":1,\"q\":2},\"z\":3}", NULL},
    {"{{ $a := dict \"x\" 1 \"y\" (dict \"p\" 1) }}{{ $b := dict \"x\" 2 \"y\" (dict \"q\" 2) }}"
     "{{ mergeOverwrite $a $b | toJson }}", "{}", "{\"x\":2,\"y\":{\"p\":1,\"q\":2}}", NULL},
    {"{{ $c := deepCopy .m }}{{ $_ := set $c \"a\" 9 }}{{ .m.a }}", "{\"m\":{\"a\":1}}", "1", NULL},
    {"{{ dig \"a\" \"b\" \"def\" .m }} {{ dig \"a\" \"x\" \"def\" .m }}",
     "{\"m\":{\"a\":{\"b\":\"v\"}}}", "v def", NULL},
    /* math */
    {"{{ add 1 2 3 }} {{ add1 1 }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }}", "{}",
     "6 2 3 24 3 1", NULL},
    {"{{ max 1 5 3 }} {{ min 4 2 }} {{ floor 1.5 }} {{ ceil 1.2 }} {{ round 1.2345 2 }}", "{}",
     "5 2 1 2 1.23", NULL},
    {"{{ add 1 .f }} {{ typeOf (add 1 1) }}", "{\"f\":1.5}", "2 int64", NULL},
    {"{{ div 1 0 }}", "{}", NULL, "integer divide by zero"},
    /* conversion */
    {"{{ int \"12\" }} {{ int 3.7 }} {{ int64 .f }} {{ float64 \"1.5\" }} {{ atoi \"42\" }}",
     "{\"f\":1.9}", "12 3 1 1.5 42", NULL},
    {"{{ int .n }}", "{\"n\":1000000}", "1000000", NULL},
    {"{{ toStrings (list 1 \"a\") }} {{ kindOf .x }} {{ kindIs \"map\" .m }} {{ typeOf (list) }}",
     "{\"x\":1,\"m\":{}}", "[1 a] float64 true []interface {}", NULL},
    {"{{ typeOf 1 }} {{ typeIs \"string\" \"a\" }} {{ kindOf .nope }}", "{}",
     "int true invalid", NULL},
    {"{{ upper 1 }}", "{}", NULL, "expected string; got int"},
    {"{{ trunc .n \"abc\" }}", "{\"n\":2}", NULL, "expected int; got float64"},
    /* semver */
    {"{{ semverCompare \">=1.19-0\" \"v1.28.3-gke.100\" }} "
     "{{ semverCompare \">=1.19\" \"v1.28.3-gke.100\" }}", "{}", "true false", NULL},
    {"{{ semverCompare \"^1.2\" \"1.9.0\" }} {{ semverCompare \"~1.2.3\" \"1.3.0\" }} "
     "{{ semverCompare \"1.x || >=3\" \"3.1.0\" }} {{ semverCompare \"1.2 - 1.4\" \"1.4.5\" }}",
     "{}", "true false true true", NULL},
    {"{{ semverCompare \">=1.2.0, <2\" \"2.0.0\" }} {{ semverCompare \"!=1.2.3\" \"1.2.4\" }}",
     "{}", "false true", NULL},
    {"{{ (semver \"v1.2.3-rc.1\").Minor }} {{ semver \"1.2\" }}", "{}", "2 1.2.0", NULL},
    {"{{ semverCompare \"bad constraint\" \"1.0.0\" }}", "{}", NULL, "improper constraint"},
    /* Helm's functions */
    {"{{ toYaml .m }}", "{\"m\":{\"b\":[1,\"x\"],\"a\":\"1.0\",\"c\":{},\"d\":\"true\"}}",
     "a: \"1.0\"\nb:\n- 1\n- x\nc: {}\nd: \"true\"", NULL},
    /* go-yaml v2 key order (sorted.go), not bytewise: numbers inside keys by value,
     * non-letters before letters; nested maps too */
    {"{{ toYaml .m }}", "{\"m\":{\"a10\":1,\"a2\":2,\"b\":3,\"_c\":4,\"B\":5,"
     "\"nest\":{\"x10y\":1,\"x9y\":2}}}",
     "_c: 4\nB: 5\na2: 2\na10: 1\nb: 3\nnest:\n  x9y: 2\n  x10y: 1", NULL},
    {"{{ toYaml .n }}|{{ toYaml .nope }}|{{ toYaml .s }}", "{\"n\":1000000,\"s\":\"a\\nb\"}",
     "1000000|null||-\n  a\n  b", NULL},
    {"{{ toJson .m }}", "{\"m\":{\"b\":\"<&>\",\"a\":1.5,\"c\":[true,null]}}",
     "{\"a\":1.5,\"b\":\"\\u003c\\u0026\\u003e\",\"c\":[true,null]}", NULL},
    {"{{ toPrettyJson .m }}", "{\"m\":{\"a\":1,\"b\":[]}}", "{\n  \"a\": 1,\n  \"b\": []\n}",
     NULL},
    {"{{ (fromYaml \"a: 1\\nb: [x]\").b }} {{ typeOf (fromYaml \"a: 1\").a }}", "{}",
     "[x] float64", NULL},
    {"{{ hasKey (fromYaml \"- a\") \"Error\" }} {{ (fromJson \"{\\\"a\\\":[1]}\").a }}", "{}",
     "true [1]", NULL},
    {"{{ define \"x\" }}X{{ . }}{{ end }}{{ include \"x\" 1 | lower }}", "{}", "x1", NULL},
    {"{{ tpl \"{{ .a }}-{{ .nope }}\" . }}", "{\"a\":\"v\",\"Template\":{\"Name\":\"t\"}}", "v-",
     NULL},
    {"{{ lookup \"v1\" \"Secret\" \"ns\" \"n\" | len }}", "{}", "0", NULL},
    {"{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}", "{}", NULL,
     "error calling include"},
    {"{{ nosuchfunc 1 }}", "{}", NULL, "nosuchfunc"},
};

static int run_case(const struct tcase *tc, struct buf *out, struct err *err)
{
    tmpl_set *s = tmpl_set_new();
    tmpl_set_missingkey(s, TMPL_MISSING_ZERO);
    sprig_register(s);
    hfuncs_register(s);
    tval *data = NULL;
    int rc = tval_parse_json(&data, tc->data, strlen(tc->data), 0, err);
    ck_assert_int_eq(rc, 0);
    rc = tmpl_set_parse(s, "t", tc->tpl, strlen(tc->tpl), err);
    if (rc == 0)
        rc = tmpl_set_exec(s, "t", data, out, err);
    tval_unref(data);
    tmpl_set_free(s);
    return rc;
}

START_TEST(sprig_table)
{
    const struct tcase *tc = &cases[_i];
    struct buf out = BUF_INIT;
    struct err err = ERR_INIT;
    int rc = run_case(tc, &out, &err);
    if (tc->err) {
        ck_assert_msg(rc < 0, "case %d (%s): expected error '%s', got '%s'", _i, tc->tpl, tc->err,
                      out.ptr);
        ck_assert_msg(strstr(err.msg, tc->err), "case %d (%s): error '%s' lacks '%s'", _i,
                      tc->tpl, err.msg, tc->err);
    } else {
        ck_assert_msg(rc == 0, "case %d (%s): error %s", _i, tc->tpl, err.msg);
        ck_assert_msg(!strcmp(out.ptr, tc->want), "case %d (%s):\n got '%s'\nwant '%s'", _i,
                      tc->tpl, out.ptr, tc->want);
    }
    buf_release(&out);
}
END_TEST

START_TEST(sprig_sha256_long)
{
    /* 1,000,000 x 'a' (FIPS 180-2 test vector) */
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    char hex[65];
    sprig_sha256_hex(a, 1000000, hex);
    free(a);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    sprig_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(sprig_empty_rules)
{
    tval *v = tval_int(0);
    ck_assert(sprig_empty(v));
    tval_unref(v);
    v = tval_str("0");
    ck_assert(!sprig_empty(v));
    tval_unref(v);
    v = tval_map();
    ck_assert(sprig_empty(v));
    tval_map_set(v, "a", tval_nil());
    ck_assert(!sprig_empty(v));
    tval_unref(v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sprig");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, sprig_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, sprig_sha256_long);
    tcase_add_test(tc, sprig_empty_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
