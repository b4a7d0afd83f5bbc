/* tarball_test.c -- the gzip and tar readers on archives built here byte by
 * byte: ustar prefixes, GNU long names and base-256 sizes, pax path and size,
 * directories, concatenated gzip members; and every refusal: bad checksums,
 * truncation, hostile names, link entries, size and count caps.  Charts in
 * .tgz form are tested end to end by tests/helm.sh.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "helm/tarball.h"

/* A 512-byte header; magic: 0 POSIX ustar, 1 GNU, 2 none (v7). */
/* The checksum field of header h (6 octal digits, NUL, space). */
static void set_checksum(unsigned char *h)
{
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    char num[32];
    snprintf(num, sizeof num, "%06o", sum & 0777777u);
    memcpy(h + 148, num, 7);
}

static void hdr(struct buf *b, const char *name, char type, size_t size, const char *prefix,
                int magic)
{
    unsigned char h[512];
    memset(h, 0, sizeof h);
    memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    char num[32];
    snprintf(num, sizeof num, "%011llo", (unsigned long long)size & 077777777777ull);
    memcpy(h + 124, num, 11);
    memcpy(h + 136, "14000000000", 11);
    h[156] = (unsigned char)type;
    if (magic == 0)
        memcpy(h + 257, "ustar\0" "00", 8);
    else if (magic == 1)
        memcpy(h + 257, "ustar  \0", 8);
    if (prefix)
        memcpy(h + 345, prefix, strlen(prefix));
    set_checksum(h);
    buf_add(b, h, sizeof h);
}

/* size bytes of data, padded to a block */
static void body(struct buf *b, const char *d, size_t n)
{
    buf_add(b, d, n);
    static const char zero[512];
    if (n % 512)
        buf_add(b, zero, 512 - n % 512);
}

static void file(struct buf *b, const char *name, const char *d)
{
    hdr(b, name, '0', strlen(d), NULL, 0);
    body(b, d, strlen(d));
}

static void end(struct buf *b)
{
    static const char zero[1024];
    buf_add(b, zero, sizeof zero);
}

static void pax(struct buf *b, const char *records)
{
    hdr(b, "PaxHeaders/x", 'x', strlen(records), NULL, 0);
    body(b, records, strlen(records));
}

/* gzip of data (level 6), appended to out */
static void gz(struct buf *out, const void *data, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n);
    unsigned char *o = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = o;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    buf_add(out, o, cap - zs.avail_out);
    deflateEnd(&zs);
    free(o);
}

static int read_tar(struct tarball *t, const struct buf *b, struct err *err)
{
    return tarball_read_tar(t, b->ptr, b->len, 0, "a.tar", err);
}

