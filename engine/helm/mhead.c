/* mhead.c -- a manifest's kind and hook annotation from libyaml's events.
 * Building a cJSON tree of every rendered document (ydoc_parse_all) was a
 * fifth of the render time; walking the events costs only the scan.  The
 * walk keeps a small state per nesting level: is it a map, does it wait for a
 * key, which of the interesting maps it is (the document, metadata,
 * metadata.annotations) and which interesting key it is under.  Whenever
 * ydoc's typing or caps could decide differently from this walk, the walk
 * gives up and ydoc_parse_all decides (the slow path, also used for errors).
 */
#include "helm/mhead.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/mem.h"
#include "core/ydoc.h"

/* ydoc's caps: past them ydoc decides. */
#define WALK_MAX_DEPTH 512
#define WALK_MAX_NODES ((size_t)1000000)
#define WALK_MAX_INPUT ((size_t)64 << 20)

#define SLOW 1 /* walk result: let ydoc decide */

enum role { R_OTHER, R_DOC, R_META, R_ANN };
enum hkey { K_OTHER, K_KIND, K_META, K_ANN, K_HOOK };

struct level {
    unsigned char map, want_key, role, key;
};

struct walk {
    struct level lv[WALK_MAX_DEPTH];
    int depth;     /* lv[depth - 1] is the innermost open container */
    int have_head; /* a map document was read: later documents are only checked */
    size_t nodes;
    struct mhead *h;
};

void mhead_release(struct mhead *h)
{
    free(h->kind);
    free(h->hook);
    h->kind = h->hook = NULL;
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

/* ==== slow path: the whole tree ========================================================= */

static const char *json_type(const cJSON *d)
{
    return cJSON_IsArray(d) ? "array" : cJSON_IsString(d) ? "string"
           : cJSON_IsNumber(d) ? "number" : "bool";
}

static int slow_read(struct mhead *h, const char *doc, size_t len, const char *path,
                     struct err *err)
{
    cJSON *docs = NULL;
    struct err e = ERR_INIT;
    if (ydoc_parse_all(&docs, doc, len, path, &e) < 0)
        return err_set(err, E_PARSE, "YAML parse error on %s: %s", path, e.msg);
    const cJSON *d = cJSON_GetArrayItem(docs, 0);
    int rc = 0;
    if (d && !cJSON_IsObject(d)) {
        rc = err_set(err, E_PARSE, "YAML parse error on %s: error unmarshaling JSON: while "
                     "decoding JSON: json: cannot unmarshal %s into Go value of type "
                     "releaseutil.SimpleHead", path, json_type(d));
    } else {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(d, "kind");
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(d, "metadata");
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
        const cJSON *hook = cJSON_GetObjectItemCaseSensitive(ann, "helm.sh/hook");
        set_str(&h->kind, cJSON_IsString(kind) ? kind->valuestring : "");
        set_str(&h->hook, cJSON_IsString(hook) ? hook->valuestring : NULL);
    }
    cJSON_Delete(docs);
    return rc;
}

/* ==== fast path: events ================================================================= */

static enum hkey key_of(enum role r, const char *s)
{
    if (r == R_DOC)
        return !strcmp(s, "kind") ? K_KIND : !strcmp(s, "metadata") ? K_META : K_OTHER;
    if (r == R_META)
        return !strcmp(s, "annotations") ? K_ANN : K_OTHER;
    if (r == R_ANN)
        return !strcmp(s, "helm.sh/hook") ? K_HOOK : K_OTHER;
    return K_OTHER;
}

/* The value under parent's current key is s (a string scalar) or NULL (any
 * other node).  Later duplicates of a key replace earlier ones, as in ydoc. */
static void take_value(struct walk *w, const struct level *p, const char *s)
{
    if (p->role == R_DOC && p->key == K_KIND)
        set_str(&w->h->kind, s);
    else if ((p->role == R_DOC && p->key == K_META) || (p->role == R_META && p->key == K_ANN) ||
             (p->role == R_ANN && p->key == K_HOOK))
        set_str(&w->h->hook, s);
}

static int on_scalar(struct walk *w, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (ev->data.scalar.tag || ev->data.scalar.anchor || w->depth == 0)
        return SLOW; /* typed, shared, or a scalar document */
    struct level *p = &w->lv[w->depth - 1];
    if (p->map && p->want_key) {
        if (plain && !strcmp(s, "<<"))
            return SLOW; /* merge key */
        p->key = (unsigned char)key_of(p->role, s);
        p->want_key = 0;
        return 0;
    }
    if (p->map && p->key != K_OTHER) {
        int typed = p->key == K_KIND || p->key == K_HOOK;
        if (typed && plain && !ydoc_plain_is_string(s))
            return SLOW; /* null, bool, number, date: ydoc knows which */
        take_value(w, p, typed ? s : NULL);
    }
    p->want_key = p->map;
    return 0;
}

static int on_start(struct walk *w, const yaml_event_t *ev, int map)
{
    const void *anchor = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    const void *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    if (anchor || tag || w->depth >= WALK_MAX_DEPTH)
        return SLOW;
    enum role role = R_OTHER;
    if (w->depth == 0) {
        if (!map && !w->have_head)
            return SLOW; /* a list document: ydoc words the error */
        role = map && !w->have_head ? R_DOC : R_OTHER;
    } else {
        const struct level *p = &w->lv[w->depth - 1];
        if (p->map && p->want_key)
            return SLOW; /* a map or list as a key */
        if (p->map)
            take_value(w, p, NULL);
        if (map && p->role == R_DOC && p->key == K_META)
            role = R_META;
        else if (map && p->role == R_META && p->key == K_ANN)
            role = R_ANN;
    }
    struct level *l = &w->lv[w->depth++];
    l->map = (unsigned char)map;
    l->want_key = (unsigned char)map;
    l->role = (unsigned char)role;
    l->key = K_OTHER;
    return 0;
}

static void on_end(struct walk *w)
{
    const struct level *l = &w->lv[--w->depth];
    if (l->role == R_DOC)
        w->have_head = 1;
    if (w->depth > 0)
        w->lv[w->depth - 1].want_key = w->lv[w->depth - 1].map;
}

static int on_event(struct walk *w, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return ++w->nodes > WALK_MAX_NODES ? SLOW : on_scalar(w, ev);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return ++w->nodes > WALK_MAX_NODES ? SLOW
                                           : on_start(w, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        on_end(w);
        return 0;
    case YAML_ALIAS_EVENT:
        return SLOW;
    default:
        return 0;
    }
}

/* 0: *h filled; SLOW: ydoc must decide (errors included). */
static int fast_read(struct mhead *h, const char *doc, size_t len)
{
    yaml_parser_t p;
    struct walk walk, *w = &walk;
    int rc = 0;
    w->depth = w->have_head = 0;
    w->nodes = 0;
    w->h = h;
    if (len > WALK_MAX_INPUT || !yaml_parser_initialize(&p))
        return SLOW;
    yaml_parser_set_input_string(&p, (const unsigned char *)doc, len);
    for (int end = 0; !end && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = SLOW;
            break;
        }
        rc = on_event(w, &ev);
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (rc == 0 && !h->kind)
        h->kind = xstrdup("");
    return rc;
}

int mhead_read(struct mhead *h, const char *doc, size_t len, const char *path, struct err *err)
{
    h->kind = h->hook = NULL;
    int rc = fast_read(h, doc, len);
    if (rc == 0)
        return 0;
    mhead_release(h);
    rc = slow_read(h, doc, len, path, err);
    if (rc < 0)
        mhead_release(h);
    return rc;
}
