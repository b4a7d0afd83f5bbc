/* static_test.c -- unit tests for static: path safety, content types, ETags,
 * substitution and the file cache (on a temporary folder). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "static.h"

static char out[STATIC_PATH_MAX];

static int norm(const char *raw)
{
    return static_path_normalize(raw, out, sizeof(out), NULL);
}

START_TEST(static_normalize_plain_paths)
{
    ck_assert_int_eq(norm("/"), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(norm("/index.html"), 0);
    ck_assert_str_eq(out, "index.html");
    ck_assert_int_eq(norm("//a///b/./c.css"), 0);
    ck_assert_str_eq(out, "a/b/c.css");
    ck_assert_int_eq(norm("/docs/"), 0);
    ck_assert_str_eq(out, "docs/");
    ck_assert_int_eq(norm("/docs/."), 0);
    ck_assert_str_eq(out, "docs/");
    ck_assert_int_eq(norm("/my%20file.txt"), 0);
    ck_assert_str_eq(out, "my file.txt");
    ck_assert_int_eq(norm("/a..b/..c/c.."), 0); /* dots inside names are fine */
    ck_assert_str_eq(out, "a..b/..c/c..");
}
END_TEST

START_TEST(static_normalize_refuses_escapes)
{
    struct err err = ERR_INIT;
    ck_assert_int_eq(static_path_normalize("/../etc/passwd", out, sizeof(out), &err), E_INVALID);
    ck_assert_str_eq(err.msg, "path escapes the site ('..' segment)");
    ck_assert_int_eq(norm("/a/../../x"), E_INVALID);
    ck_assert_int_eq(norm("/a/.."), E_INVALID);
    ck_assert_int_eq(norm("/%2e%2e/etc/passwd"), E_INVALID);
    ck_assert_int_eq(norm("/%2E%2e/x"), E_INVALID);
    ck_assert_int_eq(norm("/.%2e/x"), E_INVALID);
    ck_assert_int_eq(norm("/a%2f..%2fb"), E_INVALID);  /* encoded slash */
    ck_assert_int_eq(norm("/a%00.html"), E_INVALID);   /* encoded NUL */
    ck_assert_int_eq(norm("/a%0a"), E_INVALID);        /* control character */
    ck_assert_int_eq(norm("/a%zz"), E_INVALID);        /* bad escape */
    ck_assert_int_eq(norm("/a%2"), E_INVALID);         /* truncated escape */
    ck_assert_int_eq(norm("relative"), E_INVALID);
    char small[8];
    ck_assert_int_eq(static_path_normalize("/abcdefghij", small, sizeof(small), NULL), E_TOOBIG);
    ck_assert_int_eq(static_path_normalize("/abcdefg/", small, sizeof(small), NULL), E_TOOBIG);
    ck_assert_int_eq(static_path_normalize("/abcdef/", small, sizeof(small), NULL), 0);
    ck_assert_str_eq(small, "abcdef/");
}
END_TEST

START_TEST(static_content_types)
{
    ck_assert_str_eq(static_content_type("index.html"), "text/html; charset=utf-8");
    ck_assert_str_eq(static_content_type("a/b/STYLE.CSS"), "text/css; charset=utf-8");
    ck_assert_str_eq(static_content_type("app.js"), "text/javascript; charset=utf-8");
    ck_assert_str_eq(static_content_type("favicon.svg"), "image/svg+xml");
    ck_assert_str_eq(static_content_type("x.png"), "image/png");
    ck_assert_str_eq(static_content_type("data.json"), "application/json");
    ck_assert_str_eq(static_content_type("noext"), "application/octet-stream");
    ck_assert_str_eq(static_content_type(".html"), "application/octet-stream");
    ck_assert_str_eq(static_content_type("dir.css/file"), "application/octet-stream");
}
END_TEST

START_TEST(static_etags)
{
    char a[24], b[24];
    static_etag("hello", 5, a);
    static_etag("hellp", 5, b);
    ck_assert_uint_eq(strlen(a), 18);
    ck_assert_int_eq(a[0], '"');
    ck_assert_str_ne(a, b);
    static_etag("hello", 5, b);
    ck_assert_str_eq(a, b);
    ck_assert(static_etag_match(a, a));
    char list[80], weak[40];
    snprintf(list, sizeof(list), "\"x\", %s , \"y\"", a);
    ck_assert(static_etag_match(list, a));
    snprintf(weak, sizeof(weak), "W/%s", a);
    ck_assert(static_etag_match(weak, a));
    ck_assert(static_etag_match("*", a));
    ck_assert(!static_etag_match("\"other\"", a));
    ck_assert(!static_etag_match("", a));
    ck_assert(!static_etag_match(NULL, a));
}
END_TEST

START_TEST(static_substitution)
{
    struct static_subst sub[] = {{"__VERSION__", "1.2<3>"}, {"__HOST__", "h&1"}};
    const char *src = "v=__VERSION__ h=__HOST__ __VERSION_ _x";
    size_t n;
    char *r = static_substitute(src, strlen(src), sub, 2, &n);
    ck_assert_str_eq(r, "v=1.2&lt;3&gt; h=h&amp;1 __VERSION_ _x");
    ck_assert_uint_eq(n, strlen(r));
    free(r);
}
END_TEST

