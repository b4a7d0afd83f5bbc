/* chart.c -- loading chart directories and resolving their values.
 * Loading mirrors helm's pkg/chart/loader (LoadDir then LoadFiles): walk the
 * tree in lexical order with .helmignore applied, then sort every file into
 * the chart or a subchart.  Resolving mirrors pkg/chartutil dependencies.go
 * (processDependencyEnabled, processImportValues) and coalesce.go.
 */
#include "helm/chart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/ydoc.h"
#include "helm/semver.h"
#include "helm/tarball.h"
#include "helm/tval.h"
#include "helm/values.h"

#define CHART_FILE_MAX (64u << 20)
#define CHART_MAX_FILES 20000
#define CHART_MAX_DEPTH 32

/* ---- .helmignore ----------------------------------------------------------- */

struct ign_rule {
    char *pat;
    int negate, must_dir, mode; /* mode: 0 base name, 1 full path */
};

struct ignore {
    struct ign_rule *r;
    size_t n, cap;
};

static void ign_add(struct ignore *ig, const char *line)
{
    struct ign_rule r = {0};
    if (*line == '!') {
        r.negate = 1;
        line++;
    }
    char *p = xstrdup(line);
    size_t n = strlen(p);
    if (n > 1 && p[n - 1] == '/') {
        r.must_dir = 1;
        p[n - 1] = 0;
    }
    if (*p == '/') {
        memmove(p, p + 1, strlen(p));
        r.mode = 1;
    } else if (strchr(p, '/')) {
        r.mode = 1;
    }
    r.pat = p;
    XGROW(ig->r, ig->cap, ig->n + 1);
    ig->r[ig->n++] = r;
}

static void ign_parse(struct ignore *ig, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = xstrndup(p, n);
        char *s = line, *e = line + strlen(line);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = 0;
        if (*s && *s != '#')
            ign_add(ig, s);
        free(line);
        p += n;
        if (*p)
            p++;
    }
}

static void ign_release(struct ignore *ig)
{
    for (size_t i = 0; i < ig->n; i++)
        free(ig->r[i].pat);
    free(ig->r);
}

/* helm/pkg/ignore Rules.Ignore, including its odd negation semantics. */
static int ign_match(const struct ignore *ig, const char *rel, int is_dir)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    for (size_t i = 0; i < ig->n; i++) {
        const struct ign_rule *r = &ig->r[i];
        int m = fnmatch(r->pat, r->mode ? rel : base, FNM_PATHNAME) == 0;
        if (r->negate) {
            if ((r->must_dir && !is_dir) || !m)
                return 1;
            continue;
        }
        if (r->must_dir && !is_dir)
            continue;
        if (m)
            return 1;
    }
    return 0;
}

/* ---- reading the tree ------------------------------------------------------- */

struct flist {
    struct chart_file *f;
    size_t n, cap;
};

static void flist_release(struct flist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->f[i].name);
        free(l->f[i].data);
    }
    free(l->f);
    memset(l, 0, sizeof *l);
}

/* The whole file, NUL-terminated, a UTF-8 BOM dropped.  open/fstat/read
 * rather than stdio: a render reads every file of the chart, and stdio's
 * extra calls and buffer showed in the time per render. */
static int read_all(const char *path, char **data, size_t *len, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, E_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    struct buf b = BUF_INIT;
    buf_init(&b, CHART_FILE_MAX);
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size < CHART_FILE_MAX)
        buf_grow(&b, (size_t)st.st_size + 1);
    int bad = 0;
    for (;;) {
        char chunk[16384];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            bad = n < 0;
            break;
        }
        buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    if (bad || b.toobig) {
        buf_release(&b);
        return err_set(err, bad ? E_IO : E_TOOBIG, "cannot read '%s'%s", path,
                       bad ? "" : ": file too big");
    }
    size_t off = (b.len >= 3 && !memcmp(b.ptr, "\xEF\xBB\xBF", 3)) ? 3 : 0;
    *len = b.len - off;
    *data = xmalloc(*len + 1);
    memcpy(*data, b.ptr + off, *len);
    (*data)[*len] = 0;
    buf_release(&b);
    return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk(const char *root, const char *rel, const struct ignore *ig, struct flist *out,
                int depth, struct err *err);

/* dtype: the directory entry's d_type; a stat is needed only when it says
 * neither "directory" nor "regular file" (symbolic links, some filesystems). */
