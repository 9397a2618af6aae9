/* 8 threads doing random malloc/calloc/realloc/free, each block filled with a pattern of its own and checked
 * before every realloc and free; then a fork from the still-threaded parent, whose child must allocate, free
 * and exit cleanly (the heap's lock released in the child). Prints one line per phase; the output does not
 * depend on the allocator. Exit status 0 only when every check passed. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 8
#define SLOTS 256
#define STEPS 40000

struct slot {
    unsigned char *p;
    size_t size;
    unsigned char seed;
};

static int failures;

static uint64_t next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static size_t random_size(uint64_t *state)
{
    uint64_t r = next(state);
    switch (r % 10) {
    case 0: return (size_t)(r >> 8) % 65536;
    case 1: case 2: return (size_t)(r >> 8) % 2048;
    default: return (size_t)(r >> 8) % 160;
    }
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->size; i++)
        s->p[i] = (unsigned char)(s->seed + i * 31);
}

static int intact(const struct slot *s, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (s->p[i] != (unsigned char)(s->seed + i * 31))
            return 0;
    return 1;
}

static void *worker(void *argument)
{
    uint64_t state = 0x9E3779B97F4A7C15ull * ((uintptr_t)argument + 1);
    struct slot slots[SLOTS] = { { 0, 0, 0 } };
    int bad = 0;
    for (int step = 0; step < STEPS; step++) {
        struct slot *s = &slots[next(&state) % SLOTS];
        uint64_t what = next(&state) % 4;
        if (s->p != 0 && !intact(s, s->size))
            bad++;
        if (s->p == 0 || what == 0) {
            free(s->p);
            s->size = random_size(&state);
            s->p = (what & 1) ? calloc(1, s->size) : malloc(s->size);
            /* max_align_t (16) for every block that can hold an object needing it (smaller ones may get less
             * from other mallocs: C asks only for what fits in the size). */
            if (s->p == 0 || (s->size >= 16 && ((uintptr_t)s->p & 15) != 0))
                bad++;
            if (what & 1)
                for (size_t i = 0; i < s->size; i++)
                    bad += s->p[i] != 0;
        } else if (what == 1) {
            size_t size = random_size(&state);
            unsigned char *p = realloc(s->p, size == 0 ? 1 : size);
            if (p == 0) {
                bad++;
                continue;
            }
            s->p = p;
            if (!intact(s, size < s->size ? size : s->size))
                bad++;
            s->size = size == 0 ? 1 : size;
        } else {
            free(s->p);
            s->p = 0;
            continue;
        }
        s->seed = (unsigned char)next(&state);
        fill(s);
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p != 0 && !intact(&slots[i], slots[i].size))
            bad++;
        free(slots[i].p);
    }
    __atomic_add_fetch(&failures, bad, __ATOMIC_SEQ_CST);
    return 0;
}

static volatile int keep_spinning = 1;

/* Allocates and frees while the parent forks: the fork may come while this thread is inside malloc. */
static void *churn(void *argument)
{
    (void)argument;
    while (keep_spinning) {
        void *p = malloc(100);
        free(malloc(3000));
        free(p);
    }
    return 0;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&threads[i], 0, worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], 0);
    printf("threads: %d threads x %d steps, %d failures\n", THREADS, STEPS, failures);

    pthread_t churners[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&churners[i], 0, churn, 0);
    int children_ok = 0;
    for (int round = 0; round < 20; round++) {
        pid_t child = fork();
        if (child == 0) {
            /* The child has one thread; the heap must not be locked by a thread that no longer exists. */
            char *blocks[64];
            for (int i = 0; i < 64; i++) {
                blocks[i] = malloc(32 + i * 100);
                memset(blocks[i], i, 32 + i * 100);
            }
            for (int i = 0; i < 64; i++)
                free(blocks[i]);
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        children_ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    keep_spinning = 0;
    for (int i = 0; i < 2; i++)
        pthread_join(churners[i], 0);
    printf("fork: %d of 20 children allocated and exited cleanly\n", children_ok);
    return failures == 0 && children_ok == 20 ? 0 : 1;
}
