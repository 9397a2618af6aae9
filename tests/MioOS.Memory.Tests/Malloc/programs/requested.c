/* A known sequence of requests, for the statistics line's peak requested bytes. Live requested bytes after each
 * step, worked out by hand (the peak is 5221):
 *   a = malloc(100)              100
 *   b = malloc(1000)            1100
 *   free(a)                     1000
 *   b = realloc(b, 5000)        5000   (the 1000 asked before are forgotten, the 5000 counted)
 *   c = calloc(3, 7)            5021
 *   d = aligned_alloc(64, 200)  5221   <- the peak
 *   e = malloc(0)               5221   (a unique pointer, 0 bytes asked)
 *   free(c); free(c)            5200   (the second is refused and counts nothing)
 *   free(b); free(d); free(e)      0
 *   f = malloc(4000)            4000   (below the peak)
 *   free(f)                        0
 * Every block is written and read, so the compiler cannot leave out a call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned touch(unsigned char *p, size_t n, unsigned char v)
{
    memset(p, v, n);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    return sum;
}

int main(void)
{
    unsigned sum = 0;
    unsigned char *a = malloc(100), *b = malloc(1000);
    sum += touch(a, 100, 1) + touch(b, 1000, 2);
    free(a);
    b = realloc(b, 5000);
    unsigned char *c = calloc(3, 7), *d = aligned_alloc(64, 200), *e = malloc(0);
    if (!b || !c || !d || !e)
        return 1;
    sum += touch(b, 5000, 3) + touch(c, 21, 4) + touch(d, 200, 5);
    free(c);
    free(c);
    free(b);
    free(d);
    free(e);
    unsigned char *f = malloc(4000);
    sum += touch(f, 4000, 6);
    free(f);
    printf("sum %u\n", sum);
    return 0;
}
