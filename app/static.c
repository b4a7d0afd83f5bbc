/* static.c -- safe static file resolution and the lock-free-read file cache.
 *
 * The cache is a fixed open-addressing table of atomic entry pointers.
 * Readers probe it without a lock; inserts and refreshes take the site mutex
 * and publish a fully built entry with one release store.  A replaced entry
 * is not freed at once but retired for STATIC_GRACE_SECONDS, long enough for
 * any reader that found it to have finished (a reader holds an entry only for
 * the duration of one request callback; responses the server built from it
 * are refcounted by the HTTP library and outlive the entry safely).
 */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"

struct entry {
    struct static_file f; /* first: a static_file* is an entry* */
    char *key;            /* normalised request path */
    uint64_t hash;
    char *real;           /* realpath of the file */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
    _Atomic long next_check; /* coarse monotonic second of the next stat */
    int gone;                /* the file vanished: a tombstone keeping the probe chain */
    int transient;           /* not in the cache: freed by static_site_put */
    long retired_at;
    struct entry *retired_next;
};

struct static_site {
    char *root; /* realpath of the folder */
    size_t rootlen;
    struct static_subst *subst;
    int nsubst;
    struct static_hooks hooks;
    pthread_mutex_t lock; /* inserts, refreshes, the retired list */
    size_t count;
    struct entry *retired;
    struct entry *_Atomic slots[STATIC_CACHE_SLOTS];
};

/* ---- pure helpers ------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* End of a segment written at out[start..*len): drop "." and empty ones,
 * refuse "..". */
static int close_segment(char *out, size_t start, size_t *len, struct err *err)
{
    size_t n = *len - start;
    if (n == 2 && out[start] == '.' && out[start + 1] == '.')
        return err_set(err, E_INVALID, "path escapes the site ('..' segment)");
    if (n == 0 || (n == 1 && out[start] == '.')) {
        *len = start; /* forget it, and the '/' before it */
        if (*len > 0)
            (*len)--;
    }
    return 0;
}

/* Decode one byte at *p (an escape or a plain character) into *c. */
static int decode_byte(const char **p, char *c, struct err *err)
{
    const char *s = *p;
    if (*s == '%') {
        int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
        if (hi < 0 || lo < 0)
            return err_set(err, E_INVALID, "bad percent escape in path");
        *c = (char)(hi * 16 + lo);
        if (*c == '\0' || *c == '/')
            return err_set(err, E_INVALID, "encoded %s in path", *c ? "'/'" : "NUL");
        *p = s + 3;
    } else {
        *c = *s;
        *p = s + 1;
    }
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
        return err_set(err, E_INVALID, "control character in path");
    return 0;
}

int static_path_normalize(const char *raw, char *out, size_t outsz, struct err *err)
{
    if (!raw || raw[0] != '/')
        return err_set(err, E_INVALID, "path must start with '/'");
    size_t len = 0, seg = 0;
    int rc = 0;
    const char *p = raw + 1;
    while (*p) {
        if (*p == '/') {
            rc = close_segment(out, seg, &len, err);
            if (rc < 0)
                return rc;
            if (len + 2 > outsz)
                return err_set(err, E_TOOBIG, "path too long");
            if (len > 0)
                out[len++] = '/';
            seg = len;
            p++;
            continue;
        }
        char c = 0;
        rc = decode_byte(&p, &c, err);
        if (rc < 0)
            return rc;
        if (len + 2 > outsz)
            return err_set(err, E_TOOBIG, "path too long");
        out[len++] = c;
    }
    size_t before = len;
    rc = close_segment(out, seg, &len, err);
    if (rc < 0)
        return rc;
    /* a trailing "/" (or "/." ) means "this folder": keep one '/' as the mark */
    int folder = raw[strlen(raw) - 1] == '/' || len < before;
    if (folder && len > 0 && out[len - 1] != '/') {
        if (len + 2 > outsz)
            return err_set(err, E_TOOBIG, "path too long");
        out[len++] = '/';
    }
    out[len] = '\0';
    return 0;
}

static const struct {
    const char *ext, *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

const char *static_content_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) {
        for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    }
    return "application/octet-stream";
}

static uint64_t fnv1a(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void static_etag(const void *data, size_t len, char out[24])
{
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)fnv1a(data, len));
}

