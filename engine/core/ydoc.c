/* ydoc.c -- YAML <-> JSON document model over libyaml (see ydoc.h).
 * Reading follows go-yaml v2 as sigs.k8s.io/yaml drives it (scalar resolution
 * in resolve.go, merge keys, key stringification in yaml.go).  Writing is a
 * hand translation of libyaml's emitter (emitter.c, which go-yaml ports) for
 * the block-style subset we need, so that output matches helm's toYaml byte
 * for byte, including folding of long plain strings at 80 columns.
 */
#include "core/ydoc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/json.h"
#include "core/mem.h"

#define YDOC_MAX_INPUT ((size_t)64 << 20)
#define YDOC_MAX_DEPTH 512
#define YDOC_MAX_NODES ((size_t)1000000)
#define YDOC_MAX_BYTES ((size_t)256 << 20) /* string bytes after alias expansion */
#define TAG_PREFIX "tag:yaml.org,2002:"

/* ==== scalar resolution (go-yaml v2 resolve.go) =============================== */

enum rkind { R_STR, R_NULL, R_BOOL, R_INT, R_UINT, R_FLOAT };

struct scalar {
    enum rkind kind;
    double num;  /* R_INT, R_UINT, R_FLOAT */
    int64_t i;   /* R_INT */
    uint64_t u;  /* R_UINT */
    int b;       /* R_BOOL */
};

static int in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* The fixed spellings of resolve.go's map; 1 when s is one of them. */
static int resolve_word(const char *s, struct scalar *sv)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON", NULL};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                     "off", "Off", "OFF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    if (s[0] && (!strchr("yYnNtTfFoO~.+-", s[0]) || strnlen(s, 7) > 6))
        return 0;
    if (in_set(s, nulls))
        sv->kind = R_NULL;
    else if (in_set(s, yes) || in_set(s, no)) {
        sv->kind = R_BOOL;
        sv->b = in_set(s, yes);
    } else if (in_set(s, nans) || in_set(s, pinf) || in_set(s, ninf)) {
        sv->kind = R_FLOAT;
        sv->num = in_set(s, nans) ? NAN : in_set(s, ninf) ? -INFINITY : INFINITY;
    } else
        return 0;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digit_val(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64). */
static int go_parse_int(const char *s, struct scalar *sv)
{
    int neg = 0, sign = 0, base = 10;
    uint64_t mag = 0;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        sign = 1;
        s++;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
    else if (s[0] == '0' && s[1])
        base = 8, s += 1;
    if (!*s)
        return 0;
    for (; *s; s++) {
        int d = digit_val(*s);
        if (d >= base || mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return 0;
        mag = mag * (uint64_t)base + (uint64_t)d;
    }
    if (neg && mag <= (uint64_t)INT64_MAX + 1) {
        sv->kind = R_INT;
        sv->i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        sv->num = -(double)mag;
    } else if (!neg && mag <= (uint64_t)INT64_MAX) {
        sv->kind = R_INT;
        sv->i = (int64_t)mag;
        sv->num = (double)mag;
    } else if (!sign) {
        sv->kind = R_UINT;
        sv->u = mag;
        sv->num = (double)mag;
    } else
        return 0;
    return 1;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.') {
        if (!is_digit(*++s))
            return 0;
        while (is_digit(*s))
            s++;
    } else {
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
        if (*s == '.')
            for (s++; is_digit(*s); s++)
                ;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

/* Go's ParseFloat on text already checked by yaml_style_float: out of range
 * is an error there, so the scalar stays a string. */
static int go_parse_float(const char *s, struct scalar *sv)
{
    if (!yaml_style_float(s))
        return 0;
    double d = strtod(s, NULL);
    if (isinf(d))
        return 0;
    sv->kind = R_FLOAT;
    sv->num = d;
    return 1;
}

static int resolve_number(const char *s, struct scalar *sv)
{
    size_t n = strlen(s), k = 0;
    char *plain = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            plain[k++] = s[i];
    plain[k] = '\0';
    int ok = go_parse_int(plain, sv) || go_parse_float(plain, sv);
    free(plain);
    return ok;
}

/* Type of a plain (unquoted, untagged) scalar. */
static void resolve_plain(const char *s, struct scalar *sv)
{
    memset(sv, 0, sizeof(*sv));
    sv->kind = R_STR;
    if (resolve_word(s, sv))
        return;
    if (s[0] == '.')
        go_parse_float(s, sv);
    else if (s[0] == '+' || s[0] == '-' || is_digit(s[0]))
        resolve_number(s, sv);
}

/* Explicit tags: !!str and friends keep the text, !!int/!!float/!!bool/!!null
 * must resolve to their type (!!float accepts ints), unknown tags give strings.
 * Returns 0 or -1 with *why set. */
static int resolve_tagged(const char *s, const char *tag, struct scalar *sv, const char **want)
{
    memset(sv, 0, sizeof(*sv));
    sv->kind = R_STR;
    if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
        return 0;
    const char *t = tag + strlen(TAG_PREFIX);
    enum rkind need;
    if (!strcmp(t, "int"))
        need = R_INT;
    else if (!strcmp(t, "float"))
        need = R_FLOAT;
    else if (!strcmp(t, "bool"))
        need = R_BOOL;
    else if (!strcmp(t, "null"))
        need = R_NULL;
    else
        return 0;
    resolve_plain(s, sv);
    *want = t;
    if (sv->kind == need || (need == R_INT && sv->kind == R_UINT))
        return 0;
    if (need == R_FLOAT && (sv->kind == R_INT || sv->kind == R_UINT)) {
        sv->kind = R_FLOAT;
        return 0;
    }
    return -1;
}

static const char *rkind_tag(enum rkind k)
{
    switch (k) {
    case R_NULL: return "null";
    case R_BOOL: return "bool";
    case R_INT:
    case R_UINT: return "int";
    case R_FLOAT: return "float";
    default: return "str";
    }
}

static cJSON *scalar_json(const char *s, const struct scalar *sv)
{
    switch (sv->kind) {
    case R_NULL: return cJSON_CreateNull();
    case R_BOOL: return cJSON_CreateBool(sv->b);
    case R_INT:
    case R_UINT:
    case R_FLOAT: return cJSON_CreateNumber(sv->num);
    default: return cJSON_CreateString(s);
    }
}

/* Go's strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml formats
 * float map keys. */
static char *float32_key(double d)
{
    float f = (float)d;
    char tmp[48];
    if (isnan(f))
        return xstrdup(".nan");
    if (isinf(f))
        return xstrdup(f < 0 ? "-.inf" : ".inf");
    if (f == 0)
        return xstrdup("0");
    int p;
    for (p = 1; p < 9; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", p - 1, (double)f);
    struct buf b = BUF_INIT;
    json_format_number(strtod(tmp, NULL), JSON_NUM_GO, &b);
    return buf_detach(&b, NULL);
}

/* A map key as sigs.k8s.io/yaml writes it into JSON. */
static char *scalar_key(const char *s, const struct scalar *sv)
{
    switch (sv->kind) {
    case R_NULL: return xstrdup("null");
    case R_BOOL: return xstrdup(sv->b ? "true" : "false");
    case R_INT: return xasprintf("%lld", (long long)sv->i);
    case R_UINT: return xasprintf("%llu", (unsigned long long)sv->u);
    case R_FLOAT: return float32_key(sv->num);
    default: return xstrdup(s);
    }
}

/* Key for a node that came from an alias: scalars only. */
static char *json_key(const cJSON *v)
{
    struct buf b = BUF_INIT;
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring ? v->valuestring : "");
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNull(v))
        return xstrdup("null");
    if (!cJSON_IsNumber(v))
        return NULL;
    if (v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) >= 1.8e19)
        return float32_key(v->valuedouble);
    json_format_number(v->valuedouble, JSON_NUM_YAML, &b);
    return buf_detach(&b, NULL);
}

