/* kvalid.c -- validation entry point, field errors, syntax checks shared by
 * every type, and object metadata (see kvalid.h).  The wording follows
 * k8s.io/apimachinery/pkg/util/validation (1.32); the per-type rules live in
 * kvalid_types.c. */
#include "kvalid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "kvalid_int.h"

#define RE_LABEL "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define MSG_LABEL "a lowercase RFC 1123 label must consist of lower case alphanumeric " \
    "characters or '-', and must start and end with an alphanumeric character (e.g. " \
    "'my-name',  or '123-abc', regex used for validation is '" RE_LABEL "')"
#define MSG_SUBDOMAIN "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. " \
    "'example.com', regex used for validation is '" RE_LABEL "(\\." RE_LABEL ")*')"
#define MSG_DNS1035 "a DNS-1035 label must consist of lower case alphanumeric characters or " \
    "'-', start with an alphabetic character, and end with an alphanumeric character (e.g. " \
    "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define RE_QNAME "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define MSG_QNAME "name part must consist of alphanumeric characters, '-', '_' or '.', and " \
    "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " \
    "'123-abc', regex used for validation is '" RE_QNAME "')"
#define MSG_LABEL_VALUE "a valid label must be an empty string or consist of alphanumeric " \
    "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. " \
    "'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" RE_QNAME ")?')"
#define ANNOTATIONS_MAX 262144

void kvalid__fld(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, KV_FLD, fmt, ap);
    va_end(ap);
}

/* ---- field errors ------------------------------------------------------------------------ */

static void add_cause(struct kv *v, const char *reason, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_cause(struct kv *v, const char *reason, const char *field, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    const cJSON *c;
    cJSON_ArrayForEach(c, v->causes)    /* the real server drops repeated errors */
        if (!strcmp(json_get_str(c, "field", ""), field) &&
            !strcmp(json_get_str(c, "message", ""), b.ptr)) {
            buf_release(&b);
            return;
        }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reason", reason);
    cJSON_AddStringToObject(o, "message", b.ptr);
    cJSON_AddStringToObject(o, "field", field);
    cJSON_AddItemToArray(v->causes, o);
    buf_release(&b);
}

static const char *sep(const char *detail) { return detail && *detail ? ": " : ""; }
static const char *txt(const char *detail) { return detail ? detail : ""; }

void kvalid__required(struct kv *v, const char *field, const char *detail)
{
    add_cause(v, "FieldValueRequired", field, "Required value%s%s", sep(detail), txt(detail));
}

void kvalid__invalid(struct kv *v, const char *field, const char *value, const char *detail)
{
    add_cause(v, "FieldValueInvalid", field, "Invalid value: %s%s%s", value, sep(detail),
              txt(detail));
}

void kvalid__invalid_str(struct kv *v, const char *field, const char *s, const char *detail)
{
    struct buf b = BUF_INIT;
    kvalid__go_quote(&b, s);
    kvalid__invalid(v, field, b.ptr, detail);
    buf_release(&b);
}

void kvalid__invalid_int(struct kv *v, const char *field, long long n, const char *detail)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", n);
    kvalid__invalid(v, field, num, detail);
}

void kvalid__unsupported(struct kv *v, const char *field, const char *s,
                         const char *const *supported)
{
    struct buf b = BUF_INIT;
    kvalid__go_quote(&b, s);
    buf_puts(&b, ": supported values: ");
    for (size_t i = 0; supported[i]; i++) {
        buf_puts(&b, i ? ", " : "");
        kvalid__go_quote(&b, supported[i]);
    }
    add_cause(v, "FieldValueNotSupported", field, "Unsupported value: %s", b.ptr);
    buf_release(&b);
}

void kvalid__duplicate(struct kv *v, const char *field, const char *s)
{
    struct buf b = BUF_INIT;
    kvalid__go_quote(&b, s);
    add_cause(v, "FieldValueDuplicate", field, "Duplicate value: %s", b.ptr);
    buf_release(&b);
}

