/* hfuncs.c -- Helm's template functions.
 * toYaml goes tval -> cJSON -> ydoc_emit with go-yaml v2's key order
 * ("a2" < "a10"), which is what sigs.k8s.io/yaml.Marshal's JSON round trip
 * through go-yaml v2 amounts to.  toJson has its own writer
 * so string escaping and number forms are exactly encoding/json's.
 */
#include "helm/hfuncs.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/ydoc.h"
#include "helm/sprig.h"

#define FN(name) static int name(tmpl_call *c, int argc, tval *const *argv, tval **out)

/* ==== YAML ==================================================================== */

void hfuncs_to_yaml(const tval *v, struct buf *out)
{
    cJSON *j = tval_to_json(v);
    size_t start = out->len;
    ydoc_emit(j, YDOC_SORT_GO, out);
    cJSON_Delete(j);
    if (out->len > start && out->ptr[out->len - 1] == '\n')
        buf_truncate(out, out->len - 1);
}

FN(fn_to_yaml)
{
    (void)c;
    (void)argc;
    struct buf b = BUF_INIT;
    hfuncs_to_yaml(argv[0], &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

/* First YAML document of s as a tval (numbers float64), or an error message. */
static tval *parse_yaml(const char *s, size_t n, int want_list, struct buf *errmsg)
{
    cJSON *docs = NULL;
    struct err e = ERR_INIT;
    if (ydoc_parse_all(&docs, s, n, "yaml", &e) < 0) {
        buf_puts(errmsg, e.msg);
        return NULL;
    }
    cJSON *first = cJSON_GetArrayItem(docs, 0);
    tval *r = NULL;
    if (!first || cJSON_IsNull(first))
        r = want_list ? tval_list() : tval_map();
    else if (want_list ? cJSON_IsArray(first) : cJSON_IsObject(first))
        r = tval_from_json(first, 0);
    else
        buf_addf(errmsg, "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                 "%s into Go value of type %s", cJSON_IsArray(first) ? "array"
                 : cJSON_IsObject(first) ? "object" : cJSON_IsString(first) ? "string"
                 : cJSON_IsNumber(first) ? "number" : "bool",
                 want_list ? "[]interface {}" : "map[string]interface {}");
    cJSON_Delete(docs);
    return r;
}

static int from_doc(tmpl_call *c, tval *const *argv, tval **out, int want_list, int json)
{
    const char *s;
    size_t n;
    if (sprig_want_str(c, argv[0], &s, &n) < 0)
        return -1;
    struct buf msg = BUF_INIT;
    tval *r = NULL;
    if (json) {
        struct err e = ERR_INIT;
        if (tval_parse_json(&r, s, n, 0, &e) < 0) {
            buf_puts(&msg, e.msg);
            r = NULL;
        } else if (tval_kind(r) != (want_list ? TV_LIST : TV_MAP)) {
            buf_addf(&msg, "json: cannot unmarshal %s into Go value of type %s",
                     tval_type_name(r), want_list ? "[]interface {}" : "map[string]interface {}");
            tval_unref(r);
            r = NULL;
        }
    } else {
        r = parse_yaml(s, n, want_list, &msg);
    }
    if (!r) {
        tval *m = sprig_str_from_buf(&msg);
        if (want_list) {
            r = tval_list();
            tval_list_append(r, m);
        } else {
            r = tval_map();
            tval_map_set(r, "Error", m);
        }
    }
    buf_release(&msg);
    *out = r;
    return 0;
}

FN(fn_from_yaml) { (void)argc; return from_doc(c, argv, out, 0, 0); }
FN(fn_from_yaml_array) { (void)argc; return from_doc(c, argv, out, 1, 0); }
FN(fn_from_json) { (void)argc; return from_doc(c, argv, out, 0, 1); }
FN(fn_from_json_array) { (void)argc; return from_doc(c, argv, out, 1, 1); }

/* ==== JSON ====================================================================== */

/* Length of the valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c0 = s[0];
    size_t need = c0 >= 0xF0 && c0 <= 0xF4 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC2 ? 2 : 0;
    if (c0 >= 0xF5 || need == 0 || need > n)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (need == 3 && ((c0 == 0xE0 && s[1] < 0xA0) || (c0 == 0xED && s[1] >= 0xA0)))
        return 0;
    if (need == 4 && ((c0 == 0xF0 && s[1] < 0x90) || (c0 == 0xF4 && s[1] >= 0x90)))
        return 0;
    return need;
}

static void json_str(const char *s, size_t n, int html, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char ch = p[i];
        if (ch >= 0x80) {
            size_t w = utf8_len(p + i, n - i);
            if (w == 0) {
                buf_puts(out, "\\ufffd");
                i++;
            } else if (w == 3 && ch == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] & 0xFE) == 0xA8) {
                buf_addf(out, "\\u202%c", p[i + 2] == 0xA8 ? '8' : '9');
                i += 3;
            } else {
                buf_add(out, s + i, w);
                i += w;
            }
            continue;
        }
        i++;
        switch (ch) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        default:
            if (ch < 0x20 || (html && (ch == '<' || ch == '>' || ch == '&')))
                buf_addf(out, "\\u%04x", ch);
            else
                buf_putc(out, (char)ch);
        }
    }
    buf_putc(out, '"');
}

static void json_nl(struct buf *out, int indent, int depth)
{
    if (!indent)
        return;
    buf_putc(out, '\n');
    for (int i = 0; i < depth * indent; i++)
        buf_putc(out, ' ');
}

static int json_val(const tval *v, int indent, int html, int depth, struct buf *out);

static int json_container(const tval *v, int indent, int html, int depth, struct buf *out)
{
    int is_map = tval_kind(v) == TV_MAP;
    size_t n = is_map ? tval_map_len(v) : tval_list_len(v);
    buf_putc(out, is_map ? '{' : '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        json_nl(out, indent, depth + 1);
        const tval *e = is_map ? tval_map_val_at(v, i) : tval_list_at(v, i);
        if (is_map) {
            const char *k = tval_map_key_at(v, i);
            json_str(k, strlen(k), html, out);
            buf_puts(out, indent ? ": " : ":");
        }
        if (json_val(e, indent, html, depth + 1, out) < 0)
            return -1;
    }
    if (n)
        json_nl(out, indent, depth);
    buf_putc(out, is_map ? '}' : ']');
    return 0;
}

static int json_val(const tval *v, int indent, int html, int depth, struct buf *out)
{
    if (depth > 100)
        return -1;
    switch (tval_kind(v)) {
    case TV_NIL:
        buf_puts(out, "null");
        return 0;
    case TV_BOOL:
        buf_puts(out, tval_get_bool(v) ? "true" : "false");
        return 0;
    case TV_INT:
        buf_addf(out, "%lld", (long long)tval_get_int(v));
        return 0;
    case TV_FLOAT: {
        double d = tval_get_float(v);
        if (isnan(d) || isinf(d))
            return -1;
        json_format_number(d, JSON_NUM_JSON, out);
        return 0;
    }
    case TV_STRING:
        json_str(tval_get_str(v), tval_strlen(v), html, out);
        return 0;
    case TV_LIST:
    case TV_MAP:
        return json_container(v, indent, html, depth, out);
    default:
        buf_puts(out, "{}");
        return 0;
    }
}

int hfuncs_to_json(const tval *v, int indent, int html, struct buf *out)
{
    size_t start = out->len;
    if (json_val(v, indent, html, 0, out) < 0) {
        buf_truncate(out, start);
        return -1;
    }
    return 0;
}

static int to_json(tval *const *argv, tval **out, int indent, int html)
{
    struct buf b = BUF_INIT;
    hfuncs_to_json(argv[0], indent, html, &b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_to_json) { (void)c; (void)argc; return to_json(argv, out, 0, 1); }
FN(fn_to_raw_json) { (void)c; (void)argc; return to_json(argv, out, 0, 0); }
FN(fn_to_pretty_json) { (void)c; (void)argc; return to_json(argv, out, 2, 1); }

/* ==== templates ===================================================================== */

FN(fn_include)
{
    (void)argc;
    const char *name;
    if (sprig_want_str(c, argv[0], &name, NULL) < 0)
        return -1;
    struct buf b = BUF_INIT;
    if (tmpl_call_include(c, name, argv[1], &b) < 0) {
        buf_release(&b);
        return -1;
    }
    *out = sprig_str_from_buf(&b);
    return 0;
}

static void strip_no_value(struct buf *b)
{
    static const char nv[] = "<no value>";
    char *w = b->ptr, *r = b->ptr, *end = b->ptr + b->len;
    while (r < end) {
        if ((size_t)(end - r) >= sizeof nv - 1 && !memcmp(r, nv, sizeof nv - 1)) {
            r += sizeof nv - 1;
            continue;
        }
        *w++ = *r++;
    }
    buf_truncate(b, (size_t)(w - b->ptr));
}

FN(fn_tpl)
{
    (void)argc;
    const char *text;
    size_t n;
    if (sprig_want_str(c, argv[0], &text, &n) < 0)
        return -1;
    if (tval_kind(argv[1]) != TV_MAP)
        return tmpl_call_errorf(c, "wrong type for value; expected chartutil.Values; got %s",
                                tval_type_name(argv[1]));
    const tval *t = tval_map_get(argv[1], "Template");
    const tval *name = t && tval_kind(t) == TV_MAP ? tval_map_get(t, "Name") : NULL;
    if (!name || tval_kind(name) != TV_STRING)
        return tmpl_call_errorf(c, "cannot retrieve Template.Name from values inside tpl "
                                "function: %s", text);
    struct buf b = BUF_INIT;
    if (tmpl_call_tpl(c, tval_get_str(name), text, n, argv[1], &b) < 0) {
        buf_release(&b);
        return -1;
    }
    strip_no_value(&b);
    *out = sprig_str_from_buf(&b);
    return 0;
}

FN(fn_required)
{
    (void)argc;
    const char *msg;
    if (sprig_want_str(c, argv[0], &msg, NULL) < 0)
        return -1;
    if (tval_kind(argv[1]) == TV_NIL ||
        (tval_kind(argv[1]) == TV_STRING && tval_strlen(argv[1]) == 0))
        return tmpl_call_errorf(c, "%s", msg);
    *out = tval_ref(argv[1]);
    return 0;
}

FN(fn_fail)
{
    (void)argc;
    const char *msg;
    if (sprig_want_str(c, argv[0], &msg, NULL) < 0)
        return -1;
    (void)out;
    return tmpl_call_errorf(c, "%s", msg);
}

FN(fn_lookup)
{
    for (int i = 0; i < argc; i++)
        if (sprig_want_str(c, argv[i], &(const char *){0}, NULL) < 0)
            return -1;
    *out = tval_map();
    return 0;
}

FN(fn_host_by_name)
{
    (void)argc;
    if (sprig_want_str(c, argv[0], &(const char *){0}, NULL) < 0)
        return -1;
    *out = tval_str("");
    return 0;
}

struct hdef {
    const char *name;
    tmpl_fn fn;
    int min, max;
};

static const struct hdef helm_funcs[] = {
    {"toYaml", fn_to_yaml, 1, 1}, {"mustToYaml", fn_to_yaml, 1, 1},
    {"fromYaml", fn_from_yaml, 1, 1}, {"fromYamlArray", fn_from_yaml_array, 1, 1},
    {"toJson", fn_to_json, 1, 1}, {"mustToJson", fn_to_json, 1, 1},
    {"toRawJson", fn_to_raw_json, 1, 1}, {"mustToRawJson", fn_to_raw_json, 1, 1},
    {"toPrettyJson", fn_to_pretty_json, 1, 1}, {"mustToPrettyJson", fn_to_pretty_json, 1, 1},
    {"fromJson", fn_from_json, 1, 1}, {"fromJsonArray", fn_from_json_array, 1, 1},
    {"include", fn_include, 2, 2}, {"tpl", fn_tpl, 2, 2}, {"required", fn_required, 2, 2},
    {"fail", fn_fail, 1, 1}, {"lookup", fn_lookup, 4, 4},
    {"getHostByName", fn_host_by_name, 1, 1},
};

void hfuncs_register(tmpl_set *s)
{
    for (size_t i = 0; i < sizeof helm_funcs / sizeof helm_funcs[0]; i++)
        tmpl_set_func(s, helm_funcs[i].name, helm_funcs[i].fn, helm_funcs[i].min,
                      helm_funcs[i].max, NULL);
}

static tmpl_set *base_set;
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void base_init(void)
{
    base_set = tmpl_set_new();
    sprig_register(base_set);
    hfuncs_register(base_set);
}

const tmpl_set *hfuncs_base(void)
{
    pthread_once(&base_once, base_init);
    return base_set;
}