/* ==== reader ================================================================== */

/* Index of a map's keys under construction, so that duplicate checks and
 * merges stay linear on maps with many keys. */
struct keyset {
    cJSON **slots; /* open addressing; NULL = empty */
    size_t cap, n;
};

static size_t key_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* The slot holding key, or the empty slot where it would go. */
static cJSON **keyset_slot(const struct keyset *ks, const char *key)
{
    size_t i = key_hash(key) & (ks->cap - 1);
    while (ks->slots[i] && strcmp(ks->slots[i]->string, key) != 0)
        i = (i + 1) & (ks->cap - 1);
    return &ks->slots[i];
}

/* Make room for one more key (keeps the load under 1/2). */
static void keyset_reserve(struct keyset *ks)
{
    if (ks->cap && (ks->n + 1) * 2 <= ks->cap)
        return;
    struct keyset big = {NULL, ks->cap ? ks->cap * 2 : 16, ks->n};
    big.slots = xcalloc(big.cap, sizeof(*big.slots));
    for (size_t i = 0; i < ks->cap; i++)
        if (ks->slots[i])
            *keyset_slot(&big, ks->slots[i]->string) = ks->slots[i];
    free(ks->slots);
    *ks = big;
}

static cJSON *keyset_get(const struct keyset *ks, const char *key)
{
    return ks->cap ? *keyset_slot(ks, key) : NULL;
}

/* Add item (which has its key) to the map obj, replacing an existing item of
 * the same key in place. */
static void keyset_put(struct keyset *ks, cJSON *obj, cJSON *item)
{
    keyset_reserve(ks);
    cJSON **slot = keyset_slot(ks, item->string);
    if (*slot) {
        cJSON_ReplaceItemViaPointer(obj, *slot, item);
    } else {
        cJSON_AddItemToArray(obj, item);
        ks->n++;
    }
    *slot = item;
}

struct frame {
    cJSON *node;       /* object or array being filled */
    char *key;         /* object: pending key (owned), NULL while expecting one */
    int key_merge;     /* the pending key is a merge key "<<" */
    cJSON *merges;     /* object: merge sources in order of precedence, or NULL */
    char *anchor;      /* owned, or NULL */
    size_t nodes0;     /* reader counters when the collection started */
    size_t bytes0;
    int height;        /* tallest child */
    yaml_mark_t mark;  /* where the collection starts */
    struct keyset keys; /* object: its keys so far */
};

struct anchor {
    char *name;
    cJSON *node;  /* private copy */
    size_t nodes, bytes;
    int height;
};

struct reader {
    yaml_parser_t parser;
    const char *name;
    const char *text;
    size_t len;
    struct frame *stack;
    size_t depth, cap;
    struct anchor *anchors;
    size_t nanchors, acap;
    size_t *aslots;      /* anchor index: open addressing, 1 + index into anchors */
    size_t naslots;      /* 0 or a power of two above 2 * nanchors */
    size_t copied;       /* nodes copied for anchors, whole stream */
    size_t nodes, bytes; /* after alias expansion, whole stream */
    cJSON *doc;          /* root of the current document */
    cJSON *docs;
    int ndocs;
    yaml_mark_t second;  /* start of the second non-empty document */
    yaml_mark_t doc_start;
    struct err *err;
};

static int fail_at(struct reader *r, int code, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct reader *r, int code, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(r->err, code, "%s:%zu:%zu: %s", r->name, m->line + 1, m->column + 1, msg);
}

/* libyaml's own error, located. */
static int parser_fail(struct reader *r)
{
    yaml_parser_t *p = &r->parser;
    yaml_mark_t m = p->problem_mark;
    const char *problem = p->problem ? p->problem : "malformed yaml";
    if (p->error == YAML_MEMORY_ERROR)
        return err_set(r->err, E_INTERNAL, "%s: out of memory", r->name);
    if (p->error == YAML_READER_ERROR) {
        m.line = 0;
        m.column = 0;
        for (size_t i = 0; i < p->problem_offset && i < r->len; i++) {
            if (r->text[i] == '\n') {
                m.line++;
                m.column = 0;
            } else if (((unsigned char)r->text[i] & 0xC0) != 0x80) {
                m.column++;
            }
        }
        return fail_at(r, E_PARSE, &m, "%s", problem);
    }
    if (p->context)
        return fail_at(r, E_PARSE, &m, "%s (%s at line %zu column %zu)", problem, p->context,
                       p->context_mark.line + 1, p->context_mark.column + 1);
    return fail_at(r, E_PARSE, &m, "%s", problem);
}

