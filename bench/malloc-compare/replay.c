/* Replays an allocation trace (data/traces, format in data/traces/README.md, uncompressed) with this process's
 * malloc: whichever LD_PRELOAD selects (none: glibc's). The trace is parsed first into memory taken straight from
 * mmap (so the allocator under test never sees it), then replayed; only the replay is timed. Each new block gets
 * one byte written per 4 KiB page, as a program would use it, the same work under every allocator.
 *
 * Prints one line: events, wall ns per event, CPU ns per event, peak RSS of the replay in KiB (the process's peak
 * resident set less what it held before the replay began).
 *
 *   gcc -O2 -o replay replay.c && zcat data/traces/gcc-cc1-O2.trace.gz > t && LD_PRELOAD=... ./replay t */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum kind { MALLOC, CALLOC, REALLOC, ALIGNED, FREE };

struct event {
    uint8_t kind;
    uint32_t id;       /* the block made (or freed) */
    uint32_t old;      /* realloc: the block resized, UINT32_MAX for realloc(NULL, n) */
    uint64_t a, b;     /* malloc/realloc: size; calloc: count, size; aligned: alignment, size */
};

static void *map(size_t bytes)
{
    void *p = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static uint64_t number(char **at)
{
    while (**at == ' ')
        (*at)++;
    uint64_t v = 0;
    while (**at >= '0' && **at <= '9')
        v = v * 10 + (uint64_t)(*(*at)++ - '0');
    return v;
}

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static long resident_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static inline void touch(unsigned char *p, size_t size)
{
    for (size_t at = 0; at < size; at += 4096)
        p[at] = (unsigned char)at;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: replay TRACE (uncompressed)\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = map((size_t)length + 1);
    if (fread(text, 1, (size_t)length, f) != (size_t)length) {
        perror("read");
        return 2;
    }
    fclose(f);
    text[length] = 0;

    size_t lines = 0;
    for (long i = 0; i < length; i++)
        lines += text[i] == '\n';
    struct event *events = map((lines + 1) * sizeof *events);
    size_t count = 0;
    uint32_t blocks = 0;
    for (char *at = text; *at;) {
        struct event *e = &events[count];
        char k = *at++;
        switch (k) {
        case 'm': e->kind = MALLOC; e->id = (uint32_t)number(&at); e->a = number(&at); break;
        case 'c': e->kind = CALLOC; e->id = (uint32_t)number(&at); e->a = number(&at); e->b = number(&at); break;
        case 'a': e->kind = ALIGNED; e->id = (uint32_t)number(&at); e->a = number(&at); e->b = number(&at); break;
        case 'f': e->kind = FREE; e->id = (uint32_t)number(&at); break;
        case 'r':
            e->kind = REALLOC;
            while (*at == ' ')
                at++;
            if (*at == '-') {
                e->old = UINT32_MAX;
                at++;
            } else {
                e->old = (uint32_t)number(&at);
            }
            e->id = (uint32_t)number(&at);
            e->a = number(&at);
            break;
        default:
            fprintf(stderr, "replay: bad event '%c' at line %zu\n", k, count + 1);
            return 2;
        }
        if (e->kind != FREE && e->id + 1 > blocks)
            blocks = e->id + 1;
        count++;
        while (*at && *at != '\n')
            at++;
        if (*at == '\n')
            at++;
    }
    void **live = map((size_t)(blocks + 1) * sizeof *live);

    long before = resident_kib();
    double wall = now(CLOCK_MONOTONIC), cpu = now(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t i = 0; i < count; i++) {
        struct event *e = &events[i];
        void *p;
        switch (e->kind) {
        case MALLOC:
            p = malloc(e->a);
            touch(p, e->a);
            live[e->id] = p;
            break;
        case CALLOC:
            p = calloc(e->a, e->b);
            touch(p, e->a * e->b);
            live[e->id] = p;
            break;
        case ALIGNED:
            p = 0;
            if (posix_memalign(&p, e->a, e->b) != 0)
                p = 0;
            touch(p, e->b);
            live[e->id] = p;
            break;
        case REALLOC:
            p = realloc(e->old == UINT32_MAX ? 0 : live[e->old], e->a);
            touch(p, e->a);
            live[e->id] = p;
            break;
        case FREE:
            free(live[e->id]);
            live[e->id] = 0;
            break;
        }
    }
    wall = now(CLOCK_MONOTONIC) - wall;
    cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("events %zu wall_ns_per_event %.1f cpu_ns_per_event %.1f peak_rss_kib %ld\n", count, wall / count,
           cpu / count, usage.ru_maxrss - before);
    return 0;
}