void kvalid__forbidden(struct kv *v, const char *field, const char *detail)
{
    add_cause(v, "FieldValueForbidden", field, "Forbidden%s%s", sep(detail), txt(detail));
}

/* ---- values -------------------------------------------------------------------------------- */

const char *kvalid__str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A JSON value as the message shows a value of the wrong type. */
static void wrong_type(struct kv *v, const char *field, const cJSON *val, const char *want)
{
    struct buf b = BUF_INIT;
    if (cJSON_IsString(val))
        kvalid__go_quote(&b, val->valuestring);
    else
        json_print(val, 0, &b);
    char detail[64];
    snprintf(detail, sizeof(detail), "must be %s", want);
    kvalid__invalid(v, field, b.ptr, detail);
    buf_release(&b);
}

int kvalid__int(struct kv *v, const cJSON *o, const char *key, const char *field,
                long long *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!n || cJSON_IsNull(n))
        return 0;
    if (!cJSON_IsNumber(n) || !(n->valuedouble >= -9e15 && n->valuedouble <= 9e15) ||
        n->valuedouble != (double)(long long)n->valuedouble) {
        wrong_type(v, field, n, "an integer");
        return -1;
    }
    *out = (long long)n->valuedouble;
    return 1;
}

const cJSON *kvalid__obj(struct kv *v, const cJSON *o, const char *key, const char *field)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x || cJSON_IsNull(x))
        return NULL;
    if (!cJSON_IsObject(x)) {
        wrong_type(v, field, x, "an object");
        return NULL;
    }
    return x;
}

const cJSON *kvalid__arr(struct kv *v, const cJSON *o, const char *key, const char *field)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x || cJSON_IsNull(x))
        return NULL;
    if (!cJSON_IsArray(x)) {
        wrong_type(v, field, x, "a list");
        return NULL;
    }
    return x;
}

void kvalid__go_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\r': buf_puts(b, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                buf_addf(b, "\\x%02x", *p);
            else
                buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The members of an object sorted by key (fmt prints maps sorted); caller frees. */
static const cJSON **sorted_items(const cJSON *map, size_t *n)
{
    size_t cap = 0;
    const cJSON *it, **list = NULL;
    *n = 0;
    cJSON_ArrayForEach(it, map)
    {
        XGROW(list, cap, *n + 1);
        list[(*n)++] = it;
    }
    if (*n > 1)
        qsort(list, *n, sizeof(*list), cmp_key);
    return list;
}

void kvalid__go_strmap(struct buf *b, const cJSON *map)
{
    if (!cJSON_IsObject(map)) {
        buf_puts(b, "map[string]string(nil)");
        return;
    }
    size_t n;
    const cJSON **items = sorted_items(map, &n);
    buf_puts(b, "map[string]string{");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ", " : "");
        kvalid__go_quote(b, items[i]->string);
        buf_putc(b, ':');
        kvalid__go_quote(b, cJSON_IsString(items[i]) ? items[i]->valuestring : "");
    }
    buf_putc(b, '}');
    free(items);
}

/* ---- syntax ------------------------------------------------------------------------------- */

static int is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) (first_alpha: [a-z] first). */
static int label_re(const char *s, size_t n, int first_alpha)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return 0;
    if (first_alpha && !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return 0;
    return 1;
}

static int subdomain_re(const char *s)
{
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (!label_re(s, n, 0))
            return 0;
        if (!dot)
            return 1;
        s = dot + 1;
    }
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int qname_re(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
            return 0;
    return 1;
}

static void max_len(struct kv *v, const char *field, const char *s, size_t max)
{
    char msg[64];
    snprintf(msg, sizeof(msg), "must be no more than %zu characters", max);
    if (strlen(s) > max)
        kvalid__invalid_str(v, field, s, msg);
}

void kvalid__dns_label(struct kv *v, const char *field, const char *s)
{
    max_len(v, field, s, 63);
    if (!label_re(s, strlen(s), 0))
        kvalid__invalid_str(v, field, s, MSG_LABEL);
}