static void anchors_clear(struct reader *r)
{
    for (size_t i = 0; i < r->nanchors; i++) {
        free(r->anchors[i].name);
        cJSON_Delete(r->anchors[i].node);
    }
    r->nanchors = 0;
    free(r->aslots);
    r->aslots = NULL;
    r->naslots = 0;
}

/* The index slot of anchor name: the one holding it, or the empty one where
 * it would go.  naslots > 0. */
static size_t *anchor_slot(const struct reader *r, const char *name)
{
    size_t i = key_hash(name) & (r->naslots - 1);
    while (r->aslots[i] && strcmp(r->anchors[r->aslots[i] - 1].name, name) != 0)
        i = (i + 1) & (r->naslots - 1);
    return &r->aslots[i];
}

/* Index anchors[idx]; a redefined name now finds the newer anchor.  The table
 * doubles before it is half full, re-indexing in order so later ones win. */
static void anchor_index(struct reader *r, size_t idx)
{
    if (2 * (idx + 1) >= r->naslots) {
        free(r->aslots);
        r->naslots = r->naslots ? r->naslots * 2 : 64;
        r->aslots = xcalloc(r->naslots, sizeof(*r->aslots));
        for (size_t i = 0; i < idx; i++)
            *anchor_slot(r, r->anchors[i].name) = i + 1;
    }
    *anchor_slot(r, r->anchors[idx].name) = idx + 1;
}

/* Keep a private copy of node under name.  The copies count against their own
 * budget: anchors nested in anchors would otherwise copy quadratically. */
static int anchor_add(struct reader *r, const char *name, const cJSON *node, size_t nodes,
                      size_t bytes, int height, const yaml_mark_t *m)
{
    r->copied += nodes;
    if (r->copied > YDOC_MAX_NODES)
        return fail_at(r, E_TOOBIG, m, "more than %zu nodes copied for anchors",
                       YDOC_MAX_NODES);
    XGROW(r->anchors, r->acap, r->nanchors + 1);
    struct anchor *a = &r->anchors[r->nanchors++];
    a->name = xstrdup(name);
    a->node = cJSON_Duplicate(node, 1);
    if (!a->node)
        abort();
    a->nodes = nodes;
    a->bytes = bytes;
    a->height = height;
    anchor_index(r, r->nanchors - 1);
    return 0;
}

static const struct anchor *anchor_find(const struct reader *r, const char *name)
{
    if (!r->naslots)
        return NULL;
    size_t slot = *anchor_slot(r, name);
    return slot ? &r->anchors[slot - 1] : NULL;
}

static int budget(struct reader *r, size_t nodes, size_t bytes, const yaml_mark_t *m)
{
    r->nodes += nodes;
    r->bytes += bytes;
    if (r->nodes > YDOC_MAX_NODES)
        return fail_at(r, E_TOOBIG, m, "more than %zu nodes after alias expansion",
                       YDOC_MAX_NODES);
    if (r->bytes > YDOC_MAX_BYTES)
        return fail_at(r, E_TOOBIG, m, "more than %zu MiB of text after alias expansion",
                       YDOC_MAX_BYTES >> 20);
    return 0;
}

/* A merge value: a map or a list of maps, moved into f->merges. */
static int add_merge(struct reader *r, struct frame *f, cJSON *v, const yaml_mark_t *m)
{
    int ok = cJSON_IsObject(v);
    if (cJSON_IsArray(v)) {
        ok = 1;
        for (cJSON *c = v->child; c; c = c->next)
            ok = ok && cJSON_IsObject(c);
    }
    if (!ok) {
        cJSON_Delete(v);
        return fail_at(r, E_PARSE, m, "map merge requires map or sequence of maps as the value");
    }
    if (!f->merges)
        f->merges = cJSON_CreateArray();
    if (cJSON_IsObject(v)) {
        cJSON_AddItemToArray(f->merges, v);
        return 0;
    }
    while (v->child)
        cJSON_AddItemToArray(f->merges, cJSON_DetachItemViaPointer(v, v->child));
    cJSON_Delete(v);
    return 0;
}

/* Keys of the merge sources that the map does not set itself; earlier
 * sources win over later ones. */
static void apply_merges(struct frame *f)
{
    if (!f->merges)
        return;
    for (cJSON *src = f->merges->child; src; src = src->next) {
        cJSON *c = src->child;
        while (c) {
            cJSON *next = c->next;
            if (c->string && !keyset_get(&f->keys, c->string))
                keyset_put(&f->keys, f->node, cJSON_DetachItemViaPointer(src, c));
            c = next;
        }
    }
    cJSON_Delete(f->merges);
    f->merges = NULL;
}

/* Hand a finished node v (owned) to its parent.  keystr (owned, may be NULL)
 * is v's text as a map key, for scalars; merge says v is a "<<" key. */
static int add_value(struct reader *r, cJSON *v, char *keystr, int height, int merge,
                     const yaml_mark_t *m)
{
    if (r->depth == 0) {
        free(keystr);
        cJSON_Delete(r->doc);
        r->doc = v;
        return 0;
    }
    struct frame *f = &r->stack[r->depth - 1];
    if (height > f->height)
        f->height = height;
    if (cJSON_IsArray(f->node)) {
        free(keystr);
        cJSON_AddItemToArray(f->node, v);
        return 0;
    }
    if (!f->key) {
        f->key = keystr ? keystr : json_key(v);
        f->key_merge = merge;
        cJSON_Delete(v);
        return f->key ? 0 : fail_at(r, E_PARSE, m, "map keys must be scalars");
    }
    free(keystr);
    char *key = f->key;
    f->key = NULL;
    if (f->key_merge) {
        free(key);
        return add_merge(r, f, v, m);
    }
    /* duplicate keys: the last one wins, in the first one's place */
    v->string = key;
    keyset_put(&f->keys, f->node, v);
    return 0;
}

