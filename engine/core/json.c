/* json.c -- helpers over cJSON: paths, merges, canonical form, hashing (see json.h). */
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define TYPE(x) ((x)->type & 0xFF)

/* ---- parsing ----------------------------------------------------------------- */

/* 1-based line and column (in bytes) of offset pos in text. */
static void text_linecol(const char *text, size_t pos, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int parse_fail(const char *text, size_t len, size_t pos, const char *name,
                      const char *why, struct err *err)
{
    int line, col;
    if (pos > len)
        pos = len;
    text_linecol(text, pos, &line, &col);
    if (!why) {
        unsigned char c = pos < len ? (unsigned char)text[pos] : 0;
        if (pos >= len)
            why = "unexpected end of input";
        else if (c >= 0x20 && c < 0x7f)
            return err_set(err, E_PARSE, "%s:%d:%d: syntax error near '%c'",
                           name ? name : "<json>", line, col, c);
        else
            return err_set(err, E_PARSE, "%s:%d:%d: syntax error near byte 0x%02x",
                           name ? name : "<json>", line, col, c);
    }
    return err_set(err, E_PARSE, "%s:%d:%d: %s", name ? name : "<json>", line, col, why);
}

static size_t skip_ws(const char *text, size_t len, size_t i)
{
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return i;
}

int json_parse(cJSON **out, const char *text, size_t len, const char *name, struct err *err)
{
    const char *end = NULL;
    *out = NULL;
    if (!text)
        text = "";
    size_t first = skip_ws(text, len, 0);
    if (first >= len)
        return parse_fail(text, len, len, name, "empty document", err);
    /* Parse a NUL-terminated copy and count the NUL in the length: running off
     * the end then stops at offset len, which cJSON reports as is (without it,
     * cJSON reports the last byte). */
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    cJSON *doc = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 0);
    size_t pos = end && end >= copy ? (size_t)(end - copy) : 0;
    free(copy);
    if (!doc)
        return parse_fail(text, len, pos, name, NULL, err);
    size_t rest = skip_ws(text, len, pos);
    if (rest < len) {
        cJSON_Delete(doc);
        return parse_fail(text, len, rest, name, "unexpected data after the document", err);
    }
    *out = doc;
    return 0;
}

/* ---- paths ------------------------------------------------------------------- */

enum seg_kind { SEG_END, SEG_KEY, SEG_INDEX, SEG_BAD };

struct seg {
    enum seg_kind kind;
    struct buf key; /* SEG_KEY: the unescaped key */
    size_t index;   /* SEG_INDEX */
};

struct path_it {
    const char *p; /* next unread byte */
    int first;     /* no segment read yet */
};

static void path_begin(struct path_it *it, const char *path)
{
    it->p = path ? path : "";
    it->first = 1;
}

static enum seg_kind path_index(struct path_it *it, struct seg *sg)
{
    const char *s = it->p + 1;
    size_t v = 0;
    if (*s < '0' || *s > '9')
        return SEG_BAD;
    while (*s >= '0' && *s <= '9') {
        if (v > (SIZE_MAX - 9) / 10)
            return SEG_BAD;
        v = v * 10 + (size_t)(*s++ - '0');
    }
    if (*s != ']')
        return SEG_BAD;
    it->p = s + 1;
    sg->index = v;
    return SEG_INDEX;
}

static enum seg_kind path_key(struct path_it *it, struct seg *sg)
{
    buf_reset(&sg->key);
    while (*it->p && *it->p != '.' && *it->p != '[') {
        if (*it->p == '\\') {
            if (!it->p[1])
                return SEG_BAD;
            it->p++;
        }
        buf_putc(&sg->key, *it->p++);
    }
    return sg->key.len ? SEG_KEY : SEG_BAD;
}

/* Next segment into sg (sg->kind is also returned).  Keys are separated by
 * '.', indexes follow a key or another index directly ("a[0][1].b"); the
 * path may start with an index. */
static enum seg_kind path_next(struct path_it *it, struct seg *sg)
{
    int first = it->first;
    it->first = 0;
    if (*it->p == '\0')
        sg->kind = first ? SEG_BAD : SEG_END;
    else if (*it->p == '[')
        sg->kind = path_index(it, sg);
    else if (!first && *it->p != '.')
        sg->kind = SEG_BAD;
    else {
        if (!first)
            it->p++;
        sg->kind = path_key(it, sg);
    }
    return sg->kind;
}