void kvalid__dns_subdomain(struct kv *v, const char *field, const char *s)
{
    max_len(v, field, s, 253);
    if (!subdomain_re(s))
        kvalid__invalid_str(v, field, s, MSG_SUBDOMAIN);
}

static void dns1035_label(struct kv *v, const char *field, const char *s)
{
    max_len(v, field, s, 63);
    if (!label_re(s, strlen(s), 1))
        kvalid__invalid_str(v, field, s, MSG_DNS1035);
}

void kvalid__path_segment(struct kv *v, const char *field, const char *s)
{
    if (!strcmp(s, ".") || !strcmp(s, ".."))
        kvalid__invalid_str(v, field, s, !strcmp(s, ".") ? "may not be '.'" : "may not be '..'");
    if (strchr(s, '/'))
        kvalid__invalid_str(v, field, s, "may not contain '/'");
    if (strchr(s, '%'))
        kvalid__invalid_str(v, field, s, "may not contain '%'");
}

void kvalid__port_name(struct kv *v, const char *field, const char *s)
{
    size_t n = strlen(s);
    int letter = 0, ok = n > 0;
    for (size_t i = 0; i < n; i++) {
        letter |= s[i] >= 'a' && s[i] <= 'z';
        ok &= is_lower_alnum(s[i]) || s[i] == '-';
    }
    max_len(v, field, s, 15);
    if (!ok)
        kvalid__invalid_str(v, field, s, "must contain only alpha-numeric characters (a-z, "
                            "0-9), and hyphens (-)");
    if (!letter)
        kvalid__invalid_str(v, field, s, "must contain at least one letter (a-z)");
    if (strstr(s, "--"))
        kvalid__invalid_str(v, field, s, "must not contain consecutive hyphens");
    if (n && (s[0] == '-' || s[n - 1] == '-'))
        kvalid__invalid_str(v, field, s, "must not begin or end with a hyphen");
}

void kvalid__port_num(struct kv *v, const char *field, long long n)
{
    if (n < 1 || n > 65535)
        kvalid__invalid_int(v, field, n, "must be between 1 and 65535, inclusive");
}