static int on_scalar(struct reader *r, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *want = NULL;
    struct scalar sv = {R_STR, 0, 0, 0, 0};
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    int rc = budget(r, 1, ev->data.scalar.length, &ev->start_mark);
    if (rc < 0)
        return rc;
    if (tag && resolve_tagged(s, tag, &sv, &want) < 0)
        return fail_at(r, E_PARSE, &ev->start_mark, "cannot decode !!%s `%s` as a !!%s",
                       rkind_tag(sv.kind), s, want);
    if (!tag && plain && ev->data.scalar.plain_implicit)
        resolve_plain(s, &sv);
    int merge = !strcmp(s, "<<") &&
                ((!tag && plain) || (tag && !strcmp(tag, TAG_PREFIX "merge")));
    cJSON *v = scalar_json(s, &sv);
    if (ev->data.scalar.anchor) {
        rc = anchor_add(r, (const char *)ev->data.scalar.anchor, v, 1, ev->data.scalar.length, 0,
                        &ev->start_mark);
        if (rc < 0) {
            cJSON_Delete(v);
            return rc;
        }
    }
    return add_value(r, v, scalar_key(s, &sv), 0, merge, &ev->start_mark);
}

static int on_alias(struct reader *r, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const struct anchor *a = anchor_find(r, name);
    if (!a)
        return fail_at(r, E_PARSE, &ev->start_mark, "unknown anchor '%s' referenced", name);
    if (r->depth + (size_t)a->height > YDOC_MAX_DEPTH)
        return fail_at(r, E_TOOBIG, &ev->start_mark, "nesting deeper than %d after alias expansion",
                       YDOC_MAX_DEPTH);
    int rc = budget(r, a->nodes, a->bytes, &ev->start_mark);
    if (rc < 0)
        return rc;
    cJSON *v = cJSON_Duplicate(a->node, 1);
    if (!v)
        abort();
    return add_value(r, v, NULL, a->height, 0, &ev->start_mark);
}

static int on_start(struct reader *r, const yaml_event_t *ev, int map)
{
    if (r->depth >= YDOC_MAX_DEPTH)
        return fail_at(r, E_TOOBIG, &ev->start_mark, "nesting deeper than %d", YDOC_MAX_DEPTH);
    int rc = budget(r, 1, 0, &ev->start_mark);
    if (rc < 0)
        return rc;
    const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor
                                    : ev->data.sequence_start.anchor;
    XGROW(r->stack, r->cap, r->depth + 1);
    struct frame *f = &r->stack[r->depth++];
    memset(f, 0, sizeof(*f));
    f->node = map ? cJSON_CreateObject() : cJSON_CreateArray();
    f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
    f->nodes0 = r->nodes - 1;
    f->bytes0 = r->bytes;
    f->mark = ev->start_mark;
    return 0;
}

static void frame_release(struct frame *f)
{
    free(f->keys.slots);
    cJSON_Delete(f->node);
    cJSON_Delete(f->merges);
    free(f->key);
    free(f->anchor);
}

static int on_end(struct reader *r)
{
    struct frame f = r->stack[--r->depth];
    apply_merges(&f);
    int height = f.height + 1;
    int rc = 0;
    if (f.anchor)
        rc = anchor_add(r, f.anchor, f.node, r->nodes - f.nodes0, r->bytes - f.bytes0, height,
                        &f.mark);
    if (rc < 0) {
        frame_release(&f);
        return rc;
    }
    cJSON *node = f.node;
    f.node = NULL;
    frame_release(&f);
    return add_value(r, node, NULL, height, 0, &f.mark);
}

static void on_document_end(struct reader *r)
{
    anchors_clear(r);
    if (!r->doc || cJSON_IsNull(r->doc)) {
        cJSON_Delete(r->doc);
        r->doc = NULL;
        return;
    }
    if (++r->ndocs == 2)
        r->second = r->doc_start;
    cJSON_AddItemToArray(r->docs, r->doc);
    r->doc = NULL;
}

static int on_event(struct reader *r, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        r->doc_start = ev->start_mark;
        return 0;
    case YAML_DOCUMENT_END_EVENT:
        on_document_end(r);
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(r, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(r, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(r, ev, 0);
    case YAML_MAPPING_START_EVENT:
        return on_start(r, ev, 1);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(r);
    default:
        return 0;
    }
}

static int read_stream(struct reader *r)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&r->parser, &ev))
            return parser_fail(r);
        int rc = on_event(r, &ev);
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (rc < 0 || end)
            return rc;
    }
}

static int parse_stream(struct reader *r, const char *text, size_t len, const char *name,
                        struct err *err)
{
    memset(r, 0, sizeof(*r));
    r->name = name ? name : "<yaml>";
    r->text = text ? text : "";
    r->len = len;
    r->err = err;
    if (len > YDOC_MAX_INPUT)
        return err_set(err, E_TOOBIG, "%s: input too big (%zu bytes, max %zu MiB)", r->name, len,
                       YDOC_MAX_INPUT >> 20);
    if (!yaml_parser_initialize(&r->parser))
        return err_set(err, E_INTERNAL, "%s: cannot initialise the yaml parser", r->name);
    yaml_parser_set_input_string(&r->parser, (const unsigned char *)r->text, len);
    r->docs = cJSON_CreateArray();
    int rc = read_stream(r);
    yaml_parser_delete(&r->parser);
    while (r->depth > 0)
        frame_release(&r->stack[--r->depth]);
    free(r->stack);
    anchors_clear(r);
    free(r->anchors);
    cJSON_Delete(r->doc);
    if (rc < 0) {
        cJSON_Delete(r->docs);
        r->docs = NULL;
    }
    return rc;
}

int ydoc_parse_all(cJSON **out, const char *text, size_t len, const char *name, struct err *err)
{
    struct reader r;
    *out = NULL;
    int rc = parse_stream(&r, text, len, name, err);
    if (rc == 0)
        *out = r.docs;
    return rc;
}

int ydoc_parse_one(cJSON **out, const char *text, size_t len, const char *name, struct err *err)
{
    struct reader r;
    *out = NULL;
    int rc = parse_stream(&r, text, len, name, err);
    if (rc < 0)
        return rc;
    int n = r.ndocs;
    if (n > 1) {
        rc = fail_at(&r, E_PARSE, &r.second, "expected a single document, found %d", n);
        cJSON_Delete(r.docs);
        return rc;
    }
    *out = n ? cJSON_DetachItemFromArray(r.docs, 0) : cJSON_CreateNull();
    cJSON_Delete(r.docs);
    return 0;
}

