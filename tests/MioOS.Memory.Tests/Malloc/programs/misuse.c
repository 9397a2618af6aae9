/* Misuse the library must refuse without corrupting the heap: argv[1] says which. After the misuse the program
 * keeps allocating and checks its blocks, so a heap damaged by the bad call shows up as a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seen by the compiler as used elsewhere, so the allocations below are not optimised away. */
char *volatile sink;

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "double-free";
    char *a = malloc(100), *b = malloc(100);
    memset(a, 'a', 100);
    memset(b, 'b', 100);
    if (strcmp(what, "double-free") == 0) {
        free(a);
        free(a);
        a = 0;
    } else if (strcmp(what, "interior") == 0) {
        free(b + 16);
    } else if (strcmp(what, "foreign") == 0) {
        static char not_from_malloc[64];
        free(not_from_malloc + 16);
    } else if (strcmp(what, "overrun") == 0) {
        char *volatile past = a;  /* one byte past the 100 asked for: inside the block's rounding */
        past[100] = 0;
        free(a);                  /* refused with MIOOS_MALLOC_DEBUG=1 (the canary); the block stays allocated */
        a = 0;
    } else if (strcmp(what, "realloc-freed") == 0) {
        free(a);
        if (realloc(a, 500) != 0)
            return 3;
        a = 0;
    }
    /* The heap must still work and b be intact. */
    for (int i = 0; i < 1000; i++) {
        char *p = malloc((size_t)i * 3 + 1);
        memset(p, 'x', (size_t)i * 3 + 1);
        sink = p;
        free(sink);
    }
    for (int i = 0; i < 100; i++)
        if (b[i] != 'b')
            return 2;
    free(a);
    free(b);
    printf("survived %s\n", what);
    return 0;
}