/* IsQualifiedName: [prefix/]name; errors reported against field with value key. */
static void qualified_name(struct kv *v, const char *field, const char *key)
{
    const char *slash = strchr(key, '/');
    const char *name = slash ? slash + 1 : key;
    if (slash && strchr(name, '/')) {
        kvalid__invalid_str(v, field, key, "a qualified name must consist of alphanumeric "
                            "characters, '-', '_' or '.', and must start and end with an "
                            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                            "'123-abc', regex used for validation is '" RE_QNAME "') with an "
                            "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        return;
    }
    if (slash) {
        char *prefix = xstrndup(key, (size_t)(slash - key));
        if (!*prefix)
            kvalid__invalid_str(v, field, key, "prefix part must be non-empty");
        else if (strlen(prefix) > 253)
            kvalid__invalid_str(v, field, key, "prefix part must be no more than 253 characters");
        else if (!subdomain_re(prefix))
            kvalid__invalid_str(v, field, key, "prefix part " MSG_SUBDOMAIN);
        free(prefix);
    }
    if (!*name)
        kvalid__invalid_str(v, field, key, "name part must be non-empty");
    else if (strlen(name) > 63)
        kvalid__invalid_str(v, field, key, "name part must be no more than 63 characters");
    if (*name && !qname_re(name))
        kvalid__invalid_str(v, field, key, MSG_QNAME);
}

void kvalid__labels(struct kv *v, const char *field, const cJSON *labels)
{
    const cJSON *l;
    if (labels && !cJSON_IsObject(labels)) {
        kvalid__invalid(v, field, "<non-map>", "must be a map of strings");
        return;
    }
    cJSON_ArrayForEach(l, labels)
    {
        qualified_name(v, field, l->string);
        if (!cJSON_IsString(l)) {
            wrong_type(v, field, l, "a string");
            continue;
        }
        max_len(v, field, l->valuestring, 63);
        if (*l->valuestring && !qname_re(l->valuestring))
            kvalid__invalid_str(v, field, l->valuestring, MSG_LABEL_VALUE);
    }
}

void kvalid__annotations(struct kv *v, const char *field, const cJSON *annotations)
{
    const cJSON *a;
    size_t total = 0;
    if (annotations && !cJSON_IsObject(annotations)) {
        kvalid__invalid(v, field, "<non-map>", "must be a map of strings");
        return;
    }
    cJSON_ArrayForEach(a, annotations)
    {
        char *lower = xstrdup(a->string);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        qualified_name(v, field, lower);
        free(lower);
        total += strlen(a->string) + (cJSON_IsString(a) ? strlen(a->valuestring) : 0);
        if (!cJSON_IsString(a))
            wrong_type(v, field, a, "a string");
    }
    if (total > ANNOTATIONS_MAX)
        add_cause(v, "FieldValueTooLong", field, "Too long: may not be more than %d bytes",
                  ANNOTATIONS_MAX);
}

/* ---- label selectors ----------------------------------------------------------------------- */

static void selector_requirement(struct kv *v, const char *field, const cJSON *req)
{
    char f[KV_FLD];
    const char *op = kvalid__str(req, "operator");
    const char *key = kvalid__str(req, "key");
    kvalid__fld(f, "%s.values", field);
    const cJSON *values = kvalid__arr(v, req, "values", f);
    int nvalues = cJSON_GetArraySize(values);
    if (op && (!strcmp(op, "In") || !strcmp(op, "NotIn"))) {
        if (nvalues == 0)
            kvalid__required(v, f, "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op && (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist"))) {
        if (nvalues > 0)
            kvalid__forbidden(v, f, "may not be specified when `operator` is 'Exists' or "
                              "'DoesNotExist'");
    } else {
        kvalid__fld(f, "%s.operator", field);
        kvalid__invalid_str(v, f, op ? op : "", "not a valid selector operator");
    }
    kvalid__fld(f, "%s.key", field);
    qualified_name(v, f, key ? key : "");
    int i = 0;
    const cJSON *val;
    cJSON_ArrayForEach(val, values)
    {
        kvalid__fld(f, "%s.values[%d]", field, i++);
        if (!cJSON_IsString(val))
            wrong_type(v, f, val, "a string");
        else if (strlen(val->valuestring) > 63 || (*val->valuestring &&
                                                    !qname_re(val->valuestring)))
            kvalid__invalid_str(v, f, val->valuestring, MSG_LABEL_VALUE);
    }
}

void kvalid__selector(struct kv *v, const char *field, const cJSON *sel)
{
    char f[KV_FLD];
    kvalid__fld(f, "%s.matchLabels", field);
    kvalid__labels(v, f, kvalid__obj(v, sel, "matchLabels", f));
    kvalid__fld(f, "%s.matchExpressions", field);
    const cJSON *exprs = kvalid__arr(v, sel, "matchExpressions", f), *e;
    int i = 0;
    cJSON_ArrayForEach(e, exprs)
    {
        kvalid__fld(f, "%s.matchExpressions[%d]", field, i++);
        if (cJSON_IsObject(e))
            selector_requirement(v, f, e);
        else
            wrong_type(v, f, e, "an object");
    }
}

static int has_value(const cJSON *values, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, values) if (cJSON_IsString(x) && !strcmp(x->valuestring, s)) return 1;
    return 0;
}

static int requirement_matches(const cJSON *req, const cJSON *labels)
{
    const char *op = kvalid__str(req, "operator"), *key = kvalid__str(req, "key");
    const char *have = key ? kvalid__str(labels, key) : NULL;
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(req, "values");
    if (!op)
        return 0;
    if (!strcmp(op, "In"))
        return have && has_value(values, have);
    if (!strcmp(op, "NotIn"))
        return !have || !has_value(values, have);
    if (!strcmp(op, "Exists"))
        return have != NULL;
    return !strcmp(op, "DoesNotExist") && !have;
}