/* ==== emitter: character classes (libyaml yaml_private.h) ==================== */

typedef const unsigned char *ucp;

static size_t u8_width(unsigned char c)
{
    return (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                           : (c & 0xF8) == 0xF0 ? 4 : 1;
}

static int is_printable(ucp p)
{
    return p[0] == 0x0A || (p[0] >= 0x20 && p[0] <= 0x7E) || (p[0] == 0xC2 && p[1] >= 0xA0) ||
           (p[0] > 0xC2 && p[0] < 0xED) || (p[0] == 0xED && p[1] < 0xA0) || p[0] == 0xEE ||
           (p[0] == 0xEF && !(p[1] == 0xBB && p[2] == 0xBF) &&
            !(p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)));
}

static int is_break(ucp p)
{
    return p[0] == '\r' || p[0] == '\n' || (p[0] == 0xC2 && p[1] == 0x85) ||
           (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9));
}

static int is_blankz(ucp p, ucp end)
{
    return p >= end || *p == ' ' || *p == '\t' || *p == '\0' || is_break(p);
}

static int is_bom(ucp p)
{
    return p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

/* Length of the valid UTF-8 sequence at p (before end), 0 if invalid. */
static size_t u8_valid(ucp p, ucp end)
{
    size_t n = u8_width(*p);
    if (*p < 0x80)
        return 1;
    if (*p < 0xC2 || *p > 0xF4 || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
        (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* s with every invalid UTF-8 byte replaced by U+FFFD (as encoding/json does
 * before go-yaml sees it); NULL when s is valid. */
static char *u8_sanitize(const char *s)
{
    ucp p = (ucp)s, end = p + strlen(s);
    ucp q = p;
    while (q < end && u8_valid(q, end))
        q += u8_valid(q, end);
    if (q >= end)
        return NULL;
    struct buf b = BUF_INIT;
    while (p < end) {
        size_t n = u8_valid(p, end);
        if (n) {
            buf_add(&b, p, n);
            p += n;
        } else {
            buf_puts(&b, "\xEF\xBF\xBD");
            p++;
        }
    }
    return buf_detach(&b, NULL);
}

/* ==== emitter: state and primitives (libyaml emitter.c) ====================== */

struct emitter {
    struct buf *out;
    unsigned flags;
    int column, indent, whitespace, indention;
    int best_width;
};

static void em_put(struct emitter *e, char c)
{
    buf_putc(e->out, c);
    e->column++;
}

static void em_break(struct emitter *e)
{
    buf_putc(e->out, '\n');
    e->column = 0;
}

/* Copy one character (all of its UTF-8 bytes); returns its width. */
static size_t em_write(struct emitter *e, ucp p)
{
    size_t w = u8_width(*p);
    buf_add(e->out, p, w);
    e->column++;
    return w;
}

/* Copy one line break (a '\n', or the bytes of another break character) and
 * start a new, indented line; returns its width (libyaml's WRITE_BREAK). */
static size_t em_write_break(struct emitter *e, ucp p)
{
    size_t w = u8_width(*p);
    if (*p == '\n')
        buf_putc(e->out, '\n');
    else
        buf_add(e->out, p, w);
    e->column = 0;
    e->indention = 1;
    return w;
}

static void em_indent(struct emitter *e)
{
    int indent = e->indent >= 0 ? e->indent : 0;
    if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
        em_break(e);
    while (e->column < indent)
        em_put(e, ' ');
    e->whitespace = 1;
    e->indention = 1;
}

static void em_indicator(struct emitter *e, const char *ind, int need_ws, int is_ws,
                         int is_indention)
{
    if (need_ws && !e->whitespace)
        em_put(e, ' ');
    while (*ind)
        em_put(e, *ind++);
    e->whitespace = is_ws;
    e->indention = e->indention && is_indention;
}

static void em_increase_indent(struct emitter *e, int flow, int indentless)
{
    if (e->indent < 0)
        e->indent = flow ? 2 : 0;
    else if (!indentless)
        e->indent += 2;
}

/* ==== emitter: scalar analysis and style (yaml_emitter_analyze_scalar) ====== */

enum style { ST_PLAIN, ST_SINGLE, ST_DOUBLE, ST_LITERAL };

struct analysis {
    int multiline, block_plain, single_ok, block_ok;
};

struct scan_flags {
    int block_ind, breaks, special, lead_space, lead_break, trail_space, trail_break;
    int break_space, space_break;
};

static void scan_indicators(ucp p, ucp start, int preceded_ws, int followed_ws,
                            struct scan_flags *f)
{
    if (p == start) {
        if (strchr("#,[]{}&*!|>'\"%@`", *p) && *p)
            f->block_ind = 1;
        if ((*p == '?' || *p == ':') && followed_ws)
            f->block_ind = 1;
        if (*p == '-' && followed_ws)
            f->block_ind = 1;
    } else {
        if (*p == ':' && followed_ws)
            f->block_ind = 1;
        if (*p == '#' && preceded_ws)
            f->block_ind = 1;
    }
}

static void scan_spaces(ucp p, ucp start, ucp end, int *prev_space, int *prev_break,
                        struct scan_flags *f)
{
    if (*p == ' ') {
        f->lead_space |= p == start;
        f->trail_space |= p + 1 == end;
        f->break_space |= *prev_break;
        *prev_space = 1;
        *prev_break = 0;
    } else if (is_break(p)) {
        f->lead_break |= p == start;
        f->trail_break |= p + u8_width(*p) == end;
        f->space_break |= *prev_space;
        *prev_space = 0;
        *prev_break = 1;
    } else {
        *prev_space = 0;
        *prev_break = 0;
    }
}

static void analyze(const char *s, size_t len, struct analysis *a)
{
    ucp start = (ucp)s, end = start + len, p = start;
    struct scan_flags f;
    memset(&f, 0, sizeof(f));
    if (len == 0) {
        *a = (struct analysis){0, 1, 1, 0};
        return;
    }
    if (len >= 3 && ((p[0] == '-' && p[1] == '-' && p[2] == '-') ||
                     (p[0] == '.' && p[1] == '.' && p[2] == '.')))
        f.block_ind = 1;
    int preceded_ws = 1, prev_space = 0, prev_break = 0;
    int followed_ws = is_blankz(p + u8_width(*p), end);
    while (p < end) {
        scan_indicators(p, start, preceded_ws, followed_ws, &f);
        if (!is_printable(p) || is_bom(p))
            f.special = 1;
        if (is_break(p))
            f.breaks = 1;
        scan_spaces(p, start, end, &prev_space, &prev_break, &f);
        preceded_ws = is_blankz(p, end);
        p += u8_width(*p);
        if (p < end)
            followed_ws = is_blankz(p + u8_width(*p), end);
    }
    a->multiline = f.breaks;
    a->block_plain = !(f.lead_space || f.lead_break || f.trail_space || f.trail_break ||
                       f.break_space || f.space_break || f.special || f.breaks || f.block_ind);
    a->single_ok = !(f.break_space || f.space_break || f.special);
    a->block_ok = !(f.trail_space || f.space_break || f.special);
}

/* ==== emitter: scalar writers ================================================ */

static void write_plain(struct emitter *e, const char *s, size_t len, int allow_breaks)
{
    ucp p = (ucp)s, end = p + len;
    int spaces = 0;
    if (!e->whitespace)
        em_put(e, ' ');
    while (p < end) {
        if (*p == ' ') {
            if (allow_breaks && !spaces && e->column > e->best_width && !(p + 1 < end && p[1] == ' ')) {
                em_indent(e);
                p++;
            } else {
                p += em_write(e, p);
            }
            spaces = 1;
        } else {
            p += em_write(e, p);
            e->indention = 0;
            spaces = 0;
        }
    }
    e->whitespace = 0;
    e->indention = 0;
}

static void write_single(struct emitter *e, const char *s, size_t len, int allow_breaks)
{
    ucp start = (ucp)s, end = start + len, p = start;
    int spaces = 0, breaks = 0;
    em_indicator(e, "'", 1, 0, 0);
    while (p < end) {
        if (*p == ' ') {
            if (allow_breaks && !spaces && e->column > e->best_width && p != start &&
                p != end - 1 && !(p + 1 < end && p[1] == ' ')) {
                em_indent(e);
                p++;
            } else {
                p += em_write(e, p);
            }
            spaces = 1;
        } else if (is_break(p)) {
            if (!breaks && *p == '\n')
                em_break(e);
            p += em_write_break(e, p);
            breaks = 1;
        } else {
            if (breaks)
                em_indent(e);
            if (*p == '\'')
                em_put(e, '\'');
            p += em_write(e, p);
            e->indention = 0;
            spaces = 0;
            breaks = 0;
        }
    }
    if (breaks)
        em_indent(e);
    em_indicator(e, "'", 0, 0, 0);
    e->whitespace = 0;
    e->indention = 0;
}

static void write_escape(struct emitter *e, ucp p, size_t w)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned v = w == 1 ? p[0] : w == 2 ? p[0] & 0x1Fu : w == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (size_t k = 1; k < w; k++)
        v = (v << 6) | (p[k] & 0x3Fu);
    const char *simple = NULL;
    switch (v) {
    case 0x00: simple = "0"; break;
    case 0x07: simple = "a"; break;
    case 0x08: simple = "b"; break;
    case 0x09: simple = "t"; break;
    case 0x0A: simple = "n"; break;
    case 0x0B: simple = "v"; break;
    case 0x0C: simple = "f"; break;
    case 0x0D: simple = "r"; break;
    case 0x1B: simple = "e"; break;
    case 0x22: simple = "\""; break;
    case 0x5C: simple = "\\"; break;
    case 0x85: simple = "N"; break;
    case 0xA0: simple = "_"; break;
    case 0x2028: simple = "L"; break;
    case 0x2029: simple = "P"; break;
    }
    em_put(e, '\\');
    if (simple) {
        em_put(e, *simple);
        return;
    }
    int digits = v <= 0xFF ? 2 : v <= 0xFFFF ? 4 : 8;
    em_put(e, digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
    for (int k = (digits - 1) * 4; k >= 0; k -= 4)
        em_put(e, hex[(v >> k) & 0x0F]);
}

static void write_double(struct emitter *e, const char *s, size_t len, int allow_breaks)
{
    ucp start = (ucp)s, end = start + len, p = start;
    int spaces = 0;
    em_indicator(e, "\"", 1, 0, 0);
    while (p < end) {
        if (!is_printable(p) || is_bom(p) || is_break(p) || *p == '"' || *p == '\\') {
            size_t w = u8_width(*p);
            write_escape(e, p, w);
            p += w;
            spaces = 0;
        } else if (*p == ' ') {
            if (allow_breaks && !spaces && e->column > e->best_width && p != start &&
                p != end - 1) {
                em_indent(e);
                if (p + 1 < end && p[1] == ' ')
                    em_put(e, '\\');
                p++;
            } else {
                p += em_write(e, p);
            }
            spaces = 1;
        } else {
            p += em_write(e, p);
            spaces = 0;
        }
    }
    em_indicator(e, "\"", 0, 0, 0);
    e->whitespace = 0;
    e->indention = 0;
}

static void write_block_hints(struct emitter *e, const char *s, size_t len)
{
    ucp start = (ucp)s, end = start + len, p;
    const char *chomp = NULL;
    if (len && (*start == ' ' || is_break(start)))
        em_indicator(e, "2", 0, 0, 0);
    if (!len) {
        chomp = "-";
    } else {
        p = end;
        do
            p--;
        while ((*p & 0xC0) == 0x80);
        if (!is_break(p)) {
            chomp = "-";
        } else if (p == start) {
            chomp = "+";
        } else {
            do
                p--;
            while ((*p & 0xC0) == 0x80);
            if (is_break(p))
                chomp = "+";
        }
    }
    if (chomp)
        em_indicator(e, chomp, 0, 0, 0);
}

static void write_literal(struct emitter *e, const char *s, size_t len)
{
    ucp p = (ucp)s, end = p + len;
    int breaks = 1;
    em_indicator(e, "|", 1, 0, 0);
    write_block_hints(e, s, len);
    em_break(e);
    e->indention = 1;
    e->whitespace = 1;
    while (p < end) {
        if (is_break(p)) {
            p += em_write_break(e, p);
            breaks = 1;
        } else {
            if (breaks)
                em_indent(e);
            p += em_write(e, p);
            e->indention = 0;
            breaks = 0;
        }
    }
}

/* ==== emitter: what needs quoting ============================================ */

/* go-yaml's parseTimestamp: 2006-1-2, 2006-1-2T15:4:5.999999999Z07:00 (T or t),
 * 2006-1-2 15:4:5.999999999.  Such strings are quoted on output. */
static int ts_num(const char **p, int *v)
{
    if (!is_digit(**p))
        return 0;
    *v = *(*p)++ - '0';
    if (is_digit(**p))
        *v = *v * 10 + (*(*p)++ - '0');
    return 1;
}

static int ts_date(const char **pp)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = *pp;
    int y = 0, mo, d;
    for (int i = 0; i < 4; i++) {
        if (!is_digit(p[i]))
            return 0;
        y = y * 10 + (p[i] - '0');
    }
    p += 4;
    if (*p++ != '-' || !ts_num(&p, &mo) || *p++ != '-' || !ts_num(&p, &d))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    *pp = p;
    return 1;
}

static int ts_zone(const char *p)
{
    if (p[0] == 'Z' && !p[1])
        return 1;
    return (p[0] == '+' || p[0] == '-') && is_digit(p[1]) && is_digit(p[2]) && p[3] == ':' &&
           is_digit(p[4]) && is_digit(p[5]) && !p[6];
}

static int is_timestamp(const char *s)
{
    const char *p = s;
    int h, m, sec;
    if (!ts_date(&p))
        return 0;
    if (!*p)
        return 1;
    char sep = *p++;
    if (sep != 'T' && sep != 't' && sep != ' ')
        return 0;
    if (!ts_num(&p, &h) || *p++ != ':' || !ts_num(&p, &m) || *p++ != ':' || !ts_num(&p, &sec))
        return 0;
    if (h > 23 || m > 59 || sec > 59)
        return 0;
    if ((*p == '.' || *p == ',') && is_digit(p[1]))
        for (p++; is_digit(*p); p++)
            ;
    return sep == ' ' ? !*p : ts_zone(p);
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static int is_base60(const char *s)
{
    const char *p = s;
    int groups = 0;
    if (*p == '+' || *p == '-')
        p++;
    if (!is_digit(*p))
        return 0;
    while (is_digit(*p) || *p == '_')
        p++;
    while (*p == ':') {
        p++;
        if (*p >= '0' && *p <= '5' && is_digit(p[1]))
            p += 2;
        else if (is_digit(*p))
            p++;
        else
            return 0;
        groups++;
    }
    if (*p == '.')
        for (p++; is_digit(*p) || *p == '_'; p++)
            ;
    return groups > 0 && !*p;
}

/* True when s read back plain would be the same string. */
static int plain_is_string(const char *s)
{
    struct scalar sv;
    resolve_plain(s, &sv);
    return sv.kind == R_STR && !is_base60(s) && !is_timestamp(s) && strcmp(s, "<<") != 0;
}

int ydoc_plain_is_string(const char *s)
{
    return plain_is_string(s ? s : "");
}

/* ==== emitter: nodes ========================================================== */

static void emit_scalar(struct emitter *e, const char *s, enum style style, int simple_key)
{
    size_t len = strlen(s);
    struct analysis a;
    analyze(s, len, &a);
    if (simple_key && a.multiline)
        style = ST_DOUBLE;
    if (style == ST_PLAIN && (!a.block_plain || (!len && simple_key)))
        style = ST_SINGLE;
    if (style == ST_SINGLE && !a.single_ok)
        style = ST_DOUBLE;
    if (style == ST_LITERAL && (!a.block_ok || simple_key))
        style = ST_DOUBLE;
    int saved = e->indent;
    em_increase_indent(e, 1, 0);
    switch (style) {
    case ST_PLAIN: write_plain(e, s, len, !simple_key); break;
    case ST_SINGLE: write_single(e, s, len, !simple_key); break;
    case ST_DOUBLE: write_double(e, s, len, !simple_key); break;
    case ST_LITERAL: write_literal(e, s, len); break;
    }
    e->indent = saved;
}

/* Style as go-yaml's encoder picks it for a string (encode.go stringv). A
 * carriage return is the one departure: go-yaml writes it raw inside quotes
 * or blocks, where it reads back as a line break, so we escape it. */
static void emit_string(struct emitter *e, const char *str, int simple_key)
{
    char *fixed = u8_sanitize(str ? str : "");
    const char *s = fixed ? fixed : str ? str : "";
    enum style style = ST_DOUBLE;
    if (strchr(s, '\r'))
        style = ST_DOUBLE;
    else if (strchr(s, '\n'))
        style = ST_LITERAL;
    else if (plain_is_string(s))
        style = ST_PLAIN;
    emit_scalar(e, s, style, simple_key);
    free(fixed);
}

static int key_is_simple(const char *key)
{
    size_t len = strlen(key);
    if (len > 128)
        return 0;
    for (ucp p = (ucp)key; *p; p++)
        if (is_break(p))
            return 0;
    return 1;
}

/* ---- key order ---- */

static int go_is_letter(uint32_t r)
{
    if (r < 0x80)
        return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    /* approximation of unicode.IsLetter for the rest */
    return r >= 0xC0 && r != 0xD7 && r != 0xF7 && !(r >= 0x2000 && r <= 0x2BFF) &&
           !(r >= 0x3000 && r <= 0x303F) && !(r >= 0xFE00 && r <= 0xFE6F) && r != 0xFFFD;
}

static size_t u8_runes(const char *s, uint32_t **out)
{
    size_t n = 0, cap = 0;
    uint32_t *v = NULL;
    for (ucp p = (ucp)s; *p;) {
        size_t w = u8_width(*p), k;
        uint32_t r = w == 1 ? p[0] : w == 2 ? p[0] & 0x1Fu : w == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
        for (k = 1; k < w && p[k]; k++)
            r = (r << 6) | (p[k] & 0x3Fu);
        p += k;
        XGROW(v, cap, n + 1);
        v[n++] = r;
    }
    *out = v;
    return n;
}

static int go_digit(uint32_t r)
{
    return r >= '0' && r <= '9';
}

/* go-yaml v2 sorted.go keyList.Less for two strings. */
static int go_key_less(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        if (a[i] == b[i])
            continue;
        int al = go_is_letter(a[i]), bl = go_is_letter(b[i]);
        if (al && bl)
            return a[i] < b[i];
        if (al || bl)
            return bl;
        uint64_t an = 0, bn = 0;
        size_t ai, bi;
        if (a[i] == '0' || b[i] == '0') {
            for (size_t j = i; j-- > 0 && go_digit(a[j]);) {
                if (a[j] != '0') {
                    an = bn = 1;
                    break;
                }
            }
        }
        for (ai = i; ai < na && go_digit(a[ai]); ai++)
            an = an * 10 + (a[ai] - '0');
        for (bi = i; bi < nb && go_digit(b[bi]); bi++)
            bn = bn * 10 + (b[bi] - '0');
        if (an != bn)
            return (int64_t)an < (int64_t)bn;
        if (ai != bi)
            return ai < bi;
        return a[i] < b[i];
    }
    return na < nb;
}

static int cmp_bytes(const void *x, const void *y)
{
    const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
    return strcmp(a->string ? a->string : "", b->string ? b->string : "");
}

struct gokey {
    const cJSON *node;
    uint32_t *runes;
    size_t n;
};

static void merge_runs(struct gokey *v, struct gokey *tmp, size_t lo, size_t mid, size_t hi)
{
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (go_key_less(v[j].runes, v[j].n, v[i].runes, v[i].n))
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++];
    }
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < hi)
        tmp[k++] = v[j++];
    memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
}