static cJSON *seg_child(const cJSON *node, const struct seg *sg)
{
    if (!node)
        return NULL;
    if (sg->kind == SEG_KEY)
        return cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, sg->key.ptr) : NULL;
    if (sg->kind == SEG_INDEX && cJSON_IsArray(node) &&
        sg->index < (size_t)cJSON_GetArraySize(node))
        return cJSON_GetArrayItem(node, (int)sg->index);
    return NULL;
}

/* Walk path from root: returns the node (or NULL) and its parent in *parent. */
static cJSON *path_walk(const cJSON *root, const char *path, cJSON **parent)
{
    struct path_it it;
    struct seg sg = {SEG_END, BUF_INIT, 0};
    cJSON *cur = (cJSON *)root;
    *parent = NULL;
    path_begin(&it, path);
    while (cur) {
        enum seg_kind k = path_next(&it, &sg);
        if (k == SEG_END)
            break;
        *parent = cur;
        cur = k == SEG_BAD ? NULL : seg_child(cur, &sg);
    }
    buf_release(&sg.key);
    return cur;
}

cJSON *json_get(const cJSON *root, const char *path)
{
    cJSON *parent;
    if (!path || !*path)
        return (cJSON *)root;
    return path_walk(root, path, &parent);
}

const char *json_get_str(const cJSON *root, const char *path, const char *def)
{
    const cJSON *n = json_get(root, path);
    return cJSON_IsString(n) && n->valuestring ? n->valuestring : def;
}

double json_get_num(const cJSON *root, const char *path, double def)
{
    const cJSON *n = json_get(root, path);
    return cJSON_IsNumber(n) ? n->valuedouble : def;
}