/* ---- the cache on a real folder ---------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", tmpdir, rel);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static void setup_site(void)
{
    strcpy(tmpdir, "/tmp/static_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char *p = xasprintf("%s/site", tmpdir);
    mkdir(p, 0755);
    free(p);
    p = xasprintf("%s/site/sub", tmpdir);
    mkdir(p, 0755);
    free(p);
    p = xasprintf("%s/site/empty", tmpdir);
    mkdir(p, 0755);
    free(p);
    write_file("site/index.html", "<p>__VERSION__</p>");
    write_file("site/style.css", "body{}");
    write_file("site/sub/index.html", "sub");
    write_file("secret.txt", "do not serve");
    p = xasprintf("%s/site/link", tmpdir);
    char *target = xasprintf("%s/secret.txt", tmpdir);
    ck_assert_int_eq(symlink(target, p), 0);
    free(p);
    p = xasprintf("%s/site/inner", tmpdir);
    ck_assert_int_eq(symlink("style.css", p), 0);
    free(p);
    free(target);
}

static void teardown_site(void)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

static int attached, detached;
static void *count_attach(void *ctx, const struct static_file *f)
{
    (void)ctx;
    (void)f;
    attached++;
    return &attached;
}
static void count_detach(void *ctx, void *obj)
{
    (void)ctx;
    ck_assert_ptr_eq(obj, &attached);
    detached++;
}

static static_site *open_site(void)
{
    static_site *s = NULL;
    struct static_subst sub[] = {{"__VERSION__", "9.9.9"}};
    struct static_hooks hooks = {count_attach, count_detach, NULL};
    char *root = xasprintf("%s/site", tmpdir);
    ck_assert_int_eq(static_site_new(&s, root, sub, 1, &hooks, NULL), 0);
    free(root);
    return s;
}

START_TEST(static_site_serves_and_caches)
{
    attached = detached = 0;
    static_site *s = open_site();
    const struct static_file *f = NULL;
    ck_assert_int_eq(static_site_get(s, "", &f, NULL), 0);
    ck_assert_str_eq(f->path, "index.html");
    ck_assert_str_eq(f->data, "<p>9.9.9</p>");
    ck_assert_uint_eq(f->len, 12);
    ck_assert_str_eq(f->content_type, "text/html; charset=utf-8");
    ck_assert_ptr_eq(f->attached, &attached);
    ck_assert(strstr(f->last_modified, " GMT") != NULL);
    const struct static_file *again = NULL;
    ck_assert_int_eq(static_site_get(s, "", &again, NULL), 0);
    ck_assert_ptr_eq(again, f); /* cached */
    static_site_put(s, again);
    ck_assert_int_eq(static_site_get(s, "style.css", &f, NULL), 0);
    ck_assert_str_eq(f->data, "body{}"); /* not html: no substitution */
    ck_assert_int_eq(static_site_get(s, "sub", &f, NULL), 0);
    ck_assert_str_eq(f->data, "sub");
    ck_assert_int_eq(static_site_get(s, "sub/", &f, NULL), 0);
    ck_assert_int_eq(static_site_get(s, "inner", &f, NULL), 0); /* symlink inside: fine */
    ck_assert_str_eq(f->data, "body{}");
    ck_assert_uint_eq(static_site_cached(s), 5);
    ck_assert_int_eq(attached, 5);
    static_site_free(s);
    ck_assert_int_eq(detached, 5);
}
END_TEST

START_TEST(static_site_refuses_outside_and_folders)
{
    static_site *s = open_site();
    const struct static_file *f = NULL;
    struct err err = ERR_INIT;
    ck_assert_int_eq(static_site_get(s, "link", &f, &err), E_FORBIDDEN);
    ck_assert_str_eq(err.msg, "path resolves outside the site");
    ck_assert_int_eq(static_site_get(s, "empty/", &f, NULL), E_NOTFOUND); /* no listing */
    ck_assert_int_eq(static_site_get(s, "empty", &f, NULL), E_NOTFOUND);
    ck_assert_int_eq(static_site_get(s, "missing.html", &f, NULL), E_NOTFOUND);
    ck_assert_int_eq(static_site_get(s, "style.css/x", &f, NULL), E_NOTFOUND);
    ck_assert_uint_eq(static_site_cached(s), 0);
    static_site_free(s);
    ck_assert_int_eq(static_site_new(&s, "/nonexistent/folder", NULL, 0, NULL, &err), E_NOTFOUND);
}
END_TEST

START_TEST(static_site_sees_changes)
{
    static_site *s = open_site();
    const struct static_file *f = NULL;
    ck_assert_int_eq(static_site_get(s, "style.css", &f, NULL), 0);
    char etag[24];
    strcpy(etag, f->etag);
    write_file("site/style.css", "body{color:red}");
    sleep(2); /* files are re-checked at most once a second */
    ck_assert_int_eq(static_site_get(s, "style.css", &f, NULL), 0);
    ck_assert_str_eq(f->data, "body{color:red}");
    ck_assert_str_ne(f->etag, etag);
    char *p = xasprintf("%s/site/style.css", tmpdir);
    unlink(p);
    free(p);
    sleep(2);
    ck_assert_int_eq(static_site_get(s, "style.css", &f, NULL), E_NOTFOUND);
    write_file("site/style.css", "back");
    sleep(2);
    ck_assert_int_eq(static_site_get(s, "style.css", &f, NULL), 0);
    ck_assert_str_eq(f->data, "back");
    static_site_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("static");
    TCase *pure = tcase_create("pure");
    tcase_add_test(pure, static_normalize_plain_paths);
    tcase_add_test(pure, static_normalize_refuses_escapes);
    tcase_add_test(pure, static_content_types);
    tcase_add_test(pure, static_etags);
    tcase_add_test(pure, static_substitution);
    suite_add_tcase(s, pure);
    TCase *site = tcase_create("site");
    tcase_add_checked_fixture(site, setup_site, teardown_site);
    tcase_set_timeout(site, 30);
    tcase_add_test(site, static_site_serves_and_caches);
    tcase_add_test(site, static_site_refuses_outside_and_folders);
    tcase_add_test(site, static_site_sees_changes);
    suite_add_tcase(s, site);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