START_TEST(tarball_formats)
{
    struct buf b = BUF_INIT;
    hdr(&b, "c/", '5', 0, NULL, 0);
    file(&b, "c/Chart.yaml", "name: c\n");
    hdr(&b, "x.yaml", '0', 3, "c/templates", 0); /* ustar prefix */
    body(&b, "abc", 3);
    char longname[300];
    memset(longname, 'n', sizeof longname);
    memcpy(longname, "c/", 2);
    longname[299] = 0;
    hdr(&b, "././@LongLink", 'L', strlen(longname) + 1, NULL, 1);
    body(&b, longname, strlen(longname) + 1);
    hdr(&b, "c/trunc", '0', 2, NULL, 1);
    body(&b, "gn", 2);
    pax(&b, "29 path=c/files/from-pax.txt\n");
    hdr(&b, "c/ignored-name", '0', 4, NULL, 0);
    body(&b, "pax!", 4);
    pax(&b, "10 size=5\n"); /* pax size overrides the header's */
    hdr(&b, "c/sized", '0', 1, NULL, 0);
    body(&b, "12345", 5);
    hdr(&b, "g", 'g', 0, NULL, 0);
    file(&b, "./c//./dots", "d");
    file(&b, "c\\win\\path", "w");
    hdr(&b, "v7/file", '\0', 2, NULL, 2);
    body(&b, "v7", 2);
    end(&b);
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    ck_assert_msg(read_tar(&t, &b, &err) == 0, "%s", err.msg);
    static const char *const names[] = {"c/Chart.yaml", "c/templates/x.yaml", NULL,
                                        "c/files/from-pax.txt", "c/sized", "c/dots",
                                        "c/win/path", "v7/file"};
    static const char *const data[] = {"name: c\n", "abc", "gn", "pax!", "12345", "d", "w",
                                       "v7"};
    ck_assert_uint_eq(t.n, 8);
    for (size_t i = 0; i < t.n; i++) {
        ck_assert_str_eq(t.f[i].name, names[i] ? names[i] : longname);
        ck_assert_str_eq(t.f[i].data, data[i]);
        ck_assert_uint_eq(t.f[i].len, strlen(data[i]));
    }
    tarball_release(&t);
    /* the same through gzip, as two concatenated members */
    struct buf z = BUF_INIT;
    gz(&z, b.ptr, 1024);
    gz(&z, b.ptr + 1024, b.len - 1024);
    ck_assert_msg(tarball_read(&t, z.ptr, z.len, 0, "a.tgz", &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(t.n, 8);
    ck_assert_uint_eq(t.bytes, b.len);
    tarball_release(&t);
    buf_release(&z);
    buf_release(&b);
}
END_TEST

/* GNU base-256 size field */
START_TEST(tarball_base256_size)
{
    struct buf b = BUF_INIT;
    hdr(&b, "c/big", '0', 0, NULL, 1);
    unsigned char *h = (unsigned char *)b.ptr;
    memset(h + 124, 0, 12);
    h[124] = 0x80;
    h[135] = 3;
    set_checksum(h);
    body(&b, "xyz", 3);
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    ck_assert_msg(read_tar(&t, &b, &err) == 0, "%s", err.msg); /* no end blocks: fine */
    ck_assert_uint_eq(t.n, 1);
    ck_assert_str_eq(t.f[0].data, "xyz");
    tarball_release(&t);
    buf_release(&b);
}
END_TEST

/* refused NAME TYPE: one entry; the error must contain want */
static void refused(const char *name, char type, const char *want, int code)
{
    struct buf b = BUF_INIT;
    file(&b, "c/ok", "fine");
    hdr(&b, name, type, 0, NULL, 0);
    end(&b);
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    ck_assert_int_eq(read_tar(&t, &b, &err), code);
    ck_assert_msg(strstr(err.msg, want), "%s: %s", name, err.msg);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_ptr_null(t.f);
    buf_release(&b);
}

START_TEST(tarball_hostile_names)
{
    refused("c/../../etc/passwd", '0',
            "a.tar: entry 'c/../../etc/passwd' at byte 1024: illegal name (path with a '..' "
            "component)", E_INVALID);
    refused("/etc/passwd", '0', "entry '/etc/passwd' at byte 1024: illegal name (absolute path)",
            E_INVALID);
    refused("c\\..\\x", '0', "illegal name (path with a '..' component)", E_INVALID);
    refused("\\abs", '0', "illegal name (absolute path)", E_INVALID);
    refused("C:/x", '0', "illegal name (path with a drive letter)", E_INVALID);
    refused("../d/", '5', "illegal name (path with a '..' component)", E_INVALID);
    refused("c/link", '2', "entry 'c/link' at byte 1024: unsupported entry type '2' (only "
            "regular files and directories)", E_INVALID);
    refused("c/hard", '1', "unsupported entry type '1'", E_INVALID);
    refused("c/fifo", '6', "unsupported entry type '6'", E_INVALID);
    refused("./", '0', "a.tar: file entry at byte 1024 has an empty name", E_PARSE);
}
END_TEST

START_TEST(tarball_truncated_and_corrupt)
{
    struct buf b = BUF_INIT;
    file(&b, "c/a", "hello");
    hdr(&b, "c/b", '0', 2000, NULL, 0);
    body(&b, "short", 5);
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    ck_assert_int_eq(read_tar(&t, &b, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "a.tar: truncated: entry 'c/b' at byte 1024 has 2000 bytes of "
                              "data but the archive ends at byte 2048");
    ck_assert_int_eq(tarball_read_tar(&t, b.ptr, 1300, 0, "a.tar", &err), E_PARSE);
    ck_assert_str_eq(err.msg, "a.tar: truncated: the tar header at byte 1024 is incomplete");
    /* checksum */
    b.ptr[5] ^= 1;
    ck_assert_int_eq(read_tar(&t, &b, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "a.tar: invalid tar header at byte 0 (bad checksum)");
    b.ptr[5] ^= 1;
    /* gzip: truncated, corrupt, not gzip at all */
    buf_reset(&b);
    file(&b, "c/a", "hello hello hello hello");
    end(&b);
    struct buf z = BUF_INIT;
    gz(&z, b.ptr, b.len);
    ck_assert_int_eq(tarball_read(&t, z.ptr, z.len / 2, 0, "x.tgz", &err), E_PARSE);
    ck_assert_msg(strstr(err.msg, "x.tgz: truncated: the gzip data ends at byte"), "%s",
                  err.msg);
    z.ptr[z.len - 6] ^= 0x55; /* the CRC */
    ck_assert_int_eq(tarball_read(&t, z.ptr, z.len, 0, "x.tgz", &err), E_PARSE);
    ck_assert_msg(strstr(err.msg, "x.tgz: corrupt gzip data near byte"), "%s", err.msg);
    z.ptr[z.len - 6] ^= 0x55;
    buf_puts(&z, "junk after the member");
    ck_assert_int_eq(tarball_read(&t, z.ptr, z.len, 0, "x.tgz", &err), E_PARSE);
    ck_assert_int_eq(tarball_read(&t, "plain", 5, 0, "x.tgz", &err), E_PARSE);
    ck_assert_str_eq(err.msg, "x.tgz: not a gzip archive");
    ck_assert(!tarball_is_gzip("\x1f", 1));
    buf_release(&z);
    /* an extended header with no entry after it */
    buf_reset(&b);
    pax(&b, "14 path=c/x.y\n");
    ck_assert_int_eq(read_tar(&t, &b, &err), E_PARSE);
    ck_assert_msg(strstr(err.msg, "not followed by its entry"), "%s", err.msg);
    buf_reset(&b);
    pax(&b, "99 path=c/x.y\n");
    ck_assert_int_eq(read_tar(&t, &b, &err), E_PARSE);
    ck_assert_str_eq(err.msg, "a.tar: invalid pax header at byte 0");
    buf_release(&b);
}
END_TEST

START_TEST(tarball_caps)
{
    /* an entry over the cap is named, before its data is looked at */
    struct buf b = BUF_INIT;
    file(&b, "c/a", "x");
    hdr(&b, "c/huge", '0', (size_t)70 << 20, NULL, 0);
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    ck_assert_int_eq(read_tar(&t, &b, &err), E_TOOBIG);
    ck_assert_str_eq(err.msg, "a.tar: entry 'c/huge' at byte 1024 is 73400320 bytes: over the "
                              "limit of 67108864 uncompressed bytes");
    /* a smaller cap, through gzip: the stream stops at the cap, the entry is named */
    buf_reset(&b);
    file(&b, "c/a", "x");
    hdr(&b, "c/big", '0', 300000, NULL, 0);
    char *zeros = calloc(1, 300000);
    body(&b, zeros, 300000);
    free(zeros);
    end(&b);
    struct buf z = BUF_INIT;
    gz(&z, b.ptr, b.len);
    ck_assert_int_eq(tarball_read(&t, z.ptr, z.len, 100000, "z.tgz", &err), E_TOOBIG);
    ck_assert_str_eq(err.msg, "z.tgz: entry 'c/big' at byte 1024 is 300000 bytes: over the "
                              "limit of 100000 uncompressed bytes");
    /* many small files over the cap: the stream is named */
    ck_assert_int_eq(tarball_read(&t, z.ptr, z.len, 1500, "z.tgz", &err), E_TOOBIG);
    ck_assert_str_eq(err.msg, "z.tgz: over the limit of 1500 uncompressed bytes");
    ck_assert_msg(tarball_read(&t, z.ptr, z.len, 0, "z.tgz", &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_uint_eq(t.f[1].len, 300000);
    tarball_release(&t);
    buf_release(&z);
    /* file count */
    buf_reset(&b);
    for (int i = 0; i <= TARBALL_MAX_FILES; i++) {
        char name[32];
        snprintf(name, sizeof name, "c/f%d", i);
        hdr(&b, name, '0', 0, NULL, 0);
    }
    ck_assert_int_eq(read_tar(&t, &b, &err), E_TOOBIG);
    ck_assert_str_eq(err.msg, "a.tar: entry 'c/f10000' at byte 5120000: more than 10000 files");
    buf_release(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tarball");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, tarball_formats);
    tcase_add_test(tc, tarball_base256_size);
    tcase_add_test(tc, tarball_hostile_names);
    tcase_add_test(tc, tarball_truncated_and_corrupt);
    tcase_add_test(tc, tarball_caps);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
