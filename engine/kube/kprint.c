/* kprint.c -- kubectl-style tables (see kprint.h).
 *
 * The layout is Go's text/tabwriter as kubectl configures it (minwidth 6,
 * padding 3, spaces): a column is as wide as its widest cell plus 3, at least
 * 6; the last cell of a line is not padded.  Widths count UTF-8 characters.
 */
#include "kube/kprint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"

#define KPRINT_MIN_WIDTH 6
#define KPRINT_PADDING 3

/* ---- a grid of cells, laid out like tabwriter ----------------------------------------------- */

struct grid {
    char **cells; /* row after row, cols per row, owned */
    size_t n, cap, cols;
};

static void grid_add(struct grid *g, char *cell)
{
    XGROW(g->cells, g->cap, g->n + 1);
    g->cells[g->n++] = cell;
}

static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Write the grid to out and free it. */
static void grid_emit(struct grid *g, struct buf *out)
{
    size_t *width = xcalloc(g->cols ? g->cols : 1, sizeof(*width));
    for (size_t i = 0; i < g->n; i++) {
        size_t c = i % g->cols, w = text_width(g->cells[i]) + KPRINT_PADDING;
        if (w > width[c])
            width[c] = w;
    }
    for (size_t i = 0; i < g->n; i++) {
        size_t c = i % g->cols;
        buf_puts(out, g->cells[i]);
        if (c + 1 == g->cols) {
            buf_putc(out, '\n');
        } else {
            size_t w = width[c] < KPRINT_MIN_WIDTH ? KPRINT_MIN_WIDTH : width[c];
            for (size_t k = text_width(g->cells[i]); k < w; k++)
                buf_putc(out, ' ');
        }
        free(g->cells[i]);
    }
    free(g->cells);
    free(width);
    memset(g, 0, sizeof(*g));
}

/* ---- tables --------------------------------------------------------------------------------- */

static char *upper(const char *s)
{
    char *o = xstrdup(s);
    for (char *p = o; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return o;
}

/* A cell as kubectl prints it: strings as they are, numbers without a
 * fraction when they have none, null or a missing cell blank. */
static char *cell_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9e15)
            return xasprintf("%lld", (long long)d);
        return xasprintf("%g", d);
    }
    return xstrdup("");
}

static int column_shown(const cJSON *def, const struct kprint_opts *o)
{
    return o->wide || json_get_int(def, "priority", 0) == 0;
}

static void table_header(struct grid *g, const cJSON *defs, const struct kprint_opts *o)
{
    const cJSON *d;
    if (o->all_namespaces)
        grid_add(g, xstrdup("NAMESPACE"));
    cJSON_ArrayForEach(d, defs)
    {
        if (column_shown(d, o))
            grid_add(g, upper(json_get_str(d, "name", "")));
    }
}

static void table_row(struct grid *g, const cJSON *row, const cJSON *defs,
                      const struct kprint_opts *o)
{
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row, "cells"), *d;
    if (o->all_namespaces)
        grid_add(g, xstrdup(json_get_str(row, "object.metadata.namespace", "")));
    int i = 0;
    cJSON_ArrayForEach(d, defs)
    {
        if (column_shown(d, o)) {
            char *t = cell_text(cJSON_GetArrayItem(cells, i));
            int is_name = !strcmp(json_get_str(d, "format", ""), "name") || i == 0;
            if (is_name && o->name_prefix) {
                char *p = xasprintf("%s%s", o->name_prefix, t);
                free(t);
                t = p;
            }
            grid_add(g, t);
        }
        i++;
    }
}

int kprint_table(const cJSON *table, const struct kprint_opts *o, struct buf *out)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(table, "columnDefinitions");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(table, "rows"), *r;
    int n = cJSON_IsArray(rows) ? cJSON_GetArraySize(rows) : 0;
    if (!n || !cJSON_IsArray(defs))
        return 0;
    struct grid g = {0};
    table_header(&g, defs, o);
    g.cols = g.n;
    if (!g.cols) {
        free(g.cells);
        return 0;
    }
    cJSON_ArrayForEach(r, rows)
    {
        table_row(&g, r, defs, o);
    }
    grid_emit(&g, out);
    return n;
}

int kprint_objects(const cJSON *items, int64_t now_ms, const struct kprint_opts *o,
                   struct buf *out)
{
    int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
    if (!n)
        return 0;
    struct grid g = {0};
    if (o->all_namespaces)
        grid_add(&g, xstrdup("NAMESPACE"));
    grid_add(&g, xstrdup("NAME"));
    grid_add(&g, xstrdup("AGE"));
    g.cols = g.n;
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        int64_t created = 0;
        char age[32] = "<unknown>";
        const char *ts = json_get_str(it, "metadata.creationTimestamp", NULL);
        if (ts && clock_parse_rfc3339(ts, &created) == 0)
            clock_fmt_age((now_ms - created) / 1000, age);
        if (o->all_namespaces)
            grid_add(&g, xstrdup(json_get_str(it, "metadata.namespace", "")));
        grid_add(&g, xasprintf("%s%s", o->name_prefix ? o->name_prefix : "",
                               json_get_str(it, "metadata.name", "")));
        grid_add(&g, xstrdup(age));
    }
    grid_emit(&g, out);
    return n;
}