static int walk_entry(const char *root, const char *rel, unsigned char dtype,
                      const struct ignore *ig, struct flist *out, int depth, struct err *err)
{
    char *full = xasprintf("%s/%s", root, rel);
    struct stat st;
    int rc = 0;
    st.st_mode = dtype == DT_DIR ? S_IFDIR : S_IFREG;
    if (dtype != DT_DIR && dtype != DT_REG && stat(full, &st) < 0) {
        rc = err_set(err, E_IO, "cannot stat '%s': %s", full, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        if (!ign_match(ig, rel, 1))
            rc = walk(root, rel, ig, out, depth + 1, err);
    } else if (S_ISREG(st.st_mode) && !ign_match(ig, rel, 0)) {
        if (out->n >= CHART_MAX_FILES) {
            rc = err_set(err, E_TOOBIG, "chart '%s' has more than %d files", root,
                         CHART_MAX_FILES);
        } else {
            struct chart_file f = {xstrdup(rel), NULL, 0};
            rc = read_all(full, &f.data, &f.len, err);
            if (rc < 0) {
                free(f.name);
            } else {
                XGROW(out->f, out->cap, out->n + 1);
                out->f[out->n++] = f;
            }
        }
    }
    free(full);
    return rc;
}

static int walk(const char *root, const char *rel, const struct ignore *ig, struct flist *out,
                int depth, struct err *err)
{
    if (depth > CHART_MAX_DEPTH)
        return err_set(err, E_TOOBIG, "'%s/%s': directories nested too deep", root, rel);
    char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, name_cmp);
    int rc = 0;
    if (n < 0)
        rc = err_set(err, E_IO, "cannot read directory '%s': %s", dir, strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
            char *r = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
            rc = walk_entry(root, r, ents[i]->d_type, ig, out, depth, err);
            free(r);
        }
        free(ents[i]);
    }
    free(ents);
    free(dir);
    return rc;
}

/* ---- building charts from file lists ---------------------------------------- */

/* One chart_load: what is left of the uncompressed bytes all its archives
 * (the chart's and nested subcharts') may take together. */
struct lctx {
    size_t budget;
};

static void chart_add_file(struct chart_file **arr, size_t *n, const struct chart_file *f)
{
    size_t cap = *n;
    XGROW(*arr, cap, *n + 1);
    (*arr)[*n].name = xstrdup(f->name);
    (*arr)[*n].data = xmalloc(f->len + 1);
    memcpy((*arr)[*n].data, f->data, f->len + 1);
    (*arr)[*n].len = f->len;
    (*n)++;
}

static int yaml_first(cJSON **out, const struct chart_file *f, const char *label,
                      struct err *err)
{
    cJSON *docs = NULL;
    int rc = ydoc_parse_all(&docs, f->data, f->len, label, err);
    if (rc < 0)
        return rc;
    cJSON *first = cJSON_DetachItemFromArray(docs, 0);
    cJSON_Delete(docs);
    if (!first || !cJSON_IsObject(first)) {
        cJSON_Delete(first);
        first = cJSON_CreateObject();
    }
    *out = first;
    return 0;
}

static int validate_meta(struct chart *c, const char *label, struct err *err)
{
    char tmp[64];
    const char *name = chart_meta_str(c, "name", tmp, sizeof tmp);
    if (!*name)
        return err_set(err, E_INVALID, "%s: validation: chart.metadata.name is required", label);
    c->name = xstrdup(name);
    const char *ver = chart_meta_str(c, "version", tmp, sizeof tmp);
    if (!*ver)
        return err_set(err, E_INVALID, "%s: validation: chart.metadata.version is required",
                       label);
    if (semver_parse(&(struct semver){0}, ver, NULL) < 0)
        return err_set(err, E_INVALID, "%s: validation: chart.metadata.version '%s' is invalid",
                       label, ver);
    if (!cJSON_GetObjectItemCaseSensitive(c->meta, "apiVersion"))
        cJSON_AddStringToObject(c->meta, "apiVersion", "v1");
    const char *type = chart_meta_str(c, "type", tmp, sizeof tmp);
    if (*type && strcmp(type, "application") && strcmp(type, "library"))
        return err_set(err, E_INVALID, "%s: validation: chart.metadata.type must be application "
                       "or library", label);
    c->is_library = !strcmp(type, "library");
    return 0;
}

static int chart_from_files(struct chart **out, const struct flist *l, const char *label,
                            struct chart *parent, int depth, struct lctx *lc, struct err *err);
