/* tarball.c -- gzip (zlib) and tar readers for packaged charts (tarball.h).
 * The whole archive is inflated into memory (capped), then walked header by
 * header: every size is checked against what is left before it is used, and
 * every name is cleaned and checked before it is returned.
 */
#include "helm/tarball.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/mem.h"

#define BLOCK 512
#define PAX_MAX (1u << 20) /* bytes of one pax extended header */
#define HARD_MAX (1u << 30) /* max_bytes is clamped to this */

int tarball_is_gzip(const void *data, size_t len)
{
    const unsigned char *p = data;
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

void tarball_release(struct tarball *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->f[i].name);
        free(t->f[i].data);
    }
    free(t->f);
    memset(t, 0, sizeof *t);
}

/* ---- gzip ----------------------------------------------------------------------- */

/* Inflate gz into *out (*n bytes).  Stops once more than max bytes came out:
 * returns 1 then (*out holds the first max + 1 bytes), 0 when complete. */
static int gunzip(const unsigned char *gz, size_t len, size_t max, const char *label,
                  unsigned char **out, size_t *n, struct err *err)
{
    if (!tarball_is_gzip(gz, len))
        return err_set(err, E_PARSE, "%s: not a gzip archive", label);
    if (len > UINT_MAX)
        return err_set(err, E_TOOBIG, "%s: archive too large", label);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return err_set(err, E_INTERNAL, "%s: cannot start zlib", label);
    zs.next_in = (Bytef *)gz;
    zs.avail_in = (uInt)len;
    size_t cap = len * 4 < 65536 ? 65536 : len * 4, got = 0;
    if (cap > max + 1)
        cap = max + 1;
    unsigned char *buf = xmalloc(cap);
    int rc = 0;
    while (rc == 0 && got <= max) {
        if (got == cap) {
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = xrealloc(buf, cap);
        }
        zs.next_out = buf + got;
        zs.avail_out = (uInt)(cap - got);
        int z = inflate(&zs, Z_NO_FLUSH);
        got = cap - zs.avail_out;
        size_t at = len - zs.avail_in;
        if (z == Z_STREAM_END) {
            if (zs.avail_in == 0)
                break;
            inflateReset(&zs); /* another gzip member follows */
        } else if (z == Z_BUF_ERROR && zs.avail_out != 0) {
            rc = zs.avail_in ? err_set(err, E_INTERNAL, "%s: zlib made no progress", label)
                             : err_set(err, E_PARSE, "%s: truncated: the gzip data ends at "
                                       "byte %zu, before the end of its stream", label, at);
        } else if (z == Z_DATA_ERROR) {
            rc = err_set(err, E_PARSE, "%s: corrupt gzip data near byte %zu: %s", label, at,
                         zs.msg ? zs.msg : "invalid data");
        } else if (z != Z_OK && z != Z_BUF_ERROR) {
            rc = err_set(err, E_INTERNAL, "%s: zlib error %d", label, z);
        }
    }
    inflateEnd(&zs);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *n = got;
    return got > max;
}

/* ---- tar headers ------------------------------------------------------------------- */

struct trd {
    const unsigned char *p;
    size_t len, max;
    const char *label;
    struct tarball *t;
    size_t cap;
    char *next_name;     /* from a GNU long name or a pax path record */
    int64_t next_size;   /* from a pax size record; -1 none */
    struct err *err;
};