/* go-yaml's order.  Its Less is not transitive for every set of keys, so the
 * items are sorted bytewise first and then merge-sorted stably: the result
 * depends on the set of keys only, not on their order in the document. */
static void sort_go(const cJSON **items, size_t count)
{
    qsort(items, count, sizeof(*items), cmp_bytes);
    struct gokey *v = xmalloc(count * sizeof(*v)), *tmp = xmalloc(count * sizeof(*v));
    for (size_t i = 0; i < count; i++) {
        v[i].node = items[i];
        v[i].n = u8_runes(items[i]->string ? items[i]->string : "", &v[i].runes);
    }
    for (size_t w = 1; w < count; w *= 2)
        for (size_t lo = 0; lo + w < count; lo += 2 * w)
            merge_runs(v, tmp, lo, lo + w, lo + 2 * w < count ? lo + 2 * w : count);
    for (size_t i = 0; i < count; i++) {
        items[i] = v[i].node;
        free(v[i].runes);
    }
    free(v);
    free(tmp);
}

static const cJSON **map_items(const struct emitter *e, const cJSON *n, size_t *count)
{
    size_t k = 0;
    for (const cJSON *c = n->child; c; c = c->next)
        k++;
    const cJSON **v = xmalloc((k ? k : 1) * sizeof(*v));
    k = 0;
    for (const cJSON *c = n->child; c; c = c->next)
        v[k++] = c;
    if ((e->flags & YDOC_SORT_GO) && k > 1)
        sort_go(v, k);
    else if (e->flags & YDOC_SORT_KEYS)
        qsort(v, k, sizeof(*v), cmp_bytes);
    *count = k;
    return v;
}