static int chart_from_archive(struct chart **out, const char *data, size_t len,
                              const char *label, struct chart *parent, int depth,
                              struct lctx *lc, struct err *err);

/* charts/NAME.tgz (the files l->f[i..j) of that group): a packaged subchart. */
static int load_packaged(struct chart **sc, struct chart *c, const struct flist *l, size_t i,
                         size_t j, const char *label, int depth, struct lctx *lc,
                         struct err *err)
{
    const char *name = l->f[i].name + 7;
    char *sublabel = xasprintf("%s/charts/%.*s", label, (int)strcspn(name, "/"), name);
    int rc;
    if (j != i + 1 || strchr(name, '/'))
        rc = err_set(err, E_INVALID, "%s: expected a packaged chart file, found a directory",
                     sublabel);
    else
        rc = chart_from_archive(sc, l->f[i].data, l->f[i].len, sublabel, c, depth + 1, lc,
                                err);
    free(sublabel);
    return rc;
}

static void add_dep(struct chart *c, struct chart *sc)
{
    size_t cap = c->ndeps;
    XGROW(c->deps, cap, c->ndeps + 1);
    c->deps[c->ndeps++] = sc;
}

/* Files under charts/NAME/... become a subchart; charts/NAME.tgz too. */
static int load_subcharts(struct chart *c, const struct flist *l, const char *label, int depth,
                          struct lctx *lc, struct err *err)
{
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0;) {
        const char *rest = l->f[i].name + 7; /* after "charts/" */
        size_t cn = strcspn(rest, "/");
        struct flist sub = {0};
        size_t j = i;
        for (; j < l->n && !strncmp(l->f[j].name + 7, rest, cn) &&
               (l->f[j].name[7 + cn] == '/' || l->f[j].name[7 + cn] == 0); j++) {
            struct chart_file f = {l->f[j].name + 7 + cn + 1, l->f[j].data, l->f[j].len};
            if (l->f[j].name[7 + cn] == 0)
                continue;
            chart_add_file(&sub.f, &sub.n, &f);
        }
        if (rest[0] == '_' || rest[0] == '.') {
            /* helm skips these */
        } else if (cn > 4 && !strncmp(rest + cn - 4, ".tgz", 4)) {
            struct chart *sc = NULL;
            rc = load_packaged(&sc, c, l, i, j, label, depth, lc, err);
            if (rc == 0)
                add_dep(c, sc);
        } else if (!sub.n) {
            rc = err_set(err, E_INVALID, "%s/charts/%.*s: error unpacking: no files in chart",
                         label, (int)cn, rest);
        } else {
            char *sublabel = xasprintf("%s/charts/%.*s", label, (int)cn, rest);
            struct chart *sc = NULL;
            rc = chart_from_files(&sc, &sub, sublabel, c, depth + 1, lc, err);
            free(sublabel);
            if (rc == 0)
                add_dep(c, sc);
        }
        flist_release(&sub);
        i = j;
    }
    return rc;
}

static int classify(struct chart *c, const struct flist *l, struct flist *subs,
                    const char *label, struct err *err)
{
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct chart_file *f = &l->f[i];
        if (!strcmp(f->name, "values.yaml")) {
            char *vl = xasprintf("%s/values.yaml", label);
            cJSON_Delete(c->values);
            c->values = NULL;
            rc = hvals_load_text(&c->values, f->data, f->len, vl, err);
            free(vl);
        } else if (!strcmp(f->name, "Chart.yaml") || !strcmp(f->name, "Chart.lock") ||
                   !strcmp(f->name, "requirements.lock") ||
                   !strcmp(f->name, "values.schema.json")) {
            continue;
        } else if (!strncmp(f->name, "templates/", 10)) {
            chart_add_file(&c->templates, &c->ntemplates, f);
        } else if (!strncmp(f->name, "charts/", 7) && !strstr(f->name, ".prov")) {
            chart_add_file(&subs->f, &subs->n, f);
        } else {
            chart_add_file(&c->files, &c->nfiles, f);
        }
    }
    return rc;
}

static int load_requirements(struct chart *c, const struct flist *l, const char *label,
                             struct err *err)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->f[i].name, "requirements.yaml"))
            continue;
        char *rl = xasprintf("%s/requirements.yaml", label);
        cJSON *req = NULL;
        int rc = yaml_first(&req, &l->f[i], rl, err);
        free(rl);
        if (rc < 0)
            return rc;
        cJSON *deps = cJSON_DetachItemFromObjectCaseSensitive(req, "dependencies");
        cJSON_Delete(req);
        if (deps) {
            cJSON_DeleteItemFromObjectCaseSensitive(c->meta, "dependencies");
            cJSON_AddItemToObject(c->meta, "dependencies", deps);
        }
    }
    return 0;
}