/* Compare one entity tag at s (length n) with etag, ignoring W/. */
static int tag_equal(const char *s, size_t n, const char *etag)
{
    if (n >= 2 && s[0] == 'W' && s[1] == '/') {
        s += 2;
        n -= 2;
    }
    const char *e = etag;
    if (e[0] == 'W' && e[1] == '/')
        e += 2;
    return n == strlen(e) && memcmp(s, e, n) == 0;
}

int static_etag_match(const char *if_none_match, const char *etag)
{
    const char *p = if_none_match;
    if (!p)
        return 0;
    for (;;) {
        p += strspn(p, " \t,");
        if (!*p)
            return 0;
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if ((m == 1 && p[0] == '*') || tag_equal(p, m, etag))
            return 1;
        p += n;
    }
}

static void html_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

char *static_substitute(const char *src, size_t srclen, const struct static_subst *subst,
                        int nsubst, size_t *len)
{
    struct buf b = BUF_INIT;
    buf_grow(&b, srclen);
    size_t i = 0;
    while (i < srclen) {
        int hit = -1;
        if (src[i] == '_') {
            for (int k = 0; k < nsubst && hit < 0; k++) {
                size_t kl = strlen(subst[k].key);
                if (kl && kl <= srclen - i && memcmp(src + i, subst[k].key, kl) == 0)
                    hit = k;
            }
        }
        if (hit >= 0) {
            html_escape(&b, subst[hit].value);
            i += strlen(subst[hit].key);
        } else {
            buf_add(&b, src + i, 1);
            i++;
        }
    }
    return buf_detach(&b, len);
}

/* ---- resolving and loading ---------------------------------------------------------- */

static long coarse_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (long)ts.tv_sec;
}

static int inside_root(const static_site *s, const char *real)
{
    return strncmp(real, s->root, s->rootlen) == 0 &&
           (real[s->rootlen] == '/' || real[s->rootlen] == '\0');
}

/* realpath of name, checked to lie inside the root, and its stat. */
static int real_inside(static_site *s, const char *name, char **real, struct stat *st,
                       struct err *err)
{
    char *rp = realpath(name, NULL);
    if (!rp) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
            return err_set(err, E_NOTFOUND, "no such file");
        return err_set(err, errno == EACCES ? E_FORBIDDEN : E_IO, "cannot resolve path: %s",
                       strerror(errno));
    }
    if (!inside_root(s, rp)) {
        free(rp);
        return err_set(err, E_FORBIDDEN, "path resolves outside the site");
    }
    if (stat(rp, st) != 0) {
        free(rp);
        return err_set(err, E_NOTFOUND, "no such file");
    }
    *real = rp;
    return 0;
}

/* Map a normalised path to the real path of a regular file inside the root;
 * a folder means its index.html. */
static int resolve(static_site *s, const char *path, char **real, struct stat *st,
                   struct err *err)
{
    size_t n = strlen(path);
    int folder = n == 0 || path[n - 1] == '/';
    char *name = xasprintf("%s/%s%s", s->root, path, folder ? "index.html" : "");
    char *rp = NULL;
    int rc = real_inside(s, name, &rp, st, err);
    if (rc == 0 && S_ISDIR(st->st_mode)) {
        free(name);
        name = xasprintf("%s/index.html", rp);
        free(rp);
        rp = NULL;
        rc = real_inside(s, name, &rp, st, err);
    }
    if (rc == 0 && !S_ISREG(st->st_mode))
        rc = err_set(err, E_NOTFOUND, "not a regular file");
    if (rc == 0 && st->st_size > STATIC_FILE_MAX)
        rc = err_set(err, E_TOOBIG, "file larger than %d bytes", STATIC_FILE_MAX);
    free(name);
    if (rc < 0) {
        free(rp);
        return rc;
    }
    *real = rp;
    return 0;
}

static int read_all(const char *real, const struct stat *st, char **data, struct err *err)
{
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == EACCES ? E_FORBIDDEN : E_IO, "cannot open file: %s",
                       strerror(errno));
    size_t want = (size_t)st->st_size, got = 0;
    char *p = xmalloc(want + 1);
    while (got < want) {
        ssize_t r = read(fd, p + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != want) {
        free(p);
        return err_set(err, E_IO, "short read (file changed while reading)");
    }
    p[got] = '\0';
    *data = p;
    return 0;
}

