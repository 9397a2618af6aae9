/* Calls every function the trace shim records, in an order whose trace is worked out by hand in
 * MallocTraceShimTests (format: data/traces/README.md). No stdio: its buffers would add blocks of their own.
 * Compiled with -fno-builtin, or gcc turns realloc(NULL, n) into malloc(n). */
#include <malloc.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    void *volatile a = malloc(10);
    void *volatile b = calloc(3, 8);
    a = realloc(a, 100);
    void *volatile c = realloc(NULL, 5);
    free(NULL);
    void *d = 0;
    if (posix_memalign(&d, 64, 30) != 0)
        return 1;
    void *volatile e = aligned_alloc(128, 256);
    void *volatile f = memalign(32, 40);
    free(b);
    if (realloc(c, 0) != 0)
        return 2;
    pid_t child = fork();
    if (child == 0) {
        void *volatile x = malloc(7); /* a forked child is not traced */
        free(x);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    free(a);
    free(d);
    free(e);
    free(f);
    void *volatile big = malloc(1 << 20);
    free(big);
    return 0;
}