static int chart_from_files(struct chart **out, const struct flist *l, const char *label,
                            struct chart *parent, int depth, struct lctx *lc, struct err *err)
{
    struct chart *c = xcalloc(1, sizeof *c);
    struct flist subs = {0};
    int rc = 0;
    c->parent = parent;
    c->values = cJSON_CreateObject();
    if (depth > CHART_MAX_DEPTH) {
        rc = err_set(err, E_TOOBIG, "%s: subcharts nested too deep", label);
        goto out;
    }
    for (size_t i = 0; i < l->n && !c->meta; i++) {
        if (!strcmp(l->f[i].name, "Chart.yaml")) {
            char *ml = xasprintf("%s/Chart.yaml", label);
            rc = yaml_first(&c->meta, &l->f[i], ml, err);
            free(ml);
            if (rc < 0)
                goto out;
        }
    }
    if (!c->meta) {
        rc = err_set(err, E_INVALID, "%s: Chart.yaml file is missing", label);
        goto out;
    }
    rc = validate_meta(c, label, err);
    if (rc == 0)
        rc = load_requirements(c, l, label, err);
    if (rc == 0)
        rc = classify(c, l, &subs, label, err);
    if (rc == 0)
        rc = load_subcharts(c, &subs, label, depth, lc, err);
out:
    flist_release(&subs);
    if (rc < 0) {
        chart_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- packaged charts (.tgz) ------------------------------------------------------ */

/* 1 when rel or a folder above it is ignored, as the directory walk would. */
static int ign_path(const struct ignore *ig, const char *rel)
{
    char *p = xstrdup(rel);
    int m = 0;
    for (char *s = strchr(p, '/'); s && !m; s = strchr(s + 1, '/')) {
        *s = 0;
        m = ign_match(ig, p, 1);
        *s = '/';
    }
    if (!m)
        m = ign_match(ig, p, 0);
    free(p);
    return m;
}

/* The order of the directory walk: by component, a folder's files where its
 * name sorts ("a/x" before "a-b"). */
static int walk_order(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (;; p++, q++) {
        unsigned cp = *p == '/' ? 1 : *p, cq = *q == '/' ? 1 : *q;
        if (cp != cq)
            return cp < cq ? -1 : 1;
        if (!*p)
            return 0;
    }
}

struct aent {
    struct chart_file f;
    size_t idx; /* position in the archive */
};

static int aent_cmp(const void *x, const void *y)
{
    const struct aent *a = x, *b = y;
    int c = walk_order(a->f.name, b->f.name);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Sort l in walk order; of files listed twice keep the last (what unpacking
 * the archive leaves). */
static void archive_sort(struct flist *l)
{
    struct aent *a = xmalloc((l->n + 1) * sizeof *a);
    for (size_t i = 0; i < l->n; i++)
        a[i] = (struct aent){l->f[i], i};
    qsort(a, l->n, sizeof *a, aent_cmp);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i + 1 < l->n && !strcmp(a[i].f.name, a[i + 1].f.name)) {
            free(a[i].f.name);
            free(a[i].f.data);
            continue;
        }
        l->f[k++] = a[i].f;
    }
    l->n = k;
    free(a);
}

/* .helmignore of the archive (and the default rule), as for a directory:
 * `helm package` applied it already, a tar made by hand gets the same. */
static void archive_ignore(struct flist *l)
{
    struct ignore ig = {0};
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->f[i].name, ".helmignore"))
            ign_parse(&ig, l->f[i].data);
    ign_add(&ig, "templates/.?*");
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (ign_path(&ig, l->f[i].name)) {
            free(l->f[i].name);
            free(l->f[i].data);
        } else {
            l->f[k++] = l->f[i];
        }
    }
    l->n = k;
    ign_release(&ig);
}

/* The archive's files with its top folder (the chart's name, as helm
 * packages it) taken off their names; *top gets that folder. */
