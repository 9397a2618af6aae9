/* The C and POSIX semantics of every exported function, as libmioos_malloc.so promises them (docs/malloc.md).
 * Prints "ok" lines and one "FAIL" line per broken promise; exit status 0 when all hold. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

#define EXPECT(condition) expect((condition), #condition, __LINE__)

static void expect(int ok, const char *what, int line)
{
    if (!ok) {
        printf("FAIL line %d: %s\n", line, what);
        failed++;
    }
}

int main(void)
{
    /* malloc(0): a unique, freeable pointer, as glibc's. */
    void *z1 = malloc(0), *z2 = malloc(0);
    EXPECT(z1 != 0 && z2 != 0 && z1 != z2);
    EXPECT(malloc_usable_size(z1) >= 1);
    free(z1);
    free(z2);

    /* Every pointer 16-byte aligned, usable size at least the request, errno untouched on success. */
    for (size_t n = 1; n < 5000; n += 7) {
        errno = 1234;
        unsigned char *p = malloc(n);
        EXPECT(p != 0 && ((uintptr_t)p & 15) == 0);
        EXPECT(errno == 1234);
        EXPECT(malloc_usable_size(p) >= n);
        memset(p, 0xAB, malloc_usable_size(p));
        free(p);
        EXPECT(errno == 1234);
    }

    /* Too large: NULL and ENOMEM. */
    errno = 0;
    EXPECT(malloc(SIZE_MAX) == 0 && errno == ENOMEM);
    errno = 0;
    EXPECT(malloc((size_t)1 << 40) == 0 && errno == ENOMEM);

    /* calloc: zeroed; an overflowing product refused with ENOMEM. */
    unsigned char *c = calloc(1000, 3);
    EXPECT(c != 0);
    for (int i = 0; i < 3000; i++)
        EXPECT(c[i] == 0);
    free(c);
    errno = 0;
    EXPECT(calloc(SIZE_MAX / 2, 3) == 0 && errno == ENOMEM);
    void *c0 = calloc(0, 10);
    EXPECT(c0 != 0);
    free(c0);

    /* realloc: NULL acts as malloc (0 bytes too); 0 bytes frees and returns NULL (glibc); contents kept. */
    char *r = realloc(0, 0);
    EXPECT(r != 0);
    r = realloc(r, 10);
    strcpy(r, "123456789");
    r = realloc(r, 100000);
    EXPECT(r != 0 && strcmp(r, "123456789") == 0);
    r = realloc(r, 5);
    EXPECT(r != 0 && memcmp(r, "12345", 5) == 0);
    errno = 0;
    char *kept = r;
    EXPECT(realloc(r, SIZE_MAX) == 0 && errno == ENOMEM);
    EXPECT(memcmp(kept, "12345", 5) == 0);
    EXPECT(realloc(kept, 0) == 0);

    /* reallocarray: overflow refused with ENOMEM, the block untouched. */
    int *a = reallocarray(0, 10, sizeof(int));
    EXPECT(a != 0);
    for (int i = 0; i < 10; i++)
        a[i] = i;
    errno = 0;
    EXPECT(reallocarray(a, SIZE_MAX / 2, 4) == 0 && errno == ENOMEM);
    a = reallocarray(a, 1000, sizeof(int));
    EXPECT(a != 0 && a[9] == 9);
    free(a);

    /* posix_memalign: EINVAL for an alignment that is not a power of two multiple of sizeof(void *), the result
     * untouched; ENOMEM when too large; errno never changed. */
    void *m = (void *)1;
    errno = 77;
    EXPECT(posix_memalign(&m, 24, 10) == EINVAL && m == (void *)1);
    EXPECT(posix_memalign(&m, 4, 10) == EINVAL && m == (void *)1);
    EXPECT(posix_memalign(&m, 0, 10) == EINVAL && m == (void *)1);
    EXPECT(posix_memalign(&m, 64, SIZE_MAX) == ENOMEM && m == (void *)1);
    EXPECT(errno == 77);
    for (size_t align = 8; align <= 65536; align <<= 1) {
        void *p = 0;
        EXPECT(posix_memalign(&p, align, 100) == 0 && p != 0 && ((uintptr_t)p & (align - 1)) == 0);
        free(p);
    }
    void *p0 = 0;
    EXPECT(posix_memalign(&p0, 256, 0) == 0 && p0 != 0);
    free(p0);

    /* aligned_alloc: a power of two; anything else EINVAL (C17, POSIX; glibc since 2.38). */
    errno = 0;
    EXPECT(aligned_alloc(48, 96) == 0 && errno == EINVAL);
    errno = 0;
    EXPECT(aligned_alloc(0, 96) == 0 && errno == EINVAL);
    void *al = aligned_alloc(4096, 4096);
    EXPECT(al != 0 && ((uintptr_t)al & 4095) == 0);
    free(al);

    /* memalign: as glibc, an alignment that is not a power of two is rounded up to one. */
    void *ma = memalign(48, 10);
    EXPECT(ma != 0 && ((uintptr_t)ma & 63) == 0);
    free(ma);
    errno = 0;
    EXPECT(memalign(SIZE_MAX, 10) == 0 && errno == EINVAL);

    /* valloc and pvalloc: page-aligned; pvalloc rounds the size up to whole pages. */
    long page = sysconf(_SC_PAGESIZE);
    void *v = valloc(10);
    EXPECT(v != 0 && ((uintptr_t)v & (page - 1)) == 0);
    free(v);
    void *pv = pvalloc(page + 1);
    EXPECT(pv != 0 && ((uintptr_t)pv & (page - 1)) == 0 && malloc_usable_size(pv) >= (size_t)(2 * page));
    free(pv);
    errno = 0;
    EXPECT(pvalloc(SIZE_MAX) == 0 && errno == ENOMEM);

    /* malloc_usable_size(NULL) is 0; free(NULL) does nothing. */
    EXPECT(malloc_usable_size(0) == 0);
    free(0);

    printf(failed == 0 ? "ok: every promise held\n" : "%d promises broken\n", failed);
    return failed == 0 ? 0 : 1;
}