int64_t json_get_int(const cJSON *root, const char *path, int64_t def)
{
    const cJSON *n = json_get(root, path);
    if (!cJSON_IsNumber(n) || isnan(n->valuedouble))
        return def;
    double d = n->valuedouble;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

int json_get_bool(const cJSON *root, const char *path, int def)
{
    const cJSON *n = json_get(root, path);
    return cJSON_IsBool(n) ? cJSON_IsTrue(n) : def;
}

/* Store value (owned on success) as child sg of node, which has the right
 * container type.  -1 when the index is past the end. */
static int seg_store(cJSON *node, const struct seg *sg, cJSON *value)
{
    if (sg->kind == SEG_KEY) {
        if (cJSON_GetObjectItemCaseSensitive(node, sg->key.ptr))
            cJSON_ReplaceItemInObjectCaseSensitive(node, sg->key.ptr, value);
        else
            cJSON_AddItemToObject(node, sg->key.ptr, value);
        return 0;
    }
    size_t n = (size_t)cJSON_GetArraySize(node);
    if (sg->index < n)
        cJSON_ReplaceItemInArray(node, (int)sg->index, value);
    else if (sg->index == n && n < (size_t)INT32_MAX)
        cJSON_AddItemToArray(node, value);
    else
        return -1;
    return 0;
}

static int kind_fits(const cJSON *node, enum seg_kind k)
{
    return k == SEG_KEY ? cJSON_IsObject(node) : cJSON_IsArray(node);
}

/* The container for segment next under cur at sg, made (or replaced) when
 * missing or of the wrong kind; NULL when sg is an index past the end. */
static cJSON *set_step(cJSON *cur, const struct seg *sg, enum seg_kind next)
{
    cJSON *child = seg_child(cur, sg);
    if (child && kind_fits(child, next))
        return child;
    child = next == SEG_KEY ? cJSON_CreateObject() : cJSON_CreateArray();
    if (seg_store(cur, sg, child) < 0) {
        cJSON_Delete(child);
        return NULL;
    }
    return child;
}

int json_set(cJSON *root, const char *path, cJSON *value, struct err *err)
{
    struct path_it it;
    struct seg a = {SEG_END, BUF_INIT, 0}, b = {SEG_END, BUF_INIT, 0};
    struct seg *sg = &a, *nx = &b;
    int rc = 0;
    cJSON *cur = root;
    path_begin(&it, path);
    path_next(&it, sg);
    if (sg->kind == SEG_BAD || sg->kind == SEG_END || !root || !kind_fits(root, sg->kind)) {
        rc = err_set(err, E_INVALID, "cannot set '%s': bad path or root type", path ? path : "");
        goto out;
    }
    for (;;) {
        path_next(&it, nx);
        if (nx->kind == SEG_BAD) {
            rc = err_set(err, E_INVALID, "bad path '%s'", path);
            goto out;
        }
        cur = nx->kind == SEG_END ? cur : set_step(cur, sg, nx->kind);
        if (!cur || (nx->kind == SEG_END && seg_store(cur, sg, value) < 0)) {
            rc = err_set(err, E_INVALID, "index %zu out of range in '%s'", sg->index, path);
            goto out;
        }
        if (nx->kind == SEG_END) {
            value = NULL;
            break;
        }
        struct seg *t = sg;
        sg = nx;
        nx = t;
    }
out:
    cJSON_Delete(value);
    buf_release(&a.key);
    buf_release(&b.key);
    return rc;
}

int json_set_str(cJSON *root, const char *path, const char *s, struct err *err)
{
    return json_set(root, path, cJSON_CreateString(s ? s : ""), err);
}

int json_delete(cJSON *root, const char *path)
{
    cJSON *parent;
    if (!path || !*path)
        return 0;
    cJSON *cur = path_walk(root, path, &parent);
    if (!cur || !parent)
        return 0;
    cJSON_Delete(cJSON_DetachItemViaPointer(parent, cur));
    return 1;
}

/* ---- merges ------------------------------------------------------------------ */

/* Replace the contents of dst by a copy of src, keeping dst's key and links. */
static void replace_in_place(cJSON *dst, const cJSON *src)
{
    cJSON *dup = cJSON_Duplicate(src, 1);
    if (!dup)
        abort();
    cJSON_Delete(dst->child);
    if (!(dst->type & cJSON_IsReference))
        free(dst->valuestring);
    dst->child = dup->child;
    dst->valuestring = dup->valuestring;
    dst->valueint = dup->valueint;
    dst->valuedouble = dup->valuedouble;
    dst->type = TYPE(dup) | (dst->type & cJSON_StringIsConst);
    dup->child = NULL;
    dup->valuestring = NULL;
    cJSON_Delete(dup);
}

static cJSON *dup_or_die(const cJSON *x)
{
    cJSON *d = cJSON_Duplicate(x, 1);
    if (!d)
        abort();
    return d;
}

static void obj_put(cJSON *obj, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else
        cJSON_AddItemToObject(obj, key, value);
}

void json_merge(cJSON *dst, const cJSON *src)
{
    if (!dst || !src)
        return;
    if (!cJSON_IsObject(dst) || !cJSON_IsObject(src)) {
        replace_in_place(dst, src);
        return;
    }
    for (const cJSON *s = src->child; s; s = s->next) {
        if (!s->string)
            continue;
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
        if (d)
            json_merge(d, s);
        else
            cJSON_AddItemToObject(dst, s->string, dup_or_die(s));
    }
}

cJSON *json_merge_patch(const cJSON *target, const cJSON *patch)
{
    if (!patch)
        return target ? dup_or_die(target) : cJSON_CreateNull();
    if (!cJSON_IsObject(patch))
        return dup_or_die(patch);
    cJSON *res = cJSON_IsObject(target) ? dup_or_die(target) : cJSON_CreateObject();
    for (const cJSON *p = patch->child; p; p = p->next) {
        if (!p->string)
            continue;
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(res, p->string);
            continue;
        }
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(res, p->string);
        obj_put(res, p->string, json_merge_patch(cur, p));
    }
    return res;
}

cJSON *json_merge_diff(const cJSON *from, const cJSON *to)
{
    if (!to)
        return cJSON_CreateNull();
    if (!cJSON_IsObject(from) || !cJSON_IsObject(to))
        return dup_or_die(to);
    cJSON *patch = cJSON_CreateObject();
    if (json_equal(from, to))
        return patch;
    for (const cJSON *f = from->child; f; f = f->next) {
        if (f->string && !cJSON_GetObjectItemCaseSensitive(to, f->string) &&
            !cJSON_GetObjectItemCaseSensitive(patch, f->string))
            cJSON_AddItemToObject(patch, f->string, cJSON_CreateNull());
    }
    for (const cJSON *t = to->child; t; t = t->next) {
        if (!t->string)
            continue;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(from, t->string);
        if (f && json_equal(f, t))
            continue;
        obj_put(patch, t->string,
                f && cJSON_IsObject(f) && cJSON_IsObject(t) ? json_merge_diff(f, t)
                                                              : dup_or_die(t));
    }
    return patch;
}

/* ---- equality ---------------------------------------------------------------- */

static int same_key(const cJSON *x, const cJSON *y)
{
    return strcmp(x->string ? x->string : "", y->string ? y->string : "") == 0;
}