static void emit_node(struct emitter *e, const cJSON *n, int mapping_ctx);

static void emit_map(struct emitter *e, const cJSON *n)
{
    size_t count;
    const cJSON **items = map_items(e, n, &count);
    int saved = e->indent;
    em_increase_indent(e, 0, 0);
    for (size_t i = 0; i < count; i++) {
        const char *key = items[i]->string ? items[i]->string : "";
        em_indent(e);
        if (key_is_simple(key)) {
            emit_string(e, key, 1);
            em_indicator(e, ":", 0, 0, 0);
        } else {
            em_indicator(e, "?", 1, 0, 1);
            emit_string(e, key, 0);
            em_indent(e);
            em_indicator(e, ":", 1, 0, 1);
        }
        emit_node(e, items[i], 1);
    }
    e->indent = saved;
    free(items);
}

static void emit_seq(struct emitter *e, const cJSON *n, int mapping_ctx)
{
    int saved = e->indent;
    em_increase_indent(e, 0, mapping_ctx && !e->indention && !(e->flags & YDOC_INDENT_SEQ));
    for (const cJSON *c = n->child; c; c = c->next) {
        em_indent(e);
        em_indicator(e, "-", 1, 0, 1);
        emit_node(e, c, 0);
    }
    e->indent = saved;
}

