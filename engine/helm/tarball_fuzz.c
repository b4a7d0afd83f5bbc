/* tarball_fuzz.c -- libFuzzer target for the packaged-chart reader.
 * Input starting with the gzip magic goes through tarball_read (zlib, then
 * tar), anything else straight to tarball_read_tar, both under a 1 MiB cap.
 * Checks what the reader promises: every returned name is relative, clean
 * (no empty, "." or ".." component) and NUL-free, every file's data is
 * NUL-terminated at its length, and a failure leaves the result empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helm/tarball.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *n)
{
    if (!*n || n[0] == '/' || strlen(n) > TARBALL_MAX_NAME + 1)
        abort();
    for (const char *c = n; c; c = strchr(c, '/')) {
        if (*c == '/')
            c++;
        size_t k = strcspn(c, "/");
        if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.'))
            abort();
        if (c == n && k >= 2 && c[1] == ':')
            abort();
    }
    if (strchr(n, '\\'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tarball t = TARBALL_INIT;
    struct err err = ERR_INIT;
    int rc = tarball_is_gzip(data, size)
                 ? tarball_read(&t, data, size, 1u << 20, "f.tgz", &err)
                 : tarball_read_tar(&t, data, size, 1u << 20, "f.tar", &err);
    if (rc < 0) {
        if (t.n || t.f || !err.msg[0])
            abort();
        return 0;
    }
    if (t.n > TARBALL_MAX_FILES || t.bytes > (1u << 20))
        abort();
    for (size_t i = 0; i < t.n; i++) {
        check_name(t.f[i].name);
        if (t.f[i].data[t.f[i].len] != 0 || t.f[i].len > t.bytes)
            abort();
    }
    tarball_release(&t);
    return 0;
}