static int obj_equal(const cJSON *a, const cJSON *b)
{
    int na = 0, nb = 0, in_order = 1;
    const cJSON *x, *y;
    for (x = a->child, y = b->child; x && y; x = x->next, y = y->next, na++, nb++)
        in_order = in_order && same_key(x, y);
    for (; x; x = x->next)
        na++;
    for (; y; y = y->next)
        nb++;
    if (na != nb)
        return 0;
    /* same keys in the same order (duplicates included): compare pairwise */
    if (in_order) {
        for (x = a->child, y = b->child; x; x = x->next, y = y->next)
            if (!json_equal(x, y))
                return 0;
        return 1;
    }
    for (x = a->child; x; x = x->next) {
        y = x->string ? cJSON_GetObjectItemCaseSensitive(b, x->string) : NULL;
        if (!y || !json_equal(x, y))
            return 0;
    }
    return 1;
}

int json_equal(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if (TYPE(a) != TYPE(b))
        return 0;
    switch (TYPE(a)) {
    case cJSON_Number:
        return a->valuedouble == b->valuedouble ||
               (isnan(a->valuedouble) && isnan(b->valuedouble));
    case cJSON_String:
    case cJSON_Raw:
        return strcmp(a->valuestring ? a->valuestring : "", b->valuestring ? b->valuestring : "") == 0;
    case cJSON_Array: {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!json_equal(x, y))
                return 0;
        return !x && !y;
    }
    case cJSON_Object:
        return obj_equal(a, b);
    default:
        return 1;
    }
}

/* ---- numbers ----------------------------------------------------------------- */

/* Shortest decimal digits that read back as x (finite, nonzero): digits into
 * dig (NUL-terminated, no leading/trailing zeros), returns the decimal
 * exponent e such that |x| = d.ddd * 10^e. */
static int round_trips(double x, int p, char tmp[40])
{
    snprintf(tmp, 40, "%.*e", p - 1, x);
    return strtod(tmp, NULL) == x;
}

static int num_shortest(double x, char dig[24])
{
    char tmp[40];
    double ax = fabs(x);
    size_t n = 0;
    if (ax < 1e15 && ax == floor(ax)) {
        /* integers below 2^53 are exact: their digits are the shortest form */
        int len = snprintf(tmp, sizeof(tmp), "%.0f", ax);
        memcpy(dig, tmp, (size_t)len + 1);
        for (n = (size_t)len; n > 1 && dig[n - 1] == '0'; n--)
            ;
        dig[n] = '\0';
        return len - 1;
    }
    /* more digits always round-trip if fewer do: binary search */
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (round_trips(x, mid, tmp))
            hi = mid;
        else
            lo = mid + 1;
    }
    round_trips(x, lo, tmp);
    const char *s = tmp;
    if (*s == '-')
        s++;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            dig[n++] = *s;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    return *s == 'e' ? atoi(s + 1) : 0;
}

static void num_fixed(struct buf *out, int neg, const char *dig, int e)
{
    int n = (int)strlen(dig);
    if (neg)
        buf_putc(out, '-');
    if (e < 0) {
        buf_puts(out, "0.");
        for (int i = 0; i < -e - 1; i++)
            buf_putc(out, '0');
        buf_puts(out, dig);
        return;
    }
    for (int i = 0; i <= e; i++)
        buf_putc(out, i < n ? dig[i] : '0');
    if (n > e + 1) {
        buf_putc(out, '.');
        buf_puts(out, dig + e + 1);
    }
}

static void num_exp(struct buf *out, int neg, const char *dig, int e, int min2)
{
    if (neg)
        buf_putc(out, '-');
    buf_putc(out, dig[0]);
    if (dig[1]) {
        buf_putc(out, '.');
        buf_puts(out, dig + 1);
    }
    buf_addf(out, "e%c%s%d", e < 0 ? '-' : '+', min2 && abs(e) < 10 ? "0" : "", abs(e));
}

void json_format_number(double x, enum json_numfmt fmt, struct buf *out)
{
    char dig[24];
    if (isnan(x) || isinf(x)) {
        if (fmt == JSON_NUM_JSON)
            buf_puts(out, "null");
        else if (fmt == JSON_NUM_YAML)
            buf_puts(out, isnan(x) ? ".nan" : x < 0 ? "-.inf" : ".inf");
        else
            buf_puts(out, isnan(x) ? "NaN" : x < 0 ? "-Inf" : "+Inf");
        return;
    }
    if (x == 0) {
        buf_putc(out, '0');
        return;
    }
    int neg = x < 0;
    double ax = fabs(x);
    int e = num_shortest(x, dig);
    switch (fmt) {
    case JSON_NUM_JSON:
        if (ax < 1e-6 || ax >= 1e21)
            num_exp(out, neg, dig, e, 0);
        else
            num_fixed(out, neg, dig, e);
        return;
    case JSON_NUM_YAML:
        /* JSON text, re-read by go-yaml: integers that fit int64/uint64 stay
         * integers, everything else is a float printed with %g. */
        if (x == floor(x) && x >= -9223372036854775808.0 && x < 18446744073709551616.0) {
            num_fixed(out, neg, dig, e);
            return;
        }
        /* fallthrough */
    case JSON_NUM_GO:
        if (e < -4 || e >= 6)
            num_exp(out, neg, dig, e, 1);
        else
            num_fixed(out, neg, dig, e);
        return;
    }
}