/* A numeric field: octal text, or GNU base-256 (high bit of the first byte). */
static int num_field(const unsigned char *f, size_t n, int64_t *out)
{
    uint64_t v = 0;
    if (f[0] & 0x80) {
        if (f[0] & 0x40)
            return -1; /* negative */
        v = f[0] & 0x3f;
        for (size_t i = 1; i < n; i++) {
            if (v >> 54)
                return -1;
            v = v << 8 | f[i];
        }
        *out = (int64_t)v;
        return 0;
    }
    size_t i = 0, e = n;
    while (i < n && (f[i] == ' ' || f[i] == 0))
        i++;
    while (e > i && (f[e - 1] == ' ' || f[e - 1] == 0))
        e--;
    for (; i < e; i++) {
        if (f[i] < '0' || f[i] > '7' || v >> 60)
            return -1;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    *out = (int64_t)v;
    return 0;
}

static int checksum_ok(const unsigned char *h)
{
    int64_t want;
    if (num_field(h + 148, 8, &want) < 0)
        return 0;
    int64_t u = 0, s = 0;
    for (int i = 0; i < BLOCK; i++) {
        int c = i >= 148 && i < 156 ? ' ' : h[i];
        u += c;
        s += c >= 128 ? c - 256 : c;
    }
    return want == u || want == s;
}

static int all_zero(const unsigned char *h)
{
    for (int i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

/* The header's own name: POSIX ustar puts a prefix in front. */
static char *header_name(const unsigned char *h)
{
    char name[101], prefix[156];
    memcpy(name, h, 100);
    name[100] = 0;
    memcpy(prefix, h + 345, 155);
    prefix[155] = 0;
    if (!memcmp(h + 257, "ustar\0", 6) && prefix[0])
        return xasprintf("%s/%s", prefix, name);
    return xstrdup(name);
}

/* ---- names -------------------------------------------------------------------------- */

/* Clean raw into *out: '\' as separator when present, no empty or "."
 * components.  Refuses absolute paths, ".." and drive letters. */
static const char *clean_name(const char *raw, char **out)
{
    *out = NULL;
    if (strlen(raw) > TARBALL_MAX_NAME)
        return "name too long";
    char *s = xstrdup(raw);
    if (strchr(s, '\\'))
        for (char *q = s; *q; q++)
            *q = *q == '\\' ? '/' : *q;
    const char *why = NULL;
    if (s[0] == '/')
        why = "absolute path";
    struct buf b = BUF_INIT;
    for (char *save = NULL, *c = strtok_r(s, "/", &save); c && !why;
         c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".."))
            why = "path with a '..' component";
        else if (!b.len && ((c[0] | 0x20) >= 'a' && (c[0] | 0x20) <= 'z') && c[1] == ':')
            why = "path with a drive letter";
        else if (strcmp(c, "."))
            buf_addf(&b, "%s%s", b.len ? "/" : "", c);
    }
    free(s);
    if (why) {
        buf_release(&b);
        return why;
    }
    *out = xstrdup(b.len ? b.ptr : "");
    buf_release(&b);
    return NULL;
}

/* ---- entries ------------------------------------------------------------------------ */

/* A pax record set ("LEN key=value\n"...): path and size. */
static int pax_parse(struct trd *r, const unsigned char *d, size_t n, size_t at)
{
    size_t pos = 0;
    while (pos < n) {
        size_t len = 0, i = pos;
        while (i < n && d[i] >= '0' && d[i] <= '9' && len < PAX_MAX)
            len = len * 10 + (size_t)(d[i++] - '0');
        if (i >= n || d[i] != ' ' || len < 5 || len > n - pos || d[pos + len - 1] != '\n')
            return err_set(r->err, E_PARSE, "%s: invalid pax header at byte %zu", r->label, at);
        const unsigned char *kv = d + i + 1, *end = d + pos + len - 1;
        const unsigned char *eq = memchr(kv, '=', (size_t)(end - kv));
        if (!eq)
            return err_set(r->err, E_PARSE, "%s: invalid pax record at byte %zu", r->label, at);
        size_t klen = (size_t)(eq - kv), vlen = (size_t)(end - eq - 1);
        if (klen == 4 && !memcmp(kv, "path", 4)) {
            if (memchr(eq + 1, 0, vlen) || vlen > TARBALL_MAX_NAME)
                return err_set(r->err, E_PARSE, "%s: bad pax path at byte %zu", r->label, at);
            free(r->next_name);
            r->next_name = xstrndup((const char *)eq + 1, vlen);
        } else if (klen == 4 && !memcmp(kv, "size", 4)) {
            int64_t v = 0;
            for (size_t k = 0; k < vlen; k++) {
                if (eq[1 + k] < '0' || eq[1 + k] > '9' || v > INT64_MAX / 16)
                    return err_set(r->err, E_PARSE, "%s: bad pax size at byte %zu", r->label, at);
                v = v * 10 + (eq[1 + k] - '0');
            }
            r->next_size = v;
        }
        pos += len;
    }
    return 0;
}

static int add_file(struct trd *r, const char *name, size_t at, const unsigned char *d,
                    size_t n)
{
    if (!*name)
        return err_set(r->err, E_PARSE, "%s: file entry at byte %zu has an empty name",
                       r->label, at);
    if (r->t->n >= TARBALL_MAX_FILES)
        return err_set(r->err, E_TOOBIG, "%s: entry '%s' at byte %zu: more than %d files",
                       r->label, name, at, TARBALL_MAX_FILES);
    XGROW(r->t->f, r->cap, r->t->n + 1);
    struct tarball_file *f = &r->t->f[r->t->n++];
    f->name = xstrdup(name);
    f->data = xmalloc(n + 1);
    memcpy(f->data, d, n);
    f->data[n] = 0;
    f->len = n;
    return 0;
}

/* One entry whose data (n bytes) starts at byte `at` + 512. */
static int entry(struct trd *r, const unsigned char *h, const char *raw, size_t at,
                 const unsigned char *d, size_t n)
{
    int type = h[156];
    if (type == 'L') {
        if (n > TARBALL_MAX_NAME || memchr(d, 0, n) == d)
            return err_set(r->err, E_PARSE, "%s: bad GNU long name at byte %zu", r->label, at);
        free(r->next_name);
        r->next_name = xstrndup((const char *)d, n);
        return 0;
    }
    if (type == 'x')
        return pax_parse(r, d, n, at);
    if (type == 'g' || type == 'K')
        return 0;
    if (type != '0' && type != 0 && type != '7' && type != '5')
        return err_set(r->err, E_INVALID, "%s: entry '%s' at byte %zu: unsupported entry type "
                       "'%c' (only regular files and directories)", r->label, raw, at,
                       type >= 32 && type < 127 ? type : '?');
    char *name = NULL;
    const char *why = clean_name(raw, &name);
    int rc = 0;
    if (why)
        rc = err_set(r->err, E_INVALID, "%s: entry '%s' at byte %zu: illegal name (%s)",
                     r->label, raw, at, why);
    else if (type != '5')
        rc = add_file(r, name, at, d, n);
    free(name);
    return rc;
}

/* The header at byte at: size checks, then the entry; *next is the next header. */
static int header(struct trd *r, size_t at, size_t *next)
{
    const unsigned char *h = r->p + at;
    if (!checksum_ok(h))
        return err_set(r->err, E_PARSE, "%s: invalid tar header at byte %zu (bad checksum)",
                       r->label, at);
    int64_t size;
    if (num_field(h + 124, 12, &size) < 0)
        return err_set(r->err, E_PARSE, "%s: invalid size in the tar header at byte %zu",
                       r->label, at);
    int ext = h[156] == 'L' || h[156] == 'x' || h[156] == 'g' || h[156] == 'K';
    if (!ext && r->next_size >= 0)
        size = r->next_size;
    char *raw = !ext && r->next_name ? xstrdup(r->next_name) : header_name(h);
    size_t data = at + BLOCK;
    int rc = 0;
    if ((uint64_t)size > r->max - data || (ext && (uint64_t)size > PAX_MAX))
        rc = err_set(r->err, E_TOOBIG, "%s: entry '%s' at byte %zu is %lld bytes: over the "
                     "limit of %zu uncompressed bytes", r->label, raw, at, (long long)size,
                     ext ? (size_t)PAX_MAX : r->max);
    else if ((uint64_t)size > r->len - data)
        rc = err_set(r->err, E_PARSE, "%s: truncated: entry '%s' at byte %zu has %lld bytes "
                     "of data but the archive ends at byte %zu", r->label, raw, at,
                     (long long)size, r->len);
    if (rc == 0) {
        if (!ext) {
            free(r->next_name);
            r->next_name = NULL;
            r->next_size = -1;
        }
        rc = entry(r, h, raw, at, r->p + data, (size_t)size);
        size_t end = data + (((size_t)size + BLOCK - 1) / BLOCK) * BLOCK;
        *next = end < r->len ? end : r->len;
    }
    free(raw);
    return rc;
}

int tarball_read_tar(struct tarball *t, const void *tar, size_t len, size_t max_bytes,
                     const char *label, struct err *err)
{
    struct trd r = {tar, len, max_bytes ? max_bytes : TARBALL_MAX_BYTES, label, t, 0, NULL,
                    -1, err};
    memset(t, 0, sizeof *t);
    if (r.max > HARD_MAX)
        r.max = HARD_MAX;
    if (len > r.max)
        return err_set(err, E_TOOBIG, "%s: over the limit of %zu uncompressed bytes", label,
                       r.max);
    size_t at = 0;
    int rc = 0;
    while (rc == 0 && at < len) {
        if (len - at < BLOCK)
            rc = err_set(err, E_PARSE, "%s: truncated: the tar header at byte %zu is "
                         "incomplete", label, at);
        else if (all_zero(r.p + at))
            break; /* end of archive */
        else
            rc = header(&r, at, &at);
    }
    if (rc == 0 && (r.next_name || r.next_size >= 0))
        rc = err_set(err, E_PARSE, "%s: truncated: an extended header is not followed by "
                     "its entry", label);
    free(r.next_name);
    if (rc < 0) {
        tarball_release(t);
        return rc;
    }
    t->bytes = len;
    return 0;
}

int tarball_read(struct tarball *t, const void *gz, size_t len, size_t max_bytes,
                 const char *label, struct err *err)
{
    unsigned char *tar = NULL;
    size_t n = 0, max = max_bytes ? max_bytes : TARBALL_MAX_BYTES;
    memset(t, 0, sizeof *t);
    if (max > HARD_MAX)
        max = HARD_MAX;
    int over = gunzip(gz, len, max, label, &tar, &n, err);
    if (over < 0)
        return over;
    /* Over the cap: the entry that does not fit is the better message. */
    int rc = tarball_read_tar(t, tar, over ? max : n, max, label, err);
    if (over && rc != E_TOOBIG) {
        tarball_release(t);
        rc = err_set(err, E_TOOBIG, "%s: over the limit of %zu uncompressed bytes", label,
                     max);
    }
    free(tar);
    return rc;
}