static int archive_flist(struct tarball *t, const char *label, struct flist *l, char **top,
                         struct err *err)
{
    for (size_t i = 0; i < t->n; i++) {
        struct tarball_file *f = &t->f[i];
        const char *slash = strchr(f->name, '/');
        if (!slash)
            return err_set(err, E_INVALID, "%s: '%s' is outside the chart's folder (a chart "
                           "archive holds one folder, the chart)", label, f->name);
        if (!*top)
            *top = xstrndup(f->name, (size_t)(slash - f->name));
        size_t off = (f->len >= 3 && !memcmp(f->data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
        memmove(f->data, f->data + off, f->len - off + 1);
        struct chart_file cf = {xstrdup(slash + 1), f->data, f->len - off};
        f->data = NULL; /* the list owns it now */
        XGROW(l->f, l->cap, l->n + 1);
        l->f[l->n++] = cf;
    }
    archive_ignore(l);
    if (!l->n)
        return err_set(err, E_INVALID, "%s: no files in chart archive", label);
    archive_sort(l);
    return 0;
}

static int chart_from_archive(struct chart **out, const char *data, size_t len,
                              const char *label, struct chart *parent, int depth,
                              struct lctx *lc, struct err *err)
{
    struct tarball t = TARBALL_INIT;
    if (!lc->budget)
        return err_set(err, E_TOOBIG, "%s: the chart's archives are over the limit of %u "
                       "uncompressed bytes", label, TARBALL_MAX_BYTES);
    int rc = tarball_read(&t, data, len, lc->budget, label, err);
    if (rc < 0)
        return rc;
    lc->budget -= t.bytes < lc->budget ? t.bytes : lc->budget;
    struct flist l = {0};
    char *top = NULL;
    rc = archive_flist(&t, label, &l, &top, err);
    tarball_release(&t);
    if (rc == 0) {
        char *cl = xasprintf("%s:%s", label, top);
        rc = chart_from_files(out, &l, cl, parent, depth, lc, err);
        free(cl);
    }
    free(top);
    flist_release(&l);
    return rc;
}

static int load_archive(struct chart **out, const char *path, struct err *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = read_all(path, &data, &len, err);
    if (rc < 0)
        return rc;
    struct lctx lc = {TARBALL_MAX_BYTES};
    if (!tarball_is_gzip(data, len))
        rc = err_set(err, E_INVALID, "file '%s' does not appear to be a gzipped archive (a "
                     "chart is a directory or a .tgz)", path);
    else
        rc = chart_from_archive(out, data, len, path, NULL, 0, &lc, err);
    free(data);
    return rc;
}

/* ---- loading ---------------------------------------------------------------------- */

int chart_load(struct chart **out, const char *path, struct err *err)
{
    struct ignore ig = {0};
    struct flist l = {0};
    struct stat st;
    int rc;
    if (stat(path, &st) < 0)
        return err_set(err, E_NOTFOUND, "path '%s' not found", path);
    if (S_ISREG(st.st_mode))
        return load_archive(out, path, err);
    if (!S_ISDIR(st.st_mode))
        return err_set(err, E_INVALID, "'%s': not a chart directory or a packaged chart",
                       path);
    char *ignpath = xasprintf("%s/.helmignore", path);
    char *igtext = NULL;
    size_t iglen;
    if (access(ignpath, F_OK) == 0) {
        rc = read_all(ignpath, &igtext, &iglen, err);
        if (rc < 0) {
            free(ignpath);
            return rc;
        }
        ign_parse(&ig, igtext);
    }
    free(igtext);
    free(ignpath);
    ign_add(&ig, "templates/.?*");
    rc = walk(path, "", &ig, &l, 0, err);
    if (rc == 0) {
        const char *base = strrchr(path, '/');
        base = (base && base[1]) ? base + 1 : path;
        struct lctx lc = {TARBALL_MAX_BYTES};
        rc = chart_from_files(out, &l, base, NULL, 0, &lc, err);
    }
    flist_release(&l);
    ign_release(&ig);
    return rc;
}

static void files_free(struct chart_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].name);
        free(f[i].data);
    }
    free(f);
}

void chart_free(struct chart *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ndeps; i++)
        chart_free(c->deps[i]);
    free(c->deps);
    files_free(c->templates, c->ntemplates);
    files_free(c->files, c->nfiles);
    cJSON_Delete(c->meta);
    cJSON_Delete(c->values);
    free(c->name);
    free(c);
}

/* ---- small accessors ---------------------------------------------------------- */

void chart_path(const struct chart *c, struct buf *out)
{
    if (c->parent) {
        chart_path(c->parent, out);
        buf_puts(out, "/charts/");
    }
    buf_puts(out, c->name);
}