/* ---- printing ---------------------------------------------------------------- */

static void put_string(struct buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (*p < 0x20)
                buf_addf(out, "\\u%04x", *p);
            else
                buf_putc(out, (char)*p);
        }
    }
    buf_putc(out, '"');
}

struct printer {
    struct buf *out;
    int pretty;
    int sorted;
};

static void print_value(const struct printer *pr, const cJSON *item, int depth);

static void print_newline(const struct printer *pr, int depth)
{
    if (!pr->pretty)
        return;
    buf_putc(pr->out, '\n');
    for (int i = 0; i < depth; i++)
        buf_puts(pr->out, "  ");
}

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = strcmp(x->string ? x->string : "", y->string ? y->string : "");
    if (c)
        return c;
    /* stable for duplicate keys: compare positions via the list */
    for (const cJSON *p = x->next; p; p = p->next)
        if (p == y)
            return -1;
    return x == y ? 0 : 1;
}

/* Children of a container, sorted by key when asked. */
static const cJSON **children(const struct printer *pr, const cJSON *item, size_t *n)
{
    size_t cnt = 0;
    for (const cJSON *c = item->child; c; c = c->next)
        cnt++;
    const cJSON **v = xmalloc((cnt ? cnt : 1) * sizeof(*v));
    cnt = 0;
    for (const cJSON *c = item->child; c; c = c->next)
        v[cnt++] = c;
    if (pr->sorted && TYPE(item) == cJSON_Object && cnt > 1)
        qsort(v, cnt, sizeof(*v), cmp_keys);
    *n = cnt;
    return v;
}

static void print_container(const struct printer *pr, const cJSON *item, int depth)
{
    int obj = TYPE(item) == cJSON_Object;
    size_t n;
    if (!item->child) {
        buf_puts(pr->out, obj ? "{}" : "[]");
        return;
    }
    const cJSON **v = children(pr, item, &n);
    buf_putc(pr->out, obj ? '{' : '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(pr->out, ',');
        print_newline(pr, depth + 1);
        if (obj) {
            put_string(pr->out, v[i]->string);
            buf_puts(pr->out, pr->pretty ? ": " : ":");
        }
        print_value(pr, v[i], depth + 1);
    }
    print_newline(pr, depth);
    buf_putc(pr->out, obj ? '}' : ']');
    free(v);
}

static void print_value(const struct printer *pr, const cJSON *item, int depth)
{
    switch (TYPE(item)) {
    case cJSON_False: buf_puts(pr->out, "false"); break;
    case cJSON_True: buf_puts(pr->out, "true"); break;
    case cJSON_Number: json_format_number(item->valuedouble, JSON_NUM_JSON, pr->out); break;
    case cJSON_String: put_string(pr->out, item->valuestring); break;
    case cJSON_Raw: buf_puts(pr->out, item->valuestring ? item->valuestring : "null"); break;
    case cJSON_Array:
    case cJSON_Object: print_container(pr, item, depth); break;
    default: buf_puts(pr->out, "null"); break;
    }
}

void json_print(const cJSON *item, int pretty, struct buf *out)
{
    struct printer pr = {out, pretty, 0};
    if (!item) {
        buf_puts(out, "null");
        return;
    }
    print_value(&pr, item, 0);
}

void json_canonical(const cJSON *item, struct buf *out)
{
    struct printer pr = {out, 0, 1};
    if (!item) {
        buf_puts(out, "null");
        return;
    }
    print_value(&pr, item, 0);
}

uint64_t json_hash(const cJSON *item)
{
    struct buf b = BUF_INIT;
    json_canonical(item, &b);
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < b.len; i++) {
        h ^= (unsigned char)b.ptr[i];
        h *= 1099511628211ULL;
    }
    buf_release(&b);
    return h;
}

void json_hash_hex(const cJSON *item, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)json_hash(item));
}