static void emit_node(struct emitter *e, const cJSON *n, int mapping_ctx)
{
    struct buf num = BUF_INIT;
    switch (n ? n->type & 0xFF : cJSON_NULL) {
    case cJSON_Object:
    case cJSON_Array:
        if (!n->child) {
            em_indicator(e, cJSON_IsObject(n) ? "{" : "[", 1, 1, 0);
            em_indicator(e, cJSON_IsObject(n) ? "}" : "]", 0, 0, 0);
        } else if (cJSON_IsObject(n)) {
            emit_map(e, n);
        } else {
            emit_seq(e, n, mapping_ctx);
        }
        break;
    case cJSON_String: emit_string(e, n->valuestring, 0); break;
    case cJSON_Number:
        json_format_number(n->valuedouble, JSON_NUM_YAML, &num);
        emit_scalar(e, num.ptr, ST_PLAIN, 0);
        break;
    case cJSON_True: emit_scalar(e, "true", ST_PLAIN, 0); break;
    case cJSON_False: emit_scalar(e, "false", ST_PLAIN, 0); break;
    case cJSON_Raw: emit_scalar(e, n->valuestring ? n->valuestring : "null", ST_PLAIN, 0); break;
    default: emit_scalar(e, "null", ST_PLAIN, 0); break;
    }
    buf_release(&num);
}

void ydoc_emit(const cJSON *doc, unsigned flags, struct buf *out)
{
    struct emitter e = {out, flags, 0, -1, 1, 1, (flags & YDOC_NO_FOLD) ? INT_MAX : 80};
    emit_node(&e, doc, 0);
    e.indent = -1;
    em_indent(&e);
}