const char *chart_meta_str(const struct chart *c, const char *key, char *tmp, size_t tmplen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->meta, key);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        /* Go's %v of a float64 ("10", "1.5", "1e+06"): C's %g would print
         * 10 as "1e+01" at the shortest precision that reads back */
        struct buf b = BUF_INIT;
        tval_fmt_float(v->valuedouble, 'g', -1, &b);
        snprintf(tmp, tmplen, "%s", b.ptr);
        buf_release(&b);
        return tmp;
    }
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    return "";
}

/* ---- dependencies and values ------------------------------------------------------ */

static struct chart *chart_clone(const struct chart *c, struct chart *parent)
{
    struct chart *n = xcalloc(1, sizeof *n);
    n->name = xstrdup(c->name);
    n->meta = cJSON_Duplicate(c->meta, 1);
    n->values = cJSON_Duplicate(c->values, 1);
    n->parent = parent;
    n->is_library = c->is_library;
    n->origin = c->origin ? c->origin : c;
    for (size_t i = 0; i < c->ntemplates; i++)
        chart_add_file(&n->templates, &n->ntemplates, &c->templates[i]);
    for (size_t i = 0; i < c->nfiles; i++)
        chart_add_file(&n->files, &n->nfiles, &c->files[i]);
    n->ndeps = c->ndeps;
    n->deps = xcalloc(c->ndeps ? c->ndeps : 1, sizeof *n->deps);
    for (size_t i = 0; i < c->ndeps; i++)
        n->deps[i] = chart_clone(c->deps[i], n);
    return n;
}

struct chart *chart_dup(const struct chart *c)
{
    return chart_clone(c, NULL);
}

static int coalesce(struct chart *c, cJSON *dest, int merge, struct err *err);

static int is_dep_name(const struct chart *c, const char *key)
{
    for (size_t i = 0; i < c->ndeps; i++)
        if (!strcmp(c->deps[i]->name, key))
            return 1;
    return 0;
}

/* coalesceValues: the chart's defaults under dest (dest wins). */
static void coalesce_values(struct chart *c, cJSON *dest, int merge)
{
    for (const cJSON *val = c->values->child; val; val = val->next) {
        cJSON *have = cJSON_GetObjectItemCaseSensitive(dest, val->string);
        if (!have) {
            cJSON_AddItemToObject(dest, val->string, cJSON_Duplicate(val, 1));
        } else if (cJSON_IsNull(have) && !merge) {
            cJSON_DeleteItemFromObjectCaseSensitive(dest, val->string);
        } else if (cJSON_IsObject(have) && cJSON_IsObject(val)) {
            int m = is_dep_name(c, val->string) ? 1 : merge;
            hvals_coalesce_tables(have, val, m);
        }
    }
}