static int is_html(const char *name)
{
    return strcmp(static_content_type(name), "text/html; charset=utf-8") == 0;
}

/* Fill the static_file view of e from its contents. */
static void entry_describe(static_site *s, struct entry *e, char *data, size_t len)
{
    if (is_html(e->real) && s->nsubst) {
        size_t n;
        char *sub = static_substitute(data, len, s->subst, s->nsubst, &n);
        free(data);
        data = sub;
        len = n;
    }
    e->f.data = data;
    e->f.len = len;
    e->f.path = e->real + s->rootlen + 1;
    e->f.content_type = static_content_type(e->real);
    e->f.mtime = e->mtim.tv_sec;
    static_etag(data, len, e->f.etag);
    struct tm tm;
    gmtime_r(&e->f.mtime, &tm);
    strftime(e->f.last_modified, sizeof(e->f.last_modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void entry_free(static_site *s, struct entry *e)
{
    if (!e)
        return;
    if (e->f.attached && s->hooks.detach)
        s->hooks.detach(s->hooks.ctx, e->f.attached);
    free((char *)e->f.data);
    free(e->key);
    free(e->real);
    free(e);
}

/* Resolve and read path into a new, unpublished entry. */
static int entry_load(static_site *s, const char *path, uint64_t hash, struct entry **out,
                      struct err *err)
{
    struct stat st;
    char *real = NULL, *data = NULL;
    int rc = resolve(s, path, &real, &st, err);
    if (rc == 0)
        rc = read_all(real, &st, &data, err);
    if (rc < 0) {
        free(real);
        return rc;
    }
    struct entry *e = xcalloc(1, sizeof(*e));
    e->key = xstrdup(path);
    e->hash = hash;
    e->real = real;
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = st.st_size;
    e->mtim = st.st_mtim;
    e->next_check = coarse_now() + 1;
    entry_describe(s, e, data, (size_t)st.st_size);
    *out = e;
    return 0;
}

static struct entry *tombstone(const char *path, uint64_t hash)
{
    struct entry *e = xcalloc(1, sizeof(*e));
    e->key = xstrdup(path);
    e->hash = hash;
    e->gone = 1;
    e->next_check = coarse_now() + 1;
    return e;
}

/* ---- the cache ------------------------------------------------------------------------ */

/* Slot holding path, or the empty slot ending its probe chain; -1 if full. */
static long probe(static_site *s, const char *path, uint64_t hash, struct entry **found)
{
    size_t i = (size_t)hash & (STATIC_CACHE_SLOTS - 1);
    for (size_t n = 0; n < STATIC_CACHE_SLOTS; n++, i = (i + 1) & (STATIC_CACHE_SLOTS - 1)) {
        struct entry *e = atomic_load_explicit(&s->slots[i], memory_order_acquire);
        if (!e || (e->hash == hash && strcmp(e->key, path) == 0)) {
            *found = e;
            return (long)i;
        }
    }
    *found = NULL;
    return -1;
}

/* Free retired entries whose grace period is over.  Lock held. */
static void reap(static_site *s, int all)
{
    long now = coarse_now();
    struct entry **pp = &s->retired;
    while (*pp) {
        struct entry *e = *pp;
        if (all || now - e->retired_at > STATIC_GRACE_SECONDS) {
            *pp = e->retired_next;
            entry_free(s, e);
        } else {
            pp = &e->retired_next;
        }
    }
}

static void retire(static_site *s, struct entry *e)
{
    e->retired_at = coarse_now();
    e->retired_next = s->retired;
    s->retired = e;
}

static void publish(static_site *s, long slot, struct entry *e)
{
    if (!e->gone && s->hooks.attach)
        e->f.attached = s->hooks.attach(s->hooks.ctx, &e->f);
    atomic_store_explicit(&s->slots[slot], e, memory_order_release);
}

static int same_file(const struct entry *e, const struct stat *st, const char *real)
{
    return !e->gone && e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtim.tv_sec == st->st_mtim.tv_sec && e->mtim.tv_nsec == st->st_mtim.tv_nsec &&
           strcmp(e->real, real) == 0;
}

/* Re-resolve a cached path; replace its entry if the file changed or went. */
static void refresh(static_site *s, long slot, struct entry *old)
{
    struct stat st;
    char *real = NULL;
    pthread_mutex_lock(&s->lock);
    reap(s, 0);
    if (atomic_load(&s->slots[slot]) != old)
        goto out; /* someone else replaced it */
    int rc = resolve(s, old->key, &real, &st, NULL);
    if (rc == 0 && same_file(old, &st, real))
        goto out;
    struct entry *e = NULL;
    if (rc == 0)
        rc = entry_load(s, old->key, old->hash, &e, NULL);
    if (rc < 0)
        e = tombstone(old->key, old->hash);
    publish(s, slot, e);
    retire(s, old);
out:
    pthread_mutex_unlock(&s->lock);
    free(real);
}

/* Load path and cache it, or hand it out as transient when the cache is full. */
static int insert(static_site *s, const char *path, uint64_t hash, struct entry **out,
                  struct err *err)
{
    struct entry *e = NULL;
    pthread_mutex_lock(&s->lock);
    reap(s, 0);
    long slot = probe(s, path, hash, &e);
    if (e && !e->gone)
        goto out; /* another thread got here first */
    e = NULL;
    int rc = entry_load(s, path, hash, &e, err);
    if (rc < 0) {
        pthread_mutex_unlock(&s->lock);
        return rc;
    }
    struct entry *old = slot >= 0 ? atomic_load(&s->slots[slot]) : NULL;
    if (old) { /* a tombstone of this path: replace it */
        publish(s, slot, e);
        retire(s, old);
    } else if (slot >= 0 && s->count < STATIC_CACHE_SLOTS * 3 / 4) {
        s->count++;
        publish(s, slot, e);
    } else {
        e->transient = 1;
    }
out:
    pthread_mutex_unlock(&s->lock);
    *out = e;
    return 0;
}

int static_site_get(static_site *s, const char *path, const struct static_file **out,
                    struct err *err)
{
    uint64_t hash = fnv1a(path, strlen(path));
    struct entry *e;
    long slot = probe(s, path, hash, &e);
    if (e) {
        long now = coarse_now();
        long due = atomic_load_explicit(&e->next_check, memory_order_relaxed);
        if (now >= due && atomic_compare_exchange_strong(&e->next_check, &due, now + 1)) {
            refresh(s, slot, e);
            e = atomic_load_explicit(&s->slots[slot], memory_order_acquire);
        }
        if (e->gone)
            return err_set(err, E_NOTFOUND, "no such file");
        *out = &e->f;
        return 0;
    }
    int rc = insert(s, path, hash, &e, err);
    if (rc < 0)
        return rc;
    *out = &e->f;
    return 0;
}

void static_site_put(static_site *s, const struct static_file *f)
{
    struct entry *e = (struct entry *)f;
    if (e && e->transient)
        entry_free(s, e);
}

size_t static_site_cached(static_site *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

int static_site_new(static_site **out, const char *root, const struct static_subst *subst,
                    int nsubst, const struct static_hooks *hooks, struct err *err)
{
    char *rp = realpath(root, NULL);
    if (!rp)
        return err_set(err, E_NOTFOUND, "static folder '%s': %s", root, strerror(errno));
    struct stat st;
    if (stat(rp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(rp);
        return err_set(err, E_INVALID, "static folder '%s' is not a folder", root);
    }
    static_site *s = xcalloc(1, sizeof(*s));
    s->root = rp;
    s->rootlen = strlen(rp);
    if (s->rootlen == 1) /* "/" as root: inside_root compares "" + '/' */
        s->rootlen = 0;
    s->subst = nsubst ? xcalloc((size_t)nsubst, sizeof(*s->subst)) : NULL;
    for (int i = 0; i < nsubst; i++) {
        s->subst[i].key = xstrdup(subst[i].key);
        s->subst[i].value = xstrdup(subst[i].value ? subst[i].value : "");
    }
    s->nsubst = nsubst;
    if (hooks)
        s->hooks = *hooks;
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return 0;
}

void static_site_free(static_site *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < STATIC_CACHE_SLOTS; i++)
        entry_free(s, atomic_load(&s->slots[i]));
    reap(s, 1);
    for (int i = 0; i < s->nsubst; i++) {
        free((char *)s->subst[i].key);
        free((char *)s->subst[i].value);
    }
    free(s->subst);
    pthread_mutex_destroy(&s->lock);
    free(s->root);
    free(s);
}