int kvalid__selector_matches(const cJSON *sel, const cJSON *labels)
{
    const cJSON *l, *e;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(sel, "matchLabels"))
    {
        const char *have = kvalid__str(labels, l->string);
        if (!cJSON_IsString(l) || !have || strcmp(have, l->valuestring))
            return 0;
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions"))
        if (!requirement_matches(e, labels))
            return 0;
    return 1;
}

static void go_strings(struct buf *b, const cJSON *list)
{
    if (!cJSON_IsArray(list)) {
        buf_puts(b, "[]string(nil)");
        return;
    }
    const cJSON *s;
    int i = 0;
    buf_puts(b, "[]string{");
    cJSON_ArrayForEach(s, list)
    {
        buf_puts(b, i++ ? ", " : "");
        kvalid__go_quote(b, cJSON_IsString(s) ? s->valuestring : "");
    }
    buf_putc(b, '}');
}

void kvalid__go_selector(struct buf *b, const cJSON *sel)
{
    buf_puts(b, "v1.LabelSelector{MatchLabels:");
    kvalid__go_strmap(b, cJSON_GetObjectItemCaseSensitive(sel, "matchLabels"));
    buf_puts(b, ", MatchExpressions:");
    const cJSON *exprs = cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions"), *e;
    if (!cJSON_IsArray(exprs)) {
        buf_puts(b, "[]v1.LabelSelectorRequirement(nil)}");
        return;
    }
    int i = 0;
    buf_puts(b, "[]v1.LabelSelectorRequirement{");
    cJSON_ArrayForEach(e, exprs)
    {
        const char *key = kvalid__str(e, "key"), *op = kvalid__str(e, "operator");
        buf_puts(b, i++ ? ", " : "");
        buf_puts(b, "v1.LabelSelectorRequirement{Key:");
        kvalid__go_quote(b, key ? key : "");
        buf_puts(b, ", Operator:");
        kvalid__go_quote(b, op ? op : "");
        buf_puts(b, ", Values:");
        go_strings(b, cJSON_GetObjectItemCaseSensitive(e, "values"));
        buf_putc(b, '}');
    }
    buf_puts(b, "}}");
}

/* ---- metadata and dispatch ------------------------------------------------------------------ */

enum name_rule { NAME_SUBDOMAIN, NAME_LABEL, NAME_DNS1035, NAME_PATH };

typedef void (*spec_fn)(struct kv *v, const cJSON *obj, const cJSON *old);

/* The name rule and spec validator of each type; others: a DNS subdomain, no spec rules.
 * group "rbac.authorization.k8s.io" with resource "*" covers every RBAC type. */
static const struct kind_rule {
    const char *group, *resource;
    enum name_rule name;
    spec_fn spec;
} RULES[] = {
    {"", "namespaces", NAME_LABEL, NULL},
    {"", "services", NAME_DNS1035, kvalid__service},
    {"", "pods", NAME_SUBDOMAIN, kvalid__pod},
    {"", "configmaps", NAME_SUBDOMAIN, kvalid__configmap},
    {"", "secrets", NAME_SUBDOMAIN, kvalid__configmap},
    {"apps", "deployments", NAME_SUBDOMAIN, kvalid__deployment},
    {"apps", "replicasets", NAME_SUBDOMAIN, kvalid__replicaset},
    {"apps", "daemonsets", NAME_SUBDOMAIN, kvalid__daemonset},
    {"autoscaling", "horizontalpodautoscalers", NAME_SUBDOMAIN, kvalid__hpa},
    {"rbac.authorization.k8s.io", "*", NAME_PATH, NULL},
};

static const struct kind_rule *rule_of(const char *group, const char *resource)
{
    for (size_t i = 0; i < sizeof(RULES) / sizeof(RULES[0]); i++)
        if (!strcmp(RULES[i].group, group) &&
            (!strcmp(RULES[i].resource, "*") || !strcmp(RULES[i].resource, resource)))
            return &RULES[i];
    return NULL;
}