static int coalesce(struct chart *c, cJSON *dest, int merge, struct err *err)
{
    coalesce_values(c, dest, merge);
    for (size_t i = 0; i < c->ndeps; i++) {
        struct chart *d = c->deps[i];
        cJSON *sub = cJSON_GetObjectItemCaseSensitive(dest, d->name);
        if (!sub)
            sub = cJSON_AddObjectToObject(dest, d->name);
        else if (!cJSON_IsObject(sub))
            return err_set(err, E_INVALID, "type mismatch on %s: values for a subchart must "
                           "be a map", d->name);
        hvals_coalesce_globals(sub, dest);
        int rc = coalesce(d, sub, merge, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const char *dep_str(const cJSON *req, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int version_ok(const char *range, const struct chart *c)
{
    char tmp[64];
    return semver_match(range, chart_meta_str(c, "version", tmp, sizeof tmp), NULL) == 1;
}

static int req_matches(const cJSON *req, const struct chart *c)
{
    return !strcmp(dep_str(req, "name"), c->name) && version_ok(dep_str(req, "version"), c);
}

/* The subchart c->deps[i] for one Chart.yaml entry: itself, or a copy when
 * the entry gives an alias (renamed) or an earlier entry took it already. */
static struct chart *dep_take(struct chart *c, size_t i, const char *alias, int used)
{
    struct chart *d = c->deps[i];
    if (!*alias && !used)
        return d;
    d = chart_clone(d, c);
    if (*alias) {
        free(d->name);
        d->name = xstrdup(alias);
        cJSON_DeleteItemFromObjectCaseSensitive(d->meta, "name");
        cJSON_AddStringToObject(d->meta, "name", alias);
    }
    return d;
}

/* Free the old subcharts that are not in the new list nd. */
static void deps_drop_unused(struct chart *c, struct chart *const *nd, size_t n)
{
    for (size_t i = 0; i < c->ndeps; i++) {
        int kept = 0;
        for (size_t j = 0; j < n; j++)
            kept |= nd[j] == c->deps[i];
        if (!kept)
            chart_free(c->deps[i]);
    }
}

/* Rebuild c->deps from Chart.yaml's list: unlisted subcharts stay, listed ones
 * are taken (cloned under their alias when they have one). */
static int deps_rebuild(struct chart *c, const cJSON *reqs, struct err *err)
{
    size_t n = 0, cap = 0;
    struct chart **nd = NULL;
    char *used = xcalloc(c->ndeps + 1, 1);
    const cJSON *req;
    for (size_t i = 0; i < c->ndeps; i++) {
        int listed = 0;
        cJSON_ArrayForEach(req, reqs) listed |= req_matches(req, c->deps[i]);
        if (!listed) {
            XGROW(nd, cap, n + 1);
            nd[n++] = c->deps[i];
            used[i] = 1;
        }
    }
    int rc = 0;
    cJSON_ArrayForEach(req, reqs)
    {
        size_t i = 0;
        while (i < c->ndeps && !req_matches(req, c->deps[i]))
            i++;
        if (i == c->ndeps) {
            rc = err_set(err, E_NOTFOUND, "found in Chart.yaml, but missing in charts/ "
                         "directory: %s", dep_str(req, "name"));
            break;
        }
        const char *alias = dep_str(req, "alias");
        struct chart *d = dep_take(c, i, alias, used[i]);
        used[i] = 1;
        XGROW(nd, cap, n + 1);
        nd[n++] = d;
        if (*alias)
            cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)req, "name",
                                                   cJSON_CreateString(alias));
    }
    deps_drop_unused(c, nd, n);
    free(used);
    free(c->deps);
    c->deps = nd;
    c->ndeps = n;
    return rc;
}

static int tags_enabled(const cJSON *req, const cJSON *cvals)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(cvals, "tags");
    const cJSON *t;
    int has_true = 0, has_false = 0;
    if (!cJSON_IsObject(tags))
        return 1;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(req, "tags"))
    {
        if (!cJSON_IsString(t))
            continue;
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(tags, t->valuestring);
        if (cJSON_IsTrue(b))
            has_true = 1;
        else if (cJSON_IsFalse(b))
            has_false = 1;
    }
    return !( !has_true && has_false);
}

static int cond_enabled(const cJSON *req, const cJSON *cvals, const char *path, int enabled)
{
    const char *cond = dep_str(req, "condition");
    while (*cond == ' ' || *cond == '\t' || *cond == '\n')
        cond++;
    char *copy = xstrdup(cond);
    size_t n = strlen(copy);
    while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\t' || copy[n - 1] == '\n'))
        copy[--n] = 0;
    char *save = NULL;
    for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        char *full = xasprintf("%s%s", path, c);
        const cJSON *v = hvals_path(cvals, full);
        free(full);
        if (cJSON_IsBool(v)) {
            enabled = cJSON_IsTrue(v);
            break;
        }
    }
    free(copy);
    return enabled;
}

static void deps_drop(struct chart *c, cJSON *reqs, const char *name)
{
    size_t j = 0;
    for (size_t i = 0; i < c->ndeps; i++) {
        if (!strcmp(c->deps[i]->name, name))
            chart_free(c->deps[i]);
        else
            c->deps[j++] = c->deps[i];
    }
    c->ndeps = j;
    for (int i = cJSON_GetArraySize(reqs) - 1; i >= 0; i--)
        if (!strcmp(dep_str(cJSON_GetArrayItem(reqs, i), "name"), name))
            cJSON_DeleteItemFromArray(reqs, i);
}