static void name_syntax(struct kv *v, enum name_rule rule, const char *field, const char *s)
{
    switch (rule) {
    case NAME_LABEL: kvalid__dns_label(v, field, s); break;
    case NAME_DNS1035: dns1035_label(v, field, s); break;
    case NAME_PATH: kvalid__path_segment(v, field, s); break;
    default: kvalid__dns_subdomain(v, field, s); break;
    }
}

/* generateName is checked as a prefix: a trailing '-' counts as a letter. */
static void generate_name(struct kv *v, enum name_rule rule, const char *gen)
{
    char *masked = xstrdup(gen);
    size_t n = strlen(masked);
    if (n > 1 && masked[n - 1] == '-')
        masked[n - 1] = 'a';
    struct kv tmp = {cJSON_CreateArray()};
    name_syntax(&tmp, rule, "metadata.generateName", masked);
    const cJSON *c;
    cJSON_ArrayForEach(c, tmp.causes)  /* report the prefix as written, not masked */
    {
        const char *msg = json_get_str(c, "message", "");
        const char *detail = strstr(msg, "\": ");
        kvalid__invalid_str(v, "metadata.generateName", gen, detail ? detail + 3 : NULL);
    }
    cJSON_Delete(tmp.causes);
    free(masked);
}

static void metadata(struct kv *v, enum name_rule rule, const cJSON *obj, const cJSON *old)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const char *name = kvalid__str(md, "name"), *gen = kvalid__str(md, "generateName");
    if (!old && gen && *gen)
        generate_name(v, rule, gen);
    if (!old && (!name || !*name) && !(gen && *gen))
        kvalid__required(v, "metadata.name", "name or generateName is required");
    else if (!old && name && *name)
        name_syntax(v, rule, "metadata.name", name);
    kvalid__labels(v, "metadata.labels", kvalid__obj(v, md, "labels", "metadata.labels"));
    kvalid__annotations(v, "metadata.annotations",
                        kvalid__obj(v, md, "annotations", "metadata.annotations"));
}

void kvalid_fail_free(struct kvalid_fail *f)
{
    if (!f)
        return;
    free(f->message);
    cJSON_Delete(f->causes);
    f->message = NULL;
    f->causes = NULL;
}

/* 'Deployment.apps "web" is invalid: ' plus one error or "[a, b, ...]". */
static char *message_of(const char *group, const char *kind, const cJSON *obj,
                        const cJSON *causes)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "%s%s%s ", kind, *group ? "." : "", group);
    kvalid__go_quote(&b, json_get_str(obj, "metadata.name", ""));
    buf_puts(&b, " is invalid: ");
    int n = cJSON_GetArraySize(causes), i = 0;
    const cJSON *c;
    buf_puts(&b, n > 1 ? "[" : "");
    cJSON_ArrayForEach(c, causes)
        buf_addf(&b, "%s%s: %s", i++ ? ", " : "", json_get_str(c, "field", ""),
                 json_get_str(c, "message", ""));
    buf_puts(&b, n > 1 ? "]" : "");
    return buf_detach(&b, NULL);
}

int kvalid_check(const char *group, const char *resource, const char *kind, const cJSON *obj,
                 const cJSON *old, struct kvalid_fail *fail, struct err *err)
{
    const struct kind_rule *r = rule_of(group, resource);
    struct kv v = {cJSON_CreateArray()};
    metadata(&v, r ? r->name : NAME_SUBDOMAIN, obj, old);
    if (r && r->spec)
        r->spec(&v, obj, old);
    if (cJSON_GetArraySize(v.causes) == 0) {
        cJSON_Delete(v.causes);
        return 0;
    }
    char *msg = message_of(group, kind, obj, v.causes);
    err_set(err, E_INVALID, "%s", msg);
    if (fail) {
        kvalid_fail_free(fail);
        fail->message = msg;
        fail->causes = v.causes;
    } else {
        free(msg);
        cJSON_Delete(v.causes);
    }
    return E_INVALID;
}