/* processDependencyEnabled */
static int deps_enable(struct chart *c, const cJSON *v, const char *path, struct err *err)
{
    cJSON *reqs = cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies");
    if (!cJSON_IsArray(reqs))
        return 0;
    int rc = deps_rebuild(c, reqs, err);
    if (rc < 0)
        return rc;
    cJSON *cvals = cJSON_Duplicate(v, 1);
    rc = coalesce(c, cvals, 0, err);
    size_t nr = (size_t)cJSON_GetArraySize(reqs);
    char **off = xcalloc(nr + 1, sizeof *off);
    size_t noff = 0;
    const cJSON *req;
    cJSON_ArrayForEach(req, reqs)
    {
        int en = tags_enabled(req, cvals);
        en = cond_enabled(req, cvals, path, en);
        if (!en)
            off[noff++] = xstrdup(dep_str(req, "name"));
    }
    for (size_t i = 0; i < noff; i++) {
        deps_drop(c, reqs, off[i]);
        free(off[i]);
    }
    free(off);
    for (size_t i = 0; i < c->ndeps && rc == 0; i++) {
        char *sub = xasprintf("%s%s.", path, c->deps[i]->name);
        rc = deps_enable(c->deps[i], cvals, sub, err);
        free(sub);
    }
    cJSON_Delete(cvals);
    return rc;
}

static void expand(struct chart *c)
{
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies");
    if (cJSON_IsArray(reqs))
        deps_rebuild(c, reqs, NULL); /* a missing one is chart_resolve's error */
    for (size_t i = 0; i < c->ndeps; i++)
        expand(c->deps[i]);
}

struct chart *chart_expand(const struct chart *root)
{
    struct chart *c = chart_dup(root);
    expand(c);
    return c;
}

/* pathToMap: {"a": {"b": data}} for "a.b"; data itself for "." */
static cJSON *path_to_map(const char *path, const cJSON *data)
{
    cJSON *leaf = cJSON_Duplicate(data, 1);
    if (!strcmp(path, "."))
        return leaf;
    char *copy = xstrdup(path);
    cJSON *root = leaf;
    for (char *dot = strrchr(copy, '.');; dot = strrchr(copy, '.')) {
        const char *key = dot ? dot + 1 : copy;
        if (*key) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddItemToObject(m, key, root);
            root = m;
        }
        if (!dot)
            break;
        *dot = 0;
    }
    free(copy);
    return root;
}

static void import_one(cJSON *b, const cJSON *cvals, const char *dep, const char *child,
                       const char *parent)
{
    char *p = xasprintf("%s.%s", dep, child);
    const cJSON *t = hvals_path(cvals, p);
    free(p);
    if (!cJSON_IsObject(t))
        return; /* helm: "Warning: ImportValues missing table from chart" */
    cJSON *m = path_to_map(parent, t);
    hvals_coalesce_tables(b, m, 1);
    cJSON_Delete(m);
}

/* processImportValues */
static int import_values(struct chart *c, struct err *err)
{
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies");
    if (!cJSON_IsArray(reqs))
        return 0;
    cJSON *cvals = cJSON_CreateObject();
    int rc = coalesce(c, cvals, 1, err);
    if (rc < 0) {
        cJSON_Delete(cvals);
        return rc;
    }
    cJSON *b = cJSON_CreateObject();
    const cJSON *req, *iv;
    cJSON_ArrayForEach(req, reqs)
    {
        cJSON_ArrayForEach(iv, cJSON_GetObjectItemCaseSensitive(req, "import-values"))
        {
            if (cJSON_IsString(iv)) {
                char *child = xasprintf("exports.%s", iv->valuestring);
                import_one(b, cvals, dep_str(req, "name"), child, ".");
                free(child);
            } else if (cJSON_IsObject(iv)) {
                import_one(b, cvals, dep_str(req, "name"), dep_str(iv, "child"),
                           dep_str(iv, "parent"));
            }
        }
    }
    hvals_coalesce_tables(cvals, b, 1);
    cJSON_Delete(b);
    cJSON_Delete(c->values);
    c->values = cvals;
    return 0;
}

static int deps_import(struct chart *c, struct err *err)
{
    for (size_t i = 0; i < c->ndeps; i++) {
        int rc = deps_import(c->deps[i], err);
        if (rc < 0)
            return rc;
    }
    return import_values(c, err);
}

int chart_resolve(struct chart *root, const cJSON *user, cJSON **out, struct err *err)
{
    cJSON *empty = NULL;
    if (!user)
        user = empty = cJSON_CreateObject();
    int rc = deps_enable(root, user, "", err);
    if (rc == 0)
        rc = deps_import(root, err);
    cJSON *vals = NULL;
    if (rc == 0) {
        vals = cJSON_Duplicate(user, 1);
        rc = coalesce(root, vals, 0, err);
    }
    cJSON_Delete(empty);
    if (rc < 0) {
        cJSON_Delete(vals);
        return rc;
    }
    *out = vals;
    return 0;
}
